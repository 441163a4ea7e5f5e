#include "exec/test_state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "asl/model.h"
#include "exec/exec.h"
#include "exec/exec_int.h"

/*
 * sfn test-state (sfn-features.md §5). The request is checked with AWS's
 * rules and message texts, the state found (a lone state is wrapped into a
 * machine whose Next targets are stand-in Succeed states), then run once
 * through sfn_exec_test_run, which reports each data-flow step here.
 */

#define VALIDATION  "ValidationException"
#define INVALID_DEF "InvalidDefinition"
#define LONE_NAME   "TestState"

/* What one run collects: the inspect callback's steps. */
struct collect {
	json_t *steps;		  /* step -> value; owned */
	json_t *selected;	  /* afterItemSelector items; owned */
	struct sfn_task_env *env; /* masks secrets; may be NULL */
};

/* A new copy of @v with the integrations' secrets masked (unless
 * revealed): TestState shows no secret unless asked. */
static json_t *masked(struct sfn_task_env *env, const json_t *v)
{
	if (!env)
		return json_deep_copy(v);
	json_t *m = sfn_task_redact(env, (json_t *)v);
	json_t *c = json_deep_copy(m);
	json_decref(m);
	return c;
}

void sfn_exec_test_inspect(struct sfn_exec *x, const char *step,
			   const json_t *value)
{
	const struct sfn_exec_test *t = x->o.test;
	if (t && t->inspect)
		t->inspect(t->ud, step, value);
}

enum sfn_task_outcome sfn_exec_test_mock(struct sfn_exec *x, json_t **result,
					 struct sfn_error *err)
{
	const struct sfn_exec_test *t = x->o.test;
	*result = NULL;
	if (t->mock_result) {
		*result = json_deep_copy(t->mock_result);
		return SFN_TASK_OK;
	}
	sfn_error_release(err);
	err->name = sfn_xstrdup(t->mock_error);
	err->cause = t->mock_cause ? sfn_xstrdup(t->mock_cause) : NULL;
	return SFN_TASK_FAILED;
}

static void collect_step(void *ud, const char *step, const json_t *value)
{
	struct collect *c = ud;
	if (!strcmp(step, "afterItemSelector")) {
		if (!c->selected)
			c->selected = json_array();
		json_array_append_new(c->selected, masked(c->env, value));
		return;
	}
	json_object_set_new(c->steps, step, masked(c->env, value));
}

/* ---- finding the state ---- */

static const struct sfn_state *find_in(const struct sfn_machine *m,
				       const char *name, bool *in_map)
{
	for (size_t i = 0; i < m->n_states; i++) {
		const struct sfn_state *s = &m->states[i];
		if (!strcmp(s->name, name))
			return s;
	}
	for (size_t i = 0; i < m->n_states; i++) {
		const struct sfn_state *s = &m->states[i];
		for (size_t b = 0; b < s->n_branches; b++) {
			const struct sfn_state *r =
				find_in(s->branches[b], name, in_map);
			if (r) {
				return r;
			}
		}
		if (s->processor) {
			const struct sfn_machine *pm = s->processor;
			for (size_t k = 0; k < pm->n_states; k++)
				if (!strcmp(pm->states[k].name, name)) {
					*in_map = true;
					return &pm->states[k];
				}
			const struct sfn_state *r = find_in(pm, name, in_map);
			if (r)
				return r;
		}
	}
	return NULL;
}

/* Adds a stand-in Succeed state for @next unless the machine has it. */
static void add_standin(json_t *states, const json_t *next)
{
	const char *n = json_string_value(next);
	if (n && !json_object_get(states, n))
		json_object_set_new(states, n,
				    json_pack("{s:s}", "Type", "Succeed"));
}

/* A lone state as a machine: {"StartAt": LONE_NAME, "States": {...}}. */
static json_t *wrap_state(const json_t *state)
{
	json_t *states = json_object();
	json_object_set(states, LONE_NAME, (json_t *)state);
	add_standin(states, json_object_get(state, "Next"));
	add_standin(states, json_object_get(state, "Default"));
	const char *arrays[] = { "Choices", "Catch" };
	for (int k = 0; k < 2; k++) {
		size_t i;
		json_t *c;
		json_array_foreach(json_object_get(state, arrays[k]), i, c)
			add_standin(states, json_object_get(c, "Next"));
	}
	return json_pack("{s:s,s:o}", "StartAt", LONE_NAME, "States", states);
}

