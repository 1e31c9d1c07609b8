/*
 * struct socket and struct sockbuf.
 *
 * Legacy synchronization, as a uniprocessor kernel had it: the socket and
 * its buffers are protected by Giant and by splnet() against the network
 * interrupt code; a thread waiting for buffer space or data sleeps with
 * tsleep() on the buffer (sbwait) and is woken by sowakeup().
 */
#ifndef _SYS_SOCKETVAR_H_
#define	_SYS_SOCKETVAR_H_

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/malloc.h>

struct mbuf;
struct protosw;
struct ucred;
struct thread;
struct vnet;
struct sockopt;
struct uio;

/*
 * Socket buffer: a queue of records (chains linked through m_nextpkt),
 * each a chain of mbufs linked through m_next.
 */
struct sockbuf {
	u_int	sb_cc;		/* bytes queued */
	u_int	sb_hiwat;	/* byte limit (high-water mark) */
	u_int	sb_mbcnt;	/* mbuf storage charged */
	u_int	sb_mbmax;	/* limit on mbuf storage */
	int	sb_lowat;	/* low water mark */
	struct	mbuf *sb_mb;	/* the mbuf chain */
	struct	mbuf *sb_mbtail; /* the last mbuf in the chain */
	struct	mbuf *sb_lastrecord; /* first mbuf of last record */
	short	sb_flags;	/* flags, see below */
	int	sb_timeo;	/* timeout for read/write, in ticks */
	int	sb_selcoll;	/* pollers waiting on this buffer */
};

#define	SB_MAX		(256 * 1024)	/* upper bound for sb_hiwat */
#define	SB_LOCK		0x01		/* lock on data queue */
#define	SB_WANT		0x02		/* a thread waits for SB_LOCK */
#define	SB_WAIT		0x04		/* a thread sleeps in sbwait */
#define	SB_SEL		0x08		/* someone is polling */
#define	SB_ASYNC	0x10		/* async notification wanted */
#define	SB_UPCALL	0x20		/* someone wants an upcall */
#define	SB_NOINTR	0x40		/* operations not interruptible */

struct socket {
	short	so_type;		/* SOCK_STREAM, SOCK_DGRAM, ... */
	short	so_options;		/* SO_* options set */
	short	so_linger;		/* time to linger while closing */
	short	so_state;		/* internal state flags SS_* */
	u_int	so_count;	/* references: descriptor + soref() */
	void	*so_pcb;		/* protocol control block */
	struct	protosw *so_proto;	/* protocol handle */
	struct	vnet *so_vnet;		/* stack instance it belongs to */
/*
 * Listen queues.  A listening socket (so_head of the queued ones) keeps
 * two: so_incomp for handshakes still under way and so_comp for
 * established connections that accept() has not taken yet.  These
 * fields, of the listener and of the queued sockets, change only through
 * the soq*() functions of uipc_socket.c, never with the rest of a socket.
 */
	struct	socket *so_head;	/* listener this one is queued on */
	TAILQ_HEAD(, socket) so_incomp;	/* handshakes in progress */
	TAILQ_HEAD(, socket) so_comp;	/* ready for accept() */
	TAILQ_ENTRY(socket) so_list;	/* link on so_incomp or so_comp */
	short	so_qlen;		/* number of unaccepted connections */
	short	so_incqlen;		/* length of so_incomp */
	short	so_qlimit;		/* listen backlog */
	short	so_qstate;		/* SQ_*: which queue it is on */
	short	so_timeo;		/* connection timeout */
	u_short	so_error;		/* error affecting connection */
	struct	sockbuf so_rcv, so_snd;
	struct	ucred *so_cred;		/* credential of the creator */
	void	(*so_upcall)(struct socket *, void *, int);
	void	*so_upcallarg;
};

