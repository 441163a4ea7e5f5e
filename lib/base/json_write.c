/*
 * The JSON writer: the text JSON.stringify gives, which is what AWS prints.
 * Numbers follow ECMA-262 Number::toString: the shortest decimal that reads
 * back as the same double, in plain notation for exponents -7 < e < 21.
 */
#include "base/base.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

/*
 * Shortest digits for @d (> 0, finite): fills @digits (no dot, no leading
 * zeros) and returns their count; *@exp10 is the decimal exponent n such
 * that d = 0.DIGITS * 10^n.
 *
 * For a normal double, at most one decimal of 15 or fewer significant digits
 * reads back as d (their spacing exceeds d's rounding interval), and when it
 * exists it is d correctly rounded to 15 digits. So: d rounded to 15 digits,
 * then to 16, then 17 (which always reads back); the first that reads back,
 * with its trailing zeros dropped, is the shortest, and, being correctly
 * rounded, the nearest (ECMA-262's tie-break). One exception: at a power of
 * two the interval below d is half the one above, so the nearest 16-digit
 * decimal can fall just below it while the next one up still reads back.
 * Subnormals, whose rounding interval is wide, take a binary search over the
 * precision instead.
 */
static int round_trips(const char *s, double d)
{
	return strtod(s, NULL) == d;
}

/* Adds one unit in the last digit of the "%.*e" text @buf, in place. */
static void bump_last_digit(char *buf, size_t size)
{
	char *e = strchr(buf, 'e');
	char *p = e - 1;
	while (p >= buf && (*p == '9' || *p == '.')) {
		if (*p == '9')
			*p = '0';
		p--;
	}
	if (p >= buf) {
		(*p)++;
		return;
	}
	/* 9.99..9eN -> 1.00..0e(N+1) */
	buf[0] = '1';
	int x = (int)strtol(e + 1, NULL, 10) + 1;
	snprintf(e, size - (size_t)(e - buf), "e%+d", x);
}

/*
 * The common case without printf: a double that some decimal of at most
 * 15 significant digits and at most 22 fractional ones reads back as
 * (1.5, 0.1, 19.99, 2.5e-7). For k = 1, 2, ..., the integers c nearest to
 * d * 10^k are tried: c / 10^k is correctly rounded, as strtod rounds
 * "c e-k", and both operands are exact (c < 2^53, k <= 22), so c e-k reads
 * back as d exactly when c / 10^k == d. The first k that has one gives the
 * fewest digits; and at 15 digits or fewer there is only one (see above).
 * Returns 0 when there is none, for the general way.
 */
static int short_digits(double d, char digits[24], int *exp10)
{
	static const double pow10[] = { 1e0,  1e1,  1e2,  1e3,	1e4,  1e5,
					1e6,  1e7,  1e8,  1e9,	1e10, 1e11,
					1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
					1e18, 1e19, 1e20, 1e21, 1e22 };
	for (int k = 1; k <= 22; k++) {
		double x = d * pow10[k];
		if (x >= 1e15) /* 16 digits or more: not ours */
			return 0;
		if (x < 0.5) /* no digit yet */
			continue;
		double m = nearbyint(x);
		double c = m;
		if (c / pow10[k] != d) {
			c = m - 1;
			if (c <= 0 || c / pow10[k] != d) {
				c = m + 1;
				if (c / pow10[k] != d)
					continue;
			}
		}
		/* c's digits, then d = 0.DIGITS * 10^(len - k). */
		uint64_t u = (uint64_t)c;
		char tmp[24];
		int n = 0;
		while (u) {
			tmp[n++] = (char)('0' + u % 10);
			u /= 10;
		}
		int len = n;
		for (int i = 0; i < len; i++)
			digits[i] = tmp[len - 1 - i];
		*exp10 = len - k;
		while (len > 1 && digits[len - 1] == '0')
			len--;
		digits[len] = '\0';
		return len;
	}
	return 0;
}

