/*
 * TCP input: the "segment arrives" processing of RFC 9293 3.10.7, with
 * the RFC 5961 protections against blind RST, SYN and ACK injection,
 * RFC 7323 timestamps and PAWS, RFC 6298 RTT estimation and RFC 5681 /
 * RFC 6582 (NewReno) congestion control.
 *
 * Called from ip_input through the protosw.  The connection is found in
 * the tables' section with a reference on its socket (in_pcblookup_socket),
 * then looked at and changed in the socket's section, as TCP's user
 * requests are (the socket layer calls them in its section); the tables'
 * section nests in it where a connection joins or leaves the tables.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/mbuf.h>
#include <sys/socket.h>
#include <sys/socketvar.h>
#include <sys/protosw.h>
#include <sys/errno.h>

#include <net/if.h>
#include <net/if_var.h>
#include <net/vnet.h>

#include <netinet/in.h>
#include <netinet/in_systm.h>
#include <netinet/ip.h>
#include <netinet/in_pcb.h>
#include <netinet/ip_var.h>
#include <netinet/tcp.h>
#include <netinet/tcp_fsm.h>
#include <netinet/tcp_seq.h>
#include <netinet/tcp_timer.h>
#include <netinet/tcp_var.h>
#include <netinet/tcpip.h>

#define	TCP_PAWS_IDLE	(24 * 24 * 60 * 60 * hz)	/* RFC 7323 5.5 */
#define	TCP_MININCQ	16		/* embryonic connections allowed */

/* Completed connections a listener queues: 3/2 of listen()'s backlog. */
static int
tcp_backlog(const struct soqinfo *qi)
{

	return (imax(3 * qi->sqi_qlimit / 2, 1));
}

/*
 * Parse the options of a segment.  Options that only make sense on a SYN
 * are ignored elsewhere.  Returns -1 for a malformed option list (a
 * length that is zero, runs past the header, or is wrong for a known
 * option).
 */
int
tcp_dooptions(struct tcpopt *to, u_char *cp, int cnt, int is_syn)
{
	int opt, optlen;
	uint32_t v;
	uint16_t mss;

	to->to_flags = 0;
	for (; cnt > 0; cnt -= optlen, cp += optlen) {
		opt = cp[0];
		if (opt == TCPOPT_EOL)
			break;
		if (opt == TCPOPT_NOP) {
			optlen = 1;
			continue;
		}
		if (cnt < 2)
			return (-1);
		optlen = cp[1];
		if (optlen < 2 || optlen > cnt)
			return (-1);
		switch (opt) {
		case TCPOPT_MAXSEG:
			if (optlen != TCPOLEN_MAXSEG)
				return (-1);
			if (!is_syn)
				break;
			bcopy(cp + 2, &mss, 2);
			to->to_mss = ntohs(mss);
			to->to_flags |= TOF_MSS;
			break;
		case TCPOPT_WINDOW:
			if (optlen != TCPOLEN_WINDOW)
				return (-1);
			if (!is_syn)
				break;
			to->to_wscale = imin(cp[2], TCP_MAX_WINSHIFT);
			to->to_flags |= TOF_SCALE;
			break;
		case TCPOPT_SACK_PERMITTED:
			if (optlen != TCPOLEN_SACK_PERMITTED)
				return (-1);
			if (is_syn)
				to->to_flags |= TOF_SACKPERM;
			break;
		case TCPOPT_TIMESTAMP:
			if (optlen != TCPOLEN_TIMESTAMP)
				return (-1);
			bcopy(cp + 2, &v, 4);
			to->to_tsval = ntohl(v);
			bcopy(cp + 6, &v, 4);
			to->to_tsecr = ntohl(v);
			to->to_flags |= TOF_TS;
			break;
		case TCPOPT_SACK:
			if (optlen <= 2 || (optlen - 2) % TCPOLEN_SACK != 0)
				return (-1);
			if (is_syn)
				break;
			to->to_nsacks = (optlen - 2) / TCPOLEN_SACK;
			to->to_sacks = cp + 2;
			to->to_flags |= TOF_SACK;
			break;
		default:
			break;		/* unknown options are skipped */
		}
	}
	return (0);
}

/*
 * Take an RTT sample (in ticks) into the estimators (RFC 6298 2.2-2.3).
 * t_srtt holds 8 * SRTT and t_rttvar holds 4 * RTTVAR.
 */
void
tcp_xmit_timer(struct tcpcb *tp, int rtt)
{
	int delta;

	TCPSTAT_INC(tcps_rttupdated);
	tp->t_rttupdated++;
	if (rtt < 1)
		rtt = 1;
	if (tp->t_srtt != 0) {
		/* delta = R - SRTT, in 1/8 ticks */
		delta = (rtt << TCP_RTT_SHIFT) - tp->t_srtt;
		/* RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R| */
		tp->t_rttvar += (abs_int(delta) >> TCP_RTT_SHIFT) -
		    (tp->t_rttvar >> 2);
		if (tp->t_rttvar < 1)
			tp->t_rttvar = 1;
		/* SRTT = 7/8 SRTT + 1/8 R */
		tp->t_srtt += delta >> TCP_RTT_SHIFT;
		if (tp->t_srtt < 1)
			tp->t_srtt = 1;
	} else {
		tp->t_srtt = rtt << TCP_RTT_SHIFT;
		tp->t_rttvar = rtt << 1;	/* 4 * R/2 */
	}
	tp->t_rtttime = 0;
	tp->t_rxtshift = 0;
	TCPT_RANGESET(tp->t_rxtcur, TCP_REXMTVAL(tp), tp->t_rttmin,
	    TCPTV_REXMTMAX);
	tp->t_softerror = 0;
}

