/*
 * sfn graph: draw a state machine as DOT, Mermaid, SVG, PNG or an HTML
 * page. The drawing is lib/graph's; this file parses the command line,
 * loads the definition and writes the result where asked.
 */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "asl/asl.h"
#include "cli.h"
#include "graph/graph.h"
#include "journal/journal.h"
#include "runenv.h"
#include "suite/suite.h"

/* One line of help per source line. */
/* clang-format off */
#define GRAPH_HELP \
	"options:\n" \
	"  --format FORMAT    dot (default), mermaid, svg, png or html; svg, png\n" \
	"                     and html need sfn built with Graphviz (libgvc)\n" \
	"  -o, --output FILE  write to FILE instead of standard output; without\n" \
	"                     --format, its extension picks the format (.dot .gv\n" \
	"                     .mmd .mermaid .svg .png .html)\n" \
	"  --logical-id ID    the state machine of a CloudFormation/SAM template\n" \
	"                     to draw, when it holds more than one\n" \
	"  --execution EXEC   draw a journaled execution over the graph: each\n" \
	"                     state succeeded, caught, failed, running or not\n" \
	"                     reached, retries, redrives, Map iterations, the\n" \
	"                     path taken; DEFINITION defaults to the journal's;\n" \
	"                     with html, a page where clicking a state shows\n" \
	"                     each visit's input, output, error and events,\n" \
	"                     beside a timeline of the execution\n" \
	"  --journal-dir DIR  the journal root (default $SFN_JOURNAL_DIR, .sfn)\n" \
	"  --coverage FILE    mark what a test suite never reached, from\n" \
	"                     sfn test --coverage-out FILE: states never\n" \
	"                     entered grey, untaken rules and clauses noted\n" \
	"  --color WHEN       color errors: auto (on a terminal, unless NO_COLOR\n" \
	"                     is set), always or never\n" \
	"  -h, --help         show this help\n"
/* clang-format on */

/* A file name's extension (any case: OUT.SVG) -> the format it implies,
 * for -o without --format. */
static int format_from_name(const char *path)
{
	static const struct {
		const char *ext;
		enum sfn_graph_format format;
	} exts[] = {
		{ ".dot", SFN_GRAPH_DOT },
		{ ".gv", SFN_GRAPH_DOT },
		{ ".mmd", SFN_GRAPH_MERMAID },
		{ ".mermaid", SFN_GRAPH_MERMAID },
		{ ".svg", SFN_GRAPH_SVG },
		{ ".png", SFN_GRAPH_PNG },
		{ ".html", SFN_GRAPH_HTML },
		{ ".htm", SFN_GRAPH_HTML },
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(exts) / sizeof(exts[0]); i++)
		if (!strcasecmp(dot, exts[i].ext))
			return (int)exts[i].format;
	return -1;
}

/* What was loaded: kept until the graph is drawn, for error positions. */
struct loaded {
	struct sfn_doc *doc;
	struct sfn_machine_list list;
	struct sfn_doc *machine; /* borrowed from list */
};

static void loaded_release(struct loaded *l)
{
	sfn_machine_list_release(&l->list);
	sfn_doc_free(l->doc);
}

/*
 * Loads @path (JSON, YAML or a template) and picks its state machine
 * (@logical_id, or the only one). Returns 0, or the exit code after
 * printing why.
 */
