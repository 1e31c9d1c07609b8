/*
 * The socket system calls of the application interface (bsdnet.h):
 * a descriptor table of sockets and the bsd_* entry points.
 *
 * Every call enters the kernel in the instance its socket belongs to
 * (CURVNET_SET) and takes Giant around the socket layer unless the
 * protocol is PR_MPSAFE.  The descriptor table has its own mutex, as
 * the file descriptor table did.  A descriptor holds a reference on its
 * file while a call uses it, so a close from another thread takes effect
 * when the last call returns.
 *
 * A call finds its file without the table's mutex (getsock()), as
 * FreeBSD's fget_unlocked() does: it takes a reference on the file the
 * slot names unless the count is already zero, then checks that the slot
 * still names it.  That is safe because files are type-stable: a closed
 * file goes to a free list, never back to the allocator, so the file a
 * slot named a moment ago is still a file.  The mutex serializes the
 * changes of the table and of the free list; the slots are read and
 * written atomically.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/limits.h>
#include <sys/stddef.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <sys/proc.h>
#include <sys/refcount.h>
#include <sys/uio.h>
#include <sys/domain.h>
#include <sys/protosw.h>
#include <sys/socket.h>
#include <sys/socketvar.h>
#include <sys/ucred.h>
#include <machine/atomic.h>
#include <net/vnet.h>
#include <net/host/net_host.h>
#include <bsdnet.h>

/* The application interface mirrors the kernel's constants. */
CTASSERT(BSD_AF_INET == AF_INET);
CTASSERT(BSD_SOCK_DGRAM == SOCK_DGRAM && BSD_SOCK_STREAM == SOCK_STREAM);
CTASSERT(BSD_SOL_SOCKET == SOL_SOCKET && BSD_SO_RCVTIMEO == SO_RCVTIMEO);
CTASSERT(BSD_MSG_DONTWAIT == MSG_DONTWAIT && BSD_MSG_PEEK == MSG_PEEK);
CTASSERT(BSD_POLLIN == SO_POLLIN && BSD_POLLOUT == SO_POLLOUT);
CTASSERT(sizeof(struct bsd_timeval) == sizeof(struct timeval));
CTASSERT(sizeof(struct bsd_linger) == sizeof(struct linger));

MALLOC_DEFINE(M_FILE, "file", "open sockets");

#define	NFILES		4096
#define	FD_BASE		3		/* never 0, 1 or 2 */

struct file {
	struct	socket *f_so;
	u_int	f_count;		/* table + calls in progress */
	struct	file *f_next;		/* on file_free (fd_mtx) */
};

static struct file *fdtbl[NFILES];
static int	fd_next;		/* rotor for allocation */
static struct file *file_free;		/* closed files, for reuse */
static struct mtx fd_mtx;
MTX_SYSINIT(fdtbl, &fd_mtx, "fdtbl", MTX_DEF);

#define	NEEDS_GIANT(so)	SOCK_NEEDS_GIANT(so)

#define	FD_SLOT(i)	((volatile uintptr_t *)&fdtbl[(i)])

static void	fdrop(struct file *fp);

static int
fdalloc(struct socket *so, int *fdp)
{
	struct file *fp;
	int i, idx;

	mtx_lock(&fd_mtx);
	if ((fp = file_free) != NULL)
		file_free = fp->f_next;
	mtx_unlock(&fd_mtx);
	if (fp == NULL)
		fp = malloc(sizeof(*fp), M_FILE, M_WAITOK | M_ZERO);
	fp->f_so = so;
	/* A lookup holding a stale pointer may test the count meanwhile. */
	atomic_store_rel_int(&fp->f_count, 1);
	mtx_lock(&fd_mtx);
	for (i = 0; i < NFILES; i++) {
		idx = (fd_next + i) % NFILES;
		if (fdtbl[idx] == NULL) {
			atomic_store_rel_ptr(FD_SLOT(idx), (uintptr_t)fp);
			fd_next = idx + 1;
			mtx_unlock(&fd_mtx);
			*fdp = idx + FD_BASE;
			return (0);
		}
	}
	atomic_store_rel_int(&fp->f_count, 0);
	fp->f_next = file_free;
	file_free = fp;
	mtx_unlock(&fd_mtx);
	return (EMFILE);
}

