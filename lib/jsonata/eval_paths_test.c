/*
 * Unit tests of the engine's work over many items: path steps, predicates,
 * grouping and the built-ins that walk arrays ($distinct, $join, $split,
 * the string searches). Each want is what jsonata-js 2.2.2 gives.
 */
#include "jsonata/jsonata.h"

#include <stdlib.h>
#include <string.h>

#include "base/test.h"
#include "jsonata/test_run.h"

struct tcase {
	const char *expr;
	const char *doc;  /* JSON text, or NULL: no input */
	const char *want; /* JSON text, "undefined" or "ERR <code>" */
};

static const char mixed[] = "{\"a\":[{\"b\":[\"x\",\"y\"]},{\"b\":\"x\"},"
			    "{\"b\":[[\"y\",\"z\"]]},{\"b\":{\"k\":1}},"
			    "{\"b\":{\"k\":1}}]}";

/* fields missing, of other types, or arrays where a literal is compared */
static const char orders[] =
	"{\"o\":[{\"id\":1,\"p\":600,\"c\":\"books\",\"t\":[\"a\","
	"\"b\"]},{\"id\":3,\"c\":\"toys\",\"p\":900},{\"id\":4,"
	"\"p\":800,\"c\":[\"books\"]},{\"id\":5,\"p\":501,\"c\":"
	"\"books\",\"k\":{\"r\":\"EU\"}},{\"id\":6,\"p\":10,\"c\":"
	"\"toys\",\"k\":{\"r\":[\"EU\"]}},{\"id\":7,\"c\":\"toys\"}]}";

/* line items for $sum(i.(p * q)) */
static const char lines[] =
	"{\"i\":[{\"p\":1.5,\"q\":2},{\"p\":2,\"q\":3},{\"p\":0.1,"
	"\"q\":3}],\"one\":{\"p\":2,\"q\":5},\"mixed\":[{\"p\":1,"
	"\"q\":2},{\"p\":\"x\",\"q\":1}],\"missing\":[{\"p\":1},"
	"{\"p\":2,\"q\":2}],\"nested\":[[{\"p\":1,\"q\":1}],{\"p\":3,"
	"\"q\":1}],\"arr\":[{\"p\":[1,2],\"q\":2}]}";

