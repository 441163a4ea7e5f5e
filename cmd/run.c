/*
 * sfn run: execute a state machine locally (issue #4). Reads the
 * definition through the loader, compiles the model, sets up identity,
 * clock, randomness and Task backends from flags and the environment, runs
 * the interpreter and prints the output or the failed-execution line.
 */
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "asl/asl.h"
#include "asl/model.h"
#include "cli.h"
#include "exec/exec.h"
#include "journal/journal.h"
#include "runenv.h"
#include "task/task.h"

#define RUN_HELP                                                               \
	"options:\n"                                                           \
	"  --input JSON             the execution input (default {})\n"        \
	"  --input-file FILE        read the input from FILE ('-': stdin)\n"   \
	"  --name NAME              the execution name (default a UUID v4)\n"  \
	"  --type TYPE              standard (default) or express\n"           \
	"  --state-machine-name N   the state machine name (default: the\n"    \
	"                           file name without "                        \
	".json/.yaml/.yml/.asl);\n"                                            \
	"                           N#CASE also selects a mock test case\n"    \
	"  --logical-id ID          the state machine of a template to run\n"  \
	"  --describe               print DescribeExecution's response\n"      \
	"  --pretty                 indent the JSON output\n"                  \
	"  -v, --trace              print each transition on stderr\n"         \
	"  --mock-config FILE       Step Functions Local MockConfigFile\n"     \
	"                           (default $SFN_MOCK_CONFIG)\n"              \
	"  --test-case NAME         the mock test case to use\n"               \
	"  --config FILE            local handlers config (default\n"          \
	"                           sfn.config.yaml, .yml or .json here)\n"    \
	"  --max-threads N          threads for Parallel and Map (default 8\n" \
	"                           where they may wait: a Task, Wait or\n"    \
	"                           retry; else one)\n"                        \
	"  --time-scale F           multiply Waits and retry intervals; 0:\n"  \
	"                           no real waiting, a virtual clock\n"        \
	"                           (default $SFN_TIME_SCALE, else 1)\n"       \
	"  --now RFC3339            pin the start clock (also "                \
	"$SFN_TEST_NOW)\n"                                                     \
	"  --no-payload-limit       lift the 256 KiB payload quota\n"          \
	"  --no-history-limit       lift the 25,000 events quota (STANDARD)\n" \
	"  --no-duration-limit      lift the 5 minutes quota (EXPRESS)\n"      \
	"  --journal-dir DIR        journal executions under DIR (default\n"   \
	"                           $SFN_JOURNAL_DIR, else .sfn)\n"            \
	"  --no-journal             do not journal this run (no redrive)\n"    \
	"  --no-validate            run a definition the linter finds\n"       \
	"                           errors in, which AWS would refuse\n"       \
	"  --cacert FILE            extra CA certificates for HTTPS Tasks\n"   \
	"  --insecure-skip-tls-verify\n"                                       \
	"                           do not verify TLS peers (local "           \
	"stand-ins\n"                                                          \
	"                           only: anyone could read or change "        \
	"calls)\n"                                                             \
	"  --aws-profile NAME       profile for real AWS calls (Bedrock,\n"    \
	"                           Lambda)\n"                                 \
	"  --aws-region REGION      region for real AWS calls\n"               \
	"\nTasks resolve through mocks, then local handlers, then the\n"       \
	"built-in integrations. Exit: 0 SUCCEEDED, 1 FAILED or TIMED_OUT,\n"   \
	"130 ABORTED (Ctrl-C).\n"

enum {
	OPT_INPUT = 256,
	OPT_INPUT_FILE,
	OPT_NAME,
	OPT_TYPE,
	OPT_SM_NAME,
	OPT_LOGICAL_ID,
	OPT_DESCRIBE,
	OPT_PRETTY,
	OPT_MOCK,
	OPT_TEST_CASE,
	OPT_CONFIG,
	OPT_MAX_THREADS,
	OPT_TIME_SCALE,
	OPT_NOW,
	OPT_NO_PAYLOAD,
	OPT_NO_HISTORY,
	OPT_NO_DURATION,
	OPT_NO_JOURNAL,
	OPT_NO_VALIDATE,
	OPT_JOURNAL_DIR,
	OPT_CACERT,
	OPT_INSECURE,
	OPT_AWS_PROFILE,
	OPT_AWS_REGION,
};

