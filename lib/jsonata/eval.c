/*
 * The evaluator, after the reference's jsonata.js: evaluate() dispatches on
 * the node type, then applies predicates and grouping and collapses
 * sequences. Values, frames and sequences live in the evaluation's arena.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_getattr_np */
#endif
#include "jsonata/jsonata.h"
#include "jsonata/jsonata_int.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/banned.h"

const jv JV_U = { 0 };

/* ---- arena ---- */

struct jn_chunk {
	struct jn_chunk *next;
	size_t size;
	max_align_t data[];
};

/*
 * Chunks an evaluation of this thread let go of, kept for the next one up
 * to SPARE_MAX bytes: large evaluations then neither fault fresh pages in
 * nor start on memory that is cold in the cache. Freed at thread exit.
 */
#define SPARE_MAX (8u << 20)
static _Thread_local struct jn_chunk *spare;
static _Thread_local size_t spare_total;
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void spare_free(void *unused)
{
	(void)unused;
	while (spare) {
		struct jn_chunk *n = spare->next;
		free(spare);
		spare = n;
	}
	spare_total = 0;
}

static void spare_key_init(void)
{
	pthread_key_create(&spare_key, spare_free);
}

static struct jn_chunk *spare_take(size_t sz)
{
	for (struct jn_chunk **p = &spare; *p; p = &(*p)->next)
		if ((*p)->size == sz) {
			struct jn_chunk *c = *p;
			*p = c->next;
			spare_total -= c->size;
			return c;
		}
	return NULL;
}

void *jn_alloc(struct jn_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if ((size_t)(a->end - a->cur) < n) {
		size_t sz = a->total < 65536 ? 16384 : a->total / 2;
		if (sz > (64u << 20))
			sz = 64u << 20;
		if (sz < n)
			sz = n;
		/* the same size only: what the arena holds, and so the memory
		 * limit, is the same as with fresh chunks */
		struct jn_chunk *c = spare ? spare_take(sz) : NULL;
		if (!c)
			c = sfn_xmalloc(sizeof(*c) + sz);
		c->next = a->head;
		c->size = sz;
		a->head = c;
		a->cur = (char *)c->data;
		a->end = a->cur + sz;
		a->total += sz;
		if (a->limit && a->total > a->limit && a->trip)
			*a->trip = 255; /* the next guard is a slow one */
	}
	void *p = a->cur;
	a->cur += n;
	return p;
}

void *jn_zalloc(struct jn_arena *a, size_t n)
{
	void *p = jn_alloc(a, n);
	memset(p, 0, n);
	return p;
}

char *jn_strndup(struct jn_arena *a, const char *s, size_t n)
{
	char *p = jn_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void jn_arena_release(struct jn_arena *a)
{
	struct jn_chunk *c = a->head;
	while (c) {
		struct jn_chunk *n = c->next;
		free(c);
		c = n;
	}
	memset(a, 0, sizeof(*a));
}

/* jn_arena_release for an evaluation's arena: chunks go to the spares */
static void arena_recycle(struct jn_arena *a)
{
	struct jn_chunk *c = a->head;
	if (c)
		pthread_once(&spare_once, spare_key_init);
	while (c) {
		struct jn_chunk *n = c->next;
		if (spare_total + c->size <= SPARE_MAX) {
			if (!spare)
				pthread_setspecific(spare_key, &spare);
			c->next = spare;
			spare = c;
			spare_total += c->size;
		} else {
			free(c);
		}
		c = n;
	}
	memset(a, 0, sizeof(*a));
}

struct jn_sbnode {
	struct sfn_strbuf sb;
	struct jn_sbnode *next;
};

struct sfn_strbuf *jn_sb(struct jn_ctx *c)
{
	struct jn_sbnode *n = jn_alloc(c->a, sizeof(*n));
	sfn_strbuf_init(&n->sb, 0);
	n->next = c->sbs;
	c->sbs = n;
	return &n->sb;
}

struct jn_held {
	struct sfn_jsonata *e;
	struct jn_held *next;
};

void jn_hold(struct jn_ctx *c, struct sfn_jsonata *e)
{
	struct jn_held *h = jn_alloc(c->a, sizeof(*h));
	h->e = e;
	h->next = c->held;
	c->held = h;
}

static void held_release_all(struct jn_ctx *c)
{
	for (struct jn_held *h = c->held; h; h = h->next)
		sfn_jsonata_free(h->e);
	c->held = NULL;
}

static void sb_release_all(struct jn_ctx *c)
{
	for (struct jn_sbnode *n = c->sbs; n; n = n->next)
		sfn_strbuf_release(&n->sb);
	c->sbs = NULL;
}

/* ---- errors ---- */

struct jn_catch {
	jmp_buf jb;
	struct jn_annot *annot;
	unsigned depth;
	struct jn_catch *prev;
};

enum { A_BINARY, A_CALL, A_APPLY };
struct jn_annot {
	struct jn_annot *prev;
	int kind;
	size_t pos;
	const char *token;
};

void jn_throw(struct jn_ctx *c)
{
	struct jn_annot *stop = c->catch_->annot;
	for (struct jn_annot *a = c->annot; a && a != stop; a = a->prev) {
		switch (a->kind) {
		case A_BINARY:
			c->err.pos = a->pos;
			c->err.has_pos = true;
			c->err.token = a->token;
			break;
		case A_CALL:
			if (!c->err.has_pos || !c->err.pos) {
				c->err.pos = a->pos;
				c->err.has_pos = true;
			}
			if (!c->err.token)
				c->err.token = a->token;
			break;
		case A_APPLY:
			if (!c->err.token && a->token)
				c->err.token = a->token;
			if (a->pos) {
				c->err.pos = a->pos;
				c->err.has_pos = true;
			}
			break;
		}
	}
	c->annot = stop;
	longjmp(c->catch_->jb, 1);
}

void jn_fail(struct jn_ctx *c, const char *code)
{
	memset(&c->err, 0, sizeof(c->err));
	c->err.code = code;
	jn_throw(c);
}

void jn_failv(struct jn_ctx *c, const char *code, jv value)
{
	memset(&c->err, 0, sizeof(c->err));
	c->err.code = code;
	c->err.value = value;
	c->err.has_value = true;
	jn_throw(c);
}

SFN_NORETURN static void fail_at(struct jn_ctx *c, const char *code, size_t pos,
				 const char *token)
{
	memset(&c->err, 0, sizeof(c->err));
	c->err.code = code;
	c->err.pos = pos;
	c->err.has_pos = true;
	c->err.token = token;
	jn_throw(c);
}

SFN_NORETURN static void fail_atv(struct jn_ctx *c, const char *code,
				  size_t pos, jv value)
{
	memset(&c->err, 0, sizeof(c->err));
	c->err.code = code;
	c->err.pos = pos;
	c->err.has_pos = true;
	c->err.value = value;
	c->err.has_value = true;
	jn_throw(c);
}

static inline void annot_push(struct jn_ctx *c, struct jn_annot *a, int kind,
			      size_t pos, const char *token)
{
	a->kind = kind;
	a->pos = pos;
	a->token = token;
	a->prev = c->annot;
	c->annot = a;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void jn_guard_slow(struct jn_ctx *c)
{
	char here;
	if ((c->max_depth && c->depth > c->max_depth) ||
	    (uintptr_t)&here < c->stack_floor) {
		memset(&c->err, 0, sizeof(c->err));
		c->err.code = "U1001";
		c->err.message =
			"Stack overflow error: Check for non-terminating "
			"recursive function.  Consider rewriting as "
			"tail-recursive.";
		jn_throw(c);
	}
	if (c->max_memory && c->a->total > c->max_memory) {
		memset(&c->err, 0, sizeof(c->err));
		c->err.code = "U1001";
		c->err.message = "Expression evaluation memory limit exceeded";
		jn_throw(c);
	}
	if (c->time_ms && (now_ns() - c->start_ns) / 1000000u > c->time_ms) {
		memset(&c->err, 0, sizeof(c->err));
		c->err.code = "U1001";
		c->err.message = "Expression evaluation timeout: Check for "
				 "infinite loop";
		jn_throw(c);
	}
}

/* ---- values ---- */

struct jv_arr *jv_arr_new(struct jn_ctx *c, uint32_t cap)
{
	struct jv_arr *a = jn_alloc(c->a, sizeof(*a));
	memset(a, 0, sizeof(*a));
	if (cap) {
		a->v = jn_alloc(c->a, sizeof(jv) * cap);
		a->cap = cap;
	}
	return a;
}

jv jv_seq(struct jn_ctx *c, uint32_t cap)
{
	jv v = { .t = JV_ARR };
	v.u.a = jv_arr_new(c, cap);
	v.u.a->seq = true;
	return v;
}

jv jv_arrv(struct jn_ctx *c, uint32_t cap)
{
	jv v = { .t = JV_ARR };
	v.u.a = jv_arr_new(c, cap);
	return v;
}

void jv_push(struct jn_ctx *c, struct jv_arr *a, jv v)
{
	assert(!a->src); /* a prepared input's values never change */
	if (a->n == a->cap) {
		uint32_t nc = a->cap ? a->cap * 2 : 4;
		jv *nv = jn_alloc(c->a, sizeof(jv) * nc);
		if (a->n)
			memcpy(nv, a->v, sizeof(jv) * a->n);
		a->v = nv;
		a->cap = nc;
	}
	a->v[a->n++] = v;
}

jv jv_seq1(struct jn_ctx *c, jv v)
{
	jv s = jv_seq(c, 1);
	s.u.a->v[0] = v;
	s.u.a->n = 1;
	return s;
}

struct jv_obj *jv_obj_new(struct jn_ctx *c, uint32_t cap)
{
	struct jv_obj *o = jn_zalloc(c->a, sizeof(*o));
	if (cap) {
		o->e = jn_alloc(c->a, sizeof(*o->e) * cap);
		o->cap = cap;
	}
	return o;
}

jv jv_objv(struct jv_obj *o)
{
	jv v = { .t = JV_OBJ };
	v.u.o = o;
	return v;
}

/* eight bytes at a time, mixed so that the low bits index tables */
static uint32_t hash_str(const char *s, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15u ^ (uint64_t)n;
	for (; n >= 8; s += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 29;
	}
	/* the last 0-7 bytes in at most two loads (which may overlap) */
	uint64_t w = 0;
	if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, s, 4);
		memcpy(&hi, s + n - 4, 4);
		w = lo | (uint64_t)hi << 32;
	} else if (n) {
		const unsigned char *u = (const unsigned char *)s;
		w = u[0] | (uint64_t)u[n / 2] << 8 | (uint64_t)u[n - 1] << 16;
	}
	h = (h ^ w) * 0xff51afd7ed558ccdu;
	h ^= h >> 32;
	return (uint32_t)h;
}

uint32_t jn_hash_str(const char *s, size_t n)
{
	return hash_str(s, n);
}

/* (Re)builds @o's index over its entries, in arena @a. */
static void obj_reindex(struct jn_arena *a, struct jv_obj *o)
{
	uint32_t cap = 16;
	while (cap < o->n * 2 + 2)
		cap *= 2;
	o->idx = jn_zalloc(a, sizeof(uint32_t) * cap);
	o->idxcap = cap;
	for (uint32_t i = 0; i < o->n; i++) {
		uint32_t h = hash_str(o->e[i].k, o->e[i].klen) & (cap - 1);
		while (o->idx[h])
			h = (h + 1) & (cap - 1);
		o->idx[h] = i + 1;
	}
}

static int obj_find(const struct jv_obj *o, const char *k, size_t klen)
{
	if (o->idx) {
		uint32_t h = hash_str(k, klen) & (o->idxcap - 1);
		while (o->idx[h]) {
			const struct jv_ent *e = &o->e[o->idx[h] - 1];
			if (e->klen == klen && !memcmp(e->k, k, klen))
				return e->dead ? -1 : (int)(o->idx[h] - 1);
			h = (h + 1) & (o->idxcap - 1);
		}
		return -1;
	}
	for (uint32_t i = 0; i < o->n; i++)
		if (o->e[i].klen == klen && !o->e[i].dead &&
		    jn_mem_eq(o->e[i].k, k, klen))
			return (int)i;
	return -1;
}

int jn_obj_find(const struct jv_obj *o, const char *k, size_t klen)
{
	return obj_find(o, k, klen);
}

/* adds a key @o does not hold */
static void obj_append(struct jn_ctx *c, struct jv_obj *o, const char *k,
		       uint32_t klen, jv v)
{
	if (o->n == o->cap) {
		uint32_t nc = o->cap ? o->cap * 2 : 4;
		struct jv_ent *ne = jn_alloc(c->a, sizeof(*ne) * nc);
		if (o->n)
			memcpy(ne, o->e, sizeof(*ne) * o->n);
		o->e = ne;
		o->cap = nc;
	}
	struct jv_ent *e = &o->e[o->n++];
	e->k = k;
	e->klen = klen;
	e->dead = false;
	e->v = v;
	o->live++;
	if (o->n > 8 && (!o->idx || o->n * 2 > o->idxcap))
		obj_reindex(c->a, o);
	else if (o->idx) {
		uint32_t h = hash_str(k, klen) & (o->idxcap - 1);
		while (o->idx[h])
			h = (h + 1) & (o->idxcap - 1);
		o->idx[h] = o->n;
	}
}

void jv_obj_set(struct jn_ctx *c, struct jv_obj *o, const char *k,
		uint32_t klen, jv v)
{
	assert(!o->src);
	int i = obj_find(o, k, klen);
	if (i >= 0) {
		o->e[i].v = v;
		return;
	}
	obj_append(c, o, k, klen, v);
}

void jv_obj_del(struct jv_obj *o, const char *k, size_t klen)
{
	assert(!o->src);
	int i = obj_find(o, k, klen);
	if (i >= 0) {
		o->e[i].dead = true;
		o->live--;
	}
}

bool jv_obj_get(jv o, const char *k, size_t klen, jv *out)
{
	if (o.t == JV_JOBJ) {
		json_t *j = json_object_getn(o.u.j, k, klen);
		if (!j)
			return false;
		*out = jv_from_json(j);
		return true;
	}
	if (o.t != JV_OBJ)
		return false;
	int i = obj_find(o.u.o, k, klen);
	if (i < 0)
		return false;
	*out = o.u.o->e[i].v;
	return true;
}

bool jv_obj_next(jv o, size_t *it, const char **k, size_t *klen, jv *v)
{
	if (o.t == JV_JOBJ) {
		void *iter = *it ? (void *)*it : json_object_iter(o.u.j);
		if (!iter)
			return false;
		*k = json_object_iter_key(iter);
		*klen = json_object_iter_key_len(iter);
		*v = jv_from_json(json_object_iter_value(iter));
		void *nx = json_object_iter_next(o.u.j, iter);
		*it = nx ? (size_t)nx : (size_t)-1;
		return true;
	}
	if (*it == (size_t)-1)
		return false;
	struct jv_obj *ob = o.u.o;
	while (*it < ob->n && ob->e[*it].dead)
		(*it)++;
	if (*it >= ob->n)
		return false;
	*k = ob->e[*it].k;
	*klen = ob->e[*it].klen;
	*v = ob->e[*it].v;
	(*it)++;
	return true;
}

size_t jv_obj_size(jv o)
{
	if (o.t == JV_JOBJ)
		return json_object_size(o.u.j);
	if (o.t == JV_OBJ)
		return o.u.o->live;
	return 0;
}

/* a JSON iteration ends with *it == -1; make the own-object loop agree */
#define OBJ_FOREACH(o, it, k, kl, v)                                           \
	for (size_t it = 0;                                                    \
	     it != (size_t)-1 && jv_obj_next(o, &it, &k, &kl, &v);)

bool jv_is_func(jv v)
{
	return v.t == JV_FUNC;
}

bool jv_is_numeric(struct jn_ctx *c, jv v)
{
	if (v.t != JV_NUM || isnan(v.u.n))
		return false;
	if (isinf(v.u.n))
		jn_failv(c, "D1001", v);
	return true;
}

bool jv_deep_equal(jv a, jv b)
{
	if (a.t == JV_NUM && b.t == JV_NUM)
		return a.u.n == b.u.n;
	if (a.t == JV_STR && b.t == JV_STR)
		return a.len == b.len && !memcmp(a.u.s, b.u.s, a.len);
	if (a.t == JV_BOOL && b.t == JV_BOOL)
		return a.b == b.b;
	if (a.t == JV_NULL && b.t == JV_NULL)
		return true;
	if (a.t == JV_UNDEF && b.t == JV_UNDEF)
		return true;
	if (jv_is_arr(a) && jv_is_arr(b)) {
		if (a.t == JV_JARR && b.t == JV_JARR && a.u.j == b.u.j)
			return true;
		uint32_t n = jv_alen(a);
		if (n != jv_alen(b))
			return false;
		for (uint32_t i = 0; i < n; i++)
			if (!jv_deep_equal(jv_aget(a, i), jv_aget(b, i)))
				return false;
		return true;
	}
	if (jv_is_obj(a) && jv_is_obj(b)) {
		if (jv_obj_size(a) != jv_obj_size(b))
			return false;
		const char *k;
		size_t kl;
		jv v, w;
		OBJ_FOREACH(a, it, k, kl, v)
		{
			if (!jv_obj_get(b, k, kl, &w) || !jv_deep_equal(v, w))
				return false;
		}
		return true;
	}
	if (a.t == JV_FUNC && b.t == JV_FUNC)
		return a.u.f == b.u.f;
	return false;
}

bool jv_boolean_slow(jv v)
{
	switch (v.t) {
	case JV_ARR:
	case JV_JARR: {
		uint32_t n = jv_alen(v);
		if (n == 1)
			return jv_boolean(jv_aget(v, 0));
		for (uint32_t i = 0; i < n; i++)
			if (jv_boolean(jv_aget(v, i)))
				return true;
		return false;
	}
	case JV_STR:
		return v.len > 0;
	case JV_NUM:
		return !isnan(v.u.n) && v.u.n != 0;
	case JV_OBJ:
	case JV_JOBJ:
		return jv_obj_size(v) > 0;
	case JV_BOOL:
		return v.b;
	default:
		return false;
	}
}

jv jv_strf(struct jn_ctx *c, const char *s, size_t n)
{
	return jv_str(jn_strndup(c->a, s, n), n);
}

const char *jv_cstr(struct jn_ctx *c, jv s)
{
	return jn_strndup(c->a, s.u.s, s.len);
}

void jn_fmt_num(struct sfn_strbuf *sb, double d, bool round15)
{
	char buf[SFN_NUMBUF];
	if (round15 && isfinite(d) && d != floor(d)) {
		char tmp[40];
		snprintf(tmp, sizeof(tmp), "%.14e", d);
		d = strtod(tmp, NULL);
	}
	if (d == 0)
		d = 0; /* -0 prints as 0 */
	int n = sfn_fmt_double(buf, d);
	sfn_strbuf_add(sb, buf, (size_t)n);
}

static void indent(struct sfn_strbuf *sb, int lvl)
{
	sfn_strbuf_addch(sb, '\n');
	for (int i = 0; i < lvl; i++)
		sfn_strbuf_adds(sb, "  ");
}

static void stringify(struct jn_ctx *c, struct sfn_strbuf *sb, jv v,
		      bool pretty, bool round15, int lvl)
{
	switch (v.t) {
	case JV_NULL:
		sfn_strbuf_adds(sb, "null");
		break;
	case JV_BOOL:
		sfn_strbuf_adds(sb, v.b ? "true" : "false");
		break;
	case JV_NUM:
		if (!isfinite(v.u.n)) {
			if (c)
				jn_failv(c, "D1001", v);
			sfn_strbuf_adds(sb, "null");
		} else {
			jn_fmt_num(sb, v.u.n, round15);
		}
		break;
	case JV_STR:
		sfn_json_quote(sb, v.u.s, v.len, 0);
		break;
	case JV_FUNC:
		sfn_strbuf_adds(sb, "\"\"");
		break;
	case JV_ARR:
	case JV_JARR: {
		uint32_t n = jv_alen(v);
		if (v.t == JV_ARR && v.u.a->outer && n > 0) {
			stringify(c, sb, v.u.a->v[0], pretty, round15, lvl);
			break;
		}
		sfn_strbuf_addch(sb, '[');
		for (uint32_t i = 0; i < n; i++) {
			if (i)
				sfn_strbuf_addch(sb, ',');
			if (pretty)
				indent(sb, lvl + 1);
			jv e = jv_aget(v, i);
			if (e.t == JV_UNDEF)
				sfn_strbuf_adds(sb, "null");
			else
				stringify(c, sb, e, pretty, round15, lvl + 1);
		}
		if (pretty && n)
			indent(sb, lvl);
		sfn_strbuf_addch(sb, ']');
		break;
	}
	case JV_OBJ:
	case JV_JOBJ: {
		const char *k;
		size_t kl;
		jv e;
		bool first = true;
		sfn_strbuf_addch(sb, '{');
		OBJ_FOREACH(v, it, k, kl, e)
		{
			if (e.t == JV_UNDEF)
				continue;
			if (!first)
				sfn_strbuf_addch(sb, ',');
			first = false;
			if (pretty)
				indent(sb, lvl + 1);
			sfn_json_quote(sb, k, kl, 0);
			sfn_strbuf_addch(sb, ':');
			if (pretty)
				sfn_strbuf_addch(sb, ' ');
			stringify(c, sb, e, pretty, round15, lvl + 1);
		}
		if (pretty && !first)
			indent(sb, lvl);
		sfn_strbuf_addch(sb, '}');
		break;
	}
	case JV_TUPLE:
		stringify(c, sb, v.u.tp->at, pretty, round15, lvl);
		break;
	default:
		sfn_strbuf_adds(sb, "null");
	}
}

void jv_stringify(struct jn_ctx *c, struct sfn_strbuf *sb, jv v, bool pretty,
		  bool round15)
{
	stringify(c, sb, v, pretty, round15, 0);
}

jv jv_string(struct jn_ctx *c, jv v)
{
	if (v.t == JV_UNDEF || v.t == JV_STR)
		return v;
	if (v.t == JV_FUNC)
		return jv_str("", 0);
	if (v.t == JV_NUM && !isfinite(v.u.n))
		jn_failv(c, "D3001", v);
	if (v.t == JV_NUM) {
		char buf[SFN_NUMBUF];
		double d = v.u.n;
		if (d != floor(d)) {
			char tmp[40];
			snprintf(tmp, sizeof(tmp), "%.14e", d);
			d = strtod(tmp, NULL);
		}
		int n = sfn_fmt_double(buf, d == 0 ? 0 : d);
		return jv_strf(c, buf, (size_t)n);
	}
	struct sfn_strbuf *sb = jn_sb(c);
	if (v.t == JV_NUM)
		jn_fmt_num(sb, v.u.n, true);
	else
		stringify(c, sb, v, false, true, 0);
	jv r = jv_strf(c, sb->buf, sb->len);
	sfn_strbuf_release(sb);
	return r;
}

/* fn.append: concatenation that flattens one level; results lose flags */
jv jv_append(struct jn_ctx *c, jv a, jv b)
{
	if (a.t == JV_UNDEF)
		return b;
	if (b.t == JV_UNDEF)
		return a;
	uint32_t na = jv_is_arr(a) ? jv_alen(a) : 1;
	uint32_t nb = jv_is_arr(b) ? jv_alen(b) : 1;
	jv r = jv_arrv(c, na + nb);
	struct jv_arr *ra = r.u.a;
	if (!jv_is_arr(a))
		ra->v[ra->n++] = a;
	else if (a.t == JV_ARR) {
		if (na)
			memcpy(ra->v, a.u.a->v, sizeof(jv) * na);
		ra->n = na;
	} else
		for (uint32_t i = 0; i < na; i++)
			ra->v[ra->n++] = jv_aget(a, i);
	if (!jv_is_arr(b))
		ra->v[ra->n++] = b;
	else if (b.t == JV_ARR) {
		if (nb)
			memcpy(ra->v + ra->n, b.u.a->v, sizeof(jv) * nb);
		ra->n += nb;
	} else
		for (uint32_t i = 0; i < nb; i++)
			ra->v[ra->n++] = jv_aget(b, i);
	return r;
}

static bool ascii(const char *s, size_t n)
{
	uint64_t w;
	if (n >= 8) {
		for (size_t i = 0; i + 8 <= n; i += 8) {
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080u)
				return false;
		}
		/* the tail in one load that may overlap */
		memcpy(&w, s + n - 8, 8);
		return !(w & 0x8080808080808080u);
	}
	if (n >= 4) {
		uint32_t x, y;
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		return !((x | y) & 0x80808080u);
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] & 0x80)
			return false;
	return true;
}

static json_t *to_json_slow(jv v, int aws);

/*
 * @v as jansson. @aws: Step Functions' dialect, where an infinite number
 * inside an array or object of the result is the string "Infinity"
 * (asl-core.md 10.4); 1: the result itself, 2: inside it. A finite number,
 * an ASCII string or a boolean, what results mostly hold, without
 * to_json_slow's call.
 */
