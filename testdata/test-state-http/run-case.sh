#!/bin/sh
# run-case.sh SFN SERVER CASEDIR: a golden `sfn test-state` case against the
# integrations' test server (testdata/server/). Starts SERVER, copies CASEDIR,
# replaces @URL@ with the server's base URL, runs the case through
# testdata/cli/run-case.sh, then compares stdout/stderr/exit with the case's
# after masking what changes from run to run (the URL, the echoed host:port
# and Date headers). SFN_UPDATE_GOLDEN=1 writes them back. Every value in the
# case's 'secrets' file must appear in no output.
set -u
sfn=$1
server=$2
case_dir=$(cd "$3" && pwd) || exit 99
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-ts-http.XXXXXX") || exit 99
pid=
cleanup() {
	exec 9>&- 2>/dev/null
	[ -n "$pid" ] && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

mkfifo "$tmp/in" || exit 99
: >"$tmp/url"
"$server" <"$tmp/in" >"$tmp/url" &
pid=$!
exec 9>"$tmp/in"
i=0
while [ "$(wc -l <"$tmp/url")" -lt 1 ] && [ $i -lt 600 ]; do
	sleep 0.05
	i=$((i + 1))
done
url=$(sed -n 1p "$tmp/url")
[ -n "$url" ] || { echo "test-state http case: the server did not start"; exit 99; }

mkdir "$tmp/case"
cp -R "$case_dir"/. "$tmp/case"/
for f in "$tmp/case"/*; do
	[ -f "$f" ] && sed -i "s|@URL@|$url|g" "$f"
done
rm -f "$tmp/case/stdout" "$tmp/case/stderr" "$tmp/case/exit"
SFN_UPDATE_GOLDEN=1 sh "$here/../cli/run-case.sh" "$sfn" "$tmp/case" >/dev/null
host=${url#*://}
for f in stdout stderr; do
	[ -f "$tmp/case/$f" ] || : >"$tmp/case/$f"
	sed -e "s|$url|@URL@|g" -e "s|$host|@HOST@|g" \
		-e 's|\(\\"date\\":\[\\"\)[^\\]*|\1@DATE@|g' \
		-e 's|\(Date: \)[A-Z][a-z][a-z], [0-9][0-9] [A-Z][a-z][a-z] [0-9]* [0-9:]* GMT|\1@DATE@|g' \
		"$tmp/case/$f" >"$tmp/$f"
done
[ -f "$tmp/case/exit" ] || echo 0 >"$tmp/case/exit"

rc=0
if [ -n "${SFN_UPDATE_GOLDEN:-}" ]; then
	for f in stdout stderr; do
		if [ -s "$tmp/$f" ]; then cp "$tmp/$f" "$case_dir/$f"; else rm -f "$case_dir/$f"; fi
	done
	if [ "$(cat "$tmp/case/exit")" != 0 ]; then cp "$tmp/case/exit" "$case_dir/exit"; else rm -f "$case_dir/exit"; fi
else
	want=0
	[ -f "$case_dir/exit" ] && want=$(cat "$case_dir/exit")
	got=$(cat "$tmp/case/exit")
	[ "$got" = "$want" ] || { echo "exit code: got $got, want $want"; rc=1; }
	for f in stdout stderr; do
		[ -f "$case_dir/$f" ] && exp="$case_dir/$f" || exp=/dev/null
		if ! cmp -s "$exp" "$tmp/$f"; then
			echo "--- $f differs (want, got):"
			diff -u "$exp" "$tmp/$f" | head -50
			rc=1
		fi
	done
fi

if [ -f "$case_dir/secrets" ]; then
	while IFS= read -r s || [ -n "$s" ]; do
		[ -n "$s" ] || continue
		if grep -qF -- "$s" "$tmp/stdout" "$tmp/stderr"; then
			echo "secret '$s' appears in the output"
			rc=1
		fi
	done <"$case_dir/secrets"
fi
exit $rc
