/*
 * fmt_test: the picture-string built-ins (jsonata_fmt.h) against the JSONata
 * reference suite and a table of further cases.
 *
 * The suite part reads the groups of /work/shared/conformance/jsonata (or
 * $SFN_JSONATA_SUITE) that use these functions and runs every case whose
 * expression this file's small evaluator understands: calls of the six
 * functions with literal arguments, '~>' chains of them, '($v := ...; ...)'
 * blocks, '=' between two of them, '*' and unary '-' on numbers, and field
 * names looked up in the case's data. Anything else is the engine's to test
 * and is counted as skipped, never as passed.
 *
 * The table part is written in the same expression language; its expected
 * results were produced by the reference implementation (jsonata 2.2.2 from
 * npm, evaluated with node), so they pin its behaviour where the suite says
 * nothing.
 */
#include "jsonata/jsonata_fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/test.h"

/* ---- a tiny evaluator for the expressions of the cases ---- */

enum vt { V_UNDEF, V_NUM, V_STR, V_BOOL, V_OBJ };

struct val {
	enum vt t;
	double num;
	char *str;   /* V_STR: owned */
	json_t *obj; /* V_OBJ: new reference */
};

struct var {
	char name[32];
	struct val v;
};

struct ev {
	const char *s; /* the rest of the expression */
	json_t *data;  /* borrowed; may be NULL */
	struct var vars[8];
	size_t n_vars;
	bool unsupported;	/* a construct this evaluator lacks */
	struct sfn_fmt_err err; /* the first error raised */
};

static void val_release(struct val *v)
{
	free(v->str);
	json_decref(v->obj);
	memset(v, 0, sizeof(*v));
}

static struct val val_copy(const struct val *v)
{
	struct val c = *v;

	if (v->str)
		c.str = sfn_xstrdup(v->str);
	if (v->obj)
		json_incref(v->obj);
	return c;
}

static void skip_ws(struct ev *e)
{
	while (*e->s == ' ' || *e->s == '\n' || *e->s == '\t' || *e->s == '\r')
		e->s++;
}

static bool eat(struct ev *e, const char *tok)
{
	skip_ws(e);
	if (strncmp(e->s, tok, strlen(tok)))
		return false;
	e->s += strlen(tok);
	return true;
}

static bool failed(const struct ev *e)
{
	return e->unsupported || e->err.code[0];
}

static struct val expr(struct ev *e);

/* A string literal in single or double quotes, with JSON's escapes. */
static struct val string_lit(struct ev *e)
{
	char q = *e->s++;
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	struct val v = { .t = V_STR };

	while (*e->s && *e->s != q) {
		if (*e->s == '\\' && e->s[1]) {
			e->s++;
			switch (*e->s) {
			case 'n':
				sfn_strbuf_addch(&sb, '\n');
				break;
			case 't':
				sfn_strbuf_addch(&sb, '\t');
				break;
			case 'u': {
				unsigned cp = 0;
				sscanf(e->s + 1, "%4x", &cp);
				sfn_fmt_put_cp(&sb, cp);
				e->s += 4;
				break;
			}
			default:
				sfn_strbuf_addch(&sb, *e->s);
				break;
			}
			e->s++;
			continue;
		}
		sfn_strbuf_addch(&sb, *e->s++);
	}
	if (*e->s == q)
		e->s++;
	else
		e->unsupported = true;
	v.str = sfn_strbuf_detach(&sb, NULL);
	return v;
}

/* {"key": "value", ...} with string values: the options of $formatNumber. */
static struct val object_lit(struct ev *e)
{
	struct val v = { .t = V_OBJ, .obj = json_object() };

	e->s++;
	while (!failed(e) && !eat(e, "}")) {
		skip_ws(e);
		if (*e->s != '"' && *e->s != '\'') {
			e->unsupported = true;
			break;
		}
		struct val k = string_lit(e);
		struct val x = { 0 };
		if (eat(e, ":"))
			x = expr(e);
		if (x.t == V_STR)
			json_object_set_new(v.obj, k.str, json_string(x.str));
		else
			e->unsupported = true;
		val_release(&k);
		val_release(&x);
		eat(e, ",");
	}
	return v;
}

static struct val call(struct ev *e, const char *name, struct val *first);

static struct val primary(struct ev *e)
{
	struct val v = { 0 };

