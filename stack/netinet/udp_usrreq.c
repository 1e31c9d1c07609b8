/*
 * UDP protocol implementation (RFC 768): input with checksum and pcb
 * hash lookup, output, ICMP errors to connected sockets, and the user
 * requests.
 *
 * Legacy synchronization: Giant (socket calls and the netisr hold it)
 * and splnet; statistics are plain per-instance globals bumped with ++.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/domain.h>
#include <sys/protosw.h>
#include <sys/socket.h>
#include <sys/socketvar.h>
#include <sys/ucred.h>
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
#include <netinet/udp.h>
#include <netinet/udp_var.h>

VNET_DEFINE(struct udpstat, udpstat);
VNET_DEFINE(struct inpcbinfo, udbinfo);

static u_long	udp_sendspace = 65536;		/* largest datagram a send may queue */
static u_long	udp_recvspace = 160 * 1024;	/* two 64K datagrams */
static int	udp_cksum_out = 1;		/* send checksums */

#define	UDBHASHSIZE	128

void
udp_init(void)
{

	bzero(&V_udpstat, sizeof(V_udpstat));
	in_pcbinfo_init(&V_udbinfo, UDBHASHSIZE, UDBHASHSIZE);
}

void
udp_destroy(void)
{

	in_pcbinfo_destroy(&V_udbinfo);
}

/*
 * The checksum of a UDP datagram of ulen bytes at off in m, with its
 * pseudo header.  Over a datagram carrying a correct checksum it is 0.
 */
static u_short
udp_cksum(struct mbuf *m, int off, int ulen, struct in_addr src,
    struct in_addr dst)
{
	u_short data, ph;

	data = (u_short)~in_cksum_skip(m, off + ulen, off);
	ph = in_pseudo(src.s_addr, dst.s_addr,
	    htons((u_short)(ulen + IPPROTO_UDP)));
	return ((u_short)~in_addword(data, ph));
}

/*
 * Queue the data of a datagram on a socket, with the sender's address, in
 * the socket's section, and drop the reference the lookup gave (the
 * socket may have lost its pcb in between: the datagram is then dropped).
 */
static void
udp_append(struct socket *so, struct mbuf *n, int off,
    struct sockaddr_in *udp_in)
{
	int last, s;

	m_adj(n, off);
	s = splnet();
	if (so->so_pcb == NULL)
		m_freem(n);
	else if (sbappendaddr(&so->so_rcv, (struct sockaddr *)udp_in, n,
	    NULL) == 0) {
		m_freem(n);
		V_udpstat.udps_fullsock++;
	} else
		sorwakeup(so);
	last = sorele(so);
	splx(s);
	if (last)
		sofree(so);
}

/* What a broadcast or multicast datagram is matched against. */
struct udp_bcast {
	struct ip	*ub_ip;
	struct udphdr	*ub_uh;
};

/*
 * A socket gets a copy of a broadcast when its bound and connected
 * addresses and ports accept it; the first one that allows no reuse of
 * its port is the last to get one.
 */
static int
udp_bcast_match(struct inpcb *inp, void *arg)
{
	struct udp_bcast *ub = arg;

	if (inp->inp_lport != ub->ub_uh->uh_dport)
		return (0);
	if (inp->inp_laddr.s_addr != INADDR_ANY &&
	    inp->inp_laddr.s_addr != ub->ub_ip->ip_dst.s_addr)
		return (0);
	if (inp->inp_faddr.s_addr != INADDR_ANY &&
	    (inp->inp_faddr.s_addr != ub->ub_ip->ip_src.s_addr ||
	    inp->inp_fport != ub->ub_uh->uh_sport))
		return (0);
	if ((inp->inp_socket->so_options & (SO_REUSEPORT | SO_REUSEADDR)) == 0)
		return (2);
	return (1);
}

