/*
 * sfn test-state: AWS's TestState API, locally (issue #8). Builds the
 * TestState request from flags (or takes it whole with --request), sets up
 * the same Task backends as sfn run, and prints the TestState response.
 */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "asl/asl.h"
#include "cli.h"
#include "exec/exec.h"
#include "exec/test_state.h"
#include "runenv.h"
#include "task/task.h"

enum {
	OPT_INPUT = 256,
	OPT_INPUT_FILE,
	OPT_STATE,
	OPT_LEVEL,
	OPT_REVEAL,
	OPT_VARIABLES,
	OPT_CONTEXT,
	OPT_MOCK_RESULT,
	OPT_MOCK_ERROR,
	OPT_MOCK_CAUSE,
	OPT_FIELD_MODE,
	OPT_RETRY_COUNT,
	OPT_CAUSED_BY,
	OPT_FAILURE_COUNT,
	OPT_READER_DATA,
	OPT_REQUEST,
	OPT_FORMAT,
	OPT_CONFIG,
	OPT_MOCK_CONFIG,
	OPT_TEST_CASE,
	OPT_TIME_SCALE,
	OPT_LOGICAL_ID,
};

static const struct option longopts[] = {
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "input-file", required_argument, NULL, OPT_INPUT_FILE },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "inspection-level", required_argument, NULL, OPT_LEVEL },
	{ "reveal-secrets", no_argument, NULL, OPT_REVEAL },
	{ "variables", required_argument, NULL, OPT_VARIABLES },
	{ "context", required_argument, NULL, OPT_CONTEXT },
	{ "mock-result", required_argument, NULL, OPT_MOCK_RESULT },
	{ "mock-error", required_argument, NULL, OPT_MOCK_ERROR },
	{ "mock-cause", required_argument, NULL, OPT_MOCK_CAUSE },
	{ "field-validation-mode", required_argument, NULL, OPT_FIELD_MODE },
	{ "retrier-retry-count", required_argument, NULL, OPT_RETRY_COUNT },
	{ "error-caused-by-state", required_argument, NULL, OPT_CAUSED_BY },
	{ "map-iteration-failure-count", required_argument, NULL,
	  OPT_FAILURE_COUNT },
	{ "map-item-reader-data", required_argument, NULL, OPT_READER_DATA },
	{ "request", required_argument, NULL, OPT_REQUEST },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "mock-config", required_argument, NULL, OPT_MOCK_CONFIG },
	{ "test-case", required_argument, NULL, OPT_TEST_CASE },
	{ "time-scale", required_argument, NULL, OPT_TIME_SCALE },
	{ "logical-id", required_argument, NULL, OPT_LOGICAL_ID },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

#define CMD "test-state"

/* A flag's JSON text, checked here so a typo names the flag. */
static int json_flag(const char *flag, const char *text, json_t **out)
{
	json_error_t je;
	*out = sfn_json_loads(text, JSON_DECODE_ANY, &je);
	if (*out)
		return 0;
	fprintf(stderr, "sfn test-state: %s is not JSON: %s at character %d\n",
		flag, je.text, je.position);
	return SFN_EXIT_INPUT;
}

/* Sets @key of @obj to @v serialised, as the API takes JSON strings. */
static void set_json_string(json_t *obj, const char *key, json_t *v)
{
	char *s = sfn_json_dumps(v, 0);
	json_object_set_new(obj, key, json_string(s));
	free(s);
	json_decref(v);
}

static json_t *object_at(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_object(v)) {
		v = json_object();
		json_object_set_new(obj, key, v);
	}
	return v;
}

static int count_flag(const char *flag, const char *text, json_int_t *n)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (*end || end == text || v < 0 || errno)
		return sfn_cmd_usage_error(
			CMD, "%s wants a number >= 0, not '%s'", flag, text);
	*n = (json_int_t)v;
	return 0;
}

/* ---- the pretty table ---- */

static void pretty_row(const char *label, const char *value)
{
	printf("  %-28s %s\n", label, value);
}

