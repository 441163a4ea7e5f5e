/*
 * intrinsics: the parser and evaluator of ASL's intrinsic function calls
 * (asl-core.md §4). Grammar:
 *
 *   call   = ws "States." name ws "(" ws [ arg { ws "," ws arg } ] ws ")" ws
 *   arg    = string | number | "true" | "false" | "null" | path | call
 *   string = "'" { char | "\'" | "\{" | "\}" | "\\" } "'"
 *   number = [ "-" ] digits [ "." digits ] [ exp ]
 *   exp    = ( "e" | "E" ) [ "+" | "-" ] digits
 *   path   = "$" ... up to "," ")" or a blank outside brackets and quotes,
 *            compiled by jsonpath with the Context object and variables
 *
 * A call whose arguments are all literals (after folding nested calls) and
 * whose function is deterministic is evaluated once, at compile time: its
 * errors become compile errors and its result is reused. The functions
 * themselves live in functions.c, one row each in intrinsics_table[].
 */
#include "intrinsics/intrinsics.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "intrinsics/intrinsics_int.h"

#include "base/banned.h"

/* AWS allows at most 10 nested calls in one field (asl-core.md §4.1). */
#define MAX_CALL_DEPTH 10

void sfn_intrinsic_free(struct sfn_intrinsic *fn)
{
	if (!fn)
		return;
	for (size_t i = 0; i < fn->n_args; i++) {
		struct intrinsic_arg *a = &fn->args[i];
		json_decref(a->literal);
		sfn_path_free(a->path);
		sfn_intrinsic_free(a->call);
		free(a->raw);
	}
	free(fn->args);
	json_decref(fn->folded);
	free(fn->text);
	free(fn);
}

bool sfn_intrinsic_detect(const char *text)
{
	const char *p = text;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (strncmp(p, "States.", 7))
		return false;
	p += 7;
	if (!isalpha((unsigned char)*p))
		return false;
	while (isalnum((unsigned char)*p))
		p++;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '(';
}

/* ---- parser ---- */

struct iparser {
	const char *s; /* the whole text */
	size_t len;
	size_t pos;
	struct sfn_error *err;
	bool failed;
};

static int pfail(struct iparser *ps, size_t at, const char *fmt, ...)
	SFN_PRINTF(3, 4);

static int pfail(struct iparser *ps, size_t at, const char *fmt, ...)
{
	if (ps->failed)
		return -1;
	ps->failed = true;
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sfn_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	sfn_errorf(ps->err, SFN_E_RUNTIME, NULL,
		   "invalid intrinsic function call '%s': %s at character %zu",
		   ps->s, sb.buf, at + 1);
	sfn_strbuf_release(&sb);
	return -1;
}

static int ipeek(const struct iparser *ps)
{
	return ps->pos < ps->len ? (unsigned char)ps->s[ps->pos] : -1;
}

static void iskip_ws(struct iparser *ps)
{
	while (ps->pos < ps->len && strchr(" \t\n\r", ps->s[ps->pos]) != NULL)
		ps->pos++;
}

/*
 * string = "'" ... "'": only \' \{ \} \\ are escapes; any other backslash
 * makes the definition invalid (asl-core.md §4.1, OBS test_illegal_escapes).
 * @raw receives the text with escapes kept, for States.Format's template.
 */
static json_t *parse_string(struct iparser *ps, char **raw)
{
	size_t open = ps->pos++;
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	size_t start = ps->pos;
	while (ps->pos < ps->len) {
		char c = ps->s[ps->pos];
		if (c == '\'') {
			*raw = sfn_xstrndup(ps->s + start, ps->pos - start);
			ps->pos++;
			json_t *v = json_stringn(sb.buf, sb.len);
			sfn_strbuf_release(&sb);
			if (!v) {
				free(*raw);
				*raw = NULL;
				pfail(ps, open, "a string is not valid UTF-8");
			}
			return v;
		}
		if (c == '\\') {
			char d = ps->pos + 1 < ps->len ? ps->s[ps->pos + 1] : 0;
			if (d != '\'' && d != '{' && d != '}' && d != '\\') {
				sfn_strbuf_release(&sb);
				pfail(ps, ps->pos,
				      "'\\%c' is not an escape: only \\', \\{, "
				      "\\} and \\\\ are allowed in a string",
				      d ? d : ' ');
				return NULL;
			}
			sfn_strbuf_addch(&sb, d);
			ps->pos += 2;
			continue;
		}
		sfn_strbuf_addch(&sb, c);
		ps->pos++;
	}
	sfn_strbuf_release(&sb);
	pfail(ps, open, "unterminated string '...'");
	return NULL;
}

