/*
 * jsonpath: ASL paths, compiled once into a flat array of steps and
 * evaluated without allocating on the definite fast path.
 *
 * The dialect is Jayway JsonPath's (AWS's error texts are Jayway's), with
 * ASL's roots added. Grammar:
 *
 *   path     = root { step } { ws }
 *   root     = "$$" | "$" [ varname ] | "@"         ("@" inside filters only)
 *   step     = "." name | "." "*" | "." bracket
 *            | ".." ( name | "*" | bracket ) | bracket
 *   name     = 1*( any char but . [ ( space, or "\" char )
 *   bracket  = "[" ws selector ws "]"
 *   selector = "*" | quoted { ws "," ws quoted } | int { ws "," ws int }
 *            | [ int ] ":" [ int ] | "?(" filter ")"
 *   quoted   = "'" { char | "\" char } "'" | '"' { char | "\" char } '"'
 *   filter   = and { "||" and }
 *   and      = unary { "&&" unary }
 *   unary    = "!" unary | "(" filter ")" | operand [ op operand ]
 *   operand  = "@" { step } | "$" { step } | literal | "/" regex "/" flags
 *   literal  = number | quoted | true | false | null
 *            | "[" literals "]" | "{" quoted ":" literal ... "}"
 *   op       = "==" | "!=" | "<" | "<=" | ">" | ">=" | "=~" | "in" | "nin"
 *            | "subsetof" | "anyof" | "noneof" | "size" | "empty"
 *
 * Evaluation follows Jayway: a definite path (names, single indexes, a final
 * multi-name merge) yields one value or nothing; any other path yields the
 * array of its matches in document order, never an error.
 */
#include "jsonpath/jsonpath.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

/* Nesting of filters and literals in one path: far beyond any real use. */
#define MAX_NEST 64

enum step_kind {
	ST_NAME,    /* .name ['name'] */
	ST_NAMES,   /* ['a','b']: merged object when last, else each */
	ST_INDEX,   /* [n], n < 0 counts from the end */
	ST_INDEXES, /* [0,2] */
	ST_SLICE,   /* [from:to] */
	ST_WILD,    /* .* [*] */
	ST_SCAN,    /* ..: the next step applies at every depth */
	ST_FILTER,  /* [?(...)] */
};

struct fnode;

struct step {
	enum step_kind kind;
	size_t pos;	      /* 0-based offset of the step in the text */
	char *name;	      /* ST_NAME; owned */
	size_t name_len;      /* bytes of name */
	char **names;	      /* ST_NAMES; owned array of n owned strings */
	long *indexes;	      /* ST_INDEXES; owned array of n */
	size_t n;	      /* entries in names or indexes */
	long index;	      /* ST_INDEX */
	long from, to;	      /* ST_SLICE */
	bool has_from;	      /* ST_SLICE: "[n:" */
	bool has_to;	      /* ST_SLICE: ":n]" */
	struct fnode *filter; /* ST_FILTER; owned */
};

struct sfn_path {
	char *text; /* owned; as given */
	enum sfn_path_root root;
	char *variable; /* SFN_ROOT_VARIABLE: the name; owned */
	bool relative;	/* "@..." inside a filter */
	bool definite;
	bool reference;	    /* only names and single indexes */
	struct step *steps; /* owned array of n_steps */
	size_t n_steps;
	size_t alloc;
};

/* ---- filter expressions ---- */

enum fkind {
	F_OR,
	F_AND,
	F_NOT,
	F_EXISTS, /* a path alone: does it match? */
	F_CMP,
};

enum fop {
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_REGEX,
	OP_IN,
	OP_NIN,
	OP_SUBSETOF,
	OP_ANYOF,
	OP_NONEOF,
	OP_SIZE,
	OP_EMPTY,
};

struct operand {
	struct sfn_path *path; /* "@..." or "$..."; owned, else NULL */
	json_t *literal;       /* owned, else NULL */
	regex_t *re;	       /* "/re/": owned, else NULL */
};

struct fnode {
	enum fkind kind;
	enum fop op;
	struct fnode *l, *r; /* F_OR, F_AND, F_NOT (l only); owned */
	struct operand a, b; /* F_EXISTS (a), F_CMP */
};

static void fnode_free(struct fnode *f);

static void operand_release(struct operand *o)
{
	sfn_path_free(o->path);
	json_decref(o->literal);
	if (o->re) {
		regfree(o->re);
		free(o->re);
	}
}

static void fnode_free(struct fnode *f)
{
	if (!f)
		return;
	fnode_free(f->l);
	fnode_free(f->r);
	operand_release(&f->a);
	operand_release(&f->b);
	free(f);
}

static void step_release(struct step *s)
{
	free(s->name);
	for (size_t i = 0; s->names && i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	free(s->indexes);
	fnode_free(s->filter);
}

void sfn_path_free(struct sfn_path *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_steps; i++)
		step_release(&p->steps[i]);
	free(p->steps);
	free(p->variable);
	free(p->text);
	free(p);
}

/* ---- parser ---- */

struct parser {
	const char *s; /* the whole text */
	size_t len;    /* bytes of s */
	size_t pos;    /* next byte */
	int flags;     /* enum sfn_path_flags */
	int depth;     /* filter/literal nesting */
	struct sfn_error *err;
	bool failed;
};

static int fail(struct parser *ps, size_t at, const char *fmt, ...)
	SFN_PRINTF(3, 4);

static int fail(struct parser *ps, size_t at, const char *fmt, ...)
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
		   "invalid JSONPath '%s': %s at character %zu", ps->s, sb.buf,
		   at + 1);
	sfn_strbuf_release(&sb);
	return -1;
}

static bool at_end(const struct parser *ps)
{
	return ps->pos >= ps->len;
}

static int peek(const struct parser *ps)
{
	return ps->pos < ps->len ? (unsigned char)ps->s[ps->pos] : -1;
}

static int peek_at(const struct parser *ps, size_t off)
{
	return ps->pos + off < ps->len ? (unsigned char)ps->s[ps->pos + off]
				       : -1;
}

static void skip_ws(struct parser *ps)
{
	while (ps->pos < ps->len &&
	       (ps->s[ps->pos] == ' ' || ps->s[ps->pos] == '\t' ||
		ps->s[ps->pos] == '\n' || ps->s[ps->pos] == '\r'))
		ps->pos++;
}

