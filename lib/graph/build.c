/*
 * build.c: from an ASL definition to the graph model. Labels say what a
 * reader of the definition would want at a glance: the Task's integration
 * and target ("Lambda: score"), its retry policy, a Choice rule's condition
 * written as an expression ("$.total > 100"), a catcher's errors.
 */
#include "graph_int.h"

#include <stdint.h>
#include <string.h>

/* Edge labels and label details longer than this are cut with an ellipsis. */
#define MAX_DETAIL 48
#define MAX_COND   96

/* ---- small helpers ---- */

static const char *jstr(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Appends at most @max code points of @s, then "…" if it was cut. */
static void add_cut(struct sfn_strbuf *sb, const char *s, size_t max)
{
	size_t cp = 0, i = 0;
	while (s[i]) {
		if (cp == max) {
			sfn_strbuf_adds(sb, "\xe2\x80\xa6");
			return;
		}
		size_t len = 1;
		while (s[i + len] && ((unsigned char)s[i + len] & 0xc0) == 0x80)
			len++;
		sfn_strbuf_add(sb, s + i, len);
		i += len;
		cp++;
	}
}

/* Is @s a JSONata expression, "{% ... %}"? */
static bool is_jsonata(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n >= 4 && !strncmp(s, "{%", 2) && !strcmp(s + n - 2, "%}");
}

/* Appends the text of JSONata string @s without "{%", "%}" and outer blanks. */
static void add_jsonata_body(struct sfn_strbuf *sb, const char *s, size_t max)
{
	size_t n = strlen(s);
	const char *b = s + 2, *e = s + n - 2;
	while (b < e && strchr(" \t\r\n", *b))
		b++;
	while (e > b && strchr(" \t\r\n", e[-1]))
		e--;
	char *body = sfn_xstrndup(b, (size_t)(e - b));
	add_cut(sb, body, max);
	free(body);
}

/* A value as it appears in a label: strings quoted, the rest as JSON. */
static void add_value(struct sfn_strbuf *sb, const json_t *v)
{
	if (json_is_string(v)) {
		struct sfn_strbuf q = SFN_STRBUF_INIT;
		sfn_json_quote(&q, json_string_value(v), json_string_length(v),
			       0);
		add_cut(sb, q.buf, MAX_DETAIL);
		sfn_strbuf_release(&q);
		return;
	}
	char *s = sfn_json_dumps(v, 0);
	add_cut(sb, s, MAX_DETAIL);
	free(s);
}

/* FNV-1a, 32 bits: stable across builds and platforms. */
static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

char *sfn_graph_node_id(const char *name)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	size_t kept = 0;
	sfn_strbuf_adds(&sb, "s_");
	for (const char *p = name; *p && kept < 24; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9')) {
			sfn_strbuf_addch(&sb, c);
			kept++;
		} else if (c < 0x80 || (c & 0xc0) == 0xc0) {
			/* one '_' per ASCII symbol or non-ASCII code point */
			if (sb.buf[sb.len - 1] != '_') {
				sfn_strbuf_addch(&sb, '_');
				kept++;
			}
		}
	}
	if (sb.buf[sb.len - 1] != '_')
		sfn_strbuf_addch(&sb, '_');
	sfn_strbuf_addf(&sb, "%08x", fnv1a(name));
	return sfn_strbuf_detach(&sb, NULL);
}

/*
 * Hands out @base, or @base_2, @base_3... if taken: names are unique in a
 * valid definition, but a broken one may repeat a name across branches.
 * Returns a new string.
 */
static char *unique_id(struct sfn_graph *g, const char *base)
{
	char *id = sfn_xstrdup(base);
	for (unsigned k = 2;; k++) {
		bool taken = false;
		for (size_t i = 0; i < g->n_ids && !taken; i++)
			taken = !strcmp(g->ids[i], id);
		if (!taken)
			break;
		free(id);
		id = sfn_xasprintf("%s_%u", base, k);
	}
	if (g->n_ids == g->alloc_ids) {
		g->alloc_ids = g->alloc_ids ? 2 * g->alloc_ids : 64;
		g->ids = sfn_xrealloc(g->ids, g->alloc_ids * sizeof(*g->ids));
	}
	g->ids[g->n_ids++] = sfn_xstrdup(id);
	return id;
}

static struct gnode *machine_add(struct gmachine *m)
{
	if (m->n_nodes == m->alloc_nodes) {
		m->alloc_nodes = m->alloc_nodes ? 2 * m->alloc_nodes : 8;
		m->nodes = sfn_xrealloc(m->nodes,
					m->alloc_nodes * sizeof(*m->nodes));
	}
	struct gnode *n = sfn_xcalloc(1, sizeof(*n));
	m->nodes[m->n_nodes++] = n;
	return n;
}

