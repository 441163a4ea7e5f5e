/*
 * html.c: the self-contained HTML page: the graph as inline SVG (nodes
 * carrying their stable ids), the page's data as one JSON block, and the
 * script and styles (page.js, page.css, embedded at build time) that make
 * states clickable. With an execution the data holds its history and each
 * state's visits (one per entry: per Map iteration, per Parallel branch, per
 * redrive), so the page can show what the console's execution view shows:
 * each visit's input, output, error, retries and events, and a timeline.
 */
#include "graph_int.h"

#include <string.h>

#include "graph_page_assets.h"

/* ---- visits: each entry into a state, from the history ---- */

struct visit {
	json_t *obj;	  /* the visit as the page gets it; owned */
	json_t *scope;	  /* borrowed from obj */
	json_t *events;	  /* borrowed from obj */
	bool open;	  /* entered, not yet exited or closed */
	bool failed_last; /* its last attempt failed */
};

struct visits {
	struct visit *v;
	size_t n, alloc;
	size_t *open; /* indexes of the open visits: few, however long the
			 history (a Map of 10,000 items runs 40 at a time) */
	size_t n_open, alloc_open;
	const struct sfn_graph *g;
};

static json_t *event_details(const json_t *ev)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)ev, k, v)
		if (sfn_ends_with(k, "EventDetails") && json_is_object(v))
			return v;
	return NULL;
}

static const struct gnode *find_node(const struct gmachine *m, const char *name)
{
	for (size_t i = 0; i < m->n_nodes; i++) {
		const struct gnode *n = m->nodes[i];
		if (n->name && !strcmp(n->name, name))
			return n;
		for (size_t k = 0; k < n->n_subs; k++) {
			const struct gnode *in = find_node(n->subs[k], name);
			if (in)
				return in;
		}
	}
	return NULL;
}

const struct gnode *graph_find_node(const struct sfn_graph *g, const char *name)
{
	return g && name ? find_node(&g->root, name) : NULL;
}

/* "Price lines: iteration 2 / Checks: branch 1" for an x-scope. */
static char *scope_label(const struct sfn_graph *g, const json_t *scope)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	size_t i;
	json_t *el;
	json_array_foreach(scope, i, el) {
		const char *name = json_string_value(json_array_get(el, 0));
		json_t *idx = json_array_get(el, 1);
		const struct gnode *n = graph_find_node(g, name);
		if (sb.len)
			sfn_strbuf_adds(&sb, " / ");
		/* branches counted from 1 as the drawing labels them, Map
		 * iterations from 0 as $$.Map.Item.Index does */
		bool branch = n && n->kind == GN_PARALLEL;
		sfn_strbuf_addf(&sb, "%s: %s %" JSON_INTEGER_FORMAT,
				name ? name : "?",
				branch ? "branch" : "iteration",
				json_integer_value(idx) + (branch ? 1 : 0));
	}
	return sfn_strbuf_detach(&sb, NULL);
}

/* Does @scope lie within @outer (same scope, or nested inside it)? */
static bool scope_within(const json_t *scope, const json_t *outer)
{
	size_t n = json_array_size(outer);
	if (json_array_size(scope) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!sfn_json_equal(json_array_get(scope, i),
				    json_array_get(outer, i)))
			return false;
	return true;
}

static bool scope_same(const json_t *a, const json_t *b)
{
	return json_array_size(a) == json_array_size(b) && scope_within(a, b);
}

/* The open visit in exactly @scope (the state running there), or NULL. */
static struct visit *open_in(struct visits *vs, const json_t *scope)
{
	for (size_t k = vs->n_open; k-- > 0;) {
		struct visit *v = &vs->v[vs->open[k]];
		if (scope_same(v->scope, scope))
			return v;
	}
	return NULL;
}

/* Drops the visits closed since from the open list. */
static void prune(struct visits *vs)
{
	size_t k = 0;
	for (size_t i = 0; i < vs->n_open; i++)
		if (vs->v[vs->open[i]].open)
			vs->open[k++] = vs->open[i];
	vs->n_open = k;
}

static void set_str(json_t *obj, const char *key, const char *s)
{
	if (s)
		json_object_set_new(obj, key, json_string(s));
}

