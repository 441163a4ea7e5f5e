#!/bin/bash
# completions-test.sh SFN_DIR: the bash completion offers commands and each
# command's options as 'sfn --help' lists them.
set -u
PATH=$1:$PATH
source "$(dirname "$0")/../completions/sfn.bash"
fail=0
check() { # words... -- expected
	local want=${!#}
	COMP_WORDS=("${@:1:$#-1}")
	COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
	_sfn
	if [ "${COMPREPLY[*]}" != "$want" ]; then
		echo "completing '${COMP_WORDS[*]}': got '${COMPREPLY[*]}', want '$want'"
		fail=$((fail + 1))
	fi
}
check sfn val validate
check sfn test "test test-state"
check sfn --ver --version
# graph's help mentions sfn test's --coverage-out: not a graph option.
check sfn graph --cov --coverage
check sfn test --cov "--coverage --coverage-out"
check sfn test-state --sta --state
n=6
echo "$((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
