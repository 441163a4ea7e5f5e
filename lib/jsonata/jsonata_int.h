/*
 * jsonata_int: what the files of lib/jsonata share. The structure follows
 * the reference implementation (jsonata-js, MIT, IBM Corp.): a Pratt parser
 * whose tree is rewritten once (paths, stages, tuple streams, parents), and
 * an evaluator that dispatches on node types.
 *
 * Memory: the compiled tree lives in the expression's arena; everything an
 * evaluation makes (values, frames, sequences, strings) lives in the
 * evaluation's arena and dies with it. Input and bindings stay in jansson
 * and are only borrowed. Errors unwind with longjmp to the evaluation's
 * catch point: that is safe here because nothing between holds a jansson
 * reference or a heap block (all of it is in the arena).
 */
#ifndef SFN_JSONATA_INT_H
#define SFN_JSONATA_INT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "jsonata/jsonata.h"

/* ---- arena ---- */

struct jn_chunk;
struct jn_arena {
	struct jn_chunk *head;
	char *cur, *end;
	size_t total;
	/* The memory limit: a chunk that takes total past it sets *trip so
	 * that the next jn_check_guard runs jn_guard_slow, which raises
	 * U1001 (0: no limit). */
	size_t limit;
	unsigned *trip;
};
void *jn_alloc(struct jn_arena *a, size_t n);
void *jn_zalloc(struct jn_arena *a, size_t n);
char *jn_strndup(struct jn_arena *a, const char *s, size_t n);
void jn_arena_release(struct jn_arena *a);

/* ---- values ---- */

enum jv_type {
	JV_UNDEF = 0,
	JV_NULL,
	JV_BOOL,
	JV_NUM,
	JV_STR,
	JV_ARR,	  /* our array / sequence (struct jv_arr) */
	JV_OBJ,	  /* our object (struct jv_obj) */
	JV_JARR,  /* a borrowed jansson array */
	JV_JOBJ,  /* a borrowed jansson object */
	JV_FUNC,  /* struct jv_fn */
	JV_TUPLE, /* a binding tuple of a tuple stream */
	JV_HOLE,  /* the '?' placeholder of a partial application */
};

struct jv_arr;
struct jv_obj;
struct jv_fn;
struct jv_tuple;

typedef struct jv {
	uint8_t t;
	uint8_t b;    /* JV_BOOL */
	uint32_t len; /* JV_STR: bytes */
	union {
		double n;
		const char *s;
		struct jv_arr *a;
		struct jv_obj *o;
		struct jv_fn *f;
		json_t *j;
		struct jv_tuple *tp;
	} u;
} jv;

struct jv_arr {
	jv *v;
	uint32_t n, cap;
	bool seq, keep, cons, outer, tstream;
	/* a prepared input's array (sfn_jsonata_input): the jansson array it
	 * was made from, borrowed; such an array is shared by every
	 * evaluation and never changes. NULL: the evaluation's own */
	json_t *src;
};

struct jv_ent {
	const char *k;
	uint32_t klen;
	bool dead;
	jv v;
};
struct jv_obj {
	struct jv_ent *e;
	uint32_t n, cap, live;
	uint32_t *idx; /* open addressing over e, when n > 8; 0 = empty */
	uint32_t idxcap;
	/* as jv_arr.src: prepared, read-only, made from this object */
	json_t *src;
};

struct jv_bind {
	const char *name;
	jv v;
};
struct jv_tuple {
	jv at;
	struct jv_bind *b;
	uint32_t n, cap;
};

/* ---- the tree ---- */

enum jn_type {
	N_PATH = 1,
	N_BINARY,
	N_UNARY,
	N_NAME,
	N_STRING,
	N_NUMBER,
	N_VALUE,
	N_WILDCARD,
	N_DESCENDANT,
	N_PARENT,
	N_CONDITION,
	N_BLOCK,
	N_BIND,
	N_REGEX,
	N_FUNCTION,
	N_PARTIAL,
	N_VARIABLE,
	N_LAMBDA,
	N_APPLY,
	N_TRANSFORM,
	N_SORT,
	N_OPERATOR, /* a bare operator token: '?' placeholder, and/or/in */
	N_END,
};

