/*
 * Inside lib/task: what the integrations (http.c, bedrock.c, lambda.c) share:
 * the libcurl transport with its pool of reusable handles, config lookups
 * with secret references, the secret registry behind sfn_task_redact(),
 * AWS credentials and SigV4.
 */
#ifndef SFN_TASK_HTTP_INT_H
#define SFN_TASK_HTTP_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <curl/curl.h>

#include "base/base.h"
#include "task/task.h"

/* AWS caps an HTTP Task response at 256 KiB (Range: bytes=0-262144). */
#define SFN_HTTP_MAX_RESPONSE 262144
#define SFN_HTTP_TIMEOUT_MS   60000

/* State of the integrations for one env; lives in the http backend's slot. */
struct sfn_integ {
	pthread_mutex_t lock;	     /* guards everything below */
	struct sfn_curl_pair **pool; /* idle handles, reused (keep-alive) */
	size_t n_pool, cap_pool;
	char **secrets; /* every secret value known; owned */
	size_t n_secrets, cap_secrets;
	bool config_scanned;	    /* config secrets added to @secrets */
	json_t *tokens;		    /* connection ARN -> {"token", "expires"} */
	pthread_mutex_t fetch_lock; /* one OAuth token fetch at a time */
};

/* Returns the env's shared state, creating it on first use. Thread-safe. */
struct sfn_integ *sfn_integ_get(struct sfn_task_env *env);
void sfn_integ_free(struct sfn_integ *in);
/* Registers @value (copied) as a secret to mask. Thread-safe. */
void sfn_integ_add_secret(struct sfn_integ *in, const char *value);

/* One request. Everything borrowed. */
struct sfn_http_req {
	const char *method;
	const char *url;
	struct curl_slist *headers;
	const char *body; /* NULL: no body */
	size_t body_len;
	const char *aws_sigv4; /* CURLOPT_AWS_SIGV4, e.g.
				  "aws:amz:us-east-1:bedrock" */
	const char *userpwd;   /* with aws_sigv4: "KEY:SECRET" */
	long timeout_ms;       /* 0: SFN_HTTP_TIMEOUT_MS */
	size_t max_body;       /* response body cap; 0: SFN_HTTP_MAX_RESPONSE */
	atomic_int *cancel;    /* call->cancel; NULL: env->cancel */
	bool follow_redirects; /* up to 5; auth headers dropped off-host */
};

struct sfn_http_resp {
	long status;
	char *reason;	 /* status text; owned */
	char *protocol;	 /* "HTTP/1.1"; owned */
	json_t *headers; /* [[name, value], ...] as received; owned */
	struct sfn_strbuf body;
	bool truncated; /* the body was longer than the cap */
};

enum sfn_http_status {
	SFN_HTTP_OK,	    /* a response arrived (any status) */
	SFN_HTTP_TIMEOUT,   /* the request's timeout elapsed */
	SFN_HTTP_CANCELLED, /* env->cancel was set */
	SFN_HTTP_TRANSPORT, /* DNS, connect, TLS, reset: see @errmsg */
};

void sfn_http_resp_init(struct sfn_http_resp *resp);
void sfn_http_resp_release(struct sfn_http_resp *resp);
/*
 * Performs @req on a pooled handle, with the TLS settings of env and config
 * "tls". Aborts within 50 ms of *env->cancel becoming non-zero. On anything
 * but SFN_HTTP_OK, @errmsg (CURL_ERROR_SIZE bytes) says what failed; it
 * never holds a header or body.
 */
enum sfn_http_status sfn_http_perform(struct sfn_task_env *env,
				      const struct sfn_http_req *req,
				      struct sfn_http_resp *resp, char *errmsg);
/* The standard reason phrase of @status ("Not Found"), "" if unknown. */
const char *sfn_http_reason(long status);
/* First value of response header @name (any case); borrowed, or NULL. */
const char *sfn_http_resp_header(const struct sfn_http_resp *resp,
				 const char *name);
/*
 * Whether @s holds a CR or LF: as a header name or value it would end the
 * header line and start another one (header injection). Every header built
 * from the state goes through this.
 */
