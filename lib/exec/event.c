/*
 * History events: the JSON object of one event, and the same bytes written
 * straight into a buffer for the journal. A journaled run writes two
 * events per state, so the writer is on the hot path of every state: it
 * formats the fixed fields by hand, writes the payload already quoted in
 * one pass (sfn_json_dump_quoted), and builds no JSON objects.
 */
#include "exec/exec.h"

#include <math.h>
#include <string.h>

#include "exec/exec_int.h"

const char sfn_event_entered_key[] = "stateEnteredEventDetails";
const char sfn_event_exited_key[] = "stateExitedEventDetails";
const char sfn_event_input_key[] = "input";
const char sfn_event_output_key[] = "output";

/* The payload member @key of details @d, and its "Details", with @text
 * (the payload's JSON) as its value. */
static void add_payload_text(json_t *d, const char *key, const char *text)
{
	char dk[64];
	/* Unchecked: exactly the text sfn_event_write writes. */
	json_object_set_new(d, key, json_string_nocheck(text));
	snprintf(dk, sizeof(dk), "%sDetails", key);
	json_object_set_new(d, dk, json_pack("{s:b}", "truncated", 0));
}

void sfn_event_add_payload(json_t *d, const char *key, const json_t *v)
{
	if (!v)
		return;
	char *s = sfn_json_dumps(v, 0);
	add_payload_text(d, key, s);
	free(s);
}

/* A value rendered ahead (struct sfn_event's texts), read back. */
static json_t *load_text(const char *text, size_t len)
{
	return sfn_json_loadb(text, len, JSON_DECODE_ANY, NULL);
}

json_t *sfn_event_json(const struct sfn_event *ev)
{
	char ts[32];
	sfn_time_format(ts, ev->timestamp);
	json_t *o = json_object();
	json_object_set_new(o, "timestamp", json_string(ts));
	json_object_set_new(o, "type", json_string(ev->type));
	json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
	json_object_set_new(o, "previousEventId",
			    json_integer((json_int_t)ev->previous_id));
	if (ev->details_key) {
		json_t *d = json_object();
		if (ev->state) {
			json_object_set_new(d, "name", json_string(ev->state));
			if (ev->has_index)
				json_object_set_new(d, "index",
						    json_integer(ev->index));
			if (ev->payload_text) {
				json_t *p = load_text(ev->payload_text,
						      ev->payload_text_len);
				add_payload_text(d, ev->payload_key,
						 json_string_value(p));
				json_decref(p);
			} else {
				sfn_event_add_payload(d, ev->payload_key,
						      ev->payload);
			}
		}
		if (ev->details)
			json_object_update(d, (json_t *)ev->details);
		json_object_set_new(o, ev->details_key, d);
	}
	if (ev->scope_text)
		json_object_set_new(
			o, "x-scope",
			load_text(ev->scope_text, ev->scope_text_len));
	else if (ev->scope)
		json_object_set(o, "x-scope", (json_t *)ev->scope);
	if (ev->replayed)
		json_object_set_new(o, "x-replayed", json_true());
	if (ev->choice_rule != SFN_EVENT_NO_RULE)
		json_object_set_new(o, "x-choiceRule",
				    ev->choice_rule >= 0
					    ? json_integer(ev->choice_rule)
					    : json_string("Default"));
	return o;
}

/* Appends a literal: the compiler knows its length. */
#define ADD_LIT(sb, s) sfn_strbuf_add((sb), (s), sizeof(s) - 1)

static void add_uint(struct sfn_strbuf *sb, uint64_t v)
{
	char num[SFN_NUMBUF];
	sfn_strbuf_add(sb, num, (size_t)sfn_fmt_int(num, (int64_t)v));
}

static void add_key(struct sfn_strbuf *sb, const char *key)
{
	sfn_json_quote(sb, key, strlen(key), 0);
	sfn_strbuf_addch(sb, ':');
}

void sfn_event_writer_forget(struct sfn_event_writer *w)
{
	/* Names are matched by content again (struct sfn_event_shape). A
	 * writer never forgotten (epoch 0) matches them so every time. */
	if (!++w->epoch)
		w->epoch = 1;
	for (size_t i = 0; i < sizeof(w->payloads) / sizeof(w->payloads[0]);
	     i++)
		w->payloads[i].v = NULL;
	for (size_t i = 0; i < sizeof(w->scopes) / sizeof(w->scopes[0]); i++)
		w->scopes[i].v = NULL;
	sfn_json_text_cache_forget(w->big);
}

