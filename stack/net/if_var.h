/*
 * Kernel structures of network interfaces.
 *
 * The interface list, the address lists and the queues are per-instance
 * globals protected the uniprocessor way: Giant for thread context, and
 * splimp()/splnet() around anything the interrupt side touches.
 */
#ifndef _NET_IF_VAR_H_
#define	_NET_IF_VAR_H_

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <net/if.h>

struct mbuf;
struct rtentry;
struct ifnet;
struct vnet;
struct ithread;
struct pcap_writer;

TAILQ_HEAD(ifnethead, ifnet);
TAILQ_HEAD(ifaddrhead, ifaddr);

/*
 * Bounded packet queue of an interface (send and receive).  A full queue
 * refuses new packets and counts them in ifq_drops.
 */
struct ifqueue {
	struct	mbuf *ifq_head;
	struct	mbuf *ifq_tail;
	int	ifq_len;
	int	ifq_maxlen;
	int	ifq_drops;
};
#define	IFQ_MAXLEN	256

#define	IF_QFULL(ifq)		((ifq)->ifq_len >= (ifq)->ifq_maxlen)
#define	IF_DROP(ifq)		((ifq)->ifq_drops++)
#define	IF_QLEN(ifq)		((ifq)->ifq_len)
#define	IF_ENQUEUE(ifq, m) do {						\
	(m)->m_nextpkt = NULL;						\
	if ((ifq)->ifq_tail == NULL)					\
		(ifq)->ifq_head = (m);					\
	else								\
		(ifq)->ifq_tail->m_nextpkt = (m);			\
	(ifq)->ifq_tail = (m);						\
	(ifq)->ifq_len++;						\
} while (0)
#define	IF_PREPEND(ifq, m) do {						\
	(m)->m_nextpkt = (ifq)->ifq_head;				\
	if ((ifq)->ifq_tail == NULL)					\
		(ifq)->ifq_tail = (m);					\
	(ifq)->ifq_head = (m);						\
	(ifq)->ifq_len++;						\
} while (0)
/* Take the whole queue: m is its first packet, the rest follow it. */
#define	IF_DEQUEUE_ALL(ifq, m) do {					\
	(m) = (ifq)->ifq_head;						\
	(ifq)->ifq_head = (ifq)->ifq_tail = NULL;			\
	(ifq)->ifq_len = 0;						\
} while (0)
#define	IF_DEQUEUE(ifq, m) do {						\
	(m) = (ifq)->ifq_head;						\
	if (m) {							\
		if (((ifq)->ifq_head = (m)->m_nextpkt) == NULL)		\
			(ifq)->ifq_tail = NULL;				\
		(m)->m_nextpkt = NULL;					\
		(ifq)->ifq_len--;					\
	}								\
} while (0)

void	if_qflush(struct ifqueue *ifq);
/* The two sides' own sections (if.c). */
void	if_snd_enable(struct ifnet *ifp, int on);
void	if_snd_flush(struct ifnet *ifp);
int	if_snd_busy(struct ifnet *ifp);
void	if_rcv_enable(struct ifnet *ifp, int on);
int	if_rcv_busy(struct ifnet *ifp);
/* Enqueue or drop (counting the drop); returns 0 or ENOBUFS. */
int	if_handoff(struct ifqueue *ifq, struct mbuf *m, struct ifnet *ifp,
	    int adjust);

/*
 * Structure defining a network interface.
 */
