#!/bin/sh
# bench/test.sh [SFN]: sfn test on a generated suite of 200 cases over a
# 30-state machine with Waits (an hour each) and retried Tasks (mocked to
# fail twice, then succeed), in one process; prints the wall time and the
# cases per second. Target (issue #10): under 1 second.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sfn=${1:-$root/build/sfn}
case $sfn in /*) ;; *) sfn=$(pwd)/$sfn ;; esac
dir=$(mktemp -d "${TMPDIR:-/tmp}/sfn-test-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
states = {}
n = 30
for i in range(n):
    name = f"S{i:02d}"
    nxt = f"S{i+1:02d}" if i + 1 < n else None
    kind = i % 5
    if kind == 0:
        st = {"Type": "Pass", "Parameters": {"step": i, "v.$": "$.v"}}
    elif kind == 1:
        st = {"Type": "Wait", "Seconds": 3600}
    elif kind == 2:
        st = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": f"f{i}", "Payload.$": "$"},
              "ResultSelector": {"v.$": "$.Payload.v"},
              "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"],
                         "IntervalSeconds": 30, "MaxAttempts": 3, "BackoffRate": 2}]}
    elif kind == 3:
        st = {"Type": "Choice", "Choices": [{"Variable": "$.v", "NumericGreaterThanEquals": 0, "Next": nxt or "Done"}],
              "Default": "Bad"}
    else:
        st = {"Type": "Pass", "ResultPath": "$.seen", "Result": {"at": i}}
    if kind != 3:
        if nxt:
            st["Next"] = nxt
        else:
            st["Next"] = "Done"
    states[name] = st
states["Done"] = {"Type": "Succeed"}
states["Bad"] = {"Type": "Fail", "Error": "Bad"}
json.dump({"StartAt": "S00", "States": states}, open(f"{d}/machine.asl.json", "w"), indent=1)
flaky = [{"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow"}}] * 2
cases = []
for c in range(200):
    mocks = {}
    for i in range(n):
        if i % 5 == 2:
            ok = {"Return": {"StatusCode": 200, "Payload": {"v": c}}}
            mocks[f"S{i:02d}"] = (flaky + [ok]) if c % 2 else ok
    cases.append({"name": f"case {c}", "input": {"v": c}, "mocks": mocks,
                  "expect": {"status": "SUCCEEDED", "outputContains": {"v": c},
                             "retries": {"S02": 2 if c % 2 else 0}}})
json.dump({"definition": "machine.asl.json", "cases": cases}, open(f"{d}/machine.sfn-test.json", "w"))
PY
cd "$dir"
start=$(date +%s.%N)
"$sfn" test machine.sfn-test.json > out.txt || { tail -20 out.txt; exit 1; }
end=$(date +%s.%N)
tail -1 out.txt
python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); print(f'200 cases, 30 states, 6 Waits of an hour and 6 retried Tasks each: {t*1000:.0f} ms wall, {200/t:.0f} cases/s (target < 1000 ms)')" "$start" "$end"
