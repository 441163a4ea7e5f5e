#!/bin/sh
# check.sh: the whole test suite, as CI runs it (make check):
#   1. gcc, warnings as errors, every ctest;
#   2. ASan+UBSan build, every ctest;
#   3. TSan build, every ctest but the graph ones (Map, Parallel, the
#      journal's writer thread and validate's workers run under it; sfn
#      graph has no threads of its own, and Graphviz's fontconfig and glib
#      threads are not ours to fix);
#   4. with clang: libFuzzer builds, each target fuzzed briefly from its seeds.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${SFN_FUZZ_SECONDS:-20}

step() { printf '\n== %s\n' "$*"; }

step "format check"
if command -v clang-format >/dev/null 2>&1; then
	bad=$(for f in cmd/*.[ch] lib/*/*.[ch]; do
		clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "$f"
	done)
	if [ -n "$bad" ]; then
		echo "not clang-formatted (run 'make format'):"; echo "$bad"
	fi
fi

step "gcc, -Werror"
cmake -S . -B build-check -DSFN_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-check -j "$jobs"
(cd build-check && ctest --output-on-failure -j "$jobs" --timeout 600)

step "ASan+UBSan"
cmake -S . -B build-asan -DSFN_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j "$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --output-on-failure -j "$jobs" --timeout 900)

step "TSan"
cmake -S . -B build-tsan -DSFN_SANITIZE=thread -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-tsan -j "$jobs"
(cd build-tsan && TSAN_OPTIONS="suppressions=$(pwd)/../testdata/tsan.supp halt_on_error=1" \
	ctest --output-on-failure -j "$jobs" --timeout 900 -E graph)

if command -v clang >/dev/null 2>&1; then
	step "fuzz: ${fuzz_seconds}s per target"
	CC=clang cmake -S . -B build-fuzz -DSFN_FUZZ=ON -DSFN_SANITIZE=address,undefined \
		-DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-fuzz -j "$jobs"
	for f in build-fuzz/lib/*/fuzz_* build-fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		name=${f##*/fuzz_}
		corpus=$(mktemp -d)
		log=$(mktemp)
		cp -R testdata/fuzz/"$name"/. "$corpus"/ 2>/dev/null || true
		dict=
		[ -f testdata/fuzz/"$name".dict ] && dict=-dict=testdata/fuzz/"$name".dict
		echo "fuzz_$name"
		# A finding fails the check, with libFuzzer's report and the
		# input that did it (build-fuzz/crash-*, ...). The stack is
		# 64 MB: unoptimized ASan frames make the parsers' 2,048 levels
		# of nesting (SFN_MAX_DEPTH) deeper than the usual 8 MB, which
		# optimized builds use a few hundred KB of.
		if ! (ulimit -s 65536 2>/dev/null || :; "$f" $dict -max_total_time="$fuzz_seconds" \
			-max_len=65536 -print_final_stats=0 \
			-artifact_prefix=build-fuzz/ "$corpus") >"$log" 2>&1; then
			tail -60 "$log"
			echo "fuzz_$name found a failure (input saved under build-fuzz/)" >&2
			exit 1
		fi
		tail -3 "$log"
		rm -rf "$corpus" "$log"
	done
else
	step "fuzz: skipped, no clang (scripts/deps.sh test installs it)"
fi
step "all checks passed"
