#define _DEFAULT_SOURCE
#include "journal/journal.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/test.h"

static char root[] = "/tmp/sfn-journal-test.XXXXXX";

static json_t *header(const char *name)
{
	return json_pack("{s:s, s:{s:s}}", "x-journal", SFN_JOURNAL_FORMAT,
			 "execution", "name", name);
}

static void append_text(const char *dir, const char *text)
{
	char *path = sfn_xasprintf("%s/%s", dir, SFN_JOURNAL_FILE);
	int fd = open(path, O_WRONLY | O_APPEND);
	SFN_CHECK(fd >= 0, "open %s", path);
	if (fd >= 0) {
		SFN_CHECK(write(fd, text, strlen(text)) ==
				  (ssize_t)strlen(text),
			  "append to %s", path);
		close(fd);
	}
	free(path);
}

struct writer {
	struct sfn_journal *j;
	int id;
};

static void *write_many(void *arg)
{
	struct writer *w = arg;
	for (int i = 0; i < 200; i++) {
		json_t *ev = json_pack("{s:i, s:i}", "thread", w->id, "i", i);
		sfn_journal_append(w->j, ev, i % 3 == 0, NULL);
		json_decref(ev);
	}
	return NULL;
}

/* Records formatted later: each writes {"n":N}; releases are counted. */
struct counted {
	int n;
	int *released;
};

static void write_counted(struct sfn_strbuf *sb, void *rec, void *state)
{
	struct counted *c = rec;
	int *formatted = state;
	(*formatted)++;
	sfn_strbuf_addf(sb, "{\"n\":%d}", c->n);
}

static int begun;

/* A batch begins: formatted (the state) is no business of this. */
static void begin_counted(void *state)
{
	(void)state;
	begun++;
}

static pthread_t appender;
static int released_elsewhere;

static void release_counted(void *rec)
{
	struct counted *c = rec;
	(*c->released)++;
	/* Values are freed on the thread that made them (the appender). */
	if (!pthread_equal(pthread_self(), appender))
		released_elsewhere++;
}

static void fill_counted(void *rec, void *ud)
{
	*(struct counted *)rec = *(struct counted *)ud;
}

/* The journal in @dir reads back as @n lines {"n":0} .. {"n":n-1}. */
static void check_counted_lines(const char *dir, int n)
{
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_journal_data data;
	SFN_CHECK(sfn_journal_read(dir, &data, &err) == 0, "read %s", dir);
	SFN_CHECK_INT(json_array_size(data.events), n, "lines");
	int bad = -1;
	for (int i = 0; i < n && bad < 0; i++)
		if (json_integer_value(json_object_get(
			    json_array_get(data.events, (size_t)i), "n")) != i)
			bad = i;
	SFN_CHECK_INT(bad, -1, "first line out of order");
	sfn_journal_data_release(&data);
	sfn_error_release(&err);
}

/*
 * Deferred records come out in order, each formatted and released once,
 * interleaved with lines appended as JSON and with durable appends. With
 * @serial, a third of them are queued through sfn_journal_slot, the fast
 * path, which falls back to sfn_journal_append_record at each hand-over.
 */
