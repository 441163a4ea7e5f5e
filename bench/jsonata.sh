#!/bin/sh
# bench/jsonata.sh: evaluations per second of sfn's JSONata engine next to
# the reference engine (jsonata-js 2.2.2 on node), on the 24 expressions of
# ../shared/bench/jsonata_workload.json (10,000 generated orders and four
# small Step Functions expressions). Every sfn result is checked against
# the workload's SHA-256 digest before it is timed.
#
# usage: bench/jsonata.sh [--seconds=S] [--trials=N] [--rounds=R] [--only=TEXT]
#   --rounds=R    time each case R times, sfn and the reference in turn, and
#                 keep each engine's best: steadier ratios on a shared machine
#   SFN_BUILD     build directory to use (default build-bench, Release)
#   SFN_REBUILD   set to empty to time the harness as it is, without
#                 configuring and building it first
#   JSONATA_DIR   an installed jsonata package (default: npm install
#                 jsonata@2.2.2 into ${TMPDIR:-/tmp}/sfn-jsonata-ref)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SFN_SHARED:-$root/../shared}
workload=$shared/bench/jsonata_workload.json
jsbench=$shared/bench/jsonata_bench.js
build=${SFN_BUILD:-$root/build-bench}
seconds=1
trials=3
rounds=1
only=
for a in "$@"; do
	case $a in
	--seconds=*) seconds=${a#*=} ;;
	--trials=*) trials=${a#*=} ;;
	--rounds=*) rounds=${a#*=} ;;
	--only=*) only=${a#*=} ;;
	-h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench/jsonata.sh: unknown option '$a'" >&2; exit 2 ;;
	esac
done
[ -f "$workload" ] || { echo "bench/jsonata.sh: no workload at $workload (set SFN_SHARED)" >&2; exit 3; }

if [ ! -x "$build/testdata/jsonata_bench" ] || [ -n "${SFN_REBUILD-1}" ]; then
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$build" --target jsonata_bench -j2 >/dev/null
fi

if [ -z "${JSONATA_DIR:-}" ]; then
	ref=${TMPDIR:-/tmp}/sfn-jsonata-ref
	if [ ! -f "$ref/node_modules/jsonata/package.json" ]; then
		mkdir -p "$ref"
		(cd "$ref" && npm install --silent --no-audit --no-fund jsonata@2.2.2 >/dev/null)
	fi
	JSONATA_DIR=$ref/node_modules/jsonata
fi
export JSONATA_DIR

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfn-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
opt="--seconds=$seconds --trials=$trials"
[ -n "$only" ] && opt="$opt --only=$only"

echo "sfn: $build/testdata/jsonata_bench"
echo "reference: jsonata $(node -p "require('$JSONATA_DIR/package.json').version") on node $(node --version)"
# Case by case, sfn then the reference, so that other load on the machine
# hits both alike.
names=$(node -p "JSON.parse(require('fs').readFileSync('$workload')).cases.map(c => c.name).join(' ')")
i=0
for name in $names; do
	case $name in *"$only"*) ;; *) continue ;; esac
	r=0
	while [ "$r" -lt "$rounds" ]; do
		i=$((i + 1))
		r=$((r + 1))
		"$build/testdata/jsonata_bench" "$workload" --seconds="$seconds" --trials="$trials" \
			--only="$name" --json="$tmp/sfn.$i.json" >"$tmp/sfn.txt" || {
			cat "$tmp/sfn.txt"; echo "bench/jsonata.sh: sfn gave a wrong result for $name" >&2; exit 1; }
		node "$jsbench" --seconds="$seconds" --trials="$trials" --only="$name" \
			--json="$tmp/js.$i.json" >"$tmp/js.txt"
		printf '.' >&2
	done
done
echo >&2
node -e '
const fs = require("fs"), dir = process.argv[1];
const pick = (p) => fs.readdirSync(dir).filter(f => f.startsWith(p) && /^[a-z]+\.[0-9]+\.json$/.test(f)).sort((a, b) => parseInt(a.split(".")[1]) - parseInt(b.split(".")[1]))
  .flatMap(f => JSON.parse(fs.readFileSync(dir + "/" + f)).results);
// one result per case: its best rate over the rounds, correct only if
// every round was
const uniq = (rs) => {
  const best = {};
  for (const r of rs) {
    const b = best[r.name];
    if (!b) best[r.name] = { ...r };
    else {
      if (r.evals_per_sec > b.evals_per_sec) b.evals_per_sec = r.evals_per_sec;
      if (r.correct === false) b.correct = false;
    }
  }
  return Object.values(best);
};
fs.writeFileSync(dir + "/sfn.json", JSON.stringify({ results: uniq(pick("sfn.")) }));
fs.writeFileSync(dir + "/js.json", JSON.stringify({ results: uniq(pick("js.")) }));
' "$tmp"

node - "$tmp/sfn.json" "$tmp/js.json" <<'JS'
const fs = require('fs');
const sfn = JSON.parse(fs.readFileSync(process.argv[2])).results;
const js = Object.fromEntries(JSON.parse(fs.readFileSync(process.argv[3])).results.map(r => [r.name, r]));
const fmt = (x) => x >= 100 ? x.toFixed(0) : x.toPrecision(3);
console.log('');
console.log('case'.padEnd(26) + 'sfn evals/s'.padStart(14) + 'js evals/s'.padStart(13) + 'ratio'.padStart(9) + 'target'.padStart(8) + '  ok');
let miss = 0;
for (const r of sfn) {
  const j = js[r.name];
  if (!j) continue;
  const ratio = r.evals_per_sec / j.evals_per_sec;
  const target = r.name.startsWith('sfn_') ? 50 : 10;
  const met = r.correct && ratio >= target;
  if (!met) miss++;
  console.log(r.name.padEnd(26) + fmt(r.evals_per_sec).padStart(14) + fmt(j.evals_per_sec).padStart(13)
    + (ratio.toFixed(1) + 'x').padStart(9) + (target + 'x').padStart(8) + '  ' + (met ? 'yes' : (r.correct ? 'no' : 'WRONG')));
}
console.log(`\n${sfn.length - miss} of ${sfn.length} cases meet their target`);
JS