static struct gedge *edge_add(struct sfn_graph *g, const char *from,
			      const char *to, enum gedge_kind kind)
{
	if (g->n_edges == g->alloc_edges) {
		g->alloc_edges = g->alloc_edges ? 2 * g->alloc_edges : 32;
		g->edges = sfn_xrealloc(g->edges,
					g->alloc_edges * sizeof(*g->edges));
	}
	struct gedge *e = &g->edges[g->n_edges++];
	memset(e, 0, sizeof(*e));
	e->from = sfn_xstrdup(from);
	e->to = sfn_xstrdup(to);
	e->kind = kind;
	return e;
}

/* Moves the last edge to position @at, shifting the others up. */
static void edge_move_last(struct sfn_graph *g, size_t at)
{
	struct gedge e = g->edges[g->n_edges - 1];
	memmove(g->edges + at + 1, g->edges + at,
		(g->n_edges - 1 - at) * sizeof(*g->edges));
	g->edges[at] = e;
}

static void machine_free(struct gmachine *m);

static void node_free(struct gnode *n)
{
	if (!n)
		return;
	free(n->name);
	free(n->id);
	free(n->label);
	free(n->join_id);
	free(n->cluster_id);
	for (size_t i = 0; i < n->n_subs; i++) {
		machine_free(n->subs[i]);
		free(n->subs[i]);
	}
	free(n->subs);
	free(n);
}

static void machine_free(struct gmachine *m)
{
	for (size_t i = 0; i < m->n_nodes; i++)
		node_free(m->nodes[i]);
	free(m->nodes);
	free(m->cluster_id);
	free(m->title);
}

void sfn_graph_free(struct sfn_graph *g)
{
	if (!g)
		return;
	machine_free(&g->root);
	for (size_t i = 0; i < g->n_edges; i++) {
		free(g->edges[i].from);
		free(g->edges[i].to);
		free(g->edges[i].from_name);
		free(g->edges[i].to_name);
		free(g->edges[i].label);
		free(g->edges[i].ltail);
	}
	free(g->edges);
	for (size_t i = 0; i < g->n_ids; i++)
		free(g->ids[i]);
	free(g->ids);
	free(g->title);
	free(g);
}

