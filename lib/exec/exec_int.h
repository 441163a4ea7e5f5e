/* Inside lib/exec: what the interpreter's files share. */
#ifndef SFN_EXEC_INT_H
#define SFN_EXEC_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "exec/exec.h"

/* AWS's payload quota (asl-core.md §12). */
#define SFN_PAYLOAD_MAX 262144
/* STANDARD history quota. */
#define SFN_HISTORY_MAX 25000
/* EXPRESS maximum duration, seconds. */
#define SFN_EXPRESS_MAX 300.0
/* AWS caps inline Map concurrency at 40. */
#define SFN_INLINE_MAX 40

/*
 * Adds @key (the compact JSON of @v, as a string) and "@keyDetails"
 * ({"truncated": false}) to event details @d, as AWS's history events carry
 * inputs and outputs; nothing when @v is NULL.
 */
void sfn_event_add_payload(json_t *d, const char *key, const json_t *v);

struct group;

struct sfn_exec {
	const struct sfn_machine *m;
	struct sfn_exec_options o;
	char *arn;		  /* owned */
	char *sm_arn;		  /* owned */
	json_t *ctx_execution;	  /* $$.Execution; owned */
	json_t *ctx_statemachine; /* $$.StateMachine; owned */
	double mono_start;
	atomic_uint_fast64_t n_events;
	/* Of those, the events of distributed Map children: each child is an
	 * execution of its own on AWS, with a history (and its 25,000
	 * events quota) apart from its parent's. */
	atomic_uint_fast64_t n_child_events;
	atomic_uint_fast64_t n_transitions;
	atomic_int aborted;
	atomic_int timed_out; /* the execution's TimeoutSeconds passed */
	pthread_mutex_t lock; /* sink, mock counters, group registry */
	/* Threads started for branches and iterations and not yet joined:
	 * while there are none, only the thread that runs the execution
	 * emits events, and it does so without taking @lock. */
	atomic_uint workers;
	/* The last event's timestamp; emitted as the events are. */
	double last_stamp;
	json_t *invocations;  /* state name -> calls so far; owned */
	struct group *groups; /* top-level groups, for abort */
	double timeout;	      /* seconds; 0 = none */
	/* sfn test-state: the retrier or catcher that matched (-1: none). */
	int test_retry, test_catch;
	double test_backoff;
};

/* sfn test-state: hands a data-flow step to o.test->inspect. */
void sfn_exec_test_inspect(struct sfn_exec *x, const char *step,
			   const json_t *value);
/* sfn test-state: the mock's result (new) or error, as a Task backend. */
enum sfn_task_outcome sfn_exec_test_mock(struct sfn_exec *x, json_t **result,
					 struct sfn_error *err);

/*
 * A cancellable set of concurrent frames (one Parallel or Map run). A
 * cancelled group cancels its child groups too.
 */
struct group {
	atomic_int cancel;
	/* On the virtual clock (time scale 0) a failure does not cancel the
	 * siblings at once: they run on until their clock passes the
	 * failure's (elapsed seconds; INFINITY: none yet), and one that
	 * fails earlier on it decides instead. */
	_Atomic double fail_at;
	struct group *parent;	    /* NULL: top level */
	struct group *children;	    /* registry, under sfn_exec.lock */
	struct group *next_sibling; /* in the parent's list */
};

#endif
