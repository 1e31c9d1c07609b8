/*
 * scen_sleep.c - sleep(9): lost wakeups, PDROP, timeouts, PCATCH,
 * wakeup_one, Giant dropped while asleep, and spl(9).
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/rwlock.h>
#include <sys/condvar.h>
#include <sys/proc.h>
#include <sys/kthread.h>
#include <sys/interrupt.h>
#include "kt_util.h"

/*
 * Two threads hand a token back and forth ROUNDS times, each sleeping
 * until it is its turn.  A lost wakeup leaves a thread asleep until its
 * (long) timeout, which the scenario reports.
 */
#define	ROUNDS	3000

struct pingpong {
	struct mtx	mtx;
	int		turn;
	int		timeouts;
};

static void
pingpong_thread(void *arg, int idx)
{
	struct pingpong *pp = arg;

	mtx_lock(&pp->mtx);
	for (int i = 0; i < ROUNDS && pp->timeouts == 0; i++) {
		while (pp->turn != idx && pp->timeouts == 0) {
			if (msleep(&pp->turn, &pp->mtx, 0, "ping", 5 * hz) ==
			    EWOULDBLOCK) {
				/*
				 * The partner answers within microseconds;
				 * five seconds means a lost wakeup.  Stop.
				 */
				pp->timeouts++;
				wakeup(&pp->turn);
			}
		}
		pp->turn = !idx;
		wakeup(&pp->turn);
	}
	mtx_unlock(&pp->mtx);
}

int
kt_Sleep_NoLostWakeupStress(void)
{
	struct pingpong pp = { .turn = 0, .timeouts = 0 };

	KT_BEGIN();
	mtx_init(&pp.mtx, "kt_pingpong", NULL, MTX_DEF);
	kt_run(2, pingpong_thread, &pp);
	KT_CHECK(pp.timeouts == 0);
	mtx_destroy(&pp.mtx);
	KT_END();
}

int
kt_Sleep_PdropLeavesInterlockReleased(void)
{
	struct mtx m;
	int chan;

	KT_BEGIN();
	mtx_init(&m, "kt_pdrop", NULL, MTX_DEF);
	mtx_lock(&m);
	KT_CHECK(msleep(&chan, &m, PDROP, "pdrop", 1) == EWOULDBLOCK);
	KT_CHECK(!mtx_owned(&m));
	mtx_lock(&m);
	KT_CHECK(msleep(&chan, &m, 0, "nodrop", 1) == EWOULDBLOCK);
	KT_CHECK(mtx_owned(&m));
	mtx_unlock(&m);
	mtx_destroy(&m);
	KT_END();
}

int
kt_Sleep_TimeoutReturnsEwouldblock(void)
{
	int chan, start;

	KT_BEGIN();
	start = ticks;
	KT_CHECK(tsleep(&chan, 0, "timeout", 30) == EWOULDBLOCK);
	KT_CHECK(ticks - start >= 30);
	KT_CHECK(sleepq_waiters(&chan) == 0);
	KT_END();
}

struct catcher {
	struct thread	*td;
	int		 ready;
	int		 error;
	int		 flags;
};

static void
catch_thread(void *arg, int idx)
{
	struct catcher *c = arg;

	__atomic_store_n(&c->td, curthread, __ATOMIC_RELEASE);
	c->error = tsleep(c, PCATCH | c->flags, "catch", 60 * hz);
}

static void
interrupter(void *arg, int idx)
{
	struct catcher *c = arg;

	if (!kt_wait_sleepers(c, 1)) {
		KT_EXPECT(0 && "the PCATCH sleeper never slept");
		return;
	}
	if (c->flags)
		kthread_interrupt_restart(
		    __atomic_load_n(&c->td, __ATOMIC_ACQUIRE));
	else
		kthread_interrupt(__atomic_load_n(&c->td, __ATOMIC_ACQUIRE));
}

static void
catch_pair(void *arg, int idx)
{
	if (idx == 0)
		catch_thread(arg, idx);
	else
		interrupter(arg, idx);
}

