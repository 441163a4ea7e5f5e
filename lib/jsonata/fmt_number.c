/*
 * fmt_number: $formatNumber (XPath F&O 3.1 fn:format-number, sections 4.7.3
 * "analysing the picture string" and 4.7.5 "formatting the number") and
 * $formatBase, as the reference implementation reads them.
 *
 * A picture is one or two sub-pictures split at the pattern separator. A
 * sub-picture is prefix, active part, suffix: the active part runs from the
 * first to the last active character (a digit of the family, the decimal,
 * grouping, digit or pattern separator; the exponent separator is active
 * only inside). The active part is mantissa [exponent-separator exponent],
 * the mantissa integer [decimal-separator fraction].
 *
 * Everything works on code points; the reference counts UTF-16 units, which
 * only differs for characters outside the BMP.
 */
#include "jsonata/jsonata_fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

/* A (pointer, length) view into a code point string. */
struct view {
	const uint32_t *v;
	size_t n;
};

static struct view sub(struct view s, size_t from, size_t to)
{
	/* JavaScript's substring(from, to), both clamped to the string. */
	if (from > s.n)
		from = s.n;
	if (to > s.n)
		to = s.n;
	if (to < from)
		to = from;
	return (struct view){ s.v ? s.v + from : NULL, to - from };
}

static bool same_at(struct view s, size_t i, struct view needle)
{
	for (size_t k = 0; k < needle.n; k++)
		if (s.v[i + k] != needle.v[k])
			return false;
	return true;
}

/* String.prototype.indexOf(needle, from): -1 when absent. */
static long index_of(struct view s, struct view needle, size_t from)
{
	if (from > s.n)
		from = s.n;
	for (size_t i = from; i + needle.n <= s.n; i++)
		if (same_at(s, i, needle))
			return (long)i;
	return -1;
}

static long last_index_of(struct view s, struct view needle)
{
	if (needle.n > s.n)
		return -1;
	for (size_t i = s.n - needle.n + 1; i-- > 0;)
		if (same_at(s, i, needle))
			return (long)i;
	return -1;
}

/* s.charAt(i) === prop: an index out of range reads as "". */
static bool char_is(struct view s, long i, struct view prop)
{
	if (i < 0 || (size_t)i >= s.n)
		return prop.n == 0;
	return prop.n == 1 && prop.v[0] == s.v[i];
}

struct props {
	struct sfn_fmt_cps own; /* all eleven, one after the other */
	struct view dec, grp, exp, inf, minus, nan, pct, pml, zero, digit, sep;
	bool has_zero;	/* a zero digit: the family is zero .. zero + 9 */
	uint32_t zero0; /* its code point */
};

static bool is_family(const struct props *p, uint32_t c)
{
	return p->has_zero && c >= p->zero0 && c <= p->zero0 + 9;
}

static bool is_char(uint32_t c, struct view prop)
{
	return prop.n == 1 && prop.v[0] == c;
}

static bool is_active(const struct props *p, uint32_t c)
{
	return is_family(p, c) || is_char(c, p->dec) || is_char(c, p->exp) ||
	       is_char(c, p->grp) || is_char(c, p->digit) || is_char(c, p->sep);
}

static size_t count_family(const struct props *p, struct view s, bool digit)
{
	size_t k = 0;

	for (size_t i = 0; i < s.n; i++)
		if (is_family(p, s.v[i]) ||
		    (digit && is_char(s.v[i], p->digit)))
			k++;
	return k;
}

static void props_init(struct props *p, const struct sfn_fmt_decimal_format *df)
{
	const char *src[11] = {
		df->decimal_separator,
		df->grouping_separator,
		df->exponent_separator,
		df->infinity,
		df->minus_sign,
		df->nan,
		df->percent,
		df->per_mille,
		df->zero_digit,
		df->digit,
		df->pattern_separator,
	};
	struct view *dst[11] = { &p->dec,   &p->grp,   &p->exp, &p->inf,
				 &p->minus, &p->nan,   &p->pct, &p->pml,
				 &p->zero,  &p->digit, &p->sep };

	size_t at[12];

	memset(&p->own, 0, sizeof(p->own));
	for (int i = 0; i < 11; i++) {
		const char *s = src[i] ? src[i] : "";
		at[i] = p->own.n;
		sfn_fmt_cps_from_utf8(&p->own, s, strlen(s));
	}
	at[11] = p->own.n;
	for (int i = 0; i < 11; i++)
		*dst[i] = (struct view){ p->own.v ? p->own.v + at[i] : NULL,
					 at[i + 1] - at[i] };
	p->has_zero = p->zero.n > 0;
	p->zero0 = p->has_zero ? p->zero.v[0] : 0;
}

