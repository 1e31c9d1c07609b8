/*
 * systm.h - kernel-wide declarations: panic, KASSERT, printf and log,
 * string helpers, spl(9).
 *
 * printf and snprintf are libc's own (declared here with libc's types so
 * no libc header is needed).  Names that would clash with libc when the
 * stack defines them (log, random, arc4random, pause) are function-like
 * macros over kern_* functions.
 */
#ifndef _SYS_SYSTM_H_
#define	_SYS_SYSTM_H_

#include <sys/types.h>
#include <sys/libkern.h>
#include <sys/kernel.h>
#include <machine/stdarg.h>

extern int	hz;		/* ticks per second: 1000 */
extern int	tick;		/* microseconds per tick */
extern int	bootverbose;
extern int	mp_ncpus;

void	panic(const char *fmt, ...) __dead2 __printflike(1, 2);
void	vpanic(const char *fmt, va_list ap) __dead2;

#define	KASSERT(exp, msg) do {						\
	if (__predict_false(!(exp)))					\
		kassert_panic msg;					\
} while (0)
#define	MPASS(ex)	MPASS4(ex, #ex, __FILE__, __LINE__)
#define	MPASS4(ex, what, file, line)					\
	KASSERT((ex), ("Assertion %s failed at %s:%d", what, file, line))
#define	CTASSERT(x)	_Static_assert(x, "compile-time assertion failed")
void	kassert_panic(const char *fmt, ...) __dead2 __printflike(1, 2);

/* libc's own. */
int	printf(const char *restrict fmt, ...) __printflike(1, 2);
int	snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
	    __printflike(3, 4);
int	vsnprintf(char *restrict buf, size_t size, const char *restrict fmt,
	    va_list ap);
int	vprintf(const char *restrict fmt, va_list ap);

/* log(9): goes to stderr, filtered by kern_log_setlevel() (sys/syslog.h). */
void	kern_log(int level, const char *fmt, ...) __printflike(2, 3);
void	kern_vlog(int level, const char *fmt, va_list ap);
int	kern_log_setlevel(int level);
#define	log(level, ...)		kern_log((level), __VA_ARGS__)
#define	vlog(level, fmt, ap)	kern_vlog((level), (fmt), (ap))

/* String and memory helpers, all compiler builtins. */
#define	bcopy(from, to, len)	__builtin_memmove((to), (from), (len))
#define	ovbcopy(from, to, len)	__builtin_memmove((to), (from), (len))
#define	bzero(buf, len)		__builtin_memset((buf), 0, (len))
#define	bcmp(b1, b2, len)	__builtin_memcmp((b1), (b2), (len))
#define	memcpy(d, s, n)		__builtin_memcpy((d), (s), (n))
#define	memmove(d, s, n)	__builtin_memmove((d), (s), (n))
#define	memset(d, c, n)		__builtin_memset((d), (c), (n))
#define	memcmp(a, b, n)		__builtin_memcmp((a), (b), (n))
#define	strlen(s)		__builtin_strlen(s)
#define	strcmp(a, b)		__builtin_strcmp((a), (b))
#define	strncmp(a, b, n)	__builtin_strncmp((a), (b), (n))
#define	strchr(s, c)		__builtin_strchr((s), (c))
#define	strrchr(s, c)		__builtin_strrchr((s), (c))
#define	index(s, c)		__builtin_strchr((s), (c))
#define	strlcpy(d, s, n)	kern_strlcpy((d), (s), (n))
#define	strlcat(d, s, n)	kern_strlcat((d), (s), (n))
size_t	kern_strlcpy(char *dst, const char *src, size_t size);
size_t	kern_strlcat(char *dst, const char *src, size_t size);

/* copyin/copyout: the "user" is this process, so they are copies. */
int	copyin(const void *uaddr, void *kaddr, size_t len);
int	copyout(const void *kaddr, void *uaddr, size_t len);

