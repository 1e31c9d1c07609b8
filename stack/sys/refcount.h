/*
 * refcount.h - refcount(9) on atomics.  refcount_release() returns true
 * for the last reference; releasing a zero count panics.
 */
#ifndef _SYS_REFCOUNT_H_
#define	_SYS_REFCOUNT_H_

#include <sys/types.h>

void	refcount_underflow(volatile u_int *count) __dead2;

static __inline void
refcount_init(volatile u_int *count, u_int value)
{
	__atomic_store_n(count, value, __ATOMIC_RELAXED);
}

static __inline u_int
refcount_load(volatile u_int *count)
{
	return (__atomic_load_n(count, __ATOMIC_RELAXED));
}

static __inline u_int
refcount_acquire(volatile u_int *count)
{
	return (__atomic_fetch_add(count, 1, __ATOMIC_RELAXED));
}

static __inline bool
refcount_acquire_if_not_zero(volatile u_int *count)
{
	u_int old = __atomic_load_n(count, __ATOMIC_RELAXED);

	do {
		if (old == 0)
			return (false);
	} while (!__atomic_compare_exchange_n(count, &old, old + 1, 1,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return (true);
}

static __inline bool
refcount_release(volatile u_int *count)
{
	u_int old = __atomic_fetch_sub(count, 1, __ATOMIC_ACQ_REL);

	if (__predict_false(old == 0))
		refcount_underflow(count);
	return (old == 1);
}

static __inline bool
refcount_release_if_not_last(volatile u_int *count)
{
	u_int old = __atomic_load_n(count, __ATOMIC_RELAXED);

	do {
		if (old <= 1)
			return (false);
	} while (!__atomic_compare_exchange_n(count, &old, old - 1, 1,
	    __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	return (true);
}

#endif /* !_SYS_REFCOUNT_H_ */
