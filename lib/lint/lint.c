/*
 * The ASL linter. One walk over the definition checks every state's fields
 * and builds, per States object (a "scope"), the transition graph with the
 * variables each edge assigns and the variables each state reads; a second
 * pass checks the graph (targets, reachability, terminal states) and runs a
 * may-be-assigned data-flow over it for variable reads.
 *
 * Messages: AWS's text where AWS has one (asl-core.md §1.4, sfn-features.md
 * §6.3), then "; " and a hint where we know the fix. Own rules have SFN_
 * codes.
 */
#include "lint/lint.h"

#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "asl/asl.h"
#include "jsonpath/jsonpath.h"
#include "intrinsics/intrinsics.h"
#include "jsonata/jsonata.h"

#define SVF "SCHEMA_VALIDATION_FAILED"
/* Nested machines deeper than this are refused (TOO_DEEPLY_NESTED). */
#define MAX_NESTING 100

/* ---- rule and field tables ---- */

const char *const sfn_lint_type_names[] = { "Task",    "Parallel", "Map",
					    "Pass",    "Wait",	   "Choice",
					    "Succeed", "Fail",	   NULL };

#define T_TASK	   SFN_LT_TASK
#define T_PARALLEL SFN_LT_PARALLEL
#define T_MAP	   SFN_LT_MAP
#define T_PASS	   SFN_LT_PASS
#define T_WAIT	   SFN_LT_WAIT
#define T_CHOICE   SFN_LT_CHOICE
#define T_SUCCEED  SFN_LT_SUCCEED
#define T_FAIL	   SFN_LT_FAIL
#define T_ALL	   SFN_LT_ALL
#define T_FLOW	   (T_TASK | T_PARALLEL | T_MAP | T_PASS | T_WAIT)
#define T_RETRY	   (T_TASK | T_PARALLEL | T_MAP)
#define JP	   SFN_LL_JSONPATH
#define JA	   SFN_LL_JSONATA
#define BOTH	   SFN_LL_BOTH

/* asl-core.md §2.1 and §2.2. */
const struct sfn_lint_field sfn_lint_state_fields[] = {
	{ "Type", T_ALL, BOTH },
	{ "Comment", T_ALL, BOTH },
	{ "QueryLanguage", T_ALL, BOTH },
	{ "Next", T_FLOW, BOTH },
	{ "End", T_FLOW, BOTH },
	{ "InputPath", T_ALL & ~T_FAIL, JP },
	{ "OutputPath", T_ALL & ~T_FAIL, JP },
	{ "Output", T_ALL & ~T_FAIL, JA },
	{ "Assign", T_ALL & ~(T_SUCCEED | T_FAIL), BOTH },
	{ "Parameters", T_TASK | T_PARALLEL | T_MAP | T_PASS, JP },
	{ "Arguments", T_TASK | T_PARALLEL, JA },
	{ "ResultSelector", T_RETRY, JP },
	{ "ResultPath", T_RETRY | T_PASS, JP },
	{ "Retry", T_RETRY, BOTH },
	{ "Catch", T_RETRY, BOTH },
	{ "Result", T_PASS, JP },
	{ "Resource", T_TASK, BOTH },
	{ "TimeoutSeconds", T_TASK, BOTH },
	{ "TimeoutSecondsPath", T_TASK, JP },
	{ "HeartbeatSeconds", T_TASK, BOTH },
	{ "HeartbeatSecondsPath", T_TASK, JP },
	{ "Credentials", T_TASK, BOTH },
	{ "Choices", T_CHOICE, BOTH },
	{ "Default", T_CHOICE, BOTH },
	{ "Seconds", T_WAIT, BOTH },
	{ "SecondsPath", T_WAIT, JP },
	{ "Timestamp", T_WAIT, BOTH },
	{ "TimestampPath", T_WAIT, JP },
	{ "Error", T_FAIL, BOTH },
	{ "ErrorPath", T_FAIL, JP },
	{ "Cause", T_FAIL, BOTH },
	{ "CausePath", T_FAIL, JP },
	{ "Branches", T_PARALLEL, BOTH },
	{ "ItemProcessor", T_MAP, BOTH },
	{ "Iterator", T_MAP, BOTH },
	{ "ItemsPath", T_MAP, JP },
	{ "Items", T_MAP, JA },
	{ "ItemSelector", T_MAP, BOTH },
	{ "MaxConcurrency", T_MAP, BOTH },
	{ "MaxConcurrencyPath", T_MAP, JP },
	{ "ToleratedFailurePercentage", T_MAP, BOTH },
	{ "ToleratedFailurePercentagePath", T_MAP, JP },
	{ "ToleratedFailureCount", T_MAP, BOTH },
	{ "ToleratedFailureCountPath", T_MAP, JP },
	{ "ItemReader", T_MAP, BOTH },
	{ "ItemBatcher", T_MAP, BOTH },
	{ "ResultWriter", T_MAP, BOTH },
	{ "Label", T_MAP, BOTH },
	{ NULL, 0, BOTH },
};

/* Indexes of sfn_lint_state_fields[], in its order. */
enum field_index {
	F_Type,
	F_Comment,
	F_QueryLanguage,
	F_Next,
	F_End,
	F_InputPath,
	F_OutputPath,
	F_Output,
	F_Assign,
	F_Parameters,
	F_Arguments,
	F_ResultSelector,
	F_ResultPath,
	F_Retry,
	F_Catch,
	F_Result,
	F_Resource,
	F_TimeoutSeconds,
	F_TimeoutSecondsPath,
	F_HeartbeatSeconds,
	F_HeartbeatSecondsPath,
	F_Credentials,
	F_Choices,
	F_Default,
	F_Seconds,
	F_SecondsPath,
	F_Timestamp,
	F_TimestampPath,
	F_Error,
	F_ErrorPath,
	F_Cause,
	F_CausePath,
	F_Branches,
	F_ItemProcessor,
	F_Iterator,
	F_ItemsPath,
	F_Items,
	F_ItemSelector,
	F_MaxConcurrency,
	F_MaxConcurrencyPath,
	F_ToleratedFailurePercentage,
	F_ToleratedFailurePercentagePath,
	F_ToleratedFailureCount,
	F_ToleratedFailureCountPath,
	F_ItemReader,
	F_ItemBatcher,
	F_ResultWriter,
	F_Label,
	F_COUNT
};

const struct sfn_lint_rule sfn_lint_rules[] = {
	{ "SCHEMA_VALIDATION_FAILED", SFN_SEV_ERROR,
	  "the definition breaks a rule of the language: a missing, unknown "
	  "or mistyped field, a value out of range, a bad path or intrinsic "
	  "call, a Retry/Catch rule, an unknown resource" },
	{ "MISSING_TRANSITION_TARGET", SFN_SEV_ERROR,
	  "StartAt, Next, Default or a Catch Next names no state of the same "
	  "States object, or a state is not reachable from StartAt" },
	{ "MISSING_END_STATE", SFN_SEV_ERROR,
	  "a States object has no terminal state (End, Succeed or Fail)" },
	{ "DUPLICATE_STATE_NAME", SFN_SEV_ERROR,
	  "two states share a name, anywhere in the machine" },
	{ "INVALID_STATE_NAME", SFN_SEV_ERROR,
	  "a state name is empty or longer than 80 characters" },
	{ "INVALID_LABEL_NAME", SFN_SEV_ERROR,
	  "a Map Label is empty, longer than 40 characters or holds a "
	  "forbidden character" },
	{ "TOO_DEEPLY_NESTED", SFN_SEV_ERROR,
	  "Parallel/Map states nested too deeply" },
	{ "INVALID_JSONATA_EXPRESSION", SFN_SEV_ERROR,
	  "a {% %} expression does not parse (or uses syntax newer than "
	  "JSONata 2.0.6)" },
	{ "UNSUPPORTED_JSONATA_EXPRESSION", SFN_SEV_ERROR,
	  "a JSONata expression refers to the input at its top level ($, $$ "
	  "or a bare field name)" },
	{ "NO_DOLLAR", SFN_SEV_WARNING,
	  "a value looks like a path or intrinsic call but its key lacks "
	  "'.$', so it stays a literal string" },
	{ "NO_PATH", SFN_SEV_WARNING,
	  "a value looks like a path but the field is not a ...Path field" },
	{ "PASS_RESULT_IS_STATIC", SFN_SEV_WARNING,
	  "a Pass Result holds a 'key.$' path: Result is never evaluated" },
	{ "SFN_UNDEFINED_VARIABLE", SFN_SEV_WARNING,
	  "a variable is read where no path from StartAt has assigned it" },
	{ "SFN_OUTER_VARIABLE_ASSIGNED", SFN_SEV_ERROR,
	  "a Parallel branch or Map iteration assigns a variable of an outer "
	  "scope" },
	{ "SFN_JSONATA_NOT_EXPRESSION", SFN_SEV_WARNING,
	  "a string starts with '{%' but does not end with '%}' (or has "
	  "spaces around them), so it is a literal" },
	{ "SFN_JSONATA_EVAL", SFN_SEV_WARNING,
	  "$eval does not exist in Step Functions' JSONata" },
	{ "SFN_UNKNOWN_ERROR_NAME", SFN_SEV_WARNING,
	  "ErrorEquals names a States.* error that does not exist" },
	{ "SFN_UNKNOWN_INTEGRATION", SFN_SEV_WARNING,
	  "the Resource names a service integration sfn does not know" },
	{ "SFN_HTTP_NOT_HTTPS", SFN_SEV_WARNING,
	  "an HTTP Task ApiEndpoint uses http://, which AWS refuses" },
	{ "SFN_DISTRIBUTED_ONLY", SFN_SEV_WARNING,
	  "ItemReader, ItemBatcher, ResultWriter or Label on an INLINE Map" },
	{ "SFN_DEFINITION_TOO_LARGE", SFN_SEV_ERROR,
	  "the definition, as compact JSON, is longer than the 1048576 "
	  "characters AWS accepts" },
	{ NULL, SFN_SEV_ERROR, NULL },
};

/* ---- the walk's state ---- */

/* A transition: to a state of the same scope, assigning a group's names. */
struct edge {
	int to;	   /* index in the scope, -1 when the target is missing */
	int group; /* index into sstate.groups, -1 for none */
};

/* A variable read or assignment, at a place. */
struct vref {
	int var;    /* index into lint.vars, -1 for a read of an unknown name */
	char *name; /* owned */
	char *where; /* owned */
};

struct group {
	int *v; /* owned; variable indexes */
	size_t n;
};

struct scope;

struct sstate {
	const char *name; /* borrowed from the definition */
	char *where;	  /* owned: "/States/Name" */
	json_t *v;	  /* borrowed */
	bool terminal;
	bool malformed; /* no valid Type: whether it ends is unknown */
	struct edge *edges;
	size_t n_edges;
	struct group *groups;
	size_t n_groups;
	struct vref *reads;
	size_t n_reads;
	struct vref *assigns;
	size_t n_assigns;
	struct scope **kids; /* nested machines of a Parallel/Map */
	size_t n_kids;
	uint64_t *in; /* may-be-assigned set on entry; owned */
	bool reached;
};

struct scope {
	struct sstate *st;
	size_t n;
	json_t *states; /* borrowed */
	int start;	/* StartAt's index, -1 when missing */
	bool no_outer;	/* a distributed Map: outer variables are not visible */
	char *where;	/* owned: pointer of the machine object */
};

/* State names of the whole machine: open addressing, keys borrowed. */
struct name_slot {
	const char *name; /* borrowed from the definition; NULL: free */
	struct scope *sc; /* the States object it was first seen in */
	int index;	  /* its index there */
};

struct names {
	struct name_slot *v; /* owned; cap is a power of 2 */
	size_t n, cap;
};

/*
 * Paths and intrinsic calls already found valid in this definition (and
 * reading no variable): definitions repeat them, parsing them once is
 * enough. Keys borrowed from the definition.
 */
struct seen_slot {
	const char *text; /* NULL: free */
	int kind;
};

struct seen {
	struct seen_slot *v; /* owned; cap is a power of 2 */
	size_t n, cap;
};

struct lint {
	const struct sfn_doc *doc;
	int flags;
	struct sfn_diags *diags;
	size_t errors;
	struct sfn_strbuf ptr; /* where the walk is */
	bool root_jsonata;
	struct names names; /* every state name -> its first definition */
	struct seen seen;   /* valid paths and calls, by text and kind */
	size_t n_reads;	    /* variable reads noted so far */
	json_t *vars;	    /* variable name -> index */
	size_t n_vars;
	struct sstate *cur;  /* the state being checked, for reads/assigns */
	struct scope *scope; /* the States object being checked */
	int depth;
	struct scope *top;
	size_t hint_cells; /* spent by closest_key() */
};

/* ---- small helpers ---- */

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A template placeholder: a substitution could put anything there. */
static bool has_placeholder(const char *s)
{
	return strstr(s, "${") != NULL;
}

static bool is_placeholder_value(const json_t *v)
{
	return json_is_string(v) && has_placeholder(json_string_value(v));
}

/* asl-core.md §10.1: "{%" first and "%}" last, nothing around them. */
static bool is_jsonata(const json_t *v)
{
	if (!json_is_string(v))
		return false;
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	return n >= 4 && s[0] == '{' && s[1] == '%' && s[n - 2] == '%' &&
	       s[n - 1] == '}';
}

static void push(struct lint *l, const char *token, size_t *save)
{
	*save = l->ptr.len;
	if (strpbrk(token, "~/")) {
		sfn_pointer_add(&l->ptr, token);
		return;
	}
	size_t n = strlen(token);
	sfn_strbuf_grow(&l->ptr, n + 1);
	l->ptr.buf[l->ptr.len++] = '/';
	memcpy(l->ptr.buf + l->ptr.len, token, n);
	l->ptr.len += n;
	l->ptr.buf[l->ptr.len] = '\0';
}

static void pushi(struct lint *l, size_t i, size_t *save)
{
	*save = l->ptr.len;
	sfn_pointer_addi(&l->ptr, i);
}

static void pop(struct lint *l, size_t save)
{
	l->ptr.len = save;
	l->ptr.buf[save] = '\0';
}

static struct sfn_diag *vdiag(struct lint *l, enum sfn_severity sev,
			      const char *code, const char *where,
			      const char *fmt, va_list ap) SFN_PRINTF(5, 0);
static struct sfn_diag *vdiag(struct lint *l, enum sfn_severity sev,
			      const char *code, const char *where,
			      const char *fmt, va_list ap)
{
	char *msg = sfn_xvasprintf(fmt, ap);
	struct sfn_diag *d =
		sfn_diags_addf(l->diags, sev, code, where, "%s", msg);
	free(msg);
	if (sev == SFN_SEV_ERROR)
		l->errors++;
	return d;
}

/* An error at the walk's current place. */
static struct sfn_diag *err(struct lint *l, const char *code, const char *fmt,
			    ...) SFN_PRINTF(3, 4);
static struct sfn_diag *err(struct lint *l, const char *code, const char *fmt,
			    ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct sfn_diag *d = vdiag(l, SFN_SEV_ERROR, code, l->ptr.buf, fmt, ap);
	va_end(ap);
	return d;
}

static struct sfn_diag *warn(struct lint *l, const char *code, const char *fmt,
			     ...) SFN_PRINTF(3, 4);
static struct sfn_diag *warn(struct lint *l, const char *code, const char *fmt,
			     ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct sfn_diag *d =
		vdiag(l, SFN_SEV_WARNING, code, l->ptr.buf, fmt, ap);
	va_end(ap);
	return d;
}

static struct sfn_diag *diag_at(struct lint *l, enum sfn_severity sev,
				const char *code, const char *where,
				const char *fmt, ...) SFN_PRINTF(5, 6);
static struct sfn_diag *diag_at(struct lint *l, enum sfn_severity sev,
				const char *code, const char *where,
				const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct sfn_diag *d = vdiag(l, sev, code, where, fmt, ap);
	va_end(ap);
	return d;
}

/*
 * Places @d at the key @key of the object at the current pointer (AWS
 * locates field problems at the object; the key is where to look).
 */
static void at_key(struct lint *l, struct sfn_diag *d, const char *key)
{
	if (!l->doc)
		return;
	size_t save;
	push(l, key, &save);
	sfn_doc_pos(l->doc, l->ptr.buf, true, &d->line, &d->col);
	pop(l, save);
}

/*
 * Edit distance with transpositions (optimal string alignment), or max + 1
 * as soon as it is known to exceed @max. Adds the cells computed to
 * *@cells.
 */
