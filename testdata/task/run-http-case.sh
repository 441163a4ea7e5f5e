#!/bin/sh
# run-http-case.sh SFN SERVER CASEDIR: a golden `sfn run` case against the
# integrations' test server. Starts SERVER (sfn-test-server; with --tls when
# CASEDIR has a file 'tls'), copies CASEDIR, replaces @URL@ (the server's base
# URL) and @CACERT@ (its certificate) in every file, then runs it with
# testdata/cli/run-case.sh, so args/stdin/env/stdout/stderr/exit work as for
# every CLI case. Expected outputs hold @URL@ where the URL appears;
# SFN_UPDATE_GOLDEN=1 writes them back so. Then every value listed in the
# case's 'secrets' file (one a line) must appear in no output and in no
# journal the run wrote (SFN_JOURNAL_DIR points into the case's copy).
set -u
sfn=$1
server=$2
case_dir=$(cd "$3" && pwd) || exit 99
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-http-case.XXXXXX") || exit 99
pid=
cleanup() {
	exec 9>&- 2>/dev/null
	[ -n "$pid" ] && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

mkfifo "$tmp/in" || exit 99
: >"$tmp/url" # exists before the server opens it (after the fifo)
flags=
[ -f "$case_dir/tls" ] && flags=--tls
"$server" $flags <"$tmp/in" >"$tmp/url" &
pid=$!
exec 9>"$tmp/in"
i=0
while [ "$(wc -l <"$tmp/url")" -lt 1 ] && [ $i -lt 600 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ -n "$flags" ] && while [ "$(wc -l <"$tmp/url")" -lt 2 ] && [ $i -lt 600 ]; do
	sleep 0.05
	i=$((i + 1))
done
url=$(sed -n 1p "$tmp/url")
cacert=$(sed -n 2p "$tmp/url")
[ -n "$url" ] || { echo "run-http-case: the test server did not start"; exit 99; }

mkdir "$tmp/case" "$tmp/journal"
cp -R "$case_dir"/. "$tmp/case"/
for f in "$tmp/case"/*; do
	[ -f "$f" ] && sed -i "s|@URL@|$url|g; s|@CACERT@|$cacert|g" "$f"
done
echo "SFN_JOURNAL_DIR=$tmp/journal" >>"$tmp/case/env"

sh "$here/../cli/run-case.sh" "$sfn" "$tmp/case"
rc=$?

if [ -n "${SFN_UPDATE_GOLDEN:-}" ]; then
	for f in stdout stderr exit; do
		if [ -f "$tmp/case/$f" ]; then
			sed "s|$url|@URL@|g" "$tmp/case/$f" >"$case_dir/$f"
		else
			rm -f "$case_dir/$f"
		fi
	done
fi

if [ -f "$case_dir/secrets" ]; then
	while IFS= read -r s || [ -n "$s" ]; do
		[ -n "$s" ] || continue
		if grep -rqF -- "$s" "$tmp/journal" "$tmp/case/stdout" \
			"$tmp/case/stderr" 2>/dev/null; then
			echo "secret '$s' appears in an output or journal:"
			grep -rlF -- "$s" "$tmp/journal" "$tmp/case/stdout" \
				"$tmp/case/stderr" 2>/dev/null
			rc=1
		fi
	done <"$case_dir/secrets"
fi
exit $rc
