/*
 * Reading JSON text at run time (execution input, Task results, States.
 * StringToJson, journals): jansson's parser, but for integers beyond the
 * range of int64, which jansson refuses ("too big integer") and AWS's
 * parser reads. They become reals, as the loader reads them in definitions
 * (lib/asl/load_json.c): the text is read again with ".0" after each of
 * them, which makes it a real to jansson. Only text jansson refused for
 * that reason pays for the second reading.
 */
#include "base/base.h"

#include <string.h>

/* The digits of @p (@n bytes, no sign) name a magnitude past @limit. */
static bool past(const char *p, size_t n, const char *limit)
{
	size_t ln = strlen(limit);
	return n > ln || (n == ln && memcmp(p, limit, n) > 0);
}

/* @buf with ".0" after every integer that int64 cannot hold. */
static void widen_integers(struct sfn_strbuf *sb, const char *buf, size_t len)
{
	size_t i = 0, from = 0;
	while (i < len) {
		char c = buf[i];
		if (c == '"') {
			/* a string, escapes and all, is copied as it is */
			for (i++; i < len && buf[i] != '"'; i++)
				if (buf[i] == '\\')
					i++;
			i++;
			continue;
		}
		if (c != '-' && (c < '0' || c > '9')) {
			i++;
			continue;
		}
		size_t digits;
		bool neg = c == '-', integer = true;
		if (neg)
			i++;
		digits = i;
		while (i < len && ((buf[i] >= '0' && buf[i] <= '9') ||
				   strchr(".eE+-", buf[i]))) {
			if (buf[i] < '0' || buf[i] > '9')
				integer = false;
			i++;
		}
		if (integer &&
		    past(buf + digits, i - digits,
			 neg ? "9223372036854775808" : "9223372036854775807")) {
			sfn_strbuf_add(sb, buf + from, i - from);
			sfn_strbuf_add(sb, ".0", 2);
			from = i;
		}
	}
	sfn_strbuf_add(sb, buf + from, len - from);
}

json_t *sfn_json_loadb(const char *buf, size_t len, size_t flags,
		       json_error_t *error)
{
	json_error_t e;
	json_t *v = json_loadb(buf, len, flags, &e);
	if (!v && json_error_code(&e) == json_error_numeric_overflow) {
		struct sfn_strbuf sb = SFN_STRBUF_INIT;
		widen_integers(&sb, buf, len);
		v = json_loadb(sb.buf ? sb.buf : "", sb.len, flags, &e);
		sfn_strbuf_release(&sb);
	}
	if (!v && error)
		*error = e;
	return v;
}

json_t *sfn_json_loads(const char *s, size_t flags, json_error_t *error)
{
	return sfn_json_loadb(s, strlen(s), flags, error);
}
