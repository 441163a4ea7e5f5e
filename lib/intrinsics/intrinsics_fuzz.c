/*
 * Fuzz target: any text through sfn_intrinsic_compile, then evaluation
 * against a fixed input, context and variables. Input capped at 4 KiB.
 */
#include "intrinsics/intrinsics.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char doc_text[] =
	"{\"s\":\"a,b;c\",\"n\":3,\"f\":1.5,\"big\":1e300,\"a\":[1,2,2,\"x\",["
	"3]],"
	"\"o\":{\"k\":[1],\"j\":\"{\\\"x\\\":1}\"},\"b64\":\"SGVsbG8=\","
	"\"t\":\"{} and {}\",\"alg\":\"SHA-256\",\"e\":\"\",\"neg\":-7}";

static json_t *fuzz_var(void *ud, const char *name)
{
	return json_object_get((json_t *)ud, name);
}

static void visit(const struct sfn_path *p, void *ud)
{
	(void)ud;
	(void)sfn_path_text(p);
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
	json_t *vars = json_pack("{s:O,s:s}", "x", doc, "tpl", "{}!");
	json_t *ctx = json_pack("{s:{s:s,s:O}}", "Execution", "Name", "run-1",
				"Input", doc);
	struct sfn_path_env env = {
		.input = doc, .context = ctx, .variable = fuzz_var, .ud = vars
	};
	struct sfn_error err = SFN_ERROR_INIT;
	(void)sfn_intrinsic_detect(text);
	struct sfn_intrinsic *fn = sfn_intrinsic_compile(text, &err);
	if (fn) {
		sfn_intrinsic_foreach_path(fn, visit, NULL);
		(void)sfn_intrinsic_text(fn);
		(void)sfn_intrinsic_name(fn);
		json_t *v = sfn_intrinsic_eval(fn, &env, &err);
		json_decref(v);
		sfn_intrinsic_free(fn);
	}
	sfn_error_release(&err);
	json_decref(ctx);
	json_decref(vars);
	json_decref(doc);
	free(text);
	return 0;
}
