/*
 * fmt_fuzz: the picture-string parsers of jsonata_fmt.h. The first byte
 * picks the function, the rest is "picture NUL argument": the argument is
 * the text to parse, the time zone, or a number (read with strtod).
 */
#include "jsonata/jsonata_fmt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sfn_strbuf out = SFN_STRBUF_INIT;
	struct sfn_fmt_err err = SFN_FMT_ERR_INIT;
	char *picture, *arg;
	double v, r;
	bool undef;

	if (size < 1 || size > 4096)
		return 0;
	/* A NUL-terminated copy: the picture, then the argument. */
	picture = sfn_xmalloc(size + 1);
	memcpy(picture, data + 1, size - 1);
	picture[size - 1] = '\0';
	arg = picture + strlen(picture);
	if (arg < picture + size - 1)
		arg++;
	v = strtod(arg, NULL);
	if (!*arg)
		v = 1521801216617.0;
	switch (data[0] % 7) {
	case 0:
		sfn_fmt_number(v, picture, NULL, &out, &err);
		break;
	case 1: {
		struct sfn_fmt_decimal_format df;
		sfn_fmt_decimal_format_init(&df);
		sfn_fmt_decimal_format_set(&df, "zero-digit", arg);
		sfn_fmt_decimal_format_set(&df, "grouping-separator", arg);
		sfn_fmt_number(1234567.891, picture, &df, &out, &err);
		break;
	}
	case 2:
		sfn_fmt_base(v, (double)(data[0] % 40), &out, &err);
		break;
	case 3:
		sfn_fmt_integer(v, picture, &out, &err);
		break;
	case 4:
		sfn_fmt_parse_integer(arg, picture, &r, &undef, &err);
		break;
	case 5:
		sfn_fmt_from_millis(v, *picture ? picture : NULL,
				    data[0] & 0x80 ? arg : NULL, &out, &err);
		break;
	case 6:
		sfn_fmt_to_millis(arg, *picture ? picture : NULL,
				  1521801216617.0, &r, &undef, &err);
		break;
	}
	sfn_fmt_err_release(&err);
	sfn_strbuf_release(&out);
	free(picture);
	return 0;
}
