/*
 * Socket operations: creation, binding, connection, data transfer,
 * options, and the state transitions the protocols drive.
 *
 * Legacy synchronization: the callers (the system call layer in
 * uipc_syscalls.c, the protocols) hold Giant unless the protocol is
 * PR_MPSAFE; splnet() protects socket state shared with the network
 * interrupt side; sleeping for data or space is tsleep() in sbwait().
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/limits.h>
#include <sys/stddef.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <sys/proc.h>
#include <sys/uio.h>
#include <sys/domain.h>
#include <sys/protosw.h>
#include <sys/socket.h>
#include <sys/socketvar.h>
#include <sys/ucred.h>
#include <net/vnet.h>

MALLOC_DEFINE(M_SOCKET, "socket", "socket structures");
MALLOC_DEFINE(M_SONAME, "soname", "socket addresses");

int	somaxconn = SOMAXCONN;

/*
 * Allocate an empty socket: every socket comes from here, the ones the
 * protocol creates on a passive open (sonewconn) included.  mflags is
 * M_WAITOK or M_NOWAIT; NULL only with M_NOWAIT.
 */
static struct socket *
soalloc(int mflags)
{
	struct socket *so;

	so = malloc(sizeof(*so), M_SOCKET, mflags | M_ZERO);
	if (so == NULL)
		return (NULL);
	TAILQ_INIT(&so->so_incomp);
	TAILQ_INIT(&so->so_comp);
	return (so);
}

static void
sodealloc(struct socket *so)
{

	if (so->so_cred != NULL)
		crfree(so->so_cred);
	free(so, M_SOCKET);
}

/*
 * Create a new socket of the given type in the instance of the calling
 * thread, and attach the protocol.
 */
int
socreate(int dom, struct socket **aso, int type, int proto,
    struct ucred *cred, struct thread *td)
{
	struct protosw *prp;
	struct socket *so;
	int error;

	if (proto != 0)
		prp = pffindproto(dom, proto, type);
	else
		prp = pffindtype(dom, type);
	if (prp == NULL || prp->pr_usrreqs == NULL ||
	    prp->pr_usrreqs->pru_attach == NULL)
		return (EPROTONOSUPPORT);
	if (prp->pr_type != type)
		return (EPROTOTYPE);
	if (curvnet == NULL)
		return (ENETDOWN);
	so = soalloc(M_WAITOK);
	so->so_type = type;
	so->so_proto = prp;
	so->so_vnet = curvnet;
	so->so_cred = crhold(cred != NULL ? cred : proc0_cred);
	so->so_count = 1;
	error = (*prp->pr_usrreqs->pru_attach)(so, proto, td);
	if (error != 0) {
		so->so_state |= SS_NOFDREF;
		so->so_count = 0;
		sofree(so);
		return (error);
	}
	*aso = so;
	return (0);
}

int
sobind(struct socket *so, struct sockaddr *nam, struct thread *td)
{
	int error, s;

	s = splnet();
	error = (*so->so_proto->pr_usrreqs->pru_bind)(so, nam, td);
	splx(s);
	return (error);
}

int
solisten(struct socket *so, int backlog, struct thread *td)
{
	int error, s;

	s = splnet();
	if (so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING |
	    SS_ISDISCONNECTING)) {
		splx(s);
		return (EINVAL);
	}
	error = (*so->so_proto->pr_usrreqs->pru_listen)(so, td);
	if (error) {
		splx(s);
		return (error);
	}
	so->so_options |= SO_ACCEPTCONN;
	if (backlog < 0 || backlog > somaxconn)
		backlog = somaxconn;
	soqsetlimit(so, backlog);
	splx(s);
	return (0);
}

/*
 * References on a socket (so_count): the descriptor's, and one for each
 * thread that found the socket through a protocol's table (the input
 * path) and enters it after leaving the table.  Such a thread takes its
 * reference while it still holds the table, where the socket's own
 * section may not be entered, so so_count has sections of its own: they
 * never enclose another, and the table's or the socket's section may be
 * around them.
 */
void
soref(struct socket *so)
{
	int s;

	s = splnet();
	so->so_count++;
	splx(s);
}

/*
 * Drop a reference.  Nonzero when it was the last: the caller then calls
 * sofree() once out of the socket's section (sofree frees the socket only
 * when the protocol and the descriptor are gone as well).  socount()
 * reads the count, for a caller deciding whether the socket may go.
 */
int
sorele(struct socket *so)
{
	int last, s;

	s = splnet();
	last = (--so->so_count == 0);
	splx(s);
	return (last);
}

static int
socount(struct socket *so)
{
	int refs, s;

	s = splnet();
	refs = so->so_count;
	splx(s);
	return (refs);
}

/*
 * Free a socket once neither the descriptor nor the protocol refers to
 * it, and no thread holds a reference.  A completed connection not yet
 * accepted stays on its listener.
 */
void
sofree(struct socket *so)
{

	if (so->so_pcb != NULL || (so->so_state & SS_NOFDREF) == 0)
		return;
	if (soqabandon(so))
		return;
	sbrelease(&so->so_snd, so);
	sorflush(so);
	sodealloc(so);
}

/*
 * The descriptor's last reference is gone: abort the connections still
 * queued on a listener, disconnect (lingering if asked to), detach the
 * protocol, and let sofree() release the socket.
 */