/*
 * RFC 5961 challenge ACK: tell the sender where we are, so that a
 * genuine peer can recover, without acting on the suspicious segment.
 * Rate limited per connection.
 */
void
tcp_challenge_ack(struct tcpcb *tp)
{

	if (ticks - tp->t_challenge_time >= hz) {
		tp->t_challenge_time = ticks;
		tp->t_challenge_cnt = 0;
	}
	if (tp->t_challenge_cnt >= V_tcp_ack_limit) {
		TCPSTAT_INC(tcps_challenge_limit);
		return;
	}
	tp->t_challenge_cnt++;
	TCPSTAT_INC(tcps_challenge_ack);
	tcp_respond(tp, NULL, NULL, NULL, tp->rcv_nxt, tp->snd_nxt, TH_ACK);
}

/*
 * Enter TIME_WAIT: wait 2 MSL for stray segments of this connection.
 */
void
tcp_twstart(struct tcpcb *tp)
{

	tcp_state_change(tp, TCPS_TIME_WAIT);
	tcp_timer_stop_all(tp);
	tcp_reass_flush(tp);
	tcp_timer_activate(tp, TCPT_2MSL, 2 * TCPTV_MSL);
	soisdisconnected(tp->t_inpcb->inp_socket);
}

/*
 * Apply the options of a SYN or SYN|ACK to a connection being set up.
 */
static void
tcp_syn_options(struct tcpcb *tp, struct tcpopt *to)
{

	if ((to->to_flags & TOF_SCALE) && (tp->t_flags & TF_REQ_SCALE)) {
		tp->t_flags |= TF_RCVD_SCALE;
		tp->requested_s_scale = to->to_wscale;
		tp->snd_scale = tp->requested_s_scale;
		tp->rcv_scale = tp->request_r_scale;
	} else {
		tp->t_flags &= ~TF_REQ_SCALE;
		tp->snd_scale = tp->rcv_scale = 0;
	}
	if ((to->to_flags & TOF_TS) && (tp->t_flags & TF_REQ_TSTMP)) {
		tp->t_flags |= TF_RCVD_TSTMP;
		tp->ts_recent = to->to_tsval;
		tp->ts_recent_age = ticks;
	} else
		tp->t_flags &= ~TF_REQ_TSTMP;
	if ((to->to_flags & TOF_SACKPERM) && V_tcp_do_sack &&
	    !(tp->t_flags & TF_NOOPT))
		tp->t_flags |= TF_SACK_PERMIT;
	tcp_mss(tp, (to->to_flags & TOF_MSS) ? to->to_mss : 0);
}

/*
 * NewReno partial ACK in fast recovery (RFC 6582 3.2 step 5):
 * retransmit the next unacknowledged segment and deflate cwnd by the
 * amount acknowledged, adding back one segment.
 */
static void
tcp_newreno_partial_ack(struct tcpcb *tp, tcp_seq ack)
{
	tcp_seq onxt = tp->snd_nxt;
	u_long ocwnd = tp->snd_cwnd;
	u_long acked = ack - tp->snd_una;

	tcp_timer_activate(tp, TCPT_REXMT, 0);
	tp->t_rtttime = 0;
	tp->snd_nxt = ack;
	tp->snd_cwnd = tp->t_maxseg + (ack - tp->snd_una);
	tp->t_flags |= TF_ACKNOW;
	(void)tcp_output(tp);
	tp->snd_cwnd = ocwnd;
	if (SEQ_GT(onxt, tp->snd_nxt))
		tp->snd_nxt = onxt;
	if (tp->snd_cwnd > acked)
		tp->snd_cwnd -= acked;
	else
		tp->snd_cwnd = 0;
	tp->snd_cwnd += tp->t_maxseg;
}

/*
 * Answer a segment that belongs to no connection (or that a connection
 * refuses) with a RST, unless it is one (RFC 9293 3.10.7.1).  ip and th
 * are copies of the segment's headers; seq and tlen its sequence number
 * and data length before any trimming; m, the rest of it, is freed.
 */
static void
tcp_dropwithreset(struct mbuf *m, struct ip *ip, struct tcphdr *th,
    int thflags, tcp_seq seq, tcp_seq ack, int tlen)
{
	struct ifnet *ifp;

	ifp = m->m_pkthdr.rcvif;
	m_freem(m);
	if (thflags & TH_RST)
		return;
	/* Never a RST to or from a broadcast address. */
	if (in_broadcast(ip->ip_dst, ifp) || in_broadcast(ip->ip_src, ifp))
		return;
	if (thflags & TH_ACK)
		tcp_respond(NULL, ip, th, NULL, 0, ack, TH_RST);
	else {
		if (thflags & TH_SYN)
			tlen++;
		if (thflags & TH_FIN)
			tlen++;
		tcp_respond(NULL, ip, th, NULL, seq + tlen, 0,
		    TH_RST | TH_ACK);
	}
}

/*
 * A new connection of a listener joins the tables with its addresses, in
 * the tables' section.  Nonzero when they are in use.
 */
