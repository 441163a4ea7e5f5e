/*
 * Unit tests of prepared inputs (sfn_jsonata_input_new,
 * sfn_jsonata_eval_input): each expression gives over a prepared input
 * exactly what sfn_jsonata_eval gives over the jansson document (integers
 * and reals apart, key order, NUL bytes, parents, roots); no expression
 * changes the prepared input, even those that look as if they would
 * (sorting, grouping, transforms, flags on arrays); and one input serves
 * several threads at once.
 */
#include "jsonata/jsonata.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/test.h"
#include "jsonata/jsonata_int.h" /* jn_input_intact, jn_json_identical */

static const char doc_text[] =
	"{\"orders\": ["
	"{\"id\": 1, \"price\": 2.5, \"qty\": 3, \"tags\": [\"a\", \"b\"],"
	" \"c\": {\"name\": \"Ada\", \"r\": \"EU\"}, \"cat\": \"x\"},"
	"{\"id\": 2, \"price\": 1.0, \"qty\": 1, \"tags\": [\"b\"],"
	" \"c\": {\"name\": \"Bo\", \"r\": \"US\"}, \"cat\": \"y\"},"
	"{\"id\": 3, \"price\": 7.25, \"qty\": 2, \"tags\": [],"
	" \"c\": {\"name\": \"Chen\", \"r\": \"EU\"}, \"cat\": \"x\"}],"
	" \"real\": 4.0, \"big\": 9007199254740993, \"neg\": -0.0,"
	" \"nul\": \"a\\u0000b\", \"empty\": {}, \"none\": [], \"null\": null,"
	" \"t\": true, \"f\": false, \"one\": [5], \"nested\": [[1, [2]], [3]],"
	" \"many\": {\"k1\": 1, \"k2\": 2, \"k3\": 3, \"k4\": 4, \"k5\": 5,"
	" \"k6\": 6, \"k7\": 7, \"k8\": 8, \"k9\": 9, \"k10\": 10, \"k11\": 11,"
	" \"k12\": 12, \"k13\": 13, \"k14\": 14, \"k15\": 15, \"k16\": 16,"
	" \"k17\": 17, \"k18\": 18}, \"u\": \"\\u00e9t\\u00e9\"}";

/* read as they are, and mutating-looking: each must leave the input be */
static const char *const exprs[] = {
	"$",
	"$$",
	"orders",
	"orders[0]",
	"orders.tags",
	"orders.tags[]",
	"orders[].tags",
	"$distinct(orders.tags)",
	"$distinct(orders)",
	"orders{cat: $sum(price)}",
	"orders{cat: $}",
	"orders{cat: tags}",
	"orders^(>price)",
	"orders^(>price).id",
	"$sort(orders, function($a, $b) { $a.qty > $b.qty })",
	"$sort(orders.id)",
	"$reverse(orders)",
	"$append(orders, orders)",
	"$append(one, 6)",
	"one[]",
	"[one]",
	"[orders.tags]",
	"orders.[tags]",
	"orders ~> | $ | {\"id\": 0, \"new\": 1}, [\"price\"] |",
	"$ ~> | orders | {\"qty\": 0} |",
	"( $clone := function($x) { $x }; $ ~> | orders | {\"qty\": 0}, "
	"[\"id\"] | )",
	"orders.c.%.id",
	"orders.c.%.%.real",
	"orders@$o.tags@$t.{\"o\": $o.id, \"t\": $t}",
	"orders#$i[$i > 0].id",
	"orders[status = \"shipped\" and c.r = \"EU\"]",
	"$count(orders[qty > 1 and c.r = \"EU\"])",
	"$merge(orders.c)",
	"$spread(many)",
	"$keys(many)",
	"$lookup(orders, \"c\")",
	"$each(many, function($v, $k) { $k & $v })",
	"$sift(many, function($v) { $v > 9 })",
	"many.k17",
	"many.k1 + many.k18",
	"$zip(orders.id, orders.qty)",
	"$shuffle(orders) ~> $count",
	"$map(orders, function($o) { $o.price * $o.qty })",
	"$filter(orders, function($o) { $o.qty > 1 }).id",
	"$reduce(orders.qty, function($a, $b) { $a + $b })",
	"$join(orders.c.name, \",\") ~> $split(\",\")",
	"$string($)",
	"$string(orders, true)",
	"**.r",
	"*.name",
	"orders.*",
	"nested",
	"nested[0]",
	"nested.$",
	"($flatten := function($a) { $type($a) = \"array\" ? $a.$flatten($) : "
	"$a }; $flatten(nested))",
	"real",
	"[real, big, neg]",
	"big",
	"neg",
	"nul",
	"$length(nul)",
	"nul & \"!\"",
	"empty",
	"none",
	"[empty, none]",
	"null",
	"t and f",
	"u",
	"$substring(u, 1)",
	"$.{\"a\": real, \"b\": orders[1].price}",
	"{\"r\": real, \"o\": orders[1]}",
	"orders[1].price",
	"orders.price",
	"$sum(orders.price)",
	"$average(orders.qty)",
	"orders[[0..1]].c.name",
	"orders[-1]",
	"$exists(nothing)",
	"nothing.at.all",
	"$error(\"boom\")",
	"orders.id.x.y",
	"$type(orders)",
	"$single(orders[id = 2])",
	"$ ~> $each(function($v, $k) { $k })",
	"orders.{\"t\": tags, \"n\": $count(tags)}",
	"($a := orders; $a[0].tags)",
	"orders.tags ~> $distinct ~> $sort",
};