static struct step *add_step(struct sfn_path *p, enum step_kind kind,
			     size_t pos)
{
	if (p->n_steps == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 4;
		p->steps = sfn_xrealloc(p->steps, p->alloc * sizeof(*p->steps));
	}
	struct step *s = &p->steps[p->n_steps++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->pos = pos;
	return s;
}

/* A character that ends a dot-name inside a filter expression. */
static bool filter_stop(int c)
{
	return strchr(" \t\r\n()=!<>&|,]~", c) != NULL;
}

/*
 * name = 1*( any char but . [ ( space, or "\" char ). Jayway reads a dot
 * name up to '.', '[' or '(' and refuses blanks; ASL's spec also lets "\"
 * escape a character ("$.store\.book" names the key "store.book").
 */
static int parse_name(struct parser *ps, bool in_filter, struct sfn_strbuf *sb)
{
	size_t start = ps->pos;
	while (!at_end(ps)) {
		int c = peek(ps);
		if (c == '.' || c == '[')
			break;
		if (c == '(' && ps->pos > start)
			return fail(ps, ps->pos,
				    "functions such as '%.*s()' are not "
				    "supported by Step Functions",
				    (int)(ps->pos - start), ps->s + start);
		if (in_filter && filter_stop(c))
			break;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			/* Trailing blanks end the path (Jayway trims them). */
			size_t save = ps->pos;
			skip_ws(ps);
			if (at_end(ps))
				break;
			ps->pos = save;
			return fail(ps, ps->pos,
				    "a name with blanks needs brackets, as in "
				    "$['my key']");
		}
		if (c == '\\' && ps->pos + 1 < ps->len) {
			ps->pos++;
			c = peek(ps);
		}
		sfn_strbuf_addch(sb, c);
		ps->pos++;
	}
	if (!sb->len && ps->pos == start)
		return fail(ps, start ? start - 1 : 0,
			    "a name must follow '.'");
	return 0;
}

/* quoted = "'" { char | "\" char } "'" (or with '"'); ps at the quote. */
static int parse_quoted(struct parser *ps, struct sfn_strbuf *sb)
{
	size_t open = ps->pos;
	int q = peek(ps);
	ps->pos++;
	while (!at_end(ps)) {
		int c = peek(ps);
		if (c == q) {
			ps->pos++;
			return 0;
		}
		/*
		 * "\" escapes the quote and itself; any other pair stays as
		 * written: AWS reads $['Test\""Name"'] as the key Test\""Name"
		 * (observed, d5265d_base_scenarios ESCAPE_SEQUENCES_JSONPATH).
		 */
		if (c == '\\' && ps->pos + 1 < ps->len) {
			int d = peek_at(ps, 1);
			if (d == q || d == '\\') {
				sfn_strbuf_addch(sb, d);
				ps->pos += 2;
				continue;
			}
		}
		sfn_strbuf_addch(sb, c);
		ps->pos++;
	}
	return fail(ps, open, "unterminated string %c...%c", q, q);
}

/* int = [ "-" ] 1*digit */
static int parse_int(struct parser *ps, long *out)
{
	size_t start = ps->pos;
	if (peek(ps) == '-')
		ps->pos++;
	if (!isdigit(peek(ps)))
		return fail(ps, start, "expected a number");
	errno = 0;
	char *end;
	long v = strtol(ps->s + start, &end, 10);
	if (errno == ERANGE || v > INT_MAX || v < INT_MIN)
		return fail(ps, start, "index out of range");
	ps->pos = (size_t)(end - ps->s);
	*out = v;
	return 0;
}

static struct fnode *parse_filter(struct parser *ps);
static int parse_steps(struct parser *ps, struct sfn_path *p, bool in_filter);

/*
 * bracket = "[" ws selector ws "]"; ps just after "[" (at "[" - 1 = open).
 */
static int parse_bracket(struct parser *ps, struct sfn_path *p, size_t open)
{
	skip_ws(ps);
	int c = peek(ps);
	if (c < 0)
		return fail(ps, open, "unterminated '['");
	if (c == '*') {
		ps->pos++;
		add_step(p, ST_WILD, open);
	} else if (c == '\'' || c == '"') {
		char **names = NULL;
		size_t n = 0;
		for (;;) {
			struct sfn_strbuf sb = SFN_STRBUF_INIT;
			if (peek(ps) != '\'' && peek(ps) != '"') {
				sfn_strbuf_release(&sb);
				goto bad_names;
			}
			if (parse_quoted(ps, &sb) < 0) {
				sfn_strbuf_release(&sb);
				goto bad_names;
			}
			names = sfn_xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = sfn_strbuf_detach(&sb, NULL);
			skip_ws(ps);
			if (peek(ps) != ',')
				break;
			ps->pos++;
			skip_ws(ps);
		}
		if (n == 1) {
			struct step *s = add_step(p, ST_NAME, open);
			s->name = names[0];
			s->name_len = strlen(names[0]);
			free(names);
		} else {
			struct step *s = add_step(p, ST_NAMES, open);
			s->names = names;
			s->n = n;
		}
		goto close;
	bad_names:
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		if (!ps->failed)
			fail(ps, ps->pos, "expected a quoted name");
		return -1;
	} else if (c == '?') {
		ps->pos++;
		if (peek(ps) != '(')
			return fail(ps, ps->pos, "expected '(' after '?'");
		size_t lp = ps->pos++;
		if (++ps->depth > MAX_NEST)
			return fail(ps, lp, "filters nested too deeply");
		struct fnode *f = parse_filter(ps);
		ps->depth--;
		if (!f)
			return -1;
		skip_ws(ps);
		if (peek(ps) != ')') {
			fnode_free(f);
			return fail(ps, at_end(ps) ? lp : ps->pos,
				    at_end(ps) ? "unterminated '('"
					       : "expected ')' to close the "
						 "filter");
		}
		ps->pos++;
		add_step(p, ST_FILTER, open)->filter = f;
	} else if (c == '-' || c == ':' || isdigit(c)) {
		long a = 0;
		bool has_a = c != ':';
		if (has_a && parse_int(ps, &a) < 0)
			return -1;
		skip_ws(ps);
		if (peek(ps) == ':') {
			ps->pos++;
			skip_ws(ps);
			struct step *s;
			long b = 0;
			bool has_b = peek(ps) == '-' || isdigit(peek(ps));
			if (has_b && parse_int(ps, &b) < 0)
				return -1;
			if (!has_a && !has_b)
				return fail(ps, open,
					    "a slice needs a start or an end, "
					    "as in [1:] or [:2]");
			skip_ws(ps);
			if (peek(ps) == ':')
				return fail(ps, ps->pos,
					    "slices with a step are not "
					    "supported");
			s = add_step(p, ST_SLICE, open);
			s->from = a;
			s->to = b;
			s->has_from = has_a;
			s->has_to = has_b;
		} else if (peek(ps) == ',') {
			long *v = sfn_xmalloc(sizeof(*v));
			size_t n = 0;
			v[n++] = a;
			while (peek(ps) == ',') {
				ps->pos++;
				skip_ws(ps);
				long x;
				if (parse_int(ps, &x) < 0) {
					free(v);
					return -1;
				}
				v = sfn_xrealloc(v, (n + 1) * sizeof(*v));
				v[n++] = x;
				skip_ws(ps);
			}
			struct step *s = add_step(p, ST_INDEXES, open);
			s->indexes = v;
			s->n = n;
		} else {
			add_step(p, ST_INDEX, open)->index = a;
		}
	} else {
		return fail(ps, ps->pos,
			    "expected a quoted name, an index, a slice, '*' "
			    "or a filter inside '[...]'");
	}
close:
	skip_ws(ps);
	if (at_end(ps))
		return fail(ps, open, "unterminated '['");
	if (peek(ps) != ']')
		return fail(ps, ps->pos, "expected ']'");
	ps->pos++;
	return 0;
}