static inline json_t *to_json(jv v, int aws)
{
	if (v.t == JV_NUM) {
		double d = v.u.n;
		if (fabs(d) < 9007199254740992.0 && (double)(json_int_t)d == d)
			return json_integer((json_int_t)d);
		if (isfinite(d))
			return json_real(d);
	} else if (v.t == JV_STR && ascii(v.u.s, v.len)) {
		/* ASCII needs no UTF-8 check */
		return json_stringn_nocheck(v.u.s, v.len);
	} else if (v.t == JV_BOOL) {
		return json_boolean(v.b);
	}
	return to_json_slow(v, aws);
}

__attribute__((noinline)) static json_t *to_json_slow(jv v, int aws)
{
	int in = aws ? 2 : 0;
	switch (v.t) {
	case JV_NULL:
		return json_null();
	case JV_BOOL:
		return json_boolean(v.b);
	case JV_NUM: {
		double d = v.u.n;
		if (fabs(d) < 9007199254740992.0 && (double)(json_int_t)d == d)
			return json_integer((json_int_t)d);
		if (!isfinite(d))
			return aws == 2 && isinf(d)
				       ? json_string(d > 0 ? "Infinity"
							   : "-Infinity")
				       : json_null();
		return json_real(d);
	}
	case JV_STR: {
		/* ASCII needs no UTF-8 check */
		if (ascii(v.u.s, v.len))
			return json_stringn_nocheck(v.u.s, v.len);
		json_t *s = json_stringn(v.u.s, v.len);
		if (!s) {
			/* lone surrogates: keep what is valid */
			struct sfn_strbuf sb = SFN_STRBUF_INIT;
			for (uint32_t i = 0; i < v.len;) {
				unsigned char ch = (unsigned char)v.u.s[i];
				uint32_t n = ch < 0x80	  ? 1
					     : ch >= 0xF0 ? 4
					     : ch >= 0xE0 ? 3
							  : 2;
				if (i + n <= v.len &&
				    sfn_utf8_valid(v.u.s + i, n)) {
					sfn_strbuf_add(&sb, v.u.s + i, n);
					i += n;
				} else {
					/* invalid UTF-8, lone surrogates */
					sfn_strbuf_adds(&sb, "\xEF\xBF\xBD");
					i++;
				}
			}
			s = json_stringn_nocheck(sb.buf, sb.len);
			sfn_strbuf_release(&sb);
		}
		return s;
	}
	case JV_JARR:
	case JV_JOBJ:
		return json_incref(v.u.j);
	case JV_ARR: {
		/* a prepared input's array: what the jansson path gives */
		if (v.u.a->src)
			return json_incref(v.u.a->src);
		json_t *a = json_array();
		for (uint32_t i = 0; i < v.u.a->n; i++) {
			jv e = v.u.a->v[i];
			if (e.t == JV_UNDEF)
				continue;
			json_array_append_new(a, to_json(e, in));
		}
		return a;
	}
	case JV_OBJ: {
		if (v.u.o->src)
			return json_incref(v.u.o->src);
		json_t *o = json_object();
		const struct jv_obj *ob = v.u.o;
		for (uint32_t i = 0; i < ob->n; i++) {
			const struct jv_ent *e = &ob->e[i];
			if (e->dead || e->v.t == JV_UNDEF || e->v.t == JV_FUNC)
				continue;
			json_object_setn_new_nocheck(o, e->k, e->klen,
						     to_json(e->v, in));
		}
		return o;
	}
	case JV_TUPLE:
		return to_json(v.u.tp->at, aws);
	case JV_FUNC:
		return json_string("");
	default:
		return NULL;
	}
}

json_t *jv_to_json(jv v)
{
	return to_json(v, 0);
}

jv jv_from_json_deep(struct jn_ctx *c, json_t *j)
{
	jv v = jv_from_json(j);
	if (v.t == JV_STR)
		return jv_strf(c, v.u.s, v.len);
	if (v.t == JV_JARR) {
		size_t n = json_array_size(j);
		jv r = jv_arrv(c, (uint32_t)n);
		for (size_t i = 0; i < n; i++)
			r.u.a->v[r.u.a->n++] =
				jv_from_json_deep(c, json_array_get(j, i));
		return r;
	}
	if (v.t == JV_JOBJ) {
		struct jv_obj *o = jv_obj_new(c, (uint32_t)json_object_size(j));
		const char *k;
		json_t *e;
		size_t kl;
		json_object_keylen_foreach(j, k, kl, e)
		{
			jv_obj_set(c, o, jn_strndup(c->a, k, kl), (uint32_t)kl,
				   jv_from_json_deep(c, e));
		}
		return jv_objv(o);
	}
	return v;
}

/* ---- prepared input ---- */

/*
 * Objects of up to this many keys are searched from the start, without
 * an index: comparing lengths first, that is cheaper than hashing the key
 * for objects the size of a typical record.
 */
#define PREP_LINEAR_KEYS 16
/* strings up to this many bytes are interned */
#define PREP_INTERN_MAX 32

/*
 * A document converted once into the engine's own values, for evaluations
 * that run many times over it (sfn_jsonata_input_new). The values live in
 * their own arena, laid out in document order: an object's header and
 * entries in one block, then the bytes of its string members, then its
 * containers; an array's items contiguous. A scan over an array of
 * objects so walks memory nearly in sequence, where jansson's values are
 * separate allocations (a hash table per object, two per string). Object
 * keys are interned: the copies of "price" in 10,000 orders are one string
 * that stays in the cache.
 */
struct sfn_jsonata_input {
	struct jn_arena arena;
	json_t *doc; /* a reference held: the values' src point into it */
	jv root;
};

struct prep_key {
	const char *k; /* in the input's arena; NULL: an empty slot */
	uint32_t len;
	uint32_t h;
};

struct prep {
	struct jn_arena *a;
	struct prep_key *keys; /* open addressing, heap */
	uint32_t nkeys, cap;
};

/* @k's copy in the input's arena, one for all equal keys (and strings) */
static const char *prep_key(struct prep *p, const char *k, size_t len)
{
	if (p->nkeys * 2 >= p->cap) {
		uint32_t nc = p->cap ? p->cap * 2 : 64;
		struct prep_key *nk = sfn_xcalloc(nc, sizeof(*nk));
		for (uint32_t i = 0; i < p->cap; i++) {
			if (!p->keys[i].k)
				continue;
			uint32_t h = p->keys[i].h & (nc - 1);
			while (nk[h].k)
				h = (h + 1) & (nc - 1);
			nk[h] = p->keys[i];
		}
		free(p->keys);
		p->keys = nk;
		p->cap = nc;
	}
	uint32_t hv = hash_str(k, len), h = hv & (p->cap - 1);
	for (; p->keys[h].k; h = (h + 1) & (p->cap - 1))
		if (p->keys[h].len == len && !memcmp(p->keys[h].k, k, len))
			return p->keys[h].k;
	p->keys[h] = (struct prep_key){ jn_strndup(p->a, k, len), (uint32_t)len,
					hv };
	p->nkeys++;
	return p->keys[h].k;
}

/*
 * A scalar as ours, its string bytes copied into the input's arena. Short
 * strings are interned as keys are: the few distinct values of a field
 * (statuses, categories, tags) are then one copy each, in the cache, and
 * equal strings are mostly the same pointer ($distinct's short cut).
 */
static jv prep_scalar(struct prep *p, json_t *j)
{
	jv v = jv_from_json(j);
	if (v.t == JV_STR)
		v.u.s = v.len <= PREP_INTERN_MAX
				? prep_key(p, v.u.s, v.len)
				: jn_strndup(p->a, v.u.s, v.len);
	return v;
}

/* -1: nested deeper than SFN_MAX_DEPTH */
static int prep_value(struct prep *p, json_t *j, jv *out, int depth)
{
	if (depth > SFN_MAX_DEPTH)
		return -1;
	if (json_is_array(j)) {
		uint32_t n = (uint32_t)json_array_size(j);
		struct jv_arr *a = jn_alloc(p->a, sizeof(*a) + sizeof(jv) * n);
		memset(a, 0, sizeof(*a));
		a->v = (jv *)(a + 1);
		a->n = a->cap = n;
		a->src = j;
		/* the scalars first, next to the items; then the containers */
		for (uint32_t i = 0; i < n; i++) {
			json_t *x = json_array_get(j, i);
			if (!json_is_array(x) && !json_is_object(x))
				a->v[i] = prep_scalar(p, x);
		}
		for (uint32_t i = 0; i < n; i++) {
			json_t *x = json_array_get(j, i);
			if ((json_is_array(x) || json_is_object(x)) &&
			    prep_value(p, x, &a->v[i], depth + 1) < 0)
				return -1;
		}
		out->t = JV_ARR;
		out->u.a = a;
		return 0;
	}
	if (json_is_object(j)) {
		uint32_t n = (uint32_t)json_object_size(j);
		struct jv_obj *o =
			jn_alloc(p->a, sizeof(*o) + sizeof(struct jv_ent) * n);
		memset(o, 0, sizeof(*o));
		o->e = (struct jv_ent *)(o + 1);
		o->src = j;
		const char *k;
		size_t kl;
		json_t *x;
		json_object_keylen_foreach(j, k, kl, x)
		{
			struct jv_ent *e = &o->e[o->n++];
			e->k = prep_key(p, k, kl);
			e->klen = (uint32_t)kl;
			e->dead = false;
			e->v = JV_U;
			if (!json_is_array(x) && !json_is_object(x))
				e->v = prep_scalar(p, x);
		}
		o->cap = o->live = o->n;
		uint32_t i = 0;
		json_object_keylen_foreach(j, k, kl, x)
		{
			if ((json_is_array(x) || json_is_object(x)) &&
			    prep_value(p, x, &o->e[i].v, depth + 1) < 0)
				return -1;
			i++;
		}
		/* the index of larger objects, as obj_append keeps it */
		if (o->n > PREP_LINEAR_KEYS)
			obj_reindex(p->a, o);
		out->t = JV_OBJ;
		out->u.o = o;
		return 0;
	}
	*out = prep_scalar(p, j);
	return 0;
}

struct sfn_jsonata_input *sfn_jsonata_input_new(json_t *doc)
{
	struct sfn_jsonata_input *in = sfn_xcalloc(1, sizeof(*in));
	struct prep p = { .a = &in->arena };
	in->root = JV_U;
	if (doc && prep_value(&p, doc, &in->root, 0) < 0) {
		free(p.keys);
		jn_arena_release(&in->arena);
		free(in);
		return NULL;
	}
	free(p.keys);
	in->doc = json_incref(doc);
	return in;
}

void sfn_jsonata_input_free(struct sfn_jsonata_input *in)
{
	if (!in)
		return;
	jn_arena_release(&in->arena);
	json_decref(in->doc);
	free(in);
}

/* jn_input_intact: @v still is what prep_value made of @j */
static bool intact(jv v, json_t *j)
{
	if (json_is_array(j)) {
		const struct jv_arr *a = v.u.a;
		if (v.t != JV_ARR || a->src != j || a->seq || a->keep ||
		    a->cons || a->outer || a->tstream ||
		    a->n != json_array_size(j) || a->cap != a->n ||
		    a->v != (const jv *)(a + 1))
			return false;
		for (uint32_t i = 0; i < a->n; i++)
			if (!intact(a->v[i], json_array_get(j, i)))
				return false;
		return true;
	}
	if (json_is_object(j)) {
		const struct jv_obj *o = v.u.o;
		if (v.t != JV_OBJ || o->src != j ||
		    o->n != json_object_size(j) || o->live != o->n ||
		    o->cap != o->n || o->e != (const struct jv_ent *)(o + 1))
			return false;
		const char *k;
		size_t kl;
		json_t *x;
		uint32_t i = 0;
		json_object_keylen_foreach(j, k, kl, x)
		{
			const struct jv_ent *e = &o->e[i++];
			if (e->dead || e->klen != kl || memcmp(e->k, k, kl) ||
			    !intact(e->v, x))
				return false;
		}
		return true;
	}
	jv w = jv_from_json(j);
	if (w.t != v.t || w.b != v.b || w.len != v.len)
		return false;
	if (w.t == JV_NUM)
		return w.u.n == v.u.n || (isnan(w.u.n) && isnan(v.u.n));
	if (w.t == JV_STR)
		return !memcmp(w.u.s, v.u.s, w.len) && !v.u.s[v.len];
	return true;
}

bool jn_json_identical(json_t *a, json_t *b)
{
	if (!a || !b)
		return a == b;
	if (json_typeof(a) != json_typeof(b))
		return false;
	switch (json_typeof(a)) {
	case JSON_INTEGER:
		return json_integer_value(a) == json_integer_value(b);
	case JSON_REAL: {
		double x = json_real_value(a), y = json_real_value(b);
		return x == y || (isnan(x) && isnan(y));
	}
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       !memcmp(json_string_value(a), json_string_value(b),
			       json_string_length(a));
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!jn_json_identical(json_array_get(a, i),
					       json_array_get(b, i)))
				return false;
		return true;
	case JSON_OBJECT: {
		if (json_object_size(a) != json_object_size(b))
			return false;
		/* in order: the same keys, the same text */
		void *i = json_object_iter(a), *k = json_object_iter(b);
		for (; i && k; i = json_object_iter_next(a, i),
			       k = json_object_iter_next(b, k)) {
			size_t n = json_object_iter_key_len(i);
			if (n != json_object_iter_key_len(k) ||
			    memcmp(json_object_iter_key(i),
				   json_object_iter_key(k), n) ||
			    !jn_json_identical(json_object_iter_value(i),
					       json_object_iter_value(k)))
				return false;
		}
		return !i && !k;
	}
	default:
		return true;
	}
}

bool jn_input_intact(const struct sfn_jsonata_input *in)
{
	if (!in->doc)
		return in->root.t == JV_UNDEF;
	return intact(in->root, in->doc);
}

/* ---- frames ---- */

struct jn_frame *jn_frame_new(struct jn_ctx *c, struct jn_frame *parent)
{
	struct jn_frame *f = jn_alloc(c->a, sizeof(*f));
	f->parent = parent;
	f->b = NULL;
	f->n = f->cap = 0;
	return f;
}

void jn_bind(struct jn_ctx *c, struct jn_frame *f, const char *name, jv v)
{
	for (uint32_t i = 0; i < f->n; i++)
		if (f->b[i].name == name || (f->b[i].name[0] == name[0] &&
					     !strcmp(f->b[i].name, name))) {
			f->b[i].v = v;
			return;
		}
	if (f->n == f->cap) {
		uint32_t nc = f->cap ? f->cap * 2 : 4;
		struct jv_bind *nb = jn_alloc(c->a, sizeof(*nb) * nc);
		if (f->n)
			memcpy(nb, f->b, sizeof(*nb) * f->n);
		f->b = nb;
		f->cap = nc;
	}
	f->b[f->n].name = name;
	f->b[f->n].v = v;
	f->n++;
}

bool jn_lookup(struct jn_ctx *c, struct jn_frame *f, const char *name, jv *out)
{
	for (; f; f = f->parent)
		for (uint32_t i = 0; i < f->n; i++)
			if (f->b[i].name == name ||
			    !strcmp(f->b[i].name, name)) {
				*out = f->b[i].v;
				return true;
			}
	const struct jn_builtin *b = jn_builtin_find(name, c->flags);
	if (b) {
		jv v = { .t = JV_FUNC };
		v.u.f = b->fnv;
		*out = v;
		return true;
	}
	return false;
}

/* ---- tuples ---- */

static struct jv_tuple *tuple_new(struct jn_ctx *c, jv at, uint32_t cap)
{
	struct jv_tuple *t = jn_alloc(c->a, sizeof(*t));
	t->at = at;
	t->n = 0;
	t->cap = cap;
	t->b = cap ? jn_alloc(c->a, sizeof(*t->b) * cap) : NULL;
	return t;
}

static void tuple_set(struct jn_ctx *c, struct jv_tuple *t, const char *name,
		      jv v)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (!strcmp(t->b[i].name, name)) {
			t->b[i].v = v;
			return;
		}
	if (t->n == t->cap) {
		uint32_t nc = t->cap ? t->cap * 2 : 4;
		struct jv_bind *nb = jn_alloc(c->a, sizeof(*nb) * nc);
		if (t->n)
			memcpy(nb, t->b, sizeof(*nb) * t->n);
		t->b = nb;
		t->cap = nc;
	}
	t->b[t->n].name = name;
	t->b[t->n].v = v;
	t->n++;
}

static struct jv_tuple *tuple_copy(struct jn_ctx *c, const struct jv_tuple *s)
{
	struct jv_tuple *t = tuple_new(c, s->at, s->n + 2);
	if (s->n)
		memcpy(t->b, s->b, sizeof(*t->b) * s->n);
	t->n = s->n;
	return t;
}

static jv tuplev(struct jv_tuple *t)
{
	jv v = { .t = JV_TUPLE };
	v.u.tp = t;
	return v;
}

static struct jn_frame *frame_from_tuple(struct jn_ctx *c, struct jn_frame *env,
					 const struct jv_tuple *t)
{
	struct jn_frame *f = jn_frame_new(c, env);
	f->b = t->b;
	f->n = t->n;
	f->cap = t->n; /* a bind into this frame reallocates: copy on write */
	return f;
}

/* ---- the evaluator ---- */

static jv eval_path(struct jn_ctx *c, const struct jn_node *n, jv input,
		    struct jn_frame *env);
static jv eval_filter(struct jn_ctx *c, const struct jn_node *pred, jv input,
		      struct jn_frame *env);
static jv eval_group(struct jn_ctx *c, const struct jn_pairs *g, size_t gpos,
		     jv input, struct jn_frame *env);
static jv eval_function(struct jn_ctx *c, const struct jn_node *n, jv input,
			struct jn_frame *env, const jv *applyto);
static jv eval_sort(struct jn_ctx *c, const struct jn_node *n, jv input,
		    struct jn_frame *env);

static jv lookup_name(struct jn_ctx *c, jv input, const char *k, size_t kl)
{
	jv r = JV_U;
	if (input.t == JV_JOBJ) {
		json_t *j = json_object_getn(input.u.j, k, kl);
		return j ? jv_from_json(j) : r;
	}
	if (input.t == JV_OBJ) {
		jv_obj_getc(c, input.u.o, k, kl, &r);
		return r;
	}
	if (jv_is_arr(input)) {
		uint32_t n = jv_alen(input);
		jv seq = jv_seq(c, n);
		for (uint32_t i = 0; i < n; i++) {
			jv res = lookup_name(c, jv_aget(input, i), k, kl);
			if (res.t == JV_UNDEF)
				continue;
			if (jv_is_arr(res)) {
				uint32_t m = jv_alen(res);
				for (uint32_t x = 0; x < m; x++)
					jv_push(c, seq.u.a, jv_aget(res, x));
			} else {
				jv_push(c, seq.u.a, res);
			}
		}
		return seq;
	}
	return r;
}

static void flatten_into(struct jn_ctx *c, struct jv_arr *out, jv v)
{
	if (jv_is_arr(v)) {
		uint32_t n = jv_alen(v);
		for (uint32_t i = 0; i < n; i++)
			flatten_into(c, out, jv_aget(v, i));
	} else {
		jv_push(c, out, v);
	}
}

static jv eval_wildcard(struct jn_ctx *c, jv input)
{
	jv results = jv_seq(c, 0);
	if (input.t == JV_ARR && input.u.a->outer && input.u.a->n > 0)
		input = input.u.a->v[0];
	if (jv_is_arr(input)) {
		/* Object.keys of an array: its indexes */
		uint32_t m = jv_alen(input);
		for (uint32_t i = 0; i < m; i++) {
			jv v = jv_aget(input, i);
			if (jv_is_arr(v)) {
				struct jv_arr tmp = { 0 };
				flatten_into(c, &tmp, v);
				for (uint32_t x = 0; x < tmp.n; x++)
					jv_push(c, results.u.a, tmp.v[x]);
				results.u.a->seq = false;
			} else {
				jv_push(c, results.u.a, v);
			}
		}
	} else if (jv_is_obj(input)) {
		const char *k;
		size_t kl;
		jv v;
		OBJ_FOREACH(input, it, k, kl, v)
		{
			if (jv_is_arr(v)) {
				/* fn.append: the result is no longer a sequence
				 */
				struct jv_arr tmp = { 0 };
				flatten_into(c, &tmp, v);
				for (uint32_t i = 0; i < tmp.n; i++)
					jv_push(c, results.u.a, tmp.v[i]);
				results.u.a->seq = false;
			} else {
				jv_push(c, results.u.a, v);
			}
		}
	}
	return results;
}

static void recurse_desc(struct jn_ctx *c, jv input, struct jv_arr *out)
{
	if (!jv_is_arr(input))
		jv_push(c, out, input);
	if (jv_is_arr(input)) {
		uint32_t n = jv_alen(input);
		for (uint32_t i = 0; i < n; i++)
			recurse_desc(c, jv_aget(input, i), out);
	} else if (jv_is_obj(input)) {
		const char *k;
		size_t kl;
		jv v;
		OBJ_FOREACH(input, it, k, kl, v)
		{
			recurse_desc(c, v, out);
		}
	}
}

static jv eval_descendants(struct jn_ctx *c, jv input)
{
	if (input.t == JV_UNDEF)
		return JV_U;
	jv seq = jv_seq(c, 0);
	recurse_desc(c, input, seq.u.a);
	if (seq.u.a->n == 1)
		return seq.u.a->v[0];
	return seq;
}

static const char *op_name(int op)
{
	static char ops[128][2];
	switch (op) {
	case OP_RANGE:
		return "..";
	case OP_NE:
		return "!=";
	case OP_GE:
		return ">=";
	case OP_LE:
		return "<=";
	case OP_AND:
		return "and";
	case OP_OR:
		return "or";
	case OP_IN:
		return "in";
	case '+':
		return "+";
	case '-':
		return "-";
	case '*':
		return "*";
	case '/':
		return "/";
	case '%':
		return "%";
	case '=':
		return "=";
	case '<':
		return "<";
	case '>':
		return ">";
	case '&':
		return "&";
	default:
		(void)ops;
		return "?";
	}
}

static int str_cmp(jv a, jv b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int r = memcmp(a.u.s, b.u.s, n);
	if (r)
		return r;
	return a.len < b.len ? -1 : a.len > b.len;
}

/*
 * plain_binary of two numbers, inline where a number is most likely: the
 * operations of + - * / on finite operands and the comparisons.
 */
__attribute__((always_inline)) static inline bool num_binary(int op, double a,
							     double b, jv *out)
{
	switch (op) {
	case '<':
		*out = jv_bool(a < b);
		return true;
	case '>':
		*out = jv_bool(a > b);
		return true;
	case OP_LE:
		*out = jv_bool(a <= b);
		return true;
	case OP_GE:
		*out = jv_bool(a >= b);
		return true;
	case '=':
		*out = jv_bool(a == b);
		return true;
	case OP_NE:
		*out = jv_bool(a != b);
		return true;
	default:
		break;
	}
	/* arithmetic only on finite operands, which a finite a - b shows
	 * (one that overflows declines too, to the general path) */
	bool fin = isfinite(a - b);
	switch (op) {
	case '+':
		*out = jv_num(a + b);
		return fin;
	case '-':
		*out = jv_num(a - b);
		return fin;
	case '*':
		*out = jv_num(a * b);
		return fin;
	case '/':
		*out = jv_num(a / b);
		return fin;
	default:
		return false;
	}
}

/*
 * A comparison or arithmetic of two numbers or two strings that cannot
 * fail: its result in *@out. False for everything else (other operators,
 * undefined, mixed types, NaN or infinite operands of arithmetic).
 */
static inline bool plain_binary(int op, jv lhs, jv rhs, jv *out)
{
	if (lhs.t == JV_NUM && rhs.t == JV_NUM)
		return num_binary(op, lhs.u.n, rhs.u.n, out);
	if (lhs.t != JV_STR || rhs.t != JV_STR)
		return false;
	switch (op) {
	case '=':
		*out = jv_bool(lhs.len == rhs.len &&
			       jn_mem_eq(lhs.u.s, rhs.u.s, lhs.len));
		return true;
	case OP_NE:
		*out = jv_bool(lhs.len != rhs.len ||
			       !jn_mem_eq(lhs.u.s, rhs.u.s, lhs.len));
		return true;
	case '<':
		*out = jv_bool(str_cmp(lhs, rhs) < 0);
		return true;
	case '>':
		*out = jv_bool(str_cmp(lhs, rhs) > 0);
		return true;
	case OP_LE:
		*out = jv_bool(str_cmp(lhs, rhs) <= 0);
		return true;
	case OP_GE:
		*out = jv_bool(str_cmp(lhs, rhs) >= 0);
		return true;
	default:
		return false;
	}
}

/* an item @e of the right of 'in' is @v: the same value, or for arrays,
 * objects and functions the same one */
