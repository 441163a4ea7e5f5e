#!/bin/sh
# redrive-test.sh SFN: sfn run, then sfn redrive, over journals on disk
# (issue #6): what re-runs, what does not, what is refused, and how.
set -u
sfn=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/sfn-redrive.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$here"/*.json "$here"/*.sh "$here"/sfn.config.yaml "$work"/
cd "$work" || exit 99
export SFN_JOURNAL_DIR="$work/j"
unset SFN_TEST_NOW
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
# expect WHAT WANT GOT
expect() { if [ "$2" = "$3" ]; then ok; else bad "$1: want '$2', got '$3'"; fi; }
calls() { grep -c "^$1\$" calls.log 2>/dev/null || true; }
reset() { rm -f calls.log fail-*; }

# 1. A failed Task: fixed, redriven; A is not called again, B is.
reset; touch fail-b
"$sfn" run --name t1 --input '{"x":1}' chain.asl.json > out 2> err; expect "t1 run exit" 1 $?
grep -q "state 'B' failed: Boom: .*b is broken" err; expect "t1 failure line" 0 $?
rm fail-b
"$sfn" redrive t1 > out 2> err; expect "t1 redrive exit" 0 $?
expect "t1 output" '{"x":1,"fromA":"a","redrives":1}' "$(cat out)"
expect "t1 A calls" 1 "$(calls a)"
expect "t1 B calls" 2 "$(calls b)"
"$sfn" describe t1 > d; grep -q '"status":"SUCCEEDED"' d && grep -q '"redriveCount":1' d; expect "t1 describe" 0 $?
"$sfn" history t1 | grep -q ExecutionRedriven; expect "t1 history shows the redrive" 0 $?
/usr/bin/python3 "$here/../journal-schema-test.py" "$here/../../schemas/journal.schema.json" j/t1/journal.ndjson > /dev/null; expect "t1 journal follows the schema" 0 $?

# 2. Refused: a SUCCEEDED execution, with AWS's reason.
"$sfn" redrive t1 > out 2> err; expect "t1 again exit" 1 $?
expect "t1 again reason" "sfn redrive: ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven" "$(cat err)"

# 3. A Fail state fails again.
reset
"$sfn" run --name t3 fail.asl.json > out 2> err; expect "t3 run exit" 1 $?
"$sfn" redrive t3 > out 2> err; expect "t3 redrive exit" 1 $?
grep -q "state 'Stop' failed: Order.Rejected: always" err; expect "t3 fails again" 0 $?
expect "t3 A not re-run" 1 "$(calls a)"
# ... and a second redrive counts 2.
"$sfn" redrive t3 > out 2> err; "$sfn" describe t3 | grep -q '"redriveCount":2'; expect "t3 second redrive" 0 $?

# 4. Parallel: only the failed branch re-runs (B fails after A is done).
reset; touch fail-b slow-b
"$sfn" run --name t4 parallel.asl.json > out 2> err; expect "t4 run exit" 1 $?
rm fail-b
"$sfn" redrive t4 > out 2> err; expect "t4 redrive exit" 0 $?
expect "t4 A once" 1 "$(calls a)"
expect "t4 B twice" 2 "$(calls b)"

# 5. Map (one at a time): only the failed iteration's failed Task re-runs.
reset; touch fail-c-2 fail-c-4
"$sfn" run --name t5 --input '{"items":[{"n":1},{"n":2},{"n":3},{"n":4}]}' map.asl.json > out 2> err; expect "t5 run exit" 1 $?
rm fail-c-*
"$sfn" redrive t5 > out 2> err; expect "t5 redrive exit" 0 $?
expect "t5 items each once" "1 1 1 1" "$(calls item-1) $(calls item-2) $(calls item-3) $(calls item-4)"
expect "t5 the failed gate re-ran, the others ran once" "2 1 1 1" "$(calls c-2) $(calls c-1) $(calls c-3) $(calls c-4)"
/usr/bin/python3 "$here/../journal-check.py" j/t5/journal.ndjson; expect "t5 no journaled Task ran again" 0 $?

