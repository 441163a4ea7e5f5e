/*
 * Unit tests of the loader: positions of keys and values (JSON and YAML,
 * CRLF, BOM), errors with their line:col, YAML typing, tags, anchors, merge
 * keys, and state machines out of templates.
 *
 * With arguments, the program is also the driver of the malformed-input
 * suite (testdata/loader.cmake): "load_test --case DIR" loads DIR/input*
 * and compares the error or diagnostics with DIR/expected; "load_test
 * --conformance DIR" loads every definition of the recorded executions.
 */
#include "asl/asl.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "asl/asl_int.h"
#include "base/test.h"

/* ---- positions ---- */

struct pos_case {
	const char *label;
	const char *text;
	const char *pointer;
	bool key;
	int line, col;
};

static const struct pos_case pos_cases[] = {
	{ "json root", "{\"a\": 1}", "", false, 1, 1 },
	{ "json value", "{\"a\": 1}", "/a", false, 1, 7 },
	{ "json key", "{\"a\": 1}", "/a", true, 1, 2 },
	{ "json nested",
	  "{\n  \"States\": {\n    \"Pay\": {\"Type\": \"Pass\"}\n  }\n}",
	  "/States/Pay/Type", false, 3, 21 },
	{ "json nested key",
	  "{\n  \"States\": {\n    \"Pay\": {\"Type\": \"Pass\"}\n  }\n}",
	  "/States/Pay", true, 3, 5 },
	{ "json array element", "[1, [2, 3]]", "/1/1", false, 1, 9 },
	{ "json element has no key", "[1, [2, 3]]", "/1/1", true, 1, 9 },
	{ "json fallback to parent", "{\"a\": {\"b\": 1}}", "/a/zz/y", false, 1,
	  7 },
	{ "json fallback key asked", "{\"a\": {\"b\": 1}}", "/a/zz", true, 1,
	  7 },
	{ "json escaped pointer", "{\"a/b\": {\"c~d\": true}}", "/a~1b/c~0d",
	  false, 1, 17 },
	{ "json crlf", "{\r\n\"a\":\r\n  [1,\r\n   2]}", "/a/1", false, 4, 4 },
	{ "json lone cr", "{\r\"a\": 5}", "/a", false, 2, 6 },
	/* Indentation is skipped 8 spaces at a time: runs of 7 to 20, with
	 * tabs, CRLF, lone CRs and a run up to the end of the text. */
	{ "json deep indentation",
	  "{\n            \"a\": [1,\n                    \t  2]}", "/a/1",
	  false, 3, 24 },
	{ "json indentation after cr",
	  "{\r        \"a\":\r\n\t\t        \r       1}", "/a", false, 4, 8 },
	{ "json spaces to the end", "{\"a\": 1}                    \n       ",
	  "/a", false, 1, 7 },
	{ "json bom", "\xEF\xBB\xBF{\"a\": 1}", "/a", false, 1, 7 },
	{ "json utf8 columns",
	  "{\"\xC3\xA9t\xC3\xA9\": \"\xE2\x82\xAC\", \"b\": 2}", "/b", false, 1,
	  19 },
	{ "json utf8 columns on a long line",
	  "{\"long\": "
	  "\"a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
	  "bcdefghij\xC3\xA9\xE2\x82\xAC"
	  "\xF0\x9F\x98\x80klmnopq\xC3\xA9\xE2\x80\x94xyz\", \"b\": 2}",
	  "/b", false, 1, 47 },
	{ "json escaped key", "{\"\\u00e9\": 1, \"x\": 2}", "/\xC3\xA9", true,
	  1, 2 },
	{ "json tab counts one", "{\t\"a\":\t1}", "/a", false, 1, 8 },
	{ "json utf8 then an escape",
	  "{\"a\": \"\xC3\xA9\\n\xE2\x82\xAC\", \"b\": 2}", "/b", false, 1,
	  20 },
	{ "json utf8 then an escape, key",
	  "{\"a\": \"\xC3\xA9\\n\xE2\x82\xAC\", \"b\": 2}", "/b", true, 1, 15 },
	{ "json utf8 on the line before",
	  "{\"\xC3\xA9\": \"\xE2\x82\xAC\",\n \"b\": [1, \"\xC3\xA9\", 3]}",
	  "/b/2", false, 2, 16 },
	{ "json utf8 and a lone cr",
	  "{\"\xC3\xA9\": 1,\r\"b\": \"\xC3\xA9\", \"c\": 3}", "/c", true, 2,
	  11 },
	{ "json utf8 and an escape in a key",
	  "{\"\xC3\xA9\\u00e9\": 1, \"x\": 2}", "/x", false, 1, 21 },
	{ "yaml value", "a: 1\nb:\n  c: x\n", "/b/c", false, 3, 6 },
	{ "yaml key", "a: 1\nb:\n  c: x\n", "/b/c", true, 3, 3 },
	{ "yaml block mapping", "a: 1\nb:\n  c: x\n", "/b", false, 3, 3 },
	{ "yaml sequence", "l:\n  - 1\n  - [2, 3]\n", "/l/1/1", false, 3, 9 },
	{ "yaml crlf", "a: 1\r\nb:\r\n  - x\r\n", "/b/0", false, 3, 5 },
	{ "yaml bom",
	  "\xEF\xBB\xBF"
	  "a: 1\nb: 2\n",
	  "/b", false, 2, 4 },
	{ "yaml utf8 columns",
	  "\xC3\xA9\xC3\xA9: 1\nx: {\xE2\x82\xAC: 1, y: 2}\n", "/x/y", false, 2,
	  14 },
	{ "yaml tag inner", "a: !Sub 'x${y}'\n", "/a/Fn::Sub", false, 1, 4 },
	{ "yaml alias", "a: &x {b: 1}\nc: *x\n", "/c", false, 2, 4 },
	{ "yaml alias inside falls back", "a: &x {b: 1}\nc: *x\n", "/c/b",
	  false, 2, 4 },
	{ "yaml merged key", "a: &x {b: 1}\nc:\n  <<: *x\n  d: 2\n", "/c/b",
	  false, 3, 7 },
	{ "json later duplicate wins", "{\"a\": 1,\n \"a\": 2}", "/a", false, 2,
	  7 },
};

/* sfn_doc_pos_in_string(): byte @off of the string at @pointer. */
static const struct {
	const char *label, *text, *pointer;
	size_t off;
	bool ok;
	int line, col;
} in_string_cases[] = {
	{ "json plain", "{\"a\": \"xyz\"}", "/a", 2, true, 1, 10 },
	{ "json escapes", "{\"a\": \"\\\"\\u00e9\\tz\"}", "/a", 4, true, 1,
	  18 },
	{ "json surrogate pair", "{\"a\": \"\\ud83d\\ude00z\"}", "/a", 4, true,
	  1, 20 },
	{ "json utf-8", "{\"a\": \"\xC3\xA9z\"}", "/a", 2, true, 1, 9 },
	{ "yaml single quoted", "a: 'it''s'\n", "/a", 3, true, 1, 9 },
	{ "yaml literal block", "a: |-\n  xy\n   z\n", "/a", 4, true, 3, 4 },
	{ "yaml folded block", "a: >-\n  xy\n\n  z\n", "/a", 3, true, 4, 3 },
	{ "yaml plain", "a: xyz\n", "/a", 1, true, 1, 5 },
	{ "yaml multi-line flow scalar", "a: \"x\n  y\"\n", "/a", 2, false, 0,
	  0 },
};

static void test_pos_in_string(void)
{
	for (size_t i = 0;
	     i < sizeof(in_string_cases) / sizeof(in_string_cases[0]); i++) {
		const char *text = in_string_cases[i].text;
		struct sfn_error err = SFN_ERROR_INIT;
		struct sfn_doc *doc = sfn_doc_load_mem("t", text, strlen(text),
						       0, NULL, &err);
		SFN_CHECK(doc != NULL, "%s: load failed",
			  in_string_cases[i].label);
		if (doc) {
			int line = 0, col = 0;
			bool ok = sfn_doc_pos_in_string(
				doc, in_string_cases[i].pointer,
				in_string_cases[i].off, &line, &col);
			SFN_CHECK(ok == in_string_cases[i].ok &&
					  line == in_string_cases[i].line &&
					  col == in_string_cases[i].col,
				  "%s: %d %d:%d, want %d %d:%d",
				  in_string_cases[i].label, ok, line, col,
				  in_string_cases[i].ok,
				  in_string_cases[i].line,
				  in_string_cases[i].col);
		}
		sfn_doc_free(doc);
		sfn_error_release(&err);
	}
}

/*
 * The position of @c's pointer when the JSON parser records positions as
 * it goes (a duplicate key or a template makes it), not lazily.
 */
static void check_eager_position(const struct pos_case *c)
{
	struct sfn_srcmap *map = sfn_srcmap_create();
	struct sfn_parse_ctx ctx = {
		.buf = c->text, /* a C string: NUL-terminated */
		.len = strlen(c->text),
		.map = map,
	};
	json_t *root = sfn_parse_json(&ctx);
	SFN_CHECK(root != NULL, "%s: eager parse failed", c->label);
	struct sfn_doc *doc = sfn_doc_make("t", root, map, SFN_HASH_ROOT);
	sfn_srcmap_unref(map);
	int line = -1, col = -1;
	sfn_doc_pos(doc, c->pointer, c->key, &line, &col);
	SFN_CHECK(line == c->line && col == c->col,
		  "%s (eager): '%s' at %d:%d, want %d:%d", c->label, c->pointer,
		  line, col, c->line, c->col);
	sfn_doc_free(doc);
}

