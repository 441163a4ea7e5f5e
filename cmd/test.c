/*
 * sfn test: runs test suites for state machines (docs/test.md). Cases run
 * in parallel on a few worker threads, each in its own execution with time
 * scale 0 (Waits and retry intervals pass at once while the clock the
 * machine sees advances), and are reported in file order.
 */
#include "cmd.h"

#include <dirent.h>
#include <fnmatch.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asl/asl.h"
#include "asl/model.h"
#include "cli.h"
#include "exec/exec.h"
#include "journal/journal.h"
#include "runenv.h"
#include "suite/suite.h"
#include "task/task.h"

enum format { FMT_TEXT, FMT_TAP, FMT_JUNIT };

/* One test file, loaded with what its cases share. */
struct suite_run {
	struct sfn_suite *suite;
	struct sfn_doc *doc;	      /* the definition's file */
	struct sfn_machine_list list; /* its machines */
	struct sfn_machine *machine;  /* the one under test */
	json_t *definition;	      /* borrowed from @list */
	char *sm_name;
	json_t *mocks;	/* the mock file, or NULL */
	json_t *config; /* local handlers, or NULL */
	char *config_dir;
	struct sfn_coverage *coverage;
};

/* One case to run, and what came of it. */
struct job {
	struct suite_run *run;
	size_t index;
	bool passed;
	char *report;	/* failed expectations; owned */
	char *journal;	/* the case's journal directory, if written; owned */
	json_t *events; /* the history, for coverage; owned */
	double seconds;
};

struct pool {
	struct job *jobs;
	size_t n_jobs;
	atomic_size_t next;
	double time_scale;
	double now;
	bool deterministic;
	bool keep; /* --keep: journal passing cases too */
	const char *journal_root;
};

/*
 * The journal of a case, written after it ran, without syncs (a record to
 * look at with sfn history or sfn graph --execution, not for redrive): a
 * name of its own under the journal root. Returns its directory, or NULL
 * (the reason printed) when it cannot be written.
 */
static char *write_journal(struct pool *p, struct job *j, struct sfn_exec *x,
			   json_t *events)
{
	const struct sfn_suite_case *c =
		sfn_suite_case(j->run->suite, j->index);
	const char *file = sfn_suite_path(j->run->suite);
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t stem = strcspn(base, ".");
	char *name =
		sfn_xasprintf("test-%.*s-%zu-%s", (int)stem, base, j->index + 1,
			      sfn_exec_arn(x) + strlen(sfn_exec_arn(x)) - 8);
	json_t *settings =
		json_pack("{s:s, s:s}", "testFile", file, "case", c->name);
	json_t *header = sfn_run_journal_header(
		sfn_exec_arn(x), sfn_exec_state_machine_arn(x), name, false,
		p->now, c->input, j->run->definition,
		sfn_suite_definition(j->run->suite), NULL, settings);
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_journal *jr = sfn_journal_create(
		p->journal_root, name, header, SFN_JOURNAL_NO_SYNC, &err);
	char *dir = NULL;
	if (jr) {
		size_t i;
		json_t *ev;
		json_array_foreach(events, i, ev)
			if (sfn_journal_append(jr, ev, false, &err) < 0)
				break;
		dir = sfn_xstrdup(sfn_journal_dir(jr));
		if (sfn_journal_close(jr, &err) < 0) {
			free(dir);
			dir = NULL;
		}
	}
	if (!dir)
		fprintf(stderr, "sfn test: no journal for case '%s': %s\n",
			c->name, err.cause ? err.cause : "?");
	sfn_error_release(&err);
	json_decref(header);
	json_decref(settings);
	free(name);
	return dir;
}