static const struct option longopts[] = {
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "input-file", required_argument, NULL, OPT_INPUT_FILE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "state-machine-name", required_argument, NULL, OPT_SM_NAME },
	{ "logical-id", required_argument, NULL, OPT_LOGICAL_ID },
	{ "describe", no_argument, NULL, OPT_DESCRIBE },
	{ "pretty", no_argument, NULL, OPT_PRETTY },
	{ "trace", no_argument, NULL, 'v' },
	{ "mock-config", required_argument, NULL, OPT_MOCK },
	{ "test-case", required_argument, NULL, OPT_TEST_CASE },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "max-threads", required_argument, NULL, OPT_MAX_THREADS },
	{ "time-scale", required_argument, NULL, OPT_TIME_SCALE },
	{ "now", required_argument, NULL, OPT_NOW },
	{ "no-payload-limit", no_argument, NULL, OPT_NO_PAYLOAD },
	{ "no-history-limit", no_argument, NULL, OPT_NO_HISTORY },
	{ "no-duration-limit", no_argument, NULL, OPT_NO_DURATION },
	{ "no-journal", no_argument, NULL, OPT_NO_JOURNAL },
	{ "no-validate", no_argument, NULL, OPT_NO_VALIDATE },
	{ "journal-dir", required_argument, NULL, OPT_JOURNAL_DIR },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "insecure-skip-tls-verify", no_argument, NULL, OPT_INSECURE },
	{ "aws-profile", required_argument, NULL, OPT_AWS_PROFILE },
	{ "aws-region", required_argument, NULL, OPT_AWS_REGION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* ---- helpers ---- */

/*
 * Whether StartExecution takes @name: 1 to 80 characters, none of them
 * whitespace, a control character or one of <>{}[]?*"#%\^|~`$&,;:/
 * (sfn-features.md, cheat sheet).
 */
static bool execution_name_valid(const char *name)
{
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p & 0xc0) != 0x80)
			chars++;
		if (*p <= 0x20 || *p == 0x7f ||
		    strchr("<>{}[]?*\"#%\\^|~`$&,;:/", *p))
			return false;
		/* U+0080..U+009F, the C1 controls: C2 80..C2 9F. */
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return false;
	}
	return chars >= 1 && chars <= 80;
}

static json_t *load_json_file(const char *path, bool *io_error)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	int rc = !strcmp(path, "-") ? sfn_strbuf_read_fd(&sb, 0)
				    : sfn_strbuf_read_file(&sb, path);
	*io_error = false;
	if (rc < 0) {
		fprintf(stderr, "%s: error: cannot read: %s [SFN_IO]\n",
			sfn_display_name(path), strerror(errno));
		sfn_strbuf_release(&sb);
		*io_error = true;
		return NULL;
	}
	json_error_t je;
	json_t *v = sfn_json_loadb(sb.buf, sb.len, JSON_DECODE_ANY, &je);
	if (!v)
		fprintf(stderr, "%s:%d:%d: error: %s [SFN_PARSE]\n",
			sfn_display_name(path), je.line, je.column, je.text);
	sfn_strbuf_release(&sb);
	return v;
}

