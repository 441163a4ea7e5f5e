/*
 * jsonata_bench: times lib/jsonata on ../shared/bench/jsonata_workload.json,
 * the same 24 expressions and documents the reference engine is timed on
 * by ../shared/bench/jsonata_bench.js. Each expression is compiled once,
 * its result checked against the workload's SHA-256 of JSON.stringify's
 * text, then evaluated in a loop: the best of TRIALS windows of SECONDS.
 * Each document is prepared once (sfn_jsonata_input_new), outside the
 * timed loop, as the reference parses it once with JSON.parse outside its
 * loop; the result is checked on both paths, sfn_jsonata_eval on the
 * jansson document and sfn_jsonata_eval_input, and the latter is timed.
 *
 * usage: jsonata_bench WORKLOAD [--seconds=S] [--trials=N] [--only=TEXT]
 *        [--json=FILE] [--iterations=N] [--seed=N] [--jansson]
 *
 * --jansson times sfn_jsonata_eval on the jansson document instead, to
 * compare the two paths.
 *
 * --iterations=N evaluates each expression exactly N times after the check
 * and reports no rate: for instruction counts, e.g.
 *   valgrind --tool=callgrind --toggle-collect=run_iterations \
 *     jsonata_bench WORKLOAD --only=sfn_block --iterations=1000 --seed=1
 * (the evaluations and their results' json_decref).
 *
 * --seed=N fixes jansson's hash seed (random by default), which decides
 * how keys collide in its tables: with it, instruction counts repeat
 * exactly from run to run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/base.h"
#include "jsonata/jsonata.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * --iterations: @n evaluations, each with its result's json_decref, in a
 * function of its own, so that callgrind counts them alone:
 *   --toggle-collect=run_iterations
 */
__attribute__((noinline)) static void
run_iterations(const struct sfn_jsonata *e, json_t *input,
	       const struct sfn_jsonata_input *in, json_t *bind, long n,
	       bool jansson)
{
	for (long i = 0; i < n; i++) {
		json_t *r = NULL;
		if (jansson)
			sfn_jsonata_eval(e, input, bind, NULL, &r, NULL);
		else
			sfn_jsonata_eval_input(e, in, bind, NULL, &r, NULL);
		json_decref(r);
	}
}

