/*
 * scen_lock.c - atomic(9), counter(9), refcount(9), mutex(9), rwlock(9),
 * sx(9) and condvar(9).
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/rwlock.h>
#include <sys/sx.h>
#include <sys/condvar.h>
#include <sys/counter.h>
#include <sys/malloc.h>
#include <sys/refcount.h>
#include <sys/proc.h>
#include <machine/atomic.h>
#include "kt_util.h"

#define	NTHREADS	4
#define	NITER		50000

struct atomics {
	volatile u_int		i;
	volatile u_long		l;
	volatile uint64_t	q;
	volatile uint32_t	bits;
};

static void
atomic_thread(void *arg, int idx)
{
	struct atomics *a = arg;
	uint64_t old;

	for (int n = 0; n < NITER; n++) {
		atomic_add_int(&a->i, 2);
		atomic_subtract_int(&a->i, 1);
		(void)atomic_fetchadd_long(&a->l, 3);
		old = atomic_load_64(&a->q);
		while (!atomic_fcmpset_64(&a->q, &old, old + 5))
			continue;
	}
	atomic_set_32(&a->bits, 1u << idx);
}

int
kt_Atomic_SumsExactUnderThreads(void)
{
	struct atomics a = { 0 };

	KT_BEGIN();
	kt_run(NTHREADS, atomic_thread, &a);
	KT_CHECK(a.i == NTHREADS * NITER);
	KT_CHECK(a.l == 3UL * NTHREADS * NITER);
	KT_CHECK(a.q == 5ULL * NTHREADS * NITER);
	KT_CHECK(a.bits == (1u << NTHREADS) - 1);
	KT_END();
}

int
kt_Atomic_OperationSemantics(void)
{
	volatile u_int v = 0xf0;
	volatile uintptr_t p = 0;
	u_int exp;

	KT_BEGIN();
	atomic_set_int(&v, 0x0f);
	KT_CHECK(v == 0xff);
	atomic_clear_acq_int(&v, 0xf0);
	KT_CHECK(v == 0x0f);
	KT_CHECK(atomic_cmpset_int(&v, 0x0f, 7) && v == 7);
	KT_CHECK(!atomic_cmpset_rel_int(&v, 0x0f, 9) && v == 7);
	exp = 1;
	KT_CHECK(!atomic_fcmpset_int(&v, &exp, 3) && exp == 7);
	KT_CHECK(atomic_fcmpset_acq_int(&v, &exp, 3) && v == 3);
	KT_CHECK(atomic_swap_int(&v, 11) == 3 && v == 11);
	KT_CHECK(atomic_readandclear_int(&v) == 11 && v == 0);
	KT_CHECK(atomic_testandset_int(&v, 4) == 0 && v == 16);
	KT_CHECK(atomic_testandset_int(&v, 4) == 1);
	KT_CHECK(atomic_testandclear_int(&v, 4) == 1 && v == 0);
	atomic_store_rel_int(&v, 5);
	KT_CHECK(atomic_load_acq_int(&v) == 5);
	KT_CHECK(atomic_cmpset_ptr(&p, 0, (uintptr_t)&v) &&
	    p == (uintptr_t)&v);
	KT_END();
}

static void
counter_thread(void *arg, int idx)
{
	counter_u64_t c = arg;

	for (int n = 0; n < NITER; n++)
		counter_u64_add(c, idx + 1);
}

int
kt_Counter_SumsExactUnderThreads(void)
{
	counter_u64_t c;

	KT_BEGIN();
	c = counter_u64_alloc(M_WAITOK);
	KT_CHECK(c != NULL && counter_u64_fetch(c) == 0);
	kt_run(NTHREADS, counter_thread, c);
	/* Thread i adds i+1 each time: NITER * (1 + 2 + ... + NTHREADS). */
	KT_CHECK(counter_u64_fetch(c) ==
	    (uint64_t)NITER * NTHREADS * (NTHREADS + 1) / 2);
	counter_u64_zero(c);
	KT_CHECK(counter_u64_fetch(c) == 0);
	counter_u64_add(c, -1);
	counter_u64_add(c, 3);
	KT_CHECK(counter_u64_fetch(c) == 2);
	counter_u64_free(c);
	KT_END();
}

