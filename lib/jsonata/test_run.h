/*
 * For the engine's unit tests: one expression evaluated on one document,
 * the outcome as text to compare.
 */
#ifndef SFN_JSONATA_TEST_RUN_H
#define SFN_JSONATA_TEST_RUN_H

#include <string.h>

#include "jsonata/jsonata.h"

/* Evaluates @expr (compiled with @flags) on @doc (JSON text or NULL);
 * returns the result as JSON text, "undefined", or "ERR <code>"; the
 * caller frees. */
static inline char *jn_test_run(const char *expr, const char *doc, int flags)
{
	struct sfn_jsonata_error err = { 0 };
	struct sfn_jsonata *e =
		sfn_jsonata_compile(expr, strlen(expr), flags, &err);
	char *out;
	if (!e) {
		out = sfn_xasprintf("ERR %s", err.code);
		sfn_jsonata_error_release(&err);
		return out;
	}
	json_t *in = doc ? json_loads(doc, JSON_DECODE_ANY, NULL) : NULL;
	json_t *r = NULL;
	if (sfn_jsonata_eval(e, in, NULL, NULL, &r, &err) < 0)
		out = sfn_xasprintf("ERR %s", err.code);
	else
		out = r ? sfn_json_dumps(r, 0) : sfn_xstrdup("undefined");
	sfn_jsonata_error_release(&err);
	json_decref(r);
	json_decref(in);
	sfn_jsonata_free(e);
	return out;
}

#endif
