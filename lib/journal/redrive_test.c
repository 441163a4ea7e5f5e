#include "journal/journal.h"

#include <stdlib.h>
#include <string.h>

#include "base/test.h"

static const char header[] =
	"{\"x-journal\":\"sfn/1\",\"execution\":{\"name\":\"r\",\"type\":"
	"\"STANDARD\",\"startDate\":\"2026-01-01T00:00:00.000Z\",\"input\":"
	"\"{\\\"n\\\":1}\"}}";

/* A journal from one event per line: "TYPE scope name {details}". */
static const struct {
	const char *what;
	const char *events; /* JSON array of events */
	const char *state;  /* expected resume state, NULL: from StartAt */
	const char *input;
	const char *variables;
	const char *replay; /* keys, '|'-separated, with \x1f as '/' */
	const char *invocations;
	const char *refused; /* expected reason */
} cases[] = {
	{ "a failed top-level Task re-runs, with its counter kept",
	  "[{\"id\":1,\"type\":\"ExecutionStarted\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\"},"
	  "{\"id\":2,\"type\":\"TaskStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateEnteredEventDetails\":{\"name\":"
	  "\"Charge\",\"input\":\"{\\\"a\\\":2}\"}},"
	  "{\"id\":3,\"type\":\"TaskScheduled\",\"timestamp\":\"2026-01-01T00:"
	  "00:00.000Z\"},"
	  "{\"id\":4,\"type\":\"TaskFailed\",\"timestamp\":\"2026-01-01T00:00:"
	  "00.000Z\",\"taskFailedEventDetails\":{\"error\":\"X\"}},"
	  "{\"id\":5,\"type\":\"ExecutionFailed\",\"timestamp\":\"2026-01-"
	  "01T00:00:01.000Z\"}]",
	  "Charge", "{\"a\":2}", "{}", "", "{\"Charge\":1}", NULL },
	{ "variables assigned before the open state come back",
	  "[{\"id\":1,\"type\":\"ExecutionStarted\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\"},"
	  "{\"id\":2,\"type\":\"PassStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateEnteredEventDetails\":{\"name\":\"Set\","
	  "\"input\":\"{}\"}},"
	  "{\"id\":3,\"type\":\"PassStateExited\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateExitedEventDetails\":{\"name\":\"Set\","
	  "\"output\":\"{}\",\"assignedVariables\":{\"x\":\"1\",\"y\":\"[true]"
	  "\"}}},"
	  "{\"id\":4,\"type\":\"FailStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateEnteredEventDetails\":{\"name\":\"Stop\","
	  "\"input\":\"{}\"}},"
	  "{\"id\":5,\"type\":\"ExecutionFailed\",\"timestamp\":\"2026-01-"
	  "01T00:00:01.000Z\"}]",
	  "Stop", "{}", "{\"x\":1,\"y\":[true]}", "", "{}", NULL },
	{ "a Parallel keeps its succeeded branch's Task result",
	  "[{\"id\":1,\"type\":\"ExecutionStarted\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\"},"
	  "{\"id\":2,\"type\":\"ParallelStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateEnteredEventDetails\":{\"name\":\"Both\","
	  "\"input\":\"{}\"}},"
	  "{\"id\":3,\"type\":\"TaskStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateEnteredEventDetails\":{\"name\":\"A\","
	  "\"input\":\"{}\"},\"x-scope\":[[\"Both\",0]]},"
	  "{\"id\":4,\"type\":\"TaskStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateEnteredEventDetails\":{\"name\":\"B\","
	  "\"input\":\"{}\"},\"x-scope\":[[\"Both\",1]]},"
	  "{\"id\":5,\"type\":\"TaskScheduled\",\"timestamp\":\"2026-01-01T00:"
	  "00:00.000Z\",\"x-scope\":[[\"Both\",0]]},"
	  "{\"id\":6,\"type\":\"TaskScheduled\",\"timestamp\":\"2026-01-01T00:"
	  "00:00.000Z\",\"x-scope\":[[\"Both\",1]]},"
	  "{\"id\":7,\"type\":\"TaskSucceeded\",\"timestamp\":\"2026-01-01T00:"
	  "00:00.000Z\",\"taskSucceededEventDetails\":{\"output\":\"{"
	  "\\\"ok\\\":1}\"},\"x-scope\":[[\"Both\",0]]},"
	  "{\"id\":8,\"type\":\"TaskFailed\",\"timestamp\":\"2026-01-01T00:00:"
	  "00.000Z\",\"taskFailedEventDetails\":{\"error\":\"E\"},\"x-scope\":["
	  "[\"Both\",1]]},"
	  "{\"id\":9,\"type\":\"ExecutionFailed\",\"timestamp\":\"2026-01-"
	  "01T00:00:01.000Z\"}]",
	  "Both", "{}", "{}", "A/[[\"Both\",0]]/0", "{\"A\":1,\"B\":1}", NULL },
	{ "a Parallel whose output passed the size limit re-runs whole",
	  "[{\"id\":1,\"type\":\"ExecutionStarted\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\"},"
	  "{\"id\":2,\"type\":\"ParallelStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateEnteredEventDetails\":{\"name\":\"Both\","
	  "\"input\":\"{}\"}},"
	  "{\"id\":3,\"type\":\"TaskStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateEnteredEventDetails\":{\"name\":\"A\","
	  "\"input\":\"{}\"},\"x-scope\":[[\"Both\",0]]},"
	  "{\"id\":4,\"type\":\"TaskScheduled\",\"timestamp\":\"2026-01-01T00:"
	  "00:00.000Z\",\"x-scope\":[[\"Both\",0]]},"
	  "{\"id\":5,\"type\":\"TaskSucceeded\",\"timestamp\":\"2026-01-01T00:"
	  "00:00.000Z\",\"taskSucceededEventDetails\":{\"output\":\"{"
	  "\\\"ok\\\":1}\"},\"x-scope\":[[\"Both\",0]]},"
	  "{\"id\":6,\"type\":\"ParallelStateSucceeded\",\"timestamp\":"
	  "\"2026-01-01T00:00:00.000Z\"},"
	  "{\"id\":7,\"type\":\"ExecutionFailed\",\"timestamp\":\"2026-01-"
	  "01T00:00:01.000Z\",\"executionFailedEventDetails\":{\"error\":"
	  "\"States.DataLimitExceeded\"}}]",
	  "Both", "{}", "{}", "", "{\"A\":1}", NULL },
	{ "a process that died keeps its open Task's journaled result",
	  "[{\"id\":1,\"type\":\"ExecutionStarted\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\"},"
	  "{\"id\":2,\"type\":\"TaskStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateEnteredEventDetails\":{\"name\":"
	  "\"Charge\",\"input\":\"{}\"}},"
	  "{\"id\":3,\"type\":\"TaskScheduled\",\"timestamp\":\"2026-01-01T00:"
	  "00:00.000Z\"},"
	  "{\"id\":4,\"type\":\"TaskSucceeded\",\"timestamp\":\"2026-01-01T00:"
	  "00:00.000Z\",\"taskSucceededEventDetails\":{\"output\":\"7\"}}]",
	  "Charge", "{}", "{}", "Charge/[]/0", "{\"Charge\":1}", NULL },
	{ "a loop resumes at the last entry, counting entries from there",
	  "[{\"id\":1,\"type\":\"ExecutionStarted\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\"},"
	  "{\"id\":2,\"type\":\"TaskStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateEnteredEventDetails\":{\"name\":\"Step\","
	  "\"input\":\"{\\\"i\\\":0}\"}},"
	  "{\"id\":3,\"type\":\"TaskSucceeded\",\"timestamp\":\"2026-01-01T00:"
	  "00:00.000Z\",\"taskSucceededEventDetails\":{\"output\":\"1\"}},"
	  "{\"id\":4,\"type\":\"TaskStateExited\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateExitedEventDetails\":{\"name\":\"Step\"}},"
	  "{\"id\":5,\"type\":\"TaskStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateEnteredEventDetails\":{\"name\":\"Step\","
	  "\"input\":\"{\\\"i\\\":1}\"}},"
	  "{\"id\":6,\"type\":\"TaskFailed\",\"timestamp\":\"2026-01-01T00:00:"
	  "00.000Z\",\"taskFailedEventDetails\":{\"error\":\"E\"}},"
	  "{\"id\":7,\"type\":\"ExecutionFailed\",\"timestamp\":\"2026-01-"
	  "01T00:00:01.000Z\"}]",
	  "Step", "{\"i\":1}", "{}", "", "{}", NULL },
	{ "a second redrive still replays what the first attempt journaled",
	  "[{\"id\":1,\"type\":\"ExecutionStarted\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\"},"
	  "{\"id\":2,\"type\":\"MapStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateEnteredEventDetails\":{\"name\":\"Each\","
	  "\"input\":\"{}\"}},"
	  "{\"id\":3,\"type\":\"TaskStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\",\"stateEnteredEventDetails\":{\"name\":\"W\"},"
	  "\"x-scope\":[[\"Each\",0]]},"
	  "{\"id\":4,\"type\":\"TaskSucceeded\",\"timestamp\":\"2026-01-01T00:"
	  "00:00.000Z\",\"taskSucceededEventDetails\":{\"output\":\"0\"},\"x-"
	  "scope\":[[\"Each\",0]]},"
	  "{\"id\":5,\"type\":\"ExecutionFailed\",\"timestamp\":\"2026-01-"
	  "01T00:00:01.000Z\"},"
	  "{\"id\":6,\"type\":\"ExecutionRedriven\",\"timestamp\":\"2026-01-"
	  "01T00:00:02.000Z\",\"executionRedrivenEventDetails\":{"
	  "\"redriveCount\":1}},"
	  "{\"id\":7,\"type\":\"MapStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:02.000Z\",\"stateEnteredEventDetails\":{\"name\":\"Each\","
	  "\"input\":\"{}\"}},"
	  "{\"id\":8,\"type\":\"TaskStateEntered\",\"timestamp\":\"2026-01-"
	  "01T00:00:02.000Z\",\"stateEnteredEventDetails\":{\"name\":\"W\"},"
	  "\"x-scope\":[[\"Each\",1]]},"
	  "{\"id\":9,\"type\":\"TaskSucceeded\",\"timestamp\":\"2026-01-01T00:"
	  "00:02.000Z\",\"taskSucceededEventDetails\":{\"output\":\"1\"},\"x-"
	  "scope\":[[\"Each\",1]]}]",
	  "Each", "{}", "{}", "W/[[\"Each\",0]]/0|W/[[\"Each\",1]]/0", "{}",
	  NULL },
	{ "nothing ran: from StartAt with the execution input",
	  "[{\"id\":1,\"type\":\"ExecutionStarted\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\"}]",
	  NULL, "{\"n\":1}", "{}", "", "{}", NULL },
	{ "a succeeded execution is refused with AWS's reason",
	  "[{\"id\":1,\"type\":\"ExecutionStarted\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\"},"
	  "{\"id\":2,\"type\":\"ExecutionSucceeded\",\"timestamp\":\"2026-01-"
	  "01T00:00:00.000Z\"}]",
	  NULL, NULL, NULL, NULL, NULL,
	  "Execution is SUCCEEDED and cannot be redriven" },
	{ "an execution closed 15 days ago is refused",
	  "[{\"id\":1,\"type\":\"ExecutionStarted\",\"timestamp\":\"2025-12-"
	  "01T00:00:00.000Z\"},"
	  "{\"id\":2,\"type\":\"ExecutionFailed\",\"timestamp\":\"2025-12-"
	  "17T00:00:00.000Z\"}]",
	  NULL, NULL, NULL, NULL, NULL,
	  "Execution redrivable period exceeded" },
};

