/*
 * The monotonic clock of a run. A journaled run reads it for every state
 * it enters, and clock_gettime costs about 35 ns in the VMs sfn is built
 * on (the vDSO's arithmetic over a paravirtual clock), as much as a Pass
 * state's whole work. On x86, where Linux itself keeps time with the CPU's
 * time-stamp counter (which it does only when the counter is invariant and
 * synchronised across CPUs), a reading less than SPAN after a real one is
 * extrapolated from the counter (about 12 ns) at the rate measured over the
 * first CALIBRATE seconds of the process. Elsewhere, and until the rate is
 * known, every reading is clock_gettime's.
 */
#define _GNU_SOURCE
#include "base/base.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#else
#define HAVE_TSC 0
#endif

#include "base/banned.h"

static double clock_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#if HAVE_TSC
/* Real readings are at most this far apart (seconds). */
#define SPAN 0.001
/* The counter's rate is measured over this long (seconds). */
#define CALIBRATE 0.005

/*
 * The counter's ticks per second once measured; 0 while measuring; -1
 * when the counter is not to be used (not Linux's clock source). Set
 * once, after seconds_per_tick and span_ticks.
 */
static _Atomic double rate;
static double seconds_per_tick;
static uint64_t span_ticks;
static pthread_mutex_t calibration = PTHREAD_MUTEX_INITIALIZER;
static uint64_t first_tick; /* under calibration */
static double first_time;

/* Does the kernel keep time with the time-stamp counter? */
static bool tsc_is_clock_source(void)
{
	char buf[16] = { 0 };
	int fd = open("/sys/devices/system/clocksource/clocksource0/"
		      "current_clocksource",
		      O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n >= 3 && !strncmp(buf, "tsc", 3) &&
	       (buf[3] == '\n' || buf[3] == '\0');
}

/* With a real reading @t taken at tick @c: measures the rate. */
static void calibrate(uint64_t c, double t)
{
	pthread_mutex_lock(&calibration);
	if (atomic_load_explicit(&rate, memory_order_relaxed) == 0) {
		if (!first_tick) {
			first_tick = c;
			first_time = t;
		} else if (t - first_time >= CALIBRATE && c > first_tick) {
			double r = (double)(c - first_tick) / (t - first_time);
			seconds_per_tick = 1 / r;
			span_ticks = (uint64_t)(r * SPAN);
			atomic_store_explicit(&rate,
					      tsc_is_clock_source() ? r : -1.0,
					      memory_order_release);
		}
	}
	pthread_mutex_unlock(&calibration);
}

/* This thread's last real reading, and the last time it returned. */
static _Thread_local struct {
	uint64_t tick;
	double time, last;
} here;
#endif

double sfn_clock_monotonic(void)
{
#if HAVE_TSC
	double r = atomic_load_explicit(&rate, memory_order_acquire);
	if (r > 0 && here.tick) {
		uint64_t d = __rdtsc() - here.tick;
		if (d < span_ticks) {
			double t = here.time + (double)d * seconds_per_tick;
			/* Never behind what this thread saw last. */
			if (t < here.last)
				t = here.last;
			here.last = t;
			return t;
		}
	}
	double t = clock_real();
	uint64_t c = __rdtsc();
	if (r == 0)
		calibrate(c, t);
	here.tick = c;
	here.time = t;
	if (t < here.last)
		t = here.last;
	here.last = t;
	return t;
#else
	return clock_real();
#endif
}
