/*
 * The JSON parser of the loader: RFC 8259 text into jansson values, with the
 * position of every key and value recorded in the source map as it goes
 * (jansson can only tell where its own syntax errors are).
 *
 *   value   = object / array / string / number / "true" / "false" / "null"
 *   object  = "{" [ member *( "," member ) ] "}"
 *   member  = string ":" value
 *   array   = "[" [ value *( "," value ) ] "]"
 *
 * Positions are 1-based lines and columns; a column counts characters (UTF-8
 * code points, a tab is one), a line ends at LF, CRLF or a lone CR. Nesting
 * stops at SFN_MAX_DEPTH with an error, so recursion is bounded. Strings are
 * validated as UTF-8 (no overlongs, no surrogates); \u escapes must pair
 * surrogates. Integers that do not fit int64 become reals, as AWS's (Java)
 * parser reads them; a number beyond the double range is an error, since
 * jansson cannot hold Infinity. Duplicate keys are reported, the later value
 * wins.
 */
#include "asl/asl.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "asl/asl_int.h"

/*
 * Only when optimizing: unoptimized, a function that inlines the others
 * keeps every local of them in its frame, and 2048 levels of nesting
 * (SFN_MAX_DEPTH) overflowed an 8 MB stack under clang -O0 with ASan.
 */
#if defined(__GNUC__) && defined(__OPTIMIZE__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define NOINLINE      __attribute__((noinline))
#elif defined(__GNUC__)
#define ALWAYS_INLINE inline
#define NOINLINE      __attribute__((noinline))
#else
#define ALWAYS_INLINE inline
#define NOINLINE
#endif

/* A level of the path being parsed, for diagnostics' JSON Pointers. */
struct frame {
	const struct frame *up;
	const char *key; /* NULL for an array element */
	size_t klen;
	size_t index;
};

struct jp {
	struct sfn_parse_ctx *ctx;
	const char *p, *end;
	int line;
	const char *line_start;
	const char *col_at; /* column cache: col_val is the column of col_at */
	int col_val;
	/*
	 * UTF-8 continuation bytes between line_start and p: only strings
	 * hold any, so the string scanners count them, and the column of p
	 * is its byte offset in the line less these.
	 */
	int cont;
	int depth;
	struct sfn_strbuf str;	 /* scratch for string values */
	struct sfn_strbuf *keys; /* one key buffer per depth */
	size_t n_keys;
	/* Members of large objects waiting for their '}' (parse_object()),
	 * a stack: a nested object's sit above its parent's. */
	struct member *members;
	size_t n_members, alloc_members;
};

struct member {		 /* 24 bytes: a big object has thousands */
	const char *key; /* in the text, or owned (@owned) */
	json_t *value;	 /* owned reference */
	uint32_t klen;
	bool owned;
};

/* The column (1-based, in code points) of @q on the current line. */
static int col_of(struct jp *jp, const char *q)
{
	if (jp->col_at < jp->line_start || jp->col_at > q) {
		jp->col_at = jp->line_start;
		jp->col_val = 1;
	}
	int c = jp->col_val +
		(int)sfn_utf8_length(jp->col_at, (size_t)(q - jp->col_at));
	jp->col_at = q;
	jp->col_val = c;
	return c;
}

/* The position of jp->p, where the parser is: no counting needed. */
static inline void here_now(struct jp *jp, int *line, int *col)
{
	*line = jp->line;
	*col = (int)(jp->p - jp->line_start) + 1 - jp->cont;
	if (jp->ctx->xform)
		sfn_xform_apply_off(jp->ctx->xform,
				    (size_t)(jp->p - jp->ctx->buf), line, col);
}

/* The position of @q, at or before jp->p on the current line. */
static void here(struct jp *jp, const char *q, int *line, int *col)
{
	*line = jp->line;
	*col = col_of(jp, q);
	if (jp->ctx->xform)
		sfn_xform_apply_off(jp->ctx->xform, (size_t)(q - jp->ctx->buf),
				    line, col);
}

/*
 * The position of @q, on line @line starting at @line_start, both taken
 * earlier.
 */
static void here_saved(struct jp *jp, const char *q, int line,
		       const char *line_start, int *l, int *c)
{
	*l = line;
	*c = 1 + (int)sfn_utf8_length(line_start, (size_t)(q - line_start));
	if (jp->ctx->xform)
		sfn_xform_apply_off(jp->ctx->xform, (size_t)(q - jp->ctx->buf),
				    l, c);
}

/*
 * The position of @q, a comma before jp->p with only white space between
 * (a trailing comma), worked out when that error needs it rather than kept
 * for every comma: its line is jp's less the line breaks after it, and its
 * line starts after the last line break before it (a string never holds
 * one: a line break in a string is an error).
 */