void
udp_input(struct mbuf *m, int off)
{
	struct ip *ip;
	struct udphdr *uh;
	struct ifnet *ifp;
	struct mbuf *n;
	struct socket *so, **sv;
	struct sockaddr_in udp_in;
	struct udp_bcast ub;
	int i, iphlen, len, nso, ulen;

	iphlen = off;
	ifp = m->m_pkthdr.rcvif;
	V_udpstat.udps_ipackets++;

	/*
	 * Get IP and UDP header together in first mbuf.
	 */
	if (m->m_pkthdr.len < iphlen + (int)sizeof(struct udphdr)) {
		V_udpstat.udps_hdrops++;
		m_freem(m);
		return;
	}
	if (m->m_len < iphlen + (int)sizeof(struct udphdr) &&
	    (m = m_pullup(m, iphlen + sizeof(struct udphdr))) == NULL) {
		V_udpstat.udps_hdrops++;
		return;
	}
	ip = mtod(m, struct ip *);
	uh = (struct udphdr *)(void *)(mtod(m, caddr_t) + iphlen);

	/*
		 * Trim the chain to the length the UDP header gives; a datagram
		 * shorter than that is dropped.
		 */
	len = ntohs(ip->ip_len) - iphlen;
	ulen = ntohs(uh->uh_ulen);
	if (ulen > len || ulen < (int)sizeof(struct udphdr)) {
		V_udpstat.udps_badlen++;
		m_freem(m);
		return;
	}
	if (ulen < len) {
		/* Trailing garbage: keep the IP header consistent. */
		m_adj(m, ulen - len);
		ip = mtod(m, struct ip *);
		ip->ip_len = htons((u_short)(iphlen + ulen));
		ip->ip_sum = 0;
		ip->ip_sum = in_cksum_hdr(ip);
	}

	/* A zero sum means the sender computed none (RFC 768). */
	if (uh->uh_sum != 0) {
		if (udp_cksum(m, iphlen, ulen, ip->ip_src, ip->ip_dst) != 0) {
			V_udpstat.udps_badsum++;
			m_freem(m);
			return;
		}
	} else
		V_udpstat.udps_nosum++;

	bzero(&udp_in, sizeof(udp_in));
	udp_in.sin_len = sizeof(udp_in);
	udp_in.sin_family = AF_INET;
	udp_in.sin_port = uh->uh_sport;
	udp_in.sin_addr = ip->ip_src;

	if ((m->m_flags & (M_BCAST | M_MCAST)) ||
	    in_broadcast(ip->ip_dst, ifp)) {
		/*
		 * Broadcast or multicast: every socket whose bound and
		 * connected addresses and ports accept this datagram
		 * gets a copy.
		 */
		ub.ub_ip = ip;
		ub.ub_uh = uh;
		sv = in_pcbsockets(&V_udbinfo, udp_bcast_match, &ub, &nso);
		if (nso == 0) {
			V_udpstat.udps_noportbcast++;
			V_udpstat.udps_noport++;
			m_freem(m);
			return;
		}
		for (i = 0; i < nso - 1; i++) {
			n = m_copym(m, 0, M_COPYALL, M_NOWAIT);
			if (n != NULL)
				udp_append(sv[i], n,
				    iphlen + sizeof(struct udphdr), &udp_in);
			else if (sorele(sv[i]))
				sofree(sv[i]);
		}
		udp_append(sv[nso - 1], m, iphlen + sizeof(struct udphdr),
		    &udp_in);
		free(sv, M_TEMP);
		return;
	}

	/*
	 * Locate pcb for datagram.
	 */
	so = in_pcblookup_socket(&V_udbinfo, ip->ip_src, uh->uh_sport,
	    ip->ip_dst, uh->uh_dport, INPLOOKUP_WILDCARD, ifp);
	if (so == NULL) {
		V_udpstat.udps_noport++;
		icmp_error(m, ICMP_UNREACH, ICMP_UNREACH_PORT, 0, 0);
		return;
	}
	udp_append(so, m, iphlen + sizeof(struct udphdr), &udp_in);
}

/*
 * udp_notify: record an ICMP-reported error on a socket the lookup gave
 * (with its reference) and wake its threads so the next call returns it.
 */
static void
udp_notify(struct socket *so, int errno)
{
	int last, s;

	s = splnet();
	if (so->so_pcb != NULL) {
		so->so_error = (u_short)errno;
		sorwakeup(so);
		sowwakeup(so);
	}
	last = sorele(so);
	splx(s);
	if (last)
		sofree(so);
}

/* Every socket connected to a foreign address hears of its errors. */
static int
udp_faddr_match(struct inpcb *inp, void *arg)
{

	return (inp->inp_faddr.s_addr == ((struct in_addr *)arg)->s_addr);
}

/*
 * An ICMP error about a datagram we sent: only a socket connected to
 * exactly that peer hears of it (BSD semantics), as so_error.
 */
void
udp_ctlinput(int cmd, struct sockaddr *sa, void *vip)
{
	struct ip *ip;
	struct udphdr *uh;
	struct socket *so, **sv;
	struct in_addr faddr;
	int errno, i, nso;

	if (sa == NULL || sa->sa_family != AF_INET ||
	    sa->sa_len != sizeof(struct sockaddr_in))
		return;
	faddr = ((struct sockaddr_in *)sa)->sin_addr;
	if (faddr.s_addr == INADDR_ANY)
		return;
	if (cmd < 0 || cmd >= PRC_NCMDS)
		return;
	errno = inetctlerrmap[cmd];
	if (errno == 0)
		return;
	ip = vip;
	if (PRC_IS_REDIRECT(cmd) || cmd == PRC_HOSTDEAD)
		ip = NULL;
	if (ip == NULL) {
		sv = in_pcbsockets(&V_udbinfo, udp_faddr_match, &faddr, &nso);
		for (i = 0; i < nso; i++)
			udp_notify(sv[i], errno);
		if (sv != NULL)
			free(sv, M_TEMP);
		return;
	}
	uh = (struct udphdr *)(void *)((caddr_t)ip + (ip->ip_hl << 2));
	so = in_pcblookup_socket(&V_udbinfo, faddr, uh->uh_dport, ip->ip_src,
	    uh->uh_sport, 0, NULL);
	if (so != NULL)
		udp_notify(so, errno);
}

