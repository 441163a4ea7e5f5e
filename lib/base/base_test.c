/* sched_setaffinity, to move a thread between CPUs (test_clock). */
#define _GNU_SOURCE
#include "base/base.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/test.h"

#ifdef SFN_HAVE_MIMALLOC
#include <mimalloc.h>
#endif

/* Number::toString as node prints each value. */
static const struct {
	double d;
	const char *want;
} numbers[] = {
	{ 0.1, "0.1" },
	{ 0.1 + 0.2, "0.30000000000000004" },
	{ 1.0, "1" },
	{ -0.0, "0" },
	{ 123456789012345680000.0, "123456789012345680000" },
	{ 1e21, "1e+21" },
	{ 1.5e21, "1.5e+21" },
	{ 1e-6, "0.000001" },
	{ 1e-7, "1e-7" },
	{ 1.25e-7, "1.25e-7" },
	{ -3.5, "-3.5" },
	{ 9007199254740993.0, "9007199254740992" },
	{ 1.7976931348623157e308, "1.7976931348623157e+308" },
	{ 5e-324, "5e-324" },
	{ 100, "100" },
	{ 2.5, "2.5" },
	{ 1234.5678, "1234.5678" },
	{ 0.000123, "0.000123" },
	/* Powers of two: the interval below is half the one above, so the
	 * nearest 16 digits do not read back while the next ones up do. */
	{ 0x1p-1017, "7.120236347223045e-307" },
	{ 0x1p-296, "7.854549544476363e-90" },
	{ 0x1p-140, "7.174648137343064e-43" },
	{ 0x1p60, "1152921504606847000" },
	{ 0x1p53, "9007199254740992" },
	{ 0x1p-1022, "2.2250738585072014e-308" },
	{ 0x1.0000000000001p-1022, "2.225073858507202e-308" },
	{ 0x0.fffffffffffffp-1022, "2.225073858507201e-308" },
	{ 1e-323, "1e-323" },
	{ 123e-20, "1.23e-18" },
	{ 999999999999999900000.0, "999999999999999900000" },
	{ 0.000001234, "0.000001234" },
	{ 4503599627370495.5, "4503599627370495.5" },
	{ 1e15 + 0.3, "1000000000000000.2" },
	{ 18014398509481984.0, "18014398509481984" },
	{ 12345.0, "12345" },
};

/* Values dumped compactly and pretty, as JSON.stringify gives them. */
static const struct {
	const char *in;
	const char *compact;
	const char *pretty;
} dumps[] = {
	{ "{\"b\":1,\"a\":[1.0,2.5,\"x\\u0001\\n\"],\"c\":{}}",
	  "{\"b\":1,\"a\":[1,2.5,\"x\\u0001\\n\"],\"c\":{}}",
	  "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    2.5,\n    \"x\\u0001\\n\"\n "
	  " ],\n  \"c\": {}\n}" },
	{ "[]", "[]", "[]" },
	{ "\"\\u00e9\\\"\\\\/\"", "\"\xc3\xa9\\\"\\\\/\"",
	  "\"\xc3\xa9\\\"\\\\/\"" },
	{ "[null,true,false,1e400]", NULL, NULL },
};

/* xorshift64: a fixed sequence, so a failure repeats. */
static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Property check of one double: the text reads back as the same double,
 * and no decimal with one digit fewer does (the nearest such decimal and
 * its two neighbours are tried). Returns false on a failure.
 */
