/*
 * The built-in functions of JSONata (the reference's functions.js), the
 * regex matcher on PCRE2 with JavaScript's lastIndex behaviour, and Step
 * Functions' additions ($partition, $range, $hash, $random, $uuid, $parse).
 * Picture-string functions are in fmt_*.c behind jsonata_fmt.h.
 */
#include "jsonata/jsonata_int.h"
#include "jsonata/jsonata_fmt.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base/banned.h"

#define FN(name)                                                               \
	static void name(struct jn_ctx *c, jv *a, int n, jv input,             \
			 struct jn_frame *env, jv *out)
#define UNUSED_ARGS (void)c, (void)a, (void)n, (void)input, (void)env, (void)out
#define ARG(i)	    ((i) < n ? a[i] : JV_U)

/* ---- UTF-8 ---- */

static size_t u8_next(const char *s, size_t n, size_t i, unsigned *cp)
{
	unsigned char c0 = (unsigned char)s[i];
	if (c0 < 0x80 || i + 1 >= n) {
		*cp = c0;
		return i + 1;
	}
	if ((c0 & 0xE0) == 0xC0) {
		*cp = ((c0 & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
		return i + 2;
	}
	if ((c0 & 0xF0) == 0xE0 && i + 2 < n) {
		*cp = ((c0 & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) |
		      (s[i + 2] & 0x3Fu);
		return i + 3;
	}
	if ((c0 & 0xF8) == 0xF0 && i + 3 < n) {
		*cp = ((c0 & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) |
		      ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
		return i + 4;
	}
	*cp = c0;
	return i + 1;
}

size_t jn_u16_units(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch & 0xC0) != 0x80)
			k += ch >= 0xF0 ? 2 : 1;
	}
	return k;
}

size_t jn_u8_offset_of_u16(const char *s, size_t n, size_t units)
{
	size_t i = 0, k = 0;
	while (i < n && k < units) {
		unsigned cp;
		i = u8_next(s, n, i, &cp);
		k += cp >= 0x10000 ? 2 : 1;
	}
	return i;
}

/* byte offset of code point @k (clamped) */
static size_t cp_off(const char *s, size_t n, size_t k)
{
	size_t i = 0;
	while (i < n && k > 0) {
		unsigned cp;
		i = u8_next(s, n, i, &cp);
		k--;
	}
	return i;
}

static void put_utf8(struct sfn_strbuf *sb, unsigned cp)
{
	char b[4];
	int n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	sfn_strbuf_add(sb, b, (size_t)n);
}

static jv sb_val(struct jn_ctx *c, struct sfn_strbuf *sb)
{
	jv r = jv_strf(c, sb->buf, sb->len);
	sfn_strbuf_release(sb);
	return r;
}

/* ---- aggregates ---- */

FN(f_sum)
{
	UNUSED_ARGS;
	jv v = a[0];
	if (v.t == JV_UNDEF)
		return;
	double t = 0;
	uint32_t m = jv_alen(v);
	for (uint32_t i = 0; i < m; i++)
		t += jv_aget(v, i).u.n;
	*out = jv_num(t);
}

FN(f_count)
{
	UNUSED_ARGS;
	*out = jv_num(a[0].t == JV_UNDEF ? 0 : jv_alen(a[0]));
}

static void minmax(jv v, jv *out, int dir)
{
	if (v.t == JV_UNDEF || jv_alen(v) == 0)
		return;
	uint32_t m = jv_alen(v);
	double r = dir > 0 ? -INFINITY : INFINITY;
	for (uint32_t i = 0; i < m; i++) {
		double d = jv_aget(v, i).u.n;
		if (isnan(d)) {
			r = NAN;
			break;
		}
		if (dir > 0 ? d > r : d < r)
			r = d;
	}
	*out = jv_num(r);
}

FN(f_max)
{
	UNUSED_ARGS;
	minmax(a[0], out, 1);
}

FN(f_min)
{
	UNUSED_ARGS;
	minmax(a[0], out, -1);
}

FN(f_average)
{
	UNUSED_ARGS;
	jv v = a[0];
	if (v.t == JV_UNDEF || jv_alen(v) == 0)
		return;
	double t = 0;
	uint32_t m = jv_alen(v);
	for (uint32_t i = 0; i < m; i++)
		t += jv_aget(v, i).u.n;
	*out = jv_num(t / m);
}

/* ---- strings ---- */

FN(f_string)
{
	UNUSED_ARGS;
	jv v = a[0];
	bool pretty = n > 1 && a[1].t == JV_BOOL && a[1].b;
	if (v.t == JV_UNDEF)
		return;
	if (!pretty || v.t == JV_STR || v.t == JV_FUNC || v.t == JV_NUM) {
		*out = jv_string(c, v);
		return;
	}
	if (v.t == JV_ARR && v.u.a->outer && v.u.a->n)
		v = v.u.a->v[0];
	struct sfn_strbuf *sb = jn_sb(c);
	jv_stringify(c, sb, v, true, true);
	*out = sb_val(c, sb);
}

FN(f_substring)
{
	UNUSED_ARGS;
	jv s = a[0];
	if (s.t == JV_UNDEF)
		return;
	double start = ARG(1).u.n;
	size_t len = sfn_utf8_length(s.u.s, s.len);
	if ((double)len + start < 0)
		start = 0;
	double end;
	if (ARG(2).t != JV_UNDEF) {
		double l = a[2].u.n;
		if (l <= 0) {
			*out = jv_str("", 0);
			return;
		}
		end = start >= 0 ? start + l : (double)len + start + l;
	} else {
		end = (double)len;
	}
	/* Array.prototype.slice(start, end) */
	double st = start < 0 ? fmax((double)len + start, 0)
			      : fmin(start, (double)len);
	if (isnan(st))
		st = 0;
	double en =
		end < 0 ? fmax((double)len + end, 0) : fmin(end, (double)len);
	if (isnan(en))
		en = 0;
	st = trunc(st);
	en = trunc(en);
	if (en <= st) {
		*out = jv_str("", 0);
		return;
	}
	size_t b0 = cp_off(s.u.s, s.len, (size_t)st);
	size_t b1 = cp_off(s.u.s, s.len, (size_t)en);
	*out = jv_str(s.u.s + b0, b1 - b0);
}

static const char *memfind(const char *h, size_t hn, const char *nd, size_t nn)
{
	if (nn == 0)
		return h;
	if (nn > hn)
		return NULL;
	/* memchr finds the candidates: it looks at many bytes at once */
	const char *p = h, *last = h + (hn - nn);
	while ((p = memchr(p, nd[0], (size_t)(last - p) + 1))) {
		if (nn == 1 || !memcmp(p + 1, nd + 1, nn - 1))
			return p;
		if (p++ == last)
			break;
	}
	return NULL;
}

FN(f_substring_before)
{
	UNUSED_ARGS;
	jv s = a[0], ch = ARG(1);
	if (s.t == JV_UNDEF)
		return;
	const char *p = memfind(s.u.s, s.len, ch.u.s, ch.len);
	*out = p ? jv_str(s.u.s, (size_t)(p - s.u.s)) : s;
}

FN(f_substring_after)
{
	UNUSED_ARGS;
	jv s = a[0], ch = ARG(1);
	if (s.t == JV_UNDEF)
		return;
	const char *p = memfind(s.u.s, s.len, ch.u.s, ch.len);
	if (!p) {
		*out = s;
		return;
	}
	size_t off = (size_t)(p - s.u.s) + ch.len;
	*out = jv_str(s.u.s + off, s.len - off);
}

static unsigned case_map(unsigned cp, bool upper)
{
	if (upper) {
		if (cp >= 'a' && cp <= 'z')
			return cp - 32;
		if ((cp >= 0xE0 && cp <= 0xFE && cp != 0xF7))
			return cp - 32;
		if (cp == 0xFF)
			return 0x178;
		if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 &&
		    cp != 0x138 && cp != 0x149 && cp != 0x17F) {
			if ((cp >= 0x139 && cp <= 0x148) ||
			    (cp >= 0x179 && cp <= 0x17E))
				return (cp & 1) ? cp : cp - 1;
			return (cp & 1) ? cp - 1 : cp;
		}
		if (cp >= 0x3B1 && cp <= 0x3C9 && cp != 0x3C2)
			return cp - 32;
		if (cp >= 0x430 && cp <= 0x44F)
			return cp - 32;
		if (cp >= 0x450 && cp <= 0x45F)
			return cp - 80;
		return cp;
	}
	if (cp >= 'A' && cp <= 'Z')
		return cp + 32;
	if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
		return cp + 32;
	if (cp == 0x178)
		return 0xFF;
	if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 &&
	    cp != 0x138 && cp != 0x149 && cp != 0x17F) {
		if ((cp >= 0x139 && cp <= 0x148) ||
		    (cp >= 0x179 && cp <= 0x17E))
			return (cp & 1) ? cp + 1 : cp;
		return (cp & 1) ? cp : cp + 1;
	}
	if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2)
		return cp + 32;
	if (cp >= 0x410 && cp <= 0x42F)
		return cp + 32;
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 80;
	return cp;
}

