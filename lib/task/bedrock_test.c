/*
 * Bedrock against testdata/server/: invokeModel signed by libcurl's SigV4
 * and verified by the server (credential scope, signed headers, signature),
 * API keys, profiles, errors, S3 mappings, the OpenAI adapter for each model
 * family, and createModelCustomizationJob(.sync).
 */
#include "task/task.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/test.h"
#include "server.h"
#include "task/http_int.h"

static char base[64], dir[64], creds_file[128];
static json_t *vars;

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
	json_error_t je;
	json_t *p = json_loads(params, 0, &je);
	if (!p) {
		fprintf(stderr, "bad params %s: %s\n", params, je.text);
		abort();
	}
	struct sfn_task_call call = {
		.resource = resource,
		.state_name = "Model",
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

#define INVOKE "arn:aws:states:::bedrock:invokeModel"
#define CLAUDE                                                                 \
	"{\"ModelId\": \"anthropic.claude-3-haiku-20240307-v1:0\", \"Body\": " \
	"{\"anthropic_version\": \"bedrock-2023-05-31\", \"max_tokens\": "     \
	"64, \"system\": \"terse\", \"messages\": [{\"role\": \"user\", "      \
	"\"content\": [{\"type\": \"text\", \"text\": \"hello\"}]}]}"

static void test_sigv4(struct sfn_task_env *env, json_t *cfg)
{
	json_t *res;
	struct sfn_error err = { 0 };
	json_object_set_new(vars, "AWS_ACCESS_KEY_ID",
			    json_string(SFN_TEST_ACCESS_KEY));
	json_object_set_new(vars, "AWS_SECRET_ACCESS_KEY",
			    json_string(SFN_TEST_SECRET_KEY));
	SFN_CHECK_INT(run(env, INVOKE,
			  CLAUDE ", \"Trace\": \"ENABLED\", "
				 "\"GuardrailIdentifier\": \"gr-1\", "
				 "\"GuardrailVersion\": \"DRAFT\"}",
			  &res, &err),
		      SFN_TASK_OK, "sigv4 invoke");
	if (err.name)
		fprintf(stderr, "  %s: %s\n", err.name, err.cause);
	CHECK_AT(res, "/Body/content/0/text", "echo: hello");
	CHECK_AT(res, "/Body/request/modelId",
		 "anthropic.claude-3-haiku-20240307-v1%3A0");
	CHECK_AT(res, "/Body/request/trace", "ENABLED");
	CHECK_AT(res, "/Body/request/guardrail", "gr-1");
	CHECK_AT(res, "/Body/request/guardrailVersion", "DRAFT");
	CHECK_AT(res, "/Body/request/accept", "application/json");
	CHECK_AT(res, "/Body/received/max_tokens", "64");
	json_decref(res);

	/* A line break in a field sent as a header would end it and start
	 * another one: refused with States.Runtime before anything is sent. */
	static const char *const broken[] = {
		"\"ContentType\": \"application/json\\r\\nX-A: b\"",
		"\"Accept\": \"*/*\\nX-Amz-Security-Token: t\"",
		"\"GuardrailIdentifier\": \"gr-1\\r\\nX-A: b\"",
		"\"GuardrailVersion\": \"1\\n\"",
		"\"Trace\": \"ENABLED\\rX-A: b\"",
	};
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		char *params = sfn_xasprintf(CLAUDE ", %s}", broken[i]);
		SFN_CHECK_INT(run(env, INVOKE, params, &res, &err),
			      SFN_TASK_FAILED, broken[i]);
		SFN_CHECK_STR(err.name, "States.Runtime", "line break name");
		SFN_CHECK(err.cause && strstr(err.cause, "line break"),
			  "line break cause: %s", err.cause);
		free(params);
	}

	/* A wrong secret: the server's signature differs. */
	json_object_set_new(vars, "AWS_SECRET_ACCESS_KEY",
			    json_string("not-the-secret-key"));
	SFN_CHECK_INT(run(env, INVOKE, CLAUDE "}", &res, &err), SFN_TASK_FAILED,
		      "bad signature");
	SFN_CHECK_STR(err.name, "Bedrock.AccessDeniedException",
		      "bad signature name");
	SFN_CHECK(err.cause && strstr(err.cause, "signature we calculated"),
		  "bad signature cause: %s", err.cause);
	SFN_CHECK(!strstr(err.cause, "not-the-secret-key"), "leak: %s",
		  err.cause);
	json_object_set_new(vars, "AWS_SECRET_ACCESS_KEY",
			    json_string(SFN_TEST_SECRET_KEY));

	/* Session credentials: the token header goes out too. */
	json_object_set_new(vars, "AWS_SESSION_TOKEN",
			    json_string("session-token-Fq1"));
	SFN_CHECK_INT(run(env, INVOKE, CLAUDE "}", &res, &err), SFN_TASK_OK,
		      "session token");
	json_decref(res);
	json_object_del(vars, "AWS_SESSION_TOKEN");

	/* The exception name comes from x-amzn-ErrorType, the cause from
	 * the message. */
	SFN_CHECK_INT(run(env, INVOKE,
			  "{\"ModelId\": \"throttle-me\", \"Body\": {}}", &res,
			  &err),
		      SFN_TASK_FAILED, "throttled");
	SFN_CHECK_STR(err.name, "Bedrock.ThrottlingException", "throttle name");
	SFN_CHECK_STR(err.cause,
		      "Too many requests, please wait before trying again.",
		      "throttle cause");
	SFN_CHECK_INT(run(env, INVOKE,
			  "{\"ModelId\": \"legacy-model\", \"Body\": {}}", &res,
			  &err),
		      SFN_TASK_FAILED, "legacy");
	SFN_CHECK_STR(err.name, "Bedrock.ResourceNotFoundException",
		      "legacy name");

	/* A profile from the shared credentials file wins when named. */
	json_object_del(vars, "AWS_ACCESS_KEY_ID");
	json_object_del(vars, "AWS_SECRET_ACCESS_KEY");
	json_object_set_new(vars, "AWS_SHARED_CREDENTIALS_FILE",
			    json_string(creds_file));
	json_object_set_new(cfg, "profile", json_string("dev"));
	SFN_CHECK_INT(run(env, INVOKE, CLAUDE "}", &res, &err), SFN_TASK_OK,
		      "profile");
	json_decref(res);
	json_object_set_new(cfg, "profile", json_string("nobody"));
	SFN_CHECK_INT(run(env, INVOKE, CLAUDE "}", &res, &err), SFN_TASK_FAILED,
		      "missing profile");
	SFN_CHECK(err.cause && strstr(err.cause, "'nobody'"),
		  "missing profile cause: %s", err.cause);
	json_object_del(cfg, "profile");

	/* An API key instead of SigV4. */
	json_object_set_new(cfg, "apiKey", json_string(SFN_TEST_BEDROCK_KEY));
	SFN_CHECK_INT(run(env, INVOKE, CLAUDE "}", &res, &err), SFN_TASK_OK,
		      "api key");
	json_decref(res);
	json_object_set_new(cfg, "apiKey", json_string("wrong-key-Hh2"));
	SFN_CHECK_INT(run(env, INVOKE, CLAUDE "}", &res, &err), SFN_TASK_FAILED,
		      "bad api key");
	SFN_CHECK_STR(err.name, "Bedrock.AccessDeniedException", "bad key");
	json_object_del(cfg, "apiKey");
	sfn_error_release(&err);
}

