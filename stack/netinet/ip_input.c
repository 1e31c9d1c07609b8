/*
 * IPv4 input: header checks, the destination decision, reassembly of
 * fragments and the hand-off to the protocols through ip_protox.
 *
 * ip_len and ip_off stay in network byte order throughout (the FreeBSD
 * 10 convention); protocols get the packet with the IP header in front
 * and its length as `off'.
 *
 * Legacy synchronization: runs from the netisr with Giant; statistics
 * are plain per-instance globals bumped with ++; the reassembly queues
 * are per-instance globals protected by Giant and splnet.  A protocol's
 * input routine is called with Giant unless its entry is PR_MPSAFE
 * (PR_GIANT_LOCK), so that the handler itself may leave Giant.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <machine/atomic.h>
#include <sys/domain.h>
#include <sys/protosw.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/netisr.h>
#include <net/route.h>
#include <net/vnet.h>
#include <netinet/in.h>
#include <netinet/in_systm.h>
#include <netinet/in_var.h>
#include <netinet/ip.h>
#include <netinet/ip_var.h>
#include <netinet/ip_icmp.h>
#include <netinet/if_ether.h>

MALLOC_DEFINE(M_IPQ, "ipq", "IP reassembly queues");

VNET_DEFINE(struct ipstat, ipstat);
VNET_DEFINE(int, ip_defttl) = IPDEFTTL;
VNET_DEFINE(int, ipforwarding) = 0;
VNET_DEFINE(u_int, ip_id);
VNET_DEFINE(int, ip_maxfragpackets) = IP_MAXFRAGPACKETS;

VNET_DEFINE_STATIC(struct ifqueue, ipintrq);	/* the netisr queue */
#define	V_ipintrq	VNET(ipintrq)
VNET_DEFINE_STATIC(int, nipq);			/* packets in reassembly */
#define	V_nipq		VNET(nipq)

u_char	ip_protox[IPPROTO_MAX];		/* protocol number -> inetsw index */

/*
 * One fragment held for reassembly: its data (IP header removed) and
 * where it goes.
 */
struct ipqent {
	struct	mbuf *ie_m;
	int	ie_off;			/* byte offset in the datagram */
	int	ie_len;			/* bytes of data */
};

/*
 * A datagram being reassembled; the fragments are kept sorted by offset
 * and never overlap (overlaps are trimmed on arrival).
 */
struct ipqueue {
	TAILQ_ENTRY(ipqueue) q_list;
	struct	ipq q_key;		/* src, dst, id, proto, ttl */
	u_char	q_tos;
	u_char	q_ttlhdr;		/* ip_ttl of the first fragment */
	int	q_lastend;		/* end of the last fragment, or -1 */
	int	q_nent;
	struct	ipqent q_ent[IP_MAXFRAGSPERPACKET];
};
TAILQ_HEAD(ipqueuehead, ipqueue);
VNET_DEFINE_STATIC(struct ipqueuehead, ipqueues);
#define	V_ipqueues	VNET(ipqueues)

static struct mbuf *ip_reass(struct mbuf *m);
static void	ip_freeq(struct ipqueue *q);
static int	ip_dooptions(struct mbuf *m);
static void	ip_forward(struct mbuf *m);

/*
 * IP initialization for an instance: the protocol switch index, the
 * queues and the netisr.
 */
void
ip_init(void)
{
	struct protosw *pr;
	int i;

	TAILQ_INIT(&V_ipqueues);
	TAILQ_INIT(&V_in_ifaddrhead);
	V_nipq = 0;
	V_ip_id = arc4random();
	bzero(&V_ipstat, sizeof(V_ipstat));
	bzero(&V_ipintrq, sizeof(V_ipintrq));
	V_ipintrq.ifq_maxlen = IFQ_MAXLEN * 4;
	pr = pffindproto(PF_INET, IPPROTO_RAW, SOCK_RAW);
	if (pr == NULL)
		panic("ip_init: PF_INET not found");
	/* The table is the same for every instance. */
	for (i = 0; i < IPPROTO_MAX; i++)
		ip_protox[i] = (u_char)(pr - inetsw);
	for (pr = inetdomain.dom_protosw;
	    pr < inetdomain.dom_protoswNPROTOSW; pr++)
		if (pr->pr_domain->dom_family == PF_INET &&
		    pr->pr_protocol != 0 && pr->pr_protocol != IPPROTO_RAW)
			ip_protox[pr->pr_protocol] = (u_char)(pr - inetsw);
	netisr_register(NETISR_IP, ip_input, &V_ipintrq, 0);
	arp_init();
}

