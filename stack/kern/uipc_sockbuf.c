/*
 * Socket buffers: queues of records of mbufs, with the sleep and wakeup
 * used by the socket calls.
 *
 * Legacy synchronization: callers hold Giant and raise splnet() when the
 * buffer is shared with the network interrupt side; a thread waiting for
 * data or space sleeps in sbwait() with tsleep().
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/protosw.h>
#include <sys/socket.h>
#include <sys/socketvar.h>

u_long	sb_max = SB_MAX;		/* maximum of sb_hiwat */
static	u_long sb_efficiency = 8;	/* sb_mbmax as a multiple of sb_hiwat */
int	sopoll_gen;			/* pollers sleep on its address */

/*
 * Sleep in sbwait() until the socket buffer's state changes (more data in,
 * or data out).  EWOULDBLOCK when SO_RCVTIMEO/SO_SNDTIMEO runs out first.
 */
int
sbwait(struct sockbuf *sb)
{

	sb->sb_flags |= SB_WAIT;
	return (tsleep(&sb->sb_cc, PSOCK, "sbwait", sb->sb_timeo));
}

/*
 * The long-term lock of a socket buffer: it keeps other senders (or
 * readers) out for a whole send or receive, while the data itself stays
 * protected by splnet.  Called inside the caller's splnet section.  A
 * caller that may not block (wf is M_NOWAIT) gets EWOULDBLOCK instead of
 * waiting for the holder.
 */
int
sblock(struct sockbuf *sb, int wf)
{
	int error;

	while (sb->sb_flags & SB_LOCK) {
		if (wf != M_WAITOK)
			return (EWOULDBLOCK);
		sb->sb_flags |= SB_WANT;
		error = tsleep(&sb->sb_flags, PSOCK, "sblock", 0);
		if (error)
			return (error);
	}
	sb->sb_flags |= SB_LOCK;
	return (0);
}

/* Give the long-term lock back and wake a thread that waits for it. */
void
sbunlock(struct sockbuf *sb)
{

	sb->sb_flags &= ~SB_LOCK;
	if (sb->sb_flags & SB_WANT) {
		sb->sb_flags &= ~SB_WANT;
		wakeup(&sb->sb_flags);
	}
}

/*
 * Tell the pollers something changed: the pollers' generation changes in
 * a section of its own, which may be inside another, so a poller that
 * scanned before this wakeup sees the change before it sleeps.
 */
void
sopollwakeup(void)
{
	int s;

	s = splnet();
	sopoll_gen++;
	wakeup(&sopoll_gen);
	splx(s);
}

/*
 * Wake up the threads waiting on a socket buffer and the pollers, and
 * call the socket's upcall.  Called in the socket's splnet section.
 */
void
sowakeup(struct socket *so, struct sockbuf *sb)
{

	if (sb->sb_flags & SB_WAIT) {
		sb->sb_flags &= ~SB_WAIT;
		wakeup(&sb->sb_cc);
	}
	if (sb->sb_flags & SB_SEL) {
		sb->sb_flags &= ~SB_SEL;
		sopollwakeup();
	}
	if ((sb->sb_flags & SB_UPCALL) && so->so_upcall != NULL)
		(*so->so_upcall)(so, so->so_upcallarg, M_NOWAIT);
}

/*
 * Reserve buffer space for a socket: the byte limits of both buffers
 * and their low-water marks.
 */
int
soreserve(struct socket *so, u_long sndcc, u_long rcvcc)
{

	if (sbreserve(&so->so_snd, sndcc, so, NULL) == 0)
		goto bad;
	if (sbreserve(&so->so_rcv, rcvcc, so, NULL) == 0)
		goto bad2;
	if (so->so_rcv.sb_lowat == 0)
		so->so_rcv.sb_lowat = 1;
	if (so->so_snd.sb_lowat == 0)
		so->so_snd.sb_lowat = MCLBYTES;
	if ((u_int)so->so_snd.sb_lowat > so->so_snd.sb_hiwat)
		so->so_snd.sb_lowat = so->so_snd.sb_hiwat;
	return (0);
bad2:
	sbrelease(&so->so_snd, so);
bad:
	return (ENOBUFS);
}

