/*
 * flock() is BSD/Linux, not POSIX; POSIX fcntl locks would be dropped as
 * soon as this process closed any other descriptor of the same file (as
 * sfn_journal_read does), so the journal uses flock. fallocate() is
 * Linux's, used where it exists.
 */
#define _GNU_SOURCE
#include "journal/journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/banned.h"

/*
 * Queued records go to the writer thread once this many bytes of them
 * wait (batch_limit): at most BATCH_MAX, fewer when the lines they make are
 * long. A record holds its values alive until it is written, so a batch
 * is sized for about BATCH_TEXT bytes of lines: a run of large payloads
 * keeps a few of them waiting, not thousands.
 */
#define BATCH_MAX   (256 * 1024)
#define BATCH_MIN   (4 * 1024)
#define BATCH_FIRST (32 * 1024)
#define BATCH_TEXT  (16 * 1024 * 1024)
/*
 * While the writer is still on its batch, appenders whose records hold no
 * references (every text rendered, nothing to release) go on filling the
 * next one up to this many bytes instead of waiting for it: the writer
 * keeps up on the whole but not batch by batch (its first batch, on a
 * cold thread, takes several times as long), and each wait stopped the
 * execution. 1 MiB covers that first batch (0.6-0.9 ms, about 1 MB of
 * loop-100k's records); the 4 MiB it was made the batches' buffers
 * reach into memory touched for the first time, which the execution
 * thread paid for in pages cleared (perf, loop-100k: median 31 samples
 * of clear_page against 3.5, the same wall time otherwise).
 */
#define RUN_AHEAD (1024 * 1024)
/* How far ahead of the records it queues an appender asks for their
 * cache lines (sfn_journal_slot). */
#define PREFETCH_AHEAD 2048
/* Formatted lines are written once this many bytes wait; their buffer
 * has room for OUT_SLACK more from the start, for the line that goes
 * past. */
#define WRITE_BYTES (256 * 1024)
#define OUT_SLACK   (64 * 1024)
/*
 * A journal that has grown past PREALLOC_FROM bytes in this process gets
 * its disk space ahead of its writes, in extents as large as what it wrote
 * so far (at most PREALLOC_MAX): appending into blocks already allocated
 * spares the file system its per-block delayed allocation, about a fifth
 * of what a buffered write costs on ext4. The space is kept past the end
 * of the file (the size only grows by writes, so a torn line reads as
 * before) and given back when the journal is closed: a process that dies
 * leaves at most PREALLOC_MAX unused, until a redrive closes the journal
 * or `sfn list --prune` deletes it. Extents of 8 MiB save as much as
 * larger ones. Giving the space back is not free: where the file system
 * discards freed blocks as it frees them (ext4 mounted with -o discard)
 * the ftruncate waits for the device, about 0.4 ms, at the end of the
 * run, while the allocation it saves is the writer thread's, about
 * 0.05 ms a megabyte and mostly off the execution's path: journals
 * start to preallocate at 16 MiB.
 */
#define PREALLOC_FROM (16 * 1024 * 1024)
#define PREALLOC_MAX  (8 * 1024 * 1024)

/*
 * The head of a queued record; the record follows it. Batches are
 * byte buffers of head + record, each padded to 16 bytes, so every record
 * starts aligned.
 */
struct rec_head {
	_Alignas(16) const struct sfn_journal_format *fmt; /* NULL: the
							      record is the
							      line itself */
	size_t size;					   /* of the record */
};

static size_t rec_span(size_t size)
{
	return sizeof(struct rec_head) + ((size + 15) & ~(size_t)15);
}

struct sfn_journal {
	char *dir;  /* owned: the execution directory */
	char *path; /* owned: DIR/journal.ndjson */
	int fd;	    /* open for appending, flock'ed exclusively */
	int flags;  /* enum sfn_journal_flags */
	pthread_mutex_t mu;
	pthread_cond_t synced; /* signalled when a sync finishes */
	/* Records not handed over yet: under mu, or only the appenders'
	 * (serialised by the caller) with SFN_JOURNAL_SERIAL. */
	_Alignas(64) struct sfn_strbuf pending;
	/*
	 * The writer thread: a full batch of pending records is handed to
	 * it, formatted and written while the execution goes on filling the
	 * other one, so a long run's formatting and write(2)s happen on
	 * another core. Durable appends and flushes wait for it, then format
	 * and write the rest in the caller, keeping the order.
	 */
	struct sfn_strbuf inflight; /* the writer's records while busy */
	/* How many records of pending and of inflight have a format with a
	 * release hook: a batch without any is not walked to release it
	 * (its records' cache lines are the writer's, lately). */
	size_t pending_held, inflight_held;
	/* The record queued last in pending (its head), or NULL: see
	 * sfn_journal_last. Appenders' only. */
	struct rec_head *last;
	/*
	 * Records are released (their references dropped) by the appenders,
	 * not by the writer: the values were made by the execution's thread,
	 * and freeing them there keeps its allocator's frees local instead of
	 * sending every block back across threads. A written batch comes back
	 * as pending at the next hand-over, with @returned set; the next
	 * push releases it. Touched by appenders only (under mu, or
	 * serialised by the caller with SFN_JOURNAL_SERIAL).
	 */
	bool returned;
	/* formatted, not written: the formatter's, which changes it all
	 * the time; on a cache line of its own, away from pending */
	_Alignas(64) struct sfn_strbuf out;
	/* The formatter's: bytes it wrote, where the file ends (once
	 * known) and where its preallocated space ends (PREALLOC_FROM). */
	size_t out_bytes;
	off_t end, prealloc_end;
	bool no_prealloc;
	bool busy;		   /* inflight is being written; under mu */
	bool writer_started, stop; /* under mu */
	bool writer_gone;	   /* the writer left its loop; under mu */
	bool napping;		   /* the writer naps (see NAP_NS); under mu */
	pthread_cond_t work;	   /* signalled when busy or stop is set */
	pthread_cond_t poke;	   /* cuts a nap short; CLOCK_MONOTONIC */
	pthread_cond_t done;	   /* signalled when busy is cleared */
	unsigned long written;	   /* batches written; under mu */
	unsigned long durable;	   /* batches known to be on disk; under mu */
	unsigned long syncs;	   /* fdatasyncs so far; under mu */
	bool syncing;		   /* a thread is in fdatasync; under mu */
	int failed_errno;	   /* first write/sync error; sticky */
	/* Bytes of records a batch holds; set by the formatter after each
	 * batch from the length of the lines it made. */
	atomic_size_t batch_limit;
	/* busy, for sfn_journal_slot to read without the lock */
	atomic_bool writing;
	/* The directory entries of a new execution are not synced yet: the
	 * first durable append does it (fsync of the directory and the root),
	 * so a run without Tasks never waits for the disk. */
	char *unsynced_root; /* owned; NULL once synced */
};