static int
getsock(int fd, struct file **fpp)
{
	struct file *fp;
	int idx;

	if (fd < FD_BASE || fd >= NFILES + FD_BASE)
		return (EBADF);
	idx = fd - FD_BASE;
	for (;;) {
		fp = (struct file *)atomic_load_acq_ptr(FD_SLOT(idx));
		if (fp == NULL)
			return (EBADF);
		/* Zero: closed (and perhaps reused) since the load. */
		if (!refcount_acquire_if_not_zero(&fp->f_count))
			continue;
		if ((struct file *)atomic_load_acq_ptr(FD_SLOT(idx)) == fp)
			break;
		fdrop(fp);		/* the slot moved on; look again */
	}
	*fpp = fp;
	return (0);
}

/* Drop a reference; the last one closes the socket. */
static void
fdrop(struct file *fp)
{
	struct socket *so;

	if (!refcount_release(&fp->f_count))
		return;
	so = fp->f_so;
	CURVNET_SET(so->so_vnet);
	if (NEEDS_GIANT(so)) {
		mtx_lock(&Giant);
		soclose(so);
		mtx_unlock(&Giant);
	} else
		soclose(so);
	CURVNET_RESTORE();
	mtx_lock(&fd_mtx);
	fp->f_next = file_free;
	file_free = fp;
	mtx_unlock(&fd_mtx);
}

/* Enter the kernel for socket so: its instance, and Giant if needed. */
#define	SOCALL_ENTER(so) do {						\
	CURVNET_SET((so)->so_vnet);					\
	if (NEEDS_GIANT(so))						\
		mtx_lock(&Giant)
#define	SOCALL_EXIT(so)							\
	if (NEEDS_GIANT(so))						\
		mtx_unlock(&Giant);					\
	CURVNET_RESTORE();						\
} while (0)

static int
seterr(int error)
{

	if (error == 0)
		return (0);
	net_host_set_errno(error);
	return (-1);
}

/* Copy an application sockaddr in, checking its length. */
static int
getsockaddr(struct sockaddr **namp, const struct bsd_sockaddr *uaddr,
    bsd_socklen_t len)
{
	struct sockaddr *sa;

	if (uaddr == NULL)
		return (EFAULT);
	if (len > SOCK_MAXADDRLEN)
		return (ENAMETOOLONG);
	if (len < offsetof(struct sockaddr, sa_data))
		return (EINVAL);
	sa = malloc(len, M_SONAME, M_WAITOK);
	bcopy(uaddr, sa, len);
	sa->sa_len = len;
	*namp = sa;
	return (0);
}

/* Copy a kernel sockaddr out, truncated to *lenp; *lenp = its length. */
static void
putsockaddr(struct sockaddr *sa, struct bsd_sockaddr *uaddr,
    bsd_socklen_t *lenp)
{
	bsd_socklen_t len;

	if (uaddr == NULL || lenp == NULL)
		return;
	if (sa == NULL) {
		*lenp = 0;
		return;
	}
	len = MIN(*lenp, sa->sa_len);
	bcopy(sa, uaddr, len);
	*lenp = sa->sa_len;
}

int
bsd_socket(int domain, int type, int protocol)
{
	struct protosw *prp;
	struct socket *so;
	int error, fd, giant;

	if (curvnet == NULL)
		return (seterr(ENETDOWN));
	prp = protocol ? pffindproto(domain, protocol, type) :
	    pffindtype(domain, type);
	giant = prp == NULL || (prp->pr_flags & PR_MPSAFE) == 0;
	if (giant)
		mtx_lock(&Giant);
	error = socreate(domain, &so, type, protocol, proc0_cred, curthread);
	if (giant)
		mtx_unlock(&Giant);
	if (error)
		return (seterr(error));
	error = fdalloc(so, &fd);
	if (error) {
		if (giant)
			mtx_lock(&Giant);
		soclose(so);
		if (giant)
			mtx_unlock(&Giant);
		return (seterr(error));
	}
	return (fd);
}

int
bsd_bind(int s, const struct bsd_sockaddr *addr, bsd_socklen_t len)
{
	struct file *fp;
	struct sockaddr *sa;
	int error;

	if ((error = getsock(s, &fp)) != 0)
		return (seterr(error));
	if ((error = getsockaddr(&sa, addr, len)) == 0) {
		SOCALL_ENTER(fp->f_so);
		error = sobind(fp->f_so, sa, curthread);
		SOCALL_EXIT(fp->f_so);
		free(sa, M_SONAME);
	}
	fdrop(fp);
	return (seterr(error));
}

