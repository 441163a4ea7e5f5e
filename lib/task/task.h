/*
 * task: what a Task state calls. Backends are a const table of {resource
 * prefix, invoke}, one file each (mock.c, command.c, http.c, bedrock.c,
 * lambda.c); the interpreter resolves a resource through them in order:
 * mocks, local handlers, then the real integrations.
 */
#ifndef SFN_TASK_H
#define SFN_TASK_H

#include <stdatomic.h>
#include <stdbool.h>

#include <jansson.h>

#include "base/base.h"

/* Settings shared by every call of one execution; borrowed by the calls. */
struct sfn_task_env {
	/* The local config file (handlers, connections, ...); may be NULL. */
	json_t *config;
	const char *config_path; /* for messages; may be NULL */
	json_t *mock_config; /* Step Functions Local MockConfigFile, or NULL */
	const char *mock_test_case;	/* the test case to use; may be NULL */
	const char *state_machine_name; /* keys the mock file */
	const char *cacert; /* extra CA bundle for TLS; may be NULL */
	bool insecure;	    /* --insecure-skip-tls-verify: no TLS checks */
	/* Non-zero: abort what runs now (a sibling failed, Ctrl-C). */
	atomic_int *cancel;
	void *backend_state[8]; /* per backend, by its index in the table */
	/*
	 * The integrations (http, bedrock, lambda) read: config sections
	 * "connections", "http", "tls", "bedrock", "lambda", "aws" (see
	 * docs/integrations.md and sfn_task_config_help()). The fields below
	 * are all optional (zero = default).
	 */
	/* Looks up an environment variable ({"env": NAME} secrets, AWS_*
	 * credentials); NULL: getenv(). Tests pass their own. */
	const char *(*getenv)(const char *name);
	/* --reveal-secrets (test-state only): call traces keep secrets. */
	bool reveal_secrets;
	/* --aws-profile / --aws-region: override config "aws" and AWS_PROFILE,
	 * AWS_REGION; may be NULL. */
	const char *aws_profile;
	const char *aws_region;
	/* Where a relative {"file": PATH} secret or S3-to-file mapping is
	 * resolved: the config file's directory; NULL: the working directory.
	 */
	const char *base_dir;
	/*
	 * sfn redrive: Task results the journal already holds, by
	 * sfn_replay_key(state, scope, entry) (base.h). The replay backend,
	 * first in the table, serves them instead of calling the Task again.
	 * May be NULL.
	 */
	json_t *replay;
};

/* One call. Everything borrowed. */
struct sfn_task_call {
	const char *resource; /* the ARN as in the definition */
	const char *state_name;
	/* The effective input (Parameters/Arguments applied). */
	json_t *parameters;
	json_t *credentials;	/* the state's Credentials, or NULL */
	const char *task_token; /* for .waitForTaskToken; NULL otherwise */
	double timeout_seconds; /* 0: none */
	double heartbeat_seconds;
	unsigned attempt; /* 0 for the first try, then the retry count */
	/* The n-th call of this state in this execution (mock counters). */
	unsigned invocation;
	/*
	 * When non-NULL, an empty object the http/bedrock/lambda backends fill
	 * with TestState's inspectionData shape: "request" {protocol, method,
	 * url, headers, body} and "response" {protocol, statusCode,
	 * statusMessage, headers, body}; values a connection injected are
	 * masked unless env->reveal_secrets. Borrowed; filled in place.
	 */
	json_t *trace;
	/* Non-zero: abort this call (a sibling failed); NULL: env->cancel. */
	atomic_int *cancel;
	/* The Map iterations / Parallel branches the call is in ("x-scope"),
	 * NULL at the top level. */
	const json_t *scope;
	/* Set to true when the result came from the journal (sfn redrive)
	 * rather than from a new call; may be NULL. */
	bool *replayed;
};

enum sfn_task_outcome {
	SFN_TASK_OK,	   /* *result set */
	SFN_TASK_FAILED,   /* err set: an ASL error name and cause */
	SFN_TASK_DECLINED, /* this backend does not serve the call; try the next
			    */
};

struct sfn_task_backend {
	const char *name; /* "mock", "command", "http", ... */
	/*
	 * Runs @call. On SFN_TASK_OK, *@result is a new reference; on
	 * SFN_TASK_FAILED, @err holds the Task error (never a secret in it).
	 */
	enum sfn_task_outcome (*invoke)(struct sfn_task_env *env,
					const struct sfn_task_call *call,
					json_t **result, struct sfn_error *err);
	/* Frees env->backend_state[i]; may be NULL. */
	void (*release)(struct sfn_task_env *env, void *state);
};

/* The backends in resolution order, NULL-terminated. */
extern const struct sfn_task_backend *const sfn_task_backends[];

/*
 * Resolves @call through the backends in order. When none serves it, fails
 * with States.Runtime and a cause saying how to provide the resource.
 */
enum sfn_task_outcome sfn_task_invoke(struct sfn_task_env *env,
				      const struct sfn_task_call *call,
				      json_t **result, struct sfn_error *err);
void sfn_task_env_release(struct sfn_task_env *env);
/*
 * Test case @test_case of state machine @sm_name in MockConfigFile @config
 * (borrowed; NULL if there is none), and in *@cases (may be NULL) the
 * machine's TestCases object (NULL if the file has no such machine).
 */
json_t *sfn_task_mock_case(const json_t *config, const char *sm_name,
			   const char *test_case, json_t **cases);

/*
 * Masks every secret the integrations know of in @v: values of the
 * Authorization, Proxy-Authorization and API-key headers, and any string
 * holding a secret value from the config (connection passwords, API keys,
 * client secrets, OAuth tokens fetched so far, AWS secret keys). Returns a
 * new reference (a copy of @v, or @v itself with a new reference when
 * env->reveal_secrets). For the journal, test-state and logs. Thread-safe.
 */
json_t *sfn_task_redact(struct sfn_task_env *env, json_t *v);
/* The same for one string; returns a new string the caller frees. */
char *sfn_task_redact_string(struct sfn_task_env *env, const char *s);

/*
 * Appends to @sb, one per line, the config keys and environment variables
 * the task backends read, for `sfn run --help` and docs.
 */
void sfn_task_config_help(struct sfn_strbuf *sb);

#endif