static bool shortest_ok(double d, int *bad)
{
	char buf[SFN_NUMBUF], digits[32], shorter[48];
	sfn_fmt_double(buf, d);
	if (strtod(buf, NULL) != d) {
		if ((*bad)++ < 5)
			SFN_CHECK(0, "%a prints %s, which reads back as %a", d,
				  buf, strtod(buf, NULL));
		return false;
	}
	/* The significant digits of buf. */
	int k = 0;
	const char *p = buf;
	for (; *p && *p != 'e'; p++)
		if (*p >= '1' && *p <= '9')
			break;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[k++] = *p;
	while (k > 1 && digits[k - 1] == '0')
		k--;
	if (k <= 1)
		return true;
	snprintf(shorter, sizeof(shorter), "%.*e", k - 2, d);
	double near = strtod(shorter, NULL);
	/* One unit in the last of k-1 digits. */
	int e10 = atoi(strchr(shorter, 'e') + 1);
	double step = pow(10, e10 - (k - 2));
	double cands[3] = { near, near - step, near + step };
	for (int c = 0; c < 3; c++) {
		char t[48];
		snprintf(t, sizeof(t), "%.*e", k - 2, cands[c]);
		if (strtod(t, NULL) == d) {
			if ((*bad)++ < 5)
				SFN_CHECK(0,
					  "%a prints %s but %s reads back too",
					  d, buf, t);
			return false;
		}
	}
	return true;
}

/* Random bit patterns: mostly 16 and 17 digits. */
static void check_shortest(int count)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	int bad = 0;
	for (int i = 0; i < count; i++) {
		double d;
		uint64_t r = next_random(&x);
		memcpy(&d, &r, sizeof(d));
		if (isfinite(d) && d != 0)
			shortest_ok(d, &bad);
	}
	SFN_CHECK(bad == 0, "%d of %d random doubles not shortest", bad, count);
}

/*
 * Decimals of 1 to 17 significant digits, at exponents from -30 to 30,
 * read as doubles: the numbers data holds (prices, ratios, coordinates),
 * whose shortest text is mostly short.
 */
static void check_shortest_decimals(int count)
{
	uint64_t x = 0x2545f4914f6cdd1du;
	int bad = 0;
	for (int i = 0; i < count; i++) {
		char text[48];
		int digits = 1 + (int)(next_random(&x) % 17);
		uint64_t m = next_random(&x) % 100000000000000000u;
		uint64_t limit = 1;
		for (int k = 0; k < digits; k++)
			limit *= 10;
		m %= limit;
		int e = (int)(next_random(&x) % 61) - 30;
		snprintf(text, sizeof(text), "%s%llue%d", i % 2 ? "-" : "",
			 (unsigned long long)m, e);
		double d = strtod(text, NULL);
		if (isfinite(d) && d != 0 && !shortest_ok(d, &bad) && bad <= 5)
			SFN_CHECK(0, "from %s", text);
	}
	SFN_CHECK(bad == 0, "%d of %d random decimals not shortest", bad,
		  count);
}

/* An array of @n objects, large enough for the text cache. */
static json_t *records(int n, int tag)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(
			a, json_pack("{s:i, s:s, s:f, s:[b,n]}", "id", i + tag,
				     "name", "caf\xc3\xa9 \"quoted\"\n", "v",
				     i / 8.0, "flags", i % 2, NULL));
	return a;
}

/*
 * The text cache: documents sharing large parts, written again and again,
 * compact and quoted, come out as the plain writer writes them; and after
 * forget, freed values whose addresses are reused by other values.
 */
static void check_text_cache(void)
{
	struct sfn_json_text_cache *c = sfn_json_text_cache_new();
	json_t *shared = records(200, 0);
	int bad = 0;
	for (int round = 0; round < 40; round++) {
		json_t *doc =
			json_pack("{s:i, s:O, s:{s:O}}", "round", round,
				  "records", shared, "view", "again", shared);
		for (int flags = 0; flags <= SFN_JSON_ASCII; flags++) {
			struct sfn_strbuf a = SFN_STRBUF_INIT,
					  b = SFN_STRBUF_INIT;
			sfn_json_dump_cached(&a, doc, SFN_JSON_QUOTED, c);
			sfn_json_dump_cached(&a, doc, flags, c);
			sfn_json_dump_quoted(&b, doc);
			sfn_json_dump(&b, doc, flags);
			if (strcmp(a.buf, b.buf) && bad++ < 3)
				SFN_CHECK(0,
					  "cached text differs: round %d, "
					  "flags %d",
					  round, flags);
			sfn_strbuf_release(&a);
			sfn_strbuf_release(&b);
		}
		json_decref(doc);
		if (round % 10 == 9) {
			/* New values, perhaps where the old ones were. */
			sfn_json_text_cache_forget(c);
			json_decref(shared);
			shared = records(200, round);
		}
	}
	SFN_CHECK_INT(bad, 0, "cached texts that differ");
	/* Pretty text depends on the depth: never from the cache. */
	struct sfn_strbuf a = SFN_STRBUF_INIT, b = SFN_STRBUF_INIT;
	json_t *nested = json_pack("{s:{s:O}}", "a", "b", shared);
	sfn_json_dump_cached(&a, shared, 0, c);
	sfn_json_dump_cached(&a, nested, SFN_JSON_PRETTY, c);
	sfn_json_dump(&b, shared, 0);
	sfn_json_dump(&b, nested, SFN_JSON_PRETTY);
	SFN_CHECK(!strcmp(a.buf, b.buf), "pretty text with a cache");
	sfn_strbuf_release(&a);
	sfn_strbuf_release(&b);
	json_decref(nested);
	json_decref(shared);
	sfn_json_text_cache_free(c);
}

