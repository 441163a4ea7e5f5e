#!/bin/sh
# jobs.sh SFN DIR: sfn validate checks files on several threads and must
# report exactly what one thread reports, in the same order: every format,
# over a tree of valid, invalid, unparsable and skipped files.
set -u
sfn=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
for fmt in text json aws sarif github; do
	"$sfn" validate -r --format "$fmt" --jobs 1 "$dir" >"$tmp/one.out" 2>"$tmp/one.err"
	echo "exit $?" >>"$tmp/one.out"
	for j in 2 7; do
		"$sfn" validate -r --format "$fmt" --jobs "$j" "$dir" >"$tmp/many.out" 2>"$tmp/many.err"
		echo "exit $?" >>"$tmp/many.out"
		if cmp -s "$tmp/one.out" "$tmp/many.out" && cmp -s "$tmp/one.err" "$tmp/many.err"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "jobs.sh: --format $fmt --jobs $j differs from --jobs 1:"
			diff "$tmp/one.out" "$tmp/many.out" | head -5
			diff "$tmp/one.err" "$tmp/many.err" | head -5
		fi
	done
done
# The tree must hold a mix, or this test proves nothing.
"$sfn" validate -r --format json --jobs 1 "$dir" 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)["summary"]
ok = s["files"] > 100 and s["valid"] > 10 and s["invalid"] > 10 and s["unreadable"] > 0 and s["skipped"] > 0
print("corpus:", s)
sys.exit(0 if ok else 1)' || { echo "jobs.sh: the corpus lacks a mix of verdicts"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
