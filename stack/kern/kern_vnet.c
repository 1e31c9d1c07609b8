/*
 * kern_vnet.c - per-instance state (net/vnet.h).
 *
 * The linker gathers every VNET_DEFINE into the set_vnet section and
 * provides __start_set_vnet/__stop_set_vnet around it (weak, so a program
 * with no VNET_DEFINE still links).  An instance's copy is placed at the
 * same offset modulo a cache line as the master, so every variable keeps
 * its alignment.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/lock.h>
#include <sys/sx.h>
#include <net/vnet.h>

extern char __start_set_vnet[] __attribute__((__weak__));
extern char __stop_set_vnet[] __attribute__((__weak__));

MALLOC_DEFINE(M_VNET, "vnet", "network stack instances");

struct vnet_list_head vnet_head = LIST_HEAD_INITIALIZER(vnet_head);
static struct sx vnet_sxlock;
static u_int vnet_next_id;

static void __attribute__((__constructor__(103)))
vnet_sysinit(void)
{
	sx_init(&vnet_sxlock, "vnet list");
}

struct vnet *
vnet_alloc(void)
{
	struct vnet *vnet;
	size_t size = (size_t)(__stop_set_vnet - __start_set_vnet);
	uintptr_t master = (uintptr_t)__start_set_vnet, copy;
	char *mem;

	vnet = malloc(sizeof(*vnet), M_VNET, M_WAITOK | M_ZERO);
	/* Up to a line to align, plus the master's offset in its line. */
	mem = malloc(size + 2 * CACHE_LINE_SIZE, M_VNET, M_WAITOK);
	copy = roundup2((uintptr_t)mem, CACHE_LINE_SIZE) +
	    (master & (CACHE_LINE_SIZE - 1));
	if (size > 0)
		memcpy((void *)copy, __start_set_vnet, size);
	vnet->vnet_magic_n = VNET_MAGIC_N;
	vnet->vnet_data_mem = mem;
	vnet->vnet_data_base = copy - master;
	sx_xlock(&vnet_sxlock);
	vnet->vnet_id = ++vnet_next_id;
	LIST_INSERT_HEAD(&vnet_head, vnet, vnet_le);
	sx_xunlock(&vnet_sxlock);
	return (vnet);
}

void
vnet_destroy(struct vnet *vnet)
{
	if (vnet->vnet_magic_n != VNET_MAGIC_N)
		panic("vnet_destroy: %p is not a vnet", (void *)vnet);
	sx_xlock(&vnet_sxlock);
	LIST_REMOVE(vnet, vnet_le);
	sx_xunlock(&vnet_sxlock);
	if (curthread->td_vnet == vnet)
		curthread->td_vnet = NULL;
	vnet->vnet_magic_n = 0;
	free(vnet->vnet_data_mem, M_VNET);
	free(vnet, M_VNET);
}

void
vnet_nocurvnet(const char *name, const char *file, int line)
{
	panic("VNET(%s) used with no curvnet set (CURVNET_SET missing) "
	    "@ %s:%d", name, file, line);
}

void
vnet_list_rlock(void)
{
	sx_slock(&vnet_sxlock);
}

void
vnet_list_runlock(void)
{
	sx_sunlock(&vnet_sxlock);
}