int main(int argc, char **argv)
{
	const char *path = NULL, *only = NULL, *jsonout = NULL;
	double seconds = 1.0;
	int trials = 3, bad = 0;
	long iterations = 0;
	unsigned long seed = 0;
	bool jansson = false;
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--seconds=", 10))
			seconds = strtod(argv[i] + 10, NULL);
		else if (!strncmp(argv[i], "--trials=", 9))
			trials = (int)strtol(argv[i] + 9, NULL, 10);
		else if (!strncmp(argv[i], "--only=", 7))
			only = argv[i] + 7;
		else if (!strncmp(argv[i], "--iterations=", 13))
			iterations = strtol(argv[i] + 13, NULL, 10);
		else if (!strncmp(argv[i], "--seed=", 7))
			seed = strtoul(argv[i] + 7, NULL, 10);
		else if (!strcmp(argv[i], "--jansson"))
			jansson = true;
		else if (!strncmp(argv[i], "--json=", 7))
			jsonout = argv[i] + 7;
		else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: jsonata_bench WORKLOAD [--seconds=S] "
				"[--trials=N] [--only=TEXT] [--json=FILE] "
				"[--iterations=N] [--seed=N] [--jansson]\n");
		return 2;
	}
	/* before the first object: its hash tables use the seed */
	if (seed)
		json_object_seed((size_t)seed);
	json_error_t je;
	json_t *w = json_load_file(path, 0, &je);
	if (!w) {
		fprintf(stderr, "jsonata_bench: %s:%d: %s\n", path, je.line,
			je.text);
		return 3;
	}
	json_t *datasets = json_object_get(w, "datasets");
	json_t *bindings = json_object_get(w, "bindings");
	json_t *cases = json_object_get(w, "cases");
	json_t *report = json_array();
	size_t i;
	json_t *tc;
	printf("%-24s %14s %12s  %s\n", "case", "evals/s", "us/eval", "result");
	json_array_foreach(cases, i, tc) {
		const char *name =
			json_string_value(json_object_get(tc, "name"));
		const char *expr =
			json_string_value(json_object_get(tc, "expr"));
		if (only && !strstr(name, only))
			continue;
		json_t *ds = json_object_get(tc, "dataset");
		json_t *input = json_is_string(ds)
					? json_object_get(datasets,
							  json_string_value(ds))
					: NULL;
		json_t *bn = json_object_get(tc, "bindings");
		json_t *bind = json_is_string(bn)
				       ? json_object_get(bindings,
							 json_string_value(bn))
				       : NULL;
		struct sfn_jsonata_error err = { 0 };
		struct sfn_jsonata *e =
			sfn_jsonata_compile(expr, strlen(expr), 0, &err);
		if (!e) {
			printf("%-24s compile error %s: %s\n", name, err.code,
			       err.message);
			sfn_jsonata_error_release(&err);
			bad++;
			continue;
		}
		struct sfn_jsonata_input *in = sfn_jsonata_input_new(input);
		bool ok = true;
		for (int way = 0; way < 2; way++) {
			json_t *result = NULL;
			int rc = way ? sfn_jsonata_eval_input(e, in, bind, NULL,
							      &result, &err)
				     : sfn_jsonata_eval(e, input, bind, NULL,
							&result, &err);
			if (rc < 0) {
				printf("%-24s error %s: %s\n", name, err.code,
				       err.message);
				sfn_jsonata_error_release(&err);
				ok = false;
				break;
			}
			struct sfn_strbuf sb = SFN_STRBUF_INIT;
			if (result)
				sfn_json_dump(&sb, result, 0);
			char hex[65];
			sfn_sha256_hex(sb.buf, sb.len, hex);
			const char *want = json_string_value(json_object_get(
				json_object_get(tc, "expected"), "sha256"));
			if (!want || strcmp(want, hex)) {
				ok = false;
				printf("%-24s WRONG RESULT (%s): %.120s\n",
				       name, way ? "prepared" : "jansson",
				       sb.buf);
			}
			sfn_strbuf_release(&sb);
			json_decref(result);
		}
		if (!ok)
			bad++;
		if (iterations > 0) {
			run_iterations(e, input, in, bind, iterations, jansson);
			printf("%-24s %14s %12s  %s (%ld evaluations)\n", name,
			       "-", "-", ok ? "ok" : "WRONG", iterations);
			sfn_jsonata_input_free(in);
			sfn_jsonata_free(e);
			continue;
		}
		/* warm up, then the best of the windows */
		double best = 0;
		for (int t = 0; t <= trials; t++) {
			/* batches keep the clock out of the measurement, as in
			 * jsonata_bench.js's timeLoop */
			double start = now_s(), el = 0;
			double limit = t == 0 ? seconds * 0.3 : seconds;
			long n = 0, batch = 1;
			while (el < limit) {
				for (long b = 0; b < batch; b++) {
					json_t *r = NULL;
					if (jansson)
						sfn_jsonata_eval(e, input, bind,
								 NULL, &r,
								 NULL);
					else
						sfn_jsonata_eval_input(
							e, in, bind, NULL, &r,
							NULL);
					json_decref(r);
				}
				n += batch;
				el = now_s() - start;
				if (el < limit / 20)
					batch *= 2;
			}
			double rate = (double)n / el;
			if (t > 0 && rate > best)
				best = rate;
		}
		printf("%-24s %14.1f %12.3f  %s\n", name, best, 1e6 / best,
		       ok ? "ok" : "WRONG");
		fflush(stdout);
		json_array_append_new(report, json_pack("{s:s,s:f,s:b}", "name",
							name, "evals_per_sec",
							best, "correct", ok));
		sfn_jsonata_input_free(in);
		sfn_jsonata_free(e);
	}
	if (jsonout) {
		json_t *doc = json_pack("{s:s,s:o}", "engine", "sfn", "results",
					report);
		json_dump_file(doc, jsonout, JSON_INDENT(2));
		json_decref(doc);
	} else {
		json_decref(report);
	}
	json_decref(w);
	return bad ? 1 : 0;
}
