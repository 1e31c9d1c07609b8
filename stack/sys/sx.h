/*
 * sx.h - sx(9): shared/exclusive locks that may be held across a sleep.
 */
#ifndef _SYS_SX_H_
#define	_SYS_SX_H_

#include <sys/types.h>
#include <sys/lock.h>

struct sx {
	struct lock_object lock_object;	/* must be first */
	struct lock_rwcore sx_core;
};

#define	SX_DUPOK	LOP_DUPOK
#define	SX_NOPROFILE	0x02
#define	SX_NOWITNESS	0x04
#define	SX_QUIET	0x08
#define	SX_NOADAPTIVE	0x10
#define	SX_RECURSE	0x20
#define	SX_NEW		0x40

#define	SA_LOCKED	LA_LOCKED
#define	SA_SLOCKED	LA_SLOCKED
#define	SA_XLOCKED	LA_XLOCKED
#define	SA_UNLOCKED	LA_UNLOCKED
#define	SA_RECURSED	LA_RECURSED
#define	SA_NOTRECURSED	LA_NOTRECURSED

void	sx_init_flags(struct sx *sx, const char *description, int opts);
#define	sx_init(sx, desc)	sx_init_flags((sx), (desc), 0)
void	_sx_destroy(struct sx *sx, const char *file, int line);
int	_sx_xlock(struct sx *sx, int opts, const char *file, int line);
int	_sx_try_xlock(struct sx *sx, const char *file, int line);
void	_sx_xunlock(struct sx *sx, const char *file, int line);
int	_sx_slock(struct sx *sx, int opts, const char *file, int line);
int	_sx_try_slock(struct sx *sx, const char *file, int line);
void	_sx_sunlock(struct sx *sx, const char *file, int line);
int	_sx_try_upgrade(struct sx *sx, const char *file, int line);
void	_sx_downgrade(struct sx *sx, const char *file, int line);
void	_sx_assert(const struct sx *sx, int what, const char *file, int line);
int	_sx_xlocked(const struct sx *sx);

#define	sx_destroy(sx)		_sx_destroy((sx), __FILE__, __LINE__)
#define	sx_xlock(sx)		(void)_sx_xlock((sx), 0, __FILE__, __LINE__)
#define	sx_xlock_sig(sx)	_sx_xlock((sx), 0, __FILE__, __LINE__)
#define	sx_try_xlock(sx)	_sx_try_xlock((sx), __FILE__, __LINE__)
#define	sx_xunlock(sx)		_sx_xunlock((sx), __FILE__, __LINE__)
#define	sx_slock(sx)		(void)_sx_slock((sx), 0, __FILE__, __LINE__)
#define	sx_slock_sig(sx)	_sx_slock((sx), 0, __FILE__, __LINE__)
#define	sx_try_slock(sx)	_sx_try_slock((sx), __FILE__, __LINE__)
#define	sx_sunlock(sx)		_sx_sunlock((sx), __FILE__, __LINE__)
#define	sx_try_upgrade(sx)	_sx_try_upgrade((sx), __FILE__, __LINE__)
#define	sx_downgrade(sx)	_sx_downgrade((sx), __FILE__, __LINE__)
#define	sx_assert(sx, what)	_sx_assert((sx), (what), __FILE__, __LINE__)
#define	sx_xlocked(sx)		_sx_xlocked(sx)
#define	sx_unlock(sx) do {						\
	if (sx_xlocked(sx))						\
		sx_xunlock(sx);						\
	else								\
		sx_sunlock(sx);						\
} while (0)
#define	sx_sleep(chan, sx, pri, wmesg, timo)				\
	_sleep((chan), &(sx)->lock_object, (pri), (wmesg), (timo),	\
	    __FILE__, __LINE__)
#define	sx_initialized(sx)						\
	(((sx)->lock_object.lo_flags & LO_INITIALIZED) != 0)
#define	SX_SYSINIT(name, sxa, desc)					\
	static void __attribute__((__constructor__(200)))		\
	name##_sx_sysinit(void)						\
	{								\
		sx_init((sxa), (desc));					\
	}

#endif /* !_SYS_SX_H_ */
