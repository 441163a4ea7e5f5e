#include "exec/exec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec/exec_int.h"

/* sfn test-state: the tested state's frame reports its data-flow steps. */
#define TESTED(f) ((f)->x->o.test && !(f)->group && !(f)->parent)
#define INSPECT(f, step, v)                                                    \
	do {                                                                   \
		if (TESTED(f))                                                 \
			sfn_exec_test_inspect((f)->x, (step), (v));            \
	} while (0)

/*
 * The interpreter (asl-core.md §13). A frame is one thread of control: the
 * execution itself, a Parallel branch or a Map iteration. States run in a
 * loop; errors are sfn_error values; States.Runtime and a state output over
 * the quota are fatal (never offered to Retry/Catch). Every field is
 * evaluated through eval_tmpl(), the one query-language interface.
 */

/*
 * Sizes of large containers measured lately, by identity. Values are never
 * changed once built (states share them by reference), and each entry
 * holds a reference, so a pointer cannot be reused for another value while
 * cached. Per frame: no locks. A Parallel branch's or Map iteration's
 * frame also reads the caches of the frames it runs in, which wait in the
 * Parallel or Map state meanwhile, so nothing writes them: a document
 * passed down is then measured once, not once per branch.
 */
#define SIZE_CACHE     512 /* direct-mapped by pointer */
#define SIZE_CACHE_MIN 4   /* members; smaller containers are cheap */
struct size_cache {
	struct {
		json_t *v; /* owned reference */
		size_t size;
	} * e; /* SIZE_CACHE entries, allocated on first use */
	const struct size_cache *up; /* the enclosing frame's; read only */
};

static void size_cache_release(struct size_cache *c)
{
	for (unsigned i = 0; c->e && i < SIZE_CACHE; i++)
		json_decref(c->e[i].v);
	free(c->e);
	c->e = NULL;
}

struct frame {
	struct sfn_exec *x;
	struct frame *parent; /* variable scope chain */
	struct group *group;  /* NULL at top level */
	json_t *vars;	      /* this scope's variables; owned, lazily */
	bool isolated;	      /* distributed child: no outer variables */
	/* In a distributed Map child: its own history's event count (the
	 * child's top frame holds it), and whether the 25,000 events quota
	 * applies to it (a STANDARD child). NULL: the execution's. */
	atomic_uint_fast64_t *child_events;
	atomic_uint_fast64_t child_n;
	bool child_capped;
	double voffset; /* virtual seconds waited */
	/* An EXPRESS child of a Distributed Map (and what runs in it) times
	 * out, alone, at this elapsed(); 0: no such bound. */
	double deadline;
	uint64_t prev; /* previousEventId for the next event */
	/* "x-scope" as events carry it, e.g. [["Fanout",3]] (owned, NULL at
	 * top level), and as JSON: made with it where a trace is asked
	 * for, else when first asked for (frame_xscope). */
	char *xscope_text;
	size_t xscope_len;
	json_t *xscope;
	json_t *map_item;	 /* $$.Map.Item while selecting; borrowed */
	struct size_cache sizes; /* of outputs measured for the quota */
	unsigned ticks;		 /* states entered, for periodic checks */
	/* The state running now. */
	const struct sfn_state *st;
	uint64_t entered_id;
	/* When the last event, a state's exit, happened: the next state's
	 * entry follows with no work between, so it takes this instant
	 * rather than reading the clock again (a read costs as much as a
	 * Pass state's own work). 0: not so. */
	double exited_at;
	double entered_time;
	unsigned retry_count;
	const char *task_token;
	char token_buf[72]; /* the .waitForTaskToken token of this attempt */
	/* The failure, when a call returns -1. */
	struct sfn_error err;
	bool fatal;
	bool aborted; /* the failure is a cancellation, not an error */
	const struct sfn_state *failed_state;
	/* sfn redrive: run_machine starts here instead of StartAt, once. */
	const struct sfn_state *resume_at;
	/* The next event tells a Task result served from the journal. */
	bool replayed;
	/* The Choice rule taken, for its Exited event's "x-choiceRule"
	 * (sfn test's coverage): its index, or -1 for Default. */
	bool choice_known;
	long choice_rule;
	/* context_new's last $$.State, reused while the state, its entered
	 * time and retry count stay (a Map's ItemSelector, once per item). */
	json_t *ctx_state;
	const struct sfn_state *ctx_state_st;
	double ctx_state_time;
	unsigned ctx_state_retry;
};

/* ---- time ---- */

static double elapsed(struct frame *f)
{
	struct sfn_exec *x = f->x;
	double real =
		x->o.pinned_clock ? 0 : x->o.monotonic(x->o.ud) - x->mono_start;
	return real + f->voffset;
}

static double now(struct frame *f)
{
	return f->x->o.start_time + elapsed(f);
}

static bool virtual_clock(const struct sfn_exec *x)
{
	return x->o.time_scale <= 0;
}

static bool cancelled(struct frame *f)
{
	if (atomic_load_explicit(&f->x->aborted, memory_order_relaxed))
		return true;
	if (!f->group)
		return false;
	if (atomic_load_explicit(&f->group->cancel, memory_order_relaxed))
		return true;
	if (!virtual_clock(f->x))
		return false;
	/* A sibling here or around an enclosing Parallel/Map failed at a
	 * time this frame's clock has reached. */
	for (struct group *g = f->group; g; g = g->parent) {
		double at =
			atomic_load_explicit(&g->fail_at, memory_order_relaxed);
		if (at != INFINITY && elapsed(f) >= at)
			return true;
	}
	return false;
}

/* ---- errors ---- */

static void set_error(struct frame *f, const char *name, const char *cause,
		      bool fatal)
{
	sfn_error_release(&f->err);
	f->err.name = name ? sfn_xstrdup(name) : NULL;
	f->err.cause = cause ? sfn_xstrdup(cause) : NULL;
	f->fatal = fatal;
	f->aborted = false;
	f->failed_state = f->st;
}

/* The frame stops because it was cancelled (a sibling failed, abort). */
static int abort_error(struct frame *f)
{
	set_error(f, NULL, NULL, false);
	f->aborted = true;
	return -1;
}

/*
 * States.Runtime with AWS's prefix naming the state and the id of its
 * Entered event (asl-core.md §3.5). Fatal. Returns -1. TestState has no
 * history, and its causes come without the prefix (asl-core.md §3.5).
 */
static int runtime_error(struct frame *f, const char *name, const char *fmt,
			 ...) SFN_PRINTF(3, 4);
static int runtime_error(struct frame *f, const char *name, const char *fmt,
			 ...)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	if (f->st && !f->x->o.test)
		sfn_strbuf_addf(&sb,
				"An error occurred while executing the state "
				"'%s' (entered at the event id #%llu). ",
				f->st->name, (unsigned long long)f->entered_id);
	va_list ap;
	va_start(ap, fmt);
	sfn_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	set_error(f, name, sb.buf, !strcmp(name, SFN_E_RUNTIME));
	sfn_strbuf_release(&sb);
	return -1;
}

/* Takes over an error from a lib call, adding the prefix when runtime. */
static int adopt_error(struct frame *f, struct sfn_error *e)
{
	const char *name = e->name ? e->name : SFN_E_RUNTIME;
	if (!strcmp(name, SFN_E_RUNTIME) ||
	    !strcmp(name, SFN_E_QUERY_EVALUATION_ERROR) ||
	    !strcmp(name, SFN_E_INTRINSIC_FAILURE))
		runtime_error(f, name, "%s", e->cause ? e->cause : "");
	else
		set_error(f, name, e->cause, false);
	sfn_error_release(e);
	return -1;
}

static char *dumps(const json_t *v)
{
	return sfn_json_dumps(v, 0);
}

/* ---- events ---- */

/* A value's JSON type as AWS's "unexpected result type" causes name it. */
static const char *type_word(const json_t *v)
{
	return json_is_string(v)    ? "string"
	       : json_is_number(v)  ? "number"
	       : json_is_boolean(v) ? "boolean"
	       : json_is_object(v)  ? "object"
	       : json_is_array(v)   ? "array"
				    : "null";
}

static bool want_events(struct frame *f)
{
	return f->x->o.sink != NULL;
}

/* Counts an event of a distributed Map child in its own history too. */
static inline void count_child_event(struct frame *f)
{
	if (f->child_events) {
		atomic_fetch_add_explicit(f->child_events, 1,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&f->x->n_child_events, 1,
					  memory_order_relaxed);
	}
}

/*
 * Emits @ev (its type and details filled in), numbering and timing it;
 * @owned (may be NULL) is released after. Returns the event id. Counts
 * events even without a sink.
 */
static uint64_t emit_event(struct frame *f, struct sfn_event *ev, json_t *owned)
{
	struct sfn_exec *x = f->x;
	if (!x->o.sink) {
		uint64_t id = atomic_fetch_add_explicit(&x->n_events, 1,
							memory_order_relaxed) +
			      1;
		f->prev = id;
		count_child_event(f);
		json_decref(owned);
		return id;
	}
	/* Alone, the one thread that emits needs no lock; a worker thread
	 * that joins later is started by this thread, after the count. */
	bool alone =
		atomic_load_explicit(&x->workers, memory_order_acquire) == 0;
	if (!alone)
		pthread_mutex_lock(&x->lock);
	uint64_t id = atomic_fetch_add(&x->n_events, 1) + 1;
	ev->id = id;
	count_child_event(f);
	ev->previous_id = f->prev;
	ev->timestamp = ev->timestamp > 0 ? ev->timestamp : now(f);
	/*
	 * A thread's instant was read before it got its turn to emit: one
	 * that waited (behind a sibling's durable write) must not stamp its
	 * event before the one emitted ahead of it.
	 */
	if (ev->timestamp < x->last_stamp)
		ev->timestamp = x->last_stamp;
	x->last_stamp = ev->timestamp;
	f->exited_at = 0;
	ev->scope = NULL;
	ev->scope_text = f->xscope_text;
	ev->scope_text_len = f->xscope_len;
	ev->replayed = f->replayed;
	ev->choice_rule = SFN_EVENT_NO_RULE;
	if (f->choice_known && ev->type &&
	    !strcmp(ev->type, "ChoiceStateExited")) {
		ev->choice_rule = f->choice_rule >= 0 ? f->choice_rule : -1;
		f->choice_known = false;
	}
	bool settle = x->o.sink->emit(x->o.sink->ud, ev);
	if (!alone)
		pthread_mutex_unlock(&x->lock);
	if (settle && x->o.sink->settle)
		x->o.sink->settle(x->o.sink->ud);
	json_decref(owned);
	f->prev = id;
	return id;
}

/*
 * Emits event @type with details @details (stolen; may be NULL) under
 * @key. Returns the event id.
 */
static uint64_t emit(struct frame *f, const char *type, const char *key,
		     json_t *details)
{
	struct sfn_event ev = { .type = type,
				.details_key = details ? key : NULL,
				.details = details };
	return emit_event(f, &ev, details);
}

/* A Map iteration's event: {"name": @name, "index": @i} under @key. */
static void emit_iteration(struct frame *f, const char *type, const char *key,
			   const char *name, size_t i)
{
	struct sfn_event ev = { .type = type,
				.details_key = key,
				.state = name,
				.has_index = true,
				.index = (json_int_t)i };
	emit_event(f, &ev, NULL);
}

/* "PassStateEntered" and the like, without formatting each time. */
enum {
	EV_ENTERED,
	EV_EXITED,
	EV_STARTED,
	EV_SUCCEEDED,
	EV_FAILED,
	EV_ABORTED,
	EV_KINDS
};
static const char *state_event_type(enum sfn_state_type t, int kind)
{
#define SFN_STATE_EVENTS(T)                                                    \
	{                                                                      \
		T "StateEntered", T "StateExited", T "StateStarted",           \
			T "StateSucceeded", T "StateFailed", T "StateAborted"  \
	}
	static const char *const names[][EV_KINDS] = {
		[SFN_STATE_PASS] = SFN_STATE_EVENTS("Pass"),
		[SFN_STATE_TASK] = SFN_STATE_EVENTS("Task"),
		[SFN_STATE_CHOICE] = SFN_STATE_EVENTS("Choice"),
		[SFN_STATE_WAIT] = SFN_STATE_EVENTS("Wait"),
		[SFN_STATE_SUCCEED] = SFN_STATE_EVENTS("Succeed"),
		[SFN_STATE_FAIL] = SFN_STATE_EVENTS("Fail"),
		[SFN_STATE_PARALLEL] = SFN_STATE_EVENTS("Parallel"),
		[SFN_STATE_MAP] = SFN_STATE_EVENTS("Map"),
	};
#undef SFN_STATE_EVENTS
	return names[t][kind];
}

static json_t *details_error(const char *error, const char *cause)
{
	json_t *d = json_object();
	if (error)
		json_object_set_new(d, "error", json_string(error));
	if (cause)
		json_object_set_new(d, "cause", json_string(cause));
	return d;
}

static void emit_simple(struct frame *f, const struct sfn_state *st, int kind)
{
	emit(f, state_event_type(st->type, kind), NULL, NULL);
}

/* ---- variables ---- */

static json_t *var_lookup(void *ud, const char *name)
{
	struct frame *f = ud;
	for (; f; f = f->isolated ? NULL : f->parent) {
		json_t *v = f->vars ? json_object_get(f->vars, name) : NULL;
		if (v)
			return v;
		if (f->isolated)
			break;
	}
	return NULL;
}

/* Every visible variable, innermost winning, into @obj. */
static void vars_collect(struct frame *f, json_t *obj)
{
	if (!f)
		return;
	if (!f->isolated)
		vars_collect(f->parent, obj);
	if (f->vars)
		json_object_update(obj, f->vars);
}

/* ---- the Context object ---- */

