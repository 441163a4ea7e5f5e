/*
 * Planning a redrive from a journal: where to resume, with what, and which
 * Task results to serve instead of calling the Tasks again.
 */
#include "journal/journal.h"

#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A JSON text recorded in an event, parsed; NULL if absent or bad. */
static json_t *payload(const json_t *details, const char *key)
{
	const char *t = str(details, key);
	return t ? sfn_json_loads(t, JSON_DECODE_ANY, NULL) : NULL;
}

static bool is_top(const json_t *ev)
{
	json_t *s = json_object_get(ev, "x-scope");
	return !s || !json_array_size(s);
}

void sfn_redrive_plan_release(struct sfn_redrive_plan *plan)
{
	free(plan->state);
	json_decref(plan->input);
	json_decref(plan->variables);
	json_decref(plan->replay);
	json_decref(plan->invocations);
	json_decref(plan->execution_input);
	memset(plan, 0, sizeof(*plan));
}

static bool is_success(const char *type)
{
	return !strcmp(type, "TaskSucceeded") ||
	       !strcmp(type, "LambdaFunctionSucceeded") ||
	       !strcmp(type, "ActivitySucceeded");
}

static bool is_scheduled(const char *type)
{
	return !strcmp(type, "TaskScheduled") ||
	       !strcmp(type, "LambdaFunctionScheduled") ||
	       !strcmp(type, "ActivityScheduled");
}

int sfn_journal_plan_redrive(const struct sfn_journal_data *data, double now,
			     struct sfn_redrive_plan *plan,
			     struct sfn_error *err)
{
	json_t *events = data->events;
	size_t n = json_array_size(events);
	long open = -1;
	enum sfn_journal_status st;
	json_t *desc = sfn_journal_describe(data, now, &st);
	const char *reason = str(desc, "redriveStatusReason");

	memset(plan, 0, sizeof(*plan));
	if (reason) {
		sfn_errorf(err, "ExecutionNotRedrivable", NULL, "%s", reason);
		json_decref(desc);
		return -1;
	}
	/* AWS re-runs a Parallel or Map whole when its output (or a
	 * result inside it) passed the size limit (sfn-features.md §1.3). */
	const char *error = str(desc, "error");
	bool whole = error && !strcmp(error, "States.DataLimitExceeded");
	json_decref(desc);
	plan->execution_input =
		payload(json_object_get(data->header, "execution"), "input");
	if (!plan->execution_input)
		plan->execution_input = json_object();
	plan->variables = json_object();
	plan->replay = json_object();
	plan->invocations = json_object();

	/* The open state: the last one entered at the top level. */
	const json_t *child_maps = sfn_journal_child_maps(data);
	for (size_t i = 0; i < n; i++) {
		json_t *ev = json_array_get(events, i);
		const char *type = str(ev, "type");
		json_int_t id = json_integer_value(json_object_get(ev, "id"));
		if (id > plan->last_event_id)
			plan->last_event_id = id;
		plan->child_events += sfn_journal_in_child(ev, child_maps);
		if (!type)
			continue;
		if (!strcmp(type, "ExecutionRedriven"))
			plan->redrive_count++;
		if (sfn_ends_with(type, "StateEntered") && is_top(ev))
			open = (long)i;
	}
	plan->redrive_count++;

	/* Variables assigned at the top level before the open state. */
	const char *open_name =
		open < 0 ? NULL
			 : str(json_object_get(
				       json_array_get(events, (size_t)open),
				       "stateEnteredEventDetails"),
			       "name");
	for (long i = 0; i < open; i++) {
		json_t *ev = json_array_get(events, (size_t)i);
		const char *type = str(ev, "type");
		json_t *av = json_object_get(
			json_object_get(ev, "stateExitedEventDetails"),
			"assignedVariables");
		const char *name;
		json_t *text;
		if (!type || !sfn_ends_with(type, "StateExited") || !is_top(ev))
			continue;
		if (json_object_size(av) &&
		    json_is_true(json_object_get(ev, "x-redacted"))) {
			sfn_errorf(err, "ExecutionNotRedrivable", NULL,
				   "a variable assigned before state '%s' may "
				   "hold a secret, which the journal keeps "
				   "masked; run the execution again instead",
				   open_name ? open_name : "");
			sfn_redrive_plan_release(plan);
			return -1;
		}
		json_object_foreach(av, name, text) {
			json_t *v = json_is_string(text)
					    ? sfn_json_loads(
						      json_string_value(text),
						      JSON_DECODE_ANY, NULL)
					    : NULL;
			if (v)
				json_object_set_new(plan->variables, name, v);
		}
	}

	/* Tasks scheduled so far, by state: the mock counters. */
	json_t *current = json_object(); /* scope text -> state entered there */
	for (size_t i = 0; i < n; i++) {
		json_t *ev = json_array_get(events, i);
		const char *type = str(ev, "type");
		json_t *scope = json_object_get(ev, "x-scope");
		char *sc = scope && json_array_size(scope)
				   ? sfn_json_dumps(scope, 0)
				   : sfn_xstrdup("[]");
		if (type && sfn_ends_with(type, "StateEntered"))
			json_object_set_new(
				current, sc,
				json_string(str(
					json_object_get(
						ev, "stateEnteredEventDetails"),
					"name")));
		else if (type && is_scheduled(type)) {
			const char *state = str(current, sc);
			if (state) {
				json_t *c = json_object_get(plan->invocations,
							    state);
				json_object_set_new(
					plan->invocations, state,
					json_integer(json_integer_value(c) +
						     1));
			}
		}
		free(sc);
	}
	json_object_clear(current);

