/*
 * What the integrations share: the libcurl transport (a pool of easy handles
 * that keep their connections alive, each driven through its own multi
 * handle so a cancel is seen within 50 ms), config and secret lookups, the
 * secret registry, and AWS credentials.
 */
#include "task/http_int.h"
#include "task/curl_dl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "task/task_int.h"

struct sfn_curl_pair {
	CURL *easy;
	CURLM *multi;
};

/* Creating the shared state is the one thing two threads can race on. */
static pthread_mutex_t create_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t http_slot(void)
{
	for (size_t i = 0; sfn_task_backends[i]; i++)
		if (sfn_task_backends[i] == &sfn_task_http)
			return i;
	SFN_BUG("the http backend is not in the table");
}

struct sfn_integ *sfn_integ_get(struct sfn_task_env *env)
{
	size_t slot = http_slot();
	pthread_mutex_lock(&create_lock);
	struct sfn_integ *in = env->backend_state[slot];
	if (!in) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		in = sfn_xcalloc(1, sizeof(*in));
		pthread_mutex_init(&in->lock, NULL);
		pthread_mutex_init(&in->fetch_lock, NULL);
		in->tokens = json_object();
		env->backend_state[slot] = in;
	}
	pthread_mutex_unlock(&create_lock);
	return in;
}

void sfn_integ_free(struct sfn_integ *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->n_pool; i++) {
		curl_multi_cleanup(in->pool[i]->multi);
		curl_easy_cleanup(in->pool[i]->easy);
		free(in->pool[i]);
	}
	free(in->pool);
	for (size_t i = 0; i < in->n_secrets; i++) {
		memset(in->secrets[i], 0, strlen(in->secrets[i]));
		free(in->secrets[i]);
	}
	free(in->secrets);
	json_decref(in->tokens);
	pthread_mutex_destroy(&in->lock);
	pthread_mutex_destroy(&in->fetch_lock);
	free(in);
}

static void add_one_secret_locked(struct sfn_integ *in, const char *value)
{
	for (size_t i = 0; i < in->n_secrets; i++)
		if (!strcmp(in->secrets[i], value))
			return;
	if (in->n_secrets == in->cap_secrets) {
		in->cap_secrets = in->cap_secrets ? 2 * in->cap_secrets : 16;
		in->secrets = sfn_xrealloc(in->secrets,
					   in->cap_secrets * sizeof(char *));
	}
	in->secrets[in->n_secrets++] = sfn_xstrdup(value);
}

/*
 * @value, and the forms it takes on the wire and in what sfn prints:
 * percent-encoded (a query parameter, a URL_ENCODED body, a URL in a
 * cause) and JSON-escaped (a JSON body).
 */
static void add_secret_locked(struct sfn_integ *in, const char *value)
{
	if (!value || !*value)
		return;
	add_one_secret_locked(in, value);
	size_t n = strlen(value);
	struct sfn_strbuf sb;
	sfn_strbuf_init(&sb, n + 8);
	sfn_uri_encode(&sb, value, n, false);
	if (strcmp(sb.buf, value))
		add_one_secret_locked(in, sb.buf);
	sfn_strbuf_reset(&sb);
	sfn_json_quote(&sb, value, n, 0);
	if (sb.len > 2) {
		sb.buf[sb.len - 1] = '\0';
		if (strcmp(sb.buf + 1, value))
			add_one_secret_locked(in, sb.buf + 1);
	}
	memset(sb.buf, 0, sb.len);
	sfn_strbuf_release(&sb);
}

void sfn_integ_add_secret(struct sfn_integ *in, const char *value)
{
	pthread_mutex_lock(&in->lock);
	add_secret_locked(in, value);
	pthread_mutex_unlock(&in->lock);
}

/* ---- config ---- */

json_t *sfn_task_config(struct sfn_task_env *env, const char *name)
{
	json_t *v = env->config ? json_object_get(env->config, name) : NULL;
	return json_is_object(v) ? v : NULL;
}

const char *sfn_task_getenv(struct sfn_task_env *env, const char *name)
{
	/* lib/ reads the environment only through this hook (see task.h). */
	const char *v = env->getenv ? env->getenv(name) : getenv(name);
	return v && *v ? v : NULL;
}

char *sfn_task_path(struct sfn_task_env *env, const char *path)
{
	if (path[0] == '/' || !env->base_dir || !*env->base_dir)
		return sfn_xstrdup(path);
	return sfn_xasprintf("%s/%s", env->base_dir, path);
}