static json_t *context_new(struct frame *f)
{
	struct sfn_exec *x = f->x;
	const struct sfn_state *st = f->st;
	json_t *c = json_object();
	json_object_set(c, "Execution", x->ctx_execution);
	json_object_set(c, "StateMachine", x->ctx_statemachine);
	json_t *s;
	if (f->ctx_state && f->ctx_state_st == st &&
	    f->ctx_state_time == f->entered_time &&
	    f->ctx_state_retry == f->retry_count && !TESTED(f)) {
		s = json_incref(f->ctx_state);
	} else {
		s = json_object();
		char ts[32];
		sfn_time_format(ts, f->entered_time);
		if (st) {
			/* TestState names every tested state "StateName"
			 * [OBS LocalStack test_state snapshots]. */
			json_object_set_new(s, "Name",
					    json_string(TESTED(f) ? "StateName"
								  : st->name));
			json_object_set_new(s, "EnteredTime", json_string(ts));
			if (st->type == SFN_STATE_TASK ||
			    st->type == SFN_STATE_PARALLEL ||
			    st->type == SFN_STATE_MAP)
				json_object_set_new(
					s, "RetryCount",
					json_integer(f->retry_count));
		}
		if (TESTED(f) && f->x->o.test->context_state) {
			json_object_update(s, f->x->o.test->context_state);
		} else {
			json_decref(f->ctx_state);
			f->ctx_state = json_incref(s);
			f->ctx_state_st = st;
			f->ctx_state_time = f->entered_time;
			f->ctx_state_retry = f->retry_count;
		}
	}
	json_object_set_new(c, "State", s);
	if (f->task_token)
		json_object_set_new(c, "Task",
				    json_pack("{s:s}", "Token", f->task_token));
	if (f->map_item) {
		json_t *m = json_object();
		json_object_set(m, "Item", f->map_item);
		json_object_set_new(c, "Map", m);
	}
	return c;
}

/* ---- the query-language interface ---- */

/* What "$", "$$" and "$states" stand for while a state's fields evaluate. */
struct ev {
	struct frame *f;
	json_t *input;	      /* $states.input; borrowed */
	json_t *result;	      /* $states.result; borrowed, may be NULL */
	json_t *error_output; /* $states.errorOutput; borrowed, may be NULL */
	json_t *context;      /* owned, built on first use */
	json_t *bindings;     /* JSONata bindings; owned, built on first use */
	bool context_bound;   /* bindings hold $states.context */
};

static void ev_release(struct ev *e)
{
	json_decref(e->context);
	json_decref(e->bindings);
	e->context = e->bindings = NULL;
	e->context_bound = false;
}

static json_t *ev_context(struct ev *e)
{
	if (!e->context)
		e->context = context_new(e->f);
	return e->context;
}

/*
 * The bindings of JSONata expressions: variables and $states. The Context
 * object ($states.context) is built and added only once an expression
 * that may read it comes (most read only $states.input), so a JSONata
 * state does not pay for it on every evaluation.
 */
static json_t *ev_bindings(struct ev *e, bool context)
{
	if (e->bindings && (e->context_bound || !context))
		return e->bindings;
	if (!e->bindings) {
		e->bindings = json_object();
		vars_collect(e->f, e->bindings);
	}
	/* $states, in one order whether or not it holds the context. */
	json_t *states = json_object();
	json_object_set(states, "input", e->input);
	if (context)
		json_object_set(states, "context", ev_context(e));
	if (e->result)
		json_object_set(states, "result", e->result);
	if (e->error_output)
		json_object_set(states, "errorOutput", e->error_output);
	json_object_set_new(e->bindings, "states", states);
	e->context_bound = context;
	return e->bindings;
}

static void path_env(struct ev *e, const struct sfn_path *p, json_t *dollar,
		     struct sfn_path_env *env)
{
	env->input = dollar;
	env->context =
		sfn_path_root(p) == SFN_ROOT_CONTEXT ? ev_context(e) : NULL;
	env->variable = var_lookup;
	env->ud = e->f;
}

/*
 * AWS bounds every evaluation (asl-core.md 10.4, jsonata.md 3): nesting
 * depth 100 (the engine counts as jsonata does: a 100-term "1+1+..."
 * evaluates, 101 terms do not, as measured on AWS), one second, and memory
 * (AWS: about 7 MB of values; here a guard against runaway expressions, as
 * the engine holds values larger and checks them between nodes).
 */
static const struct sfn_jsonata_limits jsonata_bounds = {
	.max_depth = 100,
	.time_ms = 1000,
	.max_memory = 64u << 20,
};

/* AWS's text for a bound the evaluation hit (U1001), or NULL. */
static const char *bound_message(const struct sfn_jsonata_error *je)
{
	if (strcmp(je->code, "U1001") || !je->message)
		return NULL;
	if (!strncmp(je->message, "Stack overflow", 14))
		return "Stack overflow error: Check for non-terminating "
		       "recursive function. Consider rewriting as "
		       "tail-recursive";
	if (strstr(je->message, "memory"))
		return "Expression evaluation memory limit exceeded: Check "
		       "for excessive memory usage";
	return je->message;
}

static json_t *eval_jsonata(struct ev *e, const struct sfn_tmpl *t)
{
	struct sfn_jsonata_error je = { 0 };
	json_t *out = NULL;
	if (sfn_jsonata_eval(t->expr, NULL, ev_bindings(e, t->reads_context),
			     &jsonata_bounds, &out, &je) < 0) {
		const char *bound = bound_message(&je);
		if (bound)
			runtime_error(e->f, SFN_E_QUERY_EVALUATION_ERROR,
				      "The JSONata expression '%s' specified "
				      "for the field '%s' threw an error "
				      "during evaluation: %s",
				      t->text, t->field, bound);
		else if (!strcmp(je.code, SFN_JSONATA_FUNCTION_RESULT))
			runtime_error(e->f, SFN_E_QUERY_EVALUATION_ERROR,
				      "The JSONata expression '%s' specified "
				      "for the field '%s' returned an "
				      "unsupported result type.",
				      t->text, t->field);
		else if (je.code[0])
			runtime_error(e->f, SFN_E_QUERY_EVALUATION_ERROR,
				      "The JSONata expression '%s' specified "
				      "for the field '%s' threw an error "
				      "during evaluation. %s: %s",
				      t->text, t->field, je.code,
				      je.message ? je.message : "");
		else
			runtime_error(e->f, SFN_E_QUERY_EVALUATION_ERROR,
				      "The JSONata expression '%s' specified "
				      "for the field '%s' threw an error "
				      "during evaluation: %s",
				      t->text, t->field,
				      je.message ? je.message : "");
		sfn_jsonata_error_release(&je);
		return NULL;
	}
	if (!out)
		runtime_error(e->f, SFN_E_QUERY_EVALUATION_ERROR,
			      "The JSONata expression '%s' specified for the "
			      "field '%s' returned nothing (undefined).",
			      t->text, t->field);
	return out;
}

/*
 * Evaluates template @t with "$" = @dollar. Returns a new reference, or
 * NULL with the frame's error set.
 */
static json_t *eval_tmpl(struct ev *e, const struct sfn_tmpl *t, json_t *dollar)
{
	struct sfn_error err = SFN_ERROR_INIT;
	switch (t->kind) {
	case SFN_TMPL_LITERAL:
		return json_incref(t->literal);
	case SFN_TMPL_PATH: {
		struct sfn_path_env env;
		path_env(e, t->path, dollar, &env);
		json_t *v = sfn_path_eval(t->path, &env, &err);
		if (v)
			return v;
		if (sfn_error_is_set(&err)) {
			adopt_error(e->f, &err);
			return NULL;
		}
		json_t *in = env.context ? env.context : dollar;
		char *s = dumps(in);
		runtime_error(e->f, SFN_E_RUNTIME,
			      "The JSONPath '%s' specified for the field '%s' "
			      "could not be found in the input '%s'",
			      t->text, t->field, s);
		free(s);
		return NULL;
	}
	case SFN_TMPL_INTRINSIC: {
		struct sfn_path_env env = { dollar, NULL, var_lookup, e->f };
		if (e->f->st && e->f->st->uses_context)
			env.context = ev_context(e);
		json_t *v = sfn_intrinsic_eval(t->fn, &env, &err);
		if (!v)
			adopt_error(e->f, &err);
		return v;
	}
	case SFN_TMPL_JSONATA:
		return eval_jsonata(e, t);
	case SFN_TMPL_OBJECT: {
		json_t *o = json_object();
		for (size_t i = 0; i < t->n; i++) {
			json_t *v = eval_tmpl(e, t->vals[i], dollar);
			if (!v) {
				json_decref(o);
				return NULL;
			}
			json_object_set_new(o, t->keys[i], v);
		}
		return o;
	}
	case SFN_TMPL_ARRAY: {
		json_t *a = json_array();
		for (size_t i = 0; i < t->n; i++) {
			json_t *v = eval_tmpl(e, t->vals[i], dollar);
			if (!v) {
				json_decref(a);
				return NULL;
			}
			json_array_append_new(a, v);
		}
		return a;
	}
	}
	return NULL;
}

/*
 * InputPath / OutputPath: absent -> @v, null -> {}, else the path's value;
 * no match is States.Runtime "Invalid path".
 */
static json_t *apply_path(struct ev *e, const struct sfn_path *p, bool null,
			  json_t *v)
{
	if (null)
		return json_object();
	if (!p)
		return json_incref(v);
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_path_env env;
	path_env(e, p, v, &env);
	json_t *r = sfn_path_eval(p, &env, &err);
	if (r)
		return r;
	if (sfn_error_is_set(&err)) {
		adopt_error(e->f, &err);
		return NULL;
	}
	char *why = sfn_path_miss_cause(p, &env);
	runtime_error(e->f, SFN_E_RUNTIME, "Invalid path '%s' : %s",
		      sfn_path_text(p), why ? why : "No results for path");
	free(why);
	return NULL;
}

static json_t *apply_result_path(struct frame *f, const struct sfn_path *p,
				 bool null, json_t *raw, json_t *result)
{
	if (null)
		return json_incref(raw);
	if (!p)
		return json_incref(result);
	struct sfn_error err = SFN_ERROR_INIT;
	json_t *r = sfn_path_set(p, raw, result, &err);
	if (!r)
		adopt_error(f, &err);
	return r;
}

/*
 * Assign (asl-core.md §11): every value is computed against the values of
 * state entry; the caller commits *@pending after the state succeeds.
 */
static int eval_assign(struct ev *e, const struct sfn_tmpl *t, json_t *dollar,
		       json_t **pending)
{
	*pending = NULL;
	if (!t)
		return 0;
	json_t *v = eval_tmpl(e, t, dollar);
	if (!v)
		return -1;
	if (!json_is_object(v)) {
		json_decref(v);
		return runtime_error(e->f, SFN_E_RUNTIME,
				     "Assign must be an object");
	}
	*pending = v;
	return 0;
}

static void commit_assign(struct frame *f, json_t *pending, json_t *details)
{
	if (!pending)
		return;
	if (!f->vars)
		f->vars = json_object();
	json_object_update(f->vars, pending);
	if (details) {
		json_t *av = json_object();
		const char *k;
		json_t *v;
		json_object_foreach(pending, k, v) {
			char *s = dumps(v);
			json_object_set_new(av, k, json_string(s));
			free(s);
		}
		json_object_set_new(details, "assignedVariables", av);
		json_object_set_new(details, "assignedVariablesDetails",
				    json_pack("{s:b}", "truncated", 0));
	}
	json_decref(pending);
}

/* ---- payload quota ---- */

static size_t json_size(struct size_cache *c, const json_t *v, size_t limit,
			int depth);

static size_t json_size_walk(struct size_cache *c, const json_t *v,
			     size_t limit, int depth)
{
	size_t n = 2;
	if (json_is_object(v)) {
		for (void *it = json_object_iter((json_t *)v); it;
		     it = json_object_iter_next((json_t *)v, it)) {
			const char *k = json_object_iter_key(it);
			n += sfn_json_quoted_size(
				     k, json_object_iter_key_len(it)) +
			     2 +
			     json_size(c, json_object_iter_value(it), limit,
				       depth + 1);
			if (n > limit)
				return n;
		}
		return n;
	}
	for (size_t i = 0; i < json_array_size(v); i++) {
		n += 1 + json_size(c, json_array_get(v, i), limit, depth + 1);
		if (n > limit)
			return n;
	}
	return n;
}

/* The compact JSON size of @v (an upper bound), stopping past @limit. */
static size_t json_size(struct size_cache *c, const json_t *v, size_t limit,
			int depth)
{
	if (depth > SFN_MAX_DEPTH)
		return limit + 1;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_ARRAY: {
		size_t members = json_is_object(v) ? json_object_size(v)
						   : json_array_size(v);
		/*
		 * A small top-level output (a Map item's) is cheaper to walk
		 * than a cache is to set up.
		 */
		if (!c || members < SIZE_CACHE_MIN ||
		    (depth == 0 && members < 32 && !c->e))
			return json_size_walk(c, v, limit, depth);
		if (!c->e)
			c->e = sfn_xcalloc(SIZE_CACHE, sizeof(*c->e));
		uintptr_t h = (uintptr_t)v;
		h ^= h >> 17;
		h *= 0x9e3779b97f4a7c15ULL;
		unsigned i = (unsigned)(h >> 40) % SIZE_CACHE;
		if (c->e[i].v == v)
			return c->e[i].size;
		for (const struct size_cache *u = c->up; u; u = u->up)
			if (u->e && u->e[i].v == v)
				return u->e[i].size;
		size_t n = json_size_walk(c, v, limit, depth);
		if (n <= limit) {
			json_decref(c->e[i].v);
			c->e[i].v = json_incref((json_t *)v);
			c->e[i].size = n;
		}
		return n;
	}
	case JSON_STRING: /* escapes counted: '"' takes two bytes */
		return sfn_json_quoted_size(json_string_value(v),
					    json_string_length(v));
	case JSON_INTEGER:
	case JSON_REAL:
		return 24;
	default:
		return 5;
	}
}

static bool too_big(struct frame *f, const json_t *v)
{
	if (f->x->o.no_payload_limit)
		return false;
	if (json_size(&f->sizes, v, SFN_PAYLOAD_MAX, 0) <=
	    SFN_PAYLOAD_MAX - 256)
		return false;
	char *s = dumps(v);
	bool big = strlen(s) > SFN_PAYLOAD_MAX;
	free(s);
	return big;
}

/* ---- waiting ---- */

/*
 * Waits @seconds as the execution sees time: scaled real sleep, the rest on
 * the virtual clock. Returns -1 if cancelled meanwhile.
 */
