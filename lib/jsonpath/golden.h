/*
 * golden.h: the runner of the expression golden files (STYLE.md §8),
 * header-only, shared by jsonpath_test.c and intrinsics_test.c.
 *
 * A file is blank-line separated blocks; "#" lines are comments. A block:
 *
 *   [%%option lines]
 *   expression
 *   input JSON            (the "$" document)
 *   expected JSON
 *
 * Options, before the expression:
 *   %%FAIL <ErrorName>    expect that error: the lines are the expression,
 *                         the input when the failure is at run time (a
 *                         line that parses as JSON), and optionally the
 *                         exact cause; without an input line the
 *                         expression must fail to compile
 *   %%FLAGS a,b           compile flags: reference, context, variable
 *                         (default: context,variable)
 *   %%CONTEXT <json>      the "$$" document
 *   %%VARS <json>         the variables, an object of name -> value
 *   %%SET <json>          jsonpath: apply the path as ResultPath with this
 *                         value; the expected line is the new document
 *   %%MISS                jsonpath: the definite path must match nothing;
 *                         the expected line is the miss cause, a JSON string
 *   %%MATCH <regex>       the compact JSON of the result must match this
 *                         POSIX extended regex (random results); no
 *                         expected line
 */
#ifndef SFN_JSONPATH_GOLDEN_H
#define SFN_JSONPATH_GOLDEN_H

#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/test.h"

struct golden_case {
	const char *file;  /* borrowed */
	int line;	   /* of the block's first line */
	const char *expr;  /* borrowed from the file buffer */
	json_t *input;	   /* NULL when the block has none; owned */
	json_t *context;   /* owned, may be NULL */
	json_t *vars;	   /* owned, may be NULL */
	json_t *set_value; /* %%SET; owned, may be NULL */
	int flags;	   /* enum sfn_path_flags */
	bool miss;	   /* %%MISS */
};

/*
 * The module's evaluator: a new reference, or NULL with @err set (or, for
 * a definite path with no match, NULL with @err clear).
 */
typedef json_t *(*golden_eval_fn)(const struct golden_case *c,
				  struct sfn_error *err);

static json_t *golden_var(void *ud, const char *name)
{
	return json_object_get((json_t *)ud, name);
}

