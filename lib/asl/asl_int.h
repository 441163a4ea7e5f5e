/*
 * asl_int.h: what the loader's files share (load.c, load_json.c,
 * load_yaml.c, template.c). Not for other modules.
 *
 * The source map. Every value (and the key naming it) gets an entry keyed
 * by a 64-bit hash of its JSON Pointer, built incrementally while parsing:
 * hash(child) = step(hash(parent), unescaped token), array elements by
 * their decimal index. No pointer string is ever built while loading; a
 * lookup hashes the prefixes of the pointer it is given and takes the
 * longest one present. Entries live in one open-addressing table (24 bytes
 * each), shared by reference between a template and the machines taken
 * from it, so a machine's positions still point into the template.
 */
#ifndef SFN_ASL_INT_H
#define SFN_ASL_INT_H

#include <stdint.h>

#include "asl/asl.h"

struct sfn_pos_ent {
	uint64_t hash;	   /* of the JSON Pointer; 0 = empty slot */
	int32_t line, col; /* of the value; 1-based */
	int32_t kline;	   /* of the key naming it; 0 for elements, root */
	int32_t kcol;
};

struct sfn_srcmap {
	int refs;
	char *src_alloc; /* owned; holds src */
	const char *src; /* the text parsed (without a BOM), for templates */
	size_t src_len;
	struct sfn_pos_ent *v; /* owned; entries in the order recorded */
	size_t n, alloc;
	/*
	 * Built on the first lookup, so loading only appends: slots of an
	 * open-addressing table hold 1 + an index into v, the latest entry
	 * of a hash winning (a duplicate key's later value).
	 */
	uint32_t *index; /* owned; cap slots, a power of 2; may be NULL */
	size_t cap;
	/*
	 * A JSON document is first parsed without positions: most loads
	 * (a valid definition, a run) never ask for one. The first lookup
	 * then parses src again for positions only (sfn_srcmap_fill).
	 */
	bool lazy;
	/*
	 * Positions were mapped by an sfn_xform: they are places in a
	 * template, not in src.
	 */
	bool xformed;
};

struct sfn_doc {
	char *name;		/* owned; what diagnostics print */
	json_t *root;		/* owned reference */
	struct sfn_srcmap *map; /* one reference owned */
	uint64_t base;		/* hash of this document's root in map */
};

/* The hash of the root pointer "". */
#define SFN_HASH_ROOT 0x84222325cbf29ce4ULL

/*
 * FNV-1a over the token, then a terminator (0xFF never occurs in UTF-8:
 * "/ab" and "/a/b" differ). Inline: a parse that records positions hashes
 * every key.
 */
static inline uint64_t sfn_hash_token(uint64_t parent, const char *tok,
				      size_t n)
{
	uint64_t h = parent;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)tok[i]) * 0x100000001b3ULL;
	h = (h ^ 0xFF) * 0x100000001b3ULL;
	h ^= h >> 29;
	return h ? h : 1;
}
uint64_t sfn_hash_index(uint64_t parent, size_t index);

struct sfn_srcmap *sfn_srcmap_create(void);
struct sfn_srcmap *sfn_srcmap_ref(struct sfn_srcmap *map);
void sfn_srcmap_unref(struct sfn_srcmap *map);
/* Room for more entries, and the index dropped (for sfn_srcmap_put). */
void sfn_srcmap_grow(struct sfn_srcmap *map);
void sfn_srcmap_drop_index(struct sfn_srcmap *map);
/*
 * Records the position of the value hashed @h (a later one wins). Inline:
 * a parse that records positions calls it for every value.
 */
static inline void sfn_srcmap_put(struct sfn_srcmap *map, uint64_t h, int line,
				  int col, int kline, int kcol)
{
	if (map->n == map->alloc)
		sfn_srcmap_grow(map);
	map->v[map->n++] = (struct sfn_pos_ent){ h, line, col, kline, kcol };
	if (map->index)
		sfn_srcmap_drop_index(map);
}
/* The latest entry of @h, or NULL. Builds the index if needed. */
const struct sfn_pos_ent *sfn_srcmap_get(const struct sfn_srcmap *map,
					 uint64_t h);
/* The first entry of @h recorded, or NULL (a slow scan, for duplicate
 * keys: where the key stood first). */
