#!/bin/sh
# A long last line of two-byte characters, on stderr (exit 2) or as
# non-JSON stdout (exit 0); or a byte that is not UTF-8 on stderr.
cat >/dev/null
line=$(printf '%0300d' 0 | sed 's/0/é/g')
case $1 in
err) echo "$line" >&2; exit 2 ;;
out) echo "$line" ;;
bin) printf 'bad \377 byte\n' >&2; exit 1 ;;
esac