int
bsd_listen(int s, int backlog)
{
	struct file *fp;
	int error;

	if ((error = getsock(s, &fp)) != 0)
		return (seterr(error));
	SOCALL_ENTER(fp->f_so);
	error = solisten(fp->f_so, backlog, curthread);
	SOCALL_EXIT(fp->f_so);
	fdrop(fp);
	return (seterr(error));
}

int
bsd_accept(int s, struct bsd_sockaddr *addr, bsd_socklen_t *lenp)
{
	struct file *fp;
	struct socket *head, *so;
	struct sockaddr *sa;
	int error, fd, nbio, ss, timo;

	if ((error = getsock(s, &fp)) != 0)
		return (seterr(error));
	head = fp->f_so;
	so = NULL;
	sa = NULL;
	fd = -1;
	SOCALL_ENTER(head);
	/*
	 * The listener's state is tested in its section, the queue taken
	 * from (or slept on) in the queue's (soqaccept), until a connection
	 * comes or the listener fails.  The connection comes with a
	 * reference: off the queue, a socket nobody holds would be freed by
	 * the protocol's close (a RST arriving now).
	 */
	for (;;) {
		ss = splnet();
		if ((head->so_options & SO_ACCEPTCONN) == 0)
			error = EINVAL;
		else if (head->so_error) {
			error = head->so_error;
			head->so_error = 0;
		} else if (head->so_state & SS_CANTRCVMORE)
			error = ECONNABORTED;
		nbio = (head->so_state & SS_NBIO) != 0;
		timo = head->so_rcv.sb_timeo;
		splx(ss);
		if (error == 0)
			error = soqaccept(head, nbio, timo, &so);
		if (error != 0 || so != NULL)
			break;
	}
	/*
	 * Accepted outside the listener's section, since its own calls raise
	 * the level for it.
	 */
	if (so != NULL) {
		error = soaccept(so, &sa);
		if (error == 0)
			error = fdalloc(so, &fd);
		if (error) {
			/* soaccept() gave it the descriptor's reference. */
			soclose(so);
			fd = -1;
		}
		if (sorele(so))
			sofree(so);
	}
	SOCALL_EXIT(head);
	if (error == 0)
		putsockaddr(sa, addr, lenp);
	if (sa != NULL)
		free(sa, M_SONAME);
	fdrop(fp);
	if (error)
		return (seterr(error));
	return (fd);
}

int
bsd_connect(int s, const struct bsd_sockaddr *addr, bsd_socklen_t len)
{
	struct file *fp;
	struct socket *so;
	struct sockaddr *sa;
	int busy, error, ss;

	if ((error = getsock(s, &fp)) != 0)
		return (seterr(error));
	so = fp->f_so;
	if ((error = getsockaddr(&sa, addr, len)) != 0) {
		fdrop(fp);
		return (seterr(error));
	}
	SOCALL_ENTER(so);
	ss = splnet();
	busy = (so->so_state & SS_NBIO) && (so->so_state & SS_ISCONNECTING);
	splx(ss);
	if (busy) {
		error = EALREADY;
		goto done;
	}
	error = soconnect(so, sa, curthread);
	if (error)
		goto done;
	/*
	 * A non-blocking connect of a connection protocol is in progress
	 * even when the handshake already finished (a peer in the same
	 * process answers at once): the caller learns it from poll.
	 */
	ss = splnet();
	if ((so->so_state & SS_NBIO) &&
	    (so->so_proto->pr_flags & PR_CONNREQUIRED)) {
		splx(ss);
		error = EINPROGRESS;
		goto done;
	}
	while ((so->so_state & SS_ISCONNECTING) && so->so_error == 0) {
		error = tsleep(&so->so_timeo, PSOCK | PCATCH, "connec", 0);
		if (error)
			break;
	}
	if (error == 0) {
		error = so->so_error;
		so->so_error = 0;
	}
	splx(ss);
done:
	SOCALL_EXIT(so);
	free(sa, M_SONAME);
	fdrop(fp);
	return (seterr(error));
}

