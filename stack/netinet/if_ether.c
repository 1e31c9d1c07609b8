/*
 * Ethernet address resolution protocol (RFC 826).
 *
 * The cache is a per-instance list of entries, each with the packets
 * waiting for its resolution (at most ARP_MAXHOLD).  A timer every
 * second expires resolved entries after arpt_keep and gives up on
 * unanswered ones after ARP_MAXTRIES requests, dropping what they held.
 * Gratuitous ARP only refreshes an entry that exists; ARP for other
 * addresses, from our own address or with bad lengths is dropped and
 * counted.
 *
 * Legacy synchronization: Giant (netisr, callout and output paths all
 * hold it) and splnet.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <sys/callout.h>
#include <sys/syslog.h>
#include <sys/socket.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/netisr.h>
#include <net/route.h>
#include <net/vnet.h>
#include <netinet/in.h>
#include <netinet/in_var.h>
#include <netinet/if_ether.h>

MALLOC_DEFINE(M_ARP, "arp", "ARP cache entries");

struct llinfo_arp {
	LIST_ENTRY(llinfo_arp) la_le;
	struct	ifnet *la_ifp;
	struct	in_addr la_addr;
	u_char	la_enaddr[ETHER_ADDR_LEN];
	int	la_resolved;
	int	la_sending;		/* arp_sendheld() is draining la_hold */
	int	la_expire;		/* ticks when it expires */
	int	la_asked;		/* requests sent since last reply */
	int	la_lastreq;		/* ticks of the last request */
	struct	ifqueue la_hold;	/* packets waiting for resolution */
};
LIST_HEAD(llinfo_arp_head, llinfo_arp);

VNET_DEFINE(struct arpstat, arpstat);
VNET_DEFINE_STATIC(struct llinfo_arp_head, llinfo_arp);
VNET_DEFINE_STATIC(struct ifqueue, arpintrq);
VNET_DEFINE_STATIC(struct callout, arp_callout);
VNET_DEFINE_STATIC(int, arp_running);
#define	V_llinfo_arp	VNET(llinfo_arp)
#define	V_arpintrq	VNET(arpintrq)
#define	V_arp_callout	VNET(arp_callout)
#define	V_arp_running	VNET(arp_running)

static int	arpt_keep = 20 * 60;	/* seconds a resolved entry lives */
static int	arpt_down = 20;		/* seconds an unanswered one lives */

static void	arptimer(void *arg);

void
arp_init(void)
{

	LIST_INIT(&V_llinfo_arp);
	bzero(&V_arpstat, sizeof(V_arpstat));
	bzero(&V_arpintrq, sizeof(V_arpintrq));
	V_arpintrq.ifq_maxlen = IFQ_MAXLEN;
	netisr_register(NETISR_ARP, arpintr, &V_arpintrq, 0);
	callout_init(&V_arp_callout, 0);
	V_arp_running = 1;
	callout_reset(&V_arp_callout, hz, arptimer, curvnet);
}

static void
arp_free(struct llinfo_arp *la)
{

	LIST_REMOVE(la, la_le);
	V_arpstat.dropped += la->la_hold.ifq_len;
	if_qflush(&la->la_hold);
	V_arpstat.entries--;
	free(la, M_ARP);
}

void
arp_destroy(void)
{
	struct llinfo_arp *la;

	if (V_arp_running) {
		V_arp_running = 0;
		DROP_GIANT();
		callout_drain(&V_arp_callout);
		PICKUP_GIANT();
	}
	netisr_unregister(NETISR_ARP);
	while ((la = LIST_FIRST(&V_llinfo_arp)) != NULL)
		arp_free(la);
}

void
arp_ifdetach(struct ifnet *ifp)
{
	struct llinfo_arp *la, *next;
	int s;

	s = splnet();
	LIST_FOREACH_SAFE(la, &V_llinfo_arp, la_le, next)
		if (la->la_ifp == ifp)
			arp_free(la);
	splx(s);
}

static void
arptimer(void *arg)
{
	struct llinfo_arp *la, *next;
	int s;

	CURVNET_SET((struct vnet *)arg);
	/*
	 * No flag to test: the callout_drain() of arp_destroy() refuses the
	 * rearm of a run it waits for.
	 */
	s = splnet();
	LIST_FOREACH_SAFE(la, &V_llinfo_arp, la_le, next)
		if (la->la_expire - ticks <= 0) {
			V_arpstat.timeouts++;
			arp_free(la);
		}
	splx(s);
	callout_reset(&V_arp_callout, hz, arptimer, arg);
	CURVNET_RESTORE();
}

