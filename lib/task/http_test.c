/*
 * The HTTP Task against testdata/server/ on 127.0.0.1 (plain and TLS with a
 * certificate made by `openssl req` now): every field, auth type, error
 * class, timeout, cancel, and that secrets stay out of causes and traces.
 */
#include "task/task.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/test.h"
#include "server.h"
#include "task/http_int.h"

#define CONN "arn:aws:events:us-east-1:123456789012:connection/"

static struct sfn_test_server *srv, *tls_srv;
static char base[64], tls_base[64];

static const char *test_getenv(const char *name)
{
	if (!strcmp(name, "TEST_PW"))
		return "s3cret-pw";
	return NULL; /* nothing else leaks in from the real environment */
}

/* Runs an HTTP Task with Parameters @params (JSON text). */
/* A backend by name: the table's order is not this test's business. */
static const struct sfn_task_backend *backend(const char *name)
{
	for (size_t i = 0; sfn_task_backends[i]; i++)
		if (!strcmp(sfn_task_backends[i]->name, name))
			return sfn_task_backends[i];
	abort();
}

static enum sfn_task_outcome run(struct sfn_task_env *env, const char *params,
				 double timeout, json_t **res,
				 struct sfn_error *err)
{
	json_error_t je;
	json_t *p = json_loads(params, 0, &je);
	if (!p) {
		fprintf(stderr, "bad test params %s: %s\n", params, je.text);
		abort();
	}
	struct sfn_task_call call = {
		.resource = "arn:aws:states:::http:invoke",
		.state_name = "Call",
		.parameters = p,
		.timeout_seconds = timeout,
	};
	*res = NULL;
	sfn_error_release(err);
	enum sfn_task_outcome o = sfn_task_invoke(env, &call, res, err);
	json_decref(p);
	return o;
}

/* The value at JSON pointer @ptr of @v as compact text (new). */
static char *at(json_t *v, const char *ptr)
{
	json_t *x = sfn_pointer_get(v, ptr);
	if (!x)
		return sfn_xstrdup("(missing)");
	if (json_is_string(x))
		return sfn_xstrdup(json_string_value(x));
	return sfn_json_dumps(x, 0);
}

#define CHECK_AT(v, ptr, want)                                                 \
	do {                                                                   \
		char *g = at((v), (ptr));                                      \
		SFN_CHECK_STR(g, (want), ptr);                                 \
		free(g);                                                       \
	} while (0)

