/*
 * lint: static checks of an ASL definition, as AWS's
 * ValidateStateMachineDefinition makes them and beyond. The linter works on
 * the loaded JSON value (so it can say everything about a malformed
 * definition) and reports every problem it finds, each located by a JSON
 * Pointer into the definition ("/States/Pay/Next"); the loader's source map
 * turns those into line:col. Paths, intrinsic calls and JSONata expressions
 * are parsed by the same parsers sfn run uses.
 */
#ifndef SFN_LINT_H
#define SFN_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/base.h"

struct sfn_doc;

enum sfn_lint_flags {
	/* The machine is EXPRESS: no .sync, .waitForTaskToken, activities. */
	SFN_LINT_EXPRESS = 1 << 0,
};

/*
 * Checks the definition @root (borrowed) and appends every diagnostic to
 * @diags. @doc (may be NULL) is the loaded document @root belongs to: with
 * it, diagnostics that point inside a value (a JSONata syntax error) or at
 * a key (an unsupported field) get their line:col here; the others are left
 * for sfn_doc_locate_diags(). Returns the number of errors added.
 */
size_t sfn_lint(json_t *root, const struct sfn_doc *doc, int flags,
		struct sfn_diags *diags);

/*
 * AWS's spelling of a location: JSON Pointer @pointer into @root with array
 * indexes written "[i]" ("/States/A/Retry/0" -> "/States/A/Retry[0]").
 * Returns a new string.
 */
char *sfn_lint_aws_location(json_t *root, const char *pointer);

/* ---- the rules, for documentation and the schema test ---- */

/* State types as bits of sfn_lint_field.types. */
enum sfn_lint_type {
	SFN_LT_TASK = 1 << 0,
	SFN_LT_PARALLEL = 1 << 1,
	SFN_LT_MAP = 1 << 2,
	SFN_LT_PASS = 1 << 3,
	SFN_LT_WAIT = 1 << 4,
	SFN_LT_CHOICE = 1 << 5,
	SFN_LT_SUCCEED = 1 << 6,
	SFN_LT_FAIL = 1 << 7,
};
#define SFN_LT_ALL 0xff

/* Which query language a field belongs to. */
enum sfn_lint_lang { SFN_LL_BOTH, SFN_LL_JSONPATH, SFN_LL_JSONATA };

/* A field a state may carry: in which state types, in which language. */
struct sfn_lint_field {
	const char *name;
	unsigned types; /* SFN_LT_* bits */
	enum sfn_lint_lang lang;
};
/* Every state field the linter knows, terminated by a NULL name. */
extern const struct sfn_lint_field sfn_lint_state_fields[];
/* The 8 state type names, index i is bit 1 << i; NULL-terminated. */
extern const char *const sfn_lint_type_names[];

/* A diagnostic code the linter can emit. */
struct sfn_lint_rule {
	const char *code;
	enum sfn_severity severity;
	const char *summary; /* one line for docs/validate.md */
};
/* Every code, NULL-terminated. */
extern const struct sfn_lint_rule sfn_lint_rules[];

#endif
