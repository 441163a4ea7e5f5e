/*
 * Lambda against testdata/server/'s Invoke endpoint: AWS's envelope, bare
 * function ARNs with qualifiers, function errors named by errorType (the
 * cause is the payload verbatim, as in aws-recorded), Lambda.Unknown,
 * service errors with the SDK's message, SigV4 (service lambda) verified
 * by the server, and that nothing is called without a "lambda" config.
 */
#include "task/task.h"

#include <stdlib.h>
#include <string.h>

#include "base/test.h"
#include "server.h"
#include "task/http_int.h"

static json_t *vars;
static struct sfn_test_server *srv;

static const char *test_getenv(const char *name)
{
	return json_string_value(json_object_get(vars, name));
}

/* A backend by name: the table's order is not this test's business. */
static const struct sfn_task_backend *backend(const char *name)
{
	for (size_t i = 0; sfn_task_backends[i]; i++)
		if (!strcmp(sfn_task_backends[i]->name, name))
			return sfn_task_backends[i];
	abort();
}

static enum sfn_task_outcome run(struct sfn_task_env *env, const char *resource,
				 const char *params, json_t **res,
				 struct sfn_error *err)
{
	json_t *p = json_loads(params, JSON_DECODE_ANY, NULL);
	if (!p)
		abort();
	struct sfn_task_call call = {
		.resource = resource,
		.state_name = "Fn",
		.parameters = p,
	};
	*res = NULL;
	sfn_error_release(err);
	enum sfn_task_outcome o = sfn_task_invoke(env, &call, res, err);
	json_decref(p);
	return o;
}

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

#define INVOKE "arn:aws:states:::lambda:invoke"

static void test_calls(struct sfn_task_env *env)
{
	json_t *res;
	struct sfn_error err = { 0 };
	SFN_CHECK_INT(run(env, INVOKE,
			  "{\"FunctionName\": \"echo\", \"Payload\": {\"a\": "
			  "[1, 2]}}",
			  &res, &err),
		      SFN_TASK_OK, "invoke echo");
	CHECK_AT(res, "/Payload", "{\"a\":[1,2]}");
	CHECK_AT(res, "/StatusCode", "200");
	CHECK_AT(res, "/ExecutedVersion", "$LATEST");
	CHECK_AT(res, "/SdkHttpMetadata/HttpStatusCode", "200");
	CHECK_AT(res, "/SdkHttpMetadata/AllHttpHeaders/X-Amz-Executed-Version",
		 "[\"$LATEST\"]");
	CHECK_AT(res, "/SdkHttpMetadata/HttpHeaders/X-Amz-Executed-Version",
		 "$LATEST");
	CHECK_AT(res, "/SdkResponseMetadata/RequestId", "req-2");
	json_decref(res);

	/* Invoke options go out as Lambda's headers. */
	SFN_CHECK_INT(
		run(env, INVOKE,
		    "{\"FunctionName\": \"echo\", \"Qualifier\": \"v2\","
		    " \"InvocationType\": \"RequestResponse\","
		    " \"LogType\": \"Tail\", \"ClientContext\": \"e30=\"}",
		    &res, &err),
		SFN_TASK_OK, "invoke options");
	json_decref(res);
	json_t *last = sfn_test_server_last(srv);
	CHECK_AT(last, "/query", "Qualifier=v2");
	CHECK_AT(last, "/headers/x-amz-invocation-type", "RequestResponse");
	CHECK_AT(last, "/headers/x-amz-log-type", "Tail");
	CHECK_AT(last, "/headers/x-amz-client-context", "e30=");
	CHECK_AT(last, "/body", "{}");
	json_decref(last);

	/* A line break in an option would end its header and start another
	 * one (e.g. a forged Authorization): refused, nothing is sent. */
	static const char *const broken[] = {
		"\"InvocationType\": \"Event\\r\\nAuthorization: x\"",
		"\"LogType\": \"Tail\\nX-Amz-Invocation-Type: Event\"",
		"\"ClientContext\": \"e30=\\r\"",
	};
	for (size_t i = 0; i < 3; i++) {
		json_t *before = sfn_test_server_last(srv);
		char *params = sfn_xasprintf("{\"FunctionName\": \"echo\", %s}",
					     broken[i]);
		SFN_CHECK_INT(run(env, INVOKE, params, &res, &err),
			      SFN_TASK_FAILED, broken[i]);
		SFN_CHECK_STR(err.name, "States.Runtime", "line break name");
		SFN_CHECK(err.cause && strstr(err.cause, "line break"),
			  "line break cause: %s", err.cause);
		json_t *after = sfn_test_server_last(srv);
		SFN_CHECK(json_equal(before, after), "sent: %s", broken[i]);
		json_decref(before);
		json_decref(after);
		free(params);
	}

	/* A string payload stays a string. */
	SFN_CHECK_INT(run(env, INVOKE,
			  "{\"FunctionName\": \"echo\", \"Payload\": \"hi\"}",
			  &res, &err),
		      SFN_TASK_OK, "string payload");
	CHECK_AT(res, "/Payload", "hi");
	json_decref(res);

	/* Bare ARNs give the payload itself; a qualifier goes in the query. */
	SFN_CHECK_INT(run(env,
			  "arn:aws:lambda:us-east-1:123456789012:function:"
			  "echo:live",
			  "{\"x\": true}", &res, &err),
		      SFN_TASK_OK, "bare arn");
	CHECK_AT(res, "", "{\"x\":true}");
	json_decref(res);

	SFN_CHECK_INT(
		run(env, INVOKE, "{\"FunctionName\": \"fail\"}", &res, &err),
		SFN_TASK_FAILED, "function error");
	SFN_CHECK_STR(err.name, "ValueError", "function error name");
	SFN_CHECK_STR(err.cause,
		      "{\"errorMessage\":\"boom\",\"errorType\":\"ValueError\","
		      "\"stackTrace\":[\"  File x, line 1\"]}",
		      "function error cause");
	SFN_CHECK_INT(
		run(env, INVOKE, "{\"FunctionName\": \"crash\"}", &res, &err),
		SFN_TASK_FAILED, "crash");
	SFN_CHECK_STR(err.name, "Lambda.Unknown", "crash name");
	SFN_CHECK_INT(
		run(env, INVOKE, "{\"FunctionName\": \"nope\"}", &res, &err),
		SFN_TASK_FAILED, "missing function");
	SFN_CHECK_STR(err.name, "Lambda.ResourceNotFoundException",
		      "missing name");
	SFN_CHECK_STR(err.cause,
		      "Function not found: arn:aws:lambda:us-east-1:"
		      "123456789012:function:nope (Service: AWSLambda; Status "
		      "Code: 404; Error Code: ResourceNotFoundException; "
		      "Request ID: ; Proxy: null)",
		      "missing cause");
	SFN_CHECK_INT(run(env, INVOKE, "{\"FunctionName\": \"throttled\"}",
			  &res, &err),
		      SFN_TASK_FAILED, "throttled");
	SFN_CHECK_STR(err.name, "Lambda.TooManyRequestsException",
		      "throttled name");
	sfn_error_release(&err);
}