static int sleep_for(struct frame *f, double seconds)
{
	struct sfn_exec *x = f->x;
	if (seconds <= 0)
		return 0;
	double scale = x->o.time_scale;
	if (scale <= 0) {
		f->voffset += seconds;
		return cancelled(f) ? -1 : 0;
	}
	double real = seconds * scale;
	double end = x->o.monotonic(x->o.ud) + real;
	if (real >= 0.05 && x->o.sink && x->o.sink->idle) {
		pthread_mutex_lock(&x->lock);
		x->o.sink->idle(x->o.sink->ud);
		pthread_mutex_unlock(&x->lock);
	}
	for (;;) {
		if (cancelled(f))
			return -1;
		double left = end - x->o.monotonic(x->o.ud);
		if (left <= 0)
			break;
		if (left > 0.02)
			left = 0.02;
		struct timespec ts = { (time_t)left,
				       (long)((left - (time_t)left) * 1e9) };
		nanosleep(&ts, NULL);
	}
	if (x->o.pinned_clock)
		f->voffset += seconds;
	else
		f->voffset += seconds - real;
	return 0;
}

/* ---- machine runs ---- */

static int run_machine(struct frame *f, const struct sfn_machine *m,
		       json_t *input, json_t **output);

/*
 * The "x-scope" text of a unit @i of state @name run from frame @parent:
 * the parent's path with [@name, @i] added, as sfn_json_dump writes it
 * (new, its length in *@len). Made as text, not JSON: a Map iteration's
 * events all carry it, and building the array (five values) and
 * rendering it for the journal took a third of what journaling added to
 * map-10k's execution thread (callgrind).
 */
static char *scope_step(const struct frame *parent, const char *name, size_t i,
			size_t *len)
{
	struct sfn_strbuf sb;
	char num[SFN_NUMBUF];
	size_t n = strlen(name);
	sfn_strbuf_init(&sb, parent->xscope_len + n + 32);
	if (parent->xscope_text) {
		/* "[...]" -> "[...," */
		sfn_strbuf_add(&sb, parent->xscope_text,
			       parent->xscope_len - 1);
		sfn_strbuf_add(&sb, ",[", 2);
	} else {
		sfn_strbuf_add(&sb, "[[", 2);
	}
	sfn_json_quote(&sb, name, n, 0);
	sfn_strbuf_addch(&sb, ',');
	sfn_strbuf_add(&sb, num, (size_t)sfn_fmt_int(num, (int64_t)i));
	sfn_strbuf_add(&sb, "]]", 2);
	return sfn_strbuf_detach(&sb, len);
}

/* The frame's "x-scope" as JSON (borrowed; NULL at top level): made from
 * its text the first time, by the frame's own thread. */
static json_t *frame_xscope(struct frame *f)
{
	if (!f->xscope && f->xscope_text)
		f->xscope =
			sfn_json_loadb(f->xscope_text, f->xscope_len, 0, NULL);
	return f->xscope;
}

static void frame_init(struct frame *f, struct sfn_exec *x)
{
	memset(f, 0, sizeof(*f));
	f->x = x;
}

static void frame_release(struct frame *f)
{
	size_cache_release(&f->sizes);
	json_decref(f->vars);
	json_decref(f->xscope);
	free(f->xscope_text);
	json_decref(f->ctx_state);
	sfn_error_release(&f->err);
}

/* ---- groups: concurrent branches and iterations ---- */

static void group_register(struct sfn_exec *x, struct group *g,
			   struct group *parent)
{
	pthread_mutex_lock(&x->lock);
	g->parent = parent;
	struct group **head = parent ? &parent->children : &x->groups;
	g->next_sibling = *head;
	*head = g;
	if ((parent && atomic_load(&parent->cancel)) ||
	    atomic_load(&x->aborted))
		atomic_store(&g->cancel, 1);
	pthread_mutex_unlock(&x->lock);
}

static void group_unregister(struct sfn_exec *x, struct group *g)
{
	pthread_mutex_lock(&x->lock);
	struct group **head = g->parent ? &g->parent->children : &x->groups;
	for (; *head; head = &(*head)->next_sibling)
		if (*head == g) {
			*head = g->next_sibling;
			break;
		}
	pthread_mutex_unlock(&x->lock);
}

/* Under x->lock. */
static void group_cancel_locked(struct group *g)
{
	atomic_store(&g->cancel, 1);
	for (struct group *c = g->children; c; c = c->next_sibling)
		group_cancel_locked(c);
}

static void group_cancel(struct sfn_exec *x, struct group *g)
{
	pthread_mutex_lock(&x->lock);
	group_cancel_locked(g);
	pthread_mutex_unlock(&x->lock);
}

void sfn_exec_abort(struct sfn_exec *x)
{
	pthread_mutex_lock(&x->lock);
	atomic_store(&x->aborted, 1);
	for (struct group *g = x->groups; g; g = g->next_sibling)
		group_cancel_locked(g);
	pthread_mutex_unlock(&x->lock);
}

/* One unit of a group: a branch or an iteration. */
struct unit {
	json_t *input;	      /* owned */
	json_t *map_item;     /* $$.Map.Item for the run; owned, may be NULL */
	json_t *output;	      /* owned */
	struct sfn_error err; /* when it failed */
	bool failed, fatal, ran;
	const struct sfn_state *failed_state;
	double voffset;
	double fail_at; /* elapsed seconds when it ended */
	size_t items;	/* items it stands for (a batch's); 0: one */
};

struct run {
	struct sfn_exec *x;
	struct frame *parent;
	const struct sfn_state *st;
	const struct sfn_machine *const *machines; /* per unit, or ... */
	const struct sfn_machine *machine;	   /* ... one for all */
	struct unit *units;
	size_t n;
	atomic_size_t next;
	struct group g;
	pthread_mutex_t lock;
	size_t failures;	/* failed items */
	size_t items;		/* all items; 0: one per unit */
	double tolerated_count; /* <0: not set */
	double tolerated_pct;	/* <0: not set */
	bool tolerance;
	bool exceeded;
	long first_failure; /* index of the failure that ended the run */
	size_t done;	    /* units finished, under lock */
	bool distributed;
	const char *kind;    /* "Map" / "Parallel" */
	size_t wave;	     /* units that start at once; 0: all */
	double *slots;	     /* per concurrency slot, when its last unit
				ended, or while busy began (voffset); NULL:
				wave >= n; under lock */
	unsigned char *busy; /* per slot, a unit runs in it */
	pthread_cond_t slot_cv;
};

/* Starts unit @i with its clock at @start (a voffset). */
static void run_unit(struct run *r, size_t i, double start)
{
	struct unit *u = &r->units[i];
	struct frame cf;
	frame_init(&cf, r->x);
	cf.parent = r->parent;
	cf.sizes.up = &r->parent->sizes;
	cf.isolated = r->distributed;
	if (r->distributed) {
		cf.child_events = &cf.child_n;
		cf.child_capped =
			!r->st->child_express && !r->x->o.no_history_limit;
	} else {
		cf.child_events = r->parent->child_events;
		cf.child_capped = r->parent->child_capped;
	}
	cf.group = &r->g;
	cf.voffset = start;
	cf.deadline = r->parent->deadline;
	if (r->distributed && r->st->child_express &&
	    !r->x->o.no_duration_limit) {
		/* An Express execution of its own: 5 minutes from its start
		 * (sfn-features.md §10). */
		double end = elapsed(&cf) + SFN_EXPRESS_MAX;
		if (!cf.deadline || end < cf.deadline)
			cf.deadline = end;
	}
	/* Units that finish raise the parent's prev under the lock. */
	pthread_mutex_lock(&r->lock);
	cf.prev = r->parent->prev;
	pthread_mutex_unlock(&r->lock);
	if (want_events(r->parent) || r->x->o.trace) {
		cf.xscope_text =
			scope_step(r->parent, r->st->name, i, &cf.xscope_len);
		/* The trace reads it from other threads (a Map's progress,
		 * with the parent's): made now, not when first asked. */
		if (r->x->o.trace)
			frame_xscope(&cf);
	}
	if (!strcmp(r->kind, "Map") && !r->distributed)
		emit_iteration(&cf, "MapIterationStarted",
			       "mapIterationStartedEventDetails", r->st->name,
			       i);
	const struct sfn_machine *m = r->machines ? r->machines[i] : r->machine;
	u->ran = true;
	int rc = run_machine(&cf, m, u->input, &u->output);
	u->voffset = cf.voffset;
	u->fail_at = elapsed(&cf);
	if (rc < 0) {
		u->failed = true;
		/* A distributed child is an execution of its own: what
		 * ends it, States.Runtime included, is one failed child
		 * to the Map Run. */
		u->fatal = cf.fatal && !r->distributed;
		u->failed_state = cf.failed_state;
		sfn_error_move(&u->err, &cf.err);
	}
	if (!strcmp(r->kind, "Map") && !r->distributed) {
		const char *type = "MapIterationSucceeded",
			   *key = "mapIterationSucceededEventDetails";
		if (rc < 0 && cf.aborted) {
			type = "MapIterationAborted";
			key = "mapIterationAbortedEventDetails";
		} else if (rc < 0) {
			type = "MapIterationFailed";
			key = "mapIterationFailedEventDetails";
		}
		emit_iteration(&cf, type, key, r->st->name, i);
	}
	pthread_mutex_lock(&r->lock);
	if (cf.prev > r->parent->prev)
		r->parent->prev = cf.prev;
	if (rc < 0 && !cf.aborted) {
		/* Thresholds count items: a failed batch fails all its
		 * items (AWS's guide, maprun-fail-threshold). */
		r->failures += u->items ? u->items : 1;
		bool stop = true;
		if (r->tolerance && !u->fatal) {
			bool over = false;
			if (r->tolerated_count >= 0 &&
			    (double)r->failures > r->tolerated_count)
				over = true;
			if (r->tolerated_pct >= 0 &&
			    (double)r->failures * 100.0 /
					    (double)(r->items ? r->items
							      : r->n) >
				    r->tolerated_pct)
				over = true;
			if (r->tolerated_count < 0 && r->tolerated_pct < 0)
				over = true;
			stop = over;
			if (over)
				r->exceeded = true;
		}
		if (stop && virtual_clock(r->x)) {
			/* The earliest failure on the execution's clock wins
			 * (the lower index on a tie); the siblings stop as
			 * their clocks pass it (cancelled()). */
			struct unit *w = r->first_failure < 0
						 ? NULL
						 : &r->units[r->first_failure];
			if (!w || u->fail_at < w->fail_at ||
			    (u->fail_at == w->fail_at &&
			     (long)i < r->first_failure)) {
				r->first_failure = (long)i;
				atomic_store(&r->g.fail_at, u->fail_at);
			}
		} else if (stop && r->first_failure < 0) {
			r->first_failure = (long)i;
			pthread_mutex_unlock(&r->lock);
			group_cancel(r->x, &r->g);
			pthread_mutex_lock(&r->lock);
		}
	}
	size_t done = ++r->done;
	pthread_mutex_unlock(&r->lock);
	if (r->x->o.trace && !strcmp(r->kind, "Map")) {
		struct sfn_trace_info ti = { .state = r->st->name,
					     .type = "Map",
					     .scope = r->parent->xscope,
					     .elapsed = elapsed(&cf),
					     .done = done,
					     .total = r->n };
		pthread_mutex_lock(&r->x->lock);
		r->x->o.trace(r->x->o.ud, &ti);
		pthread_mutex_unlock(&r->x->lock);
	}
	frame_release(&cf);
}

/*
 * Under MaxConcurrency, the next unit (in index order) takes the slot that
 * came free first: its clock starts where that slot's last unit ended (a
 * sequential Map's iterations add up), not when the state started. On the
 * virtual clock a unit still running may end earlier than the free slots
 * on it; then the choice waits for it. The index is claimed only with the
 * slot, under the lock, so units take slots in index order without waiting
 * for each other's turn. Returns 1 with *@i and *@slot set, 0 when no unit
 * is left, -1 with *@i set for a unit cancelled before it started.
 */