int
soclose(struct socket *so)
{
	struct socket *sp;
	int error, last, listener, s;

	/*
	 * A listener takes no more connections (sonewconn() tests
	 * SO_ACCEPTCONN in its section), then each queued one is taken off
	 * with a reference and aborted in its own section: two sockets'
	 * sections are never nested.
	 */
	s = splnet();
	listener = (so->so_options & SO_ACCEPTCONN) != 0;
	so->so_options &= ~SO_ACCEPTCONN;
	splx(s);
	while (listener && (sp = soqtake(so, -1)) != NULL) {
		soabort(sp);
		if (sorele(sp))
			sofree(sp);
	}
	error = 0;
	s = splnet();
	if (so->so_pcb == NULL)
		goto discard;
	if (so->so_state & SS_ISCONNECTED) {
		if ((so->so_state & SS_ISDISCONNECTING) == 0) {
			error = sodisconnect(so);
			if (error)
				goto drop;
		}
		if (so->so_options & SO_LINGER) {
			if ((so->so_state & SS_ISDISCONNECTING) &&
			    (so->so_state & SS_NBIO))
				goto drop;
			while (so->so_state & SS_ISCONNECTED) {
				error = tsleep(&so->so_timeo, PSOCK, "soclos",
				    so->so_linger * hz);
				if (error)
					break;
			}
			if (error == EWOULDBLOCK)
				error = 0;
		}
	}
drop:
	if (so->so_pcb != NULL) {
		int error2 = (*so->so_proto->pr_usrreqs->pru_detach)(so);
		if (error == 0)
			error = error2;
	}
discard:
	if (so->so_state & SS_NOFDREF)
		panic("soclose: NOFDREF");
	so->so_state |= SS_NOFDREF;
	last = sorele(so);
	if (last)
		sofree(so);
	splx(s);
	return (error);
}

/*
 * Abort a connection (from the protocol or from a listener going away).
 */
void
soabort(struct socket *so)
{
	int error, s;

	/*
	 * In the socket's section, as every other request: the input path
	 * may still find the connection in the protocol's tables.
	 */
	s = splnet();
	error = (*so->so_proto->pr_usrreqs->pru_abort)(so);
	splx(s);
	if (error) {
		sofree(so);
		return;
	}
	/* The protocol detached; drop what is left if nobody holds it. */
	sofree(so);
}

int
soaccept(struct socket *so, struct sockaddr **nam)
{
	int error, s;

	s = splnet();
	if ((so->so_state & SS_NOFDREF) == 0)
		panic("soaccept: !NOFDREF");
	so->so_state &= ~SS_NOFDREF;
	soref(so);
	error = (*so->so_proto->pr_usrreqs->pru_accept)(so, nam);
	splx(s);
	return (error);
}

int
soconnect(struct socket *so, struct sockaddr *nam, struct thread *td)
{
	int error, s;

	s = splnet();
	if (so->so_options & SO_ACCEPTCONN) {
		splx(s);
		return (EOPNOTSUPP);
	}
	/*
		 * A connection-oriented protocol connects only once (EISCONN).  A
		 * connected datagram socket is disconnected first, so connecting it
		 * again (even to a null address) replaces or clears its peer.
		 */
	if (so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING) &&
	    ((so->so_proto->pr_flags & PR_CONNREQUIRED) ||
	    (error = sodisconnect(so)))) {
		error = EISCONN;
	} else {
		/* Prevent a stale error from an earlier connect. */
		so->so_error = 0;
		error = (*so->so_proto->pr_usrreqs->pru_connect)(so, nam, td);
	}
	splx(s);
	return (error);
}

/*
 * Start disconnecting a connected socket.  Called at splnet() by its
 * callers (soconnect, soclose), which test and change the socket state
 * around it: it raises no level of its own.
 */
int
sodisconnect(struct socket *so)
{

	if ((so->so_state & SS_ISCONNECTED) == 0)
		return (ENOTCONN);
	if (so->so_state & SS_ISDISCONNECTING)
		return (EALREADY);
	return ((*so->so_proto->pr_usrreqs->pru_disconnect)(so));
}

/*
 * sosend: queue data for the protocol.  An atomic protocol (datagrams)
 * takes a message whole or not at all: larger than the buffer can ever
 * hold is EMSGSIZE; not fitting now blocks, or is EWOULDBLOCK on a
 * non-blocking socket.  A stream protocol takes what fits and waits for
 * room for the rest (a non-blocking socket returns after a short write).
 * The data come from uio, or, when uio is NULL, from the mbuf chain top,
 * which must then fit at once.  sblock() keeps other senders out for the
 * whole call; it is taken and given back at splnet, like the buffer.
 */
int
sosend(struct socket *so, struct sockaddr *addr, struct uio *uio,
    struct mbuf *top, struct mbuf *control, int flags, struct thread *td)
{
	struct mbuf **mp, *m;
	long space, len, resid;
	int clen, error, s, dontroute, mlen, atomic, pruflags;

