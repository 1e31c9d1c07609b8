/*
 * Ethernet: the framing of output packets (with address resolution) and
 * the demultiplexing of received frames to the protocols' netisr
 * queues.  Frames that are not for this host, truncated, or of unknown
 * type are dropped and counted on the interface.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mbuf.h>
#include <sys/socket.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/netisr.h>
#include <net/route.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/if_ether.h>

const u_char etherbroadcastaddr[ETHER_ADDR_LEN] =
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/*
 * Send packet m to dst on ethernet ifp: resolve the link address (ARP for
 * AF_INET, which may hold the packet), prepend the 14-byte ethernet header
 * and queue the frame on the interface.  The caller's m is always
 * taken over (sent, held or freed).
 */
int
ether_output(struct ifnet *ifp, struct mbuf *m, struct sockaddr *dst,
    struct rtentry *rt)
{
	struct ether_header *eh;
	u_char edst[ETHER_ADDR_LEN];
	u_short type;
	int error;

	/* An interface that is down refuses the frame (if_handoff()). */
	switch (dst->sa_family) {
	case AF_INET:
		error = arpresolve(ifp, rt, m, dst, edst);
		if (error)
			return (error == EWOULDBLOCK ? 0 : error);
		type = htons(ETHERTYPE_IP);
		break;
	case AF_UNSPEC:
		/* The caller (ARP) wrote the header into the sockaddr. */
		eh = (struct ether_header *)(void *)dst->sa_data;
		bcopy(eh->ether_dhost, edst, sizeof(edst));
		type = eh->ether_type;
		break;
	default:
		m_freem(m);
		return (EAFNOSUPPORT);
	}
	M_PREPEND(m, ETHER_HDR_LEN, M_NOWAIT);
	if (m == NULL)
		return (ENOBUFS);
	eh = mtod(m, struct ether_header *);
	bcopy(edst, eh->ether_dhost, sizeof(edst));
	bcopy(IF_LLADDR(ifp), eh->ether_shost, sizeof(eh->ether_shost));
	eh->ether_type = type;
	if (bcmp(edst, etherbroadcastaddr, ETHER_ADDR_LEN) == 0)
		m->m_flags |= M_BCAST;
	return (ether_output_frame(ifp, m));
}

int
ether_output_frame(struct ifnet *ifp, struct mbuf *m)
{

	return (if_handoff(&ifp->if_snd, m, ifp, 0));
}

/*
 * Ethernet input, run by the interface's interrupt thread: check and
 * strip the header, then pass the payload on.  m is always taken over.
 * The checks run at splimp, as a driver's receive interrupt did: the
 * interface's flags and counters change under that level; the payload is
 * handed on after it (the protocol may run now, netisr_dispatch()).
 */
void
ether_input(struct ifnet *ifp, struct mbuf *m)
{
	struct ether_header *eh;
	int noarp, s;

	s = splimp();
	if ((ifp->if_flags & IFF_UP) == 0) {
		splx(s);
		m_freem(m);
		return;
	}
	if ((m->m_flags & M_PKTHDR) == 0 || m->m_pkthdr.len < ETHER_HDR_LEN) {
		ifp->if_ierrors++;
		splx(s);
		m_freem(m);
		return;
	}
	if (m->m_len < ETHER_HDR_LEN &&
	    (m = m_pullup(m, ETHER_HDR_LEN)) == NULL) {
		ifp->if_ierrors++;
		splx(s);
		return;
	}
	m->m_pkthdr.rcvif = ifp;
	eh = mtod(m, struct ether_header *);
	if (ETHER_IS_MULTICAST(eh->ether_dhost)) {
		if (bcmp(eh->ether_dhost, etherbroadcastaddr,
		    ETHER_ADDR_LEN) == 0)
			m->m_flags |= M_BCAST;
		else
			m->m_flags |= M_MCAST;
		ifp->if_imcasts++;
	} else if (bcmp(eh->ether_dhost, IF_LLADDR(ifp), ETHER_ADDR_LEN) != 0 &&
	    (ifp->if_flags & IFF_PROMISC) == 0) {
		ifp->if_notforus++;
		splx(s);
		m_freem(m);
		return;
	}
	/* Our own frames coming back (a looped wire) are not input. */
	if (bcmp(eh->ether_shost, IF_LLADDR(ifp), ETHER_ADDR_LEN) == 0) {
		ifp->if_notforus++;
		splx(s);
		m_freem(m);
		return;
	}
	noarp = (ifp->if_flags & IFF_NOARP) != 0;
	splx(s);
	ether_demux(ifp, m, noarp);
}