char *sfn_task_secret(struct sfn_task_env *env, json_t *v, const char *what,
		      struct sfn_error *err)
{
	char *out = NULL;
	const char *where = env->config_path ? env->config_path : "the config";
	if (json_is_string(v)) {
		out = sfn_xstrdup(json_string_value(v));
	} else if (json_is_object(v) &&
		   json_is_string(json_object_get(v, "env"))) {
		const char *name = json_string_value(json_object_get(v, "env"));
		const char *val = sfn_task_getenv(env, name);
		if (!val) {
			sfn_errorf(
				err, SFN_E_RUNTIME, NULL,
				"%s: %s refers to environment variable '%s', "
				"which is not set; export it",
				where, what, name);
			return NULL;
		}
		out = sfn_xstrdup(val);
	} else if (json_is_object(v) &&
		   json_is_string(json_object_get(v, "file"))) {
		char *path = sfn_task_path(
			env, json_string_value(json_object_get(v, "file")));
		struct sfn_strbuf sb;
		sfn_strbuf_init(&sb, 64);
		if (sfn_strbuf_read_file(&sb, path) < 0) {
			sfn_errorf(err, SFN_E_RUNTIME, NULL,
				   "%s: %s: cannot read secret file '%s': %s",
				   where, what, path, strerror(errno));
			sfn_strbuf_release(&sb);
			free(path);
			return NULL;
		}
		free(path);
		while (sb.len && (sb.buf[sb.len - 1] == '\n' ||
				  sb.buf[sb.len - 1] == '\r'))
			sb.buf[--sb.len] = '\0';
		out = sfn_strbuf_detach(&sb, NULL);
	} else if (json_is_number(v) || json_is_boolean(v)) {
		out = json_is_boolean(v)
			      ? sfn_xstrdup(json_is_true(v) ? "true" : "false")
			      : sfn_json_dumps(v, 0);
	} else {
		sfn_errorf(err, SFN_E_RUNTIME, NULL,
			   "%s: %s must be a string, {\"env\": NAME} or "
			   "{\"file\": PATH}",
			   where, what);
		return NULL;
	}
	return out;
}

/* ---- the secret registry ---- */

/* Keys whose values are secrets wherever they appear in the config. */
static bool secret_key(const char *k)
{
	static const char *const keys[] = {
		"Password",	   "ApiKeyValue",  "ClientSecret", "apiKey",
		"secretAccessKey", "sessionToken", "accessToken",  NULL,
	};
	for (size_t i = 0; keys[i]; i++)
		if (!strcasecmp(k, keys[i]))
			return true;
	return false;
}