	clen = 0;
	atomic = sosendallatonce(so) || top != NULL;
	if (uio != NULL)
		resid = uio->uio_resid;
	else
		resid = top->m_pkthdr.len;
	/*
		 * resid and space are kept signed: space goes below zero when the
		 * buffer was overfilled, and the comparison of the two must then
		 * come out right, which an unsigned compare would not.
		 */
	if (resid < 0 || (so->so_type == SOCK_STREAM && (flags & MSG_EOR))) {
		error = EINVAL;
		goto out;
	}
	dontroute = (flags & MSG_DONTROUTE) &&
	    (so->so_options & SO_DONTROUTE) == 0 &&
	    (so->so_proto->pr_flags & PR_ATOMIC);
	if (control != NULL)
		clen = control->m_len;

restart:
	s = splnet();
	error = sblock(&so->so_snd, SBLOCKWAIT(flags));
	splx(s);
	if (error)
		goto out;
	do {
		s = splnet();
		if (so->so_state & SS_CANTSENDMORE) {
			splx(s);
			error = EPIPE;
			goto release;
		}
		if (so->so_error) {
			error = so->so_error;
			so->so_error = 0;
			splx(s);
			goto release;
		}
		if ((so->so_state & SS_ISCONNECTED) == 0) {
			/*
						 * With no peer: a protocol with PR_IMPLOPCL may take an
						 * address here (sendto/sendmsg on an unconnected
						 * socket); without one, or without an address, the
						 * call fails with ENOTCONN.
						 */
			if ((so->so_proto->pr_flags & PR_CONNREQUIRED) &&
			    (so->so_proto->pr_flags & PR_IMPLOPCL) == 0) {
				if ((so->so_state & SS_ISCONFIRMING) == 0 &&
				    !(resid == 0 && clen != 0)) {
					splx(s);
					error = ENOTCONN;
					goto release;
				}
			} else if (addr == NULL) {
				splx(s);
				if (so->so_proto->pr_flags & PR_CONNREQUIRED)
					error = ENOTCONN;
				else
					error = EDESTADDRREQ;
				goto release;
			}
		}
		space = sbspace(&so->so_snd);
		if (flags & MSG_OOB)
			space += 1024;
		if ((atomic && resid > so->so_snd.sb_hiwat) ||
		    clen > (int)so->so_snd.sb_hiwat) {
			splx(s);
			error = EMSGSIZE;
			goto release;
		}
		if (space < resid + clen &&
		    (atomic || space < so->so_snd.sb_lowat || space < clen)) {
			if ((so->so_state & SS_NBIO) || (flags & MSG_DONTWAIT)) {
				splx(s);
				error = EWOULDBLOCK;
				goto release;
			}
			sbunlock(&so->so_snd);
			error = sbwait(&so->so_snd);
			splx(s);
			if (error)
				goto out;
			goto restart;
		}
		splx(s);
		mp = &top;
		space -= clen;
		do {
			if (uio == NULL) {
				/* The caller passed an mbuf chain (top) instead of a uio. */
				resid = 0;
				if (flags & MSG_EOR)
					top->m_flags |= M_EOR;
			} else do {
				if (top == NULL) {
					m = m_gethdr(M_WAITOK, MT_DATA);
					mlen = MHLEN;
					m->m_pkthdr.len = 0;
					m->m_pkthdr.rcvif = NULL;
				} else {
					m = m_get(M_WAITOK, MT_DATA);
					mlen = MLEN;
				}
				if (resid >= MINCLSIZE) {
					MCLGET(m, M_WAITOK);
					if ((m->m_flags & M_EXT) == 0)
						goto nopages;
					mlen = MCLBYTES;
					len = lmin(lmin(mlen, resid), space);
				} else {
nopages:
					len = lmin(lmin(mlen, resid), space);
					/*
										 * Datagrams: keep max_hdr bytes free
										 * at the front of the first mbuf.
										 */
					if (atomic && top == NULL && len < mlen)
						MH_ALIGN(m, len);
				}
				space -= len;
				error = uiomove(mtod(m, void *), (int)len, uio);
				resid = uio->uio_resid;
				m->m_len = len;
				*mp = m;
				top->m_pkthdr.len += len;
				if (error) {
					m_freem(top);
					top = NULL;
					goto release;
				}
				mp = &m->m_next;
				if (resid <= 0) {
					if (flags & MSG_EOR)
						top->m_flags |= M_EOR;
					break;
				}
			} while (space > 0 && atomic);
			if (dontroute)
				so->so_options |= SO_DONTROUTE;
			pruflags = (flags & MSG_OOB) ? PRUS_OOB : 0;
			if (resid > 0 && space > 0)
				pruflags |= PRUS_MORETOCOME;
			s = splnet();
			error = (*so->so_proto->pr_usrreqs->pru_send)(so,
			    pruflags, top, addr, control, td);
			splx(s);
			if (dontroute)
				so->so_options &= ~SO_DONTROUTE;
			clen = 0;
			control = NULL;
			top = NULL;
			mp = &top;
			if (error)
				goto release;
		} while (resid && space > 0);
	} while (resid);

release:
	s = splnet();
	sbunlock(&so->so_snd);
	splx(s);
out:
	if (top != NULL)
		m_freem(top);
	if (control != NULL)
		m_freem(control);
	return (error);
}

/*
 * soreceive: copy queued data out to uio.  Each record in the receive
 * buffer (mbufs linked through m_next, records through m_nextpkt) starts
 * with the sender's address when the protocol is PR_ADDR, may carry
 * control mbufs next, and then holds its data; sbappend*() build them
 * that way.  Control data is dropped here (no protocol of the stack
 * produces any); the data goes to the caller's buffer, record by
 * record for atomic protocols.
 */
int
soreceive(struct socket *so, struct sockaddr **psa, struct uio *uio,
    struct mbuf **mp0, struct mbuf **controlp, int *flagsp)
{
	struct mbuf *m, *nextrecord;
	struct protosw *pr;
	int flags, len, error, s, moff, lastrec;
	ssize_t orig_resid;

	pr = so->so_proto;
	if (psa != NULL)
		*psa = NULL;
	if (controlp != NULL)
		*controlp = NULL;
	if (mp0 != NULL)
		*mp0 = NULL;
	flags = flagsp != NULL ? *flagsp &~ MSG_EOR : 0;
	if (flags & MSG_OOB)
		return (EOPNOTSUPP);
	orig_resid = uio->uio_resid;

restart:
	s = splnet();
	error = sblock(&so->so_rcv, SBLOCKWAIT(flags));
	if (error) {
		splx(s);
		return (error);
	}

