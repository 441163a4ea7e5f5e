/*
 * fmt_datetime: $fromMillis and $toMillis, on the date/time pictures of
 * XPath F&O 3.1 fn:format-dateTime (section 9.8.4) as the reference reads
 * them, and ISO 8601 without a picture. Calendar arithmetic is our own
 * (days from civil and back, proleptic Gregorian, UTC plus a fixed offset):
 * no gmtime, no time zone database.
 *
 * picture := (literal | '[[' | ']]' | marker)*
 * marker  := '[' component [presentation1 [presentation2]] [',' width] ']'
 * width   := min ['-' max]            (each a number or '*')
 * White space inside a marker is ignored; presentation2 is one of "atco"
 * when the modifier is longer than one character.
 */
#include "jsonata/jsonata_fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "base/banned.h"

#define MS_PER_DAY 86400000.0

static const char *const day_names[] = {
	"",	    "Monday", "Tuesday",  "Wednesday",
	"Thursday", "Friday", "Saturday", "Sunday",
};
static const char *const month_names[] = {
	"January", "February", "March",	    "April",   "May",	   "June",
	"July",	   "August",   "September", "October", "November", "December",
};

/* ---- calendar arithmetic ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* JavaScript's MakeDay(year, month (0-based, any), date): NaN if unfit. */
static double make_day(double y, double m, double d)
{
	if (!isfinite(y) || !isfinite(m) || !isfinite(d))
		return NAN;
	y = trunc(y);
	m = trunc(m);
	d = trunc(d);
	double ym = y + floor(m / 12);
	double mn = m - floor(m / 12) * 12;
	if (fabs(ym) > 400000)
		return NAN;
	return (double)days_from_civil((int64_t)ym, (int64_t)mn + 1, 1) + d - 1;
}

/* JavaScript's TimeClip. */
static double time_clip(double t)
{
	if (!isfinite(t) || fabs(t) > 8.64e15)
		return NAN;
	return trunc(t) + 0.0;
}

/* Date.UTC(y, m, d, h, mi, s, ms): years 0..99 mean 1900..1999. */
static double date_utc(double y, double m, double d, double h, double mi,
		       double s, double ms)
{
	if (isfinite(y) && trunc(y) >= 0 && trunc(y) <= 99)
		y = 1900 + trunc(y);
	double day = make_day(y, m, d);
	if (!isfinite(h) || !isfinite(mi) || !isfinite(s) || !isfinite(ms))
		return NAN;
	double time = trunc(h) * 3600000.0 + trunc(mi) * 60000.0 +
		      trunc(s) * 1000.0 + trunc(ms);
	return time_clip(day * MS_PER_DAY + time);
}

/* getUTCDay of a day number: 0 Sunday .. 6 Saturday (1970-01-01 Thursday). */
static int week_day(double days)
{
	int r = (int)fmod(days + 4, 7);
	return r < 0 ? r + 7 : r;
}

/* The fields of a time value (NaN: an invalid date, all fields NaN). */
struct civil {
	double t;    /* ms since the epoch */
	double days; /* floor(t / day) */
	double y, m, d, ms_of_day;
};

static struct civil civil_of(double t)
{
	struct civil c = { .t = t };
	int64_t y;
	int m, d;

	if (isnan(t)) {
		c.days = c.y = c.m = c.d = c.ms_of_day = NAN;
		return c;
	}
	c.days = floor(t / MS_PER_DAY);
	c.ms_of_day = t - c.days * MS_PER_DAY;
	civil_from_days((int64_t)c.days, &y, &m, &d);
	c.y = (double)y;
	c.m = m;
	c.d = d;
	return c;
}

/*
 * The first day of week 1 of a month (@m 0-based; year and month roll over):
 * ISO 8601's week containing the first Thursday, which F&O extends to months.
 */
static double start_of_first_week(double y, double m)
{
	double jan1 = date_utc(y, m, 1, 0, 0, 0, 0) / MS_PER_DAY;
	int dow = week_day(jan1);

	if (dow == 0)
		dow = 7;
	return dow > 4 ? jan1 + (8 - dow) : jan1 - (dow - 1);
}

