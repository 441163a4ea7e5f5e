/*
 * The 18 intrinsic functions of ASL (asl-core.md §4.2), one row each in
 * intrinsics_table[]. Arguments reach a function already type-checked by
 * intrinsic_check_arg(); a function checks what needs several arguments.
 * Every failure is States.IntrinsicFailure with a cause naming the
 * function, the argument and the fix.
 */
#include "intrinsics/intrinsics_int.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base/banned.h"

/* AWS's limit on Base64Encode/Base64Decode/Hash input (asl-core.md §12). */
#define MAX_INPUT_CHARS 10000
/* AWS's limit on States.ArrayRange (asl-core.md §4.2). */
#define MAX_RANGE_ITEMS 1000

static int ifail(struct sfn_error *err, const struct sfn_intrinsic *fn,
		 const char *fmt, ...) SFN_PRINTF(3, 4);

static int ifail(struct sfn_error *err, const struct sfn_intrinsic *fn,
		 const char *fmt, ...)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	va_list ap;
	sfn_strbuf_addf(&sb, "%s: ", fn->def->name);
	va_start(ap, fmt);
	sfn_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	sfn_errorf(err, SFN_E_INTRINSIC_FAILURE, NULL, "%s", sb.buf);
	sfn_strbuf_release(&sb);
	return -1;
}

/* Java's Math.round: halves go up (1.5 -> 2, -1.5 -> -1, -2.5 -> -2). */
static double java_round(double d)
{
	return floor(d + 0.5);
}

static long long int_arg(const json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v);
	return (long long)java_round(json_number_value(v));
}

/* Java String.length(): UTF-16 code units of valid UTF-8 @s. */
static size_t utf16_length(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xc0) != 0x80)
			count += c >= 0xf0 ? 2 : 1;
	}
	return count;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "a value";
}

int intrinsic_check_arg(const struct sfn_intrinsic *fn, size_t i,
			const json_t *v, struct sfn_error *err)
{
	const struct intrinsic_def *def = fn->def;
	size_t nt = strlen(def->types);
	char t = nt ? def->types[i < nt ? i : nt - 1] : 'a';
	static const struct {
		char t;
		const char *want;
	} kinds[] = { { 's', "a string" },
		      { 'i', "a number" },
		      { 'A', "an array" },
		      { 'O', "an object" },
		      { 'b', "a boolean" } };
	bool ok = t == 'a' || (t == 's' && json_is_string(v)) ||
		  (t == 'i' && json_is_number(v)) ||
		  (t == 'A' && json_is_array(v)) ||
		  (t == 'O' && json_is_object(v)) ||
		  (t == 'b' && json_is_boolean(v));
	if (!ok) {
		const char *want = "";
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (kinds[k].t == t)
				want = kinds[k].want;
		return ifail(err, fn, "argument %zu must be %s, not %s", i + 1,
			     want, type_name(v));
	}
	if (t == 'i' && (java_round(json_number_value(v)) < -2147483648.0 ||
			 java_round(json_number_value(v)) > 2147483647.0)) {
		/* Java ints once rounded: asl-core.md §12 (MathAdd), likewise
		 * the others. */
		return ifail(err, fn,
			     "argument %zu (%.17g) is outside the integer "
			     "range -2147483648 to 2147483647",
			     i + 1, json_number_value(v));
	}
	if (t == 's' && i == 0 &&
	    (def->id == FN_BASE64_ENCODE || def->id == FN_BASE64_DECODE ||
	     def->id == FN_HASH)) {
		size_t len = utf16_length(json_string_value(v),
					  json_string_length(v));
		if (len > MAX_INPUT_CHARS)
			return ifail(err, fn,
				     "the input is %zu characters; the limit "
				     "is %d",
				     len, MAX_INPUT_CHARS);
	}
	switch (def->id) {
	case FN_ARRAY_PARTITION:
		if (i == 1 && int_arg(v) <= 0)
			return ifail(
				err, fn,
				"the chunk size must be positive, not %lld",
				int_arg(v));
		break;
	case FN_ARRAY_RANGE:
		if (i == 2 && int_arg(v) == 0)
			return ifail(err, fn, "the step must not be 0");
		break;
	case FN_ARRAY_GET_ITEM:
		if (i == 1 &&
		    (json_number_value(v) < 0 ||
		     json_number_value(v) != floor(json_number_value(v))))
			return ifail(err, fn,
				     "the index must be an integer of 0 or "
				     "more, not %.17g",
				     json_number_value(v));
		break;
	case FN_HASH:
		if (i == 1) {
			if (sfn_digest_by_name(json_string_value(v)) >= 0)
				return 0;
			return ifail(err, fn,
				     "the algorithm '%s' is not one of MD5, "
				     "SHA-1, SHA-256, SHA-384, SHA-512",
				     json_string_value(v));
		}
		break;
	case FN_JSON_MERGE:
		if (i == 2 && json_is_true(v))
			return ifail(err, fn,
				     "deep merging is not supported: the third "
				     "argument must be false");
		break;
	default:
		break;
	}
	return 0;
}

