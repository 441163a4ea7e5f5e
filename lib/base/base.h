/*
 * base: what every sfn module stands on. Allocation that never returns NULL,
 * a growable string buffer, the one error type of lib/, the States.* error
 * names, and the JSON writer that prints values exactly as AWS (JavaScript)
 * does.
 */
#ifndef SFN_BASE_H
#define SFN_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#if defined(__GNUC__)
#define SFN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SFN_NORETURN	 __attribute__((noreturn))
#define SFN_FALLTHROUGH	 __attribute__((fallthrough))
#define SFN_NOINLINE	 __attribute__((noinline))
#else
#define SFN_PRINTF(f, a)
#define SFN_NORETURN
#define SFN_NOINLINE
#define SFN_FALLTHROUGH                                                        \
	do {                                                                   \
	} while (0)
#endif

/*
 * Asks for the cache line at @p for writing, ahead of the writes: a line
 * another core read last must be taken back from it first, and a locked
 * instruction after the write waits for that. Never faults.
 */
static inline void sfn_prefetch_write(const void *p)
{
#if defined(__x86_64__) && defined(__GNUC__)
	/* PREFETCHW: a no-op where the CPU lacks it; gcc emits it for
	 * __builtin_prefetch only with -mprfchw. */
	__asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
#elif defined(__GNUC__)
	__builtin_prefetch(p, 1, 3);
#else
	(void)p;
#endif
}

/*
 * memset(@p, 0, @n) for a small @n known at compile time, as plain stores
 * 64 bytes at a time: GCC's generic tuning makes a memset of 96 bytes or
 * more `rep stosq`, whose start-up alone costs more than the stores (perf
 * put 44% of a JSONata evaluation's set-up there, on an AMD EPYC).
 */
static inline void sfn_zero_small(void *p, size_t n)
{
	char *q = p;
	for (; n >= 64; n -= 64, q += 64)
		memset(q, 0, 64);
	memset(q, 0, n);
}

/* Recursion limit of every recursive walker in lib/ (jansson uses 2048). */
#define SFN_MAX_DEPTH 2048

/* ---- allocation (git wrapper.c): out of memory aborts with a message ---- */

void *sfn_xmalloc(size_t n);
void *sfn_xcalloc(size_t nmemb, size_t size);
/* Zeroed, aligned to @align (a power of two), freed with free(). */
void *sfn_xcalloc_aligned(size_t align, size_t size);
void *sfn_xrealloc(void *p, size_t n);
char *sfn_xstrdup(const char *s);
char *sfn_xstrndup(const char *s, size_t n);
/* A new string built like printf; the caller frees it. */
char *sfn_xasprintf(const char *fmt, ...) SFN_PRINTF(1, 2);
char *sfn_xvasprintf(const char *fmt, va_list ap) SFN_PRINTF(1, 0);
/*
 * Once at start-up (main() calls it): gives jansson an allocator that never
 * returns NULL (out of memory aborts, as with sfn_xmalloc) and tunes the
 * allocator (see base.c).
 */
void sfn_alloc_init(void);

/* Broken invariant: prints file:line and the message, then aborts. */
SFN_NORETURN void sfn_bug(const char *file, int line, const char *fmt, ...)
	SFN_PRINTF(3, 4);
#define SFN_BUG(...) sfn_bug(__FILE__, __LINE__, __VA_ARGS__)

/* ---- strbuf (git strbuf.h): buf is always NUL-terminated ---- */

struct sfn_strbuf {
	char *buf;    /* owned; never NULL after init */
	size_t len;   /* bytes used, not counting the NUL */
	size_t alloc; /* bytes allocated; 0 while buf is the static "" */
};
#define SFN_STRBUF_INIT                                                        \
	{                                                                      \
		.buf = sfn_strbuf_empty, .len = 0, .alloc = 0                  \
	}
extern char sfn_strbuf_empty[];

void sfn_strbuf_init(struct sfn_strbuf *sb, size_t hint);
void sfn_strbuf_release(struct sfn_strbuf *sb);
void sfn_strbuf_reset(struct sfn_strbuf *sb);
/* Returns the buffer, the caller's to free; @sb is left empty. */
char *sfn_strbuf_detach(struct sfn_strbuf *sb, size_t *len);
/* Makes room for @extra more bytes and the NUL. */
void sfn_strbuf_grow_slow(struct sfn_strbuf *sb, size_t extra);
/*
 * The appends are inline: the JSON writer and the journal call them for
 * every token, and a call per byte showed in profiles.
 */
