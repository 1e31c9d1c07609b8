/*
 * Raw interface to IP protocol: SOCK_RAW sockets (ping uses one with
 * IPPROTO_ICMP).  Input delivers a copy of each matching datagram, IP
 * header included; output prepends a header unless the socket supplies
 * its own (IP_HDRINCL).
 *
 * Legacy synchronization: Giant and splnet; the pcb list is a
 * per-instance global.
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
#include <netinet/ip_icmp.h>

VNET_DEFINE(struct inpcbinfo, ripcbinfo);
#define	V_ripcbinfo	VNET(ripcbinfo)

static u_long	rip_sendspace = 9216;
static u_long	rip_recvspace = 64 * 1024;

void	rip_init(void);
void	rip_destroy(void);
void	rip_input(struct mbuf *m, int off);
int	rip_ctloutput(struct socket *so, struct sockopt *sopt);
extern struct pr_usrreqs rip_usrreqs;

void
rip_init(void)
{

	in_pcbinfo_init(&V_ripcbinfo, 1, 1);
}

void
rip_destroy(void)
{

	in_pcbinfo_destroy(&V_ripcbinfo);
}

/* A raw socket takes a datagram of its protocol between its addresses. */
static int
rip_match(struct inpcb *inp, void *arg)
{
	struct ip *ip = arg;

	if (inp->inp_ip_p && inp->inp_ip_p != ip->ip_p)
		return (0);
	if (inp->inp_laddr.s_addr != INADDR_ANY &&
	    inp->inp_laddr.s_addr != ip->ip_dst.s_addr)
		return (0);
	if (inp->inp_faddr.s_addr != INADDR_ANY &&
	    inp->inp_faddr.s_addr != ip->ip_src.s_addr)
		return (0);
	return (1);
}

/*
 * Queue datagram n (or drop it when n is NULL) on a socket the lookup
 * gave, in the socket's section, and drop the lookup's reference.
 */
static void
rip_append(struct socket *so, struct mbuf *n, struct sockaddr_in *ripsrc)
{
	int last, s;

	s = splnet();
	if (n == NULL)
		;
	else if (so->so_pcb == NULL)
		m_freem(n);
	else if (sbappendaddr(&so->so_rcv, (struct sockaddr *)ripsrc, n,
	    NULL) == 0)
		m_freem(n);
	else
		sorwakeup(so);
	last = sorele(so);
	splx(s);
	if (last)
		sofree(so);
}

/*
 * Deliver a copy of datagram m to every raw socket whose protocol and
 * addresses match.
 */
void
rip_input(struct mbuf *m, int off __unused)
{
	struct ip *ip;
	struct socket **sv;
	struct sockaddr_in ripsrc;
	int i, nso;

	ip = mtod(m, struct ip *);
	bzero(&ripsrc, sizeof(ripsrc));
	ripsrc.sin_len = sizeof(ripsrc);
	ripsrc.sin_family = AF_INET;
	ripsrc.sin_addr = ip->ip_src;
	sv = in_pcbsockets(&V_ripcbinfo, rip_match, ip, &nso);
	if (nso != 0) {
		for (i = 0; i < nso - 1; i++)
			rip_append(sv[i], m_copym(m, 0, M_COPYALL, M_NOWAIT),
			    &ripsrc);
		rip_append(sv[nso - 1], m, &ripsrc);
		free(sv, M_TEMP);
		return;
	}
	/* ICMP nobody listens to is done with; other protocols are unknown. */
	if (ip->ip_p == IPPROTO_ICMP) {
		m_freem(m);
		return;
	}
	V_ipstat.ips_noproto++;
	V_ipstat.ips_delivered--;
	icmp_error(m, ICMP_UNREACH, ICMP_UNREACH_PROTOCOL, 0, 0);
}

/*
 * Send m on a raw socket: build the IP header (unless IP_HDRINCL),
 * then call ip_output with the socket's options.
 */
static int
rip_output(struct mbuf *m, struct socket *so, in_addr_t dst)
{
	struct inpcb *inp;
	struct ip *ip;
	int flags;

	inp = sotoinpcb(so);
	flags = (so->so_options & (SO_DONTROUTE | SO_BROADCAST));
	if ((inp->inp_flags & INP_HDRINCL) == 0) {
		if (m->m_pkthdr.len + (int)sizeof(struct ip) > IP_MAXPACKET) {
			m_freem(m);
			return (EMSGSIZE);
		}
		M_PREPEND(m, sizeof(struct ip), M_NOWAIT);
		if (m == NULL)
			return (ENOBUFS);
		ip = mtod(m, struct ip *);
		bzero(ip, sizeof(*ip));
		ip->ip_tos = inp->inp_ip_tos;
		ip->ip_p = inp->inp_ip_p;
		ip->ip_len = htons((u_short)m->m_pkthdr.len);
		ip->ip_src = inp->inp_laddr;
		ip->ip_dst.s_addr = dst;
		ip->ip_ttl = inp->inp_ip_ttl;
	} else {
		if (m->m_pkthdr.len > IP_MAXPACKET ||
		    m->m_pkthdr.len < (int)sizeof(struct ip)) {
			m_freem(m);
			return (EINVAL);
		}
		if (m->m_len < (int)sizeof(struct ip) &&
		    (m = m_pullup(m, sizeof(struct ip))) == NULL)
			return (ENOBUFS);
		ip = mtod(m, struct ip *);
		/* The user's header must describe the packet. */
		if ((ip->ip_hl << 2) < (int)sizeof(struct ip) ||
		    (ip->ip_hl << 2) > m->m_len ||
		    ntohs(ip->ip_len) != m->m_pkthdr.len) {
			m_freem(m);
			return (EINVAL);
		}
		flags |= IP_RAWOUTPUT;
	}
	return (ip_output(m, inp->inp_options, &inp->inp_route, flags, NULL,
	    inp));
}