static void scan_secrets(struct sfn_task_env *env, struct sfn_integ *in,
			 json_t *v, int depth)
{
	const char *k;
	json_t *x;
	size_t i;
	if (depth > 16)
		return;
	if (json_is_object(v)) {
		/* {"Key": k, "Value": v, "IsValueSecret": true} */
		if (json_is_true(json_object_get(v, "IsValueSecret"))) {
			char *s = sfn_task_secret(env,
						  json_object_get(v, "Value"),
						  "Value", NULL);
			add_secret_locked(in, s);
			free(s);
		}
		json_object_foreach(v, k, x) {
			if (secret_key(k)) {
				char *s = sfn_task_secret(env, x, k, NULL);
				add_secret_locked(in, s);
				free(s);
			} else {
				scan_secrets(env, in, x, depth + 1);
			}
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			scan_secrets(env, in, x, depth + 1);
	}
}

static void ensure_scanned(struct sfn_task_env *env, struct sfn_integ *in)
{
	if (in->config_scanned)
		return;
	in->config_scanned = true;
	if (env->config)
		scan_secrets(env, in, env->config, 0);
}

#define MASK "********"

static bool masked_header(const char *name)
{
	return !strcasecmp(name, "authorization") ||
	       !strcasecmp(name, "proxy-authorization") ||
	       !strcasecmp(name, "x-api-key") ||
	       !strcasecmp(name, "x-amz-security-token") ||
	       !strcasecmp(name, "cookie") || !strcasecmp(name, "set-cookie");
}

/* Replaces each registered secret inside @s; NULL when nothing matched. */
static char *mask_locked(struct sfn_integ *in, const char *s)
{
	char *cur = NULL;
	for (size_t i = 0; i < in->n_secrets; i++) {
		const char *sec = in->secrets[i];
		size_t n = strlen(sec);
		const char *src = cur ? cur : s;
		/* Short secrets only when they are the whole value. */
		if (n < 4) {
			if (!strcmp(src, sec)) {
				free(cur);
				cur = sfn_xstrdup(MASK);
			}
			continue;
		}
		if (!strstr(src, sec))
			continue;
		struct sfn_strbuf sb;
		sfn_strbuf_init(&sb, strlen(src));
		for (const char *p = src, *hit; *p;) {
			hit = strstr(p, sec);
			if (!hit) {
				sfn_strbuf_adds(&sb, p);
				break;
			}
			sfn_strbuf_add(&sb, p, (size_t)(hit - p));
			sfn_strbuf_adds(&sb, MASK);
			p = hit + n;
		}
		free(cur);
		cur = sfn_strbuf_detach(&sb, NULL);
	}
	return cur;
}

static json_t *redact_locked(struct sfn_integ *in, json_t *v, int depth)
{
	const char *k;
	json_t *x;
	size_t i;
	if (depth > SFN_MAX_DEPTH)
		return json_incref(v);
	if (json_is_string(v)) {
		char *m = mask_locked(in, json_string_value(v));
		if (!m)
			return json_incref(v);
		json_t *out = json_string(m);
		free(m);
		return out ? out : json_string(MASK);
	}
	if (json_is_object(v)) {
		json_t *out = json_object();
		json_object_foreach(v, k, x) {
			if (masked_header(k) && json_is_string(x))
				json_object_set_new(out, k, json_string(MASK));
			else if (masked_header(k) && json_is_array(x)) {
				json_t *a = json_array();
				for (size_t j = 0; j < json_array_size(x); j++)
					json_array_append_new(
						a, json_string(MASK));
				json_object_set_new(out, k, a);
			} else
				json_object_set_new(
					out, k,
					redact_locked(in, x, depth + 1));
		}
		return out;
	}
	if (json_is_array(v)) {
		json_t *out = json_array();
		/* A header pair [name, value]. */
		if (json_array_size(v) == 2 &&
		    json_is_string(json_array_get(v, 0)) &&
		    json_is_string(json_array_get(v, 1)) &&
		    masked_header(json_string_value(json_array_get(v, 0)))) {
			json_array_append(out, json_array_get(v, 0));
			json_array_append_new(out, json_string(MASK));
			return out;
		}
		json_array_foreach(v, i, x)
			json_array_append_new(out,
					      redact_locked(in, x, depth + 1));
		return out;
	}
	return json_incref(v);
}

json_t *sfn_task_redact(struct sfn_task_env *env, json_t *v)
{
	if (!v)
		return NULL;
	if (env->reveal_secrets)
		return json_incref(v);
	struct sfn_integ *in = sfn_integ_get(env);
	pthread_mutex_lock(&in->lock);
	ensure_scanned(env, in);
	json_t *out = redact_locked(in, v, 0);
	pthread_mutex_unlock(&in->lock);
	return out;
}

char *sfn_task_redact_string(struct sfn_task_env *env, const char *s)
{
	if (env->reveal_secrets)
		return sfn_xstrdup(s);
	struct sfn_integ *in = sfn_integ_get(env);
	pthread_mutex_lock(&in->lock);
	ensure_scanned(env, in);
	char *m = mask_locked(in, s);
	pthread_mutex_unlock(&in->lock);
	return m ? m : sfn_xstrdup(s);
}

void sfn_task_config_help(struct sfn_strbuf *sb)
{
	static const char *const lines[] = {
		"connections.<ARN>: AuthorizationType, AuthParameters "
		"(EventBridge shape) for HTTP Tasks",
		"http: region (User-Agent), allowHttp, followRedirects, "
		"timeoutSeconds, statusCause (response|body)",
		"http.oauth: clientAuth (basic|body), tokenField, "
		"expiresField",
		"tls.cacert, tls.insecureSkipVerify",
		"bedrock: endpoint, controlEndpoint, region, profile, apiKey, "
		"timeoutSeconds, pollSeconds, s3, adapter (openai), "
		"openaiEndpoint, openaiApiKey, models",
		"lambda: endpoint, region, profile, aws (true: call AWS "
		"Lambda)",
		"aws: region, profile, accessKeyId, secretAccessKey, "
		"sessionToken",
		"secrets: a string, {env: NAME} or {file: PATH}",
		"environment: AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY "
		"AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION "
		"AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE "
		"AWS_BEARER_TOKEN_BEDROCK HOME",
		NULL,
	};
	for (size_t i = 0; lines[i]; i++)
		sfn_strbuf_addf(sb, "%s\n", lines[i]);
}

/* ---- transport ---- */

void sfn_http_resp_init(struct sfn_http_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	sfn_strbuf_init(&resp->body, 0);
	resp->headers = json_array();
}

void sfn_http_resp_release(struct sfn_http_resp *resp)
{
	free(resp->reason);
	free(resp->protocol);
	json_decref(resp->headers);
	sfn_strbuf_release(&resp->body);
	memset(resp, 0, sizeof(*resp));
}

const char *sfn_http_reason(long status)
{
	static const struct {
		long code;
		const char *text;
	} t[] = {
		{ 100, "Continue" },
		{ 200, "OK" },
		{ 201, "Created" },
		{ 202, "Accepted" },
		{ 203, "Non-Authoritative Information" },
		{ 204, "No Content" },
		{ 206, "Partial Content" },
		{ 301, "Moved Permanently" },
		{ 302, "Found" },
		{ 303, "See Other" },
		{ 304, "Not Modified" },
		{ 307, "Temporary Redirect" },
		{ 308, "Permanent Redirect" },
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 406, "Not Acceptable" },
		{ 407, "Proxy Authentication Required" },
		{ 408, "Request Timeout" },
		{ 409, "Conflict" },
		{ 410, "Gone" },
		{ 413, "Payload Too Large" },
		{ 415, "Unsupported Media Type" },
		{ 422, "Unprocessable Entity" },
		{ 424, "Failed Dependency" },
		{ 429, "Too Many Requests" },
		{ 500, "Internal Server Error" },
		{ 501, "Not Implemented" },
		{ 502, "Bad Gateway" },
		{ 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].code == status)
			return t[i].text;
	return "";
}

