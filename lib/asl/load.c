/*
 * The loader's front: reading files, sniffing the format, the document
 * object and its source map (see asl_int.h for how positions are keyed).
 */
#include "asl/asl.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asl/asl_int.h"

/* ---- hashing pointer tokens (sfn_hash_token in asl_int.h) ---- */

uint64_t sfn_hash_index(uint64_t parent, size_t index)
{
	/* The decimal digits, as the pointer spells the index. */
	char buf[SFN_NUMBUF];
	char *p = buf + sizeof(buf);
	do {
		*--p = (char)('0' + index % 10);
		index /= 10;
	} while (index);
	return sfn_hash_token(parent, p, (size_t)(buf + sizeof(buf) - p));
}

/* ---- the source map ---- */

struct sfn_srcmap *sfn_srcmap_create(void)
{
	struct sfn_srcmap *map = sfn_xcalloc(1, sizeof(*map));
	map->refs = 1;
	return map;
}

struct sfn_srcmap *sfn_srcmap_ref(struct sfn_srcmap *map)
{
	if (map)
		map->refs++;
	return map;
}

void sfn_srcmap_unref(struct sfn_srcmap *map)
{
	if (!map || --map->refs > 0)
		return;
	free(map->src_alloc);
	free(map->v);
	free(map->index);
	free(map);
}

void sfn_srcmap_grow(struct sfn_srcmap *map)
{
	map->alloc = map->alloc ? map->alloc * 2 : 256;
	map->v = sfn_xrealloc(map->v, map->alloc * sizeof(*map->v));
}

void sfn_srcmap_drop_index(struct sfn_srcmap *map)
{
	free(map->index);
	map->index = NULL;
}

/*
 * Room for the positions of map->src at once: values are about one per 8
 * bytes or more, so most of it is never touched (costs nothing) and the
 * vector rarely moves.
 */
static void reserve_positions(struct sfn_srcmap *map)
{
	if (map->alloc)
		return;
	map->alloc = map->src_len / 8 + 64;
	map->v = sfn_xrealloc(map->v, map->alloc * sizeof(*map->v));
}

void sfn_srcmap_fill(struct sfn_srcmap *map)
{
	if (!map || !map->lazy)
		return;
	map->lazy = false;
	/* The text parsed without errors once: it does again. */
	struct sfn_parse_ctx ctx = {
		.buf = map->src,
		.len = map->src_len,
		.map = map,
		.no_values = true,
	};
	reserve_positions(map);
	json_decref(sfn_parse_json(&ctx));
}

static size_t slot_of(uint64_t h, size_t mask)
{
	return (size_t)(h ^ (h >> 31)) & mask;
}

static void build_index(struct sfn_srcmap *map)
{
	size_t cap = 16;
	while (cap < map->n * 2)
		cap *= 2;
	map->index = sfn_xcalloc(cap, sizeof(*map->index));
	map->cap = cap;
	for (size_t i = 0; i < map->n; i++) {
		uint64_t h = map->v[i].hash;
		size_t k = slot_of(h, cap - 1);
		while (map->index[k] && map->v[map->index[k] - 1].hash != h)
			k = (k + 1) & (cap - 1);
		map->index[k] = (uint32_t)(i + 1);
	}
}

const struct sfn_pos_ent *sfn_srcmap_get(const struct sfn_srcmap *cmap,
					 uint64_t h)
{
	/* The index, and a lazy map's positions, are caches: building them
	 * does not change what the map says. */
	struct sfn_srcmap *map = (struct sfn_srcmap *)cmap;
	sfn_srcmap_fill(map);
	if (!map || !map->n)
		return NULL;
	if (!map->index)
		build_index(map);
	size_t k = slot_of(h, map->cap - 1);
	while (map->index[k]) {
		const struct sfn_pos_ent *e = &map->v[map->index[k] - 1];
		if (e->hash == h)
			return e;
		k = (k + 1) & (map->cap - 1);
	}
	return NULL;
}

const struct sfn_pos_ent *sfn_srcmap_first(const struct sfn_srcmap *cmap,
					   uint64_t h)
{
	struct sfn_srcmap *map = (struct sfn_srcmap *)cmap;
	sfn_srcmap_fill(map);
	for (size_t i = 0; i < map->n; i++)
		if (map->v[i].hash == h)
			return &map->v[i];
	return NULL;
}

