/*
 * TCP support: control block life cycle, ISN generation (RFC 6528),
 * MSS selection, segment responses (RST and ACK) and ICMP handling.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/socket.h>
#include <sys/socketvar.h>
#include <sys/protosw.h>
#include <sys/errno.h>
#include <machine/atomic.h>

#include <net/if.h>
#include <net/if_var.h>
#include <net/route.h>
#include <net/vnet.h>

#include <netinet/in.h>
#include <netinet/in_systm.h>
#include <netinet/ip.h>
#include <netinet/in_pcb.h>
#include <netinet/ip_var.h>
#include <netinet/ip_icmp.h>
#define	TCPSTATES
#include <netinet/tcp.h>
#include <netinet/tcp_fsm.h>
#include <netinet/tcp_seq.h>
#include <netinet/tcp_timer.h>
#include <netinet/tcp_var.h>
#include <netinet/tcpip.h>

MALLOC_DEFINE(M_TCPCB, "tcpcb", "TCP control blocks");

VNET_DEFINE(struct tcpstat, tcpstat);
VNET_DEFINE(struct inpcbinfo, tcbinfo);
VNET_DEFINE(int, tcp_mssdflt) = TCP_MSS;
VNET_DEFINE(int, tcp_do_rfc1323) = 1;
VNET_DEFINE(int, tcp_do_sack) = 1;
VNET_DEFINE(int, tcp_delack_enabled) = 1;
VNET_DEFINE(int, tcp_sendspace) = 64 * 1024;
VNET_DEFINE(int, tcp_recvspace) = 64 * 1024;
VNET_DEFINE(int, tcp_reass_maxseg) = 1024;	/* segments queued, in all */
VNET_DEFINE(int, tcp_reass_qsize);		/* currently queued */
VNET_DEFINE(int, tcp_ack_limit) = 100;		/* challenge ACKs per second */
VNET_DEFINE(uint8_t, tcp_isn_secret[32]);
VNET_DEFINE(int, tcp_isn_inited);

#define	TCBHASHSIZE	512

/*
 * Called once per stack instance, from domaininit().
 */
void
tcp_init(void)
{

	in_pcbinfo_init(&V_tcbinfo, TCBHASHSIZE, TCBHASHSIZE);
	bzero(&V_tcpstat, sizeof(V_tcpstat));
	V_tcp_isn_inited = 0;
	V_tcp_reass_qsize = 0;
}

/*
 * The next connection tcp_destroy() closes, with a reference on its
 * socket, found in the tables' section; NULL when none is left.
 */
static struct socket *
tcp_destroy_next(void)
{
	struct inpcb *inp;
	struct socket *so;
	int s;

	so = NULL;
	s = splnet();
	LIST_FOREACH(inp, V_tcbinfo.listhead, inp_list)
		if (intotcpcb(inp) != NULL) {
			so = inp->inp_socket;
			soref(so);
			break;
		}
	splx(s);
	return (so);
}

/*
 * Called once per stack instance, from domaindestroy(): close every
 * connection left (no descriptor names them any more) so that no timer
 * outlives the instance.  Each is closed in its own socket's section, in
 * which its timers run, never in the tables' alone.
 */
void
tcp_destroy(void)
{
	struct socket *so;

	while ((so = tcp_destroy_next()) != NULL)
		tcp_closeref(so);
	in_pcbinfo_destroy(&V_tcbinfo);
}

/*
 * The statistics by name, for bsd_stack_counter() ("tcp.<name>") and the
 * netstat -s style report.
 */
