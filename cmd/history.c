/*
 * sfn history: a journaled execution's events, as a table or exactly as
 * GetExecutionHistory returns them ("x-" fields of sfn's own left out).
 */
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "journal/journal.h"

/* A copy of @event without the "x-" keys AWS does not have. */
static json_t *aws_event(json_t *event)
{
	json_t *out = json_object();
	const char *key;
	json_t *v;
	json_object_foreach(event, key, v)
		if (strncmp(key, "x-", 2))
			json_object_set(out, key, v);
	return out;
}

/*
 * The events as GetExecutionHistory returns them: without the "x-" keys,
 * and without the events of distributed Map children, which on AWS are
 * executions with histories of their own (the journal keeps them for
 * redrive and graph). The parent's events are numbered again from 1,
 * each previousEventId the nearest of its own events it follows from.
 */
static json_t *aws_events(const struct sfn_journal_data *data)
{
	const json_t *names = sfn_journal_child_maps(data);
	json_t *events = json_array();
	json_t *ev;

	size_t n = json_array_size(data->events), i;
	json_int_t max = 0;
	json_array_foreach(data->events, i, ev) {
		json_int_t id = json_integer_value(json_object_get(ev, "id"));
		max = id > max ? id : max;
	}
	/* Ids run from 1 up, one per event: anything else is left as it
	 * is (as is a history without distributed Maps). */
	if (!json_object_size(names) || max > (json_int_t)n) {
		json_array_foreach(data->events, i, ev)
			json_array_append_new(events, aws_event(ev));
		return events;
	}
	/* Per journal id: its new id (0: a child's), and its parent. */
	json_int_t *renum = sfn_xcalloc((size_t)max + 1, sizeof(*renum));
	json_int_t *prev = sfn_xcalloc((size_t)max + 1, sizeof(*prev));
	json_int_t next = 1;
	json_array_foreach(data->events, i, ev) {
		json_int_t id = json_integer_value(json_object_get(ev, "id"));
		json_int_t p = json_integer_value(
			json_object_get(ev, "previousEventId"));
		if (id <= 0)
			continue;
		prev[id] = p >= 0 && p <= max ? p : 0;
		if (!sfn_journal_in_child(ev, names))
			renum[id] = next++;
	}
	bool renumber = (size_t)(next - 1) != n;
	json_array_foreach(data->events, i, ev) {
		json_int_t id = json_integer_value(json_object_get(ev, "id"));
		if (id > 0 && !renum[id])
			continue;
		json_t *out = aws_event(ev);
		if (renumber && id > 0) {
			json_int_t p = prev[id];
			while (p > 0 && !renum[p] && prev[p] < p)
				p = prev[p];
			json_object_set_new(out, "id", json_integer(renum[id]));
			json_object_set_new(out, "previousEventId",
					    json_integer(p > 0 ? renum[p] : 0));
		}
		json_array_append_new(events, out);
	}
	free(renum);
	free(prev);
	return events;
}

static json_t *event_details(json_t *event)
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

/*
 * The state @ev belongs to, as the table shows it ("Name", "Name[3]" for a
 * Map iteration's event, "" for the execution's). @current maps each scope
 * (a Map iteration, a Parallel branch, the top level: "x-scope" as JSON)
 * to the state entered there last, which names the events that do not
 * name their state (TaskScheduled, ...), as the console does.
 */
/* @ev's scope as JSON ("[]" at the top level), a new string. */
static char *scope_of(json_t *ev)
{
	json_t *xs = json_object_get(ev, "x-scope");
	return xs ? sfn_json_dumps(xs, 0) : sfn_xstrdup("[]");
}

static char *state_of(json_t *ev, const char *scope, json_t *current)
{
	json_t *d = event_details(ev);
	const char *name = json_string_value(json_object_get(d, "name"));
	const char *type = json_string_value(json_object_get(ev, "type"));
	if (name && sfn_journal_type_is_entered(type))
		json_object_set_new(current, scope, json_string(name));
	else if (!name && type && strncmp(type, "Execution", 9))
		name = json_string_value(json_object_get(current, scope));
	json_t *index = json_object_get(d, "index");
	if (json_is_integer(index))
		return sfn_xasprintf("%s[%lld]", name ? name : "",
				     (long long)json_integer_value(index));
	return sfn_xstrdup(name ? name : "");
}

/*
 * Marks in @replayed the events of the Task calls a redrive answered from
 * the journal: each result marked "x-replayed", and the Scheduled and
 * Started events before it in its scope since its state was entered (the
 * journal marks only the result: the interpreter learns it is replayed
 * when it asks for it).
 */
static void mark_replayed(json_t *events, char **scopes, bool *replayed)
{
	size_t n = json_array_size(events);
	for (size_t k = 0; k < n; k++) {
		json_t *ev = json_array_get(events, k);
		if (!json_is_true(json_object_get(ev, "x-replayed")))
			continue;
		replayed[k] = true;
		for (size_t i = k; i-- > 0;) {
			if (strcmp(scopes[i], scopes[k]))
				continue;
			const char *t = json_string_value(json_object_get(
				json_array_get(events, i), "type"));
			if (!t || sfn_journal_type_is_entered(t))
				break;
			size_t tl = strlen(t);
			if ((tl > 9 && !strcmp(t + tl - 9, "Scheduled")) ||
			    (tl > 7 && !strcmp(t + tl - 7, "Started")))
				replayed[i] = true;
		}
	}
}