int
kt_Sleep_PcatchInterruptedWhileAsleep(void)
{
	struct catcher c = { 0 };

	KT_BEGIN();
	kt_run(2, catch_pair, &c);
	KT_CHECK(c.error == EINTR);
	KT_END();
}

int
kt_Sleep_PcatchRestart(void)
{
	struct catcher c = { 0 };

	KT_BEGIN();
	c.flags = PCATCH;	/* marks "restart" for the interrupter */
	kt_run(2, catch_pair, &c);
	KT_CHECK(c.error == ERESTART);
	KT_END();
}

int
kt_Sleep_InterruptPendingBeforeSleep(void)
{
	struct thread *td = curthread;
	int chan;

	KT_BEGIN();
	kthread_interrupt(td);
	/* A sleep without PCATCH ignores the interruption... */
	KT_CHECK(tsleep(&chan, 0, "nocatch", 2) == EWOULDBLOCK);
	/* ...which stays pending for the next PCATCH sleep, once. */
	KT_CHECK(tsleep(&chan, PCATCH, "catch", 60 * hz) == EINTR);
	KT_CHECK(tsleep(&chan, PCATCH, "catch", 2) == EWOULDBLOCK);
	kthread_interrupt(td);
	KT_CHECK(kthread_interrupt_clear(td) == EINTR);
	KT_CHECK(tsleep(&chan, PCATCH, "catch", 2) == EWOULDBLOCK);
	KT_END();
}

struct wone {
	struct mtx	mtx;
	int		woken;
};

static void
wone_sleeper(void *arg, int idx)
{
	struct wone *w = arg;

	mtx_lock(&w->mtx);
	KT_EXPECT(msleep(w, &w->mtx, 0, "wone", 60 * hz) == 0);
	w->woken++;
	mtx_unlock(&w->mtx);
}

static void
wone_waker(void *arg, int idx)
{
	struct wone *w = arg;

	if (idx != 3) {
		wone_sleeper(arg, idx);
		return;
	}
	KT_EXPECT(kt_wait_sleepers(w, 3));
	wakeup_one(w);
	/* Exactly one left the queue; the other two still sleep. */
	KT_EXPECT(sleepq_waiters(w) == 2);
	wakeup_one(w);
	KT_EXPECT(sleepq_waiters(w) == 1);
	wakeup(w);
	KT_EXPECT(sleepq_waiters(w) == 0);
}

int
kt_Sleep_WakeupOneWakesExactlyOne(void)
{
	struct wone w = { .woken = 0 };

	KT_BEGIN();
	mtx_init(&w.mtx, "kt_wone", NULL, MTX_DEF);
	kt_run(4, wone_waker, &w);
	KT_CHECK(w.woken == 3);
	mtx_destroy(&w.mtx);
	KT_END();
}

/*
 * The sleeper holds Giant (recursed); the wakeup comes from an interrupt
 * thread that needs Giant.  Unless sleeping drops Giant, the ithread
 * cannot run and the sleep times out.
 */
static int giant_chan;
static int giant_handler_saw_giant;

static void
giant_intr(void *arg)
{
	giant_handler_saw_giant = mtx_owned(&Giant);
	wakeup(&giant_chan);
}

int
kt_Sleep_GiantDroppedWhileAsleep(void)
{
	struct ithread *it;
	int error;

	KT_BEGIN();
	it = ithread_create("kt_giant", giant_intr, NULL, INTR_TYPE_NET);
	KT_CHECK(it != NULL);
	mtx_lock(&Giant);
	mtx_lock(&Giant);
	ithread_schedule(it);
	error = tsleep(&giant_chan, 0, "giant", 30 * hz);
	KT_CHECK(error == 0);
	KT_CHECK(mtx_owned(&Giant));
	KT_CHECK(mtx_recursed(&Giant));
	mtx_unlock(&Giant);
	KT_CHECK(!mtx_recursed(&Giant));
	mtx_unlock(&Giant);
	KT_CHECK(!mtx_owned(&Giant));
	ithread_destroy(it);
	KT_CHECK(giant_handler_saw_giant == 1);
	KT_END();
}