static size_t edit_distance(const char *a, const char *b, size_t max,
			    size_t *cells)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 128 || m > 128 || (n > m ? n - m : m - n) > max)
		return max + 1;
	size_t d[129][129];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	size_t prev_min = 0; /* of row i - 1 */
	for (size_t i = 1; i <= n; i++) {
		size_t row_min = d[i][0];
		for (size_t j = 1; j <= m; j++) {
			size_t best = d[i - 1][j - 1] +
				      (a[i - 1] == b[j - 1] ? 0 : 1);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
			if (best < row_min)
				row_min = best;
		}
		*cells += m;
		/*
		 * A cell comes from the row above or, by a transposition, the
		 * one above that: once two rows are past @max, so is the end.
		 */
		if (row_min > max && prev_min > max)
			return max + 1;
		prev_min = row_min;
	}
	return d[n][m];
}

/*
 * "Did you mean" hints compare a name with every candidate: at most this
 * many edit-distance cells per definition, so that thousands of missing
 * targets among thousands of states stay quick (they lose their hints).
 */
#define HINT_BUDGET 20000000

/* The key of @obj closest to @name, or NULL when none is close. */
static const char *closest_key(struct lint *l, const json_t *obj,
			       const char *name)
{
	const char *best = NULL, *key;
	size_t best_d = (size_t)-1, len = strlen(name);
	size_t limit = len < 4 ? 1 : len < 9 ? 2 : 3;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		if (l->hint_cells > HINT_BUDGET)
			return NULL;
		size_t d = strcasecmp(name, key) == 0
				   ? 0
				   : edit_distance(name, key, limit,
						   &l->hint_cells);
		if (d < best_d) {
			best_d = d;
			best = key;
		}
	}
	return best_d <= limit ? best : NULL;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static bool is_integral(const json_t *v)
{
	if (json_is_integer(v))
		return true;
	if (json_is_real(v)) {
		double d = json_real_value(v);
		return d == (double)(long long)d;
	}
	return false;
}

/* ---- state names ---- */

static size_t name_hash(const char *s)
{
	size_t h = 14695981039346656037u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static struct name_slot *names_find(const struct names *t, const char *name)
{
	if (!t->cap)
		return NULL;
	for (size_t i = name_hash(name) & (t->cap - 1);;
	     i = (i + 1) & (t->cap - 1)) {
		if (!t->v[i].name)
			return NULL;
		if (strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	}
}

static void names_put(struct names *t, const char *name, struct scope *sc,
		      int index)
{
	if ((t->n + 1) * 2 > t->cap) {
		struct names bigger = { NULL, 0, t->cap ? t->cap * 2 : 64 };
		bigger.v = sfn_xcalloc(bigger.cap, sizeof(*bigger.v));
		for (size_t i = 0; i < t->cap; i++)
			if (t->v[i].name)
				names_put(&bigger, t->v[i].name, t->v[i].sc,
					  t->v[i].index);
		free(t->v);
		*t = bigger;
	}
	size_t i = name_hash(name) & (t->cap - 1);
	while (t->v[i].name)
		i = (i + 1) & (t->cap - 1);
	t->v[i] = (struct name_slot){ name, sc, index };
	t->n++;
}

/* @name's index in @sc, or -1. */
static int scope_find(const struct lint *l, const struct scope *sc,
		      const char *name);

/* ---- variables ---- */

static int var_index(struct lint *l, const char *name, bool create)
{
	json_t *i = json_object_get(l->vars, name);
	if (i)
		return (int)json_integer_value(i);
	if (!create)
		return -1;
	json_object_set_new(l->vars, name, json_integer((json_int_t)l->n_vars));
	return (int)l->n_vars++;
}

static void vref_add(struct vref **v, size_t *n, int var, const char *name,
		     const char *where)
{
	*v = sfn_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n] = (struct vref){ var, sfn_xstrdup(name), sfn_xstrdup(where) };
	(*n)++;
}

static void note_read(struct lint *l, const char *name)
{
	if (!l->cur || strcmp(name, "states") == 0)
		return;
	l->n_reads++;
	for (size_t i = 0; i < l->cur->n_reads; i++)
		if (strcmp(l->cur->reads[i].name, name) == 0)
			return;
	vref_add(&l->cur->reads, &l->cur->n_reads, -1, name, l->ptr.buf);
}

/* ---- paths and intrinsics (through the parsers sfn run uses) ---- */

static bool seen_has(const struct seen *t, const char *text, int kind)
{
	if (!t->cap)
		return false;
	for (size_t i = (name_hash(text) + (size_t)kind) & (t->cap - 1);;
	     i = (i + 1) & (t->cap - 1)) {
		if (!t->v[i].text)
			return false;
		if (t->v[i].kind == kind && strcmp(t->v[i].text, text) == 0)
			return true;
	}
}

static void seen_put(struct seen *t, const char *text, int kind)
{
	if ((t->n + 1) * 2 > t->cap) {
		struct seen bigger = { NULL, 0, t->cap ? t->cap * 2 : 64 };
		bigger.v = sfn_xcalloc(bigger.cap, sizeof(*bigger.v));
		for (size_t i = 0; i < t->cap; i++)
			if (t->v[i].text)
				seen_put(&bigger, t->v[i].text, t->v[i].kind);
		free(t->v);
		*t = bigger;
	}
	size_t i = (name_hash(text) + (size_t)kind) & (t->cap - 1);
	while (t->v[i].text)
		i = (i + 1) & (t->cap - 1);
	t->v[i] = (struct seen_slot){ text, kind };
	t->n++;
}

enum path_kind {
	PK_PATH,     /* InputPath, OutputPath: any path, $$ and $var */
	PK_RESULT,   /* ResultPath: reference path, no $$, no $var */
	PK_REF,	     /* Map ...Path: reference path, $var */
	PK_REF_CTX,  /* ItemsPath, Wait/Task ...Path: reference, $$, $var */
	PK_CHOICE,   /* Choice Variable, ...Path: reference, $$, $var */
	PK_ERROR,    /* ErrorPath, CausePath: reference or string intrinsic */
	PK_TEMPLATE, /* a "k.$" value: path, $$, $var or intrinsic */
};

static void read_path_var(const struct sfn_path *p, void *ud)
{
	struct lint *l = ud;
	if (sfn_path_root(p) == SFN_ROOT_VARIABLE)
		note_read(l, sfn_path_variable(p));
}

/*
 * Compiles @s as a path with @flags; NULL, or the parser's complaint (new
 * string) when it refuses.
 */
static char *compile_path(struct lint *l, const char *s, int kind)
{
	int flags = 0;
	switch (kind) {
	case PK_PATH:
	case PK_TEMPLATE:
		flags = SFN_PATH_ALLOW_CONTEXT | SFN_PATH_ALLOW_VARIABLE;
		break;
	case PK_RESULT:
		flags = SFN_PATH_REFERENCE;
		break;
	case PK_REF:
		flags = SFN_PATH_REFERENCE | SFN_PATH_ALLOW_VARIABLE;
		break;
	default:
		flags = SFN_PATH_REFERENCE | SFN_PATH_ALLOW_CONTEXT |
			SFN_PATH_ALLOW_VARIABLE;
		break;
	}
	struct sfn_error e = SFN_ERROR_INIT;
	struct sfn_path *p = sfn_path_compile(s, flags, &e);
	if (!p) {
		char *cause = sfn_xstrdup(e.cause ? e.cause : "invalid path");
		sfn_error_release(&e);
		return cause;
	}
	read_path_var(p, l);
	sfn_path_free(p);
	return NULL;
}

static char *compile_intrinsic(struct lint *l, const char *s)
{
	struct sfn_error e = SFN_ERROR_INIT;
	struct sfn_intrinsic *fn = sfn_intrinsic_compile(s, &e);
	if (!fn) {
		char *cause = sfn_xstrdup(e.cause ? e.cause
						  : "invalid intrinsic call");
		sfn_error_release(&e);
		return cause;
	}
	sfn_intrinsic_foreach_path(fn, read_path_var, l);
	sfn_intrinsic_free(fn);
	return NULL;
}

#define KIND_INTRINSIC 100

/* @s (borrowed from the definition) as a path of @kind: NULL if valid. */
static char *try_path(struct lint *l, const char *s, int kind)
{
	if (seen_has(&l->seen, s, kind))
		return NULL;
	size_t reads = l->n_reads;
	char *cause = compile_path(l, s, kind);
	if (!cause && reads == l->n_reads)
		seen_put(&l->seen, s, kind);
	return cause;
}

static char *try_intrinsic(struct lint *l, const char *s)
{
	if (seen_has(&l->seen, s, KIND_INTRINSIC))
		return NULL;
	size_t reads = l->n_reads;
	char *cause = compile_intrinsic(l, s);
	if (!cause && reads == l->n_reads)
		seen_put(&l->seen, s, KIND_INTRINSIC);
	return cause;
}

/* The intrinsic's name ("Format" of "States.Format(...)"), or "". */
static void intrinsic_name(const char *s, char out[64])
{
	out[0] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	if (!starts_with(s, "States."))
		return;
	s += 7;
	size_t n = 0;
	while (n < 63 && (isalnum((unsigned char)s[n]) || s[n] == '_')) {
		out[n] = s[n];
		n++;
	}
	out[n] = '\0';
}

/* Does @s look like a path or an intrinsic call (for NO_DOLLAR/NO_PATH)? */
static bool looks_like_path(const char *s)
{
	return strcmp(s, "$") == 0 || starts_with(s, "$.") ||
	       starts_with(s, "$[") || starts_with(s, "$$.") ||
	       strcmp(s, "$$") == 0;
}

static bool looks_like_intrinsic(const char *s)
{
	char name[64];
	intrinsic_name(s, name);
	return name[0] && strchr(s, '(') && sfn_ends_with(s, ")");
}

/*
 * Checks the path-valued field @field (value @v at the current pointer).
 */
static void check_path(struct lint *l, const char *field, json_t *v, int kind,
		       bool nullable)
{
	if (json_is_null(v) && nullable)
		return;
	if (!json_is_string(v)) {
		err(l, SVF, "The field '%s' should be a string%s, not %s",
		    field, nullable ? " or null" : "", type_name(v));
		return;
	}
	const char *s = json_string_value(v);
	if (has_placeholder(s))
		return;
	char *cause = NULL;
	if (kind == PK_ERROR && s[0] != '$') {
		char name[64];
		cause = try_intrinsic(l, s);
		intrinsic_name(s, name);
		static const char *const strfn[] = {
			"Format",	"JsonToString",
			"ArrayGetItem", "Base64Encode",
			"Base64Decode", "Hash",
			"UUID",		NULL
		};
		bool ok = false;
		for (size_t i = 0; strfn[i]; i++)
			ok = ok || strcmp(name, strfn[i]) == 0;
		if (!cause && !ok)
			cause = sfn_xasprintf("States.%s does not return a "
					      "string",
					      name);
		if (cause)
			err(l, SVF,
			    "The value for the field '%s' must be a valid "
			    "reference path or an intrinsic function call "
			    "returning a string; %s",
			    field, cause);
		free(cause);
		return;
	}
	cause = try_path(l, s, kind);
	if (!cause)
		return;
	if (kind == PK_PATH) /* AWS: "Value must be a valid JSONPath." */
		err(l, SVF, "Value must be a valid JSONPath; %s", cause);
	else
		err(l, SVF, "Value is not a Reference Path: %s", cause);
	free(cause);
}

/* ---- JSONata ---- */

/* Where $states members may be read (asl-core.md §10.2). */
enum jctx {
	JC_PLAIN = 0,
	JC_RESULT = 1 << 0, /* $states.result available */
	JC_ERROR = 1 << 1,  /* $states.errorOutput available */
};

static bool ident_char(int c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/* Skips a quoted string at @s[*i] (quote @q); *i ends past it. */
static void skip_string(const char *s, size_t n, size_t *i)
{
	char q = s[*i];
	for ((*i)++; *i < n && s[*i] != q; (*i)++)
		if (s[*i] == '\\')
			(*i)++;
	if (*i < n)
		(*i)++;
}

static bool local_binding(const char *e, size_t n, const char *name)
{
	/*
	 * "$name :=", a function parameter "function($a, $name)", or a
	 * path's focus "@$name" or positional "#$name" variable.
	 */
	size_t m = strlen(name);
	for (size_t i = 0; i + m + 1 <= n; i++) {
		if (e[i] != '$' || strncmp(e + i + 1, name, m) != 0 ||
		    (i + 1 + m < n && ident_char((unsigned char)e[i + 1 + m])))
			continue;
		size_t b = i;
		while (b > 0 && isspace((unsigned char)e[b - 1]))
			b--;
		if (b > 0 && (e[b - 1] == '@' || e[b - 1] == '#'))
			return true;
		size_t j = i + 1 + m;
		while (j < n && isspace((unsigned char)e[j]))
			j++;
		if (j + 1 < n && e[j] == ':' && e[j + 1] == '=')
			return true;
		/* inside "function(" ... ")" */
		size_t k = i;
		while (k > 0 && e[k - 1] != '(' && e[k - 1] != ')' &&
		       e[k - 1] != '{')
			k--;
		if (k > 0 && e[k - 1] == '(') {
			size_t f = k - 1;
			while (f > 0 && isspace((unsigned char)e[f - 1]))
				f--;
			if (f >= 8 && strncmp(e + f - 8, "function", 8) == 0)
				return true;
			if (f >= 2 && (unsigned char)e[f - 2] == 0xce &&
			    (unsigned char)e[f - 1] == 0xbb) /* λ */
				return true;
		}
	}
	return false;
}

/* JSONata's built-in functions and AWS's additions: not variables. */
static bool jsonata_builtin(const char *name)
{
	static const char *const fns[] = { "abs",
					   "append",
					   "assert",
					   "average",
					   "base64decode",
					   "base64encode",
					   "boolean",
					   "ceil",
					   "contains",
					   "count",
					   "decodeUrl",
					   "decodeUrlComponent",
					   "distinct",
					   "each",
					   "encodeUrl",
					   "encodeUrlComponent",
					   "error",
					   "eval",
					   "exists",
					   "filter",
					   "floor",
					   "formatBase",
					   "formatInteger",
					   "formatNumber",
					   "fromMillis",
					   "hash",
					   "join",
					   "keys",
					   "length",
					   "lookup",
					   "lowercase",
					   "map",
					   "match",
					   "max",
					   "merge",
					   "millis",
					   "min",
					   "not",
					   "now",
					   "number",
					   "pad",
					   "parse",
					   "parseInteger",
					   "partition",
					   "power",
					   "random",
					   "range",
					   "reduce",
					   "replace",
					   "reverse",
					   "round",
					   "shuffle",
					   "sift",
					   "single",
					   "sort",
					   "split",
					   "spread",
					   "sqrt",
					   "string",
					   "substring",
					   "substringAfter",
					   "substringBefore",
					   "sum",
					   "toMillis",
					   "trim",
					   "type",
					   "uppercase",
					   "uuid",
					   "zip",
					   NULL };
	for (size_t i = 0; fns[i]; i++)
		if (strcmp(fns[i], name) == 0)
			return true;
	return false;
}

struct jvars {
	struct lint *l;
	const char *expr;
	size_t len;
};

static void jsonata_var(const char *name, size_t position, void *ud)
{
	struct jvars *jv = ud;
	(void)position;
	if (!name[0] || strcmp(name, "$") == 0 || jsonata_builtin(name) ||
	    local_binding(jv->expr, jv->len, name))
		return;
	note_read(jv->l, name);
}

/*
 * asl-core.md §10.3: an expression has no input document, so "$", "$$" or
 * a field name must not start a path at its top level (inside a predicate
 * "[...]", a path step ".(...)", sort terms "^(...)" or a lambda body they
 * refer to the context item and are fine). A token scan: strings, regexes,
 * numbers and comments are skipped; each bracket opens a region that has a
 * context item or inherits its parent's. Reports the first such reference.
 */
static void top_level_refs(struct lint *l, const char *e, size_t n)
{
	bool has_ctx[64] = { false };
	size_t depth = 0;
	bool operand = false; /* the previous token ends an operand */
	bool dot = false;     /* the previous token is '.' */
	bool sort = false;    /* the previous token is a sort's '^' */
	bool lambda = false;  /* "function" seen, its body is next */
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)e[i];
		if (isspace(c)) {
			i++;
			continue;
		}
		if (c == '/' && i + 1 < n && e[i + 1] == '*') {
			const char *end = strstr(e + i + 2, "*/");
			i = end && (size_t)(end - e) < n ? (size_t)(end - e) + 2
							 : n;
			continue;
		}
		bool was_dot = dot, was_sort = sort;
		dot = sort = false;
		if (c == '"' || c == '\'') {
			skip_string(e, n, &i);
			operand = true;
			continue;
		}
		if (c == '/' && !operand) { /* a regex literal */
			for (i++; i < n && e[i] != '/'; i++)
				if (e[i] == '\\')
					i++;
			for (i++; i < n && isalpha((unsigned char)e[i]); i++)
				;
			operand = true;
			continue;
		}
		if (isdigit(c)) {
			while (i < n && (isalnum((unsigned char)e[i]) ||
					 (e[i] == '.' && i + 1 < n &&
					  isdigit((unsigned char)e[i + 1]))))
				i++;
			operand = true;
			continue;
		}
		char name[81];
		const char *ref = NULL;
		if (c == '$') {
			size_t k = i + 1;
			while (k < n && ident_char((unsigned char)e[k]))
				k++;
			if (k == i + 1)
				ref = (k < n && e[k] == '$') ? "$$" : "$";
			if (ref && ref[1])
				k++;
			i = k;
			if (ref && (was_dot || has_ctx[depth]))
				ref = NULL;
			operand = true;
		} else if (c == '`' || isalpha(c) || c == '_' || c >= 0x80) {
			size_t k = i, m = 0;
			if (c == '`') {
				for (k = i + 1; k < n && e[k] != '`'; k++)
					if (m < 80)
						name[m++] = e[k];
				k++;
			} else {
				while (k < n &&
				       ident_char((unsigned char)e[k])) {
					if (m < 80)
						name[m++] = e[k];
					k++;
				}
			}
			name[m] = '\0';
			i = k;
			static const char *const ops[] = { "and", "or", "in",
							   NULL };
			static const char *const lits[] = { "true", "false",
							    "null", NULL };
			bool op = false, lit = false;
			for (size_t q = 0; ops[q]; q++)
				op = op || (c != '`' && !strcmp(ops[q], name));
			for (size_t q = 0; lits[q]; q++)
				lit = lit ||
				      (c != '`' && !strcmp(lits[q], name));
			if (c != '`' && !strcmp(name, "function")) {
				lambda = true;
				operand = false;
				continue;
			}
			if (op && operand) {
				operand = false;
				continue;
			}
			operand = true;
			if (lit || was_dot || has_ctx[depth])
				continue;
			size_t j = i;
			while (j < n && isspace((unsigned char)e[j]))
				j++;
			if (j < n && e[j] == '(')
				continue;
			ref = name;
		} else {
			bool ctx = has_ctx[depth];
			switch (c) {
			case '[':
				ctx = ctx || operand;
				break;
			case '(':
				/* a path step ".(...)", sort terms "^(...)" */
				ctx = ctx || was_dot || was_sort;
				break;
			case '{':
				ctx = ctx || was_dot || operand || lambda;
				lambda = false;
				break;
			default:
				break;
			}
			if (c == '[' || c == '(' || c == '{') {
				if (depth + 1 < sizeof(has_ctx))
					has_ctx[++depth] = ctx;
				operand = false;
			} else if (c == ']' || c == ')' || c == '}') {
				if (depth > 0)
					depth--;
				operand = true;
			} else {
				dot = c == '.' &&
				      !(i + 1 < n && e[i + 1] == '.');
				sort = c == '^' && operand;
				operand = false;
			}
			i++;
			continue;
		}
		if (ref) {
			err(l, "UNSUPPORTED_JSONATA_EXPRESSION",
			    "Reference to '%s' at the top level is not "
			    "supported.",
			    ref);
			return;
		}
	}
}

