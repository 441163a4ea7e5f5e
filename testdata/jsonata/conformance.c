/*
 * The JSONata reference suite (../shared/conformance/jsonata/) under ctest,
 * following the suite's README: pick the input, compile, bind, evaluate
 * (with the case's time and depth limits), compare. Cases that still fail
 * are listed in testdata/jsonata/known-failures.txt ("<id> <reason>"); the
 * run fails on any failure not listed there, and on any listed case that
 * now passes, so the list only shrinks.
 *
 * usage: jsonata_conformance SUITE_DIR KNOWN_FAILURES [--write-known FILE]
 *        [--group NAME] [--prepared] [-v]
 *
 * --prepared evaluates each case over a prepared input (sfn_jsonata_input_
 * new, sfn_jsonata_eval_input) instead of the jansson document; a case then
 * also fails when the prepared input changed, or when its result differs
 * in any way (integers and reals apart, key order) from sfn_jsonata_eval's.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/base.h"
#include "jsonata/jsonata.h"
#include "jsonata/jsonata_int.h" /* jn_input_intact, jn_json_identical */

struct strlist {
	char **v;
	size_t n, cap;
};

static void sl_add(struct strlist *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = sfn_xrealloc(l->v, l->cap * sizeof(char *));
	}
	l->v[l->n++] = s;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct strlist list_dir(const char *dir, const char *suffix)
{
	struct strlist l = { 0 };
	DIR *d = opendir(dir);
	if (!d)
		return l;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		size_t n = strlen(de->d_name), sn = suffix ? strlen(suffix) : 0;
		if (suffix && (n < sn || strcmp(de->d_name + n - sn, suffix)))
			continue;
		sl_add(&l, sfn_xstrdup(de->d_name));
	}
	closedir(d);
	qsort(l.v, l.n, sizeof(char *), cmpstr);
	return l;
}

static void sl_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* a lone surrogate escape becomes its WTF-8 bytes, as JavaScript keeps it */
static void unescape_surrogates(json_t *j)
{
	if (json_is_array(j)) {
		for (size_t i = 0; i < json_array_size(j); i++) {
			json_t *e = json_array_get(j, i);
			if (json_is_string(e)) {
				const char *s = json_string_value(e);
				if (strstr(s, "\\uD8") || strstr(s, "\\uDC")) {
					struct sfn_strbuf sb = SFN_STRBUF_INIT;
					for (const char *p = s; *p; p++) {
						unsigned v;
						if (p[0] == '\\' &&
						    p[1] == 'u' &&
						    sscanf(p + 2, "%4x", &v) ==
							    1 &&
						    v >= 0xD800 && v < 0xE000) {
							sfn_strbuf_addch(
								&sb,
								(int)(0xE0 |
								      (v >>
								       12)));
							sfn_strbuf_addch(
								&sb,
								(int)(0x80 |
								      ((v >>
									6) &
								       0x3F)));
							sfn_strbuf_addch(
								&sb,
								(int)(0x80 |
								      (v &
								       0x3F)));
							p += 5;
						} else {
							sfn_strbuf_addch(&sb,
									 *p);
						}
					}
					json_array_set_new(
						j, i,
						json_stringn_nocheck(sb.buf,
								     sb.len));
					sfn_strbuf_release(&sb);
				}
			} else {
				unescape_surrogates(e);
			}
		}
	} else if (json_is_object(j)) {
		const char *k;
		json_t *v;
		void *tmp;
		json_object_foreach_safe(j, tmp, k, v) {
			if (json_is_string(v)) {
				json_t *a = json_array();
				json_array_append(a, v);
				unescape_surrogates(a);
				json_object_set(j, k, json_array_get(a, 0));
				json_decref(a);
			} else {
				unescape_surrogates(v);
			}
		}
	}
}