static void props_release(struct props *p)
{
	sfn_fmt_cps_release(&p->own);
}

/* One analysed sub-picture (F&O 4.7.4's variables). */
struct subpic {
	struct view pic, prefix, suffix, active, mantissa, exponent, integer,
		fraction;
	bool has_exponent;
	long *int_groups; /* grouping positions in the integer part; owned */
	size_t n_int_groups;
	long *frac_groups; /* and in the fractional part; owned */
	size_t n_frac_groups;
	long regular; /* > 0: the integer part groups regularly by this */
	long min_int, scaling, min_frac, max_frac, min_exp;
	bool add_minus; /* the negative copy made of a lone sub-picture */
};

static void split_parts(const struct props *p, struct subpic *sp)
{
	struct view s = sp->pic;
	size_t first = s.n, last = s.n;
	long epos;

	for (size_t i = 0; i < s.n; i++)
		if (is_active(p, s.v[i]) && !is_char(s.v[i], p->exp)) {
			first = i;
			break;
		}
	for (size_t i = s.n; i-- > 0;)
		if (is_active(p, s.v[i]) && !is_char(s.v[i], p->exp)) {
			last = i;
			break;
		}
	/* No active character at all: everything is the active part. */
	sp->prefix = sub(s, 0, first == s.n ? 0 : first);
	sp->suffix = last == s.n ? sub(s, s.n, s.n) : sub(s, last + 1, s.n);
	sp->active = sub(s, sp->prefix.n, s.n - sp->suffix.n);
	epos = index_of(s, p->exp, sp->prefix.n);
	if (epos == -1 || (size_t)epos > s.n - sp->suffix.n) {
		sp->mantissa = sp->active;
		sp->has_exponent = false;
	} else {
		/*
		 * As the reference: the position found in the sub-picture cuts
		 * the active part (they differ by the prefix's length).
		 */
		sp->mantissa = sub(sp->active, 0, (size_t)epos);
		sp->exponent = sub(sp->active, (size_t)epos + 1, sp->active.n);
		sp->has_exponent = true;
	}
	long dpos = index_of(sp->mantissa, p->dec, 0);
	if (dpos == -1) {
		sp->integer = sp->mantissa;
		sp->fraction = sp->suffix;
	} else {
		sp->integer = sub(sp->mantissa, 0, (size_t)dpos);
		sp->fraction =
			sub(sp->mantissa, (size_t)dpos + 1, sp->mantissa.n);
	}
}