static void test_basics(struct sfn_task_env *env)
{
	json_t *res;
	struct sfn_error err = { 0 };
	char *p = sfn_xasprintf(
		"{\"ApiEndpoint\": \"%s/echo\", \"Method\": \"GET\","
		" \"Headers\": {\"x-request-id\": \"r-1\", \"x-n\": 5,"
		" \"Range\": \"bytes=0-1\"},"
		" \"QueryParameters\": {\"a\": 1, \"b\": \"x y&z\","
		" \"t\": [\"p\", \"q\"]}}",
		base);
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "GET echo");
	free(p);
	CHECK_AT(res, "/StatusCode", "200");
	CHECK_AT(res, "/StatusText", "OK");
	CHECK_AT(res, "/Headers/x-multi", "[\"one\",\"two\"]");
	CHECK_AT(res, "/Headers/content-type", "[\"application/json\"]");
	CHECK_AT(res, "/ResponseBody/method", "GET");
	CHECK_AT(res, "/ResponseBody/query", "a=1&b=x%20y%26z&t=p&t=q");
	CHECK_AT(res, "/ResponseBody/headers/user-agent",
		 "Amazon|StepFunctions|HttpInvoke|us-east-1");
	CHECK_AT(res, "/ResponseBody/headers/range", "bytes=0-262144");
	CHECK_AT(res, "/ResponseBody/headers/x-request-id", "r-1");
	CHECK_AT(res, "/ResponseBody/headers/x-n", "5");
	CHECK_AT(res, "/ResponseBody/body", "");
	json_decref(res);

	/* A JSON body, sent as AWS sends it; query already in the URL. */
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/echo?v=2\", \"Method\": "
			  "\"POST\", \"QueryParameters\": {\"w\": true},"
			  " \"RequestBody\": {\"id\": 7, \"tags\": [\"a\"]}}",
			  base);
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "POST echo");
	free(p);
	CHECK_AT(res, "/ResponseBody/method", "POST");
	CHECK_AT(res, "/ResponseBody/query", "v=2&w=true");
	CHECK_AT(res, "/ResponseBody/body", "{\"id\":7,\"tags\":[\"a\"]}");
	CHECK_AT(res, "/ResponseBody/headers/content-type",
		 "application/json; charset=UTF-8");
	json_decref(res);

	/* Redirects are not followed (a 3xx is not 2xx) unless
	 * http.followRedirects. */
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/redirect\", \"Method\": "
			  "\"GET\"}",
			  base);
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_FAILED, "redirect");
	SFN_CHECK_STR(err.name, "States.Http.StatusCode.302", "302 name");
	json_object_set_new(sfn_task_config(env, "http"), "followRedirects",
			    json_true());
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "followed");
	CHECK_AT(res, "/StatusCode", "200");
	CHECK_AT(res, "/ResponseBody/path", "/echo");
	json_decref(res);
	json_object_del(sfn_task_config(env, "http"), "followRedirects");
	free(p);

	/* A string QueryParameters goes on the URL as it is. */
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/echo\", \"Method\": "
			  "\"GET\", \"QueryParameters\": \"x=1&y=%%20\"}",
			  base);
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "query string");
	CHECK_AT(res, "/ResponseBody/query", "x=1&y=%20");
	json_decref(res);
	free(p);

	/* Keep-alive: sequential calls share one connection. */
	unsigned conns = sfn_test_server_connections(srv);
	for (int i = 0; i < 3; i++) {
		p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/echo\", "
				  "\"Method\": \"GET\"}",
				  base);
		SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "reuse");
		json_decref(res);
		free(p);
	}
	SFN_CHECK_INT(sfn_test_server_connections(srv) - conns, 0,
		      "connections reused");

	/* Every method AWS allows goes out as itself. */
	static const char *const methods[] = { "PUT", "DELETE", "PATCH",
					       "OPTIONS" };
	for (size_t i = 0; i < 4; i++) {
		p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/echo\", \"Method\": "
				  "\"%s\", \"RequestBody\": \"raw text\"}",
				  base, methods[i]);
		SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK,
			      methods[i]);
		free(p);
		CHECK_AT(res, "/ResponseBody/method", methods[i]);
		CHECK_AT(res, "/ResponseBody/body", "raw text");
		json_decref(res);
	}
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/echo\", \"Method\": "
			  "\"HEAD\"}",
			  base);
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "HEAD");
	free(p);
	CHECK_AT(res, "/StatusCode", "200");
	CHECK_AT(res, "/ResponseBody", "");
	json_decref(res);
	sfn_error_release(&err);
}

static void test_url_encoded(struct sfn_task_env *env)
{
	static const struct {
		const char *format;
		const char *want;
	} cases[] = {
		{ "INDICES", "tags%5B0%5D=x&tags%5B1%5D=y%20z&meta%5Border%5D%"
			     "5Bid%5D=A-1&meta%5Bn%5D=2&empty=" },
		{ "REPEAT", "tags=x&tags=y%20z&meta%5Border%5D%5Bid%5D=A-1&"
			    "meta%5Bn%5D=2&empty=" },
		{ "COMMAS", "tags=x%2Cy%20z&meta%5Border%5D%5Bid%5D=A-1&meta%"
			    "5Bn%5D=2&empty=" },
		{ "BRACKETS", "tags%5B%5D=x&tags%5B%5D=y%20z&meta%5Border%5D%"
			      "5Bid%5D=A-1&meta%5Bn%5D=2&empty=" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *res;
		struct sfn_error err = { 0 };
		char *p = sfn_xasprintf(
			"{\"ApiEndpoint\": \"%s/echo\", \"Method\": \"POST\","
			" \"Headers\": {\"content-type\": "
			"\"application/x-www-form-urlencoded\"},"
			" \"RequestBody\": {\"tags\": [\"x\", \"y z\"],"
			" \"meta\": {\"order\": {\"id\": \"A-1\"}, \"n\": 2},"
			" \"empty\": null},"
			" \"Transform\": {\"RequestBodyEncoding\": "
			"\"URL_ENCODED\", \"RequestEncodingOptions\": "
			"{\"ArrayFormat\": \"%s\"}}}",
			base, cases[i].format);
		SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK,
			      cases[i].format);
		CHECK_AT(res, "/ResponseBody/body", cases[i].want);
		CHECK_AT(res, "/ResponseBody/headers/content-type",
			 "application/x-www-form-urlencoded");
		json_decref(res);
		free(p);
		sfn_error_release(&err);
	}
}

