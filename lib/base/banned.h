/*
 * Functions we never call (git banned.h): unbounded copies, shared static
 * buffers, silent conversion failures. Included last by every lib/ file that
 * wants the check; the compiler then refuses the names.
 */
#ifndef SFN_BANNED_H
#define SFN_BANNED_H

#define SFN_BANNED(f) sorry_##f##_is_banned_in_sfn

#undef strcpy
#define strcpy(x, y) SFN_BANNED(strcpy)
#undef strcat
#define strcat(x, y) SFN_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) SFN_BANNED(strncpy)
#undef sprintf
#define sprintf(...) SFN_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) SFN_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) SFN_BANNED(strtok)
#undef atoi
#define atoi(x) SFN_BANNED(atoi)
#undef gmtime
#define gmtime(t) SFN_BANNED(gmtime)
#undef localtime
#define localtime(t) SFN_BANNED(localtime)
#undef ctime
#define ctime(t) SFN_BANNED(ctime)

#endif