static inline bool in_eq(jv e, jv v)
{
	if (e.t != v.t)
		return false;
	switch (e.t) {
	case JV_NUM:
		return e.u.n == v.u.n;
	case JV_STR:
		return e.len == v.len && !memcmp(e.u.s, v.u.s, e.len);
	case JV_BOOL:
		return e.b == v.b;
	case JV_NULL:
		return true;
	case JV_JARR:
	case JV_JOBJ:
		return e.u.j == v.u.j;
	default:
		return e.u.a == v.u.a;
	}
}

/* a string, undefined ("") or finite number: what '&' joins without fail */
static inline bool concat_operand(jv v)
{
	return v.t == JV_STR || v.t == JV_UNDEF ||
	       (v.t == JV_NUM && isfinite(v.u.n));
}

/* lhs & rhs; jn_eval's short cut takes it only when both are
 * concat_operand, where it cannot fail */
static jv plain_concat(struct jn_ctx *c, jv lhs, jv rhs)
{
	jv ls = lhs.t == JV_STR	    ? lhs
		: lhs.t == JV_UNDEF ? jv_str("", 0)
				    : jv_string(c, lhs);
	jv rs = rhs.t == JV_STR	    ? rhs
		: rhs.t == JV_UNDEF ? jv_str("", 0)
				    : jv_string(c, rhs);
	char *p = jn_alloc(c->a, (size_t)ls.len + rs.len + 1);
	memcpy(p, ls.u.s, ls.len);
	memcpy(p + ls.len, rs.u.s, rs.len);
	p[ls.len + rs.len] = 0;
	return jv_str(p, (size_t)ls.len + rs.len);
}

/* $boolean of any value, undefined being false */
static inline bool truthy(jv v)
{
	if (v.t == JV_BOOL)
		return v.b;
	return v.t != JV_UNDEF && jv_boolean(v);
}

static jv eval_binary(struct jn_ctx *c, const struct jn_node *n, jv input,
		      struct jn_frame *env)
{
	jv lhs = jn_eval(c, n->lhs, input, env);
	int op = n->op;
	struct jn_annot an;
	if (op == OP_AND || op == OP_OR) {
		annot_push(c, &an, A_BINARY, n->pos,
			   op == OP_AND ? "and" : "or");
		bool l = truthy(lhs);
		jv r;
		if (op == OP_AND) {
			if (!l) {
				r = jv_bool(false);
			} else {
				jv rv = jn_eval(c, n->rhs, input, env);
				r = jv_bool(truthy(rv));
			}
		} else {
			if (l) {
				r = jv_bool(true);
			} else {
				jv rv = jn_eval(c, n->rhs, input, env);
				r = jv_bool(truthy(rv));
			}
		}
		c->annot = an.prev;
		return r;
	}
	jv rhs = jn_eval(c, n->rhs, input, env);
	/* the common cases that cannot fail, without the error annotation */
	jv quick;
	if (plain_binary(op, lhs, rhs, &quick))
		return quick;
	annot_push(c, &an, A_BINARY, n->pos, op_name(op));
	jv r = JV_U;
	switch (op) {
	case '+':
	case '-':
	case '*':
	case '/':
	case '%':
		if (lhs.t != JV_UNDEF && !jv_is_numeric(c, lhs))
			jn_failv(c, "T2001", lhs);
		if (rhs.t != JV_UNDEF && !jv_is_numeric(c, rhs))
			jn_failv(c, "T2002", rhs);
		if (lhs.t == JV_UNDEF || rhs.t == JV_UNDEF)
			break;
		switch (op) {
		case '+':
			r = jv_num(lhs.u.n + rhs.u.n);
			break;
		case '-':
			r = jv_num(lhs.u.n - rhs.u.n);
			break;
		case '*':
			r = jv_num(lhs.u.n * rhs.u.n);
			break;
		case '/':
			r = jv_num(lhs.u.n / rhs.u.n);
			break;
		default:
			r = jv_num(fmod(lhs.u.n, rhs.u.n));
			break;
		}
		break;
	case '=':
	case OP_NE:
		if (lhs.t == JV_UNDEF || rhs.t == JV_UNDEF) {
			r = jv_bool(false);
			break;
		}
		r = jv_bool(jv_deep_equal(lhs, rhs) == (op == '='));
		break;
	case '<':
	case '>':
	case OP_LE:
	case OP_GE: {
		bool lc =
			lhs.t == JV_UNDEF || lhs.t == JV_STR || lhs.t == JV_NUM;
		bool rc =
			rhs.t == JV_UNDEF || rhs.t == JV_STR || rhs.t == JV_NUM;
		if (!lc || !rc)
			jn_failv(c, "T2010",
				 !(lhs.t == JV_STR || lhs.t == JV_NUM) ? lhs
								       : rhs);
		if (lhs.t == JV_UNDEF || rhs.t == JV_UNDEF)
			break;
		if (lhs.t != rhs.t) {
			memset(&c->err, 0, sizeof(c->err));
			c->err.code = "T2009";
			c->err.value = lhs;
			c->err.has_value = true;
			c->err.value2 = rhs;
			c->err.has_value2 = true;
			jn_throw(c);
		}
		int cmp;
		if (lhs.t == JV_NUM) {
			double a = lhs.u.n, b = rhs.u.n;
			bool res;
			switch (op) {
			case '<':
				res = a < b;
				break;
			case '>':
				res = a > b;
				break;
			case OP_LE:
				res = a <= b;
				break;
			default:
				res = a >= b;
				break;
			}
			r = jv_bool(res);
			break;
		}
		cmp = str_cmp(lhs, rhs);
		switch (op) {
		case '<':
			r = jv_bool(cmp < 0);
			break;
		case '>':
			r = jv_bool(cmp > 0);
			break;
		case OP_LE:
			r = jv_bool(cmp <= 0);
			break;
		default:
			r = jv_bool(cmp >= 0);
			break;
		}
		break;
	}
	case '&':
		r = plain_concat(c, lhs, rhs);
		break;
	case OP_RANGE: {
		if (lhs.t != JV_UNDEF &&
		    (lhs.t != JV_NUM || lhs.u.n != floor(lhs.u.n) ||
		     isinf(lhs.u.n)))
			jn_failv(c, "T2003", lhs);
		if (rhs.t != JV_UNDEF &&
		    (rhs.t != JV_NUM || rhs.u.n != floor(rhs.u.n) ||
		     isinf(rhs.u.n)))
			jn_failv(c, "T2004", rhs);
		if (lhs.t == JV_UNDEF || rhs.t == JV_UNDEF)
			break;
		if (lhs.u.n > rhs.u.n)
			break;
		double size = rhs.u.n - lhs.u.n + 1;
		if (size > 1e7)
			jn_failv(c, "D2014", jv_num(size));
		uint32_t sz = (uint32_t)size;
		r = jv_seq(c, sz);
		for (uint32_t i = 0; i < sz; i++)
			r.u.a->v[i] = jv_num(lhs.u.n + i);
		r.u.a->n = sz;
		break;
	}
	case OP_IN:
		if (lhs.t == JV_UNDEF || rhs.t == JV_UNDEF) {
			r = jv_bool(false);
			break;
		}
		r = jv_bool(false);
		if (!jv_is_arr(rhs)) {
			jv tmp = jv_seq1(c, rhs);
			rhs = tmp;
		}
		{
			uint32_t m = jv_alen(rhs);
			for (uint32_t i = 0; i < m; i++)
				if (in_eq(jv_aget(rhs, i), lhs)) {
					r = jv_bool(true);
					break;
				}
		}
		break;
	}
	c->annot = an.prev;
	return r;
}

static jv eval_unary(struct jn_ctx *c, const struct jn_node *n, jv input,
		     struct jn_frame *env)
{
	if (n->op == '-') {
		jv r = jn_eval(c, n->expr, input, env);
		if (r.t == JV_UNDEF)
			return r;
		if (jv_is_numeric(c, r))
			return jv_num(-r.u.n);
		memset(&c->err, 0, sizeof(c->err));
		c->err.code = "D1002";
		c->err.pos = n->pos;
		c->err.has_pos = true;
		c->err.token = "-";
		c->err.value = r;
		c->err.has_value = true;
		jn_throw(c);
	}
	if (n->op == '[') {
		jv result = jv_arrv(c, (uint32_t)n->items.n);
		struct jv_arr *ra = result.u.a;
		for (int i = 0; i < n->items.n; i++) {
			const struct jn_node *item = n->items.v[i];
			jv v = jn_eval(c, item, input, env);
			if (v.t == JV_UNDEF)
				continue;
			if (item->type == N_UNARY && item->op == '[') {
				jv_push(c, ra, v);
			} else if (jv_is_arr(v)) {
				uint32_t m = jv_alen(v);
				if (ra->n == 0 && v.t == JV_ARR && m > 64) {
					/* take the storage over: appends copy
					 */
					ra->v = v.u.a->v;
					ra->n = m;
					ra->cap = m;
					continue;
				}
				for (uint32_t x = 0; x < m; x++)
					jv_push(c, ra, jv_aget(v, x));
			} else {
				jv_push(c, ra, v);
			}
		}
		if (n->consarray)
			ra->cons = true;
		return result;
	}
	/* '{': literal distinct keys over one item need no grouping */
	const struct jn_pairs *g = &n->pairs;
	if (!jv_is_arr(input) && n->fast == FAST_OBJLIT) {
		for (int i = 0; i < g->n; i++) {
			/* the keys count as evaluated nodes */
			c->depth++;
			jn_check_guard(c);
			c->depth--;
		}
		struct jv_obj *o = jv_obj_new(c, (uint32_t)g->n);
		for (int i = 0; i < g->n; i++) {
			jv v = jn_eval(c, g->v[i].v, input, env);
			if (v.t != JV_UNDEF) /* distinct keys: no search */
				obj_append(c, o, g->v[i].k->str,
					   (uint32_t)g->v[i].k->slen, v);
		}
		return jv_objv(o);
	}
	return eval_group(c, &n->pairs, n->pos, input, env);
}

/* Items of an input array are scattered over the heap: ask for the next
 * ones early (the json_t and, for objects, what follows it). */
static inline void prefetch_json(const json_t *j)
{
	if (j) {
		__builtin_prefetch(j);
		__builtin_prefetch((const char *)j + 64);
	}
}

/* an array of the input's (jansson's, or a prepared input's): no
 * sequence, never changed, so it may be handed on as it is */
static inline bool input_arr(jv v)
{
	return v.t == JV_JARR || (v.t == JV_ARR && v.u.a->src);
}

/*
 * Item @i + 4 of @input, when it is held by jansson. Of a prepared
 * input's objects, item @i + 6's header and first entries (which follow
 * it), and the objects that item @i + 3 holds (its entries now in the
 * cache): a filter such as [customer.region = "EU"] reads them next.
 */
static inline void prefetch_ahead(jv input, uint32_t i, uint32_t n)
{
	if (input.t == JV_JARR) {
		if (i + 4 < n)
			prefetch_json(json_array_get(input.u.j, i + 4));
	} else if (input.t == JV_ARR) {
		if (i + 4 < n) {
			jv x = input.u.a->v[i + 4];
			if (x.t == JV_JOBJ || x.t == JV_JARR)
				prefetch_json(x.u.j);
		}
		if (!input.u.a->src)
			return;
		if (i + 6 < n && input.u.a->v[i + 6].t == JV_OBJ) {
			const char *o = (const char *)input.u.a->v[i + 6].u.o;
			for (int l = 0; l < 5; l++)
				__builtin_prefetch(o + 64 * l);
		}
		if (i + 3 < n && input.u.a->v[i + 3].t == JV_OBJ) {
			const struct jv_obj *o = input.u.a->v[i + 3].u.o;
			for (uint32_t k = 0; k < o->n && k < 16; k++) {
				const char *p = (const char *)o->e[k].v.u.o;
				if (o->e[k].v.t == JV_OBJ) {
					__builtin_prefetch(p);
					__builtin_prefetch(p + 64);
				}
			}
		}
	}
}

/*
 * jn_eval of a step on one item. A ( lhs op rhs ) block, as in a.(b * c),
 * or an operation, goes to its short cut without jn_eval's dispatch, its
 * depth counted as jn_eval's.
 */
static inline jv eval_condition(struct jn_ctx *c, const struct jn_node *n,
				jv input, struct jn_frame *env);
static inline jv step_value(struct jn_ctx *c, const struct jn_node *step,
			    jv item, struct jn_frame *env)
{
	const struct jn_node *o =
		step->fast == FAST_BLOCK ? step->items.v[0] : step;
	if (o->fast != FAST_BINOP && o->fast != FAST_LOGIC)
		return jn_eval(c, step, item, env);
	bool wrapped = o != step;
	if (wrapped) {
		c->depth++;
		jn_check_guard(c);
	}
	jv r = eval_condition(c, o, item, env);
	c->depth -= wrapped;
	return r;
}

static inline bool leaf_operand(const struct jn_node *o);
static bool step_arith_out(struct jn_ctx *c, const struct jn_node *o, jv item,
			   jv *out);

/*
 * @hand_on: the next step only walks the items of what this one returns,
 * so one jansson array may go to it as it is (a sort step would see that
 * it is no sequence).
 */
static jv eval_step(struct jn_ctx *c, const struct jn_node *step, jv input,
		    struct jn_frame *env, bool last, bool hand_on)
{
	if (step->type == N_SORT) {
		jv r = eval_sort(c, step, input, env);
		if (step->has_stages)
			for (int s = 0; s < step->stages.n; s++)
				if (step->stages.v[s].type == 'f')
					r = eval_filter(c,
							step->stages.v[s].expr,
							r, env);
		return r;
	}
	uint32_t n = jv_alen(input);
	jv rs = jv_seq(c, n ? n : 1);
	jv first = JV_U;
	uint32_t count = 0;
	/* a plain field name: looked up here, as jn_eval would, without its
	 * dispatch per item */
	bool name = step->type == N_NAME && !step->has_stages &&
		    !step->has_predicate && !step->group;
	/* ( field op field ), as in items.(price * qty): see step_arith */
	const struct jn_node *arith =
		step->fast == FAST_BLOCK && !step->has_stages &&
				step->items.v[0]->fast == FAST_BINOP &&
				step->items.v[0]->op != OP_IN &&
				leaf_operand(step->items.v[0]->lhs) &&
				leaf_operand(step->items.v[0]->rhs)
			? step->items.v[0]
			: NULL;
	for (uint32_t i = 0; i < n; i++) {
		prefetch_ahead(input, i, n);
		jv item = jv_aget(input, i), res;
		if (name && item.t == JV_JOBJ) {
			c->depth++;
			jn_check_guard(c);
			json_t *j = json_object_getn(item.u.j, step->str,
						     step->slen);
			c->depth--;
			if (!j)
				continue;
			res = jv_from_json(j);
		} else if (name && item.t == JV_OBJ) {
			/* the same for a prepared input's objects */
			c->depth++;
			jn_check_guard(c);
			res = JV_U;
			jv_obj_getc(c, item.u.o, step->str, step->slen, &res);
			c->depth--;
			if (res.t == JV_UNDEF)
				continue;
		} else if (arith && step_arith_out(c, arith, item, &res)) {
			/* a number or a boolean: pushed below */
		} else {
			res = step_value(c, step, item, env);
			if (step->has_stages)
				for (int s = 0; s < step->stages.n; s++)
					res = eval_filter(
						c, step->stages.v[s].expr, res,
						env);
			if (res.t == JV_UNDEF)
				continue;
		}
		if (count++ == 0) {
			first = res;
			/* one array of the input: the next step can walk it
			 * as it is (appended only if a second result comes) */
			if (input_arr(res) && (last || hand_on))
				continue;
		} else if (count == 2 && input_arr(first) &&
			   (last || hand_on)) {
			/* the first result was held back: append it now */
			uint32_t m = jv_alen(first);
			for (uint32_t x = 0; x < m; x++)
				jv_push_fast(c, rs.u.a, jv_aget(first, x));
		}
		if (!jv_is_arr(res) || (res.t == JV_ARR && res.u.a->cons)) {
			jv_push_fast(c, rs.u.a, res);
		} else if (res.t == JV_ARR) {
			for (uint32_t x = 0; x < res.u.a->n; x++)
				jv_push_fast(c, rs.u.a, res.u.a->v[x]);
		} else {
			size_t m = json_array_size(res.u.j);
			for (size_t x = 0; x < m; x++)
				jv_push_fast(c, rs.u.a,
					     jv_from_json(json_array_get(
						     res.u.j, x)));
		}
	}
	if (count == 1 && input_arr(first) && (last || hand_on)) {
		if (last || jv_alen(first) > 0)
			return first; /* the same items rs would have held */
		return rs; /* empty before the last step: an empty sequence */
	}
	if (last && count == 1 && jv_is_arr(first) && !jv_is_seq(first))
		return first;
	return rs;
}

static jv eval_stages(struct jn_ctx *c, const struct jn_node *step, jv input,
		      struct jn_frame *env)
{
	jv r = input;
	for (int s = 0; s < step->stages.n; s++) {
		const struct jn_stage *st = &step->stages.v[s];
		if (st->type == 'f') {
			r = eval_filter(c, st->expr, r, env);
		} else if (r.t == JV_ARR) {
			for (uint32_t e = 0; e < r.u.a->n; e++)
				if (r.u.a->v[e].t == JV_TUPLE)
					tuple_set(c, r.u.a->v[e].u.tp, st->name,
						  jv_num(e));
		}
	}
	return r;
}

static jv eval_tuple_step(struct jn_ctx *c, const struct jn_node *step,
			  jv input, jv tb, struct jn_frame *env)
{
	jv result;
	if (step->type == N_SORT) {
		if (tb.t != JV_UNDEF) {
			result = eval_sort(c, step, tb, env);
		} else {
			jv sorted = eval_sort(c, step, input, env);
			result = jv_seq(c, 0);
			result.u.a->tstream = true;
			uint32_t m = jv_is_arr(sorted) ? jv_alen(sorted) : 0;
			for (uint32_t i = 0; i < m; i++) {
				struct jv_tuple *t =
					tuple_new(c, jv_aget(sorted, i), 2);
				if (step->index)
					tuple_set(c, t, step->index, jv_num(i));
				jv_push(c, result.u.a, tuplev(t));
			}
		}
		if (step->has_stages)
			result = eval_stages(c, step, result, env);
		return result;
	}
	result = jv_seq(c, 0);
	result.u.a->tstream = true;
	if (tb.t == JV_UNDEF) {
		uint32_t m = jv_alen(input);
		tb = jv_seq(c, m);
		for (uint32_t i = 0; i < m; i++)
			tb.u.a->v[i] =
				tuplev(tuple_new(c, jv_aget(input, i), 0));
		tb.u.a->n = m;
	}
	for (uint32_t e = 0; e < tb.u.a->n; e++) {
		struct jv_tuple *te = tb.u.a->v[e].u.tp;
		struct jn_frame *senv = frame_from_tuple(c, env, te);
		jv res = jn_eval(c, step, te->at, senv);
		if (res.t == JV_UNDEF)
			continue;
		if (!jv_is_arr(res))
			res = jv_seq1(c, res);
		uint32_t m = jv_alen(res);
		bool rts = res.t == JV_ARR && res.u.a->tstream;
		for (uint32_t bb = 0; bb < m; bb++) {
			struct jv_tuple *t = tuple_copy(c, te);
			jv rb = jv_aget(res, bb);
			if (rts) {
				const struct jv_tuple *rt = rb.u.tp;
				t->at = rt->at;
				for (uint32_t x = 0; x < rt->n; x++)
					tuple_set(c, t, rt->b[x].name,
						  rt->b[x].v);
			} else {
				if (step->focus) {
					tuple_set(c, t, step->focus, rb);
					t->at = te->at;
				} else {
					t->at = rb;
				}
				if (step->index)
					tuple_set(c, t, step->index,
						  jv_num(bb));
				if (step->ancestor)
					tuple_set(c, t, step->ancestor->label,
						  te->at);
			}
			jv_push(c, result.u.a, tuplev(t));
		}
	}
	if (step->has_stages)
		result = eval_stages(c, step, result, env);
	return result;
}

static bool simple_step(const struct jn_node *st)
{
	return !st->has_stages && !st->has_predicate && !st->tuple &&
	       !st->focus && !st->index && !st->group && !st->keep_array &&
	       !st->consarray;
}

static jv eval_variable(struct jn_ctx *c, const struct jn_node *n, jv input,
			struct jn_frame *env);

/*
 * The common path a.b.c (or $v.a.b) over objects, without sequences: the
 * same result as the general loop, the same depth counted per step.
 * Returns -1 with the path's value in *out when it got to the end; else
 * the index of the first step it left to the general loop, with *out what
 * the general loop would walk there: one plain value (no array, tuple or
 * undefined; the input itself at 0) or one non-empty jansson array, as
 * eval_step hands it on; or -2 when the general loop must start over.
 */
static int fast_path(struct jn_ctx *c, const struct jn_node *n, jv input,
		     struct jn_frame *env, jv *out)
{
	int ns = n->items.n;
	jv cur = input;
	for (int i = 0; i < ns; i++) {
		const struct jn_node *st = n->items.v[i];
		if (!simple_step(st)) {
			*out = cur;
			return i;
		}
		if (i == 0 && st->type == N_VARIABLE) {
			c->depth++;
			jn_check_guard(c);
			cur = eval_variable(c, st, cur, env);
			c->depth--;
		} else if (st->type == N_NAME) {
			if (jv_is_arr(cur))
				return -2;
			c->depth++;
			jn_check_guard(c);
			if (cur.t == JV_JOBJ) {
				json_t *j = json_object_getn(cur.u.j, st->str,
							     st->slen);
				cur = j ? jv_from_json(j) : JV_U;
			} else if (cur.t == JV_OBJ) {
				jv v = JV_U;
				jv_obj_getc(c, cur.u.o, st->str, st->slen, &v);
				cur = v;
			} else {
				cur = JV_U;
			}
			c->depth--;
		} else {
			*out = cur;
			return i;
		}
		if (cur.t == JV_UNDEF || cur.t == JV_TUPLE)
			break;
		if (input_arr(cur) && i < ns - 1 && jv_alen(cur) > 0 &&
		    n->items.v[i + 1]->type != N_SORT) {
			/* eval_step hands one such array on as it is */
			*out = cur;
			return i + 1;
		}
		if (jv_is_arr(cur) && (i < ns - 1 || jv_is_seq(cur)))
			return -2;
	}
	if (cur.t == JV_TUPLE)
		return -2;
	*out = cur;
	return -1;
}

static jv eval_path(struct jn_ctx *c, const struct jn_node *n, jv input,
		    struct jn_frame *env)
{
	jv inseq;
	int from = 0;
	if (!n->keep_singleton && !n->group && !n->tuple && !jv_is_arr(input)) {
		jv r;
		unsigned d = c->depth;
		int k = fast_path(c, n, input, env, &r);
		if (k == -1)
			return r;
		/* the steps before k are done: the general loop would walk
		 * what they gave from there */
		if (k > 0) {
			from = k;
			input = r;
		}
		c->depth = d;
	}
	const struct jn_node *first = n->items.v[from];
	if (from > 0 && input_arr(input))
		inseq = input;
	else if (from == 0 && jv_is_arr(input) && first->type != N_VARIABLE)
		inseq = input;
	else
		inseq = jv_seq1(c, input);
	jv rs = JV_U;
	bool ts = false;
	jv tb = JV_U;
	for (int i = from; i < n->items.n; i++) {
		const struct jn_node *step = n->items.v[i];
		if (step->tuple)
			ts = true;
		if (i == 0 && step->consarray) {
			rs = jn_eval(c, step, inseq, env);
		} else if (ts) {
			tb = eval_tuple_step(c, step, inseq, tb, env);
		} else {
			rs = eval_step(c, step, inseq, env, i == n->items.n - 1,
				       i + 1 < n->items.n &&
					       n->items.v[i + 1]->type !=
						       N_SORT);
		}
		if (!ts &&
		    (rs.t == JV_UNDEF || (jv_is_arr(rs) && jv_alen(rs) == 0)))
			break;
		if (!step->focus)
			inseq = rs;
		if (!ts && !jv_is_arr(inseq))
			inseq = jv_seq1(c, inseq);
	}
	if (ts) {
		if (n->tuple) {
			rs = tb;
		} else {
			rs = jv_seq(c, tb.u.a->n);
			for (uint32_t i = 0; i < tb.u.a->n; i++)
				rs.u.a->v[i] = tb.u.a->v[i].u.tp->at;
			rs.u.a->n = tb.u.a->n;
		}
	}
	if (n->keep_singleton) {
		if (rs.t == JV_ARR && rs.u.a->cons && !rs.u.a->seq)
			rs = jv_seq1(c, rs);
		/* not on a prepared input's array, which is no sequence (so
		 * that keep changes nothing) and is never changed */
		if (rs.t == JV_ARR && !rs.u.a->src)
			rs.u.a->keep = true;
	}
	if (n->group)
		rs = eval_group(c, n->group, n->group_pos, ts ? tb : rs, env);
	return rs;
}

