#!/bin/sh
# In: {"orderId":"A-1017","lines":[{"sku":..,"total":1200},...],"attempt":0}
# The first attempt fails the way a busy gateway does, so the state's Retry
# shows; the second charges the sum of the line totals.
in=$(cat)
attempt=$(printf '%s' "$in" | sed -n 's/.*"attempt":\([0-9]*\).*/\1/p')
if [ "${attempt:-0}" -eq 0 ]; then
	echo '{"errorType":"Payment.GatewayBusy","errorMessage":"the gateway is busy, try again"}'
	exit 1
fi
total=0
for t in $(printf '%s' "$in" | sed 's/"total":/\n/g' | sed -n '2,$s/^\([0-9]*\).*/\1/p'); do
	total=$((total + t))
done
order=$(printf '%s' "$in" | sed -n 's/.*"orderId":"\([^"]*\)".*/\1/p')
printf '{"chargeId":"ch-%s-%d","total":%d}\n' "$order" "$attempt" "$total"