# 6. Timed out; a redrive with a fixed definition (labelled) succeeds.
reset
"$sfn" run --name t6 --time-scale 0 slow.asl.json > out 2> err; expect "t6 run exit" 1 $?
"$sfn" describe t6 | grep -q '"status":"TIMED_OUT"'; expect "t6 timed out" 0 $?
sed 's/"TimeoutSeconds": 5/"TimeoutSeconds": 500/' slow.asl.json > slow-fixed.asl.json
# A replacement the linter finds errors in is refused, the journal untouched.
sed 's/"End": true }/"End": true },\n    "Orphan": { "Type": "Succeed" }/' slow-fixed.asl.json > slow-bad.asl.json
sum=$(cksum < j/t6/journal.ndjson)
"$sfn" redrive --definition slow-bad.asl.json t6 > out 2> err; expect "t6 invalid redrive exit" 1 $?
grep -q 'State "Orphan" is not reachable' err; expect "t6 invalid says why" 0 $?
expect "t6 invalid untouched" "$sum" "$(cksum < j/t6/journal.ndjson)"
"$sfn" redrive --definition slow-fixed.asl.json t6 > out 2> err; expect "t6 redrive exit" 0 $?
grep -q "instead of the recorded definition" err; expect "t6 says so" 0 $?
expect "t6 A not re-run" 1 "$(calls a)"
expect "t6 B ran" 1 "$(calls b)"
# The first attempt's virtual clock ran 5 s ahead of the real one: the
# redrive's events go on from there, never back in time.
redriven_in_order() {
	/usr/bin/python3 - "$1" <<'PY'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]).read().split("\n")[1:-1]]
for i, e in enumerate(events):
    if e["type"] == "ExecutionRedriven" and e["timestamp"] < events[i - 1]["timestamp"]:
        sys.exit(f"ExecutionRedriven at {e['timestamp']}, before {events[i - 1]['type']} at {events[i - 1]['timestamp']}")
PY
}
redriven_in_order j/t6/journal.ndjson; expect "t6 redrive after the timeout in time" 0 $?

# 7. Aborted with Ctrl-C, then redriven.
reset
"$sfn" run --name t7 --time-scale 1 slow.asl.json > out 2> err &
pid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -s calls.log ] && break; sleep 0.1; done
sleep 0.2
# While it runs, a redrive is refused: another process drives it.
"$sfn" redrive t7 > out2 2> err2; expect "t7 running exit" 1 $?
grep -q "Execution is RUNNING and cannot be redriven" err2; expect "t7 running reason" 0 $?
kill -INT "$pid"; wait "$pid"; expect "t7 run exit" 130 $?
"$sfn" describe t7 | grep -q '"status":"ABORTED"'; expect "t7 aborted" 0 $?
"$sfn" redrive --time-scale 0 --definition slow-fixed.asl.json t7 > out 2> err; expect "t7 redrive exit" 0 $?
expect "t7 A not re-run" 1 "$(calls a)"

# 8. A corrupted journal: a clear error, nothing overwritten.
reset; touch fail-a
"$sfn" run --name t8 chain.asl.json > out 2> err
printf 'garbage\n{"id":99}\n' >> j/t8/journal.ndjson
sum=$(cksum < j/t8/journal.ndjson)
"$sfn" redrive t8 > out 2> err; expect "t8 exit" 3 $?
grep -q "corrupted journal" err; expect "t8 message" 0 $?
expect "t8 untouched" "$sum" "$(cksum < j/t8/journal.ndjson)"

# 9. The same name twice: AWS's ExecutionAlreadyExists, exit 2.
"$sfn" run --name t1 chain.asl.json > out 2> err; expect "t9 exit" 2 $?
grep -q "ExecutionAlreadyExists" err; expect "t9 message" 0 $?

# 10. EXPRESS executions are journaled but not redrivable.
reset; touch fail-a
"$sfn" run --name t10 --type express chain.asl.json > out 2> err
"$sfn" redrive t10 > out 2> err; expect "t10 exit" 1 $?
grep -q "EXPRESS" err; expect "t10 reason" 0 $?

# 11. An input integer past int64 is read as a real (AWS reads it), and
# the journal that holds it as such reads back for a redrive.
reset; touch fail-a
"$sfn" run --name t11 --input '{"x": 1, "id": 18446744073709551616}' chain.asl.json > out 2> err; expect "t11 run exit" 1 $?
rm -f fail-a
"$sfn" redrive t11 > out 2> err; expect "t11 redrive exit" 0 $?
"$sfn" describe t11 | grep -q '18446744073709552000'; expect "t11 input" 0 $?

