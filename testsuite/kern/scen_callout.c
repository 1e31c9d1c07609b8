/*
 * scen_callout.c - callout(9) and kernel clock scaling.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/callout.h>
#include <sys/time.h>
#include <machine/host.h>
#include "kt_util.h"

struct co {
	struct callout	c;
	struct mtx	mtx;
	int		runs;
	int		had_lock;
	int		had_giant;
	int		started;
	int		finished;
	int		fired_at;
};

static void
co_count(void *arg)
{
	struct co *co = arg;

	co->fired_at = ticks;
	__atomic_fetch_add(&co->runs, 1, __ATOMIC_ACQ_REL);
}

static int
co_runs(struct co *co)
{
	return (__atomic_load_n(&co->runs, __ATOMIC_ACQUIRE));
}

/* Waits until kernel time passes `when` plus a margin for the thread. */
static void
wait_past(int when)
{
	while (ticks - when < 50)
		pause("ktpast", 5);
}

int
kt_Callout_FiresOnce(void)
{
	struct co co = { .runs = 0 };
	int armed;

	KT_BEGIN();
	callout_init(&co.c, 1);
	KT_CHECK(!callout_pending(&co.c) && !callout_active(&co.c));
	armed = ticks;
	KT_CHECK(callout_reset(&co.c, 10, co_count, &co) == 0);
	KT_CHECK(callout_pending(&co.c) && callout_active(&co.c));
	KT_CHECK(kt_wait_flag(&co.runs, 1, 30 * hz));
	KT_CHECK(co.fired_at - armed >= 10);
	KT_CHECK(!callout_pending(&co.c));
	wait_past(armed + 10);
	KT_CHECK(co_runs(&co) == 1);
	callout_drain(&co.c);
	KT_END();
}

int
kt_Callout_StopPreventsRun(void)
{
	struct co co = { .runs = 0 };
	int armed;

	KT_BEGIN();
	callout_init(&co.c, 1);
	armed = ticks;
	callout_reset(&co.c, 40, co_count, &co);
	KT_CHECK(callout_stop(&co.c) == 1);
	KT_CHECK(!callout_pending(&co.c) && !callout_active(&co.c));
	KT_CHECK(callout_stop(&co.c) == 0);
	wait_past(armed + 40);
	KT_CHECK(co_runs(&co) == 0);
	KT_END();
}

int
kt_Callout_ResetReschedules(void)
{
	struct co co = { .runs = 0 };
	int armed;

	KT_BEGIN();
	callout_init(&co.c, 1);
	callout_reset(&co.c, 20, co_count, &co);
	armed = ticks;
	KT_CHECK(callout_reset(&co.c, 60, co_count, &co) == 1);
	KT_CHECK(kt_wait_flag(&co.runs, 1, 30 * hz));
	KT_CHECK(co.fired_at - armed >= 60);
	wait_past(armed + 60);
	KT_CHECK(co_runs(&co) == 1);
	KT_END();
}

static void
co_slow(void *arg)
{
	struct co *co = arg;

	__atomic_store_n(&co->started, 1, __ATOMIC_RELEASE);
	pause("coslow", 50);
	__atomic_store_n(&co->finished, 1, __ATOMIC_RELEASE);
}

int
kt_Callout_DrainWaitsForRunningHandler(void)
{
	struct co co = { .runs = 0 };

	KT_BEGIN();
	callout_init(&co.c, 1);
	callout_reset(&co.c, 1, co_slow, &co);
	KT_CHECK(kt_wait_flag(&co.started, 1, 30 * hz));
	callout_drain(&co.c);
	KT_CHECK(__atomic_load_n(&co.finished, __ATOMIC_ACQUIRE) == 1);
	KT_END();
}

static void
co_locked(void *arg)
{
	struct co *co = arg;

	co->had_lock = mtx_owned(&co->mtx);
	co->had_giant = mtx_owned(&Giant);
	__atomic_fetch_add(&co->runs, 1, __ATOMIC_ACQ_REL);
}

