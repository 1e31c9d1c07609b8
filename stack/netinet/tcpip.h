/*
 * An IP header followed by a TCP header, as TCP builds its segments.
 */
#ifndef _NETINET_TCPIP_H_
#define	_NETINET_TCPIP_H_

#include <netinet/ip.h>
#include <netinet/tcp.h>

struct tcpiphdr {
	struct ip	ti_i;		/* IP header, no options */
	struct tcphdr	ti_t;		/* TCP header */
} __attribute__((__packed__));

#endif /* !_NETINET_TCPIP_H_ */
