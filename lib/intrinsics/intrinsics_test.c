#include "intrinsics/intrinsics.h"

#include <stdlib.h>
#include <string.h>

#include "base/test.h"
#include "jsonpath/golden.h"

/* The golden files in testdata/intrinsics: compile, then evaluate. */
static json_t *eval_case(const struct golden_case *c, struct sfn_error *err)
{
	struct sfn_intrinsic *fn = sfn_intrinsic_compile(c->expr, err);
	if (!fn)
		return NULL;
	json_t *out;
	if (!c->input) {
		out = json_null(); /* compiled, though a failure was expected */
	} else {
		struct sfn_path_env env = { .input = c->input,
					    .context = c->context,
					    .variable = golden_var,
					    .ud = c->vars };
		out = sfn_intrinsic_eval(fn, &env, err);
	}
	sfn_intrinsic_free(fn);
	return out;
}

static void count_path(const struct sfn_path *p, void *ud)
{
	struct sfn_strbuf *sb = ud;
	sfn_strbuf_addf(sb, "%s;", sfn_path_text(p));
}

static void test_api(void)
{
	static const struct {
		const char *text;
		bool call;
	} detect[] = {
		{ "States.Format('x')", true },
		{ "  States.UUID ()", true },
		{ "States.Format", false },
		{ "$.a", false },
		{ "States.(", false },
		{ "states.Format()", false },
		{ "{% States.Format('x') %}", false },
	};
	for (size_t i = 0; i < sizeof(detect) / sizeof(detect[0]); i++)
		SFN_CHECK(sfn_intrinsic_detect(detect[i].text) ==
				  detect[i].call,
			  "detect[%zu] '%s'", i, detect[i].text);

	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_intrinsic *fn = sfn_intrinsic_compile(
		"States.Format('{} {}', $.a, States.Array($$.b, $x['y z'], 1))",
		&err);
	SFN_CHECK(fn != NULL, "compiles: %s", err.cause ? err.cause : "");
	if (fn) {
		struct sfn_strbuf sb = SFN_STRBUF_INIT;
		sfn_intrinsic_foreach_path(fn, count_path, &sb);
		SFN_CHECK_STR(sb.buf, "$.a;$$.b;$x['y z'];", "paths visited");
		SFN_CHECK_STR(sfn_intrinsic_name(fn), "States.Format", "name");
		sfn_strbuf_release(&sb);
		sfn_intrinsic_free(fn);
	}
	sfn_error_release(&err);

	/*
	 * JSON escapes are decoded before the call is read: real newlines in
	 * strings and between tokens (observed: asl-core.md §4.1 example).
	 */
	fn = sfn_intrinsic_compile("States.StringSplit('a\nb',\n\t'\n')", &err);
	json_t *got =
		fn ? sfn_intrinsic_eval(fn, &(struct sfn_path_env){ 0 }, &err)
		   : NULL;
	char *text = got ? sfn_json_dumps(got, 0) : NULL;
	SFN_CHECK_STR(text, "[\"a\",\"b\"]", "split on a real newline");
	free(text);
	json_decref(got);
	sfn_intrinsic_free(fn);
	sfn_error_release(&err);

	/* A call of literals is evaluated once, at compile time. */
	fn = sfn_intrinsic_compile("States.ArrayRange(1, 3, 1)", NULL);
	json_t *a = sfn_intrinsic_eval(fn, &(struct sfn_path_env){ 0 }, NULL);
	json_t *b = sfn_intrinsic_eval(fn, &(struct sfn_path_env){ 0 }, NULL);
	SFN_CHECK(a && a == b, "folded result reused");
	json_decref(a);
	json_decref(b);
	sfn_intrinsic_free(fn);

	/* UUIDs differ from call to call. */
	fn = sfn_intrinsic_compile("States.UUID()", NULL);
	a = sfn_intrinsic_eval(fn, &(struct sfn_path_env){ 0 }, NULL);
	b = sfn_intrinsic_eval(fn, &(struct sfn_path_env){ 0 }, NULL);
	SFN_CHECK(a && b && strcmp(json_string_value(a), json_string_value(b)),
		  "two UUIDs differ");
	json_decref(a);
	json_decref(b);
	sfn_intrinsic_free(fn);

	/* MathRandom without a seed stays in [start, end). */
	fn = sfn_intrinsic_compile("States.MathRandom(1, 4)", NULL);
	bool seen[5] = { false };
	bool in_range = true;
	for (int i = 0; i < 200; i++) {
		a = sfn_intrinsic_eval(fn, &(struct sfn_path_env){ 0 }, NULL);
		json_int_t x = json_integer_value(a);
		in_range = in_range && x >= 1 && x < 4;
		if (x >= 0 && x < 5)
			seen[x] = true;
		json_decref(a);
	}
	SFN_CHECK(in_range && seen[1] && seen[2] && seen[3],
		  "MathRandom(1, 4) gives 1, 2 and 3 only");
	sfn_intrinsic_free(fn);
}

/* No arguments: everything; else only the golden files named. */
int main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			golden_file(argv[i], eval_case);
		return sfn_test_done();
	}
	test_api();
	int files = golden_dir("testdata/intrinsics", eval_case);
	SFN_CHECK(files > 0, "golden files found in testdata/intrinsics");
	return sfn_test_done();
}