static bool is_array_of_numbers(struct jn_ctx *c, jv v)
{
	if (!jv_is_arr(v))
		return false;
	uint32_t n = jv_alen(v);
	for (uint32_t i = 0; i < n; i++)
		if (!jv_is_numeric(c, jv_aget(v, i)))
			return false;
	return true;
}

static bool plain_number(const struct jn_node *n)
{
	return n->type == N_NUMBER && !n->has_predicate && !n->group &&
	       !n->keep_array;
}

/* an array constructor of number literals and literal ranges */
static bool const_indexes(const struct jn_node *pred)
{
	if (pred->items.n == 0)
		return false;
	for (int k = 0; k < pred->items.n; k++) {
		const struct jn_node *it = pred->items.v[k];
		if (plain_number(it))
			continue;
		if (it->type == N_BINARY && it->op == OP_RANGE &&
		    !it->has_predicate && !it->group && !it->keep_array &&
		    plain_number(it->lhs) && plain_number(it->rhs) &&
		    it->lhs->num == floor(it->lhs->num) &&
		    it->rhs->num == floor(it->rhs->num) &&
		    it->rhs->num - it->lhs->num + 1 <= 1e7)
			continue;
		return false;
	}
	return true;
}

/* how many of the constant indexes select item @i of @len */
static uint32_t index_hits(const struct jn_node *pred, uint32_t i, uint32_t len)
{
	uint32_t hits = 0;
	double di = i, neg = (double)i - (double)len;
	for (int k = 0; k < pred->items.n; k++) {
		const struct jn_node *it = pred->items.v[k];
		if (it->type == N_NUMBER) {
			double x = floor(it->num);
			if (x < 0)
				x += len;
			hits += x == di;
			continue;
		}
		double lo = it->lhs->num, hi = it->rhs->num;
		if (di >= lo && di <= hi)
			hits++; /* a non-negative index equal to i */
		if (neg < 0 && neg >= lo && neg <= hi)
			hits++; /* a negative one counting from the end */
	}
	return hits;
}

static inline jv eval_condition(struct jn_ctx *c, const struct jn_node *n,
				jv input, struct jn_frame *env);

static jv eval_filter(struct jn_ctx *c, const struct jn_node *pred, jv input,
		      struct jn_frame *env)
{
	jv results = jv_seq(c, 0);
	bool ts = input.t == JV_ARR && input.u.a->tstream;
	if (ts)
		results.u.a->tstream = true;
	if (!jv_is_arr(input))
		input = jv_seq1(c, input);
	uint32_t len = jv_alen(input);
	if (pred->type == N_NUMBER) {
		double idx = floor(pred->num);
		if (idx < 0)
			idx += len;
		if (idx >= 0 && idx < len) {
			jv item = jv_aget(input, (uint32_t)idx);
			if (item.t != JV_UNDEF) {
				if (jv_is_arr(item))
					return item;
				jv_push_fast(c, results.u.a, item);
			}
		}
		return results;
	}
	if (pred->type == N_UNARY && pred->op == '[' && !pred->has_predicate &&
	    !pred->group && !pred->keep_array && const_indexes(pred)) {
		/* [[1, 3..5]]: the indexes are constants; no arrays are made */
		for (uint32_t i = 0; i < len; i++) {
			c->depth += 2;
			jn_check_guard(c);
			c->depth -= 2;
			uint32_t hits = index_hits(pred, i, len);
			if (!hits)
				continue;
			jv item = jv_aget(input, i);
			while (hits--)
				jv_push_fast(c, results.u.a, item);
		}
		return results;
	}
	for (uint32_t i = 0; i < len; i++) {
		prefetch_ahead(input, i, len);
		jv item = jv_aget(input, i);
		jv ctx = item;
		struct jn_frame *e = env;
		if (ts && item.t == JV_TUPLE) {
			ctx = item.u.tp->at;
			e = frame_from_tuple(c, env, item.u.tp);
		}
		jv res = pred->fast == FAST_LOGIC || pred->fast == FAST_BINOP
				 ? eval_condition(c, pred, ctx, e)
				 : jn_eval(c, pred, ctx, e);
		if (res.t == JV_BOOL) {
			if (res.b)
				jv_push_fast(c, results.u.a, item);
			continue;
		}
		if (res.t == JV_NUM) {
			if (!jv_is_numeric(c, res))
				continue; /* NaN: not a number, not truthy */
			double ii = floor(res.u.n);
			if (ii < 0)
				ii += len;
			if (ii == i)
				jv_push_fast(c, results.u.a, item);
			continue;
		}
		if (jv_is_arr(res) && is_array_of_numbers(c, res)) {
			uint32_t m = jv_alen(res);
			for (uint32_t x = 0; x < m; x++) {
				double ii = floor(jv_aget(res, x).u.n);
				if (ii < 0)
					ii += len;
				if (ii == i)
					jv_push_fast(c, results.u.a, item);
			}
		} else if (res.t != JV_UNDEF && jv_boolean(res)) {
			jv_push_fast(c, results.u.a, item);
		}
	}
	return results;
}

struct group_ent {
	jv data;
	int expr_index;
	bool owned;
	const char *k; /* the key */
	uint32_t klen, hash;
};

/* the group of key @k (hash @h) in @idx (@cap slots, 0 = empty, else
 * index + 1), or the empty slot where it would go */
static uint32_t *group_slot(uint32_t *idx, uint32_t cap,
			    const struct group_ent *groups, const char *k,
			    uint32_t klen, uint32_t h)
{
	uint32_t i = h & (cap - 1);
	while (idx[i]) {
		const struct group_ent *ge = &groups[idx[i] - 1];
		if (ge->hash == h && ge->klen == klen &&
		    jn_mem_eq(ge->k, k, klen))
			break;
		i = (i + 1) & (cap - 1);
	}
	return &idx[i];
}

static void group_add(struct jn_ctx *c, struct group_ent *g, jv item)
{
	if (!g->owned) {
		jv d = jv_arrv(c, 8);
		if (jv_is_arr(g->data)) {
			uint32_t m = jv_alen(g->data);
			for (uint32_t i = 0; i < m; i++)
				jv_push(c, d.u.a, jv_aget(g->data, i));
		} else {
			jv_push(c, d.u.a, g->data);
		}
		g->data = d;
		g->owned = true;
	}
	if (jv_is_arr(item)) {
		uint32_t m = jv_alen(item);
		for (uint32_t i = 0; i < m; i++)
			jv_push_fast(c, g->data.u.a, jv_aget(item, i));
	} else {
		jv_push_fast(c, g->data.u.a, item);
	}
}

static struct jv_tuple *reduce_tuple_stream(struct jn_ctx *c, jv ts)
{
	if (!jv_is_arr(ts))
		return ts.u.tp;
	struct jv_arr *a = ts.u.a;
	struct jv_tuple *r = tuple_copy(c, a->v[0].u.tp);
	for (uint32_t i = 1; i < a->n; i++) {
		const struct jv_tuple *t = a->v[i].u.tp;
		r->at = jv_append(c, r->at, t->at);
		for (uint32_t x = 0; x < t->n; x++) {
			jv cur = JV_U;
			for (uint32_t y = 0; y < r->n; y++)
				if (!strcmp(r->b[y].name, t->b[x].name))
					cur = r->b[y].v;
			tuple_set(c, r, t->b[x].name,
				  jv_append(c, cur, t->b[x].v));
		}
	}
	return r;
}

/*
 * jn_eval of a grouping key, once per item: a plain field of a jansson
 * object is looked up here, with jn_eval's two guards (at +1 and +2) in
 * one at the deeper and their ticks counted.
 */
static inline jv eval_key(struct jn_ctx *c, const struct jn_node *k, jv item,
			  struct jn_frame *env)
{
	if (k->fast != FAST_NAMES || (item.t != JV_JOBJ && item.t != JV_OBJ) ||
	    k->items.n != 1 || k->items.v[0]->type != N_NAME)
		return jn_eval(c, k, item, env);
	const struct jn_node *st = k->items.v[0];
	c->depth += 2;
	c->ticks++; /* and one in jn_check_guard */
	jn_check_guard(c);
	c->depth -= 2;
	if (item.t == JV_OBJ) {
		jv r = JV_U;
		jv_obj_getc(c, item.u.o, st->str, st->slen, &r);
		return r;
	}
	json_t *j = json_object_getn(item.u.j, st->str, st->slen);
	return j ? jv_from_json(j) : JV_U;
}

static jv eval_group(struct jn_ctx *c, const struct jn_pairs *g, size_t gpos,
		     jv input, struct jn_frame *env)
{
	bool reduce = input.t == JV_ARR && input.u.a->tstream;
	if (!jv_is_arr(input))
		input = jv_seq1(c, input);
	uint32_t len = jv_alen(input);
	if (len == 0 && !reduce) {
		input = jv_seq1(c, JV_U);
		len = 1;
	}
	struct group_ent *groups = NULL;
	uint32_t ng = 0, cg = 0, icap = 16;
	uint32_t *idx = jn_zalloc(c->a, sizeof(uint32_t) * icap);
	for (uint32_t i = 0; i < len; i++) {
		prefetch_ahead(input, i, len);
		jv item = jv_aget(input, i);
		struct jn_frame *e = env;
		jv ctx = item;
		if (reduce) {
			e = frame_from_tuple(c, env, item.u.tp);
			ctx = item.u.tp->at;
		}
		for (int p = 0; p < g->n; p++) {
			jv key = eval_key(c, g->v[p].k, ctx, e);
			if (key.t == JV_UNDEF)
				continue;
			if (key.t != JV_STR)
				fail_atv(c, "T1003", gpos, key);
			if ((key.len == 15 &&
			     !memcmp(key.u.s, "_jsonata_lambda", 15)) ||
			    (key.len == 17 &&
			     !memcmp(key.u.s, "_jsonata_function", 17)))
				fail_atv(c, "D1013", gpos, key);
			uint32_t h = hash_str(key.u.s, key.len);
			uint32_t *slot = group_slot(idx, icap, groups, key.u.s,
						    key.len, h);
			if (*slot) {
				struct group_ent *ge = &groups[*slot - 1];
				if (ge->expr_index != p)
					fail_atv(c, "D1009", gpos, key);
				if (reduce) {
					ge->data = jv_append(c, ge->data, item);
					if (ge->data.t == JV_ARR)
						ge->data.u.a->tstream = true;
				} else {
					group_add(c, ge, item);
				}
			} else {
				if (ng == cg) {
					uint32_t nc = cg ? cg * 2 : 8;
					struct group_ent *ngp = jn_alloc(
						c->a, sizeof(*ngp) * nc);
					if (ng)
						memcpy(ngp, groups,
						       sizeof(*ngp) * ng);
					groups = ngp;
					cg = nc;
				}
				groups[ng].data = item;
				groups[ng].expr_index = p;
				groups[ng].owned = false;
				groups[ng].k = key.u.s;
				groups[ng].klen = key.len;
				groups[ng].hash = h;
				*slot = ++ng;
				if (ng * 2 > icap) {
					icap *= 2;
					idx = jn_zalloc(c->a, sizeof(uint32_t) *
								      icap);
					for (uint32_t x = 0; x < ng; x++)
						*group_slot(idx, icap, groups,
							    groups[x].k,
							    groups[x].klen,
							    groups[x].hash) =
							x + 1;
				}
			}
		}
	}
	struct jv_obj *result = jv_obj_new(c, ng);
	for (uint32_t i = 0; i < ng; i++) {
		struct group_ent *ge = &groups[i];
		jv ctx = ge->data;
		struct jn_frame *e = env;
		if (reduce) {
			struct jv_tuple *t = reduce_tuple_stream(c, ge->data);
			ctx = t->at;
			e = frame_from_tuple(c, env, t);
		}
		jv v = jn_eval(c, g->v[ge->expr_index].v, ctx, e);
		if (v.t != JV_UNDEF) /* the keys are distinct */
			obj_append(c, result, ge->k, ge->klen, v);
	}
	return jv_objv(result);
}

/* ---- sorting: the reference's stable merge sort ---- */

struct sort_ctx {
	bool (*gt)(struct jn_ctx *, jv, jv, void *);
	void *ud;
	struct jn_ctx *c;
};

static void msort(struct sort_ctx *s, jv *v, jv *tmp, uint32_t n)
{
	if (n <= 1)
		return;
	uint32_t mid = n / 2;
	msort(s, v, tmp, mid);
	msort(s, v + mid, tmp, n - mid);
	uint32_t i = 0, j = mid, k = 0;
	while (i < mid && j < n) {
		if (s->gt(s->c, v[i], v[j], s->ud))
			tmp[k++] = v[j++];
		else
			tmp[k++] = v[i++];
	}
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, sizeof(jv) * n);
}

jv jn_sort(struct jn_ctx *c, jv arr, jv fn,
	   bool (*gt)(struct jn_ctx *, jv, jv, void *), void *ud)
{
	(void)fn;
	uint32_t n = jv_alen(arr);
	jv r = jv_arrv(c, n);
	for (uint32_t i = 0; i < n; i++)
		r.u.a->v[i] = jv_aget(arr, i);
	r.u.a->n = n;
	if (arr.t == JV_ARR) {
		r.u.a->seq = arr.u.a->seq;
		r.u.a->tstream = arr.u.a->tstream;
	}
	jv *tmp = jn_alloc(c->a, sizeof(jv) * (n ? n : 1));
	struct sort_ctx s = { gt, ud, c };
	msort(&s, r.u.a->v, tmp, n);
	return r;
}

struct sortkeys {
	const struct jn_node *n;
	jv *keys; /* nterms per item; JV_HOLE until needed */
	jv input;
	struct jn_frame *env;
	bool tuples;
};

/* terms after the first are evaluated only on a tie, as the reference */
static jv sort_key(struct jn_ctx *c, struct sortkeys *sk, uint32_t i, int t)
{
	jv *k = &sk->keys[(size_t)i * (size_t)sk->n->nterms + (size_t)t];
	if (k->t == JV_HOLE) {
		jv item = jv_aget(sk->input, i);
		jv ctx = item;
		struct jn_frame *e = sk->env;
		if (sk->tuples) {
			ctx = item.u.tp->at;
			e = frame_from_tuple(c, sk->env, item.u.tp);
		}
		*k = jn_eval(c, sk->n->terms[t].expr, ctx, e);
	}
	return *k;
}

/* the reference's comparator, on keys evaluated once per item */
static bool keys_gt(struct jn_ctx *c, jv a, jv b, void *ud)
{
	struct sortkeys *sk = ud;
	const struct jn_node *n = sk->n;
	int nt = n->nterms;
	int comp = 0;
	for (int i = 0; comp == 0 && i < nt; i++) {
		jv aa = sort_key(c, sk, (uint32_t)a.u.n, i);
		jv bb = sort_key(c, sk, (uint32_t)b.u.n, i);
		if (aa.t == JV_UNDEF) {
			comp = bb.t == JV_UNDEF ? 0 : 1;
			continue;
		}
		if (bb.t == JV_UNDEF) {
			comp = -1;
			continue;
		}
		bool as = aa.t == JV_STR || aa.t == JV_NUM;
		bool bs = bb.t == JV_STR || bb.t == JV_NUM;
		if (!as || !bs)
			fail_atv(c, "T2008", n->pos, !as ? aa : bb);
		if (aa.t != bb.t) {
			memset(&c->err, 0, sizeof(c->err));
			c->err.code = "T2007";
			c->err.pos = n->pos;
			c->err.has_pos = true;
			c->err.value = aa;
			c->err.has_value = true;
			c->err.value2 = bb;
			c->err.has_value2 = true;
			jn_throw(c);
		}
		int cmp;
		if (aa.t == JV_NUM)
			cmp = aa.u.n == bb.u.n ? 0 : aa.u.n < bb.u.n ? -1 : 1;
		else
			cmp = str_cmp(aa, bb);
		if (cmp == 0)
			continue;
		comp = cmp < 0 ? -1 : 1;
		if (n->terms[i].desc)
			comp = -comp;
	}
	return comp == 1;
}

static jv eval_sort(struct jn_ctx *c, const struct jn_node *n, jv input,
		    struct jn_frame *env)
{
	if (input.t == JV_UNDEF)
		return input;
	if (!jv_is_arr(input) || jv_alen(input) <= 1)
		return input;
	bool tuples = input.t == JV_ARR && input.u.a->tstream;
	uint32_t m = jv_alen(input);
	int nt = n->nterms;
	struct sortkeys sk = {
		n, jn_alloc(c->a, sizeof(jv) * (size_t)m * (size_t)nt), input,
		env, tuples
	};
	jv idx = jv_arrv(c, m);
	for (size_t k = 0; k < (size_t)m * (size_t)nt; k++)
		sk.keys[k] = (jv){ .t = JV_HOLE };
	for (uint32_t i = 0; i < m; i++) {
		sort_key(c, &sk, i, 0);
		idx.u.a->v[i] = jv_num(i);
	}
	idx.u.a->n = m;
	jv sorted = jn_sort(c, idx, JV_U, keys_gt, &sk);
	jv r = jv_arrv(c, m);
	for (uint32_t i = 0; i < m; i++)
		r.u.a->v[i] = jv_aget(input, (uint32_t)sorted.u.a->v[i].u.n);
	r.u.a->n = m;
	if (input.t == JV_ARR) {
		r.u.a->seq = input.u.a->seq;
		r.u.a->tstream = input.u.a->tstream;
	}
	return r;
}

/* ---- functions ---- */

int jn_fn_arity(jv f)
{
	if (f.t != JV_FUNC)
		return 0;
	const struct jv_fn *fn = f.u.f;
	switch (fn->kind) {
	case FN_LAMBDA:
		return fn->nparams;
	case FN_BUILTIN:
		return fn->bi->arity;
	case FN_PARTIAL: {
		int n = 0;
		for (int i = 0; i < fn->nbound; i++)
			if (fn->bound[i].t == JV_HOLE)
				n++;
		return n;
	}
	case FN_REGEX:
		return 2;
	case FN_REGEX_NEXT:
		return 0;
	default:
		return 1;
	}
}

/* the signature's regex, matched by backtracking as JavaScript would */
static bool sig_match(const struct jn_sig *s, const char *sym, int pi, int si,
		      int *lens, bool anchored, int upto, int *end)
{
	if (pi == upto) {
		if (anchored && sym[si])
			return false;
		*end = si;
		return true;
	}
	const struct jn_param *p = &s->p[pi];
	int maxn = 0;
	while (sym[si + maxn] && strchr(p->cls, sym[si + maxn]))
		maxn++;
	int hi, lo;
	if (p->quant == '+') {
		hi = maxn;
		lo = 1;
	} else if (p->quant == '?') {
		hi = maxn ? 1 : 0;
		lo = 0;
	} else {
		hi = maxn ? 1 : 0;
		lo = 1;
	}
	for (int k = hi; k >= lo; k--) {
		lens[pi] = k;
		if (sig_match(s, sym, pi + 1, si + k, lens, anchored, upto,
			      end))
			return true;
	}
	return false;
}

/* every item of the array @a has the signature symbol @sym */
static bool items_of(jv a, char sym)
{
	uint32_t m = jv_alen(a);
	for (uint32_t i = 0; i < m; i++)
		if (jv_sym(jv_aget(a, i)) != sym)
			return false;
	return true;
}

static int validate(struct jn_ctx *c, const struct jn_sig *s, jv *args, int n,
		    jv context, jv *out)
{
	char sym[64];
	if (n > 60)
		n = 60;
	for (int i = 0; i < n; i++)
		sym[i] = jv_sym(args[i]);
	sym[n] = 0;
	int lens[16], end;
	/* one argument per parameter, each of its class: what sig_match's
	 * greedy search would find first, without the search */
	bool ones = n == s->n, plain = ones;
	for (int i = 0; ones && i < n; i++) {
		const struct jn_param *p = &s->p[i];
		ones = p->quant != '+' && sym[i] >= 'a' && sym[i] <= 'z' &&
		       ((p->clsmask >> (sym[i] - 'a')) & 1);
		lens[i] = 1;
		/* an array parameter may wrap a value, or check the items of
		 * an array: all of the one type of a<n> */
		if (plain && p->type == 'a')
			plain = sym[i] == 'a' &&
				(!p->subtype[0] ||
				 items_of(args[i], p->subtype[0]));
	}
	if (ones && plain) {
		/* the loop below would pass every argument as it is */
		memcpy(out, args, sizeof(jv) * (size_t)n);
		return n;
	}
	if (!ones && !sig_match(s, sym, 0, 0, lens, true, s->n, &end)) {
		int good = 0;
		for (int i = 0; i < s->n; i++) {
			int l2[16];
			if (!sig_match(s, sym, 0, 0, l2, false, i + 1, &end)) {
				memset(&c->err, 0, sizeof(c->err));
				c->err.code = "T0410";
				c->err.value = good < n ? args[good] : JV_U;
				c->err.has_value = good < n;
				c->err.index = good + 1;
				jn_throw(c);
			}
			good = end;
		}
		memset(&c->err, 0, sizeof(c->err));
		c->err.code = "T0410";
		c->err.value = good < n ? args[good] : JV_U;
		c->err.has_value = good < n;
		c->err.index = good + 1;
		jn_throw(c);
	}
	int no = 0, ai = 0;
	for (int pi = 0; pi < s->n; pi++) {
		const struct jn_param *p = &s->p[pi];
		if (lens[pi] == 0) {
			if (p->context) {
				char ct = jv_sym(context);
				if (strchr(p->ctxcls, ct)) {
					out[no++] = context;
				} else {
					memset(&c->err, 0, sizeof(c->err));
					c->err.code = "T0411";
					c->err.value = context;
					c->err.has_value = true;
					c->err.index = ai + 1;
					jn_throw(c);
				}
			} else {
				out[no++] = ai < n ? args[ai] : JV_U;
				ai++;
			}
			continue;
		}
		for (int k = 0; k < lens[pi]; k++) {
			jv arg = args[ai];
			char single = sym[ai];
			if (p->type == 'a') {
				if (single == 'm') {
					arg = JV_U;
				} else {
					bool ok = true;
					if (p->subtype[0]) {
						if (single != 'a' &&
						    (lens[pi] != 1 ||
						     strcmp(p->subtype,
							    (char[]){ single,
								      0 })))
							ok = false;
						else if (single == 'a') {
							uint32_t m =
								jv_alen(arg);
							if (m > 0) {
								char it = jv_sym(
									jv_aget(arg,
										0));
								if (it !=
								    p->subtype
									    [0])
									ok = false;
								else
									for (uint32_t x =
										     1;
									     x <
									     m;
									     x++)
										if (jv_sym(jv_aget(
											    arg,
											    x)) !=
										    it)
											ok = false;
							}
						}
					}
					if (!ok) {
						static const char *const
							names[] = { "arrays",
								    "booleans",
								    "functions",
								    "numbers",
								    "objects",
								    "strings" };
						const char *tn = "";
						switch (p->subtype[0]) {
						case 'a':
							tn = names[0];
							break;
						case 'b':
							tn = names[1];
							break;
						case 'f':
							tn = names[2];
							break;
						case 'n':
							tn = names[3];
							break;
						case 'o':
							tn = names[4];
							break;
						case 's':
							tn = names[5];
							break;
						}
						memset(&c->err, 0,
						       sizeof(c->err));
						c->err.code = "T0412";
						c->err.value = arg;
						c->err.has_value = true;
						c->err.index = ai + 1;
						c->err.type = tn;
						jn_throw(c);
					}
					if (single != 'a')
						arg = jv_seq1(c, arg),
						arg.u.a->seq = false;
				}
			}
			out[no++] = arg;
			ai++;
		}
	}
	return no;
}

static jv apply_inner(struct jn_ctx *c, jv proc, jv *args, int n, jv input,
		      struct jn_frame *env, const char *tok, size_t pos);

static jv apply_procedure(struct jn_ctx *c, const struct jv_fn *f, jv *args,
			  int n)
{
	struct jn_frame *env = jn_frame_new(c, f->env);
	for (int i = 0; i < f->nparams; i++)
		jn_bind(c, env, f->params[i], i < n ? args[i] : JV_U);
	return jn_eval(c, f->node->body, f->input, env);
}

static jv call_builtin(struct jn_ctx *c, const struct jn_builtin *b, jv *args,
		       int n, jv input, struct jn_frame *env)
{
	jv out = JV_U;
	b->fn(c, args, n, input, env, &out);
	return out;
}

