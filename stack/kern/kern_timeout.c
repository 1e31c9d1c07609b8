/*
 * kern_timeout.c - callout(9).
 *
 * Pending callouts sit on one queue sorted by expiry time, under the
 * callout mutex.  A single callout thread (started on first use) sleeps
 * until the earliest expiry, then runs each expired callout: it takes the
 * callout's lock (Giant for callout_init(c, 0), the mutex or rwlock given
 * to callout_init_mtx/rw, none for MPSAFE ones), checks that nobody
 * stopped the callout while it waited for that lock, and calls it with
 * curvnet set to the vnet that armed it.
 *
 * Stopping a callout whose lock the caller holds is reliable: if the
 * callout thread is waiting for that lock, the run is cancelled.
 * callout_drain() also waits for a run in progress to finish.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/proc.h>
#include <sys/kthread.h>
#include <sys/callout.h>

static struct mtx callout_mtx;
static TAILQ_HEAD(callout_tailq, callout) callout_queue =
    TAILQ_HEAD_INITIALIZER(callout_queue);
static struct callout *cc_curr;		/* running or about to run */
static int cc_cancel;			/* cc_curr may no longer be stopped */
static struct callout *cc_drain;	/* cc_curr is being drained */
static int cc_started;
static int cc_wchan;			/* the callout thread sleeps here */
static int cc_drain_wchan;

static void __attribute__((__constructor__(103)))
callout_sysinit(void)
{
	mtx_init(&callout_mtx, "callout", NULL, MTX_DEF);
}

static void
callout_lock_check(struct callout *c, const char *op, const char *file,
    int line)
{
	struct lock_object *lo = c->c_lock;

	if (lo != NULL && lo != &Giant.lock_object &&
	    !LOCK_CLASS(lo)->lc_owned(lo))
		panic("%s: callout lock \"%s\" not held @ %s:%d", op,
		    lo->lo_name, file, line);
}

static void
softclock(void *arg)
{
	struct callout *c;
	struct lock_object *lo;
	void (*func)(void *);
	void *farg;
	int now, delta, iflags, cancelled;

	curthread->td_vnet = NULL;
	mtx_lock(&callout_mtx);
	for (;;) {
		c = TAILQ_FIRST(&callout_queue);
		if (c == NULL) {
			msleep(&cc_wchan, &callout_mtx, 0, "-", 0);
			continue;
		}
		now = ticks;
		delta = c->c_time - now;
		if (delta > 0) {
			msleep(&cc_wchan, &callout_mtx, 0, "-", delta);
			continue;
		}
		TAILQ_REMOVE(&callout_queue, c, c_links);
		c->c_iflags &= ~CALLOUT_PENDING;
		func = c->c_func;
		farg = c->c_arg;
		lo = c->c_lock;
		iflags = c->c_iflags;
		curthread->td_vnet = c->c_vnet;
		cc_curr = c;
		cc_cancel = 0;
		mtx_unlock(&callout_mtx);
		if (lo != NULL) {
			LOCK_CLASS(lo)->lc_lock(lo, 1, __FILE__, __LINE__);
			mtx_lock(&callout_mtx);
			cancelled = cc_cancel;
			cc_cancel = 1;
			mtx_unlock(&callout_mtx);
			if (cancelled) {
				LOCK_CLASS(lo)->lc_unlock(lo, __FILE__,
				    __LINE__);
				goto done;
			}
		}
		func(farg);
		if (lo != NULL && !(iflags & CALLOUT_RETURNUNLOCKED))
			LOCK_CLASS(lo)->lc_unlock(lo, __FILE__, __LINE__);
done:
		curthread->td_vnet = NULL;
		mtx_lock(&callout_mtx);
		cc_curr = NULL;
		if (cc_drain != NULL) {
			cc_drain = NULL;
			wakeup(&cc_drain_wchan);
		}
	}
}

void
callout_init(struct callout *c, int mpsafe)
{
	bzero(c, sizeof(*c));
	if (mpsafe)
		c->c_iflags = CALLOUT_MPSAFE;
	else
		c->c_lock = &Giant.lock_object;
}

void
_callout_init_lock(struct callout *c, struct lock_object *lock, int flags)
{
	bzero(c, sizeof(*c));
	if (lock != NULL && (lock->lo_flags & LO_CLASSMASK) ==
	    LOCK_CLASS_MTX_SPIN)
		panic("callout_init_mtx: spin mutex \"%s\" cannot be a callout "
		    "lock", lock->lo_name);
	c->c_lock = lock;
	c->c_iflags = flags & CALLOUT_RETURNUNLOCKED;
}

