/*
 * runenv: what every command that runs executions hands to lib/exec: the
 * host clock and randomness, state machine names from file names, and
 * values read from files through the loader.
 */
#ifndef SFN_RUNENV_H
#define SFN_RUNENV_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/base.h"
#include "exec/exec.h"
#include "journal/journal.h"

/* The host's randomness; reproducible (a fixed seed) when @deterministic. */
struct sfn_host {
	bool deterministic;
	uint64_t seed;
	int urandom; /* -1 when closed */
};
void sfn_host_init(struct sfn_host *h, bool deterministic);
void sfn_host_release(struct sfn_host *h);
/* For sfn_exec_options.monotonic and .random (@ud is the struct sfn_host). */
double sfn_host_monotonic(void *ud);
void sfn_host_random(void *ud, void *buf, size_t n);

/* "dir/orders.asl.yaml" -> "orders"; "-" -> "stdin". New string. */
char *sfn_cli_machine_name(const char *path);
/*
 * A JSON or YAML file's value through the loader (a new reference), or
 * NULL with the error printed in the one grammar.
 */
json_t *sfn_cli_load_value(const char *path);

/*
 * The local handlers config found in the working directory when --config
 * is not given: sfn.config.yaml, .yml or .json; NULL if none. Borrowed.
 */
const char *sfn_cli_default_config(void);

struct sfn_exec;
struct sfn_exec_result;
struct sfn_trace_info;
/* What -v prints for each transition (sfn_exec_options.trace). */
void sfn_cli_trace(void *ud, const struct sfn_trace_info *ti);
/*
 * Runs @x to its end as a command does: Ctrl-C aborts it (status ABORTED),
 * a handler that closes its stdin early does not kill sfn (SIGPIPE).
 */
void sfn_cli_exec_run(struct sfn_exec *x, struct sfn_exec_result *res);

struct sfn_doc;
struct sfn_machine_list;
struct sfn_diags;
/*
 * Fills @list with the state machine of @doc (loaded from @path) that
 * @logical_id names, or its only one. Prints why not, as command @cmd, and
 * returns the exit code (1: no machine, 2: several and no --logical-id);
 * 0 when @list holds exactly one machine.
 */
int sfn_cli_pick_machine(const char *cmd, const char *path, struct sfn_doc *doc,
			 const char *logical_id, struct sfn_machine_list *list,
			 struct sfn_diags *diags);

/*
 * Whether the MockConfigFile @mock (read from @path) has test case @test_case
 * for state machine @sm_name; if not, says so as command @cmd, naming the
 * cases it has (a misspelt case would leave every Task unmocked).
 */
bool sfn_cli_mock_case_ok(const char *cmd, const char *path, const json_t *mock,
			  const char *sm_name, const char *test_case);

/*
 * The linter's errors in the machine @mdoc, printed as sfn validate prints
 * them: AWS refuses to create a machine with any (so it never runs), and so
 * does sfn. @express: the machine runs as EXPRESS. Returns SFN_EXIT_OK, or
 * SFN_EXIT_FAIL having printed the errors and what to do.
 */
int sfn_cli_refuse_invalid(const char *cmd, struct sfn_doc *mdoc, bool express);

/*
 * Prints how an execution ended, as sfn run and sfn redrive do: the output
 * on stdout (unless @describe printed the DescribeExecution shape), or the
 * failed-execution line on stderr positioned in @mdoc; @name names the
 * definition for an abort. Returns the exit code (0, 1 or 130).
 */
int sfn_cli_report(const struct sfn_exec_result *res,
		   const struct sfn_doc *mdoc, const char *name, bool describe,
		   bool pretty);

/* ---- the journal of a run (sfn run, sfn redrive) ---- */

struct sfn_journal;
struct sfn_task_env;

/* Payloads whose text a run's journal keeps. */
#define SFN_RUN_TEXTS 8
/* The event sink that writes a run's history to its journal. */
struct sfn_run_journal {
	struct sfn_journal *j;	   /* borrowed */
	struct sfn_task_env *tenv; /* masks secrets; borrowed */
	bool redact;		   /* secrets may exist: mask every event */
	int failed;		   /* a write failed: the run must exit 4 */
	char *error;		   /* the first write error; owned */
	/* How queued events are written (the writer thread's state). The
	 * journal must be closed before these are released. */
	_Alignas(64) struct sfn_event_writer w;
	/* fmt_text: the same, for records that hold no references (their
	 * values rendered as text) and need no release. */
	_Alignas(64) struct sfn_journal_format fmt, fmt_text;
	/*
	 * Payloads rendered lately, by address (each holds a reference, so
	 * an address names one value): see render() in runenv.c. Only the
	 * emitting threads', which the interpreter serialises.
	 */
	struct sfn_run_text {
		const json_t *v;
		bool fits; /* no longer than RENDER_MAX */
		struct sfn_strbuf text;
	} payloads[SFN_RUN_TEXTS];
	/* The payload and scope of the event queued last (merge_entered()
	 * in runenv.c); only compared, never read. */
	const json_t *last_payload, *last_scope;
	const char *last_scope_text;
};
/* For struct sfn_event_sink.emit, @ud a struct sfn_run_journal. */
bool sfn_run_journal_emit(void *ud, const struct sfn_event *event);
/* For struct sfn_event_sink.settle, which a sink with
 * sfn_run_journal_emit must have: waits until this thread's durable event
 * is on disk. */
void sfn_run_journal_settle(void *ud);
/* For struct sfn_event_sink.idle: hands queued events to the writer. */
void sfn_run_journal_idle(void *ud);
/* The sink that journals events with the functions above. */
struct sfn_event_sink sfn_run_journal_sink(struct sfn_run_journal *rj);
/* Frees what @rj owns. */
void sfn_run_journal_release(struct sfn_run_journal *rj);
/* Whether secrets may appear in events (a config or AWS credentials). */
bool sfn_run_journal_needs_redaction(const json_t *config);

/*
 * The journal header (journal/journal.h) of a new execution. All borrowed;
 * @settings is what decides what Tasks do (paths absolute).
 */
json_t *sfn_run_journal_header(const char *exec_arn, const char *sm_arn,
			       const char *name, bool express, double start,
			       const json_t *input, const json_t *definition,
			       const char *definition_path,
			       const char *logical_id, const json_t *settings);

/* @path made absolute (realpath when it exists); a new string. */
char *sfn_cli_abspath(const char *path);

#endif
