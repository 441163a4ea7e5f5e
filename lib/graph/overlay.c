/*
 * An execution over the graph: what its history says of each state. A
 * visit opens at a *StateEntered in its scope ("x-scope") and closes at the
 * matching *StateExited; a Task scheduled again after a failure in the
 * same visit is a retry, and a visit that exits after a failure was caught. A
 * redrive closes the visits its attempt left open: what it runs again is new.
 * A Parallel's branches are counted by outcome when its visit ends, from the
 * events of their own scope ([..., [name, branch]]), as a Map's iterations
 * are from their MapIteration events.
 */
#include "graph/graph.h"

#include <stdlib.h>
#include <string.h>

struct mark_acc {
	const char *state;
	unsigned entered, exited, retries, redrive;
	bool failed_last; /* the last attempt of the open visit failed */
	bool caught;	  /* a visit exited after a failure */
	/* Map iterations, or Parallel branches */
	unsigned it_ok, it_failed, it_aborted;
	bool is_map; /* it_* count MapIteration events */
	char *note;  /* owned */
};

/* A branch of a Parallel's open visit, from the events in its scope. */
struct branch {
	char *key;	  /* owned: its scope, as text (br_index's key) */
	char *outer;	  /* owned: the Parallel's own scope, as text */
	const char *name; /* the Parallel state (borrowed from the history) */
	size_t index;
	unsigned open;	  /* its states entered and not exited */
	bool failed_last; /* the open state's last attempt failed */
	bool aborted;	  /* a state of it was aborted */
};

struct overlay_owned {
	struct sfn_graph_overlay pub;
	struct mark_acc *acc;
	size_t n_acc;
	struct branch *br; /* of the Parallel visits still open */
	size_t n_br, br_alloc;
	json_t *br_index; /* a branch's scope text -> its index in br */
	struct sfn_graph_mark *marks;
	struct sfn_graph_step *path;
};

static struct mark_acc *acc_of(struct overlay_owned *o, const char *state,
			       size_t *alloc)
{
	for (size_t i = 0; i < o->n_acc; i++)
		if (!strcmp(o->acc[i].state, state))
			return &o->acc[i];
	if (o->n_acc == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 16;
		o->acc = sfn_xrealloc(o->acc, *alloc * sizeof(*o->acc));
	}
	struct mark_acc *a = &o->acc[o->n_acc++];
	memset(a, 0, sizeof(*a));
	a->state = state;
	return a;
}

/* The branch an event in @scope belongs to, when its innermost unit is a
 * Parallel branch (a Map iteration is counted by its own events). */
static struct branch *branch_of(struct overlay_owned *o, json_t *scope,
				const char *sc)
{
	json_t *known = json_object_get(o->br_index, sc);
	if (known)
		return &o->br[json_integer_value(known)];
	size_t n = json_array_size(scope);
	json_t *unit = json_array_get(scope, n - 1);
	const char *name = json_string_value(json_array_get(unit, 0));
	json_t *idx = json_array_get(unit, 1);
	if (!name || !json_is_integer(idx))
		return NULL;
	/* A Map's iterations have events of their own. */
	for (size_t i = 0; i < o->n_acc; i++)
		if (o->acc[i].is_map && !strcmp(o->acc[i].state, name))
			return NULL;
	json_t *outer = json_array();
	for (size_t i = 0; i + 1 < n; i++)
		json_array_append(outer, json_array_get(scope, i));
	if (o->n_br == o->br_alloc) {
		o->br_alloc = o->br_alloc ? o->br_alloc * 2 : 8;
		o->br = sfn_xrealloc(o->br, o->br_alloc * sizeof(*o->br));
	}
	struct branch *b = &o->br[o->n_br];
	memset(b, 0, sizeof(*b));
	b->key = sfn_xstrdup(sc);
	b->outer = sfn_json_dumps(outer, 0);
	b->name = name;
	b->index = (size_t)json_integer_value(idx);
	json_decref(outer);
	json_object_set_new(o->br_index, sc, json_integer((json_int_t)o->n_br));
	o->n_br++;
	return b;
}