/* ---- States.Format ---- */

/* Java's toString of maps and lists, as AWS renders {} arguments. */
static void format_value(struct sfn_strbuf *sb, const json_t *v, int depth)
{
	char num[SFN_NUMBUF];
	if (depth > SFN_MAX_DEPTH)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		sfn_strbuf_add(sb, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		sfn_strbuf_addf(sb, "%" JSON_INTEGER_FORMAT,
				json_integer_value(v));
		break;
	case JSON_REAL:
		sfn_fmt_double(num, json_real_value(v));
		sfn_strbuf_adds(sb, num);
		break;
	case JSON_TRUE:
		sfn_strbuf_adds(sb, "true");
		break;
	case JSON_FALSE:
		sfn_strbuf_adds(sb, "false");
		break;
	case JSON_NULL:
		sfn_strbuf_adds(sb, "null");
		break;
	case JSON_OBJECT: {
		const char *k;
		json_t *m;
		bool first = true;
		sfn_strbuf_addch(sb, '{');
		json_object_foreach((json_t *)v, k, m) {
			sfn_strbuf_adds(sb, first ? "" : ", ");
			first = false;
			sfn_strbuf_adds(sb, k);
			sfn_strbuf_addch(sb, '=');
			format_value(sb, m, depth + 1);
		}
		sfn_strbuf_addch(sb, '}');
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *m;
		sfn_strbuf_addch(sb, '[');
		json_array_foreach(v, i, m) {
			sfn_strbuf_adds(sb, i ? ", " : "");
			format_value(sb, m, depth + 1);
		}
		sfn_strbuf_addch(sb, ']');
		break;
	}
	}
}

/*
 * Walks template @tpl: "{}" is a placeholder; with @escapes (a literal
 * template as written), "\" takes the next character as is, so \{ and \}
 * give braces. Counts placeholders, and renders into @sb when given.
 */
static size_t format_walk(const char *tpl, bool escapes, json_t **vals,
			  size_t n_vals, struct sfn_strbuf *sb)
{
	size_t k = 0;
	for (const char *p = tpl; *p; p++) {
		if (escapes && *p == '\\' && p[1]) {
			p++;
			if (sb)
				sfn_strbuf_addch(sb, *p);
			continue;
		}
		if (p[0] == '{' && p[1] == '}') {
			if (sb && k < n_vals)
				format_value(sb, vals[k], 0);
			k++;
			p++;
			continue;
		}
		if (sb)
			sfn_strbuf_addch(sb, *p);
	}
	return k;
}

static int format_count_fail(const struct sfn_intrinsic *fn, size_t want,
			     size_t got, struct sfn_error *err)
{
	return ifail(err, fn,
		     "the template has %zu placeholder%s '{}' but %zu "
		     "value%s given",
		     want, want == 1 ? "" : "s", got,
		     got == 1 ? " was" : "s were");
}

int intrinsic_format_check(const struct sfn_intrinsic *fn,
			   struct sfn_error *err)
{
	size_t k = format_walk(fn->args[0].raw, true, NULL, 0, NULL);
	if (k != fn->n_args - 1)
		return format_count_fail(fn, k, fn->n_args - 1, err);
	return 0;
}

static json_t *fn_format(const struct sfn_intrinsic *fn, json_t **v, size_t n,
			 struct sfn_error *err)
{
	/* A literal template keeps its escapes; a path's value has none. */
	const char *raw = fn->args[0].raw;
	const char *tpl = raw ? raw : json_string_value(v[0]);
	size_t k = format_walk(tpl, raw != NULL, NULL, 0, NULL);
	if (k != n - 1) {
		format_count_fail(fn, k, n - 1, err);
		return NULL;
	}
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	format_walk(tpl, raw != NULL, v + 1, n - 1, &sb);
	json_t *out = json_stringn(sb.buf, sb.len);
	sfn_strbuf_release(&sb);
	return out;
}