	m = so->so_rcv.sb_mb;
	/*
		 * Sleep for more data (unless an error, EOF or the timeout ends it)
		 * while fewer bytes are queued than asked for and:
		 *   1. the queue is below the receive low-water mark, or
		 *   2. MSG_WAITALL asks for everything and all of it could fit in
		 *	the buffer (resid <= hiwat),
		 *   3. and the call may block (no MSG_DONTWAIT).
		 * A MSG_WAITALL read larger than the buffer is served piecewise,
		 * so a timeout or an interruption part way through can leave it
		 * with fewer bytes than asked for.
		 */
	if (m == NULL || (((flags & MSG_DONTWAIT) == 0 &&
	    so->so_rcv.sb_cc < (u_int)uio->uio_resid) &&
	    (so->so_rcv.sb_cc < (u_int)so->so_rcv.sb_lowat ||
	    ((flags & MSG_WAITALL) &&
	    uio->uio_resid <= (ssize_t)so->so_rcv.sb_hiwat)) &&
	    m->m_nextpkt == NULL && (pr->pr_flags & PR_ATOMIC) == 0)) {
		if (so->so_error) {
			if (m != NULL)
				goto dontblock;
			error = so->so_error;
			if ((flags & MSG_PEEK) == 0)
				so->so_error = 0;
			goto release;
		}
		if (so->so_state & SS_CANTRCVMORE) {
			if (m != NULL)
				goto dontblock;
			goto release;
		}
		if ((so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING)) == 0 &&
		    (pr->pr_flags & PR_CONNREQUIRED)) {
			error = ENOTCONN;
			goto release;
		}
		if (uio->uio_resid == 0)
			goto release;
		if ((so->so_state & SS_NBIO) || (flags & MSG_DONTWAIT)) {
			error = EWOULDBLOCK;
			goto release;
		}
		sbunlock(&so->so_rcv);
		error = sbwait(&so->so_rcv);
		splx(s);
		if (error)
			return (error);
		goto restart;
	}
dontblock:
	nextrecord = m->m_nextpkt;
	lastrec = (nextrecord == NULL);
	if (pr->pr_flags & PR_ADDR) {
		KASSERT(m->m_type == MT_SONAME,
		    ("soreceive: record without address, type %d", m->m_type));
		orig_resid = 0;
		if (psa != NULL)
			*psa = sodupsockaddr(mtod(m, struct sockaddr *),
			    M_NOWAIT);
		if (flags & MSG_PEEK) {
			m = m->m_next;
		} else {
			sbfree(&so->so_rcv, m);
			so->so_rcv.sb_mb = m_free(m);
			m = so->so_rcv.sb_mb;
		}
	}
	while (m != NULL && m->m_type == MT_CONTROL && error == 0) {
		if (flags & MSG_PEEK) {
			m = m->m_next;
		} else {
			sbfree(&so->so_rcv, m);
			so->so_rcv.sb_mb = m_free(m);
			m = so->so_rcv.sb_mb;
		}
	}
	if (m != NULL) {
		if ((flags & MSG_PEEK) == 0)
			m->m_nextpkt = nextrecord;
	} else if ((flags & MSG_PEEK) == 0)
		so->so_rcv.sb_mb = nextrecord;
	/*
	 * The record's first mbuf (the address) may be gone: the tail
	 * pointers must not name it once the level is lowered for the copy,
	 * or a record appended meanwhile is linked to a freed mbuf and lost.
	 */
	if ((flags & MSG_PEEK) == 0)
		sbsettail(&so->so_rcv);

	moff = 0;
	while (m != NULL && uio->uio_resid > 0 && error == 0) {
		so->so_state &= ~SS_RCVATMARK;
		len = (int)uio->uio_resid;
		if (len > m->m_len - moff)
			len = m->m_len - moff;
		/*
		 * Copy out with the interrupt level lowered, so arrivals
		 * can proceed; the sockbuf lock keeps other readers out.
		 */
		splx(s);
		error = uiomove(mtod(m, char *) + moff, len, uio);
		s = splnet();
		if (error)
			goto release;
		if (len == m->m_len - moff) {
			if (m->m_flags & M_EOR)
				flags |= MSG_EOR;
			if (flags & MSG_PEEK) {
				m = m->m_next;
				moff = 0;
			} else {
				nextrecord = m->m_nextpkt;
				sbfree(&so->so_rcv, m);
				so->so_rcv.sb_mb = m = m_free(m);
				if (m != NULL)
					m->m_nextpkt = nextrecord;
				else
					so->so_rcv.sb_mb = nextrecord;
			}
		} else {
			if (flags & MSG_PEEK)
				moff += len;
			else {
				m->m_data += len;
				m->m_len -= len;
				so->so_rcv.sb_cc -= len;
			}
		}
		if ((flags & MSG_PEEK) == 0)
			sbsettail(&so->so_rcv);
		/*
		 * If MSG_WAITALL is set and the record is used up, wait for
		 * the rest of the data, unless an error or end of data.
		 */
		while ((flags & MSG_WAITALL) && m == NULL &&
		    uio->uio_resid > 0 && !sosendallatonce(so) &&
		    nextrecord == NULL) {
			if (so->so_error || (so->so_state & SS_CANTRCVMORE))
				break;
			if ((pr->pr_flags & PR_WANTRCVD) && so->so_pcb != NULL)
				(*pr->pr_usrreqs->pru_rcvd)(so, flags);
			error = sbwait(&so->so_rcv);
			if (error) {
				sbunlock(&so->so_rcv);
				splx(s);
				return (0);
			}
			m = so->so_rcv.sb_mb;
			if (m != NULL)
				nextrecord = m->m_nextpkt;
		}
	}

	if (m != NULL && (pr->pr_flags & PR_ATOMIC)) {
		flags |= MSG_TRUNC;
		if ((flags & MSG_PEEK) == 0)
			sbdroprecord(&so->so_rcv);
	}
	if ((flags & MSG_PEEK) == 0) {
		if (m == NULL)
			so->so_rcv.sb_mb = nextrecord;
		if (lastrec || so->so_rcv.sb_mb == NULL)
			sbsettail(&so->so_rcv);
		if ((pr->pr_flags & PR_WANTRCVD) && so->so_pcb != NULL)
			(*pr->pr_usrreqs->pru_rcvd)(so, flags);
	}
	if (orig_resid == uio->uio_resid && orig_resid != 0 &&
	    (flags & MSG_EOR) == 0 && (so->so_state & SS_CANTRCVMORE) == 0) {
		sbunlock(&so->so_rcv);
		splx(s);
		goto restart;
	}
	if (flagsp != NULL)
		*flagsp |= flags;
