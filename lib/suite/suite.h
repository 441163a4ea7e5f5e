/*
 * suite: test suites for state machines (sfn test). A test file names a
 * definition and a list of cases; each case gives an input, mocks, and what
 * it expects of the execution: status, output, error and cause, states
 * visited or not, counts, retries, the input a state received, JSONPath and
 * JSONata assertions. The suite knows nothing of how executions run: the
 * caller runs each case and hands back its outcome (status, output, error,
 * history events), which the suite checks and adds to the state coverage.
 */
#ifndef SFN_SUITE_H
#define SFN_SUITE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/base.h"

struct sfn_suite;

struct sfn_suite_case {
	char *name;	 /* owned */
	json_t *input;	 /* owned; {} when not given */
	char *test_case; /* a test case of the suite's mock file; owned, may be
			    NULL */
	json_t *mocks; /* inline mocks: state -> response(s); owned, may be NULL
			*/
	char *execution_name; /* owned, may be NULL (a UUID then) */
	json_t *expect;	      /* owned object; {} when not given */
	char *where;   /* JSON Pointer of the case in the test file; owned */
	int line, col; /* its position */
};

/*
 * Loads a test file (YAML or JSON). Paths in it are resolved against the
 * file's directory. NULL with @err set (position in err->line/col, file
 * named in the cause) when the file cannot be read or is not a test suite.
 */
struct sfn_suite *sfn_suite_load(const char *path, struct sfn_error *err);
void sfn_suite_free(struct sfn_suite *s);

const char *sfn_suite_path(const struct sfn_suite *s);
/* The definition (or template) file, resolved. */
const char *sfn_suite_definition(const struct sfn_suite *s);
const char *sfn_suite_logical_id(const struct sfn_suite *s); /* may be NULL */
/* The state machine name mocks are keyed by; NULL: the definition's. */
const char *sfn_suite_state_machine_name(const struct sfn_suite *s);
const char *sfn_suite_mock_config(const struct sfn_suite *s); /* may be NULL */
const char *sfn_suite_config(const struct sfn_suite *s);      /* may be NULL */
size_t sfn_suite_n_cases(const struct sfn_suite *s);
const struct sfn_suite_case *sfn_suite_case(const struct sfn_suite *s,
					    size_t i);

/*
 * The MockConfigFile a case runs with: @file_mocks (borrowed, may be NULL)
 * plus the case's inline mocks, as a new object, with *@test_case set to
 * the test case name to use (borrowed from the result or the case). NULL
 * when the case uses no mocks at all.
 */
json_t *sfn_suite_case_mocks(const struct sfn_suite_case *c,
			     const char *state_machine_name, json_t *file_mocks,
			     const char **test_case);

struct sfn_coverage;

/*
 * What makes a case meaningless before it runs: a state name in its mocks
 * or expectations that @cov's definition does not have (nested states
 * count), a testCase that @file_mocks (borrowed, may be NULL; read from
 * @mock_path) lacks for @state_machine_name. Appends one line per problem
 * to @report and returns how many; 0: the case can run.
 */
int sfn_suite_case_lint(const struct sfn_suite_case *c,
			const struct sfn_coverage *cov, json_t *file_mocks,
			const char *mock_path, const char *state_machine_name,
			struct sfn_strbuf *report);

/* What a case's execution ended with. All borrowed. */
struct sfn_outcome {
	const char *status; /* "SUCCEEDED", "FAILED", ... */
	json_t *output;	    /* SUCCEEDED only */
	const char *error;
	const char *cause;
	json_t *events; /* the history: HistoryEvent objects with "x-scope" */
};

/*
 * Checks @o against @c's expectations. Appends one line per failed
 * expectation to @report (with a diff of expected and actual where values
 * differ) and returns how many failed; 0 means the case passed. A malformed
 * expectation counts as a failure and says what is wrong with it.
 */
int sfn_suite_check(const struct sfn_suite_case *c, const struct sfn_outcome *o,
		    struct sfn_strbuf *report);

/* ---- state coverage ---- */

/* Coverage of @definition (borrowed: the ASL object, kept referenced). */
struct sfn_coverage *sfn_coverage_create(json_t *definition, const char *name);
void sfn_coverage_free(struct sfn_coverage *cov);
/* Is @name a state of the definition, at any depth? */
bool sfn_coverage_has_state(const struct sfn_coverage *cov, const char *name);
/* Its "Type" ("?" when it has none), or NULL when there is no such state. */
const char *sfn_coverage_state_type(const struct sfn_coverage *cov,
				    const char *name);
/* Adds what one execution's @events covered. Not thread-safe. */
void sfn_coverage_add(struct sfn_coverage *cov, json_t *events);
/*
 * The coverage as JSON: {"name", "states": {name: {"type", "entered"}},
 * "choices": {name: {"rules": [n...], "default": n}}, "catches":
 * {name: [n...]}, "retries": {name: [n...]}, "branches": {name: [n...]},
 * "summary": {"states": [covered, total], "branches": [covered, total]}}.
 * Counts are times taken. New reference.
 */
json_t *sfn_coverage_json(const struct sfn_coverage *cov);
/* A table for people, with the untested parts listed. */
void sfn_coverage_text(const struct sfn_coverage *cov, struct sfn_strbuf *sb);

#endif
