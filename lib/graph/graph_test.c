/*
 * graph_test: what the golden CLI cases cannot show one at a time: ids
 * that survive renaming other states, byte-identical output, escaping of
 * every awkward character in both formats, Choice rules as expressions,
 * the overlay an execution will be drawn with, the error cases, and the
 * HTML page's data: each visit of each state from a history, and a JSON
 * block no payload can break out of.
 */
#include "graph/graph.h"
#include "graph_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/test.h"

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);
	if (!v) {
		fprintf(stderr, "bad test JSON: %s: %s\n", jerr.text, text);
		exit(2);
	}
	return v;
}

/* DOT (mermaid false) or Mermaid of @text; a new string, NULL on error. */
static char *draw(const char *text, bool mermaid,
		  const struct sfn_graph_overlay *ov)
{
	json_t *def = parse(text);
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_graph *g = sfn_graph_build(def, &err);
	json_decref(def);
	if (!g) {
		sfn_error_release(&err);
		return NULL;
	}
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	if (mermaid)
		sfn_graph_write_mermaid(g, ov, &sb);
	else
		sfn_graph_write_dot(g, ov, &sb);
	sfn_graph_free(g);
	return sfn_strbuf_detach(&sb, NULL);
}

/* The line of @out that declares node @id (its first "id[" or "id "). */
static char *node_line(const char *out, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = out; (p = strstr(p, id)); p += n) {
		bool bol = p == out || p[-1] == '\t' || p[-1] == ' ';
		if (bol && strchr(" [({", p[n])) {
			const char *e = strchr(p, '\n');
			return sfn_xstrndup(p, e ? (size_t)(e - p) : strlen(p));
		}
	}
	return NULL;
}

static void check_contains(const char *out, const char *want, const char *label)
{
	SFN_CHECK(out && strstr(out, want), "%s: no '%s' in:\n%s", label, want,
		  out ? out : "(null)");
}

static void check_lacks(const char *out, const char *want, const char *label)
{
	SFN_CHECK(out && !strstr(out, want), "%s: unexpected '%s' in:\n%s",
		  label, want, out ? out : "(null)");
}

/* ---- ids survive renaming other states ---- */

static void test_stable_ids(void)
{
	static const char *before = "{\"StartAt\":\"A\",\"States\":{"
				    "\"A\":{\"Type\":\"Pass\",\"Next\":\"B\"},"
				    "\"B\":{\"Type\":\"Pass\",\"Next\":\"C\"},"
				    "\"C\":{\"Type\":\"Succeed\"}}}";
	static const char *after = "{\"StartAt\":\"A\",\"States\":{"
				   "\"A\":{\"Type\":\"Pass\",\"Next\":\"Bee\"},"
				   "\"Bee\":{\"Type\":\"Pass\",\"Next\":\"C\"},"
				   "\"C\":{\"Type\":\"Succeed\"}}}";
	for (int fmt = 0; fmt < 2; fmt++) {
		char *x = draw(before, fmt, NULL), *y = draw(after, fmt, NULL);
		static const char *const kept[] = { "A", "C" };
		for (size_t i = 0; i < 2; i++) {
			char *id = sfn_graph_node_id(kept[i]);
			char *lx = node_line(x, id), *ly = node_line(y, id);
			SFN_CHECK(lx && ly && !strcmp(lx, ly),
				  "format %d: state %s drawn as '%s' then '%s'",
				  fmt, kept[i], lx ? lx : "(none)",
				  ly ? ly : "(none)");
			free(lx);
			free(ly);
			free(id);
		}
		char *idb = sfn_graph_node_id("B");
		check_lacks(y, idb, "renamed state's old id");
		free(idb);
		free(x);
		free(y);
	}
	/* the id is the name's letters and digits plus a hash of it */
	char *id = sfn_graph_node_id("Charge card #2");
	SFN_CHECK(!strncmp(id, "s_Charge_card_2_", 16) && strlen(id) == 24,
		  "id of 'Charge card #2': %s", id);
	char *id2 = sfn_graph_node_id("Charge card #3");
	SFN_CHECK(strcmp(id, id2) != 0, "distinct names, distinct ids");
	free(id);
	free(id2);
}

/* ---- same input, same bytes; duplicate names still get unique ids ---- */