	if (open < 0) {
		/* Nothing ran: start over from StartAt. */
		plan->input = json_incref(plan->execution_input);
		json_decref(current);
		return 0;
	}
	json_t *oev = json_array_get(events, (size_t)open);
	json_t *od = json_object_get(oev, "stateEnteredEventDetails");
	/* The open state's input held a secret, journaled masked: resuming
	 * with the mask in its place would run on text the execution never
	 * had. */
	if (json_is_true(json_object_get(oev, "x-redacted"))) {
		sfn_errorf(err, "ExecutionNotRedrivable", NULL,
			   "the input of state '%s' held a secret, which the "
			   "journal keeps masked; run the execution again "
			   "instead",
			   str(od, "name") ? str(od, "name") : "");
		json_decref(current);
		sfn_redrive_plan_release(plan);
		return -1;
	}
	plan->state = sfn_xstrdup(str(od, "name") ? str(od, "name") : "");
	plan->input = payload(od, "input");
	if (!plan->input)
		plan->input = json_object();

	/*
	 * Task results inside the open state, by state, scope and entry
	 * number counted from its entry. Earlier redrives that resumed at the
	 * same state continued the same entry: their attempts count too, each
	 * numbering entries afresh from the resumed state, the first result
	 * of a key winning (a later attempt may have died before replaying
	 * it).
	 */
	long from = open;
	for (;;) {
		long prev = -1;
		bool redriven = false;
		for (long i = from - 1; i >= 0 && prev < 0; i--) {
			json_t *ev = json_array_get(events, (size_t)i);
			const char *type = str(ev, "type");
			if (!type)
				continue;
			if (!strcmp(type, "ExecutionRedriven"))
				redriven = true;
			else if (sfn_ends_with(type, "StateEntered") &&
				 is_top(ev))
				prev = i;
		}
		const char *pname =
			prev >= 0 ? str(json_object_get(
						json_array_get(events,
							       (size_t)prev),
						"stateEnteredEventDetails"),
					"name")
				  : NULL;
		if (!redriven || !pname || strcmp(pname, plan->state))
			break;
		from = prev;
	}
	json_t *entries = json_object(); /* state\x1fscope -> entries so far */
	for (size_t i = (size_t)from; i < n; i++) {
		json_t *ev = json_array_get(events, i);
		const char *type = str(ev, "type");
		json_t *scope = json_object_get(ev, "x-scope");
		char *sc;
		if (!type)
			continue;
		if (!strcmp(type, "ExecutionRedriven")) {
			json_object_clear(entries);
			json_object_clear(current);
			continue;
		}
		sc = scope && json_array_size(scope) ? sfn_json_dumps(scope, 0)
						     : sfn_xstrdup("[]");
		if (sfn_ends_with(type, "StateEntered")) {
			const char *name = str(
				json_object_get(ev, "stateEnteredEventDetails"),
				"name");
			if (name) {
				char *k = sfn_xasprintf("%s\x1f%s", name, sc);
				json_t *c = json_object_get(entries, k);
				json_int_t e =
					c ? json_integer_value(c) + 1 : 0;
				json_object_set_new(entries, k,
						    json_integer(e));
				json_object_set_new(current, sc,
						    json_pack("{s:s, s:I}",
							      "state", name,
							      "entry", e));
				free(k);
			}
		} else if (is_success(type)) {
			json_t *cur = json_object_get(current, sc);
			json_t *d = NULL;
			const char *key;
			json_t *v;
			json_object_foreach(ev, key, v)
				if (sfn_ends_with(key, "EventDetails"))
					d = v;
			/* A result journaled masked is not replayable: the
			 * Task runs again. */
			json_t *out =
				json_is_true(json_object_get(ev, "x-redacted"))
					? NULL
					: payload(d, "output");
			if (cur && out) {
				char *k = sfn_replay_key(
					str(cur, "state"), scope,
					(unsigned)json_integer_value(
						json_object_get(cur, "entry")));
				if (!json_object_get(plan->replay, k))
					json_object_set_new(plan->replay, k,
							    out);
				else
					json_decref(out);
				free(k);
			} else {
				json_decref(out);
			}
		}
		free(sc);
	}
	/*
	 * AWS re-runs the Task of a state that failed, even when its result
	 * came back and a later step (ResultSelector, ResultPath) failed. Only
	 * a process that died keeps it, so that no journaled Task runs twice.
	 */
	if (st != SFN_JSTATUS_DIED) {
		char *k = sfn_replay_key(plan->state, NULL, 0);
		json_object_del(plan->replay, k);
		free(k);
	}
	/* Replaying the results that made it too big would only fail
	 * again: every Task of the state runs anew, as on AWS. */
	if (whole)
		json_object_clear(plan->replay);
	json_decref(entries);
	json_decref(current);
	return 0;
}