int sfn_graph_format_parse(const char *name)
{
	static const char *const names[] = { "dot", "mermaid", "svg", "png",
					     "html" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	return -1;
}

/* ---- Task labels: the integration and what it targets ---- */

/* Optimized integrations' service names as the AWS console writes them. */
static const struct {
	const char *service;
	const char *display;
} services[] = {
	{ "apigateway", "API Gateway" },
	{ "athena", "Athena" },
	{ "batch", "Batch" },
	{ "bedrock", "Bedrock" },
	{ "codebuild", "CodeBuild" },
	{ "dynamodb", "DynamoDB" },
	{ "ecs", "ECS" },
	{ "eks", "EKS" },
	{ "elasticmapreduce", "EMR" },
	{ "emr-containers", "EMR on EKS" },
	{ "emr-serverless", "EMR Serverless" },
	{ "events", "EventBridge" },
	{ "glue", "Glue" },
	{ "http", "HTTP" },
	{ "lambda", "Lambda" },
	{ "mediaconvert", "MediaConvert" },
	{ "sagemaker", "SageMaker" },
	{ "sns", "SNS" },
	{ "sqs", "SQS" },
	{ "states", "Step Functions" },
};

/* The argument object of a Task: Parameters (JSONPath) or Arguments. */
static json_t *task_args(const json_t *st)
{
	json_t *a = json_object_get(st, "Parameters");
	return json_is_object(a) ? a : json_object_get(st, "Arguments");
}

/* "arn:...:function:score:prod" and "score:prod" -> "score". */
static void add_lambda_short(struct sfn_strbuf *sb, const char *fn)
{
	const char *p = strstr(fn, ":function:");
	p = p ? p + 10 : fn;
	char *name = sfn_xstrndup(p, strcspn(p, ":"));
	add_cut(sb, name, MAX_DETAIL);
	free(name);
}

/* A model ARN "arn:aws:bedrock:...:foundation-model/anthropic.x" -> the id. */
static void add_model_short(struct sfn_strbuf *sb, const char *id)
{
	const char *slash = strrchr(id, '/');
	add_cut(sb, !strncmp(id, "arn:", 4) && slash ? slash + 1 : id,
		MAX_DETAIL);
}

/*
 * Appends a target field's value: a literal as written (through @shorten),
 * a JSONPath "Key.$" as its path, a JSONata expression as its body. Returns
 * false if the field is absent.
 */
static bool add_field(struct sfn_strbuf *sb, const json_t *args,
		      const char *key,
		      void (*shorten)(struct sfn_strbuf *, const char *))
{
	const char *v = jstr(args, key);
	if (v && is_jsonata(v)) {
		add_jsonata_body(sb, v, MAX_DETAIL);
		return true;
	}
	if (v) {
		shorten(sb, v);
		return true;
	}
	char *dyn = sfn_xasprintf("%s.$", key);
	v = jstr(args, dyn);
	free(dyn);
	if (v) {
		add_cut(sb, v, MAX_DETAIL);
		return true;
	}
	return false;
}

/* The host of the first "scheme://host" in @s, into @sb; false if none. */
static bool add_host(struct sfn_strbuf *sb, const char *s)
{
	const char *p = strstr(s, "://");
	if (!p)
		return false;
	p += 3;
	size_t n = strcspn(p, "/:?#'\"` {}&");
	if (!n)
		return false;
	char *host = sfn_xstrndup(p, n);
	add_cut(sb, host, MAX_DETAIL);
	free(host);
	return true;
}

static void http_label(struct sfn_strbuf *sb, const json_t *args)
{
	sfn_strbuf_adds(sb, "HTTP:");
	const char *method = jstr(args, "Method");
	if (method && !is_jsonata(method)) {
		sfn_strbuf_addch(sb, ' ');
		add_cut(sb, method, 16);
	}
	const char *ep = jstr(args, "ApiEndpoint");
	if (!ep)
		ep = jstr(args, "ApiEndpoint.$");
	sfn_strbuf_addch(sb, ' ');
	if (!ep || !add_host(sb, ep))
		sfn_strbuf_adds(sb, ep ? "(dynamic endpoint)" : "invoke");
}

/*
 * "arn:aws:states:::SERVICE:ACTION[.sync|.sync:2|.waitForTaskToken]", the
 * part after "arn:aws:states:::" in @rest.
 */
static void integration_label(struct sfn_strbuf *sb, const char *rest,
			      const json_t *st)
{
	const json_t *args = task_args(st);
	if (!strncmp(rest, "aws-sdk:", 8)) {
		sfn_strbuf_adds(sb, "aws-sdk: ");
		add_cut(sb, rest + 8, MAX_DETAIL);
		return;
	}
	size_t svc_len = strcspn(rest, ":");
	char *svc = sfn_xstrndup(rest, svc_len);
	const char *action = rest[svc_len] ? rest + svc_len + 1 : "";
	const char *pattern = NULL;
	char *act = sfn_xstrdup(action);
	char *dot = strchr(act, '.');
	if (dot) {
		pattern = !strncmp(dot, ".sync", 5) ? "run a job"
			  : !strcmp(dot, ".waitForTaskToken")
				  ? "wait for callback"
				  : NULL;
		if (pattern)
			*dot = '\0';
	}
	const char *display = svc;
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (!strcmp(svc, services[i].service))
			display = services[i].display;

	if (!strcmp(svc, "lambda") && !strcmp(act, "invoke")) {
		sfn_strbuf_adds(sb, "Lambda: ");
		if (!add_field(sb, args, "FunctionName", add_lambda_short))
			sfn_strbuf_adds(sb, "invoke");
	} else if (!strcmp(svc, "http") && !strcmp(act, "invoke")) {
		http_label(sb, args);
	} else if (!strcmp(svc, "bedrock") && !strcmp(act, "invokeModel")) {
		sfn_strbuf_adds(sb, "Bedrock: ");
		if (!add_field(sb, args, "ModelId", add_model_short))
			sfn_strbuf_adds(sb, "invokeModel");
	} else {
		add_cut(sb, display, MAX_DETAIL);
		sfn_strbuf_adds(sb, ": ");
		add_cut(sb, act, MAX_DETAIL);
	}
	if (pattern)
		sfn_strbuf_addf(sb, " (%s)", pattern);
	free(act);
	free(svc);
}

static void task_label(struct sfn_strbuf *sb, const json_t *st)
{
	const char *res = jstr(st, "Resource");
	const char *p;
	if (!res) {
		sfn_strbuf_adds(sb, "Task");
	} else if (!strncmp(res, "arn:aws:states:::", 17)) {
		integration_label(sb, res + 17, st);
	} else if (!strncmp(res, "arn:", 4) && strstr(res, ":lambda:") &&
		   (p = strstr(res, ":function:"))) {
		sfn_strbuf_adds(sb, "Lambda: ");
		add_lambda_short(sb, p);
	} else if (!strncmp(res, "arn:", 4) &&
		   (p = strstr(res, ":activity:"))) {
		sfn_strbuf_adds(sb, "Activity: ");
		add_cut(sb, p + 10, MAX_DETAIL);
	} else {
		add_cut(sb, res, MAX_DETAIL);
	}
}

/* "\nretry x3 on States.Timeout, Lambda.ServiceException" per retrier. */
static void retry_lines(struct sfn_strbuf *sb, const json_t *st)
{
	const json_t *retry = json_object_get(st, "Retry");
	size_t i;
	const json_t *r;
	json_array_foreach(retry, i, r) {
		const json_t *max = json_object_get(r, "MaxAttempts");
		json_int_t n = json_is_integer(max) ? json_integer_value(max)
						    : 3; /* ASL default */
		if (n == 0)
			sfn_strbuf_adds(sb, "\nno retry on ");
		else
			sfn_strbuf_addf(sb, "\nretry x%lld on ", (long long)n);
		const json_t *errs = json_object_get(r, "ErrorEquals");
		struct sfn_strbuf names = SFN_STRBUF_INIT;
		size_t j;
		const json_t *e;
		json_array_foreach(errs, j, e) {
			if (j)
				sfn_strbuf_adds(&names, ", ");
			sfn_strbuf_adds(&names, json_is_string(e)
							? json_string_value(e)
							: "?");
		}
		add_cut(sb, names.len ? names.buf : "?", MAX_COND);
		sfn_strbuf_release(&names);
	}
}

static void wait_line(struct sfn_strbuf *sb, const json_t *st)
{
	const json_t *v;
	if ((v = json_object_get(st, "Seconds"))) {
		if (json_is_string(v) && is_jsonata(json_string_value(v))) {
			sfn_strbuf_adds(sb, "\nwait ");
			add_jsonata_body(sb, json_string_value(v), MAX_DETAIL);
			sfn_strbuf_adds(sb, " s");
		} else {
			sfn_strbuf_adds(sb, "\nwait ");
			add_value(sb, v);
			sfn_strbuf_adds(sb, " s");
		}
	} else if ((v = json_object_get(st, "Timestamp"))) {
		sfn_strbuf_adds(sb, "\nuntil ");
		if (json_is_string(v) && is_jsonata(json_string_value(v)))
			add_jsonata_body(sb, json_string_value(v), MAX_DETAIL);
		else if (json_is_string(v))
			add_cut(sb, json_string_value(v), MAX_DETAIL);
		else
			add_value(sb, v);
	} else if ((v = json_object_get(st, "SecondsPath")) &&
		   json_is_string(v)) {
		sfn_strbuf_adds(sb, "\nwait ");
		add_cut(sb, json_string_value(v), MAX_DETAIL);
		sfn_strbuf_adds(sb, " s");
	} else if ((v = json_object_get(st, "TimestampPath")) &&
		   json_is_string(v)) {
		sfn_strbuf_adds(sb, "\nuntil ");
		add_cut(sb, json_string_value(v), MAX_DETAIL);
	}
}

/* Where a Map's items come from, and how many run at once. */
static void map_lines(struct sfn_strbuf *sb, const json_t *st)
{
	const json_t *reader = json_object_get(st, "ItemReader");
	const char *res = jstr(reader, "Resource");
	const json_t *v;
	if (res) {
		sfn_strbuf_adds(sb, "\nitems from ");
		add_cut(sb,
			!strncmp(res, "arn:aws:states:::", 17) ? res + 17 : res,
			MAX_DETAIL);
		const char *type = jstr(json_object_get(reader, "ReaderConfig"),
					"InputType");
		if (type) {
			sfn_strbuf_adds(sb, " (");
			add_cut(sb, type, 16);
			sfn_strbuf_addch(sb, ')');
		}
	} else if ((v = json_object_get(st, "Items"))) {
		sfn_strbuf_adds(sb, "\nitems ");
		if (json_is_string(v) && is_jsonata(json_string_value(v)))
			add_jsonata_body(sb, json_string_value(v), MAX_DETAIL);
		else
			add_value(sb, v);
	} else if ((v = json_object_get(st, "ItemsPath")) &&
		   json_is_string(v) && strcmp(json_string_value(v), "$")) {
		sfn_strbuf_adds(sb, "\nitems ");
		add_cut(sb, json_string_value(v), MAX_DETAIL);
	}
	v = json_object_get(st, "MaxConcurrency");
	if (json_is_integer(v) && json_integer_value(v) > 0)
		sfn_strbuf_addf(sb, "\nmax concurrency %lld",
				(long long)json_integer_value(v));
	else if (json_is_string(v) && is_jsonata(json_string_value(v))) {
		sfn_strbuf_adds(sb, "\nmax concurrency ");
		add_jsonata_body(sb, json_string_value(v), MAX_DETAIL);
	} else if ((v = json_object_get(st, "MaxConcurrencyPath")) &&
		   json_is_string(v)) {
		sfn_strbuf_adds(sb, "\nmax concurrency ");
		add_cut(sb, json_string_value(v), MAX_DETAIL);
	}
}

static void fail_line(struct sfn_strbuf *sb, const json_t *st)
{
	const char *e = jstr(st, "Error");
	if (!e)
		e = jstr(st, "ErrorPath");
	if (!e)
		return;
	sfn_strbuf_adds(sb, "\nError: ");
	if (is_jsonata(e))
		add_jsonata_body(sb, e, MAX_DETAIL);
	else
		add_cut(sb, e, MAX_DETAIL);
}

/* ---- Choice rules as expressions ---- */

/* JSONPath comparison operators; "...Path" forms are derived from these. */
static const struct {
	const char *op;
	const char *text;
} comparisons[] = {
	{ "StringEquals", "==" },
	{ "StringLessThan", "<" },
	{ "StringGreaterThan", ">" },
	{ "StringLessThanEquals", "<=" },
	{ "StringGreaterThanEquals", ">=" },
	{ "StringMatches", "matches" },
	{ "NumericEquals", "==" },
	{ "NumericLessThan", "<" },
	{ "NumericGreaterThan", ">" },
	{ "NumericLessThanEquals", "<=" },
	{ "NumericGreaterThanEquals", ">=" },
	{ "BooleanEquals", "==" },
	{ "TimestampEquals", "==" },
	{ "TimestampLessThan", "before" },
	{ "TimestampGreaterThan", "after" },
	{ "TimestampLessThanEquals", "at or before" },
	{ "TimestampGreaterThanEquals", "at or after" },
};

static bool is_rule_meta(const char *key)
{
	return !strcmp(key, "Variable") || !strcmp(key, "Next") ||
	       !strcmp(key, "Comment") || !strcmp(key, "Assign") ||
	       !strcmp(key, "Output");
}

static bool is_composite(const json_t *rule)
{
	return json_object_get(rule, "And") || json_object_get(rule, "Or");
}

/* A rule that reads as one term: Not, Condition, or an Is* test. */
static bool is_type_test(const json_t *rule)
{
	if (json_object_get(rule, "Not") || json_object_get(rule, "Condition"))
		return true;
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)rule, key, v) {
		if (!is_rule_meta(key))
			return !strncmp(key, "Is", 2);
	}
	return false;
}