static json_t *load_tolerant(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, JSON_DECODE_ANY, &je);
	if (j)
		return j;
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	if (sfn_strbuf_read_file(&sb, path) < 0)
		return NULL;
	struct sfn_strbuf fixed = SFN_STRBUF_INIT;
	for (size_t i = 0; i < sb.len; i++) {
		unsigned v;
		if (sb.buf[i] == '\\' && i + 5 < sb.len &&
		    sb.buf[i + 1] == 'u' &&
		    sscanf(sb.buf + i + 2, "%4x", &v) == 1 && v >= 0xD800 &&
		    v < 0xE000) {
			sfn_strbuf_adds(&fixed, "\\\\");
			continue;
		}
		if (sb.buf[i] == '\\' && i + 1 < sb.len) {
			sfn_strbuf_add(&fixed, sb.buf + i, 2);
			i++;
			continue;
		}
		sfn_strbuf_addch(&fixed, sb.buf[i]);
	}
	j = json_loadb(fixed.buf, fixed.len, JSON_DECODE_ANY, &je);
	sfn_strbuf_release(&sb);
	sfn_strbuf_release(&fixed);
	if (j)
		unescape_surrogates(j);
	return j;
}

static bool equal_unordered(json_t *a, json_t *b)
{
	if (!json_is_array(a) || !json_is_array(b))
		return sfn_json_equal(a, b);
	size_t n = json_array_size(a);
	if (n != json_array_size(b))
		return false;
	bool *used = sfn_xcalloc(n ? n : 1, 1);
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		bool found = false;
		for (size_t k = 0; k < n; k++)
			if (!used[k] && sfn_json_equal(json_array_get(a, i),
						       json_array_get(b, k))) {
				used[k] = found = true;
				break;
			}
		ok = found;
	}
	free(used);
	return ok;
}

static bool value_matches(const char *got_json, json_t *want)
{
	if (!got_json)
		return false;
	json_error_t je;
	json_t *g = json_loads(got_json, JSON_DECODE_ANY, &je);
	bool ok;
	if (g) {
		ok = sfn_json_equal(g, want);
		json_decref(g);
		return ok;
	}
	if (!json_is_string(want))
		return false;
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	sfn_json_quote(&sb, json_string_value(want), json_string_length(want),
		       0);
	ok = !strcmp(sb.buf, got_json);
	sfn_strbuf_release(&sb);
	return ok;
}

struct known {
	char **id;
	char **line;
	bool *seen;
	size_t n, cap;
};

static void known_load(struct known *k, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char buf[4096];
	while (fgets(buf, sizeof(buf), f)) {
		size_t l = strlen(buf);
		while (l && (buf[l - 1] == '\n' || buf[l - 1] == '\r'))
			buf[--l] = 0;
		if (!l || buf[0] == '#')
			continue;
		if (k->n == k->cap) {
			k->cap = k->cap ? k->cap * 2 : 64;
			k->id = sfn_xrealloc(k->id, k->cap * sizeof(char *));
			k->line =
				sfn_xrealloc(k->line, k->cap * sizeof(char *));
			k->seen = sfn_xrealloc(k->seen, k->cap * sizeof(bool));
		}
		char *sp = strchr(buf, ' ');
		k->id[k->n] = sp ? sfn_xstrndup(buf, (size_t)(sp - buf))
				 : sfn_xstrdup(buf);
		k->line[k->n] = sfn_xstrdup(buf);
		k->seen[k->n] = false;
		k->n++;
	}
	fclose(f);
}

static int known_find(struct known *k, const char *id)
{
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->id[i], id))
			return (int)i;
	return -1;
}

static char *oneline(const char *s, size_t max)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	for (const char *p = s; *p && sb.len < max; p++)
		sfn_strbuf_addch(&sb, *p == '\n' || *p == '\t' ? ' ' : *p);
	if (strlen(s) > max)
		sfn_strbuf_adds(&sb, "...");
	return sfn_strbuf_detach(&sb, NULL);
}

/* --prepared */
static bool prepared;

/*
 * --prepared's checks on a result of sfn_jsonata_eval_input: the same as
 * sfn_jsonata_eval gives (unless that differs from run to run: $now,
 * $random), and @in unchanged. NULL, or the reason.
 */