/* { step }: ps after the root. */
static int parse_steps(struct parser *ps, struct sfn_path *p, bool in_filter)
{
	while (!at_end(ps)) {
		size_t at = ps->pos;
		int c = peek(ps);
		if (c == '[') {
			ps->pos++;
			if (parse_bracket(ps, p, at) < 0)
				return -1;
			continue;
		}
		if (c != '.') {
			if (in_filter)
				return 0;
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
				skip_ws(ps);
				if (at_end(ps))
					return 0;
			}
			return fail(ps, ps->pos, "unexpected '%c'", peek(ps));
		}
		ps->pos++;
		bool scan = peek(ps) == '.';
		if (scan) {
			ps->pos++;
			add_step(p, ST_SCAN, at);
		}
		c = peek(ps);
		if (c < 0 || (in_filter && filter_stop(c)))
			return fail(ps, at, "a path must not end with '%s'",
				    scan ? ".." : ".");
		if (c == '.')
			return fail(ps, ps->pos, "unexpected '.'");
		if (c == '[') {
			ps->pos++;
			if (parse_bracket(ps, p, ps->pos - 1) < 0)
				return -1;
		} else if (c == '*') {
			ps->pos++;
			add_step(p, ST_WILD, at);
		} else {
			struct sfn_strbuf sb = SFN_STRBUF_INIT;
			if (parse_name(ps, in_filter, &sb) < 0) {
				sfn_strbuf_release(&sb);
				return -1;
			}
			struct step *s = add_step(p, ST_NAME, at);
			s->name = sfn_strbuf_detach(&sb, &s->name_len);
		}
	}
	return 0;
}

static void classify(struct sfn_path *p)
{
	p->definite = true;
	p->reference = true;
	for (size_t i = 0; i < p->n_steps; i++) {
		enum step_kind k = p->steps[i].kind;
		if (k != ST_NAME && k != ST_INDEX)
			p->reference = false;
		if (k == ST_NAMES && i + 1 == p->n_steps)
			continue; /* Jayway merges a final ['a','b'] */
		if (k != ST_NAME && k != ST_INDEX)
			p->definite = false;
	}
}

/* A relative ("@") or absolute ("$") path inside a filter. */
static struct sfn_path *parse_subpath(struct parser *ps)
{
	struct sfn_path *p = sfn_xcalloc(1, sizeof(*p));
	size_t start = ps->pos;
	p->relative = peek(ps) == '@';
	p->root = SFN_ROOT_INPUT;
	ps->pos++;
	if (parse_steps(ps, p, true) < 0) {
		sfn_path_free(p);
		return NULL;
	}
	p->text = sfn_xstrndup(ps->s + start, ps->pos - start);
	classify(p);
	return p;
}

/* A JSON-ish literal as Jayway (json-smart) reads it: quotes ' or ". */
static json_t *parse_literal(struct parser *ps)
{
	skip_ws(ps);
	int c = peek(ps);
	size_t at = ps->pos;
	if (c == '\'' || c == '"') {
		struct sfn_strbuf sb = SFN_STRBUF_INIT;
		if (parse_quoted(ps, &sb) < 0) {
			sfn_strbuf_release(&sb);
			return NULL;
		}
		json_t *v = json_stringn(sb.buf, sb.len);
		sfn_strbuf_release(&sb);
		if (!v)
			fail(ps, at, "invalid UTF-8 in a string");
		return v;
	}
	if (c == '-' || isdigit(c)) {
		const char *b = ps->s + ps->pos;
		char *end;
		bool real = false;
		size_t i = c == '-';
		while (ps->pos + i < ps->len &&
		       (isdigit((unsigned char)b[i]) || b[i] == '.' ||
			b[i] == 'e' || b[i] == 'E' ||
			((b[i] == '+' || b[i] == '-') &&
			 (b[i - 1] == 'e' || b[i - 1] == 'E')))) {
			if (!isdigit((unsigned char)b[i]))
				real = true;
			i++;
		}
		char *num = sfn_xstrndup(b, i);
		json_t *v = NULL;
		errno = 0;
		if (!real) {
			long long x = strtoll(num, &end, 10);
			if (!*end && errno != ERANGE)
				v = json_integer(x);
		}
		if (!v) {
			errno = 0;
			double d = strtod(num, &end);
			if (*end || !isfinite(d))
				fail(ps, at, "invalid number '%s'", num);
			else
				v = json_real(d);
		}
		free(num);
		if (v)
			ps->pos += i;
		return v;
	}
	static const struct {
		const char *word;
		int type;
	} words[] = { { "true", JSON_TRUE },
		      { "false", JSON_FALSE },
		      { "null", JSON_NULL } };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i].word);
		if (ps->len - ps->pos >= n &&
		    !memcmp(ps->s + ps->pos, words[i].word, n) &&
		    !isalnum(peek_at(ps, n)) && peek_at(ps, n) != '_') {
			ps->pos += n;
			return words[i].type == JSON_TRUE    ? json_true()
			       : words[i].type == JSON_FALSE ? json_false()
							     : json_null();
		}
	}
	if (c == '[' || c == '{') {
		if (++ps->depth > MAX_NEST) {
			fail(ps, at, "literal nested too deeply");
			return NULL;
		}
		int close = c == '[' ? ']' : '}';
		json_t *v = c == '[' ? json_array() : json_object();
		ps->pos++;
		skip_ws(ps);
		if (peek(ps) == close) {
			ps->pos++;
			ps->depth--;
			return v;
		}
		for (;;) {
			skip_ws(ps);
			if (close == '}') {
				size_t kat = ps->pos;
				struct sfn_strbuf key = SFN_STRBUF_INIT;
				if ((peek(ps) != '\'' && peek(ps) != '"') ||
				    parse_quoted(ps, &key) < 0) {
					sfn_strbuf_release(&key);
					fail(ps, kat, "expected a quoted key");
					goto bad;
				}
				skip_ws(ps);
				if (peek(ps) != ':') {
					sfn_strbuf_release(&key);
					fail(ps, ps->pos, "expected ':'");
					goto bad;
				}
				ps->pos++;
				json_t *m = parse_literal(ps);
				if (!m ||
				    json_object_set_new(v, key.buf, m) < 0) {
					sfn_strbuf_release(&key);
					fail(ps, kat, "invalid object member");
					goto bad;
				}
				sfn_strbuf_release(&key);
			} else {
				json_t *m = parse_literal(ps);
				if (!m)
					goto bad;
				json_array_append_new(v, m);
			}
			skip_ws(ps);
			if (peek(ps) == ',') {
				ps->pos++;
				continue;
			}
			if (peek(ps) == close) {
				ps->pos++;
				ps->depth--;
				return v;
			}
			fail(ps, at_end(ps) ? at : ps->pos,
			     at_end(ps) ? "unterminated '%c'" : "expected '%c'",
			     at_end(ps) ? c : close);
			goto bad;
		}
	bad:
		json_decref(v);
		return NULL;
	}
	if (c < 0)
		fail(ps, ps->len, "expected a value");
	else
		fail(ps, at, "unexpected '%c'", c);
	return NULL;
}

