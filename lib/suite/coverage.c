/*
 * State coverage: which states were entered, which Choice rules and
 * Defaults were taken, which Catch and Retry clauses fired, which Parallel
 * branches and Map item processors ran, over every case of a suite. It is
 * read from the histories alone: a Choice's rule is the one whose Next is
 * the state entered after it (when several rules share that Next, each is
 * credited and the report says so); a retry is a failure followed by a new
 * attempt, credited to the first retrier whose ErrorEquals matches; a catch
 * is a last failure followed by the state's exit. Where the interpreter
 * says which Choice rule it took ("x-choiceRule"), that is used instead.
 */
#include "suite/suite_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

struct clause {
	json_t *errors; /* ErrorEquals, borrowed */
	const char *next;
	unsigned taken;
};

struct node {
	const char *name; /* borrowed from the definition */
	const char *type;
	unsigned entered;
	struct clause *rules; /* Choice rules, then Default as the last */
	size_t n_rules;
	bool has_default;
	bool ambiguous; /* a Next shared by several rules was taken */
	struct clause *catches;
	size_t n_catches;
	struct clause *retries;
	size_t n_retries;
	/* Parallel branches / the Map's item processor: the state names of
	 * each, and how many times each ran. */
	json_t **branch_states; /* borrowed States objects */
	unsigned *branch_runs;
	size_t n_branches;
};

struct sfn_coverage {
	json_t *definition; /* referenced */
	char *name;
	struct node *nodes;
	size_t n_nodes, alloc;
};

static struct clause *clauses(json_t *list, const char *errkey, size_t *n)
{
	*n = json_array_size(list);
	struct clause *c = sfn_xcalloc(*n + 1, sizeof(*c));
	for (size_t i = 0; i < *n; i++) {
		json_t *item = json_array_get(list, i);
		c[i].errors = errkey ? json_object_get(item, errkey) : NULL;
		c[i].next = json_string_value(json_object_get(item, "Next"));
	}
	return c;
}

static void add_states(struct sfn_coverage *cov, json_t *states, int depth)
{
	const char *name;
	json_t *st;
	if (!json_is_object(states) || depth > 64)
		return;
	json_object_foreach(states, name, st) {
		if (cov->n_nodes == cov->alloc) {
			cov->alloc = cov->alloc ? cov->alloc * 2 : 16;
			cov->nodes = sfn_xrealloc(
				cov->nodes, cov->alloc * sizeof(*cov->nodes));
		}
		size_t idx = cov->n_nodes++;
		struct node *n = &cov->nodes[idx];
		memset(n, 0, sizeof(*n));
		n->name = name;
		n->type = json_string_value(json_object_get(st, "Type"));
		if (!n->type)
			n->type = "?";
		if (!strcmp(n->type, "Choice")) {
			n->rules = clauses(json_object_get(st, "Choices"), NULL,
					   &n->n_rules);
			const char *def = json_string_value(
				json_object_get(st, "Default"));
			if (def) {
				n->rules[n->n_rules].next = def;
				n->has_default = true;
			}
		}
		n->catches = clauses(json_object_get(st, "Catch"),
				     "ErrorEquals", &n->n_catches);
		n->retries = clauses(json_object_get(st, "Retry"),
				     "ErrorEquals", &n->n_retries);
		json_t *branches = json_object_get(st, "Branches");
		json_t *proc = json_object_get(st, "ItemProcessor");
		if (!proc)
			proc = json_object_get(st, "Iterator");
		size_t nb = json_is_array(branches) ? json_array_size(branches)
			    : proc		    ? 1
						    : 0;
		n->n_branches = nb;
		n->branch_states = sfn_xcalloc(nb + 1, sizeof(json_t *));
		n->branch_runs = sfn_xcalloc(nb + 1, sizeof(unsigned));
		for (size_t i = 0; i < nb; i++) {
			json_t *sm = json_is_array(branches)
					     ? json_array_get(branches, i)
					     : proc;
			n->branch_states[i] = json_object_get(sm, "States");
		}
		/* Nested states after this one; @n may move, so by index. */
		for (size_t i = 0; i < nb; i++)
			add_states(cov, cov->nodes[idx].branch_states[i],
				   depth + 1);
	}
}

struct sfn_coverage *sfn_coverage_create(json_t *definition, const char *name)
{
	struct sfn_coverage *cov = sfn_xcalloc(1, sizeof(*cov));
	cov->definition = json_incref(definition);
	cov->name = sfn_xstrdup(name ? name : "");
	add_states(cov, json_object_get(definition, "States"), 0);
	return cov;
}