/* Closes @v with @status; an error it lacks comes from @error/@cause. */
static void visit_close(struct visit *v, const char *status, const char *error,
			const char *cause)
{
	v->open = false;
	json_object_set_new(v->obj, "status", json_string(status));
	if (!json_object_get(v->obj, "error") && error) {
		set_str(v->obj, "error", error);
		set_str(v->obj, "cause", cause);
	}
}

/*
 * Closes every open visit within @scope (NULL: all), adding event @index
 * (what closed them; -1: none) to their events.
 */
static void close_within(struct visits *vs, const json_t *scope,
			 const char *status, const char *error,
			 const char *cause, long index)
{
	for (size_t k = 0; k < vs->n_open; k++) {
		struct visit *v = &vs->v[vs->open[k]];
		if (scope && !scope_within(v->scope, scope))
			continue;
		if (index >= 0)
			json_array_append_new(v->events,
					      json_integer((json_int_t)index));
		/* a visit whose own attempt failed failed, whatever ended
		 * its iteration or execution */
		visit_close(v, v->failed_last ? "failed" : status, error,
			    cause);
	}
	prune(vs);
}

/*
 * Closes the visits still open inside Parallel/Map @state (in @scope) as it
 * exits: a branch that failed into the state's Catch, or one it cut short.
 */
static void close_nested(struct visits *vs, const json_t *scope,
			 const char *state)
{
	size_t n = json_array_size(scope);
	for (size_t k = 0; k < vs->n_open; k++) {
		struct visit *v = &vs->v[vs->open[k]];
		const char *outer = json_string_value(
			json_array_get(json_array_get(v->scope, n), 0));
		if (json_array_size(v->scope) > n &&
		    scope_within(v->scope, scope) && outer &&
		    !strcmp(outer, state))
			visit_close(v, v->failed_last ? "failed" : "aborted",
				    NULL, NULL);
	}
	prune(vs);
}

static struct visit *visit_open(struct visits *vs, const char *state,
				json_t *scope, size_t index, unsigned attempt)
{
	if (vs->n == vs->alloc) {
		vs->alloc = vs->alloc ? vs->alloc * 2 : 32;
		vs->v = sfn_xrealloc(vs->v, vs->alloc * sizeof(*vs->v));
	}
	if (vs->n_open == vs->alloc_open) {
		vs->alloc_open = vs->alloc_open ? vs->alloc_open * 2 : 16;
		vs->open = sfn_xrealloc(vs->open,
					vs->alloc_open * sizeof(*vs->open));
	}
	vs->open[vs->n_open++] = vs->n;
	struct visit *v = &vs->v[vs->n++];
	char *where = scope_label(vs->g, scope);
	v->obj = json_pack("{s:s, s:O, s:s, s:I, s:s, s:I, s:n, s:I, s:[I]}",
			   "state", state, "scope", scope, "where", where,
			   "attempt", (json_int_t)attempt, "status", "running",
			   "entered", (json_int_t)index, "exited", "retries",
			   (json_int_t)0, "events", (json_int_t)index);
	free(where);
	if (!v->obj)
		SFN_BUG("json_pack failed for a visit");
	v->scope = json_object_get(v->obj, "scope");
	v->events = json_object_get(v->obj, "events");
	v->open = true;
	v->failed_last = false;
	return v;
}

static bool is_scheduled(const char *type)
{
	return !strcmp(type, "TaskScheduled") ||
	       !strcmp(type, "LambdaFunctionScheduled") ||
	       !strcmp(type, "ActivityScheduled");
}

/* The scope one level out of @scope (a new array). */
static json_t *scope_parent(const json_t *scope)
{
	json_t *p = json_array();
	size_t n = json_array_size(scope);
	for (size_t i = 0; i + 1 < n; i++)
		json_array_append(p, json_array_get(scope, i));
	return p;
}

