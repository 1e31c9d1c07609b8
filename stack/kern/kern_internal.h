/*
 * kern_internal.h - interfaces between the files of the kernel emulation
 * (not for stack code).
 */
#ifndef _KERN_KERN_INTERNAL_H_
#define	_KERN_KERN_INTERNAL_H_

struct thread;

/* kern_thread.c */
struct thread *kern_thread_alloc(const char *name, int flags);
void	kern_thread_free(struct thread *td);
void	kern_thread_attach(struct thread *td);

/* kern_clock.c: real-time deadline for a kernel-time deadline. */
unsigned long long kern_real_deadline(uint64_t kern_deadline_ns);

/* kern_synch.c: make timed sleepers recompute their deadlines. */
void	kern_sleepq_rescan(void);
/* kern_synch.c: signal the threads td woke (deferred wakeups). */
void	kern_wake_flush(struct thread *td);

/* kern_timeout.c */
void	kern_callout_rescan(void);

/* subr_lock.c: the shared/exclusive core of rwlock(9) and sx(9). */
struct lock_object;
struct lock_rwcore;
void	rwcore_init(struct lock_rwcore *c);
void	rwcore_destroy(struct lock_object *lo, struct lock_rwcore *c,
	    const char *op, const char *file, int line);
int	rwcore_xlock(struct lock_object *lo, struct lock_rwcore *c, int try,
	    const char *op, const char *file, int line);
void	rwcore_xunlock(struct lock_object *lo, struct lock_rwcore *c,
	    const char *op, const char *file, int line);
int	rwcore_slock(struct lock_object *lo, struct lock_rwcore *c, int try,
	    const char *op, const char *file, int line);
void	rwcore_sunlock(struct lock_object *lo, struct lock_rwcore *c,
	    const char *op, const char *file, int line);
int	rwcore_try_upgrade(struct lock_object *lo, struct lock_rwcore *c,
	    const char *op, const char *file, int line);
void	rwcore_downgrade(struct lock_object *lo, struct lock_rwcore *c,
	    const char *op, const char *file, int line);
void	rwcore_assert(const struct lock_object *lo,
	    const struct lock_rwcore *c, int what, const char *file, int line);
int	rwcore_xowned(const struct lock_rwcore *c);
int	rwcore_owned(const struct lock_object *lo);
uintptr_t rwcore_unlock_any(struct lock_object *lo, const char *file,
	    int line);
void	rwcore_lock_how(struct lock_object *lo, uintptr_t how,
	    const char *file, int line);

extern struct lock_class lock_class_mtx_sleep;
extern struct lock_class lock_class_mtx_spin;
extern struct lock_class lock_class_rw;
extern struct lock_class lock_class_sx;

#endif /* !_KERN_KERN_INTERNAL_H_ */