int
udp_ctloutput(struct socket *so, struct sockopt *sopt)
{

	if (sopt->sopt_level != IPPROTO_IP)
		return (ENOPROTOOPT);
	return (ip_ctloutput(so, sopt));
}

static int
udp_output(struct inpcb *inp, struct mbuf *m, struct sockaddr *addr,
    struct mbuf *control, struct thread *td __unused)
{
	struct udpiphdr *ui;
	struct ip *ip;
	struct sockaddr_in *sin;
	struct in_addr laddr, faddr;
	u_short lport, fport, sum;
	int error, len, s;

	error = 0;
	len = m->m_pkthdr.len;
	if (control != NULL)
		m_freem(control);
	if (len + (int)sizeof(struct udpiphdr) > IP_MAXPACKET) {
		error = EMSGSIZE;
		goto release;
	}
	laddr = inp->inp_laddr;
	lport = inp->inp_lport;
	if (addr != NULL) {
		sin = (struct sockaddr_in *)addr;
		if (inp->inp_faddr.s_addr != INADDR_ANY) {
			error = EISCONN;
			goto release;
		}
		/*
		 * The ephemeral port of a first datagram and the route to the
		 * destination come from the tables, in their section.
		 */
		s = splnet();
		if (inp->inp_lport == 0) {
			error = in_pcbbind(inp, NULL, inp->inp_cred);
			lport = inp->inp_lport;
		}
		if (error == 0)
			error = in_pcbconnect_setup(inp, addr, &laddr.s_addr,
			    &lport, &faddr.s_addr, &fport, NULL, inp->inp_cred);
		splx(s);
		if (error)
			goto release;
		if (inp->inp_laddr.s_addr != INADDR_ANY)
			laddr = inp->inp_laddr;
		(void)sin;
	} else {
		if (inp->inp_faddr.s_addr == INADDR_ANY) {
			error = ENOTCONN;
			goto release;
		}
		faddr = inp->inp_faddr;
		fport = inp->inp_fport;
	}

	/*
		 * Make room for the IP and UDP headers in front of the data.
		 */
	M_PREPEND(m, sizeof(struct udpiphdr), M_NOWAIT);
	if (m == NULL) {
		error = ENOBUFS;
		goto release;
	}
	if (m->m_len < (int)sizeof(struct udpiphdr) &&
	    (m = m_pullup(m, sizeof(struct udpiphdr))) == NULL) {
		error = ENOBUFS;
		goto release;
	}

	/*
		 * Fill in the pseudo-header fields and the UDP header, in network
		 * byte order.
		 */
	ui = mtod(m, struct udpiphdr *);
	ui->ui_sport = lport;
	ui->ui_dport = fport;
	ui->ui_ulen = htons((u_short)(len + sizeof(struct udphdr)));
	ui->ui_sum = 0;
	ip = mtod(m, struct ip *);
	bzero(ip, sizeof(*ip));
	ip->ip_src = laddr;
	ip->ip_dst = faddr;
	ip->ip_p = IPPROTO_UDP;
	ip->ip_len = htons((u_short)(sizeof(struct udpiphdr) + len));
	ip->ip_ttl = inp->inp_ip_ttl;
	ip->ip_tos = inp->inp_ip_tos;
	if (udp_cksum_out) {
		/*
		 * The source may still be open (INADDR_ANY): ip_output
		 * picks it, so checksum against the address it will pick.
		 */
		if (ip->ip_src.s_addr == INADDR_ANY) {
			struct route sro;
			struct in_ifaddr *ia;

			bzero(&sro, sizeof(sro));
			sro.ro_dst.sa_family = AF_INET;
			sro.ro_dst.sa_len = sizeof(struct sockaddr_in);
			((struct sockaddr_in *)&sro.ro_dst)->sin_addr = faddr;
			rtalloc(&sro);
			if (sro.ro_rt != NULL) {
				/* The route holds its address (rt_ifa). */
				if (sro.ro_rt->rt_flags & RTF_LOCAL) {
					if (in_localip(faddr))
						ip->ip_src = faddr;
				} else if (sro.ro_rt->rt_ifa != NULL) {
					ia = ifatoia(sro.ro_rt->rt_ifa);
					ip->ip_src = ia->ia_addr.sin_addr;
				}
				RTFREE(sro.ro_rt);
			}
		}
		sum = udp_cksum(m, sizeof(struct ip),
		    len + (int)sizeof(struct udphdr), ip->ip_src, ip->ip_dst);
		ui->ui_sum = sum == 0 ? 0xffff : sum;
	}
	V_udpstat.udps_opackets++;
	return (ip_output(m, inp->inp_options, &inp->inp_route,
	    inp->inp_socket->so_options & (SO_DONTROUTE | SO_BROADCAST),
	    NULL, inp));

release:
	m_freem(m);
	return (error);
}