/*
 * Lexical checks the parser cannot make for us: $states members used where
 * they do not exist, input references at the top level (@top_check: only
 * for expressions that parsed), $eval. @collect_vars: also note variable
 * reads (when the parser could not list them).
 */
static void jsonata_lexical(struct lint *l, const char *e, size_t n, int ctx,
			    bool collect_vars, bool top_check)
{
	if (top_check)
		top_level_refs(l, e, n);
	for (size_t i = 0; i < n; i++) {
		char c = e[i];
		if (c == '"' || c == '\'' || c == '`') {
			skip_string(e, n, &i);
			i--;
			continue;
		}
		if (c == '/' && i + 1 < n && e[i + 1] == '*') {
			const char *end = strstr(e + i + 2, "*/");
			i = end ? (size_t)(end - e) + 1 : n;
			continue;
		}
		if (c != '$' || i + 1 >= n ||
		    !ident_char((unsigned char)e[i + 1]))
			continue;
		size_t k = i + 1;
		while (k < n && ident_char((unsigned char)e[k]))
			k++;
		char name[128];
		size_t m = k - i - 1 < sizeof(name) - 1 ? k - i - 1
							: sizeof(name) - 1;
		memcpy(name, e + i + 1, m);
		name[m] = '\0';
		if (strcmp(name, "states") == 0) {
			size_t j = k;
			while (j < n && isspace((unsigned char)e[j]))
				j++;
			if (j < n && e[j] == '.') {
				j++;
				while (j < n && isspace((unsigned char)e[j]))
					j++;
				if (strncmp(e + j, "result", 6) == 0 &&
				    !ident_char((unsigned char)e[j + 6]) &&
				    !(ctx & JC_RESULT))
					err(l, SVF,
					    "$states.result is not available "
					    "here: only in the Output and "
					    "Assign of a Task, Map or "
					    "Parallel state");
				if (strncmp(e + j, "errorOutput", 11) == 0 &&
				    !ident_char((unsigned char)e[j + 11]) &&
				    !(ctx & JC_ERROR))
					err(l, SVF,
					    "$states.errorOutput is not "
					    "available here: only in the "
					    "Output and Assign of a Catch "
					    "rule");
			}
		} else if (strcmp(name, "eval") == 0) {
			size_t j = k;
			while (j < n && isspace((unsigned char)e[j]))
				j++;
			if (j < n && e[j] == '(')
				warn(l, "SFN_JSONATA_EVAL",
				     "$eval is not available in Step "
				     "Functions' JSONata (it fails with "
				     "T1006); use $parse to read JSON text");
		} else if (collect_vars && !jsonata_builtin(name) &&
			   !local_binding(e, n, name)) {
			note_read(l, name);
		}
		i = k - 1;
	}
}

/* Checks one "{% ... %}" string at the current pointer. */
static void check_jsonata_expr(struct lint *l, const char *s, size_t len,
			       int ctx)
{
	const char *e = s + 2;
	size_t n = len - 4;
	if (has_placeholder(s))
		return;
	size_t k = 0;
	while (k < n && isspace((unsigned char)e[k]))
		k++;
	if (k == n) {
		err(l, "INVALID_JSONATA_EXPRESSION",
		    "Unexpected end of expression");
		return;
	}
	struct sfn_jsonata_error je = { 0 };
	struct sfn_jsonata *x = sfn_jsonata_compile(e, n, SFN_JSONATA_AWS, &je);
	if (!x) {
		bool newer = false;
		for (size_t i = 0; i + 1 < n && !newer; i++) {
			if (e[i] == '"' || e[i] == '\'') {
				skip_string(e, n, &i);
				i--;
				continue;
			}
			newer = e[i] == '?' &&
				(e[i + 1] == '?' || e[i + 1] == ':');
		}
		struct sfn_diag *d = err(
			l, "INVALID_JSONATA_EXPRESSION", "%s%s",
			je.message ? je.message : "invalid expression",
			newer ? "; the operators '\?\?' and '?:' need JSONata "
				"2.1, Step Functions runs JSONata 2.0.6"
			      : "");
		/*
		 * Point inside the string, at the character the parser stopped
		 * at ("{%" then the expression), where the source has it.
		 */
		if (l->doc &&
		    sfn_doc_pos(l->doc, l->ptr.buf, false, &d->line, &d->col) &&
		    je.position > 0 &&
		    !sfn_doc_pos_in_string(l->doc, l->ptr.buf, je.position + 1,
					   &d->line, &d->col))
			d->col += 2 + (int)je.position;
		sfn_jsonata_error_release(&je);
		jsonata_lexical(l, e, n, ctx, true, false);
		return;
	}
	struct jvars jv = { l, e, n };
	sfn_jsonata_foreach_variable(x, jsonata_var, &jv);
	sfn_jsonata_free(x);
	jsonata_lexical(l, e, n, ctx, false, true);
}

/* Walks a JSONata-state value: every "{% %}" string at any depth. */
static void check_jsonata_value(struct lint *l, json_t *v, int ctx)
{
	size_t save;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (is_jsonata(v))
			check_jsonata_expr(l, s, n, ctx);
		else if (n >= 2 && strstr(s, "{%") && strstr(s, "%}") &&
			 starts_with(s + strspn(s, " \t\r\n"), "{%"))
			warn(l, "SFN_JSONATA_NOT_EXPRESSION",
			     "this string is not a JSONata expression: it "
			     "must start with '{%%' and end with '%%}' "
			     "with nothing around them");
	} else if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) {
			push(l, k, &save);
			check_jsonata_value(l, x, ctx);
			pop(l, save);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			pushi(l, i, &save);
			check_jsonata_value(l, x, ctx);
			pop(l, save);
		}
	}
}

/* ---- JSONPath payload templates ---- */

static void check_dollar_value(struct lint *l, const char *key, json_t *v)
{
	if (!json_is_string(v)) {
		err(l, SVF,
		    "The value for the field '%s' must be a valid JSONPath or "
		    "a valid intrinsic function call; it is %s",
		    key, type_name(v));
		return;
	}
	const char *s = json_string_value(v);
	if (has_placeholder(s))
		return;
	char *cause =
		s[0] == '$' ? try_path(l, s, PK_TEMPLATE) : try_intrinsic(l, s);
	if (cause)
		err(l, SVF,
		    "The value for the field '%s' must be a valid JSONPath or "
		    "a valid intrinsic function call; %s",
		    key, cause);
	free(cause);
}

/* NO_DOLLAR: the literal @v of field @key looks like a path or a call. */
static void no_dollar(struct lint *l, const char *key, const json_t *v)
{
	if (json_is_string(v) && (looks_like_path(json_string_value(v)) ||
				  looks_like_intrinsic(json_string_value(v))))
		warn(l, "NO_DOLLAR",
		     "The value for the field '%s' looks like a JSONPath or an "
		     "intrinsic function call but is a literal string; name "
		     "the field '%s.$' to evaluate it",
		     key, key);
}

/* A payload template (asl-core.md §3.3), object or array, any depth. */
static void check_template(struct lint *l, json_t *v, int depth)
{
	size_t save;
	if (depth > SFN_MAX_DEPTH)
		return;
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			if (json_is_object(x) || json_is_array(x)) {
				pushi(l, i, &save);
				check_template(l, x, depth + 1);
				pop(l, save);
			}
		}
		return;
	}
	if (!json_is_object(v))
		return;
	const char *k;
	json_t *x;
	json_object_foreach(v, k, x) {
		push(l, k, &save);
		size_t kl = strlen(k);
		if (kl >= 2 && sfn_ends_with(k, ".$")) {
			char bare[256];
			if (kl - 2 < sizeof(bare) && json_object_size(v) > 1) {
				memcpy(bare, k, kl - 2);
				bare[kl - 2] = '\0';
				if (json_object_get(v, bare))
					err(l, SVF,
					    "The field '%s' appears twice, as "
					    "'%s' and as '%s'",
					    bare, bare, k);
			}
			check_dollar_value(l, k, x);
		} else if (json_is_object(x) || json_is_array(x)) {
			check_template(l, x, depth + 1);
		} else {
			no_dollar(l, k, x);
		}
		pop(l, save);
	}
}

/* ---- typed scalar fields ---- */

/*
 * An integer field in [min, max]. In JSONata states a "{% %}" string is
 * also fine; a placeholder "${...}" always is.
 */
static void check_int(struct lint *l, const char *field, json_t *v,
		      long long min, long long max, bool jsonata)
{
	if (jsonata && is_jsonata(v)) {
		check_jsonata_value(l, v, JC_PLAIN);
		return;
	}
	if (is_placeholder_value(v))
		return;
	char buf[SFN_NUMBUF];
	if (!is_integral(v)) {
		/* "not a number" would puzzle for 2.5: show the value. */
		if (json_is_number(v))
			sfn_fmt_double(buf, sfn_json_number(v));
		err(l, SVF, "The field '%s' should be an integer%s, not %s",
		    field, jsonata ? " or a JSONata expression" : "",
		    json_is_number(v) ? buf : type_name(v));
		return;
	}
	double d = sfn_json_number(v);
	if (d >= (double)min && d <= (double)max)
		return;
	sfn_fmt_double(buf, d);
	if (d < (double)min)
		err(l, SVF, "Minimum value is %lld; '%s' is %s", min, field,
		    buf);
	else
		err(l, SVF, "Maximum value is %lld; '%s' is %s", max, field,
		    buf);
}

static void check_number(struct lint *l, const char *field, json_t *v,
			 double min, double max, bool jsonata)
{
	if (jsonata && is_jsonata(v)) {
		check_jsonata_value(l, v, JC_PLAIN);
		return;
	}
	if (is_placeholder_value(v))
		return;
	if (!json_is_number(v)) {
		err(l, SVF, "The field '%s' should be a number%s, not %s",
		    field, jsonata ? " or a JSONata expression" : "",
		    type_name(v));
		return;
	}
	double d = sfn_json_number(v);
	if (d >= min && d <= max)
		return;
	char buf[SFN_NUMBUF], got[SFN_NUMBUF];
	sfn_fmt_double(got, d);
	if (d < min) {
		sfn_fmt_double(buf, min);
		err(l, SVF, "Minimum value is %s%s; '%s' is %s", buf,
		    strchr(buf, '.') ? "" : ".0", field, got);
	} else if (d > max) {
		sfn_fmt_double(buf, max);
		err(l, SVF, "Maximum value is %s%s; '%s' is %s", buf,
		    strchr(buf, '.') ? "" : ".0", field, got);
	}
}

static bool check_string(struct lint *l, const char *field, json_t *v)
{
	if (json_is_string(v))
		return true;
	err(l, SVF, "The field '%s' should be a string, not %s", field,
	    type_name(v));
	return false;
}

static bool check_bool(struct lint *l, const char *field, json_t *v)
{
	if (json_is_boolean(v) || is_placeholder_value(v))
		return json_is_boolean(v);
	err(l, SVF, "The field '%s' should be a boolean, not %s", field,
	    type_name(v));
	return false;
}

static void check_enum(struct lint *l, const char *field, json_t *v,
		       const char *const *values, bool jsonata)
{
	if ((jsonata && is_jsonata(v)) || is_placeholder_value(v))
		return;
	if (json_is_string(v))
		for (size_t i = 0; values[i]; i++)
			if (strcmp(values[i], json_string_value(v)) == 0)
				return;
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	for (size_t i = 0; values[i]; i++)
		sfn_strbuf_addf(&sb, "%s%s", i ? ", " : "", values[i]);
	err(l, SVF, "The field '%s' should have one of these values: [%s]",
	    field, sb.buf);
	sfn_strbuf_release(&sb);
}

/*
 * Field @field of the object at the current pointer belongs to the other
 * query language than the state's. As AWS, the location is the object's.
 */
static void wrong_language(struct lint *l, const char *field, bool jsonata)
{
	at_key(l,
	       err(l, SVF,
		   "The QueryLanguage is set to '%s', but field '%s' is only "
		   "supported for the '%s' QueryLanguage",
		   jsonata ? "JSONata" : "JSONPath", field,
		   jsonata ? "JSONPath" : "JSONata"),
	       field);
}

/* The object-valued field must be an object. */
static bool check_object(struct lint *l, const char *field, json_t *v)
{
	if (json_is_object(v))
		return true;
	err(l, SVF, "The field '%s' should be an object, not %s", field,
	    type_name(v));
	return false;
}

/* Fields of a sub-object: unknown ones are "not supported". */
static void check_known(struct lint *l, json_t *obj, const char *const *allowed)
{
	const char *k;
	json_t *x;
	json_object_foreach(obj, k, x) {
		bool ok = false;
		for (size_t i = 0; allowed[i] && !ok; i++)
			ok = strcmp(allowed[i], k) == 0;
		if (!ok)
			at_key(l, err(l, SVF, "Field '%s' is not supported", k),
			       k);
	}
}

static void check_exclusive(struct lint *l, json_t *obj, const char *a,
			    const char *b)
{
	if (json_object_get(obj, a) && json_object_get(obj, b))
		at_key(l,
		       err(l, SVF,
			   "There should only be one of the following fields: "
			   "[%s, %s]",
			   a, b),
		       b);
}

