/*
 * Unit tests of the interpreter through its API: outcomes, and the history
 * events (types, ids, previousEventId, timestamps on the virtual clock and
 * details) that the event sink receives (sfn-features.md §2.5).
 */
#include "exec/exec.h"

#include <stdlib.h>
#include <string.h>

#include "base/test.h"

struct tcase {
	const char *name;
	const char *definition;
	const char *input;
	const char *mock; /* MockConfigFile for machine "m", test case "t" */
	const char *status;
	const char *result; /* output JSON, or "Error: Cause" */
	/* Event types, space-separated, each as Type:id<-previousEventId
	 * (or only the types, when no '<' is in it). */
	const char *events;
	/* Optional: one event's timestamp, "id=2026-01-01T00:00:02.000Z". */
	const char *stamp;
	/* Optional: a JSON Pointer into the events array and its value. */
	const char *ptr, *ptr_value;
};

static const struct tcase cases[] = {
	{ "pass-succeed",
	  "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Next\":"
	  "\"S\"},\"S\":{\"Type\":\"Succeed\"}}}",
	  "{\"a\":1}", NULL, "SUCCEEDED", "{\"a\":1}",
	  "ExecutionStarted:1<-0 PassStateEntered:2<-0 PassStateExited:3<-2 "
	  "SucceedStateEntered:4<-3 SucceedStateExited:5<-4 "
	  "ExecutionSucceeded:6<-5",
	  NULL, "/2/stateExitedEventDetails/output", "{\"a\":1}" },
	{ "retry-events-and-timing",
	  "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\","
	  "\"Resource\":\"arn:aws:states:::lambda:invoke\",\"Parameters\":{"
	  "\"FunctionName\":\"f\"},\"Retry\":[{\"ErrorEquals\":[\"E\"],"
	  "\"IntervalSeconds\":2}],\"End\":true}}}",
	  "{}",
	  "{\"StateMachines\":{\"m\":{\"TestCases\":{\"t\":{\"T\":\"R\"}}}},"
	  "\"MockedResponses\":{\"R\":{\"0\":{\"Throw\":{\"Error\":\"E\","
	  "\"Cause\":\"c\"}},\"1\":{\"Return\":{\"ok\":true}}}}}",
	  "SUCCEEDED", "{\"ok\":true}",
	  "ExecutionStarted:1<-0 TaskStateEntered:2<-0 TaskScheduled:3<-2 "
	  "TaskStarted:4<-3 TaskFailed:5<-4 TaskScheduled:6<-5 "
	  "TaskStarted:7<-6 TaskSucceeded:8<-7 TaskStateExited:9<-8 "
	  "ExecutionSucceeded:10<-9",
	  "6=2026-01-01T00:00:02.000Z", "/2/taskScheduledEventDetails/resource",
	  "\"invoke\"" },
	{ "map-sequential",
	  "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\","
	  "\"MaxConcurrency\":1,\"ItemProcessor\":{\"StartAt\":\"I\","
	  "\"States\":{\"I\":{\"Type\":\"Pass\",\"End\":true}}},\"End\":"
	  "true}}}",
	  "[1,2]", NULL, "SUCCEEDED", "[1,2]",
	  "ExecutionStarted:1<-0 MapStateEntered:2<-0 MapStateStarted:3<-2 "
	  "MapIterationStarted:4<-3 PassStateEntered:5<-4 "
	  "PassStateExited:6<-5 MapIterationSucceeded:7<-6 "
	  "MapIterationStarted:8<-7 PassStateEntered:9<-8 "
	  "PassStateExited:10<-9 MapIterationSucceeded:11<-10 "
	  "MapStateSucceeded:12<-11 MapStateExited:13<-12 "
	  "ExecutionSucceeded:14<-13",
	  NULL, "/4/x-scope", "[[\"M\",0]]" },
	/* A Map in a Parallel branch, names that JSON escapes: the
	 * iteration's events carry the path from the top. */
	{ "scope-nested-escaped",
	  "{\"StartAt\":\"P\\\"q\",\"States\":{\"P\\\"q\":{\"Type\":"
	  "\"Parallel\",\"Branches\":[{\"StartAt\":\"M\\\\\u00e9\","
	  "\"States\":{\"M\\\\\u00e9\":{\"Type\":\"Map\",\"ItemProcessor\":{"
	  "\"StartAt\":\"I\",\"States\":{\"I\":{\"Type\":\"Pass\",\"End\":"
	  "true}}},\"End\":true}}}],\"End\":true}}}",
	  "[7]", NULL, "SUCCEEDED", "[[7]]",
	  "ExecutionStarted:1<-0 ParallelStateEntered:2<-0 "
	  "ParallelStateStarted:3<-2 MapStateEntered:4<-3 "
	  "MapStateStarted:5<-4 MapIterationStarted:6<-5 "
	  "PassStateEntered:7<-6 PassStateExited:8<-7 "
	  "MapIterationSucceeded:9<-8 MapStateSucceeded:10<-9 "
	  "MapStateExited:11<-10 ParallelStateSucceeded:12<-11 "
	  "ParallelStateExited:13<-12 ExecutionSucceeded:14<-13",
	  NULL, "/6/x-scope", "[[\"P\\\"q\",0],[\"M\\\\\u00e9\",0]]" },
	{ "fail-state",
	  "{\"StartAt\":\"F\",\"States\":{\"F\":{\"Type\":\"Fail\","
	  "\"Error\":\"E\",\"Cause\":\"c\"}}}",
	  "{}", NULL, "FAILED", "E: c",
	  "ExecutionStarted:1<-0 FailStateEntered:2<-0 ExecutionFailed:3<-2",
	  NULL, "/2/executionFailedEventDetails/error", "\"E\"" },
	{ "wait-virtual-clock",
	  "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\","
	  "\"Seconds\":10,\"End\":true}}}",
	  "{}", NULL, "SUCCEEDED", "{}",
	  "ExecutionStarted:1<-0 WaitStateEntered:2<-0 WaitStateExited:3<-2 "
	  "ExecutionSucceeded:4<-3",
	  "3=2026-01-01T00:00:10.000Z", NULL, NULL },
	{ "assigned-variables",
	  "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\","
	  "\"Assign\":{\"s\":\"x\",\"n.$\":\"$.n\"},\"Next\":\"Q\"},\"Q\":{"
	  "\"Type\":\"Pass\",\"Parameters\":{\"s.$\":\"$s\"},\"End\":true}}}",
	  "{\"n\":3}", NULL, "SUCCEEDED", "{\"s\":\"x\"}",
	  "ExecutionStarted:1<-0 PassStateEntered:2<-0 PassStateExited:3<-2 "
	  "PassStateEntered:4<-3 PassStateExited:5<-4 "
	  "ExecutionSucceeded:6<-5",
	  NULL, "/2/stateExitedEventDetails/assignedVariables",
	  "{\"s\":\"\\\"x\\\"\",\"n\":\"3\"}" },
	{ "parallel-branch-fails",
	  "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\","
	  "\"Branches\":[{\"StartAt\":\"F\",\"States\":{\"F\":{\"Type\":"
	  "\"Fail\",\"Error\":\"B\",\"Cause\":\"b\"}}}],\"End\":true}}}",
	  "{}", NULL, "FAILED", "B: b",
	  "ExecutionStarted:1<-0 ParallelStateEntered:2<-0 "
	  "ParallelStateStarted:3<-2 FailStateEntered:4<-3 "
	  "ParallelStateFailed:5<-4 ExecutionFailed:6<-5",
	  NULL, NULL, NULL },
	{ "choice-default",
	  "{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Choice\","
	  "\"Choices\":[{\"Variable\":\"$.x\",\"IsPresent\":true,\"Next\":"
	  "\"Y\"}],\"Default\":\"N\"},\"Y\":{\"Type\":\"Fail\"},\"N\":{"
	  "\"Type\":\"Succeed\"}}}",
	  "{}", NULL, "SUCCEEDED", "{}",
	  "ExecutionStarted:1<-0 ChoiceStateEntered:2<-0 "
	  "ChoiceStateExited:3<-2 SucceedStateEntered:4<-3 "
	  "SucceedStateExited:5<-4 ExecutionSucceeded:6<-5",
	  NULL, NULL, NULL },
};

