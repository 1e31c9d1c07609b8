/*
 * kthread.h - kernel threads.  A kernel thread inherits curvnet from the
 * thread that created it.  It does not hold Giant unless it takes it.
 */
#ifndef _SYS_KTHREAD_H_
#define	_SYS_KTHREAD_H_

#include <sys/types.h>

struct proc;
struct thread;

int	kthread_add(void (*func)(void *), void *arg, struct proc *p,
	    struct thread **newtdp, int flags, int pages, const char *fmt, ...)
	    __printflike(7, 8);
void	kthread_exit(void) __dead2;
int	kproc_create(void (*func)(void *), void *arg, struct proc **newpp,
	    int flags, int pages, const char *fmt, ...) __printflike(6, 7);
void	kproc_exit(int ecode) __dead2;
#define	RFHIGHPID	0x00040000
#define	RFNOWAIT	0x00400000
#define	RFSTOPPED	0x00020000

#endif /* !_SYS_KTHREAD_H_ */
