/*
 * The YAML parser of the loader (libyaml events into jansson values).
 */
#include "asl/asl.h"

#include <yaml.h>

#include "asl/asl_int.h"

json_t *sfn_parse_yaml(struct sfn_parse_ctx *ctx)
{
	/* TODO: YAML; the next commit brings it. */
	sfn_parse_errorf(ctx->err, 1, 1, "YAML is not supported yet");
	return NULL;
}
