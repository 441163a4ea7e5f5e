/*
 * Reading an execution's story out of its journal: status, output or error,
 * redrives, and whether AWS would redrive it now (sfn-features.md §1.2).
 */
#include "journal/journal.h"

#include <string.h>

#include "asl/model.h"

#include "base/banned.h"

const char *sfn_journal_status_name(enum sfn_journal_status s)
{
	switch (s) {
	case SFN_JSTATUS_RUNNING:
		return "RUNNING";
	case SFN_JSTATUS_SUCCEEDED:
		return "SUCCEEDED";
	case SFN_JSTATUS_FAILED:
		return "FAILED";
	case SFN_JSTATUS_TIMED_OUT:
		return "TIMED_OUT";
	case SFN_JSTATUS_ABORTED:
		return "ABORTED";
	case SFN_JSTATUS_DIED:
		return "DIED";
	}
	return "?";
}

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* The details object of @event, whatever its member is called. */
static json_t *details(json_t *event)
{
	const char *key;
	json_t *v;
	json_object_foreach(event, key, v) {
		size_t n = strlen(key);
		if (n > 12 && !strcmp(key + n - 12, "EventDetails"))
			return v;
	}
	return NULL;
}

/* Index of the terminal event of the last attempt, or -1 if none. */
static long last_terminal(json_t *events, enum sfn_journal_status *status)
{
	size_t n = json_array_size(events);
	for (size_t i = n; i-- > 0;) {
		const char *type = str(json_array_get(events, i), "type");
		if (!type)
			continue;
		if (!strcmp(type, "ExecutionRedriven") ||
		    !strcmp(type, "ExecutionStarted"))
			return -1;
		if (!strcmp(type, "ExecutionSucceeded"))
			*status = SFN_JSTATUS_SUCCEEDED;
		else if (!strcmp(type, "ExecutionFailed"))
			*status = SFN_JSTATUS_FAILED;
		else if (!strcmp(type, "ExecutionTimedOut"))
			*status = SFN_JSTATUS_TIMED_OUT;
		else if (!strcmp(type, "ExecutionAborted"))
			*status = SFN_JSTATUS_ABORTED;
		else
			continue;
		return (long)i;
	}
	return -1;
}

/* Adds the names of the distributed Map states of @m, nested ones too. */
static void child_maps(const struct sfn_machine *m, json_t *names)
{
	for (size_t i = 0; m && i < m->n_states; i++) {
		const struct sfn_state *st = &m->states[i];
		if (st->type == SFN_STATE_MAP && st->distributed)
			json_object_set_new(names, st->name, json_true());
		for (size_t b = 0; b < st->n_branches; b++)
			child_maps(st->branches[b], names);
		child_maps(st->processor, names);
	}
}

const json_t *sfn_journal_child_maps(const struct sfn_journal_data *data)
{
	if (data->child_maps)
		return data->child_maps;
	json_t *names = json_object();
	const char *def = str(data->header, "definition");
	/* Most definitions have none: no need to compile them. The
	 * recorded definition compiled when the execution started. */
	if (def && strstr(def, "DISTRIBUTED")) {
		struct sfn_error err = SFN_ERROR_INIT;
		json_t *doc = sfn_json_loadb(def, strlen(def), 0, NULL);
		struct sfn_machine *m =
			doc ? sfn_machine_compile(doc, &err) : NULL;
		child_maps(m, names);
		sfn_machine_free(m);
		sfn_error_release(&err);
		json_decref(doc);
	}
	/* Kept for the next question: journal data is filled in by
	 * sfn_journal_read, never a const object. */
	((struct sfn_journal_data *)data)->child_maps = names;
	return names;
}

bool sfn_journal_in_child(const json_t *ev, const json_t *maps)
{
	size_t i;
	json_t *at;
	if (!json_object_size(maps))
		return false;
	json_array_foreach(json_object_get(ev, "x-scope"), i, at)
		if (json_object_get(maps,
				    json_string_value(json_array_get(at, 0))))
			return true;
	return false;
}

/*
 * The state that failed the execution, following previousEventId back
 * from its terminal event @end: the first state entered on that path
 * that is not a distributed Map child's (the Map itself stands for its
 * children, which are executions of their own). NULL if there is none.
 */
static const char *failed_on_path(const struct sfn_journal_data *data,
				  size_t end)
{
	json_t *events = data->events;
	size_t n = json_array_size(events);
	/* Ids run from 1, one per event: id k is the event at k - 1. */
	json_int_t p = json_integer_value(json_object_get(
		json_array_get(events, end), "previousEventId"));
	const json_t *maps = NULL;
	const char *name = NULL;
	while (p > 0 && (size_t)p <= n) {
		json_t *ev = json_array_get(events, (size_t)p - 1);
		if (json_integer_value(json_object_get(ev, "id")) != p)
			break;
		if (sfn_journal_type_is_entered(str(ev, "type"))) {
			if (!maps)
				maps = sfn_journal_child_maps(data);
			if (!sfn_journal_in_child(ev, maps)) {
				name = str(
					json_object_get(
						ev, "stateEnteredEventDetails"),
					"name");
				break;
			}
		}
		json_int_t q = json_integer_value(
			json_object_get(ev, "previousEventId"));
		if (q >= p)
			break;
		p = q;
	}
	return name;
}