/*
 * Set the buffer's size limit to cc bytes.  The mbuf limit (sb_mbmax) is
 * a multiple of it, so that many small mbufs cannot hit it first.  0 when
 * cc is 0 or over what sb_max allows.
 */
int
sbreserve(struct sockbuf *sb, u_long cc, struct socket *so __unused,
    struct thread *td __unused)
{
	u_long limit;

	limit = sb_max * MCLBYTES / (MSIZE + MCLBYTES);
	if (cc == 0 || cc > limit)
		return (0);
	sb->sb_hiwat = cc;
	sb->sb_mbmax = ulmin(cc * sb_efficiency, sb_max);
	if ((u_int)sb->sb_lowat > sb->sb_hiwat)
		sb->sb_lowat = sb->sb_hiwat;
	return (1);
}

/* Empty the buffer and give up its reserved size. */
void
sbrelease(struct sockbuf *sb, struct socket *so __unused)
{

	sbflush(sb);
	sb->sb_hiwat = sb->sb_mbmax = 0;
}

/*
 * Recompute the pointers to the last record and its last mbuf after the
 * front of the buffer changed.
 */
void
sbsettail(struct sockbuf *sb)
{
	struct mbuf *m;

	m = sb->sb_mb;
	if (m == NULL) {
		sb->sb_lastrecord = sb->sb_mbtail = NULL;
		return;
	}
	while (m->m_nextpkt != NULL)
		m = m->m_nextpkt;
	sb->sb_lastrecord = m;
	while (m->m_next != NULL)
		m = m->m_next;
	sb->sb_mbtail = m;
}

/*
 * Link the chain m to the end of the last record, charging it to the
 * buffer and merging small mbufs into the tail's free space.
 */
static void
sb_linkchain(struct sockbuf *sb, struct mbuf *m)
{
	struct mbuf *n, *tail;

	tail = sb->sb_mbtail;
	while (m != NULL) {
		if (m->m_len == 0 && tail != NULL) {
			m = m_free(m);
			continue;
		}
		if (tail != NULL && (tail->m_flags & M_EXT) == 0 &&
		    (m->m_flags & M_EOR) == 0 && tail->m_type == m->m_type &&
		    M_TRAILINGSPACE(tail) >= m->m_len) {
			bcopy(mtod(m, caddr_t), mtod(tail, caddr_t) +
			    tail->m_len, m->m_len);
			tail->m_len += m->m_len;
			sb->sb_cc += m->m_len;
			m = m_free(m);
			continue;
		}
		n = m->m_next;
		m->m_next = NULL;
		m->m_nextpkt = NULL;
		sballoc(sb, m);
		if (tail != NULL)
			tail->m_next = m;
		else {
			sb->sb_mb = m;
			sb->sb_lastrecord = m;
		}
		tail = m;
		m = n;
	}
	sb->sb_mbtail = tail;
}

/*
 * Add the data of m to the end of the buffer's last record (a stream
 * protocol's byte stream); an empty buffer gets a first record.
 */
void
sbappend(struct sockbuf *sb, struct mbuf *m)
{

	if (m == NULL)
		return;
	if (sb->sb_mb == NULL) {
		sbappendrecord(sb, m);
		return;
	}
	sb_linkchain(sb, m);
}

/*
 * Append data to a stream socket buffer: there is a single record.
 */
void
sbappendstream(struct sockbuf *sb, struct mbuf *m)
{

	KASSERT(sb->sb_mb == sb->sb_lastrecord,
	    ("sbappendstream: more than one record"));
	if (m == NULL)
		return;
	if (m->m_flags & M_PKTHDR)
		m->m_flags &= ~M_PKTHDR;	/* a stream has no packets */
	sb_linkchain(sb, m);
}

/*
 * Like sbappendstream's caller but m starts its own record at the tail.
 */
void
sbappendrecord(struct sockbuf *sb, struct mbuf *m0)
{
	struct mbuf *m;

	if (m0 == NULL)
		return;
	m0->m_nextpkt = NULL;
	if (sb->sb_lastrecord != NULL)
		sb->sb_lastrecord->m_nextpkt = m0;
	else
		sb->sb_mb = m0;
	sb->sb_lastrecord = m0;
	for (m = m0; ; m = m->m_next) {
		sballoc(sb, m);
		if (m->m_next == NULL)
			break;
	}
	sb->sb_mbtail = m;
}

