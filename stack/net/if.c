/*
 * Network interfaces: the per-instance interface list, attach and
 * detach, interface addresses, queues, and the receive path of the
 * drivers (a queue drained by the interface's interrupt thread).
 *
 * Legacy synchronization: thread context holds Giant; splimp() guards
 * the queues that a driver's interrupt side fills.  The interrupt thread
 * runs with Giant unless the driver clears IFF_NEEDSGIANT.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <sys/interrupt.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/if_pcap.h>
#include <net/route.h>
#include <net/vnet.h>
#include <netinet/in.h>
#include <netinet/in_var.h>
#include <netinet/if_ether.h>

MALLOC_DEFINE(M_IFNET, "ifnet", "interface structures");
MALLOC_DEFINE(M_IFADDR, "ifaddr", "interface addresses");

VNET_DEFINE(struct ifnethead, ifnet);		/* the interfaces */
VNET_DEFINE(int, if_index);			/* last index handed out */

/* Set up the interface list of the current instance. */
void
if_init_vnet(void)
{

	TAILQ_INIT(&V_ifnet);
	V_if_index = 0;
}

/*
 * The interrupt thread of an interface: hand every frame its driver
 * queued to the interface's input routine.  It takes the whole queue at
 * once, so that the drivers filling it meet the thread's section once a
 * batch, not once a frame.  A frame counts as busy from its dequeue until
 * the input routine returns (which may have run the protocols,
 * netisr_dispatch()), so that bsd_stack_quiesce() waits for it; the
 * batch's count drops in the section of the next dequeue.
 */
static void
if_intr(void *arg)
{
	struct ifnet *ifp;
	struct mbuf *m, *next;
	int done, n, s;

	ifp = arg;
	CURVNET_SET(ifp->if_vnet);
	done = 0;
	for (;;) {
		s = splimp();
		ifp->if_rxbusy -= done;
		n = IF_QLEN(&ifp->if_rcvq);
		IF_DEQUEUE_ALL(&ifp->if_rcvq, m);
		ifp->if_rxbusy += n;
		splx(s);
		if (m == NULL)
			break;
		for (; m != NULL; m = next) {
			next = m->m_nextpkt;
			m->m_nextpkt = NULL;
			ifp->if_ipackets++;
			ifp->if_ibytes += m->m_pkthdr.len;
			if (ifp->if_pcap != NULL)
				if_pcap_tap(ifp, m);
			(*ifp->if_input)(ifp, m);
		}
		done = n;
	}
	CURVNET_RESTORE();
}

/*
 * Stop the interface's interrupt thread, once what it is handling is
 * done: the protocols it ran (netisr_dispatch()) may be sending through
 * the interface.  A driver calls it in its detach routine, after nothing
 * schedules the thread any more and before it frees what the thread
 * uses; if_detach() calls it for the others.  The caller holds Giant,
 * dropped while the thread exits.
 */
void
if_ithread_stop(struct ifnet *ifp)
{

	if (ifp->if_ithd == NULL)
		return;
	DROP_GIANT();
	ithread_destroy(ifp->if_ithd);
	PICKUP_GIANT();
	ifp->if_ithd = NULL;
}

int
if_ithread_start(struct ifnet *ifp, void (*handler)(void *))
{

	ifp->if_ithd = ithread_create(ifp->if_xname,
	    handler != NULL ? handler : if_intr, ifp,
	    INTR_TYPE_NET |
	    ((ifp->if_flags & IFF_NEEDSGIANT) ? 0 : INTR_MPSAFE));
	return (ifp->if_ithd == NULL ? ENOMEM : 0);
}

/*
 * Queue a received frame for the interface's interrupt thread; a full
 * queue drops it (counted in if_iqdrops).
 */
void
if_rxenqueue(struct ifnet *ifp, struct mbuf *m)
{
	int s;

	m->m_pkthdr.rcvif = ifp;
	s = splimp();
	if (IF_QFULL(&ifp->if_rcvq) || !ifp->if_rcvon) {
		IF_DROP(&ifp->if_rcvq);
		ifp->if_iqdrops++;
		splx(s);
		m_freem(m);
		return;
	}
	IF_ENQUEUE(&ifp->if_rcvq, m);
	splx(s);
	if (ifp->if_ithd != NULL)
		ithread_schedule(ifp->if_ithd);
}

/*
 * Link ifp onto the current instance's interface list, so lookups and
 * address assignment can find it.
 */
