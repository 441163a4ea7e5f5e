/*
 * The YAML parser of the loader: libyaml's events into jansson values, with
 * positions recorded in the source map (libyaml marks every event).
 *
 * Scalars are typed as the CloudFormation/SAM tooling (aws-cli, sam-cli,
 * cfn-lint: PyYAML's YAML 1.1 resolver) types them, for values only:
 *   null   ~ null Null NULL and the empty plain scalar
 *   bool   true/false yes/no on/off in lower, Capitalised or UPPER case
 *   int    decimal, 0o-less octal (0755), 0x hex, 0b binary, sexagesimal
 *          (1:30 is 90), with '_' separators; beyond int64 a double
 *   float  1.5 .5 1.5e+3 (a '.' is needed: 1e3 stays a string)
 * A key is always the string it is written as (a state named Yes or on
 * stays "Yes", "on"); a quoted scalar is always a string. .inf and .nan
 * have no JSON form and are errors.
 *
 * CloudFormation short-form tags become their long form (!Ref x ->
 * {"Ref": "x"}, !Sub s -> {"Fn::Sub": s}, !GetAtt A.B -> {"Fn::GetAtt":
 * ["A", "B"]}); other local tags are errors. Anchors and aliases are
 * expanded by copy, with a cap on the values copies make (against
 * "billion laughs"); merge keys (<<) add the keys of a mapping, or of a
 * list of mappings (the first wins), that the mapping does not set itself.
 */
#include "asl/asl.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "asl/asl_int.h"

/* Values that alias expansion may copy in one document, in total. */
#define ALIAS_BUDGET 1000000

#define TAG_STR	  "tag:yaml.org,2002:str"
#define TAG_INT	  "tag:yaml.org,2002:int"
#define TAG_FLOAT "tag:yaml.org,2002:float"
#define TAG_BOOL  "tag:yaml.org,2002:bool"
#define TAG_NULL  "tag:yaml.org,2002:null"
#define TAG_MAP	  "tag:yaml.org,2002:map"
#define TAG_SEQ	  "tag:yaml.org,2002:seq"
#define TAG_MERGE "tag:yaml.org,2002:merge"

/* CloudFormation short forms and the keys of their long forms. */
static const struct cfn_tag {
	const char *tag;
	const char *key;
} cfn_tags[] = {
	{ "!And", "Fn::And" },
	{ "!Base64", "Fn::Base64" },
	{ "!Cidr", "Fn::Cidr" },
	{ "!Condition", "Condition" },
	{ "!Contains", "Fn::Contains" },
	{ "!EachMemberEquals", "Fn::EachMemberEquals" },
	{ "!EachMemberIn", "Fn::EachMemberIn" },
	{ "!Equals", "Fn::Equals" },
	{ "!FindInMap", "Fn::FindInMap" },
	{ "!ForEach", "Fn::ForEach" },
	{ "!GetAZs", "Fn::GetAZs" },
	{ "!GetAtt", "Fn::GetAtt" },
	{ "!If", "Fn::If" },
	{ "!ImportValue", "Fn::ImportValue" },
	{ "!Join", "Fn::Join" },
	{ "!Length", "Fn::Length" },
	{ "!Not", "Fn::Not" },
	{ "!Or", "Fn::Or" },
	{ "!Ref", "Ref" },
	{ "!RefAll", "Fn::RefAll" },
	{ "!Select", "Fn::Select" },
	{ "!Split", "Fn::Split" },
	{ "!Sub", "Fn::Sub" },
	{ "!ToJsonString", "Fn::ToJsonString" },
	{ "!Transform", "Fn::Transform" },
	{ "!ValueOf", "Fn::ValueOf" },
	{ "!ValueOfAll", "Fn::ValueOfAll" },
};

static const char *cfn_key(const char *tag)
{
	for (size_t i = 0; i < sizeof(cfn_tags) / sizeof(cfn_tags[0]); i++)
		if (!strcmp(cfn_tags[i].tag, tag))
			return cfn_tags[i].key;
	return NULL;
}

