/*
 * The HTTP Task, arn:aws:states:::http:invoke (sfn-features.md §3): calls an
 * API through libcurl as Step Functions does, with the auth of an EventBridge
 * connection taken from the local config ("connections").
 */
#include "task/task.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "task/http_int.h"
#include "task/task_int.h"

#define HTTP_RESOURCE "arn:aws:states:::http:invoke"

/* §3.2: headers a definition may not set, case-insensitive. */
static const char *const forbidden_headers[] = {
	"a-im",
	"accept-charset",
	"accept-datetime",
	"accept-encoding",
	"authorization",
	"cache-control",
	"connection",
	"content-encoding",
	"content-md5",
	"date",
	"expect",
	"forwarded",
	"from",
	"host",
	"http2-settings",
	"if-match",
	"if-modified-since",
	"if-none-match",
	"if-range",
	"if-unmodified-since",
	"max-forwards",
	"origin",
	"pragma",
	"proxy-authorization",
	"referer",
	"server",
	"te",
	"trailer",
	"transfer-encoding",
	"upgrade",
	"via",
	"warning",
	NULL,
};

static bool header_forbidden(const char *name)
{
	for (size_t i = 0; forbidden_headers[i]; i++)
		if (!strcasecmp(name, forbidden_headers[i]))
			return true;
	return !strncasecmp(name, "x-forwarded-", 12) ||
	       !strncasecmp(name, "x-amz-", 6) ||
	       !strncasecmp(name, "x-amzn-", 7);
}

/* A JSON scalar as the text that goes on the wire. New string. */
static char *scalar_text(json_t *v)
{
	if (json_is_string(v))
		return sfn_xstrdup(json_string_value(v));
	if (json_is_null(v))
		return sfn_xstrdup("");
	return sfn_json_dumps(v, 0);
}

/* ---- the request being built ---- */

struct hdr {
	char *name;
	char *value;
	bool secret; /* injected by the connection */
};

struct build {
	struct hdr *h;
	size_t n_h, cap_h;
	json_t *query; /* [[name, value], ...] */
	json_t *body;  /* RequestBody merged with the connection's */
	bool have_body;
	char *token; /* the OAuth token used; owned */
};

/* Sets header @name, replacing one of the same name (any case). */
static void hdr_set(struct build *b, const char *name, const char *value,
		    bool secret)
{
	for (size_t i = 0; i < b->n_h; i++) {
		if (!strcasecmp(b->h[i].name, name)) {
			free(b->h[i].value);
			b->h[i].value = sfn_xstrdup(value);
			b->h[i].secret = secret;
			return;
		}
	}
	if (b->n_h == b->cap_h) {
		b->cap_h = b->cap_h ? 2 * b->cap_h : 8;
		b->h = sfn_xrealloc(b->h, b->cap_h * sizeof(*b->h));
	}
	b->h[b->n_h++] =
		(struct hdr){ sfn_xstrdup(name), sfn_xstrdup(value), secret };
}

static const char *hdr_get(struct build *b, const char *name)
{
	for (size_t i = 0; i < b->n_h; i++)
		if (!strcasecmp(b->h[i].name, name))
			return b->h[i].value;
	return NULL;
}

/*
 * Sets query parameter @name to @value: in the place of its first value,
 * and the key's other values (a repeated key) go.
 */
static void query_set(struct build *b, const char *name, const char *value)
{
	bool set = false;
	for (size_t i = 0; i < json_array_size(b->query);) {
		json_t *p = json_array_get(b->query, i);
		if (strcmp(json_string_value(json_array_get(p, 0)), name)) {
			i++;
		} else if (!set) {
			json_array_set_new(p, 1, json_string(value));
			set = true;
			i++;
		} else {
			json_array_remove(b->query, i);
		}
	}
	if (!set)
		json_array_append_new(b->query, json_pack("[ss]", name, value));
}

static void build_release(struct build *b)
{
	for (size_t i = 0; i < b->n_h; i++) {
		free(b->h[i].name);
		free(b->h[i].value);
	}
	free(b->h);
	json_decref(b->query);
	json_decref(b->body);
	free(b->token);
}

/* ---- URL_ENCODED bodies (§3.1 Transform) ---- */

enum array_format { AF_INDICES, AF_REPEAT, AF_COMMAS, AF_BRACKETS };

static void form_pair(struct sfn_strbuf *sb, const char *key, const char *val)
{
	if (sb->len)
		sfn_strbuf_addch(sb, '&');
	sfn_uri_encode(sb, key, strlen(key), false);
	sfn_strbuf_addch(sb, '=');
	sfn_uri_encode(sb, val, strlen(val), false);
}