const struct sfn_pos_ent *sfn_srcmap_first(const struct sfn_srcmap *map,
					   uint64_t h);

/*
 * Where positions of an embedded document go (a DefinitionString parsed out
 * of a template). PIN puts everything at line0:col0. MAP gives each byte of
 * the embedded text its own place in the template (@line/@col, @len of
 * each): the text was decoded from a string literal, or built by Fn::Sub
 * or Fn::Join, and every byte remembers where it came from.
 */
enum sfn_xform_mode { SFN_XFORM_NONE, SFN_XFORM_PIN, SFN_XFORM_MAP };
struct sfn_xform {
	enum sfn_xform_mode mode;
	int line0, col0;  /* PIN; MAP: for offsets past the end */
	const char *text; /* MAP: the embedded text */
	size_t len;
	const int32_t *line, *col; /* MAP: len entries each */
	const size_t *line_starts; /* MAP: offsets where lines start */
	size_t n_lines;
	struct sfn_xform_cache *cache; /* MAP: may be NULL */
};
/* The last position sfn_xform_apply() found, to go on from it. */
struct sfn_xform_cache {
	int line, col;
	size_t off;
};
/* Maps a position of the embedded text (@line:@col) into the template. */
void sfn_xform_apply(const struct sfn_xform *x, int *line, int *col);
/* The same from a byte offset @off of the text whose @line:@col it is. */
void sfn_xform_apply_off(const struct sfn_xform *x, size_t off, int *line,
			 int *col);

/* What the two parsers take and give. */
struct sfn_parse_ctx {
	const char *name; /* for diagnostics' text; borrowed */
	const char *buf;  /* the text, without a BOM; borrowed; buf[len] must
			   * be '\0' (the JSON parser reads up to it) */
	size_t len;
	struct sfn_srcmap *map;	       /* where positions go; borrowed */
	struct sfn_diags *diags;       /* may be NULL */
	struct sfn_error *err;	       /* may be NULL */
	const struct sfn_xform *xform; /* may be NULL */
	size_t n_dups;		       /* duplicate keys reported so far */
	/*
	 * JSON only. With @map NULL, no positions are recorded, and a
	 * duplicate key stops the parse (NULL, @dup set, no error) so that
	 * the caller parses again with positions to report it. With
	 * @no_values, only positions are recorded and the result is a
	 * placeholder (json_null()), not the document.
	 */
	bool no_values;
	bool dup;
};

/*
 * Whether one more duplicate key may be reported: the first 100 are, then
 * one diagnostic at @line:@col says the rest are not (finding where a key
 * was first costs a scan, and a file of duplicates must not take hours).
 */
bool sfn_dup_report(struct sfn_parse_ctx *ctx, int line, int col);

/* Records the positions of a lazy map (see sfn_srcmap.lazy); idempotent. */
void sfn_srcmap_fill(struct sfn_srcmap *map);

/* Returns a new reference, or NULL with ctx->err set (SFN_PARSE). */
json_t *sfn_parse_json(struct sfn_parse_ctx *ctx);
json_t *sfn_parse_yaml(struct sfn_parse_ctx *ctx);

/* A document from parts: steals @root, takes a reference to @map. */
struct sfn_doc *sfn_doc_make(const char *name, json_t *root,
			     struct sfn_srcmap *map, uint64_t base);

/*
 * Parses @buf (@len bytes, may start with a BOM) as @flags say, recording
 * positions through @xform (may be NULL) into a new document named @name.
 */
struct sfn_doc *sfn_doc_parse(const char *name, const char *buf, size_t len,
			      int flags, const struct sfn_xform *xform,
			      struct sfn_diags *diags, struct sfn_error *err);

/* Sets @err to SFN_PARSE at @line:@col. Returns -1. */
int sfn_parse_errorf(struct sfn_error *err, int line, int col, const char *fmt,
		     ...) SFN_PRINTF(4, 5);

/* The byte at @line:@col (1-based, code points) of @buf, or NULL. */
const char *sfn_text_at(const char *buf, size_t len, int line, int col);

/* Describes the character at @p (of @end) for "unexpected %s". */
void sfn_describe_char(char out[32], const char *p, const char *end);

#endif