static jv apply_inner(struct jn_ctx *c, jv proc, jv *args, int n, jv input,
		      struct jn_frame *env, const char *tok, size_t pos)
{
	struct jn_annot an;
	annot_push(c, &an, A_APPLY, pos, tok);
	jv r = JV_U;
	if (proc.t != JV_FUNC)
		jn_fail(c, "T1006");
	const struct jv_fn *f = proc.u.f;
	jv vbuf[16];
	jv *va = args;
	int vn = n;
	if (f->sig) {
		/* validate() writes one value per argument it takes and one
		 * per parameter that takes none: at most n + sig->n. */
		va = vbuf;
		if (n + f->sig->n > 16)
			va = jn_alloc(c->a,
				      sizeof(jv) * (size_t)(n + f->sig->n));
		vn = validate(c, f->sig, args, n, input, va);
	}
	switch (f->kind) {
	case FN_LAMBDA:
		r = apply_procedure(c, f, va, vn);
		break;
	case FN_BUILTIN:
		r = call_builtin(c, f->bi, va, vn, input, env);
		break;
	case FN_PARTIAL: {
		jv *full = jn_alloc(c->a, sizeof(jv) * (size_t)(f->nbound + 1));
		int k = 0;
		for (int i = 0; i < f->nbound; i++) {
			if (f->bound[i].t == JV_HOLE)
				full[i] = k < vn ? va[k++] : JV_U;
			else
				full[i] = f->bound[i];
		}
		int nf = f->nbound;
		while (nf > 0 && full[nf - 1].t == JV_UNDEF)
			nf--;
		jv *v2 = jn_alloc(c->a, sizeof(jv) * (size_t)(nf + 16));
		int n2 = validate(c, &f->bi->psig, full, nf, JV_U, v2);
		r = call_builtin(c, f->bi, v2, n2, JV_U, env);
		break;
	}
	case FN_REGEX:
	case FN_REGEX_NEXT:
		r = jn_regex_call(c, f, va, vn);
		break;
	case FN_TRANSFORM:
		r = jn_transform_call(c, f, vn > 0 ? va[0] : JV_U);
		break;
	}
	c->annot = an.prev;
	return r;
}

jv jn_apply(struct jn_ctx *c, jv proc, jv *args, int n, jv input,
	    struct jn_frame *env)
{
	jv r = apply_inner(c, proc, args, n, input, env, NULL, 0);
	while (r.t == JV_FUNC && r.u.f->kind == FN_LAMBDA && r.u.f->thunk) {
		const struct jv_fn *th = r.u.f;
		const struct jn_node *body = th->node->body;
		jv next = jn_eval(c, body->procedure, th->input, th->env);
		const char *tok = body->procedure->type == N_VARIABLE
					  ? body->procedure->str
					  : NULL;
		int na = body->items.n;
		jv *ev = jn_alloc(c->a, sizeof(jv) * (size_t)(na + 1));
		for (int i = 0; i < na; i++)
			ev[i] = jn_eval(c, body->items.v[i], th->input,
					th->env);
		r = apply_inner(c, next, ev, na, input, env, tok,
				body->procedure->pos);
	}
	return r;
}

/* apply_named's loop: a tail call's thunk is called until none is left */
static jv run_thunks(struct jn_ctx *c, jv r, jv input, struct jn_frame *env)
{
	while (r.t == JV_FUNC && r.u.f->kind == FN_LAMBDA && r.u.f->thunk) {
		const struct jv_fn *th = r.u.f;
		const struct jn_node *body = th->node->body;
		jv next = jn_eval(c, body->procedure, th->input, th->env);
		const char *t2 = body->procedure->type == N_VARIABLE
					 ? body->procedure->str
					 : NULL;
		int na = body->items.n;
		jv *ev = jn_alloc(c->a, sizeof(jv) * (size_t)(na + 1));
		for (int i = 0; i < na; i++)
			ev[i] = jn_eval(c, body->items.v[i], th->input,
					th->env);
		r = apply_inner(c, next, ev, na, input, env, t2,
				body->procedure->pos);
	}
	return r;
}

static jv apply_named(struct jn_ctx *c, jv proc, jv *args, int n, jv input,
		      struct jn_frame *env, const char *tok, size_t pos)
{
	jv r = apply_inner(c, proc, args, n, input, env, tok, pos);
	if (r.t == JV_FUNC)
		r = run_thunks(c, r, input, env);
	return r;
}

/*
 * validate's quick pass: one argument per parameter, each of its class,
 * an array for an array parameter with the items of its subtype. Then
 * validate would pass the arguments on as they are.
 */
static inline bool args_plain(const struct jn_sig *s, const jv *args, int n)
{
	if (n != s->n)
		return false;
	for (int i = 0; i < n; i++) {
		const struct jn_param *p = &s->p[i];
		char sym = jv_sym(args[i]);
		if (p->quant == '+' || !((p->clsmask >> (sym - 'a')) & 1))
			return false;
		if (p->type == 'a' &&
		    (sym != 'a' ||
		     (p->subtype[0] && !items_of(args[i], p->subtype[0]))))
			return false;
	}
	return true;
}

static const char *proc_name(const struct jn_node *p)
{
	if (p->type == N_PATH)
		return p->items.v[0]->str;
	return p->str;
}

static bool sum_path(struct jn_ctx *c, const struct jn_node *p, jv input,
		     struct jn_frame *env, jv *out);
static inline jv eval_operand(struct jn_ctx *c, const struct jn_node *n,
			      jv input, struct jn_frame *env);

/*
 * A bi_free $name of the expression evaluated is its built-in: no binding
 * of the caller's (in the root frame) has the name of one of them. Looked
 * at once per evaluation, when first needed.
 */
static bool bi_visible(struct jn_ctx *c)
{
	if (!c->bi_hidden) {
		const struct sfn_jsonata *e = c->e;
		const struct jn_frame *f = c->root;
		/* none listed: the expression calls $eval, which may have
		 * compiled the node, and bound its name anywhere */
		c->bi_hidden = e->bnames ? 1 : 2;
		for (uint32_t i = 1; i < f->n && e->bnames; i++) {
			const char *k = f->b[i].name;
			for (uint32_t s = 0; s < e->nbnames; s++) {
				const char *bn = e->bnames[s];
				if (bn[0] == k[0] && bn[1] == k[1] &&
				    !strcmp(bn, k))
					c->bi_hidden = 2;
			}
		}
	}
	return c->bi_hidden == 1;
}

static jv eval_function(struct jn_ctx *c, const struct jn_node *n, jv input,
			struct jn_frame *env, const jv *applyto)
{
	const struct jn_node *pn = n->procedure;
	jv proc;
	if (pn->fast == FAST_VAR) {
		/* jn_eval's short cut for a $name, without its dispatch */
		c->depth++;
		jn_check_guard(c);
		if (pn->bi_free && bi_visible(c)) {
			/* eval_variable would walk to the root for it */
			proc.t = JV_FUNC;
			proc.u.f = pn->bi->fnv;
		} else {
			proc = eval_variable(c, pn, input, env);
		}
		c->depth--;
		if (jv_is_seq(proc))
			proc = jn_eval(c, pn, input, env);
	} else {
		proc = jn_eval(c, pn, input, env);
	}
	if (proc.t == JV_UNDEF && n->procedure->type == N_PATH) {
		jv tmp;
		if (n->procedure->items.v[0]->str &&
		    jn_lookup(c, env, n->procedure->items.v[0]->str, &tmp))
			fail_at(c, "T1005", n->pos,
				n->procedure->items.v[0]->str);
	}
	if (n->sum_path && !applyto && proc.t == JV_FUNC &&
	    proc.u.f == pn->bi->fnv) {
		jv r;
		if (sum_path(c, n->items.v[0], input, env, &r))
			return r;
	}
	int na = n->items.n + (applyto ? 1 : 0);
	jv abuf[8];
	jv *args = na <= 8 ? abuf : jn_alloc(c->a, sizeof(jv) * (size_t)na);
	int k = 0;
	if (applyto)
		args[k++] = *applyto;
	for (int i = 0; i < n->items.n; i++)
		args[k++] = eval_operand(c, n->items.v[i], input, env);
	const char *pname = proc_name(n->procedure);
	struct jn_annot an;
	annot_push(c, &an, A_CALL, n->pos, pname);
	jv r;
	if (proc.t == JV_FUNC && proc.u.f->kind == FN_BUILTIN &&
	    proc.u.f->sig && args_plain(proc.u.f->sig, args, na)) {
		/* apply_inner's, without the copy validate would make */
		struct jn_annot an2;
		annot_push(c, &an2, A_APPLY, n->pos, pname);
		r = JV_U;
		proc.u.f->bi->fn(c, args, na, input, env, &r);
		c->annot = an2.prev;
		if (r.t == JV_FUNC)
			r = run_thunks(c, r, input, env);
	} else {
		r = apply_named(c, proc, args, na, input, env, pname, n->pos);
	}
	c->annot = an.prev;
	return r;
}

static jv eval_lambda(struct jn_ctx *c, const struct jn_node *n, jv input,
		      struct jn_frame *env)
{
	struct jv_fn *f = jn_zalloc(c->a, sizeof(*f));
	f->kind = FN_LAMBDA;
	f->node = n;
	f->input = input;
	f->env = env;
	f->thunk = n->thunk;
	f->sig = n->sig;
	f->nparams = n->items.n;
	if (n->items.n) {
		f->params = jn_alloc(c->a, sizeof(char *) * (size_t)n->items.n);
		for (int i = 0; i < n->items.n; i++)
			f->params[i] = n->items.v[i]->str;
	}
	jv v = { .t = JV_FUNC };
	v.u.f = f;
	return v;
}

static jv eval_partial(struct jn_ctx *c, const struct jn_node *n, jv input,
		       struct jn_frame *env)
{
	int na = n->items.n;
	jv *args = jn_alloc(c->a, sizeof(jv) * (size_t)(na + 1));
	for (int i = 0; i < na; i++) {
		const struct jn_node *a = n->items.v[i];
		if (a->type == N_OPERATOR && a->op == '?')
			args[i] = (jv){ .t = JV_HOLE };
		else
			args[i] = jn_eval(c, a, input, env);
	}
	jv proc = jn_eval(c, n->procedure, input, env);
	if (proc.t == JV_UNDEF && n->procedure->type == N_PATH) {
		jv tmp;
		if (jn_lookup(c, env, n->procedure->items.v[0]->str, &tmp))
			fail_at(c, "T1007", n->pos,
				n->procedure->items.v[0]->str);
	}
	if (proc.t == JV_FUNC && proc.u.f->kind == FN_LAMBDA) {
		const struct jv_fn *p = proc.u.f;
		struct jv_fn *f = jn_zalloc(c->a, sizeof(*f));
		f->kind = FN_LAMBDA;
		f->node = p->node;
		f->input = p->input;
		struct jn_frame *fenv = jn_frame_new(c, p->env ? p->env : env);
		f->params = jn_alloc(c->a,
				     sizeof(char *) * (size_t)(p->nparams + 1));
		for (int i = 0; i < p->nparams; i++) {
			jv a = i < na ? args[i] : JV_U;
			if (a.t == JV_HOLE)
				f->params[f->nparams++] = p->params[i];
			else
				jn_bind(c, fenv, p->params[i], a);
		}
		f->env = fenv;
		jv v = { .t = JV_FUNC };
		v.u.f = f;
		return v;
	}
	if (proc.t == JV_FUNC &&
	    (proc.u.f->kind == FN_BUILTIN || proc.u.f->kind == FN_PARTIAL)) {
		const struct jv_fn *p = proc.u.f;
		struct jv_fn *f = jn_zalloc(c->a, sizeof(*f));
		f->kind = FN_PARTIAL;
		f->bi = p->bi;
		if (p->kind == FN_BUILTIN) {
			int np = p->bi->nparams;
			f->nbound = np;
			f->bound =
				jn_alloc(c->a, sizeof(jv) * (size_t)(np + 1));
			for (int i = 0; i < np; i++)
				f->bound[i] = i < na ? args[i] : JV_U;
		} else {
			f->nbound = p->nbound;
			f->bound = jn_alloc(
				c->a, sizeof(jv) * (size_t)(p->nbound + 1));
			int k = 0;
			for (int i = 0; i < p->nbound; i++) {
				if (p->bound[i].t == JV_HOLE) {
					f->bound[i] = k < na ? args[k] : JV_U;
					k++;
				} else {
					f->bound[i] = p->bound[i];
				}
			}
		}
		jv v = { .t = JV_FUNC };
		v.u.f = f;
		return v;
	}
	fail_at(c, "T1008", n->pos, proc_name(n->procedure));
}

static jv eval_apply(struct jn_ctx *c, const struct jn_node *n, jv input,
		     struct jn_frame *env)
{
	jv lhs = jn_eval(c, n->lhs, input, env);
	if (n->rhs->type == N_FUNCTION)
		return eval_function(c, n->rhs, input, env, &lhs);
	jv func = jn_eval(c, n->rhs, input, env);
	if (func.t != JV_FUNC)
		fail_atv(c, "T2006", n->pos, func);
	if (lhs.t == JV_FUNC) {
		/* function($f, $g) { function($x){ $g($f($x)) } } */
		const struct sfn_jsonata *ch = c->e ? NULL : NULL;
		(void)ch;
		struct jv_fn *f = jn_zalloc(c->a, sizeof(*f));
		f->kind = FN_PARTIAL; /* replaced below */
		f->bi = &jn_chain_builtin;
		f->nbound = 3;
		f->bound = jn_alloc(c->a, sizeof(jv) * 3);
		f->bound[0] = lhs;
		f->bound[1] = func;
		f->bound[2] = (jv){ .t = JV_HOLE };
		jv v = { .t = JV_FUNC };
		v.u.f = f;
		return v;
	}
	jv a[1] = { lhs };
	return jn_apply(c, func, a, 1, JV_U, env);
}

static jv eval_variable(struct jn_ctx *c, const struct jn_node *n, jv input,
			struct jn_frame *env)
{
	(void)c; /* names resolve without it: built-ins were found at compile */
	if (n->slen == 0) {
		if (input.t == JV_ARR && input.u.a->outer)
			return input.u.a->n ? input.u.a->v[0] : JV_U;
		return input;
	}
	const char *name = n->str;
	for (struct jn_frame *f = env; f; f = f->parent)
		for (uint32_t i = 0; i < f->n; i++) {
			/* names are NUL-terminated and at least one long: the
			 * first three bytes tell most apart without strcmp */
			const char *b = f->b[i].name;
			if (b == name ||
			    (b[0] == name[0] && b[1] == name[1] &&
			     (!b[1] || (b[2] == name[2] && !strcmp(b, name)))))
				return f->b[i].v;
		}
	jv r = JV_U;
	if (n->bi) {
		r.t = JV_FUNC;
		r.u.f = n->bi->fnv;
	}
	return r;
}

/* ---- short cuts found after parsing ---- */

/*
 * Variable names, interned: every $name of the expression that spells the
 * same shares one pointer, so that frames mostly match by address.
 */
struct analysis {
	int flags;
	const char **tab; /* open addressing; NULL = empty */
	size_t cap, n;
};

static void intern(struct analysis *an, const char **name)
{
	if (!*name)
		return;
	if (an->n * 2 >= an->cap) {
		size_t oc = an->cap, nc = oc ? oc * 2 : 64;
		const char **old = an->tab;
		an->tab = sfn_xcalloc(nc, sizeof(*an->tab));
		an->cap = nc;
		an->n = 0;
		for (size_t i = 0; i < oc; i++)
			if (old[i])
				intern(an, &old[i]);
		free(old);
	}
	size_t len = strlen(*name);
	size_t h = hash_str(*name, len) & (an->cap - 1);
	while (an->tab[h]) {
		if (!strcmp(an->tab[h], *name)) {
			*name = an->tab[h];
			return;
		}
		h = (h + 1) & (an->cap - 1);
	}
	an->tab[h] = *name;
	an->n++;
}

static void analyse(struct jn_node *n, struct analysis *an);

static void analyse_list(struct jn_node **v, int n, struct analysis *an)
{
	for (int i = 0; i < n; i++)
		analyse(v[i], an);
}

static void analyse_pairs(const struct jn_pairs *p, struct analysis *an)
{
	for (int i = 0; p && i < p->n; i++) {
		analyse(p->v[i].k, an);
		analyse(p->v[i].v, an);
	}
}

static bool effects(const struct jn_node *n)
{
	return n && n->effects;
}

static bool pairs_effects(const struct jn_pairs *p)
{
	for (int i = 0; p && i < p->n; i++)
		if (effects(p->v[i].k) || effects(p->v[i].v))
			return true;
	return false;
}

static bool plain_names(const struct jn_node *n)
{
	if (n->keep_singleton || n->group || n->tuple || n->has_predicate ||
	    n->items.n == 0)
		return false;
	for (int i = 0; i < n->items.n; i++) {
		const struct jn_node *st = n->items.v[i];
		if (!simple_step(st))
			return false;
		if (st->type != N_NAME && !(i == 0 && st->type == N_VARIABLE))
			return false;
	}
	return true;
}

/* the operators plain_binary and plain_concat know */
static bool plain_op(int op)
{
	switch (op) {
	case '&':
	case '+':
	case '-':
	case '*':
	case '/':
	case '=':
	case '<':
	case '>':
	case OP_NE:
	case OP_LE:
	case OP_GE:
		return true;
	default:
		return false;
	}
}

static bool operand_fast(const struct jn_node *n)
{
	return n->fast == FAST_CONST || n->fast == FAST_NAMES ||
	       n->fast == FAST_VAR;
}

static bool logic_operand(const struct jn_node *n)
{
	return operand_fast(n) || n->fast == FAST_BINOP ||
	       n->fast == FAST_LOGIC;
}

/* up to 16 distinct string literals as keys, none a function's name */
static bool literal_keys(const struct jn_pairs *g)
{
	if (g->n > 16)
		return false;
	for (int i = 0; i < g->n; i++) {
		const struct jn_node *k = g->v[i].k;
		if (k->type != N_STRING || k->has_predicate || k->group ||
		    k->keep_array || !strncmp(k->str, "_jsonata_", 9))
			return false;
		for (int j = 0; j < i; j++)
			if (g->v[j].k->slen == k->slen &&
			    !memcmp(g->v[j].k->str, k->str, k->slen))
				return false;
	}
	return true;
}

/* an array constructor whose items are all FAST_CONST */
static bool const_items(const struct jn_node *n)
{
	for (int i = 0; i < n->items.n; i++)
		if (n->items.v[i]->fast != FAST_CONST)
			return false;
	return true;
}

/* an arithmetic operation of two literals or fields: step_arith's */
static bool arith_leaves(const struct jn_node *o)
{
	return o->fast == FAST_BINOP &&
	       (o->op == '+' || o->op == '-' || o->op == '*' || o->op == '/') &&
	       leaf_operand(o->lhs) && leaf_operand(o->rhs);
}

/*
 * $sum(p) where p is a path fast_path walks up to its last step, a block
 * ( x op y ) of arithmetic on fields or literals: $sum(items.(price * qty))
 */
static bool sum_shape(const struct jn_node *n)
{
	const struct jn_node *pn = n->procedure, *p;
	if (pn->fast != FAST_VAR || !pn->bi || strcmp(pn->str, "sum") ||
	    n->items.n != 1)
		return false;
	p = n->items.v[0];
	if (p->type != N_PATH || p->keep_singleton || p->group || p->tuple ||
	    p->has_predicate || p->keep_array || p->items.n < 2)
		return false;
	int ns = p->items.n;
	for (int i = 0; i < ns - 1; i++) {
		const struct jn_node *st = p->items.v[i];
		if (!simple_step(st) ||
		    (st->type != N_NAME && !(i == 0 && st->type == N_VARIABLE)))
			return false;
	}
	const struct jn_node *last = p->items.v[ns - 1];
	return simple_step(last) && last->fast == FAST_BLOCK &&
	       arith_leaves(last->items.v[0]);
}

static void analyse(struct jn_node *n, struct analysis *an)
{
	if (!n || n->analysed)
		return;
	n->analysed = true;
	struct jn_node *kids[] = { n->lhs,  n->rhs,	  n->expr,    n->cond,
				   n->then, n->els,	  n->pattern, n->update,
				   n->del,  n->procedure, n->body };
	for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++)
		analyse(kids[i], an);
	analyse_list(n->items.v, n->items.n, an);
	analyse_pairs(&n->pairs, an);
	analyse_pairs(n->group, an);
	for (int i = 0; i < n->stages.n; i++)
		analyse(n->stages.v[i].expr, an);
	for (int i = 0; i < n->predicate.n; i++)
		analyse(n->predicate.v[i].expr, an);
	for (int i = 0; i < n->nterms; i++)
		analyse(n->terms[i].expr, an);
	n->effects = n->type == N_BIND || n->type == N_FUNCTION ||
		     n->type == N_PARTIAL || n->type == N_APPLY;
	for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++)
		n->effects |= effects(kids[i]);
	for (int i = 0; i < n->items.n; i++)
		n->effects |= effects(n->items.v[i]);
	n->effects |= pairs_effects(&n->pairs) || pairs_effects(n->group);
	for (int i = 0; i < n->stages.n; i++)
		n->effects |= effects(n->stages.v[i].expr);
	for (int i = 0; i < n->predicate.n; i++)
		n->effects |= effects(n->predicate.v[i].expr);
	for (int i = 0; i < n->nterms; i++)
		n->effects |= effects(n->terms[i].expr);
	if (n->type == N_VARIABLE && n->slen)
		intern(an, &n->str);
	intern(an, &n->focus);
	intern(an, &n->index);
	for (int i = 0; i < n->stages.n; i++)
		intern(an, &n->stages.v[i].name);
	bool bare = !n->has_predicate && !n->group && !n->keep_array;
	switch (n->type) {
	case N_STRING:
		if (bare) {
			n->fast = FAST_CONST;
			n->cval = jv_str(n->str, n->slen);
		}
		break;
	case N_NUMBER:
		if (bare) {
			n->fast = FAST_CONST;
			n->cval = jv_num(n->num);
		}
		break;
	case N_VALUE:
		if (bare) {
			n->fast = FAST_CONST;
			n->cval = n->vkind == JV_NULL ? jv_null()
						      : jv_bool(n->num != 0);
		}
		break;
	case N_PATH:
		if (plain_names(n))
			n->fast = FAST_NAMES;
		break;
	case N_UNARY:
		if (n->op == '{' && literal_keys(&n->pairs))
			n->fast = FAST_OBJLIT;
		else if (n->op == '[' && bare && const_items(n))
			n->fast = FAST_LITARR;
		break;
	case N_BLOCK:
		if (bare && n->items.n == 1 && !n->effects)
			n->fast = FAST_BLOCK;
		break;
	case N_BINARY:
		if (bare && plain_op(n->op) && operand_fast(n->lhs) &&
		    operand_fast(n->rhs))
			n->fast = FAST_BINOP;
		else if (bare && n->op == OP_IN && operand_fast(n->lhs) &&
			 (operand_fast(n->rhs) || n->rhs->fast == FAST_LITARR))
			n->fast = FAST_BINOP;
		else if (bare && (n->op == OP_AND || n->op == OP_OR) &&
			 logic_operand(n->lhs) && logic_operand(n->rhs))
			n->fast = FAST_LOGIC;
		break;
	case N_FUNCTION:
		n->sum_path = sum_shape(n);
		break;
	case N_VARIABLE:
		/* the built-in this name falls back to, if nothing binds it */
		if (n->slen)
			n->bi = jn_builtin_find(n->str, an->flags);
		if (bare)
			n->fast = FAST_VAR;
		break;
	default:
		break;
	}
}

void jn_analyse(struct jn_node *n, int flags)
{
	struct analysis an = { .flags = flags };
	analyse(n, &an);
	free(an.tab);
}

enum { MEMO_NOTOBJ = 1, MEMO_NONE };
/* sentinels of jn_ctx.memo: $v is no jansson object; $v.name is undefined */
static char memo_marks[3];

/*
 * $v.name of a path with a memo slot, looked up on its first use: false
 * where the path is to be walked from the start ($v is no jansson object);
 * else the jansson value in *@out (NULL: undefined).
 */
static bool memo_first(struct jn_ctx *c, const struct jn_node *n, jv input,
		       struct jn_frame *env, json_t **out)
{
	json_t **m = &c->memo[n->memo - 1];
	if (!*m) {
		jv v = eval_variable(c, n->items.v[0], input, env);
		if (v.t != JV_JOBJ) {
			*m = (json_t *)&memo_marks[MEMO_NOTOBJ];
		} else {
			const struct jn_node *st = n->items.v[1];
			json_t *x = json_object_getn(v.u.j, st->str, st->slen);
			*m = x ? x : (json_t *)&memo_marks[MEMO_NONE];
		}
	}
	if (*m == (json_t *)&memo_marks[MEMO_NOTOBJ])
		return false;
	*out = *m == (json_t *)&memo_marks[MEMO_NONE] ? NULL : *m;
	return true;
}

/*
 * A memo slot is read only while the expression it belongs to is the one
 * evaluated: one with slots has no $eval, so no other tree runs in its
 * evaluation (an expression $eval compiles may have slots of its own, but
 * c->nmemo is 0 then).
 */
static inline bool memo_usable(const struct jn_ctx *c, const struct jn_node *n)
{
	return n->memo && n->memo <= c->nmemo;
}

/*
 * A FAST_NAMES path on one value: fast_path without its per-step checks.
 * False where the general loop must decide (arrays, sequences, tuples).
 */