static void
refcount_thread(void *arg, int idx)
{
	volatile u_int *cnt = arg;

	for (int n = 0; n < NITER; n++) {
		refcount_acquire(cnt);
		KT_EXPECT(!refcount_release(cnt));
	}
}

int
kt_Refcount_AcquireRelease(void)
{
	volatile u_int cnt;

	KT_BEGIN();
	refcount_init(&cnt, 1);
	kt_run(NTHREADS, refcount_thread, __DEVOLATILE(u_int *, &cnt));
	KT_CHECK(refcount_load(&cnt) == 1);
	KT_CHECK(refcount_acquire_if_not_zero(&cnt));
	KT_CHECK(refcount_release_if_not_last(&cnt));
	KT_CHECK(!refcount_release_if_not_last(&cnt));
	KT_CHECK(refcount_release(&cnt));
	KT_CHECK(!refcount_acquire_if_not_zero(&cnt));
	KT_END();
}

int
kt_Mutex_RecursionAndAsserts(void)
{
	struct mtx r, n;

	KT_BEGIN();
	mtx_init(&r, "kt_recurse", NULL, MTX_DEF | MTX_RECURSE);
	mtx_init(&n, "kt_plain", "kt_plain_class", MTX_DEF);
	KT_CHECK(mtx_initialized(&r) && !mtx_owned(&r));
	mtx_lock(&r);
	mtx_lock(&r);
	KT_CHECK(mtx_owned(&r) && mtx_recursed(&r));
	mtx_assert(&r, MA_OWNED | MA_RECURSED);
	KT_CHECK(mtx_trylock(&r) == 1);
	mtx_unlock(&r);
	mtx_unlock(&r);
	mtx_assert(&r, MA_OWNED | MA_NOTRECURSED);
	mtx_unlock(&r);
	mtx_assert(&r, MA_NOTOWNED);
	KT_CHECK(mtx_trylock(&n) == 1);
	KT_CHECK(mtx_trylock(&n) == 0);	/* no recursion: try fails */
	mtx_unlock(&n);
	KT_CHECK(strcmp(mtx_name(&n), "kt_plain") == 0);
	mtx_destroy(&r);
	mtx_destroy(&n);
	KT_CHECK(!mtx_initialized(&r));
	KT_END();
}

struct guarded {
	struct mtx	mtx;
	int		value;	/* plain int: TSan checks the exclusion */
	int		arrived;
};

static void
mutex_thread(void *arg, int idx)
{
	struct guarded *g = arg;

	/* Start together so that the threads really contend. */
	__atomic_fetch_add(&g->arrived, 1, __ATOMIC_ACQ_REL);
	KT_EXPECT(kt_spin_flag(&g->arrived, NTHREADS, 20 * hz));
	for (int n = 0; n < NITER * 2; n++) {
		mtx_lock(&g->mtx);
		g->value++;
		mtx_unlock(&g->mtx);
	}
}

int
kt_Mutex_ExcludesUnderThreads(void)
{
	struct guarded g = { .value = 0, .arrived = 0 };

	KT_BEGIN();
	mtx_init(&g.mtx, "kt_guarded", NULL, MTX_DEF);
	kt_run(NTHREADS, mutex_thread, &g);
	KT_CHECK(g.value == NTHREADS * NITER * 2);
	mtx_destroy(&g.mtx);
	KT_END();
}

/*
 * Two readers each take the read lock, then wait (bounded) until both are
 * inside at once: possible only if readers share the lock.
 */
struct shared {
	struct rwlock	rw;
	struct sx	sx;
	int		use_sx;
	int		inside;
	int		both;
};

static void
reader_thread(void *arg, int idx)
{
	struct shared *s = arg;
	int start;

	if (s->use_sx)
		sx_slock(&s->sx);
	else
		rw_rlock(&s->rw);
	__atomic_fetch_add(&s->inside, 1, __ATOMIC_ACQ_REL);
	start = ticks;
	while (__atomic_load_n(&s->inside, __ATOMIC_ACQUIRE) < 2 &&
	    ticks - start < 20 * hz)
		continue;
	if (__atomic_load_n(&s->inside, __ATOMIC_ACQUIRE) >= 2)
		__atomic_fetch_add(&s->both, 1, __ATOMIC_ACQ_REL);
	if (s->use_sx)
		sx_sunlock(&s->sx);
	else
		rw_runlock(&s->rw);
}

