/*
 * History events: the journal's byte writer (sfn_event_write) must write
 * exactly what dumping the event's JSON object writes, for every shape of
 * event and every payload, since readers parse one and users diff both.
 */
#include "exec/exec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/test.h"

/* Payloads: every JSON type, escapes, non-ASCII, nesting. */
static const char *const payloads[] = {
	"null",
	"{}",
	"[]",
	"{\"i\":1,\"n\":100000}",
	"\"plain\"",
	"\"q\\\"uote \\\\ back\\nnew\\tline \\u0001 \\u001f\"",
	"\"caf\\u00e9 \\u20ac \\ud83d\\ude00\"",
	"[1,-2,3.5,1e300,-0.0,true,false,null,\"\"]",
	"{\"a\\\"b\":{\"c\\\\d\":[{\"e\\n\":\"</"
	"script>\"}]},\"x\":12345678901234}",
	"{\"long\":"
	"\"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefgh\\\"ij\"}",
	"-9223372036854775808",
	"0.1",
};

static void check(const struct sfn_event *ev, const char *label)
{
	struct sfn_event_writer w = { 0 };
	struct sfn_strbuf fast = SFN_STRBUF_INIT, slow = SFN_STRBUF_INIT;
	/* Twice: the second line reuses the writer's formatted instant. */
	sfn_event_write(&fast, &w, ev);
	sfn_strbuf_addch(&fast, '\n');
	sfn_event_write(&fast, &w, ev);
	json_t *o = sfn_event_json(ev);
	sfn_json_dump(&slow, o, 0);
	sfn_strbuf_addch(&slow, '\n');
	sfn_json_dump(&slow, o, 0);
	SFN_CHECK_STR(fast.buf, slow.buf, label);
	/* And what was written parses back to the same object. */
	char *nl = strchr(fast.buf, '\n');
	json_t *back = json_loadb(fast.buf, (size_t)(nl - fast.buf), 0, NULL);
	SFN_CHECK(back && json_equal(back, o), "%s: parses back", label);
	json_decref(back);
	json_decref(o);
	sfn_strbuf_release(&fast);
	sfn_strbuf_release(&slow);
	sfn_event_writer_release(&w);
}

/*
 * A sink may render an event's payload and scope ahead (the journal does,
 * for small values): the line and the JSON object are the same as from
 * the values.
 */
static void check_rendered(const struct sfn_event *ev, const char *label)
{
	struct sfn_event_writer w = { 0 };
	struct sfn_strbuf want = SFN_STRBUF_INIT, got = SFN_STRBUF_INIT;
	struct sfn_strbuf ptext = SFN_STRBUF_INIT, stext = SFN_STRBUF_INIT;
	struct sfn_event r = *ev;
	sfn_event_write(&want, &w, ev);
	if (ev->payload) {
		SFN_CHECK(sfn_json_dump_max(&ptext, ev->payload,
					    SFN_JSON_QUOTED, 4096),
			  "%s: payload renders", label);
		r.payload = NULL;
		r.payload_text = ptext.buf;
		r.payload_text_len = ptext.len;
	}
	if (ev->scope) {
		SFN_CHECK(sfn_json_dump_max(&stext, ev->scope, 0, 4096),
			  "%s: scope renders", label);
		r.scope = NULL;
		r.scope_text = stext.buf;
		r.scope_text_len = stext.len;
	}
	sfn_event_write(&got, &w, &r);
	SFN_CHECK(!strcmp(got.buf, want.buf),
		  "%s: rendered ahead: got '%s', want '%s'", label, got.buf,
		  want.buf);
	json_t *a = sfn_event_json(ev), *b = sfn_event_json(&r);
	SFN_CHECK(json_equal(a, b), "%s: rendered ahead, as JSON", label);
	json_decref(a);
	json_decref(b);
	sfn_strbuf_release(&want);
	sfn_strbuf_release(&got);
	sfn_strbuf_release(&ptext);
	sfn_strbuf_release(&stext);
	sfn_event_writer_release(&w);
}