static size_t put_utf8_raw(char *b, unsigned cp)
{
	if (cp < 0x80) {
		b[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	b[0] = (char)(0xF0 | (cp >> 18));
	b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	b[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static void do_case(struct jn_ctx *c, jv s, jv *out, bool upper)
{
	if (s.t == JV_UNDEF)
		return;
	/* no mapping here grows a character by more than a factor of 2 */
	char *buf = jn_alloc(c->a, (size_t)s.len * 2 + 4);
	size_t i = 0, o = 0;
	while (i < s.len) {
		unsigned cp;
		i = u8_next(s.u.s, s.len, i, &cp);
		if (upper && cp == 0xDF) {
			buf[o++] = 'S';
			buf[o++] = 'S';
			continue;
		}
		o += put_utf8_raw(buf + o, case_map(cp, upper));
	}
	buf[o] = 0;
	*out = jv_str(buf, o);
}

FN(f_lowercase)
{
	UNUSED_ARGS;
	do_case(c, a[0], out, false);
}

FN(f_uppercase)
{
	UNUSED_ARGS;
	do_case(c, a[0], out, true);
}

FN(f_length)
{
	UNUSED_ARGS;
	if (a[0].t == JV_UNDEF)
		return;
	*out = jv_num((double)sfn_utf8_length(a[0].u.s, a[0].len));
}

FN(f_trim)
{
	UNUSED_ARGS;
	jv s = a[0];
	if (s.t == JV_UNDEF)
		return;
	struct sfn_strbuf *sb = jn_sb(c);
	bool ws = false;
	for (uint32_t i = 0; i < s.len; i++) {
		char ch = s.u.s[i];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			ws = true;
			continue;
		}
		if (ws && sb->len)
			sfn_strbuf_addch(sb, ' ');
		ws = false;
		sfn_strbuf_addch(sb, ch);
	}
	*out = sb_val(c, sb);
}

FN(f_pad)
{
	UNUSED_ARGS;
	jv s = a[0];
	if (s.t == JV_UNDEF)
		return;
	jv ch = ARG(2);
	if (ch.t == JV_UNDEF || ch.len == 0)
		ch = jv_str(" ", 1);
	double w = trunc(ARG(1).u.n);
	double padlen = fabs(w) - (double)sfn_utf8_length(s.u.s, s.len);
	if (!(padlen > 0)) {
		*out = s;
		return;
	}
	if (padlen > (double)(1u << 28))
		jn_failv(c, "D3001",
			 a[1]); /* past JavaScript's string length */
	struct sfn_strbuf *pad = jn_sb(c);
	size_t chn = sfn_utf8_length(ch.u.s, ch.len);
	if (chn == 0) { /* only stray continuation bytes: no character */
		ch = jv_str(" ", 1);
		chn = 1;
	}
	size_t want = (size_t)padlen, got = 0;
	while (got < want) {
		size_t take = want - got < chn ? want - got : chn;
		sfn_strbuf_add(pad, ch.u.s, cp_off(ch.u.s, ch.len, take));
		got += take;
	}
	struct sfn_strbuf *sb = jn_sb(c);
	if (w > 0) {
		sfn_strbuf_add(sb, s.u.s, s.len);
		sfn_strbuf_add(sb, pad->buf, pad->len);
	} else {
		sfn_strbuf_add(sb, pad->buf, pad->len);
		sfn_strbuf_add(sb, s.u.s, s.len);
	}
	sfn_strbuf_release(pad);
	*out = sb_val(c, sb);
}

/* ---- regex matching ---- */

static pcre2_match_data *md_of(struct jn_ctx *c)
{
	if (!c->md)
		c->md = pcre2_match_data_create(64, NULL);
	return c->md;
}

void jn_regex_ctx_release(struct jn_ctx *c)
{
	if (c->md)
		pcre2_match_data_free(c->md);
	c->md = NULL;
	struct evalnode {
		struct evalnode *next;
		struct sfn_jsonata *e;
	};
	(void)0;
}

/* one match at or after @from; false if none */
static bool rx_exec(struct jn_ctx *c, const struct jn_regex *re, const char *s,
		    size_t len, size_t from, size_t *ms, size_t *me, jv *groups)
{
	pcre2_match_data *md = md_of(c);
	/* strings from JSON are valid UTF-8; lone surrogates from "\uD800"
	 * in an expression are not, and PCRE2 then refuses to match */
	uint32_t opts = sfn_utf8_valid(s, len) ? PCRE2_NO_UTF_CHECK : 0;
	if (from > len)
		return false;
	int rc =
		pcre2_match(re->code, (PCRE2_SPTR)s, len, from, opts, md, NULL);
	if (rc < 0)
		return false;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	*ms = ov[0];
	*me = ov[1];
	if (groups) {
		uint32_t ng = 0;
		pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &ng);
		jv g = jv_arrv(c, ng);
		for (uint32_t i = 1; i <= ng; i++) {
			if ((int)i < rc && ov[2 * i] != PCRE2_UNSET)
				g.u.a->v[g.u.a->n++] =
					jv_str(s + ov[2 * i],
					       ov[2 * i + 1] - ov[2 * i]);
			else
				g.u.a->v[g.u.a->n++] = JV_U;
		}
		*groups = g;
	}
	return true;
}

struct mres {
	size_t start, end; /* bytes */
	jv match, groups;
	jv obj; /* the match object as passed to callbacks */
};

struct mstate {
	bool native;
	const struct jn_regex *re;
	const char *s;
	size_t len, last;
	jv next;
	struct jn_frame *env;
};

static jv match_obj(struct jn_ctx *c, struct mres *r, const char *s, size_t len)
{
	struct jv_obj *o = jv_obj_new(c, 4);
	jv_obj_set(c, o, "match", 5, r->match);
	jv_obj_set(c, o, "start", 5, jv_num((double)jn_u16_units(s, r->start)));
	jv_obj_set(c, o, "end", 3, jv_num((double)jn_u16_units(s, r->end)));
	jv_obj_set(c, o, "groups", 6, r->groups);
	(void)len;
	return jv_objv(o);
}

static bool custom_result(struct jn_ctx *c, struct mstate *st, jv res,
			  struct mres *r)
{
	if (res.t == JV_UNDEF)
		return false;
	jv start = JV_U, end = JV_U, groups = JV_U, next = JV_U, m = JV_U;
	jv_obj_get(res, "start", 5, &start);
	jv_obj_get(res, "end", 3, &end);
	jv_obj_get(res, "groups", 6, &groups);
	jv_obj_get(res, "next", 4, &next);
	jv_obj_get(res, "match", 5, &m);
	if (!(start.t == JV_NUM || jv_is_arr(groups) || next.t == JV_FUNC))
		jn_fail(c, "T1010");
	r->start = jn_u8_offset_of_u16(
		st->s, st->len, start.t == JV_NUM ? (size_t)start.u.n : 0);
	r->end = jn_u8_offset_of_u16(
		st->s, st->len, end.t == JV_NUM ? (size_t)end.u.n : r->start);
	r->match = m.t == JV_STR ? m : jv_str("", 0);
	r->groups = jv_is_arr(groups) ? groups : jv_arrv(c, 0);
	r->obj = res;
	st->next = next;
	return true;
}

static bool m_first(struct jn_ctx *c, struct mstate *st, jv fn, jv str,
		    struct jn_frame *env, struct mres *r)
{
	memset(st, 0, sizeof(*st));
	st->s = str.u.s;
	st->len = str.len;
	st->env = env;
	if (fn.t != JV_FUNC)
		return false; /* JavaScript throws a TypeError here */
	if (fn.u.f->kind == FN_REGEX) {
		st->native = true;
		st->re = fn.u.f->re;
		if (!rx_exec(c, st->re, st->s, st->len, 0, &r->start, &r->end,
			     &r->groups))
			return false;
		r->match = jv_str(st->s + r->start, r->end - r->start);
		r->obj = JV_U;
		st->last = r->end;
		return true;
	}
	jv args[1] = { str };
	jv res = jn_apply(c, fn, args, 1, JV_U, env);
	return custom_result(c, st, res, r);
}

static bool m_next(struct jn_ctx *c, struct mstate *st, struct mres *r)
{
	if (st->native) {
		if (st->last >= st->len)
			return false;
		if (!rx_exec(c, st->re, st->s, st->len, st->last, &r->start,
			     &r->end, &r->groups))
			return false;
		r->match = jv_str(st->s + r->start, r->end - r->start);
		st->last = r->end;
		if (r->end == r->start)
			jn_failv(c, "D1004",
				 jv_str(st->re->src, st->re->srclen));
		return true;
	}
	if (st->next.t != JV_FUNC)
		return false;
	jv res = jn_apply(c, st->next, NULL, 0, JV_U, st->env);
	return custom_result(c, st, res, r);
}

/* calling a regex (or its next()) as a function */
jv jn_regex_call(struct jn_ctx *c, const struct jv_fn *f, jv *args, int n)
{
	const struct jn_regex *re = f->re;
	const char *s;
	size_t len, from;
	if (f->kind == FN_REGEX) {
		if (n < 1 || args[0].t != JV_STR)
			return JV_U;
		s = args[0].u.s;
		len = args[0].len;
		from = 0;
	} else {
		s = f->str;
		len = f->slen;
		from = f->last;
		if (from >= len)
			return JV_U;
	}
	size_t ms, me;
	jv groups;
	if (!rx_exec(c, re, s, len, from, &ms, &me, &groups))
		return JV_U;
	if (f->kind == FN_REGEX_NEXT && ms == me)
		jn_failv(c, "D1004", jv_str(re->src, re->srclen));
	struct mres r = { ms, me, jv_str(s + ms, me - ms), groups, JV_U };
	jv o = match_obj(c, &r, s, len);
	struct jv_fn *nf = jn_zalloc(c->a, sizeof(*nf));
	nf->kind = FN_REGEX_NEXT;
	nf->re = re;
	nf->str = s;
	nf->slen = len;
	nf->last = me;
	jv nv = { .t = JV_FUNC };
	nv.u.f = nf;
	jv_obj_set(c, o.u.o, "next", 4, nv);
	return o;
}

FN(f_match)
{
	UNUSED_ARGS;
	jv s = a[0];
	if (s.t == JV_UNDEF)
		return;
	jv lim = ARG(2);
	if (lim.t == JV_NUM && lim.u.n < 0) {
		memset(&c->err, 0, sizeof(c->err));
		c->err.code = "D3040";
		c->err.value = lim;
		c->err.has_value = true;
		c->err.index = 3;
		jn_throw(c);
	}
	jv result = jv_seq(c, 0);
	if (lim.t == JV_UNDEF || lim.u.n > 0) {
		struct mstate st;
		struct mres r;
		double count = 0;
		bool ok = m_first(c, &st, ARG(1), s, env, &r);
		while (ok && (lim.t == JV_UNDEF || count < lim.u.n)) {
			struct jv_obj *o = jv_obj_new(c, 3);
			jv_obj_set(c, o, "match", 5, r.match);
			jv_obj_set(
				c, o, "index", 5,
				jv_num((double)jn_u16_units(s.u.s, r.start)));
			jv_obj_set(c, o, "groups", 6, r.groups);
			jv_push(c, result.u.a, jv_objv(o));
			ok = m_next(c, &st, &r);
			count++;
		}
	}
	*out = result;
}

FN(f_contains)
{
	UNUSED_ARGS;
	jv s = a[0], tok = ARG(1);
	if (s.t == JV_UNDEF || tok.t == JV_UNDEF)
		return;
	if (tok.t == JV_STR) {
		*out = jv_bool(memfind(s.u.s, s.len, tok.u.s, tok.len) != NULL);
		return;
	}
	struct mstate st;
	struct mres r;
	*out = jv_bool(m_first(c, &st, tok, s, env, &r));
}

static void substitute(struct sfn_strbuf *sb, jv rep, struct mres *m)
{
	const char *r = rep.u.s;
	size_t rl = rep.len, pos = 0;
	uint32_t ng = jv_alen(m->groups);
	while (pos < rl) {
		const char *d = memchr(r + pos, '$', rl - pos);
		if (!d)
			break;
		size_t idx = (size_t)(d - r);
		sfn_strbuf_add(sb, r + pos, idx - pos);
		pos = idx + 1;
		char dv = pos < rl ? r[pos] : 0;
		if (dv == '$') {
			sfn_strbuf_addch(sb, '$');
			pos++;
		} else if (dv == '0') {
			sfn_strbuf_add(sb, m->match.u.s, m->match.len);
			pos++;
		} else {
			int maxd =
				ng == 0 ? 1 : (int)floor(log10((double)ng)) + 1;
			/* parseInt of up to maxd chars */
			long v = -1;
			int used = 0;
			for (int k = 0; k < maxd && pos + (size_t)k < rl; k++) {
				char ch = r[pos + k];
				if (ch < '0' || ch > '9')
					break;
				v = (v < 0 ? 0 : v) * 10 + (ch - '0');
				used++;
			}
			if (maxd > 1 && v > (long)ng) {
				v = -1;
				used = 0;
				for (int k = 0;
				     k < maxd - 1 && pos + (size_t)k < rl;
				     k++) {
					char ch = r[pos + k];
					if (ch < '0' || ch > '9')
						break;
					v = (v < 0 ? 0 : v) * 10 + (ch - '0');
					used++;
				}
			}
			if (v >= 0) {
				if (ng > 0 && v >= 1 && (uint32_t)v <= ng) {
					jv g = jv_aget(m->groups,
						       (uint32_t)v - 1);
					if (g.t == JV_STR)
						sfn_strbuf_add(sb, g.u.s,
							       g.len);
				}
				char nb[24];
				int l = snprintf(nb, sizeof(nb), "%ld", v);
				pos += (size_t)l;
				(void)used;
			} else {
				sfn_strbuf_addch(sb, '$');
			}
		}
	}
	sfn_strbuf_add(sb, r + pos, rl - pos);
}

FN(f_replace)
{
	UNUSED_ARGS;
	jv s = a[0];
	if (s.t == JV_UNDEF)
		return;
	jv pat = ARG(1), rep = ARG(2), lim = ARG(3);
	if (pat.t == JV_STR && pat.len == 0) {
		memset(&c->err, 0, sizeof(c->err));
		c->err.code = "D3010";
		c->err.value = pat;
		c->err.has_value = true;
		c->err.index = 2;
		jn_throw(c);
	}
	if (lim.t == JV_NUM && lim.u.n < 0) {
		memset(&c->err, 0, sizeof(c->err));
		c->err.code = "D3011";
		c->err.value = lim;
		c->err.has_value = true;
		c->err.index = 4;
		jn_throw(c);
	}
	if (!(lim.t == JV_UNDEF || lim.u.n > 0)) {
		*out = s;
		return;
	}
	struct sfn_strbuf *sb = jn_sb(c);
	double count = 0;
	size_t pos = 0;
	if (pat.t == JV_STR) {
		const char *p;
		while ((p = memfind(s.u.s + pos, s.len - pos, pat.u.s,
				    pat.len)) &&
		       (lim.t == JV_UNDEF || count < lim.u.n)) {
			size_t idx = (size_t)(p - s.u.s);
			sfn_strbuf_add(sb, s.u.s + pos, idx - pos);
			if (rep.t == JV_STR)
				sfn_strbuf_add(sb, rep.u.s, rep.len);
			pos = idx + pat.len;
			count++;
		}
		sfn_strbuf_add(sb, s.u.s + pos, s.len - pos);
		*out = sb_val(c, sb);
		return;
	}
	struct mstate st;
	struct mres r;
	bool ok = m_first(c, &st, pat, s, env, &r);
	if (!ok) {
		sfn_strbuf_release(sb);
		*out = s;
		return;
	}
	while (ok && (lim.t == JV_UNDEF || count < lim.u.n)) {
		sfn_strbuf_add(sb, s.u.s + pos, r.start - pos);
		if (rep.t == JV_STR) {
			substitute(sb, rep, &r);
		} else {
			jv mo = r.obj.t != JV_UNDEF
					? r.obj
					: match_obj(c, &r, s.u.s, s.len);
			jv args[1] = { mo };
			jv w = jn_apply(c, rep, args, 1, JV_U, env);
			if (w.t != JV_STR) {
				sfn_strbuf_release(sb);
				jn_failv(c, "D3012", w);
			}
			sfn_strbuf_add(sb, w.u.s, w.len);
		}
		pos = r.start + r.match.len;
		count++;
		ok = m_next(c, &st, &r);
	}
	sfn_strbuf_add(sb, s.u.s + pos, s.len - pos);
	*out = sb_val(c, sb);
}

FN(f_split)
{
	UNUSED_ARGS;
	jv s = a[0];
	if (s.t == JV_UNDEF)
		return;
	jv sep = ARG(1), lim = ARG(2);
	if (lim.t == JV_NUM && lim.u.n < 0) {
		memset(&c->err, 0, sizeof(c->err));
		c->err.code = "D3020";
		c->err.value = lim;
		c->err.has_value = true;
		c->err.index = 3;
		jn_throw(c);
	}
	jv result = jv_arrv(c, 0);
	*out = result;
	if (!(lim.t == JV_UNDEF || lim.u.n > 0))
		return;
	double maxn = lim.t == JV_UNDEF ? 4294967295.0 : floor(lim.u.n);
	if (sep.t == JV_STR) {
		if (sep.len == 0) {
			size_t i = 0;
			while (i < s.len && result.u.a->n < maxn) {
				unsigned cp;
				size_t j = u8_next(s.u.s, s.len, i, &cp);
				jv_push(c, result.u.a,
					jv_str(s.u.s + i, j - i));
				i = j;
			}
			return;
		}
		struct jv_arr *ra = result.u.a;
		const char *pos = s.u.s, *end = s.u.s + s.len;
		if (sep.len == 1 && s.len >= 256) {
			/* the parts counted first: a long text would
			 * otherwise copy its growing list of parts again and
			 * again */
			uint32_t parts = 1;
			for (const char *q = pos;
			     (q = memchr(q, sep.u.s[0], (size_t)(end - q)));
			     q++)
				parts++;
			ra->v = jn_alloc(c->a, sizeof(jv) * parts);
			ra->cap = parts;
		}
		for (;;) {
			if (ra->n >= maxn)
				return;
			const char *p =
				sep.len == 1 ? memchr(pos, sep.u.s[0],
						      (size_t)(end - pos))
					     : memfind(pos, (size_t)(end - pos),
						       sep.u.s, sep.len);
			if (!p) {
				jv_push_fast(c, ra,
					     jv_str(pos, (size_t)(end - pos)));
				return;
			}
			jv_push_fast(c, ra, jv_str(pos, (size_t)(p - pos)));
			pos = p + sep.len;
		}
	}
	struct mstate st;
	struct mres r;
	double count = 0;
	bool ok = m_first(c, &st, sep, s, env, &r);
	if (!ok) {
		jv_push(c, result.u.a, s);
		return;
	}
	size_t start = 0;
	while (ok && (lim.t == JV_UNDEF || count < lim.u.n)) {
		jv_push(c, result.u.a,
			jv_str(s.u.s + start,
			       r.start > start ? r.start - start : 0));
		start = r.end;
		ok = m_next(c, &st, &r);
		count++;
	}
	if (lim.t == JV_UNDEF || count < lim.u.n)
		jv_push(c, result.u.a, jv_str(s.u.s + start, s.len - start));
}

FN(f_join)
{
	UNUSED_ARGS;
	jv v = a[0];
	if (v.t == JV_UNDEF)
		return;
	jv sep = ARG(1);
	uint32_t m = jv_alen(v);
	size_t sl = sep.t == JV_STR ? sep.len : 0, total = 0;
	/* the length first, then one copy of each part into the arena */
	for (uint32_t i = 0; i < m; i++)
		total += jv_aget(v, i).len + (i ? sl : 0);
	char *p = jn_alloc(c->a, total + 1), *w = p;
	for (uint32_t i = 0; i < m; i++) {
		if (i && sl == 1) {
			*w++ = sep.u.s[0]; /* the common ",": no call */
		} else if (i && sl) {
			memcpy(w, sep.u.s, sl);
			w += sl;
		}
		jv e = jv_aget(v, i);
		if (e.len >= 8 && e.len <= 16) {
			/* most parts are short: two loads and two stores
			 * (which may overlap) instead of a call */
			uint64_t x, y;
			memcpy(&x, e.u.s, 8);
			memcpy(&y, e.u.s + e.len - 8, 8);
			memcpy(w, &x, 8);
			memcpy(w + e.len - 8, &y, 8);
		} else if (e.len) {
			memcpy(w, e.u.s, e.len);
		}
		w += e.len;
	}
	*w = 0;
	*out = jv_str(p, total);
}

/* ---- picture strings (jsonata_fmt.h) ---- */

static void fmt_fail(struct jn_ctx *c, struct sfn_fmt_err *fe)
{
	memset(&c->err, 0, sizeof(c->err));
	c->err.code = jn_strndup(c->a, fe->code, strlen(fe->code));
	if (fe->value) {
		json_error_t je;
		json_t *j = sfn_json_loads(fe->value, JSON_DECODE_ANY, &je);
		if (j) {
			c->err.value = jv_from_json_deep(c, j);
			json_decref(j);
		} else {
			c->err.value = jv_strf(c, fe->value, strlen(fe->value));
		}
		c->err.has_value = true;
	}
	sfn_fmt_err_release(fe);
	jn_throw(c);
}

FN(f_format_number)
{
	UNUSED_ARGS;
	if (a[0].t == JV_UNDEF)
		return;
	struct sfn_fmt_decimal_format df;
	sfn_fmt_decimal_format_init(&df);
	jv opts = ARG(2);
	if (jv_is_obj(opts)) {
		const char *k;
		size_t kl;
		jv v;
		size_t it = 0;
		while (it != (size_t)-1 && jv_obj_next(opts, &it, &k, &kl, &v))
			if (v.t == JV_STR)
				sfn_fmt_decimal_format_set(
					&df, jn_strndup(c->a, k, kl),
					jv_cstr(c, v));
	}
	struct sfn_strbuf *sb = jn_sb(c);
	struct sfn_fmt_err fe = SFN_FMT_ERR_INIT;
	if (sfn_fmt_number(a[0].u.n, jv_cstr(c, ARG(1)), &df, sb, &fe) < 0) {
		sfn_strbuf_release(sb);
		fmt_fail(c, &fe);
	}
	*out = sb_val(c, sb);
}

FN(f_format_base)
{
	UNUSED_ARGS;
	if (a[0].t == JV_UNDEF)
		return;
	struct sfn_strbuf *sb = jn_sb(c);
	struct sfn_fmt_err fe = SFN_FMT_ERR_INIT;
	double radix = ARG(1).t == JV_NUM ? a[1].u.n : 10;
	if (sfn_fmt_base(a[0].u.n, radix, sb, &fe) < 0) {
		sfn_strbuf_release(sb);
		fmt_fail(c, &fe);
	}
	*out = sb_val(c, sb);
}

FN(f_format_integer)
{
	UNUSED_ARGS;
	if (a[0].t == JV_UNDEF)
		return;
	struct sfn_strbuf *sb = jn_sb(c);
	struct sfn_fmt_err fe = SFN_FMT_ERR_INIT;
	if (sfn_fmt_integer(a[0].u.n, jv_cstr(c, ARG(1)), sb, &fe) < 0) {
		sfn_strbuf_release(sb);
		fmt_fail(c, &fe);
	}
	*out = sb_val(c, sb);
}

FN(f_parse_integer)
{
	UNUSED_ARGS;
	if (a[0].t == JV_UNDEF)
		return;
	struct sfn_fmt_err fe = SFN_FMT_ERR_INIT;
	double r = 0;
	bool undef = false;
	if (sfn_fmt_parse_integer(jv_cstr(c, a[0]), jv_cstr(c, ARG(1)), &r,
				  &undef, &fe) < 0)
		fmt_fail(c, &fe);
	if (!undef)
		*out = jv_num(r);
}

static void from_millis(struct jn_ctx *c, double ms, jv pic, jv tz, jv *out)
{
	struct sfn_strbuf *sb = jn_sb(c);
	struct sfn_fmt_err fe = SFN_FMT_ERR_INIT;
	if (sfn_fmt_from_millis(ms, pic.t == JV_STR ? jv_cstr(c, pic) : NULL,
				tz.t == JV_STR ? jv_cstr(c, tz) : NULL, sb,
				&fe) < 0) {
		sfn_strbuf_release(sb);
		fmt_fail(c, &fe);
	}
	*out = sb_val(c, sb);
}

FN(f_from_millis)
{
	UNUSED_ARGS;
	if (a[0].t == JV_UNDEF)
		return;
	from_millis(c, a[0].u.n, ARG(1), ARG(2), out);
}

FN(f_now)
{
	UNUSED_ARGS;
	from_millis(c, jn_now_ms(c), ARG(0), ARG(1), out);
}

FN(f_millis)
{
	UNUSED_ARGS;
	*out = jv_num(jn_now_ms(c));
}

FN(f_to_millis)
{
	UNUSED_ARGS;
	if (a[0].t == JV_UNDEF)
		return;
	struct sfn_fmt_err fe = SFN_FMT_ERR_INIT;
	double r = 0;
	bool undef = false;
	jv pic = ARG(1);
	if (sfn_fmt_to_millis(jv_cstr(c, a[0]),
			      pic.t == JV_STR ? jv_cstr(c, pic) : NULL,
			      jn_now_ms(c), &r, &undef, &fe) < 0)
		fmt_fail(c, &fe);
	if (!undef)
		*out = jv_num(r);
}

/* ---- numbers ---- */

static bool num_syntax(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	size_t d = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == d)
		return false;
	if (i < n && s[i] == '.') {
		i++;
		size_t f = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f)
			return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t e = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == e)
			return false;
	}
	return i == n;
}

