/*
 * subr_uma.c - the zone allocator (vm/uma.h).
 *
 * Each zone has UMA_SHARDS cache buckets; a thread uses the bucket of its
 * thread id, so threads rarely contend on a bucket lock.  Behind the
 * buckets is the zone's free stack, under the zone lock, and behind that
 * host memory.  A bucket trades half its size with the free stack at
 * once: one that is empty on an allocation takes up to UMA_BUCKET / 2
 * items, one that is full on a free gives UMA_BUCKET / 2 back, so a
 * thread that only allocates (a sender's mbufs) or only frees (their
 * receiver) meets the zone lock once every UMA_BUCKET / 2 items, not
 * once an item.  The zone lock comes before a bucket's.  Items keep
 * their uminit state while cached; uminit runs when an item is made and
 * fini when it goes back to the host.
 *
 * With a limit (uma_zone_set_max), frees bypass the buckets so that a
 * thread waiting for an item (M_WAITOK) sees every freed one.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/proc.h>
#include <vm/uma.h>
#include <machine/host.h>

#include "kern_internal.h"

#define	UMA_SHARDS	8
#define	UMA_BUCKET	32

struct uma_shard {
	struct host_mutex us_lock;
	int		 us_cnt;
	void		*us_items[UMA_BUCKET];
} __aligned(64);

struct uma_zone {
	const char	*uz_name;
	size_t		 uz_size;
	uma_ctor	 uz_ctor;
	uma_dtor	 uz_dtor;
	uma_init	 uz_init;
	uma_fini	 uz_fini;
	uint32_t	 uz_flags;
	size_t		 uz_align;	/* alignment of items (power of 2) */
	struct host_mutex uz_lock;	/* protects the fields below */
	struct host_cond uz_cv;		/* M_WAITOK waiters at the limit */
	void		**uz_free;	/* free stack */
	int		 uz_nfree;
	int		 uz_freecap;
	int		 uz_items;	/* made from host memory */
	int		 uz_max;	/* 0: no limit */
	int		 uz_sleepers;
	int		 uz_cur;	/* handed out (atomic) */
	struct uma_shard uz_shards[UMA_SHARDS];
};

uma_zone_t
uma_zcreate(const char *name, size_t size, uma_ctor ctor, uma_dtor dtor,
    uma_init uminit, uma_fini fini, int align, uint32_t flags)
{
	struct uma_zone *z;

	if (size == 0)
		panic("uma_zcreate(%s): zero item size", name);
	z = host_calloc(1, sizeof(*z));
	if (z == NULL)
		panic("uma_zcreate(%s): out of memory", name);
	z->uz_name = name;
	if (((size_t)align & ((size_t)align + 1)) != 0)
		panic("uma_zcreate(%s): alignment mask %d is not 2^n - 1", name,
		    align);
	z->uz_align = imax(align + 1, (int)sizeof(void *));
	z->uz_size = roundup2(size, z->uz_align);
	z->uz_ctor = ctor;
	z->uz_dtor = dtor;
	z->uz_init = uminit;
	z->uz_fini = fini;
	z->uz_flags = flags;
	host_mutex_init(&z->uz_lock);
	host_cond_init(&z->uz_cv);
	for (int i = 0; i < UMA_SHARDS; i++)
		host_mutex_init(&z->uz_shards[i].us_lock);
	return (z);
}

static void
zone_release_item(uma_zone_t z, void *item)
{
	if (z->uz_fini != NULL)
		z->uz_fini(item, (int)z->uz_size);
	host_free(item);
}

/* Pushes an item on the free stack.  Zone lock held. */
static void
zone_push_locked(uma_zone_t z, void *item)
{
	if (z->uz_nfree == z->uz_freecap) {
		int ncap = z->uz_freecap ? z->uz_freecap * 2 : 64;
		void **n = host_realloc(z->uz_free, ncap * sizeof(void *));

		if (n == NULL) {
			z->uz_items--;
			zone_release_item(z, item);
			return;
		}
		z->uz_free = n;
		z->uz_freecap = ncap;
	}
	z->uz_free[z->uz_nfree++] = item;
	if (z->uz_sleepers > 0)
		host_cond_signal(&z->uz_cv);
}