static json_t *parse_number(struct iparser *ps)
{
	size_t start = ps->pos;
	const char *s = ps->s;
	size_t i = ps->pos;
	bool real = false;
	if (s[i] == '-')
		i++;
	if (i >= ps->len || !isdigit((unsigned char)s[i]))
		goto bad;
	/* As in JSON: no leading zeros ("007"). */
	if (s[i] == '0' && i + 1 < ps->len && isdigit((unsigned char)s[i + 1]))
		goto bad;
	while (i < ps->len && isdigit((unsigned char)s[i]))
		i++;
	if (i < ps->len && s[i] == '.') {
		real = true;
		i++;
		if (i >= ps->len || !isdigit((unsigned char)s[i]))
			goto bad;
		while (i < ps->len && isdigit((unsigned char)s[i]))
			i++;
	}
	if (i < ps->len && (s[i] == 'e' || s[i] == 'E')) {
		real = true;
		i++;
		if (i < ps->len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= ps->len || !isdigit((unsigned char)s[i]))
			goto bad;
		while (i < ps->len && isdigit((unsigned char)s[i]))
			i++;
	}
	char *num = sfn_xstrndup(s + start, i - start);
	json_t *v = NULL;
	char *end;
	if (!real) {
		errno = 0;
		long long x = strtoll(num, &end, 10);
		if (errno != ERANGE)
			v = json_integer(x);
	}
	if (!v) {
		double d = strtod(num, &end);
		if (isfinite(d))
			v = json_real(d);
	}
	free(num);
	if (!v) {
		pfail(ps, start, "number out of range");
		return NULL;
	}
	ps->pos = i;
	return v;
bad:
	pfail(ps, start, "invalid number");
	return NULL;
}

/* The extent of a path argument: to "," ")" or a blank at depth 0. */
static size_t path_end(const struct iparser *ps)
{
	size_t i = ps->pos;
	int depth = 0;
	char quote = 0;
	for (; i < ps->len; i++) {
		char c = ps->s[i];
		if (quote) {
			if (c == '\\' && i + 1 < ps->len)
				i++;
			else if (c == quote)
				quote = 0;
			continue;
		}
		if (depth && (c == '\'' || c == '"'))
			quote = c;
		else if (c == '[' || c == '(')
			depth++;
		else if ((c == ']' || c == ')') && depth)
			depth--;
		else if (!depth && (c == ',' || c == ')' || c == ' ' ||
				    c == '\t' || c == '\n' || c == '\r'))
			break;
	}
	return i;
}

static struct sfn_intrinsic *parse_call(struct iparser *ps, int depth);

static int parse_arg(struct iparser *ps, struct intrinsic_arg *a, int depth)
{
	int c = ipeek(ps);
	a->pos = ps->pos;
	if (c == '\'') {
		a->literal = parse_string(ps, &a->raw);
		return a->literal ? 0 : -1;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		a->literal = parse_number(ps);
		return a->literal ? 0 : -1;
	}
	if (c == '$') {
		size_t end = path_end(ps);
		char *text = sfn_xstrndup(ps->s + ps->pos, end - ps->pos);
		struct sfn_error perr = SFN_ERROR_INIT;
		a->path = sfn_path_compile(
			text, SFN_PATH_ALLOW_CONTEXT | SFN_PATH_ALLOW_VARIABLE,
			&perr);
		if (!a->path)
			pfail(ps, ps->pos, "%s", perr.cause);
		sfn_error_release(&perr);
		free(text);
		ps->pos = end;
		return a->path ? 0 : -1;
	}
	if (!strncmp(ps->s + ps->pos, "States.", 7)) {
		a->call = parse_call(ps, depth + 1);
		if (!a->call)
			return -1;
		if (a->call->folded)
			a->literal = json_incref(a->call->folded);
		return 0;
	}
	static const char *const words[] = { "true", "false", "null" };
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);
		if (!strncmp(ps->s + ps->pos, words[i], n) &&
		    !isalnum((unsigned char)ps->s[ps->pos + n])) {
			ps->pos += n;
			a->literal = i == 0   ? json_true()
				     : i == 1 ? json_false()
					      : json_null();
			return 0;
		}
	}
	if (c < 0)
		return pfail(ps, ps->len ? ps->len - 1 : 0,
			     "unterminated call: expected an argument and ')'");
	return pfail(ps, ps->pos,
		     "expected an argument: a 'string', a number, true, "
		     "false, null, a path ($...) or a call (States...)");
}

static int check_literals(struct iparser *ps, struct sfn_intrinsic *fn,
			  size_t at);