static char *outcome(int rc, json_t *r, const struct sfn_jsonata_error *err)
{
	if (rc < 0)
		return sfn_xasprintf("ERR %s", err->code);
	if (!r)
		return sfn_xstrdup("undefined");
	/* the types, so that an integer and a real 4.0 differ */
	char *text = sfn_json_dumps(r, 0);
	char *s = sfn_xasprintf("%d %s", (int)json_typeof(r), text);
	free(text);
	return s;
}

static void check_all(json_t *doc, struct sfn_jsonata_input *in)
{
	for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		struct sfn_jsonata_error err = { 0 };
		struct sfn_jsonata *e = sfn_jsonata_compile(
			exprs[i], strlen(exprs[i]), 0, &err);
		if (!e) {
			SFN_CHECK(false, "case %zu: %s: compile error %s", i,
				  exprs[i], err.code);
			sfn_jsonata_error_release(&err);
			continue;
		}
		json_t *r = NULL, *p = NULL, *p2 = NULL;
		int rc = sfn_jsonata_eval(e, doc, NULL, NULL, &r, &err);
		char *want = outcome(rc, r, &err);
		sfn_jsonata_error_release(&err);
		/* twice: the first must not change what the second reads */
		for (int k = 0; k < 2; k++) {
			json_t **res = k ? &p2 : &p;
			rc = sfn_jsonata_eval_input(e, in, NULL, NULL, res,
						    &err);
			char *got = outcome(rc, *res, &err);
			sfn_jsonata_error_release(&err);
			SFN_CHECK(!strcmp(got, want),
				  "case %zu: %s: prepared gave %s, jansson %s",
				  i, exprs[i], got, want);
			free(got);
		}
		/* an exact result: integers and reals apart, keys in order */
		SFN_CHECK(jn_json_identical(r, p),
			  "case %zu: %s: not identical", i, exprs[i]);
		SFN_CHECK(jn_input_intact(in), "case %zu: %s changed the input",
			  i, exprs[i]);
		free(want);
		json_decref(r);
		json_decref(p);
		json_decref(p2);
		sfn_jsonata_free(e);
	}
}

struct job {
	const struct sfn_jsonata *e;
	const struct sfn_jsonata_input *in;
	int ok;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	for (int i = 0; i < 200; i++) {
		json_t *r = NULL;
		if (sfn_jsonata_eval_input(j->e, j->in, NULL, NULL, &r, NULL) ==
			    0 &&
		    json_is_integer(r) && json_integer_value(r) == 23)
			j->ok++;
		json_decref(r);
	}
	return NULL;
}

int main(void)
{
	sfn_alloc_init();
	json_t *doc = json_loads(doc_text, JSON_ALLOW_NUL, NULL);
	SFN_CHECK(doc != NULL, "the test document parses");
	struct sfn_jsonata_input *in = sfn_jsonata_input_new(doc);
	SFN_CHECK(in && jn_input_intact(in), "a fresh input is intact");
	check_all(doc, in);

	/* no input at all, and scalars and arrays as the whole input */
	const char *docs[] = { "5",  "4.0", "\"s\"", "[1, [2, 3], {\"a\": 4}]",
			       "[]", "{}",  "null" };
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		json_t *d = json_loads(docs[i], JSON_DECODE_ANY, NULL);
		struct sfn_jsonata_input *di = sfn_jsonata_input_new(d);
		check_all(d, di);
		sfn_jsonata_input_free(di);
		json_decref(d);
	}
	struct sfn_jsonata_input *none = sfn_jsonata_input_new(NULL);
	check_all(NULL, none);
	sfn_jsonata_input_free(none);
	sfn_jsonata_input_free(NULL);

	/* deeper than SFN_MAX_DEPTH: refused, not a crash */
	json_t *deep = json_array(), *cur = deep;
	for (int i = 0; i < SFN_MAX_DEPTH + 5; i++) {
		json_t *x = json_array();
		json_array_append_new(cur, x);
		cur = x;
	}
	SFN_CHECK(sfn_jsonata_input_new(deep) == NULL,
		  "a document nested too deeply is refused");
	json_decref(deep);

	/* one input, four threads at once */
	const char *te = "$sum(orders.(price * qty))";
	struct sfn_jsonata *e = sfn_jsonata_compile(te, strlen(te), 0, NULL);
	pthread_t th[4];
	struct job jobs[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct job){ e, in, 0 };
		pthread_create(&th[i], NULL, worker, &jobs[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		SFN_CHECK_INT(jobs[i].ok, 200, "thread results");
	}
	SFN_CHECK(jn_input_intact(in), "the threads left the input be");
	sfn_jsonata_free(e);

	/* the input holds its own reference to the document */
	json_decref(doc);
	te = "orders[2].c";
	e = sfn_jsonata_compile(te, strlen(te), 0, NULL);
	json_t *r = NULL;
	SFN_CHECK(sfn_jsonata_eval_input(e, in, NULL, NULL, &r, NULL) == 0 &&
			  json_is_object(r) &&
			  !strcmp(json_string_value(json_object_get(r, "name")),
				  "Chen"),
		  "the input outlives the caller's reference");
	json_decref(r);
	sfn_jsonata_free(e);
	sfn_jsonata_input_free(in);
	return sfn_test_done();
}