struct jn_slot {
	const char *label;
	int level;
	int index;
};

struct jn_node;
struct jn_list {
	struct jn_node **v;
	int n, cap;
};
struct jn_pair {
	struct jn_node *k, *v;
};
struct jn_pairs {
	struct jn_pair *v;
	int n, cap;
};
struct jn_stage {
	int type; /* 'f' filter, 'i' index */
	struct jn_node *expr;
	const char *name; /* index variable */
	size_t pos;
};
struct jn_stages {
	struct jn_stage *v;
	int n, cap;
};
struct jn_term {
	bool desc;
	struct jn_node *expr;
};
struct jn_slots {
	struct jn_slot **v;
	int n, cap;
};

struct jn_param {
	char type;	 /* s n b l o a f j x, '(' for a choice */
	char cls[12];	 /* the symbols this parameter accepts, 'm' = missing */
	char ctxcls[12]; /* context type test, when context */
	char quant;	 /* 0, '?' or '+' */
	bool context;	 /* '-' */
	char subtype[16]; /* a<s>: "s" */
	uint32_t clsmask; /* cls as bits, 1 << (symbol - 'a') */
};
struct jn_sig {
	struct jn_param p[12];
	int n;
	const char *text;
};

struct jn_regex;

/* what the evaluator may take a short cut on, found once after parsing */
enum jn_fast {
	FAST_NONE = 0,
	FAST_CONST,  /* a literal without predicate or grouping: cval */
	FAST_NAMES,  /* a path of plain names, maybe after one $variable */
	FAST_OBJLIT, /* an object constructor of distinct literal keys */
	FAST_BINOP,  /* comparison, arithmetic or 'in' of two of FAST_CONST/
		      * NAMES/VAR (the right of 'in' may be FAST_LITARR) */
	FAST_VAR,    /* a $variable (or $) without predicate or grouping */
	FAST_LOGIC,  /* and/or of two FAST_CONST/NAMES/VAR/BINOP/LOGIC */
	FAST_BLOCK,  /* ( expr ) where nothing binds or calls a function */
	/* an array constructor of FAST_CONST items: the right of a FAST_BINOP
	 * 'in' reads them off the tree (jn_eval still makes the array) */
	FAST_LITARR,
};

struct jn_node {
	uint8_t type;
	uint8_t fast;  /* enum jn_fast */
	bool analysed; /* jn_analyse has been here */
	/* jn_analyse: something under this node binds a variable or calls a
	 * function (which may be $eval, binding in the caller's frame) */
	bool effects;
	bool keep_array, keep_singleton, consarray, tuple, thunk;
	int op; /* operator: char, or one of the OP_ codes */
	size_t pos;
	double num;
	const char *str; /* string literal, name, variable (NUL-terminated) */
	size_t slen;
	int vkind; /* N_VALUE: JV_NULL or JV_BOOL; b in num */
	struct jn_node *lhs, *rhs, *expr;
	struct jn_node *cond, *then, *els;
	struct jn_node *pattern, *update, *del;
	struct jn_node *procedure, *body;
	struct jn_list items;  /* block expressions, array items, steps, args */
	struct jn_pairs pairs; /* object constructor */
	struct jn_pairs *group; /* group-by */
	size_t group_pos;
	struct jn_stages stages, predicate;
	bool has_stages, has_predicate;
	struct jn_term *terms;
	int nterms;
	const char *focus, *index;
	struct jn_slot *ancestor, *slot;
	struct jn_slots *seeking; /* NULL: none */
	struct jn_sig *sig;
	struct jn_regex *re;
	jv cval;		     /* FAST_CONST: the value */
	const struct jn_builtin *bi; /* N_VARIABLE: the built-in of its name */
	/* FAST_NAMES $v.name...: 1 + the slot of the expression's memo that
	 * keeps $v.name for the evaluation; 0: none */
	uint32_t memo;
	/* N_FUNCTION $sum(a.b.(x op y)): sum_path may add the numbers up as
	 * it walks them */
	bool sum_path;
	/* N_VARIABLE of a built-in's name that nothing in the expression
	 * binds (and no $eval): only a binding of the caller's hides it */
	bool bi_free;
};

