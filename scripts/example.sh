#!/bin/sh
# example.sh SFN: the README's first command, after the build: validates and
# runs the example workflow offline, printing its output.
set -eu
sfn=$1
# make passes a path relative to the repository; we cd below.
case $sfn in /*) ;; */*) sfn=$(pwd)/$sfn ;; esac
cd "$(dirname "$0")/../examples/orders"
echo "\$ sfn validate orders.asl.yaml"
"$sfn" validate orders.asl.yaml
echo "\$ sfn run --no-journal --input-file input.json orders.asl.yaml"
"$sfn" run --no-journal --input-file input.json orders.asl.yaml