FN(f_number)
{
	UNUSED_ARGS;
	jv v = a[0];
	if (v.t == JV_UNDEF)
		return;
	if (v.t == JV_NUM) {
		*out = v;
		return;
	}
	if (v.t == JV_BOOL) {
		*out = jv_num(v.b);
		return;
	}
	if (v.t == JV_STR) {
		const char *s = jv_cstr(c, v);
		if (num_syntax(s, v.len)) {
			double d = strtod(s, NULL);
			if (isfinite(d)) {
				*out = jv_num(d);
				return;
			}
		}
		if (v.len > 2 && s[0] == '0') {
			int base = 0;
			char k = s[1];
			if (k == 'x' || k == 'X')
				base = 16;
			else if (k == 'o' || k == 'O')
				base = 8;
			else if (k == 'b' || k == 'B')
				base = 2;
			if (base) {
				double r = 0;
				bool ok = true;
				for (size_t i = 2; i < v.len; i++) {
					int dg;
					char ch = s[i];
					if (ch >= '0' && ch <= '9')
						dg = ch - '0';
					else if (ch >= 'a' && ch <= 'f')
						dg = ch - 'a' + 10;
					else if (ch >= 'A' && ch <= 'F')
						dg = ch - 'A' + 10;
					else
						dg = 99;
					if (dg >= base) {
						ok = false;
						break;
					}
					r = r * base + dg;
				}
				if (ok) {
					*out = jv_num(r);
					return;
				}
			}
		}
	}
	memset(&c->err, 0, sizeof(c->err));
	c->err.code = "D3030";
	c->err.value = v;
	c->err.has_value = true;
	c->err.index = 1;
	jn_throw(c);
}

