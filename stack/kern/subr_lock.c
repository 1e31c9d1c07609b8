/*
 * subr_lock.c - the common lock layer: lock_object initialization (with
 * the witness hook), the table of lock classes, and the shared/exclusive
 * core of rwlock(9) and sx(9).
 *
 * The rw/sx core keeps its state under a host mutex: the exclusive owner
 * (also stored atomically for unlocked reads of "do I own it"), the number
 * of shared holders, and waiting writers.  Writers are preferred: a new
 * reader waits while a writer waits, unless the reader already holds a
 * shared lock (so recursive read locking cannot deadlock).  With lock
 * profiling on (subr_lock_profile.c), each acquisition is counted at its
 * call site, contended when the thread had to wait for the lock.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/proc.h>
#include <machine/host.h>

#include "kern_internal.h"
#include "subr_lock_profile.h"

struct lock_class *lock_classes[LO_CLASSMASK + 1] = {
	[LOCK_CLASS_MTX_SLEEP] = &lock_class_mtx_sleep,
	[LOCK_CLASS_MTX_SPIN] = &lock_class_mtx_spin,
	[LOCK_CLASS_RW] = &lock_class_rw,
	[LOCK_CLASS_SX] = &lock_class_sx,
};

void
lock_init(struct lock_object *lo, int lockclass, const char *name,
    const char *type, u_int flags)
{
	lo->lo_name = name;
	lo->lo_flags = (u_int)lockclass | flags | LO_INITIALIZED;
	lo->lo_data = 0;
#ifdef MPSAFE_WITNESS
	{
		enum witness_kind kind;
		unsigned wflags = 0;

		switch (lockclass) {
		case LOCK_CLASS_MTX_SPIN:
			kind = WITNESS_KIND_SPIN_MUTEX;
			break;
		case LOCK_CLASS_RW:
			kind = WITNESS_KIND_RW;
			break;
		case LOCK_CLASS_SX:
			kind = WITNESS_KIND_SX;
			break;
		default:
			kind = WITNESS_KIND_SLEEP_MUTEX;
			break;
		}
		if (flags & LO_RECURSABLE)
			wflags |= WITNESS_F_RECURSE;
		if (flags & LO_DUPOK)
			wflags |= WITNESS_F_DUPOK;
		if (flags & LO_NOWITNESS)
			wflags |= WITNESS_F_NOWITNESS;
		__builtin_memset(&lo->lo_witness, 0, sizeof(lo->lo_witness));
		WITNESS_INIT(lo, type != NULL ? type : name, kind, wflags);
	}
#endif
}

void
lock_destroy(struct lock_object *lo, const char *file, int line)
{
	WITNESS_DESTROY(lo, file, line);
	lo->lo_flags &= ~LO_INITIALIZED;
}

static __inline struct thread *
rwc_owner(const struct lock_rwcore *c)
{
	return ((struct thread *)__atomic_load_n(&c->lr_owner,
	    __ATOMIC_RELAXED));
}

static void
rwc_check_init(const struct lock_object *lo, const char *op,
    const char *file, int line)
{
	if ((lo->lo_flags & LO_INITIALIZED) == 0)
		panic("%s: lock %p is not initialized (or destroyed) @ %s:%d",
		    op, (const void *)lo, file, line);
}

void
rwcore_init(struct lock_rwcore *c)
{
	__atomic_store_n(&c->lr_owner, 0, __ATOMIC_RELAXED);
	c->lr_recurse = 0;
	c->lr_readers = 0;
	c->lr_xwaiters = 0;
	host_mutex_init(&c->lr_host);
	host_cond_init(&c->lr_scv);
	host_cond_init(&c->lr_xcv);
}

void
rwcore_destroy(struct lock_object *lo, struct lock_rwcore *c, const char *op,
    const char *file, int line)
{
	int readers;

	rwc_check_init(lo, op, file, line);
	host_mutex_lock(&c->lr_host);
	readers = c->lr_readers;
	host_mutex_unlock(&c->lr_host);
	if (rwc_owner(c) != NULL || readers != 0)
		panic("%s: lock \"%s\" is held (%s) @ %s:%d", op, lo->lo_name,
		    readers != 0 ? "shared" : "exclusive", file, line);
	lock_destroy(lo, file, line);
	host_cond_destroy(&c->lr_xcv);
	host_cond_destroy(&c->lr_scv);
	host_mutex_destroy(&c->lr_host);
}

int
rwcore_xlock(struct lock_object *lo, struct lock_rwcore *c, int try,
    const char *op, const char *file, int line)
{
	struct thread *td = curthread;
	uint64_t wait_start = 0;

	rwc_check_init(lo, op, file, line);
	if (rwc_owner(c) == td) {
		if ((lo->lo_flags & LO_RECURSABLE) == 0) {
			if (try)
				return (0);
			panic("%s: recursed on non-recursive lock \"%s\" "
			    "@ %s:%d", op, lo->lo_name, file, line);
		}
		c->lr_recurse++;
		WITNESS_LOCK(lo, WITNESS_OPS_EXCLUSIVE |
		    (try ? WITNESS_OPS_TRY : 0), file, line);
		return (1);
	}
	if (!try)
		WITNESS_CHECKORDER(lo, WITNESS_OPS_EXCLUSIVE, file, line);
	host_mutex_lock(&c->lr_host);
	if (try && (c->lr_owner != 0 || c->lr_readers != 0)) {
		host_mutex_unlock(&c->lr_host);
		return (0);
	}
	while (c->lr_owner != 0 || c->lr_readers != 0) {
		if (__predict_false(lock_profiling) && wait_start == 0)
			wait_start = lock_profile_wait_start();
		if (td->td_nwakeq > 0)
			kern_wake_flush(td);	/* before blocking */
		c->lr_xwaiters++;
		host_cond_wait(&c->lr_xcv, &c->lr_host);
		c->lr_xwaiters--;
	}
	__atomic_store_n(&c->lr_owner, (uintptr_t)td, __ATOMIC_RELAXED);
	host_mutex_unlock(&c->lr_host);
	if (__predict_false(lock_profiling))
		lock_profile_obtain(lo, file, line, wait_start);
	WITNESS_LOCK(lo, WITNESS_OPS_EXCLUSIVE | (try ? WITNESS_OPS_TRY : 0),
	    file, line);
	return (1);
}