/* call = "States." name ws "(" ws [ arg { ws "," ws arg } ] ws ")" */
static struct sfn_intrinsic *parse_call(struct iparser *ps, int depth)
{
	size_t at = ps->pos;
	if (depth > MAX_CALL_DEPTH) {
		pfail(ps, at, "more than %d nested intrinsic function calls",
		      MAX_CALL_DEPTH);
		return NULL;
	}
	if (strncmp(ps->s + ps->pos, "States.", 7)) {
		pfail(ps, at,
		      "expected an intrinsic function 'States.<name>('");
		return NULL;
	}
	size_t name_start = ps->pos;
	ps->pos += 7;
	while (ps->pos < ps->len && isalnum((unsigned char)ps->s[ps->pos]))
		ps->pos++;
	size_t name_len = ps->pos - name_start;
	const struct intrinsic_def *def = NULL;
	for (size_t i = 0; i < intrinsics_count; i++)
		if (strlen(intrinsics_table[i].name) == name_len &&
		    !memcmp(intrinsics_table[i].name, ps->s + name_start,
			    name_len))
			def = &intrinsics_table[i];
	if (!def) {
		pfail(ps, at, "unknown function '%.*s'", (int)name_len,
		      ps->s + name_start);
		return NULL;
	}
	iskip_ws(ps);
	if (ipeek(ps) != '(') {
		pfail(ps, ps->pos, "expected '(' after '%s'", def->name);
		return NULL;
	}
	size_t open = ps->pos++;
	struct sfn_intrinsic *fn = sfn_xcalloc(1, sizeof(*fn));
	fn->def = def;
	size_t alloc = 0;
	iskip_ws(ps);
	if (ipeek(ps) != ')') {
		for (;;) {
			iskip_ws(ps);
			if (fn->n_args == alloc) {
				alloc = alloc ? 2 * alloc : 4;
				fn->args = sfn_xrealloc(
					fn->args, alloc * sizeof(*fn->args));
			}
			struct intrinsic_arg *a = &fn->args[fn->n_args++];
			memset(a, 0, sizeof(*a));
			if (parse_arg(ps, a, depth) < 0)
				goto bad;
			iskip_ws(ps);
			if (ipeek(ps) == ',') {
				ps->pos++;
				continue;
			}
			if (ipeek(ps) == ')')
				break;
			if (ipeek(ps) < 0)
				pfail(ps, open,
				      "unterminated call: missing ')'");
			else
				pfail(ps, ps->pos, "expected ',' or ')'");
			goto bad;
		}
	}
	ps->pos++;
	fn->text = sfn_xstrndup(ps->s + at, ps->pos - at);
	if ((int)fn->n_args < def->min_args ||
	    (def->max_args >= 0 && (int)fn->n_args > def->max_args)) {
		if (def->min_args == def->max_args)
			pfail(ps, at, "%s takes %d argument%s, not %zu",
			      def->name, def->min_args,
			      def->min_args == 1 ? "" : "s", fn->n_args);
		else if (def->max_args < 0)
			pfail(ps, at,
			      "%s takes at least %d argument%s, not %zu",
			      def->name, def->min_args,
			      def->min_args == 1 ? "" : "s", fn->n_args);
		else
			pfail(ps, at, "%s takes %d to %d arguments, not %zu",
			      def->name, def->min_args, def->max_args,
			      fn->n_args);
		goto bad;
	}
	if (check_literals(ps, fn, at) < 0)
		goto bad;
	return fn;
bad:
	sfn_intrinsic_free(fn);
	return NULL;
}

/*
 * What literal arguments already tell: each one's type and value checked
 * as the function will at run time, and a call of literals only evaluated
 * now (States.ArrayRange(1, 10, 0) fails here, not in production).
 */
static int check_literals(struct iparser *ps, struct sfn_intrinsic *fn,
			  size_t at)
{
	const struct intrinsic_def *def = fn->def;
	bool all = true;
	for (size_t i = 0; i < fn->n_args; i++) {
		const struct intrinsic_arg *a = &fn->args[i];
		if (!a->literal) {
			all = false;
			continue;
		}
		struct sfn_error e = SFN_ERROR_INIT;
		if (intrinsic_check_arg(fn, i, a->literal, &e) < 0) {
			sfn_errorf(ps->err, e.name, NULL,
				   "invalid intrinsic function call '%s': %s "
				   "at character %zu",
				   ps->s, e.cause, a->pos + 1);
			ps->failed = true;
			sfn_error_release(&e);
			return -1;
		}
	}
	/* Checks across arguments that literals already decide. */
	struct sfn_error e = SFN_ERROR_INIT;
	if ((def->id == FN_MATH_RANDOM && fn->args[0].literal &&
	     fn->args[1].literal &&
	     intrinsic_random_check(fn, fn->args[0].literal,
				    fn->args[1].literal, &e) < 0) ||
	    (def->id == FN_FORMAT && fn->args[0].raw &&
	     intrinsic_format_check(fn, &e) < 0)) {
		sfn_errorf(ps->err, e.name, NULL,
			   "invalid intrinsic function call '%s': %s at "
			   "character %zu",
			   ps->s, e.cause, at + 1);
		ps->failed = true;
		sfn_error_release(&e);
		return -1;
	}
	/* MathRandom with a seed gives the same number every time. */
	if (!all ||
	    !(def->pure || (def->id == FN_MATH_RANDOM && fn->n_args == 3)))
		return 0;
	json_t **vals = sfn_xmalloc((fn->n_args + 1) * sizeof(*vals));
	for (size_t i = 0; i < fn->n_args; i++)
		vals[i] = fn->args[i].literal;
	fn->folded = intrinsic_call(fn, vals, &e);
	free(vals);
	if (!fn->folded) {
		sfn_errorf(ps->err, e.name, NULL,
			   "invalid intrinsic function call '%s': %s at "
			   "character %zu",
			   ps->s, e.cause, at + 1);
		ps->failed = true;
		sfn_error_release(&e);
		return -1;
	}
	return 0;
}

