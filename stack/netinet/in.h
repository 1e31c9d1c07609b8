/*
 * IPv4 protocol numbers, addresses, socket address and the IP-level
 * socket options, as applications and the stack use them.
 */
#ifndef _NETINET_IN_H_
#define	_NETINET_IN_H_

#include <sys/types.h>
#include <sys/socket.h>

/* Protocols common to RFC 1700, POSIX, and X/Open. */
#define	IPPROTO_IP		0		/* dummy for IP */
#define	IPPROTO_ICMP		1		/* control message protocol */
#define	IPPROTO_TCP		6		/* tcp */
#define	IPPROTO_UDP		17		/* user datagram protocol */
#define	IPPROTO_RAW		255		/* raw IP packet */
#define	IPPROTO_MAX		256

/* in_addr_t and in_port_t come from <sys/types.h>. */

/* Internet address (a structure for historical reasons). */
struct in_addr {
	in_addr_t s_addr;
};

/* Socket address, internet style. */
struct sockaddr_in {
	uint8_t	sin_len;
	sa_family_t	sin_family;
	in_port_t	sin_port;
	struct	in_addr sin_addr;
	char	sin_zero[8];
};

/* Byte order: the host is little endian or big endian, as the compiler says. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#ifndef htons
#define	htons(x)	((uint16_t)__builtin_bswap16((uint16_t)(x)))
#define	ntohs(x)	((uint16_t)__builtin_bswap16((uint16_t)(x)))
#define	htonl(x)	((uint32_t)__builtin_bswap32((uint32_t)(x)))
#define	ntohl(x)	((uint32_t)__builtin_bswap32((uint32_t)(x)))
#endif
#else
#ifndef htons
#define	htons(x)	((uint16_t)(x))
#define	ntohs(x)	((uint16_t)(x))
#define	htonl(x)	((uint32_t)(x))
#define	ntohl(x)	((uint32_t)(x))
#endif
#endif

/*
 * Address class masks and special addresses, as host-order integers.
 */
#define	IN_CLASSA(i)		(((uint32_t)(i) & 0x80000000) == 0)
#define	IN_CLASSA_NET		0xff000000
#define	IN_CLASSA_NSHIFT	24
#define	IN_CLASSA_HOST		0x00ffffff
#define	IN_CLASSB(i)		(((uint32_t)(i) & 0xc0000000) == 0x80000000)
#define	IN_CLASSB_NET		0xffff0000
#define	IN_CLASSC(i)		(((uint32_t)(i) & 0xe0000000) == 0xc0000000)
#define	IN_CLASSC_NET		0xffffff00
#define	IN_CLASSD(i)		(((uint32_t)(i) & 0xf0000000) == 0xe0000000)
#define	IN_MULTICAST(i)		IN_CLASSD(i)
#define	IN_EXPERIMENTAL(i)	(((uint32_t)(i) & 0xf0000000) == 0xf0000000)
#define	IN_BADCLASS(i)		IN_EXPERIMENTAL(i)
#define	IN_LOOPBACKNET		127

#define	INADDR_ANY		((in_addr_t)0x00000000)
#define	INADDR_BROADCAST	((in_addr_t)0xffffffff)
#define	INADDR_LOOPBACK		((in_addr_t)0x7f000001)
#define	INADDR_NONE		((in_addr_t)0xffffffff)

/* Port ranges (host order). */
#define	IPPORT_RESERVED		1024
#define	IPPORT_EPHEMERALFIRST	49152
#define	IPPORT_EPHEMERALLAST	65535
#define	IPPORT_MAX		65535

/* Options for use with [gs]etsockopt at the IP level. */
#define	IP_OPTIONS		1	/* buf/ip_opts; set/get IP options */
#define	IP_HDRINCL		2	/* int; header is included with data */
#define	IP_TOS			3	/* int; IP type of service and preced. */
#define	IP_TTL			4	/* int; IP time to live */

#define	IP_DEFAULT_MULTICAST_TTL 1

struct mbuf;
struct ifnet;
struct ip;

/* Checksums (in_cksum.c). */
u_short	in_cksum(struct mbuf *m, int len);
u_short	in_cksum_skip(struct mbuf *m, int len, int skip);
u_short	in_cksum_hdr(const struct ip *ip);
u_short	in_pseudo(uint32_t a, uint32_t b, uint32_t c);
u_short	in_addword(u_short a, u_short b);

/* Addresses (in.c). */
int	in_broadcast(struct in_addr in, struct ifnet *ifp);
int	in_canforward(struct in_addr in);
int	in_localip(struct in_addr in);
char	*inet_ntoa_r(struct in_addr ina, char *buf);	/* buf >= 16 */
int	inet_aton_r(const char *cp, struct in_addr *addr);

#define	satosin(sa)	((struct sockaddr_in *)(sa))
#define	sintosa(sin)	((struct sockaddr *)(sin))

#endif /* !_NETINET_IN_H_ */
