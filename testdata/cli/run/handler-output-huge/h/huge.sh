#!/bin/sh
# A JSON string of 70,000,000 characters on stdout: past what sfn keeps.
cat >/dev/null
printf '"'
head -c 70000000 /dev/zero | tr '\0' a
printf '"\n'