void
rwcore_xunlock(struct lock_object *lo, struct lock_rwcore *c, const char *op,
    const char *file, int line)
{
	rwc_check_init(lo, op, file, line);
	if (rwc_owner(c) != curthread)
		panic("%s: lock \"%s\" not exclusively locked by this thread "
		    "@ %s:%d", op, lo->lo_name, file, line);
	WITNESS_UNLOCK(lo, WITNESS_OPS_EXCLUSIVE, file, line);
	if (c->lr_recurse > 0) {
		c->lr_recurse--;
		return;
	}
	host_mutex_lock(&c->lr_host);
	__atomic_store_n(&c->lr_owner, 0, __ATOMIC_RELAXED);
	if (c->lr_xwaiters > 0)
		host_cond_signal(&c->lr_xcv);
	host_cond_broadcast(&c->lr_scv);
	host_mutex_unlock(&c->lr_host);
}

int
rwcore_slock(struct lock_object *lo, struct lock_rwcore *c, int try,
    const char *op, const char *file, int line)
{
	struct thread *td = curthread;
	uint64_t wait_start = 0;

	rwc_check_init(lo, op, file, line);
	if (rwc_owner(c) == td)
		panic("%s: lock \"%s\" already exclusively locked by this "
		    "thread @ %s:%d", op, lo->lo_name, file, line);
	if (!try)
		WITNESS_CHECKORDER(lo, WITNESS_OPS_SHARED, file, line);
	host_mutex_lock(&c->lr_host);
	while (c->lr_owner != 0 ||
	    (c->lr_xwaiters > 0 && td->td_rw_rlocks == 0)) {
		if (try) {
			host_mutex_unlock(&c->lr_host);
			return (0);
		}
		if (__predict_false(lock_profiling) && wait_start == 0)
			wait_start = lock_profile_wait_start();
		if (td->td_nwakeq > 0)
			kern_wake_flush(td);	/* before blocking */
		host_cond_wait(&c->lr_scv, &c->lr_host);
	}
	c->lr_readers++;
	host_mutex_unlock(&c->lr_host);
	if (__predict_false(lock_profiling))
		lock_profile_obtain(lo, file, line, wait_start);
	td->td_rw_rlocks++;
	WITNESS_LOCK(lo, WITNESS_OPS_SHARED | (try ? WITNESS_OPS_TRY : 0),
	    file, line);
	return (1);
}

