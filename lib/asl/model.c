#include "asl/model.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Compiling a definition: one pass over the JSON, typed fields out. Only
 * what the interpreter needs to run safely is checked here; the linter
 * reports everything else. Errors carry the JSON Pointer of the field.
 */

#define E_SCHEMA "SCHEMA_VALIDATION_FAILED"

struct cc {
	struct sfn_error *err;
	struct sfn_strbuf where; /* pointer of what is being compiled */
	enum sfn_qlang qlang;	 /* of the state being compiled */
	struct sfn_state *st;	 /* for uses_context */
	/* A Choice rule's or catcher's fields are named under it in AWS's
	 * messages ("Choices[1]/Output/v", "Catch[0]/Assign/x"); NULL when
	 * the state's own fields are compiled. */
	const char *field_prefix;
};

static char *here(struct cc *c)
{
	return sfn_xstrdup(c->where.buf);
}

static int fail(struct cc *c, const char *fmt, ...) SFN_PRINTF(2, 3);
static int fail(struct cc *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sfn_verrorf(c->err, E_SCHEMA, c->where.buf, fmt, ap);
	va_end(ap);
	return -1;
}

/* Pushes /key on the pointer; returns the length to pop back to. */
static size_t push(struct cc *c, const char *key)
{
	size_t len = c->where.len;
	sfn_pointer_add(&c->where, key);
	return len;
}

static size_t pushi(struct cc *c, size_t i)
{
	size_t len = c->where.len;
	sfn_pointer_addi(&c->where, i);
	return len;
}

static void pop(struct cc *c, size_t len)
{
	c->where.len = len;
	c->where.buf[len] = '\0';
}

static bool is_jsonata_text(const char *s, size_t n)
{
	return n >= 4 && s[0] == '{' && s[1] == '%' && s[n - 2] == '%' &&
	       s[n - 1] == '}';
}

/* ---- paths, intrinsics, JSONata ---- */

static void mark_context(const struct sfn_path *p, void *ud)
{
	struct cc *c = ud;
	if (sfn_path_root(p) == SFN_ROOT_CONTEXT && c->st)
		c->st->uses_context = true;
}

/*
 * Compiles the path string @text found at the current pointer. Context and
 * variable roots are allowed unless @flags say otherwise.
 */
static struct sfn_path *compile_path(struct cc *c, const char *text, int flags)
{
	struct sfn_error e = SFN_ERROR_INIT;
	struct sfn_path *p = sfn_path_compile(text, flags, &e);
	if (!p) {
		fail(c, "%s", e.cause ? e.cause : "invalid path");
		sfn_error_release(&e);
		return NULL;
	}
	mark_context(p, c);
	return p;
}

static struct sfn_jsonata *compile_jsonata(struct cc *c, const char *text,
					   size_t n)
{
	struct sfn_jsonata_error je = { 0 };
	/* Whitespace inside the delimiters is trimmed (asl-core.md §10.1). */
	const char *s = text + 2;
	size_t len = n - 4;
	struct sfn_jsonata *e =
		sfn_jsonata_compile(s, len, SFN_JSONATA_AWS, &je);
	if (!e) {
		sfn_errorf(c->err, "INVALID_JSONATA_EXPRESSION", c->where.buf,
			   "%s", je.message ? je.message : "invalid JSONata");
		sfn_jsonata_error_release(&je);
		return NULL;
	}
	if (c->st && strstr(text, "$states"))
		c->st->uses_context = true;
	return e;
}

/* ---- templates ---- */

static void tmpl_free(struct sfn_tmpl *t)
{
	if (!t)
		return;
	json_decref(t->literal);
	sfn_path_free(t->path);
	sfn_intrinsic_free(t->fn);
	sfn_jsonata_free(t->expr);
	free(t->text);
	free(t->field);
	for (size_t i = 0; i < t->n; i++) {
		if (t->keys)
			free(t->keys[i]);
		tmpl_free(t->vals[i]);
	}
	free(t->keys);
	free(t->vals);
	free(t->where);
	free(t);
}

static struct sfn_tmpl *tmpl_new(struct cc *c, enum sfn_tmpl_kind kind)
{
	struct sfn_tmpl *t = sfn_xcalloc(1, sizeof(*t));
	t->kind = kind;
	t->where = here(c);
	return t;
}

static bool tmpl_is_literal(const struct sfn_tmpl *t)
{
	return t->kind == SFN_TMPL_LITERAL;
}

/* An OBJECT/ARRAY whose members are all literal becomes one literal. */
static struct sfn_tmpl *fold(struct sfn_tmpl *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (!tmpl_is_literal(t->vals[i]))
			return t;
	json_t *v = t->kind == SFN_TMPL_OBJECT ? json_object() : json_array();
	for (size_t i = 0; i < t->n; i++) {
		if (t->kind == SFN_TMPL_OBJECT)
			json_object_set(v, t->keys[i], t->vals[i]->literal);
		else
			json_array_append(v, t->vals[i]->literal);
		free(t->keys ? t->keys[i] : NULL);
		tmpl_free(t->vals[i]);
	}
	free(t->keys);
	free(t->vals);
	t->keys = NULL;
	t->vals = NULL;
	t->n = 0;
	t->kind = SFN_TMPL_LITERAL;
	t->literal = v;
	return t;
}

/*
 * Whether JSONata @src may reach $states.context: the Context object is
 * only reachable through $states, so unless every "$states" in the text
 * is exactly $states.input, $states.result or $states.errorOutput (the
 * name ending there), it may. Conservative on purpose: a "$states" in a
 * string or comment, "$states . input" or "$statesX" all count as reads.
 */
static bool may_read_context(const char *src)
{
	static const char *const safe[] = { ".input", ".result",
					    ".errorOutput" };
	for (const char *p = strstr(src, "$states"); p;
	     p = strstr(p + 1, "$states")) {
		const char *q = p + strlen("$states");
		bool ok = false;
		for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++) {
			size_t n = strlen(safe[i]);
			if (strncmp(q, safe[i], n))
				continue;
			/* The name must end there ("$states.inputs" is
			 * another field); q[n] is within the text now. */
			unsigned char next = (unsigned char)q[n];
			if (!(isalnum(next) || next == '_' || next == '$' ||
			      next >= 0x80)) {
				ok = true;
				break;
			}
		}
		if (!ok)
			return true;
	}
	return false;
}