#define	TCPSTAT_DESC(name, desc)					\
	{ #name, __offsetof(struct tcpstat, tcps_##name), desc }
static const struct {
	const char	*name;
	size_t		off;
	const char	*desc;
} tcp_statdesc[] = {
	TCPSTAT_DESC(connattempt, "connections initiated"),
	TCPSTAT_DESC(accepts, "connections accepted"),
	TCPSTAT_DESC(connects, "connections established"),
	TCPSTAT_DESC(drops, "connections dropped"),
	TCPSTAT_DESC(conndrops, "embryonic connections dropped"),
	TCPSTAT_DESC(closed, "conn. closed (includes drops)"),
	TCPSTAT_DESC(segstimed, "segs where we tried to get rtt"),
	TCPSTAT_DESC(rttupdated, "times we succeeded"),
	TCPSTAT_DESC(delack, "delayed acks sent"),
	TCPSTAT_DESC(timeoutdrop, "conn. dropped in rxmt timeout"),
	TCPSTAT_DESC(rexmttimeo, "retransmit timeouts"),
	TCPSTAT_DESC(persisttimeo, "persist timeouts"),
	TCPSTAT_DESC(keeptimeo, "keepalive timeouts"),
	TCPSTAT_DESC(keepprobe, "keepalive probes sent"),
	TCPSTAT_DESC(keepdrops, "connections dropped in keepalive"),
	TCPSTAT_DESC(finwait2_drops, "orphaned FIN_WAIT_2 timed out"),
	TCPSTAT_DESC(sndtotal, "total packets sent"),
	TCPSTAT_DESC(sndpack, "data packets sent"),
	TCPSTAT_DESC(sndbyte, "data bytes sent"),
	TCPSTAT_DESC(sndrexmitpack, "data packets retransmitted"),
	TCPSTAT_DESC(sndrexmitbyte, "data bytes retransmitted"),
	TCPSTAT_DESC(sndacks, "ack-only packets sent"),
	TCPSTAT_DESC(sndprobe, "window probes sent"),
	TCPSTAT_DESC(sndwinup, "window update-only packets sent"),
	TCPSTAT_DESC(sndctrl, "control (SYN|FIN|RST) packets sent"),
	TCPSTAT_DESC(sndrst, "RSTs sent"),
	TCPSTAT_DESC(snderrs, "ip_output errors"),
	TCPSTAT_DESC(rcvtotal, "total packets received"),
	TCPSTAT_DESC(rcvpack, "packets received in sequence"),
	TCPSTAT_DESC(rcvbyte, "bytes received in sequence"),
	TCPSTAT_DESC(rcvbadsum, "segments dropped for a bad checksum"),
	TCPSTAT_DESC(rcvbadoff, "packets received with bad offset"),
	TCPSTAT_DESC(rcvbadopt, "packets with malformed options"),
	TCPSTAT_DESC(rcvshort, "packets received too short"),
	TCPSTAT_DESC(rcvduppack, "duplicate-only packets received"),
	TCPSTAT_DESC(rcvdupbyte, "duplicate-only bytes received"),
	TCPSTAT_DESC(rcvpartduppack, "packets with some duplicate data"),
	TCPSTAT_DESC(rcvpartdupbyte, "dup. bytes in part-dup. packets"),
	TCPSTAT_DESC(rcvoopack, "out-of-order packets received"),
	TCPSTAT_DESC(rcvoobyte, "out-of-order bytes received"),
	TCPSTAT_DESC(rcvpackafterwin, "packets with data after window"),
	TCPSTAT_DESC(rcvbyteafterwin, "bytes rcvd after window"),
	TCPSTAT_DESC(rcvafterclose, "packets rcvd after \"close\""),
	TCPSTAT_DESC(rcvwinprobe, "rcvd window probe packets"),
	TCPSTAT_DESC(rcvdupack, "rcvd duplicate acks"),
	TCPSTAT_DESC(rcvacktoomuch, "rcvd acks for unsent data"),
	TCPSTAT_DESC(rcvackpack, "rcvd ack packets"),
	TCPSTAT_DESC(rcvackbyte, "bytes acked by rcvd acks"),
	TCPSTAT_DESC(rcvwinupd, "rcvd window update packets"),
	TCPSTAT_DESC(pawsdrop, "segments dropped due to PAWS"),
	TCPSTAT_DESC(persistdrop, "timeout in persist state"),
	TCPSTAT_DESC(badsyn, "bogus SYN, e.g. premature ACK"),
	TCPSTAT_DESC(listendrop, "listen queue overflows"),
	TCPSTAT_DESC(badrst, "ignored RSTs in the window"),
	TCPSTAT_DESC(rcvrst, "RSTs accepted"),
	TCPSTAT_DESC(noport, "segments for no connection (RST)"),
	TCPSTAT_DESC(challenge_ack, "RFC 5961 challenge ACKs sent"),
	TCPSTAT_DESC(challenge_limit, "challenge ACKs suppressed by rate"),
	TCPSTAT_DESC(rcvmemdrop, "reassembly queue full, dropped"),
	TCPSTAT_DESC(rcvsackblk, "SACK blocks sent"),
	TCPSTAT_DESC(sndfastrexmit, "fast retransmits"),
	TCPSTAT_DESC(fastrecovery, "fast recovery episodes"),
};

/*
 * A counter, read whole: it is bumped by the input path of every
 * interface's thread, which holds nothing a reader could take.
 */
static u_long
tcp_stat_load(size_t i)
{

	return (atomic_load_long((volatile u_long *)(uintptr_t)
	    ((char *)&V_tcpstat + tcp_statdesc[i].off)));
}

/* The counter "name" (without the "tcp." prefix): 0, or ENOENT. */
int
tcp_stat_get(const char *name, u_long *valuep)
{
	size_t i;

	for (i = 0; i < nitems(tcp_statdesc); i++) {
		if (strcmp(name, tcp_statdesc[i].name) == 0) {
			*valuep = tcp_stat_load(i);
			return (0);
		}
	}
	return (ENOENT);
}

/*
 * Format the statistics, netstat -s style, into buf; returns the length
 * the whole report needs (as snprintf does).
 */
size_t
tcp_stat_format(char *buf, size_t len)
{
	size_t i, need = 0;
	int n;

	n = snprintf(buf, len, "tcp:\n");
	need += n > 0 ? (size_t)n : 0;
	for (i = 0; i < nitems(tcp_statdesc); i++) {
		n = snprintf(need < len ? buf + need : NULL,
		    need < len ? len - need : 0, "\t%lu %s (%s)\n",
		    tcp_stat_load(i),
		    tcp_statdesc[i].desc, tcp_statdesc[i].name);
		need += n > 0 ? (size_t)n : 0;
	}
	return (need);
}

const char *
tcp_state_name(int state)
{

	if (state < 0 || state >= TCP_NSTATES)
		return ("?");
	return (tcpstates[state]);
}

void
tcp_state_change(struct tcpcb *tp, int newstate)
{

	tp->t_state = newstate;
}

/*
 * Timestamp clock: milliseconds of kernel time (RFC 7323 allows 1 ms
 * to 1 s per tick).
 */
uint32_t
tcp_ts_getticks(void)
{

	return ((uint32_t)ticks);
}

/*
 * SipHash-2-4 over the connection identifiers keyed by the per-instance
 * secret: the F() of RFC 6528.
 */
#define	ROTL64(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))
#define	SIPROUND(v0, v1, v2, v3) do {					\
	v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32);	\
	v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32);	\
} while (0)