static void expect_error(struct sfn_task_env *env, const char *params,
			 double timeout, const char *name,
			 const char *cause_has, const char *label)
{
	json_t *res;
	struct sfn_error err = { 0 };
	SFN_CHECK_INT(run(env, params, timeout, &res, &err), SFN_TASK_FAILED,
		      label);
	SFN_CHECK_STR(err.name, name, label);
	SFN_CHECK(err.cause && strstr(err.cause, cause_has),
		  "%s: cause '%s' lacks '%s'", label,
		  err.cause ? err.cause : "(null)", cause_has);
	json_decref(res);
	sfn_error_release(&err);
}

static void test_errors(struct sfn_task_env *env)
{
	char *p;
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/echo\", \"Method\": \"GET\","
			  " \"Headers\": {\"Authorization\": \"x\","
			  " \"X-Amz-Target\": \"y\", \"ok\": \"z\"}}",
			  base);
	expect_error(env, p, 0, "States.Runtime",
		     "The 'Headers' field contains unsupported values: "
		     "[authorization, x-amz-target]",
		     "forbidden headers");
	free(p);
	/* A line break would end the header and start another: a forbidden
	 * one could be smuggled past the check. Refused like one. */
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/echo\", \"Method\": \"GET\","
			  " \"Headers\": {\"x-a\": \"v\\r\\nAuthorization: "
			  "Bearer x\", \"x-b\\nHost\": \"y\", \"ok\": \"z\"}}",
			  base);
	expect_error(env, p, 0, "States.Runtime",
		     "The 'Headers' field contains unsupported values: "
		     "[x-a, x-b\nhost]",
		     "line break in a header");
	free(p);
	static const unsigned codes[] = { 400, 403, 404, 429, 500, 503 };
	for (size_t i = 0; i < 6; i++) {
		char name[64], label[32];
		p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/status/%u\", "
				  "\"Method\": \"GET\"}",
				  base, codes[i]);
		snprintf(name, sizeof(name), "States.Http.StatusCode.%u",
			 codes[i]);
		snprintf(label, sizeof(label), "status %u", codes[i]);
		char *want = sfn_xasprintf("{\"StatusCode\":%u,", codes[i]);
		expect_error(env, p, 0, name, want, label);
		free(want);
		free(p);
	}
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/status/404\", "
			  "\"Method\": \"GET\"}",
			  base);
	expect_error(env, p, 0, "States.Http.StatusCode.404",
		     "\"ResponseBody\":{\"message\":\"status 404\"}",
		     "404 cause body");
	free(p);
	/* The cause is cut at 32,768 characters, not bytes: never inside a
	 * character, which would leave text that is not UTF-8 (and that no
	 * JSON string, so no error output, can hold). */
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/status-wide/500\", "
			  "\"Method\": \"GET\"}",
			  base);
	{
		json_t *res;
		struct sfn_error err = { 0 };
		SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_FAILED,
			      "wide cause");
		SFN_CHECK_STR(err.name, "States.Http.StatusCode.500",
			      "wide cause");
		size_t n = err.cause ? strlen(err.cause) : 0;
		SFN_CHECK(err.cause && sfn_utf8_valid(err.cause, n),
			  "wide cause: not UTF-8 (%zu bytes)", n);
		SFN_CHECK_INT(err.cause
				      ? (long long)sfn_utf8_length(err.cause, n)
				      : -1,
			      32768, "wide cause: characters");
		json_decref(res);
		sfn_error_release(&err);
	}
	free(p);
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/drop\", \"Method\": "
			  "\"GET\"}",
			  base);
	expect_error(env, p, 0, "States.Http.Socket", "GET ", "dropped");
	free(p);
	expect_error(env,
		     "{\"ApiEndpoint\": \"http://127.0.0.1:1/x\", "
		     "\"Method\": \"GET\"}",
		     0, "States.Http.Socket", "http://127.0.0.1:1/x",
		     "refused");
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/binary\", \"Method\": "
			  "\"GET\"}",
			  base);
	expect_error(env, p, 0, "States.Runtime", "application/octet-stream",
		     "binary");
	free(p);
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/echo\", \"Method\": "
			  "\"TRACE\"}",
			  base);
	expect_error(env, p, 0, "States.Runtime", "Method 'TRACE'", "method");
	free(p);
	expect_error(env,
		     "{\"ApiEndpoint\": \"ftp://x/\", \"Method\": \"GET\"}", 0,
		     "States.Runtime", "not an https:// URL", "scheme");
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/echo\", \"Method\": "
			  "\"GET\", \"Authentication\": {\"ConnectionArn\": "
			  "\"" CONN "nope/1\"}}",
			  base);
	expect_error(env, p, 0, "Events.ConnectionResource.ResourceNotFound",
		     "not in the config", "unknown connection");
	free(p);
	/* The 60 s limit (here made 1 s by config) vs the Task's own. */
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/slow?ms=3000\", "
			  "\"Method\": \"GET\"}",
			  base);
	expect_error(env, p, 1, "States.Timeout", "timed out", "task timeout");
	json_object_set_new(sfn_task_config(env, "http"), "timeoutSeconds",
			    json_real(0.5));
	expect_error(env, p, 0, "States.Http.Socket", "request timeout",
		     "socket timeout");
	json_object_del(sfn_task_config(env, "http"), "timeoutSeconds");
	free(p);
}

