/*
 * IPv4 output: header completion, route selection, fragmentation and
 * the hand-off to the interface.
 *
 * The packet arrives with its IP header in front; ip_len and ip_off are
 * in network byte order.  Legacy synchronization: Giant (callers are
 * socket calls, the netisr and callouts, all holding it) and splnet.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/domain.h>
#include <sys/protosw.h>
#include <sys/socket.h>
#include <sys/socketvar.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/route.h>
#include <net/vnet.h>
#include <netinet/in.h>
#include <netinet/in_pcb.h>
#include <netinet/in_systm.h>
#include <netinet/in_var.h>
#include <netinet/ip.h>
#include <netinet/ip_var.h>

/*
 * Send the datagram m, whose IP header is already in front and filled
 * in by the caller (length, offset, ttl, protocol, tos, addresses).  m is
 * always taken over; opt, when given, stays the caller's.  A forwarded
 * packet carries its options in m already and passes opt as NULL.
 * Returns 0 or an errno value.
 */
int
ip_output(struct mbuf *m, struct mbuf *opt __unused, struct route *ro,
    int flags, struct ip_moptions *imo __unused, struct inpcb *inp __unused)
{
	struct ip *ip;
	struct ifnet *ifp;
	struct in_addr src;
	struct route iproute;
	struct sockaddr_in *dst;
	struct rtentry *rt;
	struct mbuf *m0;
	int bcast, error, hlen, len, mtu, s;

	KASSERT(m->m_flags & M_PKTHDR, ("ip_output: no HDR"));
	error = 0;
	if (ro == NULL) {
		ro = &iproute;
		bzero(ro, sizeof(*ro));
	}
	if (m->m_len < (int)sizeof(struct ip) &&
	    (m = m_pullup(m, sizeof(struct ip))) == NULL)
		return (ENOBUFS);
	ip = mtod(m, struct ip *);
	hlen = ip->ip_hl << 2;

	/* Fill in IP header. */
	if ((flags & (IP_FORWARDING | IP_RAWOUTPUT)) == 0) {
		ip->ip_v = IPVERSION;
		ip->ip_hl = sizeof(struct ip) >> 2;
		hlen = sizeof(struct ip);
		ip->ip_off &= htons(IP_DF);
		ip->ip_id = htons(ip_newid());
		V_ipstat.ips_localout++;
	} else if (flags & IP_RAWOUTPUT) {
		V_ipstat.ips_rawout++;
		if (ip->ip_id == 0)
			ip->ip_id = htons(ip_newid());
	}
	if (hlen < (int)sizeof(struct ip) || hlen > m->m_len ||
	    ntohs(ip->ip_len) != m->m_pkthdr.len) {
		error = EINVAL;
		goto bad;
	}

	/*
	 * Route packet.  Drop a cached route that is for another destination
	 * or older than the table (a route added or deleted since: the one
	 * cached may be gone, or no longer the best).
	 */
	dst = (struct sockaddr_in *)&ro->ro_dst;
	if (ro->ro_rt != NULL && (ro->ro_gen != rt_generation() ||
	    dst->sin_family != AF_INET ||
	    dst->sin_addr.s_addr != ip->ip_dst.s_addr)) {
		RTFREE(ro->ro_rt);
		ro->ro_rt = NULL;
	}
	if (ro->ro_rt == NULL) {
		bzero(dst, sizeof(*dst));
		dst->sin_family = AF_INET;
		dst->sin_len = sizeof(*dst);
		dst->sin_addr = ip->ip_dst;
	}
	src.s_addr = INADDR_ANY;
	if (flags & IP_ROUTETOIF) {
		/*
		 * Bypass the routing table: the destination must be on a
		 * directly connected network, whose interface and address
		 * are copied out of the address list.
		 */
		if (in_ifaddr_onnet(ip->ip_dst, &ifp, &src) != 0) {
			V_ipstat.ips_noroute++;
			error = ENETUNREACH;
			goto bad;
		}
		rt = NULL;
		ip->ip_ttl = 1;
	} else {
		if (ro->ro_rt == NULL)
			rtalloc_ign(ro, 0);
		if (ro->ro_rt == NULL || (ro->ro_rt->rt_flags & RTF_REJECT)) {
			V_ipstat.ips_noroute++;
			error = EHOSTUNREACH;
			goto bad;
		}
		rt = ro->ro_rt;
		ifp = rt->rt_ifp;
		if (rt->rt_ifa != NULL)
			src = IA_SIN(rt->rt_ifa)->sin_addr;
		if (rt->rt_flags & RTF_GATEWAY)
			dst = (struct sockaddr_in *)rt->rt_gateway;
	}
	/* An interface that is down refuses the packet (if_handoff()). */
	if (ifp == NULL) {
		V_ipstat.ips_noroute++;
		error = ENETDOWN;
		goto bad;
	}

	/*
	 * The source address, if the caller left it open: the destination
	 * itself when it is ours, else the route's address (the route
	 * holds it), else the first address of the interface, copied out
	 * (an address can go away once its list is left).
	 */
	if (ip->ip_src.s_addr == INADDR_ANY) {
		if (rt != NULL && (rt->rt_flags & RTF_LOCAL)) {
			src.s_addr = INADDR_ANY;
			if (in_localip(ip->ip_dst))
				ip->ip_src = ip->ip_dst;
		}
		if (ip->ip_src.s_addr == INADDR_ANY)
			ip->ip_src = src;
		if (ip->ip_src.s_addr == INADDR_ANY &&
		    in_ifpaddr(ifp, &ip->ip_src) != 0) {
			error = EADDRNOTAVAIL;
			goto bad;
		}
	}

	/*
	 * Sending to a broadcast address requires SO_BROADCAST on the
	 * socket (IP_ALLOWBROADCAST).  Whether dst is one depends on the
	 * addresses alone, so a cached route remembers it: a change of the
	 * addresses moves the table's generation, which drops the route.
	 */
	if (rt == NULL || (ro->ro_flags & RO_BCASTKNOWN) == 0) {
		bcast = in_broadcast(dst->sin_addr, ifp);
		if (rt != NULL)
			ro->ro_flags |= RO_BCASTKNOWN | (bcast ? RO_BCAST : 0);
	} else
		bcast = (ro->ro_flags & RO_BCAST) != 0;
	if (bcast) {
		if ((ifp->if_flags & IFF_BROADCAST) == 0) {
			error = EADDRNOTAVAIL;
			goto bad;
		}
		if ((flags & IP_ALLOWBROADCAST) == 0) {
			error = EACCES;
			goto bad;
		}
		m->m_flags |= M_BCAST;
	} else
		m->m_flags &= ~M_BCAST;

	mtu = (rt != NULL && rt->rt_rmx.rmx_mtu != 0) ?
	    (int)rt->rt_rmx.rmx_mtu : (int)ifp->if_mtu;
	len = ntohs(ip->ip_len);
	if (len <= mtu) {
		ip->ip_sum = 0;
		ip->ip_sum = in_cksum_hdr(ip);
		s = splnet();
		error = (*ifp->if_output)(ifp, m, (struct sockaddr *)dst, rt);
		splx(s);
		goto done;
	}

	/* Too large for the interface: fragment, unless DF. */
	if (ip->ip_off & htons(IP_DF)) {
		error = EMSGSIZE;
		V_ipstat.ips_cantfrag++;
		goto bad;
	}
	error = ip_fragment(ip, &m, mtu, 0, 0);
	if (error)
		goto bad;
	for (; m != NULL; m = m0) {
		m0 = m->m_nextpkt;
		m->m_nextpkt = NULL;
		if (error == 0) {
			s = splnet();
			error = (*ifp->if_output)(ifp, m,
			    (struct sockaddr *)dst, rt);
			splx(s);
		} else
			m_freem(m);
	}
	if (error == 0)
		V_ipstat.ips_fragmented++;
done:
	if (ro == &iproute && ro->ro_rt != NULL)
		RTFREE(ro->ro_rt);
	return (error);
bad:
	m_freem(m);
	goto done;
}

