/*
 * kern_rwlock.c - rwlock(9) on the shared/exclusive core (subr_lock.c).
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/rwlock.h>

#include "kern_internal.h"

void
rw_init_flags(struct rwlock *rw, const char *name, int opts)
{
	u_int flags = 0;

	if (opts & RW_RECURSE)
		flags |= LO_RECURSABLE;
	if (opts & RW_DUPOK)
		flags |= LO_DUPOK;
	if (opts & RW_NOWITNESS)
		flags |= LO_NOWITNESS;
	rwcore_init(&rw->rw_core);
	lock_init(&rw->lock_object, LOCK_CLASS_RW, name, NULL, flags);
}

void
_rw_destroy(struct rwlock *rw, const char *file, int line)
{
	rwcore_destroy(&rw->lock_object, &rw->rw_core, "rw_destroy", file,
	    line);
}

void
_rw_wlock(struct rwlock *rw, const char *file, int line)
{
	rwcore_xlock(&rw->lock_object, &rw->rw_core, 0, "rw_wlock", file, line);
}

int
_rw_try_wlock(struct rwlock *rw, const char *file, int line)
{
	return (rwcore_xlock(&rw->lock_object, &rw->rw_core, 1,
	    "rw_try_wlock", file, line));
}

void
_rw_wunlock(struct rwlock *rw, const char *file, int line)
{
	rwcore_xunlock(&rw->lock_object, &rw->rw_core, "rw_wunlock", file,
	    line);
}

void
_rw_rlock(struct rwlock *rw, const char *file, int line)
{
	rwcore_slock(&rw->lock_object, &rw->rw_core, 0, "rw_rlock", file, line);
}

int
_rw_try_rlock(struct rwlock *rw, const char *file, int line)
{
	return (rwcore_slock(&rw->lock_object, &rw->rw_core, 1,
	    "rw_try_rlock", file, line));
}

void
_rw_runlock(struct rwlock *rw, const char *file, int line)
{
	rwcore_sunlock(&rw->lock_object, &rw->rw_core, "rw_runlock", file,
	    line);
}

int
_rw_try_upgrade(struct rwlock *rw, const char *file, int line)
{
	return (rwcore_try_upgrade(&rw->lock_object, &rw->rw_core,
	    "rw_try_upgrade", file, line));
}

void
_rw_downgrade(struct rwlock *rw, const char *file, int line)
{
	rwcore_downgrade(&rw->lock_object, &rw->rw_core, "rw_downgrade", file,
	    line);
}

void
_rw_assert(const struct rwlock *rw, int what, const char *file, int line)
{
	rwcore_assert(&rw->lock_object, &rw->rw_core, what, file, line);
}

int
_rw_wowned(const struct rwlock *rw)
{
	return (rwcore_xowned(&rw->rw_core));
}