static void here_comma(struct jp *jp, const char *q, int *l, int *c)
{
	int line = jp->line;
	for (const char *s = q + 1; s < jp->p; s++)
		if (*s == '\n' || (*s == '\r' && s[1] != '\n'))
			line--;
	const char *ls = q;
	while (ls > jp->ctx->buf && ls[-1] != '\n' && ls[-1] != '\r')
		ls--;
	here_saved(jp, q, line, ls, l, c);
}

static json_t *fail(struct jp *jp, const char *at, const char *fmt, ...)
	SFN_PRINTF(3, 4);

static json_t *fail(struct jp *jp, const char *at, const char *fmt, ...)
{
	int line, col;
	here(jp, at, &line, &col);
	if (jp->ctx->err && !sfn_error_is_set(jp->ctx->err)) {
		va_list ap;
		va_start(ap, fmt);
		sfn_verrorf(jp->ctx->err, "SFN_PARSE", NULL, fmt, ap);
		va_end(ap);
		jp->ctx->err->line = line;
		jp->ctx->err->col = col;
	}
	return NULL;
}

static void fail_at(struct jp *jp, int line, int col, const char *msg)
{
	sfn_parse_errorf(jp->ctx->err, line, col, "%s", msg);
}

static json_t *unexpected(struct jp *jp, const char *expected)
{
	char what[32];
	sfn_describe_char(what, jp->p, jp->end);
	if (jp->p < jp->end && (unsigned char)*jp->p >= 0x80 && what[0] == 'b')
		return fail(jp, jp->p, "invalid UTF-8 byte 0x%02X",
			    (unsigned char)*jp->p);
	return fail(jp, jp->p, "unexpected %s, expected %s", what, expected);
}

/*
 * skip_ws() past more than nothing. Indentation, the bulk of a
 * pretty-printed file's white space, goes 8 spaces at a time while 8 bytes
 * of the text remain; the rest byte by byte, up to the first byte that is
 * not white space (at the latest the NUL after the text).
 */
static void skip_ws_slow(struct jp *jp)
{
	static const uint64_t spaces = 0x2020202020202020ull;
	const char *p = jp->p, *end = jp->end;
	for (;;) {
		uint64_t w;
		while (end - p >= 8 && (memcpy(&w, p, 8), w == spaces))
			p += 8;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n') {
			jp->line++;
			jp->line_start = ++p;
			jp->cont = 0;
		} else if (*p == '\r') {
			p += p[1] == '\n' ? 2 : 1;
			jp->line++;
			jp->line_start = p;
			jp->cont = 0;
		} else {
			break;
		}
	}
	jp->p = p;
}

/*
 * Skips white space. Most tokens follow one another directly or after one
 * space: the first two bytes decide (the text ends in a NUL, so they are
 * always there to read).
 */
static inline void skip_ws(struct jp *jp)
{
	const char *p = jp->p;
	if ((unsigned char)*p > ' ')
		return;
	if (*p == ' ' && (unsigned char)p[1] > ' ') {
		jp->p = p + 1;
		return;
	}
	skip_ws_slow(jp);
}

/* Records the position of the value at jp->p, hashed @h (see FAST). */
static inline void record(struct jp *jp, bool fast, uint64_t h, int kline,
			  int kcol)
{
	int line, col;
	if (fast || !jp->ctx->map)
		return;
	here_now(jp, &line, &col);
	sfn_srcmap_put(jp->ctx->map, h, line, col, kline, kcol);
}

static char *frame_pointer(const struct frame *f)
{
	if (!f)
		return sfn_xstrdup("");
	char *up = frame_pointer(f->up);
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	sfn_strbuf_adds(&sb, up);
	free(up);
	if (f->key) {
		char *k = sfn_xstrndup(f->key, f->klen);
		sfn_pointer_add(&sb, k);
		free(k);
	} else {
		sfn_pointer_addi(&sb, f->index);
	}
	return sfn_strbuf_detach(&sb, NULL);
}

/* ---- strings ---- */

static int hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned d = (unsigned char)p[i] - '0';
		if (d > 9) {
			/* 'a'-'f' and 'A'-'F' alike: set the lower-case bit. */
			d = ((unsigned char)p[i] | 0x20) - 'a';
			if (d > 5)
				return -1;
			d += 10;
		}
		v = v << 4 | (int)d;
	}
	return v;
}

static void add_utf8(struct sfn_strbuf *sb, unsigned cp)
{
	sfn_strbuf_grow(sb, 4);
	unsigned char *b = (unsigned char *)sb->buf + sb->len;
	size_t n;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xE0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | (cp >> 18));
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	b[n] = '\0';
	sb->len += n;
}

/* Length of the valid UTF-8 sequence at @p, or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	unsigned cp;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		n = 2;
		cp = c & 0x1F;
	} else if (c < 0xF0) {
		n = 3;
		cp = c & 0x0F;
	} else if (c < 0xF5) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/*
 * The bytes that end a run of plain string characters: '"', '\\', control
 * characters (NUL too, which ends the text) and the first byte of a UTF-8
 * sequence. One table lookup per byte instead of five comparisons.
 */