static void form_encode(struct sfn_strbuf *sb, const char *prefix, json_t *v,
			enum array_format af, int depth)
{
	const char *k;
	json_t *x;
	size_t i;
	if (depth > SFN_MAX_DEPTH)
		return;
	if (json_is_object(v)) {
		json_object_foreach(v, k, x) {
			char *key = prefix ? sfn_xasprintf("%s[%s]", prefix, k)
					   : sfn_xstrdup(k);
			form_encode(sb, key, x, af, depth + 1);
			free(key);
		}
	} else if (json_is_array(v) && prefix) {
		bool scalars = true;
		json_array_foreach(v, i, x)
			scalars &= !json_is_object(x) && !json_is_array(x);
		if (af == AF_COMMAS && scalars) {
			struct sfn_strbuf joined;
			sfn_strbuf_init(&joined, 32);
			json_array_foreach(v, i, x) {
				char *t = scalar_text(x);
				if (i)
					sfn_strbuf_addch(&joined, ',');
				sfn_strbuf_adds(&joined, t);
				free(t);
			}
			form_pair(sb, prefix, joined.buf);
			sfn_strbuf_release(&joined);
			return;
		}
		json_array_foreach(v, i, x) {
			char *key;
			if (af == AF_REPEAT && scalars)
				key = sfn_xstrdup(prefix);
			else if (af == AF_BRACKETS && scalars)
				key = sfn_xasprintf("%s[]", prefix);
			else
				key = sfn_xasprintf("%s[%zu]", prefix, i);
			form_encode(sb, key, x, af, depth + 1);
			free(key);
		}
	} else if (prefix) {
		char *t = scalar_text(v);
		form_pair(sb, prefix, t);
		free(t);
	}
}

/* ---- connections ---- */

/* The connection entry for @arn: {AuthorizationType, AuthParameters}. */
static json_t *connection_get(struct sfn_task_env *env, const char *arn)
{
	json_t *cs = sfn_task_config(env, "connections");
	return cs ? json_object_get(cs, arn) : NULL;
}

static json_t *auth_params(json_t *conn)
{
	json_t *ap = json_object_get(conn, "AuthParameters");
	return json_is_object(ap) ? ap : conn;
}

static const char *auth_type(json_t *conn)
{
	json_t *t = json_object_get(conn, "AuthorizationType");
	if (json_is_string(t))
		return json_string_value(t);
	json_t *ap = auth_params(conn);
	if (json_object_get(ap, "BasicAuthParameters"))
		return "BASIC";
	if (json_object_get(ap, "ApiKeyAuthParameters"))
		return "API_KEY";
	if (json_object_get(ap, "OAuthParameters"))
		return "OAUTH_CLIENT_CREDENTIALS";
	return "";
}

/*
 * Applies {HeaderParameters, QueryStringParameters, BodyParameters} lists of
 * {Key, Value, IsValueSecret}: to @b, or as a form to @form (OAuth).
 */
static int apply_params(struct sfn_task_env *env, json_t *hp, struct build *b,
			struct sfn_error *err)
{
	static const char *const lists[] = { "HeaderParameters",
					     "QueryStringParameters",
					     "BodyParameters" };
	for (size_t l = 0; l < 3; l++) {
		json_t *arr = json_object_get(hp, lists[l]);
		size_t i;
		json_t *p;
		json_array_foreach(arr, i, p) {
			json_t *key = json_object_get(p, "Key");
			if (!json_is_string(key))
				continue;
			char *val = sfn_task_secret(env,
						    json_object_get(p, "Value"),
						    lists[l], err);
			if (!val)
				return -1;
			bool secret = json_is_true(
				json_object_get(p, "IsValueSecret"));
			if (secret)
				sfn_integ_add_secret(sfn_integ_get(env), val);
			const char *k = json_string_value(key);
			if (l == 0) {
				hdr_set(b, k, val, secret);
			} else if (l == 1) {
				query_set(b, k, val);
			} else {
				if (!b->body)
					b->body = json_object();
				json_object_set_new(b->body, k,
						    json_string(val));
			}
			free(val);
		}
	}
	return 0;
}

/*
 * Fetches (or reuses) the OAuth client-credentials token of connection
 * @arn; @stale, if not NULL, is a token the API just refused. Fetches are
 * serialised so concurrent tasks (a Map) share one token instead of each
 * fetching its own and invalidating the others'. Returns a new string or
 * NULL with @err set.
 */
static char *oauth_token(struct sfn_task_env *env, atomic_int *cancel,
			 const char *arn, json_t *oauth, const char *stale,
			 struct sfn_error *err)
{
	struct sfn_integ *in = sfn_integ_get(env);
	char *token = NULL;
	pthread_mutex_lock(&in->fetch_lock);
	pthread_mutex_lock(&in->lock);
	json_t *cached = json_object_get(in->tokens, arn);
	const char *ct = json_string_value(json_object_get(cached, "token"));
	if (ct && (!stale || strcmp(ct, stale)) &&
	    json_real_value(json_object_get(cached, "expires")) >
		    sfn_clock_monotonic())
		token = sfn_xstrdup(ct);
	pthread_mutex_unlock(&in->lock);
	if (token) {
		pthread_mutex_unlock(&in->fetch_lock);
		return token;
	}