static struct sfn_tmpl *compile_tmpl_jsonata(struct cc *c, json_t *v,
					     const char *field);

/* JSONPath payload template (asl-core.md §3.3). */
static struct sfn_tmpl *compile_tmpl_jsonpath(struct cc *c, json_t *v)
{
	struct sfn_tmpl *t;
	if (json_is_object(v)) {
		t = tmpl_new(c, SFN_TMPL_OBJECT);
		size_t n = json_object_size(v);
		t->keys = sfn_xcalloc(n ? n : 1, sizeof(char *));
		t->vals = sfn_xcalloc(n ? n : 1, sizeof(*t->vals));
		const char *key;
		json_t *m;
		json_object_foreach(v, key, m) {
			size_t len = push(c, key);
			size_t kl = strlen(key);
			struct sfn_tmpl *mt;
			if (kl >= 2 && !strcmp(key + kl - 2, ".$")) {
				const char *s = json_string_value(m);
				if (!s ||
				    (s[0] != '$' && !sfn_intrinsic_detect(s))) {
					fail(c,
					     "The value for the field '%s' "
					     "must "
					     "be a valid JSONPath or a valid "
					     "intrinsic function call",
					     key);
					pop(c, len);
					t->n = json_object_size(v) > t->n
						       ? t->n
						       : t->n;
					tmpl_free(t);
					return NULL;
				}
				if (s[0] == '$') {
					mt = tmpl_new(c, SFN_TMPL_PATH);
					mt->path = compile_path(
						c, s,
						SFN_PATH_ALLOW_CONTEXT |
							SFN_PATH_ALLOW_VARIABLE);
				} else {
					struct sfn_error e = SFN_ERROR_INIT;
					mt = tmpl_new(c, SFN_TMPL_INTRINSIC);
					mt->fn = sfn_intrinsic_compile(s, &e);
					if (!mt->fn) {
						fail(c, "%s",
						     e.cause ? e.cause
							     : "invalid "
							       "intrinsic");
						sfn_error_release(&e);
					} else {
						sfn_intrinsic_foreach_path(
							mt->fn, mark_context,
							c);
					}
				}
				mt->text = sfn_xstrdup(s);
				mt->field = sfn_xstrdup(key);
				t->keys[t->n] = sfn_xstrndup(key, kl - 2);
				if (!mt->path && !mt->fn) {
					free(t->keys[t->n]); /* not counted */
					tmpl_free(mt);
					pop(c, len);
					tmpl_free(t);
					return NULL;
				}
			} else {
				mt = compile_tmpl_jsonpath(c, m);
				t->keys[t->n] = sfn_xstrdup(key);
				if (!mt) {
					free(t->keys[t->n]);
					pop(c, len);
					tmpl_free(t);
					return NULL;
				}
			}
			t->vals[t->n++] = mt;
			pop(c, len);
		}
		return fold(t);
	}
	if (json_is_array(v)) {
		t = tmpl_new(c, SFN_TMPL_ARRAY);
		size_t n = json_array_size(v);
		t->vals = sfn_xcalloc(n ? n : 1, sizeof(*t->vals));
		for (size_t i = 0; i < n; i++) {
			size_t len = pushi(c, i);
			struct sfn_tmpl *mt =
				compile_tmpl_jsonpath(c, json_array_get(v, i));
			pop(c, len);
			if (!mt) {
				tmpl_free(t);
				return NULL;
			}
			t->vals[t->n++] = mt;
		}
		return fold(t);
	}
	t = tmpl_new(c, SFN_TMPL_LITERAL);
	t->literal = json_incref(v);
	return t;
}

/*
 * JSONata template: "{% %}" strings at any depth. @field is the name of
 * this value in AWS's messages ("Output/a/b[0]").
 */
static struct sfn_tmpl *compile_tmpl_jsonata(struct cc *c, json_t *v,
					     const char *field)
{
	struct sfn_tmpl *t;
	if (json_is_object(v)) {
		t = tmpl_new(c, SFN_TMPL_OBJECT);
		size_t n = json_object_size(v);
		t->keys = sfn_xcalloc(n ? n : 1, sizeof(char *));
		t->vals = sfn_xcalloc(n ? n : 1, sizeof(*t->vals));
		const char *key;
		json_t *m;
		json_object_foreach(v, key, m) {
			size_t len = push(c, key);
			char *f = sfn_xasprintf("%s/%s", field, key);
			struct sfn_tmpl *mt = compile_tmpl_jsonata(c, m, f);
			free(f);
			pop(c, len);
			if (!mt) {
				tmpl_free(t);
				return NULL;
			}
			t->keys[t->n] = sfn_xstrdup(key);
			t->vals[t->n++] = mt;
		}
		return fold(t);
	}
	if (json_is_array(v)) {
		t = tmpl_new(c, SFN_TMPL_ARRAY);
		size_t n = json_array_size(v);
		t->vals = sfn_xcalloc(n ? n : 1, sizeof(*t->vals));
		for (size_t i = 0; i < n; i++) {
			size_t len = pushi(c, i);
			char *f = sfn_xasprintf("%s[%zu]", field, i);
			struct sfn_tmpl *mt = compile_tmpl_jsonata(
				c, json_array_get(v, i), f);
			free(f);
			pop(c, len);
			if (!mt) {
				tmpl_free(t);
				return NULL;
			}
			t->vals[t->n++] = mt;
		}
		return fold(t);
	}
	const char *s = json_string_value(v);
	size_t sl = json_string_length(v);
	if (s && is_jsonata_text(s, sl)) {
		t = tmpl_new(c, SFN_TMPL_JSONATA);
		t->text = sfn_xstrndup(s + 2, sl - 4);
		/* AWS quotes the expression trimmed of surrounding blanks. */
		char *b = t->text, *e = b + strlen(b);
		while (*b && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		memmove(t->text, b, (size_t)(e - b));
		t->text[e - b] = '\0';
		t->field = sfn_xstrdup(field);
		t->reads_context = may_read_context(t->text);
		t->expr = compile_jsonata(c, s, sl);
		if (!t->expr) {
			tmpl_free(t);
			return NULL;
		}
		return t;
	}
	t = tmpl_new(c, SFN_TMPL_LITERAL);
	t->literal = json_incref(v);
	return t;
}

/* The template of field @key of @obj in the state's language, or NULL. */
static int tmpl_field(struct cc *c, json_t *obj, const char *key,
		      struct sfn_tmpl **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v)
		return 0;
	size_t len = push(c, key);
	if (c->qlang == SFN_QL_JSONATA) {
		char *name =
			c->field_prefix
				? sfn_xasprintf("%s/%s", c->field_prefix, key)
				: NULL;
		*out = compile_tmpl_jsonata(c, v, name ? name : key);
		free(name);
	} else {
		*out = compile_tmpl_jsonpath(c, v);
	}
	pop(c, len);
	return *out ? 0 : -1;
}