static int load(const char *path, const char *logical_id, struct loaded *l,
		bool color)
{
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_diags diags = SFN_DIAGS_INIT;
	const char *name = sfn_display_name(path);
	int code = SFN_EXIT_OK;

	l->doc = sfn_doc_load_file(path, 0, &diags, &err);
	if (!l->doc) {
		code = sfn_cli_print_load_error(stderr, name, &err, color);
		goto out;
	}
	if (sfn_doc_machines(l->doc, logical_id, &l->list, &diags, &err) < 0) {
		sfn_doc_locate(l->doc, &err);
		code = sfn_cli_print_load_error(stderr, name, &err, color);
		goto out;
	}
	if (l->list.n == 0) {
		fprintf(stderr, "sfn graph: '%s' holds no state machine\n",
			name);
		code = SFN_EXIT_INPUT;
		goto out;
	}
	if (l->list.n > 1) {
		fprintf(stderr,
			"sfn graph: '%s' holds %zu state machines: pick one "
			"with --logical-id (",
			name, l->list.n);
		for (size_t i = 0; i < l->list.n; i++)
			fprintf(stderr, "%s%s", i ? ", " : "",
				l->list.v[i].logical_id
					? l->list.v[i].logical_id
					: "?");
		fprintf(stderr, ")\n");
		code = SFN_EXIT_USAGE;
		goto out;
	}
	l->machine = l->list.v[0].doc;
out:
	/* problems that did not stop loading (duplicate keys, ...) */
	if (l->doc)
		sfn_doc_locate_diags(l->doc, &diags);
	for (size_t i = 0; i < diags.n; i++)
		sfn_cli_print_diag(stderr, name, &diags.v[i], color);
	sfn_diags_release(&diags);
	sfn_error_release(&err);
	return code;
}

/* Writes @len bytes of @data to @path ("-" or NULL: stdout). */
static int write_out(const char *path, const char *data, size_t len)
{
	if (!path || !strcmp(path, "-")) {
		if (fwrite(data, 1, len, stdout) != len)
			return SFN_EXIT_HOST; /* main() reports it */
		return SFN_EXIT_OK;
	}
	FILE *f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "sfn graph: cannot write '%s': %s\n", path,
			strerror(errno));
		return SFN_EXIT_HOST;
	}
	bool ok = fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok) {
		fprintf(stderr, "sfn graph: cannot write '%s': %s\n", path,
			strerror(errno));
		return SFN_EXIT_HOST;
	}
	return SFN_EXIT_OK;
}

/* The page title of --format html: the logical id, or the file's name. */
static const char *page_title(const char *path, const char *logical_id)
{
	if (logical_id)
		return logical_id;
	if (!strcmp(path, "-"))
		return NULL;
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* ---- --coverage: what a test suite never reached ---- */

struct coverage_overlay {
	struct sfn_graph_overlay pub;
	struct sfn_graph_mark *marks;
	json_t *doc;  /* the coverage file; marks borrow names from it */
	char **notes; /* owned, one per mark (may be NULL) */
};

static void add_note(struct sfn_strbuf *sb, const char *what, size_t i,
		     bool numbered)
{
	/* Rules and branches are taken; Catch and Retry clauses fire. */
	const char *verb = !strcmp(what, "Catch") || !strcmp(what, "Retry")
				   ? "fired"
			   : !strcmp(what, "branch") ? "ran"
						     : "taken";
	if (sb->len)
		sfn_strbuf_adds(sb, "\n");
	if (numbered)
		sfn_strbuf_addf(sb, "%s %zu never %s", what, i, verb);
	else
		sfn_strbuf_addf(sb, "%s never %s", what, verb);
}

/* A clause list ([count, ...]) appends "never ..." for each zero. */
static void untaken(struct sfn_strbuf *sb, json_t *counts, const char *what)
{
	size_t i;
	json_t *n;
	json_array_foreach(counts, i, n)
		if (json_integer_value(n) == 0)
			add_note(sb, what, i, true);
}

/*
 * Reads sfn test's coverage JSON and builds an overlay for the machine in
 * @def: states entered are green, the rest grey, with what was never taken
 * noted on each state. Returns an exit code.
 */
static int coverage_load(const char *file, const char *def,
			 struct coverage_overlay *co)
{
	co->doc = sfn_cli_load_value(file);
	if (!co->doc)
		return SFN_EXIT_INPUT;
	json_t *list = json_object_get(co->doc, "coverage"), *pick = NULL;
	const char *base = strrchr(def, '/');
	base = base ? base + 1 : def;
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c) {
		const char *d =
			json_string_value(json_object_get(c, "definition"));
		const char *db = d ? strrchr(d, '/') : NULL;
		db = db ? db + 1 : d;
		if (json_array_size(list) == 1 || (db && !strcmp(db, base)))
			pick = c;
	}
	json_t *states = json_object_get(pick, "states");
	if (!json_is_object(states)) {
		fprintf(stderr,
			"sfn graph: '%s' has no coverage of '%s'; write it "
			"with "
			"sfn test --coverage-out FILE\n",
			file, def);
		json_decref(co->doc);
		co->doc = NULL;
		return SFN_EXIT_INPUT;
	}
	size_t n = json_object_size(states), k = 0;
	co->marks = sfn_xcalloc(n + 1, sizeof(*co->marks));
	co->notes = sfn_xcalloc(n + 1, sizeof(char *));
	const char *name;
	json_t *st;
	json_object_foreach(states, name, st) {
		struct sfn_strbuf sb = SFN_STRBUF_INIT;
		json_t *ch =
			json_object_get(json_object_get(pick, "choices"), name);
		untaken(&sb, json_object_get(ch, "rules"), "rule");
		if (json_is_integer(json_object_get(ch, "default")) &&
		    !json_integer_value(json_object_get(ch, "default")))
			add_note(&sb, "Default", 0, false);
		untaken(&sb,
			json_object_get(json_object_get(pick, "catches"), name),
			"Catch");
		untaken(&sb,
			json_object_get(json_object_get(pick, "retries"), name),
			"Retry");
		untaken(&sb,
			json_object_get(json_object_get(pick, "branches"),
					name),
			"branch");
		bool entered =
			json_integer_value(json_object_get(st, "entered"));
		co->notes[k] = sb.len ? sfn_strbuf_detach(&sb, NULL) : NULL;
		sfn_strbuf_release(&sb);
		co->marks[k] = (struct sfn_graph_mark){
			.state = name,
			.status = entered ? SFN_GRAPH_SUCCEEDED
					  : SFN_GRAPH_NOT_REACHED,
			.note = co->notes[k],
		};
		k++;
	}
	co->pub.marks = co->marks;
	co->pub.n_marks = k;
	return SFN_EXIT_OK;
}