/* F&O 4.7.3: every check runs; the last one failing names the error. */
static const char *validate(const struct props *p, const struct subpic *sp)
{
	const char *code = NULL;
	struct view s = sp->pic;
	long dpos = index_of(s, p->dec, 0);
	bool found = false;

	if (dpos != last_index_of(s, p->dec))
		code = "D3081";
	if (index_of(s, p->pct, 0) != last_index_of(s, p->pct))
		code = "D3082";
	if (index_of(s, p->pml, 0) != last_index_of(s, p->pml))
		code = "D3083";
	if (index_of(s, p->pct, 0) != -1 && index_of(s, p->pml, 0) != -1)
		code = "D3084";
	for (size_t i = 0; i < sp->mantissa.n && !found; i++)
		found = is_family(p, sp->mantissa.v[i]) ||
			is_char(sp->mantissa.v[i], p->digit);
	if (!found)
		code = "D3085";
	for (size_t i = 0; i < sp->active.n; i++)
		if (!is_active(p, sp->active.v[i]))
			code = "D3086";
	if (dpos != -1) {
		if (char_is(s, dpos - 1, p->grp) ||
		    char_is(s, dpos + 1, p->grp))
			code = "D3087";
	} else if (char_is(sp->integer, (long)sp->integer.n - 1, p->grp)) {
		code = "D3088";
	}
	/* The grouping separator twice in a row. */
	struct sfn_fmt_cps gg = { 0 };
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < p->grp.n; i++)
			sfn_fmt_cps_add(&gg, p->grp.v[i]);
	if (index_of(s, (struct view){ gg.v, gg.n }, 0) != -1)
		code = "D3089";
	sfn_fmt_cps_release(&gg);
	long odp = index_of(sp->integer, p->digit, 0);
	if (odp != -1 &&
	    count_family(p, sub(sp->integer, 0, (size_t)odp), false) > 0)
		code = "D3090";
	odp = last_index_of(sp->fraction, p->digit);
	if (odp != -1 &&
	    count_family(p, sub(sp->fraction, (size_t)odp, sp->fraction.n),
			 false) > 0)
		code = "D3091";
	if (sp->has_exponent && sp->exponent.n > 0 &&
	    (index_of(s, p->pct, 0) != -1 || index_of(s, p->pml, 0) != -1))
		code = "D3092";
	if (sp->has_exponent &&
	    (sp->exponent.n == 0 ||
	     count_family(p, sp->exponent, false) != sp->exponent.n))
		code = "D3093";
	return code;
}