void
if_attach(struct ifnet *ifp)
{

	ifp->if_vnet = curvnet;
	ifp->if_index = ++V_if_index;
	TAILQ_INIT(&ifp->if_addrhead);
	if (ifp->if_snd.ifq_maxlen == 0)
		ifp->if_snd.ifq_maxlen = IFQ_MAXLEN;
	if (ifp->if_rcvq.ifq_maxlen == 0)
		ifp->if_rcvq.ifq_maxlen = IFQ_MAXLEN;
	TAILQ_INSERT_TAIL(&V_ifnet, ifp, if_link);
}

/*
 * Detach an interface: take it down, remove its routes, addresses and
 * ARP entries, stop its interrupt thread and free what it queued.  The
 * caller holds Giant; it is dropped while the interrupt thread exits.
 */
void
if_detach(struct ifnet *ifp)
{

	if_down(ifp);
	rt_ifdetach(ifp);
	arp_ifdetach(ifp);
	in_ifdetach(ifp);
	TAILQ_REMOVE(&V_ifnet, ifp, if_link);
	if (ifp->if_detach != NULL)
		(*ifp->if_detach)(ifp);
	if_ithread_stop(ifp);
	if_snd_flush(ifp);
	if_rcv_enable(ifp, 0);
	if (ifp->if_pcap != NULL)
		if_pcap_close(ifp);
}

/*
 * Detach every interface of the current instance.  They stay allocated,
 * on the list gone, until if_free_detached(): packets they received may
 * still wait in the netisr queues, naming them, until the caller has
 * stopped the netisr thread.
 */
void
if_detach_all(struct ifnethead *gone)
{
	struct ifnet *ifp;

	while ((ifp = TAILQ_LAST(&V_ifnet, ifnethead)) != NULL) {
		if_detach(ifp);
		TAILQ_INSERT_TAIL(gone, ifp, if_link);
	}
}

/*
 * Free a detached interface.  What it holds lives until here, not only
 * until if_detach(): a packet it received may still be in the netisr
 * queues, and its handler looks at the interface.
 */
void
if_free(struct ifnet *ifp)
{

	free(ifp, M_IFNET);
}

/* Free the interfaces if_detach_all() detached. */
void
if_free_detached(struct ifnethead *gone)
{
	struct ifnet *ifp;

	while ((ifp = TAILQ_FIRST(gone)) != NULL) {
		TAILQ_REMOVE(gone, ifp, if_link);
		if_free(ifp);
	}
}

void
if_up(struct ifnet *ifp)
{
	int s;

	s = splimp();
	ifp->if_flags |= IFF_UP | IFF_RUNNING;
	splx(s);
	if_snd_enable(ifp, 1);
	if_rcv_enable(ifp, 1);
}

void
if_down(struct ifnet *ifp)
{
	int s;

	s = splimp();
	ifp->if_flags &= ~(IFF_UP | IFF_RUNNING);
	splx(s);
	if_snd_enable(ifp, 0);
	if_rcv_enable(ifp, 0);
}

/*
 * The transmit side's and the receive side's own sections (if_var.h):
 * the send queue and whether a thread drains it; the receive queue,
 * whether it takes frames and how many the interrupt thread handles.
 * The senders learn that an interface is down here, in the send queue's
 * section, not from if_flags.
 */
void
if_snd_enable(struct ifnet *ifp, int on)
{
	int s;

	s = splimp();
	ifp->if_sndon = on;
	if (!on)
		if_qflush(&ifp->if_snd);
	splx(s);
}

void
if_snd_flush(struct ifnet *ifp)
{
	int s;

	s = splimp();
	if_qflush(&ifp->if_snd);
	splx(s);
}

/* Frames queued to send, and one more while a thread drains them. */
int
if_snd_busy(struct ifnet *ifp)
{
	int busy, s;

	s = splimp();
	busy = IF_QLEN(&ifp->if_snd) +
	    ((ifp->if_drv_flags & IFF_DRV_OACTIVE) != 0);
	splx(s);
	return (busy);
}

/* A receive queue that is off drops what it had and what comes. */
void
if_rcv_enable(struct ifnet *ifp, int on)
{
	int s;

	s = splimp();
	ifp->if_rcvon = on;
	if (!on)
		if_qflush(&ifp->if_rcvq);
	splx(s);
}

int
if_rcv_busy(struct ifnet *ifp)
{
	int busy, s;

	s = splimp();
	busy = IF_QLEN(&ifp->if_rcvq) + ifp->if_rxbusy;
	splx(s);
	return (busy);
}

