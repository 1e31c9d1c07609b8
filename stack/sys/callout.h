/*
 * callout.h - callout(9).  One callout thread per process runs expired
 * callouts: it takes Giant for callout_init(c, 0) callouts, the associated
 * lock for callout_init_mtx() ones, nothing for MPSAFE ones.
 */
#ifndef _SYS_CALLOUT_H_
#define	_SYS_CALLOUT_H_

#include <sys/types.h>
#include <sys/queue.h>

struct mtx;
struct vnet;
struct lock_object;

struct callout {
	TAILQ_ENTRY(callout) c_links;
	int		 c_time;	/* ticks at which it fires */
	void		*c_arg;
	void		(*c_func)(void *);
	struct lock_object *c_lock;	/* taken around c_func, or NULL */
	struct vnet	*c_vnet;	/* curvnet when armed, set while running */
	int		 c_flags;	/* CALLOUT_ACTIVE, under c_lock */
	int		 c_iflags;	/* the rest, under the callout lock */
};

#define	CALLOUT_ACTIVE		0x0002	/* callout is active */
#define	CALLOUT_PENDING		0x0004	/* callout is waiting to fire */
#define	CALLOUT_MPSAFE		0x0008	/* callout needs no Giant */
#define	CALLOUT_RETURNUNLOCKED	0x0010	/* handler releases the lock */

void	callout_init(struct callout *c, int mpsafe);
void	_callout_init_lock(struct callout *c, struct lock_object *lock,
	    int flags);
#define	callout_init_mtx(c, mtx, flags)					\
	_callout_init_lock((c), ((mtx) != NULL) ? &(mtx)->lock_object :	\
	    NULL, (flags))
#define	callout_init_rw(c, rw, flags)					\
	_callout_init_lock((c), &(rw)->lock_object, (flags))
int	_callout_reset(struct callout *c, int to_ticks, void (*func)(void *),
	    void *arg, const char *file, int line);
#define	callout_reset(c, to_ticks, fn, arg)				\
	_callout_reset((c), (to_ticks), (fn), (arg), __FILE__, __LINE__)
#define	callout_reset_on(c, to_ticks, fn, arg, cpu)			\
	callout_reset((c), (to_ticks), (fn), (arg))
#define	callout_schedule(c, to_ticks)					\
	callout_reset((c), (to_ticks), (c)->c_func, (c)->c_arg)
int	_callout_stop(struct callout *c, const char *file, int line);
int	_callout_drain(struct callout *c, const char *file, int line);
#define	callout_stop(c)		_callout_stop((c), __FILE__, __LINE__)
#define	callout_drain(c)	_callout_drain((c), __FILE__, __LINE__)
#define	callout_active(c)	(((c)->c_flags & CALLOUT_ACTIVE) != 0)
#define	callout_deactivate(c)	((c)->c_flags &= ~CALLOUT_ACTIVE)
int	callout_pending(const struct callout *c);

#endif /* !_SYS_CALLOUT_H_ */