/* ---- JSON ---- */

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *fn_string_to_json(const struct sfn_intrinsic *fn, json_t **v,
				 size_t n, struct sfn_error *err)
{
	(void)n;
	const char *s = json_string_value(v[0]);
	size_t len = json_string_length(v[0]);
	size_t i = 0;
	while (i < len && strchr(" \t\r\n", s[i]))
		i++;
	/* Observed: "" and " " give null (274232_json_manipulation). */
	if (i == len)
		return json_null();
	json_error_t jerr;
	json_t *out = sfn_json_loadb(s, len, JSON_DECODE_ANY, &jerr);
	if (!out)
		ifail(err, fn, "the string is not JSON: %s at character %d",
		      jerr.text, jerr.position);
	return out;
}

static json_t *fn_json_to_string(const struct sfn_intrinsic *fn, json_t **v,
				 size_t n, struct sfn_error *err)
{
	(void)fn;
	(void)n;
	(void)err;
	char *s = sfn_json_dumps(v[0], 0);
	json_t *out = json_string(s);
	free(s);
	return out;
}

static json_t *fn_json_merge(const struct sfn_intrinsic *fn, json_t **v,
			     size_t n, struct sfn_error *err)
{
	(void)fn;
	(void)n;
	(void)err;
	/* Shallow: the second object's members replace the first's. */
	json_t *out = json_copy(v[0]);
	json_object_update(out, v[1]);
	return out;
}

/* ---- arrays ---- */

static json_t *fn_array(const struct sfn_intrinsic *fn, json_t **v, size_t n,
			struct sfn_error *err)
{
	(void)fn;
	(void)err;
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append(out, v[i]);
	return out;
}

static json_t *fn_array_partition(const struct sfn_intrinsic *fn, json_t **v,
				  size_t n, struct sfn_error *err)
{
	(void)fn;
	(void)n;
	(void)err;
	size_t size = (size_t)int_arg(v[1]);
	size_t len = json_array_size(v[0]);
	json_t *out = json_array();
	for (size_t i = 0; i < len; i += size) {
		json_t *chunk = json_array();
		for (size_t k = i; k < len && k < i + size; k++)
			json_array_append(chunk, json_array_get(v[0], k));
		json_array_append_new(out, chunk);
	}
	return out;
}

static json_t *fn_array_contains(const struct sfn_intrinsic *fn, json_t **v,
				 size_t n, struct sfn_error *err)
{
	(void)fn;
	(void)n;
	(void)err;
	size_t i;
	json_t *x;
	json_array_foreach(v[0], i, x)
		if (sfn_json_equal(x, v[1]))
			return json_true();
	return json_false();
}

static json_t *fn_array_range(const struct sfn_intrinsic *fn, json_t **v,
			      size_t n, struct sfn_error *err)
{
	(void)n;
	long long from = int_arg(v[0]), to = int_arg(v[1]),
		  step = int_arg(v[2]);
	long long count = 0;
	if ((step > 0 && from <= to) || (step < 0 && from >= to))
		count = (to - from) / step + 1;
	if (count > MAX_RANGE_ITEMS) {
		ifail(err, fn,
		      "the range would have %lld items; the limit is %d", count,
		      MAX_RANGE_ITEMS);
		return NULL;
	}
	json_t *out = json_array();
	for (long long i = 0; i < count; i++)
		json_array_append_new(out, json_integer(from + i * step));
	return out;
}

static json_t *fn_array_get_item(const struct sfn_intrinsic *fn, json_t **v,
				 size_t n, struct sfn_error *err)
{
	(void)n;
	size_t len = json_array_size(v[0]);
	long long i = int_arg(v[1]);
	if (i < 0 || (size_t)i >= len) {
		ifail(err, fn,
		      "the index %lld is out of bounds for an array of %zu "
		      "item%s",
		      i, len, len == 1 ? "" : "s");
		return NULL;
	}
	return json_incref(json_array_get(v[0], (size_t)i));
}

static json_t *fn_array_length(const struct sfn_intrinsic *fn, json_t **v,
			       size_t n, struct sfn_error *err)
{
	(void)fn;
	(void)n;
	(void)err;
	return json_integer((json_int_t)json_array_size(v[0]));
}

/*
 * A text equal for values sfn_json_equal finds equal: numbers by value,
 * object keys sorted. ArrayUnique keys a set on it, so large arrays take
 * linear time, not quadratic.
 */