static void test_deterministic(void)
{
	static const char *def =
		"{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\","
		"\"Branches\":["
		"{\"StartAt\":\"X\",\"States\":{\"X\":{\"Type\":\"Pass\","
		"\"End\":true}}},"
		"{\"StartAt\":\"X\",\"States\":{\"X\":{\"Type\":\"Pass\","
		"\"End\":true}}}],\"End\":true}}}";
	for (int fmt = 0; fmt < 2; fmt++) {
		char *a = draw(def, fmt, NULL), *b = draw(def, fmt, NULL);
		SFN_CHECK(a && b && !strcmp(a, b), "format %d differs", fmt);
		char *id = sfn_graph_node_id("X");
		char *twin = sfn_xasprintf("%s_2", id);
		check_contains(a, twin, "second 'X' gets its own id");
		free(twin);
		free(id);
		free(a);
		free(b);
	}
}

/* ---- escaping: state names that would break either format ---- */

static const struct {
	const char *name; /* as JSON string content */
	const char *dot;  /* expected in the DOT label */
	const char *mmd;  /* expected in the Mermaid label */
} escapes[] = {
	{ "a\\\"b", "a\\\"b", "a#34;b" },
	{ "back\\\\slash", "back\\\\slash", "back\\slash" },
	{ "two\\nlines", "two\\nlines", "two<br>lines" },
	{ "tab\\there", "tab here", "tab here" },
	{ "#1 %x", "#1 %x", "#35;1 #37;x" },
	{ "<b>&</b>", "<b>&</b>", "#60;b#62;#38;#60;/b#62;" },
	{ "a|b `c`", "a|b `c`", "a#124;b #96;c#96;" },
	{ "[x] {y} (z);", "[x] {y} (z);", "[x] {y} (z);" },
	{ "日本語 ✓ 🚀", "日本語 ✓ 🚀", "日本語 ✓ 🚀" },
	{ "end", "\"end\"", "\"end\"" },
};

static void test_escaping(void)
{
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		char *def = sfn_xasprintf(
			"{\"StartAt\":\"%s\",\"States\":{\"%s\":{\"Type\":"
			"\"Succeed\"}}}",
			escapes[i].name, escapes[i].name);
		char *dot = draw(def, false, NULL);
		char *mmd = draw(def, true, NULL);
		char *label = sfn_xasprintf("escape case %zu", i);
		check_contains(dot, escapes[i].dot, label);
		check_contains(mmd, escapes[i].mmd, label);
		/* no raw line break inside a label: each line is whole */
		for (const char *p = mmd; p && *p; p = strchr(p, '\n') + 1) {
			const char *e = strchr(p, '\n');
			size_t q = 0;
			for (const char *c = p; c < e; c++)
				q += *c == '"';
			SFN_CHECK(q % 2 == 0, "%s: unbalanced quotes: %.*s",
				  label, (int)(e - p), p);
			if (!e[1])
				break;
		}
		free(label);
		free(dot);
		free(mmd);
		free(def);
	}
}

/* ---- Choice rules read as expressions ---- */

static const struct {
	const char *rule; /* a Choice rule without Next */
	const char *want; /* its edge label in DOT */
} rules[] = {
	{ "{\"Variable\":\"$.total\",\"NumericGreaterThan\":100}",
	  "$.total > 100" },
	{ "{\"Variable\":\"$.x\",\"StringEquals\":\"a\"}", "$.x == \\\"a\\\"" },
	{ "{\"Variable\":\"$.x\",\"StringLessThanEqualsPath\":\"$.y\"}",
	  "$.x <= $.y" },
	{ "{\"Variable\":\"$.f\",\"StringMatches\":\"*.log\"}",
	  "$.f matches \\\"*.log\\\"" },
	{ "{\"Variable\":\"$.b\",\"BooleanEquals\":false}", "$.b == false" },
	{ "{\"Variable\":\"$.t\",\"TimestampGreaterThan\":\"2026-01-01T00:00:"
	  "00Z\"}",
	  "$.t after \\\"2026-01-01T00:00:00Z\\\"" },
	{ "{\"Variable\":\"$.y\",\"IsPresent\":true}", "IsPresent($.y)" },
	{ "{\"Variable\":\"$.y\",\"IsNull\":false}", "not IsNull($.y)" },
	{ "{\"And\":[{\"Variable\":\"$.a\",\"NumericEquals\":1},"
	  "{\"Or\":[{\"Variable\":\"$.b\",\"NumericEquals\":2},"
	  "{\"Variable\":\"$.c\",\"NumericEquals\":3}]}]}",
	  "$.a == 1 and ($.b == 2 or $.c == 3)" },
	{ "{\"Not\":{\"Variable\":\"$.a\",\"NumericLessThan\":0.5}}",
	  "not ($.a < 0.5)" },
	{ "{\"Not\":{\"Variable\":\"$.a\",\"IsString\":true}}",
	  "not IsString($.a)" },
	{ "{\"Condition\":\"{%  $states.input.n > 1  %}\"}",
	  "$states.input.n > 1" },
	{ "{\"Condition\":true}", "label=\"true\"" },
	{ "{\"Variable\":\"$.a\",\"FrobEquals\":1}", "$.a FrobEquals 1" },
};

