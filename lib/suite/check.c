/*
 * Checking a case's expectations against what its execution did.
 *
 *   expect:
 *     status: SUCCEEDED | FAILED | TIMED_OUT | ABORTED
 *     output: <JSON>            exact (numbers by value, keys unordered)
 *     outputContains: <JSON>    a subset: objects may have more keys
 *     error: <name>             cause: <text>       causeContains: <text>
 *     states: [A, B, C]         the top-level states entered, in order
 *     visited: [A, C]           entered somewhere (nested states too)
 *     notVisited: [D]           never entered
 *     counts: {A: 2}            times entered
 *     retries: {Charge: 1}      retries over all its entries
 *     stateInput: {A: <JSON>}   the input of A's first entry
 *     stateOutput: {A: <JSON>}  the output of A's first exit
 *     assertions:               over {"status","output","error","cause"}
 *       - {path: "$.output.total", equals: 42}
 *       - {path: "$.output.items", exists: true}
 *       - {jsonata: "output.total > 40"}       must give true
 */
#include "suite/suite_int.h"

#include <stdlib.h>
#include <string.h>

#include "jsonata/jsonata.h"
#include "jsonpath/jsonpath.h"
#include "base/banned.h"

static const char *const expect_keys[] = {
	"status",	 "output",     "outputContains", "error",      "cause",
	"causeContains", "states",     "visited",	 "notVisited", "counts",
	"retries",	 "stateInput", "stateOutput",	 "assertions", NULL
};

static const char *const statuses[] = { "SUCCEEDED", "FAILED", "TIMED_OUT",
					"ABORTED", NULL };

/* Is @want a subset of @got: objects may hold more keys, all else equal? */
static bool contains(const json_t *want, const json_t *got)
{
	if (json_is_object(want)) {
		const char *k;
		json_t *v;
		if (!json_is_object(got))
			return false;
		json_object_foreach((json_t *)want, k, v)
			if (!contains(v, json_object_get(got, k)))
				return false;
		return true;
	}
	if (json_is_array(want)) {
		size_t n = json_array_size(want);
		if (!json_is_array(got) || json_array_size(got) != n)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!contains(json_array_get(want, i),
				      json_array_get(got, i)))
				return false;
		return true;
	}
	return sfn_json_equal(want, got);
}

/* Lists the JSON Pointers where @want and @got differ (at most @max). */
static void diff(const json_t *want, const json_t *got, bool subset,
		 struct sfn_strbuf *path, struct sfn_strbuf *out, int *max)
{
	if (*max <= 0)
		return;
	if (json_is_object(want) && json_is_object(got)) {
		const char *k;
		json_t *v;
		size_t len = path->len;
		json_object_foreach((json_t *)want, k, v) {
			sfn_pointer_add(path, k);
			diff(v, json_object_get(got, k), subset, path, out,
			     max);
			path->len = len;
			path->buf[len] = '\0';
		}
		if (!subset)
			json_object_foreach((json_t *)got, k, v) {
				if (json_object_get(want, k) || *max <= 0)
					continue;
				sfn_strbuf_addf(out,
						"      %s/%s: unexpected\n",
						path->buf, k);
				(*max)--;
			}
		return;
	}
	if (json_is_array(want) && json_is_array(got) &&
	    json_array_size(want) == json_array_size(got)) {
		size_t len = path->len;
		for (size_t i = 0; i < json_array_size(want); i++) {
			sfn_pointer_addi(path, i);
			diff(json_array_get(want, i), json_array_get(got, i),
			     subset, path, out, max);
			path->len = len;
			path->buf[len] = '\0';
		}
		return;
	}
	if (subset ? contains(want, got) : sfn_json_equal(want, got))
		return;
	char *w = sfn_json_dumps(want, 0);
	char *g = got ? sfn_json_dumps(got, 0) : sfn_xstrdup("(missing)");
	sfn_strbuf_addf(out, "      %s: want %s, got %s\n",
			path->len ? path->buf : "(the value)", w, g);
	free(w);
	free(g);
	(*max)--;
}

