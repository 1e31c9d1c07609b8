/*
 * kern_sx.c - sx(9) on the shared/exclusive core (subr_lock.c).  Unlike
 * an rwlock, an sx lock may be held across a sleep.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/sx.h>

#include "kern_internal.h"

void
sx_init_flags(struct sx *sx, const char *name, int opts)
{
	u_int flags = 0;

	if (opts & SX_RECURSE)
		flags |= LO_RECURSABLE;
	if (opts & SX_DUPOK)
		flags |= LO_DUPOK;
	if (opts & SX_NOWITNESS)
		flags |= LO_NOWITNESS;
	rwcore_init(&sx->sx_core);
	lock_init(&sx->lock_object, LOCK_CLASS_SX, name, NULL,
	    flags | LO_SLEEPABLE);
}

void
_sx_destroy(struct sx *sx, const char *file, int line)
{
	rwcore_destroy(&sx->lock_object, &sx->sx_core, "sx_destroy", file,
	    line);
}

int
_sx_xlock(struct sx *sx, int opts, const char *file, int line)
{
	rwcore_xlock(&sx->lock_object, &sx->sx_core, 0, "sx_xlock", file, line);
	return (0);
}

int
_sx_try_xlock(struct sx *sx, const char *file, int line)
{
	return (rwcore_xlock(&sx->lock_object, &sx->sx_core, 1,
	    "sx_try_xlock", file, line));
}

void
_sx_xunlock(struct sx *sx, const char *file, int line)
{
	rwcore_xunlock(&sx->lock_object, &sx->sx_core, "sx_xunlock", file,
	    line);
}

int
_sx_slock(struct sx *sx, int opts, const char *file, int line)
{
	rwcore_slock(&sx->lock_object, &sx->sx_core, 0, "sx_slock", file, line);
	return (0);
}

int
_sx_try_slock(struct sx *sx, const char *file, int line)
{
	return (rwcore_slock(&sx->lock_object, &sx->sx_core, 1,
	    "sx_try_slock", file, line));
}

void
_sx_sunlock(struct sx *sx, const char *file, int line)
{
	rwcore_sunlock(&sx->lock_object, &sx->sx_core, "sx_sunlock", file,
	    line);
}

int
_sx_try_upgrade(struct sx *sx, const char *file, int line)
{
	return (rwcore_try_upgrade(&sx->lock_object, &sx->sx_core,
	    "sx_try_upgrade", file, line));
}

void
_sx_downgrade(struct sx *sx, const char *file, int line)
{
	rwcore_downgrade(&sx->lock_object, &sx->sx_core, "sx_downgrade", file,
	    line);
}

void
_sx_assert(const struct sx *sx, int what, const char *file, int line)
{
	rwcore_assert(&sx->lock_object, &sx->sx_core, what, file, line);
}

int
_sx_xlocked(const struct sx *sx)
{
	return (rwcore_xowned(&sx->sx_core));
}
