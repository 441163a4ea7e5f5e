/*
 * test_state: AWS's TestState API over the interpreter. Takes the request
 * object (sfn-features.md §5.1), checks it with AWS's rules and message
 * texts, runs the one state and builds the response object (§5.2).
 */
#ifndef SFN_TEST_STATE_H
#define SFN_TEST_STATE_H

#include <stdbool.h>

#include <jansson.h>

#include "base/base.h"
#include "task/task.h"

/* What the host provides: clock, randomness, Task backends, identity. */
struct sfn_test_state_host {
	struct sfn_task_env *task_env; /* may be NULL: no real Tasks */
	double start_time;	       /* epoch seconds */
	bool pinned_clock;
	double time_scale; /* Waits and retries; 0: no real waiting */
	double (*monotonic)(void *ud);
	void (*random)(void *ud, void *buf, size_t n);
	void *ud;
	const char *region;		/* "us-east-1" */
	const char *state_machine_name; /* for $$ and ARNs */
	const char *execution_name;
};

/*
 * Runs the TestState @request (borrowed; "definition" a JSON string as the
 * API takes it, or the parsed object). Returns 0 with *@response (new), or
 * -1 with @err: name "ValidationException", "InvalidDefinition" or
 * "InvalidExecutionInput", cause AWS's message, where (InvalidDefinition)
 * the JSON Pointer in the definition.
 */
int sfn_test_state(const json_t *request, const struct sfn_test_state_host *h,
		   json_t **response, struct sfn_error *err);

#endif