static void test_records(const char *jroot, bool serial)
{
	struct sfn_error err = SFN_ERROR_INIT;
	int formatted = 0, released = 0;
	struct sfn_journal_format fmt = { .write = write_counted,
					  .release = release_counted,
					  .state = &formatted,
					  .begin = begin_counted };
	/* Records that hold nothing: not released; the same batch begins
	 * once for both formats (they share begin and state). */
	struct sfn_journal_format bare = fmt;
	bare.release = NULL;
	int unheld = 0, last_wrong = 0;
	begun = 0;
	appender = pthread_self();
	released_elsewhere = 0;
	const char *name = serial ? "records-serial" : "records";
	json_t *h = header(name);
	struct sfn_journal *j = sfn_journal_create(
		jroot, name, h,
		SFN_JOURNAL_NO_SYNC | (serial ? SFN_JOURNAL_SERIAL : 0), &err);
	int slotted = 0;
	SFN_CHECK(j != NULL, "create: %s", err.cause ? err.cause : "");
	if (!j)
		return;
	const int n = 20000; /* many batches: the writer thread runs */
	for (int i = 0; i < n; i++) {
		if (i % 1000 == 500) {
			json_t *ev = json_pack("{s:i}", "n", i);
			SFN_CHECK(sfn_journal_append(j, ev, false, &err) == 0,
				  "json line %d", i);
			json_decref(ev);
			continue;
		}
		struct counted c = { i, &released };
		const struct sfn_journal_format *f = &fmt;
		if (i % 5 == 1) {
			f = &bare;
			unheld++;
		}
		if (i % 3 == 0 && i % 777) {
			void *rec = sfn_journal_slot(j, f, sizeof(c));
			SFN_CHECK(serial || !rec, "a slot without SERIAL");
			if (rec) {
				fill_counted(rec, &c);
				slotted++;
				/* The record queued last, still in the queue.
				 */
				const struct sfn_journal_format *lf = NULL;
				if (sfn_journal_last(j, &lf) != rec || lf != f)
					last_wrong++;
				continue;
			}
		}
		SFN_CHECK(sfn_journal_append_record(j, f, sizeof(c),
						    fill_counted, &c,
						    i % 777 == 0, &err) == 0,
			  "record %d", i);
	}
	char *dir = sfn_xasprintf("%s/%s", jroot, name);
	SFN_CHECK(sfn_journal_close(j, &err) == 0, "close");
	if (serial)
		SFN_CHECK(slotted > n / 4, "records slotted: %d", slotted);
	SFN_CHECK_INT(last_wrong, 0, "records not found as the last queued");
	SFN_CHECK_INT(formatted, n - n / 1000, "records formatted");
	SFN_CHECK_INT(released, n - n / 1000 - unheld, "records released");
	SFN_CHECK_INT(released_elsewhere, 0, "records released by the writer");
	/* 20,000 records of 32 bytes: batches of 4 to 256 KiB. */
	SFN_CHECK(begun >= 3 && begun <= n * 32 / 4096 + 20,
		  "batches begun: %d", begun);
	check_counted_lines(dir, n);
	free(dir);
	json_decref(h);
}

/*
 * The writer held inside its first batch (its format waits for the test):
 * records that hold nothing keep being queued past the batch limit instead
 * of waiting for it, up to RUN_AHEAD. Everything comes out in order.
 */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_entered;

static void write_gated(struct sfn_strbuf *sb, void *rec, void *state)
{
	(void)state;
	pthread_mutex_lock(&gate_mu);
	gate_entered = 1;
	pthread_cond_broadcast(&gate_cv);
	while (!gate_open)
		pthread_cond_wait(&gate_cv, &gate_mu);
	pthread_mutex_unlock(&gate_mu);
	sfn_strbuf_addf(sb, "{\"n\":%d}", ((struct counted *)rec)->n);
}

static void *open_gate_later(void *arg)
{
	/* the appender's records are counted before and after */
	atomic_int *queued = arg;
	struct timespec t = { 0, 300 * 1000 * 1000 };
	pthread_mutex_lock(&gate_mu);
	while (!gate_entered)
		pthread_cond_wait(&gate_cv, &gate_mu);
	pthread_mutex_unlock(&gate_mu);
	nanosleep(&t, NULL);
	atomic_store(&queued[1], atomic_load(&queued[0]));
	pthread_mutex_lock(&gate_mu);
	gate_open = 1;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
	return NULL;
}

