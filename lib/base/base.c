#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef SFN_HAVE_MIMALLOC
#include <mimalloc.h>
#endif

#include "base/banned.h"

/* ---- allocation ---- */

static SFN_NORETURN void die_oom(size_t n)
{
	fprintf(stderr, "sfn: out of memory allocating %zu bytes\n", n);
	abort();
}

void *sfn_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom(n);
	return p;
}

void *sfn_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		die_oom(nmemb * size);
	return p;
}

void *sfn_xcalloc_aligned(size_t align, size_t size)
{
	/* aligned_alloc wants a multiple of the alignment. */
	size_t n = (size + align - 1) / align * align;
	void *p = aligned_alloc(align, n ? n : align);
	if (!p)
		die_oom(n);
	memset(p, 0, n);
	return p;
}

void *sfn_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die_oom(n);
	return q;
}

char *sfn_xstrdup(const char *s)
{
	return sfn_xstrndup(s, strlen(s));
}

char *sfn_xstrndup(const char *s, size_t n)
{
	char *p = sfn_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *sfn_xvasprintf(const char *fmt, va_list ap)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	sfn_strbuf_vaddf(&sb, fmt, ap);
	return sfn_strbuf_detach(&sb, NULL);
}

char *sfn_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	s = sfn_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

#ifdef SFN_HAVE_MIMALLOC
/*
 * mimalloc reports a failed allocation here before it returns NULL: out of
 * memory aborts, as sfn_xmalloc() does. So jansson, which allocates once
 * per value, member and string of a load, can call mi_malloc() straight.
 */
static void mimalloc_error(int err, void *arg)
{
	(void)arg;
	if (err == ENOMEM) {
		fputs("sfn: out of memory\n", stderr);
		abort();
	}
}
#else
/*
 * jansson's allocator: a load calls it once per value, member and string,
 * so it goes straight to malloc. jansson never asks for 0 bytes; should it,
 * and malloc return NULL, sfn_xmalloc() asks again for 1 byte.
 */
static void *json_xmalloc(size_t n)
{
	void *p = malloc(n);
	return p ? p : sfn_xmalloc(n);
}
#endif

/*
 * With mimalloc (CMakeLists.txt), its memory comes in 2 MiB pages where the
 * kernel has transparent huge pages (Debian's default: for regions that ask,
 * as mimalloc then does). Loading a 1 MB definition makes about 9 MB of
 * jansson values: 2,550 page faults with 4 KiB pages, half the time a fresh
 * process took to load it, and 6 with 2 MiB ones; an inline Map of 10,000
 * items faults 1,900 times instead of 530. It costs about 2 MB of resident
 * memory. MIMALLOC_LARGE_OS_PAGES=0 in the environment keeps small pages.
 */
void sfn_alloc_init(void)
{
#ifdef SFN_HAVE_MIMALLOC
	mi_register_error(mimalloc_error, NULL);
	json_set_alloc_funcs(mi_malloc, mi_free);
	if (!getenv("MIMALLOC_LARGE_OS_PAGES"))
		mi_option_enable(mi_option_large_os_pages);
#else
	json_set_alloc_funcs(json_xmalloc, free);
#endif
}

void sfn_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "sfn: BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- strbuf ---- */

char sfn_strbuf_empty[1];

void sfn_strbuf_init(struct sfn_strbuf *sb, size_t hint)
{
	sb->buf = sfn_strbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
	if (hint)
		sfn_strbuf_grow(sb, hint);
}

void sfn_strbuf_release(struct sfn_strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sfn_strbuf_init(sb, 0);
}

void sfn_strbuf_reset(struct sfn_strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}

char *sfn_strbuf_detach(struct sfn_strbuf *sb, size_t *len)
{
	char *s;
	if (!sb->alloc)
		sfn_strbuf_grow(sb, 0);
	s = sb->buf;
	if (len)
		*len = sb->len;
	sfn_strbuf_init(sb, 0);
	return s;
}

