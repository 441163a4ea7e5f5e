/*
 * fmt_integer: $formatInteger and $parseInteger (XPath F&O 3.1
 * fn:format-integer), and the integer pictures the date/time markers use.
 *
 * picture   := primary [';' modifier]        (the last ';' splits)
 * primary   := 'A' | 'a' | 'I' | 'i' | 'W' | 'Ww' | 'w' | digit-pattern
 * modifier  := 'o' ...                       (ordinal; the rest is ignored)
 * A digit pattern holds digits of one Unicode decimal family (mandatory),
 * '#' (optional) and anything else as grouping separators; without a
 * mandatory digit it is a numbering sequence, which the reference does not
 * support (D3130).
 */
#include "jsonata/jsonata_fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

/* The zero of each decimal digit family in the BMP (the reference's list). */
static const uint32_t decimal_groups[] = {
	0x30,	0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6,
	0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0,
	0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
	0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900,
	0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
};

static const char *const few[] = {
	"Zero",	   "One",     "Two",	   "Three",    "Four",
	"Five",	   "Six",     "Seven",	   "Eight",    "Nine",
	"Ten",	   "Eleven",  "Twelve",	   "Thirteen", "Fourteen",
	"Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen",
};
static const char *const ordinals[] = {
	"Zeroth",    "First",	  "Second",	 "Third",      "Fourth",
	"Fifth",     "Sixth",	  "Seventh",	 "Eighth",     "Ninth",
	"Tenth",     "Eleventh",  "Twelfth",	 "Thirteenth", "Fourteenth",
	"Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth",
};
static const char *const decades[] = {
	"Twenty",  "Thirty", "Forty",  "Fifty",	  "Sixty",
	"Seventy", "Eighty", "Ninety", "Hundred",
};
static const char *const magnitudes[] = {
	"Thousand",
	"Million",
	"Billion",
	"Trillion",
};

/* ---- picture analysis ---- */

void sfn_fmt_int_picture_release(struct sfn_fmt_int_picture *f)
{
	free(f->seps);
	f->seps = NULL;
	f->n_seps = 0;
	sfn_fmt_cps_release(&f->token);
}

static bool cps_is(const uint32_t *pic, size_t n, const char *ascii)
{
	size_t len = strlen(ascii);

	if (n != len)
		return false;
	for (size_t i = 0; i < n; i++)
		if (pic[i] != (unsigned char)ascii[i])
			return false;
	return true;
}

/* Are the separators equally spaced and all the same? Their spacing, or 0. */
static int regular_repeat(const struct sfn_fmt_int_sep *s, size_t n)
{
	int f;

	if (n == 0)
		return 0;
	for (size_t i = 1; i < n; i++)
		if (s[i].ch != s[0].ch)
			return 0;
	f = s[0].position;
	for (size_t i = 1; i < n; i++) {
		int a = f, b = s[i].position;
		while (b) {
			int t = a % b;
			a = b;
			b = t;
		}
		f = a;
	}
	for (size_t k = 1; k <= n; k++) {
		bool seen = false;
		for (size_t i = 0; i < n; i++)
			seen |= s[i].position == (int)k * f;
		if (!seen)
			return 0;
	}
	return f;
}

int sfn_fmt_int_picture_parse(struct sfn_fmt_int_picture *f,
			      const uint32_t *pic, size_t n,
			      struct sfn_fmt_err *err)
{
	size_t primary_n = n;
	int sep_pos = 0;
	bool have_zero = false;
	size_t alloc = 0;