static void test_positions(void)
{
	for (size_t i = 0; i < sizeof(pos_cases) / sizeof(pos_cases[0]); i++) {
		const struct pos_case *c = &pos_cases[i];
		struct sfn_error err = SFN_ERROR_INIT;
		struct sfn_doc *doc = sfn_doc_load_mem(
			"t", c->text, strlen(c->text), 0, NULL, &err);
		SFN_CHECK(doc != NULL, "%s: load failed: %s at %d:%d", c->label,
			  err.cause ? err.cause : "?", err.line, err.col);
		if (doc) {
			int line = -1, col = -1;
			sfn_doc_pos(doc, c->pointer, c->key, &line, &col);
			SFN_CHECK(line == c->line && col == c->col,
				  "%s: '%s' at %d:%d, want %d:%d", c->label,
				  c->pointer, line, col, c->line, c->col);
		}
		sfn_doc_free(doc);
		sfn_error_release(&err);
		if (!strncmp(c->label, "json", 4) &&
		    strncmp(c->text, "\xEF\xBB\xBF", 3))
			check_eager_position(c);
	}
}

/* ---- errors ---- */

struct err_case {
	const char *label;
	const char *text;
	int flags;
	const char *cause;
	int line, col;
};

static const struct err_case err_cases[] = {
	{ "empty", "", 0, "file is empty, expected a state machine", 1, 1 },
	{ "blank", " \n", 0,
	  "file has only white space, expected a state machine", 1, 1 },
	{ "truncated object", "{\"a\": 1", 0,
	  "unexpected end of input, expected ',' or '}'", 1, 8 },
	{ "truncated key", "{\"a\"", 0, "unexpected end of input, expected ':'",
	  1, 5 },
	{ "missing value", "{\"a\": }", 0,
	  "unexpected '}', expected a JSON value", 1, 7 },
	{ "bad utf8", "{\"a\": \"x\xC3(\"}", 0, "invalid UTF-8 byte 0xC3", 1,
	  9 },
	{ "overlong", "[\"\xC0\xAF\"]", 0, "invalid UTF-8 byte 0xC0", 1, 3 },
	{ "encoded surrogate", "[\"\xED\xA0\x80\"]", 0,
	  "invalid UTF-8 byte 0xED", 1, 3 },
	{ "lone surrogate", "[\"ab\\uD800\"]", 0,
	  "lone surrogate '\\uD800' in string", 1, 5 },
	{ "lone low surrogate", "[\"\\uDC00\\uD800\"]", 0,
	  "lone surrogate '\\uDC00' in string", 1, 3 },
	{ "nul in a key",
	  "{\"\xC3\xA9\": 1,\n  \"x\": {\"\xC3\xBC\": 2, \"a\\u0000b\": 1}}", 0,
	  "object key contains \\u0000, which is not supported", 2, 17 },
	{ "control char", "{\"a\": \"x\ty\"}", 0,
	  "unescaped control character U+0009 in string", 1, 9 },
	{ "trailing garbage", "{} x", 0,
	  "unexpected 'x' after the end of the JSON value", 1, 4 },
	{ "trailing comma", "[1,\n 2,\n]", 0, "trailing comma before ']'", 2,
	  3 },
	{ "end after colon and space", "{\"a\": ", 0,
	  "unexpected end of input, expected a JSON value", 1, 7 },
	{ "end after colon", "{\"a\":", 0,
	  "unexpected end of input, expected a JSON value", 1, 6 },
	{ "colon, two spaces, brace", "{\"a\":  }", 0,
	  "unexpected '}', expected a JSON value", 1, 8 },
	{ "space, colon, literal", "{\"a\" :x}", 0,
	  "invalid literal 'x', expected true, false, null, a number, a "
	  "string, an object or an array",
	  1, 7 },
	{ "colon, space, literal", "{\"a\": x}", 0,
	  "invalid literal 'x', expected true, false, null, a number, a "
	  "string, an object or an array",
	  1, 7 },
	{ "trailing comma crlf", "[1,\r\n 2,\r\n]", 0,
	  "trailing comma before ']'", 2, 3 },
	{ "trailing comma lone cr", "[1,\r 2,\r\r]", 0,
	  "trailing comma before ']'", 2, 3 },
	{ "trailing comma after utf-8", "{\"\xC3\xA9\": [\"\xC3\xBC\",\n\n  ]}",
	  0, "trailing comma before ']'", 1, 11 },
	{ "trailing comma object crlf", "{\"a\": 1,\r\n\t}", 0,
	  "trailing comma before '}'", 1, 8 },
	{ "trailing comma object", "{\"a\": 1,}", 0,
	  "trailing comma before '}'", 1, 8 },
	{ "crlf error line", "{\r\n\"a\": 1,\r\n\"b\" 2}", 0,
	  "unexpected '2', expected ':'", 3, 5 },
	{ "nan", "[NaN]", 0,
	  "invalid literal 'NaN', expected true, false, null, a number, a "
	  "string, an object or an array",
	  1, 2 },
	{ "leading zero", "[012]", 0,
	  "invalid number '012': leading zeros are not allowed", 1, 2 },
	{ "huge exponent", "[1e400]", 0,
	  "number '1e400' is out of range (beyond 1.7976931348623157e+308)", 1,
	  2 },
	{ "comment", "{ // x\n}", 0, "comments are not allowed in JSON", 1, 3 },
	{ "single quotes", "{'a': 1}", 0,
	  "single-quoted strings are not allowed in JSON, use '\"'", 1, 2 },
	{ "unterminated", "[\"abc", 0,
	  "unterminated string, expected '\"' before the end of input", 1, 2 },
	{ "bad escape", "[\"\\x\"]", 0,
	  "invalid escape '\\' followed by 'x' in string", 1, 3 },
	{ "bom then garbage", "\xEF\xBB\xBF{,}", 0,
	  "unexpected ',', expected a string key or '}'", 1, 2 },
	{ "minus alone", "[-]", 0,
	  "invalid number '-', expected a digit after '-'", 1, 2 },
	{ "yaml tab", "a:\n\tb: 1\n", 0,
	  "found character that cannot start any token (while scanning for "
	  "the next token); YAML indents with spaces, not tabs",
	  2, 1 },
	{ "yaml unquoted jsonata", "a: {% $states.input %}\n", 0,
	  "found character that cannot start any token (while scanning for "
	  "the next token); a JSONata expression is quoted in YAML: "
	  "'{% ... %}'",
	  1, 5 },
	{ "yaml unknown tag", "a: !Foo x\n", 0,
	  "unknown YAML tag '!Foo'; CloudFormation tags are !Ref, !Sub, "
	  "!GetAtt, !Join, !If, ...",
	  1, 4 },
	{ "yaml bad utf8", "a: x\nb: \xC3(\n", 0, "invalid UTF-8 byte 0xC3", 2,
	  4 },
	{ "yaml unknown alias", "a: *nope\n", 0,
	  "unknown anchor 'nope' (an alias must follow its anchor, &nope)", 1,
	  4 },
	{ "yaml two documents", "a: 1\n---\nb: 2\n", 0,
	  "a second YAML document; a state machine file holds one", 2, 1 },
	{ "yaml comments only", "# nothing\n", 0,
	  "the YAML document is empty, expected a state machine", 1, 1 },
	{ "yaml inf", "a: .inf\n", 0,
	  "'.inf' is not a number JSON can hold; quote it to make it a string",
	  1, 4 },
	{ "yaml complex key", "? [a]\n: 1\n", 0,
	  "a sequence as a mapping key is not supported; keys are strings", 1,
	  3 },
	{ "yaml unclosed flow", "a: [1, 2\n", 0,
	  "did not find expected ',' or ']' (while parsing a flow sequence)", 2,
	  1 },
	{ "yaml bad merge", "a:\n  <<: 1\n", 0,
	  "merge key '<<' takes a mapping or a list of mappings", 2, 7 },
	{ "json forced", "a: 1", SFN_LOAD_JSON,
	  "invalid literal 'a', expected true, false, null, a number, a "
	  "string, an object or an array",
	  1, 1 },
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];
		struct sfn_error err = SFN_ERROR_INIT;
		struct sfn_doc *doc = sfn_doc_load_mem(
			"t", c->text, strlen(c->text), c->flags, NULL, &err);
		SFN_CHECK(doc == NULL, "%s: loaded, want an error", c->label);
		SFN_CHECK_STR(err.name, "SFN_PARSE", c->label);
		SFN_CHECK_STR(err.cause, c->cause, c->label);
		SFN_CHECK(err.line == c->line && err.col == c->col,
			  "%s: at %d:%d, want %d:%d", c->label, err.line,
			  err.col, c->line, c->col);
		sfn_doc_free(doc);
		sfn_error_release(&err);
	}
}

/* ---- values ---- */