struct sfn_intrinsic *sfn_intrinsic_compile(const char *text,
					    struct sfn_error *err)
{
	struct iparser ps = { .s = text, .len = strlen(text), .err = err };
	iskip_ws(&ps);
	if (!sfn_intrinsic_detect(text)) {
		pfail(&ps, ps.pos,
		      "expected an intrinsic function call "
		      "'States.<name>(...)'");
		return NULL;
	}
	struct sfn_intrinsic *fn = parse_call(&ps, 1);
	if (!fn)
		return NULL;
	iskip_ws(&ps);
	if (ps.pos < ps.len) {
		/* A call's result cannot be indexed: use States.ArrayGetItem.
		 */
		pfail(&ps, ps.pos,
		      ps.s[ps.pos] == '['
			      ? "the result of a call cannot be indexed; use "
				"States.ArrayGetItem"
			      : "unexpected text after the call");
		sfn_intrinsic_free(fn);
		return NULL;
	}
	return fn;
}

void sfn_intrinsic_foreach_path(const struct sfn_intrinsic *fn,
				void (*visit)(const struct sfn_path *p,
					      void *ud),
				void *ud)
{
	for (size_t i = 0; i < fn->n_args; i++) {
		if (fn->args[i].path)
			visit(fn->args[i].path, ud);
		else if (fn->args[i].call)
			sfn_intrinsic_foreach_path(fn->args[i].call, visit, ud);
	}
}

const char *sfn_intrinsic_text(const struct sfn_intrinsic *fn)
{
	return fn->text;
}

const char *sfn_intrinsic_name(const struct sfn_intrinsic *fn)
{
	return fn->def->name;
}

/* ---- evaluation ---- */

static json_t *path_arg(const struct sfn_intrinsic *fn,
			const struct sfn_path *p,
			const struct sfn_path_env *env, struct sfn_error *err)
{
	json_t *v = sfn_path_eval(p, env, err);
	if (v || sfn_error_is_set(err))
		return v;
	/* asl-core.md §4.3: a path argument that matches nothing. */
	json_t *in = sfn_path_root(p) == SFN_ROOT_CONTEXT ? env->context
							  : env->input;
	char *json = in ? sfn_json_dumps(in, 0) : sfn_xstrdup("null");
	sfn_errorf(err, SFN_E_RUNTIME, NULL,
		   "The JSONPath '%s' specified in the intrinsic function "
		   "'%s' could not be found in the input '%s'",
		   sfn_path_text(p), fn->text, json);
	free(json);
	return NULL;
}

static json_t *eval_call(const struct sfn_intrinsic *fn,
			 const struct sfn_path_env *env, struct sfn_error *err)
{
	if (fn->folded)
		return json_incref(fn->folded);
	json_t *stack[8];
	json_t **vals = fn->n_args <= 8
				? stack
				: sfn_xmalloc(fn->n_args * sizeof(*vals));
	size_t done = 0;
	json_t *out = NULL;
	for (; done < fn->n_args; done++) {
		const struct intrinsic_arg *a = &fn->args[done];
		json_t *v;
		if (a->literal)
			v = json_incref(a->literal);
		else if (a->path)
			v = path_arg(fn, a->path, env, err);
		else
			v = eval_call(a->call, env, err);
		if (!v)
			goto out;
		if (!a->literal && intrinsic_check_arg(fn, done, v, err) < 0) {
			json_decref(v);
			goto out;
		}
		vals[done] = v;
	}
	out = intrinsic_call(fn, vals, err);
out:
	for (size_t i = 0; i < done; i++)
		json_decref(vals[i]);
	if (vals != stack)
		free(vals);
	return out;
}

json_t *sfn_intrinsic_eval(const struct sfn_intrinsic *fn,
			   const struct sfn_path_env *env,
			   struct sfn_error *err)
{
	return eval_call(fn, env, err);
}