json_t *graph_visits(const json_t *events, const struct sfn_graph *g,
		     const char *unfinished)
{
	struct visits vs = { .g = g };
	json_t *empty = json_array();
	unsigned attempt = 0;
	size_t i;
	json_t *ev;

	json_array_foreach((json_t *)events, i, ev) {
		const char *type =
			json_string_value(json_object_get(ev, "type"));
		json_t *scope = json_object_get(ev, "x-scope");
		json_t *d = event_details(ev);
		const char *name =
			json_string_value(json_object_get(d, "name"));
		const char *error =
			json_string_value(json_object_get(d, "error"));
		const char *cause =
			json_string_value(json_object_get(d, "cause"));
		if (!type)
			continue;
		if (!json_is_array(scope))
			scope = empty;
		if (!strcmp(type, "ExecutionRedriven")) {
			/* what the last attempt left open (it died) ended
			 * with it; the redrive enters states anew */
			close_within(&vs, NULL, "aborted", NULL, NULL, -1);
			attempt++;
			continue;
		}
		if (!strncmp(type, "Execution", 9)) {
			if (sfn_ends_with(type, "Failed") ||
			    sfn_ends_with(type, "TimedOut"))
				close_within(&vs, NULL, "failed", error, cause,
					     (long)i);
			else if (sfn_ends_with(type, "Aborted"))
				close_within(&vs, NULL, "aborted", error, cause,
					     (long)i);
			continue;
		}
		if (sfn_ends_with(type, "StateEntered") && name) {
			visit_open(&vs, name, scope, i, attempt);
			continue;
		}
		if (!strncmp(type, "MapIteration", 12)) {
			/* about the Map, in its iteration's scope */
			json_t *outer = scope_parent(scope);
			struct visit *map = open_in(&vs, outer);
			json_decref(outer);
			if (!strcmp(type, "MapIterationFailed"))
				close_within(&vs, scope, "failed", error, cause,
					     -1);
			else if (!strcmp(type, "MapIterationAborted"))
				close_within(&vs, scope, "aborted", NULL, NULL,
					     -1);
			else if (!strcmp(type, "MapIterationSucceeded"))
				close_within(&vs, scope, "succeeded", NULL,
					     NULL, -1);
			if (map)
				json_array_append_new(
					map->events,
					json_integer((json_int_t)i));
			continue;
		}
		struct visit *v = open_in(&vs, scope);
		if (!v)
			continue;
		json_array_append_new(v->events, json_integer((json_int_t)i));
		if (sfn_ends_with(type, "StateExited")) {
			json_object_set_new(v->obj, "exited",
					    json_integer((json_int_t)i));
			/* exited after a failure: a Catch took over */
			visit_close(v, v->failed_last ? "caught" : "succeeded",
				    NULL, NULL);
			/* (and drops @v from the open list) */
			close_nested(&vs, scope,
				     json_string_value(
					     json_object_get(v->obj, "state")));
		} else if (sfn_ends_with(type, "StateAborted")) {
			visit_close(v, "aborted", NULL, NULL);
			prune(&vs);
		} else if (is_scheduled(type)) {
			if (v->failed_last) {
				json_t *r = json_object_get(v->obj, "retries");
				json_integer_set(r, json_integer_value(r) + 1);
			}
			v->failed_last = false;
		} else if (sfn_ends_with(type, "Failed") ||
			   sfn_ends_with(type, "TimedOut")) {
			v->failed_last = true;
			if (error) {
				/* the last failure is the one that counts */
				set_str(v->obj, "error", error);
				if (cause)
					set_str(v->obj, "cause", cause);
				else
					json_object_del(v->obj, "cause");
			}
		} else if (sfn_ends_with(type, "Succeeded")) {
			v->failed_last = false;
		}
	}
	/* No terminal event: still running, or its process died. */
	close_within(&vs, NULL, unfinished, NULL, NULL, -1);
	json_t *out = json_array();
	for (size_t k = 0; k < vs.n; k++)
		json_array_append_new(out, vs.v[k].obj);
	free(vs.v);
	free(vs.open);
	json_decref(empty);
	return out;
}

/* ---- the page's data ---- */

static const char *status_name(enum sfn_graph_status st)
{
	switch (st) {
	case SFN_GRAPH_UNSET:
	case SFN_GRAPH_NOT_REACHED:
		return "notreached";
	case SFN_GRAPH_SUCCEEDED:
		return "succeeded";
	case SFN_GRAPH_FAILED:
		return "failed";
	case SFN_GRAPH_CAUGHT:
		return "caught";
	case SFN_GRAPH_RUNNING:
		return "running";
	}
	return "notreached";
}

