/*
 * TCP control block, statistics and the interfaces between the TCP files.
 *
 * Legacy style: everything here is protected by splnet() (in practice by
 * Giant, which every kernel entry holds); statistics are plain counters.
 */
#ifndef _NETINET_TCP_VAR_H_
#define	_NETINET_TCP_VAR_H_

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/callout.h>
#include <net/vnet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/tcp_timer.h>

struct mbuf;
struct socket;
struct sockopt;
struct sockaddr;
struct inpcb;
struct ip;
struct pr_usrreqs;

/*
 * An out-of-order segment waiting in the reassembly queue.
 */
struct tseg_qent {
	TAILQ_ENTRY(tseg_qent) tqe_q;
	tcp_seq		tqe_seq;	/* first sequence number */
	int		tqe_len;	/* data length */
	int		tqe_fin;	/* segment carried a FIN */
	struct mbuf	*tqe_m;		/* data (header stripped) */
};
TAILQ_HEAD(tsegqe_head, tseg_qent);

/*
 * Options parsed from an incoming segment.
 */
struct tcpopt {
	u_int		to_flags;
#define	TOF_MSS		0x0001
#define	TOF_SCALE	0x0002
#define	TOF_SACKPERM	0x0004
#define	TOF_TS		0x0010
#define	TOF_SACK	0x0020
	uint32_t	to_tsval;
	uint32_t	to_tsecr;
	uint16_t	to_mss;
	uint8_t		to_wscale;
	uint8_t		to_nsacks;
	u_char		*to_sacks;	/* points into the header */
};

struct sackblk {
	tcp_seq		start;
	tcp_seq		end;
};

/*
 * The TCP control block, one per connection.
 */
struct tcpcb {
	struct tsegqe_head t_segq;	/* reassembly queue */
	int		t_segqlen;	/* bytes queued for reassembly */
	int		t_segqcnt;	/* segments queued for reassembly */
	struct inpcb	*t_inpcb;	/* back pointer to internet pcb */
	struct vnet	*t_vnet;	/* stack instance (for timers) */
	int		t_state;	/* state of this connection */
	u_int		t_flags;
#define	TF_ACKNOW	0x00000001	/* ack peer immediately */
#define	TF_DELACK	0x00000002	/* ack, but try to delay it */
#define	TF_NODELAY	0x00000004	/* TCP_NODELAY: Nagle off */
#define	TF_NOOPT	0x00000008	/* don't use tcp options */
#define	TF_SENTFIN	0x00000010	/* have sent FIN */
#define	TF_REQ_SCALE	0x00000020	/* we offer window scaling */
#define	TF_RCVD_SCALE	0x00000040	/* peer offered window scaling */
#define	TF_REQ_TSTMP	0x00000080	/* we offer timestamps */
#define	TF_RCVD_TSTMP	0x00000100	/* a timestamp was received in SYN */
#define	TF_SACK_PERMIT	0x00000200	/* peer sent SACK-permitted */
#define	TF_NEEDFIN	0x00000800	/* send FIN (implicit state) */
#define	TF_NOPUSH	0x00001000	/* don't push */
#define	TF_FASTRECOVERY	0x00002000	/* in NewReno fast recovery */
#define	TF_FORCEDATA	0x00008000	/* force out a byte (persist) */
#define	TF_ABORTING	0x00040000	/* in pru_abort: soabort frees so */
	int		t_dupacks;	/* duplicate ACKs in a row */
	int		t_maxseg;	/* maximum segment size (send) */
	int		t_maxopd;	/* mss plus options */
	int		t_softerror;	/* soft error, reported on timeout */

	/* timers */
	struct callout	t_timer[TCPT_NTIMERS];
	u_int		t_timer_on;	/* bit per armed timer */
	u_int		t_timer_queued;	/* bit per callout queued or running */
	int		t_timer_due[TCPT_NTIMERS];	/* ticks: expiry */
	int		t_timer_fires[TCPT_NTIMERS];	/* ticks: callout's */
	int		t_rxtshift;	/* retransmissions so far (backoff) */
	int		t_rxtcur;	/* current retransmit value (ticks) */
	int		t_rcvtime;	/* ticks at last segment received */
	int		t_keepidle;	/* keepalive parameters (ticks) */
	int		t_keepintvl;
	int		t_keepcntmax;

