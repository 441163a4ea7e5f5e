/*
 * sfn validate: lint state machine definitions (ASL in JSON or YAML, or
 * every state machine of a CloudFormation/SAM template) and print the
 * diagnostics as text, JSON, AWS's ValidateStateMachineDefinition
 * response, SARIF 2.1.0 or GitHub workflow annotations. Many files run in
 * one process, checked on several threads and reported in order;
 * directories with -r.
 */
#include "cmd.h"

#include <dirent.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "asl/asl.h"
#include "cli.h"
#include "lint/lint.h"

enum format { F_TEXT, F_JSON, F_AWS, F_SARIF, F_GITHUB };

struct opts {
	enum format format;
	bool recursive;
	bool strict;
	bool errors_only;
	int type; /* -1 unset (the template's, else STANDARD), else flags */
	long max_results; /* 0: all */
	const char *logical_id;
	bool color;
	long jobs; /* threads checking files */
};

/* One checked machine (or an unreadable file). */
struct result {
	char *file;	  /* owned: what diagnostics print */
	char *logical_id; /* owned, may be NULL */
	struct sfn_diags diags;
	json_t *root;	  /* new reference, for AWS locations; may be NULL */
	bool unreadable;  /* load failed: diags has the one parse error */
	bool loader_only; /* the template's own loader diagnostics, no machine
			   */
	size_t errors, warnings;
};

struct run {
	struct opts o;
	size_t n_files, n_skipped, n_unreadable, n_invalid, n_valid;
	size_t n_machines;
	int exit;
	json_t *json_files; /* F_JSON: the "files" array */
	json_t *sarif_results;
	bool several; /* F_AWS: more than one object will be printed */
};

static void raise_exit(struct run *r, int code)
{
	if (code > r->exit)
		r->exit = code;
}

/* ---- output ---- */

static const char *sev_name(enum sfn_severity s, bool upper)
{
	if (s == SFN_SEV_ERROR)
		return upper ? "ERROR" : "error";
	return upper ? "WARNING" : "warning";
}

/* The diagnostics shown: severity filter and --max-results. */
static bool shown(const struct run *r, const struct sfn_diag *d)
{
	return !(r->o.errors_only && d->severity != SFN_SEV_ERROR);
}

static void github_escape(struct sfn_strbuf *sb, const char *s, bool prop)
{
	for (; *s; s++) {
		if (*s == '%')
			sfn_strbuf_adds(sb, "%25");
		else if (*s == '\r')
			sfn_strbuf_adds(sb, "%0D");
		else if (*s == '\n')
			sfn_strbuf_adds(sb, "%0A");
		else if (prop && *s == ':')
			sfn_strbuf_adds(sb, "%3A");
		else if (prop && *s == ',')
			sfn_strbuf_adds(sb, "%2C");
		else
			sfn_strbuf_addch(sb, *s);
	}
}

