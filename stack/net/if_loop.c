/*
 * Loopback interface: packets sent to a local address go straight to
 * the IP input queue of the same instance.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/netisr.h>
#include <net/if_pcap.h>
#include <net/route.h>
#include <net/vnet.h>

#define	LOMTU	16384

MALLOC_DECLARE(M_IFNET);

VNET_DEFINE(struct ifnet *, loif);		/* the loopback interface */

static int
looutput(struct ifnet *ifp, struct mbuf *m, struct sockaddr *dst,
    struct rtentry *rt)
{
	int len, s;

	KASSERT(m->m_flags & M_PKTHDR, ("looutput: no header mbuf"));
	if (rt != NULL && (rt->rt_flags & RTF_REJECT)) {
		m_freem(m);
		return (EHOSTUNREACH);
	}
	if (dst->sa_family != AF_INET) {
		m_freem(m);
		return (EAFNOSUPPORT);
	}
	len = m->m_pkthdr.len;
	m->m_pkthdr.rcvif = ifp;
	m->m_flags &= ~(M_BCAST | M_MCAST);
	if (ifp->if_pcap != NULL)
		if_pcap_tap(ifp, m);
	s = splimp();
	ifp->if_opackets++;
	ifp->if_obytes += len;
	if (netisr_queue(NETISR_IP, m)) {
		ifp->if_iqdrops++;
		splx(s);
		return (ENOBUFS);
	}
	ifp->if_ipackets++;
	ifp->if_ibytes += len;
	splx(s);
	return (0);
}

/* Never started: looutput() hands packets on at once, queueing none. */
static void
lostart(struct ifnet *ifp __unused)
{
}

struct ifnet *
loif_attach(void)
{
	struct ifnet *ifp;

	ifp = malloc(sizeof(*ifp), M_IFNET, M_WAITOK | M_ZERO);
	strlcpy(ifp->if_xname, "lo0", sizeof(ifp->if_xname));
	ifp->if_mtu = LOMTU;
	ifp->if_flags = IFF_LOOPBACK | IFF_MULTICAST | IFF_NEEDSGIANT;
	ifp->if_type = IFT_LOOP;
	ifp->if_output = looutput;
	ifp->if_start = lostart;
	if_attach(ifp);
	if_up(ifp);
	V_loif = ifp;
	return (ifp);
}