const char *sfn_journal_failed_state(const struct sfn_journal_data *data)
{
	enum sfn_journal_status st = SFN_JSTATUS_RUNNING;
	long end = last_terminal(data->events, &st);
	if (end < 0) {
		end = (long)json_array_size(data->events);
	} else if (st == SFN_JSTATUS_SUCCEEDED) {
		return NULL;
	} else {
		/* Branches and iterations run at once: the last state
		 * entered may be a sibling's, not the one that failed. */
		const char *name = failed_on_path(data, (size_t)end);
		if (name)
			return name;
	}
	for (long i = end; i-- > 0;) {
		json_t *ev = json_array_get(data->events, (size_t)i);
		if (sfn_journal_type_is_entered(str(ev, "type")))
			return str(
				json_object_get(ev, "stateEnteredEventDetails"),
				"name");
	}
	return NULL;
}

/* The events of the execution's own history: not its Map children's. */
static size_t parent_events(const struct sfn_journal_data *data)
{
	size_t n = json_array_size(data->events), i, own = 0;
	if (n < SFN_REDRIVE_MAX_EVENTS)
		return n;
	const json_t *maps = sfn_journal_child_maps(data);
	json_t *ev;
	json_array_foreach(data->events, i, ev)
		own += !sfn_journal_in_child(ev, maps);
	return own;
}

json_t *sfn_journal_describe(const struct sfn_journal_data *data, double now,
			     enum sfn_journal_status *status)
{
	json_t *exec = json_object_get(data->header, "execution");
	json_t *out = json_object();
	enum sfn_journal_status st = SFN_JSTATUS_RUNNING;
	size_t n = json_array_size(data->events);
	long term = last_terminal(data->events, &st);
	json_t *redrive_date = NULL;
	json_int_t redrives = 0;
	const char *stop = NULL;
	const char *reason = NULL;

	static const char *const copied[] = { "executionArn", "stateMachineArn",
					      "name" };
	for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
		json_t *v = json_object_get(exec, copied[i]);
		if (v)
			json_object_set(out, copied[i], v);
	}
	for (size_t i = 0; i < n; i++) {
		json_t *ev = json_array_get(data->events, i);
		const char *type = str(ev, "type");
		if (type && !strcmp(type, "ExecutionRedriven")) {
			redrives = json_integer_value(
				json_object_get(details(ev), "redriveCount"));
			redrive_date = json_object_get(ev, "timestamp");
		}
	}
	if (term < 0 && !data->locked)
		st = SFN_JSTATUS_DIED;
	if (term >= 0) {
		stop = str(json_array_get(data->events, (size_t)term),
			   "timestamp");
	} else if (st == SFN_JSTATUS_DIED && n) {
		stop = str(json_array_get(data->events, n - 1), "timestamp");
	}

	json_object_set_new(
		out, "status",
		json_string(sfn_journal_status_name(
			st == SFN_JSTATUS_DIED ? SFN_JSTATUS_ABORTED : st)));
	if (st == SFN_JSTATUS_DIED)
		json_object_set_new(out, "x-processDied", json_true());
	if (json_object_get(exec, "startDate"))
		json_object_set(out, "startDate",
				json_object_get(exec, "startDate"));
	if (stop)
		json_object_set_new(out, "stopDate", json_string(stop));
	if (json_object_get(exec, "input")) {
		json_object_set(out, "input", json_object_get(exec, "input"));
		json_object_set_new(out, "inputDetails",
				    json_pack("{s:b}", "included", 1));
	}
	if (term >= 0) {
		json_t *d = details(json_array_get(data->events, (size_t)term));
		if (st == SFN_JSTATUS_SUCCEEDED) {
			json_t *o = json_object_get(d, "output");
			json_object_set_new(out, "output",
					    o ? json_incref(o)
					      : json_string("null"));
			json_object_set_new(out, "outputDetails",
					    json_pack("{s:b}", "included", 1));
		} else {
			if (json_object_get(d, "error"))
				json_object_set(out, "error",
						json_object_get(d, "error"));
			if (json_object_get(d, "cause"))
				json_object_set(out, "cause",
						json_object_get(d, "cause"));
		}
	}
	json_object_set_new(out, "redriveCount", json_integer(redrives));
	if (redrive_date)
		json_object_set(out, "redriveDate", redrive_date);

	/* AWS's redriveStatusReason texts (sfn-features.md §1.2). */
	const char *type = str(exec, "type");
	const char *start = str(exec, "startDate");
	double stopped = 0, started = 0;
	if (st == SFN_JSTATUS_RUNNING)
		reason = "Execution is RUNNING and cannot be redriven";
	else if (st == SFN_JSTATUS_SUCCEEDED)
		reason = "Execution is SUCCEEDED and cannot be redriven";
	else if (type && !strcmp(type, "EXPRESS"))
		reason = "Execution is EXPRESS and cannot be redriven";
	else if (start && sfn_time_parse(start, &started) == 0 &&
		 started < SFN_REDRIVE_LAUNCH)
		reason = "Execution was started before the launch of "
			 "RedriveExecution";
	else if (parent_events(data) >= SFN_REDRIVE_MAX_EVENTS)
		reason = "Execution history event limit exceeded";
	else if (stop && sfn_time_parse(stop, &stopped) == 0 &&
		 now - stopped > SFN_REDRIVE_PERIOD_SECONDS)
		reason = "Execution redrivable period exceeded";
	else if (start && sfn_time_parse(start, &started) == 0 &&
		 now - started > SFN_MAX_OPEN_SECONDS)
		reason = "Execution has exceeded the max execution time";
	json_object_set_new(
		out, "redriveStatus",
		json_string(reason ? "NOT_REDRIVABLE" : "REDRIVABLE"));
	if (reason)
		json_object_set_new(out, "redriveStatusReason",
				    json_string(reason));
	if (status)
		*status = st;
	return out;
}
