/*
 * The monotonic clock of a run. A journaled run reads it for every state
 * it enters, and clock_gettime costs about 28 ns in the VMs sfn is built
 * on (the vDSO's arithmetic over a paravirtual clock), as much as a Pass
 * state's whole work. On x86, a reading less than SPAN after a real one
 * is extrapolated from the CPU's time-stamp counter (about 12 ns) at the
 * rate measured over the first CALIBRATE seconds of the process, where
 * the counter is fit for it: where Linux itself keeps time with it (it
 * does only when the counter is invariant and synchronised across CPUs),
 * or where the CPU says its counter is invariant (a constant rate in
 * every power state) and the reading is made on the CPU of the real one
 * it extrapolates from, so that counters of CPUs out of step with each
 * other are never compared (as under kvm-clock, where Linux leaves the
 * counter to the hypervisor). A rate that changes under the process (a
 * VM moved to another host) moves a reading by at most that change over
 * SPAN. Elsewhere, and until the rate is known, every reading is
 * clock_gettime's.
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
#include <cpuid.h>
#include <sched.h>
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
/*
 * The counter's rate is measured over this long (seconds): long enough
 * that a reading delayed by an interrupt (tens of microseconds) moves the
 * rate by a few per cent, and with it an extrapolation over SPAN by tens
 * of microseconds; short, because until then every reading is a real one
 * (a run of 10,000 states takes a few milliseconds). Over CALIBRATE_ANY
 * when no reading that long after the first is on the first one's CPU.
 */
#define CALIBRATE     0.001
#define CALIBRATE_ANY 0.005

/*
 * The counter's ticks per second once measured; 0 while measuring; -1
 * when the counter is not to be used. Set once, after seconds_per_tick,
 * span_ticks and per_cpu.
 */
static _Atomic double rate;
static double seconds_per_tick;
static uint64_t span_ticks;
/* Readings extrapolate only on the CPU of their real reading. */
static bool per_cpu;
static pthread_mutex_t calibration = PTHREAD_MUTEX_INITIALIZER;
static uint64_t first_tick; /* under calibration */
static double first_time;
static int first_cpu;
/* When the rate can be measured: 0 until the first reading. Read
 * without the lock, so that readings until then do not take it. */
static _Atomic double calibrated_at;

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

/* Does the counter keep a constant rate in every P-, C- and T-state
 * (CPUID 0x80000007, EDX bit 8: "invariant TSC")? */
static bool tsc_is_invariant(void)
{
	unsigned a, b, c, d;
	return __get_cpuid(0x80000007, &a, &b, &c, &d) && (d >> 8 & 1);
}

/*
 * With a real reading @t taken at tick @c on CPU @cpu: measures the
 * rate, over CALIBRATE from a reading on the same CPU, or over
 * CALIBRATE_ANY from one on any: counters of CPUs out of step make the
 * rate wrong by their offset over the time between.
 */
static void calibrate(uint64_t c, double t, int cpu)
{
	pthread_mutex_lock(&calibration);
	if (atomic_load_explicit(&rate, memory_order_relaxed) == 0) {
		double dt = t - first_time;
		if (!first_tick) {
			first_tick = c;
			first_time = t;
			first_cpu = cpu;
			atomic_store_explicit(&calibrated_at, t + CALIBRATE,
					      memory_order_relaxed);
		} else if (c > first_tick &&
			   ((cpu == first_cpu && dt >= CALIBRATE) ||
			    dt >= CALIBRATE_ANY)) {
			double r = (double)(c - first_tick) / dt;
			seconds_per_tick = 1 / r;
			span_ticks = (uint64_t)(r * SPAN);
			bool fit = tsc_is_clock_source();
			if (!fit && tsc_is_invariant() && sched_getcpu() >= 0)
				fit = per_cpu = true;
			atomic_store_explicit(&rate, fit ? r : -1.0,
					      memory_order_release);
		}
	}
	pthread_mutex_unlock(&calibration);
}

/* This thread's last real reading, the CPU it was made on (with
 * per_cpu), and the last time it returned. */
static _Thread_local struct {
	uint64_t tick;
	double time, last;
	int cpu;
} here;
#endif

double sfn_clock_monotonic(void)
{
#if HAVE_TSC
	double r = atomic_load_explicit(&rate, memory_order_acquire);
	if (r > 0 && here.tick) {
		int cpu = per_cpu ? sched_getcpu() : 0;
		uint64_t d = __rdtsc() - here.tick;
		/* The CPU asked again after the counter: the thread may
		 * have moved in between. */
		if (d < span_ticks &&
		    (!per_cpu || (cpu == here.cpu && sched_getcpu() == cpu))) {
			double t = here.time + (double)d * seconds_per_tick;
			/* Never behind what this thread saw last. */
			if (t < here.last)
				t = here.last;
			here.last = t;
			return t;
		}
	}
	/* The CPU of a real reading matters with per_cpu, and while the
	 * rate is measured (per_cpu is not known yet); where the counter is
	 * not used, the reading is clock_gettime's alone. */
	bool track = r == 0 || (r > 0 && per_cpu);
	int cpu = track ? sched_getcpu() : 0;
	double t = clock_real();
	if (r >= 0) {
		uint64_t c = __rdtsc();
		/* A real reading made across a move between CPUs is no
		 * ground to extrapolate from, nor to measure the rate. */
		bool moved = track && sched_getcpu() != cpu;
		if (r == 0 && !moved) {
			double at = atomic_load_explicit(&calibrated_at,
							 memory_order_relaxed);
			if (at == 0 || t >= at)
				calibrate(c, t, cpu);
		}
		here.tick = !track || (cpu >= 0 && !moved) ? c : 0;
		here.cpu = cpu;
		here.time = t;
	}
	if (t < here.last)
		t = here.last;
	here.last = t;
	return t;
#else
	return clock_real();
#endif
}
