#define _DEFAULT_SOURCE
#include "journal/journal.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
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

static void visit(const char *dir, const char *name, void *ud)
{
	(void)dir;
	struct sfn_strbuf *sb = ud;
	sfn_strbuf_addf(sb, "%s;", name);
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

	/* Listing. */
	json_t *h2 = header("run-0");
	j = sfn_journal_create(jroot, "run-0", h2, SFN_JOURNAL_NO_SYNC, &err);
	sfn_journal_close(j, &err);
	struct sfn_strbuf names = SFN_STRBUF_INIT;
	SFN_CHECK(sfn_journal_list(jroot, visit, &names, &err) == 0, "list");
	SFN_CHECK_STR(names.buf, "run-0;run-1;", "listed names");
	sfn_strbuf_release(&names);
	SFN_CHECK(sfn_journal_list("/nonexistent/sfn", visit, &names, &err) ==
			  0,
		  "missing root lists nothing");

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