static long
sendit(int s, const void *buf, size_t len, int flags,
    const struct bsd_sockaddr *to, bsd_socklen_t tolen)
{
	struct file *fp;
	struct sockaddr *sa;
	struct uio auio;
	struct iovec aiov;
	int error;

	if ((error = getsock(s, &fp)) != 0)
		return (seterr(error));
	sa = NULL;
	if (to != NULL && (error = getsockaddr(&sa, to, tolen)) != 0) {
		fdrop(fp);
		return (seterr(error));
	}
	if ((ssize_t)len < 0) {
		error = EINVAL;
		goto out;
	}
	aiov.iov_base = __DECONST(void *, buf);
	aiov.iov_len = len;
	auio.uio_iov = &aiov;
	auio.uio_iovcnt = 1;
	auio.uio_offset = 0;
	auio.uio_resid = len;
	auio.uio_segflg = UIO_USERSPACE;
	auio.uio_rw = UIO_WRITE;
	auio.uio_td = curthread;
	SOCALL_ENTER(fp->f_so);
	error = sosend(fp->f_so, sa, &auio, NULL, NULL, flags, curthread);
	SOCALL_EXIT(fp->f_so);
	/* A partial stream send is a success. */
	if (error && auio.uio_resid != (ssize_t)len &&
	    (error == EWOULDBLOCK || error == EINTR || error == ERESTART))
		error = 0;
out:
	if (sa != NULL)
		free(sa, M_SONAME);
	fdrop(fp);
	if (error)
		return (seterr(error));
	return ((long)(len - auio.uio_resid));
}

long
bsd_send(int s, const void *buf, size_t len, int flags)
{

	return (sendit(s, buf, len, flags, NULL, 0));
}

long
bsd_sendto(int s, const void *buf, size_t len, int flags,
    const struct bsd_sockaddr *to, bsd_socklen_t tolen)
{

	return (sendit(s, buf, len, flags, to, tolen));
}

static long
recvit(int s, void *buf, size_t len, int flags, struct bsd_sockaddr *from,
    bsd_socklen_t *fromlenp)
{
	struct file *fp;
	struct sockaddr *sa;
	struct uio auio;
	struct iovec aiov;
	int error;

	if ((error = getsock(s, &fp)) != 0)
		return (seterr(error));
	if ((ssize_t)len < 0) {
		fdrop(fp);
		return (seterr(EINVAL));
	}
	aiov.iov_base = buf;
	aiov.iov_len = len;
	auio.uio_iov = &aiov;
	auio.uio_iovcnt = 1;
	auio.uio_offset = 0;
	auio.uio_resid = len;
	auio.uio_segflg = UIO_USERSPACE;
	auio.uio_rw = UIO_READ;
	auio.uio_td = curthread;
	sa = NULL;
	SOCALL_ENTER(fp->f_so);
	error = soreceive(fp->f_so, from != NULL ? &sa : NULL, &auio, NULL,
	    NULL, &flags);
	SOCALL_EXIT(fp->f_so);
	if (error && auio.uio_resid != (ssize_t)len &&
	    (error == EWOULDBLOCK || error == EINTR || error == ERESTART))
		error = 0;
	if (error == 0 && from != NULL) {
		if (sa != NULL)
			putsockaddr(sa, from, fromlenp);
		else if (fromlenp != NULL)
			*fromlenp = 0;
	}
	if (sa != NULL)
		free(sa, M_SONAME);
	fdrop(fp);
	if (error)
		return (seterr(error));
	return ((long)(len - auio.uio_resid));
}

long
bsd_recv(int s, void *buf, size_t len, int flags)
{

	return (recvit(s, buf, len, flags, NULL, NULL));
}

long
bsd_recvfrom(int s, void *buf, size_t len, int flags,
    struct bsd_sockaddr *from, bsd_socklen_t *fromlenp)
{

	return (recvit(s, buf, len, flags, from, fromlenp));
}

int
bsd_shutdown(int s, int how)
{
	struct file *fp;
	int error;

	if ((error = getsock(s, &fp)) != 0)
		return (seterr(error));
	SOCALL_ENTER(fp->f_so);
	error = soshutdown(fp->f_so, how);
	SOCALL_EXIT(fp->f_so);
	fdrop(fp);
	return (seterr(error));
}

int
bsd_close(int s)
{
	struct file *fp;

	if (s < FD_BASE || s >= NFILES + FD_BASE)
		return (seterr(EBADF));
	mtx_lock(&fd_mtx);
	fp = fdtbl[s - FD_BASE];
	atomic_store_rel_ptr(FD_SLOT(s - FD_BASE), 0);
	mtx_unlock(&fd_mtx);
	if (fp == NULL)
		return (seterr(EBADF));
	fdrop(fp);
	return (0);
}