static int io_error(struct sfn_error *err, const char *what, const char *path)
{
	return sfn_errorf(err, "SFN_IO", NULL, "cannot %s '%s': %s", what, path,
			  strerror(errno));
}

/* The journal's sticky write error, as a user-facing one. */
static int write_error(struct sfn_journal *j, struct sfn_error *err)
{
	errno = j->failed_errno;
	return io_error(err, "write journal", j->path);
}

/* mkdir -p with mode 0700 for what it creates. */
static int make_dirs(const char *path, struct sfn_error *err)
{
	char *p = sfn_xstrdup(path);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			rc = io_error(err, "create journal directory", p);
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Gives the file system notice of @n more bytes (see PREALLOC_FROM), then
 * writes them. The formatter's.
 */
static int write_out(struct sfn_journal *j, const char *buf, size_t n)
{
	j->out_bytes += n;
	if (!j->no_prealloc && j->out_bytes >= PREALLOC_FROM) {
		struct stat st;
		if (!j->end)
			j->end = fstat(j->fd, &st) == 0 ? st.st_size : -1;
		if (j->end < 0) {
			j->no_prealloc = true;
		} else if (j->end + (off_t)n > j->prealloc_end) {
			off_t len = j->end < PREALLOC_FROM  ? PREALLOC_FROM
				    : j->end > PREALLOC_MAX ? PREALLOC_MAX
							    : j->end;
			len += (off_t)n;
#ifdef FALLOC_FL_KEEP_SIZE
			/* Not supported, or no room: the write decides. */
			if (fallocate(j->fd, FALLOC_FL_KEEP_SIZE, j->end, len) <
			    0)
				j->no_prealloc = true;
			else
				j->prealloc_end = j->end + len;
#else
			j->no_prealloc = true;
#endif
		}
	}
	if (write_all(j->fd, buf, n) < 0) {
		j->no_prealloc = true;
		return -1;
	}
	if (j->end > 0)
		j->end += (off_t)n;
	return 0;
}

/* Makes a new directory entry durable (the file's own data is not enough). */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static struct sfn_journal *journal_new(const char *dir, int fd, int flags)
{
	/* Aligned as it says: the appenders' and the formatter's fields
	 * must not share cache lines. */
	struct sfn_journal *j =
		sfn_xcalloc_aligned(_Alignof(struct sfn_journal), sizeof(*j));
	j->dir = sfn_xstrdup(dir);
	j->path = sfn_xasprintf("%s/%s", dir, SFN_JOURNAL_FILE);
	j->fd = fd;
	j->flags = flags;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->synced, NULL);
	pthread_cond_init(&j->work, NULL);
	pthread_condattr_t monotonic;
	pthread_condattr_init(&monotonic);
	pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
	pthread_cond_init(&j->poke, &monotonic);
	pthread_condattr_destroy(&monotonic);
	pthread_cond_init(&j->done, NULL);
	sfn_strbuf_init(&j->pending, 0);
	sfn_strbuf_init(&j->inflight, 0);
	sfn_strbuf_init(&j->out, 0);
	atomic_init(&j->batch_limit, BATCH_FIRST);
	atomic_init(&j->writing, false);
	return j;
}

static void release_batch(struct sfn_strbuf *batch, size_t *held);