/* A line of @ev on @fast by the writer and on @slow by its JSON object. */
static void write_both(struct sfn_strbuf *fast, struct sfn_strbuf *slow,
		       struct sfn_event_writer *w, const struct sfn_event *ev)
{
	sfn_event_write(fast, w, ev);
	sfn_strbuf_addch(fast, '\n');
	json_t *o = sfn_event_json(ev);
	sfn_json_dump(slow, o, 0);
	sfn_strbuf_addch(slow, '\n');
	json_decref(o);
}

int main(void)
{
	json_t *scope =
		json_loads("[[\"Fan\\\"out\",3],[\"Inner\",0]]", 0, NULL);
	json_t *assigned = json_loads(
		"{\"assignedVariables\":{\"x\":\"1\",\"q\\\"\":\"\\\"s\\\"\"},"
		"\"assignedVariablesDetails\":{\"truncated\":false}}",
		0, NULL);
	json_t *task = json_loads("{\"resource\":\"invoke\",\"resourceType\":"
				  "\"lambda\",\"parameters\":\"{}\"}",
				  0, NULL);
	static const double times[] = { 0, 1764484800.123, 1764484800.9996,
					-1.5, 253402300799.999 };
	for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		json_t *p = json_loads(payloads[i], JSON_DECODE_ANY, NULL);
		SFN_CHECK(p != NULL, "payload %zu parses", i);
		if (!p)
			continue;
		/* sfn_json_dump_quoted is the quoted dump, in one pass. */
		struct sfn_strbuf a = SFN_STRBUF_INIT, b = SFN_STRBUF_INIT;
		char *d = sfn_json_dumps(p, 0);
		sfn_json_quote(&a, d, strlen(d), 0);
		sfn_json_dump_quoted(&b, p);
		SFN_CHECK_STR(b.buf, a.buf, payloads[i]);
		free(d);
		sfn_strbuf_release(&a);
		sfn_strbuf_release(&b);

		struct sfn_event entered = {
			.id = 7 + i,
			.previous_id = 6 + i,
			.timestamp = times[i % 5],
			.type = "PassStateEntered",
			.details_key = "stateEnteredEventDetails",
			.state = i % 2 ? "Incr" : "we\"ird \\ name\n\xc3\xa9",
			.payload_key = "input",
			.payload = p,
			.scope = i % 3 ? NULL : scope,
			.choice_rule = SFN_EVENT_NO_RULE,
		};
		check(&entered, payloads[i]);
		struct sfn_event exited = entered;
		exited.type = "ChoiceStateExited";
		exited.details_key = "stateExitedEventDetails";
		exited.payload_key = "output";
		exited.details = i % 2 ? assigned : NULL;
		exited.choice_rule = (long)i % 3 - 1;
		exited.replayed = i % 4 == 0;
		check(&exited, payloads[i]);
		check_rendered(&entered, payloads[i]);
		check_rendered(&exited, payloads[i]);
		json_decref(p);
	}
	/* Events that are not a state's: details alone, or none. */
	struct sfn_event sched = {
		.id = 12345678901ull,
		.previous_id = 0,
		.timestamp = 1764484800.5,
		.type = "TaskScheduled",
		.details_key = "taskScheduledEventDetails",
		.details = task,
		.choice_rule = SFN_EVENT_NO_RULE,
	};
	check(&sched, "TaskScheduled");
	struct sfn_event bare = sched;
	bare.type = "MapIterationStarted";
	bare.details_key = NULL;
	bare.details = NULL;
	bare.scope = scope;
	check(&bare, "no details");
	struct sfn_event noload = sched;
	noload.type = "PassStateEntered";
	noload.details_key = "stateEnteredEventDetails";
	noload.details = NULL;
	noload.state = "S";
	noload.payload_key = "input";
	check(&noload, "state event without payload");

	struct sfn_event iter = bare;
	iter.type = "MapIterationSucceeded";
	iter.details_key = "mapIterationSucceededEventDetails";
	iter.state = "Fan";
	iter.has_index = true;
	iter.index = 9999;
	check(&iter, "Map iteration: name and index");

	/*
	 * One writer over many events: what it keeps (the last payload, scopes,
	 * quoted names) never shows a value other than the event's, even when
	 * a name's bytes change at the same address.
	 */
	struct sfn_event_writer w = { 0 };
	struct sfn_strbuf fast = SFN_STRBUF_INIT, slow = SFN_STRBUF_INIT;
	char name[8] = "First";
	json_t *pa = json_loads("{\"a\":1}", 0, NULL);
	json_t *pb = json_loads("{\"a\":1}", 0, NULL); /* equal, not same */
	json_t *pc = json_loads("[\"c\"]", 0, NULL);
	json_t *seq[] = { pa, pa, pb, pc, pa, pc, pc };
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		struct sfn_event ev = noload;
		ev.id = 100 + i;
		ev.payload = seq[i];
		ev.state = name;
		ev.scope = i % 2 ? scope : NULL;
		if (i == 4)
			memcpy(name, "Other", 6);
		write_both(&fast, &slow, &w, &ev);
	}
	SFN_CHECK_STR(fast.buf, slow.buf, "one writer, many events");
	sfn_event_writer_release(&w);

	/*
	 * Ids are counted up in place from the last one's digits: every
	 * carry (9 -> 10, 99 -> 100, 1099 -> 1100), a previousEventId that
	 * is not the last id, and ids that jump.
	 */
	struct sfn_event_writer wi = { 0 };
	sfn_strbuf_reset(&fast);
	sfn_strbuf_reset(&slow);
	for (uint64_t id = 1; id <= 1200; id++) {
		struct sfn_event ev = noload;
		ev.id = id == 700 ? 10999 : id;
		ev.previous_id = id % 7 ? id - 1 : id / 2;
		write_both(&fast, &slow, &wi, &ev);
	}
	SFN_CHECK_STR(fast.buf, slow.buf, "ids counted up");
	sfn_event_writer_release(&wi);

	/* More shapes than the writer keeps: evicted ones are made again. */
	struct sfn_event_writer ws = { 0 };
	sfn_strbuf_reset(&fast);
	sfn_strbuf_reset(&slow);
	char names[100][16];
	for (int i = 0; i < 600; i++) {
		struct sfn_event ev = noload;
		int k = (i * 37) % 100;
		snprintf(names[k], sizeof(names[k]), "S%d", k);
		ev.id = (uint64_t)i + 1;
		ev.state = names[k];
		ev.type = i % 2 ? "PassStateExited" : "PassStateEntered";
		ev.has_index = i % 3 == 0;
		ev.index = i;
		ev.payload = i % 5 ? pa : NULL;
		write_both(&fast, &slow, &ws, &ev);
	}
	SFN_CHECK_STR(fast.buf, slow.buf, "many shapes");
	sfn_event_writer_release(&ws);
	sfn_strbuf_release(&fast);
	sfn_strbuf_release(&slow);
	json_decref(pa);
	json_decref(pb);
	json_decref(pc);

	/* Literals and names longer than the writer copies at a time. */
	{
		struct sfn_event ev = noload;
		ev.type =
			"AVeryLongEventTypeNameThatNoAwsEventHasButMightOneDay";
		ev.details_key =
			"aVeryLongEventTypeNameThatNoAwsEventHasButMight"
			"OneDayEventDetails";
		ev.state = "A state name longer than forty-eight bytes, with "
			   "\"quotes\" and caf\xc3\xa9";
		json_t *v = json_pack("[s]", "x");
		ev.payload = v;
		check(&ev, "long literals and name");
		ev.payload_key =
			"anInputKeyLongerThanFortyEightBytesJustToSeeItWork";
		check(&ev, "long payload key");
		json_decref(v);
	}

	/*
	 * A large document shared by payloads that differ around it (its
	 * text comes from the writer's cache of large containers after the
	 * first time), then forgotten and freed.
	 */
	json_t *big = json_array();
	for (int i = 0; i < 300; i++)
		json_array_append_new(big, json_pack("{s:i,s:s,s:f}", "id", i,
						     "s", "\"q\" \xc3\xa9\n",
						     "f", i / 3.0));
	json_t *alive = json_array(); /* until forgotten */
	for (int i = 0; i < 6; i++) {
		json_t *v = json_pack("{s:i,s:O,s:{s:O}}", "i", i, "doc", big,
				      "again", "doc", big);
		json_array_append(alive, v);
		struct sfn_event ev = noload;
		ev.payload = i % 3 ? v : json_object_get(v, "again");
		write_both(&fast, &slow, &w, &ev);
		json_decref(v);
	}
	SFN_CHECK_STR(fast.buf, slow.buf, "payloads sharing a large document");
	sfn_event_writer_forget(&w);
	json_decref(alive);
	json_decref(big);

	/*
	 * Forgotten values may be freed, and their addresses reused for other
	 * values: the writer writes the new one.
	 */
	for (int i = 0; i < 50; i++) {
		json_t *v = json_pack("{s:i}", "round", i);
		struct sfn_event ev = noload;
		ev.payload = v;
		write_both(&fast, &slow, &w, &ev);
		sfn_event_writer_forget(&w);
		json_decref(v);
	}
	SFN_CHECK_STR(fast.buf, slow.buf, "values freed after forget");
	sfn_strbuf_reset(&fast);
	sfn_strbuf_reset(&slow);

	/*
	 * So may state names, and their addresses hold other names then: a
	 * shape is found by the name's address, its content checked once
	 * after each forget.
	 */
	{
		char state_name[32];
		for (int i = 0; i < 20; i++) {
			snprintf(state_name, sizeof(state_name), "Round %d", i);
			struct sfn_event ev = noload;
			ev.state = state_name;
			write_both(&fast, &slow, &w, &ev);
			write_both(&fast, &slow, &w, &ev);
			sfn_event_writer_forget(&w);
		}
		SFN_CHECK_STR(fast.buf, slow.buf, "names changed after forget");
		sfn_strbuf_reset(&fast);
		sfn_strbuf_reset(&slow);
	}

	/*
	 * Ids: counted up from the last one's digits (with carries into a
	 * new digit), or formatted when they jump; previousEventId from the
	 * last id's digits or formatted.
	 */
	static const uint64_t ids[][2] = {
		{ 1, 0 },
		{ 2, 1 },
		{ 3, 1 },
		{ 9, 3 },
		{ 10, 9 },
		{ 11, 10 },
		{ 99, 11 },
		{ 100, 99 },
		{ 101, 7 },
		{ 999, 101 },
		{ 1000, 999 },
		{ 1001, 1000 },
		{ 5, 1001 },
		{ 6, 0 },
		{ 7, 6 },
		{ 19999, 7 },
		{ 20000, 19999 },
		{ 99999999, 20000 },
		{ 100000000, 99999999 },
		{ 4294967295u, 100000000 },
		{ 4294967296u, 4294967295u },
		{ 9223372036854775807u, 1 },
		{ 42, 9223372036854775807u },
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct sfn_event ev = noload;
		ev.id = ids[i][0];
		ev.previous_id = ids[i][1];
		write_both(&fast, &slow, &w, &ev);
	}
	SFN_CHECK_STR(fast.buf, slow.buf, "ids counted up and formatted");
	sfn_event_writer_release(&w);
	sfn_strbuf_release(&fast);
	sfn_strbuf_release(&slow);

	/* The in-memory sink keeps the same objects. */
	struct sfn_event_log log;
	sfn_event_log_init(&log);
	struct sfn_event_sink sink = sfn_event_log_sink(&log);
	sink.emit(sink.ud, &sched);
	json_t *want = sfn_event_json(&sched);
	SFN_CHECK(json_array_size(log.events) == 1 &&
			  json_equal(json_array_get(log.events, 0), want),
		  "log sink");
	json_decref(want);
	sfn_event_log_release(&log);
	json_decref(scope);
	json_decref(assigned);
	json_decref(task);
	return sfn_test_done();
}