struct anchor {
	char *name;    /* owned */
	json_t *value; /* owned reference */
	int depth;     /* of the value's own nesting */
};

struct yframe {
	json_t *node; /* the mapping or sequence being built; owned */
	bool is_map;
	uint64_t hash;	/* of the node's contents (inside a tag wrapper) */
	uint64_t outer; /* of the node itself */
	int line, col;	/* of the node */
	yaml_mark_t start;
	char *anchor;	  /* owned; registered when the node ends */
	const char *wrap; /* long-form key of its tag, or NULL */
	/* mapping state */
	bool have_key;
	bool key_merge;	       /* the pending key is "<<" */
	struct sfn_strbuf key; /* the pending key */
	int key_line, key_col;
	json_t *merged; /* keys that came from "<<"; owned, may be NULL */
	size_t index;	/* sequence: the next element's index */
};

struct yp {
	struct sfn_parse_ctx *ctx;
	yaml_parser_t parser;
	struct yframe *st; /* the stack of open containers */
	size_t n_st, alloc_st;
	struct anchor *anchors;
	size_t n_anchors, alloc_anchors;
	size_t budget; /* values alias copies may still make */
	json_t *root;
	int n_docs;
};

static void pos_of(struct yp *yp, yaml_mark_t m, int *line, int *col)
{
	*line = (int)m.line + 1;
	*col = (int)m.column + 1;
	sfn_xform_apply(yp->ctx->xform, line, col);
}

static int fail(struct yp *yp, yaml_mark_t m, const char *fmt, ...)
	SFN_PRINTF(3, 4);

static int fail(struct yp *yp, yaml_mark_t m, const char *fmt, ...)
{
	struct sfn_error *err = yp->ctx->err;
	if (!err || sfn_error_is_set(err))
		return -1;
	int line, col;
	pos_of(yp, m, &line, &col);
	va_list ap;
	va_start(ap, fmt);
	sfn_verrorf(err, "SFN_PARSE", NULL, fmt, ap);
	va_end(ap);
	err->line = line;
	err->col = col;
	return -1;
}

/* Line and column (1-based, in code points) of byte @off. */
static void offset_pos(const char *buf, size_t len, size_t off, int *line,
		       int *col)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		unsigned char b = (unsigned char)buf[i];
		if (b == '\n' ||
		    (b == '\r' && (i + 1 >= len || buf[i + 1] != '\n'))) {
			l++;
			c = 1;
		} else if (b != '\r' && (b & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static int libyaml_error(struct yp *yp)
{
	yaml_parser_t *ps = &yp->parser;
	struct sfn_error *err = yp->ctx->err;
	const char *problem = ps->problem ? ps->problem : "invalid YAML";
	if (ps->error == YAML_READER_ERROR) {
		int line, col;
		size_t off = ps->problem_offset;
		/* libyaml points at a bad trailing byte: name the lead. */
		if (strstr(problem, "trailing") ||
		    strstr(problem, "incomplete"))
			while (off > 0 && off < yp->ctx->len &&
			       ((unsigned char)yp->ctx->buf[off] & 0xC0) !=
				       0xC0)
				off--;
		offset_pos(yp->ctx->buf, yp->ctx->len, off, &line, &col);
		sfn_xform_apply(yp->ctx->xform, &line, &col);
		unsigned char b = off < yp->ctx->len
					  ? (unsigned char)yp->ctx->buf[off]
					  : 0;
		if (strstr(problem, "UTF-8"))
			return sfn_parse_errorf(err, line, col,
						"invalid UTF-8 byte 0x%02X", b);
		return sfn_parse_errorf(err, line, col, "%s (byte 0x%02X)",
					problem, b);
	}
	yaml_mark_t m = ps->problem_mark;
	const char *c = sfn_text_at(yp->ctx->buf, yp->ctx->len, (int)m.line + 1,
				    (int)m.column + 1);
	const char *hint = "";
	if (c && *c == '\t')
		hint = "; YAML indents with spaces, not tabs";
	else if (c && *c == '%' && c > yp->ctx->buf && c[-1] == '{')
		/* "a: {% ... %}" unquoted starts a flow mapping */
		hint = "; a JSONata expression is quoted in YAML: '{% ... %}'";
	if (ps->context)
		return fail(yp, m, "%s (%s)%s", problem, ps->context, hint);
	return fail(yp, m, "%s%s", problem, hint);
}

/* ---- scalars ---- */

static bool in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const trues[] = { "true", "True", "TRUE", "yes", "Yes",
				     "YES",  "on",   "On",   "ON",  NULL };
static const char *const falses[] = { "false", "False", "FALSE", "no",	"No",
				      "NO",    "off",	"Off",	 "OFF", NULL };

static bool all_of(const char *s, const char *set)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(set, *s))
			return false;
	return true;
}