static int take_slot(struct run *r, size_t *i, size_t *slot)
{
	bool waits = virtual_clock(r->x);
	int rc = 1;
	size_t k;
	pthread_mutex_lock(&r->lock);
	for (;;) {
		if (atomic_load(&r->next) >= r->n) {
			rc = 0;
			goto out;
		}
		/* free slots exist: at most conc threads hold one each */
		k = r->wave;
		for (size_t j = 0; j < r->wave; j++)
			if (!r->busy[j] &&
			    (k == r->wave || r->slots[j] < r->slots[k]))
				k = j;
		bool wait = k == r->wave; /* cannot happen; never index it */
		for (size_t j = 0; !wait && waits && j < r->wave; j++)
			if (r->busy[j] && r->slots[j] < r->slots[k])
				wait = true;
		if (!wait)
			break;
		pthread_cond_wait(&r->slot_cv, &r->lock);
	}
	*i = atomic_fetch_add(&r->next, 1);
	if (atomic_load(&r->g.cancel)) {
		rc = -1;
	} else {
		r->busy[k] = 1;
		*slot = k;
	}
out:
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* Slot @k is free again from @at (a voffset). */
static void free_slot(struct run *r, size_t k, double at)
{
	pthread_mutex_lock(&r->lock);
	r->slots[k] = at;
	r->busy[k] = 0;
	pthread_cond_broadcast(&r->slot_cv);
	pthread_mutex_unlock(&r->lock);
}

static void *worker(void *arg)
{
	struct run *r = arg;
	for (;;) {
		size_t i, k = 0;
		double start = r->parent->voffset;
		if (r->slots) {
			int got = take_slot(r, &i, &k);
			if (!got)
				break;
			if (got < 0)
				continue;
			start = r->slots[k];
		} else {
			i = atomic_fetch_add(&r->next, 1);
			if (i >= r->n)
				break;
			if (atomic_load(&r->g.cancel))
				continue;
		}
		/* On the virtual clock, a unit that would start before a
		 * sibling's failure still runs: it may fail first. */
		double at = atomic_load(&r->g.fail_at);
		if (at != INFINITY &&
		    elapsed(r->parent) - r->parent->voffset + start >= at) {
			if (r->slots)
				free_slot(r, k, start);
			continue;
		}
		run_unit(r, i, start);
		if (r->slots)
			free_slot(r, k, r->units[i].voffset);
	}
	return NULL;
}

/*
 * Whether a unit of @r may wait (struct sfn_machine's may_wait). Units
 * that only compute gain nothing from threads of their own, unless the
 * user asks for them (--max-threads): they take turns at the same cores
 * and contend for what they share (the interpreter's lock and counters,
 * the references of shared values, the journal). A Map of 10,000
 * iterations of two Pass states took 33 ms on one thread and 44 ms on
 * eight on two cores, and 50 ms against 85 to 115 with a journal; on
 * one thread the history shows them one after another, an order that
 * concurrent iterations may take too.
 */
static bool units_may_wait(const struct run *r)
{
	if (r->distributed)
		return true;
	if (r->machine)
		return r->machine->may_wait;
	for (size_t i = 0; i < r->n; i++)
		if (r->machines[i]->may_wait)
			return true;
	return false;
}

/*
 * Runs the units of @r on up to @conc threads (0 = as many as allowed).
 * Returns 0 when they all succeeded (or failures were tolerated), else -1
 * with @f's error set from the failure that ended the run.
 */
static int run_units(struct frame *f, struct run *r, size_t conc)
{
	struct sfn_exec *x = f->x;
	pthread_mutex_init(&r->lock, NULL);
	atomic_init(&r->next, 0);
	atomic_init(&r->g.cancel, 0);
	atomic_init(&r->g.fail_at, INFINITY);
	r->wave = conc;
	if (conc && conc < r->n) {
		r->slots = sfn_xcalloc(conc, sizeof(*r->slots));
		r->busy = sfn_xcalloc(conc, 1);
		for (size_t i = 0; i < conc; i++)
			r->slots[i] = f->voffset;
		pthread_cond_init(&r->slot_cv, NULL);
	}
	r->first_failure = -1;
	group_register(x, &r->g, f->group);
	size_t threads = x->o.max_threads    ? x->o.max_threads
			 : units_may_wait(r) ? 8
					     : 1;
	if (conc && conc < threads)
		threads = conc;
	if (threads > r->n)
		threads = r->n;
	size_t started = 0;
	pthread_t *tids = NULL;
	if (threads > 1) {
		tids = sfn_xcalloc(threads, sizeof(*tids));
		for (size_t i = 1; i < threads; i++) {
			pthread_attr_t attr;
			pthread_attr_init(&attr);
			pthread_attr_setstacksize(&attr, 8u << 20);
			/* Counted first: emit_event locks from now on. */
			atomic_fetch_add(&x->workers, 1);
			if (pthread_create(&tids[i], &attr, worker, r) == 0) {
				started++;
			} else {
				tids[i] = 0;
				atomic_fetch_sub(&x->workers, 1);
			}
			pthread_attr_destroy(&attr);
		}
	}
	worker(r);
	for (size_t i = 1; tids && i < threads; i++)
		if (tids[i]) {
			pthread_join(tids[i], NULL);
			atomic_fetch_sub(&x->workers, 1);
		}
	free(tids);
	group_unregister(x, &r->g);
	pthread_mutex_destroy(&r->lock);
	if (r->slots) {
		pthread_cond_destroy(&r->slot_cv);
		free(r->slots);
		free(r->busy);
		r->slots = NULL;
		r->busy = NULL;
	}
	(void)started;
	for (size_t i = 0; i < r->n; i++)
		if (r->units[i].voffset > f->voffset)
			f->voffset = r->units[i].voffset;
	if (atomic_load(&x->aborted))
		return abort_error(f);
	if (r->first_failure < 0)
		return 0;
	struct unit *u = &r->units[r->first_failure];
	if (r->exceeded && !u->fatal) {
		set_error(f, SFN_E_EXCEED_TOLERATED_FAILURE_THRESHOLD,
			  "The specified tolerated failure threshold was "
			  "exceeded",
			  false);
		return -1;
	}
	set_error(f, u->err.name, u->err.cause, u->fatal);
	if (u->fatal && u->failed_state)
		f->failed_state = u->failed_state;
	return -1;
}

static void run_release(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		json_decref(r->units[i].input);
		json_decref(r->units[i].map_item);
		json_decref(r->units[i].output);
		sfn_error_release(&r->units[i].err);
	}
	free(r->units);
}

/* ---- number fields ---- */

/*
 * The value of a number field: literal, reference path over @dollar, or
 * JSONata. @what names it in messages ("MaxConcurrencyPath"). Returns 0,
 * 1 when unset, -1 on error.
 */
static int eval_num(struct ev *e, const struct sfn_num_field *nf,
		    json_t *dollar, const char *what, bool integer, double *out)
{
	if (!nf->set)
		return 1;
	if (!nf->path && !nf->expr) {
		*out = nf->value;
		return 0;
	}
	json_t *v;
	if (nf->path) {
		struct sfn_error err = SFN_ERROR_INIT;
		struct sfn_path_env env;
		path_env(e, nf->path, dollar, &env);
		v = sfn_path_eval(nf->path, &env, &err);
		if (!v) {
			if (sfn_error_is_set(&err))
				return adopt_error(e->f, &err);
			char *why = sfn_path_miss_cause(nf->path, &env);
			runtime_error(e->f, SFN_E_RUNTIME,
				      "Invalid path '%s' : %s",
				      sfn_path_text(nf->path),
				      why ? why : "No results for path");
			free(why);
			return -1;
		}
	} else {
		v = eval_tmpl(e, nf->expr, dollar);
		if (!v)
			return -1;
	}
	double d = 0;
	bool ok = false;
	if (json_is_number(v)) {
		d = sfn_json_number(v);
		ok = !integer || d == floor(d);
	} else if (json_is_string(v) && nf->path) {
		char *end;
		errno = 0;
		d = strtod(json_string_value(v), &end);
		ok = end != json_string_value(v) && !*end && !errno &&
		     (!integer || d == floor(d));
	}
	if (!ok) {
		char *s = dumps(v);
		if (nf->path)
			runtime_error(e->f, SFN_E_RUNTIME,
				      "The %s field refers to value \"%s\" "
				      "which is not a valid %s: %s",
				      what,
				      json_is_string(v) ? json_string_value(v)
							: s,
				      integer ? "integer" : "float",
				      sfn_path_text(nf->path));
		else
			runtime_error(e->f, SFN_E_QUERY_EVALUATION_ERROR,
				      "The JSONata expression '%s' specified "
				      "for the field '%s' returned an "
				      "unexpected result type. Expected "
				      "'%s', but was '%s' for value: %s",
				      nf->expr->text, nf->expr->field,
				      integer ? "integer" : "number",
				      type_word(v), s);
		free(s);
		json_decref(v);
		return -1;
	}
	json_decref(v);
	*out = d;
	return 0;
}

/* ---- execution timeout ---- */

static bool past_deadline(struct frame *f)
{
	struct sfn_exec *x = f->x;
	if (!x->timeout && !f->deadline)
		return false;
	double t = elapsed(f);
	if (x->timeout && t >= x->timeout) {
		atomic_store(&x->timed_out, 1);
		set_error(f, SFN_E_TIMEOUT, NULL, true);
		sfn_exec_abort(x);
		return true;
	}
	if (f->deadline && t >= f->deadline) {
		/* Only the child execution times out; the Map Run counts it
		 * as a failed child. */
		set_error(f, SFN_E_TIMEOUT, NULL, true);
		return true;
	}
	return false;
}

/* Seconds left before the execution (or the Express child the frame runs
 * in) times out; -1 when unbounded. */
static double time_left(struct frame *f)
{
	double end = f->x->timeout;
	if (f->deadline && (!end || f->deadline < end))
		end = f->deadline;
	if (!end)
		return -1;
	double l = end - elapsed(f);
	return l < 0 ? 0 : l;
}

/* A wait that the execution timeout may cut short. */
static int wait_bounded(struct frame *f, double seconds)
{
	double left = time_left(f);
	if (left >= 0 && seconds >= left) {
		sleep_for(f, left);
		past_deadline(f);
		if (!sfn_error_is_set(&f->err))
			set_error(f, SFN_E_TIMEOUT, NULL, true);
		return -1;
	}
	if (sleep_for(f, seconds) < 0)
		return abort_error(f);
	return 0;
}

/* ---- retry and catch (asl-core.md §6) ---- */

static bool error_matches(char *const *errors, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		const char *e = errors[i];
		if (!strcmp(e, SFN_E_ALL))
			return true;
		if (name && !strcmp(e, name))
			return true;
		/*
		 * States.TaskFailed matches every non-States error and
		 * itself (LocalStack's reading of the doc).
		 */
		if (!strcmp(e, SFN_E_TASK_FAILED) && name &&
		    strncmp(name, "States.", 7))
			return true;
		if (!strcmp(e, SFN_E_HEARTBEAT_TIMEOUT) && name &&
		    !strcmp(name, SFN_E_TIMEOUT))
			continue;
	}
	return false;
}

static double random_unit(struct sfn_exec *x)
{
	uint64_t r;
	x->o.random(x->o.ud, &r, sizeof(r));
	return (double)(r >> 11) / 9007199254740992.0;
}

typedef int (*work_fn)(struct frame *f, struct ev *e, json_t *eff_in,
		       json_t **result);

/*
 * Runs @work until it succeeds or no retrier applies. Returns 0, or -1
 * with the frame's error set.
 */
static int with_retry(struct frame *f, struct ev *e, json_t *eff_in,
		      work_fn work, json_t **result)
{
	const struct sfn_state *st = f->st;
	unsigned used_small[16] = { 0 };
	unsigned *used = st->n_retry <= 16
				 ? used_small
				 : sfn_xcalloc(st->n_retry, sizeof(unsigned));
	int rc;
	for (;;) {
		rc = work(f, e, eff_in, result);
		if (rc == 0 || f->fatal || f->aborted || cancelled(f))
			break;
		const char *name = f->err.name;
		size_t i;
		for (i = 0; i < st->n_retry; i++)
			if (error_matches(st->retry[i].errors,
					  st->retry[i].n_errors, name))
				break;
		if (i == st->n_retry)
			break;
		const struct sfn_retrier *r = &st->retry[i];
		if (TESTED(f))
			used[i] = f->x->o.test->retrier_retry_count;
		if (used[i] >= r->max_attempts)
			break;
		double wait = r->interval * pow(r->backoff, used[i]);
		if (TESTED(f)) { /* TestState reports the retry (RETRIABLE) */
			if (r->max_delay > 0 && wait > r->max_delay)
				wait = r->max_delay;
			f->x->test_retry = (int)i;
			f->x->test_backoff = wait;
			break;
		}
		if (r->max_delay > 0 && wait > r->max_delay)
			wait = r->max_delay;
		if (r->jitter_full)
			wait = random_unit(f->x) * wait;
		used[i]++;
		f->retry_count++;
		if (f->x->o.trace) {
			char note[64];
			snprintf(note, sizeof(note), "retry %u after %s in %gs",
				 f->retry_count, name ? name : "error", wait);
			struct sfn_trace_info ti = {
				.state = st->name,
				.type = sfn_state_type_name(st->type),
				.scope = f->xscope,
				.elapsed = elapsed(f),
				.retries = f->retry_count,
				.note = note
			};
			pthread_mutex_lock(&f->x->lock);
			f->x->o.trace(f->x->o.ud, &ti);
			pthread_mutex_unlock(&f->x->lock);
		}
		if (wait_bounded(f, wait) < 0) {
			rc = -1;
			break;
		}
		ev_release(e);
		e->context = NULL;
	}
	if (used != used_small)
		free(used);
	return rc;
}

static json_t *error_output(struct frame *f)
{
	json_t *o = json_object();
	/* A Throw without Error/Cause shows null there [OBS callback]. */
	json_object_set_new(o, "Error",
			    f->err.name ? json_string(f->err.name)
					: json_null());
	json_object_set_new(o, "Cause",
			    f->err.cause ? json_string(f->err.cause)
					 : json_null());
	return o;
}

/* State exit: the Exited event with output and assigned variables. */
static void emit_exited(struct frame *f, const struct sfn_state *st,
			json_t *output, json_t *pending)
{
	if (!want_events(f)) {
		commit_assign(f, pending, NULL);
		emit(f, NULL, NULL, NULL);
		return;
	}
	json_t *extra = pending ? json_object() : NULL;
	commit_assign(f, pending, extra);
	struct sfn_event ev = {
		.type = state_event_type(st->type, EV_EXITED),
		.details_key = sfn_event_exited_key,
		.state = st->name,
		.payload_key = sfn_event_output_key,
		.payload = output,
		.details = extra,
	};
	emit_event(f, &ev, extra);
	f->exited_at = ev.timestamp;
}

/*
 * After a failure of a Task/Parallel/Map: a matching catcher gives the
 * state's output and next state. Returns 0 when caught, -1 otherwise.
 */
static int try_catch(struct frame *f, struct ev *e, json_t *raw, json_t **out,
		     const struct sfn_state **next)
{
	const struct sfn_state *st = f->st;
	if (f->fatal || f->aborted || cancelled(f))
		return -1;
	if (TESTED(f) && f->x->test_retry >= 0)
		return -1;
	for (size_t i = 0; i < st->n_catch; i++) {
		const struct sfn_catcher *c = &st->catch[i];
		if (!error_matches(c->errors, c->n_errors, f->err.name))
			continue;
		json_t *eo = error_output(f);
		json_t *pending = NULL, *o;
		INSPECT(f, "errorOutput", eo);
		e->error_output = eo;
		json_decref(e->bindings);
		e->bindings = NULL;
		if (eval_assign(e, c->assign, eo, &pending) < 0) {
			json_decref(eo);
			return -1;
		}
		if (st->qlang == SFN_QL_JSONATA)
			o = c->output ? eval_tmpl(e, c->output, eo)
				      : json_incref(eo);
		else
			o = apply_result_path(f, c->result_path,
					      c->result_path_null, raw, eo);
		json_decref(eo);
		e->error_output = NULL;
		if (!o) {
			json_decref(pending);
			return -1;
		}
		if (f->x->o.trace) {
			struct sfn_trace_info ti = {
				.state = st->name,
				.type = sfn_state_type_name(st->type),
				.scope = f->xscope,
				.elapsed = elapsed(f),
				.retries = f->retry_count,
				.note = "caught"
			};
			pthread_mutex_lock(&f->x->lock);
			f->x->o.trace(f->x->o.ud, &ti);
			pthread_mutex_unlock(&f->x->lock);
		}
		sfn_error_release(&f->err);
		f->failed_state = NULL;
		emit_exited(f, st, o, pending);
		if (TESTED(f))
			f->x->test_catch = (int)i;
		*out = o;
		*next = c->target;
		return 0;
	}
	return -1;
}