FN(f_abs)
{
	UNUSED_ARGS;
	if (a[0].t != JV_UNDEF)
		*out = jv_num(fabs(a[0].u.n));
}

FN(f_floor)
{
	UNUSED_ARGS;
	if (a[0].t != JV_UNDEF)
		*out = jv_num(floor(a[0].u.n));
}

FN(f_ceil)
{
	UNUSED_ARGS;
	if (a[0].t != JV_UNDEF)
		*out = jv_num(ceil(a[0].u.n));
}

/*
 * +(mantissa + 'e' + (exp + shift)) on JavaScript's string form of @v. The
 * shortest round-trip digits have 15 to 17 significant digits whenever
 * they have at least 15 (and "%.14e" pads a shorter one with zeros, which
 * is the same decimal), so at most three tries find them.
 */
static double shift10(double v, double shift)
{
	char buf[48], tmp[64];
	if (v == 0 || !isfinite(v))
		return v;
	for (int prec = 14; prec <= 16; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec, v);
		if (prec == 16 || strtod(buf, NULL) == v)
			break;
	}
	char *e = strchr(buf, 'e');
	long ex = strtol(e + 1, NULL, 10);
	*e = 0;
	/* JavaScript's text of the exponent: "3.022e1.5" and "3.022e1e+21"
	 * are NaN; past 1e5 it is Infinity or 0 as far as doubles go */
	double sh = (double)ex + shift;
	if (sh != floor(sh) || fabs(sh) >= 1e21)
		return NAN;
	if (fabs(sh) > 100000)
		sh = sh > 0 ? 100000 : -100000;
	snprintf(tmp, sizeof(tmp), "%se%ld", buf, (long)sh);
	return strtod(tmp, NULL);
}

static double js_round(double x)
{
	return floor(x + 0.5);
}

FN(f_round)
{
	UNUSED_ARGS;
	jv v = a[0];
	if (v.t == JV_UNDEF)
		return;
	double arg = v.u.n;
	double prec = ARG(1).t == JV_NUM ? a[1].u.n : 0;
	/* floor() is a call: within +-22, and for |y| under 2^40 below,
	 * a conversion to an integer is exact */
	if (fabs(prec) <= 22 && prec == (double)(int)prec && isfinite(arg)) {
		/*
		 * Fast path: away from a half, arg * 10^p rounds as the
		 * decimal shift of its digits does (the two differ by a few
		 * ulps, far less than the distance to the half), and both
		 * shifts are exact operands correctly rounded by IEEE.
		 */
		static const double p10[] = { 1e0,  1e1,  1e2,	1e3,  1e4,
					      1e5,  1e6,  1e7,	1e8,  1e9,
					      1e10, 1e11, 1e12, 1e13, 1e14,
					      1e15, 1e16, 1e17, 1e18, 1e19,
					      1e20, 1e21, 1e22 };
		double pw = p10[(int)fabs(prec)];
		double y = prec >= 0 ? arg * pw : arg / pw;
		if (fabs(y) < 1099511627776.0) {
			double fl = (double)(int64_t)y;
			if (fl > y)
				fl -= 1; /* floor(y) */
			double fr = y - fl;
			if (fabs(fr - 0.5) > 1e-3) {
				double r = fr < 0.5 ? fl : fl + 1;
				r = prec >= 0 ? r / pw : r * pw;
				*out = jv_num(r == 0 ? 0 : r);
				return;
			}
		}
	}
	if (prec)
		arg = shift10(arg, prec);
	double r = js_round(arg);
	double diff = r - arg;
	if (fabs(diff) == 0.5 && fabs(fmod(r, 2)) == 1)
		r = r - 1;
	if (prec)
		r = shift10(r, -prec);
	if (r == 0)
		r = 0;
	*out = jv_num(r);
}