static long gcd(long a, long b)
{
	while (b) {
		long t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/*
 * Positions of the grouping separators of @part, counted in digits to their
 * right (@to_left: to their left). As the reference, the next separator is
 * looked for in the integer part, whichever part is being read.
 */
static long *group_positions(const struct props *p, const struct subpic *sp,
			     struct view part, bool to_left, size_t *n)
{
	long *pos = NULL;
	size_t alloc = 0;
	long g;

	*n = 0;
	if (p->grp.n == 0)
		return NULL;
	g = index_of(part, p->grp, 0);
	while (g != -1) {
		struct view side = to_left ? sub(part, 0, (size_t)g)
					   : sub(part, (size_t)g, part.n);
		if (*n == alloc) {
			alloc = alloc ? 2 * alloc : 4;
			pos = sfn_xrealloc(pos, alloc * sizeof(*pos));
		}
		pos[(*n)++] = (long)count_family(p, side, true);
		g = index_of(sp->integer, p->grp, (size_t)g + 1);
	}
	return pos;
}

static void analyse(const struct props *p, struct subpic *sp)
{
	sp->int_groups =
		group_positions(p, sp, sp->integer, false, &sp->n_int_groups);
	sp->regular = 0;
	if (sp->n_int_groups) {
		long f = sp->int_groups[0];
		for (size_t i = 1; i < sp->n_int_groups; i++)
			f = gcd(f, sp->int_groups[i]);
		sp->regular = f;
		for (size_t k = 1; k <= sp->n_int_groups; k++) {
			bool seen = false;
			for (size_t i = 0; i < sp->n_int_groups; i++)
				seen |= sp->int_groups[i] == (long)k * f;
			if (!seen) {
				sp->regular = 0;
				break;
			}
		}
	}
	sp->frac_groups =
		group_positions(p, sp, sp->fraction, true, &sp->n_frac_groups);
	sp->min_int = (long)count_family(p, sp->integer, false);
	sp->scaling = sp->min_int;
	sp->min_frac = (long)count_family(p, sp->fraction, false);
	sp->max_frac = (long)count_family(p, sp->fraction, true);
	if (sp->min_int == 0 && sp->max_frac == 0) {
		if (sp->has_exponent)
			sp->min_frac = sp->max_frac = 1;
		else
			sp->min_int = 1;
	}
	if (sp->has_exponent && sp->min_int == 0 &&
	    index_of(sp->integer, p->digit, 0) != -1)
		sp->min_int = 1;
	if (sp->min_int == 0 && sp->min_frac == 0)
		sp->min_frac = 1;
	sp->min_exp = sp->has_exponent
			      ? (long)count_family(p, sp->exponent, false)
			      : 0;
}

/* ---- the string being built, as code points ---- */

static void insert(struct sfn_fmt_cps *s, long at, struct view what)
{
	/* [s.slice(0, at), what, s.slice(at)].join(''): slice semantics. */
	if (at < 0)
		at += (long)s->n;
	if (at < 0)
		at = 0;
	if ((size_t)at > s->n)
		at = (long)s->n;
	for (size_t i = 0; i < what.n; i++)
		sfn_fmt_cps_add(s, 0);
	memmove(s->v + at + what.n, s->v + at,
		(s->n - what.n - (size_t)at) * sizeof(*s->v));
	memcpy(s->v + at, what.v, what.n * sizeof(*s->v));
}

/* Math.abs(value).toFixed(dp) with the digits mapped to the family. */
static void make_string(const struct props *p, double value, long dp,
			struct sfn_fmt_cps *out)
{
	char num[SFN_NUMBUF];
	char *buf;
	double a = fabs(value);

	if (!(a < 1e21)) {
		/* toFixed falls back to String() there (and for NaN). */
		sfn_fmt_double(num, a);
		buf = sfn_xstrdup(num);
	} else {
		buf = sfn_xasprintf("%.*f", (int)dp, a);
	}
	for (const char *c = buf; *c; c++) {
		uint32_t cp = (unsigned char)*c;
		if (cp >= '0' && cp <= '9' && p->has_zero)
			cp = p->zero0 + (cp - '0');
		sfn_fmt_cps_add(out, cp);
	}
	free(buf);
}

static void add_view(struct sfn_fmt_cps *s, struct view v)
{
	for (size_t i = 0; i < v.n; i++)
		sfn_fmt_cps_add(s, v.v[i]);
}

static void format(const struct props *p, const struct subpic *pic,
		   double value, struct sfn_strbuf *out)
{
	struct sfn_fmt_cps s = { 0 };
	double adjusted = value, mantissa;
	long exponent = 0;
	bool has_exponent = false;
	long dpos;

	if (index_of(pic->pic, p->pct, 0) != -1)
		adjusted = value * 100;
	else if (index_of(pic->pic, p->pml, 0) != -1)
		adjusted = value * 1000;
	mantissa = adjusted;
	if (pic->min_exp != 0) {
		double maxm = pow(10, (double)pic->scaling);
		double minm = pow(10, (double)pic->scaling - 1);
		has_exponent = true;
		/* F&O: if N is zero, M and E are zero (reference issue #785).
		 */
		if (mantissa != 0 && isfinite(mantissa)) {
			while (fabs(mantissa) < minm) {
				mantissa *= 10;
				exponent -= 1;
			}
			while (fabs(mantissa) > maxm) {
				mantissa /= 10;
				exponent += 1;
			}
		}
	}
	mantissa = sfn_fmt_round(mantissa, (int)pic->max_frac);
	make_string(p, mantissa, pic->max_frac, &s);

	/* The '.' toFixed wrote becomes the decimal separator. */
	size_t dot = s.n;
	for (size_t i = 0; i < s.n; i++)
		if (s.v[i] == '.') {
			dot = i;
			break;
		}
	if (dot == s.n) {
		add_view(&s, p->dec);
	} else {
		memmove(s.v + dot, s.v + dot + 1,
			(s.n - dot - 1) * sizeof(*s.v));
		s.n--;
		insert(&s, (long)dot, p->dec);
	}
	/* Strip the zero digits at both ends; bullets 8 and 9 pad again. */
	if (p->zero.n == 1) {
		size_t lead = 0;
		while (lead < s.n && s.v[lead] == p->zero0)
			lead++;
		memmove(s.v, s.v + lead, (s.n - lead) * sizeof(*s.v));
		s.n -= lead;
		while (s.n && s.v[s.n - 1] == p->zero0)
			s.n--;
	}
	dpos = index_of((struct view){ s.v, s.n }, p->dec, 0);
	long pad_left = pic->min_int - dpos;
	long pad_right = pic->min_frac - ((long)s.n - dpos - 1);
	if (pad_left > 0) {
		/* All the padding in one move: pictures may be long. */
		struct sfn_fmt_cps pad = { 0 };
		for (long i = 0; i < pad_left; i++)
			add_view(&pad, p->zero);
		insert(&s, 0, (struct view){ pad.v, pad.n });
		sfn_fmt_cps_release(&pad);
	}
	for (long i = 0; i < pad_right; i++)
		add_view(&s, p->zero);
	dpos = index_of((struct view){ s.v, s.n }, p->dec, 0);
	/* Bullet 10: grouping separators in the integer part. */
	if (pic->regular > 0) {
		/* A separator before every group of @regular digits left of
		 * the decimal separator but the leftmost: built in one pass. */
		struct sfn_fmt_cps t = { 0 };
		for (long i = 0; i < (long)s.n; i++) {
			if (i > 0 && i < dpos && (dpos - i) % pic->regular == 0)
				add_view(&t, p->grp);
			sfn_fmt_cps_add(&t, s.v[i]);
		}
		sfn_fmt_cps_release(&s);
		s = t;
	} else {
		for (size_t i = 0; i < pic->n_int_groups; i++) {
			insert(&s, dpos - pic->int_groups[i], p->grp);
			dpos++;
		}
	}
	/* Bullet 11: and in the fractional part. */
	dpos = index_of((struct view){ s.v, s.n }, p->dec, 0);
	for (size_t i = 0; i < pic->n_frac_groups; i++)
		insert(&s, pic->frac_groups[i] + dpos + 1, p->grp);
	/* Bullet 12: no decimal separator without a fraction after it. */
	dpos = index_of((struct view){ s.v, s.n }, p->dec, 0);
	if ((index_of(pic->pic, p->dec, 0) == -1 || dpos == (long)s.n - 1) &&
	    s.n > 0)
		s.n--;
	/* Bullet 13: the exponent. */
	if (has_exponent) {
		struct sfn_fmt_cps e = { 0 };
		make_string(p, (double)exponent, 0, &e);
		add_view(&s, p->exp);
		if (exponent < 0)
			add_view(&s, p->minus);
		for (long i = pic->min_exp - (long)e.n; i > 0; i--)
			add_view(&s, p->zero);
		add_view(&s, (struct view){ e.v, e.n });
		sfn_fmt_cps_release(&e);
	}
	if (pic->add_minus)
		sfn_fmt_put_cps(out, p->minus.v, p->minus.n);
	sfn_fmt_put_cps(out, pic->prefix.v, pic->prefix.n);
	sfn_fmt_put_cps(out, s.v, s.n);
	sfn_fmt_put_cps(out, pic->suffix.v, pic->suffix.n);
	sfn_fmt_cps_release(&s);
}

void sfn_fmt_decimal_format_init(struct sfn_fmt_decimal_format *df)
{
	*df = (struct sfn_fmt_decimal_format){
		.decimal_separator = ".",
		.grouping_separator = ",",
		.exponent_separator = "e",
		.infinity = "Infinity",
		.minus_sign = "-",
		.nan = "NaN",
		.percent = "%",
		.per_mille = "\xE2\x80\xB0",
		.zero_digit = "0",
		.digit = "#",
		.pattern_separator = ";",
	};
}

int sfn_fmt_decimal_format_set(struct sfn_fmt_decimal_format *df,
			       const char *key, const char *value)
{
	static const struct {
		const char *key;
		size_t offset;
	} keys[] = {
#define K(name, field) { name, offsetof(struct sfn_fmt_decimal_format, field) }
		K("decimal-separator", decimal_separator),
		K("grouping-separator", grouping_separator),
		K("exponent-separator", exponent_separator),
		K("infinity", infinity),
		K("minus-sign", minus_sign),
		K("NaN", nan),
		K("percent", percent),
		K("per-mille", per_mille),
		K("zero-digit", zero_digit),
		K("digit", digit),
		K("pattern-separator", pattern_separator),
#undef K
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].key, key)) {
			memcpy((char *)df + keys[i].offset, &value,
			       sizeof(value));
			return 0;
		}
	return -1;
}