struct gil {
	struct mtx	mtx;
	int		flag;
};

static void
gil_waker(void *arg, int idx)
{
	struct gil *g = arg;

	if (idx == 0) {
		mtx_lock(&Giant);
		mtx_lock(&g->mtx);
		while (!g->flag)
			KT_EXPECT(msleep(g, &g->mtx, 0, "gil", 30 * hz) == 0);
		KT_EXPECT(mtx_owned(&g->mtx));
		KT_EXPECT(mtx_owned(&Giant));
		mtx_unlock(&g->mtx);
		mtx_unlock(&Giant);
		return;
	}
	KT_EXPECT(kt_wait_sleepers(g, 1));
	mtx_lock(&Giant);	/* would deadlock if the sleeper kept Giant */
	mtx_lock(&g->mtx);
	g->flag = 1;
	wakeup(g);
	mtx_unlock(&g->mtx);
	mtx_unlock(&Giant);
}

int
kt_Sleep_GiantAndInterlockRetaken(void)
{
	struct gil g = { .flag = 0 };

	KT_BEGIN();
	mtx_init(&g.mtx, "kt_gil", NULL, MTX_DEF);
	kt_run(2, gil_waker, &g);
	mtx_destroy(&g.mtx);
	KT_END();
}

int
kt_Sleep_PauseSleepsForTimeout(void)
{
	int start;

	KT_BEGIN();
	start = ticks;
	KT_CHECK(pause("ktpause", 20) == EWOULDBLOCK);
	KT_CHECK(ticks - start >= 20);
	KT_END();
}

int
kt_Spl_LevelsRecordedAndRestored(void)
{
	int s1, s2;

	KT_BEGIN();
	KT_CHECK(spllevel() == IPL_NONE);
	s1 = splnet();
	KT_CHECK(spllevel() == IPL_NET);
	KT_CHECK(spldepth() == 1);
	s2 = splimp();
	KT_CHECK(spllevel() == IPL_IMP);
	KT_CHECK(spldepth() == 2);
	splx(s2);
	KT_CHECK(spllevel() == IPL_NET);
	splx(s1);
	KT_CHECK(spllevel() == IPL_NONE);
	KT_CHECK(spldepth() == 0);
	KT_END();
}

int
kt_Spl_LowerLevelDoesNotLower(void)
{
	int s1, s2, s3;

	KT_BEGIN();
	s1 = splhigh();
	s2 = splsoftnet();
	KT_CHECK(spllevel() == IPL_HIGH);
	s3 = spl0();		/* spl0 does lower */
	KT_CHECK(spllevel() == IPL_NONE);
	splx(s3);
	KT_CHECK(spllevel() == IPL_HIGH);
	splx(s2);
	splx(s1);
	KT_CHECK(spllevel() == IPL_NONE);
	KT_END();
}

int
kt_Spl_SplassertPassesWhenRaised(void)
{
	int s;

	KT_BEGIN();
	s = splimp();
	splassert(IPL_NET);
	splassert(IPL_IMP);
	splx(s);
	splassert(IPL_NONE);
	KT_END();
}

int
kt_Sleep_SpinRwAndCondvarInterlocks(void)
{
	struct mtx spin, m;
	struct rwlock rw;
	struct cv cv;
	int chan;

	KT_BEGIN();
	mtx_init(&spin, "kt_spin_il", NULL, MTX_SPIN);
	mtx_lock_spin(&spin);
	KT_CHECK(msleep_spin(&chan, &spin, "spin", 1) == EWOULDBLOCK);
	KT_CHECK(mtx_owned(&spin));
	mtx_unlock_spin(&spin);
	mtx_destroy(&spin);

	rw_init(&rw, "kt_rw_il");
	rw_wlock(&rw);
	KT_CHECK(rw_sleep(&chan, &rw, 0, "rww", 1) == EWOULDBLOCK);
	KT_CHECK(rw_wowned(&rw));
	rw_wunlock(&rw);
	rw_rlock(&rw);
	KT_CHECK(rw_sleep(&chan, &rw, 0, "rwr", 1) == EWOULDBLOCK);
	rw_assert(&rw, RA_RLOCKED);
	rw_runlock(&rw);
	rw_destroy(&rw);

	mtx_init(&m, "kt_cv_il", NULL, MTX_DEF);
	cv_init(&cv, "kt_cvsig");
	mtx_lock(&m);
	kthread_interrupt(curthread);
	KT_CHECK(cv_wait_sig(&cv, &m) == EINTR);
	KT_CHECK(mtx_owned(&m));
	KT_CHECK(cv_timedwait_sig(&cv, &m, 1) == EWOULDBLOCK);
	mtx_unlock(&m);
	cv_destroy(&cv);
	mtx_destroy(&m);
	KT_END();
}

