/*
 * fmt_double_check: reads "BITS STRING" lines (gen.js: a double's bits in
 * hex and JavaScript's String() of it) on stdin and checks that
 * sfn_fmt_double prints every one exactly so. Ends with "N passed, N failed".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

int main(void)
{
	char line[128], got[SFN_NUMBUF];
	long pass = 0, fail = 0;
	while (fgets(line, sizeof(line), stdin)) {
		char want[64];
		uint64_t bits;
		double d;
		if (sscanf(line, "%" SCNx64 " %63s", &bits, want) != 2)
			continue;
		memcpy(&d, &bits, sizeof(d));
		sfn_fmt_double(got, d);
		if (strcmp(got, want) == 0) {
			pass++;
		} else if (fail++ < 20) {
			printf("%016" PRIx64 ": got %s, JavaScript prints %s\n",
			       bits, got, want);
		}
	}
	printf("%ld passed, %ld failed\n", pass, fail);
	return fail || pass == 0;
}