static int
udp_abort(struct socket *so)
{
	struct inpcb *inp;
	int s;

	inp = sotoinpcb(so);
	if (inp == NULL)
		return (EINVAL);
	s = splnet();
	soisdisconnected(so);
	in_pcbdetach(inp);
	in_pcbfree(inp);
	splx(s);
	return (0);
}

static int
udp_attach(struct socket *so, int proto __unused, struct thread *td __unused)
{
	struct inpcb *inp;
	int error, s;

	inp = sotoinpcb(so);
	if (inp != NULL)
		return (EINVAL);
	error = soreserve(so, udp_sendspace, udp_recvspace);
	if (error)
		return (error);
	s = splnet();
	error = in_pcballoc(so, &V_udbinfo);
	splx(s);
	if (error)
		return (error);
	inp = sotoinpcb(so);
	inp->inp_ip_ttl = (u_char)V_ip_defttl;
	return (0);
}

static int
udp_bind(struct socket *so, struct sockaddr *nam, struct thread *td __unused)
{
	struct inpcb *inp;
	int error, s;

	inp = sotoinpcb(so);
	if (inp == NULL)
		return (EINVAL);
	s = splnet();
	error = in_pcbbind(inp, nam, so->so_cred);
	splx(s);
	return (error);
}

static int
udp_connect(struct socket *so, struct sockaddr *nam,
    struct thread *td __unused)
{
	struct inpcb *inp;
	int error, s;

	inp = sotoinpcb(so);
	if (inp == NULL)
		return (EINVAL);
	if (inp->inp_faddr.s_addr != INADDR_ANY)
		return (EISCONN);
	s = splnet();
	error = in_pcbconnect(inp, nam, so->so_cred);
	splx(s);
	if (error == 0)
		soisconnected(so);
	return (error);
}

static int
udp_detach(struct socket *so)
{
	struct inpcb *inp;
	int s;

	inp = sotoinpcb(so);
	if (inp == NULL)
		return (EINVAL);
	s = splnet();
	in_pcbdetach(inp);
	in_pcbfree(inp);
	splx(s);
	return (0);
}

static int
udp_disconnect(struct socket *so)
{
	struct inpcb *inp;
	int s;

	inp = sotoinpcb(so);
	if (inp == NULL)
		return (EINVAL);
	if (inp->inp_faddr.s_addr == INADDR_ANY)
		return (ENOTCONN);
	s = splnet();
	in_pcbdisconnect(inp);
	inp->inp_laddr.s_addr = INADDR_ANY;
	splx(s);
	so->so_state &= ~SS_ISCONNECTED;
	return (0);
}

static int
udp_send(struct socket *so, int flags __unused, struct mbuf *m,
    struct sockaddr *addr, struct mbuf *control, struct thread *td)
{
	struct inpcb *inp;

	inp = sotoinpcb(so);
	if (inp == NULL) {
		m_freem(m);
		if (control != NULL)
			m_freem(control);
		return (EINVAL);
	}
	return (udp_output(inp, m, addr, control, td));
}

static int
udp_shutdown(struct socket *so)
{

	if (sotoinpcb(so) == NULL)
		return (EINVAL);
	socantsendmore(so);
	return (0);
}

struct pr_usrreqs udp_usrreqs = {
	.pru_abort =		udp_abort,
	.pru_accept =		pru_accept_notsupp,
	.pru_attach =		udp_attach,
	.pru_bind =		udp_bind,
	.pru_connect =		udp_connect,
	.pru_connect2 =		pru_connect2_notsupp,
	.pru_control =		pru_control_notsupp,
	.pru_detach =		udp_detach,
	.pru_disconnect =	udp_disconnect,
	.pru_listen =		pru_listen_notsupp,
	.pru_peeraddr =		in_getpeeraddr,
	.pru_rcvd =		pru_rcvd_notsupp,
	.pru_rcvoob =		pru_rcvoob_notsupp,
	.pru_send =		udp_send,
	.pru_shutdown =		udp_shutdown,
	.pru_sockaddr =		in_getsockaddr,
};
