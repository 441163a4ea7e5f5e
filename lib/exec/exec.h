/*
 * exec: the interpreter. Runs a compiled state machine (asl/model.h) with
 * AWS's semantics: JSONPath and JSONata data flow through one evaluation
 * interface, Choice, Wait, Retry/Catch, Parallel branches and Map
 * iterations on threads, the Context object and variables. It never reads
 * the environment or the clock itself: time, ids and randomness come from
 * the options. Every history event goes through one sink.
 */
#ifndef SFN_EXEC_H
#define SFN_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "asl/model.h"
#include "base/base.h"
#include "task/task.h"

enum sfn_exec_status {
	SFN_EXEC_RUNNING,
	SFN_EXEC_SUCCEEDED,
	SFN_EXEC_FAILED,
	SFN_EXEC_TIMED_OUT,
	SFN_EXEC_ABORTED,
};

/* "SUCCEEDED", "FAILED", ... */
const char *sfn_exec_status_name(enum sfn_exec_status s);

/*
 * One history event as the interpreter hands it over: GetExecutionHistory's
 * HistoryEvent ({timestamp, type, id, previousEventId, <x>EventDetails})
 * plus "x-" fields of ours. It stays in parts so that a journal can write
 * it straight to bytes (sfn_event_write) without building JSON objects;
 * sfn_event_json builds the same event as JSON. All borrowed; the strings
 * are literals (static storage) but for @state, the machine's, which lives
 * as long as the machine: a sink may keep them (the journal's writer thread
 * formats events after emit returns, holding references to the values).
 */
struct sfn_event {
	uint64_t id, previous_id;
	double timestamp; /* epoch seconds */
	const char *type; /* "PassStateEntered", ... */
	/* "stateEnteredEventDetails", ...; NULL: the event has no details. */
	const char *details_key;
	/*
	 * A state's Entered/Exited event: @state is its name and the details
	 * are {"name": state, payload_key: payload serialised as a string,
	 * payload_key "Details": {"truncated": false}} (the payload members
	 * only when @payload is not NULL) followed by the members of
	 * @details. Other events: @state is NULL and @details is all.
	 */
	const char *state;
	/* A Map iteration's event: "index" follows "name" (has_index). */
	bool has_index;
	json_int_t index;
	const char *payload_key; /* "input" or "output" */
	const json_t *payload;
	const json_t *details; /* an object; may be NULL */
	/* "x-scope": the Parallel branch / Map iteration path the event
	 * belongs to, e.g. [["Fanout",3]]; NULL at top level. The
	 * interpreter gives it as text (scope_text). */
	const json_t *scope;
	bool replayed; /* "x-replayed": a Task result served from the journal */
	/* "x-choiceRule" of a ChoiceStateExited event: the index of the
	 * rule taken, -1 for Default, SFN_EVENT_NO_RULE for none. */
	long choice_rule;
	/*
	 * The text of the payload or the scope, exactly what sfn_event_write
	 * would write for them, with @payload or @scope NULL: the scope's
	 * from the interpreter, which keeps it as text; the payload's from a
	 * sink that renders it ahead (the journal, on the emitting thread,
	 * for small values).
	 */
	const char *payload_text, *scope_text;
	size_t payload_text_len, scope_text_len;
};
#define SFN_EVENT_NO_RULE (-2L)
/*
 * The details keys of the StateEntered and StateExited events, and their
 * payloads' keys: the interpreter's events point at these very strings,
 * so that a sink can tell them apart by address.
 */
extern const char sfn_event_entered_key[], sfn_event_exited_key[];
extern const char sfn_event_input_key[], sfn_event_output_key[];

/* The event as a JSON object (a new reference). */
json_t *sfn_event_json(const struct sfn_event *ev);
/* What sfn_event_write keeps between calls, to save work; zero it first. */
struct sfn_event_writer {
	int64_t ms;  /* the instant formatted in ts */
	char ts[48]; /* as long as event.c's PAD */
	size_t ts_len;
	/* The last event's id, in digits (id_len 0: none yet): ids count up
	 * by one, and a previousEventId is most often the id before. */
	uint64_t id;
	int id_len;
	char id_text[SFN_NUMBUF];
	/*
	 * Values written lately and their text, by address: a state's input
	 * is most often the value the state before it output (in the same
	 * iteration, when a Map's iterations interleave), the events of a
	 * Map iteration share one "x-scope", and values never change once
	 * made, so the same value is written again by copying. No references
	 * are held: the caller keeps the values of the events written alive
	 * until it calls sfn_event_writer_forget().
	 */
	struct sfn_event_text {
		const json_t *v;
		struct sfn_strbuf text;
	} payloads[16], scopes[8];
	/* Large arrays and objects inside payloads, the same way. */
	struct sfn_json_text_cache *big;
	/*
	 * The fixed text of each shape of event, made once: type, details
	 * key, state name, payload key and whether an index follows the
	 * name decide everything between the instant, the ids and the
	 * payload. Found by the addresses of the type and the name (the
	 * literals are static storage; the name, the machine's, is matched
	 * by content too, once after each sfn_event_writer_forget: until
	 * then the names of the events written are alive, so an address
	 * names one name) in one of four slots in a row.
	 */
	struct sfn_event_shape {
		const char *type, *key, *pkey, *state;
		bool has_index;
		unsigned seen; /* the epoch its name was last matched in */
		char *raw;     /* owned copy of the state name */
		/* `","type":"T","id":` */
		struct sfn_strbuf head;
		/* `,"K":{` + `"name":"N"`, then `,"index":` or `,"P":` */
		struct sfn_strbuf mid;
		/* after the index: `,"P":` */
		struct sfn_strbuf mid2;
		/* after the payload: `,"PDetails":{"truncated":false}` */
		struct sfn_strbuf tail;
	} shapes[64];
	unsigned shape_evict; /* which of the four goes next */
	unsigned epoch;	      /* sfn_event_writer_forget calls, plus one */
};
void sfn_event_writer_release(struct sfn_event_writer *w);
/* Forgets the values and the state names written so far: they may be
 * freed from now on. */