static int
tcp_listen_connect(struct inpcb *inp, struct sockaddr_in *sin,
    struct ucred *cred)
{
	int error, s;

	s = splnet();
	error = in_pcbinshash(inp);
	if (error == 0)
		error = in_pcbconnect(inp, (struct sockaddr *)sin, cred);
	splx(s);
	return (error);
}

/*
 * Start a connection a listener's SYN made: its keepalive timer and its
 * SYN-ACK, in its own section once the listener's is left.  Its timers
 * run in its own section, so they are armed in one too, never in the
 * listener's alone; the listener's section took the reference dropped
 * here.  A connection closed meanwhile (its listener went away) is left
 * as it is.
 */
static void
tcp_start_passive(struct socket *so)
{
	struct inpcb *inp;
	struct tcpcb *tp;
	int last, s;

	s = splnet();
	inp = sotoinpcb(so);
	if (inp != NULL && (tp = intotcpcb(inp)) != NULL &&
	    tp->t_state == TCPS_SYN_RECEIVED) {
		tcp_timer_activate(tp, TCPT_KEEP, TCPTV_KEEP_INIT);
		(void)tcp_output(tp);
	}
	last = sorele(so);
	splx(s);
	if (last)
		sofree(so);
}

void
tcp_input(struct mbuf *m, int off0)
{
	struct ip *ip, ipsave;
	struct tcphdr *th, thsave;
	struct inpcb *inp;
	struct tcpcb *tp = NULL;
	struct socket *so, *sp = NULL, *sp2 = NULL, *sn = NULL;
	struct tcpopt to;
	struct soqinfo qi;
	struct ifnet *ifp;
	u_char *optp = NULL;
	int optlen = 0, off, tlen, otlen, thflags, todrop, acked;
	int ourfinisacked, needoutput = 0, win, s, last, reset = 0;
	tcp_seq seq, ack, oseq;
	u_long tiwin;

	TCPSTAT_INC(tcps_rcvtotal);
	ifp = m->m_pkthdr.rcvif;

	/* Headers: IP, then a TCP header whose offset and sum we check. */
	if (off0 < (int)sizeof(struct ip) ||
	    m->m_pkthdr.len < off0 + (int)sizeof(struct tcphdr)) {
		TCPSTAT_INC(tcps_rcvshort);
		goto badseg;
	}
	if (m->m_len < off0 + (int)sizeof(struct tcphdr) &&
	    (m = m_pullup(m, off0 + sizeof(struct tcphdr))) == NULL) {
		TCPSTAT_INC(tcps_rcvshort);
		return;
	}
	ip = mtod(m, struct ip *);
	th = (struct tcphdr *)((caddr_t)ip + off0);
	tlen = m->m_pkthdr.len - off0;
	if (tcp_cksum(m, off0, tlen, ip->ip_src, ip->ip_dst) != 0) {
		TCPSTAT_INC(tcps_rcvbadsum);
		goto badseg;
	}
	off = TH_OFF(th) << 2;
	if (off < (int)sizeof(struct tcphdr) || off > tlen) {
		TCPSTAT_INC(tcps_rcvbadoff);
		goto badseg;
	}
	tlen -= off;
	if (off > (int)sizeof(struct tcphdr)) {
		if (m->m_len < off0 + off) {
			if ((m = m_pullup(m, off0 + off)) == NULL) {
				TCPSTAT_INC(tcps_rcvshort);
				return;
			}
			ip = mtod(m, struct ip *);
			th = (struct tcphdr *)((caddr_t)ip + off0);
		}
		optlen = off - (int)sizeof(struct tcphdr);
		optp = (u_char *)(th + 1);
	}
	thflags = th->th_flags;

	/*
	 * TCP is unicast only (RFC 1122 4.2.3.10).  A subnet's broadcast
	 * address takes a walk of the interface's addresses to tell: only a
	 * SYN needs it, as only a SYN can open a connection, and no
	 * connection has a broadcast address at either end.  A segment that
	 * belongs to none is answered only after the same test
	 * (tcp_dropwithreset).
	 */
	if ((m->m_flags & (M_BCAST | M_MCAST)) ||
	    IN_MULTICAST(ntohl(ip->ip_dst.s_addr)) ||
	    IN_MULTICAST(ntohl(ip->ip_src.s_addr)) ||
	    ip->ip_src.s_addr == htonl(INADDR_BROADCAST) ||
	    ip->ip_src.s_addr == htonl(INADDR_ANY) ||
	    ((th->th_flags & TH_SYN) && (in_broadcast(ip->ip_dst, ifp) ||
	    in_broadcast(ip->ip_src, ifp))))
		goto badseg;

	bzero(&to, sizeof(to));
	if (tcp_dooptions(&to, optp, optlen, thflags & TH_SYN) != 0) {
		TCPSTAT_INC(tcps_rcvbadopt);
		goto badseg;
	}
	seq = ntohl(th->th_seq);
	ack = ntohl(th->th_ack);
	tiwin = ntohs(th->th_win);
	oseq = seq;
	otlen = tlen;

	/*
	 * Keep the headers for the replies, and leave only the data in m
	 * (RST and ACK replies are built from scratch).
	 */
	bcopy(ip, &ipsave, sizeof(ipsave));
	bcopy(th, &thsave, sizeof(thsave));
	if (to.to_flags & TOF_SACK)
		to.to_flags &= ~TOF_SACK;	/* points into m: not kept */
	m_adj(m, off0 + off);

	/*
	 * The connection's socket, with a reference that keeps it once out
	 * of the tables; then its section, which the connection may have
	 * left meanwhile (no pcb or no tcpcb: as if never found).
	 */
	so = in_pcblookup_socket(&V_tcbinfo, ipsave.ip_src, thsave.th_sport,
	    ipsave.ip_dst, thsave.th_dport, INPLOOKUP_WILDCARD, ifp);
	if (so == NULL) {
		TCPSTAT_INC(tcps_noport);
		tcp_dropwithreset(m, &ipsave, &thsave, thflags, oseq, ack,
		    otlen);
		return;
	}
	s = splnet();
	inp = sotoinpcb(so);
	if (inp == NULL || (tp = intotcpcb(inp)) == NULL) {
		TCPSTAT_INC(tcps_noport);
		goto dropwithreset;
	}
	if (tp->t_state == TCPS_CLOSED)
		goto drop;

	/*
	 * LISTEN (RFC 9293 3.10.7.2): a SYN creates a new connection on the
	 * listen queue; when the queue is full the SYN is dropped silently
	 * and the peer retries.
	 */
	if (tp->t_state == TCPS_LISTEN) {
		struct socket *so2;
		struct inpcb *inp2;
		struct tcpcb *tp2;
		struct sockaddr_in sin;

		if (thflags & TH_RST)
			goto drop;
		if (thflags & TH_ACK) {
			TCPSTAT_INC(tcps_badsyn);
			goto dropwithreset;
		}
		if ((thflags & (TH_SYN | TH_FIN)) != TH_SYN) {
			TCPSTAT_INC(tcps_badsyn);
			goto drop;
		}
		/*
		 * Listen queue overflow.  With the queue of completed
		 * connections full, the SYN is dropped and the client
		 * retries.  Embryonic connections are bounded too: under a
		 * SYN flood the oldest makes room for the newest, so that a
		 * genuine client still gets in.
		 */
		soqinfo(so, &qi);
		if (qi.sqi_qlen >= tcp_backlog(&qi)) {
			TCPSTAT_INC(tcps_listendrop);
			goto drop;
		}
		if (qi.sqi_incqlen >= imax(tcp_backlog(&qi), TCP_MININCQ)) {
			TCPSTAT_INC(tcps_listendrop);
			/* Closed once out of the listener's section. */
			sp = soqtake(so, 0);
			if (sp == NULL)
				goto drop;
		}
		so2 = sonewconn(so, 0);
		if (so2 == NULL) {
			TCPSTAT_INC(tcps_listendrop);
			goto drop;
		}
		inp2 = sotoinpcb(so2);
		tp2 = intotcpcb(inp2);
		inp2->inp_laddr = ipsave.ip_dst;
		inp2->inp_lport = thsave.th_dport;
		bzero(&sin, sizeof(sin));
		sin.sin_len = sizeof(sin);
		sin.sin_family = AF_INET;
		sin.sin_addr = ipsave.ip_src;
		sin.sin_port = thsave.th_sport;
		if (tcp_listen_connect(inp2, &sin, so->so_cred) != 0) {
			TCPSTAT_INC(tcps_listendrop);
			/*
			 * Off the queue, closed after the listener's section
			 * like an embryonic connection given up on.
			 */
			if (soqunlink(so2))
				sp2 = so2;
			goto drop;
		}
		tp2->t_flags |= tp->t_flags & (TF_NODELAY | TF_NOPUSH |
		    TF_NOOPT);
		if (tp->t_flags & TF_NOOPT)
			tp2->t_flags &= ~(TF_REQ_SCALE | TF_REQ_TSTMP);
		tp2->t_keepidle = tp->t_keepidle;
		tp2->t_keepintvl = tp->t_keepintvl;
		tp2->t_keepcntmax = tp->t_keepcntmax;
		/* so stays the listener, whose section this is. */
		tp = tp2;
		inp = inp2;

		tp->iss = tcp_new_isn(inp);
		tp->irs = seq;
		tcp_sendseqinit(tp);
		tcp_rcvseqinit(tp);
		tcp_request_scale(tp);
		tcp_syn_options(tp, &to);
		tp->snd_wnd = tiwin;		/* never scaled in a SYN */
		tp->max_sndwnd = tiwin;
		tp->snd_wl1 = seq;
		tp->snd_wl2 = tp->iss;
		tp->t_flags |= TF_ACKNOW;
		tcp_state_change(tp, TCPS_SYN_RECEIVED);
		TCPSTAT_INC(tcps_accepts);
		/* Data on a SYN is not kept: the peer sends it again. */
		m_freem(m);
		/* Timers and SYN-ACK in its own section (tcp_start_passive). */
		soref(so2);
		sn = so2;
		goto unlock;
	}

	/* Unscale the window now that the handshake has fixed the scale. */
	if (!(thflags & TH_SYN))
		tiwin <<= tp->snd_scale;
	tp->t_rcvtime = ticks;
	if (TCPS_HAVEESTABLISHED(tp->t_state) &&
	    tp->t_state != TCPS_TIME_WAIT)
		tcp_timer_activate(tp, TCPT_KEEP, tp->t_keepidle);

	/* Receive window: what the socket buffer holds, never shrunk. */
	win = (int)sbspace(&so->so_rcv);
	if (win < 0)
		win = 0;
	tp->rcv_wnd = imax(win, (int)(tp->rcv_adv - tp->rcv_nxt));

	if (tp->t_state == TCPS_SYN_SENT) {
		/* RFC 9293 3.10.7.3 */
		if ((thflags & TH_ACK) &&
		    (SEQ_LEQ(ack, tp->iss) || SEQ_GT(ack, tp->snd_max))) {
			if (thflags & TH_RST)
				goto drop;
			goto dropwithreset;
		}
		if (thflags & TH_RST) {
			if (thflags & TH_ACK) {
				TCPSTAT_INC(tcps_rcvrst);
				tp = tcp_dropconn(tp, ECONNREFUSED);
			}
			goto drop;
		}
		if (!(thflags & TH_SYN))
			goto drop;
		tp->irs = seq;
		tcp_rcvseqinit(tp);
		tcp_syn_options(tp, &to);
		tp->snd_wnd = tiwin;
		tp->max_sndwnd = tiwin;
		tp->snd_wl1 = seq;
		tp->snd_wl2 = ack;
		if (thflags & TH_ACK) {
			TCPSTAT_INC(tcps_connects);
			tp->snd_una = ack;
			if (SEQ_LT(tp->snd_nxt, tp->snd_una))
				tp->snd_nxt = tp->snd_una;
			if (tp->t_rtttime != 0)
				tcp_xmit_timer(tp, ticks - tp->t_rtttime);
			tcp_timer_activate(tp, TCPT_REXMT, 0);
			tp->t_rxtshift = 0;
			tcp_state_change(tp, TCPS_ESTABLISHED);
			tcp_timer_activate(tp, TCPT_KEEP, tp->t_keepidle);
			soisconnected(so);
			tp->t_flags |= TF_ACKNOW;
		} else {
			/* Simultaneous open: answer with SYN|ACK from iss. */
			tcp_state_change(tp, TCPS_SYN_RECEIVED);
			tcp_timer_activate(tp, TCPT_REXMT, 0);
			tp->snd_nxt = tp->iss;
			tp->t_flags |= TF_ACKNOW;
		}
		/* As on the passive side, data on a SYN is not kept. */
		m_freem(m);
		(void)tcp_output(tp);
		goto unlock;
	}

	/*
	 * PAWS (RFC 7323 5.3): a segment older than the last timestamp
	 * seen is a duplicate from an earlier incarnation.
	 */
	if ((to.to_flags & TOF_TS) && (tp->t_flags & TF_RCVD_TSTMP) &&
	    !(thflags & TH_RST) && tp->ts_recent != 0 &&
	    TSTMP_LT(to.to_tsval, tp->ts_recent)) {
		if (ticks - tp->ts_recent_age > TCP_PAWS_IDLE)
			tp->ts_recent = 0;
		else {
			TCPSTAT_INC(tcps_pawsdrop);
			TCPSTAT_INC(tcps_rcvduppack);
			TCPSTAT_ADD(tcps_rcvdupbyte, tlen);
			goto dropafterack;
		}
	}

	/*
	 * RST (RFC 5961 3.2): acted on only when it is exactly at rcv_nxt;
	 * in the window it earns a challenge ACK; elsewhere it is ignored.
	 */
	if (thflags & TH_RST) {
		if (seq == tp->rcv_nxt) {
			TCPSTAT_INC(tcps_rcvrst);
			switch (tp->t_state) {
			case TCPS_SYN_RECEIVED:
				so->so_error = ECONNREFUSED;
				goto close;
			case TCPS_ESTABLISHED:
			case TCPS_FIN_WAIT_1:
			case TCPS_FIN_WAIT_2:
			case TCPS_CLOSE_WAIT:
				so->so_error = ECONNRESET;
			close:
				tcp_state_change(tp, TCPS_CLOSED);
				TCPSTAT_INC(tcps_drops);
				tp = tcp_closeconn(tp);
				break;
			default:
				tp = tcp_closeconn(tp);
				break;
			}
		} else if (SEQ_GT(seq, tp->rcv_nxt) &&
		    SEQ_LT(seq, tp->rcv_nxt + imax((int)tp->rcv_wnd, 1))) {
			TCPSTAT_INC(tcps_badrst);
			tcp_challenge_ack(tp);
		} else
			TCPSTAT_INC(tcps_badrst);
		goto drop;
	}

	/*
	 * SYN in a synchronized state.  The peer's own SYN again (its SYN
	 * retransmitted, or the SYN|ACK of a simultaneous open) is an old
	 * duplicate: drop the SYN bit and go on with the rest.  Any other
	 * SYN gets a challenge ACK (RFC 5961 4.2).
	 */
	if (thflags & TH_SYN) {
		if (seq != tp->irs) {
			TCPSTAT_INC(tcps_badsyn);
			tcp_challenge_ack(tp);
			goto drop;
		}
		thflags &= ~TH_SYN;
		seq++;
		if (tp->t_state == TCPS_SYN_RECEIVED && !(thflags & TH_ACK)) {
			/* Our SYN|ACK was lost: send it again. */
			tp->snd_nxt = tp->iss;
			tp->t_flags |= TF_ACKNOW;
			m_freem(m);
			(void)tcp_output(tp);
			goto unlock;
		}
		if (tlen == 0 && !(thflags & TH_FIN))
			tp->t_flags |= TF_ACKNOW;
	}

	/* Trim data we already have from the front. */
	todrop = (int)(tp->rcv_nxt - seq);
	if (todrop > 0) {
		if (todrop > tlen ||
		    (todrop == tlen && !(thflags & TH_FIN))) {
			/* All old: ACK it, our last ACK may have been lost. */
			thflags &= ~TH_FIN;
			tp->t_flags |= TF_ACKNOW;
			todrop = tlen;
			TCPSTAT_INC(tcps_rcvduppack);
			TCPSTAT_ADD(tcps_rcvdupbyte, todrop);
		} else {
			TCPSTAT_INC(tcps_rcvpartduppack);
			TCPSTAT_ADD(tcps_rcvpartdupbyte, todrop);
		}
		m_adj(m, todrop);
		seq += todrop;
		tlen -= todrop;
	}

	/* Data after the user closed: nobody will read it (RFC 9293). */
	if ((so->so_state & SS_NOFDREF) && tp->t_state > TCPS_CLOSE_WAIT &&
	    tlen > 0) {
		tp = tcp_closeconn(tp);
		TCPSTAT_INC(tcps_rcvafterclose);
		goto dropwithreset;
	}

	/* Trim data beyond the right edge of the window. */
	todrop = (int)((seq + tlen) - (tp->rcv_nxt + tp->rcv_wnd));
	if (todrop > 0) {
		TCPSTAT_INC(tcps_rcvpackafterwin);
		if (todrop >= tlen) {
			TCPSTAT_ADD(tcps_rcvbyteafterwin, tlen);
			/* A probe of our zero window: answer with an ACK. */
			if (tp->rcv_wnd == 0 && seq == tp->rcv_nxt) {
				tp->t_flags |= TF_ACKNOW;
				TCPSTAT_INC(tcps_rcvwinprobe);
			} else
				goto dropafterack;
		} else
			TCPSTAT_ADD(tcps_rcvbyteafterwin, todrop);
		m_adj(m, -todrop);
		tlen -= todrop;
		thflags &= ~(TH_PUSH | TH_FIN);
	}

	/* Remember the timestamp to echo (RFC 7323 4.3). */
	if ((to.to_flags & TOF_TS) && SEQ_LEQ(seq, tp->last_ack_sent) &&
	    SEQ_LEQ(tp->last_ack_sent,
	    seq + tlen + ((thflags & (TH_SYN | TH_FIN)) != 0))) {
		tp->ts_recent_age = ticks;
		tp->ts_recent = to.to_tsval;
	}

	if (!(thflags & TH_ACK)) {
		if (tp->t_flags & TF_ACKNOW)
			goto dropafterack;
		goto drop;
	}

	/*
	 * ACK acceptability (RFC 5961 5.2): an ACK for data never sent, or
	 * too far in the past, gets a challenge ACK and is dropped.
	 */
	if (SEQ_GT(ack, tp->snd_max) ||
	    SEQ_LT(ack, tp->snd_una - tp->max_sndwnd)) {
		if (tp->t_state == TCPS_SYN_RECEIVED)
			goto dropwithreset;
		if (SEQ_GT(ack, tp->snd_max))
			TCPSTAT_INC(tcps_rcvacktoomuch);
		tcp_challenge_ack(tp);
		goto drop;
	}

	if (tp->t_state == TCPS_SYN_RECEIVED) {
		if (SEQ_LEQ(ack, tp->snd_una))
			goto dropwithreset;
		/*
		 * No room on the listener's queue of completed connections:
		 * ignore the ACK and stay embryonic; the SYN|ACK is resent
		 * and the handshake completes once the application accepts.
		 */
		if (soqheadinfo(so, &qi) && qi.sqi_qlen >= tcp_backlog(&qi)) {
			TCPSTAT_INC(tcps_listendrop);
			goto drop;
		}
		/* Our SYN is acknowledged: the connection is open. */
		TCPSTAT_INC(tcps_connects);
		tp->snd_una++;
		if (tp->t_rtttime != 0 && SEQ_GT(ack, tp->t_rtseq))
			tcp_xmit_timer(tp, ticks - tp->t_rtttime);
		if (tp->snd_una == tp->snd_max)
			tcp_timer_activate(tp, TCPT_REXMT, 0);
		tp->t_rxtshift = 0;
		tcp_state_change(tp, TCPS_ESTABLISHED);
		tcp_timer_activate(tp, TCPT_KEEP, tp->t_keepidle);
		soisconnected(so);
		(void)tcp_reass(tp, 0, NULL, 0, NULL);
		tp->snd_wl1 = seq - 1;
		if (tp->t_flags & TF_NEEDFIN) {
			/* Closed during the handshake: send our FIN now. */
			tcp_state_change(tp, TCPS_FIN_WAIT_1);
			tp->t_flags &= ~TF_NEEDFIN;
			needoutput = 1;
		}
		if (ack == tp->snd_una)
			goto step6;
	}

	if (tp->t_state == TCPS_TIME_WAIT) {
		/* A retransmitted FIN: ACK it again and restart 2MSL. */
		if (tp->t_flags & TF_ACKNOW)
			tcp_timer_activate(tp, TCPT_2MSL, 2 * TCPTV_MSL);
		goto step6;
	}

	/*
	 * Duplicate ACKs (RFC 5681 2, 3.2; RFC 6582): the third starts fast
	 * retransmit and recovery; further ones inflate cwnd.
	 */
	if (SEQ_LEQ(ack, tp->snd_una)) {
		/*
		 * A duplicate ACK acknowledges nothing new, carries no data
		 * and no window change, while data is outstanding and timed
		 * (not while probing a zero window).
		 */
		if (tlen == 0 && tiwin == tp->snd_wnd &&
		    !(thflags & TH_FIN) && ack == tp->snd_una &&
		    tp->snd_max != tp->snd_una &&
		    tcp_timer_active(tp, TCPT_REXMT)) {
			TCPSTAT_INC(tcps_rcvdupack);
			if (++tp->t_dupacks > 3 && IN_FASTRECOVERY(tp)) {
				tp->snd_cwnd += tp->t_maxseg;
				(void)tcp_output(tp);
				goto drop;
			}
			if (tp->t_dupacks == 3 && !IN_FASTRECOVERY(tp) &&
			    (SEQ_GT(ack, tp->snd_recover) ||
			    tp->snd_recover == tp->iss)) {
				tcp_seq onxt = tp->snd_nxt;
				u_long w;

				w = (u_long)(tp->snd_max - tp->snd_una) / 2 /
				    tp->t_maxseg;
				if (w < 2)
					w = 2;
				tp->snd_ssthresh = w * tp->t_maxseg;
				ENTER_FASTRECOVERY(tp);
				tp->snd_recover = tp->snd_max;
				TCPSTAT_INC(tcps_sndfastrexmit);
				TCPSTAT_INC(tcps_fastrecovery);
				tcp_timer_activate(tp, TCPT_REXMT, 0);
				tp->t_rtttime = 0;
				tp->snd_nxt = ack;
				tp->snd_cwnd = tp->t_maxseg;
				(void)tcp_output(tp);
				tp->snd_cwnd = tp->snd_ssthresh +
				    tp->t_maxseg * tp->t_dupacks;
				if (SEQ_GT(onxt, tp->snd_nxt))
					tp->snd_nxt = onxt;
				goto drop;
			}
		} else if (tlen > 0 || ack != tp->snd_una ||
		    tp->snd_max == tp->snd_una)
			tp->t_dupacks = 0;
		goto step6;
	}

	/* New data is acknowledged. */
	if (IN_FASTRECOVERY(tp)) {
		if (SEQ_LT(ack, tp->snd_recover))
			tcp_newreno_partial_ack(tp, ack);
		else {
			/* Full ACK: deflate (RFC 6582 3.2 step 3). */
			u_long flight = tp->snd_max - ack;

			tp->snd_cwnd = ulmin(tp->snd_ssthresh,
			    ulmax(flight, tp->t_maxseg) + tp->t_maxseg);
			EXIT_FASTRECOVERY(tp);
			tp->t_bytes_acked = 0;
		}
	}
	tp->t_dupacks = 0;
	acked = (int)(ack - tp->snd_una);
	TCPSTAT_INC(tcps_rcvackpack);
	TCPSTAT_ADD(tcps_rcvackbyte, acked);

	/* RTT sample: from the timestamp echo, else from the timed segment. */
	if ((to.to_flags & TOF_TS) && to.to_tsecr != 0 &&
	    (tp->t_flags & TF_RCVD_TSTMP))
		tcp_xmit_timer(tp, (int)(tcp_ts_getticks() + tp->ts_offset -
		    to.to_tsecr));
	else if (tp->t_rtttime != 0 && SEQ_GT(ack, tp->t_rtseq))
		tcp_xmit_timer(tp, ticks - tp->t_rtttime);

	/* Everything acknowledged: stop the timer; else restart it. */
	if (ack == tp->snd_max) {
		tcp_timer_activate(tp, TCPT_REXMT, 0);
		needoutput = 1;
	} else if (!tcp_timer_active(tp, TCPT_PERSIST))
		tcp_timer_activate(tp, TCPT_REXMT, tp->t_rxtcur);

	/*
	 * Open the congestion window: slow start below ssthresh (at most
	 * 2 segments per ACK, RFC 3465), then one segment per window.
	 */
	if (!IN_FASTRECOVERY(tp)) {
		u_long cw = tp->snd_cwnd;

		if (cw <= tp->snd_ssthresh)
			cw += ulmin((u_long)acked, 2 * (u_long)tp->t_maxseg);
		else {
			tp->t_bytes_acked += acked;
			if (tp->t_bytes_acked >= cw) {
				tp->t_bytes_acked -= cw;
				cw += tp->t_maxseg;
			}
		}
		tp->snd_cwnd = ulmin(cw, (u_long)TCP_MAXWIN << tp->snd_scale);
	}

	/* Release acknowledged data; one more than the buffer is our FIN. */
	if (acked > (int)so->so_snd.sb_cc) {
		tp->snd_wnd -= ulmin(tp->snd_wnd, so->so_snd.sb_cc);
		sbdrop(&so->so_snd, (int)so->so_snd.sb_cc);
		ourfinisacked = 1;
	} else {
		sbdrop(&so->so_snd, acked);
		tp->snd_wnd -= ulmin(tp->snd_wnd, (u_long)acked);
		ourfinisacked = 0;
	}
	sowwakeup(so);
	tp->snd_una = ack;
	if (SEQ_LT(tp->snd_nxt, tp->snd_una))
		tp->snd_nxt = tp->snd_una;

	switch (tp->t_state) {
	case TCPS_FIN_WAIT_1:
		if (ourfinisacked) {
			/*
			 * If the socket is gone, nobody will read: do not
			 * wait forever for the peer's FIN.
			 */
			if (so->so_state & SS_CANTRCVMORE) {
				soisdisconnected(so);
				tcp_timer_activate(tp, TCPT_2MSL,
				    TCPTV_FINWAIT2_TIMEOUT);
			}
			tcp_state_change(tp, TCPS_FIN_WAIT_2);
		}
		break;
	case TCPS_CLOSING:
		if (ourfinisacked) {
			tcp_twstart(tp);
			goto drop;
		}
		break;
	case TCPS_LAST_ACK:
		if (ourfinisacked) {
			tp = tcp_closeconn(tp);
			goto drop;
		}
		break;
	}

step6:
	/* Window update (RFC 9293 3.10.7.4, fifth check). */
	if ((thflags & TH_ACK) &&
	    (SEQ_LT(tp->snd_wl1, seq) || (tp->snd_wl1 == seq &&
	    (SEQ_LT(tp->snd_wl2, ack) ||
	    (tp->snd_wl2 == ack && tiwin > tp->snd_wnd))))) {
		if (tlen == 0 && tp->snd_wl2 == ack && tiwin > tp->snd_wnd)
			TCPSTAT_INC(tcps_rcvwinupd);
		tp->snd_wnd = tiwin;
		tp->snd_wl1 = seq;
		tp->snd_wl2 = ack;
		if (tp->snd_wnd > tp->max_sndwnd)
			tp->max_sndwnd = tp->snd_wnd;
		needoutput = 1;
	}

	/* Urgent data is not supported: it is delivered in line. */

	/* Segment text (RFC 9293 3.10.7.4, seventh check). */
	if ((tlen > 0 || (thflags & TH_FIN)) &&
	    !TCPS_HAVERCVDFIN(tp->t_state)) {
		if (seq == tp->rcv_nxt && TAILQ_EMPTY(&tp->t_segq) &&
		    TCPS_HAVEESTABLISHED(tp->t_state)) {
			/* In order: deliver, and ACK every second segment. */
			if (tlen > 0) {
				if (V_tcp_delack_enabled &&
				    !(tp->t_flags & TF_DELACK))
					tp->t_flags |= TF_DELACK;
				else
					tp->t_flags |= TF_ACKNOW;
				tp->rcv_nxt += tlen;
				TCPSTAT_INC(tcps_rcvpack);
				TCPSTAT_ADD(tcps_rcvbyte, tlen);
				if (so->so_state & SS_CANTRCVMORE)
					m_freem(m);
				else
					sbappendstream(&so->so_rcv, m);
				sorwakeup(so);
			} else
				m_freem(m);
			thflags &= TH_FIN;
		} else {
			/*
			 * Out of order, or filling a hole: queue and ACK at
			 * once (RFC 5681 4.2) so the sender sees the gap.
			 */
			thflags = tcp_reass(tp, seq, &tlen, thflags & TH_FIN,
			    m);
			tp->t_flags |= TF_ACKNOW;
		}
		m = NULL;
	} else {
		m_freem(m);
		m = NULL;
		thflags &= ~TH_FIN;
	}

	/* FIN (RFC 9293 3.10.7.4, eighth check). */
	if (thflags & TH_FIN) {
		if (!TCPS_HAVERCVDFIN(tp->t_state)) {
			socantrcvmore(so);
			tp->t_flags |= TF_ACKNOW;
			tp->rcv_nxt++;
		}
		switch (tp->t_state) {
		case TCPS_SYN_RECEIVED:
		case TCPS_ESTABLISHED:
			tcp_state_change(tp, TCPS_CLOSE_WAIT);
			break;
		case TCPS_FIN_WAIT_1:
			tcp_state_change(tp, TCPS_CLOSING);
			break;
		case TCPS_FIN_WAIT_2:
			tcp_twstart(tp);
			break;
		case TCPS_TIME_WAIT:
			tcp_timer_activate(tp, TCPT_2MSL, 2 * TCPTV_MSL);
			break;
		}
	}

	if (needoutput || (tp->t_flags & TF_ACKNOW))
		(void)tcp_output(tp);
	else if ((tp->t_flags & TF_DELACK) &&
	    !tcp_timer_active(tp, TCPT_DELACK))
		tcp_timer_activate(tp, TCPT_DELACK, TCPTV_DELACK);
	goto unlock;

dropafterack:
	/* Answer with an ACK, unless it is a bad ACK in SYN_RECEIVED. */
	if (tp->t_state == TCPS_SYN_RECEIVED && (thflags & TH_ACK) &&
	    (SEQ_GT(tp->snd_una, ack) || SEQ_GT(ack, tp->snd_max)))
		goto dropwithreset;
	m_freem(m);
	m = NULL;
	tp->t_flags |= TF_ACKNOW;
	(void)tcp_output(tp);
	goto unlock;

dropwithreset:
	/* Answered once out of the socket's section. */
	reset = 1;
	goto unlock;

drop:
	m_freem(m);
	m = NULL;
unlock:
	last = sorele(so);
	splx(s);
	if (last)
		sofree(so);
	if (sp != NULL)
		tcp_closeref(sp);
	if (sp2 != NULL)
		tcp_closeref(sp2);
	if (sn != NULL)
		tcp_start_passive(sn);
	if (reset)
		tcp_dropwithreset(m, &ipsave, &thsave, thflags, oseq, ack,
		    otlen);
	return;

badseg:
	m_freem(m);
}
