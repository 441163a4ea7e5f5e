#!/bin/sh
# golden-mermaid.sh SFN CASEDIR: the Mermaid twin of a golden graph case.
# Runs the case's args (testdata/cli/graph/<case>/args, which draw DOT) with
# --format mermaid added, in a temporary copy of CASEDIR, and compares with
# CASEDIR/mermaid.mmd; SFN_UPDATE_GOLDEN=1 writes it instead.
set -u
sfn=$(command -v "$1" 2>/dev/null || echo "$1"); case $sfn in /*) ;; *) sfn=$(pwd)/$sfn ;; esac
case_dir=$(cd "$2" && pwd) || exit 99
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-graph.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cp -R "$case_dir"/. "$tmp"/
cd "$tmp" || exit 99
set --
while IFS= read -r line || [ -n "$line" ]; do
	set -- "$@" "$line"
done < args
shift # the subcommand name, "graph"
export LC_ALL=C NO_COLOR=1
"$sfn" graph --format mermaid "$@" > got.mmd 2> got.stderr
code=$?
if [ -n "${SFN_UPDATE_GOLDEN:-}" ]; then
	cp got.mmd "$case_dir/mermaid.mmd"
	echo "updated $case_dir/mermaid.mmd"
	exit 0
fi
fail=0
if [ "$code" -ne 0 ]; then
	echo "exit code $code:"; cat got.stderr; fail=1
fi
if ! cmp -s mermaid.mmd got.mmd; then
	echo "--- mermaid.mmd differs (want, got):"
	diff -u mermaid.mmd got.mmd | head -50
	fail=1
fi
if [ $fail -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
