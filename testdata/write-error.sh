#!/bin/sh
# write-error.sh SFN: README's exit code 4 ("host failure: write error")
# holds for every way sfn prints to standard output, the top-level --help
# and --version included: each runs with stdout on /dev/full.
set -u
sfn=$1
dir=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0
check() {
	"$sfn" "$@" > /dev/full 2> /dev/null
	code=$?
	if [ "$code" -eq 4 ]; then
		pass=$((pass + 1))
	else
		echo "sfn $*: exit $code with stdout on /dev/full, want 4"
		fail=$((fail + 1))
	fi
}
check --help
check -h
check --version
check help
check help run
check list --help
check graph "$dir/cli/graph/pass-chain/definition.asl.json"
check history --journal-dir "$dir/journals" ok-run
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