void sfn_event_writer_forget(struct sfn_event_writer *w);
/*
 * Appends the event as one line of compact JSON without the newline: the
 * bytes sfn_json_dump(sb, sfn_event_json(ev), 0) appends, much faster.
 */
void sfn_event_write(struct sfn_strbuf *sb, struct sfn_event_writer *w,
		     const struct sfn_event *ev);

/*
 * Where history events go. @event is borrowed for the call. Calls are
 * serialised by the interpreter (never concurrent).
 */
struct sfn_event_sink {
	/* Returns true when settle must be called for this event. */
	bool (*emit)(void *ud, const struct sfn_event *event);
	void *ud;
	/* May be NULL. The execution is about to wait (a Wait state, a
	 * retry's backoff): a sink that batches events writes them now, so
	 * what happened so far shows while it waits. */
	void (*idle)(void *ud);
	/*
	 * May be NULL. Called after an emit that asked for it, by the
	 * thread that emitted and outside the serialisation of emits: a sink
	 * finishes here what must be done before that thread goes on but need
	 * not hold up the others (waiting for a durable event to reach the
	 * disk).
	 */
	void (*settle)(void *ud);
	/*
	 * May be NULL. An upper bound of the compact JSON size of @v, a
	 * state's output about to be emitted, from the text the sink makes
	 * of it for that event anyway; SIZE_MAX when it has none. The
	 * payload quota takes it instead of measuring @v again. Called only
	 * while one thread emits, as emit is.
	 */
	size_t (*measure)(void *ud, const json_t *v);
};

/* An in-memory sink: the events in order, as a JSON array. */
struct sfn_event_log {
	json_t *events; /* owned array */
};
void sfn_event_log_init(struct sfn_event_log *log);
void sfn_event_log_release(struct sfn_event_log *log);
/* A sink appending to @log. */
struct sfn_event_sink sfn_event_log_sink(struct sfn_event_log *log);

/* What -v prints: one call per transition. All borrowed. */
struct sfn_trace_info {
	const char *state;
	const char *type;    /* "Pass", ... */
	const json_t *scope; /* as "x-scope"; may be NULL at top level */
	double elapsed;	     /* seconds since the execution started */
	unsigned retries;    /* $$.State.RetryCount */
	const char *note;    /* "retry in 2s", "caught States.Timeout", ... */
	/* A Map's progress: iterations done of total (0 otherwise). */
	size_t done, total;
};

/*
 * sfn redrive: resume a journaled execution instead of starting one
 * (journal/journal.h plans it). All borrowed.
 */
struct sfn_exec_resume {
	const char *state;   /* resume at this top-level state; NULL: StartAt */
	json_t *input;	     /* that state's input */
	json_t *variables;   /* top-level variables to restore; may be NULL */
	json_t *invocations; /* state -> Tasks scheduled before (mock counters);
				may be NULL */
	unsigned redrive_count; /* $$.Execution.RedriveCount */
	const char *start_date; /* the first attempt's StartTime */
	uint64_t last_event_id; /* new events are numbered after it */
	uint64_t child_events;	/* of those, distributed Map children's */
};