/* Removes '_' from @s into @out (of @n bytes). */
static bool strip_us(const char *s, char *out, size_t n)
{
	size_t j = 0;
	for (; *s; s++) {
		if (*s == '_')
			continue;
		if (j + 1 >= n)
			return false;
		out[j++] = *s;
	}
	out[j] = '\0';
	return true;
}

/* A base-60 number "1:30:5" (already without sign and '_'). */
static double sexagesimal(const char *s)
{
	double v = 0;
	char *end;
	for (;;) {
		v = v * 60 + strtod(s, &end);
		if (*end != ':')
			return v;
		s = end + 1;
	}
}

static json_t *int_or_real(double d, bool neg)
{
	if (neg)
		d = -d;
	if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
		return json_integer((json_int_t)d);
	return json_real(d);
}

/*
 * The YAML 1.1 int of plain scalar @s (PyYAML's resolver), or NULL.
 *   [-+]?0b[01_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*)
 *   | [-+]?0x[0-9a-fA-F_]+ | [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+
 */
static json_t *yaml_int(const char *s)
{
	char buf[128];
	bool neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	if (!*s || strlen(s) >= sizeof(buf) || !strip_us(s, buf, sizeof(buf)))
		return NULL;
	int base = 10;
	const char *digits = buf;
	if (s[0] == '0' && s[1] == 'b' && all_of(s + 2, "01_")) {
		base = 2;
		digits = buf + 2;
	} else if (s[0] == '0' && s[1] == 'x' &&
		   all_of(s + 2, "0123456789abcdefABCDEF_")) {
		base = 16;
		digits = buf + 2;
	} else if (s[0] == '0' && s[1] && all_of(s + 1, "01234567_")) {
		base = 8;
		digits = buf + 1;
	} else if (!strcmp(s, "0") ||
		   (s[0] >= '1' && s[0] <= '9' && all_of(s, "0123456789_"))) {
		base = 10;
	} else if (s[0] >= '1' && s[0] <= '9' && all_of(s, "0123456789_:") &&
		   strchr(s, ':')) {
		/* Each part after a ':' is [0-5]?[0-9]. */
		const char *p = strchr(s, ':');
		while (p) {
			const char *q = p + 1;
			size_t n = strcspn(q, ":");
			if (n == 0 || n > 2 || (n == 2 && q[0] > '5'))
				return NULL;
			p = strchr(q, ':');
		}
		return int_or_real(sexagesimal(buf), neg);
	} else {
		return NULL;
	}
	if (!*digits)
		return NULL;
	errno = 0;
	unsigned long long u = strtoull(digits, NULL, base);
	if (errno == ERANGE || u > (unsigned long long)LLONG_MAX + neg) {
		double d = base == 10 ? strtod(digits, NULL) : 0;
		for (const char *p = digits; base != 10 && *p; p++) {
			int dv = *p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10;
			d = d * base + dv;
		}
		return json_real(neg ? -d : d);
	}
	if (neg)
		return json_integer(u == (unsigned long long)LLONG_MAX + 1
					    ? LLONG_MIN
					    : -(long long)u);
	return json_integer((long long)u);
}