static void
zone_drain_shards_locked(uma_zone_t z)
{
	for (int i = 0; i < UMA_SHARDS; i++) {
		struct uma_shard *s = &z->uz_shards[i];

		host_mutex_lock(&s->us_lock);
		while (s->us_cnt > 0)
			zone_push_locked(z, s->us_items[--s->us_cnt]);
		host_mutex_unlock(&s->us_lock);
	}
}

void
uma_zdestroy(uma_zone_t z)
{
	int cur = __atomic_load_n(&z->uz_cur, __ATOMIC_RELAXED);

	if (cur != 0)
		kern_log(4, "uma_zdestroy: zone \"%s\" destroyed with %d "
		    "items in use\n", z->uz_name, cur);
	host_mutex_lock(&z->uz_lock);
	zone_drain_shards_locked(z);
	while (z->uz_nfree > 0)
		zone_release_item(z, z->uz_free[--z->uz_nfree]);
	host_mutex_unlock(&z->uz_lock);
	host_free(z->uz_free);
	for (int i = 0; i < UMA_SHARDS; i++)
		host_mutex_destroy(&z->uz_shards[i].us_lock);
	host_cond_destroy(&z->uz_cv);
	host_mutex_destroy(&z->uz_lock);
	host_free(z);
}

static struct uma_shard *
zone_shard(uma_zone_t z)
{
	return (&z->uz_shards[(u_int)curthread->td_tid % UMA_SHARDS]);
}

/* Fill s up to half a bucket from the free stack.  Zone lock held. */
static void
zone_refill_locked(uma_zone_t z, struct uma_shard *s)
{
	host_mutex_lock(&s->us_lock);
	while (s->us_cnt < UMA_BUCKET / 2 && z->uz_nfree > 0)
		s->us_items[s->us_cnt++] = z->uz_free[--z->uz_nfree];
	host_mutex_unlock(&s->us_lock);
}

/* Empty s down to half a bucket onto the free stack.  Zone lock held. */
static void
zone_spill_locked(uma_zone_t z, struct uma_shard *s)
{
	host_mutex_lock(&s->us_lock);
	while (s->us_cnt > UMA_BUCKET / 2)
		zone_push_locked(z, s->us_items[--s->us_cnt]);
	host_mutex_unlock(&s->us_lock);
}

static void *
zone_alloc_item(uma_zone_t z, int flags)
{
	struct uma_shard *s = NULL;
	void *item = NULL;

	if (!(z->uz_flags & UMA_ZONE_NOBUCKET)) {
		s = zone_shard(z);
		host_mutex_lock(&s->us_lock);
		if (s->us_cnt > 0)
			item = s->us_items[--s->us_cnt];
		host_mutex_unlock(&s->us_lock);
		if (item != NULL)
			return (item);
	}
	host_mutex_lock(&z->uz_lock);
	for (;;) {
		if (z->uz_nfree > 0) {
			item = z->uz_free[--z->uz_nfree];
			/*
			 * A limited zone keeps its free items where a waiter
			 * sees them (frees bypass the buckets too).
			 */
			if (s != NULL && z->uz_max == 0)
				zone_refill_locked(z, s);
			host_mutex_unlock(&z->uz_lock);
			return (item);
		}
		if (z->uz_max == 0 || z->uz_items < z->uz_max)
			break;
		if (flags & M_NOWAIT) {
			host_mutex_unlock(&z->uz_lock);
			return (NULL);
		}
		if (curthread->td_nwakeq > 0)
			kern_wake_flush(curthread);	/* before blocking */
		z->uz_sleepers++;
		host_cond_wait(&z->uz_cv, &z->uz_lock);
		z->uz_sleepers--;
	}
	z->uz_items++;
	host_mutex_unlock(&z->uz_lock);

	item = host_aligned_alloc(z->uz_align, z->uz_size);
	if (item != NULL && (z->uz_flags & UMA_ZONE_ZINIT))
		bzero(item, z->uz_size);
	if (item != NULL && z->uz_init != NULL &&
	    z->uz_init(item, (int)z->uz_size, flags) != 0) {
		host_free(item);
		item = NULL;
	}
	if (item == NULL) {
		host_mutex_lock(&z->uz_lock);
		z->uz_items--;
		if (z->uz_sleepers > 0)
			host_cond_signal(&z->uz_cv);
		host_mutex_unlock(&z->uz_lock);
		if (flags & M_WAITOK)
			panic("uma_zalloc(%s, M_WAITOK): out of memory",
			    z->uz_name);
	}
	return (item);
}