/*
 * Counts the branches of Parallel @name (in scope @outer; NULL: all) by
 * outcome into its mark and forgets them: its visit ended (or the history
 * did, @ended telling a finished execution from a running one).
 */
static void count_branches(struct overlay_owned *o, const char *name,
			   const char *outer, bool ended, size_t *alloc)
{
	size_t keep = 0;
	json_object_clear(o->br_index);
	for (size_t i = 0; i < o->n_br; i++) {
		struct branch *b = &o->br[i];
		if ((name && strcmp(b->name, name)) ||
		    (outer && strcmp(b->outer, outer))) {
			o->br[keep++] = *b;
			continue;
		}
		struct mark_acc *a = acc_of(o, b->name, alloc);
		if (!a->is_map) {
			if (b->aborted)
				a->it_aborted++;
			else if (b->open && (ended || b->failed_last))
				a->it_failed++;
			else if (!b->open)
				a->it_ok++;
		}
		free(b->key);
		free(b->outer);
	}
	o->n_br = keep;
	/* The branches kept, at their new places. */
	for (size_t i = 0; i < keep; i++)
		json_object_set_new(o->br_index, o->br[i].key,
				    json_integer((json_int_t)i));
}

static json_t *details(json_t *ev)
{
	const char *k;
	json_t *v;
	json_object_foreach(ev, k, v)
		if (sfn_ends_with(k, "EventDetails"))
			return v;
	return NULL;
}