static int shortest_digits(double d, char digits[24], int *exp10)
{
	char buf[40];
	int p;
	int fast = short_digits(d, digits, exp10);
	if (fast)
		return fast;
	if (d < DBL_MIN) {
		int lo = 1, hi = 17;
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			snprintf(buf, sizeof(buf), "%.*e", mid - 1, d);
			if (round_trips(buf, d))
				hi = mid;
			else
				lo = mid + 1;
		}
		snprintf(buf, sizeof(buf), "%.*e", lo - 1, d);
	} else {
		for (p = 15; p <= 17; p++) {
			snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
			if (p == 17 || round_trips(buf, d))
				break;
			if (p == 16) {
				int e2;
				if (frexp(d, &e2) == 0.5 &&
				    strtod(buf, NULL) < d) {
					bump_last_digit(buf, sizeof(buf));
					if (round_trips(buf, d))
						break;
				}
			}
		}
	}
	/* buf is "D.DDDDe[+-]XX" or "De[+-]XX". */
	int n = 0;
	char *q = buf;
	for (; *q && *q != 'e'; q++)
		if (*q != '.')
			digits[n++] = *q;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*exp10 = (int)strtol(q + 1, NULL, 10) + 1;
	return n;
}

int sfn_fmt_double(char buf[SFN_NUMBUF], double d)
{
	char digits[24];
	int k, n, len = 0;

	if (isnan(d))
		return snprintf(buf, SFN_NUMBUF, "NaN");
	if (isinf(d))
		return snprintf(buf, SFN_NUMBUF,
				d < 0 ? "-Infinity" : "Infinity");
	if (d == 0)
		return snprintf(buf, SFN_NUMBUF, "0");
	if (d < 0) {
		buf[len++] = '-';
		d = -d;
	}
	if (d < 9007199254740992.0 && d == floor(d)) {
		/* An integer below 2^53: its digits, exactly. */
		char tmp[20];
		int t = 0;
		for (uint64_t u = (uint64_t)d; u; u /= 10)
			tmp[t++] = (char)('0' + u % 10);
		while (t)
			buf[len++] = tmp[--t];
		buf[len] = '\0';
		return len;
	}
	k = shortest_digits(d, digits, &n);
	if (k <= n && n <= 21) {
		memcpy(buf + len, digits, k);
		len += k;
		for (int i = 0; i < n - k; i++)
			buf[len++] = '0';
	} else if (0 < n && n <= 21) {
		memcpy(buf + len, digits, n);
		len += n;
		buf[len++] = '.';
		memcpy(buf + len, digits + n, k - n);
		len += k - n;
	} else if (-6 < n && n <= 0) {
		buf[len++] = '0';
		buf[len++] = '.';
		for (int i = 0; i < -n; i++)
			buf[len++] = '0';
		memcpy(buf + len, digits, k);
		len += k;
	} else {
		buf[len++] = digits[0];
		if (k > 1) {
			buf[len++] = '.';
			memcpy(buf + len, digits + 1, k - 1);
			len += k - 1;
		}
		len += snprintf(buf + len, SFN_NUMBUF - len, "e%c%d",
				n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
	buf[len] = '\0';
	return len;
}

/* Decimal digits of @x: from its bit length, without a branch tree
 * (gcc turns one into constants set up ahead of every call). */
static inline int digits32(uint32_t x)
{
	static const uint32_t pow10[] = { 1,	     10,       100,
					  1000,	     10000,    100000,
					  1000000,   10000000, 100000000,
					  1000000000 };
	uint32_t y = x | 1; /* 0 has one digit; no power of ten is odd */
	int t = ((32 - __builtin_clz(y)) * 1233) >> 12;
	return t - (y < pow10[t]) + 1;
}

static const char digit_pairs[] = "00010203040506070809"
				  "10111213141516171819"
				  "20212223242526272829"
				  "30313233343536373839"
				  "40414243444546474849"
				  "50515253545556575859"
				  "60616263646566676869"
				  "70717273747576777879"
				  "80818283848586878889"
				  "90919293949596979899";

/* Writes the digits of @x so that they end just before @end. */
static void put32(char *end, uint32_t x)
{
	while (x >= 100) {
		unsigned d = (x % 100) * 2;
		x /= 100;
		*--end = digit_pairs[d + 1];
		*--end = digit_pairs[d];
	}
	if (x >= 10) {
		*--end = digit_pairs[x * 2 + 1];
		*--end = digit_pairs[x * 2];
	} else {
		*--end = (char)('0' + x);
	}
}

/*
 * The digits of @u, above UINT32_MAX, at @buf: apart, so that the common
 * case does not pay for this one's setup (gcc unrolls these loops and
 * hoists their constants above the test).
 */
static SFN_NOINLINE int fmt_u64(char *buf, uint64_t u)
{
	/* The low 9 digits, then the rest (at most 11 digits). */
	uint64_t hi = u / 1000000000u;
	uint32_t lo = (uint32_t)(u % 1000000000u);
	int hd = hi <= UINT32_MAX ? digits32((uint32_t)hi)
				  : 10 + (hi >= 10000000000u);
	int len = hd + 9;
	char *end = buf + len;
	for (int i = 0; i < 9; i++) {
		*--end = (char)('0' + lo % 10);
		lo /= 10;
	}
	for (int i = 0; i < hd; i++) {
		*--end = (char)('0' + hi % 10);
		hi /= 10;
	}
	return len;
}

int sfn_fmt_int(char buf[SFN_NUMBUF], int64_t v)
{
	/* Straight into @buf, two digits at a time, in 32-bit arithmetic
	 * when the value fits: ids and counters are formatted for every
	 * journal event. */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	int len = v < 0;
	if (v < 0)
		buf[0] = '-';
	if (u <= UINT32_MAX) {
		len += digits32((uint32_t)u);
		put32(buf + len, (uint32_t)u);
	} else {
		len += fmt_u64(buf + len, u);
	}
	buf[len] = '\0';
	return len;
}

/* What a byte becomes in a JSON string: 0 itself, 'u' \u00XX, else \c. */
static const char quote_esc[256] = {
	['\0'] = 'u', [1] = 'u',  [2] = 'u',	[3] = 'u',     [4] = 'u',
	[5] = 'u',    [6] = 'u',  [7] = 'u',	['\b'] = 'b',  ['\t'] = 't',
	['\n'] = 'n', [11] = 'u', ['\f'] = 'f', ['\r'] = 'r',  [14] = 'u',
	[15] = 'u',   [16] = 'u', [17] = 'u',	[18] = 'u',    [19] = 'u',
	[20] = 'u',   [21] = 'u', [22] = 'u',	[23] = 'u',    [24] = 'u',
	[25] = 'u',   [26] = 'u', [27] = 'u',	[28] = 'u',    [29] = 'u',
	[30] = 'u',   [31] = 'u', ['"'] = '"',	['\\'] = '\\',
};

/*
 * Whether the word @x has a byte that needs an escape: below 0x20, '"' or
 * '\\' (Hacker's Delight's has-less and has-zero tests, exact as to
 * whether there is one), or with @ascii one of 0x80 or more.
 */
static inline bool word_needs_escape(uint64_t x, bool ascii)
{
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t high = 0x8080808080808080ull;
	uint64_t bad = (x - ones * 0x20) & ~x;
	uint64_t y = x ^ (ones * '"');
	bad |= (y - ones) & ~y;
	y = x ^ (ones * '\\');
	bad |= (y - ones) & ~y;
	bad &= high;
	if (ascii)
		bad |= x & high;
	return bad != 0;
}

/*
 * Skips, eight bytes at a time, what needs no escape: no '"', '\\' or
 * control character (nor, with @ascii, a byte of 0x80 or more) in a
 * word. Returns where the byte-wise scan goes on.
 */
static inline const unsigned char *
skip_plain(const unsigned char *p, const unsigned char *end, bool ascii)
{
	while (end - p >= 8) {
		uint64_t x;
		memcpy(&x, p, 8);
		if (word_needs_escape(x, ascii))
			break;
		p += 8;
	}
	return p;
}

/*
 * Whether the @n bytes at @p (at most 32: keys and short values) need no
 * escape, in words that overlap rather than bytes, reading nothing past
 * the end.
 */
static inline bool short_is_plain(const unsigned char *p, size_t n, bool ascii)
{
	uint64_t x;
	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&x, p + i, 8);
			if (word_needs_escape(x, ascii))
				return false;
		}
		memcpy(&x, p + n - 8, 8);
		return !word_needs_escape(x, ascii);
	}
	if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + n - 4, 4);
		return !word_needs_escape((uint64_t)hi << 32 | lo, ascii);
	}
	for (size_t i = 0; i < n; i++)
		if (quote_esc[p[i]] || (ascii && p[i] >= 0x80))
			return false;
	return true;
}