	/* send sequence variables (RFC 9293 3.3.1) */
	tcp_seq		snd_una;	/* send unacknowledged */
	tcp_seq		snd_max;	/* highest sequence number sent */
	tcp_seq		snd_nxt;	/* send next */
	tcp_seq		snd_wl1;	/* seq of last window update */
	tcp_seq		snd_wl2;	/* ack of last window update */
	tcp_seq		iss;		/* initial send sequence number */
	u_long		snd_wnd;	/* send window */
	u_long		max_sndwnd;	/* largest send window seen */

	/* receive sequence variables */
	tcp_seq		rcv_nxt;	/* receive next */
	tcp_seq		rcv_adv;	/* advertised window edge */
	tcp_seq		irs;		/* initial receive sequence number */
	u_long		rcv_wnd;	/* receive window */
	tcp_seq		last_ack_sent;	/* rcv_nxt in the last ack sent */

	/* congestion control (RFC 5681, RFC 6582) */
	u_long		snd_cwnd;	/* congestion window */
	u_long		snd_ssthresh;	/* slow start threshold */
	u_long		t_bytes_acked;	/* bytes acked, congestion avoidance */
	tcp_seq		snd_recover;	/* NewReno: highest seq at loss */

	/* RTT estimation (RFC 6298) */
	int		t_rtttime;	/* ticks when the timed segment went */
	tcp_seq		t_rtseq;	/* sequence number being timed */
	int		t_srtt;		/* smoothed rtt, << TCP_RTT_SHIFT */
	int		t_rttvar;	/* 4 * rttvar (RFC 6298's K * RTTVAR) */
	u_int		t_rttmin;	/* minimum rto */
	u_int		t_rttupdated;	/* number of rtt samples */

	/* window scaling and timestamps (RFC 7323) */
	u_char		snd_scale;	/* scaling for send window */
	u_char		rcv_scale;	/* scaling for receive window */
	u_char		request_r_scale; /* our window scale, offered */
	u_char		requested_s_scale; /* the peer's, received */
	uint32_t	ts_recent;	/* timestamp echo data */
	int		ts_recent_age;	/* when last updated */
	uint32_t	ts_offset;	/* per-connection timestamp offset */

	/* receive-side SACK (RFC 2018) */
	tcp_seq		t_sacklast;	/* latest out-of-order arrival */

	/* RFC 5961 challenge ACK rate limiting */
	int		t_challenge_time;
	int		t_challenge_cnt;

	u_long		t_sndrexmitpack; /* retransmitted segments */
};

#define	IN_FASTRECOVERY(tp)	(((tp)->t_flags & TF_FASTRECOVERY) != 0)
#define	ENTER_FASTRECOVERY(tp)	((tp)->t_flags |= TF_FASTRECOVERY)
#define	EXIT_FASTRECOVERY(tp)	((tp)->t_flags &= ~TF_FASTRECOVERY)

#define	intotcpcb(ip)	((struct tcpcb *)(ip)->inp_ppcb)
#define	sototcpcb(so)	(intotcpcb(sotoinpcb(so)))

/* Round-trip time to RTO (RFC 6298 2.3): srtt + max(G, 4 * rttvar). */
#define	TCP_REXMTVAL(tp) \
	max((tp)->t_rttmin, ((tp)->t_srtt >> TCP_RTT_SHIFT) + \
	    max(1, (tp)->t_rttvar))

/*
 * TCP statistics, as netstat -s prints them.  A plain per-instance
 * structure bumped with ++ (legacy style).
 */
struct tcpstat {
	u_long	tcps_connattempt;	/* connections initiated */
	u_long	tcps_accepts;		/* connections accepted */
	u_long	tcps_connects;		/* connections established */
	u_long	tcps_drops;		/* connections dropped */
	u_long	tcps_conndrops;		/* embryonic connections dropped */
	u_long	tcps_closed;		/* connections closed (drops too) */
	u_long	tcps_segstimed;		/* segments timed for RTT */
	u_long	tcps_rttupdated;	/* RTT samples taken */
	u_long	tcps_delack;		/* delayed acks sent */
	u_long	tcps_timeoutdrop;	/* dropped after retransmit timeouts */
	u_long	tcps_rexmttimeo;	/* retransmit timeouts */
	u_long	tcps_persisttimeo;	/* persist timeouts */
	u_long	tcps_keeptimeo;		/* keepalive timeouts */
	u_long	tcps_keepprobe;		/* keepalive probes sent */
	u_long	tcps_keepdrops;		/* connections dropped in keepalive */
	u_long	tcps_finwait2_drops;	/* orphaned FIN_WAIT_2 timed out */

