/*
 * sfn: AWS Step Functions state machines, away from the cloud. main() finds
 * the subcommand in the table, runs it, then flushes stdout and turns a
 * write error into exit 4 (git run_builtin()).
 */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_CODES                                                             \
	"exit codes:\n"                                                        \
	"  0    success (an execution SUCCEEDED, definitions valid, a state "  \
	"test ran)\n"                                                          \
	"  1    the execution FAILED or TIMED_OUT; a definition has errors;\n" \
	"       a request was rejected\n"                                      \
	"  2    usage: unknown flag, missing argument, conflicting options\n"  \
	"  3    an input file unreadable or unparsable\n"                      \
	"  4    host failure: write error, journal I/O, out of resources\n"    \
	"  130  interrupted (SIGINT); the execution is recorded as ABORTED\n"

/* Sorted by name. */
const struct sfn_cmd sfn_commands[] = {
	{ "describe", "describe a journaled execution (DescribeExecution)",
	  "sfn describe [--journal-dir dir] [--pretty] (execution | --last)",
	  "options:\n"
	  "  --journal-dir DIR  the journal root (default $SFN_JOURNAL_DIR, "
	  "else .sfn)\n"
	  "  --last             the most recently started execution\n"
	  "  --pretty           indent the JSON\n"
	  "\nEXECUTION is an execution name in the journal root, or an "
	  "execution\n"
	  "directory. A crashed execution shows as ABORTED with "
	  "\"x-processDied\": true.\n",
	  cmd_describe },
	{ "graph", "draw a state machine, or an execution over it",
	  "sfn graph [--format dot|mermaid|svg|png|html] [-o file] "
	  "[--logical-id id] [--execution exec] [definition]",
	  NULL, cmd_graph },
	{ "help", "show help for sfn or a subcommand", "sfn help [command]",
	  NULL, cmd_help },
	{ "history", "show a journaled execution's events",
	  "sfn history [--journal-dir dir] [--format text|json] (execution | "
	  "--last)",
	  "options:\n"
	  "  --journal-dir DIR  the journal root (default $SFN_JOURNAL_DIR, "
	  "else .sfn)\n"
	  "  --format FORMAT    text (a table, the default) or json: "
	  "{\"events\": [...]}\n"
	  "                     exactly as GetExecutionHistory returns them\n"
	  "                     (a Distributed Map's child executions have\n"
	  "                     histories of their own there: only the "
	  "table\n"
	  "                     shows their events)\n"
	  "  --last             the most recently started execution\n"
	  "  --pretty           indent the JSON\n",
	  cmd_history },
	{ "jsonata", "evaluate a JSONata expression against a document",
	  "sfn jsonata [-n] [--aws] [--bind name=json] (expr | -f file) [file]",
	  NULL, cmd_jsonata },
	{ "list", "list journaled executions",
	  "sfn list [--journal-dir dir] [--format text|json] [--prune "
	  "--older-than duration]",
	  "options:\n"
	  "  --journal-dir DIR      the journal root (default "
	  "$SFN_JOURNAL_DIR, else .sfn)\n"
	  "  --format FORMAT        text (the default) or json\n"
	  "  --prune                delete executions that stopped long enough "
	  "ago\n"
	  "  --older-than DURATION  with --prune: 90s, 15m, 12h, 30d\n"
	  "\nExecutions are listed as ListExecutions lists them: the most "
	  "recently\nstarted first. STATUS is AWS's, or DIED for an execution "
	  "whose process\ndied before it finished (sfn redrive resumes it).\n",
	  cmd_list },
	{ "redrive", "resume a failed execution from its journal",
	  "sfn redrive [--journal-dir dir] [--describe] [--definition file] "
	  "(execution | --last)",
	  "options:\n"
	  "  --journal-dir DIR   the journal root (default $SFN_JOURNAL_DIR, "
	  "else .sfn)\n"
	  "  --last              the most recently started execution\n"
	  "  --describe          print DescribeExecution's response after it\n"
	  "  --pretty            indent the JSON output\n"
	  "  -v, --trace         print each transition on stderr\n"
	  "  --definition FILE   redrive with FILE instead of the recorded\n"
	  "                      definition, if every state the execution "
	  "entered\n"
	  "                      still exists (AWS always uses the original)\n"
	  "  --config FILE       local handlers (default: as recorded)\n"
	  "  --mock-config FILE  mock file (default: as recorded)\n"
	  "  --test-case NAME    mock test case (default: as recorded)\n"
	  "  --time-scale F      scale of Waits and retries (default: as "
	  "recorded)\n"
	  "\nFAILED, TIMED_OUT and ABORTED STANDARD executions, and executions "
	  "whose\n"
	  "process died, resume at the state that was open: states that "
	  "succeeded\n"
	  "keep their output, and every Task result in the journal is served "
	  "again\n"
	  "instead of calling the Task (a Parallel re-runs only its failed "
	  "branches,\n"
	  "a Map only its failed iterations). Exit codes as sfn run; 1 with "
	  "AWS's\n"
	  "reason when the execution cannot be redriven.\n",
	  cmd_redrive },
	{ "run", "run a state machine locally",
	  "sfn run [--input json | --input-file file] [--type "
	  "standard|express] "
	  "definition",
	  NULL, cmd_run },
	{ "test", "run test suites for state machines",
	  "sfn test [--format text|tap|junit] [--coverage] [-k pattern] [file "
	  "...]",
	  "options:\n"
	  "  --format FORMAT       text (the default), tap or junit\n"
	  "  -k PATTERN            run only cases whose name contains PATTERN "
	  "or\n"
	  "                        matches it as a glob (repeatable)\n"
	  "  --coverage            report states, Choice rules, Catch and "
	  "Retry\n"
	  "                        clauses and branches the cases reached\n"
	  "  --coverage-out FILE   write that coverage as JSON to FILE\n"
	  "  -j, --jobs N          cases run on N threads (default: the "
	  "cores)\n"
	  "  --time-scale F        scale of Waits and retry intervals (default "
	  "0:\n"
	  "                        no real waiting, the clock still advances)\n"
	  "  -v, --verbose         show how long each case took\n"
	  "  --keep                journal every case, not only failed ones\n"
	  "  --journal-dir DIR     where case journals go (default\n"
	  "                        $SFN_JOURNAL_DIR, else .sfn)\n"
	  "\nWith no FILE, every *.sfn-test.yaml, .yml and .json under the "
	  "current\n"
	  "directory. The file format is in docs/test.md. Exit 1 if a case "
	  "fails,\n2 if -k picks no case.\n",
	  cmd_test },
	{ "test-state", "run one state in isolation (TestState)",
	  "sfn test-state [--state NAME] [--input JSON] [--inspection-level "
	  "INFO|DEBUG|TRACE]\n"
	  "               [--mock-result JSON | --mock-error E] [options] "
	  "DEFINITION\n"
	  "       sfn test-state --request FILE [options] [DEFINITION]",
	  "DEFINITION is one state object, or a whole state machine where\n"
	  "--state picks the state (also inside Map and Parallel; default\n"
	  "StartAt). The flags mirror the TestState request:\n"
	  "  --input JSON                  the state input (default {})\n"
	  "  --input-file FILE             read the input from FILE ('-': "
	  "stdin)\n"
	  "  --inspection-level LEVEL      INFO (default), DEBUG or TRACE\n"
	  "  --reveal-secrets              show connection secrets at TRACE\n"
	  "  --variables JSON              variables visible to the state\n"
	  "  --context JSON                the Context object ($$) to use\n"
	  "  --mock-result JSON            mock a Task/Map/Parallel's result\n"
	  "  --mock-error ERROR            ... or its error,\n"
	  "  --mock-cause CAUSE            with this cause\n"
	  "  --field-validation-mode MODE  STRICT (default), PRESENT or NONE\n"
	  "  --retrier-retry-count N       retries already made (Retry)\n"
	  "  --error-caused-by-state NAME  the inner state a mocked error "
	  "came\n"
	  "                                from (Map/Parallel)\n"
	  "  --map-iteration-failure-count N  failed iterations of a mocked "
	  "Map\n"
	  "  --map-item-reader-data JSON   items as the ItemReader read them\n"
	  "  --request FILE                the whole TestState request (JSON)\n"
	  "Local options:\n"
	  "  --format FORMAT               json (default), compact or pretty\n"
	  "                                (a step-by-step table)\n"
	  "  --config FILE                 local handlers and connections\n"
	  "                                (default sfn.config.yaml/yml/json)\n"
	  "  --mock-config FILE            a Step Functions Local mock file\n"
	  "  --test-case NAME              its test case\n"
	  "  --time-scale F                multiply Waits (default 0: no real\n"
	  "                                waiting)\n"
	  "  --logical-id ID               the state machine of a "
	  "CloudFormation/SAM\n"
	  "                                template to take the state from\n"
	  "\nExit: 0 when the state ran (whatever its status), 1 when the\n"
	  "request is rejected (AWS's message), 2 usage, 3 unreadable input.\n",
	  cmd_test_state },
	{ "validate", "lint state machine definitions",
	  "sfn validate [--format text|json|aws|sarif|github] [-r] [-j N] file "
	  "...",
	  "options:\n"
	  "  -f, --format FORMAT  text (FILE:LINE:COL lines on stderr, the "
	  "default),\n"
	  "                       json, aws (ValidateStateMachineDefinition's "
	  "response,\n"
	  "                       one line per file), sarif (2.1.0) or github "
	  "(annotations)\n"
	  "  -r, --recursive      check every .json/.yaml/.yml file under "
	  "directories\n"
	  "                       (files holding neither ASL nor a template "
	  "are skipped)\n"
	  "  --type TYPE          standard (default) or express: Express-only "
	  "rules\n"
	  "  --logical-id ID      only this state machine of a "
	  "CloudFormation/SAM template\n"
	  "  --severity LEVEL     warning (default: show all) or error (hide "
	  "warnings)\n"
	  "  --max-results N      show at most N diagnostics per state "
	  "machine\n"
	  "  --strict             warnings make the exit code 1 too\n"
	  "  --color WHEN         auto, always or never\n"
	  "  -j, --jobs N         check N files at a time (default: one per "
	  "CPU);\n"
	  "                       reports stay in the order of the files\n"
	  "\nFILE may be '-' for standard input. Exit 0 valid, 1 errors, 2 "
	  "usage,\n"
	  "3 a file unreadable or unparsable; the highest wins.\n",
	  cmd_validate },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct sfn_cmd *sfn_cmd_find(const char *name)
{
	for (const struct sfn_cmd *c = sfn_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void sfn_cmd_print_help(const struct sfn_cmd *cmd, FILE *out)
{
	fprintf(out, "usage: %s\n\n%s.\n", cmd->usage, cmd->summary);
	if (cmd->help)
		fprintf(out, "\n%s", cmd->help);
}

int sfn_cmd_usage_error(const char *name, const char *fmt, ...)
{
	const struct sfn_cmd *cmd = sfn_cmd_find(name);
	va_list ap;
	fprintf(stderr, "sfn %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd)
		fprintf(stderr, "usage: %s\n", cmd->usage);
	return SFN_EXIT_USAGE;
}

int sfn_cmd_unknown_option(const char *name, char **argv)
{
	const char *prev = optind > 1 ? argv[optind - 1] : "";
	/* A long option given a value it does not take sets optopt to its
	 * value, an unknown one sets it to 0. */
	if (!strncmp(prev, "--", 2) && (!optopt || strchr(prev, '='))) {
		if (optopt)
			return sfn_cmd_usage_error(
				name, "option '%.*s' takes no value",
				(int)(strchr(prev, '=') - prev), prev);
		return sfn_cmd_usage_error(name, "unknown option '%s'", prev);
	}
	/* An unknown short option inside a cluster ("-$x") leaves optind on
	 * the cluster, so argv[optind - 1] is the argument before it: name
	 * the character instead. */
	if (optopt && optopt != '?')
		return sfn_cmd_usage_error(
			name, "unknown option '-%c'%s", optopt,
			strcmp(name, "jsonata") ? ""
						: " (an expression that "
						  "starts with '-' goes "
						  "after '--')");
	return sfn_cmd_usage_error(name, "unknown option '%s'", prev);
}

int sfn_cmd_missing_value(const char *name, char **argv)
{
	return sfn_cmd_usage_error(name, "option '%s' needs a value",
				   argv[optind - 1]);
}

int sfn_cmd_not_yet(const char *name, int issue, int argc, char **argv)
{
	const struct sfn_cmd *cmd = sfn_cmd_find(name);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			sfn_cmd_print_help(cmd, stdout);
			printf("\nnot available yet: issue #%d has not "
			       "landed\n",
			       issue);
			return SFN_EXIT_OK;
		}
	}
	fprintf(stderr,
		"sfn %s: not available yet: issue #%d has not landed in this "
		"build\n",
		name, issue);
	return SFN_EXIT_USAGE;
}

int sfn_color_parse(const char *name, const char *arg, int *mode)
{
	if (!strcmp(arg, "auto"))
		*mode = SFN_COLOR_AUTO;
	else if (!strcmp(arg, "always"))
		*mode = SFN_COLOR_ALWAYS;
	else if (!strcmp(arg, "never"))
		*mode = SFN_COLOR_NEVER;
	else
		return sfn_cmd_usage_error(
			name, "--color wants auto, always or never, not '%s'",
			arg);
	return 0;
}

bool sfn_color_enabled(enum sfn_color mode, int fd)
{
	const char *no = getenv("NO_COLOR");
	if (mode == SFN_COLOR_ALWAYS)
		return true;
	if (mode == SFN_COLOR_NEVER || (no && *no))
		return false;
	return isatty(fd);
}

const char *sfn_display_name(const char *path)
{
	return strcmp(path, "-") ? path : "<stdin>";
}

static void print_main_help(FILE *out)
{
	fprintf(out,
		"usage: sfn [--version] [--help] command [args]\n\n"
		"AWS Step Functions state machines, away from the cloud.\n\n"
		"commands:\n");
	for (const struct sfn_cmd *c = sfn_commands; c->name; c++)
		fprintf(out, "  %-12s %s\n", c->name, c->summary);
	fprintf(out, "\n'sfn help COMMAND' or 'sfn COMMAND --help' for a "
		     "command's options.\n\n" EXIT_CODES);
}

int cmd_help(int argc, char **argv)
{
	const struct sfn_cmd *cmd;
	if (argc < 2) {
		print_main_help(stdout);
		return SFN_EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		sfn_cmd_print_help(sfn_cmd_find("help"), stdout);
		return SFN_EXIT_OK;
	}
	if (argc > 2)
		return sfn_cmd_usage_error("help", "too many arguments");
	cmd = sfn_cmd_find(argv[1]);
	if (!cmd) {
		fprintf(stderr,
			"sfn help: no command '%s'; 'sfn --help' "
			"lists them\n",
			argv[1]);
		return SFN_EXIT_USAGE;
	}
	if (cmd->fn == cmd_help) {
		sfn_cmd_print_help(cmd, stdout);
		return SFN_EXIT_OK;
	}
	char *sub[] = { argv[1], (char *)"--help", NULL };
	return cmd->fn(2, sub);
}

int main(int argc, char **argv)
{
	const struct sfn_cmd *cmd;
	int rc;

	sfn_alloc_init();
	if (argc < 2) {
		print_main_help(stderr);
		return SFN_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_main_help(stdout);
		rc = SFN_EXIT_OK;
	} else if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("sfn %s\n", SFN_VERSION);
		rc = SFN_EXIT_OK;
	} else if ((cmd = sfn_cmd_find(argv[1]))) {
		rc = cmd->fn(argc - 1, argv + 1);
	} else {
		fprintf(stderr,
			"sfn: '%s' is not a command; 'sfn --help' "
			"lists them\n",
			argv[1]);
		return SFN_EXIT_USAGE;
	}
	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, "sfn: write error on stdout: %s\n",
				strerror(errno));
		return rc ? rc : SFN_EXIT_HOST;
	}
	return rc;
}