void sfn_event_writer_release(struct sfn_event_writer *w)
{
	w->ts[0] = '\0';
	w->id_len = 0;
	sfn_event_writer_forget(w);
	sfn_json_text_cache_free(w->big);
	w->big = NULL;
	for (size_t i = 0; i < sizeof(w->payloads) / sizeof(w->payloads[0]);
	     i++)
		sfn_strbuf_release(&w->payloads[i].text);
	for (size_t i = 0; i < sizeof(w->scopes) / sizeof(w->scopes[0]); i++)
		sfn_strbuf_release(&w->scopes[i].text);
	for (size_t i = 0; i < sizeof(w->shapes) / sizeof(w->shapes[0]); i++) {
		struct sfn_event_shape *sh = &w->shapes[i];
		free(sh->raw);
		sfn_strbuf_release(&sh->head);
		sfn_strbuf_release(&sh->mid);
		sfn_strbuf_release(&sh->mid2);
		sfn_strbuf_release(&sh->tail);
		memset(sh, 0, sizeof(*sh));
	}
}

/*
 * Short texts of ours are copied PAD bytes at a time, whatever their length:
 * one move, no dispatch on the length. Their buffers hold at least PAD
 * bytes, and a line's room is reserved with PAD to spare.
 */
#define PAD 48
_Static_assert(sizeof(((struct sfn_event_writer *)0)->ts) >= PAD,
	       "the instant is copied PAD bytes at a time");

/* Shapes' texts are copied SHAPE_PAD bytes at a time (see PAD). */
#define SHAPE_PAD 96

/* Ends a shape's text: room to copy SHAPE_PAD bytes from. */
static void shape_pad(struct sfn_strbuf *sb)
{
	sfn_strbuf_grow(sb, SHAPE_PAD);
	memset(sb->buf + sb->len, 0, SHAPE_PAD);
}

/* A literal of ours between quotes: it needs no escapes. */
static void add_quoted_lit(struct sfn_strbuf *sb, const char *s)
{
	sfn_strbuf_addch(sb, '"');
	sfn_strbuf_adds(sb, s);
	sfn_strbuf_addch(sb, '"');
}

/* The fixed text of @ev's shape: made the first time, then looked up. */
static const struct sfn_event_shape *shape(struct sfn_event_writer *w,
					   const struct sfn_event *ev)
{
	const char *key = ev->details_key;
	const char *state = key ? ev->state : NULL;
	const char *pkey = state && (ev->payload || ev->payload_text)
				   ? ev->payload_key
				   : NULL;
	bool has_index = state && ev->has_index;
	uint64_t h = ((uint64_t)(uintptr_t)ev->type ^
		      (uint64_t)(uintptr_t)state * 31) *
		     0x9e3779b97f4a7c15ull;
	size_t n = sizeof(w->shapes) / sizeof(w->shapes[0]);
	size_t at = (size_t)(h >> 58); /* 0..63 */
	_Static_assert(sizeof(w->shapes) / sizeof(w->shapes[0]) == 64,
		       "six bits of the hash pick the first slot");
	struct sfn_event_shape *sh = NULL;
	for (size_t k = 0; k < 4; k++) {
		struct sfn_event_shape *c = &w->shapes[(at + k) % n];
		if (c->type == ev->type && c->key == key && c->pkey == pkey &&
		    c->state == state && c->has_index == has_index) {
			if (!state || (w->epoch && c->seen == w->epoch))
				return c;
			if (!strcmp(c->raw, state)) {
				c->seen = w->epoch;
				return c;
			}
		}
		if (!sh && !c->type)
			sh = c;
	}
	if (!sh)
		sh = &w->shapes[(at + w->shape_evict++ % 4) % n];
	free(sh->raw);
	sh->raw = state ? sfn_xstrdup(state) : NULL;
	sh->type = ev->type;
	sh->key = key;
	sh->pkey = pkey;
	sh->state = state;
	sh->has_index = has_index;
	sh->seen = w->epoch;
	sfn_strbuf_reset(&sh->head);
	sfn_strbuf_reset(&sh->mid);
	sfn_strbuf_reset(&sh->mid2);
	sfn_strbuf_reset(&sh->tail);
	ADD_LIT(&sh->head, "\",\"type\":");
	add_quoted_lit(&sh->head, ev->type);
	ADD_LIT(&sh->head, ",\"id\":");
	if (key) {
		struct sfn_strbuf *m = &sh->mid;
		sfn_strbuf_addch(m, ',');
		add_quoted_lit(m, key);
		ADD_LIT(m, ":{");
		if (state) {
			ADD_LIT(m, "\"name\":");
			sfn_json_quote(m, state, strlen(state), 0);
			if (has_index) {
				ADD_LIT(m, ",\"index\":");
				m = &sh->mid2;
			}
			if (pkey) {
				sfn_strbuf_addch(m, ',');
				add_quoted_lit(m, pkey);
				sfn_strbuf_addch(m, ':');
				ADD_LIT(&sh->tail, ",\"");
				sfn_strbuf_adds(&sh->tail, pkey);
				ADD_LIT(&sh->tail,
					"Details\":{\"truncated\":false}");
			}
		}
	}
	shape_pad(&sh->head);
	shape_pad(&sh->mid);
	shape_pad(&sh->mid2);
	shape_pad(&sh->tail);
	return sh;
}

