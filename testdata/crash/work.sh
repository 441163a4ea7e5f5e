#!/bin/sh
# A Task with a side effect: appends its item to effects.log, then answers.
# Sleeps a little so that kills land mid-Task too.
input=$(cat)
item=$(printf '%s' "$input" | sed -n 's/.*"item":\([0-9]*\).*/\1/p')
echo "work $item" >> "${EFFECTS:-effects.log}"
sleep 0.0$(( (item * 7) % 10 ))
printf '{"item":%s,"done":true}\n' "$item"