void sfn_coverage_free(struct sfn_coverage *cov)
{
	if (!cov)
		return;
	for (size_t i = 0; i < cov->n_nodes; i++) {
		free(cov->nodes[i].rules);
		free(cov->nodes[i].catches);
		free(cov->nodes[i].retries);
		free(cov->nodes[i].branch_states);
		free(cov->nodes[i].branch_runs);
	}
	free(cov->nodes);
	free(cov->name);
	json_decref(cov->definition);
	free(cov);
}

static struct node *find(struct sfn_coverage *cov, const char *name)
{
	for (size_t i = 0; name && i < cov->n_nodes; i++)
		if (!strcmp(cov->nodes[i].name, name))
			return &cov->nodes[i];
	return NULL;
}

const char *sfn_coverage_state_type(const struct sfn_coverage *cov,
				    const char *name)
{
	for (size_t i = 0; name && i < cov->n_nodes; i++)
		if (!strcmp(cov->nodes[i].name, name))
			return cov->nodes[i].type;
	return NULL;
}

bool sfn_coverage_has_state(const struct sfn_coverage *cov, const char *name)
{
	return sfn_coverage_state_type(cov, name) != NULL;
}

static bool any_matches(json_t *errors, const char *error)
{
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e)
		if (json_is_string(e) &&
		    error_matches(json_string_value(e), error))
			return true;
	return false;
}

/* Credits the first clause matching @error; by @next when unknown. */
static void credit(struct clause *c, size_t n, const char *error,
		   const char *next)
{
	for (size_t i = 0; i < n; i++) {
		if (error && *error
			    ? any_matches(c[i].errors, error)
			    : (next && c[i].next && !strcmp(c[i].next, next))) {
			c[i].taken++;
			return;
		}
	}
}

void sfn_coverage_add(struct sfn_coverage *cov, json_t *events)
{
	struct trace t;
	trace_build(&t, events);
	for (size_t i = 0; i < t.n; i++) {
		const struct visit *v = &t.v[i];
		struct node *n = find(cov, v->state);
		const char *next = v->next >= 0 ? t.v[v->next].state : NULL;
		if (!n)
			continue;
		n->entered++;
		if (n->rules && v->choice_rule >= -1) {
			size_t r = v->choice_rule < 0 ? n->n_rules
						      : (size_t)v->choice_rule;
			if (r <= n->n_rules)
				n->rules[r].taken++;
		} else if (n->rules && next) {
			size_t hits = 0;
			for (size_t r = 0; r < n->n_rules + n->has_default; r++)
				if (n->rules[r].next &&
				    !strcmp(n->rules[r].next, next)) {
					n->rules[r].taken++;
					hits++;
				}
			if (hits > 1)
				n->ambiguous = true;
		}
		unsigned retried = v->attempts > 1 ? v->attempts - 1 : 0;
		for (size_t e = 0; e < v->n_errors && e < retried; e++)
			credit(n->retries, n->n_retries, v->errors[e], NULL);
		if (v->n_errors > retried && v->exited)
			credit(n->catches, n->n_catches,
			       v->errors[v->n_errors - 1], next);
		/* A branch ran when one of its states was entered in this
		 * visit's scope; counted once per run of the parent. */
		for (size_t b = 0; b < n->n_branches; b++) {
			bool ran = false;
			for (size_t k = i + 1; k < t.n && !ran; k++)
				ran = t.v[k].state &&
				      json_object_get(n->branch_states[b],
						      t.v[k].state) &&
				      !t.v[k].top;
			n->branch_runs[b] += ran;
		}
	}
	trace_release(&t);
}

static json_t *counts(const struct clause *c, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(c[i].taken));
	return a;
}

static void tally(const struct sfn_coverage *cov, size_t *states_hit,
		  size_t *branches_hit, size_t *branches)
{
	*states_hit = *branches_hit = *branches = 0;
	for (size_t i = 0; i < cov->n_nodes; i++) {
		const struct node *n = &cov->nodes[i];
		*states_hit += n->entered > 0;
		size_t nr = n->n_rules + n->has_default;
		for (size_t r = 0; r < nr; r++)
			*branches_hit += n->rules[r].taken > 0;
		for (size_t r = 0; r < n->n_catches; r++)
			*branches_hit += n->catches[r].taken > 0;
		for (size_t r = 0; r < n->n_retries; r++)
			*branches_hit += n->retries[r].taken > 0;
		for (size_t r = 0; r < n->n_branches; r++)
			*branches_hit += n->branch_runs[r] > 0;
		*branches += nr + n->n_catches + n->n_retries + n->n_branches;
	}
}

