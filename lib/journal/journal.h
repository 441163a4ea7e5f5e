/*
 * journal: an execution's history on disk, durable and append-only.
 *
 * Each execution is a directory ROOT/NAME/ (mode 0700) holding
 * journal.ndjson (mode 0600): one header line that pins what a redrive
 * needs, then one line per history event, each a JSON object. Appends are
 * buffered; a durable append (a Task scheduled, a Task's result) writes
 * everything buffered and fdatasyncs before it returns, and concurrent
 * durable appends share one sync (group commit). A torn last line (a crash
 * mid-write) is detected and ignored on read, never misread. An advisory
 * lock (flock) on the file keeps two processes from driving one execution.
 *
 * The journal knows nothing of event shapes: the interpreter writes AWS's
 * GetExecutionHistory events, minus secrets, which it masks before calling.
 */
#ifndef SFN_JOURNAL_H
#define SFN_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/base.h"

#define SFN_JOURNAL_FILE "journal.ndjson"
/* The header's format tag ("x-journal"). */
#define SFN_JOURNAL_FORMAT "sfn/1"

struct sfn_journal;

enum sfn_journal_flags {
	SFN_JOURNAL_NO_SYNC =
		1 << 0, /* never fdatasync (test suites, throwaway runs) */
	/* The caller never appends from two threads at once (an
	 * interpreter emitting under its own lock): a record that needs no
	 * hand-over is queued without taking the journal's lock. */
	SFN_JOURNAL_SERIAL = 1 << 1,
};

/*
 * A header member written as @v's compact JSON text, made on the writer
 * thread instead of by the caller (for "definition" and the execution's
 * "input": a large input is a good part of a short run). A new reference;
 * @v is kept, and must not change.
 */
json_t *sfn_journal_deferred_text(const json_t *v);

/*
 * Creates ROOT/NAME/ and its journal with @header (borrowed) as first line
 * and takes the lock. The header is written by the writer thread, which
 * starts at once, and synced with the first durable append; a null
 * "definitionSha256" in it becomes the SHA-256 of its "definition" there,
 * off the execution's path. ROOT is created (0700) if missing. Fails
 * with err->name "ExecutionAlreadyExists" when NAME exists in ROOT, and
 * "SFN_IO" (cause naming the path and the system error) otherwise.
 */
struct sfn_journal *sfn_journal_create(const char *root, const char *name,
				       const json_t *header, int flags,
				       struct sfn_error *err);

/* What a journal holds, read back. */
struct sfn_journal_data {
	json_t *header; /* new reference */
	json_t *events; /* new reference: array of event objects, in file order
			 */
	bool torn;	/* the last line was incomplete and was ignored */
	bool locked;	/* another process holds the lock now (running) */
	size_t valid_bytes; /* length of the file up to the last whole line */
	json_t *child_maps; /* sfn_journal_child_maps's answer once asked */
};
void sfn_journal_data_release(struct sfn_journal_data *data);

/*
 * Reads the journal in @dir (an execution directory). A torn last line is
 * ignored (data->torn); any other unreadable line is an error
 * ("SFN_JOURNAL_CORRUPT", cause naming the file and line): nothing is ever
 * rewritten by reading. A journal with no header line is
 * "SFN_JOURNAL_STARTING" while its process holds the lock, and
 * "SFN_JOURNAL_NO_HEADER" once it is gone (it died before writing it).
 */
int sfn_journal_read(const char *dir, struct sfn_journal_data *data,
		     struct sfn_error *err);

/*
 * Opens the journal in @dir to append to it (redrive): takes the lock
 * (err->name "SFN_JOURNAL_LOCKED" if another process holds it), reads it
 * into @data, and cuts a torn last line off so new events follow whole
 * lines.
 */
struct sfn_journal *sfn_journal_open(const char *dir, int flags,
				     struct sfn_journal_data *data,
				     struct sfn_error *err);

/*
 * Appends @event (borrowed) as one line. Thread-safe. With @durable, the
 * line and everything before it are on disk when this returns. Returns 0,
 * or -1 with @err set (SFN_IO).
 */
int sfn_journal_append(struct sfn_journal *j, const json_t *event, bool durable,
		       struct sfn_error *err);
/*
 * How a deferred line is written: @write appends it, without the newline,
 * for the record @rec; then @release (may be NULL) frees what @rec holds.
 * Both run later, on the journal's writer thread or in a thread that
 * flushes, one record at a time and in append order; @state is theirs
 * (e.g. a cache kept between lines), used by one thread at a time.
 */