struct value_case {
	const char *label;
	const char *text;
	const char *want; /* the value, compact, as sfn_json_dumps prints */
};

static const struct value_case value_cases[] = {
	{ "json numbers",
	  "[0, -0, 1.5, 1e2, 9223372036854775807, "
	  "-9223372036854775808, 9223372036854775808, 1e-400]",
	  "[0,0,1.5,100,9223372036854775807,-9223372036854775808,"
	  "9223372036854776000,0]" },
	{ "json escapes",
	  "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"]",
	  "[\"\\\"\\\\/\\b\\f\\n\\r\\t\xC3\xA9\xF0\x9F\x98\x80\"]" },
	{ "json literals", "{\"t\": true, \"f\": false, \"n\": null}",
	  "{\"t\":true,\"f\":false,\"n\":null}" },
	{ "yaml typing of values",
	  "[yes, No, on, OFF, true, y, n, ~, null, '', 12, 0755, 0x1F, 0b101, "
	  "-1_000, 1:30, 1.5, .5, 1e3, 1.0e+3, 'yes', \"12\", 12abc, "
	  "9223372036854775808]",
	  "[true,false,true,false,true,\"y\",\"n\",null,null,\"\",12,493,31,"
	  "5,-1000,90,1.5,0.5,\"1e3\",1000,\"yes\",\"12\",\"12abc\","
	  "9223372036854776000]" },
	{ "yaml keys stay strings", "{Yes: 1, on: 2, 12: 3, null: 4, ~: 5}",
	  "{\"Yes\":1,\"on\":2,\"12\":3,\"null\":4,\"~\":5}" },
	{ "yaml cfn tags",
	  "a: !Ref P\nb: !Sub 'arn:${AWS::Region}'\nc: !GetAtt Fn.Arn\n"
	  "d: !Join ['', [a, !Ref B]]\ne: !Sub [x, {y: 1}]\nf: !GetAZs ''\n"
	  "g: !If [C, 1, !Ref AWS::NoValue]\nh: !Condition C\n"
	  "i: !GetAtt [A, B.C]\nj: !Base64 x\nk: !Select [0, !Split [',', "
	  "s]]\n",
	  "{\"a\":{\"Ref\":\"P\"},\"b\":{\"Fn::Sub\":\"arn:${AWS::Region}\"},"
	  "\"c\":{\"Fn::GetAtt\":[\"Fn\",\"Arn\"]},\"d\":{\"Fn::Join\":[\"\","
	  "[\"a\",{\"Ref\":\"B\"}]]},\"e\":{\"Fn::Sub\":[\"x\",{\"y\":1}]},"
	  "\"f\":{\"Fn::GetAZs\":\"\"},\"g\":{\"Fn::If\":[\"C\",1,{\"Ref\":"
	  "\"AWS::NoValue\"}]},\"h\":{\"Condition\":\"C\"},\"i\":{\"Fn::"
	  "GetAtt\":"
	  "[\"A\",\"B.C\"]},\"j\":{\"Fn::Base64\":\"x\"},\"k\":{\"Fn::Select\":"
	  "[0,{\"Fn::Split\":[\",\",\"s\"]}]}}" },
	{ "yaml standard tags",
	  "[!!str 12, !!int '7', !!bool 'yes', !!null '', "
	  "!!float '1.5', ! 12]",
	  "[\"12\",7,true,null,1.5,\"12\"]" },
	{ "yaml anchors", "a: &x [1, {b: 2}]\nc: *x\nd: &s hi\ne: *s\n",
	  "{\"a\":[1,{\"b\":2}],\"c\":[1,{\"b\":2}],\"d\":\"hi\",\"e\":"
	  "\"hi\"}" },
	{ "yaml merge keys",
	  "base: &b {x: 1, y: 2}\nmore: &m {y: 3, z: 4}\n"
	  "one:\n  <<: *b\n  y: 9\n"
	  "two:\n  x: 0\n  <<: [*m, *b]\n",
	  "{\"base\":{\"x\":1,\"y\":2},\"more\":{\"y\":3,\"z\":4},"
	  "\"one\":{\"x\":1,\"y\":9},\"two\":{\"x\":0,\"y\":3,\"z\":4}}" },
	{ "yaml block scalars",
	  "a: |\n  line 1\n  line 2\nb: >-\n  folded\n  text\n",
	  "{\"a\":\"line 1\\nline 2\\n\",\"b\":\"folded text\"}" },
	{ "json duplicate later wins", "{\"a\": 1, \"b\": 2, \"a\": 3}",
	  "{\"a\":3,\"b\":2}" },
};

static void test_values(void)
{
	for (size_t i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]);
	     i++) {
		const struct value_case *c = &value_cases[i];
		struct sfn_error err = SFN_ERROR_INIT;
		int flags = strncmp(c->label, "yaml", 4) ? 0 : SFN_LOAD_YAML;
		struct sfn_doc *doc = sfn_doc_load_mem(
			"t", c->text, strlen(c->text), flags, NULL, &err);
		SFN_CHECK(doc != NULL, "%s: load failed: %s at %d:%d", c->label,
			  err.cause ? err.cause : "?", err.line, err.col);
		if (doc) {
			char *got = sfn_json_dumps(sfn_doc_root(doc), 0);
			SFN_CHECK_STR(got, c->want, c->label);
			free(got);
		}
		sfn_doc_free(doc);
		sfn_error_release(&err);
	}
}

/*
 * Strings are scanned many bytes at a time where enough of the text
 * remains, byte by byte near its end: each kind of byte that ends a run
 * of plain characters, after runs of every length up to past two blocks
 * of 16, with the text ending right after the string or further on. The
 * runs hold the bytes next to the limits (' ', '!', '#', '[', ']', DEL).
 */
struct run_case {
	const char *label;
	const char *stop; /* after the run, before "b\"]" */
	const char *want; /* the value after the run, or NULL for an error */
	const char *cause;
	int col; /* of the error, after the run */
};

static void check_run(const struct run_case *c, const char *run, size_t pad)
{
	struct sfn_strbuf text = SFN_STRBUF_INIT, want = SFN_STRBUF_INIT;
	size_t n = strlen(run);
	sfn_strbuf_addf(&text, "[\"%s%sb\", x]%*s", run, c->stop, (int)pad, "");
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_doc *doc =
		sfn_doc_load_mem("t", text.buf, text.len, 0, NULL, &err);
	if (c->want) {
		/* The literal x after the string is the error: its column
		 * counts the string's characters. */
		sfn_strbuf_addf(&want, "%s%s", run, c->want);
		int col = 2 + (int)n +
			  (int)sfn_utf8_length(c->stop, strlen(c->stop)) + 5;
		SFN_CHECK(
			doc == NULL && err.col == col && err.cause &&
				!strncmp(err.cause, "invalid literal 'x'", 19),
			"%s, run %zu, pad %zu: %s at %d, want col %d", c->label,
			n, pad, err.cause ? err.cause : "loaded", err.col, col);
		sfn_error_release(&err);
		sfn_doc_free(doc);
		/* Without the literal, the value. */
		text.buf[text.len - pad - 4] = ']';
		text.len -= pad + 3;
		text.buf[text.len] = '\0';
		doc = sfn_doc_load_mem("t", text.buf, text.len, 0, NULL, &err);
		json_t *v = doc ? json_array_get(sfn_doc_root(doc), 0) : NULL;
		SFN_CHECK(v && json_string_length(v) == want.len &&
				  !memcmp(json_string_value(v), want.buf,
					  want.len),
			  "%s, run %zu, pad %zu: '%s', want '%s'", c->label, n,
			  pad, v ? json_string_value(v) : "(none)", want.buf);
	} else {
		SFN_CHECK(doc == NULL && err.cause &&
				  !strcmp(err.cause, c->cause) &&
				  err.col == 2 + (int)n + c->col,
			  "%s, run %zu, pad %zu: %s at %d, want %s at %d",
			  c->label, n, pad, err.cause ? err.cause : "loaded",
			  err.col, c->cause, 2 + (int)n + c->col);
	}
	sfn_doc_free(doc);
	sfn_error_release(&err);
	sfn_strbuf_release(&text);
	sfn_strbuf_release(&want);
}

static void test_string_runs(void)
{
	static const struct run_case cases[] = {
		{ "quote", "", "b", NULL, 0 },
		{ "escape", "\\n", "\nb", NULL, 0 },
		{ "escaped quote", "\\\"", "\"b", NULL, 0 },
		{ "utf-8", "\xC3\xA9",
		  "\xC3\xA9"
		  "b",
		  NULL, 0 },
		{ "4-byte utf-8", "\xF0\x9F\x98\x80",
		  "\xF0\x9F\x98\x80"
		  "b",
		  NULL, 0 },
		{ "utf-8 twice", "\xC3\xA9\xE2\x82\xAC",
		  "\xC3\xA9\xE2\x82\xAC"
		  "b",
		  NULL, 0 },
		{ "utf-8 then escape", "\xC3\xA9\\t", "\xC3\xA9\tb", NULL, 0 },
		{ "utf-8 then bad utf-8", "\xC3\xA9x\xE2\x82", NULL,
		  "invalid UTF-8 byte 0xE2", 3 },
		{ "tab", "\t", NULL,
		  "unescaped control character U+0009 in string", 1 },
		{ "unit separator", "\x1F", NULL,
		  "unescaped control character U+001F in string", 1 },
		{ "bad utf-8", "\xC3(", NULL, "invalid UTF-8 byte 0xC3", 1 },
		{ "stray continuation", "\x80", NULL, "invalid UTF-8 byte 0x80",
		  1 },
		{ "byte 0xFF", "\xFF", NULL, "invalid UTF-8 byte 0xFF", 1 },
	};
	static const char chars[] = " !#[]\x7F~azAZ09/:,{}";
	char run[48];
	for (size_t n = 0; n < sizeof(run) - 1; n++) {
		for (size_t k = 0; k < n; k++)
			run[k] = chars[(k * 7 + n) % (sizeof(chars) - 1)];
		run[n] = '\0';
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			for (size_t pad = 0; pad <= 17; pad += 1 + pad / 4)
				check_run(&cases[i], run, pad);
	}
}