	skip_ws(e);
	if (*e->s == '"' || *e->s == '\'')
		return string_lit(e);
	if (*e->s == '{')
		return object_lit(e);
	if (*e->s == '-') {
		e->s++;
		v = primary(e);
		if (v.t == V_NUM)
			v.num = -v.num;
		else
			e->unsupported = true;
		return v;
	}
	if ((*e->s >= '0' && *e->s <= '9') || *e->s == '.') {
		char *end;
		v.t = V_NUM;
		v.num = strtod(e->s, &end);
		e->s = end;
		return v;
	}
	if (*e->s == '(') {
		e->s++;
		if (eat(e, ")"))
			return v; /* () is undefined */
		do {
			val_release(&v);
			v = expr(e);
		} while (!failed(e) && eat(e, ";"));
		if (!eat(e, ")"))
			e->unsupported = true;
		return v;
	}
	if (*e->s == '$') {
		char name[32];
		size_t n = 0;
		e->s++;
		while ((*e->s >= 'a' && *e->s <= 'z') ||
		       (*e->s >= 'A' && *e->s <= 'Z') || *e->s == '_')
			if (n + 1 < sizeof(name))
				name[n++] = *e->s++;
		name[n] = '\0';
		if (eat(e, ":=")) {
			v = expr(e);
			if (e->n_vars < 8) {
				snprintf(e->vars[e->n_vars].name, sizeof(name),
					 "%s", name);
				e->vars[e->n_vars++].v = val_copy(&v);
			}
			return v;
		}
		skip_ws(e);
		if (*e->s == '(')
			return call(e, name, NULL);
		for (size_t i = 0; i < e->n_vars; i++)
			if (!strcmp(e->vars[i].name, name))
				return val_copy(&e->vars[i].v);
		e->unsupported = true;
		return v;
	}
	if ((*e->s >= 'a' && *e->s <= 'z') || (*e->s >= 'A' && *e->s <= 'Z')) {
		char name[64];
		size_t n = 0;
		while ((*e->s >= 'a' && *e->s <= 'z') ||
		       (*e->s >= 'A' && *e->s <= 'Z') ||
		       (*e->s >= '0' && *e->s <= '9') || *e->s == '_')
			if (n + 1 < sizeof(name))
				name[n++] = *e->s++;
		name[n] = '\0';
		json_t *f = json_is_object(e->data)
				    ? json_object_get(e->data, name)
				    : NULL;
		if (!f)
			return v; /* a missing field is undefined */
		if (json_is_number(f)) {
			v.t = V_NUM;
			v.num = json_number_value(f);
		} else if (json_is_string(f)) {
			v.t = V_STR;
			v.str = sfn_xstrdup(json_string_value(f));
		} else {
			e->unsupported = true;
		}
		return v;
	}
	e->unsupported = true;
	return v;
}

static struct val product(struct ev *e)
{
	struct val v = primary(e);

	while (!failed(e) && eat(e, "*")) {
		struct val r = primary(e);
		if (v.t == V_NUM && r.t == V_NUM)
			v.num *= r.num;
		else
			e->unsupported = true;
		val_release(&r);
	}
	return v;
}

static struct val chain(struct ev *e)
{
	struct val v = product(e);

	while (!failed(e) && eat(e, "~>")) {
		char name[32];
		size_t n = 0;
		if (!eat(e, "$")) {
			e->unsupported = true;
			break;
		}
		while ((*e->s >= 'a' && *e->s <= 'z') ||
		       (*e->s >= 'A' && *e->s <= 'Z'))
			if (n + 1 < sizeof(name))
				name[n++] = *e->s++;
		name[n] = '\0';
		v = call(e, name, &v);
	}
	return v;
}

static struct val expr(struct ev *e)
{
	struct val v = chain(e);

	skip_ws(e);
	if (!failed(e) && e->s[0] == '=' && e->s[1] != '>') {
		e->s++;
		struct val r = chain(e);
		bool eq = v.t == r.t && (v.t == V_NUM	? v.num == r.num
					 : v.t == V_STR ? !strcmp(v.str, r.str)
							: v.t != V_UNDEF);
		val_release(&v);
		val_release(&r);
		v = (struct val){ .t = V_BOOL, .num = eq };
	}
	return v;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1000 + (double)(ts.tv_nsec / 1000000);
}

/* Calls $name(@first, args...): @first (may be NULL) is a chain's value. */
static struct val call(struct ev *e, const char *name, struct val *first)
{
	struct val a[4] = { 0 }, r = { 0 };
	size_t n = 0;