static void run_job(struct pool *p, struct job *j)
{
	struct suite_run *r = j->run;
	const struct sfn_suite_case *c = sfn_suite_case(r->suite, j->index);
	struct sfn_host host;
	struct sfn_event_log log;
	struct sfn_exec_result res = { 0 };
	struct sfn_task_env tenv = { 0 };
	struct sfn_strbuf report = SFN_STRBUF_INIT;
	const char *test_case = NULL;
	char name[37];
	atomic_int cancel;

	if (!r->machine) { /* the linter's errors: AWS would refuse it */
		sfn_strbuf_addf(&report,
				"  not run: %s has errors: AWS would not "
				"create this state machine\n",
				sfn_suite_definition(r->suite));
		j->passed = false;
		j->report = sfn_strbuf_detach(&report, NULL);
		j->events = json_array();
		return;
	}
	if (sfn_suite_case_lint(c, r->coverage, r->mocks,
				sfn_suite_mock_config(r->suite), r->sm_name,
				&report) > 0) {
		/* Running it would only add misleading failures. */
		j->passed = false;
		j->report = sfn_strbuf_detach(&report, NULL);
		j->events = json_array();
		return;
	}
	sfn_host_init(&host, p->deterministic);
	sfn_event_log_init(&log);
	atomic_init(&cancel, 0);
	json_t *mocks =
		sfn_suite_case_mocks(c, r->sm_name, r->mocks, &test_case);
	tenv.config = r->config;
	tenv.mock_config = mocks;
	tenv.mock_test_case = test_case;
	tenv.state_machine_name = r->sm_name;
	tenv.cancel = &cancel;
	tenv.base_dir = r->config_dir;
	if (!c->execution_name) {
		unsigned char rnd[16];
		sfn_host_random(&host, rnd, sizeof(rnd));
		sfn_format_uuid(name, rnd);
	}
	struct sfn_event_sink sink = sfn_event_log_sink(&log);
	struct sfn_exec_options o = {
		.input = c->input,
		.state_machine_name = r->sm_name,
		.execution_name = c->execution_name ? c->execution_name : name,
		.region = "us-east-1",
		.account = "123456789012",
		.start_time = p->now,
		.time_scale = p->time_scale,
		.pinned_clock = p->deterministic,
		.monotonic = sfn_host_monotonic,
		.random = sfn_host_random,
		.ud = &host,
		.task_env = &tenv,
		.max_threads = 2,
		.sink = &sink,
	};
	double t0 = sfn_host_monotonic(NULL);
	struct sfn_exec *x = sfn_exec_create(r->machine, &o);
	sfn_exec_run(x, &res);
	j->seconds = sfn_host_monotonic(NULL) - t0;

	struct sfn_outcome out = {
		.status = sfn_exec_status_name(res.status),
		.output = res.output,
		.error = res.error,
		.cause = res.cause,
		.events = log.events,
	};
	j->passed = sfn_suite_check(c, &out, &report) == 0;
	j->report = sfn_strbuf_detach(&report, NULL);
	if (!j->passed || p->keep)
		j->journal = write_journal(p, j, x, log.events);
	j->events = json_incref(log.events);

	sfn_exec_result_release(&res);
	sfn_exec_free(x);
	sfn_task_env_release(&tenv);
	sfn_event_log_release(&log);
	json_decref(mocks);
	sfn_host_release(&host);
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	size_t i;
	while ((i = atomic_fetch_add(&p->next, 1)) < p->n_jobs)
		run_job(p, &p->jobs[i]);
	return NULL;
}

static void suite_run_release(struct suite_run *r)
{
	sfn_coverage_free(r->coverage);
	sfn_machine_free(r->machine);
	sfn_machine_list_release(&r->list);
	sfn_doc_free(r->doc);
	sfn_suite_free(r->suite);
	json_decref(r->mocks);
	json_decref(r->config);
	free(r->config_dir);
	free(r->sm_name);
}

/*
 * Loads a test file and its definition; prints why not and returns -1, or
 * -2 for a definition AWS would refuse (the linter's errors).
 */