release:
	sbunlock(&so->so_rcv);
	splx(s);
	return (error);
}

int
soshutdown(struct socket *so, int how)
{
	struct protosw *pr;
	int error, s;

	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return (EINVAL);
	pr = so->so_proto;
	s = splnet();
	if ((so->so_state &
	    (SS_ISCONNECTED | SS_ISCONNECTING | SS_ISDISCONNECTING)) == 0 &&
	    (pr->pr_flags & PR_CONNREQUIRED)) {
		splx(s);
		return (ENOTCONN);
	}
	splx(s);
	if (how != SHUT_WR)
		sorflush(so);
	error = 0;
	if (how != SHUT_RD) {
		s = splnet();
		error = (*so->so_proto->pr_usrreqs->pru_shutdown)(so);
		splx(s);
	}
	return (error);
}

/* Throw away what is queued for receive and wake up the readers. */
void
sorflush(struct socket *so)
{
	struct sockbuf *sb;
	int s;

	sb = &so->so_rcv;
	sb->sb_flags |= SB_NOINTR;
	s = splimp();
	socantrcvmore(so);
	sbflush(sb);
	splx(s);
	sb->sb_flags &= ~SB_NOINTR;
}

/*
 * Copy an option value in from the caller: at least minlen bytes, at most
 * len (a longer value is cut to len).
 */
int
sooptcopyin(struct sockopt *sopt, void *buf, size_t len, size_t minlen)
{
	size_t valsize;

	valsize = sopt->sopt_valsize;
	if (valsize < minlen)
		return (EINVAL);
	if (valsize > len)
		sopt->sopt_valsize = valsize = len;
	if (sopt->sopt_val == NULL)
		return (EFAULT);
	bcopy(sopt->sopt_val, buf, valsize);
	return (0);
}

int
sooptcopyout(struct sockopt *sopt, const void *buf, size_t len)
{
	size_t valsize;

	valsize = ulmin(len, sopt->sopt_valsize);
	sopt->sopt_valsize = valsize;
	if (sopt->sopt_val != NULL && valsize > 0)
		bcopy(buf, sopt->sopt_val, valsize);
	return (0);
}

/* A timeout option value in ticks; 0 means no timeout. */
static int
sotimeo_toticks(const struct timeval *tv, int *ticksp)
{
	long long t;

	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return (EDOM);
	t = (long long)tv->tv_sec * hz + ((long long)tv->tv_usec * hz +
	    999999) / 1000000;
	if (t > INT_MAX)
		t = INT_MAX;
	*ticksp = (int)t;
	return (0);
}

int
sosetopt(struct socket *so, struct sockopt *sopt)
{
	struct linger l;
	struct timeval tv;
	int error, optval, tmo, s;

	error = 0;
	if (sopt->sopt_level != SOL_SOCKET) {
		if (so->so_proto->pr_ctloutput == NULL)
			return (ENOPROTOOPT);
		/* The protocol's options, in the socket's section. */
		s = splnet();
		error = (*so->so_proto->pr_ctloutput)(so, sopt);
		splx(s);
		return (error);
	}
	switch (sopt->sopt_name) {
	case SO_LINGER:
		error = sooptcopyin(sopt, &l, sizeof(l), sizeof(l));
		if (error)
			break;
		if (l.l_linger < 0 || l.l_linger > SHRT_MAX) {
			error = EINVAL;
			break;
		}
		so->so_linger = l.l_linger;
		if (l.l_onoff)
			so->so_options |= SO_LINGER;
		else
			so->so_options &= ~SO_LINGER;
		break;

	case SO_DEBUG:
	case SO_KEEPALIVE:
	case SO_DONTROUTE:
	case SO_BROADCAST:
	case SO_REUSEADDR:
	case SO_REUSEPORT:
	case SO_OOBINLINE:
		error = sooptcopyin(sopt, &optval, sizeof(optval),
		    sizeof(optval));
		if (error)
			break;
		if (optval)
			so->so_options |= sopt->sopt_name;
		else
			so->so_options &= ~sopt->sopt_name;
		break;

	case SO_SNDBUF:
	case SO_RCVBUF:
	case SO_SNDLOWAT:
	case SO_RCVLOWAT:
		error = sooptcopyin(sopt, &optval, sizeof(optval),
		    sizeof(optval));
		if (error)
			break;
		if (optval < 1) {
			error = EINVAL;
			break;
		}
		switch (sopt->sopt_name) {
		case SO_SNDBUF:
		case SO_RCVBUF:
			if (sbreserve(sopt->sopt_name == SO_SNDBUF ?
			    &so->so_snd : &so->so_rcv, (u_long)optval,
			    so, curthread) == 0)
				error = ENOBUFS;
			break;
		case SO_SNDLOWAT:
			so->so_snd.sb_lowat = ((u_int)optval >
			    so->so_snd.sb_hiwat) ? (int)so->so_snd.sb_hiwat :
			    optval;
			break;
		case SO_RCVLOWAT:
			so->so_rcv.sb_lowat = ((u_int)optval >
			    so->so_rcv.sb_hiwat) ? (int)so->so_rcv.sb_hiwat :
			    optval;
			break;
		}
		break;

	case SO_SNDTIMEO:
	case SO_RCVTIMEO:
		error = sooptcopyin(sopt, &tv, sizeof(tv), sizeof(tv));
		if (error)
			break;
		error = sotimeo_toticks(&tv, &tmo);
		if (error)
			break;
		if (sopt->sopt_name == SO_SNDTIMEO)
			so->so_snd.sb_timeo = tmo;
		else
			so->so_rcv.sb_timeo = tmo;
		break;

	default:
		error = ENOPROTOOPT;
		break;
	}
	return (error);
}

