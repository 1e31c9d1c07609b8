/*
 * kern_condvar.c - condvar(9) as wait channels on the sleep queues.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/condvar.h>

void
cv_init(struct cv *cvp, const char *desc)
{
	cvp->cv_description = desc;
	cvp->cv_waiters = 0;
}

void
cv_destroy(struct cv *cvp)
{
	cvp->cv_description = NULL;
}

int
_cv_wait(struct cv *cvp, struct lock_object *lock, int flags, int timo,
    const char *file, int line)
{
	return (_sleep(cvp, lock, flags, cvp->cv_description, timo, file,
	    line));
}

void
cv_signal(struct cv *cvp)
{
	wakeup_one(cvp);
}

void
cv_broadcast(struct cv *cvp)
{
	wakeup(cvp);
}
