#!/bin/sh
# bench/validate.sh [SFN]: validates the 500 generated definitions of
# ../shared/bench/gen_workloads.py in ONE sfn process, prints files/second
# and total milliseconds, and lists every file whose verdict differs from
# the generator's expected one (there must be none). Target: < 100 ms.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sfn=${1:-$root/build/sfn}
shared=${SFN_SHARED:-$root/../shared}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

WORKLOADS_OUT=$tmp python3 "$shared/bench/gen_workloads.py" --force >/dev/null
corpus=$tmp/validate-500
expected=$tmp/validate-500.expected.tsv
[ -d "$corpus" ] || { echo "bench: no corpus in $tmp" >&2; exit 1; }
n=$(ls "$corpus" | wc -l)

# Warm the page cache, then time the real run (best of 3).
"$sfn" validate --format aws "$corpus"/*.json >/dev/null 2>&1 || :
best=
for i in 1 2 3; do
	t0=$(date +%s%N)
	"$sfn" validate --format aws "$corpus"/*.json >"$tmp/out.ndjson" 2>"$tmp/err" || :
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
	if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done

python3 - "$tmp/out.ndjson" "$expected" "$n" "$best" <<'PY'
import json, os, sys
out, expected, n, ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
got = {}
for line in open(out):
    o = json.loads(line)
    got[os.path.basename(o["file"])] = "valid" if o["result"] == "OK" else "invalid"
bad = []
for row in list(open(expected))[1:]:
    f, want, why, _ = row.rstrip("\n").split("\t")
    if got.get(f) != want:
        bad.append("%s: expected %s (%s), got %s" % (f, want, why, got.get(f, "nothing")))
print("files: %d" % n)
print("total: %d ms" % ms)
print("files/second: %d" % (n * 1000 // max(ms, 1)))
print("verdicts differing from expected: %d" % len(bad))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
