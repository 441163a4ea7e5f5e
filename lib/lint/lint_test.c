/*
 * Unit tests of the linter: small definitions with the codes they must
 * (not) produce; every definition AWS ran (conformance/aws-recorded) must
 * lint without an error; schemas/asl.schema.json must allow exactly the
 * state fields the linter allows.
 */
#include "lint/lint.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/test.h"

static int passed, failed;

/* Lints @text; returns "CODE@where CODE@where ..." (new string). */
static char *lint_codes(const char *text, int flags)
{
	json_error_t je;
	json_t *root = json_loads(text, JSON_DECODE_ANY, &je);
	if (!root)
		return sfn_xasprintf("bad test JSON: %s", je.text);
	struct sfn_diags d = SFN_DIAGS_INIT;
	sfn_lint(root, NULL, flags, &d);
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	for (size_t i = 0; i < d.n; i++)
		sfn_strbuf_addf(&sb, "%s%s@%s", i ? " " : "", d.v[i].code,
				d.v[i].where);
	sfn_diags_release(&d);
	json_decref(root);
	return sfn_strbuf_detach(&sb, NULL);
}

#define M(states) "{\"StartAt\":\"A\",\"States\":{" states "}}"

static const struct {
	const char *def;
	int flags;
	const char *want; /* exact "CODE@where ..." list */
} cases[] = {
	{ M("\"A\":{\"Type\":\"Pass\",\"End\":true}"), 0, "" },
	{ M("\"A\":{\"Type\":\"Pass\",\"Next\":\"Bx\"},\"B\":{\"Type\":"
	    "\"Succeed\"}"),
	  0,
	  "MISSING_TRANSITION_TARGET@/States/A/Next "
	  "MISSING_TRANSITION_TARGET@/States/B" },
	{ M("\"A\":{\"Type\":\"Pass\",\"Next\":\"A\"}"), 0,
	  "MISSING_END_STATE@/States" },
	{ "{\"States\":{}}", 0, "SCHEMA_VALIDATION_FAILED@" },
	{ M("\"A\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::"
	    "lambda:invoke\",\"Parameters\":{\"FunctionName\":\"f\"},"
	    "\"Retry\":[{\"ErrorEquals\":[\"States.ALL\"]},{\"ErrorEquals\":"
	    "[\"X\"],\"BackoffRate\":0.5}],\"End\":true}"),
	  0,
	  "SCHEMA_VALIDATION_FAILED@/States/A/Retry/0/ErrorEquals/0 "
	  "SCHEMA_VALIDATION_FAILED@/States/A/Retry/1/BackoffRate" },
	{ M("\"A\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::"
	    "sqs:sendMessage.waitForTaskToken\",\"Parameters\":{\"QueueUrl\":"
	    "\"q\",\"MessageBody\":\"m\"},\"End\":true}"),
	  SFN_LINT_EXPRESS, "SCHEMA_VALIDATION_FAILED@/States/A/Resource" },
	{ M("\"A\":{\"Type\":\"Pass\",\"Assign\":{\"x\":1},\"Next\":\"B\"},"
	    "\"B\":{\"Type\":\"Pass\",\"QueryLanguage\":\"JSONata\","
	    "\"Output\":\"{% $x + $y %}\",\"End\":true}"),
	  0, "SFN_UNDEFINED_VARIABLE@/States/B/Output" },
	{ M("\"A\":{\"Type\":\"Wait\",\"Seconds\":1,\"Timestamp\":"
	    "\"2020-01-01T00:00:00\",\"End\":true}"),
	  0,
	  "SCHEMA_VALIDATION_FAILED@/States/A "
	  "SCHEMA_VALIDATION_FAILED@/States/A/Timestamp" },
	/* "x" and "x.$" assign the same variable (a template's duplicate). */
	{ M("\"A\":{\"Type\":\"Pass\",\"Assign\":{\"x\":1,\"x.$\":\"$.a\"},"
	    "\"End\":true}"),
	  0, "SCHEMA_VALIDATION_FAILED@/States/A/Assign/x.$" },
	/* Sort terms have a context item, as predicates do. */
	{ "{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"A\",\"States\":{"
	  "\"A\":{\"Type\":\"Pass\",\"Output\":\"{% $states.input.items"
	  "^(>price, name)[0].name %}\",\"End\":true}}}",
	  0, "" },
	/* Positional (#$i) and focus (@$v) bindings are local variables. */
	{ "{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"A\",\"States\":{"
	  "\"A\":{\"Type\":\"Pass\",\"Output\":\"{% $states.input.a#$i"
	  "[$i < 2].b@$v.($v.c) %}\",\"End\":true}}}",
	  0, "" },
	/* A JSONPath Assign value that looks like a path but has no ".$". */
	{ M("\"A\":{\"Type\":\"Pass\",\"Assign\":{\"x\":\"$.a\",\"y\":"
	    "{\"z\":\"$.b\"}},\"End\":true}"),
	  0, "NO_DOLLAR@/States/A/Assign/x NO_DOLLAR@/States/A/Assign/y/z" },
	/* A branch's QueryLanguage has the values of any other. */
	{ M("\"A\":{\"Type\":\"Parallel\",\"Branches\":[{\"QueryLanguage\":"
	    "\"Foo\",\"StartAt\":\"X\",\"States\":{\"X\":{\"Type\":"
	    "\"Succeed\"}}}],\"End\":true}"),
	  0, "SCHEMA_VALIDATION_FAILED@/States/A/Branches/0/QueryLanguage" },
	/* ReaderConfig.MaxItemsPath is JSONPath-only (asl-core.md §2.2). */
	{ "{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"A\",\"States\":{"
	  "\"A\":{\"Type\":\"Map\",\"ItemReader\":{\"Resource\":\"arn:aws:"
	  "states:::s3:getObject\",\"Arguments\":{\"Bucket\":\"b\",\"Key\":"
	  "\"k\"},\"ReaderConfig\":{\"InputType\":\"JSON\",\"MaxItemsPath\":"
	  "\"$.n\"}},\"ItemProcessor\":{\"ProcessorConfig\":{\"Mode\":"
	  "\"DISTRIBUTED\",\"ExecutionType\":\"STANDARD\"},\"StartAt\":\"B\","
	  "\"States\":{\"B\":{\"Type\":\"Succeed\"}}},\"End\":true}}}",
	  0, "SCHEMA_VALIDATION_FAILED@/States/A/ItemReader/ReaderConfig" },
	/* Credentials.RoleArn.$ is JSONPath-only: no RoleArn in JSONata. */
	{ "{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"A\",\"States\":{"
	  "\"A\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:"
	  "invoke\",\"Arguments\":{\"FunctionName\":\"f\"},\"Credentials\":"
	  "{\"RoleArn.$\":\"$.role\"},\"End\":true}}}",
	  0,
	  "SCHEMA_VALIDATION_FAILED@/States/A/Credentials "
	  "SCHEMA_VALIDATION_FAILED@/States/A/Credentials" },
};

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = lint_codes(cases[i].def, cases[i].flags);
		if (strcmp(got, cases[i].want) == 0) {
			passed++;
		} else {
			failed++;
			printf("case %zu: %s\n  want: %s\n  got:  %s\n", i,
			       cases[i].def, cases[i].want, got);
		}
		free(got);
	}
}