static void test_bodies(struct sfn_task_env *env)
{
	json_t *res;
	struct sfn_error err = { 0 };
	char *p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/text\", \"Method\": "
				"\"GET\"}",
				base);
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "text");
	CHECK_AT(res, "/ResponseBody", "plain words");
	json_decref(res);
	free(p);
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/big\", \"Method\": "
			  "\"GET\"}",
			  base);
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "big");
	json_t *b = json_object_get(res, "ResponseBody");
	SFN_CHECK_INT(json_string_length(b), SFN_HTTP_MAX_RESPONSE + 1,
		      "256 KiB cap");
	json_decref(res);
	free(p);
	/* Step Functions frames the body itself: a Content-Length in the
	 * definition would cut it short and leave the rest on the
	 * connection, read as the start of the next request. */
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/echo\", \"Method\": "
			  "\"POST\", \"Headers\": {\"Content-Length\": \"3\"}, "
			  "\"RequestBody\": {\"abc\": 12345}}",
			  base);
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK,
		      "content-length");
	CHECK_AT(res, "/ResponseBody/body", "{\"abc\":12345}");
	json_decref(res);
	free(p);
	sfn_error_release(&err);
}

static void test_auth(struct sfn_task_env *env)
{
	json_t *res;
	struct sfn_error err = { 0 };
	char *p = sfn_xasprintf(
		"{\"ApiEndpoint\": \"%s/auth/basic\", \"Method\": \"GET\","
		" \"Authentication\": {\"ConnectionArn\": \"" CONN
		"basic/1\"}}",
		base);
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "basic");
	CHECK_AT(res, "/StatusCode", "200");
	json_decref(res);
	free(p);

	/* API key from a file; the connection's parameters win on clashes. */
	p = sfn_xasprintf(
		"{\"ApiEndpoint\": \"%s/auth/apikey\", \"Method\": \"POST\","
		" \"Headers\": {\"x-tenant\": \"us\"},"
		" \"QueryParameters\": {\"region\": \"us-1\", \"k\": \"v\"},"
		" \"RequestBody\": {\"source\": \"def\", \"n\": 1},"
		" \"InvocationConfig\": {\"ConnectionArn\": \"" CONN
		"apikey/1\"}}",
		base);
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "api key");
	CHECK_AT(res, "/ResponseBody/headers/x-tenant", "eu");
	CHECK_AT(res, "/ResponseBody/query", "region=eu-1&k=v");
	CHECK_AT(res, "/ResponseBody/body",
		 "{\"source\":\"body-secret-Pz4\",\"n\":1}");
	json_decref(res);
	free(p);
	/* The connection's value wins over every value of a repeated key. */
	p = sfn_xasprintf(
		"{\"ApiEndpoint\": \"%s/auth/apikey\", \"Method\": \"GET\","
		" \"QueryParameters\": {\"region\": [\"us-1\", \"us-2\"]},"
		" \"InvocationConfig\": {\"ConnectionArn\": \"" CONN
		"apikey/1\"}}",
		base);
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "repeated key");
	CHECK_AT(res, "/ResponseBody/query", "region=eu-1");
	json_decref(res);
	free(p);
	/* A string body cannot take the connection's body parameters. */
	p = sfn_xasprintf(
		"{\"ApiEndpoint\": \"%s/auth/apikey\", \"Method\": \"POST\","
		" \"RequestBody\": \"text\","
		" \"InvocationConfig\": {\"ConnectionArn\": \"" CONN
		"apikey/1\"}}",
		base);
	expect_error(env, p, 0, "States.Runtime", "cannot be merged",
		     "string body");
	free(p);

	/* OAuth: one token fetch, reuse, refresh on 401. */
	p = sfn_xasprintf(
		"{\"ApiEndpoint\": \"%s/auth/oauth\", \"Method\": \"GET\","
		" \"InvocationConfig\": {\"ConnectionArn\": \"" CONN
		"oauth/1\"}}",
		base);
	for (int i = 0; i < 2; i++) {
		SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "oauth");
		json_decref(res);
	}
	SFN_CHECK_INT(sfn_test_server_count(srv, "/oauth/token"), 1,
		      "token fetched once");
	char *exp = sfn_xasprintf("{\"ApiEndpoint\": \"%s/oauth/expire\", "
				  "\"Method\": \"POST\"}",
				  base);
	SFN_CHECK_INT(run(env, exp, 0, &res, &err), SFN_TASK_OK, "expire");
	json_decref(res);
	free(exp);
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK,
		      "oauth after expiry");
	CHECK_AT(res, "/ResponseBody/headers/authorization",
		 "Bearer tok-2-Qm8v");
	SFN_CHECK_INT(sfn_test_server_count(srv, "/oauth/token"), 2,
		      "token refreshed on 401");
	json_decref(res);
	free(p);

	/* Basic with a wrong password: a 401 whose cause shows no secret. */
	p = sfn_xasprintf(
		"{\"ApiEndpoint\": \"%s/auth/basic\", \"Method\": \"GET\","
		" \"Authentication\": {\"ConnectionArn\": \"" CONN "bad/1\"}}",
		base);
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_FAILED, "bad pw");
	SFN_CHECK_STR(err.name, "States.Http.StatusCode.401", "bad pw name");
	free(p);
	sfn_error_release(&err);
}

