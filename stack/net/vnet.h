/*
 * vnet.h - per-instance state (VNET) for several stacks in one process.
 *
 * VNET_DEFINE(type, name) places a global `vnet_entry_<name>` in the
 * `set_vnet` section: it is the master copy, holding the initial value.
 * vnet_alloc() gives each instance a private copy of the whole section,
 * and VNET(name) resolves through the calling thread's curvnet to that
 * copy.  Kernel threads inherit curvnet from their creator;
 * CURVNET_SET()/CURVNET_RESTORE() switch it within a block.
 */
#ifndef _NET_VNET_H_
#define	_NET_VNET_H_

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/proc.h>
#include <sys/counter.h>

struct vnet {
	LIST_ENTRY(vnet) vnet_le;
	u_int		 vnet_magic_n;
	u_int		 vnet_ifcnt;
	u_int		 vnet_sockcnt;
	u_int		 vnet_id;	/* 1, 2, ... in creation order */
	void		*vnet_data_mem;	/* the private copy of set_vnet */
	uintptr_t	 vnet_data_base; /* copy - master */
};
#define	VNET_MAGIC_N	0x3e0d8f29

LIST_HEAD(vnet_list_head, vnet);
extern struct vnet_list_head vnet_head;

/* Creates an instance (a copy of every VNET_DEFINE at its initial value). */
struct vnet *vnet_alloc(void);
void	vnet_destroy(struct vnet *vnet);
void	vnet_nocurvnet(const char *name, const char *file, int line) __dead2;

#define	VNET_NAME(n)		vnet_entry_##n
#define	VNET_DECLARE(t, n)	extern t VNET_NAME(n)
#define	VNET_DEFINE(t, n)						\
	t VNET_NAME(n) __section("set_vnet") __used __aligned(8)
#define	VNET_DEFINE_STATIC(t, n)					\
	static t VNET_NAME(n) __section("set_vnet") __used __aligned(8)

#define	curvnet		(curthread->td_vnet)

static __inline struct vnet *
_vnet_cur(const char *name, const char *file, int line)
{
	struct vnet *vnet = curthread->td_vnet;

	if (__predict_false(vnet == NULL))
		vnet_nocurvnet(name, file, line);
	return (vnet);
}

#define	VNET_VNET_PTR(vnet, n)						\
	((__typeof(VNET_NAME(n)) *)(void *)((vnet)->vnet_data_base +	\
	    (uintptr_t)&VNET_NAME(n)))
#define	VNET_VNET(vnet, n)	(*VNET_VNET_PTR(vnet, n))
#define	VNET_PTR(n)							\
	VNET_VNET_PTR(_vnet_cur(#n, __FILE__, __LINE__), n)
#define	VNET(n)			(*VNET_PTR(n))

#define	CURVNET_SET_QUIET(arg)						\
	struct vnet *saved_vnet = curthread->td_vnet;			\
	curthread->td_vnet = (arg)
#define	CURVNET_SET(arg)	CURVNET_SET_QUIET(arg)
#define	CURVNET_SET_VERBOSE(arg) CURVNET_SET_QUIET(arg)
#define	CURVNET_RESTORE()	(curthread->td_vnet = saved_vnet)
#define	CURVNET_ASSERT_SET()						\
	(void)_vnet_cur("curvnet", __FILE__, __LINE__)
#define	VNET_ASSERT(exp, msg)	KASSERT(exp, msg)
#define	IS_DEFAULT_VNET(arg)	((arg)->vnet_id == 1)

/* Iterating over the instances (e.g. from a timer). */
void	vnet_list_rlock(void);
void	vnet_list_runlock(void);
#define	VNET_ITERATOR_DECL(arg)		struct vnet *arg
#define	VNET_FOREACH(arg)		LIST_FOREACH((arg), &vnet_head, vnet_le)
#define	VNET_LIST_RLOCK()		vnet_list_rlock()
#define	VNET_LIST_RUNLOCK()		vnet_list_runlock()
#define	VNET_LIST_RLOCK_NOSLEEP()	vnet_list_rlock()
#define	VNET_LIST_RUNLOCK_NOSLEEP()	vnet_list_runlock()

/* Per-instance statistics structs as arrays of counter(9). */
#define	VNET_PCPUSTAT_DECLARE(type, name)				\
	VNET_DECLARE(counter_u64_t, name[sizeof(type) / sizeof(uint64_t)])
#define	VNET_PCPUSTAT_DEFINE(type, name)				\
	VNET_DEFINE(counter_u64_t, name[sizeof(type) / sizeof(uint64_t)])
#define	VNET_PCPUSTAT_ALLOC(name, wait)					\
	COUNTER_ARRAY_ALLOC(VNET(name), nitems(VNET(name)), (wait))
#define	VNET_PCPUSTAT_FREE(name)					\
	COUNTER_ARRAY_FREE(VNET(name), nitems(VNET(name)))
#define	VNET_PCPUSTAT_ADD(type, name, f, v)				\
	counter_u64_add(VNET(name)[__offsetof(type, f) / sizeof(uint64_t)], (v))
#define	VNET_PCPUSTAT_FETCH(type, name, dst) do {			\
	uint64_t *_vps_dst = (uint64_t *)(void *)(dst);			\
	for (u_int _i = 0; _i < sizeof(type) / sizeof(uint64_t); _i++)	\
		_vps_dst[_i] = counter_u64_fetch(VNET(name)[_i]);	\
} while (0)

#endif /* !_NET_VNET_H_ */