/* Random numbers: arc4random(9) and random(9). */
uint32_t kern_arc4random(void);
void	kern_arc4rand(void *ptr, u_int len, int reseed);
u_long	kern_random(void);
#define	arc4random()		kern_arc4random()
#define	arc4rand(p, l, r)	kern_arc4rand((p), (l), (r))
#define	random()		kern_random()

/* Hash tables for the pcb lookups (hashinit(9)). */
struct malloc_type;
void	*hashinit(int count, struct malloc_type *type, u_long *hashmask);
void	*hashinit_flags(int count, struct malloc_type *type, u_long *hashmask,
	    int flags);
#define	HASH_NOWAIT	0x00000001
#define	HASH_WAITOK	0x00000002
void	hashdestroy(void *vhashtbl, struct malloc_type *type, u_long hashmask);

/*
 * spl(9).  Interrupt priority levels are only recorded per thread (the
 * emulation runs unconverted code under Giant): every spl*() call returns
 * a cookie naming the previous level and the nesting depth, which splx()
 * checks.  splx() of a cookie never returned, or out of order, panics.
 */
#define	IPL_NONE	0
#define	IPL_SOFTNET	1
#define	IPL_NET		2
#define	IPL_BIO		3
#define	IPL_TTY		4
#define	IPL_IMP		5
#define	IPL_CLOCK	6
#define	IPL_HIGH	7
int	spl0(void);
int	splsoftnet(void);
int	splnet(void);
int	splbio(void);
int	spltty(void);
int	splimp(void);
int	splclock(void);
int	splhigh(void);
int	splsoftclock(void);
void	_splx(int s, const char *file, int line);
#define	splx(s)		_splx((s), __FILE__, __LINE__)
int	spllevel(void);		/* current IPL_* of the calling thread */
int	spldepth(void);		/* spl*() calls not yet undone by splx */
void	_splassert(int wantlevel, const char *file, int line);
/* Panics unless the calling thread is at IPL level `wantlevel` or above. */
#define	splassert(wantlevel)	_splassert((wantlevel), __FILE__, __LINE__)

/* Critical sections only nest a per-thread counter. */
void	critical_enter(void);
void	critical_exit(void);

/* Sleeping and wakeups: see sys/proc.h for the interruption mechanism. */
struct lock_object;
int	_sleep(const void *chan, struct lock_object *lock, int pri,
	    const char *wmesg, int timo, const char *file, int line);
#define	tsleep(chan, pri, wmesg, timo)					\
	_sleep((chan), NULL, (pri), (wmesg), (timo), __FILE__, __LINE__)
#define	msleep(chan, mtx, pri, wmesg, timo)				\
	_sleep((chan), _MTX_LOCKOBJ(mtx), (pri), (wmesg), (timo),	\
	    __FILE__, __LINE__)
#define	mtx_sleep(chan, mtx, pri, wmesg, timo)				\
	msleep((chan), (mtx), (pri), (wmesg), (timo))
int	_msleep_spin(const void *chan, struct lock_object *mtx,
	    const char *wmesg, int timo, const char *file, int line);
#define	msleep_spin(chan, mtx, wmesg, timo)				\
	_msleep_spin((chan), _MTX_LOCKOBJ(mtx), (wmesg), (timo),	\
	    __FILE__, __LINE__)
/* A struct mtx pointer or NULL, as a lock_object (its first member). */
#define	_MTX_LOCKOBJ(m)							\
	_Generic((m), struct mtx *: (struct lock_object *)(void *)(m),	\
	    void *: (struct lock_object *)(void *)(m))
int	kern_pause(const char *wmesg, int timo);
#define	pause(wmesg, timo)	kern_pause((wmesg), (timo))
void	wakeup(const void *chan);
void	wakeup_one(const void *chan);
/* Number of threads asleep on chan (for tests and diagnostics). */
int	sleepq_waiters(const void *chan);

/* Time (sys/time.h has the timeval functions). */
int	kern_ticks(void);
struct timeval;
int	tvtohz(struct timeval *tv);

#endif /* !_SYS_SYSTM_H_ */