/*
 * Split *m_frag into fragments of at most mtu bytes.  On success (0)
 * *m_frag is the first fragment and the others follow it through
 * m_nextpkt.  On an error the caller must free whatever *m_frag then
 * holds, which may be a partly built list of fragments.
 * (Fragment offsets are in 8-byte units, so slices are multiples of 8.)
 */
int
ip_fragment(struct ip *ip, struct mbuf **m_frag, int mtu,
    u_long if_hwassist_flags __unused, int sw_csum __unused)
{
	struct mbuf *m0, *m, **mnext;
	struct ip *mhip;
	int error, firstlen, hlen, len, mhlen, off, totlen, ipoff;

	m0 = *m_frag;
	hlen = ip->ip_hl << 2;
	totlen = ntohs(ip->ip_len);
	ipoff = ntohs(ip->ip_off);
	len = (mtu - hlen) & ~7;	/* size of payload in each fragment */
	if (len < 8)
		return (EMSGSIZE);
	firstlen = len;
	mnext = &m0->m_nextpkt;
	error = 0;
	/*
		 * Walk the data past the first fragment in mtu-sized pieces: each
		 * gets a copy of the header and a copy of its slice, and is linked
		 * behind the previous one.  Options that are not copy-flagged do
		 * not belong in later fragments; this stack sends none anyway.
		 */
	mhlen = sizeof(struct ip);
	for (off = hlen + len; off < totlen; off += len) {
		m = m_gethdr(M_NOWAIT, MT_DATA);
		if (m == NULL) {
			error = ENOBUFS;
			V_ipstat.ips_odropped++;
			goto done;
		}
		m->m_flags |= (m0->m_flags & M_BCAST) | M_FRAG;
		MH_ALIGN(m, mhlen);
		m->m_len = mhlen;
		mhip = mtod(m, struct ip *);
		*mhip = *ip;
		mhip->ip_hl = mhlen >> 2;
		mhip->ip_off = htons((u_short)(((off - hlen) >> 3) +
		    (ipoff & ~IP_MF)));
		if (off + len >= totlen)
			len = totlen - off;
		else
			mhip->ip_off |= htons(IP_MF);
		if (ipoff & IP_MF)
			mhip->ip_off |= htons(IP_MF);
		mhip->ip_len = htons((u_short)(len + mhlen));
		m->m_next = m_copym(m0, off, len, M_NOWAIT);
		if (m->m_next == NULL) {
			m_free(m);
			error = ENOBUFS;
			V_ipstat.ips_odropped++;
			goto done;
		}
		m->m_pkthdr.len = mhlen + len;
		m->m_pkthdr.rcvif = NULL;
		mhip->ip_sum = 0;
		mhip->ip_sum = in_cksum_hdr(mhip);
		*mnext = m;
		mnext = &m->m_nextpkt;
		V_ipstat.ips_ofragments++;
	}
	/*
		 * Cut the first fragment down to its own slice and fix its
		 * length and more-fragments bit.
		 */
	m_adj(m0, hlen + firstlen - totlen);
	m0->m_pkthdr.len = hlen + firstlen;
	ip->ip_len = htons((u_short)m0->m_pkthdr.len);
	ip->ip_off = htons((u_short)(ipoff | IP_MF));
	ip->ip_sum = 0;
	ip->ip_sum = in_cksum_hdr(ip);
	V_ipstat.ips_ofragments++;
done:
	*m_frag = m0;
	return (error);
}