/*
 * sfn_json_dump_max: the text sfn_json_dump (or _quoted) writes when it is
 * at most max bytes long, else nothing; appending after what the buffer
 * held.
 */
static void check_dump_max(void)
{
	static const char *const docs[] = {
		"null",
		"{}",
		"{\"i\":1,\"n\":100000}",
		"\"q\\\"uote \\u00e9\\n\"",
		"[1,2.5,[true,false,null],{\"a\\\"\":[\"x\"]}]",
		"{\"long\":\"0123456789012345678901234567890123456789\"}",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		json_t *v = json_loads(docs[i], JSON_DECODE_ANY, NULL);
		for (int quoted = 0; quoted < 2; quoted++) {
			struct sfn_strbuf want = SFN_STRBUF_INIT;
			sfn_strbuf_adds(&want, "head:");
			size_t head = want.len;
			if (quoted)
				sfn_json_dump_quoted(&want, v);
			else
				sfn_json_dump(&want, v, 0);
			size_t n = want.len - head;
			/* Every limit around the text's length, and 0. */
			for (size_t max = 0; max <= n + 2; max++) {
				struct sfn_strbuf got = SFN_STRBUF_INIT;
				sfn_strbuf_adds(&got, "head:");
				bool ok = sfn_json_dump_max(
					&got, v, quoted ? SFN_JSON_QUOTED : 0,
					max);
				SFN_CHECK(ok == (n <= max),
					  "dump_max %s (quoted %d) in %zu: %d",
					  docs[i], quoted, max, ok);
				SFN_CHECK_STR(got.buf,
					      ok ? want.buf : "head:", docs[i]);
				sfn_strbuf_release(&got);
			}
			sfn_strbuf_release(&want);
		}
		json_decref(v);
	}
	/* A large document stops early, leaving the buffer as it was. */
	json_t *big = records(2000, 0);
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	SFN_CHECK(!sfn_json_dump_max(&sb, big, SFN_JSON_QUOTED, 1024) &&
			  sb.len == 0,
		  "large document: nothing written");
	sfn_strbuf_release(&sb);
	json_decref(big);
}

/*
 * Short strings and keys (up to 32 bytes, checked a word at a time): a
 * byte that needs an escape, at every place of every length, comes out as
 * sfn_json_quote writes it, plain, quoted twice and with ASCII escapes.
 */