static void add_rule(struct sfn_strbuf *sb, const json_t *rule, int depth);

static void add_operand(struct sfn_strbuf *sb, const json_t *r, int depth)
{
	bool paren = is_composite(r);
	if (paren)
		sfn_strbuf_addch(sb, '(');
	add_rule(sb, r, depth + 1);
	if (paren)
		sfn_strbuf_addch(sb, ')');
}

/* Choice Rule -> "$.total > 100", "IsPresent($.y) and $.y == "a"", ... */
static void add_rule(struct sfn_strbuf *sb, const json_t *rule, int depth)
{
	const json_t *v;
	if (depth > 16 || !json_is_object(rule)) {
		sfn_strbuf_adds(sb, "\xe2\x80\xa6");
		return;
	}
	if ((v = json_object_get(rule, "Condition"))) {
		if (json_is_string(v) && is_jsonata(json_string_value(v)))
			add_jsonata_body(sb, json_string_value(v), MAX_COND);
		else
			add_value(sb, v);
		return;
	}
	const char *junction = NULL;
	if ((v = json_object_get(rule, "And")))
		junction = " and ";
	else if ((v = json_object_get(rule, "Or")))
		junction = " or ";
	if (junction) {
		size_t i;
		const json_t *r;
		json_array_foreach(v, i, r) {
			if (i)
				sfn_strbuf_adds(sb, junction);
			add_operand(sb, r, depth);
		}
		return;
	}
	if ((v = json_object_get(rule, "Not"))) {
		sfn_strbuf_adds(sb, "not ");
		/* "not IsNull($.x)", "not not ...", "not ($.a == 1)" */
		bool paren = is_composite(v) || !is_type_test(v);
		if (paren)
			sfn_strbuf_addch(sb, '(');
		add_rule(sb, v, depth + 1);
		if (paren)
			sfn_strbuf_addch(sb, ')');
		return;
	}
	const char *var = jstr(rule, "Variable");
	const char *key;
	json_object_foreach((json_t *)rule, key, v) {
		if (is_rule_meta(key))
			continue;
		if (!strncmp(key, "Is", 2)) {
			/* IsPresent, IsNull, IsNumeric, ...: true or false */
			if (json_is_false(v))
				sfn_strbuf_adds(sb, "not ");
			sfn_strbuf_adds(sb, key);
			sfn_strbuf_addch(sb, '(');
			add_cut(sb, var ? var : "?", MAX_DETAIL);
			sfn_strbuf_addch(sb, ')');
			return;
		}
		size_t klen = strlen(key);
		bool path = klen > 4 && !strcmp(key + klen - 4, "Path");
		const char *text = NULL;
		for (size_t i = 0;
		     i < sizeof(comparisons) / sizeof(comparisons[0]); i++) {
			size_t olen = strlen(comparisons[i].op);
			if (!strncmp(key, comparisons[i].op, olen) &&
			    (klen == olen || (path && klen == olen + 4)))
				text = comparisons[i].text;
		}
		add_cut(sb, var ? var : "?", MAX_DETAIL);
		sfn_strbuf_addch(sb, ' ');
		sfn_strbuf_adds(sb, text ? text : key);
		sfn_strbuf_addch(sb, ' ');
		if (path && json_is_string(v))
			add_cut(sb, json_string_value(v), MAX_DETAIL);
		else
			add_value(sb, v);
		return;
	}
	sfn_strbuf_adds(sb, "?");
}