/*
 * Deferred wakeups (kern_synch.c): a sleeper woken by a thread that holds
 * a mutex runs once that thread lets go of its last one, and not before.
 */
struct defer {
	struct mtx	mtx;
	int		chan;
	int		woke;		/* atomic */
	int		early;		/* the sleeper ran before it should */
	int		handled;	/* atomic: the handler returned */
};

static void
defer_thread(void *arg, int idx)
{
	struct defer *d = arg;

	if (idx == 0) {
		KT_EXPECT(tsleep(&d->chan, 0, "defer", 30 * hz) == 0);
		__atomic_store_n(&d->woke, 1, __ATOMIC_RELEASE);
		return;
	}
	KT_EXPECT(kt_wait_sleepers(&d->chan, 1));
	mtx_lock(&d->mtx);
	wakeup(&d->chan);
	/* 100 ms with the mutex held: the sleeper must not run. */
	d->early = kt_spin_flag(&d->woke, 1, hz / 10);
	mtx_unlock(&d->mtx);
	KT_EXPECT(kt_wait_flag(&d->woke, 1, 30 * hz));
}

int
kt_Sleep_WakeupWaitsForTheWakersLastMutex(void)
{
	struct defer d = { .woke = 0 };

	KT_BEGIN();
	mtx_init(&d.mtx, "kt_defer", NULL, MTX_DEF);
	kt_run(2, defer_thread, &d);
	mtx_destroy(&d.mtx);
	KT_CHECK(d.early == 0);
	KT_CHECK(d.woke == 1);
	KT_END();
}

/* An interrupt handler's wakeups take effect when it returns. */
static struct defer intr_defer;

static void
defer_intr(void *arg)
{
	struct defer *d = arg;

	wakeup(&d->chan);
	d->early = kt_spin_flag(&d->woke, 1, hz / 10);
	__atomic_store_n(&d->handled, 1, __ATOMIC_RELEASE);
}

static void
defer_intr_thread(void *arg, int idx)
{
	struct ithread *it = arg;

	if (idx == 0) {
		KT_EXPECT(tsleep(&intr_defer.chan, 0, "defer", 30 * hz) == 0);
		__atomic_store_n(&intr_defer.woke, 1, __ATOMIC_RELEASE);
		return;
	}
	KT_EXPECT(kt_wait_sleepers(&intr_defer.chan, 1));
	ithread_schedule(it);
	KT_EXPECT(kt_wait_flag(&intr_defer.handled, 1, 30 * hz));
	KT_EXPECT(kt_wait_flag(&intr_defer.woke, 1, 30 * hz));
}

int
kt_Sleep_InterruptHandlersWakeupsFollowItsReturn(void)
{
	struct ithread *it;

	KT_BEGIN();
	bzero(&intr_defer, sizeof(intr_defer));
	it = ithread_create("kt_defer", defer_intr, &intr_defer,
	    INTR_TYPE_NET | INTR_MPSAFE);
	KT_CHECK(it != NULL);
	kt_run(2, defer_intr_thread, it);
	ithread_destroy(it);
	KT_CHECK(intr_defer.early == 0);
	KT_CHECK(intr_defer.woke == 1);
	KT_END();
}