int sfn_fmt_number(double v, const char *picture,
		   const struct sfn_fmt_decimal_format *df,
		   struct sfn_strbuf *out, struct sfn_fmt_err *err)
{
	struct sfn_fmt_decimal_format defaults;
	struct props p;
	struct sfn_fmt_cps pic = { 0 };
	struct subpic sp[2];
	size_t n_sp = 0;
	const char *code = NULL;
	int ret = -1;

	if (!df) {
		sfn_fmt_decimal_format_init(&defaults);
		df = &defaults;
	}
	props_init(&p, df);
	memset(sp, 0, sizeof(sp));
	sfn_fmt_cps_from_utf8(&pic, picture, strlen(picture));

	/* picture.split(pattern-separator): more than two parts is D3080. */
	struct view all = { pic.v, pic.n };
	size_t start = 0, parts = 0;
	for (;;) {
		long at = p.sep.n ? index_of(all, p.sep, start) : -1;
		if (!p.sep.n && start + 1 < all.n)
			at = (long)start + 1; /* split('') splits every char */
		size_t end = at == -1 ? all.n : (size_t)at;
		if (parts < 2)
			sp[parts].pic = sub(all, start, end);
		parts++;
		if (at == -1)
			break;
		start = (size_t)at + p.sep.n;
	}
	if (parts > 2) {
		code = "D3080";
		goto out;
	}
	n_sp = parts;
	for (size_t i = 0; i < n_sp; i++)
		split_parts(&p, &sp[i]);
	for (size_t i = 0; i < n_sp && !code; i++)
		code = validate(&p, &sp[i]);
	if (code)
		goto out;
	for (size_t i = 0; i < n_sp; i++)
		analyse(&p, &sp[i]);

