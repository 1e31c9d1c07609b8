/*
 * kern_mutex.c - mutex(9) and Giant.
 *
 * A mutex is a host pthread mutex plus an owner word and a recursion
 * count.  The owner is stored atomically so that mtx_owned() and the
 * misuse checks can read it from any thread.  With lock profiling on
 * (subr_lock_profile.c), each acquisition is counted at its call site.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/proc.h>
#include <machine/host.h>

#include "kern_internal.h"
#include "subr_lock_profile.h"

struct mtx Giant;

static void __attribute__((__constructor__(102)))
giant_sysinit(void)
{
	mtx_init(&Giant, "Giant", NULL, MTX_DEF | MTX_RECURSE);
	Giant.lock_object.lo_flags |= LO_GIANT;
}

static __inline struct thread *
mtx_owner(const struct mtx *m)
{
	return ((struct thread *)__atomic_load_n(&m->mtx_lock,
	    __ATOMIC_RELAXED));
}

static __inline int
mtx_is_spin(const struct mtx *m)
{
	return ((m->lock_object.lo_flags & LO_CLASSMASK) ==
	    LOCK_CLASS_MTX_SPIN);
}

static void
mtx_check_init(const struct mtx *m, const char *op, const char *file,
    int line)
{
	if ((m->lock_object.lo_flags & LO_INITIALIZED) == 0)
		panic("%s: mutex %p is not initialized (or destroyed) @ %s:%d",
		    op, (const void *)m, file, line);
}

void
_mtx_init(struct mtx *m, const char *name, const char *type, int opts)
{
	u_int flags = 0;

	if (opts & MTX_RECURSE)
		flags |= LO_RECURSABLE;
	if (opts & MTX_DUPOK)
		flags |= LO_DUPOK;
	if (opts & MTX_NOWITNESS)
		flags |= LO_NOWITNESS;
	__atomic_store_n(&m->mtx_lock, 0, __ATOMIC_RELAXED);
	m->mtx_recurse = 0;
	host_mutex_init(&m->mtx_host);
	lock_init(&m->lock_object, (opts & MTX_SPIN) ? LOCK_CLASS_MTX_SPIN :
	    LOCK_CLASS_MTX_SLEEP, name, type, flags);
}

void
_mtx_destroy(struct mtx *m, const char *file, int line)
{
	struct thread *owner;

	mtx_check_init(m, "mtx_destroy", file, line);
	owner = mtx_owner(m);
	if (owner != NULL)
		panic("mtx_destroy: mutex \"%s\" is held (by %s) @ %s:%d",
		    m->lock_object.lo_name, owner == curthread ?
		    "this thread" : "another thread", file, line);
	lock_destroy(&m->lock_object, file, line);
	host_mutex_destroy(&m->mtx_host);
}

static void
mtx_lock_common(struct mtx *m, int opts, const char *op, const char *file,
    int line)
{
	struct thread *td = curthread;

	if (mtx_owner(m) == td) {
		if ((m->lock_object.lo_flags & LO_RECURSABLE) == 0)
			panic("%s: recursed on non-recursive mutex \"%s\" "
			    "@ %s:%d", op, m->lock_object.lo_name, file, line);
		WITNESS_CHECKORDER(&m->lock_object, WITNESS_OPS_EXCLUSIVE,
		    file, line);
		m->mtx_recurse++;
		td->td_locks++;
		WITNESS_LOCK(&m->lock_object, WITNESS_OPS_EXCLUSIVE, file,
		    line);
		return;
	}
	WITNESS_CHECKORDER(&m->lock_object, WITNESS_OPS_EXCLUSIVE, file, line);
	if (__predict_false(lock_profiling))
		lock_profile_host_lock(&m->lock_object, &m->mtx_host, file,
		    line);
	else
		host_mutex_lock(&m->mtx_host);
	__atomic_store_n(&m->mtx_lock, (uintptr_t)td, __ATOMIC_RELAXED);
	td->td_locks++;
	WITNESS_LOCK(&m->lock_object, WITNESS_OPS_EXCLUSIVE, file, line);
}

static void
mtx_unlock_common(struct mtx *m, const char *op, const char *file, int line)
{
	struct thread *owner = mtx_owner(m);

	if (owner != curthread)
		panic("%s: mutex \"%s\" not owned by this thread (%s) @ %s:%d",
		    op, m->lock_object.lo_name, owner == NULL ? "unlocked" :
		    "owned by another thread", file, line);
	WITNESS_UNLOCK(&m->lock_object, WITNESS_OPS_EXCLUSIVE, file, line);
	owner->td_locks--;
	if (m->mtx_recurse > 0) {
		m->mtx_recurse--;
		return;
	}
	__atomic_store_n(&m->mtx_lock, 0, __ATOMIC_RELAXED);
	host_mutex_unlock(&m->mtx_host);
	/* The threads it woke may run now (kern_synch.c). */
	if (owner->td_locks == 0 && owner->td_wakedefer == 0 &&
	    owner->td_nwakeq > 0)
		kern_wake_flush(owner);
}

void
_mtx_lock_flags(struct mtx *m, int opts, const char *file, int line)
{
	mtx_check_init(m, "mtx_lock", file, line);
	if (mtx_is_spin(m))
		panic("mtx_lock: spin mutex \"%s\" locked as a sleep mutex "
		    "@ %s:%d", m->lock_object.lo_name, file, line);
	mtx_lock_common(m, opts, "mtx_lock", file, line);
}

