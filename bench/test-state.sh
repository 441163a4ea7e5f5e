#!/bin/sh
# bench/test-state.sh [BUILD_DIR] [N]: what an editor or a watch loop pays per
# keystroke: process start-up plus `sfn test-state` of one Pass state (at
# DEBUG, so every data-flow step is computed and printed). Prints ms per
# invocation; target < 5 ms. Uses hyperfine when installed, else a loop of N
# runs (default 200) timed with date +%s%N. It also times process
# start-up alone (`sfn help`) for comparison.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
n=${2:-200}
sfn=$build/sfn
[ -x "$sfn" ] || { echo "bench: build first: cmake --build $build --target sfn" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-bench-ts.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/pass.json" <<'JSON'
{"Type": "Pass", "InputPath": "$.order", "Parameters": {"id.$": "$.id", "n": 1},
 "ResultPath": "$.out", "Next": "Ship"}
JSON
input='{"order": {"id": "A-17"}}'
# No sfn.config.* is picked up from the temporary directory.
cd "$tmp"

if command -v hyperfine >/dev/null 2>&1; then
	hyperfine -N --warmup 20 --runs "$n" \
		"$sfn test-state --inspection-level DEBUG --input '$input' pass.json" \
		"$sfn help"
	exit 0
fi

per_call() { # per_call ARGS...: mean ms of N runs of sfn ARGS
	"$sfn" "$@" >/dev/null 2>&1 || :
	start=$(date +%s%N)
	i=0
	while [ $i -lt "$n" ]; do
		"$sfn" "$@" >/dev/null 2>&1
		i=$((i + 1))
	done
	end=$(date +%s%N)
	echo $(((end - start) / n / 1000)) | awk '{ printf "%.2f", $1 / 1000 }'
}
"$sfn" test-state --inspection-level DEBUG --input "$input" pass.json >/dev/null ||
	{ echo "bench: sfn test-state failed" >&2; exit 1; }
ts=$(per_call test-state --inspection-level DEBUG --input "$input" pass.json)
st=$(per_call help)
echo "sfn test-state, one Pass state (DEBUG): $ts ms per invocation ($n runs; target < 5 ms)"
echo "sfn help (start-up alone, for reference): $st ms per invocation"