/*
 * A definition under AWS's 1 MB limit whose 8000 states each go to a
 * missing state: every "did you mean" hint compared the name with every
 * state, which took minutes. The hints now have a budget.
 */
static void test_many_missing_targets(void)
{
	json_t *states = json_object();
	char name[64], next[64];
	for (int i = 0; i < 8000; i++) {
		snprintf(name, sizeof(name), "ProcessTheIncomingOrderStep%05d",
			 i);
		snprintf(next, sizeof(next), "ProcessTheIncomingOrderStepX%05d",
			 i);
		json_object_set_new(
			states, name,
			json_pack("{s:s,s:s}", "Type", "Pass", "Next", next));
	}
	json_object_set_new(states, "Done",
			    json_pack("{s:s}", "Type", "Succeed"));
	json_t *def =
		json_pack("{s:s,s:o}", "StartAt",
			  "ProcessTheIncomingOrderStep00000", "States", states);
	struct sfn_diags d = SFN_DIAGS_INIT;
	time_t t0 = time(NULL);
	size_t errs = sfn_lint(def, NULL, 0, &d);
	time_t dt = time(NULL) - t0;
	if (errs == 16000 && dt < 30) {
		passed++;
	} else {
		failed++;
		printf("8000 missing targets: %zu errors in %lds\n", errs,
		       (long)dt);
	}
	sfn_diags_release(&d);
	json_decref(def);
}

/* AWS refuses a definition of more than 1048576 characters. */
static json_t *pass_result(const char *s)
{
	return json_pack("{s:s,s:{s:{s:s,s:{s:s},s:b}}}", "StartAt", "A",
			 "States", "A", "Type", "Pass", "Result", "x", s, "End",
			 1);
}

static void test_too_large(void)
{
	json_t *empty = pass_result("");
	char *t = json_dumps(empty, JSON_COMPACT);
	size_t around = strlen(t);
	free(t);
	json_decref(empty);
	for (int big = 0; big < 2; big++) {
		/* 1048576 characters, then one more */
		size_t n = 1048576 - around + (size_t)big;
		char *s = sfn_xmalloc(n + 1);
		memset(s, 'y', n);
		s[n] = '\0';
		json_t *def = pass_result(s);
		struct sfn_diags d = SFN_DIAGS_INIT;
		sfn_lint(def, NULL, 0, &d);
		bool ok = big ? d.n == 1 && !strcmp(d.v[0].code,
						    "SFN_DEFINITION_TOO_LARGE")
			      : d.n == 0;
		if (ok) {
			passed++;
		} else {
			failed++;
			printf("definition of %zu characters: %zu "
			       "diagnostics\n",
			       around + n, d.n);
		}
		sfn_diags_release(&d);
		json_decref(def);
		free(s);
	}
}

