/*
 * Routing table entries and the route cache of the protocols.
 *
 * One table per stack instance: a list of entries searched for the
 * longest matching prefix.  Entries are reference counted with plain
 * ++/-- (rt_refcnt), serialized by Giant and splnet as in the
 * uniprocessor kernel.
 */
#ifndef _NET_ROUTE_H_
#define	_NET_ROUTE_H_

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>

/*
 * A cached route: the destination it was looked up for and the entry
 * found (holding a reference).  Protocols keep one per pcb so that
 * output need not search the table for each packet; a route added or
 * deleted since the search (the table's generation moved) sends the
 * next packet to search again.
 */
struct route {
	struct	rtentry *ro_rt;
	struct	sockaddr ro_dst;
	u_int	ro_gen;		/* rt_generation() of the search */
	int	ro_flags;	/* RO_*: what ip_output() learned of ro_dst */
};
#define	RO_BCASTKNOWN	0x1	/* whether ro_dst is a broadcast address: */
#define	RO_BCAST	0x2	/* ...it is */

/* Metrics kept per route. */
struct rt_metrics {
	u_long	rmx_mtu;	/* MTU for this path (0: the interface's) */
	u_long	rmx_expire;	/* lifetime for route, in ticks (0: none) */
	u_long	rmx_pksent;	/* packets sent using this route */
};

struct rtentry {
	TAILQ_ENTRY(rtentry) rt_link;	/* the table, longest prefix first */
	struct	sockaddr_in rt_dst;	/* destination (network part only) */
	struct	sockaddr_in rt_netmask;	/* mask */
	struct	sockaddr_in rt_gwaddr;	/* gateway address storage */
#define	rt_key(r)	((struct sockaddr *)&(r)->rt_dst)
#define	rt_mask(r)	((struct sockaddr *)&(r)->rt_netmask)
	struct	sockaddr *rt_gateway;	/* value: gateway or &rt_dst */
	int	rt_plen;		/* prefix length */
	int	rt_flags;		/* RTF_* flags, set before insertion */
	int	rt_state;		/* RTS_*: changed at splnet */
	int	rt_refcnt;		/* # held references (+1 in table) */
	struct	ifnet *rt_ifp;		/* the answer: interface to use */
	struct	ifaddr *rt_ifa;		/* the answer: interface address */
	struct	rt_metrics rt_rmx;	/* MTU and expiry */
};

#define	RTF_GATEWAY	0x2		/* destination is a gateway */
#define	RTF_HOST	0x4		/* host entry (net otherwise) */
#define	RTF_REJECT	0x8		/* host or net unreachable */
#define	RTF_DYNAMIC	0x10		/* learned from an ICMP redirect */
#define	RTF_STATIC	0x800		/* manually added */
#define	RTF_LOCAL	0x200000	/* route represents a local address */

/*
 * Whether a route is still in the table.  Kept apart from rt_flags: the
 * holders of a reference read the flags at any time without the table's
 * level (ip_output(), the interfaces' output routines), and the flags
 * never change once the route is in the table; the state changes when
 * the route is deleted, at splnet, and is read there.
 */
#define	RTS_UP		0x1		/* in the table: usable */
#define	RTS_DELETED	0x2		/* removed from the table */

/* Routing statistics. */
struct rtstat {
	u_long	rts_badredirect;	/* redirects refused */
	u_long	rts_dynamic;		/* routes created by redirects */
	u_long	rts_newgateway;		/* routes modified by redirects */
	u_long	rts_unreach;		/* lookups with no match */
	u_long	rts_wildcard;		/* lookups matched by a default */
	u_long	rts_added;		/* routes added */
	u_long	rts_deleted;		/* routes deleted */
};

#define	RTFREE(rt)	rtfree(rt)

struct ifnet;
struct ifaddr;

void	route_init(void);
void	route_destroy(void);
void	rtalloc(struct route *ro);
u_int	rt_generation(void);
void	rt_generation_bump(void);
void	rtalloc_ign(struct route *ro, u_long ignflags);
struct rtentry *rtalloc1(struct sockaddr *dst, int report, u_long ignflags);
void	rtfree(struct rtentry *rt);
int	rtrequest_add(struct in_addr dst, int plen, struct in_addr gw,
	    struct ifnet *ifp, int flags, struct rtentry **ret_nrt);
int	rtrequest_delete(struct in_addr dst, int plen);
void	rt_ifdetach(struct ifnet *ifp);
int	rt_foreach(int (*fn)(struct rtentry *rt, void *arg), void *arg);
int	in_mask2len(struct in_addr mask);
struct in_addr in_len2mask(int plen);

#endif /* !_NET_ROUTE_H_ */