static json_t *golden_parse(const char *text)
{
	return sfn_json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

static int golden_flags(const char *s)
{
	int flags = 0;
	if (strstr(s, "reference"))
		flags |= SFN_PATH_REFERENCE;
	if (strstr(s, "context"))
		flags |= SFN_PATH_ALLOW_CONTEXT;
	if (strstr(s, "variable"))
		flags |= SFN_PATH_ALLOW_VARIABLE;
	return flags;
}

/* Runs one block of @n lines; returns false when it failed. */
static bool golden_block(const char *file, int line, char **lines, size_t n,
			 golden_eval_fn eval)
{
	struct golden_case c = { .file = file,
				 .line = line,
				 .flags = SFN_PATH_ALLOW_CONTEXT |
					  SFN_PATH_ALLOW_VARIABLE };
	const char *fail_name = NULL, *match = NULL;
	size_t i = 0;
	bool ok = false;
	for (; i < n && !strncmp(lines[i], "%%", 2); i++) {
		char *l = lines[i] + 2;
		if (!strncmp(l, "FAIL ", 5))
			fail_name = l + 5;
		else if (!strncmp(l, "FLAGS", 5))
			c.flags = golden_flags(l + 5);
		else if (!strncmp(l, "CONTEXT ", 8))
			c.context = golden_parse(l + 8);
		else if (!strncmp(l, "VARS ", 5))
			c.vars = golden_parse(l + 5);
		else if (!strncmp(l, "SET ", 4))
			c.set_value = golden_parse(l + 4);
		else if (!strcmp(l, "MISS"))
			c.miss = true;
		else if (!strncmp(l, "MATCH ", 6))
			match = l + 6;
		else {
			fprintf(stderr, "%s:%d: unknown option '%s'\n", file,
				line + (int)i, lines[i]);
			goto out;
		}
	}
	if (i >= n) {
		fprintf(stderr, "%s:%d: block without an expression\n", file,
			line);
		goto out;
	}
	c.expr = lines[i++];
	const char *cause = NULL, *want_text = NULL;
	if (fail_name) {
		if (i < n && (c.input = golden_parse(lines[i])))
			i++;
		if (i < n)
			cause = lines[i++];
	} else {
		if (i < n)
			c.input = golden_parse(lines[i++]);
		if (!c.input) {
			fprintf(stderr, "%s:%d: bad or missing input JSON\n",
				file, line);
			goto out;
		}
		if (!match && i < n)
			want_text = lines[i++];
		if (!match && !want_text) {
			fprintf(stderr, "%s:%d: no expected line\n", file,
				line);
			goto out;
		}
	}
	if (i != n) {
		fprintf(stderr, "%s:%d: too many lines in the block\n", file,
			line);
		goto out;
	}

	struct sfn_error err = SFN_ERROR_INIT;
	json_t *got = eval(&c, &err);
	char *got_text = got ? sfn_json_dumps(got, 0) : NULL;
	if (fail_name) {
		if (got || !err.name) {
			fprintf(stderr, "%s:%d: '%s': want %s, got %s\n", file,
				line, c.expr, fail_name,
				got_text ? got_text : "no match");
		} else if (strcmp(err.name, fail_name)) {
			fprintf(stderr, "%s:%d: '%s': want %s, got %s: %s\n",
				file, line, c.expr, fail_name, err.name,
				err.cause ? err.cause : "");
		} else if (cause && (!err.cause || strcmp(err.cause, cause))) {
			fprintf(stderr,
				"%s:%d: '%s': cause\n  got  %s\n  want %s\n",
				file, line, c.expr,
				err.cause ? err.cause : "(none)", cause);
		} else {
			ok = true;
		}
	} else if (!got) {
		fprintf(stderr, "%s:%d: '%s': failed: %s: %s\n", file, line,
			c.expr, err.name ? err.name : "no match",
			err.cause ? err.cause : "");
	} else if (match) {
		regex_t re;
		if (regcomp(&re, match, REG_EXTENDED | REG_NOSUB)) {
			fprintf(stderr, "%s:%d: bad %%%%MATCH regex\n", file,
				line);
		} else {
			ok = regexec(&re, got_text, 0, NULL, 0) == 0;
			if (!ok)
				fprintf(stderr,
					"%s:%d: '%s': got %s, want a match "
					"of %s\n",
					file, line, c.expr, got_text, match);
			regfree(&re);
		}
	} else {
		json_t *want = golden_parse(want_text);
		/* Exact types: 1 and 1.0 print differently in AWS's output. */
		char *want_dump = want ? sfn_json_dumps(want, 0) : NULL;
		ok = want && sfn_json_equal(got, want) &&
		     !strcmp(got_text, want_dump);
		if (!ok)
			fprintf(stderr, "%s:%d: '%s'\n  got  %s\n  want %s\n",
				file, line, c.expr, got_text, want_text);
		free(want_dump);
		json_decref(want);
	}
	free(got_text);
	json_decref(got);
	sfn_error_release(&err);
out:
	json_decref(c.input);
	json_decref(c.context);
	json_decref(c.vars);
	json_decref(c.set_value);
	return ok;
}

/* Runs every block of @path; each counts as one check. */
static void golden_file(const char *path, golden_eval_fn eval)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	if (sfn_strbuf_read_file(&sb, path) < 0) {
		SFN_CHECK(0, "cannot read '%s'", path);
		return;
	}
	char *lines[64];
	size_t n = 0;
	int lineno = 0, start = 0;
	char *p = sb.buf;
	for (;;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		bool blank = !*p;
		if (!blank && *p != '#') {
			if (!n)
				start = lineno;
			if (n < sizeof(lines) / sizeof(lines[0]))
				lines[n++] = p;
		}
		if ((blank || !nl) && n) {
			SFN_CHECK(golden_block(path, start, lines, n, eval),
				  "%s:%d: block failed", path, start);
			n = 0;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	sfn_strbuf_release(&sb);
}

static int golden_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every *.test file in @dir, in name order; returns how many. */
static int golden_dir(const char *dir, golden_eval_fn eval)
{
	DIR *d = opendir(dir);
	if (!d) {
		SFN_CHECK(0, "cannot open '%s'", dir);
		return 0;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len > 5 && !strcmp(e->d_name + len - 5, ".test")) {
			names = sfn_xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = sfn_xasprintf("%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), golden_cmp);
	for (size_t i = 0; i < n; i++) {
		golden_file(names[i], eval);
		free(names[i]);
	}
	free(names);
	return (int)n;
}

#endif