enum {
	OP_RANGE = 256, /* .. */
	OP_ASSIGN,	/* := */
	OP_NE,		/* != */
	OP_GE,
	OP_LE,
	OP_DESC,     /* ** */
	OP_CHAIN,    /* ~> */
	OP_ELVIS,    /* ?: */
	OP_COALESCE, /* ?? */
	OP_AND,
	OP_OR,
	OP_IN,
};

struct jn_regex {
	void *code; /* pcre2_code_8 */
	const char *src;
	size_t srclen;
	bool jit;
	struct jn_regex *next;
};

struct sfn_jsonata {
	struct jn_arena arena;
	struct jn_node *root;
	struct jn_regex *regexes;
	int flags;
	const char *src;
	size_t srclen;
	int nlabels;
	uint32_t nmemo; /* slots of jn_node.memo */
	/* the distinct names of jn_node.bi_free's built-ins (in the arena) */
	const char **bnames;
	uint32_t nbnames;
	bool objlit; /* root_objlit(root): eval_root builds it as jansson */
	/* sfn_jsonata_eval may answer before it sets an evaluation up:
	 * 1 a FAST_NAMES path, 2 a quick_objlit object */
	uint8_t quick;
};

/* Under a depth limit below this, sfn_jsonata_eval sets every evaluation
 * up (e->quick does not answer): the fuzz target compares the two. */
#define JN_QUICK_DEPTH 8

/* ---- errors ---- */

struct jn_err {
	const char *code;
	size_t pos;
	bool has_pos;
	const char *token; /* NULL: unset */
	jv value, value2;
	bool has_value, has_value2;
	int index;
	const char *type;
	const char *message;
	const char *fname;
	double exp;
};

/* ---- compile ---- */

struct jn_cerr {
	const char *code;
	size_t pos;
	char token[64];
	bool has_token;
	char value[64];
	bool has_value;
};

struct sfn_jsonata *jn_parse(const char *src, size_t len, int flags,
			     struct jn_cerr *err);
int jn_parse_sig(struct jn_arena *a, const char *s, size_t len,
		 struct jn_sig *sig, struct jn_cerr *err);
void jn_regex_free_all(struct jn_regex *r);
int jn_regex_compile(struct sfn_jsonata *e, const char *pat, size_t len,
		     const char *flags, size_t pos, struct jn_regex **out,
		     struct jn_cerr *err);

/* ---- evaluation ---- */

struct jn_frame {
	struct jn_frame *parent;
	struct jv_bind *b;
	uint32_t n, cap;
};

struct jn_catch;
struct jn_annot;
struct jn_ctx {
	struct jn_arena *a;
	const struct sfn_jsonata *e;
	struct jn_err err;
	struct jn_catch *catch_;
	struct jn_annot *annot;
	unsigned depth, max_depth;
	unsigned depth_cap;    /* max_depth, or UINT_MAX without one */
	uintptr_t stack_floor; /* recursion stops below this address */
	unsigned time_ms, ticks;
	size_t max_memory;
	uint64_t start_ns;
	double now_ms;
	struct jn_frame *root;
	void *md; /* pcre2 match data */
	int flags;
	uint64_t rng[2];
	bool rng_seeded;
	/* whether a binding of the caller's has a name of e's bnames (else a
	 * bi_free $name is its built-in): 0 not looked at yet, 1 none, 2 one
	 * does */
	uint8_t bi_hidden;
	struct jn_sbnode *sbs; /* heap buffers to release at the end */
	struct jn_held *held;  /* $eval's expressions, freed at the end */
	json_t **memo;	       /* e's memo slots (jn_node.memo); NULL: unset */
	uint32_t nmemo;
	/* jv_obj_getc's guesses: by the key's address in the tree, where in
	 * an object of ours that key was last found */
	uint8_t khint[64];
};

