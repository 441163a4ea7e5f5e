/*
 * cmd: the sfn command line. Each subcommand is one file, cmd_<name>(), and
 * a row in sfn.c's table. Only cmd/ prints, exits or reads the environment.
 */
#ifndef SFN_CMD_H
#define SFN_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "base/base.h"

/* The exit codes every subcommand uses (README, sfn --help). */
enum sfn_exit {
	SFN_EXIT_OK = 0,   /* success */
	SFN_EXIT_FAIL = 1, /* execution FAILED/TIMED_OUT, errors found, request
			      rejected */
	SFN_EXIT_USAGE =
		2, /* unknown flag, missing argument, conflicting options */
	SFN_EXIT_INPUT = 3, /* an input file unreadable or unparsable */
	SFN_EXIT_HOST = 4,  /* write error, journal I/O, out of resources */
	SFN_EXIT_INTERRUPTED =
		130 /* SIGINT; the execution is recorded as ABORTED */
};

struct sfn_cmd {
	const char *name;    /* as typed: "test-state" */
	const char *summary; /* one line for 'sfn --help' */
	const char *usage;   /* the synopsis, without "usage: " */
	const char *help;    /* option lines for 'sfn CMD --help' */
	int (*fn)(int argc, char **argv);
};

/* The subcommand table, sorted by name, NULL-terminated by name. */
extern const struct sfn_cmd sfn_commands[];
const struct sfn_cmd *sfn_cmd_find(const char *name);

/* Prints @cmd's usage and help to @out. */
void sfn_cmd_print_help(const struct sfn_cmd *cmd, FILE *out);
/*
 * The usage error of every subcommand: "sfn CMD: MESSAGE" and the usage
 * line on stderr. Returns SFN_EXIT_USAGE.
 */
int sfn_cmd_usage_error(const char *name, const char *fmt, ...)
	SFN_PRINTF(2, 3);
/*
 * sfn_cmd_usage_error for the option getopt_long has just refused as
 * unknown (it returned '?'), named as the user wrote it.
 */
int sfn_cmd_unknown_option(const char *name, char **argv);
/*
 * sfn_cmd_usage_error for the option getopt_long has just found without
 * its value (it returned ':', the option string starting with ':').
 */
int sfn_cmd_missing_value(const char *name, char **argv);
/* For subcommands whose issue has not landed: says so, returns 2. */
int sfn_cmd_not_yet(const char *name, int issue, int argc, char **argv);

/* --color=auto|always|never and NO_COLOR. */
enum sfn_color { SFN_COLOR_AUTO, SFN_COLOR_ALWAYS, SFN_COLOR_NEVER };
/*
 * Parses subcommand @name's --color argument @arg into *@mode: 0, or a
 * usage error's exit code (2, after saying what it wants) when @arg is
 * not one of the three.
 */
int sfn_color_parse(const char *name, const char *arg, int *mode);
/* Whether to color @fd under @mode (NO_COLOR and isatty decide "auto"). */
bool sfn_color_enabled(enum sfn_color mode, int fd);

/* The file name diagnostics print for @path: "<stdin>" for "-". */
const char *sfn_display_name(const char *path);

int cmd_describe(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_jsonata(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_redrive(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_test_state(int argc, char **argv);
int cmd_validate(int argc, char **argv);

#endif
