#include "cli.h"

#include <string.h>

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