static inline void sfn_strbuf_grow(struct sfn_strbuf *sb, size_t extra)
{
	if (extra >= sb->alloc - sb->len || !sb->alloc)
		sfn_strbuf_grow_slow(sb, extra);
}
/* Does @s end with @suffix? */
static inline bool sfn_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !memcmp(s + n - m, suffix, m);
}

/*
 * Copies @n bytes to @o and returns @o + @n. Up to 32 bytes go as two
 * overlapping moves, with no call into memcpy to pick a way for a length
 * the compiler cannot know (ids, keys, names, short strings); more by
 * memcpy.
 */
static inline char *sfn_put_bytes(char *o, const char *s, size_t n)
{
	if (n >= 8 && n <= 16) {
		memcpy(o, s, 8);
		memcpy(o + n - 8, s + n - 8, 8);
	} else if (n > 16 && n <= 32) {
		memcpy(o, s, 16);
		memcpy(o + n - 16, s + n - 16, 16);
	} else if (n >= 4 && n < 8) {
		memcpy(o, s, 4);
		memcpy(o + n - 4, s + n - 4, 4);
	} else if (n && n < 4) {
		o[0] = s[0];
		o[n / 2] = s[n / 2];
		o[n - 1] = s[n - 1];
	} else {
		memcpy(o, s, n);
	}
	return o + n;
}
static inline void sfn_strbuf_add(struct sfn_strbuf *sb, const void *data,
				  size_t n)
{
	sfn_strbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}
static inline void sfn_strbuf_adds(struct sfn_strbuf *sb, const char *s)
{
	sfn_strbuf_add(sb, s, strlen(s));
}
static inline void sfn_strbuf_addch(struct sfn_strbuf *sb, int c)
{
	sfn_strbuf_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}
void sfn_strbuf_addf(struct sfn_strbuf *sb, const char *fmt, ...)
	SFN_PRINTF(2, 3);
void sfn_strbuf_vaddf(struct sfn_strbuf *sb, const char *fmt, va_list ap)
	SFN_PRINTF(2, 0);
/* Reads all of @fd (or a file) into @sb. Returns 0, or -1 with errno set. */
int sfn_strbuf_read_fd(struct sfn_strbuf *sb, int fd);
int sfn_strbuf_read_file(struct sfn_strbuf *sb, const char *path);

/* ---- errors (STYLE.md §3): ASL errors are data ---- */

struct sfn_error {
	char *name;  /* "States.Timeout", "Lambda.ServiceException"; owned */
	char *cause; /* one line for humans; owned, may be NULL */
	char *where; /* JSON Pointer: "/States/Pay/Retry/0"; owned, may be NULL
		      */
	int line, col; /* 1-based position of 'where'; 0 when unknown */
};
#define SFN_ERROR_INIT                                                         \
	{                                                                      \
		0                                                              \
	}

/*
 * Sets @err (if not NULL and not already set: the innermost error wins) to
 * @name with a cause built from @fmt. @where may be NULL. Returns -1, for
 * "return sfn_errorf(...);".
 */
int sfn_errorf(struct sfn_error *err, const char *name, const char *where,
	       const char *fmt, ...) SFN_PRINTF(4, 5);
int sfn_verrorf(struct sfn_error *err, const char *name, const char *where,
		const char *fmt, va_list ap) SFN_PRINTF(4, 0);
/* Sets @err's position if it has none yet. */
void sfn_error_at(struct sfn_error *err, int line, int col);
bool sfn_error_is_set(const struct sfn_error *err);
/* Moves @from into @to (releasing what @to held); @from is left empty. */
void sfn_error_move(struct sfn_error *to, struct sfn_error *from);
void sfn_error_release(struct sfn_error *err);

/* The predefined error names of ASL, from states_errors.def. */
#define SFN_STATES_ERROR(id, text) extern const char SFN_E_##id[];
#include "base/states_errors.def"
#undef SFN_STATES_ERROR
/* Is @name one of the States.* names above? */
bool sfn_states_error_known(const char *name);
/* The States.* names in definition order, NULL-terminated. */
extern const char *const sfn_states_error_names[];