FN(f_sqrt)
{
	UNUSED_ARGS;
	jv v = a[0];
	if (v.t == JV_UNDEF)
		return;
	if (v.u.n < 0) {
		memset(&c->err, 0, sizeof(c->err));
		c->err.code = "D3060";
		c->err.value = v;
		c->err.has_value = true;
		c->err.index = 1;
		jn_throw(c);
	}
	*out = jv_num(sqrt(v.u.n));
}

FN(f_power)
{
	UNUSED_ARGS;
	jv v = a[0];
	if (v.t == JV_UNDEF)
		return;
	double r = pow(v.u.n, ARG(1).u.n);
	if (!isfinite(r)) {
		memset(&c->err, 0, sizeof(c->err));
		c->err.code = "D3061";
		c->err.value = v;
		c->err.has_value = true;
		c->err.index = 1;
		c->err.exp = ARG(1).u.n;
		jn_throw(c);
	}
	*out = jv_num(r);
}

static uint64_t rng_next(struct jn_ctx *c)
{
	if (!c->rng_seeded) {
		if (RAND_bytes((unsigned char *)c->rng, sizeof(c->rng)) != 1)
			c->rng[0] = 0x9E3779B97F4A7C15u, c->rng[1] = 1;
		if (!c->rng[0] && !c->rng[1])
			c->rng[1] = 1;
		c->rng_seeded = true;
	}
	/* xorshift128+ */
	uint64_t s1 = c->rng[0];
	const uint64_t s0 = c->rng[1];
	c->rng[0] = s0;
	s1 ^= s1 << 23;
	c->rng[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
	return c->rng[1] + s0;
}

static double rand01(struct jn_ctx *c)
{
	return (double)(rng_next(c) >> 11) * 0x1.0p-53;
}

FN(f_random)
{
	UNUSED_ARGS;
	jv seed = ARG(0);
	if (seed.t == JV_NUM && (c->flags & SFN_JSONATA_AWS)) {
		/* java.util.Random(seed).nextDouble() */
		const uint64_t mult = 0x5DEECE66Du, mask = (1ull << 48) - 1;
		uint64_t s = ((uint64_t)(int64_t)seed.u.n ^ mult) & mask;
		s = (s * mult + 0xB) & mask;
		uint64_t hi = s >> (48 - 26);
		s = (s * mult + 0xB) & mask;
		uint64_t lo = s >> (48 - 27);
		*out = jv_num((double)((hi << 27) + lo) * 0x1.0p-53);
		return;
	}
	*out = jv_num(rand01(c));
}

/* ---- booleans ---- */

FN(f_boolean)
{
	UNUSED_ARGS;
	if (a[0].t != JV_UNDEF)
		*out = jv_bool(jv_boolean(a[0]));
}

FN(f_not)
{
	UNUSED_ARGS;
	if (a[0].t != JV_UNDEF)
		*out = jv_bool(!jv_boolean(a[0]));
}

/* ---- higher order ---- */

static int hof_args(jv fn, jv *buf, jv v, jv i, jv arr)
{
	int ar = jn_fn_arity(fn);
	buf[0] = v;
	int k = 1;
	if (ar >= 2)
		buf[k++] = i;
	if (ar >= 3)
		buf[k++] = arr;
	return k;
}

FN(f_map)
{
	UNUSED_ARGS;
	jv arr = a[0], fn = ARG(1);
	if (arr.t == JV_UNDEF)
		return;
	uint32_t m = jv_alen(arr);
	jv result = jv_seq(c, m);
	jv args[3];
	for (uint32_t i = 0; i < m; i++) {
		int k = hof_args(fn, args, jv_aget(arr, i), jv_num(i), arr);
		jv r = jn_apply(c, fn, args, k, JV_U, env);
		if (r.t != JV_UNDEF)
			jv_push(c, result.u.a, r);
	}
	*out = result;
}

FN(f_filter)
{
	UNUSED_ARGS;
	jv arr = a[0], fn = ARG(1);
	if (arr.t == JV_UNDEF)
		return;
	uint32_t m = jv_alen(arr);
	jv result = jv_seq(c, 0);
	jv args[3];
	for (uint32_t i = 0; i < m; i++) {
		jv e = jv_aget(arr, i);
		int k = hof_args(fn, args, e, jv_num(i), arr);
		jv r = jn_apply(c, fn, args, k, JV_U, env);
		if (r.t != JV_UNDEF && jv_boolean(r))
			jv_push(c, result.u.a, e);
	}
	*out = result;
}

FN(f_single)
{
	UNUSED_ARGS;
	jv arr = a[0], fn = ARG(1);
	if (arr.t == JV_UNDEF)
		return;
	uint32_t m = jv_alen(arr);
	bool found = false;
	jv result = JV_U;
	jv args[3];
	for (uint32_t i = 0; i < m; i++) {
		jv e = jv_aget(arr, i);
		bool pos = true;
		if (fn.t != JV_UNDEF) {
			int k = hof_args(fn, args, e, jv_num(i), arr);
			jv r = jn_apply(c, fn, args, k, JV_U, env);
			pos = r.t != JV_UNDEF && jv_boolean(r);
		}
		if (pos) {
			if (!found) {
				result = e;
				found = true;
			} else {
				memset(&c->err, 0, sizeof(c->err));
				c->err.code = "D3138";
				c->err.index = (int)i;
				jn_throw(c);
			}
		}
	}
	if (!found)
		jn_fail(c, "D3139");
	*out = result;
}

FN(f_zip)
{
	UNUSED_ARGS;
	double minlen = n ? INFINITY : 0;
	for (int i = 0; i < n; i++) {
		double l = jv_is_arr(a[i]) ? jv_alen(a[i]) : 0;
		if (l < minlen)
			minlen = l;
	}
	jv result = jv_arrv(c, 0);
	for (uint32_t i = 0; i < (uint32_t)minlen; i++) {
		jv t = jv_arrv(c, (uint32_t)n);
		for (int k = 0; k < n; k++)
			t.u.a->v[t.u.a->n++] = jv_aget(a[k], i);
		jv_push(c, result.u.a, t);
	}
	*out = result;
}

FN(f_reduce)
{
	UNUSED_ARGS;
	jv seq = a[0], fn = ARG(1), init = ARG(2);
	if (seq.t == JV_UNDEF)
		return;
	int ar = jn_fn_arity(fn);
	if (ar < 2) {
		memset(&c->err, 0, sizeof(c->err));
		c->err.code = "D3050";
		c->err.index = 1;
		jn_throw(c);
	}
	uint32_t m = jv_alen(seq), idx;
	jv result;
	if (init.t == JV_UNDEF && m > 0) {
		result = jv_aget(seq, 0);
		idx = 1;
	} else {
		result = init;
		idx = 0;
	}
	while (idx < m) {
		jv args[4] = { result, jv_aget(seq, idx), jv_num(idx), seq };
		int k = 2;
		if (ar >= 3)
			k = 3;
		if (ar >= 4)
			k = 4;
		result = jn_apply(c, fn, args, k, JV_U, env);
		idx++;
	}
	*out = result;
}

FN(f_sift)
{
	UNUSED_ARGS;
	jv obj = a[0], fn = ARG(1);
	struct jv_obj *r = jv_obj_new(c, 4);
	if (jv_is_obj(obj)) {
		const char *k;
		size_t kl;
		jv v;
		size_t it = 0;
		jv args[3];
		while (it != (size_t)-1 && jv_obj_next(obj, &it, &k, &kl, &v)) {
			int na = hof_args(fn, args, v, jv_str(k, kl), obj);
			jv res = jn_apply(c, fn, args, na, JV_U, env);
			if (res.t != JV_UNDEF && jv_boolean(res))
				jv_obj_set(c, r, k, (uint32_t)kl, v);
		}
	}
	if (r->live == 0)
		return;
	*out = jv_objv(r);
}

FN(f_each)
{
	UNUSED_ARGS;
	jv obj = a[0], fn = ARG(1);
	jv result = jv_seq(c, 0);
	if (jv_is_obj(obj)) {
		const char *k;
		size_t kl;
		jv v;
		size_t it = 0;
		jv args[3];
		while (it != (size_t)-1 && jv_obj_next(obj, &it, &k, &kl, &v)) {
			int na = hof_args(fn, args, v, jv_str(k, kl), obj);
			jv res = jn_apply(c, fn, args, na, JV_U, env);
			if (res.t != JV_UNDEF)
				jv_push(c, result.u.a, res);
		}
	}
	*out = result;
}

/* ---- objects and arrays ---- */

static void keys_of(struct jn_ctx *c, jv v, struct jv_obj *seen,
		    struct jv_arr *out)
{
	if (jv_is_arr(v)) {
		uint32_t m = jv_alen(v);
		for (uint32_t i = 0; i < m; i++) {
			jv e = jv_aget(v, i);
			if (jv_is_obj(e))
				keys_of(c, e, seen, out);
		}
		return;
	}
	if (!jv_is_obj(v))
		return;
	const char *k;
	size_t kl;
	jv x, tmp;
	size_t it = 0;
	while (it != (size_t)-1 && jv_obj_next(v, &it, &k, &kl, &x)) {
		if (jv_obj_get(jv_objv(seen), k, kl, &tmp))
			continue;
		jv_obj_set(c, seen, k, (uint32_t)kl, jv_bool(true));
		jv_push(c, out, jv_str(k, kl));
	}
}

FN(f_keys)
{
	UNUSED_ARGS;
	jv result = jv_seq(c, 0);
	keys_of(c, a[0], jv_obj_new(c, 8), result.u.a);
	*out = result;
}

static jv lookup(struct jn_ctx *c, jv input, jv key)
{
	if (jv_is_arr(input)) {
		jv r = jv_seq(c, 0);
		uint32_t m = jv_alen(input);
		for (uint32_t i = 0; i < m; i++) {
			jv res = lookup(c, jv_aget(input, i), key);
			if (res.t == JV_UNDEF)
				continue;
			if (jv_is_arr(res)) {
				uint32_t k = jv_alen(res);
				for (uint32_t x = 0; x < k; x++)
					jv_push(c, r.u.a, jv_aget(res, x));
			} else {
				jv_push(c, r.u.a, res);
			}
		}
		return r;
	}
	jv v = JV_U;
	if (jv_is_obj(input))
		jv_obj_get(input, key.u.s, key.len, &v);
	return v;
}

FN(f_lookup)
{
	UNUSED_ARGS;
	*out = lookup(c, a[0], ARG(1));
}

FN(f_append)
{
	UNUSED_ARGS;
	*out = jv_append(c, a[0], ARG(1));
}

FN(f_exists)
{
	UNUSED_ARGS;
	*out = jv_bool(a[0].t != JV_UNDEF);
}

static jv spread(struct jn_ctx *c, jv v)
{
	if (jv_is_arr(v)) {
		jv r = jv_seq(c, 0);
		uint32_t m = jv_alen(v);
		for (uint32_t i = 0; i < m; i++)
			r = jv_append(c, r, spread(c, jv_aget(v, i)));
		return r;
	}
	if (jv_is_obj(v)) {
		jv r = jv_seq(c, 0);
		const char *k;
		size_t kl;
		jv x;
		size_t it = 0;
		while (it != (size_t)-1 && jv_obj_next(v, &it, &k, &kl, &x)) {
			struct jv_obj *o = jv_obj_new(c, 1);
			jv_obj_set(c, o, k, (uint32_t)kl, x);
			jv_push(c, r.u.a, jv_objv(o));
		}
		return r;
	}
	return v;
}

FN(f_spread)
{
	UNUSED_ARGS;
	*out = spread(c, a[0]);
}

FN(f_merge)
{
	UNUSED_ARGS;
	jv v = a[0];
	if (v.t == JV_UNDEF)
		return;
	struct jv_obj *r = jv_obj_new(c, 8);
	uint32_t m = jv_alen(v);
	for (uint32_t i = 0; i < m; i++) {
		jv o = jv_aget(v, i);
		const char *k;
		size_t kl;
		jv x;
		size_t it = 0;
		if (!jv_is_obj(o))
			continue;
		while (it != (size_t)-1 && jv_obj_next(o, &it, &k, &kl, &x))
			jv_obj_set(c, r, k, (uint32_t)kl, x);
	}
	*out = jv_objv(r);
}

FN(f_reverse)
{
	UNUSED_ARGS;
	jv v = a[0];
	if (v.t == JV_UNDEF)
		return;
	uint32_t m = jv_alen(v);
	if (m <= 1) {
		*out = v;
		return;
	}
	jv r = jv_arrv(c, m);
	for (uint32_t i = 0; i < m; i++)
		r.u.a->v[m - i - 1] = jv_aget(v, i);
	r.u.a->n = m;
	*out = r;
}

FN(f_error)
{
	UNUSED_ARGS;
	memset(&c->err, 0, sizeof(c->err));
	c->err.code = "D3137";
	c->err.message = ARG(0).t == JV_STR && a[0].len
				 ? jv_cstr(c, a[0])
				 : "$error() function evaluated";
	jn_throw(c);
}

FN(f_assert)
{
	UNUSED_ARGS;
	if (a[0].t == JV_BOOL && a[0].b)
		return;
	memset(&c->err, 0, sizeof(c->err));
	c->err.code = "D3141";
	c->err.message = ARG(1).t == JV_STR && a[1].len
				 ? jv_cstr(c, a[1])
				 : "$assert() statement failed";
	jn_throw(c);
}

FN(f_type)
{
	UNUSED_ARGS;
	static const char *const names[] = { NULL,	"null",	  "boolean",
					     "number",	"string", "array",
					     "object",	"array",  "object",
					     "function" };
	jv v = a[0];
	if (v.t == JV_UNDEF || v.t > JV_FUNC)
		return;
	if (v.t == JV_NUM && isnan(v.u.n)) {
		*out = jv_str("number", 6);
		return;
	}
	*out = jv_str(names[v.t], strlen(names[v.t]));
}

static bool js_truthy(jv v)
{
	switch (v.t) {
	case JV_BOOL:
		return v.b;
	case JV_NUM:
		return v.u.n != 0 && !isnan(v.u.n);
	case JV_STR:
		return v.len > 0;
	case JV_NULL:
	case JV_UNDEF:
		return false;
	default:
		return true;
	}
}

struct fsort {
	jv fn;
	struct jn_frame *env;
};

static bool gt_fn(struct jn_ctx *c, jv x, jv y, void *ud)
{
	struct fsort *fs = ud;
	jv args[2] = { x, y };
	return js_truthy(jn_apply(c, fs->fn, args, 2, JV_U, fs->env));
}

static bool gt_default(struct jn_ctx *c, jv x, jv y, void *ud)
{
	(void)c;
	(void)ud;
	if (x.t == JV_NUM)
		return x.u.n > y.u.n;
	size_t n = x.len < y.len ? x.len : y.len;
	int r = memcmp(x.u.s, y.u.s, n);
	return r > 0 || (r == 0 && x.len > y.len);
}

FN(f_sort)
{
	UNUSED_ARGS;
	jv arr = a[0], fn = ARG(1);
	if (arr.t == JV_UNDEF)
		return;
	uint32_t m = jv_alen(arr);
	if (m <= 1) {
		*out = arr;
		return;
	}
	if (fn.t == JV_UNDEF) {
		bool nums = true, strs = true;
		for (uint32_t i = 0; i < m; i++) {
			jv e = jv_aget(arr, i);
			if (!jv_is_numeric(c, e))
				nums = false;
			if (e.t != JV_STR)
				strs = false;
		}
		if (!nums && !strs) {
			memset(&c->err, 0, sizeof(c->err));
			c->err.code = "D3070";
			c->err.index = 1;
			jn_throw(c);
		}
		jv r = jn_sort(c, arr, JV_U, gt_default, NULL);
		r.u.a->seq = false;
		*out = r;
		return;
	}
	struct fsort fs = { fn, env };
	jv r = jn_sort(c, arr, fn, gt_fn, &fs);
	r.u.a->seq = false;
	*out = r;
}

FN(f_shuffle)
{
	UNUSED_ARGS;
	jv arr = a[0];
	if (arr.t == JV_UNDEF)
		return;
	uint32_t m = jv_alen(arr);
	if (m <= 1) {
		*out = arr;
		return;
	}
	jv r = jv_arrv(c, m);
	for (uint32_t i = 0; i < m; i++) {
		uint32_t j = (uint32_t)floor(rand01(c) * (i + 1));
		if (i != j)
			r.u.a->v[i] = r.u.a->v[j];
		r.u.a->v[j] = jv_aget(arr, i);
	}
	r.u.a->n = m;
	*out = r;
}

/*
 * $distinct's hash of a scalar: equal scalars (jv_deep_equal) hash alike.
 * False for what no scalar equals (arrays, objects, functions) and NaN,
 * which equals nothing.
 */
static bool distinct_hash(jv v, uint32_t *h)
{
	switch (v.t) {
	case JV_STR:
		*h = jn_hash_str(v.u.s, v.len);
		return true;
	case JV_NUM: {
		if (isnan(v.u.n))
			return false;
		double d = v.u.n == 0 ? 0.0 : v.u.n; /* -0 equals 0 */
		uint64_t w;
		memcpy(&w, &d, sizeof(w));
		w = (w ^ (w >> 31)) * 0xff51afd7ed558ccdu;
		*h = (uint32_t)(w ^ (w >> 32));
		return true;
	}
	case JV_BOOL:
	case JV_NULL:
	case JV_UNDEF:
		*h = 0x9E3779B9u * (uint32_t)(v.t * 2 + v.b + 1);
		return true;
	default:
		return false;
	}
}

/* @k is the string @s (jv_deep_equal, without its call) */
static inline bool same_str(jv k, jv s)
{
	return k.t == JV_STR && k.len == s.len &&
	       (k.u.s == s.u.s || jn_mem_eq(k.u.s, s.u.s, s.len));
}

struct dset_ent {
	uint32_t h, i; /* i: index + 1 of the kept item, 0 = empty slot */
};

FN(f_distinct)
{
	UNUSED_ARGS;
	jv arr = a[0];
	if (arr.t == JV_UNDEF)
		return;
	if (!jv_is_arr(arr) || jv_alen(arr) <= 1) {
		*out = arr;
		return;
	}
	jv r = jv_is_seq(arr) ? jv_seq(c, 0) : jv_arrv(c, 0);
	struct jv_arr *kept = r.u.a;
	uint32_t m = jv_alen(arr), cap = 16, nset = 0;
	/* the scalars kept, by hash; the other items kept, one by one */
	struct dset_ent *set = jn_zalloc(c->a, sizeof(*set) * cap);
	struct jv_arr *others = NULL;
	/*
	 * Strings known to be kept already, by address: a prepared input's
	 * equal short strings are one copy, so most repeats end here without
	 * reading their bytes or hashing them.
	 */
	struct {
		const char *s;
		uint32_t len;
	} seen[64] = { { 0 } };
	for (uint32_t i = 0; i < m; i++) {
		/* the bytes of a string further on: they are far in memory */
		if (arr.t == JV_ARR && i + 8 < m &&
		    arr.u.a->v[i + 8].t == JV_STR)
			__builtin_prefetch(arr.u.a->v[i + 8].u.s);
		jv v = jv_aget(arr, i);
		uint32_t h, sl = 0;
		if (v.t == JV_STR) {
			sl = (uint32_t)((uintptr_t)v.u.s >> 3) & 63;
			if (v.u.s && seen[sl].s == v.u.s &&
			    seen[sl].len == v.len)
				continue;
		}
		if (!distinct_hash(v, &h)) {
			bool dup = false;
			if (v.t != JV_NUM && others) /* NaN equals nothing */
				for (uint32_t k = 0; k < others->n && !dup; k++)
					dup = jv_deep_equal(v, others->v[k]);
			if (dup)
				continue;
			if (v.t != JV_NUM) {
				if (!others)
					others = jv_arr_new(c, 4);
				jv_push(c, others, v);
			}
			jv_push(c, kept, v);
			continue;
		}
		uint32_t s = h & (cap - 1);
		bool dup = false;
		for (; set[s].i; s = (s + 1) & (cap - 1)) {
			if (set[s].h != h)
				continue;
			jv k = kept->v[set[s].i - 1];
			if (v.t == JV_STR ? same_str(k, v)
					  : jv_deep_equal(v, k)) {
				dup = true;
				break;
			}
		}
		if (v.t == JV_STR) {
			seen[sl].s = v.u.s;
			seen[sl].len = v.len;
		}
		if (dup)
			continue;
		jv_push(c, kept, v);
		set[s].h = h;
		set[s].i = kept->n;
		if (++nset * 2 > cap) {
			uint32_t nc = cap * 2;
			struct dset_ent *ns = jn_zalloc(c->a, sizeof(*ns) * nc);
			for (uint32_t x = 0; x < cap; x++) {
				if (!set[x].i)
					continue;
				uint32_t y = set[x].h & (nc - 1);
				while (ns[y].i)
					y = (y + 1) & (nc - 1);
				ns[y] = set[x];
			}
			set = ns;
			cap = nc;
		}
	}
	*out = r;
}

/* ---- encodings ---- */

FN(f_base64encode)
{
	UNUSED_ARGS;
	jv s = a[0];
	if (s.t == JV_UNDEF)
		return;
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
				  "stuvwxyz0123456789+/";
	struct sfn_strbuf *bytes = jn_sb(c), *sb = jn_sb(c);
	size_t i = 0;
	while (i < s.len) {
		unsigned cp;
		i = u8_next(s.u.s, s.len, i, &cp);
		sfn_strbuf_addch(bytes, (int)(cp & 0xFF));
	}
	const unsigned char *b = (const unsigned char *)bytes->buf;
	for (size_t k = 0; k < bytes->len; k += 3) {
		unsigned v = (unsigned)b[k] << 16;
		if (k + 1 < bytes->len)
			v |= (unsigned)b[k + 1] << 8;
		if (k + 2 < bytes->len)
			v |= b[k + 2];
		sfn_strbuf_addch(sb, tbl[(v >> 18) & 63]);
		sfn_strbuf_addch(sb, tbl[(v >> 12) & 63]);
		sfn_strbuf_addch(sb,
				 k + 1 < bytes->len ? tbl[(v >> 6) & 63] : '=');
		sfn_strbuf_addch(sb, k + 2 < bytes->len ? tbl[v & 63] : '=');
	}
	sfn_strbuf_release(bytes);
	*out = sb_val(c, sb);
}

FN(f_base64decode)
{
	UNUSED_ARGS;
	jv s = a[0];
	if (s.t == JV_UNDEF)
		return;
	struct sfn_strbuf *sb = jn_sb(c);
	unsigned acc = 0;
	int bits = 0;
	for (uint32_t i = 0; i < s.len; i++) {
		char ch = s.u.s[i];
		int v;
		if (ch >= 'A' && ch <= 'Z')
			v = ch - 'A';
		else if (ch >= 'a' && ch <= 'z')
			v = ch - 'a' + 26;
		else if (ch >= '0' && ch <= '9')
			v = ch - '0' + 52;
		else if (ch == '+' || ch == '-')
			v = 62;
		else if (ch == '/' || ch == '_')
			v = 63;
		else if (ch == '=')
			break;
		else
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			put_utf8(sb, (acc >> bits) & 0xFF);
		}
	}
	*out = sb_val(c, sb);
}

