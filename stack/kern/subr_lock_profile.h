/*
 * subr_lock_profile.h - lock profiling hooks for the lock implementations
 * of stack/kern (docs/kern.md, "Lock profiling").  Not for stack code.
 *
 * Profiling is on when MPSAFE_LOCK_PROFILE names an output file at
 * startup.  lock_profiling is set before main() and never changes after,
 * so a lock operation pays one well-predicted test of it when profiling
 * is off.
 */
#ifndef _KERN_SUBR_LOCK_PROFILE_H_
#define	_KERN_SUBR_LOCK_PROFILE_H_

struct host_mutex;
struct lock_object;

extern int lock_profiling;

/*
 * Takes hm, the host mutex of lock lo, and counts the acquisition at
 * file:line: contended when a trylock failed first, with the time spent
 * in the blocking lock.
 */
void	lock_profile_host_lock(const struct lock_object *lo,
	    struct host_mutex *hm, const char *file, int line);

/*
 * The thread is about to wait for lo: returns the time to hand to
 * lock_profile_obtain() (never 0).
 */
uint64_t lock_profile_wait_start(void);

/*
 * Counts an acquisition of lo at file:line.  wait_start is 0 when the lock
 * was free, else lock_profile_wait_start() from when the thread began to
 * wait: the acquisition is contended and the time until now is its wait.
 */
void	lock_profile_obtain(const struct lock_object *lo, const char *file,
	    int line, uint64_t wait_start);

#endif /* !_KERN_SUBR_LOCK_PROFILE_H_ */