/* clang-format off */
static const unsigned char str_stop[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* ' ' '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x80 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};
/* clang-format on */

/*
 * The first byte at or after @p that str_stop[] flags. With SSE2 (every
 * x86-64), 16 bytes at a time where 16 bytes of the text remain: a byte
 * stops the run when it is '"' or '\\', or less than ' ' as a signed byte,
 * which takes in both control characters and the bytes of UTF-8 sequences
 * (0x80 and above). Elsewhere, and for the last bytes, one at a time.
 */
static inline const unsigned char *str_run(const unsigned char *p,
					   const unsigned char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(' ');
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i stop =
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
						  _mm_cmpeq_epi8(v, bslash)),
				     _mm_cmplt_epi8(v, space));
		unsigned mask = (unsigned)_mm_movemask_epi8(stop);
		if (mask)
			return p + (unsigned)__builtin_ctz(mask);
		p += 16;
	}
#else
	(void)end;
#endif
	/* Stops at the latest at the NUL after the text. */
	while (!str_stop[*p])
		p++;
	return p;
}

/*
 * The rest of a plain string from @p, a byte of 0x80 or above: UTF-8
 * sequences between runs, counted in jp->cont. Returns the closing quote,
 * or NULL (jp->cont unchanged) for parse_string_slow() to take over.
 */
static NOINLINE const unsigned char *string_plain_utf8(struct jp *jp,
						       const unsigned char *p,
						       const unsigned char *end)
{
	int cont = 0;
	for (;;) {
		if (*p < 0x80)
			return NULL;
		size_t k = utf8_seq(p, end);
		if (!k)
			return NULL;
		p += k;
		cont += (int)k - 1;
		p = str_run(p, end);
		if (*p == '"')
			break;
	}
	jp->cont += cont;
	return p;
}

/*
 * string = '"' *char '"', the common case: no escapes, no error. Sets @s/@n
 * to the text in the source itself and jp->p after the closing quote, and
 * returns true; false (jp->p unmoved) when parse_string_slow() must do it.
 */
static inline bool parse_string_plain(struct jp *jp, const char **s, size_t *n)
{
	const unsigned char *p = (const unsigned char *)jp->p + 1;
	const unsigned char *end = (const unsigned char *)jp->end;
	p = str_run(p, end);
	if (*p != '"' && !(p = string_plain_utf8(jp, p, end)))
		return false;
	*s = jp->p + 1;
	*n = (size_t)((const char *)p - *s);
	jp->p = (const char *)p + 1;
	return true;
}

/*
 * string = '"' *char '"' with escapes, or with an error. Leaves the text in
 * @sb (jp->str or a key buffer) and jp->p after the closing quote. Returns
 * 0 or -1.
 */
static int parse_string_slow(struct jp *jp, struct sfn_strbuf *sb)
{
	const char *open = jp->p;
	const char *p = open + 1, *end = jp->end;
	sfn_strbuf_reset(sb);
	for (;;) {
		const char *run = p;
		p = (const char *)str_run((const unsigned char *)p,
					  (const unsigned char *)end);
		sfn_strbuf_add(sb, run, (size_t)(p - run));
		if (p >= end) {
			fail(jp, open,
			     "unterminated string, expected '\"' before the "
			     "end of input");
			return -1;
		}
		unsigned char c = (unsigned char)*p;
		if (c == '"') {
			jp->p = p + 1;
			return 0;
		}
		if (c < 0x20) {
			fail(jp, p,
			     "unescaped control character U+%04X in string", c);
			return -1;
		}
		if (c >= 0x80) {
			size_t n = utf8_seq((const unsigned char *)p,
					    (const unsigned char *)end);
			if (!n) {
				fail(jp, p, "invalid UTF-8 byte 0x%02X", c);
				return -1;
			}
			sfn_strbuf_add(sb, p, n);
			p += n;
			jp->cont += (int)n - 1;
			continue;
		}
		/* A backslash. */
		if (p + 1 >= end) {
			fail(jp, open,
			     "unterminated string, expected '\"' before the "
			     "end of input");
			return -1;
		}
		char e = p[1];
		const char *esc = p;
		p += 2;
		switch (e) {
		case '"':
		case '\\':
		case '/':
			sfn_strbuf_addch(sb, e);
			continue;
		case 'b':
			sfn_strbuf_addch(sb, '\b');
			continue;
		case 'f':
			sfn_strbuf_addch(sb, '\f');
			continue;
		case 'n':
			sfn_strbuf_addch(sb, '\n');
			continue;
		case 'r':
			sfn_strbuf_addch(sb, '\r');
			continue;
		case 't':
			sfn_strbuf_addch(sb, '\t');
			continue;
		case 'u':
			break;
		default: {
			char what[32];
			sfn_describe_char(what, esc + 1, end);
			fail(jp, esc,
			     "invalid escape '\\' followed by %s in "
			     "string",
			     what);
			return -1;
		}
		}
		int cp = end - p >= 4 ? hex4(p) : -1;
		if (cp < 0) {
			fail(jp, esc,
			     "invalid \\u escape, expected 4 hex digits");
			return -1;
		}
		p += 4;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			int lo = end - p >= 6 && p[0] == '\\' && p[1] == 'u'
					 ? hex4(p + 2)
					 : -1;
			if (lo < 0xDC00 || lo > 0xDFFF) {
				fail(jp, esc,
				     "lone surrogate '\\u%.4s' in string",
				     esc + 2);
				return -1;
			}
			p += 6;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
			fail(jp, esc, "lone surrogate '\\u%.4s' in string",
			     esc + 2);
			return -1;
		}
		add_utf8(sb, (unsigned)cp);
	}
}