	u_long	tcps_sndtotal;		/* total packets sent */
	u_long	tcps_sndpack;		/* data packets sent */
	u_long	tcps_sndbyte;		/* data bytes sent */
	u_long	tcps_sndrexmitpack;	/* data packets retransmitted */
	u_long	tcps_sndrexmitbyte;	/* data bytes retransmitted */
	u_long	tcps_sndacks;		/* ack-only packets sent */
	u_long	tcps_sndprobe;		/* window probes sent */
	u_long	tcps_sndwinup;		/* window update-only packets sent */
	u_long	tcps_sndctrl;		/* control (SYN|FIN|RST) packets sent */
	u_long	tcps_sndrst;		/* RSTs sent */
	u_long	tcps_snderrs;		/* ip_output errors */

	u_long	tcps_rcvtotal;		/* total packets received */
	u_long	tcps_rcvpack;		/* packets received in sequence */
	u_long	tcps_rcvbyte;		/* bytes received in sequence */
	u_long	tcps_rcvbadsum;		/* segments with a bad checksum */
	u_long	tcps_rcvbadoff;		/* packets received with bad offset */
	u_long	tcps_rcvbadopt;		/* packets with malformed options */
	u_long	tcps_rcvshort;		/* packets received too short */
	u_long	tcps_rcvduppack;	/* duplicate-only packets received */
	u_long	tcps_rcvdupbyte;	/* duplicate-only bytes received */
	u_long	tcps_rcvpartduppack;	/* packets with some duplicate data */
	u_long	tcps_rcvpartdupbyte;	/* duplicate bytes in those */
	u_long	tcps_rcvoopack;		/* out-of-order packets received */
	u_long	tcps_rcvoobyte;		/* out-of-order bytes received */
	u_long	tcps_rcvpackafterwin;	/* packets with data after window */
	u_long	tcps_rcvbyteafterwin;	/* bytes past the window */
	u_long	tcps_rcvafterclose;	/* segments after the user closed */
	u_long	tcps_rcvwinprobe;	/* rcvd window probe packets */
	u_long	tcps_rcvdupack;		/* rcvd duplicate acks */
	u_long	tcps_rcvacktoomuch;	/* rcvd acks for unsent data */
	u_long	tcps_rcvackpack;	/* rcvd ack packets */
	u_long	tcps_rcvackbyte;	/* bytes acked by rcvd acks */
	u_long	tcps_rcvwinupd;		/* rcvd window update packets */
	u_long	tcps_pawsdrop;		/* segments dropped due to PAWS */
	u_long	tcps_persistdrop;	/* timeout in persist state */
	u_long	tcps_badsyn;		/* invalid SYN or handshake ACK */
	u_long	tcps_listendrop;	/* listen queue overflows */
	u_long	tcps_badrst;		/* ignored RSTs in the window */
	u_long	tcps_rcvrst;		/* RSTs accepted */
	u_long	tcps_noport;		/* segments for no connection (RST) */
	u_long	tcps_challenge_ack;	/* RFC 5961 challenge ACKs sent */
	u_long	tcps_challenge_limit;	/* challenge ACKs suppressed by rate */
	u_long	tcps_rcvmemdrop;	/* reassembly queue full, dropped */
	u_long	tcps_rcvsackblk;	/* SACK blocks sent */
	u_long	tcps_sndfastrexmit;	/* fast retransmits */
	u_long	tcps_fastrecovery;	/* fast recovery episodes */
};

VNET_DECLARE(struct tcpstat, tcpstat);
#define	V_tcpstat	VNET(tcpstat)
#define	TCPSTAT_INC(name)	(V_tcpstat.name++)
#define	TCPSTAT_ADD(name, v)	(V_tcpstat.name += (v))