struct sfn_graph_overlay *sfn_graph_overlay_from_history(json_t *events,
							 bool ended)
{
	struct overlay_owned *o = sfn_xcalloc(1, sizeof(*o));
	json_t *current = json_object(); /* scope text -> state name */
	o->br_index = json_object();
	size_t alloc = 0, n_path = 0, path_alloc = 0;
	unsigned redrive = 0;
	const char *last_top = NULL;
	bool succeeded = false;
	size_t i;
	json_t *ev;

	json_array_foreach(events, i, ev) {
		const char *type =
			json_string_value(json_object_get(ev, "type"));
		json_t *scope = json_object_get(ev, "x-scope");
		json_t *d = details(ev);
		if (!type)
			continue;
		if (!strcmp(type, "ExecutionRedriven")) {
			/* The visits the last attempt left open ended with
			 * it; the redrive enters them again. */
			count_branches(o, NULL, NULL, true, &alloc);
			for (size_t k = 0; k < o->n_acc; k++) {
				o->acc[k].entered = o->acc[k].exited;
				o->acc[k].failed_last = false;
			}
			json_object_clear(current);
			redrive++;
			continue;
		}
		if (!strcmp(type, "ExecutionSucceeded"))
			succeeded = true;
		char *sc = scope && json_array_size(scope)
				   ? sfn_json_dumps(scope, 0)
				   : sfn_xstrdup("[]");
		bool top = !strcmp(sc, "[]");
		const char *name =
			json_string_value(json_object_get(d, "name"));
		struct branch *b = top ? NULL : branch_of(o, scope, sc);
		if (b && sfn_ends_with(type, "StateEntered")) {
			b->open++;
			b->failed_last = false;
		} else if (b && sfn_ends_with(type, "StateExited") && b->open) {
			b->open--;
		} else if (b && sfn_ends_with(type, "StateAborted")) {
			b->aborted = true;
		} else if (b && (sfn_ends_with(type, "Failed") ||
				 sfn_ends_with(type, "TimedOut"))) {
			b->failed_last = true;
		} else if (b && sfn_ends_with(type, "Succeeded")) {
			b->failed_last = false;
		}
		if (!strncmp(type, "ParallelState", 13) &&
		    (sfn_ends_with(type, "Succeeded") ||
		     sfn_ends_with(type, "Failed") ||
		     sfn_ends_with(type, "Aborted"))) {
			/* The Parallel's visit ends: count its branches. */
			const char *p =
				json_string_value(json_object_get(current, sc));
			if (p)
				count_branches(o, p, sc, true, &alloc);
		}
		if (sfn_ends_with(type, "StateEntered") && name) {
			struct mark_acc *a = acc_of(o, name, &alloc);
			a->entered++;
			a->redrive = redrive;
			a->failed_last = false;
			json_object_set_new(current, sc, json_string(name));
			if (top &&
			    !(last_top && !strcmp(last_top, name) && redrive &&
			      n_path && o->path[n_path - 1].to == last_top)) {
				if (n_path == path_alloc) {
					path_alloc = path_alloc ? path_alloc * 2
								: 16;
					o->path = sfn_xrealloc(
						o->path,
						path_alloc * sizeof(*o->path));
				}
				o->path[n_path++] =
					(struct sfn_graph_step){ last_top,
								 a->state };
				last_top = a->state;
			}
		} else if (sfn_ends_with(type, "StateExited") && name) {
			struct mark_acc *a = acc_of(o, name, &alloc);
			a->exited++;
			if (a->failed_last)
				a->caught = true;
		} else if (!strncmp(type, "MapIteration", 12) && name) {
			struct mark_acc *a = acc_of(o, name, &alloc);
			a->is_map = true;
			a->it_ok += !strcmp(type, "MapIterationSucceeded");
			a->it_failed += !strcmp(type, "MapIterationFailed");
			a->it_aborted += !strcmp(type, "MapIterationAborted");
		} else {
			const char *st =
				json_string_value(json_object_get(current, sc));
			struct mark_acc *a = st ? acc_of(o, st, &alloc) : NULL;
			if (a && (!strcmp(type, "TaskScheduled") ||
				  !strcmp(type, "LambdaFunctionScheduled") ||
				  !strcmp(type, "ActivityScheduled"))) {
				/* Scheduled again after a failure in the same
				 * visit: a retry. */
				a->retries += a->failed_last;
				a->failed_last = false;
			} else if (a &&
				   (sfn_ends_with(type, "Failed") ||
				    sfn_ends_with(type, "TimedOut")) &&
				   strncmp(type, "Execution", 9))
				a->failed_last = true;
			else if (a && sfn_ends_with(type, "Succeeded"))
				a->failed_last = false;
		}
		free(sc);
	}
	/* Parallel visits the history leaves open (a run that died or still
	 * runs): what their branches did so far. */
	count_branches(o, NULL, NULL, ended, &alloc);
	free(o->br);
	o->br = NULL;
	json_decref(o->br_index);
	o->br_index = NULL;
	json_decref(current);
	if (succeeded && last_top) {
		if (n_path == path_alloc)
			o->path = sfn_xrealloc(
				o->path, (path_alloc + 1) * sizeof(*o->path));
		o->path[n_path++] = (struct sfn_graph_step){ last_top, NULL };
	}

	o->marks = sfn_xcalloc(o->n_acc + 1, sizeof(*o->marks));
	for (size_t k = 0; k < o->n_acc; k++) {
		struct mark_acc *a = &o->acc[k];
		enum sfn_graph_status st;
		if (a->entered > a->exited)
			st = ended ? SFN_GRAPH_FAILED : SFN_GRAPH_RUNNING;
		else if (a->caught)
			st = SFN_GRAPH_CAUGHT;
		else
			st = SFN_GRAPH_SUCCEEDED;
		if (a->it_ok + a->it_failed + a->it_aborted)
			a->note = sfn_xasprintf(
				"%u succeeded, %u failed, %u aborted", a->it_ok,
				a->it_failed, a->it_aborted);
		o->marks[k] = (struct sfn_graph_mark){
			.state = a->state,
			.status = st,
			.retries = a->retries,
			.redrive = a->redrive,
			.note = a->note,
		};
	}
	o->pub.marks = o->marks;
	o->pub.n_marks = o->n_acc;
	o->pub.path = o->path;
	o->pub.n_path = n_path;
	return &o->pub;
}

void sfn_graph_overlay_free(struct sfn_graph_overlay *pub)
{
	struct overlay_owned *o = (struct overlay_owned *)pub;
	if (!o)
		return;
	for (size_t k = 0; k < o->n_acc; k++)
		free(o->acc[k].note);
	free(o->acc);
	free(o->marks);
	free(o->path);
	free(o);
}