void sfn_json_quote(struct sfn_strbuf *sb, const char *s, size_t n, int flags)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	/* Bytes at or above this limit are escaped too (SFN_JSON_ASCII). */
	unsigned limit = flags & SFN_JSON_ASCII ? 0x80 : 0x100;
	sfn_strbuf_grow(sb, n + 2);
	sb->buf[sb->len++] = '"';
	while (p < end) {
		/* The run that needs no escape, in one copy. */
		const unsigned char *q = skip_plain(p, end, limit == 0x80);
		while (q < end && !quote_esc[*q] && *q < limit)
			q++;
		sfn_strbuf_add(sb, p, (size_t)(q - p));
		if (q == end)
			break;
		unsigned char c = *q;
		char e = quote_esc[c];
		sfn_strbuf_grow(sb, 12);
		char *o = sb->buf + sb->len;
		p = q + 1;
		if (e && e != 'u') {
			o[0] = '\\';
			o[1] = e;
			sb->len += 2;
		} else if (c < 0x80) {
			memcpy(o, "\\u00", 4);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 15];
			sb->len += 6;
		} else {
			/* SFN_JSON_ASCII: one code point as \uXXXX. */
			size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			if (len > (size_t)(end - q))
				len = (size_t)(end - q);
			uint32_t cp = c & (0x3f >> (len - 1));
			for (size_t k = 1; k < len; k++)
				cp = (cp << 6) | (q[k] & 0x3f);
			p = q + len;
			char u[24];
			int m;
			if (cp >= 0x10000) {
				cp -= 0x10000;
				m = snprintf(u, sizeof(u), "\\u%04x\\u%04x",
					     0xd800 + (cp >> 10),
					     0xdc00 + (cp & 0x3ff));
			} else {
				m = snprintf(u, sizeof(u), "\\u%04x", cp);
			}
			memcpy(o, u, (size_t)m);
			sb->len += (size_t)m;
		}
		sb->buf[sb->len] = '\0';
	}
	sfn_strbuf_addch(sb, '"');
}