static void test_run_ahead(const char *jroot)
{
	struct sfn_error err = SFN_ERROR_INIT;
	int formatted = 0;
	struct sfn_journal_format gated = { .write = write_gated };
	struct sfn_journal_format bare = { .write = write_counted,
					   .state = &formatted };
	json_t *h = header("run-ahead");
	struct sfn_journal *j = sfn_journal_create(
		jroot, "run-ahead", h, SFN_JOURNAL_NO_SYNC | SFN_JOURNAL_SERIAL,
		&err);
	SFN_CHECK(j != NULL, "create: %s", err.cause ? err.cause : "");
	if (!j)
		return;
	atomic_int queued[2];
	atomic_init(&queued[0], 0);
	atomic_init(&queued[1], -1);
	pthread_t opener;
	pthread_create(&opener, NULL, open_gate_later, queued);
	/* 16-byte records, 32 with their heads: a batch (at most 256 KiB) is
	 * up to 8,192 of them, RUN_AHEAD (1 MiB) 32,768; the first record
	 * of all holds the writer at its gate */
	const int n = 60000;
	for (int i = 0; i < n; i++) {
		struct counted c = { i, NULL };
		const struct sfn_journal_format *f = i ? &bare : &gated;
		void *rec = sfn_journal_slot(j, f, sizeof(c));
		if (rec)
			fill_counted(rec, &c);
		else
			SFN_CHECK(sfn_journal_append_record(j, f, sizeof(c),
							    fill_counted, &c,
							    false, &err) == 0,
				  "record %d", i);
		atomic_store_explicit(&queued[0], i + 1, memory_order_relaxed);
	}
	pthread_join(opener, NULL);
	/* queued while the writer was held: far past the two batches that
	 * waiting for it allows, short of everything (the run-ahead limit
	 * made the appender wait) */
	int held = atomic_load(&queued[1]);
	SFN_CHECK(held > 20000 && held < n,
		  "records queued while the writer was busy: %d", held);
	char *dir = sfn_xasprintf("%s/run-ahead", jroot);
	SFN_CHECK(sfn_journal_close(j, &err) == 0, "close");
	check_counted_lines(dir, n);
	free(dir);
	json_decref(h);
}

/*
 * The first batch is handed to the writer at its first size (32 KiB) after
 * a small header, not at one worked out from the header's text: a small
 * header's ratio of records to text says nothing of the events', and a
 * first batch eight times as large started the writer a millisecond late
 * in a run of 10,000 states. A large header (an input of @input_len
 * bytes) makes it smaller: the input rides in the events too.
 */
static void test_first_batch(const char *jroot, const char *name,
			     size_t input_len, int max_bytes)
{
	struct sfn_error err = SFN_ERROR_INIT;
	int formatted = 0;
	struct sfn_journal_format bare = { .write = write_counted,
					   .state = &formatted };
	json_t *h = header(name);
	char *input = sfn_xcalloc(1, input_len + 1);
	memset(input, 'x', input_len);
	json_object_set_new(json_object_get(h, "execution"), "input",
			    json_string(input));
	free(input);
	struct sfn_journal *j = sfn_journal_create(
		jroot, name, h, SFN_JOURNAL_NO_SYNC | SFN_JOURNAL_SERIAL, &err);
	SFN_CHECK(j != NULL, "create: %s", err.cause ? err.cause : "");
	if (!j)
		return;
	/* 16-byte records, 32 with their heads, until the fast path falls
	 * back to a hand-over. */
	int n = 0;
	for (;; n++) {
		struct counted c = { n, NULL };
		void *rec = sfn_journal_slot(j, &bare, sizeof(c));
		if (!rec) {
			SFN_CHECK(sfn_journal_append_record(j, &bare, sizeof(c),
							    fill_counted, &c,
							    false, &err) == 0,
				  "record %d", n);
			n++;
			break;
		}
		fill_counted(rec, &c);
	}
	SFN_CHECK(n * 32 <= max_bytes && n * 32 >= max_bytes / 8,
		  "%s: records before the first hand-over: %d", name, n);
	char *dir = sfn_xasprintf("%s/%s", jroot, name);
	SFN_CHECK(sfn_journal_close(j, &err) == 0, "close");
	check_counted_lines(dir, n);
	free(dir);
	json_decref(h);
}

/* Records formatted on the writer thread, and batches begun on it. */
static atomic_int on_writer_records, on_writer_batches;

static void write_where(struct sfn_strbuf *sb, void *rec, void *state)
{
	if (!pthread_equal(pthread_self(), appender))
		atomic_fetch_add(&on_writer_records, 1);
	write_counted(sb, rec, state);
}

