/*
 * interrupt.h - interrupt threads.  An ithread is a kernel thread that
 * runs its handler once per ithread_schedule() (several schedules before
 * it runs coalesce into one run), holding Giant unless INTR_MPSAFE.
 */
#ifndef _SYS_INTERRUPT_H_
#define	_SYS_INTERRUPT_H_

#include <sys/types.h>

#define	INTR_TYPE_NET	0x0004
#define	INTR_TYPE_MISC	0x0010
#define	INTR_MPSAFE	0x0200		/* handler does not need Giant */

struct ithread;
typedef void driver_intr_t(void *arg);

struct ithread *ithread_create(const char *name, driver_intr_t *handler,
	    void *arg, int flags);
void	ithread_schedule(struct ithread *it);
/* Stops the thread after a run in progress; waits until it has exited. */
void	ithread_destroy(struct ithread *it);
/* Number of handler runs so far. */
u_long	ithread_runs(struct ithread *it);

#endif /* !_SYS_INTERRUPT_H_ */
