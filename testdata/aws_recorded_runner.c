/*
 * aws_recorded_runner: runs the executions recorded against AWS
 * (../shared/conformance/aws-recorded/, read its README) through the
 * interpreter and compares them as the README says: status; output after
 * normalising, skipping the ignored pointers; or error, then cause (counted
 * apart). Prints per-feature pass rates and "N passed, N failed".
 *
 * usage: aws_recorded_runner [-v] [-k known-failures.txt] [-o case] CASES_DIR
 *
 * With -k, the run passes when the failing cases are exactly those listed
 * (a new failure fails it, and so does a listed case that now passes, so
 * the list only shrinks). Each case runs in a child process with a time
 * limit, so a hang or crash is one failure, not the end of the run.
 */
#include <dirent.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "asl/model.h"
#include "jsonata/jsonata.h"
#include "base/base.h"
#include "exec/exec.h"
#include "task/task.h"

static bool verbose;

/* ---- normalising (README "Comparing" 5) ---- */

struct norm {
	regex_t *re;
	char **with;
	size_t n;
	bool ts_keys;
	bool iso;
};

static regex_t iso_re;

static char *replace_all(const char *s, regex_t *re, const char *with)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	regmatch_t m;
	int flags = 0;
	while (*s && regexec(re, s, 1, &m, flags) == 0) {
		sfn_strbuf_add(&sb, s, (size_t)m.rm_so);
		sfn_strbuf_adds(&sb, with);
		if (m.rm_eo == 0) {
			sfn_strbuf_addch(&sb, *s);
			s++;
		} else {
			s += m.rm_eo;
		}
		flags = REG_NOTBOL;
	}
	sfn_strbuf_adds(&sb, s);
	return sfn_strbuf_detach(&sb, NULL);
}

/*
 * The README says keys "containing" timestamp; the recordings only agree
 * with keys named timestamp (both cases with a "TimestampValue" key expect
 * its value normalised to "date"), so the name must be the whole key.
 */
static bool has_timestamp(const char *k)
{
	return !strcasecmp(k, "timestamp");
}

static char *norm_string(const struct norm *n, const char *s)
{
	char *cur = sfn_xstrdup(s);
	for (size_t i = 0; i < n->n; i++) {
		char *next = replace_all(cur, &n->re[i], n->with[i]);
		free(cur);
		cur = next;
	}
	if (n->iso) {
		char *next = replace_all(cur, &iso_re, "date");
		free(cur);
		cur = next;
	}
	return cur;
}

static json_t *norm_value(const struct norm *n, json_t *v)
{
	if (json_is_string(v)) {
		char *s = norm_string(n, json_string_value(v));
		json_t *r = json_string(s);
		free(s);
		return r ? r : json_incref(v);
	}
	if (json_is_array(v)) {
		json_t *a = json_array();
		size_t i;
		json_t *m;
		json_array_foreach(v, i, m) {
			json_array_append_new(a, norm_value(n, m));
		}
		return a;
	}
	if (json_is_object(v)) {
		json_t *o = json_object();
		const char *k;
		json_t *m;
		json_object_foreach(v, k, m) {
			char *nk = norm_string(n, k);
			if (n->ts_keys && has_timestamp(k))
				json_object_set_new(o, nk,
						    json_string("timestamp"));
			else
				json_object_set_new(o, nk, norm_value(n, m));
			free(nk);
		}
		return o;
	}
	return json_incref(v);
}

/* ---- comparing with ignored pointers ---- */

static bool ignored(json_t *ignore, const char *ptr)
{
	size_t i;
	json_t *p;
	json_array_foreach(ignore, i, p) {
		if (!strcmp(json_string_value(p), ptr))
			return true;
	}
	return false;
}

static bool same(json_t *want, json_t *got, json_t *ignore,
		 struct sfn_strbuf *ptr)
{
	if (ignored(ignore, ptr->buf))
		return true;
	if (json_is_object(want) && json_is_object(got)) {
		const char *k;
		json_t *w;
		if (json_object_size(want) != json_object_size(got)) {
			/* Ignored members may be absent on one side only. */
			json_object_foreach(got, k, w) {
				if (json_object_get(want, k))
					continue;
				size_t len = ptr->len;
				sfn_pointer_add(ptr, k);
				bool ig = ignored(ignore, ptr->buf);
				ptr->len = len;
				ptr->buf[len] = '\0';
				if (!ig)
					return false;
			}
		}
		json_object_foreach(want, k, w) {
			size_t len = ptr->len;
			sfn_pointer_add(ptr, k);
			json_t *g = json_object_get(got, k);
			bool ok = g ? same(w, g, ignore, ptr)
				    : ignored(ignore, ptr->buf);
			ptr->len = len;
			ptr->buf[len] = '\0';
			if (!ok)
				return false;
		}
		return true;
	}
	if (json_is_array(want) && json_is_array(got)) {
		if (json_array_size(want) != json_array_size(got))
			return false;
		for (size_t i = 0; i < json_array_size(want); i++) {
			size_t len = ptr->len;
			sfn_pointer_addi(ptr, i);
			bool ok = same(json_array_get(want, i),
				       json_array_get(got, i), ignore, ptr);
			ptr->len = len;
			ptr->buf[len] = '\0';
			if (!ok)
				return false;
		}
		return true;
	}
	return sfn_json_equal(want, got);
}