static bool names_path(struct jn_ctx *c, const struct jn_node *n, jv cur,
		       struct jn_frame *env, jv *out)
{
	int ns = n->items.n, i = 0;
	/* every step is evaluated one level below the path: one guard for
	 * them all, counting a tick for each */
	c->depth++;
	c->ticks += (unsigned)ns - 1;
	jn_check_guard(c);
	json_t *mx;
	if (memo_usable(c, n) && memo_first(c, n, cur, env, &mx)) {
		/* the first two steps, as the loop below would end them */
		if (!mx) {
			c->depth--;
			*out = JV_U;
			return true;
		}
		if (json_is_object(mx)) {
			cur.t = JV_JOBJ;
			cur.u.j = mx;
		} else {
			cur = jv_from_json(mx);
		}
		if (jv_is_arr(cur) && ns > 2) {
			c->depth--;
			return false;
		}
		i = 2;
	}
	for (; i < ns; i++) {
		const struct jn_node *st = n->items.v[i];
		if (st->type == N_VARIABLE) {
			cur = eval_variable(c, st, cur, env);
		} else if (cur.t == JV_JOBJ) {
			json_t *j =
				json_object_getn(cur.u.j, st->str, st->slen);
			if (j && json_is_object(j)) {
				/* the common step from object to object */
				cur.u.j = j;
				continue;
			}
			cur = j ? jv_from_json(j) : JV_U;
		} else if (cur.t == JV_OBJ) {
			jv v = JV_U;
			jv_obj_getc(c, cur.u.o, st->str, st->slen, &v);
			cur = v;
		} else if (jv_is_arr(cur)) {
			c->depth--;
			return false;
		} else {
			cur = JV_U;
		}
		if (cur.t == JV_UNDEF)
			break;
		if (cur.t == JV_TUPLE ||
		    (jv_is_arr(cur) && (i < ns - 1 || jv_is_seq(cur)))) {
			c->depth--;
			return false;
		}
	}
	c->depth--;
	*out = cur;
	return true;
}

/*
 * eval_variable, trying the innermost frame by the name's address first:
 * a block's own $x, interned as every name of the expression is. A frame
 * holds a name once, so an entry found so is the one eval_variable finds.
 */
static inline jv var_value(struct jn_ctx *c, const struct jn_node *n, jv input,
			   struct jn_frame *env)
{
	if (env && n->slen)
		for (uint32_t i = 0; i < env->n; i++)
			if (env->b[i].name == n->str)
				return env->b[i].v;
	return eval_variable(c, n, input, env);
}

/* out of line: jn_eval's short cuts then need no large frame */
__attribute__((noinline)) static jv eval_node(struct jn_ctx *c,
					      const struct jn_node *n, jv input,
					      struct jn_frame *env);

/* jn_eval of a FAST_CONST, FAST_NAMES or FAST_VAR node; false where it
 * would take the general path */
static inline bool fast_operand(struct jn_ctx *c, const struct jn_node *o,
				jv input, struct jn_frame *env, jv *out)
{
	c->depth++;
	jn_check_guard(c);
	bool ok = true;
	if (o->fast == FAST_CONST) {
		*out = o->cval;
	} else if (o->fast == FAST_VAR) {
		/* eval_node would collapse a sequence */
		*out = var_value(c, o, input, env);
		ok = !jv_is_seq(*out);
	} else if (o->items.n == 1 && input.t == JV_JOBJ &&
		   o->items.v[0]->type == N_NAME) {
		/* names_path of one field of a jansson object */
		const struct jn_node *st = o->items.v[0];
		c->depth++;
		jn_check_guard(c);
		json_t *j = json_object_getn(input.u.j, st->str, st->slen);
		c->depth--;
		*out = j ? jv_from_json(j) : JV_U;
	} else {
		ok = !jv_is_arr(input) && names_path(c, o, input, env, out);
	}
	c->depth--;
	return ok;
}

/*
 * 'in' as a FAST_BINOP: eval_binary's, which cannot fail. A literal array
 * on the right is not made: its items are read off the tree, their depth
 * counted as eval_unary's.
 */
static bool fast_in(struct jn_ctx *c, const struct jn_node *n, jv input,
		    struct jn_frame *env, jv *out)
{
	jv l, r;
	if (!fast_operand(c, n->lhs, input, env, &l))
		return false;
	const struct jn_node *rn = n->rhs;
	bool found = false;
	if (rn->fast == FAST_LITARR) {
		int m = rn->items.n;
		c->depth++;
		jn_check_guard(c);
		if (m) {
			c->depth++;
			c->ticks += (unsigned)m - 1;
			jn_check_guard(c);
			c->depth--;
		}
		c->depth--;
		for (int i = 0; i < m && !found && l.t != JV_UNDEF; i++)
			found = in_eq(rn->items.v[i]->cval, l);
	} else {
		if (!fast_operand(c, rn, input, env, &r))
			return false;
		if (l.t == JV_UNDEF || r.t == JV_UNDEF)
			found = false;
		else if (!jv_is_arr(r))
			found = in_eq(r, l);
		else
			for (uint32_t i = 0, m = jv_alen(r); i < m && !found;
			     i++)
				found = in_eq(jv_aget(r, i), l);
	}
	*out = jv_bool(found);
	return true;
}

/* a literal, or one field name: fast_binop's operands it reads in place */
static inline bool leaf_operand(const struct jn_node *o)
{
	return o->fast == FAST_CONST ||
	       (o->fast == FAST_NAMES && o->items.n == 1 &&
		o->items.v[0]->type == N_NAME);
}

/* a leaf_operand's value on the jansson object @j */
static inline jv leaf_value(const struct jn_node *o, json_t *j)
{
	if (o->fast == FAST_CONST)
		return o->cval;
	const struct jn_node *st = o->items.v[0];
	return jv_from_json(json_object_getn(j, st->str, st->slen));
}

/* leaf_value where only a number is of use: false for the rest */
static inline bool leaf_number(const struct jn_node *o, json_t *j, double *d)
{
	if (o->fast == FAST_CONST) {
		*d = o->cval.u.n;
		return o->cval.t == JV_NUM;
	}
	const struct jn_node *st = o->items.v[0];
	json_t *x = json_object_getn(j, st->str, st->slen);
	if (json_is_real(x)) {
		*d = json_real_value(x);
		return true;
	}
	if (json_is_integer(x)) {
		*d = (double)json_integer_value(x);
		return true;
	}
	return false;
}

/*
 * step_value of a FAST_BLOCK step around a FAST_BINOP @o of two
 * leaf_operands, on an object item, when both are numbers: the operation
 * without the calls, the depth and ticks counted as step_value's (the
 * block, the operation, then fast_binop's). False, having counted
 * nothing, for anything else (the general path decides).
 */
__attribute__((always_inline)) static inline bool
step_arith(struct jn_ctx *c, const struct jn_node *o, jv item, jv *out)
{
	const struct jn_node *ln = o->lhs, *rn = o->rhs;
	jv l, r;
	if (item.t == JV_JOBJ) {
		double a, b;
		if (!leaf_number(ln, item.u.j, &a) ||
		    !leaf_number(rn, item.u.j, &b))
			return false;
		l = jv_num(a);
		r = jv_num(b);
	} else if (item.t == JV_OBJ) {
		l = r = JV_U;
		if (ln->fast == FAST_CONST)
			l = ln->cval;
		else
			jv_obj_getc(c, item.u.o, ln->items.v[0]->str,
				    ln->items.v[0]->slen, &l);
		if (rn->fast == FAST_CONST)
			r = rn->cval;
		else
			jv_obj_getc(c, item.u.o, rn->items.v[0]->str,
				    rn->items.v[0]->slen, &r);
	} else {
		return false;
	}
	if (l.t != JV_NUM || r.t != JV_NUM ||
	    !num_binary(o->op, l.u.n, r.u.n, out))
		return false;
	bool lf = ln->fast == FAST_NAMES, rf = rn->fast == FAST_NAMES;
	unsigned deep = 2 + (lf || rf ? 2 : 1);
	c->depth += deep;
	/* the block's and the operation's guards, then fast_binop's */
	c->ticks += 2 + (unsigned)lf + (unsigned)rf + 1;
	jn_check_guard(c);
	c->depth -= deep;
	return true;
}

/*
 * $sum(@p) of a sum_shape path, the built-in not shadowed: the path's
 * depth and guards counted as jn_eval's (its steps by fast_path, then
 * step_arith's for each item), its numbers added up as they come, in the
 * order and from the 0 f_sum starts at, without the sequence. False,
 * leaving the depth as it found it, where the general path must decide
 * (an item that is no object, a field that is missing or no number).
 */
static bool sum_path(struct jn_ctx *c, const struct jn_node *p, jv input,
		     struct jn_frame *env, jv *out)
{
	if (jv_is_arr(input))
		return false;
	unsigned d = c->depth;
	c->depth++;
	jn_check_guard(c);
	jv r = input, v;
	int ns = p->items.n;
	/* fast_path's walk up to the last step, which it would leave to
	 * eval_step; sum_shape made sure of the steps, and their guards, all
	 * one level below the path, are one */
	c->depth++;
	c->ticks += (unsigned)ns - 2;
	jn_check_guard(c);
	c->depth--;
	for (int i = 0; i < ns - 1; i++) {
		const struct jn_node *st = p->items.v[i];
		if (st->type == N_VARIABLE) {
			r = eval_variable(c, st, r, env);
		} else if (r.t == JV_JOBJ) {
			json_t *j = json_object_getn(r.u.j, st->str, st->slen);
			r = j ? jv_from_json(j) : JV_U;
		} else if (r.t == JV_OBJ) {
			jv x = JV_U;
			jv_obj_getc(c, r.u.o, st->str, st->slen, &x);
			r = x;
		} else {
			goto decline; /* an array for eval_step, or undefined */
		}
		if (r.t == JV_UNDEF || r.t == JV_TUPLE)
			goto decline;
		/* one array of the input with items, handed on as it is to
		 * the last step only */
		if (jv_is_arr(r) &&
		    (i < ns - 2 || !input_arr(r) || jv_alen(r) == 0))
			goto decline;
	}
	const struct jn_node *o = p->items.v[ns - 1]->items.v[0];
	double t = 0;
	if (r.t == JV_JARR) {
		size_t m = json_array_size(r.u.j);
		for (size_t i = 0; i < m; i++) {
			json_t *it = json_array_get(r.u.j, i);
			jv item = { .t = JV_JOBJ };
			item.u.j = it;
			if (!json_is_object(it) || !step_arith(c, o, item, &v))
				goto decline;
			t += v.u.n;
		}
	} else if (r.t == JV_ARR) {
		for (uint32_t i = 0; i < r.u.a->n; i++) {
			if (!step_arith(c, o, r.u.a->v[i], &v))
				goto decline;
			t += v.u.n;
		}
	} else {
		if (!step_arith(c, o, r, &v))
			goto decline;
		t += v.u.n;
	}
	c->depth = d;
	*out = jv_num(t);
	return true;
decline:
	c->depth = d;
	return false;
}

/* step_arith out of line: eval_step's loop keeps its registers for the
 * steps that are no operation */
__attribute__((noinline)) static bool
step_arith_out(struct jn_ctx *c, const struct jn_node *o, jv item, jv *out)
{
	return step_arith(c, o, item, out);
}

/*
 * A FAST_BINOP node, its depth counted: both operands as jn_eval would
 * give them, then the operation if it cannot fail. False where eval_binary
 * must decide from the start (the operands have no side effects).
 */
static inline bool fast_binop(struct jn_ctx *c, const struct jn_node *n,
			      jv input, struct jn_frame *env, jv *out)
{
	jv l, r;
	if (n->op == OP_IN)
		return fast_in(c, n, input, env, out);
	const struct jn_node *ln = n->lhs, *rn = n->rhs;
	if (input.t == JV_JOBJ && leaf_operand(ln) && leaf_operand(rn)) {
		/* field op literal, the common predicate, or field op field:
		 * fast_operand's guards (at +1, +2 for a field, +1 for a
		 * literal) in one at the deepest, each tick counted */
		bool lf = ln->fast == FAST_NAMES, rf = rn->fast == FAST_NAMES;
		unsigned deep = lf || rf ? 2 : 1;
		c->depth += deep;
		/* one tick per guard, the last in jn_check_guard */
		c->ticks += (unsigned)lf + (unsigned)rf + 1;
		jn_check_guard(c);
		c->depth -= deep;
		l = leaf_value(ln, input.u.j);
		r = leaf_value(rn, input.u.j);
	} else if (!fast_operand(c, n->lhs, input, env, &l) ||
		   !fast_operand(c, n->rhs, input, env, &r)) {
		return false;
	}
	if (n->op == '&' && concat_operand(l) && concat_operand(r)) {
		*out = plain_concat(c, l, r);
		return true;
	}
	return plain_binary(n->op, l, r, out);
}

static bool fast_logic(struct jn_ctx *c, const struct jn_node *n, jv input,
		       struct jn_frame *env, jv *out);

/* jn_eval of an operand of a FAST_LOGIC node; false where it would take
 * the general path */
static bool fast_value(struct jn_ctx *c, const struct jn_node *o, jv input,
		       struct jn_frame *env, jv *out)
{
	if (o->fast != FAST_BINOP && o->fast != FAST_LOGIC)
		return fast_operand(c, o, input, env, out);
	c->depth++;
	jn_check_guard(c);
	bool ok = o->fast == FAST_BINOP ? fast_binop(c, o, input, env, out)
					: fast_logic(c, o, input, env, out);
	c->depth--;
	return ok;
}

/*
 * A FAST_LOGIC node, its depth counted: eval_binary's and/or of operands
 * that give their values without fail. False where eval_binary must decide
 * from the start (the operands have no side effects).
 */
static bool fast_logic(struct jn_ctx *c, const struct jn_node *n, jv input,
		       struct jn_frame *env, jv *out)
{
	jv l, r;
	if (!fast_value(c, n->lhs, input, env, &l))
		return false;
	bool lb = truthy(l);
	if (n->op == OP_AND ? !lb : lb) {
		*out = jv_bool(lb);
		return true;
	}
	/* as eval_binary, for a U1001 raised on the way */
	struct jn_annot an;
	annot_push(c, &an, A_BINARY, n->pos, n->op == OP_AND ? "and" : "or");
	bool ok = fast_value(c, n->rhs, input, env, &r);
	c->annot = an.prev;
	if (ok)
		*out = jv_bool(truthy(r));
	return ok;
}

/*
 * jn_eval of a FAST_LOGIC or FAST_BINOP node (a predicate, per item),
 * without its tests for the other short cuts.
 */
__attribute__((always_inline)) static inline jv
eval_condition(struct jn_ctx *c, const struct jn_node *n, jv input,
	       struct jn_frame *env)
{
	c->depth++;
	jn_check_guard(c);
	unsigned d = c->depth;
	jv out;
	if (n->fast == FAST_BINOP ? fast_binop(c, n, input, env, &out)
				  : fast_logic(c, n, input, env, &out)) {
		c->depth--;
		return out;
	}
	c->depth = d;
	return eval_node(c, n, input, env);
}

static jv eval_fast(struct jn_ctx *c, const struct jn_node *n, jv input,
		    struct jn_frame *env);

/*
 * jn_eval of a value: a literal or a $variable (an object's value, a
 * call's argument) without its dispatch, the rest through it.
 */
static jv eval_binop(struct jn_ctx *c, const struct jn_node *n, jv input,
		     struct jn_frame *env);
static inline jv eval_operand(struct jn_ctx *c, const struct jn_node *n,
			      jv input, struct jn_frame *env)
{
	jv out;
	if ((n->fast == FAST_CONST || n->fast == FAST_VAR) &&
	    fast_operand(c, n, input, env, &out))
		return out;
	if (n->fast == FAST_BINOP)
		return eval_binop(c, n, input, env);
	return jn_eval(c, n, input, env);
}

/* what eval_node makes of a sequence a node without a group ends on */
static inline jv seq_result(const struct jn_node *n, jv r)
{
	if (r.t == JV_ARR && r.u.a->seq && !r.u.a->tstream) {
		if (n->keep_array)
			r.u.a->keep = true;
		if (r.u.a->n == 0)
			r = JV_U;
		else if (r.u.a->n == 1 && !r.u.a->keep)
			r = r.u.a->v[0];
	}
	return r;
}

/*
 * jn_eval of an item of a block: $x := $f(...), the usual one, binds the
 * call's value without going through eval_node twice, each node's depth
 * and guard as jn_eval's.
 */
static jv eval_item(struct jn_ctx *c, const struct jn_node *n, jv input,
		    struct jn_frame *env)
{
	const struct jn_node *fn = n->rhs;
	if (n->type != N_BIND || n->has_predicate || n->group ||
	    fn->type != N_FUNCTION || fn->has_predicate || fn->group)
		return jn_eval(c, n, input, env);
	/* the two guards in one, at the deeper */
	c->depth += 2;
	c->ticks++;
	jn_check_guard(c);
	jv r = seq_result(fn, eval_function(c, fn, input, env, NULL));
	c->depth--;
	jn_bind(c, env, n->lhs->str, r);
	r = seq_result(n, r);
	c->depth--;
	return r;
}

jv jn_eval(struct jn_ctx *c, const struct jn_node *n, jv input,
	   struct jn_frame *env)
{
	c->depth++;
	jn_check_guard(c);
	/* a node without a short cut saves no registers on the way */
	if (n->fast == FAST_NONE)
		return eval_node(c, n, input, env);
	return eval_fast(c, n, input, env);
}

/* jn_eval of a FAST_BINOP node, as eval_fast takes it */
__attribute__((noinline)) static jv eval_binop(struct jn_ctx *c,
					       const struct jn_node *n,
					       jv input, struct jn_frame *env)
{
	c->depth++;
	jn_check_guard(c);
	unsigned d = c->depth;
	jv out;
	if (fast_binop(c, n, input, env, &out)) {
		c->depth--;
		return out;
	}
	c->depth = d;
	return eval_node(c, n, input, env);
}

/* jn_eval past its guard, of a node with a short cut */
__attribute__((noinline)) static jv eval_fast(struct jn_ctx *c,
					      const struct jn_node *n, jv input,
					      struct jn_frame *env)
{
	if (n->fast == FAST_CONST) {
		c->depth--;
		return n->cval;
	}
	if (n->fast == FAST_BLOCK) {
		/* eval_node would add no frame and leave the value as the
		 * expression's own evaluation left it */
		jv r = jn_eval(c, n->items.v[0], input, env);
		c->depth--;
		return r;
	}
	if (n->fast == FAST_VAR) {
		jv r = var_value(c, n, input, env);
		if (!jv_is_seq(r)) {
			c->depth--;
			return r;
		}
	}
	if (n->fast == FAST_NAMES && input.t == JV_JOBJ && n->items.n == 1 &&
	    n->items.v[0]->type == N_NAME) {
		/* names_path of one field of a jansson object */
		const struct jn_node *st = n->items.v[0];
		c->depth++;
		jn_check_guard(c);
		json_t *j = json_object_getn(input.u.j, st->str, st->slen);
		c->depth -= 2;
		return j ? jv_from_json(j) : JV_U;
	}
	if (n->fast == FAST_NAMES || n->fast == FAST_BINOP ||
	    n->fast == FAST_LOGIC) {
		/* Short cuts that may decline: the general path then starts
		 * over, at the depth they found. */
		jv out;
		unsigned d = c->depth;
		bool ok;
		if (n->fast == FAST_BINOP)
			ok = fast_binop(c, n, input, env, &out);
		else if (n->fast == FAST_LOGIC)
			ok = fast_logic(c, n, input, env, &out);
		else
			ok = !jv_is_arr(input) &&
			     names_path(c, n, input, env, &out);
		if (ok) {
			c->depth--;
			return out;
		}
		c->depth = d;
	}
	return eval_node(c, n, input, env);
}

/* jn_eval past its guard: the depth is counted already */
__attribute__((noinline)) static jv eval_node(struct jn_ctx *c,
					      const struct jn_node *n, jv input,
					      struct jn_frame *env)
{
	jv r = JV_U;
	switch (n->type) {
	case N_PATH:
		r = eval_path(c, n, input, env);
		break;
	case N_BINARY:
		r = eval_binary(c, n, input, env);
		break;
	case N_UNARY:
		r = eval_unary(c, n, input, env);
		break;
	case N_NAME:
		r = lookup_name(c, input, n->str, n->slen);
		break;
	case N_STRING:
		r = jv_str(n->str, n->slen);
		break;
	case N_NUMBER:
		r = jv_num(n->num);
		break;
	case N_VALUE:
		if (n->vkind == JV_NULL)
			r = jv_null();
		else
			r = jv_bool(n->num != 0);
		break;
	case N_WILDCARD:
		r = eval_wildcard(c, input);
		break;
	case N_DESCENDANT:
		r = eval_descendants(c, input);
		break;
	case N_PARENT:
		jn_lookup(c, env, n->slot->label, &r);
		break;
	case N_CONDITION: {
		jv cond = jn_eval(c, n->cond, input, env);
		if (cond.t != JV_UNDEF && jv_boolean(cond))
			r = jn_eval(c, n->then, input, env);
		else if (n->els)
			r = jn_eval(c, n->els, input, env);
		break;
	}
	case N_BLOCK: {
		/* a frame nothing can bind in would stay empty */
		struct jn_frame *f =
			n->analysed && !n->effects ? env : jn_frame_new(c, env);
		for (int i = 0; i < n->items.n; i++)
			r = eval_item(c, n->items.v[i], input, f);
		break;
	}
	case N_BIND:
		r = jn_eval(c, n->rhs, input, env);
		jn_bind(c, env, n->lhs->str, r);
		break;
	case N_REGEX: {
		struct jv_fn *f = jn_zalloc(c->a, sizeof(*f));
		f->kind = FN_REGEX;
		f->re = n->re;
		r.t = JV_FUNC;
		r.u.f = f;
		break;
	}
	case N_FUNCTION:
		r = eval_function(c, n, input, env, NULL);
		break;
	case N_VARIABLE:
		r = eval_variable(c, n, input, env);
		break;
	case N_LAMBDA:
		r = eval_lambda(c, n, input, env);
		break;
	case N_PARTIAL:
		r = eval_partial(c, n, input, env);
		break;
	case N_APPLY:
		r = eval_apply(c, n, input, env);
		break;
	case N_TRANSFORM: {
		struct jv_fn *f = jn_zalloc(c->a, sizeof(*f));
		static struct jn_sig tsig;
		f->kind = FN_TRANSFORM;
		f->node = n;
		f->env = env;
		f->sig = jn_transform_sig();
		(void)tsig;
		r.t = JV_FUNC;
		r.u.f = f;
		break;
	}
	default:
		break;
	}
	if (n->has_predicate)
		for (int i = 0; i < n->predicate.n; i++)
			r = eval_filter(c, n->predicate.v[i].expr, r, env);
	if (n->type != N_PATH && n->group)
		r = eval_group(c, n->group, n->group_pos, r, env);
	r = seq_result(n, r);
	c->depth--;
	return r;
}

/* ---- transform ---- */

static jv deep_clone(struct jn_ctx *c, jv v)
{
	switch (v.t) {
	case JV_NUM:
		if (isfinite(v.u.n) && v.u.n != floor(v.u.n)) {
			char tmp[40];
			snprintf(tmp, sizeof(tmp), "%.14e", v.u.n);
			return jv_num(strtod(tmp, NULL));
		}
		return v;
	case JV_FUNC:
		return jv_str("", 0);
	case JV_ARR:
	case JV_JARR: {
		uint32_t n = jv_alen(v);
		if (v.t == JV_ARR && v.u.a->outer && n)
			return deep_clone(c, v.u.a->v[0]);
		jv r = jv_arrv(c, n);
		for (uint32_t i = 0; i < n; i++) {
			jv e = jv_aget(v, i);
			r.u.a->v[r.u.a->n++] =
				e.t == JV_UNDEF ? jv_null() : deep_clone(c, e);
		}
		return r;
	}
	case JV_OBJ:
	case JV_JOBJ: {
		struct jv_obj *o = jv_obj_new(c, (uint32_t)jv_obj_size(v));
		const char *k;
		size_t kl;
		jv e;
		OBJ_FOREACH(v, it, k, kl, e)
		{
			if (e.t == JV_UNDEF)
				continue;
			jv_obj_set(c, o, k, (uint32_t)kl, deep_clone(c, e));
		}
		return jv_objv(o);
	}
	default:
		return v;
	}
}

jv jn_clone(struct jn_ctx *c, jv v)
{
	if (v.t == JV_NUM && !isfinite(v.u.n))
		jn_failv(c, "D1001", v);
	return deep_clone(c, v);
}

/* @v's array or object when it is the evaluation's own (jansson values
 * and prepared ones can hold none of those), else NULL */
static const void *own_container(jv v)
{
	if (v.t == JV_OBJ && !v.u.o->src)
		return v.u.o;
	if (v.t == JV_ARR && !v.u.a->src)
		return v.u.a;
	return NULL;
}

/* Adds @p to the set @t of @cap slots (a power of two, never more than half
 * full); false if it was there. */
