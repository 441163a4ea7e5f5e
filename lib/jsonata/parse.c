/*
 * The tokenizer, the Pratt parser and the tree rewrite of JSONata, after
 * the reference's parser.js: same binding powers, same rewrites (paths,
 * stages, group-by, sort, focus/index bindings, parent resolution, tail
 * calls), same error codes.
 */
#include "jsonata/jsonata_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "base/banned.h"

enum tok_type { T_END, T_NAME, T_VAR, T_OP, T_STR, T_NUM, T_VALUE, T_REGEX };

struct tok {
	int type;
	int op; /* T_OP */
	const char *s;
	size_t slen;
	double num;
	int vkind, vb;
	struct jn_regex *re;
	size_t pos;
};

struct parser {
	struct sfn_jsonata *e;
	struct jn_arena *a;
	const char *src;
	size_t len, p;
	struct tok t; /* the current token ("node" in the reference) */
	struct jn_cerr *err;
	jmp_buf jb;
	bool aws;
	int label, aindex;
	struct jn_node **ancestry;
	int nanc, canc;
	uintptr_t stack_floor; /* recursion below this is refused (U1001) */
};

SFN_NORETURN static void perr(struct parser *ps, const char *code, size_t pos,
			      const char *token, const char *value)
{
	ps->err->code = code;
	ps->err->pos = pos;
	if (token) {
		snprintf(ps->err->token, sizeof(ps->err->token), "%s", token);
		ps->err->has_token = true;
	}
	if (value) {
		snprintf(ps->err->value, sizeof(ps->err->value), "%s", value);
		ps->err->has_value = true;
	}
	longjmp(ps->jb, 1);
}

static const char *op_text(int op, char buf[4])
{
	switch (op) {
	case OP_RANGE:
		return "..";
	case OP_ASSIGN:
		return ":=";
	case OP_NE:
		return "!=";
	case OP_GE:
		return ">=";
	case OP_LE:
		return "<=";
	case OP_DESC:
		return "**";
	case OP_CHAIN:
		return "~>";
	case OP_ELVIS:
		return "?:";
	case OP_COALESCE:
		return "??";
	case OP_AND:
		return "and";
	case OP_OR:
		return "or";
	case OP_IN:
		return "in";
	default:
		buf[0] = (char)op;
		buf[1] = 0;
		return buf;
	}
}

/* text grown in an arena (what it outgrows stays there until the end) */
struct arena_text {
	char *buf; /* NUL-terminated */
	size_t len, cap;
};

static void arena_text_add(struct jn_arena *a, struct arena_text *t,
			   const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t nc = (t->len + n + 1) * 2;
		char *nb = jn_alloc(a, nc);
		if (t->len)
			memcpy(nb, t->buf, t->len);
		t->buf = nb;
		t->cap = nc;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = 0;
}

static const char *tok_text(struct parser *ps, const struct tok *t)
{
	static const char *const vals[] = { "null", "false", "true" };
	char buf[4];
	switch (t->type) {
	case T_OP:
		return jn_strndup(ps->a, op_text(t->op, buf),
				  strlen(op_text(t->op, buf)));
	case T_NAME:
	case T_VAR:
	case T_STR:
		return jn_strndup(ps->a, t->s, t->slen);
	case T_NUM: {
		char nb[SFN_NUMBUF];
		int n = sfn_fmt_double(nb, t->num);
		return jn_strndup(ps->a, nb, (size_t)n);
	}
	case T_VALUE:
		return vals[t->vkind == JV_NULL ? 0 : 1 + t->vb];
	case T_END:
		return "(end)";
	default:
		return "";
	}
}

/* ---- tokenizer ---- */

static bool is_opchar(int c)
{
	return c && strchr(".[]{}(),@#;:?+-*/%|=<>^&!~", c) != NULL;
}
static bool is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v';
}

static void put_utf8(struct sfn_strbuf *sb, unsigned cp)
{
	if (cp < 0x80) {
		sfn_strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		sfn_strbuf_addch(sb, (int)(0xC0 | (cp >> 6)));
		sfn_strbuf_addch(sb, (int)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		sfn_strbuf_addch(sb, (int)(0xE0 | (cp >> 12)));
		sfn_strbuf_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3F)));
		sfn_strbuf_addch(sb, (int)(0x80 | (cp & 0x3F)));
	} else {
		sfn_strbuf_addch(sb, (int)(0xF0 | (cp >> 18)));
		sfn_strbuf_addch(sb, (int)(0x80 | ((cp >> 12) & 0x3F)));
		sfn_strbuf_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3F)));
		sfn_strbuf_addch(sb, (int)(0x80 | (cp & 0x3F)));
	}
}

