/*
 * lock.h - the common part of every lock, and the one hook point where
 * the witness lock-order checker plugs in.
 *
 * Every lock (mutex, rwlock, sx) starts with a struct lock_object.  The
 * lock implementations in stack/kern call the WITNESS_* macros below around
 * each operation; when MPSAFE_WITNESS is defined they call libwitness
 * (witness/include/witness.h), otherwise they compile to nothing.
 */
#ifndef _SYS_LOCK_H_
#define	_SYS_LOCK_H_

#include <sys/types.h>
#include <machine/host.h>
#ifdef MPSAFE_WITNESS
#include <witness.h>
#endif

struct lock_object {
	const char	*lo_name;	/* instance name */
	u_int		 lo_flags;	/* LO_* */
	u_int		 lo_data;
#ifdef MPSAFE_WITNESS
	struct witness_lock lo_witness;
#endif
};

/* lo_flags: the lock class in the low bits, then properties. */
#define	LO_CLASSMASK	0x0000000f
#define	LOCK_CLASS_MTX_SLEEP	1
#define	LOCK_CLASS_MTX_SPIN	2
#define	LOCK_CLASS_RW		3
#define	LOCK_CLASS_SX		4
#define	LO_INITIALIZED	0x00010000
#define	LO_RECURSABLE	0x00020000
#define	LO_DUPOK	0x00040000
#define	LO_NOWITNESS	0x00080000
#define	LO_SLEEPABLE	0x00100000	/* may be held across a sleep */
#define	LO_GIANT	0x00200000

/* Lock-operation flags (mtx_lock_flags() and friends). */
#define	LOP_QUIET	0x00000002
#define	LOP_DUPOK	0x00000010

/* Assertion kinds, shared by mtx_assert/rw_assert/sx_assert (= WA_*). */
#define	LA_LOCKED	1
#define	LA_SLOCKED	2
#define	LA_XLOCKED	4
#define	LA_UNLOCKED	8
#define	LA_RECURSED	16
#define	LA_NOTRECURSED	32

#define	LOCK_FILE	__FILE__
#define	LOCK_LINE	__LINE__

/* Per-class operations, used by sleep(9) and condvar(9) on an interlock. */
struct lock_class {
	const char	*lc_name;
	void		(*lc_assert)(const struct lock_object *lo, int what,
			    const char *file, int line);
	void		(*lc_lock)(struct lock_object *lo, uintptr_t how,
			    const char *file, int line);
	uintptr_t	(*lc_unlock)(struct lock_object *lo, const char *file,
			    int line);
	int		(*lc_owned)(const struct lock_object *lo);
};
extern struct lock_class *lock_classes[LO_CLASSMASK + 1];
#define	LOCK_CLASS(lo)	(lock_classes[(lo)->lo_flags & LO_CLASSMASK])

void	lock_init(struct lock_object *lo, int lockclass, const char *name,
	    const char *type, u_int flags);
void	lock_destroy(struct lock_object *lo, const char *file, int line);

/*
 * The hook point.  Contract (docs/internals.md, "The witness hook"):
 * CHECKORDER before blocking, LOCK after taking (once per recursion level),
 * UNLOCK before releasing (once per level), SLEEP before any sleep.
 * CHECKORDER, LOCK and UNLOCK use witness's inline fast path: the steady
 * state costs no call (docs/witness.md, "Cost").
 */
#ifdef MPSAFE_WITNESS
#define	WITNESS_INIT(lo, cls, kind, wflags)				\
	witness_init(&(lo)->lo_witness, (cls), (lo)->lo_name, (kind), (wflags))
#define	WITNESS_DESTROY(lo, file, line)					\
	witness_destroy(&(lo)->lo_witness, (file), (line))
#define	WITNESS_CHECKORDER(lo, op, file, line)				\
	witness_fast_checkorder(&(lo)->lo_witness, (op), (file), (line))
#define	WITNESS_LOCK(lo, op, file, line)				\
	witness_fast_acquired(&(lo)->lo_witness, (op), (file), (line))
#define	WITNESS_UNLOCK(lo, op, file, line)				\
	witness_fast_released(&(lo)->lo_witness, (op), (file), (line))
#define	WITNESS_UPGRADE(lo, file, line)					\
	witness_upgraded(&(lo)->lo_witness, (file), (line))
#define	WITNESS_DOWNGRADE(lo, file, line)				\
	witness_downgraded(&(lo)->lo_witness, (file), (line))
#define	WITNESS_SLEEP(lo, wmesg, file, line)				\
	witness_sleep((lo) != NULL ? &(lo)->lo_witness : NULL, (wmesg),	\
	    (file), (line))
#define	WITNESS_ASSERT(lo, what, file, line)				\
	witness_assert(&(lo)->lo_witness, (what), (file), (line))
#define	WITNESS_THREAD_EXIT()	witness_thread_exit()
#define	WITNESS_OPS_EXCLUSIVE	WITNESS_OP_EXCLUSIVE
#define	WITNESS_OPS_SHARED	WITNESS_OP_SHARED
#define	WITNESS_OPS_TRY		WITNESS_OP_TRY
#else
#define	WITNESS_INIT(lo, cls, kind, wflags)	((void)0)
#define	WITNESS_DESTROY(lo, file, line)		((void)0)
#define	WITNESS_CHECKORDER(lo, op, file, line)	((void)0)
#define	WITNESS_LOCK(lo, op, file, line)	((void)0)
#define	WITNESS_UNLOCK(lo, op, file, line)	((void)0)
#define	WITNESS_UPGRADE(lo, file, line)		((void)0)
#define	WITNESS_DOWNGRADE(lo, file, line)	((void)0)
#define	WITNESS_SLEEP(lo, wmesg, file, line)	((void)0)
#define	WITNESS_ASSERT(lo, what, file, line)	((void)0)
#define	WITNESS_THREAD_EXIT()			((void)0)
#define	WITNESS_OPS_EXCLUSIVE	0x1
#define	WITNESS_OPS_SHARED	0x2
#define	WITNESS_OPS_TRY		0x4
#endif

/*
 * Shared/exclusive lock core used by rwlock(9) and sx(9): a state word
 * guarded by a host mutex, with host condition variables for waiters.
 */
struct lock_rwcore {
	uintptr_t	lr_owner;	/* exclusive owner (atomic), 0 if none */
	u_int		lr_recurse;	/* exclusive recursion, owner only */
	int		lr_readers;	/* shared holders (under lr_host) */
	int		lr_xwaiters;	/* threads waiting for exclusive */
	struct host_mutex lr_host;
	struct host_cond lr_scv;	/* shared waiters */
	struct host_cond lr_xcv;	/* exclusive waiters */
};

#endif /* !_SYS_LOCK_H_ */