VNET_DECLARE(struct inpcbinfo, tcbinfo);
#define	V_tcbinfo	VNET(tcbinfo)

/* Tunables, per instance. */
VNET_DECLARE(int, tcp_mssdflt);
#define	V_tcp_mssdflt	VNET(tcp_mssdflt)
VNET_DECLARE(int, tcp_do_rfc1323);
#define	V_tcp_do_rfc1323 VNET(tcp_do_rfc1323)
VNET_DECLARE(int, tcp_do_sack);
#define	V_tcp_do_sack	VNET(tcp_do_sack)
VNET_DECLARE(int, tcp_delack_enabled);
#define	V_tcp_delack_enabled VNET(tcp_delack_enabled)
VNET_DECLARE(int, tcp_sendspace);
#define	V_tcp_sendspace	VNET(tcp_sendspace)
VNET_DECLARE(int, tcp_recvspace);
#define	V_tcp_recvspace	VNET(tcp_recvspace)
VNET_DECLARE(int, tcp_reass_maxseg);
#define	V_tcp_reass_maxseg VNET(tcp_reass_maxseg)
VNET_DECLARE(int, tcp_reass_qsize);
#define	V_tcp_reass_qsize VNET(tcp_reass_qsize)
VNET_DECLARE(int, tcp_ack_limit);
#define	V_tcp_ack_limit	VNET(tcp_ack_limit)
VNET_DECLARE(uint8_t, tcp_isn_secret[32]);
#define	V_tcp_isn_secret VNET(tcp_isn_secret)
VNET_DECLARE(int, tcp_isn_inited);
#define	V_tcp_isn_inited VNET(tcp_isn_inited)

extern struct pr_usrreqs tcp_usrreqs;

/* protosw entry points (netinet/in_proto.c) */
void	tcp_init(void);
void	tcp_destroy(void);
void	tcp_ctlinput(int, struct sockaddr *, void *);
int	tcp_ctloutput(struct socket *, struct sockopt *);

/* tcp_subr.c */
struct tcpcb *tcp_newtcpcb(struct inpcb *);
struct tcpcb *tcp_close(struct tcpcb *);
struct tcpcb *tcp_drop(struct tcpcb *, int);
struct tcpcb *tcp_closeconn(struct tcpcb *);
struct tcpcb *tcp_dropconn(struct tcpcb *, int);
void	tcp_closeref(struct socket *);
void	tcp_discardcb(struct tcpcb *);
void	tcp_respond(struct tcpcb *, struct ip *, struct tcphdr *,
	    struct mbuf *, tcp_seq, tcp_seq, int);
void	tcp_mss(struct tcpcb *, int);
int	tcp_mssopt(struct tcpcb *);
tcp_seq	tcp_new_isn(struct inpcb *);
uint32_t tcp_ts_getticks(void);
void	tcp_state_change(struct tcpcb *, int);
const char *tcp_state_name(int);
int	tcp_stat_get(const char *, u_long *);
size_t	tcp_stat_format(char *, size_t);
void	tcp_drain(void);
u_short	tcp_cksum(struct mbuf *, int, int, struct in_addr, struct in_addr);
int	tcp_ip_output(struct inpcb *, struct mbuf *, struct in_addr,
	    struct in_addr, u_short, u_short, int);
void	tcp_twstart(struct tcpcb *);
void	tcp_challenge_ack(struct tcpcb *);

/* tcp_input.c */
void	tcp_input(struct mbuf *, int);
int	tcp_dooptions(struct tcpopt *, u_char *, int, int);
void	tcp_xmit_timer(struct tcpcb *, int);
int	tcp_reass(struct tcpcb *, tcp_seq, int *, int, struct mbuf *);
void	tcp_reass_flush(struct tcpcb *);

/* tcp_output.c */
int	tcp_output(struct tcpcb *);
void	tcp_setpersist(struct tcpcb *);
int	tcp_addoptions(struct tcpcb *, struct tcpopt *, u_char *, int);

/* tcp_usrreq.c */
void	tcp_request_scale(struct tcpcb *);
struct tcpcb *tcp_usrclosed(struct tcpcb *);

#endif /* !_NETINET_TCP_VAR_H_ */