/* RFC 3339 as AWS accepts it (asl-core.md §5.5). */
static bool rfc3339(const char *s)
{
	int y, mo, d, h, mi, se;
	int n = 0;
	if (strlen(s) < 20)
		return false;
	for (int i = 0; i < 19; i++) {
		bool digit = isdigit((unsigned char)s[i]);
		bool want_digit =
			!(i == 4 || i == 7 || i == 10 || i == 13 || i == 16);
		if (digit != want_digit)
			return false;
	}
	if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':')
		return false;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se,
		   &n) != 6 ||
	    n != 19)
		return false;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || se > 60)
		return false;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 || y % 400 == 0)))
		return false;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (strcmp(p, "Z") == 0)
		return true;
	if ((p[0] == '+' || p[0] == '-') && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]) && p[3] == ':' &&
	    isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5]) &&
	    p[6] == '\0')
		return (p[1] - '0') * 10 + (p[2] - '0') < 24 &&
		       (p[4] - '0') * 10 + (p[5] - '0') < 60;
	return false;
}

/* ---- Assign (both languages) ---- */

static bool valid_var_name(const char *s, const char **why)
{
	size_t n = strlen(s);
	if (n == 0) {
		*why = "it is empty";
		return false;
	}
	if (sfn_utf8_length(s, n) > 80) {
		*why = "it is longer than 80 characters";
		return false;
	}
	if (!(isalpha((unsigned char)s[0]) || s[0] == '_' ||
	      (unsigned char)s[0] >= 0x80)) {
		*why = "it must start with a letter or '_'";
		return false;
	}
	for (size_t i = 1; i < n; i++)
		if (!ident_char((unsigned char)s[i])) {
			*why = "it may hold only letters, digits and '_'";
			return false;
		}
	if (strcmp(s, "states") == 0) {
		*why = "'states' is reserved";
		return false;
	}
	return true;
}

/*
 * Assign at the current pointer; the names assigned become group
 * @group of the current state (-1: none).
 */
static int check_assign(struct lint *l, json_t *v, bool jsonata, int jctx)
{
	size_t save;
	if (!check_object(l, "Assign", v))
		return -1;
	struct sstate *s = l->cur;
	struct group g = { NULL, 0 };
	const char *k;
	json_t *x;
	json_object_foreach(v, k, x) {
		push(l, k, &save);
		char *name = sfn_xstrdup(k);
		bool dollar = !jsonata && sfn_ends_with(name, ".$");
		if (dollar)
			name[strlen(name) - 2] = '\0';
		const char *why = NULL;
		if (dollar && json_object_get(v, name)) {
			/* asl-core.md §3.3: "a" and "a.$" in one template. */
			err(l, SVF,
			    "The variable '%s' is assigned twice, as '%s' and "
			    "as '%s'",
			    name, name, k);
		} else if (!valid_var_name(name, &why)) {
			err(l, SVF, "The variable name '%s' is not valid: %s",
			    name, why);
		} else if (s) {
			int idx = var_index(l, name, true);
			g.v = sfn_xrealloc(g.v, (g.n + 1) * sizeof(int));
			g.v[g.n++] = idx;
			vref_add(&s->assigns, &s->n_assigns, idx, name,
				 l->ptr.buf);
		}
		if (jsonata)
			check_jsonata_value(l, x, jctx);
		else if (dollar)
			check_dollar_value(l, k, x);
		else if (json_is_object(x) || json_is_array(x))
			check_template(l, x, 0);
		else
			no_dollar(l, k, x);
		free(name);
		pop(l, save);
	}
	if (!s) {
		free(g.v);
		return -1;
	}
	s->groups = sfn_xrealloc(s->groups, (s->n_groups + 1) * sizeof(g));
	s->groups[s->n_groups] = g;
	return (int)s->n_groups++;
}

/* ---- the machine walk ---- */

static void check_machine(struct lint *l, json_t *m, bool top, const char *kind,
			  struct scope **out);

/* The target index is resolved once the States object is walked. */
static void add_edge(struct sstate *s, int group)
{
	s->edges = sfn_xrealloc(s->edges, (s->n_edges + 1) * sizeof(*s->edges));
	s->edges[s->n_edges].to = -1;
	s->edges[s->n_edges].group = group;
	s->n_edges++;
}

static void missing_target(struct lint *l, const char *target);

/*
 * A transition of @s to @target. The names of the States object are all
 * known before its states are checked, so the target resolves at once.
 */
static void transition(struct lint *l, struct sstate *s, json_t *target,
		       int group)
{
	if (!json_is_string(target)) {
		err(l, SVF, "The field 'Next' should be a string, not %s",
		    type_name(target));
		return;
	}
	add_edge(s, group);
	int to = scope_find(l, l->scope, json_string_value(target));
	s->edges[s->n_edges - 1].to = to;
	if (to < 0)
		missing_target(l, json_string_value(target));
}

static const char *const retrier_fields[] = {
	"ErrorEquals",	   "IntervalSeconds", "MaxAttempts", "BackoffRate",
	"MaxDelaySeconds", "JitterStrategy",  "Comment",     NULL
};

static void check_error_equals(struct lint *l, json_t *list, bool last)
{
	size_t save;
	if (!json_is_array(list)) {
		err(l, SVF,
		    "The field 'ErrorEquals' should be an array, not %s",
		    type_name(list));
		return;
	}
	if (json_array_size(list) == 0) {
		err(l, SVF, "Value cannot be empty");
		return;
	}
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x) {
		pushi(l, i, &save);
		if (!json_is_string(x)) {
			err(l, SVF, "An error name should be a string, not %s",
			    type_name(x));
		} else {
			const char *name = json_string_value(x);
			if (strcmp(name, "States.ALL") == 0) {
				if (json_array_size(list) != 1 || !last)
					err(l, SVF,
					    "States.ALL must appear alone and "
					    "at end of list");
			} else if (starts_with(name, "States.") &&
				   !sfn_states_error_known(name) &&
				   !starts_with(name, "States.Http.")) {
				warn(l, "SFN_UNKNOWN_ERROR_NAME",
				     "'%s' is not an error Step Functions "
				     "raises; names starting with 'States.' "
				     "are reserved",
				     name);
			}
		}
		pop(l, save);
	}
}

static void check_retry(struct lint *l, json_t *v)
{
	size_t save, save2;
	if (!json_is_array(v)) {
		err(l, SVF, "The field 'Retry' should be an array, not %s",
		    type_name(v));
		return;
	}
	size_t i, n = json_array_size(v);
	json_t *r;
	json_array_foreach(v, i, r) {
		pushi(l, i, &save);
		if (!json_is_object(r)) {
			err(l, SVF, "A retrier should be an object, not %s",
			    type_name(r));
			pop(l, save);
			continue;
		}
		check_known(l, r, retrier_fields);
		json_t *x;
		if (!(x = json_object_get(r, "ErrorEquals"))) {
			err(l, SVF, "These fields are required: [ErrorEquals]");
		} else {
			push(l, "ErrorEquals", &save2);
			check_error_equals(l, x, i + 1 == n);
			pop(l, save2);
		}
		static const struct {
			const char *f;
			long long min, max;
		} ints[] = { { "IntervalSeconds", 1, 99999999 },
			     { "MaxAttempts", 0, 99999999 },
			     { "MaxDelaySeconds", 1, 31622400 } };
		for (size_t k = 0; k < 3; k++) {
			if (!(x = json_object_get(r, ints[k].f)))
				continue;
			push(l, ints[k].f, &save2);
			check_int(l, ints[k].f, x, ints[k].min, ints[k].max,
				  false);
			pop(l, save2);
		}
		if ((x = json_object_get(r, "BackoffRate"))) {
			push(l, "BackoffRate", &save2);
			check_number(l, "BackoffRate", x, 1.0, 1e300, false);
			pop(l, save2);
		}
		if ((x = json_object_get(r, "JitterStrategy"))) {
			static const char *const js[] = { "FULL", "NONE",
							  NULL };
			push(l, "JitterStrategy", &save2);
			check_enum(l, "JitterStrategy", x, js, false);
			pop(l, save2);
		}
		if ((x = json_object_get(r, "Comment"))) {
			push(l, "Comment", &save2);
			check_string(l, "Comment", x);
			pop(l, save2);
		}
		pop(l, save);
	}
}

static void check_catch(struct lint *l, struct sstate *s, json_t *v,
			bool jsonata)
{
	size_t save, save2;
	if (!json_is_array(v)) {
		err(l, SVF, "The field 'Catch' should be an array, not %s",
		    type_name(v));
		return;
	}
	size_t i, n = json_array_size(v);
	json_t *c;
	json_array_foreach(v, i, c) {
		pushi(l, i, &save);
		if (!json_is_object(c)) {
			err(l, SVF, "A catcher should be an object, not %s",
			    type_name(c));
			pop(l, save);
			continue;
		}
		const char *k;
		json_t *x;
		json_object_foreach(c, k, x) {
			static const char *const any[] = { "ErrorEquals",
							   "Next", "Comment",
							   "Assign", NULL };
			bool ok = false;
			for (size_t q = 0; any[q]; q++)
				ok = ok || strcmp(any[q], k) == 0;
			if (ok)
				continue;
			if (strcmp(k, "ResultPath") == 0 && !jsonata)
				continue;
			if (strcmp(k, "Output") == 0 && jsonata)
				continue;
			if (strcmp(k, "ResultPath") == 0 ||
			    strcmp(k, "Output") == 0)
				at_key(l,
				       err(l, SVF,
					   "The QueryLanguage is set to '%s', "
					   "but field '%s' is only supported "
					   "for the '%s' QueryLanguage",
					   jsonata ? "JSONata" : "JSONPath", k,
					   jsonata ? "JSONPath" : "JSONata"),
				       k);
			else
				at_key(l,
				       err(l, SVF,
					   "Field '%s' is not supported", k),
				       k);
		}
		bool has_e = json_object_get(c, "ErrorEquals") != NULL;
		bool has_n = json_object_get(c, "Next") != NULL;
		if (!has_e || !has_n)
			err(l, SVF, "These fields are required: [%s%s%s]",
			    has_e ? "" : "ErrorEquals",
			    !has_e && !has_n ? ", " : "", has_n ? "" : "Next");
		if ((x = json_object_get(c, "ErrorEquals"))) {
			push(l, "ErrorEquals", &save2);
			check_error_equals(l, x, i + 1 == n);
			pop(l, save2);
		}
		if (!jsonata && (x = json_object_get(c, "ResultPath"))) {
			push(l, "ResultPath", &save2);
			check_path(l, "ResultPath", x, PK_RESULT, true);
			pop(l, save2);
		}
		if (jsonata && (x = json_object_get(c, "Output"))) {
			push(l, "Output", &save2);
			check_jsonata_value(l, x, JC_ERROR);
			pop(l, save2);
		}
		int group = -1;
		if ((x = json_object_get(c, "Assign"))) {
			push(l, "Assign", &save2);
			group = check_assign(l, x, jsonata, JC_ERROR);
			pop(l, save2);
		}
		if ((x = json_object_get(c, "Next"))) {
			push(l, "Next", &save2);
			transition(l, s, x, group);
			pop(l, save2);
		}
		pop(l, save);
	}
}

/* ---- resources (asl-core.md §1.4, sfn-features.md §3, §4) ---- */

struct integration {
	const char *service;
	const char *apis; /* space-separated, each padded by spaces */
};

/* Optimized integrations (arn:aws:states:::SERVICE:API). */
static const struct integration integrations[] = {
	{ "lambda", " invoke " },
	{ "dynamodb", " getItem putItem updateItem deleteItem " },
	{ "sns", " publish " },
	{ "sqs", " sendMessage " },
	{ "states", " startExecution " },
	{ "ecs", " runTask " },
	{ "batch", " submitJob " },
	{ "glue", " startJobRun " },
	{ "databrew", " startJobRun " },
	{ "events", " putEvents " },
	{ "http", " invoke " },
	{ "apigateway", " invoke " },
	{ "bedrock", " invokeModel createModelCustomizationJob " },
	{ "athena", " startQueryExecution stopQueryExecution "
		    "getQueryExecution getQueryResults " },
	{ "codebuild", " startBuild stopBuild batchDeleteBuilds "
		       "batchGetReports startBuildBatch " },
	{ "eks", " createCluster deleteCluster createFargateProfile "
		 "deleteFargateProfile createNodegroup deleteNodegroup runJob "
		 "call " },
	{ "elasticmapreduce",
	  " createCluster terminateCluster addStep cancelStep "
	  "setClusterTerminationProtection modifyInstanceFleetByName "
	  "modifyInstanceGroupByName " },
	{ "emr-containers", " startJobRun createVirtualCluster "
			    "deleteVirtualCluster " },
	{ "emr-serverless", " createApplication startApplication "
			    "stopApplication deleteApplication startJobRun "
			    "cancelJobRun " },
	{ "sagemaker", " createTrainingJob createTransformJob createModel "
		       "createEndpoint createEndpointConfig updateEndpoint "
		       "createHyperParameterTuningJob createLabelingJob "
		       "createProcessingJob startPipelineExecution " },
	{ "mediaconvert", " createJob " },
	{ "s3", " getObject listObjectsV2 putObject " },
	{ NULL, NULL },
};

/* Required Parameters/Arguments keys of an integration (one of "a|b"). */
static const struct {
	const char *resource; /* "service:api" without suffix */
	const char *required[4];
} integration_params[] = {
	{ "lambda:invoke", { "FunctionName" } },
	{ "http:invoke", { "ApiEndpoint", "Method" } },
	{ "bedrock:invokeModel", { "ModelId" } },
	{ "sqs:sendMessage", { "QueueUrl", "MessageBody" } },
	{ "states:startExecution", { "StateMachineArn" } },
	{ "dynamodb:getItem", { "TableName", "Key" } },
	{ "dynamodb:putItem", { "TableName", "Item" } },
	{ "dynamodb:updateItem", { "TableName", "Key" } },
	{ "dynamodb:deleteItem", { "TableName", "Key" } },
	{ "events:putEvents", { "Entries" } },
	{ "ecs:runTask", { "TaskDefinition" } },
	{ "glue:startJobRun", { "JobName" } },
	{ "batch:submitJob", { "JobDefinition", "JobName", "JobQueue" } },
	{ "athena:startQueryExecution", { "QueryString" } },
};

static bool has_param(json_t *p, const char *name, bool jsonata)
{
	if (json_object_get(p, name))
		return true;
	if (jsonata)
		return false;
	char key[96];
	snprintf(key, sizeof(key), "%s.$", name);
	return json_object_get(p, key) != NULL;
}

static bool is_partition(const char *s, size_t n)
{
	return (n == 3 && strncmp(s, "aws", 3) == 0) ||
	       (n > 4 && strncmp(s, "aws-", 4) == 0);
}

static bool all_of(const char *s, size_t n, const char *set, bool alnum)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(alnum && isalnum((unsigned char)s[i])) &&
		    !strchr(set, s[i]))
			return false;
	return true;
}

static void not_recognized(struct lint *l, const char *arn)
{
	err(l, SVF,
	    "The resource provided %s is not recognized. The value is not a "
	    "valid resource ARN, or the resource is not available in this "
	    "region.",
	    arn);
}

/* Task parameters an integration requires (@params: object or NULL). */
static void check_integration_params(struct lint *l, json_t *state,
				     const char *svc_api, bool jsonata)
{
	size_t save;
	const char *field = jsonata ? "Arguments" : "Parameters";
	json_t *p = json_object_get(state, field);
	if (!json_is_object(p))
		return;
	push(l, field, &save);
	for (size_t i = 0;
	     i < sizeof(integration_params) / sizeof(integration_params[0]);
	     i++) {
		if (strcmp(integration_params[i].resource, svc_api) != 0)
			continue;
		for (size_t k = 0; k < 4 && integration_params[i].required[k];
		     k++) {
			const char *r = integration_params[i].required[k];
			if (!has_param(p, r, jsonata))
				err(l, SVF,
				    "The field '%s' is required but was "
				    "missing",
				    r);
		}
	}
	if (strcmp(svc_api, "http:invoke") == 0) {
		json_t *a = json_object_get(p, "Authentication");
		json_t *ic = json_object_get(p, "InvocationConfig");
		if (!(json_is_object(a) &&
		      has_param(a, "ConnectionArn", jsonata)) &&
		    !(json_is_object(ic) &&
		      has_param(ic, "ConnectionArn", jsonata)) &&
		    !has_param(p, "Authentication", jsonata) &&
		    !has_param(p, "InvocationConfig", jsonata))
			err(l, SVF,
			    "The field 'Authentication' is required but was "
			    "missing; give Authentication.ConnectionArn or "
			    "InvocationConfig.ConnectionArn (an EventBridge "
			    "connection)");
		json_t *m = json_object_get(p, "Method");
		static const char *const methods[] = { "GET",	"POST",
						       "PUT",	"DELETE",
						       "PATCH", "OPTIONS",
						       "HEAD",	NULL };
		if (m && !is_jsonata(m)) {
			size_t s2;
			push(l, "Method", &s2);
			check_enum(l, "Method", m, methods, jsonata);
			pop(l, s2);
		}
		json_t *ep = json_object_get(p, "ApiEndpoint");
		if (json_is_string(ep) &&
		    starts_with(json_string_value(ep), "http://")) {
			size_t s2;
			push(l, "ApiEndpoint", &s2);
			warn(l, "SFN_HTTP_NOT_HTTPS",
			     "ApiEndpoint '%s' is plain HTTP, which AWS "
			     "refuses; use https://",
			     json_string_value(ep));
			pop(l, s2);
		}
	}
	if (strcmp(svc_api, "bedrock:invokeModel") == 0 &&
	    has_param(p, "Body", jsonata) && has_param(p, "Input", jsonata))
		err(l, SVF,
		    "There should only be one of the following fields: "
		    "[Body, Input]");
	pop(l, save);
}