/*
 * Hand a frame to the protocol of its ether type, at no level: the
 * protocol may run in this thread.  The interface's counters change at
 * splimp.
 */
void
ether_demux(struct ifnet *ifp, struct mbuf *m, int noarp)
{
	struct ether_header *eh;
	u_short etype;
	int s;

	eh = mtod(m, struct ether_header *);
	etype = ntohs(eh->ether_type);
	m_adj(m, ETHER_HDR_LEN);
	switch (etype) {
	case ETHERTYPE_IP:
		if (netisr_dispatch(NETISR_IP, m) != 0) {
			s = splimp();
			ifp->if_iqdrops++;
			splx(s);
		}
		break;
	case ETHERTYPE_ARP:
		if (noarp) {
			m_freem(m);
			break;
		}
		if (netisr_dispatch(NETISR_ARP, m) != 0) {
			s = splimp();
			ifp->if_iqdrops++;
			splx(s);
		}
		break;
	default:
		s = splimp();
		ifp->if_noproto++;
		splx(s);
		m_freem(m);
		break;
	}
}

void
ether_ifattach(struct ifnet *ifp, const u_char *lla)
{

	ifp->if_type = IFT_ETHER;
	ifp->if_addrlen = ETHER_ADDR_LEN;
	ifp->if_hdrlen = ETHER_HDR_LEN;
	if (ifp->if_mtu == 0)
		ifp->if_mtu = ETHERMTU;
	ifp->if_output = ether_output;
	ifp->if_input = ether_input;
	bcopy(lla, ifp->if_lladdr, ETHER_ADDR_LEN);
	if_attach(ifp);
}

void
ether_ifdetach(struct ifnet *ifp)
{

	if_detach(ifp);
}

/* Format an ethernet address (static buffer: diagnostics only). */
char *
ether_sprintf(const u_char *ap)
{
	static char etherbuf[18];

	snprintf(etherbuf, sizeof(etherbuf), "%02x:%02x:%02x:%02x:%02x:%02x",
	    ap[0], ap[1], ap[2], ap[3], ap[4], ap[5]);
	return (etherbuf);
}

/*
 * Copy a frame into fresh clusters, as a NIC's receive DMA would, the
 * first one offset by ETHER_ALIGN.
 */
static struct mbuf *
rxcopy(const void *buf, struct mbuf *src, int len)
{
	struct mbuf *top, *m, **mp;
	int off, n, space;

	if (len <= 0 || len > IP_MAXPACKET + ETHER_HDR_LEN)
		return (NULL);
	top = NULL;
	mp = &top;
	off = 0;
	while (off < len) {
		m = m_getcl(M_NOWAIT, MT_DATA, top == NULL ? M_PKTHDR : 0);
		if (m == NULL) {
			m_freem(top);
			return (NULL);
		}
		space = MCLBYTES;
		if (top == NULL) {
			m->m_data += ETHER_ALIGN;
			space -= ETHER_ALIGN;
		}
		n = imin(space, len - off);
		if (src != NULL)
			m_copydata(src, off, n, mtod(m, caddr_t));
		else
			bcopy((const char *)buf + off, mtod(m, caddr_t), n);
		m->m_len = n;
		off += n;
		*mp = m;
		mp = &m->m_next;
	}
	top->m_pkthdr.len = len;
	top->m_pkthdr.rcvif = NULL;
	return (top);
}

struct mbuf *
if_rxcopy_mbuf(struct mbuf *src, int len)
{

	return (rxcopy(NULL, src, len));
}

struct mbuf *
if_rxcopy_buf(const void *buf, int len)
{

	return (rxcopy(buf, NULL, len));
}