static bool seen_add(const void **t, uint32_t cap, const void *p)
{
	uint64_t h = (uint64_t)((uintptr_t)p >> 4) * 0x9e3779b97f4a7c15u;
	uint32_t i = (uint32_t)(h >> 40) & (cap - 1);
	while (t[i] && t[i] != p)
		i = (i + 1) & (cap - 1);
	if (t[i])
		return false;
	t[i] = p;
	return true;
}

/*
 * Whether the members of @v, the update of a transform, hold the object @o
 * it updates, through arrays and objects of the evaluation's own: a walk
 * with a stack and a set of the containers seen (values may share parts
 * many times over), in the arena, only when a member is such a container.
 */
static bool holds(struct jn_ctx *c, jv v, const struct jv_obj *o)
{
	const char *k;
	size_t kl;
	jv e;
	uint32_t n = 0, cap = 0, seen = 0, scap = 64;
	jv *stack = NULL;
	OBJ_FOREACH(v, it, k, kl, e)
	{
		/* the members: an update that is @o itself changes nothing */
		if (!own_container(e))
			continue; /* the common update: scalars, the input's */
		if (n == cap) {
			uint32_t nc = cap ? cap * 2 : 16;
			jv *ns = jn_alloc(c->a, sizeof(*ns) * nc);
			if (n)
				memcpy(ns, stack, sizeof(*ns) * n);
			stack = ns;
			cap = nc;
		}
		stack[n++] = e;
	}
	if (!n)
		return false;
	const void **set = jn_zalloc(c->a, sizeof(*set) * scap);
	while (n) {
		jv x = stack[--n];
		const void *p = own_container(x);
		if (!p)
			continue;
		if (p == o)
			return true;
		if (!seen_add(set, scap, p))
			continue;
		if (++seen * 2 > scap) {
			const void **old = set;
			uint32_t oc = scap;
			scap *= 2;
			set = jn_zalloc(c->a, sizeof(*set) * scap);
			for (uint32_t i = 0; i < oc; i++)
				if (old[i])
					seen_add(set, scap, old[i]);
		}
		uint32_t m = x.t == JV_OBJ ? x.u.o->n : x.u.a->n;
		if (n + m > cap) {
			uint32_t nc = (n + m) * 2;
			jv *ns = jn_alloc(c->a, sizeof(*ns) * nc);
			memcpy(ns, stack, sizeof(*ns) * n);
			stack = ns;
			cap = nc;
		}
		for (uint32_t i = 0; i < m; i++) {
			if (x.t == JV_ARR)
				stack[n++] = x.u.a->v[i];
			else if (!x.u.o->e[i].dead)
				stack[n++] = x.u.o->e[i].v;
		}
	}
	return false;
}

jv jn_transform_call(struct jn_ctx *c, const struct jv_fn *f, jv obj)
{
	const struct jn_node *n = f->node;
	struct jn_frame *env = f->env;
	if (obj.t == JV_UNDEF)
		return obj;
	jv clonef;
	if (!jn_lookup(c, env, "clone", &clonef) || clonef.t != JV_FUNC)
		fail_at(c, "T2013", n->pos, NULL);
	jv a[1] = { obj };
	jv result = jn_apply(c, clonef, a, 1, JV_U, env);
	jv matches = jn_eval(c, n->pattern, result, env);
	if (matches.t != JV_UNDEF) {
		if (!jv_is_arr(matches))
			matches = jv_seq1(c, matches);
		uint32_t m = jv_alen(matches);
		for (uint32_t i = 0; i < m; i++) {
			jv match = jv_aget(matches, i);
			jv update = jn_eval(c, n->update, match, env);
			if (update.t != JV_UNDEF) {
				if (!jv_is_obj(update))
					fail_atv(c, "T2011", n->update->pos,
						 update);
				/* a $clone of the caller's may hand back
				 * the input itself: that is not changed */
				if (match.t == JV_OBJ && !match.u.o->src) {
					const char *k;
					size_t kl;
					jv e;
					/* no JSON holds a value that holds
					 * itself */
					if (holds(c, update, match.u.o)) {
						memset(&c->err, 0,
						       sizeof(c->err));
						c->err.code =
							SFN_JSONATA_SELF_VALUE;
						c->err.pos = n->update->pos;
						c->err.has_pos = true;
						c->err.message =
							"The update clause of "
							"the transform "
							"expression would put "
							"the object it updates "
							"inside itself";
						jn_throw(c);
					}
					OBJ_FOREACH(update, it, k, kl, e)
					{
						jv_obj_set(c, match.u.o, k,
							   (uint32_t)kl, e);
					}
				}
			}
			if (n->del) {
				jv dels = jn_eval(c, n->del, match, env);
				if (dels.t != JV_UNDEF) {
					jv val = dels;
					if (!jv_is_arr(dels))
						dels = jv_seq1(c, dels);
					uint32_t dn = jv_alen(dels);
					for (uint32_t x = 0; x < dn; x++)
						if (jv_aget(dels, x).t !=
						    JV_STR)
							fail_atv(c, "T2012",
								 n->del->pos,
								 val);
					if (match.t == JV_OBJ &&
					    !match.u.o->src)
						for (uint32_t x = 0; x < dn;
						     x++) {
							jv k = jv_aget(dels, x);
							jv_obj_del(match.u.o,
								   k.u.s,
								   k.len);
						}
				}
			}
		}
	}
	return result;
}

/* ---- the public API ---- */

static const char *const messages[][2] = {
	{ "S0101", "String literal must be terminated by a matching quote" },
	{ "S0102", "Number out of range: {{token}}" },
	{ "S0103", "Unsupported escape sequence: \\{{token}}" },
	{ "S0104", "The escape sequence \\u must be followed by 4 hex digits" },
	{ "S0105",
	  "Quoted property name must be terminated with a backquote (`)" },
	{ "S0106", "Comment has no closing tag" },
	{ "S0201", "Syntax error: {{token}}" },
	/* Only the parser raises U1001 through this table (the evaluator
	 * words its own): the expression nests deeper than the stack. */
	{ "U1001", "Stack overflow error: the expression is nested too "
		   "deeply to parse" },
	{ "S0202", "Expected {{value}}, got {{token}}" },
	{ "S0203", "Expected {{value}} before end of expression" },
	{ "S0204", "Unknown operator: {{token}}" },
	{ "S0205", "Unexpected token: {{token}}" },
	{ "S0206", "Unknown expression type: {{token}}" },
	{ "S0207", "Unexpected end of expression" },
	{ "S0208", "Parameter {{value}} of function definition must be a "
		   "variable name (start with $)" },
	{ "S0209",
	  "A predicate cannot follow a grouping expression in a step" },
	{ "S0210", "Each step can only have one grouping expression" },
	{ "S0211", "The symbol {{token}} cannot be used as a unary operator" },
	{ "S0212",
	  "The left side of := must be a variable name (start with $)" },
	{ "S0213", "The literal value {{value}} cannot be used as a step "
		   "within a path expression" },
	{ "S0214", "The right side of {{token}} must be a variable name (start "
		   "with $)" },
	{ "S0215",
	  "A context variable binding must precede any predicates on a step" },
	{ "S0216", "A context variable binding must precede the 'order-by' "
		   "clause on a step" },
	{ "S0217", "The object representing the 'parent' cannot be derived "
		   "from this expression" },
	{ "S0301", "Empty regular expressions are not allowed" },
	{ "S0302", "No terminating / in regular expression" },
	{ "S0402",
	  "Choice groups containing parameterized types are not supported" },
	{ "S0401",
	  "Type parameters can only be applied to functions and arrays" },
	{ "S0500",
	  "Attempted to evaluate an expression containing syntax error(s)" },
	{ "T0410", "Argument {{index}} of function {{token}} does not match "
		   "function signature" },
	{ "T0411", "Context value is not a compatible type with argument "
		   "{{index}} of function {{token}}" },
	{ "T0412", "Argument {{index}} of function {{token}} must be an array "
		   "of {{type}}" },
	{ "D1001", "Number out of range: {{value}}" },
	{ "D1002", "Cannot negate a non-numeric value: {{value}}" },
	{ "T1003",
	  "Key in object structure must evaluate to a string; got: {{value}}" },
	{ "D1004", "Regular expression matches zero length string" },
	{ "T1005",
	  "Attempted to invoke a non-function. Did you mean ${{{token}}}?" },
	{ "T1006", "Attempted to invoke a non-function" },
	{ "T1007", "Attempted to partially apply a non-function. Did you mean "
		   "${{{token}}}?" },
	{ "T1008", "Attempted to partially apply a non-function" },
	{ "D1009", "Multiple key definitions evaluate to same key: {{value}}" },
	{ "T1010", "The matcher function argument passed to function {{token}} "
		   "does not return the correct object structure" },
	{ "D1011", "Stack overflow. Check for non-terminating recursive "
		   "function.  Consider rewriting as tail-recursive" },
	{ "D1012", "Evaluation timeout after {{value}} milliseconds. Check for "
		   "infinite loop" },
	{ "D1013", "Object property names starting with _jsonata_ are reserved "
		   "for internal use: {{value}}" },
	{ "T2001",
	  "The left side of the {{token}} operator must evaluate to a number" },
	{ "T2002", "The right side of the {{token}} operator must evaluate to "
		   "a number" },
	{ "T2003", "The left side of the range operator (..) must evaluate to "
		   "an integer" },
	{ "T2004", "The right side of the range operator (..) must evaluate to "
		   "an integer" },
	{ "T2006", "The right side of the function application operator ~> "
		   "must be a function" },
	{ "T2007", "Type mismatch when comparing values {{value}} and "
		   "{{value2}} in order-by clause" },
	{ "T2008", "The expressions within an order-by clause must evaluate to "
		   "numeric or string values" },
	{ "T2009", "The values {{value}} and {{value2}} either side of "
		   "operator {{token}} must be of the same data type" },
	{ "T2010", "The expressions either side of operator {{token}} must "
		   "evaluate to numeric or string values" },
	{ "T2011", "The insert/update clause of the transform expression must "
		   "evaluate to an object: {{value}}" },
	{ "T2012", "The delete clause of the transform expression must "
		   "evaluate to a string or array of strings: {{value}}" },
	{ "T2013", "The transform expression clones the input object using the "
		   "$clone() function.  This has been overridden in the "
		   "current scope by a non-function." },
	{ "D2014",
	  "The size of the sequence allocated by the range operator (..) must "
	  "not exceed 1e7.  Attempted to allocate {{value}}." },
	{ "D3001", "Attempting to invoke string function on Infinity or NaN" },
	{ "D3010",
	  "Second argument of replace function cannot be an empty string" },
	{ "D3011", "Fourth argument of replace function must evaluate to a "
		   "positive number" },
	{ "D3012",
	  "Attempted to replace a matched string with a non-string value" },
	{ "D3020", "Third argument of split function must evaluate to a "
		   "positive number" },
	{ "D3030", "Unable to cast value to a number: {{value}}" },
	{ "D3040", "Third argument of match function must evaluate to a "
		   "positive number" },
	{ "D3050", "The second argument of reduce function must be a function "
		   "with at least two arguments" },
	{ "D3060", "The sqrt function cannot be applied to a negative number: "
		   "{{value}}" },
	{ "D3061",
	  "The power function has resulted in a value that cannot be "
	  "represented as a JSON number: base={{value}}, exponent={{exp}}" },
	{ "D3070", "The single argument form of the sort function can only be "
		   "applied to an array of strings or an array of numbers.  "
		   "Use the second argument to specify a comparison function" },
	{ "D3080", "The picture string must only contain a maximum of two "
		   "sub-pictures" },
	{ "D3081", "The sub-picture must not contain more than one instance of "
		   "the 'decimal-separator' character" },
	{ "D3082", "The sub-picture must not contain more than one instance of "
		   "the 'percent' character" },
	{ "D3083", "The sub-picture must not contain more than one instance of "
		   "the 'per-mille' character" },
	{ "D3084", "The sub-picture must not contain both a 'percent' and a "
		   "'per-mille' character" },
	{ "D3085", "The mantissa part of a sub-picture must contain at least "
		   "one character that is either an 'optional digit character' "
		   "or a member of the 'decimal digit family'" },
	{ "D3086", "The sub-picture must not contain a passive character that "
		   "is preceded by an active character and that is followed by "
		   "another active character" },
	{ "D3087",
	  "The sub-picture must not contain a 'grouping-separator' character "
	  "that appears adjacent to a 'decimal-separator' character" },
	{ "D3088", "The sub-picture must not contain a 'grouping-separator' at "
		   "the end of the integer part" },
	{ "D3089", "The sub-picture must not contain two adjacent instances of "
		   "the 'grouping-separator' character" },
	{ "D3090", "The integer part of the sub-picture must not contain a "
		   "member of the 'decimal digit family' that is followed by "
		   "an instance of the 'optional digit character'" },
	{ "D3091", "The fractional part of the sub-picture must not contain an "
		   "instance of the 'optional digit character' that is "
		   "followed by a member of the 'decimal digit family'" },
	{ "D3092",
	  "A sub-picture that contains a 'percent' or 'per-mille' character "
	  "must not contain a character treated as an 'exponent-separator'" },
	{ "D3093",
	  "The exponent part of the sub-picture must comprise only of one or "
	  "more characters that are members of the 'decimal digit family'" },
	{ "D3100", "The radix of the formatBase function must be between 2 and "
		   "36.  It was given {{value}}" },
	{ "D3110", "The argument of the toMillis function must be an ISO 8601 "
		   "formatted timestamp. Given {{value}}" },
	{ "D3120",
	  "Syntax error in expression passed to function eval: {{value}}" },
	{ "D3121", "Dynamic error evaluating the expression passed to function "
		   "eval: {{value}}" },
	{ "D3130", "Formatting or parsing an integer as a sequence starting "
		   "with {{value}} is not supported by this implementation" },
	{ "D3131", "In a decimal digit pattern, all digits must be from the "
		   "same decimal group" },
	{ "D3132",
	  "Unknown component specifier {{value}} in date/time picture string" },
	{ "D3133", "The 'name' modifier can only be applied to months and days "
		   "in the date/time picture string, not {{value}}" },
	{ "D3134", "The timezone integer format specifier cannot have more "
		   "than four digits" },
	{ "D3135",
	  "No matching closing bracket ']' in date/time picture string" },
	{ "D3136", "The date/time picture string is missing specifiers "
		   "required to parse the timestamp" },
	{ "D3137", "{{{message}}}" },
	{ "D3138", "The $single() function expected exactly 1 matching result. "
		   " Instead it matched more." },
	{ "D3139", "The $single() function expected exactly 1 matching result. "
		   " Instead it matched 0." },
	{ "D3140", "Malformed URL passed to ${{{functionName}}}(): {{value}}" },
	{ "D3141", "{{{message}}}" },
	{ "D3150", "{{{message}}}" },
};

static const char *template_of(const char *code)
{
	for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
		if (!strcmp(messages[i][0], code))
			return messages[i][1];
	return NULL;
}

struct msgvals {
	const char *token, *value, *value2, *type, *message, *fname;
	int index;
	double exp;
	bool has_index, has_exp;
};

static void json_str_of(struct sfn_strbuf *sb, const char *s)
{
	sfn_json_quote(sb, s, strlen(s), 0);
}

static char *populate(const char *code, const struct msgvals *mv)
{
	const char *t = template_of(code);
	if (!t)
		return sfn_xstrdup(mv->message ? mv->message : code);
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	while (*t) {
		bool triple = !strncmp(t, "{{{", 3);
		if (triple || !strncmp(t, "{{", 2)) {
			const char *s = t + (triple ? 3 : 2);
			const char *e = strstr(s, triple ? "}}}" : "}}");
			if (!e)
				break;
			size_t kl = (size_t)(e - s);
			char key[32];
			snprintf(key, sizeof(key), "%.*s", (int)kl, s);
			const char *raw = NULL;	 /* strings */
			const char *json = NULL; /* already JSON */
			char nb[SFN_NUMBUF];
			bool undef = false;
			if (!strcmp(key, "token"))
				raw = mv->token, undef = !mv->token;
			else if (!strcmp(key, "value"))
				json = mv->value, undef = !mv->value;
			else if (!strcmp(key, "value2"))
				json = mv->value2, undef = !mv->value2;
			else if (!strcmp(key, "type"))
				raw = mv->type, undef = !mv->type;
			else if (!strcmp(key, "message"))
				raw = mv->message, undef = !mv->message;
			else if (!strcmp(key, "functionName"))
				raw = mv->fname, undef = !mv->fname;
			else if (!strcmp(key, "index")) {
				if (mv->has_index) {
					sfn_fmt_double(nb, mv->index);
					json = nb;
				} else
					undef = true;
			} else if (!strcmp(key, "exp")) {
				if (mv->has_exp) {
					sfn_fmt_double(nb, mv->exp);
					json = nb;
				} else
					undef = true;
			}
			if (triple) {
				if (undef)
					sfn_strbuf_adds(&sb, "undefined");
				else if (raw)
					sfn_strbuf_adds(&sb, raw);
				else if (json)
					sfn_strbuf_adds(&sb, json);
			} else {
				if (undef)
					sfn_strbuf_adds(&sb, "undefined");
				else if (raw)
					json_str_of(&sb, raw);
				else if (json)
					sfn_strbuf_adds(&sb, json);
			}
			t = e + (triple ? 3 : 2);
			continue;
		}
		sfn_strbuf_addch(&sb, *t++);
	}
	return sfn_strbuf_detach(&sb, NULL);
}

static char *value_json(jv v)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	if (v.t == JV_UNDEF)
		return NULL;
	jv_stringify(NULL, &sb, v, false, false);
	return sfn_strbuf_detach(&sb, NULL);
}

void sfn_jsonata_error_release(struct sfn_jsonata_error *err)
{
	if (!err)
		return;
	free(err->message);
	free(err->token);
	free(err->value);
	memset(err, 0, sizeof(*err));
}

static void set_code(struct sfn_jsonata_error *err, const char *code)
{
	snprintf(err->code, sizeof(err->code), "%s", code);
}

/* ---- memo of $v.name ---- */

/*
 * Calls @visit on each node evaluating @n may evaluate: its operands,
 * items, pairs, group, stages, predicates and sort terms (NULL where it has
 * none); not a lambda's parameters, which are names it binds, not
 * expressions.
 */
static void each_child(const struct jn_node *n,
		       void (*visit)(struct jn_node *, void *), void *ud)
{
	struct jn_node *kids[] = { n->lhs,  n->rhs,	  n->expr,    n->cond,
				   n->then, n->els,	  n->pattern, n->update,
				   n->del,  n->procedure, n->body };
	for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++)
		visit(kids[i], ud);
	if (n->type != N_LAMBDA)
		for (int i = 0; i < n->items.n; i++)
			visit(n->items.v[i], ud);
	for (int i = 0; i < n->pairs.n; i++) {
		visit(n->pairs.v[i].k, ud);
		visit(n->pairs.v[i].v, ud);
	}
	for (int i = 0; n->group && i < n->group->n; i++) {
		visit(n->group->v[i].k, ud);
		visit(n->group->v[i].v, ud);
	}
	for (int i = 0; i < n->stages.n; i++)
		visit(n->stages.v[i].expr, ud);
	for (int i = 0; i < n->predicate.n; i++)
		visit(n->predicate.v[i].expr, ud);
	for (int i = 0; i < n->nterms; i++)
		visit(n->terms[i].expr, ud);
}

/*
 * Paths that start alike, $states.input.order.total and
 * $states.input.customer.lastName, look $states.input up once per
 * evaluation when nothing in the expression binds $states: no :=,
 * parameter, @ or # of that name, and no $eval, which could bind any. Its
 * value is then the binding's (or the built-in's) wherever it is read, and
 * what it holds does not change while the expression is evaluated.
 */
struct memoscan {
	const char **bound;
	size_t nbound, capb;
	struct jn_node **paths;
	size_t npaths, capp;
	struct jn_node **bis; /* $name nodes of a built-in's name */
	size_t nbis, capbi;
	bool eval;
};

static void bound_push(struct memoscan *ms, const char *name)
{
	if (!name)
		return;
	if (ms->nbound == ms->capb) {
		ms->capb = ms->capb ? ms->capb * 2 : 8;
		ms->bound =
			sfn_xrealloc(ms->bound, ms->capb * sizeof(*ms->bound));
	}
	ms->bound[ms->nbound++] = name;
}

static void memo_walk(struct jn_node *n, struct memoscan *ms);

static void memo_kid(struct jn_node *n, void *ms)
{
	memo_walk(n, ms);
}

static void memo_walk(struct jn_node *n, struct memoscan *ms)
{
	if (!n)
		return;
	if (n->type == N_VARIABLE && n->str && !strcmp(n->str, "eval"))
		ms->eval = true;
	if (n->type == N_VARIABLE && n->bi) {
		if (ms->nbis == ms->capbi) {
			ms->capbi = ms->capbi ? ms->capbi * 2 : 8;
			ms->bis = sfn_xrealloc(ms->bis,
					       ms->capbi * sizeof(*ms->bis));
		}
		ms->bis[ms->nbis++] = n;
	}
	if (n->type == N_BIND && n->lhs)
		bound_push(ms, n->lhs->str);
	if (n->type == N_LAMBDA)
		for (int i = 0; i < n->items.n; i++)
			bound_push(ms, n->items.v[i]->str);
	bound_push(ms, n->focus);
	bound_push(ms, n->index);
	for (int i = 0; i < n->stages.n; i++)
		bound_push(ms, n->stages.v[i].name);
	if (n->type == N_PATH && n->fast == FAST_NAMES && n->items.n >= 2 &&
	    n->items.v[0]->type == N_VARIABLE && n->items.v[0]->slen &&
	    strcmp(n->items.v[0]->str, "$") && n->items.v[1]->type == N_NAME) {
		if (ms->npaths == ms->capp) {
			ms->capp = ms->capp ? ms->capp * 2 : 8;
			ms->paths = sfn_xrealloc(ms->paths,
						 ms->capp * sizeof(*ms->paths));
		}
		ms->paths[ms->npaths++] = n;
	}
	each_child(n, memo_kid, ms);
}

/* $v.name of two paths alike */
static bool memo_same(const struct jn_node *a, const struct jn_node *b)
{
	const struct jn_node *av = a->items.v[0], *bv = b->items.v[0];
	const struct jn_node *an = a->items.v[1], *bn = b->items.v[1];
	return !strcmp(av->str, bv->str) && an->slen == bn->slen &&
	       !memcmp(an->str, bn->str, an->slen);
}

/*
 * Marks each $name of a built-in that nothing in the expression binds
 * (bi_free), and lists their names: eval_root then checks once that no
 * binding of the caller's hides them, and eval_variable goes straight to
 * the built-in instead of walking every frame to the root.
 */
static void bi_slots(struct sfn_jsonata *e, const struct memoscan *ms)
{
	if (ms->eval || !ms->nbis)
		return;
	e->bnames = jn_alloc(&e->arena, sizeof(char *) * ms->nbis);
	for (size_t i = 0; i < ms->nbis; i++) {
		struct jn_node *v = ms->bis[i];
		bool bound = false;
		for (size_t b = 0; b < ms->nbound && !bound; b++)
			bound = !strcmp(ms->bound[b], v->str);
		if (bound)
			continue;
		v->bi_free = true;
		bool listed = false;
		for (uint32_t k = 0; k < e->nbnames && !listed; k++)
			listed = !strcmp(e->bnames[k], v->str);
		if (!listed)
			e->bnames[e->nbnames++] = v->str;
	}
}

/* Gives a memo slot to each $v.name that two paths or more start with. */
static void memo_slots(struct sfn_jsonata *e)
{
	struct memoscan ms = { 0 };
	memo_walk(e->root, &ms);
	bi_slots(e, &ms);
	for (size_t i = 0; !ms.eval && i < ms.npaths; i++) {
		struct jn_node *p = ms.paths[i];
		if (p->memo)
			continue;
		bool bound = false;
		for (size_t b = 0; b < ms.nbound && !bound; b++)
			bound = !strcmp(ms.bound[b], p->items.v[0]->str);
		if (bound)
			continue;
		for (size_t j = i + 1; j < ms.npaths; j++)
			if (!ms.paths[j]->memo && memo_same(p, ms.paths[j])) {
				if (!p->memo)
					p->memo = ++e->nmemo;
				ms.paths[j]->memo = p->memo;
			}
	}
	free(ms.bound);
	free(ms.paths);
	free(ms.bis);
}

static bool root_objlit(const struct jn_node *n);
static bool quick_objlit(const struct jn_node *n);