	const struct subpic *use;
	struct subpic neg;
	if (v >= 0) {
		use = &sp[0];
	} else if (n_sp == 2) {
		use = &sp[1];
	} else {
		neg = sp[0];
		neg.add_minus = true;
		use = &neg;
	}
	if (isnan(v)) {
		sfn_fmt_put_cps(out, p.nan.v, p.nan.n);
	} else if (isinf(v)) {
		if (use->add_minus)
			sfn_fmt_put_cps(out, p.minus.v, p.minus.n);
		sfn_fmt_put_cps(out, use->prefix.v, use->prefix.n);
		sfn_fmt_put_cps(out, p.inf.v, p.inf.n);
		sfn_fmt_put_cps(out, use->suffix.v, use->suffix.n);
	} else {
		format(&p, use, v, out);
	}
	ret = 0;
out:
	if (code)
		sfn_fmt_fail(err, code, NULL);
	for (size_t i = 0; i < 2; i++) {
		free(sp[i].int_groups);
		free(sp[i].frac_groups);
	}
	sfn_fmt_cps_release(&pic);
	props_release(&p);
	return ret;
}

/* ---- $formatBase ---- */

int sfn_fmt_base(double v, double radix, struct sfn_strbuf *out,
		 struct sfn_fmt_err *err)
{
	char num[SFN_NUMBUF];
	char digits[1100];
	size_t n = 0;
	int r;

	v = sfn_fmt_round(v, 0);
	radix = sfn_fmt_round(radix, 0);
	if (!(radix >= 2 && radix <= 36)) {
		sfn_fmt_double(num, radix);
		return sfn_fmt_fail(err, "D3100", num);
	}
	r = (int)radix;
	if (r == 10 || !isfinite(v)) {
		sfn_fmt_double(num, v);
		sfn_strbuf_adds(out, num);
		return 0;
	}
	/*
	 * Number.prototype.toString(radix) of an integer, as V8 writes it:
	 * digits below the double's precision are written as zeros.
	 */
	double a = fabs(v);
	while (a / r >= 9007199254740992.0 && n < sizeof(digits)) {
		a /= r;
		digits[n++] = '0';
	}
	do {
		double d = fmod(a, r);
		digits[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[(int)d];
		a = (a - d) / r;
	} while (a > 0 && n < sizeof(digits));
	if (v < 0)
		sfn_strbuf_addch(out, '-');
	while (n)
		sfn_strbuf_addch(out, digits[--n]);
	return 0;
}
