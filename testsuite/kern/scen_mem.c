/*
 * scen_mem.c - the zone allocator, malloc(9), VNET, threads and misc.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/malloc.h>
#include <sys/proc.h>
#include <sys/kthread.h>
#include <sys/interrupt.h>
#include <sys/queue.h>
#include <sys/uio.h>
#include <net/vnet.h>
#include <vm/uma.h>
#include "kt_util.h"

struct item {
	int	owner;
	int	serial;
	char	pad[40];
};

struct ztest {
	uma_zone_t	zone;
	int		ctors, dtors, inits, finis;
};

static int
z_ctor(void *mem, int size, void *arg, int flags)
{
	struct ztest *zt = arg;

	if (zt != NULL)
		__atomic_fetch_add(&zt->ctors, 1, __ATOMIC_RELAXED);
	((struct item *)mem)->owner = -1;
	return (0);
}

static void
z_dtor(void *mem, int size, void *arg)
{
	struct ztest *zt = arg;

	if (zt != NULL)
		__atomic_fetch_add(&zt->dtors, 1, __ATOMIC_RELAXED);
}

static struct ztest *z_current;

static int
z_init(void *mem, int size, int flags)
{
	__atomic_fetch_add(&z_current->inits, 1, __ATOMIC_RELAXED);
	return (0);
}

static void
z_fini(void *mem, int size)
{
	__atomic_fetch_add(&z_current->finis, 1, __ATOMIC_RELAXED);
}

#define	ZBATCH	64

/* Each thread stamps its items and checks nobody else got them. */
static void
zone_thread(void *arg, int idx)
{
	struct ztest *zt = arg;
	struct item *it[ZBATCH];

	for (int round = 0; round < 300; round++) {
		for (int i = 0; i < ZBATCH; i++) {
			it[i] = uma_zalloc_arg(zt->zone, zt, M_WAITOK);
			KT_EXPECT(it[i]->owner == -1);
			it[i]->owner = idx;
			it[i]->serial = round * ZBATCH + i;
		}
		for (int i = 0; i < ZBATCH; i++) {
			KT_EXPECT(it[i]->owner == idx &&
			    it[i]->serial == round * ZBATCH + i);
			uma_zfree_arg(zt->zone, it[i], zt);
		}
	}
}

int
kt_Zone_ConcurrentAllocFree(void)
{
	struct ztest zt = { 0 };

	KT_BEGIN();
	zt.zone = uma_zcreate("kt_items", sizeof(struct item), z_ctor, z_dtor,
	    NULL, NULL, UMA_ALIGN_PTR, 0);
	kt_run(4, zone_thread, &zt);
	KT_CHECK(uma_zone_get_cur(zt.zone) == 0);
	KT_CHECK(zt.ctors == 4 * 300 * ZBATCH);
	KT_CHECK(zt.dtors == zt.ctors);
	uma_zdestroy(zt.zone);
	KT_END();
}

struct zmax {
	uma_zone_t	 zone;
	void		*held[4];
	int		 waiting;
	int		 got;
};

static void
zmax_thread(void *arg, int idx)
{
	struct zmax *z = arg;
	void *p;

	if (idx == 0) {
		__atomic_store_n(&z->waiting, 1, __ATOMIC_RELEASE);
		p = uma_zalloc(z->zone, M_WAITOK);	/* blocks: at max */
		KT_EXPECT(p != NULL);
		__atomic_store_n(&z->got, 1, __ATOMIC_RELEASE);
		uma_zfree(z->zone, p);
		return;
	}
	KT_EXPECT(kt_wait_flag(&z->waiting, 1, 20 * hz));
	pause("zmax", 20);
	KT_EXPECT(__atomic_load_n(&z->got, __ATOMIC_ACQUIRE) == 0);
	uma_zfree(z->zone, z->held[0]);
	KT_EXPECT(kt_wait_flag(&z->got, 1, 20 * hz));
}

int
kt_Zone_MaxLimitAndWait(void)
{
	struct zmax z = { 0 };

	KT_BEGIN();
	z.zone = uma_zcreate("kt_max", 32, NULL, NULL, NULL, NULL,
	    UMA_ALIGN_PTR, 0);
	uma_zone_set_max(z.zone, 4);
	KT_CHECK(uma_zone_get_max(z.zone) == 4);
	for (int i = 0; i < 4; i++)
		KT_CHECK((z.held[i] = uma_zalloc(z.zone, M_NOWAIT)) != NULL);
	KT_CHECK(uma_zalloc(z.zone, M_NOWAIT) == NULL);
	kt_run(2, zmax_thread, &z);
	for (int i = 1; i < 4; i++)
		uma_zfree(z.zone, z.held[i]);
	KT_CHECK(uma_zone_get_cur(z.zone) == 0);
	uma_zdestroy(z.zone);
	KT_END();
}