static void check_short_strings(void)
{
	static const unsigned char specials[] = { 0x00, 0x01, 0x1f, '"', '\\',
						  0x7f, 0x80, 0xff, ' ', '~' };
	int bad = 0;
	for (size_t n = 1; n <= 34; n++) {
		for (size_t at = 0; at < n; at++) {
			for (size_t k = 0; k < sizeof(specials); k++) {
				char buf[40];
				memset(buf, 'a' + (int)(n % 26), n);
				buf[at] = (char)specials[k];
				json_t *str = json_stringn_nocheck(buf, n);
				json_t *obj = json_object();
				json_object_setn_new_nocheck(obj, buf, n,
							     json_true());
				for (int flags = 0; flags <= SFN_JSON_ASCII;
				     flags += SFN_JSON_ASCII) {
					struct sfn_strbuf
						got = SFN_STRBUF_INIT,
						want = SFN_STRBUF_INIT;
					sfn_json_dump(&got, str, flags);
					sfn_json_quote(&want, buf, n, flags);
					/* the same as a key */
					sfn_json_dump(&got, obj, flags);
					sfn_strbuf_addch(&want, '{');
					sfn_json_quote(&want, buf, n, flags);
					sfn_strbuf_adds(&want, ":true}");
					if (strcmp(got.buf, want.buf) &&
					    bad++ < 3)
						SFN_CHECK(0,
							  "short string %zu "
							  "bytes, 0x%02x at "
							  "%zu, flags %d: %s",
							  n, specials[k], at,
							  flags, got.buf);
					sfn_strbuf_release(&got);
					sfn_strbuf_release(&want);
				}
				/* quoted twice, as journals carry payloads */
				struct sfn_strbuf got = SFN_STRBUF_INIT,
						  want = SFN_STRBUF_INIT,
						  once = SFN_STRBUF_INIT;
				sfn_json_dump_quoted(&got, obj);
				sfn_json_dump(&once, obj, 0);
				sfn_json_quote(&want, once.buf, once.len, 0);
				if (strcmp(got.buf, want.buf) && bad++ < 3)
					SFN_CHECK(0,
						  "short key %zu bytes, 0x%02x "
						  "at %zu, quoted: %s",
						  n, specials[k], at, got.buf);
				sfn_strbuf_release(&got);
				sfn_strbuf_release(&want);
				sfn_strbuf_release(&once);
				json_decref(str);
				json_decref(obj);
			}
		}
	}
	SFN_CHECK_INT(bad, 0, "short strings written otherwise");
}

/* sfn_json_loadb: integers past int64 become reals; the rest as jansson */
static void check_json_loadb(void)
{
	static const struct {
		const char *in, *out; /* out: NULL = a parse error */
	} cases[] = {
		{ "18446744073709551616", "18446744073709552000" },
		{ "{\"a\": [1, -18446744073709551616, 2]}",
		  "{\"a\":[1,-18446744073709552000,2]}" },
		{ "9223372036854775807", "9223372036854775807" },
		{ "-9223372036854775808", "-9223372036854775808" },
		{ "9223372036854775808", "9223372036854776000" },
		{ "-9223372036854775809", "-9223372036854776000" },
		{ "[100000000000000000000e2, 1.5, 123]", "[1e+22,1.5,123]" },
		/* in strings, escaped quotes and all, digits stay text */
		{ "{\"k\\\"99999999999999999999\": \"99999999999999999999\", "
		  "\"n\": 99999999999999999999}",
		  "{\"k\\\"99999999999999999999\":\"99999999999999999999\","
		  "\"n\":100000000000000000000}" },
		{ "[99999999999999999999, nope]", NULL },
		{ "{\"a\": 1", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_error_t je;
		json_t *v = sfn_json_loads(cases[i].in, JSON_DECODE_ANY, &je);
		if (!cases[i].out) {
			SFN_CHECK(v == NULL && je.text[0], "%s: an error",
				  cases[i].in);
			json_decref(v);
			continue;
		}
		SFN_CHECK(v != NULL, "%s: %s", cases[i].in, v ? "" : je.text);
		char *s = v ? sfn_json_dumps(v, 0) : NULL;
		SFN_CHECK_STR(s ? s : "", cases[i].out, cases[i].in);
		free(s);
		json_decref(v);
	}
}

/* sfn_alloc_init asks mimalloc for 2 MiB pages, unless the environment
 * says otherwise. */
static void test_alloc_init(void)
{
#ifdef SFN_HAVE_MIMALLOC
	const char *env = getenv("MIMALLOC_LARGE_OS_PAGES");
	sfn_alloc_init();
	SFN_CHECK(mi_option_is_enabled(mi_option_large_os_pages) ==
			  (env == NULL || (*env && strcmp(env, "0"))),
		  "large OS pages with MIMALLOC_LARGE_OS_PAGES=%s",
		  env ? env : "(unset)");
	/* jansson allocates with mi_malloc, which must never hand it NULL:
	 * out of memory aborts with a message, as sfn_xmalloc does. */
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		json_malloc_t alloc;
		json_free_t release;
		json_get_alloc_funcs(&alloc, &release);
		void *p = alloc((size_t)1 << 50);
		_exit(p ? 1 : 2);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	SFN_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
		  "an impossible allocation aborts (status %d)", status);
#else
	sfn_alloc_init();
#endif
	/* jansson allocates through it. */
	json_t *v = json_string("x");
	SFN_CHECK(v != NULL, "json_string after sfn_alloc_init");
	json_decref(v);
}