static void coverage_release(struct coverage_overlay *co)
{
	for (size_t i = 0; i < co->pub.n_marks; i++)
		free(co->notes[i]);
	free(co->notes);
	free(co->marks);
	json_decref(co->doc);
}

/*
 * An execution drawn over a definition file given by hand: says so when
 * the execution entered states the file does not have (it ran another
 * definition, and would be drawn as never reached).
 */
static void warn_other_definition(const char *execution, const char *file,
				  json_t *events, json_t *root)
{
	/* The definition's states, nested ones too, as sfn test knows
	 * them; each name entered looked up once. */
	struct sfn_coverage *states = sfn_coverage_create(root, NULL);
	json_t *seen = json_object(), *missing = json_array(), *ev;
	size_t i;
	json_array_foreach(events, i, ev) {
		const char *name = json_string_value(json_object_get(
			json_object_get(ev, "stateEnteredEventDetails"),
			"name"));
		if (!name || json_object_get(seen, name))
			continue;
		json_object_set_new(seen, name, json_true());
		if (!sfn_coverage_has_state(states, name))
			json_array_append_new(missing, json_string(name));
	}
	if (json_array_size(missing)) {
		fprintf(stderr,
			"sfn graph: warning: execution '%s' entered states "
			"that '%s' does not have (",
			execution, file);
		json_array_foreach(missing, i, ev) {
			if (i == 5) {
				fprintf(stderr, ", ...");
				break;
			}
			fprintf(stderr, "%s%s", i ? ", " : "",
				json_string_value(ev));
		}
		fprintf(stderr,
			"): it ran another definition; without DEFINITION, "
			"sfn graph draws the one it ran\n");
	}
	json_decref(missing);
	json_decref(seen);
	sfn_coverage_free(states);
}