static void canonical(struct sfn_strbuf *sb, const json_t *v, int depth)
{
	char num[SFN_NUMBUF];
	if (depth > SFN_MAX_DEPTH)
		return;
	switch (json_typeof(v)) {
	case JSON_INTEGER:
	case JSON_REAL: {
		double d = json_number_value(v);
		if (json_is_integer(v))
			sfn_strbuf_addf(sb, "%" JSON_INTEGER_FORMAT,
					json_integer_value(v));
		else if (d == floor(d) && fabs(d) < 9007199254740992.0)
			sfn_strbuf_addf(sb, "%.0f", d);
		else
			sfn_strbuf_add(sb, num, (size_t)sfn_fmt_double(num, d));
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *m;
		sfn_strbuf_addch(sb, '[');
		json_array_foreach(v, i, m) {
			sfn_strbuf_adds(sb, i ? "," : "");
			canonical(sb, m, depth + 1);
		}
		sfn_strbuf_addch(sb, ']');
		break;
	}
	case JSON_OBJECT: {
		size_t n = json_object_size(v), k = 0;
		const char **keys = sfn_xmalloc((n ? n : 1) * sizeof(*keys));
		const char *key;
		json_t *m;
		json_object_foreach((json_t *)v, key, m)
			keys[k++] = key;
		qsort(keys, n, sizeof(*keys), cmp_keys);
		sfn_strbuf_addch(sb, '{');
		for (k = 0; k < n; k++) {
			sfn_strbuf_adds(sb, k ? "," : "");
			sfn_json_quote(sb, keys[k], strlen(keys[k]), 0);
			sfn_strbuf_addch(sb, ':');
			canonical(sb, json_object_get(v, keys[k]), depth + 1);
		}
		sfn_strbuf_addch(sb, '}');
		free(keys);
		break;
	}
	default:
		sfn_json_dump(sb, v, 0);
		break;
	}
}

static json_t *fn_array_unique(const struct sfn_intrinsic *fn, json_t **v,
			       size_t n, struct sfn_error *err)
{
	(void)fn;
	(void)n;
	(void)err;
	json_t *out = json_array();
	json_t *seen = json_object();
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	size_t i;
	json_t *x;
	json_array_foreach(v[0], i, x) {
		sfn_strbuf_reset(&sb);
		canonical(&sb, x, 0);
		if (json_object_getn(seen, sb.buf, sb.len))
			continue;
		json_object_setn_new_nocheck(seen, sb.buf, sb.len, json_true());
		json_array_append(out, x);
	}
	sfn_strbuf_release(&sb);
	json_decref(seen);
	return out;
}

/* ---- encodings and hashes ---- */

static json_t *fn_base64_encode(const struct sfn_intrinsic *fn, json_t **v,
				size_t n, struct sfn_error *err)
{
	(void)fn;
	(void)n;
	(void)err;
	size_t len = json_string_length(v[0]);
	char *out = sfn_xmalloc(4 * ((len + 2) / 3) + 1);
	int k = EVP_EncodeBlock((unsigned char *)out,
				(const unsigned char *)json_string_value(v[0]),
				(int)len);
	json_t *r = json_stringn(out, (size_t)k);
	free(out);
	return r;
}

static int b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Appends @s (@n bytes) to @sb as Java's new String(bytes, UTF_8) reads
 * it: each invalid sequence becomes U+FFFD.
 */
static void add_utf8_lossy(struct sfn_strbuf *sb, const unsigned char *s,
			   size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t len = s[i] < 0x80		      ? 1
			     : (s[i] >= 0xc2 && s[i] <= 0xdf) ? 2
			     : (s[i] >= 0xe0 && s[i] <= 0xef) ? 3
			     : (s[i] >= 0xf0 && s[i] <= 0xf4) ? 4
							      : 0;
		if (len && i + len <= n &&
		    sfn_utf8_valid((const char *)s + i, len)) {
			sfn_strbuf_add(sb, s + i, len);
			i += len;
		} else {
			sfn_strbuf_adds(sb, "\xef\xbf\xbd");
			i++;
		}
	}
}

