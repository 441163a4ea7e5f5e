/*
 * Stand-in for lib/intrinsics while its functions are not in the tree: a
 * call is recognised and refused with a clear message. lib/exec/CMakeLists.txt
 * uses it only when there is no sfn_intrinsics target.
 */
#include "intrinsics/intrinsics.h"

#include <string.h>

bool sfn_intrinsic_detect(const char *text)
{
	while (*text == ' ')
		text++;
	return !strncmp(text, "States.", 7);
}

struct sfn_intrinsic *sfn_intrinsic_compile(const char *text,
					    struct sfn_error *err)
{
	sfn_errorf(err, SFN_E_RUNTIME, NULL,
		   "intrinsic functions are not available in this build: "
		   "'%s'",
		   text);
	return NULL;
}

void sfn_intrinsic_free(struct sfn_intrinsic *fn)
{
	(void)fn;
}

void sfn_intrinsic_foreach_path(const struct sfn_intrinsic *fn,
				void (*visit)(const struct sfn_path *p,
					      void *ud),
				void *ud)
{
	(void)fn;
	(void)visit;
	(void)ud;
}

json_t *sfn_intrinsic_eval(const struct sfn_intrinsic *fn,
			   const struct sfn_path_env *env,
			   struct sfn_error *err)
{
	(void)fn;
	(void)env;
	return sfn_errorf(err, SFN_E_INTRINSIC_FAILURE, NULL,
			  "intrinsic functions are not available"),
	       NULL;
}