# 12. A Parallel whose output passed the size limit re-runs whole, the
# branch that had succeeded too (sfn-features.md §1.3): replaying the
# results that made it too big would only fail again.
reset; rm -f big-*; touch big-a big-b
"$sfn" run --name t12 big.asl.json > out 2> err; expect "t12 run exit" 1 $?
grep -q "States.DataLimitExceeded" err; expect "t12 too big" 0 $?
rm big-a big-b; : > calls.log
"$sfn" redrive t12 > out 2> err; expect "t12 redrive exit" 0 $?
expect "t12 output" '[{"name":"a"},{"name":"b"}]' "$(cat out)"
expect "t12 both branches re-ran" "1 1" "$(calls a) $(calls b)"

# 13. Started before RedriveExecution existed: AWS's reason.
reset; touch fail-a
"$sfn" run --name t13 --now 2023-11-01T00:00:00Z chain.asl.json > out 2> err; expect "t13 run exit" 1 $?
SFN_TEST_NOW=2023-11-01T00:10:00Z "$sfn" describe t13 > d
grep -q '"redriveStatusReason":"Execution was started before the launch of RedriveExecution"' d; expect "t13 describe" 0 $?
SFN_TEST_NOW=2023-11-01T00:10:00Z "$sfn" redrive t13 > out 2> err; expect "t13 redrive exit" 1 $?
expect "t13 reason" "sfn redrive: ExecutionNotRedrivable: Execution was started before the launch of RedriveExecution" "$(cat err)"

# 14. Execution names as AWS's StartExecution takes them: 1 to 80
# characters, none of whitespace, <>{}[]?*"#%\^|~`$&,;:/ or controls
# (sfn-features.md cheat sheet); a refused name leaves no journal behind.
reset
long=$(printf '%081d' 0)
for name in "a b" "$long" "a:b" 'q"' "x*" "t	ab" "a,b" "{x}"; do
	"$sfn" run --name "$name" chain.asl.json > out 2> err; expect "t14 '$name' exit" 2 $?
	grep -q "InvalidName" err; expect "t14 '$name' says why" 0 $?
	[ -e "j/$name" ]; expect "t14 '$name' no journal" 1 $?
done
for name in "é-1" "a_b.c" "${long#0}"; do
	"$sfn" run --name "$name" --input '{"x":1}' chain.asl.json > out 2> err; expect "t14 '$name' runs" 0 $?
done

# 15. Open for more than a year (a STANDARD execution's most): AWS's
# reason, even within 14 days of its close.
reset
"$sfn" run --name t15 --now 2024-01-01T00:00:00Z --time-scale 0 year.asl.json > out 2> err; expect "t15 run exit" 1 $?
SFN_TEST_NOW=2025-01-03T00:00:00Z "$sfn" redrive t15 > out 2> err; expect "t15 redrive exit" 1 $?
expect "t15 reason" "sfn redrive: ExecutionNotRedrivable: Execution has exceeded the max execution time" "$(cat err)"

# 16. Pruning removes a symbolic link in the root, never the files of the
# directory it points to.
reset; touch fail-a
mkdir -p j2 elsewhere
SFN_JOURNAL_DIR="$work/j2" "$sfn" run --name t16 --now 2026-01-01T00:00:00Z chain.asl.json > out 2> err
mv j2/t16/journal.ndjson elsewhere/ && rmdir j2/t16
echo keep > elsewhere/precious
ln -s "$work/elsewhere" j2/t16
SFN_JOURNAL_DIR="$work/j2" "$sfn" list --prune --older-than 1d > out 2> err; expect "t16 prune exit" 0 $?
expect "t16 pruned" "pruned t16" "$(head -1 out)"
[ -e j2/t16 ] || [ -L j2/t16 ]; expect "t16 link gone" 1 $?
expect "t16 target untouched" "keep" "$(cat elsewhere/precious 2>/dev/null)"
[ -e elsewhere/journal.ndjson ]; expect "t16 target journal untouched" 0 $?

# 17. A Task result holding a configured secret is journaled masked, so it
# is not replayable: a redrive runs that Task again rather than feed the
# masked text into the execution, and the journal never holds the secret.
reset; touch fail-b
cat > secret.config.yaml <<'YAML'
bedrock:
  apiKey: sekret-Value-4821