int
sogetopt(struct socket *so, struct sockopt *sopt)
{
	struct linger l;
	struct timeval tv;
	int error, optval, tmo, s;

	if (sopt->sopt_level != SOL_SOCKET) {
		if (so->so_proto->pr_ctloutput == NULL)
			return (ENOPROTOOPT);
		/* The protocol's options, in the socket's section. */
		s = splnet();
		error = (*so->so_proto->pr_ctloutput)(so, sopt);
		splx(s);
		return (error);
	}
	switch (sopt->sopt_name) {
	case SO_LINGER:
		l.l_onoff = (so->so_options & SO_LINGER) != 0;
		l.l_linger = so->so_linger;
		error = sooptcopyout(sopt, &l, sizeof(l));
		break;

	case SO_ACCEPTCONN:
	case SO_DEBUG:
	case SO_KEEPALIVE:
	case SO_DONTROUTE:
	case SO_BROADCAST:
	case SO_REUSEADDR:
	case SO_REUSEPORT:
	case SO_OOBINLINE:
		optval = (so->so_options & sopt->sopt_name) != 0;
		goto integer;

	case SO_TYPE:
		optval = so->so_type;
		goto integer;

	case SO_ERROR:
		optval = so->so_error;
		so->so_error = 0;
		goto integer;

	case SO_SNDBUF:
		optval = (int)so->so_snd.sb_hiwat;
		goto integer;

	case SO_RCVBUF:
		optval = (int)so->so_rcv.sb_hiwat;
		goto integer;

	case SO_SNDLOWAT:
		optval = so->so_snd.sb_lowat;
		goto integer;

	case SO_RCVLOWAT:
		optval = so->so_rcv.sb_lowat;
integer:
		error = sooptcopyout(sopt, &optval, sizeof(optval));
		break;

	case SO_SNDTIMEO:
	case SO_RCVTIMEO:
		tmo = sopt->sopt_name == SO_SNDTIMEO ? so->so_snd.sb_timeo :
		    so->so_rcv.sb_timeo;
		tv.tv_sec = tmo / hz;
		tv.tv_usec = (tmo % hz) * (1000000 / hz);
		error = sooptcopyout(sopt, &tv, sizeof(tv));
		break;

	default:
		error = ENOPROTOOPT;
		break;
	}
	return (error);
}

/*
 * Readiness of a socket for poll(2): the events among `events' that are
 * true now.  When none is, the buffers are marked so that the next
 * sowakeup() wakes the pollers.
 */
int
sopoll(struct socket *so, int events)
{
	int revents, s;

	revents = 0;
	s = splnet();
	if (events & SO_POLLIN) {
		if (soreadable(so))
			revents |= SO_POLLIN;
	}
	if (events & SO_POLLOUT) {
		if (sowriteable(so))
			revents |= SO_POLLOUT;
	}
	if (so->so_error)
		revents |= SO_POLLERR;
	if ((so->so_state & SS_CANTRCVMORE) &&
	    (so->so_state & SS_CANTSENDMORE))
		revents |= SO_POLLHUP;
	if (revents == 0) {
		if (events & SO_POLLIN)
			so->so_rcv.sb_flags |= SB_SEL;
		if (events & SO_POLLOUT)
			so->so_snd.sb_flags |= SB_SEL;
	}
	splx(s);
	return (revents);
}

/*
 * Connection state changes, each with the wakeups it implies.
 *
 * Active side: connect() marks the socket connecting (soisconnecting), the
 * protocol marks it connected when its handshake completes
 * (soisconnected); disconnect() starts the teardown (soisdisconnecting)
 * and the protocol ends it (soisdisconnected).  A connectionless protocol
 * only ever calls the last two of each pair.
 *
 * Passive side: a listening socket keeps two queues, so_incomp for
 * connections the protocol is still setting up (created by sonewconn())
 * and so_comp for finished ones waiting for accept(); soisconnected()
 * moves a socket from the first to the second and wakes the acceptor.
 */
void
soisconnecting(struct socket *so)
{

	so->so_state &= ~(SS_ISCONNECTED | SS_ISDISCONNECTING);
	so->so_state |= SS_ISCONNECTING;
}

void
soisconnected(struct socket *so)
{

	so->so_state &= ~(SS_ISCONNECTING | SS_ISDISCONNECTING |
	    SS_ISCONFIRMING);
	so->so_state |= SS_ISCONNECTED;
	/* Queued on a listener: now on its completed queue, for accept(). */
	if (soqcomplete(so) == 0) {
		wakeup(&so->so_timeo);
		sorwakeup(so);
		sowwakeup(so);
	}
}

void
soisdisconnecting(struct socket *so)
{

	so->so_state &= ~SS_ISCONNECTING;
	so->so_state |= (SS_ISDISCONNECTING | SS_CANTRCVMORE |
	    SS_CANTSENDMORE);
	wakeup(&so->so_timeo);
	sowwakeup(so);
	sorwakeup(so);
}