/*
 * Java's regex dialect differs from POSIX ERE; translate the common
 * shorthands \d \D (glibc knows \w \s \b) and anchor: Jayway's =~ matches
 * the whole string.
 */
/*
 * glibc's regcomp copies a subexpression once per repetition, so stacked
 * quantifiers ("a++++") and nested bounds ("((a{99}){99}){99}") take
 * exponential memory: refuse them, and long patterns, before compiling.
 */
static const char *regex_too_costly(const char *src, size_t n)
{
	if (n > 256)
		return "a regular expression is limited to 256 characters";
	double cost = 1;
	int after_quant = 0; /* 1: after a quantifier, 2: after its modifier */
	bool in_class = false;
	for (size_t i = 0; i < n; i++) {
		char c = src[i];
		if (c == '\\') {
			i++;
			after_quant = 0;
			continue;
		}
		if (in_class) {
			in_class = c != ']';
			continue;
		}
		bool quant = c == '*' || c == '+' || c == '?' || c == '{';
		if (quant && after_quant == 1 && (c == '?' || c == '+')) {
			after_quant =
				2; /* Java's lazy "*?" or possessive "*+" */
			continue;
		}
		if (quant && after_quant)
			return "a quantifier after a quantifier is not "
			       "supported";
		if (c == '{') {
			long cur = 0, hi = 0;
			for (i++; i < n && src[i] != '}'; i++) {
				if (src[i] >= '0' && src[i] <= '9')
					cur = cur < 100000
						      ? cur * 10 +
								(src[i] - '0')
						      : cur;
				else
					cur = 0;
				hi = cur > hi ? cur : hi;
			}
			cost *= (double)hi + 1;
			if (cost > 10000)
				return "repetition bounds in a regular "
				       "expression multiply to more than 10000";
		}
		in_class = c == '[';
		after_quant = quant;
	}
	return NULL;
}

static regex_t *compile_regex(struct parser *ps, size_t at, const char *src,
			      size_t n, bool icase)
{
	const char *costly = regex_too_costly(src, n);
	if (costly) {
		fail(ps, at, "%s", costly);
		return NULL;
	}
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	bool in_class = false, after_quant = false;
	sfn_strbuf_adds(&sb, "^(");
	for (size_t i = 0; i < n; i++) {
		char c = src[i];
		bool quant = !in_class &&
			     (c == '*' || c == '+' || c == '?' || c == '}');
		/* Lazy and possessive forms match the same whole strings. */
		if (after_quant && (c == '?' || c == '+')) {
			after_quant = false;
			continue;
		}
		after_quant = quant;
		if (c == '\\' && i + 1 < n) {
			char d = src[++i];
			if (d == 'd' || d == 'D') {
				if (in_class)
					sfn_strbuf_adds(&sb, "0-9");
				else
					sfn_strbuf_adds(&sb,
							d == 'd' ? "[0-9]"
								 : "[^0-9]");
			} else if (d == '/') {
				sfn_strbuf_addch(&sb, '/');
			} else {
				sfn_strbuf_addch(&sb, '\\');
				sfn_strbuf_addch(&sb, d);
			}
			continue;
		}
		if (c == '[' && !in_class)
			in_class = true;
		else if (c == ']' && in_class)
			in_class = false;
		sfn_strbuf_addch(&sb, c);
	}
	sfn_strbuf_adds(&sb, ")$");
	regex_t *re = sfn_xmalloc(sizeof(*re));
	int rc = regcomp(re, sb.buf,
			 REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
	sfn_strbuf_release(&sb);
	if (rc) {
		char msg[128];
		regerror(rc, re, msg, sizeof(msg));
		free(re);
		fail(ps, at, "invalid regular expression: %s", msg);
		return NULL;
	}
	return re;
}

/* operand = "@" steps | "$" steps | literal | "/" regex "/" flags */
static int parse_operand(struct parser *ps, struct operand *o)
{
	skip_ws(ps);
	int c = peek(ps);
	if (c == '@' || (c == '$' && peek_at(ps, 1) != '$')) {
		o->path = parse_subpath(ps);
		return o->path ? 0 : -1;
	}
	if (c == '$')
		return fail(ps, ps->pos,
			    "the Context object ($$) cannot be used in a "
			    "filter");
	if (c == '/') {
		size_t at = ps->pos++;
		size_t start = ps->pos;
		while (!at_end(ps) && peek(ps) != '/') {
			if (peek(ps) == '\\')
				ps->pos++;
			ps->pos++;
		}
		if (at_end(ps))
			return fail(ps, at, "unterminated regular expression");
		size_t end = ps->pos++;
		bool icase = false;
		while (!at_end(ps) && isalpha(peek(ps))) {
			if (peek(ps) == 'i')
				icase = true;
			ps->pos++;
		}
		o->re = compile_regex(ps, at, ps->s + start, end - start,
				      icase);
		return o->re ? 0 : -1;
	}
	o->literal = parse_literal(ps);
	return o->literal ? 0 : -1;
}

static int parse_op(struct parser *ps, enum fop *op)
{
	static const struct {
		const char *text;
		enum fop op;
		bool word;
	} ops[] = {
		{ "==", OP_EQ, false },	     { "!=", OP_NE, false },
		{ "<=", OP_LE, false },	     { ">=", OP_GE, false },
		{ "=~", OP_REGEX, false },   { "<", OP_LT, false },
		{ ">", OP_GT, false },	     { "subsetof", OP_SUBSETOF, true },
		{ "anyof", OP_ANYOF, true }, { "noneof", OP_NONEOF, true },
		{ "size", OP_SIZE, true },   { "empty", OP_EMPTY, true },
		{ "nin", OP_NIN, true },     { "in", OP_IN, true },
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);
		if (ps->len - ps->pos < n ||
		    memcmp(ps->s + ps->pos, ops[i].text, n))
			continue;
		if (ops[i].word &&
		    (isalnum(peek_at(ps, n)) || peek_at(ps, n) == '_'))
			continue;
		ps->pos += n;
		*op = ops[i].op;
		return 1;
	}
	return 0;
}

