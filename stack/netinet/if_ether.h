/*
 * Address Resolution Protocol for IPv4 over ethernet, per RFC 826.
 */
#ifndef _NETINET_IF_ETHER_H_
#define	_NETINET_IF_ETHER_H_

#include <net/ethernet.h>
#include <netinet/in.h>
#include <net/vnet.h>

/* ARP packet header, followed by the addresses. */
struct arphdr {
	u_short	ar_hrd;		/* format of hardware address */
#define	ARPHRD_ETHER	1	/* ethernet hardware format */
	u_short	ar_pro;		/* format of protocol address */
	u_char	ar_hln;		/* length of hardware address */
	u_char	ar_pln;		/* length of protocol address */
	u_short	ar_op;		/* one of: */
#define	ARPOP_REQUEST	1	/* request to resolve address */
#define	ARPOP_REPLY	2	/* response to previous request */
};

/* Ethernet Address Resolution Protocol packet. */
struct ether_arp {
	struct	arphdr ea_hdr;	/* fixed-size header */
	u_char	arp_sha[ETHER_ADDR_LEN];	/* sender hardware address */
	u_char	arp_spa[4];	/* sender protocol address */
	u_char	arp_tha[ETHER_ADDR_LEN];	/* target hardware address */
	u_char	arp_tpa[4];	/* target protocol address */
};
#define	arp_hrd	ea_hdr.ar_hrd
#define	arp_pro	ea_hdr.ar_pro
#define	arp_hln	ea_hdr.ar_hln
#define	arp_pln	ea_hdr.ar_pln
#define	arp_op	ea_hdr.ar_op

struct arpstat {
	u_long	txrequests;	/* # of ARP requests sent by this host */
	u_long	txreplies;	/* # of ARP replies sent by this host */
	u_long	rxrequests;	/* # of ARP requests received by this host */
	u_long	rxreplies;	/* # of ARP replies received by this host */
	u_long	received;	/* # of ARP packets received by this host */
	u_long	dropped;	/* # of packets dropped waiting for a reply */
	u_long	timeouts;	/* # of times with entries removed */
	u_long	dupips;		/* # of duplicate IPs detected */
	u_long	badlen;		/* # of truncated or malformed packets */
	u_long	badaddr;	/* # of bad sender/target addresses */
	u_long	notforus;	/* # of requests for other addresses */
	u_long	gratuitous;	/* # of gratuitous announcements seen */
	u_long	entries;	/* entries now in the cache */
};

VNET_DECLARE(struct arpstat, arpstat);
#define	V_arpstat	VNET(arpstat)

/* Packets held per unresolved entry: all fragments of a 64 KB datagram. */
#define	ARP_MAXHOLD	48
#define	ARP_MAXTRIES	5	/* requests before giving up for a while */
#define	ARP_MAXENTRIES	256	/* cache size limit */

struct ifnet;
struct mbuf;
struct rtentry;
struct sockaddr;

void	arp_init(void);
void	arp_destroy(void);
void	arp_ifinit(struct ifnet *ifp, struct in_addr addr);
void	arp_ifdetach(struct ifnet *ifp);
void	arpintr(struct mbuf *m);
/* 0 and desten filled: send now; EWOULDBLOCK: held while resolving. */
int	arpresolve(struct ifnet *ifp, struct rtentry *rt, struct mbuf *m,
	    struct sockaddr *dst, u_char *desten);
void	arprequest(struct ifnet *ifp, struct in_addr *sip,
	    struct in_addr *tip, u_char *enaddr);
int	arp_lookup(struct ifnet *ifp, struct in_addr addr, u_char *enaddr);

#endif /* !_NETINET_IF_ETHER_H_ */
