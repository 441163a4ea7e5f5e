#!/bin/sh
# A Task with a side effect: logs each call of NAME (and item n, if the
# input has one) to calls.log; fails while fail-NAME or fail-NAME-n exists.
name=$1
input=$(cat)
n=$(printf '%s' "$input" | sed -n 's/.*"n":\([0-9]*\).*/\1/p')
echo "$name${n:+-$n}" >> calls.log
[ -e "slow-$name" ] && sleep 0.3
if [ -e "fail-$name" ] || { [ -n "$n" ] && [ -e "fail-$name-$n" ]; }; then
	printf '{"errorType":"Boom","errorMessage":"%s is broken"}\n' "$name"
	exit 1
fi
printf '{"name":"%s","seen":%s}\n' "$name" "$input"
