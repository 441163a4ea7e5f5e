#include "task/task.h"

#include "task/task_int.h"

/* TODO: the bedrock backend; its issue builds it. Until then it serves nothing. */
static enum sfn_task_outcome invoke(struct sfn_task_env *env,
				    const struct sfn_task_call *call,
				    json_t **result, struct sfn_error *err)
{
	(void)env;
	(void)call;
	(void)result;
	(void)err;
	return SFN_TASK_DECLINED;
}

const struct sfn_task_backend sfn_task_bedrock = { "bedrock", invoke, NULL };