int
kt_Rwlock_ReadersShareTheLock(void)
{
	struct shared s = { .use_sx = 0 };

	KT_BEGIN();
	rw_init(&s.rw, "kt_rw_shared");
	kt_run(2, reader_thread, &s);
	KT_CHECK(s.both == 2);
	rw_destroy(&s.rw);
	KT_END();
}

struct excl {
	struct rwlock	rw;
	int		held;
	int		tried;
	int		got;
};

static void
excl_thread(void *arg, int idx)
{
	struct excl *e = arg;

	if (idx == 0) {
		rw_wlock(&e->rw);
		__atomic_store_n(&e->held, 1, __ATOMIC_RELEASE);
		KT_EXPECT(kt_spin_flag(&e->tried, 1, 20 * hz));
		rw_wunlock(&e->rw);
		return;
	}
	KT_EXPECT(kt_wait_flag(&e->held, 1, 20 * hz));
	KT_EXPECT(!rw_try_rlock(&e->rw));
	KT_EXPECT(!rw_try_wlock(&e->rw));
	__atomic_store_n(&e->tried, 1, __ATOMIC_RELEASE);
	rw_rlock(&e->rw);	/* blocks until the writer is gone */
	rw_assert(&e->rw, RA_RLOCKED);
	e->got = 1;
	rw_runlock(&e->rw);
}

int
kt_Rwlock_WriterExcludesReaders(void)
{
	struct excl e = { 0 };

	KT_BEGIN();
	rw_init(&e.rw, "kt_rw_excl");
	kt_run(2, excl_thread, &e);
	KT_CHECK(e.got == 1);
	rw_destroy(&e.rw);
	KT_END();
}

struct updown {
	struct rwlock	rw;
	int		step;
};

static void
updown_thread(void *arg, int idx)
{
	struct updown *u = arg;

	if (idx == 0) {
		rw_rlock(&u->rw);
		KT_EXPECT(rw_try_upgrade(&u->rw));	/* the only reader */
		KT_EXPECT(rw_wowned(&u->rw));
		rw_downgrade(&u->rw);
		KT_EXPECT(!rw_wowned(&u->rw));
		rw_assert(&u->rw, RA_RLOCKED);
		__atomic_store_n(&u->step, 1, __ATOMIC_RELEASE);
		/* The other thread joins as a reader: no upgrade now. */
		KT_EXPECT(kt_spin_flag(&u->step, 2, 20 * hz));
		KT_EXPECT(!rw_try_upgrade(&u->rw));
		__atomic_store_n(&u->step, 3, __ATOMIC_RELEASE);
		rw_runlock(&u->rw);
		return;
	}
	KT_EXPECT(kt_wait_flag(&u->step, 1, 20 * hz));
	rw_rlock(&u->rw);		/* succeeds: downgraded to shared */
	__atomic_store_n(&u->step, 2, __ATOMIC_RELEASE);
	KT_EXPECT(kt_spin_flag(&u->step, 3, 20 * hz));
	rw_runlock(&u->rw);
}

int
kt_Rwlock_UpgradeDowngrade(void)
{
	struct updown u = { .step = 0 };

	KT_BEGIN();
	rw_init(&u.rw, "kt_rw_updown");
	kt_run(2, updown_thread, &u);
	rw_wlock(&u.rw);
	rw_assert(&u.rw, RA_WLOCKED);
	rw_wunlock(&u.rw);
	rw_destroy(&u.rw);
	KT_END();
}

int
kt_Sx_SleepWithSxInterlock(void)
{
	struct sx sx;
	int chan;

	KT_BEGIN();
	sx_init(&sx, "kt_sx_sleep");
	sx_xlock(&sx);
	KT_CHECK(sx_sleep(&chan, &sx, 0, "sxsleep", 2) == EWOULDBLOCK);
	KT_CHECK(sx_xlocked(&sx));
	/* An sx lock may be held across a plain sleep. */
	KT_CHECK(tsleep(&chan, 0, "sxheld", 1) == EWOULDBLOCK);
	sx_xunlock(&sx);
	sx_slock(&sx);
	KT_CHECK(sx_sleep(&chan, &sx, PDROP, "sxdrop", 1) == EWOULDBLOCK);
	KT_CHECK(sx_try_xlock(&sx));
	sx_xunlock(&sx);
	sx_destroy(&sx);
	KT_END();
}