/* ---- Task ---- */

static void split_resource(const char *res, char *type, size_t tn, char *name,
			   size_t nn, bool *lambda)
{
	static const char pre[] = "arn:aws:states:::";
	*lambda = !strncmp(res, "arn:aws:lambda:", 15);
	if (!strncmp(res, pre, sizeof(pre) - 1)) {
		const char *rest = res + sizeof(pre) - 1;
		const char *colon = strrchr(rest, ':');
		if (colon) {
			snprintf(type, tn, "%.*s", (int)(colon - rest), rest);
			snprintf(name, nn, "%s", colon + 1);
			return;
		}
	}
	snprintf(type, tn, "%s", res);
	snprintf(name, nn, "%s", res);
}

static unsigned next_invocation(struct sfn_exec *x, const char *state)
{
	pthread_mutex_lock(&x->lock);
	json_t *n = json_object_get(x->invocations, state);
	unsigned k = n ? (unsigned)json_integer_value(n) : 0;
	json_object_set_new(x->invocations, state, json_integer(k + 1));
	pthread_mutex_unlock(&x->lock);
	return k;
}

static int task_work(struct frame *f, struct ev *e, json_t *eff_in,
		     json_t **result)
{
	const struct sfn_state *st = f->st;
	struct sfn_exec *x = f->x;
	double timeout = 0, heartbeat = 0;
	char *token = f->token_buf;
	*result = NULL;
	if (strstr(st->resource, ".waitForTaskToken")) {
		/* A fresh token per attempt, as AWS hands out. */
		unsigned char r[64];
		static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
					  "klmnopqrstuvwxyz0123456789+/";
		x->o.random(x->o.ud, r, sizeof(r));
		for (size_t i = 0; i < sizeof(r); i++)
			token[i] = b64[r[i] & 63];
		token[sizeof(r)] = '\0';
		_Static_assert(sizeof(r) < sizeof(f->token_buf), "token");
		f->task_token = token;
		json_decref(e->context);
		e->context = NULL;
		json_decref(e->bindings);
		e->bindings = NULL;
	}
	json_t *params = st->parameters ? eval_tmpl(e, st->parameters, eff_in)
					: json_incref(eff_in);
	if (!params)
		return -1;
	INSPECT(f,
		st->qlang == SFN_QL_JSONATA ? "afterArguments"
					    : "afterParameters",
		params);
	int r1 = eval_num(e, &st->timeout, eff_in, "TimeoutSecondsPath", true,
			  &timeout);
	int r2 = r1 < 0 ? -1
			: eval_num(e, &st->heartbeat, eff_in,
				   "HeartbeatSecondsPath", true, &heartbeat);
	if (r1 < 0 || r2 < 0) {
		json_decref(params);
		return -1;
	}
	if (r1 == 1)
		timeout = 0;
	if (r2 == 1)
		heartbeat = 0;
	char rtype[128], rname[256];
	bool lambda;
	split_resource(st->resource, rtype, sizeof(rtype), rname, sizeof(rname),
		       &lambda);
	if (want_events(f)) {
		json_t *d;
		if (lambda) {
			d = json_pack("{s:s}", "resource", st->resource);
			sfn_event_add_payload(d, "input", params);
			if (timeout > 0)
				json_object_set_new(
					d, "timeoutInSeconds",
					json_integer((json_int_t)timeout));
			emit(f, "LambdaFunctionScheduled",
			     "lambdaFunctionScheduledEventDetails", d);
			emit(f, "LambdaFunctionStarted", NULL, NULL);
		} else {
			d = json_pack("{s:s,s:s,s:s}", "resourceType", rtype,
				      "resource", rname, "region", x->o.region);
			char *ps = dumps(params);
			json_object_set_new(d, "parameters", json_string(ps));
			free(ps);
			if (timeout > 0)
				json_object_set_new(
					d, "timeoutInSeconds",
					json_integer((json_int_t)timeout));
			if (heartbeat > 0)
				json_object_set_new(
					d, "heartbeatInSeconds",
					json_integer((json_int_t)heartbeat));
			emit(f, "TaskScheduled", "taskScheduledEventDetails",
			     d);
			emit(f, "TaskStarted", "taskStartedEventDetails",
			     json_pack("{s:s,s:s}", "resourceType", rtype,
				       "resource", rname));
		}
	} else {
		emit(f, NULL, NULL, NULL);
		emit(f, NULL, NULL, NULL);
	}
	double left = time_left(f);
	bool exec_bound = left >= 0 && (timeout <= 0 || left < timeout);
	struct sfn_task_call call = {
		.resource = st->resource,
		.state_name = st->name,
		.parameters = params,
		.task_token = f->task_token,
		.timeout_seconds =
			exec_bound ? (left > 0 ? left : 0.001) : timeout,
		.heartbeat_seconds = heartbeat,
		.attempt = f->retry_count,
		.invocation = next_invocation(x, st->name),
		.cancel = f->group ? &f->group->cancel : &x->aborted,
		.scope = frame_xscope(f),
		.replayed = &f->replayed,
	};
	struct sfn_error err = SFN_ERROR_INIT;
	enum sfn_task_outcome o;
	json_t *http = TESTED(f) ? json_object() : NULL;
	call.trace = http;
	if (TESTED(f) && (x->o.test->mock_result || x->o.test->mock_error)) {
		o = sfn_exec_test_mock(x, result, &err);
	} else if (x->o.task_env) {
		o = sfn_task_invoke(x->o.task_env, &call, result, &err);
	} else {
		sfn_errorf(&err, SFN_E_RUNTIME, NULL,
			   "no task backends for resource '%s'", st->resource);
		o = SFN_TASK_FAILED;
	}
	json_decref(params);
	if (json_object_size(http))
		INSPECT(f, "http", http);
	json_decref(http);
	if (cancelled(f) && o != SFN_TASK_OK) {
		sfn_error_release(&err);
		if (past_deadline(f))
			return -1;
		return abort_error(f);
	}
	if (o == SFN_TASK_OK && too_big(f, *result)) {
		json_decref(*result);
		*result = NULL;
		o = SFN_TASK_FAILED;
		sfn_errorf(&err, SFN_E_DATA_LIMIT_EXCEEDED, NULL,
			   "The state/task '%s' returned a result with a size "
			   "exceeding the maximum number of bytes service "
			   "limit.",
			   st->resource);
	}
	if (o == SFN_TASK_OK) {
		if (want_events(f)) {
			json_t *d =
				lambda ? json_object()
				       : json_pack("{s:s,s:s}", "resourceType",
						   rtype, "resource", rname);
			sfn_event_add_payload(d, "output", *result);
			emit(f,
			     lambda ? "LambdaFunctionSucceeded"
				    : "TaskSucceeded",
			     lambda ? "lambdaFunctionSucceededEventDetails"
				    : "taskSucceededEventDetails",
			     d);
		} else {
			emit(f, NULL, NULL, NULL);
		}
		f->replayed = false;
		return 0;
	}
	if (exec_bound && err.name && !strcmp(err.name, SFN_E_TIMEOUT) &&
	    past_deadline(f)) {
		sfn_error_release(&err);
		return -1;
	}
	const char *name = err.name;
	bool timed_out = name && !strcmp(name, SFN_E_TIMEOUT);
	if (want_events(f)) {
		json_t *d = details_error(name, err.cause);
		if (!lambda) {
			json_object_set_new(d, "resourceType",
					    json_string(rtype));
			json_object_set_new(d, "resource", json_string(rname));
		}
		static const char *const events[2][2][2] = {
			{ { "TaskFailed", "taskFailedEventDetails" },
			  { "TaskTimedOut", "taskTimedOutEventDetails" } },
			{ { "LambdaFunctionFailed",
			    "lambdaFunctionFailedEventDetails" },
			  { "LambdaFunctionTimedOut",
			    "lambdaFunctionTimedOutEventDetails" } },
		};
		const char *const *ev = events[lambda][timed_out];
		emit(f, ev[0], ev[1], d);
	} else {
		emit(f, NULL, NULL, NULL);
	}
	/* States.Runtime from a backend (no way to run it) stays fatal. */
	set_error(f, name, err.cause, name && !strcmp(name, SFN_E_RUNTIME));
	sfn_error_release(&err);
	return -1;
}

static int map_items(struct frame *f, struct ev *e, json_t *eff_in,
		     json_t **items);

/*
 * sfn test-state: a Map or Parallel mocked as a whole. A Map still selects
 * its items (AWS shows afterItemsPath); its iterations do not run.
 */
static int mock_work(struct frame *f, struct ev *e, json_t *eff_in,
		     json_t **result)
{
	const struct sfn_state *st = f->st;
	if (st->type == SFN_STATE_MAP) {
		json_t *items = NULL;
		if (map_items(f, e, eff_in, &items) < 0)
			return -1;
		/* Each item's input, as the iterations would get it. */
		bool is_obj = json_is_object(items);
		size_t n = !st->item_selector ? 0
			   : is_obj	      ? json_object_size(items)
					      : json_array_size(items);
		void *it = is_obj ? json_object_iter(items) : NULL;
		for (size_t i = 0; i < n; i++) {
			const char *key = NULL;
			json_t *val, *in;
			if (is_obj) {
				key = json_object_iter_key(it);
				val = json_object_iter_value(it);
				it = json_object_iter_next(items, it);
			} else {
				val = json_array_get(items, i);
			}
			json_t *mi = json_pack("{s:i,s:O}", "Index",
					       (json_int_t)i, "Value", val);
			if (key)
				json_object_set_new(mi, "Key",
						    json_string(key));
			f->map_item = mi;
			json_decref(e->context);
			e->context = NULL;
			json_decref(e->bindings);
			e->bindings = NULL;
			in = eval_tmpl(e, st->item_selector, eff_in);
			f->map_item = NULL;
			json_decref(e->context);
			e->context = NULL;
			json_decref(e->bindings);
			e->bindings = NULL;
			json_decref(mi);
			if (!in) {
				json_decref(items);
				return -1;
			}
			INSPECT(f, "afterItemSelector", in);
			json_decref(in);
		}
		json_decref(items);
	}
	struct sfn_error err = SFN_ERROR_INIT;
	if (sfn_exec_test_mock(f->x, result, &err) == SFN_TASK_OK)
		return 0;
	set_error(f, err.name, err.cause, false);
	sfn_error_release(&err);
	return -1;
}

/* ---- Parallel ---- */

static int parallel_work(struct frame *f, struct ev *e, json_t *eff_in,
			 json_t **result)
{
	const struct sfn_state *st = f->st;
	json_t *in = st->parameters ? eval_tmpl(e, st->parameters, eff_in)
				    : json_incref(eff_in);
	if (!in)
		return -1;
	INSPECT(f,
		st->qlang == SFN_QL_JSONATA ? "afterArguments"
					    : "afterParameters",
		in);
	emit_simple(f, st, EV_STARTED);
	struct run r = {
		.x = f->x,
		.parent = f,
		.st = st,
		.machines = (const struct sfn_machine *const *)st->branches,
		.n = st->n_branches,
		.tolerated_count = -1,
		.tolerated_pct = -1,
		.kind = "Parallel",
	};
	r.units = sfn_xcalloc(r.n, sizeof(*r.units));
	for (size_t i = 0; i < r.n; i++)
		r.units[i].input = json_incref(in);
	json_decref(in);
	int rc = run_units(f, &r, 0);
	if (rc == 0) {
		json_t *a = json_array();
		for (size_t i = 0; i < r.n; i++)
			json_array_append(a, r.units[i].output);
		*result = a;
		emit_simple(f, st, EV_SUCCEEDED);
	} else if (!atomic_load(&f->x->aborted)) {
		emit_simple(f, st, EV_FAILED);
	}
	run_release(&r);
	return rc;
}

/* ---- Map ---- */

static int map_items(struct frame *f, struct ev *e, json_t *eff_in,
		     json_t **items)
{
	const struct sfn_state *st = f->st;
	json_t *v;
	if (TESTED(f) && f->x->o.test->items) { /* mapItemReaderData */
		*items = json_incref(f->x->o.test->items);
		return 0;
	}
	/* There is no S3 here: iterating the state input instead would
	 * run the Map over the wrong items without a word. */
	if (st->reader_resource)
		return runtime_error(
			f, SFN_E_RUNTIME,
			"The ItemReader (resource '%s') cannot be read: sfn "
			"has no S3. Give the items in the state input with "
			"%s, or test the Map with 'sfn test-state "
			"--map-item-reader-data'.",
			st->reader_resource,
			st->qlang == SFN_QL_JSONATA ? "Items" : "ItemsPath");
	if (st->qlang == SFN_QL_JSONATA) {
		v = st->items ? eval_tmpl(e, st->items, e->input)
			      : json_incref(e->input);
		if (!v)
			return -1;
		/* JSONata iterates arrays only [OBS items_eval_jsonata]. */
		if (!json_is_array(v)) {
			char *s = dumps(v);
			if (st->items)
				runtime_error(
					f, SFN_E_QUERY_EVALUATION_ERROR,
					"The JSONata expression '%s' specified "
					"for the field 'Items' returned an "
					"unexpected result type. Expected "
					"'array', but was '%s' for value: %s",
					st->items->text, type_word(v), s);
			else
				runtime_error(f, SFN_E_QUERY_EVALUATION_ERROR,
					      "Map state input must be an "
					      "array but was: %s",
					      s);
			free(s);
			json_decref(v);
			return -1;
		}
	} else {
		v = apply_path(e, st->items_path, false, eff_in);
		if (!v)
			return -1;
		if (!json_is_array(v) && !json_is_object(v)) {
			const char *p = st->items_path
						? sfn_path_text(st->items_path)
						: "$";
			runtime_error(f, SFN_E_RUNTIME,
				      "Reference path \"%s\" must point to "
				      "array.",
				      p[0] == '$' ? p + 1 : p);
			json_decref(v);
			return -1;
		}
	}
	if (st->qlang == SFN_QL_JSONPATH)
		INSPECT(f, "afterItemsPath", v);
	*items = v;
	return 0;
}

/*
 * What a Distributed Map with a ResultWriter exporting to S3 returns: the
 * Map Run's ARN and where its manifest is, {Prefix}/{Map Run id}/
 * manifest.json in {Bucket} (AWS's guide, input-output-resultwriter).
 */