/*
 * Queue one datagram on a receive buffer as a record: a sockaddr mbuf for
 * the sender, any control mbufs, then the data.  0 when the buffer lacks
 * room or an mbuf cannot be had, 1 when queued.
 */
int
sbappendaddr(struct sockbuf *sb, const struct sockaddr *asa,
    struct mbuf *m0, struct mbuf *control)
{
	struct mbuf *m, *n;
	int space;

	if (asa->sa_len > MLEN)
		return (0);
	space = asa->sa_len;
	if (m0 != NULL) {
		KASSERT(m0->m_flags & M_PKTHDR, ("sbappendaddr: no header"));
		space += m0->m_pkthdr.len;
	}
	for (n = control; n != NULL; n = n->m_next)
		space += n->m_len;
	if (space > sbspace(sb))
		return (0);
	m = m_get(M_NOWAIT, MT_SONAME);
	if (m == NULL)
		return (0);
	m->m_len = asa->sa_len;
	bcopy(asa, mtod(m, caddr_t), asa->sa_len);
	if (control != NULL) {
		for (n = control; n->m_next != NULL; n = n->m_next)
			continue;
		n->m_next = m0;
		m->m_next = control;
	} else
		m->m_next = m0;
	sbappendrecord(sb, m);
	return (1);
}

/*
 * Remove len bytes from the front of the buffer (the peer acknowledged
 * them, or the reader consumed them).
 */
void
sbdrop(struct sockbuf *sb, int len)
{
	struct mbuf *m, *next;

	KASSERT(len >= 0 && (u_int)len <= sb->sb_cc,
	    ("sbdrop: %d of %u bytes", len, sb->sb_cc));
	m = sb->sb_mb;
	next = m != NULL ? m->m_nextpkt : NULL;
	while (len > 0) {
		if (m == NULL) {
			KASSERT(next != NULL, ("sbdrop: ran out of data"));
			m = next;
			next = m->m_nextpkt;
			continue;
		}
		if (m->m_len > len) {
			m->m_len -= len;
			m->m_data += len;
			sb->sb_cc -= len;
			break;
		}
		len -= m->m_len;
		sbfree(sb, m);
		m = m_free(m);
	}
	while (m != NULL && m->m_len == 0) {
		sbfree(sb, m);
		m = m_free(m);
	}
	if (m != NULL) {
		sb->sb_mb = m;
		m->m_nextpkt = next;
	} else
		sb->sb_mb = next;
	sbsettail(sb);
}

/*
 * Free the first record of the buffer (all of its mbufs); the record after
 * it, if any, becomes the first.
 */
void
sbdroprecord(struct sockbuf *sb)
{
	struct mbuf *m;

	m = sb->sb_mb;
	if (m == NULL)
		return;
	sb->sb_mb = m->m_nextpkt;
	do {
		sbfree(sb, m);
		m = m_free(m);
	} while (m != NULL);
	sbsettail(sb);
}

/* sbflush: free every queued record and zero the counts. */
void
sbflush(struct sockbuf *sb)
{

	while (sb->sb_mb != NULL)
		sbdroprecord(sb);
	KASSERT(sb->sb_cc == 0 && sb->sb_mbcnt == 0,
	    ("sbflush: cc %u mbcnt %u", sb->sb_cc, sb->sb_mbcnt));
}

/* Check the byte counts of a sockbuf against its mbufs (debugging). */
void
sbcheck(struct sockbuf *sb)
{
	struct mbuf *m, *n;
	u_long len, mbcnt;

	len = mbcnt = 0;
	for (m = sb->sb_mb; m != NULL; m = m->m_nextpkt) {
		for (n = m; n != NULL; n = n->m_next) {
			len += n->m_len;
			mbcnt += MSIZE;
			if (n->m_flags & M_EXT)
				mbcnt += n->m_ext.ext_size;
		}
	}
	if (len != sb->sb_cc || mbcnt != sb->sb_mbcnt)
		panic("sbcheck: cc %lu != %u || mbcnt %lu != %u", len,
		    sb->sb_cc, mbcnt, sb->sb_mbcnt);
}
