#!/bin/sh
# A Task whose result is about 150 KB while big-NAME exists, else small;
# logs each call of NAME to calls.log.
name=$1
cat > /dev/null
echo "$name" >> calls.log
if [ -e "big-$name" ]; then
	printf '{"pad":"'
	i=0
	while [ $i -lt 150 ]; do
		printf '%01000d' 0
		i=$((i + 1))
	done
	printf '"}\n'
else
	printf '{"name":"%s"}\n' "$name"
fi
