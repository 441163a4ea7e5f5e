#!/bin/sh
# bench/run.sh [SFN]: runs the `sfn run` workloads of
# ../shared/bench/workloads/manifest.json as EXPRESS executions, checks each
# output against the manifest's expectation, and prints per workload the
# state transitions per second, the wall time (best of $RUNS, default 3)
# and the peak RSS. Exits 1 if an output is wrong.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sfn=${1:-$root/build/sfn}
case $sfn in /*) ;; *) sfn=$(pwd)/$sfn ;; esac
dir=${SFN_WORKLOADS:-$root/../shared/bench/workloads}
exec python3 - "$sfn" "$dir" "${RUNS:-3}" <<'PY'
import json, os, resource, subprocess, sys, time

sfn, wdir, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
manifest = json.load(open(os.path.join(wdir, "manifest.json")))

def run_once(case):
    cmd = [sfn, "run", "--no-journal", "--type", "express",
           "--input-file", os.path.join(wdir, case["input"]),
           os.path.join(wdir, case["definition"])]
    # A fresh child per run, so ru_maxrss is this run's peak.
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True)
        dt = time.perf_counter() - t0
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        os.write(w, json.dumps({"rc": p.returncode, "out": p.stdout.decode(),
                                "err": p.stderr.decode()[-300:], "dt": dt,
                                "cpu": ru.ru_utime + ru.ru_stime,
                                "rss": ru.ru_maxrss}).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        b = os.read(r, 1 << 20)
        if not b:
            break
        data += b
    os.waitpid(pid, 0)
    return json.loads(data)

def matches(want, got):
    if isinstance(want, dict):
        return isinstance(got, dict) and all(
            k in got and matches(v, got[k]) for k, v in want.items())
    return want == got

bad = 0
# Wall time is what a user waits; CPU time (user+sys) is steadier on a
# shared machine, so both are shown, with transitions/s for each.
print(f"{'workload':<20} {'states':>8} {'wall ms':>9} {'cpu ms':>8} {'trans/s wall':>13} {'trans/s cpu':>12} {'peak RSS':>9}  check")
for case in manifest["cases"]:
    if case.get("kind") != "run" or case.get("sfn") is False:
        continue
    best = None
    for _ in range(runs):
        res = run_once(case)
        if best is None or res["dt"] < best["dt"]:
            best = res
    ok = best["rc"] == 0
    if ok:
        try:
            ok = matches(case["expect"], json.loads(best["out"]))
        except ValueError:
            ok = False
    if not ok:
        bad += 1
    n = case.get("states", 0)
    rate = n / best["dt"] if best["dt"] > 0 else 0
    crate = n / best["cpu"] if best["cpu"] > 0 else float("inf")
    print(f"{case['name']:<20} {n:>8} {best['dt']*1000:>9.2f} {best['cpu']*1000:>8.1f} "
          f"{rate:>13,.0f} {crate:>12,.0f} "
          f"{best['rss']/1024:>7.1f}MB  {'ok' if ok else 'WRONG: ' + (best['out'][:100] or best['err'])}")
sys.exit(1 if bad else 0)
PY