/*
 * The Task's Resource; for an optimized integration, @svc_api receives
 * "service:api" (else stays "") so the caller checks its parameters.
 */
static void check_resource(struct lint *l, json_t *v, bool jsonata,
			   char svc_api[160])
{
	if (!check_string(l, "Resource", v))
		return;
	const char *arn = json_string_value(v);
	if (has_placeholder(arn)) {
		if (!starts_with(arn, "arn:") && !starts_with(arn, "${"))
			not_recognized(l, arn);
		return;
	}
	if (jsonata && is_jsonata(v)) {
		err(l, SVF,
		    "The field 'Resource' must be a constant: JSONata "
		    "is not allowed there");
		return;
	}
	/* arn:PARTITION:SERVICE:REGION:ACCOUNT:REST */
	const char *part[6];
	size_t len[6];
	const char *p = arn;
	int np = 0;
	while (np < 5) {
		const char *c = strchr(p, ':');
		if (!c)
			break;
		part[np] = p;
		len[np] = (size_t)(c - p);
		np++;
		p = c + 1;
	}
	if (np < 5 || len[0] != 3 || strncmp(part[0], "arn", 3) != 0 ||
	    !is_partition(part[1], len[1])) {
		not_recognized(l, arn);
		return;
	}
	part[5] = p;
	len[5] = strlen(p);
	bool express = l->flags & SFN_LINT_EXPRESS;
	if (len[2] == 6 && strncmp(part[2], "states", 6) == 0 && len[3] == 0 &&
	    len[4] == 0) {
		/* A service integration: SERVICE:API[.sync[:2]|.waitFor...]. */
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", part[5]);
		char *suffix = strchr(buf, '.');
		const char *sfx = "";
		if (suffix) {
			*suffix = '\0';
			sfx = suffix + 1;
			if (strcmp(sfx, "sync") != 0 &&
			    strcmp(sfx, "sync:2") != 0 &&
			    strcmp(sfx, "waitForTaskToken") != 0) {
				not_recognized(l, arn);
				return;
			}
		}
		char *colon = strchr(buf, ':');
		if (!colon) {
			not_recognized(l, arn);
			return;
		}
		*colon = '\0';
		const char *svc = buf, *api = colon + 1;
		if (strcmp(svc, "aws-sdk") == 0) {
			char *c2 = strchr(api, ':');
			if (!c2 ||
			    !all_of(api, (size_t)(c2 - api), "-", true) ||
			    !all_of(c2 + 1, strlen(c2 + 1), "", true)) {
				not_recognized(l, arn);
				return;
			}
		} else {
			if (!all_of(svc, strlen(svc), "-", true) ||
			    !all_of(api, strlen(api), "", true)) {
				not_recognized(l, arn);
				return;
			}
			const struct integration *in = integrations;
			while (in->service && strcmp(in->service, svc) != 0)
				in++;
			char pad[128];
			snprintf(pad, sizeof(pad), " %s ", api);
			if (in->service && !strstr(in->apis, pad)) {
				not_recognized(l, arn);
				return;
			}
			if (!in->service)
				warn(l, "SFN_UNKNOWN_INTEGRATION",
				     "'%s' is not a service integration sfn "
				     "knows; check the ARN (AWS SDK "
				     "integrations are "
				     "arn:aws:states:::aws-sdk:SERVICE:ACTION)",
				     arn);
			size_t ls = strlen(svc), la = strlen(api);
			if (ls + la + 2 <= 160) {
				memcpy(svc_api, svc, ls);
				svc_api[ls] = ':';
				memcpy(svc_api + ls + 1, api, la + 1);
			}
		}
		if (express && starts_with(sfx, "sync"))
			err(l, SVF,
			    "Express state machine does not support "
			    "'.sync' service integration");
		if (express && strcmp(sfx, "waitForTaskToken") == 0)
			err(l, SVF,
			    "Express state machine does not support "
			    "'.waitForTaskToken' service integration ");
		return;
	}
	if (len[2] == 6 && strncmp(part[2], "states", 6) == 0) {
		/* arn:aws:states:REGION:ACCOUNT:activity:NAME */
		if (len[3] == 0 || !all_of(part[4], len[4], "", true) ||
		    !starts_with(part[5], "activity:") || !part[5][9]) {
			not_recognized(l, arn);
			return;
		}
		if (express)
			err(l, SVF,
			    "Express state machine does not support Activity "
			    "ARN");
		return;
	}
	if (len[2] == 6 && strncmp(part[2], "lambda", 6) == 0) {
		/* arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] */
		if (len[3] == 0 || !all_of(part[4], len[4], "", true) ||
		    !starts_with(part[5], "function:") || !part[5][9]) {
			not_recognized(l, arn);
			return;
		}
		return;
	}
	not_recognized(l, arn);
}

/* ---- Choice rules ---- */

enum operand {
	OP_STRING,
	OP_MATCH,
	OP_NUMBER,
	OP_BOOL,
	OP_TIMESTAMP,
	OP_PATH,
};

static int choice_operator(const char *k)
{
	static const struct {
		const char *prefix;
		int op;
	} ops[] = {
		{ "StringEquals", OP_STRING },
		{ "StringLessThan", OP_STRING },
		{ "StringGreaterThan", OP_STRING },
		{ "StringLessThanEquals", OP_STRING },
		{ "StringGreaterThanEquals", OP_STRING },
		{ "NumericEquals", OP_NUMBER },
		{ "NumericLessThan", OP_NUMBER },
		{ "NumericGreaterThan", OP_NUMBER },
		{ "NumericLessThanEquals", OP_NUMBER },
		{ "NumericGreaterThanEquals", OP_NUMBER },
		{ "BooleanEquals", OP_BOOL },
		{ "TimestampEquals", OP_TIMESTAMP },
		{ "TimestampLessThan", OP_TIMESTAMP },
		{ "TimestampGreaterThan", OP_TIMESTAMP },
		{ "TimestampLessThanEquals", OP_TIMESTAMP },
		{ "TimestampGreaterThanEquals", OP_TIMESTAMP },
	};
	if (!strchr("SNBTI", k[0]) || !k[0])
		return -1;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (ops[i].prefix[0] != k[0])
			continue;
		size_t n = strlen(ops[i].prefix);
		if (strncmp(k, ops[i].prefix, n) != 0)
			continue;
		if (k[n] == '\0')
			return ops[i].op;
		if (strcmp(k + n, "Path") == 0)
			return OP_PATH;
	}
	if (strcmp(k, "StringMatches") == 0)
		return OP_MATCH;
	if (strcmp(k, "IsNull") == 0 || strcmp(k, "IsPresent") == 0 ||
	    strcmp(k, "IsNumeric") == 0 || strcmp(k, "IsString") == 0 ||
	    strcmp(k, "IsBoolean") == 0 || strcmp(k, "IsTimestamp") == 0)
		return OP_BOOL;
	return -1;
}

static void check_operand(struct lint *l, const char *k, json_t *v, int op)
{
	switch (op) {
	case OP_STRING:
		if (check_string(l, k, v) &&
		    looks_like_path(json_string_value(v)))
			warn(l, "NO_PATH",
			     "The value of '%s' looks like a JSONPath but is "
			     "compared as a literal string; use '%sPath' to "
			     "compare with the value at that path",
			     k, k);
		break;
	case OP_MATCH:
		if (check_string(l, k, v)) {
			const char *s = json_string_value(v);
			for (size_t i = 0; s[i]; i++) {
				if (s[i] != '\\')
					continue;
				if (s[i + 1] == '*' || s[i + 1] == '\\') {
					i++;
					continue;
				}
				err(l, SVF,
				    "The field 'StringMatches' has an open "
				    "escape at character %zu: only '\\*' and "
				    "'\\\\' may follow a backslash",
				    i + 1);
				break;
			}
		}
		break;
	case OP_NUMBER:
		if (!json_is_number(v) && !is_placeholder_value(v))
			err(l, SVF, "The field '%s' should be a number, not %s",
			    k, type_name(v));
		break;
	case OP_BOOL:
		check_bool(l, k, v);
		break;
	case OP_TIMESTAMP:
		if (check_string(l, k, v) &&
		    !has_placeholder(json_string_value(v)) &&
		    !rfc3339(json_string_value(v)))
			err(l, SVF, "String does not match RFC3339 timestamp");
		break;
	case OP_PATH:
		check_path(l, k, v, PK_CHOICE, false);
		break;
	}
}

/* A JSONPath Choice Rule; @top: an element of Choices (has Next). */
static void check_rule_jsonpath(struct lint *l, struct sstate *s, json_t *r,
				bool top, int depth)
{
	size_t save;
	if (!json_is_object(r)) {
		err(l, SVF, "A Choice Rule should be an object, not %s",
		    type_name(r));
		return;
	}
	if (depth > MAX_NESTING) {
		err(l, "TOO_DEEPLY_NESTED",
		    "Choice Rules are nested too deeply");
		return;
	}
	int n_ops = 0;
	const char *first_op = NULL;
	int group = -1;
	const char *k;
	json_t *x;
	json_object_foreach(r, k, x) {
		push(l, k, &save);
		int op = choice_operator(k);
		if (op >= 0) {
			if (n_ops++ == 0)
				first_op = k;
			check_operand(l, k, x, op);
		} else if (strcmp(k, "And") == 0 || strcmp(k, "Or") == 0) {
			if (n_ops++ == 0)
				first_op = k;
			if (!json_is_array(x)) {
				err(l, SVF,
				    "The field '%s' should be an array, not %s",
				    k, type_name(x));
			} else if (json_array_size(x) == 0) {
				err(l, SVF, "Value cannot be empty");
			} else {
				size_t i, s2;
				json_t *y;
				json_array_foreach(x, i, y) {
					pushi(l, i, &s2);
					check_rule_jsonpath(l, s, y, false,
							    depth + 1);
					pop(l, s2);
				}
			}
		} else if (strcmp(k, "Not") == 0) {
			if (n_ops++ == 0)
				first_op = k;
			check_rule_jsonpath(l, s, x, false, depth + 1);
		} else if (strcmp(k, "Variable") == 0) {
			check_path(l, "Variable", x, PK_CHOICE, false);
		} else if (strcmp(k, "Comment") == 0) {
			check_string(l, "Comment", x);
		} else if (top && strcmp(k, "Next") == 0) {
			/* after Assign, below */
		} else if (top && strcmp(k, "Assign") == 0) {
			group = check_assign(l, x, false, JC_PLAIN);
		} else if (strcmp(k, "Condition") == 0 ||
			   strcmp(k, "Output") == 0) {
			pop(l, save);
			at_key(l,
			       err(l, SVF,
				   "The QueryLanguage is set to 'JSONPath', "
				   "but "
				   "field '%s' is only supported for the "
				   "'JSONata' QueryLanguage",
				   k),
			       k);
			continue;
		} else {
			pop(l, save);
			at_key(l, err(l, SVF, "Field '%s' is not supported", k),
			       k);
			continue;
		}
		pop(l, save);
	}
	if (n_ops == 0)
		err(l, SVF,
		    "A Choice Rule needs a comparison operator (such "
		    "as StringEquals or IsPresent) or And, Or, Not");
	else if (n_ops > 1)
		err(l, SVF,
		    "Each Choice Rule can only have one comparison operator.");
	bool logical = first_op && (strcmp(first_op, "And") == 0 ||
				    strcmp(first_op, "Or") == 0 ||
				    strcmp(first_op, "Not") == 0);
	if (n_ops == 1 && !logical && !json_object_get(r, "Variable"))
		err(l, SVF, "These fields are required: [Variable]");
	if (n_ops == 1 && logical && json_object_get(r, "Variable"))
		at_key(l,
		       err(l, SVF,
			   "Field 'Variable' is not supported with '%s'",
			   first_op),
		       "Variable");
	json_t *next = json_object_get(r, "Next");
	if (top && !next)
		err(l, SVF, "These fields are required: [Next]");
	if (top && next) {
		push(l, "Next", &save);
		transition(l, s, next, group);
		pop(l, save);
	}
}

static void check_rule_jsonata(struct lint *l, struct sstate *s, json_t *r)
{
	size_t save;
	if (!json_is_object(r)) {
		err(l, SVF, "A Choice Rule should be an object, not %s",
		    type_name(r));
		return;
	}
	int group = -1;
	const char *k;
	json_t *x;
	json_object_foreach(r, k, x) {
		push(l, k, &save);
		if (strcmp(k, "Condition") == 0) {
			if (is_jsonata(x))
				check_jsonata_value(l, x, JC_PLAIN);
			else
				check_bool(l, "Condition", x);
		} else if (strcmp(k, "Output") == 0) {
			check_jsonata_value(l, x, JC_PLAIN);
		} else if (strcmp(k, "Assign") == 0) {
			group = check_assign(l, x, true, JC_PLAIN);
		} else if (strcmp(k, "Comment") == 0) {
			check_string(l, "Comment", x);
		} else if (strcmp(k, "Next") == 0) {
		} else if (choice_operator(k) >= 0 || strcmp(k, "And") == 0 ||
			   strcmp(k, "Or") == 0 || strcmp(k, "Not") == 0 ||
			   strcmp(k, "Variable") == 0) {
			pop(l, save);
			at_key(l,
			       err(l, SVF,
				   "The QueryLanguage is set to 'JSONata', but "
				   "field '%s' is only supported for the "
				   "'JSONPath' QueryLanguage",
				   k),
			       k);
			continue;
		} else {
			pop(l, save);
			at_key(l, err(l, SVF, "Field '%s' is not supported", k),
			       k);
			continue;
		}
		pop(l, save);
	}
	bool has_c = json_object_get(r, "Condition") != NULL;
	json_t *next = json_object_get(r, "Next");
	if (!has_c || !next)
		err(l, SVF, "These fields are required: [%s%s%s]",
		    has_c ? "" : "Condition", !has_c && !next ? ", " : "",
		    next ? "" : "Next");
	if (next) {
		push(l, "Next", &save);
		transition(l, s, next, group);
		pop(l, save);
	}
}

/* ---- Map ---- */

static bool label_ok(const char *s, const char **why)
{
	size_t n = strlen(s);
	if (n == 0) {
		*why = "it is empty";
		return false;
	}
	if (sfn_utf8_length(s, n) > 40) {
		*why = "it is longer than 40 characters";
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f ||
		    strchr(" ?*<>{}[]:;,\\|^~$#%&`\"", c)) {
			*why = "it holds a character AWS forbids (space, "
			       "control, or one of ?*<>{}[]:;,\\|^~$#%&`\")";
			return false;
		}
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			*why = "it holds a control character";
			return false;
		}
	}
	return true;
}