	memset(f, 0, sizeof(*f));
	f->primary = SFN_FMT_DECIMAL;
	f->tcase = SFN_FMT_LOWER;
	f->mandatory = f->optional = -1;
	for (size_t i = n; i-- > 0;)
		if (pic[i] == ';') {
			primary_n = i;
			f->ordinal = i + 1 < n && pic[i + 1] == 'o';
			break;
		}
	if (cps_is(pic, primary_n, "A") || cps_is(pic, primary_n, "a")) {
		f->primary = SFN_FMT_LETTERS;
		f->tcase = pic[0] == 'A' ? SFN_FMT_UPPER : SFN_FMT_LOWER;
		return 0;
	}
	if (cps_is(pic, primary_n, "I") || cps_is(pic, primary_n, "i")) {
		f->primary = SFN_FMT_ROMAN;
		f->tcase = pic[0] == 'I' ? SFN_FMT_UPPER : SFN_FMT_LOWER;
		return 0;
	}
	if (cps_is(pic, primary_n, "W") || cps_is(pic, primary_n, "Ww") ||
	    cps_is(pic, primary_n, "w")) {
		f->primary = SFN_FMT_WORDS;
		f->tcase = primary_n == 2  ? SFN_FMT_TITLE
			   : pic[0] == 'W' ? SFN_FMT_UPPER
					   : SFN_FMT_LOWER;
		return 0;
	}
	/* A digit pattern, read right to left to place the separators. */
	f->mandatory = f->optional = 0;
	for (size_t i = primary_n; i-- > 0;) {
		uint32_t c = pic[i];
		bool digit = false;
		for (size_t g = 0;
		     g < sizeof(decimal_groups) / sizeof(decimal_groups[0]);
		     g++) {
			if (c < decimal_groups[g] || c > decimal_groups[g] + 9)
				continue;
			digit = true;
			f->mandatory++;
			sep_pos++;
			if (!have_zero) {
				f->zero = decimal_groups[g];
				have_zero = true;
			} else if (f->zero != decimal_groups[g]) {
				sfn_fmt_int_picture_release(f);
				return sfn_fmt_fail(err, "D3131", NULL);
			}
			break;
		}
		if (digit)
			continue;
		if (c == '#') {
			sep_pos++;
			f->optional++;
			continue;
		}
		if (f->n_seps == alloc) {
			alloc = alloc ? 2 * alloc : 4;
			f->seps =
				sfn_xrealloc(f->seps, alloc * sizeof(*f->seps));
		}
		f->seps[f->n_seps++] = (struct sfn_fmt_int_sep){ sep_pos, c };
	}
	if (f->mandatory > 0) {
		f->regular = regular_repeat(f->seps, f->n_seps);
		if (f->regular > 0)
			f->reg_ch = f->seps[0].ch;
	} else {
		f->primary = SFN_FMT_SEQUENCE;
		for (size_t i = 0; i < primary_n; i++)
			sfn_fmt_cps_add(&f->token, pic[i]);
	}
	return 0;
}

static int fail_token(const struct sfn_fmt_int_picture *f,
		      struct sfn_fmt_err *err)
{
	struct sfn_strbuf text = SFN_STRBUF_INIT, json = SFN_STRBUF_INIT;

	sfn_fmt_put_cps(&text, f->token.v, f->token.n);
	sfn_json_quote(&json, text.buf, text.len, 0);
	sfn_fmt_fail(err, "D3130", json.buf);
	sfn_strbuf_release(&text);
	sfn_strbuf_release(&json);
	return -1;
}

/* ---- formatting ---- */

/*
 * English words in title case, as the reference builds them: "and" before
 * the last two digits, ", " between magnitudes, magnitudes past trillion
 * repeated ("ten billion trillion trillion trillion").
 */
static void words(struct sfn_strbuf *sb, double num, bool prev, bool ord)
{
	if (num <= 19) {
		if (prev)
			sfn_strbuf_adds(sb, " and ");
		sfn_strbuf_adds(sb, ord ? ordinals[(int)num] : few[(int)num]);
	} else if (num < 100) {
		int tens = (int)(num / 10), rem = (int)fmod(num, 10);
		if (prev)
			sfn_strbuf_adds(sb, " and ");
		sfn_strbuf_adds(sb, decades[tens - 2]);
		if (rem > 0) {
			sfn_strbuf_addch(sb, '-');
			words(sb, rem, false, ord);
		} else if (ord) {
			sb->buf[--sb->len] = '\0'; /* Twenty -> Twentieth */
			sfn_strbuf_adds(sb, "ieth");
		}
	} else if (num < 1000) {
		int hundreds = (int)(num / 100), rem = (int)fmod(num, 100);
		if (prev)
			sfn_strbuf_adds(sb, ", ");
		sfn_strbuf_adds(sb, few[hundreds]);
		sfn_strbuf_adds(sb, " Hundred");
		if (rem > 0)
			words(sb, rem, true, ord);
		else if (ord)
			sfn_strbuf_adds(sb, "th");
	} else {
		int mag = (int)floor(log10(num) / 3);
		if (mag > 4)
			mag = 4;
		double factor = pow(10, mag * 3);
		double mant = floor(num / factor);
		double rem = num - mant * factor;
		if (prev)
			sfn_strbuf_adds(sb, ", ");
		words(sb, mant, false, false);
		sfn_strbuf_addch(sb, ' ');
		sfn_strbuf_adds(sb, magnitudes[mag - 1]);
		if (rem > 0)
			words(sb, rem, true, ord);
		else if (ord)
			sfn_strbuf_adds(sb, "th");
	}
}