/* ---- the walk ---- */

struct ctx {
	struct sfn_graph *g;
	struct sfn_error *err;
};

static struct gnode *find_state(const struct gmachine *m, const char *name)
{
	for (size_t i = 0; i < m->n_nodes; i++)
		if (m->nodes[i]->name && !strcmp(m->nodes[i]->name, name))
			return m->nodes[i];
	return NULL;
}

/*
 * The node a transition to @name within @m lands on: the state, or a red
 * "no such state" node (one per name and machine).
 */
static const char *target_id(struct ctx *c, struct gmachine *m,
			     const char *name)
{
	struct gnode *n = find_state(m, name);
	if (n)
		return n->id;
	for (size_t i = 0; i < m->n_nodes; i++) {
		n = m->nodes[i];
		if (n->kind == GN_MISSING && !strcmp(n->label, name))
			return n->id;
	}
	n = machine_add(m);
	n->kind = GN_MISSING;
	n->label = sfn_xstrdup(name); /* the writers add "no such state" */
	char *base = sfn_graph_node_id(name);
	char *missing = sfn_xasprintf("%s_missing", base);
	n->id = unique_id(c->g, missing);
	free(missing);
	free(base);
	return n->id;
}

/* An edge from state @from (node @from_id) to the state named @to. */
static struct gedge *edge_to_state(struct ctx *c, struct gmachine *m,
				   const char *from_id, const char *from,
				   const char *to, enum gedge_kind kind)
{
	struct gedge *e = edge_add(c->g, from_id, target_id(c, m, to), kind);
	e->from_name = from ? sfn_xstrdup(from) : NULL;
	e->to_name = sfn_xstrdup(to);
	return e;
}