static json_t *fn_base64_decode(const struct sfn_intrinsic *fn, json_t **v,
				size_t n, struct sfn_error *err)
{
	(void)n;
	const char *s = json_string_value(v[0]);
	size_t len = json_string_length(v[0]);
	/* Java's basic decoder: padding optional, nothing outside the set. */
	size_t end = len;
	while (end > 0 && s[end - 1] == '=' && len - end < 2)
		end--;
	if (end % 4 == 1 || (end != len && (len % 4) != 0)) {
		ifail(err, fn, "the input is not valid Base64");
		return NULL;
	}
	unsigned char *out = sfn_xmalloc(end / 4 * 3 + 3);
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < end; i++) {
		int d = b64_value((unsigned char)s[i]);
		if (d < 0) {
			free(out);
			ifail(err, fn,
			      "the input is not valid Base64: character %zu",
			      i + 1);
			return NULL;
		}
		acc = (acc << 6) | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	add_utf8_lossy(&sb, out, o);
	free(out);
	json_t *r = json_stringn(sb.buf, sb.len);
	sfn_strbuf_release(&sb);
	return r;
}

static json_t *fn_hash(const struct sfn_intrinsic *fn, json_t **v, size_t n,
		       struct sfn_error *err)
{
	(void)n;
	const char *alg = json_string_value(v[1]);
	int md = sfn_digest_by_name(alg);
	if (md < 0) {
		ifail(err, fn, "the algorithm '%s' is not available", alg);
		return NULL;
	}
	char hex[SFN_DIGEST_HEX_MAX];
	size_t len =
		sfn_digest_hex((enum sfn_digest)md, json_string_value(v[0]),
			       json_string_length(v[0]), hex);
	return json_stringn_nocheck(hex, len);
}

/* ---- math ---- */

/*
 * java.util.Random: with a seed, States.MathRandom gives the same number
 * for the same arguments, as AWS documents; we draw as
 * new Random(seed).nextInt(end - start) + start would.
 */
static int32_t java_next(uint64_t *seed, int bits)
{
	*seed = (*seed * 0x5DEECE66DULL + 0xBULL) & ((1ULL << 48) - 1);
	return (int32_t)(*seed >> (48 - bits));
}

static int64_t java_next_int(uint64_t *seed, int64_t bound)
{
	int32_t r = java_next(seed, 31);
	int64_t m = bound - 1;
	if ((bound & m) == 0)
		return (int64_t)((bound * (int64_t)r) >> 31);
	for (int64_t u = r; u - (r = (int32_t)(u % bound)) + m > INT32_MAX;
	     u = java_next(seed, 31))
		;
	return r;
}

static int random_bounds_fail(const struct sfn_intrinsic *fn, long long from,
			      long long to, struct sfn_error *err)
{
	return ifail(err, fn,
		     "the end (%lld) must be greater than the start (%lld)", to,
		     from);
}

int intrinsic_random_check(const struct sfn_intrinsic *fn, const json_t *start,
			   const json_t *end, struct sfn_error *err)
{
	if (int_arg(end) > int_arg(start))
		return 0;
	return random_bounds_fail(fn, int_arg(start), int_arg(end), err);
}

static json_t *fn_math_random(const struct sfn_intrinsic *fn, json_t **v,
			      size_t n, struct sfn_error *err)
{
	long long from = int_arg(v[0]), to = int_arg(v[1]);
	/* Current AWS docs: start inclusive, end exclusive. */
	if (to <= from) {
		random_bounds_fail(fn, from, to, err);
		return NULL;
	}
	int64_t bound = to - from;
	int64_t r;
	if (n == 3) {
		uint64_t seed = ((uint64_t)int_arg(v[2]) ^ 0x5DEECE66DULL) &
				((1ULL << 48) - 1);
		r = bound <= INT32_MAX
			    ? java_next_int(&seed, bound)
			    : (int64_t)(((uint64_t)java_next(&seed, 32) << 32) %
					(uint64_t)bound);
	} else {
		uint64_t x = 0;
		if (RAND_bytes((unsigned char *)&x, sizeof(x)) != 1) {
			ifail(err, fn, "no random numbers available");
			return NULL;
		}
		r = (int64_t)(x % (uint64_t)bound);
	}
	return json_integer(from + r);
}

static json_t *fn_math_add(const struct sfn_intrinsic *fn, json_t **v, size_t n,
			   struct sfn_error *err)
{
	(void)fn;
	(void)n;
	(void)err;
	return json_integer(int_arg(v[0]) + int_arg(v[1]));
}

/* ---- strings ---- */