static void begin_where(void *state)
{
	(void)state;
	if (!pthread_equal(pthread_self(), appender))
		atomic_fetch_add(&on_writer_batches, 1);
	begun++;
}

/*
 * A flush right after a hand-over: the writer spins, then naps, between
 * batches (it is not woken for them), and a batch it has not taken yet
 * is written by the flush itself, before the records queued after it;
 * every record once, in order, whichever thread wrote it.
 */
static void test_flush_after_handover(const char *jroot)
{
	struct sfn_error err = SFN_ERROR_INIT;
	int formatted = 0;
	struct sfn_journal_format fmt = { .write = write_where,
					  .state = &formatted,
					  .begin = begin_where };
	json_t *h = header("nap");
	struct sfn_journal *j = sfn_journal_create(
		jroot, "nap", h, SFN_JOURNAL_NO_SYNC | SFN_JOURNAL_SERIAL,
		&err);
	SFN_CHECK(j != NULL, "create: %s", err.cause ? err.cause : "");
	if (!j)
		return;
	appender = pthread_self();
	begun = 0;
	atomic_store(&on_writer_records, 0);
	atomic_store(&on_writer_batches, 0);
	int n = 0, flushes = 0, lagging = 0;
	/* Cycles of: records until one is queued by a hand-over of the
	 * batch (after a flush, the slot falls back only there), a flush at
	 * once, while the writer naps after its last batch. */
	for (int cycle = 0; cycle < 40; cycle++) {
		bool handed = false;
		while (!handed) {
			struct counted c = { n, NULL };
			void *rec = sfn_journal_slot(j, &fmt, sizeof(c));
			if (rec) {
				fill_counted(rec, &c);
			} else {
				SFN_CHECK(sfn_journal_append_record(
						  j, &fmt, sizeof(c),
						  fill_counted, &c, false,
						  &err) == 0,
					  "record %d", n);
				handed = true;
			}
			n++;
		}
		SFN_CHECK(sfn_journal_flush_nosync(j, &err) == 0, "flush");
		flushes++;
		if (formatted != n)
			lagging++;
	}
	SFN_CHECK_INT(lagging, 0, "flushes that left records unwritten");
	char *dir = sfn_xasprintf("%s/nap", jroot);
	SFN_CHECK(sfn_journal_close(j, &err) == 0, "close");
	SFN_CHECK_INT(formatted, n, "records formatted");
	SFN_CHECK(atomic_load(&on_writer_records) > 0,
		  "records formatted by the writer thread: none");
	check_counted_lines(dir, n);
	if (getenv("SFN_TEST_VERBOSE"))
		fprintf(stderr,
			"nap: %d records, %d flushes, %d batches written by "
			"the writer, %d by the flushes\n",
			n, flushes, atomic_load(&on_writer_batches),
			begun - atomic_load(&on_writer_batches));
	free(dir);
	json_decref(h);
}

/*
 * Durable lines appended in two steps (written, then waited for): one
 * fdatasync covers every line written before it, so threads that wrote
 * while another waited for the disk share its sync or the next one.
 */
