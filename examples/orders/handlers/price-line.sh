#!/bin/sh
# In: {"line":0,"sku":"TEA-01","qty":2,"price":600}  Out: {"sku":...,"total":1200}
in=$(cat)
field() { printf '%s' "$in" | sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p"; }
sku=$(field sku)
qty=$(field qty)
price=$(field price)
printf '{"sku":"%s","total":%d}\n' "$sku" $((qty * price))