/* so_state bits (SS_*). */
#define	SS_NOFDREF		0x0001	/* descriptor closed */
#define	SS_ISCONNECTED		0x0002	/* socket connected to a peer */
#define	SS_ISCONNECTING		0x0004	/* connect() under way */
#define	SS_ISDISCONNECTING	0x0008	/* in process of disconnecting */
#define	SS_CANTSENDMORE		0x0010	/* can't send more data to peer */
#define	SS_CANTRCVMORE		0x0020	/* peer sent its FIN / EOF seen */
#define	SS_RCVATMARK		0x0040	/* at mark on input */
#define	SS_NBIO			0x0100	/* non-blocking ops */
#define	SS_ASYNC		0x0200	/* async i/o notify */
#define	SS_ISCONFIRMING		0x0400	/* awaiting confirmation */
#define	SS_ISDISCONNECTED	0x2000	/* socket disconnected from peer */

/* so_qstate bits (SQ_*). */
#define	SQ_INCOMP		0x0001	/* on the listener's so_incomp */
#define	SQ_COMP			0x0002	/* on the listener's so_comp */

/*
 * Macros for sockets and socket buffering.
 */

/* Bytes (or mbuf storage, whichever is tighter) still free in sb. */
#define	sbspace(sb) \
	((long)imin((int)((sb)->sb_hiwat - (sb)->sb_cc), \
	    (int)((sb)->sb_mbmax - (sb)->sb_mbcnt)))

/* True when the protocol takes whole messages only. */
#define	sosendallatonce(so) \
	((so)->so_proto->pr_flags & PR_ATOMIC)

/* soreadable: a read would not block. */
#define	soreadable(so) \
	((so)->so_rcv.sb_cc >= (u_int)(so)->so_rcv.sb_lowat || \
	    ((so)->so_state & SS_CANTRCVMORE) || \
	    soqlen(so) != 0 || (so)->so_error)

/* sowriteable: a write would not block. */
#define	sowriteable(so) \
	((sbspace(&(so)->so_snd) >= (so)->so_snd.sb_lowat && \
	    (((so)->so_state & SS_ISCONNECTED) || \
	    ((so)->so_proto->pr_flags & PR_CONNREQUIRED) == 0)) || \
	    ((so)->so_state & SS_CANTSENDMORE) || \
	    (so)->so_error)

/* Charge mbuf m (and its cluster) to sb. */
#define	sballoc(sb, m) do {						\
	(sb)->sb_cc += (m)->m_len;					\
	(sb)->sb_mbcnt += MSIZE;					\
	if ((m)->m_flags & M_EXT)					\
		(sb)->sb_mbcnt += (m)->m_ext.ext_size;			\
} while (0)

/* Uncharge mbuf m (and its cluster) from sb. */
#define	sbfree(sb, m) do {						\
	(sb)->sb_cc -= (m)->m_len;					\
	(sb)->sb_mbcnt -= MSIZE;					\
	if ((m)->m_flags & M_EXT)					\
		(sb)->sb_mbcnt -= (m)->m_ext.ext_size;			\
} while (0)

#define	sorwakeup(so)	sowakeup((so), &(so)->so_rcv)
#define	sowwakeup(so)	sowakeup((so), &(so)->so_snd)

/*
 * Giant around calls into a protocol that does not lock for itself.
 * This is what lets the migration proceed one protocol at a time.
 */
#define	SOCK_NEEDS_GIANT(so)	PR_NEEDS_GIANT((so)->so_proto)
#define	SOCK_GIANT_LOCK(so)	PR_GIANT_LOCK((so)->so_proto)
#define	SOCK_GIANT_UNLOCK(so)	PR_GIANT_UNLOCK((so)->so_proto)

/* Events of sopoll(), the values of poll(2). */
#define	SO_POLLIN	0x0001
#define	SO_POLLPRI	0x0002
#define	SO_POLLOUT	0x0004
#define	SO_POLLERR	0x0008
#define	SO_POLLHUP	0x0010
#define	SO_POLLNVAL	0x0020

/* Wait mode for sblock() from send/receive flags. */
#define	SBLOCKWAIT(f)	(((f) & MSG_DONTWAIT) ? M_NOWAIT : M_WAITOK)

MALLOC_DECLARE(M_SONAME);
MALLOC_DECLARE(M_SOCKET);
extern u_long	sb_max;

/* Socket buffer operations (uipc_sockbuf.c). */
void	sbappend(struct sockbuf *sb, struct mbuf *m);
void	sbappendstream(struct sockbuf *sb, struct mbuf *m);
int	sbappendaddr(struct sockbuf *sb, const struct sockaddr *asa,
	    struct mbuf *m0, struct mbuf *control);
