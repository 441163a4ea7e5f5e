/*
 * Fuzz target: any JSON text through sfn_lint, once as a STANDARD and once
 * as an EXPRESS machine, and every diagnostic's AWS location. Input capped
 * at 64 KiB; non-JSON input is skipped (the loader has its own target).
 */
#include "lint/lint.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	json_t *root =
		json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!root)
		return 0;
	for (int flags = 0; flags <= SFN_LINT_EXPRESS;
	     flags += SFN_LINT_EXPRESS) {
		struct sfn_diags d = SFN_DIAGS_INIT;
		sfn_lint(root, NULL, flags, &d);
		for (size_t i = 0; i < d.n; i++)
			free(sfn_lint_aws_location(
				root, d.v[i].where ? d.v[i].where : ""));
		sfn_diags_release(&d);
	}
	json_decref(root);
	return 0;
}