static int
sockopt(int s, enum sopt_dir dir, int level, int name, void *val,
    bsd_socklen_t *lenp)
{
	struct file *fp;
	struct sockopt sopt;
	int error;

	if ((error = getsock(s, &fp)) != 0)
		return (error);
	sopt.sopt_dir = dir;
	sopt.sopt_level = level;
	sopt.sopt_name = name;
	sopt.sopt_val = val;
	sopt.sopt_valsize = val != NULL ? *lenp : 0;
	sopt.sopt_td = curthread;
	SOCALL_ENTER(fp->f_so);
	if (dir == SOPT_SET)
		error = sosetopt(fp->f_so, &sopt);
	else
		error = sogetopt(fp->f_so, &sopt);
	SOCALL_EXIT(fp->f_so);
	if (error == 0 && dir == SOPT_GET)
		*lenp = (bsd_socklen_t)sopt.sopt_valsize;
	fdrop(fp);
	return (error);
}

int
bsd_setsockopt(int s, int level, int name, const void *val,
    bsd_socklen_t len)
{

	if (val == NULL && len != 0)
		return (seterr(EFAULT));
	return (seterr(sockopt(s, SOPT_SET, level, name,
	    __DECONST(void *, val), &len)));
}

int
bsd_getsockopt(int s, int level, int name, void *val, bsd_socklen_t *lenp)
{

	if (val == NULL || lenp == NULL)
		return (seterr(EFAULT));
	return (seterr(sockopt(s, SOPT_GET, level, name, val, lenp)));
}

static int
getname(int s, struct bsd_sockaddr *addr, bsd_socklen_t *lenp, int peer)
{
	struct file *fp;
	struct socket *so;
	struct sockaddr *sa;
	int connected, error, ss;

	if (addr == NULL || lenp == NULL)
		return (seterr(EFAULT));
	if ((error = getsock(s, &fp)) != 0)
		return (seterr(error));
	so = fp->f_so;
	sa = NULL;
	SOCALL_ENTER(so);
	ss = splnet();
	connected = (so->so_state & (SS_ISCONNECTED | SS_ISCONFIRMING)) != 0;
	splx(ss);
	if (peer && !connected)
		error = ENOTCONN;
	else if (peer)
		error = (*so->so_proto->pr_usrreqs->pru_peeraddr)(so, &sa);
	else
		error = (*so->so_proto->pr_usrreqs->pru_sockaddr)(so, &sa);
	SOCALL_EXIT(so);
	if (error == 0)
		putsockaddr(sa, addr, lenp);
	if (sa != NULL)
		free(sa, M_SONAME);
	fdrop(fp);
	return (seterr(error));
}

int
bsd_getsockname(int s, struct bsd_sockaddr *addr, bsd_socklen_t *lenp)
{

	return (getname(s, addr, lenp, 0));
}

int
bsd_getpeername(int s, struct bsd_sockaddr *addr, bsd_socklen_t *lenp)
{

	return (getname(s, addr, lenp, 1));
}

int
bsd_fcntl(int s, int cmd, int arg)
{
	struct file *fp;
	struct socket *so;
	int error, ret, ss;

	if ((error = getsock(s, &fp)) != 0)
		return (seterr(error));
	so = fp->f_so;
	ret = 0;
	SOCALL_ENTER(so);
	ss = splnet();
	switch (cmd) {
	case BSD_F_GETFL:
		ret = (so->so_state & SS_NBIO) ? BSD_O_NONBLOCK : 0;
		break;
	case BSD_F_SETFL:
		if (arg & BSD_O_NONBLOCK)
			so->so_state |= SS_NBIO;
		else
			so->so_state &= ~SS_NBIO;
		break;
	default:
		error = EINVAL;
		break;
	}
	splx(ss);
	SOCALL_EXIT(so);
	fdrop(fp);
	if (error)
		return (seterr(error));
	return (ret);
}

/*
 * Whether a poll needs Giant: unless every socket it polls belongs to a
 * PR_MPSAFE protocol.  Such a protocol runs under a socket layer that
 * locks for itself, whose sowakeup() changes the pollers' generation in
 * a section of its own; otherwise the generation is Giant's, as the
 * sockets are, and so it is for a poll of no socket at all.
 */