/*
 * Numbers read exactly as strtod/strtoll read them, on both sides of the
 * parser's fast paths (18/19 digits, 2^53, exponents within 22 of zero):
 * fixed edge cases, then pseudo-random numbers of every shape.
 */
static bool number_ok(const char *text)
{
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_doc *doc =
		sfn_doc_load_mem("t", text, strlen(text), 0, NULL, &err);
	bool ok = doc != NULL;
	sfn_error_release(&err);
	if (!ok)
		return false;
	json_t *v = json_array_get(sfn_doc_root(doc), 0);
	const char *num = text + 1;
	bool integer = !strpbrk(num, ".eE");
	errno = 0;
	long long ll = integer ? strtoll(num, NULL, 10) : 0;
	if (integer && errno != ERANGE) {
		ok = json_is_integer(v) && json_integer_value(v) == ll;
	} else {
		double want = strtod(num, NULL);
		double got = json_is_real(v) ? json_real_value(v) : NAN;
		ok = json_is_real(v) && !memcmp(&got, &want, sizeof(got));
	}
	sfn_doc_free(doc);
	return ok;
}

static void test_numbers(void)
{
	static const char *const fixed[] = {
		"[0]",
		"[-0]",
		"[-0.0]",
		"[999999999999999999]",
		"[-999999999999999999]",
		"[1000000000000000000]",
		"[9223372036854775807]",
		"[-9223372036854775808]",
		"[9223372036854775808]",
		"[-9223372036854775809]",
		"[18446744073709551616]",
		"[123456789012345678901234567890]",
		"[9007199254740992.0]",
		"[9007199254740993.0]",
		"[9007199254740993e1]",
		"[1e22]",
		"[1e23]",
		"[1e-22]",
		"[1e-23]",
		"[1.7976931348623157e308]",
		"[4.9e-324]",
		"[2.2250738585072014e-308]",
		"[0.1]",
		"[0.30000000000000004]",
		"[1234567890123456789.5]",
		"[0.0000000000000000000000000001]",
		"[1.5e0005]",
		"[1E+2]",
		"[-3e2]",
		"[1e-99999999999]",
		"[1e+22]",
		"[1E-22]",
		"[-0e0]",
		"[0.5e-21]",
		"[1.5e-7]",
		"[123.456e2]",
		"[9007199254740993e-1]",
		"[1e99]",
		"[1e100]",
		"[1.25e-05]",
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		SFN_CHECK(number_ok(fixed[i]), "number %s", fixed[i]);
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	int bad = 0;
	for (int i = 0; i < 20000 && bad < 5; i++) {
		char text[96];
		size_t n = 0;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint64_t r = x;
		text[n++] = '[';
		if (r & 1)
			text[n++] = '-';
		int nint = 1 + (int)((r >> 1) % 24);
		int nfrac = (r >> 6) & 1 ? (int)((r >> 7) % 24) : 0;
		int exp = (r >> 12) & 1 ? (int)((r >> 13) % 80) - 40 : 1000;
		uint64_t y = r;
		for (int k = 0; k < nint + nfrac; k++) {
			y = y * 6364136223846793005ULL + 1442695040888963407ULL;
			char d = (char)('0' + (y >> 60) % 10);
			if (k == 0 && nint > 1 && d == '0')
				d = '1';
			if (k == nint)
				text[n++] = '.';
			text[n++] = d;
		}
		if (exp != 1000)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "e%d",
					      exp);
		text[n++] = ']';
		text[n] = '\0';
		if (!number_ok(text)) {
			bad++;
			SFN_CHECK(false, "number %s", text);
		}
	}
	SFN_CHECK(bad == 0, "random numbers: %d differ from strtod", bad);
}

/*
 * A JSON document records positions only when one is first asked for, and
 * then the same ones as a parse that records them at once (a duplicate
 * key makes the loader do that); errors keep their line:col either way.
 */
static void test_lazy_positions(void)
{
	const char *text = "{\"States\": {\"A\": {\"Next\": \"B\"},\n"
			   "  \"B\": [1, {\"k\\u00e9y\": true}]}}";
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_doc *doc =
		sfn_doc_load_mem("t", text, strlen(text), 0, NULL, &err);
	SFN_CHECK(doc && doc->map->lazy && doc->map->n == 0,
		  "lazy: no positions recorded by the load");
	int line = 0, col = 0;
	if (doc)
		sfn_doc_pos(doc, "/States/B/1/k\xC3\xA9y", true, &line, &col);
	SFN_CHECK(line == 2 && col == 13, "lazy: key at %d:%d, want 2:13", line,
		  col);
	SFN_CHECK(doc && !doc->map->lazy && doc->map->n == 8,
		  "lazy: every value recorded once asked (%zu)",
		  doc ? doc->map->n : 0);
	sfn_doc_free(doc);
	/* A duplicate key: the loader parses again, recording positions. */
	const char *dup = "{\"a\": 1, \"a\": 2}";
	struct sfn_diags diags = SFN_DIAGS_INIT;
	doc = sfn_doc_load_mem("t", dup, strlen(dup), 0, &diags, &err);
	SFN_CHECK(doc && !doc->map->lazy && doc->map->n == 3,
		  "lazy: a duplicate key records positions at once");
	SFN_CHECK_INT(diags.n, 1, "lazy: the duplicate reported once");
	sfn_doc_free(doc);
	sfn_diags_release(&diags);
	/* An error in a document loaded without positions. */
	const char *bad = "{\"a\": {\"b\": [1,\n 2,]}}";
	doc = sfn_doc_load_mem("t", bad, strlen(bad), 0, NULL, &err);
	SFN_CHECK(!doc && err.line == 2 && err.col == 3,
		  "lazy: error at %d:%d, want 2:3", err.line, err.col);
	sfn_doc_free(doc);
	sfn_error_release(&err);
}

static void test_duplicates(void)
{
	const char *text =
		"{\n  \"States\": {\n    \"A\": 1,\n    \"A\": 2\n  }\n}";
	struct sfn_diags diags = SFN_DIAGS_INIT;
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_doc *doc =
		sfn_doc_load_mem("t", text, strlen(text), 0, &diags, &err);
	SFN_CHECK(doc != NULL, "duplicate: loads");
	SFN_CHECK_INT(diags.n, 1, "duplicate: one diagnostic");
	if (diags.n == 1) {
		SFN_CHECK_STR(diags.v[0].code, "SFN_DUPLICATE_KEY",
			      "duplicate code");
		SFN_CHECK_STR(diags.v[0].message,
			      "duplicate key 'A' (first at 3:5)",
			      "duplicate message");
		SFN_CHECK_STR(diags.v[0].where, "/States/A", "duplicate where");
		SFN_CHECK_INT(diags.v[0].line, 4, "duplicate line");
		SFN_CHECK_INT(diags.v[0].col, 5, "duplicate col");
		SFN_CHECK(diags.v[0].severity == SFN_SEV_ERROR,
			  "duplicate is an error");
	}
	sfn_doc_free(doc);
	sfn_diags_release(&diags);
	sfn_error_release(&err);
}

/*
 * A duplicate key stops the parse without positions, which then parses
 * again with them to report it (the object is checked once, at its end or
 * at an error): errors after a duplicate, in nested objects and arrays,
 * are reported as a parse with positions finds them.
 */