static void test_rules(void)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		char *body = sfn_xstrdup(rules[i].rule);
		body[strlen(body) - 1] = '\0'; /* reopen it to add Next */
		char *def = sfn_xasprintf(
			"{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":"
			"\"Choice\",\"Choices\":[%s,\"Next\":\"D\"}]},"
			"\"D\":{\"Type\":\"Succeed\"}}}",
			body);
		char *dot = draw(def, false, NULL);
		char *label = sfn_xasprintf("rule %zu", i);
		check_contains(dot, rules[i].want, label);
		free(label);
		free(dot);
		free(def);
		free(body);
	}
}

/* ---- long labels are cut on a code point, with an ellipsis ---- */

static void test_cut(void)
{
	struct sfn_strbuf name = SFN_STRBUF_INIT;
	for (int i = 0; i < 150; i++)
		sfn_strbuf_adds(&name, "\xc3\xa9\xe2\x9c\x93"); /* é✓ */
	char *def = sfn_xasprintf(
		"{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Choice\","
		"\"Choices\":[{\"Variable\":\"$.x\",\"StringEquals\":\"%s\","
		"\"Next\":\"D\"}]},\"D\":{\"Type\":\"Succeed\"}}}",
		name.buf);
	for (int fmt = 0; fmt < 2; fmt++) {
		char *out = draw(def, fmt, NULL);
		SFN_CHECK(out && sfn_utf8_valid(out, strlen(out)),
			  "format %d: output is not valid UTF-8", fmt);
		check_contains(out, "\xe2\x80\xa6", "ellipsis");
		free(out);
	}
	free(def);
	sfn_strbuf_release(&name);
}

/* ---- overlay: how an execution will be drawn ---- */

static void test_overlay(void)
{
	static const char *def =
		"{\"StartAt\":\"A\",\"States\":{"
		"\"A\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::sns:"
		"publish\",\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],"
		"\"Next\":\"Caught\"}],\"Next\":\"B\"},"
		"\"B\":{\"Type\":\"Pass\",\"End\":true},"
		"\"Caught\":{\"Type\":\"Fail\"}}}";
	static const struct sfn_graph_mark marks[] = {
		{ .state = "A",
		  .status = SFN_GRAPH_CAUGHT,
		  .retries = 2,
		  .note = "SNS.Throttled" },
		{ .state = "Caught", .status = SFN_GRAPH_FAILED, .redrive = 1 },
	};
	static const struct sfn_graph_step path[] = {
		{ NULL, "A" },
		{ "A", "Caught" },
	};
	const struct sfn_graph_overlay ov = { marks, 2, path, 2 };
	char *dot = draw(def, false, &ov);
	char *a = sfn_graph_node_id("A"), *b = sfn_graph_node_id("B");
	char *caught = sfn_graph_node_id("Caught");
	char *la = node_line(dot, a), *lb = node_line(dot, b);
	char *lc = node_line(dot, caught);
	check_contains(la, "retried 2 times\\nSNS.Throttled", "A's label");
	check_contains(la, "fillcolor=\"#ffe0b2\"", "A caught");
	check_contains(lb, "fontcolor=\"#9e9e9e\"", "B not reached");
	check_contains(lc, "redrive #1", "Caught's label");
	check_contains(lc, "fillcolor=\"#ffcdd2\"", "Caught failed");
	char *start_edge = sfn_xasprintf("sfn_start -> %s [penwidth=3", a);
	check_contains(dot, start_edge, "start edge taken");
	char *not_taken = sfn_xasprintf("%s -> %s;", a, b);
	check_contains(dot, not_taken, "A -> B not taken, plain");
	char *mmd = draw(def, true, &ov);
	check_contains(mmd, ":::caught", "mermaid caught");
	check_contains(mmd, ":::notreached", "mermaid not reached");
	char *thick = sfn_xasprintf("sfn_start ==> %s", a);
	check_contains(mmd, thick, "mermaid start edge taken");
	check_contains(mmd, "linkStyle 0,2 stroke:#1565c0", "taken styled");
	/* no overlay: none of it */
	char *plain = draw(def, false, NULL);
	check_lacks(plain, "retried", "plain graph");
	check_lacks(plain, "penwidth=3", "plain graph");
	free(plain);
	free(thick);
	free(mmd);
	free(not_taken);
	free(start_edge);
	free(la);
	free(lb);
	free(lc);
	free(a);
	free(b);
	free(caught);
	free(dot);
}