void
ip_destroy(void)
{
	struct ipqueue *q;

	arp_destroy();
	netisr_unregister(NETISR_IP);
	while ((q = TAILQ_FIRST(&V_ipqueues)) != NULL)
		ip_freeq(q);
}

/*
 * IPv4 input from netisr: check the header (version, lengths, sum),
 * reassemble fragments, skip options, then hand it to the protocol.
 */
void
ip_input(struct mbuf *m)
{
	struct ip *ip;
	struct ifnet *ifp;
	struct protosw *pr;
	int hlen, len, s;

	V_ipstat.ips_total++;
	if ((m->m_flags & M_PKTHDR) == 0 ||
	    m->m_pkthdr.len < (int)sizeof(struct ip)) {
		V_ipstat.ips_tooshort++;
		goto bad;
	}
	if (m->m_len < (int)sizeof(struct ip) &&
	    (m = m_pullup(m, sizeof(struct ip))) == NULL) {
		V_ipstat.ips_toosmall++;
		return;
	}
	ip = mtod(m, struct ip *);
	if (ip->ip_v != IPVERSION) {
		V_ipstat.ips_badvers++;
		goto bad;
	}
	hlen = ip->ip_hl << 2;
	if (hlen < (int)sizeof(struct ip)) {	/* minimum header length */
		V_ipstat.ips_badhlen++;
		goto bad;
	}
	if (hlen > m->m_len) {
		if (hlen > m->m_pkthdr.len) {
			V_ipstat.ips_badhlen++;
			goto bad;
		}
		if ((m = m_pullup(m, hlen)) == NULL) {
			V_ipstat.ips_badhlen++;
			return;
		}
		ip = mtod(m, struct ip *);
	}
	if (in_cksum_hdr(ip) != 0) {
		V_ipstat.ips_badsum++;
		goto bad;
	}
	len = ntohs(ip->ip_len);
	if (len < hlen) {
		V_ipstat.ips_badlen++;
		goto bad;
	}
	/*
		 * The chain must hold at least ip_len bytes; anything beyond
		 * that is link-layer padding (short ethernet frames) and is
		 * trimmed off.
		 */
	if (m->m_pkthdr.len < len) {
		V_ipstat.ips_tooshort++;
		goto bad;
	}
	if (m->m_pkthdr.len > len)
		m_adj(m, len - m->m_pkthdr.len);
	ifp = m->m_pkthdr.rcvif;

	/* Martian sources: never from broadcast or multicast addresses. */
	if (ip->ip_src.s_addr == INADDR_BROADCAST ||
	    IN_MULTICAST(ntohl(ip->ip_src.s_addr)) ||
	    (ntohl(ip->ip_src.s_addr) >> IN_CLASSA_NSHIFT == IN_LOOPBACKNET &&
	    (ifp == NULL || (ifp->if_flags & IFF_LOOPBACK) == 0))) {
		V_ipstat.ips_badaddr++;
		goto bad;
	}

	/*
		 * Validate and skip options; forward what is not ours.
		 */
	if (hlen > (int)sizeof(struct ip) && ip_dooptions(m))
		return;

	/*
		 * Is the destination one of our addresses or broadcasts?
		 */
	if (in_localip(ip->ip_dst))
		goto ours;
	if (in_broadcast(ip->ip_dst, ifp))
		goto ours;
	if (IN_MULTICAST(ntohl(ip->ip_dst.s_addr))) {
		V_ipstat.ips_notmember++;
		goto bad;
	}
	/* Not for us: forward when enabled, else drop. */
	if (!V_ipforwarding) {
		V_ipstat.ips_cantforward++;
		goto bad;
	}
	if (m->m_flags & (M_BCAST | M_MCAST)) {
		V_ipstat.ips_cantforward++;
		goto bad;
	}
	ip_forward(m);
	return;

ours:
	/*
	 * If offset or IP_MF are set, must reassemble.
	 */
	if (ip->ip_off & htons(IP_MF | IP_OFFMASK)) {
		s = splnet();
		m = ip_reass(m);
		splx(s);
		if (m == NULL)
			return;
		ip = mtod(m, struct ip *);
		hlen = ip->ip_hl << 2;
	}

	/*
	 * Switch out to protocol's input routine.
	 */
	V_ipstat.ips_delivered++;
	pr = &inetsw[ip_protox[ip->ip_p]];
	PR_GIANT_LOCK(pr);
	(*pr->pr_input)(m, hlen);
	PR_GIANT_UNLOCK(pr);
	return;
bad:
	m_freem(m);
}