int
_callout_reset(struct callout *c, int to_ticks, void (*func)(void *),
    void *arg, const char *file, int line)
{
	struct callout *n;
	int cancelled = 0;

	callout_lock_check(c, "callout_reset", file, line);
	if (to_ticks <= 0)
		to_ticks = 1;
	mtx_lock(&callout_mtx);
	if (!cc_started) {
		cc_started = 1;
		if (kthread_add(softclock, NULL, NULL, NULL, 0, 0, "callout"))
			panic("callout: cannot start the callout thread");
	}
	if (cc_curr == c) {
		if (cc_drain == c) {
			/* Being drained: do not re-arm. */
			mtx_unlock(&callout_mtx);
			return (0);
		}
		if (c->c_lock != NULL && !cc_cancel &&
		    LOCK_CLASS(c->c_lock)->lc_owned(c->c_lock)) {
			cc_cancel = 1;
			cancelled = 1;
		}
	}
	if (c->c_iflags & CALLOUT_PENDING) {
		TAILQ_REMOVE(&callout_queue, c, c_links);
		cancelled = 1;
	}
	c->c_time = ticks + to_ticks;
	c->c_func = func;
	c->c_arg = arg;
	c->c_vnet = curthread->td_vnet;
	c->c_iflags |= CALLOUT_PENDING;
	c->c_flags |= CALLOUT_ACTIVE;
	TAILQ_FOREACH_REVERSE(n, &callout_queue, callout_tailq, c_links) {
		if ((int)(n->c_time - c->c_time) <= 0)
			break;
	}
	if (n == NULL)
		TAILQ_INSERT_HEAD(&callout_queue, c, c_links);
	else
		TAILQ_INSERT_AFTER(&callout_queue, n, c, c_links);
	if (TAILQ_FIRST(&callout_queue) == c)
		wakeup(&cc_wchan);
	mtx_unlock(&callout_mtx);
	return (cancelled);
}

int
_callout_stop(struct callout *c, const char *file, int line)
{
	int stopped = 0;

	callout_lock_check(c, "callout_stop", file, line);
	mtx_lock(&callout_mtx);
	if (c->c_iflags & CALLOUT_PENDING) {
		TAILQ_REMOVE(&callout_queue, c, c_links);
		c->c_iflags &= ~CALLOUT_PENDING;
		stopped = 1;
	} else if (cc_curr == c && c->c_lock != NULL && !cc_cancel &&
	    LOCK_CLASS(c->c_lock)->lc_owned(c->c_lock)) {
		cc_cancel = 1;
		stopped = 1;
	}
	mtx_unlock(&callout_mtx);
	c->c_flags &= ~CALLOUT_ACTIVE;
	return (stopped);
}

int
_callout_drain(struct callout *c, const char *file, int line)
{
	struct lock_object *lo = c->c_lock;
	int stopped = 0;

	if (lo != NULL && lo != &Giant.lock_object &&
	    LOCK_CLASS(lo)->lc_owned(lo))
		panic("callout_drain: callout lock \"%s\" held (deadlock) "
		    "@ %s:%d", lo->lo_name, file, line);
	mtx_lock(&callout_mtx);
	if (c->c_iflags & CALLOUT_PENDING) {
		TAILQ_REMOVE(&callout_queue, c, c_links);
		c->c_iflags &= ~CALLOUT_PENDING;
		stopped = 1;
	}
	while (cc_curr == c) {
		cc_drain = c;
		_sleep(&cc_drain_wchan, &callout_mtx.lock_object, 0,
		    "codrain", 0, file, line);
	}
	if (c->c_iflags & CALLOUT_PENDING) {
		TAILQ_REMOVE(&callout_queue, c, c_links);
		c->c_iflags &= ~CALLOUT_PENDING;
	}
	mtx_unlock(&callout_mtx);
	c->c_flags &= ~CALLOUT_ACTIVE;
	return (stopped);
}

int
callout_pending(const struct callout *c)
{
	int pending;

	mtx_lock(&callout_mtx);
	pending = (c->c_iflags & CALLOUT_PENDING) != 0;
	mtx_unlock(&callout_mtx);
	return (pending);
}

void
kern_callout_rescan(void)
{
	wakeup(&cc_wchan);
}
