/*
 * jsonata: a native JSONata engine (JSONata 2.x, and AWS Step Functions'
 * dialect of 2.0.6). Compile once to an immutable tree; evaluate many times,
 * concurrently from several threads, on jansson values at the edges.
 */
#ifndef SFN_JSONATA_H
#define SFN_JSONATA_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/base.h"

struct sfn_jsonata;

enum sfn_jsonata_flags {
	/*
	 * Step Functions' dialect: syntax newer than 2.0.6 ("??", "?:") is
	 * refused as AWS refuses it, $eval is refused, and AWS's functions
	 * ($partition, $range, $hash, $random, $uuid, $parse) exist.
	 */
	SFN_JSONATA_AWS = 1 << 0,
};

/* An error as the reference implementation reports it. */
struct sfn_jsonata_error {
	char code[8];  /* "S0201", "T2001", "D3030", "U1001"; "" when unset */
	char *message; /* the reference's wording; owned */
	char *token; /* the token or function name it is against; owned, may be
			NULL */
	char *value; /* the offending value as JSON, where the reference has
			one; owned, may be NULL */
	size_t position; /* character offset in the expression (1-based as the
			    reference's), 0 if unknown */
};
void sfn_jsonata_error_release(struct sfn_jsonata_error *err);

/* Compiles @expr (@len bytes). NULL with @err set on a syntax error. */
struct sfn_jsonata *sfn_jsonata_compile(const char *expr, size_t len, int flags,
					struct sfn_jsonata_error *err);
void sfn_jsonata_free(struct sfn_jsonata *e);

/*
 * sfn_jsonata_eval's error code, with SFN_JSONATA_AWS, for a result that is
 * a function: Step Functions reports it as an unsupported result type.
 */
#define SFN_JSONATA_FUNCTION_RESULT "SFN0001"

/*
 * sfn_jsonata_eval's error code for a transform whose update would put the
 * object it updates inside itself: jsonata-js makes such a value, which
 * no JSON can hold (JSON.stringify refuses it); sfn refuses to make it.
 */
#define SFN_JSONATA_SELF_VALUE "SFN0002"

/* Limits of one evaluation (the suite's timelimit/depth); 0 = none. */
struct sfn_jsonata_limits {
	unsigned max_depth; /* expression evaluation depth; U1001 past it */
	unsigned time_ms;   /* wall time; U1001 past it */
	size_t max_memory;  /* bytes held by intermediate values; U1001 past it
			     */
};

/*
 * Evaluates @e against @input (borrowed; NULL means no input at all,
 * JavaScript's undefined) with @bindings (borrowed object: variable name
 * without '$' -> value; may be NULL). On success returns 0 and sets
 * *@result to a new reference, or to NULL when the result is undefined.
 * Returns -1 with @err set on an error. @limits may be NULL.
 */
int sfn_jsonata_eval(const struct sfn_jsonata *e, json_t *input,
		     json_t *bindings, const struct sfn_jsonata_limits *limits,
		     json_t **result, struct sfn_jsonata_error *err);

/*
 * A prepared input: a document converted once into the engine's own
 * values, for callers that evaluate one or more expressions many times
 * over the same document (as the reference implementation evaluates over
 * a document JSON.parse made once). The values are laid out compactly, in
 * document order, and read without jansson: evaluation over them is
 * faster than over @doc itself. Converting costs time and memory in
 * proportion to the document, so for a single evaluation use
 * sfn_jsonata_eval.
 *
 * sfn_jsonata_input_new converts @doc (NULL: no input, JavaScript's
 * undefined) and keeps a reference to it: results may be values of @doc
 * itself, as with sfn_jsonata_eval, so the caller must not change @doc
 * while the input lives. Returns NULL when @doc nests deeper than
 * SFN_MAX_DEPTH. Evaluations never change a prepared input: any number of
 * them may run over it at once, from several threads.
 */
struct sfn_jsonata_input;
struct sfn_jsonata_input *sfn_jsonata_input_new(json_t *doc);
void sfn_jsonata_input_free(struct sfn_jsonata_input *in);

/*
 * sfn_jsonata_eval over a prepared input (borrowed; NULL means no input):
 * the same result, error and limits as sfn_jsonata_eval on the document
 * @in was made from.
 */
int sfn_jsonata_eval_input(const struct sfn_jsonata *e,
			   const struct sfn_jsonata_input *in, json_t *bindings,
			   const struct sfn_jsonata_limits *limits,
			   json_t **result, struct sfn_jsonata_error *err);

/*
 * For the linter: visits each variable the expression reads ($name,
 * without the '$'), in order, with its character offset.
 */
void sfn_jsonata_foreach_variable(const struct sfn_jsonata *e,
				  void (*visit)(const char *name,
						size_t position, void *ud),
				  void *ud);

#endif