/*
 * Check the options of a received packet.  Options are validated and
 * skipped; source routes are refused (this host does not forward them).
 * Returns 1 when the packet was dropped.
 */
static int
ip_dooptions(struct mbuf *m)
{
	struct ip *ip;
	u_char *cp;
	int cnt, code, opt, optlen;

	ip = mtod(m, struct ip *);
	cp = (u_char *)(ip + 1);
	cnt = (ip->ip_hl << 2) - (int)sizeof(struct ip);
	code = 0;
	for (; cnt > 0; cnt -= optlen, cp += optlen) {
		opt = cp[IPOPT_OPTVAL];
		if (opt == IPOPT_EOL)
			break;
		if (opt == IPOPT_NOP) {
			optlen = 1;
			continue;
		}
		if (cnt < IPOPT_OLEN + 1) {
			code = &cp[IPOPT_OLEN] - (u_char *)ip;
			goto bad;
		}
		optlen = cp[IPOPT_OLEN];
		if (optlen < IPOPT_OLEN + 1 || optlen > cnt) {
			code = &cp[IPOPT_OLEN] - (u_char *)ip;
			goto bad;
		}
		switch (opt) {
		case IPOPT_LSRR:
		case IPOPT_SSRR:
			/* Source routing is not done here. */
			code = &cp[IPOPT_OPTVAL] - (u_char *)ip;
			goto bad;
		default:
			/* Record route, timestamp, router alert...: skipped. */
			break;
		}
	}
	return (0);
bad:
	V_ipstat.ips_badoptions++;
	icmp_error(m, ICMP_PARAMPROB, 0, 0, code);
	return (1);
}

/*
 * Forward a packet not for us (only when ipforwarding is on).
 */
static void
ip_forward(struct mbuf *m)
{
	struct ip *ip;
	struct mbuf *mcopy;
	int error;

	ip = mtod(m, struct ip *);
	if (!in_canforward(ip->ip_dst)) {
		V_ipstat.ips_cantforward++;
		m_freem(m);
		return;
	}
	if (ip->ip_ttl <= IPTTLDEC) {
		icmp_error(m, ICMP_TIMXCEED, ICMP_TIMXCEED_INTRANS, 0, 0);
		return;
	}
	ip->ip_ttl -= IPTTLDEC;
	ip->ip_sum = 0;
	ip->ip_sum = in_cksum_hdr(ip);
	/* Keep the start of the packet for an ICMP error. */
	mcopy = m_copym(m, 0, imin(m->m_pkthdr.len, 68), M_NOWAIT);
	error = ip_output(m, NULL, NULL, IP_FORWARDING, NULL, NULL);
	if (error == 0) {
		V_ipstat.ips_forward++;
		if (mcopy != NULL)
			m_freem(mcopy);
		return;
	}
	V_ipstat.ips_cantforward++;
	if (mcopy == NULL)
		return;
	switch (error) {
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
		icmp_error(mcopy, ICMP_UNREACH, ICMP_UNREACH_HOST, 0, 0);
		break;
	case EMSGSIZE:
		icmp_error(mcopy, ICMP_UNREACH, ICMP_UNREACH_NEEDFRAG, 0, 0);
		break;
	default:
		m_freem(mcopy);
		break;
	}
}

static void
ip_freeq(struct ipqueue *q)
{
	int i;

	for (i = 0; i < q->q_nent; i++)
		m_freem(q->q_ent[i].ie_m);
	TAILQ_REMOVE(&V_ipqueues, q, q_list);
	V_nipq--;
	free(q, M_IPQ);
}

/* Drop a whole reassembly queue, counting its fragments. */
static void
ip_dropq(struct ipqueue *q)
{

	V_ipstat.ips_fragdropped += q->q_nent;
	ip_freeq(q);
}

/*
 * Add fragment m to the reassembly queue of its datagram, creating the
 * queue for a first arrival.  When the last hole is filled the whole
 * datagram comes back, a freshly built header in front; otherwise NULL
 * (m is then held by the queue, or was freed).
 *
 * Limits keep memory bounded: ip_maxfragpackets datagrams at once (the
 * oldest is dropped for a new one), IP_MAXFRAGSPERPACKET fragments
 * each, IP_MAXPACKET bytes each; duplicate and overlapping data is
 * trimmed, and a queue times out after IPFRAGTTL slow ticks.
 */