static char *check_prepared(const struct sfn_jsonata *e, json_t *input,
			    json_t *b, const struct sfn_jsonata_limits *lim,
			    const struct sfn_jsonata_input *in, int rc,
			    json_t *result, const struct sfn_jsonata_error *err)
{
	char *reason = NULL;
	json_t *r1 = NULL, *r2 = NULL;
	struct sfn_jsonata_error e1 = { 0 }, e2 = { 0 };
	if (!jn_input_intact(in))
		return sfn_xstrdup("the evaluation changed the prepared input");
	int rc1 = sfn_jsonata_eval(e, input, b, lim, &r1, &e1);
	bool same = rc1 == rc && (rc < 0 ? !strcmp(e1.code, err->code)
					 : jn_json_identical(r1, result));
	if (!same) {
		int rc2 = sfn_jsonata_eval(e, input, b, lim, &r2, &e2);
		bool stable =
			rc2 == rc1 && (rc1 < 0 ? !strcmp(e1.code, e2.code)
					       : jn_json_identical(r1, r2));
		if (stable) {
			char *g = result ? sfn_json_dumps(result, 0)
					 : sfn_xstrdup(rc < 0 ? err->code
							      : "undefined");
			char *w = r1 ? sfn_json_dumps(r1, 0)
				     : sfn_xstrdup(rc1 < 0 ? e1.code
							   : "undefined");
			char *g1 = oneline(g, 60), *w1 = oneline(w, 60);
			reason = sfn_xasprintf("prepared input gave %s, the "
					       "jansson document %s",
					       g1, w1);
			free(g);
			free(w);
			free(g1);
			free(w1);
		}
	}
	json_decref(r1);
	json_decref(r2);
	sfn_jsonata_error_release(&e1);
	sfn_jsonata_error_release(&e2);
	return reason;
}

