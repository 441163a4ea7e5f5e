/*
 * sfn jsonata: evaluate a JSONata expression against a JSON or YAML
 * document, like jq. The engine is lib/jsonata's; this file reads the
 * expression, the document and the bindings, and prints the result or the
 * error.
 */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonata/jsonata.h"
#include "runenv.h"

/* clang-format off */
#define JSONATA_HELP \
	"options:\n" \
	"  -f FILE            read the expression from FILE ('-': standard input)\n" \
	"  -n, --no-input     evaluate with no input document at all (JSONata's\n" \
	"                     undefined), instead of reading FILE or standard input\n" \
	"  --bind NAME=JSON   bind $NAME to the JSON value (repeatable)\n" \
	"  --aws              Step Functions' dialect (JSONata 2.0.6): '?\?' and '?:'\n" \
	"                     are syntax errors, $eval does not exist, and $partition,\n" \
	"                     $range, $hash, $random(seed), $uuid, $parse do\n" \
	"  --pretty           indent the result\n" \
	"  -h, --help         show this help\n" \
	"\n" \
	"The document is JSON or YAML (read as sfn reads definitions). The result\n" \
	"prints as JSON; an undefined result prints nothing. An error\n" \
	"prints its JSONata code and message and exits 1.\n"
/* clang-format on */

static int read_text(const char *path, struct sfn_strbuf *sb)
{
	if (!strcmp(path, "-"))
		return sfn_strbuf_read_fd(sb, 0);
	return sfn_strbuf_read_file(sb, path);
}

/* line:col of byte offset @pos (the reference's position: after the token) */
static void line_col(const char *s, size_t len, size_t pos, int *line, int *col)
{
	*line = 1;
	*col = 1;
	if (pos > len)
		pos = len;
	size_t start = 0;
	for (size_t i = 0; i < pos; i++)
		if (s[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	*col = (int)(pos - start);
	if (*col < 1)
		*col = 1;
}

static void print_error(const char *exprfile, const char *expr, size_t len,
			const struct sfn_jsonata_error *err)
{
	if (exprfile && err->position) {
		int line, col;
		line_col(expr, len, err->position, &line, &col);
		fprintf(stderr, "sfn jsonata: %s:%d:%d: %s: %s\n",
			sfn_display_name(exprfile), line, col, err->code,
			err->message ? err->message : "");
	} else if (err->position) {
		fprintf(stderr, "sfn jsonata: %s: %s (at position %zu)\n",
			err->code, err->message ? err->message : "",
			err->position);
	} else {
		fprintf(stderr, "sfn jsonata: %s: %s\n", err->code,
			err->message ? err->message : "");
	}
}

int cmd_jsonata(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-input", no_argument, NULL, 'n' },
		{ "bind", required_argument, NULL, 'b' },
		{ "aws", no_argument, NULL, 'a' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *exprfile = NULL;
	bool no_input = false, pretty = false;
	int flags = 0, opt, code = SFN_EXIT_OK;
	struct sfn_strbuf expr = SFN_STRBUF_INIT;
	json_t *bindings = json_object(), *input = NULL, *result = NULL;
	struct sfn_jsonata *e = NULL;
	struct sfn_jsonata_error err = { 0 };

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":nf:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			no_input = true;
			break;
		case 'f':
			exprfile = optarg;
			break;
		case 'a':
			flags |= SFN_JSONATA_AWS;
			break;
		case 'p':
			pretty = true;
			break;
		case 'b': {
			const char *eq = strchr(optarg, '=');
			json_error_t je;
			if (!eq || eq == optarg) {
				code = sfn_cmd_usage_error(
					"jsonata",
					"--bind wants NAME=JSON, got '%s'",
					optarg);
				goto out;
			}
			const char *name =
				optarg[0] == '$' ? optarg + 1 : optarg;
			json_t *v =
				sfn_json_loads(eq + 1, JSON_DECODE_ANY, &je);
			if (!v) {
				/* Bad JSON in a flag is bad input, as sfn
				 * run's --input and test-state's flags. */
				fprintf(stderr,
					"sfn jsonata: --bind %.*s: the value "
					"is not JSON: %s at character %d "
					"(quote strings: %.*s='\"text\"')\n",
					(int)(eq - optarg), optarg, je.text,
					je.position, (int)(eq - optarg),
					optarg);
				code = SFN_EXIT_INPUT;
				goto out;
			}
			json_object_setn_new(bindings, name,
					     (size_t)(eq - name), v);
			break;
		}
		case 'h':
			sfn_cmd_print_help(sfn_cmd_find("jsonata"), stdout);
			if (!sfn_cmd_find("jsonata")->help)
				fputs("\n" JSONATA_HELP, stdout);
			goto out;
		case ':':
			code = sfn_cmd_missing_value("jsonata", argv);
			goto out;
		default:
			code = sfn_cmd_unknown_option("jsonata", argv);
			goto out;
		}
	}
	if (exprfile) {
		if (read_text(exprfile, &expr) < 0) {
			fprintf(stderr, "sfn jsonata: cannot read '%s': %s\n",
				sfn_display_name(exprfile), strerror(errno));
			code = SFN_EXIT_INPUT;
			goto out;
		}
	} else {
		if (optind >= argc) {
			code = sfn_cmd_usage_error("jsonata",
						   "missing the expression");
			goto out;
		}
		sfn_strbuf_adds(&expr, argv[optind++]);
	}
	if (argc - optind > 1) {
		code = sfn_cmd_usage_error("jsonata", "too many arguments");
		goto out;
	}
	if (no_input && optind < argc) {
		code = sfn_cmd_usage_error("jsonata",
					   "-n and an input file '%s' conflict",
					   argv[optind]);
		goto out;
	}
	e = sfn_jsonata_compile(expr.buf, expr.len, flags, &err);
	if (!e) {
		print_error(exprfile, expr.buf, expr.len, &err);
		code = SFN_EXIT_FAIL;
		goto out;
	}
	if (!no_input) {
		/* The loader every subcommand uses: JSON or YAML, sniffed. */
		const char *path = optind < argc ? argv[optind] : "-";
		if (exprfile && !strcmp(exprfile, "-") && !strcmp(path, "-")) {
			code = sfn_cmd_usage_error(
				"jsonata",
				"the expression and the document cannot both "
				"come from standard input");
			goto out;
		}
		input = sfn_cli_load_value(path);
		if (!input) {
			code = SFN_EXIT_INPUT;
			goto out;
		}
	}
	if (sfn_jsonata_eval(e, input, bindings, NULL, &result, &err) < 0) {
		print_error(exprfile, expr.buf, expr.len, &err);
		code = SFN_EXIT_FAIL;
		goto out;
	}
	if (result) {
		struct sfn_strbuf sb = SFN_STRBUF_INIT;
		sfn_json_dump(&sb, result, pretty ? SFN_JSON_PRETTY : 0);
		sfn_strbuf_addch(&sb, '\n');
		fwrite(sb.buf, 1, sb.len, stdout);
		sfn_strbuf_release(&sb);
	}
out:
	sfn_jsonata_error_release(&err);
	sfn_jsonata_free(e);
	json_decref(result);
	json_decref(input);
	json_decref(bindings);
	sfn_strbuf_release(&expr);
	return code;
}