static void emit(struct run *r, struct result *res)
{
	size_t limit =
		r->o.max_results > 0 ? (size_t)r->o.max_results : (size_t)-1;
	size_t n_shown = 0, n_hidden = 0;
	bool truncated = false;
	json_t *list = json_array();
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	for (size_t i = 0; i < res->diags.n; i++) {
		struct sfn_diag *d = &res->diags.v[i];
		if (!shown(r, d))
			continue;
		if (n_shown == limit) {
			truncated = true;
			n_hidden++;
			continue;
		}
		n_shown++;
		switch (r->o.format) {
		case F_TEXT:
			sfn_cli_print_diag(stderr, res->file, d, r->o.color);
			break;
		case F_GITHUB:
			sfn_strbuf_reset(&sb);
			sfn_strbuf_addf(&sb, "::%s file=",
					sev_name(d->severity, false));
			github_escape(&sb, res->file, true);
			if (d->line > 0)
				sfn_strbuf_addf(&sb, ",line=%d,col=%d", d->line,
						d->col > 0 ? d->col : 1);
			sfn_strbuf_adds(&sb, ",title=");
			github_escape(&sb, d->code, true);
			sfn_strbuf_adds(&sb, "::");
			github_escape(&sb, d->message, false);
			if (d->where && *d->where) {
				sfn_strbuf_adds(&sb, " (at ");
				github_escape(&sb, d->where, false);
				sfn_strbuf_adds(&sb, ")");
			}
			fprintf(stdout, "%s\n", sb.buf);
			break;
		case F_JSON: {
			json_t *o =
				json_pack("{s:s, s:s, s:s, s:s}", "severity",
					  sev_name(d->severity, false), "code",
					  d->code, "message", d->message,
					  "location", d->where ? d->where : "");
			if (d->line > 0) {
				json_object_set_new(o, "line",
						    json_integer(d->line));
				json_object_set_new(o, "column",
						    json_integer(d->col));
			}
			json_array_append_new(list, o);
			break;
		}
		case F_AWS: {
			json_t *o =
				json_pack("{s:s, s:s, s:s}", "severity",
					  sev_name(d->severity, true), "code",
					  d->code, "message", d->message);
			if (res->unreadable) {
				char *loc =
					sfn_xasprintf("line: %d, column: %d",
						      d->line, d->col);
				json_object_set_new(o, "location",
						    json_string(loc));
				free(loc);
			} else if (strcmp(d->code, "MISSING_END_STATE") != 0 &&
				   d->where) {
				char *loc = sfn_lint_aws_location(res->root,
								  d->where);
				json_object_set_new(o, "location",
						    json_string(loc));
				free(loc);
			}
			json_array_append_new(list, o);
			break;
		}
		case F_SARIF: {
			json_t *region = json_object();
			if (d->line > 0) {
				json_object_set_new(region, "startLine",
						    json_integer(d->line));
				json_object_set_new(
					region, "startColumn",
					json_integer(d->col > 0 ? d->col : 1));
			}
			json_t *loc =
				json_pack("{s:{s:{s:s}}}", "physicalLocation",
					  "artifactLocation", "uri", res->file);
			if (json_object_size(region))
				json_object_set_new(
					json_object_get(loc,
							"physicalLocation"),
					"region", region);
			else
				json_decref(region);
			if (d->where && *d->where)
				json_object_set_new(
					loc, "logicalLocations",
					json_pack("[{s:s}]",
						  "fullyQualifiedName",
						  d->where));
			json_t *o = json_pack("{s:s, s:s, s:{s:s}, s:[o]}",
					      "ruleId", d->code, "level",
					      sev_name(d->severity, false),
					      "message", "text", d->message,
					      "locations", loc);
			json_array_append_new(r->sarif_results, o);
			break;
		}
		}
	}
	sfn_strbuf_release(&sb);
	if (r->o.format == F_TEXT && truncated)
		fprintf(stderr,
			"%s: %zu more diagnostic%s not shown "
			"(--max-results %ld)\n",
			res->file, n_hidden, n_hidden == 1 ? "" : "s",
			r->o.max_results);
	if (r->o.format == F_JSON) {
		json_t *f = json_pack("{s:s}", "file", res->file);
		if (res->logical_id)
			json_object_set_new(f, "logicalId",
					    json_string(res->logical_id));
		json_object_set_new(
			f, "valid",
			json_boolean(!res->unreadable && res->errors == 0));
		if (res->unreadable)
			json_object_set_new(f, "unreadable", json_true());
		json_object_set_new(f, "errors", json_integer(res->errors));
		json_object_set_new(f, "warnings", json_integer(res->warnings));
		json_object_set_new(f, "diagnostics", list);
		json_object_set_new(f, "truncated", json_boolean(truncated));
		json_array_append_new(r->json_files, f);
		list = NULL;
	} else if (r->o.format == F_AWS) {
		json_t *o = json_object();
		if (r->several)
			json_object_set_new(o, "file", json_string(res->file));
		if (res->logical_id)
			json_object_set_new(o, "logicalId",
					    json_string(res->logical_id));
		json_object_set_new(o, "result",
				    json_string(res->unreadable || res->errors
							? "FAIL"
							: "OK"));
		json_object_set_new(o, "diagnostics", list);
		json_object_set_new(o, "truncated", json_boolean(truncated));
		list = NULL;
		struct sfn_strbuf out = SFN_STRBUF_INIT;
		sfn_json_dump(&out, o, 0);
		fprintf(stdout, "%s\n", out.buf);
		sfn_strbuf_release(&out);
		json_decref(o);
	}
	json_decref(list);
}