void	sbappendrecord(struct sockbuf *sb, struct mbuf *m0);
void	sbcheck(struct sockbuf *sb);
void	sbdrop(struct sockbuf *sb, int len);
void	sbdroprecord(struct sockbuf *sb);
void	sbflush(struct sockbuf *sb);
void	sbrelease(struct sockbuf *sb, struct socket *so);
int	sbreserve(struct sockbuf *sb, u_long cc, struct socket *so,
	    struct thread *td);
int	sbwait(struct sockbuf *sb);
int	sblock(struct sockbuf *sb, int wf);
void	sbunlock(struct sockbuf *sb);
int	soreserve(struct socket *so, u_long sndcc, u_long rcvcc);
void	sowakeup(struct socket *so, struct sockbuf *sb);
void	sbsettail(struct sockbuf *sb);

/* Socket state transitions used by the protocols (uipc_socket.c). */
void	soisconnected(struct socket *so);
void	soisconnecting(struct socket *so);
void	soisdisconnected(struct socket *so);
void	soisdisconnecting(struct socket *so);
void	socantrcvmore(struct socket *so);
void	socantsendmore(struct socket *so);
struct socket *sonewconn(struct socket *head, int connstatus);
void	soabort(struct socket *so);
void	sofree(struct socket *so);
void	soref(struct socket *so);
int	sorele(struct socket *so);
void	sohasoutofband(struct socket *so);

/*
 * A listener's queues (uipc_socket.c): each call is one section of their
 * own, which may be entered in a socket's; a socket taken off a queue
 * comes with a reference (sorele() it, and sofree() when it was the last).
 */
struct soqinfo {
	int	sqi_qlen;		/* completed, not accepted yet */
	int	sqi_incqlen;		/* handshakes under way */
	int	sqi_qlimit;		/* listen()'s backlog */
};
void	soqinsque(struct socket *head, struct socket *so, int q);
struct socket *soqtake(struct socket *head, int q);
int	soqunlink(struct socket *so);
int	soqaccept(struct socket *head, int nbio, int timo,
	    struct socket **aso);
int	soqcomplete(struct socket *so);
int	soqabandon(struct socket *so);
void	soqsetlimit(struct socket *head, int backlog);
int	soqlen(struct socket *head);
void	soqinfo(struct socket *head, struct soqinfo *qi);
int	soqheadinfo(struct socket *so, struct soqinfo *qi);

/* Socket calls (uipc_socket.c). */
int	socreate(int dom, struct socket **aso, int type, int proto,
	    struct ucred *cred, struct thread *td);
int	sobind(struct socket *so, struct sockaddr *nam, struct thread *td);
int	soconnect(struct socket *so, struct sockaddr *nam, struct thread *td);
int	solisten(struct socket *so, int backlog, struct thread *td);
int	soaccept(struct socket *so, struct sockaddr **nam);
int	sodisconnect(struct socket *so);
int	sosend(struct socket *so, struct sockaddr *addr, struct uio *uio,
	    struct mbuf *top, struct mbuf *control, int flags,
	    struct thread *td);
int	soreceive(struct socket *so, struct sockaddr **paddr,
	    struct uio *uio, struct mbuf **mp0, struct mbuf **controlp,
	    int *flagsp);
int	soshutdown(struct socket *so, int how);
int	soclose(struct socket *so);
int	sosetopt(struct socket *so, struct sockopt *sopt);
int	sogetopt(struct socket *so, struct sockopt *sopt);
int	sopoll(struct socket *so, int events);
/* Close the descriptors of an instance going away (uipc_syscalls.c). */
void	bsd_closeall_vnet(struct vnet *vnet);
void	sorflush(struct socket *so);
struct sockaddr *sodupsockaddr(const struct sockaddr *sa, int mflags);

/*
 * The pollers' generation (uipc_sockbuf.c): sowakeup() bumps it at splnet
 * when a polled buffer changes, and pollers sleep on its address.
 */
extern int	sopoll_gen;
void	sopollwakeup(void);

#endif /* !_SYS_SOCKETVAR_H_ */
