/*
 * scen_death.c - misuse of the kernel APIs; each function must panic with
 * a message naming the lock (or level), the file and the line.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/rwlock.h>
#include <sys/sx.h>
#include <sys/malloc.h>
#include <sys/refcount.h>
#include <sys/callout.h>
#include <sys/kthread.h>
#include <net/vnet.h>
#include "kt_util.h"

void
kt_death_SplxNeverRaised(void)
{
	splx(0x5a000700);
}

void
kt_death_SplxNotACookie(void)
{
	splx(7);
}

void
kt_death_SplxOutOfOrder(void)
{
	int s1 = splnet();
	int s2 = splimp();

	(void)s2;
	splx(s1);
}

void
kt_death_SplassertNotRaised(void)
{
	splassert(IPL_NET);
}

void
kt_death_MtxUnlockNotHeld(void)
{
	static struct mtx m;

	mtx_init(&m, "kt_unheld", NULL, MTX_DEF);
	mtx_unlock(&m);
}

static struct mtx other_mtx;
static int other_locked;

static void
other_locker(void *arg)
{
	mtx_lock(&other_mtx);
	__atomic_store_n(&other_locked, 1, __ATOMIC_RELEASE);
	for (;;)
		pause("hold", hz);
}

void
kt_death_MtxUnlockOtherThread(void)
{
	mtx_init(&other_mtx, "kt_other", NULL, MTX_DEF);
	kthread_add(other_locker, NULL, NULL, NULL, 0, 0, "locker");
	while (!__atomic_load_n(&other_locked, __ATOMIC_ACQUIRE))
		pause("wait", 1);
	mtx_unlock(&other_mtx);
}

void
kt_death_MtxRecurseNonRecursive(void)
{
	static struct mtx m;

	mtx_init(&m, "kt_norecurse", NULL, MTX_DEF);
	mtx_lock(&m);
	mtx_lock(&m);
}

void
kt_death_MtxDestroyHeld(void)
{
	static struct mtx m;

	mtx_init(&m, "kt_held", NULL, MTX_DEF);
	mtx_lock(&m);
	mtx_destroy(&m);
}

void
kt_death_MtxAssertNotOwned(void)
{
	static struct mtx m;

	mtx_init(&m, "kt_assert", NULL, MTX_DEF);
	mtx_assert(&m, MA_OWNED);
}

void
kt_death_MtxLockSpinAsSleep(void)
{
	static struct mtx m;

	mtx_init(&m, "kt_spin", NULL, MTX_SPIN);
	mtx_lock(&m);
}

void
kt_death_MsleepSpinInterlock(void)
{
	static struct mtx m;
	int chan;

	mtx_init(&m, "kt_spin", NULL, MTX_SPIN);
	mtx_lock_spin(&m);
	msleep(&chan, &m, 0, "kt_wait", 1);
}

void
kt_death_MsleepInterlockNotHeld(void)
{
	static struct mtx m;
	int chan;

	mtx_init(&m, "kt_notheld", NULL, MTX_DEF);
	msleep(&chan, &m, 0, "kt_wait", 1);
}

void
kt_death_RwDestroyHeld(void)
{
	static struct rwlock rw;

	rw_init(&rw, "kt_rw");
	rw_rlock(&rw);
	rw_destroy(&rw);
}

void
kt_death_RwWunlockNotHeld(void)
{
	static struct rwlock rw;

	rw_init(&rw, "kt_rw");
	rw_wunlock(&rw);
}

void
kt_death_SxRecurse(void)
{
	static struct sx sx;

	sx_init(&sx, "kt_sx");
	sx_xlock(&sx);
	sx_xlock(&sx);
}

VNET_DEFINE_STATIC(int, kt_vnet_value);

void
kt_death_VnetWithoutCurvnet(void)
{
	CURVNET_SET(NULL);
	VNET(kt_vnet_value) = 1;
	CURVNET_RESTORE();
}

MALLOC_DEFINE(M_KTA, "kt_type_a", "death test type a");
MALLOC_DEFINE(M_KTB, "kt_type_b", "death test type b");

void
kt_death_FreeWrongType(void)
{
	void *p = malloc(10, M_KTA, M_WAITOK);

	free(p, M_KTB);
}

void
kt_death_RefcountUnderflow(void)
{
	volatile u_int cnt;

	refcount_init(&cnt, 0);
	refcount_release(&cnt);
}

static void
kt_nop(void *arg)
{
}

void
kt_death_CalloutResetWithoutLock(void)
{
	static struct mtx m;
	static struct callout c;

	mtx_init(&m, "kt_co", NULL, MTX_DEF);
	callout_init_mtx(&c, &m, 0);
	callout_reset(&c, 10, kt_nop, NULL);
}
