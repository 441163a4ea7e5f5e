/*
 * Fuzz target: any text through sfn_jsonata_compile, then evaluation
 * against a small fixed document and bindings, under depth, time and
 * memory limits. Input capped at 4 KiB; a first byte of 0x01 selects the
 * Step Functions dialect. Each expression is evaluated twice, over the
 * jansson document and over a prepared input of it: the prepared input
 * must come out unchanged, and the two results must be the same (where
 * the expression can tell runs apart, by time or chance, only the first).
 * An expression sfn_jsonata_eval may answer before setting an evaluation
 * up (e->quick) is evaluated a third time, set up (under a depth limit
 * that turns the quick answer off), for the same result.
 */
#include "jsonata/jsonata.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata/jsonata_int.h" /* jn_input_intact, jn_json_identical */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char doc_text[] =
	"{\"s\":\"Hello, World\",\"n\":3,\"f\":1.5,\"big\":1e300,\"neg\":-7,"
	"\"a\":[1,2,2,\"x\",[3,[4]],null,true],"
	"\"o\":{\"k\":[1],\"j\":\"{\\\"x\\\":1}\",\"e\":{}},"
	"\"orders\":[{\"id\":1,\"price\":10.5,\"tags\":[\"a\",\"b\"],"
	"\"customer\":{\"name\":\"Ann Lee\",\"region\":\"eu\"}},"
	"{\"id\":2,\"price\":99,\"tags\":[\"b\"],"
	"\"customer\":{\"name\":\"Bo Chan\",\"region\":\"us\"}}],"
	"\"date\":\"2024-02-29T12:34:56.789Z\",\"url\":\"a b/c?d=e&f\"}";

/* the expression may give another result each time it runs */
static bool varies(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "random", "now",	  "millis",
					     "uuid",   "shuffle", "eval" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);
		for (size_t k = 0; k + n <= size; k++)
			if (!memcmp(data + k, names[i], n))
				return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int flags = 0;
	if (size > 4096)
		return 0;
	if (size > 0 && data[0] == 0x01) {
		flags = SFN_JSONATA_AWS;
		data++;
		size--;
	}
	struct sfn_jsonata_error err = { 0 };
	struct sfn_jsonata *e =
		sfn_jsonata_compile((const char *)data, size, flags, &err);
	if (e) {
		json_t *doc = json_loads(doc_text, 0, NULL);
		/* "v" as Step Functions' $states: an object of objects */
		json_t *bind = json_pack(
			"{s:i,s:s,s:[i,i],s:{s:{s:f,s:[{s:i},{s:s}]},s:s}}",
			"x", 42, "name", "sfn", "pair", 1, 2, "v", "a", "b",
			2.5, "l", "c", 1, "c", "d", "s", "t");
		struct sfn_jsonata_limits lim = { 300, 200, 64u << 20 };
		json_t *result = NULL, *presult = NULL;
		struct sfn_jsonata_error perr = { 0 };
		int rc = sfn_jsonata_eval(e, doc, bind, &lim, &result, &err);
		struct sfn_jsonata_input *in = sfn_jsonata_input_new(doc);
		int prc = sfn_jsonata_eval_input(e, in, bind, &lim, &presult,
						 &perr);
		if (!jn_input_intact(in)) {
			fprintf(stderr, "the prepared input changed\n");
			abort();
		}
		/* U1001 is a time or memory limit: one run may reach it */
		if (!varies(data, size) && rc == prc &&
		    (rc < 0 ? strcmp(err.code, perr.code) &&
				      strcmp(err.code, "U1001") &&
				      strcmp(perr.code, "U1001")
			    : !jn_json_identical(result, presult))) {
			fprintf(stderr, "the prepared input gave another "
					"result\n");
			abort();
		}
		if (!varies(data, size) && rc != prc &&
		    strcmp(rc < 0 ? err.code : perr.code, "U1001")) {
			fprintf(stderr,
				"the prepared input failed otherwise\n");
			abort();
		}
		if (e->quick && !varies(data, size) && rc == 0) {
			struct sfn_jsonata_limits slow = lim;
			json_t *sresult = NULL;
			struct sfn_jsonata_error serr = { 0 };
			slow.max_depth = JN_QUICK_DEPTH - 1;
			int src = sfn_jsonata_eval(e, doc, bind, &slow,
						   &sresult, &serr);
			if (src < 0 ? strcmp(serr.code, "U1001") != 0
				    : !jn_json_identical(result, sresult)) {
				fprintf(stderr, "the quick answer differs from "
						"the evaluation's\n");
				abort();
			}
			json_decref(sresult);
			sfn_jsonata_error_release(&serr);
		}
		json_decref(result);
		json_decref(presult);
		sfn_jsonata_error_release(&perr);
		sfn_jsonata_input_free(in);
		json_decref(bind);
		json_decref(doc);
		sfn_jsonata_free(e);
	}
	sfn_jsonata_error_release(&err);
	return 0;
}