static struct llinfo_arp *
arp_find(struct ifnet *ifp, struct in_addr addr)
{
	struct llinfo_arp *la;

	LIST_FOREACH(la, &V_llinfo_arp, la_le)
		if (la->la_ifp == ifp && la->la_addr.s_addr == addr.s_addr)
			return (la);
	return (NULL);
}

static struct llinfo_arp *
arp_create(struct ifnet *ifp, struct in_addr addr)
{
	struct llinfo_arp *la;

	if (V_arpstat.entries >= ARP_MAXENTRIES)
		return (NULL);
	la = malloc(sizeof(*la), M_ARP, M_NOWAIT | M_ZERO);
	if (la == NULL)
		return (NULL);
	la->la_ifp = ifp;
	la->la_addr = addr;
	la->la_hold.ifq_maxlen = ARP_MAXHOLD;
	la->la_expire = ticks + arpt_down * hz;
	la->la_lastreq = ticks - hz;
	LIST_INSERT_HEAD(&V_llinfo_arp, la, la_le);
	V_arpstat.entries++;
	return (la);
}

/*
 * Send an ARP request to the link broadcast address asking for tip's
 * hardware address, from sip (sip == tip makes a gratuitous announcement).
 */
void
arprequest(struct ifnet *ifp, struct in_addr *sip, struct in_addr *tip,
    u_char *enaddr)
{
	struct mbuf *m;
	struct ether_arp *ea;
	struct ether_header *eh;
	struct sockaddr sa;

	m = m_gethdr(M_NOWAIT, MT_DATA);
	if (m == NULL)
		return;
	m->m_len = sizeof(*ea);
	m->m_pkthdr.len = sizeof(*ea);
	MH_ALIGN(m, (int)sizeof(*ea));
	ea = mtod(m, struct ether_arp *);
	bzero(ea, sizeof(*ea));
	ea->arp_hrd = htons(ARPHRD_ETHER);
	ea->arp_pro = htons(ETHERTYPE_IP);
	ea->arp_hln = ETHER_ADDR_LEN;
	ea->arp_pln = sizeof(struct in_addr);
	ea->arp_op = htons(ARPOP_REQUEST);
	bcopy(enaddr, ea->arp_sha, ETHER_ADDR_LEN);
	bcopy(sip, ea->arp_spa, sizeof(ea->arp_spa));
	bcopy(tip, ea->arp_tpa, sizeof(ea->arp_tpa));
	bzero(&sa, sizeof(sa));
	sa.sa_family = AF_UNSPEC;
	sa.sa_len = sizeof(sa);
	eh = (struct ether_header *)(void *)sa.sa_data;
	bcopy(etherbroadcastaddr, eh->ether_dhost, ETHER_ADDR_LEN);
	eh->ether_type = htons(ETHERTYPE_ARP);
	V_arpstat.txrequests++;
	(*ifp->if_output)(ifp, m, &sa, NULL);
}

/* Announce a new address (gratuitous ARP). */
void
arp_ifinit(struct ifnet *ifp, struct in_addr addr)
{

	arprequest(ifp, &addr, &addr, IF_LLADDR(ifp));
}

/*
 * Map IP address dst to a link address for ifp.  0 with desten set when
 * the cache has a complete entry.  Otherwise a new entry is created if
 * needed, m is queued on it, a request goes out and EWOULDBLOCK comes
 * back; on any other error m has been freed.
 */
int
arpresolve(struct ifnet *ifp, struct rtentry *rt __unused, struct mbuf *m,
    struct sockaddr *dst, u_char *desten)
{
	struct llinfo_arp *la;
	struct in_addr addr, myaddr;
	struct mbuf *old;
	int s;