size_t sfn_json_quoted_size(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t size = n + 2;
	while (p < end) {
		p = skip_plain(p, end, false);
		for (; p < end; p++) {
			char e = quote_esc[*p];
			if (e) {
				size += e == 'u' ? 5 : 1;
				p++;
				break;
			}
		}
	}
	return size;
}

/*
 * Appends the body of a JSON string holding the JSON string of @s: what
 * sfn_json_quote of sfn_json_quote(@s) appends, without the outer quotes
 * and without the escaped quotes of the inner string.
 */
static void quote_twice(struct sfn_strbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		/* Keys and short values: the word-wise scan does not pay. */
		const unsigned char *q = n < 16 ? p : skip_plain(p, end, false);
		while (q < end && !quote_esc[*q])
			q++;
		sfn_strbuf_add(sb, p, (size_t)(q - p));
		if (q == end)
			break;
		unsigned char c = *q++;
		char e = quote_esc[c];
		sfn_strbuf_grow(sb, 8);
		char *o = sb->buf + sb->len;
		size_t m;
		if (e == '"') {
			memcpy(o, "\\\\\\\"", 4); /* \\\" */
			m = 4;
		} else if (e == '\\') {
			memcpy(o, "\\\\\\\\", 4); /* \\\\ */
			m = 4;
		} else if (e != 'u') {
			o[0] = o[1] = '\\';
			o[2] = e;
			m = 3;
		} else {
			memcpy(o, "\\\\u00", 5);
			o[5] = hex[c >> 4];
			o[6] = hex[c & 15];
			m = 7;
		}
		sb->len += m;
		sb->buf[sb->len] = '\0';
		p = q;
	}
}

