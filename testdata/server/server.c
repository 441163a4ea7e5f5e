/*
 * The integrations' test server: one libmicrohttpd daemon on 127.0.0.1 that
 * plays every remote end the HTTP Task, Bedrock and Lambda talk to. The
 * signed routes verify SigV4 with lib/task's own signer, itself checked
 * against AWS's test vectors (lib/task/sigv4_test.c).
 */
#include "server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "base/base.h"
#include "task/http_int.h"

struct sfn_test_server {
	struct MHD_Daemon *d;
	int port;
	pthread_mutex_t lock;
	json_t *last;	   /* the last request */
	json_t *counts;	   /* route -> count */
	unsigned token_n;  /* tokens issued */
	char token[64];	   /* the valid one; "" when stale */
	unsigned polls;	   /* GETs of a customization job */
	atomic_uint conns; /* TCP connections accepted */
};

struct req {
	bool seen; /* the handler ran once (headers only) */
	char *raw_uri;
	struct sfn_strbuf body;
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	struct req *r = sfn_xcalloc(1, sizeof(*r));
	r->raw_uri = sfn_xstrdup(uri);
	sfn_strbuf_init(&r->body, 0);
	return r;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct req *r = *con_cls;
	if (!r)
		return;
	free(r->raw_uri);
	sfn_strbuf_release(&r->body);
	free(r);
	*con_cls = NULL;
}

static void on_conn(void *cls, struct MHD_Connection *c, void **socket_ctx,
		    enum MHD_ConnectionNotificationCode code)
{
	(void)c;
	(void)socket_ctx;
	struct sfn_test_server *s = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&s->conns, 1);
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind,
				  const char *k, const char *v)
{
	(void)kind;
	json_t *h = cls;
	char *lower = sfn_xstrdup(k);
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	json_t *old = json_object_get(h, lower);
	if (json_is_string(old)) {
		char *j = sfn_xasprintf("%s,%s", json_string_value(old),
					v ? v : "");
		json_object_set_new(h, lower, json_string(j));
		free(j);
	} else {
		json_object_set_new(h, lower, json_string(v ? v : ""));
	}
	free(lower);
	return MHD_YES;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
			     const char *ctype, const char *body, size_t n,
			     const char *const *extra)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		n, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (ctype)
		MHD_add_response_header(resp, "Content-Type", ctype);
	for (size_t i = 0; extra && extra[i]; i += 2)
		MHD_add_response_header(resp, extra[i], extra[i + 1]);
	enum MHD_Result ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status,
				  json_t *v, const char *const *extra)
{
	char *s = sfn_json_dumps(v, 0);
	enum MHD_Result ret =
		reply(c, status, "application/json", s, strlen(s), extra);
	free(s);
	json_decref(v);
	return ret;
}

static void count(struct sfn_test_server *s, const char *route)
{
	json_t *n = json_object_get(s->counts, route);
	json_object_set_new(s->counts, route,
			    json_integer(n ? json_integer_value(n) + 1 : 1));
}

/*
 * Verifies the SigV4 Authorization header of a request for @service.
 * Returns NULL when valid, else the message AWS would give.
 */