/*
 * The YAML 1.1 float of plain scalar @s, or NULL (with *special set for
 * .inf/.nan).
 *   [-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? |
 * \.[0-9][0-9_]*([eE][-+][0-9]+)? | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* |
 * [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)
 */
static json_t *yaml_float(const char *s, bool *special)
{
	char buf[128];
	const char *p = s;
	bool neg = *p == '-';
	*special = false;
	if (*p == '-' || *p == '+')
		p++;
	if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF") ||
	    !strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN")) {
		*special = true;
		return NULL;
	}
	if (strlen(p) >= sizeof(buf))
		return NULL;
	const char *q = p;
	if (*q == '.') {
		if (p != s || !(q[1] >= '0' && q[1] <= '9'))
			return NULL;
		q++;
		while ((*q >= '0' && *q <= '9') || *q == '_')
			q++;
	} else {
		if (!(*q >= '0' && *q <= '9'))
			return NULL;
		while ((*q >= '0' && *q <= '9') || *q == '_')
			q++;
		bool sexa = false;
		while (*q == ':') {
			q++;
			if (*q >= '0' && *q <= '5' && q[1] >= '0' &&
			    q[1] <= '9')
				q += 2;
			else if (*q >= '0' && *q <= '9')
				q++;
			else
				return NULL;
			sexa = true;
		}
		if (*q != '.')
			return NULL;
		q++;
		while ((*q >= '0' && *q <= '9') || *q == '_')
			q++;
		if (sexa) {
			if (*q || !strip_us(p, buf, sizeof(buf)))
				return NULL;
			double d = sexagesimal(buf);
			return json_real(neg ? -d : d);
		}
	}
	if (*q == 'e' || *q == 'E') {
		q++;
		if (*q != '-' && *q != '+')
			return NULL;
		q++;
		if (!(*q >= '0' && *q <= '9'))
			return NULL;
		while (*q >= '0' && *q <= '9')
			q++;
	}
	if (*q || !strip_us(s, buf, sizeof(buf)))
		return NULL;
	double d = strtod(buf, NULL);
	if (isinf(d)) {
		*special = true;
		return NULL;
	}
	return json_real(d);
}

/* A scalar's value as its style and tag say. Returns NULL on error. */
static json_t *scalar_value(struct yp *yp, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	bool special = false;
	json_t *v;

	if (tag && strcmp(tag, "!") && strcmp(tag, TAG_STR)) {
		if (!strcmp(tag, TAG_NULL))
			return json_null();
		if (!strcmp(tag, TAG_BOOL)) {
			if (in(s, trues))
				return json_true();
			if (in(s, falses))
				return json_false();
			fail(yp, ev->start_mark, "'%s' is not a !!bool", s);
			return NULL;
		}
		if (!strcmp(tag, TAG_INT) || !strcmp(tag, TAG_FLOAT)) {
			v = yaml_int(s);
			if (!v)
				v = yaml_float(s, &special);
			if (!v)
				fail(yp, ev->start_mark,
				     "'%s' is not a number a JSON document can "
				     "hold",
				     s);
			return v;
		}
		/* A CloudFormation tag: its scalar is a string. */
		return json_stringn_nocheck(s, n);
	}
	if (!plain || tag)
		return json_stringn_nocheck(s, n);
	if (in(s, nulls))
		return json_null();
	if (in(s, trues))
		return json_true();
	if (in(s, falses))
		return json_false();
	char c = s[0];
	if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
		v = yaml_int(s);
		if (!v)
			v = yaml_float(s, &special);
		if (v)
			return v;
		if (special) {
			fail(yp, ev->start_mark,
			     "'%s' is not a number JSON can hold; quote it to "
			     "make it a string",
			     s);
			return NULL;
		}
	}
	return json_stringn_nocheck(s, n);
}

/* ---- building ---- */

static struct yframe *top(struct yp *yp)
{
	return yp->n_st ? &yp->st[yp->n_st - 1] : NULL;
}