/* unary = "!" unary | "(" filter ")" | operand [ op operand ] */
static struct fnode *parse_unary(struct parser *ps)
{
	skip_ws(ps);
	struct fnode *f = sfn_xcalloc(1, sizeof(*f));
	int c = peek(ps);
	size_t at = ps->pos;
	if (c == '!' && peek_at(ps, 1) != '=') {
		ps->pos++;
		f->kind = F_NOT;
		if (++ps->depth > MAX_NEST) {
			fail(ps, at, "filter nested too deeply");
			goto bad;
		}
		f->l = parse_unary(ps);
		ps->depth--;
		if (!f->l)
			goto bad;
		return f;
	}
	if (c == '(') {
		free(f);
		ps->pos++;
		if (++ps->depth > MAX_NEST) {
			fail(ps, at, "filter nested too deeply");
			return NULL;
		}
		f = parse_filter(ps);
		ps->depth--;
		if (!f)
			return NULL;
		skip_ws(ps);
		if (peek(ps) != ')') {
			fail(ps, at, "unterminated '('");
			goto bad;
		}
		ps->pos++;
		return f;
	}
	if (parse_operand(ps, &f->a) < 0)
		goto bad;
	skip_ws(ps);
	size_t op_at = ps->pos;
	if (!parse_op(ps, &f->op)) {
		if (!f->a.path) {
			fail(ps, at,
			     "a filter needs a path such as @.x or a "
			     "comparison");
			goto bad;
		}
		f->kind = F_EXISTS;
		return f;
	}
	f->kind = F_CMP;
	if (f->a.re) {
		fail(ps, at, "a regular expression goes right of '=~'");
		goto bad;
	}
	if (parse_operand(ps, &f->b) < 0)
		goto bad;
	if ((f->op == OP_REGEX) != (f->b.re != NULL)) {
		fail(ps, op_at,
		     f->b.re ? "a regular expression needs '=~'"
			     : "'=~' needs a regular expression /.../");
		goto bad;
	}
	return f;
bad:
	fnode_free(f);
	return NULL;
}

/* and = unary { "&&" unary }; filter = and { "||" and } */
static struct fnode *parse_binary(struct parser *ps, bool or)
{
	struct fnode *l = or ? parse_binary(ps, false) : parse_unary(ps);
	if (!l)
		return NULL;
	for (;;) {
		skip_ws(ps);
		const char *tok = or ? "||" : "&&";
		if (ps->len - ps->pos < 2 || memcmp(ps->s + ps->pos, tok, 2))
			return l;
		ps->pos += 2;
		struct fnode *r =
			or ? parse_binary(ps, false) : parse_unary(ps);
		if (!r) {
			fnode_free(l);
			return NULL;
		}
		struct fnode *f = sfn_xcalloc(1, sizeof(*f));
		f->kind = or ? F_OR : F_AND;
		f->l = l;
		f->r = r;
		l = f;
	}
}

static struct fnode *parse_filter(struct parser *ps)
{
	return parse_binary(ps, true);
}

