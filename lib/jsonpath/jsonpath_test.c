#include "jsonpath/jsonpath.h"

#include <stdlib.h>
#include <string.h>

#include "base/test.h"
#include "jsonpath/golden.h"

/* The golden files in testdata/jsonpath: compile, then eval, set or explain a
 * miss. */
static json_t *eval_case(const struct golden_case *c, struct sfn_error *err)
{
	struct sfn_path *p = sfn_path_compile(c->expr, c->flags, err);
	if (!p)
		return NULL;
	json_t *out = NULL;
	if (!c->input) {
		out = json_null(); /* compiled, though a failure was expected */
		goto done;
	}
	struct sfn_path_env env = { .input = c->input,
				    .context = c->context,
				    .variable = golden_var,
				    .ud = c->vars };
	if (c->set_value) {
		out = sfn_path_set(p, c->input, c->set_value, err);
	} else if (c->miss) {
		out = sfn_path_eval(p, &env, err);
		if (!out && !sfn_error_is_set(err)) {
			char *why = sfn_path_miss_cause(p, &env);
			out = json_string(why);
			free(why);
		}
	} else {
		out = sfn_path_eval(p, &env, err);
	}
done:
	sfn_path_free(p);
	return out;
}

/* ResultPath shares what it does not change (copy-on-write). */
static void test_set_shares(void)
{
	json_t *doc = json_loads("{\"a\":{\"b\":1,\"big\":[1,2,3]},\"c\":[4]}",
				 0, NULL);
	json_t *v = json_string("x");
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_path *p =
		sfn_path_compile("$.a.new", SFN_PATH_REFERENCE, &err);
	json_t *out = sfn_path_set(p, doc, v, &err);
	SFN_CHECK(out && out != doc, "set returns a new document");
	SFN_CHECK(json_object_get(out, "c") == json_object_get(doc, "c"),
		  "untouched member shared");
	SFN_CHECK(json_object_get(json_object_get(out, "a"), "big") ==
			  json_object_get(json_object_get(doc, "a"), "big"),
		  "untouched sibling on the path shared");
	SFN_CHECK(json_object_get(out, "a") != json_object_get(doc, "a"),
		  "changed object copied");
	SFN_CHECK(!json_object_get(json_object_get(doc, "a"), "new"),
		  "input left unchanged");
	SFN_CHECK(json_object_get(json_object_get(out, "a"), "new") == v,
		  "value placed by reference");
	json_decref(out);
	sfn_path_free(p);
	json_decref(v);
	json_decref(doc);
}

/* The definite fast path hands out the value itself, not a copy. */
static void test_eval_borrows(void)
{
	json_t *doc = json_loads("{\"a\":{\"b\":[1,{\"c\":2}]}}", 0, NULL);
	struct sfn_path *p = sfn_path_compile("$.a.b[1]", 0, NULL);
	struct sfn_path_env env = { .input = doc };
	json_t *v = sfn_path_eval(p, &env, NULL);
	SFN_CHECK(v == json_array_get(
			       json_object_get(json_object_get(doc, "a"), "b"),
			       1),
		  "eval returns the node itself");
	SFN_CHECK(sfn_path_is_definite(p) && sfn_path_is_reference(p),
		  "$.a.b[1] is a definite reference path");
	SFN_CHECK_INT(v->refcount, 2, "one new reference");
	json_decref(v);
	sfn_path_free(p);

	p = sfn_path_compile("$x.a", SFN_PATH_ALLOW_VARIABLE, NULL);
	SFN_CHECK(p && sfn_path_root(p) == SFN_ROOT_VARIABLE, "variable root");
	SFN_CHECK_STR(sfn_path_variable(p), "x", "variable name");
	SFN_CHECK_STR(sfn_path_text(p), "$x.a", "text kept");
	sfn_path_free(p);
	p = sfn_path_compile("$$.Execution.Id", SFN_PATH_ALLOW_CONTEXT, NULL);
	SFN_CHECK(p && sfn_path_root(p) == SFN_ROOT_CONTEXT, "context root");
	SFN_CHECK(sfn_path_variable(p) == NULL, "no variable name");
	sfn_path_free(p);
	p = sfn_path_compile("$..a", 0, NULL);
	SFN_CHECK(p && !sfn_path_is_definite(p) && !sfn_path_is_reference(p),
		  "$..a is indefinite");
	sfn_path_free(p);
	json_decref(doc);
}

/* No arguments: everything; else only the golden files named. */
int main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			golden_file(argv[i], eval_case);
		return sfn_test_done();
	}
	test_set_shares();
	test_eval_borrows();
	int files = golden_dir("testdata/jsonpath", eval_case);
	SFN_CHECK(files > 0, "golden files found in testdata/jsonpath");
	return sfn_test_done();
}