static struct mbuf *
ip_reass(struct mbuf *m)
{
	struct ip *ip;
	struct ipqueue *q;
	struct ipqent *e;
	struct mbuf *h, *t;
	int hlen, off, len, end, mf, i, j, pend, next;

	V_ipstat.ips_fragments++;
	ip = mtod(m, struct ip *);
	hlen = ip->ip_hl << 2;
	off = (ntohs(ip->ip_off) & IP_OFFMASK) << 3;
	mf = (ntohs(ip->ip_off) & IP_MF) != 0;
	len = ntohs(ip->ip_len) - hlen;
	end = off + len;
	/*
	 * All fragments but the last carry a multiple of 8 bytes; nothing
	 * may end past the largest datagram.
	 */
	if ((mf && (len == 0 || (len & 7) != 0)) ||
	    hlen + end > IP_MAXPACKET) {
		V_ipstat.ips_toolong++;
		V_ipstat.ips_fragdropped++;
		m_freem(m);
		return (NULL);
	}

	TAILQ_FOREACH(q, &V_ipqueues, q_list)
		if (ip->ip_id == q->q_key.ipq_id &&
		    ip->ip_src.s_addr == q->q_key.ipq_src.s_addr &&
		    ip->ip_dst.s_addr == q->q_key.ipq_dst.s_addr &&
		    ip->ip_p == q->q_key.ipq_p)
			break;
	if (q == NULL) {
		if (V_ip_maxfragpackets <= 0) {
			V_ipstat.ips_fragdropped++;
			m_freem(m);
			return (NULL);
		}
		if (V_nipq >= V_ip_maxfragpackets)
			ip_dropq(TAILQ_FIRST(&V_ipqueues));
		q = malloc(sizeof(*q), M_IPQ, M_NOWAIT | M_ZERO);
		if (q == NULL) {
			V_ipstat.ips_fragdropped++;
			m_freem(m);
			return (NULL);
		}
		q->q_key.ipq_id = ip->ip_id;
		q->q_key.ipq_src = ip->ip_src;
		q->q_key.ipq_dst = ip->ip_dst;
		q->q_key.ipq_p = ip->ip_p;
		q->q_key.ipq_ttl = IPFRAGTTL;
		q->q_lastend = -1;
		TAILQ_INSERT_TAIL(&V_ipqueues, q, q_list);
		V_nipq++;
	}
	if (off == 0) {
		q->q_tos = ip->ip_tos;
		q->q_ttlhdr = ip->ip_ttl;
	}
	/* The last fragment fixes the size; everything must agree. */
	if (!mf) {
		if (q->q_lastend >= 0 && q->q_lastend != end)
			goto dropall;
		q->q_lastend = end;
	}
	if (q->q_lastend >= 0 && end > q->q_lastend)
		goto dropall;
	m_adj(m, hlen);

	/* Trim against the fragment before and the fragments after. */
	for (i = 0; i < q->q_nent && q->q_ent[i].ie_off <= off; i++)
		continue;
	if (i > 0) {
		pend = q->q_ent[i - 1].ie_off + q->q_ent[i - 1].ie_len;
		if (pend >= end) {
			/* Nothing new. */
			V_ipstat.ips_fragdropped++;
			m_freem(m);
			return (NULL);
		}
		if (pend > off) {
			V_ipstat.ips_fragoverlap++;
			m_adj(m, pend - off);
			off = pend;
		}
	}
	while (i < q->q_nent && q->q_ent[i].ie_off < end) {
		e = &q->q_ent[i];
		V_ipstat.ips_fragoverlap++;
		if (e->ie_off + e->ie_len <= end) {
			/* Entirely covered by the new one: drop it. */
			m_freem(e->ie_m);
			for (j = i; j < q->q_nent - 1; j++)
				q->q_ent[j] = q->q_ent[j + 1];
			q->q_nent--;
			continue;
		}
		/* Cut the new fragment's tail. */
		m_adj(m, -(end - e->ie_off));
		end = e->ie_off;
		break;
	}
	if (end <= off) {
		m_freem(m);
		return (NULL);
	}
	if (q->q_nent >= IP_MAXFRAGSPERPACKET)
		goto dropall;
	for (j = q->q_nent; j > i; j--)
		q->q_ent[j] = q->q_ent[j - 1];
	q->q_ent[i].ie_m = m;
	q->q_ent[i].ie_off = off;
	q->q_ent[i].ie_len = end - off;
	q->q_nent++;

	/* Complete when contiguous from 0 to the known end. */
	if (q->q_lastend < 0)
		return (NULL);
	next = 0;
	for (i = 0; i < q->q_nent; i++) {
		if (q->q_ent[i].ie_off != next)
			return (NULL);
		next += q->q_ent[i].ie_len;
	}
	if (next != q->q_lastend)
		return (NULL);

	/* Reassemble: a fresh header, then the fragments' data in order. */
	h = m_gethdr(M_NOWAIT, MT_DATA);
	if (h == NULL)
		goto dropall;
	MH_ALIGN(h, (int)sizeof(struct ip));
	h->m_len = sizeof(struct ip);
	ip = mtod(h, struct ip *);
	bzero(ip, sizeof(*ip));
	ip->ip_v = IPVERSION;
	ip->ip_hl = sizeof(struct ip) >> 2;
	ip->ip_tos = q->q_tos;
	ip->ip_len = htons((u_short)(sizeof(struct ip) + q->q_lastend));
	ip->ip_id = q->q_key.ipq_id;
	ip->ip_ttl = q->q_ttlhdr;
	ip->ip_p = q->q_key.ipq_p;
	ip->ip_src = q->q_key.ipq_src;
	ip->ip_dst = q->q_key.ipq_dst;
	ip->ip_sum = in_cksum_hdr(ip);
	h->m_pkthdr.rcvif = q->q_ent[0].ie_m->m_pkthdr.rcvif;
	h->m_pkthdr.len = sizeof(struct ip) + q->q_lastend;
	t = h;
	for (i = 0; i < q->q_nent; i++) {
		m = q->q_ent[i].ie_m;
		m->m_flags &= ~M_PKTHDR;
		while (t->m_next != NULL)
			t = t->m_next;
		t->m_next = m;
	}
	q->q_nent = 0;
	ip_freeq(q);
	V_ipstat.ips_reassembled++;
	return (h);

dropall:
	V_ipstat.ips_fragdropped++;
	m_freem(m);
	ip_dropq(q);
	return (NULL);
}