static void print_pretty(const json_t *r)
{
	static const char *const steps[] = {
		"input",
		"afterInputPath",
		"afterParameters",
		"afterArguments",
		"afterItemsPath",
		"afterItemSelector",
		"maxConcurrency",
		"toleratedFailureCount",
		"toleratedFailurePercentage",
		"result",
		"afterResultSelector",
		"afterResultPath",
		"variables",
	};
	const json_t *insp = json_object_get(r, "inspectionData");
	printf("status: %s\n", json_string_value(json_object_get(r, "status")));
	bool any = false;
	for (size_t i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
		const char *v =
			json_string_value(json_object_get(insp, steps[i]));
		if (!v)
			continue;
		if (!any)
			printf("steps:\n");
		any = true;
		pretty_row(steps[i], v);
	}
	static const char *const http[] = { "request", "response" };
	for (int k = 0; k < 2; k++) {
		const json_t *h = json_object_get(insp, http[k]);
		if (!h)
			continue;
		printf("%s:\n", http[k]);
		const char *key;
		json_t *v;
		json_object_foreach((json_t *)h, key, v) {
			char *s =
				json_is_string(v) ? NULL : sfn_json_dumps(v, 0);
			pretty_row(key, s ? s : json_string_value(v));
			free(s);
		}
	}
	const json_t *ed = json_object_get(insp, "errorDetails");
	if (ed) {
		char *s = sfn_json_dumps(ed, 0);
		printf("errorDetails: %s\n", s);
		free(s);
	}
	static const char *const tail[] = { "error", "cause", "nextState",
					    "output" };
	for (int k = 0; k < 4; k++) {
		const char *v = json_string_value(json_object_get(r, tail[k]));
		if (v)
			printf("%s: %s\n", tail[k], v);
	}
}

