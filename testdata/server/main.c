/*
 * sfn-test-server: the integrations' test server as a program, for golden
 * CLI cases and bench/http.sh. Prints its base URL on the first line of
 * standard output (with --tls also the CA certificate path on the second),
 * then serves until standard input closes or a SIGTERM/SIGINT arrives.
 *
 * usage: sfn-test-server [--tls] [--pool N]
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include "server.h"

static void *wait_stdin(void *arg)
{
	(void)arg;
	char buf[256];
	while (read(0, buf, sizeof(buf)) > 0)
		;
	kill(getpid(), SIGTERM);
	return NULL;
}

int main(int argc, char **argv)
{
	bool tls = false;
	unsigned pool = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--tls")) {
			tls = true;
		} else if (!strcmp(argv[i], "--pool") && i + 1 < argc) {
			pool = (unsigned)strtoul(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "usage: sfn-test-server [--tls] "
					"[--pool N]\n");
			return 2;
		}
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	char *dir = NULL, *cert = NULL, *key = NULL;
	if (tls && sfn_test_make_cert(&dir, &cert, &key) < 0) {
		fprintf(stderr, "sfn-test-server: openssl req failed\n");
		return 1;
	}
	struct sfn_test_server *s = sfn_test_server_start(cert, key, pool);
	if (!s) {
		fprintf(stderr, "sfn-test-server: cannot listen\n");
		return 1;
	}
	printf("%s://127.0.0.1:%d\n", tls ? "https" : "http",
	       sfn_test_server_port(s));
	if (tls)
		printf("%s/cert.pem\n", dir);
	fflush(stdout);
	pthread_t th;
	pthread_create(&th, NULL, wait_stdin, NULL);
	pthread_detach(th);
	int sig;
	sigwait(&set, &sig);
	sfn_test_server_stop(s);
	if (dir)
		sfn_test_remove_cert(dir);
	free(dir);
	free(cert);
	free(key);
	return 0;
}
