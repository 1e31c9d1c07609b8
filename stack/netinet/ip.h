/*
 * IPv4 header layout and constants (RFC 791).
 */
#ifndef _NETINET_IP_H_
#define	_NETINET_IP_H_

#include <netinet/in.h>

#define	IPVERSION	4

/* Structure of an internet header, naked of options. */
struct ip {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	u_int	ip_hl:4,		/* header length */
		ip_v:4;			/* version */
#else
	u_int	ip_v:4,			/* version */
		ip_hl:4;		/* header length */
#endif
	u_char	ip_tos;			/* type of service */
	u_short	ip_len;			/* total length */
	u_short	ip_id;			/* identification */
	u_short	ip_off;			/* fragment offset field */
#define	IP_RF 0x8000			/* reserved fragment flag */
#define	IP_DF 0x4000			/* dont fragment flag */
#define	IP_MF 0x2000			/* more fragments flag */
#define	IP_OFFMASK 0x1fff		/* mask for fragmenting bits */
	u_char	ip_ttl;			/* time to live */
	u_char	ip_p;			/* protocol */
	u_short	ip_sum;			/* checksum */
	struct	in_addr ip_src, ip_dst;	/* source and dest address */
};

#define	IP_MAXPACKET	65535		/* maximum packet size */
#define	IP_MSS		576		/* default maximum segment size */

/* Definitions for options. */
#define	IPOPT_COPIED(o)		((o)&0x80)
#define	IPOPT_EOL		0		/* end of option list */
#define	IPOPT_NOP		1		/* no operation */
#define	IPOPT_RR		7		/* record packet route */
#define	IPOPT_TS		68		/* timestamp */
#define	IPOPT_LSRR		131		/* loose source route */
#define	IPOPT_SSRR		137		/* strict source route */
#define	IPOPT_RA		148		/* router alert */

#define	IPOPT_OPTVAL		0		/* option ID */
#define	IPOPT_OLEN		1		/* option length */

/* Internet implementation parameters. */
#define	MAXTTL		255		/* maximum time to live (seconds) */
#define	IPDEFTTL	64		/* default ttl, from RFC 1340 */
#define	IPFRAGTTL	60		/* time to live for frags, slowhz */
#define	IPTTLDEC	1		/* subtracted when forwarding */

#endif /* !_NETINET_IP_H_ */
