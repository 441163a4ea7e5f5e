/*
 * Loading test files. The format (docs/test.md, schemas/test.schema.json):
 *
 *   definition: orders.asl.yaml      # or a template, with logicalId
 *   logicalId: Orders                # optional
 *   stateMachineName: orders         # optional: what mock files key on
 *   mockConfig: mocks.json           # optional AWS MockConfigFile
 *   config: sfn.config.yaml          # optional local handlers
 *   cases:
 *     - name: happy path
 *       input: {...}
 *       testCase: HappyPath          # a test case of mockConfig
 *       mocks: {State: {Return: ...}, Other: [{Throw: ...}, {Return: ...}]}
 *       executionName: run-1
 *       expect: {...}                # see check.c
 *
 * Unknown keys are errors, so a typo never turns an expectation off.
 */
#include "suite/suite.h"

#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl/asl.h"
#include "base/banned.h"

struct sfn_suite {
	char *path;
	char *definition;
	char *logical_id;
	char *state_machine_name;
	char *mock_config;
	char *config;
	struct sfn_suite_case *cases;
	size_t n_cases;
};

static const char *const top_keys[] = { "definition",	    "logicalId",
					"stateMachineName", "mockConfig",
					"config",	    "cases",
					"description",	    NULL };
static const char *const case_keys[] = { "name",	  "input",
					 "testCase",	  "mocks",
					 "executionName", "expect",
					 "description",	  NULL };

static bool known(const char *const *keys, const char *k)
{
	for (; *keys; keys++)
		if (!strcmp(*keys, k))
			return true;
	return false;
}

/* Sets @err located at @where in @doc; returns -1. */
static int fail_at(const struct sfn_doc *doc, struct sfn_error *err,
		   const char *where, const char *fmt, ...) SFN_PRINTF(4, 5);
static int fail_at(const struct sfn_doc *doc, struct sfn_error *err,
		   const char *where, const char *fmt, ...)
{
	int line = 0, col = 0;
	va_list ap;
	sfn_doc_pos(doc, where, false, &line, &col);
	va_start(ap, fmt);
	sfn_verrorf(err, "SFN_TEST_FILE", where, fmt, ap);
	va_end(ap);
	sfn_error_at(err, line, col);
	return -1;
}

/* @rel resolved against the directory of @file, as a new string. */
static char *resolve(const char *file, const char *rel)
{
	if (rel[0] == '/' || !strcmp(file, "-"))
		return sfn_xstrdup(rel);
	char *copy = sfn_xstrdup(file);
	char *dir = dirname(copy);
	char *out = strcmp(dir, ".") ? sfn_xasprintf("%s/%s", dir, rel)
				     : sfn_xstrdup(rel);
	free(copy);
	return out;
}

static int opt_string(const struct sfn_doc *doc, json_t *obj, const char *key,
		      const char *where, char **out, struct sfn_error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_string(v)) {
		char *p = sfn_xasprintf("%s/%s", where, key);
		fail_at(doc, err, p, "'%s' must be a string", key);
		free(p);
		return -1;
	}
	*out = sfn_xstrdup(json_string_value(v));
	return 0;
}

static int load_case(const struct sfn_doc *doc, json_t *v, size_t i,
		     struct sfn_suite_case *c, struct sfn_error *err)
{
	char *where = sfn_xasprintf("/cases/%zu", i);
	const char *key;
	json_t *item;
	int rc = -1;

