/*
 * TCP timers: retransmission (RFC 6298), persist, keepalive, 2MSL and
 * delayed ACK.  Each connection has one callout per timer.
 *
 * A timer is armed on the connection's socket, not on its control block:
 * each armed timer holds a reference on the socket (soref), which the
 * handler's run drops, or the tcp_timer_activate() that disarms it.  The
 * handler enters the socket's section, as the input path and the user
 * requests do, and finds the connection there; when it is gone (closed
 * while the timer fired) the run does nothing.  A handler that gives up on
 * the connection closes it in its section (tcp_dropconn, tcp_closeconn):
 * its reference keeps the socket, which is freed, if nobody else holds it,
 * once the section is left.
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
	tp->t_timer_queued = 0;
}

/*
 * Queue timer `which''s callout to run in `delta' ticks.  A callout taken
 * off the queue (or whose run was cancelled) gives its reference back;
 * one queued anew takes one.  Never the last: the caller holds one too
 * (the tcp_close() that stops every timer frees the socket itself).
 */
static void
tcp_timer_queue(struct tcpcb *tp, int which, int delta)
{
	struct socket *so = tp->t_inpcb->inp_socket;

	tp->t_timer_queued |= 1u << which;
	tp->t_timer_fires[which] = ticks + delta;
	if (callout_reset(&tp->t_timer[which], delta, tcp_timer_func[which],
	    so) == 0)
		soref(so);
}

/*
 * Arm timer `which' to fire in `delta' ticks, or disarm it when delta
 * is 0.
 *
 * The retransmission, keepalive and delayed-ACK timers are pushed back
 * on nearly every segment.  Moving a callout costs the callout queue's
 * lock, shared by every connection, so a timer pushed back keeps its
 * callout where it is and records the new expiry: when the callout runs
 * early, tcp_timer_enter() queues it again for the rest.  Only a timer
 * that must fire sooner than its callout moves it.
 */
void
tcp_timer_activate(struct tcpcb *tp, int which, u_int delta)
{
	struct socket *so = tp->t_inpcb->inp_socket;
	int due;

	if (delta == 0) {
		if ((tp->t_timer_queued & (1u << which)) &&
		    callout_stop(&tp->t_timer[which])) {
			tp->t_timer_queued &= ~(1u << which);
			(void)sorele(so);
		}
		tp->t_timer_on &= ~(1u << which);
		return;
	}
	due = ticks + (int)delta;
	tp->t_timer_on |= 1u << which;
	tp->t_timer_due[which] = due;
	if ((tp->t_timer_queued & (1u << which)) &&
	    tp->t_timer_fires[which] - due <= 0)
		return;
	tcp_timer_queue(tp, which, (int)delta);
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
 * Common entry of the handlers, in the socket's section: the connection,
 * or NULL when it was closed since the timer fired, or when the handler
 * lost a race with callout_stop or callout_reset (the timer was disarmed
 * or rearmed while the run waited for the section).
 */
static struct tcpcb *
tcp_timer_enter(struct socket *so, int which)
{
	struct inpcb *inp;
	struct tcpcb *tp;

	inp = sotoinpcb(so);
	if (inp == NULL || (tp = intotcpcb(inp)) == NULL)
		return (NULL);
	if (callout_pending(&tp->t_timer[which]))
		return (NULL);
	tp->t_timer_queued &= ~(1u << which);
	if (!tcp_timer_active(tp, which))
		return (NULL);
	/* Pushed back since the callout was queued: wait for the rest. */
	if (tp->t_timer_due[which] - ticks > 0) {
		tcp_timer_queue(tp, which, tp->t_timer_due[which] - ticks);
		return (NULL);
	}
	tp->t_timer_on &= ~(1u << which);
	return (tp);
}

void
tcp_timer_delack(void *xso)
{
	struct socket *so = xso;
	struct tcpcb *tp;
	int last, s;

	CURVNET_SET(so->so_vnet);
	s = splnet();
	if ((tp = tcp_timer_enter(so, TCPT_DELACK)) != NULL) {
		tp->t_flags |= TF_ACKNOW;
		TCPSTAT_INC(tcps_delack);
		(void)tcp_output(tp);
	}
	last = sorele(so);
	splx(s);
	if (last)
		sofree(so);
	CURVNET_RESTORE();
}

/*
 * 2MSL timeout in TIME_WAIT, or the end of an orphaned FIN_WAIT_2.
 */
void
tcp_timer_2msl(void *xso)
{
	struct socket *so = xso;
	struct tcpcb *tp;
	int last, s;

	CURVNET_SET(so->so_vnet);
	s = splnet();
	if ((tp = tcp_timer_enter(so, TCPT_2MSL)) != NULL) {
		if (tp->t_state == TCPS_FIN_WAIT_2)
			TCPSTAT_INC(tcps_finwait2_drops);
		(void)tcp_closeconn(tp);
	}
	last = sorele(so);
	splx(s);
	if (last)
		sofree(so);
	CURVNET_RESTORE();
}

/*
 * Connection establishment limit, and keepalive probes on an idle
 * connection: a segment with SEG.SEQ = SND.NXT - 1 and no data, which
 * the peer must answer with an ACK (RFC 9293 3.8.4).
 */
void
tcp_timer_keep(void *xso)
{
	struct socket *so = xso;
	struct tcpcb *tp;
	int last, s, idle;

	CURVNET_SET(so->so_vnet);
	s = splnet();
	if ((tp = tcp_timer_enter(so, TCPT_KEEP)) == NULL)
		goto out;
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
	(void)tcp_dropconn(tp, ETIMEDOUT);
out:
	last = sorele(so);
	splx(s);
	if (last)
		sofree(so);
	CURVNET_RESTORE();
}

/*
 * Persist timeout: the peer's window is zero; force out one byte to
 * probe it (RFC 9293 3.8.6.1).
 */
void
tcp_timer_persist(void *xso)
{
	struct socket *so = xso;
	struct tcpcb *tp;
	int last, s;

	CURVNET_SET(so->so_vnet);
	s = splnet();
	if ((tp = tcp_timer_enter(so, TCPT_PERSIST)) == NULL)
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
		(void)tcp_dropconn(tp, ETIMEDOUT);
		goto out;
	}
	tcp_setpersist(tp);
	tp->t_flags |= TF_FORCEDATA;
	(void)tcp_output(tp);
	tp->t_flags &= ~TF_FORCEDATA;
out:
	last = sorele(so);
	splx(s);
	if (last)
		sofree(so);
	CURVNET_RESTORE();
}

/*
 * Retransmission timeout (RFC 6298 5.4-5.7, RFC 5681 3.1 for the
 * congestion window): back off, collapse cwnd to one segment and resend
 * from snd_una.
 */
void
tcp_timer_rexmt(void *xso)
{
	struct socket *so = xso;
	struct tcpcb *tp;
	u_long win;
	int last, s, rexmt;

	CURVNET_SET(so->so_vnet);
	s = splnet();
	if ((tp = tcp_timer_enter(so, TCPT_REXMT)) == NULL)
		goto out;
	if (++tp->t_rxtshift > (tp->t_state == TCPS_SYN_SENT ?
	    TCP_SYNRXTSHIFT : TCP_MAXRXTSHIFT)) {
		tp->t_rxtshift = TCP_MAXRXTSHIFT;
		TCPSTAT_INC(tcps_timeoutdrop);
		(void)tcp_dropconn(tp, ETIMEDOUT);
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
	last = sorele(so);
	splx(s);
	if (last)
		sofree(so);
	CURVNET_RESTORE();
}