/* Values at most this long in text are kept to be written again. */
#define CACHE_MAX (1024 * 1024)

/*
 * Appends @v, dumped by @dump, from its slot in @cache (@n slots, by
 * address) if the slot holds @v, and keeps it there otherwise. The values
 * in the slots are alive (sfn_event_writer_forget), so an address names
 * one value.
 */
static void add_cached(struct sfn_strbuf *sb, struct sfn_event_writer *w,
		       struct sfn_event_text *cache, size_t n, const json_t *v,
		       int flags)
{
	/* Values are allocations of 16 bytes or more. */
	struct sfn_event_text *c = &cache[((uintptr_t)v >> 4) % n];
	if (v == c->v) {
		sfn_strbuf_add(sb, c->text.buf, c->text.len);
		return;
	}
	size_t start = sb->len;
	if (!w->big)
		w->big = sfn_json_text_cache_new();
	sfn_json_dump_cached(sb, v, flags, w->big);
	c->v = NULL;
	size_t len = sb->len - start;
	if (len > CACHE_MAX)
		return;
	c->v = v;
	c->text.len = 0;
	sfn_strbuf_add(&c->text, sb->buf + start, len);
}

/* Room for @n more bytes; returns where they go (see commit()). */
static char *reserve(struct sfn_strbuf *sb, size_t n)
{
	sfn_strbuf_grow(sb, n);
	return sb->buf + sb->len;
}

/* Ends what reserve() started at @end. */
static void commit(struct sfn_strbuf *sb, char *end)
{
	sb->len = (size_t)(end - sb->buf);
	*end = '\0';
}

/* Constant text: the compiler turns each copy into a few moves. */
#define PUT_LIT(o, s) sfn_put_bytes((o), (s), sizeof(s) - 1)

/* @n bytes from @s, whose buffer holds at least @pad bytes, a constant
 * (see PAD): one fixed-size move when @n fits in it. */
static inline char *put_padded(char *o, const char *s, size_t n, size_t pad)
{
	if (n > pad)
		return sfn_put_bytes(o, s, n);
	memcpy(o, s, pad);
	return o + n;
}

/* A shape's text (see SHAPE_PAD). */
static inline char *put_shape(char *o, const struct sfn_strbuf *t)
{
	return put_padded(o, t->buf, t->len, SHAPE_PAD);
}

/*
 * Writes "id" and "previousEventId" at @o. An id is most often the last
 * one plus one, and previousEventId the last one: the last id's digits
 * are counted up instead of formatted again. They are read once, as a
 * whole, before any of them changes: reading back as a whole bytes just
 * stored one by one would stall on the store buffer.
 */
