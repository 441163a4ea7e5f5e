/*
 * Message digests: States.Hash, JSONata's $hash, the journal's definition
 * hash, SigV4's payload and request hashes. Nettle computes them: mapping
 * libcrypto (BIND_NOW, some 4,000 symbol bindings) took 2 to 5 ms of every
 * journaled run, whose header pins the definition by its SHA-256, and
 * OpenSSL 3's EVP_Digest first initialises its providers and reads
 * openssl.cnf (4.6 million instructions). Nettle maps in a fraction of a
 * millisecond and hashes as fast (SHA-NI where the CPU has it).
 */
#include "base/base.h"

#include <string.h>

#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "base/banned.h"

static const char *const digest_names[] = {
	[SFN_MD5] = "MD5",	  [SFN_SHA1] = "SHA-1",
	[SFN_SHA256] = "SHA-256", [SFN_SHA384] = "SHA-384",
	[SFN_SHA512] = "SHA-512",
};

int sfn_digest_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(digest_names) / sizeof(digest_names[0]);
	     i++)
		if (!strcmp(name, digest_names[i]))
			return (int)i;
	return -1;
}

const char *sfn_digest_name(enum sfn_digest alg)
{
	return digest_names[alg];
}

/* The context of each algorithm, its functions, and its digest size. */
#define SFN_DIGEST(ctx_t, init, update, digest, size)                          \
	do {                                                                   \
		struct ctx_t c;                                                \
		init(&c);                                                      \
		update(&c, n, p);                                              \
		digest(&c, size, md);                                          \
		len = size;                                                    \
	} while (0)

size_t sfn_digest_hex(enum sfn_digest alg, const void *data, size_t n,
		      char out[SFN_DIGEST_HEX_MAX])
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = data ? data : (const uint8_t *)"";
	uint8_t md[SHA512_DIGEST_SIZE];
	size_t len = 0;
	switch (alg) {
	case SFN_MD5:
		SFN_DIGEST(md5_ctx, md5_init, md5_update, md5_digest,
			   MD5_DIGEST_SIZE);
		break;
	case SFN_SHA1:
		SFN_DIGEST(sha1_ctx, sha1_init, sha1_update, sha1_digest,
			   SHA1_DIGEST_SIZE);
		break;
	case SFN_SHA256:
		SFN_DIGEST(sha256_ctx, sha256_init, sha256_update,
			   sha256_digest, SHA256_DIGEST_SIZE);
		break;
	case SFN_SHA384:
		SFN_DIGEST(sha384_ctx, sha384_init, sha384_update,
			   sha384_digest, SHA384_DIGEST_SIZE);
		break;
	case SFN_SHA512:
		SFN_DIGEST(sha512_ctx, sha512_init, sha512_update,
			   sha512_digest, SHA512_DIGEST_SIZE);
		break;
	}
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * len] = '\0';
	return 2 * len;
}

void sfn_sha256_hex(const void *data, size_t n, char out[65])
{
	char hex[SFN_DIGEST_HEX_MAX];
	sfn_digest_hex(SFN_SHA256, data, n, hex);
	memcpy(out, hex, 65);
}
