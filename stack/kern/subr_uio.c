/*
 * subr_uio.c - uiomove(9), copyin/copyout and the kernel random numbers.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/uio.h>
#include <machine/host.h>

int
uiomove(void *cp, int n, struct uio *uio)
{
	struct iovec *iov;
	size_t cnt;

	if (uio->uio_rw != UIO_READ && uio->uio_rw != UIO_WRITE)
		panic("uiomove: bad uio_rw %d", (int)uio->uio_rw);
	while (n > 0 && uio->uio_resid > 0) {
		if (uio->uio_iovcnt <= 0)
			panic("uiomove: uio_resid %zd beyond its iovecs",
			    uio->uio_resid);
		iov = uio->uio_iov;
		cnt = iov->iov_len;
		if (cnt == 0) {
			uio->uio_iov++;
			uio->uio_iovcnt--;
			continue;
		}
		if (cnt > (size_t)n)
			cnt = (size_t)n;
		if (uio->uio_rw == UIO_READ)
			memcpy(iov->iov_base, cp, cnt);
		else
			memcpy(cp, iov->iov_base, cnt);
		iov->iov_base = (char *)iov->iov_base + cnt;
		iov->iov_len -= cnt;
		uio->uio_resid -= (ssize_t)cnt;
		uio->uio_offset += (off_t)cnt;
		cp = (char *)cp + cnt;
		n -= (int)cnt;
	}
	return (0);
}

int
copyin(const void *uaddr, void *kaddr, size_t len)
{
	if (uaddr == NULL && len != 0)
		return (EFAULT);
	memcpy(kaddr, uaddr, len);
	return (0);
}

int
copyout(const void *kaddr, void *uaddr, size_t len)
{
	if (uaddr == NULL && len != 0)
		return (EFAULT);
	memcpy(uaddr, kaddr, len);
	return (0);
}

/*
 * Per-thread xorshift64* generators seeded from the host's entropy: fast,
 * and no shared state between threads.
 */
static uint64_t
rand_next(void)
{
	struct thread *td = curthread;
	uint64_t x;

	__builtin_memcpy(&x, td->td_rand, sizeof(x));
	if (x == 0) {
		while (x == 0)
			host_getrandom(&x, sizeof(x));
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	__builtin_memcpy(td->td_rand, &x, sizeof(x));
	return (x * 0x2545F4914F6CDD1DULL);
}

uint32_t
kern_arc4random(void)
{
	return ((uint32_t)(rand_next() >> 32));
}

void
kern_arc4rand(void *ptr, u_int len, int reseed)
{
	u_char *p = ptr;
	uint64_t r;

	while (len > 0) {
		r = rand_next();
		for (int i = 0; i < 8 && len > 0; i++, len--) {
			*p++ = (u_char)r;
			r >>= 8;
		}
	}
}

u_long
kern_random(void)
{
	return ((u_long)(rand_next() >> 33));
}