static void test_duplicate_errors(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "{\"a\": 1, \"a\": 2, \"b\": }",
		  "doc 0 err 1:23 unexpected '}', expected a JSON value | diag "
		  "1:10 duplicate key 'a' (first at 1:2) /a" },
		{ "{\"x\": {\"a\": 1, \"a\": 2}, \"y\": [1,}",
		  "doc 0 err 1:33 unexpected '}', expected a JSON value | diag "
		  "1:16 duplicate key 'a' (first at 1:8) /x/a" },
		{ "{\"x\": {\"a\": 1, \"a\": 2, \"z\": x}}",
		  "doc 0 err 1:29 invalid literal 'x', expected true, false, "
		  "null, a number, a string, an object or an array | diag 1:16 "
		  "duplicate key 'a' (first at 1:8) /x/a" },
		{ "{\"x\": 1, \"y\": {\"a\": 1}, \"x\": 2",
		  "doc 0 err 1:31 unexpected end of input, expected ',' or '}' "
		  "| diag 1:25 duplicate key 'x' (first at 1:2) /x" },
		{ "{\"b\": [], \"b\": {\"c\": 1, \"c\": 2}, \"d\": 1, \"d\"}",
		  "doc 0 err 1:45 unexpected '}', expected ':' | diag 1:25 "
		  "duplicate key 'c' (first at 1:17) /b/c | diag 1:11 "
		  "duplicate key 'b' (first at 1:2) /b" },
		{ "[{\"a\":1,\"a\":2},{\"a\":1,\"a\":2}]",
		  "doc 1 | diag 1:9 duplicate key 'a' (first at 1:3) /0/a | "
		  "diag 1:23 duplicate key 'a' (first at 1:17) /1/a => "
		  "[{\"a\":2},{\"a\":2}]" },
		{ "{\"a\": 1, \"a\": 2, \"a\": 3}",
		  "doc 1 | diag 1:10 duplicate key 'a' (first at 1:2) /a | "
		  "diag 1:18 duplicate key 'a' (first at 1:2) /a => "
		  "{\"a\":3}" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sfn_diags d = SFN_DIAGS_INIT;
		struct sfn_error e = SFN_ERROR_INIT;
		const char *text = cases[i].text;
		struct sfn_doc *doc =
			sfn_doc_load_mem("t", text, strlen(text), 0, &d, &e);
		struct sfn_strbuf got = SFN_STRBUF_INIT;
		sfn_strbuf_addf(&got, "doc %d", doc != NULL);
		if (e.cause)
			sfn_strbuf_addf(&got, " err %d:%d %s", e.line, e.col,
					e.cause);
		for (size_t k = 0; k < d.n; k++)
			sfn_strbuf_addf(&got, " | diag %d:%d %s %s",
					d.v[k].line, d.v[k].col, d.v[k].message,
					d.v[k].where ? d.v[k].where : "");
		if (doc) {
			char *s = sfn_json_dumps(sfn_doc_root(doc), 0);
			sfn_strbuf_addf(&got, " => %s", s);
			free(s);
		}
		SFN_CHECK_STR(got.buf, cases[i].want, text);
		sfn_strbuf_release(&got);
		sfn_doc_free(doc);
		sfn_diags_release(&d);
		sfn_error_release(&e);
	}
}

/*
 * A large object's members after the 16th are put in at its '}': the
 * order, escaped keys, nesting, a duplicate among them and an error inside
 * one come out as for a small object.
 */
static void test_large_objects(void)
{
	struct sfn_strbuf in = SFN_STRBUF_INIT, want = SFN_STRBUF_INIT;
	sfn_strbuf_adds(&in, "{");
	sfn_strbuf_adds(&want, "{");
	for (int i = 0; i < 40; i++) {
		const char *sep = i ? "," : "";
		if (i == 20) { /* an escaped key, among the waiting members */
			sfn_strbuf_addf(&in, "%s\"k\\u00e9%d\": %d", sep, i, i);
			sfn_strbuf_addf(&want, "%s\"k\u00e9%d\":%d", sep, i, i);
		} else if (i % 10 == 5) { /* a large object inside */
			sfn_strbuf_addf(&in, "%s\"k%d\": {", sep, i);
			sfn_strbuf_addf(&want, "%s\"k%d\":{", sep, i);
			for (int j = 0; j < 20; j++) {
				sfn_strbuf_addf(&in, "%s\"n%d\": [%d]",
						j ? "," : "", 19 - j, j);
				sfn_strbuf_addf(&want, "%s\"n%d\":[%d]",
						j ? "," : "", 19 - j, j);
			}
			sfn_strbuf_adds(&in, "}");
			sfn_strbuf_adds(&want, "}");
		} else {
			sfn_strbuf_addf(&in, "%s\"k%d\": %d", sep, i, i);
			sfn_strbuf_addf(&want, "%s\"k%d\":%d", sep, i, i);
		}
	}
	sfn_strbuf_adds(&want, "}");
	struct sfn_strbuf text = SFN_STRBUF_INIT;
	for (int variant = 0; variant < 3; variant++) {
		sfn_strbuf_reset(&text);
		sfn_strbuf_add(&text, in.buf, in.len);
		if (variant == 1) /* k3 again, as the last member */
			sfn_strbuf_adds(&text, ", \"k3\": 33");
		if (variant == 2) /* an error in a member's object */
			sfn_strbuf_adds(&text, ", \"k40\": {\"a\": 1,}");
		sfn_strbuf_adds(&text, "}");
		struct sfn_diags diags = SFN_DIAGS_INIT;
		struct sfn_error err = SFN_ERROR_INIT;
		struct sfn_doc *doc = sfn_doc_load_mem("t", text.buf, text.len,
						       0, &diags, &err);
		char *got = doc ? sfn_json_dumps(sfn_doc_root(doc), 0) : NULL;
		if (variant == 0) {
			SFN_CHECK_STR(got, want.buf, "large object: in order");
			SFN_CHECK_INT(diags.n, 0,
				      "large object: no diagnostic");
		} else if (variant == 1) {
			SFN_CHECK(doc && json_integer_value(json_object_get(
						 sfn_doc_root(doc), "k3")) ==
						  33,
				  "large object: the later value wins");
			SFN_CHECK_INT(diags.n, 1,
				      "large object: one duplicate");
			if (diags.n == 1)
				SFN_CHECK_STR(diags.v[0].message,
					      "duplicate key 'k3' (first at "
					      "1:26)",
					      "large object: duplicate");
		} else {
			SFN_CHECK(doc == NULL, "large object: error");
			SFN_CHECK_STR(err.cause, "trailing comma before '}'",
				      "large object: error cause");
		}
		free(got);
		sfn_doc_free(doc);
		sfn_diags_release(&diags);
		sfn_error_release(&err);
	}
	sfn_strbuf_release(&text);
	sfn_strbuf_release(&in);
	sfn_strbuf_release(&want);
}

static void test_yaml_duplicates(void)
{
	const char *text = "States:\n  A: 1\n  B: 2\n  A: 3\n";
	struct sfn_diags diags = SFN_DIAGS_INIT;
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_doc *doc =
		sfn_doc_load_mem("t", text, strlen(text), 0, &diags, &err);
	SFN_CHECK(doc != NULL, "yaml duplicate: loads");
	SFN_CHECK_INT(diags.n, 1, "yaml duplicate: one diagnostic");
	if (diags.n == 1) {
		SFN_CHECK_STR(diags.v[0].message,
			      "duplicate key 'A' (first at 2:3)",
			      "yaml duplicate message");
		SFN_CHECK_STR(diags.v[0].where, "/States/A",
			      "yaml duplicate where");
		SFN_CHECK_INT(diags.v[0].line, 4, "yaml duplicate line");
		SFN_CHECK_INT(diags.v[0].col, 3, "yaml duplicate col");
	}
	if (doc) {
		char *got = sfn_json_dumps(sfn_doc_root(doc), 0);
		SFN_CHECK_STR(got, "{\"States\":{\"A\":3,\"B\":2}}",
			      "yaml duplicate: later wins");
		free(got);
	}
	sfn_doc_free(doc);
	sfn_diags_release(&diags);
	sfn_error_release(&err);
}

static void test_billion_laughs(void)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	sfn_strbuf_adds(&sb, "a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 12; i++)
		sfn_strbuf_addf(
			&sb,
			"a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
			"*a%d, *a%d, *a%d]\n",
			i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
			i - 1, i - 1);
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_doc *doc =
		sfn_doc_load_mem("t", sb.buf, sb.len, 0, NULL, &err);
	SFN_CHECK(doc == NULL, "billion laughs refused");
	SFN_CHECK_STR(err.cause,
		      "aliases expand to more than 1000000 values; the "
		      "document is too large once expanded",
		      "billion laughs cause");
	sfn_doc_free(doc);
	sfn_error_release(&err);
	sfn_strbuf_release(&sb);
}

static void test_deep(void)
{
	size_t n = 100000;
	char *text = sfn_xmalloc(2 * n);
	memset(text, '[', n);
	memset(text + n, ']', n);
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_doc *doc = sfn_doc_load_mem("t", text, 2 * n, 0, NULL, &err);
	SFN_CHECK(doc == NULL, "deep: refused");
	SFN_CHECK_STR(err.cause,
		      "nesting deeper than 2048 levels is not supported",
		      "deep cause");
	SFN_CHECK_INT(err.col, SFN_MAX_DEPTH + 1, "deep col");
	sfn_doc_free(doc);
	sfn_error_release(&err);
	/* Exactly the limit loads. */
	memset(text, '[', SFN_MAX_DEPTH);
	memset(text + SFN_MAX_DEPTH, ']', SFN_MAX_DEPTH);
	doc = sfn_doc_load_mem("t", text, 2 * SFN_MAX_DEPTH, 0, NULL, &err);
	SFN_CHECK(doc != NULL, "deep: the limit itself loads");
	sfn_doc_free(doc);
	sfn_error_release(&err);
	free(text);
}

/* ---- templates (testdata/templates/) ---- */

struct tpl_file {
	const char *path;
	const char *ids; /* the machines' logical ids, in order */
	size_t warnings;
};