static void roman(struct sfn_strbuf *sb, double v, bool upper)
{
	static const struct {
		int value;
		const char *lower, *upper;
	} numerals[] = {
		{ 1000, "m", "M" },  { 900, "cm", "CM" }, { 500, "d", "D" },
		{ 400, "cd", "CD" }, { 100, "c", "C" },	  { 90, "xc", "XC" },
		{ 50, "l", "L" },    { 40, "xl", "XL" },  { 10, "x", "X" },
		{ 9, "ix", "IX" },   { 5, "v", "V" },	  { 4, "iv", "IV" },
		{ 1, "i", "I" },
	};

	for (size_t i = 0; i < sizeof(numerals) / sizeof(numerals[0]); i++)
		while (v >= numerals[i].value) {
			sfn_strbuf_adds(sb, upper ? numerals[i].upper
						  : numerals[i].lower);
			v -= numerals[i].value;
		}
}

static void letters(struct sfn_strbuf *sb, double v, char a)
{
	char buf[256];
	size_t n = 0;

	while (v > 0 && n < sizeof(buf)) {
		buf[n++] = (char)(a + (int)fmod(v - 1, 26));
		v = floor((v - 1) / 26);
	}
	while (n)
		sfn_strbuf_addch(sb, buf[--n]);
}

/* [s.substr(0, at), sep, s.substr(at)] with JavaScript's substr rules. */
static void insert_sep(struct sfn_fmt_cps *s, long at, uint32_t ch)
{
	if (at < 0) {
		/* substr(0, negative) is "", substr(negative) the tail. */
		long start = (long)s->n + at;
		if (start < 0)
			start = 0;
		memmove(s->v, s->v + start,
			(s->n - (size_t)start) * sizeof(*s->v));
		s->n -= (size_t)start;
		at = 0;
	}
	if ((size_t)at > s->n)
		at = (long)s->n;
	sfn_fmt_cps_add(s, 0);
	memmove(s->v + at + 1, s->v + at,
		(s->n - 1 - (size_t)at) * sizeof(*s->v));
	s->v[at] = ch;
}

static void decimal(const struct sfn_fmt_int_picture *f, double v,
		    struct sfn_strbuf *out)
{
	struct sfn_fmt_cps s = { 0 };
	char num[SFN_NUMBUF];
	int len = sfn_fmt_double(num, v);

	for (int i = len; i < f->mandatory; i++)
		sfn_fmt_cps_add(&s, '0');
	for (int i = 0; i < len; i++)
		sfn_fmt_cps_add(&s, (unsigned char)num[i]);
	if (f->zero != 0x30)
		for (size_t i = 0; i < s.n; i++)
			s.v[i] += f->zero - 0x30;
	if (f->regular > 0) {
		/* A separator before every group of @regular from the right. */
		struct sfn_fmt_cps t = { 0 };
		long digits = (long)s.n;
		for (long i = 0; i < digits; i++) {
			if (i > 0 && (digits - i) % f->regular == 0)
				sfn_fmt_cps_add(&t, f->reg_ch);
			sfn_fmt_cps_add(&t, s.v[i]);
		}
		sfn_fmt_cps_release(&s);
		s = t;
	} else {
		/* The separators left to right: each counts from the end. */
		for (size_t i = f->n_seps; i-- > 0;)
			insert_sep(&s, (long)s.n - f->seps[i].position,
				   f->seps[i].ch);
	}
	sfn_fmt_put_cps(out, s.v, s.n);
	if (f->ordinal) {
		uint32_t last = s.n ? s.v[s.n - 1] : 0;
		const char *suffix = last == '1'   ? "st"
				     : last == '2' ? "nd"
				     : last == '3' ? "rd"
						   : "th";
		if (s.n > 1 && s.v[s.n - 2] == '1')
			suffix = "th";
		sfn_strbuf_adds(out, suffix);
	}
	sfn_fmt_cps_release(&s);
}