/* The reference's getDateTimeFragment for a numeric component. */
static double fragment(const struct civil *c, uint32_t comp)
{
	double today, start, week;

	if (isnan(c->t))
		return NAN;
	switch (comp) {
	case 'Y':
		return c->y;
	case 'M':
		return c->m;
	case 'D':
		return c->d;
	case 'd':
		return date_utc(c->y, c->m - 1, c->d, 0, 0, 0, 0) / MS_PER_DAY -
		       date_utc(c->y, 0, 1, 0, 0, 0, 0) / MS_PER_DAY + 1;
	case 'F': {
		int dow = week_day(c->days);
		return dow == 0 ? 7 : dow;
	}
	case 'W':
		start = start_of_first_week(c->y, 0);
		today = date_utc(c->y, c->m - 1, c->d, 0, 0, 0, 0) / MS_PER_DAY;
		week = (today - start) / 7 + 1;
		if (week > 52) {
			if (today >= start_of_first_week(c->y + 1, 0))
				week = 1;
		} else if (week < 1) {
			week = (today - start_of_first_week(c->y - 1, 0)) / 7 +
			       1;
		}
		return floor(week);
	case 'w':
		start = start_of_first_week(c->y, c->m - 1);
		today = date_utc(c->y, c->m - 1, c->d, 0, 0, 0, 0) / MS_PER_DAY;
		week = (today - start) / 7 + 1;
		if (week > 4) {
			if (today >= start_of_first_week(c->y, c->m))
				week = 1;
		} else if (week < 1) {
			week = (today - start_of_first_week(c->y, c->m - 2)) /
				       7 +
			       1;
		}
		return floor(week);
	case 'X':
		if (c->t < start_of_first_week(c->y, 0) * MS_PER_DAY)
			return c->y - 1;
		if (c->t >= start_of_first_week(c->y + 1, 0) * MS_PER_DAY)
			return c->y + 1;
		return c->y;
	case 'x':
		if (c->t < start_of_first_week(c->y, c->m - 1) * MS_PER_DAY)
			return c->m == 1 ? 12 : c->m - 1;
		if (c->t >= start_of_first_week(c->y, c->m) * MS_PER_DAY)
			return c->m == 12 ? 1 : c->m + 1;
		return c->m;
	case 'H':
		return floor(c->ms_of_day / 3600000);
	case 'h': {
		double h = fmod(floor(c->ms_of_day / 3600000), 12);
		return h == 0 ? 12 : h;
	}
	case 'P': /* 1 for pm */
		return c->ms_of_day >= 12 * 3600000.0 ? 1 : 0;
	case 'm':
		return fmod(floor(c->ms_of_day / 60000), 60);
	case 's':
		return fmod(floor(c->ms_of_day / 1000), 60);
	case 'f':
		return fmod(c->ms_of_day, 1000);
	}
	return NAN;
}

/* ---- picture analysis ---- */

enum { NAMES_NONE = -1 };

struct part {
	bool literal;
	struct sfn_fmt_cps text; /* a literal's text */
	uint32_t comp;		 /* component letter; 0 for "[]" */
	bool has_min, has_max;
	int min, max;	       /* width */
	struct sfn_fmt_cps p1; /* first presentation modifier */
	uint32_t p2;	       /* second: 'a' 't' 'c' 'o', or 0 */
	int names;	       /* an enum sfn_fmt_case, or NAMES_NONE */
	bool has_fmt;
	struct sfn_fmt_int_picture fmt;
	int n; /* the year's digits kept, -1: all */
};

struct picture {
	struct part *v;
	size_t n, alloc;
};

static void picture_release(struct picture *p)
{
	for (size_t i = 0; i < p->n; i++) {
		sfn_fmt_cps_release(&p->v[i].text);
		sfn_fmt_cps_release(&p->v[i].p1);
		if (p->v[i].has_fmt)
			sfn_fmt_int_picture_release(&p->v[i].fmt);
	}
	free(p->v);
	p->v = NULL;
	p->n = p->alloc = 0;
}

static struct part *new_part(struct picture *p)
{
	if (p->n == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 8;
		p->v = sfn_xrealloc(p->v, p->alloc * sizeof(*p->v));
	}
	memset(&p->v[p->n], 0, sizeof(p->v[0]));
	p->v[p->n].names = NAMES_NONE;
	p->v[p->n].n = -1;
	return &p->v[p->n++];
}

/* A literal from @s[@from, @to), with "]]" read as "]". */
static void add_literal(struct picture *p, const uint32_t *s, size_t from,
			size_t to)
{
	struct part *lit;

	if (to <= from)
		return;
	lit = new_part(p);
	lit->literal = true;
	for (size_t i = from; i < to; i++) {
		sfn_fmt_cps_add(&lit->text, s[i]);
		if (s[i] == ']' && i + 1 < to && s[i + 1] == ']')
			i++;
	}
}

/* JavaScript's \s. */
static bool js_space(uint32_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
	       c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 ||
	       c == 0xFEFF;
}

static bool in(uint32_t c, const char *set)
{
	return c && c < 0x80 && strchr(set, (int)c);
}

static const char *default_presentation(uint32_t comp)
{
	switch (comp) {
	case 'Y':
	case 'M':
	case 'D':
	case 'd':
	case 'W':
	case 'w':
	case 'X':
	case 'x':
	case 'H':
	case 'h':
	case 'f':
		return "1";
	case 'F':
	case 'P':
	case 'C':
	case 'E':
		return "n";
	case 'm':
	case 's':
		return "01";
	case 'Z':
	case 'z':
		return "01:01";
	}
	return NULL;
}

/* JSON text of one code point as a string, for an error's value. */
static char *json_char(uint32_t c)
{
	struct sfn_strbuf t = SFN_STRBUF_INIT, j = SFN_STRBUF_INIT;

	if (c)
		sfn_fmt_put_cp(&t, c);
	sfn_json_quote(&j, t.buf, t.len, 0);
	sfn_strbuf_release(&t);
	return sfn_strbuf_detach(&j, NULL);
}