static const struct tpl_file tpl_files[] = {
	{ "testdata/templates/cfn.json", "Inline AsString Joined Subbed", 6 },
	{ "testdata/templates/cfn.yaml", "Inline Block Joined", 2 },
	{ "testdata/templates/sam.yaml", "FromFile FromYamlFile Inline", 3 },
	{ "testdata/templates/sam.json", "Flow Other", 1 },
	{ "testdata/templates/cfn-s3.yaml", "Packaged", 0 },
	{ "testdata/templates/attrs.yaml", "Child Parent Twice", 6 },
	{ "testdata/templates/mappings.yaml", "Mapped Imported", 4 },
	{ "testdata/templates/subst-keys.yaml", "Keys", 0 },
};

struct tpl_check {
	const char *path;
	const char *id;
	const char *pointer;
	const char *want; /* the value there, compact JSON */
	const char *file; /* the machine document's name */
	int line, col;	  /* where the value is said to be */
};

static const struct tpl_check tpl_checks[] = {
	{ "testdata/templates/subst-keys.yaml", "Keys", "/States/Begin/Next",
	  "\"Done\"", "testdata/templates/subst-keys.yaml", 15, 19 },
	{ "testdata/templates/subst-keys.yaml", "Keys",
	  "/States/Begin/Result/list/1", "2",
	  "testdata/templates/subst-keys.yaml", 14, 32 },
	{ "testdata/templates/subst-keys.yaml", "Keys", "/States/Begin", NULL,
	  "testdata/templates/subst-keys.yaml", 13, 13 },
	{ "testdata/templates/mappings.yaml", "Mapped", "/States/P/Result",
	  "[\"5\",\"dev-alerts\",\"${Fn::FindInMap}\",\"prod-alerts\"]",
	  "testdata/templates/mappings.yaml", 25, 11 },
	{ "testdata/templates/attrs.yaml", "Parent", "/States/P/Result",
	  "{\"arn\":\"arn:aws:states:us-east-1:123456789012:stateMachine:"
	  "Child\",\"name\":\"Child\",\"queue\":\"Jobs\",\"url\":"
	  "\"https://sqs.us-east-1.amazonaws.com/123456789012/Jobs\","
	  "\"topic\":\"Alerts\"}",
	  "testdata/templates/attrs.yaml", 31, 15 },
	{ "testdata/templates/cfn.json", "Inline", "/States/Work/Resource",
	  "\"arn:aws:lambda:us-east-1:123456789012:function:Worker\"",
	  "testdata/templates/cfn.json", 17, 50 },
	{ "testdata/templates/cfn.json", "Inline", "/States/Done/Result",
	  "\"${Missing}\"", "testdata/templates/cfn.json", 18, 48 },
	{ "testdata/templates/cfn.json", "AsString", "/States/A/Type",
	  "\"Succeed\"", "testdata/templates/cfn.json", 29, 89 },
	{ "testdata/templates/cfn.json", "AsString", "/StartAt", "\"A\"",
	  "testdata/templates/cfn.json", 29, 48 },
	{ "testdata/templates/cfn.json", "Joined", "/States/Call/Resource",
	  "\"arn:aws:lambda:us-east-1:123456789012:function:Worker\"",
	  "testdata/templates/cfn.json", 37, 59 },
	{ "testdata/templates/cfn.json", "Joined", "/States/Call/End", "true",
	  "testdata/templates/cfn.json", 39, 25 },
	{ "testdata/templates/cfn.json", "Subbed", "/States/P/Result",
	  "{\"region\":\"us-east-1\",\"stage\":\"dev\",\"queue\":\"orders\","
	  "\"lit\":\"${Kept}\"}",
	  "testdata/templates/cfn.json", 48, 86 },
	{ "testdata/templates/cfn.yaml", "Inline", "/States/Yes/Resource",
	  "\"arn:aws:lambda:us-east-1:123456789012:function:Worker\"",
	  "testdata/templates/cfn.yaml", 23, 23 },
	{ "testdata/templates/cfn.yaml", "Inline",
	  "/States/Check/Choices/0/Next", "\"Yes\"",
	  "testdata/templates/cfn.yaml", 19, 23 },
	{ "testdata/templates/cfn.yaml", "Block", "/States/Call/TimeoutSeconds",
	  "30", "testdata/templates/cfn.yaml", 38, 33 },
	{ "testdata/templates/cfn.yaml", "Block", "/States/Call", NULL,
	  "testdata/templates/cfn.yaml", 35, 21 },
	{ "testdata/templates/cfn.yaml", "Joined", "/States/W/Seconds", "5",
	  "testdata/templates/cfn.yaml", 49, 25 },
	{ "testdata/templates/sam.yaml", "FromFile",
	  "/States/Record/Parameters/TableName", "\"OrderTable\"",
	  "testdata/templates/statemachine/orders.asl.json", 14, 22 },
	{ "testdata/templates/sam.yaml", "FromYamlFile",
	  "/States/Try/Parameters/Payload/attempts", "\"3\"",
	  "testdata/templates/statemachine/retry.asl.yaml", 9, 19 },
	{ "testdata/templates/sam.yaml", "Inline", "/States/Second/Result",
	  "{\"a\":1,\"b\":3}", "testdata/templates/sam.yaml", 40, 15 },
	{ "testdata/templates/sam.json", "Flow",
	  "/States/Try/Parameters/Payload/attempts", "\"5\"",
	  "testdata/templates/statemachine/retry.asl.yaml", 9, 19 },
	{ "testdata/templates/sam.json", "Flow",
	  "/States/Try/Parameters/FunctionName",
	  "\"arn:aws:lambda:us-east-1:123456789012:function:TryFunction\"",
	  "testdata/templates/statemachine/retry.asl.yaml", 7, 21 },
	{ "testdata/templates/sam.json", "Other", "/States/S/Type",
	  "\"Succeed\"", "testdata/templates/sam.json", 21, 65 },
	{ "testdata/templates/cfn-s3.yaml", "Packaged",
	  "/States/Charge/Resource",
	  "\"arn:aws:lambda:us-east-1:123456789012:function:orders\"",
	  "testdata/templates/statemachine/orders.asl.json", 7, 19 },
};

static void test_templates(void)
{
	for (size_t i = 0; i < sizeof(tpl_files) / sizeof(tpl_files[0]); i++) {
		const struct tpl_file *f = &tpl_files[i];
		struct sfn_diags diags = SFN_DIAGS_INIT;
		struct sfn_error err = SFN_ERROR_INIT;
		struct sfn_machine_list list = { 0 };
		struct sfn_doc *doc =
			sfn_doc_load_file(f->path, 0, &diags, &err);
		SFN_CHECK(doc != NULL, "%s: %s at %d:%d", f->path,
			  err.cause ? err.cause : "?", err.line, err.col);
		if (!doc)
			continue;
		SFN_CHECK(sfn_is_template(sfn_doc_root(doc)), "%s: a template",
			  f->path);
		int rc = sfn_doc_machines(doc, NULL, &list, &diags, &err);
		SFN_CHECK(rc == 0, "%s: machines: %s at %d:%d", f->path,
			  err.cause ? err.cause : "?", err.line, err.col);
		struct sfn_strbuf ids = SFN_STRBUF_INIT;
		for (size_t k = 0; k < list.n; k++) {
			sfn_strbuf_addf(&ids, "%s%s", k ? " " : "",
					list.v[k].logical_id);
			SFN_CHECK(sfn_is_asl(sfn_doc_root(list.v[k].doc)),
				  "%s: '%s' is a state machine", f->path,
				  list.v[k].logical_id);
		}
		SFN_CHECK_STR(ids.buf, f->ids, f->path);
		SFN_CHECK(list.is_template, "%s: is_template", f->path);
		SFN_CHECK_INT(sfn_diags_count(&diags, SFN_SEV_WARNING),
			      f->warnings, f->path);
		SFN_CHECK_INT(sfn_diags_count(&diags, SFN_SEV_ERROR), 0,
			      f->path);
		for (size_t k = 0; k < diags.n; k++)
			SFN_CHECK(diags.v[k].line > 0, "%s: '%s' has a place",
				  f->path, diags.v[k].message);
		sfn_strbuf_release(&ids);
		sfn_machine_list_release(&list);
		sfn_doc_free(doc);
		sfn_diags_release(&diags);
		sfn_error_release(&err);
	}
	for (size_t i = 0; i < sizeof(tpl_checks) / sizeof(tpl_checks[0]);
	     i++) {
		const struct tpl_check *c = &tpl_checks[i];
		struct sfn_error err = SFN_ERROR_INIT;
		struct sfn_machine_list list = { 0 };
		struct sfn_doc *doc = sfn_doc_load_file(c->path, 0, NULL, &err);
		if (!doc ||
		    sfn_doc_machines(doc, c->id, &list, NULL, &err) < 0 ||
		    list.n != 1) {
			SFN_CHECK(false, "%s %s: %s", c->path, c->id,
				  err.cause ? err.cause : "not one machine");
		} else {
			struct sfn_doc *m = list.v[0].doc;
			SFN_CHECK_STR(list.v[0].logical_id, c->id, c->pointer);
			SFN_CHECK_STR(sfn_doc_name(m), c->file, c->pointer);
			json_t *v =
				sfn_pointer_get(sfn_doc_root(m), c->pointer);
			char *got = v ? sfn_json_dumps(v, 0) : NULL;
			if (c->want)
				SFN_CHECK_STR(got, c->want, c->pointer);
			free(got);
			int line, col;
			sfn_doc_pos(m, c->pointer, false, &line, &col);
			SFN_CHECK(line == c->line && col == c->col,
				  "%s %s %s: at %d:%d, want %d:%d", c->path,
				  c->id, c->pointer, line, col, c->line,
				  c->col);
		}
		sfn_machine_list_release(&list);
		sfn_doc_free(doc);
		sfn_error_release(&err);
	}
}