void sfn_xform_apply_off(const struct sfn_xform *x, size_t off, int *line,
			 int *col)
{
	if (!x || x->mode != SFN_XFORM_MAP) {
		sfn_xform_apply(x, line, col);
		return;
	}
	if (off < x->len) {
		*line = x->line[off];
		*col = x->col[off];
	} else if (x->len) {
		/* The end of the text: its last byte. */
		*line = x->line[x->len - 1];
		*col = x->col[x->len - 1];
	} else {
		*line = x->line0;
		*col = x->col0;
	}
}

void sfn_xform_apply(const struct sfn_xform *x, int *line, int *col)
{
	if (!x || x->mode == SFN_XFORM_NONE)
		return;
	if (x->mode == SFN_XFORM_PIN) {
		*line = x->line0;
		*col = x->col0;
		return;
	}
	/*
	 * MAP: find the byte at line:col of the embedded text, going on from
	 * the last one found when it is on the same line and not after it
	 * (positions come in order), so a long line is walked once.
	 */
	size_t off = x->len;
	if (*line >= 1 && (size_t)*line <= x->n_lines) {
		int c = 1;
		off = x->line_starts[*line - 1];
		if (x->cache && x->cache->line == *line &&
		    x->cache->col <= *col) {
			c = x->cache->col;
			off = x->cache->off;
		}
		for (; c < *col && off < x->len; c++) {
			off++;
			while (off < x->len &&
			       ((unsigned char)x->text[off] & 0xC0) == 0x80)
				off++;
		}
		if (x->cache)
			*x->cache = (struct sfn_xform_cache){ *line, c, off };
	}
	sfn_xform_apply_off(x, off, line, col);
}

const char *sfn_text_at(const char *buf, size_t len, int line, int col)
{
	const char *p = buf, *end = buf + len;
	for (int l = 1; l < line && p < end; p++)
		if (*p == '\n' ||
		    (*p == '\r' && (p + 1 >= end || p[1] != '\n')))
			l++;
	for (int c = 1; p < end; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue;
		if (c++ == col)
			return p;
	}
	return NULL;
}

/* ---- errors ---- */

#define MAX_DUPS 100

bool sfn_dup_report(struct sfn_parse_ctx *ctx, int line, int col)
{
	if (!ctx->diags)
		return false;
	if (++ctx->n_dups <= MAX_DUPS)
		return true;
	if (ctx->n_dups == MAX_DUPS + 1) {
		struct sfn_diag *d = sfn_diags_addf(
			ctx->diags, SFN_SEV_ERROR, "SFN_DUPLICATE_KEY", NULL,
			"more than %d duplicate keys; the rest are not "
			"reported",
			MAX_DUPS);
		d->line = line;
		d->col = col;
	}
	return false;
}

int sfn_parse_errorf(struct sfn_error *err, int line, int col, const char *fmt,
		     ...)
{
	if (!err || sfn_error_is_set(err))
		return -1;
	va_list ap;
	va_start(ap, fmt);
	sfn_verrorf(err, "SFN_PARSE", NULL, fmt, ap);
	va_end(ap);
	err->line = line;
	err->col = col;
	return -1;
}

void sfn_describe_char(char out[32], const char *p, const char *end)
{
	unsigned char c;
	if (p >= end) {
		snprintf(out, 32, "end of input");
		return;
	}
	c = (unsigned char)*p;
	if (c >= 0x20 && c < 0x7F) {
		snprintf(out, 32, "'%c'", c);
		return;
	}
	if (c < 0x80) {
		snprintf(out, 32, "control character 0x%02X", c);
		return;
	}
	int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (end - p >= n && sfn_utf8_valid(p, (size_t)n))
		snprintf(out, 32, "'%.*s'", n, p);
	else
		snprintf(out, 32, "byte 0x%02X", c);
}

/* ---- documents ---- */

struct sfn_doc *sfn_doc_make(const char *name, json_t *root,
			     struct sfn_srcmap *map, uint64_t base)
{
	struct sfn_doc *doc = sfn_xcalloc(1, sizeof(*doc));
	doc->name = sfn_xstrdup(name);
	doc->root = root;
	doc->map = sfn_srcmap_ref(map);
	doc->base = base;
	return doc;
}

void sfn_doc_free(struct sfn_doc *doc)
{
	if (!doc)
		return;
	free(doc->name);
	json_decref(doc->root);
	sfn_srcmap_unref(doc->map);
	free(doc);
}