static char *stack_pointer(struct yp *yp)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	for (size_t i = 0; i < yp->n_st; i++) {
		struct yframe *f = &yp->st[i];
		if (f->wrap)
			sfn_pointer_add(&sb, f->wrap);
		if (f->is_map)
			sfn_pointer_add(&sb, f->key.buf);
		else
			sfn_pointer_addi(&sb, f->index);
	}
	return sfn_strbuf_detach(&sb, NULL);
}

/* The hash and key position of the value about to be added. */
static uint64_t child_hash(struct yp *yp, int *kline, int *kcol)
{
	struct yframe *f = top(yp);
	*kline = *kcol = 0;
	if (!f)
		return SFN_HASH_ROOT;
	if (!f->is_map)
		return sfn_hash_index(f->hash, f->index);
	*kline = f->key_line;
	*kcol = f->key_col;
	return sfn_hash_token(f->hash, f->key.buf, f->key.len);
}

/* Wraps @v (stolen) as {"@key": v}. */
static json_t *wrap(const char *key, json_t *v)
{
	json_t *o = json_object();
	json_object_set_new_nocheck(o, key, v);
	return o;
}

static int merge_one(struct yp *yp, struct yframe *f, json_t *src,
		     yaml_mark_t m)
{
	if (!json_is_object(src))
		return fail(yp, m,
			    "merge key '<<' takes a mapping or a list of "
			    "mappings");
	int line, col;
	pos_of(yp, m, &line, &col);
	const char *k;
	json_t *v;
	json_object_foreach(src, k, v) {
		if (json_object_get(f->node, k))
			continue;
		json_object_set_nocheck(f->node, k, v);
		if (!f->merged)
			f->merged = json_object();
		json_object_set_new_nocheck(f->merged, k, json_true());
		sfn_srcmap_put(yp->ctx->map,
			       sfn_hash_token(f->hash, k, strlen(k)), line, col,
			       f->key_line, f->key_col);
	}
	return 0;
}

/* Adds the finished value @v (stolen) to the open container, or roots it. */
static int add_value(struct yp *yp, json_t *v, yaml_mark_t m)
{
	struct yframe *f = top(yp);
	if (!f) {
		yp->root = v;
		return 0;
	}
	if (!f->is_map) {
		json_array_append_new(f->node, v);
		f->index++;
		return 0;
	}
	f->have_key = false;
	if (f->key_merge) {
		int rc = 0;
		if (json_is_array(v)) {
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e)
				if ((rc = merge_one(yp, f, e, m)) < 0)
					break;
		} else {
			rc = merge_one(yp, f, v, m);
		}
		json_decref(v);
		return rc;
	}
	const char *k = f->key.buf;
	if (json_object_get(f->node, k)) {
		if (f->merged && json_object_get(f->merged, k)) {
			json_object_del(f->merged, k);
		} else if (sfn_dup_report(yp->ctx, f->key_line, f->key_col)) {
			const struct sfn_pos_ent *first = sfn_srcmap_first(
				yp->ctx->map,
				sfn_hash_token(f->hash, k, f->key.len));
			char *where = stack_pointer(yp);
			struct sfn_diag *d = sfn_diags_addf(
				yp->ctx->diags, SFN_SEV_ERROR,
				"SFN_DUPLICATE_KEY", where,
				"duplicate key '%s' (first at %d:%d)", k,
				first ? (int)first->kline : 0,
				first ? (int)first->kcol : 0);
			d->line = f->key_line;
			d->col = f->key_col;
			free(where);
		}
	}
	json_object_set_new_nocheck(f->node, k, v);
	return 0;
}

static void register_anchor(struct yp *yp, const char *name, json_t *v,
			    int depth)
{
	for (size_t i = 0; i < yp->n_anchors; i++) {
		if (!strcmp(yp->anchors[i].name, name)) {
			/* YAML: a later anchor of the same name wins. */
			json_decref(yp->anchors[i].value);
			yp->anchors[i].value = json_incref(v);
			yp->anchors[i].depth = depth;
			return;
		}
	}
	if (yp->n_anchors == yp->alloc_anchors) {
		yp->alloc_anchors =
			yp->alloc_anchors ? yp->alloc_anchors * 2 : 8;
		yp->anchors = sfn_xrealloc(
			yp->anchors, yp->alloc_anchors * sizeof(*yp->anchors));
	}
	yp->anchors[yp->n_anchors++] =
		(struct anchor){ sfn_xstrdup(name), json_incref(v), depth };
}