/* Appends @v pretty-printed, each line indented by six spaces. */
static void add_indented(struct sfn_strbuf *r, const json_t *v)
{
	char *text =
		v ? sfn_json_dumps(v, SFN_JSON_PRETTY) : sfn_xstrdup("(none)");
	sfn_strbuf_adds(r, "      ");
	for (const char *p = text; *p; p++) {
		sfn_strbuf_addch(r, *p);
		if (*p == '\n')
			sfn_strbuf_adds(r, "      ");
	}
	sfn_strbuf_addch(r, '\n');
	free(text);
}

static void fail_value(struct sfn_strbuf *r, const char *what,
		       const json_t *want, const json_t *got, bool subset)
{
	struct sfn_strbuf path = SFN_STRBUF_INIT;
	int max = 8;
	sfn_strbuf_addf(r, "  %s differs:\n", what);
	if (got)
		diff(want, got, subset, &path, r, &max);
	sfn_strbuf_adds(r, "    expected:\n");
	add_indented(r, want);
	sfn_strbuf_adds(r, "    actual:\n");
	add_indented(r, got);
	sfn_strbuf_release(&path);
}

static bool str_eq(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

static const char *show(const char *s)
{
	return s ? s : "(none)";
}

static int check_names(const char *what, json_t *want, struct sfn_strbuf *r)
{
	if (json_is_array(want)) {
		size_t i;
		json_t *v;
		json_array_foreach(want, i, v)
			if (!json_is_string(v))
				goto bad;
		return 0;
	}
bad:
	sfn_strbuf_addf(r,
			"  bad expectation: '%s' must be a list of state "
			"names\n",
			what);
	return 1;
}

static unsigned count_entries(const struct trace *t, const char *state)
{
	unsigned n = 0;
	for (size_t i = 0; i < t->n; i++)
		n += str_eq(t->v[i].state, state);
	return n;
}

static unsigned count_retries(const struct trace *t, const char *state)
{
	unsigned n = 0;
	for (size_t i = 0; i < t->n; i++)
		if (str_eq(t->v[i].state, state) && t->v[i].attempts > 1)
			n += t->v[i].attempts - 1;
	return n;
}

static int check_states(json_t *want, const struct trace *t,
			struct sfn_strbuf *r)
{
	json_t *got = json_array();
	int bad = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].top && t->v[i].state)
			json_array_append_new(got, json_string(t->v[i].state));
	if (!sfn_json_equal(want, got)) {
		char *w = sfn_json_dumps(want, 0), *g = sfn_json_dumps(got, 0);
		sfn_strbuf_addf(r, "  states entered: want %s, got %s\n", w, g);
		free(w);
		free(g);
		bad = 1;
	}
	json_decref(got);
	return bad;
}

static int check_map(const char *what, json_t *want, const struct trace *t,
		     struct sfn_strbuf *r)
{
	const char *state;
	json_t *v;
	int bad = 0;
	if (!json_is_object(want)) {
		sfn_strbuf_addf(r,
				"  bad expectation: '%s' must map state "
				"names to values\n",
				what);
		return 1;
	}
	json_object_foreach(want, state, v) {
		if (!strcmp(what, "counts") || !strcmp(what, "retries")) {
			unsigned got = !strcmp(what, "counts")
					       ? count_entries(t, state)
					       : count_retries(t, state);
			if (!json_is_integer(v)) {
				sfn_strbuf_addf(r,
						"  bad expectation: %s of "
						"'%s' must be a number\n",
						what, state);
				bad++;
			} else if ((json_int_t)got != json_integer_value(v)) {
				sfn_strbuf_addf(
					r, "  %s of '%s': want %lld, got %u\n",
					!strcmp(what, "counts") ? "entries"
								: "retries",
					state, (long long)json_integer_value(v),
					got);
				bad++;
			}
			continue;
		}
		/* stateInput / stateOutput: the first entry's. */
		bool input = !strcmp(what, "stateInput");
		const struct visit *vis = NULL;
		for (size_t i = 0; i < t->n && !vis; i++)
			if (str_eq(t->v[i].state, state))
				vis = &t->v[i];
		json_t *got = vis ? (input ? vis->input : vis->output) : NULL;
		if (!vis) {
			sfn_strbuf_addf(r,
					"  %s of '%s': the state was never "
					"entered\n",
					what, state);
			bad++;
		} else if (!sfn_json_equal(v, got)) {
			char *label = sfn_xasprintf("%s of '%s'",
						    input ? "input" : "output",
						    state);
			fail_value(r, label, v, got, false);
			free(label);
			bad++;
		}
	}
	return bad;
}