struct ifnet {
	void	*if_softc;		/* pointer to driver state */
	char	if_xname[IFNAMSIZ];	/* external name (name + unit) */
	TAILQ_ENTRY(ifnet) if_link;	/* link on the instance's list */
	struct	ifaddrhead if_addrhead;	/* addresses of this interface */
	struct	vnet *if_vnet;		/* the instance it is attached to */
	int	if_index;		/* index, 1 and up */
	int	if_flags;		/* IFF_* flags */
	u_char	if_type;		/* IFT_* type */
	u_char	if_addrlen;		/* media address length */
	u_char	if_hdrlen;		/* media header length */
	u_char	if_lladdr[6];		/* link-level (ethernet) address */
	u_long	if_mtu;			/* maximum transmission unit */
/* statistics, bumped with ++ */
	u_long	if_ipackets;		/* packets received on interface */
	u_long	if_ierrors;		/* input errors on interface */
	u_long	if_opackets;		/* packets sent on interface */
	u_long	if_oerrors;		/* output errors on interface */
	u_long	if_ibytes;		/* total number of octets received */
	u_long	if_obytes;		/* total number of octets sent */
	u_long	if_imcasts;		/* packets received via multicast */
	u_long	if_omcasts;		/* packets sent via multicast */
	u_long	if_iqdrops;		/* dropped on input, this interface */
	u_long	if_noproto;		/* unknown ethertype */
	u_long	if_notforus;		/* frames for other link addresses */
/* driver entry points */
	int	(*if_output)(struct ifnet *, struct mbuf *, struct sockaddr *,
		    struct rtentry *);
	void	(*if_input)(struct ifnet *, struct mbuf *);
	void	(*if_start)(struct ifnet *);
	int	(*if_ioctl)(struct ifnet *, u_long, caddr_t);
	void	(*if_detach)(struct ifnet *);	/* driver teardown */
	/* Injected faults so far: lost, duplicated, reordered, delayed. */
	void	(*if_faults)(struct ifnet *, u_long f[4]);
/*
 * The transmit and the receive side, each at splimp in sections of its
 * own (if_handoff() and the drivers' start routines; if_rxenqueue() and
 * the interrupt thread): they share nothing, so a migration may give each
 * its own lock.
 */
	struct	ifqueue if_snd;		/* output queue */
	int	if_sndon;		/* if_snd takes frames (if_up) */
	int	if_drv_flags;		/* IFF_DRV_OACTIVE: if_snd drains */
	struct	ifqueue if_rcvq;	/* frames waiting for the ithread */
	int	if_rcvon;		/* if_rcvq takes frames (if_up) */
	int	if_rxbusy;		/* frames the ithread is handling */
	struct	ithread *if_ithd;	/* the interface's interrupt thread */
	struct	pcap_writer *if_pcap;	/* capture of every frame, or NULL */
};

#define	IF_LLADDR(ifp)	((ifp)->if_lladdr)

/*
 * The interface address: one per protocol address of an interface.
 * Reference counted with plain ++/-- (ifa_refcnt).
 */
struct ifaddr {
	struct	sockaddr *ifa_addr;	/* address of interface */
	struct	sockaddr *ifa_dstaddr;	/* other end of p-to-p link */
#define	ifa_broadaddr	ifa_dstaddr	/* the same field, for broadcast */
	struct	sockaddr *ifa_netmask;	/* subnet mask */
	struct	ifnet *ifa_ifp;		/* back-pointer to interface */
	TAILQ_ENTRY(ifaddr) ifa_link;	/* link on if_addrhead */
	u_short	ifa_flags;		/* IFA_* flags */
	u_int	ifa_refcnt;		/* references to this structure */
	int	ifa_metric;		/* routing metric */
};
#define	IFA_ROUTE	0x01		/* route installed */

void	ifa_ref(struct ifaddr *ifa);
void	ifa_free(struct ifaddr *ifa);

/*
 * Per-instance interface list and counters (if.c).  The list changes only
 * in the configuration calls and the instance's teardown, which hold
 * Giant, and only they walk it (ifunit(), ifa_ifwithnet()): no data path
 * does, so it needs no lock of its own.  An interface lives as long as
 * its instance.
 */
#include <net/vnet.h>
VNET_DECLARE(struct ifnethead, ifnet);
#define	V_ifnet		VNET(ifnet)
VNET_DECLARE(int, if_index);
#define	V_if_index	VNET(if_index)

void	if_init_vnet(void);
void	if_attach(struct ifnet *ifp);
void	if_detach(struct ifnet *ifp);
void	if_detach_all(struct ifnethead *gone);
void	if_free(struct ifnet *ifp);
void	if_free_detached(struct ifnethead *gone);
void	if_up(struct ifnet *ifp);
void	if_down(struct ifnet *ifp);
struct ifnet *ifunit(const char *name);
struct ifaddr *ifa_ifwithnet(struct sockaddr *addr);
struct ifaddr *ifaof_ifpforaddr(struct sockaddr *addr, struct ifnet *ifp);
/*
 * Receive path of a driver: queue a frame for the interface's interrupt
 * thread (counted drop when the queue is full) and schedule the thread.
 */
void	if_rxenqueue(struct ifnet *ifp, struct mbuf *m);
/*
 * Start the interface's interrupt thread (at attach).  handler NULL: the
 * thread hands the frames of if_rcvq to if_input.  The thread runs with
 * Giant when the interface has IFF_NEEDSGIANT.
 */
int	if_ithread_start(struct ifnet *ifp, void (*handler)(void *));
void	if_ithread_stop(struct ifnet *ifp);
/*
 * Copy a frame into fresh clusters as a receiving NIC does, with the
 * first ETHER_ALIGN bytes left free so the IP header is 4-byte aligned.
 * NULL when out of mbufs.
 */
struct mbuf *if_rxcopy_mbuf(struct mbuf *src, int len);
struct mbuf *if_rxcopy_buf(const void *buf, int len);

/* The loopback interface of the instance (if_loop.c). */
VNET_DECLARE(struct ifnet *, loif);
#define	V_loif		VNET(loif)
struct ifnet *loif_attach(void);

#endif /* !_NET_IF_VAR_H_ */