/* ---- request checks ---- */

static int validation(struct sfn_error *err, const char *fmt, ...)
	SFN_PRINTF(2, 3);
static int validation(struct sfn_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sfn_verrorf(err, VALIDATION, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

/* A request field that AWS takes as a JSON string; NULL when absent. */
static json_t *json_field(const json_t *req, const char *key, bool *bad)
{
	const json_t *v = json_object_get(req, key);
	*bad = false;
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v))
		return json_incref((json_t *)v); /* already parsed (flags) */
	json_t *p = sfn_json_loads(json_string_value(v), JSON_DECODE_ANY, NULL);
	if (!p)
		*bad = true;
	return p;
}

/* Is @field a member of the Context object's @part (asl-core.md)? */
static bool context_field(const char *part, const char *field)
{
	static const char *const fields[][8] = {
		{ "Execution", "Id", "Input", "Name", "RoleArn", "StartTime",
		  "RedriveCount", "RedriveTime" },
		{ "State", "EnteredTime", "Name", "RetryCount" },
		{ "StateMachine", "Id", "Name" },
		{ "Task", "Token" },
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
		if (strcmp(fields[i][0], part))
			continue;
		for (size_t k = 1; k < 8 && fields[i][k]; k++)
			if (!strcmp(fields[i][k], field))
				return true;
	}
	return false;
}

static int check_context(const json_t *ctx, struct sfn_error *err)
{
	static const char pre[] = "Invalid Context object provided: ";
	if (!json_is_object(ctx))
		return validation(err,
				  "%sthe Context object must be a JSON "
				  "object",
				  pre);
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)ctx, key, v) {
		if (!strcmp(key, "Map"))
			return validation(err,
					  "%s'Map' field is not supported "
					  "when mocking a Context object",
					  pre);
		if (strcmp(key, "Execution") && strcmp(key, "State") &&
		    strcmp(key, "StateMachine") && strcmp(key, "Task"))
			return validation(err, "%sField '%s' is not allowed",
					  pre, key);
		if (!json_is_object(v))
			return validation(err, "%s%s must be an object", pre,
					  key);
		const char *k2;
		json_t *v2;
		json_object_foreach(v, k2, v2) {
			if (!context_field(key, k2))
				return validation(err,
						  "%sField '%s' is not allowed",
						  pre, k2);
			bool num = !strcmp(k2, "RetryCount") ||
				   !strcmp(k2, "RedriveCount");
			bool obj = !strcmp(k2, "Input");
			if (obj || json_is_null(v2))
				continue;
			if (num && !json_is_integer(v2))
				return validation(err,
						  "%s%s.%s must be an integer",
						  pre, key, k2);
			if (!num && !json_is_string(v2))
				return validation(err,
						  "%s%s.%s must be a string",
						  pre, key, k2);
		}
	}
	return 0;
}

static bool mockable(enum sfn_state_type t)
{
	return t == SFN_STATE_TASK || t == SFN_STATE_MAP ||
	       t == SFN_STATE_PARALLEL;
}

/*
 * A Map's number field for inspectionData: a number, as AWS shows it;
 * @dflt (>= 0) when the field is absent, nothing when it is not literal.
 */
static void map_number(json_t *insp, const char *key,
		       const struct sfn_num_field *nf, double dflt)
{
	double v = dflt;
	if (nf->set && (nf->path || nf->expr))
		return;
	if (nf->set)
		v = nf->value;
	if (v < 0)
		return;
	/* A whole number a json_int_t holds (below 2^63) as an integer;
	 * converting a larger one is undefined. */
	json_object_set_new(insp, key,
			    v == floor(v) && v < 9223372036854775808.0
				    ? json_integer((json_int_t)v)
				    : json_real(v));
}

static void put_dump(json_t *obj, const char *key, const json_t *v)
{
	if (!v)
		return;
	char *s = sfn_json_dumps(v, 0);
	json_object_set_new(obj, key, json_string(s));
	free(s);
}