/* The trace and redaction: secrets masked unless revealed. */
static void test_secrets(struct sfn_task_env *env)
{
	json_t *res;
	struct sfn_error err = { 0 };
	char *p = sfn_xasprintf(
		"{\"ApiEndpoint\": \"%s/echo\", \"Method\": \"POST\","
		" \"RequestBody\": {\"x\": 1},"
		" \"InvocationConfig\": {\"ConnectionArn\": \"" CONN
		"apikey/1\"}}",
		base);
	json_t *params = json_loads(p, 0, NULL);
	json_t *trace = json_object();
	struct sfn_task_call call = {
		.resource = "arn:aws:states:::http:invoke",
		.state_name = "Call",
		.parameters = params,
		.trace = trace,
	};
	SFN_CHECK_INT(sfn_task_invoke(env, &call, &res, &err), SFN_TASK_OK,
		      "traced call");
	char *t = sfn_json_dumps(trace, 0);
	SFN_CHECK(!strstr(t, "key-7Hq2") && !strstr(t, "body-secret-Pz4"),
		  "trace leaks a secret: %s", t);
	SFN_CHECK(strstr(t, "x-api-key: ********") != NULL,
		  "trace masks the key: %s", t);
	free(t);
	/* The response echoes the key: the journal's copy is masked. */
	json_t *red = sfn_task_redact(env, res);
	t = sfn_json_dumps(red, 0);
	SFN_CHECK(!strstr(t, "key-7Hq2") && !strstr(t, "body-secret-Pz4"),
		  "redacted result leaks: %s", t);
	free(t);
	json_decref(red);
	char *s = sfn_task_redact_string(env, "pw s3cret-pw, key key-7Hq2");
	SFN_CHECK_STR(s, "pw ********, key ********", "redact string");
	free(s);
	/* A secret query value reaches the URL percent-encoded; a transport
	 * error quotes the URL: masked there too. */
	free(p);
	p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/drop\", \"Method\": "
			  "\"GET\", \"InvocationConfig\": {\"ConnectionArn\": "
			  "\"" CONN "query/1\"}}",
			  base);
	{
		json_t *r2;
		struct sfn_error e2 = { 0 };
		SFN_CHECK_INT(run(env, p, 0, &r2, &e2), SFN_TASK_FAILED,
			      "secret query, dropped");
		SFN_CHECK(e2.cause && !strstr(e2.cause, "s3cret") &&
				  strstr(e2.cause, "sig=********"),
			  "secret query in the cause: %s",
			  e2.cause ? e2.cause : "(null)");
		sfn_error_release(&e2);
	}
	env->reveal_secrets = true;
	red = sfn_task_redact(env, res);
	t = sfn_json_dumps(red, 0);
	SFN_CHECK(strstr(t, "key-7Hq2") != NULL, "revealed: %s", t);
	free(t);
	json_decref(red);
	env->reveal_secrets = false;
	json_decref(res);
	json_decref(trace);
	json_decref(params);
	free(p);
	sfn_error_release(&err);
}

