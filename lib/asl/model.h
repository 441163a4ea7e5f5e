/*
 * model: a state machine definition compiled once into typed states. Every
 * path, intrinsic call and JSONata expression is compiled here, at load, so
 * the interpreter never parses while it runs and the linter can reuse the
 * same tree. Every compiled part keeps the JSON Pointer of the field it came
 * from ("/States/Pay/Parameters/id.$"), so errors can say file:line:col.
 */
#ifndef SFN_MODEL_H
#define SFN_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/base.h"
#include "intrinsics/intrinsics.h"
#include "jsonata/jsonata.h"
#include "jsonpath/jsonpath.h"

enum sfn_qlang { SFN_QL_JSONPATH, SFN_QL_JSONATA };

enum sfn_state_type {
	SFN_STATE_PASS,
	SFN_STATE_TASK,
	SFN_STATE_CHOICE,
	SFN_STATE_WAIT,
	SFN_STATE_SUCCEED,
	SFN_STATE_FAIL,
	SFN_STATE_PARALLEL,
	SFN_STATE_MAP,
};

/*
 * A compiled value: a JSONPath payload template (".$" keys), a JSONata
 * template ("{% %}" strings at any depth), or a plain literal. A subtree
 * without anything to evaluate is folded into one shared literal.
 */
enum sfn_tmpl_kind {
	SFN_TMPL_LITERAL,   /* literal */
	SFN_TMPL_PATH,	    /* path: "$.a", "$$.Map.Item.Value", "$var" */
	SFN_TMPL_INTRINSIC, /* fn: "States.Format(...)" */
	SFN_TMPL_JSONATA,   /* expr: "{% ... %}" */
	SFN_TMPL_OBJECT,    /* keys[i] -> vals[i] */
	SFN_TMPL_ARRAY,	    /* vals[i] */
};

struct sfn_tmpl {
	enum sfn_tmpl_kind kind;
	json_t *literal;	  /* LITERAL; owned */
	struct sfn_path *path;	  /* PATH; owned */
	struct sfn_intrinsic *fn; /* INTRINSIC; owned */
	struct sfn_jsonata *expr; /* JSONATA; owned */
	/*
	 * JSONATA: the expression may read $states.context. False only when
	 * every "$states" in its text is "$states.input", ".result" or
	 * ".errorOutput", so the interpreter need not build the Context
	 * object for it.
	 */
	bool reads_context;
	char *text;  /* PATH/INTRINSIC/JSONATA source; owned */
	char *field; /* name in messages: "id.$", "Output/a"; owned */
	size_t n;    /* OBJECT/ARRAY members */
	char **keys; /* OBJECT: keys with ".$" stripped; owned */
	struct sfn_tmpl **vals; /* OBJECT/ARRAY; owned */
	char *where;		/* JSON Pointer; owned */
};

/* A number field given literally, by a reference path, or by JSONata. */
struct sfn_num_field {
	bool set;
	double value;	       /* literal */
	struct sfn_path *path; /* the ...Path form; owned */
	struct sfn_tmpl *expr; /* JSONata form; owned */
	char *where;	       /* owned */
};

struct sfn_retrier {
	char **errors; /* ErrorEquals; owned */
	size_t n_errors;
	double interval;       /* IntervalSeconds, default 1 */
	unsigned max_attempts; /* default 3 */
	double backoff;	       /* default 2.0 */
	double max_delay;      /* MaxDelaySeconds; 0 = none */
	bool jitter_full;      /* JitterStrategy FULL */
	char *where;	       /* owned */
};

struct sfn_catcher {
	char **errors; /* owned */
	size_t n_errors;
	char *next;		      /* owned */
	struct sfn_state *target;     /* resolved Next; borrowed */
	struct sfn_path *result_path; /* NULL: "$" unless result_path_null */
	bool result_path_null;
	struct sfn_tmpl *output; /* JSONata Output; owned */
	struct sfn_tmpl *assign; /* owned */
	char *where;		 /* owned */
};

enum sfn_choice_op {
	SFN_OP_AND,
	SFN_OP_OR,
	SFN_OP_NOT,
	SFN_OP_CONDITION, /* JSONata Condition */
	SFN_OP_STRING_EQ,
	SFN_OP_STRING_LT,
	SFN_OP_STRING_GT,
	SFN_OP_STRING_LE,
	SFN_OP_STRING_GE,
	SFN_OP_STRING_MATCHES,
	SFN_OP_NUMERIC_EQ,
	SFN_OP_NUMERIC_LT,
	SFN_OP_NUMERIC_GT,
	SFN_OP_NUMERIC_LE,
	SFN_OP_NUMERIC_GE,
	SFN_OP_BOOLEAN_EQ,
	SFN_OP_TIMESTAMP_EQ,
	SFN_OP_TIMESTAMP_LT,
	SFN_OP_TIMESTAMP_GT,
	SFN_OP_TIMESTAMP_LE,
	SFN_OP_TIMESTAMP_GE,
	SFN_OP_IS_NULL,
	SFN_OP_IS_PRESENT,
	SFN_OP_IS_NUMERIC,
	SFN_OP_IS_STRING,
	SFN_OP_IS_BOOLEAN,
	SFN_OP_IS_TIMESTAMP,
};