/* The parsed request, owned values. */
struct request {
	json_t *definition, *input, *variables, *context, *mock_result;
	json_t *reader_data;
	const char *mock_text; /* the mock result as given; borrowed */
	const char *state_name, *level, *caused_by, *role_arn;
	bool reveal;
	const char *mock_error, *mock_cause;
	json_int_t retry_count, failure_count;
	bool has_mock, has_failure_count;
};

static void request_release(struct request *rq)
{
	json_decref(rq->definition);
	json_decref(rq->input);
	json_decref(rq->variables);
	json_decref(rq->context);
	json_decref(rq->mock_result);
	json_decref(rq->reader_data);
}

/*
 * A key of @obj not in @known (NULL-terminated) is refused, as the AWS CLI
 * does before sending (botocore's ParamValidationError): a misspelt field
 * must not be silently dropped.
 */
static int unknown_params(const json_t *obj, const char *where,
			  const char *const *known, struct sfn_error *err)
{
	const char *key;
	json_t *v;
	if (!json_is_object(obj))
		return 0;
	json_object_foreach((json_t *)obj, key, v) {
		size_t i = 0;
		while (known[i] && strcmp(known[i], key))
			i++;
		if (known[i])
			continue;
		struct sfn_strbuf sb = SFN_STRBUF_INIT;
		for (i = 0; known[i]; i++)
			sfn_strbuf_addf(&sb, "%s%s", i ? ", " : "", known[i]);
		sfn_errorf(err, "ParamValidationError", NULL,
			   "Parameter validation failed: Unknown parameter "
			   "in %s: \"%s\", must be one of: %s",
			   where, key, sb.buf);
		sfn_strbuf_release(&sb);
		return -1;
	}
	return 0;
}

