/*
 * A history as visits: each *StateEntered opens a visit in its scope (the
 * event's "x-scope": the Map iterations and Parallel branches it is in);
 * the events that follow in the same scope belong to it until the next
 * entry there. Task scheduling counts attempts; each failure event before
 * a re-scheduling is a retry, and its error is what Retry/Catch matched.
 */
#include "suite/suite_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

static json_t *details(json_t *event)
{
	const char *key;
	json_t *v;
	json_object_foreach(event, key, v)
		if (sfn_ends_with(key, "EventDetails"))
			return v;
	return NULL;
}

static json_t *parse_payload(json_t *d, const char *key)
{
	const char *text = json_string_value(json_object_get(d, key));
	return text ? sfn_json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
}

static bool is_attempt(const char *type)
{
	return !strcmp(type, "TaskScheduled") ||
	       !strcmp(type, "LambdaFunctionScheduled") ||
	       !strcmp(type, "ActivityScheduled") ||
	       !strcmp(type, "ParallelStateStarted") ||
	       !strcmp(type, "MapStateStarted");
}

static bool is_failure(const char *type)
{
	return !strcmp(type, "TaskFailed") || !strcmp(type, "TaskTimedOut") ||
	       !strcmp(type, "TaskStartFailed") ||
	       !strcmp(type, "TaskSubmitFailed") ||
	       !strcmp(type, "LambdaFunctionFailed") ||
	       !strcmp(type, "LambdaFunctionTimedOut") ||
	       !strcmp(type, "LambdaFunctionStartFailed") ||
	       !strcmp(type, "LambdaFunctionScheduleFailed") ||
	       !strcmp(type, "ActivityFailed") ||
	       !strcmp(type, "ActivityTimedOut") ||
	       !strcmp(type, "ActivityScheduleFailed") ||
	       !strcmp(type, "ParallelStateFailed") ||
	       !strcmp(type, "MapStateFailed");
}

void trace_build(struct trace *t, json_t *events)
{
	size_t n = json_array_size(events), alloc = 0;
	/* The open visit of each scope seen, by scope text. */
	json_t *open = json_object();
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		json_t *ev = json_array_get(events, i);
		const char *type =
			json_string_value(json_object_get(ev, "type"));
		json_t *scope = json_object_get(ev, "x-scope");
		json_t *d = details(ev);
		char *key;
		if (!type)
			continue;
		key = scope ? sfn_json_dumps(scope, 0) : sfn_xstrdup("[]");
		json_t *cur = json_object_get(open, key);
		if (sfn_ends_with(type, "StateEntered")) {
			if (t->n == alloc) {
				alloc = alloc ? alloc * 2 : 32;
				t->v = sfn_xrealloc(t->v,
						    alloc * sizeof(*t->v));
			}
			struct visit *v = &t->v[t->n];
			memset(v, 0, sizeof(*v));
			v->state =
				json_string_value(json_object_get(d, "name"));
			v->scope = key;
			key = NULL;
			v->top = !scope || json_array_size(scope) == 0;
			v->input = parse_payload(d, "input");
			v->next = -1;
			v->choice_rule = -2;
			if (cur)
				t->v[json_integer_value(cur)].next = (long)t->n;
			json_object_set_new(open, v->scope,
					    json_integer((json_int_t)t->n));
			t->n++;
		} else if (cur) {
			struct visit *v = &t->v[json_integer_value(cur)];
			if (sfn_ends_with(type, "StateExited")) {
				v->exited = true;
				json_t *rule =
					json_object_get(ev, "x-choiceRule");
				if (json_is_integer(rule))
					v->choice_rule =
						(long)json_integer_value(rule);
				else if (json_is_string(rule))
					v->choice_rule = -1; /* "Default" */
				if (!v->output)
					v->output = parse_payload(d, "output");
			} else if (is_attempt(type)) {
				v->attempts++;
			} else if (is_failure(type)) {
				const char *e = json_string_value(
					json_object_get(d, "error"));
				v->errors = sfn_xrealloc(
					v->errors,
					(v->n_errors + 2) * sizeof(*v->errors));
				v->errors[v->n_errors++] = e ? e : "";
				v->errors[v->n_errors] = NULL;
			}
		}
		free(key);
	}
	json_decref(open);
}

void trace_release(struct trace *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].scope);
		json_decref(t->v[i].input);
		json_decref(t->v[i].output);
		free(t->v[i].errors);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/*
 * ASL: States.ALL matches every error but States.Runtime-class ones it
 * cannot catch (the interpreter already decided those); States.TaskFailed
 * matches every error but States.Timeout (asl-core.md §6.3).
 */
bool error_matches(const char *pattern, const char *name)
{
	if (!strcmp(pattern, name) || !strcmp(pattern, "States.ALL"))
		return true;
	if (!strcmp(pattern, "States.TaskFailed"))
		return strcmp(name, "States.Timeout") &&
		       strncmp(name, "States.", 7) != 0;
	return false;
}