static void journal_free(struct sfn_journal *j)
{
	if (!j)
		return;
	if (j->writer_started) {
		/* The writer is detached: once it says it is gone it touches
		 * nothing of the journal's, and the end of its thread runs
		 * behind the caller, or not at all if the process exits
		 * first. Joining it took about 1 ms on a VM: mimalloc's
		 * clean-up at a thread's exit scans its segment cache, whose
		 * pages are first touched then. */
		pthread_mutex_lock(&j->mu);
		j->stop = true;
		pthread_cond_signal(&j->work);
		pthread_cond_signal(&j->poke);
		while (!j->writer_gone)
			pthread_cond_wait(&j->done, &j->mu);
		pthread_mutex_unlock(&j->mu);
	}
	/* Records written by the thread, and those never written (a failed
	 * journal), still hold references. */
	release_batch(&j->inflight, &j->inflight_held);
	release_batch(&j->pending, &j->pending_held);
	if (j->prealloc_end) {
		/* Gives back the space preallocated past the end. */
		struct stat st;
		if (fstat(j->fd, &st) == 0)
			(void)!ftruncate(j->fd, st.st_size);
	}
	if (j->fd >= 0)
		close(j->fd); /* also releases the flock */
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->synced);
	pthread_cond_destroy(&j->work);
	pthread_cond_destroy(&j->poke);
	pthread_cond_destroy(&j->done);
	sfn_strbuf_release(&j->pending);
	sfn_strbuf_release(&j->inflight);
	sfn_strbuf_release(&j->out);
	free(j->unsynced_root);
	free(j->dir);
	free(j->path);
	free(j);
}

#define TEXT_OF "x-text-of"

json_t *sfn_journal_deferred_text(const json_t *v)
{
	return json_pack("{s:O}", TEXT_OF, (json_t *)v);
}

/* The text a sfn_journal_deferred_text() member stands for, or NULL. */
static json_t *deferred_text(json_t *m)
{
	json_t *v = json_object_get(m, TEXT_OF);
	if (!v || json_object_size(m) != 1)
		return NULL;
	char *s = sfn_json_dumps(v, 0);
	json_t *t = json_string_nocheck(s);
	free(s);
	return t;
}

/*
 * The header record: a shallow copy of the header. On the writer thread,
 * off the execution's path, the deferred texts of "definition" and the
 * execution's "input" are made (a large input is a good part of a short
 * run), and a null "definitionSha256" gets the hash of "definition".
 */
static void write_header(struct sfn_strbuf *sb, void *rec, void *state)
{
	(void)state;
	json_t *h = *(json_t **)rec;
	json_t *t = deferred_text(json_object_get(h, "definition"));
	if (t)
		json_object_set_new(h, "definition", t);
	json_t *exec = json_object_get(h, "execution");
	if ((t = deferred_text(json_object_get(exec, "input")))) {
		/* Not in place: the caller's header shares this object. */
		json_t *e = json_copy(exec);
		json_object_set_new(e, "input", t);
		json_object_set_new(h, "execution", e);
	}
	json_t *def = json_object_get(h, "definition");
	json_t *sha = json_object_get(h, "definitionSha256");
	if (json_is_string(def) && json_is_null(sha)) {
		char hex[65];
		sfn_sha256_hex(json_string_value(def), json_string_length(def),
			       hex);
		json_object_set_new(h, "definitionSha256", json_string(hex));
	}
	sfn_json_dump(sb, h, 0);
}

static void release_header(void *rec)
{
	sfn_json_decref_shared(*(json_t **)rec);
}

static const struct sfn_journal_format header_format = {
	.write = write_header,
	.release = release_header,
};

static void *push(struct sfn_journal *j, const struct sfn_journal_format *fmt,
		  size_t size);
static int write_behind(struct sfn_journal *j);
static int write_pending(struct sfn_journal *j);

/* Spends @budget on @v, about a byte of its text a unit; false once it
 * is spent. */
static bool fits_budget(const json_t *v, long *budget)
{
	const char *k;
	json_t *m;
	size_t i;
	*budget -= 8;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, k, m) {
			*budget -= (long)strlen(k);
			if (*budget < 0 || !fits_budget(m, budget))
				return false;
		}
		break;
	case JSON_ARRAY:
		json_array_foreach((json_t *)v, i, m) {
			if (*budget < 0 || !fits_budget(m, budget))
				return false;
		}
		break;
	case JSON_STRING:
		*budget -= (long)json_string_length(v);
		break;
	default:
		break;
	}
	return *budget >= 0;
}

/* Whether @header takes little enough formatting and hashing to be
 * written in the caller (sfn_journal_create). */
static bool header_is_small(const json_t *header)
{
	long budget = 64 * 1024;
	return fits_budget(header, &budget);
}

static bool name_ok(const char *name)
{
	return *name && strcmp(name, ".") && strcmp(name, "..") &&
	       !strchr(name, '/');
}

struct sfn_journal *sfn_journal_create(const char *root, const char *name,
				       const json_t *header, int flags,
				       struct sfn_error *err)
{
	struct sfn_journal *j = NULL;
	char *dir = NULL;
	int fd = -1;