static int suite_run_load(struct suite_run *r, const char *path)
{
	struct sfn_error err = SFN_ERROR_INIT;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->suite = sfn_suite_load(path, &err);
	if (!r->suite) {
		sfn_cli_print_load_error(stderr, sfn_display_name(path), &err,
					 false);
		goto out;
	}
	const char *def = sfn_suite_definition(r->suite);
	r->doc = sfn_doc_load_file(def, 0, NULL, &err);
	if (!r->doc) {
		sfn_cli_print_load_error(stderr, def, &err, false);
		goto out;
	}
	if (sfn_doc_machines(r->doc, sfn_suite_logical_id(r->suite), &r->list,
			     NULL, &err) < 0 ||
	    r->list.n != 1) {
		if (!sfn_error_is_set(&err))
			sfn_errorf(&err, "SFN_TEST_FILE", NULL,
				   "'%s' holds %zu state machines: give "
				   "'logicalId' in '%s'",
				   def, r->list.n, path);
		sfn_cli_print_load_error(stderr, def, &err, false);
		goto out;
	}
	struct sfn_doc *mdoc = r->list.v[0].doc;
	r->definition = sfn_doc_root(mdoc);
	if (sfn_suite_state_machine_name(r->suite))
		r->sm_name =
			sfn_xstrdup(sfn_suite_state_machine_name(r->suite));
	else if (r->list.v[0].logical_id)
		r->sm_name = sfn_xstrdup(r->list.v[0].logical_id);
	else
		r->sm_name = sfn_cli_machine_name(def);
	if (sfn_cli_refuse_invalid("test", mdoc, false) != SFN_EXIT_OK) {
		rc = -2;
		goto out;
	}
	r->machine = sfn_machine_compile(r->definition, &err);
	if (!r->machine) {
		sfn_doc_locate(mdoc, &err);
		fprintf(stderr, "%s:%d:%d: error: %s [%s]\n",
			sfn_doc_name(mdoc), err.line, err.col,
			err.cause ? err.cause : "invalid definition",
			err.name ? err.name : "SCHEMA_VALIDATION_FAILED");
		goto out;
	}
	if (sfn_suite_mock_config(r->suite) &&
	    !(r->mocks = sfn_cli_load_value(sfn_suite_mock_config(r->suite))))
		goto out;
	if (sfn_suite_config(r->suite)) {
		if (!(r->config =
			      sfn_cli_load_value(sfn_suite_config(r->suite))))
			goto out;
		r->config_dir = sfn_cli_dirname(sfn_suite_config(r->suite));
	}
	r->coverage = sfn_coverage_create(r->definition, r->sm_name);
	rc = 0;
out:
	sfn_error_release(&err);
	return rc;
}

/* Finds *.sfn-test.{yaml,yml,json} under @dir, skipping hidden and build dirs.
 */
static void discover(const char *dir, char ***files, size_t *n, int depth)
{
	struct dirent **names;
	int count = depth > 32 ? -1 : scandir(dir, &names, NULL, alphasort);
	for (int i = 0; i < count; i++) {
		const char *nm = names[i]->d_name;
		char *p = strcmp(dir, ".") ? sfn_xasprintf("%s/%s", dir, nm)
					   : sfn_xstrdup(nm);
		struct stat st;
		if (nm[0] != '.' && strcmp(nm, "node_modules") &&
		    strncmp(nm, "build", 5) && stat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				discover(p, files, n, depth + 1);
			} else if (!fnmatch("*.sfn-test.yaml", nm, 0) ||
				   !fnmatch("*.sfn-test.yml", nm, 0) ||
				   !fnmatch("*.sfn-test.json", nm, 0)) {
				*files = sfn_xrealloc(
					*files, (*n + 1) * sizeof(char *));
				(*files)[(*n)++] = p;
				p = NULL;
			}
		}
		free(p);
		free(names[i]);
	}
	if (count >= 0)
		free(names);
}

