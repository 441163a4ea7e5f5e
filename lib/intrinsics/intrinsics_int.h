/*
 * intrinsics_int.h: what the parser (intrinsics.c) and the functions
 * (functions.c) share inside the module.
 */
#ifndef SFN_INTRINSICS_INT_H
#define SFN_INTRINSICS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/base.h"
#include "jsonpath/jsonpath.h"

enum intrinsic_id {
	FN_FORMAT,
	FN_STRING_TO_JSON,
	FN_JSON_TO_STRING,
	FN_ARRAY,
	FN_ARRAY_PARTITION,
	FN_ARRAY_CONTAINS,
	FN_ARRAY_RANGE,
	FN_ARRAY_GET_ITEM,
	FN_ARRAY_LENGTH,
	FN_ARRAY_UNIQUE,
	FN_BASE64_ENCODE,
	FN_BASE64_DECODE,
	FN_HASH,
	FN_JSON_MERGE,
	FN_MATH_RANDOM,
	FN_MATH_ADD,
	FN_STRING_SPLIT,
	FN_UUID,
};

struct sfn_intrinsic;

struct intrinsic_def {
	const char *name; /* "States.Format" */
	enum intrinsic_id id;
	int min_args;
	int max_args; /* -1: any number */
	bool pure;    /* same arguments, same result: may fold */
	/*
	 * One type letter per argument, the last repeating: a any, s string,
	 * i number (non-integers rounded as Java's Math.round), A array,
	 * O object, b boolean.
	 */
	const char *types;
	json_t *(*call)(const struct sfn_intrinsic *fn, json_t **v, size_t n,
			struct sfn_error *err);
};

extern const struct intrinsic_def intrinsics_table[];
extern const size_t intrinsics_count;

struct intrinsic_arg {
	json_t *literal;	    /* a literal or a folded call; owned */
	struct sfn_path *path;	    /* owned */
	struct sfn_intrinsic *call; /* owned */
	char *raw;		    /* a string literal as written; owned */
	size_t pos;		    /* 0-based offset in the whole text */
};

struct sfn_intrinsic {
	char *text; /* this call as written; owned */
	const struct intrinsic_def *def;
	struct intrinsic_arg *args; /* owned array of n_args */
	size_t n_args;
	json_t *folded; /* the result, when computed at compile time; owned */
};

/*
 * Checks argument @i (value @v, borrowed) of @fn alone: its type and the
 * limits that need no other argument. -1 with @err set
 * (States.IntrinsicFailure).
 */
int intrinsic_check_arg(const struct sfn_intrinsic *fn, size_t i,
			const json_t *v, struct sfn_error *err);
/* States.Format with a literal template: placeholders match the values? */
int intrinsic_format_check(const struct sfn_intrinsic *fn,
			   struct sfn_error *err);
/* States.MathRandom with literal bounds: is end > start? */
int intrinsic_random_check(const struct sfn_intrinsic *fn, const json_t *start,
			   const json_t *end, struct sfn_error *err);
/* Calls @fn on checked values @v (borrowed, fn->n_args of them). */
json_t *intrinsic_call(const struct sfn_intrinsic *fn, json_t **v,
		       struct sfn_error *err);

#endif