int sfn_fmt_int_format(const struct sfn_fmt_int_picture *f, double v,
		       struct sfn_strbuf *out, struct sfn_fmt_err *err)
{
	bool negative = v < 0;
	size_t mark;

	if (f->primary == SFN_FMT_SEQUENCE)
		return fail_token(f, err);
	v = fabs(v);
	if (negative)
		sfn_strbuf_addch(out, '-');
	mark = out->len;
	if (!isfinite(v) && f->primary != SFN_FMT_DECIMAL) {
		/* Only a decimal picture can show these; print them plainly. */
		char num[SFN_NUMBUF];
		sfn_fmt_double(num, v);
		sfn_strbuf_adds(out, num);
		return 0;
	}
	switch (f->primary) {
	case SFN_FMT_LETTERS:
		letters(out, v, f->tcase == SFN_FMT_UPPER ? 'A' : 'a');
		break;
	case SFN_FMT_ROMAN:
		/*
		 * One 'm' per thousand, as the reference writes them (it runs
		 * out of stack somewhere past ten million): past 10^8 the
		 * digits are shown instead of megabytes of 'm'.
		 */
		if (v > 1e8) {
			char num[SFN_NUMBUF];
			sfn_fmt_double(num, v);
			sfn_strbuf_adds(out, num);
		} else {
			roman(out, v, f->tcase == SFN_FMT_UPPER);
		}
		break;
	case SFN_FMT_WORDS:
		words(out, v, false, f->ordinal);
		for (size_t i = mark; i < out->len; i++) {
			char c = out->buf[i];
			if (f->tcase == SFN_FMT_UPPER && c >= 'a' && c <= 'z')
				out->buf[i] = (char)(c - 'a' + 'A');
			else if (f->tcase == SFN_FMT_LOWER && c >= 'A' &&
				 c <= 'Z')
				out->buf[i] = (char)(c - 'A' + 'a');
		}
		break;
	case SFN_FMT_DECIMAL:
		decimal(f, v, out);
		break;
	case SFN_FMT_SEQUENCE:
		break;
	}
	return 0;
}

int sfn_fmt_integer(double v, const char *picture, struct sfn_strbuf *out,
		    struct sfn_fmt_err *err)
{
	struct sfn_fmt_int_picture f;
	struct sfn_fmt_cps pic = { 0 };
	int ret;

	sfn_fmt_cps_from_utf8(&pic, picture, strlen(picture));
	ret = sfn_fmt_int_picture_parse(&f, pic.v, pic.n, err);
	sfn_fmt_cps_release(&pic);
	if (ret < 0)
		return -1;
	ret = sfn_fmt_int_format(&f, floor(v), out, err);
	sfn_fmt_int_picture_release(&f);
	return ret;
}

/* ---- parsing ---- */

/*
 * The words $parseInteger knows with their values, in the reference's order
 * (it builds its regular expression from them): the cardinals, the ordinals,
 * the tens with their "-ieth" forms ("hundreieth" included, as there),
 * "hundredth", and the magnitudes with their "-th" forms.
 */
