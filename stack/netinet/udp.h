/*
 * User Datagram Protocol header, per RFC 768.
 */
#ifndef _NETINET_UDP_H_
#define	_NETINET_UDP_H_

struct udphdr {
	u_short	uh_sport;		/* source port */
	u_short	uh_dport;		/* destination port */
	u_short	uh_ulen;		/* udp length */
	u_short	uh_sum;			/* udp checksum */
};

#endif /* !_NETINET_UDP_H_ */
