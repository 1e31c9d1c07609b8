/*
 * Network interfaces: flags and the names shared with applications.
 */
#ifndef _NET_IF_H_
#define	_NET_IF_H_

#include <sys/types.h>

#define	IFNAMSIZ	16
#define	IF_NAMESIZE	IFNAMSIZ

/* Interface flags (if_flags). */
#define	IFF_UP		0x1		/* interface is up */
#define	IFF_BROADCAST	0x2		/* broadcast address valid */
#define	IFF_DEBUG	0x4		/* turn on debugging */
#define	IFF_LOOPBACK	0x8		/* is a loopback net */
#define	IFF_POINTOPOINT	0x10		/* interface is point-to-point link */
#define	IFF_RUNNING	0x40		/* resources allocated */
#define	IFF_NOARP	0x80		/* no address resolution protocol */
#define	IFF_PROMISC	0x100		/* receive all packets */
#define	IFF_ALLMULTI	0x200		/* receive all multicast packets */
#define	IFF_SIMPLEX	0x800		/* can't hear own transmissions */
#define	IFF_MULTICAST	0x8000		/* supports multicast */
/*
 * The driver is not MP-safe: its interrupt thread, and netisr work that
 * came from it, run with Giant.  Every legacy driver sets it.
 */
#define	IFF_NEEDSGIANT	0x400000

/* if_drv_flags, the transmit side's, under the send queue's level. */
#define	IFF_DRV_OACTIVE	0x400		/* a thread drains if_snd; others queue */

/* Interface types (if_type), from the IANA ifType registry. */
#define	IFT_ETHER	0x6		/* Ethernet CSMA/CD */
#define	IFT_LOOP	0x18		/* loopback */

#endif /* !_NET_IF_H_ */