struct sfn_journal_format {
	void (*write)(struct sfn_strbuf *sb, void *rec, void *state);
	void (*release)(void *rec);
	void *state;
	/*
	 * May be NULL; called before the records of a batch are written
	 * (with this format's first record in it; formats that share
	 * @begin and @state share the call). A batch's records stay
	 * alive while it is written, those of the batches before may be
	 * released already: what @state remembers of them must go.
	 */
	void (*begin)(void *state);
};
/*
 * Appends a line that @fmt writes later from a record of @size bytes:
 * @fill copies what the line needs into the record (16-byte aligned)
 * while the journal's lock is held, taking references to anything it
 * keeps. So the hot path of a run only copies, and the formatting and
 * the write(2)s happen on another core. Thread-safe. With @durable, the
 * line and everything before it are formatted, written and on disk when
 * this returns. Returns 0, or -1 with @err set (SFN_IO).
 */
int sfn_journal_append_record(struct sfn_journal *j,
			      const struct sfn_journal_format *fmt, size_t size,
			      void (*fill)(void *rec, void *ud), void *ud,
			      bool durable, struct sfn_error *err);
/*
 * The fast path of sfn_journal_append_record, for a journal opened with
 * SFN_JOURNAL_SERIAL and a line that need not be durable: where a record
 * of @size bytes goes, at the end of the queue, for the caller to fill in
 * at once (taking references as @fill would); NULL when the queue must
 * be handed over first, and then sfn_journal_append_record does it. One
 * call and no lock per event on the run's hot path.
 */
void *sfn_journal_slot(struct sfn_journal *j,
		       const struct sfn_journal_format *fmt, size_t size);
/*
 * With SFN_JOURNAL_SERIAL: the record queued last, and in *@fmt its
 * format, if it is still waiting in the queue (not handed over, written
 * or followed by another line), for the appender to add to it before it
 * is written; else NULL. The queue may move when the next record is
 * queued: the pointer is good until then.
 */
void *sfn_journal_last(struct sfn_journal *j,
		       const struct sfn_journal_format **fmt);
/*
 * sfn_journal_append_record of a durable line in two steps, for a caller
 * that holds a lock of its own while it appends: this one queues the line
 * and formats and writes it with everything before it, without waiting
 * for the disk, and sets *@ticket; sfn_journal_sync_to(@ticket), called
 * after that lock is let go, waits until they are on disk. Meanwhile
 * other threads append and write, and one fdatasync covers every line
 * written before it began (group commit). Both return 0, or -1 with @err
 * set (SFN_IO).
 */
int sfn_journal_append_written(struct sfn_journal *j,
			       const struct sfn_journal_format *fmt,
			       size_t size, void (*fill)(void *rec, void *ud),
			       void *ud, unsigned long *ticket,
			       struct sfn_error *err);
int sfn_journal_sync_to(struct sfn_journal *j, unsigned long ticket,
			struct sfn_error *err);
/* The fdatasyncs of the journal's file so far (tests, benchmarks). */
unsigned long sfn_journal_sync_count(struct sfn_journal *j);
/*
 * Hands everything queued to the writer thread, without waiting for it
 * to be written (before the execution waits a while, so that what
 * happened so far shows).
 */
int sfn_journal_write_behind(struct sfn_journal *j, struct sfn_error *err);
/* Writes and syncs everything buffered. */
int sfn_journal_flush(struct sfn_journal *j, struct sfn_error *err);
/* Writes everything buffered, without waiting for the disk. */
int sfn_journal_flush_nosync(struct sfn_journal *j, struct sfn_error *err);
/* The execution directory, borrowed. */
const char *sfn_journal_dir(const struct sfn_journal *j);
/* Writes what is buffered (not synced), releases the lock, frees. */
int sfn_journal_close(struct sfn_journal *j, struct sfn_error *err);

/*
 * Calls @visit for each execution directory in @root (sorted by name) with
 * its path. Entries without a journal are skipped. Returns 0, or -1 with
 * @err set when @root cannot be read; a missing root is an empty list.
 */
int sfn_journal_list(const char *root,
		     void (*visit)(const char *dir, const char *name, void *ud),
		     void *ud, struct sfn_error *err);

/*
 * The header line, as the interpreter writes it (schemas/journal.schema.json):
 *
 *   {"x-journal": "sfn/1",
 *    "execution": {"executionArn", "stateMachineArn", "name",
 *                  "type": "STANDARD"|"EXPRESS", "startDate", "input"},
 *    "definition": "<the exact text>", "definitionSha256": "<hex>",
 *    "definitionPath": "<file as given>", "logicalId": <string|null>,
 *    "sfnVersion": "...", "settings": {<what decides what Tasks do>}}
 *
 * Event lines are AWS HistoryEvent objects ({id, previousEventId, type,
 * timestamp as an ISO 8601 string, <x>EventDetails}) plus "x-" keys.
 */

/* What an execution's journal says of it, DescribeExecution-shaped. */
enum sfn_journal_status {
	SFN_JSTATUS_RUNNING, /* a process holds the lock */
	SFN_JSTATUS_SUCCEEDED,
	SFN_JSTATUS_FAILED,
	SFN_JSTATUS_TIMED_OUT,
	SFN_JSTATUS_ABORTED,
	SFN_JSTATUS_DIED, /* no terminal event and no process: it crashed */
};
const char *sfn_journal_status_name(enum sfn_journal_status s);