/* ---- what cannot be drawn ---- */

static void test_errors(void)
{
	struct sfn_error err = SFN_ERROR_INIT;
	json_t *v = parse("{\"StartAt\":\"A\"}");
	SFN_CHECK(!sfn_graph_build(v, &err), "no States builds");
	SFN_CHECK_STR(err.name, "SFN_NOT_ASL", "no States: error name");
	sfn_error_release(&err);
	json_decref(v);

	/* Parallel in Parallel 100 deep: a clean error, not a crash */
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	for (int i = 0; i < 100; i++)
		sfn_strbuf_adds(&sb, "{\"StartAt\":\"P\",\"States\":{\"P\":{"
				     "\"Type\":\"Parallel\",\"End\":true,"
				     "\"Branches\":[");
	sfn_strbuf_adds(&sb, "{\"StartAt\":\"X\",\"States\":{\"X\":{\"Type\":"
			     "\"Succeed\"}}}");
	for (int i = 0; i < 100; i++)
		sfn_strbuf_adds(&sb, "]}}}");
	v = parse(sb.buf);
	SFN_CHECK(!sfn_graph_build(v, &err), "100 levels deep builds");
	SFN_CHECK_STR(err.name, "SFN_NOT_ASL", "too deep: error name");
	sfn_error_release(&err);
	json_decref(v);
	sfn_strbuf_release(&sb);

	SFN_CHECK_INT(sfn_graph_format_parse("mermaid"), SFN_GRAPH_MERMAID,
		      "format mermaid");
	SFN_CHECK_INT(sfn_graph_format_parse("pdf"), -1, "format pdf");
}

/* ---- the HTML page: visits from a history, the data block ---- */

/* "state@where=status/retries/error/cause" per visit, "; "-joined. */
static char *visits_summary(const json_t *visits)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(visits, i, v) {
		const char *where =
			json_string_value(json_object_get(v, "where"));
		const char *error =
			json_string_value(json_object_get(v, "error"));
		const char *cause =
			json_string_value(json_object_get(v, "cause"));
		sfn_strbuf_addf(
			&sb, "%s%s%s%s=%s", i ? "; " : "",
			json_string_value(json_object_get(v, "state")),
			where && *where ? "@" : "", where ? where : "",
			json_string_value(json_object_get(v, "status")));
		json_int_t r =
			json_integer_value(json_object_get(v, "retries"));
		json_int_t a =
			json_integer_value(json_object_get(v, "attempt"));
		if (r)
			sfn_strbuf_addf(&sb, "/r%" JSON_INTEGER_FORMAT, r);
		if (a)
			sfn_strbuf_addf(&sb, "/a%" JSON_INTEGER_FORMAT, a);
		if (error)
			sfn_strbuf_addf(&sb, "/%s", error);
		if (cause)
			sfn_strbuf_addf(&sb, "/%s", cause);
	}
	return sfn_strbuf_detach(&sb, NULL);
}

/* Shorthands for history events. */
#define EV(type, scope, details)                                               \
	"{\"type\":\"" type "\",\"x-scope\":" scope                            \
	",\"xEventDetails\":" details "}"
#define TOP	  "[]"
#define IN(name)  "{\"name\":\"" name "\"}"
#define ERR(e, c) "{\"error\":\"" e "\",\"cause\":\"" c "\"}"