struct canceller {
	struct sfn_task_env *env;
	atomic_int *flag; /* NULL: env->cancel */
};

static void *cancel_later(void *arg)
{
	struct canceller *c = arg;
	struct timespec ts = { 0, 200 * 1000000L };
	nanosleep(&ts, NULL);
	atomic_store(c->flag ? c->flag : c->env->cancel, 1);
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_cancel(struct sfn_task_env *env)
{
	atomic_int flag = 0;
	env->cancel = &flag;
	struct canceller c = { env, NULL };
	pthread_t th;
	pthread_create(&th, NULL, cancel_later, &c);
	char *p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/slow?ms=5000\", "
				"\"Method\": \"GET\"}",
				base);
	double t0 = now();
	json_t *res;
	struct sfn_error err = { 0 };
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_FAILED, "cancel");
	double took = now() - t0;
	SFN_CHECK(took < 1.0, "cancel took %.3f s", took);
	pthread_join(th, NULL);
	env->cancel = NULL;

	/* A call's own flag (a failed sibling) wins over the env's. */
	atomic_int mine = 0;
	struct canceller c2 = { env, NULL };
	atomic_int env_flag = 0;
	env->cancel = &env_flag;
	json_t *params = json_loads(p, 0, NULL);
	struct sfn_task_call call = {
		.resource = "arn:aws:states:::http:invoke",
		.state_name = "Call",
		.parameters = params,
		.cancel = &mine,
	};
	c2.flag = &mine;
	pthread_create(&th, NULL, cancel_later, &c2);
	t0 = now();
	SFN_CHECK_INT(sfn_task_invoke(env, &call, &res, &err), SFN_TASK_FAILED,
		      "call cancel");
	took = now() - t0;
	SFN_CHECK(took < 1.0, "call cancel took %.3f s", took);
	SFN_CHECK_INT(atomic_load(&env_flag), 0, "env flag untouched");
	pthread_join(th, NULL);
	json_decref(params);
	env->cancel = NULL;
	free(p);
	sfn_error_release(&err);
}

/* One raw HTTP answer (bytes as given) to each of @n connections. */
struct raw_server {
	int fd;
	int n;
	const char *answer;
};

