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
.TP
.B SFN_JOURNAL_DIR
the journal root when \\fB\\-\\-journal\\-dir\\fR is not given (default
\\fB.sfn\\fR in the working directory).
.TP
.B SFN_MOCK_CONFIG
the Step Functions Local mock file of \\fBsfn run\\fR and \\fBsfn test\\-state\\fR
when \\fB\\-\\-mock\\-config\\fR is not given; as in Step Functions Local, it
mocks only an execution given a test case.
.TP
.B SFN_TIME_SCALE
the time scale of \\fBsfn run\\fR when \\fB\\-\\-time\\-scale\\fR is not given.
.TP
.B SFN_TEST_NOW
an RFC 3339 time that pins the clock: the start of \\fBsfn run\\fR when
\\fB\\-\\-now\\fR is not given, and now for \\fBsfn describe\\fR, \\fBsfn list\\fR
and \\fBsfn redrive\\fR (tests).
.SH SEE ALSO
The README of the sfn repository.
EOR