static void check_map(struct lint *l, struct sstate *s, json_t *st, json_t **fv,
		      bool jsonata)
{
	size_t save;
	json_t *x;
	json_t *ip = fv[F_ItemProcessor];
	json_t *it = fv[F_Iterator];
	if (!ip && !it)
		err(l, SVF, "These fields are required: [ItemProcessor]");
	check_exclusive(l, st, "ItemProcessor", "Iterator");
	check_exclusive(l, st, "ItemSelector", "Parameters");
	static const char *pairs[] = { "MaxConcurrency",
				       "ToleratedFailureCount",
				       "ToleratedFailurePercentage", NULL };
	for (size_t i = 0; pairs[i]; i++) {
		char b[64];
		snprintf(b, sizeof(b), "%sPath", pairs[i]);
		check_exclusive(l, st, pairs[i], b);
	}
	bool distributed = false;
	json_t *proc = ip ? ip : it;
	const char *proc_name = ip ? "ItemProcessor" : "Iterator";
	if (json_is_object(proc)) {
		json_t *pc = json_object_get(proc, "ProcessorConfig");
		if (pc) {
			size_t s2, s3;
			push(l, proc_name, &s2);
			push(l, "ProcessorConfig", &s3);
			if (check_object(l, "ProcessorConfig", pc)) {
				static const char *const f[] = {
					"Mode", "ExecutionType", NULL
				};
				check_known(l, pc, f);
				static const char *const modes[] = {
					"INLINE", "DISTRIBUTED", NULL
				};
				static const char *const types[] = { "STANDARD",
								     "EXPRESS",
								     NULL };
				if ((x = json_object_get(pc, "Mode"))) {
					size_t s4;
					push(l, "Mode", &s4);
					check_enum(l, "Mode", x, modes, false);
					pop(l, s4);
					distributed =
						json_is_string(x) &&
						strcmp(json_string_value(x),
						       "DISTRIBUTED") == 0;
				}
				if ((x = json_object_get(pc,
							 "ExecutionType"))) {
					size_t s4;
					push(l, "ExecutionType", &s4);
					check_enum(l, "ExecutionType", x, types,
						   false);
					pop(l, s4);
				} else if (distributed) {
					err(l, SVF,
					    "The field 'ExecutionType' is "
					    "required but was missing");
				}
			}
			pop(l, s3);
			pop(l, s2);
		}
	}
	if (distributed && (l->flags & SFN_LINT_EXPRESS))
		err(l, SVF,
		    "Express state machine does not support "
		    "Distributed Map");
	if (!distributed) {
		static const char *const dist[] = { "ItemReader", "ItemBatcher",
						    "ResultWriter", "Label",
						    NULL };
		for (size_t i = 0; dist[i]; i++)
			if (json_object_get(st, dist[i]))
				at_key(l,
				       warn(l, "SFN_DISTRIBUTED_ONLY",
					    "'%s' is only used by a "
					    "Distributed Map; set "
					    "ItemProcessor.ProcessorConfig."
					    "Mode to DISTRIBUTED",
					    dist[i]),
				       dist[i]);
	}
	if ((x = fv[F_MaxConcurrency])) {
		push(l, "MaxConcurrency", &save);
		check_int(l, "MaxConcurrency", x, 0, 2147483647, jsonata);
		pop(l, save);
	}
	if ((x = fv[F_ToleratedFailureCount])) {
		push(l, "ToleratedFailureCount", &save);
		check_int(l, "ToleratedFailureCount", x, 0, 2147483647,
			  jsonata);
		pop(l, save);
	}
	if ((x = fv[F_ToleratedFailurePercentage])) {
		push(l, "ToleratedFailurePercentage", &save);
		check_number(l, "ToleratedFailurePercentage", x, 0, 100,
			     jsonata);
		pop(l, save);
	}
	if (!jsonata) {
		static const char *const refs[] = {
			"MaxConcurrencyPath", "ToleratedFailureCountPath",
			"ToleratedFailurePercentagePath", NULL
		};
		for (size_t i = 0; refs[i]; i++)
			if ((x = json_object_get(st, refs[i]))) {
				push(l, refs[i], &save);
				check_path(l, refs[i], x, PK_REF, false);
				pop(l, save);
			}
		if ((x = fv[F_ItemsPath])) {
			push(l, "ItemsPath", &save);
			check_path(l, "ItemsPath", x, PK_REF_CTX, false);
			pop(l, save);
		}
	}
	if ((x = fv[F_Items])) {
		push(l, "Items", &save);
		if (!json_is_array(x) && !is_jsonata(x))
			err(l, SVF,
			    "The field 'Items' should be an array or a "
			    "JSONata expression, not %s",
			    type_name(x));
		check_jsonata_value(l, x, JC_PLAIN);
		pop(l, save);
	}
	if ((x = fv[F_ItemSelector])) {
		push(l, "ItemSelector", &save);
		if (jsonata)
			check_jsonata_value(l, x, JC_PLAIN);
		else if (check_object(l, "ItemSelector", x))
			check_template(l, x, 0);
		pop(l, save);
	}
	if ((x = fv[F_Label])) {
		push(l, "Label", &save);
		const char *why;
		if (check_string(l, "Label", x) &&
		    !has_placeholder(json_string_value(x)) &&
		    !label_ok(json_string_value(x), &why))
			err(l, "INVALID_LABEL_NAME",
			    "The Label '%s' is not valid: %s",
			    json_string_value(x), why);
		pop(l, save);
	}
	if ((x = fv[F_ItemReader])) {
		push(l, "ItemReader", &save);
		if (check_object(l, "ItemReader", x)) {
			static const char *const f[] = { "Resource",
							 "Parameters",
							 "Arguments",
							 "ReaderConfig", NULL };
			check_known(l, x, f);
			json_t *y;
			if (!json_object_get(x, "Resource"))
				err(l, SVF,
				    "These fields are required: "
				    "[Resource]");
			if ((y = json_object_get(x, "Parameters"))) {
				size_t s2;
				push(l, "Parameters", &s2);
				if (jsonata)
					err(l, SVF,
					    "The QueryLanguage is set to "
					    "'JSONata', but field 'Parameters' "
					    "is only supported for the "
					    "'JSONPath' QueryLanguage");
				else if (check_object(l, "Parameters", y))
					check_template(l, y, 0);
				pop(l, s2);
			}
			if ((y = json_object_get(x, "Arguments"))) {
				size_t s2;
				push(l, "Arguments", &s2);
				if (!jsonata)
					err(l, SVF,
					    "The QueryLanguage is set to "
					    "'JSONPath', but field 'Arguments' "
					    "is only supported for the "
					    "'JSONata' QueryLanguage");
				else
					check_jsonata_value(l, y, JC_PLAIN);
				pop(l, s2);
			}
			json_t *rc = json_object_get(x, "ReaderConfig");
			if (rc) {
				size_t s2;
				push(l, "ReaderConfig", &s2);
				if (check_object(l, "ReaderConfig", rc)) {
					static const char *const rf[] = {
						"InputType",
						"CSVHeaderLocation",
						"CSVHeaders",
						"CSVDelimiter",
						"MaxItems",
						"MaxItemsPath",
						"ItemsPointer",
						"Transformation",
						"ManifestType",
						NULL
					};
					check_known(l, rc, rf);
					check_exclusive(l, rc, "MaxItems",
							"MaxItemsPath");
					json_t *z;
					if ((z = json_object_get(rc,
								 "MaxItems"))) {
						size_t s3;
						push(l, "MaxItems", &s3);
						check_int(l, "MaxItems", z, 0,
							  100000000, jsonata);
						pop(l, s3);
					}
					if ((z = json_object_get(
						     rc, "MaxItemsPath"))) {
						size_t s3;
						if (jsonata)
							wrong_language(
								l,
								"MaxItemsPath",
								true);
						push(l, "MaxItemsPath", &s3);
						if (!jsonata)
							check_path(
								l,
								"MaxItemsPath",
								z, PK_REF,
								false);
						pop(l, s3);
					}
					static const char *const itypes[] = {
						"CSV",	   "JSON",     "JSONL",
						"PARQUET", "MANIFEST", NULL
					};
					if ((z = json_object_get(
						     rc, "InputType"))) {
						size_t s3;
						push(l, "InputType", &s3);
						check_enum(l, "InputType", z,
							   itypes, false);
						pop(l, s3);
					}
					static const struct {
						const char *field;
						const char *const values[6];
					} enums[] = {
						{ "CSVHeaderLocation",
						  { "FIRST_ROW", "GIVEN" } },
						{ "CSVDelimiter",
						  { "COMMA", "PIPE",
						    "SEMICOLON", "SPACE",
						    "TAB" } },
						{ "Transformation",
						  { "NONE",
						    "LOAD_AND_FLATTEN" } },
						{ "ManifestType",
						  { "ATHENA_DATA",
						    "S3_INVENTORY" } },
					};
					for (size_t q = 0; q < 4; q++) {
						if (!(z = json_object_get(
							      rc,
							      enums[q].field)))
							continue;
						size_t s3;
						push(l, enums[q].field, &s3);
						check_enum(l, enums[q].field, z,
							   enums[q].values,
							   jsonata);
						pop(l, s3);
					}
					z = json_object_get(
						rc, "CSVHeaderLocation");
					if (json_is_string(z) &&
					    !strcmp(json_string_value(z),
						    "GIVEN") &&
					    !json_object_get(rc, "CSVHeaders"))
						err(l, SVF,
						    "The field 'CSVHeaders' is "
						    "required but was missing; "
						    "CSVHeaderLocation is "
						    "GIVEN");
				}
				pop(l, s2);
			}
		}
		pop(l, save);
	}
	if ((x = fv[F_ItemBatcher])) {
		push(l, "ItemBatcher", &save);
		if (check_object(l, "ItemBatcher", x)) {
			static const char *const f[] = {
				"MaxItemsPerBatch",
				"MaxItemsPerBatchPath",
				"MaxInputBytesPerBatch",
				"MaxInputBytesPerBatchPath",
				"BatchInput",
				NULL
			};
			check_known(l, x, f);
			check_exclusive(l, x, "MaxItemsPerBatch",
					"MaxItemsPerBatchPath");
			check_exclusive(l, x, "MaxInputBytesPerBatch",
					"MaxInputBytesPerBatchPath");
			if (!json_object_get(x, "MaxItemsPerBatch") &&
			    !json_object_get(x, "MaxItemsPerBatchPath") &&
			    !json_object_get(x, "MaxInputBytesPerBatch") &&
			    !json_object_get(x, "MaxInputBytesPerBatchPath"))
				err(l, SVF,
				    "ItemBatcher needs one of "
				    "MaxItemsPerBatch, "
				    "MaxItemsPerBatchPath, "
				    "MaxInputBytesPerBatch, "
				    "MaxInputBytesPerBatchPath");
			json_t *y;
			size_t s2;
			if ((y = json_object_get(x, "MaxItemsPerBatch"))) {
				push(l, "MaxItemsPerBatch", &s2);
				check_int(l, "MaxItemsPerBatch", y, 1,
					  2147483647, jsonata);
				pop(l, s2);
			}
			if ((y = json_object_get(x, "MaxInputBytesPerBatch"))) {
				push(l, "MaxInputBytesPerBatch", &s2);
				check_int(l, "MaxInputBytesPerBatch", y, 1,
					  262144, jsonata);
				pop(l, s2);
			}
			static const char *const bp[] = {
				"MaxItemsPerBatchPath",
				"MaxInputBytesPerBatchPath", NULL
			};
			for (size_t q = 0; bp[q]; q++) {
				if (!(y = json_object_get(x, bp[q])))
					continue;
				push(l, bp[q], &s2);
				if (jsonata)
					err(l, SVF,
					    "The QueryLanguage is set to "
					    "'JSONata', but field '%s' is only "
					    "supported for the 'JSONPath' "
					    "QueryLanguage",
					    bp[q]);
				else
					check_path(l, bp[q], y, PK_REF, false);
				pop(l, s2);
			}
			if ((y = json_object_get(x, "BatchInput"))) {
				push(l, "BatchInput", &s2);
				if (jsonata)
					check_jsonata_value(l, y, JC_PLAIN);
				else if (check_object(l, "BatchInput", y))
					check_template(l, y, 0);
				pop(l, s2);
			}
		}
		pop(l, save);
	}
	if ((x = fv[F_ResultWriter])) {
		push(l, "ResultWriter", &save);
		if (check_object(l, "ResultWriter", x)) {
			static const char *const f[] = { "Resource",
							 "Parameters",
							 "Arguments",
							 "WriterConfig", NULL };
			check_known(l, x, f);
			if (json_object_size(x) == 0)
				err(l, SVF, "Value cannot be empty");
			json_t *y;
			size_t s2;
			if ((y = json_object_get(x, "Parameters"))) {
				push(l, "Parameters", &s2);
				if (jsonata)
					err(l, SVF,
					    "The QueryLanguage is set to "
					    "'JSONata', but field 'Parameters' "
					    "is only supported for the "
					    "'JSONPath' QueryLanguage");
				else if (check_object(l, "Parameters", y))
					check_template(l, y, 0);
				pop(l, s2);
			}
			if ((y = json_object_get(x, "Arguments"))) {
				push(l, "Arguments", &s2);
				if (!jsonata)
					err(l, SVF,
					    "The QueryLanguage is set to "
					    "'JSONPath', but field 'Arguments' "
					    "is only supported for the "
					    "'JSONata' QueryLanguage");
				else
					check_jsonata_value(l, y, JC_PLAIN);
				pop(l, s2);
			}
			json_t *wc = json_object_get(x, "WriterConfig");
			if (wc) {
				push(l, "WriterConfig", &s2);
				if (check_object(l, "WriterConfig", wc)) {
					static const char *const wf[] = {
						"OutputType", "Transformation",
						NULL
					};
					static const char *const ot[] = {
						"JSON", "JSONL", NULL
					};
					static const char *const tr[] = {
						"NONE", "COMPACT", "FLATTEN",
						NULL
					};
					check_known(l, wc, wf);
					size_t s3;
					if ((y = json_object_get(
						     wc, "OutputType"))) {
						push(l, "OutputType", &s3);
						check_enum(l, "OutputType", y,
							   ot, jsonata);
						pop(l, s3);
					}
					if ((y = json_object_get(
						     wc, "Transformation"))) {
						push(l, "Transformation", &s3);
						check_enum(l, "Transformation",
							   y, tr, jsonata);
						pop(l, s3);
					}
				}
				pop(l, s2);
			}
		}
		pop(l, save);
	}
	/* The processor: a nested machine in its own variable scope. */
	if (proc) {
		struct scope *kid = NULL;
		push(l, proc_name, &save);
		check_machine(l, proc, false, proc_name, &kid);
		pop(l, save);
		if (kid) {
			kid->no_outer = distributed;
			s->kids = sfn_xrealloc(s->kids,
					       (s->n_kids + 1) * sizeof(kid));
			s->kids[s->n_kids++] = kid;
		}
	}
}

/* ---- one state ---- */

static int state_type(const json_t *t)
{
	if (!json_is_string(t))
		return 0;
	const char *s = json_string_value(t);
	for (int i = 0; sfn_lint_type_names[i]; i++)
		if (sfn_lint_type_names[i][0] == s[0] &&
		    strcmp(sfn_lint_type_names[i], s) == 0)
			return 1 << i;
	return 0;
}

/*
 * find_field()'s table: field_hash() of each name -> its index + 1. The
 * hash's constants were searched for to be collision-free over
 * sfn_lint_state_fields[]; a new field needs a new search (sfn_lint()
 * checks the table in debug builds, unit.lint in all).
 */
static const unsigned char field_slot[256] = {
	[0] = F_ItemsPath + 1,
	[1] = F_InputPath + 1,
	[2] = F_MaxConcurrency + 1,
	[7] = F_Items + 1,
	[15] = F_ErrorPath + 1,
	[21] = F_Error + 1,
	[22] = F_ResultPath + 1,
	[23] = F_Assign + 1,
	[25] = F_Type + 1,
	[26] = F_Resource + 1,
	[30] = F_Result + 1,
	[34] = F_ResultWriter + 1,
	[36] = F_ResultSelector + 1,
	[37] = F_Arguments + 1,
	[47] = F_Retry + 1,
	[85] = F_SecondsPath + 1,
	[86] = F_Branches + 1,
	[92] = F_Seconds + 1,
	[107] = F_OutputPath + 1,
	[115] = F_Output + 1,
	[131] = F_Cause + 1,
	[137] = F_Catch + 1,
	[138] = F_CausePath + 1,
	[145] = F_Choices + 1,
	[147] = F_End + 1,
	[148] = F_Comment + 1,
	[151] = F_Credentials + 1,
	[152] = F_TimestampPath + 1,
	[153] = F_TimeoutSecondsPath + 1,
	[156] = F_Timestamp + 1,
	[160] = F_TimeoutSeconds + 1,
	[161] = F_ToleratedFailurePercentage + 1,
	[163] = F_ToleratedFailureCountPath + 1,
	[168] = F_ToleratedFailurePercentagePath + 1,
	[170] = F_Parameters + 1,
	[171] = F_ToleratedFailureCount + 1,
	[173] = F_Label + 1,
	[192] = F_Next + 1,
	[208] = F_HeartbeatSecondsPath + 1,
	[215] = F_HeartbeatSeconds + 1,
	[219] = F_ItemBatcher + 1,
	[224] = F_Default + 1,
	[231] = F_QueryLanguage + 1,
	[234] = F_ItemReader + 1,
	[235] = F_ItemProcessor + 1,
	[237] = F_ItemSelector + 1,
	[245] = F_MaxConcurrencyPath + 1,
	[247] = F_Iterator + 1,
};

static unsigned field_hash(const char *k, size_t n)
{
	return (unsigned)(n + (unsigned char)k[0] * 60u +
			  (unsigned char)k[n - 1] +
			  (n > 4 ? (unsigned char)k[4] : 0u)) &
	       255u;
}