/* Every definition that ran on AWS lints without an error. */
static void test_recorded(void)
{
	const char *dir = "../shared/conformance/aws-recorded/cases";
	DIR *d = opendir(dir);
	if (!d) {
		printf("skip: %s not found\n", dir);
		return;
	}
	struct dirent *e;
	size_t n = 0, bad = 0;
	while ((e = readdir(d))) {
		if (!strstr(e->d_name, ".json"))
			continue;
		char *path = sfn_xasprintf("%s/%s", dir, e->d_name);
		json_error_t je;
		json_t *c = json_load_file(path, 0, &je);
		free(path);
		if (!c) {
			printf("%s: %s\n", e->d_name, je.text);
			bad++;
			continue;
		}
		json_t *def = json_object_get(c, "definition");
		const char *type = json_string_value(
			json_object_get(c, "state_machine_type"));
		int flags = type && strcmp(type, "EXPRESS") == 0
				    ? SFN_LINT_EXPRESS
				    : 0;
		struct sfn_diags ds = SFN_DIAGS_INIT;
		size_t errs = sfn_lint(def, NULL, flags, &ds);
		n++;
		if (errs) {
			bad++;
			printf("%s:\n", e->d_name);
			for (size_t i = 0; i < ds.n; i++)
				if (ds.v[i].severity == SFN_SEV_ERROR)
					printf("  %s %s: %s\n", ds.v[i].code,
					       ds.v[i].where, ds.v[i].message);
		}
		sfn_diags_release(&ds);
		json_decref(c);
	}
	closedir(d);
	printf("aws-recorded: %zu definitions, %zu with errors\n", n, bad);
	if (bad)
		failed++;
	else
		passed++;
}

/* schemas/asl.schema.json lists, per state type, the linter's fields. */
static void test_schema(void)
{
	json_error_t je;
	json_t *schema = json_load_file("schemas/asl.schema.json", 0, &je);
	if (!schema) {
		printf("schemas/asl.schema.json: %s\n", je.text);
		failed++;
		return;
	}
	json_t *defs = json_object_get(schema, "definitions");
	for (int t = 0; sfn_lint_type_names[t]; t++) {
		const char *type = sfn_lint_type_names[t];
		json_t *props = json_object_get(json_object_get(defs, type),
						"properties");
		size_t want = 0;
		for (const struct sfn_lint_field *f = sfn_lint_state_fields;
		     f->name; f++) {
			if (!(f->types & (1u << t)))
				continue;
			want++;
			if (json_object_get(props, f->name)) {
				passed++;
			} else {
				failed++;
				printf("schema: %s lacks field %s\n", type,
				       f->name);
			}
		}
		if (json_object_size(props) == want) {
			passed++;
		} else {
			failed++;
			printf("schema: %s has %zu fields, the linter %zu\n",
			       type, json_object_size(props), want);
		}
	}
	json_decref(schema);
}

/* Each field of the table is known (find_field()'s hash table is right). */
static void test_fields(void)
{
	for (const struct sfn_lint_field *f = sfn_lint_state_fields; f->name;
	     f++) {
		int t = 0;
		while (!(f->types & (1u << t)))
			t++;
		char *def = sfn_xasprintf(
			"{\"QueryLanguage\":\"%s\",\"StartAt\":\"A\","
			"\"States\":{\"A\":{\"Type\":\"%s\",\"%s\":null}}}",
			f->lang == SFN_LL_JSONATA ? "JSONata" : "JSONPath",
			sfn_lint_type_names[t], f->name);
		json_t *root = json_loads(def, 0, NULL);
		struct sfn_diags d = SFN_DIAGS_INIT;
		sfn_lint(root, NULL, 0, &d);
		char *bad =
			sfn_xasprintf("Field '%s' is not supported", f->name);
		bool found = false;
		for (size_t i = 0; i < d.n; i++)
			found = found || strcmp(d.v[i].message, bad) == 0;
		if (found) {
			failed++;
			printf("field %s: not known to the linter\n", f->name);
		} else {
			passed++;
		}
		free(bad);
		sfn_diags_release(&d);
		json_decref(root);
		free(def);
	}
}

int main(void)
{
	test_fields();
	test_cases();
	test_many_missing_targets();
	test_too_large();
	test_schema();
	test_recorded();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
