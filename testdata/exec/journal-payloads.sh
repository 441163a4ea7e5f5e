#!/bin/sh
# journal-payloads.sh SFN: a journal's inputs and outputs are the values'
# compact JSON text, byte for byte, whether the run rendered them as it
# emitted them (small values) or left them to the writer thread (large
# ones): values of every size around the limit, with escapes and
# non-ASCII text, in Map iterations (with their "x-scope") and at the top.
set -u
sfn=$(command -v "$1" 2>/dev/null || echo "$1"); case $sfn in /*) ;; *) sfn=$(pwd)/$sfn ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-journal-payloads.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99
cat > m.asl.json <<'JSON'
{"StartAt":"Top","States":{
 "Top":{"Type":"Pass","Next":"Each"},
 "Each":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,"Next":"Last",
  "ItemProcessor":{"StartAt":"Same","States":{
   "Same":{"Type":"Pass","Next":"Choose"},
   "Choose":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":1000,"Next":"Big"}],"Default":"Small"},
   "Big":{"Type":"Pass","End":true},
   "Small":{"Type":"Pass","End":true}}}},
 "Last":{"Type":"Pass","End":true}}}
JSON
/usr/bin/python3 - > input.json <<'PY'
import json
items = []
for n in (0, 1, 100, 1000, 2000, 2030, 2040, 2046, 2047, 2048, 2049, 2060, 2100, 4000, 70000):
    # A payload of about n bytes of text: plain letters, then escapes and
    # non-ASCII (each escape two bytes of text, each quote three).
    s = ("ab\"c\\d\n\u00e9\u20ac" * (n // 11 + 1))[: max(0, n - 20)]
    items.append({"n": n, "s": s})
print(json.dumps({"items": items}, ensure_ascii=False))
PY
"$sfn" run --name r --max-threads 1 --input-file input.json m.asl.json > out 2> err ||
	{ echo "run failed: $(cat err)"; exit 1; }
/usr/bin/python3 - input.json .sfn/r/journal.ndjson <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
items = doc["items"]
def text(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
bad, seen = [], 0
prev = None
for n, line in enumerate(open(sys.argv[2], encoding="utf-8").read().split("\n")[1:-1], 1):
    e = json.loads(line)
    # Ids count up from 1; a state entered right after another exited
    # is stamped as it and points at it (the journal writes the two
    # from one record).
    if e["id"] != n:
        bad.append(f"line {n}: id {e['id']}")
    if prev and prev["type"].endswith("StateExited") and e["type"].endswith("StateEntered") \
            and e.get("x-scope") == prev.get("x-scope"):
        if e["previousEventId"] != prev["id"] or e["timestamp"] != prev["timestamp"]:
            bad.append(f"line {n}: {e['type']} after {prev['type']}: {line[:120]}")
    prev = e
    for k, d in e.items():
        if not (k.startswith("state") and k.endswith("EventDetails")):
            continue
        scope = e.get("x-scope")
        if scope:
            want = items[scope[-1][1]]
        elif d["name"] == "Last" or (d["name"] == "Each" and "output" in d):
            want = items
        else:
            want = doc
        for p in ("input", "output"):
            if p in d:
                seen += 1
                if d[p] != text(want):
                    bad.append(f"{e['type']} {d['name']} {scope}: {d[p][:80]!r}")
if bad or seen != 6 * len(items) + 6:
    print(f"{len(bad)} of {seen} payloads differ:", *bad[:5], sep="\n")
    sys.exit(1)
print(f"{seen} payloads written as their compact JSON text")
PY