/* ---- JSON writer: JSON.stringify's text, as AWS prints values ---- */

enum sfn_json_flags {
	SFN_JSON_PRETTY = 1 << 0, /* JSON.stringify(v, null, 2) layout */
	SFN_JSON_ASCII = 1 << 1,  /* escape non-ASCII as \uXXXX */
	/* sfn_json_dump_cached: as sfn_json_dump_quoted (compact, UTF-8,
	 * whatever the other flags) */
	SFN_JSON_QUOTED = 1 << 2,
};

/*
 * Appends @v to @sb as JavaScript prints it: numbers in shortest round-trip
 * form ("0.1", "1e+21", integers without ".0"), keys in insertion order,
 * compact unless SFN_JSON_PRETTY. NaN and infinities print as null.
 */
void sfn_json_dump(struct sfn_strbuf *sb, const json_t *v, int flags);
/* The same, as a new string the caller frees. */
char *sfn_json_dumps(const json_t *v, int flags);
/*
 * json_loadb and json_loads, with integers beyond int64 read as reals (as
 * AWS's parser and the loader read them) where jansson refuses them.
 */
json_t *sfn_json_loadb(const char *buf, size_t len, size_t flags,
		       json_error_t *error);
json_t *sfn_json_loads(const char *s, size_t flags, json_error_t *error);
/*
 * Appends the compact JSON of @v as a quoted JSON string, as
 * sfn_json_quote(sfn_json_dumps(v, 0)) would, in one pass: how history
 * events carry inputs and outputs.
 */
void sfn_json_dump_quoted(struct sfn_strbuf *sb, const json_t *v);
/*
 * The text of large arrays and objects written lately, by address, for a
 * writer that writes the same values again and again (the journal: a large
 * document rides in every state's input and output). The values it knows
 * must not change or be freed until sfn_json_text_cache_forget(). Not
 * thread-safe: one writer's.
 */
struct sfn_json_text_cache;
struct sfn_json_text_cache *sfn_json_text_cache_new(void);
void sfn_json_text_cache_forget(struct sfn_json_text_cache *c);
void sfn_json_text_cache_free(struct sfn_json_text_cache *c);
/* sfn_json_dump (or dump_quoted, SFN_JSON_QUOTED) copying the text of
 * containers @cache (may be NULL) knows, and keeping large new ones. */
void sfn_json_dump_cached(struct sfn_strbuf *sb, const json_t *v, int flags,
			  struct sfn_json_text_cache *cache);
/*
 * sfn_json_dump (compact) or, with SFN_JSON_QUOTED, sfn_json_dump_quoted,
 * unless the text would be longer than @max bytes: then it stops early,
 * leaves @sb as it was and returns false. For a writer that renders small
 * values ahead and leaves the rest for later.
 */
bool sfn_json_dump_max(struct sfn_strbuf *sb, const json_t *v, int flags,
		       size_t max);
/* Appends @s (of @n bytes, UTF-8) as a quoted JSON string. */
void sfn_json_quote(struct sfn_strbuf *sb, const char *s, size_t n, int flags);
/* The length of what sfn_json_quote(sb, @s, @n, 0) appends, quotes included. */
size_t sfn_json_quoted_size(const char *s, size_t n);
/*
 * Writes @d into @buf as JavaScript's Number.prototype.toString() does
 * ("NaN", "Infinity", "-Infinity" for the non-finite). Returns the length.
 */
#define SFN_NUMBUF 32
int sfn_fmt_double(char buf[SFN_NUMBUF], double d);
/* Writes @v in decimal into @buf (NUL-terminated); returns the length. */
int sfn_fmt_int(char buf[SFN_NUMBUF], int64_t v);

/* A number's value as a double (integer or real); 0 for non-numbers. */
double sfn_json_number(const json_t *v);
/*
 * json_decref for a value other threads may have used: jansson decrements
 * with release order only, but the thread that frees a value must also
 * acquire what the other holders did before their decrements (their
 * reads of it), so this decrement is acquire-release.
 */