/* Runs one case; returns NULL on a pass, else the reason (caller frees). */
static char *run_case(const char *gdir, const char *dsdir, json_t *tc)
{
	struct sfn_strbuf expr = SFN_STRBUF_INIT;
	json_t *input = NULL;
	bool own_input = false;
	char *reason = NULL;
	json_t *jexpr = json_object_get(tc, "expr");
	json_t *jfile = json_object_get(tc, "expr-file");
	if (json_is_string(jexpr)) {
		sfn_strbuf_add(&expr, json_string_value(jexpr),
			       json_string_length(jexpr));
	} else if (json_is_string(jfile)) {
		char *p =
			sfn_xasprintf("%s/%s", gdir, json_string_value(jfile));
		int rc = sfn_strbuf_read_file(&expr, p);
		free(p);
		if (rc < 0)
			return sfn_xstrdup("cannot read expr-file");
	} else {
		return sfn_xstrdup("case has no expression");
	}
	json_t *data = json_object_get(tc, "data");
	json_t *ds = json_object_get(tc, "dataset");
	if (data) {
		input = data;
	} else if (json_is_string(ds)) {
		char *p = sfn_xasprintf("%s/%s.json", dsdir,
					json_string_value(ds));
		input = load_tolerant(p);
		free(p);
		own_input = true;
		if (!input) {
			sfn_strbuf_release(&expr);
			return sfn_xstrdup("cannot load dataset");
		}
	}
	struct sfn_jsonata_error err = { 0 };
	json_t *result = NULL;
	bool failed = false;
	struct sfn_jsonata *e =
		sfn_jsonata_compile(expr.buf, expr.len, 0, &err);
	if (!e) {
		failed = true;
	} else {
		struct sfn_jsonata_limits lim = { .max_depth = 0,
						  .time_ms = 20000 };
		json_t *tl = json_object_get(tc, "timelimit");
		json_t *dp = json_object_get(tc, "depth");
		if (json_is_number(tl))
			lim.time_ms = (unsigned)json_number_value(tl);
		if (json_is_number(dp))
			lim.max_depth = (unsigned)json_number_value(dp);
		json_t *b = json_object_get(tc, "bindings");
		b = json_is_object(b) ? b : NULL;
		if (prepared) {
			struct sfn_jsonata_input *in =
				sfn_jsonata_input_new(input);
			int rc = sfn_jsonata_eval_input(e, in, b, &lim, &result,
							&err);
			failed = rc < 0;
			reason = check_prepared(e, input, b, &lim, in, rc,
						result, &err);
			sfn_jsonata_input_free(in);
		} else if (sfn_jsonata_eval(e, input, b, &lim, &result, &err) <
			   0) {
			failed = true;
		}
	}
	json_t *want_code = json_object_get(tc, "code");
	json_t *want_err = json_object_get(tc, "error");
	json_t *want_res = json_object_get(tc, "result");
	json_t *want_undef = json_object_get(tc, "undefinedResult");
	if (reason) {
		/* check_prepared's */
	} else if (json_is_string(want_code) || json_is_object(want_err)) {
		const char *code = json_is_string(want_code)
					   ? json_string_value(want_code)
					   : json_string_value(json_object_get(
						     want_err, "code"));
		if (!failed) {
			char *got = result ? sfn_json_dumps(result, 0)
					   : sfn_xstrdup("undefined");
			char *g1 = oneline(got, 80);
			reason = sfn_xasprintf(
				"expected error %s, got result %s",
				code ? code : "?", g1);
			free(got);
			free(g1);
		} else if (code && strcmp(code, err.code)) {
			char *m = oneline(err.message ? err.message : "", 80);
			reason = sfn_xasprintf("expected error %s, got %s: %s",
					       code, err.code, m);
			free(m);
		} else {
			json_t *tok = json_object_get(tc, "token");
			if (json_is_string(tok) &&
			    (!err.token ||
			     strcmp(err.token, json_string_value(tok))))
				reason = sfn_xasprintf(
					"expected token '%s', got '%s'",
					json_string_value(tok),
					err.token ? err.token : "(none)");
			if (!reason && json_is_object(want_err)) {
				const char *k;
				json_t *v;
				json_object_foreach(want_err, k, v) {
					if (!strcmp(k, "code"))
						continue;
					bool ok = true;
					if (!strcmp(k, "message"))
						ok = err.message &&
						     json_is_string(v) &&
						     !strcmp(err.message,
							     json_string_value(
								     v));
					else if (!strcmp(k, "token") ||
						 !strcmp(k, "functionName"))
						ok = err.token &&
						     json_is_string(v) &&
						     !strcmp(err.token,
							     json_string_value(
								     v));
					else if (!strcmp(k, "value"))
						ok = value_matches(err.value,
								   v);
					if (!ok) {
						reason = sfn_xasprintf(
							"error property '%s' "
							"differs (message: %s)",
							k,
							err.message
								? err.message
								: "");
						break;
					}
				}
			}
		}
	} else if (failed) {
		char *m = oneline(err.message ? err.message : "", 100);
		reason = sfn_xasprintf("unexpected error %s: %s", err.code, m);
		free(m);
	} else if (json_is_true(want_undef)) {
		if (result) {
			char *got = sfn_json_dumps(result, 0);
			char *g1 = oneline(got, 80);
			reason =
				sfn_xasprintf("expected undefined, got %s", g1);
			free(got);
			free(g1);
		}
	} else if (want_res) {
		bool ok = result &&
			  (json_is_true(json_object_get(tc, "unordered"))
				   ? equal_unordered(result, want_res)
				   : sfn_json_equal(result, want_res));
		if (!ok) {
			char *got = result ? sfn_json_dumps(result, 0)
					   : sfn_xstrdup("undefined");
			char *want = sfn_json_dumps(want_res, 0);
			char *g1 = oneline(got, 80), *w1 = oneline(want, 80);
			reason = sfn_xasprintf("expected %s, got %s", w1, g1);
			free(got);
			free(want);
			free(g1);
			free(w1);
		}
	} else {
		reason = sfn_xstrdup("case has no outcome");
	}
	json_decref(result);
	sfn_jsonata_error_release(&err);
	sfn_jsonata_free(e);
	sfn_strbuf_release(&expr);
	if (own_input)
		json_decref(input);
	return reason;
}