const char *sfn_http_resp_header(const struct sfn_http_resp *resp,
				 const char *name)
{
	size_t i;
	json_t *h;
	json_array_foreach(resp->headers, i, h) {
		if (!strcasecmp(json_string_value(json_array_get(h, 0)), name))
			return json_string_value(json_array_get(h, 1));
	}
	return NULL;
}

bool sfn_http_header_breaks(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

int sfn_http_header_field_check(const struct sfn_task_call *call,
				const char *field, const char *value,
				struct sfn_error *err)
{
	if (!sfn_http_header_breaks(value))
		return 0;
	sfn_errorf(err, SFN_E_RUNTIME, NULL,
		   "the '%s' field of state '%s' holds a line break, which "
		   "cannot go in an HTTP header",
		   field, call->state_name);
	return -1;
}

void sfn_uri_encode(struct sfn_strbuf *sb, const char *s, size_t n,
		    bool keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '_' || c == '.' ||
		    c == '~' || (keep_slash && c == '/')) {
			sfn_strbuf_addch(sb, c);
		} else {
			sfn_strbuf_addch(sb, '%');
			sfn_strbuf_addch(sb, digits[c >> 4]);
			sfn_strbuf_addch(sb, digits[c & 15]);
		}
	}
}

struct xfer {
	struct sfn_http_resp *resp;
	size_t max_body;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;
	size_t room = x->max_body > x->resp->body.len
			      ? x->max_body - x->resp->body.len
			      : 0;
	if (n > room) {
		x->resp->truncated = true;
		sfn_strbuf_add(&x->resp->body, data, room);
		return n; /* keep reading: the connection stays usable */
	}
	sfn_strbuf_add(&x->resp->body, data, n);
	return n;
}

/*
 * @n bytes of a status line or header as UTF-8 text (new): as they are
 * when they are UTF-8, else read as ISO-8859-1, HTTP's historical charset,
 * so that every byte survives and a JSON string can hold the result.
 */
static char *header_text(const char *s, size_t n)
{
	if (sfn_utf8_valid(s, n))
		return sfn_xstrndup(s, n);
	char *out = sfn_xmalloc(2 * n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			*o++ = (char)c;
		} else {
			*o++ = (char)(0xc0 | (c >> 6));
			*o++ = (char)(0x80 | (c & 0x3f));
		}
	}
	*o = '\0';
	return out;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb, len = n;
	while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		/* A new status line (after 100 Continue, redirects): reset. */
		const char *sp = memchr(data, ' ', len);
		free(x->resp->protocol);
		x->resp->protocol =
			sfn_xstrndup(data, sp ? (size_t)(sp - data) : len);
		free(x->resp->reason);
		x->resp->reason = NULL;
		if (sp) {
			const char *sp2 = memchr(sp + 1, ' ',
						 len - (size_t)(sp + 1 - data));
			if (sp2)
				x->resp->reason = header_text(
					sp2 + 1,
					len - (size_t)(sp2 + 1 - data));
		}
		json_array_clear(x->resp->headers);
		return n;
	}
	const char *colon = memchr(data, ':', len);
	if (!colon)
		return n;
	const char *v = colon + 1;
	while (v < data + len && (*v == ' ' || *v == '\t'))
		v++;
	char *name = header_text(data, (size_t)(colon - data));
	char *value = header_text(v, (size_t)(data + len - v));
	json_array_append_new(x->resp->headers, json_pack("[ss]", name, value));
	free(name);
	free(value);
	return n;
}

