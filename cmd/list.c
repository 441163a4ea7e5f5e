/*
 * sfn list: the executions in a journal root, and pruning old ones.
 */
#include "cmd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "journal/journal.h"

struct listing {
	bool json;
	double now;
	double older_than; /* seconds; < 0: no pruning */
	/* What is listed, to print newest first: the rows of --format
	 * json, or {"startDate", "name", "line"} for text. */
	json_t *rows;
	int pruned, kept, failed;
};

/*
 * Removes an execution directory: its files, then itself. A symbolic link
 * in the root is removed itself: what it points to is not the root's.
 */
static int remove_execution(const char *dir)
{
	struct stat st;
	if (lstat(dir, &st) < 0)
		return -1;
	if (S_ISLNK(st.st_mode))
		return unlink(dir);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int rc = 0;
	if (!d) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(fd, e->d_name, 0) < 0)
			rc = -1;
	}
	closedir(d);
	return rc < 0 ? rc : rmdir(dir);
}

static const char *field(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "-";
}

/* --prune: removes execution directory @dir if @old, else keeps it. */
static void prune(struct listing *l, const char *dir, const char *name,
		  bool old)
{
	if (!old) {
		l->kept++;
	} else if (remove_execution(dir) < 0) {
		fprintf(stderr, "sfn list: cannot remove '%s': %s\n", dir,
			strerror(errno));
		l->failed++;
	} else {
		printf("pruned %s\n", name);
		l->pruned++;
	}
}

/* A text row, printed once all are sorted (newest_first). */
static void add_line(struct listing *l, const char *start, const char *name,
		     const char *fmt, ...) SFN_PRINTF(4, 5);
static void add_line(struct listing *l, const char *start, const char *name,
		     const char *fmt, ...)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sfn_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	json_t *row = json_pack("{s:s,s:s}", "name", name, "line", sb.buf);
	if (start)
		json_object_set_new(row, "startDate", json_string(start));
	json_array_append_new(l->rows, row);
	sfn_strbuf_release(&sb);
}

/*
 * ListExecutions' order: the most recently started first (startDate is
 * ISO 8601 in UTC, so its text sorts as its time does), then by name;
 * executions that died before saying when they started go last.
 */
static int newest_first(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *sx = json_string_value(json_object_get(x, "startDate"));
	const char *sy = json_string_value(json_object_get(y, "startDate"));
	if (sx && sy && strcmp(sx, sy))
		return strcmp(sy, sx);
	if (!sx != !sy)
		return sx ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "name")),
		      json_string_value(json_object_get(y, "name")));
}

