#include "task/task.h"

#include <stdlib.h>
#include <string.h>

#include "task/task_int.h"

/*
 * Mocks in AWS Step Functions Local's MockConfigFile format
 * (sfn-features.md §7): StateMachines.<machine>.TestCases.<case> maps a
 * state name to a response name; MockedResponses.<name> maps invocation
 * numbers ("0") or inclusive ranges ("1-2") to a Return or a Throw. A state
 * the test case does not list is not mocked: the next backend serves it.
 */

/* Does key "N" or "A-B" cover invocation @n? */
static bool covers(const char *key, unsigned n)
{
	char *end;
	unsigned long a = strtoul(key, &end, 10);
	if (end == key)
		return false;
	unsigned long b = a;
	if (*end == '-') {
		const char *s = end + 1;
		b = strtoul(s, &end, 10);
		if (end == s)
			return false;
	}
	return !*end && n >= a && n <= b;
}

json_t *sfn_task_mock_case(const json_t *config, const char *sm_name,
			   const char *test_case, json_t **cases)
{
	json_t *tcs = json_object_get(
		json_object_get(json_object_get(config, "StateMachines"),
				sm_name),
		"TestCases");
	if (cases)
		*cases = json_is_object(tcs) ? tcs : NULL;
	json_t *tc = json_object_get(tcs, test_case);
	return json_is_object(tc) ? tc : NULL;
}

static enum sfn_task_outcome invoke(struct sfn_task_env *env,
				    const struct sfn_task_call *call,
				    json_t **result, struct sfn_error *err)
{
	if (!env->mock_config || !env->mock_test_case)
		return SFN_TASK_DECLINED;
	json_t *tc = sfn_task_mock_case(
		env->mock_config,
		env->state_machine_name ? env->state_machine_name : "",
		env->mock_test_case, NULL);
	const char *rname =
		json_string_value(json_object_get(tc, call->state_name));
	if (!rname)
		return SFN_TASK_DECLINED;
	json_t *resp = json_object_get(
		json_object_get(env->mock_config, "MockedResponses"), rname);
	if (!json_is_object(resp)) {
		sfn_errorf(err, SFN_E_RUNTIME, NULL,
			   "the mock config has no MockedResponses entry '%s' "
			   "(test case '%s', state '%s')",
			   rname, env->mock_test_case, call->state_name);
		return SFN_TASK_FAILED;
	}
	const char *key;
	json_t *v;
	json_object_foreach(resp, key, v) {
		if (!covers(key, call->invocation))
			continue;
		json_t *ret = json_object_get(v, "Return");
		json_t *thr = json_object_get(v, "Throw");
		if (ret) {
			*result = json_incref(ret);
			return SFN_TASK_OK;
		}
		if (thr) {
			const char *e = json_string_value(
				json_object_get(thr, "Error"));
			const char *c = json_string_value(
				json_object_get(thr, "Cause"));
			/* Both may be absent: the error output has nulls. */
			sfn_error_release(err);
			err->name = e ? sfn_xstrdup(e) : NULL;
			err->cause = c ? sfn_xstrdup(c) : NULL;
			return SFN_TASK_FAILED;
		}
		break;
	}
	sfn_errorf(err, SFN_E_RUNTIME, NULL,
		   "the mocked response '%s' has no Return or Throw for "
		   "invocation %u of state '%s'; add a key \"%u\" or a range",
		   rname, call->invocation, call->state_name, call->invocation);
	return SFN_TASK_FAILED;
}

const struct sfn_task_backend sfn_task_mock = { "mock", invoke, NULL };