int main(void)
{
	double now;
	sfn_time_parse("2026-01-01T00:00:00Z", &now);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sfn_journal_data d = { 0 };
		struct sfn_redrive_plan plan;
		struct sfn_error err = SFN_ERROR_INIT;
		d.header = json_loads(header, 0, NULL);
		d.events = json_loads(cases[i].events, 0, NULL);
		SFN_CHECK(d.events != NULL, "case %zu: events parse", i);
		int rc = sfn_journal_plan_redrive(&d, now, &plan, &err);
		if (cases[i].refused) {
			SFN_CHECK(rc < 0, "%s: refused", cases[i].what);
			SFN_CHECK_STR(err.cause, cases[i].refused,
				      cases[i].what);
			SFN_CHECK_STR(err.name, "ExecutionNotRedrivable",
				      cases[i].what);
		} else {
			SFN_CHECK(rc == 0, "%s: planned (%s)", cases[i].what,
				  err.cause ? err.cause : "");
			SFN_CHECK_STR(plan.state, cases[i].state,
				      cases[i].what);
			char *in = sfn_json_dumps(plan.input, 0);
			char *vars = sfn_json_dumps(plan.variables, 0);
			char *inv = sfn_json_dumps(plan.invocations, 0);
			SFN_CHECK_STR(in, cases[i].input, cases[i].what);
			SFN_CHECK_STR(vars, cases[i].variables, cases[i].what);
			SFN_CHECK_STR(inv, cases[i].invocations, cases[i].what);
			struct sfn_strbuf keys = SFN_STRBUF_INIT;
			const char *k;
			json_t *v;
			json_object_foreach(plan.replay, k, v) {
				if (keys.len)
					sfn_strbuf_addch(&keys, '|');
				for (const char *p = k; *p; p++)
					sfn_strbuf_addch(
						&keys, *p == '\x1f' ? '/' : *p);
			}
			SFN_CHECK_STR(keys.buf, cases[i].replay, cases[i].what);
			SFN_CHECK_INT(
				plan.redrive_count,
				strstr(cases[i].events, "ExecutionRedriven")
					? 2
					: 1,
				cases[i].what);
			sfn_strbuf_release(&keys);
			free(in);
			free(vars);
			free(inv);
			sfn_redrive_plan_release(&plan);
		}
		sfn_error_release(&err);
		sfn_journal_data_release(&d);
	}
	return sfn_test_done();
}
