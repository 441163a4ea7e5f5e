/*
 * Stand-in for lib/jsonata while its engine is not in the tree: every
 * compile fails with a clear message, so the interpreter builds and runs
 * JSONPath machines. lib/exec/CMakeLists.txt uses it only when there is no
 * sfn_jsonata target.
 */
#include "jsonata/jsonata.h"

#include <stdlib.h>
#include <string.h>

void sfn_jsonata_error_release(struct sfn_jsonata_error *err)
{
	free(err->message);
	free(err->token);
	free(err->value);
	memset(err, 0, sizeof(*err));
}

struct sfn_jsonata *sfn_jsonata_compile(const char *expr, size_t len, int flags,
					struct sfn_jsonata_error *err)
{
	(void)expr;
	(void)len;
	(void)flags;
	memset(err, 0, sizeof(*err));
	err->message = sfn_xstrdup("JSONata is not available in this build");
	return NULL;
}

void sfn_jsonata_free(struct sfn_jsonata *e)
{
	(void)e;
}

int sfn_jsonata_eval(const struct sfn_jsonata *e, json_t *input,
		     json_t *bindings, const struct sfn_jsonata_limits *limits,
		     json_t **result, struct sfn_jsonata_error *err)
{
	(void)e;
	(void)input;
	(void)bindings;
	(void)limits;
	*result = NULL;
	memset(err, 0, sizeof(*err));
	err->message = sfn_xstrdup("JSONata is not available in this build");
	return -1;
}

void sfn_jsonata_foreach_variable(const struct sfn_jsonata *e,
				  void (*visit)(const char *name,
						size_t position, void *ud),
				  void *ud)
{
	(void)e;
	(void)visit;
	(void)ud;
}