/*
 * Adds every state of @states (and of the Parallel branches and Map
 * processors within) to @out: name -> {id, type, parent, definition}.
 */
static void add_states(json_t *out, const struct sfn_graph *g,
		       const json_t *states, const char *parent, int depth)
{
	const char *name;
	json_t *st;
	if (depth > SFN_MAX_DEPTH || !json_is_object(states))
		return;
	json_object_foreach((json_t *)states, name, st) {
		if (json_object_get(out, name))
			continue; /* a broken definition repeats a name */
		const struct gnode *n = graph_find_node(g, name);
		json_t *o = json_object();
		set_str(o, "id", n ? n->id : NULL);
		set_str(o, "type",
			json_string_value(json_object_get(st, "Type")));
		json_object_set_new(o, "parent",
				    parent ? json_string(parent) : json_null());
		json_object_set(o, "definition", st);
		json_object_set_new(out, name, o);
		json_t *branches = json_object_get(st, "Branches");
		size_t i;
		json_t *b;
		json_array_foreach(branches, i, b)
			add_states(out, g, json_object_get(b, "States"), name,
				   depth + 1);
		json_t *proc = json_object_get(st, "ItemProcessor");
		if (!proc)
			proc = json_object_get(st, "Iterator");
		add_states(out, g, json_object_get(proc, "States"), name,
			   depth + 1);
	}
}

json_t *graph_page_data(const struct sfn_graph *g,
			const struct sfn_graph_overlay *ov,
			const json_t *definition,
			const struct sfn_graph_execution *exec)
{
	json_t *data = json_object();
	json_t *states = json_object();
	add_states(states, g, json_object_get(definition, "States"), NULL, 0);
	json_object_set_new(data, "comment",
			    g->title ? json_string(g->title) : json_null());
	json_object_set_new(data, "states", states);
	json_t *marks = json_object();
	for (size_t i = 0; ov && i < ov->n_marks; i++) {
		const struct sfn_graph_mark *m = &ov->marks[i];
		json_t *o = json_pack("{s:s, s:I, s:I}", "status",
				      status_name(m->status), "retries",
				      (json_int_t)m->retries, "redrive",
				      (json_int_t)m->redrive);
		set_str(o, "note", m->note);
		json_object_set_new(marks, m->state, o);
	}
	json_object_set_new(data, "marks", marks);
	if (!exec) {
		json_object_set_new(data, "execution", json_null());
		return data;
	}
	json_t *x = json_object();
	json_object_set(x, "describe",
			exec->describe ? (json_t *)exec->describe
				       : json_null());
	json_object_set(x, "events", (json_t *)exec->events);
	json_object_set_new(x, "visits",
			    graph_visits(exec->events, g,
					 exec->ended  ? "failed"
					 : exec->died ? "aborted"
						      : "running"));
	json_object_set_new(data, "execution", x);
	return data;
}

/*
 * Appends @v as JSON fit for a <script> element: '<', '>' and '&' only
 * occur inside strings there, and become \u escapes, so no payload can
 * close the element or open a comment in it. U+2028/2029 are escaped too.
 */
void graph_add_script_json(struct sfn_strbuf *out, const json_t *v)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	sfn_json_dump(&sb, v, 0);
	for (size_t i = 0; i < sb.len; i++) {
		unsigned char c = (unsigned char)sb.buf[i];
		if (c == '<')
			sfn_strbuf_adds(out, "\\u003c");
		else if (c == '>')
			sfn_strbuf_adds(out, "\\u003e");
		else if (c == '&')
			sfn_strbuf_adds(out, "\\u0026");
		else if (c == 0xe2 && i + 2 < sb.len &&
			 (unsigned char)sb.buf[i + 1] == 0x80 &&
			 ((unsigned char)sb.buf[i + 2] == 0xa8 ||
			  (unsigned char)sb.buf[i + 2] == 0xa9)) {
			sfn_strbuf_adds(out,
					(unsigned char)sb.buf[i + 2] == 0xa8
						? "\\u2028"
						: "\\u2029");
			i += 2;
		} else
			sfn_strbuf_addch(out, c);
	}
	sfn_strbuf_release(&sb);
}