static json_t *map_run_pointer(const char *arn, const char *uuid,
			       const json_t *params)
{
	const char *bucket =
		json_string_value(json_object_get(params, "Bucket"));
	const char *prefix =
		json_string_value(json_object_get(params, "Prefix"));
	size_t pl = prefix ? strlen(prefix) : 0;
	char *key = sfn_xasprintf("%s%s%s/manifest.json", pl ? prefix : "",
				  pl && prefix[pl - 1] != '/' ? "/" : "", uuid);
	json_t *v =
		json_pack("{s:s,s:{s:s?,s:s}}", "MapRunArn", arn,
			  "ResultWriterDetails", "Bucket", bucket, "Key", key);
	free(key);
	return v;
}

static int map_work(struct frame *f, struct ev *e, json_t *eff_in,
		    json_t **result)
{
	const struct sfn_state *st = f->st;
	struct sfn_exec *x = f->x;
	json_t *items = NULL;
	double conc = 0, tcount = -1, tpct = -1;
	int rc = -1;
	if (map_items(f, e, eff_in, &items) < 0)
		return -1;
	if (eval_num(e, &st->max_concurrency, eff_in, "MaxConcurrencyPath",
		     true, &conc) < 0 ||
	    eval_num(e, &st->tolerated_count, eff_in,
		     "ToleratedFailureCountPath", true, &tcount) < 0 ||
	    eval_num(e, &st->tolerated_pct, eff_in,
		     "ToleratedFailurePercentagePath", false, &tpct) < 0) {
		json_decref(items);
		return -1;
	}
	if (st->max_concurrency.set && conc < 0) {
		json_decref(items);
		return runtime_error(f, SFN_E_RUNTIME,
				     "MaxConcurrency cannot be negative.");
	}
	if (st->tolerated_count.set && tcount < 0) {
		json_decref(items);
		return runtime_error(f, SFN_E_RUNTIME,
				     "ToleratedFailureCount cannot be "
				     "negative.");
	}
	if (st->tolerated_pct.set && (tpct < 0 || tpct > 100)) {
		json_decref(items);
		return runtime_error(f, SFN_E_RUNTIME,
				     "ToleratedFailurePercentage must be "
				     "between 0 and 100.");
	}
	bool is_obj = json_is_object(items);
	size_t n = is_obj ? json_object_size(items) : json_array_size(items);
	struct run r = {
		.x = x,
		.parent = f,
		.st = st,
		.machine = st->processor,
		.tolerated_count = st->tolerated_count.set ? tcount : -1,
		.tolerated_pct = st->tolerated_pct.set ? tpct : -1,
		/* A Map Run tolerates 0 failed children unless told
		 * otherwise, and fails on the threshold then (AWS's guide,
		 * maprun-fail-threshold); an inline Map fails with the
		 * iteration's own error. */
		.tolerance = st->tolerated_count.set || st->tolerated_pct.set ||
			     st->distributed,
		.distributed = st->distributed,
		.kind = "Map",
	};
	json_t **inputs = sfn_xcalloc(n ? n : 1, sizeof(json_t *));
	const char *key = NULL;
	json_t *val;
	void *it = is_obj ? json_object_iter(items) : NULL;
	for (size_t i = 0; i < n; i++) {
		if (is_obj) {
			key = json_object_iter_key(it);
			val = json_object_iter_value(it);
			it = json_object_iter_next(items, it);
		} else {
			val = json_array_get(items, i);
		}
		if (!st->item_selector) {
			inputs[i] = json_incref(val);
			continue;
		}
		json_t *mi = json_object();
		json_object_set_new(mi, "Index", json_integer((json_int_t)i));
		json_object_set(mi, "Value", val);
		if (key)
			json_object_set_new(mi, "Key", json_string(key));
		if (!is_obj && st->distributed)
			json_object_set_new(mi, "Source",
					    json_string("STATE_DATA"));
		f->map_item = mi;
		json_decref(e->context);
		e->context = NULL;
		json_decref(e->bindings);
		e->bindings = NULL;
		inputs[i] = eval_tmpl(e, st->item_selector, eff_in);
		f->map_item = NULL;
		json_decref(e->context);
		e->context = NULL;
		json_decref(e->bindings);
		e->bindings = NULL;
		json_decref(mi);
		if (!inputs[i]) {
			for (size_t k = 0; k < i; k++)
				json_decref(inputs[k]);
			free(inputs);
			json_decref(items);
			return -1;
		}
	}
	json_decref(items);
	for (size_t i = 0; TESTED(f) && st->item_selector && i < n; i++)
		INSPECT(f, "afterItemSelector", inputs[i]);
	/* ItemBatcher (distributed): {"Items": [...], "BatchInput": ...}. */
	if (st->distributed && st->has_batcher) {
		double max_items = 0, max_bytes = 0;
		if (eval_num(e, &st->batch_max_items, eff_in,
			     "MaxItemsPerBatchPath", true, &max_items) < 0 ||
		    eval_num(e, &st->batch_max_bytes, eff_in,
			     "MaxInputBytesPerBatchPath", true, &max_bytes) < 0)
			goto out_inputs;
		json_t *bi = NULL;
		if (st->batch_input) {
			bi = eval_tmpl(e, st->batch_input, eff_in);
			if (!bi)
				goto out_inputs;
		}
		size_t nb = 0;
		json_t **batches = sfn_xcalloc(n ? n : 1, sizeof(json_t *));
		json_t *cur = NULL;
		size_t cur_bytes = 0;
		for (size_t i = 0; i < n; i++) {
			size_t sz = json_size(NULL, inputs[i], SIZE_MAX / 2, 0);
			if (cur &&
			    ((max_items > 0 &&
			      json_array_size(cur) >= (size_t)max_items) ||
			     (max_bytes > 0 &&
			      cur_bytes + sz > (size_t)max_bytes))) {
				cur = NULL;
				cur_bytes = 0;
			}
			if (!cur) {
				cur = json_array();
				batches[nb] = json_pack("{s:o}", "Items", cur);
				if (bi)
					json_object_set(batches[nb],
							"BatchInput", bi);
				nb++;
			}
			json_array_append_new(cur, inputs[i]);
			inputs[i] = NULL;
			cur_bytes += sz;
		}
		json_decref(bi);
		free(inputs);
		inputs = batches;
		r.items = n;
		n = nb;
	}
	r.n = n;
	r.units = sfn_xcalloc(n ? n : 1, sizeof(*r.units));
	for (size_t i = 0; i < n; i++) {
		r.units[i].input = inputs[i];
		inputs[i] = NULL;
		if (r.items)
			r.units[i].items = json_array_size(
				json_object_get(r.units[i].input, "Items"));
	}
	if (want_events(f))
		emit(f, "MapStateStarted", "mapStateStartedEventDetails",
		     json_pack("{s:i}", "length", (json_int_t)n));
	else
		emit(f, NULL, NULL, NULL);
	char arn[512] = "";
	char uuid[37] = "";
	if (st->distributed) {
		unsigned char rnd[16];
		x->o.random(x->o.ud, rnd, sizeof(rnd));
		sfn_format_uuid(uuid, rnd);
		snprintf(arn, sizeof(arn),
			 "arn:aws:states:%s:%s:mapRun:%s/%s:%s", x->o.region,
			 x->o.account, x->o.state_machine_name,
			 st->label ? st->label : st->name, uuid);
		emit(f, "MapRunStarted", "mapRunStartedEventDetails",
		     want_events(f) ? json_pack("{s:s}", "mapRunArn", arn)
				    : NULL);
	}
	/* A MaxConcurrency past what a size_t holds is no limit at all (the
	 * conversion of a larger double is undefined). */
	size_t limit = conc <= 0		  ? 0
		       : conc >= (double)SIZE_MAX ? SIZE_MAX
						  : (size_t)conc;
	if (!limit && !st->distributed)
		limit = SFN_INLINE_MAX;
	rc = n ? run_units(f, &r, limit) : 0;
	if (st->distributed && !atomic_load(&x->aborted)) {
		if (rc == 0)
			emit(f, "MapRunSucceeded", NULL, NULL);
		else
			emit(f, "MapRunFailed", "mapRunFailedEventDetails",
			     want_events(f)
				     ? details_error(f->err.name, f->err.cause)
				     : NULL);
	}
	json_t *wp = NULL;
	if (rc == 0 && st->distributed && st->writer_export &&
	    st->writer_params) {
		wp = eval_tmpl(e, st->writer_params, eff_in);
		if (!wp)
			rc = -1;
	}
	if (rc == 0) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *o = r.units[i].output;
			if (!o && r.units[i].failed) {
				/* A tolerated failure: its error output. */
				o = json_pack("{s:s?,s:s?}", "Error",
					      r.units[i].err.name, "Cause",
					      r.units[i].err.cause);
				json_array_append_new(a, o);
				continue;
			}
			/* FLATTEN: a child's array output, spliced in. */
			if (st->writer_flatten && json_is_array(o))
				json_array_extend(a, o);
			else
				json_array_append(a, o ? o : json_null());
		}
		if (st->distributed && st->writer_export) {
			/* The results went to S3 (not written here: sfn has
			 * no S3); the Map's result points at the manifest. */
			json_decref(a);
			a = map_run_pointer(arn, uuid, wp);
		}
		*result = a;
		emit_simple(f, st, EV_SUCCEEDED);
	} else if (!atomic_load(&x->aborted)) {
		emit_simple(f, st, EV_FAILED);
	}
	json_decref(wp);
	run_release(&r);
out_inputs:
	for (size_t i = 0; i < n && inputs; i++)
		json_decref(inputs[i]);
	free(inputs);
	return rc;
}

/* ---- Choice ---- */

