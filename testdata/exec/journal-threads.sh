#!/bin/sh
# journal-threads.sh SFN SCHEMA: the journal of an execution whose Parallel
# branches and Map iterations emit from several threads follows the journal
# schema, carries each state's input and output as JSON text, and tells
# the same history, scope by scope, as a run on one thread (--max-threads
# 1).
set -u
sfn=$1
schema=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-journal-threads.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99
cat > m.asl.json <<'JSON'
{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,"Branches":[
 {"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"q\"uote.$":"$.s"},"End":true}}},
 {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","End":true,
   "ItemProcessor":{"StartAt":"C","States":{
    "C":{"Type":"Choice","Choices":[{"Variable":"$","NumericGreaterThan":2,"Next":"Big"}],"Default":"Small"},
    "Big":{"Type":"Pass","Parameters":{"v.$":"$","label":"caf\u00e9 \u20ac"},"End":true},
    "Small":{"Type":"Pass","Result":[1,2.5,null,{"a":true}],"End":true}}}}}}]}}}
JSON
for threads in 8 1; do
	"$sfn" run --name "r$threads" --max-threads "$threads" \
		--input '{"s":"a \"b\"\n","items":[1,2,3,4,5,6,7,8,9,10]}' \
		m.asl.json > "out$threads" 2> err ||
		{ echo "run r$threads failed: $(cat err)"; exit 1; }
done
/usr/bin/python3 "$here/../journal-schema-test.py" "$schema" .sfn/r8/journal.ndjson .sfn/r1/journal.ndjson || exit 1
cmp out8 out1 || { echo "outputs differ"; exit 1; }
/usr/bin/python3 - .sfn/r8/journal.ndjson .sfn/r1/journal.ndjson <<'PY'
import json, sys
def history(path):
    """The events, without what threads may order differently: by scope,
    each scope's events in order, payloads parsed."""
    by_scope = {}
    for line in open(path).read().split("\n")[1:-1]:
        e = json.loads(line)
        for k, d in e.items():
            if k.endswith("EventDetails"):
                for p in ("input", "output"):
                    if p in d:
                        d[p] = json.loads(d[p])
        scope = json.dumps(e.get("x-scope", []))
        kept = {k: v for k, v in e.items() if k not in ("id", "previousEventId", "timestamp")}
        by_scope.setdefault(scope, []).append(kept)
    return by_scope
a, b = history(sys.argv[1]), history(sys.argv[2])
if a != b:
    for s in sorted(set(a) | set(b)):
        if a.get(s) != b.get(s):
            sys.exit(f"scope {s}: {a.get(s)} != {b.get(s)}")
print(f"{sum(len(v) for v in a.values())} events in {len(a)} scopes agree")
PY