int
kt_Zone_InitFiniCtorDtor(void)
{
	struct ztest zt = { 0 };
	struct item *a, *b;

	KT_BEGIN();
	z_current = &zt;
	zt.zone = uma_zcreate("kt_init", sizeof(struct item), z_ctor, z_dtor,
	    z_init, z_fini, UMA_ALIGN_PTR, 0);
	a = uma_zalloc_arg(zt.zone, &zt, M_WAITOK);
	b = uma_zalloc_arg(zt.zone, &zt, M_WAITOK | M_ZERO);
	KT_CHECK(zt.inits == 2 && zt.ctors == 2);
	KT_CHECK(b->serial == 0 && b->owner == -1);
	uma_zfree_arg(zt.zone, a, &zt);
	a = uma_zalloc_arg(zt.zone, &zt, M_WAITOK);
	KT_CHECK(zt.inits == 2);	/* reused: no second init */
	KT_CHECK(zt.ctors == 3 && zt.dtors == 1);
	uma_zfree_arg(zt.zone, a, &zt);
	uma_zfree_arg(zt.zone, b, &zt);
	KT_CHECK(zt.finis == 0);
	uma_zdestroy(zt.zone);
	KT_CHECK(zt.finis == 2);
	z_current = NULL;
	KT_END();
}

MALLOC_DEFINE(M_KTTEST, "kt_test", "kern test allocations");

int
kt_Malloc_TypeStatistics(void)
{
	char *p, *q;

	KT_BEGIN();
	KT_CHECK(malloc_type_inuse(M_KTTEST) == 0);
	p = malloc(100, M_KTTEST, M_WAITOK | M_ZERO);
	KT_CHECK(p != NULL);
	for (int i = 0; i < 100; i++)
		KT_CHECK(p[i] == 0);
	q = malloc(50, M_KTTEST, M_NOWAIT);
	KT_CHECK(malloc_type_inuse(M_KTTEST) == 150);
	KT_CHECK(malloc_type_allocs(M_KTTEST) == 2);
	memset(p, 'a', 100);
	p = realloc(p, 300, M_KTTEST, M_WAITOK | M_ZERO);
	KT_CHECK(p[0] == 'a' && p[99] == 'a' && p[100] == 0 && p[299] == 0);
	KT_CHECK(malloc_type_inuse(M_KTTEST) == 350);
	free(p, M_KTTEST);
	free(q, M_KTTEST);
	free(NULL, M_KTTEST);
	KT_CHECK(malloc_type_inuse(M_KTTEST) == 0);
	KT_CHECK(malloc_type_allocs(M_KTTEST) == 0);
	KT_END();
}

VNET_DEFINE(int, kt_vnet_counter) = 7;
VNET_DEFINE(char, kt_vnet_name[16]);
#define	V_kt_vnet_counter	VNET(kt_vnet_counter)
#define	V_kt_vnet_name		VNET(kt_vnet_name)

int
kt_Vnet_InstancesHaveSeparateCopies(void)
{
	struct vnet *a, *b, *v;
	int seen = 0;

	KT_BEGIN();
	a = vnet_alloc();
	b = vnet_alloc();
	KT_CHECK(a != b && a->vnet_id != b->vnet_id);
	{
		CURVNET_SET(a);
		KT_CHECK(V_kt_vnet_counter == 7);	/* the initial value */
		V_kt_vnet_counter = 100;
		strlcpy(V_kt_vnet_name, "alpha", sizeof(V_kt_vnet_name));
		CURVNET_RESTORE();
	}
	{
		CURVNET_SET(b);
		KT_CHECK(V_kt_vnet_counter == 7);
		V_kt_vnet_counter += 1;
		strlcpy(V_kt_vnet_name, "beta", sizeof(V_kt_vnet_name));
		CURVNET_RESTORE();
	}
	KT_CHECK(VNET_VNET(a, kt_vnet_counter) == 100);
	KT_CHECK(VNET_VNET(b, kt_vnet_counter) == 8);
	KT_CHECK(strcmp(VNET_VNET(a, kt_vnet_name), "alpha") == 0);
	KT_CHECK(strcmp(VNET_VNET(b, kt_vnet_name), "beta") == 0);
	KT_CHECK(VNET_NAME(kt_vnet_counter) == 7);	/* master untouched */
	VNET_LIST_RLOCK();
	VNET_FOREACH(v) {
		if (v == a || v == b)
			seen++;
	}
	VNET_LIST_RUNLOCK();
	KT_CHECK(seen == 2);
	vnet_destroy(a);
	vnet_destroy(b);
	KT_END();
}

static void
vnet_thread(void *arg, int idx)
{
	int *out = arg;

	/* Inherited from the creating thread. */
	out[idx] = V_kt_vnet_counter;
	V_kt_vnet_counter += idx + 1;
}