/* Datagrams now being reassembled (tests). */
int
ip_reass_count(void)
{
	int n, s;

	s = splnet();
	n = V_nipq;
	splx(s);
	return (n);
}

/*
 * Slow timer: age the reassembly queues and free those whose
 * time-to-live ran out.
 */
void
ip_slowtimo(void)
{
	struct ipqueue *q, *next;
	int s;

	s = splnet();
	TAILQ_FOREACH_SAFE(q, &V_ipqueues, q_list, next) {
		if (--q->q_key.ipq_ttl == 0) {
			V_ipstat.ips_fragtimeout += q->q_nent;
			ip_freeq(q);
		}
	}
	splx(s);
}

/* Drain off all datagram fragments (memory is short). */
void
ip_drain(void)
{
	struct ipqueue *q;
	int s;

	s = splnet();
	while ((q = TAILQ_FIRST(&V_ipqueues)) != NULL)
		ip_dropq(q);
	splx(s);
}

/*
 * The next datagram id.  Senders of every protocol take one, at any
 * level: the counter moves in one atomic(9) add.
 */
u_short
ip_newid(void)
{

	return ((u_short)atomic_fetchadd_int(&V_ip_id, 1));
}

/*
 * Remove the options from a received datagram before a protocol sees it.
 */
void
ip_stripoptions(struct mbuf *m, struct mbuf *mopt __unused)
{
	struct ip *ip;
	caddr_t opts;
	int olen;

	ip = mtod(m, struct ip *);
	olen = (ip->ip_hl << 2) - (int)sizeof(struct ip);
	if (olen <= 0)
		return;
	opts = (caddr_t)(ip + 1);
	bcopy(opts + olen, opts, m->m_len - (int)sizeof(struct ip) - olen);
	m->m_len -= olen;
	if (m->m_flags & M_PKTHDR)
		m->m_pkthdr.len -= olen;
	ip->ip_len = htons(ntohs(ip->ip_len) - olen);
	ip->ip_hl = sizeof(struct ip) >> 2;
}