static char *put_ids(char *o, struct sfn_event_writer *w, uint64_t id,
		     uint64_t prev)
{
	char old[SFN_NUMBUF];
	int old_len = w->id_len, n;
	memcpy(old, w->id_text, SFN_NUMBUF);
	if (old_len && id == w->id + 1) {
		char *t = w->id_text;
		int i = old_len - 1;
		n = old_len;
		memcpy(o, old, SFN_NUMBUF);
		while (i >= 0 && old[i] == '9') {
			o[i] = '0';
			t[i--] = '0';
		}
		if (i >= 0) {
			o[i] = t[i] = (char)(old[i] + 1);
		} else {
			/* 99 -> 100: all zeros now; one digit more. */
			o[0] = t[0] = '1';
			o[n] = t[n] = '0';
			n++;
		}
	} else {
		n = sfn_fmt_int(o, (int64_t)id);
		memcpy(w->id_text, o, SFN_NUMBUF);
	}
	o += n;
	o = PUT_LIT(o, ",\"previousEventId\":");
	if (old_len && prev == w->id) {
		memcpy(o, old, SFN_NUMBUF);
		o += old_len;
	} else {
		o += sfn_fmt_int(o, (int64_t)prev);
	}
	/* The line's room goes on past the digits (see PAD). */
	w->id_len = n;
	w->id = id;
	return o;
}

void sfn_event_write(struct sfn_strbuf *sb, struct sfn_event_writer *w,
		     const struct sfn_event *ev)
{
	/* Events come many to a millisecond: format each instant once. */
	double t = ev->timestamp * 1000.0 + 0.5;
	int64_t ms = t >= 0 ? (int64_t)t : (int64_t)floor(t);
	if (!w->ts[0] || ms != w->ms) {
		sfn_time_format(w->ts, ev->timestamp);
		w->ms = ms;
		w->ts_len = strlen(w->ts);
	}
	/* Ours, known to need no escapes: the timestamp and the shape's
	 * text. The fixed head goes in with one bounds check. */
	const struct sfn_event_shape *sh = shape(w, ev);
	char *o =
		reserve(sb, 32 + PAD + 4 * SHAPE_PAD + 4 * SFN_NUMBUF +
				    sh->head.len + sh->mid.len + sh->mid2.len);
	o = PUT_LIT(o, "{\"timestamp\":\"");
	o = put_padded(o, w->ts, w->ts_len, PAD);
	o = put_shape(o, &sh->head);
	o = put_ids(o, w, ev->id, ev->previous_id);
	if (sh->key) {
		bool first = !sh->state;
		o = put_shape(o, &sh->mid);
		if (sh->has_index) {
			o += sfn_fmt_int(o, (int64_t)ev->index);
			o = put_shape(o, &sh->mid2);
		}
		if (sh->pkey) {
			commit(sb, o);
			if (ev->payload_text)
				sfn_strbuf_add(sb, ev->payload_text,
					       ev->payload_text_len);
			else
				add_cached(sb, w, w->payloads, 16, ev->payload,
					   SFN_JSON_QUOTED);
			o = reserve(sb, SHAPE_PAD + sh->tail.len);
			o = put_shape(o, &sh->tail);
		}
		commit(sb, o);
		if (ev->details) {
			const char *k;
			json_t *v;
			json_object_foreach((json_t *)ev->details, k, v) {
				if (!first)
					sfn_strbuf_addch(sb, ',');
				first = false;
				add_key(sb, k);
				sfn_json_dump(sb, v, 0);
			}
		}
		sfn_strbuf_addch(sb, '}');
	} else {
		commit(sb, o);
	}
	if (ev->scope_text) {
		ADD_LIT(sb, ",\"x-scope\":");
		sfn_strbuf_add(sb, ev->scope_text, ev->scope_text_len);
	} else if (ev->scope) {
		ADD_LIT(sb, ",\"x-scope\":");
		add_cached(sb, w, w->scopes, 8, ev->scope, 0);
	}
	if (ev->replayed)
		ADD_LIT(sb, ",\"x-replayed\":true");
	if (ev->choice_rule != SFN_EVENT_NO_RULE) {
		ADD_LIT(sb, ",\"x-choiceRule\":");
		if (ev->choice_rule >= 0)
			add_uint(sb, (uint64_t)ev->choice_rule);
		else
			ADD_LIT(sb, "\"Default\"");
	}
	sfn_strbuf_addch(sb, '}');
}

/* ---- the in-memory sink ---- */

static bool log_emit(void *ud, const struct sfn_event *event)
{
	struct sfn_event_log *log = ud;
	json_array_append_new(log->events, sfn_event_json(event));
	return false;
}

void sfn_event_log_init(struct sfn_event_log *log)
{
	log->events = json_array();
}

void sfn_event_log_release(struct sfn_event_log *log)
{
	json_decref(log->events);
	log->events = NULL;
}

struct sfn_event_sink sfn_event_log_sink(struct sfn_event_log *log)
{
	return (struct sfn_event_sink){ .emit = log_emit, .ud = log };
}