static void print_describe(struct sfn_exec *x, const char *name, json_t *input,
			   double start, const struct sfn_exec_result *res,
			   bool express, int flags)
{
	char ts[32];
	json_t *d = json_object();
	json_object_set_new(d, "executionArn", json_string(sfn_exec_arn(x)));
	json_object_set_new(d, "stateMachineArn",
			    json_string(sfn_exec_state_machine_arn(x)));
	json_object_set_new(d, "name", json_string(name));
	json_object_set_new(d, "status",
			    json_string(sfn_exec_status_name(res->status)));
	sfn_time_format(ts, start);
	json_object_set_new(d, "startDate", json_string(ts));
	sfn_time_format(ts, res->stop_time);
	json_object_set_new(d, "stopDate", json_string(ts));
	char *s = sfn_json_dumps(input, 0);
	json_object_set_new(d, "input", json_string(s));
	free(s);
	json_object_set_new(d, "inputDetails",
			    json_pack("{s:b}", "included", 1));
	if (res->status == SFN_EXEC_SUCCEEDED) {
		s = sfn_json_dumps(res->output, 0);
		json_object_set_new(d, "output", json_string(s));
		free(s);
		json_object_set_new(d, "outputDetails",
				    json_pack("{s:b}", "included", 1));
	} else {
		if (res->error)
			json_object_set_new(d, "error",
					    json_string(res->error));
		if (res->cause)
			json_object_set_new(d, "cause",
					    json_string(res->cause));
	}
	json_object_set_new(d, "redriveCount", json_integer(0));
	json_object_set_new(
		d, "redriveStatus",
		json_string(res->status == SFN_EXEC_SUCCEEDED || express
				    ? "NOT_REDRIVABLE"
				    : "REDRIVABLE"));
	if (res->status == SFN_EXEC_SUCCEEDED)
		json_object_set_new(
			d, "redriveStatusReason",
			json_string("Execution is SUCCEEDED and cannot be "
				    "redriven"));
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	sfn_json_dump(&sb, d, flags);
	puts(sb.buf);
	sfn_strbuf_release(&sb);
	json_decref(d);
}

/* The keys of the config file and the environment the Tasks read. */
static void print_config_help(void)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	sfn_task_config_help(&sb);
	printf("\nconfig file keys and environment variables:\n"
	       "  handlers.<resource or function>: a local command (argv)\n"
	       "  SFN_MOCK_CONFIG, SFN_TIME_SCALE, SFN_TEST_NOW, "
	       "SFN_JOURNAL_DIR\n");
	for (char *l = sb.buf; *l;) {
		char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		printf("  %.*s\n", (int)n, l);
		l += n + (e != NULL);
	}
	sfn_strbuf_release(&sb);
}

