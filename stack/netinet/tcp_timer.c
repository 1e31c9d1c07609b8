/*
 * TCP timers: retransmission (RFC 6298), persist, keepalive, 2MSL and
 * delayed ACK.  Each connection has one callout per timer; the callouts
 * are not MPSAFE, so they run under Giant, and the handlers raise splnet
 * like the rest of TCP.
 *
 * A handler that gives up on its connection only decides so in its
 * section: it closes (or drops) the connection after splx().  tcp_close()
 * frees the control block the section is about, and may free the socket
 * too, which raises the level for itself; tcp_input() closes connections
 * the same way, under Giant and outside any section.  Nothing touches tp
 * after the close.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/callout.h>
#include <sys/mbuf.h>
#include <sys/socket.h>
#include <sys/socketvar.h>
#include <sys/errno.h>

#include <net/vnet.h>

#include <netinet/in.h>
#include <netinet/in_pcb.h>
#include <netinet/tcp.h>
#include <netinet/tcp_fsm.h>
#include <netinet/tcp_seq.h>
#include <netinet/tcp_timer.h>
#include <netinet/tcp_var.h>

/* Exponential backoff multipliers of the RTO, by retransmission count. */
const int tcp_backoff[TCP_MAXRXTSHIFT + 1] =
    { 1, 2, 4, 8, 16, 32, 64, 64, 64, 64, 64, 64, 64 };

static void (* const tcp_timer_func[TCPT_NTIMERS])(void *) = {
	[TCPT_REXMT] = tcp_timer_rexmt,
	[TCPT_PERSIST] = tcp_timer_persist,
	[TCPT_KEEP] = tcp_timer_keep,
	[TCPT_2MSL] = tcp_timer_2msl,
	[TCPT_DELACK] = tcp_timer_delack,
};

void
tcp_timer_init(struct tcpcb *tp)
{
	int i;

	for (i = 0; i < TCPT_NTIMERS; i++)
		callout_init(&tp->t_timer[i], 0);
	tp->t_timer_on = 0;
}

/*
 * Arm timer `which' to fire in `delta' ticks, or disarm it when delta
 * is 0.
 */
void
tcp_timer_activate(struct tcpcb *tp, int which, u_int delta)
{

	if (delta == 0) {
		callout_stop(&tp->t_timer[which]);
		tp->t_timer_on &= ~(1u << which);
	} else {
		tp->t_timer_on |= 1u << which;
		callout_reset(&tp->t_timer[which], (int)delta,
		    tcp_timer_func[which], tp);
	}
}

int
tcp_timer_active(struct tcpcb *tp, int which)
{

	return ((tp->t_timer_on & (1u << which)) != 0);
}

void
tcp_timer_stop_all(struct tcpcb *tp)
{
	int i;

	for (i = 0; i < TCPT_NTIMERS; i++)
		tcp_timer_activate(tp, i, 0);
}

/*
 * Common entry of the handlers: a handler that lost a race with
 * callout_stop or callout_reset (it was already on its way to Giant when
 * the timer was disarmed or rearmed) does nothing.
 */
static int
tcp_timer_enter(struct tcpcb *tp, int which)
{

	if (callout_pending(&tp->t_timer[which]) ||
	    !tcp_timer_active(tp, which))
		return (0);
	tp->t_timer_on &= ~(1u << which);
	return (1);
}

void
tcp_timer_delack(void *xtp)
{
	struct tcpcb *tp = xtp;
	int s;

	CURVNET_SET(tp->t_vnet);
	s = splnet();
	if (tcp_timer_enter(tp, TCPT_DELACK)) {
		tp->t_flags |= TF_ACKNOW;
		TCPSTAT_INC(tcps_delack);
		(void)tcp_output(tp);
	}
	splx(s);
	CURVNET_RESTORE();
}

/*
 * 2MSL timeout in TIME_WAIT, or the end of an orphaned FIN_WAIT_2.
 */
void
tcp_timer_2msl(void *xtp)
{
	struct tcpcb *tp = xtp;
	int s, closeit;

	CURVNET_SET(tp->t_vnet);
	closeit = 0;
	s = splnet();
	if (tcp_timer_enter(tp, TCPT_2MSL)) {
		if (tp->t_state == TCPS_FIN_WAIT_2)
			TCPSTAT_INC(tcps_finwait2_drops);
		closeit = 1;
	}
	splx(s);
	if (closeit)
		(void)tcp_close(tp);
	CURVNET_RESTORE();
}

/*
 * Connection establishment limit, and keepalive probes on an idle
 * connection: a segment with SEG.SEQ = SND.NXT - 1 and no data, which
 * the peer must answer with an ACK (RFC 9293 3.8.4).
 */