struct jn_builtin {
	const char *name;
	const char *sig;
	void (*fn)(struct jn_ctx *c, jv *args, int n, jv input,
		   struct jn_frame *env, jv *out);
	int arity;   /* JavaScript's Function.length */
	int nparams; /* declared parameters (for partial application) */
	int aws;     /* 1: only with SFN_JSONATA_AWS, -1: not with it */
	struct jn_sig psig;
	struct jv_fn *fnv; /* the function value, made once */
};

enum jv_fn_kind {
	FN_LAMBDA,
	FN_BUILTIN,
	FN_PARTIAL,
	FN_REGEX,
	FN_REGEX_NEXT,
	FN_TRANSFORM,
};
struct jv_fn {
	int kind;
	const struct jn_node *node; /* lambda/transform */
	jv input;
	struct jn_frame *env;
	const char **params; /* lambda parameters (names) */
	int nparams;
	const struct jn_sig *sig;
	bool thunk;
	const struct jn_builtin *bi;
	/* partial application of a built-in */
	jv *bound;
	int nbound;
	/* regex */
	const struct jn_regex *re;
	const char *str;
	size_t slen, last;
};

SFN_NORETURN void jn_throw(struct jn_ctx *c);
SFN_NORETURN void jn_fail(struct jn_ctx *c, const char *code);
SFN_NORETURN void jn_failv(struct jn_ctx *c, const char *code, jv value);

extern const jv JV_U;
static inline jv jv_num(double d)
{
	jv v = { .t = JV_NUM };
	v.u.n = d;
	return v;
}
static inline jv jv_bool(bool b)
{
	jv v = { .t = JV_BOOL, .b = b };
	return v;
}
static inline jv jv_str(const char *s, size_t n)
{
	jv v = { .t = JV_STR, .len = (uint32_t)n };
	v.u.s = s;
	return v;
}
static inline jv jv_null(void)
{
	jv v = { .t = JV_NULL };
	return v;
}
/* a jansson value as ours, borrowed (inline: every path step takes one) */
static inline jv jv_from_json(json_t *j)
{
	jv v = JV_U;
	if (!j)
		return v;
	switch (json_typeof(j)) {
	case JSON_NULL:
		v.t = JV_NULL;
		break;
	case JSON_TRUE:
		v.t = JV_BOOL;
		v.b = 1;
		break;
	case JSON_FALSE:
		v.t = JV_BOOL;
		break;
	case JSON_INTEGER:
		v.t = JV_NUM;
		v.u.n = (double)json_integer_value(j);
		break;
	case JSON_REAL:
		v.t = JV_NUM;
		v.u.n = json_real_value(j);
		break;
	case JSON_STRING:
		v.t = JV_STR;
		v.u.s = json_string_value(j);
		v.len = (uint32_t)json_string_length(j);
		break;
	case JSON_ARRAY:
		v.t = JV_JARR;
		v.u.j = j;
		break;
	case JSON_OBJECT:
		v.t = JV_JOBJ;
		v.u.j = j;
		break;
	}
	return v;
}
static inline bool jv_is_arr(jv v)
{
	return v.t == JV_ARR || v.t == JV_JARR;
}
static inline bool jv_is_obj(jv v)
{
	return v.t == JV_OBJ || v.t == JV_JOBJ;
}
static inline uint32_t jv_alen(jv v)
{
	return v.t == JV_ARR ? v.u.a->n : (uint32_t)json_array_size(v.u.j);
}
static inline jv jv_aget(jv v, uint32_t i)
{
	return v.t == JV_ARR ? v.u.a->v[i]
			     : jv_from_json(json_array_get(v.u.j, i));
}
static inline bool jv_is_seq(jv v)
{
	return v.t == JV_ARR && v.u.a->seq;
}