/* Executions close for redrive this long after they stop (AWS: 14 days). */
#define SFN_REDRIVE_PERIOD_SECONDS (14 * 24 * 3600)
/* Executions started before this (2023-11-15T00:00:00Z, when AWS launched
 * RedriveExecution) are not redrivable. */
#define SFN_REDRIVE_LAUNCH 1700006400.0
/* A STANDARD execution is open for a year at most, redrives included. */
#define SFN_MAX_OPEN_SECONDS (365 * 24 * 3600)
/* AWS refuses a redrive once history holds this many events. */
#define SFN_REDRIVE_MAX_EVENTS 24999

/*
 * The DescribeExecution response for @data (a new object): executionArn,
 * stateMachineArn, name, status, startDate, stopDate, input, output or
 * error/cause, redriveCount, redriveDate, redriveStatus and
 * redriveStatusReason (AWS's texts), judged at time @now (epoch seconds).
 * A crashed execution shows status ABORTED with "x-processDied": true: it
 * stopped without finishing, and is redrivable as an aborted one is.
 * *@status (may be NULL) receives the precise status.
 */
json_t *sfn_journal_describe(const struct sfn_journal_data *data, double now,
			     enum sfn_journal_status *status);

/*
 * The name of the state an execution failed in: the state entered on the
 * terminal failure event's previousEventId path (a distributed Map for
 * its children), else the last state entered before it; NULL if none
 * (borrowed from @data).
 */
const char *sfn_journal_failed_state(const struct sfn_journal_data *data);

/*
 * A Distributed Map's children are executions of their own on AWS, with
 * histories apart from their parent's; the journal keeps their events
 * among the parent's (x-scope names the Map), for redrive and graph.
 * sfn_journal_child_maps returns the names of the distributed Map states
 * of @data's recorded definition, nested ones too (an object, name ->
 * true; empty when there are none; found the first time, then kept in
 * @data and borrowed), and sfn_journal_in_child whether event @ev ran
 * inside one of @maps.
 */
const json_t *sfn_journal_child_maps(const struct sfn_journal_data *data);
bool sfn_journal_in_child(const json_t *ev, const json_t *maps);

/* Is @type (may be NULL) a state's entry, "<Type>StateEntered"? */
static inline bool sfn_journal_type_is_entered(const char *type)
{
	return type && strlen(type) > 12 && sfn_ends_with(type, "StateEntered");
}

/*
 * Must an event of @type be on disk before the execution moves past it?
 * Yes for a Task scheduled (before its side effect starts) and for a
 * Task's result; the rest is batched and written, not synced (issue #6).
 */
/* The whole test, by name; sfn_journal_event_is_durable first. */
bool sfn_journal_type_is_durable(const char *type);
static inline bool sfn_journal_event_is_durable(const char *type)
{
	/* Every durable type starts with one of these: most events (two per
	 * state) leave here, without a call. */
	return type && (type[0] == 'T' || type[0] == 'L' || type[0] == 'A') &&
	       sfn_journal_type_is_durable(type);
}

/*
 * How to redrive an execution from its journal (sfn-features.md §1.8):
 * resume at the top-level state that was open when it stopped (the last one
 * entered: its input and the variables assigned before it are restored), and
 * within it serve every Task result the journal holds instead of calling the
 * Task again (so a Parallel re-runs only its failed branches' Tasks, a Map
 * only its failed iterations', and a crash never repeats a journaled Task).
 */
struct sfn_redrive_plan {
	char *state; /* resume here; NULL: from StartAt (nothing ran); owned */
	json_t *input; /* that state's input (the execution's when NULL state);
			  new */
	json_t *variables; /* name -> value assigned before it; new object */
	/*
	 * Recorded results: sfn_replay_key(state, scope, entry) (base.h) ->
	 * the raw result (as TaskSucceeded recorded it). New object.
	 */
	json_t *replay;
	/* State name -> Tasks scheduled so far (mock counters go on). New. */
	json_t *invocations;
	unsigned redrive_count; /* this redrive's number (1 for the first) */
	json_int_t last_event_id;
	/* Of the events so far, those of distributed Map children (not in
	 * the parent's history quota). */
	json_int_t child_events;
	json_t *execution_input; /* new */
};
void sfn_redrive_plan_release(struct sfn_redrive_plan *plan);

/*
 * Plans a redrive of @data at time @now. Fails (err->name
 * "ExecutionNotRedrivable", cause AWS's redriveStatusReason) when AWS would
 * refuse it.
 */
int sfn_journal_plan_redrive(const struct sfn_journal_data *data, double now,
			     struct sfn_redrive_plan *plan,
			     struct sfn_error *err);

#endif