/* ---- numbers and literals ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       is_digit(c) || c == '_';
}

/* The token at @p for messages: a run of number-ish characters. */
static int token_len(const char *p, const char *end)
{
	int n = 0;
	while (p + n < end && n < 40 &&
	       (is_word(p[n]) || p[n] == '.' || p[n] == '+' || p[n] == '-'))
		n++;
	return n;
}

/* A number's value; a placeholder when only positions are wanted. */
static json_t *num_int(struct jp *jp, json_int_t v)
{
	return jp->ctx->no_values ? json_null() : json_integer(v);
}

static json_t *num_real(struct jp *jp, double d)
{
	return jp->ctx->no_values ? json_null() : json_real(d);
}

/*
 * number = [ "-" ] int [ frac ] [ exp ], in one pass that checks the
 * digits and accumulates them (the text ends in a NUL, so no bound checks).
 * An integer of at most 18 digits fits int64 as it is; a longer one is
 * checked for overflow and, beyond int64, read as a real. A real goes
 * through Clinger's fast path when its digits, read as an integer m, are
 * at most 2^53 and its decimal exponent e is within 22 of zero: m and 10^|e|
 * are exact doubles and one multiplication or division rounds correctly,
 * exactly as strtod would. Any other goes through strtod.
 */
static json_t *parse_number(struct jp *jp)
{
	static const double pow10[] = { 1e0,  1e1,  1e2,  1e3,	1e4,  1e5,
					1e6,  1e7,  1e8,  1e9,	1e10, 1e11,
					1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
					1e18, 1e19, 1e20, 1e21, 1e22 };
	const char *start = jp->p, *p = start;
	bool neg = *p == '-';
	p += neg;
	if (!is_digit(*p))
		return fail(jp, start,
			    "invalid number '%.*s', expected a "
			    "digit after '-'",
			    token_len(start, jp->end), start);
	if (*p == '0' && is_digit(p[1]))
		return fail(jp, start,
			    "invalid number '%.*s': leading zeros are not "
			    "allowed",
			    token_len(start, jp->end), start);
	const char *digits = p;
	uint64_t m = 0; /* exact while nd <= 19 */
	while (is_digit(*p))
		m = m * 10 + (uint64_t)(*p++ - '0');
	const char *int_end = p;
	size_t nd = (size_t)(p - digits), nfrac = 0;
	bool real = false;
	int x = 0;
	if (*p == '.') {
		real = true;
		p++;
		if (!is_digit(*p))
			return fail(jp, start,
				    "invalid number '%.*s', expected a digit "
				    "after '.'",
				    token_len(start, jp->end), start);
		const char *frac = p;
		while (is_digit(*p))
			m = m * 10 + (uint64_t)(*p++ - '0');
		nfrac = (size_t)(p - frac);
		nd += nfrac;
	}
	if (*p == 'e' || *p == 'E') {
		real = true;
		p++;
		bool xneg = false;
		if (*p == '+' || *p == '-')
			xneg = *p++ == '-';
		if (!is_digit(*p))
			return fail(jp, start,
				    "invalid number '%.*s', expected a digit "
				    "in the exponent",
				    token_len(start, jp->end), start);
		for (; is_digit(*p); p++)
			if (x < 100000)
				x = x * 10 + (*p - '0');
		if (xneg)
			x = -x;
	}
	if (is_word(*p))
		return fail(jp, start, "invalid number '%.*s'",
			    token_len(start, jp->end), start);
	jp->p = p;
	if (!real && nd <= 18)
		return num_int(jp, neg ? -(json_int_t)m : (json_int_t)m);
	if (!real) {
		/* Accumulate as a negative number: -2^63 fits, 2^63 not. */
		long long v = 0;
		bool overflow = false;
		for (const char *d = digits; d < int_end; d++) {
			int dv = *d - '0';
			if (v < (LLONG_MIN + dv) / 10) {
				overflow = true;
				break;
			}
			v = v * 10 - dv;
		}
		if (!overflow && !neg && v == LLONG_MIN)
			overflow = true;
		if (!overflow)
			return num_int(jp, neg ? v : -v);
	}
	if (nd <= 19 && m <= (1ull << 53)) {
		int e = x - (int)nfrac;
		if (e >= -22 && e <= 22) {
			double d = (double)m;
			d = e < 0 ? d / pow10[-e] : d * pow10[e];
			return num_real(jp, neg ? -d : d);
		}
	}
	size_t n = (size_t)(p - start);
	char small[64];
	char *text = n < sizeof(small) ? small : sfn_xmalloc(n + 1);
	memcpy(text, start, n);
	text[n] = '\0';
	errno = 0;
	double d = strtod(text, NULL);
	if (text != small)
		free(text);
	if (isinf(d))
		return fail(jp, start,
			    "number '%.*s' is out of range (beyond "
			    "1.7976931348623157e+308)",
			    token_len(start, jp->end), start);
	return num_real(jp, d);
}