struct sfn_exec_options {
	json_t *input; /* borrowed; the execution input */
	const char *state_machine_name;
	const char *execution_name;
	const char *region;  /* "us-east-1" */
	const char *account; /* "123456789012" */
	bool express;	     /* EXPRESS type */
	double start_time;   /* epoch seconds of the start */
	/*
	 * Multiplies every Wait and retry interval; 0 means no real waiting,
	 * while the clock the execution sees advances as if it had waited.
	 */
	double time_scale;
	/* Real time stops at start_time (only waits advance the clock). */
	bool pinned_clock;
	/* Monotonic seconds, for real elapsed time. Required. */
	double (*monotonic)(void *ud);
	/* Fills @buf with random bytes (UUIDs, jitter). Required. */
	void (*random)(void *ud, void *buf, size_t n);
	void *ud;
	struct sfn_task_env *task_env;	   /* borrowed; may be NULL: no Tasks */
	unsigned max_threads;		   /* 0: a default */
	bool no_payload_limit;		   /* lift the 256 KiB payload quota */
	bool no_history_limit;		   /* lift the 25,000 events quota */
	bool no_duration_limit;		   /* lift the 5 minutes of EXPRESS */
	const struct sfn_event_sink *sink; /* may be NULL */
	/*
	 * Resume instead of a fresh start (start_time is then the redrive's
	 * time); NULL: a fresh start.
	 */
	const struct sfn_exec_resume *resume;
	/* Called for each state entered, from any thread (serialised). */
	void (*trace)(void *ud, const struct sfn_trace_info *info);
	/* sfn test-state: what sfn_exec_test_run runs; NULL otherwise. */
	const struct sfn_exec_test *test;
};

struct sfn_exec_result {
	enum sfn_exec_status status;
	json_t *output;	  /* SUCCEEDED: owned */
	char *error;	  /* otherwise: owned, may be NULL */
	char *cause;	  /* owned, may be NULL */
	char *state;	  /* the state that failed, if one did; owned */
	char *where;	  /* its JSON Pointer; owned */
	double stop_time; /* epoch seconds */
	uint64_t n_events;
	uint64_t n_transitions; /* states entered */
};
void sfn_exec_result_release(struct sfn_exec_result *r);

struct sfn_exec;

/* @m and the strings of @opts are borrowed and must outlive the run. */
struct sfn_exec *sfn_exec_create(const struct sfn_machine *m,
				 const struct sfn_exec_options *opts);
void sfn_exec_free(struct sfn_exec *x);

/* Runs the execution to its end. Returns 0 (see @res for the outcome). */
int sfn_exec_run(struct sfn_exec *x, struct sfn_exec_result *res);

/*
 * Stops the execution as StopExecution does (status ABORTED): running
 * branches and Tasks are cancelled. Safe from any thread, not from a
 * signal handler.
 */
void sfn_exec_abort(struct sfn_exec *x);

/*
 * sfn test-state (TestState): one state run once, in isolation. Retriers
 * are not waited on but reported (RETRIABLE), a matching catcher ends the
 * run (CAUGHT_ERROR). All borrowed. lib/exec/test_state.h builds these
 * from a TestState request.
 */
struct sfn_exec_test {
	const struct sfn_state *state; /* may be nested in a Map/Parallel */
	json_t *input;
	json_t *variables; /* visible variables; may be NULL */
	json_t *map_item;  /* $$.Map.Item ({Index, Value}); may be NULL */
	/* A Task/Map/Parallel mock: its result, or its error (cause). */
	json_t *mock_result;
	const char *mock_error, *mock_cause;
	/* How many retries already happened (stateConfiguration). */
	unsigned retrier_retry_count;
	/* A Map's items as if its ItemReader read them; may be NULL. */
	json_t *items;
	/* The given Context object's State fields ($$.State); may be NULL. */
	json_t *context_state;
	/*
	 * Each data-flow step of the tested state: "afterInputPath",
	 * "afterParameters", "afterArguments", "result",
	 * "afterResultSelector", "afterResultPath", "afterItemsPath",
	 * "afterItemSelector" (per item, in order), and "http" (the Task's
	 * {request, response}). @value is borrowed for the call.
	 */
	void (*inspect)(void *ud, const char *step, const json_t *value);
	void *ud;
};

enum sfn_test_status {
	SFN_TEST_SUCCEEDED,
	SFN_TEST_FAILED,
	SFN_TEST_RETRIABLE,
	SFN_TEST_CAUGHT_ERROR,
};

struct sfn_exec_test_result {
	enum sfn_test_status status;
	json_t *output;		/* SUCCEEDED, CAUGHT_ERROR; owned */
	char *error, *cause;	/* owned, may be NULL */
	const char *next_state; /* borrowed from the model; may be NULL */
	int retry_index;	/* RETRIABLE: the matching retrier */
	double retry_backoff;	/* its interval for this retry, seconds */
	int catch_index;	/* CAUGHT_ERROR: the matching catcher */
	json_t *variables;	/* the frame's variables after; owned */
};
void sfn_exec_test_result_release(struct sfn_exec_test_result *r);

/* Runs opts->test once (create @x with it set). Returns 0. */
int sfn_exec_test_run(struct sfn_exec *x, struct sfn_exec_test_result *r);

/* The execution's ARN and its state machine's. Borrowed. */
const char *sfn_exec_arn(const struct sfn_exec *x);
const char *sfn_exec_state_machine_arn(const struct sfn_exec *x);

/* A UUID v4 string from 16 random bytes. */
void sfn_format_uuid(char buf[37], const unsigned char rnd[16]);

#endif