static void test_group_commit(const char *jroot)
{
	struct sfn_error err = SFN_ERROR_INIT;
	int formatted = 0, released = 0;
	struct sfn_journal_format fmt = { .write = write_counted,
					  .release = release_counted,
					  .state = &formatted };
	appender = pthread_self();
	json_t *h = header("group");
	struct sfn_journal *j = sfn_journal_create(jroot, "group", h, 0, &err);
	SFN_CHECK(j != NULL, "create: %s", err.cause ? err.cause : "");
	json_decref(h);
	if (!j)
		return;
	unsigned long t[3];
	for (int i = 0; i < 3; i++) {
		struct counted c = { i, &released };
		SFN_CHECK(sfn_journal_append_written(j, &fmt, sizeof(c),
						     fill_counted, &c, &t[i],
						     &err) == 0,
			  "durable line %d written", i);
	}
	SFN_CHECK_INT(formatted, 3, "written before any sync");
	SFN_CHECK(t[0] < t[1] && t[1] < t[2], "tickets count up");
	unsigned long before = sfn_journal_sync_count(j);
	SFN_CHECK(sfn_journal_sync_to(j, t[2], &err) == 0, "sync the last");
	SFN_CHECK(sfn_journal_sync_to(j, t[0], &err) == 0, "sync the first");
	SFN_CHECK(sfn_journal_sync_to(j, t[1], &err) == 0, "sync the second");
	SFN_CHECK(sfn_journal_sync_count(j) == before + 1,
		  "one fdatasync for three lines: %lu",
		  sfn_journal_sync_count(j) - before);
	/* What a sync covers is only what was written before it began. */
	struct counted c = { 3, &released };
	SFN_CHECK(sfn_journal_append_written(j, &fmt, sizeof(c), fill_counted,
					     &c, &t[0], &err) == 0,
		  "a fourth");
	SFN_CHECK(sfn_journal_sync_to(j, t[0], &err) == 0, "sync it");
	SFN_CHECK(sfn_journal_sync_count(j) == before + 2,
		  "a line written after a sync gets one of its own");
	SFN_CHECK(sfn_journal_close(j, &err) == 0, "close");
	SFN_CHECK_INT(released, 4, "lines released");
}

/* Lines of about 200 bytes. */
static void write_padded(struct sfn_strbuf *sb, void *rec, void *state)
{
	(void)state;
	sfn_strbuf_addf(sb, "{\"n\":%d,\"pad\":\"%0190d\"}",
			((struct counted *)rec)->n, 0);
}

/*
 * A long journal gets its space ahead of its writes (where the file system
 * can), and gives back what it did not use when it is closed; the lines
 * read back the same either way.
 */
static void test_preallocated(const char *jroot)
{
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_journal_data data;
	int released = 0;
	struct sfn_journal_format fmt = { .write = write_padded,
					  .release = release_counted };
	json_t *h = header("long");
	struct sfn_journal *j =
		sfn_journal_create(jroot, "long", h, SFN_JOURNAL_NO_SYNC, &err);
	SFN_CHECK(j != NULL, "create: %s", err.cause ? err.cause : "");
	if (!j) {
		json_decref(h);
		return;
	}
	char *dir = sfn_xasprintf("%s/long", jroot);
	char *path = sfn_xasprintf("%s/%s", dir, SFN_JOURNAL_FILE);
	const int n = 100000; /* about 20 MB: past PREALLOC_FROM */
	bool ahead = false;
	struct stat st;
	for (int i = 0; i < n; i++) {
		struct counted c = { i, &released };
		SFN_CHECK(sfn_journal_append_record(j, &fmt, sizeof(c),
						    fill_counted, &c, false,
						    &err) == 0,
			  "record %d", i);
		if (i % 5000 == 4999) {
			SFN_CHECK(sfn_journal_flush_nosync(j, &err) == 0,
				  "flush");
			if (stat(path, &st) == 0 &&
			    (off_t)st.st_blocks * 512 > st.st_size + 65536)
				ahead = true;
		}
	}
	SFN_CHECK(sfn_journal_close(j, &err) == 0, "close");
	SFN_CHECK(stat(path, &st) == 0, "stat %s", path);
	/* Nothing kept past the end: the blocks counted beyond the data's
	 * are the file system's own (ext4's extent tree), a few at most,
	 * where an extent preallocated is 1 MiB or more. */
	SFN_CHECK((off_t)st.st_blocks * 512 <= st.st_size + 65536,
		  "space past the end given back: %lld bytes in %lld blocks "
		  "(preallocated while written: %s)",
		  (long long)st.st_size, (long long)st.st_blocks,
		  ahead ? "yes" : "no");
	SFN_CHECK(sfn_journal_read(dir, &data, &err) == 0, "read long");
	SFN_CHECK_INT(json_array_size(data.events), n, "long lines");
	SFN_CHECK_INT(json_integer_value(json_object_get(
			      json_array_get(data.events, (size_t)n - 1), "n")),
		      n - 1, "last line");
	sfn_journal_data_release(&data);
	free(path);
	free(dir);
	json_decref(h);
}

