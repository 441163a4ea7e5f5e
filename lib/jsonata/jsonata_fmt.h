/*
 * jsonata_fmt: the picture-string built-ins of JSONata, on plain C values.
 * Internal to lib/jsonata: the evaluator converts its arguments (numbers are
 * doubles, strings UTF-8) and calls these for $formatNumber, $formatBase,
 * $formatInteger, $parseInteger, $fromMillis and $toMillis. They follow the
 * XPath/XQuery Functions and Operators 3.1 pictures (fn:format-number,
 * fn:format-integer, fn:format-dateTime) as the reference implementation
 * (jsonata-js 2.2.2) reads them, its quirks and error codes included.
 *
 * "undefined in, undefined out" is the caller's job: none of these is called
 * with a missing first argument. Each function appends its text to @out (it
 * does not reset it) and returns 0, or returns -1 with @err set and @out
 * unchanged in length. Nothing here keeps state between calls; all of it is
 * safe to call from several threads at once.
 */
#ifndef SFN_JSONATA_FMT_H
#define SFN_JSONATA_FMT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"

/*
 * An error as the reference raises it: its code, its message (the
 * reference's wording, with {{value}} already substituted by the value's
 * JSON, as the reference does), and the error's "value" where the reference
 * sets one.
 */
struct sfn_fmt_err {
	/* "D3081"; "" when unset */
	char code[8];
	/* the reference's message text; owned, NULL when unset */
	char *message;
	/* the offending value as JSON text ("37", "\"q\""); owned, may be NULL
	 */
	char *value;
};
#define SFN_FMT_ERR_INIT                                                       \
	{                                                                      \
		"", NULL, NULL                                                 \
	}
void sfn_fmt_err_release(struct sfn_fmt_err *err);

/* ---- $formatNumber(number, picture [, options]) ---- */

/*
 * The decimal format of fn:format-number: each field a UTF-8 string,
 * borrowed. The single-character properties use their first code point
 * (decimal-separator, grouping-separator, zero-digit, digit,
 * pattern-separator, exponent-separator); percent, per-mille, minus-sign,
 * infinity and NaN may be longer ("pm" as per-mille works, as in the
 * reference).
 */
struct sfn_fmt_decimal_format {
	const char *decimal_separator;	/* "." */
	const char *grouping_separator; /* "," */
	const char *exponent_separator; /* "e" */
	const char *infinity;		/* "Infinity" */
	const char *minus_sign;		/* "-" */
	const char *nan;		/* "NaN" */
	const char *percent;		/* "%" */
	const char *per_mille;		/* "\u2030" */
	const char *zero_digit;		/* "0" */
	const char *digit;		/* "#" */
	const char *pattern_separator;	/* ";" */
};

/* Sets every field of @df to the default above. */
void sfn_fmt_decimal_format_init(struct sfn_fmt_decimal_format *df);

/*
 * Sets the property named @key (as spelt in the options object of
 * $formatNumber: "decimal-separator", "per-mille", "zero-digit", "NaN", ...)
 * to @value (borrowed: it must outlive the use of @df). Returns 0, or -1
 * when @key names no property; the reference ignores such keys, and so
 * should the caller. An empty @value is kept and behaves as the reference
 * (a property that matches nothing).
 */
int sfn_fmt_decimal_format_set(struct sfn_fmt_decimal_format *df,
			       const char *key, const char *value);

/*
 * $formatNumber: appends @v formatted by @picture (UTF-8) under @df (NULL:
 * the defaults). Errors: D3080 (more than one pattern separator), D3081 to
 * D3093 (malformed sub-picture, F&O 4.7.3, checked in the reference's
 * order: the last failing check gives the code).
 */
int sfn_fmt_number(double v, const char *picture,
		   const struct sfn_fmt_decimal_format *df,
		   struct sfn_strbuf *out, struct sfn_fmt_err *err);

/* ---- $formatBase(number [, radix]) ---- */

/*
 * $formatBase: appends @v, rounded half to even to an integer, in base
 * @radix (also rounded; the caller passes 10 when the argument is absent),
 * lowercase digits, as JavaScript's Number.prototype.toString(radix).
 * Errors: D3100 (radix outside 2..36; value: the radix).
 */
int sfn_fmt_base(double v, double radix, struct sfn_strbuf *out,
		 struct sfn_fmt_err *err);

/* ---- $formatInteger and $parseInteger ---- */

/*
 * $formatInteger: appends floor(@v) formatted by the fn:format-integer
 * @picture: decimal digit patterns in any Unicode decimal digit family with
 * optional digits and grouping separators, "w" "W" "Ww" (English words),
 * "i" "I" (roman), "a" "A" (letters), and the ";o" ordinal modifier.
 * Errors: D3130 (a picture the reference does not support; value: it),
 * D3131 (digits of two families in one pattern). Roman numerals past 10^8
 * are written as digits (the reference overflows its stack on them).
 */
int sfn_fmt_integer(double v, const char *picture, struct sfn_strbuf *out,
		    struct sfn_fmt_err *err);

/*
 * $parseInteger: the inverse of sfn_fmt_integer: reads @s by @picture into
 * *@result. As the reference, it does not validate @s against the picture:
 * text that does not parse sets *@undefined (where the reference returns
 * NaN, which no JSON can hold). Errors: D3130, D3131 as above.
 */
int sfn_fmt_parse_integer(const char *s, const char *picture, double *result,
			  bool *undefined, struct sfn_fmt_err *err);

/* ---- $fromMillis(number [, picture [, timezone]]) and $toMillis ---- */