void sfn_strbuf_grow_slow(struct sfn_strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	bool fresh = !sb->alloc;
	if (need < extra)
		SFN_BUG("strbuf size overflow");
	if (need <= sb->alloc)
		return;
	size_t n = sb->alloc ? sb->alloc : 64;
	while (n < need)
		n = n < 1024 * 1024 ? n * 2 : n + n / 2;
	sb->buf = sfn_xrealloc(fresh ? NULL : sb->buf, n);
	sb->alloc = n;
	if (fresh)
		sb->buf[0] = '\0';
}

void sfn_strbuf_vaddf(struct sfn_strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	va_copy(cp, ap);
	sfn_strbuf_grow(sb, 64);
	n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		SFN_BUG("vsnprintf failed");
	if ((size_t)n >= sb->alloc - sb->len) {
		sfn_strbuf_grow(sb, (size_t)n);
		va_copy(cp, ap);
		n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
		va_end(cp);
	}
	sb->len += (size_t)n;
}

void sfn_strbuf_addf(struct sfn_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sfn_strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

int sfn_strbuf_read_fd(struct sfn_strbuf *sb, int fd)
{
	for (;;) {
		ssize_t n;
		/* Only when full: a buffer sized to the file (fstat) reads it
		 * and its end without moving. */
		if (sb->len + 1 >= sb->alloc)
			sfn_strbuf_grow(sb, 65536);
		n = read(fd, sb->buf + sb->len, sb->alloc - sb->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		sb->len += (size_t)n;
	}
	sb->buf[sb->len] = '\0';
	return 0;
}

int sfn_strbuf_read_file(struct sfn_strbuf *sb, const char *path)
{
	int fd = open(path, O_RDONLY);
	int rc, saved;
	if (fd < 0)
		return -1;
	rc = sfn_strbuf_read_fd(sb, fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* ---- errors ---- */

int sfn_verrorf(struct sfn_error *err, const char *name, const char *where,
		const char *fmt, va_list ap)
{
	if (!err || err->name)
		return -1;
	err->name = sfn_xstrdup(name);
	err->cause = fmt ? sfn_xvasprintf(fmt, ap) : NULL;
	err->where = where ? sfn_xstrdup(where) : NULL;
	return -1;
}

int sfn_errorf(struct sfn_error *err, const char *name, const char *where,
	       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sfn_verrorf(err, name, where, fmt, ap);
	va_end(ap);
	return -1;
}

void sfn_error_at(struct sfn_error *err, int line, int col)
{
	if (err && !err->line) {
		err->line = line;
		err->col = col;
	}
}

bool sfn_error_is_set(const struct sfn_error *err)
{
	return err && err->name;
}

void sfn_error_move(struct sfn_error *to, struct sfn_error *from)
{
	sfn_error_release(to);
	*to = *from;
	memset(from, 0, sizeof(*from));
}

void sfn_error_release(struct sfn_error *err)
{
	if (!err)
		return;
	free(err->name);
	free(err->cause);
	free(err->where);
	memset(err, 0, sizeof(*err));
}

#define SFN_STATES_ERROR(id, text) const char SFN_E_##id[] = text;
#include "base/states_errors.def"
#undef SFN_STATES_ERROR

const char *const sfn_states_error_names[] = {
#define SFN_STATES_ERROR(id, text) text,
#include "base/states_errors.def"
#undef SFN_STATES_ERROR
	NULL
};

bool sfn_states_error_known(const char *name)
{
	for (size_t i = 0; sfn_states_error_names[i]; i++)
		if (!strcmp(sfn_states_error_names[i], name))
			return true;
	return false;
}

/* ---- JSON Pointer ---- */

void sfn_pointer_add(struct sfn_strbuf *sb, const char *token)
{
	sfn_strbuf_addch(sb, '/');
	for (const char *p = token; *p; p++) {
		if (*p == '~')
			sfn_strbuf_add(sb, "~0", 2);
		else if (*p == '/')
			sfn_strbuf_add(sb, "~1", 2);
		else
			sfn_strbuf_addch(sb, *p);
	}
}

void sfn_pointer_addi(struct sfn_strbuf *sb, size_t index)
{
	char num[SFN_NUMBUF];
	sfn_strbuf_addch(sb, '/');
	sfn_strbuf_add(sb, num, (size_t)sfn_fmt_int(num, (int64_t)index));
}

json_t *sfn_pointer_get(json_t *root, const char *pointer)
{
	struct sfn_strbuf tok = SFN_STRBUF_INIT;
	json_t *v = root;
	const char *p = pointer;
	if (*p && *p != '/')
		return NULL;
	while (v && *p == '/') {
		p++;
		sfn_strbuf_reset(&tok);
		for (; *p && *p != '/'; p++) {
			if (p[0] == '~' && p[1] == '0') {
				sfn_strbuf_addch(&tok, '~');
				p++;
			} else if (p[0] == '~' && p[1] == '1') {
				sfn_strbuf_addch(&tok, '/');
				p++;
			} else {
				sfn_strbuf_addch(&tok, *p);
			}
		}
		if (json_is_object(v)) {
			v = json_object_get(v, tok.buf);
		} else if (json_is_array(v)) {
			char *end;
			unsigned long i;
			if (!tok.len || (tok.len > 1 && tok.buf[0] == '0')) {
				v = NULL;
				break;
			}
			errno = 0;
			i = strtoul(tok.buf, &end, 10);
			v = (*end || errno) ? NULL : json_array_get(v, i);
		} else {
			v = NULL;
		}
	}
	sfn_strbuf_release(&tok);
	return v;
}

/* ---- UTF-8 ---- */

bool sfn_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t len;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

size_t sfn_utf8_length(const char *s, size_t n)
{
	size_t count = 0, i = 0;
	/* Eight bytes at a time: every byte that is not a continuation byte
	 * (10xxxxxx) starts a code point (the loader counts columns so). */
	for (; n - i >= 8; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		uint64_t cont = x & ~(x << 1) & 0x8080808080808080ull;
		/* One per marked byte, summed into the top byte. */
		count += 8 -
			 (size_t)(((cont >> 7) * 0x0101010101010101ull) >> 56);
	}
	for (; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	return count;
}

/* ---- diagnostics ---- */

struct sfn_diag *sfn_diags_addf(struct sfn_diags *d, enum sfn_severity sev,
				const char *code, const char *where,
				const char *fmt, ...)
{
	struct sfn_diag *g;
	va_list ap;
	if (d->n == d->alloc) {
		d->alloc = d->alloc ? d->alloc * 2 : 8;
		d->v = sfn_xrealloc(d->v, d->alloc * sizeof(*d->v));
	}
	g = &d->v[d->n++];
	memset(g, 0, sizeof(*g));
	g->severity = sev;
	g->code = sfn_xstrdup(code);
	va_start(ap, fmt);
	g->message = sfn_xvasprintf(fmt, ap);
	va_end(ap);
	g->where = where ? sfn_xstrdup(where) : NULL;
	return g;
}

size_t sfn_diags_count(const struct sfn_diags *d, enum sfn_severity sev)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		n += d->v[i].severity == sev;
	return n;
}

static int diag_cmp(const struct sfn_diag *a, const struct sfn_diag *b)
{
	long la = a->line ? a->line : (long)INT32_MAX;
	long lb = b->line ? b->line : (long)INT32_MAX;
	if (la != lb)
		return la < lb ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return 0;
}

void sfn_diags_sort(struct sfn_diags *d)
{
	/* Insertion sort: stable, and lists are short. */
	for (size_t i = 1; i < d->n; i++) {
		struct sfn_diag t = d->v[i];
		size_t j = i;
		while (j > 0 && diag_cmp(&d->v[j - 1], &t) > 0) {
			d->v[j] = d->v[j - 1];
			j--;
		}
		d->v[j] = t;
	}
}

void sfn_diags_release(struct sfn_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].code);
		free(d->v[i].message);
		free(d->v[i].where);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->alloc = 0;
}

char *sfn_replay_key(const char *state, const json_t *scope, unsigned entry)
{
	char *sc = scope && json_array_size(scope) ? sfn_json_dumps(scope, 0)
						   : sfn_xstrdup("[]");
	char *key = sfn_xasprintf("%s\x1f%s\x1f%u", state, sc, entry);
	free(sc);
	return key;
}