int
kt_Vnet_KthreadInheritsCurvnet(void)
{
	struct vnet *a;
	int out[2] = { 0, 0 };

	KT_BEGIN();
	a = vnet_alloc();
	CURVNET_SET(a);
	V_kt_vnet_counter = 40;
	kt_run(1, vnet_thread, out);
	KT_CHECK(out[0] == 40);
	KT_CHECK(V_kt_vnet_counter == 41);
	CURVNET_RESTORE();
	vnet_destroy(a);
	KT_END();
}

struct intr {
	struct mtx	mtx;
	int		runs;
	int		with_giant;
};

static void
intr_handler(void *arg)
{
	struct intr *in = arg;

	mtx_lock(&in->mtx);
	in->runs++;
	in->with_giant += mtx_owned(&Giant);
	wakeup(in);
	mtx_unlock(&in->mtx);
}

static int
intr_wait(struct intr *in, int runs)
{
	int ok = 1;

	mtx_lock(&in->mtx);
	while (in->runs < runs && ok)
		ok = msleep(in, &in->mtx, 0, "kti", 30 * hz) == 0;
	mtx_unlock(&in->mtx);
	return (ok);
}

int
kt_Thread_IthreadGiantUnlessMpsafe(void)
{
	struct intr legacy = { .runs = 0 }, mpsafe = { .runs = 0 };
	struct ithread *a, *b;

	KT_BEGIN();
	mtx_init(&legacy.mtx, "kt_intr_legacy", NULL, MTX_DEF);
	mtx_init(&mpsafe.mtx, "kt_intr_mpsafe", NULL, MTX_DEF);
	a = ithread_create("kt_legacy", intr_handler, &legacy, INTR_TYPE_NET);
	b = ithread_create("kt_mpsafe", intr_handler, &mpsafe,
	    INTR_TYPE_NET | INTR_MPSAFE);
	KT_CHECK(a != NULL && b != NULL);
	ithread_schedule(a);
	ithread_schedule(b);
	KT_CHECK(intr_wait(&legacy, 1) && intr_wait(&mpsafe, 1));
	ithread_schedule(a);
	KT_CHECK(intr_wait(&legacy, 2));
	ithread_destroy(a);
	ithread_destroy(b);
	KT_CHECK(legacy.with_giant == legacy.runs && legacy.runs == 2);
	KT_CHECK(mpsafe.with_giant == 0 && mpsafe.runs == 1);
	mtx_destroy(&legacy.mtx);
	mtx_destroy(&mpsafe.mtx);
	KT_END();
}

static void
name_thread(void *arg, int idx)
{
	int *tids = arg;

	tids[idx] = curthread->td_tid;
	KT_EXPECT(strcmp(curthread->td_name, idx ? "kt1" : "kt0") == 0);
	KT_EXPECT(curthread->td_flags & TDF_KTHREAD);
}

int
kt_Thread_ApplicationThreadGetsStructThread(void)
{
	struct thread *td = curthread;
	int kids[2];

	KT_BEGIN();
	KT_CHECK(td != NULL && td == curthread);
	KT_CHECK(td->td_proc == &proc0);
	KT_CHECK((td->td_flags & TDF_KTHREAD) == 0);
	kt_run(2, name_thread, kids);
		/* Thread structs may be reused once freed; thread ids are not. */
	KT_CHECK(kids[0] != td->td_tid && kids[1] != td->td_tid &&
	    kids[0] != kids[1]);
	KT_END();
}

LIST_HEAD(kt_hhead, kt_hent);
struct kt_hent {
	LIST_ENTRY(kt_hent) link;
};

int
kt_Subr_HashinitUiomoveStrlcpy(void)
{
	struct kt_hhead *tbl;
	struct kt_hent e;
	u_long mask;
	char a[] = "hello, ", b[] = "world", out[16], small[4];
	struct iovec iov[2] = { { a, 7 }, { b, 5 } };
	struct uio uio = { iov, 2, 0, 12, UIO_SYSSPACE, UIO_WRITE, NULL };

	KT_BEGIN();
	tbl = hashinit(100, M_TEMP, &mask);
	KT_CHECK(mask == 63);
	LIST_INSERT_HEAD(&tbl[5], &e, link);
	KT_CHECK(LIST_FIRST(&tbl[5]) == &e);
	LIST_REMOVE(&e, link);
	hashdestroy(tbl, M_TEMP, mask);
	KT_CHECK(uiomove(out, 12, &uio) == 0);
	KT_CHECK(memcmp(out, "hello, world", 12) == 0 && uio.uio_resid == 0);
	KT_CHECK(strlcpy(small, "abcdef", sizeof(small)) == 6);
	KT_CHECK(strcmp(small, "abc") == 0);
	KT_END();
}