void
soisdisconnected(struct socket *so)
{

	so->so_state &= ~(SS_ISCONNECTING | SS_ISCONNECTED |
	    SS_ISDISCONNECTING);
	so->so_state |= (SS_CANTRCVMORE | SS_CANTSENDMORE |
	    SS_ISDISCONNECTED);
	wakeup(&so->so_timeo);
	sbdrop(&so->so_snd, (int)so->so_snd.sb_cc);
	sowwakeup(so);
	sorwakeup(so);
}

/*
 * The protocol saw a connection request on the listening socket head:
 * make the socket that will carry it, queued on head's so_incomp (or
 * so_comp when connstatus already says connected), with head's options
 * and buffer sizes.  NULL when head's queues are over their limit or no
 * memory is left.
 */
struct socket *
sonewconn(struct socket *head, int connstatus)
{
	struct socket *so;
	struct soqinfo qi;

	/* A listener being closed takes no more (soclose). */
	if ((head->so_options & SO_ACCEPTCONN) == 0)
		return (NULL);
	soqinfo(head, &qi);
	if (qi.sqi_qlen > 3 * qi.sqi_qlimit / 2)
		return (NULL);
	so = soalloc(M_NOWAIT);
	if (so == NULL)
		return (NULL);
	so->so_type = head->so_type;
	so->so_options = head->so_options & ~SO_ACCEPTCONN;
	so->so_linger = head->so_linger;
	so->so_state = head->so_state | SS_NOFDREF;
	so->so_proto = head->so_proto;
	so->so_vnet = head->so_vnet;
	so->so_timeo = head->so_timeo;
	so->so_cred = crhold(head->so_cred);
	if (soreserve(so, head->so_snd.sb_hiwat, head->so_rcv.sb_hiwat) ||
	    (*so->so_proto->pr_usrreqs->pru_attach)(so, 0, NULL)) {
		sodealloc(so);
		return (NULL);
	}
	so->so_rcv.sb_lowat = head->so_rcv.sb_lowat;
	so->so_snd.sb_lowat = head->so_snd.sb_lowat;
	so->so_rcv.sb_timeo = head->so_rcv.sb_timeo;
	so->so_snd.sb_timeo = head->so_snd.sb_timeo;
	/* Queued, the socket may be accepted: complete it first. */
	so->so_state |= connstatus;
	soqinsque(head, so, connstatus ? 1 : 0);
	if (connstatus)
		sorwakeup(head);
	return (so);
}

/*
 * A listener's queues.  They are changed from two sides that cannot hold
 * each other's socket: the listener's (sonewconn() in the input path,
 * accept(), close) and a queued connection's (soisconnected() when its
 * handshake completes, sofree() when it is closed on the queue).  So the
 * queues, their counts and limit, and a queued socket's so_head and
 * so_qstate change only in the sections of the functions below, which
 * call nothing that raises the level but the reference count's and the
 * pollers' sections; any socket's section may be around them.
 *
 * soqlink(), soqunlink_locked(), soqtake_locked() and soqsnapshot() do
 * the work inside such a section.
 */
static void
soqlink(struct socket *head, struct socket *so, int q)
{

	so->so_head = head;
	if (q == 0) {
		head->so_incqlen++;
		so->so_qstate |= SQ_INCOMP;
		TAILQ_INSERT_TAIL(&head->so_incomp, so, so_list);
	} else {
		head->so_qlen++;
		so->so_qstate |= SQ_COMP;
		TAILQ_INSERT_TAIL(&head->so_comp, so, so_list);
		/* The acceptor sleeps in soqaccept()'s section. */
		wakeup(&head->so_timeo);
		sopollwakeup();
	}
}

static void
soqunlink_locked(struct socket *so)
{
	struct socket *head;

	head = so->so_head;
	KASSERT(head != NULL, ("soqunlink: no head"));
	if (so->so_qstate & SQ_INCOMP) {
		TAILQ_REMOVE(&head->so_incomp, so, so_list);
		head->so_incqlen--;
	} else {
		KASSERT(so->so_qstate & SQ_COMP, ("soqunlink: on no queue"));
		TAILQ_REMOVE(&head->so_comp, so, so_list);
		head->so_qlen--;
	}
	so->so_qstate &= ~(SQ_INCOMP | SQ_COMP);
	so->so_head = NULL;
}

/* The first of head's queue q (as soqtake()), off it, with a reference. */
static struct socket *
soqtake_locked(struct socket *head, int q)
{
	struct socket *so;

	so = NULL;
	if (q != 1)
		so = TAILQ_FIRST(&head->so_incomp);
	if (so == NULL && q != 0)
		so = TAILQ_FIRST(&head->so_comp);
	if (so != NULL) {
		soqunlink_locked(so);
		soref(so);
	}
	return (so);
}

/* Put so on the incomplete (q == 0) or complete (q == 1) queue of head. */
void
soqinsque(struct socket *head, struct socket *so, int q)
{
	int s;

	s = splnet();
	soqlink(head, so, q);
	splx(s);
}

/*
 * Take the first socket off head's incomplete (q == 0) or complete
 * (q == 1) queue, or either, the incomplete first (q == -1), with a
 * reference.  NULL when there is none.
 */
struct socket *
soqtake(struct socket *head, int q)
{
	struct socket *so;
	int s;

	s = splnet();
	so = soqtake_locked(head, q);
	splx(s);
	return (so);
}

/*
 * Take so off its listener's queue, with a reference.  0 when it was on
 * none (someone else took it, and closes it).
 */
