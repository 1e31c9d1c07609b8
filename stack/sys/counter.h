/*
 * counter.h - counter(9): statistics counters split in shards (one cache
 * line each) so that concurrent adds from different threads rarely share a
 * line.  A thread always adds to the shard of its thread id; fetch sums
 * all shards, so the sum is exact.
 */
#ifndef _SYS_COUNTER_H_
#define	_SYS_COUNTER_H_

#include <sys/types.h>
#include <sys/proc.h>

typedef uint64_t	*counter_u64_t;

#define	COUNTER_SHARDS	16
#define	COUNTER_STRIDE	8	/* uint64_t per shard: one cache line */

counter_u64_t counter_u64_alloc(int flags);
void	counter_u64_free(counter_u64_t c);
uint64_t counter_u64_fetch(counter_u64_t c);
void	counter_u64_zero(counter_u64_t c);
int	kern_counter_shard(void);

static __inline void
counter_u64_add(counter_u64_t c, int64_t inc)
{
	u_int shard = (u_int)curthread->td_tid % COUNTER_SHARDS;

	__atomic_fetch_add(&c[shard * COUNTER_STRIDE],
	    (uint64_t)inc, __ATOMIC_RELAXED);
}

#define	COUNTER_ARRAY_ALLOC(a, n, wait) do {				\
	for (int _i = 0; _i < (n); _i++)				\
		(a)[_i] = counter_u64_alloc(wait);			\
} while (0)
#define	COUNTER_ARRAY_FREE(a, n) do {					\
	for (int _i = 0; _i < (n); _i++)				\
		counter_u64_free((a)[_i]);				\
} while (0)
#define	COUNTER_ARRAY_ZERO(a, n) do {					\
	for (int _i = 0; _i < (n); _i++)				\
		counter_u64_zero((a)[_i]);				\
} while (0)

#endif /* !_SYS_COUNTER_H_ */
