#!/bin/sh
# sigint.sh SFN: Ctrl-C during a run: the execution ends ABORTED, sfn exits
# 130 promptly, and the local command a Task was running is killed.
set -u
sfn=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-sigint.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99
cat > m.asl.json <<'JSON'
{"StartAt":"Both","States":{"Both":{"Type":"Parallel","Branches":[
 {"StartAt":"Sleep","States":{"Sleep":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:sleeper","End":true}}},
 {"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":600,"End":true}}}],"End":true}}}
JSON
printf 'handlers:\n  sleeper: [/bin/sh, sleeper.sh]\n' > sfn.config.yaml
printf 'cat >/dev/null\nsleep 30\ntouch survived\necho {}\n' > sleeper.sh
"$sfn" run m.asl.json > out 2> err &
pid=$!
sleep 1
kill -INT $pid
start=$(date +%s)
wait $pid
code=$?
took=$(( $(date +%s) - start ))
fail=0
[ "$code" -eq 130 ] || { echo "exit $code, want 130"; cat err; fail=1; }
grep -q "execution aborted" err || { echo "stderr: $(cat err)"; fail=1; }
[ "$took" -le 3 ] || { echo "took ${took}s to stop"; fail=1; }
sleep 1
[ ! -e survived ] || { echo "the Task's command was not killed"; fail=1; }
exit $fail