/* ---- the page ---- */

/* Appends @s with & < > " escaped for HTML text and attributes. */
static void html_escape(struct sfn_strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			sfn_strbuf_adds(sb, "&amp;");
			break;
		case '<':
			sfn_strbuf_adds(sb, "&lt;");
			break;
		case '>':
			sfn_strbuf_adds(sb, "&gt;");
			break;
		case '"':
			sfn_strbuf_adds(sb, "&quot;");
			break;
		default:
			sfn_strbuf_addch(sb, *s);
		}
	}
}

int sfn_graph_write_page(const struct sfn_graph *g,
			 const struct sfn_graph_overlay *overlay,
			 const json_t *definition,
			 const struct sfn_graph_execution *exec,
			 const char *title, struct sfn_strbuf *out,
			 struct sfn_error *err)
{
	if (!sfn_graph_have_graphviz())
		return sfn_errorf(err, "SFN_GRAPHVIZ", NULL, GRAPH_NO_GRAPHVIZ,
				  "html");
	struct sfn_strbuf svg = SFN_STRBUF_INIT;
	if (graph_render_svg_ids(g, overlay, &svg, err) < 0) {
		sfn_strbuf_release(&svg);
		return -1;
	}
	/* inline SVG: drop the XML declaration and DOCTYPE before <svg */
	const char *body = strstr(svg.buf, "<svg");
	if (!body)
		body = svg.buf;
	if (!title)
		title = g->title ? g->title : "state machine";
	sfn_strbuf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			     "<meta charset=\"utf-8\">\n"
			     "<meta name=\"viewport\" "
			     "content=\"width=device-width, "
			     "initial-scale=1\">\n"
			     "<meta name=\"generator\" content=\"sfn graph\">\n"
			     "<title>");
	html_escape(out, title);
	sfn_strbuf_adds(out, "</title>\n<style>\n");
	sfn_strbuf_add(out, graph_page_css, sizeof(graph_page_css));
	sfn_strbuf_adds(out, "</style>\n</head>\n<body class=\"");
	sfn_strbuf_adds(out, exec ? "has-execution" : "definition-only");
	sfn_strbuf_adds(out, "\">\n<header>\n<h1>");
	html_escape(out, title);
	sfn_strbuf_adds(out, "</h1>\n");
	if (g->title && strcmp(title, g->title)) {
		sfn_strbuf_adds(out, "<p class=\"comment\">");
		html_escape(out, g->title);
		sfn_strbuf_adds(out, "</p>\n");
	}
	sfn_strbuf_adds(out,
			"<div id=\"summary\" class=\"summary\"></div>\n"
			"</header>\n<div class=\"layout\">\n"
			"<main id=\"graph\" class=\"graph\" aria-label=\"State "
			"graph\">\n");
	sfn_strbuf_adds(out, body);
	sfn_strbuf_adds(
		out,
		"</main>\n<aside id=\"panel\" class=\"panel\" tabindex=\"-1\" "
		"aria-live=\"polite\" aria-label=\"Details\">\n"
		"<p class=\"hint\">Select a state to see its details.</p>\n"
		"</aside>\n</div>\n"
		"<section id=\"timeline\" class=\"timeline\" "
		"aria-label=\"Timeline\" hidden></section>\n"
		"<script type=\"application/json\" id=\"sfn-data\">");
	json_t *data = graph_page_data(g, overlay, definition, exec);
	graph_add_script_json(out, data);
	json_decref(data);
	sfn_strbuf_adds(out, "</script>\n<script>\n");
	sfn_strbuf_add(out, graph_page_js, sizeof(graph_page_js));
	sfn_strbuf_adds(out, "</script>\n</body>\n</html>\n");
	sfn_strbuf_release(&svg);
	return 0;
}

int sfn_graph_write_html(const struct sfn_graph *g,
			 const struct sfn_graph_overlay *overlay,
			 const char *title, struct sfn_strbuf *out,
			 struct sfn_error *err)
{
	return sfn_graph_write_page(g, overlay, NULL, NULL, title, out, err);
}
