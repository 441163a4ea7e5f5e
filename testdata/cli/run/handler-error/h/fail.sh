#!/bin/sh
cat >/dev/null
echo "{\"errorType\":\"SQS.QueueDoesNotExist\",\"errorMessage\":\"$WHY\"}" >&2
exit 3