/*
 * The common numbers, inline in parse_value(): an integer of at most 18
 * digits, or a real whose digits read as an integer m are at most 2^53 and
 * whose decimal exponent e (the exponent's at most 2 digits less the
 * digits after the point) is within 22 of zero: exact by Clinger's fast
 * path, as in parse_number(). Anything else, errors included, goes to
 * parse_number(), which reads the number again from its start.
 */
static inline json_t *parse_number_fast(struct jp *jp)
{
	static const double pow10[] = { 1e0,  1e1,  1e2,  1e3,	1e4,  1e5,
					1e6,  1e7,  1e8,  1e9,	1e10, 1e11,
					1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
					1e18, 1e19, 1e20, 1e21, 1e22 };
	const char *p = jp->p;
	bool neg = *p == '-';
	p += neg;
	const char *digits = p;
	uint64_t m = 0;
	while (is_digit(*p)) /* stops at the NUL after the text */
		m = m * 10 + (uint64_t)(*p++ - '0');
	size_t nd = (size_t)(p - digits);
	if (nd == 0 || nd > 18 || (*digits == '0' && nd > 1))
		return parse_number(jp);
	if (*p != '.' && *p != 'e' && *p != 'E') {
		if (is_word(*p)) /* an error */
			return parse_number(jp);
		jp->p = p;
		return num_int(jp, neg ? -(json_int_t)m : (json_int_t)m);
	}
	int e = 0;
	if (*p == '.') {
		const char *frac = ++p;
		while (is_digit(*p))
			m = m * 10 + (uint64_t)(*p++ - '0');
		size_t nfrac = (size_t)(p - frac);
		if (nfrac == 0 || nd + nfrac > 19)
			return parse_number(jp);
		e = -(int)nfrac;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		bool xneg = *p == '-';
		p += *p == '-' || *p == '+';
		if (!is_digit(*p))
			return parse_number(jp);
		int x = *p++ - '0';
		if (is_digit(*p))
			x = x * 10 + (*p++ - '0');
		e += xneg ? -x : x;
	}
	/* A third digit of the exponent is a word character too. */
	if (e < -22 || e > 22 || m > (1ull << 53) || is_word(*p))
		return parse_number(jp);
	jp->p = p;
	double d = (double)m;
	d = e < 0 ? d / pow10[-e] : d * pow10[e];
	return num_real(jp, neg ? -d : d);
}

static json_t *parse_word(struct jp *jp)
{
	const char *start = jp->p;
	size_t n = 0;
	while (is_word(start[n])) /* stops at the NUL after the text */
		n++;
	if (n == 4 && !memcmp(start, "true", 4)) {
		jp->p += 4;
		return json_true();
	}
	if (n == 5 && !memcmp(start, "false", 5)) {
		jp->p += 5;
		return json_false();
	}
	if (n == 4 && !memcmp(start, "null", 4)) {
		jp->p += 4;
		return json_null();
	}
	return fail(jp, start,
		    "invalid literal '%.*s', expected true, false, null, a "
		    "number, a string, an object or an array",
		    (int)(n > 40 ? 40 : n), start);
}

/* ---- values ---- */

/*
 * The parser comes in two copies: @fast (a constant wherever it is passed)
 * for the common parse, values without positions (ctx->map NULL and values
 * wanted), and one that looks at the context for what to do. The compiler
 * drops the bookkeeping of positions from the first.
 */
static NOINLINE json_t *parse_nested_fast(struct jp *jp, uint64_t h, int kline,
					  int kcol, const struct frame *path);
static NOINLINE json_t *parse_nested_any(struct jp *jp, uint64_t h, int kline,
					 int kcol, const struct frame *path);

