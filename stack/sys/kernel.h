/*
 * kernel.h - global kernel variables.  There is no SYSINIT: subsystems are
 * started by explicit calls (and VNET instances by vnet_alloc()).
 *
 * `ticks` is milliseconds of kernel time since boot (hz = 1000).  It is a
 * macro over a function so that reading it is never a data race.
 */
#ifndef _SYS_KERNEL_H_
#define	_SYS_KERNEL_H_

#include <sys/types.h>

extern int	hz;
extern int	tick;
extern int	stathz;
extern int	profhz;
int	kern_ticks(void);
#define	ticks	(kern_ticks())

extern char	hostname[256];
extern char	kernelname[];

#endif /* !_SYS_KERNEL_H_ */