	if (first) {
		a[n++] = *first;
		memset(first, 0, sizeof(*first));
	}
	if (!eat(e, "(")) {
		e->unsupported = true;
		goto out;
	}
	if (!eat(e, ")")) {
		do {
			struct val x = expr(e);
			if (n < 4)
				a[n++] = x;
			else
				val_release(&x);
		} while (!failed(e) && eat(e, ","));
		if (!eat(e, ")"))
			e->unsupported = true;
	}
	if (failed(e))
		goto out;
	struct sfn_strbuf out = SFN_STRBUF_INIT;
	int rc = 0;
	bool text = true, undef = false;
	double num = 0;
	if (a[0].t == V_UNDEF && strcmp(name, "toMillis") &&
	    strcmp(name, "fromMillis") && strcmp(name, "formatNumber") &&
	    strcmp(name, "formatBase") && strcmp(name, "formatInteger") &&
	    strcmp(name, "parseInteger")) {
		e->unsupported = true;
	} else if (a[0].t == V_UNDEF) {
		text = false;
		undef = true; /* undefined in, undefined out */
	} else if (!strcmp(name, "formatNumber") && a[0].t == V_NUM &&
		   a[1].t == V_STR) {
		struct sfn_fmt_decimal_format df;
		sfn_fmt_decimal_format_init(&df);
		if (a[2].t == V_OBJ) {
			const char *k;
			json_t *x;
			json_object_foreach(a[2].obj, k, x)
				sfn_fmt_decimal_format_set(
					&df, k, json_string_value(x));
		}
		rc = sfn_fmt_number(a[0].num, a[1].str, &df, &out, &e->err);
	} else if (!strcmp(name, "formatBase") && a[0].t == V_NUM &&
		   (a[1].t == V_NUM || a[1].t == V_UNDEF)) {
		rc = sfn_fmt_base(a[0].num, a[1].t == V_NUM ? a[1].num : 10,
				  &out, &e->err);
	} else if (!strcmp(name, "formatInteger") && a[0].t == V_NUM &&
		   a[1].t == V_STR) {
		rc = sfn_fmt_integer(a[0].num, a[1].str, &out, &e->err);
	} else if (!strcmp(name, "parseInteger") && a[0].t == V_STR &&
		   a[1].t == V_STR) {
		text = false;
		rc = sfn_fmt_parse_integer(a[0].str, a[1].str, &num, &undef,
					   &e->err);
	} else if (!strcmp(name, "fromMillis") && a[0].t == V_NUM &&
		   (a[1].t == V_STR || a[1].t == V_UNDEF) &&
		   (a[2].t == V_STR || a[2].t == V_UNDEF)) {
		rc = sfn_fmt_from_millis(a[0].num, a[1].str, a[2].str, &out,
					 &e->err);
	} else if (!strcmp(name, "toMillis") && a[0].t == V_STR &&
		   (a[1].t == V_STR || a[1].t == V_UNDEF)) {
		text = false;
		rc = sfn_fmt_to_millis(a[0].str, a[1].str, now_ms(), &num,
				       &undef, &e->err);
	} else {
		e->unsupported = true;
	}
	if (!failed(e) && rc == 0 && !undef) {
		if (text) {
			r.t = V_STR;
			r.str = sfn_strbuf_detach(&out, NULL);
		} else {
			r.t = V_NUM;
			r.num = num;
		}
	}
	sfn_strbuf_release(&out);
out:
	for (size_t i = 0; i < 4; i++)
		val_release(&a[i]);
	return r;
}

/* ---- running one case ---- */

struct outcome {
	bool unsupported;
	struct val v;
	char code[8];
};

static struct outcome run(const char *text, json_t *data)
{
	struct ev e = { .s = text, .data = data, .err = SFN_FMT_ERR_INIT };
	struct outcome o = { 0 };

	o.v = expr(&e);
	skip_ws(&e);
	if (*e.s && !e.err.code[0])
		e.unsupported = true;
	o.unsupported = e.unsupported;
	snprintf(o.code, sizeof(o.code), "%s", e.err.code);
	if (e.err.code[0] && !e.err.message)
		o.unsupported = true; /* every error has its message */
	sfn_fmt_err_release(&e.err);
	for (size_t i = 0; i < e.n_vars; i++)
		val_release(&e.vars[i].v);
	if (o.code[0])
		val_release(&o.v);
	return o;
}

/* Does @o match @want (a JSON result), @undef (undefinedResult) or @code? */
static bool matches(const struct outcome *o, json_t *want, bool undef,
		    const char *code, char *why, size_t n)
{
	if (code) {
		snprintf(why, n, "want error %s, got %s", code,
			 o->code[0] ? o->code : "no error");
		return !strcmp(o->code, code);
	}
	if (o->code[0]) {
		snprintf(why, n, "unexpected error %s", o->code);
		return false;
	}
	if (undef) {
		snprintf(why, n, "want undefined");
		return o->v.t == V_UNDEF;
	}
	if (json_is_string(want)) {
		snprintf(why, n, "want \"%s\", got \"%s\"",
			 json_string_value(want),
			 o->v.t == V_STR ? o->v.str : "(not a string)");
		return o->v.t == V_STR &&
		       !strcmp(o->v.str, json_string_value(want));
	}
	if (json_is_number(want)) {
		snprintf(why, n, "want %.17g, got %.17g%s",
			 json_number_value(want), o->v.num,
			 o->v.t == V_NUM ? "" : " (not a number)");
		return o->v.t == V_NUM && o->v.num == json_number_value(want);
	}
	if (json_is_boolean(want)) {
		snprintf(why, n, "want %s",
			 json_is_true(want) ? "true" : "false");
		return o->v.t == V_BOOL &&
		       (o->v.num != 0) == json_is_true(want);
	}
	snprintf(why, n, "unsupported expected value");
	return false;
}

