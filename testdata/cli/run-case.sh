#!/bin/sh
# run-case.sh SFN CASEDIR: runs one golden CLI case (STYLE.md §8).
# CASEDIR holds 'args' (one argument per line), optional 'stdin', 'env'
# (NAME=VALUE lines) and inputs, and the expected 'stdout', 'stderr', 'exit'
# (a missing file means empty / 0). The case runs in a temporary copy of
# CASEDIR with LC_ALL=C and a pinned clock; SFN_UPDATE_GOLDEN=1 writes what
# it got as the new expectation instead of comparing.
set -u
sfn=$(command -v "$1" 2>/dev/null || echo "$1"); case $sfn in /*) ;; *) sfn=$(pwd)/$sfn ;; esac
case_dir=$(cd "$2" && pwd) || exit 99
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-case.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cp -R "$case_dir"/. "$tmp"/
cd "$tmp" || exit 99

# @TESTDATA@ in args stands for this testdata directory (shared fixtures).
testdata=$(cd "$case_dir/../../.." && pwd)
set --
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	*@TESTDATA@*) line=$(printf '%s' "$line" | sed "s|@TESTDATA@|$testdata|g") ;;
	esac
	set -- "$@" "$line"
done < args

# 'copy' lists shared fixtures (@TESTDATA@/...) to copy into the case's
# directory first, so outputs name them by relative paths.
if [ -f copy ]; then
	while IFS= read -r src || [ -n "$src" ]; do
		[ -n "$src" ] && cp -R "$(printf '%s' "$src" | sed "s|@TESTDATA@|$testdata|g")" .
	done < copy
fi

export LC_ALL=C SFN_TEST_NOW=2026-01-01T00:00:00Z NO_COLOR=1
export SHARED="${SFN_SHARED:-$(cd "$case_dir/../../../.." && pwd)/../shared}"
if [ -f env ]; then
	while IFS= read -r kv || [ -n "$kv" ]; do
		[ -n "$kv" ] && export "$kv"
	done < env
fi
if [ -f stdin ]; then
	"$sfn" "$@" < stdin > got.stdout 2> got.stderr
else
	"$sfn" "$@" < /dev/null > got.stdout 2> got.stderr
fi
code=$?

if [ -n "${SFN_UPDATE_GOLDEN:-}" ]; then
	for f in stdout stderr; do
		if [ -s got.$f ]; then cp got.$f "$case_dir/$f"; else rm -f "$case_dir/$f"; fi
	done
	if [ "$code" -ne 0 ]; then echo "$code" > "$case_dir/exit"; else rm -f "$case_dir/exit"; fi
	for f in $(cat expect-files 2>/dev/null); do cp "$f" "$case_dir/$f.expected"; done
	echo "updated $case_dir"
	exit 0
fi

fail=0
want_code=0
[ -f exit ] && want_code=$(cat exit)
if [ "$code" -ne "$want_code" ]; then
	echo "exit code: got $code, want $want_code"
	fail=1
fi
for f in stdout stderr; do
	[ -f $f ] || : > $f
	if ! cmp -s $f got.$f; then
		echo "--- $f differs (want, got):"
		diff -u $f got.$f | head -50
		fail=1
	fi
done
# 'expect-files' lists files the command writes; each must equal FILE.expected.
for f in $(cat expect-files 2>/dev/null); do
	if ! cmp -s "$f.expected" "$f"; then
		echo "--- $f differs (want, got):"
		diff -u "$f.expected" "$f" | head -50
		fail=1
	fi
done
exit $fail