static int
poll_needs_giant(struct bsd_pollfd *fds, unsigned int nfds)
{
	struct file *fp;
	unsigned int i;
	int giant;

	giant = 1;
	for (i = 0; i < nfds; i++) {
		if (fds[i].fd < 0 || getsock(fds[i].fd, &fp) != 0)
			continue;
		giant = NEEDS_GIANT(fp->f_so);
		fdrop(fp);
		if (giant)
			break;
	}
	return (giant);
}

/*
 * Poll: scan the sockets; when none is ready, sleep until a socket buffer
 * marked by sopoll() is woken, or the timeout.  The pollers' generation
 * is read at splnet before the scan and checked again at splnet just
 * before the sleep: a wakeup that came in between (sowakeup() bumps it)
 * means a rescan instead of a sleep, so none is lost.  Each socket is
 * looked at in its own section (sopoll), entered as any call on it is
 * (Giant unless its protocol is PR_MPSAFE); the generation's sections
 * never enclose one.  Giant is held around the whole poll only when
 * poll_needs_giant() says so.
 */
int
bsd_poll(struct bsd_pollfd *fds, unsigned int nfds, int timeout_ms)
{
	struct file *fp;
	struct socket *so;
	long long timo;
	int deadline, error, gen, giant, left, n, r, s;
	unsigned int i;

	if (nfds > NFILES || (fds == NULL && nfds != 0))
		return (seterr(EINVAL));
	deadline = 0;
	if (timeout_ms > 0) {
		timo = (long long)timeout_ms * hz / 1000;
		if (timo < 1)
			timo = 1;
		if (timo > INT_MAX / 2)
			timo = INT_MAX / 2;
		deadline = ticks + (int)timo;
	}
	giant = poll_needs_giant(fds, nfds);
	if (giant)
		mtx_lock(&Giant);
	for (;;) {
		s = splnet();
		gen = sopoll_gen;
		splx(s);
		n = 0;
		for (i = 0; i < nfds; i++) {
			fds[i].revents = 0;
			if (fds[i].fd < 0)
				continue;
			if (getsock(fds[i].fd, &fp) != 0) {
				fds[i].revents = BSD_POLLNVAL;
				n++;
				continue;
			}
			so = fp->f_so;
			SOCALL_ENTER(so);
			r = sopoll(so, fds[i].events);
			SOCALL_EXIT(so);
			fds[i].revents = (short)r;
			if (r != 0)
				n++;
			fdrop(fp);
		}
		if (n != 0 || timeout_ms == 0)
			break;
		left = 0;
		if (timeout_ms > 0) {
			left = deadline - ticks;
			if (left <= 0)
				break;
		}
		error = 0;
		s = splnet();
		if (sopoll_gen == gen)
			error = tsleep(&sopoll_gen, PSOCK | PCATCH, "poll",
			    left);
		splx(s);
		if (error != 0 && error != EWOULDBLOCK) {
			if (giant)
				mtx_unlock(&Giant);
			return (seterr(error));
		}
	}
	if (giant)
		mtx_unlock(&Giant);
	return (n);
}

/*
 * Close every descriptor of an instance that is going away (called by
 * bsd_stack_destroy); a call still in progress finishes first.
 */
void
bsd_closeall_vnet(struct vnet *vnet)
{
	struct file *fp;
	struct socket *so;
	int i, s;

	for (i = 0; i < NFILES; i++) {
		mtx_lock(&fd_mtx);
		fp = fdtbl[i];
		if (fp != NULL && fp->f_so->so_vnet == vnet)
			atomic_store_rel_ptr(FD_SLOT(i), 0);
		else
			fp = NULL;
		mtx_unlock(&fd_mtx);
		if (fp == NULL)
			continue;
		/*
		 * Wake up the calls still sleeping on it and wait for them
		 * to return: the protocols go away right after.
		 */
		for (;;) {
			CURVNET_SET(vnet);
			so = fp->f_so;
			mtx_lock(&Giant);
			s = splnet();
			socantrcvmore(so);
			socantsendmore(so);
			wakeup(&so->so_timeo);
			splx(s);
			mtx_unlock(&Giant);
			CURVNET_RESTORE();
			if (refcount_load(&fp->f_count) == 1)
				break;
			(void)pause("closeall", 1);
		}
		fdrop(fp);
	}
}