/* ASL variable names: identifiers (letters, digits, "_", non-ASCII). */
static bool var_start(int c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static bool var_char(int c)
{
	return var_start(c) || isdigit(c);
}

struct sfn_path *sfn_path_compile(const char *text, int flags,
				  struct sfn_error *err)
{
	struct parser ps = {
		.s = text, .len = strlen(text), .flags = flags, .err = err
	};
	struct sfn_path *p = sfn_xcalloc(1, sizeof(*p));
	p->text = sfn_xstrdup(text);
	p->root = SFN_ROOT_INPUT;
	if (peek(&ps) != '$') {
		fail(&ps, 0, "a path must start with '$'");
		goto bad;
	}
	ps.pos++;
	if (peek(&ps) == '$') {
		ps.pos++;
		p->root = SFN_ROOT_CONTEXT;
		if (!(flags & SFN_PATH_ALLOW_CONTEXT)) {
			fail(&ps, 0,
			     "the Context object ($$) cannot be used here");
			goto bad;
		}
	} else if (var_start(peek(&ps))) {
		size_t start = ps.pos;
		while (var_char(peek(&ps)))
			ps.pos++;
		p->root = SFN_ROOT_VARIABLE;
		p->variable = sfn_xstrndup(text + start, ps.pos - start);
		if (!(flags & SFN_PATH_ALLOW_VARIABLE)) {
			fail(&ps, 0, "variables ($%s) cannot be used here",
			     p->variable);
			goto bad;
		}
		if (!sfn_utf8_valid(p->variable, strlen(p->variable)) ||
		    sfn_utf8_length(p->variable, strlen(p->variable)) > 80) {
			fail(&ps, start,
			     "a variable name is at most 80 characters of "
			     "valid UTF-8");
			goto bad;
		}
	}
	if (parse_steps(&ps, p, false) < 0)
		goto bad;
	classify(p);
	if ((flags & SFN_PATH_REFERENCE) && !p->reference) {
		for (size_t i = 0; i < p->n_steps; i++) {
			const struct step *s = &p->steps[i];
			if (s->kind == ST_NAME || s->kind == ST_INDEX)
				continue;
			static const char *const what[] = {
				[ST_NAMES] = "a union ['a','b']",
				[ST_INDEXES] = "a union [0,1]",
				[ST_SLICE] = "a slice [a:b]",
				[ST_WILD] = "a wildcard '*'",
				[ST_SCAN] = "a deep scan '..'",
				[ST_FILTER] = "a filter [?(...)]",
			};
			sfn_errorf(err, SFN_E_RUNTIME, NULL,
				   "invalid reference path '%s': %s can "
				   "select several values; a reference path "
				   "uses only .name, ['name'] and [index] "
				   "(character %zu)",
				   text, what[s->kind], s->pos + 1);
			goto bad;
		}
	}
	return p;
bad:
	sfn_path_free(p);
	return NULL;
}

const char *sfn_path_text(const struct sfn_path *p)
{
	return p->text;
}

enum sfn_path_root sfn_path_root(const struct sfn_path *p)
{
	return p->root;
}

const char *sfn_path_variable(const struct sfn_path *p)
{
	return p->variable;
}

bool sfn_path_is_definite(const struct sfn_path *p)
{
	return p->definite;
}

bool sfn_path_is_reference(const struct sfn_path *p)
{
	return p->reference;
}

/* ---- evaluation ---- */

struct ectx {
	json_t *root;	 /* "$" inside filters; borrowed */
	json_t *results; /* matches so far; owned by the caller */
	int depth;
};

static bool filter_accept(const struct fnode *f, json_t *cur, json_t *root,
			  int depth);

static void walk(const struct sfn_path *p, size_t i, json_t *node,
		 struct ectx *cx);

static long norm_index(long i, size_t len)
{
	return i < 0 ? (long)len + i : i;
}

static void walk_index(const struct sfn_path *p, size_t i, json_t *node,
		       long index, struct ectx *cx)
{
	size_t len = json_array_size(node);
	long k = norm_index(index, len);
	if (k >= 0 && (size_t)k < len)
		walk(p, i + 1, json_array_get(node, (size_t)k), cx);
}

/* Jayway's ArraySliceToken: [from:], [:to], [from:to]. */
static void walk_slice(const struct sfn_path *p, size_t i, json_t *node,
		       const struct step *s, struct ectx *cx)
{
	long len = (long)json_array_size(node);
	if (len == 0)
		return;
	if (s->has_from && !s->has_to) {
		long from = s->from < 0 ? len + s->from : s->from;
		if (from < 0)
			from = 0;
		for (long k = from; k < len; k++)
			walk(p, i + 1, json_array_get(node, (size_t)k), cx);
		return;
	}
	if (!s->has_from) {
		long to = s->to < 0 ? len + s->to : s->to;
		if (to > len)
			to = len;
		for (long k = 0; k < to; k++)
			walk(p, i + 1, json_array_get(node, (size_t)k), cx);
		return;
	}
	/* Jayway counts from @from as written; below -len nothing exists. */
	long to = s->to < len ? s->to : len;
	for (long k = s->from < -len ? -len : s->from; k < to; k++)
		walk_index(p, i, node, k, cx);
}

static void scan(const struct sfn_path *p, size_t i, json_t *node,
		 struct ectx *cx)
{
	if (cx->depth > SFN_MAX_DEPTH)
		return;
	const struct step *next = &p->steps[i];
	/*
	 * Jayway applies a filter after ".." to each object itself; other
	 * steps see every node (objects and arrays) in pre-order.
	 */
	if (next->kind == ST_FILTER) {
		if (json_is_object(node) &&
		    filter_accept(next->filter, node, cx->root, cx->depth))
			walk(p, i + 1, node, cx);
	} else {
		walk(p, i, node, cx);
	}
	cx->depth++;
	if (json_is_object(node)) {
		const char *k;
		json_t *v;
		json_object_foreach(node, k, v)
			scan(p, i, v, cx);
	} else if (json_is_array(node)) {
		size_t k;
		json_t *v;
		json_array_foreach(node, k, v)
			scan(p, i, v, cx);
	}
	cx->depth--;
}

static void walk(const struct sfn_path *p, size_t i, json_t *node,
		 struct ectx *cx)
{
	if (i == p->n_steps) {
		json_array_append(cx->results, node);
		return;
	}
	const struct step *s = &p->steps[i];
	switch (s->kind) {
	case ST_NAME:
		if (json_is_object(node)) {
			json_t *v =
				json_object_getn(node, s->name, s->name_len);
			if (v)
				walk(p, i + 1, v, cx);
		}
		break;
	case ST_NAMES:
		if (!json_is_object(node))
			break;
		if (i + 1 == p->n_steps) {
			json_t *merged = json_object();
			for (size_t k = 0; k < s->n; k++) {
				json_t *v = json_object_get(node, s->names[k]);
				if (v)
					json_object_set(merged, s->names[k], v);
			}
			json_array_append_new(cx->results, merged);
			break;
		}
		for (size_t k = 0; k < s->n; k++) {
			json_t *v = json_object_get(node, s->names[k]);
			if (v)
				walk(p, i + 1, v, cx);
		}
		break;
	case ST_INDEX:
		if (json_is_array(node))
			walk_index(p, i, node, s->index, cx);
		break;
	case ST_INDEXES:
		if (json_is_array(node))
			for (size_t k = 0; k < s->n; k++)
				walk_index(p, i, node, s->indexes[k], cx);
		break;
	case ST_SLICE:
		if (json_is_array(node))
			walk_slice(p, i, node, s, cx);
		break;
	case ST_WILD:
		if (json_is_object(node)) {
			const char *k;
			json_t *v;
			json_object_foreach(node, k, v)
				walk(p, i + 1, v, cx);
		} else if (json_is_array(node)) {
			size_t k;
			json_t *v;
			json_array_foreach(node, k, v)
				walk(p, i + 1, v, cx);
		}
		break;
	case ST_SCAN:
		scan(p, i + 1, node, cx);
		break;
	case ST_FILTER:
		if (json_is_array(node)) {
			size_t k;
			json_t *v;
			json_array_foreach(node, k, v)
				if (filter_accept(s->filter, v, cx->root,
						  cx->depth))
					walk(p, i + 1, v, cx);
		} else if (json_is_object(node)) {
			if (filter_accept(s->filter, node, cx->root, cx->depth))
				walk(p, i + 1, node, cx);
		}
		break;
	}
}

/* The value of a definite path from @node, borrowed, or NULL. */
static json_t *walk_definite(const struct sfn_path *p, json_t *node)
{
	for (size_t i = 0; node && i < p->n_steps; i++) {
		const struct step *s = &p->steps[i];
		if (s->kind == ST_NAME) {
			node = json_is_object(node)
				       ? json_object_getn(node, s->name,
							  s->name_len)
				       : NULL;
		} else if (s->kind == ST_INDEX) {
			if (!json_is_array(node))
				return NULL;
			size_t len = json_array_size(node);
			long k = norm_index(s->index, len);
			node = k >= 0 && (size_t)k < len
				       ? json_array_get(node, (size_t)k)
				       : NULL;
		} else {
			return NULL; /* ST_NAMES: the caller merges */
		}
	}
	return node;
}

/* Evaluates @p from @node: a new reference, or NULL when nothing matches. */
static json_t *eval_from(const struct sfn_path *p, json_t *node, json_t *root,
			 int depth)
{
	if (p->definite) {
		size_t n = p->n_steps;
		if (!n || p->steps[n - 1].kind != ST_NAMES)
			return json_incref(walk_definite(p, node));
		/* A final ['a','b'] merges: the walker builds the object. */
		struct ectx cx = { .root = root,
				   .results = json_array(),
				   .depth = depth };
		walk(p, 0, node, &cx);
		json_t *v = json_incref(json_array_get(cx.results, 0));
		json_decref(cx.results);
		return v;
	}
	struct ectx cx = { .root = root,
			   .results = json_array(),
			   .depth = depth };
	walk(p, 0, node, &cx);
	return cx.results;
}

/* ---- filter evaluation ---- */

/* An operand's value: a new reference, or NULL when a path has no match. */
static json_t *operand_value(const struct operand *o, json_t *cur, json_t *root,
			     int depth)
{
	if (o->literal)
		return json_incref(o->literal);
	if (!o->path || depth > SFN_MAX_DEPTH)
		return NULL;
	return eval_from(o->path, o->path->relative ? cur : root, root,
			 depth + 1);
}

/* Jayway compares a number with a string by reading the string. */
static bool as_number(const json_t *v, double *d)
{
	if (json_is_number(v)) {
		*d = json_number_value(v);
		return true;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		if (!*s || isspace((unsigned char)*s))
			return false;
		*d = strtod(s, &end);
		return !*end;
	}
	return false;
}

static bool values_equal(const json_t *a, const json_t *b)
{
	if (!a || !b)
		return false;
	if (json_is_number(a) != json_is_number(b) &&
	    (json_is_string(a) || json_is_string(b))) {
		double x, y;
		return as_number(a, &x) && as_number(b, &y) && x == y;
	}
	return sfn_json_equal(a, b);
}

static bool contains(const json_t *arr, const json_t *v)
{
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x)
		if (values_equal(x, v))
			return true;
	return false;
}

