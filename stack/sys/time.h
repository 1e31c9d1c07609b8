/*
 * time.h - struct timeval/timespec and the kernel clock.
 *
 * Kernel time runs kern_clock_scale() times faster than real time (1 by
 * default); ticks, time_uptime, sleep timeouts and callouts all follow it.
 */
#ifndef _SYS_TIME_H_
#define	_SYS_TIME_H_

#include <sys/types.h>

struct timeval {
	time_t		tv_sec;
	suseconds_t	tv_usec;
};

struct timespec {
	time_t		tv_sec;
	long		tv_nsec;
};

#define	timevalclear(tvp)	((tvp)->tv_sec = (tvp)->tv_usec = 0)
#define	timevalisset(tvp)	((tvp)->tv_sec || (tvp)->tv_usec)
#define	timevalcmp(tvp, uvp, cmp)					\
	(((tvp)->tv_sec == (uvp)->tv_sec) ?				\
	    ((tvp)->tv_usec cmp (uvp)->tv_usec) :			\
	    ((tvp)->tv_sec cmp (uvp)->tv_sec))
void	timevaladd(struct timeval *t1, const struct timeval *t2);
void	timevalsub(struct timeval *t1, const struct timeval *t2);

/* Kernel time since boot, and wall time (boot wall time + uptime). */
void	getmicrouptime(struct timeval *tvp);
void	microuptime(struct timeval *tvp);
void	getmicrotime(struct timeval *tvp);
void	microtime(struct timeval *tvp);
void	getnanouptime(struct timespec *tsp);
void	nanouptime(struct timespec *tsp);
uint64_t kern_nanouptime(void);
time_t	kern_uptime(void);
time_t	kern_time_second(void);
#define	time_uptime	(kern_uptime())
#define	time_second	(kern_time_second())

int	tvtohz(struct timeval *tv);
int	ratecheck(struct timeval *lasttime, const struct timeval *mininterval);
int	ppsratecheck(struct timeval *lasttime, int *curpps, int maxpps);

/* Scale kernel time: n times faster than real time (n >= 1). */
void	kern_clock_scale(u_int n);
u_int	kern_clock_getscale(void);

#endif /* !_SYS_TIME_H_ */