struct tpl_err {
	const char *label;
	const char *text;
	const char *id;
	const char *name;
	const char *cause;
	int line, col;
};

static const struct tpl_err tpl_errs[] = {
	{ "no machine", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n", NULL,
	  "SFN_PARSE",
	  "the template has no AWS::StepFunctions::StateMachine or "
	  "AWS::Serverless::StateMachine resource",
	  2, 3 },
	{ "unknown logical id",
	  "Resources:\n  A:\n    Type: AWS::Serverless::StateMachine\n"
	  "    Properties: {Definition: {StartAt: x, States: {}}}\n",
	  "B", "SFN_PARSE", "no state machine 'B' in the template; it has A", 2,
	  3 },
	{ "no definition",
	  "Resources:\n  A:\n    Type: AWS::StepFunctions::StateMachine\n"
	  "    Properties:\n      RoleArn: x\n",
	  NULL, "SFN_PARSE",
	  "state machine 'A' has no Definition, DefinitionString or "
	  "DefinitionS3Location",
	  5, 7 },
	{ "s3 location",
	  "Resources:\n  A:\n    Type: AWS::StepFunctions::StateMachine\n"
	  "    Properties:\n      DefinitionS3Location: {Bucket: b, Key: k}\n",
	  NULL, "SFN_IO",
	  "DefinitionS3Location of 'A' is in S3 (s3://b/k), which cannot be "
	  "read locally; give a local path instead",
	  5, 29 },
	{ "s3 uri string (what sam package writes)",
	  "Resources:\n  A:\n    Type: AWS::Serverless::StateMachine\n"
	  "    Properties:\n      DefinitionUri: s3://b/k.asl.json\n",
	  NULL, "SFN_IO",
	  "DefinitionUri of 'A' is in S3 (s3://b/k.asl.json), which cannot be "
	  "read locally; give a local path instead",
	  5, 22 },
	{ "missing uri file",
	  "Resources:\n  A:\n    Type: AWS::Serverless::StateMachine\n"
	  "    Properties:\n      DefinitionUri: nowhere.asl.json\n",
	  NULL, "SFN_IO",
	  "cannot load DefinitionUri 'nowhere.asl.json': cannot read file: No "
	  "such file or directory",
	  5, 22 },
	{ "bad definition string",
	  "Resources:\n  A:\n    Type: AWS::StepFunctions::StateMachine\n"
	  "    Properties:\n      DefinitionString: '{\"StartAt\": }'\n",
	  NULL, "SFN_PARSE",
	  "in DefinitionString of 'A': unexpected '}', expected a JSON value",
	  5, 38 },
	{ "plain definition with an id", "{\"StartAt\": \"A\", \"States\": {}}",
	  "A", "SFN_PARSE",
	  "no resource 'A': the file is a state machine definition, not a "
	  "template",
	  0, 0 },
};

static void test_template_errors(void)
{
	for (size_t i = 0; i < sizeof(tpl_errs) / sizeof(tpl_errs[0]); i++) {
		const struct tpl_err *c = &tpl_errs[i];
		struct sfn_error err = SFN_ERROR_INIT;
		struct sfn_machine_list list = { 0 };
		struct sfn_doc *doc = sfn_doc_load_mem(
			"t.yaml", c->text, strlen(c->text), 0, NULL, &err);
		SFN_CHECK(doc != NULL, "%s: loads", c->label);
		if (doc) {
			int rc =
				sfn_doc_machines(doc, c->id, &list, NULL, &err);
			SFN_CHECK(rc < 0, "%s: fails", c->label);
			SFN_CHECK_INT(list.n, 0, c->label);
			SFN_CHECK_STR(err.name, c->name, c->label);
			SFN_CHECK_STR(err.cause, c->cause, c->label);
			SFN_CHECK(err.line == c->line && err.col == c->col,
				  "%s: at %d:%d, want %d:%d", c->label,
				  err.line, err.col, c->line, c->col);
		}
		sfn_machine_list_release(&list);
		sfn_doc_free(doc);
		sfn_error_release(&err);
	}
}

static void test_io_errors(void)
{
	static const struct {
		const char *path;
		const char *cause;
	} cases[] = {
		{ "testdata/templates/no-such-file.json",
		  "cannot read file: No such file or directory" },
		{ "testdata/templates", "cannot read file: Is a directory" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sfn_error err = SFN_ERROR_INIT;
		struct sfn_doc *doc =
			sfn_doc_load_file(cases[i].path, 0, NULL, &err);
		SFN_CHECK(doc == NULL, "%s: refused", cases[i].path);
		SFN_CHECK_STR(err.name, "SFN_IO", cases[i].path);
		SFN_CHECK_STR(err.cause, cases[i].cause, cases[i].path);
		SFN_CHECK_INT(err.line, 0, cases[i].path);
		sfn_doc_free(doc);
		sfn_error_release(&err);
	}
	/* A file's name is the path given. */
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_doc *doc = sfn_doc_load_file(
		"testdata/templates/statemachine/orders.asl.json", 0, NULL,
		&err);
	SFN_CHECK(doc != NULL, "orders.asl.json loads");
	if (doc)
		SFN_CHECK_STR(sfn_doc_name(doc),
			      "testdata/templates/statemachine/orders.asl.json",
			      "doc name");
	sfn_doc_free(doc);
	sfn_error_release(&err);
}

static void test_machines_plain(void)
{
	const char *text =
		"{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": "
		"\"Succeed\"}}}";
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_doc *doc =
		sfn_doc_load_mem("t", text, strlen(text), 0, NULL, &err);
	struct sfn_machine_list list;
	SFN_CHECK(sfn_doc_machines(doc, NULL, &list, NULL, &err) == 0,
		  "plain machines");
	SFN_CHECK_INT(list.n, 1, "plain: one machine");
	SFN_CHECK(!list.is_template, "plain: not a template");
	if (list.n == 1) {
		int line, col;
		sfn_doc_pos(list.v[0].doc, "/States/A/Type", false, &line,
			    &col);
		SFN_CHECK_INT(col, 43, "plain: positions shared");
		SFN_CHECK(list.v[0].logical_id == NULL, "plain: no id");
	}
	sfn_machine_list_release(&list);
	sfn_doc_free(doc);
	sfn_error_release(&err);
}

/* ---- the malformed-input suite: one case directory ---- */

static char *read_all(const char *path, size_t *len)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	if (sfn_strbuf_read_file(&sb, path) < 0) {
		sfn_strbuf_release(&sb);
		return NULL;
	}
	return sfn_strbuf_detach(&sb, len);
}

/* The input a 'generate' line asks for: "nest-json N", "nest-yaml N",
 * "big-json BYTES". */
static char *generate(const char *spec, size_t *len)
{
	char kind[32];
	size_t n;
	if (sscanf(spec, "%31s %zu", kind, &n) != 2)
		return NULL;
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	if (!strcmp(kind, "nest-json") || !strcmp(kind, "nest-yaml")) {
		if (kind[5] == 'y')
			sfn_strbuf_adds(&sb, "x: ");
		sfn_strbuf_grow(&sb, 2 * n);
		for (size_t i = 0; i < n; i++)
			sfn_strbuf_addch(&sb, '[');
		for (size_t i = 0; i < n; i++)
			sfn_strbuf_addch(&sb, ']');
	} else if (!strcmp(kind, "big-json")) {
		/* A state machine of Pass states with payloads, about n
		 * bytes. */
		sfn_strbuf_grow(&sb, n + 4096);
		sfn_strbuf_adds(&sb, "{\"StartAt\": \"S0\", \"States\": {\n");
		for (size_t i = 0; sb.len < n; i++)
			sfn_strbuf_addf(&sb,
					"  \"S%zu\": {\"Type\": \"Pass\", "
					"\"Result\": {\"id\": %zu, \"name\": "
					"\"item \\u00e9 %zu\", \"ok\": true, "
					"\"v\": [1.5, null, -3e2]}, \"Next\": "
					"\"S%zu\"},\n",
					i, i, i, i + 1);
		sfn_strbuf_adds(&sb, "  \"End\": {\"Type\": \"Succeed\"}}}\n");
	} else {
		sfn_strbuf_release(&sb);
		return NULL;
	}
	return sfn_strbuf_detach(&sb, len);
}

static void print_diags(struct sfn_strbuf *out, const char *name,
			const struct sfn_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		sfn_strbuf_addf(out, "%s:%d:%d: %s: %s [%s]\n", name,
				d->v[i].line, d->v[i].col,
				d->v[i].severity == SFN_SEV_ERROR ? "error"
								  : "warning",
				d->v[i].message, d->v[i].code);
}

