/*
 * ICMP (RFC 792): sending error messages about received datagrams,
 * handling the messages that arrive, and answering echo and timestamp
 * requests.
 *
 * Errors received are passed to the protocol of the datagram they quote
 * through its pr_ctlinput; echo requests are answered in the kernel;
 * every ICMP message also goes to the raw sockets (ping).
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <sys/domain.h>
#include <sys/protosw.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/route.h>
#include <net/vnet.h>
#include <netinet/in.h>
#include <netinet/in_pcb.h>
#include <netinet/in_systm.h>
#include <netinet/in_var.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/ip_var.h>
#include <netinet/icmp_var.h>

VNET_DEFINE(struct icmpstat, icmpstat);

void	rip_input(struct mbuf *m, int off);
static void icmp_reflect(struct mbuf *m);
static void icmp_send(struct mbuf *m);

/*
 * Build and send an ICMP error of the given type and code about the
 * datagram n, quoting its header.  n is always taken over.
 */
void
icmp_error(struct mbuf *n, int type, int code, uint32_t dest __unused,
    int mtu)
{
	struct ip *oip, *nip;
	struct icmp *icp;
	struct mbuf *m;
	u_int icmplen, oiphlen, oiplen;

	V_icmpstat.icps_error++;
	oip = mtod(n, struct ip *);
	oiphlen = oip->ip_hl << 2;
	oiplen = ntohs(oip->ip_len);
	/*
		 * Conditions under which RFC 1122 3.2.2 forbids an error:
		 *  the datagram is a non-initial fragment,
		 *  its destination or source is broadcast or multicast,
		 *  it is an ICMP error itself (or too short to tell),
		 *  its source cannot be replied to.
		 */
	if (oip->ip_off & htons(IP_OFFMASK))
		goto freeit;
	if (n->m_flags & (M_BCAST | M_MCAST))
		goto freeit;
	if (IN_MULTICAST(ntohl(oip->ip_dst.s_addr)) ||
	    IN_MULTICAST(ntohl(oip->ip_src.s_addr)) ||
	    oip->ip_src.s_addr == INADDR_ANY ||
	    oip->ip_src.s_addr == INADDR_BROADCAST ||
	    in_broadcast(oip->ip_src, n->m_pkthdr.rcvif))
		goto freeit;
	if (oip->ip_p == IPPROTO_ICMP && type != ICMP_REDIRECT) {
		u_char itype;

		if (n->m_pkthdr.len < (int)(oiphlen + ICMP_MINLEN)) {
			V_icmpstat.icps_oldshort++;
			goto freeit;
		}
		m_copydata(n, oiphlen, 1, (caddr_t)&itype);
		if (itype > ICMP_MAXTYPE || !ICMP_INFOTYPE(itype)) {
			V_icmpstat.icps_oldicmp++;
			goto freeit;
		}
	}
	if (oiplen < oiphlen || n->m_pkthdr.len < (int)oiphlen) {
		V_icmpstat.icps_oldshort++;
		goto freeit;
	}

	/* Quote the header and the first 8 bytes of data. */
	icmplen = imin(oiphlen + 8, imin(oiplen, n->m_pkthdr.len));
	if (icmplen < sizeof(struct ip))
		goto freeit;
	m = m_gethdr(M_NOWAIT, MT_DATA);
	if (m == NULL)
		goto freeit;
	if (sizeof(struct ip) + ICMP_MINLEN + icmplen > (u_int)MHLEN) {
		if (m_clget(m, M_NOWAIT) == 0 || (m->m_flags & M_EXT) == 0) {
			m_freem(m);
			goto freeit;
		}
	}
	m->m_len = ICMP_MINLEN + icmplen;
	m->m_data += sizeof(struct ip);
	m->m_data = (caddr_t)((uintptr_t)m->m_data & ~(uintptr_t)3);
	icp = mtod(m, struct icmp *);
	V_icmpstat.icps_outhist[type]++;
	icp->icmp_type = type;
	icp->icmp_code = code;
	icp->icmp_void = 0;
	if (type == ICMP_PARAMPROB) {
		icp->icmp_pptr = (u_char)mtu;
	} else if (type == ICMP_UNREACH && code == ICMP_UNREACH_NEEDFRAG) {
		icp->icmp_nextmtu = htons((u_short)mtu);
	}
	m_copydata(n, 0, (int)icmplen, (caddr_t)&icp->icmp_ip);

	/* Quote the offending IP header ahead of the ICMP body. */
	m->m_data -= sizeof(struct ip);
	m->m_len += sizeof(struct ip);
	m->m_pkthdr.len = m->m_len;
	m->m_pkthdr.rcvif = n->m_pkthdr.rcvif;
	nip = mtod(m, struct ip *);
	bcopy(oip, nip, sizeof(struct ip));
	nip->ip_hl = sizeof(struct ip) >> 2;
	nip->ip_len = htons((u_short)m->m_len);
	nip->ip_v = IPVERSION;
	nip->ip_p = IPPROTO_ICMP;
	nip->ip_tos = 0;
	nip->ip_off = 0;
	m_freem(n);
	icmp_reflect(m);
	return;
freeit:
	m_freem(n);
}

