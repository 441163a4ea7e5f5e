/*
 * Fuzz target of the loader: the input as JSON, as YAML, and sniffed, then
 * its state machines (templates included: DefinitionUri paths are read
 * relative to a name that points nowhere, so only errors come back).
 * Inputs are capped at 1 MB; everything is freed.
 */
#include "asl/asl.h"

#include <stdint.h>
#include <stdlib.h>

#define MAX_INPUT (1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const char *buf, size_t len, int flags)
{
	struct sfn_diags diags = SFN_DIAGS_INIT;
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_doc *doc = sfn_doc_load_mem("/nonexistent/fuzz", buf, len,
					       flags, &diags, &err);
	if (doc) {
		struct sfn_machine_list list;
		int line, col;
		sfn_doc_pos(doc, "/States/A/Next", true, &line, &col);
		if (sfn_doc_machines(doc, NULL, &list, &diags, &err) == 0) {
			for (size_t i = 0; i < list.n; i++) {
				char *s = sfn_json_dumps(
					sfn_doc_root(list.v[i].doc), 0);
				free(s);
				sfn_doc_pos(list.v[i].doc, "/StartAt", false,
					    &line, &col);
			}
		}
		sfn_machine_list_release(&list);
		sfn_doc_locate_diags(doc, &diags);
	}
	sfn_doc_free(doc);
	sfn_diags_release(&diags);
	sfn_error_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	const char *buf = (const char *)data;
	one(buf, size, SFN_LOAD_JSON);
	one(buf, size, SFN_LOAD_YAML);
	one(buf, size, 0);
	return 0;
}