static int fail_comp(struct sfn_fmt_err *err, const char *code, uint32_t c)
{
	char *v = json_char(c);

	sfn_fmt_fail(err, code, v);
	free(v);
	return -1;
}

/* A width: a number (as parseInt reads it) or '*'; false if none. */
static bool parse_width(const uint32_t *s, size_t n, int *out)
{
	char buf[32];
	size_t k = 0;

	if (n == 1 && s[0] == '*')
		return false;
	for (size_t i = 0; i < n && k + 1 < sizeof(buf); i++)
		buf[k++] = s[i] < 0x80 ? (char)s[i] : '?';
	buf[k] = '\0';
	double v = sfn_fmt_parse_int(buf, k);
	if (isnan(v))
		return false; /* TODO: the reference keeps NaN; no case uses it.
			       */
	*out = v > 1000 ? 1000 : v < -1000 ? -1000 : (int)v;
	return true;
}

static int analyse_marker(struct picture *p, const uint32_t *s, size_t n,
			  struct sfn_fmt_err *err)
{
	struct sfn_fmt_cps m = { 0 };
	struct part *def;
	size_t comma = SIZE_MAX, pres_end;
	int ret = -1;

	for (size_t i = 0; i < n; i++)
		if (!js_space(s[i]))
			sfn_fmt_cps_add(&m, s[i]);
	def = new_part(p);
	def->comp = m.n ? m.v[0] : 0;
	for (size_t i = m.n; i-- > 0;)
		if (m.v[i] == ',') {
			comma = i;
			break;
		}
	pres_end = m.n;
	if (comma != SIZE_MAX) {
		size_t w = comma + 1, dash = SIZE_MAX;
		for (size_t i = w; i < m.n; i++)
			if (m.v[i] == '-') {
				dash = i;
				break;
			}
		if (dash == SIZE_MAX) {
			def->has_min = parse_width(m.v + w, m.n - w, &def->min);
		} else {
			def->has_min =
				parse_width(m.v + w, dash - w, &def->min);
			def->has_max = parse_width(m.v + dash + 1,
						   m.n - dash - 1, &def->max);
		}
		pres_end = comma;
	}
	size_t pres = pres_end > 1 ? pres_end - 1 : 0; /* its length */
	if (pres == 1) {
		sfn_fmt_cps_add(&def->p1, m.v[1]);
	} else if (pres > 1) {
		uint32_t last = m.v[pres_end - 1];
		size_t k = in(last, "atco") ? pres - 1 : pres;
		if (k < pres)
			def->p2 = last;
		for (size_t i = 0; i < k; i++)
			sfn_fmt_cps_add(&def->p1, m.v[1 + i]);
	} else {
		const char *d = default_presentation(def->comp);
		if (!d) {
			fail_comp(err, "D3132", def->comp);
			goto out;
		}
		for (; *d; d++)
			sfn_fmt_cps_add(&def->p1, (unsigned char)*d);
	}
	if (def->p1.n && def->p1.v[0] == 'n') {
		def->names = SFN_FMT_LOWER;
	} else if (def->p1.n && def->p1.v[0] == 'N') {
		def->names = def->p1.n > 1 && def->p1.v[1] == 'n'
				     ? SFN_FMT_TITLE
				     : SFN_FMT_UPPER;
	} else if (in(def->comp, "YMDdFWwXxHhmsf")) {
		struct sfn_fmt_cps pat = { 0 };
		for (size_t i = 0; i < def->p1.n; i++)
			sfn_fmt_cps_add(&pat, def->p1.v[i]);
		if (def->p2) {
			sfn_fmt_cps_add(&pat, ';');
			sfn_fmt_cps_add(&pat, def->p2);
		}
		int r = sfn_fmt_int_picture_parse(&def->fmt, pat.v, pat.n, err);
		sfn_fmt_cps_release(&pat);
		if (r < 0)
			goto out;
		def->has_fmt = true;
		if (def->has_min && def->fmt.mandatory >= 0 &&
		    def->fmt.mandatory < def->min)
			def->fmt.mandatory = def->min;
		if (def->comp == 'Y') {
			/* F&O 9.8.4.4: the year's width keeps its last digits.
			 */
			if (def->has_max) {
				def->n = def->max;
				def->fmt.mandatory = def->n;
			} else if (def->fmt.mandatory >= 0 &&
				   def->fmt.mandatory + def->fmt.optional >=
					   2) {
				def->n = def->fmt.mandatory + def->fmt.optional;
			}
		}
		/*
		 * An integer right after another, with nothing between: the
		 * first must be read with its exact width.
		 */
		if (p->n >= 2 && p->v[p->n - 2].has_fmt)
			p->v[p->n - 2].fmt.parse_width =
				p->v[p->n - 2].fmt.mandatory;
	}
	if (def->comp == 'Z' || def->comp == 'z') {
		if (def->has_fmt)
			sfn_fmt_int_picture_release(&def->fmt);
		def->has_fmt = false;
		if (sfn_fmt_int_picture_parse(&def->fmt, def->p1.v, def->p1.n,
					      err) < 0)
			goto out;
		def->has_fmt = true;
	}
	ret = 0;
out:
	sfn_fmt_cps_release(&m);
	return ret;
}

