/* realpath() is XSI. */
#define _XOPEN_SOURCE 700
#include "runenv.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "asl/asl.h"
#include "lint/lint.h"
#include "exec/exec.h"
#include "journal/journal.h"
#include "task/task.h"
#include "cli.h"
#include "cmd.h"

void sfn_host_init(struct sfn_host *h, bool deterministic)
{
	h->deterministic = deterministic;
	h->seed = 0x9e3779b97f4a7c15ULL;
	h->urandom =
		deterministic ? -1 : open("/dev/urandom", O_RDONLY | O_CLOEXEC);
}

void sfn_host_release(struct sfn_host *h)
{
	if (h->urandom >= 0)
		close(h->urandom);
	h->urandom = -1;
}

double sfn_host_monotonic(void *ud)
{
	(void)ud;
	return sfn_clock_monotonic();
}

void sfn_host_random(void *ud, void *buf, size_t n)
{
	struct sfn_host *h = ud;
	unsigned char *p = buf;
	if (!h->deterministic && h->urandom >= 0) {
		size_t got = 0;
		while (got < n) {
			ssize_t r = read(h->urandom, p + got, n - got);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (got == n)
			return;
	}
	/* Reproducible ids under SFN_TEST_NOW (xorshift64*). */
	for (size_t i = 0; i < n; i++) {
		h->seed ^= h->seed >> 12;
		h->seed ^= h->seed << 25;
		h->seed ^= h->seed >> 27;
		p[i] = (unsigned char)((h->seed * 2685821657736338717ULL) >>
				       56);
	}
}

char *sfn_cli_machine_name(const char *path)
{
	if (!strcmp(path, "-"))
		return sfn_xstrdup("stdin");
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *n = sfn_xstrdup(base);
	size_t len = strlen(n);
	static const char *const exts[] = { ".json", ".yaml", ".yml" };
	for (size_t i = 0; i < 3; i++) {
		size_t el = strlen(exts[i]);
		if (len > el && !strcmp(n + len - el, exts[i])) {
			len -= el;
			n[len] = '\0';
			break;
		}
	}
	if (len > 4 && !strcmp(n + len - 4, ".asl"))
		n[len - 4] = '\0';
	return n;
}

json_t *sfn_cli_load_value(const char *path)
{
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_doc *doc = sfn_doc_load_file(path, 0, NULL, &err);
	if (!doc) {
		sfn_cli_print_load_error(stderr, sfn_display_name(path), &err,
					 false);
		sfn_error_release(&err);
		return NULL;
	}
	json_t *v = json_incref(sfn_doc_root(doc));
	sfn_doc_free(doc);
	return v;
}

/* ---- the journal of a run ---- */

bool sfn_run_journal_needs_redaction(const json_t *config)
{
	static const char *const secret_env[] = { "AWS_SECRET_ACCESS_KEY",
						  "AWS_SESSION_TOKEN",
						  "AWS_BEARER_TOKEN_BEDROCK" };
	if (config && json_object_size(config))
		return true;
	for (size_t i = 0; i < sizeof(secret_env) / sizeof(secret_env[0]); i++)
		if (getenv(secret_env[i]))
			return true;
	return false;
}

/*
 * An event queued in the journal is a copy of the event, formatted later
 * on the journal's writer thread. Its strings are literals or the
 * machine's (exec.h), which outlive the journal.
 *
 * Small payloads (most of them) travel as text, rendered here on the
 * emitting thread (render()), and scopes as the interpreter's text: the
 * writer then never reads the values, and the record holds no
 * references. A reference would be
 * given back by this thread once the writer had read the value, and on a
 * machine of two cores that round trip of cache lines between the
 * threads cost more than writing the text: about half of what a journal
 * cost the loop workload's execution thread. Larger values travel by
 * reference: they never change once an event names them (the interpreter
 * copies on write), so formatting them later, on another thread, writes
 * what they were, and the writer's caches write a large document that
 * rides from state to state once per batch.
 */
#define RENDER_MAX 2048

/* An event to queue, with the text of its payload (what render() made)
 * and scope. */
struct emitted {
	const struct sfn_event *ev;
	const char *payload, *scope; /* NULL: by reference */
	size_t payload_len, scope_len;
};

/*
 * A queued record: the event, the state entered right after it when that
 * event is nothing but the next one's consequence (see enter_after()),
 * then the texts of its payload and scope (struct emitted).
 */
struct queued {
	struct sfn_event ev;
	const char *then_type, *then_state;
};

static void fill_event(void *rec, void *ud)
{
	const struct emitted *e = ud;
	struct queued *q = rec;
	struct sfn_event *ev = &q->ev;
	/* In 16-byte moves, unrolled: a struct copy this size calls
	 * memcpy, and the loop's count and branch cost as much as the
	 * moves. */
	const char *from = (const char *)e->ev;
	size_t i = 0;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 16
#endif
	for (; i + 16 <= sizeof(*ev); i += 16)
		memcpy((char *)rec + i, from + i, 16);
	if (i < sizeof(*ev))
		memcpy((char *)rec + i, from + i, sizeof(*ev) - i);
	q->then_type = NULL;
	/* The texts follow (see queued_event()). */
	char *text = (char *)(q + 1);
	if (e->payload) {
		ev->payload = NULL;
		ev->payload_text = text;
		ev->payload_text_len = e->payload_len;
		text = sfn_put_bytes(text, e->payload, e->payload_len);
	}
	if (e->scope) {
		ev->scope = NULL;
		ev->scope_text = text;
		ev->scope_text_len = e->scope_len;
		sfn_put_bytes(text, e->scope, e->scope_len);
	}
	json_incref((json_t *)ev->payload);
	json_incref((json_t *)ev->details);
	json_incref((json_t *)ev->scope);
}

/*
 * The text of @v as sfn_json_dump_max(.., @flags, RENDER_MAX) writes it,
 * from @cache (SFN_RUN_TEXTS slots) or made there; NULL if it is
 * longer.
 */
static const char *render(struct sfn_run_text *cache, const json_t *v,
			  int flags, size_t *len)
{
	struct sfn_run_text *c = &cache[((uintptr_t)v >> 4) % SFN_RUN_TEXTS];
	if (c->v != v) {
		sfn_json_decref_shared(c->v);
		c->v = json_incref((json_t *)v);
		sfn_strbuf_reset(&c->text);
		c->fits = sfn_json_dump_max(&c->text, v, flags, RENDER_MAX);
	}
	*len = c->text.len;
	return c->fits ? c->text.buf : NULL;
}

/*
 * The queued event of record @rec, copied to @ev with its texts found
 * again: they follow the event, and the queue may have moved since
 * fill_event() pointed at them. The record itself is not written to: the
 * emitting thread writes the next batch's records in its cache lines.
 */
static const struct sfn_event *queued_event(struct sfn_event *ev,
					    const void *rec)
{
	memcpy(ev, rec, sizeof(*ev));
	const char *text = (const char *)rec + sizeof(struct queued);
	if (ev->payload_text) {
		ev->payload_text = text;
		text += ev->payload_text_len;
	}
	if (ev->scope_text)
		ev->scope_text = text;
	return ev;
}

/*
 * Makes @ev, the event of @q (a StateExited), the StateEntered of the
 * next state, @q->then_state, which it stands for: the same instant,
 * payload and scope, the next id and @ev's as its previous.
 */
static void enter_after(struct sfn_event *ev, const struct queued *q)
{
	ev->previous_id = ev->id++;
	ev->type = q->then_type;
	ev->details_key = sfn_event_entered_key;
	ev->state = q->then_state;
	ev->payload_key = sfn_event_input_key;
	ev->details = NULL;
	ev->choice_rule = SFN_EVENT_NO_RULE;
}

/* The line of record @rec, and of the entry it stands for too, by
 * @write. */
static void write_queued(struct sfn_strbuf *sb, const void *rec, void *state,
			 void (*write)(struct sfn_strbuf *sb, void *state,
				       const struct sfn_event *ev))
{
	struct sfn_event ev;
	const struct queued *q = rec;
	write(sb, state, queued_event(&ev, rec));
	if (q->then_type) {
		enter_after(&ev, q);
		sfn_strbuf_addch(sb, '\n');
		write(sb, state, &ev);
	}
}

static void write_plain(struct sfn_strbuf *sb, void *state,
			const struct sfn_event *ev)
{
	sfn_event_write(sb, state, ev);
}

static void write_event(struct sfn_strbuf *sb, void *rec, void *state)
{
	write_queued(sb, rec, state, write_plain);
}

/* A batch begins: the values of the batches before may be gone. */
static void begin_batch(void *state)
{
	sfn_event_writer_forget(state);
}

static void release_event(void *rec)
{
	struct sfn_event *ev = rec;
	/* By an appender, once the record's batch is written (journal.c):
	 * the last holder may be this one. */
	sfn_json_decref_shared(ev->payload);
	sfn_json_decref_shared(ev->details);
	sfn_json_decref_shared(ev->scope);
}

/*
 * With secrets about (a config, AWS credentials), an event is built as
 * JSON and masked by the Task environment (which is thread-safe) before
 * it is written: on the writer thread too.
 */
static void write_masked(struct sfn_strbuf *sb, void *state,
			 const struct sfn_event *event)
{
	struct sfn_run_journal *rj = state;
	json_t *ev = sfn_event_json(event);
	json_t *safe = sfn_task_redact(rj->tenv, ev);
	/* Masked text is not what the execution saw: a redrive must not
	 * feed it back in (sfn_journal_plan_redrive). */
	if (json_is_object(safe) && safe != ev && !json_equal(safe, ev))
		json_object_set_new(safe, "x-redacted", json_true());
	sfn_json_dump(sb, safe, 0);
	sfn_json_decref_shared(safe);
	sfn_json_decref_shared(ev);
}

static void write_redacted(struct sfn_strbuf *sb, void *rec, void *state)
{
	write_queued(sb, rec, state, write_masked);
}

/*
 * The durable event this thread wrote last and has not waited for yet:
 * emits are serialised by the interpreter, and each thread waits for its
 * own after, letting the others emit (and share its fdatasync)
 * meanwhile.
 */
static _Thread_local struct {
	struct sfn_run_journal *rj;
	unsigned long ticket;
} unsettled;

void sfn_run_journal_settle(void *ud)
{
	struct sfn_error err = SFN_ERROR_INIT;
	if (unsettled.rj != ud)
		return;
	unsettled.rj = NULL;
	/*
	 * A failed sync fails the journal: the next append, or closing it,
	 * reports it (and the run exits 4). Not here: this thread does not
	 * hold the interpreter's lock that guards rj->failed.
	 */
	sfn_journal_sync_to(((struct sfn_run_journal *)ud)->j, unsettled.ticket,
			    &err);
	sfn_error_release(&err);
}

/*
 * A state's StateEntered event is most often all but written already: it
 * follows the StateExited of the state before at the same instant, with
 * that state's output as its input, in the same scope, with the next id,
 * and says nothing else. Then the record queued last, the StateExited's,
 * notes the next state's type and name (struct queued) and the writer
 * writes both lines from it: half the records for a run of states.
 * Returns whether @event was so noted.
 */
static bool merge_entered(struct sfn_run_journal *rj,
			  const struct sfn_event *event)
{
	/* The interpreter's keys, by address (exec.h). */
	if (event->details_key != sfn_event_entered_key || !event->state ||
	    event->payload_key != sfn_event_input_key || event->details ||
	    event->has_index || event->choice_rule != SFN_EVENT_NO_RULE)
		return false;
	const struct sfn_journal_format *fmt;
	struct queued *q = sfn_journal_last(rj->j, &fmt);
	if (!q || (fmt != &rj->fmt_text && fmt != &rj->fmt) || q->then_type)
		return false;
	const struct sfn_event *ex = &q->ev;
	if (ex->details_key != sfn_event_exited_key || !ex->state ||
	    ex->payload_key != sfn_event_output_key || ex->has_index ||
	    event->id != ex->id + 1 || event->previous_id != ex->id ||
	    event->timestamp != ex->timestamp ||
	    event->replayed != ex->replayed ||
	    event->payload != rj->last_payload ||
	    event->scope != rj->last_scope ||
	    event->scope_text != rj->last_scope_text)
		return false;
	q->then_type = event->type;
	q->then_state = event->state;
	return true;
}

bool sfn_run_journal_emit(void *ud, const struct sfn_event *event)
{
	struct sfn_run_journal *rj = ud;
	struct sfn_error err = SFN_ERROR_INIT;
	int rc;
	if (rj->failed)
		return false;
	bool durable = sfn_journal_event_is_durable(event->type);
	if (!rj->fmt.write) {
		/* Secrets never reach the journal (issue #6): mask what the
		 * integrations know to be secret before an event is
		 * written. */
		bool redact = rj->redact && rj->tenv;
		rj->fmt.write = redact ? write_redacted : write_event;
		rj->fmt.release = release_event;
		rj->fmt.state = redact ? (void *)rj : (void *)&rj->w;
		rj->fmt.begin = redact ? NULL : begin_batch;
		rj->fmt_text = rj->fmt;
		rj->fmt_text.release = NULL;
	}
	if (!durable && merge_entered(rj, event))
		return false;
	struct emitted e = { .ev = event };
	if (event->payload)
		e.payload = render(rj->payloads, event->payload,
				   SFN_JSON_QUOTED, &e.payload_len);
	/* The interpreter's text of a Map iteration's or a Parallel
	 * branch's path (a scope as JSON goes by reference). */
	e.scope = event->scope_text;
	e.scope_len = event->scope_text_len;
	size_t size = sizeof(struct queued) + (e.payload ? e.payload_len : 0) +
		      (e.scope ? e.scope_len : 0);
	/* Which values the record keeps a reference to (fill_event). */
	const struct sfn_journal_format *fmt =
		(event->payload && !e.payload) || event->details ||
				(event->scope && !e.scope)
			? &rj->fmt
			: &rj->fmt_text;
	/* What a StateEntered right after this one is checked against. */
	rj->last_payload = event->payload;
	rj->last_scope = event->scope;
	rj->last_scope_text = event->scope_text;
	if (!durable) {
		void *rec = sfn_journal_slot(rj->j, fmt, size);
		if (rec) {
			fill_event(rec, &e);
			return false;
		}
	}
	/* A durable event is written here and waited for in
	 * sfn_run_journal_settle. */
	if (durable)
		rc = sfn_journal_append_written(rj->j, fmt, size, fill_event,
						&e, &unsettled.ticket, &err);
	else
		rc = sfn_journal_append_record(rj->j, fmt, size, fill_event, &e,
					       false, &err);
	if (durable && rc == 0)
		unsettled.rj = rj;
	if (rc < 0) {
		rj->failed = 1;
		rj->error = sfn_xstrdup(err.cause ? err.cause : "write error");
		sfn_error_release(&err);
	}
	return durable && rc == 0;
}

void sfn_run_journal_idle(void *ud)
{
	struct sfn_run_journal *rj = ud;
	struct sfn_error err = SFN_ERROR_INIT;
	if (rj->failed)
		return;
	if (sfn_journal_write_behind(rj->j, &err) < 0) {
		rj->failed = 1;
		rj->error = sfn_xstrdup(err.cause ? err.cause : "write error");
		sfn_error_release(&err);
	}
}

/*
 * For struct sfn_event_sink.measure: the length of the payload text the
 * StateExited of @v will carry, made now and found again by its emit.
 */
static size_t measure_payload(void *ud, const json_t *v)
{
	struct sfn_run_journal *rj = ud;
	size_t len;
	if (rj->failed)
		return SIZE_MAX;
	return render(rj->payloads, v, SFN_JSON_QUOTED, &len) ? len : SIZE_MAX;
}

struct sfn_event_sink sfn_run_journal_sink(struct sfn_run_journal *rj)
{
	return (struct sfn_event_sink){
		.emit = sfn_run_journal_emit,
		.ud = rj,
		.idle = sfn_run_journal_idle,
		.settle = sfn_run_journal_settle,
		.measure = measure_payload,
	};
}

void sfn_run_journal_release(struct sfn_run_journal *rj)
{
	free(rj->error);
	rj->error = NULL;
	sfn_event_writer_release(&rj->w);
	for (size_t i = 0; i < SFN_RUN_TEXTS; i++) {
		sfn_json_decref_shared(rj->payloads[i].v);
		rj->payloads[i].v = NULL;
		sfn_strbuf_release(&rj->payloads[i].text);
	}
}

char *sfn_cli_abspath(const char *path)
{
	char *r = realpath(path, NULL);
	if (r) {
		/* realpath's buffer comes from malloc; hand over a copy made
		 * with ours so callers free it as any other string. */
		char *copy = sfn_xstrdup(r);
		free(r);
		return copy;
	}
	if (path[0] == '/')
		return sfn_xstrdup(path);
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)))
		return sfn_xstrdup(path);
	return sfn_xasprintf("%s/%s", cwd, path);
}