int main(void)
{
	srv = sfn_test_server_start(NULL, NULL, 0);
	if (!srv)
		return 1;
	char base[64];
	snprintf(base, sizeof(base), "http://127.0.0.1:%d",
		 sfn_test_server_port(srv));
	vars = json_object();
	json_t *config = json_pack("{s:{s:s}}", "lambda", "endpoint", base);
	struct sfn_task_env env = {
		.config = config,
		.getenv = test_getenv,
	};
	/* Unsigned, as against a local emulator. */
	test_calls(&env);
	json_t *last = sfn_test_server_last(srv);
	SFN_CHECK(!json_object_get(json_object_get(last, "headers"),
				   "authorization"),
		  "unsigned without credentials");
	json_decref(last);
	/* Signed: the server checks scope 'lambda' and the signature. */
	json_object_set_new(vars, "AWS_ACCESS_KEY_ID",
			    json_string(SFN_TEST_ACCESS_KEY));
	json_object_set_new(vars, "AWS_SECRET_ACCESS_KEY",
			    json_string(SFN_TEST_SECRET_KEY));
	test_calls(&env);
	last = sfn_test_server_last(srv);
	const char *auth = json_string_value(json_object_get(
		json_object_get(last, "headers"), "authorization"));
	SFN_CHECK(auth && strstr(auth, "/us-east-1/lambda/aws4_request"),
		  "signed for lambda: %s", auth ? auth : "(none)");
	json_decref(last);
	json_object_set_new(vars, "AWS_SECRET_ACCESS_KEY",
			    json_string("wrong-secret"));
	json_t *res;
	struct sfn_error err = { 0 };
	SFN_CHECK_INT(
		run(&env, INVOKE, "{\"FunctionName\": \"echo\"}", &res, &err),
		SFN_TASK_FAILED, "bad signature");
	SFN_CHECK_STR(err.name, "Lambda.InvalidSignatureException",
		      "bad signature name");
	sfn_error_release(&err);

	/* No "lambda" config: declined, so real AWS is never called. */
	struct sfn_task_env bare = { .getenv = test_getenv };
	struct sfn_task_call call = { .resource = INVOKE,
				      .state_name = "Fn",
				      .parameters = config };
	SFN_CHECK_INT(backend("lambda")->invoke(&bare, &call, &res, &err),
		      SFN_TASK_DECLINED, "declines without config");
	sfn_task_env_release(&bare);

	sfn_task_env_release(&env);
	json_decref(config);
	json_decref(vars);
	sfn_test_server_stop(srv);
	return sfn_test_done();
}