static int analyse(struct picture *p, const char *picture,
		   struct sfn_fmt_err *err)
{
	struct sfn_fmt_cps s = { 0 };
	size_t start = 0, pos = 0;
	int ret = -1;

	memset(p, 0, sizeof(*p));
	sfn_fmt_cps_from_utf8(&s, picture, strlen(picture));
	while (pos < s.n) {
		if (s.v[pos] != '[') {
			pos++;
			continue;
		}
		if (pos + 1 < s.n && s.v[pos + 1] == '[') {
			static const uint32_t bracket = '[';
			add_literal(p, s.v, start, pos);
			add_literal(p, &bracket, 0, 1);
			pos += 2;
			start = pos;
			continue;
		}
		add_literal(p, s.v, start, pos);
		start = pos;
		size_t close = pos;
		while (close < s.n && s.v[close] != ']')
			close++;
		if (close == s.n) {
			sfn_fmt_fail(err, "D3135", NULL);
			goto out;
		}
		if (analyse_marker(p, s.v + start + 1, close - start - 1, err) <
		    0)
			goto out;
		pos = close + 1;
		start = pos;
	}
	add_literal(p, s.v, start, pos);
	ret = 0;
out:
	sfn_fmt_cps_release(&s);
	if (ret < 0)
		picture_release(p);
	return ret;
}

/* ---- formatting ---- */

static void put_name(struct sfn_strbuf *out, const char *name,
		     const struct part *def)
{
	size_t mark = out->len;

	sfn_strbuf_adds(out, name);
	for (size_t i = mark; i < out->len; i++) {
		char c = out->buf[i];
		if (def->names == SFN_FMT_UPPER && c >= 'a' && c <= 'z')
			out->buf[i] = (char)(c - 'a' + 'A');
		else if (def->names == SFN_FMT_LOWER && c >= 'A' && c <= 'Z')
			out->buf[i] = (char)(c - 'A' + 'a');
	}
	if (def->has_max && def->max >= 0 && out->len - mark > (size_t)def->max)
		out->len = mark + (size_t)def->max;
	out->buf[out->len] = '\0';
}

static int format_zone(const struct part *def, double oh, double om,
		       struct sfn_strbuf *out, struct sfn_fmt_err *err)
{
	double offset = oh * 100 + om;
	struct sfn_strbuf v = SFN_STRBUF_INIT;
	int ret = -1;

	if (def->fmt.regular > 0) {
		if (sfn_fmt_int_format(&def->fmt, offset, &v, err) < 0)
			goto out;
	} else {
		int digits = def->fmt.mandatory;
		if (digits == 1 || digits == 2) {
			if (sfn_fmt_int_format(&def->fmt, oh, &v, err) < 0)
				goto out;
			if (om != 0) {
				static const uint32_t two[] = { '0', '0' };
				struct sfn_fmt_int_picture f;
				sfn_strbuf_addch(&v, ':');
				sfn_fmt_int_picture_parse(&f, two, 2, NULL);
				sfn_fmt_int_format(&f, floor(om), &v, NULL);
				sfn_fmt_int_picture_release(&f);
			}
		} else if (digits == 3 || digits == 4) {
			if (sfn_fmt_int_format(&def->fmt, offset, &v, err) < 0)
				goto out;
		} else {
			char num[SFN_NUMBUF];
			if (digits >= 0)
				sfn_fmt_double(num, digits);
			sfn_fmt_fail(err, "D3134", digits >= 0 ? num : NULL);
			goto out;
		}
	}
	if (offset == 0 && def->p2 == 't') {
		sfn_strbuf_addch(out, 'Z');
	} else {
		if (def->comp == 'z')
			sfn_strbuf_adds(out, "GMT");
		if (offset >= 0)
			sfn_strbuf_addch(out, '+');
		sfn_strbuf_add(out, v.buf, v.len);
	}
	ret = 0;
out:
	sfn_strbuf_release(&v);
	return ret;
}

static int format_marker(const struct part *def, const struct civil *c,
			 double oh, double om, struct sfn_strbuf *out,
			 struct sfn_fmt_err *err)
{
	uint32_t comp = def->comp;