int
kt_Callout_InitMtxHoldsLockAndStopCancels(void)
{
	struct co co = { .runs = 0 };
	int armed;

	KT_BEGIN();
	mtx_init(&co.mtx, "kt_comtx", NULL, MTX_DEF);
	callout_init_mtx(&co.c, &co.mtx, 0);
	mtx_lock(&co.mtx);
	callout_reset(&co.c, 5, co_locked, &co);
	mtx_unlock(&co.mtx);
	KT_CHECK(kt_wait_flag(&co.runs, 1, 30 * hz));
	mtx_lock(&co.mtx);
	KT_CHECK(co.had_lock == 1 && co.had_giant == 0);
	/*
	 * Hold the lock past the expiry: the callout thread blocks on it.
	 * callout_stop() under the lock must still cancel that run.
	 */
	armed = ticks;
	callout_reset(&co.c, 1, co_locked, &co);
	while (ticks - armed < 30)
		continue;
	KT_CHECK(callout_stop(&co.c) == 1);
	mtx_unlock(&co.mtx);
	wait_past(armed);
	KT_CHECK(co_runs(&co) == 1);
	callout_drain(&co.c);
	mtx_destroy(&co.mtx);
	KT_END();
}

int
kt_Callout_NonMpsafeRunsWithGiant(void)
{
	struct co co = { .runs = 0 };

	KT_BEGIN();
	mtx_init(&co.mtx, "kt_cogiant", NULL, MTX_DEF);
	callout_init(&co.c, 0);
	callout_reset(&co.c, 1, co_locked, &co);
	KT_CHECK(kt_wait_flag(&co.runs, 1, 30 * hz));
	callout_drain(&co.c);
	KT_CHECK(co.had_giant == 1);
	mtx_destroy(&co.mtx);
	KT_END();
}

static void
co_unlocks(void *arg)
{
	struct co *co = arg;

	co->had_lock = mtx_owned(&co->mtx);
	mtx_unlock(&co->mtx);		/* CALLOUT_RETURNUNLOCKED */
	__atomic_fetch_add(&co->runs, 1, __ATOMIC_ACQ_REL);
}

int
kt_Callout_ReturnUnlockedHandlerReleases(void)
{
	struct co co = { .runs = 0 };

	KT_BEGIN();
	mtx_init(&co.mtx, "kt_corel", NULL, MTX_DEF);
	callout_init_mtx(&co.c, &co.mtx, CALLOUT_RETURNUNLOCKED);
	mtx_lock(&co.mtx);
	callout_reset(&co.c, 1, co_unlocks, &co);
	mtx_unlock(&co.mtx);
	KT_CHECK(kt_wait_flag(&co.runs, 1, 30 * hz));
	/* Had the callout thread unlocked it again, that would panic. */
	mtx_lock(&co.mtx);
	KT_CHECK(co.had_lock == 1);
	mtx_unlock(&co.mtx);
	callout_drain(&co.c);
	mtx_destroy(&co.mtx);
	KT_END();
}

/*
 * With the clock 50 times faster, 2000 ticks of kernel time pass in about
 * 40 ms; the check allows the host 2 s (a 50x margin).
 */
int
kt_Clock_ScaleSpeedsUpKernelTime(void)
{
	unsigned long long t0;
	int chan, start, error;

	KT_BEGIN();
	kern_clock_scale(50);
	KT_CHECK(kern_clock_getscale() == 50);
	t0 = host_monotonic_ns();
	start = ticks;
	error = tsleep(&chan, 0, "scaled", 2000);
	kern_clock_scale(1);
	KT_CHECK(error == EWOULDBLOCK);
	KT_CHECK(ticks - start >= 2000);
	KT_CHECK(host_monotonic_ns() - t0 < 2000000000ULL);
	KT_END();
}

int
kt_Clock_ScaleSpeedsUpCallouts(void)
{
	struct co co = { .runs = 0 };
	unsigned long long t0;
	int start, ok;

	KT_BEGIN();
	callout_init(&co.c, 1);
	start = ticks;
	t0 = host_monotonic_ns();
	callout_reset(&co.c, 5000, co_count, &co);
	/* Speeding the clock up after arming still applies. */
	kern_clock_scale(100);
	ok = kt_wait_flag(&co.runs, 1, 20000);
	kern_clock_scale(1);
	KT_CHECK(ok);
	KT_CHECK(co.fired_at - start >= 5000);
	KT_CHECK(host_monotonic_ns() - t0 < 2500000000ULL);
	KT_END();
}
