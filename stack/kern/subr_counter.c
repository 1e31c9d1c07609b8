/*
 * subr_counter.c - counter(9): COUNTER_SHARDS cache-line shards per
 * counter; a thread adds to the shard of its thread id (sys/counter.h).
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/counter.h>
#include <sys/malloc.h>
#include <sys/proc.h>

MALLOC_DEFINE(M_COUNTER, "counter", "counter(9) shards");

#define	COUNTER_BYTES	(COUNTER_SHARDS * COUNTER_STRIDE * sizeof(uint64_t))

counter_u64_t
counter_u64_alloc(int flags)
{
	char *raw;
	uintptr_t p;

	raw = malloc(COUNTER_BYTES + CACHE_LINE_SIZE + sizeof(void *),
	    M_COUNTER, flags | M_ZERO);
	if (raw == NULL)
		return (NULL);
	p = roundup2((uintptr_t)raw + sizeof(void *), CACHE_LINE_SIZE);
	((void **)p)[-1] = raw;
	return ((counter_u64_t)p);
}

void
counter_u64_free(counter_u64_t c)
{
	if (c != NULL)
		free(((void **)c)[-1], M_COUNTER);
}

int
kern_counter_shard(void)
{
	return ((int)((u_int)curthread->td_tid % COUNTER_SHARDS));
}

uint64_t
counter_u64_fetch(counter_u64_t c)
{
	uint64_t sum = 0;

	for (int i = 0; i < COUNTER_SHARDS; i++)
		sum += __atomic_load_n(&c[i * COUNTER_STRIDE],
		    __ATOMIC_RELAXED);
	return (sum);
}

void
counter_u64_zero(counter_u64_t c)
{
	for (int i = 0; i < COUNTER_SHARDS; i++)
		__atomic_store_n(&c[i * COUNTER_STRIDE], 0, __ATOMIC_RELAXED);
}