int main(int argc, char **argv)
{
	const char *suite = NULL, *knownf = NULL, *writek = NULL, *only = NULL;
	bool verbose = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--write-known") && i + 1 < argc)
			writek = argv[++i];
		else if (!strcmp(argv[i], "--group") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "--prepared"))
			prepared = true;
		else if (!suite)
			suite = argv[i];
		else if (!knownf)
			knownf = argv[i];
	}
	if (!suite) {
		fprintf(stderr,
			"usage: jsonata_conformance SUITE_DIR [KNOWN_FAILURES] "
			"[--write-known FILE] [--group NAME] [--prepared] "
			"[-v]\n");
		return 2;
	}
	sfn_alloc_init();
	struct known known = { 0 };
	if (knownf)
		known_load(&known, knownf);
	FILE *wk = writek ? fopen(writek, "w") : NULL;
	if (wk)
		fprintf(wk, "# JSONata reference suite cases sfn does not pass "
			    "yet: "
			    "<group/file[#index]> <reason>.\n"
			    "# The conformance.jsonata test fails on a new "
			    "failure and "
			    "on a listed case that passes.\n");
	char *gdir0 = sfn_xasprintf("%s/groups", suite);
	char *dsdir = sfn_xasprintf("%s/datasets", suite);
	struct strlist groups = list_dir(gdir0, NULL);
	size_t passed = 0, failed = 0, newfail = 0, fixed = 0, expected = 0;
	for (size_t g = 0; g < groups.n; g++) {
		if (only && strcmp(only, groups.v[g]))
			continue;
		char *gdir = sfn_xasprintf("%s/%s", gdir0, groups.v[g]);
		struct strlist files = list_dir(gdir, ".json");
		size_t gfail = 0, gtotal = 0;
		for (size_t f = 0; f < files.n; f++) {
			char *path = sfn_xasprintf("%s/%s", gdir, files.v[f]);
			json_t *doc = load_tolerant(path);
			free(path);
			if (!doc) {
				fprintf(stderr, "%s/%s: cannot load\n",
					groups.v[g], files.v[f]);
				failed++;
				newfail++;
				continue;
			}
			size_t ncase =
				json_is_array(doc) ? json_array_size(doc) : 1;
			for (size_t k = 0; k < ncase; k++) {
				json_t *tc = json_is_array(doc)
						     ? json_array_get(doc, k)
						     : doc;
				char *id =
					json_is_array(doc)
						? sfn_xasprintf("%s/%s#%zu",
								groups.v[g],
								files.v[f], k)
						: sfn_xasprintf("%s/%s",
								groups.v[g],
								files.v[f]);
				char *reason = run_case(gdir, dsdir, tc);
				int ki = known_find(&known, id);
				gtotal++;
				if (ki >= 0)
					known.seen[ki] = true;
				if (reason) {
					failed++;
					gfail++;
					if (wk)
						fprintf(wk, "%s %s\n", id,
							reason);
					if (ki < 0) {
						newfail++;
						printf("FAIL %s: %s\n", id,
						       reason);
					} else {
						expected++;
						if (verbose)
							printf("known %s: %s\n",
							       id, reason);
					}
				} else {
					passed++;
					if (ki >= 0) {
						fixed++;
						printf("PASS %s is listed as a "
						       "known failure: "
						       "remove it from the "
						       "list\n",
						       id);
					}
				}
				free(reason);
				free(id);
			}
			json_decref(doc);
		}
		if (gfail)
			printf("group %s: %zu of %zu failed\n", groups.v[g],
			       gfail, gtotal);
		sl_free(&files);
		free(gdir);
	}
	if (wk)
		fclose(wk);
	printf("%zu known failures, %zu new failures, %zu listed cases now "
	       "pass\n",
	       expected, newfail, fixed);
	printf("%zu passed, %zu failed\n", passed, failed);
	sl_free(&groups);
	free(gdir0);
	free(dsdir);
	for (size_t i = 0; i < known.n; i++) {
		free(known.id[i]);
		free(known.line[i]);
	}
	free(known.id);
	free(known.line);
	free(known.seen);
	return newfail || fixed ? 1 : 0;
}
