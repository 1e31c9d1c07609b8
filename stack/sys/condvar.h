/*
 * condvar.h - condvar(9), built on the sleep queues: a condition variable
 * is a wait channel, and the lock passed to cv_wait is the interlock.
 * `lock` may be a struct mtx, struct rwlock or struct sx.
 */
#ifndef _SYS_CONDVAR_H_
#define	_SYS_CONDVAR_H_

#include <sys/param.h>
#include <sys/lock.h>

struct cv {
	const char	*cv_description;
	int		 cv_waiters;	/* unused; kept for source compatibility */
};

void	cv_init(struct cv *cvp, const char *desc);
void	cv_destroy(struct cv *cvp);
int	_cv_wait(struct cv *cvp, struct lock_object *lock, int flags,
	    int timo, const char *file, int line);
void	cv_signal(struct cv *cvp);
void	cv_broadcast(struct cv *cvp);

#define	cv_wait(cvp, lock)						\
	(void)_cv_wait((cvp), &(lock)->lock_object, 0, 0, __FILE__, __LINE__)
#define	cv_wait_unlock(cvp, lock)					\
	(void)_cv_wait((cvp), &(lock)->lock_object, PDROP, 0,		\
	    __FILE__, __LINE__)
#define	cv_wait_sig(cvp, lock)						\
	_cv_wait((cvp), &(lock)->lock_object, PCATCH, 0, __FILE__, __LINE__)
#define	cv_timedwait(cvp, lock, timo)					\
	_cv_wait((cvp), &(lock)->lock_object, 0, (timo), __FILE__, __LINE__)
#define	cv_timedwait_sig(cvp, lock, timo)				\
	_cv_wait((cvp), &(lock)->lock_object, PCATCH, (timo),		\
	    __FILE__, __LINE__)
#define	cv_broadcastpri(cvp, pri)	cv_broadcast(cvp)
#define	cv_wmesg(cvp)		((cvp)->cv_description)

#endif /* !_SYS_CONDVAR_H_ */