	if (in(comp, "YMDdFWwXxHhms")) {
		double v = fragment(c, comp);
		if (comp == 'Y' && def->n != -1)
			v = fmod(v, pow(10, def->n));
		if (def->names == NAMES_NONE)
			return sfn_fmt_int_format(&def->fmt, v, out, err);
		if (comp == 'M' || comp == 'x') {
			put_name(out,
				 v >= 1 && v <= 12 ? month_names[(int)v - 1]
						   : "undefined",
				 def);
		} else if (comp == 'F') {
			put_name(out,
				 v >= 1 && v <= 7 ? day_names[(int)v]
						  : "undefined",
				 def);
		} else {
			return fail_comp(err, "D3133", comp);
		}
		return 0;
	}
	switch (comp) {
	case 'f':
		/* Names of milliseconds: the reference fails with a TypeError.
		 */
		if (!def->has_fmt)
			return fail_comp(err, "D3133", comp);
		return sfn_fmt_int_format(&def->fmt, fragment(c, 'f'), out,
					  err);
	case 'Z':
	case 'z':
		return format_zone(def, oh, om, out, err);
	case 'P': {
		double pm = fragment(c, 'P');
		const char *ap = isnan(pm) ? "undefined" : pm ? "pm" : "am";
		if (def->names == SFN_FMT_UPPER)
			ap = isnan(pm) ? "UNDEFINED" : pm ? "PM" : "AM";
		sfn_strbuf_adds(out, ap);
		return 0;
	}
	case 'C':
	case 'E':
		sfn_strbuf_adds(out, "ISO");
		return 0;
	}
	/* A component with no value: the reference prints "undefined". */
	sfn_strbuf_adds(out, "undefined");
	return 0;
}

int sfn_fmt_from_millis(double ms, const char *picture, const char *tz,
			struct sfn_strbuf *out, struct sfn_fmt_err *err)
{
	struct picture p;
	struct sfn_strbuf text = SFN_STRBUF_INIT;
	double oh = 0, om = 0;
	int ret = -1;

	if (analyse(&p,
		    picture ? picture
			    : "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]."
			      "[f001][Z01:01t]",
		    err) < 0)
		return -1;
	if (tz) {
		/* The reference reads "+hhmm" with parseInt. */
		double offset = sfn_fmt_parse_int(tz, strlen(tz));
		oh = floor(offset / 100);
		om = fmod(offset, 100);
	}
	struct civil c = civil_of(time_clip(ms + (60 * oh + om) * 60 * 1000));
	for (size_t i = 0; i < p.n; i++) {
		if (p.v[i].literal)
			sfn_fmt_put_cps(&text, p.v[i].text.v, p.v[i].text.n);
		else if (format_marker(&p.v[i], &c, oh, om, &text, err) < 0)
			goto out;
	}
	sfn_strbuf_add(out, text.buf, text.len);
	ret = 0;
out:
	sfn_strbuf_release(&text);
	picture_release(&p);
	return ret;
}

/* ---- parsing ---- */

/* Appends @s escaped for a regular expression, as the reference does. */
static void regex_literal(struct sfn_strbuf *re, const uint32_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (in(s[i], ".*+?^${}()|[]\\"))
			sfn_strbuf_addch(re, '\\');
		sfn_fmt_put_cp(re, s[i]);
	}
}

/* How one part reads its captured text. */
enum reader { R_NONE, R_ZONE, R_FRACTION, R_INTEGER, R_NAME };

static int part_regex(const struct part *def, struct sfn_strbuf *re,
		      enum reader *rd, struct sfn_fmt_err *err)
{
	*rd = R_NONE;
	if (def->literal) {
		regex_literal(re, def->text.v, def->text.n);
		return 0;
	}
	if (def->comp == 'Z' || def->comp == 'z') {
		*rd = R_ZONE;
		if (def->comp == 'z')
			sfn_strbuf_adds(re, "GMT");
		sfn_strbuf_adds(re, "[-+][0-9]+");
		if (def->fmt.regular > 0) {
			regex_literal(re, &def->fmt.reg_ch, 1);
			sfn_strbuf_adds(re, "[0-9]+");
		}
		return 0;
	}
	if (def->comp == 'f') {
		*rd = R_FRACTION;
		sfn_strbuf_adds(re, "[0-9]+");
		return 0;
	}
	if (def->has_fmt) {
		*rd = R_INTEGER;
		return sfn_fmt_int_regex(&def->fmt, re, err);
	}
	if (def->comp != 'M' && def->comp != 'x' && def->comp != 'F' &&
	    def->comp != 'P')
		return fail_comp(err, "D3133", def->comp);
	*rd = R_NAME;
	sfn_strbuf_adds(re, "[a-zA-Z]+");
	return 0;
}

/* A name as the reference looks it up: exact case, cut to the width. */
static double read_name(const struct part *def, const char *s, size_t n)
{
	const char *const *names =
		def->comp == 'F' ? day_names + 1 : month_names;
	int count = def->comp == 'F' ? 7 : 12;

	if (def->comp == 'P') {
		if (n == 2 && (!memcmp(s, "am", 2) || !memcmp(s, "AM", 2)))
			return 0;
		if (n == 2 && (!memcmp(s, "pm", 2) || !memcmp(s, "PM", 2)))
			return 1;
		return NAN;
	}
	for (int i = 0; i < count; i++) {
		size_t len = strlen(names[i]);
		if (def->has_max && def->max > 0 && (size_t)def->max < len)
			len = (size_t)def->max;
		if (len == n && !memcmp(names[i], s, n))
			return i + 1;
	}
	return NAN;
}

