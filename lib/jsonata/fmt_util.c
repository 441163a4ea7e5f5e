/*
 * fmt_util: what the picture-string built-ins share: code point strings,
 * errors with the reference's messages, and JavaScript's number helpers
 * ($round's decimal half-even rounding, parseInt).
 */
#include "jsonata/jsonata_fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

void sfn_fmt_cps_add(struct sfn_fmt_cps *s, uint32_t cp)
{
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 16;
		s->v = sfn_xrealloc(s->v, s->alloc * sizeof(*s->v));
	}
	s->v[s->n++] = cp;
}

/* Invalid UTF-8 (which jansson never hands us) reads as U+FFFD. */
void sfn_fmt_cps_from_utf8(struct sfn_fmt_cps *s, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;

	while (i < n) {
		uint32_t c = u[i];
		int len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;

		if (c >= 0x80 && (c < 0xC2 || c > 0xF4 || i + len > n)) {
			sfn_fmt_cps_add(s, 0xFFFD);
			i++;
			continue;
		}
		if (len > 1)
			c &= 0x3F >> (len - 1);
		for (int k = 1; k < len; k++)
			c = (c << 6) | (u[i + k] & 0x3F);
		sfn_fmt_cps_add(s, c);
		i += len;
	}
}

void sfn_fmt_cps_release(struct sfn_fmt_cps *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->alloc = 0;
}

void sfn_fmt_put_cp(struct sfn_strbuf *sb, uint32_t cp)
{
	char b[4];

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		sfn_strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		sfn_strbuf_add(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		sfn_strbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		sfn_strbuf_add(sb, b, 4);
	}
}

void sfn_fmt_put_cps(struct sfn_strbuf *sb, const uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sfn_fmt_put_cp(sb, v[i]);
}

/* The reference's messages (jsonata.js errorCodes) for the codes raised here.
 */
static const struct {
	const char *code;
	const char *message;
} messages[] = {
	{ "D3080", "The picture string must only contain a maximum of two "
		   "sub-pictures" },
	{ "D3081", "The sub-picture must not contain more than one instance "
		   "of the 'decimal-separator' character" },
	{ "D3082", "The sub-picture must not contain more than one instance "
		   "of the 'percent' character" },
	{ "D3083", "The sub-picture must not contain more than one instance "
		   "of the 'per-mille' character" },
	{ "D3084", "The sub-picture must not contain both a 'percent' and a "
		   "'per-mille' character" },
	{ "D3085", "The mantissa part of a sub-picture must contain at least "
		   "one character that is either an 'optional digit "
		   "character' or a member of the 'decimal digit family'" },
	{ "D3086", "The sub-picture must not contain a passive character that "
		   "is preceded by an active character and that is followed "
		   "by another active character" },
	{ "D3087", "The sub-picture must not contain a 'grouping-separator' "
		   "character that appears adjacent to a 'decimal-separator' "
		   "character" },
	{ "D3088", "The sub-picture must not contain a 'grouping-separator' "
		   "at the end of the integer part" },
	{ "D3089", "The sub-picture must not contain two adjacent instances "
		   "of the 'grouping-separator' character" },
	{ "D3090", "The integer part of the sub-picture must not contain a "
		   "member of the 'decimal digit family' that is followed by "
		   "an instance of the 'optional digit character'" },
	{ "D3091", "The fractional part of the sub-picture must not contain "
		   "an instance of the 'optional digit character' that is "
		   "followed by a member of the 'decimal digit family'" },
	{ "D3092", "A sub-picture that contains a 'percent' or 'per-mille' "
		   "character must not contain a character treated as an "
		   "'exponent-separator'" },
	{ "D3093", "The exponent part of the sub-picture must comprise only "
		   "of one or more characters that are members of the "
		   "'decimal digit family'" },
	{ "D3100", "The radix of the formatBase function must be between 2 "
		   "and 36.  It was given {{value}}" },
	{ "D3110", "The argument of the toMillis function must be an ISO "
		   "8601 formatted timestamp. Given {{value}}" },
	{ "D3130", "Formatting or parsing an integer as a sequence starting "
		   "with {{value}} is not supported by this implementation" },
	{ "D3131", "In a decimal digit pattern, all digits must be from the "
		   "same decimal group" },
	{ "D3132", "Unknown component specifier {{value}} in date/time "
		   "picture string" },
	{ "D3133", "The 'name' modifier can only be applied to months and "
		   "days in the date/time picture string, not {{value}}" },
	{ "D3134", "The timezone integer format specifier cannot have more "
		   "than four digits" },
	{ "D3135", "No matching closing bracket ']' in date/time picture "
		   "string" },
	{ "D3136", "The date/time picture string is missing specifiers "
		   "required to parse the timestamp" },
};

