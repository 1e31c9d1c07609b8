/*
 * malloc.h - malloc(9) with per-type statistics.  malloc/free/realloc are
 * function-like macros over kern_* so that no libc name is defined.
 */
#ifndef _SYS_MALLOC_H_
#define	_SYS_MALLOC_H_

#include <sys/types.h>

#define	M_NOWAIT	0x0001
#define	M_WAITOK	0x0002
#define	M_ZERO		0x0100
#define	M_NOVM		0x0200
#define	M_USE_RESERVE	0x0400

struct malloc_type {
	const char	*ks_shortdesc;
	uint64_t	 ks_inuse;	/* bytes in use (atomic) */
	uint64_t	 ks_calls;	/* allocations ever (atomic) */
	uint64_t	 ks_memuse;	/* allocations in use (atomic) */
};

#define	MALLOC_DEFINE(type, shortdesc, longdesc)			\
	struct malloc_type type[1] = { { (shortdesc), 0, 0, 0 } }
#define	MALLOC_DECLARE(type)	extern struct malloc_type type[1]

MALLOC_DECLARE(M_DEVBUF);
MALLOC_DECLARE(M_TEMP);

void	*kern_malloc(size_t size, struct malloc_type *type, int flags);
void	kern_free(void *addr, struct malloc_type *type);
void	*kern_realloc(void *addr, size_t size, struct malloc_type *type,
	    int flags);
void	*kern_reallocf(void *addr, size_t size, struct malloc_type *type,
	    int flags);
#define	malloc(size, type, flags)	kern_malloc((size), (type), (flags))
#define	free(addr, type)		kern_free((addr), (type))
#define	realloc(addr, size, type, flags)				\
	kern_realloc((addr), (size), (type), (flags))
#define	reallocf(addr, size, type, flags)				\
	kern_reallocf((addr), (size), (type), (flags))
/* 4.4BSD spellings. */
#define	MALLOC(space, cast, size, type, flags)				\
	((space) = (cast)kern_malloc((size), (type), (flags)))
#define	FREE(addr, type)	kern_free((addr), (type))

/* Statistics of one type: bytes and allocations in use. */
uint64_t malloc_type_inuse(struct malloc_type *type);
uint64_t malloc_type_allocs(struct malloc_type *type);

#endif /* !_SYS_MALLOC_H_ */