json_t *sfn_run_journal_header(const char *exec_arn, const char *sm_arn,
			       const char *name, bool express, double start,
			       const json_t *input, const json_t *definition,
			       const char *definition_path,
			       const char *logical_id, const json_t *settings)
{
	char ts[32];
	sfn_time_format(ts, start);
	/* The texts of the input and the definition, and the hash
	 * ("definitionSha256": null), are made by the journal's writer
	 * thread (journal.h). */
	return json_pack(
		"{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:o}, s:o, s:n, s:s?, s:s?,"
		" s:s, s:O}",
		"x-journal", SFN_JOURNAL_FORMAT, "execution", "executionArn",
		exec_arn, "stateMachineArn", sm_arn, "name", name, "type",
		express ? "EXPRESS" : "STANDARD", "startDate", ts, "input",
		sfn_journal_deferred_text(input), "definition",
		sfn_journal_deferred_text(definition), "definitionSha256",
		"definitionPath", definition_path, "logicalId", logical_id,
		"sfnVersion", SFN_VERSION, "settings", settings);
}

/* ---- trace ---- */

void sfn_cli_trace(void *ud, const struct sfn_trace_info *ti)
{
	(void)ud;
	if (ti->total) {
		/* A Map's progress: one rewritten line, on a terminal only. */
		if (isatty(2))
			fprintf(stderr, "\rsfn: Map '%s': %zu/%zu done%s",
				ti->state, ti->done, ti->total,
				ti->done == ti->total ? "\n" : "");
		return;
	}
	fprintf(stderr, "sfn: [%9.3fs] ", ti->elapsed);
	if (ti->scope) {
		size_t i;
		json_t *s;
		json_array_foreach(ti->scope, i, s) {
			fprintf(stderr, "%s[%lld] > ",
				json_string_value(json_array_get(s, 0)),
				(long long)json_integer_value(
					json_array_get(s, 1)));
		}
	}
	fprintf(stderr, "%s '%s'", ti->type, ti->state);
	if (ti->note)
		fprintf(stderr, ": %s", ti->note);
	fputc('\n', stderr);
}