static void xml_escape(struct sfn_strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			sfn_strbuf_adds(sb, "&lt;");
			break;
		case '>':
			sfn_strbuf_adds(sb, "&gt;");
			break;
		case '&':
			sfn_strbuf_adds(sb, "&amp;");
			break;
		case '"':
			sfn_strbuf_adds(sb, "&quot;");
			break;
		default:
			sfn_strbuf_addch(sb, *s);
		}
	}
}

static void print_results(enum format fmt, struct job *jobs, size_t n,
			  size_t passed, bool timing)
{
	if (fmt == FMT_TAP) {
		printf("TAP version 13\n1..%zu\n", n);
	} else if (fmt == FMT_JUNIT) {
		printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		       "<testsuites tests=\"%zu\" failures=\"%zu\">\n",
		       n, n - passed);
	}
	const struct suite_run *open_suite = NULL;
	for (size_t i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		const struct sfn_suite_case *c =
			sfn_suite_case(j->run->suite, j->index);
		const char *file = sfn_suite_path(j->run->suite);
		switch (fmt) {
		case FMT_TEXT:
			printf("%s  %s: %s", j->passed ? "ok  " : "FAIL", file,
			       c->name);
			if (timing)
				printf(" (%.0f ms)", j->seconds * 1000);
			putchar('\n');
			if (!j->passed)
				printf("  %s:%d:%d: case '%s'\n%s", file,
				       c->line, c->col, c->name, j->report);
			if (j->journal)
				printf("  journal: %s (sfn history, sfn graph "
				       "--execution)\n",
				       j->journal);
			break;
		case FMT_TAP:
			printf("%sok %zu - %s: %s\n", j->passed ? "" : "not ",
			       i + 1, file, c->name);
			if (!j->passed) {
				printf("  ---\n  at: %s:%d:%d\n  message: |\n",
				       file, c->line, c->col);
				for (char *l = j->report; *l;) {
					char *e = strchr(l, '\n');
					size_t len =
						e ? (size_t)(e - l) : strlen(l);
					printf("    %.*s\n", (int)len, l);
					l += len + (e != NULL);
				}
				printf("  ...\n");
			}
			break;
		case FMT_JUNIT: {
			struct sfn_strbuf sb = SFN_STRBUF_INIT;
			if (open_suite != j->run) {
				if (open_suite)
					printf("  </testsuite>\n");
				open_suite = j->run;
				xml_escape(&sb, file);
				printf("  <testsuite name=\"%s\">\n", sb.buf);
				sfn_strbuf_reset(&sb);
			}
			xml_escape(&sb, c->name);
			printf("    <testcase classname=\"%s\" name=\"%s\" "
			       "time=\"%.3f\"",
			       j->run->sm_name, sb.buf,
			       timing ? j->seconds : 0.0);
			if (j->passed) {
				printf("/>\n");
			} else {
				sfn_strbuf_reset(&sb);
				xml_escape(&sb, j->report);
				printf(">\n      <failure "
				       "message=\"expectations "
				       "not met\">%s</failure>\n    "
				       "</testcase>\n",
				       sb.buf);
			}
			sfn_strbuf_release(&sb);
			break;
		}
		}
	}
	if (fmt == FMT_JUNIT) {
		if (open_suite)
			printf("  </testsuite>\n");
		printf("</testsuites>\n");
	}
}