struct sfn_choice_rule {
	enum sfn_choice_op op;
	struct sfn_path *variable;     /* Variable; owned */
	json_t *operand;	       /* literal operand; owned */
	struct sfn_path *operand_path; /* the ...Path operand; owned */
	struct sfn_tmpl *condition;    /* JSONata Condition; owned */
	struct sfn_choice_rule *subs;  /* And/Or/Not; owned array */
	size_t n_subs;
	char *next;		  /* top-level rules only; owned */
	struct sfn_state *target; /* resolved Next; borrowed */
	struct sfn_tmpl *assign;  /* owned */
	struct sfn_tmpl *output;  /* JSONata Output; owned */
	char *where;		  /* owned */
};

struct sfn_machine;

struct sfn_state {
	char *name;  /* owned */
	char *where; /* "/States/Name"; owned */
	enum sfn_state_type type;
	enum sfn_qlang qlang;
	char *next;		  /* owned */
	struct sfn_state *target; /* resolved Next; borrowed */
	bool end;

	/* JSONPath data flow; a NULL path with *_null false means "$". */
	struct sfn_path *input_path, *output_path, *result_path;
	bool input_path_null, output_path_null, result_path_null;
	struct sfn_tmpl *parameters;	  /* Parameters / Arguments; owned */
	struct sfn_tmpl *result_selector; /* owned */
	struct sfn_tmpl *output;	  /* JSONata Output; owned */
	struct sfn_tmpl *assign;	  /* owned */
	json_t *result;			  /* Pass Result; owned */

	/* Task */
	char *resource; /* owned */
	struct sfn_num_field timeout, heartbeat;
	struct sfn_tmpl *credentials; /* owned */

	struct sfn_retrier *retry; /* owned array */
	size_t n_retry;
	struct sfn_catcher *catch; /* owned array */
	size_t n_catch;

	/* Choice */
	struct sfn_choice_rule *choices; /* owned array */
	size_t n_choices;
	char *default_name;		  /* owned */
	struct sfn_state *default_target; /* borrowed */

	/* Wait: seconds (or timestamp) as a number field or a string. */
	struct sfn_num_field seconds;
	bool has_timestamp;
	double timestamp;		 /* literal, epoch seconds */
	struct sfn_path *timestamp_path; /* owned */
	struct sfn_tmpl *timestamp_expr; /* JSONata; owned */

	/* Fail: literal, or a path/intrinsic/JSONata template. */
	char *error, *cause;			  /* owned */
	struct sfn_tmpl *error_expr, *cause_expr; /* owned */

	/* Parallel */
	struct sfn_machine **branches; /* owned array */
	size_t n_branches;

	/* Map */
	struct sfn_machine *processor;	/* owned */
	struct sfn_path *items_path;	/* owned */
	struct sfn_tmpl *items;		/* JSONata Items; owned */
	struct sfn_tmpl *item_selector; /* ItemSelector / Parameters; owned */
	struct sfn_num_field max_concurrency, tolerated_count, tolerated_pct;
	bool distributed;
	bool child_express; /* ExecutionType EXPRESS */
	char *label;	    /* owned */
	/* ItemReader's Resource (sfn run cannot read S3); owned, or NULL
	 * without an ItemReader. */
	char *reader_resource;
	/* ResultWriter: with a Resource, the Map's result is the Map Run's
	 * pointer to its manifest, Bucket and Prefix from writer_params
	 * (Parameters / Arguments; owned); FLATTEN splices array outputs. */
	bool writer_export;
	bool writer_flatten;
	struct sfn_tmpl *writer_params;
	bool has_batcher;
	struct sfn_num_field batch_max_items, batch_max_bytes;
	struct sfn_tmpl *batch_input; /* owned */

	/* Does any field read $$ (so the Context object must be built)? */
	bool uses_context;
};

/* A States/StartAt pair: the root, a Parallel branch, a Map processor. */
struct sfn_machine {
	struct sfn_state *states; /* owned array of n_states */
	size_t n_states;
	struct sfn_state *start; /* borrowed */
	enum sfn_qlang qlang;
	double timeout_seconds; /* root TimeoutSeconds; 0 = none */
	char *where; /* "" for the root, "/States/P/Branches/0"; owned */
	/* May a run of it wait (for a Task, a Wait, a retry's backoff, a
	 * distributed Map's children), or does it only compute? */
	bool may_wait;
};

/*
 * Compiles the definition @root (borrowed). Returns NULL with @err set
 * (err->where the JSON Pointer of the first fault, err->name
 * "SCHEMA_VALIDATION_FAILED" or the like, err->cause AWS-style text).
 */
struct sfn_machine *sfn_machine_compile(json_t *root, struct sfn_error *err);
void sfn_machine_free(struct sfn_machine *m);

/* The state named @name in @m, or NULL. */
struct sfn_state *sfn_machine_find(const struct sfn_machine *m,
				   const char *name);

/* "Pass", "Task", ...: the ASL spelling of @t. */
const char *sfn_state_type_name(enum sfn_state_type t);

/*
 * Parses an RFC 3339 timestamp as ASL accepts it (uppercase T, Z or an
 * offset, any fraction). Returns false when @s is not one.
 */
bool sfn_timestamp_parse(const char *s, double *epoch);
/*
 * The same, exactly: seconds since the epoch and nanoseconds (0..999999999,
 * fraction digits past the ninth ignored), for comparisons that must not
 * round as a double does (Choice's Timestamp operators, as Java's
 * OffsetDateTime compares).
 */
bool sfn_timestamp_parse_ns(const char *s, int64_t *sec, int32_t *nsec);

/*
 * Does @s match ASL StringMatches pattern @pat ('*' any run, "\\*" a
 * literal star, "\\\\" a backslash)? Anchored at both ends.
 */
bool sfn_string_matches(const char *s, const char *pat);

#endif