	c->where = where;
	sfn_doc_pos(doc, where, false, &c->line, &c->col);
	if (!json_is_object(v)) {
		fail_at(doc, err, where, "a case must be an object");
		return -1;
	}
	json_object_foreach(v, key, item) {
		if (!known(case_keys, key)) {
			char *p = sfn_xasprintf("%s/%s", where, key);
			fail_at(doc, err, p,
				"unknown key '%s' in a case; known: name, "
				"input, testCase, mocks, executionName, expect",
				key);
			free(p);
			return -1;
		}
	}
	if (opt_string(doc, v, "name", where, &c->name, err) < 0 ||
	    opt_string(doc, v, "testCase", where, &c->test_case, err) < 0 ||
	    opt_string(doc, v, "executionName", where, &c->execution_name,
		       err) < 0)
		return -1;
	if (!c->name)
		c->name = sfn_xasprintf("case %zu", i + 1);
	c->input = json_object_get(v, "input");
	c->input = c->input ? json_incref(c->input) : json_object();
	c->mocks = json_incref(json_object_get(v, "mocks"));
	if (c->mocks && !json_is_object(c->mocks)) {
		char *p = sfn_xasprintf("%s/mocks", where);
		fail_at(doc, err, p,
			"'mocks' must map state names to responses");
		free(p);
		return -1;
	}
	c->expect = json_object_get(v, "expect");
	if (c->expect && !json_is_object(c->expect)) {
		char *p = sfn_xasprintf("%s/expect", where);
		fail_at(doc, err, p, "'expect' must be an object");
		free(p);
		return -1;
	}
	c->expect = c->expect ? json_incref(c->expect) : json_object();
	rc = 0;
	return rc;
}

struct sfn_suite *sfn_suite_load(const char *path, struct sfn_error *err)
{
	struct sfn_suite *s = sfn_xcalloc(1, sizeof(*s));
	struct sfn_doc *doc = sfn_doc_load_file(path, 0, NULL, err);
	json_t *root, *cases;
	const char *key;
	json_t *v;
	char *def = NULL, *mock = NULL, *config = NULL;

	s->path = sfn_xstrdup(path);
	if (!doc)
		goto fail;
	root = sfn_doc_root(doc);
	if (!json_is_object(root)) {
		fail_at(doc, err, "",
			"a test file must be an object with 'definition' and "
			"'cases'");
		goto fail;
	}
	json_object_foreach(root, key, v) {
		if (!known(top_keys, key)) {
			char *p = sfn_xasprintf("/%s", key);
			fail_at(doc, err, p,
				"unknown key '%s'; known: definition, "
				"logicalId, stateMachineName, mockConfig, "
				"config, cases",
				key);
			free(p);
			goto fail;
		}
	}
	if (opt_string(doc, root, "definition", "", &def, err) < 0 ||
	    opt_string(doc, root, "logicalId", "", &s->logical_id, err) < 0 ||
	    opt_string(doc, root, "stateMachineName", "",
		       &s->state_machine_name, err) < 0 ||
	    opt_string(doc, root, "mockConfig", "", &mock, err) < 0 ||
	    opt_string(doc, root, "config", "", &config, err) < 0)
		goto fail;
	if (!def) {
		fail_at(doc, err, "",
			"no 'definition': name the state machine's file");
		goto fail;
	}
	s->definition = resolve(path, def);
	s->mock_config = mock ? resolve(path, mock) : NULL;
	s->config = config ? resolve(path, config) : NULL;
	cases = json_object_get(root, "cases");
	if (!json_is_array(cases) || !json_array_size(cases)) {
		fail_at(doc, err, cases ? "/cases" : "",
			"'cases' must be a list of at least one case");
		goto fail;
	}
	s->n_cases = json_array_size(cases);
	s->cases = sfn_xcalloc(s->n_cases, sizeof(*s->cases));
	for (size_t i = 0; i < s->n_cases; i++)
		if (load_case(doc, json_array_get(cases, i), i, &s->cases[i],
			      err) < 0)
			goto fail;
	free(def);
	free(mock);
	free(config);
	sfn_doc_free(doc);
	return s;
fail:
	free(def);
	free(mock);
	free(config);
	sfn_doc_free(doc);
	sfn_suite_free(s);
	return NULL;
}