/*
 * sfn_clock_monotonic keeps to clock_gettime's CLOCK_MONOTONIC (within a
 * millisecond, while it extrapolates between real readings) and never
 * goes back, in three threads at once, one of them moved from CPU to CPU
 * between its readings (where the counter is read per CPU, a reading on
 * another CPU than its real one's must not extrapolate from it).
 */
static double real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct clock_run {
	long bad;
	bool move; /* between the CPUs it may run on */
};

/* Moves the calling thread to the next CPU of @cpus after its own. */
static void move_on(const cpu_set_t *cpus)
{
	int here = sched_getcpu(), n = CPU_COUNT(cpus);
	for (int k = 1; here >= 0 && n > 1 && k <= CPU_SETSIZE; k++) {
		int c = (here + k) % CPU_SETSIZE;
		if (CPU_ISSET(c, cpus)) {
			cpu_set_t one;
			CPU_ZERO(&one);
			CPU_SET(c, &one);
			sched_setaffinity(0, sizeof(one), &one);
			return;
		}
	}
}

static void *clock_check(void *arg)
{
	struct clock_run *run = arg;
	long *bad = &run->bad;
	cpu_set_t cpus;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
		run->move = false;
	double last = 0, t0 = real_now();
	/* Past the calibration, with readings close together and apart. */
	for (long i = 0; real_now() - t0 < 0.05; i++) {
		double before = real_now();
		double t = sfn_clock_monotonic();
		double after = real_now();
		if (t < last || t < before - 1e-3 || t > after + 1e-3)
			(*bad)++;
		last = t;
		if (i % 1000 == 0) {
			struct timespec nap = { 0, 200000 };
			nanosleep(&nap, NULL);
		}
		if (run->move && i % 100 == 50)
			move_on(&cpus);
	}
	if (run->move)
		sched_setaffinity(0, sizeof(cpus), &cpus);
	return NULL;
}

static void test_clock(void)
{
	struct clock_run run[3] = { { 0, false }, { 0, false }, { 0, true } };
	pthread_t other[2];
	for (int k = 0; k < 2; k++)
		SFN_CHECK(pthread_create(&other[k], NULL, clock_check,
					 &run[k + 1]) == 0,
			  "thread");
	clock_check(&run[0]);
	for (int k = 0; k < 2; k++)
		pthread_join(other[k], NULL);
	SFN_CHECK_INT(run[0].bad, 0, "readings off the clock or going back");
	SFN_CHECK_INT(run[1].bad, 0, "readings off the clock, other thread");
	SFN_CHECK_INT(run[2].bad, 0,
		      "readings off the clock, thread moved between CPUs");
}