json_t *sfn_coverage_json(const struct sfn_coverage *cov)
{
	json_t *states = json_object(), *choices = json_object();
	json_t *catches = json_object(), *retries = json_object();
	json_t *branches = json_object();
	size_t sh, bh, bt;
	for (size_t i = 0; i < cov->n_nodes; i++) {
		const struct node *n = &cov->nodes[i];
		json_object_set_new(states, n->name,
				    json_pack("{s:s, s:i}", "type", n->type,
					      "entered", (int)n->entered));
		if (n->rules) {
			json_t *c = json_pack("{s:o}", "rules",
					      counts(n->rules, n->n_rules));
			if (n->has_default)
				json_object_set_new(
					c, "default",
					json_integer(
						n->rules[n->n_rules].taken));
			if (n->ambiguous)
				json_object_set_new(c, "ambiguous",
						    json_true());
			json_object_set_new(choices, n->name, c);
		}
		if (n->n_catches)
			json_object_set_new(catches, n->name,
					    counts(n->catches, n->n_catches));
		if (n->n_retries)
			json_object_set_new(retries, n->name,
					    counts(n->retries, n->n_retries));
		if (n->n_branches) {
			json_t *a = json_array();
			for (size_t b = 0; b < n->n_branches; b++)
				json_array_append_new(
					a, json_integer(n->branch_runs[b]));
			json_object_set_new(branches, n->name, a);
		}
	}
	tally(cov, &sh, &bh, &bt);
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:{s:[i,i], s:[i,i]}}",
			 "name", cov->name, "states", states, "choices",
			 choices, "catches", catches, "retries", retries,
			 "branches", branches, "summary", "states", (int)sh,
			 (int)cov->n_nodes, "branches", (int)bh, (int)bt);
}

static double pct(size_t a, size_t b)
{
	return b ? 100.0 * (double)a / (double)b : 100.0;
}

void sfn_coverage_text(const struct sfn_coverage *cov, struct sfn_strbuf *sb)
{
	size_t sh, bh, bt;
	tally(cov, &sh, &bh, &bt);
	sfn_strbuf_addf(sb,
			"coverage of %s: states %zu/%zu (%.0f%%), branches "
			"%zu/%zu (%.0f%%)\n",
			cov->name, sh, cov->n_nodes, pct(sh, cov->n_nodes), bh,
			bt, pct(bh, bt));
	for (size_t i = 0; i < cov->n_nodes; i++) {
		const struct node *n = &cov->nodes[i];
		if (!n->entered) {
			sfn_strbuf_addf(sb, "  %s '%s': never entered\n",
					n->type, n->name);
			continue;
		}
		for (size_t r = 0; r < n->n_rules; r++)
			if (!n->rules[r].taken)
				sfn_strbuf_addf(sb,
						"  Choice '%s': rule %zu (Next "
						"'%s') never taken\n",
						n->name, r,
						n->rules[r].next
							? n->rules[r].next
							: "?");
		if (n->has_default && !n->rules[n->n_rules].taken)
			sfn_strbuf_addf(sb,
					"  Choice '%s': Default (Next '%s') "
					"never taken\n",
					n->name, n->rules[n->n_rules].next);
		if (n->ambiguous)
			sfn_strbuf_addf(sb,
					"  Choice '%s': several rules share a "
					"Next; each taken one was credited\n",
					n->name);
		for (size_t r = 0; r < n->n_catches; r++)
			if (!n->catches[r].taken)
				sfn_strbuf_addf(sb,
						"  Catch %zu of '%s' (Next "
						"'%s') never fired\n",
						r, n->name,
						n->catches[r].next
							? n->catches[r].next
							: "?");
		for (size_t r = 0; r < n->n_retries; r++)
			if (!n->retries[r].taken)
				sfn_strbuf_addf(sb,
						"  Retry %zu of '%s' never "
						"fired\n",
						r, n->name);
		for (size_t b = 0; b < n->n_branches; b++)
			if (!n->branch_runs[b])
				sfn_strbuf_addf(sb,
						"  %s '%s': %s %zu never ran\n",
						n->type, n->name,
						strcmp(n->type, "Map")
							? "branch"
							: "item processor",
						b);
	}
}
