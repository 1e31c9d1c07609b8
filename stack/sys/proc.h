/*
 * proc.h - struct thread and struct proc.
 *
 * Every host thread that enters the stack gets a struct thread: kernel
 * threads (kthread_add) when they start, application threads lazily on
 * their first use of curthread.  It is freed when the host thread exits.
 *
 * Interruption (what a signal does to a PCATCH sleep): kthread_interrupt()
 * marks an interruption pending on a thread.  A sleep with PCATCH that is
 * in progress, or the next one it starts, returns EINTR (ERESTART for
 * kthread_interrupt_restart()) and consumes the mark.  Sleeps without
 * PCATCH leave it pending.
 */
#ifndef _SYS_PROC_H_
#define	_SYS_PROC_H_

#include <sys/param.h>
#include <sys/queue.h>
#include <machine/host.h>

struct vnet;
struct ucred;

struct proc {
	pid_t		 p_pid;
	char		 p_comm[MAXCOMLEN + 1];
	struct ucred	*p_ucred;
};

#define	TD_WAKEQ	16

struct thread {
	struct proc	*td_proc;
	lwpid_t		 td_tid;		/* host thread id */
	char		 td_name[MAXCOMLEN + 1];
	int		 td_flags;		/* TDF_* */
	struct vnet	*td_vnet;		/* curvnet */
	const char	*td_vnet_lpush;		/* function that set it */
	struct ucred	*td_ucred;
	/* Owner-only state. */
	int		 td_spllevel;		/* IPL_* (sys/systm.h) */
	int		 td_spldepth;		/* spl*() calls not yet undone */
	int		 td_critnest;
	int		 td_rw_rlocks;		/* rw/sx read locks held */
	int		 td_locks;		/* mutexes held (with recursion) */
	u_int		 td_rand[2];		/* arc4random state */
	/* Sleep state, under the sleep queue chain lock. */
	const void	*td_wchan;		/* channel, NULL if awake */
	const char	*td_wmesg;
	TAILQ_ENTRY(thread) td_slpq;
	int		 td_slpcatch;		/* PCATCH sleep */
	int		 td_slpresult;		/* 0, EWOULDBLOCK, EINTR... */
	int		 td_intr;		/* pending interruption (atomic) */
	struct host_cond td_sleepcv;
	void		*td_kstack_arg;		/* kthread start argument */
	/* Deferred wakeups (kern_synch.c). */
	struct thread	*td_wakeq[TD_WAKEQ];	/* woken by us, not signalled */
	int		 td_nwakeq;
	int		 td_wakeref;		/* signals owed to us (atomic) */
	int		 td_wakedefer;		/* > 0: an interrupt handler runs */
};

#define	TDF_KTHREAD	0x0001		/* created by kthread_add */
#define	TDF_ITHREAD	0x0002		/* an interrupt thread */
#define	TDF_APPTHREAD	0x0004		/* application thread, lazy */

extern struct proc proc0;
extern __thread struct thread *kern_curthread_ptr;
struct thread *kern_thread_self_slow(void);

static __inline struct thread *
kern_curthread(void)
{
	struct thread *td = kern_curthread_ptr;

	if (__predict_false(td == NULL))
		td = kern_thread_self_slow();
	return (td);
}
#define	curthread	(kern_curthread())
#define	curproc		(curthread->td_proc)

/* Interrupt a thread's PCATCH sleeps (see above). */
void	kthread_interrupt(struct thread *td);
void	kthread_interrupt_restart(struct thread *td);
/* Clears a pending interruption; returns the error it would have given. */
int	kthread_interrupt_clear(struct thread *td);

/* Name the calling thread (shown in panics). */
void	kthread_setname(const char *name);

#endif /* !_SYS_PROC_H_ */