static void test_visits(void)
{
	static const char def[] =
		"{\"StartAt\":\"M\",\"States\":{"
		"\"M\":{\"Type\":\"Map\",\"Next\":\"P\",\"ItemProcessor\":{"
		"\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\","
		"\"Resource\":\"x\",\"End\":true}}}},"
		"\"P\":{\"Type\":\"Parallel\",\"Next\":\"A\",\"Branches\":["
		"{\"StartAt\":\"B0\",\"States\":{\"B0\":{\"Type\":\"Pass\","
		"\"End\":true}}},"
		"{\"StartAt\":\"B1\",\"States\":{\"B1\":{\"Type\":\"Task\","
		"\"Resource\":\"x\",\"End\":true}}}]},"
		"\"A\":{\"Type\":\"Task\",\"Resource\":\"x\",\"Next\":\"F\"},"
		"\"F\":{\"Type\":\"Fail\"}}}";
	/* clang-format off */
	static const struct {
		const char *name, *events, *unfinished, *want;
	} cases[] = {
		{ "in and out",
		  "[" EV("TaskStateEntered", TOP, IN("A")) ","
		      EV("TaskStateExited", TOP, IN("A")) "]",
		  "running", "A=succeeded" },
		{ "a retry, then success",
		  "[" EV("TaskStateEntered", TOP, IN("A")) ","
		      EV("TaskScheduled", TOP, "{}") ","
		      EV("TaskFailed", TOP, ERR("E1", "c1")) ","
		      EV("TaskScheduled", TOP, "{}") ","
		      EV("TaskSucceeded", TOP, "{}") ","
		      EV("TaskStateExited", TOP, IN("A")) "]",
		  "running", "A=succeeded/r1/E1/c1" },
		{ "caught: exits after a failure",
		  "[" EV("TaskStateEntered", TOP, IN("A")) ","
		      EV("TaskFailed", TOP, ERR("E", "why")) ","
		      EV("TaskStateExited", TOP, IN("A")) ","
		      EV("FailStateEntered", TOP, IN("F")) ","
		      EV("ExecutionFailed", TOP, ERR("Boom", "bad")) "]",
		  "running", "A=caught/E/why; F=failed/Boom/bad" },
		{ "uncaught: the Task's own last error wins",
		  "[" EV("TaskStateEntered", TOP, IN("A")) ","
		      EV("TaskScheduled", TOP, "{}") ","
		      EV("TaskFailed", TOP, ERR("E1", "first")) ","
		      EV("TaskScheduled", TOP, "{}") ","
		      EV("TaskTimedOut", TOP, "{\"error\":\"States.Timeout\"}") ","
		      EV("ExecutionFailed", TOP, ERR("X", "y")) "]",
		  "running", "A=failed/r1/States.Timeout" },
		{ "Map iterations, one failed and tolerated",
		  "[" EV("MapStateEntered", TOP, IN("M")) ","
		      EV("MapIterationStarted", "[[\"M\",0]]", IN("M")) ","
		      EV("TaskStateEntered", "[[\"M\",0]]", IN("T")) ","
		      EV("TaskFailed", "[[\"M\",0]]", ERR("E", "c")) ","
		      EV("MapIterationFailed", "[[\"M\",0]]", IN("M")) ","
		      EV("MapIterationStarted", "[[\"M\",1]]", IN("M")) ","
		      EV("TaskStateEntered", "[[\"M\",1]]", IN("T")) ","
		      EV("TaskStateExited", "[[\"M\",1]]", IN("T")) ","
		      EV("MapIterationSucceeded", "[[\"M\",1]]", IN("M")) ","
		      EV("MapStateExited", TOP, IN("M")) "]",
		  "running",
		  "M=succeeded; T@M: iteration 0=failed/E/c; "
		  "T@M: iteration 1=succeeded" },
		{ "a Parallel branch fails into the Parallel's Catch",
		  "[" EV("ParallelStateEntered", TOP, IN("P")) ","
		      EV("PassStateEntered", "[[\"P\",0]]", IN("B0")) ","
		      EV("TaskStateEntered", "[[\"P\",1]]", IN("B1")) ","
		      EV("TaskFailed", "[[\"P\",1]]", ERR("E", "c")) ","
		      EV("PassStateAborted", "[[\"P\",0]]", IN("B0")) ","
		      EV("ParallelStateFailed", TOP, "{}") ","
		      EV("ParallelStateExited", TOP, IN("P")) "]",
		  "running",
		  "P=caught; B0@P: branch 1=aborted; B1@P: branch 2=failed/E/c" },
		{ "a failed Parallel takes the execution's error",
		  "[" EV("ParallelStateEntered", TOP, IN("P")) ","
		      EV("TaskStateEntered", "[[\"P\",1]]", IN("B1")) ","
		      EV("TaskFailed", "[[\"P\",1]]", ERR("E", "c")) ","
		      EV("ParallelStateFailed", TOP, "{}") ","
		      EV("ExecutionFailed", TOP, ERR("E", "c")) "]",
		  "running", "P=failed/E/c; B1@P: branch 2=failed/E/c" },
		{ "a redrive enters the state anew",
		  "[" EV("TaskStateEntered", TOP, IN("A")) ","
		      EV("ExecutionFailed", TOP, ERR("E", "c")) ","
		      EV("ExecutionRedriven", TOP, "{}") ","
		      EV("TaskStateEntered", TOP, IN("A")) ","
		      EV("TaskStateExited", TOP, IN("A")) ","
		      EV("ExecutionSucceeded", TOP, "{}") "]",
		  "running", "A=failed/E/c; A=succeeded/a1" },
		{ "still running",
		  "[" EV("TaskStateEntered", TOP, IN("A")) ","
		      EV("TaskScheduled", TOP, "{}") "]",
		  "running", "A=running" },
		{ "its process died",
		  "[" EV("TaskStateEntered", TOP, IN("A")) "]",
		  "aborted", "A=aborted" },
		{ "events without a state or type are skipped",
		  "[{}," EV("TaskScheduled", TOP, "{}") ","
		      EV("TaskStateExited", TOP, IN("A")) "]",
		  "running", "" },
	};
	/* clang-format on */
	json_t *d = parse(def);
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_graph *g = sfn_graph_build(d, &err);
	SFN_CHECK(g != NULL, "visits: the definition builds");
	for (size_t i = 0; g && i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *events = parse(cases[i].events);
		json_t *v = graph_visits(events, g, cases[i].unfinished);
		char *got = visits_summary(v);
		SFN_CHECK_STR(got, cases[i].want, cases[i].name);
		free(got);
		json_decref(v);
		json_decref(events);
	}

	/* indexes: entered, exited, events (the closing ExecutionFailed
	 * too), and the Map's own iteration events */
	/* clang-format off */
	json_t *events = parse(
		"[" EV("ExecutionStarted", TOP, "{}") ","
		    EV("MapStateEntered", TOP, IN("M")) ","
		    EV("MapIterationStarted", "[[\"M\",0]]", IN("M")) ","
		    EV("TaskStateEntered", "[[\"M\",0]]", IN("T")) ","
		    EV("TaskFailed", "[[\"M\",0]]", ERR("E", "c")) ","
		    EV("MapIterationFailed", "[[\"M\",0]]", IN("M")) ","
		    EV("MapStateFailed", TOP, "{}") ","
		    EV("ExecutionFailed", TOP,
		       ERR("States.ExceedToleratedFailureThreshold", "x")) "]");
	/* clang-format on */
	json_t *v = graph_visits(events, g, "running");
	char *m = sfn_json_dumps(json_array_get(v, 0), 0);
	SFN_CHECK_STR(m,
		      "{\"state\":\"M\",\"scope\":[],\"where\":\"\","
		      "\"attempt\":0,\"status\":\"failed\",\"entered\":1,"
		      "\"exited\":null,\"retries\":0,\"events\":[1,2,5,6,7],"
		      "\"error\":\"States.ExceedToleratedFailureThreshold\","
		      "\"cause\":\"x\"}",
		      "the Map's visit");
	char *t = sfn_json_dumps(
		json_object_get(json_array_get(v, 1), "events"), 0);
	SFN_CHECK_STR(t, "[3,4]", "the iteration's Task's events");
	free(m);
	free(t);
	json_decref(v);
	json_decref(events);
	sfn_graph_free(g);
	json_decref(d);
}

