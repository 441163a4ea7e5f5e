/*
 * The integrations' test server (libmicrohttpd) on 127.0.0.1, a random
 * port, plain HTTP or TLS. Routes (see server.c for each one's contract):
 *   /echo             the request back as JSON
 *   /auth/basic       401 unless Basic alice:s3cret-pw
 *   /auth/apikey      401 unless x-api-key: key-7Hq2
 *   /auth/oauth       401 unless Bearer <the current token>
 *   /oauth/token      client credentials (Basic cid:csecret-9Zt), a new token
 *   /oauth/expire     makes the current token stale (the next call gets 401)
 *   /status/NNN       status NNN with {"message": "status NNN"}
 *   /slow?ms=N        answers after N ms
 *   /flaky?key=K&n=N  429 for the first N calls with key K, then 200
 *   /redirect         302 to /echo
 *   /drop             closes the connection without answering
 *   /text /binary /big  text/plain, application/octet-stream, 300 KiB JSON
 *   /model/ID/invoke  Bedrock Runtime: SigV4 (service bedrock) or Bearer
 *   /v1/chat/completions /v1/embeddings  OpenAI-compatible
 *   /2015-03-31/functions/NAME/invocations  Lambda Invoke
 */
#ifndef SFN_TEST_SERVER_H
#define SFN_TEST_SERVER_H

#include <jansson.h>

/* The keys every signed route checks against. */
#define SFN_TEST_ACCESS_KEY  "AKIDEXAMPLE"
#define SFN_TEST_SECRET_KEY  "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SFN_TEST_BEDROCK_KEY "br-key-5Lx9"

struct sfn_test_server;

/*
 * Starts serving. @cert_pem/@key_pem: PEM text for TLS, NULL for plain
 * HTTP. @pool: 0 for a thread per connection (slow routes), N for N
 * threads (benchmarks). Returns NULL on failure.
 */
struct sfn_test_server *
sfn_test_server_start(const char *cert_pem, const char *key_pem, unsigned pool);
int sfn_test_server_port(const struct sfn_test_server *s);
/* The last request to a route: {method, path, query, headers, body}. New. */
json_t *sfn_test_server_last(struct sfn_test_server *s);
/* How many requests route @prefix served ("/oauth/token"). */
unsigned sfn_test_server_count(struct sfn_test_server *s, const char *prefix);
/* How many TCP connections it accepted (keep-alive reuse shows here). */
unsigned sfn_test_server_connections(struct sfn_test_server *s);
void sfn_test_server_stop(struct sfn_test_server *s);
/*
 * Makes a self-signed certificate for 127.0.0.1 and localhost with
 * `openssl req` in a new temporary directory: *@dir (its path), cert.pem,
 * key.pem; *@cert and *@key get the PEM texts. All caller-freed. -1 on
 * failure (openssl missing).
 */
int sfn_test_make_cert(char **dir, char **cert, char **key);
/* Removes what sfn_test_make_cert() made. */
void sfn_test_remove_cert(const char *dir);

#endif
