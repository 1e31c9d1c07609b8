/*
 * kern_intr.c - interrupt threads.  Each ithread is a kernel thread that
 * sleeps until scheduled, then runs its handler, holding Giant unless the
 * handler was registered INTR_MPSAFE.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/proc.h>
#include <sys/kthread.h>
#include <sys/interrupt.h>
#include <sys/malloc.h>

#include "kern_internal.h"

MALLOC_DEFINE(M_ITHREAD, "ithread", "interrupt threads");

struct ithread {
	struct mtx	 it_mtx;	/* protects the fields below */
	driver_intr_t	*it_handler;
	void		*it_arg;
	int		 it_flags;
	int		 it_need;	/* scheduled, not yet run */
	int		 it_dying;
	int		 it_exited;
	u_long		 it_runs;
	struct thread	*it_td;
	char		 it_name[MAXCOMLEN + 1];
};

static void
ithread_loop(void *arg)
{
	struct ithread *it = arg;

	curthread->td_flags |= TDF_ITHREAD;
	mtx_lock(&it->it_mtx);
	for (;;) {
		while (!it->it_need && !it->it_dying)
			msleep(it, &it->it_mtx, 0, "iwait", 0);
		if (it->it_dying)
			break;
		__atomic_store_n(&it->it_need, 0, __ATOMIC_SEQ_CST);
		mtx_unlock(&it->it_mtx);
		if (!(it->it_flags & INTR_MPSAFE))
			mtx_lock(&Giant);
		/* What the handler wakes runs after it (kern_synch.c). */
		curthread->td_wakedefer++;
		it->it_handler(it->it_arg);
		curthread->td_wakedefer--;
		if (!(it->it_flags & INTR_MPSAFE))
			mtx_unlock(&Giant);
		if (curthread->td_locks == 0 && curthread->td_nwakeq > 0)
			kern_wake_flush(curthread);
		mtx_lock(&it->it_mtx);
		it->it_runs++;
	}
	it->it_exited = 1;
	wakeup(&it->it_exited);
	mtx_unlock(&it->it_mtx);
	kthread_exit();
}

struct ithread *
ithread_create(const char *name, driver_intr_t *handler, void *arg, int flags)
{
	struct ithread *it;
	int error;

	it = malloc(sizeof(*it), M_ITHREAD, M_WAITOK | M_ZERO);
	strlcpy(it->it_name, name, sizeof(it->it_name));
	mtx_init(&it->it_mtx, "ithread", NULL, MTX_DEF);
	it->it_handler = handler;
	it->it_arg = arg;
	it->it_flags = flags;
	error = kthread_add(ithread_loop, it, NULL, &it->it_td, 0, 0, "%s",
	    it->it_name);
	if (error != 0) {
		mtx_destroy(&it->it_mtx);
		free(it, M_ITHREAD);
		return (NULL);
	}
	return (it);
}

void
ithread_schedule(struct ithread *it)
{
	/*
	 * Scheduled and not yet running: the thread clears it_need before
	 * it looks at its work, so it will see what the caller queued.
	 */
	if (__atomic_load_n(&it->it_need, __ATOMIC_ACQUIRE))
		return;
	mtx_lock(&it->it_mtx);
	/* Already scheduled: the thread has been woken and will run. */
	if (!it->it_need) {
		__atomic_store_n(&it->it_need, 1, __ATOMIC_SEQ_CST);
		wakeup_one(it);
	}
	mtx_unlock(&it->it_mtx);
}

void
ithread_destroy(struct ithread *it)
{
	mtx_lock(&it->it_mtx);
	it->it_dying = 1;
	wakeup(it);
	while (!it->it_exited)
		msleep(&it->it_exited, &it->it_mtx, 0, "itdestroy", 0);
	mtx_unlock(&it->it_mtx);
	mtx_destroy(&it->it_mtx);
	free(it, M_ITHREAD);
}

u_long
ithread_runs(struct ithread *it)
{
	u_long runs;

	mtx_lock(&it->it_mtx);
	runs = it->it_runs;
	mtx_unlock(&it->it_mtx);
	return (runs);
}