static void url_fail(struct jn_ctx *c, jv s, const char *fname)
{
	memset(&c->err, 0, sizeof(c->err));
	c->err.code = "D3140";
	c->err.value = s;
	c->err.has_value = true;
	c->err.fname = fname;
	jn_throw(c);
}

static void encode_url(struct jn_ctx *c, jv s, jv *out, bool component,
		       const char *fname)
{
	if (s.t == JV_UNDEF)
		return;
	const char *keep = component ? "-_.!~*'()" : "-_.!~*'();/?:@&=+$,#";
	struct sfn_strbuf *sb = jn_sb(c);
	for (uint32_t i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.u.s[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') ||
		    (ch && ch < 0x80 && strchr(keep, ch))) {
			sfn_strbuf_addch(sb, ch);
			continue;
		}
		if (ch == 0xED && i + 1 < s.len &&
		    ((unsigned char)s.u.s[i + 1] & 0xE0) == 0xA0) {
			sfn_strbuf_release(sb);
			url_fail(c, s, fname);
		}
		sfn_strbuf_addf(sb, "%%%02X", ch);
	}
	*out = sb_val(c, sb);
}

FN(f_encode_url_component)
{
	UNUSED_ARGS;
	encode_url(c, a[0], out, true, "encodeUrlComponent");
}