static bool regex_match(const regex_t *re, const json_t *v)
{
	char buf[SFN_NUMBUF];
	const char *s;
	if (json_is_string(v))
		s = json_string_value(v);
	else if (json_is_number(v))
		s = (sfn_fmt_double(buf, json_number_value(v)), buf);
	else if (json_is_boolean(v))
		s = json_is_true(v) ? "true" : "false";
	else
		return false;
	return regexec(re, s, 0, NULL, 0) == 0;
}

static bool compare(enum fop op, const json_t *a, const json_t *b)
{
	double x, y;
	switch (op) {
	case OP_EQ:
		return values_equal(a, b);
	case OP_NE:
		return !values_equal(a, b);
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE: {
		int c;
		if (json_is_number(a) && json_is_number(b)) {
			x = json_number_value(a);
			y = json_number_value(b);
			c = x < y ? -1 : x > y ? 1 : 0;
		} else if (json_is_string(a) && json_is_string(b)) {
			c = strcmp(json_string_value(a), json_string_value(b));
		} else {
			return false;
		}
		return op == OP_LT   ? c < 0
		       : op == OP_LE ? c <= 0
		       : op == OP_GT ? c > 0
				     : c >= 0;
	}
	case OP_IN:
		return a && json_is_array(b) && contains(b, a);
	case OP_NIN:
		return a && json_is_array(b) && !contains(b, a);
	case OP_SUBSETOF:
	case OP_ANYOF:
	case OP_NONEOF: {
		if (!json_is_array(a) || !json_is_array(b))
			return false;
		size_t i;
		json_t *v;
		bool all = true, any = false;
		json_array_foreach(a, i, v) {
			if (contains(b, v))
				any = true;
			else
				all = false;
		}
		return op == OP_SUBSETOF ? all : op == OP_ANYOF ? any : !any;
	}
	case OP_SIZE:
		if (!json_is_number(b))
			return false;
		if (json_is_array(a))
			return (double)json_array_size(a) ==
			       json_number_value(b);
		if (json_is_string(a))
			return (double)sfn_utf8_length(json_string_value(a),
						       json_string_length(a)) ==
			       json_number_value(b);
		return false;
	case OP_EMPTY: {
		bool empty;
		if (!json_is_boolean(b))
			return false;
		if (json_is_array(a))
			empty = json_array_size(a) == 0;
		else if (json_is_string(a))
			empty = json_string_length(a) == 0;
		else
			return false;
		return empty == json_is_true(b);
	}
	case OP_REGEX:
		break;
	}
	return false;
}

static bool filter_accept(const struct fnode *f, json_t *cur, json_t *root,
			  int depth)
{
	switch (f->kind) {
	case F_OR:
		return filter_accept(f->l, cur, root, depth) ||
		       filter_accept(f->r, cur, root, depth);
	case F_AND:
		return filter_accept(f->l, cur, root, depth) &&
		       filter_accept(f->r, cur, root, depth);
	case F_NOT:
		return !filter_accept(f->l, cur, root, depth);
	case F_EXISTS: {
		json_t *v = operand_value(&f->a, cur, root, depth);
		bool ok = v && (f->a.path->definite || json_array_size(v) > 0);
		json_decref(v);
		return ok;
	}
	case F_CMP: {
		json_t *a = operand_value(&f->a, cur, root, depth);
		bool ok;
		if (f->op == OP_REGEX) {
			ok = a && regex_match(f->b.re, a);
		} else {
			json_t *b = operand_value(&f->b, cur, root, depth);
			/* Jayway: a missing value equals nothing. */
			ok = (a && b) ? compare(f->op, a, b) : f->op == OP_NE;
			json_decref(b);
		}
		json_decref(a);
		return ok;
	}
	}
	return false;
}