int cmd_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "coverage", no_argument, NULL, 'c' },
		{ "coverage-out", required_argument, NULL, 'C' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "time-scale", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "keep", no_argument, NULL, 'K' },
		{ "journal-dir", required_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum format fmt = FMT_TEXT;
	const char *coverage_out = NULL;
	char **patterns = NULL;
	size_t n_patterns = 0;
	bool coverage = false, verbose = false, keep = false;
	const char *journal_dir = NULL;
	long jobs_n = sysconf(_SC_NPROCESSORS_ONLN);
	double scale = 0;
	int c, rc = SFN_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hk:j:v", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "text"))
				fmt = FMT_TEXT;
			else if (!strcmp(optarg, "tap"))
				fmt = FMT_TAP;
			else if (!strcmp(optarg, "junit"))
				fmt = FMT_JUNIT;
			else
				return sfn_cmd_usage_error(
					"test",
					"--format must be text, tap or junit, "
					"not '%s'",
					optarg);
			break;
		case 'c':
			coverage = true;
			break;
		case 'C':
			coverage = true;
			coverage_out = optarg;
			break;
		case 'k':
			patterns = sfn_xrealloc(
				patterns, (n_patterns + 1) * sizeof(char *));
			patterns[n_patterns++] = optarg;
			break;
		case 'j':
			jobs_n = strtol(optarg, &end, 10);
			if (*end || jobs_n < 1 || jobs_n > 256) {
				free(patterns);
				return sfn_cmd_usage_error(
					"test",
					"--jobs takes 1 to 256, not '%s'",
					optarg);
			}
			break;
		case 't':
			scale = strtod(optarg, &end);
			if (*end || scale < 0) {
				free(patterns);
				return sfn_cmd_usage_error(
					"test",
					"--time-scale takes a number >= 0, not "
					"'%s'",
					optarg);
			}
			break;
		case 'v':
			verbose = true;
			break;
		case 'K':
			keep = true;
			break;
		case 'J':
			journal_dir = optarg;
			break;
		case 'h':
			sfn_cmd_print_help(sfn_cmd_find("test"), stdout);
			return SFN_EXIT_OK;
		case ':':
			free(patterns);
			return sfn_cmd_missing_value("test", argv);
		default:
			free(patterns);
			return sfn_cmd_unknown_option("test", argv);
		}
	}

	char **files = NULL;
	size_t n_files = 0;
	bool discovered = optind >= argc;
	if (discovered) {
		discover(".", &files, &n_files, 0);
		if (!n_files) {
			fprintf(stderr, "sfn test: no *.sfn-test.yaml, .yml or "
					".json file under the current "
					"directory; name the test files\n");
			free(patterns);
			return SFN_EXIT_USAGE;
		}
	} else {
		for (int i = optind; i < argc; i++) {
			files = sfn_xrealloc(files,
					     (n_files + 1) * sizeof(char *));
			files[n_files++] = sfn_xstrdup(argv[i]);
		}
	}

	struct suite_run *runs = sfn_xcalloc(n_files, sizeof(*runs));
	struct job *jobs = NULL;
	size_t n_jobs = 0, n_cases = 0;
	for (size_t f = 0; f < n_files; f++) {
		int loaded = suite_run_load(&runs[f], files[f]);
		if (loaded < 0) {
			int code =
				loaded == -2 ? SFN_EXIT_FAIL : SFN_EXIT_INPUT;
			rc = code > rc ? code : rc;
			/* A refused machine's cases fail, not vanish: a
			 * report of no tests reads as green. */
			if (loaded != -2)
				continue;
		}
		for (size_t i = 0; i < sfn_suite_n_cases(runs[f].suite); i++) {
			const char *name =
				sfn_suite_case(runs[f].suite, i)->name;
			bool pick = !n_patterns;
			n_cases++;
			for (size_t k = 0; k < n_patterns && !pick; k++)
				pick = strstr(name, patterns[k]) ||
				       !fnmatch(patterns[k], name, 0);
			if (!pick)
				continue;
			jobs = sfn_xrealloc(jobs, (n_jobs + 1) * sizeof(*jobs));
			jobs[n_jobs++] =
				(struct job){ .run = &runs[f], .index = i };
		}
	}

	/* A -k that picks nothing reads as green: a typo in a CI job's
	 * pattern would pass every time. */
	if (n_patterns && !n_jobs && n_cases) {
		fprintf(stderr,
			"sfn test: no case name contains or matches %s'%s' "
			"(%zu case%s in %zu file%s); 'sfn test' without -k "
			"runs them all\n",
			n_patterns > 1 ? "any -k pattern, e.g. " : "-k ",
			patterns[0], n_cases, n_cases == 1 ? "" : "s", n_files,
			n_files == 1 ? "" : "s");
		if (rc < SFN_EXIT_USAGE)
			rc = SFN_EXIT_USAGE;
	}

	const char *pinned = getenv("SFN_TEST_NOW");
	struct pool pool = {
		.jobs = jobs,
		.n_jobs = n_jobs,
		.time_scale = scale,
		.now = sfn_cli_now(),
		.deterministic = pinned && *pinned,
		.keep = keep,
		.journal_root = sfn_cli_journal_root(journal_dir),
	};
	atomic_init(&pool.next, 0);
	size_t n_threads = (size_t)jobs_n < n_jobs ? (size_t)jobs_n : n_jobs;
	pthread_t *threads = sfn_xcalloc(n_threads + 1, sizeof(pthread_t));
	size_t started = 0;
	for (; started < n_threads; started++)
		if (pthread_create(&threads[started], NULL, worker, &pool))
			break;
	if (!started)
		worker(&pool); /* no threads to be had: run them here */
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);

	size_t passed = 0;
	for (size_t i = 0; i < n_jobs; i++) {
		passed += jobs[i].passed;
		if (jobs[i].run->coverage)
			sfn_coverage_add(jobs[i].run->coverage, jobs[i].events);
	}
	/* Times vary from run to run: shown with -v; JUnit's are 0 when the
	 * clock is pinned (SFN_TEST_NOW), so reports can be compared. */
	print_results(fmt, jobs, n_jobs, passed,
		      fmt == FMT_JUNIT ? !pool.deterministic : verbose);
	if (coverage) {
		json_t *all = json_array();
		for (size_t f = 0; f < n_files; f++) {
			if (!runs[f].coverage)
				continue;
			if (fmt == FMT_TEXT) {
				struct sfn_strbuf sb = SFN_STRBUF_INIT;
				sfn_coverage_text(runs[f].coverage, &sb);
				printf("\n%s", sb.buf);
				sfn_strbuf_release(&sb);
			}
			json_t *cj = sfn_coverage_json(runs[f].coverage);
			json_object_set_new(cj, "definition",
					    json_string(sfn_suite_definition(
						    runs[f].suite)));
			json_array_append_new(all, cj);
		}
		if (coverage_out) {
			FILE *out = fopen(coverage_out, "w");
			struct sfn_strbuf sb = SFN_STRBUF_INIT;
			json_t *doc = json_pack("{s:o}", "coverage", all);
			all = NULL;
			sfn_json_dump(&sb, doc, SFN_JSON_PRETTY);
			if (!out || fprintf(out, "%s\n", sb.buf) < 0 ||
			    fclose(out)) {
				fprintf(stderr, "sfn test: cannot write '%s'\n",
					coverage_out);
				rc = SFN_EXIT_HOST;
			}
			sfn_strbuf_release(&sb);
			json_decref(doc);
		}
		json_decref(all);
	}
	if (fmt == FMT_TEXT)
		printf("%zu passed, %zu failed\n", passed, n_jobs - passed);
	if (passed < n_jobs && rc == SFN_EXIT_OK)
		rc = SFN_EXIT_FAIL;

	for (size_t i = 0; i < n_jobs; i++) {
		free(jobs[i].report);
		free(jobs[i].journal);
		json_decref(jobs[i].events);
	}
	for (size_t f = 0; f < n_files; f++) {
		suite_run_release(&runs[f]);
		free(files[f]);
	}
	free(runs);
	free(files);
	free(jobs);
	free(threads);
	free(patterns);
	return rc;
}