/*
 * IP socket option processing (IPPROTO_IP level).
 */
int
ip_ctloutput(struct socket *so, struct sockopt *sopt)
{
	struct inpcb *inp;
	int error, optval;

	inp = sotoinpcb(so);
	if (sopt->sopt_level != IPPROTO_IP || inp == NULL)
		return (EINVAL);
	error = 0;
	switch (sopt->sopt_dir) {
	case SOPT_SET:
		switch (sopt->sopt_name) {
		case IP_TOS:
		case IP_TTL:
		case IP_HDRINCL:
			error = sooptcopyin(sopt, &optval, sizeof(optval),
			    sizeof(optval));
			if (error)
				break;
			if (sopt->sopt_name == IP_TOS)
				inp->inp_ip_tos = (u_char)optval;
			else if (sopt->sopt_name == IP_TTL) {
				if (optval < 0 || optval > MAXTTL) {
					error = EINVAL;
					break;
				}
				inp->inp_ip_ttl = (u_char)optval;
			} else if (so->so_type != SOCK_RAW)
				error = ENOPROTOOPT;
			else if (optval)
				inp->inp_flags |= INP_HDRINCL;
			else
				inp->inp_flags &= ~INP_HDRINCL;
			break;
		default:
			error = ENOPROTOOPT;
			break;
		}
		break;
	case SOPT_GET:
		switch (sopt->sopt_name) {
		case IP_TOS:
			optval = inp->inp_ip_tos;
			break;
		case IP_TTL:
			optval = inp->inp_ip_ttl;
			break;
		case IP_HDRINCL:
			optval = (inp->inp_flags & INP_HDRINCL) != 0;
			break;
		default:
			return (ENOPROTOOPT);
		}
		error = sooptcopyout(sopt, &optval, sizeof(optval));
		break;
	}
	return (error);
}