/*
 * A path field: absent -> NULL (meaning "$"), null -> *@is_null, a string
 * -> compiled. @flags as sfn_path_compile.
 */
static int path_field(struct cc *c, json_t *obj, const char *key, int flags,
		      struct sfn_path **out, bool *is_null)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (is_null)
		*is_null = false;
	if (!v)
		return 0;
	size_t len = push(c, key);
	int r = 0;
	if (json_is_null(v) && is_null) {
		*is_null = true;
	} else if (!json_is_string(v)) {
		r = fail(c, "'%s' must be a string", key);
	} else {
		*out = compile_path(c, json_string_value(v), flags);
		if (!*out)
			r = -1;
	}
	pop(c, len);
	return r;
}

static int string_field(struct cc *c, json_t *obj, const char *key, char **out,
			bool required)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v) {
		if (required)
			return fail(c, "These fields are required: [%s]", key);
		return 0;
	}
	if (!json_is_string(v)) {
		size_t len = push(c, key);
		fail(c, "'%s' must be a string", key);
		pop(c, len);
		return -1;
	}
	*out = sfn_xstrdup(json_string_value(v));
	return 0;
}

/*
 * A number field @key with its @key"Path" form (JSONPath) or a "{% %}"
 * string (JSONata).
 */
static int num_field(struct cc *c, json_t *obj, const char *key,
		     struct sfn_num_field *f)
{
	char pkey[64];
	snprintf(pkey, sizeof(pkey), "%sPath", key);
	json_t *v = json_object_get(obj, key);
	json_t *pv = json_object_get(obj, pkey);
	memset(f, 0, sizeof(*f));
	if (v && pv)
		return fail(c,
			    "There should only be one of the following "
			    "fields: [%s, %s]",
			    key, pkey);
	if (pv) {
		f->set = true;
		size_t len = push(c, pkey);
		f->where = here(c);
		pop(c, len);
		return path_field(c, obj, pkey,
				  SFN_PATH_ALLOW_CONTEXT |
					  SFN_PATH_ALLOW_VARIABLE,
				  &f->path, NULL);
	}
	if (!v)
		return 0;
	f->set = true;
	size_t len = push(c, key);
	f->where = here(c);
	int r = 0;
	if (json_is_number(v)) {
		f->value = json_number_value(v);
	} else if (json_is_string(v) && c->qlang == SFN_QL_JSONATA &&
		   is_jsonata_text(json_string_value(v),
				   json_string_length(v))) {
		f->expr = compile_tmpl_jsonata(c, v, key);
		if (!f->expr)
			r = -1;
	} else {
		r = fail(c, "'%s' must be a number", key);
	}
	pop(c, len);
	return r;
}

static void num_field_release(struct sfn_num_field *f)
{
	sfn_path_free(f->path);
	tmpl_free(f->expr);
	free(f->where);
}

/* ---- timestamps and StringMatches ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* @n digits as a number, or -1; stops at the first non-digit (or NUL). */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool sfn_timestamp_parse(const char *s, double *epoch)
{
	int64_t sec;
	int32_t nsec;
	if (!sfn_timestamp_parse_ns(s, &sec, &nsec))
		return false;
	*epoch = (double)sec + nsec / 1e9;
	return true;
}

bool sfn_timestamp_parse_ns(const char *s, int64_t *sec, int32_t *nsec)
{
	/* YYYY-MM-DDTHH:MM:SS(.fraction)?(Z|+HH:MM|-HH:MM) */
	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':')
		return false;
	int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	int h = digits(s + 11, 2), mi = digits(s + 14, 2),
	    se = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || se < 0 || se > 60)
		return false;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return false;
	const char *p = s + 19;
	int32_t frac = 0, scale = 100000000;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p)) {
			frac += (*p - '0') * scale;
			scale /= 10;
			p++;
		}
	}
	int off = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		/* Six characters, checked in order: none is read past the
		 * string's end. */
		int oh = digits(p + 1, 2);
		if (oh < 0 || p[3] != ':')
			return false;
		int om = digits(p + 4, 2);
		if (om < 0 || oh > 23 || om > 59)
			return false;
		off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return false;
	}
	if (*p)
		return false;
	int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	*sec = days * 86400 + h * 3600 + mi * 60 + se - off;
	*nsec = frac;
	return true;
}