static void
zone_free_item(uma_zone_t z, void *item)
{
	struct uma_shard *s = NULL;

	if (!(z->uz_flags & UMA_ZONE_NOBUCKET) &&
	    __atomic_load_n(&z->uz_max, __ATOMIC_RELAXED) == 0) {
		s = zone_shard(z);
		host_mutex_lock(&s->us_lock);
		if (s->us_cnt < UMA_BUCKET) {
			s->us_items[s->us_cnt++] = item;
			host_mutex_unlock(&s->us_lock);
			return;
		}
		host_mutex_unlock(&s->us_lock);
	}
	host_mutex_lock(&z->uz_lock);
	/* A limit set meanwhile drained the buckets: s stays empty. */
	if (s != NULL && z->uz_max == 0)
		zone_spill_locked(z, s);
	zone_push_locked(z, item);
	host_mutex_unlock(&z->uz_lock);
}

void *
uma_zalloc_arg(uma_zone_t z, void *arg, int flags)
{
	void *item;

	item = zone_alloc_item(z, flags);
	if (item == NULL)
		return (NULL);
	if (flags & M_ZERO)
		bzero(item, z->uz_size);
	if (z->uz_ctor != NULL &&
	    z->uz_ctor(item, (int)z->uz_size, arg, flags) != 0) {
		zone_free_item(z, item);
		return (NULL);
	}
	__atomic_fetch_add(&z->uz_cur, 1, __ATOMIC_RELAXED);
	return (item);
}

void
uma_zfree_arg(uma_zone_t z, void *item, void *arg)
{
	if (item == NULL)
		return;
	if (z->uz_dtor != NULL)
		z->uz_dtor(item, (int)z->uz_size, arg);
	__atomic_fetch_sub(&z->uz_cur, 1, __ATOMIC_RELAXED);
	zone_free_item(z, item);
}

int
uma_zone_set_max(uma_zone_t z, int nitems)
{
	host_mutex_lock(&z->uz_lock);
	__atomic_store_n(&z->uz_max, nitems, __ATOMIC_RELAXED);
	zone_drain_shards_locked(z);
	host_cond_broadcast(&z->uz_cv);
	host_mutex_unlock(&z->uz_lock);
	return (nitems);
}

int
uma_zone_get_max(uma_zone_t z)
{
	return (__atomic_load_n(&z->uz_max, __ATOMIC_RELAXED));
}

int
uma_zone_get_cur(uma_zone_t z)
{
	return (__atomic_load_n(&z->uz_cur, __ATOMIC_RELAXED));
}

void
uma_zone_reclaim(uma_zone_t z)
{
	host_mutex_lock(&z->uz_lock);
	zone_drain_shards_locked(z);
	while (z->uz_nfree > 0) {
		z->uz_items--;
		zone_release_item(z, z->uz_free[--z->uz_nfree]);
	}
	host_mutex_unlock(&z->uz_lock);
}

const char *
uma_zone_get_name(uma_zone_t z)
{
	return (z->uz_name);
}
