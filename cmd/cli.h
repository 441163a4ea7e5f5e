/*
 * cli: what several subcommands print the same way: diagnostics, load
 * errors and failed executions, in the one grammar of README "What goes to
 * standard error".
 */
#ifndef SFN_CLI_H
#define SFN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "base/base.h"

/* "FILE:LINE:COL: error|warning: MESSAGE [CODE]" (":LINE:COL" only if known).
 */
void sfn_cli_print_diag(FILE *out, const char *file, const struct sfn_diag *d,
			bool color);
/*
 * A file that could not be read or parsed:
 * "FILE:LINE:COL: error: CAUSE [SFN_PARSE]" (or SFN_IO). Returns the exit code
 * for it (3).
 */
int sfn_cli_print_load_error(FILE *out, const char *file,
			     const struct sfn_error *err, bool color);
/*
 * A failed execution, one line:
 * "sfn: FILE:LINE:COL: state 'NAME' failed: ERROR: CAUSE"; a cause with a
 * line break prints as a JSON string. @state may be NULL (the execution
 * itself failed, e.g. States.Timeout of the machine).
 */
void sfn_cli_print_failure(FILE *out, const char *file, int line, int col,
			   const char *state, const char *error,
			   const char *cause);

#endif
