/*
 * libkern.h - small inline helpers of the kernel's libkern.
 */
#ifndef _SYS_LIBKERN_H_
#define	_SYS_LIBKERN_H_

#include <sys/types.h>

static __inline int imax(int a, int b) { return (a > b ? a : b); }
static __inline int imin(int a, int b) { return (a < b ? a : b); }
static __inline long lmax(long a, long b) { return (a > b ? a : b); }
static __inline long lmin(long a, long b) { return (a < b ? a : b); }
static __inline u_int max(u_int a, u_int b) { return (a > b ? a : b); }
static __inline u_int min(u_int a, u_int b) { return (a < b ? a : b); }
static __inline quad_t qmax(quad_t a, quad_t b) { return (a > b ? a : b); }
static __inline quad_t qmin(quad_t a, quad_t b) { return (a < b ? a : b); }
static __inline u_long ulmax(u_long a, u_long b) { return (a > b ? a : b); }
static __inline u_long ulmin(u_long a, u_long b) { return (a < b ? a : b); }
static __inline int abs_int(int a) { return (a < 0 ? -a : a); }

#define	ffs(x)		__builtin_ffs(x)
#define	ffsl(x)		__builtin_ffsl(x)
static __inline int
kern_fls(int mask)
{
	return (mask == 0 ? 0 : 32 - __builtin_clz((u_int)mask));
}
#define	fls(x)		kern_fls(x)

#endif /* !_SYS_LIBKERN_H_ */
