#!/bin/sh
# outputs.sh SFN svg|nosvg: the formats that golden text files cannot hold.
# -o picks the format from the extension; SVG drawn in-process is what
# Graphviz's dot draws from our DOT; PNG is a PNG; HTML is one page with the
# SVG, script and data inline and nothing to fetch. Built without libgvc (nosvg), those
# formats must refuse with exit 2 and say how to get them.
set -u
sfn=$1 svg=$2
here=$(cd "$(dirname "$0")" && pwd)
def=$here/../cli/graph/nested-map-parallel-map/definition.asl.json
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-graph-out.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0 failed=0
check() { # check NAME COMMAND...: counts a pass if COMMAND succeeds
	name=$1
	shift
	if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name"; failed=$((failed + 1)); fi
}
"$sfn" graph "$def" > "$tmp/stdout.dot"
"$sfn" graph --format mermaid "$def" > "$tmp/stdout.mmd"
"$sfn" graph -o "$tmp/x.gv" "$def"
check "-o x.gv writes DOT" cmp -s "$tmp/stdout.dot" "$tmp/x.gv"
"$sfn" graph -o "$tmp/x.mmd" "$def"
check "-o x.mmd writes Mermaid" cmp -s "$tmp/stdout.mmd" "$tmp/x.mmd"
"$sfn" graph --format dot -o "$tmp/y.mmd" "$def"
check "--format wins over the extension" cmp -s "$tmp/stdout.dot" "$tmp/y.mmd"
"$sfn" graph -o "$tmp/no/such/dir/x.dot" "$def" 2> "$tmp/err"
check "unwritable -o exits 4" [ $? -eq 4 ]
check "unwritable -o names the file" grep -q "cannot write '$tmp/no/such/dir/x.dot'" "$tmp/err"
if [ "$svg" = svg ]; then
	"$sfn" graph -o "$tmp/x.svg" "$def"
	if command -v dot > /dev/null; then
		dot -Tsvg "$tmp/stdout.dot" > "$tmp/dot.svg"
		check "svg is what dot draws" cmp -s "$tmp/dot.svg" "$tmp/x.svg"
	else
		echo "FAIL: dot not found: apt-get install graphviz"
		failed=$((failed + 1))
	fi
	"$sfn" graph --format png "$def" > "$tmp/x.png"
	check "png magic" [ "$(head -c 4 "$tmp/x.png" | od -An -c | tr -d ' ')" = "211PNG" ]
	"$sfn" graph -o "$tmp/x.html" "$def"
	check "html page" grep -q '^<!DOCTYPE html>' "$tmp/x.html"
	check "html inline svg" grep -q '<svg' "$tmp/x.html"
	check "html titled by file" grep -q '<title>definition.asl.json</title>' "$tmp/x.html"
	# (SVG's namespace names are URLs nobody fetches)
	check "html fetches nothing" sh -c "! sed 's#\"http://www.w3.org/[^\"]*\"##g' '$tmp/x.html' | grep -Eiq '<script[^>]* src|<(link|img|iframe|object|embed)|@import|url\\(|https?://'"
	check "html scripts are inline" [ "$(grep -o '<script' "$tmp/x.html" | wc -l)" -eq 2 ]
else
	for fmt in svg png html; do
		"$sfn" graph --format $fmt "$def" > "$tmp/out" 2> "$tmp/err"
		check "$fmt without libgvc exits 2" [ $? -eq 2 ]
		check "$fmt without libgvc says how" grep -q 'libgraphviz-dev' "$tmp/err"
	done
fi
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
