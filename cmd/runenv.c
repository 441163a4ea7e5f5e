#include "runenv.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "asl/asl.h"
#include "cli.h"
#include "cmd.h"

void sfn_host_init(struct sfn_host *h, bool deterministic)
{
	h->deterministic = deterministic;
	h->seed = 0x9e3779b97f4a7c15ULL;
	h->urandom =
		deterministic ? -1 : open("/dev/urandom", O_RDONLY | O_CLOEXEC);
}

void sfn_host_release(struct sfn_host *h)
{
	if (h->urandom >= 0)
		close(h->urandom);
	h->urandom = -1;
}

double sfn_host_monotonic(void *ud)
{
	(void)ud;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sfn_host_random(void *ud, void *buf, size_t n)
{
	struct sfn_host *h = ud;
	unsigned char *p = buf;
	if (!h->deterministic && h->urandom >= 0) {
		size_t got = 0;
		while (got < n) {
			ssize_t r = read(h->urandom, p + got, n - got);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (got == n)
			return;
	}
	/* Reproducible ids under SFN_TEST_NOW (xorshift64*). */
	for (size_t i = 0; i < n; i++) {
		h->seed ^= h->seed >> 12;
		h->seed ^= h->seed << 25;
		h->seed ^= h->seed >> 27;
		p[i] = (unsigned char)((h->seed * 2685821657736338717ULL) >>
				       56);
	}
}

char *sfn_cli_machine_name(const char *path)
{
	if (!strcmp(path, "-"))
		return sfn_xstrdup("stdin");
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *n = sfn_xstrdup(base);
	size_t len = strlen(n);
	static const char *const exts[] = { ".json", ".yaml", ".yml" };
	for (size_t i = 0; i < 3; i++) {
		size_t el = strlen(exts[i]);
		if (len > el && !strcmp(n + len - el, exts[i])) {
			len -= el;
			n[len] = '\0';
			break;
		}
	}
	if (len > 4 && !strcmp(n + len - 4, ".asl"))
		n[len - 4] = '\0';
	return n;
}

json_t *sfn_cli_load_value(const char *path)
{
	struct sfn_error err = SFN_ERROR_INIT;
	struct sfn_doc *doc = sfn_doc_load_file(path, 0, NULL, &err);
	if (!doc) {
		sfn_cli_print_load_error(stderr, sfn_display_name(path), &err,
					 false);
		sfn_error_release(&err);
		return NULL;
	}
	json_t *v = json_incref(sfn_doc_root(doc));
	sfn_doc_free(doc);
	return v;
}