void
_mtx_unlock_flags(struct mtx *m, int opts, const char *file, int line)
{
	mtx_check_init(m, "mtx_unlock", file, line);
	if (mtx_is_spin(m))
		panic("mtx_unlock: spin mutex \"%s\" unlocked as a sleep mutex "
		    "@ %s:%d", m->lock_object.lo_name, file, line);
	mtx_unlock_common(m, "mtx_unlock", file, line);
}

void
_mtx_lock_spin_flags(struct mtx *m, int opts, const char *file, int line)
{
	mtx_check_init(m, "mtx_lock_spin", file, line);
	if (!mtx_is_spin(m))
		panic("mtx_lock_spin: sleep mutex \"%s\" locked as a spin "
		    "mutex @ %s:%d", m->lock_object.lo_name, file, line);
	mtx_lock_common(m, opts, "mtx_lock_spin", file, line);
	curthread->td_critnest++;
}

void
_mtx_unlock_spin_flags(struct mtx *m, int opts, const char *file, int line)
{
	mtx_check_init(m, "mtx_unlock_spin", file, line);
	if (!mtx_is_spin(m))
		panic("mtx_unlock_spin: sleep mutex \"%s\" unlocked as a spin "
		    "mutex @ %s:%d", m->lock_object.lo_name, file, line);
	mtx_unlock_common(m, "mtx_unlock_spin", file, line);
	curthread->td_critnest--;
}

int
_mtx_trylock_flags(struct mtx *m, int opts, const char *file, int line)
{
	struct thread *td = curthread;

	mtx_check_init(m, "mtx_trylock", file, line);
	if (mtx_owner(m) == td) {
		if ((m->lock_object.lo_flags & LO_RECURSABLE) == 0)
			return (0);
		m->mtx_recurse++;
	} else {
		if (!host_mutex_trylock(&m->mtx_host))
			return (0);
		__atomic_store_n(&m->mtx_lock, (uintptr_t)td,
		    __ATOMIC_RELAXED);
		if (__predict_false(lock_profiling))
			lock_profile_obtain(&m->lock_object, file, line, 0);
	}
	td->td_locks++;
	WITNESS_LOCK(&m->lock_object, WITNESS_OPS_EXCLUSIVE | WITNESS_OPS_TRY,
	    file, line);
	if (mtx_is_spin(m))
		td->td_critnest++;
	return (1);
}

int
_mtx_owned(const struct mtx *m)
{
	return (mtx_owner(m) == curthread);
}

void
_mtx_assert(const struct mtx *m, int what, const char *file, int line)
{
	const char *name = m->lock_object.lo_name;
	int owned = mtx_owner(m) == curthread;

	mtx_check_init(m, "mtx_assert", file, line);
	if (what & MA_NOTOWNED) {
		if (owned)
			panic("mutex \"%s\" owned at %s:%d", name, file, line);
		return;
	}
	if (!owned)
		panic("mutex \"%s\" not owned at %s:%d", name, file, line);
	if ((what & MA_RECURSED) && m->mtx_recurse == 0)
		panic("mutex \"%s\" not recursed at %s:%d", name, file, line);
	if ((what & MA_NOTRECURSED) && m->mtx_recurse != 0)
		panic("mutex \"%s\" recursed at %s:%d", name, file, line);
	WITNESS_ASSERT(&m->lock_object, what, file, line);
}

int
_kern_drop_giant(const char *file, int line)
{
	int levels;

	if (mtx_owner(&Giant) != curthread)
		return (0);
	levels = Giant.mtx_recurse + 1;
	for (int i = 0; i < levels; i++)
		mtx_unlock_common(&Giant, "DROP_GIANT", file, line);
	return (levels);
}

void
_kern_pickup_giant(int levels, const char *file, int line)
{
	for (int i = 0; i < levels; i++)
		mtx_lock_common(&Giant, 0, "PICKUP_GIANT", file, line);
}

/* Interlock operations for sleep(9) and condvar(9). */
static int
mtx_lc_owned(const struct lock_object *lo)
{
	return (_mtx_owned((const struct mtx *)(const void *)lo));
}

static uintptr_t
mtx_lc_unlock(struct lock_object *lo, const char *file, int line)
{
	struct mtx *m = (struct mtx *)(void *)lo;

	if (m->mtx_recurse != 0)
		panic("sleep: interlock \"%s\" is recursed @ %s:%d",
		    lo->lo_name, file, line);
	mtx_unlock_common(m, "sleep", file, line);
	return (0);
}

static void
mtx_lc_lock(struct lock_object *lo, uintptr_t how, const char *file,
    int line)
{
	mtx_lock_common((struct mtx *)(void *)lo, 0, "sleep", file, line);
}

static void
mtx_lc_assert(const struct lock_object *lo, int what, const char *file,
    int line)
{
	_mtx_assert((const struct mtx *)(const void *)lo, what, file, line);
}

struct lock_class lock_class_mtx_sleep = {
	.lc_name = "sleep mutex",
	.lc_assert = mtx_lc_assert,
	.lc_lock = mtx_lc_lock,
	.lc_unlock = mtx_lc_unlock,
	.lc_owned = mtx_lc_owned,
};

struct lock_class lock_class_mtx_spin = {
	.lc_name = "spin mutex",
	.lc_assert = mtx_lc_assert,
	.lc_lock = mtx_lc_lock,
	.lc_unlock = mtx_lc_unlock,
	.lc_owned = mtx_lc_owned,
};