/* l->rows, sorted newest_first. */
static json_t *sorted_rows(struct listing *l)
{
	size_t n = json_array_size(l->rows);
	json_t **v = sfn_xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(l->rows, i);
	qsort(v, n, sizeof(*v), newest_first);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

/*
 * An execution whose process died before its journal's header was written:
 * nothing in it says when it ran, so its directory's age stands in for
 * pruning (lstat: a symbolic link's own, and only the link is removed).
 */
static void died_unread(struct listing *l, const char *dir, const char *name,
			const char *cause)
{
	if (l->older_than >= 0) {
		struct stat st;
		prune(l, dir, name,
		      lstat(dir, &st) == 0 &&
			      l->now - (double)st.st_mtime > l->older_than);
	} else if (l->json) {
		json_array_append_new(
			l->rows,
			json_pack("{s:s,s:s,s:b,s:s,s:n}", "name", name,
				  "status", "ABORTED", "x-processDied", 1,
				  "x-journalError", cause, "x-failedState"));
	} else {
		add_line(l, NULL, name, "%-36s  %-9s  %-24s  %-24s  %8s  %s",
			 name, "DIED", "-", "-", "-", "-");
	}
}

static void visit(const char *dir, const char *name, void *ud)
{
	struct listing *l = ud;
	struct sfn_journal_data data;
	struct sfn_error err = SFN_ERROR_INIT;
	enum sfn_journal_status st;

	if (sfn_journal_read(dir, &data, &err) < 0) {
		if (!strcmp(err.name, "SFN_JOURNAL_NO_HEADER")) {
			died_unread(l, dir, name, err.cause);
		} else {
			fprintf(stderr, "sfn list: %s\n", err.cause);
			l->failed++;
		}
		sfn_error_release(&err);
		return;
	}
	json_t *d = sfn_journal_describe(&data, l->now, &st);
	const char *failed = sfn_journal_failed_state(&data);
	if (l->older_than >= 0) {
		double stop;
		const char *when =
			json_string_value(json_object_get(d, "stopDate"));
		prune(l, dir, name,
		      st != SFN_JSTATUS_RUNNING && when &&
			      sfn_time_parse(when, &stop) == 0 &&
			      l->now - stop > l->older_than);
	} else if (l->json) {
		json_object_set_new(d, "x-failedState",
				    failed ? json_string(failed) : json_null());
		json_object_del(d, "input");
		json_object_del(d, "inputDetails");
		json_object_del(d, "output");
		json_object_del(d, "outputDetails");
		json_array_append(l->rows, d);
	} else {
		add_line(l, json_string_value(json_object_get(d, "startDate")),
			 name, "%-36s  %-9s  %-24s  %-24s  %8lld  %s", name,
			 st == SFN_JSTATUS_DIED ? "DIED" : field(d, "status"),
			 field(d, "startDate"), field(d, "stopDate"),
			 (long long)json_integer_value(
				 json_object_get(d, "redriveCount")),
			 failed && st != SFN_JSTATUS_SUCCEEDED ? failed : "-");
	}
	json_decref(d);
	sfn_journal_data_release(&data);
}

/* "90s", "15m", "12h", "30d" -> seconds; -1 if not one. */
static double parse_duration(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	if (!strcmp(end, "s") || !*end)
		return v;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	if (!strcmp(end, "d"))
		return v * 86400;
	return -1;
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "journal-dir", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "prune", no_argument, NULL, 'P' },
		{ "older-than", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct listing l = { .older_than = -1 };
	const char *root = NULL, *older = NULL;
	bool prune = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			root = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "json"))
				l.json = true;
			else if (strcmp(optarg, "text"))
				return sfn_cmd_usage_error(
					"list",
					"--format must be text or json, not "
					"'%s'",
					optarg);
			break;
		case 'P':
			prune = true;
			break;
		case 'o':
			older = optarg;
			break;
		case 'h':
			sfn_cmd_print_help(sfn_cmd_find("list"), stdout);
			return SFN_EXIT_OK;
		case ':':
			return sfn_cmd_missing_value("list", argv);
		default:
			return sfn_cmd_unknown_option("list", argv);
		}
	}
	if (optind < argc)
		return sfn_cmd_usage_error("list", "unexpected argument '%s'",
					   argv[optind]);
	if (prune != (older != NULL))
		return sfn_cmd_usage_error(
			"list", "--prune and --older-than go together");
	if (prune && l.json)
		return sfn_cmd_usage_error(
			"list", "--prune reports what it removed as text: give "
				"--format json or --prune, not both");
	if (older && (l.older_than = parse_duration(older)) < 0)
		return sfn_cmd_usage_error(
			"list",
			"--older-than takes a duration like 90s, 15m, 12h or "
			"30d, not '%s'",
			older);

	root = sfn_cli_journal_root(root);
	l.now = sfn_cli_now();
	l.rows = json_array();
	if (!l.json && !prune)
		printf("%-36s  %-9s  %-24s  %-24s  %8s  %s\n", "NAME", "STATUS",
		       "START", "STOP", "REDRIVES", "FAILED STATE");
	struct sfn_error err = SFN_ERROR_INIT;
	int rc = sfn_journal_list(root, visit, &l, &err);
	if (rc < 0) {
		fprintf(stderr, "sfn list: %s\n", err.cause);
		sfn_error_release(&err);
		json_decref(l.rows);
		return SFN_EXIT_INPUT;
	}
	json_t *rows = sorted_rows(&l);
	if (!l.json) {
		size_t i;
		json_t *row;
		json_array_foreach(rows, i, row)
			puts(json_string_value(json_object_get(row, "line")));
	} else {
		struct sfn_strbuf sb = SFN_STRBUF_INIT;
		json_t *doc = json_pack("{s:o}", "executions", rows);
		rows = NULL;
		sfn_json_dump(&sb, doc, 0);
		puts(sb.buf);
		sfn_strbuf_release(&sb);
		json_decref(doc);
	}
	if (prune)
		printf("%d pruned, %d kept\n", l.pruned, l.kept);
	json_decref(rows);
	json_decref(l.rows);
	return l.failed ? SFN_EXIT_INPUT : SFN_EXIT_OK;
}
