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
 * An error as the reference raises it: the code, and the error's "value"
 * where the reference sets one (the evaluator substitutes it into the
 * message template of that code, e.g. D3100 "The radix of the $formatBase
 * function must be between 2 and 36. It was given {{value}}").
 */
struct sfn_fmt_err {
	char code[8]; /* "D3081"; "" when unset */
	char *value;  /* the offending value as JSON text ("37", "\"Y\""); owned, may be NULL */
};
#define SFN_FMT_ERR_INIT { "", NULL }
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

/* ---- $formatInteger(number, picture) and $parseInteger(string, picture) ---- */

/*
 * $formatInteger: appends floor(@v) formatted by the fn:format-integer
 * @picture: decimal digit patterns in any Unicode decimal digit family with
 * optional digits and grouping separators, "w" "W" "Ww" (English words),
 * "i" "I" (roman), "a" "A" (letters), and the ";o" ordinal modifier.
 * Errors: D3130 (a picture the reference does not support; value: it),
 * D3131 (digits of two families in one pattern).
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
 * integer picture).
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
 * Where the reference would compute NaN (an impossible date such as
 * "2018-13-45"), *@undefined is set too.
 */
int sfn_fmt_to_millis(const char *s, const char *picture, double now_ms,
		      double *ms, bool *undefined, struct sfn_fmt_err *err);

#endif