/*
 * value = object / array / string / number / "true" / "false" / "null".
 * Inline in the loops of objects and arrays, so that a scalar costs no
 * call: only nesting recurses (left to itself, the compiler inlined the
 * loops into this function instead, and every value was a call).
 */
static ALWAYS_INLINE json_t *parse_value(struct jp *jp, bool fast, uint64_t h,
					 int kline, int kcol,
					 const struct frame *path)
{
	skip_ws(jp);
	const char *at = jp->p;
	char c = *at; /* at the end, its NUL: unexpected() says so */
	switch (c) {
	case '{':
	case '[':
		return fast ? parse_nested_fast(jp, h, kline, kcol, path)
			    : parse_nested_any(jp, h, kline, kcol, path);
	case '"':
		record(jp, fast, h, kline, kcol);
		const char *s;
		size_t n;
		if (!parse_string_plain(jp, &s, &n)) {
			if (parse_string_slow(jp, &jp->str) < 0)
				return NULL;
			s = jp->str.buf;
			n = jp->str.len;
		}
		return !fast && jp->ctx->no_values ? json_null()
						   : json_stringn_nocheck(s, n);
	case '\'':
		return fail(jp, at,
			    "single-quoted strings are not allowed in "
			    "JSON, use '\"'");
	case '/':
		return fail(jp, at, "comments are not allowed in JSON");
	default:
		break;
	}
	if (c == '-' || is_digit(c)) {
		record(jp, fast, h, kline, kcol);
		return parse_number_fast(jp);
	}
	if (is_word(c)) {
		record(jp, fast, h, kline, kcol);
		/* The NUL after the text stops these comparisons. */
		if (c == 't' && at[1] == 'r' && at[2] == 'u' && at[3] == 'e' &&
		    !is_word(at[4])) {
			jp->p += 4;
			return json_true();
		}
		if (c == 'n' && at[1] == 'u' && at[2] == 'l' && at[3] == 'l' &&
		    !is_word(at[4])) {
			jp->p += 4;
			return json_null();
		}
		return parse_word(jp);
	}
	return unexpected(jp, "a JSON value");
}

static struct sfn_strbuf *key_buf(struct jp *jp, int depth)
{
	if ((size_t)depth >= jp->n_keys) {
		size_t n = jp->n_keys ? jp->n_keys * 2 : 16;
		while (n <= (size_t)depth)
			n *= 2;
		jp->keys = sfn_xrealloc(jp->keys, n * sizeof(*jp->keys));
		for (size_t i = jp->n_keys; i < n; i++)
			sfn_strbuf_init(&jp->keys[i], 0);
		jp->n_keys = n;
	}
	return &jp->keys[depth];
}

static void duplicate(struct jp *jp, const struct frame *f, uint64_t ch,
		      int kline, int kcol)
{
	if (!sfn_dup_report(jp->ctx, kline, kcol))
		return;
	char *key = sfn_xstrndup(f->key, f->klen);
	const struct sfn_pos_ent *first = sfn_srcmap_first(jp->ctx->map, ch);
	char *where = frame_pointer(f);
	struct sfn_diag *d;
	if (first && first->kline > 0)
		d = sfn_diags_addf(jp->ctx->diags, SFN_SEV_ERROR,
				   "SFN_DUPLICATE_KEY", where,
				   "duplicate key '%s' (first at %d:%d)", key,
				   (int)first->kline, (int)first->kcol);
	else
		d = sfn_diags_addf(jp->ctx->diags, SFN_SEV_ERROR,
				   "SFN_DUPLICATE_KEY", where,
				   "duplicate key '%s'", key);
	d->line = kline;
	d->col = kcol;
	free(where);
	free(key);
}

/*
 * A large object's members go into it at its '}', not as they are parsed.
 * jansson links each member into the object's hash table, and rehashes it
 * by walking all members at every doubling: when the members of a large
 * object (the States of a big definition) are spread over the megabytes
 * of values allocated between them, every step of that is a cache miss
 * (about a fifth of the load's time for the 1 MB bench definition). Put in
 * at once, they are allocated next to one another and stay in the cache.
 * The first MEMBERS_DIRECT go in directly: a small object gains nothing.
 */
#define MEMBERS_DIRECT 16

static void member_push(struct jp *jp, const char *key, size_t klen, bool copy,
			json_t *value)
{
	if (jp->n_members == jp->alloc_members) {
		jp->alloc_members =
			jp->alloc_members ? jp->alloc_members * 2 : 256;
		jp->members = sfn_xrealloc(
			jp->members, jp->alloc_members * sizeof(*jp->members));
	}
	if (copy) {
		/* A key with escapes is in a buffer the next one reuses. */
		char *k = sfn_xmalloc(klen + 1);
		memcpy(k, key, klen);
		k[klen] = '\0';
		key = k;
	}
	jp->members[jp->n_members++] =
		(struct member){ key, value, (uint32_t)klen, copy };
}

