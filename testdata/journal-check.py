#!/usr/bin/python3
"""journal-check.py JOURNAL: no Task whose result was journaled ran again:
after a state's TaskSucceeded in a scope, any later success of it there is
one a redrive served from the journal ("x-replayed"), never a new call. For
one pass through each state per scope (no loops), as the crash and redrive
tests use."""
import json
import sys

lines = open(sys.argv[1]).read().split("\n")
events = [json.loads(l) for l in lines[1:-1]]
current = {}  # scope -> the state entered there last
done = set()  # (state, scope) whose Task result is journaled
bad = []
for e in events:
    scope = json.dumps(e.get("x-scope", []))
    t = e["type"]
    if t.endswith("StateEntered"):
        current[scope] = e["stateEnteredEventDetails"]["name"]
    key = (current.get(scope), scope)
    if t in ("TaskSucceeded", "LambdaFunctionSucceeded"):
        if key in done and not e.get("x-replayed"):
            bad.append(f"{key} ran again after its result was journaled")
        if key not in done and e.get("x-replayed"):
            bad.append(f"{key} replayed a result that was never journaled")
        done.add(key)
for b in bad[:5]:
    print(b)
sys.exit(1 if bad else 0)