static void finish_result(struct run *r, struct result *res)
{
	res->errors = sfn_diags_count(&res->diags, SFN_SEV_ERROR);
	res->warnings = sfn_diags_count(&res->diags, SFN_SEV_WARNING);
	if (res->unreadable) {
		r->n_unreadable++;
		raise_exit(r, SFN_EXIT_INPUT);
	} else if (res->errors || (r->o.strict && res->warnings)) {
		r->n_invalid++;
		raise_exit(r, SFN_EXIT_FAIL);
	} else if (!res->loader_only) {
		r->n_valid++;
	}
	emit(r, res);
	free(res->file);
	free(res->logical_id);
	sfn_diags_release(&res->diags);
	json_decref(res->root);
}

/*
 * What checking one file gave, for the main thread to count and print in
 * order: filled by a worker, read once the item is done.
 */
struct outcome {
	bool skipped;	   /* not ASL nor a template (found by -r) */
	size_t n_machines; /* machines linted */
	struct result *v;  /* owned: in the order to print */
	size_t n;
};

static struct result *add_result(struct outcome *out, const char *file)
{
	out->v = sfn_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	struct result *res = &out->v[out->n++];
	memset(res, 0, sizeof(*res));
	res->file = sfn_xstrdup(file);
	return res;
}

static void unreadable(struct outcome *out, const char *file, const char *code,
		       const struct sfn_error *e)
{
	struct result *res = add_result(out, file);
	res->unreadable = true;
	struct sfn_diag *d = sfn_diags_addf(
		&res->diags, SFN_SEV_ERROR, code, NULL, "%s",
		e->cause ? e->cause : (e->name ? e->name : "cannot read"));
	d->line = e->line;
	d->col = e->col;
}

/* The template's StateMachineType (CFN) or Type (SAM) for @id. */
static bool template_express(json_t *tpl, const char *id)
{
	json_t *props = json_object_get(
		json_object_get(json_object_get(tpl, "Resources"), id),
		"Properties");
	const char *t =
		json_string_value(json_object_get(props, "StateMachineType"));
	if (!t)
		t = json_string_value(json_object_get(props, "Type"));
	return t && strcmp(t, "EXPRESS") == 0;
}

/* Does template @tpl declare a state machine? (-r skips those that don't.) */
static bool has_state_machine(json_t *tpl)
{
	const char *id;
	json_t *res;
	json_object_foreach(json_object_get(tpl, "Resources"), id, res) {
		const char *t = json_string_value(json_object_get(res, "Type"));
		if (t && (!strcmp(t, "AWS::StepFunctions::StateMachine") ||
			  !strcmp(t, "AWS::Serverless::StateMachine")))
			return true;
	}
	return false;
}

static void copy_diags(struct sfn_diags *to, const struct sfn_diags *from)
{
	for (size_t k = 0; k < from->n; k++) {
		const struct sfn_diag *s = &from->v[k];
		struct sfn_diag *d = sfn_diags_addf(to, s->severity, s->code,
						    s->where, "%s", s->message);
		d->line = s->line;
		d->col = s->col;
	}
}

/*
 * Checks one file into @out. It touches nothing shared, so files are
 * checked on several threads. @explicit: named on the command line
 * (checked even when it does not look like ASL); otherwise found by -r,
 * and skipped when it is neither ASL nor a template.
 */