static json_t *variable_none(void *ud, const char *name)
{
	(void)ud;
	(void)name;
	return NULL;
}

static int check_assertion(json_t *a, size_t i, json_t *doc,
			   struct sfn_strbuf *r)
{
	const char *path = json_string_value(json_object_get(a, "path"));
	const char *expr = json_string_value(json_object_get(a, "jsonata"));
	int bad = 0;

	const char *key;
	json_t *v;
	json_object_foreach(a, key, v) {
		if (strcmp(key, "path") && strcmp(key, "equals") &&
		    strcmp(key, "exists") && strcmp(key, "jsonata")) {
			sfn_strbuf_addf(r,
					"  bad expectation: assertions[%zu]: "
					"unknown key '%s'; known: path, "
					"equals, exists, jsonata\n",
					i, key);
			return 1;
		}
	}
	if (!json_is_object(a) || (!path == !expr)) {
		sfn_strbuf_addf(r,
				"  bad expectation: assertions[%zu] needs "
				"one of 'path' or 'jsonata'\n",
				i);
		return 1;
	}
	if (path) {
		struct sfn_error err = SFN_ERROR_INIT;
		struct sfn_path *p = sfn_path_compile(path, 0, &err);
		struct sfn_path_env env = { doc, NULL, variable_none, NULL };
		json_t *got = p ? sfn_path_eval(p, &env, &err) : NULL;
		json_t *eq = json_object_get(a, "equals");
		json_t *exists = json_object_get(a, "exists");
		if (!p || sfn_error_is_set(&err)) {
			sfn_strbuf_addf(r, "  assertions[%zu]: path '%s': %s\n",
					i, path, show(err.cause));
			bad = 1;
		} else if (eq && !sfn_json_equal(eq, got)) {
			char *label =
				sfn_xasprintf("assertions[%zu] %s", i, path);
			fail_value(r, label, eq, got, false);
			free(label);
			bad = 1;
		} else if (exists && json_is_true(exists) != (got != NULL)) {
			sfn_strbuf_addf(r, "  assertions[%zu]: %s %s\n", i,
					path,
					got ? "exists, want it absent"
					    : "matches nothing, want a value");
			bad = 1;
		} else if (!eq && !exists) {
			sfn_strbuf_addf(r,
					"  bad expectation: assertions[%zu] "
					"needs 'equals' or 'exists'\n",
					i);
			bad = 1;
		}
		json_decref(got);
		sfn_path_free(p);
		sfn_error_release(&err);
		return bad;
	}
	struct sfn_jsonata_error jerr = { 0 };
	struct sfn_jsonata *e =
		sfn_jsonata_compile(expr, strlen(expr), 0, &jerr);
	json_t *got = NULL;
	if (!e || sfn_jsonata_eval(e, doc, NULL, NULL, &got, &jerr) < 0) {
		sfn_strbuf_addf(r, "  assertions[%zu]: jsonata '%s': %s: %s\n",
				i, expr, jerr.code, show(jerr.message));
		bad = 1;
	} else if (!json_is_true(got)) {
		char *g = got ? sfn_json_dumps(got, 0)
			      : sfn_xstrdup("nothing (undefined)");
		sfn_strbuf_addf(r,
				"  assertions[%zu]: '%s' gave %s, want "
				"true\n",
				i, expr, g);
		free(g);
		bad = 1;
	}
	json_decref(got);
	sfn_jsonata_free(e);
	sfn_jsonata_error_release(&jerr);
	return bad;
}

int sfn_suite_check(const struct sfn_suite_case *c, const struct sfn_outcome *o,
		    struct sfn_strbuf *r)
{
	json_t *ex = c->expect;
	struct trace t;
	const char *key;
	json_t *v;
	int bad = 0;

