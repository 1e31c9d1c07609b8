/*
 * TCP output: decide what a connection may send now (send window,
 * congestion window, Nagle, silly window avoidance), build the segment
 * with its options and hand it to IP.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/mbuf.h>
#include <sys/socket.h>
#include <sys/socketvar.h>
#include <sys/errno.h>

#include <net/vnet.h>

#include <netinet/in.h>
#include <netinet/in_systm.h>
#include <netinet/ip.h>
#include <netinet/in_pcb.h>
#define	TCPOUTFLAGS
#include <netinet/tcp.h>
#include <netinet/tcp_fsm.h>
#include <netinet/tcp_seq.h>
#include <netinet/tcp_timer.h>
#include <netinet/tcp_var.h>
#include <netinet/tcpip.h>

/*
 * Build the receive-side SACK blocks (RFC 2018) from the reassembly
 * queue: the block holding the most recent arrival first, then the
 * others in sequence order.  Returns the number of blocks.
 */
static int
tcp_sack_blocks(struct tcpcb *tp, struct sackblk *blk, int max)
{
	struct sackblk all[TCP_MAX_SACK * 4];
	struct tseg_qent *q;
	int n, i, first;

	n = 0;
	TAILQ_FOREACH(q, &tp->t_segq, tqe_q) {
		tcp_seq s = q->tqe_seq, e = q->tqe_seq + q->tqe_len;

		if (n > 0 && SEQ_GEQ(all[n - 1].end, s)) {
			if (SEQ_GT(e, all[n - 1].end))
				all[n - 1].end = e;
			continue;
		}
		if (n == (int)nitems(all))
			break;
		all[n].start = s;
		all[n].end = e;
		n++;
	}
	first = -1;
	for (i = 0; i < n; i++)
		if (SEQ_LEQ(all[i].start, tp->t_sacklast) &&
		    SEQ_LT(tp->t_sacklast, all[i].end))
			first = i;
	max = imin(max, n);
	i = 0;
	if (first >= 0 && max > 0)
		blk[i++] = all[first];
	for (n = 0; i < max; n++)
		if (n != first)
			blk[i++] = all[n];
	return (max);
}

/*
 * Write the options in `to' into cp (at most len bytes), padded to a
 * multiple of 4.  Returns the length written.
 */
int
tcp_addoptions(struct tcpcb *tp, struct tcpopt *to, u_char *cp, int len)
{
	struct sackblk blk[TCP_MAX_SACK];
	u_char *p = cp;
	uint32_t v;
	uint16_t mss;
	int n, i;

	if ((to->to_flags & TOF_MSS) && len >= TCPOLEN_MAXSEG) {
		*p++ = TCPOPT_MAXSEG;
		*p++ = TCPOLEN_MAXSEG;
		mss = htons(to->to_mss);
		bcopy(&mss, p, 2);
		p += 2;
	}
	if ((to->to_flags & TOF_SCALE) && p - cp + 4 <= len) {
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_WINDOW;
		*p++ = TCPOLEN_WINDOW;
		*p++ = to->to_wscale;
	}
	if ((to->to_flags & TOF_SACKPERM) && p - cp + 4 <= len) {
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_SACK_PERMITTED;
		*p++ = TCPOLEN_SACK_PERMITTED;
	}
	if ((to->to_flags & TOF_TS) && p - cp + TCPOLEN_TSTAMP_APPA <= len) {
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_TIMESTAMP;
		*p++ = TCPOLEN_TIMESTAMP;
		v = htonl(to->to_tsval);
		bcopy(&v, p, 4);
		v = htonl(to->to_tsecr);
		bcopy(&v, p + 4, 4);
		p += 8;
	}
	if ((to->to_flags & TOF_SACK) && tp != NULL) {
		n = (len - (int)(p - cp) - 4) / TCPOLEN_SACK;
		n = tcp_sack_blocks(tp, blk, imin(n, TCP_MAX_SACK));
		if (n > 0) {
			*p++ = TCPOPT_NOP;
			*p++ = TCPOPT_NOP;
			*p++ = TCPOPT_SACK;
			*p++ = 2 + n * TCPOLEN_SACK;
			for (i = 0; i < n; i++) {
				v = htonl(blk[i].start);
				bcopy(&v, p, 4);
				v = htonl(blk[i].end);
				bcopy(&v, p + 4, 4);
				p += 8;
			}
			TCPSTAT_ADD(tcps_rcvsackblk, n);
		}
	}
	while ((p - cp) % 4 != 0)
		*p++ = TCPOPT_EOL;
	return ((int)(p - cp));
}

