/*
 * subr_hash.c - hashinit(9): power-of-two arrays of list heads.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/queue.h>

LIST_HEAD(generic, generic);

void *
hashinit_flags(int elements, struct malloc_type *type, u_long *hashmask,
    int flags)
{
	struct generic *tbl;
	long size;

	if (elements <= 0)
		panic("hashinit: bad element count %d", elements);
	for (size = 1; size <= elements; size <<= 1)
		continue;
	size >>= 1;
	tbl = malloc((u_long)size * sizeof(*tbl), type,
	    (flags & HASH_NOWAIT) ? M_NOWAIT : M_WAITOK);
	if (tbl == NULL)
		return (NULL);
	for (long i = 0; i < size; i++)
		LIST_INIT(&tbl[i]);
	*hashmask = (u_long)size - 1;
	return (tbl);
}

void *
hashinit(int elements, struct malloc_type *type, u_long *hashmask)
{
	return (hashinit_flags(elements, type, hashmask, HASH_WAITOK));
}

void
hashdestroy(void *vhashtbl, struct malloc_type *type, u_long hashmask)
{
	struct generic *tbl = vhashtbl;

	for (u_long i = 0; i <= hashmask; i++) {
		if (!LIST_EMPTY(&tbl[i]))
			panic("hashdestroy: hash table not empty");
	}
	free(tbl, type);
}
