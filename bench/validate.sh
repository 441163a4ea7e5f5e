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

# Warm the page cache, then time the real run: best of 5, wall clock and
# CPU (user + system) of the one sfn process.
"$sfn" validate --format aws "$corpus"/*.json >/dev/null 2>&1 || :
times=$(python3 - "$sfn" "$tmp/out.ndjson" "$corpus" <<'PY'
import glob, os, resource, subprocess, sys, time
sfn, out, corpus = sys.argv[1:4]
files = sorted(glob.glob(os.path.join(corpus, "*.json")))
best_wall = best_cpu = None
for _ in range(5):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(out, "w") as f:
        subprocess.run([sfn, "validate", "--format", "aws"] + files, stdout=f, stderr=subprocess.DEVNULL)
    wall = (time.perf_counter() - t0) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000
    best_wall = wall if best_wall is None else min(best_wall, wall)
    best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
print("%d %d" % (best_wall, best_cpu))
PY
)
best=${times% *}
cpu=${times#* }

python3 - "$tmp/out.ndjson" "$expected" "$n" "$best" "$cpu" <<'PY'
import json, os, sys
out, expected, n, ms, cpu = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
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
print("total: %d ms (wall), %d ms CPU" % (ms, cpu))
print("load average: %s" % open("/proc/loadavg").read().split()[0])
print("files/second: %d" % (n * 1000 // max(ms, 1)))
print("verdicts differing from expected: %d" % len(bad))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