static void check_file(const struct opts *o, const char *path, bool explicit,
		       struct outcome *out)
{
	struct sfn_error e = SFN_ERROR_INIT;
	struct sfn_diags load_diags = SFN_DIAGS_INIT;
	struct sfn_machine_list list = { 0 };
	const char *display = sfn_display_name(path);
	struct sfn_doc *doc = sfn_doc_load_file(path, 0, &load_diags, &e);
	if (!doc) {
		unreadable(out, display,
			   o->format == F_AWS ? "INVALID_JSON_DESCRIPTION"
			   : e.name	      ? e.name
					      : "SFN_PARSE",
			   &e);
		goto done;
	}
	json_t *root = sfn_doc_root(doc);
	if (!explicit && !sfn_is_asl(root) &&
	    !(sfn_is_template(root) && has_state_machine(root))) {
		out->skipped = true;
		goto done;
	}
	if (sfn_doc_machines(doc, o->logical_id, &list, &load_diags, &e) < 0) {
		bool io = e.name && (!strcmp(e.name, "SFN_IO") ||
				     !strcmp(e.name, "SFN_PARSE"));
		if (io) {
			unreadable(out, display, e.name, &e);
		} else {
			struct result *res = add_result(out, display);
			struct sfn_diag *d = sfn_diags_addf(
				&res->diags, SFN_SEV_ERROR,
				e.name ? e.name : "SFN_TEMPLATE", e.where, "%s",
				e.cause ? e.cause : "no state machine");
			d->line = e.line;
			d->col = e.col;
		}
		goto done;
	}
	/*
	 * Loader problems (duplicate keys, placeholders) are placed in the
	 * template, so they go with its first machine that is in the template
	 * itself, each reported once; when every machine comes from a
	 * DefinitionUri file, with a result of their own naming the template.
	 */
	size_t with_load = list.n;
	for (size_t i = 0; i < list.n && with_load == list.n; i++)
		if (list.v[i].doc == doc ||
		    !strcmp(sfn_doc_name(list.v[i].doc), sfn_doc_name(doc)))
			with_load = i;
	if (with_load == list.n && load_diags.n) {
		struct result *res = add_result(out, display);
		res->loader_only = true;
		copy_diags(&res->diags, &load_diags);
		sfn_diags_sort(&res->diags);
	}
	for (size_t i = 0; i < list.n; i++) {
		struct sfn_machine_src *m = &list.v[i];
		json_t *def = sfn_doc_root(m->doc);
		int flags =
			o->type >= 0 ? o->type
			: list.is_template && m->logical_id &&
					template_express(root, m->logical_id)
				? SFN_LINT_EXPRESS
				: 0;
		struct result *res = add_result(
			out, m->doc == doc ? display : sfn_doc_name(m->doc));
		if (m->logical_id)
			res->logical_id = sfn_xstrdup(m->logical_id);
		if (i == with_load)
			copy_diags(&res->diags, &load_diags);
		sfn_lint(def, m->doc, flags, &res->diags);
		sfn_doc_locate_diags(m->doc, &res->diags);
		sfn_diags_sort(&res->diags);
		res->root = json_incref(def);
		out->n_machines++;
	}
done:
	sfn_machine_list_release(&list);
	sfn_diags_release(&load_diags);
	sfn_doc_free(doc);
	sfn_error_release(&e);
}

/* Counts and prints an outcome, then frees it; main thread only. */
static void report(struct run *r, struct outcome *out)
{
	if (out->skipped)
		r->n_skipped++;
	else
		r->n_files++;
	r->n_machines += out->n_machines;
	for (size_t i = 0; i < out->n; i++)
		finish_result(r, &out->v[i]);
	free(out->v);
	memset(out, 0, sizeof(*out));
}

/*
 * The files to report, in order: each to be checked (@path), or decided
 * while walking (a skipped name, a directory that cannot be opened).
 */
