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

/*
 * The journal root: @flag (--journal-dir) if given, else $SFN_JOURNAL_DIR,
 * else ".sfn" in the working directory. Borrowed.
 */
const char *sfn_cli_journal_root(const char *flag);
/*
 * The execution directory @arg names: a directory holding a journal, that
 * journal file itself, or an execution name in @root; with @last, the most
 * recently started execution in @root. Prints why on stderr and returns NULL
 * when there is none. The result is the caller's to free.
 */
char *sfn_cli_find_execution(const char *cmd, const char *root, const char *arg,
			     bool last);
/* The directory part of @path ("." when none, "/" for the root); a new
 * string. */
char *sfn_cli_dirname(const char *path);

/*
 * Standard input can be read once: of the @n files @paths names (NULL: not
 * given), at most one may be "-". Otherwise prints a usage error naming
 * two of them by @what ("--input-file", "the definition") and returns its
 * exit code (2); else 0.
 */
int sfn_cli_one_stdin(const char *cmd, size_t n, const char *const what[],
		      const char *const paths[]);
/* Now, in epoch seconds: $SFN_TEST_NOW when set (tests), else the clock. */
double sfn_cli_now(void);

#endif