/* ---- Ctrl-C: a thread waits for SIGINT and aborts the execution ---- */

struct sigwatch {
	struct sfn_exec *x;
	sigset_t set;
	atomic_bool done; /* the execution ended: a SIGINT now only stops */
};

static void *sigwatch_main(void *arg)
{
	struct sigwatch *w = arg;
	int sig;
	if (sigwait(&w->set, &sig) == 0 && sig == SIGINT &&
	    !atomic_load(&w->done))
		sfn_exec_abort(w->x);
	return NULL;
}

void sfn_cli_exec_run(struct sfn_exec *x, struct sfn_exec_result *res)
{
	struct sigwatch sw = { .x = x };
	sigset_t old;
	pthread_t watcher;
	sigemptyset(&sw.set);
	sigaddset(&sw.set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sw.set, &old);
	bool watching = pthread_create(&watcher, NULL, sigwatch_main, &sw) == 0;
	/* A handler that exits before reading its stdin must not kill us. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old_pipe);
	sfn_exec_run(x, res);
	sigaction(SIGPIPE, &old_pipe, NULL);
	if (watching) {
		/* Woken with its own signal: pthread_cancel would load
		 * libgcc_s to unwind, a millisecond of every run. */
		atomic_store(&sw.done, true);
		pthread_kill(watcher, SIGINT);
		pthread_join(watcher, NULL);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int sfn_cli_report(const struct sfn_exec_result *res,
		   const struct sfn_doc *mdoc, const char *name, bool describe,
		   bool pretty)
{
	switch (res->status) {
	case SFN_EXEC_SUCCEEDED:
		if (!describe) {
			struct sfn_strbuf sb = SFN_STRBUF_INIT;
			sfn_json_dump(&sb, res->output,
				      pretty ? SFN_JSON_PRETTY : 0);
			puts(sb.buf);
			sfn_strbuf_release(&sb);
		}
		return SFN_EXIT_OK;
	case SFN_EXEC_ABORTED:
		fprintf(stderr, "sfn: %s: execution aborted\n", name);
		return SFN_EXIT_INTERRUPTED;
	default: {
		int line = 0, col = 0;
		if (res->where)
			sfn_doc_pos(mdoc, res->where, true, &line, &col);
		if (!describe)
			sfn_cli_print_failure(
				stderr, sfn_doc_name(mdoc), line, col,
				res->status == SFN_EXEC_TIMED_OUT ? NULL
								  : res->state,
				res->error ? res->error : "(no error)",
				res->cause);
		return SFN_EXIT_FAIL;
	}
	}
}

const char *sfn_cli_default_config(void)
{
	static const char *const names[] = { "sfn.config.yaml",
					     "sfn.config.yml",
					     "sfn.config.json" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (access(names[i], R_OK) == 0)
			return names[i];
	return NULL;
}

/* The keys of object @o, comma-separated, or "none". */
static void list_keys(FILE *f, const json_t *o)
{
	const char *k;
	json_t *v;
	bool first = true;
	json_object_foreach((json_t *)o, k, v) {
		fprintf(f, "%s%s", first ? "" : ", ", k);
		first = false;
	}
	if (first)
		fputs("none", f);
}

bool sfn_cli_mock_case_ok(const char *cmd, const char *path, const json_t *mock,
			  const char *sm_name, const char *test_case)
{
	json_t *machines = json_object_get(mock, "StateMachines");
	json_t *cases;
	if (sfn_task_mock_case(mock, sm_name, test_case, &cases))
		return true;
	fprintf(stderr,
		"sfn %s: %s has no test case '%s' for state machine '%s' ", cmd,
		sfn_display_name(path), test_case, sm_name);
	if (cases) {
		fputs("(its test cases: ", stderr);
		list_keys(stderr, cases);
		fputs(")\n", stderr);
	} else {
		fputs("(its state machines: ", stderr);
		list_keys(stderr, json_is_object(machines) ? machines : NULL);
		fprintf(stderr, ")%s\n",
			strcmp(cmd, "run") ? ""
					   : "; name the machine as the file "
					     "does: --state-machine-name "
					     "NAME#CASE");
	}
	return false;
}

int sfn_cli_refuse_invalid(const char *cmd, struct sfn_doc *mdoc, bool express)
{
	struct sfn_diags diags = SFN_DIAGS_INIT;
	size_t errors = sfn_lint(sfn_doc_root(mdoc), mdoc,
				 express ? SFN_LINT_EXPRESS : 0, &diags);
	if (errors) {
		sfn_doc_locate_diags(mdoc, &diags);
		sfn_diags_sort(&diags);
		for (size_t i = 0; i < diags.n; i++)
			if (diags.v[i].severity == SFN_SEV_ERROR)
				sfn_cli_print_diag(stderr, sfn_doc_name(mdoc),
						   &diags.v[i], false);
		fprintf(stderr,
			"sfn %s: %s has %zu error%s: AWS would not create "
			"this state machine, so it is not run ('sfn validate' "
			"shows every diagnostic)\n",
			cmd, sfn_doc_name(mdoc), errors,
			errors == 1 ? "" : "s");
	}
	sfn_diags_release(&diags);
	return errors ? SFN_EXIT_FAIL : SFN_EXIT_OK;
}

int sfn_cli_pick_machine(const char *cmd, const char *path, struct sfn_doc *doc,
			 const char *logical_id, struct sfn_machine_list *list,
			 struct sfn_diags *diags)
{
	struct sfn_error err = SFN_ERROR_INIT;
	if (sfn_doc_machines(doc, logical_id, list, diags, &err) < 0) {
		/* As graph and validate print it: with its place, exit 3. */
		sfn_doc_locate(doc, &err);
		int code = sfn_cli_print_load_error(
			stderr, sfn_display_name(path), &err, false);
		sfn_error_release(&err);
		return code;
	}
	if (list->n != 1) {
		fprintf(stderr,
			"sfn %s: %s holds %zu state machines; pick one with "
			"--logical-id",
			cmd, sfn_display_name(path), list->n);
		for (size_t i = 0; i < list->n; i++)
			fprintf(stderr, "%s %s", i ? "," : ":",
				list->v[i].logical_id);
		fputc('\n', stderr);
		return SFN_EXIT_USAGE;
	}
	return SFN_EXIT_OK;
}
