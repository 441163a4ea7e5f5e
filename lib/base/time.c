/*
 * Civil dates from and to day counts (Howard Hinnant's algorithms, public
 * domain descriptions), so no libc time function with hidden state is used.
 */
#include "base/base.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void sfn_time_format(char buf[32], double epoch)
{
	int64_t ms = (int64_t)floor(epoch * 1000.0 + 0.5);
	int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int64_t frac = ms - secs * 1000;
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t rem = secs - days * 86400;
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	if (y >= 0 && y <= 9999) {
		/* The common case by hand: the journal formats one per event.
		 */
		int f[7] = { (int)y,
			     (int)m,
			     (int)d,
			     (int)(rem / 3600),
			     (int)(rem / 60 % 60),
			     (int)(rem % 60),
			     (int)frac };
		static const char sep[] = "--T::.Z";
		char *p = buf;
		for (int i = 0; i < 7; i++) {
			int width = i == 0 ? 4 : i == 6 ? 3 : 2;
			for (int k = width - 1; k >= 0; k--) {
				p[k] = (char)('0' + f[i] % 10);
				f[i] /= 10;
			}
			p += width;
			*p++ = sep[i];
		}
		*p = '\0';
		return;
	}
	char tmp[96];
	snprintf(tmp, sizeof(tmp), "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
		 (long long)y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
		 (int)(rem % 60), (int)frac);
	/* Years past 9999 do not fit AWS's format; keep what fits. */
	size_t n = strlen(tmp);
	if (n > 31)
		n = 31;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

int sfn_time_parse(const char *s, double *epoch)
{
	int y, mo, d, h, mi, sec;
	double frac = 0;
	const char *p = s;
	if (!digits(p, 4, &y) || p[4] != '-' || !digits(p + 5, 2, &mo) ||
	    p[7] != '-' || !digits(p + 8, 2, &d) ||
	    (p[10] != 'T' && p[10] != 't') || !digits(p + 11, 2, &h) ||
	    p[13] != ':' || !digits(p + 14, 2, &mi) || p[16] != ':' ||
	    !digits(p + 17, 2, &sec))
		return -1;
	p += 19;
	if (*p == '.') {
		double scale = 0.1;
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++, scale /= 10)
			frac += (*p - '0') * scale;
	}
	int offset = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' ||
		    !digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		offset = (oh * 60 + om) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;
	}
	static const int mdays[] = { 31, 29, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (*p || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || sec > 59)
		return -1;
	int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	*epoch = (double)(days * 86400 + h * 3600 + mi * 60 + sec -
			  offset * 60) +
		 frac;
	return 0;
}