json_t *sfn_doc_root(const struct sfn_doc *doc)
{
	return doc->root;
}

const char *sfn_doc_name(const struct sfn_doc *doc)
{
	return doc->name;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * sfn_doc_parse(); @own, if not NULL, is the allocation @buf lies in, which
 * the document takes over (else the text is copied for the source map).
 */
static struct sfn_doc *parse_doc(const char *name, const char *buf, size_t len,
				 int flags, const struct sfn_xform *xform,
				 struct sfn_diags *diags, struct sfn_error *err,
				 char *own)
{
	/* A UTF-8 byte order mark is skipped; positions start after it. */
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
		buf += 3;
		len -= 3;
	}
	size_t i = 0;
	while (i < len && is_space(buf[i]))
		i++;
	if (i == len) {
		int line = 1, col = 1;
		sfn_xform_apply(xform, &line, &col);
		sfn_parse_errorf(err, line, col,
				 len ? "file has only white space, expected a "
				       "state machine"
				     : "file is empty, expected a state "
				       "machine");
		free(own);
		return NULL;
	}
	bool json;
	if (flags & SFN_LOAD_JSON)
		json = true;
	else if (flags & SFN_LOAD_YAML)
		json = false;
	else
		json = buf[i] == '{' || buf[i] == '[';

	struct sfn_srcmap *map = sfn_srcmap_create();
	if (own) {
		map->src_alloc = own;
		map->src = buf;
	} else {
		map->src_alloc = sfn_xmalloc(len + 1);
		memcpy(map->src_alloc, buf, len);
		map->src_alloc[len] = '\0';
		map->src = map->src_alloc;
	}
	map->src_len = len;
	map->xformed = xform && xform->mode != SFN_XFORM_NONE;
	struct sfn_parse_ctx ctx = {
		.name = name,
		.buf = map->src, /* NUL-terminated, as the parsers need */
		.len = len,
		.map = map,
		.diags = diags,
		.err = err,
		.xform = xform,
	};
	json_t *root = NULL;
	if (json && !xform) {
		/* Positions later, if ever asked for (sfn_srcmap_fill). */
		ctx.map = NULL;
		root = sfn_parse_json(&ctx);
		map->lazy = root != NULL;
		ctx.map = map;
	}
	if (!map->lazy && (!json || xform || ctx.dup)) {
		reserve_positions(map);
		root = json ? sfn_parse_json(&ctx) : sfn_parse_yaml(&ctx);
	}
	struct sfn_doc *doc = NULL;
	if (root)
		doc = sfn_doc_make(name, root, map, SFN_HASH_ROOT);
	sfn_srcmap_unref(map);
	return doc;
}

struct sfn_doc *sfn_doc_parse(const char *name, const char *buf, size_t len,
			      int flags, const struct sfn_xform *xform,
			      struct sfn_diags *diags, struct sfn_error *err)
{
	return parse_doc(name, buf, len, flags, xform, diags, err, NULL);
}

struct sfn_doc *sfn_doc_load_mem(const char *name, const char *buf, size_t len,
				 int flags, struct sfn_diags *diags,
				 struct sfn_error *err)
{
	return sfn_doc_parse(name, buf, len, flags, NULL, diags, err);
}

struct sfn_doc *sfn_doc_load_file(const char *path, int flags,
				  struct sfn_diags *diags,
				  struct sfn_error *err)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	bool is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "<stdin>" : path;
	int fd = is_stdin ? 0 : open(path, O_RDONLY);
	struct stat st;
	int rc = -1;
	if (fd >= 0) {
		/* Read a regular file in one go, into a buffer of its size. */
		bool known = fstat(fd, &st) == 0;
		if (known && S_ISREG(st.st_mode))
			sfn_strbuf_init(&sb, (size_t)st.st_size + 1);
		if (known && S_ISDIR(st.st_mode))
			errno = EISDIR;
		else
			rc = sfn_strbuf_read_fd(&sb, fd);
		int saved = errno;
		if (!is_stdin)
			close(fd);
		errno = saved;
	}
	if (rc < 0) {
		sfn_errorf(err, "SFN_IO", NULL, "cannot read file: %s",
			   strerror(errno));
		sfn_strbuf_release(&sb);
		return NULL;
	}
	size_t len;
	char *buf = sfn_strbuf_detach(&sb, &len);
	return parse_doc(name, buf, len, flags, NULL, diags, err, buf);
}

