/*
 * kern_thread.c - struct thread for every host thread in the stack.
 *
 * Kernel threads get theirs from kthread_add(); any other thread gets one
 * lazily the first time it uses curthread.  The host shim calls
 * kern_thread_exit_hook() when the host thread exits, which frees it.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/proc.h>
#include <machine/host.h>

#include "kern_internal.h"

__thread struct thread *kern_curthread_ptr;
struct proc proc0 = { .p_pid = 0, .p_comm = "kernel" };
int mp_ncpus = 1;
int mp_maxid;
static int kern_next_tid = 100000;

static void
kern_thread_exit_hook(void *cookie)
{
	struct thread *td = cookie;

	if (_mtx_owned(&Giant))
		panic("thread \"%s\" exiting with Giant held", td->td_name);
	WITNESS_THREAD_EXIT();
	kern_curthread_ptr = NULL;
	kern_thread_free(td);
}

static void __attribute__((__constructor__(101)))
kern_thread_sysinit(void)
{
	mp_ncpus = host_ncpus();
	mp_maxid = mp_ncpus - 1;
	host_thread_set_exit_hook(kern_thread_exit_hook);
}

struct thread *
kern_thread_alloc(const char *name, int flags)
{
	struct thread *td;

	td = host_calloc(1, sizeof(*td));
	if (td == NULL)
		panic("kern_thread_alloc: out of memory");
	td->td_proc = &proc0;
	td->td_tid = __atomic_fetch_add(&kern_next_tid, 1, __ATOMIC_RELAXED);
	td->td_flags = flags;
	strlcpy(td->td_name, name, sizeof(td->td_name));
	host_cond_init(&td->td_sleepcv);
	return (td);
}

void
kern_thread_free(struct thread *td)
{
	/* Send the signals td owes; wait out those owed to td. */
	kern_wake_flush(td);
	while (__atomic_load_n(&td->td_wakeref, __ATOMIC_ACQUIRE) != 0)
		host_yield();
	host_cond_destroy(&td->td_sleepcv);
	host_free(td);
}

/* Installs td as the calling host thread's curthread. */
void
kern_thread_attach(struct thread *td)
{
	kern_curthread_ptr = td;
	host_thread_register(td);
}

struct thread *
kern_thread_self_slow(void)
{
	struct thread *td;
	char name[MAXCOMLEN + 1];

	snprintf(name, sizeof(name), "app%ld", host_gettid());
	td = kern_thread_alloc(name, TDF_APPTHREAD);
	kern_thread_attach(td);
	return (td);
}

void
kthread_setname(const char *name)
{
	strlcpy(curthread->td_name, name, sizeof(curthread->td_name));
}

void
critical_enter(void)
{
	curthread->td_critnest++;
}

void
critical_exit(void)
{
	struct thread *td = curthread;

	if (td->td_critnest <= 0)
		panic("critical_exit: not in a critical section");
	td->td_critnest--;
}