int
soqunlink(struct socket *so)
{
	int queued, s;

	s = splnet();
	queued = so->so_head != NULL;
	if (queued) {
		soqunlink_locked(so);
		soref(so);
	}
	splx(s);
	return (queued);
}

/*
 * accept(): take the first completed connection of head, with a
 * reference, into *aso; or, with none, sleep once for one (up to timo
 * ticks) and return 0 with *aso NULL, for the caller to test the
 * listener's state again.  EWOULDBLOCK when nbio and none is queued.
 * The sleep's interlock is this section, in which soqlink() wakes it up.
 * (The listener's error and end of input are raised in its own section,
 * by a teardown that repeats its wakeup until the call returns.)
 */
int
soqaccept(struct socket *head, int nbio, int timo, struct socket **aso)
{
	struct socket *so;
	int error, s;

	error = 0;
	s = splnet();
	so = soqtake_locked(head, 1);
	if (so == NULL && nbio)
		error = EWOULDBLOCK;
	else if (so == NULL)
		error = tsleep(&head->so_timeo, PSOCK | PCATCH, "accept",
		    timo);
	splx(s);
	*aso = so;
	return (error);
}

/*
 * so's handshake completed: if it waits on a listener's incomplete queue,
 * move it to the complete one and wake the acceptor (nonzero then).
 */
int
soqcomplete(struct socket *so)
{
	struct socket *head;
	int queued, s;

	s = splnet();
	head = so->so_head;
	queued = head != NULL && (so->so_qstate & SQ_INCOMP);
	if (queued) {
		soqunlink_locked(so);
		soqlink(head, so, 1);
	}
	splx(s);
	return (queued);
}

/*
 * sofree() of a socket neither the protocol nor a descriptor has: off an
 * incomplete queue it goes; nonzero when it must stay, on a complete
 * queue (accept() will take it) or referenced.  The count is read here,
 * where accept() takes its reference, so one cannot slip in between.
 */
int
soqabandon(struct socket *so)
{
	int keep, s;

	s = splnet();
	keep = 0;
	if (so->so_qstate & SQ_INCOMP)
		soqunlink_locked(so);
	else if (so->so_qstate & SQ_COMP)
		keep = 1;
	if (!keep && socount(so) != 0)
		keep = 1;
	splx(s);
	return (keep);
}

void
soqsetlimit(struct socket *head, int backlog)
{
	int s;

	s = splnet();
	head->so_qlimit = backlog;
	splx(s);
}

/* Completed connections waiting on head (poll: readable when any). */
int
soqlen(struct socket *head)
{
	int qlen, s;

	s = splnet();
	qlen = head->so_qlen;
	splx(s);
	return (qlen);
}

static void
soqsnapshot(struct socket *head, struct soqinfo *qi)
{

	qi->sqi_qlen = head->so_qlen;
	qi->sqi_incqlen = head->so_incqlen;
	qi->sqi_qlimit = head->so_qlimit;
}

/* A snapshot of head's queues. */
void
soqinfo(struct socket *head, struct soqinfo *qi)
{
	int s;

	s = splnet();
	soqsnapshot(head, qi);
	splx(s);
}

/*
 * The same of the listener so is queued on, incomplete; 0 when it is not
 * (accepted, or never queued).
 */
int
soqheadinfo(struct socket *so, struct soqinfo *qi)
{
	struct socket *head;
	int queued, s;

	s = splnet();
	head = so->so_head;
	queued = head != NULL && (so->so_qstate & SQ_INCOMP);
	if (queued)
		soqsnapshot(head, qi);
	splx(s);
	return (queued);
}

/*
 * socantsendmore(): nothing more will be sent (the user shut the sending
 * side down, or closed); socantrcvmore(): nothing more will arrive (the
 * peer said so, e.g. with a FIN).  Each marks the state and wakes the
 * threads waiting on that buffer.
 */
void
socantsendmore(struct socket *so)
{

	so->so_state |= SS_CANTSENDMORE;
	sowwakeup(so);
}

void
socantrcvmore(struct socket *so)
{

	so->so_state |= SS_CANTRCVMORE;
	sorwakeup(so);
}

void
sohasoutofband(struct socket *so)
{

	sorwakeup(so);
}

struct sockaddr *
sodupsockaddr(const struct sockaddr *sa, int mflags)
{
	struct sockaddr *sa2;

	sa2 = malloc(sa->sa_len, M_SONAME, mflags);
	if (sa2 != NULL)
		bcopy(sa, sa2, sa->sa_len);
	return (sa2);
}

/* Requests a protocol does not support. */
int
pru_accept_notsupp(struct socket *so __unused, struct sockaddr **nam __unused)
{

	return (EOPNOTSUPP);
}

int
pru_connect_notsupp(struct socket *so __unused,
    struct sockaddr *nam __unused, struct thread *td __unused)
{

	return (EOPNOTSUPP);
}

int
pru_connect2_notsupp(struct socket *so1 __unused,
    struct socket *so2 __unused)
{

	return (EOPNOTSUPP);
}

int
pru_control_notsupp(struct socket *so __unused, u_long cmd __unused,
    caddr_t data __unused, struct ifnet *ifp __unused,
    struct thread *td __unused)
{

	return (EOPNOTSUPP);
}

int
pru_listen_notsupp(struct socket *so __unused, struct thread *td __unused)
{

	return (EOPNOTSUPP);
}

int
pru_rcvd_notsupp(struct socket *so __unused, int flags __unused)
{

	return (EOPNOTSUPP);
}

int
pru_rcvoob_notsupp(struct socket *so __unused, struct mbuf *m __unused,
    int flags __unused)
{

	return (EOPNOTSUPP);
}