	json_t *http = sfn_task_config(env, "http");
	json_t *ocfg = http ? json_object_get(http, "oauth") : NULL;
	const char *client_auth = "basic", *token_field = "access_token",
		   *expires_field = "expires_in";
	if (json_is_string(json_object_get(oauth, "ClientAuth")))
		client_auth =
			json_string_value(json_object_get(oauth, "ClientAuth"));
	else if (json_is_string(json_object_get(ocfg, "clientAuth")))
		client_auth =
			json_string_value(json_object_get(ocfg, "clientAuth"));
	if (json_is_string(json_object_get(ocfg, "tokenField")))
		token_field =
			json_string_value(json_object_get(ocfg, "tokenField"));
	if (json_is_string(json_object_get(ocfg, "expiresField")))
		expires_field = json_string_value(
			json_object_get(ocfg, "expiresField"));

	struct build b = { .query = json_array() };
	struct sfn_strbuf url, form;
	sfn_strbuf_init(&url, 128);
	sfn_strbuf_init(&form, 128);
	struct curl_slist *hl = NULL;
	struct sfn_http_resp resp;
	sfn_http_resp_init(&resp);
	char *id = NULL, *secret = NULL;
	json_t *doc = NULL;
	json_t *endpoint = json_object_get(oauth, "AuthorizationEndpoint");
	json_t *cp = json_object_get(oauth, "ClientParameters");
	const char *method =
		json_is_string(json_object_get(oauth, "HttpMethod"))
			? json_string_value(
				  json_object_get(oauth, "HttpMethod"))
			: "POST";
	if (!json_is_string(endpoint)) {
		sfn_errorf(err,
			   "Events.ConnectionResource.InvalidConnectionState",
			   NULL,
			   "connection '%s' has no OAuthParameters."
			   "AuthorizationEndpoint in %s",
			   arn,
			   env->config_path ? env->config_path : "the config");
		goto out;
	}
	id = sfn_task_secret(env, json_object_get(cp, "ClientID"),
			     "ClientParameters.ClientID", err);
	secret = sfn_task_secret(env, json_object_get(cp, "ClientSecret"),
				 "ClientParameters.ClientSecret", err);
	if (!id || !secret)
		goto out;
	sfn_integ_add_secret(in, secret);
	if (apply_params(env, json_object_get(oauth, "OAuthHttpParameters"), &b,
			 err) < 0)
		goto out;
	if (!b.body)
		b.body = json_object();
	if (!json_object_get(b.body, "grant_type"))
		json_object_set_new(b.body, "grant_type",
				    json_string("client_credentials"));
	if (!strcasecmp(client_auth, "body")) {
		json_object_set_new(b.body, "client_id", json_string(id));
		json_object_set_new(b.body, "client_secret",
				    json_string(secret));
	} else {
		char *pair = sfn_xasprintf("%s:%s", id, secret);
		size_t n = strlen(pair);
		char *b64 = sfn_xmalloc(4 * ((n + 2) / 3) + 1);
		EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)pair,
				(int)n);
		char *h = sfn_xasprintf("Basic %s", b64);
		sfn_integ_add_secret(in, b64);
		hdr_set(&b, "Authorization", h, true);
		free(h);
		free(b64);
		memset(pair, 0, n);
		free(pair);
	}
	form_encode(&form, NULL, b.body, AF_INDICES, 0);
	sfn_strbuf_adds(&url, json_string_value(endpoint));
	for (size_t i = 0; i < json_array_size(b.query); i++) {
		json_t *p = json_array_get(b.query, i);
		sfn_strbuf_addch(&url, strchr(url.buf, '?') ? '&' : '?');
		const char *k = json_string_value(json_array_get(p, 0));
		const char *v = json_string_value(json_array_get(p, 1));
		sfn_uri_encode(&url, k, strlen(k), false);
		sfn_strbuf_addch(&url, '=');
		sfn_uri_encode(&url, v, strlen(v), false);
	}
	for (size_t i = 0; i < b.n_h; i++) {
		char *line = sfn_xasprintf("%s: %s", b.h[i].name, b.h[i].value);
		hl = curl_slist_append(hl, line);
		free(line);
	}
	hl = curl_slist_append(
		hl, "Content-Type: application/x-www-form-urlencoded");
	hl = curl_slist_append(hl, "Accept: application/json");
	bool get = !strcasecmp(method, "GET");
	if (get) {
		sfn_strbuf_addch(&url, strchr(url.buf, '?') ? '&' : '?');
		sfn_strbuf_adds(&url, form.buf);
	}
	struct sfn_http_req req = {
		.method = get ? "GET" : method,
		.url = url.buf,
		.headers = hl,
		.body = get ? NULL : form.buf,
		.body_len = get ? 0 : form.len,
		.cancel = cancel,
	};
	char errmsg[CURL_ERROR_SIZE];
	enum sfn_http_status st = sfn_http_perform(env, &req, &resp, errmsg);
	if (st != SFN_HTTP_OK) {
		sfn_errorf(err,
			   st == SFN_HTTP_CANCELLED
				   ? SFN_E_TASK_FAILED
				   : "Events.ConnectionResource."
				     "InvalidConnectionState",
			   NULL,
			   "OAuth token request of connection '%s' to '%s' "
			   "failed: %s",
			   arn, json_string_value(endpoint), errmsg);
		goto out;
	}
	doc = sfn_json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	json_t *tok = json_object_get(doc, token_field);
	if (resp.status / 100 != 2 || !json_is_string(tok)) {
		sfn_errorf(err,
			   "Events.ConnectionResource.InvalidConnectionState",
			   NULL,
			   "OAuth token endpoint '%s' of connection '%s' "
			   "answered %ld %s without a '%s' field; check "
			   "ClientParameters and OAuthHttpParameters",
			   json_string_value(endpoint), arn, resp.status,
			   resp.reason, token_field);
		goto out;
	}
	token = sfn_xstrdup(json_string_value(tok));
	sfn_integ_add_secret(in, token);
	double ttl =
		json_is_number(json_object_get(doc, expires_field))
			? sfn_json_number(json_object_get(doc, expires_field))
			: 3600;
	/* Refresh a little before expiry, as EventBridge does. */
	double expires =
		sfn_clock_monotonic() + (ttl > 60 ? ttl - 30 : ttl / 2);
	pthread_mutex_lock(&in->lock);
	json_object_set_new(
		in->tokens, arn,
		json_pack("{s:s,s:f}", "token", token, "expires", expires));
	pthread_mutex_unlock(&in->lock);