static void test_script_json(void)
{
	/* every way out of a <script> element, in a key and in values */
	json_t *v = parse("{\"</script>\":[\"</script><script>alert(1)"
			  "</script>\",\"<!-- <script>\",\"a & b > c\","
			  "\"\\u2028\\u2029\",\"caf\\u00e9\"]}");
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	graph_add_script_json(&sb, v);
	SFN_CHECK(!strpbrk(sb.buf, "<>&"), "no < > & left: %s", sb.buf);
	SFN_CHECK(!strstr(sb.buf, "\xe2\x80\xa8") &&
			  !strstr(sb.buf, "\xe2\x80\xa9"),
		  "no raw U+2028/2029: %s", sb.buf);
	SFN_CHECK(strstr(sb.buf, "caf\xc3\xa9") != NULL,
		  "other UTF-8 stays: %s", sb.buf);
	json_t *back = parse(sb.buf);
	SFN_CHECK(sfn_json_equal(back, v), "parses back to the same value");
	json_decref(back);
	sfn_strbuf_release(&sb);
	json_decref(v);
}

static void test_page(void)
{
	json_t *def = parse(
		"{\"Comment\":\"a <b>\",\"StartAt\":\"P\",\"States\":{"
		"\"P\":{\"Type\":\"Parallel\",\"End\":true,\"Branches\":["
		"{\"StartAt\":\"In </script>\",\"States\":{\"In </script>\":"
		"{\"Type\":\"Pass\",\"End\":true}}}]}}}");
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_graph *g = sfn_graph_build(def, &err);
	/* clang-format off */
	json_t *events = parse(
		"[" EV("ParallelStateEntered", TOP, IN("P")) ","
		    EV("PassStateEntered", "[[\"P\",0]]", IN("In </script>")) "]");
	/* clang-format on */
	struct sfn_graph_execution x = { events, NULL, false, false };
	json_t *data = graph_page_data(g, NULL, def, &x);
	json_t *in = json_object_get(json_object_get(data, "states"),
				     "In </script>");
	char *id = sfn_graph_node_id("In </script>");
	SFN_CHECK_STR(json_string_value(json_object_get(in, "id")), id,
		      "a nested state maps to its node id");
	SFN_CHECK_STR(json_string_value(json_object_get(in, "parent")), "P",
		      "a nested state knows its Parallel");
	json_t *visits =
		json_object_get(json_object_get(data, "execution"), "visits");
	SFN_CHECK_STR(json_string_value(json_object_get(
			      json_array_get(visits, 1), "where")),
		      "P: branch 1", "the branch's visit (counted from 1)");
	json_decref(data);
	if (sfn_graph_have_graphviz()) {
		struct sfn_strbuf sb = SFN_STRBUF_INIT;
		SFN_CHECK(sfn_graph_write_page(g, NULL, def, &x, "t</title>",
					       &sb, &err) == 0,
			  "the page renders");
		size_t scripts = 0, ends = 0;
		for (const char *p = sb.buf; (p = strstr(p, "<script")); p++)
			scripts++;
		for (const char *p = sb.buf; (p = strstr(p, "</script")); p++)
			ends++;
		SFN_CHECK_INT(scripts, 2, "two <script> elements");
		SFN_CHECK_INT(ends, 2, "two </script>: no payload closes one");
		char *node = sfn_xasprintf("<g id=\"%s\" class=\"node\">", id);
		SFN_CHECK(strstr(sb.buf, node) != NULL,
			  "the SVG node carries the stable id %s", id);
		SFN_CHECK(strstr(sb.buf, "<title>t&lt;/title&gt;</title>") !=
				  NULL,
			  "the title is escaped");
		free(node);
		sfn_strbuf_release(&sb);
	}
	sfn_error_release(&err);
	free(id);
	json_decref(events);
	sfn_graph_free(g);
	json_decref(def);
}

