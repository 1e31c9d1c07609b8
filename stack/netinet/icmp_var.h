/*
 * ICMP statistics of a stack instance: what was sent, what came in, and
 * why messages were dropped.
 */
#ifndef _NETINET_ICMP_VAR_H_
#define	_NETINET_ICMP_VAR_H_

#include <netinet/ip_icmp.h>
#include <net/vnet.h>

struct icmpstat {
/* errors this host sent */
	u_long	icps_error;		/* errors requested */
	u_long	icps_oldshort;		/* none sent: quoted packet too short */
	u_long	icps_oldicmp;		/* none sent: it was an ICMP error */
	u_long	icps_outhist[ICMP_MAXTYPE + 1];
/* messages received */
	u_long	icps_badcode;		/* icmp_code out of range */
	u_long	icps_tooshort;		/* packet < ICMP_MINLEN */
	u_long	icps_checksum;		/* bad checksum */
	u_long	icps_badlen;		/* length inconsistent */
	u_long	icps_reflect;		/* replies sent */
	u_long	icps_inhist[ICMP_MAXTYPE + 1];
	u_long	icps_bmcastecho;	/* b/mcast echo requests dropped */
	u_long	icps_noroute;		/* no route back */
};

VNET_DECLARE(struct icmpstat, icmpstat);
#define	V_icmpstat	VNET(icmpstat)

#endif /* !_NETINET_ICMP_VAR_H_ */