static void *raw_serve(void *arg)
{
	struct raw_server *r = arg;
	for (int i = 0; i < r->n; i++) {
		int c = accept(r->fd, NULL, NULL);
		if (c < 0)
			break;
		char buf[4096];
		(void)!read(c, buf, sizeof(buf));
		(void)!write(c, r->answer, strlen(r->answer));
		close(c);
	}
	return NULL;
}

/*
 * A status line or header that is not UTF-8 (HTTP's bytes are ISO-8859-1):
 * read as Latin-1, not lost, and never a failure without an error name.
 */
static void test_latin1(struct sfn_task_env *env)
{
	struct raw_server r = {
		.fd = socket(AF_INET, SOCK_STREAM, 0),
		.n = 1,
		.answer = "HTTP/1.1 200 Gut\xe9\r\nX-Name: caf\xe9\r\n"
			  "Content-Type: application/json\r\n"
			  "Content-Length: 8\r\nConnection: close\r\n\r\n"
			  "{\"ok\":1}",
	};
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	if (bind(r.fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(r.fd, 4) < 0 ||
	    getsockname(r.fd, (struct sockaddr *)&a, &al) < 0) {
		SFN_CHECK(0, "latin1: no socket");
		close(r.fd);
		return;
	}
	pthread_t t;
	pthread_create(&t, NULL, raw_serve, &r);
	char *p = sfn_xasprintf("{\"ApiEndpoint\": \"http://127.0.0.1:%d/x\", "
				"\"Method\": \"GET\"}",
				ntohs(a.sin_port));
	json_t *res;
	struct sfn_error err = { 0 };
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "latin1");
	CHECK_AT(res, "/StatusText", "Gut\xc3\xa9");
	CHECK_AT(res, "/Headers/x-name/0", "caf\xc3\xa9");
	CHECK_AT(res, "/ResponseBody/ok", "1");
	pthread_join(t, NULL);
	close(r.fd);
	json_decref(res);
	sfn_error_release(&err);
	free(p);
}

static void test_tls(struct sfn_task_env *env, const char *cacert)
{
	char *p = sfn_xasprintf("{\"ApiEndpoint\": \"%s/echo\", \"Method\": "
				"\"GET\"}",
				tls_base);
	/* System CAs do not know our certificate. */
	expect_error(env, p, 0, "States.Http.Socket", "certificate",
		     "tls unknown CA");
	json_t *res;
	struct sfn_error err = { 0 };
	env->cacert = cacert;
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "tls cacert");
	CHECK_AT(res, "/ResponseBody/headers/user-agent",
		 "Amazon|StepFunctions|HttpInvoke|us-east-1");
	json_decref(res);
	env->cacert = NULL;
	env->insecure = true;
	SFN_CHECK_INT(run(env, p, 0, &res, &err), SFN_TASK_OK, "tls insecure");
	json_decref(res);
	env->insecure = false;
	free(p);
	sfn_error_release(&err);
}