int cmd_test_state(int argc, char **argv)
{
	const char *input_text = NULL, *input_file = NULL, *state = NULL;
	const char *level = NULL, *mock_error = NULL, *mock_cause = NULL;
	const char *field_mode = NULL, *caused_by = NULL, *request_path = NULL;
	const char *format = "json", *config_path = NULL, *test_case = NULL;
	const char *mock_path = getenv("SFN_MOCK_CONFIG");
	bool mock_from_env = mock_path != NULL;
	const char *scale_text = NULL, *now_text = getenv("SFN_TEST_NOW");
	const char *variables = NULL, *context = NULL, *mock_result = NULL;
	const char *reader_data = NULL;
	bool reveal = false, has_retry = false, has_failures = false;
	json_int_t retry_count = 0, failure_count = 0;
	int c, rc = SFN_EXIT_HOST;
	struct sfn_doc *doc = NULL, *mdoc = NULL;
	struct sfn_machine_list list = { 0 };
	const char *logical_id = NULL;
	json_t *req = NULL, *config = NULL, *mock = NULL, *resp = NULL, *v;
	char *sm_name = NULL, *base_dir = NULL;
	struct sfn_task_env tenv = { 0 };
	struct sfn_host host;
	struct sfn_error err = SFN_ERROR_INIT;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_INPUT:
			input_text = optarg;
			break;
		case OPT_INPUT_FILE:
			input_file = optarg;
			break;
		case OPT_STATE:
			state = optarg;
			break;
		case OPT_LEVEL:
			level = optarg;
			break;
		case OPT_REVEAL:
			reveal = true;
			break;
		case OPT_VARIABLES:
			variables = optarg;
			break;
		case OPT_CONTEXT:
			context = optarg;
			break;
		case OPT_MOCK_RESULT:
			mock_result = optarg;
			break;
		case OPT_MOCK_ERROR:
			mock_error = optarg;
			break;
		case OPT_MOCK_CAUSE:
			mock_cause = optarg;
			break;
		case OPT_FIELD_MODE:
			field_mode = optarg;
			break;
		case OPT_RETRY_COUNT:
			if (count_flag("--retrier-retry-count", optarg,
				       &retry_count))
				return SFN_EXIT_USAGE;
			has_retry = true;
			break;
		case OPT_CAUSED_BY:
			caused_by = optarg;
			break;
		case OPT_FAILURE_COUNT:
			if (count_flag("--map-iteration-failure-count", optarg,
				       &failure_count))
				return SFN_EXIT_USAGE;
			has_failures = true;
			break;
		case OPT_READER_DATA:
			reader_data = optarg;
			break;
		case OPT_REQUEST:
			request_path = optarg;
			break;
		case OPT_FORMAT:
			format = optarg;
			break;
		case OPT_CONFIG:
			config_path = optarg;
			break;
		case OPT_MOCK_CONFIG:
			mock_path = optarg;
			mock_from_env = false;
			break;
		case OPT_TEST_CASE:
			test_case = optarg;
			break;
		case OPT_TIME_SCALE:
			scale_text = optarg;
			break;
		case OPT_LOGICAL_ID:
			logical_id = optarg;
			break;
		case 'h':
			sfn_cmd_print_help(sfn_cmd_find(CMD), stdout);
			return SFN_EXIT_OK;
		case ':':
			return sfn_cmd_missing_value(CMD, argv);
		default:
			return sfn_cmd_unknown_option(CMD, argv);
		}
	}
	if (argc - optind > 1)
		return sfn_cmd_usage_error(CMD, "one definition file only");
	const char *path = optind < argc ? argv[optind] : NULL;
	if (!path && !request_path)
		return sfn_cmd_usage_error(
			CMD, "no definition file given (or --request FILE)");
	if (input_text && input_file)
		return sfn_cmd_usage_error(
			CMD, "--input and --input-file exclude each other");
	const char *const stdin_what[] = { "--request", "--input-file",
					   "--mock-config", "--config",
					   "the definition" };
	const char *const stdin_paths[] = { request_path, input_file, mock_path,
					    config_path, path };
	if (sfn_cli_one_stdin(CMD, 5, stdin_what, stdin_paths))
		return SFN_EXIT_USAGE;
	if (mock_cause && !mock_error)
		return sfn_cmd_usage_error(CMD,
					   "--mock-cause needs --mock-error");
	if (strcmp(format, "json") && strcmp(format, "compact") &&
	    strcmp(format, "pretty"))
		return sfn_cmd_usage_error(
			CMD, "--format is json, compact or pretty, not '%s'",
			format);
	double scale = 0;
	if (scale_text) {
		char *end;
		scale = strtod(scale_text, &end);
		if (*end || end == scale_text || scale < 0)
			return sfn_cmd_usage_error(
				CMD,
				"--time-scale wants a number >= 0, not '%s'",
				scale_text);
	}
	double start;
	bool pinned = false;
	if (now_text && *now_text && sfn_time_parse(now_text, &start) == 0) {
		pinned = true;
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		start = (double)ts.tv_sec +
			(double)(ts.tv_nsec / 1000000) / 1e3;
	}
	sfn_host_init(&host, pinned);

	/* The request: --request, then the flags over it. */
	if (request_path) {
		req = sfn_cli_load_value(request_path);
		if (!req) {
			rc = SFN_EXIT_INPUT;
			goto out;
		}
		if (!json_is_object(req)) {
			fprintf(stderr,
				"%s: error: a TestState request is a JSON "
				"object {\"definition\": ..., \"input\": "
				"...}\n",
				sfn_display_name(request_path));
			rc = SFN_EXIT_INPUT;
			goto out;
		}
	} else {
		req = json_object();
	}
	if (path) {
		doc = sfn_doc_load_file(path, 0, NULL, &err);
		if (!doc) {
			rc = sfn_cli_print_load_error(
				stderr, sfn_display_name(path), &err, false);
			goto out;
		}
		mdoc = doc;
		if (sfn_is_template(sfn_doc_root(doc))) {
			/* A CloudFormation/SAM template: one of its machines.
			 */
			int picked =
				sfn_cli_pick_machine("test-state", path, doc,
						     logical_id, &list, NULL);
			if (picked != SFN_EXIT_OK) {
				rc = picked;
				goto out;
			}
			mdoc = list.v[0].doc;
			sm_name = sfn_xstrdup(list.v[0].logical_id);
		} else {
			sm_name = sfn_cli_machine_name(path);
		}
		json_object_set(req, "definition", sfn_doc_root(mdoc));
	} else {
		sm_name = sfn_xstrdup("TestStateMachine");
	}
	if (input_text) {
		if ((rc = json_flag("--input", input_text, &v)))
			goto out;
		set_json_string(req, "input", v);
	} else if (input_file) {
		v = sfn_cli_load_value(input_file);
		if (!v) {
			rc = SFN_EXIT_INPUT;
			goto out;
		}
		set_json_string(req, "input", v);
	}
	if (state)
		json_object_set_new(req, "stateName", json_string(state));
	if (level)
		json_object_set_new(req, "inspectionLevel", json_string(level));
	if (reveal)
		json_object_set_new(req, "revealSecrets", json_true());
	if (variables) {
		if ((rc = json_flag("--variables", variables, &v)))
			goto out;
		set_json_string(req, "variables", v);
	}
	if (context) {
		if ((rc = json_flag("--context", context, &v)))
			goto out;
		set_json_string(req, "context", v);
	}
	if (mock_result) {
		if ((rc = json_flag("--mock-result", mock_result, &v)))
			goto out;
		json_decref(v); /* as typed: AWS may echo it verbatim */
		json_object_set_new(object_at(req, "mock"), "result",
				    json_string(mock_result));
	}
	if (mock_error) {
		json_t *eo = json_pack("{s:s}", "error", mock_error);
		if (mock_cause)
			json_object_set_new(eo, "cause",
					    json_string(mock_cause));
		json_object_set_new(object_at(req, "mock"), "errorOutput", eo);
	}
	if (field_mode)
		json_object_set_new(object_at(req, "mock"),
				    "fieldValidationMode",
				    json_string(field_mode));
	if (has_retry)
		json_object_set_new(object_at(req, "stateConfiguration"),
				    "retrierRetryCount",
				    json_integer(retry_count));
	if (caused_by)
		json_object_set_new(object_at(req, "stateConfiguration"),
				    "errorCausedByState",
				    json_string(caused_by));
	if (has_failures)
		json_object_set_new(object_at(req, "stateConfiguration"),
				    "mapIterationFailureCount",
				    json_integer(failure_count));
	if (reader_data) {
		if ((rc = json_flag("--map-item-reader-data", reader_data, &v)))
			goto out;
		set_json_string(object_at(req, "stateConfiguration"),
				"mapItemReaderData", v);
	}
	rc = SFN_EXIT_HOST;

	/*
	 * Task backends: mocks, then local handlers, as sfn run. As there,
	 * SFN_MOCK_CONFIG only names the file: without a test case it mocks
	 * nothing.
	 */
	if (mock_from_env && !test_case)
		mock_path = NULL;
	if (mock_path && *mock_path) {
		mock = sfn_cli_load_value(mock_path);
		if (!mock) {
			rc = SFN_EXIT_INPUT;
			goto out;
		}
		if (!test_case) {
			fprintf(stderr, "sfn test-state: --mock-config needs "
					"--test-case NAME\n");
			rc = SFN_EXIT_USAGE;
			goto out;
		}
		/* A misspelt case would leave every state unmocked. */
		if (!sfn_cli_mock_case_ok(CMD, mock_path, mock, sm_name,
					  test_case)) {
			rc = SFN_EXIT_USAGE;
			goto out;
		}
	}
	if (!config_path)
		config_path = sfn_cli_default_config();
	if (config_path) {
		config = sfn_cli_load_value(config_path);
		if (!config) {
			rc = SFN_EXIT_INPUT;
			goto out;
		}
		base_dir = sfn_cli_dirname(config_path);
	}
	atomic_int cancel_root;
	atomic_init(&cancel_root, 0);
	tenv.config = config;
	tenv.config_path = config_path;
	tenv.mock_config = mock;
	tenv.mock_test_case = test_case;
	tenv.state_machine_name = sm_name;
	tenv.cancel = &cancel_root;
	tenv.base_dir = base_dir;
	tenv.reveal_secrets =
		json_is_true(json_object_get(req, "revealSecrets"));
	const char *region = getenv("AWS_REGION");
	if (!region || !*region)
		region = getenv("AWS_DEFAULT_REGION");

	unsigned char rnd[16];
	char uuid[37];
	sfn_host_random(&host, rnd, sizeof(rnd));
	sfn_format_uuid(uuid, rnd);
	struct sfn_test_state_host h = {
		.task_env = &tenv,
		.start_time = start,
		.pinned_clock = pinned,
		.time_scale = scale,
		.monotonic = sfn_host_monotonic,
		.random = sfn_host_random,
		.ud = &host,
		.region = region && *region ? region : "us-east-1",
		.state_machine_name = sm_name,
		.execution_name = uuid,
	};
	if (sfn_test_state(req, &h, &resp, &err) < 0) {
		const char *file = path ? sfn_display_name(path)
					: sfn_display_name(request_path);
		int line = 0, col = 0;
		if (err.where && mdoc)
			sfn_doc_pos(mdoc, err.where, true, &line, &col);
		if (line)
			fprintf(stderr, "%s:%d:%d: error: %s [%s]\n", file,
				line, col, err.cause ? err.cause : "",
				err.name);
		else
			fprintf(stderr, "%s: error: %s [%s]\n", file,
				err.cause ? err.cause : "", err.name);
		rc = SFN_EXIT_FAIL;
		goto out;
	}
	if (!strcmp(format, "pretty")) {
		print_pretty(resp);
	} else {
		char *s = sfn_json_dumps(
			resp, strcmp(format, "compact") ? SFN_JSON_PRETTY : 0);
		puts(s);
		free(s);
	}
	rc = SFN_EXIT_OK;
out:
	json_decref(resp);
	json_decref(req);
	json_decref(config);
	json_decref(mock);
	sfn_task_env_release(&tenv);
	sfn_machine_list_release(&list);
	sfn_doc_free(doc);
	sfn_error_release(&err);
	sfn_host_release(&host);
	free(sm_name);
	free(base_dir);
	return rc;
}