static inline void sfn_json_decref_shared(const json_t *v)
{
	json_t *j = (json_t *)v;
	if (j && j->refcount != (size_t)-1 &&
	    __atomic_sub_fetch(&j->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		json_delete(j);
}

/*
 * Deep equality as ASL and JSONata compare: numbers by value (1 == 1.0),
 * object keys unordered, arrays ordered.
 */
bool sfn_json_equal(const json_t *a, const json_t *b);

/* ---- JSON Pointer (RFC 6901) ---- */

/* Appends "/" and @token escaped (~ -> ~0, / -> ~1) to @sb. */
void sfn_pointer_add(struct sfn_strbuf *sb, const char *token);
void sfn_pointer_addi(struct sfn_strbuf *sb, size_t index);
/* The value at @pointer in @root, borrowed; NULL if absent. */
json_t *sfn_pointer_get(json_t *root, const char *pointer);

/* ---- UTF-8 ---- */

/* Is @s (of @n bytes) valid UTF-8 (no surrogates, no overlongs)? */
bool sfn_utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8 @s of @n bytes. */
size_t sfn_utf8_length(const char *s, size_t n);

/* ---- diagnostics: what the loader and the linter report ---- */

enum sfn_severity { SFN_SEV_ERROR, SFN_SEV_WARNING };

struct sfn_diag {
	enum sfn_severity severity;
	char *code; /* "SCHEMA_VALIDATION_FAILED", "SFN_DUPLICATE_KEY"; owned */
	char *message; /* AWS's text where AWS has one; owned */
	char *where;   /* JSON Pointer into the definition; owned */
	int line, col; /* 1-based; 0 when unknown */
};

struct sfn_diags {
	struct sfn_diag *v; /* owned array of n */
	size_t n, alloc;
};
#define SFN_DIAGS_INIT                                                         \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/* Appends a diagnostic; @where may be NULL. Returns the new entry. */
struct sfn_diag *sfn_diags_addf(struct sfn_diags *d, enum sfn_severity sev,
				const char *code, const char *where,
				const char *fmt, ...) SFN_PRINTF(5, 6);
size_t sfn_diags_count(const struct sfn_diags *d, enum sfn_severity sev);
/* Sorts by line, col (stable), unknown positions last. */
void sfn_diags_sort(struct sfn_diags *d);
void sfn_diags_release(struct sfn_diags *d);

/*
 * Seconds on a monotonic clock, as clock_gettime(CLOCK_MONOTONIC) gives
 * them, cheaper when read often (clock.c). Thread-safe; never goes back
 * within a thread.
 */
double sfn_clock_monotonic(void);

/* ---- time: ISO 8601 in UTC, without gmtime (banned) ---- */

/*
 * Writes @epoch (seconds, with a fraction) as AWS prints dates:
 * "2026-11-30T10:00:00.500Z" (always three fraction digits).
 */
void sfn_time_format(char buf[32], double epoch);
/*
 * Parses an RFC 3339 / ISO 8601 date-time ("2026-11-30T10:00:00Z",
 * fractions of any length, "+01:00" offsets). Returns 0 and sets *@epoch,
 * or -1 when @s is not one.
 */
int sfn_time_parse(const char *s, double *epoch);

/*
 * The key under which a redrive finds a recorded Task result: the
 * @entry-th (from 0) entry of @state in @scope (an "x-scope" array, NULL
 * or empty at the top level), counted from the state a redrive resumes at.
 * Written by the journal's redrive plan, read by the replay Task backend.
 * A new string.
 */
char *sfn_replay_key(const char *state, const json_t *scope, unsigned entry);

/* Message digests (digest.c). */
enum sfn_digest { SFN_MD5, SFN_SHA1, SFN_SHA256, SFN_SHA384, SFN_SHA512 };
/* Room for the longest digest in hex (SHA-512) and a NUL. */
#define SFN_DIGEST_HEX_MAX 129
/* The digest named as States.Hash and $hash name it ("SHA-256"), or -1. */
int sfn_digest_by_name(const char *name);
const char *sfn_digest_name(enum sfn_digest alg);
/* The digest of @n bytes at @data in lowercase hex and a NUL, into @out;
 * returns the number of hex digits. */
size_t sfn_digest_hex(enum sfn_digest alg, const void *data, size_t n,
		      char out[SFN_DIGEST_HEX_MAX]);
/* The SHA-256 of @n bytes at @data, as 64 hex digits and a NUL. */
void sfn_sha256_hex(const void *data, size_t n, char out[65]);

#endif