int cmd_graph(int argc, char **argv)
{
	enum {
		OPT_FORMAT = 256,
		OPT_LOGICAL_ID,
		OPT_EXECUTION,
		OPT_JOURNAL,
		OPT_COVERAGE,
		OPT_COLOR
	};
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "logical-id", required_argument, NULL, OPT_LOGICAL_ID },
		{ "execution", required_argument, NULL, OPT_EXECUTION },
		{ "journal-dir", required_argument, NULL, OPT_JOURNAL },
		{ "coverage", required_argument, NULL, OPT_COVERAGE },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int format = -1, color_mode = SFN_COLOR_AUTO;
	const char *output = NULL, *logical_id = NULL, *execution = NULL;
	const char *journal_dir = NULL, *coverage = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			format = sfn_graph_format_parse(optarg);
			if (format < 0)
				return sfn_cmd_usage_error(
					"graph",
					"unknown format '%s': use dot, "
					"mermaid, svg, png or html",
					optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_LOGICAL_ID:
			logical_id = optarg;
			break;
		case OPT_EXECUTION:
			execution = optarg;
			break;
		case OPT_JOURNAL:
			journal_dir = optarg;
			break;
		case OPT_COVERAGE:
			coverage = optarg;
			break;
		case OPT_COLOR:
			if (sfn_color_parse("graph", optarg, &color_mode))
				return SFN_EXIT_USAGE;
			break;
		case 'h':
			printf("usage: %s\n\n%s.\n\n%s",
			       sfn_cmd_find("graph")->usage,
			       sfn_cmd_find("graph")->summary, GRAPH_HELP);
			return SFN_EXIT_OK;
		case ':':
			return sfn_cmd_missing_value("graph", argv);
		default:
			return sfn_cmd_unknown_option("graph", argv);
		}
	}
	bool color = sfn_color_enabled((enum sfn_color)color_mode, 2);
	if (optind == argc && !execution)
		return sfn_cmd_usage_error("graph", "no definition given");
	if (argc - optind > 1)
		return sfn_cmd_usage_error("graph",
					   "one definition at a time, got %d",
					   argc - optind);
	const char *path = optind < argc ? argv[optind] : NULL;
	if (format < 0 && output)
		format = format_from_name(output);
	if (format < 0)
		format = SFN_GRAPH_DOT;
	if ((format == SFN_GRAPH_SVG || format == SFN_GRAPH_PNG ||
	     format == SFN_GRAPH_HTML) &&
	    !sfn_graph_have_graphviz()) {
		static const char *const names[] = { "dot", "mermaid", "svg",
						     "png", "html" };
		return sfn_cmd_usage_error(
			"graph",
			"--format %s needs Graphviz, and this sfn was built "
			"without libgvc: install libgraphviz-dev and rebuild "
			"(cmake -DSFN_GRAPHVIZ=ON), or use --format dot or "
			"mermaid",
			names[format]);
	}

	if (execution && coverage)
		return sfn_cmd_usage_error(
			"graph", "--execution and --coverage draw one overlay "
				 "each: give one");
	struct coverage_overlay cov = { 0 };
	if (coverage) {
		if (!path)
			return sfn_cmd_usage_error(
				"graph", "--coverage needs the definition");
		int cc = coverage_load(coverage, path, &cov);
		if (cc != SFN_EXIT_OK)
			return cc;
	}

	/* An execution: its journal, and by default its recorded definition. */
	struct sfn_journal_data jd = { 0 };
	struct sfn_graph_overlay *overlay = coverage ? &cov.pub : NULL;
	struct sfn_graph_execution xview = { 0 };
	json_t *describe = NULL; /* what the page says of the execution */
	char *jpath = NULL;
	if (execution) {
		char *dir = sfn_cli_find_execution(
			"graph", sfn_cli_journal_root(journal_dir), execution,
			false);
		struct sfn_error jerr = SFN_ERROR_INIT;
		if (!dir)
			return SFN_EXIT_INPUT;
		if (sfn_journal_read(dir, &jd, &jerr) < 0) {
			fprintf(stderr, "sfn graph: %s\n", jerr.cause);
			sfn_error_release(&jerr);
			free(dir);
			return SFN_EXIT_INPUT;
		}
		if (!path) {
			/* The recorded text, written where the loader reads. */
			const char *def = json_string_value(
				json_object_get(jd.header, "definition"));
			jpath = sfn_xasprintf("%s/%s", dir, SFN_JOURNAL_FILE);
			path = jpath;
			if (!def) {
				fprintf(stderr,
					"sfn graph: the journal of '%s' holds "
					"no definition; name the definition "
					"file\n",
					execution);
				sfn_journal_data_release(&jd);
				free(dir);
				free(jpath);
				return SFN_EXIT_INPUT;
			}
		}
		enum sfn_journal_status st;
		describe = sfn_journal_describe(&jd, sfn_cli_now(), &st);
		xview = (struct sfn_graph_execution){
			.events = jd.events,
			.describe = describe,
			.ended = st != SFN_JSTATUS_RUNNING &&
				 st != SFN_JSTATUS_DIED,
			.died = st == SFN_JSTATUS_DIED,
		};
		overlay =
			sfn_graph_overlay_from_history(jd.events, xview.ended);
		free(dir);
	}

	struct loaded l = { 0 };
	int code;
	if (jpath) {
		const char *def = json_string_value(
			json_object_get(jd.header, "definition"));
		struct sfn_error derr = SFN_ERROR_INIT;
		l.doc = sfn_doc_load_mem(execution, def, strlen(def),
					 SFN_LOAD_JSON, NULL, &derr);
		code = l.doc &&
				       sfn_doc_machines(l.doc, NULL, &l.list,
							NULL, &derr) == 0 &&
				       l.list.n == 1
			       ? SFN_EXIT_OK
			       : SFN_EXIT_INPUT;
		if (code == SFN_EXIT_OK)
			l.machine = l.list.v[0].doc;
		else
			fprintf(stderr,
				"sfn graph: the journal's definition does not "
				"load: %s\n",
				derr.cause ? derr.cause : "?");
		sfn_error_release(&derr);
		path = execution;
	} else {
		code = load(path, logical_id, &l, color);
	}
	if (code != SFN_EXIT_OK) {
		loaded_release(&l);
		if (coverage)
			coverage_release(&cov);
		else
			sfn_graph_overlay_free(overlay);
		json_decref(describe);
		sfn_journal_data_release(&jd);
		free(jpath);
		return code;
	}
	struct sfn_error err = SFN_ERROR_INIT;
	if (execution && !jpath)
		warn_other_definition(execution, sfn_display_name(path),
				      jd.events, sfn_doc_root(l.machine));
	struct sfn_graph *g = sfn_graph_build(sfn_doc_root(l.machine), &err);
	if (!g) {
		sfn_doc_locate(l.machine, &err);
		code = sfn_cli_print_load_error(stderr, sfn_display_name(path),
						&err, color);
		sfn_error_release(&err);
		loaded_release(&l);
		if (coverage)
			coverage_release(&cov);
		else
			sfn_graph_overlay_free(overlay);
		json_decref(describe);
		sfn_journal_data_release(&jd);
		free(jpath);
		return code;
	}
	struct sfn_strbuf out = SFN_STRBUF_INIT;
	int rc = 0;
	switch ((enum sfn_graph_format)format) {
	case SFN_GRAPH_DOT:
		sfn_graph_write_dot(g, overlay, &out);
		break;
	case SFN_GRAPH_MERMAID:
		sfn_graph_write_mermaid(g, overlay, &out);
		break;
	case SFN_GRAPH_SVG:
	case SFN_GRAPH_PNG:
		rc = sfn_graph_render(g, overlay, format, &out, &err);
		break;
	case SFN_GRAPH_HTML:
		rc = sfn_graph_write_page(g, overlay, sfn_doc_root(l.machine),
					  execution ? &xview : NULL,
					  page_title(path, logical_id), &out,
					  &err);
		break;
	}
	loaded_release(&l);
	sfn_graph_free(g);
	json_decref(describe);
	if (coverage)
		coverage_release(&cov);
	else
		sfn_graph_overlay_free(overlay);
	sfn_journal_data_release(&jd);
	free(jpath);
	if (rc < 0) {
		fprintf(stderr, "sfn graph: %s\n", err.cause);
		sfn_error_release(&err);
		sfn_strbuf_release(&out);
		return SFN_EXIT_HOST;
	}
	code = write_out(output, out.buf, out.len);
	sfn_strbuf_release(&out);
	return code;
}
