#!/bin/sh
# gen-man.sh SFN: writes sfn(1) in roff to stdout from SFN's own help, so the
# man page says exactly what --help says (testdata/man.cmake checks that the
# committed docs/sfn.1 is what this prints).
set -eu
sfn=$1
version=$("$sfn" --version | awk '{print $2}')
esc() { sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/" -e 's/^-/\\-/'; }
cat <<EOR
.TH SFN 1 "" "sfn $version" "User Commands"
.SH NAME
sfn \\- AWS Step Functions state machines, away from the cloud
.SH SYNOPSIS
.B sfn
[\\-\\-version] [\\-\\-help]
.I command
[\\fIargs\\fR]
.SH DESCRIPTION
sfn validates Amazon States Language definitions (JSON, YAML, or inside
CloudFormation/SAM templates), runs them locally with the semantics of AWS
Step Functions, resumes failed executions from their journal, tests single
states and whole machines, and draws them.
.PP
Where a file is expected, \\fB\\-\\fR reads standard input. Results go to
standard output, diagnostics to standard error.
EOR
echo ".SH OVERVIEW"
echo ".nf"
"$sfn" --help | esc
echo ".fi"
echo ".SH COMMANDS"
for cmd in $("$sfn" --help | awk '/^commands:/{f=1;next} f&&/^  [a-z]/{print $1} f&&/^$/{f=0}'); do
	echo ".SS sfn $cmd"
	echo ".nf"
	"$sfn" "$cmd" --help | esc
	echo ".fi"
done
cat <<EOR
.SH ENVIRONMENT
.TP
.B NO_COLOR
when set and not empty, nothing is colored unless \\fB\\-\\-color=always\\fR.
.SH SEE ALSO
The README of the sfn repository.
EOR
