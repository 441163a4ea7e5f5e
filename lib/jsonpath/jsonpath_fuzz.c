/*
 * Fuzz target: any text through sfn_path_compile (every flag set, and as a
 * reference path), then eval, miss-cause and ResultPath set against a fixed
 * document, context and variables. Input capped at 4 KiB.
 */
#include "jsonpath/jsonpath.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char doc_text[] =
	"{\"a\":{\"b\":[1,2.5,\"x\",null,true,{\"c\":[{\"d\":1}]}],"
	"\"price\":8,\"s\":\"abc\",\"t\":[\"x\",\"y\"]},"
	"\"items\":[{\"price\":5,\"name\":\"p\"},{\"price\":15,\"tags\":[]}],"
	"\"odd key\":{\"\\u00e9\":[[]]},\"n\":-0.5}";

static json_t *fuzz_var(void *ud, const char *name)
{
	return json_object_get((json_t *)ud, name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	json_t *doc = json_loads(doc_text, 0, NULL);
	json_t *vars = json_pack("{s:O,s:i}", "x", doc, "n", 1);
	json_t *ctx = json_pack("{s:{s:s,s:O}}", "Execution", "Id", "arn",
				"Input", doc);
	struct sfn_path_env env = {
		.input = doc, .context = ctx, .variable = fuzz_var, .ud = vars
	};
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_path *p = sfn_path_compile(
		text, SFN_PATH_ALLOW_CONTEXT | SFN_PATH_ALLOW_VARIABLE, &err);
	if (p) {
		(void)sfn_path_text(p);
		(void)sfn_path_root(p);
		(void)sfn_path_variable(p);
		json_t *v = sfn_path_eval(p, &env, &err);
		if (!v && sfn_path_is_definite(p)) {
			char *why = sfn_path_miss_cause(p, &env);
			free(why);
		}
		json_decref(v);
		sfn_path_free(p);
	}
	sfn_error_release(&err);
	p = sfn_path_compile(text, SFN_PATH_REFERENCE, &err);
	if (p) {
		json_t *out = sfn_path_set(p, doc, vars, &err);
		json_decref(out);
		sfn_path_free(p);
	}
	sfn_error_release(&err);
	json_decref(ctx);
	json_decref(vars);
	json_decref(doc);
	free(text);
	return 0;
}