static int build_machine(struct ctx *c, struct gmachine *m, const json_t *def,
			 const char *exit_id, const char *exit_name, int depth);

static enum gnode_kind kind_of(const char *type)
{
	static const struct {
		const char *type;
		enum gnode_kind kind;
	} kinds[] = {
		{ "Task", GN_TASK },	     { "Pass", GN_PASS },
		{ "Wait", GN_WAIT },	     { "Choice", GN_CHOICE },
		{ "Succeed", GN_SUCCEED },   { "Fail", GN_FAIL },
		{ "Parallel", GN_PARALLEL }, { "Map", GN_MAP },
	};
	for (size_t i = 0; type && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(type, kinds[i].type))
			return kinds[i].kind;
	return GN_OTHER;
}

/* The label of state @name, lines joined by '\n'. */
static char *state_label(const char *name, const json_t *st,
			 enum gnode_kind kind, bool distributed)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	sfn_strbuf_adds(&sb, name);
	switch (kind) {
	case GN_TASK:
		sfn_strbuf_addch(&sb, '\n');
		task_label(&sb, st);
		retry_lines(&sb, st);
		break;
	case GN_WAIT:
		wait_line(&sb, st);
		break;
	case GN_FAIL:
		fail_line(&sb, st);
		break;
	case GN_PARALLEL:
		sfn_strbuf_adds(&sb, "\nParallel");
		retry_lines(&sb, st);
		break;
	case GN_MAP:
		sfn_strbuf_adds(&sb,
				distributed ? "\nDistributed Map" : "\nMap");
		if (distributed) {
			const json_t *pc = json_object_get(
				json_object_get(st, "ItemProcessor"),
				"ProcessorConfig");
			const char *et = jstr(pc, "ExecutionType");
			if (et) {
				sfn_strbuf_adds(&sb, " (");
				add_cut(&sb, et, 16);
				sfn_strbuf_addch(&sb, ')');
			}
		}
		map_lines(&sb, st);
		retry_lines(&sb, st);
		break;
	case GN_OTHER: {
		const char *type = jstr(st, "Type");
		sfn_strbuf_adds(&sb, "\n");
		if (type) {
			sfn_strbuf_adds(&sb, "Type ");
			add_cut(&sb, type, MAX_DETAIL);
			sfn_strbuf_adds(&sb, "?");
		} else {
			sfn_strbuf_adds(&sb, "no Type");
		}
		break;
	}
	default:
		break;
	}
	return sfn_strbuf_detach(&sb, NULL);
}

