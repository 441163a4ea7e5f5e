/* Inside lib/suite: a history read back as state visits. */
#ifndef SFN_SUITE_INT_H
#define SFN_SUITE_INT_H

#include "suite/suite.h"

/* One entry into a state, and what happened there. */
struct visit {
	const char *state; /* borrowed from the events */
	char *scope;	   /* x-scope as JSON text ("[]" at top level); owned */
	bool top;	   /* at the top level of the machine */
	json_t *input;	   /* parsed stateEntered input; owned, may be NULL */
	json_t *output;	   /* parsed stateExited output; owned, may be NULL */
	bool exited;	   /* a *StateExited followed */
	unsigned attempts; /* Task/Lambda/Activity scheduled, Parallel/Map
			      started */
	/* Errors of the failed attempts, in order (borrowed), NULL-terminated.
	 */
	const char **errors;
	size_t n_errors;
	long next; /* index of the next visit in the same scope, or -1 */
	/* The Choice rule the interpreter says it took ("x-choiceRule" on
	 * ChoiceStateExited): its index, -1 for Default, -2 when not said. */
	long choice_rule;
};

struct trace {
	struct visit *v; /* owned array of n */
	size_t n;
};

/* Reads @events (borrowed, must outlive the trace) into visits. */
void trace_build(struct trace *t, json_t *events);
void trace_release(struct trace *t);

/* Does error @name match ErrorEquals entry @pattern, as Retry/Catch do? */
bool error_matches(const char *pattern, const char *name);

#endif