out:
	json_decref(doc);
	sfn_http_resp_release(&resp);
	curl_slist_free_all(hl);
	sfn_strbuf_release(&url);
	sfn_strbuf_release(&form);
	build_release(&b);
	if (secret)
		memset(secret, 0, strlen(secret));
	free(id);
	free(secret);
	pthread_mutex_unlock(&in->fetch_lock);
	return token;
}

/* Adds the connection's auth and invocation parameters to @b. */
static int apply_connection(struct sfn_task_env *env, atomic_int *cancel,
			    const char *arn, json_t *conn, const char *stale,
			    struct build *b, struct sfn_error *err)
{
	json_t *ap = auth_params(conn);
	const char *type = auth_type(conn);
	struct sfn_integ *in = sfn_integ_get(env);
	if (!strcmp(type, "BASIC")) {
		json_t *bp = json_object_get(ap, "BasicAuthParameters");
		char *u = sfn_task_secret(env, json_object_get(bp, "Username"),
					  "BasicAuthParameters.Username", err);
		char *p = u ? sfn_task_secret(
				      env, json_object_get(bp, "Password"),
				      "BasicAuthParameters.Password", err)
			    : NULL;
		if (!p) {
			free(u);
			return -1;
		}
		char *pair = sfn_xasprintf("%s:%s", u, p);
		size_t n = strlen(pair);
		char *b64 = sfn_xmalloc(4 * ((n + 2) / 3) + 1);
		EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)pair,
				(int)n);
		char *h = sfn_xasprintf("Basic %s", b64);
		sfn_integ_add_secret(in, p);
		sfn_integ_add_secret(in, b64);
		hdr_set(b, "Authorization", h, true);
		memset(pair, 0, n);
		free(pair);
		free(b64);
		free(h);
		free(u);
		free(p);
	} else if (!strcmp(type, "API_KEY")) {
		json_t *kp = json_object_get(ap, "ApiKeyAuthParameters");
		json_t *name = json_object_get(kp, "ApiKeyName");
		char *v = sfn_task_secret(
			env, json_object_get(kp, "ApiKeyValue"),
			"ApiKeyAuthParameters.ApiKeyValue", err);
		if (!v)
			return -1;
		if (!json_is_string(name)) {
			free(v);
			return sfn_errorf(
				err,
				"Events.ConnectionResource."
				"InvalidConnectionState",
				NULL,
				"connection '%s' has no ApiKeyAuthParameters."
				"ApiKeyName in %s",
				arn,
				env->config_path ? env->config_path
						 : "the config");
		}
		sfn_integ_add_secret(in, v);
		hdr_set(b, json_string_value(name), v, true);
		free(v);
	} else if (!strcmp(type, "OAUTH_CLIENT_CREDENTIALS")) {
		json_t *op = json_object_get(ap, "OAuthParameters");
		char *tok = oauth_token(env, cancel, arn, op, stale, err);
		if (!tok)
			return -1;
		char *h = sfn_xasprintf("Bearer %s", tok);
		hdr_set(b, "Authorization", h, true);
		free(h);
		free(b->token);
		b->token = tok;
	} else if (*type) {
		return sfn_errorf(
			err, "Events.ConnectionResource.InvalidConnectionState",
			NULL,
			"connection '%s' has AuthorizationType '%s'; use "
			"BASIC, "
			"API_KEY or OAUTH_CLIENT_CREDENTIALS",
			arn, type);
	}
	return apply_params(
		env, json_object_get(ap, "InvocationHttpParameters"), b, err);
}