struct item {
	char *path; /* owned; NULL: @out is final already */
	bool explicit;
	struct outcome out;
	bool done; /* @out is final; under the queue's lock */
};

/*
 * Workers take items in order and check them; the main thread reports
 * each as soon as it and all before it are done. Workers stay at most
 * WINDOW items ahead, so a long run holds few documents at once.
 */
#define WINDOW 64
struct queue {
	const struct opts *o;
	struct item *v;
	size_t n;
	pthread_mutex_t mu;
	pthread_cond_t change; /* an item is done, or one was reported */
	size_t next;	       /* the next item a worker takes; under mu */
	size_t reported;       /* items reported; under mu */
};

static struct item *add_item(struct queue *q, const char *path, bool explicit)
{
	q->v = sfn_xrealloc(q->v, (q->n + 1) * sizeof(*q->v));
	struct item *it = &q->v[q->n++];
	memset(it, 0, sizeof(*it));
	it->path = path ? sfn_xstrdup(path) : NULL;
	it->explicit = explicit;
	it->done = path == NULL;
	return it;
}

static void *worker(void *arg)
{
	struct queue *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->next < q->n &&
		       (q->v[q->next].done || !q->v[q->next].path))
			q->next++;
		if (q->next >= q->n)
			break;
		if (q->next >= q->reported + WINDOW) {
			pthread_cond_wait(&q->change, &q->mu);
			continue;
		}
		struct item *it = &q->v[q->next++];
		pthread_mutex_unlock(&q->mu);
		struct outcome out = { 0 };
		check_file(q->o, it->path, it->explicit, &out);
		pthread_mutex_lock(&q->mu);
		it->out = out;
		it->done = true;
		pthread_cond_broadcast(&q->change);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/*
 * Checks every item on up to o->jobs threads, reporting each in order as
 * soon as it is done. One file (or --jobs 1) runs on this thread alone.
 */