/* Prints @ev as a row, its state in @width columns. */
static void print_row(json_t *ev, const char *state, int width, bool replayed)
{
	const char *error =
		json_string_value(json_object_get(event_details(ev), "error"));
	const char *ts = json_string_value(json_object_get(ev, "timestamp"));
	const char *type = json_string_value(json_object_get(ev, "type"));
	printf("%5lld  %-24s  %-26s  ",
	       (long long)json_integer_value(json_object_get(ev, "id")),
	       ts ? ts : "", type ? type : "?");
	fputs(state, stdout);
	if (error || replayed) {
		/* Padded by characters: names may be any Unicode. */
		int pad = width - (int)sfn_utf8_length(state, strlen(state));
		printf("%*s", pad > 0 ? pad : 0, "");
	}
	if (error)
		printf("  %s", error);
	if (replayed)
		fputs("  (replayed)", stdout);
	putchar('\n');
}

int cmd_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "journal-dir", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "last", no_argument, NULL, 'l' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL;
	bool last = false, json = false;
	int flags = 0, c, rc = SFN_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			root = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "json"))
				json = true;
			else if (strcmp(optarg, "text"))
				return sfn_cmd_usage_error(
					"history",
					"--format must be text or json, not "
					"'%s'",
					optarg);
			break;
		case 'l':
			last = true;
			break;
		case 'p':
			flags |= SFN_JSON_PRETTY;
			break;
		case 'h':
			sfn_cmd_print_help(sfn_cmd_find("history"), stdout);
			return SFN_EXIT_OK;
		case ':':
			return sfn_cmd_missing_value("history", argv);
		default:
			return sfn_cmd_unknown_option("history", argv);
		}
	}
	if ((optind < argc) == last || argc - optind > 1)
		return sfn_cmd_usage_error(
			"history", "name one execution, or give --last");

	root = sfn_cli_journal_root(root);
	char *dir = sfn_cli_find_execution("history", root,
					   last ? NULL : argv[optind], last);
	if (!dir)
		return SFN_EXIT_INPUT;
	struct sfn_journal_data data;
	struct sfn_error err = SFN_ERROR_INIT;
	if (sfn_journal_read(dir, &data, &err) < 0) {
		fprintf(stderr, "sfn history: %s\n", err.cause);
		rc = SFN_EXIT_INPUT;
		goto out;
	}
	size_t i;
	json_t *ev;
	if (json) {
		json_t *doc = json_pack("{s:o}", "events", aws_events(&data));
		struct sfn_strbuf sb = SFN_STRBUF_INIT;
		sfn_json_dump(&sb, doc, flags);
		puts(sb.buf);
		sfn_strbuf_release(&sb);
		json_decref(doc);
	} else {
		size_t n = json_array_size(data.events);
		char **states = sfn_xcalloc(n ? n : 1, sizeof(*states));
		char **scopes = sfn_xcalloc(n ? n : 1, sizeof(*scopes));
		bool *replayed = sfn_xcalloc(n ? n : 1, sizeof(*replayed));
		json_t *current = json_object();
		int width = 5; /* "STATE" */
		json_array_foreach(data.events, i, ev) {
			scopes[i] = scope_of(ev);
			states[i] = state_of(ev, scopes[i], current);
			int w = (int)sfn_utf8_length(states[i],
						     strlen(states[i]));
			width = w > width ? w : width;
		}
		json_decref(current);
		width = width > 40 ? 40 : width;
		printf("%5s  %-24s  %-26s  %-*s  %s\n", "ID", "TIMESTAMP",
		       "TYPE", width, "STATE", "DETAIL");
		mark_replayed(data.events, scopes, replayed);
		bool any = false;
		json_array_foreach(data.events, i, ev) {
			print_row(ev, states[i], width, replayed[i]);
			any |= replayed[i];
			free(states[i]);
			free(scopes[i]);
		}
		free(states);
		free(scopes);
		free(replayed);
		if (any)
			printf("(replayed: a Task result a redrive took from "
			       "the journal; the Task did not run again)\n");
		if (data.torn)
			printf("(the last line of the journal was torn by a "
			       "crash and is ignored)\n");
		enum sfn_journal_status st;
		json_t *d = sfn_journal_describe(&data, sfn_cli_now(), &st);
		const char *rs =
			json_string_value(json_object_get(d, "redriveStatus"));
		if (st == SFN_JSTATUS_DIED)
			printf("(the process running the execution died: it "
			       "ends here, open%s)\n",
			       rs && !strcmp(rs, "REDRIVABLE")
				       ? "; 'sfn redrive' resumes it"
				       : "");
		json_decref(d);
	}
	sfn_journal_data_release(&data);
out:
	sfn_error_release(&err);
	free(dir);
	return rc;
}
