/*
 * kern_clock.c - kernel time.
 *
 * hz is 1000 and ticks counts milliseconds of kernel time.  Kernel time
 * runs `scale` times faster than the host's monotonic clock:
 *	kern = base_kern + (real - base_real) * scale
 * kern_clock_scale() rebases so kernel time stays continuous, then wakes
 * timed sleepers and the callout thread so they recompute their deadlines.
 * The parameters are read under a sequence counter (all atomic accesses).
 * Kernel uptime starts at one second, as time_uptime does on FreeBSD.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/stdint.h>
#include <sys/time.h>
#include <machine/host.h>

#include "kern_internal.h"

int hz = 1000;
int tick = 1000000 / 1000;
int stathz = 1000;
int profhz = 1000;
char hostname[256] = "mpsafe";
char kernelname[] = "mpsafe";

#define	NS_PER_TICK	(1000000000ULL / 1000)

static struct {
	u_int		seq;
	uint64_t	base_real;
	uint64_t	base_kern;
	u_int		scale;
	uint64_t	boot_wall;
} kclock;
static struct host_mutex kclock_wlock;

static void __attribute__((__constructor__(101)))
kern_clock_sysinit(void)
{
	host_mutex_init(&kclock_wlock);
	__atomic_store_n(&kclock.base_real, host_monotonic_ns(),
	    __ATOMIC_RELAXED);
	__atomic_store_n(&kclock.base_kern, 1000000000ULL, __ATOMIC_RELAXED);
	__atomic_store_n(&kclock.scale, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&kclock.boot_wall, host_realtime_ns() - 1000000000ULL,
	    __ATOMIC_RELAXED);
}

static void
kclock_read(uint64_t *breal, uint64_t *bkern, u_int *scale)
{
	u_int seq;

	for (;;) {
		seq = __atomic_load_n(&kclock.seq, __ATOMIC_ACQUIRE);
		if (seq & 1) {
			host_yield();
			continue;
		}
		*breal = __atomic_load_n(&kclock.base_real, __ATOMIC_RELAXED);
		*bkern = __atomic_load_n(&kclock.base_kern, __ATOMIC_RELAXED);
		*scale = __atomic_load_n(&kclock.scale, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&kclock.seq, __ATOMIC_RELAXED) == seq)
			return;
	}
}

static uint64_t
kclock_at(uint64_t real, uint64_t breal, uint64_t bkern, u_int scale)
{
	return (bkern + (real > breal ? real - breal : 0) * scale);
}

uint64_t
kern_nanouptime(void)
{
	uint64_t breal, bkern;
	u_int scale;

	kclock_read(&breal, &bkern, &scale);
	return (kclock_at(host_monotonic_ns(), breal, bkern, scale));
}

unsigned long long
kern_real_deadline(uint64_t kdeadline)
{
	uint64_t breal, bkern, real, kern;
	u_int scale;

	kclock_read(&breal, &bkern, &scale);
	real = host_monotonic_ns();
	kern = kclock_at(real, breal, bkern, scale);
	if (kdeadline <= kern)
		return (real);
	return (real + (kdeadline - kern + scale - 1) / scale);
}

void
kern_clock_scale(u_int n)
{
	uint64_t real, kern;

	if (n == 0)
		panic("kern_clock_scale(0): the scale must be at least 1");
	host_mutex_lock(&kclock_wlock);
	real = host_monotonic_ns();
	kern = kclock_at(real, kclock.base_real, kclock.base_kern,
	    kclock.scale);
	__atomic_fetch_add(&kclock.seq, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&kclock.base_real, real, __ATOMIC_RELAXED);
	__atomic_store_n(&kclock.base_kern, kern, __ATOMIC_RELAXED);
	__atomic_store_n(&kclock.scale, n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&kclock.seq, 1, __ATOMIC_RELEASE);
	host_mutex_unlock(&kclock_wlock);
	kern_sleepq_rescan();
	kern_callout_rescan();
}

u_int
kern_clock_getscale(void)
{
	return (__atomic_load_n(&kclock.scale, __ATOMIC_RELAXED));
}

int
kern_ticks(void)
{
	return ((int)(kern_nanouptime() / NS_PER_TICK));
}

time_t
kern_uptime(void)
{
	return ((time_t)(kern_nanouptime() / 1000000000ULL));
}

time_t
kern_time_second(void)
{
	return ((time_t)((__atomic_load_n(&kclock.boot_wall, __ATOMIC_RELAXED) +
	    kern_nanouptime()) / 1000000000ULL));
}

static void
ns_to_tv(uint64_t ns, struct timeval *tvp)
{
	tvp->tv_sec = (time_t)(ns / 1000000000ULL);
	tvp->tv_usec = (suseconds_t)((ns % 1000000000ULL) / 1000);
}

void
microuptime(struct timeval *tvp)
{
	ns_to_tv(kern_nanouptime(), tvp);
}

void
getmicrouptime(struct timeval *tvp)
{
	microuptime(tvp);
}

void
microtime(struct timeval *tvp)
{
	ns_to_tv(__atomic_load_n(&kclock.boot_wall, __ATOMIC_RELAXED) +
	    kern_nanouptime(), tvp);
}

void
getmicrotime(struct timeval *tvp)
{
	microtime(tvp);
}

void
nanouptime(struct timespec *tsp)
{
	uint64_t ns = kern_nanouptime();

	tsp->tv_sec = (time_t)(ns / 1000000000ULL);
	tsp->tv_nsec = (long)(ns % 1000000000ULL);
}

void
getnanouptime(struct timespec *tsp)
{
	nanouptime(tsp);
}

void
timevaladd(struct timeval *t1, const struct timeval *t2)
{
	t1->tv_sec += t2->tv_sec;
	t1->tv_usec += t2->tv_usec;
	if (t1->tv_usec >= 1000000) {
		t1->tv_sec++;
		t1->tv_usec -= 1000000;
	}
}

void
timevalsub(struct timeval *t1, const struct timeval *t2)
{
	t1->tv_sec -= t2->tv_sec;
	t1->tv_usec -= t2->tv_usec;
	if (t1->tv_usec < 0) {
		t1->tv_sec--;
		t1->tv_usec += 1000000;
	}
}

/* Ticks until the interval has passed, rounded up, plus one (FreeBSD). */
int
tvtohz(struct timeval *tv)
{
	long long us;

	us = (long long)tv->tv_sec * 1000000 + tv->tv_usec;
	if (us <= 0)
		return (1);
	us = (us + tick - 1) / tick + 1;
	return (us > INT32_MAX ? INT32_MAX : (int)us);
}

/* True at most once per mininterval (ratecheck(9)). */
int
ratecheck(struct timeval *lasttime, const struct timeval *mininterval)
{
	struct timeval tv, delta;

	getmicrouptime(&tv);
	delta = tv;
	timevalsub(&delta, lasttime);
	if (timevalcmp(&delta, mininterval, >=) ||
	    (lasttime->tv_sec == 0 && lasttime->tv_usec == 0)) {
		*lasttime = tv;
		return (1);
	}
	return (0);
}

/* True while fewer than maxpps events happened this second. */
int
ppsratecheck(struct timeval *lasttime, int *curpps, int maxpps)
{
	time_t now = kern_uptime();

	if (lasttime->tv_sec != now) {
		lasttime->tv_sec = now;
		lasttime->tv_usec = 0;
		*curpps = 0;
	}
	if (maxpps < 0)
		return (1);
	return ((*curpps)++ < maxpps);
}