/*
 * Loads DIR/input (or what DIR/generate describes), then its machines, and
 * prints what sfn would: the error or the diagnostics in the one grammar,
 * "ok" if clean, then for each pointer in DIR/pointers the value's
 * position, its key's, and the value. Compares with DIR/expected
 * (SFN_UPDATE_GOLDEN=1 writes it). Returns 0 if equal.
 */
static int run_case(const char *dir)
{
	char *path = sfn_xasprintf("%s/input", dir);
	size_t len = 0;
	char *buf = read_all(path, &len);
	free(path);
	if (!buf) {
		path = sfn_xasprintf("%s/generate", dir);
		char *spec = read_all(path, NULL);
		free(path);
		buf = spec ? generate(spec, &len) : NULL;
		free(spec);
	}
	if (!buf) {
		fprintf(stderr, "%s: no input, or a bad generate file\n", dir);
		return 1;
	}
	struct sfn_strbuf out = SFN_STRBUF_INIT;
	struct sfn_diags diags = SFN_DIAGS_INIT;
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_machine_list list = { 0 };
	const char *name = "input";
	struct sfn_doc *doc = sfn_doc_load_mem(name, buf, len, 0, &diags, &err);
	if (doc)
		sfn_doc_machines(doc, NULL, &list, &diags, &err);
	print_diags(&out, name, &diags);
	if (sfn_error_is_set(&err)) {
		if (err.line > 0)
			sfn_strbuf_addf(&out, "%s:%d:%d: error: %s [%s]\n",
					name, err.line, err.col, err.cause,
					err.name);
		else
			sfn_strbuf_addf(&out, "%s: error: %s [%s]\n", name,
					err.cause, err.name);
	} else if (!diags.n) {
		sfn_strbuf_addf(&out, "ok: %zu machine(s)\n", list.n);
	}
	path = sfn_xasprintf("%s/pointers", dir);
	char *ptrs = doc ? read_all(path, NULL) : NULL;
	free(path);
	for (char *p = ptrs, *nl; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		char *ptr = sfn_xstrndup(p, (size_t)(nl - p));
		int l, c, kl, kc;
		sfn_doc_pos(doc, ptr, false, &l, &c);
		sfn_doc_pos(doc, ptr, true, &kl, &kc);
		json_t *v = sfn_pointer_get(sfn_doc_root(doc), ptr);
		char *s = v ? sfn_json_dumps(v, 0) : sfn_xstrdup("(absent)");
		sfn_strbuf_addf(&out, "%s at %d:%d key %d:%d = %s\n", ptr, l, c,
				kl, kc, s);
		free(s);
		free(ptr);
		if (!*nl)
			break;
	}
	free(ptrs);

	int rc = 0;
	path = sfn_xasprintf("%s/expected", dir);
	if (getenv("SFN_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "w");
		if (!f || fwrite(out.buf, 1, out.len, f) != out.len)
			rc = 1;
		if (f && fclose(f))
			rc = 1;
	} else {
		char *want = read_all(path, NULL);
		if (!want || strcmp(want, out.buf)) {
			fprintf(stderr, "%s: got:\n%s--- want:\n%s", dir,
				out.buf, want ? want : "(no expected file)\n");
			rc = 1;
		}
		free(want);
	}
	free(path);
	printf("%s", out.buf);
	sfn_machine_list_release(&list);
	sfn_doc_free(doc);
	sfn_diags_release(&diags);
	sfn_error_release(&err);
	sfn_strbuf_release(&out);
	free(buf);
	return rc;
}

/* ---- every definition AWS ran (shared/conformance/aws-recorded) ---- */

static int load_compare(const char *label, const char *text, size_t len,
			const json_t *want)
{
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_diags diags = SFN_DIAGS_INIT;
	struct sfn_doc *doc =
		sfn_doc_load_mem(label, text, len, 0, &diags, &err);
	int rc = 0;
	json_error_t jerr;
	json_t *jans = json_loadb(text, len, JSON_DECODE_ANY, &jerr);
	if (!doc) {
		fprintf(stderr, "%s: %d:%d: %s\n", label, err.line, err.col,
			err.cause);
		rc = 1;
	} else if (diags.n) {
		fprintf(stderr, "%s: %d:%d: %s\n", label, diags.v[0].line,
			diags.v[0].col, diags.v[0].message);
		rc = 1;
	} else if (!jans || !json_equal(sfn_doc_root(doc), jans) ||
		   (want && !sfn_json_equal(sfn_doc_root(doc), want))) {
		fprintf(stderr, "%s: the value differs from jansson's\n",
			label);
		rc = 1;
	}
	json_decref(jans);
	sfn_doc_free(doc);
	sfn_diags_release(&diags);
	sfn_error_release(&err);
	return rc;
}

static int conformance(const char *dir)
{
	struct dirent **names;
	int count = scandir(dir, &names, NULL, alphasort);
	if (count < 0) {
		printf("no cases at '%s': skipped\n", dir);
		return 77;
	}
	int passed = 0, failed = 0;
	for (int i = 0; i < count; i++) {
		const char *n = names[i]->d_name;
		size_t nl = strlen(n);
		if (nl < 5 || strcmp(n + nl - 5, ".json")) {
			free(names[i]);
			continue;
		}
		char *path = sfn_xasprintf("%s/%s", dir, n);
		json_error_t jerr;
		json_t *c = json_load_file(path, 0, &jerr);
		json_t *def = json_object_get(c, "definition");
		json_t *text = json_object_get(c, "definition_text");
		if (!def) {
			fprintf(stderr, "%s: no definition\n", path);
			failed++;
		} else {
			char *s = sfn_json_dumps(def, 0);
			int bad = load_compare(path, s, strlen(s), def);
			free(s);
			s = sfn_json_dumps(def, SFN_JSON_PRETTY);
			bad |= load_compare(path, s, strlen(s), def);
			free(s);
			if (json_is_string(text))
				bad |= load_compare(
					path, json_string_value(text),
					json_string_length(text), NULL);
			if (bad)
				failed++;
			else
				passed++;
		}
		json_decref(c);
		free(path);
		free(names[i]);
	}
	free(names);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/*
 * Loads @path @n times (reading the file each time) and prints the CPU time
 * per load: CPU time, not wall time, so a busy machine skews it less.
 */
static int bench(const char *path, int n)
{
	/* The allocator as the CLI sets it up. */
	sfn_alloc_init();
	/*
	 * The size from stat(), not by reading the file: memory that a read
	 * here allocated and freed would serve the first load, which would
	 * then take fewer page faults than the CLI's.
	 */
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "cannot read '%s'\n", path);
		return 1;
	}
	size_t len = (size_t)st.st_size;
	double best = 1e30, total = 0;
	double *times = sfn_xcalloc((size_t)n, sizeof(*times));
	long faults = 0, first_faults = 0;
	for (int i = 0; i < n; i++) {
		struct timespec t0, t1;
		struct rusage r0, r1;
		struct sfn_error err = SFN_ERROR_INIT;
		getrusage(RUSAGE_SELF, &r0);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
		struct sfn_doc *doc = sfn_doc_load_file(path, 0, NULL, &err);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
		getrusage(RUSAGE_SELF, &r1);
		faults += r1.ru_minflt - r0.ru_minflt;
		if (i == 0)
			first_faults = faults;
		if (!doc) {
			fprintf(stderr, "%s:%d:%d: %s\n", path, err.line,
				err.col, err.cause);
			return 1;
		}
		sfn_doc_free(doc);
		double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		total += ms;
		best = ms < best ? ms : best;
		times[i] = ms;
	}
	qsort(times, (size_t)n, sizeof(*times), cmp_double);
	double median =
		n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
	free(times);
	/* jansson's own parser on the same file, for scale. */
	double jtotal = 0;
	bool json = true;
	for (int i = 0; i < n && json; i++) {
		struct timespec t0, t1;
		json_error_t jerr;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
		json_t *v = json_load_file(path, 0, &jerr);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
		json = v != NULL;
		json_decref(v);
		jtotal += (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			  (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	}
	printf("%s: %zu bytes, %d loads: mean %.2f ms, median %.2f ms, best "
	       "%.2f ms (CPU time); minor page faults: %ld in the first "
	       "load, %ld in all",
	       path, len, n, total / n, median, best, first_faults, faults);
	if (json)
		printf("; jansson's json_load_file: mean %.2f ms\n",
		       jtotal / n);
	else
		printf("; not JSON, so no jansson figure\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--bench"))
		return bench(argv[2], atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "--case"))
		return run_case(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--conformance"))
		return conformance(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: test_load [--case dir | --conformance "
				"dir | --bench file n]\n");
		return 2;
	}
	test_positions();
	test_pos_in_string();
	test_errors();
	test_values();
	test_string_runs();
	test_numbers();
	test_duplicates();
	test_duplicate_errors();
	test_large_objects();
	test_lazy_positions();
	test_deep();
	test_yaml_duplicates();
	test_billion_laughs();
	test_machines_plain();
	test_io_errors();
	test_templates();
	test_template_errors();
	return sfn_test_done();
}