static struct sfn_curl_pair *pool_take(struct sfn_integ *in)
{
	struct sfn_curl_pair *p = NULL;
	pthread_mutex_lock(&in->lock);
	if (in->n_pool)
		p = in->pool[--in->n_pool];
	pthread_mutex_unlock(&in->lock);
	if (p) {
		curl_easy_reset(p->easy);
		return p;
	}
	p = sfn_xcalloc(1, sizeof(*p));
	p->easy = curl_easy_init();
	p->multi = curl_multi_init();
	if (!p->easy || !p->multi)
		SFN_BUG("libcurl could not create a handle");
	return p;
}

static void pool_put(struct sfn_integ *in, struct sfn_curl_pair *p)
{
	pthread_mutex_lock(&in->lock);
	if (in->n_pool == in->cap_pool) {
		in->cap_pool = in->cap_pool ? 2 * in->cap_pool : 16;
		in->pool = sfn_xrealloc(in->pool,
					in->cap_pool * sizeof(*in->pool));
	}
	in->pool[in->n_pool++] = p;
	pthread_mutex_unlock(&in->lock);
}

enum sfn_http_status sfn_http_perform(struct sfn_task_env *env,
				      const struct sfn_http_req *req,
				      struct sfn_http_resp *resp, char *errmsg)
{
	if (!sfn_curl_load(errmsg, CURL_ERROR_SIZE))
		return SFN_HTTP_TRANSPORT;
	struct sfn_integ *in = sfn_integ_get(env);
	struct sfn_curl_pair *p = pool_take(in);
	CURL *h = p->easy;
	struct xfer x = { resp, req->max_body ? req->max_body
					      : SFN_HTTP_MAX_RESPONSE };
	enum sfn_http_status st = SFN_HTTP_OK;
	atomic_int *cancel = req->cancel ? req->cancel : env->cancel;
	errmsg[0] = '\0';

	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errmsg);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
			 req->timeout_ms > 0 ? req->timeout_ms
					     : (long)SFN_HTTP_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, req->headers);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, NULL);
	if (!strcmp(req->method, "GET") && !req->body) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (!strcmp(req->method, "HEAD")) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(req->body ? req->body_len : 0));
		curl_easy_setopt(h, CURLOPT_POSTFIELDS,
				 req->body ? req->body : "");
		if (strcmp(req->method, "POST"))
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	}
	if (req->follow_redirects) {
		/* libcurl keeps a custom Authorization to the first host. */
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	}
	if (req->aws_sigv4) {
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, req->aws_sigv4);
		curl_easy_setopt(h, CURLOPT_USERPWD, req->userpwd);
	}

	/* TLS: system CAs by default; env (CLI flags) wins over config. */
	json_t *tls = sfn_task_config(env, "tls");
	const char *cacert = env->cacert;
	char *cacert_path = NULL;
	if (!cacert && tls && json_is_string(json_object_get(tls, "cacert")))
		cacert = cacert_path = sfn_task_path(
			env, json_string_value(json_object_get(tls, "cacert")));
	if (cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, cacert);
	if (env->insecure ||
	    (tls && json_is_true(json_object_get(tls, "insecureSkipVerify")))) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}

	CURLcode rc = CURLE_OK;
	curl_multi_add_handle(p->multi, h);
	for (;;) {
		int running = 0;
		CURLMcode mc = curl_multi_perform(p->multi, &running);
		if (mc != CURLM_OK) {
			rc = CURLE_FAILED_INIT;
			break;
		}
		if (!running) {
			int left;
			CURLMsg *m = curl_multi_info_read(p->multi, &left);
			rc = m && m->msg == CURLMSG_DONE ? m->data.result
							 : CURLE_OK;
			break;
		}
		if (cancel && atomic_load(cancel)) {
			st = SFN_HTTP_CANCELLED;
			break;
		}
		curl_multi_poll(p->multi, NULL, 0, 50, NULL);
		if (cancel && atomic_load(cancel)) {
			st = SFN_HTTP_CANCELLED;
			break;
		}
	}
	curl_multi_remove_handle(p->multi, h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	free(cacert_path);

	if (st == SFN_HTTP_CANCELLED) {
		snprintf(errmsg, CURL_ERROR_SIZE, "the request was cancelled");
		/* A half-done transfer leaves its connection unusable. */
		curl_multi_cleanup(p->multi);
		curl_easy_cleanup(p->easy);
		free(p);
		return st;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT)
		st = SFN_HTTP_TIMEOUT;
	else if (rc != CURLE_OK)
		st = SFN_HTTP_TRANSPORT;
	if (st != SFN_HTTP_OK && !errmsg[0])
		snprintf(errmsg, CURL_ERROR_SIZE, "%s", curl_easy_strerror(rc));
	if (!resp->reason)
		resp->reason = sfn_xstrdup(sfn_http_reason(resp->status));
	if (!resp->protocol)
		resp->protocol = sfn_xstrdup("HTTP/1.1");
	/* Options pointing at our stack must not outlive this call. */
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	pool_put(in, p);
	return st;
}

