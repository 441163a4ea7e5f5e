/*
 * sfn redrive: resume a FAILED, TIMED_OUT or ABORTED execution (or one whose
 * process died) from its journal, as AWS's RedriveExecution does: the
 * definition and input recorded at the start, the open state re-run, every
 * Task result the journal holds kept (sfn-features.md §1).
 */
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "asl/asl.h"
#include "asl/model.h"
#include "cli.h"
#include "exec/exec.h"
#include "journal/journal.h"
#include "runenv.h"
#include "task/task.h"

enum {
	OPT_JOURNAL_DIR = 256,
	OPT_LAST,
	OPT_DESCRIBE,
	OPT_PRETTY,
	OPT_DEFINITION,
	OPT_CONFIG,
	OPT_MOCK,
	OPT_TEST_CASE,
	OPT_TIME_SCALE,
};

static const struct option longopts[] = {
	{ "journal-dir", required_argument, NULL, OPT_JOURNAL_DIR },
	{ "last", no_argument, NULL, OPT_LAST },
	{ "describe", no_argument, NULL, OPT_DESCRIBE },
	{ "pretty", no_argument, NULL, OPT_PRETTY },
	{ "definition", required_argument, NULL, OPT_DEFINITION },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "mock-config", required_argument, NULL, OPT_MOCK },
	{ "test-case", required_argument, NULL, OPT_TEST_CASE },
	{ "time-scale", required_argument, NULL, OPT_TIME_SCALE },
	{ "trace", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *setting(json_t *settings, const char *key)
{
	return json_string_value(json_object_get(settings, key));
}

/*
 * The definition to redrive with: the one recorded in the journal, as AWS
 * does; with @override, that file instead, if every state the execution
 * entered still exists. Sets *@mdoc to the document positions come from.
 */
static struct sfn_machine *load_definition(struct sfn_journal_data *data,
					   const char *override,
					   struct sfn_doc **doc,
					   struct sfn_machine_list *list,
					   struct sfn_doc **mdoc)
{
	struct sfn_error err = SFN_ERROR_INIT;
	const char *text =
		json_string_value(json_object_get(data->header, "definition"));
	const char *path = json_string_value(
		json_object_get(data->header, "definitionPath"));
	const char *sha = json_string_value(
		json_object_get(data->header, "definitionSha256"));
	const char *logical_id =
		json_string_value(json_object_get(data->header, "logicalId"));
	struct sfn_machine *m = NULL;

	*doc = NULL;
	*mdoc = NULL;
	if (override) {
		*doc = sfn_doc_load_file(override, 0, NULL, &err);
		if (!*doc) {
			sfn_cli_print_load_error(stderr, override, &err, false);
			goto out;
		}
		if (sfn_doc_machines(*doc, logical_id, list, NULL, &err) < 0 ||
		    list->n != 1) {
			fprintf(stderr,
				"sfn redrive: '%s' holds no single state "
				"machine%s%s\n",
				override, logical_id ? " named " : "",
				logical_id ? logical_id : "");
			goto out;
		}
		*mdoc = list->v[0].doc;
		if (sfn_cli_refuse_invalid("redrive", *mdoc, false) !=
		    SFN_EXIT_OK)
			goto out;
		fprintf(stderr,
			"sfn redrive: redriving with '%s' instead of the "
			"recorded definition (an sfn convenience: AWS always "
			"redrives with the original)\n",
			override);
	} else if (text) {
		/* The file as it is now, if it still says the same. */
		if (path) {
			struct sfn_doc *now =
				sfn_doc_load_file(path, 0, NULL, NULL);
			struct sfn_machine_list l = { 0 };
			char hex[65] = "";
			if (now &&
			    sfn_doc_machines(now, logical_id, &l, NULL, NULL) ==
				    0 &&
			    l.n == 1) {
				char *t = sfn_json_dumps(
					sfn_doc_root(l.v[0].doc), 0);
				sfn_sha256_hex(t, strlen(t), hex);
				free(t);
			}
			if (sha && !strcmp(hex, sha)) {
				*doc = now;
				*list = l;
				*mdoc = l.v[0].doc;
			} else {
				sfn_machine_list_release(&l);
				sfn_doc_free(now);
				fprintf(stderr,
					"sfn redrive: note: '%s' is not what "
					"the execution started with; "
					"redriving with the definition "
					"recorded in the journal (AWS does "
					"the same; --definition '%s' redrives "
					"with the file instead)\n",
					path, path);
			}
		}
		if (!*mdoc) {
			*doc = sfn_doc_load_mem(path ? path : "<journal>", text,
						strlen(text), SFN_LOAD_JSON,
						NULL, &err);
			if (!*doc || sfn_doc_machines(*doc, NULL, list, NULL,
						      &err) < 0) {
				fprintf(stderr,
					"sfn redrive: the journal's definition "
					"does not load: %s\n",
					err.cause ? err.cause : "?");
				goto out;
			}
			*mdoc = list->v[0].doc;
		}
	} else {
		fprintf(stderr, "sfn redrive: the journal holds no "
				"definition\n");
		goto out;
	}
	m = sfn_machine_compile(sfn_doc_root(*mdoc), &err);
	if (!m) {
		sfn_doc_locate(*mdoc, &err);
		struct sfn_diag d = { .severity = SFN_SEV_ERROR,
				      .code = err.name,
				      .message = err.cause,
				      .line = err.line,
				      .col = err.col };
		sfn_cli_print_diag(stderr, sfn_doc_name(*mdoc), &d, false);
		goto out;
	}
	if (override) {
		/* Every state the execution entered must still exist. */
		size_t i;
		json_t *ev;
		json_array_foreach(data->events, i, ev) {
			const char *name = json_string_value(json_object_get(
				json_object_get(ev, "stateEnteredEventDetails"),
				"name"));
			if (name && !sfn_machine_find(m, name)) {
				fprintf(stderr,
					"sfn redrive: '%s' has no state '%s', "
					"which the execution entered; it "
					"cannot be redriven with it\n",
					override, name);
				sfn_machine_free(m);
				m = NULL;
				goto out;
			}
		}
	}
out:
	sfn_error_release(&err);
	return m;
}

int cmd_redrive(int argc, char **argv)
{
	const char *root = NULL, *definition = NULL, *config_path = NULL;
	const char *mock_path = NULL, *test_case = NULL, *scale_text = NULL;
	bool last = false, describe = false, pretty = false, verbose = false;
	int c, rc = SFN_EXIT_FAIL;
	char *dir = NULL, *base_dir = NULL;
	struct sfn_journal *journal = NULL;
	struct sfn_journal_data data = { 0 };
	struct sfn_redrive_plan plan = { 0 };
	struct sfn_doc *doc = NULL, *mdoc = NULL;
	struct sfn_machine_list list = { 0 };
	struct sfn_machine *m = NULL;
	struct sfn_exec *x = NULL;
	struct sfn_exec_result res = { 0 };
	struct sfn_task_env tenv = { 0 };
	struct sfn_run_journal rj = { 0 };
	struct sfn_host host;
	json_t *config = NULL, *mock = NULL;
	struct sfn_error err = SFN_ERROR_INIT;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hv", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JOURNAL_DIR:
			root = optarg;
			break;
		case OPT_LAST:
			last = true;
			break;
		case OPT_DESCRIBE:
			describe = true;
			break;
		case OPT_PRETTY:
			pretty = true;
			break;
		case OPT_DEFINITION:
			definition = optarg;
			break;
		case OPT_CONFIG:
			config_path = optarg;
			break;
		case OPT_MOCK:
			mock_path = optarg;
			break;
		case OPT_TEST_CASE:
			test_case = optarg;
			break;
		case OPT_TIME_SCALE:
			scale_text = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			sfn_cmd_print_help(sfn_cmd_find("redrive"), stdout);
			return SFN_EXIT_OK;
		case ':':
			return sfn_cmd_missing_value("redrive", argv);
		default:
			return sfn_cmd_unknown_option("redrive", argv);
		}
	}
	if ((optind < argc) == last || argc - optind > 1)
		return sfn_cmd_usage_error(
			"redrive", "name one execution, or give --last");
	const char *const stdin_what[] = { "--definition", "--mock-config",
					   "--config" };
	const char *const stdin_paths[] = { definition, mock_path,
					    config_path };
	if (sfn_cli_one_stdin("redrive", 3, stdin_what, stdin_paths))
		return SFN_EXIT_USAGE;
	double scale = -1;
	if (scale_text) {
		char *end;
		scale = strtod(scale_text, &end);
		if (*end || scale < 0 || end == scale_text)
			return sfn_cmd_usage_error(
				"redrive",
				"--time-scale wants a number >= 0, not '%s'",
				scale_text);
	}

	root = sfn_cli_journal_root(root);
	dir = sfn_cli_find_execution("redrive", root,
				     last ? NULL : argv[optind], last);
	if (!dir)
		return SFN_EXIT_INPUT;
	journal = sfn_journal_open(dir, SFN_JOURNAL_SERIAL, &data, &err);
	if (!journal) {
		if (err.name && !strcmp(err.name, "SFN_JOURNAL_LOCKED")) {
			/* Someone drives it now: AWS's reason for RUNNING. */
			fprintf(stderr,
				"sfn redrive: ExecutionNotRedrivable: "
				"Execution is RUNNING and cannot be redriven "
				"(%s)\n",
				err.cause);
			rc = SFN_EXIT_FAIL;
		} else {
			fprintf(stderr, "sfn redrive: %s\n", err.cause);
			rc = err.name && !strcmp(err.name, "SFN_IO")
				     ? SFN_EXIT_HOST
				     : SFN_EXIT_INPUT;
		}
		goto out;
	}
	double now = sfn_cli_now();
	if (sfn_journal_plan_redrive(&data, now, &plan, &err) < 0) {
		fprintf(stderr, "sfn redrive: %s: %s\n", err.name, err.cause);
		rc = SFN_EXIT_FAIL;
		goto out;
	}
	m = load_definition(&data, definition, &doc, &list, &mdoc);
	if (!m) {
		rc = SFN_EXIT_FAIL;
		goto out;
	}

	/* The recorded settings, unless flags say otherwise. */
	json_t *settings = json_object_get(data.header, "settings");
	json_t *exec = json_object_get(data.header, "execution");
	if (!mock_path)
		mock_path = setting(settings, "mockConfig");
	if (!test_case)
		test_case = setting(settings, "testCase");
	if (!config_path)
		config_path = setting(settings, "config");
	if (scale < 0)
		scale = json_is_number(json_object_get(settings, "timeScale"))
				? sfn_json_number(json_object_get(settings,
								  "timeScale"))
				: 1;
	if (mock_path && !(mock = sfn_cli_load_value(mock_path))) {
		rc = SFN_EXIT_INPUT;
		goto out;
	}
	if (config_path) {
		if (!(config = sfn_cli_load_value(config_path))) {
			rc = SFN_EXIT_INPUT;
			goto out;
		}
		base_dir = sfn_cli_dirname(config_path);
	}
	const char *sm_name = setting(settings, "stateMachineName");
	const char *name = json_string_value(json_object_get(exec, "name"));
	const char *region = setting(settings, "region");
	const char *start_date =
		json_string_value(json_object_get(exec, "startDate"));
	if (!sm_name || !name) {
		fprintf(stderr,
			"sfn redrive: the journal header of '%s' lacks "
			"the execution's name\n",
			dir);
		rc = SFN_EXIT_INPUT;
		goto out;
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
	tenv.replay = plan.replay;

	/*
	 * The redrive starts now, or when the last attempt's clock stopped if
	 * that is later: an attempt on a virtual clock (--time-scale 0) may
	 * have run ahead of the real one, and a history never goes back in
	 * time.
	 */
	double start = now, last_at;
	size_t n_events = json_array_size(data.events);
	const char *last_ts = json_string_value(json_object_get(
		json_array_get(data.events, n_events ? n_events - 1 : 0),
		"timestamp"));
	if (last_ts && sfn_time_parse(last_ts, &last_at) == 0 &&
	    last_at > start)
		start = last_at;

	const char *pinned = getenv("SFN_TEST_NOW");
	sfn_host_init(&host, pinned && *pinned);
	struct sfn_exec_resume resume = {
		.state = plan.state,
		.input = plan.input,
		.variables = plan.variables,
		.invocations = plan.invocations,
		.redrive_count = plan.redrive_count,
		.start_date = start_date,
		.last_event_id = (uint64_t)plan.last_event_id,
		.child_events = (uint64_t)plan.child_events,
	};
	struct sfn_event_sink sink = sfn_run_journal_sink(&rj);
	rj.j = journal;
	rj.tenv = &tenv;
	rj.redact = sfn_run_journal_needs_redaction(config);
	json_t *mt = json_object_get(settings, "maxThreads");
	struct sfn_exec_options o = {
		.input = plan.execution_input,
		.state_machine_name = sm_name,
		.execution_name = name,
		.region = region ? region : "us-east-1",
		.account = "123456789012",
		.start_time = start,
		.time_scale = scale,
		.pinned_clock = pinned && *pinned,
		.monotonic = sfn_host_monotonic,
		.random = sfn_host_random,
		.ud = &host,
		.task_env = &tenv,
		.max_threads = (unsigned)json_integer_value(mt),
		.no_payload_limit = json_is_true(
			json_object_get(settings, "noPayloadLimit")),
		.no_history_limit = json_is_true(
			json_object_get(settings, "noHistoryLimit")),
		.sink = &sink,
		.resume = &resume,
		.trace = verbose ? sfn_cli_trace : NULL,
	};
	x = sfn_exec_create(m, &o);
	sfn_cli_exec_run(x, &res);
	sfn_host_release(&host);
	if (sfn_journal_close(journal, &err) < 0 && !rj.failed) {
		rj.failed = 1;
		rj.error = sfn_xstrdup(err.cause);
	}
	journal = NULL;
	if (rj.failed) {
		fprintf(stderr,
			"sfn redrive: the journal could not be written: %s\n",
			rj.error);
		rc = SFN_EXIT_HOST;
		goto out;
	}

	if (describe) {
		struct sfn_journal_data after;
		if (sfn_journal_read(dir, &after, NULL) == 0) {
			json_t *d = sfn_journal_describe(&after, sfn_cli_now(),
							 NULL);
			struct sfn_strbuf sb = SFN_STRBUF_INIT;
			sfn_json_dump(&sb, d, pretty ? SFN_JSON_PRETTY : 0);
			puts(sb.buf);
			sfn_strbuf_release(&sb);
			json_decref(d);
			sfn_journal_data_release(&after);
		}
	}
	rc = sfn_cli_report(&res, mdoc, sfn_doc_name(mdoc), describe, pretty);
out:
	if (journal)
		sfn_journal_close(journal, NULL);
	sfn_exec_result_release(&res);
	sfn_exec_free(x);
	sfn_task_env_release(&tenv);
	sfn_machine_free(m);
	sfn_machine_list_release(&list);
	sfn_doc_free(doc);
	sfn_redrive_plan_release(&plan);
	sfn_journal_data_release(&data);
	sfn_error_release(&err);
	json_decref(config);
	json_decref(mock);
	sfn_run_journal_release(&rj);
	free(base_dir);
	free(dir);
	return rc;
}
