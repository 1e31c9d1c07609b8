/*
 * kern_kthread.c - kernel threads on host threads.  A new thread gets its
 * struct thread before it starts (so *newtdp is valid at once) and
 * inherits curvnet from its creator.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/kthread.h>
#include <sys/malloc.h>
#include <machine/host.h>

#include "kern_internal.h"

struct kthread_start {
	void		(*func)(void *);
	void		*arg;
	struct thread	*td;
};

static void
kthread_trampoline(void *v)
{
	struct kthread_start ks = *(struct kthread_start *)v;

	host_free(v);
	kern_thread_attach(ks.td);
	ks.func(ks.arg);
	kthread_exit();
}

static int
kthread_vadd(void (*func)(void *), void *arg, struct proc *p,
    struct thread **newtdp, const char *fmt, va_list ap)
{
	struct kthread_start *ks;
	struct thread *td;
	char name[MAXCOMLEN + 1];
	int error;

	vsnprintf(name, sizeof(name), fmt, ap);
	td = kern_thread_alloc(name, TDF_KTHREAD);
	td->td_proc = p != NULL ? p : &proc0;
	td->td_vnet = curthread->td_vnet;
	ks = host_malloc(sizeof(*ks));
	if (ks == NULL) {
		kern_thread_free(td);
		return (ENOMEM);
	}
	ks->func = func;
	ks->arg = arg;
	ks->td = td;
	if (newtdp != NULL)
		*newtdp = td;
	error = host_thread_create(kthread_trampoline, ks, name);
	if (error != 0) {
		host_free(ks);
		kern_thread_free(td);
		if (newtdp != NULL)
			*newtdp = NULL;
		return (error);
	}
	return (0);
}

int
kthread_add(void (*func)(void *), void *arg, struct proc *p,
    struct thread **newtdp, int flags, int pages, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = kthread_vadd(func, arg, p, newtdp, fmt, ap);
	va_end(ap);
	return (error);
}

void
kthread_exit(void)
{
	wakeup(curthread);
	host_thread_exit();
}

MALLOC_DEFINE(M_KPROC, "kproc", "kernel processes");

int
kproc_create(void (*func)(void *), void *arg, struct proc **newpp, int flags,
    int pages, const char *fmt, ...)
{
	struct proc *p;
	va_list ap;
	int error;

	p = malloc(sizeof(*p), M_KPROC, M_WAITOK | M_ZERO);
	p->p_pid = -1;
	va_start(ap, fmt);
	vsnprintf(p->p_comm, sizeof(p->p_comm), fmt, ap);
	va_end(ap);
	error = kthread_add(func, arg, p, NULL, flags, pages, "%s", p->p_comm);
	if (error != 0) {
		free(p, M_KPROC);
		return (error);
	}
	if (newpp != NULL)
		*newpp = p;
	return (0);
}

void
kproc_exit(int ecode)
{
	kthread_exit();
}