static void run_queue(struct run *r, struct queue *q)
{
	size_t todo = 0;
	for (size_t i = 0; i < q->n; i++)
		todo += q->v[i].path != NULL;
	size_t n_threads = (size_t)r->o.jobs < todo ? (size_t)r->o.jobs : todo;
	pthread_t *threads = NULL;
	size_t started = 0;
	if (n_threads > 1) {
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		/* The loader and the JSONata parser recurse: room as on
		 * the main thread. */
		pthread_attr_setstacksize(&attr, 8u << 20);
		threads = sfn_xcalloc(n_threads, sizeof(*threads));
		for (; started < n_threads; started++)
			if (pthread_create(&threads[started], &attr, worker, q))
				break;
		pthread_attr_destroy(&attr);
	}
	for (size_t i = 0; i < q->n; i++) {
		struct item *it = &q->v[i];
		pthread_mutex_lock(&q->mu);
		if (!started && !it->done) {
			/* No workers: check it here. */
			q->next = i + 1;
			pthread_mutex_unlock(&q->mu);
			check_file(q->o, it->path, it->explicit, &it->out);
			pthread_mutex_lock(&q->mu);
			it->done = true;
		}
		while (!it->done)
			pthread_cond_wait(&q->change, &q->mu);
		pthread_mutex_unlock(&q->mu);
		report(r, &it->out);
		pthread_mutex_lock(&q->mu);
		q->reported = i + 1;
		pthread_cond_broadcast(&q->change);
		pthread_mutex_unlock(&q->mu);
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
}

static bool wanted_ext(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && (!strcmp(dot, ".json") || !strcmp(dot, ".yaml") ||
		       !strcmp(dot, ".yml"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .json/.yaml/.yml under @dir, in name order. */
static void walk(struct queue *q, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		struct sfn_error e = {
			.cause = (char *)"cannot open directory"
		};
		unreadable(&add_item(q, NULL, false)->out, dir, "SFN_IO", &e);
		return;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = sfn_xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = sfn_xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *p = sfn_xasprintf("%s%s%s", dir,
					dir[strlen(dir) - 1] == '/' ? "" : "/",
					names[i]);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			walk(q, p);
		else if (wanted_ext(names[i]))
			add_item(q, p, false);
		else
			add_item(q, NULL, false)->out.skipped = true;
		free(p);
		free(names[i]);
	}
	free(names);
}

static void print_sarif(struct run *r)
{
	json_t *rules = json_array();
	for (const struct sfn_lint_rule *x = sfn_lint_rules; x->code; x++)
		json_array_append_new(rules,
				      json_pack("{s:s, s:{s:s}, s:{s:s}}", "id",
						x->code, "shortDescription",
						"text", x->summary,
						"defaultConfiguration", "level",
						sev_name(x->severity, false)));
	static const char *const extra[][2] = {
		{ "SFN_PARSE", "the file is not valid JSON or YAML" },
		{ "SFN_IO", "the file cannot be read" },
		{ "SFN_DUPLICATE_KEY", "an object has the same key twice" },
		{ "SFN_UNRESOLVED_PLACEHOLDER",
		  "a template value that has no value outside a deployed "
		  "stack" },
	};
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		json_array_append_new(rules,
				      json_pack("{s:s, s:{s:s}}", "id",
						extra[i][0], "shortDescription",
						"text", extra[i][1]));
	json_t *doc = json_pack(
		"{s:s, s:s, s:[{s:{s:{s:s, s:s, s:o}}, s:O}]}", "$schema",
		"https://json.schemastore.org/sarif-2.1.0.json", "version",
		"2.1.0", "runs", "tool", "driver", "name", "sfn",
		"informationUri",
		"https://docs.aws.amazon.com/step-functions/latest/dg/"
		"concepts-amazon-states-language.html",
		"rules", rules, "results", r->sarif_results);
	struct sfn_strbuf out = SFN_STRBUF_INIT;
	sfn_json_dump(&out, doc, SFN_JSON_PRETTY);
	fprintf(stdout, "%s\n", out.buf);
	sfn_strbuf_release(&out);
	json_decref(doc);
}

static void print_json(struct run *r)
{
	json_t *doc = json_pack(
		"{s:O, s:{s:I, s:I, s:I, s:I, s:I, s:I}}", "files",
		r->json_files, "summary", "files", (json_int_t)r->n_files,
		"machines", (json_int_t)r->n_machines, "valid",
		(json_int_t)r->n_valid, "invalid", (json_int_t)r->n_invalid,
		"unreadable", (json_int_t)r->n_unreadable, "skipped",
		(json_int_t)r->n_skipped);
	struct sfn_strbuf out = SFN_STRBUF_INIT;
	sfn_json_dump(&out, doc, SFN_JSON_PRETTY);
	fprintf(stdout, "%s\n", out.buf);
	sfn_strbuf_release(&out);
	json_decref(doc);
}

static const struct option longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "recursive", no_argument, NULL, 'r' },
	{ "type", required_argument, NULL, 't' },
	{ "logical-id", required_argument, NULL, 'l' },
	{ "severity", required_argument, NULL, 's' },
	{ "max-results", required_argument, NULL, 'm' },
	{ "strict", no_argument, NULL, 'S' },
	{ "color", required_argument, NULL, 'c' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_validate(int argc, char **argv)
{
	struct run r = { 0 };
	int color = SFN_COLOR_AUTO, c;
	r.o.type = -1;
	r.o.jobs = sysconf(_SC_NPROCESSORS_ONLN);
	if (r.o.jobs < 1)
		r.o.jobs = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:rj:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "text"))
				r.o.format = F_TEXT;
			else if (!strcmp(optarg, "json"))
				r.o.format = F_JSON;
			else if (!strcmp(optarg, "aws"))
				r.o.format = F_AWS;
			else if (!strcmp(optarg, "sarif"))
				r.o.format = F_SARIF;
			else if (!strcmp(optarg, "github"))
				r.o.format = F_GITHUB;
			else
				return sfn_cmd_usage_error(
					"validate",
					"unknown format '%s' (text, json, aws, "
					"sarif or github)",
					optarg);
			break;
		case 'r':
			r.o.recursive = true;
			break;
		case 't':
			if (!strcasecmp(optarg, "standard"))
				r.o.type = 0;
			else if (!strcasecmp(optarg, "express"))
				r.o.type = SFN_LINT_EXPRESS;
			else
				return sfn_cmd_usage_error(
					"validate",
					"unknown type '%s' (standard or "
					"express)",
					optarg);
			break;
		case 'l':
			r.o.logical_id = optarg;
			break;
		case 's':
			if (!strcasecmp(optarg, "error"))
				r.o.errors_only = true;
			else if (!strcasecmp(optarg, "warning"))
				r.o.errors_only = false;
			else
				return sfn_cmd_usage_error(
					"validate",
					"unknown severity '%s' (error or "
					"warning)",
					optarg);
			break;
		case 'm': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 0)
				return sfn_cmd_usage_error(
					"validate",
					"--max-results wants a number >= 0, "
					"not '%s'",
					optarg);
			r.o.max_results = v;
			break;
		}
		case 'S':
			r.o.strict = true;
			break;
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > 256)
				return sfn_cmd_usage_error(
					"validate",
					"--jobs takes 1 to 256, not '%s'",
					optarg);
			r.o.jobs = v;
			break;
		}
		case 'c':
			if (sfn_color_parse("validate", optarg, &color))
				return SFN_EXIT_USAGE;
			break;
		case 'h':
			sfn_cmd_print_help(sfn_cmd_find("validate"), stdout);
			return SFN_EXIT_OK;
		case ':':
			return sfn_cmd_missing_value("validate", argv);
		default:
			return sfn_cmd_unknown_option("validate", argv);
		}
	}
	if (optind >= argc)
		return sfn_cmd_usage_error("validate",
					   "no file given (use '-' for "
					   "standard input)");
	/* Directories need -r, stdin is read once: say so before any
	 * output. */
	for (int i = optind, stdins = 0; i < argc; i++) {
		struct stat st;
		if (!strcmp(argv[i], "-") && ++stdins > 1)
			return sfn_cmd_usage_error(
				"validate", "standard input ('-') can be read "
					    "once, and is named twice");
		if (!r.o.recursive && strcmp(argv[i], "-") &&
		    stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			return sfn_cmd_usage_error(
				"validate", "'%s' is a directory; use -r",
				argv[i]);
	}
	r.o.color = sfn_color_enabled(color, STDERR_FILENO);
	r.several = argc - optind > 1 || r.o.recursive;
	if (r.o.format == F_JSON)
		r.json_files = json_array();
	if (r.o.format == F_SARIF)
		r.sarif_results = json_array();
	struct queue q = { .o = &r.o };
	pthread_mutex_init(&q.mu, NULL);
	pthread_cond_init(&q.change, NULL);
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (strcmp(argv[i], "-") && stat(argv[i], &st) == 0 &&
		    S_ISDIR(st.st_mode))
			walk(&q, argv[i]);
		else
			add_item(&q, argv[i], true);
	}
	run_queue(&r, &q);
	for (size_t i = 0; i < q.n; i++)
		free(q.v[i].path);
	free(q.v);
	pthread_mutex_destroy(&q.mu);
	pthread_cond_destroy(&q.change);
	if (r.o.format == F_JSON)
		print_json(&r);
	if (r.o.format == F_SARIF)
		print_sarif(&r);
	if (r.o.format == F_TEXT && r.o.recursive)
		fprintf(stderr,
			"sfn validate: %zu file%s: %zu valid, %zu invalid, %zu "
			"unreadable; %zu skipped\n",
			r.n_files, r.n_files == 1 ? "" : "s", r.n_valid,
			r.n_invalid, r.n_unreadable, r.n_skipped);
	json_decref(r.json_files);
	json_decref(r.sarif_results);
	return r.exit;
}
