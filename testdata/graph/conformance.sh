#!/bin/sh
# conformance.sh SFN SHARED WORKDIR svg|nosvg: every definition of the
# AWS-recorded conformance cases (SHARED/conformance/aws-recorded/cases/*.json,
# field "definition") must draw as DOT that Graphviz's dot renders, as
# Mermaid that the mermaid package renders in headless Chromium, and (svg:
# sfn was built with libgvc) as SVG in-process.
set -u
sfn=$1 shared=$2 work=$3 svg=$4
here=$(cd "$(dirname "$0")" && pwd)
cases=$shared/conformance/aws-recorded/cases
fail() { echo "graph-conformance: $*"; echo "0 passed, 1 failed"; exit 1; }
[ -d "$cases" ] || fail "no $cases: is shared/ beside the repository?"
command -v node >/dev/null || fail "node not found: apt-get install nodejs"
mkdir -p "$work" || fail "cannot create $work"
defs=$(mktemp -d "$work/defs.XXXXXX") || fail mktemp
trap 'rm -rf "$defs"' EXIT
node -e '
const fs = require("fs"), path = require("path");
const [dir, out] = process.argv.slice(1);
const seen = new Set();
let n = 0;
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
	const c = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
	n++;
	// definition_text keeps the exact text where it matters (key order);
	// many cases share a definition (same machine, other input): draw each
	// distinct one once, under the name of its first case
	const text = c.definition_text || JSON.stringify(c.definition, null, 2);
	if (seen.has(text))
		continue;
	seen.add(text);
	fs.writeFileSync(path.join(out, f), text);
}
console.log(n + " cases, " + seen.size + " distinct definitions");' "$cases" "$defs" || fail "cannot extract the definitions"
n=0 failed=0
for f in "$defs"/*.json; do
	n=$((n + 1))
	base=${f%.json}
	for fmt in dot mermaid; do
		if ! "$sfn" graph --format $fmt -o "$base.$fmt" "$f" 2>"$base.err" ||
			[ -s "$base.err" ]; then
			echo "$(basename "$f"): --format $fmt: $(cat "$base.err")"
			failed=$((failed + 1))
		fi
	done
	if [ "$svg" = svg ]; then
		if ! "$sfn" graph --format svg -o "$base.svg" "$f" 2>"$base.err" ||
			! grep -q '<svg' "$base.svg"; then
			echo "$(basename "$f"): --format svg: $(cat "$base.err")"
			failed=$((failed + 1))
		fi
	fi
done
echo "drew $n definitions, $failed failures"
"$here/dot-check.sh" "$defs"/*.dot | tail -1 | grep -q ' 0 failed$' || {
	"$here/dot-check.sh" "$defs"/*.dot | tail -20
	failed=$((failed + 1))
}
"$here/mermaid-check.sh" "$work" "$defs"/*.mermaid > "$defs/mermaid.out"
mcode=$?
tail -3 "$defs/mermaid.out"
[ $mcode -eq 0 ] || failed=$((failed + 1))
if [ $failed -eq 0 ]; then
	echo "$n passed, 0 failed"
	exit 0
fi
echo "$((n - failed)) passed, $failed failed"
exit 1
