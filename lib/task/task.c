#include "task/task.h"

#include <string.h>

#include "task/task_int.h"

/*
 * Resolution order (sfn run --help): results a redrive replays from the
 * journal, mocks, local handlers, then the real integrations.
 */
const struct sfn_task_backend *const sfn_task_backends[] = {
	&sfn_task_replay,
	&sfn_task_mock,
	&sfn_task_command,
	&sfn_task_http,
	&sfn_task_bedrock,
	&sfn_task_lambda,
	NULL,
};
_Static_assert(sizeof(sfn_task_backends) / sizeof(sfn_task_backends[0]) <=
		       sizeof(((struct sfn_task_env *)0)->backend_state) /
				       sizeof(void *) +
			       1,
	       "one backend_state slot per backend");

enum sfn_task_outcome sfn_task_invoke(struct sfn_task_env *env,
				      const struct sfn_task_call *call,
				      json_t **result, struct sfn_error *err)
{
	*result = NULL;
	for (size_t i = 0; sfn_task_backends[i]; i++) {
		enum sfn_task_outcome o =
			sfn_task_backends[i]->invoke(env, call, result, err);
		if (o != SFN_TASK_DECLINED)
			return o;
	}
	sfn_errorf(err, SFN_E_RUNTIME, NULL,
		   "no way to run resource '%s' of state '%s': give a mock "
		   "(--mock-config FILE --test-case NAME), map it to a local "
		   "command under 'handlers' in the config (--config FILE), "
		   "or for Bedrock and Lambda name an endpoint under "
		   "'bedrock' or 'lambda' there ('sfn run --help' lists the "
		   "keys)",
		   call->resource, call->state_name);
	return SFN_TASK_FAILED;
}

void sfn_task_env_release(struct sfn_task_env *env)
{
	for (size_t i = 0; sfn_task_backends[i]; i++) {
		if (env->backend_state[i] && sfn_task_backends[i]->release)
			sfn_task_backends[i]->release(env,
						      env->backend_state[i]);
		env->backend_state[i] = NULL;
	}
}
