/*
 * libcurl, loaded on first use: see curl_dl.h. Each curl_* function the
 * integrations use is defined here with libcurl's own prototype and calls
 * the symbol of the same name in libcurl.so.4, resolved once by
 * sfn_curl_load(). The two variadic ones (setopt, getinfo) take exactly one
 * more argument, whose type the option number's range gives, as in libcurl.
 */
#define CURL_DISABLE_TYPECHECK 1
#include "task/curl_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include <curl/curl.h>

#include "base/banned.h"

#define SFN_CURL_SONAME "libcurl.so.4"
#define SFN_CURL_DEBPKG "libcurl4"

/*
 * X(return type, name, (parameters), (arguments), value when not loaded);
 * V(name, (parameters), (arguments)) for those returning void.
 */
#define SFN_CURL_FUNCS(X, V)                                                   \
	X(CURLcode, curl_global_init, (long flags), (flags),                   \
	  CURLE_FAILED_INIT)                                                   \
	X(CURL *, curl_easy_init, (void), (), NULL)                            \
	V(curl_easy_cleanup, (CURL * h), (h))                                  \
	V(curl_easy_reset, (CURL * h), (h))                                    \
	X(const char *, curl_easy_strerror, (CURLcode c), (c),                 \
	  "libcurl is not loaded")                                             \
	X(struct curl_slist *, curl_slist_append,                              \
	  (struct curl_slist * l, const char *s), (l, s), NULL)                \
	V(curl_slist_free_all, (struct curl_slist * l), (l))                   \
	V(curl_free, (void *p), (p))                                           \
	X(CURLU *, curl_url, (void), (), NULL)                                 \
	V(curl_url_cleanup, (CURLU * u), (u))                                  \
	X(CURLUcode, curl_url_get,                                             \
	  (CURLU * u, CURLUPart what, char **part, unsigned int flags),        \
	  (u, what, part, flags), CURLUE_BAD_HANDLE)                           \
	X(CURLUcode, curl_url_set,                                             \
	  (CURLU * u, CURLUPart what, const char *part, unsigned int flags),   \
	  (u, what, part, flags), CURLUE_BAD_HANDLE)                           \
	X(CURLM *, curl_multi_init, (void), (), NULL)                          \
	X(CURLMcode, curl_multi_cleanup, (CURLM * m), (m), CURLM_BAD_HANDLE)   \
	X(CURLMcode, curl_multi_add_handle, (CURLM * m, CURL * h), (m, h),     \
	  CURLM_BAD_HANDLE)                                                    \
	X(CURLMcode, curl_multi_remove_handle, (CURLM * m, CURL * h), (m, h),  \
	  CURLM_BAD_HANDLE)                                                    \
	X(CURLMcode, curl_multi_perform, (CURLM * m, int *running),            \
	  (m, running), CURLM_BAD_HANDLE)                                      \
	X(CURLMcode, curl_multi_poll,                                          \
	  (CURLM * m, struct curl_waitfd * fds, unsigned int nfds, int ms,     \
	   int *ret),                                                          \
	  (m, fds, nfds, ms, ret), CURLM_BAD_HANDLE)                           \
	X(CURLMsg *, curl_multi_info_read, (CURLM * m, int *left), (m, left),  \
	  NULL)

static struct {
#define SFN_CURL_PTR(ret, name, params, args, fail) ret(*name) params;
#define SFN_CURL_VPTR(name, params, args)	    void(*name) params;
	SFN_CURL_FUNCS(SFN_CURL_PTR, SFN_CURL_VPTR)
#undef SFN_CURL_PTR
#undef SFN_CURL_VPTR
	CURLcode (*curl_easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*curl_easy_getinfo)(CURL *, CURLINFO, ...);
} fn;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static bool loaded;
static char load_error[512];

static void load(void)
{
	void *lib = dlopen(SFN_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(load_error, sizeof(load_error),
			 "HTTP, Lambda and Bedrock Tasks need libcurl, which "
			 "cannot be loaded (%s): apt-get install %s",
			 dlerror(), SFN_CURL_DEBPKG);
		return;
	}
	const char *missing = NULL;
	/* POSIX: a data pointer from dlsym converts to a function pointer. */
#define SFN_CURL_SYM(name)                                                     \
	do {                                                                   \
		void *sym = dlsym(lib, #name);                                 \
		if (!sym && !missing)                                          \
			missing = #name;                                       \
		*(void **)(&fn.name) = sym;                                    \
	} while (0);
#define SFN_CURL_LOAD(ret, name, params, args, fail) SFN_CURL_SYM(name)
#define SFN_CURL_VLOAD(name, params, args)	     SFN_CURL_SYM(name)
	SFN_CURL_FUNCS(SFN_CURL_LOAD, SFN_CURL_VLOAD)
	SFN_CURL_SYM(curl_easy_setopt)
	SFN_CURL_SYM(curl_easy_getinfo)
#undef SFN_CURL_LOAD
#undef SFN_CURL_VLOAD
#undef SFN_CURL_SYM
	if (missing) {
		snprintf(load_error, sizeof(load_error),
			 "%s lacks %s (libcurl 7.66 or later is needed): "
			 "apt-get install %s",
			 SFN_CURL_SONAME, missing, SFN_CURL_DEBPKG);
		dlclose(lib);
		return;
	}
	loaded = true; /* the library stays loaded until exit */
}

bool sfn_curl_load(char *errmsg, size_t size)
{
	pthread_once(&load_once, load);
	if (!loaded && errmsg && size)
		snprintf(errmsg, size, "%s", load_error);
	return loaded;
}

#define SFN_CURL_DEFINE(ret, name, params, args, fail)                         \
	ret name params                                                        \
	{                                                                      \
		if (!sfn_curl_load(NULL, 0))                                   \
			return fail;                                           \
		return fn.name args;                                           \
	}
#define SFN_CURL_VDEFINE(name, params, args)                                   \
	void name params                                                       \
	{                                                                      \
		if (sfn_curl_load(NULL, 0))                                    \
			fn.name args;                                          \
	}
SFN_CURL_FUNCS(SFN_CURL_DEFINE, SFN_CURL_VDEFINE)
#undef SFN_CURL_DEFINE
#undef SFN_CURL_VDEFINE

CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	CURLcode rc;
	va_list ap;
	if (!sfn_curl_load(NULL, 0))
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, curl_off_t));
	else
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	CURLcode rc;
	va_list ap;
	if (!sfn_curl_load(NULL, 0))
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	rc = fn.curl_easy_getinfo(h, info, va_arg(ap, void *)); /* always a
								   pointer */
	va_end(ap);
	return rc;
}
