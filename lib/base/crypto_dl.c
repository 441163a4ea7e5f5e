/*
 * libcrypto, loaded on first use. Mapping libcrypto.so.3 costs more at
 * start-up than everything else sfn links (thousands of symbol bindings),
 * and few runs need it: HMAC (SigV4), base64 and random bytes (digests are
 * nettle's: digest.c). So this file defines the OpenSSL functions sfn
 * calls, each forwarding to the same symbol in libcrypto.so.3 opened with
 * dlopen the first time one is called.
 *
 * How the definitions win: every module's static library comes before
 * -lcrypto on the link line and sfn_base comes last of them, so the linker
 * resolves these names here and --as-needed (top-level CMakeLists.txt) then
 * drops libcrypto from the binary's needed libraries. A function not
 * defined here still links straight to libcrypto, which then loads at
 * start-up again: still correct, only slower (`readelf -d build/sfn` shows
 * it). libcrypto missing at run time is an installation error, reported
 * with the package to install, and the process exits 127 as it would had
 * the dynamic loader failed to find it.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#define SFN_CRYPTO_SONAME "libcrypto.so.3"
#define SFN_CRYPTO_DEBPKG "libssl3"

/* X(return type, name, (parameters), (arguments)) */
#define SFN_CRYPTO_FUNCS(X)                                                    \
	X(unsigned char *, HMAC,                                               \
	  (const EVP_MD *evp_md, const void *key, int key_len,                 \
	   const unsigned char *data, size_t data_len, unsigned char *md,      \
	   unsigned int *md_len),                                              \
	  (evp_md, key, key_len, data, data_len, md, md_len))                  \
	X(int, EVP_EncodeBlock,                                                \
	  (unsigned char *t, const unsigned char *f, int n), (t, f, n))        \
	X(const EVP_MD *, EVP_sha256, (void), ())                              \
	X(int, RAND_bytes, (unsigned char *buf, int num), (buf, num))

static struct {
#define SFN_CRYPTO_PTR(ret, name, params, args) ret(*name) params;
	SFN_CRYPTO_FUNCS(SFN_CRYPTO_PTR)
#undef SFN_CRYPTO_PTR
} fn;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void)
{
	void *lib = dlopen(SFN_CRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *why = lib ? NULL : dlerror();
	const char *missing = NULL;
	/* POSIX: a data pointer from dlsym converts to a function pointer. */
#define SFN_CRYPTO_SYM(ret, name, params, args)                                \
	if (lib) {                                                             \
		void *sym = dlsym(lib, #name);                                 \
		if (!sym && !missing)                                          \
			missing = #name;                                       \
		*(void **)(&fn.name) = sym;                                    \
	}
	SFN_CRYPTO_FUNCS(SFN_CRYPTO_SYM)
#undef SFN_CRYPTO_SYM
	if (why || missing) {
		fprintf(stderr,
			"sfn: %s %s%s: apt-get install %s (sfn needs "
			"OpenSSL 3's libcrypto)\n",
			SFN_CRYPTO_SONAME,
			why ? "cannot be loaded: " : "lacks ",
			why ? why : missing, SFN_CRYPTO_DEBPKG);
		exit(127);
	}
	/* The library stays loaded until exit. */
}

#define SFN_CRYPTO_DEFINE(ret, name, params, args)                             \
	ret name params                                                        \
	{                                                                      \
		pthread_once(&load_once, load);                                \
		return fn.name args;                                           \
	}
SFN_CRYPTO_FUNCS(SFN_CRYPTO_DEFINE)
#undef SFN_CRYPTO_DEFINE