void
tcp_timer_keep(void *xtp)
{
	struct tcpcb *tp = xtp;
	struct socket *so;
	int s, idle, drop;

	CURVNET_SET(tp->t_vnet);
	drop = 0;
	s = splnet();
	if (!tcp_timer_enter(tp, TCPT_KEEP))
		goto out;
	so = tp->t_inpcb->inp_socket;
	TCPSTAT_INC(tcps_keeptimeo);
	if (tp->t_state < TCPS_ESTABLISHED)
		goto dropit;
	if ((so->so_options & SO_KEEPALIVE) && tp->t_state <= TCPS_CLOSING) {
		idle = ticks - tp->t_rcvtime;
		if (idle >= tp->t_keepidle +
		    tp->t_keepcntmax * tp->t_keepintvl)
			goto dropit;
		TCPSTAT_INC(tcps_keepprobe);
		tcp_respond(tp, NULL, NULL, NULL, tp->rcv_nxt,
		    tp->snd_una - 1, TH_ACK);
		tcp_timer_activate(tp, TCPT_KEEP, tp->t_keepintvl);
	} else
		tcp_timer_activate(tp, TCPT_KEEP, tp->t_keepidle);
	goto out;
dropit:
	TCPSTAT_INC(tcps_keepdrops);
	drop = 1;
out:
	splx(s);
	if (drop)
		(void)tcp_drop(tp, ETIMEDOUT);
	CURVNET_RESTORE();
}

/*
 * Persist timeout: the peer's window is zero; force out one byte to
 * probe it (RFC 9293 3.8.6.1).
 */
void
tcp_timer_persist(void *xtp)
{
	struct tcpcb *tp = xtp;
	int s, drop;

	CURVNET_SET(tp->t_vnet);
	drop = 0;
	s = splnet();
	if (!tcp_timer_enter(tp, TCPT_PERSIST))
		goto out;
	TCPSTAT_INC(tcps_persisttimeo);
	/*
	 * A peer that keeps a zero window but answers the probes stays
	 * connected; one that stops answering is dropped after the
	 * backoff runs out, as for retransmissions.
	 */
	if (tp->t_rxtshift == TCP_MAXRXTSHIFT &&
	    ticks - tp->t_rcvtime >= TCPTV_REXMTMAX * TCP_MAXRXTSHIFT) {
		TCPSTAT_INC(tcps_persistdrop);
		drop = 1;
		goto out;
	}
	tcp_setpersist(tp);
	tp->t_flags |= TF_FORCEDATA;
	(void)tcp_output(tp);
	tp->t_flags &= ~TF_FORCEDATA;
out:
	splx(s);
	if (drop)
		(void)tcp_drop(tp, ETIMEDOUT);
	CURVNET_RESTORE();
}

/*
 * Retransmission timeout (RFC 6298 5.4-5.7, RFC 5681 3.1 for the
 * congestion window): back off, collapse cwnd to one segment and resend
 * from snd_una.
 */
void
tcp_timer_rexmt(void *xtp)
{
	struct tcpcb *tp = xtp;
	u_long win;
	int s, rexmt, drop;

	CURVNET_SET(tp->t_vnet);
	drop = 0;
	s = splnet();
	if (!tcp_timer_enter(tp, TCPT_REXMT))
		goto out;
	if (++tp->t_rxtshift > (tp->t_state == TCPS_SYN_SENT ?
	    TCP_SYNRXTSHIFT : TCP_MAXRXTSHIFT)) {
		tp->t_rxtshift = TCP_MAXRXTSHIFT;
		TCPSTAT_INC(tcps_timeoutdrop);
		drop = 1;
		goto out;
	}
	TCPSTAT_INC(tcps_rexmttimeo);
	if (tp->t_state == TCPS_SYN_SENT || tp->t_state == TCPS_SYN_RECEIVED)
		rexmt = TCPTV_RTOBASE * tcp_backoff[tp->t_rxtshift];
	else
		rexmt = TCP_REXMTVAL(tp) * tcp_backoff[tp->t_rxtshift];
	TCPT_RANGESET(tp->t_rxtcur, rexmt, tp->t_rttmin, TCPTV_REXMTMAX);
	/*
	 * After several backoffs the RTT estimate is suspect: keep the
	 * variance, forget the mean, so the next sample starts afresh.
	 */
	if (tp->t_rxtshift > TCP_MAXRXTSHIFT / 4) {
		tp->t_rttvar += tp->t_srtt >> TCP_RTT_SHIFT;
		tp->t_srtt = 0;
	}
	tp->snd_nxt = tp->snd_una;
	tp->snd_recover = tp->snd_max;
	tp->t_flags |= TF_ACKNOW;
	tp->t_rtttime = 0;	/* Karn: no sample from a retransmission */
	/* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 * SMSS) */
	win = (u_long)(tp->snd_max - tp->snd_una) / 2 / tp->t_maxseg;
	if (win < 2)
		win = 2;
	if (tp->t_state >= TCPS_ESTABLISHED) {
		tp->snd_ssthresh = win * tp->t_maxseg;
		tp->snd_cwnd = tp->t_maxseg;
	}
	tp->t_bytes_acked = 0;
	tp->t_dupacks = 0;
	EXIT_FASTRECOVERY(tp);
	(void)tcp_output(tp);
out:
	splx(s);
	if (drop)
		(void)tcp_drop(tp, ETIMEDOUT);
	CURVNET_RESTORE();
}
