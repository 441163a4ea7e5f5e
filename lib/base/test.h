/*
 * test.h: the asserts of every unit test (header-only). A test program keeps
 * one static table of cases and one loop; each CHECK names the case and
 * prints both sides on failure; sfn_test_done() prints the closing
 * "N passed, N failed" line and returns the exit code.
 */
#ifndef SFN_TEST_H
#define SFN_TEST_H

#include <stdio.h>
#include <string.h>

static int sfn_test_passed, sfn_test_failed;

#define SFN_CHECK(cond, ...)                                                   \
	do {                                                                   \
		if (cond) {                                                    \
			sfn_test_passed++;                                     \
		} else {                                                       \
			sfn_test_failed++;                                     \
			fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);  \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
		}                                                              \
	} while (0)

#define SFN_CHECK_STR(got, want, label)                                        \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		SFN_CHECK(g_ &&w_ ? !strcmp(g_, w_) : g_ == w_,                \
			  "%s: got '%s', want '%s'", (label),                  \
			  g_ ? g_ : "(null)", w_ ? w_ : "(null)");             \
	} while (0)

#define SFN_CHECK_INT(got, want, label)                                        \
	do {                                                                   \
		long long g_ = (long long)(got), w_ = (long long)(want);       \
		SFN_CHECK(g_ == w_, "%s: got %lld, want %lld", (label), g_,    \
			  w_);                                                 \
	} while (0)

static inline int sfn_test_done(void)
{
	printf("%d passed, %d failed\n", sfn_test_passed, sfn_test_failed);
	return sfn_test_failed ? 1 : 0;
}

#endif