/* Number of values in @v and its nesting depth. */
static size_t count_values(const json_t *v, int *depth)
{
	size_t n = 1;
	int d = 0, cd;
	if (json_is_object(v)) {
		const char *k;
		json_t *c;
		json_object_foreach((json_t *)v, k, c) {
			n += count_values(c, &cd);
			d = cd > d ? cd : d;
		}
		d++;
	} else if (json_is_array(v)) {
		size_t i;
		json_t *c;
		json_array_foreach(v, i, c) {
			n += count_values(c, &cd);
			d = cd > d ? cd : d;
		}
		d++;
	}
	*depth = d;
	return n;
}

/* Makes @s the pending key of mapping @f. */
static void set_key(struct yp *yp, struct yframe *f, const char *s, size_t n,
		    yaml_mark_t m, bool merge)
{
	sfn_strbuf_reset(&f->key);
	sfn_strbuf_add(&f->key, s, n);
	pos_of(yp, m, &f->key_line, &f->key_col);
	f->have_key = true;
	f->key_merge = merge;
}

static int on_scalar(struct yp *yp, yaml_event_t *ev)
{
	struct yframe *f = top(yp);
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *wrapk = NULL;

	if (f && f->is_map && !f->have_key) {
		if (memchr(s, '\0', n))
			return fail(yp, ev->start_mark,
				    "mapping key contains a NUL character, "
				    "which is not supported");
		bool merge =
			(!tag &&
			 ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
			 !strcmp(s, "<<")) ||
			(tag && !strcmp(tag, TAG_MERGE));
		if (tag && strcmp(tag, "!") && strcmp(tag, TAG_STR) && !merge &&
		    strncmp(tag, "tag:yaml.org,2002:", 18))
			return fail(yp, ev->start_mark,
				    "tag '%s' on a mapping key is not "
				    "supported",
				    tag);
		set_key(yp, f, s, n, ev->start_mark, merge);
		if (ev->data.scalar.anchor) {
			json_t *ks = json_stringn_nocheck(s, n);
			register_anchor(yp,
					(const char *)ev->data.scalar.anchor,
					ks, 0);
			json_decref(ks);
		}
		return 0;
	}
	if (tag && tag[0] == '!' && tag[1]) {
		wrapk = cfn_key(tag);
		if (!wrapk)
			return fail(yp, ev->start_mark,
				    "unknown YAML tag '%s'; CloudFormation "
				    "tags are !Ref, !Sub, !GetAtt, !Join, "
				    "!If, ...",
				    tag);
	} else if (tag && tag[0] != '!' &&
		   strncmp(tag, "tag:yaml.org,2002:", 18)) {
		return fail(yp, ev->start_mark, "unknown YAML tag '%s'", tag);
	} else if (tag && tag[0] != '!' && strcmp(tag, TAG_STR) &&
		   strcmp(tag, TAG_INT) && strcmp(tag, TAG_FLOAT) &&
		   strcmp(tag, TAG_BOOL) && strcmp(tag, TAG_NULL)) {
		return fail(yp, ev->start_mark,
			    "YAML tag '%s' is not supported on a scalar", tag);
	}
	json_t *v = scalar_value(yp, ev);
	if (!v)
		return -1;
	int kline, kcol, line, col;
	uint64_t h = child_hash(yp, &kline, &kcol);
	pos_of(yp, ev->start_mark, &line, &col);
	sfn_srcmap_put(yp->ctx->map, h, line, col, kline, kcol);
	if (wrapk) {
		uint64_t ih = sfn_hash_token(h, wrapk, strlen(wrapk));
		if (!strcmp(wrapk, "Fn::GetAtt") && json_is_string(v)) {
			/* !GetAtt A.B is ["A", "B"] (the first '.' splits). */
			const char *dot = strchr(s, '.');
			json_t *arr = json_array();
			if (dot) {
				json_array_append_new(
					arr, json_stringn_nocheck(
						     s, (size_t)(dot - s)));
				json_array_append_new(
					arr, json_string_nocheck(dot + 1));
			} else {
				json_array_append_new(arr,
						      json_string_nocheck(s));
			}
			json_decref(v);
			v = arr;
			sfn_srcmap_put(yp->ctx->map, sfn_hash_index(ih, 0),
				       line, col, 0, 0);
			sfn_srcmap_put(yp->ctx->map, sfn_hash_index(ih, 1),
				       line, col, 0, 0);
		}
		sfn_srcmap_put(yp->ctx->map, ih, line, col, line, col);
		v = wrap(wrapk, v);
	}
	if (ev->data.scalar.anchor)
		register_anchor(yp, (const char *)ev->data.scalar.anchor, v,
				json_is_object(v) ? 1 : 0);
	return add_value(yp, v, ev->start_mark);
}