int sfn_fmt_fail(struct sfn_fmt_err *err, const char *code,
		 const char *value_json)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	const char *msg = code;

	if (!err || err->code[0])
		return -1;
	for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
		if (!strcmp(messages[i].code, code))
			msg = messages[i].message;
	const char *hole = strstr(msg, "{{value}}");
	if (hole) {
		sfn_strbuf_add(&sb, msg, (size_t)(hole - msg));
		sfn_strbuf_adds(&sb, value_json ? value_json : "undefined");
		sfn_strbuf_adds(&sb, hole + strlen("{{value}}"));
	} else {
		sfn_strbuf_adds(&sb, msg);
	}
	snprintf(err->code, sizeof(err->code), "%s", code);
	err->message = sfn_strbuf_detach(&sb, NULL);
	err->value = value_json ? sfn_xstrdup(value_json) : NULL;
	return -1;
}

void sfn_fmt_err_release(struct sfn_fmt_err *err)
{
	if (!err)
		return;
	free(err->message);
	free(err->value);
	err->message = err->value = NULL;
	err->code[0] = '\0';
}

/*
 * JavaScript's Math.round: the nearest integer, halves toward +Infinity.
 * floor(x + 0.5) would be wrong for 0.49999999999999994.
 */
static double js_math_round(double x)
{
	double r = floor(x);

	if (x - r >= 0.5)
		r += 1;
	return r;
}

/* +(mantissa + "e" + (exponent + shift)) on JavaScript's String(v). */
static double shift_decimal(double v, int shift)
{
	char buf[SFN_NUMBUF + 16];
	char *e;
	long exp = 0;

	sfn_fmt_double(buf, v);
	e = strchr(buf, 'e');
	if (e) {
		exp = strtol(e + 1, NULL, 10);
		*e = '\0';
	}
	size_t len = strlen(buf);
	snprintf(buf + len, sizeof(buf) - len, "e%ld", exp + shift);
	return strtod(buf, NULL);
}

double sfn_fmt_round(double v, int precision)
{
	double r;

	if (!isfinite(v))
		return v;
	/*
	 * Fast path. v * 10^p is within two ulps of the value the decimal
	 * shift yields (10^p is exact up to 10^22); unless that is near a
	 * half, both round to the same integer r, and r / 10^p is the double
	 * nearest r * 10^-p, which is what reading "r e-p" gives.
	 */
	if (precision >= 0 && precision <= 22) {
		double scale = pow(10, precision);
		double y = v * scale;
		double ay = fabs(y);
		if (ay < 4503599627370496.0) { /* 2^52 */
			double frac = ay - floor(ay);
			double slack = 8 * ay * 2.220446049250313e-16 + 1e-300;
			if (fabs(frac - 0.5) > slack) {
				r = round(y) / scale;
				return r == 0 ? 0 : r;
			}
		}
	}
	if (precision)
		v = shift_decimal(v, precision);
	r = js_math_round(v);
	/* Math.round took a half up: take it to the even neighbour. */
	if (fabs(r - v) == 0.5 && fabs(fmod(r, 2)) == 1)
		r -= 1;
	if (precision)
		r = shift_decimal(r, -precision);
	if (r == 0)
		r = 0; /* no -0 */
	return r;
}

static bool js_space(const unsigned char *s, size_t n, size_t *len)
{
	/* ASCII white space, NBSP, and the Unicode spaces JavaScript trims. */
	if (n && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))) {
		*len = 1;
		return true;
	}
	if (n >= 2 && s[0] == 0xC2 && s[1] == 0xA0) {
		*len = 2;
		return true;
	}
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		*len = 3;
		return true;
	}
	if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 &&
	    ((s[2] >= 0x80 && s[2] <= 0x8A) || s[2] == 0xA8 || s[2] == 0xA9 ||
	     s[2] == 0xAF)) {
		*len = 3;
		return true;
	}
	if (n >= 3 && ((s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) ||
		       (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F) ||
		       (s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80))) {
		*len = 3;
		return true;
	}
	return false;
}

double sfn_fmt_parse_int(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, sp;
	double sign = 1, v = 0;
	int radix = 10;
	bool any = false;

	while (i < n && js_space(s + i, n - i, &sp))
		i += sp;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		sign = s[i++] == '-' ? -1 : 1;
	if (i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		radix = 16;
		i += 2;
	}
	if (radix == 10) {
		/* Read the digits as a decimal literal, correctly rounded. */
		size_t start = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return NAN;
		char *digits = sfn_xstrndup(str + start, i - start);
		v = strtod(digits, NULL);
		free(digits);
		return sign * v;
	}
	for (; i < n; i++) {
		int d;
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			break;
		v = v * radix + d;
		any = true;
	}
	return any ? sign * v : NAN;
}
