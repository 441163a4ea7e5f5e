#!/bin/sh
# html-check.sh SFN WORKDIR: the HTML execution view end to end. Runs a real
# workflow with sfn run (a Map, a Parallel whose branch is caught, a Task
# that retries twice and then fails the execution with a cause holding
# </script>), draws it with sfn graph --format html --execution, and has
# html-check.js open the page from its file in Debian's headless Chromium,
# click the failed state and find its error, and save a screenshot into
# WORKDIR. Nothing is skipped: a missing tool is a failure naming its package.
set -u
sfn=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "html-check: $*"; echo "0 passed, 1 failed"; exit 1; }
command -v node >/dev/null || fail "node not found: apt-get install nodejs"
chromium=$(command -v chromium || command -v chromium-browser) ||
	fail "chromium not found: apt-get install chromium"
mkdir -p "$work" || fail "cannot create $work"
work=$(cd "$work" && pwd)
rm -rf "$work/journals"
ex=$here/execution
# A pinned start clock and no real waiting keep the run quick; the journal
# still holds real timestamps.
"$sfn" run --journal-dir "$work/journals" --name declined-run \
	--mock-config "$ex/mocks.json" --test-case declined --time-scale 0 \
	--input '{"orderId":"A-17"}' "$ex/orders.asl.json" \
	>"$work/run.out" 2>"$work/run.err"
code=$?
[ $code -eq 1 ] || fail "sfn run exited $code, want 1 (the execution fails): $(cat "$work/run.err")"
grep -q 'Payment.Declined' "$work/run.err" ||
	fail "sfn run did not report Payment.Declined: $(cat "$work/run.err")"
"$sfn" graph --format html --journal-dir "$work/journals" \
	--execution declined-run -o "$work/execution.html" ||
	fail "sfn graph --format html --execution failed"
node "$here/html-check.js" "$chromium" "$work/execution.html" \
	"$work/execution.png" Charge Payment.Declined 'card expired </script><!-- & "quoted" <b>bold</b>' Price