void
rwcore_sunlock(struct lock_object *lo, struct lock_rwcore *c, const char *op,
    const char *file, int line)
{
	struct thread *td = curthread;
	int readers;

	rwc_check_init(lo, op, file, line);
	if (rwc_owner(c) == td)
		panic("%s: lock \"%s\" is exclusively locked by this thread "
		    "@ %s:%d", op, lo->lo_name, file, line);
	host_mutex_lock(&c->lr_host);
	readers = c->lr_readers;
	host_mutex_unlock(&c->lr_host);
	if (readers == 0 || td->td_rw_rlocks == 0)
		panic("%s: lock \"%s\" not share-locked by this thread @ %s:%d",
		    op, lo->lo_name, file, line);
	WITNESS_UNLOCK(lo, WITNESS_OPS_SHARED, file, line);
	td->td_rw_rlocks--;
	host_mutex_lock(&c->lr_host);
	if (--c->lr_readers == 0 && c->lr_xwaiters > 0)
		host_cond_signal(&c->lr_xcv);
	host_mutex_unlock(&c->lr_host);
}

int
rwcore_try_upgrade(struct lock_object *lo, struct lock_rwcore *c,
    const char *op, const char *file, int line)
{
	struct thread *td = curthread;
	int ok = 0;

	rwc_check_init(lo, op, file, line);
	if (rwc_owner(c) == td || td->td_rw_rlocks == 0)
		panic("%s: lock \"%s\" not share-locked by this thread @ %s:%d",
		    op, lo->lo_name, file, line);
	host_mutex_lock(&c->lr_host);
	if (c->lr_readers == 1 && c->lr_owner == 0) {
		c->lr_readers = 0;
		__atomic_store_n(&c->lr_owner, (uintptr_t)td,
		    __ATOMIC_RELAXED);
		ok = 1;
	}
	host_mutex_unlock(&c->lr_host);
	if (ok) {
		td->td_rw_rlocks--;
		WITNESS_UPGRADE(lo, file, line);
	}
	return (ok);
}

void
rwcore_downgrade(struct lock_object *lo, struct lock_rwcore *c,
    const char *op, const char *file, int line)
{
	struct thread *td = curthread;

	rwc_check_init(lo, op, file, line);
	if (rwc_owner(c) != td)
		panic("%s: lock \"%s\" not exclusively locked by this thread "
		    "@ %s:%d", op, lo->lo_name, file, line);
	if (c->lr_recurse != 0)
		panic("%s: lock \"%s\" is recursed @ %s:%d", op, lo->lo_name,
		    file, line);
	WITNESS_DOWNGRADE(lo, file, line);
	host_mutex_lock(&c->lr_host);
	__atomic_store_n(&c->lr_owner, 0, __ATOMIC_RELAXED);
	c->lr_readers = 1;
	host_cond_broadcast(&c->lr_scv);
	host_mutex_unlock(&c->lr_host);
	td->td_rw_rlocks++;
}

