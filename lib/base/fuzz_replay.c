/*
 * Replays a fuzz target's seeds when the build has no libFuzzer (zstd's
 * regression_driver.c): every file named on the command line, or in a
 * directory named there, goes once through LLVMFuzzerTestOneInput. A crash
 * is the failure; ctest runs this in every build.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	if (sfn_strbuf_read_file(&sb, path) < 0) {
		fprintf(stderr, "fuzz replay: cannot read '%s'\n", path);
		return -1;
	}
	/* Hand the fuzzer a copy of exactly the bytes, as libFuzzer does. */
	uint8_t *copy = sfn_xmalloc(sb.len ? sb.len : 1);
	memcpy(copy, sb.buf, sb.len);
	LLVMFuzzerTestOneInput(copy, sb.len);
	free(copy);
	sfn_strbuf_release(&sb);
	return 0;
}

int main(int argc, char **argv)
{
	int n = 0, bad = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "fuzz replay: no seeds at '%s'\n",
				argv[i]);
			bad++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad += replay_file(argv[i]) < 0;
			n++;
			continue;
		}
		struct dirent **names;
		int count = scandir(argv[i], &names, NULL, alphasort);
		for (int k = 0; k < count; k++) {
			if (names[k]->d_name[0] != '.') {
				char *path = sfn_xasprintf("%s/%s", argv[i],
							   names[k]->d_name);
				bad += replay_file(path) < 0;
				n++;
				free(path);
			}
			free(names[k]);
		}
		free(names);
	}
	printf("%d passed, %d failed\n", n - bad, bad);
	return bad ? 1 : 0;
}