int main(void)
{
	char *dir, *cert, *key;
	if (sfn_test_make_cert(&dir, &cert, &key) < 0) {
		fprintf(stderr,
			"openssl req failed: apt-get install openssl\n");
		return 1;
	}
	srv = sfn_test_server_start(NULL, NULL, 0);
	tls_srv = sfn_test_server_start(cert, key, 0);
	if (!srv || !tls_srv) {
		fprintf(stderr, "cannot start the test server\n");
		return 1;
	}
	snprintf(base, sizeof(base), "http://127.0.0.1:%d",
		 sfn_test_server_port(srv));
	snprintf(tls_base, sizeof(tls_base), "https://127.0.0.1:%d",
		 sfn_test_server_port(tls_srv));
	char *keyfile = sfn_xasprintf("%s/apikey.txt", dir);
	FILE *f = fopen(keyfile, "w");
	fputs("key-7Hq2\n", f);
	fclose(f);
	char *cfg = sfn_xasprintf(
		"{\"http\": {},"
		" \"connections\": {"
		"  \"" CONN "basic/1\": {\"AuthorizationType\": \"BASIC\","
		"   \"AuthParameters\": {\"BasicAuthParameters\":"
		"    {\"Username\": \"alice\", \"Password\": {\"env\": "
		"\"TEST_PW\"}}}},"
		"  \"" CONN "bad/1\": {\"AuthorizationType\": \"BASIC\","
		"   \"AuthParameters\": {\"BasicAuthParameters\":"
		"    {\"Username\": \"alice\", \"Password\": "
		"\"wrong-pw-Jd3\"}}},"
		"  \"" CONN "apikey/1\": {\"AuthorizationType\": \"API_KEY\","
		"   \"AuthParameters\": {\"ApiKeyAuthParameters\":"
		"    {\"ApiKeyName\": \"x-api-key\", \"ApiKeyValue\": "
		"{\"file\": "
		"\"apikey.txt\"}},"
		"    \"InvocationHttpParameters\": {"
		"     \"HeaderParameters\": [{\"Key\": \"x-tenant\", "
		"\"Value\": "
		"\"eu\"}],"
		"     \"QueryStringParameters\": [{\"Key\": \"region\", "
		"\"Value\": \"eu-1\"}],"
		"     \"BodyParameters\": [{\"Key\": \"source\", \"Value\": "
		"\"body-secret-Pz4\", \"IsValueSecret\": true}]}}},"
		"  \"" CONN "query/1\": {\"AuthorizationType\": \"API_KEY\","
		"   \"AuthParameters\": {\"ApiKeyAuthParameters\":"
		"    {\"ApiKeyName\": \"x-api-key\", \"ApiKeyValue\": "
		"\"key-7Hq2\"},"
		"    \"InvocationHttpParameters\": {"
		"     \"QueryStringParameters\": [{\"Key\": \"sig\", "
		"\"Value\": \"q/s3cret+Vw 9\", \"IsValueSecret\": true}],"
		"     \"BodyParameters\": []}}},"
		"  \"" CONN "oauth/1\": {\"AuthorizationType\": "
		"\"OAUTH_CLIENT_CREDENTIALS\","
		"   \"AuthParameters\": {\"OAuthParameters\": {"
		"    \"ClientParameters\": {\"ClientID\": \"cid\", "
		"\"ClientSecret\": \"csecret-9Zt\"},"
		"    \"AuthorizationEndpoint\": \"%s/oauth/token\","
		"    \"HttpMethod\": \"POST\"}}}}}",
		base);
	json_error_t je;
	json_t *config = json_loads(cfg, 0, &je);
	if (!config) {
		fprintf(stderr, "bad config: %s\n", je.text);
		return 1;
	}
	struct sfn_task_env env = {
		.config = config,
		.config_path = "test.yaml",
		.getenv = test_getenv,
		.base_dir = dir,
	};
	test_basics(&env);
	test_url_encoded(&env);
	test_errors(&env);
	test_bodies(&env);
	test_auth(&env);
	test_secrets(&env);
	test_cancel(&env);
	test_latin1(&env);
	char *cacert = sfn_xasprintf("%s/cert.pem", dir);
	test_tls(&env, cacert);
	free(cacert);

	/* Not ours: another resource is declined, so the table goes on. */
	json_t *res;
	struct sfn_error err = { 0 };
	struct sfn_task_call other = { .resource = "arn:aws:states:::sqs:"
						   "sendMessage",
				       .state_name = "Q",
				       .parameters = config };
	SFN_CHECK_INT(backend("http")->invoke(&env, &other, &res, &err),
		      SFN_TASK_DECLINED, "declines sqs");
	sfn_error_release(&err);

	/* What `sfn run --help` lists comes from the backends. */
	struct sfn_strbuf help;
	sfn_strbuf_init(&help, 0);
	sfn_task_config_help(&help);
	SFN_CHECK(strstr(help.buf, "connections.<ARN>") &&
			  strstr(help.buf, "AWS_SHARED_CREDENTIALS_FILE") &&
			  strstr(help.buf, "tls.cacert"),
		  "config help: %s", help.buf);
	sfn_strbuf_release(&help);

	sfn_task_env_release(&env);
	json_decref(config);
	free(cfg);
	remove(keyfile);
	free(keyfile);
	sfn_test_server_stop(srv);
	sfn_test_server_stop(tls_srv);
	sfn_test_remove_cert(dir);
	free(dir);
	free(cert);
	free(key);
	return sfn_test_done();
}