static double clock0(void *ud)
{
	(void)ud;
	return 0;
}

static void rnd(void *ud, void *buf, size_t n)
{
	(void)ud;
	memset(buf, 7, n);
}

static void run(const struct tcase *c)
{
	struct sfn_error err = SFN_ERROR_INIT;
	json_t *def = json_loads(c->definition, 0, NULL);
	json_t *input = json_loads(c->input, JSON_DECODE_ANY, NULL);
	json_t *mock = c->mock ? json_loads(c->mock, 0, NULL) : NULL;
	struct sfn_machine *m = sfn_machine_compile(def, &err);
	SFN_CHECK(m != NULL, "%s: compile: %s", c->name,
		  err.cause ? err.cause : "?");
	if (!m)
		goto out;
	struct sfn_event_log log;
	sfn_event_log_init(&log);
	struct sfn_event_sink sink = sfn_event_log_sink(&log);
	atomic_int cancel;
	atomic_init(&cancel, 0);
	struct sfn_task_env tenv = { .mock_config = mock,
				     .mock_test_case = "t",
				     .state_machine_name = "m",
				     .cancel = &cancel };
	struct sfn_exec_options o = {
		.input = input,
		.state_machine_name = "m",
		.execution_name = "e",
		.start_time = 1767225600.0, /* 2026-01-01T00:00:00Z */
		.time_scale = 0,
		.pinned_clock = true,
		.monotonic = clock0,
		.random = rnd,
		.task_env = &tenv,
		.sink = &sink,
	};
	struct sfn_exec *x = sfn_exec_create(m, &o);
	struct sfn_exec_result res;
	sfn_exec_run(x, &res);
	SFN_CHECK_STR(sfn_exec_status_name(res.status), c->status, c->name);
	char *got;
	if (res.status == SFN_EXEC_SUCCEEDED)
		got = sfn_json_dumps(res.output, 0);
	else
		got = sfn_xasprintf("%s: %s", res.error ? res.error : "",
				    res.cause ? res.cause : "");
	SFN_CHECK_STR(got, c->result, c->name);
	free(got);

	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	size_t i;
	json_t *ev;
	bool ids = strchr(c->events, '<') != NULL;
	json_array_foreach(log.events, i, ev) {
		const char *type =
			json_string_value(json_object_get(ev, "type"));
		if (!ids) {
			sfn_strbuf_addf(&sb, "%s%s", i ? " " : "", type);
			continue;
		}
		sfn_strbuf_addf(&sb, "%s%s:%lld<-%lld", i ? " " : "", type,
				(long long)json_integer_value(
					json_object_get(ev, "id")),
				(long long)json_integer_value(json_object_get(
					ev, "previousEventId")));
	}
	SFN_CHECK_STR(sb.buf, c->events, c->name);
	sfn_strbuf_release(&sb);
	if (c->stamp) {
		long id = strtol(c->stamp, NULL, 10);
		const char *want = strchr(c->stamp, '=') + 1;
		json_t *e = json_array_get(log.events, (size_t)id - 1);
		SFN_CHECK_STR(
			json_string_value(json_object_get(e, "timestamp")),
			want, c->name);
	}
	if (c->ptr) {
		json_t *v = sfn_pointer_get(log.events, c->ptr);
		char *s = v ? sfn_json_dumps(v, 0) : NULL;
		if (v && json_is_string(v) && c->ptr_value[0] != '"') {
			free(s);
			s = sfn_xstrdup(json_string_value(v));
		}
		SFN_CHECK_STR(s, c->ptr_value, c->name);
		free(s);
	}
	sfn_exec_result_release(&res);
	sfn_exec_free(x);
	sfn_event_log_release(&log);
	sfn_task_env_release(&tenv);
	sfn_machine_free(m);
out:
	sfn_error_release(&err);
	json_decref(def);
	json_decref(input);
	json_decref(mock);
}

