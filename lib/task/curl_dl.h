/*
 * Inside lib/task: libcurl is loaded with dlopen the first time an HTTP,
 * Lambda or Bedrock Task needs it, not at start-up (its dependency tree is
 * most of a start-up's dynamic linking). curl_dl.c defines the curl_*
 * functions the integrations call, each forwarding to the loaded library.
 */
#ifndef SFN_TASK_CURL_DL_H
#define SFN_TASK_CURL_DL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Loads libcurl once (thread-safe). Returns false with @errmsg (@size
 * bytes) naming the library, why it failed and the Debian package to
 * install; until it succeeds every curl_* function fails (NULL, an error
 * code) without touching its arguments.
 */
bool sfn_curl_load(char *errmsg, size_t size);

#endif
