/*
 * Giant for the stack tests: a test holds it from a thread of its own to
 * show which calls still need it (the emulated kernel's Giant is the same
 * in the legacy and the migrated stack, so one object serves both).
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/mutex.h>

void	stack_test_giant_lock(void);
void	stack_test_giant_unlock(void);

void
stack_test_giant_lock(void)
{

	mtx_lock(&Giant);
}

void
stack_test_giant_unlock(void)
{

	mtx_unlock(&Giant);
}