/* Puts the members from @base on into @obj (if not NULL) and drops them. */
static void members_flush(struct jp *jp, size_t base, json_t *obj)
{
	for (size_t i = base; i < jp->n_members; i++) {
		struct member *m = &jp->members[i];
		if (obj)
			json_object_setn_new_nocheck(obj, m->key, m->klen,
						     m->value);
		else
			json_decref(m->value);
		if (m->owned)
			free((char *)m->key);
	}
	jp->n_members = base;
}

/* object = "{" [ member *( "," member ) ] "}" ; jp->p at "{" */
static ALWAYS_INLINE json_t *parse_object(struct jp *jp, bool fast, uint64_t h,
					  const struct frame *path)
{
	bool positions = !fast && jp->ctx->map != NULL;
	bool values = fast || !jp->ctx->no_values;
	json_t *obj = values ? json_object() : json_null();
	int depth = jp->depth;
	size_t base = jp->n_members; /* of this object's waiting members */
	const char *comma = NULL;
	size_t size = 0; /* of @obj */
	jp->p++;
	skip_ws(jp);
	/* The text ends in a NUL: reading *jp->p is always safe, and a NUL
	 * is none of the characters looked for. */
	if (*jp->p == '}') {
		jp->p++;
		return obj;
	}
	for (;;) {
		skip_ws(jp);
		if (*jp->p != '"') {
			if (comma && *jp->p == '}') {
				int cline, ccol;
				here_comma(jp, comma, &cline, &ccol);
				fail_at(jp, cline, ccol,
					"trailing comma before '}'");
			} else if (*jp->p == '/')
				fail(jp, jp->p,
				     "comments are not allowed in JSON");
			else if (*jp->p == '\'')
				fail(jp, jp->p,
				     "single-quoted strings are not allowed "
				     "in JSON, use '\"'");
			else
				unexpected(jp, comma ? "a string key"
						     : "a string key or '}'");
			goto fail;
		}
		int kline = 0, kcol = 0;
		if (positions)
			here_now(jp, &kline, &kcol);
		const char *key;
		size_t klen;
		bool plain = true;
		if (!parse_string_plain(jp, &key, &klen)) {
			plain = false;
			/* Where the key starts, for an error when no positions
			 * are recorded: parse_string_plain() left jp->p there,
			 * and a string never spans lines (a line break in it
			 * is an error), so the line is still jp's. */
			const char *kat = jp->p;
			/* Fetched anew each time: a nested object may have
			 * moved the array of key buffers (the text in them
			 * stays put). */
			struct sfn_strbuf *kb = key_buf(jp, depth);
			if (parse_string_slow(jp, kb) < 0)
				goto fail;
			key = kb->buf;
			klen = kb->len;
			/* Only an escape can put a NUL in a key. */
			if (memchr(key, '\0', klen)) {
				int l = kline, c = kcol;
				if (!positions)
					here_saved(jp, kat, jp->line,
						   jp->line_start, &l, &c);
				json_decref(obj);
				if (jp->ctx->err &&
				    !sfn_error_is_set(jp->ctx->err))
					sfn_parse_errorf(jp->ctx->err, l, c,
							 "object key contains "
							 "\\u0000, which is "
							 "not supported");
				return NULL;
			}
		}
		uint64_t ch = positions ? sfn_hash_token(h, key, klen) : 0;
		struct frame f = { path, key, klen, 0 };
		/* ": " and then the value, as most members have it, in one
		 * test (reading on stops at the NUL after the text). */
		const char *q = jp->p;
		if (q[0] == ':' && q[1] == ' ' && (unsigned char)q[2] > ' ') {
			jp->p = q + 2;
		} else {
			skip_ws(jp);
			if (*jp->p != ':') {
				unexpected(jp, "':'");
				goto fail;
			}
			jp->p++;
		}
		/* @f is only for reporting a duplicate key, with positions. */
		json_t *v = parse_value(jp, fast, ch, kline, kcol,
					fast ? NULL : &f);
		if (!v)
			goto fail;
		if (values) {
			/*
			 * A key seen before replaces its value: the object
			 * stays smaller than the members counted. Reported
			 * here when positions are recorded; without, the
			 * object is checked once, at its end (or on an error),
			 * and the parse stops so that one that records
			 * positions reports it.
			 */
			if (fast && size >= MEMBERS_DIRECT &&
			    klen <= UINT32_MAX)
				member_push(jp, key, klen, !plain, v);
			else
				json_object_setn_new_nocheck(obj, key, klen, v);
			size++;
			if (positions && json_object_size(obj) != size) {
				size--;
				duplicate(jp, &f, ch, kline, kcol);
			}
		}
		skip_ws(jp);
		if (*jp->p == ',') {
			comma = jp->p++;
			continue;
		}
		if (*jp->p == '}') {
			jp->p++;
			/* Only an object of more than MEMBERS_DIRECT members
			 * has any waiting. */
			if (fast && jp->n_members > base)
				members_flush(jp, base, obj);
			if (!values || positions ||
			    json_object_size(obj) == size)
				return obj;
			goto fail; /* a duplicate key */
		}
		if (*jp->p == '/')
			fail(jp, jp->p, "comments are not allowed in JSON");
		else
			unexpected(jp, "',' or '}'");
		goto fail;
	}
fail:
	if (fast)
		members_flush(jp, base, obj);
	/* A duplicate key (and any error after it) without positions: the
	 * parse that records them reports it. */
	if (values && !positions && json_object_size(obj) != size)
		jp->ctx->dup = true;
	json_decref(obj);
	return NULL;
}

