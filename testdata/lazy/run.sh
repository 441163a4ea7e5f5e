#!/bin/sh
# run.sh SFN: libcurl and libcrypto are loaded only when a command needs them
# (lib/task/curl_dl.c, lib/base/crypto_dl.c). With unloadable stand-ins for
# both on LD_LIBRARY_PATH: start-up, a plain run, a journaled run and a hash
# (nettle's, lib/base/digest.c) work, an HTTP Task fails naming the package
# to install, and base64 (libcrypto's) exits 127 naming its package.
set -u
sfn=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-lazy.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/libcurl.so.4"
: >"$tmp/libcrypto.so.3"
pass=0 fail=0
check() { # NAME WANT_EXIT WANT_STDERR_SUBSTRING ARGS...
	name=$1 want=$2 text=$3
	shift 3
	LD_LIBRARY_PATH=$tmp "$sfn" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" = "$want" ] &&
		{ [ -z "$text" ] || grep -qF -- "$text" "$tmp/err"; }; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: exit $rc (want $want), stderr:"
		cat "$tmp/err"
	fi
}
check start-up 0 "" --version
echo '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}' >"$tmp/p.json"
check plain-run 0 "" run --no-journal "$tmp/p.json"
check http-task 1 "apt-get install libcurl4" run --no-journal \
	--config "$here/lazy.config.json" "$here/http.asl.json"
check journaled-run 0 "" run --journal-dir "$tmp/j" "$tmp/p.json"
check hash 0 "" run --no-journal --input '{"a":"abc"}' "$here/hash.asl.json"
grep -q ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad \
	"$tmp/out" || { fail=$((fail + 1)); echo "FAIL hash: $(cat "$tmp/out")"; }
check base64 127 "apt-get install libssl3" run --no-journal \
	--input '{"a":"abc"}' "$here/base64.asl.json"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