struct sfn_jsonata *sfn_jsonata_compile(const char *expr, size_t len, int flags,
					struct sfn_jsonata_error *err)
{
	struct jn_cerr ce;
	memset(&ce, 0, sizeof(ce));
	jn_builtins_init();
	struct sfn_jsonata *e = jn_parse(expr, len, flags, &ce);
	if (e) {
		jn_analyse(e->root, e->flags);
		memo_slots(e);
		e->objlit = root_objlit(e->root);
		e->quick = e->root->fast == FAST_NAMES ? 1
			   : quick_objlit(e->root)     ? 2
						       : 0;
	}
	if (!e && err) {
		memset(err, 0, sizeof(*err));
		set_code(err, ce.code ? ce.code : "S0201");
		struct msgvals mv = { 0 };
		char vq[80];
		mv.token = ce.has_token ? ce.token : NULL;
		if (ce.has_value) {
			/* S0202/S0203 values are strings; S0208 index a number
			 */
			bool num = !strcmp(err->code, "S0208") ||
				   !strcmp(err->code, "S0213");
			if (num) {
				snprintf(vq, sizeof(vq), "%s", ce.value);
			} else {
				struct sfn_strbuf sb = SFN_STRBUF_INIT;
				json_str_of(&sb, ce.value);
				snprintf(vq, sizeof(vq), "%s", sb.buf);
				sfn_strbuf_release(&sb);
			}
			mv.value = vq;
		}
		err->message = populate(err->code, &mv);
		err->token = ce.has_token ? sfn_xstrdup(ce.token) : NULL;
		err->value = ce.has_value ? sfn_xstrdup(mv.value) : NULL;
		err->position = ce.pos;
	}
	return e;
}

void sfn_jsonata_free(struct sfn_jsonata *e)
{
	if (!e)
		return;
	jn_regex_free_all(e->regexes);
	jn_arena_release(&e->arena);
	free(e);
}

#define STACK_MARGIN (256u << 10)

/* the low end of this thread's stack, looked up once per thread (for the
 * main thread glibc reads /proc/self/maps); NULL if unknown */
static const char *stack_low(void)
{
	static _Thread_local const char *low;
	static _Thread_local bool known;
	if (!known) {
		pthread_attr_t attr;
		known = true;
		if (pthread_getattr_np(pthread_self(), &attr) == 0) {
			void *addr;
			size_t size;
			if (pthread_attr_getstack(&attr, &addr, &size) == 0)
				low = addr;
			pthread_attr_destroy(&attr);
		}
	}
	return low;
}

/*
 * How much of this thread's stack deep recursion may use: what is left
 * below @here, less a margin for the frames of one evaluation step and of
 * the C library. Map iterations run on threads with their own stacks.
 */
size_t jn_stack_room(const char *here)
{
	const char *low = stack_low();
	if (!low || here <= low)
		return 1u << 20;
	size_t left = (size_t)(here - low), margin = STACK_MARGIN;
	return left > 2 * margin ? left - margin : left / 2;
}

/*
 * @here less jn_stack_room(@here): where recursion from @here stops. With
 * room to spare that is the low end of the stack plus the margin, the same
 * for every evaluation of the thread: kept after the first.
 */
static uintptr_t stack_floor(const char *here)
{
	static _Thread_local uintptr_t floor_; /* low + margin; 0: unknown */
	if (floor_ && (uintptr_t)here > floor_ + STACK_MARGIN)
		return floor_;
	const char *low = stack_low();
	if (low && here > low && (size_t)(here - low) > 2 * STACK_MARGIN) {
		floor_ = (uintptr_t)low + STACK_MARGIN;
		return floor_;
	}
	size_t room = jn_stack_room(here);
	return (uintptr_t)here > room ? (uintptr_t)here - room : 0;
}

double jn_now_ms(struct jn_ctx *c)
{
	if (c->now_ms == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		c->now_ms = (double)ts.tv_sec * 1000.0 +
			    (double)(ts.tv_nsec / 1000000);
	}
	return c->now_ms;
}

/* bindings of the root frame kept on the stack */
#define ROOT_BINDS 8

/*
 * Steps @i to @k - 1 of the FAST_NAMES path @n from the jansson object *@j,
 * each on the way to another: *@j where they end, NULL (undefined) from a
 * step that is no object on; false at an array, which names_path maps
 * over. The walk of root_path and quick_walk.
 */
static inline bool walk_on(const struct jn_node *n, int i, int k, json_t **j)
{
	for (; *j && i < k; i++) {
		json_t *x = json_object_getn(*j, n->items.v[i]->str,
					     n->items.v[i]->slen);
		if (json_is_array(x))
			return false;
		*j = json_is_object(x) ? x : NULL;
	}
	return true;
}

/*
 * A FAST_NAMES path as the whole expression ($states.input.order.total):
 * names_path's walk over jansson objects, giving the jansson value it ends
 * on (borrowed; NULL: undefined) so that the result can be that value
 * itself. False, having counted nothing, where names_path is to decide.
 */
__attribute__((always_inline)) static inline bool
root_path(struct jn_ctx *c, const struct jn_node *n, jv input,
	  struct jn_frame *env, json_t **out)
{
	int ns = n->items.n, i = 0;
	json_t *j;
	const struct jn_node *st = n->items.v[0];
	if (jv_is_arr(input))
		return false; /* as jn_eval */
	json_t *mx;
	if (memo_usable(c, n) && memo_first(c, n, input, env, &mx)) {
		/* the first two steps, as the loop below would end them */
		j = mx;
		i = 2;
		if (!mx || ns == 2)
			goto done;
		if (!json_is_object(mx)) {
			if (json_is_array(mx))
				return false;
			j = NULL;
			goto done;
		}
	} else if (st->type == N_VARIABLE) {
		jv v = eval_variable(c, st, input, env);
		if (v.t != JV_JOBJ)
			return false;
		j = v.u.j;
		i = 1;
	} else if (input.t == JV_JOBJ) {
		j = input.u.j;
	} else {
		return false;
	}
	if (!walk_on(n, i, ns - 1, &j))
		return false;
	if (j && i < ns)
		j = json_object_getn(j, n->items.v[ns - 1]->str,
				     n->items.v[ns - 1]->slen);
done:
	/* jn_eval's and names_path's depth and ticks, for the guard */
	c->depth += 2;
	c->ticks += (unsigned)ns;
	jn_check_guard(c);
	c->depth -= 2;
	*out = j;
	return true;
}

/*
 * The result for a jansson value the expression ended on: a new reference
 * to it, but for numbers that are JavaScript's in another form (integers
 * beyond 2^53, integral reals), converted as jv_to_json would.
 */
static json_t *json_result(json_t *j)
{
	if (json_is_integer(j)) {
		json_int_t v = json_integer_value(j);
		if (v <= -9007199254740992 || v >= 9007199254740992)
			return jv_to_json(jv_from_json(j));
	} else if (json_is_real(j)) {
		double d = json_real_value(j);
		if (fabs(d) < 9007199254740992.0 && (double)(json_int_t)d == d)
			return json_integer((json_int_t)d); /* as to_json */
	}
	return json_incref(j);
}

/*
 * A FAST_OBJLIT object constructor as the whole expression, over one
 * input: eval_unary's, the same depth counted, built as jansson at once
 * (no object of ours to convert). The values are all evaluated first, so
 * that an error leaves nothing to free; a value that is a path to a value
 * of the input is that value itself, as for root_path.
 */
static json_t *root_object(struct jn_ctx *c, const struct jn_node *n, jv input,
			   struct jn_frame *env)
{
	const struct jn_pairs *g = &n->pairs;
	jv v[16]; /* literal_keys: no more */
	json_t *j[16];
	c->depth++;
	jn_check_guard(c);
	if (g->n) {
		/* the keys count as evaluated nodes, one level down: their
		 * guards in one, each tick counted */
		c->depth++;
		c->ticks += (unsigned)g->n - 1;
		jn_check_guard(c);
		c->depth--;
	}
	for (int i = 0; i < g->n; i++) {
		const struct jn_node *vn = g->v[i].v;
		j[i] = NULL;
		if (vn->fast == FAST_NAMES &&
		    root_path(c, vn, input, env, &j[i]))
			v[i] = JV_U;
		else
			v[i] = eval_operand(c, vn, input, env);
	}
	c->depth--;
	json_t *o = json_object();
	for (int i = 0; i < g->n; i++) {
		const struct jn_node *k = g->v[i].k;
		json_t *x =
			j[i] ? json_result(j[i])
			: v[i].t == JV_UNDEF || v[i].t == JV_FUNC
				? NULL
				: to_json(v[i],
					  c->flags & SFN_JSONATA_AWS ? 2 : 0);
		if (x)
			json_object_setn_new_nocheck(o, k->str, k->slen, x);
	}
	return o;
}

/* a node without predicate, grouping or [] after it */
static bool bare(const struct jn_node *n)
{
	return !n->has_predicate && !n->group && !n->keep_array;
}

/* a FAST_OBJLIT object constructor, or a block that ends in one */
static bool root_objlit(const struct jn_node *n)
{
	if (!bare(n))
		return false;
	if (n->type == N_BLOCK)
		return n->items.n > 0 &&
		       root_objlit(n->items.v[n->items.n - 1]);
	return n->fast == FAST_OBJLIT;
}

/* root_object, or a block's items as eval_node has them and then
 * root_object of its last */
static json_t *root_objlit_eval(struct jn_ctx *c, const struct jn_node *n,
				jv input, struct jn_frame *env)
{
	if (n->type != N_BLOCK)
		return root_object(c, n, input, env);
	c->depth++;
	jn_check_guard(c);
	/* eval_node's frame, on the stack: the evaluation ends in here */
	struct jv_bind fb[4];
	struct jn_frame frame = { .parent = env, .b = fb, .cap = 4 };
	struct jn_frame *f = n->analysed && !n->effects ? env : &frame;
	int last = n->items.n - 1;
	for (int i = 0; i < last; i++)
		eval_item(c, n->items.v[i], input, f);
	json_t *o = root_objlit_eval(c, n->items.v[last], input, f);
	c->depth--;
	return o;
}

/*
 * Expressions answered before eval_root sets an evaluation up: a path of
 * names ($states.input.order.total, the commonest field of a state) and
 * an object of such paths, literals and `&`s of strings. They give what
 * root_path and root_object give, with nothing to count or free, or
 * decline, having done nothing that shows, wherever eval_root could do
 * anything else (an array as the input or on the way, a head that is no
 * jansson object, a value that is no string in an `&`); their depth and
 * ticks stay under any guard (quick_objlit, JN_QUICK_DEPTH, more than
 * either takes in eval_root: 2 and 4).
 */
#define QUICK_MEMORY (1u << 20)

#define QUICK_MEMO 8

/*
 * The value of the FAST_NAMES path @n (borrowed; NULL: undefined) from the
 * jansson @input (NULL for a prepared one) or the binding or input a
 * leading $name names, as root_path walks it; false where it declines.
 * @memo (QUICK_MEMO slots, or NULL): the object a $v.name that paths
 * share (jn_node.memo) ends on, found by the first of them.
 */
static bool quick_walk(const struct jn_node *n, json_t *input, json_t *bindings,
		       json_t **memo, json_t **out)
{
	int ns = n->items.n, i = 0;
	int m = memo && n->memo <= QUICK_MEMO ? n->memo : 0;
	json_t *j = input;
	if (m && memo[m - 1]) {
		j = memo[m - 1];
		i = 2;
	} else {
		const struct jn_node *st = n->items.v[0];
		if (st->type == N_VARIABLE) {
			/* the root frame's: "$" (and $) is the input,
			 * whatever the bindings hold; any other name a
			 * binding's */
			i = 1;
			if (st->slen && !(st->slen == 1 && st->str[0] == '$'))
				j = json_object_getn(bindings, st->str,
						     st->slen);
		}
		if (!json_is_object(j))
			return false;
		if (m && i == 1 && ns > 2) {
			/* the $v.name the paths share */
			if (!walk_on(n, 1, 2, &j))
				return false;
			memo[m - 1] = j; /* NULL: not an object, not kept */
			i = 2;
		}
	}
	if (!walk_on(n, i, ns - 1, &j))
		return false;
	if (j && i < ns)
		j = json_object_getn(j, n->items.v[ns - 1]->str,
				     n->items.v[ns - 1]->slen);
	*out = j;
	return true;
}

/* a FAST_CONST or a short FAST_NAMES node; its ticks added to *@ticks */
static bool quick_operand(const struct jn_node *n, int *ticks)
{
	*ticks += n->fast == FAST_NAMES ? n->items.n + 2 : 2;
	return n->fast == FAST_CONST ||
	       (n->fast == FAST_NAMES && n->items.n <= 16);
}

/* whether quick_object answers the whole expression @n */
static bool quick_objlit(const struct jn_node *n)
{
	if (n->fast != FAST_OBJLIT || !bare(n))
		return false;
	int ticks = 2;
	for (int i = 0; i < n->pairs.n; i++) {
		const struct jn_node *v = n->pairs.v[i].v;
		ticks += 2;
		if (v->type == N_BINARY && v->op == '&' &&
		    v->fast == FAST_BINOP) {
			if (!quick_operand(v->lhs, &ticks) ||
			    !quick_operand(v->rhs, &ticks))
				return false;
		} else if (!quick_operand(v, &ticks)) {
			return false;
		}
	}
	return ticks < 200; /* the guard's tick check comes at 256 */
}

/* an operand of an `&` as a string: a literal one, a path to a string of
 * the input or a binding, or to nothing ("") */
static bool quick_piece(const struct jn_node *n, json_t *input,
			json_t *bindings, json_t **memo, const char **s,
			size_t *len)
{
	if (n->fast == FAST_CONST) {
		if (n->cval.t != JV_STR)
			return false; /* $string's conversions: jn_eval's */
		*s = n->cval.u.s;
		*len = n->cval.len;
		return true;
	}
	json_t *j;
	if (!quick_walk(n, input, bindings, memo, &j) ||
	    (j && !json_is_string(j)))
		return false;
	*s = j ? json_string_value(j) : "";
	*len = j ? json_string_length(j) : 0;
	return true;
}

static bool quick_path(const struct sfn_jsonata *e, json_t *input,
		       json_t *bindings, json_t **result)
{
	json_t *j;
	if (e->root->items.n > 200 ||
	    !quick_walk(e->root, input, bindings, NULL, &j))
		return false;
	*result = j ? json_result(j) : NULL;
	return true;
}

/* A quick_objlit object: all its values found first, then built. */
static bool quick_object(const struct sfn_jsonata *e, json_t *input,
			 json_t *bindings, json_t **result)
{
	const struct jn_pairs *g = &e->root->pairs;
	json_t *j[16]; /* literal_keys: no more */
	json_t *memo[QUICK_MEMO] = { 0 };
	const char *s[16][2];
	size_t len[16][2], total = 0;
	for (int i = 0; i < g->n; i++) {
		const struct jn_node *v = g->v[i].v;
		j[i] = NULL;
		if (v->fast == FAST_BINOP) {
			if (!quick_piece(v->lhs, input, bindings, memo,
					 &s[i][0], &len[i][0]) ||
			    !quick_piece(v->rhs, input, bindings, memo,
					 &s[i][1], &len[i][1]))
				return false;
			total += len[i][0] + len[i][1];
		} else if (v->fast == FAST_NAMES &&
			   !quick_walk(v, input, bindings, memo, &j[i])) {
			return false;
		}
	}
	/* eval_root's strings go to its arena, whose first 8 KB count
	 * towards no memory limit */
	char buf[4096];
	if (total > sizeof(buf))
		return false;
	json_t *o = json_object();
	for (int i = 0; i < g->n; i++) {
		const struct jn_node *v = g->v[i].v;
		json_t *x;
		if (v->fast == FAST_BINOP) {
			memcpy(buf, s[i][0], len[i][0]);
			memcpy(buf + len[i][0], s[i][1], len[i][1]);
			x = to_json(jv_str(buf, len[i][0] + len[i][1]), 0);
		} else if (v->fast == FAST_CONST) {
			x = to_json(v->cval,
				    e->flags & SFN_JSONATA_AWS ? 2 : 0);
		} else {
			x = j[i] ? json_result(j[i]) : NULL;
		}
		if (x)
			json_object_setn_new_nocheck(o, g->v[i].k->str,
						     g->v[i].k->slen, x);
	}
	*result = o;
	return true;
}

/* quick_path or quick_object, where either may answer */
static inline bool quick(const struct sfn_jsonata *e, json_t *input,
			 const struct sfn_jsonata_input *pin, json_t *bindings,
			 const struct sfn_jsonata_limits *limits,
			 json_t **result)
{
	if (!e->quick ||
	    (limits && limits->max_depth && limits->max_depth < JN_QUICK_DEPTH))
		return false;
	/* eval_root's arena may pass a small memory limit with no more
	 * than the root frame's copy of many bindings */
	if (limits && limits->max_memory && limits->max_memory < QUICK_MEMORY)
		return false;
	if (pin ? jv_is_arr(pin->root) : json_is_array(input))
		return false;
	if (pin)
		input = NULL; /* no jansson object: paths from it decline */
	return e->quick == 1 ? quick_path(e, input, bindings, result)
			     : quick_object(e, input, bindings, result);
}

/* sfn_jsonata_eval over @input, or over @pin's values when it is set */
static int eval_root(const struct sfn_jsonata *e, json_t *input,
		     const struct sfn_jsonata_input *pin, json_t *bindings,
		     const struct sfn_jsonata_limits *limits, json_t **result,
		     struct sfn_jsonata_error *err)
{
	/* small evaluations never touch the heap: the first arena block and
	 * the context live on the stack */
	_Alignas(max_align_t) char first[8192];
	struct jn_arena arena = { 0 };
	struct jn_ctx ctx;
	struct jn_ctx *c = &ctx;
	struct jn_catch top;
	struct jn_frame root;
	struct jv_bind root_b[ROOT_BINDS];
	json_t *memo_b[ROOT_BINDS];
	char base = 0;
	volatile int rc = 0;
	/* all but the error, which every throw sets first (it is large) */
	sfn_zero_small(&c->catch_,
		       sizeof(*c) - offsetof(struct jn_ctx, catch_));
	arena.cur = first;
	arena.end = first + sizeof(first);
	*result = NULL;
	c->a = &arena;
	c->e = e;
	c->flags = e->flags;
	c->stack_floor = stack_floor(&base);
	c->depth_cap = (unsigned)-1;
	if (limits) {
		c->max_depth = limits->max_depth;
		if (limits->max_depth)
			c->depth_cap = limits->max_depth;
		c->time_ms = limits->time_ms;
		c->max_memory = limits->max_memory;
		arena.limit = limits->max_memory;
		arena.trip = &c->ticks;
	}
	if (c->time_ms)
		c->start_ns = now_ns();
	top.annot = NULL;
	top.prev = NULL;
	c->catch_ = &top;
	if (setjmp(top.jb)) {
		rc = -1;
		if (err) {
			struct msgvals mv = { 0 };
			memset(err, 0, sizeof(*err));
			set_code(err, c->err.code ? c->err.code : "D0000");
			char *v1 = c->err.has_value ? value_json(c->err.value)
						    : NULL;
			char *v2 = c->err.has_value2 ? value_json(c->err.value2)
						     : NULL;
			mv.token = c->err.token;
			mv.value = v1;
			mv.value2 = v2;
			mv.type = c->err.type;
			mv.message = c->err.message;
			mv.fname = c->err.fname;
			mv.index = c->err.index;
			mv.has_index = c->err.index > 0;
			mv.exp = c->err.exp;
			mv.has_exp = true;
			if (!strcmp(err->code, "U1001") ||
			    (c->err.message && (!strcmp(err->code, "D3137") ||
						!strcmp(err->code, "D3141") ||
						!template_of(err->code))))
				err->message = sfn_xstrdup(c->err.message);
			else
				err->message = populate(err->code, &mv);
			err->token =
				c->err.token ? sfn_xstrdup(c->err.token) : NULL;
			if (!strcmp(err->code, "D3140") && c->err.fname) {
				free(err->token);
				err->token = sfn_xstrdup(c->err.fname);
			}
			err->value = v1;
			free(v2);
			err->position = c->err.pos;
		}
		goto out;
	}
	{
		jv in = pin ? pin->root : input ? jv_from_json(input) : JV_U;
		/* the root frame: on the stack when it is small */
		struct jn_frame *f = &root;
		f->parent = NULL;
		f->n = 1;
		f->cap = ROOT_BINDS;
		f->b = root_b;
		f->b[0] = (struct jv_bind){ .name = "$", .v = in };
		/* distinct keys, borrowed as the values are; the input wins
		 * over a binding named "$" (no iterator for a non-object) */
		for (void *it = bindings ? json_object_iter(bindings) : NULL;
		     it; it = json_object_iter_next(bindings, it)) {
			const char *k = json_object_iter_key(it);
			if (k[0] == '$' && !k[1])
				continue;
			if (f->n == f->cap) {
				struct jv_bind *nb = jn_alloc(
					c->a, sizeof(*nb) * 2 * f->cap);
				memcpy(nb, f->b, sizeof(*nb) * f->n);
				f->b = nb;
				f->cap *= 2;
			}
			f->b[f->n++] = (struct jv_bind){
				.name = k,
				.v = jv_from_json(json_object_iter_value(it))
			};
		}
		c->root = f;

		/* e's memo slots: NULL until first used */
		c->nmemo = e->nmemo;
		if (e->nmemo <= ROOT_BINDS) {
			c->memo = memo_b;
			if (e->nmemo) /* inline stores, no call */
				memset(memo_b, 0, sizeof(memo_b));
		} else {
			c->memo = jn_alloc(c->a, sizeof(json_t *) * e->nmemo);
			memset(c->memo, 0, sizeof(json_t *) * e->nmemo);
		}
		if (jv_is_arr(in)) {
			jv w = jv_seq1(c, in);
			w.u.a->outer = true;
			in = w;
		}
		json_t *j;
		const struct jn_node *rn = e->root;
		if (e->objlit && !jv_is_arr(in)) {
			/* an object: built as jansson at once */
			*result = root_objlit_eval(c, rn, in, f);
			goto out;
		}
		if (rn->fast == FAST_NAMES && root_path(c, rn, in, f, &j)) {
			/* a value of the input or of a binding: itself */
			*result = j ? json_result(j) : NULL;
			goto out;
		}
		jv r = jn_eval(c, rn, in, f);
		if (r.t == JV_FUNC && (e->flags & SFN_JSONATA_AWS)) {
			/* A state's field cannot hold a function. */
			if (err) {
				memset(err, 0, sizeof(*err));
				set_code(err, SFN_JSONATA_FUNCTION_RESULT);
				err->message = sfn_xstrdup(
					"the result is a function, which no "
					"state field can hold");
			}
			rc = -1;
		} else if (r.t != JV_UNDEF) {
			if (r.t == JV_ARR && r.u.a->seq && r.u.a->n == 0) {
				/* an empty sequence is no result */
			} else {
				*result = to_json(
					r, c->flags & SFN_JSONATA_AWS ? 1 : 0);
			}
		}
	}
out:
	if (c->held)
		held_release_all(c);
	if (c->sbs)
		sb_release_all(c);
	if (c->md)
		jn_regex_ctx_release(c);
	if (arena.head)
		arena_recycle(&arena);
	return rc;
}

int sfn_jsonata_eval(const struct sfn_jsonata *e, json_t *input,
		     json_t *bindings, const struct sfn_jsonata_limits *limits,
		     json_t **result, struct sfn_jsonata_error *err)
{
	if (quick(e, input, NULL, bindings, limits, result))
		return 0;
	return eval_root(e, input, NULL, bindings, limits, result, err);
}

int sfn_jsonata_eval_input(const struct sfn_jsonata *e,
			   const struct sfn_jsonata_input *in, json_t *bindings,
			   const struct sfn_jsonata_limits *limits,
			   json_t **result, struct sfn_jsonata_error *err)
{
	if (quick(e, NULL, in, bindings, limits, result))
		return 0;
	return eval_root(e, NULL, in, bindings, limits, result, err);
}

/* ---- the linter's view ---- */

struct var_walk {
	void (*visit)(const char *, size_t, void *);
	void *ud;
};

static void walk_vars(struct jn_node *n, void *arg)
{
	struct var_walk *w = arg;
	if (!n)
		return;
	if (n->type == N_VARIABLE && n->str)
		w->visit(n->str, n->pos > n->slen ? n->pos - n->slen - 1 : 0,
			 w->ud);
	each_child(n, walk_vars, w);
}

void sfn_jsonata_foreach_variable(const struct sfn_jsonata *e,
				  void (*visit)(const char *name,
						size_t position, void *ud),
				  void *ud)
{
	struct var_walk w = { visit, ud };
	if (e)
		walk_vars(e->root, &w);
}

/* for func.c */
jv jn_eval_catch(struct jn_ctx *c, const struct jn_node *n, jv input,
		 struct jn_frame *env, bool *failed)
{
	struct jn_catch cp;
	cp.annot = c->annot;
	cp.depth = c->depth;
	cp.prev = c->catch_;
	c->catch_ = &cp;
	volatile jv r = JV_U;
	if (setjmp(cp.jb)) {
		c->catch_ = cp.prev;
		c->annot = cp.annot;
		c->depth = cp.depth;
		*failed = true;
		return JV_U;
	}
	jv rr = jn_eval(c, n, input, env);
	r = rr;
	c->catch_ = cp.prev;
	*failed = false;
	return r;
}
