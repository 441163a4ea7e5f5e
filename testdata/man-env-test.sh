#!/bin/sh
# man-env-test.sh SFN MANPAGE: every environment variable a command's
# --help names ($SFN_JOURNAL_DIR, ...) has its entry in the man page's
# ENVIRONMENT section, where 'man sfn' readers look for it.
set -u
sfn=$1 man=$2
env=$(sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$man" | sed -n 's/^\.B \([A-Z_][A-Z0-9_]*\)$/\1/p')
vars=$(for cmd in $("$sfn" --help | awk '/^commands:/{f=1;next} f&&/^  [a-z]/{print $1} f&&/^$/{f=0}'); do
	"$sfn" "$cmd" --help
done | grep -oE '\$?SFN_[A-Z_]+|NO_COLOR' | tr -d '$' | sort -u)
pass=0 fail=0
for v in $vars; do
	if printf '%s\n' "$env" | grep -qx "$v"; then
		pass=$((pass + 1))
	else
		echo "$v: named in --help, not in the man page's ENVIRONMENT"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