bool sfn_string_matches(const char *s, const char *pat)
{
	/* Iterative glob with one backtrack point (the last '*'). */
	const char *star = NULL, *mark = NULL;
	while (*s) {
		if (*pat == '\\' && (pat[1] == '*' || pat[1] == '\\')) {
			if (*s == pat[1]) {
				s++;
				pat += 2;
				continue;
			}
		} else if (*pat == '*') {
			star = ++pat;
			mark = s;
			continue;
		} else if (*pat && *pat == *s) {
			s++;
			pat++;
			continue;
		}
		if (!star)
			return false;
		pat = star;
		s = ++mark;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* ---- Choice rules ---- */

static const struct {
	const char *name;
	enum sfn_choice_op op;
	int kind; /* 's' string, 'n' number, 'b' bool, 't' timestamp, 'p'
		     pattern */
} ops[] = {
	{ "StringEquals", SFN_OP_STRING_EQ, 's' },
	{ "StringLessThan", SFN_OP_STRING_LT, 's' },
	{ "StringGreaterThan", SFN_OP_STRING_GT, 's' },
	{ "StringLessThanEquals", SFN_OP_STRING_LE, 's' },
	{ "StringGreaterThanEquals", SFN_OP_STRING_GE, 's' },
	{ "StringMatches", SFN_OP_STRING_MATCHES, 'p' },
	{ "NumericEquals", SFN_OP_NUMERIC_EQ, 'n' },
	{ "NumericLessThan", SFN_OP_NUMERIC_LT, 'n' },
	{ "NumericGreaterThan", SFN_OP_NUMERIC_GT, 'n' },
	{ "NumericLessThanEquals", SFN_OP_NUMERIC_LE, 'n' },
	{ "NumericGreaterThanEquals", SFN_OP_NUMERIC_GE, 'n' },
	{ "BooleanEquals", SFN_OP_BOOLEAN_EQ, 'b' },
	{ "TimestampEquals", SFN_OP_TIMESTAMP_EQ, 't' },
	{ "TimestampLessThan", SFN_OP_TIMESTAMP_LT, 't' },
	{ "TimestampGreaterThan", SFN_OP_TIMESTAMP_GT, 't' },
	{ "TimestampLessThanEquals", SFN_OP_TIMESTAMP_LE, 't' },
	{ "TimestampGreaterThanEquals", SFN_OP_TIMESTAMP_GE, 't' },
	{ "IsNull", SFN_OP_IS_NULL, 'b' },
	{ "IsPresent", SFN_OP_IS_PRESENT, 'b' },
	{ "IsNumeric", SFN_OP_IS_NUMERIC, 'b' },
	{ "IsString", SFN_OP_IS_STRING, 'b' },
	{ "IsBoolean", SFN_OP_IS_BOOLEAN, 'b' },
	{ "IsTimestamp", SFN_OP_IS_TIMESTAMP, 'b' },
};

static void rule_release(struct sfn_choice_rule *r)
{
	sfn_path_free(r->variable);
	json_decref(r->operand);
	sfn_path_free(r->operand_path);
	tmpl_free(r->condition);
	for (size_t i = 0; i < r->n_subs; i++)
		rule_release(&r->subs[i]);
	free(r->subs);
	free(r->next);
	tmpl_free(r->assign);
	tmpl_free(r->output);
	free(r->where);
}

static int compile_rule(struct cc *c, json_t *j, struct sfn_choice_rule *r,
			bool top, int depth)
{
	memset(r, 0, sizeof(*r));
	r->where = here(c);
	if (!json_is_object(j))
		return fail(c, "a Choice Rule must be an object");
	if (depth > 100)
		return fail(c, "Choice Rules nested too deeply");
	if (top) {
		if (string_field(c, j, "Next", &r->next, true) < 0)
			return -1;
		if (tmpl_field(c, j, "Assign", &r->assign) < 0)
			return -1;
		if (c->qlang == SFN_QL_JSONATA &&
		    tmpl_field(c, j, "Output", &r->output) < 0)
			return -1;
	}
	if (c->qlang == SFN_QL_JSONATA) {
		json_t *cond = json_object_get(j, "Condition");
		if (!cond)
			return fail(c,
				    "These fields are required: [Condition]");
		r->op = SFN_OP_CONDITION;
		size_t len = push(c, "Condition");
		if (json_is_boolean(cond)) {
			r->condition = tmpl_new(c, SFN_TMPL_LITERAL);
			r->condition->literal = json_incref(cond);
		} else {
			char *f = c->field_prefix
					  ? sfn_xasprintf("%s/Condition",
							  c->field_prefix)
					  : sfn_xstrdup("Condition");
			r->condition = compile_tmpl_jsonata(c, cond, f);
			free(f);
		}
		pop(c, len);
		return r->condition ? 0 : -1;
	}
	json_t *sub;
	const char *comp[] = { "And", "Or", "Not" };
	for (int k = 0; k < 3; k++) {
		sub = json_object_get(j, comp[k]);
		if (!sub)
			continue;
		r->op = k == 0 ? SFN_OP_AND : k == 1 ? SFN_OP_OR : SFN_OP_NOT;
		size_t len = push(c, comp[k]);
		if (k == 2) {
			r->subs = sfn_xcalloc(1, sizeof(*r->subs));
			r->n_subs = 1;
			int rr =
				compile_rule(c, sub, r->subs, false, depth + 1);
			pop(c, len);
			return rr;
		}
		if (!json_is_array(sub) || !json_array_size(sub)) {
			fail(c, "Value cannot be empty");
			pop(c, len);
			return -1;
		}
		size_t n = json_array_size(sub);
		r->subs = sfn_xcalloc(n, sizeof(*r->subs));
		for (size_t i = 0; i < n; i++) {
			size_t l2 = pushi(c, i);
			r->n_subs++;
			int rr = compile_rule(c, json_array_get(sub, i),
					      &r->subs[i], false, depth + 1);
			pop(c, l2);
			if (rr < 0) {
				pop(c, len);
				return -1;
			}
		}
		pop(c, len);
		return 0;
	}
	if (path_field(c, j, "Variable",
		       SFN_PATH_ALLOW_CONTEXT | SFN_PATH_ALLOW_VARIABLE,
		       &r->variable, NULL) < 0)
		return -1;
	if (!r->variable)
		return fail(c, "These fields are required: [Variable]");
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char pname[64];
		snprintf(pname, sizeof(pname), "%sPath", ops[i].name);
		json_t *v = json_object_get(j, ops[i].name);
		json_t *pv = ops[i].kind == 'p' || ops[i].op >= SFN_OP_IS_NULL
				     ? NULL
				     : json_object_get(j, pname);
		if (!v && !pv)
			continue;
		r->op = ops[i].op;
		if (pv)
			return path_field(c, j, pname,
					  SFN_PATH_ALLOW_CONTEXT |
						  SFN_PATH_ALLOW_VARIABLE,
					  &r->operand_path, NULL);
		size_t len = push(c, ops[i].name);
		int rr = 0;
		switch (ops[i].kind) {
		case 's':
		case 'p':
			if (!json_is_string(v))
				rr = fail(c, "'%s' must be a string",
					  ops[i].name);
			break;
		case 'n':
			if (!json_is_number(v))
				rr = fail(c, "'%s' must be a number",
					  ops[i].name);
			break;
		case 'b':
			if (!json_is_boolean(v))
				rr = fail(c, "'%s' must be a boolean",
					  ops[i].name);
			break;
		case 't': {
			double t;
			if (!json_is_string(v) ||
			    !sfn_timestamp_parse(json_string_value(v), &t))
				rr = fail(c, "String does not match RFC3339 "
					     "timestamp");
			break;
		}
		}
		pop(c, len);
		r->operand = json_incref(v);
		return rr;
	}
	return fail(c, "a Choice Rule needs a comparison operator");
}

/* ---- retry / catch ---- */

static int errors_field(struct cc *c, json_t *j, char ***out, size_t *n)
{
	json_t *a = json_object_get(j, "ErrorEquals");
	if (!json_is_array(a) || !json_array_size(a))
		return fail(c, "These fields are required: [ErrorEquals]");
	*n = json_array_size(a);
	*out = sfn_xcalloc(*n, sizeof(char *));
	for (size_t i = 0; i < *n; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		(*out)[i] = sfn_xstrdup(s ? s : "");
	}
	return 0;
}

static int compile_retry(struct cc *c, json_t *a, struct sfn_state *st)
{
	if (!a)
		return 0;
	size_t len = push(c, "Retry");
	if (!json_is_array(a)) {
		fail(c, "'Retry' must be an array");
		pop(c, len);
		return -1;
	}
	st->retry = sfn_xcalloc(json_array_size(a) + 1, sizeof(*st->retry));
	for (size_t i = 0; i < json_array_size(a); i++) {
		size_t l2 = pushi(c, i);
		json_t *j = json_array_get(a, i);
		struct sfn_retrier *r = &st->retry[st->n_retry++];
		r->where = here(c);
		r->interval = 1;
		r->max_attempts = 3;
		r->backoff = 2.0;
		if (!json_is_object(j) ||
		    errors_field(c, j, &r->errors, &r->n_errors) < 0) {
			fail(c, "a retrier must be an object with ErrorEquals");
			pop(c, len);
			return -1;
		}
		json_t *v;
		if ((v = json_object_get(j, "IntervalSeconds")))
			r->interval = sfn_json_number(v);
		if ((v = json_object_get(j, "MaxAttempts"))) {
			/* Out of range: the linter reports it. */
			double ma = sfn_json_number(v);
			r->max_attempts = !(ma > 0)	       ? 0
					  : ma >= 4294967295.0 ? 4294967295u
							       : (unsigned)ma;
		}
		if ((v = json_object_get(j, "BackoffRate")))
			r->backoff = sfn_json_number(v);
		if ((v = json_object_get(j, "MaxDelaySeconds")))
			r->max_delay = sfn_json_number(v);
		if ((v = json_object_get(j, "JitterStrategy")))
			r->jitter_full = json_is_string(v) &&
					 !strcmp(json_string_value(v), "FULL");
		pop(c, l2);
	}
	pop(c, len);
	return 0;
}

static int compile_catch(struct cc *c, json_t *a, struct sfn_state *st)
{
	if (!a)
		return 0;
	size_t len = push(c, "Catch");
	if (!json_is_array(a)) {
		fail(c, "'Catch' must be an array");
		pop(c, len);
		return -1;
	}
	st->catch = sfn_xcalloc(json_array_size(a) + 1, sizeof(*st->catch));
	for (size_t i = 0; i < json_array_size(a); i++) {
		size_t l2 = pushi(c, i);
		json_t *j = json_array_get(a, i);
		struct sfn_catcher *k = &st->catch[st->n_catch++];
		k->where = here(c);
		char *fp = sfn_xasprintf("Catch[%zu]", i);
		c->field_prefix = fp;
		int bad = !json_is_object(j) ||
			  errors_field(c, j, &k->errors, &k->n_errors) < 0 ||
			  string_field(c, j, "Next", &k->next, true) < 0 ||
			  path_field(c, j, "ResultPath", 0, &k->result_path,
				     &k->result_path_null) < 0 ||
			  tmpl_field(c, j, "Assign", &k->assign) < 0 ||
			  (c->qlang == SFN_QL_JSONATA &&
			   tmpl_field(c, j, "Output", &k->output) < 0);
		c->field_prefix = NULL;
		free(fp);
		if (bad) {
			fail(c, "invalid catcher");
			pop(c, len);
			return -1;
		}
		pop(c, l2);
	}
	pop(c, len);
	return 0;
}

/* ---- states ---- */

static const char *const type_names[] = {
	[SFN_STATE_PASS] = "Pass",	   [SFN_STATE_TASK] = "Task",
	[SFN_STATE_CHOICE] = "Choice",	   [SFN_STATE_WAIT] = "Wait",
	[SFN_STATE_SUCCEED] = "Succeed",   [SFN_STATE_FAIL] = "Fail",
	[SFN_STATE_PARALLEL] = "Parallel", [SFN_STATE_MAP] = "Map",
};

const char *sfn_state_type_name(enum sfn_state_type t)
{
	return type_names[t];
}

static struct sfn_machine *compile_machine(struct cc *c, json_t *j,
					   enum sfn_qlang parent, int depth);

static int compile_fail_field(struct cc *c, json_t *j, const char *key,
			      char **lit, struct sfn_tmpl **expr)
{
	json_t *v = json_object_get(j, key);
	char pkey[32];
	snprintf(pkey, sizeof(pkey), "%sPath", key);
	json_t *pv = json_object_get(j, pkey);
	if (v && pv)
		return fail(c,
			    "There should only be one of the following "
			    "fields: [%s, %s]",
			    key, pkey);
	if (v) {
		if (c->qlang == SFN_QL_JSONATA && json_is_string(v) &&
		    is_jsonata_text(json_string_value(v),
				    json_string_length(v)))
			return tmpl_field(c, j, key, expr);
		return string_field(c, j, key, lit, false);
	}
	if (pv) {
		size_t len = push(c, pkey);
		const char *s = json_string_value(pv);
		int r = 0;
		if (!s) {
			r = fail(c, "'%s' must be a string", pkey);
		} else {
			struct sfn_tmpl *t;
			if (s[0] == '$') {
				t = tmpl_new(c, SFN_TMPL_PATH);
				t->path = compile_path(
					c, s,
					SFN_PATH_ALLOW_CONTEXT |
						SFN_PATH_ALLOW_VARIABLE);
			} else {
				struct sfn_error e = SFN_ERROR_INIT;
				t = tmpl_new(c, SFN_TMPL_INTRINSIC);
				t->fn = sfn_intrinsic_compile(s, &e);
				if (!t->fn)
					fail(c, "%s",
					     e.cause ? e.cause
						     : "invalid intrinsic");
				sfn_error_release(&e);
			}
			t->text = sfn_xstrdup(s);
			t->field = sfn_xstrdup(pkey);
			*expr = t;
			if (!t->path && !t->fn)
				r = -1;
		}
		pop(c, len);
		return r;
	}
	return 0;
}

static int compile_state(struct cc *c, const char *name, json_t *j,
			 struct sfn_state *st, enum sfn_qlang mq, int depth)
{
	size_t len0 = push(c, name);
	int r = -1;
	st->name = sfn_xstrdup(name);
	st->where = here(c);
	c->st = st;
	if (!json_is_object(j)) {
		fail(c, "a state must be an object");
		goto out;
	}
	const char *type = json_string_value(json_object_get(j, "Type"));
	if (!type) {
		fail(c, "These fields are required: [Type]");
		goto out;
	}
	size_t t;
	for (t = 0; t < sizeof(type_names) / sizeof(type_names[0]); t++)
		if (!strcmp(type, type_names[t]))
			break;
	if (t == sizeof(type_names) / sizeof(type_names[0])) {
		size_t l = push(c, "Type");
		fail(c, "'%s' is not a valid state type", type);
		pop(c, l);
		goto out;
	}
	st->type = (enum sfn_state_type)t;
	st->qlang = mq;
	const char *ql = json_string_value(json_object_get(j, "QueryLanguage"));
	if (ql && !strcmp(ql, "JSONata"))
		st->qlang = SFN_QL_JSONATA;
	else if (ql && !strcmp(ql, "JSONPath"))
		st->qlang = SFN_QL_JSONPATH;
	c->qlang = st->qlang;

	if (string_field(c, j, "Next", &st->next, false) < 0)
		goto out;
	st->end = json_is_true(json_object_get(j, "End"));
	bool jp = st->qlang == SFN_QL_JSONPATH;
	const int pf = SFN_PATH_ALLOW_CONTEXT | SFN_PATH_ALLOW_VARIABLE;
	if (jp) {
		if (path_field(c, j, "InputPath", pf, &st->input_path,
			       &st->input_path_null) < 0 ||
		    path_field(c, j, "OutputPath", pf, &st->output_path,
			       &st->output_path_null) < 0 ||
		    path_field(c, j, "ResultPath", 0, &st->result_path,
			       &st->result_path_null) < 0 ||
		    tmpl_field(c, j, "ResultSelector", &st->result_selector) <
			    0)
			goto out;
		if (st->type != SFN_STATE_MAP &&
		    tmpl_field(c, j, "Parameters", &st->parameters) < 0)
			goto out;
	} else {
		if (tmpl_field(c, j, "Output", &st->output) < 0 ||
		    tmpl_field(c, j, "Arguments", &st->parameters) < 0)
			goto out;
	}
	if (tmpl_field(c, j, "Assign", &st->assign) < 0)
		goto out;
	json_t *res = json_object_get(j, "Result");
	if (res && st->type == SFN_STATE_PASS)
		st->result = json_incref(res);
	if (compile_retry(c, json_object_get(j, "Retry"), st) < 0 ||
	    compile_catch(c, json_object_get(j, "Catch"), st) < 0)
		goto out;

	switch (st->type) {
	case SFN_STATE_TASK:
		if (string_field(c, j, "Resource", &st->resource, true) < 0 ||
		    num_field(c, j, "TimeoutSeconds", &st->timeout) < 0 ||
		    num_field(c, j, "HeartbeatSeconds", &st->heartbeat) < 0 ||
		    tmpl_field(c, j, "Credentials", &st->credentials) < 0)
			goto out;
		break;
	case SFN_STATE_CHOICE: {
		json_t *a = json_object_get(j, "Choices");
		if (!json_is_array(a) || !json_array_size(a)) {
			fail(c, "These fields are required: [Choices]");
			goto out;
		}
		if (string_field(c, j, "Default", &st->default_name, false) < 0)
			goto out;
		size_t n = json_array_size(a);
		st->choices = sfn_xcalloc(n, sizeof(*st->choices));
		size_t l = push(c, "Choices");
		for (size_t i = 0; i < n; i++) {
			size_t l2 = pushi(c, i);
			st->n_choices++;
			char *fp = sfn_xasprintf("Choices[%zu]", i);
			c->field_prefix = fp;
			int rr = compile_rule(c, json_array_get(a, i),
					      &st->choices[i], true, 0);
			c->field_prefix = NULL;
			free(fp);
			pop(c, l2);
			if (rr < 0) {
				pop(c, l);
				goto out;
			}
		}
		pop(c, l);
		break;
	}
	case SFN_STATE_WAIT: {
		if (num_field(c, j, "Seconds", &st->seconds) < 0)
			goto out;
		json_t *ts = json_object_get(j, "Timestamp");
		if (ts) {
			st->has_timestamp = true;
			size_t l = push(c, "Timestamp");
			const char *s = json_string_value(ts);
			if (s && !jp &&
			    is_jsonata_text(s, json_string_length(ts))) {
				st->timestamp_expr = compile_tmpl_jsonata(
					c, ts, "Timestamp");
				if (!st->timestamp_expr) {
					pop(c, l);
					goto out;
				}
			} else if (!s ||
				   !sfn_timestamp_parse(s, &st->timestamp)) {
				fail(c, "String does not match RFC3339 "
					"timestamp");
				pop(c, l);
				goto out;
			}
			pop(c, l);
		}
		if (path_field(c, j, "TimestampPath", pf, &st->timestamp_path,
			       NULL) < 0)
			goto out;
		if (st->timestamp_path)
			st->has_timestamp = true;
		if (!st->seconds.set && !st->has_timestamp) {
			fail(c, "A Wait state needs one of Seconds, "
				"SecondsPath, Timestamp, TimestampPath");
			goto out;
		}
		break;
	}
	case SFN_STATE_FAIL:
		if (compile_fail_field(c, j, "Error", &st->error,
				       &st->error_expr) < 0 ||
		    compile_fail_field(c, j, "Cause", &st->cause,
				       &st->cause_expr) < 0)
			goto out;
		break;
	case SFN_STATE_PARALLEL: {
		json_t *a = json_object_get(j, "Branches");
		size_t l = push(c, "Branches");
		if (!json_is_array(a) || !json_array_size(a)) {
			fail(c, "Value cannot be empty");
			pop(c, l);
			goto out;
		}
		st->branches =
			sfn_xcalloc(json_array_size(a), sizeof(*st->branches));
		for (size_t i = 0; i < json_array_size(a); i++) {
			size_t l2 = pushi(c, i);
			st->branches[i] = compile_machine(
				c, json_array_get(a, i), mq, depth + 1);
			pop(c, l2);
			if (!st->branches[i]) {
				pop(c, l);
				goto out;
			}
			st->n_branches++;
		}
		pop(c, l);
		c->st = st;
		c->qlang = st->qlang;
		break;
	}
	case SFN_STATE_MAP: {
		json_t *proc = json_object_get(j, "ItemProcessor");
		const char *pkey = "ItemProcessor";
		if (!proc) {
			proc = json_object_get(j, "Iterator");
			pkey = "Iterator";
		}
		if (!proc) {
			fail(c, "These fields are required: [ItemProcessor]");
			goto out;
		}
		json_t *pc = json_object_get(proc, "ProcessorConfig");
		const char *mode =
			json_string_value(json_object_get(pc, "Mode"));
		st->distributed = mode && !strcmp(mode, "DISTRIBUTED");
		const char *et =
			json_string_value(json_object_get(pc, "ExecutionType"));
		st->child_express = et && !strcmp(et, "EXPRESS");
		size_t l = push(c, pkey);
		st->processor = compile_machine(c, proc, mq, depth + 1);
		pop(c, l);
		if (!st->processor)
			goto out;
		c->st = st;
		c->qlang = st->qlang;
		if (jp) {
			if (path_field(c, j, "ItemsPath", pf, &st->items_path,
				       NULL) < 0)
				goto out;
			if (tmpl_field(c, j, "ItemSelector",
				       &st->item_selector) < 0)
				goto out;
			if (!st->item_selector &&
			    tmpl_field(c, j, "Parameters", &st->item_selector) <
				    0)
				goto out;
		} else {
			if (tmpl_field(c, j, "Items", &st->items) < 0 ||
			    tmpl_field(c, j, "ItemSelector",
				       &st->item_selector) < 0)
				goto out;
		}
		if (num_field(c, j, "MaxConcurrency", &st->max_concurrency) <
			    0 ||
		    num_field(c, j, "ToleratedFailureCount",
			      &st->tolerated_count) < 0 ||
		    num_field(c, j, "ToleratedFailurePercentage",
			      &st->tolerated_pct) < 0)
			goto out;
		if (string_field(c, j, "Label", &st->label, false) < 0)
			goto out;
		json_t *ir = json_object_get(j, "ItemReader");
		if (ir) {
			const char *ires = json_string_value(
				json_object_get(ir, "Resource"));
			st->reader_resource = sfn_xstrdup(ires ? ires : "");
		}
		json_t *rw = json_object_get(j, "ResultWriter");
		if (json_is_object(rw)) {
			const char *tf = json_string_value(json_object_get(
				json_object_get(rw, "WriterConfig"),
				"Transformation"));
			st->writer_flatten = tf && !strcmp(tf, "FLATTEN");
			st->writer_export =
				json_object_get(rw, "Resource") != NULL;
			size_t lw = push(c, "ResultWriter");
			int wr = tmpl_field(c, rw,
					    jp ? "Parameters" : "Arguments",
					    &st->writer_params);
			pop(c, lw);
			if (wr < 0)
				goto out;
		}
		json_t *ib = json_object_get(j, "ItemBatcher");
		if (ib) {
			size_t lb = push(c, "ItemBatcher");
			st->has_batcher = true;
			int rr = num_field(c, ib, "MaxItemsPerBatch",
					   &st->batch_max_items);
			if (!rr)
				rr = num_field(c, ib, "MaxInputBytesPerBatch",
					       &st->batch_max_bytes);
			if (!rr)
				rr = tmpl_field(c, ib, "BatchInput",
						&st->batch_input);
			pop(c, lb);
			if (rr < 0)
				goto out;
		}
		break;
	}
	default:
		break;
	}
	if (st->type != SFN_STATE_CHOICE && st->type != SFN_STATE_SUCCEED &&
	    st->type != SFN_STATE_FAIL && !st->next && !st->end) {
		fail(c, "These fields are required: [Next]");
		goto out;
	}
	r = 0;
out:
	pop(c, len0);
	return r;
}

static void state_release(struct sfn_state *st)
{
	free(st->name);
	free(st->where);
	free(st->next);
	sfn_path_free(st->input_path);
	sfn_path_free(st->output_path);
	sfn_path_free(st->result_path);
	tmpl_free(st->parameters);
	tmpl_free(st->result_selector);
	tmpl_free(st->output);
	tmpl_free(st->assign);
	json_decref(st->result);
	free(st->resource);
	num_field_release(&st->timeout);
	num_field_release(&st->heartbeat);
	tmpl_free(st->credentials);
	for (size_t i = 0; i < st->n_retry; i++) {
		for (size_t k = 0; k < st->retry[i].n_errors; k++)
			free(st->retry[i].errors[k]);
		free(st->retry[i].errors);
		free(st->retry[i].where);
	}
	free(st->retry);
	for (size_t i = 0; i < st->n_catch; i++) {
		struct sfn_catcher *k = &st->catch[i];
		for (size_t e = 0; e < k->n_errors; e++)
			free(k->errors[e]);
		free(k->errors);
		free(k->next);
		sfn_path_free(k->result_path);
		tmpl_free(k->output);
		tmpl_free(k->assign);
		free(k->where);
	}
	free(st->catch);
	for (size_t i = 0; i < st->n_choices; i++)
		rule_release(&st->choices[i]);
	free(st->choices);
	free(st->default_name);
	num_field_release(&st->seconds);
	sfn_path_free(st->timestamp_path);
	tmpl_free(st->timestamp_expr);
	free(st->error);
	free(st->cause);
	tmpl_free(st->error_expr);
	tmpl_free(st->cause_expr);
	for (size_t i = 0; i < st->n_branches; i++)
		sfn_machine_free(st->branches[i]);
	free(st->branches);
	sfn_machine_free(st->processor);
	sfn_path_free(st->items_path);
	tmpl_free(st->items);
	tmpl_free(st->item_selector);
	num_field_release(&st->max_concurrency);
	num_field_release(&st->tolerated_count);
	num_field_release(&st->tolerated_pct);
	free(st->label);
	free(st->reader_resource);
	num_field_release(&st->batch_max_items);
	num_field_release(&st->batch_max_bytes);
	tmpl_free(st->batch_input);
	tmpl_free(st->writer_params);
}

struct sfn_state *sfn_machine_find(const struct sfn_machine *m,
				   const char *name)
{
	for (size_t i = 0; i < m->n_states; i++)
		if (!strcmp(m->states[i].name, name))
			return &m->states[i];
	return NULL;
}

static int resolve(struct cc *c, struct sfn_machine *m, const char *name,
		   struct sfn_state **out, const char *where_state,
		   const char *field)
{
	*out = sfn_machine_find(m, name);
	if (*out)
		return 0;
	struct sfn_strbuf w = SFN_STRBUF_INIT;
	sfn_strbuf_adds(&w, where_state);
	sfn_pointer_add(&w, field);
	sfn_errorf(c->err, "MISSING_TRANSITION_TARGET", w.buf,
		   "Missing 'Next' target: %s", name);
	sfn_strbuf_release(&w);
	return -1;
}

/* See struct sfn_machine's may_wait; those of @m's sub-machines are
 * known already. */
static bool machine_may_wait(const struct sfn_machine *m)
{
	for (size_t i = 0; i < m->n_states; i++) {
		const struct sfn_state *st = &m->states[i];
		switch (st->type) {
		case SFN_STATE_TASK:
		case SFN_STATE_WAIT:
			return true;
		case SFN_STATE_PARALLEL:
			if (st->n_retry)
				return true;
			for (size_t k = 0; k < st->n_branches; k++)
				if (st->branches[k]->may_wait)
					return true;
			break;
		case SFN_STATE_MAP:
			if (st->n_retry || st->distributed ||
			    st->processor->may_wait)
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

static struct sfn_machine *compile_machine(struct cc *c, json_t *j,
					   enum sfn_qlang parent, int depth)
{
	struct sfn_machine *m = sfn_xcalloc(1, sizeof(*m));
	m->where = here(c);
	m->qlang = parent;
	if (depth > 64) {
		fail(c, "state machines nested too deeply");
		goto bad;
	}
	if (!json_is_object(j)) {
		fail(c, "a state machine must be an object");
		goto bad;
	}
	const char *ql = json_string_value(json_object_get(j, "QueryLanguage"));
	if (ql && !strcmp(ql, "JSONata"))
		m->qlang = SFN_QL_JSONATA;
	json_t *states = json_object_get(j, "States");
	const char *start = json_string_value(json_object_get(j, "StartAt"));
	if (!json_is_object(states) || !start) {
		fail(c, "These fields are required: [StartAt, States]");
		goto bad;
	}
	json_t *to = json_object_get(j, "TimeoutSeconds");
	if (json_is_number(to))
		m->timeout_seconds = json_number_value(to);
	m->states =
		sfn_xcalloc(json_object_size(states) + 1, sizeof(*m->states));
	size_t len = push(c, "States");
	const char *name;
	json_t *sj;
	json_object_foreach(states, name, sj) {
		struct sfn_state *st = &m->states[m->n_states++];
		if (compile_state(c, name, sj, st, m->qlang, depth) < 0) {
			pop(c, len);
			goto bad;
		}
	}
	pop(c, len);
	m->start = sfn_machine_find(m, start);
	if (!m->start) {
		size_t l = push(c, "StartAt");
		sfn_errorf(c->err, "MISSING_TRANSITION_TARGET", c->where.buf,
			   "Missing 'Next' target: %s", start);
		pop(c, l);
		goto bad;
	}
	for (size_t i = 0; i < m->n_states; i++) {
		struct sfn_state *st = &m->states[i];
		if (st->next &&
		    resolve(c, m, st->next, &st->target, st->where, "Next") < 0)
			goto bad;
		if (st->default_name &&
		    resolve(c, m, st->default_name, &st->default_target,
			    st->where, "Default") < 0)
			goto bad;
		for (size_t k = 0; k < st->n_catch; k++)
			if (resolve(c, m, st->catch[k].next,
				    &st->catch[k].target, st->catch[k].where,
				    "Next") < 0)
				goto bad;
		for (size_t k = 0; k < st->n_choices; k++)
			if (resolve(c, m, st->choices[k].next,
				    &st->choices[k].target,
				    st->choices[k].where, "Next") < 0)
				goto bad;
	}
	m->may_wait = machine_may_wait(m);
	return m;
bad:
	sfn_machine_free(m);
	return NULL;
}

struct sfn_machine *sfn_machine_compile(json_t *root, struct sfn_error *err)
{
	struct cc c = { .err = err, .where = SFN_STRBUF_INIT };
	sfn_strbuf_init(&c.where, 64);
	struct sfn_machine *m = compile_machine(&c, root, SFN_QL_JSONPATH, 0);
	sfn_strbuf_release(&c.where);
	return m;
}

void sfn_machine_free(struct sfn_machine *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_states; i++)
		state_release(&m->states[i]);
	free(m->states);
	free(m->where);
	free(m);
}