/* ---- the task ---- */

static const char *str_field(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *user_agent_region(struct sfn_task_env *env)
{
	json_t *http = sfn_task_config(env, "http");
	json_t *aws = sfn_task_config(env, "aws");
	if (env->aws_region)
		return env->aws_region;
	if (str_field(http, "region"))
		return str_field(http, "region");
	if (str_field(aws, "region"))
		return str_field(aws, "region");
	if (sfn_task_getenv(env, "AWS_REGION"))
		return sfn_task_getenv(env, "AWS_REGION");
	return "us-east-1";
}

/* §3.4: content types AWS does not turn into a ResponseBody. */
static bool unsupported_type(const char *ct)
{
	return ct &&
	       (!strncasecmp(ct, "application/octet-stream", 24) ||
		!strncasecmp(ct, "image/", 6) ||
		!strncasecmp(ct, "video/", 6) || !strncasecmp(ct, "audio/", 6));
}

static bool is_json_type(const char *ct)
{
	if (!ct)
		return false;
	const char *semi = strchr(ct, ';');
	size_t n = semi ? (size_t)(semi - ct) : strlen(ct);
	for (size_t i = 0; i + 4 <= n; i++)
		if (!strncasecmp(ct + i, "json", 4))
			return true;
	return false;
}

/* The §3.3 result object. New reference or NULL with @err. */
static json_t *result_object(struct sfn_http_resp *resp, struct sfn_error *err)
{
	json_t *headers = json_object();
	size_t i;
	json_t *p;
	json_array_foreach(resp->headers, i, p) {
		char *name =
			sfn_xstrdup(json_string_value(json_array_get(p, 0)));
		for (char *c = name; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		json_t *arr = json_object_get(headers, name);
		if (!arr) {
			arr = json_array();
			json_object_set_new(headers, name, arr);
		}
		json_array_append(arr, json_array_get(p, 1));
		free(name);
	}
	const char *ct = sfn_http_resp_header(resp, "content-type");
	json_t *body = NULL;
	if (resp->body.len && unsupported_type(ct)) {
		sfn_errorf(err, SFN_E_RUNTIME, NULL,
			   "the HTTP Task received an unsupported response "
			   "content type '%s'; Step Functions only reads "
			   "textual responses",
			   ct);
		json_decref(headers);
		return NULL;
	}
	if (is_json_type(ct) && resp->body.len)
		body = sfn_json_loadb(resp->body.buf, resp->body.len,
				      JSON_DECODE_ANY, NULL);
	if (!body) {
		if (!sfn_utf8_valid(resp->body.buf, resp->body.len)) {
			sfn_errorf(err, SFN_E_RUNTIME, NULL,
				   "the HTTP Task received a response body "
				   "that is not a readable string (content "
				   "type '%s')",
				   ct ? ct : "none");
			json_decref(headers);
			return NULL;
		}
		body = json_stringn(resp->body.buf, resp->body.len);
	}
	return json_pack("{s:I,s:s,s:o,s:o}", "StatusCode",
			 (json_int_t)resp->status, "StatusText",
			 resp->reason ? resp->reason : "", "Headers", headers,
			 "ResponseBody", body);
}

/* call->trace: TestState's inspectionData request/response. */
static void fill_trace(struct sfn_task_env *env,
		       const struct sfn_task_call *call, const char *method,
		       const char *url, struct build *b, const char *body,
		       struct sfn_http_resp *resp)
{
	if (!call->trace)
		return;
	struct sfn_strbuf hs;
	sfn_strbuf_init(&hs, 128);
	for (size_t i = 0; i < b->n_h; i++)
		sfn_strbuf_addf(&hs, "%s%s: %s", i ? ", " : "", b->h[i].name,
				b->h[i].value);
	json_t *req = json_pack("{s:s,s:s,s:s,s:s,s:s}", "protocol", "https",
				"method", method, "url", url, "headers",
				hs.buf ? hs.buf : "", "body", body ? body : "");
	sfn_strbuf_reset(&hs);
	if (resp) {
		size_t i;
		json_t *p;
		json_array_foreach(resp->headers, i, p)
			sfn_strbuf_addf(
				&hs, "%s%s: %s", i ? ", " : "",
				json_string_value(json_array_get(p, 0)),
				json_string_value(json_array_get(p, 1)));
		char code[16];
		snprintf(code, sizeof(code), "%ld", resp->status);
		json_t *r = json_pack(
			"{s:s,s:s,s:s,s:s,s:s%}", "protocol", "https",
			"statusCode", code, "statusMessage",
			resp->reason ? resp->reason : "", "headers",
			hs.buf ? hs.buf : "", "body",
			resp->body.buf ? resp->body.buf : "", resp->body.len);
		if (r) {
			json_object_set_new(call->trace, "response",
					    sfn_task_redact(env, r));
			json_decref(r);
		}
	}
	if (req) {
		json_object_set_new(call->trace, "request",
				    sfn_task_redact(env, req));
		json_decref(req);
	}
	sfn_strbuf_release(&hs);
}

/*
 * Cuts UTF-8 @s after @max characters (AWS's cause limit counts
 * characters): never inside one, which would leave text no JSON string
 * holds.
 */
static void cut_chars(char *s, size_t max)
{
	size_t n = 0;
	for (char *p = s; *p; p++) {
		/* A character starts at every byte but a continuation. */
		if (((unsigned char)*p & 0xC0) != 0x80 && n++ == max) {
			*p = '\0';
			return;
		}
	}
}

static json_t *params_field(json_t *params, const char *a, const char *b)
{
	json_t *o = json_object_get(params, a);
	return json_is_object(o) ? json_object_get(o, b) : NULL;
}

static enum sfn_task_outcome invoke(struct sfn_task_env *env,
				    const struct sfn_task_call *call,
				    json_t **result, struct sfn_error *err)
{
	if (!call->resource || strcmp(call->resource, HTTP_RESOURCE))
		return SFN_TASK_DECLINED;
	json_t *params = call->parameters;
	enum sfn_task_outcome out = SFN_TASK_FAILED;
	struct build b = { .query = json_array() };
	struct sfn_strbuf url, body, bad;
	sfn_strbuf_init(&url, 256);
	sfn_strbuf_init(&body, 0);
	sfn_strbuf_init(&bad, 0);
	struct curl_slist *hl = NULL;
	struct sfn_http_resp resp;
	sfn_http_resp_init(&resp);
	json_t *res = NULL;
	const char *endpoint = str_field(params, "ApiEndpoint");
	const char *method = str_field(params, "Method");
	json_t *conn_arn =
		params_field(params, "InvocationConfig", "ConnectionArn");
	if (!conn_arn)
		conn_arn =
			params_field(params, "Authentication", "ConnectionArn");
	json_t *conn = NULL;

	if (!endpoint || !method) {
		sfn_errorf(err, SFN_E_RUNTIME, NULL,
			   "the HTTP Task of state '%s' needs string fields "
			   "'ApiEndpoint' and 'Method' in its Parameters",
			   call->state_name);
		goto out;
	}
	static const char *const methods[] = { "GET",	 "POST",  "PUT",
					       "DELETE", "PATCH", "OPTIONS",
					       "HEAD",	 NULL };
	bool known = false;
	for (size_t i = 0; methods[i]; i++)
		known |= !strcmp(method, methods[i]);
	if (!known) {
		sfn_errorf(err, SFN_E_RUNTIME, NULL,
			   "the HTTP Task of state '%s' has Method '%s'; use "
			   "GET, POST, PUT, DELETE, PATCH, OPTIONS or HEAD",
			   call->state_name, method);
		goto out;
	}
	json_t *httpcfg = sfn_task_config(env, "http");
	if (strncmp(endpoint, "https://", 8) &&
	    !(strncmp(endpoint, "http://", 7) == 0 &&
	      !json_is_false(json_object_get(httpcfg, "allowHttp")))) {
		sfn_errorf(err, SFN_E_RUNTIME, NULL,
			   "the ApiEndpoint '%s' of state '%s' is not an "
			   "https:// URL",
			   endpoint, call->state_name);
		goto out;
	}
	if (conn_arn) {
		if (!json_is_string(conn_arn)) {
			sfn_errorf(err, SFN_E_RUNTIME, NULL,
				   "ConnectionArn of state '%s' must be a "
				   "string",
				   call->state_name);
			goto out;
		}
		conn = connection_get(env, json_string_value(conn_arn));
		if (!json_is_object(conn)) {
			sfn_errorf(err,
				   "Events.ConnectionResource.ResourceNotFound",
				   NULL,
				   "connection '%s' of state '%s' is not in "
				   "the config: add it under 'connections' in "
				   "%s",
				   json_string_value(conn_arn),
				   call->state_name,
				   env->config_path ? env->config_path
						    : "a --config file");
			goto out;
		}
	}

	/* Headers: the definition's first, forbidden ones rejected. */
	json_t *headers = json_object_get(params, "Headers");
	const char *k;
	json_t *v;
	json_object_foreach(headers, k, v) {
		/* A line break would end the header line and start another
		 * one, past this check. */
		if (header_forbidden(k) || strchr(k, ':') ||
		    sfn_http_header_breaks(k) ||
		    (json_is_string(v) &&
		     sfn_http_header_breaks(json_string_value(v)))) {
			char *lower = sfn_xstrdup(k);
			for (char *c = lower; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			sfn_strbuf_addf(&bad, "%s%s", bad.len ? ", " : "",
					lower);
			free(lower);
			continue;
		}
		/* AWS sets its own Range, and frames the body itself: a
		 * Content-Length of the definition's would cut it short. */
		if (!strcasecmp(k, "range") || !strcasecmp(k, "content-length"))
			continue;
		char *t = json_is_string(v) ? sfn_xstrdup(json_string_value(v))
					    : sfn_json_dumps(v, 0);
		hdr_set(&b, k, t, false);
		free(t);
	}
	if (bad.len) {
		/* AWS's text (ValidateStateMachineDefinition and at run time).
		 */
		sfn_errorf(err, SFN_E_RUNTIME, NULL,
			   "The 'Headers' field contains unsupported values: "
			   "[%s]",
			   bad.buf);
		goto out;
	}
	json_t *qp = json_object_get(params, "QueryParameters");
	if (json_is_object(qp)) {
		json_object_foreach(qp, k, v) {
			if (json_is_array(v)) {
				size_t i;
				json_t *x;
				json_array_foreach(v, i, x) {
					char *t = scalar_text(x);
					json_array_append_new(
						b.query,
						json_pack("[ss]", k, t));
					free(t);
				}
				continue;
			}
			char *t = scalar_text(v);
			query_set(&b, k, t);
			free(t);
		}
	}
	json_t *rb = json_object_get(params, "RequestBody");
	if (rb) {
		b.body = json_is_object(rb) ? json_deep_copy(rb)
					    : json_incref(rb);
		b.have_body = true;
	}

	bool refreshed = false;
again:
	if (conn) {
		json_t *ap = auth_params(conn);
		json_t *ihp = json_object_get(ap, "InvocationHttpParameters");
		if (b.body && !json_is_object(b.body) &&
		    json_array_size(json_object_get(ihp, "BodyParameters"))) {
			sfn_errorf(err, SFN_E_RUNTIME, NULL,
				   "the RequestBody of state '%s' is not an "
				   "object, so the body parameters of "
				   "connection '%s' cannot be merged into it",
				   call->state_name,
				   json_string_value(conn_arn));
			goto out;
		}
		char *stale =
			refreshed && b.token ? sfn_xstrdup(b.token) : NULL;
		int rc = apply_connection(env, call->cancel,
					  json_string_value(conn_arn), conn,
					  stale, &b, err);
		free(stale);
		if (rc < 0)
			goto out;
		if (b.body)
			b.have_body = true;
	}

	/* The URL: endpoint, then query parameters (connection's win). */
	sfn_strbuf_reset(&url);
	sfn_strbuf_adds(&url, endpoint);
	/* A string QueryParameters is an already encoded query. */
	if (json_is_string(qp) && json_string_length(qp)) {
		const char *q = json_string_value(qp);
		if (*q == '?')
			q++;
		sfn_strbuf_addch(&url, strchr(url.buf, '?') ? '&' : '?');
		sfn_strbuf_adds(&url, q);
	}
	size_t i;
	json_t *p;
	json_array_foreach(b.query, i, p) {
		sfn_strbuf_addch(&url, strchr(url.buf, '?') ? '&' : '?');
		const char *qk = json_string_value(json_array_get(p, 0));
		const char *qv = json_string_value(json_array_get(p, 1));
		sfn_uri_encode(&url, qk, strlen(qk), false);
		sfn_strbuf_addch(&url, '=');
		sfn_uri_encode(&url, qv, strlen(qv), false);
	}

	/* The body: JSON, or a form with Transform URL_ENCODED. */
	sfn_strbuf_reset(&body);
	json_t *tr = json_object_get(params, "Transform");
	const char *enc = str_field(tr, "RequestBodyEncoding");
	if (b.have_body) {
		if (enc && !strcmp(enc, "URL_ENCODED") &&
		    json_is_object(b.body)) {
			const char *fmt = str_field(
				json_object_get(tr, "RequestEncodingOptions"),
				"ArrayFormat");
			enum array_format af = AF_INDICES;
			if (fmt && !strcmp(fmt, "REPEAT"))
				af = AF_REPEAT;
			else if (fmt && !strcmp(fmt, "COMMAS"))
				af = AF_COMMAS;
			else if (fmt && !strcmp(fmt, "BRACKETS"))
				af = AF_BRACKETS;
			else if (fmt && strcmp(fmt, "INDICES")) {
				sfn_errorf(
					err, SFN_E_RUNTIME, NULL,
					"ArrayFormat '%s' of state '%s' is "
					"not one of INDICES, REPEAT, COMMAS, "
					"BRACKETS",
					fmt, call->state_name);
				goto out;
			}
			form_encode(&body, NULL, b.body, af, 0);
			if (!hdr_get(&b, "Content-Type"))
				hdr_set(&b, "Content-Type",
					"application/x-www-form-urlencoded",
					false);
		} else if (json_is_string(b.body)) {
			sfn_strbuf_adds(&body, json_string_value(b.body));
		} else {
			sfn_json_dump(&body, b.body, 0);
			if (!hdr_get(&b, "Content-Type"))
				hdr_set(&b, "Content-Type",
					"application/json; charset=UTF-8",
					false);
		}
	}

	/* §3.2: what Step Functions always sets. */
	char *ua = sfn_xasprintf("Amazon|StepFunctions|HttpInvoke|%s",
				 user_agent_region(env));
	hdr_set(&b, "User-Agent", ua, false);
	free(ua);
	hdr_set(&b, "Range", "bytes=0-262144", false);
	curl_slist_free_all(hl);
	hl = NULL;
	for (size_t j = 0; j < b.n_h; j++) {
		char *line = sfn_xasprintf("%s: %s", b.h[j].name, b.h[j].value);
		hl = curl_slist_append(hl, line);
		free(line);
	}
	hl = curl_slist_append(hl, "Expect:");

	/* 60 s per request (States.Http.Socket) or the Task's own timeout. */
	long timeout_ms = SFN_HTTP_TIMEOUT_MS;
	if (json_is_number(json_object_get(httpcfg, "timeoutSeconds")))
		timeout_ms = (long)(1000 * sfn_json_number(json_object_get(
						   httpcfg, "timeoutSeconds")));
	bool task_timeout = false;
	if (call->timeout_seconds > 0 &&
	    call->timeout_seconds * 1000 < (double)timeout_ms) {
		timeout_ms = (long)(call->timeout_seconds * 1000);
		task_timeout = true;
	}
	struct sfn_http_req req = {
		.method = method,
		.url = url.buf,
		.headers = hl,
		.body = b.have_body ? body.buf ? body.buf : "" : NULL,
		.body_len = body.len,
		.timeout_ms = timeout_ms,
		.max_body = SFN_HTTP_MAX_RESPONSE + 1,
		.cancel = call->cancel,
		.follow_redirects = json_is_true(
			json_object_get(httpcfg, "followRedirects")),
	};
	sfn_http_resp_release(&resp);
	sfn_http_resp_init(&resp);
	char errmsg[CURL_ERROR_SIZE];
	enum sfn_http_status st = sfn_http_perform(env, &req, &resp, errmsg);
	fill_trace(env, call, method, url.buf, &b, req.body,
		   st == SFN_HTTP_OK ? &resp : NULL);
	if (st == SFN_HTTP_TIMEOUT && task_timeout) {
		sfn_errorf(err, SFN_E_TIMEOUT, NULL,
			   "Task timed out after %g seconds",
			   call->timeout_seconds);
		goto out;
	}
	if (st != SFN_HTTP_OK) {
		char *safe_url = sfn_task_redact_string(env, url.buf);
		char *safe_msg = sfn_task_redact_string(env, errmsg);
		sfn_errorf(err,
			   st == SFN_HTTP_CANCELLED ? SFN_E_TASK_FAILED
						    : SFN_E_HTTP_SOCKET,
			   NULL, "%s %s failed: %s", method, safe_url,
			   st == SFN_HTTP_TIMEOUT
				   ? "no response within the 60 second "
				     "request timeout"
				   : safe_msg);
		free(safe_url);
		free(safe_msg);
		goto out;
	}
	/* OAuth: a 401/407 means the token went stale; fetch one again. */
	if (conn && !refreshed && (resp.status == 401 || resp.status == 407) &&
	    !strcmp(auth_type(conn), "OAUTH_CLIENT_CREDENTIALS")) {
		refreshed = true;
		goto again;
	}
	res = result_object(&resp, err);
	if (!res)
		goto out;
	if (resp.status < 200 || resp.status > 299) {
		char name[64];
		snprintf(name, sizeof(name), "States.Http.StatusCode.%ld",
			 resp.status);
		json_t *shown = sfn_task_redact(env, res);
		char *cause;
		if (!strcmp(str_field(httpcfg, "statusCause")
				    ? str_field(httpcfg, "statusCause")
				    : "response",
			    "body"))
			cause = json_is_string(
					json_object_get(shown, "ResponseBody"))
					? sfn_xstrdup(json_string_value(
						  json_object_get(
							  shown,
							  "ResponseBody")))
					: sfn_json_dumps(
						  json_object_get(
							  shown,
							  "ResponseBody"),
						  0);
		else
			cause = sfn_json_dumps(shown, 0);
		cut_chars(cause, 32768);
		sfn_errorf(err, name, NULL, "%s", cause);
		free(cause);
		json_decref(shown);
		goto out;
	}
	*result = res;
	res = NULL;
	out = SFN_TASK_OK;
out:
	json_decref(res);
	sfn_http_resp_release(&resp);
	curl_slist_free_all(hl);
	sfn_strbuf_release(&url);
	sfn_strbuf_release(&body);
	sfn_strbuf_release(&bad);
	build_release(&b);
	return out;
}

static void release(struct sfn_task_env *env, void *state)
{
	(void)env;
	sfn_integ_free(state);
}

const struct sfn_task_backend sfn_task_http = { "http", invoke, release };