/*
 * Process a received ICMP message.
 */
void
icmp_input(struct mbuf *m, int off)
{
	struct icmp *icp;
	struct ip *ip;
	struct sockaddr_in icmpsrc;
	pr_ctlinput_t *ctlfunc;
	struct protosw *pr;
	int code, hlen, i, icmplen;

	ip = mtod(m, struct ip *);
	hlen = off;
	icmplen = ntohs(ip->ip_len) - hlen;
	if (icmplen < ICMP_MINLEN) {
		V_icmpstat.icps_tooshort++;
		goto freeit;
	}
	i = hlen + imin(icmplen, ICMP_ADVLENMIN);
	if (m->m_len < i && (m = m_pullup(m, i)) == NULL) {
		V_icmpstat.icps_tooshort++;
		return;
	}
	ip = mtod(m, struct ip *);
	if (in_cksum_skip(m, hlen + icmplen, hlen) != 0) {
		V_icmpstat.icps_checksum++;
		goto freeit;
	}
	icp = (struct icmp *)(void *)(mtod(m, caddr_t) + hlen);
	if (icp->icmp_type > ICMP_MAXTYPE)
		goto raw;
	V_icmpstat.icps_inhist[icp->icmp_type]++;
	code = icp->icmp_code;
	switch (icp->icmp_type) {
	case ICMP_UNREACH:
		switch (code) {
		case ICMP_UNREACH_NET:
		case ICMP_UNREACH_HOST:
		case ICMP_UNREACH_SRCFAIL:
		case ICMP_UNREACH_NET_UNKNOWN:
		case ICMP_UNREACH_HOST_UNKNOWN:
		case ICMP_UNREACH_ISOLATED:
		case ICMP_UNREACH_TOSNET:
		case ICMP_UNREACH_TOSHOST:
			code = PRC_UNREACH_HOST;
			break;
		case ICMP_UNREACH_NEEDFRAG:
			code = PRC_MSGSIZE;
			break;
		case ICMP_UNREACH_PROTOCOL:
			code = PRC_UNREACH_PROTOCOL;
			break;
		case ICMP_UNREACH_PORT:
			code = PRC_UNREACH_PORT;
			break;
		case ICMP_UNREACH_NET_PROHIB:
		case ICMP_UNREACH_HOST_PROHIB:
		case ICMP_UNREACH_FILTER_PROHIB:
			code = PRC_UNREACH_ADMIN_PROHIB;
			break;
		default:
			goto badcode;
		}
		goto deliver;

	case ICMP_TIMXCEED:
		if (code > 1)
			goto badcode;
		code += PRC_TIMXCEED_INTRANS;
		goto deliver;

	case ICMP_PARAMPROB:
		if (code > 1)
			goto badcode;
		code = PRC_PARAMPROB;
		goto deliver;

	case ICMP_SOURCEQUENCH:
		if (code)
			goto badcode;
		code = PRC_QUENCH;
	deliver:
		/*
				 * An error about one of our datagrams: pass it to the
				 * protocol it quotes, if the quote has 8 bytes of payload.
				 */
		if (icmplen < (int)ICMP_ADVLENMIN ||
		    icmplen < ICMP_ADVLEN(icp) ||
		    icp->icmp_ip.ip_hl < (sizeof(struct ip) >> 2) ||
		    icp->icmp_ip.ip_v != IPVERSION) {
			V_icmpstat.icps_badlen++;
			goto freeit;
		}
		if (m->m_len < hlen + ICMP_ADVLEN(icp) &&
		    (m = m_pullup(m, hlen + ICMP_ADVLEN(icp))) == NULL) {
			V_icmpstat.icps_badlen++;
			return;
		}
		ip = mtod(m, struct ip *);
		icp = (struct icmp *)(void *)(mtod(m, caddr_t) + hlen);
		bzero(&icmpsrc, sizeof(icmpsrc));
		icmpsrc.sin_len = sizeof(struct sockaddr_in);
		icmpsrc.sin_family = AF_INET;
		icmpsrc.sin_addr = icp->icmp_ip.ip_dst;
		pr = &inetsw[ip_protox[icp->icmp_ip.ip_p]];
		ctlfunc = pr->pr_ctlinput;
		if (ctlfunc != NULL) {
			PR_GIANT_LOCK(pr);
			(*ctlfunc)(code, (struct sockaddr *)&icmpsrc,
			    (void *)&icp->icmp_ip);
			PR_GIANT_UNLOCK(pr);
		}
		break;

	badcode:
		V_icmpstat.icps_badcode++;
		break;

	case ICMP_ECHO:
		if (m->m_flags & (M_BCAST | M_MCAST)) {
			V_icmpstat.icps_bmcastecho++;
			break;
		}
		/* A reply to the raw sockets' copy would be wrong: copy. */
		{
			struct mbuf *n;

			n = m_dup(m, M_NOWAIT);
			if (n != NULL && n->m_len < hlen + ICMP_MINLEN)
				n = m_pullup(n, hlen + ICMP_MINLEN);
			if (n != NULL) {
				icp = (struct icmp *)(void *)(mtod(n, caddr_t) +
				    hlen);
				icp->icmp_type = ICMP_ECHOREPLY;
				V_icmpstat.icps_reflect++;
				V_icmpstat.icps_outhist[ICMP_ECHOREPLY]++;
				icmp_reflect(n);
			}
		}
		break;

	default:
		break;
	}
raw:
	/* Raw IP's entry: the one every unknown protocol maps to. */
	pr = &inetsw[ip_protox[IPPROTO_RAW]];
	PR_GIANT_LOCK(pr);
	rip_input(m, off);
	PR_GIANT_UNLOCK(pr);
	return;
freeit:
	m_freem(m);
}