static void test_s3(struct sfn_task_env *env)
{
	json_t *res;
	struct sfn_error err = { 0 };
	json_object_set_new(vars, "AWS_ACCESS_KEY_ID",
			    json_string(SFN_TEST_ACCESS_KEY));
	json_object_set_new(vars, "AWS_SECRET_ACCESS_KEY",
			    json_string(SFN_TEST_SECRET_KEY));
	char *in = sfn_xasprintf("%s/in.json", dir);
	FILE *f = fopen(in, "w");
	fputs("{\"messages\": [{\"role\": \"user\", \"content\": \"from "
	      "file\"}], \"anthropic_version\": \"bedrock-2023-05-31\"}",
	      f);
	fclose(f);
	SFN_CHECK_INT(run(env, INVOKE,
			  "{\"ModelId\": \"anthropic.claude-v2\", \"Input\": "
			  "{\"S3Uri\": \"s3://bucket/in.json\"}, \"Output\": "
			  "{\"S3Uri\": \"s3://bucket/out.json\"}}",
			  &res, &err),
		      SFN_TASK_OK, "s3 in/out");
	if (err.name)
		fprintf(stderr, "  %s: %s\n", err.name, err.cause);
	CHECK_AT(res, "/Body/S3Uri", "s3://bucket/out.json");
	json_decref(res);
	char *out = sfn_xasprintf("%s/out.json", dir);
	json_t *written = json_load_file(out, 0, NULL);
	CHECK_AT(written, "/content/0/text", "echo: from file");
	json_decref(written);
	remove(out);
	remove(in);
	free(out);
	free(in);
	/* A key's ".." segment must not lead out of the mapped directory. */
	char *escaped =
		sfn_xasprintf("%s/../sfn-escaped-%d.json", dir, (int)getpid());
	char *params = sfn_xasprintf(
		"{\"ModelId\": \"anthropic.claude-v2\", \"Body\": "
		"{\"messages\": []}, \"Output\": {\"S3Uri\": "
		"\"s3://bucket/../sfn-escaped-%d.json\"}}",
		(int)getpid());
	SFN_CHECK_INT(run(env, INVOKE, params, &res, &err), SFN_TASK_FAILED,
		      "s3 key with ..");
	SFN_CHECK(err.cause && strstr(err.cause, "'..'"), "cause: %s",
		  err.cause ? err.cause : "(null)");
	SFN_CHECK(access(escaped, F_OK) != 0, "wrote outside: %s", escaped);
	remove(escaped);
	json_decref(res);
	sfn_error_release(&err);
	free(params);
	free(escaped);
	SFN_CHECK_INT(run(env, INVOKE,
			  "{\"ModelId\": \"m\", \"Input\": {\"S3Uri\": "
			  "\"s3://elsewhere/x\"}}",
			  &res, &err),
		      SFN_TASK_FAILED, "unmapped s3");
	SFN_CHECK(err.cause && strstr(err.cause, "bedrock.s3"), "cause: %s",
		  err.cause);
	sfn_error_release(&err);
}