void
if_qflush(struct ifqueue *ifq)
{
	struct mbuf *m;

	for (;;) {
		IF_DEQUEUE(ifq, m);
		if (m == NULL)
			break;
		m_freem(m);
	}
}

/*
 * Queue a packet for transmission and start the driver; a full queue
 * drops it, an interface that is down refuses it.  Returns 0, ENOBUFS or
 * ENETDOWN.
 */
int
if_handoff(struct ifqueue *ifq, struct mbuf *m, struct ifnet *ifp,
    int adjust)
{
	int s, start;

	s = splimp();
	if (!ifp->if_sndon) {
		splx(s);
		m_freem(m);
		return (ENETDOWN);
	}
	if (IF_QFULL(ifq)) {
		IF_DROP(ifq);
		ifp->if_oerrors++;
		splx(s);
		m_freem(m);
		return (ENOBUFS);
	}
	ifp->if_obytes += m->m_pkthdr.len + adjust;
	if (m->m_flags & (M_BCAST | M_MCAST))
		ifp->if_omcasts++;
	IF_ENQUEUE(ifq, m);
	start = (ifp->if_drv_flags & IFF_DRV_OACTIVE) == 0;
	ifp->if_drv_flags |= IFF_DRV_OACTIVE;
	splx(s);
	/*
	 * One thread at a time drains the queue, so the frames leave in
	 * order; the others only queue.  The driver's start routine takes
	 * the queue's level itself, and clears IFF_DRV_OACTIVE in the
	 * section that finds the queue empty.
	 */
	if (start)
		(*ifp->if_start)(ifp);
	return (0);
}

struct ifnet *
ifunit(const char *name)
{
	struct ifnet *ifp;

	TAILQ_FOREACH(ifp, &V_ifnet, if_link)
		if (strncmp(name, ifp->if_xname, IFNAMSIZ) == 0)
			return (ifp);
	return (NULL);
}

void
ifa_ref(struct ifaddr *ifa)
{

	ifa->ifa_refcnt++;
}

void
ifa_free(struct ifaddr *ifa)
{

	KASSERT(ifa->ifa_refcnt > 0, ("ifa_free: ifa %p no refs", ifa));
	if (--ifa->ifa_refcnt == 0)
		free(ifa, M_IFADDR);
}

/*
 * The interface address on the same subnet as addr; the longest
 * matching prefix wins when several subnets contain it.
 */
struct ifaddr *
ifa_ifwithnet(struct sockaddr *addr)
{
	struct ifnet *ifp;
	struct ifaddr *ifa, *best;
	uint32_t a, mask, bestmask;
	int s;

	if (addr->sa_family != AF_INET)
		return (NULL);
	a = ntohl(satosin(addr)->sin_addr.s_addr);
	best = NULL;
	bestmask = 0;
	TAILQ_FOREACH(ifp, &V_ifnet, if_link) {
		s = splimp();
		TAILQ_FOREACH(ifa, &ifp->if_addrhead, ifa_link) {
			if (ifa->ifa_addr->sa_family != AF_INET ||
			    ifa->ifa_netmask == NULL)
				continue;
			mask = ntohl(satosin(ifa->ifa_netmask)->sin_addr.s_addr);
			if (((a ^ ntohl(satosin(ifa->ifa_addr)->sin_addr.s_addr))
			    & mask) != 0)
				continue;
			if (best == NULL || mask > bestmask) {
				best = ifa;
				bestmask = mask;
			}
		}
		splx(s);
	}
	return (best);
}

/*
 * Among ifp's addresses of addr's family, pick the one on addr's subnet
 * (or the first of that family when none is).
 */
struct ifaddr *
ifaof_ifpforaddr(struct sockaddr *addr, struct ifnet *ifp)
{
	struct ifaddr *ifa, *first;
	uint32_t a, mask;

	first = NULL;
	a = ntohl(satosin(addr)->sin_addr.s_addr);
	TAILQ_FOREACH(ifa, &ifp->if_addrhead, ifa_link) {
		if (ifa->ifa_addr->sa_family != addr->sa_family)
			continue;
		if (first == NULL)
			first = ifa;
		if (ifa->ifa_netmask == NULL)
			continue;
		mask = ntohl(satosin(ifa->ifa_netmask)->sin_addr.s_addr);
		if (((a ^ ntohl(satosin(ifa->ifa_addr)->sin_addr.s_addr)) &
		    mask) == 0)
			return (ifa);
	}
	return (first);
}