static int hex4(const char *s, size_t avail)
{
	if (avail < 4)
		return -1;
	int v = 0;
	for (int i = 0; i < 4; i++) {
		int c = s[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static void scan_regex(struct parser *ps, struct tok *t)
{
	const char *s = ps->src;
	size_t start = ps->p;
	int depth = 0;
	while (ps->p < ps->len) {
		char c = s[ps->p];
		if (c == '/' && depth == 0) {
			size_t bs = 0;
			while (ps->p >= bs + 1 && s[ps->p - (bs + 1)] == '\\')
				bs++;
			if (bs % 2 == 0) {
				size_t plen = ps->p - start;
				if (plen == 0)
					perr(ps, "S0301", ps->p, NULL, NULL);
				ps->p++;
				size_t fs = ps->p;
				while (ps->p < ps->len &&
				       (s[ps->p] == 'i' || s[ps->p] == 'm'))
					ps->p++;
				char flags[8] = "";
				size_t fl = ps->p - fs;
				if (fl > 6)
					fl = 6;
				memcpy(flags, s + fs, fl);
				flags[fl] = 0;
				t->type = T_REGEX;
				if (jn_regex_compile(ps->e, s + start, plen,
						     flags, ps->p, &t->re,
						     ps->err) < 0)
					longjmp(ps->jb, 1);
				return;
			}
		}
		if ((c == '(' || c == '[' || c == '{') &&
		    (ps->p == 0 || s[ps->p - 1] != '\\'))
			depth++;
		if ((c == ')' || c == ']' || c == '}') &&
		    (ps->p == 0 || s[ps->p - 1] != '\\'))
			depth--;
		ps->p++;
	}
	perr(ps, "S0302", ps->p, NULL, NULL);
}

/* Returns false at the end of input. */
static bool lex(struct parser *ps, bool prefix, struct tok *t)
{
	const char *s = ps->src;
	size_t len = ps->len;
	memset(t, 0, sizeof(*t));
again:
	while (ps->p < len && is_ws(s[ps->p]))
		ps->p++;
	if (ps->p >= len)
		return false;
	char c = s[ps->p];
	char c1 = ps->p + 1 < len ? s[ps->p + 1] : 0;
	if (c == '/' && c1 == '*') {
		size_t cs = ps->p;
		ps->p += 2;
		for (;;) {
			if (ps->p + 1 >= len)
				perr(ps, "S0106", cs, NULL, NULL);
			if (s[ps->p] == '*' && s[ps->p + 1] == '/')
				break;
			ps->p++;
		}
		ps->p += 2;
		goto again;
	}
	if (!prefix && c == '/') {
		ps->p++;
		scan_regex(ps, t);
		t->pos = ps->p;
		return true;
	}
	int op2 = 0;
	if (c == '.' && c1 == '.')
		op2 = OP_RANGE;
	else if (c == ':' && c1 == '=')
		op2 = OP_ASSIGN;
	else if (c == '!' && c1 == '=')
		op2 = OP_NE;
	else if (c == '>' && c1 == '=')
		op2 = OP_GE;
	else if (c == '<' && c1 == '=')
		op2 = OP_LE;
	else if (c == '*' && c1 == '*')
		op2 = OP_DESC;
	else if (c == '~' && c1 == '>')
		op2 = OP_CHAIN;
	else if (!ps->aws && c == '?' && c1 == ':')
		op2 = OP_ELVIS;
	else if (!ps->aws && c == '?' && c1 == '?')
		op2 = OP_COALESCE;
	if (op2) {
		ps->p += 2;
		t->type = T_OP;
		t->op = op2;
		t->pos = ps->p;
		return true;
	}
	if (is_opchar(c)) {
		ps->p++;
		t->type = T_OP;
		t->op = c;
		t->pos = ps->p;
		return true;
	}
	if (c == '"' || c == '\'') {
		char q = c;
		struct sfn_strbuf sb = SFN_STRBUF_INIT;
		ps->p++;
		while (ps->p < len) {
			c = s[ps->p];
			if (c == '\\') {
				ps->p++;
				c = ps->p < len ? s[ps->p] : 0;
				const char *esc = strchr("\"\\/bfnrt", c);
				if (c && esc) {
					static const char rep[] =
						"\"\\/\b\f\n\r\t";
					sfn_strbuf_addch(
						&sb, rep[esc - "\"\\/bfnrt"]);
				} else if (c == 'u') {
					int cp = hex4(s + ps->p + 1,
						      len - ps->p - 1);
					if (cp < 0) {
						sfn_strbuf_release(&sb);
						perr(ps, "S0104", ps->p, NULL,
						     NULL);
					}
					ps->p += 4;
					if (cp >= 0xD800 && cp < 0xDC00 &&
					    ps->p + 6 < len + 0 &&
					    s[ps->p + 1] == '\\' &&
					    s[ps->p + 2] == 'u') {
						int lo = hex4(s + ps->p + 3,
							      len - ps->p - 3);
						if (lo >= 0xDC00 &&
						    lo < 0xE000) {
							cp = 0x10000 +
							     ((cp - 0xD800)
							      << 10) +
							     (lo - 0xDC00);
							ps->p += 6;
						}
					}
					put_utf8(&sb, (unsigned)cp);
				} else {
					char tk[2] = { c, 0 };
					sfn_strbuf_release(&sb);
					perr(ps, "S0103", ps->p, tk, NULL);
				}
			} else if (c == q) {
				ps->p++;
				t->type = T_STR;
				t->s = jn_strndup(ps->a, sb.buf, sb.len);
				t->slen = sb.len;
				t->pos = ps->p;
				sfn_strbuf_release(&sb);
				return true;
			} else {
				sfn_strbuf_addch(&sb, c);
			}
			ps->p++;
		}
		sfn_strbuf_release(&sb);
		perr(ps, "S0101", ps->p, NULL, NULL);
	}
	/* numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)? */
	if (c >= '0' && c <= '9') {
		size_t i = ps->p;
		if (s[i] == '0')
			i++;
		else
			while (i < len && s[i] >= '0' && s[i] <= '9')
				i++;
		if (i + 1 < len && s[i] == '.' && s[i + 1] >= '0' &&
		    s[i + 1] <= '9') {
			i++;
			while (i < len && s[i] >= '0' && s[i] <= '9')
				i++;
		}
		if (i < len && (s[i] == 'e' || s[i] == 'E')) {
			size_t j = i + 1;
			if (j < len && (s[j] == '+' || s[j] == '-'))
				j++;
			if (j < len && s[j] >= '0' && s[j] <= '9') {
				while (j < len && s[j] >= '0' && s[j] <= '9')
					j++;
				i = j;
			}
		}
		char *tmp = jn_strndup(ps->a, s + ps->p, i - ps->p);
		double d = strtod(tmp, NULL);
		if (!isfinite(d))
			perr(ps, "S0102", ps->p, tmp, NULL);
		ps->p = i;
		t->type = T_NUM;
		t->num = d;
		t->pos = ps->p;
		return true;
	}
	if (c == '`') {
		ps->p++;
		const char *end = memchr(s + ps->p, '`', len - ps->p);
		if (!end) {
			ps->p = len;
			perr(ps, "S0105", ps->p, NULL, NULL);
		}
		t->type = T_NAME;
		t->s = jn_strndup(ps->a, s + ps->p,
				  (size_t)(end - (s + ps->p)));
		t->slen = (size_t)(end - (s + ps->p));
		ps->p = (size_t)(end - s) + 1;
		t->pos = ps->p;
		return true;
	}
	size_t i = ps->p;
	while (i < len && !is_ws(s[i]) && !is_opchar(s[i]))
		i++;
	if (s[ps->p] == '$') {
		t->type = T_VAR;
		t->s = jn_strndup(ps->a, s + ps->p + 1, i - ps->p - 1);
		t->slen = i - ps->p - 1;
		ps->p = i;
		t->pos = ps->p;
		return true;
	}
	size_t n = i - ps->p;
	const char *w = s + ps->p;
	ps->p = i;
	t->pos = i;
	if (n == 2 && !memcmp(w, "or", 2)) {
		t->type = T_OP;
		t->op = OP_OR;
	} else if (n == 2 && !memcmp(w, "in", 2)) {
		t->type = T_OP;
		t->op = OP_IN;
	} else if (n == 3 && !memcmp(w, "and", 3)) {
		t->type = T_OP;
		t->op = OP_AND;
	} else if (n == 4 && !memcmp(w, "true", 4)) {
		t->type = T_VALUE;
		t->vkind = JV_BOOL;
		t->vb = 1;
	} else if (n == 5 && !memcmp(w, "false", 5)) {
		t->type = T_VALUE;
		t->vkind = JV_BOOL;
	} else if (n == 4 && !memcmp(w, "null", 4)) {
		t->type = T_VALUE;
		t->vkind = JV_NULL;
	} else {
		if (n == 0 && i == len)
			return false;
		t->type = T_NAME;
		t->s = jn_strndup(ps->a, w, n);
		t->slen = n;
	}
	return true;
}

/* ---- Pratt parser ---- */

static int lbp(const struct tok *t)
{
	if (t->type != T_OP)
		return 0;
	switch (t->op) {
	case '.':
		return 75;
	case '[':
	case '(':
	case '@':
	case '#':
		return 80;
	case '{':
		return 70;
	case '*':
	case '/':
	case '%':
		return 60;
	case '+':
	case '-':
	case '&':
		return 50;
	case '=':
	case '<':
	case '>':
	case '^':
	case OP_NE:
	case OP_LE:
	case OP_GE:
	case OP_CHAIN:
	case OP_ELVIS:
	case OP_COALESCE:
	case OP_IN:
		return 40;
	case OP_AND:
		return 30;
	case OP_OR:
		return 25;
	case '?':
		return 20;
	case OP_ASSIGN:
		return 10;
	default:
		return 0;
	}
}

static bool is_known_op(int op)
{
	/* symbols registered in the reference's table */
	switch (op) {
	case '!':
	case '~':
		return false;
	default:
		return true;
	}
}

static struct jn_node *newnode(struct parser *ps, int type, size_t pos)
{
	struct jn_node *n = jn_zalloc(ps->a, sizeof(*n));
	n->type = (uint8_t)type;
	n->pos = pos;
	return n;
}

static void list_push(struct jn_arena *a, struct jn_list *l, struct jn_node *n)
{
	if (l->n == l->cap) {
		int nc = l->cap ? l->cap * 2 : 4;
		struct jn_node **v = jn_alloc(a, sizeof(*v) * (size_t)nc);
		if (l->n)
			memcpy(v, l->v, sizeof(*v) * (size_t)l->n);
		l->v = v;
		l->cap = nc;
	}
	l->v[l->n++] = n;
}

static void pairs_push(struct jn_arena *a, struct jn_pairs *l,
		       struct jn_node *k, struct jn_node *v)
{
	if (l->n == l->cap) {
		int nc = l->cap ? l->cap * 2 : 4;
		struct jn_pair *nv = jn_alloc(a, sizeof(*nv) * (size_t)nc);
		if (l->n)
			memcpy(nv, l->v, sizeof(*nv) * (size_t)l->n);
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n].k = k;
	l->v[l->n].v = v;
	l->n++;
}

static void stages_push(struct jn_arena *a, struct jn_stages *l,
			struct jn_stage st)
{
	if (l->n == l->cap) {
		int nc = l->cap ? l->cap * 2 : 4;
		struct jn_stage *nv = jn_alloc(a, sizeof(*nv) * (size_t)nc);
		if (l->n)
			memcpy(nv, l->v, sizeof(*nv) * (size_t)l->n);
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = st;
}

static void slots_push(struct jn_arena *a, struct jn_slots *l,
		       struct jn_slot *s)
{
	if (l->n == l->cap) {
		int nc = l->cap ? l->cap * 2 : 4;
		struct jn_slot **nv = jn_alloc(a, sizeof(*nv) * (size_t)nc);
		if (l->n)
			memcpy(nv, l->v, sizeof(*nv) * (size_t)l->n);
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = s;
}

static void advance(struct parser *ps, int id, bool infix)
{
	if (id) {
		bool ok = ps->t.type == T_OP && ps->t.op == id;
		if (!ok) {
			char b[4];
			const char *want = op_text(id, b);
			if (ps->t.type == T_END)
				perr(ps, "S0203", ps->t.pos,
				     tok_text(ps, &ps->t), want);
			perr(ps, "S0202", ps->t.pos, tok_text(ps, &ps->t),
			     want);
		}
	}
	struct tok t;
	if (!lex(ps, infix, &t)) {
		memset(&ps->t, 0, sizeof(ps->t));
		ps->t.type = T_END;
		ps->t.pos = ps->len;
		return;
	}
	if (t.type == T_OP && !is_known_op(t.op)) {
		char b[4];
		perr(ps, "S0204", t.pos, op_text(t.op, b), NULL);
	}
	ps->t = t;
}

static bool at_op(struct parser *ps, int op)
{
	return ps->t.type == T_OP && ps->t.op == op;
}

static struct jn_node *expression(struct parser *ps, int rbp);

static struct jn_node *tok_node(struct parser *ps, const struct tok *t)
{
	struct jn_node *n = newnode(ps, 0, t->pos);
	switch (t->type) {
	case T_NAME:
		n->type = N_NAME;
		n->str = t->s;
		n->slen = t->slen;
		break;
	case T_VAR:
		n->type = N_VARIABLE;
		n->str = t->s;
		n->slen = t->slen;
		break;
	case T_STR:
		n->type = N_STRING;
		n->str = t->s;
		n->slen = t->slen;
		break;
	case T_NUM:
		n->type = N_NUMBER;
		n->num = t->num;
		break;
	case T_VALUE:
		n->type = N_VALUE;
		n->vkind = t->vkind;
		n->num = t->vb;
		break;
	case T_REGEX:
		n->type = N_REGEX;
		n->re = t->re;
		break;
	case T_OP:
		n->type = N_OPERATOR;
		n->op = t->op;
		break;
	case T_END:
		n->type = N_END;
		break;
	}
	return n;
}

static struct jn_node *object_parser(struct parser *ps, struct jn_node *self,
				     struct jn_node *left)
{
	struct jn_pairs a = { 0 };
	if (!at_op(ps, '}')) {
		for (;;) {
			struct jn_node *k = expression(ps, 0);
			advance(ps, ':', false);
			struct jn_node *v = expression(ps, 0);
			pairs_push(ps->a, &a, k, v);
			if (!at_op(ps, ','))
				break;
			advance(ps, ',', false);
		}
	}
	advance(ps, '}', true);
	self->op = '{';
	self->pairs = a;
	if (!left) {
		self->type = N_UNARY;
	} else {
		self->type = N_BINARY;
		self->lhs = left;
	}
	return self;
}

static struct jn_node *clone_tree(struct parser *ps, const struct jn_node *n);

static struct jn_node *nud(struct parser *ps, struct tok *t)
{
	struct jn_node *self = tok_node(ps, t);
	if (t->type != T_OP)
		return self; /* terminals, (end) included */
	switch (t->op) {
	case OP_AND:
	case OP_OR:
	case OP_IN:
		return self;
	case '-':
		self->type = N_UNARY;
		self->op = '-';
		self->expr = expression(ps, 70);
		return self;
	case '*':
		self->type = N_WILDCARD;
		return self;
	case OP_DESC:
		self->type = N_DESCENDANT;
		return self;
	case '%':
		self->type = N_PARENT;
		return self;
	case '(': {
		self->type = N_BLOCK;
		self->op = '(';
		while (!at_op(ps, ')')) {
			list_push(ps->a, &self->items, expression(ps, 0));
			if (!at_op(ps, ';'))
				break;
			advance(ps, ';', false);
		}
		advance(ps, ')', true);
		return self;
	}
	case '[': {
		self->type = N_UNARY;
		self->op = '[';
		if (!at_op(ps, ']')) {
			for (;;) {
				struct jn_node *item = expression(ps, 0);
				if (at_op(ps, OP_RANGE)) {
					struct jn_node *r = newnode(
						ps, N_BINARY, ps->t.pos);
					r->op = OP_RANGE;
					r->lhs = item;
					advance(ps, OP_RANGE, false);
					r->rhs = expression(ps, 0);
					item = r;
				}
				list_push(ps->a, &self->items, item);
				if (!at_op(ps, ','))
					break;
				advance(ps, ',', false);
			}
		}
		advance(ps, ']', true);
		return self;
	}
	case '{':
		return object_parser(ps, self, NULL);
	case '|':
		self->type = N_TRANSFORM;
		self->pattern = expression(ps, 0);
		advance(ps, '|', false);
		self->update = expression(ps, 0);
		if (at_op(ps, ',')) {
			advance(ps, ',', false);
			self->del = expression(ps, 0);
		}
		advance(ps, '|', false);
		return self;
	default: {
		char b[4];
		perr(ps, "S0211", t->pos, op_text(t->op, b), NULL);
	}
	}
}

static struct jn_node *led(struct parser *ps, struct tok *t,
			   struct jn_node *left)
{
	struct jn_node *self = tok_node(ps, t);
	int op = t->op;
	self->op = op;
	switch (op) {
	case '(': {
		self->procedure = left;
		self->type = N_FUNCTION;
		if (!at_op(ps, ')')) {
			for (;;) {
				if (ps->t.type == T_OP && ps->t.op == '?') {
					self->type = N_PARTIAL;
					list_push(ps->a, &self->items,
						  tok_node(ps, &ps->t));
					advance(ps, '?', false);
				} else {
					list_push(ps->a, &self->items,
						  expression(ps, 0));
				}
				if (!at_op(ps, ','))
					break;
				advance(ps, ',', false);
			}
		}
		advance(ps, ')', true);
		if (left->type == N_NAME && (!strcmp(left->str, "function") ||
					     !strcmp(left->str, "\xce\xbb"))) {
			for (int i = 0; i < self->items.n; i++) {
				struct jn_node *arg = self->items.v[i];
				if (arg->type != N_VARIABLE) {
					char v[16];
					snprintf(v, sizeof(v), "%d", i + 1);
					perr(ps, "S0208", arg->pos,
					     arg->str ? arg->str : "", v);
				}
			}
			self->type = N_LAMBDA;
			if (at_op(ps, '<')) {
				size_t sigpos = ps->t.pos;
				int depth = 1;
				/* in the arena: advance() may longjmp out */
				struct arena_text sig = { 0 };
				arena_text_add(ps->a, &sig, "<", 1);
				while (depth > 0 && !at_op(ps, '{') &&
				       ps->t.type != T_END) {
					advance(ps, 0, false);
					if (at_op(ps, '>'))
						depth--;
					else if (at_op(ps, '<'))
						depth++;
					const char *tt = tok_text(ps, &ps->t);
					arena_text_add(ps->a, &sig, tt,
						       strlen(tt));
				}
				char *sigs = sig.buf;
				size_t siglen = sig.len;
				advance(ps, '>', false);
				self->sig =
					jn_zalloc(ps->a, sizeof(*self->sig));
				if (jn_parse_sig(ps->a, sigs, siglen, self->sig,
						 ps->err) < 0) {
					ps->err->pos += sigpos;
					longjmp(ps->jb, 1);
				}
			}
			advance(ps, '{', false);
			self->body = expression(ps, 0);
			advance(ps, '}', false);
		}
		return self;
	}
	case '[': {
		if (at_op(ps, ']')) {
			struct jn_node *step = left;
			while (step && step->type == N_BINARY &&
			       step->op == '[')
				step = step->lhs;
			step->keep_array = true;
			advance(ps, ']', false);
			return left;
		}
		self->type = N_BINARY;
		self->lhs = left;
		self->rhs = expression(ps, 0);
		advance(ps, ']', true);
		return self;
	}
	case '^': {
		advance(ps, '(', false);
		int cap = 4, n = 0;
		struct jn_term *terms = jn_alloc(ps->a, sizeof(*terms) * 4);
		for (;;) {
			bool desc = false;
			if (at_op(ps, '<')) {
				advance(ps, '<', false);
			} else if (at_op(ps, '>')) {
				desc = true;
				advance(ps, '>', false);
			}
			if (n == cap) {
				struct jn_term *nt = jn_alloc(
					ps->a, sizeof(*nt) * (size_t)cap * 2);
				memcpy(nt, terms, sizeof(*nt) * (size_t)n);
				terms = nt;
				cap *= 2;
			}
			terms[n].desc = desc;
			terms[n].expr = expression(ps, 0);
			n++;
			if (!at_op(ps, ','))
				break;
			advance(ps, ',', false);
		}
		advance(ps, ')', false);
		self->type = N_BINARY;
		self->lhs = left;
		self->terms = terms;
		self->nterms = n;
		return self;
	}
	case '{':
		return object_parser(ps, self, left);
	case OP_ASSIGN:
		if (left->type != N_VARIABLE)
			perr(ps, "S0212", left->pos, left->str, NULL);
		self->type = N_BINARY;
		self->lhs = left;
		self->rhs = expression(ps, 10 - 1);
		return self;
	case '@':
	case '#':
		self->type = N_BINARY;
		self->lhs = left;
		self->rhs = expression(ps, 80);
		if (self->rhs->type != N_VARIABLE)
			perr(ps, "S0214", self->rhs->pos, op == '@' ? "@" : "#",
			     NULL);
		return self;
	case '?':
		self->type = N_CONDITION;
		self->cond = left;
		self->then = expression(ps, 0);
		if (at_op(ps, ':')) {
			advance(ps, ':', false);
			self->els = expression(ps, 0);
		}
		return self;
	case OP_ELVIS:
		self->type = N_CONDITION;
		self->cond = clone_tree(ps, left);
		self->then = left;
		self->els = expression(ps, 0);
		return self;
	case OP_COALESCE: {
		self->type = N_CONDITION;
		struct jn_node *f = newnode(ps, N_FUNCTION, self->pos);
		f->op = '(';
		struct jn_node *pv = newnode(ps, N_VARIABLE, self->pos);
		pv->str = "exists";
		pv->slen = 6;
		f->procedure = pv;
		list_push(ps->a, &f->items, clone_tree(ps, left));
		self->cond = f;
		self->then = left;
		self->els = expression(ps, 0);
		return self;
	}
	default:
		self->type = N_BINARY;
		self->lhs = left;
		self->rhs = expression(ps, lbp(t));
		return self;
	}
}

/* Deeply nested input fails cleanly instead of overflowing the stack. */
static void check_stack(struct parser *ps, size_t pos)
{
	char here;
	if ((uintptr_t)&here < ps->stack_floor)
		perr(ps, "U1001", pos, NULL, NULL);
}

static struct jn_node *expression(struct parser *ps, int rbp)
{
	check_stack(ps, ps->t.pos);
	struct tok t = ps->t;
	advance(ps, 0, true);
	struct jn_node *left = nud(ps, &t);
	while (rbp < lbp(&ps->t)) {
		t = ps->t;
		advance(ps, 0, false);
		left = led(ps, &t, left);
	}
	return left;
}

static struct jn_node *clone_tree(struct parser *ps, const struct jn_node *n)
{
	if (!n)
		return NULL;
	check_stack(ps, n->pos);
	struct jn_node *c = jn_alloc(ps->a, sizeof(*c));
	*c = *n;
	c->lhs = clone_tree(ps, n->lhs);
	c->rhs = clone_tree(ps, n->rhs);
	c->expr = clone_tree(ps, n->expr);
	c->cond = clone_tree(ps, n->cond);
	c->then = clone_tree(ps, n->then);
	c->els = clone_tree(ps, n->els);
	c->pattern = clone_tree(ps, n->pattern);
	c->update = clone_tree(ps, n->update);
	c->del = clone_tree(ps, n->del);
	c->procedure = clone_tree(ps, n->procedure);
	c->body = clone_tree(ps, n->body);
	memset(&c->items, 0, sizeof(c->items));
	for (int i = 0; i < n->items.n; i++)
		list_push(ps->a, &c->items, clone_tree(ps, n->items.v[i]));
	memset(&c->pairs, 0, sizeof(c->pairs));
	for (int i = 0; i < n->pairs.n; i++)
		pairs_push(ps->a, &c->pairs, clone_tree(ps, n->pairs.v[i].k),
			   clone_tree(ps, n->pairs.v[i].v));
	if (n->terms) {
		c->terms =
			jn_alloc(ps->a, sizeof(*c->terms) * (size_t)n->nterms);
		for (int i = 0; i < n->nterms; i++) {
			c->terms[i].desc = n->terms[i].desc;
			c->terms[i].expr = clone_tree(ps, n->terms[i].expr);
		}
	}
	return c;
}

/* ---- the rewrite (processAST) ---- */

static struct jn_node *process(struct parser *ps, struct jn_node *expr);

static struct jn_node *tail_call_optimize(struct parser *ps,
					  struct jn_node *expr)
{
	if (expr->type == N_FUNCTION && !expr->has_predicate) {
		struct jn_node *th = newnode(ps, N_LAMBDA, expr->pos);
		th->thunk = true;
		th->body = expr;
		return th;
	}
	if (expr->type == N_CONDITION) {
		expr->then = tail_call_optimize(ps, expr->then);
		if (expr->els)
			expr->els = tail_call_optimize(ps, expr->els);
		return expr;
	}
	if (expr->type == N_BLOCK && expr->items.n > 0) {
		expr->items.v[expr->items.n - 1] = tail_call_optimize(
			ps, expr->items.v[expr->items.n - 1]);
	}
	return expr;
}

static const char *type_name(const struct jn_node *n)
{
	switch (n->type) {
	case N_PATH:
		return "path";
	case N_BINARY:
		return "binary";
	case N_UNARY:
		return "unary";
	case N_NAME:
		return "name";
	case N_STRING:
		return "string";
	case N_NUMBER:
		return "number";
	case N_VALUE:
		return "value";
	case N_WILDCARD:
		return "wildcard";
	case N_DESCENDANT:
		return "descendant";
	case N_PARENT:
		return "parent";
	case N_CONDITION:
		return "condition";
	case N_BLOCK:
		return "block";
	case N_BIND:
		return "bind";
	case N_REGEX:
		return "regex";
	case N_FUNCTION:
		return "function";
	case N_PARTIAL:
		return "partial";
	case N_VARIABLE:
		return "variable";
	case N_LAMBDA:
		return "lambda";
	case N_APPLY:
		return "apply";
	case N_TRANSFORM:
		return "transform";
	case N_SORT:
		return "sort";
	default:
		return "operator";
	}
}

static struct jn_slot *seek_parent(struct parser *ps, struct jn_node *node,
				   struct jn_slot *slot)
{
	switch (node->type) {
	case N_NAME:
	case N_WILDCARD:
		slot->level--;
		if (slot->level == 0) {
			if (!node->ancestor) {
				node->ancestor = slot;
			} else {
				ps->ancestry[slot->index]->slot->label =
					node->ancestor->label;
				node->ancestor = slot;
			}
			node->tuple = true;
		}
		break;
	case N_PARENT:
		slot->level++;
		break;
	case N_BLOCK:
		if (node->items.n > 0) {
			node->tuple = true;
			slot = seek_parent(ps, node->items.v[node->items.n - 1],
					   slot);
		}
		break;
	case N_PATH: {
		node->tuple = true;
		int index = node->items.n - 1;
		slot = seek_parent(ps, node->items.v[index--], slot);
		while (slot->level > 0 && index >= 0)
			slot = seek_parent(ps, node->items.v[index--], slot);
		break;
	}
	default:
		perr(ps, "S0217", node->pos, type_name(node), NULL);
	}
	return slot;
}

static struct jn_slots *new_slots(struct parser *ps)
{
	return jn_zalloc(ps->a, sizeof(struct jn_slots));
}

static void push_ancestry(struct parser *ps, struct jn_node *result,
			  struct jn_node *value)
{
	if (!value)
		return;
	if (value->seeking || value->type == N_PARENT) {
		struct jn_slots *slots =
			value->seeking ? value->seeking : new_slots(ps);
		if (value->type == N_PARENT)
			slots_push(ps->a, slots, value->slot);
		if (!result->seeking) {
			result->seeking = slots;
		} else {
			int n = slots->n;
			for (int i = 0; i < n; i++)
				slots_push(ps->a, result->seeking, slots->v[i]);
		}
	}
}

static void resolve_ancestry(struct parser *ps, struct jn_node *path)
{
	int index = path->items.n - 1;
	struct jn_node *laststep = path->items.v[index];
	struct jn_slots *slots =
		laststep->seeking ? laststep->seeking : new_slots(ps);
	if (laststep->type == N_PARENT)
		slots_push(ps->a, slots, laststep->slot);
	for (int is = 0; is < slots->n; is++) {
		struct jn_slot *slot = slots->v[is];
		index = path->items.n - 2;
		while (slot->level > 0) {
			if (index < 0) {
				if (!path->seeking)
					path->seeking = new_slots(ps);
				slots_push(ps->a, path->seeking, slot);
				break;
			}
			struct jn_node *step = path->items.v[index--];
			while (index >= 0 && step->focus &&
			       path->items.v[index]->focus)
				step = path->items.v[index--];
			slot = seek_parent(ps, step, slot);
		}
	}
}

static struct jn_node *new_path(struct parser *ps, struct jn_node *first)
{
	struct jn_node *p = newnode(ps, N_PATH, first->pos);
	list_push(ps->a, &p->items, first);
	return p;
}

static struct jn_node *process(struct parser *ps, struct jn_node *expr)
{
	struct jn_node *result = NULL;
	check_stack(ps, expr->pos);
	switch (expr->type) {
	case N_BINARY:
		switch (expr->op) {
		case '.': {
			struct jn_node *lstep = process(ps, expr->lhs);
			if (lstep->type == N_PATH) {
				result = lstep;
			} else {
				result = new_path(ps, lstep);
			}
			if (lstep->type == N_PARENT) {
				result->seeking = new_slots(ps);
				slots_push(ps->a, result->seeking, lstep->slot);
			}
			struct jn_node *rest = process(ps, expr->rhs);
			if (rest->type == N_PATH) {
				for (int i = 0; i < rest->items.n; i++)
					list_push(ps->a, &result->items,
						  rest->items.v[i]);
			} else {
				if (rest->has_predicate) {
					rest->stages = rest->predicate;
					rest->has_stages = true;
					rest->has_predicate = false;
					memset(&rest->predicate, 0,
					       sizeof(rest->predicate));
				}
				list_push(ps->a, &result->items, rest);
			}
			for (int i = 0; i < result->items.n; i++) {
				struct jn_node *st = result->items.v[i];
				if (st->type == N_NUMBER ||
				    st->type == N_VALUE) {
					const char *v;
					if (st->type == N_NUMBER) {
						char nb[SFN_NUMBUF];
						sfn_fmt_double(nb, st->num);
						v = jn_strndup(ps->a, nb,
							       strlen(nb));
					} else {
						v = st->vkind == JV_NULL
							    ? "null"
						    : st->num ? "true"
							      : "false";
					}
					perr(ps, "S0213", st->pos, NULL, v);
				}
				if (st->type == N_STRING)
					st->type = N_NAME;
			}
			for (int i = 0; i < result->items.n; i++)
				if (result->items.v[i]->keep_array)
					result->keep_singleton = true;
			struct jn_node *first = result->items.v[0];
			if (first->type == N_UNARY && first->op == '[')
				first->consarray = true;
			struct jn_node *last =
				result->items.v[result->items.n - 1];
			if (last->type == N_UNARY && last->op == '[')
				last->consarray = true;
			resolve_ancestry(ps, result);
			break;
		}
		case '[': {
			result = process(ps, expr->lhs);
			struct jn_node *step = result;
			bool stages = false;
			if (result->type == N_PATH) {
				step = result->items.v[result->items.n - 1];
				stages = true;
			}
			if (step->group)
				perr(ps, "S0209", expr->pos, NULL, NULL);
			struct jn_node *pred = process(ps, expr->rhs);
			if (pred->seeking) {
				for (int i = 0; i < pred->seeking->n; i++) {
					struct jn_slot *slot =
						pred->seeking->v[i];
					if (slot->level == 1)
						seek_parent(ps, step, slot);
					else
						slot->level--;
				}
				push_ancestry(ps, step, pred);
			}
			struct jn_stage st = { 'f', pred, NULL, expr->pos };
			if (stages) {
				step->has_stages = true;
				stages_push(ps->a, &step->stages, st);
			} else {
				step->has_predicate = true;
				stages_push(ps->a, &step->predicate, st);
			}
			break;
		}
		case '{': {
			result = process(ps, expr->lhs);
			if (result->group)
				perr(ps, "S0210", expr->pos, NULL, NULL);
			struct jn_pairs *g = jn_zalloc(ps->a, sizeof(*g));
			for (int i = 0; i < expr->pairs.n; i++)
				pairs_push(ps->a, g,
					   process(ps, expr->pairs.v[i].k),
					   process(ps, expr->pairs.v[i].v));
			result->group = g;
			result->group_pos = expr->pos;
			break;
		}
		case '^': {
			result = process(ps, expr->lhs);
			if (result->type != N_PATH)
				result = new_path(ps, result);
			struct jn_node *ss = newnode(ps, N_SORT, expr->pos);
			ss->nterms = expr->nterms;
			ss->terms =
				jn_alloc(ps->a, sizeof(*ss->terms) *
							(size_t)expr->nterms);
			for (int i = 0; i < expr->nterms; i++) {
				struct jn_node *e =
					process(ps, expr->terms[i].expr);
				push_ancestry(ps, ss, e);
				ss->terms[i].desc = expr->terms[i].desc;
				ss->terms[i].expr = e;
			}
			list_push(ps->a, &result->items, ss);
			resolve_ancestry(ps, result);
			break;
		}
		case OP_ASSIGN:
			result = newnode(ps, N_BIND, expr->pos);
			result->op = OP_ASSIGN;
			result->lhs = process(ps, expr->lhs);
			result->rhs = process(ps, expr->rhs);
			push_ancestry(ps, result, result->rhs);
			break;
		case '@': {
			result = process(ps, expr->lhs);
			struct jn_node *step = result;
			if (result->type == N_PATH)
				step = result->items.v[result->items.n - 1];
			if (step->has_stages || step->has_predicate)
				perr(ps, "S0215", expr->pos, NULL, NULL);
			if (step->type == N_SORT)
				perr(ps, "S0216", expr->pos, NULL, NULL);
			if (expr->keep_array)
				step->keep_array = true;
			step->focus = expr->rhs->str;
			step->tuple = true;
			break;
		}
		case '#': {
			result = process(ps, expr->lhs);
			struct jn_node *step = result;
			if (result->type == N_PATH) {
				step = result->items.v[result->items.n - 1];
			} else {
				result = new_path(ps, result);
				if (step->has_predicate) {
					step->stages = step->predicate;
					step->has_stages = true;
					step->has_predicate = false;
					memset(&step->predicate, 0,
					       sizeof(step->predicate));
				}
			}
			if (!step->has_stages) {
				step->index = expr->rhs->str;
			} else {
				struct jn_stage st = { 'i', NULL,
						       expr->rhs->str,
						       expr->pos };
				stages_push(ps->a, &step->stages, st);
			}
			step->tuple = true;
			break;
		}
		case OP_CHAIN:
			result = newnode(ps, N_APPLY, expr->pos);
			result->op = OP_CHAIN;
			result->lhs = process(ps, expr->lhs);
			result->rhs = process(ps, expr->rhs);
			result->keep_array = result->lhs->keep_array ||
					     result->rhs->keep_array;
			break;
		default:
			result = newnode(ps, N_BINARY, expr->pos);
			result->op = expr->op;
			result->lhs = process(ps, expr->lhs);
			result->rhs = process(ps, expr->rhs);
			push_ancestry(ps, result, result->lhs);
			push_ancestry(ps, result, result->rhs);
		}
		break;
	case N_UNARY:
		result = newnode(ps, N_UNARY, expr->pos);
		result->op = expr->op;
		if (expr->op == '[') {
			for (int i = 0; i < expr->items.n; i++) {
				struct jn_node *v =
					process(ps, expr->items.v[i]);
				push_ancestry(ps, result, v);
				list_push(ps->a, &result->items, v);
			}
		} else if (expr->op == '{') {
			for (int i = 0; i < expr->pairs.n; i++) {
				struct jn_node *k =
					process(ps, expr->pairs.v[i].k);
				push_ancestry(ps, result, k);
				struct jn_node *v =
					process(ps, expr->pairs.v[i].v);
				push_ancestry(ps, result, v);
				pairs_push(ps->a, &result->pairs, k, v);
			}
		} else {
			result->expr = process(ps, expr->expr);
			if (expr->op == '-' && result->expr->type == N_NUMBER) {
				result = result->expr;
				result->num = -result->num;
			} else {
				push_ancestry(ps, result, result->expr);
			}
		}
		break;
	case N_FUNCTION:
	case N_PARTIAL:
		result = newnode(ps, expr->type, expr->pos);
		result->op = expr->op;
		for (int i = 0; i < expr->items.n; i++) {
			struct jn_node *a = process(ps, expr->items.v[i]);
			push_ancestry(ps, result, a);
			list_push(ps->a, &result->items, a);
		}
		result->procedure = process(ps, expr->procedure);
		break;
	case N_LAMBDA: {
		result = newnode(ps, N_LAMBDA, expr->pos);
		result->items = expr->items; /* parameters */
		result->sig = expr->sig;
		struct jn_node *body = process(ps, expr->body);
		result->body = tail_call_optimize(ps, body);
		break;
	}
	case N_CONDITION:
		result = newnode(ps, N_CONDITION, expr->pos);
		result->cond = process(ps, expr->cond);
		push_ancestry(ps, result, result->cond);
		result->then = process(ps, expr->then);
		push_ancestry(ps, result, result->then);
		if (expr->els) {
			result->els = process(ps, expr->els);
			push_ancestry(ps, result, result->els);
		}
		break;
	case N_TRANSFORM:
		result = newnode(ps, N_TRANSFORM, expr->pos);
		result->pattern = process(ps, expr->pattern);
		result->update = process(ps, expr->update);
		if (expr->del)
			result->del = process(ps, expr->del);
		break;
	case N_BLOCK:
		result = newnode(ps, N_BLOCK, expr->pos);
		for (int i = 0; i < expr->items.n; i++) {
			struct jn_node *part = process(ps, expr->items.v[i]);
			push_ancestry(ps, result, part);
			if (part->consarray || (part->type == N_PATH &&
						part->items.v[0]->consarray))
				result->consarray = true;
			list_push(ps->a, &result->items, part);
		}
		break;
	case N_NAME:
		result = new_path(ps, expr);
		if (expr->keep_array)
			result->keep_singleton = true;
		break;
	case N_PARENT: {
		result = newnode(ps, N_PARENT, expr->pos);
		struct jn_slot *s = jn_zalloc(ps->a, sizeof(*s));
		char lb[24];
		snprintf(lb, sizeof(lb), "!%d", ps->label++);
		s->label = jn_strndup(ps->a, lb, strlen(lb));
		s->level = 1;
		s->index = ps->aindex++;
		result->slot = s;
		if (ps->nanc == ps->canc) {
			int nc = ps->canc ? ps->canc * 2 : 8;
			struct jn_node **na =
				jn_alloc(ps->a, sizeof(*na) * (size_t)nc);
			if (ps->nanc)
				memcpy(na, ps->ancestry,
				       sizeof(*na) * (size_t)ps->nanc);
			ps->ancestry = na;
			ps->canc = nc;
		}
		ps->ancestry[ps->nanc++] = result;
		break;
	}
	case N_STRING:
	case N_NUMBER:
	case N_VALUE:
	case N_WILDCARD:
	case N_DESCENDANT:
	case N_VARIABLE:
	case N_REGEX:
		result = expr;
		break;
	case N_OPERATOR:
		if (expr->op == OP_AND || expr->op == OP_OR ||
		    expr->op == OP_IN) {
			expr->type = N_NAME;
			expr->str = expr->op == OP_AND	? "and"
				    : expr->op == OP_OR ? "or"
							: "in";
			expr->slen = strlen(expr->str);
			result = process(ps, expr);
		} else if (expr->op == '?') {
			result = expr;
		} else {
			char b[4];
			perr(ps, "S0201", expr->pos, op_text(expr->op, b),
			     NULL);
		}
		break;
	default:
		perr(ps, expr->type == N_END ? "S0207" : "S0206", expr->pos,
		     expr->type == N_END ? "(end)" : "", NULL);
	}
	if (expr->keep_array)
		result->keep_array = true;
	return result;
}

struct sfn_jsonata *jn_parse(const char *src, size_t len, int flags,
			     struct jn_cerr *err)
{
	struct sfn_jsonata *e = sfn_xcalloc(1, sizeof(*e));
	struct parser *ps = sfn_xcalloc(1, sizeof(*ps));
	e->flags = flags;
	ps->e = e;
	ps->a = &e->arena;
	ps->src = src;
	ps->len = len;
	ps->err = err;
	ps->aws = (flags & SFN_JSONATA_AWS) != 0;
	e->src = jn_strndup(&e->arena, src, len);
	e->srclen = len;
	if (setjmp(ps->jb)) {
		free(ps);
		sfn_jsonata_free(e);
		return NULL;
	}
	char base;
	size_t room = jn_stack_room(&base);
	ps->stack_floor = (uintptr_t)&base > room ? (uintptr_t)&base - room : 0;
	advance(ps, 0, false);
	struct jn_node *expr = expression(ps, 0);
	if (ps->t.type != T_END)
		perr(ps, "S0201", ps->t.pos, tok_text(ps, &ps->t), NULL);
	expr = process(ps, expr);
	if (expr->type == N_PARENT || expr->seeking)
		perr(ps, "S0217", expr->pos, type_name(expr), NULL);
	e->root = expr;
	free(ps);
	return e;
}

/* ---- signatures ---- */

static int find_close(const char *s, size_t len, size_t start, char open,
		      char close)
{
	int depth = 1;
	size_t p = start;
	while (p < len) {
		p++;
		if (p >= len)
			break;
		if (s[p] == close) {
			if (--depth == 0)
				break;
		} else if (s[p] == open) {
			depth++;
		}
	}
	return (int)p;
}

int jn_parse_sig(struct jn_arena *a, const char *s, size_t len,
		 struct jn_sig *sig, struct jn_cerr *err)
{
	size_t p = 1;
	struct jn_param cur, *prev = NULL;
	memset(&cur, 0, sizeof(cur));
	memset(sig, 0, sizeof(*sig));
	sig->text = jn_strndup(a, s, len);
#define NEXTP()                                                                \
	do {                                                                   \
		if (sig->n < 12) {                                             \
			sig->p[sig->n] = cur;                                  \
			prev = &sig->p[sig->n++];                              \
		}                                                              \
		memset(&cur, 0, sizeof(cur));                                  \
	} while (0)
	while (p < len) {
		char c = s[p];
		if (c == ':')
			break;
		switch (c) {
		case 's':
		case 'n':
		case 'b':
		case 'l':
		case 'o':
			cur.type = c;
			cur.cls[0] = c;
			cur.cls[1] = 'm';
			NEXTP();
			break;
		case 'a':
			cur.type = 'a';
			snprintf(cur.cls, sizeof(cur.cls), "asnblfom");
			NEXTP();
			break;
		case 'f':
			cur.type = 'f';
			snprintf(cur.cls, sizeof(cur.cls), "f");
			NEXTP();
			break;
		case 'j':
			cur.type = 'j';
			snprintf(cur.cls, sizeof(cur.cls), "asnblom");
			NEXTP();
			break;
		case 'x':
			cur.type = 'x';
			snprintf(cur.cls, sizeof(cur.cls), "asnblfom");
			NEXTP();
			break;
		case '-':
			if (prev) {
				prev->context = true;
				memcpy(prev->ctxcls, prev->cls,
				       sizeof(prev->cls));
				prev->quant = '?';
			}
			break;
		case '?':
		case '+':
			if (prev)
				prev->quant = c;
			break;
		case '(': {
			int end = find_close(s, len, p, '(', ')');
			size_t clen = (size_t)end - p - 1;
			if (memchr(s + p + 1, '<', clen)) {
				err->code = "S0402";
				err->pos = p;
				return -1;
			}
			cur.type = '(';
			if (clen > 10)
				clen = 10;
			memcpy(cur.cls, s + p + 1, clen);
			cur.cls[clen] = 'm';
			p = (size_t)end;
			NEXTP();
			break;
		}
		case '<':
			if (prev && (prev->type == 'a' || prev->type == 'f')) {
				int end = find_close(s, len, p, '<', '>');
				size_t slen = (size_t)end - p - 1;
				if (slen > 15)
					slen = 15;
				memcpy(prev->subtype, s + p + 1, slen);
				prev->subtype[slen] = 0;
				p = (size_t)end;
			} else {
				err->code = "S0401";
				err->pos = p;
				return -1;
			}
			break;
		}
		p++;
	}
#undef NEXTP
	for (int i = 0; i < sig->n; i++) {
		struct jn_param *pp = &sig->p[i];
		pp->clsmask = 0;
		for (const char *k = pp->cls; *k; k++)
			if (*k >= 'a' && *k <= 'z')
				pp->clsmask |= 1u << (*k - 'a');
	}
	return 0;
}

/* ---- regular expressions ---- */

int jn_regex_compile(struct sfn_jsonata *e, const char *pat, size_t len,
		     const char *flags, size_t pos, struct jn_regex **out,
		     struct jn_cerr *err)
{
	uint32_t opts = PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_ALLOW_EMPTY_CLASS |
			PCRE2_MATCH_UNSET_BACKREF | PCRE2_NO_UTF_CHECK;
	if (strchr(flags, 'i'))
		opts |= PCRE2_CASELESS;
	if (strchr(flags, 'm'))
		opts |= PCRE2_MULTILINE;
	else
		opts |= PCRE2_DOLLAR_ENDONLY;
	if (!sfn_utf8_valid(pat, len))
		opts &= ~(uint32_t)PCRE2_NO_UTF_CHECK;
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code =
		pcre2_compile((PCRE2_SPTR)pat, len, opts, &ec, &eo, NULL);
	if (!code) {
		err->code = "S0302";
		err->pos = pos;
		return -1;
	}
	struct jn_regex *r = jn_zalloc(&e->arena, sizeof(*r));
	r->code = code;
	r->src = jn_strndup(&e->arena, pat, len);
	r->srclen = len;
	r->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	r->next = e->regexes;
	e->regexes = r;
	*out = r;
	return 0;
}

void jn_regex_free_all(struct jn_regex *r)
{
	for (; r; r = r->next)
		pcre2_code_free(r->code);
}