static void test_adapter(struct sfn_task_env *env, json_t *cfg)
{
	json_t *res;
	struct sfn_error err = { 0 };
	char *oe = sfn_xasprintf("%s/v1", base);
	json_object_set_new(cfg, "adapter", json_string("openai"));
	json_object_set_new(cfg, "openaiEndpoint", json_string(oe));
	json_object_set_new(
		cfg, "models",
		json_pack("{s:s}", "amazon.nova-lite-v1:0", "llama3"));
	SFN_CHECK_INT(run(env, INVOKE, CLAUDE "}", &res, &err), SFN_TASK_OK,
		      "adapter claude");
	CHECK_AT(res, "/Body/type", "message");
	CHECK_AT(res, "/Body/content/0/text", "echo: hello");
	CHECK_AT(res, "/Body/stop_reason", "end_turn");
	CHECK_AT(res, "/Body/usage",
		 "{\"input_tokens\":7,\"output_tokens\":3}");
	json_decref(res);
	SFN_CHECK_INT(
		run(env, INVOKE,
		    "{\"ModelId\": \"amazon.nova-lite-v1:0\", \"Body\": "
		    "{\"schemaVersion\": \"messages-v1\", \"system\": "
		    "[{\"text\": \"be brief\"}], \"messages\": [{\"role\": "
		    "\"user\", \"content\": [{\"text\": \"hi nova\"}]}], "
		    "\"inferenceConfig\": {\"maxTokens\": 9}}}",
		    &res, &err),
		SFN_TASK_OK, "adapter nova");
	CHECK_AT(res, "/Body/output/message/content/0/text", "echo: hi nova");
	CHECK_AT(res, "/Body/usage/totalTokens", "10");
	json_decref(res);
	SFN_CHECK_INT(run(env, INVOKE,
			  "{\"ModelId\": \"amazon.titan-text-express-v1\", "
			  "\"Body\": {\"inputText\": \"hi titan\", "
			  "\"textGenerationConfig\": {\"maxTokenCount\": 5}}}",
			  &res, &err),
		      SFN_TASK_OK, "adapter titan");
	CHECK_AT(res, "/Body/results/0/outputText", "echo: hi titan");
	CHECK_AT(res, "/Body/results/0/completionReason", "FINISH");
	json_decref(res);
	SFN_CHECK_INT(run(env, INVOKE,
			  "{\"ModelId\": \"amazon.titan-embed-text-v2:0\", "
			  "\"Body\": {\"inputText\": \"vec\", "
			  "\"embeddingTypes\": [\"float\"]}}",
			  &res, &err),
		      SFN_TASK_OK, "adapter embed");
	CHECK_AT(res, "/Body/embedding", "[0.25,-0.5,1]");
	CHECK_AT(res, "/Body/embeddingsByType/float", "[0.25,-0.5,1]");
	CHECK_AT(res, "/Body/inputTextTokenCount", "4");
	json_decref(res);
	SFN_CHECK_INT(run(env, INVOKE,
			  "{\"ModelId\": \"cohere.command\", \"Body\": "
			  "{\"prompt\": \"x\"}}",
			  &res, &err),
		      SFN_TASK_FAILED, "adapter unknown family");
	SFN_CHECK_STR(err.name, "Bedrock.ValidationException", "family name");
	json_object_del(cfg, "adapter");
	json_object_del(cfg, "models");
	free(oe);
	sfn_error_release(&err);
}