/*
 * $fromMillis: appends the instant @ms (milliseconds since the epoch; the
 * fraction is dropped toward zero, as JavaScript's Date does) formatted by
 * the fn:format-dateTime @picture, or as ISO 8601 with milliseconds
 * ("2017-11-07T15:07:54.972Z") when @picture is NULL. @tz (NULL: UTC) is an
 * offset "+hhmm" / "-hhmm" read as the reference reads it (parseInt, so
 * "0000", "+0530", "-5" work). Errors: D3132 (unknown component), D3133
 * (names asked of a component without names), D3134 (timezone with too
 * many digits), D3135 (a '[' never closed), D3130/D3131 (a component's
 * integer picture). Names of milliseconds ("[fNn]") are D3133 too, where
 * the reference throws a TypeError.
 */
int sfn_fmt_from_millis(double ms, const char *picture, const char *tz,
			struct sfn_strbuf *out, struct sfn_fmt_err *err);

/*
 * $toMillis: parses @s into *@ms. With @picture NULL, @s must be ISO 8601 as
 * the reference accepts it ("2018", "2017-10-30", "2017-10-30T15:28:34Z",
 * "...T09:42:13.123+0000", offsets with or without ':'), else D3110 (value:
 * @s). With a picture, @s is read by the fn:format-dateTime picture; a
 * string the picture does not match, or a picture with no components, sets
 * *@undefined (the reference's undefined). Components left out before the
 * most significant given one come from @now_ms (the evaluation's $now()),
 * those after the least significant default to their minimum. Errors: D3132,
 * D3133, D3135, D3130, D3131 as above, D3136 (components that do not make up
 * a date/time, e.g. a year and a day of the month but no month).
 * Where the reference would compute NaN (ISO text with a field out of
 * range, such as "2018-13-01"; a component read as no number), *@undefined
 * is set too. Out-of-range components read by a picture roll over, as
 * JavaScript's Date.UTC does ("2018-13-45" by "[Y]-[M]-[D]" is 2019-02-14).
 */
int sfn_fmt_to_millis(const char *s, const char *picture, double now_ms,
		      double *ms, bool *undefined, struct sfn_fmt_err *err);

/* ---- internal: shared by the fmt_*.c files only ---- */

/* A string as Unicode code points; the pictures are read this way. */
struct sfn_fmt_cps {
	uint32_t *v; /* owned array of n */
	size_t n, alloc;
};
void sfn_fmt_cps_from_utf8(struct sfn_fmt_cps *s, const char *p, size_t n);
void sfn_fmt_cps_add(struct sfn_fmt_cps *s, uint32_t cp);
void sfn_fmt_cps_release(struct sfn_fmt_cps *s);
/* Appends @cp (or @n code points from @v) to @sb as UTF-8. */
void sfn_fmt_put_cp(struct sfn_strbuf *sb, uint32_t cp);
void sfn_fmt_put_cps(struct sfn_strbuf *sb, const uint32_t *v, size_t n);

/*
 * Sets @err (unless already set) to @code with the reference's message for
 * it; @value_json is the error's value as JSON text (NULL: none), which the
 * message shows as the reference does (JSON.stringify). Returns -1.
 */
int sfn_fmt_fail(struct sfn_fmt_err *err, const char *code,
		 const char *value_json);

/* JSONata's $round(v, precision): half to even, shifting in decimal. */
double sfn_fmt_round(double v, int precision);
/* JavaScript's parseInt(s) (radix 10, or 16 after "0x"); NaN if no digits. */
double sfn_fmt_parse_int(const char *s, size_t n);

/* An fn:format-integer picture, analysed (the reference's
 * analyseIntegerPicture). */
enum sfn_fmt_primary {
	SFN_FMT_DECIMAL,
	SFN_FMT_LETTERS,
	SFN_FMT_ROMAN,
	SFN_FMT_WORDS,
	SFN_FMT_SEQUENCE, /* unsupported: D3130 when used */
};
enum sfn_fmt_case { SFN_FMT_LOWER, SFN_FMT_UPPER, SFN_FMT_TITLE };

struct sfn_fmt_int_sep {
	int position; /* digits to its right */
	uint32_t ch;
};

struct sfn_fmt_int_picture {
	enum sfn_fmt_primary primary;
	enum sfn_fmt_case tcase;
	bool ordinal;
	uint32_t zero;	 /* first code point of the digit family */
	int mandatory;	 /* mandatory digits; -1 (JavaScript's undefined) unless
			    decimal */
	int optional;	 /* optional digits ('#'); -1 unless decimal */
	int regular;	 /* > 0: a separator every @regular digits */
	uint32_t reg_ch; /* that separator */
	struct sfn_fmt_int_sep
		*seps; /* irregular separators, right to left; owned */
	size_t n_seps;
	int parse_width; /* > 0: exactly this many digits when parsing */
	struct sfn_fmt_cps token; /* SEQUENCE: the picture, for D3130 */
};
int sfn_fmt_int_picture_parse(struct sfn_fmt_int_picture *f,
			      const uint32_t *pic, size_t n,
			      struct sfn_fmt_err *err);
void sfn_fmt_int_picture_release(struct sfn_fmt_int_picture *f);
/* Appends @v (an integer, any sign) formatted by @f. */
int sfn_fmt_int_format(const struct sfn_fmt_int_picture *f, double v,
		       struct sfn_strbuf *out, struct sfn_fmt_err *err);
/* Reads @s as @f formats; NaN where the reference gets NaN. */
double sfn_fmt_int_parse(const struct sfn_fmt_int_picture *f, const char *s,
			 size_t n);
/* Appends the regular expression (PCRE2 syntax) matching what @f formats. */
int sfn_fmt_int_regex(const struct sfn_fmt_int_picture *f,
		      struct sfn_strbuf *re, struct sfn_fmt_err *err);

#endif
