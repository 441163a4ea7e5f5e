/*
 * runenv: what every command that runs executions hands to lib/exec: the
 * host clock and randomness, state machine names from file names, and
 * values read from files through the loader.
 */
#ifndef SFN_RUNENV_H
#define SFN_RUNENV_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

/* The host's randomness; reproducible (a fixed seed) when @deterministic. */
struct sfn_host {
	bool deterministic;
	uint64_t seed;
	int urandom; /* -1 when closed */
};
void sfn_host_init(struct sfn_host *h, bool deterministic);
void sfn_host_release(struct sfn_host *h);
/* For sfn_exec_options.monotonic and .random (@ud is the struct sfn_host). */
double sfn_host_monotonic(void *ud);
void sfn_host_random(void *ud, void *buf, size_t n);

/* "dir/orders.asl.yaml" -> "orders"; "-" -> "stdin". New string. */
char *sfn_cli_machine_name(const char *path);
/*
 * A JSON or YAML file's value through the loader (a new reference), or
 * NULL with the error printed in the one grammar.
 */
json_t *sfn_cli_load_value(const char *path);

#endif
