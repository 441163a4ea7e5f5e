#!/bin/sh
# In: {"to":"ana@example.com","amount":3950}  Out: {"messageId":...}
in=$(cat)
to=$(printf '%s' "$in" | sed -n 's/.*"to":"\([^"]*\)".*/\1/p')
printf '{"messageId":"receipt-for-%s"}\n' "$to"