static double read_zone(const struct part *def, const char *s, size_t n)
{
	double hours = 0, minutes = 0;

	if (def->comp == 'z') {
		s += 3; /* GMT */
		n -= 3;
	}
	if (def->fmt.regular > 0) {
		struct sfn_strbuf sep = SFN_STRBUF_INIT;
		sfn_fmt_put_cp(&sep, def->fmt.reg_ch);
		const char *at = strstr(s, sep.buf);
		size_t k = at && (size_t)(at - s) < n ? (size_t)(at - s) : n;
		hours = sfn_fmt_parse_int(s, k);
		minutes = k + sep.len <= n ? sfn_fmt_parse_int(s + k + sep.len,
							       n - k - sep.len)
					   : NAN;
		sfn_strbuf_release(&sep);
	} else if (n - 1 <= 2) {
		hours = sfn_fmt_parse_int(s, n);
	} else {
		hours = sfn_fmt_parse_int(s, 3);
		minutes = sfn_fmt_parse_int(s + 3, n - 3);
	}
	return hours * 60 + minutes;
}

/* A component read from the input: absent is JavaScript's undefined. */
struct comp {
	bool present;
	double v;
};

static int comp_index(uint32_t c)
{
	static const char order[] = "YXMxWwdDFPHhmsfZz";
	const char *p = c && c < 0x80 ? strchr(order, (int)c) : NULL;
	return p ? (int)(p - order) : -1;
}

/* The slot of a component letter the code names itself. */
static struct comp *comp_of(struct comp *cs, uint32_t c)
{
	int k = comp_index(c);

	if (k < 0)
		SFN_BUG("no date/time component '%c'", (int)c);
	return &cs[k];
}

/* The bits of @set present and truthy, in order, as the reference's mask. */
static unsigned mask_of(struct comp *cs, const char *set)
{
	unsigned mask = 0;

	for (const char *c = set; *c; c++) {
		const struct comp *k = comp_of(cs, (unsigned char)*c);
		mask = (mask << 1) | (k->present && k->v != 0 && !isnan(k->v));
	}
	return mask;
}

static bool is_type(unsigned type, unsigned mask)
{
	return !(~type & mask) && (type & mask);
}

static int to_millis_picture(const char *s, const char *picture, double now,
			     double *ms, bool *undefined,
			     struct sfn_fmt_err *err)
{
	struct picture p;
	struct sfn_strbuf re = SFN_STRBUF_INIT;
	enum reader *readers = NULL;
	pcre2_code *code = NULL;
	pcre2_match_data *md = NULL;
	struct comp cs[17];
	bool any = false;
	int ret = -1, rc, ecode;
	PCRE2_SIZE eoff;