static int on_start(struct yp *yp, yaml_event_t *ev, bool is_map)
{
	struct yframe *f = top(yp);
	const char *tag = is_map ? (const char *)ev->data.mapping_start.tag
				 : (const char *)ev->data.sequence_start.tag;
	const char *anchor =
		is_map ? (const char *)ev->data.mapping_start.anchor
		       : (const char *)ev->data.sequence_start.anchor;
	const char *wrapk = NULL;
	if (f && f->is_map && !f->have_key)
		return fail(yp, ev->start_mark,
			    "a %s as a mapping key is not supported; keys "
			    "are strings",
			    is_map ? "mapping" : "sequence");
	if (yp->n_st >= SFN_MAX_DEPTH)
		return fail(yp, ev->start_mark,
			    "nesting deeper than %d levels is not supported",
			    SFN_MAX_DEPTH);
	if (tag && tag[0] == '!' && tag[1]) {
		wrapk = cfn_key(tag);
		if (!wrapk)
			return fail(yp, ev->start_mark,
				    "unknown YAML tag '%s'; CloudFormation "
				    "tags are !Ref, !Sub, !GetAtt, !Join, "
				    "!If, ...",
				    tag);
	} else if (tag && tag[0] != '!' &&
		   strcmp(tag, is_map ? TAG_MAP : TAG_SEQ)) {
		return fail(yp, ev->start_mark,
			    "YAML tag '%s' is not supported on a %s", tag,
			    is_map ? "mapping" : "sequence");
	}
	int kline, kcol, line, col;
	uint64_t h = child_hash(yp, &kline, &kcol);
	pos_of(yp, ev->start_mark, &line, &col);
	sfn_srcmap_put(yp->ctx->map, h, line, col, kline, kcol);
	uint64_t ih = h;
	if (wrapk) {
		ih = sfn_hash_token(h, wrapk, strlen(wrapk));
		sfn_srcmap_put(yp->ctx->map, ih, line, col, line, col);
	}
	if (yp->n_st == yp->alloc_st) {
		yp->alloc_st = yp->alloc_st ? yp->alloc_st * 2 : 16;
		yp->st = sfn_xrealloc(yp->st, yp->alloc_st * sizeof(*yp->st));
	}
	f = &yp->st[yp->n_st++];
	*f = (struct yframe){
		.node = is_map ? json_object() : json_array(),
		.is_map = is_map,
		.hash = ih,
		.outer = h,
		.line = line,
		.col = col,
		.start = ev->start_mark,
		.anchor = anchor ? sfn_xstrdup(anchor) : NULL,
		.wrap = wrapk,
	};
	sfn_strbuf_init(&f->key, 0);
	return 0;
}

static void frame_release(struct yframe *f)
{
	json_decref(f->node);
	json_decref(f->merged);
	free(f->anchor);
	sfn_strbuf_release(&f->key);
}

