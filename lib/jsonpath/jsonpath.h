/*
 * jsonpath: the paths of ASL, parsed once, evaluated many times. One parser
 * serves the linter and the interpreter: JSONPath in the dialect AWS uses
 * (Jayway semantics: filters, slices, wildcards, recursive descent,
 * multi-match results), reference paths (ResultPath and the like: one
 * definite location), context paths ($$...), and variable paths ($name...).
 */
#ifndef SFN_JSONPATH_H
#define SFN_JSONPATH_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/base.h"

struct sfn_path;

enum sfn_path_flags {
	/* A reference path: no filters, wildcards, slices, unions or "..". */
	SFN_PATH_REFERENCE = 1 << 0,
	/* Allow "$$..." (the Context object). */
	SFN_PATH_ALLOW_CONTEXT = 1 << 1,
	/* Allow "$name..." (a workflow variable). */
	SFN_PATH_ALLOW_VARIABLE = 1 << 2,
};

/* What a path starts from. */
enum sfn_path_root {
	SFN_ROOT_INPUT,	   /* $ */
	SFN_ROOT_CONTEXT,  /* $$ */
	SFN_ROOT_VARIABLE, /* $name */
};

/*
 * Compiles @text. Returns NULL with @err set when @text is not a path the
 * flags allow; err->cause then says what is wrong and at which character
 * (AWS's wording where it has one), err->name is States.Runtime.
 */
struct sfn_path *sfn_path_compile(const char *text, int flags,
				  struct sfn_error *err);
void sfn_path_free(struct sfn_path *p);

const char *sfn_path_text(const struct sfn_path *p); /* borrowed */
enum sfn_path_root sfn_path_root(const struct sfn_path *p);
/* The variable's name for SFN_ROOT_VARIABLE ("x" for "$x.a"), else NULL. */
const char *sfn_path_variable(const struct sfn_path *p);
/* A definite path selects at most one value (no wildcard, filter, ...). */
bool sfn_path_is_definite(const struct sfn_path *p);
/*
 * A reference path: only .name, ['name'] and [index] steps (what
 * SFN_PATH_REFERENCE requires), whatever flags it was compiled with.
 */
bool sfn_path_is_reference(const struct sfn_path *p);

/* Where the roots of a path come from at run time. All borrowed. */
struct sfn_path_env {
	json_t *input;	 /* $ */
	json_t *context; /* $$ */
	/* $name: the variable's value (borrowed), or NULL if it has none. */
	json_t *(*variable)(void *ud, const char *name);
	void *ud;
};

/*
 * Evaluates @p. A definite path yields the value (a new reference) or NULL
 * when nothing matches; an indefinite one yields an array of the matches
 * (possibly empty), as Jayway returns lists. On no match of a definite
 * path, returns NULL without setting @err: the caller decides which error
 * that is (States.Runtime for InputPath, ParameterPathFailure for ".$").
 * @err is set for evaluation errors only (a variable never assigned).
 */
json_t *sfn_path_eval(const struct sfn_path *p, const struct sfn_path_env *env,
		      struct sfn_error *err);

/*
 * Why definite path @p matched nothing in @env, in Jayway's words as AWS
 * prints them after "Invalid path '<path>' : ": "No results for path:
 * $['a']['b']" (the last step is missing) or "Missing property in path
 * $['a']" (an earlier one is). A new string the caller frees.
 */
char *sfn_path_miss_cause(const struct sfn_path *p,
			  const struct sfn_path_env *env);

/*
 * ResultPath: returns a new document, @doc with @value placed at reference
 * path @p (which starts at $), creating objects on the way. @doc and @value
 * are borrowed; unchanged parts are shared, not copied. NULL with @err set
 * (States.ResultPathMatchFailure, AWS's text) when a step cannot be made.
 */
json_t *sfn_path_set(const struct sfn_path *p, json_t *doc, json_t *value,
		     struct sfn_error *err);

#endif