	if (m->m_flags & M_BCAST) {
		bcopy(etherbroadcastaddr, desten, ETHER_ADDR_LEN);
		return (0);
	}
	/* ip_output() marked a broadcast (M_BCAST, above). */
	addr = satosin(dst)->sin_addr;
	s = splnet();
	la = arp_find(ifp, addr);
	if (la != NULL && la->la_resolved && la->la_expire - ticks > 0) {
		bcopy(la->la_enaddr, desten, ETHER_ADDR_LEN);
		splx(s);
		return (0);
	}
	if (la == NULL && (la = arp_create(ifp, addr)) == NULL) {
		V_arpstat.dropped++;
		splx(s);
		m_freem(m);
		return (ENOBUFS);
	}
	if (la->la_resolved) {
		/* Expired: ask again, keep no stale address. */
		la->la_resolved = 0;
		la->la_asked = 0;
		la->la_expire = ticks + arpt_down * hz;
	}
	/* Hold the packet; the oldest goes when the queue is full. */
	if (IF_QFULL(&la->la_hold)) {
		IF_DEQUEUE(&la->la_hold, old);
		m_freem(old);
		V_arpstat.dropped++;
	}
	IF_ENQUEUE(&la->la_hold, m);
	if (la->la_asked >= ARP_MAXTRIES) {
		/* Host is down: hold nothing until the entry expires. */
		V_arpstat.dropped += la->la_hold.ifq_len;
		if_qflush(&la->la_hold);
		splx(s);
		return (EHOSTDOWN);
	}
	/* Answered already when its held packets are being sent. */
	if (!la->la_sending &&
	    (ticks - la->la_lastreq >= hz / 2 || la->la_asked == 0)) {
		la->la_lastreq = ticks;
		la->la_asked++;
		if (in_ifpaddr(ifp, &myaddr) == 0)
			arprequest(ifp, &myaddr, &addr, IF_LLADDR(ifp));
	}
	splx(s);
	return (EWOULDBLOCK);
}

/*
 * Send the packets the entry for addr held, then mark it resolved.  The
 * caller found the link address and set la_sending.  They go out after
 * the level, framed here for the address the entry has: until it is
 * marked resolved, a packet sent meanwhile is held behind them, so that
 * each flow's packets leave in the order they were sent.  la_sending
 * keeps a second reply from sending beside us.  An entry freed meanwhile
 * (the interface went away) ends it; its packets were dropped with it.
 */
static void
arp_sendheld(struct ifnet *ifp, struct in_addr addr)
{
	struct llinfo_arp *la;
	struct ifqueue held;
	struct ether_header *eh;
	struct sockaddr sa;
	struct mbuf *m;
	int s;

	bzero(&sa, sizeof(sa));
	sa.sa_family = AF_UNSPEC;
	sa.sa_len = sizeof(sa);
	eh = (struct ether_header *)(void *)sa.sa_data;
	eh->ether_type = htons(ETHERTYPE_IP);
	for (;;) {
		s = splnet();
		la = arp_find(ifp, addr);
		if (la == NULL || !la->la_sending) {
			splx(s);
			return;
		}
		if (la->la_hold.ifq_len == 0) {
			la->la_sending = 0;
			la->la_resolved = 1;
			splx(s);
			return;
		}
		held = la->la_hold;
		la->la_hold.ifq_head = la->la_hold.ifq_tail = NULL;
		la->la_hold.ifq_len = 0;
		bcopy(la->la_enaddr, eh->ether_dhost, ETHER_ADDR_LEN);
		splx(s);
		for (;;) {
			IF_DEQUEUE(&held, m);
			if (m == NULL)
				break;
			(*ifp->if_output)(ifp, m, &sa, NULL);
		}
	}
}

/*
 * Handle one ARP packet for IPv4 (request or reply), following the
 * receiver's procedure of RFC 826.
 */
