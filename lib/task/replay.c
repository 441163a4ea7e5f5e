/*
 * The replay backend, first in the table: during sfn redrive, a Task whose
 * result the journal already holds gets that result back instead of running
 * again (sfn_task_env.replay). Entries are counted per state and scope as
 * the redriven execution makes its first attempt at each (call->attempt 0),
 * the same way the redrive plan counted them in the journal.
 */
#include "task/task.h"

#include <pthread.h>
#include <stdlib.h>

#include "task/task_int.h"

struct replay_state {
	pthread_mutex_t lock;
	json_t *entries; /* "state\x1fscope" -> entries seen */
};

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

static struct replay_state *state_of(struct sfn_task_env *env)
{
	/* This backend's slot is found by its place in the table. */
	size_t slot = 0;
	while (sfn_task_backends[slot] != &sfn_task_replay)
		slot++;
	pthread_mutex_lock(&init_lock);
	struct replay_state *st = env->backend_state[slot];
	if (!st) {
		st = sfn_xcalloc(1, sizeof(*st));
		pthread_mutex_init(&st->lock, NULL);
		st->entries = json_object();
		env->backend_state[slot] = st;
	}
	pthread_mutex_unlock(&init_lock);
	return st;
}

static enum sfn_task_outcome invoke(struct sfn_task_env *env,
				    const struct sfn_task_call *call,
				    json_t **result, struct sfn_error *err)
{
	(void)err;
	if (!env->replay || !json_object_size(env->replay))
		return SFN_TASK_DECLINED;
	struct replay_state *st = state_of(env);
	char *scope = call->scope && json_array_size(call->scope)
			      ? sfn_json_dumps(call->scope, 0)
			      : sfn_xstrdup("[]");
	char *ek = sfn_xasprintf("%s\x1f%s", call->state_name, scope);
	free(scope);

	pthread_mutex_lock(&st->lock);
	json_t *seen = json_object_get(st->entries, ek);
	json_int_t entry = json_integer_value(seen);
	if (call->attempt == 0) {
		/* A new entry into the state: count it. */
		entry = seen ? entry + 1 : 0;
		json_object_set_new(st->entries, ek, json_integer(entry));
	}
	pthread_mutex_unlock(&st->lock);
	free(ek);

	char *key =
		sfn_replay_key(call->state_name, call->scope, (unsigned)entry);
	json_t *v = json_object_get(env->replay, key);
	free(key);
	if (!v)
		return SFN_TASK_DECLINED;
	*result = json_incref(v);
	if (call->replayed)
		*call->replayed = true;
	return SFN_TASK_OK;
}

static void release(struct sfn_task_env *env, void *state)
{
	(void)env;
	struct replay_state *st = state;
	pthread_mutex_destroy(&st->lock);
	json_decref(st->entries);
	free(st);
}

const struct sfn_task_backend sfn_task_replay = { "replay", invoke, release };
