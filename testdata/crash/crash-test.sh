#!/bin/sh
# crash-test.sh SFN KILLS: runs testdata/crash/crash.asl.json KILLS times,
# each time killing 'sfn run' (and then 'sfn redrive') with SIGKILL at a
# random moment, redriving until the execution succeeds, and checks:
#   - the final output equals an uninterrupted run's;
#   - no Task whose result was journaled ran again (after a Task's
#     TaskSucceeded, its state never has another TaskScheduled in the same
#     scope), and no Task succeeded twice;
#   - the journal parses after every kill (sfn history --format json).
# Prints "N passed, N failed" (one per kill point).
set -u
sfn=$1
kills=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/sfn-crash.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$here"/crash.asl.json "$here"/work.sh "$here"/finish.sh "$here"/sfn.config.yaml "$work"/
cd "$work" || exit 99
export EFFECTS="$work/effects.log"

"$sfn" run --no-journal --config sfn.config.yaml crash.asl.json > baseline.json || {
	echo "the uninterrupted run failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0
i=0
while [ "$i" -lt "$kills" ]; do
	i=$((i + 1))
	name="crash-$i"
	: > "$EFFECTS"
	ok=1
	# The first attempt, killed at a random moment (0-250 ms).
	"$sfn" run --journal-dir j --name "$name" --config sfn.config.yaml crash.asl.json > out.json 2> err.txt &
	pid=$!
	sleep "0.$(printf '%03d' $(( $(od -An -N2 -tu2 /dev/urandom) % 250 )))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=1
	[ -s out.json ] && rc=0
	tries=0
	while [ "$rc" -ne 0 ] && [ "$tries" -lt 50 ]; do
		tries=$((tries + 1))
		if [ ! -s "j/$name/journal.ndjson" ]; then
			# Killed before the journal's header: nothing ran, so
			# the execution starts again under the same name.
			"$sfn" run --journal-dir j --name "$name" --config sfn.config.yaml crash.asl.json > out.json 2> err.txt
			rc=$?
			[ "$rc" -eq 0 ] && [ ! -s out.json ] && rc=1
			continue
		fi
		if ! "$sfn" history --format json --journal-dir j "$name" > /dev/null 2> hist.err; then
			echo "kill $i: journal unreadable after a kill: $(cat hist.err)"
			ok=0
			break
		fi
		# Redrive; every other try is killed too, at a random moment.
		"$sfn" redrive --journal-dir j "$name" > out.json 2> err.txt &
		pid=$!
		if [ $((tries % 2)) -eq 1 ]; then
			sleep "0.$(printf '%03d' $(( $(od -An -N2 -tu2 /dev/urandom) % 200 )))"
			kill -9 "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
		rc=$?
		[ "$rc" -eq 0 ] && [ ! -s out.json ] && rc=1
		# Killed after its journal recorded the end, before printing
		# the output: the execution succeeded; the output is the
		# journal's (a redrive would be refused, as AWS refuses one).
		if [ "$rc" -ne 0 ] && "$sfn" describe --journal-dir j "$name" > desc.json 2>/dev/null &&
			/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
if d.get("status") != "SUCCEEDED":
    sys.exit(1)
sys.stdout.write(d["output"] + "\n")' desc.json > out.json; then
			rc=0
		fi
	done
	if [ "$ok" -eq 1 ] && [ "$rc" -ne 0 ]; then
		echo "kill $i: no success after $tries redrives: $(cat err.txt)"
		ok=0
	fi
	if [ "$ok" -eq 1 ] && ! cmp -s baseline.json out.json; then
		echo "kill $i: output differs from the uninterrupted run's"
		ok=0
	fi
	if [ "$ok" -eq 1 ] && ! /usr/bin/python3 "$here/../journal-check.py" "j/$name/journal.ndjson"
	then
		echo "kill $i: a journaled Task ran again"
		ok=0
	fi
	if [ "$ok" -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
