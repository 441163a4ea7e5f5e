#!/bin/sh
# timestamps-in-order.sh SFN: a history's timestamps never go back, also
# when Parallel branches and Map iterations emit from several threads and
# some of them wait for the disk (a Task's durable events) meanwhile.
set -u
sfn=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-ts-order.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99
cat > m.asl.json <<'JSON'
{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,"Branches":[
 {"StartAt":"A0","States":{
  "A0":{"Type":"Pass","Next":"A1"},
  "A1":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:slow","Next":"A2"},
  "A2":{"Type":"Pass","End":true}}},
 {"StartAt":"B0","States":{
  "B0":{"Type":"Pass","Next":"B1"},
  "B1":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:quick","Next":"B2"},
  "B2":{"Type":"Pass","End":true}}},
 {"StartAt":"C0","States":{
  "C0":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":4,"End":true,
   "ItemProcessor":{"StartAt":"C1","States":{
    "C1":{"Type":"Pass","Next":"C2"},
    "C2":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:quick","End":true}}}}}}]}}}
JSON
cat > sfn.config.yaml <<'YAML'
handlers:
  slow: [/bin/sh, -c, "sleep 0.03; cat"]
  quick: [/bin/sh, -c, "sleep 0.01; cat"]
YAML
fail=0
for n in 1 2 3 4 5; do
	"$sfn" run --name "r$n" --input '{"items":[1,2,3,4,5,6,7,8]}' m.asl.json > out 2> err ||
		{ echo "run r$n failed: $(cat err)"; fail=1; continue; }
	/usr/bin/python3 - ".sfn/r$n/journal.ndjson" <<'PY' || fail=1
import json, sys
lines = open(sys.argv[1]).read().split("\n")[1:-1]
events = [json.loads(l) for l in lines]
for a, b in zip(events, events[1:]):
    if b["timestamp"] < a["timestamp"]:
        sys.exit(f"{sys.argv[1]}: event {b['id']} ({b['type']}) at {b['timestamp']} "
                 f"comes after event {a['id']} ({a['type']}) at {a['timestamp']}")
PY
done
exit $fail