static const struct tcase cases[] = {
	/* predicates: a field against a literal, and/or, nested fields */
	{ "o[p > 500 and c = \"books\"].id", orders, "[1,5]" },
	{ "o[p > 500 or c = \"toys\"].id", orders, "[1,3,4,5,6,7]" },
	{ "o[c != \"books\"].id", orders, "[3,4,6,7]" },
	{ "o[c = \"books\"].id", orders, "[1,5]" },
	{ "o[k.r = \"EU\"].id", orders, "5" },
	{ "$count(o[p >= 501 and k.r = \"EU\"])", orders, "1" },
	{ "o[p = 600].t", orders, "[\"a\",\"b\"]" },
	{ "o[p > \"5\"].id", orders, "ERR T2009" },
	{ "o[p > 500 and c = \"books\"].id",
	  "{\"o\":[{\"p\":600,\"c\":\"books\"},{\"p\":[700]}]}", "ERR T2010" },
	/* a step that is one operation on each item's fields or literals,
	 * and where its operands are no numbers or strings */
	{ "o.(p * id)", orders, "[600,2700,3200,2505,60]" },
	{ "o.(2 * p)", orders, "[1200,1800,1600,1002,20]" },
	{ "o.(p > id)", orders, "[true,true,true,true,true]" },
	{ "o.(id & c)", orders,
	  "[\"1books\",\"3toys\",\"4[\\\"books\\\"]\",\"5books\","
	  "\"6toys\",\"7toys\"]" },
	{ "o.(p < 700 and c = \"books\")", orders,
	  "[true,false,false,true,false,false]" },
	{ "o.(id = 3 ? \"x\" : \"y\")", orders,
	  "[\"y\",\"x\",\"y\",\"y\",\"y\",\"y\"]" },
	{ "o.(id * t)", orders, "ERR T2002" },
	{ "o.(c * 2)", orders, "ERR T2001" },
	{ "[1, 2, 3].($ * 2)", NULL, "[2,4,6]" },
	{ "$sum(o.(p * id))", orders, "9065" },
	/* $sum of such a step, added up as it goes: fields missing, of
	 * other types, a single object, nested arrays, a stage after it */
	{ "$sum(i.(p * q))", lines, "9.3" },
	{ "i.(p * q)[1]", lines, "undefined" },
	{ "$sum(i.(p * q)[1])", lines, "undefined" },
	{ "$sum(one.(p * q))", lines, "10" },
	{ "$sum(nested.(p * q))", lines, "4" },
	{ "$sum(missing.(p * q))", lines, "4" },
	{ "$sum(mixed.(p * q))", lines, "ERR T2001" },
	{ "$sum(arr.(p * q))", lines, "ERR T2001" },
	{ "$sum(i.(p > q))", lines, "ERR T0412" },
	{ "$sum(i.(p % q))", lines, "3.6" },
	{ "$sum(none.(p * q))", lines, "undefined" },
	{ "$sum(i.(p * q), 1)", lines, "ERR T0410" },
	{ "($sum := function($a){42}; $sum(i.(p * q)))", lines, "42" },
	{ "( $s := $sum(i.(p * q)); $t := $round($s * 0.2, 2); "
	  "{\"s\": $s, \"t\": $t, \"u\": $s + $t} )",
	  lines, "{\"s\":9.3,\"t\":1.86,\"u\":11.16}" },
	{ "$round(\"a\", 2)", NULL, "ERR T0410" },
	/* a call of a $name: the built-in, or what a block binds to it */
	{ "($sum := function($a){42}; $sum(o.p))", orders, "42" },
	{ "($f := 5; $f(1))", NULL, "ERR T1006" },
	/* names alike in their first bytes, one byte long, a prefix */
	{ "($a := 1; $ab := 2; $abc := 3; $abd := 4; $s := 5; "
	  "[$a, $ab, $abc, $abd, $s, $sum([$s, $a])])",
	  NULL, "[1,2,3,4,5,6]" },
	{ "($abc := 3; $ab)", NULL, "undefined" },
	/* an object constructor of no key, or of keys only */
	{ "{}", NULL, "{}" },
	{ "{\"k\": o[0].id, \"m\": nothing}", orders, "{\"k\":1}" },
	/* an object's values as jansson: reals, integers, strings */
	{ "{\"a\": o[0].p * 1.5, \"b\": \"\u00e9\" & o[0].c, "
	  "\"c\": 1e300 * 1e10, \"d\": 2.0 * 1}",
	  orders, "{\"a\":900,\"b\":\"\u00e9books\",\"c\":null,\"d\":2}" },
	/* grouping */
	{ "o[p < 700]{c: $count($)}", orders, "{\"books\":2,\"toys\":1}" },
	{ "o{c: $sum(p)}", orders, "ERR T1003" },
	{ "$distinct(o.t)", orders, "[\"a\",\"b\"]" },
	/* $distinct: the first of equal items, in order, of any type */
	{ "$distinct([1, \"1\", 1, -0, 0, true, false, true, null, null, "
	  "[1,2], [1,2], {\"a\":1}, {\"a\":1}, \"x\", \"y\", \"x\", [1], 2, "
	  "3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 2, 12])",
	  NULL,
	  "[1,\"1\",0,true,false,null,[1,2],{\"a\":1},\"x\",\"y\",[1],2,3,4,"
	  "5,6,7,8,9,10,11,12]" },
	{ "$distinct(a.b)", mixed, "[\"x\",\"y\",[\"y\",\"z\"],{\"k\":1}]" },
	{ "$distinct([\"b\", \"a\", \"b\"])", NULL, "[\"b\",\"a\"]" },
	{ "$distinct(\"a\")", NULL, "\"a\"" },
	{ "$distinct([])", NULL, "[]" },
	/* more kept strings than the first table holds */
	{ "$distinct($split(\"q,w,e,r,t,y,u,i,o,p,a,s,d,f,g,h,j,k,l,q,w,l\", "
	  "\",\"))",
	  NULL,
	  "[\"q\",\"w\",\"e\",\"r\",\"t\",\"y\",\"u\",\"i\",\"o\",\"p\",\"a\","
	  "\"s\",\"d\",\"f\",\"g\",\"h\",\"j\",\"k\",\"l\"]" },
	/* $split and $join on one-byte and longer separators */
	{ "$split(\"a,,b,\", \",\")", NULL, "[\"a\",\"\",\"b\",\"\"]" },
	{ "$split(\"a::b::\", \"::\", 2)", NULL, "[\"a\",\"b\"]" },
	{ "$split(\"a:b\", \"::\")", NULL, "[\"a:b\"]" },
	{ "$join([\"a\",\"b\",\"c\"], \",\")", NULL, "\"a,b,c\"" },
	{ "$join([\"a\",\"b\",\"c\"], \"--\")", NULL, "\"a--b--c\"" },
	{ "$join([], \",\")", NULL, "\"\"" },
	{ "$count($split($join(a.b, \";\"), \";\"))",
	  "{\"a\":[{\"b\":\"x\"},{\"b\":\"y\"},{\"c\":1},{\"b\":\"\"}]}", "3" },
	{ "$substringBefore(\"abcabc\", \"ca\")", NULL, "\"ab\"" },
	{ "$substringAfter(\"abcabc\", \"cz\")", NULL, "\"abcabc\"" },
	{ "$contains(\"abcabc\", \"bcab\")", NULL, "true" },
	{ "$contains(\"abcab\", \"abc \")", NULL, "false" },
};

/* @expr on @doc as JSON text, "undefined" or "ERR <code>"; caller frees */
int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = jn_test_run(cases[i].expr, cases[i].doc, 0);
		SFN_CHECK_STR(got, cases[i].want, cases[i].expr);
		free(got);
	}
	return sfn_test_done();
}
