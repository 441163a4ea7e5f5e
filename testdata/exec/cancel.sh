#!/bin/sh
# cancel.sh SFN: a failing Parallel branch stops its sibling at once, and
# the sibling's running local command is killed (as AWS stops branches).
set -u
sfn=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-cancel.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99
cat > m.asl.json <<'JSON'
{"StartAt":"Both","States":{"Both":{"Type":"Parallel","Branches":[
 {"StartAt":"Sleep","States":{"Sleep":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:sleeper","End":true}}},
 {"StartAt":"Later","States":{"Later":{"Type":"Wait","Seconds":1,"Next":"Boom"},"Boom":{"Type":"Fail","Error":"Branch.Failed","Cause":"boom"}}}],"End":true}}}
JSON
printf 'handlers:\n  sleeper: [/bin/sh, sleeper.sh]\n' > sfn.config.yaml
printf 'cat >/dev/null\nsleep 20\ntouch survived\necho {}\n' > sleeper.sh
start=$(date +%s)
"$sfn" run m.asl.json > out 2> err
code=$?
took=$(( $(date +%s) - start ))
fail=0
[ "$code" -eq 1 ] || { echo "exit $code, want 1"; fail=1; }
grep -q "Branch.Failed: boom" err || { echo "stderr: $(cat err)"; fail=1; }
[ "$took" -le 4 ] || { echo "took ${took}s: the sibling was not cancelled"; fail=1; }
sleep 1
[ ! -e survived ] || { echo "the sibling's command was not killed"; fail=1; }
exit $fail