static const struct sfn_lint_field *find_field(const char *k)
{
	size_t n = strlen(k);
	if (n == 0)
		return NULL;
	unsigned slot = field_slot[field_hash(k, n)];
	if (!slot)
		return NULL;
	const struct sfn_lint_field *f = &sfn_lint_state_fields[slot - 1];
	return strcmp(f->name, k) == 0 ? f : NULL;
}

_Static_assert(sizeof(sfn_lint_state_fields) /
			       sizeof(sfn_lint_state_fields[0]) ==
		       F_COUNT + 1,
	       "enum field_index follows sfn_lint_state_fields[]");

static void check_state(struct lint *l, struct sstate *s, json_t *st)
{
	size_t save;
	json_t *x;
	if (!json_is_object(st)) {
		err(l, SVF, "A state should be an object, not %s",
		    type_name(st));
		s->malformed = true;
		return;
	}
	/* Each field once: fv[F_X] is the value of field X, or NULL. */
	json_t *fv[F_COUNT] = { 0 };
	const char *k;
	json_object_foreach(st, k, x) {
		const struct sfn_lint_field *f = find_field(k);
		if (f)
			fv[f - sfn_lint_state_fields] = x;
	}
	json_t *tv = fv[F_Type];
	int type = state_type(tv);
	s->malformed = !type;
	if (!tv) {
		err(l, SVF, "These fields are required: [Type]");
	} else if (!type) {
		push(l, "Type", &save);
		err(l, SVF,
		    "The field 'Type' should have one of these values: [Task, "
		    "Wait, Pass, Succeed, Fail, Choice, Parallel, Map]");
		pop(l, save);
	}
	/* asl-core.md §1.3: the state's language. */
	bool jsonata = l->root_jsonata;
	json_t *ql = fv[F_QueryLanguage];
	if (ql) {
		static const char *const langs[] = { "JSONPath", "JSONata",
						     NULL };
		push(l, "QueryLanguage", &save);
		check_enum(l, "QueryLanguage", ql, langs, false);
		pop(l, save);
		if (json_is_string(ql)) {
			bool jp =
				strcmp(json_string_value(ql), "JSONPath") == 0;
			if (jp && l->root_jsonata)
				err(l, SVF,
				    "'QueryLanguage' can not be 'JSONPath' if "
				    "set to 'JSONata' for whole state machine");
			jsonata = !jp;
		}
	}
	const char *lang = jsonata ? "JSONata" : "JSONPath";
	if (type) {
		json_object_foreach(st, k, x) {
			const struct sfn_lint_field *f = find_field(k);
			if (!f || !(f->types & (unsigned)type))
				at_key(l,
				       err(l, SVF,
					   "Field '%s' is not supported", k),
				       k);
			else if ((f->lang == JP && jsonata) ||
				 (f->lang == JA && !jsonata))
				at_key(l,
				       err(l, SVF,
					   "The QueryLanguage is set to '%s', "
					   "but field '%s' is only supported "
					   "for the '%s' QueryLanguage",
					   lang, k,
					   jsonata ? "JSONPath" : "JSONata"),
				       k);
		}
	}
	if ((x = fv[F_Comment])) {
		push(l, "Comment", &save);
		check_string(l, "Comment", x);
		pop(l, save);
	}
	/* Next / End (asl-core.md §1.4). */
	json_t *next = fv[F_Next];
	json_t *end = fv[F_End];
	if (end) {
		push(l, "End", &save);
		check_bool(l, "End", end);
		pop(l, save);
	}
	bool ends = json_is_true(end);
	if (type & T_FLOW) {
		if (next && ends)
			at_key(l,
			       err(l, SVF,
				   "There should only be one of the following "
				   "fields: [Next, End]"),
			       "End");
		else if (!next && !ends)
			err(l, SVF,
			    "These fields are required: [Next] (or \"End\": "
			    "true)");
	}
	s->terminal =
		((type & T_FLOW) && ends) || (type & (T_SUCCEED | T_FAIL));
	/* The state-level Assign runs on Next (and Choice's Default). */
	int group = -1;
	if ((x = fv[F_Assign]) && (type & ~(T_SUCCEED | T_FAIL))) {
		push(l, "Assign", &save);
		group = check_assign(l, x, jsonata,
				     (type & T_RETRY) ? JC_RESULT : JC_PLAIN);
		pop(l, save);
	}
	if (next && (type & T_FLOW)) {
		push(l, "Next", &save);
		transition(l, s, next, group);
		pop(l, save);
	}
	if (!type)
		return;

	/* Fields every language has, by type. */
	if (!jsonata) {
		static const char *const io[] = { "InputPath", "OutputPath",
						  NULL };
		for (size_t i = 0; io[i]; i++)
			if ((x = json_object_get(st, io[i])) &&
			    !(type & T_FAIL)) {
				push(l, io[i], &save);
				check_path(l, io[i], x, PK_PATH, true);
				pop(l, save);
			}
		if ((x = fv[F_ResultPath]) && (type & (T_RETRY | T_PASS))) {
			push(l, "ResultPath", &save);
			check_path(l, "ResultPath", x, PK_RESULT, true);
			pop(l, save);
		}
		static const char *const tpl[] = { "Parameters",
						   "ResultSelector", NULL };
		for (size_t i = 0; tpl[i]; i++) {
			const struct sfn_lint_field *f = find_field(tpl[i]);
			if (!(x = json_object_get(st, tpl[i])) ||
			    !(f->types & (unsigned)type))
				continue;
			push(l, tpl[i], &save);
			if (check_object(l, tpl[i], x))
				check_template(l, x, 0);
			pop(l, save);
		}
	} else {
		if ((x = fv[F_Output]) && !(type & T_FAIL)) {
			push(l, "Output", &save);
			check_jsonata_value(
				l, x, (type & T_RETRY) ? JC_RESULT : JC_PLAIN);
			pop(l, save);
		}
		if ((x = fv[F_Arguments]) && (type & (T_TASK | T_PARALLEL))) {
			push(l, "Arguments", &save);
			if (!json_is_object(x) && !is_jsonata(x))
				err(l, SVF,
				    "The field 'Arguments' should be an object "
				    "or a JSONata expression, not %s",
				    type_name(x));
			check_jsonata_value(l, x, JC_PLAIN);
			pop(l, save);
		}
	}
	if (type & T_RETRY) {
		if ((x = fv[F_Retry])) {
			push(l, "Retry", &save);
			check_retry(l, x);
			pop(l, save);
		}
		if ((x = fv[F_Catch])) {
			push(l, "Catch", &save);
			check_catch(l, s, x, jsonata);
			pop(l, save);
		}
	}

	switch (type) {
	case T_PASS:
		if (!jsonata && (x = fv[F_Result])) {
			/* PASS_RESULT_IS_STATIC: "k.$" in Result stays. */
			struct sfn_strbuf found = SFN_STRBUF_INIT;
			json_t *stack[64];
			size_t sp = 0;
			stack[sp++] = x;
			while (sp && !found.len) {
				json_t *y = stack[--sp];
				json_t *z;
				if (json_is_object(y))
					json_object_foreach(y, k, z) {
						if (sfn_ends_with(k, ".$")) {
							sfn_strbuf_adds(&found,
									k);
							break;
						}
						if (sp < 64 &&
						    (json_is_object(z) ||
						     json_is_array(z)))
							stack[sp++] = z;
					}
				else if (json_is_array(y)) {
					size_t i;
					json_array_foreach(y, i, z)
						if (sp < 64 &&
						    (json_is_object(z) ||
						     json_is_array(z)))
							stack[sp++] = z;
				}
			}
			if (found.len) {
				push(l, "Result", &save);
				warn(l, "PASS_RESULT_IS_STATIC",
				     "The field 'Result' is static: '%s' is "
				     "not evaluated; use 'Parameters' to "
				     "evaluate paths",
				     found.buf);
				pop(l, save);
			}
			sfn_strbuf_release(&found);
		}
		break;
	case T_TASK: {
		json_t *res = fv[F_Resource];
		if (!res) {
			err(l, SVF, "These fields are required: [Resource]");
		} else {
			char svc_api[160] = "";
			push(l, "Resource", &save);
			check_resource(l, res, jsonata, svc_api);
			pop(l, save);
			if (svc_api[0])
				check_integration_params(l, st, svc_api,
							 jsonata);
		}
		check_exclusive(l, st, "TimeoutSeconds", "TimeoutSecondsPath");
		check_exclusive(l, st, "HeartbeatSeconds",
				"HeartbeatSecondsPath");
		json_t *to = fv[F_TimeoutSeconds];
		json_t *hb = fv[F_HeartbeatSeconds];
		if (to) {
			push(l, "TimeoutSeconds", &save);
			check_int(l, "TimeoutSeconds", to, 1, 99999999,
				  jsonata);
			pop(l, save);
		}
		if (hb) {
			push(l, "HeartbeatSeconds", &save);
			check_int(l, "HeartbeatSeconds", hb, 1, 99999999,
				  jsonata);
			if (is_integral(to) && is_integral(hb) &&
			    sfn_json_number(hb) >= sfn_json_number(to))
				err(l, SVF,
				    "HeartbeatSeconds (%g) must be smaller "
				    "than TimeoutSeconds (%g)",
				    sfn_json_number(hb), sfn_json_number(to));
			pop(l, save);
		}
		if (!jsonata) {
			static const char *const tp[] = {
				"TimeoutSecondsPath", "HeartbeatSecondsPath",
				NULL
			};
			for (size_t i = 0; tp[i]; i++)
				if ((x = json_object_get(st, tp[i]))) {
					push(l, tp[i], &save);
					check_path(l, tp[i], x, PK_REF_CTX,
						   false);
					pop(l, save);
				}
		}
		if ((x = fv[F_Credentials])) {
			push(l, "Credentials", &save);
			if (check_object(l, "Credentials", x)) {
				json_t *ra = json_object_get(x, "RoleArn");
				json_t *rad = json_object_get(x, "RoleArn.$");
				if (!ra && (!rad || jsonata))
					err(l, SVF,
					    "The field 'RoleArn' is required "
					    "but was missing");
				if (jsonata && rad) /* asl-core.md §2.2 */
					wrong_language(l, "RoleArn.$", true);
				if (jsonata)
					check_jsonata_value(l, x, JC_PLAIN);
				else
					check_template(l, x, 0);
			}
			pop(l, save);
		}
		break;
	}
	case T_WAIT: {
		static const char *const w[] = { "Seconds", "SecondsPath",
						 "Timestamp", "TimestampPath",
						 NULL };
		struct sfn_strbuf have = SFN_STRBUF_INIT;
		int n = 0;
		const char *second = NULL;
		for (size_t i = 0; w[i]; i++)
			if (json_object_get(st, w[i]) &&
			    (!jsonata || !sfn_ends_with(w[i], "Path"))) {
				sfn_strbuf_addf(&have, "%s%s", n++ ? ", " : "",
						w[i]);
				if (n == 2)
					second = w[i];
			}
		if (n == 0)
			err(l, SVF, "One of these fields is required: [%s]",
			    jsonata ? "Seconds, Timestamp"
				    : "Seconds, SecondsPath, Timestamp, "
				      "TimestampPath");
		else if (n > 1)
			at_key(l,
			       err(l, SVF,
				   "There should only be one of the following "
				   "fields: [%s]",
				   have.buf),
			       second);
		sfn_strbuf_release(&have);
		if ((x = fv[F_Seconds])) {
			push(l, "Seconds", &save);
			check_int(l, "Seconds", x, 0, 99999999, jsonata);
			pop(l, save);
		}
		if ((x = fv[F_Timestamp])) {
			push(l, "Timestamp", &save);
			if (jsonata && is_jsonata(x))
				check_jsonata_value(l, x, JC_PLAIN);
			else if (check_string(l, "Timestamp", x) &&
				 !has_placeholder(json_string_value(x)) &&
				 !rfc3339(json_string_value(x)))
				err(l, SVF,
				    "String does not match RFC3339 timestamp");
			pop(l, save);
		}
		if (!jsonata) {
			static const char *const wp[] = { "SecondsPath",
							  "TimestampPath",
							  NULL };
			for (size_t i = 0; wp[i]; i++)
				if ((x = json_object_get(st, wp[i]))) {
					push(l, wp[i], &save);
					check_path(l, wp[i], x, PK_REF_CTX,
						   false);
					pop(l, save);
				}
		}
		break;
	}
	case T_FAIL: {
		static const char *const ec[] = { "Error", "Cause", NULL };
		for (size_t i = 0; ec[i]; i++) {
			char p[32];
			snprintf(p, sizeof(p), "%sPath", ec[i]);
			if (!jsonata)
				check_exclusive(l, st, ec[i], p);
			if ((x = json_object_get(st, ec[i]))) {
				push(l, ec[i], &save);
				if (jsonata && is_jsonata(x))
					check_jsonata_value(l, x, JC_PLAIN);
				else if (check_string(l, ec[i], x) &&
					 !jsonata &&
					 looks_like_path(json_string_value(x)))
					warn(l, "NO_PATH",
					     "The value of '%s' looks like a "
					     "JSONPath but is a literal; use "
					     "'%s' to read it from the input",
					     ec[i], p);
				pop(l, save);
			}
			if (!jsonata && (x = json_object_get(st, p))) {
				push(l, p, &save);
				check_path(l, p, x, PK_ERROR, false);
				pop(l, save);
			}
		}
		break;
	}
	case T_CHOICE: {
		json_t *choices = fv[F_Choices];
		if (!choices) {
			err(l, SVF, "These fields are required: [Choices]");
		} else {
			push(l, "Choices", &save);
			if (!json_is_array(choices)) {
				err(l, SVF,
				    "The field 'Choices' should be an array, "
				    "not %s",
				    type_name(choices));
			} else if (json_array_size(choices) == 0) {
				err(l, SVF, "Value cannot be empty");
			} else {
				size_t i, s2;
				json_t *r;
				json_array_foreach(choices, i, r) {
					pushi(l, i, &s2);
					if (jsonata)
						check_rule_jsonata(l, s, r);
					else
						check_rule_jsonpath(l, s, r,
								    true, 0);
					pop(l, s2);
				}
			}
			pop(l, save);
		}
		if ((x = fv[F_Default])) {
			push(l, "Default", &save);
			transition(l, s, x, group);
			pop(l, save);
		}
		break;
	}
	case T_PARALLEL: {
		json_t *br = fv[F_Branches];
		if (!br) {
			err(l, SVF, "These fields are required: [Branches]");
			break;
		}
		push(l, "Branches", &save);
		if (!json_is_array(br)) {
			err(l, SVF,
			    "The field 'Branches' should be an array, not %s",
			    type_name(br));
		} else if (json_array_size(br) == 0) {
			err(l, SVF, "Value cannot be empty");
		} else {
			size_t i, s2;
			json_t *b;
			json_array_foreach(br, i, b) {
				struct scope *kid = NULL;
				pushi(l, i, &s2);
				check_machine(l, b, false, "branch", &kid);
				pop(l, s2);
				if (kid) {
					s->kids = sfn_xrealloc(
						s->kids,
						(s->n_kids + 1) * sizeof(kid));
					s->kids[s->n_kids++] = kid;
				}
			}
		}
		pop(l, save);
		break;
	}
	case T_MAP:
		check_map(l, s, st, fv, jsonata);
		break;
	default:
		break;
	}
}

/* ---- machines and graphs ---- */

static void scope_free(struct scope *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->n; i++) {
		struct sstate *s = &sc->st[i];
		free(s->where);
		free(s->edges);
		for (size_t k = 0; k < s->n_groups; k++)
			free(s->groups[k].v);
		free(s->groups);
		for (size_t k = 0; k < s->n_reads; k++) {
			free(s->reads[k].name);
			free(s->reads[k].where);
		}
		free(s->reads);
		for (size_t k = 0; k < s->n_assigns; k++) {
			free(s->assigns[k].name);
			free(s->assigns[k].where);
		}
		free(s->assigns);
		for (size_t k = 0; k < s->n_kids; k++)
			scope_free(s->kids[k]);
		free(s->kids);
		free(s->in);
	}
	free(sc->st);
	free(sc->where);
	free(sc);
}

static int scope_find(const struct lint *l, const struct scope *sc,
		      const char *name)
{
	struct name_slot *ns = names_find(&l->names, name);
	if (!ns)
		return -1; /* no state anywhere has this name */
	if (ns->sc == sc)
		return ns->index;
	/* Not first seen here: a duplicate name, or another scope's. */
	for (size_t k = 0; k < sc->n; k++)
		if (strcmp(sc->st[k].name, name) == 0)
			return (int)k;
	return -1;
}