	json_object_foreach(ex, key, v) {
		bool ok = false;
		for (size_t i = 0; expect_keys[i]; i++)
			ok |= !strcmp(expect_keys[i], key);
		if (!ok) {
			sfn_strbuf_addf(r,
					"  bad expectation: unknown key "
					"'%s' in 'expect'\n",
					key);
			bad++;
		}
	}
	static const char *const texts[] = { "error", "cause",
					     "causeContains" };
	for (size_t k = 0; k < 3; k++)
		if ((v = json_object_get(ex, texts[k])) && !json_is_string(v)) {
			sfn_strbuf_addf(r,
					"  bad expectation: '%s' must be a "
					"string\n",
					texts[k]);
			bad++;
		}
	/* With no expectation at all, a case expects success. */
	const char *status = json_string_value(json_object_get(ex, "status"));
	bool status_ok = !json_object_get(ex, "status");
	for (size_t i = 0; status && statuses[i]; i++)
		status_ok |= !strcmp(statuses[i], status);
	if (!status_ok) {
		sfn_strbuf_addf(r, "  bad expectation: 'status' must be one "
				   "of SUCCEEDED, FAILED, TIMED_OUT, "
				   "ABORTED\n");
		bad++;
	}
	if (!status && !json_object_get(ex, "error"))
		status = "SUCCEEDED";
	if (!status && json_object_get(ex, "error"))
		status = "FAILED";
	if (status_ok && !str_eq(status, o->status)) {
		sfn_strbuf_addf(r, "  status: want %s, got %s", status,
				show(o->status));
		if (o->error)
			sfn_strbuf_addf(r, " (%s: %s)", o->error,
					show(o->cause));
		sfn_strbuf_addch(r, '\n');
		bad++;
	}
	if ((v = json_object_get(ex, "output")) &&
	    !sfn_json_equal(v, o->output)) {
		fail_value(r, "output", v, o->output, false);
		bad++;
	}
	if ((v = json_object_get(ex, "outputContains")) &&
	    !contains(v, o->output)) {
		fail_value(r, "output (subset)", v, o->output, true);
		bad++;
	}
	const char *s;
	if ((s = json_string_value(json_object_get(ex, "error"))) &&
	    !str_eq(s, o->error)) {
		sfn_strbuf_addf(r, "  error: want %s, got %s\n", s,
				show(o->error));
		bad++;
	}
	if ((s = json_string_value(json_object_get(ex, "cause"))) &&
	    !str_eq(s, o->cause)) {
		sfn_strbuf_addf(r, "  cause: want \"%s\", got \"%s\"\n", s,
				show(o->cause));
		bad++;
	}
	if ((s = json_string_value(json_object_get(ex, "causeContains"))) &&
	    (!o->cause || !strstr(o->cause, s))) {
		sfn_strbuf_addf(r,
				"  cause: want it to contain \"%s\", got "
				"\"%s\"\n",
				s, show(o->cause));
		bad++;
	}

	trace_build(&t, o->events);
	if ((v = json_object_get(ex, "states"))) {
		bad += check_names("states", v, r);
		if (json_is_array(v))
			bad += check_states(v, &t, r);
	}
	static const char *const sets[] = { "visited", "notVisited" };
	for (size_t k = 0; k < 2; k++) {
		size_t i;
		json_t *name;
		if (!(v = json_object_get(ex, sets[k])))
			continue;
		if (check_names(sets[k], v, r)) {
			bad++;
			continue;
		}
		json_array_foreach(v, i, name) {
			bool seen = count_entries(&t, json_string_value(name));
			if (seen != (k == 0)) {
				sfn_strbuf_addf(r, "  state '%s' was %s\n",
						json_string_value(name),
						seen ? "entered, want it not "
						       "visited"
						     : "never entered, want "
						       "it visited");
				bad++;
			}
		}
	}
	static const char *const maps[] = { "counts", "retries", "stateInput",
					    "stateOutput" };
	for (size_t k = 0; k < 4; k++)
		if ((v = json_object_get(ex, maps[k])))
			bad += check_map(maps[k], v, &t, r);
	if ((v = json_object_get(ex, "assertions"))) {
		json_t *doc = json_pack("{s:s?, s:O?, s:s?, s:s?}", "status",
					o->status, "output", o->output, "error",
					o->error, "cause", o->cause);
		size_t i;
		json_t *a;
		if (!json_is_array(v)) {
			sfn_strbuf_addf(r, "  bad expectation: 'assertions' "
					   "must be a list\n");
			bad++;
		} else {
			json_array_foreach(v, i, a)
				bad += check_assertion(a, i, doc, r);
		}
		json_decref(doc);
	}
	trace_release(&t);
	return bad;
}

