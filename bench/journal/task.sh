#!/bin/sh
# A local handler for the 1,000-Task workload: echoes its input.
cat
