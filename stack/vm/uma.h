/*
 * uma.h - an MP-safe zone allocator in the spirit of UMA.
 *
 * A zone hands out fixed-size items.  Freed items go to a per-thread cache
 * bucket (each thread maps to one of the zone's cache shards by its thread
 * id, and a shard is locked only by the threads that map to it), then to
 * the zone's shared free list.  uminit/fini run when an item is made from
 * or given back to host memory; ctor/dtor on every alloc/free.
 */
#ifndef _VM_UMA_H_
#define	_VM_UMA_H_

#include <sys/types.h>
#include <sys/malloc.h>

typedef struct uma_zone	*uma_zone_t;
typedef int	(*uma_ctor)(void *mem, int size, void *arg, int flags);
typedef void	(*uma_dtor)(void *mem, int size, void *arg);
typedef int	(*uma_init)(void *mem, int size, int flags);
typedef void	(*uma_fini)(void *mem, int size);

#define	UMA_ALIGN_PTR	(sizeof(void *) - 1)
#define	UMA_ALIGN_LONG	(sizeof(long) - 1)
#define	UMA_ALIGN_INT	(sizeof(int) - 1)
#define	UMA_ALIGN_SHORT	(sizeof(short) - 1)
#define	UMA_ALIGN_CHAR	(sizeof(char) - 1)
#define	UMA_ALIGN_CACHE	(64 - 1)

#define	UMA_ZONE_ZINIT		0x0002	/* zero items when made */
#define	UMA_ZONE_NOFREE		0x0020
#define	UMA_ZONE_NOBUCKET	0x0400	/* no per-thread caches */
#define	UMA_ZONE_VM		0x0080
#define	UMA_ZONE_PCPU		0x8000

uma_zone_t uma_zcreate(const char *name, size_t size, uma_ctor ctor,
	    uma_dtor dtor, uma_init uminit, uma_fini fini, int align,
	    uint32_t flags);
void	uma_zdestroy(uma_zone_t zone);
void	*uma_zalloc_arg(uma_zone_t zone, void *arg, int flags);
void	uma_zfree_arg(uma_zone_t zone, void *item, void *arg);
#define	uma_zalloc(zone, flags)	uma_zalloc_arg((zone), NULL, (flags))
#define	uma_zfree(zone, item)	uma_zfree_arg((zone), (item), NULL)
/* Limit on items in use; uma_zalloc(M_NOWAIT) fails beyond it. */
int	uma_zone_set_max(uma_zone_t zone, int nitems);
int	uma_zone_get_max(uma_zone_t zone);
/* Items allocated and not freed. */
int	uma_zone_get_cur(uma_zone_t zone);
/* Gives cached free items back to the host. */
void	uma_zone_reclaim(uma_zone_t zone);
const char *uma_zone_get_name(uma_zone_t zone);

#endif /* !_VM_UMA_H_ */