/* Parallel branches or the Map processor of @n, each a cluster. */
static int build_subs(struct ctx *c, struct gnode *n, const json_t *st,
		      int depth)
{
	const json_t *proc = NULL;
	const json_t *branches = NULL;
	size_t count = 0;
	if (n->kind == GN_PARALLEL) {
		branches = json_object_get(st, "Branches");
		count = json_array_size(branches);
	} else {
		proc = json_object_get(st, "ItemProcessor");
		if (!proc)
			proc = json_object_get(st, "Iterator");
		count = json_is_object(proc) ? 1 : 0;
	}
	n->subs = count ? sfn_xcalloc(count, sizeof(*n->subs)) : NULL;
	for (size_t i = 0; i < count; i++) {
		const json_t *def =
			branches ? json_array_get(branches, i) : proc;
		struct gmachine *sub = sfn_xcalloc(1, sizeof(*sub));
		n->subs[n->n_subs++] = sub;
		char *cid = branches ? sfn_xasprintf("cluster_%s_b%zu", n->id,
						     i + 1)
				     : sfn_xasprintf("cluster_%s_items", n->id);
		sub->cluster_id = unique_id(c->g, cid);
		free(cid);
		if (branches)
			sub->title = sfn_xasprintf("Branch %zu", i + 1);
		else
			sub->title = sfn_xstrdup(n->distributed
							 ? "Item processor "
							   "(child executions)"
							 : "Item processor");
		if (!json_is_object(def))
			continue;
		size_t first = c->g->n_edges;
		if (build_machine(c, sub, def, n->join_id, n->name, depth + 1) <
		    0)
			return -1;
		/* the entry edge, Parallel/Map node to the branch's start,
		 * reads best before the branch's own edges */
		const char *start = jstr(def, "StartAt");
		if (start) {
			edge_to_state(c, sub, n->id, n->name, start, GE_ENTER);
			edge_move_last(c->g, first);
		}
	}
	return 0;
}

/* Catch edges of state @name, leaving from node @from_id. */
static void catch_edges(struct ctx *c, struct gmachine *m, const json_t *st,
			const char *from_id, const char *name,
			const char *cluster)
{
	const json_t *catch = json_object_get(st, "Catch");
	size_t i;
	const json_t *k;
	json_array_foreach(catch, i, k) {
		const char *next = jstr(k, "Next");
		if (!next)
			continue;
		struct sfn_strbuf sb = SFN_STRBUF_INIT;
		sfn_strbuf_adds(&sb, "catch ");
		size_t j;
		const json_t *e;
		struct sfn_strbuf names = SFN_STRBUF_INIT;
		json_array_foreach(json_object_get(k, "ErrorEquals"), j, e) {
			if (j)
				sfn_strbuf_adds(&names, ", ");
			sfn_strbuf_adds(&names, json_is_string(e)
							? json_string_value(e)
							: "?");
		}
		add_cut(&sb, names.len ? names.buf : "?", MAX_COND);
		sfn_strbuf_release(&names);
		struct gedge *edge =
			edge_to_state(c, m, from_id, name, next, GE_CATCH);
		edge->label = sfn_strbuf_detach(&sb, NULL);
		edge->ltail = cluster ? sfn_xstrdup(cluster) : NULL;
	}
}

static void choice_edges(struct ctx *c, struct gmachine *m, const json_t *st,
			 const struct gnode *n)
{
	size_t i;
	const json_t *rule;
	json_array_foreach(json_object_get(st, "Choices"), i, rule) {
		const char *next = jstr(rule, "Next");
		if (!next)
			continue;
		struct sfn_strbuf cond = SFN_STRBUF_INIT;
		add_rule(&cond, rule, 0);
		struct sfn_strbuf sb = SFN_STRBUF_INIT;
		add_cut(&sb, cond.buf, MAX_COND);
		sfn_strbuf_release(&cond);
		struct gedge *e =
			edge_to_state(c, m, n->id, n->name, next, GE_CHOICE);
		e->label = sfn_strbuf_detach(&sb, NULL);
	}
	const char *def = jstr(st, "Default");
	if (def) {
		struct gedge *e =
			edge_to_state(c, m, n->id, n->name, def, GE_DEFAULT);
		e->label = sfn_xstrdup("Default");
	}
}

/*
 * One States object: its nodes first (so edges can find every target),
 * then each state's edges. Terminal states lead to @exit_id: the End
 * marker for the root, the join node of the enclosing Parallel/Map (state
 * @exit_name) for a branch.
 */