static const struct {
	const char *text;
	double value;
} words_table[] = {
	{ "zero", 0 },		{ "one", 1 },	       { "two", 2 },
	{ "three", 3 },		{ "four", 4 },	       { "five", 5 },
	{ "six", 6 },		{ "seven", 7 },	       { "eight", 8 },
	{ "nine", 9 },		{ "ten", 10 },	       { "eleven", 11 },
	{ "twelve", 12 },	{ "thirteen", 13 },    { "fourteen", 14 },
	{ "fifteen", 15 },	{ "sixteen", 16 },     { "seventeen", 17 },
	{ "eighteen", 18 },	{ "nineteen", 19 },    { "zeroth", 0 },
	{ "first", 1 },		{ "second", 2 },       { "third", 3 },
	{ "fourth", 4 },	{ "fifth", 5 },	       { "sixth", 6 },
	{ "seventh", 7 },	{ "eighth", 8 },       { "ninth", 9 },
	{ "tenth", 10 },	{ "eleventh", 11 },    { "twelfth", 12 },
	{ "thirteenth", 13 },	{ "fourteenth", 14 },  { "fifteenth", 15 },
	{ "sixteenth", 16 },	{ "seventeenth", 17 }, { "eighteenth", 18 },
	{ "nineteenth", 19 },	{ "twenty", 20 },      { "twentieth", 20 },
	{ "thirty", 30 },	{ "thirtieth", 30 },   { "forty", 40 },
	{ "fortieth", 40 },	{ "fifty", 50 },       { "fiftieth", 50 },
	{ "sixty", 60 },	{ "sixtieth", 60 },    { "seventy", 70 },
	{ "seventieth", 70 },	{ "eighty", 80 },      { "eightieth", 80 },
	{ "ninety", 90 },	{ "ninetieth", 90 },   { "hundred", 100 },
	{ "hundreieth", 100 },	{ "hundredth", 100 },  { "thousand", 1e3 },
	{ "thousandth", 1e3 },	{ "million", 1e6 },    { "millionth", 1e6 },
	{ "billion", 1e9 },	{ "billionth", 1e9 },  { "trillion", 1e12 },
	{ "trillionth", 1e12 },
};

static bool is_space(const char *s, size_t n, size_t i, size_t *len)
{
	unsigned char c = (unsigned char)s[i];

	if (c == ' ' || (c >= '\t' && c <= '\r')) {
		*len = 1;
		return true;
	}
	if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) {
		*len = 2;
		return true;
	}
	return false;
}

/* text.split(/,\s|\sand\s|[\s\\-]/) then the reference's summing. */
static double words_to_number(const char *s, size_t n)
{
	size_t n_words = sizeof(words_table) / sizeof(words_table[0]);
	double segs[64];
	size_t n_segs = 1, start = 0, i = 0;

	segs[0] = 0;
	for (;;) {
		size_t sep = 0, sl;
		if (i < n) {
			if (s[i] == ',' && i + 1 < n &&
			    is_space(s, n, i + 1, &sl))
				sep = 1 + sl;
			else if (is_space(s, n, i, &sl) && i + sl + 3 < n &&
				 !memcmp(s + i + sl, "and", 3) &&
				 is_space(s, n, i + sl + 3, &sep))
				sep += sl + 3;
			else if (is_space(s, n, i, &sl))
				sep = sl;
			else if (s[i] == '\\' || s[i] == '-')
				sep = 1;
			if (!sep) {
				i++;
				continue;
			}
		}
		/* The part [start, i) is one word. */
		double value = NAN;
		for (size_t w = 0; w < n_words; w++)
			if (strlen(words_table[w].text) == i - start &&
			    !memcmp(words_table[w].text, s + start,
				    i - start)) {
				value = words_table[w].value;
				break;
			}
		if (isnan(value))
			return NAN; /* the reference computes NaN */
		if (value < 100) {
			double top = segs[--n_segs];
			if (top >= 1000) {
				segs[n_segs++] = top;
				top = 0;
			}
			if (n_segs == sizeof(segs) / sizeof(segs[0]))
				return NAN;
			segs[n_segs++] = top + value;
		} else {
			segs[n_segs - 1] *= value;
		}
		if (i >= n)
			break;
		i += sep;
		start = i;
	}
	double sum = 0;
	for (size_t k = 0; k < n_segs; k++)
		sum += segs[k];
	return sum;
}

