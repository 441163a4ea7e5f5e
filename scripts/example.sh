#!/bin/sh
# example.sh SFN: the README's first command, after the build: validates and
# runs the example workflow offline, printing its output.
set -eu
sfn=$1
cd "$(dirname "$0")/../examples/orders"
echo "\$ sfn validate orders.asl.yaml"
"$sfn" validate orders.asl.yaml
echo "\$ sfn run --no-journal --input-file input.json orders.asl.yaml"
"$sfn" run --no-journal --input-file input.json orders.asl.yaml