static void visit(const char *dir, const char *name, void *ud)
{
	(void)dir;
	struct sfn_strbuf *sb = ud;
	sfn_strbuf_addf(sb, "%s;", name);
}

/*
 * Deferred texts in the header: the writer writes the compact text of the
 * values (a JSON string too, quoted as text), and hashes the definition's.
 */
static void test_deferred_header(const char *jroot)
{
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_journal_data data;
	json_t *input = json_string("hi \"you\"");
	json_t *def = json_pack("{s:s, s:{s:{s:s, s:b}}}", "StartAt", "A",
				"States", "A", "Type", "Pass", "End", 1);
	json_t *h = json_pack(
		"{s:s, s:{s:s, s:o}, s:o, s:n}", "x-journal",
		SFN_JOURNAL_FORMAT, "execution", "name", "deferred", "input",
		sfn_journal_deferred_text(input), "definition",
		sfn_journal_deferred_text(def), "definitionSha256");
	struct sfn_journal *j =
		sfn_journal_create(jroot, "deferred", h, 0, &err);
	SFN_CHECK(j != NULL, "create: %s", err.cause ? err.cause : "");
	json_decref(h);
	char *dir = sfn_xasprintf("%s/deferred", jroot);
	/* A small header is on disk as soon as the journal is created. */
	SFN_CHECK(sfn_journal_read(dir, &data, &err) == 0 && data.locked,
		  "header written at once");
	sfn_journal_data_release(&data);
	SFN_CHECK(sfn_journal_close(j, &err) == 0, "close");
	SFN_CHECK(sfn_journal_read(dir, &data, &err) == 0, "read");
	json_t *in = json_object_get(json_object_get(data.header, "execution"),
				     "input");
	SFN_CHECK_STR(json_string_value(in), "\"hi \\\"you\\\"\"",
		      "input as text");
	const char *text =
		json_string_value(json_object_get(data.header, "definition"));
	char *want = sfn_json_dumps(def, 0);
	SFN_CHECK_STR(text, want, "definition as text");
	char hex[65];
	sfn_sha256_hex(want, strlen(want), hex);
	SFN_CHECK_STR(json_string_value(
			      json_object_get(data.header, "definitionSha256")),
		      hex, "hash of the definition's text");
	free(want);
	sfn_journal_data_release(&data);
	free(dir);
	json_decref(input);
	json_decref(def);

	/* A large input: the header goes to the writer thread, and is
	 * there when the journal is closed. */
	json_t *items = json_array();
	for (int i = 0; i < 20000; i++)
		json_array_append_new(items, json_pack("{s:i}", "i", i));
	h = json_pack("{s:s, s:{s:s, s:o}, s:n}", "x-journal",
		      SFN_JOURNAL_FORMAT, "execution", "name", "large", "input",
		      sfn_journal_deferred_text(items), "definitionSha256");
	j = sfn_journal_create(jroot, "large", h, 0, &err);
	SFN_CHECK(j != NULL, "create large: %s", err.cause ? err.cause : "");
	json_decref(h);
	SFN_CHECK(sfn_journal_close(j, &err) == 0, "close large");
	dir = sfn_xasprintf("%s/large", jroot);
	SFN_CHECK(sfn_journal_read(dir, &data, &err) == 0, "read large");
	want = sfn_json_dumps(items, 0);
	SFN_CHECK_STR(
		json_string_value(json_object_get(
			json_object_get(data.header, "execution"), "input")),
		want, "large input as text");
	free(want);
	sfn_journal_data_release(&data);
	free(dir);
	json_decref(items);
}