handlers:
  a: [/bin/sh, -c, 'echo a >> calls.log; echo "{\"token\":\"sekret-Value-4821\"}"']
  b: [/bin/sh, count.sh, b]
YAML
"$sfn" run --config secret.config.yaml --name t17 parallel.asl.json > out 2> err; expect "t17 run exit" 1 $?
grep -q 'sekret-Value-4821' j/t17/journal.ndjson; expect "t17 no secret in journal" 1 $?
rm fail-b
"$sfn" redrive --config secret.config.yaml t17 > out 2> err; expect "t17 redrive exit" 0 $?
grep -q '"token":"sekret-Value-4821"' out; expect "t17 real value in output" 0 $?
expect "t17 A re-run" 2 "$(calls a)"
expect "t17 B twice" 2 "$(calls b)"
grep -q 'sekret-Value-4821' j/t17/journal.ndjson; expect "t17 still no secret in journal" 1 $?
/usr/bin/python3 "$here/../journal-schema-test.py" "$here/../../schemas/journal.schema.json" j/t17/journal.ndjson > /dev/null; expect "t17 journal follows the schema" 0 $?

# 18. ... but a state's input (or a variable) that held one cannot be
# resumed on: the redrive is refused, saying why, and nothing runs.
reset; touch fail-b
sed 's/{\\"token/{\\"name\\":\\"a\\",\\"token/' secret.config.yaml > secret2.config.yaml
"$sfn" run --config secret2.config.yaml --name t18 chain.asl.json > out 2> err; expect "t18 run exit" 1 $?
grep -q 'sekret-Value-4821' j/t18/journal.ndjson; expect "t18 no secret in journal" 1 $?
rm fail-b
"$sfn" redrive --config secret2.config.yaml t18 > out 2> err; expect "t18 redrive exit" 1 $?
grep -q "ExecutionNotRedrivable: .*secret, which the journal keeps masked" err; expect "t18 refusal says why" 0 $?
expect "t18 B not re-run" 1 "$(calls b)"

# 19. An execution that died before its journal's header was written is
# listed as DIED and pruned by its directory's age; nothing outside the
# root is touched.
mkdir -p j3/dead-old j3/dead-new outside
: > j3/dead-old/journal.ndjson; : > j3/dead-new/journal.ndjson
: > outside/journal.ndjson; echo keep > outside/precious
ln -s "$work/outside" j3/dead-link
touch -d '3 days ago' j3/dead-old
touch -h -d '3 days ago' j3/dead-link
SFN_JOURNAL_DIR="$work/j3" "$sfn" list > out 2> err; expect "t19 list exit" 0 $?
grep -q '^dead-old  *DIED ' out; expect "t19 listed as DIED" 0 $?
SFN_JOURNAL_DIR="$work/j3" "$sfn" list --prune --older-than 1d > out 2> err; expect "t19 prune exit" 0 $?
expect "t19 pruned" "pruned dead-link
pruned dead-old
2 pruned, 1 kept" "$(cat out)"
[ -e j3/dead-old ]; expect "t19 old gone" 1 $?
[ -d j3/dead-new ]; expect "t19 new kept" 0 $?
expect "t19 outside untouched" "keep" "$(cat outside/precious 2>/dev/null)"
[ -e outside/journal.ndjson ]; expect "t19 outside journal untouched" 0 $?

# 20. A Distributed Map's children are executions of their own: their
# events (5,000 children, 30,000 events) count neither toward the
# parent's 25,000 in the run nor against its redrive (fewer than 24,999
# events), and the redrive runs the failed child again, which fails again.
printf '[%s]' "$(seq -s, 0 4999)" > items.json
"$sfn" run --name t20 --input-file items.json distributed.asl.json > out 2> err; expect "t20 run exit" 1 $?
grep -q "state 'M' failed: States.ExceedToleratedFailureThreshold" err; expect "t20 one child fails the Map Run" 0 $?
"$sfn" describe t20 > d; grep -q '"redriveStatus":"REDRIVABLE"' d; expect "t20 redrivable" 0 $?
"$sfn" redrive t20 > out 2> err; expect "t20 redrive exit" 1 $?
grep -q "state 'M' failed: States.ExceedToleratedFailureThreshold" err; expect "t20 the child fails again ($(cat err))" 0 $?
"$sfn" describe t20 | grep -q '"redriveCount":1'; expect "t20 redriven" 0 $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
