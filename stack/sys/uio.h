/*
 * uio.h - scatter/gather I/O descriptors for the socket layer.  The
 * "user" address space is the application's own memory.
 */
#ifndef _SYS_UIO_H_
#define	_SYS_UIO_H_

#include <sys/types.h>

struct thread;

struct iovec {
	void	*iov_base;
	size_t	 iov_len;
};

enum uio_rw { UIO_READ, UIO_WRITE };
enum uio_seg { UIO_USERSPACE, UIO_SYSSPACE, UIO_NOCOPY };

struct uio {
	struct iovec	*uio_iov;
	int		 uio_iovcnt;
	off_t		 uio_offset;
	ssize_t		 uio_resid;
	enum uio_seg	 uio_segflg;
	enum uio_rw	 uio_rw;
	struct thread	*uio_td;
};

#define	UIO_MAXIOV	1024

/* Moves n bytes between cp and the uio, in the direction of uio_rw. */
int	uiomove(void *cp, int n, struct uio *uio);

#endif /* !_SYS_UIO_H_ */