int cmd_run(int argc, char **argv)
{
	const char *input_text = NULL, *input_file = NULL, *exec_name = NULL;
	const char *type = "standard", *sm_name_opt = NULL, *logical_id = NULL;
	const char *mock_path = getenv("SFN_MOCK_CONFIG"), *test_case = NULL;
	const char *config_path = NULL, *now_text = getenv("SFN_TEST_NOW");
	const char *scale_text = getenv("SFN_TIME_SCALE");
	bool mock_from_env = mock_path != NULL;
	bool describe = false, pretty = false, verbose = false;
	bool no_journal = false, no_validate = false, deterministic = false;
	const char *journal_dir = NULL;
	struct sfn_journal *journal = NULL;
	struct sfn_run_journal rj = { 0 };
	struct sfn_event_sink jsink = sfn_run_journal_sink(&rj);
	bool no_payload = false, no_history = false, no_duration = false;
	long max_threads = 0;
	int c, rc = SFN_EXIT_HOST;
	struct sfn_doc *doc = NULL;
	struct sfn_machine_list list = { 0 };
	struct sfn_machine *m = NULL;
	json_t *input = NULL, *config = NULL, *mock = NULL;
	char *sm_name = NULL, *gen_name = NULL, *case_buf = NULL;
	char *base_dir = NULL;
	struct sfn_exec *x = NULL;
	struct sfn_task_env tenv = { 0 };
	struct sfn_exec_result res = { 0 };
	struct sfn_host host;
	struct sfn_diags diags = SFN_DIAGS_INIT;
	struct sfn_error err = SFN_ERROR_INIT;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_INPUT:
			input_text = optarg;
			break;
		case OPT_INPUT_FILE:
			input_file = optarg;
			break;
		case OPT_NAME:
			exec_name = optarg;
			break;
		case OPT_TYPE:
			type = optarg;
			break;
		case OPT_SM_NAME:
			sm_name_opt = optarg;
			break;
		case OPT_LOGICAL_ID:
			logical_id = optarg;
			break;
		case OPT_DESCRIBE:
			describe = true;
			break;
		case OPT_PRETTY:
			pretty = true;
			break;
		case 'v':
			verbose = true;
			break;
		case OPT_MOCK:
			mock_path = optarg;
			mock_from_env = false;
			break;
		case OPT_TEST_CASE:
			test_case = optarg;
			break;
		case OPT_CONFIG:
			config_path = optarg;
			break;
		case OPT_MAX_THREADS: {
			char *end;
			max_threads = strtol(optarg, &end, 10);
			if (*end || max_threads < 1 || max_threads > 1024)
				return sfn_cmd_usage_error(
					"run",
					"--max-threads wants a number from 1 "
					"to 1024, not '%s'",
					optarg);
			break;
		}
		case OPT_TIME_SCALE:
			scale_text = optarg;
			break;
		case OPT_NOW:
			now_text = optarg;
			break;
		case OPT_NO_PAYLOAD:
			no_payload = true;
			break;
		case OPT_NO_HISTORY:
			no_history = true;
			break;
		case OPT_NO_DURATION:
			no_duration = true;
			break;
		case OPT_NO_JOURNAL:
			no_journal = true;
			break;
		case OPT_NO_VALIDATE:
			no_validate = true;
			break;
		case OPT_JOURNAL_DIR:
			journal_dir = optarg;
			break;
		case OPT_CACERT:
			tenv.cacert = optarg;
			break;
		case OPT_INSECURE:
			tenv.insecure = true;
			break;
		case OPT_AWS_PROFILE:
			tenv.aws_profile = optarg;
			break;
		case OPT_AWS_REGION:
			tenv.aws_region = optarg;
			break;
		case 'h':
			sfn_cmd_print_help(sfn_cmd_find("run"), stdout);
			fputs("\n" RUN_HELP, stdout);
			print_config_help();
			return SFN_EXIT_OK;
		case ':':
			return sfn_cmd_missing_value("run", argv);
		default:
			return sfn_cmd_unknown_option("run", argv);
		}
	}
	if (optind != argc - 1)
		return sfn_cmd_usage_error(
			"run", optind >= argc ? "no definition file given"
					      : "one definition file only");
	const char *path = argv[optind];
	if (exec_name && !execution_name_valid(exec_name)) {
		fprintf(stderr, "sfn run: InvalidName: Invalid Name: '%s'\n",
			exec_name);
		return SFN_EXIT_USAGE;
	}
	if (input_text && input_file)
		return sfn_cmd_usage_error(
			"run", "--input and --input-file exclude each other");
	const char *const stdin_what[] = { "--input-file", "--mock-config",
					   "--config", "the definition" };
	const char *const stdin_paths[] = { input_file, mock_path, config_path,
					    path };
	if (sfn_cli_one_stdin("run", 4, stdin_what, stdin_paths))
		return SFN_EXIT_USAGE;
	if (no_journal && journal_dir)
		return sfn_cmd_usage_error(
			"run", "--no-journal and --journal-dir contradict each "
			       "other: give one of them");
	if (strcmp(type, "standard") && strcmp(type, "express") &&
	    strcmp(type, "STANDARD") && strcmp(type, "EXPRESS"))
		return sfn_cmd_usage_error(
			"run", "--type is standard or express, not '%s'", type);
	double scale = 1;
	if (scale_text) {
		char *end;
		scale = strtod(scale_text, &end);
		if (*end || scale < 0 || end == scale_text)
			return sfn_cmd_usage_error(
				"run",
				"--time-scale wants a number >= 0, not '%s'",
				scale_text);
	}
	double start;
	bool pinned = false;
	if (now_text && *now_text) {
		if (sfn_time_parse(now_text, &start) < 0)
			return sfn_cmd_usage_error(
				"run",
				"--now wants an RFC 3339 time such as "
				"2026-01-01T00:00:00Z, not '%s'",
				now_text);
		pinned = true;
		deterministic = getenv("SFN_TEST_NOW") != NULL;
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		start = (double)ts.tv_sec +
			(double)(ts.tv_nsec / 1000000) / 1e3;
	}
	sfn_host_init(&host, deterministic);

	/* The definition. */
	doc = sfn_doc_load_file(path, 0, &diags, &err);
	if (!doc) {
		rc = sfn_cli_print_load_error(stderr, sfn_display_name(path),
					      &err, false);
		goto out;
	}
	int picked = sfn_cli_pick_machine("run", path, doc, logical_id, &list,
					  &diags);
	if (picked != SFN_EXIT_OK) {
		rc = picked;
		goto out;
	}
	struct sfn_doc *mdoc = list.v[0].doc;
	if (!no_validate) {
		rc = sfn_cli_refuse_invalid("run", mdoc,
					    !strcmp(type, "express") ||
						    !strcmp(type, "EXPRESS"));
		if (rc != SFN_EXIT_OK)
			goto out;
	}
	m = sfn_machine_compile(sfn_doc_root(mdoc), &err);
	if (!m) {
		sfn_doc_locate(mdoc, &err);
		struct sfn_diag d = { .severity = SFN_SEV_ERROR,
				      .code = err.name,
				      .message = err.cause,
				      .line = err.line,
				      .col = err.col };
		sfn_cli_print_diag(stderr, sfn_doc_name(mdoc), &d, false);
		rc = SFN_EXIT_FAIL;
		goto out;
	}

	/* The input. */
	if (input_text) {
		json_error_t je;
		input = sfn_json_loads(input_text, JSON_DECODE_ANY, &je);
		if (!input) {
			fprintf(stderr,
				"sfn run: --input is not JSON: %s at "
				"character %d\n",
				je.text, je.position);
			rc = SFN_EXIT_INPUT;
			goto out;
		}
	} else if (input_file) {
		bool io;
		input = load_json_file(input_file, &io);
		if (!input) {
			rc = SFN_EXIT_INPUT;
			goto out;
		}
	} else {
		input = json_object();
	}

	/* Identity. */
	if (sm_name_opt) {
		const char *hash = strchr(sm_name_opt, '#');
		if (hash) {
			sm_name = sfn_xstrndup(sm_name_opt,
					       (size_t)(hash - sm_name_opt));
			if (!test_case)
				test_case = case_buf = sfn_xstrdup(hash + 1);
		} else {
			sm_name = sfn_xstrdup(sm_name_opt);
		}
	} else if (list.v[0].logical_id) {
		sm_name = sfn_xstrdup(list.v[0].logical_id);
	} else {
		sm_name = sfn_cli_machine_name(path);
	}
	if (!exec_name) {
		unsigned char rnd[16];
		char uuid[37];
		sfn_host_random(&host, rnd, sizeof(rnd));
		sfn_format_uuid(uuid, rnd);
		exec_name = gen_name = sfn_xstrdup(uuid);
	}
	const char *region = getenv("AWS_REGION");
	if (!region || !*region)
		region = getenv("AWS_DEFAULT_REGION");
	if (!region || !*region)
		region = "us-east-1";

	/*
	 * Task backends: mocks, then local handlers. As in Step Functions
	 * Local, SFN_MOCK_CONFIG only names the file: an execution started
	 * without a test case is not mocked.
	 */
	if (mock_from_env && !test_case)
		mock_path = NULL;
	if (mock_path && *mock_path) {
		bool io;
		mock = load_json_file(mock_path, &io);
		if (!mock) {
			rc = SFN_EXIT_INPUT;
			goto out;
		}
		if (!test_case) {
			fprintf(stderr,
				"sfn run: --mock-config needs a test case: "
				"--test-case NAME, or "
				"--state-machine-name NAME#CASE\n");
			rc = SFN_EXIT_USAGE;
			goto out;
		}
		/* A misspelt case would leave every state unmocked. */
		if (!sfn_cli_mock_case_ok("run", mock_path, mock, sm_name,
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
		if (verbose)
			fprintf(stderr, "sfn: local handlers from '%s'\n",
				config_path);
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

	struct sfn_exec_options o = {
		.input = input,
		.state_machine_name = sm_name,
		.execution_name = exec_name,
		.region = region,
		.account = "123456789012",
		.express = !strcmp(type, "express") || !strcmp(type, "EXPRESS"),
		.start_time = start,
		.time_scale = scale,
		.pinned_clock = pinned,
		.monotonic = sfn_host_monotonic,
		.random = sfn_host_random,
		.ud = &host,
		.task_env = &tenv,
		.max_threads = (unsigned)max_threads,
		.no_payload_limit = no_payload,
		.no_history_limit = no_history,
		.no_duration_limit = no_duration,
		.trace = verbose ? sfn_cli_trace : NULL,
	};
	if (!no_journal)
		o.sink = &jsink;
	x = sfn_exec_create(m, &o);
	if (!no_journal) {
		/* The journal (issue #6): what a redrive needs, then events. */
		char *mock_abs = mock ? sfn_cli_abspath(mock_path) : NULL;
		char *config_abs = config ? sfn_cli_abspath(config_path) : NULL;
		char *def_abs =
			strcmp(path, "-") ? sfn_cli_abspath(path) : NULL;
		json_t *settings = json_pack(
			"{s:s?, s:s?, s:s?, s:f, s:s, s:s, s:i, s:b, s:b, s:b}",
			"mockConfig", mock_abs, "testCase", test_case, "config",
			config_abs, "timeScale", scale, "stateMachineName",
			sm_name, "region", region, "maxThreads",
			(int)max_threads, "noPayloadLimit", no_payload,
			"noHistoryLimit", no_history, "noDurationLimit",
			no_duration);
		json_t *header = sfn_run_journal_header(
			sfn_exec_arn(x), sfn_exec_state_machine_arn(x),
			exec_name, o.express, start, input, sfn_doc_root(mdoc),
			def_abs, list.v[0].logical_id, settings);
		const char *root = sfn_cli_journal_root(journal_dir);
		journal = sfn_journal_create(root, exec_name, header,
					     SFN_JOURNAL_SERIAL, &err);
		json_decref(header);
		json_decref(settings);
		free(mock_abs);
		free(config_abs);
		free(def_abs);
		if (!journal) {
			if (err.name &&
			    !strcmp(err.name, "ExecutionAlreadyExists")) {
				fprintf(stderr, "sfn run: %s: %s\n", err.name,
					err.cause);
				rc = SFN_EXIT_USAGE;
			} else {
				fprintf(stderr,
					"sfn run: %s; choose another root with "
					"--journal-dir DIR or SFN_JOURNAL_DIR, "
					"or run with --no-journal\n",
					err.cause);
				rc = SFN_EXIT_HOST;
			}
			goto out;
		}
		rj.j = journal;
		rj.tenv = &tenv;
		rj.redact = sfn_run_journal_needs_redaction(config);
	}

	sfn_cli_exec_run(x, &res);
	if (journal) {
		struct sfn_error jerr = SFN_ERROR_INIT;
		if (sfn_journal_close(journal, &jerr) < 0 && !rj.failed) {
			rj.failed = 1;
			rj.error = sfn_xstrdup(jerr.cause);
		}
		journal = NULL;
		sfn_error_release(&jerr);
	}

	if (describe)
		print_describe(x, exec_name, input, start, &res, o.express,
			       pretty ? SFN_JSON_PRETTY : 0);
	rc = sfn_cli_report(&res, mdoc, sfn_display_name(path), describe,
			    pretty);
	if (rj.failed) {
		fprintf(stderr,
			"sfn run: the journal could not be written: %s; "
			"the execution's history is incomplete\n",
			rj.error);
		rc = SFN_EXIT_HOST;
	}
out:
	if (journal)
		sfn_journal_close(journal, NULL);
	sfn_run_journal_release(&rj);
	sfn_exec_result_release(&res);
	sfn_exec_free(x);
	sfn_task_env_release(&tenv);
	sfn_machine_free(m);
	sfn_machine_list_release(&list);
	sfn_doc_free(doc);
	sfn_diags_release(&diags);
	sfn_error_release(&err);
	json_decref(input);
	json_decref(config);
	json_decref(mock);
	free(sm_name);
	free(gen_name);
	free(case_buf);
	free(base_dir);
	sfn_host_release(&host);
	return rc;
}
