#!/bin/sh
# golden-html.sh SFN WANT ARGS...: runs `sfn graph ARGS...` (an HTML page)
# in testdata/graph with a pinned clock, twice, and checks that
#   - both runs wrote the same bytes (the page is deterministic);
#   - every state's node in the inline SVG carries the id the page's data
#     maps it by;
#   - the page equals WANT once its <svg>...</svg> (Graphviz's drawing, which
#     outputs.sh checks against dot) is cut to one line, so a Graphviz
#     upgrade does not churn it. SFN_UPDATE_GOLDEN=1 rewrites WANT.
set -u
sfn=$(command -v "$1" 2>/dev/null || echo "$1"); case $sfn in /*) ;; *) sfn=$(pwd)/$sfn ;; esac
want=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
case $want in /*) ;; *) want=$(pwd)/$want ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-golden-html.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$here" || exit 99
export LC_ALL=C SFN_TEST_NOW=2026-01-02T00:00:00Z NO_COLOR=1
"$sfn" graph "$@" > "$tmp/a.html" 2> "$tmp/err" || { echo "sfn graph failed: $(cat "$tmp/err")"; exit 1; }
"$sfn" graph "$@" > "$tmp/b.html" 2>> "$tmp/err"
fail=0
if ! cmp -s "$tmp/a.html" "$tmp/b.html"; then
	echo "FAIL: two runs differ"
	fail=1
fi
for id in $(grep -o '"id":"s_[A-Za-z0-9_]*"' "$tmp/a.html" | sed 's/"id":"\(.*\)"/\1/'); do
	if ! grep -q "<g id=\"$id\" class=\"node\">" "$tmp/a.html"; then
		echo "FAIL: no SVG node with id $id"
		fail=1
	fi
done
awk '/^<svg /{print "<svg><!-- Graphviz drawing --></svg>"; s=1} !s{print} /^<\/svg>$/{s=0}' "$tmp/a.html" > "$tmp/got"
if [ -n "${SFN_UPDATE_GOLDEN:-}" ]; then
	cp "$tmp/got" "$want"
	echo "updated $want"
	exit 0
fi
if ! cmp -s "$want" "$tmp/got"; then
	echo "FAIL: page differs from $want (want, got):"
	diff -u "$want" "$tmp/got" | head -40
	fail=1
fi
[ $fail -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $fail