struct jv_arr *jv_arr_new(struct jn_ctx *c, uint32_t cap);
jv jv_seq(struct jn_ctx *c, uint32_t cap);
jv jv_arrv(struct jn_ctx *c, uint32_t cap);
void jv_push(struct jn_ctx *c, struct jv_arr *a, jv v);
/* jv_push without a call while @a has room: for loops over many items */
static inline void jv_push_fast(struct jn_ctx *c, struct jv_arr *a, jv v)
{
	if (a->n < a->cap)
		a->v[a->n++] = v;
	else
		jv_push(c, a, v);
}
jv jv_seq1(struct jn_ctx *c, jv v);
struct jv_obj *jv_obj_new(struct jn_ctx *c, uint32_t cap);
jv jv_objv(struct jv_obj *o);
void jv_obj_set(struct jn_ctx *c, struct jv_obj *o, const char *k,
		uint32_t klen, jv v);
bool jv_obj_get(jv o, const char *k, size_t klen, jv *out);
void jv_obj_del(struct jv_obj *o, const char *k, size_t klen);
/* iterate object members: *it starts at 0; false at the end */
bool jv_obj_next(jv o, size_t *it, const char **k, size_t *klen, jv *v);
size_t jv_obj_size(jv o);

bool jv_is_func(jv v);
bool jv_deep_equal(jv a, jv b);
/* a hash of @n bytes, its low bits fit to index a table */
uint32_t jn_hash_str(const char *s, size_t n);
/* !memcmp(a, b, n) without a call for up to 16 bytes, what keys and most
 * compared values are: loads that may overlap */