/* ---- running one case ---- */

static double mono(void *ud)
{
	(void)ud;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void rnd(void *ud, void *buf, size_t n)
{
	uint64_t *s = ud;
	unsigned char *p = buf;
	for (size_t i = 0; i < n; i++) {
		*s ^= *s >> 12;
		*s ^= *s << 25;
		*s ^= *s >> 27;
		p[i] = (unsigned char)((*s * 2685821657736338717ULL) >> 56);
	}
}

enum verdict { PASS, BAD_STATUS, BAD_OUTPUT, BAD_ERROR, BAD_CAUSE, CRASH };
static const char *const verdict_names[] = { "pass",  "status", "output",
					     "error", "cause",	"crash" };

static bool str_eq(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && !strcmp(a, b);
}

/* Runs @c; writes a one-line reason into @why. */
static enum verdict run_case(json_t *c, char *why, size_t whylen)
{
	struct sfn_error err = SFN_ERROR_INIT;
	json_t *expected = json_object_get(c, "expected");
	const char *want_status =
		json_string_value(json_object_get(expected, "status"));
	json_t *ignore = json_object_get(c, "ignore");
	json_t *normalize = json_object_get(c, "normalize");
	struct norm n = { 0 };
	json_t *rr = json_object_get(normalize, "regex_replacements");
	n.n = json_array_size(rr);
	n.re = sfn_xcalloc(n.n + 1, sizeof(regex_t));
	n.with = sfn_xcalloc(n.n + 1, sizeof(char *));
	for (size_t i = 0; i < n.n; i++) {
		json_t *p = json_array_get(rr, i);
		regcomp(&n.re[i], json_string_value(json_array_get(p, 0)),
			REG_EXTENDED);
		n.with[i] = (char *)json_string_value(json_array_get(p, 1));
	}
	json_t *iso = json_object_get(normalize, "iso8601_to_date");
	n.iso = !iso || json_is_true(iso);
	json_t *tsk = json_object_get(normalize, "timestamp_keys");

	enum verdict v = PASS;
	struct sfn_exec_result res = { 0 };
	struct sfn_exec *x = NULL;
	struct sfn_machine *m =
		sfn_machine_compile(json_object_get(c, "definition"), &err);
	json_t *input = json_object_get(c, "input");
	const char *smname =
		json_string_value(json_object_get(c, "state_machine_name"));
	if (!smname)
		smname = "RecordedStateMachine";
	struct sfn_task_env tenv = { 0 };
	atomic_int cancel;
	atomic_init(&cancel, 0);
	tenv.cancel = &cancel;
	tenv.state_machine_name = smname;
	if (json_object_get(c, "mock")) {
		tenv.mock_config = json_object_get(c, "mock");
		tenv.mock_test_case =
			json_string_value(json_object_get(c, "testCase"));
	}
	if (!m) {
		res.status = SFN_EXEC_FAILED;
		res.error = sfn_xstrdup(err.name ? err.name : "?");
		res.cause =
			sfn_xasprintf("%s at %s", err.cause ? err.cause : "",
				      err.where ? err.where : "");
	} else {
		uint64_t seed = 0x9e3779b97f4a7c15ULL;
		/* The clock of the recording, where the case says it. */
		double start = 1767225600.0;
		const char *lv = json_string_value(json_object_get(
			json_object_get(c, "origin"), "last_validated_date"));
		if (lv)
			sfn_time_parse(lv, &start);
		const char *type = json_string_value(
			json_object_get(c, "state_machine_type"));
		struct sfn_exec_options o = {
			.input = input ? input : json_object(),
			.state_machine_name = smname,
			.execution_name = "recorded-execution",
			.region = "us-east-1",
			.account = "111111111111",
			.express = type && !strcmp(type, "EXPRESS"),
			.start_time = start,
			.time_scale = 0,
			.pinned_clock = false,
			.monotonic = mono,
			.random = rnd,
			.ud = &seed,
			.task_env = &tenv,
			.max_threads = 4,
		};
		x = sfn_exec_create(m, &o);
		sfn_exec_run(x, &res);
		if (!input)
			json_decref(o.input);
	}
	const char *got_status = sfn_exec_status_name(res.status);
	if (!want_status || strcmp(want_status, got_status)) {
		v = BAD_STATUS;
		snprintf(why, whylen, "status %s, want %s (%s: %s)", got_status,
			 want_status ? want_status : "?",
			 res.error ? res.error : "",
			 res.cause ? res.cause : "");
	} else if (res.status == SFN_EXEC_SUCCEEDED) {
		n.ts_keys = json_is_true(json_object_get(tsk, "output"));
		json_t *got = norm_value(&n, res.output);
		struct sfn_strbuf ptr = SFN_STRBUF_INIT;
		sfn_strbuf_adds(&ptr, "/output");
		if (!same(json_object_get(expected, "output"), got, ignore,
			  &ptr)) {
			v = BAD_OUTPUT;
			char *g = sfn_json_dumps(got, 0);
			char *w = sfn_json_dumps(
				json_object_get(expected, "output"), 0);
			snprintf(why, whylen, "output %s, want %s", g, w);
			free(g);
			free(w);
		}
		sfn_strbuf_release(&ptr);
		json_decref(got);
	} else {
		const char *we =
			json_string_value(json_object_get(expected, "error"));
		if (!str_eq(we, res.error)) {
			v = BAD_ERROR;
			snprintf(why, whylen,
				 "error '%s', want '%s' (cause %s)",
				 res.error ? res.error : "", we ? we : "",
				 res.cause ? res.cause : "");
		} else if (!ignored(ignore, "/cause")) {
			json_t *cj = json_object_get(expected, "cause_json");
			const char *wc = json_string_value(
				json_object_get(expected, "cause"));
			n.ts_keys = json_is_true(json_object_get(tsk, "cause"));
			if (cj) {
				json_t *gj =
					res.cause ? json_loads(res.cause,
							       JSON_DECODE_ANY,
							       NULL)
						  : NULL;
				json_t *gn = gj ? norm_value(&n, gj) : NULL;
				struct sfn_strbuf ptr = SFN_STRBUF_INIT;
				sfn_strbuf_adds(&ptr, "/cause_json");
				if (!gn || !same(cj, gn, ignore, &ptr)) {
					v = BAD_CAUSE;
					snprintf(why, whylen,
						 "cause %s, want JSON %s",
						 res.cause ? res.cause : "",
						 wc ? wc : "");
				}
				sfn_strbuf_release(&ptr);
				json_decref(gj);
				json_decref(gn);
			} else {
				char *gc = res.cause
						   ? norm_string(&n, res.cause)
						   : NULL;
				if (!str_eq(wc, gc)) {
					v = BAD_CAUSE;
					snprintf(why, whylen,
						 "cause '%s', want '%s'",
						 gc ? gc : "", wc ? wc : "");
				}
				free(gc);
			}
		}
	}
	sfn_exec_result_release(&res);
	sfn_exec_free(x);
	sfn_machine_free(m);
	sfn_error_release(&err);
	for (size_t i = 0; i < n.n; i++)
		regfree(&n.re[i]);
	free(n.re);
	free(n.with);
	return v;
}

/* Runs the case in a child with a time limit. */
static enum verdict run_isolated(json_t *c, char *why, size_t whylen)
{
	int fds[2];
	if (pipe(fds) < 0)
		return CRASH;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		alarm(20);
		char buf[4096] = "";
		enum verdict v = run_case(c, buf, sizeof(buf));
		char out[4200];
		int len = snprintf(out, sizeof(out), "%d %s", (int)v, buf);
		if (write(fds[1], out, (size_t)len) < 0)
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	char buf[4200];
	size_t got = 0;
	ssize_t r;
	while (got < sizeof(buf) - 1 &&
	       (r = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	close(fds[0]);
	int st;
	waitpid(pid, &st, 0);
	if (!got) {
		snprintf(why, whylen, "crashed or hung (status %d)", st);
		return CRASH;
	}
	char *sp = strchr(buf, ' ');
	snprintf(why, whylen, "%s", sp ? sp + 1 : "");
	return (enum verdict)atoi(buf);
}

/* ---- the suite ---- */

struct tally {
	char name[64];
	unsigned pass, fail;
};

static bool tagged(json_t *c, const char *tag)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(c, "features"), i, t) {
		if (!strcmp(json_string_value(t), tag))
			return true;
	}
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const char *known_path = NULL, *only = NULL;
	int opt;
	sfn_alloc_init();
	while ((opt = getopt(argc, argv, "vk:o:")) != -1) {
		if (opt == 'v')
			verbose = true;
		else if (opt == 'k')
			known_path = optarg;
		else if (opt == 'o')
			only = optarg;
		else
			return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: aws_recorded_runner [-v] [-k known] "
				"[-o case] CASES_DIR\n");
		return 2;
	}
	regcomp(&iso_re,
		"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T"
		"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
		"(\\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})",
		REG_EXTENDED);
	const char *dir = argv[optind];
	DIR *d = opendir(dir);
	if (!d) {
		perror(dir);
		return 2;
	}
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 512;
			names = sfn_xrealloc(names, alloc * sizeof(char *));
		}
		names[n++] = sfn_xstrndup(de->d_name, l - 5);
	}
	closedir(d);
	qsort(names, n, sizeof(char *), cmp_str);

	json_t *known = json_object();
	if (known_path) {
		FILE *f = fopen(known_path, "r");
		char line[1024];
		while (f && fgets(line, sizeof(line), f)) {
			if (line[0] == '#' || line[0] == '\n')
				continue;
			line[strcspn(line, "\n")] = '\0';
			char *sp = strpbrk(line, " \t");
			if (sp)
				*sp++ = '\0';
			json_object_set_new(known, line,
					    json_string(sp ? sp : ""));
		}
		if (f)
			fclose(f);
		else
			perror(known_path);
	}

	/*
	 * Without the JSONata engine (a stand-in refuses every expression),
	 * the cases tagged jsonata are skipped rather than failed, so the
	 * known-failures list is the one of a full build.
	 */
	struct sfn_jsonata_error jerr = { 0 };
	struct sfn_jsonata *probe = sfn_jsonata_compile("1", 1, 0, &jerr);
	bool have_jsonata = probe != NULL;
	sfn_jsonata_free(probe);
	sfn_jsonata_error_release(&jerr);
	unsigned skipped = 0;

	struct tally feats[64];
	size_t nf = 0;
	unsigned counts[CRASH + 1] = { 0 };
	unsigned passed = 0, failed = 0, unexpected = 0, fixed = 0;
	for (size_t i = 0; i < n; i++) {
		if (only && !strstr(names[i], only))
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s.json", dir, names[i]);
		json_error_t je;
		json_t *c = json_load_file(path, 0, &je);
		if (!c) {
			fprintf(stderr, "%s: %s\n", path, je.text);
			failed++;
			continue;
		}
		if (!have_jsonata && tagged(c, "jsonata")) {
			skipped++;
			json_decref(c);
			continue;
		}
		char why[4096] = "";
		enum verdict v = run_isolated(c, why, sizeof(why));
		counts[v]++;
		bool listed = json_object_get(known, names[i]) != NULL;
		if (v == PASS) {
			passed++;
			if (listed) {
				fixed++;
				printf("FIXED %s (remove it from the known "
				       "failures)\n",
				       names[i]);
			}
		} else {
			failed++;
			if (!listed)
				unexpected++;
			if (!listed || verbose)
				printf("%s %s [%s]: %.600s\n",
				       listed ? "known" : "FAIL", names[i],
				       verdict_names[v], why);
		}
		json_t *tags = json_object_get(c, "features");
		size_t k;
		json_t *t;
		json_array_foreach(tags, k, t) {
			const char *tn = json_string_value(t);
			size_t j;
			for (j = 0; j < nf; j++)
				if (!strcmp(feats[j].name, tn))
					break;
			if (j == nf && nf < 64) {
				snprintf(feats[nf].name, sizeof(feats[nf].name),
					 "%s", tn);
				feats[nf].pass = feats[nf].fail = 0;
				nf++;
			}
			if (j < 64) {
				if (v == PASS)
					feats[j].pass++;
				else
					feats[j].fail++;
			}
		}
		json_decref(c);
	}
	printf("\nper feature:\n");
	for (size_t j = 0; j < nf; j++) {
		unsigned tot = feats[j].pass + feats[j].fail;
		printf("  %-20s %4u/%-4u %5.1f%%\n", feats[j].name,
		       feats[j].pass, tot,
		       tot ? 100.0 * feats[j].pass / tot : 0.0);
	}
	printf("\nfailures by kind: status %u, output %u, error %u, cause "
	       "%u, crash %u\n",
	       counts[BAD_STATUS], counts[BAD_OUTPUT], counts[BAD_ERROR],
	       counts[BAD_CAUSE], counts[CRASH]);
	if (skipped)
		printf("%u cases tagged jsonata skipped: this build has no "
		       "JSONata engine\n",
		       skipped);
	if (known_path)
		printf("%u unexpected failures, %u listed cases now pass\n",
		       unexpected, fixed);
	printf("%u passed, %u failed\n", passed, failed);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	json_decref(known);
	regfree(&iso_re);
	if (known_path)
		return unexpected || fixed ? 1 : 0;
	return failed ? 1 : 0;
}
