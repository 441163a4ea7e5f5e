/*
 * Fuzz target of sfn test-state: the input is a TestState request (JSON; a
 * non-object is taken as the definition). No Task backends (Tasks fail or
 * use the request's mock), a pinned clock and no real waiting. Inputs are
 * capped at 64 KB; everything is freed.
 */
#include "exec/test_state.h"

#include <stdint.h>
#include <stdlib.h>

#define MAX_INPUT (1 << 16)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static double mono(void *ud)
{
	(void)ud;
	return 0;
}

static void rnd(void *ud, void *buf, size_t n)
{
	uint64_t *s = ud;
	unsigned char *p = buf;
	for (size_t i = 0; i < n; i++) {
		*s ^= *s << 13;
		*s ^= *s >> 7;
		*s ^= *s << 17;
		p[i] = (unsigned char)*s;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	json_t *req =
		json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!req)
		req = json_stringn((const char *)data, size);
	if (!json_is_object(req))
		req = json_pack("{s:o}", "definition", req ? req : json_null());
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	struct sfn_test_state_host h = {
		.start_time = 1767225600,
		.pinned_clock = true,
		.monotonic = mono,
		.random = rnd,
		.ud = &seed,
		.state_machine_name = "fuzz",
		.execution_name = "fuzz",
	};
	json_t *resp = NULL;
	struct sfn_error err = SFN_ERROR_INIT;
	if (sfn_test_state(req, &h, &resp, &err) == 0) {
		char *s = sfn_json_dumps(resp, 0);
		free(s);
	}
	json_decref(resp);
	json_decref(req);
	sfn_error_release(&err);
	return 0;
}