static char *check_sigv4(struct MHD_Connection *c, struct req *r,
			 const char *method, const char *service)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						       "Authorization");
	if (!auth || strncmp(auth, "AWS4-HMAC-SHA256 Credential=", 28))
		return sfn_xstrdup("Missing Authentication Token");
	char ak[128], date[16], region[64], svc[64], signed_h[512];
	if (sscanf(auth + 28,
		   "%127[^/]/%15[^/]/%63[^/]/%63[^/]/aws4_request, "
		   "SignedHeaders=%511[^,]",
		   ak, date, region, svc, signed_h) != 5)
		return sfn_xstrdup("Authorization header is malformed");
	if (strcmp(svc, service))
		return sfn_xasprintf("Credential should be scoped to correct "
				     "service: '%s'. ",
				     service);
	if (strcmp(ak, SFN_TEST_ACCESS_KEY))
		return sfn_xstrdup("The security token included in the "
				   "request is invalid.");
	if (!strstr(signed_h, "host") || !strstr(signed_h, "x-amz-date"))
		return sfn_xasprintf("SignedHeaders '%s' must include host "
				     "and x-amz-date",
				     signed_h);
	const char *amz_date =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Date");
	if (!amz_date || strncmp(amz_date, date, 8))
		return sfn_xstrdup("Date in Credential scope does not match "
				   "YYYYMMDD from ISO-8601 version of date "
				   "from HTTP");
	/* The headers as signed, in the order SignedHeaders names them. */
	const char *hv[2 * 32 + 1] = { 0 };
	size_t n = 0;
	char names[512];
	snprintf(names, sizeof(names), "%s", signed_h);
	for (char *save = NULL, *tok = strtok_r(names, ";", &save);
	     tok && n < 32; tok = strtok_r(NULL, ";", &save)) {
		const char *v =
			MHD_lookup_connection_value(c, MHD_HEADER_KIND, tok);
		hv[2 * n] = tok;
		hv[2 * n + 1] = v ? v : "";
		n++;
	}
	char *path = sfn_xstrdup(r->raw_uri);
	char *q = strchr(path, '?');
	if (q)
		*q++ = '\0';
	struct sfn_sigv4_req sr = {
		.method = method,
		.path = path,
		.query = q,
		.headers = hv,
		.body = r->body.buf,
		.body_len = r->body.len,
		.amz_date = amz_date,
		.region = region,
		.service = svc,
		.access_key = ak,
		.secret_key = SFN_TEST_SECRET_KEY,
		.double_encode_path = strcmp(svc, "s3") != 0,
	};
	char *want = sfn_sigv4_authorization(&sr);
	char *msg = NULL;
	if (strcmp(want, auth))
		msg = sfn_xstrdup("The request signature we calculated does "
				  "not match the signature you provided. "
				  "Check your AWS Secret Access Key and "
				  "signing method.");
	free(want);
	free(path);
	return msg;
}

static const char *first_text(json_t *body)
{
	/* Anthropic / OpenAI messages: the last user text. */
	json_t *msgs = json_object_get(body, "messages");
	const char *text = NULL;
	size_t i;
	json_t *m;
	json_array_foreach(msgs, i, m) {
		json_t *content = json_object_get(m, "content");
		if (json_is_string(content))
			text = json_string_value(content);
		else if (json_is_array(content)) {
			json_t *t = json_object_get(json_array_get(content, 0),
						    "text");
			if (json_is_string(t))
				text = json_string_value(t);
		}
	}
	return text ? text : "";
}

static enum MHD_Result route(struct sfn_test_server *s,
			     struct MHD_Connection *c, const char *method,
			     struct req *r, json_t *headers)
{
	char *path = sfn_xstrdup(r->raw_uri);
	char *q = strchr(path, '?');
	if (q)
		*q = '\0';
	const char *authz =
		json_string_value(json_object_get(headers, "authorization"));
	enum MHD_Result ret;
	json_t *body = json_loadb(r->body.buf ? r->body.buf : "", r->body.len,
				  JSON_DECODE_ANY, NULL);