static int parse_request(const json_t *req, struct request *rq,
			 struct sfn_error *err)
{
	static const char *const top[] = { "definition",
					   "roleArn",
					   "input",
					   "inspectionLevel",
					   "revealSecrets",
					   "variables",
					   "stateName",
					   "mock",
					   "context",
					   "stateConfiguration",
					   NULL };
	static const char *const mock_keys[] = { "result", "errorOutput",
						 "fieldValidationMode", NULL };
	static const char *const eo_keys[] = { "error", "cause", NULL };
	static const char *const sc_keys[] = { "retrierRetryCount",
					       "errorCausedByState",
					       "mapIterationFailureCount",
					       "mapItemReaderData", NULL };
	bool bad;
	if (!json_is_object(req))
		return validation(err, "the request must be a JSON object");
	const json_t *m = json_object_get(req, "mock");
	if (unknown_params(req, "input", top, err) < 0 ||
	    unknown_params(m, "mock", mock_keys, err) < 0 ||
	    unknown_params(json_object_get(m, "errorOutput"),
			   "mock.errorOutput", eo_keys, err) < 0 ||
	    unknown_params(json_object_get(req, "stateConfiguration"),
			   "stateConfiguration", sc_keys, err) < 0)
		return -1;
	const json_t *def = json_object_get(req, "definition");
	if (!def)
		return validation(err, "1 validation error detected: Value "
				       "null at 'definition' failed to "
				       "satisfy constraint: Member must not "
				       "be null");
	rq->definition = json_field(req, "definition", &bad);
	if (bad || !json_is_object(rq->definition))
		return sfn_errorf(err, INVALID_DEF, NULL,
				  "Invalid State Machine Definition: "
				  "'definition' is not a JSON object");
	rq->input = json_field(req, "input", &bad);
	if (bad)
		return sfn_errorf(err, "InvalidExecutionInput", NULL,
				  "Invalid State Input: 'input' is not "
				  "valid JSON");
	if (!rq->input)
		rq->input = json_object();
	rq->variables = json_field(req, "variables", &bad);
	if (bad || (rq->variables && !json_is_object(rq->variables)))
		return validation(err, "Invalid variables provided: the "
				       "variables must be a JSON object");
	rq->context = json_field(req, "context", &bad);
	if (bad)
		return validation(err, "Invalid Context object provided: "
				       "the context is not valid JSON");
	if (rq->context && check_context(rq->context, err) < 0)
		return -1;
	rq->state_name = json_string_value(json_object_get(req, "stateName"));
	rq->role_arn = json_string_value(json_object_get(req, "roleArn"));
	rq->level = json_string_value(json_object_get(req, "inspectionLevel"));
	if (!rq->level)
		rq->level = "INFO";
	if (strcmp(rq->level, "INFO") && strcmp(rq->level, "DEBUG") &&
	    strcmp(rq->level, "TRACE"))
		return validation(err,
				  "1 validation error detected: Value '%s' at "
				  "'inspectionLevel' failed to satisfy "
				  "constraint: Member must satisfy enum value "
				  "set: [INFO, DEBUG, TRACE]",
				  rq->level);
	const json_t *mock = json_object_get(req, "mock");
	if (mock && !json_is_null(mock)) {
		rq->has_mock = true;
		const json_t *res = json_object_get(mock, "result");
		const json_t *eo = json_object_get(mock, "errorOutput");
		if (!res == !eo)
			return validation(err,
					  "A test mock should have only one of "
					  "the following fields: [result, "
					  "errorOutput].");
		if (res) {
			rq->mock_result = json_field(mock, "result", &bad);
			rq->mock_text = json_string_value(res);
			if (bad || !rq->mock_result)
				return validation(
					err,
					"Mocked result must be valid JSON");
		} else {
			rq->mock_error =
				json_string_value(json_object_get(eo, "error"));
			rq->mock_cause =
				json_string_value(json_object_get(eo, "cause"));
			if (!rq->mock_error)
				return validation(
					err,
					"1 validation error detected: Value "
					"null at 'mock.errorOutput.error' "
					"failed to satisfy constraint: Member "
					"must not be null");
		}
		const char *mode = json_string_value(
			json_object_get(mock, "fieldValidationMode"));
		if (mode && strcmp(mode, "STRICT") && strcmp(mode, "PRESENT") &&
		    strcmp(mode, "NONE"))
			return validation(
				err,
				"1 validation error detected: Value '%s' at "
				"'mock.fieldValidationMode' failed to satisfy "
				"constraint: Member must satisfy enum value "
				"set: [STRICT, PRESENT, NONE]",
				mode);
	}
	const json_t *sc = json_object_get(req, "stateConfiguration");
	const json_t *rc = json_object_get(sc, "retrierRetryCount");
	const json_t *fc = json_object_get(sc, "mapIterationFailureCount");
	if (rc && (!json_is_integer(rc) || json_integer_value(rc) < 0))
		return validation(err, "1 validation error detected: Value at "
				       "'stateConfiguration.retrierRetryCount' "
				       "failed to satisfy constraint: Member "
				       "must have value greater than or equal "
				       "to 0");
	if (fc && (!json_is_integer(fc) || json_integer_value(fc) < 0))
		return validation(
			err, "1 validation error detected: Value at "
			     "'stateConfiguration.mapIterationFailureCount' "
			     "failed to satisfy constraint: Member must have "
			     "value greater than or equal to 0");
	rq->caused_by =
		json_string_value(json_object_get(sc, "errorCausedByState"));
	rq->reader_data = json_field(sc, "mapItemReaderData", &bad);
	if (bad || (rq->reader_data && !json_is_array(rq->reader_data)))
		return validation(err, "mapItemReaderData must be a JSON "
				       "array of the items the ItemReader "
				       "would read");
	rq->reveal = json_is_true(json_object_get(req, "revealSecrets"));
	rq->retry_count = rc ? json_integer_value(rc) : 0;
	rq->failure_count = fc ? json_integer_value(fc) : 0;
	rq->has_failure_count = fc != NULL;
	return 0;
}