int main(void)
{
	test_clock();
	test_alloc_init();
	/* SHA-256 (the journal pins its definition by it): FIPS 180-2
	 * vectors, and one longer than a block. */
	{
		static const struct {
			const char *in, *hex;
		} sha[] = {
			{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
			      "a495991b7852b855" },
			{ "abc",
			  "ba7816bf8f01cfea414140de5dae2223b00361a396177a"
			  "9cb410ff61f20015ad" },
			{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomno"
			  "pnopq",
			  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ec"
			  "edd419db06c1" },
		};
		for (size_t i = 0; i < sizeof(sha) / sizeof(sha[0]); i++) {
			char hex[65];
			sfn_sha256_hex(sha[i].in, strlen(sha[i].in), hex);
			SFN_CHECK_STR(hex, sha[i].hex, "sha256");
		}
	}
	/* Every digest States.Hash and $hash offer, by the names they take
	 * (RFC 1321, FIPS 180-2 "abc" vectors). */
	{
		static const struct {
			const char *name, *hex;
		} md[] = {
			{ "MD5", "900150983cd24fb0d6963f7d28e17f72" },
			{ "SHA-1", "a9993e364706816aba3e25717850c26c9cd0d89d" },
			{ "SHA-256",
			  "ba7816bf8f01cfea414140de5dae2223b00361a396"
			  "177a9cb410ff61f20015ad" },
			{ "SHA-384",
			  "cb00753f45a35e8bb5a03d699ac65007272c32ab0e"
			  "ded1631a8b605a43ff5bed8086072ba1e7cc2358ba"
			  "eca134c825a7" },
			{ "SHA-512",
			  "ddaf35a193617abacc417349ae20413112e6fa4e89"
			  "a97ea20a9eeee64b55d39a2192992a274fc1a836ba"
			  "3c23a3feebbd454d4423643ce80e2a9ac94fa54ca4"
			  "9f" },
		};
		for (size_t i = 0; i < sizeof(md) / sizeof(md[0]); i++) {
			char hex[SFN_DIGEST_HEX_MAX];
			int alg = sfn_digest_by_name(md[i].name);
			SFN_CHECK(alg >= 0, "digest %s", md[i].name);
			if (alg < 0)
				continue;
			SFN_CHECK_STR(sfn_digest_name((enum sfn_digest)alg),
				      md[i].name, "digest name");
			size_t n = sfn_digest_hex((enum sfn_digest)alg, "abc",
						  3, hex);
			SFN_CHECK(n == strlen(md[i].hex), "%s length %zu",
				  md[i].name, n);
			SFN_CHECK_STR(hex, md[i].hex, md[i].name);
		}
		SFN_CHECK(sfn_digest_by_name("SHA256") < 0 &&
				  sfn_digest_by_name("sha-256") < 0 &&
				  sfn_digest_by_name("") < 0,
			  "only the names States.Hash takes");
	}

	char buf[SFN_NUMBUF];
	check_shortest(200000);
	check_shortest_decimals(300000);
	check_text_cache();
	check_dump_max();
	check_short_strings();
	check_json_loadb();
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		sfn_fmt_double(buf, numbers[i].d);
		SFN_CHECK_STR(buf, numbers[i].want, numbers[i].want);
	}
	sfn_fmt_double(buf, NAN);
	SFN_CHECK_STR(buf, "NaN", "NaN");
	sfn_fmt_double(buf, -INFINITY);
	SFN_CHECK_STR(buf, "-Infinity", "-Infinity");

	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		json_error_t jerr;
		json_t *v = json_loads(dumps[i].in, JSON_DECODE_ANY, &jerr);
		if (!dumps[i].compact) {
			SFN_CHECK(v == NULL, "case %zu: jansson refuses 1e400",
				  i);
			json_decref(v);
			continue;
		}
		SFN_CHECK(v != NULL, "case %zu: %s", i, jerr.text);
		char *c = sfn_json_dumps(v, 0);
		char *p = sfn_json_dumps(v, SFN_JSON_PRETTY);
		SFN_CHECK_STR(c, dumps[i].compact, dumps[i].in);
		SFN_CHECK_STR(p, dumps[i].pretty, dumps[i].in);
		free(c);
		free(p);
		json_decref(v);
	}

	/* Deep equality compares numbers by value, keys unordered. */
	json_t *a = json_loads("{\"x\":[1,2.0],\"y\":null}", 0, NULL);
	json_t *b = json_loads("{\"y\":null,\"x\":[1.0,2]}", 0, NULL);
	json_t *c = json_loads("{\"y\":null,\"x\":[2,1]}", 0, NULL);
	SFN_CHECK(sfn_json_equal(a, b), "equal by value");
	SFN_CHECK(!sfn_json_equal(a, c), "array order counts");
	SFN_CHECK(sfn_pointer_get(a, "/x/1") ==
			  json_array_get(json_object_get(a, "x"), 1),
		  "pointer /x/1");
	SFN_CHECK(sfn_pointer_get(a, "/x/01") == NULL, "pointer /x/01");
	json_decref(a);
	json_decref(b);
	json_decref(c);

	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	sfn_pointer_add(&sb, "States");
	sfn_pointer_add(&sb, "a/b~c");
	SFN_CHECK_STR(sb.buf, "/States/a~1b~0c", "pointer escape");
	sfn_strbuf_release(&sb);

	SFN_CHECK(sfn_utf8_valid("\xc3\xa9", 2), "utf8 e-acute");
	SFN_CHECK(!sfn_utf8_valid("\xed\xa0\x80", 3), "utf8 surrogate");
	SFN_CHECK(!sfn_utf8_valid("\xc0\xaf", 2), "utf8 overlong");

	struct sfn_error err = SFN_ERROR_INIT;
	sfn_errorf(&err, SFN_E_RUNTIME, "/States/A", "inner %d", 1);
	sfn_errorf(&err, SFN_E_TIMEOUT, NULL, "outer");
	SFN_CHECK_STR(err.name, "States.Runtime", "first error wins");
	SFN_CHECK_STR(err.cause, "inner 1", "cause");
	sfn_error_release(&err);
	SFN_CHECK(sfn_states_error_known("States.ALL"), "States.ALL known");
	SFN_CHECK(!sfn_states_error_known("States.Nope"), "States.Nope");
	/* Dates as AWS prints them, and RFC 3339 read back. */
	static const struct {
		const char *in;
		const char *out;
	} times[] = {
		{ "2026-11-30T10:00:00.5Z", "2026-11-30T10:00:00.500Z" },
		{ "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z" },
		{ "2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59.999Z" },
		{ "2026-01-01T01:30:00+01:30", "2026-01-01T00:00:00.000Z" },
		{ "1969-12-31T23:59:59.250Z", "1969-12-31T23:59:59.250Z" },
		{ "2023-02-29T00:00:00Z", NULL },
		{ "2026-11-30 10:00:00Z", NULL },
		{ "2026-11-30T10:00:00", NULL },
		{ "2026-11-30T10:00:00.Z", NULL },
	};
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		double t;
		char tb[32];
		int rc = sfn_time_parse(times[i].in, &t);
		if (!times[i].out) {
			SFN_CHECK(rc < 0, "time '%s' refused", times[i].in);
			continue;
		}
		SFN_CHECK(rc == 0, "time '%s' parsed", times[i].in);
		sfn_time_format(tb, t);
		SFN_CHECK_STR(tb, times[i].out, times[i].in);
	}
	/* The hand-written path against snprintf's, over many instants. */
	for (double t = -62135596800.0; t < 253402300800.0; t += 7777777.123) {
		char tb[32], want[96];
		sfn_time_format(tb, t);
		int64_t ms = (int64_t)floor(t * 1000.0 + 0.5);
		time_t secs =
			(time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
		struct tm tm;
		gmtime_r(&secs, &tm);
		snprintf(want, sizeof(want),
			 "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)(ms - (int64_t)secs * 1000));
		if (strcmp(tb, want)) {
			SFN_CHECK_STR(tb, want, "time format");
			break;
		}
	}
	static const struct {
		int64_t v;
		const char *s;
	} ints[] = {
		{ 0, "0" },
		{ 7, "7" },
		{ -1, "-1" },
		{ 1000000, "1000000" },
		{ 99, "99" },
		{ 100, "100" },
		{ -99999, "-99999" },
		{ 999999999, "999999999" },
		{ 1000000000, "1000000000" },
		{ 4294967295, "4294967295" },
		{ 4294967296, "4294967296" },
		{ -4294967296, "-4294967296" },
		{ 9999999999, "9999999999" },
		{ 10000000000, "10000000000" },
		{ 1000000000000000000, "1000000000000000000" },
		{ INT64_MAX, "9223372036854775807" },
		{ INT64_MIN, "-9223372036854775808" },
	};
	/* Every digit count and sign, against printf. */
	for (int64_t p = 1, k = 0; k < 19; k++, p = k < 19 ? p * 10 : p) {
		const int64_t vs[] = { p, p - 1, p + 1, -p, 1 - p, p * 3 + 7 };
		for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
			char nb[SFN_NUMBUF], want[SFN_NUMBUF];
			snprintf(want, sizeof(want), "%lld", (long long)vs[i]);
			int n = sfn_fmt_int(nb, vs[i]);
			if (strcmp(nb, want) || n != (int)strlen(want))
				SFN_CHECK_STR(nb, want, "sfn_fmt_int");
		}
	}
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		char nb[SFN_NUMBUF];
		int n = sfn_fmt_int(nb, ints[i].v);
		SFN_CHECK_STR(nb, ints[i].s, "sfn_fmt_int");
		SFN_CHECK(n == (int)strlen(ints[i].s), "sfn_fmt_int length");
	}
	static const struct {
		const char *in;
		int flags;
		const char *out;
	} quotes[] = {
		{ "", 0, "\"\"" },
		{ "plain text", 0, "\"plain text\"" },
		{ "a\"b\\c", 0, "\"a\\\"b\\\\c\"" },
		{ "\b\f\n\r\t\x01\x1f", 0,
		  "\"\\b\\f\\n\\r\\t\\u0001\\u001f\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac", 0,
		  "\"caf\xc3\xa9 \xe2\x82\xac\"" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", SFN_JSON_ASCII,
		  "\"caf\\u00e9 \\u20ac \\ud83d\\ude00\\\"\"" },
		{ "end\xe2\x82", SFN_JSON_ASCII, "\"end\\u0082\"" },
	};
	for (size_t i = 0; i < sizeof(quotes) / sizeof(quotes[0]); i++) {
		struct sfn_strbuf qb = SFN_STRBUF_INIT;
		sfn_strbuf_adds(&qb, "x");
		sfn_json_quote(&qb, quotes[i].in, strlen(quotes[i].in),
			       quotes[i].flags);
		SFN_CHECK_STR(qb.buf + 1, quotes[i].out, quotes[i].in);
		SFN_CHECK(qb.len == strlen(qb.buf), "quote length");
		if (!quotes[i].flags)
			SFN_CHECK_INT(
				sfn_json_quoted_size(quotes[i].in,
						     strlen(quotes[i].in)),
				qb.len - 1, quotes[i].in);
		sfn_strbuf_release(&qb);
	}
	/* Each escape at every offset of a word, among plain and 8-bit
	 * bytes: the word-wise scan must stop at each. */
	static const char specials[] = { '"', '\\', '\n', 0x1f, 0x01 };
	static const char *const escaped[] = { "\\\"", "\\\\", "\\n", "\\u001f",
					       "\\u0001" };
	for (size_t k = 0; k < 5; k++) {
		for (size_t at = 0; at < 20; at++) {
			char in[40], want[64];
			for (size_t i = 0; i < 30; i++)
				in[i] = i % 7 == 3   ? (char)0xc3
					: i % 7 == 4 ? (char)0xa9
						     : 'a';
			in[at] = specials[k];
			if (at % 7 == 3)
				in[at + 1] = 'a';
			in[30] = '\0';
			snprintf(want, sizeof(want), "\"%.*s%s%s\"", (int)at,
				 in, escaped[k], in + at + 1);
			struct sfn_strbuf qb = SFN_STRBUF_INIT;
			sfn_json_quote(&qb, in, 30, 0);
			SFN_CHECK_STR(qb.buf, want, "escape in a long string");
			SFN_CHECK_INT(sfn_json_quoted_size(in, 30), qb.len,
				      "quoted size of a long string");
			sfn_strbuf_release(&qb);
		}
	}
	return sfn_test_done();
}
