/*
 * cdefs.h - compiler helpers with the FreeBSD names.
 */
#ifndef _SYS_CDEFS_H_
#define	_SYS_CDEFS_H_

#define	__unused		__attribute__((__unused__))
#define	__used			__attribute__((__used__))
#define	__packed		__attribute__((__packed__))
#define	__aligned(x)		__attribute__((__aligned__(x)))
#define	__section(x)		__attribute__((__section__(x)))
#define	__dead2			__attribute__((__noreturn__))
#define	__pure2			__attribute__((__const__))
#define	__weak_symbol		__attribute__((__weak__))
#define	__noinline		__attribute__((__noinline__))
#define	__always_inline		__attribute__((__always_inline__))
#define	__printflike(f, a)	__attribute__((__format__(__printf__, f, a)))
#define	__result_use_check	__attribute__((__warn_unused_result__))
#define	__predict_true(e)	__builtin_expect(!!(e), 1)
#define	__predict_false(e)	__builtin_expect(!!(e), 0)
#define	__inline		inline
#define	__restrict		restrict
#define	__volatile		volatile
#define	__const			const
#define	__CONCAT1(x, y)		x ## y
#define	__CONCAT(x, y)		__CONCAT1(x, y)
#define	__STRING(x)		#x
#define	__XSTRING(x)		__STRING(x)
#define	__offsetof(type, field)	__builtin_offsetof(type, field)
#define	__containerof(p, type, field)					\
	((type *)(void *)((char *)(p) - __offsetof(type, field)))
#define	__DECONST(type, var)	((type)(__UINTPTR_TYPE__)(const void *)(var))
#define	__DEVOLATILE(type, var)	((type)(__UINTPTR_TYPE__)(volatile void *)(var))
#define	__DEQUALIFY(type, var)	((type)(__UINTPTR_TYPE__)(const volatile void *)(var))
#define	__BEGIN_DECLS
#define	__END_DECLS
#define	__FBSDID(s)		struct __hack
#define	__RCSID(s)		struct __hack
#define	__NULLABILITY_PRAGMA_PUSH
#define	__NULLABILITY_PRAGMA_POP
#define	__bitcount32(x)		__builtin_popcount((unsigned)(x))
#define	__bitcount64(x)		__builtin_popcountll((unsigned long long)(x))

#endif /* !_SYS_CDEFS_H_ */