bool sfn_http_header_breaks(const char *s);
/*
 * For a header built from field @field of the Task's parameters: 0 if
 * @value may go in it, else -1 with @err set (States.Runtime).
 */
int sfn_http_header_field_check(const struct sfn_task_call *call,
				const char *field, const char *value,
				struct sfn_error *err);
/* Appends @s percent-encoded as RFC 3986 unreserved (AWS's URI encoding). */
void sfn_uri_encode(struct sfn_strbuf *sb, const char *s, size_t n,
		    bool keep_slash);

/* Config: env->config section @name (an object), or NULL. Borrowed. */
json_t *sfn_task_config(struct sfn_task_env *env, const char *name);
const char *sfn_task_getenv(struct sfn_task_env *env, const char *name);
/*
 * A config value that may be a secret reference: a string (inline), or
 * {"env": NAME} or {"file": PATH} (trailing newline dropped). Returns a new
 * string, registered as a secret, or NULL with @err set (States.Runtime,
 * naming @what and never the value).
 */
char *sfn_task_secret(struct sfn_task_env *env, json_t *v, const char *what,
		      struct sfn_error *err);
/* A path from the config: relative ones resolve against env->base_dir. */
char *sfn_task_path(struct sfn_task_env *env, const char *path);

/* AWS credentials, as the SDKs find them. */
struct sfn_aws_creds {
	char *access_key;    /* owned */
	char *secret_key;    /* owned */
	char *session_token; /* owned; may be NULL */
	char *region;	     /* owned; may be NULL */
};
/*
 * Fills @c from config section @section's "accessKeyId"/"secretAccessKey"/
 * "sessionToken"/"profile"/"region" (then config "aws"), else the
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN variables, else
 * the profile (env->aws_profile, AWS_PROFILE, "default") of the shared
 * credentials and config files (AWS_SHARED_CREDENTIALS_FILE,
 * AWS_CONFIG_FILE, ~/.aws/). Region: env->aws_region, section, AWS_REGION,
 * AWS_DEFAULT_REGION, the profile. Returns -1 with @err when no key is found.
 */
int sfn_aws_creds_load(struct sfn_task_env *env, json_t *section,
		       struct sfn_aws_creds *c, struct sfn_error *err);
void sfn_aws_creds_release(struct sfn_aws_creds *c);

/*
 * Performs @req as an AWS API call for signing name @service: with @bearer
 * (an API key) as "Authorization: Bearer", else signed by libcurl with
 * SigV4 from @c (adding X-Amz-Security-Token for session credentials).
 * @req->headers may be extended; the list is freed by the caller as usual.
 */
enum sfn_http_status
sfn_aws_perform(struct sfn_task_env *env, struct sfn_http_req *req,
		const char *service, const struct sfn_aws_creds *c,
		const char *bearer, struct sfn_http_resp *resp, char *errmsg);
/*
 * The AWS error name of a failed response: x-amzn-ErrorType up to ':', or
 * the body's "__type"/"code" after '#', or @fallback. New string. *@message
 * gets the body's "message"/"Message" (new, may be NULL).
 */
char *sfn_aws_error_name(const struct sfn_http_resp *resp, const char *fallback,
			 char **message);

/* One request to sign with SigV4; everything borrowed. */
struct sfn_sigv4_req {
	const char *method;
	const char
		*path; /* canonical URI as it goes on the wire, e.g. "/a%3Ab" */
	const char *query;	    /* raw query without '?', may be NULL */
	const char *const *headers; /* "name", "value" pairs, NULL-terminated;
				       only these are signed */
	const void *body;
	size_t body_len;
	const char *amz_date; /* "20150830T123600Z" */
	const char *region;
	const char *service;
	const char *access_key;
	const char *secret_key;
	bool double_encode_path; /* every service but s3 */
};
/*
 * The Authorization header value (without "Authorization: ") for @r, as
 * AWS Signature Version 4 defines it. The caller frees the result.
 */
char *sfn_sigv4_authorization(const struct sfn_sigv4_req *r);

#endif
