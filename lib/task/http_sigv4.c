/*
 * AWS Signature Version 4, written out with libcrypto. Production requests
 * are signed by libcurl (CURLOPT_AWS_SIGV4); this one exists to check them:
 * the test server verifies every signed request with it, and the known-answer
 * test checks it against AWS's published SigV4 test suite.
 *
 *   CanonicalRequest = Method '\n' CanonicalURI '\n' CanonicalQuery '\n'
 *                      (name ':' value '\n')* '\n' SignedHeaders '\n'
 *                      hex(SHA256(body))
 *   StringToSign = "AWS4-HMAC-SHA256\n" AmzDate '\n' Scope '\n'
 *                  hex(SHA256(CanonicalRequest))
 *   Scope = Date '/' Region '/' Service "/aws4_request"
 *   Key = HMAC(HMAC(HMAC(HMAC("AWS4" Secret, Date), Region), Service),
 *              "aws4_request")
 */
#include "task/http_int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

static void hex(const unsigned char *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static void hmac(const unsigned char *key, size_t key_len, const char *msg,
		 unsigned char out[32])
{
	unsigned int len = 32;
	HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg,
	     strlen(msg), out, &len);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..n) into a new string. */
static char *decode(const char *s, size_t n)
{
	char *out = sfn_xmalloc(n + 1);
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			out[j++] = (char)(hexval(s[i + 1]) * 16 +
					  hexval(s[i + 2]));
			i += 2;
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = '\0';
	return out;
}

struct pair {
	char *k;
	char *v;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->k, y->k);
	return c ? c : strcmp(x->v, y->v);
}

/* AWS: names and values URI-encoded once, sorted by name then value. */
static void canonical_query(struct sfn_strbuf *sb, const char *q)
{
	if (!q || !*q)
		return;
	size_t n = 1;
	for (const char *p = q; *p; p++)
		n += *p == '&';
	struct pair *ps = sfn_xcalloc(n, sizeof(*ps));
	size_t m = 0;
	for (const char *p = q; *p;) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len) {
			const char *eq = memchr(p, '=', len);
			size_t kl = eq ? (size_t)(eq - p) : len;
			char *k = decode(p, kl);
			char *v = eq ? decode(eq + 1, len - kl - 1)
				     : sfn_xstrdup("");
			struct sfn_strbuf e;
			sfn_strbuf_init(&e, 0);
			sfn_uri_encode(&e, k, strlen(k), false);
			ps[m].k = sfn_strbuf_detach(&e, NULL);
			sfn_uri_encode(&e, v, strlen(v), false);
			ps[m].v = sfn_strbuf_detach(&e, NULL);
			sfn_strbuf_release(&e);
			free(k);
			free(v);
			m++;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	qsort(ps, m, sizeof(*ps), pair_cmp);
	for (size_t i = 0; i < m; i++) {
		if (i)
			sfn_strbuf_addch(sb, '&');
		sfn_strbuf_addf(sb, "%s=%s", ps[i].k, ps[i].v);
		free(ps[i].k);
		free(ps[i].v);
	}
	free(ps);
}

/* Lower-case name; value trimmed with inner runs of spaces collapsed. */
static void canonical_headers(const char *const *h, struct sfn_strbuf *canon,
			      struct sfn_strbuf *signed_names)
{
	size_t n = 0;
	while (h[2 * n])
		n++;
	struct pair *ps = sfn_xcalloc(n ? n : 1, sizeof(*ps));
	for (size_t i = 0; i < n; i++) {
		char *k = sfn_xstrdup(h[2 * i]);
		for (char *p = k; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		struct sfn_strbuf v;
		sfn_strbuf_init(&v, 0);
		const char *s = h[2 * i + 1];
		while (*s == ' ' || *s == '\t')
			s++;
		bool space = false;
		for (; *s; s++) {
			if (*s == ' ' || *s == '\t') {
				space = true;
				continue;
			}
			if (space && v.len)
				sfn_strbuf_addch(&v, ' ');
			space = false;
			sfn_strbuf_addch(&v, *s);
		}
		ps[i].k = k;
		ps[i].v = sfn_strbuf_detach(&v, NULL);
	}
	/* Stable by name: equal names keep their order, joined by ','. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(ps[j - 1].k, ps[j].k) > 0;
		     j--) {
			struct pair t = ps[j];
			ps[j] = ps[j - 1];
			ps[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		if (i && !strcmp(ps[i - 1].k, ps[i].k)) {
			sfn_strbuf_addf(canon, ",%s", ps[i].v);
		} else {
			if (i) {
				sfn_strbuf_addch(canon, '\n');
				sfn_strbuf_addch(signed_names, ';');
			}
			sfn_strbuf_addf(canon, "%s:%s", ps[i].k, ps[i].v);
			sfn_strbuf_adds(signed_names, ps[i].k);
		}
	}
	if (n)
		sfn_strbuf_addch(canon, '\n');
	for (size_t i = 0; i < n; i++) {
		free(ps[i].k);
		free(ps[i].v);
	}
	free(ps);
}

char *sfn_sigv4_authorization(const struct sfn_sigv4_req *r)
{
	struct sfn_strbuf creq, names, sts;
	sfn_strbuf_init(&creq, 512);
	sfn_strbuf_init(&names, 64);
	sfn_strbuf_init(&sts, 256);

	sfn_strbuf_addf(&creq, "%s\n", r->method);
	const char *path = r->path && *r->path ? r->path : "/";
	if (r->double_encode_path)
		sfn_uri_encode(&creq, path, strlen(path), true);
	else
		sfn_strbuf_adds(&creq, path);
	sfn_strbuf_addch(&creq, '\n');
	canonical_query(&creq, r->query);
	sfn_strbuf_addch(&creq, '\n');
	canonical_headers(r->headers, &creq, &names);
	sfn_strbuf_addf(&creq, "\n%s\n", names.buf);
	char body_hash[65];
	sfn_sha256_hex(r->body, r->body_len, body_hash);
	sfn_strbuf_adds(&creq, body_hash);

	char date[9];
	snprintf(date, sizeof(date), "%.8s", r->amz_date);
	char creq_hash[65];
	sfn_sha256_hex(creq.buf, creq.len, creq_hash);
	sfn_strbuf_addf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
			r->amz_date, date, r->region, r->service, creq_hash);

	char *k0 = sfn_xasprintf("AWS4%s", r->secret_key);
	unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
	hmac((const unsigned char *)k0, strlen(k0), date, k1);
	hmac(k1, 32, r->region, k2);
	hmac(k2, 32, r->service, k3);
	hmac(k3, 32, "aws4_request", k4);
	hmac(k4, 32, sts.buf, sig);
	char sig_hex[65];
	hex(sig, 32, sig_hex);
	char *out = sfn_xasprintf(
		"AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/"
		"aws4_request, SignedHeaders=%s, Signature=%s",
		r->access_key, date, r->region, r->service, names.buf, sig_hex);
	/* The derived keys are as good as the secret: do not leave them. */
	memset(k0, 0, strlen(k0));
	free(k0);
	memset(k1, 0, 32);
	memset(k4, 0, 32);
	sfn_strbuf_release(&creq);
	sfn_strbuf_release(&names);
	sfn_strbuf_release(&sts);
	return out;
}
