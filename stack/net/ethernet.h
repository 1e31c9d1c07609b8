/*
 * Fundamental constants relating to ethernet.
 */
#ifndef _NET_ETHERNET_H_
#define	_NET_ETHERNET_H_

#include <sys/types.h>

#define	ETHER_ADDR_LEN		6	/* length of an Ethernet address */
#define	ETHER_TYPE_LEN		2	/* length of the Ethernet type field */
#define	ETHER_CRC_LEN		4	/* length of the Ethernet CRC */
#define	ETHER_HDR_LEN		(ETHER_ADDR_LEN * 2 + ETHER_TYPE_LEN)
#define	ETHER_MIN_LEN		64	/* minimum frame len, including CRC */
#define	ETHER_MAX_LEN		1518	/* maximum frame len, including CRC */
#define	ETHERMTU		(ETHER_MAX_LEN - ETHER_HDR_LEN - ETHER_CRC_LEN)
#define	ETHERMIN		(ETHER_MIN_LEN - ETHER_HDR_LEN - ETHER_CRC_LEN)
#define	ETHER_ALIGN		2	/* puts the IP header on a 4-byte boundary */

#define	ETHER_IS_MULTICAST(addr) (*(addr) & 0x01) /* is address mcast/bcast? */

/* The 14-byte ethernet (DIX) frame header. */
struct ether_header {
	u_char	ether_dhost[ETHER_ADDR_LEN];
	u_char	ether_shost[ETHER_ADDR_LEN];
	u_short	ether_type;
};

struct ether_addr {
	u_char	octet[ETHER_ADDR_LEN];
};

#define	ETHERTYPE_IP		0x0800	/* IP protocol */
#define	ETHERTYPE_ARP		0x0806	/* address resolution protocol */
#define	ETHERTYPE_REVARP	0x8035	/* reverse addr resolution protocol */
#define	ETHERTYPE_VLAN		0x8100	/* IEEE 802.1Q VLAN tagging */
#define	ETHERTYPE_IPV6		0x86dd	/* IP protocol version 6 */

struct ifnet;
struct mbuf;
struct rtentry;
struct sockaddr;

extern const u_char etherbroadcastaddr[ETHER_ADDR_LEN];

void	ether_ifattach(struct ifnet *ifp, const u_char *lla);
void	ether_ifdetach(struct ifnet *ifp);
void	ether_input(struct ifnet *ifp, struct mbuf *m);
void	ether_demux(struct ifnet *ifp, struct mbuf *m, int noarp);
int	ether_output(struct ifnet *ifp, struct mbuf *m,
	    struct sockaddr *dst, struct rtentry *rt);
int	ether_output_frame(struct ifnet *ifp, struct mbuf *m);
char	*ether_sprintf(const u_char *ap);

#endif /* !_NET_ETHERNET_H_ */