int
kt_Sx_SharedAndExclusive(void)
{
	struct shared s = { .use_sx = 1 };

	KT_BEGIN();
	sx_init(&s.sx, "kt_sx_shared");
	kt_run(2, reader_thread, &s);
	KT_CHECK(s.both == 2);
	sx_slock(&s.sx);
	KT_CHECK(sx_try_upgrade(&s.sx));
	sx_assert(&s.sx, SA_XLOCKED);
	sx_downgrade(&s.sx);
	sx_assert(&s.sx, SA_SLOCKED);
	sx_sunlock(&s.sx);
	sx_destroy(&s.sx);
	KT_END();
}

struct cvtest {
	struct mtx	mtx;
	struct cv	cv;
	int		go;
	int		woken;
};

static void
cv_sleeper(void *arg, int idx)
{
	struct cvtest *t = arg;

	if (idx == 3) {
		KT_EXPECT(kt_wait_sleepers(&t->cv, 3));
		mtx_lock(&t->mtx);
		t->go = 1;
		cv_signal(&t->cv);
		KT_EXPECT(sleepq_waiters(&t->cv) == 2);
		cv_broadcast(&t->cv);
		KT_EXPECT(sleepq_waiters(&t->cv) == 0);
		mtx_unlock(&t->mtx);
		return;
	}
	mtx_lock(&t->mtx);
	while (!t->go)
		cv_wait(&t->cv, &t->mtx);
	t->woken++;
	mtx_unlock(&t->mtx);
}

int
kt_Condvar_SignalAndBroadcast(void)
{
	struct cvtest t = { .go = 0 };

	KT_BEGIN();
	mtx_init(&t.mtx, "kt_cv", NULL, MTX_DEF);
	cv_init(&t.cv, "kt_cv");
	kt_run(4, cv_sleeper, &t);
	KT_CHECK(t.woken == 3);
	mtx_lock(&t.mtx);
	KT_CHECK(cv_timedwait(&t.cv, &t.mtx, 2) == EWOULDBLOCK);
	KT_CHECK(mtx_owned(&t.mtx));
	mtx_unlock(&t.mtx);
	cv_destroy(&t.cv);
	mtx_destroy(&t.mtx);
	KT_END();
}

#define	QSIZE	8
#define	NITEMS	4000

struct bq {
	struct mtx	mtx;
	struct cv	notempty;
	struct cv	notfull;
	int		items[QSIZE];
	int		head, count;
	long		sum;
};

static void
bq_thread(void *arg, int idx)
{
	struct bq *q = arg;

	mtx_lock(&q->mtx);
	for (int i = 1; i <= NITEMS; i++) {
		if (idx == 0) {
			while (q->count == QSIZE)
				cv_wait(&q->notfull, &q->mtx);
			q->items[(q->head + q->count++) % QSIZE] = i;
			cv_signal(&q->notempty);
		} else {
			while (q->count == 0)
				cv_wait(&q->notempty, &q->mtx);
			q->sum += q->items[q->head];
			q->head = (q->head + 1) % QSIZE;
			q->count--;
			cv_signal(&q->notfull);
		}
	}
	mtx_unlock(&q->mtx);
}

int
kt_Condvar_ProducerConsumer(void)
{
	struct bq q = { .head = 0 };

	KT_BEGIN();
	mtx_init(&q.mtx, "kt_bq", NULL, MTX_DEF);
	cv_init(&q.notempty, "notempty");
	cv_init(&q.notfull, "notfull");
	kt_run(2, bq_thread, &q);
	KT_CHECK(q.sum == (long)NITEMS * (NITEMS + 1) / 2);
	KT_CHECK(q.count == 0);
	cv_destroy(&q.notempty);
	cv_destroy(&q.notfull);
	mtx_destroy(&q.mtx);
	KT_END();
}
