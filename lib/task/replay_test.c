#include "task/task.h"

#include <stdlib.h>
#include <string.h>

#include "base/test.h"

static enum sfn_task_outcome call(struct sfn_task_env *env, const char *state,
				  json_t *scope, unsigned attempt,
				  json_t **result)
{
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_task_call c = {
		.resource = "arn:aws:states:::lambda:invoke",
		.state_name = state,
		.parameters = NULL,
		.attempt = attempt,
		.scope = scope,
	};
	enum sfn_task_outcome o = sfn_task_invoke(env, &c, result, &err);
	sfn_error_release(&err);
	return o;
}

int main(void)
{
	struct sfn_task_env env = { 0 };
	json_t *scope0 = json_loads("[[\"Both\",0]]", 0, NULL);
	json_t *scope1 = json_loads("[[\"Both\",1]]", 0, NULL);
	json_t *r = NULL;
	char *k;

	env.replay = json_object();
	k = sfn_replay_key("A", scope0, 0);
	json_object_set_new(env.replay, k, json_string("a0"));
	free(k);
	k = sfn_replay_key("Loop", NULL, 1);
	json_object_set_new(env.replay, k, json_integer(11));
	free(k);

	/* Branch 0's A was journaled: served; branch 1's was not. */
	SFN_CHECK(call(&env, "A", scope0, 0, &r) == SFN_TASK_OK, "A in 0");
	SFN_CHECK_STR(json_string_value(r), "a0", "A's journaled result");
	json_decref(r);
	SFN_CHECK(call(&env, "A", scope1, 0, &r) == SFN_TASK_FAILED,
		  "A in 1 runs for real (here: nothing serves it)");
	json_decref(r);

	/* Entries count first attempts only: retries stay on the entry. */
	SFN_CHECK(call(&env, "Loop", NULL, 0, &r) == SFN_TASK_FAILED,
		  "Loop entry 0 not journaled");
	json_decref(r);
	SFN_CHECK(call(&env, "Loop", NULL, 1, &r) == SFN_TASK_FAILED,
		  "Loop entry 0, retry");
	json_decref(r);
	SFN_CHECK(call(&env, "Loop", NULL, 0, &r) == SFN_TASK_OK,
		  "Loop entry 1 journaled");
	SFN_CHECK_INT(json_integer_value(r), 11, "Loop entry 1's result");
	json_decref(r);

	/* Without a replay table the backend stays out of the way. */
	struct sfn_task_env plain = { 0 };
	SFN_CHECK(call(&plain, "A", scope0, 0, &r) == SFN_TASK_FAILED,
		  "no replay table");
	json_decref(r);

	sfn_task_env_release(&env);
	sfn_task_env_release(&plain);
	json_decref(env.replay);
	json_decref(scope0);
	json_decref(scope1);
	return sfn_test_done();
}
