/*
 * asl: reading state machines. The loader turns a file (JSON, YAML, or a
 * CloudFormation/SAM template holding state machines) into jansson values
 * plus a source map, so every later diagnostic can say file:line:col; the
 * model (asl/model.h) compiles a definition into typed states.
 */
#ifndef SFN_ASL_H
#define SFN_ASL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/base.h"

/* A loaded document: a JSON value and where each part of it stands. */
struct sfn_doc;

enum sfn_load_flags {
	SFN_LOAD_JSON = 1 << 0, /* parse as JSON only (default: sniff) */
	SFN_LOAD_YAML = 1 << 1, /* parse as YAML only */
};

/*
 * Loads @path ("-" reads stdin; diagnostics then name it "<stdin>"). The
 * format is sniffed unless @flags say. Returns NULL with @err set when the
 * file cannot be read or parsed: err->name is "SFN_IO" or "SFN_PARSE",
 * err->cause AWS-style text, err->line/col where the parser stopped.
 * Problems that do not stop loading (duplicate keys, unresolved template
 * placeholders) are appended to @diags (may be NULL).
 */
struct sfn_doc *sfn_doc_load_file(const char *path, int flags,
				  struct sfn_diags *diags,
				  struct sfn_error *err);
/* The same from memory; @name is what diagnostics call it. */
struct sfn_doc *sfn_doc_load_mem(const char *name, const char *buf, size_t len,
				 int flags, struct sfn_diags *diags,
				 struct sfn_error *err);
void sfn_doc_free(struct sfn_doc *doc);

/* The document's value, borrowed from @doc. */
json_t *sfn_doc_root(const struct sfn_doc *doc);
/* The name diagnostics print: the path given, or "<stdin>". */
const char *sfn_doc_name(const struct sfn_doc *doc);
/*
 * Where the value at JSON Pointer @pointer starts (or, with @key, where its
 * key does). Falls back to the nearest enclosing value that has a position.
 * Returns false, with 0:0, when nothing on the way is known.
 */
bool sfn_doc_pos(const struct sfn_doc *doc, const char *pointer, bool key,
		 int *line, int *col);
/*
 * Where byte @off of the string value at @pointer comes from in the source:
 * escapes of a JSON or YAML quoted string, '' of a single-quoted one, and
 * the lines of a YAML block scalar (| and >) are followed, so a place in
 * the string (a JSONata syntax error) gets its own line and column. Returns
 * false, with @line/@col untouched, when the source of the value is not one
 * of these forms (a multi-line flow scalar, a string rebuilt from a
 * template's DefinitionString) or is unknown.
 */
bool sfn_doc_pos_in_string(const struct sfn_doc *doc, const char *pointer,
			   size_t off, int *line, int *col);
/* Fills err->line/col from err->where if they are not set yet. */
void sfn_doc_locate(const struct sfn_doc *doc, struct sfn_error *err);
/* Fills line/col of every diagnostic in @diags that lacks them. */
void sfn_doc_locate_diags(const struct sfn_doc *doc, struct sfn_diags *diags);

/*
 * State machines in a loaded document. A plain ASL definition yields one
 * machine (itself). A CloudFormation/SAM template yields each
 * AWS::StepFunctions::StateMachine and AWS::Serverless::StateMachine, by
 * logical id, its definition taken from Definition, DefinitionString (also
 * Fn::Sub/Fn::Join), DefinitionUri or DefinitionS3Location (local paths),
 * with DefinitionSubstitutions applied; each machine is a document of its
 * own whose positions still point into the template file (for a
 * DefinitionUri/DefinitionS3Location, into that file: print diagnostics
 * found in a machine with sfn_doc_name() of its doc). The diagnostics this
 * function adds to @diags are all positioned in @doc, the template: print
 * them with sfn_doc_name(doc). Ref, Fn::GetAtt and pseudo parameters get
 * plausible stand-ins, with an SFN_UNRESOLVED_PLACEHOLDER warning (see
 * docs/loading.md).
 */
struct sfn_machine_src {
	char *logical_id;    /* owned; NULL for a plain definition */
	struct sfn_doc *doc; /* owned; the definition */
};
struct sfn_machine_list {
	struct sfn_machine_src *v; /* owned array of n */
	size_t n;
	bool is_template; /* @doc was a CloudFormation/SAM template */
};
/*
 * Fills @out with the machines of @doc (borrowed; must outlive @out, since
 * a plain definition's entry shares it). @logical_id, if not NULL, picks one.
 * Returns 0, or -1 with @err set (no state machine, unknown logical id, an
 * unreadable DefinitionUri). Unresolved placeholders go to @diags.
 */
int sfn_doc_machines(struct sfn_doc *doc, const char *logical_id,
		     struct sfn_machine_list *out, struct sfn_diags *diags,
		     struct sfn_error *err);
void sfn_machine_list_release(struct sfn_machine_list *list);

/* Is @root shaped like an ASL definition (States and StartAt)? */
bool sfn_is_asl(const json_t *root);
/* Is @root a CloudFormation/SAM template (Resources or a template version)? */
bool sfn_is_template(const json_t *root);

#endif