/* MISSING_TRANSITION_TARGET at the current pointer, with a hint. */
static void missing_target(struct lint *l, const char *target)
{
	struct name_slot *ns = names_find(&l->names, target);
	const char *near = closest_key(l, l->scope->states, target);
	if (ns)
		err(l, "MISSING_TRANSITION_TARGET",
		    "Missing 'Next' target: %s; '%s' is a state of another "
		    "States object (%s): transitions cannot enter or leave a "
		    "Parallel branch or Map iteration",
		    target, target, ns->sc->st[ns->index].where);
	else if (near)
		err(l, "MISSING_TRANSITION_TARGET",
		    "Missing 'Next' target: %s; did you mean '%s'?", target,
		    near);
	else
		err(l, "MISSING_TRANSITION_TARGET", "Missing 'Next' target: %s",
		    target);
}

static void graph(struct lint *l, struct scope *sc)
{
	bool any_terminal = false;
	for (size_t i = 0; i < sc->n; i++)
		any_terminal = any_terminal || sc->st[i].terminal ||
			       sc->st[i].malformed;
	if (sc->n && !any_terminal) {
		/* AWS: no location; we point at the States object. */
		struct sfn_strbuf w = SFN_STRBUF_INIT;
		sfn_strbuf_adds(&w, sc->where);
		sfn_pointer_add(&w, "States");
		diag_at(l, SFN_SEV_ERROR, "MISSING_END_STATE", w.buf,
			"Workflow has no terminal state");
		sfn_strbuf_release(&w);
		return; /* AWS reports nothing else about the graph then */
	}
	if (sc->start < 0)
		return;
	int *stack = sfn_xmalloc((sc->n + 1) * sizeof(int));
	size_t sp = 0;
	stack[sp++] = sc->start;
	sc->st[sc->start].reached = true;
	size_t total = 0;
	while (sp) {
		struct sstate *s = &sc->st[stack[--sp]];
		for (size_t e = 0; e < s->n_edges; e++) {
			total++;
			int to = s->edges[e].to;
			if (to >= 0 && !sc->st[to].reached) {
				sc->st[to].reached = true;
				stack[sp++] = to;
			}
		}
	}
	free(stack);
	for (size_t i = 0; i < sc->n; i++)
		if (!sc->st[i].reached)
			diag_at(l, SFN_SEV_ERROR, "MISSING_TRANSITION_TARGET",
				sc->st[i].where,
				"State \"%s\" is not reachable.",
				sc->st[i].name);
}

/*
 * A machine: the root, a Parallel branch or a Map processor (@kind names
 * it for messages). Builds its scope into *@out (NULL when it has no
 * States object).
 */
static void check_machine(struct lint *l, json_t *m, bool top, const char *kind,
			  struct scope **out)
{
	size_t save;
	*out = NULL;
	if (!json_is_object(m)) {
		if (top)
			err(l, SVF, "Definition must be a valid JSON object");
		else
			err(l, SVF, "A %s should be an object, not %s", kind,
			    type_name(m));
		return;
	}
	if (l->depth > MAX_NESTING) {
		err(l, "TOO_DEEPLY_NESTED",
		    "Parallel and Map states are nested more than %d deep",
		    MAX_NESTING);
		return;
	}
	l->depth++;
	json_t *states = json_object_get(m, "States");
	json_t *start = json_object_get(m, "StartAt");
	if (!states || !start)
		err(l, SVF, "These fields are required: [%s%s%s]",
		    states ? "" : "States", !states && !start ? ", " : "",
		    start ? "" : "StartAt");
	/* Fields of the machine object (asl-core.md §1.1, §1.3). */
	const char *k;
	json_t *x;
	json_object_foreach(m, k, x) {
		bool ok = strcmp(k, "States") == 0 ||
			  strcmp(k, "StartAt") == 0 ||
			  strcmp(k, "Comment") == 0;
		if (top)
			ok = ok || strcmp(k, "Version") == 0 ||
			     strcmp(k, "TimeoutSeconds") == 0 ||
			     strcmp(k, "QueryLanguage") == 0;
		else if (strcmp(kind, "branch") == 0)
			ok = ok || strcmp(k, "QueryLanguage") == 0;
		else
			ok = ok || strcmp(k, "ProcessorConfig") == 0;
		if (!ok)
			at_key(l, err(l, SVF, "Field '%s' is not supported", k),
			       k);
	}
	if ((x = json_object_get(m, "Comment"))) {
		push(l, "Comment", &save);
		check_string(l, "Comment", x);
		pop(l, save);
	}
	if (!top && (x = json_object_get(m, "QueryLanguage"))) {
		/* A branch's (the others are "not supported" above). */
		static const char *const langs[] = { "JSONPath", "JSONata",
						     NULL };
		push(l, "QueryLanguage", &save);
		check_enum(l, "QueryLanguage", x, langs, false);
		pop(l, save);
	}
	if (top) {
		if ((x = json_object_get(m, "Version"))) {
			static const char *const v[] = { "1.0", NULL };
			push(l, "Version", &save);
			check_enum(l, "Version", x, v, false);
			pop(l, save);
		}
		if ((x = json_object_get(m, "TimeoutSeconds"))) {
			push(l, "TimeoutSeconds", &save);
			check_int(l, "TimeoutSeconds", x, 1, 99999999, false);
			pop(l, save);
		}
		if ((x = json_object_get(m, "QueryLanguage"))) {
			static const char *const langs[] = { "JSONPath",
							     "JSONata", NULL };
			push(l, "QueryLanguage", &save);
			check_enum(l, "QueryLanguage", x, langs, false);
			pop(l, save);
			l->root_jsonata =
				json_is_string(x) &&
				strcmp(json_string_value(x), "JSONPath") != 0;
		}
	}
	if (start && !json_is_string(start)) {
		push(l, "StartAt", &save);
		err(l, SVF, "The field 'StartAt' should be a string, not %s",
		    type_name(start));
		pop(l, save);
	}
	if (!states) {
		l->depth--;
		return;
	}
	push(l, "States", &save);
	if (!json_is_object(states)) {
		err(l, SVF, "The field 'States' should be an object, not %s",
		    type_name(states));
		pop(l, save);
		l->depth--;
		return;
	}
	struct scope *sc = sfn_xcalloc(1, sizeof(*sc));
	pop(l, save);
	sc->where = sfn_xstrdup(l->ptr.buf);
	push(l, "States", &save);
	sc->states = states;
	sc->n = json_object_size(states);
	sc->st = sfn_xcalloc(sc->n ? sc->n : 1, sizeof(*sc->st));
	sc->start = -1;
	struct scope *outer_scope = l->scope;
	struct sstate *outer_cur = l->cur;
	size_t i = 0;
	json_object_foreach(states, k, x) {
		size_t s2;
		struct sstate *s = &sc->st[i++];
		s->name = k;
		s->v = x;
		push(l, k, &s2);
		s->where = sfn_xstrdup(l->ptr.buf);
		size_t n = strlen(k);
		if (n == 0 || sfn_utf8_length(k, n) > 80)
			err(l, "INVALID_STATE_NAME",
			    "State name '%s' is not valid: %s", k,
			    n ? "it is longer than 80 characters"
			      : "it is empty");
		struct name_slot *first = names_find(&l->names, k);
		if (first)
			err(l, "DUPLICATE_STATE_NAME",
			    "Duplicate State name: %s; state names must be "
			    "unique in the whole state machine (also used "
			    "at %s)",
			    k, first->sc->st[first->index].where);
		else
			names_put(&l->names, k, sc, (int)(i - 1));
		pop(l, s2);
	}
	/*
	 * States are checked after all names of this and outer machines are
	 * known... but inner machines register their names while the outer
	 * states are checked, so "another States object" hints only see
	 * names walked before. Good enough for a hint.
	 */
	i = 0;
	json_object_foreach(states, k, x) {
		size_t s2;
		struct sstate *s = &sc->st[i++];
		l->scope = sc;
		l->cur = s;
		push(l, k, &s2);
		check_state(l, s, x);
		pop(l, s2);
	}
	l->scope = outer_scope;
	l->cur = outer_cur;
	pop(l, save);
	if (json_is_string(start)) {
		sc->start = scope_find(l, sc, json_string_value(start));
		if (sc->start < 0) {
			l->scope = sc;
			push(l, "StartAt", &save);
			missing_target(l, json_string_value(start));
			pop(l, save);
			l->scope = outer_scope;
		}
	}
	graph(l, sc);
	l->depth--;
	*out = sc;
}

/* ---- variables: may-be-assigned data-flow (asl-core.md §11) ---- */

static bool bit(const uint64_t *set, int i)
{
	return set[i / 64] >> (i % 64) & 1;
}

static void set_bit(uint64_t *set, int i)
{
	set[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Adds to @acc every variable the states of @sc assign. */
static void assigned_names(struct scope *sc, uint64_t *acc)
{
	for (size_t i = 0; i < sc->n; i++) {
		struct sstate *s = &sc->st[i];
		for (size_t k = 0; k < s->n_assigns; k++)
			set_bit(acc, s->assigns[k].var);
	}
}

static const char *var_name(struct lint *l, int idx)
{
	const char *k;
	json_t *v;
	json_object_foreach(l->vars, k, v)
		if (json_integer_value(v) == idx)
			return k;
	return "?";
}

static void dataflow(struct lint *l, struct scope *sc, const uint64_t *entry,
		     const uint64_t *outer_assigned, size_t words)
{
	/* Inner scopes must not assign outer names (§11.3). */
	for (size_t i = 0; i < sc->n && outer_assigned; i++) {
		struct sstate *s = &sc->st[i];
		for (size_t k = 0; k < s->n_assigns; k++)
			if (bit(outer_assigned, s->assigns[k].var))
				diag_at(l, SFN_SEV_ERROR,
					"SFN_OUTER_VARIABLE_ASSIGNED",
					s->assigns[k].where,
					"variable '%s' belongs to an outer "
					"scope: a Parallel branch or Map "
					"iteration can read it but not assign "
					"it; use another name",
					s->assigns[k].name);
	}
	for (size_t i = 0; i < sc->n; i++) {
		sc->st[i].in = sfn_xcalloc(words ? words : 1, sizeof(uint64_t));
		sc->st[i].reached = false;
	}
	if (sc->start >= 0) {
		/* Worklist until nothing changes. */
		int *work = sfn_xmalloc((sc->n * 2 + 1) * sizeof(int));
		bool *queued = sfn_xcalloc(sc->n + 1, sizeof(bool));
		size_t wn = 0;
		memcpy(sc->st[sc->start].in, entry, words * sizeof(uint64_t));
		work[wn++] = sc->start;
		queued[sc->start] = true;
		uint64_t *tmp =
			sfn_xcalloc(words ? words : 1, sizeof(uint64_t));
		while (wn) {
			int cur = work[--wn];
			queued[cur] = false;
			struct sstate *s = &sc->st[cur];
			for (size_t e = 0; e < s->n_edges; e++) {
				int to = s->edges[e].to;
				if (to < 0)
					continue;
				memcpy(tmp, s->in, words * sizeof(uint64_t));
				if (s->edges[e].group >= 0) {
					struct group *g =
						&s->groups[s->edges[e].group];
					for (size_t q = 0; q < g->n; q++)
						set_bit(tmp, g->v[q]);
				}
				bool changed = false;
				for (size_t w = 0; w < words; w++) {
					uint64_t nv = sc->st[to].in[w] | tmp[w];
					changed = changed ||
						  nv != sc->st[to].in[w];
					sc->st[to].in[w] = nv;
				}
				if ((changed || !sc->st[to].reached) &&
				    !queued[to]) {
					sc->st[to].reached = true;
					queued[to] = true;
					work[wn++] = to;
				}
			}
		}
		free(tmp);
		free(work);
		free(queued);
	}
	uint64_t *inner_outer =
		sfn_xcalloc(words ? words : 1, sizeof(uint64_t));
	if (outer_assigned)
		memcpy(inner_outer, outer_assigned, words * sizeof(uint64_t));
	assigned_names(sc, inner_outer);
	for (size_t i = 0; i < sc->n; i++) {
		struct sstate *s = &sc->st[i];
		for (size_t k = 0; k < s->n_reads; k++) {
			struct vref *r = &s->reads[k];
			int idx = var_index(l, r->name, false);
			if (idx >= 0 && bit(s->in, idx))
				continue;
			if (idx < 0) {
				const char *near =
					closest_key(l, l->vars, r->name);
				if (near)
					diag_at(l, SFN_SEV_WARNING,
						"SFN_UNDEFINED_VARIABLE",
						r->where,
						"variable '%s' is never "
						"assigned; did you mean '%s'?",
						r->name, near);
				else
					diag_at(l, SFN_SEV_WARNING,
						"SFN_UNDEFINED_VARIABLE",
						r->where,
						"variable '%s' is never "
						"assigned",
						r->name);
			} else {
				diag_at(l, SFN_SEV_WARNING,
					"SFN_UNDEFINED_VARIABLE", r->where,
					"variable '%s' is not assigned on any "
					"path to state '%s'",
					var_name(l, idx), s->name);
			}
		}
		for (size_t k = 0; k < s->n_kids; k++) {
			struct scope *kid = s->kids[k];
			uint64_t *zero = NULL;
			if (kid->no_outer)
				zero = sfn_xcalloc(words ? words : 1,
						   sizeof(uint64_t));
			dataflow(l, kid, zero ? zero : s->in, inner_outer,
				 words);
			free(zero);
		}
	}
	free(inner_outer);
}

static bool any_reads(struct scope *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		if (sc->st[i].n_reads || sc->st[i].n_assigns)
			return true;
		for (size_t k = 0; k < sc->st[i].n_kids; k++)
			if (any_reads(sc->st[i].kids[k]))
				return true;
	}
	return false;
}

/* ---- entry points ---- */

/* AWS's quota on a definition's length (sfn-features.md §6.1). */
#define MAX_DEFINITION_CHARS 1048576

/* json_dump_callback(): counts the characters of the text. */
static int count_chars(const char *buf, size_t n, void *ud)
{
	*(size_t *)ud += sfn_utf8_length(buf, n);
	return 0;
}

size_t sfn_lint(json_t *root, const struct sfn_doc *doc, int flags,
		struct sfn_diags *diags)
{
#ifndef NDEBUG
	for (size_t i = 0; i < F_COUNT; i++)
		assert(find_field(sfn_lint_state_fields[i].name) ==
		       &sfn_lint_state_fields[i]);
#endif
	struct lint l = { 0 };
	l.doc = doc;
	l.flags = flags;
	l.diags = diags;
	sfn_strbuf_init(&l.ptr, 128);
	l.vars = json_object();
	size_t chars = 0;
	if (json_is_object(root) &&
	    json_dump_callback(root, count_chars, &chars, JSON_COMPACT) == 0 &&
	    chars > MAX_DEFINITION_CHARS)
		err(&l, "SFN_DEFINITION_TOO_LARGE",
		    "The definition is %zu characters long as compact JSON; "
		    "AWS accepts at most %d (a quota that cannot be raised): "
		    "move large constants out of it",
		    chars, MAX_DEFINITION_CHARS);
	struct scope *top = NULL;
	check_machine(&l, root, true, "machine", &top);
	if (top && any_reads(top)) {
		size_t words = (l.n_vars + 63) / 64;
		uint64_t *entry =
			sfn_xcalloc(words ? words : 1, sizeof(uint64_t));
		dataflow(&l, top, entry, NULL, words);
		free(entry);
	}
	scope_free(top);
	free(l.names.v);
	free(l.seen.v);
	json_decref(l.vars);
	sfn_strbuf_release(&l.ptr);
	return l.errors;
}

char *sfn_lint_aws_location(json_t *root, const char *pointer)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	json_t *cur = root;
	const char *p = pointer;
	if (!*p)
		return sfn_xstrdup("/");
	while (*p == '/') {
		const char *end = strchr(p + 1, '/');
		size_t n = end ? (size_t)(end - p - 1) : strlen(p + 1);
		char *tok = sfn_xstrndup(p + 1, n);
		/* Unescape ~1 and ~0. */
		char *w = tok;
		for (char *r = tok; *r; r++) {
			if (r[0] == '~' && r[1] == '1') {
				*w++ = '/';
				r++;
			} else if (r[0] == '~' && r[1] == '0') {
				*w++ = '~';
				r++;
			} else {
				*w++ = *r;
			}
		}
		*w = '\0';
		if (json_is_array(cur)) {
			sfn_strbuf_addf(&sb, "[%s]", tok);
			cur = json_array_get(cur,
					     (size_t)strtoul(tok, NULL, 10));
		} else {
			sfn_strbuf_addf(&sb, "/%s", tok);
			cur = json_is_object(cur) ? json_object_get(cur, tok)
						  : NULL;
		}
		free(tok);
		p += n + 1;
	}
	return sfn_strbuf_detach(&sb, NULL);
}
