/*
 * For the engine's unit tests: one expression evaluated on one document,
 * the outcome as text to compare.
 */
#ifndef SFN_JSONATA_TEST_RUN_H
#define SFN_JSONATA_TEST_RUN_H

#include <stdlib.h>
#include <string.h>

#include "jsonata/jsonata.h"

/* Evaluates @expr (compiled with @flags) on @doc (JSON text or NULL);
 * returns the result as JSON text, "undefined", or "ERR <code>"; the
 * caller frees. It evaluates over a prepared input of @doc as well: where
 * that outcome differs, it returns both. */
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
	r = NULL;
	struct sfn_jsonata_input *pin = sfn_jsonata_input_new(in);
	char *pout;
	if (sfn_jsonata_eval_input(e, pin, NULL, NULL, &r, &err) < 0)
		pout = sfn_xasprintf("ERR %s", err.code);
	else
		pout = r ? sfn_json_dumps(r, 0) : sfn_xstrdup("undefined");
	if (strcmp(out, pout)) {
		char *both =
			sfn_xasprintf("%s (prepared input: %s)", out, pout);
		free(out);
		out = both;
	}
	free(pout);
	sfn_jsonata_error_release(&err);
	sfn_jsonata_input_free(pin);
	json_decref(r);
	json_decref(in);
	sfn_jsonata_free(e);
	return out;
}

#endif