void sfn_suite_free(struct sfn_suite *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_cases; i++) {
		struct sfn_suite_case *c = &s->cases[i];
		free(c->name);
		json_decref(c->input);
		free(c->test_case);
		json_decref(c->mocks);
		free(c->execution_name);
		json_decref(c->expect);
		free(c->where);
	}
	free(s->cases);
	free(s->path);
	free(s->definition);
	free(s->logical_id);
	free(s->state_machine_name);
	free(s->mock_config);
	free(s->config);
	free(s);
}

const char *sfn_suite_path(const struct sfn_suite *s)
{
	return s->path;
}

const char *sfn_suite_definition(const struct sfn_suite *s)
{
	return s->definition;
}

const char *sfn_suite_logical_id(const struct sfn_suite *s)
{
	return s->logical_id;
}

const char *sfn_suite_state_machine_name(const struct sfn_suite *s)
{
	return s->state_machine_name;
}

const char *sfn_suite_mock_config(const struct sfn_suite *s)
{
	return s->mock_config;
}

const char *sfn_suite_config(const struct sfn_suite *s)
{
	return s->config;
}

size_t sfn_suite_n_cases(const struct sfn_suite *s)
{
	return s->n_cases;
}

const struct sfn_suite_case *sfn_suite_case(const struct sfn_suite *s, size_t i)
{
	return i < s->n_cases ? &s->cases[i] : NULL;
}

/*
 * Inline mocks become a test case of their own, "sfn-test:<case>", in a
 * copy of the file's MockConfigFile: a state's response is one response
 * (served for every invocation) or a list (invocation i gets item i).
 */
json_t *sfn_suite_case_mocks(const struct sfn_suite_case *c,
			     const char *state_machine_name, json_t *file_mocks,
			     const char **test_case)
{
	json_t *out, *machines, *machine, *cases, *responses, *tc;
	const char *state;
	json_t *resp;

	*test_case = c->test_case;
	if (!c->mocks)
		return file_mocks ? json_deep_copy(file_mocks) : NULL;
	out = file_mocks ? json_deep_copy(file_mocks) : json_object();
	machines = json_object_get(out, "StateMachines");
	if (!json_is_object(machines)) {
		machines = json_object();
		json_object_set_new(out, "StateMachines", machines);
	}
	machine = json_object_get(machines, state_machine_name);
	if (!json_is_object(machine)) {
		machine = json_object();
		json_object_set_new(machines, state_machine_name, machine);
	}
	cases = json_object_get(machine, "TestCases");
	if (!json_is_object(cases)) {
		cases = json_object();
		json_object_set_new(machine, "TestCases", cases);
	}
	responses = json_object_get(out, "MockedResponses");
	if (!json_is_object(responses)) {
		responses = json_object();
		json_object_set_new(out, "MockedResponses", responses);
	}
	/* Start from the named test case, so inline mocks add to it. */
	tc = c->test_case ? json_object_get(cases, c->test_case) : NULL;
	tc = json_is_object(tc) ? json_deep_copy(tc) : json_object();
	json_object_foreach(c->mocks, state, resp) {
		char *name = sfn_xasprintf("sfn-test:%s:%s", c->name, state);
		json_t *byinv = json_object();
		if (json_is_array(resp)) {
			size_t i;
			json_t *r;
			json_array_foreach(resp, i, r) {
				char key[24];
				snprintf(key, sizeof(key), "%zu", i);
				json_object_set(byinv, key, r);
			}
		} else {
			/* One response for every invocation. */
			json_object_set(byinv, "0-1000000", resp);
		}
		json_object_set_new(responses, name, byinv);
		json_object_set_new(tc, state, json_string(name));
		free(name);
	}
	char *tc_name = sfn_xasprintf("sfn-test:%s", c->name);
	json_object_set_new(cases, tc_name, tc);
	/* The key is owned by @cases now; hand back its stable copy. */
	json_object_set_new(out, "x-sfn-test-case", json_string(tc_name));
	*test_case = json_string_value(json_object_get(out, "x-sfn-test-case"));
	free(tc_name);
	return out;
}
