/*
 * atomic.h - atomic(9) on the compiler's __atomic builtins (so that
 * ThreadSanitizer understands them).  For each width NAME in int, long,
 * ptr, 8, 16, 32, 64 (and char, short):
 *
 *   atomic_{add,subtract,set,clear}[_acq|_rel]_NAME(p, v)
 *   atomic_cmpset[_acq|_rel]_NAME(p, old, new)     nonzero on success
 *   atomic_fcmpset[_acq|_rel]_NAME(p, &old, new)   updates old on failure
 *   atomic_fetchadd_NAME(p, v)                     returns the old value
 *   atomic_swap_NAME(p, v), atomic_readandclear_NAME(p)
 *   atomic_load[_acq]_NAME(p), atomic_store[_rel]_NAME(p, v)
 *   atomic_testandset_NAME(p, bit), atomic_testandclear_NAME(p, bit)
 */
#ifndef _MACHINE_ATOMIC_H_
#define	_MACHINE_ATOMIC_H_

#include <sys/types.h>

#define	_ATOMIC_RMW(name, type, op, builtin, sfx, order)		\
static __inline void							\
atomic_##op##sfx##_##name(volatile type *p, type v)			\
{									\
	(void)builtin(p, v, order);					\
}

#define	_ATOMIC_RMW_ALL(name, type, op, builtin)			\
	_ATOMIC_RMW(name, type, op, builtin, , __ATOMIC_RELAXED)	\
	_ATOMIC_RMW(name, type, op, builtin, _acq, __ATOMIC_ACQUIRE)	\
	_ATOMIC_RMW(name, type, op, builtin, _rel, __ATOMIC_RELEASE)

#define	_ATOMIC_CMPSET(name, type, sfx, order)				\
static __inline int							\
atomic_cmpset##sfx##_##name(volatile type *p, type old, type new_)	\
{									\
	return (__atomic_compare_exchange_n(p, &old, new_, 0, order,	\
	    __ATOMIC_RELAXED));						\
}									\
static __inline int							\
atomic_fcmpset##sfx##_##name(volatile type *p, type *old, type new_)	\
{									\
	return (__atomic_compare_exchange_n(p, old, new_, 0, order,	\
	    __ATOMIC_RELAXED));						\
}

#define	_ATOMIC_TYPE(name, type)					\
	_ATOMIC_RMW_ALL(name, type, add, __atomic_fetch_add)		\
	_ATOMIC_RMW_ALL(name, type, subtract, __atomic_fetch_sub)	\
	_ATOMIC_RMW_ALL(name, type, set, __atomic_fetch_or)		\
	_ATOMIC_RMW_ALL(name, type, clear, __atomic_fetch_and_not_)	\
	_ATOMIC_CMPSET(name, type, , __ATOMIC_SEQ_CST)			\
	_ATOMIC_CMPSET(name, type, _acq, __ATOMIC_ACQUIRE)		\
	_ATOMIC_CMPSET(name, type, _rel, __ATOMIC_RELEASE)		\
static __inline type							\
atomic_fetchadd_##name(volatile type *p, type v)			\
{									\
	return (__atomic_fetch_add(p, v, __ATOMIC_SEQ_CST));		\
}									\
static __inline type							\
atomic_swap_##name(volatile type *p, type v)				\
{									\
	return (__atomic_exchange_n(p, v, __ATOMIC_SEQ_CST));		\
}									\
static __inline type							\
atomic_readandclear_##name(volatile type *p)				\
{									\
	return (__atomic_exchange_n(p, 0, __ATOMIC_SEQ_CST));		\
}									\
static __inline type							\
atomic_load_##name(volatile type *p)					\
{									\
	return (__atomic_load_n(p, __ATOMIC_RELAXED));			\
}									\
static __inline type							\
atomic_load_acq_##name(volatile type *p)				\
{									\
	return (__atomic_load_n(p, __ATOMIC_ACQUIRE));			\
}									\
static __inline void							\
atomic_store_##name(volatile type *p, type v)				\
{									\
	__atomic_store_n(p, v, __ATOMIC_RELAXED);			\
}									\
static __inline void							\
atomic_store_rel_##name(volatile type *p, type v)			\
{									\
	__atomic_store_n(p, v, __ATOMIC_RELEASE);			\
}									\
static __inline int							\
atomic_testandset_##name(volatile type *p, u_int bit)			\
{									\
	type m = (type)((type)1 << (bit % (sizeof(type) * 8)));		\
	return ((__atomic_fetch_or(p, m, __ATOMIC_SEQ_CST) & m) != 0);	\
}									\
static __inline int							\
atomic_testandclear_##name(volatile type *p, u_int bit)			\
{									\
	type m = (type)((type)1 << (bit % (sizeof(type) * 8)));		\
	return ((__atomic_fetch_and(p, (type)~m, __ATOMIC_SEQ_CST) &	\
	    m) != 0);							\
}

/* Clearing bits is an AND with the complement. */
#define	__atomic_fetch_and_not_(p, v, order)				\
	__atomic_fetch_and((p), ~(v), (order))

_ATOMIC_TYPE(int, u_int)
_ATOMIC_TYPE(long, u_long)
_ATOMIC_TYPE(ptr, uintptr_t)
_ATOMIC_TYPE(char, u_char)
_ATOMIC_TYPE(short, u_short)
_ATOMIC_TYPE(8, uint8_t)
_ATOMIC_TYPE(16, uint16_t)
_ATOMIC_TYPE(32, uint32_t)
_ATOMIC_TYPE(64, uint64_t)

#undef _ATOMIC_RMW
#undef _ATOMIC_RMW_ALL
#undef _ATOMIC_CMPSET
#undef _ATOMIC_TYPE

static __inline void
atomic_thread_fence_acq(void)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static __inline void
atomic_thread_fence_rel(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static __inline void
atomic_thread_fence_acq_rel(void)
{
	__atomic_thread_fence(__ATOMIC_ACQ_REL);
}

static __inline void
atomic_thread_fence_seq_cst(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#endif /* !_MACHINE_ATOMIC_H_ */