	if (!strcmp(path, "/echo") || !strncmp(path, "/auth/", 6)) {
		bool ok = true;
		if (!strcmp(path, "/auth/basic"))
			ok = authz && !strcmp(authz, "Basic "
						     "YWxpY2U6czNjcmV0LXB3");
		else if (!strcmp(path, "/auth/apikey"))
			ok = json_is_string(
				     json_object_get(headers, "x-api-key")) &&
			     !strcmp(json_string_value(json_object_get(
					     headers, "x-api-key")),
				     "key-7Hq2");
		else if (!strcmp(path, "/auth/oauth")) {
			pthread_mutex_lock(&s->lock);
			char want[80];
			snprintf(want, sizeof(want), "Bearer %s", s->token);
			ok = s->token[0] && authz && !strcmp(authz, want);
			pthread_mutex_unlock(&s->lock);
		}
		if (!ok) {
			ret = reply_json(
				c, 401,
				json_pack("{s:s}", "message", "Unauthorized"),
				NULL);
			goto out;
		}
		const char *qs = strchr(r->raw_uri, '?');
		ret = reply_json(
			c, 200,
			json_pack("{s:s,s:s,s:s,s:O,s:s%}", "method", method,
				  "path", path, "query", qs ? qs + 1 : "",
				  "headers", headers, "body",
				  r->body.buf ? r->body.buf : "", r->body.len),
			(const char *const[]){ "X-Multi", "one", "X-Multi",
					       "two", NULL });
	} else if (!strcmp(path, "/oauth/token")) {
		const char *ct = json_string_value(
			json_object_get(headers, "content-type"));
		if (!authz || strcmp(authz, "Basic Y2lkOmNzZWNyZXQtOVp0") ||
		    !ct ||
		    strncmp(ct, "application/x-www-form-urlencoded", 33) ||
		    !r->body.buf ||
		    !strstr(r->body.buf, "grant_type=client_credentials")) {
			ret = reply_json(
				c, 400,
				json_pack("{s:s}", "error", "invalid_client"),
				NULL);
			goto out;
		}
		pthread_mutex_lock(&s->lock);
		snprintf(s->token, sizeof(s->token), "tok-%u-Qm8v",
			 ++s->token_n);
		json_t *t =
			json_pack("{s:s,s:s,s:i}", "access_token", s->token,
				  "token_type", "Bearer", "expires_in", 3600);
		pthread_mutex_unlock(&s->lock);
		ret = reply_json(c, 200, t, NULL);
	} else if (!strcmp(path, "/flaky")) {
		/* 429 for the first N calls with this key, then 200. */
		const char *key = MHD_lookup_connection_value(
			c, MHD_GET_ARGUMENT_KIND, "key");
		const char *ns = MHD_lookup_connection_value(
			c, MHD_GET_ARGUMENT_KIND, "n");
		char *k = sfn_xasprintf("flaky:%s", key ? key : "");
		pthread_mutex_lock(&s->lock);
		count(s, k);
		json_int_t seen =
			json_integer_value(json_object_get(s->counts, k));
		pthread_mutex_unlock(&s->lock);
		free(k);
		if (seen <= (ns ? strtol(ns, NULL, 10) : 1))
			ret = reply_json(
				c, 429,
				json_pack("{s:s}", "message", "slow down"),
				(const char *const[]){ "Retry-After", "0",
						       NULL });
		else
			ret = reply_json(c, 200,
					 json_pack("{s:I}", "attempts",
						   (json_int_t)seen),
					 NULL);
	} else if (!strcmp(path, "/redirect")) {
		char *to = sfn_xasprintf("http://127.0.0.1:%d/echo", s->port);
		ret = reply(c, 302, "text/plain", "moved", 5,
			    (const char *const[]){ "Location", to, NULL });
		free(to);
	} else if (!strcmp(path, "/oauth/expire")) {
		pthread_mutex_lock(&s->lock);
		s->token[0] = '\0';
		pthread_mutex_unlock(&s->lock);
		ret = reply_json(c, 200, json_object(), NULL);
	} else if (!strncmp(path, "/status-wide/", 13)) {
		/* A long error body of two-byte characters: 40,000 'é'. */
		unsigned code = (unsigned)strtoul(path + 13, NULL, 10);
		size_t n = 40000;
		char *wide = sfn_xmalloc(2 * n + 3);
		wide[0] = '"';
		for (size_t i = 0; i < n; i++)
			memcpy(wide + 1 + 2 * i, "\xc3\xa9", 2);
		wide[2 * n + 1] = '"';
		wide[2 * n + 2] = '\0';
		ret = reply(c, code, "application/json", wide, 2 * n + 2, NULL);
		free(wide);
	} else if (!strncmp(path, "/status/", 8)) {
		unsigned code = (unsigned)strtoul(path + 8, NULL, 10);
		char msg[32];
		snprintf(msg, sizeof(msg), "status %u", code);
		ret = reply_json(c, code, json_pack("{s:s}", "message", msg),
				 NULL);
	} else if (!strcmp(path, "/slow")) {
		const char *ms = MHD_lookup_connection_value(
			c, MHD_GET_ARGUMENT_KIND, "ms");
		long n = ms ? strtol(ms, NULL, 10) : 1000;
		struct timespec ts = { n / 1000, (n % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		ret = reply_json(c, 200, json_pack("{s:i}", "slept", (int)n),
				 NULL);
	} else if (!strcmp(path, "/drop")) {
		ret = MHD_NO; /* closes the connection, no response */
	} else if (!strcmp(path, "/text")) {
		ret = reply(c, 200, "text/plain; charset=utf-8", "plain words",
			    11, NULL);
	} else if (!strcmp(path, "/binary")) {
		ret = reply(c, 200, "application/octet-stream", "\x01\x02", 2,
			    NULL);
	} else if (!strcmp(path, "/big")) {
		size_t n = 300 * 1024;
		char *big = sfn_xmalloc(n + 3);
		big[0] = '"';
		memset(big + 1, 'x', n);
		big[n + 1] = '"';
		big[n + 2] = '\0';
		ret = reply(c, 200, "application/json", big, n + 2, NULL);
		free(big);
	} else if (!strncmp(path, "/model/", 7)) {
		/* Bedrock Runtime: POST /model/{modelId}/invoke */
		char *id = sfn_xstrdup(path + 7);
		char *slash = strrchr(id, '/');
		if (slash)
			*slash = '\0';
		char *msg = NULL;
		if (authz && !strncmp(authz, "Bearer ", 7)) {
			if (strcmp(authz + 7, SFN_TEST_BEDROCK_KEY))
				msg = sfn_xstrdup("Invalid API Key format");
		} else {
			msg = check_sigv4(c, r, method, "bedrock");
		}
		if (msg) {
			ret = reply_json(
				c, 403, json_pack("{s:s}", "message", msg),
				(const char *const[]){
					"x-amzn-ErrorType",
					"AccessDeniedException:http://internal."
					"amazon.com/coral/com.amazon.bedrock/",
					NULL });
			free(msg);
		} else if (strstr(id, "throttle")) {
			ret = reply_json(
				c, 429,
				json_pack("{s:s}", "message",
					  "Too many requests, please wait "
					  "before trying again."),
				(const char *const[]){ "x-amzn-ErrorType",
						       "ThrottlingException",
						       NULL });
		} else if (strstr(id, "legacy")) {
			ret = reply_json(
				c, 404,
				json_pack("{s:s}", "message",
					  "This model version has reached the "
					  "end of its life."),
				(const char *const[]){
					"x-amzn-ErrorType",
					"ResourceNotFoundException:http://"
					"internal.amazon.com/coral/",
					NULL });
		} else {
			json_t *h = json_pack(
				"{s:s,s:s?,s:s?,s:s?,s:s?}", "modelId", id,
				"accept",
				json_string_value(
					json_object_get(headers, "accept")),
				"trace",
				json_string_value(json_object_get(
					headers, "x-amzn-bedrock-trace")),
				"guardrail",
				json_string_value(json_object_get(
					headers,
					"x-amzn-bedrock-guardrailidentifier")),
				"guardrailVersion",
				json_string_value(json_object_get(
					headers,
					"x-amzn-bedrock-guardrailversion")));
			json_t *text =
				json_sprintf("echo: %s", first_text(body));
			ret = reply_json(
				c, 200,
				json_pack("{s:s,s:s,s:s,s:[{s:s,s:o}],s:s,s:o,"
					  "s:O?}",
					  "id", "msg_01", "type", "message",
					  "role", "assistant", "content",
					  "type", "text", "text", text,
					  "stop_reason", "end_turn", "request",
					  h, "received", body),
				NULL);
		}
		free(id);
	} else if (!strncmp(path, "/model-customization-jobs", 25)) {
		/* Bedrock control plane: create, then Get until Completed. */
		char *msg = authz ? check_sigv4(c, r, method, "bedrock")
				  : sfn_xstrdup("Missing Authentication Token");
		if (msg) {
			ret = reply_json(c, 403,
					 json_pack("{s:s}", "message", msg),
					 NULL);
			free(msg);
		} else if (!strcmp(method, "POST") && !path[25]) {
			const char *name = json_string_value(
				json_object_get(body, "jobName"));
			char *arn = sfn_xasprintf(
				"arn:aws:bedrock:us-east-1:123456789012:"
				"model-customization-job/%s",
				name ? name : "none");
			ret = reply_json(c, 201,
					 json_pack("{s:s}", "jobArn", arn),
					 NULL);
			free(arn);
		} else if (!strcmp(method, "POST")) {
			ret = reply_json(c, 200, json_object(), NULL);
		} else {
			pthread_mutex_lock(&s->lock);
			unsigned polls = ++s->polls;
			pthread_mutex_unlock(&s->lock);
			bool fail = strstr(path, "fail-job") != NULL;
			const char *status = polls < 3 ? "InProgress"
					     : fail    ? "Failed"
						       : "Completed";
			ret = reply_json(
				c, 200,
				json_pack("{s:s,s:s,s:s?}", "jobArn", path + 26,
					  "status", status, "failureMessage",
					  fail && polls >= 3 ? "bad data"
							     : NULL),
				NULL);
		}
	} else if (!strcmp(path, "/v1/chat/completions")) {
		json_t *text = json_sprintf("echo: %s", first_text(body));
		ret = reply_json(
			c, 200,
			json_pack("{s:s,s:s,s:O?,s:[{s:i,s:{s:s,s:o},s:s}],"
				  "s:{s:i,s:i,s:i},s:O?}",
				  "id", "chatcmpl-1", "object",
				  "chat.completion", "model",
				  json_object_get(body, "model"), "choices",
				  "index", 0, "message", "role", "assistant",
				  "content", text, "finish_reason", "stop",
				  "usage", "prompt_tokens", 7,
				  "completion_tokens", 3, "total_tokens", 10,
				  "received", body),
			NULL);
	} else if (!strcmp(path, "/v1/embeddings")) {
		ret = reply_json(
			c, 200,
			json_pack("{s:s,s:[{s:s,s:[f,f,f],s:i}],s:{s:i,s:i}}",
				  "object", "list", "data", "object",
				  "embedding", "embedding", 0.25, -0.5, 1.0,
				  "index", 0, "usage", "prompt_tokens", 4,
				  "total_tokens", 4),
			NULL);
	} else if (!strncmp(path, "/2015-03-31/functions/", 22)) {
		/* NAME, or a function ARN (URL-encoded) ending in it. */
		const char *start = path + 22;
		const char *fn = strstr(start, "%3Afunction%3A");
		char *name = sfn_xstrdup(fn ? fn + 14 : start);
		char *slash = strchr(name, '/');
		if (slash)
			*slash = '\0';
		char *msg = authz ? check_sigv4(c, r, method, "lambda") : NULL;
		if (msg) {
			ret = reply_json(
				c, 403, json_pack("{s:s}", "message", msg),
				(const char *const[]){
					"x-amzn-ErrorType",
					"InvalidSignatureException", NULL });
			free(msg);
		} else if (!strcmp(name, "fail")) {
			ret = reply_json(
				c, 200,
				json_pack("{s:s,s:s,s:[s]}", "errorMessage",
					  "boom", "errorType", "ValueError",
					  "stackTrace", "  File x, line 1"),
				(const char *const[]){
					"X-Amz-Function-Error", "Unhandled",
					"X-Amz-Executed-Version", "$LATEST",
					"x-amzn-RequestId", "req-1", NULL });
		} else if (!strcmp(name, "crash")) {
			ret = reply(
				c, 200, "application/json",
				"\"Process exited before completing\"", 34,
				(const char *const[]){ "X-Amz-Function-Error",
						       "Unhandled", NULL });
		} else if (!strcmp(name, "throttled")) {
			ret = reply_json(c, 429,
					 json_pack("{s:s,s:s}", "Type", "User",
						   "message", "Rate Exceeded."),
					 (const char *const[]){
						 "x-amzn-ErrorType",
						 "TooManyRequestsException",
						 NULL });
		} else if (strcmp(name, "echo")) {
			char *m = sfn_xasprintf(
				"Function not found: "
				"arn:aws:lambda:us-east-1:123456789012:"
				"function:%s",
				name);
			ret = reply_json(c, 404,
					 json_pack("{s:s,s:s}", "Type", "User",
						   "message", m),
					 (const char *const[]){
						 "x-amzn-ErrorType",
						 "ResourceNotFoundException",
						 NULL });
			free(m);
		} else {
			ret = reply(c, 200, "application/json",
				    r->body.len ? r->body.buf : "null",
				    r->body.len ? r->body.len : 4,
				    (const char *const[]){
					    "X-Amz-Executed-Version", "$LATEST",
					    "x-amzn-RequestId", "req-2",
					    NULL });
		}
		free(name);
	} else {
		ret = reply_json(c, 404,
				 json_pack("{s:s}", "message", "no such route"),
				 NULL);
	}
out:
	json_decref(body);
	free(path);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *size, void **con_cls)
{
	(void)url;
	(void)version;
	struct sfn_test_server *s = cls;
	struct req *r = *con_cls;
	if (*size) {
		sfn_strbuf_add(&r->body, data, *size);
		*size = 0;
		return MHD_YES;
	}
	/* First call (headers only) and last call (body complete) both end
	 * here; answer on the last one, which for no-body requests is the
	 * second. */
	if (!r->seen) {
		r->seen = true;
		return MHD_YES;
	}
	json_t *headers = json_object();
	MHD_get_connection_values(c, MHD_HEADER_KIND, add_header, headers);
	char *path = sfn_xstrdup(r->raw_uri);
	char *q = strchr(path, '?');
	if (q)
		*q = '\0';
	pthread_mutex_lock(&s->lock);
	json_decref(s->last);
	s->last =
		json_pack("{s:s,s:s,s:s,s:O,s:s%}", "method", method, "path",
			  path, "query", q ? q + 1 : "", "headers", headers,
			  "body", r->body.buf ? r->body.buf : "", r->body.len);
	count(s, path);
	pthread_mutex_unlock(&s->lock);
	free(path);
	enum MHD_Result ret = route(s, c, method, r, headers);
	json_decref(headers);
	return ret;
}

struct sfn_test_server *
sfn_test_server_start(const char *cert_pem, const char *key_pem, unsigned pool)
{
	struct sfn_test_server *s = sfn_xcalloc(1, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->counts = json_object();
	struct sockaddr_in addr = { 0 };
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = 0;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	flags |= pool ? MHD_USE_EPOLL : MHD_USE_THREAD_PER_CONNECTION;
	if (cert_pem)
		flags |= MHD_USE_TLS;
	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_SOCK_ADDR, 0, &addr },
		{ MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, NULL },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_done, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, 120, NULL },
		{ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_conn, s },
		{ MHD_OPTION_CONNECTION_LIMIT, 1000, NULL },
		{ pool > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
		  (intptr_t)pool, NULL },
		{ MHD_OPTION_END, 0, NULL },
		{ MHD_OPTION_END, 0, NULL },
		{ MHD_OPTION_END, 0, NULL },
	};
	if (cert_pem) {
		size_t i = pool > 1 ? 7 : 6;
		opts[i] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
						   (void *)cert_pem };
		opts[i + 1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY,
						       0, (void *)key_pem };
	}
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
				MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!s->d) {
		sfn_test_server_stop(s);
		return NULL;
	}
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	return s;
}