/* The mock against the state's type (sfn-features.md §5.3). */
static int check_mock(const struct request *rq, const struct sfn_state *st,
		      bool writer, struct sfn_error *err)
{
	if (rq->has_failure_count && !rq->has_mock)
		return validation(err, "TestState does not support "
				       "MapIterationFailureCount when a mock "
				       "is not specified.");
	if (rq->reader_data && st->type != SFN_STATE_MAP)
		return validation(err, "mapItemReaderData is only supported "
				       "when testing a Map state");
	if (rq->caused_by) {
		bool found = false;
		for (size_t b = 0; b < st->n_branches && !found; b++)
			found = find_in(st->branches[b], rq->caused_by,
					&(bool){ false }) != NULL;
		if (st->processor && !found)
			found = find_in(st->processor, rq->caused_by,
					&(bool){ false }) != NULL;
		if (!found)
			return validation(err,
					  "errorCausedByState '%s' is not a "
					  "state inside the tested Map or "
					  "Parallel state",
					  rq->caused_by);
	}
	if (!rq->has_mock)
		return 0;
	if (!mockable(st->type))
		return validation(err,
				  "State type '%s' is not supported when a "
				  "mock is specified",
				  sfn_state_type_name(st->type));
	if (rq->reveal)
		return validation(err, "TestState does not support "
				       "RevealSecrets when a mock is "
				       "specified.");
	if (json_object_get(rq->context, "Task") &&
	    (st->type != SFN_STATE_TASK ||
	     (!strstr(st->resource, ".sync") &&
	      !strstr(st->resource, ".waitForTaskToken"))))
		return validation(err,
				  "Invalid Context object provided: Context "
				  "object contains 'Task' when state is not a "
				  "Task state with a '.sync' or "
				  "'.waitForTaskToken' service integration "
				  "pattern");
	if (!rq->mock_result)
		return 0;
	if (st->type == SFN_STATE_PARALLEL) {
		if (!json_is_array(rq->mock_result))
			return validation(err, "Mocked result must be an "
					       "array.");
		if (json_array_size(rq->mock_result) != st->n_branches)
			return validation(err, "Mocked result must contain "
					       "the same number of items as "
					       "number of Parallel branches.");
	}
	if (st->type == SFN_STATE_MAP && writer) {
		if (!json_is_object(rq->mock_result))
			return validation(err, "Mocked result must be a JSON "
					       "object.");
	} else if (st->type == SFN_STATE_MAP) {
		if (!json_is_array(rq->mock_result))
			return validation(err, "Mocked result must be an "
					       "array.");
		if (rq->failure_count >
		    (json_int_t)json_array_size(rq->mock_result))
			return validation(err, "Map iteration failure count "
					       "must be less than or equal to "
					       "the number of Map iterations");
	}
	return 0;
}

/* Does the mocked Map's failure count exceed its tolerance? */
static bool over_tolerance(const struct sfn_state *st, json_int_t failed,
			   size_t n)
{
	if (failed <= 0)
		return false;
	bool lit_c = st->tolerated_count.set && !st->tolerated_count.path &&
		     !st->tolerated_count.expr;
	bool lit_p = st->tolerated_pct.set && !st->tolerated_pct.path &&
		     !st->tolerated_pct.expr;
	if (!lit_c && !lit_p)
		return true; /* no tolerance: any failure fails the Map */
	if (lit_c && (double)failed <= st->tolerated_count.value)
		return false;
	if (lit_p && n &&
	    100.0 * (double)failed / (double)n <= st->tolerated_pct.value)
		return false;
	return true;
}

static const char *const status_names[] = { "SUCCEEDED", "FAILED", "RETRIABLE",
					    "CAUGHT_ERROR" };

