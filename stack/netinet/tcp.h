/*
 * TCP header and option definitions (RFC 9293, RFC 7323, RFC 2018).
 */
#ifndef _NETINET_TCP_H_
#define	_NETINET_TCP_H_

#include <sys/types.h>

typedef	uint32_t tcp_seq;

/*
 * TCP header, as on the wire (network byte order).
 */
struct tcphdr {
	uint16_t th_sport;		/* source port */
	uint16_t th_dport;		/* destination port */
	tcp_seq	th_seq;			/* sequence number */
	tcp_seq	th_ack;			/* acknowledgement number */
	uint8_t	th_x2_off;		/* data offset (high nibble) */
	uint8_t	th_flags;
	uint16_t th_win;		/* window */
	uint16_t th_sum;		/* checksum */
	uint16_t th_urp;		/* urgent pointer */
} __attribute__((__packed__));

#define	TH_OFF(th)		(((th)->th_x2_off >> 4) & 0x0f)
#define	TH_SETOFF(th, off)	((th)->th_x2_off = (uint8_t)((off) << 4))

#define	TH_FIN	0x01
#define	TH_SYN	0x02
#define	TH_RST	0x04
#define	TH_PUSH	0x08
#define	TH_ACK	0x10
#define	TH_URG	0x20
#define	TH_ECE	0x40
#define	TH_CWR	0x80
#define	TH_FLAGS	(TH_FIN|TH_SYN|TH_RST|TH_PUSH|TH_ACK|TH_URG)

#define	TCPOPT_EOL		0
#define	TCPOPT_NOP		1
#define	TCPOPT_MAXSEG		2
#define	   TCPOLEN_MAXSEG		4
#define	TCPOPT_WINDOW		3
#define	   TCPOLEN_WINDOW		3
#define	TCPOPT_SACK_PERMITTED	4
#define	   TCPOLEN_SACK_PERMITTED	2
#define	TCPOPT_SACK		5
#define	   TCPOLEN_SACK			8	/* per block */
#define	TCPOPT_TIMESTAMP	8
#define	   TCPOLEN_TIMESTAMP		10
#define	   TCPOLEN_TSTAMP_APPA		(TCPOLEN_TIMESTAMP + 2)

#define	MAX_TCPOPTLEN		40	/* at most 40 bytes of options */
#define	TCP_MAXOLEN		MAX_TCPOPTLEN

#define	TCP_MSS			536	/* default MSS (RFC 9293 3.7.1) */
#define	TCP_MINMSS		216
#define	TCP_MAXWIN		65535	/* largest unscaled window */
#define	TCP_MAX_WINSHIFT	14	/* RFC 7323 2.3 */
#define	TCP_MAXBURST		4
#define	TCP_MAX_SACK		4	/* SACK blocks we report */

/*
 * Socket options of level IPPROTO_TCP (setsockopt/getsockopt).
 */
#define	TCP_NODELAY	0x01	/* don't delay send to coalesce packets */
#define	TCP_MAXSEG	0x02	/* set maximum segment size */
#define	TCP_NOPUSH	0x04	/* don't push last block of write */
#define	TCP_NOOPT	0x08	/* don't use TCP options */
#define	TCP_KEEPIDLE	0x100	/* seconds before first keepalive probe */
#define	TCP_KEEPINTVL	0x200	/* seconds between keepalive probes */
#define	TCP_KEEPCNT	0x400	/* probes before the connection drops */
#define	TCP_INFO	0x20	/* struct tcp_info (subset) */

/*
 * Connection summary returned by getsockopt(TCP_INFO).
 */
struct tcp_info {
	uint8_t		tcpi_state;
	uint8_t		tcpi_options;
	uint8_t		tcpi_snd_wscale;
	uint8_t		tcpi_rcv_wscale;
	uint32_t	tcpi_rto;	/* ticks */
	uint32_t	tcpi_snd_mss;
	uint32_t	tcpi_rcv_mss;
	uint32_t	tcpi_rtt;	/* smoothed, ticks */
	uint32_t	tcpi_rttvar;
	uint32_t	tcpi_snd_ssthresh;
	uint32_t	tcpi_snd_cwnd;
	uint32_t	tcpi_snd_wnd;
	uint32_t	tcpi_rcv_space;
	uint32_t	tcpi_snd_rexmitpack;
};
#define	TCPI_OPT_TIMESTAMPS	0x01
#define	TCPI_OPT_SACK		0x02
#define	TCPI_OPT_WSCALE		0x04

#endif /* !_NETINET_TCP_H_ */
