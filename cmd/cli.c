#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "journal/journal.h"

#define RED    "\033[1;31m"
#define YELLOW "\033[1;33m"
#define BOLD   "\033[1m"
#define RESET  "\033[0m"

static void print_place(FILE *out, const char *file, int line, int col,
			bool color)
{
	fprintf(out, "%s%s", color ? BOLD : "", file);
	if (line > 0)
		fprintf(out, ":%d:%d", line, col > 0 ? col : 1);
	fprintf(out, ":%s ", color ? RESET : "");
}

void sfn_cli_print_diag(FILE *out, const char *file, const struct sfn_diag *d,
			bool color)
{
	bool err = d->severity == SFN_SEV_ERROR;
	print_place(out, file, d->line, d->col, color);
	fprintf(out, "%s%s:%s %s [%s]\n", color ? (err ? RED : YELLOW) : "",
		err ? "error" : "warning", color ? RESET : "", d->message,
		d->code);
}

int sfn_cli_print_load_error(FILE *out, const char *file,
			     const struct sfn_error *err, bool color)
{
	struct sfn_diag d = {
		.severity = SFN_SEV_ERROR,
		.code = err->name ? err->name : (char *)"SFN_IO",
		.message = err->cause ? err->cause : (char *)"cannot load",
		.line = err->line,
		.col = err->col,
	};
	sfn_cli_print_diag(out, file, &d, color);
	return 3;
}

void sfn_cli_print_failure(FILE *out, const char *file, int line, int col,
			   const char *state, const char *error,
			   const char *cause)
{
	fprintf(out, "sfn: %s", file);
	if (line > 0)
		fprintf(out, ":%d:%d", line, col > 0 ? col : 1);
	if (state)
		fprintf(out, ": state '%s' failed: %s", state, error);
	else
		fprintf(out, ": execution failed: %s", error);
	if (cause && *cause) {
		fputs(": ", out);
		if (strpbrk(cause, "\r\n")) {
			struct sfn_strbuf sb = SFN_STRBUF_INIT;
			sfn_json_quote(&sb, cause, strlen(cause), 0);
			fputs(sb.buf, out);
			sfn_strbuf_release(&sb);
		} else {
			fputs(cause, out);
		}
	}
	fputc('\n', out);
}

const char *sfn_cli_journal_root(const char *flag)
{
	const char *env = getenv("SFN_JOURNAL_DIR");
	if (flag)
		return flag;
	if (env && *env)
		return env;
	return ".sfn";
}

struct latest {
	char *dir;
	double start;
};

static void pick_latest(const char *dir, const char *name, void *ud)
{
	struct latest *l = ud;
	struct sfn_journal_data data;
	double t;
	(void)name;
	if (sfn_journal_read(dir, &data, NULL) < 0)
		return;
	const char *start = json_string_value(json_object_get(
		json_object_get(data.header, "execution"), "startDate"));
	if (start && sfn_time_parse(start, &t) == 0 &&
	    (!l->dir || t >= l->start)) {
		free(l->dir);
		l->dir = sfn_xstrdup(dir);
		l->start = t;
	}
	sfn_journal_data_release(&data);
}

static bool has_journal(const char *dir)
{
	char *file = sfn_xasprintf("%s/%s", dir, SFN_JOURNAL_FILE);
	bool ok = access(file, F_OK) == 0;
	free(file);
	return ok;
}

char *sfn_cli_find_execution(const char *cmd, const char *root, const char *arg,
			     bool last)
{
	if (last) {
		struct sfn_error err = SFN_ERROR_INIT;
		struct latest l = { NULL, 0 };
		if (sfn_journal_list(root, pick_latest, &l, &err) < 0) {
			fprintf(stderr, "sfn %s: %s\n", cmd, err.cause);
			sfn_error_release(&err);
			return NULL;
		}
		if (!l.dir)
			fprintf(stderr,
				"sfn %s: no executions in journal root '%s'; "
				"give --journal-dir or set SFN_JOURNAL_DIR\n",
				cmd, root);
		return l.dir;
	}
	if (has_journal(arg))
		return sfn_xstrdup(arg);
	/* The journal file itself (what a shell completes to). */
	const char *base = strrchr(arg, '/');
	base = base ? base + 1 : arg;
	if (!strcmp(base, SFN_JOURNAL_FILE) && access(arg, F_OK) == 0)
		return sfn_cli_dirname(arg);
	char *dir = sfn_xasprintf("%s/%s", root, arg);
	if (!strchr(arg, '/') && has_journal(dir))
		return dir;
	free(dir);
	fprintf(stderr,
		"sfn %s: Execution Does Not Exist: '%s' (no journal in "
		"'%s/%s' nor in '%s'); 'sfn list' shows the executions\n",
		cmd, arg, root, arg, arg);
	return NULL;
}

char *sfn_cli_dirname(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return sfn_xstrdup(".");
	return sfn_xstrndup(path, s == path ? 1 : (size_t)(s - path));
}

int sfn_cli_one_stdin(const char *cmd, size_t n, const char *const what[],
		      const char *const paths[])
{
	const char *first = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!paths[i] || strcmp(paths[i], "-"))
			continue;
		if (first)
			return sfn_cmd_usage_error(
				cmd,
				"%s and %s cannot both come from standard "
				"input ('-')",
				first, what[i]);
		first = what[i];
	}
	return 0;
}

double sfn_cli_now(void)
{
	const char *pinned = getenv("SFN_TEST_NOW");
	double t;
	struct timespec ts;
	if (pinned && *pinned && sfn_time_parse(pinned, &t) == 0)
		return t;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
