/*
 * intrinsics: ASL's intrinsic functions (States.Format, States.Array, ...,
 * the 18 of asl-core.md §4), parsed once and evaluated many times.
 * Arguments are literals, paths (through jsonpath) or nested calls.
 */
#ifndef SFN_INTRINSICS_H
#define SFN_INTRINSICS_H

#include <stdbool.h>

#include <jansson.h>

#include "base/base.h"
#include "jsonpath/jsonpath.h"

struct sfn_intrinsic;

/* Does @text look like an intrinsic call ("States.X(" after spaces)? */
bool sfn_intrinsic_detect(const char *text);

/*
 * Compiles a call: the syntax, the function's name and arity, and literal
 * arguments the function can already judge (States.ArrayRange(1, 10, 0),
 * States.Hash($.a, 'MD6')). NULL with @err set otherwise (AWS's text; the
 * cause says where in @text).
 */
struct sfn_intrinsic *sfn_intrinsic_compile(const char *text,
					    struct sfn_error *err);
void sfn_intrinsic_free(struct sfn_intrinsic *fn);

/* The call as written, without surrounding blanks (borrowed). */
const char *sfn_intrinsic_text(const struct sfn_intrinsic *fn);
/* The function's name, "States.Format" (borrowed, static). */
const char *sfn_intrinsic_name(const struct sfn_intrinsic *fn);

/* Visits every path argument, nested calls included (for the linter). */
void sfn_intrinsic_foreach_path(const struct sfn_intrinsic *fn,
				void (*visit)(const struct sfn_path *p,
					      void *ud),
				void *ud);

/*
 * Evaluates the call; a new reference, or NULL with @err set
 * (States.IntrinsicFailure and AWS's cause texts).
 */
json_t *sfn_intrinsic_eval(const struct sfn_intrinsic *fn,
			   const struct sfn_path_env *env,
			   struct sfn_error *err);

#endif
