#!/bin/sh
# bench/journal.sh [SFN]: what journaling costs (issue #6). Runs the loop,
# Map and data-flow workloads of ../shared/bench/workloads (no Tasks, so no
# syncs) with the journal on and with --no-journal, best of $RUNS (default
# 3) each, and prints both times and their ratio (target: at most 1.5), then
# the same for 1,000 Tasks served by a local command (two syncs per Task,
# group-committed across the Map's concurrent iterations).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sfn=${1:-$root/build/sfn}
case $sfn in /*) ;; *) sfn=$(pwd)/$sfn ;; esac
dir=${SFN_WORKLOADS:-$root/../shared/bench/workloads}
exec python3 - "$sfn" "$dir" "${RUNS:-3}" "$root/bench/journal" <<'PY'
import json, os, shutil, subprocess, sys, tempfile, time

sfn, wdir, runs, jdir = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
tmp = tempfile.mkdtemp(prefix="sfn-journal-bench.")
n = 0

def best(args, cwd, journal):
    global n
    times = []
    for _ in range(runs):
        n += 1
        cmd = [sfn, "run", "--name", f"b{n}", "--journal-dir", os.path.join(tmp, "j")] + args
        if not journal:
            cmd.insert(2, "--no-journal")
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, cwd=cwd)
        times.append(time.perf_counter() - t0)
        if p.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed: {p.stderr.decode()[-300:]}")
    return min(times)

cases = [
    ("loop-10k", ["--type", "express", "--input-file", f"{wdir}/loop-10k.input.json", f"{wdir}/loop.asl.json"]),
    ("loop-100k", ["--type", "express", "--input-file", f"{wdir}/loop-100k.input.json", f"{wdir}/loop.asl.json"]),
    ("map-10k-c0", ["--type", "express", "--input-file", f"{wdir}/map-10k.input.json", f"{wdir}/map-10k-c0.asl.json"]),
    ("map-10k-c10", ["--type", "express", "--input-file", f"{wdir}/map-10k.input.json", f"{wdir}/map-10k-c10.asl.json"]),
    ("dataflow-heavy", ["--type", "express", "--input-file", f"{wdir}/dataflow-heavy.input.json", f"{wdir}/dataflow-heavy.asl.json"]),
]
items = json.dumps({"items": list(range(1000))})
tasks = ("tasks-1000 (syncs)", ["--input", items, "--config", "sfn.config.yaml", "tasks.asl.json"])

print(f"{'workload':<20} {'no journal ms':>14} {'journal ms':>11} {'ratio':>7}  journal size")
worst = 0.0
for name, args in cases + [tasks]:
    cwd = jdir if name.startswith("tasks") else None
    off = best(args, cwd, False)
    on = best(args, cwd, True)
    ratio = on / off
    size = os.path.getsize(os.path.join(tmp, "j", f"b{n}", "journal.ndjson"))
    if not name.startswith(("tasks", "dataflow")):
        worst = max(worst, ratio)
    print(f"{name:<20} {off*1000:>14.1f} {on*1000:>11.1f} {ratio:>7.2f}  {size/1e6:.1f} MB")
shutil.rmtree(tmp)
print(f"worst ratio on the loop and Map workloads: {worst:.2f} (target <= 1.5)")
PY
