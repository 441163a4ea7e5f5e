/*
 * Unit tests of the engine's API: results, undefined, errors with their
 * code/token/position, the AWS dialect, the linter's variable walk, and one
 * compiled expression evaluated from several threads at once.
 */
#include "jsonata/jsonata.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/test.h"
#include "jsonata/test_run.h"

/* check() with @bind (JSON text of an object) as the bindings */
static void check_bound(const char *expr, const char *bind, const char *want)
{
	struct sfn_jsonata *e =
		sfn_jsonata_compile(expr, strlen(expr), 0, NULL);
	json_t *b = json_loads(bind, 0, NULL), *r = NULL;
	char *got;
	if (!e)
		got = sfn_xstrdup("ERR compile");
	else if (sfn_jsonata_eval(e, NULL, b, NULL, &r, NULL) < 0)
		got = sfn_xstrdup("ERR");
	else
		got = r ? sfn_json_dumps(r, 0) : sfn_xstrdup("undefined");
	SFN_CHECK_STR(got, want, expr);
	free(got);
	json_decref(r);
	json_decref(b);
	sfn_jsonata_free(e);
}

static void check(const char *expr, const char *doc, int flags,
		  const char *want)
{
	char *got = jn_test_run(expr, doc, flags);
	SFN_CHECK_STR(got, want, expr);
	free(got);
}

/*
 * @expr over @doc with @bind (JSON texts; NULL: none) and a depth limit
 * (0: none), on the document and over it prepared: both must give @want
 * ("ERR CODE" for an error).
 */
static void check_with(const char *expr, const char *doc, const char *bind,
		       unsigned max_depth, const char *want)
{
	struct sfn_jsonata *e =
		sfn_jsonata_compile(expr, strlen(expr), 0, NULL);
	json_t *d = doc ? json_loads(doc, JSON_DECODE_ANY, NULL) : NULL;
	json_t *b = bind ? json_loads(bind, 0, NULL) : NULL;
	struct sfn_jsonata_limits lim = { .max_depth = max_depth };
	struct sfn_jsonata_input *in = d ? sfn_jsonata_input_new(d) : NULL;
	for (int way = 0; way < 2 && e; way++) {
		struct sfn_jsonata_error err = { 0 };
		json_t *r = NULL;
		int rc = way ? sfn_jsonata_eval_input(e, in, b, &lim, &r, &err)
			     : sfn_jsonata_eval(e, d, b, &lim, &r, &err);
		char *got = rc < 0 ? sfn_xasprintf("ERR %s", err.code)
			    : r	   ? sfn_json_dumps(r, JSON_ENCODE_ANY)
				   : sfn_xstrdup("undefined");
		SFN_CHECK_STR(got, want, expr);
		free(got);
		json_decref(r);
		sfn_jsonata_error_release(&err);
	}
	SFN_CHECK(e != NULL, "%s compiles", expr);
	sfn_jsonata_input_free(in);
	json_decref(b);
	json_decref(d);
	sfn_jsonata_free(e);
}

struct job {
	const struct sfn_jsonata *e;
	json_t *doc;
	int ok;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	for (int i = 0; i < 200; i++) {
		json_t *r = NULL;
		if (sfn_jsonata_eval(j->e, j->doc, NULL, NULL, &r, NULL) == 0 &&
		    json_is_integer(r) && json_integer_value(r) == 6)
			j->ok++;
		json_decref(r);
	}
	return NULL;
}

/* the memo and the result object, with bindings, from several threads */
static void *worker_bound(void *arg)
{
	struct job *j = arg;
	for (int i = 0; i < 200; i++) {
		json_t *r = NULL;
		if (sfn_jsonata_eval(j->e, NULL, j->doc, NULL, &r, NULL) == 0 &&
		    json_integer_value(json_object_get(r, "s")) == 3 &&
		    json_is_true(json_object_get(r, "t")))
			j->ok++;
		json_decref(r);
	}
	return NULL;
}

