#!/bin/sh
# wait-visible.sh SFN: while an execution waits (a Wait state), what it did
# so far is in its journal: `sfn list` shows it running and `sfn history`
# shows its events up to the Wait, though events are written in batches.
set -u
sfn=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-wait-visible.XXXXXX") || exit 99
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99
cat > m.asl.json <<'JSON'
{"StartAt":"One","States":{
 "One":{"Type":"Pass","Result":{"n":1},"Next":"Two"},
 "Two":{"Type":"Pass","Next":"Nap"},
 "Nap":{"Type":"Wait","Seconds":600,"End":true}}}
JSON
"$sfn" run --name napping m.asl.json > out 2> err &
pid=$!
fail=0
seen=
for i in 1 2 3 4 5 6 7 8 9 10; do
	sleep 0.5
	if "$sfn" history napping --format json > h 2> herr &&
		grep -q WaitStateEntered h; then
		seen=1
		break
	fi
done
[ -n "$seen" ] || { echo "no WaitStateEntered in the journal while waiting"; cat h herr; fail=1; }
"$sfn" list > l 2>&1
grep napping l | grep -q RUNNING || { echo "list: $(cat l)"; fail=1; }
kill -INT $pid
wait $pid
code=$?
[ "$code" -eq 130 ] || { echo "exit $code, want 130"; cat err; fail=1; }
exit $fail
