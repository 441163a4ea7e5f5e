#!/bin/sh
# dot-check.sh FILE...: every DOT FILE must lay out and render with
# Graphviz's dot (-Tsvg), without an error or a warning.
set -u
command -v dot >/dev/null || {
	echo "dot-check: dot not found: apt-get install graphviz"
	echo "0 passed, 1 failed"
	exit 1
}
pass=0 failed=0
for f in "$@"; do
	if err=$(dot -Tsvg -o /dev/null "$f" 2>&1) && [ -z "$err" ]; then
		pass=$((pass + 1))
	else
		echo "$f: $err"
		failed=$((failed + 1))
	fi
done
[ $# -gt 0 ] || { echo "dot-check: no files"; failed=1; }
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