/* The root value, borrowed; NULL (with @err set for variables) if none. */
static json_t *root_value(const struct sfn_path *p,
			  const struct sfn_path_env *env, struct sfn_error *err)
{
	switch (p->root) {
	case SFN_ROOT_INPUT:
		return env->input;
	case SFN_ROOT_CONTEXT:
		return env->context;
	case SFN_ROOT_VARIABLE: {
		json_t *v = env->variable ? env->variable(env->ud, p->variable)
					  : NULL;
		if (!v)
			sfn_errorf(err, SFN_E_RUNTIME, NULL,
				   "The variable '$%s' referenced in '%s' has "
				   "no value: no state assigned it before",
				   p->variable, p->text);
		return v;
	}
	}
	return NULL;
}

json_t *sfn_path_eval(const struct sfn_path *p, const struct sfn_path_env *env,
		      struct sfn_error *err)
{
	json_t *root = root_value(p, env, err);
	if (!root)
		return p->definite || p->root == SFN_ROOT_VARIABLE
			       ? NULL
			       : json_array();
	if (p->definite && p->reference) {
		/* The fast path: no allocation but the caller's reference. */
		return json_incref(walk_definite(p, root));
	}
	return eval_from(p, root, root, 0);
}

/* ---- Jayway's messages for a definite path that matched nothing ---- */

static void add_norm_step(struct sfn_strbuf *sb, const struct step *s)
{
	if (s->kind == ST_NAME) {
		sfn_strbuf_adds(sb, "['");
		sfn_strbuf_add(sb, s->name, s->name_len);
		sfn_strbuf_adds(sb, "']");
	} else if (s->kind == ST_INDEX) {
		sfn_strbuf_addf(sb, "[%ld]", s->index);
	} else if (s->kind == ST_NAMES) {
		sfn_strbuf_addch(sb, '[');
		for (size_t i = 0; i < s->n; i++)
			sfn_strbuf_addf(sb, "%s'%s'", i ? "," : "",
					s->names[i]);
		sfn_strbuf_addch(sb, ']');
	}
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		return "null";
	}
	return "value";
}

char *sfn_path_miss_cause(const struct sfn_path *p,
			  const struct sfn_path_env *env)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	json_t *node;
	switch (p->root) {
	case SFN_ROOT_INPUT:
		node = env->input;
		break;
	case SFN_ROOT_CONTEXT:
		node = env->context;
		break;
	default:
		node = env->variable ? env->variable(env->ud, p->variable)
				     : NULL;
		break;
	}
	if (!node)
		return sfn_xasprintf("No results for path: $");
	struct sfn_strbuf at = SFN_STRBUF_INIT;
	sfn_strbuf_addch(&at, '$');
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct step *s = &p->steps[i];
		bool leaf = i + 1 == p->n_steps;
		size_t before = at.len;
		add_norm_step(&at, s);
		if (s->kind == ST_NAME) {
			if (!json_is_object(node)) {
				sfn_strbuf_addf(&sb,
						"Expected to find an object "
						"with property ");
				sfn_strbuf_add(&sb, at.buf + before,
					       at.len - before);
				sfn_strbuf_adds(&sb, " in path ");
				sfn_strbuf_add(&sb, at.buf, before);
				sfn_strbuf_addf(&sb, " but found '%s'",
						type_name(node));
				goto out;
			}
			json_t *v =
				json_object_getn(node, s->name, s->name_len);
			if (!v) {
				if (leaf)
					break;
				sfn_strbuf_adds(&sb,
						"Missing property in path ");
				sfn_strbuf_add(&sb, at.buf, at.len);
				goto out;
			}
			node = v;
		} else if (s->kind == ST_INDEX) {
			if (!json_is_array(node)) {
				sfn_strbuf_addf(&sb,
						"Filter: [%ld] can only be "
						"applied to arrays. Current "
						"context is: ",
						s->index);
				sfn_json_dump(&sb, node, 0);
				goto out;
			}
			size_t len = json_array_size(node);
			long k = norm_index(s->index, len);
			if (k < 0 || (size_t)k >= len)
				break;
			node = json_array_get(node, (size_t)k);
		} else {
			break;
		}
	}
	/* Jayway prints the whole normalised path for a missing leaf. */
	sfn_strbuf_adds(&sb, "No results for path: $");
	for (size_t i = 0; i < p->n_steps; i++)
		add_norm_step(&sb, &p->steps[i]);
out:
	sfn_strbuf_release(&at);
	return sfn_strbuf_detach(&sb, NULL);
}

/* ---- ResultPath ---- */

static json_t *set_at(const struct sfn_path *p, size_t i, json_t *doc,
		      json_t *value, bool *failed)
{
	if (i == p->n_steps)
		return json_incref(value);
	const struct step *s = &p->steps[i];
	if (s->kind == ST_NAME) {
		/* ASL: missing intermediate objects are created. */
		if (doc && !json_is_object(doc)) {
			*failed = true;
			return NULL;
		}
		json_t *child =
			doc ? json_object_getn(doc, s->name, s->name_len)
			    : NULL;
		json_t *nv = set_at(p, i + 1, child, value, failed);
		if (!nv)
			return NULL;
		/* Copy-on-write: a shallow copy shares every other member. */
		json_t *copy = doc ? json_copy(doc) : json_object();
		if (json_object_setn_new(copy, s->name, s->name_len, nv) < 0) {
			json_decref(copy);
			*failed = true;
			return NULL;
		}
		return copy;
	}
	if (s->kind == ST_INDEX && json_is_array(doc)) {
		size_t len = json_array_size(doc);
		long k = norm_index(s->index, len);
		if (k < 0 || (size_t)k >= len) {
			*failed = true;
			return NULL;
		}
		json_t *nv = set_at(p, i + 1, json_array_get(doc, (size_t)k),
				    value, failed);
		if (!nv)
			return NULL;
		json_t *copy = json_copy(doc);
		json_array_set_new(copy, (size_t)k, nv);
		return copy;
	}
	*failed = true;
	return NULL;
}

json_t *sfn_path_set(const struct sfn_path *p, json_t *doc, json_t *value,
		     struct sfn_error *err)
{
	if (p->root != SFN_ROOT_INPUT || !p->reference) {
		sfn_errorf(err, SFN_E_RUNTIME, NULL,
			   "invalid ResultPath '%s': a ResultPath is a "
			   "reference path into the state input, starting "
			   "with '$'",
			   p->text);
		return NULL;
	}
	bool failed = false;
	json_t *out = set_at(p, 0, doc, value, &failed);
	if (!out) {
		char *in = doc ? sfn_json_dumps(doc, 0) : sfn_xstrdup("null");
		sfn_errorf(err, SFN_E_RESULT_PATH_MATCH_FAILURE, NULL,
			   "Unable to apply ReferencePath %s to input %s",
			   p->text, in);
		free(in);
	}
	return out;
}