static int build_machine(struct ctx *c, struct gmachine *m, const json_t *def,
			 const char *exit_id, const char *exit_name, int depth)
{
	if (depth > 64)
		return sfn_errorf(c->err, "SFN_NOT_ASL", NULL,
				  "Parallel and Map states nest deeper than "
				  "64 levels");
	const json_t *states = json_object_get(def, "States");
	const char *name;
	const json_t *st;
	json_object_foreach((json_t *)states, name, st) {
		struct gnode *n = machine_add(m);
		n->name = sfn_xstrdup(name);
		char *base = sfn_graph_node_id(name);
		n->id = unique_id(c->g, base);
		free(base);
		n->kind = kind_of(jstr(st, "Type"));
		if (n->kind == GN_MAP) {
			const json_t *pc = json_object_get(
				json_object_get(st, "ItemProcessor"),
				"ProcessorConfig");
			const char *mode = jstr(pc, "Mode");
			n->distributed = mode && !strcmp(mode, "DISTRIBUTED");
		}
		n->label = state_label(name, st, n->kind, n->distributed);
		if (n->kind == GN_PARALLEL || n->kind == GN_MAP) {
			char *j = sfn_xasprintf("%s_join", n->id);
			n->join_id = unique_id(c->g, j);
			free(j);
			j = sfn_xasprintf("cluster_%s", n->id);
			n->cluster_id = unique_id(c->g, j);
			free(j);
		}
	}
	size_t n_states = m->n_nodes;
	for (size_t i = 0; i < n_states; i++) {
		struct gnode *n = m->nodes[i];
		st = json_object_get(states, n->name);
		bool nested = n->kind == GN_PARALLEL || n->kind == GN_MAP;
		if (nested && build_subs(c, n, st, depth) < 0)
			return -1;
		/* Parallel/Map go on from their join node, after all branches
		 */
		const char *out_id = nested ? n->join_id : n->id;
		const char *next = jstr(st, "Next");
		const json_t *end = json_object_get(st, "End");
		if (n->kind == GN_CHOICE) {
			choice_edges(c, m, st, n);
		} else if (next) {
			struct gedge *e = edge_to_state(c, m, out_id, n->name,
							next, GE_NEXT);
			e->ltail = nested ? sfn_xstrdup(n->cluster_id) : NULL;
		} else if (json_is_true(end) || n->kind == GN_SUCCEED) {
			struct gedge *e =
				edge_add(c->g, out_id, exit_id, GE_NEXT);
			e->from_name = sfn_xstrdup(n->name);
			e->to_name = exit_name ? sfn_xstrdup(exit_name) : NULL;
			e->ltail = nested ? sfn_xstrdup(n->cluster_id) : NULL;
		}
		catch_edges(c, m, st, out_id, n->name,
			    nested ? n->cluster_id : NULL);
	}
	return 0;
}

struct sfn_graph *sfn_graph_build(const json_t *definition,
				  struct sfn_error *err)
{
	if (!json_is_object(json_object_get(definition, "States"))) {
		sfn_errorf(err, "SFN_NOT_ASL", "/States",
			   "not a state machine definition: no 'States' "
			   "object");
		return NULL;
	}
	struct sfn_graph *g = sfn_xcalloc(1, sizeof(*g));
	struct ctx c = { g, err };
	/* reserve the marker ids so no state can take them */
	free(unique_id(g, GRAPH_START_ID));
	free(unique_id(g, GRAPH_END_ID));
	const char *comment = jstr(definition, "Comment");
	if (comment && *comment)
		g->title = sfn_xstrdup(comment);
	if (build_machine(&c, &g->root, definition, GRAPH_END_ID, NULL, 0) <
	    0) {
		sfn_graph_free(g);
		return NULL;
	}
	const char *start = jstr(definition, "StartAt");
	if (start) {
		edge_to_state(&c, &g->root, GRAPH_START_ID, NULL, start,
			      GE_NEXT);
		edge_move_last(g, 0); /* the Start edge reads best first */
	}
	return g;
}

/* ---- overlay lookups, shared by the writers ---- */

const struct sfn_graph_mark *graph_mark(const struct sfn_graph_overlay *ov,
					const char *name)
{
	if (!ov || !name)
		return NULL;
	for (size_t i = 0; i < ov->n_marks; i++)
		if (ov->marks[i].state && !strcmp(ov->marks[i].state, name))
			return &ov->marks[i];
	return NULL;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool graph_edge_taken(const struct sfn_graph_overlay *ov, const struct gedge *e)
{
	if (!ov)
		return false;
	for (size_t i = 0; i < ov->n_path; i++)
		if (same(ov->path[i].from, e->from_name) &&
		    same(ov->path[i].to, e->to_name))
			return true;
	return false;
}

enum sfn_graph_status graph_node_status(const struct sfn_graph_overlay *ov,
					const struct gnode *n)
{
	if (!ov || !n->name)
		return SFN_GRAPH_UNSET;
	const struct sfn_graph_mark *mk = graph_mark(ov, n->name);
	return mk && mk->status != SFN_GRAPH_UNSET ? mk->status
						   : SFN_GRAPH_NOT_REACHED;
}

void graph_overlay_lines(struct sfn_strbuf *sb,
			 const struct sfn_graph_overlay *ov,
			 const struct gnode *n)
{
	const struct sfn_graph_mark *mk = graph_mark(ov, n->name);
	if (!mk)
		return;
	if (mk->retries)
		sfn_strbuf_addf(sb, "\nretried %u time%s", mk->retries,
				mk->retries == 1 ? "" : "s");
	if (mk->redrive)
		sfn_strbuf_addf(sb, "\nredrive #%u", mk->redrive);
	if (mk->note && *mk->note) {
		sfn_strbuf_addch(sb, '\n');
		add_cut(sb, mk->note, MAX_COND);
	}
}
