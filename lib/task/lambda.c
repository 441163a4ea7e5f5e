/*
 * Lambda: arn:aws:states:::lambda:invoke (and .waitForTaskToken) and bare
 * function ARNs, against AWS Lambda or any endpoint speaking its Invoke API
 * (POST /2015-03-31/functions/{name}/invocations). Served only when config
 * "lambda" names an endpoint or sets "aws": true, so real AWS is never
 * called by default; mocks and local handlers come first in the table.
 */
#include "task/task.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "task/http_int.h"
#include "task/task_int.h"

#define INVOKE	     "arn:aws:states:::lambda:invoke"
#define FUNCTION_ARN "arn:aws:lambda:"

static const char *str_field(json_t *o, const char *k)
{
	json_t *v = o ? json_object_get(o, k) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/*
 * The AWS SDK for Java's message, which Step Functions shows as the cause
 * of a Lambda service error.
 */
static void fail_service(const struct sfn_http_resp *resp,
			 struct sfn_error *err)
{
	char *msg = NULL;
	char *code = sfn_aws_error_name(resp, "ServiceException", &msg);
	const char *rid = sfn_http_resp_header(resp, "x-amzn-RequestId");
	char *name = sfn_xasprintf("Lambda.%s", code);
	sfn_errorf(err, name, NULL,
		   "%s (Service: AWSLambda; Status Code: %ld; Error Code: %s; "
		   "Request ID: %s; Proxy: null)",
		   msg ? msg : "", resp->status, code, rid ? rid : "");
	free(name);
	free(code);
	free(msg);
}

/* AWS's envelope of lambda:invoke (observed in aws-recorded cases). */
static json_t *envelope(const struct sfn_http_resp *resp, json_t *payload)
{
	json_t *all = json_object(), *one = json_object();
	size_t i;
	json_t *p;
	json_array_foreach(resp->headers, i, p) {
		const char *k = json_string_value(json_array_get(p, 0));
		json_t *v = json_array_get(p, 1);
		json_t *arr = json_object_get(all, k);
		if (!arr) {
			arr = json_array();
			json_object_set_new(all, k, arr);
		}
		json_array_append(arr, v);
		json_object_set(one, k, v);
	}
	const char *ver = sfn_http_resp_header(resp, "X-Amz-Executed-Version");
	const char *rid = sfn_http_resp_header(resp, "x-amzn-RequestId");
	const char *log = sfn_http_resp_header(resp, "X-Amz-Log-Result");
	json_t *out = json_object();
	if (ver)
		json_object_set_new(out, "ExecutedVersion", json_string(ver));
	if (log)
		json_object_set_new(out, "LogResult", json_string(log));
	json_object_set_new(out, "Payload", payload);
	json_object_set_new(out, "SdkHttpMetadata",
			    json_pack("{s:o,s:o,s:I}", "AllHttpHeaders", all,
				      "HttpHeaders", one, "HttpStatusCode",
				      (json_int_t)resp->status));
	json_object_set_new(out, "SdkResponseMetadata",
			    json_pack("{s:s}", "RequestId", rid ? rid : ""));
	json_object_set_new(out, "StatusCode",
			    json_integer((json_int_t)resp->status));
	return out;
}

static enum sfn_task_outcome invoke(struct sfn_task_env *env,
				    const struct sfn_task_call *call,
				    json_t **result, struct sfn_error *err)
{
	const char *r = call->resource;
	json_t *cfg = sfn_task_config(env, "lambda");
	if (!r || !cfg ||
	    (!str_field(cfg, "endpoint") &&
	     !json_is_true(json_object_get(cfg, "aws"))))
		return SFN_TASK_DECLINED;
	bool bare = !strncmp(r, FUNCTION_ARN, strlen(FUNCTION_ARN));
	if (!bare && strcmp(r, INVOKE) && strcmp(r, INVOKE ".waitForTaskToken"))
		return SFN_TASK_DECLINED;

	json_t *p = call->parameters;
	const char *fn = bare ? r : str_field(p, "FunctionName");
	json_t *payload = bare ? p : json_object_get(p, "Payload");
	enum sfn_task_outcome outcome = SFN_TASK_FAILED;
	struct sfn_aws_creds creds = { 0 };
	struct sfn_strbuf url;
	sfn_strbuf_init(&url, 128);
	struct curl_slist *hl = NULL;
	struct sfn_http_resp resp;
	sfn_http_resp_init(&resp);
	char *body = NULL;
	json_t *parsed = NULL;
	if (!fn) {
		sfn_errorf(err, SFN_E_RUNTIME, NULL,
			   "the lambda:invoke Task of state '%s' needs a "
			   "string 'FunctionName'",
			   call->state_name);
		goto out;
	}
	/* Credentials: needed for AWS; an emulator may take none. */
	struct sfn_error cerr = { 0 };
	bool signed_req = sfn_aws_creds_load(env, cfg, &creds, &cerr) == 0;
	if (!signed_req && !str_field(cfg, "endpoint")) {
		sfn_error_move(err, &cerr);
		goto out;
	}
	sfn_error_release(&cerr);
	const char *region = creds.region;
	if (!region)
		region = env->aws_region ? env->aws_region
					 : str_field(cfg, "region");
	if (!region)
		region = "us-east-1";
	if (str_field(cfg, "endpoint"))
		sfn_strbuf_adds(&url, str_field(cfg, "endpoint"));
	else
		sfn_strbuf_addf(&url, "https://lambda.%s.amazonaws.com",
				region);
	while (url.len && url.buf[url.len - 1] == '/')
		url.buf[--url.len] = '\0';
	/* A bare ARN may carry a qualifier: arn:aws:lambda:r:a:function:n:q */
	char *name = sfn_xstrdup(fn), *qualifier = NULL;
	if (bare) {
		char *f = strstr(name, ":function:");
		if (f) {
			char *q = strchr(f + 10, ':');
			if (q) {
				*q = '\0';
				qualifier = sfn_xstrdup(q + 1);
			}
		}
	} else if (str_field(p, "Qualifier")) {
		qualifier = sfn_xstrdup(str_field(p, "Qualifier"));
	}
	sfn_strbuf_adds(&url, "/2015-03-31/functions/");
	sfn_uri_encode(&url, name, strlen(name), false);
	sfn_strbuf_adds(&url, "/invocations");
	if (qualifier) {
		sfn_strbuf_adds(&url, "?Qualifier=");
		sfn_uri_encode(&url, qualifier, strlen(qualifier), false);
	}
	free(name);
	free(qualifier);

	hl = curl_slist_append(hl, "Content-Type: application/json");
	hl = curl_slist_append(hl, "Expect:");
	static const struct {
		const char *field, *header;
	} hdrs[] = {
		{ "InvocationType", "X-Amz-Invocation-Type" },
		{ "LogType", "X-Amz-Log-Type" },
		{ "ClientContext", "X-Amz-Client-Context" },
	};
	for (size_t i = 0; !bare && i < 3; i++) {
		const char *v = str_field(p, hdrs[i].field);
		if (v && sfn_http_header_field_check(call, hdrs[i].field, v,
						     err) < 0)
			goto out;
		if (v) {
			char *line = sfn_xasprintf("%s: %s", hdrs[i].header, v);
			hl = curl_slist_append(hl, line);
			free(line);
		}
	}
	body = payload ? sfn_json_dumps(payload, 0) : sfn_xstrdup("{}");
	double secs = 900; /* Lambda's own maximum run time */
	if (call->timeout_seconds > 0 && call->timeout_seconds < secs)
		secs = call->timeout_seconds;
	struct sfn_http_req req = {
		.method = "POST",
		.url = url.buf,
		.headers = hl,
		.body = body,
		.body_len = strlen(body),
		.timeout_ms = (long)(secs * 1000),
		.max_body = 6 << 20, /* Lambda's response cap */
		.cancel = call->cancel,
	};
	char errmsg[CURL_ERROR_SIZE];
	enum sfn_http_status st =
		signed_req ? sfn_aws_perform(env, &req, "lambda", &creds, NULL,
					     &resp, errmsg)
			   : sfn_http_perform(env, &req, &resp, errmsg);
	if (st == SFN_HTTP_TIMEOUT && call->timeout_seconds > 0) {
		sfn_errorf(err, SFN_E_TIMEOUT, NULL,
			   "Task timed out after %g seconds",
			   call->timeout_seconds);
		goto out;
	}
	if (st != SFN_HTTP_OK) {
		sfn_errorf(err,
			   st == SFN_HTTP_CANCELLED
				   ? SFN_E_TASK_FAILED
				   : "Lambda.SdkClientException",
			   NULL, "Unable to execute HTTP request: %s (%s)",
			   errmsg, url.buf);
		goto out;
	}
	if (resp.status / 100 != 2) {
		fail_service(&resp, err);
		goto out;
	}
	const char *text = resp.body.buf ? resp.body.buf : "";
	parsed = sfn_json_loadb(text, resp.body.len, JSON_DECODE_ANY, NULL);
	if (sfn_http_resp_header(&resp, "X-Amz-Function-Error")) {
		/* A function error: its errorType names it; the cause is the
		 * payload as the function returned it. */
		const char *type = str_field(parsed, "errorType");
		sfn_errorf(err, type ? type : "Lambda.Unknown", NULL, "%s",
			   text);
		goto out;
	}
	if (!parsed)
		parsed = json_stringn(text, resp.body.len);
	if (!parsed) {
		sfn_errorf(err, "Lambda.Unknown", NULL,
			   "function '%s' returned a payload that is neither "
			   "JSON nor UTF-8 text",
			   fn);
		goto out;
	}
	if (bare) {
		*result = parsed;
	} else {
		*result = envelope(&resp, parsed);
	}
	parsed = NULL;
	outcome = SFN_TASK_OK;
out:
	json_decref(parsed);
	sfn_http_resp_release(&resp);
	curl_slist_free_all(hl);
	sfn_strbuf_release(&url);
	sfn_aws_creds_release(&creds);
	free(body);
	return outcome;
}

const struct sfn_task_backend sfn_task_lambda = { "lambda", invoke, NULL };