int main(void)
{
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_journal_data data;
	struct stat st;
	json_t *h = header("run-1");
	char *dir;

	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	char *jroot = sfn_xasprintf("%s/a/b", root); /* parents are created */

	/* Create: 0700 directory, 0600 file, header first. */
	struct sfn_journal *j = sfn_journal_create(jroot, "run-1", h, 0, &err);
	SFN_CHECK(j != NULL, "create: %s", err.cause ? err.cause : "");
	dir = sfn_xasprintf("%s/run-1", jroot);
	SFN_CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700,
		  "directory mode %o", st.st_mode & 0777);
	char *file = sfn_xasprintf("%s/%s", dir, SFN_JOURNAL_FILE);
	SFN_CHECK(stat(file, &st) == 0 && (st.st_mode & 0777) == 0600,
		  "file mode %o", st.st_mode & 0777);

	/* The same name again: AWS's ExecutionAlreadyExists. */
	struct sfn_journal *dup =
		sfn_journal_create(jroot, "run-1", h, 0, &err);
	SFN_CHECK(dup == NULL, "duplicate name refused");
	SFN_CHECK_STR(err.name, "ExecutionAlreadyExists", "duplicate error");
	sfn_error_release(&err);
	SFN_CHECK(sfn_journal_create(jroot, "../x", h, 0, &err) == NULL,
		  "a name with '/' is refused");
	sfn_error_release(&err);

	/* The header is written by the writer thread: until then readers
	 * see an execution starting. */
	SFN_CHECK(sfn_journal_flush_nosync(j, &err) == 0, "header written");

	/* Events: buffered until durable, all readable after a flush. */
	json_t *ev =
		json_pack("{s:i, s:s}", "id", 1, "type", "ExecutionStarted");
	SFN_CHECK(sfn_journal_append(j, ev, false, &err) == 0, "append");
	SFN_CHECK(sfn_journal_read(dir, &data, &err) == 0, "read while open");
	SFN_CHECK_INT(json_array_size(data.events), 0,
		      "buffered event not written yet");
	SFN_CHECK(data.locked, "a running execution shows as locked");
	sfn_journal_data_release(&data);
	SFN_CHECK(sfn_journal_append(j, ev, true, &err) == 0, "durable append");
	SFN_CHECK(sfn_journal_read(dir, &data, &err) == 0, "read");
	SFN_CHECK_INT(json_array_size(data.events), 2,
		      "events after durable append");
	sfn_journal_data_release(&data);

	/* A second driver is refused while the first holds the lock. */
	SFN_CHECK(sfn_journal_open(dir, 0, &data, &err) == NULL, "lock held");
	SFN_CHECK_STR(err.name, "SFN_JOURNAL_LOCKED", "lock error");
	sfn_error_release(&err);

	/* Group commit from several threads loses nothing. */
	pthread_t t[4];
	struct writer w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct writer){ j, i };
		pthread_create(&t[i], NULL, write_many, &w[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	SFN_CHECK(sfn_journal_close(j, &err) == 0, "close");
	SFN_CHECK(sfn_journal_read(dir, &data, &err) == 0, "read after close");
	SFN_CHECK_INT(json_array_size(data.events), 802, "all events");
	SFN_CHECK(!data.locked, "closed journal is not locked");
	SFN_CHECK(!data.torn, "not torn");
	sfn_journal_data_release(&data);

	/* A torn last line is ignored on read and cut on open. */
	append_text(dir, "{\"id\":3,\"type\":\"Task");
	SFN_CHECK(sfn_journal_read(dir, &data, &err) == 0, "read torn");
	SFN_CHECK(data.torn, "torn detected");
	SFN_CHECK_INT(json_array_size(data.events), 802, "torn line ignored");
	sfn_journal_data_release(&data);
	j = sfn_journal_open(dir, 0, &data, &err);
	SFN_CHECK(j != NULL, "open torn: %s", err.cause ? err.cause : "");
	sfn_journal_data_release(&data);
	SFN_CHECK(sfn_journal_append(j, ev, true, &err) == 0,
		  "append after cut");
	sfn_journal_close(j, &err);
	SFN_CHECK(sfn_journal_read(dir, &data, &err) == 0, "read after cut");
	SFN_CHECK(!data.torn, "no longer torn");
	SFN_CHECK_INT(json_array_size(data.events), 803, "event after the cut");
	sfn_journal_data_release(&data);

	/* A bad line in the middle is corruption, reported, not skipped. */
	append_text(dir, "not json\n{\"id\":9}\n");
	SFN_CHECK(sfn_journal_read(dir, &data, &err) < 0, "corrupt refused");
	SFN_CHECK_STR(err.name, "SFN_JOURNAL_CORRUPT", "corrupt error");
	SFN_CHECK(err.cause && strstr(err.cause, "line 805"),
		  "corrupt line: %s", err.cause ? err.cause : "");
	sfn_error_release(&err);
	SFN_CHECK(sfn_journal_open(dir, 0, &data, &err) == NULL,
		  "corrupt journal not opened for append");
	sfn_error_release(&err);
	SFN_CHECK(stat(file, &st) == 0, "corrupt journal still there");

	/* Task scheduling and results are durable; transitions are batched. */
	SFN_CHECK(sfn_journal_event_is_durable("TaskScheduled"), "scheduled");
	SFN_CHECK(sfn_journal_event_is_durable("TaskSucceeded"), "result");
	SFN_CHECK(!sfn_journal_event_is_durable("ExecutionFailed"),
		  "the end is written, not synced");
	SFN_CHECK(!sfn_journal_event_is_durable("PassStateExited"), "pass");
	SFN_CHECK(!sfn_journal_event_is_durable(NULL), "no type");

	test_deferred_header(jroot);
	test_records(jroot, false);
	test_records(jroot, true);
	test_run_ahead(jroot);
	test_first_batch(jroot, "first-batch", 0, 40 * 1024);
	/* 32 bytes of record, 40 KB of text: a batch for 16 MiB of text
	 * is 13 KiB. */
	test_first_batch(jroot, "first-batch-large", 40000, 16 * 1024);
	test_flush_after_handover(jroot);
	test_group_commit(jroot);

	/* An empty journal whose process holds the lock is starting; one
	 * whose process is gone died before its header. */
	char *sdir = sfn_xasprintf("%s/starting", jroot);
	char *sfile = sfn_xasprintf("%s/%s", sdir, SFN_JOURNAL_FILE);
	SFN_CHECK(mkdir(sdir, 0700) == 0, "mkdir %s", sdir);
	int sfd = open(sfile, O_WRONLY | O_CREAT, 0600);
	SFN_CHECK(sfd >= 0 && flock(sfd, LOCK_EX) == 0, "lock %s", sfile);
	SFN_CHECK(sfn_journal_read(sdir, &data, &err) < 0, "starting");
	SFN_CHECK_STR(err.name, "SFN_JOURNAL_STARTING", "starting error");
	sfn_error_release(&err);
	close(sfd);
	SFN_CHECK(sfn_journal_read(sdir, &data, &err) < 0, "died");
	SFN_CHECK_STR(err.name, "SFN_JOURNAL_NO_HEADER", "died error");
	sfn_error_release(&err);
	unlink(sfile);
	rmdir(sdir);
	free(sfile);
	free(sdir);

	/* Listing. */
	json_t *h2 = header("run-0");
	j = sfn_journal_create(jroot, "run-0", h2, SFN_JOURNAL_NO_SYNC, &err);
	sfn_journal_close(j, &err);
	struct sfn_strbuf names = SFN_STRBUF_INIT;
	SFN_CHECK(sfn_journal_list(jroot, visit, &names, &err) == 0, "list");
	SFN_CHECK_STR(names.buf,
		      "deferred;first-batch;first-batch-large;group;large;nap;"
		      "records;records-serial;run-0;run-1;run-ahead;",
		      "listed names");
	sfn_strbuf_release(&names);
	SFN_CHECK(sfn_journal_list("/nonexistent/sfn", visit, &names, &err) ==
			  0,
		  "missing root lists nothing");
	test_preallocated(jroot);

	json_decref(h);
	json_decref(h2);
	json_decref(ev);
	free(file);
	free(dir);
	free(jroot);
	char *rm = sfn_xasprintf("rm -rf '%s'", root);
	if (system(rm) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	free(rm);
	return sfn_test_done();
}