/* Appends a line for each name in @names (an array, or an object's keys)
 * that is not a state of @cov; returns how many. */
static int lint_names(const char *what, json_t *names,
		      const struct sfn_coverage *cov, struct sfn_strbuf *r)
{
	const char *name;
	json_t *v;
	size_t i;
	int bad = 0;
	if (json_is_array(names)) {
		json_array_foreach(names, i, v)
			if (json_is_string(v) &&
			    !sfn_coverage_has_state(cov,
						    json_string_value(v))) {
				sfn_strbuf_addf(r,
						"  bad expectation: %s: no "
						"state '%s' in the "
						"definition\n",
						what, json_string_value(v));
				bad++;
			}
	} else if (json_is_object(names)) {
		json_object_foreach(names, name, v)
			if (!sfn_coverage_has_state(cov, name)) {
				sfn_strbuf_addf(r,
						"  bad %s: %s: no state '%s' "
						"in the definition\n",
						strcmp(what, "mocks")
							? "expectation"
							: "case",
						what, name);
				bad++;
			}
	}
	return bad;
}

/* An inline mock response: {Return: ...} or {Throw: ...}, nothing else. */
static int lint_response(const char *state, long idx, json_t *resp,
			 struct sfn_strbuf *r)
{
	static const char *const shape =
		"a response is {Return: ...} or {Throw: {Error, Cause}}";
	char *at = idx < 0 ? sfn_xasprintf("'%s'", state)
			   : sfn_xasprintf("'%s'[%ld]", state, idx);
	const char *key;
	json_t *v;
	int bad = 0;
	if (json_is_object(resp))
		json_object_foreach(resp, key, v) {
			if (strcmp(key, "Return") && strcmp(key, "Throw")) {
				sfn_strbuf_addf(r,
						"  bad case: mocks of %s: "
						"unknown key '%s'; %s\n",
						at, key, shape);
				bad = 1;
				break;
			}
		}
	if (!bad && (!json_is_object(resp) ||
		     !json_object_get(resp, "Return") ==
			     !json_object_get(resp, "Throw"))) {
		sfn_strbuf_addf(r, "  bad case: mocks of %s: %s\n", at, shape);
		bad = 1;
	}
	free(at);
	return bad;
}

int sfn_suite_case_lint(const struct sfn_suite_case *c,
			const struct sfn_coverage *cov, json_t *file_mocks,
			const char *mock_path, const char *state_machine_name,
			struct sfn_strbuf *r)
{
	static const char *const named[] = { "states",	    "visited",
					     "notVisited",  "counts",
					     "retries",	    "stateInput",
					     "stateOutput", NULL };
	int bad = 0;

	if (c->test_case && !file_mocks) {
		sfn_strbuf_addf(r,
				"  bad case: testCase '%s' needs a "
				"'mockConfig' in the test file\n",
				c->test_case);
		bad++;
	} else if (c->test_case) {
		json_t *cases = json_object_get(
			json_object_get(
				json_object_get(file_mocks, "StateMachines"),
				state_machine_name),
			"TestCases");
		if (!json_object_get(cases, c->test_case)) {
			sfn_strbuf_addf(r,
					"  bad case: %s has no test case "
					"'%s' for state machine '%s'\n",
					mock_path, c->test_case,
					state_machine_name);
			bad++;
		}
	}
	bad += lint_names("mocks", c->mocks, cov, r);
	const char *state;
	json_t *resp;
	json_object_foreach(c->mocks, state, resp) {
		const char *type = sfn_coverage_state_type(cov, state);
		if (type && strcmp(type, "Task")) {
			/* Step Functions Local mocks service calls only. */
			sfn_strbuf_addf(r,
					"  bad case: mocks of '%s': a %s state "
					"calls no service, only Task states "
					"are mocked\n",
					state, type);
			bad++;
			continue;
		}
		if (!json_is_array(resp)) {
			bad += lint_response(state, -1, resp, r);
			continue;
		}
		size_t i;
		json_t *item;
		json_array_foreach(resp, i, item)
			bad += lint_response(state, (long)i, item, r);
	}
	for (size_t k = 0; named[k]; k++)
		bad += lint_names(named[k],
				  json_object_get(c->expect, named[k]), cov, r);
	return bad;
}