/* The note of @state in @ov, or NULL. */
static const char *note_of(const struct sfn_graph_overlay *ov,
			   const char *state)
{
	for (size_t i = 0; i < ov->n_marks; i++)
		if (!strcmp(ov->marks[i].state, state))
			return ov->marks[i].note;
	return NULL;
}

/*
 * A Parallel's branches counted by outcome from the events of their scope,
 * per visit: a branch whose state stays open failed, one with an aborted
 * state was aborted; a visit still running counts only what finished.
 */
static void test_branch_counts(void)
{
	static const char *hist =
		"["
		"{\"type\":\"ParallelStateEntered\","
		"\"stateEnteredEventDetails\":"
		"{\"name\":\"P\"}},"
		"{\"type\":\"ParallelStateStarted\"},"
		/* branch 0 succeeds, in two states */
		"{\"type\":\"PassStateEntered\",\"stateEnteredEventDetails\":"
		"{\"name\":\"A\"},\"x-scope\":[[\"P\",0]]},"
		"{\"type\":\"PassStateExited\",\"stateExitedEventDetails\":"
		"{\"name\":\"A\"},\"x-scope\":[[\"P\",0]]},"
		"{\"type\":\"SucceedStateEntered\","
		"\"stateEnteredEventDetails\":"
		"{\"name\":\"A2\"},\"x-scope\":[[\"P\",0]]},"
		"{\"type\":\"SucceedStateExited\",\"stateExitedEventDetails\":"
		"{\"name\":\"A2\"},\"x-scope\":[[\"P\",0]]},"
		/* branch 1 fails in a Task */
		"{\"type\":\"TaskStateEntered\",\"stateEnteredEventDetails\":"
		"{\"name\":\"B\"},\"x-scope\":[[\"P\",1]]},"
		"{\"type\":\"TaskFailed\",\"taskFailedEventDetails\":"
		"{\"error\":\"E\"},\"x-scope\":[[\"P\",1]]},"
		/* branch 2 is cut short */
		"{\"type\":\"TaskStateEntered\",\"stateEnteredEventDetails\":"
		"{\"name\":\"C\"},\"x-scope\":[[\"P\",2]]},"
		"{\"type\":\"TaskStateAborted\",\"x-scope\":[[\"P\",2]]},"
		"{\"type\":\"ParallelStateFailed\"},"
		/* a Map inside: counted by its own events, not as branches */
		"{\"type\":\"MapStateEntered\",\"stateEnteredEventDetails\":"
		"{\"name\":\"M\"}},"
		"{\"type\":\"MapIterationStarted\","
		"\"mapIterationStartedEventDetails\":"
		"{\"name\":\"M\",\"index\":0},\"x-scope\":[[\"M\",0]]},"
		"{\"type\":\"PassStateEntered\",\"stateEnteredEventDetails\":"
		"{\"name\":\"D\"},\"x-scope\":[[\"M\",0]]},"
		"{\"type\":\"PassStateExited\",\"stateExitedEventDetails\":"
		"{\"name\":\"D\"},\"x-scope\":[[\"M\",0]]},"
		"{\"type\":\"MapIterationSucceeded\","
		"\"mapIterationSucceededEventDetails\":"
		"{\"name\":\"M\",\"index\":0},\"x-scope\":[[\"M\",0]]},"
		"{\"type\":\"MapStateSucceeded\"},"
		"{\"type\":\"MapStateExited\",\"stateExitedEventDetails\":"
		"{\"name\":\"M\"}},"
		/* Q, still running: one branch done, one open */
		"{\"type\":\"ParallelStateEntered\","
		"\"stateEnteredEventDetails\":"
		"{\"name\":\"Q\"}},"
		"{\"type\":\"PassStateEntered\",\"stateEnteredEventDetails\":"
		"{\"name\":\"E\"},\"x-scope\":[[\"Q\",0]]},"
		"{\"type\":\"PassStateExited\",\"stateExitedEventDetails\":"
		"{\"name\":\"E\"},\"x-scope\":[[\"Q\",0]]},"
		"{\"type\":\"WaitStateEntered\",\"stateEnteredEventDetails\":"
		"{\"name\":\"F\"},\"x-scope\":[[\"Q\",1]]}"
		"]";
	json_t *events = json_loads(hist, 0, NULL);
	SFN_CHECK(events != NULL, "branch history parses");
	struct sfn_graph_overlay *ov =
		sfn_graph_overlay_from_history(events, false);
	const char *p = note_of(ov, "P"), *m = note_of(ov, "M");
	const char *q = note_of(ov, "Q");
	SFN_CHECK_STR(p, "1 succeeded, 1 failed, 1 aborted", "P's branches");
	SFN_CHECK_STR(m, "1 succeeded, 0 failed, 0 aborted", "M's iterations");
	SFN_CHECK_STR(q, "1 succeeded, 0 failed, 0 aborted",
		      "Q running: the open branch not counted");
	sfn_graph_overlay_free(ov);
	/* The same history of a finished execution: Q's open branch failed. */
	ov = sfn_graph_overlay_from_history(events, true);
	SFN_CHECK_STR(note_of(ov, "Q"), "1 succeeded, 1 failed, 0 aborted",
		      "Q ended: the open branch failed");
	sfn_graph_overlay_free(ov);
	json_decref(events);
}

int main(void)
{
	sfn_alloc_init();
	test_stable_ids();
	test_deterministic();
	test_escaping();
	test_rules();
	test_cut();
	test_overlay();
	test_branch_counts();
	test_errors();
	test_visits();
	test_script_json();
	test_page();
	return sfn_test_done();
}
