/* Inside lib/task: the backends of the table in task.c. */
#ifndef SFN_TASK_INT_H
#define SFN_TASK_INT_H

#include "task/task.h"

extern const struct sfn_task_backend sfn_task_replay;
extern const struct sfn_task_backend sfn_task_mock;
extern const struct sfn_task_backend sfn_task_command;
extern const struct sfn_task_backend sfn_task_http;
extern const struct sfn_task_backend sfn_task_bedrock;
extern const struct sfn_task_backend sfn_task_lambda;

#endif
