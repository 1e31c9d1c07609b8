/*
 * TCP timer values and the per-connection timers (RFC 6298, RFC 9293).
 * All values are in ticks (hz is 1000, so a tick is a millisecond).
 */
#ifndef _NETINET_TCP_TIMER_H_
#define	_NETINET_TCP_TIMER_H_

#define	TCPT_REXMT	0		/* retransmit */
#define	TCPT_PERSIST	1		/* retransmit persistence */
#define	TCPT_KEEP	2		/* keepalive, connection setup limit */
#define	TCPT_2MSL	3		/* 2*msl quiet time / FIN_WAIT_2 */
#define	TCPT_DELACK	4		/* delayed ack */
#define	TCPT_NTIMERS	5

#define	TCPTV_MSL	(30 * hz)	/* max seg lifetime */
#define	TCPTV_SRTTBASE	0		/* no rtt measured yet */
#define	TCPTV_RTOBASE	(1 * hz)	/* initial RTO (RFC 6298 2.1) */
#define	TCPTV_MIN	(hz / 5)	/* lower bound on the RTO */
#define	TCPTV_REXMTMAX	(64 * hz)	/* upper bound on the RTO */
#define	TCPTV_PERSMIN	(5 * hz)	/* persist interval bounds */
#define	TCPTV_PERSMAX	(60 * hz)
#define	TCPTV_KEEP_INIT	(75 * hz)	/* connection establishment limit */
#define	TCPTV_KEEP_IDLE	(120 * 60 * hz)	/* idle time before probing */
#define	TCPTV_KEEPINTVL	(75 * hz)	/* between probes */
#define	TCPTV_KEEPCNT	8		/* probes before drop */
#define	TCPTV_FINWAIT2_TIMEOUT (60 * hz) /* orphaned FIN_WAIT_2 limit */
#define	TCPTV_DELACK	(hz / 10)	/* delayed ack timeout */

#define	TCP_MAXRXTSHIFT	12		/* retransmissions before drop */
#define	TCP_SYNRXTSHIFT	6		/* SYN retransmissions before drop */
#define	TCP_RTT_SHIFT	3		/* srtt is kept scaled by 8 */
#define	TCP_RTT_SCALE	(1 << TCP_RTT_SHIFT)
#define	TCP_RTTVAR_SHIFT 2		/* rttvar is kept scaled by 4 */
#define	TCP_RTTVAR_SCALE (1 << TCP_RTTVAR_SHIFT)

/* Clamp a timer value into [tvmin, tvmax]. */
#define	TCPT_RANGESET(tv, value, tvmin, tvmax) do {			\
	(tv) = (value);							\
	if ((u_long)(tv) < (u_long)(tvmin))				\
		(tv) = (tvmin);						\
	else if ((u_long)(tv) > (u_long)(tvmax))			\
		(tv) = (tvmax);						\
} while (0)

struct tcpcb;

extern const int tcp_backoff[TCP_MAXRXTSHIFT + 1];

void	tcp_timer_init(struct tcpcb *);
void	tcp_timer_activate(struct tcpcb *, int, u_int);
int	tcp_timer_active(struct tcpcb *, int);
void	tcp_timer_stop_all(struct tcpcb *);
void	tcp_timer_delack(void *);
void	tcp_timer_rexmt(void *);
void	tcp_timer_persist(void *);
void	tcp_timer_keep(void *);
void	tcp_timer_2msl(void *);

#endif /* !_NETINET_TCP_TIMER_H_ */