static void visit(const char *name, size_t pos, void *ud)
{
	struct sfn_strbuf *sb = ud;
	sfn_strbuf_addf(sb, "%s@%zu ", name, pos);
}

int main(void)
{
	const char *doc = "{\"a\":[1,2,3],\"o\":{\"k\":\"v\"},\"s\":\"Hello\"}";
	check("$sum(a)", doc, 0, "6");
	check("a[1]", doc, 0, "2");
	check("a[$ > 1]", doc, 0, "[2,3]");
	check("nothing", doc, 0, "undefined");
	check("$", NULL, 0, "undefined");
	check("o.k & s", doc, 0, "\"vHello\"");
	check("$string(1/3)", NULL, 0, "\"0.333333333333333\"");
	check("0.1 + 0.2", NULL, 0, "0.30000000000000004");
	check("$match(s, /l+/).index", doc, 0, "2");
	check("(\n  $f := function($n){ $n <= 1 ? 1 : $n * $f($n - 1) };\n  "
	      "$f(5)\n)",
	      NULL, 0, "120");
	check("\"a\" + 1", NULL, 0, "ERR T2001");
	check("1 +", NULL, 0, "ERR S0207");
	check("$x ?? 3", NULL, 0, "3");
	check("$x ?? 3", NULL, SFN_JSONATA_AWS, "ERR S0211");
	check("$eval('1+1')", NULL, 0, "2");
	check("$eval('1+1')", NULL, SFN_JSONATA_AWS, "ERR T1006");
	check("$partition([1,2,3], 2)", NULL, SFN_JSONATA_AWS, "[[1,2],[3]]");
	check("$partition([1,2,3], 3)", NULL, SFN_JSONATA_AWS, "[[1,2,3]]");
	/* A signature's checked arguments: one per argument taken, one per
	 * parameter that takes none (17 here); jsonata-js gives the same. */
	check("($f := function($a, $b, $c, $d, $e, $g)<n+n?n?n?n?n?>"
	      "{ [$a, $b, $c, $d, $e, $g] }; $f(1,2,3,4,5,6,7,8,9,10,11,12))",
	      NULL, 0, "[1,2,3,4,5,6]");
	check("$partition([1,2,3], 1e50)", NULL, SFN_JSONATA_AWS, "[[1,2,3]]");
	check("$partition([], 1e50)", NULL, SFN_JSONATA_AWS, "[]");
	check("$partition([1,2,3], 2)", NULL, 0, "ERR T1006");
	check("$random(42)", NULL, SFN_JSONATA_AWS, "0.7275636800328681");
	check("$hash('input', 'SHA-1')", NULL, SFN_JSONATA_AWS,
	      "\"140f86aae51ab9e1cda9b4254fe98a74eb54c1a1\"");
	check("$parse('{\"a\": 1}').a", NULL, SFN_JSONATA_AWS, "1");
	check("$range(0, 6, 2)", NULL, SFN_JSONATA_AWS, "[0,2,4,6]");
	check("$length($uuid())", NULL, SFN_JSONATA_AWS, "36");
	/* a precision JavaScript cannot write as an exponent: NaN */
	check("$round(3.022, -32e24)", NULL, 0, "null");
	check("$round(3.022, 1.5)", NULL, 0, "null");
	check("$round(3.022, -400)", NULL, 0, "0");

	/* the short cuts of jn_analyse and eval_step give what jsonata-js
	 * 2.2.2 gives: a sort of one item is that item, unless kept */
	const char *one = "{\"a\":[{\"x\":1}],\"b\":{\"a\":[{\"x\":1}]}}";
	check("a^(x)", one, 0, "{\"x\":1}");
	check("b.a^(x)", one, 0, "{\"x\":1}");
	check("a[]^(x)", one, 0, "[{\"x\":1}]");
	check("b.a", one, 0, "[{\"x\":1}]");
	check("b.a.x", one, 0, "1");
	check("a.x", "{\"a\":[{\"x\":[1]},{\"x\":[2,3]}]}", 0, "[1,2,3]");
	check("a.b", "{\"a\":{\"b\":[]}}", 0, "[]");
	check("a.b.c", "{\"a\":{\"b\":[]}}", 0, "undefined");
	check("($x := 2; ($y := 3; $x * $y))", NULL, 0, "6");
	check("(function($sum){ $sum + 1 })(1)", NULL, 0, "2");
	check("{\"$\": 1}.$", NULL, 0, "{\"$\":1}");
	check("a{x: $count($)}",
	      "{\"a\":[{\"x\":\"k\"},{\"x\":\"j\"},"
	      "{\"x\":\"k\"}]}",
	      0, "{\"k\":2,\"j\":1}");
	check("1 < 2 and \"b\" > \"a\" and 2 = 2.0", NULL, 0, "true");
	/* and/or, '&' and $variables as short cuts: the values eval_binary
	 * and jsonata-js 2.2.2 give, arrays and functions included */
	const char *ab = "{\"a\":[0],\"e\":[],\"b\":{\"c\":[{\"d\":1},"
			 "{\"d\":0}]}}";
	check("a and 1", ab, 0, "false");
	check("e or b.c.d", ab, 0, "true");
	check("e or x", ab, 0, "false");
	check("$sum or e", ab, 0, "false");
	check("($x := a; $x and $x = 0)", ab, 0, "false");
	check("b.c.d & \"-\" & 1.5 & x", ab, 0, "\"[1,0]-1.5\"");
	/* a path resumes after its plain prefix, also after an array */
	check("b.c.(d + 1)", ab, 0, "[2,1]");
	check("b.c.d.(1)", ab, 0, "[1,1]");
	/* a block keeps its frame where $eval may bind in it */
	check("( ($eval(\"$y := 1\")); $y )", NULL, 0, "undefined");
	check("( $eval(\"$y := 1\"); $y )", NULL, 0, "1");
	check("( ($z := 1); $z )", NULL, 0, "undefined");
	/* what $eval binds outlives the call (ASan checks the memory) */
	check("( $eval(\"$s := 'abc'\"); $s )", NULL, 0, "\"abc\"");
	check("( $eval(\"$g := function(){ 'x' & $s }\"); $s := 'y'; $g() )",
	      NULL, 0, "\"xy\"");

	/* the result's short cuts in sfn_jsonata_eval (a path, an object
	 * constructor, a block ending in one) give what the general
	 * evaluation gives: numbers as JavaScript has them, nothing for
	 * undefined or a function, arrays on the way left to the path */
	const char *nums = "{\"a\":{\"r\":5.0,\"f\":1.5,\"i\":7,"
			   "\"big\":9007199254740993,\"s\":\"x\","
			   "\"l\":[{\"v\":1},{\"v\":2}]}}";
	check("a.r", nums, 0, "5");
	check("a.f", nums, 0, "1.5");
	check("a.i", nums, 0, "7");
	check("a.big", nums, 0, "9007199254740992");
	check("a.s.t", nums, 0, "undefined");
	check("a.l.v", nums, 0, "[1,2]");
	check("a.l", nums, 0, "[{\"v\":1},{\"v\":2}]");
	check("{\"r\": a.r, \"n\": a.nothing, \"f\": $sum, \"v\": a.l.v}", nums,
	      0, "{\"r\":5,\"v\":[1,2]}");
	check("($x := a.f; {\"x\": $x * 2, \"s\": a.s})", nums, 0,
	      "{\"x\":3,\"s\":\"x\"}");
	check("{\"a\": $}", "[1,2]", 0, "{\"a\":[1,2]}");
	check("$sum", NULL, SFN_JSONATA_AWS, "ERR SFN0001");
	/* 'in' of a literal array, read off the tree: the values of
	 * eval_binary */
	check("a.s in [\"y\", \"x\"]", nums, 0, "true");
	check("a.i in [\"7\", 8]", nums, 0, "false");
	check("a.nothing in [null]", nums, 0, "false");
	check("null in [1, null]", nums, 0, "true");
	check("a.i in a.i", nums, 0, "true");
	check("a.l in a.l", nums, 0, "false");
	check("a.i in []", nums, 0, "false");
	/* $v.name looked up once for the paths that start with it, unless
	 * something may bind $v */
	const char *vb = "{\"v\":{\"a\":{\"b\":1,\"c\":2},\"s\":\"t\","
			 "\"l\":[{\"b\":1},{\"b\":2}]}}";
	check_bound("$v.a.b + $v.a.c", vb, "3");
	check_bound("{\"x\": $v.a.b, \"y\": $v.a.c, \"z\": $v.q.r}", vb,
		    "{\"x\":1,\"y\":2}");
	check_bound("$v.a.b > 0 and $v.a.c in [2]", vb, "true");
	check_bound("[$v.l.b, $v.l]", vb, "[1,2,{\"b\":1},{\"b\":2}]");
	check_bound("$v.s & $v.s.x & $v.nothing", vb, "\"t\"");
	check_bound("$v.a.b + ($v := {\"a\": {\"b\": 10}}; $v.a.b)", vb, "11");
	check_bound("(function($v){ $v.a.b })({\"a\":{\"b\":5}}) + $v.a.b", vb,
		    "6");
	check_bound("$v.a.b + $eval(\"$v.a.c\")", vb, "3");
	check_bound("$v.l.b + $v.l.b", vb, "ERR");
	/* a built-in's $name that nothing in the expression binds: the
	 * built-in, unless a binding of the caller's or of $eval's hides it */
	check_bound("$sum([1,2]) + $round(1.25, 1)", vb, "4.2");
	check_bound("$sum($v.l.b) + $v.a.c", vb, "5");
	check_bound("$sum([1,2])", "{\"sum\":5}", "ERR");
	check_bound("$round + 1", "{\"round\":5}", "6");
	check_bound("$sum([1,2])", "{\"a\":{},\"summ\":1,\"s\":2}", "3");
	check("($sum := function($a){42}; $eval(\"$sum([1,2])\"))", NULL, 0,
	      "42");
	/* more bindings than the root frame holds on the stack; "$" is the
	 * input's */
	check_bound("$a + $i + $k",
		    "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,"
		    "\"g\":7,\"h\":8,\"i\":9,\"j\":10,\"k\":11,\"$\":0}",
		    "21");
	check_bound("$$", "{\"$\":5}", "undefined");

	/* a path of names as the whole expression, answered before an
	 * evaluation is set up where nothing else could happen: the same
	 * results as the general evaluator's everywhere around it */
	const char *ob = "{\"a\":{\"b\":1}}";
	check_with("$v.a.b", NULL, vb, 0, "1");
	check_with("$v.a", NULL, vb, 0, "{\"b\":1,\"c\":2}");
	check_with("$v.l.b", NULL, vb, 0, "[1,2]");
	check_with("$v.l", NULL, vb, 0, "[{\"b\":1},{\"b\":2}]");
	check_with("$v.q.r", NULL, vb, 0, "undefined");
	check_with("$v.s.x", NULL, vb, 0, "undefined");
	check_with("$v.s", NULL, vb, 0, "\"t\"");
	check_with("$nothing.a", NULL, vb, 0, "undefined");
	check_with("$sum.a", NULL, vb, 0, "undefined");
	check_with("$v.a.b", NULL, NULL, 0, "undefined");
	check_with("$v.a.b", NULL, "[1]", 0, "undefined");
	check_with("$n", NULL, "{\"n\":3}", 0, "3");
	check_with("$n.x", NULL, "{\"n\":3}", 0, "undefined");
	check_with("$n", NULL, "{\"n\":2.0}", 0, "2");
	check_with("$n.x", NULL, "{\"n\":{\"x\":9007199254740993}}", 0,
		   "9007199254740992");
	check_with("$.a.b", ob, "{\"$\":{\"a\":{\"b\":2}}}", 0, "1");
	check_with("$$.a.b", ob, "{\"$\":{\"a\":{\"b\":2}}}", 0, "1");
	check_with("a.b", ob, NULL, 0, "1");
	check_with("a.b", "[{\"a\":{\"b\":1}},{\"a\":{\"b\":2}}]", NULL, 0,
		   "[1,2]");
	check_with("$v.a.b", "[1,2]", vb, 0, "1");
	check_with("a.b", "3", NULL, 0, "undefined");
	check_with("a.b", ob, NULL, 2, "1");
	check_with("a.b", ob, NULL, 1, "ERR U1001");
	check_with("$v.a.b", NULL, vb, 1, "ERR U1001");
	/* objects of such paths, literals and `&`s of strings, answered
	 * the same way; each also in a block, which eval_root evaluates */
	static const char *const objs[][3] = {
		{ "{\"x\": \"a\" & $v.s, \"y\": $v.a.b, \"z\": $v.q.r, "
		  "\"w\": 1.5, \"n\": null, \"t\": true, \"i\": 2}",
		  NULL,
		  "{\"x\":\"at\",\"y\":1,\"w\":1.5,\"n\":null,\"t\":true,"
		  "\"i\":2}" },
		{ "{\"x\": $v.a.b & \"s\"}", NULL, "{\"x\":\"1s\"}" },
		{ "{\"x\": \"s\" & 1}", NULL, "{\"x\":\"s1\"}" },
		{ "{\"x\": $v.l.b}", NULL, "{\"x\":[1,2]}" },
		{ "{\"x\": $v.l.b & \"\"}", NULL, "{\"x\":\"[1,2]\"}" },
		{ "{\"x\": $v.s & $v.nothing, \"y\": $v.nothing & $v.no}", NULL,
		  "{\"x\":\"t\",\"y\":\"\"}" },
		{ "{\"x\": $v.a}", NULL, "{\"x\":{\"b\":1,\"c\":2}}" },
		{ "{\"x\": \"\u00e9\" & $v.s}", NULL, "{\"x\":\"\u00e9t\"}" },
		{ "{\"a\": $v.a.b, \"b\": $v.a.c, \"c\": $v.s & $v.a.x}", NULL,
		  "{\"a\":1,\"b\":2,\"c\":\"t\"}" },
		{ "{\"a\": $v.s.x, \"b\": $v.s.y}", NULL, "{}" },
		{ "{\"a\": $v.l.b, \"b\": $v.l.c}", NULL, "{\"a\":[1,2]}" },
		{ "{\"a\": a.b, \"b\": $v.a.b}", "{\"a\":{\"b\":5}}",
		  "{\"a\":5,\"b\":1}" },
		{ "{\"a\": a.b}", "[{\"a\":{\"b\":5}},{\"a\":{\"b\":6}}]",
		  "{\"a\":[5,6]}" },
		{ "{\"a\": $.a.b & \"\", \"b\": $$.a.b}",
		  "{\"a\":{\"b\":\"q\"}}", "{\"a\":\"q\",\"b\":\"q\"}" },
	};
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		char *blk = sfn_xasprintf("(%s)", objs[i][0]);
		check_with(objs[i][0], objs[i][1], vb, 0, objs[i][2]);
		check_with(blk, objs[i][1], vb, 0, objs[i][2]);
		free(blk);
	}
	/* what two paths share is $v.a, not what one walks on to */
	check_with("{\"p\": $v.a.x.y, \"q\": $v.a.b, \"r\": $v.a.x.b}", NULL,
		   "{\"v\":{\"a\":{\"b\":1,\"x\":{\"y\":2,\"b\":3}}}}", 0,
		   "{\"p\":2,\"q\":1,\"r\":3}");
	check_with("{\"a\": $v.a.b}", NULL, vb, 2, "ERR U1001");
	check_with("{\"a\": $v.a.b}", NULL, vb, 3, "{\"a\":1}");
	check_with("{\"a\": \"x\" & $v.s}", NULL, vb, 3, "ERR U1001");
	check_with("{\"a\": \"x\" & $v.s}", NULL, vb, 4, "{\"a\":\"xt\"}");
	/* longer than the stack's share of the arena: eval_root's */
	struct sfn_strbuf lng = SFN_STRBUF_INIT, want = SFN_STRBUF_INIT;
	sfn_strbuf_adds(&lng, "{\"v\":{\"s\":\"");
	sfn_strbuf_adds(&want, "{\"a\":\"");
	for (int i = 0; i < 5000; i++) {
		sfn_strbuf_addch(&lng, 'a' + i % 26);
		sfn_strbuf_addch(&want, 'a' + i % 26);
	}
	sfn_strbuf_adds(&lng, "\"}}");
	sfn_strbuf_adds(&want, "!\"}");
	check_with("{\"a\": $v.s & \"!\"}", NULL, lng.buf, 0, want.buf);
	sfn_strbuf_release(&lng);
	sfn_strbuf_release(&want);

	json_t *vbd = json_loads(vb, 0, NULL), *vr = NULL;
	struct sfn_jsonata *ve = sfn_jsonata_compile("$v.a", 4, 0, NULL);
	SFN_CHECK_INT(sfn_jsonata_eval(ve, NULL, vbd, NULL, &vr, NULL), 0,
		      "$v.a");
	SFN_CHECK(vr == json_object_get(json_object_get(vbd, "v"), "a"),
		  "a value of a binding is returned as itself");
	json_decref(vr);
	sfn_jsonata_free(ve);
	json_decref(vbd);

	/* a transform that would put an object inside itself fails (no JSON
	 * holds such a value, and every walk over it would never end) */
	const char *cy = "{\"s\":\"Hello\",\"o\":{\"k\":[1],\"e\":{}}}";
	check("$ ~> | o | {'self': $} |", cy, 0, "ERR SFN0002");
	check("$ ~> | o | {'all': [1, {'in': $}]} |", cy, 0, "ERR SFN0002");
	check("($x := $ ~> | o | {'self': $} |; $string($x))", cy, 0,
	      "ERR SFN0002");
	check("$ ~> | ** | {'hello': **} |", cy, 0, "ERR SFN0002");
	/* what is not itself may go in, shared or copied; $$ is the input,
	 * not the copy the transform changes */
	check("$ ~> | o | {'up': $$} |", cy, 0,
	      "{\"s\":\"Hello\",\"o\":{\"k\":[1],\"e\":{},\"up\":"
	      "{\"s\":\"Hello\",\"o\":{\"k\":[1],\"e\":{}}}}}");
	check("$ ~> | o.e | {'x': $$.o} |", cy, 0,
	      "{\"s\":\"Hello\",\"o\":{\"k\":[1],\"e\":{\"x\":"
	      "{\"k\":[1],\"e\":{}}}}}");
	check("$ ~> | o | $ |", cy, 0,
	      "{\"s\":\"Hello\",\"o\":{\"k\":[1],\"e\":{}}}");
	check("$ ~> | o | {'e': e} |", cy, 0,
	      "{\"s\":\"Hello\",\"o\":{\"k\":[1],\"e\":{}}}");
	check("$ ~> | o | {'copy': $clone($)} |", cy, 0,
	      "{\"s\":\"Hello\",\"o\":{\"k\":[1],\"e\":{},\"copy\":"
	      "{\"k\":[1],\"e\":{}}}}");
	check("$ ~> | o | {'k2': k, 'e2': e} |", cy, 0,
	      "{\"s\":\"Hello\",\"o\":{\"k\":[1],\"e\":{},\"k2\":[1],"
	      "\"e2\":{}}}");
	check("($d := [{}, {}]; $t := [$d, $d]; $u := [$t, $t, $t]; "
	      "$ ~> | o | {'d': [$u, $u, $u, $u]} |).o.d[0][0][0][0]",
	      cy, 0, "{}");

	/* a value of the input is the result itself */
	json_t *nd = json_loads(nums, 0, NULL);
	struct sfn_jsonata *pe = sfn_jsonata_compile("a.f", 3, 0, NULL);
	json_t *pr = NULL;
	SFN_CHECK_INT(sfn_jsonata_eval(pe, nd, NULL, NULL, &pr, NULL), 0,
		      "path");
	SFN_CHECK(pr == json_object_get(json_object_get(nd, "a"), "f"),
		  "a value of the input is returned as itself");
	json_decref(pr);
	sfn_jsonata_free(pe);
	json_decref(nd);

	/* error details */
	struct sfn_jsonata_error err = { 0 };
	struct sfn_jsonata *e = sfn_jsonata_compile("1 + $x.y", 8, 0, &err);
	SFN_CHECK(e != NULL, "compile");
	json_t *b = json_pack("{s:{s:s}}", "x", "y", "z");
	json_t *r = NULL;
	SFN_CHECK_INT(sfn_jsonata_eval(e, NULL, b, NULL, &r, &err), -1,
		      "eval fails");
	SFN_CHECK_STR(err.code, "T2002", "code");
	SFN_CHECK_STR(err.token, "+", "token");
	SFN_CHECK_INT(err.position, 3, "position");
	SFN_CHECK_STR(err.value, "\"z\"", "value");
	sfn_jsonata_error_release(&err);
	json_decref(b);

	/* depth limit */
	struct sfn_jsonata_limits lim = { .max_depth = 50 };
	const char *deep =
		"($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100))";
	struct sfn_jsonata *d =
		sfn_jsonata_compile(deep, strlen(deep), 0, &err);
	SFN_CHECK_INT(sfn_jsonata_eval(d, NULL, NULL, &lim, &r, &err), -1,
		      "depth");
	SFN_CHECK_STR(err.code, "U1001", "depth code");
	sfn_jsonata_error_release(&err);
	sfn_jsonata_free(d);

	/* memory limit: checked at the node after the allocation that
	 * crossed it, not only every 256 nodes (one range or one doubling
	 * can take gigabytes before then) */
	struct sfn_jsonata_limits mlim = { .max_memory = 1u << 20 };
	const char *big = "[1..200000] ~> $count()";
	struct sfn_jsonata *m = sfn_jsonata_compile(big, strlen(big), 0, &err);
	SFN_CHECK_INT(sfn_jsonata_eval(m, NULL, NULL, &mlim, &r, &err), -1,
		      "memory");
	SFN_CHECK_STR(err.code, "U1001", "memory code");
	sfn_jsonata_error_release(&err);
	sfn_jsonata_free(m);

	/* variables for the linter */
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	sfn_jsonata_foreach_variable(e, visit, &sb);
	SFN_CHECK_STR(sb.buf, "x@4 ", "variables");
	sfn_strbuf_release(&sb);
	sfn_jsonata_free(e);

	/* one compiled expression, four threads */
	const char *tx = "$sum(a.($ * 1))";
	struct sfn_jsonata *shared =
		sfn_jsonata_compile(tx, strlen(tx), 0, &err);
	json_t *in = json_loads(doc, 0, NULL);
	pthread_t th[4];
	struct job jobs[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct job){ shared, in, 0 };
		pthread_create(&th[i], NULL, worker, &jobs[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		SFN_CHECK_INT(jobs[i].ok, 200, "thread results");
	}
	json_decref(in);
	sfn_jsonata_free(shared);
	const char *tb = "{\"s\": $v.a.b + $v.a.c, \"t\": $v.a.b in [1]}";
	shared = sfn_jsonata_compile(tb, strlen(tb), 0, &err);
	json_t *bound = json_loads(vb, 0, NULL);
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct job){ shared, bound, 0 };
		pthread_create(&th[i], NULL, worker_bound, &jobs[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		SFN_CHECK_INT(jobs[i].ok, 200, "thread results with bindings");
	}
	json_decref(bound);
	sfn_jsonata_free(shared);
	return sfn_test_done();
}