	if (!name_ok(name)) {
		sfn_errorf(err, "SFN_IO", NULL,
			   "execution name '%s' cannot name a journal "
			   "directory",
			   name);
		return NULL;
	}
	if (make_dirs(root, err) < 0)
		return NULL;
	dir = sfn_xasprintf("%s/%s", root, name);
	bool reuse = false;
	if (mkdir(dir, 0700) < 0) {
		if (errno != EEXIST) {
			io_error(err, "create journal directory", dir);
			goto out;
		}
		/*
		 * A process that died between creating the directory and
		 * writing the header left no execution behind: the name is
		 * free again. Anything with a header is an execution.
		 */
		char *file = sfn_xasprintf("%s/%s", dir, SFN_JOURNAL_FILE);
		struct stat st;
		reuse = stat(file, &st) < 0 ? errno == ENOENT : st.st_size == 0;
		free(file);
		if (!reuse) {
			sfn_errorf(err, "ExecutionAlreadyExists", NULL,
				   "Execution Already Exists: '%s' (journal "
				   "'%s')",
				   name, dir);
			goto out;
		}
	}
	j = journal_new(dir, -1, flags);
	fd = open(j->path,
		  O_WRONLY | O_CREAT | (reuse ? 0 : O_EXCL) | O_APPEND |
			  O_CLOEXEC,
		  0600);
	if (fd < 0) {
		io_error(err, "create journal", j->path);
		goto fail;
	}
	j->fd = fd;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			/* Another process just created it: its header is
			 * not written yet. */
			sfn_errorf(err, "ExecutionAlreadyExists", NULL,
				   "Execution Already Exists: '%s' (journal "
				   "'%s')",
				   name, j->dir);
		else
			io_error(err, "lock journal", j->path);
		goto fail;
	}
	/*
	 * A small header is written at once, in the caller; a large one
	 * (a large input or definition to format and hash) goes to the
	 * writer thread, which writes it while the execution starts. So a
	 * short run starts no thread at all: starting one, with its
	 * allocator's heap, and waiting for it to write the header at the
	 * end cost a run of a few states about 2 ms, more than its
	 * states; the writer starts with the first full batch instead. The
	 * header is synced with the first durable event: nothing an
	 * execution does has a side effect before a Task is scheduled,
	 * which is durable (issue #6 asks no more).
	 */
	pthread_mutex_lock(&j->mu);
	json_t **rec = push(j, &header_format, sizeof(json_t *));
	*rec = json_copy((json_t *)header);
	int rc = header_is_small(header) ? write_pending(j) : write_behind(j);
	pthread_mutex_unlock(&j->mu);
	if (rc < 0) {
		write_error(j, err);
		goto fail;
	}
	if (!(flags & SFN_JOURNAL_NO_SYNC))
		j->unsynced_root = sfn_xstrdup(root);
	goto out;
fail:
	journal_free(j);
	j = NULL;
out:
	free(dir);
	return j;
}

void sfn_journal_data_release(struct sfn_journal_data *data)
{
	json_decref(data->header);
	json_decref(data->events);
	json_decref(data->child_maps);
	memset(data, 0, sizeof(*data));
}

/* Parses the text of a journal into @data; @path names it in errors. */
static int parse_journal(const char *path, const char *buf, size_t len,
			 struct sfn_journal_data *data, struct sfn_error *err)
{
	size_t pos = 0, lineno = 0;
	data->events = json_array();
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		json_error_t jerr;
		json_t *v;
		lineno++;
		v = sfn_json_loadb(buf + pos, end - pos, 0, &jerr);
		if (!nl || (!v && end + 1 >= len)) {
			/*
			 * An incomplete last line, or a last line a crash
			 * left as garbage: torn, so ignored.
			 */
			json_decref(v);
			data->torn = true;
			break;
		}
		if (!v || !json_is_object(v)) {
			json_decref(v);
			return sfn_errorf(err, "SFN_JOURNAL_CORRUPT", NULL,
					  "corrupted journal '%s': line %zu "
					  "is not a JSON object; nothing was "
					  "changed",
					  path, lineno);
		}
		if (lineno == 1) {
			const char *fmt = json_string_value(
				json_object_get(v, "x-journal"));
			if (!fmt || strcmp(fmt, SFN_JOURNAL_FORMAT)) {
				json_decref(v);
				return sfn_errorf(err, "SFN_JOURNAL_CORRUPT",
						  NULL,
						  "'%s' is not an sfn journal "
						  "(no \"x-journal\": \"%s\" "
						  "header)",
						  path, SFN_JOURNAL_FORMAT);
			}
			data->header = v;
		} else {
			json_array_append_new(data->events, v);
		}
		pos = end + 1;
		data->valid_bytes = pos;
	}
	if (!data->header)
		return sfn_errorf(err, "SFN_JOURNAL_NO_HEADER", NULL,
				  "journal '%s' is empty: the execution died "
				  "before its header was written",
				  path);
	return 0;
}

static int read_fd(int fd, const char *path, struct sfn_journal_data *data,
		   struct sfn_error *err)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	int rc;
	memset(data, 0, sizeof(*data));
	if (sfn_strbuf_read_fd(&sb, fd) < 0) {
		rc = io_error(err, "read journal", path);
	} else {
		rc = parse_journal(path, sb.buf, sb.len, data, err);
	}
	sfn_strbuf_release(&sb);
	if (rc < 0)
		sfn_journal_data_release(data);
	return rc;
}

int sfn_journal_read(const char *dir, struct sfn_journal_data *data,
		     struct sfn_error *err)
{
	char *path = sfn_xasprintf("%s/%s", dir, SFN_JOURNAL_FILE);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;
	memset(data, 0, sizeof(*data));
	if (fd < 0) {
		rc = io_error(err, "open journal", path);
		free(path);
		return rc;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && st.st_size == 0 &&
	    flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		/* Its process holds the lock: the header is on its way. */
		rc = sfn_errorf(err, "SFN_JOURNAL_STARTING", NULL,
				"execution '%s' is starting: its journal has "
				"no header yet; try again",
				dir);
		close(fd);
		free(path);
		return rc;
	}
	rc = read_fd(fd, path, data, err);
	if (rc == 0) {
		if (flock(fd, LOCK_SH | LOCK_NB) < 0)
			data->locked = errno == EWOULDBLOCK;
	}
	close(fd);
	free(path);
	return rc;
}