/* array = "[" [ value *( "," value ) ] "]" ; jp->p at "[" */
static ALWAYS_INLINE json_t *parse_array(struct jp *jp, bool fast, uint64_t h,
					 const struct frame *path)
{
	bool positions = !fast && jp->ctx->map != NULL;
	bool values = fast || !jp->ctx->no_values;
	json_t *arr = values ? json_array() : json_null();
	const char *comma = NULL;
	size_t i = 0;
	jp->p++;
	skip_ws(jp);
	if (*jp->p == ']') {
		jp->p++;
		return arr;
	}
	for (;; i++) {
		skip_ws(jp);
		if (comma && *jp->p == ']') {
			int cline, ccol;
			here_comma(jp, comma, &cline, &ccol);
			fail_at(jp, cline, ccol, "trailing comma before ']'");
			goto fail;
		}
		struct frame f = { path, NULL, 0, i };
		json_t *v = parse_value(jp, fast,
					positions ? sfn_hash_index(h, i) : 0, 0,
					0, fast ? NULL : &f);
		if (!v)
			goto fail;
		if (values)
			json_array_append_new(arr, v);
		skip_ws(jp);
		if (*jp->p == ',') {
			comma = jp->p++;
			continue;
		}
		if (*jp->p == ']') {
			jp->p++;
			return arr;
		}
		if (*jp->p == '/')
			fail(jp, jp->p, "comments are not allowed in JSON");
		else
			unexpected(jp, "',' or ']'");
		goto fail;
	}
fail:
	json_decref(arr);
	return NULL;
}

/* An object or array at jp->p, one level deeper. */
static ALWAYS_INLINE json_t *parse_nested(struct jp *jp, bool fast, uint64_t h,
					  int kline, int kcol,
					  const struct frame *path)
{
	const char *at = jp->p;
	if (jp->depth >= SFN_MAX_DEPTH)
		return fail(jp, at,
			    "nesting deeper than %d levels is not supported",
			    SFN_MAX_DEPTH);
	record(jp, fast, h, kline, kcol);
	jp->depth++;
	json_t *v = *at == '{' ? parse_object(jp, fast, h, path)
			       : parse_array(jp, fast, h, path);
	jp->depth--;
	return v;
}

static NOINLINE json_t *parse_nested_fast(struct jp *jp, uint64_t h, int kline,
					  int kcol, const struct frame *path)
{
	return parse_nested(jp, true, h, kline, kcol, path);
}

static NOINLINE json_t *parse_nested_any(struct jp *jp, uint64_t h, int kline,
					 int kcol, const struct frame *path)
{
	return parse_nested(jp, false, h, kline, kcol, path);
}

json_t *sfn_parse_json(struct sfn_parse_ctx *ctx)
{
	struct jp jp = {
		.ctx = ctx,
		.p = ctx->buf,
		.end = ctx->buf + ctx->len,
		.line = 1,
		.line_start = ctx->buf,
		.col_at = ctx->buf,
		.col_val = 1,
	};
	sfn_strbuf_init(&jp.str, 0);
	json_t *root =
		!ctx->map && !ctx->no_values
			? parse_value(&jp, true, SFN_HASH_ROOT, 0, 0, NULL)
			: parse_value(&jp, false, SFN_HASH_ROOT, 0, 0, NULL);
	if (root) {
		skip_ws(&jp);
		if (jp.p < jp.end) {
			char what[32];
			sfn_describe_char(what, jp.p, jp.end);
			if (*jp.p == '/')
				fail(&jp, jp.p,
				     "comments are not allowed in JSON");
			else
				fail(&jp, jp.p,
				     "unexpected %s after the end of the JSON "
				     "value",
				     what);
			json_decref(root);
			root = NULL;
		}
	}
	sfn_strbuf_release(&jp.str);
	for (size_t i = 0; i < jp.n_keys; i++)
		sfn_strbuf_release(&jp.keys[i]);
	free(jp.keys);
	free(jp.members);
	return root;
}