/* ---- the suite ---- */

static const char *const groups[] = {
	"function-formatNumber", "function-formatInteger",
	"function-parseInteger", "function-formatBase",
	"function-fromMillis",	 "function-tomillis",
};

static int suite_run, suite_pass, suite_skip;

static void suite_case(const char *dir, const char *file, size_t index,
		       json_t *c)
{
	const char *text = json_string_value(json_object_get(c, "expr"));
	json_t *data = json_object_get(c, "data");
	const char *dataset = json_string_value(json_object_get(c, "dataset"));
	json_t *loaded = NULL;
	char why[512], path[1024];

	if (!text) {
		suite_skip++;
		return;
	}
	if (!data && dataset) {
		snprintf(path, sizeof(path), "%s/../datasets/%s.json", dir,
			 dataset);
		loaded = json_load_file(path, JSON_DECODE_ANY, NULL);
		data = loaded;
	}
	struct outcome o = run(text, data);
	if (o.unsupported) {
		suite_skip++;
		if (getenv("SFN_FMT_TEST_VERBOSE"))
			printf("skipped: %s/%s[%zu]: %s\n", dir, file, index,
			       text);
	} else {
		suite_run++;
		bool ok = matches(
			&o, json_object_get(c, "result"),
			json_is_true(json_object_get(c, "undefinedResult")),
			json_string_value(json_object_get(c, "code")), why,
			sizeof(why));
		suite_pass += ok;
		SFN_CHECK(ok, "suite %s/%s[%zu]: %s: %s", dir, file, index,
			  text, why);
	}
	val_release(&o.v);
	json_decref(loaded);
}

static void run_suite(void)
{
	const char *root = getenv("SFN_JSONATA_SUITE");
	char dir[1024], path[1200];

	if (!root)
		root = "/work/shared/conformance/jsonata";
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		snprintf(dir, sizeof(dir), "%s/groups/%s", root, groups[g]);
		/* The files are case000.json ... and a few named ones. */
		static const char *const named[] = {
			"formatInteger.json",  "parseInteger.json",
			"formatDateTime.json", "isoWeekDate.json",
			"parseDateTime.json",  "issue785.json",
			"issue786.json",
		};
		for (int i = 0; i < 100 + 7; i++) {
			char file[64];
			if (i < 100)
				snprintf(file, sizeof(file), "case%03d.json",
					 i);
			else
				snprintf(file, sizeof(file), "%s",
					 named[i - 100]);
			snprintf(path, sizeof(path), "%s/%s", dir, file);
			json_t *j = json_load_file(path, JSON_DECODE_ANY, NULL);
			if (!j)
				continue;
			if (json_is_array(j)) {
				size_t k;
				json_t *c;
				json_array_foreach(j, k, c)
					suite_case(groups[g], file, k, c);
			} else {
				suite_case(groups[g], file, 0, j);
			}
			json_decref(j);
		}
	}
	printf("suite: %d cases run, %d passed, %d skipped (for the engine)\n",
	       suite_run, suite_pass, suite_skip);
	SFN_CHECK(suite_run > 0, "no suite case found under %s", root);
}

/* ---- the table: expectations from the reference (jsonata 2.2.2) ---- */

static const struct {
	const char *expr;
	const char *want; /* JSON of the result; NULL: undefined */
	const char *code; /* or the error */
} table[] = {
	/* TABLE */
	{ "$formatNumber(1, '0')", "\"1\"", NULL },
};

int main(void)
{
	run_suite();
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		char why[512];
		json_t *want = table[i].want ? json_loads(table[i].want,
							  JSON_DECODE_ANY, NULL)
					     : NULL;
		struct outcome o = run(table[i].expr, NULL);
		SFN_CHECK(!o.unsupported, "table[%zu]: %s: not understood", i,
			  table[i].expr);
		if (!o.unsupported) {
			bool ok = matches(&o, want,
					  !table[i].want && !table[i].code,
					  table[i].code, why, sizeof(why));
			SFN_CHECK(ok, "table[%zu]: %s: %s", i, table[i].expr,
				  why);
		}
		val_release(&o.v);
		json_decref(want);
	}
	return sfn_test_done();
}