/*
 * Send an ICMP reply to where the request came from: swap the addresses,
 * use our address the packet was sent to (or the receiving interface's)
 * as the source, and send.
 */
static void
icmp_reflect(struct mbuf *m)
{
	struct ip *ip;
	struct in_addr src, t;

	ip = mtod(m, struct ip *);
	if (IN_MULTICAST(ntohl(ip->ip_src.s_addr)) ||
	    IN_EXPERIMENTAL(ntohl(ip->ip_src.s_addr)) ||
	    ip->ip_src.s_addr == INADDR_ANY) {
		m_freem(m);
		goto done;
	}
	t = ip->ip_dst;
	ip->ip_dst = ip->ip_src;
	if (in_ifaddr_src(t, m->m_pkthdr.rcvif, &src) != 0) {
		m_freem(m);
		V_icmpstat.icps_noroute++;
		goto done;
	}
	ip->ip_src = src;
	ip->ip_ttl = (u_char)V_ip_defttl;
	ip_stripoptions(m, NULL);
	m->m_flags &= ~(M_BCAST | M_MCAST);
	icmp_send(m);
done:
	return;
}

/*
 * Compute the ICMP checksum and hand the reply to ip_output.
 */
static void
icmp_send(struct mbuf *m)
{
	struct ip *ip;
	struct icmp *icp;
	int hlen;

	ip = mtod(m, struct ip *);
	hlen = ip->ip_hl << 2;
	icp = (struct icmp *)(void *)(mtod(m, caddr_t) + hlen);
	icp->icmp_cksum = 0;
	icp->icmp_cksum = in_cksum_skip(m, ntohs(ip->ip_len), hlen);
	m->m_pkthdr.rcvif = NULL;
	(void)ip_output(m, NULL, NULL, 0, NULL, NULL);
}

/* The network time of day in ms, for timestamp replies. */
n_time
iptime(void)
{
	struct timeval atv;
	u_long t;

	getmicrotime(&atv);
	t = (atv.tv_sec % (24 * 60 * 60)) * 1000 + atv.tv_usec / 1000;
	return (htonl(t));
}
