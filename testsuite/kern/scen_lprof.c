/*
 * scen_lprof.c - the workload of the lock profiling tests
 * (kern_lock_profile_test.cc), run in a child process whose profile the
 * test reads back.
 *
 * Every lock site the test looks for is a one-line function, followed on
 * the same line by the constant that names its line: the profile must
 * report exactly that file:line.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/rwlock.h>
#include <sys/sx.h>
#include "kt_util.h"

static void hot_lock(struct mtx *m) { mtx_lock(m); } const int kt_lprof_hot_line = __LINE__;
static void cold_lock(struct mtx *m) { mtx_lock(m); } const int kt_lprof_cold_line = __LINE__;
static int cold_trylock(struct mtx *m) { return (mtx_trylock(m)); } const int kt_lprof_trylock_line = __LINE__;
static void rw_holder(struct rwlock *rw) { rw_wlock(rw); } const int kt_lprof_rw_holder_line = __LINE__;
static void rw_reader(struct rwlock *rw) { rw_rlock(rw); } const int kt_lprof_rw_reader_line = __LINE__;
static void sx_holder(struct sx *sx) { sx_xlock(sx); } const int kt_lprof_sx_holder_line = __LINE__;
static void sx_waiter(struct sx *sx) { sx_xlock(sx); } const int kt_lprof_sx_waiter_line = __LINE__;

/* Rounds in which thread 1 goes for the locks thread 0 holds a while. */
#define	ROUNDS		KT_LPROF_ROUNDS
#define	HOLD_TICKS	10

struct lprof_work {
	struct mtx	 hot;
	struct rwlock	 rw;
	struct sx	 sx;
	volatile int	 step;		/* the handshake of a round */
	volatile int	 never;		/* stays 0: a delay that spins */
};

const char *
kt_lprof_file(void)
{
	return (__FILE__);
}

/*
 * Thread 0 takes the lock and holds it while thread 1, told so, goes for
 * it: thread 1 must find it taken and wait.
 */
static void
step_to(struct lprof_work *w, int step)
{
	__atomic_store_n(&w->step, step, __ATOMIC_RELEASE);
}

static void
contend_thread(void *arg, int idx)
{
	struct lprof_work *w = arg;

	for (int r = 0; r < ROUNDS; r++) {
		int base = r * 10;

		if (idx == 0) {
			/* The sleepable lock first (witness). */
			sx_holder(&w->sx);
			hot_lock(&w->hot);
			rw_holder(&w->rw);
			step_to(w, base + 1);
			KT_EXPECT(kt_spin_flag(&w->step, base + 2, 20 * hz));
			/* Thread 1 is on its way into the locks. */
			(void)kt_spin_flag(&w->never, 1, HOLD_TICKS);
			mtx_unlock(&w->hot);
			(void)kt_spin_flag(&w->never, 1, HOLD_TICKS);
			rw_wunlock(&w->rw);
			(void)kt_spin_flag(&w->never, 1, HOLD_TICKS);
			sx_xunlock(&w->sx);
			KT_EXPECT(kt_spin_flag(&w->step, base + 3, 20 * hz));
		} else {
			KT_EXPECT(kt_spin_flag(&w->step, base + 1, 20 * hz));
			step_to(w, base + 2);
			hot_lock(&w->hot);
			mtx_unlock(&w->hot);
			rw_reader(&w->rw);
			rw_runlock(&w->rw);
			sx_waiter(&w->sx);
			sx_xunlock(&w->sx);
			step_to(w, base + 3);
		}
	}
}

static void
hammer_thread(void *arg, int idx)
{
	struct lprof_work *w = arg;

	for (int n = 0; n < KT_LPROF_NITER; n++) {
		hot_lock(&w->hot);
		mtx_unlock(&w->hot);
	}
}

int
kt_lprof_workload(void)
{
	struct lprof_work w;
	struct mtx cold;

	KT_BEGIN();
	memset(&w, 0, sizeof(w));
	mtx_init(&w.hot, "kt_lprof_hot", NULL, MTX_DEF);
	rw_init(&w.rw, "kt_lprof_rw");
	sx_init(&w.sx, "kt_lprof_sx");
	mtx_init(&cold, "kt_lprof_cold", NULL, MTX_DEF);

	kt_run(2, contend_thread, &w);
	kt_run(2, hammer_thread, &w);
	for (int n = 0; n < KT_LPROF_NCOLD; n++) {
		cold_lock(&cold);
		mtx_unlock(&cold);
	}
	for (int n = 0; n < KT_LPROF_NTRY; n++) {
		KT_CHECK(cold_trylock(&cold));
		mtx_unlock(&cold);
	}

	mtx_destroy(&cold);
	sx_destroy(&w.sx);
	rw_destroy(&w.rw);
	mtx_destroy(&w.hot);
	KT_END();
}
