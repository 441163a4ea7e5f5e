/*
 * State machines in a loaded document: the document itself, or each state
 * machine resource of a CloudFormation/SAM template.
 */
#include "asl/asl.h"

#include <stdlib.h>
#include <string.h>

#include "asl/asl_int.h"

int sfn_doc_machines(struct sfn_doc *doc, const char *logical_id,
		     struct sfn_machine_list *out, struct sfn_diags *diags,
		     struct sfn_error *err)
{
	(void)diags;
	memset(out, 0, sizeof(*out));
	if (sfn_is_template(doc->root)) {
		out->is_template = true;
		return sfn_errorf(err, "SFN_PARSE", NULL,
				  "templates are not supported yet");
	}
	if (logical_id)
		return sfn_errorf(err, "SFN_PARSE", NULL,
				  "no resource '%s': the file is a state "
				  "machine definition, not a template",
				  logical_id);
	out->v = sfn_xcalloc(1, sizeof(*out->v));
	out->n = 1;
	out->v[0].doc = sfn_doc_make(doc->name, json_incref(doc->root),
				     doc->map, doc->base);
	return 0;
}

void sfn_machine_list_release(struct sfn_machine_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->v[i].logical_id);
		sfn_doc_free(list->v[i].doc);
	}
	free(list->v);
	memset(list, 0, sizeof(*list));
}