struct sfn_journal *sfn_journal_open(const char *dir, int flags,
				     struct sfn_journal_data *data,
				     struct sfn_error *err)
{
	struct sfn_journal *j = journal_new(dir, -1, flags);
	memset(data, 0, sizeof(*data));
	j->fd = open(j->path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (j->fd < 0) {
		io_error(err, "open journal", j->path);
		goto fail;
	}
	if (flock(j->fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			sfn_errorf(err, "SFN_JOURNAL_LOCKED", NULL,
				   "execution '%s' is being driven by another "
				   "sfn process (journal '%s' is locked)",
				   dir, j->path);
		else
			io_error(err, "lock journal", j->path);
		goto fail;
	}
	if (read_fd(j->fd, j->path, data, err) < 0)
		goto fail;
	if (data->torn) {
		if (ftruncate(j->fd, (off_t)data->valid_bytes) < 0 ||
		    (!(flags & SFN_JOURNAL_NO_SYNC) && fdatasync(j->fd) < 0)) {
			io_error(err, "cut the torn last line of journal",
				 j->path);
			sfn_journal_data_release(data);
			goto fail;
		}
	}
	return j;
fail:
	journal_free(j);
	return NULL;
}

/* Releases what the records of @batch (@held of them with a release
 * hook) hold, and empties it. */
static void release_batch(struct sfn_strbuf *batch, size_t *held)
{
	for (size_t pos = 0; *held && pos < batch->len;) {
		struct rec_head *h = (struct rec_head *)(batch->buf + pos);
		if (h->fmt && h->fmt->release)
			h->fmt->release(h + 1);
		pos += rec_span(h->size);
	}
	*held = 0;
	sfn_strbuf_reset(batch);
}

void *sfn_journal_last(struct sfn_journal *j,
		       const struct sfn_journal_format **fmt)
{
	if (!(j->flags & SFN_JOURNAL_SERIAL) || !j->last)
		return NULL;
	*fmt = j->last->fmt;
	return j->last + 1;
}

/*
 * Formats the records of @batch into j->out and writes them; with @skip
 * (the journal failed already) does nothing. The records stay in @batch,
 * holding their references, for release_batch(). Called by the writer
 * thread on inflight, or under j->mu while the writer is idle on pending:
 * one formatter at a time. Returns 0 or the errno of a failed write.
 */
static int format_batch(struct sfn_journal *j, struct sfn_strbuf *batch,
			bool skip)
{
	int e = 0;
	/* Read once: the batch is a field of the journal's, on the cache
	 * line of pending, which the appenders write at every record. */
	const char *buf = batch->buf;
	size_t len = batch->len, text = 0, records = len;
	const struct sfn_journal_format *begun = NULL;
	/* A batch that holds the header sizes the first batch of events at
	 * most: a large input rides in the events too (a 100 KB document in
	 * each of them: batches of a few KiB of records), but a small
	 * header's ratio of records to text says nothing of the events'. */
	bool header = false;
	if (skip)
		return 0;
	for (size_t pos = 0; pos < len && !e;) {
		struct rec_head *h = (struct rec_head *)(buf + pos);
		void *rec = h + 1;
		if (h->fmt && h->fmt != begun && h->fmt->begin &&
		    !(begun && begun->begin == h->fmt->begin &&
		      begun->state == h->fmt->state)) {
			/* Once per batch, unless formats of other states
			 * alternate. */
			h->fmt->begin(h->fmt->state);
			begun = h->fmt;
		}
		header |= h->fmt == &header_format;
		if (h->fmt)
			h->fmt->write(&j->out, rec, h->fmt->state);
		else
			sfn_strbuf_add(&j->out, rec, h->size);
		sfn_strbuf_addch(&j->out, '\n');
		if (j->out.len >= WRITE_BYTES) {
			if (write_out(j, j->out.buf, j->out.len) < 0)
				e = errno;
			text += j->out.len;
			sfn_strbuf_reset(&j->out);
		}
		pos += rec_span(h->size);
	}
	if (!e && j->out.len && write_out(j, j->out.buf, j->out.len) < 0)
		e = errno;
	text += j->out.len;
	sfn_strbuf_reset(&j->out);
	if (text && records) {
		/* Records per byte of text, times the text a batch may
		 * make. */
		double limit = (double)records * BATCH_TEXT / (double)text;
		if (header && limit > BATCH_FIRST)
			limit = BATCH_FIRST;
		atomic_store_explicit(&j->batch_limit,
				      limit > BATCH_MAX	  ? BATCH_MAX
				      : limit < BATCH_MIN ? BATCH_MIN
							  : (size_t)limit,
				      memory_order_relaxed);
	}
	return e;
}

/* The current batch size (see BATCH_MAX). */
static size_t batch_limit(struct sfn_journal *j)
{
	return atomic_load_explicit(&j->batch_limit, memory_order_relaxed);
}

/* A batch is written, with the errno @e of a failed write (the first
 * sticks); under j->mu. */
static void count_written(struct sfn_journal *j, int e)
{
	if (e && !j->failed_errno)
		j->failed_errno = e;
	j->written++;
}

/* The writer's batch is written: under j->mu, by whoever wrote it. */
static void batch_written(struct sfn_journal *j, int e)
{
	count_written(j, e);
	j->busy = false;
	atomic_store_explicit(&j->writing, false, memory_order_relaxed);
	pthread_cond_broadcast(&j->done);
}

/*
 * Between batches, once await_batch() has given up, the writer naps for
 * NAP_NS, up to NAPS times in a row, before it waits to be woken: waking
 * a thread that sleeps costs its waker a system call and, on a VM, an
 * interrupt sent to the sleeper's CPU (11 us on the VMs sfn is built on,
 * against 0.3 ms to write a batch), and a fast execution hands over a
 * batch every few tenths of a millisecond. A napping writer is not
 * waiting on j->work: signalling it is a load and a branch in the C
 * library, and the batch waits for the end of the nap. Whoever needs the
 * batch written sooner (a durable append, a flush) writes it in the
 * writer's stead (wait_writer), and closing pokes the nap short.
 */
#define NAP_NS 100000
#define NAPS   20

static void nap(struct sfn_journal *j)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += NAP_NS;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	j->napping = true;
	pthread_cond_timedwait(&j->poke, &j->mu, &until);
	j->napping = false;
}

/*
 * After a batch, the writer looks for the next one for SPIN_SECONDS
 * before it naps: an execution that is ahead of it hands the next batch
 * over at its next event, microseconds later, and a nap would leave that
 * batch waiting for the nap's end, 0.2 ms with the timer's lateness on
 * the VMs sfn is built on, at every batch of a fast run (trace marks in
 * loop-10k). The execution does not wait for the writer meanwhile (it
 * queues ahead, RUN_AHEAD), but its last records do, at the end.
 */
#define SPIN_SECONDS 30e-6

static inline void cpu_relax(void)
{
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) && defined(__GNUC__)
	__asm__ volatile("yield");
#endif
}