/* ---- AWS credentials ---- */

static char *cfg_str(json_t *o, const char *k)
{
	json_t *v = o ? json_object_get(o, k) : NULL;
	return json_is_string(v) ? sfn_xstrdup(json_string_value(v)) : NULL;
}

/* Reads key @key of section @section from INI file @path; NULL if absent. */
static char *ini_get(const char *path, const char *section, const char *key)
{
	struct sfn_strbuf sb;
	sfn_strbuf_init(&sb, 0);
	if (sfn_strbuf_read_file(&sb, path) < 0) {
		sfn_strbuf_release(&sb);
		return NULL;
	}
	char *out = NULL;
	bool in_section = false;
	char *save = sb.buf;
	while (save && *save) {
		char *line = save;
		char *nl = strchr(line, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		while (isspace((unsigned char)*line))
			line++;
		size_t len = strlen(line);
		while (len && isspace((unsigned char)line[len - 1]))
			line[--len] = '\0';
		if (!len || line[0] == '#' || line[0] == ';')
			continue;
		if (line[0] == '[') {
			char *end = strchr(line, ']');
			if (end)
				*end = '\0';
			char *name = line + 1;
			while (isspace((unsigned char)*name))
				name++;
			in_section = !strcmp(name, section);
			continue;
		}
		if (!in_section)
			continue;
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		char *k = line, *ke = eq;
		while (ke > k && isspace((unsigned char)ke[-1]))
			ke--;
		*ke = '\0';
		char *v = eq + 1;
		while (isspace((unsigned char)*v))
			v++;
		if (!strcmp(k, key)) {
			out = sfn_xstrdup(v);
			break;
		}
	}
	sfn_strbuf_release(&sb);
	return out;
}

static char *home_file(struct sfn_task_env *env, const char *var,
		       const char *rel)
{
	const char *p = sfn_task_getenv(env, var);
	if (p)
		return sfn_xstrdup(p);
	const char *home = sfn_task_getenv(env, "HOME");
	return home ? sfn_xasprintf("%s/%s", home, rel) : NULL;
}

int sfn_aws_creds_load(struct sfn_task_env *env, json_t *section,
		       struct sfn_aws_creds *c, struct sfn_error *err)
{
	json_t *aws = sfn_task_config(env, "aws");
	memset(c, 0, sizeof(*c));
	char *profile = env->aws_profile ? sfn_xstrdup(env->aws_profile) : NULL;
	if (!profile)
		profile = cfg_str(section, "profile");
	if (!profile)
		profile = cfg_str(aws, "profile");
	bool explicit_profile = profile != NULL;
	if (!profile && sfn_task_getenv(env, "AWS_PROFILE")) {
		profile = sfn_xstrdup(sfn_task_getenv(env, "AWS_PROFILE"));
		explicit_profile = true;
	}
	if (!profile)
		profile = sfn_xstrdup("default");

	json_t *srcs[] = { section, aws };
	for (size_t i = 0; i < 2 && !c->access_key; i++) {
		if (!srcs[i] || !json_object_get(srcs[i], "accessKeyId"))
			continue;
		c->access_key = sfn_task_secret(
			env, json_object_get(srcs[i], "accessKeyId"),
			"accessKeyId", err);
		c->secret_key = sfn_task_secret(
			env, json_object_get(srcs[i], "secretAccessKey"),
			"secretAccessKey", err);
		if (json_object_get(srcs[i], "sessionToken"))
			c->session_token = sfn_task_secret(
				env, json_object_get(srcs[i], "sessionToken"),
				"sessionToken", err);
		if (!c->access_key || !c->secret_key) {
			free(profile);
			goto fail;
		}
	}
	/* A profile named on purpose wins over the environment variables. */
	if (!c->access_key && !explicit_profile &&
	    sfn_task_getenv(env, "AWS_ACCESS_KEY_ID") &&
	    sfn_task_getenv(env, "AWS_SECRET_ACCESS_KEY")) {
		c->access_key =
			sfn_xstrdup(sfn_task_getenv(env, "AWS_ACCESS_KEY_ID"));
		c->secret_key = sfn_xstrdup(
			sfn_task_getenv(env, "AWS_SECRET_ACCESS_KEY"));
		if (sfn_task_getenv(env, "AWS_SESSION_TOKEN"))
			c->session_token = sfn_xstrdup(
				sfn_task_getenv(env, "AWS_SESSION_TOKEN"));
	}
	char *cred_file = home_file(env, "AWS_SHARED_CREDENTIALS_FILE",
				    ".aws/credentials");
	char *conf_file = home_file(env, "AWS_CONFIG_FILE", ".aws/config");
	char *conf_section = strcmp(profile, "default")
				     ? sfn_xasprintf("profile %s", profile)
				     : sfn_xstrdup("default");
	if (!c->access_key) {
		const char *files[] = { cred_file, conf_file };
		const char *secs[] = { profile, conf_section };
		for (size_t i = 0; i < 2 && !c->access_key; i++) {
			if (!files[i])
				continue;
			c->access_key =
				ini_get(files[i], secs[i], "aws_access_key_id");
			if (!c->access_key)
				continue;
			c->secret_key = ini_get(files[i], secs[i],
						"aws_secret_access_key");
			c->session_token =
				ini_get(files[i], secs[i], "aws_session_token");
		}
	}
	/* Region: flag, section, config "aws", environment, profile. */
	if (env->aws_region)
		c->region = sfn_xstrdup(env->aws_region);
	if (!c->region)
		c->region = cfg_str(section, "region");
	if (!c->region)
		c->region = cfg_str(aws, "region");
	if (!c->region && sfn_task_getenv(env, "AWS_REGION"))
		c->region = sfn_xstrdup(sfn_task_getenv(env, "AWS_REGION"));
	if (!c->region && sfn_task_getenv(env, "AWS_DEFAULT_REGION"))
		c->region =
			sfn_xstrdup(sfn_task_getenv(env, "AWS_DEFAULT_REGION"));
	if (!c->region && conf_file)
		c->region = ini_get(conf_file, conf_section, "region");
	free(conf_section);
	free(cred_file);
	free(conf_file);
	if (!c->access_key || !c->secret_key) {
		sfn_errorf(err, SFN_E_TASK_FAILED, NULL,
			   "no AWS credentials for profile '%s': set "
			   "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, add "
			   "the profile to ~/.aws/credentials, or give "
			   "accessKeyId/secretAccessKey in the config",
			   profile);
		free(profile);
		goto fail;
	}
	free(profile);
	struct sfn_integ *in = sfn_integ_get(env);
	sfn_integ_add_secret(in, c->secret_key);
	sfn_integ_add_secret(in, c->session_token);
	return 0;
fail:
	sfn_aws_creds_release(c);
	return -1;
}

void sfn_aws_creds_release(struct sfn_aws_creds *c)
{
	free(c->access_key);
	if (c->secret_key)
		memset(c->secret_key, 0, strlen(c->secret_key));
	free(c->secret_key);
	free(c->session_token);
	free(c->region);
	memset(c, 0, sizeof(*c));
}

enum sfn_http_status
sfn_aws_perform(struct sfn_task_env *env, struct sfn_http_req *req,
		const char *service, const struct sfn_aws_creds *c,
		const char *bearer, struct sfn_http_resp *resp, char *errmsg)
{
	char *sigv4 = NULL, *userpwd = NULL, *line = NULL, *auth = NULL;
	struct curl_slist *all = NULL;
	CURLU *u = NULL;
	char *host = NULL, *port = NULL, *path = NULL, *query = NULL;
	if (bearer) {
		line = sfn_xasprintf("Authorization: Bearer %s", bearer);
		all = curl_slist_append(all, line);
	} else if (c->session_token) {
		line = sfn_xasprintf("X-Amz-Security-Token: %s",
				     c->session_token);
		all = curl_slist_append(all, line);
	}
	for (struct curl_slist *h = req->headers; h; h = h->next)
		all = curl_slist_append(all, h->data);
	const char *region = c && c->region ? c->region : "us-east-1";
	u = curl_url();
	bool escaped = false;
	if (!bearer &&
	    curl_url_set(u, CURLUPART_URL, req->url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK)
		escaped = strchr(path, '%') != NULL;
	if (!bearer && !escaped) {
		/* libcurl signs (CURLOPT_AWS_SIGV4). */
		sigv4 = sfn_xasprintf("aws:amz:%s:%s", region, service);
		userpwd = sfn_xasprintf("%s:%s", c->access_key, c->secret_key);
	} else if (!bearer) {
		/*
		 * SigV4 encodes each path segment twice for every service but
		 * S3; libcurl (7.88) encodes once, so AWS would reject a path
		 * with an escape in it (Bedrock model ids with ':'). Sign
		 * those ourselves.
		 */
		curl_url_get(u, CURLUPART_HOST, &host, 0);
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		curl_url_get(u, CURLUPART_QUERY, &query, 0);
		char *hosthdr = port ? sfn_xasprintf("%s:%s", host, port)
				     : sfn_xstrdup(host ? host : "");
		char amz_date[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(amz_date, sizeof(amz_date), "%Y%m%dT%H%M%SZ", &tm);
		const char *ct = NULL;
		for (struct curl_slist *h = req->headers; h; h = h->next)
			if (!strncasecmp(h->data, "Content-Type:", 13))
				ct = h->data + 13;
		const char *hv[10];
		size_t n = 0;
		hv[n++] = "host";
		hv[n++] = hosthdr;
		hv[n++] = "x-amz-date";
		hv[n++] = amz_date;
		if (ct) {
			hv[n++] = "content-type";
			hv[n++] = ct;
		}
		if (c->session_token) {
			hv[n++] = "x-amz-security-token";
			hv[n++] = c->session_token;
		}
		hv[n] = NULL;
		struct sfn_sigv4_req sr = {
			.method = req->method,
			.path = path,
			.query = query,
			.headers = hv,
			.body = req->body,
			.body_len = req->body ? req->body_len : 0,
			.amz_date = amz_date,
			.region = region,
			.service = service,
			.access_key = c->access_key,
			.secret_key = c->secret_key,
			.double_encode_path = strcmp(service, "s3") != 0,
		};
		char *sig = sfn_sigv4_authorization(&sr);
		auth = sfn_xasprintf("Authorization: %s", sig);
		free(sig);
		char *d = sfn_xasprintf("X-Amz-Date: %s", amz_date);
		all = curl_slist_append(all, d);
		free(d);
		all = curl_slist_append(all, auth);
		free(hosthdr);
	}
	struct sfn_http_req r = *req;
	r.headers = all;
	r.aws_sigv4 = sigv4;
	r.userpwd = userpwd;
	enum sfn_http_status st = sfn_http_perform(env, &r, resp, errmsg);
	curl_slist_free_all(all);
	if (userpwd)
		memset(userpwd, 0, strlen(userpwd));
	free(userpwd);
	free(sigv4);
	free(line);
	free(auth);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return st;
}

char *sfn_aws_error_name(const struct sfn_http_resp *resp, const char *fallback,
			 char **message)
{
	json_t *doc = sfn_json_loadb(resp->body.buf ? resp->body.buf : "",
				     resp->body.len, 0, NULL);
	char *name = NULL;
	const char *h = sfn_http_resp_header(resp, "x-amzn-ErrorType");
	if (h && *h) {
		const char *colon = strchr(h, ':');
		name = sfn_xstrndup(h, colon ? (size_t)(colon - h) : strlen(h));
	}
	const char *keys[] = { "__type", "code", "Code" };
	for (size_t i = 0; !name && i < 3; i++) {
		json_t *t = json_object_get(doc, keys[i]);
		if (json_is_string(t)) {
			const char *s = json_string_value(t);
			const char *hash = strrchr(s, '#');
			name = sfn_xstrdup(hash ? hash + 1 : s);
		}
	}
	if (!name)
		name = sfn_xstrdup(fallback);
	if (message) {
		json_t *m = json_object_get(doc, "message");
		if (!json_is_string(m))
			m = json_object_get(doc, "Message");
		*message = json_is_string(m) ? sfn_xstrdup(json_string_value(m))
					     : NULL;
	}
	json_decref(doc);
	return name;
}