static void indent(struct sfn_strbuf *sb, int depth)
{
	sfn_strbuf_addch(sb, '\n');
	for (int i = 0; i < depth; i++)
		sfn_strbuf_add(sb, "  ", 2);
}

/* dump()'s private flag: write inside a JSON string (see quote_twice). */
#define DUMP_QUOTED (1 << 8)

/*
 * Writes at @o the @n bytes of @s, which need no escape, between quotes
 * (escaped ones with DUMP_QUOTED in @flags); returns where it ended.
 */
static inline char *put_plain(char *o, const char *s, size_t n, int flags)
{
	bool q = flags & DUMP_QUOTED;
	if (q)
		*o++ = '\\';
	*o++ = '"';
	o = sfn_put_bytes(o, s, n);
	if (q)
		*o++ = '\\';
	*o++ = '"';
	return o;
}

/* A string or key as dump() writes it. */
static void dump_str(struct sfn_strbuf *sb, const char *s, size_t n, int flags)
{
	/* Keys and short values mostly need no escape: one bounds check
	 * and one copy (non-ASCII bytes are escaped only with ASCII). */
	if (n <= 32) {
		if (short_is_plain((const unsigned char *)s, n,
				   flags & SFN_JSON_ASCII)) {
			sfn_strbuf_grow(sb, n + 4);
			char *o = put_plain(sb->buf + sb->len, s, n, flags);
			*o = '\0';
			sb->len = (size_t)(o - sb->buf);
			return;
		}
	}
	if (flags & DUMP_QUOTED) {
		sfn_strbuf_add(sb, "\\\"", 2);
		quote_twice(sb, s, n);
		sfn_strbuf_add(sb, "\\\"", 2);
	} else {
		sfn_json_quote(sb, s, n, flags);
	}
}

/*
 * The text of large containers written lately (sfn_json_dump_cached), by
 * address: SLOTS entries whose text lives in one buffer, all dropped once
 * the buffer would pass TEXT_MAX.
 */
#define TEXT_CACHE_SLOTS 64
#define TEXT_CACHE_MIN	 1024
#define TEXT_CACHE_MAX	 (32u << 20)

struct sfn_json_text_cache {
	struct {
		const json_t *v;
		int flags;
		size_t off, len;
	} slot[TEXT_CACHE_SLOTS];
	struct sfn_strbuf text;
};

struct sfn_json_text_cache *sfn_json_text_cache_new(void)
{
	struct sfn_json_text_cache *c = sfn_xcalloc(1, sizeof(*c));
	sfn_strbuf_init(&c->text, 0);
	return c;
}

void sfn_json_text_cache_forget(struct sfn_json_text_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < TEXT_CACHE_SLOTS; i++)
		c->slot[i].v = NULL;
	sfn_strbuf_reset(&c->text);
}

void sfn_json_text_cache_free(struct sfn_json_text_cache *c)
{
	if (!c)
		return;
	sfn_strbuf_release(&c->text);
	free(c);
}

static size_t text_slot(const json_t *v)
{
	return ((uintptr_t)v >> 4) % TEXT_CACHE_SLOTS;
}

/* Keeps the text @v was just written as, from @start in @sb. */
static void text_keep(struct sfn_json_text_cache *c, const json_t *v, int flags,
		      const struct sfn_strbuf *sb, size_t start)
{
	size_t len = sb->len - start;
	if (len < TEXT_CACHE_MIN || len > TEXT_CACHE_MAX)
		return;
	if (c->text.len + len > TEXT_CACHE_MAX)
		sfn_json_text_cache_forget(c);
	size_t k = text_slot(v);
	c->slot[k].v = v;
	c->slot[k].flags = flags;
	c->slot[k].off = c->text.len;
	c->slot[k].len = len;
	sfn_strbuf_add(&c->text, sb->buf + start, len);
}