static void
in_arpinput(struct mbuf *m)
{
	struct ether_arp *ea;
	struct ether_header *eh;
	struct ifnet *ifp;
	struct llinfo_arp *la;
	struct sockaddr sa;
	struct in_addr isaddr, itaddr, myaddr;
	int op, s, sending;

	ifp = m->m_pkthdr.rcvif;
	ea = mtod(m, struct ether_arp *);
	op = ntohs(ea->arp_op);
	bcopy(ea->arp_spa, &isaddr, sizeof(isaddr));
	bcopy(ea->arp_tpa, &itaddr, sizeof(itaddr));
	if (op != ARPOP_REQUEST && op != ARPOP_REPLY) {
		V_arpstat.badlen++;
		goto drop;
	}
	if (op == ARPOP_REQUEST)
		V_arpstat.rxrequests++;
	else
		V_arpstat.rxreplies++;
	if (in_ifpaddr(ifp, &myaddr) != 0)
		goto drop;
	/* Is the target one of our addresses on this interface? */
	if (in_ifhasaddr(ifp, itaddr))
		myaddr = itaddr;
	if (bcmp(ea->arp_sha, IF_LLADDR(ifp), ETHER_ADDR_LEN) == 0)
		goto drop;		/* our own address as sender: drop */
	if (ETHER_IS_MULTICAST(ea->arp_sha) ||
	    isaddr.s_addr == INADDR_ANY || isaddr.s_addr == INADDR_BROADCAST ||
	    IN_MULTICAST(ntohl(isaddr.s_addr)) ||
	    in_broadcast(isaddr, ifp)) {
		V_arpstat.badaddr++;
		goto drop;
	}
	if (isaddr.s_addr == myaddr.s_addr) {
		/* Someone else claims our address. */
		V_arpstat.dupips++;
		log(LOG_ERR, "arp: %s is using my IP address on %s\n",
		    ether_sprintf(ea->arp_sha), ifp->if_xname);
		goto drop;
	}
	if (isaddr.s_addr == itaddr.s_addr)
		V_arpstat.gratuitous++;

	sending = 0;
	s = splnet();
	la = arp_find(ifp, isaddr);
	/*
	 * Learn the sender only when we are the target (RFC 826), or
	 * refresh an entry we already have; gratuitous ARP and requests
	 * for others create nothing.
	 */
	if (la == NULL && itaddr.s_addr == myaddr.s_addr)
		la = arp_create(ifp, isaddr);
	if (la != NULL) {
		bcopy(ea->arp_sha, la->la_enaddr, ETHER_ADDR_LEN);
		la->la_asked = 0;
		la->la_expire = ticks + arpt_keep * hz;
		/* What it held goes out first (arp_sendheld()). */
		if (!la->la_resolved && !la->la_sending)
			sending = la->la_sending = 1;
	}
	splx(s);
	if (sending)
		arp_sendheld(ifp, isaddr);

	if (itaddr.s_addr != myaddr.s_addr) {
		if (op == ARPOP_REQUEST)
			V_arpstat.notforus++;
		goto drop;
	}
	if (op != ARPOP_REQUEST)
		goto drop;

	/* Answer in the request's own buffer. */
	bcopy(ea->arp_sha, ea->arp_tha, ETHER_ADDR_LEN);
	bcopy(IF_LLADDR(ifp), ea->arp_sha, ETHER_ADDR_LEN);
	bcopy(ea->arp_spa, ea->arp_tpa, sizeof(ea->arp_spa));
	bcopy(&itaddr, ea->arp_spa, sizeof(ea->arp_spa));
	ea->arp_op = htons(ARPOP_REPLY);
	ea->arp_pro = htons(ETHERTYPE_IP);
	bzero(&sa, sizeof(sa));
	sa.sa_family = AF_UNSPEC;
	sa.sa_len = sizeof(sa);
	eh = (struct ether_header *)(void *)sa.sa_data;
	bcopy(ea->arp_tha, eh->ether_dhost, ETHER_ADDR_LEN);
	eh->ether_type = htons(ETHERTYPE_ARP);
	/* Only what the ARP message needs. */
	if (m->m_pkthdr.len > (int)sizeof(*ea))
		m_adj(m, (int)sizeof(*ea) - m->m_pkthdr.len);
	m->m_flags &= ~(M_BCAST | M_MCAST);
	V_arpstat.txreplies++;
	(*ifp->if_output)(ifp, m, &sa, NULL);
	return;
drop:
	m_freem(m);
}

/*
 * ARP netisr handler: validate hardware/protocol type and lengths, then
 * hand IPv4 ARP to in_arpinput().
 */
void
arpintr(struct mbuf *m)
{
	struct arphdr *ar;

	V_arpstat.received++;
	if (m->m_pkthdr.rcvif == NULL ||
	    m->m_pkthdr.len < (int)sizeof(struct ether_arp)) {
		V_arpstat.badlen++;
		m_freem(m);
		return;
	}
	if (m->m_len < (int)sizeof(struct ether_arp) &&
	    (m = m_pullup(m, sizeof(struct ether_arp))) == NULL) {
		V_arpstat.badlen++;
		return;
	}
	ar = mtod(m, struct arphdr *);
	if (ntohs(ar->ar_hrd) != ARPHRD_ETHER ||
	    ntohs(ar->ar_pro) != ETHERTYPE_IP ||
	    ar->ar_hln != ETHER_ADDR_LEN ||
	    ar->ar_pln != sizeof(struct in_addr)) {
		V_arpstat.badlen++;
		m_freem(m);
		return;
	}
	in_arpinput(m);
}

/* Look an address up in the cache (tests); 0 and enaddr, or ENOENT. */
int
arp_lookup(struct ifnet *ifp, struct in_addr addr, u_char *enaddr)
{
	struct llinfo_arp *la;

	la = arp_find(ifp, addr);
	if (la == NULL || !la->la_resolved)
		return (ENOENT);
	bcopy(la->la_enaddr, enaddr, ETHER_ADDR_LEN);
	return (0);
}