static uint64_t
tcp_siphash(const uint8_t key[16], const uint8_t *data, size_t len)
{
	uint64_t k0, k1, v0, v1, v2, v3, b, mword;
	size_t i, j;

	k0 = k1 = 0;
	for (i = 0; i < 8; i++) {
		k0 |= (uint64_t)key[i] << (8 * i);
		k1 |= (uint64_t)key[8 + i] << (8 * i);
	}
	v0 = k0 ^ 0x736f6d6570736575ULL;
	v1 = k1 ^ 0x646f72616e646f6dULL;
	v2 = k0 ^ 0x6c7967656e657261ULL;
	v3 = k1 ^ 0x7465646279746573ULL;
	b = (uint64_t)len << 56;
	for (i = 0; i + 8 <= len; i += 8) {
		mword = 0;
		for (j = 0; j < 8; j++)
			mword |= (uint64_t)data[i + j] << (8 * j);
		v3 ^= mword;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= mword;
	}
	for (j = 0; i + j < len; j++)
		b |= (uint64_t)data[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (i = 0; i < 4; i++)
		SIPROUND(v0, v1, v2, v3);
	return (v0 ^ v1 ^ v2 ^ v3);
}

/*
 * RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secret)
 * where M is a clock ticking every 4 microseconds.  Kernel time has
 * millisecond resolution, so M advances by 250 per tick.
 */
tcp_seq
tcp_new_isn(struct inpcb *inp)
{
	uint8_t buf[12];
	uint32_t f;
	int i;

	if (!V_tcp_isn_inited) {
		for (i = 0; i < (int)sizeof(V_tcp_isn_secret); i += 4) {
			uint32_t r = arc4random();
			bcopy(&r, &V_tcp_isn_secret[i], 4);
		}
		V_tcp_isn_inited = 1;
	}
	bcopy(&inp->inp_laddr, &buf[0], 4);
	bcopy(&inp->inp_lport, &buf[4], 2);
	bcopy(&inp->inp_faddr, &buf[6], 4);
	bcopy(&inp->inp_fport, &buf[10], 2);
	f = (uint32_t)tcp_siphash(V_tcp_isn_secret, buf, sizeof(buf));
	return (f + (uint32_t)ticks * 250);
}

/*
 * Allocate a control block for a new connection and hang it off the
 * internet pcb.
 */
struct tcpcb *
tcp_newtcpcb(struct inpcb *inp)
{
	struct tcpcb *tp;

	tp = malloc(sizeof(*tp), M_TCPCB, M_NOWAIT | M_ZERO);
	if (tp == NULL)
		return (NULL);
	TAILQ_INIT(&tp->t_segq);
	tp->t_inpcb = inp;
	tp->t_vnet = curvnet;
	tp->t_maxseg = tp->t_maxopd = V_tcp_mssdflt;
	if (V_tcp_do_rfc1323)
		tp->t_flags = TF_REQ_SCALE | TF_REQ_TSTMP;
	tcp_timer_init(tp);
	/*
	 * No RTT sample yet: srtt 0 and rttvar such that the RTO is
	 * TCPTV_RTOBASE (RFC 6298 2.1).
	 */
	tp->t_srtt = TCPTV_SRTTBASE;
	tp->t_rttvar = TCPTV_RTOBASE - TCPTV_SRTTBASE;
	tp->t_rttmin = TCPTV_MIN;
	tp->t_rxtcur = TCPTV_RTOBASE;
	tp->snd_cwnd = TCP_MAXWIN << TCP_MAX_WINSHIFT;
	tp->snd_ssthresh = TCP_MAXWIN << TCP_MAX_WINSHIFT;
	tp->t_rcvtime = ticks;
	tp->t_keepidle = TCPTV_KEEP_IDLE;
	tp->t_keepintvl = TCPTV_KEEPINTVL;
	tp->t_keepcntmax = TCPTV_KEEPCNT;
	tp->ts_offset = arc4random();
	inp->inp_ip_ttl = IPDEFTTL;
	inp->inp_ppcb = (caddr_t)tp;
	return (tp);
}

/*
 * Abort tp: past the SYN, go CLOSED and let tcp_output() send the RST;
 * set so_error (a timeout reports a pending soft error), tcp_close().
 */
struct tcpcb *
tcp_drop(struct tcpcb *tp, int error)
{
	struct socket *so = tp->t_inpcb->inp_socket;

	if (TCPS_HAVERCVDSYN(tp->t_state)) {
		tcp_state_change(tp, TCPS_CLOSED);
		(void)tcp_output(tp);
		TCPSTAT_INC(tcps_drops);
	} else
		TCPSTAT_INC(tcps_conndrops);
	if (error == ETIMEDOUT && tp->t_softerror)
		error = tp->t_softerror;
	so->so_error = error;
	return (tcp_close(tp));
}

/*
 * Free the reassembly queue and the timers of a control block, then the
 * block itself.
 */
void
tcp_discardcb(struct tcpcb *tp)
{

	tcp_timer_stop_all(tp);
	tcp_reass_flush(tp);
	tp->t_inpcb->inp_ppcb = NULL;
	free(tp, M_TCPCB);
}

/*
 * Tear down a connection: free its tcpcb (timers, reassembly queue) and
 * inpcb, mark the socket disconnected so waiters wake, and free the
 * socket when no descriptor holds it (soabort frees an aborted one).
 * Returns NULL.
 */
struct tcpcb *
tcp_close(struct tcpcb *tp)
{
	struct inpcb *inp = tp->t_inpcb;
	struct socket *so = inp->inp_socket;
	int aborting = (tp->t_flags & TF_ABORTING) != 0;

	tcp_discardcb(tp);
	soisdisconnected(so);
	in_pcbdetach(inp);
	in_pcbfree(inp);
	TCPSTAT_INC(tcps_closed);
	if (!aborting)
		sofree(so);
	return (NULL);
}

/*
 * tcp_close() and tcp_drop() for the paths that hold the socket's section
 * but not the tables' (the input path, ICMP errors): the connection leaves
 * the tables (in_pcbdetach), so the tables' section is around it, nested
 * in the socket's as TCP's user requests nest theirs.  The caller holds a
 * reference on the socket, so the close never frees it under its section.
 */
struct tcpcb *
tcp_closeconn(struct tcpcb *tp)
{
	int s;

	s = splnet();
	tp = tcp_close(tp);
	splx(s);
	return (tp);
}

struct tcpcb *
tcp_dropconn(struct tcpcb *tp, int error)
{
	int s;

	s = splnet();
	tp = tcp_drop(tp, error);
	splx(s);
	return (tp);
}

/*
 * Close the connection of a socket the caller holds a reference on, in
 * the socket's own section, and drop that reference: an embryonic
 * connection its listener gave up on (taken off the queue in the
 * listener's section; two sockets' sections are never nested), or one
 * the instance's teardown finds.  A connection closed meanwhile is left
 * as it is.
 */
void
tcp_closeref(struct socket *so)
{
	struct inpcb *inp;
	int last, s;

	s = splnet();
	inp = sotoinpcb(so);
	if (inp != NULL && intotcpcb(inp) != NULL)
		(void)tcp_closeconn(intotcpcb(inp));
	last = sorele(so);
	splx(s);
	if (last)
		sofree(so);
}

/*
 * Free reassembly queues under memory pressure.
 */
void
tcp_drain(void)
{
	struct inpcb *inp;
	struct tcpcb *tp;

	LIST_FOREACH(inp, V_tcbinfo.listhead, inp_list) {
		if ((tp = intotcpcb(inp)) != NULL)
			tcp_reass_flush(tp);
	}
}

/*
 * Checksum of the TCP segment at offset off in m, len bytes long,
 * including the pseudo header.  Returns 0 for a correct checksum when
 * th_sum is included.
 */
u_short
tcp_cksum(struct mbuf *m, int off, int len, struct in_addr src,
    struct in_addr dst)
{
	uint32_t sum;
	const uint8_t *p;
	int mlen, odd;
	uint8_t last;

	sum = (src.s_addr >> 16) + (src.s_addr & 0xffff) +
	    (dst.s_addr >> 16) + (dst.s_addr & 0xffff) +
	    htons(IPPROTO_TCP) + htons((u_short)len);
	odd = 0;
	last = 0;
	for (; m != NULL && len > 0; m = m->m_next) {
		if (off >= m->m_len) {
			off -= m->m_len;
			continue;
		}
		p = mtod(m, const uint8_t *) + off;
		mlen = min(m->m_len - off, len);
		off = 0;
		len -= mlen;
		if (odd && mlen > 0) {
			uint8_t b[2] = { last, *p };
			uint16_t w;

			bcopy(b, &w, 2);
			sum += w;
			p++;
			mlen--;
			odd = 0;
		}
		for (; mlen >= 2; mlen -= 2, p += 2) {
			uint16_t w;

			bcopy(p, &w, 2);
			sum += w;
		}
		if (mlen == 1) {
			last = *p;
			odd = 1;
		}
	}
	if (odd) {
		uint8_t b[2] = { last, 0 };
		uint16_t w;

		bcopy(b, &w, 2);
		sum += w;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ((u_short)~sum);
}

/*
 * Fill in the IP and TCP headers of an outgoing segment (m starts with
 * room for both) and hand it to ip_output.
 */
int
tcp_ip_output(struct inpcb *inp, struct mbuf *m, struct in_addr src,
    struct in_addr dst, u_short sport, u_short dport, int tcplen)
{
	struct ip *ip;
	struct tcphdr *th;

	ip = mtod(m, struct ip *);
	th = (struct tcphdr *)(ip + 1);
	bzero(ip, sizeof(*ip));
	ip->ip_v = IPVERSION;
	ip->ip_hl = sizeof(*ip) >> 2;
	ip->ip_p = IPPROTO_TCP;
	ip->ip_src = src;
	ip->ip_dst = dst;
	ip->ip_ttl = inp != NULL ? inp->inp_ip_ttl : IPDEFTTL;
	ip->ip_tos = inp != NULL ? inp->inp_ip_tos : 0;
	ip->ip_len = htons((u_short)(sizeof(*ip) + tcplen));
	ip->ip_off = htons(IP_DF);
	th->th_sport = sport;
	th->th_dport = dport;
	th->th_sum = 0;
	th->th_sum = tcp_cksum(m, sizeof(*ip), tcplen, src, dst);
	m->m_pkthdr.len = sizeof(*ip) + tcplen;
	m->m_pkthdr.rcvif = NULL;
	/* A connection keeps its route in its pcb (inp_route). */
	return (ip_output(m, NULL, inp != NULL ? &inp->inp_route : NULL, 0,
	    NULL, inp));
}

/*
 * Send a control segment (RST or ACK) that is not part of the normal
 * output flow.  The addresses come from the segment being answered (ip,
 * th, with source and destination swapped) or, when ip is NULL, from the
 * connection.  The mbuf of the segment being answered, if any, is freed.
 */
void
tcp_respond(struct tcpcb *tp, struct ip *ip, struct tcphdr *th,
    struct mbuf *m0, tcp_seq ack, tcp_seq seq, int flags)
{
	struct inpcb *inp = tp != NULL ? tp->t_inpcb : NULL;
	struct in_addr src, dst;
	u_short sport, dport;
	struct tcphdr *nth;
	struct mbuf *m;
	u_long win = 0;
	int tlen, optlen = 0;
	u_char *optp;

	if (ip != NULL) {
		src = ip->ip_dst;
		dst = ip->ip_src;
		sport = th->th_dport;
		dport = th->th_sport;
	} else {
		src = inp->inp_laddr;
		dst = inp->inp_faddr;
		sport = inp->inp_lport;
		dport = inp->inp_fport;
	}
	if (m0 != NULL)
		m_freem(m0);
	if (tp != NULL && !(flags & TH_RST)) {
		win = sbspace(&inp->inp_socket->so_rcv);
		if (win > (u_long)TCP_MAXWIN << tp->rcv_scale)
			win = (u_long)TCP_MAXWIN << tp->rcv_scale;
	}
	m = m_gethdr(M_NOWAIT, MT_DATA);
	if (m == NULL)
		return;
	m->m_data += max_linkhdr;
	nth = (struct tcphdr *)(mtod(m, struct ip *) + 1);
	optp = (u_char *)(nth + 1);
	/* Timestamps on ACKs of a connection that negotiated them. */
	if (tp != NULL && !(flags & TH_RST) &&
	    (tp->t_flags & (TF_REQ_TSTMP | TF_RCVD_TSTMP | TF_NOOPT)) ==
	    (TF_REQ_TSTMP | TF_RCVD_TSTMP)) {
		struct tcpopt to;

		bzero(&to, sizeof(to));
		to.to_flags = TOF_TS;
		to.to_tsval = tcp_ts_getticks() + tp->ts_offset;
		to.to_tsecr = tp->ts_recent;
		optlen = tcp_addoptions(tp, &to, optp, MAX_TCPOPTLEN);
	}
	tlen = sizeof(struct tcphdr) + optlen;
	m->m_len = sizeof(struct ip) + tlen;
	bzero(nth, sizeof(*nth));
	nth->th_seq = htonl(seq);
	nth->th_ack = htonl(ack);
	TH_SETOFF(nth, tlen >> 2);
	nth->th_flags = flags;
	if (tp != NULL)
		nth->th_win = htons((u_short)(win >> tp->rcv_scale));
	if (flags & TH_RST)
		TCPSTAT_INC(tcps_sndrst);
	TCPSTAT_INC(tcps_sndtotal);
	(void)tcp_ip_output(inp, m, src, dst, sport, dport, tlen);
}

/*
 * MTU of the path to faddr: the route's MTU metric, or its interface's.
 */
static int
tcp_maxmtu(struct in_addr faddr)
{
	struct sockaddr_in sin;
	struct rtentry *rt;
	int mtu = 0;

	bzero(&sin, sizeof(sin));
	sin.sin_len = sizeof(sin);
	sin.sin_family = AF_INET;
	sin.sin_addr = faddr;
	rt = rtalloc1((struct sockaddr *)&sin, 0, 0);
	if (rt == NULL)
		return (0);
	if (rt->rt_rmx.rmx_mtu != 0)
		mtu = (int)rt->rt_rmx.rmx_mtu;
	else if (rt->rt_ifp != NULL)
		mtu = (int)rt->rt_ifp->if_mtu;
	RTFREE(rt);
	return (mtu);
}

/*
 * Our MSS option value: the interface MTU of the route to the peer less
 * the headers.
 */
int
tcp_mssopt(struct tcpcb *tp)
{
	struct inpcb *inp = tp->t_inpcb;
	int mss;

	mss = tcp_maxmtu(inp->inp_faddr) - (int)sizeof(struct tcpiphdr);
	if (mss < TCP_MINMSS)
		mss = V_tcp_mssdflt;
	return (mss);
}

/*
 * Set the send MSS from the peer's offer (0 when it sent none, meaning
 * 536 per RFC 9293 3.7.1) and our interface MTU; size the buffers and
 * the initial congestion window (RFC 5681 3.1).
 */
void
tcp_mss(struct tcpcb *tp, int offer)
{
	int mss;

	mss = tcp_mssopt(tp);
	if (offer == 0)
		offer = TCP_MSS;
	if (offer < TCP_MINMSS)
		offer = TCP_MINMSS;
	mss = min(mss, offer);
	tp->t_maxopd = mss;
	if ((tp->t_flags & (TF_REQ_TSTMP | TF_RCVD_TSTMP | TF_NOOPT)) ==
	    (TF_REQ_TSTMP | TF_RCVD_TSTMP))
		mss -= TCPOLEN_TSTAMP_APPA;
	tp->t_maxseg = mss;
	if (mss > 2190)
		tp->snd_cwnd = 2 * mss;
	else if (mss > 1095)
		tp->snd_cwnd = 3 * mss;
	else
		tp->snd_cwnd = 4 * mss;
}

/*
 * ICMP errors for TCP (RFC 5927 / RFC 9293 3.9.3): soft errors are
 * remembered and reported only if the connection times out; a port or
 * protocol unreachable during connection setup aborts it.
 */
void
tcp_ctlinput(int cmd, struct sockaddr *sa, void *vip)
{
	struct ip *ip = vip;
	struct tcphdr th;
	struct inpcb *inp;
	struct tcpcb *tp;
	struct socket *so;
	struct in_addr faddr;
	tcp_seq seq;
	int last, s;

	if (sa == NULL || sa->sa_family != AF_INET ||
	    sa->sa_len != sizeof(struct sockaddr_in))
		return;
	faddr = ((struct sockaddr_in *)sa)->sin_addr;
	if (faddr.s_addr == INADDR_ANY || cmd < 0 || cmd >= PRC_NCMDS)
		return;
	if (ip == NULL)
		return;		/* no per-connection information */
	/* The quoted header carries at least 8 bytes of TCP header. */
	bcopy((caddr_t)ip + (ip->ip_hl << 2), &th, 8);
	/* As the input path: the socket with a reference, then its section. */
	so = in_pcblookup_socket(&V_tcbinfo, faddr, th.th_dport, ip->ip_src,
	    th.th_sport, 0, NULL);
	if (so == NULL)
		return;
	s = splnet();
	inp = sotoinpcb(so);
	if (inp == NULL || (tp = intotcpcb(inp)) == NULL)
		goto out;
	seq = ntohl(th.th_seq);
	if (SEQ_LT(seq, tp->snd_una) || SEQ_GT(seq, tp->snd_max))
		goto out;	/* not for a segment in flight: forged */
	switch (cmd) {
	case PRC_UNREACH_PORT:
	case PRC_UNREACH_PROTOCOL:
	case PRC_UNREACH_ADMIN_PROHIB:
		if (tp->t_state == TCPS_SYN_SENT) {
			(void)tcp_dropconn(tp, ECONNREFUSED);
			goto out;
		}
		tp->t_softerror = ECONNREFUSED;
		break;
	case PRC_UNREACH_NET:
	case PRC_UNREACH_HOST:
	case PRC_HOSTDEAD:
	case PRC_HOSTUNREACH:
		tp->t_softerror = cmd == PRC_UNREACH_NET ? ENETUNREACH :
		    EHOSTUNREACH;
		break;
	case PRC_MSGSIZE:
		/* Path MTU discovery is not done: shrink to the default. */
		if (tp->t_maxseg > V_tcp_mssdflt) {
			tp->t_maxseg = V_tcp_mssdflt;
			tp->snd_nxt = tp->snd_una;
			(void)tcp_output(tp);
		}
		break;
	default:
		break;
	}
out:
	last = sorele(so);
	splx(s);
	if (last)
		sofree(so);
}