/* The next UTF-16 code unit of valid UTF-8 @*s (with its pending low half). */
static unsigned next_unit(const unsigned char **s, unsigned *low)
{
	if (*low) {
		unsigned u = *low;
		*low = 0;
		return u;
	}
	const unsigned char *p = *s;
	unsigned c;
	if (p[0] < 0x80) {
		c = p[0];
		*s += 1;
	} else if (p[0] < 0xe0) {
		c = (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
		*s += 2;
	} else if (p[0] < 0xf0) {
		c = (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
		*s += 3;
	} else {
		c = (p[0] & 0x07u) << 18 | (p[1] & 0x3fu) << 12 |
		    (p[2] & 0x3fu) << 6 | (p[3] & 0x3fu);
		*s += 4;
		c -= 0x10000;
		*low = 0xdc00 + (c & 0x3ff);
		return 0xd800 + (c >> 10);
	}
	return c;
}

/*
 * String order as AWS (Java's String.compareTo) has it: by UTF-16 code
 * units, which differs from code point order only past U+FFFF.
 */
static int str_cmp(const json_t *a, const json_t *b)
{
	const unsigned char *p = (const unsigned char *)json_string_value(a);
	const unsigned char *q = (const unsigned char *)json_string_value(b);
	const unsigned char *pe = p + json_string_length(a);
	const unsigned char *qe = q + json_string_length(b);
	unsigned pl = 0, ql = 0;
	while ((p < pe || pl) && (q < qe || ql)) {
		unsigned x = next_unit(&p, &pl), y = next_unit(&q, &ql);
		if (x != y)
			return x < y ? -1 : 1;
	}
	if (p < pe || pl)
		return 1;
	if (q < qe || ql)
		return -1;
	return 0;
}

static bool compare(enum sfn_choice_op op, const json_t *v, const json_t *o)
{
	int64_t s1, s2;
	int32_t n1, n2;
	int c;
	switch (op) {
	case SFN_OP_STRING_EQ:
		return json_is_string(v) && json_is_string(o) &&
		       json_equal((json_t *)v, (json_t *)o);
	case SFN_OP_STRING_LT:
		return json_is_string(v) && json_is_string(o) &&
		       str_cmp(v, o) < 0;
	case SFN_OP_STRING_GT:
		return json_is_string(v) && json_is_string(o) &&
		       str_cmp(v, o) > 0;
	case SFN_OP_STRING_LE:
		return json_is_string(v) && json_is_string(o) &&
		       str_cmp(v, o) <= 0;
	case SFN_OP_STRING_GE:
		return json_is_string(v) && json_is_string(o) &&
		       str_cmp(v, o) >= 0;
	case SFN_OP_STRING_MATCHES:
		return json_is_string(v) && json_is_string(o) &&
		       sfn_string_matches(json_string_value(v),
					  json_string_value(o));
	case SFN_OP_NUMERIC_EQ:
		return json_is_number(v) && json_is_number(o) &&
		       sfn_json_number(v) == sfn_json_number(o);
	case SFN_OP_NUMERIC_LT:
		return json_is_number(v) && json_is_number(o) &&
		       sfn_json_number(v) < sfn_json_number(o);
	case SFN_OP_NUMERIC_GT:
		return json_is_number(v) && json_is_number(o) &&
		       sfn_json_number(v) > sfn_json_number(o);
	case SFN_OP_NUMERIC_LE:
		return json_is_number(v) && json_is_number(o) &&
		       sfn_json_number(v) <= sfn_json_number(o);
	case SFN_OP_NUMERIC_GE:
		return json_is_number(v) && json_is_number(o) &&
		       sfn_json_number(v) >= sfn_json_number(o);
	case SFN_OP_BOOLEAN_EQ:
		return json_is_boolean(v) && json_is_boolean(o) &&
		       json_is_true(v) == json_is_true(o);
	case SFN_OP_TIMESTAMP_EQ:
	case SFN_OP_TIMESTAMP_LT:
	case SFN_OP_TIMESTAMP_GT:
	case SFN_OP_TIMESTAMP_LE:
	case SFN_OP_TIMESTAMP_GE:
		if (!json_is_string(v) || !json_is_string(o) ||
		    !sfn_timestamp_parse_ns(json_string_value(v), &s1, &n1) ||
		    !sfn_timestamp_parse_ns(json_string_value(o), &s2, &n2))
			return false;
		/* As instants, to the nanosecond. */
		c = s1 != s2   ? (s1 < s2 ? -1 : 1)
		    : n1 != n2 ? (n1 < n2 ? -1 : 1)
			       : 0;
		switch (op) {
		case SFN_OP_TIMESTAMP_EQ:
			return c == 0;
		case SFN_OP_TIMESTAMP_LT:
			return c < 0;
		case SFN_OP_TIMESTAMP_GT:
			return c > 0;
		case SFN_OP_TIMESTAMP_LE:
			return c <= 0;
		default:
			return c >= 0;
		}
	case SFN_OP_IS_NULL:
		return json_is_null(v) == json_is_true(o);
	case SFN_OP_IS_NUMERIC:
		return json_is_number(v) == json_is_true(o);
	case SFN_OP_IS_STRING:
		return json_is_string(v) == json_is_true(o);
	case SFN_OP_IS_BOOLEAN:
		return json_is_boolean(v) == json_is_true(o);
	case SFN_OP_IS_TIMESTAMP:
		return (json_is_string(v) &&
			sfn_timestamp_parse_ns(json_string_value(v), &s1,
					       &n1)) == json_is_true(o);
	default:
		return false;
	}
}

static int eval_rule(struct ev *e, const struct sfn_choice_rule *r, json_t *in,
		     bool *match)
{
	switch (r->op) {
	case SFN_OP_AND:
	case SFN_OP_OR:
		for (size_t i = 0; i < r->n_subs; i++) {
			if (eval_rule(e, &r->subs[i], in, match) < 0)
				return -1;
			if (*match != (r->op == SFN_OP_AND))
				return 0;
		}
		*match = r->op == SFN_OP_AND;
		return 0;
	case SFN_OP_NOT:
		if (eval_rule(e, &r->subs[0], in, match) < 0)
			return -1;
		*match = !*match;
		return 0;
	case SFN_OP_CONDITION: {
		json_t *v = eval_tmpl(e, r->condition, in);
		if (!v)
			return -1;
		if (!json_is_boolean(v)) {
			char *s = dumps(v);
			runtime_error(e->f, SFN_E_QUERY_EVALUATION_ERROR,
				      "The JSONata expression '%s' specified "
				      "for the field '%s' returned an "
				      "unexpected result type. Expected "
				      "'boolean', but was '%s' for value: %s",
				      r->condition->text, r->condition->field,
				      type_word(v), s);
			free(s);
			json_decref(v);
			return -1;
		}
		*match = json_is_true(v);
		json_decref(v);
		return 0;
	}
	default:
		break;
	}
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_path_env env;
	path_env(e, r->variable, in, &env);
	json_t *v = sfn_path_eval(r->variable, &env, &err);
	if (!v && sfn_error_is_set(&err))
		return adopt_error(e->f, &err);
	if (r->op == SFN_OP_IS_PRESENT) {
		*match = (v != NULL) == json_is_true(r->operand);
		json_decref(v);
		return 0;
	}
	if (!v)
		return runtime_error(e->f, SFN_E_RUNTIME,
				     "Invalid path '%s': The choice state's "
				     "condition path references an invalid "
				     "value.",
				     sfn_path_text(r->variable));
	json_t *o = r->operand;
	json_t *ov = NULL;
	if (r->operand_path) {
		struct sfn_path_env env2;
		path_env(e, r->operand_path, in, &env2);
		ov = sfn_path_eval(r->operand_path, &env2, &err);
		if (!ov) {
			json_decref(v);
			if (sfn_error_is_set(&err))
				return adopt_error(e->f, &err);
			return runtime_error(e->f, SFN_E_RUNTIME,
					     "Invalid path '%s': The choice "
					     "state's condition path "
					     "references an invalid value.",
					     sfn_path_text(r->operand_path));
		}
		o = ov;
	}
	*match = compare(r->op, v, o);
	json_decref(v);
	json_decref(ov);
	return 0;
}

/* ---- Wait ---- */

static int wait_seconds(struct frame *f, struct ev *e, json_t *eff_in,
			double *out)
{
	const struct sfn_state *st = f->st;
	if (st->seconds.set) {
		if (st->seconds.path) {
			struct sfn_error err = SFN_ERROR_INIT;
			struct sfn_path_env env;
			const char *p = sfn_path_text(st->seconds.path);
			path_env(e, st->seconds.path, eff_in, &env);
			json_t *v = sfn_path_eval(st->seconds.path, &env, &err);
			if (!v) {
				if (sfn_error_is_set(&err))
					return adopt_error(f, &err);
				return runtime_error(
					f, SFN_E_RUNTIME,
					"The SecondsPath parameter does not "
					"reference an input value: %s",
					p);
			}
			char *s = dumps(v);
			int rc = 0;
			if (!json_is_integer(v))
				rc = runtime_error(
					f, SFN_E_RUNTIME,
					"The SecondsPath parameter cannot be "
					"parsed as a long value: %s == %s",
					p, s);
			else if (json_integer_value(v) < 0)
				rc = runtime_error(
					f, SFN_E_RUNTIME,
					"The SecondsPath parameter references "
					"a negative value: %s == %s",
					p, s);
			else
				*out = (double)json_integer_value(v);
			free(s);
			json_decref(v);
			return rc;
		}
		if (st->seconds.expr) {
			json_t *v = eval_tmpl(e, st->seconds.expr, eff_in);
			if (!v)
				return -1;
			double d = sfn_json_number(v);
			bool ok = json_is_number(v) && d == floor(d) && d >= 0;
			if (!ok) {
				char *s = dumps(v);
				runtime_error(
					f, SFN_E_QUERY_EVALUATION_ERROR,
					"The JSONata expression '%s' specified "
					"for the field 'Seconds' returned an "
					"unexpected result type. Expected "
					"'integer', but was '%s' for value: %s",
					st->seconds.expr->text, type_word(v),
					s);
				free(s);
			}
			json_decref(v);
			*out = d;
			return ok ? 0 : -1;
		}
		*out = st->seconds.value;
		return 0;
	}
	double ts = st->timestamp;
	if (st->timestamp_path || st->timestamp_expr) {
		json_t *v;
		const char *p;
		if (st->timestamp_path) {
			struct sfn_error err = SFN_ERROR_INIT;
			struct sfn_path_env env;
			p = sfn_path_text(st->timestamp_path);
			path_env(e, st->timestamp_path, eff_in, &env);
			v = sfn_path_eval(st->timestamp_path, &env, &err);
			if (!v) {
				if (sfn_error_is_set(&err))
					return adopt_error(f, &err);
				return runtime_error(
					f, SFN_E_RUNTIME,
					"The TimestampPath parameter does not "
					"reference an input value: %s",
					p);
			}
		} else {
			p = "Timestamp";
			v = eval_tmpl(e, st->timestamp_expr, eff_in);
			if (!v)
				return -1;
		}
		if (!json_is_string(v) ||
		    !sfn_timestamp_parse(json_string_value(v), &ts)) {
			char *s = json_is_string(v)
					  ? sfn_xstrdup(json_string_value(v))
					  : dumps(v);
			if (st->timestamp_path)
				runtime_error(
					f, SFN_E_RUNTIME,
					"The TimestampPath parameter does not "
					"reference a valid ISO-8601 extended "
					"offset date-time format string: %s "
					"== %s",
					p, s);
			else
				runtime_error(
					f, SFN_E_QUERY_EVALUATION_ERROR,
					"The Timestamp field cannot be parsed "
					"as an ISO-8601 extended offset "
					"date-time format string: %s",
					s);
			free(s);
			json_decref(v);
			return -1;
		}
		json_decref(v);
	}
	double d = ts - now(f);
	if (d >= 2147483648.0)
		return runtime_error(f, SFN_E_RUNTIME,
				     "Wait state delay is too long.");
	*out = d > 0 ? d : 0;
	return 0;
}

/* ---- one state ---- */

static void emit_entered(struct frame *f, const struct sfn_state *st,
			 json_t *input)
{
	struct sfn_event ev = {
		.type = state_event_type(st->type, EV_ENTERED),
		.details_key = sfn_event_entered_key,
		.state = st->name,
		.payload_key = sfn_event_input_key,
		.payload = input,
		.timestamp = f->entered_time, /* read by run_state */
	};
	f->entered_id = emit_event(f, &ev, NULL);
}

/*
 * Whether the text the sink makes of @out for the StateExited emitted
 * right after is short enough for the payload quota: its length bounds the
 * compact size (escapes only add bytes), so json_size need not walk @out
 * as well. Only while this thread is the one that emits (the sink's texts
 * are not shared).
 */
static bool measured_small(struct frame *f, const json_t *out)
{
	const struct sfn_event_sink *s = f->x->o.sink;
	return s && s->measure &&
	       atomic_load_explicit(&f->x->workers, memory_order_acquire) ==
		       0 &&
	       s->measure(s->ud, out) <= SFN_PAYLOAD_MAX - 256;
}

static int check_output(struct frame *f, json_t *out)
{
	if (measured_small(f, out) || !too_big(f, out))
		return 0;
	set_error(f, SFN_E_DATA_LIMIT_EXCEEDED, NULL, true);
	char *c = sfn_xasprintf("The state/task '%s' returned a result with a "
				"size exceeding the maximum number of bytes "
				"service limit.",
				f->st->name);
	free(f->err.cause);
	f->err.cause = c;
	return -1;
}

/*
 * Runs state @st on @raw. Returns 0 with *@out (new) and *@next (NULL at
 * the end), or -1 with the frame's error set.
 */
static int run_state(struct frame *f, const struct sfn_state *st, json_t *raw,
		     json_t **out, const struct sfn_state **next)
{
	struct ev e = { .f = f, .input = raw };
	json_t *eff = NULL, *result = NULL, *pending = NULL, *o = NULL;
	bool jp = st->qlang == SFN_QL_JSONPATH;
	int rc = -1;
	f->st = st;
	f->retry_count = 0;
	/* The clock is read only where something will show it. */
	if (st->uses_context || want_events(f) || f->x->o.trace ||
	    st->type == SFN_STATE_WAIT)
		f->entered_time = f->exited_at > 0 ? f->exited_at : now(f);
	*next = st->target;
	*out = NULL;
	emit_entered(f, st, raw);
	if (f->x->o.trace) {
		struct sfn_trace_info ti = { .state = st->name,
					     .type = sfn_state_type_name(
						     st->type),
					     .scope = f->xscope,
					     .elapsed = elapsed(f),
					     .retries = 0,
					     .note = NULL };
		pthread_mutex_lock(&f->x->lock);
		f->x->o.trace(f->x->o.ud, &ti);
		pthread_mutex_unlock(&f->x->lock);
	}
	if (jp && st->type != SFN_STATE_FAIL) {
		eff = apply_path(&e, st->input_path, st->input_path_null, raw);
		if (!eff)
			goto out;
		INSPECT(f, "afterInputPath", eff);
	} else {
		eff = json_incref(raw);
		/* A Fail has no InputPath: TestState still reports its input
		 * there [OBS LocalStack test_state BASE_FAIL_STATE]. */
		if (jp)
			INSPECT(f, "afterInputPath", eff);
	}
	switch (st->type) {
	case SFN_STATE_PASS:
		if (jp) {
			result = st->result ? json_incref(st->result)
				 : st->parameters
					 ? eval_tmpl(&e, st->parameters, eff)
					 : json_incref(eff);
			if (!result)
				goto out;
			if (!st->result)
				INSPECT(f, "afterParameters", result);
			INSPECT(f, "result", result);
			if (eval_assign(&e, st->assign, result, &pending) < 0)
				goto out;
			json_t *m = apply_result_path(f, st->result_path,
						      st->result_path_null, raw,
						      result);
			if (!m)
				goto out;
			INSPECT(f, "afterResultPath", m);
			o = apply_path(&e, st->output_path,
				       st->output_path_null, m);
			json_decref(m);
		} else {
			if (eval_assign(&e, st->assign, raw, &pending) < 0)
				goto out;
			o = st->output ? eval_tmpl(&e, st->output, raw)
				       : json_incref(raw);
		}
		break;
	case SFN_STATE_SUCCEED:
		*next = NULL;
		SFN_FALLTHROUGH;
	case SFN_STATE_WAIT:
		if (st->type == SFN_STATE_WAIT) {
			double secs = 0;
			if (wait_seconds(f, &e, eff, &secs) < 0)
				goto out;
			if (wait_bounded(f, secs) < 0)
				goto out;
		}
		if (eval_assign(&e, st->assign, jp ? eff : raw, &pending) < 0)
			goto out;
		if (jp)
			o = apply_path(&e, st->output_path,
				       st->output_path_null, eff);
		else
			o = st->output ? eval_tmpl(&e, st->output, raw)
				       : json_incref(raw);
		break;
	case SFN_STATE_CHOICE: {
		const struct sfn_choice_rule *won = NULL;
		for (size_t i = 0; i < st->n_choices && !won; i++) {
			bool m = false;
			if (eval_rule(&e, &st->choices[i], eff, &m) < 0)
				goto out;
			if (m)
				won = &st->choices[i];
		}
		if (!won && !st->default_target) {
			set_error(f, SFN_E_NO_CHOICE_MATCHED, NULL, false);
			sfn_errorf(&f->err, SFN_E_NO_CHOICE_MATCHED, NULL,
				   "No Matches!");
			free(f->err.cause);
			f->err.cause = sfn_xstrdup("No Matches!");
			goto out;
		}
		*next = won ? won->target : st->default_target;
		f->choice_known = true;
		f->choice_rule = won ? (long)(won - st->choices) : -1;
		const struct sfn_tmpl *as = won ? won->assign : st->assign;
		const struct sfn_tmpl *ot = won ? won->output : st->output;
		if (eval_assign(&e, as, jp ? eff : raw, &pending) < 0)
			goto out;
		if (jp)
			o = apply_path(&e, st->output_path,
				       st->output_path_null, eff);
		else
			o = ot ? eval_tmpl(&e, ot, raw) : json_incref(raw);
		break;
	}
	case SFN_STATE_FAIL: {
		char *error = st->error ? sfn_xstrdup(st->error) : NULL;
		char *cause = st->cause ? sfn_xstrdup(st->cause) : NULL;
		const struct sfn_tmpl *ts[2] = { st->error_expr,
						 st->cause_expr };
		char **dst[2] = { &error, &cause };
		for (int k = 0; k < 2; k++) {
			if (!ts[k])
				continue;
			json_t *v = eval_tmpl(&e, ts[k], raw);
			if (!v) {
				free(error);
				free(cause);
				goto out;
			}
			if (json_is_string(v))
				*dst[k] = sfn_xstrdup(json_string_value(v));
			else
				*dst[k] = dumps(v);
			json_decref(v);
		}
		set_error(f, error, cause, false);
		free(error);
		free(cause);
		goto out;
	}
	case SFN_STATE_TASK:
	case SFN_STATE_PARALLEL:
	case SFN_STATE_MAP: {
		work_fn w = st->type == SFN_STATE_TASK	     ? task_work
			    : st->type == SFN_STATE_PARALLEL ? parallel_work
							     : map_work;
		if (st->type != SFN_STATE_TASK && TESTED(f) &&
		    (f->x->o.test->mock_result || f->x->o.test->mock_error))
			w = mock_work; /* mocked as a whole, as TestState */
		int wr = with_retry(f, &e, eff, w, &result);
		f->task_token = NULL;
		if (wr < 0) {
			if (try_catch(f, &e, raw, &o, next) == 0) {
				rc = 0;
				goto out_nocheck;
			}
			goto out;
		}
		e.result = result;
		json_decref(e.bindings); /* now with $states.result */
		e.bindings = NULL;
		INSPECT(f, "result", result);
		if (jp) {
			if (eval_assign(&e, st->assign, result, &pending) < 0)
				goto out;
			json_t *sel =
				st->result_selector
					? eval_tmpl(&e, st->result_selector,
						    result)
					: json_incref(result);
			if (!sel)
				goto out;
			INSPECT(f, "afterResultSelector", sel);
			json_t *m = apply_result_path(f, st->result_path,
						      st->result_path_null, raw,
						      sel);
			json_decref(sel);
			if (!m)
				goto out;
			INSPECT(f, "afterResultPath", m);
			o = apply_path(&e, st->output_path,
				       st->output_path_null, m);
			json_decref(m);
		} else {
			if (eval_assign(&e, st->assign, raw, &pending) < 0)
				goto out;
			o = st->output ? eval_tmpl(&e, st->output, raw)
				       : json_incref(result);
		}
		break;
	}
	}
	if (!o)
		goto out;
	if (st->type != SFN_STATE_PASS || o != raw) {
		if (check_output(f, o) < 0)
			goto out;
	}
	emit_exited(f, st, o, pending);
	pending = NULL;
	rc = 0;
out_nocheck:
	*out = o;
	o = NULL;
out:
	if (rc < 0) {
		json_decref(o);
		*out = NULL;
		if (!f->failed_state)
			f->failed_state = st;
		if (f->aborted && want_events(f) &&
		    (st->type == SFN_STATE_TASK || st->type == SFN_STATE_MAP ||
		     st->type == SFN_STATE_PARALLEL ||
		     st->type == SFN_STATE_WAIT))
			emit_simple(f, st, EV_ABORTED);
	}
	json_decref(pending);
	json_decref(eff);
	json_decref(result);
	ev_release(&e);
	return rc;
}

/* The length of the history @f's events go to (for the quota). */
static uint64_t history_length(struct frame *f)
{
	if (f->child_events)
		return atomic_load_explicit(f->child_events,
					    memory_order_relaxed);
	return atomic_load_explicit(&f->x->n_events, memory_order_relaxed) -
	       atomic_load_explicit(&f->x->n_child_events,
				    memory_order_relaxed);
}

static int run_machine(struct frame *f, const struct sfn_machine *m,
		       json_t *input, json_t **output)
{
	struct sfn_exec *x = f->x;
	const struct sfn_state *st = f->resume_at ? f->resume_at : m->start;
	json_t *value = json_incref(input);
	f->resume_at = NULL;
	/* A distributed Map child counts its own history; its parent's
	 * leaves the children's events out. */
	bool capped = f->child_events ? f->child_capped
				      : !x->o.express && !x->o.no_history_limit;
	*output = NULL;
	for (;;) {
		if (cancelled(f)) {
			json_decref(value);
			if (!sfn_error_is_set(&f->err))
				abort_error(f);
			return -1;
		}
		/* The deadline is checked every 64 states (and by every wait).
		 */
		if ((++f->ticks & 63) == 0 && past_deadline(f)) {
			json_decref(value);
			return -1;
		}
		if (capped && history_length(f) >= SFN_HISTORY_MAX) {
			json_decref(value);
			f->st = st;
			set_error(f, SFN_E_RUNTIME,
				  "The execution reached the maximum number "
				  "of events in its history (25,000); run it "
				  "as EXPRESS or lift the quota with "
				  "--no-history-limit",
				  true);
			return -1;
		}
		atomic_fetch_add_explicit(&x->n_transitions, 1,
					  memory_order_relaxed);
		const struct sfn_state *next;
		json_t *out;
		int rc = run_state(f, st, value, &out, &next);
		json_decref(value);
		if (rc < 0)
			return -1;
		if (!next) {
			*output = out;
			return 0;
		}
		value = out;
		st = next;
	}
}

/* ---- the execution ---- */

const char *sfn_exec_status_name(enum sfn_exec_status s)
{
	static const char *const names[] = { "RUNNING", "SUCCEEDED", "FAILED",
					     "TIMED_OUT", "ABORTED" };
	return names[s];
}

void sfn_format_uuid(char buf[37], const unsigned char in[16])
{
	unsigned char r[16];
	memcpy(r, in, 16);
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(buf, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%"
		 "02x%02x",
		 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
		 r[10], r[11], r[12], r[13], r[14], r[15]);
}

struct sfn_exec *sfn_exec_create(const struct sfn_machine *m,
				 const struct sfn_exec_options *opts)
{
	struct sfn_exec *x = sfn_xcalloc(1, sizeof(*x));
	x->m = m;
	x->o = *opts;
	if (!x->o.region)
		x->o.region = "us-east-1";
	if (!x->o.account)
		x->o.account = "123456789012";
	x->arn = sfn_xasprintf("arn:aws:states:%s:%s:%s:%s:%s", x->o.region,
			       x->o.account,
			       x->o.express ? "express" : "execution",
			       x->o.state_machine_name, x->o.execution_name);
	x->sm_arn = sfn_xasprintf("arn:aws:states:%s:%s:stateMachine:%s",
				  x->o.region, x->o.account,
				  x->o.state_machine_name);
	char ts[32];
	sfn_time_format(ts, x->o.start_time);
	x->ctx_execution = json_pack(
		"{s:s,s:O,s:s,s:s,s:s}", "Id", x->arn, "Input", x->o.input,
		"StartTime", ts, "Name", x->o.execution_name, "RoleArn",
		"arn:aws:iam::123456789012:role/service-role/StepFunctions-"
		"local");
	/* EXPRESS executions are never redriven: no RedriveCount [OBS]. */
	if (!x->o.express)
		json_object_set_new(x->ctx_execution, "RedriveCount",
				    json_integer(0));
	const struct sfn_exec_resume *rs = x->o.resume;
	if (rs) {
		/* sfn-features.md §1.5: the first attempt's StartTime stays;
		 * RedriveCount and RedriveTime tell the redrive. */
		if (rs->start_date)
			json_object_set_new(x->ctx_execution, "StartTime",
					    json_string(rs->start_date));
		json_object_set_new(x->ctx_execution, "RedriveCount",
				    json_integer(rs->redrive_count));
		json_object_set_new(x->ctx_execution, "RedriveTime",
				    json_string(ts));
		atomic_store(&x->n_events, rs->last_event_id);
		atomic_store(&x->n_child_events, rs->child_events);
	}
	x->ctx_statemachine = json_pack("{s:s,s:s}", "Id", x->sm_arn, "Name",
					x->o.state_machine_name);
	pthread_mutex_init(&x->lock, NULL);
	x->invocations = rs && json_is_object(rs->invocations)
				 ? json_deep_copy(rs->invocations)
				 : json_object();
	x->timeout = m->timeout_seconds;
	if (x->o.express && !x->o.no_duration_limit &&
	    (!x->timeout || x->timeout > SFN_EXPRESS_MAX))
		x->timeout = SFN_EXPRESS_MAX;
	return x;
}

void sfn_exec_free(struct sfn_exec *x)
{
	if (!x)
		return;
	free(x->arn);
	free(x->sm_arn);
	json_decref(x->ctx_execution);
	json_decref(x->ctx_statemachine);
	json_decref(x->invocations);
	pthread_mutex_destroy(&x->lock);
	free(x);
}

const char *sfn_exec_arn(const struct sfn_exec *x)
{
	return x->arn;
}

const char *sfn_exec_state_machine_arn(const struct sfn_exec *x)
{
	return x->sm_arn;
}

void sfn_exec_result_release(struct sfn_exec_result *r)
{
	json_decref(r->output);
	free(r->error);
	free(r->cause);
	free(r->state);
	free(r->where);
	memset(r, 0, sizeof(*r));
}

int sfn_exec_run(struct sfn_exec *x, struct sfn_exec_result *res)
{
	struct frame f;
	frame_init(&f, x);
	memset(res, 0, sizeof(*res));
	x->mono_start = x->o.monotonic(x->o.ud);
	const struct sfn_exec_resume *rs = x->o.resume;
	if (rs) {
		/* sfn-features.md §1.3: ExecutionRedriven, then the open state
		 * is entered again with the input recorded for it. */
		if (rs->state)
			f.resume_at = sfn_machine_find(x->m, rs->state);
		if (rs->state && !f.resume_at) {
			set_error(&f, SFN_E_RUNTIME,
				  "the journal resumes at a state the "
				  "definition does not have",
				  true);
		}
		if (json_object_size(rs->variables))
			f.vars = json_deep_copy(rs->variables);
		f.prev = rs->last_event_id;
		emit(&f, want_events(&f) ? "ExecutionRedriven" : NULL,
		     "executionRedrivenEventDetails",
		     want_events(&f) ? json_pack("{s:i}", "redriveCount",
						 (int)rs->redrive_count)
				     : NULL);
	} else if (want_events(&f)) {
		json_t *d = json_object();
		sfn_event_add_payload(d, "input", x->o.input);
		json_object_set_new(
			d, "roleArn",
			json_object_get(x->ctx_execution, "RoleArn")
				? json_incref(json_object_get(x->ctx_execution,
							      "RoleArn"))
				: json_null());
		emit(&f, "ExecutionStarted", "executionStartedEventDetails", d);
	} else {
		emit(&f, NULL, NULL, NULL);
	}
	/* AWS quirk: the first state's previousEventId is 0. After a
	 * redrive, the state follows ExecutionRedriven. */
	if (!rs)
		f.prev = 0;
	json_t *out = NULL;
	int rc;
	if (too_big(&f, x->o.input)) {
		set_error(&f, SFN_E_DATA_LIMIT_EXCEEDED,
			  "The execution input exceeds the maximum number of "
			  "bytes service limit.",
			  true);
		rc = -1;
	} else if (sfn_error_is_set(&f.err)) {
		rc = -1; /* a redrive that cannot resume */
	} else {
		rc = run_machine(&f, x->m,
				 rs && rs->input ? rs->input : x->o.input,
				 &out);
	}
	res->stop_time = now(&f);
	if (rc == 0) {
		res->status = SFN_EXEC_SUCCEEDED;
		res->output = out;
		json_t *d = want_events(&f) ? json_object() : NULL;
		if (d)
			sfn_event_add_payload(d, "output", out);
		emit(&f, "ExecutionSucceeded", "executionSucceededEventDetails",
		     d);
	} else {
		const char *type, *key;
		if (atomic_load(&x->timed_out)) {
			res->status = SFN_EXEC_TIMED_OUT;
			type = "ExecutionTimedOut";
			key = "executionTimedOutEventDetails";
			res->error = sfn_xstrdup(SFN_E_TIMEOUT);
			res->cause = sfn_xstrdup(
				"The execution timed out (TimeoutSeconds)");
		} else if (atomic_load(&x->aborted)) {
			res->status = SFN_EXEC_ABORTED;
			type = "ExecutionAborted";
			key = "executionAbortedEventDetails";
		} else {
			res->status = SFN_EXEC_FAILED;
			type = "ExecutionFailed";
			key = "executionFailedEventDetails";
			res->error =
				f.err.name ? sfn_xstrdup(f.err.name) : NULL;
			res->cause =
				f.err.cause ? sfn_xstrdup(f.err.cause) : NULL;
		}
		if (f.failed_state && res->status != SFN_EXEC_ABORTED) {
			res->state = sfn_xstrdup(f.failed_state->name);
			res->where = sfn_xstrdup(f.failed_state->where);
		}
		json_t *d = want_events(&f)
				    ? details_error(
					      res->status == SFN_EXEC_TIMED_OUT
						      ? NULL
						      : res->error,
					      res->status == SFN_EXEC_TIMED_OUT
						      ? NULL
						      : res->cause)
				    : NULL;
		f.prev = x->n_events;
		emit(&f, type, key, d);
	}
	res->n_events = x->n_events;
	res->n_transitions = x->n_transitions;
	frame_release(&f);
	return 0;
}

/* ---- sfn test-state: one state, once ---- */

int sfn_exec_test_run(struct sfn_exec *x, struct sfn_exec_test_result *r)
{
	const struct sfn_exec_test *t = x->o.test;
	struct frame f;
	frame_init(&f, x);
	memset(r, 0, sizeof(*r));
	r->retry_index = r->catch_index = -1;
	x->test_retry = x->test_catch = -1;
	x->mono_start = x->o.monotonic(x->o.ud);
	if (json_object_size(t->variables))
		f.vars = json_deep_copy(t->variables);
	f.map_item = t->map_item;
	json_t *out = NULL;
	const struct sfn_state *next = NULL;
	if (run_state(&f, t->state, t->input, &out, &next) == 0) {
		r->output = out;
		r->next_state = next ? next->name : NULL;
		r->status = x->test_catch >= 0 ? SFN_TEST_CAUGHT_ERROR
					       : SFN_TEST_SUCCEEDED;
		r->catch_index = x->test_catch;
	} else {
		r->status = x->test_retry >= 0 ? SFN_TEST_RETRIABLE
					       : SFN_TEST_FAILED;
		r->retry_index = x->test_retry;
		r->retry_backoff = x->test_backoff;
		r->error = f.err.name ? sfn_xstrdup(f.err.name) : NULL;
		r->cause = f.err.cause ? sfn_xstrdup(f.err.cause) : NULL;
	}
	r->variables = f.vars ? json_deep_copy(f.vars) : json_object();
	frame_release(&f);
	return 0;
}

void sfn_exec_test_result_release(struct sfn_exec_test_result *r)
{
	json_decref(r->output);
	json_decref(r->variables);
	free(r->error);
	free(r->cause);
	memset(r, 0, sizeof(*r));
}