int sfn_test_server_port(const struct sfn_test_server *s)
{
	return s->port;
}

json_t *sfn_test_server_last(struct sfn_test_server *s)
{
	pthread_mutex_lock(&s->lock);
	json_t *v = json_deep_copy(s->last);
	pthread_mutex_unlock(&s->lock);
	return v;
}

unsigned sfn_test_server_connections(struct sfn_test_server *s)
{
	return atomic_load(&s->conns);
}

unsigned sfn_test_server_count(struct sfn_test_server *s, const char *prefix)
{
	pthread_mutex_lock(&s->lock);
	json_t *n = json_object_get(s->counts, prefix);
	unsigned v = n ? (unsigned)json_integer_value(n) : 0;
	pthread_mutex_unlock(&s->lock);
	return v;
}

void sfn_test_server_stop(struct sfn_test_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	json_decref(s->last);
	json_decref(s->counts);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int sfn_test_make_cert(char **dir, char **cert, char **key)
{
	char tmpl[] = "/tmp/sfn-tls-XXXXXX";
	*dir = *cert = *key = NULL;
	if (!mkdtemp(tmpl))
		return -1;
	char *cmd = sfn_xasprintf(
		"openssl req -x509 -newkey ec -pkeyopt "
		"ec_paramgen_curve:prime256v1 "
		"-nodes -days 2 "
		"-subj /CN=localhost -addext "
		"subjectAltName=IP:127.0.0.1,DNS:localhost "
		"-keyout %s/key.pem -out %s/cert.pem >/dev/null 2>&1",
		tmpl, tmpl);
	int rc = system(cmd);
	free(cmd);
	struct sfn_strbuf c, k;
	sfn_strbuf_init(&c, 0);
	sfn_strbuf_init(&k, 0);
	char *cp = sfn_xasprintf("%s/cert.pem", tmpl);
	char *kp = sfn_xasprintf("%s/key.pem", tmpl);
	if (rc != 0 || sfn_strbuf_read_file(&c, cp) < 0 ||
	    sfn_strbuf_read_file(&k, kp) < 0) {
		sfn_strbuf_release(&c);
		sfn_strbuf_release(&k);
		free(cp);
		free(kp);
		sfn_test_remove_cert(tmpl);
		return -1;
	}
	free(cp);
	free(kp);
	*dir = sfn_xstrdup(tmpl);
	*cert = sfn_strbuf_detach(&c, NULL);
	*key = sfn_strbuf_detach(&k, NULL);
	return 0;
}

void sfn_test_remove_cert(const char *dir)
{
	const char *names[] = { "cert.pem", "key.pem" };
	for (size_t i = 0; i < 2; i++) {
		char *p = sfn_xasprintf("%s/%s", dir, names[i]);
		remove(p);
		free(p);
	}
	rmdir(dir);
}