int
rip_ctloutput(struct socket *so, struct sockopt *sopt)
{

	if (sopt->sopt_level != IPPROTO_IP)
		return (ENOPROTOOPT);
	return (ip_ctloutput(so, sopt));
}

static int
rip_attach(struct socket *so, int proto, struct thread *td __unused)
{
	struct inpcb *inp;
	int error, s;

	if (sotoinpcb(so) != NULL)
		return (EINVAL);
	if (proto < 0 || proto >= IPPROTO_MAX)
		return (EPROTONOSUPPORT);
	error = soreserve(so, rip_sendspace, rip_recvspace);
	if (error)
		return (error);
	s = splnet();
	error = in_pcballoc(so, &V_ripcbinfo);
	splx(s);
	if (error)
		return (error);
	inp = sotoinpcb(so);
	inp->inp_ip_p = (u_char)proto;
	inp->inp_ip_ttl = (u_char)V_ip_defttl;
	return (0);
}

static void
rip_pcbfree(struct socket *so)
{
	struct inpcb *inp;
	int s;

	inp = sotoinpcb(so);
	s = splnet();
	in_pcbdetach(inp);
	/* Raw pcbs are never in the hash lists. */
	inp->inp_flags &= ~INP_INHASHLIST;
	in_pcbfree(inp);
	splx(s);
}

static int
rip_detach(struct socket *so)
{

	if (sotoinpcb(so) == NULL)
		return (EINVAL);
	rip_pcbfree(so);
	return (0);
}

static int
rip_abort(struct socket *so)
{

	if (sotoinpcb(so) == NULL)
		return (EINVAL);
	soisdisconnected(so);
	rip_pcbfree(so);
	return (0);
}

static int
rip_disconnect(struct socket *so)
{
	struct inpcb *inp;
	int s;

	if ((so->so_state & SS_ISCONNECTED) == 0)
		return (ENOTCONN);
	/* The input path matches the addresses in the table's section. */
	inp = sotoinpcb(so);
	s = splnet();
	inp->inp_faddr.s_addr = INADDR_ANY;
	splx(s);
	so->so_state &= ~SS_ISCONNECTED;
	return (0);
}

static int
rip_bind(struct socket *so, struct sockaddr *nam, struct thread *td __unused)
{
	struct sockaddr_in *addr;
	struct inpcb *inp;
	int s;

	inp = sotoinpcb(so);
	addr = (struct sockaddr_in *)nam;
	if (nam->sa_len != sizeof(*addr))
		return (EINVAL);
	if (in_ifaddr_none() ||
	    (addr->sin_family != AF_INET && addr->sin_family != AF_UNSPEC) ||
	    (addr->sin_addr.s_addr != INADDR_ANY &&
	    !in_localip(addr->sin_addr)))
		return (EADDRNOTAVAIL);
	s = splnet();
	inp->inp_laddr = addr->sin_addr;
	splx(s);
	return (0);
}

static int
rip_connect(struct socket *so, struct sockaddr *nam,
    struct thread *td __unused)
{
	struct sockaddr_in *addr;
	struct inpcb *inp;
	int s;

	addr = (struct sockaddr_in *)nam;
	if (nam->sa_len != sizeof(*addr))
		return (EINVAL);
	if (in_ifaddr_none())
		return (EADDRNOTAVAIL);
	if (addr->sin_family != AF_INET)
		return (EAFNOSUPPORT);
	inp = sotoinpcb(so);
	s = splnet();
	inp->inp_faddr = addr->sin_addr;
	splx(s);
	soisconnected(so);
	return (0);
}

static int
rip_shutdown(struct socket *so)
{

	socantsendmore(so);
	return (0);
}

static int
rip_send(struct socket *so, int flags __unused, struct mbuf *m,
    struct sockaddr *nam, struct mbuf *control, struct thread *td __unused)
{
	struct inpcb *inp;
	in_addr_t dst;

	inp = sotoinpcb(so);
	if (control != NULL)
		m_freem(control);
	if (so->so_state & SS_ISCONNECTED) {
		if (nam != NULL) {
			m_freem(m);
			return (EISCONN);
		}
		dst = inp->inp_faddr.s_addr;
	} else {
		if (nam == NULL) {
			m_freem(m);
			return (ENOTCONN);
		}
		if (nam->sa_len != sizeof(struct sockaddr_in)) {
			m_freem(m);
			return (EINVAL);
		}
		dst = ((struct sockaddr_in *)nam)->sin_addr.s_addr;
	}
	return (rip_output(m, so, dst));
}

struct pr_usrreqs rip_usrreqs = {
	.pru_abort =		rip_abort,
	.pru_accept =		pru_accept_notsupp,
	.pru_attach =		rip_attach,
	.pru_bind =		rip_bind,
	.pru_connect =		rip_connect,
	.pru_connect2 =		pru_connect2_notsupp,
	.pru_control =		pru_control_notsupp,
	.pru_detach =		rip_detach,
	.pru_disconnect =	rip_disconnect,
	.pru_listen =		pru_listen_notsupp,
	.pru_peeraddr =		in_getpeeraddr,
	.pru_rcvd =		pru_rcvd_notsupp,
	.pru_rcvoob =		pru_rcvoob_notsupp,
	.pru_send =		rip_send,
	.pru_shutdown =		rip_shutdown,
	.pru_sockaddr =		in_getsockaddr,
};