static double roman_to_decimal(const char *s, size_t n, bool upper)
{
	double decimal = 0, max = 1;

	for (size_t i = n; i-- > 0;) {
		char c = s[i];
		double value;
		if (!upper && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		switch (c) {
		case 'M':
			value = 1000;
			break;
		case 'D':
			value = 500;
			break;
		case 'C':
			value = 100;
			break;
		case 'L':
			value = 50;
			break;
		case 'X':
			value = 10;
			break;
		case 'V':
			value = 5;
			break;
		case 'I':
			value = 1;
			break;
		default:
			return NAN;
		}
		if (value < max) {
			decimal -= value;
		} else {
			max = value;
			decimal += value;
		}
	}
	return decimal;
}

double sfn_fmt_int_parse(const struct sfn_fmt_int_picture *f, const char *s,
			 size_t n)
{
	struct sfn_fmt_cps c = { 0 };
	struct sfn_strbuf digits = SFN_STRBUF_INIT;
	double v = NAN;

	switch (f->primary) {
	case SFN_FMT_LETTERS:
		sfn_fmt_cps_from_utf8(&c, s, n);
		v = 0;
		for (size_t i = 0; i < c.n; i++)
			v += ((double)c.v[c.n - i - 1] -
			      (f->tcase == SFN_FMT_UPPER ? 'A' : 'a') + 1) *
			     pow(26, (double)i);
		break;
	case SFN_FMT_ROMAN:
		v = roman_to_decimal(s, n, f->tcase == SFN_FMT_UPPER);
		break;
	case SFN_FMT_WORDS: {
		char *lower = sfn_xstrndup(s, n);
		for (char *p = lower; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		v = words_to_number(lower, n);
		free(lower);
		break;
	}
	case SFN_FMT_DECIMAL:
		sfn_fmt_cps_from_utf8(&c, s, n);
		if (f->ordinal)
			c.n = c.n >= 2 ? c.n - 2 : 0;
		for (size_t i = 0; i < c.n; i++) {
			uint32_t ch = c.v[i];
			bool sep = false;
			if (f->regular > 0)
				sep = ch == ','; /* the reference strips ',' */
			else
				for (size_t k = 0; k < f->n_seps; k++)
					sep |= ch == f->seps[k].ch;
			if (sep)
				continue;
			if (f->zero != 0x30) {
				if (ch < f->zero - 0x30)
					goto out; /* no such code point: NaN */
				ch = ch - f->zero + 0x30;
			}
			sfn_fmt_put_cp(&digits, ch);
		}
		v = sfn_fmt_parse_int(digits.buf, digits.len);
		break;
	case SFN_FMT_SEQUENCE:
		break;
	}
out:
	sfn_fmt_cps_release(&c);
	sfn_strbuf_release(&digits);
	return v;
}

int sfn_fmt_parse_integer(const char *s, const char *picture, double *result,
			  bool *undefined, struct sfn_fmt_err *err)
{
	struct sfn_fmt_int_picture f;
	struct sfn_fmt_cps pic = { 0 };
	int ret;

	*undefined = false;
	sfn_fmt_cps_from_utf8(&pic, picture, strlen(picture));
	ret = sfn_fmt_int_picture_parse(&f, pic.v, pic.n, err);
	sfn_fmt_cps_release(&pic);
	if (ret < 0)
		return -1;
	if (f.primary == SFN_FMT_SEQUENCE) {
		ret = fail_token(&f, err);
	} else {
		*result = sfn_fmt_int_parse(&f, s, strlen(s));
		if (isnan(*result))
			*undefined = true;
	}
	sfn_fmt_int_picture_release(&f);
	return ret;
}

int sfn_fmt_int_regex(const struct sfn_fmt_int_picture *f,
		      struct sfn_strbuf *re, struct sfn_fmt_err *err)
{
	bool upper = f->tcase == SFN_FMT_UPPER;

	switch (f->primary) {
	case SFN_FMT_LETTERS:
		sfn_strbuf_adds(re, upper ? "[A-Z]+" : "[a-z]+");
		break;
	case SFN_FMT_ROMAN:
		sfn_strbuf_adds(re, upper ? "[MDCLXVI]+" : "[mdclxvi]+");
		break;
	case SFN_FMT_WORDS: {
		sfn_strbuf_adds(re, "(?:");
		for (size_t i = 0;
		     i < sizeof(words_table) / sizeof(words_table[0]); i++) {
			sfn_strbuf_adds(re, words_table[i].text);
			sfn_strbuf_addch(re, '|');
		}
		sfn_strbuf_adds(re, "and|[\\-, ])+");
		break;
	}
	case SFN_FMT_DECIMAL:
		sfn_strbuf_adds(re, "[0-9]");
		if (f->parse_width > 0)
			sfn_strbuf_addf(re, "{%d}", f->parse_width);
		else
			sfn_strbuf_addch(re, '+');
		if (f->ordinal)
			sfn_strbuf_adds(re, "(?:th|st|nd|rd)");
		break;
	case SFN_FMT_SEQUENCE:
		return fail_token(f, err);
	}
	return 0;
}
