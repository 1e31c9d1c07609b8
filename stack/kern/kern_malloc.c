/*
 * kern_malloc.c - malloc(9) over the host allocator, with per-type
 * statistics.  Each block carries a header naming its type and size, so
 * free() with the wrong type panics.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <machine/host.h>

MALLOC_DEFINE(M_DEVBUF, "devbuf", "device driver memory");
MALLOC_DEFINE(M_TEMP, "temp", "misc temporary data buffers");

struct malloc_hdr {
	struct malloc_type	*mh_type;
	size_t			 mh_size;
};
CTASSERT(sizeof(struct malloc_hdr) == 16);

static void
malloc_account(struct malloc_type *type, size_t size, int sign)
{
	if (sign > 0) {
		__atomic_fetch_add(&type->ks_inuse, size, __ATOMIC_RELAXED);
		__atomic_fetch_add(&type->ks_memuse, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&type->ks_calls, 1, __ATOMIC_RELAXED);
	} else {
		__atomic_fetch_sub(&type->ks_inuse, size, __ATOMIC_RELAXED);
		__atomic_fetch_sub(&type->ks_memuse, 1, __ATOMIC_RELAXED);
	}
}

void *
kern_malloc(size_t size, struct malloc_type *type, int flags)
{
	struct malloc_hdr *mh;

	if ((flags & (M_WAITOK | M_NOWAIT)) == (M_WAITOK | M_NOWAIT))
		panic("malloc(%zu, %s): both M_WAITOK and M_NOWAIT", size,
		    type->ks_shortdesc);
	if (flags & M_ZERO)
		mh = host_calloc(1, sizeof(*mh) + size);
	else
		mh = host_malloc(sizeof(*mh) + size);
	if (mh == NULL) {
		if (flags & M_WAITOK)
			panic("malloc(%zu, %s, M_WAITOK): out of memory", size,
			    type->ks_shortdesc);
		return (NULL);
	}
	mh->mh_type = type;
	mh->mh_size = size;
	malloc_account(type, size, 1);
	return (mh + 1);
}

static struct malloc_hdr *
malloc_hdr(void *addr, struct malloc_type *type, const char *op)
{
	struct malloc_hdr *mh = (struct malloc_hdr *)addr - 1;

	if (mh->mh_type != type)
		panic("%s(%p, %s): block was allocated as type %s", op, addr,
		    type->ks_shortdesc, mh->mh_type != NULL ?
		    mh->mh_type->ks_shortdesc : "(none, or freed)");
	return (mh);
}

void
kern_free(void *addr, struct malloc_type *type)
{
	struct malloc_hdr *mh;

	if (addr == NULL)
		return;
	mh = malloc_hdr(addr, type, "free");
	malloc_account(type, mh->mh_size, -1);
	mh->mh_type = NULL;
	host_free(mh);
}

void *
kern_realloc(void *addr, size_t size, struct malloc_type *type, int flags)
{
	struct malloc_hdr *mh, *nmh;
	size_t osize;

	if (addr == NULL)
		return (kern_malloc(size, type, flags));
	mh = malloc_hdr(addr, type, "realloc");
	osize = mh->mh_size;
	nmh = host_realloc(mh, sizeof(*nmh) + size);
	if (nmh == NULL) {
		if (flags & M_WAITOK)
			panic("realloc(%zu, %s, M_WAITOK): out of memory",
			    size, type->ks_shortdesc);
		return (NULL);
	}
	if ((flags & M_ZERO) && size > osize)
		bzero((char *)(nmh + 1) + osize, size - osize);
	nmh->mh_size = size;
	malloc_account(type, osize, -1);
	malloc_account(type, size, 1);
	return (nmh + 1);
}

void *
kern_reallocf(void *addr, size_t size, struct malloc_type *type, int flags)
{
	void *mem = kern_realloc(addr, size, type, flags);

	if (mem == NULL)
		kern_free(addr, type);
	return (mem);
}

uint64_t
malloc_type_inuse(struct malloc_type *type)
{
	return (__atomic_load_n(&type->ks_inuse, __ATOMIC_RELAXED));
}

uint64_t
malloc_type_allocs(struct malloc_type *type)
{
	return (__atomic_load_n(&type->ks_memuse, __ATOMIC_RELAXED));
}