/*
 * Writes @v if it is an integer, a string or a literal, the most common
 * members, without a recursive call to dump(); returns false for the rest.
 */
static inline bool dump_scalar(struct sfn_strbuf *sb, const json_t *v,
			       int flags)
{
	switch (json_typeof(v)) {
	case JSON_INTEGER:
		/* Straight into the buffer, which has the room. */
		sfn_strbuf_grow(sb, SFN_NUMBUF);
		sb->len += (size_t)sfn_fmt_int(sb->buf + sb->len,
					       json_integer_value(v));
		return true;
	case JSON_STRING:
		dump_str(sb, json_string_value(v), json_string_length(v),
			 flags);
		return true;
	case JSON_TRUE:
		sfn_strbuf_add(sb, "true", 4);
		return true;
	case JSON_FALSE:
		sfn_strbuf_add(sb, "false", 5);
		return true;
	case JSON_NULL:
		sfn_strbuf_add(sb, "null", 4);
		return true;
	default:
		return false;
	}
}

/* With @stop: gives up (leaving more than @stop bytes in @sb) once the
 * text has passed it, between members. */
static void dump(struct sfn_strbuf *sb, const json_t *v, int flags, int depth,
		 struct sfn_json_text_cache *cache, size_t stop)
{
	char num[SFN_NUMBUF];
	bool pretty = flags & SFN_JSON_PRETTY;
	size_t i, start = sb->len;

	if (cache && (json_is_object(v) || json_is_array(v))) {
		size_t k = text_slot(v);
		/* Same value, same way of writing (not pretty: no depth). */
		if (cache->slot[k].v == v && cache->slot[k].flags == flags) {
			sfn_strbuf_add(sb, cache->text.buf + cache->slot[k].off,
				       cache->slot[k].len);
			return;
		}
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		bool first = true;
		sfn_strbuf_addch(sb, '{');
		/* The iterator itself: json_object_foreach finds each key's
		 * iterator again, and a key's length is stored. */
		for (void *it = json_object_iter((json_t *)v); it;
		     it = json_object_iter_next((json_t *)v, it)) {
			if (sb->len > stop)
				return;
			const char *k = json_object_iter_key(it);
			size_t kl = json_object_iter_key_len(it);
			if (!pretty && kl <= 32 &&
			    short_is_plain((const unsigned char *)k, kl,
					   flags & SFN_JSON_ASCII)) {
				/* The common key: ',', the key quoted and ':'
				 * in one go. */
				sfn_strbuf_grow(sb, kl + 8);
				char *o = sb->buf + sb->len;
				if (!first)
					*o++ = ',';
				o = put_plain(o, k, kl, flags);
				*o++ = ':';
				*o = '\0';
				sb->len = (size_t)(o - sb->buf);
				first = false;
			} else {
				if (!first)
					sfn_strbuf_addch(sb, ',');
				first = false;
				if (pretty)
					indent(sb, depth + 1);
				dump_str(sb, k, kl, flags);
				if (pretty)
					sfn_strbuf_add(sb, ": ", 2);
				else
					sfn_strbuf_addch(sb, ':');
			}
			json_t *m = json_object_iter_value(it);
			if (!dump_scalar(sb, m, flags))
				dump(sb, m, flags, depth + 1, cache, stop);
		}
		if (pretty && !first)
			indent(sb, depth);
		sfn_strbuf_addch(sb, '}');
		if (cache)
			text_keep(cache, v, flags, sb, start);
		break;
	}
	case JSON_ARRAY: {
		json_t *item;
		sfn_strbuf_addch(sb, '[');
		json_array_foreach((json_t *)v, i, item) {
			if (sb->len > stop)
				return;
			if (i)
				sfn_strbuf_addch(sb, ',');
			if (pretty)
				indent(sb, depth + 1);
			if (!dump_scalar(sb, item, flags))
				dump(sb, item, flags, depth + 1, cache, stop);
		}
		if (pretty && json_array_size(v))
			indent(sb, depth);
		sfn_strbuf_addch(sb, ']');
		if (cache)
			text_keep(cache, v, flags, sb, start);
		break;
	}
	case JSON_STRING:
	case JSON_INTEGER:
	case JSON_TRUE:
	case JSON_FALSE:
	case JSON_NULL:
		dump_scalar(sb, v, flags);
		break;
	case JSON_REAL: {
		double d = json_real_value(v);
		if (isnan(d) || isinf(d)) {
			sfn_strbuf_adds(sb, "null");
		} else {
			int n = sfn_fmt_double(num, d);
			sfn_strbuf_add(sb, num, (size_t)n);
		}
		break;
	}
	}
}