static json_t *fn_string_split(const struct sfn_intrinsic *fn, json_t **v,
			       size_t n, struct sfn_error *err)
{
	(void)fn;
	(void)n;
	(void)err;
	const char *s = json_string_value(v[0]);
	size_t len = json_string_length(v[0]);
	const char *delims = json_string_value(v[1]);
	size_t dlen = json_string_length(v[1]);
	json_t *out = json_array();
	size_t start = 0, i = 0;
	/* ASCII separators through a table, so long strings stay linear. */
	bool ascii[128] = { false }, multibyte = false;
	for (size_t d = 0; d < dlen; d++) {
		unsigned char e = (unsigned char)delims[d];
		if (e < 0x80)
			ascii[e] = true;
		else
			multibyte = true;
	}
	/* Every character of the second string separates; "" pieces drop. */
	while (i <= len) {
		size_t clen = 1;
		bool sep = false;
		unsigned char c = i < len ? (unsigned char)s[i] : 0;
		if (i < len && c < 0x80) {
			sep = ascii[c];
		} else if (i < len) {
			clen = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
			for (size_t d = 0;
			     multibyte && d + clen <= dlen && !sep;) {
				unsigned char e = (unsigned char)delims[d];
				size_t elen = e < 0x80	 ? 1
					      : e < 0xe0 ? 2
					      : e < 0xf0 ? 3
							 : 4;
				sep = elen == clen &&
				      !memcmp(delims + d, s + i, clen);
				d += elen;
			}
		}
		if (i == len || sep) {
			if (i > start)
				json_array_append_new(
					out,
					json_stringn(s + start, i - start));
			start = i + clen;
		}
		i += clen;
	}
	return out;
}

static json_t *fn_uuid(const struct sfn_intrinsic *fn, json_t **v, size_t n,
		       struct sfn_error *err)
{
	(void)v;
	(void)n;
	unsigned char b[16];
	if (RAND_bytes(b, sizeof(b)) != 1) {
		ifail(err, fn, "no random numbers available");
		return NULL;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	char s[37];
	static const char x[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			s[o++] = '-';
		s[o++] = x[b[i] >> 4];
		s[o++] = x[b[i] & 15];
	}
	s[o] = '\0';
	return json_string(s);
}

const struct intrinsic_def intrinsics_table[] = {
	{ "States.Format", FN_FORMAT, 1, -1, true, "sa", fn_format },
	{ "States.StringToJson", FN_STRING_TO_JSON, 1, 1, true, "s",
	  fn_string_to_json },
	{ "States.JsonToString", FN_JSON_TO_STRING, 1, 1, true, "a",
	  fn_json_to_string },
	{ "States.Array", FN_ARRAY, 0, -1, true, "a", fn_array },
	{ "States.ArrayPartition", FN_ARRAY_PARTITION, 2, 2, true, "Ai",
	  fn_array_partition },
	{ "States.ArrayContains", FN_ARRAY_CONTAINS, 2, 2, true, "Aa",
	  fn_array_contains },
	{ "States.ArrayRange", FN_ARRAY_RANGE, 3, 3, true, "iii",
	  fn_array_range },
	{ "States.ArrayGetItem", FN_ARRAY_GET_ITEM, 2, 2, true, "Ai",
	  fn_array_get_item },
	{ "States.ArrayLength", FN_ARRAY_LENGTH, 1, 1, true, "A",
	  fn_array_length },
	{ "States.ArrayUnique", FN_ARRAY_UNIQUE, 1, 1, true, "A",
	  fn_array_unique },
	{ "States.Base64Encode", FN_BASE64_ENCODE, 1, 1, true, "s",
	  fn_base64_encode },
	{ "States.Base64Decode", FN_BASE64_DECODE, 1, 1, true, "s",
	  fn_base64_decode },
	{ "States.Hash", FN_HASH, 2, 2, true, "ss", fn_hash },
	{ "States.JsonMerge", FN_JSON_MERGE, 3, 3, true, "OOb", fn_json_merge },
	/* Folded only with a seed (check_literals). */
	{ "States.MathRandom", FN_MATH_RANDOM, 2, 3, false, "iii",
	  fn_math_random },
	{ "States.MathAdd", FN_MATH_ADD, 2, 2, true, "ii", fn_math_add },
	{ "States.StringSplit", FN_STRING_SPLIT, 2, 2, true, "ss",
	  fn_string_split },
	{ "States.UUID", FN_UUID, 0, 0, false, "", fn_uuid },
};
const size_t intrinsics_count =
	sizeof(intrinsics_table) / sizeof(intrinsics_table[0]);
_Static_assert(sizeof(intrinsics_table) / sizeof(intrinsics_table[0]) == 18,
	       "ASL has 18 intrinsic functions");

json_t *intrinsic_call(const struct sfn_intrinsic *fn, json_t **v,
		       struct sfn_error *err)
{
	return fn->def->call(fn, v, fn->n_args, err);
}
