#!/bin/sh
# bench/crash.sh [SFN] [KILLS]: the crash test's long form (issue #6): kills
# 'sfn run' and 'sfn redrive' with SIGKILL at KILLS random moments (default
# 500), redrives each execution until it succeeds, and checks that the
# output equals an uninterrupted run's, that no journaled Task ran again,
# and that every journal parses. ctest runs the short form (redrive.crash).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sfn=${1:-$root/build/sfn}
case $sfn in /*) ;; *) sfn=$(pwd)/$sfn ;; esac
exec "$root/testdata/crash/crash-test.sh" "$sfn" "${2:-500}"