	if (analyse(&p, picture, err) < 0)
		return -1;
	readers = sfn_xcalloc(p.n ? p.n : 1, sizeof(*readers));
	sfn_strbuf_addch(&re, '^');
	for (size_t i = 0; i < p.n; i++) {
		sfn_strbuf_addch(&re, '(');
		if (part_regex(&p.v[i], &re, &readers[i], err) < 0)
			goto out;
		sfn_strbuf_addch(&re, ')');
	}
	sfn_strbuf_addch(&re, '$');
	code = pcre2_compile((PCRE2_SPTR)re.buf, re.len,
			     PCRE2_CASELESS | PCRE2_UTF | PCRE2_DOLLAR_ENDONLY,
			     &ecode, &eoff, NULL);
	if (!code) {
		/* Our own regex from a picture: cannot fail to compile. */
		SFN_BUG("date/time picture regex '%s' does not compile",
			re.buf);
	}
	md = pcre2_match_data_create_from_pattern(code, NULL);
	rc = pcre2_match(code, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
	if (rc < 0) {
		*undefined = true; /* no match: undefined */
		ret = 0;
		goto out;
	}
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	memset(cs, 0, sizeof(cs));
	for (size_t i = 0; i < p.n; i++) {
		const struct part *def = &p.v[i];
		const char *t = s + ov[2 * (i + 1)];
		size_t n = ov[2 * (i + 1) + 1] - ov[2 * (i + 1)];
		double v = NAN;
		bool present = true;

		switch (readers[i]) {
		case R_NONE:
			continue;
		case R_ZONE:
			v = read_zone(def, t, n);
			break;
		case R_FRACTION: {
			/* parseFloat('0.' + the first three digits) * 1000 */
			char buf[8] = "0.";
			memcpy(buf + 2, t, n < 3 ? n : 3);
			buf[2 + (n < 3 ? n : 3)] = '\0';
			v = strtod(buf, NULL) * 1000;
			break;
		}
		case R_INTEGER:
			v = sfn_fmt_int_parse(&def->fmt, t, n);
			break;
		case R_NAME:
			v = read_name(def, t, n);
			present = !isnan(v); /* lookup miss: undefined */
			break;
		}
		any = true;
		int k = comp_index(def->comp);
		if (k >= 0)
			cs[k] = (struct comp){ present, v };
	}
	if (!any) {
		*undefined = true;
		ret = 0;
		goto out;
	}
#define C(ch) (*comp_of(cs, ch))
	/* Which date (YMD, Yd, Yxwf, XWF) and time (Hmsf, Phmsf) are given? */
	unsigned mask = mask_of(cs, "YXMxWwdD");
	bool date_a = is_type(161, mask);
	bool date_b = !date_a && is_type(130, mask);
	bool date_c = is_type(84, mask);
	bool date_d = !date_c && is_type(72, mask);
	mask = mask_of(cs, "PHhmsf");
	bool time_a = is_type(23, mask);
	bool time_b = !time_a && is_type(47, mask);
	char comps[16];
	snprintf(comps, sizeof(comps), "%s%s",
		 date_b	  ? "YD"
		 : date_c ? "XxwF"
		 : date_d ? "XWF"
			  : "YMD",
		 time_b ? "Phmsf" : "Hmsf");
	/*
	 * Left of the most significant given component: from now; right of
	 * the least significant: the minimum; a gap between: D3136.
	 */
	struct civil nc = civil_of(now);
	bool start = false, end = false;
	for (const char *c = comps; *c; c++) {
		struct comp *k = &C((unsigned char)*c);
		if (!k->present) {
			if (start) {
				k->v = strchr("MDd", *c) ? 1 : 0;
				end = true;
			} else {
				/* now's am/pm is a string to the reference:
				 * never pm */
				k->v = *c == 'P' ? 0
						 : fragment(&nc,
							    (unsigned char)*c);
			}
			k->present = true;
		} else {
			start = true;
			if (end) {
				sfn_fmt_fail(err, "D3136", NULL);
				goto out;
			}
		}
	}
	double month = C('M').v > 0 ? C('M').v - 1 : 0;
	double day = C('D').v;
	if (date_b) {
		double first = date_utc(C('Y').v, 0, 1, 0, 0, 0, 0);
		struct civil d = civil_of(
			time_clip(first + (C('d').v - 1) * MS_PER_DAY));
		month = d.m - 1;
		day = d.d;
	}
	if (date_c || date_d) {
		/* The reference parses no week dates. */
		sfn_fmt_fail(err, "D3136", NULL);
		goto out;
	}
	double hour = C('H').v;
	if (time_b) {
		hour = C('h').v == 12 ? 0 : C('h').v;
		if (C('P').present && C('P').v == 1)
			hour += 12;
	}
	double t = date_utc(C('Y').v, month, day, hour, C('m').v, C('s').v,
			    C('f').v);
	double zone = C('Z').present && C('Z').v != 0 && !isnan(C('Z').v)
			      ? C('Z').v
		      : C('z').present ? C('z').v
				       : 0;
	if (!isnan(zone) && zone != 0)
		t -= zone * 60 * 1000;
#undef C
	if (isnan(t))
		*undefined = true;
	else
		*ms = t;
	ret = 0;
out:
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	free(readers);
	sfn_strbuf_release(&re);
	picture_release(&p);
	return ret;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* c is in [lo, hi] */
static bool ch_in(char c, char lo, char hi)
{
	return c >= lo && c <= hi;
}

/*
 * The reference's test, ^\d{4}(-[01]\d)?(-[0-3]\d)?(T[0-2]\d:[0-5]\d:
 * [0-5]\d)?(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$, by backtracking over the
 * optional groups from @stage on.
 */
static bool iso_match(const char *s, size_t n, size_t i, int stage)
{
	switch (stage) {
	case 0:
		return n >= 4 && digits(s, 4) && iso_match(s, n, 4, 1);
	case 1: /* -MM */
		if (i + 3 <= n && s[i] == '-' && ch_in(s[i + 1], '0', '1') &&
		    digits(s + i + 2, 1) && iso_match(s, n, i + 3, 2))
			return true;
		return iso_match(s, n, i, 2);
	case 2: /* -DD */
		if (i + 3 <= n && s[i] == '-' && ch_in(s[i + 1], '0', '3') &&
		    digits(s + i + 2, 1) && iso_match(s, n, i + 3, 3))
			return true;
		return iso_match(s, n, i, 3);
	case 3: /* Thh:mm:ss */
		if (i + 9 <= n && s[i] == 'T' && ch_in(s[i + 1], '0', '2') &&
		    digits(s + i + 2, 1) && s[i + 3] == ':' &&
		    ch_in(s[i + 4], '0', '5') && digits(s + i + 5, 1) &&
		    s[i + 6] == ':' && ch_in(s[i + 7], '0', '5') &&
		    digits(s + i + 8, 1) && iso_match(s, n, i + 9, 4))
			return true;
		return iso_match(s, n, i, 4);
	case 4: /* .fff */
		if (i + 2 <= n && s[i] == '.' && digits(s + i + 1, 1)) {
			size_t k = i + 1;
			while (k < n && digits(s + k, 1))
				k++;
			/* \d+ is greedy, and what follows cannot start with a
			 * digit */
			if (iso_match(s, n, k, 5))
				return true;
		}
		return iso_match(s, n, i, 5);
	default: /* offset, then the end */
		if (i == n)
			return true;
		if (i + 1 == n && s[i] == 'Z')
			return true;
		if ((s[i] == '+' || s[i] == '-') && i + 3 <= n &&
		    ch_in(s[i + 1], '0', '2') && digits(s + i + 2, 1)) {
			size_t k = i + 3;
			if (k < n && s[k] == ':')
				k++;
			return k + 2 == n && ch_in(s[k], '0', '5') &&
			       digits(s + k + 1, 1);
		}
		return false;
	}
}

/*
 * The value JavaScript's Date.parse gives a string that passed the test
 * above (V8: the ISO format, else its legacy parser), NaN where it gives
 * NaN: out-of-range fields, a day without a month, a numeric offset
 * without a time. Without a time, a fraction is read as the next field
 * ("2018.5" is May, "2018-03.5" the 5th). A time without an offset is
 * read as UTC (Date.parse would use the host's zone). Not followed: what
 * V8's legacy parser makes of a year below 100 with such a fraction.
 */
static double iso_value(const char *s)
{
	size_t n = strlen(s), i = 4;
	int y = num(s, 4), mo = 1, d = 1, h = 0, mi = 0, sec = 0, ms = 0;
	bool has_mo = false, has_d = false, has_time = false, bad = false;
	double offset = 0;

	if (i + 3 <= n && s[i] == '-' && ch_in(s[i + 1], '0', '1') &&
	    digits(s + i + 2, 1)) {
		mo = num(s + i + 1, 2);
		has_mo = true;
		i += 3;
	}
	if (i + 3 <= n && s[i] == '-' && ch_in(s[i + 1], '0', '3') &&
	    digits(s + i + 2, 1)) {
		d = num(s + i + 1, 2);
		has_d = true;
		i += 3;
	}
	if (i + 9 <= n && s[i] == 'T') {
		h = num(s + i + 1, 2);
		mi = num(s + i + 4, 2);
		sec = num(s + i + 7, 2);
		has_time = true;
		i += 9;
	}
	if (i + 2 <= n && s[i] == '.' && digits(s + i + 1, 1)) {
		size_t k = i + 1;
		double field = 0;
		while (k < n && digits(s + k, 1))
			k++;
		if (has_time) {
			for (size_t j = 0; j < 3; j++)
				ms = ms * 10 +
				     (i + 1 + j < k ? s[i + 1 + j] - '0' : 0);
		} else {
			for (size_t j = i + 1; j < k && field < 1e6; j++)
				field = field * 10 + (s[j] - '0');
			if (has_d) {
				bad = true;
			} else if (has_mo) {
				d = field > 99 ? 99 : (int)field;
				has_d = true;
			} else {
				mo = field > 99 ? 99 : (int)field;
				has_mo = true;
			}
		}
		i = k;
	}
	if (i < n && s[i] == 'Z') {
		/*
		 * 'Z' after a date alone is no ES date format: V8's legacy
		 * parser reads it, and it takes years below 100 as 19xx/20xx.
		 */
		if (!has_time && y < 100)
			y += y < 50 ? 2000 : 1900;
		i++;
	} else if (i < n) {
		/* A numeric offset: only after a time. */
		size_t k = i + 3;
		if (k < n && s[k] == ':')
			k++;
		if (k + 2 != n || !has_time)
			return NAN; /* also the regex's other readings */
		int oh = num(s + i + 1, 2), om = num(s + k, 2);
		bad |= oh > 23;
		offset = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
		i = n;
	}
	bad |= has_d && !has_mo;
	bad |= mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 ||
	       sec > 59 || (h == 24 && (mi || sec || ms));
	if (bad || i != n)
		return NAN;
	double day = (double)days_from_civil(y, mo, 1) + d - 1;
	return day * MS_PER_DAY + h * 3600000.0 + mi * 60000.0 + sec * 1000.0 +
	       ms - offset * 60000;
}

int sfn_fmt_to_millis(const char *s, const char *picture, double now_ms,
		      double *ms, bool *undefined, struct sfn_fmt_err *err)
{
	*undefined = false;
	if (picture)
		return to_millis_picture(s, picture, now_ms, ms, undefined,
					 err);
	if (!iso_match(s, strlen(s), 0, 0)) {
		struct sfn_strbuf j = SFN_STRBUF_INIT;
		sfn_json_quote(&j, s, strlen(s), 0);
		sfn_fmt_fail(err, "D3110", j.buf);
		sfn_strbuf_release(&j);
		return -1;
	}
	double t = iso_value(s);
	if (isnan(t))
		*undefined = true;
	else
		*ms = t;
	return 0;
}