/* ---- positions by JSON Pointer ---- */

bool sfn_doc_pos(const struct sfn_doc *doc, const char *pointer, bool key,
		 int *line, int *col)
{
	uint64_t h = doc->base;
	const struct sfn_pos_ent *best = sfn_srcmap_get(doc->map, h);
	bool exact = true;
	const char *p = pointer ? pointer : "";
	struct sfn_strbuf tok = SFN_STRBUF_INIT;
	while (*p == '/') {
		p++;
		sfn_strbuf_reset(&tok);
		while (*p && *p != '/') {
			if (p[0] == '~' && p[1] == '0') {
				sfn_strbuf_addch(&tok, '~');
				p += 2;
			} else if (p[0] == '~' && p[1] == '1') {
				sfn_strbuf_addch(&tok, '/');
				p += 2;
			} else {
				sfn_strbuf_addch(&tok, *p++);
			}
		}
		h = sfn_hash_token(h, tok.buf, tok.len);
		const struct sfn_pos_ent *e = sfn_srcmap_get(doc->map, h);
		if (!e) {
			exact = false;
			break;
		}
		best = e;
	}
	sfn_strbuf_release(&tok);
	if (!best) {
		*line = *col = 0;
		return false;
	}
	if (key && exact && best->kline > 0) {
		*line = best->kline;
		*col = best->kcol;
	} else {
		*line = best->line;
		*col = best->col;
	}
	return true;
}

/* A place in the source text, for sfn_doc_pos_in_string(). */
struct scur {
	const char *p, *end;
	int line, col;
};

/* Past one character (all its UTF-8 bytes); returns their number. */
static size_t scur_char(struct scur *c)
{
	const char *p = c->p;
	if (*c->p == '\n') {
		c->line++;
		c->col = 0;
	}
	c->p++;
	while (c->p < c->end && ((unsigned char)*c->p & 0xC0) == 0x80)
		c->p++;
	c->col++;
	return (size_t)(c->p - p);
}

static size_t utf8_len(unsigned long cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static bool hex_at(const char *p, const char *end, int n, unsigned long *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (p + i >= end || !isxdigit((unsigned char)p[i]))
			return false;
		int d = (unsigned char)p[i];
		d = isdigit(d) ? d - '0' : tolower(d) - 'a' + 10;
		*v = *v * 16 + (unsigned long)d;
	}
	return true;
}

/*
 * One unit of a double-quoted string at @c: an escape or a character.
 * Returns the bytes it decodes to, 0 at the closing quote or where the
 * form is not followed (a line break: multi-line scalars fold).
 */
static size_t dquoted_unit(struct scur *c)
{
	if (c->p >= c->end || *c->p == '"' || *c->p == '\n' || *c->p == '\r')
		return 0;
	if (*c->p != '\\')
		return scur_char(c);
	if (c->p + 1 >= c->end || c->p[1] == '\n' || c->p[1] == '\r')
		return 0;
	char e = c->p[1];
	int digits = e == 'u' ? 4 : e == 'x' ? 2 : e == 'U' ? 8 : 0;
	unsigned long cp = 0;
	if (digits && !hex_at(c->p + 2, c->end, digits, &cp))
		return 0;
	size_t n = digits ? utf8_len(cp) : 1;
	int skip = 2 + digits;
	if (e == 'u' && cp >= 0xD800 && cp < 0xDC00 && c->p + 7 < c->end &&
	    c->p[6] == '\\' && c->p[7] == 'u' &&
	    hex_at(c->p + 8, c->end, 4, &cp) && cp >= 0xDC00 && cp < 0xE000) {
		n = 4; /* a surrogate pair */
		skip += 6;
	}
	c->p += skip;
	c->col += skip;
	return n;
}

static size_t squoted_unit(struct scur *c)
{
	if (c->p >= c->end || *c->p == '\n' || *c->p == '\r')
		return 0;
	if (*c->p == '\'') {
		if (c->p + 1 >= c->end || c->p[1] != '\'')
			return 0;
		c->p += 2;
		c->col += 2;
		return 1;
	}
	return scur_char(c);
}

static size_t plain_unit(struct scur *c)
{
	if (c->p >= c->end || *c->p == '\n' || *c->p == '\r')
		return 0;
	return scur_char(c);
}