int sfn_test_state(const json_t *request, const struct sfn_test_state_host *h,
		   json_t **response, struct sfn_error *err)
{
	struct request rq = { 0 };
	struct sfn_machine *m = NULL;
	json_t *root = NULL;
	int rc = -1;
	*response = NULL;
	if (parse_request(request, &rq, err) < 0)
		goto out;

	/* The machine and the state. */
	bool lone = !json_object_get(rq.definition, "States");
	if (lone && rq.state_name) {
		validation(err, "State not found in definition");
		goto out;
	}
	root = lone ? wrap_state(rq.definition) : json_incref(rq.definition);
	m = sfn_machine_compile(root, err);
	if (!m) {
		/* The position in the lone state, not in our wrapper. */
		static const char pre[] = "/States/" LONE_NAME;
		if (lone && err->where &&
		    !strncmp(err->where, pre, sizeof(pre) - 1)) {
			char *w = sfn_xstrdup(err->where + sizeof(pre) - 1);
			free(err->where);
			err->where = w;
		}
		free(err->name);
		err->name = sfn_xstrdup(INVALID_DEF);
		goto out;
	}
	bool in_map = false;
	const struct sfn_state *st =
		lone		? m->start
		: rq.state_name ? find_in(m, rq.state_name, &in_map)
				: m->start;
	if (!st) {
		validation(err, "State not found in definition");
		goto out;
	}
	/* The model has no ResultWriter; the definition tells. */
	json_t *sjson = sfn_pointer_get(root, st->where);
	bool writer = json_object_get(sjson, "ResultWriter") != NULL;
	if (check_mock(&rq, st, writer, err) < 0)
		goto out;

	/* Secrets come only from integrations that really ran; the
	 * integrations (and libcurl) are not even loaded otherwise. */
	struct sfn_task_env *menv =
		mockable(st->type) && !rq.has_mock ? h->task_env : NULL;
	struct collect col = { .steps = json_object(), .env = menv };
	json_t *map_item = NULL;
	if (in_map && !rq.context)
		map_item =
			json_pack("{s:i,s:O}", "Index", 0, "Value", rq.input);
	const char *merr = rq.mock_error, *mcause = rq.mock_cause;
	if (st->type == SFN_STATE_MAP && rq.mock_result &&
	    over_tolerance(st, rq.failure_count,
			   json_array_size(rq.mock_result))) {
		merr = "States.ExceedToleratedFailureThreshold";
		mcause = "The specified tolerated failure threshold was "
			 "exceeded";
	}
	struct sfn_exec_test t = {
		.state = st,
		.input = rq.input,
		.variables = rq.variables,
		.map_item = map_item,
		.mock_result = merr == rq.mock_error ? rq.mock_result : NULL,
		.mock_error = merr,
		.mock_cause = mcause,
		.retrier_retry_count = (unsigned)rq.retry_count,
		.items = rq.reader_data,
		.context_state = json_object_get(rq.context, "State"),
		.inspect = collect_step,
		.ud = &col,
	};
	struct sfn_exec_options o = {
		.input = rq.input,
		.state_machine_name = h->state_machine_name,
		.execution_name = h->execution_name,
		.region = h->region ? h->region : "us-east-1",
		.account = "123456789012",
		/* AWS runs the test as an express execution; Waits do not
		 * count against its 5 minutes here (a virtual clock). */
		.express = true,
		.no_duration_limit = true,
		.start_time = h->start_time,
		.time_scale = h->time_scale,
		.pinned_clock = h->pinned_clock,
		.monotonic = h->monotonic,
		.random = h->random,
		.ud = h->ud,
		.task_env = h->task_env,
		.test = &t,
	};
	struct sfn_exec *x = sfn_exec_create(m, &o);
	/* The request's role, null without one [OBS], as TestState shows. */
	json_object_set_new(x->ctx_execution, "RoleArn",
			    rq.role_arn ? json_string(rq.role_arn)
					: json_null());
	/* A given Context object replaces what the execution would show. */
	json_t *cx = json_object_get(rq.context, "Execution");
	if (cx && json_is_object(x->ctx_execution))
		json_object_update(x->ctx_execution, cx);
	cx = json_object_get(rq.context, "StateMachine");
	if (cx && json_is_object(x->ctx_statemachine))
		json_object_update(x->ctx_statemachine, cx);
	struct sfn_exec_test_result res;
	sfn_exec_test_run(x, &res);

	/* The response (§5.2): strings where AWS has strings. */
	json_t *r = json_object();
	json_object_set_new(r, "status", json_string(status_names[res.status]));
	if (res.output && rq.mock_text &&
	    sfn_json_equal(res.output, rq.mock_result)) {
		/* AWS passes an untransformed mock result through verbatim. */
		json_object_set_new(r, "output", json_string(rq.mock_text));
	} else if (res.output) {
		json_t *mo = masked(menv, res.output);
		put_dump(r, "output", mo);
		json_decref(mo);
	}
	if (res.status == SFN_TEST_FAILED || res.status == SFN_TEST_RETRIABLE) {
		if (res.error)
			json_object_set_new(r, "error", json_string(res.error));
		if (res.cause)
			json_object_set_new(r, "cause", json_string(res.cause));
	}
	if (res.status == SFN_TEST_CAUGHT_ERROR) {
		/* The catch cleared the frame's error; its output kept it. */
		json_t *eo = json_object_get(col.steps, "errorOutput");
		json_t *v = json_object_get(eo, "Error");
		if (json_is_string(v))
			json_object_set(r, "error", v);
		v = json_object_get(eo, "Cause");
		if (json_is_string(v))
			json_object_set(r, "cause", v);
	}
	if (res.next_state && (res.status == SFN_TEST_SUCCEEDED ||
			       res.status == SFN_TEST_CAUGHT_ERROR))
		json_object_set_new(r, "nextState",
				    json_string(res.next_state));
	json_t *insp = json_object();
	bool debug = strcmp(rq.level, "INFO") != 0;
	bool trace = !strcmp(rq.level, "TRACE");
	if (debug && st->type == SFN_STATE_PASS &&
	    st->qlang == SFN_QL_JSONPATH) {
		/*
		 * AWS's Pass [OBS]: with Result, no afterInputPath nor
		 * afterParameters; without, no result; afterResultSelector
		 * is the result either way (a Pass has no ResultSelector).
		 */
		const char *from = st->result ? "result" : "afterParameters";
		json_t *v = json_object_get(col.steps, from);
		if (v)
			json_object_set(col.steps, "afterResultSelector", v);
		json_object_del(col.steps,
				st->result ? "afterInputPath" : "result");
	}
	if (debug && st->type == SFN_STATE_MAP)
		/* AWS's Map shows no result, JSONPath or JSONata [OBS]. */
		json_object_del(col.steps, "result");
	if (debug) {
		put_dump(insp, "input", rq.input);
		static const char *const order[] = {
			"afterInputPath",  "afterParameters",
			"afterArguments",  "afterItemsPath",
			"result",	   "afterResultSelector",
			"afterResultPath",
		};
		for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++) {
			put_dump(insp, order[i],
				 json_object_get(col.steps, order[i]));
			if (!strcmp(order[i], "afterItemsPath"))
				put_dump(insp, "afterItemSelector",
					 col.selected);
		}
		if (st->type == SFN_STATE_MAP) {
			map_number(insp, "maxConcurrency", &st->max_concurrency,
				   0);
			map_number(insp, "toleratedFailureCount",
				   &st->tolerated_count, -1);
			map_number(insp, "toleratedFailurePercentage",
				   &st->tolerated_pct, -1);
		}
		json_t *http = json_object_get(col.steps, "http");
		if (trace && http) {
			json_t *v = json_object_get(http, "request");
			if (v)
				json_object_set(insp, "request", v);
			v = json_object_get(http, "response");
			if (v)
				json_object_set(insp, "response", v);
		}
		if (json_object_size(res.variables)) {
			json_t *mv = masked(menv, res.variables);
			put_dump(insp, "variables", mv);
			json_decref(mv);
		}
	}
	/* errorDetails is inspection data too: none at INFO [OBS]. */
	if (debug && res.status == SFN_TEST_RETRIABLE) {
		json_t *ed = json_object();
		json_object_set_new(ed, "retryIndex",
				    json_integer(res.retry_index));
		double b = res.retry_backoff;
		json_object_set_new(ed, "retryBackoffIntervalSeconds",
				    b == floor(b) && fabs(b) < 1e15
					    ? json_integer((json_int_t)b)
					    : json_real(b));
		json_object_set_new(insp, "errorDetails", ed);
	} else if (debug && res.status == SFN_TEST_CAUGHT_ERROR) {
		json_object_set_new(
			insp, "errorDetails",
			json_pack("{s:i}", "catchIndex", res.catch_index));
	}
	if (json_object_size(insp))
		json_object_set_new(r, "inspectionData", insp);
	else
		json_decref(insp);
	*response = r;
	rc = 0;
	sfn_exec_test_result_release(&res);
	sfn_exec_free(x);
	json_decref(map_item);
	json_decref(col.steps);
	json_decref(col.selected);
out:
	sfn_machine_free(m);
	json_decref(root);
	request_release(&rq);
	return rc;
}