FN(f_encode_url)
{
	UNUSED_ARGS;
	encode_url(c, a[0], out, false, "encodeUrl");
}

static int hexv(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static void decode_url(struct jn_ctx *c, jv s, jv *out, bool component,
		       const char *fname)
{
	if (s.t == JV_UNDEF)
		return;
	const char *reserved = ";/?:@&=+$,#";
	struct sfn_strbuf *sb = jn_sb(c);
	for (uint32_t i = 0; i < s.len; i++) {
		char ch = s.u.s[i];
		if (ch != '%') {
			sfn_strbuf_addch(sb, ch);
			continue;
		}
		unsigned char bytes[4];
		int nb = 0, need = 1;
		uint32_t j = i;
		while (nb < need) {
			if (j + 2 >= s.len + 0 || s.u.s[j] != '%' ||
			    hexv(s.u.s[j + 1]) < 0 || hexv(s.u.s[j + 2]) < 0) {
				sfn_strbuf_release(sb);
				url_fail(c, s, fname);
			}
			unsigned char b =
				(unsigned char)(hexv(s.u.s[j + 1]) * 16 +
						hexv(s.u.s[j + 2]));
			if (nb == 0) {
				if (b < 0x80)
					need = 1;
				else if ((b & 0xE0) == 0xC0)
					need = 2;
				else if ((b & 0xF0) == 0xE0)
					need = 3;
				else if ((b & 0xF8) == 0xF0)
					need = 4;
				else {
					sfn_strbuf_release(sb);
					url_fail(c, s, fname);
				}
			} else if ((b & 0xC0) != 0x80) {
				sfn_strbuf_release(sb);
				url_fail(c, s, fname);
			}
			bytes[nb++] = b;
			j += 3;
		}
		if (!sfn_utf8_valid((const char *)bytes, (size_t)nb)) {
			sfn_strbuf_release(sb);
			url_fail(c, s, fname);
		}
		if (!component && nb == 1 && strchr(reserved, bytes[0]))
			sfn_strbuf_add(sb, s.u.s + i, 3);
		else
			sfn_strbuf_add(sb, bytes, (size_t)nb);
		i = j - 1;
	}
	*out = sb_val(c, sb);
}

FN(f_decode_url_component)
{
	UNUSED_ARGS;
	decode_url(c, a[0], out, true, "decodeUrlComponent");
}

FN(f_decode_url)
{
	UNUSED_ARGS;
	decode_url(c, a[0], out, false, "decodeUrl");
}

/* ---- $eval, $clone ---- */

FN(f_eval)
{
	UNUSED_ARGS;
	jv expr = a[0];
	if (expr.t == JV_UNDEF)
		return;
	jv focus = input;
	if (ARG(1).t != JV_UNDEF) {
		focus = a[1];
		if (jv_is_arr(focus) && !jv_is_seq(focus)) {
			focus = jv_seq1(c, focus);
			focus.u.a->outer = true;
		}
	}
	struct sfn_jsonata_error perr = { 0 };
	struct sfn_jsonata *e =
		sfn_jsonata_compile(expr.u.s, expr.len, c->flags, &perr);
	if (!e) {
		memset(&c->err, 0, sizeof(c->err));
		c->err.code = "D3120";
		c->err.value = jv_strf(c, perr.message, strlen(perr.message));
		c->err.has_value = true;
		sfn_jsonata_error_release(&perr);
		jn_throw(c);
	}
	/* the tree lives until the evaluation ends: what it bound in @env
	 * (names, string literals, lambdas) points into it */
	jn_hold(c, e);
	jv r;
	bool failed;
	r = jn_eval_catch(c, e->root, focus, env, &failed);
	if (failed) {
		/* the evaluator's error becomes D3121 with its message */
		const char *code = c->err.code;
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", code);
		memset(&c->err, 0, sizeof(c->err));
		c->err.code = "D3121";
		c->err.value = jv_strf(c, buf, strlen(buf));
		c->err.has_value = true;
		jn_throw(c);
	}
	/* the result as JSON, as the reference's $eval gives it */
	json_t *j = jv_to_json(r);
	if (j) {
		*out = jv_from_json_deep(c, j);
		json_decref(j);
	}
}

FN(f_clone)
{
	UNUSED_ARGS;
	if (a[0].t == JV_UNDEF)
		return;
	*out = jn_clone(c, a[0]);
}

/* the composition f ~> g of two functions */
FN(f_chain)
{
	UNUSED_ARGS;
	jv x[1] = { ARG(2) };
	jv y[1];
	y[0] = jn_apply(c, a[0], x, 1, JV_U, env);
	*out = jn_apply(c, a[1], y, 1, JV_U, env);
}

/* ---- Step Functions' additions ---- */

FN(f_partition)
{
	UNUSED_ARGS;
	jv arr = a[0], size = ARG(1);
	if (arr.t == JV_UNDEF)
		return;
	if (size.t != JV_NUM || size.u.n < 1 || size.u.n != floor(size.u.n))
		jn_failv(c, "D3150", size);
	/* A size past the array's length makes one chunk (and does not
	 * fit every integer type). */
	uint32_t m = jv_alen(arr);
	uint32_t sz = size.u.n >= (double)m ? (m ? m : 1) : (uint32_t)size.u.n;
	jv r = jv_arrv(c, 0);
	for (uint32_t i = 0; i < m; i += sz) {
		uint32_t k = m - i < sz ? m - i : sz;
		jv chunk = jv_arrv(c, k);
		for (uint32_t x = 0; x < k; x++)
			chunk.u.a->v[chunk.u.a->n++] = jv_aget(arr, i + x);
		jv_push(c, r.u.a, chunk);
	}
	*out = r;
}

FN(f_range)
{
	UNUSED_ARGS;
	jv s = ARG(0), e = ARG(1), st = ARG(2);
	if (s.t == JV_UNDEF || e.t == JV_UNDEF)
		return;
	double from = trunc(s.u.n), to = trunc(e.u.n);
	double step = st.t == JV_NUM ? trunc(st.u.n) : 1;
	if (step == 0)
		jn_failv(c, "D3150", st);
	jv r = jv_seq(c, 0);
	double count = floor((to - from) / step) + 1;
	if (count > 1e7)
		jn_failv(c, "D2014", jv_num(count));
	for (double v = from; step > 0 ? v <= to : v >= to; v += step)
		jv_push(c, r.u.a, jv_num(v));
	*out = r;
}

FN(f_hash)
{
	UNUSED_ARGS;
	jv s = a[0], alg = ARG(1);
	if (s.t == JV_UNDEF)
		return;
	const char *name = alg.t == JV_STR ? jv_cstr(c, alg) : "SHA-256";
	int md = sfn_digest_by_name(name);
	if (md < 0)
		jn_failv(c, "D3150", alg);
	char *hex = jn_alloc(c->a, SFN_DIGEST_HEX_MAX);
	size_t len = sfn_digest_hex((enum sfn_digest)md, s.u.s, s.len, hex);
	*out = jv_str(hex, len);
}

FN(f_uuid)
{
	UNUSED_ARGS;
	unsigned char b[16];
	for (int i = 0; i < 16; i += 8) {
		uint64_t r = rng_next(c);
		memcpy(b + i, &r, 8);
	}
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
	char *s = jn_alloc(c->a, 37);
	snprintf(s, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%"
		 "02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	*out = jv_str(s, 36);
}

FN(f_parse)
{
	UNUSED_ARGS;
	jv s = a[0];
	if (s.t == JV_UNDEF)
		return;
	json_error_t je;
	json_t *j = sfn_json_loadb(s.u.s, s.len,
				   JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (!j)
		jn_failv(c, "D3150", s);
	*out = jv_from_json_deep(c, j);
	if (out->t == JV_NUM && out->u.n == 0)
		out->u.n = 0;
	json_decref(j);
}

/* ---- the table ---- */

static struct jn_builtin builtins[] = {
	{ "abs", "<n-:n>", f_abs, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "append", "<xx:a>", f_append, 2, 2, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "assert", "<bs?:x>", f_assert, 2, 2, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "average",
	  "<a<n>:n>",
	  f_average,
	  1,
	  1,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "base64decode",
	  "<s-:s>",
	  f_base64decode,
	  1,
	  1,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "base64encode",
	  "<s-:s>",
	  f_base64encode,
	  1,
	  1,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "boolean", "<x-:b>", f_boolean, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "ceil", "<n-:n>", f_ceil, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "clone", "<(oa)-:o>", f_clone, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "contains",
	  "<s-(sf):b>",
	  f_contains,
	  2,
	  2,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "count", "<a:n>", f_count, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "decodeUrl",
	  "<s-:s>",
	  f_decode_url,
	  1,
	  1,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "decodeUrlComponent",
	  "<s-:s>",
	  f_decode_url_component,
	  1,
	  1,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "distinct", "<x:x>", f_distinct, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "each", "<o-f:a>", f_each, 2, 2, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "encodeUrl",
	  "<s-:s>",
	  f_encode_url,
	  1,
	  1,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "encodeUrlComponent",
	  "<s-:s>",
	  f_encode_url_component,
	  1,
	  1,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "error", "<s?:x>", f_error, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "eval", "<sx?:x>", f_eval, 2, 2, -1, { { { 0 } }, 0, 0 }, NULL },
	{ "exists", "<x:b>", f_exists, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "filter", "<af>", f_filter, 2, 2, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "floor", "<n-:n>", f_floor, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "formatBase",
	  "<n-n?:s>",
	  f_format_base,
	  2,
	  2,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "formatInteger",
	  "<n-s:s>",
	  f_format_integer,
	  2,
	  2,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "formatNumber",
	  "<n-so?:s>",
	  f_format_number,
	  3,
	  3,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "fromMillis",
	  "<n-s?s?:s>",
	  f_from_millis,
	  3,
	  3,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "hash", "<s-s?:s>", f_hash, 2, 2, 1, { { { 0 } }, 0, 0 }, NULL },
	{ "join", "<a<s>s?:s>", f_join, 2, 2, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "keys", "<x-:a<s>>", f_keys, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "length", "<s-:n>", f_length, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "lookup", "<x-s:x>", f_lookup, 2, 2, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "lowercase",
	  "<s-:s>",
	  f_lowercase,
	  1,
	  1,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "map", "<af>", f_map, 2, 2, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "match",
	  "<s-f<s:o>n?:a<o>>",
	  f_match,
	  3,
	  3,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "max", "<a<n>:n>", f_max, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "merge", "<a<o>:o>", f_merge, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "millis", "<:n>", f_millis, 0, 0, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "min", "<a<n>:n>", f_min, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "not", "<x-:b>", f_not, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "now", "<s?s?:s>", f_now, 2, 2, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "number",
	  "<(nsb)-:n>",
	  f_number,
	  1,
	  1,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "pad", "<s-ns?:s>", f_pad, 3, 3, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "parse", "<s-:j>", f_parse, 1, 1, 1, { { { 0 } }, 0, 0 }, NULL },
	{ "parseInteger",
	  "<s-s:n>",
	  f_parse_integer,
	  2,
	  2,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "partition",
	  "<an:a>",
	  f_partition,
	  2,
	  2,
	  1,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "power", "<n-n:n>", f_power, 2, 2, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "random", "<n?:n>", f_random, 0, 0, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "range", "<nnn?:a>", f_range, 3, 3, 1, { { { 0 } }, 0, 0 }, NULL },
	{ "reduce", "<afj?:j>", f_reduce, 3, 3, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "replace",
	  "<s-(sf)(sf)n?:s>",
	  f_replace,
	  4,
	  4,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "reverse", "<a:a>", f_reverse, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "round", "<n-n?:n>", f_round, 2, 2, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "shuffle", "<a:a>", f_shuffle, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "sift", "<o-f?:o>", f_sift, 2, 2, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "single", "<af?>", f_single, 2, 2, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "sort", "<af?:a>", f_sort, 2, 2, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "split",
	  "<s-(sf)n?:a<s>>",
	  f_split,
	  3,
	  3,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "spread", "<x-:a<o>>", f_spread, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "sqrt", "<n-:n>", f_sqrt, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "string", "<x-b?:s>", f_string, 1, 2, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "substring",
	  "<s-nn?:s>",
	  f_substring,
	  3,
	  3,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "substringAfter",
	  "<s-s:s>",
	  f_substring_after,
	  2,
	  2,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "substringBefore",
	  "<s-s:s>",
	  f_substring_before,
	  2,
	  2,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "sum", "<a<n>:n>", f_sum, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "toMillis",
	  "<s-s?:n>",
	  f_to_millis,
	  2,
	  2,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "trim", "<s-:s>", f_trim, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "type", "<x:s>", f_type, 1, 1, 0, { { { 0 } }, 0, 0 }, NULL },
	{ "uppercase",
	  "<s-:s>",
	  f_uppercase,
	  1,
	  1,
	  0,
	  { { { 0 } }, 0, 0 },
	  NULL },
	{ "uuid", "<:s>", f_uuid, 0, 0, 1, { { { 0 } }, 0, 0 }, NULL },
	{ "zip", "<a+>", f_zip, 0, 1, 0, { { { 0 } }, 0, 0 }, NULL },
};

struct jn_builtin jn_chain_builtin = {
	"chain", "<ffx?>", f_chain, 1, 3, 0, { { { 0 } }, 0, 0 }, NULL
};
static struct jn_builtin random_plain = {
	"random", "<:n>", f_random, 0, 0, 0, { { { 0 } }, 0, 0 }, NULL
};
static struct jn_sig transform_sig;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void)
{
	struct jn_arena tmp = { 0 };
	struct jn_cerr ce;
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		const char *s = builtins[i].sig;
		/* the strings live in the static table; only text is copied */
		jn_parse_sig(&tmp, s, strlen(s), &builtins[i].psig, &ce);
		builtins[i].psig.text = s;
		static struct jv_fn fns[sizeof(builtins) / sizeof(builtins[0])];
		fns[i].kind = FN_BUILTIN;
		fns[i].bi = &builtins[i];
		fns[i].sig = &builtins[i].psig;
		builtins[i].fnv = &fns[i];
	}
	jn_parse_sig(&tmp, jn_chain_builtin.sig, strlen(jn_chain_builtin.sig),
		     &jn_chain_builtin.psig, &ce);
	jn_chain_builtin.psig.text = jn_chain_builtin.sig;
	jn_parse_sig(&tmp, random_plain.sig, strlen(random_plain.sig),
		     &random_plain.psig, &ce);
	random_plain.psig.text = random_plain.sig;
	static struct jv_fn random_fn;
	random_fn.kind = FN_BUILTIN;
	random_fn.bi = &random_plain;
	random_fn.sig = &random_plain.psig;
	random_plain.fnv = &random_fn;
	jn_parse_sig(&tmp, "<(oa):o>", 8, &transform_sig, &ce);
	transform_sig.text = "<(oa):o>";
	jn_arena_release(&tmp);
}

void jn_builtins_init(void)
{
	pthread_once(&once, init_once);
}

const struct jn_sig *jn_transform_sig(void)
{
	return &transform_sig;
}

const struct jn_builtin *jn_builtin_find(const char *name, int flags)
{
	size_t lo = 0, hi = sizeof(builtins) / sizeof(builtins[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = strcmp(name, builtins[mid].name);
		if (r == 0) {
			const struct jn_builtin *b = &builtins[mid];
			bool aws = (flags & SFN_JSONATA_AWS) != 0;
			if (b->aws == 1 && !aws)
				return NULL;
			if (b->aws == -1 && aws)
				return NULL;
			if (b->fn == f_random && !aws)
				return &random_plain;
			return b;
		}
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