/*
 * Arm the persist timer with the backed-off interval.
 */
void
tcp_setpersist(struct tcpcb *tp)
{
	int t = ((tp->t_srtt >> 2) + tp->t_rttvar) >> 1;
	int tt;

	if (t == 0)
		t = TCPTV_RTOBASE;
	TCPT_RANGESET(tt, t * tcp_backoff[tp->t_rxtshift], TCPTV_PERSMIN,
	    TCPTV_PERSMAX);
	tcp_timer_activate(tp, TCPT_PERSIST, tt);
	if (tp->t_rxtshift < TCP_MAXRXTSHIFT)
		tp->t_rxtshift++;
}

/*
 * Send what the connection may send now.  Returns 0 or an errno from
 * the layers below (soft errors are absorbed).
 */
int
tcp_output(struct tcpcb *tp)
{
	struct inpcb *inp = tp->t_inpcb;
	struct socket *so = inp->inp_socket;
	struct tcpopt to;
	struct tcphdr *th;
	struct mbuf *m;
	u_char opt[MAX_TCPOPTLEN];
	long len, win, recwin, adv;
	int off, flags, error, sendalot, idle, optlen, hdrlen;
	tcp_seq startseq;

	if (tp->t_state == TCPS_LISTEN)
		return (0);
	/*
	 * RFC 5681 4.1: after an idle period longer than the RTO, restart
	 * from the initial window rather than bursting a stale cwnd.
	 */
	idle = (tp->snd_max == tp->snd_una);
	if (idle && tp->t_state == TCPS_ESTABLISHED &&
	    ticks - tp->t_rcvtime >= tp->t_rxtcur &&
	    tp->snd_cwnd > (u_long)(4 * tp->t_maxseg))
		tp->snd_cwnd = 4 * tp->t_maxseg;
again:
	sendalot = 0;
	off = (int)(tp->snd_nxt - tp->snd_una);
	win = (long)ulmin(tp->snd_wnd, tp->snd_cwnd);
	flags = tcp_outflags[tp->t_state];

	/*
	 * A SYN goes out only at iss: once sent, it is resent only when
	 * snd_nxt is pulled back by a retransmission.
	 */
	if ((flags & TH_SYN) && tp->snd_nxt != tp->iss)
		flags &= ~TH_SYN;
	/* A FIN already sent and not being retransmitted. */
	if ((flags & TH_FIN) && (tp->t_flags & TF_SENTFIN) &&
	    tp->snd_nxt == tp->snd_max)
		flags &= ~TH_FIN;

	if (tp->t_flags & TF_FORCEDATA) {
		if (win == 0) {
			/* Window probe: one byte, no FIN before the data. */
			if (off < (int)so->so_snd.sb_cc)
				flags &= ~TH_FIN;
			win = 1;
		} else {
			tcp_timer_activate(tp, TCPT_PERSIST, 0);
			tp->t_rxtshift = 0;
		}
	}

	if (!TCPS_HAVEESTABLISHED(tp->t_state))
		len = 0;	/* no data before the handshake completes */
	else {
		len = lmin(so->so_snd.sb_cc, win) - off;
		if (len < 0) {
			/*
			 * Either the FIN is beyond the data, or the peer shrank
			 * its window to zero: pull back and start probing.
			 */
			len = 0;
			if (win == 0) {
				tcp_timer_activate(tp, TCPT_REXMT, 0);
				tp->t_rxtshift = 0;
				tp->snd_nxt = tp->snd_una;
				if (!tcp_timer_active(tp, TCPT_PERSIST))
					tcp_setpersist(tp);
			}
		}
	}
	if (len > tp->t_maxseg) {
		len = tp->t_maxseg;
		sendalot = 1;
	}
	if (SEQ_LT(tp->snd_nxt + len, tp->snd_una + so->so_snd.sb_cc))
		flags &= ~TH_FIN;

	recwin = sbspace(&so->so_rcv);
	if (recwin < 0)
		recwin = 0;

	/*
	 * Sender silly window avoidance and Nagle (RFC 9293 3.8.6.2.1,
	 * RFC 896): send full segments, or everything that is left when
	 * nothing is outstanding (or TCP_NODELAY), or to retransmit.
	 */
	if (len > 0) {
		if (len == tp->t_maxseg)
			goto send;
		if ((idle || (tp->t_flags & TF_NODELAY)) &&
		    !(tp->t_flags & TF_NOPUSH) &&
		    len + off >= (long)so->so_snd.sb_cc)
			goto send;
		if (tp->t_flags & TF_FORCEDATA)
			goto send;
		if (tp->max_sndwnd > 0 && len >= (long)tp->max_sndwnd / 2)
			goto send;
		if (SEQ_LT(tp->snd_nxt, tp->snd_max))
			goto send;
	}
	/*
	 * Receiver silly window avoidance: advertise a window update only
	 * when it opens by two segments or half the buffer.
	 */
	if (recwin > 0 && TCPS_HAVEESTABLISHED(tp->t_state) &&
	    !TCPS_HAVERCVDFIN(tp->t_state)) {
		adv = lmin(recwin, (long)TCP_MAXWIN << tp->rcv_scale) -
		    (long)(tp->rcv_adv - tp->rcv_nxt);
		if (adv >= 2 * (long)tp->t_maxseg)
			goto send;
		if (2 * adv >= (long)so->so_rcv.sb_hiwat)
			goto send;
	}
	if (tp->t_flags & TF_ACKNOW)
		goto send;
	if (flags & (TH_SYN | TH_RST))
		goto send;
	if ((flags & TH_FIN) &&
	    (!(tp->t_flags & TF_SENTFIN) || tp->snd_nxt == tp->snd_una))
		goto send;
	/*
	 * Data waits but the window is closed and nothing will wake us:
	 * start the persist timer to probe the window.
	 */
	if (so->so_snd.sb_cc > 0 && TCPS_HAVEESTABLISHED(tp->t_state) &&
	    !tcp_timer_active(tp, TCPT_REXMT) &&
	    !tcp_timer_active(tp, TCPT_PERSIST)) {
		tp->t_rxtshift = 0;
		tcp_setpersist(tp);
	}
	return (0);

send:
	/* Before the handshake there is nothing to acknowledge but a SYN. */
	if (tp->t_state == TCPS_SYN_SENT && !(flags & TH_SYN))
		return (0);

	bzero(&to, sizeof(to));
	if (!(tp->t_flags & TF_NOOPT)) {
		if (flags & TH_SYN) {
			to.to_mss = tcp_mssopt(tp);
			to.to_flags |= TOF_MSS;
			if ((tp->t_flags & TF_REQ_SCALE) &&
			    (tp->t_state == TCPS_SYN_SENT ||
			    (tp->t_flags & TF_RCVD_SCALE))) {
				to.to_wscale = tp->request_r_scale;
				to.to_flags |= TOF_SCALE;
			}
			if (V_tcp_do_sack && (tp->t_state == TCPS_SYN_SENT ||
			    (tp->t_flags & TF_SACK_PERMIT)))
				to.to_flags |= TOF_SACKPERM;
		}
		if ((tp->t_flags & TF_REQ_TSTMP) && !(flags & TH_RST) &&
		    (tp->t_state == TCPS_SYN_SENT ||
		    (tp->t_flags & TF_RCVD_TSTMP))) {
			to.to_tsval = tcp_ts_getticks() + tp->ts_offset;
			to.to_tsecr = tp->ts_recent;
			to.to_flags |= TOF_TS;
		}
		if ((tp->t_flags & TF_SACK_PERMIT) &&
		    TCPS_HAVEESTABLISHED(tp->t_state) &&
		    !TAILQ_EMPTY(&tp->t_segq))
			to.to_flags |= TOF_SACK;
	}
	optlen = tcp_addoptions(tp, &to, opt, sizeof(opt));
	hdrlen = sizeof(struct tcpiphdr) + optlen;
	if (len > tp->t_maxopd - optlen) {
		len = tp->t_maxopd - optlen;
		sendalot = 1;
		if (SEQ_LT(tp->snd_nxt + len, tp->snd_una + so->so_snd.sb_cc))
			flags &= ~TH_FIN;
	}

	/* Statistics. */
	if (len > 0) {
		if ((tp->t_flags & TF_FORCEDATA) && len == 1)
			TCPSTAT_INC(tcps_sndprobe);
		else if (SEQ_LT(tp->snd_nxt, tp->snd_max)) {
			TCPSTAT_INC(tcps_sndrexmitpack);
			TCPSTAT_ADD(tcps_sndrexmitbyte, len);
			tp->t_sndrexmitpack++;
		} else {
			TCPSTAT_INC(tcps_sndpack);
			TCPSTAT_ADD(tcps_sndbyte, len);
		}
	} else if (tp->t_flags & TF_ACKNOW)
		TCPSTAT_INC(tcps_sndacks);
	else if (flags & (TH_SYN | TH_FIN | TH_RST))
		TCPSTAT_INC(tcps_sndctrl);
	else
		TCPSTAT_INC(tcps_sndwinup);

	/* Build the segment: headers in the first mbuf, then the data. */
	m = m_gethdr(M_NOWAIT, MT_DATA);
	if (m == NULL) {
		error = ENOBUFS;
		goto out;
	}
	m->m_data += max_linkhdr;
	m->m_len = hdrlen;
	if (len > 0) {
		if (hdrlen + len <= MHLEN - max_linkhdr) {
			m_copydata(so->so_snd.sb_mb, off, (int)len,
			    mtod(m, caddr_t) + hdrlen);
			m->m_len += len;
		} else {
			m->m_next = m_copym(so->so_snd.sb_mb, off, (int)len,
			    M_NOWAIT);
			if (m->m_next == NULL) {
				m_freem(m);
				error = ENOBUFS;
				goto out;
			}
		}
		/* PSH on the segment that empties the send buffer. */
		if (off + len == (long)so->so_snd.sb_cc)
			flags |= TH_PUSH;
	}
	th = (struct tcphdr *)(mtod(m, struct ip *) + 1);
	bzero(th, sizeof(*th));
	bcopy(opt, th + 1, optlen);

	/* Retransmitting a FIN that was the last thing sent. */
	if ((flags & TH_FIN) && (tp->t_flags & TF_SENTFIN) &&
	    tp->snd_nxt == tp->snd_max)
		tp->snd_nxt--;
	/*
	 * A pure ACK carries snd_max, so that it never looks like an old
	 * segment; data, SYN, FIN and probes carry snd_nxt.
	 */
	if (len > 0 || (flags & (TH_SYN | TH_FIN)) ||
	    tcp_timer_active(tp, TCPT_PERSIST))
		th->th_seq = htonl(tp->snd_nxt);
	else
		th->th_seq = htonl(tp->snd_max);
	th->th_ack = htonl(tp->rcv_nxt);
	TH_SETOFF(th, (sizeof(struct tcphdr) + optlen) >> 2);
	th->th_flags = flags;

	/* Never shrink the offered window; avoid advertising slivers. */
	if (recwin < (long)(so->so_rcv.sb_hiwat / 4) &&
	    recwin < (long)tp->t_maxseg)
		recwin = 0;
	if (SEQ_GT(tp->rcv_adv, tp->rcv_nxt) &&
	    recwin < (long)(tp->rcv_adv - tp->rcv_nxt))
		recwin = (long)(tp->rcv_adv - tp->rcv_nxt);
	if (recwin > (long)TCP_MAXWIN << tp->rcv_scale)
		recwin = (long)TCP_MAXWIN << tp->rcv_scale;
	if (flags & TH_SYN)
		th->th_win = htons((u_short)lmin(recwin, TCP_MAXWIN));
	else
		th->th_win = htons((u_short)(recwin >> tp->rcv_scale));

	/* Advance the sequence space and run the timers. */
	startseq = tp->snd_nxt;
	if (!(tp->t_flags & TF_FORCEDATA) ||
	    !tcp_timer_active(tp, TCPT_PERSIST)) {
		if (flags & TH_SYN)
			tp->snd_nxt++;
		if (flags & TH_FIN) {
			tp->snd_nxt++;
			tp->t_flags |= TF_SENTFIN;
		}
		tp->snd_nxt += len;
		if (SEQ_GT(tp->snd_nxt, tp->snd_max)) {
			tp->snd_max = tp->snd_nxt;
			/* Time this segment if nothing is being timed. */
			if (tp->t_rtttime == 0) {
				/* 0 means "not timing": skip it. */
				tp->t_rtttime = ticks != 0 ? ticks : 1;
				tp->t_rtseq = startseq;
				TCPSTAT_INC(tcps_segstimed);
			}
		}
		if (!tcp_timer_active(tp, TCPT_REXMT) &&
		    tp->snd_nxt != tp->snd_una) {
			if (tcp_timer_active(tp, TCPT_PERSIST)) {
				tcp_timer_activate(tp, TCPT_PERSIST, 0);
				tp->t_rxtshift = 0;
			}
			tcp_timer_activate(tp, TCPT_REXMT, tp->t_rxtcur);
		}
	} else {
		int xlen = (int)len + ((flags & TH_FIN) ? 1 : 0);

		if (SEQ_GT(tp->snd_nxt + xlen, tp->snd_max))
			tp->snd_max = tp->snd_nxt + xlen;
	}

	TCPSTAT_INC(tcps_sndtotal);
	error = tcp_ip_output(inp, m, inp->inp_laddr, inp->inp_faddr,
	    inp->inp_lport, inp->inp_fport, hdrlen - (int)sizeof(struct ip) +
	    (int)len);
	if (error != 0) {
		TCPSTAT_INC(tcps_snderrs);
		goto out;
	}
	if (recwin > 0 && SEQ_GT(tp->rcv_nxt + recwin, tp->rcv_adv))
		tp->rcv_adv = tp->rcv_nxt + recwin;
	tp->last_ack_sent = tp->rcv_nxt;
	tp->t_flags &= ~(TF_ACKNOW | TF_DELACK);
	if (tcp_timer_active(tp, TCPT_DELACK))
		tcp_timer_activate(tp, TCPT_DELACK, 0);
	if (sendalot)
		goto again;
	return (0);

out:
	/*
	 * The segment did not leave: the retransmission timer (armed
	 * above, or now) brings it back.  Buffer shortage and an
	 * unreachable next hop (ARP failing, no route) are transient for
	 * an open connection: it keeps retrying until its timers give up
	 * with ETIMEDOUT.
	 */
	if (!tcp_timer_active(tp, TCPT_REXMT) &&
	    !tcp_timer_active(tp, TCPT_PERSIST) &&
	    tp->snd_max != tp->snd_una)
		tcp_timer_activate(tp, TCPT_REXMT, tp->t_rxtcur);
	switch (error) {
	case ENOBUFS:
	case EHOSTDOWN:
	case EHOSTUNREACH:
	case ENETDOWN:
	case ENETUNREACH:
		if (TCPS_HAVERCVDSYN(tp->t_state) ||
		    tp->t_state == TCPS_SYN_SENT)
			return (0);
		return (error);
	default:
		return (error);
	}
}