static inline bool jn_mem_eq(const char *a, const char *b, size_t n)
{
	if (n > 16)
		return !memcmp(a, b, n);
	if (n >= 8) {
		uint64_t x, y, z, w;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&z, a + n - 8, 8);
		memcpy(&w, b + n - 8, 8);
		return ((x ^ y) | (z ^ w)) == 0;
	}
	if (n >= 4) {
		uint32_t x, y, z, w;
		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		memcpy(&z, a + n - 4, 4);
		memcpy(&w, b + n - 4, 4);
		return ((x ^ y) | (z ^ w)) == 0;
	}
	/* 0-3 bytes: the first, middle and last (which may coincide) */
	return n == 0 ||
	       (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

/*
 * jv_obj_get on an object of ours (JV_OBJ) with a key that lives as long
 * as the evaluation (a name in the tree): it tries first where the same
 * key was last found, as the records of an array mostly keep their keys
 * in one order.
 */
int jn_obj_find(const struct jv_obj *o, const char *k, size_t klen);
__attribute__((always_inline)) static inline bool
jv_obj_getc(struct jn_ctx *c, const struct jv_obj *o, const char *k,
	    size_t klen, jv *out)
{
	uint8_t *h = &c->khint[((uintptr_t)k >> 3) & 63];
	if (*h < o->n) {
		const struct jv_ent *e = &o->e[*h];
		if (e->klen == klen && !e->dead && jn_mem_eq(e->k, k, klen)) {
			*out = e->v;
			return true;
		}
	}
	int i = jn_obj_find(o, k, klen);
	if (i < 0)
		return false;
	*h = (uint8_t)i;
	*out = o->e[i].v;
	return true;
}
bool jv_boolean_slow(jv v);
/* $boolean of a defined value */
static inline bool jv_boolean(jv v)
{
	return v.t == JV_BOOL ? v.b : jv_boolean_slow(v);
}
/* signature symbol */
static inline char jv_sym(jv v)
{
	static const char sym[] = {
		[JV_UNDEF] = 'm', [JV_NULL] = 'l',  [JV_BOOL] = 'b',
		[JV_NUM] = 'n',	  [JV_STR] = 's',   [JV_ARR] = 'a',
		[JV_OBJ] = 'o',	  [JV_JARR] = 'a',  [JV_JOBJ] = 'o',
		[JV_FUNC] = 'f',  [JV_TUPLE] = 'm', [JV_HOLE] = 'm',
	};
	return v.t < sizeof(sym) ? sym[v.t] : 'm';
}
void jv_stringify(struct jn_ctx *c, struct sfn_strbuf *sb, jv v, bool pretty,
		  bool round15);
jv jv_string(struct jn_ctx *c, jv v);	     /* $string; undefined stays */
const char *jv_cstr(struct jn_ctx *c, jv s); /* NUL-terminated copy */
jv jv_append(struct jn_ctx *c, jv a, jv b);
json_t *jv_to_json(jv v);
jv jv_from_json_deep(struct jn_ctx *c, json_t *j);
/* For tests: @in's values are still what sfn_jsonata_input_new made. */
bool jn_input_intact(const struct sfn_jsonata_input *in);
/* For tests: @a and @b (may be NULL) are the same JSON text and types,
 * integers and reals apart, keys (which may hold NUL bytes) in order. */
bool jn_json_identical(json_t *a, json_t *b);
bool jv_is_numeric(struct jn_ctx *c, jv v);
jv jv_strf(struct jn_ctx *c, const char *s, size_t n); /* copy into arena */
void jn_fmt_num(struct sfn_strbuf *sb, double d, bool round15);

jv jn_eval(struct jn_ctx *c, const struct jn_node *n, jv input,
	   struct jn_frame *env);
/* Marks the short cuts of enum jn_fast on the tree under @n. */
void jn_analyse(struct jn_node *n, int flags);
jv jn_apply(struct jn_ctx *c, jv proc, jv *args, int n, jv input,
	    struct jn_frame *env);
int jn_fn_arity(jv f);
struct jn_frame *jn_frame_new(struct jn_ctx *c, struct jn_frame *parent);
void jn_bind(struct jn_ctx *c, struct jn_frame *f, const char *name, jv v);
bool jn_lookup(struct jn_ctx *c, struct jn_frame *f, const char *name, jv *out);
const struct jn_builtin *jn_builtin_find(const char *name, int flags);
void jn_builtins_init(void);
jv jn_sort(struct jn_ctx *c, jv arr, jv fn,
	   bool (*cmp)(struct jn_ctx *, jv, jv, void *), void *ud);
jv jn_regex_exec(struct jn_ctx *c, const struct jn_regex *re, const char *s,
		 size_t len, size_t from, size_t *mstart, size_t *mend,
		 jv *groups);
void jn_guard_slow(struct jn_ctx *c);
/* Depth, stack, and every 256 nodes memory and time: U1001 past them. */
__attribute__((always_inline)) static inline void
jn_check_guard(struct jn_ctx *c)
{
	char here;
	if (c->depth > c->depth_cap || (uintptr_t)&here < c->stack_floor ||
	    (++c->ticks & 255) == 0)
		jn_guard_slow(c);
}
double jn_now_ms(struct jn_ctx *c); /* one instant per evaluation */
/* A string buffer released when the evaluation ends, error or not. */
struct sfn_strbuf *jn_sb(struct jn_ctx *c);
/* Frees @e when the evaluation ends: what it bound may point into it. */
void jn_hold(struct jn_ctx *c, struct sfn_jsonata *e);
jv jn_clone(struct jn_ctx *c, jv v);
jv jn_eval_catch(struct jn_ctx *c, const struct jn_node *n, jv input,
		 struct jn_frame *env, bool *failed);
jv jn_regex_call(struct jn_ctx *c, const struct jv_fn *f, jv *args, int n);
jv jn_transform_call(struct jn_ctx *c, const struct jv_fn *f, jv obj);
void jn_regex_ctx_release(struct jn_ctx *c);
const struct jn_sig *jn_transform_sig(void);
extern struct jn_builtin jn_chain_builtin;

/* UTF-8 helpers */
size_t jn_u16_units(const char *s, size_t n);
size_t jn_u8_offset_of_u16(const char *s, size_t n, size_t units);

/*
 * How many bytes of this thread's stack are left below @here, less a
 * margin: the parser and the evaluator refuse to recurse past it (U1001)
 * instead of crashing on deeply nested input.
 */
size_t jn_stack_room(const char *here);

#endif