static void test_customization(struct sfn_task_env *env, json_t *cfg)
{
	json_t *res;
	struct sfn_error err = { 0 };
	json_object_set_new(vars, "AWS_ACCESS_KEY_ID",
			    json_string(SFN_TEST_ACCESS_KEY));
	json_object_set_new(vars, "AWS_SECRET_ACCESS_KEY",
			    json_string(SFN_TEST_SECRET_KEY));
	json_object_set_new(cfg, "pollSeconds", json_real(0.05));
	const char *job = "{\"JobName\": \"job-1\", \"CustomModelName\": "
			  "\"m1\", \"RoleArn\": \"arn:aws:iam::1:role/r\", "
			  "\"BaseModelIdentifier\": \"amazon.titan\", "
			  "\"TrainingDataConfig\": {\"S3Uri\": \"s3://b/t\"}, "
			  "\"OutputDataConfig\": {\"S3Uri\": \"s3://b/o\"}, "
			  "\"HyperParameters\": {\"Epochs\": \"1\"}}";
	SFN_CHECK_INT(run(env,
			  "arn:aws:states:::bedrock:"
			  "createModelCustomizationJob",
			  job, &res, &err),
		      SFN_TASK_OK, "create job");
	CHECK_AT(res, "/JobArn",
		 "arn:aws:bedrock:us-east-1:123456789012:"
		 "model-customization-job/job-1");
	json_decref(res);
	SFN_CHECK_INT(run(env,
			  "arn:aws:states:::bedrock:"
			  "createModelCustomizationJob.sync",
			  job, &res, &err),
		      SFN_TASK_OK, "create job .sync");
	CHECK_AT(res, "/Status", "Completed");
	json_decref(res);
	SFN_CHECK_INT(run(env,
			  "arn:aws:states:::bedrock:"
			  "createModelCustomizationJob.sync",
			  "{\"JobName\": \"fail-job\"}", &res, &err),
		      SFN_TASK_FAILED, "failed job .sync");
	SFN_CHECK(err.cause && strstr(err.cause, "bad data"), "cause: %s",
		  err.cause);
	sfn_error_release(&err);
}

int main(void)
{
	struct sfn_test_server *srv = sfn_test_server_start(NULL, NULL, 0);
	if (!srv)
		return 1;
	snprintf(base, sizeof(base), "http://127.0.0.1:%d",
		 sfn_test_server_port(srv));
	snprintf(dir, sizeof(dir), "/tmp/sfn-bedrock-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(creds_file, sizeof(creds_file), "%s/credentials", dir);
	FILE *f = fopen(creds_file, "w");
	fprintf(f,
		"[default]\naws_access_key_id = AKIDWRONG\n"
		"aws_secret_access_key = nope\n\n[dev]\n"
		"aws_access_key_id = %s\naws_secret_access_key = %s\n",
		SFN_TEST_ACCESS_KEY, SFN_TEST_SECRET_KEY);
	fclose(f);
	vars = json_object();
	json_t *config =
		json_pack("{s:{s:s,s:s,s:{s:s}}}", "bedrock", "endpoint", base,
			  "region", "us-west-2", "s3", "s3://bucket/", dir);
	json_t *cfg = json_object_get(config, "bedrock");
	struct sfn_task_env env = {
		.config = config,
		.config_path = "test.yaml",
		.getenv = test_getenv,
	};
	test_sigv4(&env, cfg);
	test_s3(&env);
	test_adapter(&env, cfg);
	test_customization(&env, cfg);

	/* Without a bedrock section the backend declines. */
	struct sfn_task_env bare = { .getenv = test_getenv };
	json_t *res;
	struct sfn_error err = { 0 };
	struct sfn_task_call call = { .resource = INVOKE,
				      .state_name = "M",
				      .parameters = config };
	SFN_CHECK_INT(backend("bedrock")->invoke(&bare, &call, &res, &err),
		      SFN_TASK_DECLINED, "declines without config");
	sfn_task_env_release(&bare);

	sfn_task_env_release(&env);
	json_decref(config);
	json_decref(vars);
	remove(creds_file);
	rmdir(dir);
	sfn_test_server_stop(srv);
	return sfn_test_done();
}
