/*
 * Bedrock (sfn-features.md §4): invokeModel against the Bedrock Runtime REST
 * API (POST /model/{id}/invoke, SigV4 signing name "bedrock", or an API key
 * as Bearer), an endpoint override, and an adapter that serves invokeModel
 * bodies of the common model families from an OpenAI-compatible server.
 * createModelCustomizationJob (and .sync) goes to the control-plane API.
 *
 * Served only when the config has a "bedrock" section, so a definition never
 * reaches AWS unless asked to.
 */
#include "task/task.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "task/http_int.h"
#include "task/task_int.h"

#define INVOKE	  "arn:aws:states:::bedrock:invokeModel"
#define CUSTOMIZE "arn:aws:states:::bedrock:createModelCustomizationJob"

static const char *str_field(json_t *o, const char *k)
{
	json_t *v = o ? json_object_get(o, k) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static long timeout_ms(const struct sfn_task_call *call, json_t *cfg)
{
	double s = 300; /* model calls are slow; AWS's own cap is the Task's */
	if (json_is_number(json_object_get(cfg, "timeoutSeconds")))
		s = sfn_json_number(json_object_get(cfg, "timeoutSeconds"));
	if (call->timeout_seconds > 0 && call->timeout_seconds < s)
		s = call->timeout_seconds;
	return (long)(s * 1000);
}

/*
 * Maps the s3:// URI of @field to a local path through config bedrock.s3
 * {"s3://bucket/prefix": "dir"}, longest prefix first. New string, or NULL
 * with @err: no mapping, or a key with a ".." segment, which would lead out
 * of the mapped directory (S3 keys are names, not paths).
 */
static char *s3_path(struct sfn_task_env *env, json_t *cfg, const char *uri,
		     const char *field, struct sfn_error *err)
{
	json_t *map = json_object_get(cfg, "s3");
	const char *k, *best = NULL;
	json_t *v, *bestv = NULL;
	json_object_foreach(map, k, v) {
		if (json_is_string(v) && !strncmp(uri, k, strlen(k)) &&
		    (!best || strlen(k) > strlen(best))) {
			best = k;
			bestv = v;
		}
	}
	const char *where = env->config_path ? env->config_path : "the config";
	if (!best) {
		sfn_errorf(err, SFN_E_RUNTIME, NULL,
			   "%s '%s' has no local mapping: add it under "
			   "bedrock.s3 in %s, e.g. {\"s3://bucket/\": \"dir\"}",
			   field, uri, where);
		return NULL;
	}
	const char *rest = uri + strlen(best);
	while (*rest == '/')
		rest++;
	for (const char *seg = rest; *seg;) {
		size_t n = strcspn(seg, "/");
		if (n == 2 && !strncmp(seg, "..", 2)) {
			sfn_errorf(err, SFN_E_RUNTIME, NULL,
				   "%s '%s' has a '..' segment, which would "
				   "lead out of the directory bedrock.s3 maps "
				   "'%s' to in %s",
				   field, uri, best, where);
			return NULL;
		}
		seg += n;
		while (*seg == '/')
			seg++;
	}
	char *dir = sfn_task_path(env, json_string_value(bestv));
	char *out =
		*rest ? sfn_xasprintf("%s/%s", dir, rest) : sfn_xstrdup(dir);
	free(dir);
	return out;
}

/* Bedrock's exception for an HTTP status, when the response names none. */
static const char *status_exception(long status)
{
	switch (status) {
	case 400:
		return "ValidationException";
	case 401:
	case 403:
		return "AccessDeniedException";
	case 404:
		return "ResourceNotFoundException";
	case 408:
		return "ModelTimeoutException";
	case 424:
		return "ModelErrorException";
	case 429:
		return "ThrottlingException";
	case 503:
		return "ServiceUnavailableException";
	default:
		return "InternalServerException";
	}
}

static int fail_response(const struct sfn_http_resp *resp,
			 struct sfn_error *err)
{
	char *msg = NULL;
	char *name =
		sfn_aws_error_name(resp, status_exception(resp->status), &msg);
	char *full = sfn_xasprintf("Bedrock.%s", name);
	sfn_errorf(err, full, NULL, "%s",
		   msg ? msg : (resp->body.buf ? resp->body.buf : ""));
	free(full);
	free(name);
	free(msg);
	return -1;
}

static int fail_transport(enum sfn_http_status st, const char *what,
			  const char *errmsg, const struct sfn_task_call *call,
			  struct sfn_error *err)
{
	if (st == SFN_HTTP_TIMEOUT && call->timeout_seconds > 0)
		return sfn_errorf(err, SFN_E_TIMEOUT, NULL,
				  "Task timed out after %g seconds",
				  call->timeout_seconds);
	return sfn_errorf(err,
			  st == SFN_HTTP_TIMEOUT
				  ? "Bedrock.ModelTimeoutException"
				  : SFN_E_TASK_FAILED,
			  NULL, "%s failed: %s", what, errmsg);
}

/* ---- the OpenAI adapter ---- */

enum family { FAM_NONE, FAM_ANTHROPIC, FAM_NOVA, FAM_TITAN_TEXT, FAM_EMBED };

static enum family model_family(const char *id, json_t *body)
{
	if (strstr(id, "anthropic") ||
	    json_object_get(body, "anthropic_version"))
		return FAM_ANTHROPIC;
	if (strstr(id, "embed"))
		return FAM_EMBED;
	if (strstr(id, "nova") || json_object_get(body, "schemaVersion") ||
	    json_object_get(body, "inferenceConfig"))
		return FAM_NOVA;
	if (strstr(id, "titan") || json_object_get(body, "inputText"))
		return FAM_TITAN_TEXT;
	return FAM_NONE;
}

/* Concatenated text of a content value: a string or [{type?, text}]. */
static char *content_text(json_t *c)
{
	if (json_is_string(c))
		return sfn_xstrdup(json_string_value(c));
	struct sfn_strbuf sb;
	sfn_strbuf_init(&sb, 64);
	size_t i;
	json_t *b;
	json_array_foreach(c, i, b) {
		const char *t = str_field(b, "text");
		if (t) {
			if (sb.len)
				sfn_strbuf_addch(&sb, '\n');
			sfn_strbuf_adds(&sb, t);
		}
	}
	return sfn_strbuf_detach(&sb, NULL);
}

static void add_msg(json_t *msgs, const char *role, char *text)
{
	json_array_append_new(msgs, json_pack("{s:s,s:s}", "role", role,
					      "content", text ? text : ""));
	free(text);
}

static void copy_num(json_t *to, const char *tk, json_t *from, const char *fk)
{
	json_t *v = json_object_get(from, fk);
	if (v)
		json_object_set(to, tk, v);
}

/* The OpenAI chat request for an invokeModel body. New reference. */
static json_t *to_openai(enum family fam, const char *model, json_t *body)
{
	json_t *req = json_pack("{s:s}", "model", model);
	json_t *msgs = json_array();
	size_t i;
	json_t *m;
	if (fam == FAM_EMBED) {
		json_object_set(req, "input",
				json_object_get(body, "inputText"));
		if (json_object_get(body, "dimensions"))
			copy_num(req, "dimensions", body, "dimensions");
		json_decref(msgs);
		return req;
	}
	if (fam == FAM_ANTHROPIC) {
		json_t *sys = json_object_get(body, "system");
		if (sys)
			add_msg(msgs, "system", content_text(sys));
		json_array_foreach(json_object_get(body, "messages"), i, m)
			add_msg(msgs,
				str_field(m, "role") ? str_field(m, "role")
						     : "user",
				content_text(json_object_get(m, "content")));
		copy_num(req, "max_tokens", body, "max_tokens");
		copy_num(req, "temperature", body, "temperature");
		copy_num(req, "top_p", body, "top_p");
		copy_num(req, "stop", body, "stop_sequences");
	} else if (fam == FAM_NOVA) {
		json_t *sys = json_object_get(body, "system");
		if (sys)
			add_msg(msgs, "system", content_text(sys));
		json_array_foreach(json_object_get(body, "messages"), i, m)
			add_msg(msgs,
				str_field(m, "role") ? str_field(m, "role")
						     : "user",
				content_text(json_object_get(m, "content")));
		json_t *ic = json_object_get(body, "inferenceConfig");
		copy_num(req, "max_tokens", ic, "maxTokens");
		copy_num(req, "temperature", ic, "temperature");
		copy_num(req, "top_p", ic, "topP");
		copy_num(req, "stop", ic, "stopSequences");
	} else {
		add_msg(msgs, "user",
			sfn_xstrdup(str_field(body, "inputText")
					    ? str_field(body, "inputText")
					    : ""));
		json_t *tc = json_object_get(body, "textGenerationConfig");
		copy_num(req, "max_tokens", tc, "maxTokenCount");
		copy_num(req, "temperature", tc, "temperature");
		copy_num(req, "top_p", tc, "topP");
		copy_num(req, "stop", tc, "stopSequences");
	}
	json_object_set_new(req, "messages", msgs);
	return req;
}

static json_int_t usage(json_t *resp, const char *k)
{
	json_t *v = json_object_get(json_object_get(resp, "usage"), k);
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* The invokeModel response body of @fam for an OpenAI answer. New. */
static json_t *from_openai(enum family fam, const char *model_id, json_t *in,
			   json_t *body)
{
	if (fam == FAM_EMBED) {
		json_t *emb = json_object_get(
			json_array_get(json_object_get(in, "data"), 0),
			"embedding");
		json_t *out = json_pack(
			"{s:O,s:I}", "embedding", emb ? emb : json_null(),
			"inputTextTokenCount", usage(in, "prompt_tokens"));
		if (json_object_get(body, "embeddingTypes"))
			json_object_set_new(out, "embeddingsByType",
					    json_pack("{s:O}", "float", emb));
		return out;
	}
	json_t *choice = json_array_get(json_object_get(in, "choices"), 0);
	const char *text =
		str_field(json_object_get(choice, "message"), "content");
	const char *finish = str_field(choice, "finish_reason");
	bool length = finish && !strcmp(finish, "length");
	json_int_t pin = usage(in, "prompt_tokens"),
		   pout = usage(in, "completion_tokens");
	if (!text)
		text = "";
	if (fam == FAM_ANTHROPIC) {
		const char *id = str_field(in, "id");
		return json_pack(
			"{s:s,s:s,s:s,s:s,s:[{s:s,s:s}],s:s,s:n,"
			"s:{s:I,s:I}}",
			"id", id ? id : "msg_local", "type", "message", "role",
			"assistant", "model", model_id, "content", "type",
			"text", "text", text, "stop_reason",
			length ? "max_tokens" : "end_turn", "stop_sequence",
			"usage", "input_tokens", pin, "output_tokens", pout);
	}
	if (fam == FAM_NOVA)
		return json_pack("{s:{s:{s:s,s:[{s:s}]}},s:s,s:{s:I,s:I,s:I}}",
				 "output", "message", "role", "assistant",
				 "content", "text", text, "stopReason",
				 length ? "max_tokens" : "end_turn", "usage",
				 "inputTokens", pin, "outputTokens", pout,
				 "totalTokens", pin + pout);
	return json_pack("{s:I,s:[{s:I,s:s,s:s}]}", "inputTextTokenCount", pin,
			 "results", "tokenCount", pout, "outputText", text,
			 "completionReason", length ? "LENGTH" : "FINISH");
}

static json_t *invoke_openai(struct sfn_task_env *env,
			     const struct sfn_task_call *call, json_t *cfg,
			     const char *model_id, json_t *body,
			     struct sfn_error *err)
{
	const char *base = str_field(cfg, "openaiEndpoint");
	enum family fam = model_family(model_id, body);
	json_t *out = NULL, *req = NULL, *doc = NULL;
	char *key = NULL, *url = NULL, *text = NULL, *auth = NULL;
	struct curl_slist *hl = NULL;
	struct sfn_http_resp resp;
	sfn_http_resp_init(&resp);
	if (!base) {
		sfn_errorf(err, SFN_E_RUNTIME, NULL,
			   "%s: bedrock.adapter is 'openai' but "
			   "bedrock.openaiEndpoint is not set; give the base "
			   "URL, e.g. http://127.0.0.1:8080/v1",
			   env->config_path ? env->config_path : "the config");
		goto out;
	}
	if (fam == FAM_NONE || !json_is_object(body)) {
		sfn_errorf(err, "Bedrock.ValidationException", NULL,
			   "the openai adapter cannot translate the body of "
			   "model '%s': it serves Anthropic messages, Amazon "
			   "Nova, Titan text and Titan embeddings",
			   model_id);
		goto out;
	}
	json_t *models = json_object_get(cfg, "models");
	const char *model = str_field(models, model_id);
	req = to_openai(fam, model ? model : model_id, body);
	url = sfn_xasprintf("%s/%s", base,
			    fam == FAM_EMBED ? "embeddings"
					     : "chat/completions");
	text = sfn_json_dumps(req, 0);
	hl = curl_slist_append(hl, "Content-Type: application/json");
	hl = curl_slist_append(hl, "Expect:");
	if (json_object_get(cfg, "openaiApiKey")) {
		key = sfn_task_secret(env, json_object_get(cfg, "openaiApiKey"),
				      "bedrock.openaiApiKey", err);
		if (!key)
			goto out;
		auth = sfn_xasprintf("Authorization: Bearer %s", key);
		hl = curl_slist_append(hl, auth);
	}
	struct sfn_http_req r = {
		.method = "POST",
		.url = url,
		.headers = hl,
		.body = text,
		.body_len = strlen(text),
		.timeout_ms = timeout_ms(call, cfg),
		.max_body = 64 << 20,
		.cancel = call->cancel,
	};
	char errmsg[CURL_ERROR_SIZE];
	enum sfn_http_status st = sfn_http_perform(env, &r, &resp, errmsg);
	if (st != SFN_HTTP_OK) {
		fail_transport(st, url, errmsg, call, err);
		goto out;
	}
	if (resp.status / 100 != 2) {
		fail_response(&resp, err);
		goto out;
	}
	doc = sfn_json_loadb(resp.body.buf ? resp.body.buf : "", resp.body.len,
			     0, NULL);
	if (!json_is_object(doc)) {
		sfn_errorf(err, "Bedrock.ModelErrorException", NULL,
			   "the OpenAI-compatible endpoint '%s' answered "
			   "something that is not a JSON object",
			   url);
		goto out;
	}
	out = from_openai(fam, model_id, doc, body);
out:
	json_decref(doc);
	json_decref(req);
	sfn_http_resp_release(&resp);
	curl_slist_free_all(hl);
	free(url);
	free(text);
	free(key);
	free(auth);
	return out;
}

/* ---- invokeModel ---- */

static const struct {
	const char *field;
	const char *header;
} header_fields[] = {
	{ "Trace", "X-Amzn-Bedrock-Trace" },
	{ "GuardrailIdentifier", "X-Amzn-Bedrock-GuardrailIdentifier" },
	{ "GuardrailVersion", "X-Amzn-Bedrock-GuardrailVersion" },
	{ "PerformanceConfigLatency",
	  "X-Amzn-Bedrock-PerformanceConfig-Latency" },
	{ "ServiceTier", "X-Amzn-Bedrock-Service-Tier" },
};

static int read_input(struct sfn_task_env *env, json_t *cfg, const char *uri,
		      struct sfn_strbuf *sb, struct sfn_error *err)
{
	char *path = s3_path(env, cfg, uri, "Input.S3Uri", err);
	if (!path)
		return -1;
	int rc = sfn_strbuf_read_file(sb, path);
	if (rc < 0)
		sfn_errorf(err, "Bedrock.ValidationException", NULL,
			   "cannot read '%s' (Input.S3Uri '%s'): %s", path, uri,
			   strerror(errno));
	free(path);
	return rc;
}

static int write_output(struct sfn_task_env *env, json_t *cfg, const char *uri,
			const char *data, size_t n, struct sfn_error *err)
{
	char *path = s3_path(env, cfg, uri, "Output.S3Uri", err);
	if (!path)
		return -1;
	FILE *f = fopen(path, "wb");
	int rc = 0;
	if (!f || fwrite(data, 1, n, f) != n)
		rc = sfn_errorf(err, SFN_E_TASK_FAILED, NULL,
				"cannot write '%s' (Output.S3Uri '%s'): %s",
				path, uri, strerror(errno));
	if (f && fclose(f) != 0 && !rc)
		rc = sfn_errorf(err, SFN_E_TASK_FAILED, NULL,
				"cannot write '%s': %s", path, strerror(errno));
	free(path);
	return rc;
}

static enum sfn_task_outcome invoke_model(struct sfn_task_env *env,
					  const struct sfn_task_call *call,
					  json_t *cfg, json_t **result,
					  struct sfn_error *err)
{
	json_t *p = call->parameters;
	const char *model = str_field(p, "ModelId");
	json_t *body = json_object_get(p, "Body");
	const char *in_uri = str_field(json_object_get(p, "Input"), "S3Uri");
	const char *out_uri = str_field(json_object_get(p, "Output"), "S3Uri");
	enum sfn_task_outcome outcome = SFN_TASK_FAILED;
	struct sfn_strbuf payload, url;
	sfn_strbuf_init(&payload, 0);
	sfn_strbuf_init(&url, 128);
	struct sfn_aws_creds creds = { 0 };
	struct curl_slist *hl = NULL;
	struct sfn_http_resp resp;
	sfn_http_resp_init(&resp);
	char *bearer = NULL;
	json_t *parsed = NULL, *in_doc = NULL;

	if (!model) {
		sfn_errorf(err, SFN_E_RUNTIME, NULL,
			   "the bedrock:invokeModel Task of state '%s' needs a "
			   "string 'ModelId'",
			   call->state_name);
		goto out;
	}
	if (body && in_uri) {
		sfn_errorf(err, SFN_E_RUNTIME, NULL,
			   "state '%s' gives both 'Body' and 'Input'; give one",
			   call->state_name);
		goto out;
	}
	/* These go out as headers: a line break would start another one. */
	static const char *const header_strings[] = { "ContentType", "Accept" };
	for (size_t i = 0; i < 2; i++) {
		const char *v = str_field(p, header_strings[i]);
		if (v && sfn_http_header_field_check(call, header_strings[i], v,
						     err) < 0)
			goto out;
	}
	for (size_t i = 0; i < sizeof(header_fields) / sizeof(header_fields[0]);
	     i++) {
		const char *v = str_field(p, header_fields[i].field);
		if (v && sfn_http_header_field_check(
				 call, header_fields[i].field, v, err) < 0)
			goto out;
	}
	if (in_uri) {
		if (read_input(env, cfg, in_uri, &payload, err) < 0)
			goto out;
	} else if (json_is_string(body)) {
		sfn_strbuf_adds(&payload, json_string_value(body));
	} else if (body) {
		sfn_json_dump(&payload, body, 0);
	}

	const char *adapter = str_field(cfg, "adapter");
	if (adapter && !strcmp(adapter, "openai")) {
		in_doc = body ? json_incref(body)
			      : sfn_json_loadb(payload.buf ? payload.buf : "",
					       payload.len, 0, NULL);
		parsed = invoke_openai(env, call, cfg, model, in_doc, err);
		if (!parsed)
			goto out;
		if (out_uri) {
			char *t = sfn_json_dumps(parsed, 0);
			int rc = write_output(env, cfg, out_uri, t, strlen(t),
					      err);
			free(t);
			if (rc < 0)
				goto out;
		}
		goto done;
	} else if (adapter) {
		sfn_errorf(err, SFN_E_RUNTIME, NULL,
			   "%s: bedrock.adapter '%s' is unknown; the one "
			   "adapter is 'openai'",
			   env->config_path ? env->config_path : "the config",
			   adapter);
		goto out;
	}

	/* Auth: an API key (Bearer) or SigV4 credentials. */
	if (json_object_get(cfg, "apiKey")) {
		bearer = sfn_task_secret(env, json_object_get(cfg, "apiKey"),
					 "bedrock.apiKey", err);
		if (!bearer)
			goto out;
	} else if (sfn_task_getenv(env, "AWS_BEARER_TOKEN_BEDROCK")) {
		bearer = sfn_xstrdup(
			sfn_task_getenv(env, "AWS_BEARER_TOKEN_BEDROCK"));
	}
	if (bearer)
		sfn_integ_add_secret(sfn_integ_get(env), bearer);
	if (!bearer && sfn_aws_creds_load(env, cfg, &creds, err) < 0)
		goto out;
	if (bearer) {
		/* Only the region matters; no keys needed. */
		struct sfn_error ignore = { 0 };
		if (sfn_aws_creds_load(env, cfg, &creds, &ignore) < 0) {
			const char *r = env->aws_region
						? env->aws_region
						: str_field(cfg, "region");
			creds.region = sfn_xstrdup(r ? r : "us-east-1");
		}
		sfn_error_release(&ignore);
	}
	const char *region = creds.region ? creds.region : "us-east-1";
	if (str_field(cfg, "endpoint"))
		sfn_strbuf_adds(&url, str_field(cfg, "endpoint"));
	else
		sfn_strbuf_addf(&url,
				"https://bedrock-runtime.%s.amazonaws.com",
				region);
	while (url.len && url.buf[url.len - 1] == '/')
		url.buf[--url.len] = '\0';
	sfn_strbuf_adds(&url, "/model/");
	sfn_uri_encode(&url, model, strlen(model), false);
	sfn_strbuf_adds(&url, "/invoke");

	char *h = sfn_xasprintf("Content-Type: %s",
				str_field(p, "ContentType")
					? str_field(p, "ContentType")
					: "application/json");
	hl = curl_slist_append(hl, h);
	free(h);
	h = sfn_xasprintf("Accept: %s", str_field(p, "Accept")
						? str_field(p, "Accept")
						: "application/json");
	hl = curl_slist_append(hl, h);
	free(h);
	hl = curl_slist_append(hl, "Expect:");
	for (size_t i = 0; i < sizeof(header_fields) / sizeof(header_fields[0]);
	     i++) {
		json_t *v = json_object_get(p, header_fields[i].field);
		if (!v)
			continue;
		char *t = json_is_string(v) ? sfn_xstrdup(json_string_value(v))
					    : sfn_json_dumps(v, 0);
		h = sfn_xasprintf("%s: %s", header_fields[i].header, t);
		hl = curl_slist_append(hl, h);
		free(h);
		free(t);
	}
	struct sfn_http_req req = {
		.method = "POST",
		.url = url.buf,
		.headers = hl,
		.body = payload.buf ? payload.buf : "",
		.body_len = payload.len,
		.timeout_ms = timeout_ms(call, cfg),
		.max_body = 64 << 20,
		.cancel = call->cancel,
	};
	char errmsg[CURL_ERROR_SIZE];
	enum sfn_http_status st = sfn_aws_perform(env, &req, "bedrock", &creds,
						  bearer, &resp, errmsg);
	if (st != SFN_HTTP_OK) {
		fail_transport(st, url.buf, errmsg, call, err);
		goto out;
	}
	if (resp.status / 100 != 2) {
		fail_response(&resp, err);
		goto out;
	}
	if (out_uri) {
		if (write_output(env, cfg, out_uri,
				 resp.body.buf ? resp.body.buf : "",
				 resp.body.len, err) < 0)
			goto out;
	} else {
		parsed = sfn_json_loadb(resp.body.buf ? resp.body.buf : "",
					resp.body.len, JSON_DECODE_ANY, NULL);
		if (!parsed)
			parsed =
				json_stringn(resp.body.buf ? resp.body.buf : "",
					     resp.body.len);
		if (!parsed) {
			sfn_errorf(err, SFN_E_RUNTIME, NULL,
				   "model '%s' answered a body that is "
				   "neither JSON nor UTF-8 text",
				   model);
			goto out;
		}
	}
done:
	/*
	 * With Output.S3Uri the body is replaced by a reference to where it
	 * went (CDK: "the API response body will be replaced with a reference
	 * to the output location"); the exact shape is unconfirmed.
	 */
	if (out_uri) {
		json_decref(parsed);
		*result = json_pack("{s:{s:s}}", "Body", "S3Uri", out_uri);
	} else {
		*result = json_pack("{s:O}", "Body", parsed);
	}
	outcome = SFN_TASK_OK;
out:
	json_decref(parsed);
	json_decref(in_doc);
	sfn_http_resp_release(&resp);
	curl_slist_free_all(hl);
	sfn_strbuf_release(&payload);
	sfn_strbuf_release(&url);
	sfn_aws_creds_release(&creds);
	free(bearer);
	return outcome;
}

/* ---- createModelCustomizationJob[.sync] ---- */

/* PascalCase keys to the control-plane API's camelCase, recursively. */
static json_t *camel(json_t *v, bool keep_keys)
{
	const char *k;
	json_t *x;
	size_t i;
	if (json_is_object(v)) {
		json_t *o = json_object();
		json_object_foreach(v, k, x) {
			char *ck = sfn_xstrdup(k);
			if (!keep_keys && ck[0] >= 'A' && ck[0] <= 'Z')
				ck[0] = (char)(ck[0] - 'A' + 'a');
			/* HyperParameters is a string map: keys as given. */
			json_object_set_new(
				o, ck, camel(x, !strcmp(k, "HyperParameters")));
			free(ck);
		}
		return o;
	}
	if (json_is_array(v)) {
		json_t *a = json_array();
		json_array_foreach(v, i, x)
			json_array_append_new(a, camel(x, false));
		return a;
	}
	return json_incref(v);
}

/* camelCase response keys to Step Functions' PascalCase. */
static json_t *pascal(json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;
	if (json_is_object(v)) {
		json_t *o = json_object();
		json_object_foreach(v, k, x) {
			char *pk = sfn_xstrdup(k);
			if (pk[0] >= 'a' && pk[0] <= 'z')
				pk[0] = (char)(pk[0] - 'a' + 'A');
			json_object_set_new(o, pk, pascal(x));
			free(pk);
		}
		return o;
	}
	if (json_is_array(v)) {
		json_t *a = json_array();
		json_array_foreach(v, i, x)
			json_array_append_new(a, pascal(x));
		return a;
	}
	return json_incref(v);
}

static json_t *control_call(struct sfn_task_env *env,
			    const struct sfn_task_call *call, json_t *cfg,
			    const struct sfn_aws_creds *creds,
			    const char *bearer, const char *method,
			    const char *path, const char *body,
			    struct sfn_error *err)
{
	struct sfn_strbuf url;
	sfn_strbuf_init(&url, 128);
	const char *ep = str_field(cfg, "controlEndpoint")
				 ? str_field(cfg, "controlEndpoint")
				 : str_field(cfg, "endpoint");
	if (ep)
		sfn_strbuf_adds(&url, ep);
	else
		sfn_strbuf_addf(&url, "https://bedrock.%s.amazonaws.com",
				creds->region ? creds->region : "us-east-1");
	sfn_strbuf_adds(&url, path);
	struct curl_slist *hl = NULL;
	hl = curl_slist_append(hl, "Content-Type: application/json");
	hl = curl_slist_append(hl, "Expect:");
	struct sfn_http_req req = {
		.method = method,
		.url = url.buf,
		.headers = hl,
		.body = body,
		.body_len = body ? strlen(body) : 0,
		.timeout_ms = 60000,
		.max_body = 16 << 20,
		.cancel = call->cancel,
	};
	struct sfn_http_resp resp;
	sfn_http_resp_init(&resp);
	char errmsg[CURL_ERROR_SIZE];
	json_t *doc = NULL;
	enum sfn_http_status st = sfn_aws_perform(env, &req, "bedrock", creds,
						  bearer, &resp, errmsg);
	if (st != SFN_HTTP_OK)
		fail_transport(st, url.buf, errmsg, call, err);
	else if (resp.status / 100 != 2)
		fail_response(&resp, err);
	else if (!(doc = sfn_json_loadb(resp.body.buf ? resp.body.buf : "",
					resp.body.len, 0, NULL)))
		sfn_errorf(err, "Bedrock.InternalServerException", NULL,
			   "%s answered something that is not JSON", url.buf);
	sfn_http_resp_release(&resp);
	curl_slist_free_all(hl);
	sfn_strbuf_release(&url);
	return doc;
}

static bool cancelled(struct sfn_task_env *env,
		      const struct sfn_task_call *call)
{
	atomic_int *c = call->cancel ? call->cancel : env->cancel;
	return c && atomic_load(c);
}

static enum sfn_task_outcome customize(struct sfn_task_env *env,
				       const struct sfn_task_call *call,
				       json_t *cfg, bool sync, json_t **result,
				       struct sfn_error *err)
{
	struct sfn_aws_creds creds = { 0 };
	char *bearer = NULL, *body = NULL, *jpath = NULL;
	json_t *req = NULL, *created = NULL, *job = NULL;
	enum sfn_task_outcome outcome = SFN_TASK_FAILED;
	if (json_object_get(cfg, "apiKey")) {
		bearer = sfn_task_secret(env, json_object_get(cfg, "apiKey"),
					 "bedrock.apiKey", err);
		if (!bearer)
			goto out;
		creds.region = sfn_xstrdup(str_field(cfg, "region")
						   ? str_field(cfg, "region")
						   : "us-east-1");
	} else if (sfn_aws_creds_load(env, cfg, &creds, err) < 0) {
		goto out;
	}
	req = camel(call->parameters, false);
	body = sfn_json_dumps(req, 0);
	created = control_call(env, call, cfg, &creds, bearer, "POST",
			       "/model-customization-jobs", body, err);
	if (!created)
		goto out;
	const char *arn = str_field(created, "jobArn");
	if (!sync || !arn) {
		*result = pascal(created);
		outcome = SFN_TASK_OK;
		goto out;
	}
	/* .sync: poll GetModelCustomizationJob with backoff. */
	struct sfn_strbuf p;
	sfn_strbuf_init(&p, 128);
	sfn_strbuf_adds(&p, "/model-customization-jobs/");
	sfn_uri_encode(&p, arn, strlen(arn), false);
	jpath = sfn_strbuf_detach(&p, NULL);
	double delay = 5, max_delay = 60;
	if (json_is_number(json_object_get(cfg, "pollSeconds")))
		delay = sfn_json_number(json_object_get(cfg, "pollSeconds"));
	if (delay < max_delay / 60)
		max_delay = delay * 12;
	for (;;) {
		json_decref(job);
		job = control_call(env, call, cfg, &creds, bearer, "GET", jpath,
				   NULL, err);
		if (!job)
			goto out;
		const char *status = str_field(job, "status");
		if (status && !strcmp(status, "Completed")) {
			*result = pascal(job);
			outcome = SFN_TASK_OK;
			goto out;
		}
		if (status &&
		    (!strcmp(status, "Failed") || !strcmp(status, "Stopped"))) {
			json_t *shown = pascal(job);
			char *cause = sfn_json_dumps(shown, 0);
			/* AWS's error name here is unconfirmed (§4.2). */
			sfn_errorf(err, SFN_E_TASK_FAILED, NULL, "%s", cause);
			free(cause);
			json_decref(shown);
			goto out;
		}
		/* Sleep in slices so a cancel stops the job at once. */
		for (double t = 0; t < delay; t += 0.05) {
			if (cancelled(env, call)) {
				char *stop = sfn_xasprintf("%s/stop", jpath);
				struct sfn_error ignore = { 0 };
				json_decref(control_call(env, call, cfg, &creds,
							 bearer, "POST", stop,
							 "{}", &ignore));
				sfn_error_release(&ignore);
				free(stop);
				sfn_errorf(err, SFN_E_TASK_FAILED, NULL,
					   "cancelled; asked Bedrock to stop "
					   "job '%s'",
					   arn);
				goto out;
			}
			struct timespec ts = { 0, 50 * 1000000L };
			nanosleep(&ts, NULL);
		}
		delay = delay * 1.5 > max_delay ? max_delay : delay * 1.5;
	}
out:
	json_decref(req);
	json_decref(created);
	json_decref(job);
	free(body);
	free(jpath);
	free(bearer);
	sfn_aws_creds_release(&creds);
	return outcome;
}

static enum sfn_task_outcome invoke(struct sfn_task_env *env,
				    const struct sfn_task_call *call,
				    json_t **result, struct sfn_error *err)
{
	const char *r = call->resource;
	json_t *cfg = sfn_task_config(env, "bedrock");
	if (!r || !cfg)
		return SFN_TASK_DECLINED;
	if (!strcmp(r, INVOKE))
		return invoke_model(env, call, cfg, result, err);
	if (!strcmp(r, CUSTOMIZE))
		return customize(env, call, cfg, false, result, err);
	if (!strcmp(r, CUSTOMIZE ".sync"))
		return customize(env, call, cfg, true, result, err);
	return SFN_TASK_DECLINED;
}

const struct sfn_task_backend sfn_task_bedrock = { "bedrock", invoke, NULL };
