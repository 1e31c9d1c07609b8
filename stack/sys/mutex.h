/*
 * mutex.h - mutex(9): sleep and spin mutexes on host pthread mutexes.
 *
 * Every operation is a macro passing __FILE__/__LINE__ to a function that
 * calls the witness hooks (sys/lock.h).  Misuse panics with the lock's
 * name and the caller's file and line.
 */
#ifndef _SYS_MUTEX_H_
#define	_SYS_MUTEX_H_

#include <sys/types.h>
#include <sys/lock.h>

struct mtx {
	struct lock_object lock_object;	/* must be first */
	uintptr_t	mtx_lock;	/* owning thread (atomic), 0 if free */
	u_int		mtx_recurse;	/* extra recursion levels, owner only */
	struct host_mutex mtx_host;
};

/* mtx_init() options. */
#define	MTX_DEF		0x00000000	/* sleep mutex */
#define	MTX_SPIN	0x00000001	/* spin mutex */
#define	MTX_QUIET	LOP_QUIET
#define	MTX_RECURSE	0x00000004	/* may be recursed */
#define	MTX_NOWITNESS	0x00000008	/* not checked by witness */
#define	MTX_DUPOK	LOP_DUPOK	/* several of this class may nest */
#define	MTX_NOPROFILE	0x00000020
#define	MTX_NEW		0x00000040

/* mtx_assert() what. */
#define	MA_OWNED	LA_XLOCKED
#define	MA_NOTOWNED	LA_UNLOCKED
#define	MA_RECURSED	LA_RECURSED
#define	MA_NOTRECURSED	LA_NOTRECURSED

/* A macro: libc defines a C11 mtx_init of its own. */
void	_mtx_init(struct mtx *m, const char *name, const char *type, int opts);
#define	mtx_init(m, name, type, opts)	_mtx_init((m), (name), (type), (opts))
void	_mtx_destroy(struct mtx *m, const char *file, int line);
void	_mtx_lock_flags(struct mtx *m, int opts, const char *file, int line);
void	_mtx_unlock_flags(struct mtx *m, int opts, const char *file, int line);
void	_mtx_lock_spin_flags(struct mtx *m, int opts, const char *file,
	    int line);
void	_mtx_unlock_spin_flags(struct mtx *m, int opts, const char *file,
	    int line);
int	_mtx_trylock_flags(struct mtx *m, int opts, const char *file, int line);
void	_mtx_assert(const struct mtx *m, int what, const char *file, int line);
int	_mtx_owned(const struct mtx *m);

#define	mtx_destroy(m)		_mtx_destroy((m), __FILE__, __LINE__)
#define	mtx_lock(m)		_mtx_lock_flags((m), 0, __FILE__, __LINE__)
#define	mtx_lock_flags(m, o)	_mtx_lock_flags((m), (o), __FILE__, __LINE__)
#define	mtx_unlock(m)		_mtx_unlock_flags((m), 0, __FILE__, __LINE__)
#define	mtx_unlock_flags(m, o)	_mtx_unlock_flags((m), (o), __FILE__, __LINE__)
#define	mtx_lock_spin(m)	_mtx_lock_spin_flags((m), 0, __FILE__, __LINE__)
#define	mtx_lock_spin_flags(m, o)					\
	_mtx_lock_spin_flags((m), (o), __FILE__, __LINE__)
#define	mtx_unlock_spin(m)	_mtx_unlock_spin_flags((m), 0, __FILE__, __LINE__)
#define	mtx_unlock_spin_flags(m, o)					\
	_mtx_unlock_spin_flags((m), (o), __FILE__, __LINE__)
#define	mtx_trylock(m)		_mtx_trylock_flags((m), 0, __FILE__, __LINE__)
#define	mtx_trylock_flags(m, o)	_mtx_trylock_flags((m), (o), __FILE__, __LINE__)
#define	mtx_assert(m, what)	_mtx_assert((m), (what), __FILE__, __LINE__)
#define	mtx_owned(m)		_mtx_owned(m)
#define	mtx_recursed(m)		((m)->mtx_recurse != 0)
#define	mtx_name(m)		((m)->lock_object.lo_name)
#define	mtx_initialized(m)	(((m)->lock_object.lo_flags & LO_INITIALIZED) != 0)

/* Giant: one per process, a recursive sleep mutex. */
extern struct mtx Giant;

/*
 * Drop Giant completely (all recursion levels) around code that must not
 * hold it, and take it back to the same depth.
 */
int	_kern_drop_giant(const char *file, int line);
void	_kern_pickup_giant(int levels, const char *file, int line);
#define	DROP_GIANT()							\
	do {								\
		int _giantcnt = _kern_drop_giant(__FILE__, __LINE__)
#define	PICKUP_GIANT()							\
		_kern_pickup_giant(_giantcnt, __FILE__, __LINE__);	\
	} while (0)

/* MTX_SYSINIT: initialize a global mutex before main(). */
#define	MTX_SYSINIT(name, mtx, desc, opts)				\
	static void __attribute__((__constructor__(200)))		\
	name##_mtx_sysinit(void)					\
	{								\
		mtx_init((mtx), (desc), NULL, (opts));			\
	}

#endif /* !_SYS_MUTEX_H_ */