/*
 * The index of the Map iteration event @ev belongs to (its "x-scope"'s
 * last step), or -1.
 */
static long long iteration_of(json_t *ev)
{
	json_t *scope = json_object_get(ev, "x-scope");
	json_t *step = json_array_get(scope, json_array_size(scope) - 1);
	json_t *i = json_array_get(step, 1);
	return json_is_integer(i) ? json_integer_value(i) : -1;
}

/*
 * Map iterations (and Parallel branches) that only compute run on one
 * thread, one after another, unless more threads are asked for; those
 * that may wait (a Wait here) are known to.
 */
static void test_threads(void)
{
	static const char *const kinds[] = { "Pass", "Wait" };
	for (int k = 0; k < 2; k++) {
		for (unsigned threads = 0; threads <= 8; threads += 8) {
			char *text = sfn_xasprintf(
				"{\"StartAt\":\"M\",\"States\":{\"M\":{"
				"\"Type\":"
				"\"Map\",\"End\":true,\"ItemProcessor\":{"
				"\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":"
				"\"Pass\",\"Next\":\"B\"},\"B\":{\"Type\":\"%"
				"s\""
				"%s,\"End\":true}}}}}}",
				kinds[k], k ? ",\"Seconds\":0" : "");
			json_t *def = json_loads(text, 0, NULL);
			struct sfn_error err = SFN_ERROR_INIT;
			struct sfn_machine *m = sfn_machine_compile(def, &err);
			SFN_CHECK(m && m->may_wait == (k == 1) &&
					  m->states[0].processor->may_wait ==
						  (k == 1),
				  "%s: may wait", kinds[k]);
			json_t *input = json_array();
			for (int i = 0; i < 400; i++)
				json_array_append_new(input, json_integer(i));
			struct sfn_event_log log;
			sfn_event_log_init(&log);
			struct sfn_event_sink sink = sfn_event_log_sink(&log);
			struct sfn_exec_options o = {
				.input = input,
				.state_machine_name = "m",
				.execution_name = "e",
				.start_time = 1767225600.0,
				.time_scale = 0,
				.pinned_clock = true,
				.monotonic = clock0,
				.random = rnd,
				.sink = &sink,
				.max_threads = threads,
			};
			struct sfn_exec *x = m ? sfn_exec_create(m, &o) : NULL;
			struct sfn_exec_result res;
			if (x) {
				sfn_exec_run(x, &res);
				SFN_CHECK(res.status == SFN_EXEC_SUCCEEDED,
					  "%s: succeeded", kinds[k]);
				sfn_exec_result_release(&res);
				sfn_exec_free(x);
			}
			/* Which iteration each event belongs to, in order:
			 * one after another is 0 0 .. 0 1 1 .. 1 2 ... */
			long long last = -1;
			size_t switches = 0, i;
			json_t *ev;
			json_array_foreach(log.events, i, ev) {
				long long it = iteration_of(ev);
				if (it >= 0 && it != last) {
					switches++;
					last = it;
				}
			}
			/* Threads interleave them when they start in time:
			 * not something to count on in a test. */
			if (k == 0 && threads == 0)
				SFN_CHECK_INT(switches, 400,
					      "computing iterations, one "
					      "after another");
			sfn_event_log_release(&log);
			sfn_machine_free(m);
			sfn_error_release(&err);
			json_decref(def);
			json_decref(input);
			free(text);
		}
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run(&cases[i]);
	test_threads();
	return sfn_test_done();
}