static int on_end(struct yp *yp, yaml_event_t *ev)
{
	struct yframe *f = top(yp);
	json_t *v = json_incref(f->node);
	if (f->wrap)
		v = wrap(f->wrap, v);
	char *anchor = f->anchor;
	yaml_mark_t start = f->start;
	f->anchor = NULL;
	frame_release(f);
	yp->n_st--;
	if (anchor) {
		int d;
		count_values(v, &d);
		register_anchor(yp, anchor, v, d);
		free(anchor);
	}
	(void)ev;
	return add_value(yp, v, start);
}

static int on_alias(struct yp *yp, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct anchor *a = NULL;
	for (size_t i = 0; i < yp->n_anchors; i++)
		if (!strcmp(yp->anchors[i].name, name))
			a = &yp->anchors[i];
	if (!a)
		return fail(yp, ev->start_mark,
			    "unknown anchor '%s' (an alias must follow its "
			    "anchor, &%s)",
			    name, name);
	struct yframe *f = top(yp);
	if (f && f->is_map && !f->have_key) {
		if (!json_is_string(a->value))
			return fail(yp, ev->start_mark,
				    "alias '*%s' as a mapping key is not a "
				    "string",
				    name);
		const char *s = json_string_value(a->value);
		set_key(yp, f, s, strlen(s), ev->start_mark, false);
		return 0;
	}
	int depth;
	size_t n = count_values(a->value, &depth);
	if (n > yp->budget)
		return fail(yp, ev->start_mark,
			    "aliases expand to more than %d values; the "
			    "document is too large once expanded",
			    ALIAS_BUDGET);
	yp->budget -= n;
	if ((int)yp->n_st + depth > SFN_MAX_DEPTH)
		return fail(yp, ev->start_mark,
			    "nesting deeper than %d levels is not supported",
			    SFN_MAX_DEPTH);
	int kline, kcol, line, col;
	uint64_t h = child_hash(yp, &kline, &kcol);
	pos_of(yp, ev->start_mark, &line, &col);
	sfn_srcmap_put(yp->ctx->map, h, line, col, kline, kcol);
	json_t *v = json_deep_copy(a->value);
	return add_value(yp, v, ev->start_mark);
}

json_t *sfn_parse_yaml(struct sfn_parse_ctx *ctx)
{
	struct yp yp = { .ctx = ctx, .budget = ALIAS_BUDGET };
	yaml_event_t ev;
	bool done = false;
	int rc = 0;
	if (!yaml_parser_initialize(&yp.parser))
		SFN_BUG("yaml_parser_initialize failed");
	yaml_parser_set_input_string(&yp.parser,
				     (const unsigned char *)ctx->buf, ctx->len);
	yaml_parser_set_encoding(&yp.parser, YAML_UTF8_ENCODING);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&yp.parser, &ev)) {
			rc = libyaml_error(&yp);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++yp.n_docs > 1)
				rc = fail(&yp, ev.start_mark,
					  "a second YAML document; a state "
					  "machine file holds one");
			break;
		case YAML_SCALAR_EVENT:
			if (!yp.n_st && ev.data.scalar.length == 0 &&
			    !ev.data.scalar.tag &&
			    ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
				rc = fail(&yp, ev.start_mark,
					  "the YAML document is empty, "
					  "expected a state machine");
			else
				rc = on_scalar(&yp, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = on_start(&yp, &ev, false);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = on_start(&yp, &ev, true);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			rc = on_end(&yp, &ev);
			break;
		case YAML_ALIAS_EVENT:
			rc = on_alias(&yp, &ev);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&yp.parser);
	for (size_t i = 0; i < yp.n_st; i++)
		frame_release(&yp.st[i]);
	free(yp.st);
	for (size_t i = 0; i < yp.n_anchors; i++) {
		free(yp.anchors[i].name);
		json_decref(yp.anchors[i].value);
	}
	free(yp.anchors);
	if (rc < 0) {
		json_decref(yp.root);
		return NULL;
	}
	if (!yp.root)
		sfn_parse_errorf(ctx->err, 1, 1,
				 "the YAML document is empty, expected a state "
				 "machine");
	return yp.root;
}
