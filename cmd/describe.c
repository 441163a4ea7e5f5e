/*
 * sfn describe: DescribeExecution for a journaled execution, with whether
 * AWS would redrive it and why not.
 */
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "journal/journal.h"

int cmd_describe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "journal-dir", required_argument, NULL, 'd' },
		{ "last", no_argument, NULL, 'l' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL;
	bool last = false;
	int flags = 0, c, rc = SFN_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			root = optarg;
			break;
		case 'l':
			last = true;
			break;
		case 'p':
			flags |= SFN_JSON_PRETTY;
			break;
		case 'h':
			sfn_cmd_print_help(sfn_cmd_find("describe"), stdout);
			return SFN_EXIT_OK;
		case ':':
			return sfn_cmd_missing_value("describe", argv);
		default:
			return sfn_cmd_unknown_option("describe", argv);
		}
	}
	if ((optind < argc) == last || argc - optind > 1)
		return sfn_cmd_usage_error(
			"describe", "name one execution, or give --last");

	root = sfn_cli_journal_root(root);
	char *dir = sfn_cli_find_execution("describe", root,
					   last ? NULL : argv[optind], last);
	if (!dir)
		return SFN_EXIT_INPUT;
	struct sfn_journal_data data;
	struct sfn_error err = SFN_ERROR_INIT;
	if (sfn_journal_read(dir, &data, &err) < 0) {
		fprintf(stderr, "sfn describe: %s\n", err.cause);
		rc = SFN_EXIT_INPUT;
	} else {
		json_t *d = sfn_journal_describe(&data, sfn_cli_now(), NULL);
		struct sfn_strbuf sb = SFN_STRBUF_INIT;
		sfn_json_dump(&sb, d, flags);
		puts(sb.buf);
		sfn_strbuf_release(&sb);
		json_decref(d);
		sfn_journal_data_release(&data);
	}
	sfn_error_release(&err);
	free(dir);
	return rc;
}