int
rwcore_xowned(const struct lock_rwcore *c)
{
	return (rwc_owner(c) == curthread);
}

static int
rwc_readers(const struct lock_rwcore *c)
{
	struct lock_rwcore *cc = (struct lock_rwcore *)(uintptr_t)c;
	int readers;

	host_mutex_lock(&cc->lr_host);
	readers = cc->lr_readers;
	host_mutex_unlock(&cc->lr_host);
	return (readers);
}

void
rwcore_assert(const struct lock_object *lo, const struct lock_rwcore *c,
    int what, const char *file, int line)
{
	int xowned = rwc_owner(c) == curthread;
	int sowned = !xowned && curthread->td_rw_rlocks > 0 &&
	    rwc_readers(c) > 0;
	const char *name = lo->lo_name;

	if (what & LA_UNLOCKED) {
		if (xowned)
			panic("lock \"%s\" exclusively locked @ %s:%d", name,
			    file, line);
		return;
	}
	if ((what & LA_XLOCKED) && !xowned)
		panic("lock \"%s\" not exclusively locked @ %s:%d", name, file,
		    line);
	if ((what & LA_SLOCKED) && !sowned)
		panic("lock \"%s\" not share-locked @ %s:%d", name, file, line);
	if ((what & LA_LOCKED) && !xowned && !sowned)
		panic("lock \"%s\" not locked @ %s:%d", name, file, line);
	if ((what & LA_RECURSED) && !(xowned && c->lr_recurse != 0))
		panic("lock \"%s\" not recursed @ %s:%d", name, file, line);
	if ((what & LA_NOTRECURSED) && xowned && c->lr_recurse != 0)
		panic("lock \"%s\" recursed @ %s:%d", name, file, line);
	WITNESS_ASSERT(lo, what, file, line);
}

/* Interlock helpers shared by the rw and sx classes. */
static struct lock_rwcore *
lo_core(const struct lock_object *lo)
{
	/* Both struct rwlock and struct sx are a lock_object + core. */
	struct rwlike {
		struct lock_object lo;
		struct lock_rwcore core;
	};

	return (&((struct rwlike *)(uintptr_t)lo)->core);
}

int
rwcore_owned(const struct lock_object *lo)
{
	const struct lock_rwcore *c = lo_core(lo);

	return (rwc_owner(c) == curthread ||
	    (curthread->td_rw_rlocks > 0 && rwc_readers(c) > 0));
}

uintptr_t
rwcore_unlock_any(struct lock_object *lo, const char *file, int line)
{
	struct lock_rwcore *c = lo_core(lo);

	if (rwc_owner(c) == curthread) {
		if (c->lr_recurse != 0)
			panic("sleep: interlock \"%s\" is recursed @ %s:%d",
			    lo->lo_name, file, line);
		rwcore_xunlock(lo, c, "sleep", file, line);
		return (1);
	}
	rwcore_sunlock(lo, c, "sleep", file, line);
	return (2);
}

void
rwcore_lock_how(struct lock_object *lo, uintptr_t how, const char *file,
    int line)
{
	if (how == 2)
		rwcore_slock(lo, lo_core(lo), 0, "sleep", file, line);
	else
		rwcore_xlock(lo, lo_core(lo), 0, "sleep", file, line);
}

static void
rwc_lc_assert(const struct lock_object *lo, int what, const char *file,
    int line)
{
	rwcore_assert(lo, lo_core(lo), what, file, line);
}

struct lock_class lock_class_rw = {
	.lc_name = "rw",
	.lc_assert = rwc_lc_assert,
	.lc_lock = rwcore_lock_how,
	.lc_unlock = rwcore_unlock_any,
	.lc_owned = rwcore_owned,
};

struct lock_class lock_class_sx = {
	.lc_name = "sx",
	.lc_assert = rwc_lc_assert,
	.lc_lock = rwcore_lock_how,
	.lc_unlock = rwcore_unlock_any,
	.lc_owned = rwcore_owned,
};