void sfn_json_dump(struct sfn_strbuf *sb, const json_t *v, int flags)
{
	dump(sb, v, flags, 0, NULL, SIZE_MAX);
}

void sfn_json_dump_quoted(struct sfn_strbuf *sb, const json_t *v)
{
	sfn_json_dump_cached(sb, v, SFN_JSON_QUOTED, NULL);
}

void sfn_json_dump_cached(struct sfn_strbuf *sb, const json_t *v, int flags,
			  struct sfn_json_text_cache *cache)
{
	if (flags & SFN_JSON_QUOTED) {
		/* Compact UTF-8 only, as sfn_json_dump_quoted. */
		sfn_strbuf_addch(sb, '"');
		dump(sb, v, DUMP_QUOTED, 0, cache, SIZE_MAX);
		sfn_strbuf_addch(sb, '"');
	} else {
		/* Pretty text depends on the depth: not from a cache. */
		dump(sb, v, flags, 0, flags & SFN_JSON_PRETTY ? NULL : cache,
		     SIZE_MAX);
	}
}

bool sfn_json_dump_max(struct sfn_strbuf *sb, const json_t *v, int flags,
		       size_t max)
{
	size_t start = sb->len, stop = start + max;
	bool quoted = flags & SFN_JSON_QUOTED;
	/* A long string is too long before it is copied. */
	if (json_is_string(v) && json_string_length(v) > max)
		return false;
	if (quoted) {
		sfn_strbuf_addch(sb, '"');
		dump(sb, v, DUMP_QUOTED, 0, NULL, stop);
		sfn_strbuf_addch(sb, '"');
	} else {
		dump(sb, v, flags & ~SFN_JSON_PRETTY, 0, NULL, stop);
	}
	if (sb->len <= stop)
		return true;
	sb->len = start;
	sb->buf[start] = '\0';
	return false;
}

char *sfn_json_dumps(const json_t *v, int flags)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	dump(&sb, v, flags, 0, NULL, SIZE_MAX);
	return sfn_strbuf_detach(&sb, NULL);
}

double sfn_json_number(const json_t *v)
{
	if (json_is_integer(v))
		return (double)json_integer_value(v);
	if (json_is_real(v))
		return json_real_value(v);
	return 0;
}

bool sfn_json_equal(const json_t *a, const json_t *b)
{
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		return sfn_json_number(a) == sfn_json_number(b);
	}
	if (json_typeof(a) != json_typeof(b))
		return false;
	switch (json_typeof(a)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *va;
		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach((json_t *)a, key, va)
			if (!sfn_json_equal(va, json_object_get(b, key)))
				return false;
		return true;
	}
	case JSON_ARRAY: {
		size_t n = json_array_size(a);
		if (n != json_array_size(b))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!sfn_json_equal(json_array_get(a, i),
					    json_array_get(b, i)))
				return false;
		return true;
	}
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       !memcmp(json_string_value(a), json_string_value(b),
			       json_string_length(a));
	default:
		return true; /* true, false, null: same type */
	}
}
