/*
 * sfn-http-bench: N HTTP Tasks (GET /echo) through sfn_task_invoke from T
 * threads against the test server, started in-process unless --url is
 * given. Prints requests per second and p50/p99 latency. This drives the
 * backend directly; bench/http.sh says when it can use `sfn run` instead.
 *
 * usage: sfn-http-bench [-n N] [-c THREADS] [--pool SERVER_THREADS]
 *                       [--url BASE]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "server.h"
#include "task/task.h"

struct shared {
	struct sfn_task_env *env;
	json_t *params;
	atomic_int next;
	int n;
	double *lat;
	atomic_int failed;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
	struct shared *sh = arg;
	for (;;) {
		int i = atomic_fetch_add(&sh->next, 1);
		if (i >= sh->n)
			break;
		struct sfn_task_call call = {
			.resource = "arn:aws:states:::http:invoke",
			.state_name = "Get",
			.parameters = sh->params,
		};
		json_t *res = NULL;
		struct sfn_error err = { 0 };
		double t0 = now();
		if (sfn_task_invoke(sh->env, &call, &res, &err) !=
		    SFN_TASK_OK) {
			if (atomic_fetch_add(&sh->failed, 1) == 0)
				fprintf(stderr, "sfn-http-bench: %s: %s\n",
					err.name, err.cause ? err.cause : "");
		}
		sh->lat[i] = now() - t0;
		json_decref(res);
		sfn_error_release(&err);
	}
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = 10000, threads = 50;
	unsigned pool = 1;
	const char *url = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-c") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--pool") && i + 1 < argc)
			pool = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--url") && i + 1 < argc)
			url = argv[++i];
		else {
			fprintf(stderr,
				"usage: sfn-http-bench [-n N] "
				"[-c THREADS] [--pool N] [--url BASE]\n");
			return 2;
		}
	}
	if (n <= 0 || threads <= 0)
		return 2;
	struct sfn_test_server *s = NULL;
	char base[128];
	if (url) {
		snprintf(base, sizeof(base), "%s", url);
	} else {
		s = sfn_test_server_start(NULL, NULL, pool);
		if (!s) {
			fprintf(stderr,
				"sfn-http-bench: cannot start server\n");
			return 1;
		}
		snprintf(base, sizeof(base), "http://127.0.0.1:%d",
			 sfn_test_server_port(s));
	}
	char *p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/echo\", \"Method\": "
				"\"GET\", \"QueryParameters\": {\"i\": 1}}",
				base);
	struct sfn_task_env env = { 0 };
	struct shared sh = { .env = &env,
			     .params = json_loads(p, 0, NULL),
			     .n = n };
	sh.lat = sfn_xcalloc((size_t)n, sizeof(double));
	pthread_t *th = sfn_xcalloc((size_t)threads, sizeof(pthread_t));
	double t0 = now();
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, worker, &sh);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	double took = now() - t0;
	qsort(sh.lat, (size_t)n, sizeof(double), cmp);
	printf("requests=%d concurrency=%d failed=%d seconds=%.3f "
	       "req_per_s=%.0f p50_ms=%.2f p99_ms=%.2f",
	       n, threads, atomic_load(&sh.failed), took, n / took,
	       1000 * sh.lat[n / 2], 1000 * sh.lat[(size_t)(n * 0.99)]);
	if (s)
		printf(" connections=%u", sfn_test_server_connections(s));
	printf("\n");
	sfn_task_env_release(&env);
	json_decref(sh.params);
	free(sh.lat);
	free(th);
	free(p);
	sfn_test_server_stop(s);
	return atomic_load(&sh.failed) ? 1 : 0;
}
