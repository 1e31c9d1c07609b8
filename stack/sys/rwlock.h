/*
 * rwlock.h - rwlock(9): reader/writer locks (readers may recurse; a
 * writer only with RW_RECURSE).  rw_sleep() uses one as the interlock.
 */
#ifndef _SYS_RWLOCK_H_
#define	_SYS_RWLOCK_H_

#include <sys/types.h>
#include <sys/lock.h>

struct rwlock {
	struct lock_object lock_object;	/* must be first */
	struct lock_rwcore rw_core;
};

#define	RW_DUPOK	LOP_DUPOK
#define	RW_NOPROFILE	0x02
#define	RW_NOWITNESS	0x04
#define	RW_QUIET	0x08
#define	RW_RECURSE	0x20
#define	RW_NEW		0x40

#define	RA_LOCKED	LA_LOCKED
#define	RA_RLOCKED	LA_SLOCKED
#define	RA_WLOCKED	LA_XLOCKED
#define	RA_UNLOCKED	LA_UNLOCKED
#define	RA_RECURSED	LA_RECURSED
#define	RA_NOTRECURSED	LA_NOTRECURSED

void	rw_init_flags(struct rwlock *rw, const char *name, int opts);
#define	rw_init(rw, name)	rw_init_flags((rw), (name), 0)
void	_rw_destroy(struct rwlock *rw, const char *file, int line);
void	_rw_wlock(struct rwlock *rw, const char *file, int line);
int	_rw_try_wlock(struct rwlock *rw, const char *file, int line);
void	_rw_wunlock(struct rwlock *rw, const char *file, int line);
void	_rw_rlock(struct rwlock *rw, const char *file, int line);
int	_rw_try_rlock(struct rwlock *rw, const char *file, int line);
void	_rw_runlock(struct rwlock *rw, const char *file, int line);
int	_rw_try_upgrade(struct rwlock *rw, const char *file, int line);
void	_rw_downgrade(struct rwlock *rw, const char *file, int line);
void	_rw_assert(const struct rwlock *rw, int what, const char *file,
	    int line);
int	_rw_wowned(const struct rwlock *rw);

#define	rw_destroy(rw)		_rw_destroy((rw), __FILE__, __LINE__)
#define	rw_wlock(rw)		_rw_wlock((rw), __FILE__, __LINE__)
#define	rw_try_wlock(rw)	_rw_try_wlock((rw), __FILE__, __LINE__)
#define	rw_wunlock(rw)		_rw_wunlock((rw), __FILE__, __LINE__)
#define	rw_rlock(rw)		_rw_rlock((rw), __FILE__, __LINE__)
#define	rw_try_rlock(rw)	_rw_try_rlock((rw), __FILE__, __LINE__)
#define	rw_runlock(rw)		_rw_runlock((rw), __FILE__, __LINE__)
#define	rw_try_upgrade(rw)	_rw_try_upgrade((rw), __FILE__, __LINE__)
#define	rw_downgrade(rw)	_rw_downgrade((rw), __FILE__, __LINE__)
#define	rw_assert(rw, what)	_rw_assert((rw), (what), __FILE__, __LINE__)
#define	rw_wowned(rw)		_rw_wowned(rw)
#define	rw_unlock(rw) do {						\
	if (rw_wowned(rw))						\
		rw_wunlock(rw);						\
	else								\
		rw_runlock(rw);						\
} while (0)
#define	rw_sleep(chan, rw, pri, wmesg, timo)				\
	_sleep((chan), &(rw)->lock_object, (pri), (wmesg), (timo),	\
	    __FILE__, __LINE__)
#define	rw_initialized(rw)						\
	(((rw)->lock_object.lo_flags & LO_INITIALIZED) != 0)
#define	RW_SYSINIT(name, rw, desc)					\
	static void __attribute__((__constructor__(200)))		\
	name##_rw_sysinit(void)						\
	{								\
		rw_init((rw), (desc));					\
	}

#endif /* !_SYS_RWLOCK_H_ */