/* Spins until a batch is handed over, for at most SPIN_SECONDS; not
 * under j->mu. */
static void await_batch(struct sfn_journal *j)
{
	double until = sfn_clock_monotonic() + SPIN_SECONDS;
	for (unsigned i = 1;
	     !atomic_load_explicit(&j->writing, memory_order_relaxed); i++) {
		cpu_relax();
		if (i % 64 == 0 && sfn_clock_monotonic() >= until)
			return;
	}
}

static void *writer_main(void *arg)
{
	struct sfn_journal *j = arg;
	int naps = 0;
	/* Named for top -H and perf. */
	pthread_setname_np(pthread_self(), "sfn-journal");
	pthread_mutex_lock(&j->mu);
	for (;;) {
		while (!j->busy && !j->stop) {
			if (naps++ < NAPS)
				nap(j);
			else
				pthread_cond_wait(&j->work, &j->mu);
		}
		if (!j->busy)
			break;
		naps = 0;
		bool skip = j->failed_errno != 0;
		pthread_mutex_unlock(&j->mu);
		int e = format_batch(j, &j->inflight, skip);
		pthread_mutex_lock(&j->mu);
		batch_written(j, e);
		if (!j->stop) {
			pthread_mutex_unlock(&j->mu);
			await_batch(j);
			pthread_mutex_lock(&j->mu);
		}
	}
	/* The last touch of the journal: journal_free() may free it as
	 * soon as the lock is released. */
	j->writer_gone = true;
	pthread_cond_broadcast(&j->done);
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* Waits until the writer thread is idle; under j->mu. A batch the
 * writer has not taken yet (it naps) is written here instead. */
static void wait_writer(struct sfn_journal *j)
{
	if (j->busy && j->napping)
		batch_written(
			j, format_batch(j, &j->inflight, j->failed_errno != 0));
	while (j->busy)
		pthread_cond_wait(&j->done, &j->mu);
}

/* Releases the records of a batch the writer handed back (@returned). */
static void reclaim(struct sfn_journal *j)
{
	if (j->returned) {
		release_batch(&j->pending, &j->pending_held);
		j->returned = false;
	}
}

/* Formats and writes what is pending, in the caller; under j->mu. */
static int write_pending(struct sfn_journal *j)
{
	wait_writer(j);
	reclaim(j);
	if (!j->pending.len)
		return j->failed_errno ? -1 : 0;
	int e = format_batch(j, &j->pending, j->failed_errno != 0);
	release_batch(&j->pending, &j->pending_held);
	j->last = NULL;
	count_written(j, e);
	return j->failed_errno ? -1 : 0;
}

/*
 * Hands what is pending to the writer thread (starting it the first
 * time); under j->mu. Writes in the caller if no thread can be started.
 * Waiting for the writer to finish its batch first keeps a fast execution
 * from queueing without bound.
 */
static int write_behind(struct sfn_journal *j)
{
	wait_writer(j);
	reclaim(j);
	if (!j->writer_started) {
		/*
		 * A journal long enough to hand over a batch gets its buffers
		 * whole: grown step by step, each step would copy the records
		 * and touch memory afresh (first touches of memory cost
		 * microseconds a page on a VM), and the largest ones would
		 * stay. Untouched, the room costs nothing.
		 */
		sfn_strbuf_grow(&j->pending, BATCH_MAX + RUN_AHEAD);
		sfn_strbuf_grow(&j->inflight, BATCH_MAX + RUN_AHEAD);
		sfn_strbuf_grow(&j->out, WRITE_BYTES + OUT_SLACK);
		/* The writer takes no signals: SIGINT is for the thread the
		 * caller chose to wait for it (it inherits this mask). */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		pthread_t writer;
		pthread_attr_t attr;
		int e = pthread_attr_init(&attr);
		if (!e) {
			pthread_attr_setdetachstate(&attr,
						    PTHREAD_CREATE_DETACHED);
			e = pthread_create(&writer, &attr, writer_main, j);
			pthread_attr_destroy(&attr);
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (e)
			return write_pending(j);
		j->writer_started = true;
	}
	/* The batch written last comes back, to be released by the next
	 * push (reclaim). */
	struct sfn_strbuf full = j->pending;
	j->pending = j->inflight;
	j->inflight = full;
	size_t held = j->pending_held;
	j->pending_held = j->inflight_held;
	j->inflight_held = held;
	j->last = NULL;
	j->returned = j->pending.len > 0;
	j->busy = true;
	atomic_store_explicit(&j->writing, true, memory_order_relaxed);
	pthread_cond_signal(&j->work);
	return j->failed_errno ? -1 : 0;
}

/* Waits until the first @mine writes are on disk; under j->mu. */
static int sync_until(struct sfn_journal *j, unsigned long mine)
{
	if (j->flags & SFN_JOURNAL_NO_SYNC)
		return j->failed_errno ? -1 : 0;
	while (j->durable < mine && !j->failed_errno) {
		if (j->syncing) {
			pthread_cond_wait(&j->synced, &j->mu);
			continue;
		}
		/* Lead a group: this sync covers every write before it. */
		unsigned long target = j->written;
		j->syncing = true;
		pthread_mutex_unlock(&j->mu);
		int rc = fdatasync(j->fd);
		int e = errno;
		if (rc == 0 && j->unsynced_root) {
			/* Only the leader of the first group gets here. */
			sync_dir(j->dir);
			sync_dir(j->unsynced_root);
		}
		pthread_mutex_lock(&j->mu);
		j->syncs++;
		j->syncing = false;
		free(j->unsynced_root);
		j->unsynced_root = NULL;
		if (rc < 0 && !j->failed_errno)
			j->failed_errno = e;
		else if (target > j->durable)
			j->durable = target;
		pthread_cond_broadcast(&j->synced);
	}
	return j->failed_errno ? -1 : 0;
}

/* Waits until every write so far is on disk; under j->mu. */
static int sync_written(struct sfn_journal *j)
{
	return sync_until(j, j->written);
}

/* Whether the pending batch may grow by @span past its limit (RUN_AHEAD):
 * by its appenders, who alone change pending and pending_held. */
static inline bool run_ahead(struct sfn_journal *j, size_t span)
{
	return !j->pending_held && j->pending.len + span < RUN_AHEAD &&
	       atomic_load_explicit(&j->writing, memory_order_relaxed);
}

/* Puts a record of @size bytes (@span with its head) at the end of
 * pending, which has the room; returns where it goes. */
static inline void *place(struct sfn_journal *j,
			  const struct sfn_journal_format *fmt, size_t size,
			  size_t span)
{
	struct rec_head *h =
		(struct rec_head *)(j->pending.buf + j->pending.len);
	h->fmt = fmt;
	h->size = size;
	j->pending.len += span;
	j->pending_held += fmt && fmt->release;
	j->last = h;
	return h + 1;
}

/* Queues a record of @size bytes; returns where it goes. Under j->mu. */
static inline void *push(struct sfn_journal *j,
			 const struct sfn_journal_format *fmt, size_t size)
{
	size_t span = rec_span(size);
	reclaim(j);
	sfn_strbuf_grow(&j->pending, span);
	return place(j, fmt, size, span);
}

/* After a record is queued: hand over, or write and sync. Under j->mu. */
static int queued(struct sfn_journal *j, bool durable, struct sfn_error *err)
{
	int rc = 0;
	if (durable)
		rc = write_pending(j);
	else if (j->pending.len >= batch_limit(j) && !run_ahead(j, 0))
		rc = write_behind(j);
	if (rc == 0 && durable)
		rc = sync_written(j);
	if (rc < 0)
		write_error(j, err);
	return rc;
}

int sfn_journal_append(struct sfn_journal *j, const json_t *event, bool durable,
		       struct sfn_error *err)
{
	/* Formatted now: the caller may change @event once this returns. */
	struct sfn_strbuf line = SFN_STRBUF_INIT;
	sfn_json_dump(&line, event, 0);
	pthread_mutex_lock(&j->mu);
	memcpy(push(j, NULL, line.len), line.buf, line.len);
	int rc = queued(j, durable, err);
	pthread_mutex_unlock(&j->mu);
	sfn_strbuf_release(&line);
	return rc;
}

int sfn_journal_append_record(struct sfn_journal *j,
			      const struct sfn_journal_format *fmt, size_t size,
			      void (*fill)(void *rec, void *ud), void *ud,
			      bool durable, struct sfn_error *err)
{
	void *rec = durable ? NULL : sfn_journal_slot(j, fmt, size);
	if (rec) {
		fill(rec, ud);
		return 0;
	}
	pthread_mutex_lock(&j->mu);
	fill(push(j, fmt, size), ud);
	int rc = queued(j, durable, err);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

/* sfn_journal_slot when the queue is to be released or grown first. */
static SFN_NOINLINE void *slot_slow(struct sfn_journal *j,
				    const struct sfn_journal_format *fmt,
				    size_t size)
{
	reclaim(j);
	size_t span = rec_span(size);
	if (j->pending.len + span >= batch_limit(j) && !run_ahead(j, span))
		return NULL;
	return push(j, fmt, size);
}

void *sfn_journal_slot(struct sfn_journal *j,
		       const struct sfn_journal_format *fmt, size_t size)
{
	struct sfn_strbuf *q = &j->pending;
	size_t span = rec_span(size);
	/* Only the (serialised) appenders touch pending; the writer thread
	 * gets it under the lock, at a hand-over. */
	if (!(j->flags & SFN_JOURNAL_SERIAL))
		return NULL;
	if (j->returned ||
	    (q->len + span >= batch_limit(j) && !run_ahead(j, span)) ||
	    span >= q->alloc - q->len)
		return slot_slow(j, fmt, size);
	/* push(), without its checks: this is every event's path. The
	 * writer thread read this buffer last (it alternates with
	 * inflight): ask for the lines of the records to come back ahead. */
	for (size_t k = 0; k < span; k += 64)
		sfn_prefetch_write(q->buf + q->len + PREFETCH_AHEAD + k);
	return place(j, fmt, size, span);
}

int sfn_journal_append_written(struct sfn_journal *j,
			       const struct sfn_journal_format *fmt,
			       size_t size, void (*fill)(void *rec, void *ud),
			       void *ud, unsigned long *ticket,
			       struct sfn_error *err)
{
	pthread_mutex_lock(&j->mu);
	fill(push(j, fmt, size), ud);
	int rc = write_pending(j);
	*ticket = j->written;
	if (rc < 0)
		write_error(j, err);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

int sfn_journal_sync_to(struct sfn_journal *j, unsigned long ticket,
			struct sfn_error *err)
{
	pthread_mutex_lock(&j->mu);
	int rc = sync_until(j, ticket);
	if (rc < 0)
		write_error(j, err);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

unsigned long sfn_journal_sync_count(struct sfn_journal *j)
{
	pthread_mutex_lock(&j->mu);
	unsigned long n = j->syncs;
	pthread_mutex_unlock(&j->mu);
	return n;
}

int sfn_journal_write_behind(struct sfn_journal *j, struct sfn_error *err)
{
	int rc = 0;
	pthread_mutex_lock(&j->mu);
	reclaim(j);
	if (j->pending.len)
		rc = write_behind(j);
	if (rc < 0)
		write_error(j, err);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

int sfn_journal_flush_nosync(struct sfn_journal *j, struct sfn_error *err)
{
	int rc;
	pthread_mutex_lock(&j->mu);
	rc = write_pending(j);
	if (rc < 0)
		write_error(j, err);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

int sfn_journal_flush(struct sfn_journal *j, struct sfn_error *err)
{
	int rc;
	pthread_mutex_lock(&j->mu);
	rc = write_pending(j);
	if (rc == 0)
		rc = sync_written(j);
	if (rc < 0)
		write_error(j, err);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

const char *sfn_journal_dir(const struct sfn_journal *j)
{
	return j->dir;
}

int sfn_journal_close(struct sfn_journal *j, struct sfn_error *err)
{
	int rc;
	if (!j)
		return 0;
	/* The end of an execution is written, not synced: losing it to a
	 * power cut leaves a journal that reads as a process that died,
	 * which a redrive resumes without repeating a journaled Task. */
	rc = sfn_journal_flush_nosync(j, err);
	journal_free(j);
	return rc;
}

int sfn_journal_list(const char *root,
		     void (*visit)(const char *dir, const char *name, void *ud),
		     void *ud, struct sfn_error *err)
{
	struct dirent **names;
	int n = scandir(root, &names, NULL, alphasort);
	if (n < 0) {
		if (errno == ENOENT)
			return 0;
		return io_error(err, "read journal directory", root);
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (name[0] != '.') {
			char *dir = sfn_xasprintf("%s/%s", root, name);
			char *file =
				sfn_xasprintf("%s/%s", dir, SFN_JOURNAL_FILE);
			struct stat st;
			if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
				visit(dir, name, ud);
			free(file);
			free(dir);
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

bool sfn_journal_type_is_durable(const char *type)
{
	static const char *const durable[] = {
		"TaskScheduled",
		"TaskSubmitted",
		"TaskSucceeded",
		"TaskFailed",
		"TaskTimedOut",
		"TaskStartFailed",
		"TaskSubmitFailed",
		"LambdaFunctionScheduled",
		"LambdaFunctionSucceeded",
		"LambdaFunctionFailed",
		"LambdaFunctionTimedOut",
		"LambdaFunctionStartFailed",
		"LambdaFunctionScheduleFailed",
		"ActivityScheduled",
		"ActivitySucceeded",
		"ActivityFailed",
		"ActivityTimedOut",
		"ActivityScheduleFailed",
		NULL,
	};
	for (size_t i = 0; durable[i]; i++)
		if (!strcmp(durable[i], type))
			return true;
	return false;
}