/*
 * A YAML block scalar whose header ('|' or '>') is at @c: walks to byte
 * @off of its value. Lines keep their bytes past the indentation; a line
 * break is one byte ('\n', or a space when folding), a folded run of
 * empty lines one byte per empty line.
 */
static bool block_walk(struct scur *c, size_t off)
{
	bool folded = *c->p == '>';
	while (c->p < c->end && *c->p != '\n')
		scur_char(c);
	if (c->p >= c->end)
		return false;
	scur_char(c);
	/* The indentation: that of the first line that is not empty. */
	const char *q = c->p;
	for (;;) {
		const char *l = q;
		while (q < c->end && *q == ' ')
			q++;
		if (q < c->end && (*q == '\n' || *q == '\r')) {
			q += *q == '\r' && q + 1 < c->end && q[1] == '\n' ? 2
									  : 1;
			continue;
		}
		if (q >= c->end || q == l)
			return false;
		break;
	}
	size_t indent = 0;
	while (q - indent > c->p && q[-1 - (long)indent] == ' ')
		indent++;
	size_t k = 0;
	for (;;) {
		/* At the start of a line: its indentation. */
		for (size_t i = 0; i < indent && c->p < c->end && *c->p == ' ';
		     i++)
			scur_char(c);
		while (c->p < c->end && *c->p != '\n' && *c->p != '\r') {
			struct scur save = *c;
			size_t n = scur_char(c);
			if (k + n > off) {
				*c = save;
				return true;
			}
			k += n;
		}
		if (c->p >= c->end)
			return k == off;
		if (k == off)
			return true;
		/* The line break, and the empty lines after it. */
		size_t empty = 0;
		const char *r = c->p;
		for (;;) {
			r += *r == '\r' && r + 1 < c->end && r[1] == '\n' ? 2
									  : 1;
			const char *t = r;
			while (t < c->end && *t == ' ')
				t++;
			if (t < c->end && (*t == '\n' || *t == '\r')) {
				empty++;
				r = t;
				continue;
			}
			break;
		}
		k += folded && empty ? empty : 1 + (folded ? 0 : empty);
		if (k > off)
			return true; /* in the break: the end of the line */
		while (c->p < r)
			scur_char(c);
	}
}

bool sfn_doc_pos_in_string(const struct sfn_doc *doc, const char *pointer,
			   size_t off, int *line, int *col)
{
	int l, cl;
	if (doc->map->xformed || !doc->map->src ||
	    !sfn_doc_pos(doc, pointer, false, &l, &cl))
		return false;
	const char *p = sfn_text_at(doc->map->src, doc->map->src_len, l, cl);
	if (!p)
		return false;
	struct scur c = { p, doc->map->src + doc->map->src_len, l, cl };
	if (*p == '|' || *p == '>') {
		if (!block_walk(&c, off))
			return false;
		*line = c.line;
		*col = c.col;
		return true;
	}
	size_t (*unit)(struct scur *) = plain_unit;
	if (*p == '"' || *p == '\'') {
		unit = *p == '"' ? dquoted_unit : squoted_unit;
		scur_char(&c);
	}
	for (size_t k = 0; k < off;) {
		struct scur save = c;
		size_t n = unit(&c);
		if (n == 0)
			return false;
		if (k + n > off) {
			c = save;
			break;
		}
		k += n;
	}
	*line = c.line;
	*col = c.col;
	return true;
}

void sfn_doc_locate(const struct sfn_doc *doc, struct sfn_error *err)
{
	if (!err || err->line > 0 || !err->where)
		return;
	sfn_doc_pos(doc, err->where, false, &err->line, &err->col);
}

void sfn_doc_locate_diags(const struct sfn_doc *doc, struct sfn_diags *diags)
{
	for (size_t i = 0; diags && i < diags->n; i++) {
		struct sfn_diag *d = &diags->v[i];
		if (d->line <= 0 && d->where)
			sfn_doc_pos(doc, d->where, false, &d->line, &d->col);
	}
}

/* ---- shapes ---- */

bool sfn_is_asl(const json_t *root)
{
	return json_is_object(root) && json_object_get(root, "States") &&
	       json_object_get(root, "StartAt");
}

bool sfn_is_template(const json_t *root)
{
	if (!json_is_object(root))
		return false;
	if (json_object_get(root, "AWSTemplateFormatVersion"))
		return true;
	json_t *res = json_object_get(root, "Resources");
	return json_is_object(res) && !json_object_get(root, "States");
}
