/*
 * Interface addresses of the internet family.  The list of all of them
 * (in_ifaddrhead) is a per-instance global, as in_ifaddr was: changed
 * under Giant at splnet(), looked at from the input path and by senders
 * at splnet().
 */
#ifndef _NETINET_IN_VAR_H_
#define	_NETINET_IN_VAR_H_

#include <sys/queue.h>
#include <net/if_var.h>
#include <netinet/in.h>

struct in_ifaddr {
	struct	ifaddr ia_ifa;		/* protocol-independent info */
#define	ia_ifp		ia_ifa.ifa_ifp
#define	ia_flags	ia_ifa.ifa_flags
	u_long	ia_subnet;		/* subnet address (host order) */
	u_long	ia_subnetmask;		/* mask of subnet (host order) */
	TAILQ_ENTRY(in_ifaddr) ia_link;	/* list of internet addresses */
	struct	sockaddr_in ia_addr;	/* reserve space for interface name */
	struct	sockaddr_in ia_dstaddr;	/* reserve space for broadcast addr */
#define	ia_broadaddr	ia_dstaddr
	struct	sockaddr_in ia_sockmask; /* reserve space for general netmask */
	int	ia_plen;		/* prefix length of the mask */
};

#define	IA_SIN(ia)	(&(((struct in_ifaddr *)(ia))->ia_addr))
#define	IA_DSTSIN(ia)	(&(((struct in_ifaddr *)(ia))->ia_dstaddr))
#define	ifatoia(ifa)	((struct in_ifaddr *)(ifa))
#define	sintosa(sin)	((struct sockaddr *)(sin))

TAILQ_HEAD(in_ifaddrhead, in_ifaddr);
VNET_DECLARE(struct in_ifaddrhead, in_ifaddrhead);
#define	V_in_ifaddrhead	VNET(in_ifaddrhead)

/* Add an address with its prefix to an interface, with its subnet route. */
int	in_control_add(struct ifnet *ifp, struct in_addr addr, int plen);
int	in_control_delete(struct ifnet *ifp, struct in_addr addr);
void	in_ifdetach(struct ifnet *ifp);
/*
 * Lookups: an address can be removed (and freed) as soon as the list's
 * section ends, so none of them returns a pointer into the list; what
 * the caller needs is copied out in the section (0 or an error).  The
 * address of a route (rt_ifa) is held by the route, and good while the
 * caller holds the route.
 */
int	in_ifaddr_none(void);
void	in_ifaddr_dstsubst(struct in_addr *dstp);
int	in_ifpaddr(struct ifnet *ifp, struct in_addr *addrp);
int	in_ifaddr_onnet(struct in_addr dst, struct ifnet **ifpp,
	    struct in_addr *addrp);
int	in_ifaddr_src(struct in_addr dst, struct ifnet *ifp,
	    struct in_addr *srcp);
int	in_ifhasaddr(struct ifnet *ifp, struct in_addr addr);

#endif /* !_NETINET_IN_VAR_H_ */
