/*
 * Internet addresses of the interfaces: adding and removing them (with
 * their subnet and local routes), and the address predicates.
 *
 * in_ifaddrhead, the list of every internet address of the instance, is
 * a per-instance global protected by Giant, as in_ifaddr was, and by
 * splnet() against the input path (ip_input(), ARP), which looks at it
 * from the network software interrupt.  An interface's own address list
 * (if_addrhead) changes at splimp(), with the interface.  The lookups
 * the input path makes copy the address out in their section.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/route.h>
#include <net/vnet.h>
#include <netinet/in.h>
#include <netinet/in_var.h>
#include <netinet/if_ether.h>

MALLOC_DECLARE(M_IFADDR);

VNET_DEFINE(struct in_ifaddrhead, in_ifaddrhead);

static void
in_setsin(struct sockaddr_in *sin, in_addr_t a)
{

	bzero(sin, sizeof(*sin));
	sin->sin_len = sizeof(*sin);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = a;
}

/*
 * The internet address addr, or NULL.  The pointer is good only while
 * the address stays on the list: the configuration calls use it (they
 * are the ones that remove addresses, one at a time); everyone else
 * asks a question (in_localip()) or has the address copied out.
 */
static struct in_ifaddr *
in_ifaddr_byaddr(struct in_addr addr)
{
	struct in_ifaddr *ia;
	int s;

	s = splnet();
	TAILQ_FOREACH(ia, &V_in_ifaddrhead, ia_link)
		if (ia->ia_addr.sin_addr.s_addr == addr.s_addr)
			break;
	splx(s);
	return (ia);
}

/* The first internet address of ifp; the caller holds the list's level. */
static struct in_ifaddr *
in_ifaddr_first(struct ifnet *ifp)
{
	struct in_ifaddr *ia;

	TAILQ_FOREACH(ia, &V_in_ifaddrhead, ia_link)
		if (ia->ia_ifp == ifp)
			break;
	return (ia);
}

/* Has this host no internet address at all? */
int
in_ifaddr_none(void)
{
	int none, s;

	s = splnet();
	none = TAILQ_EMPTY(&V_in_ifaddrhead);
	splx(s);
	return (none);
}

/*
 * The classic substitutions for a destination, made with the first
 * address of the host, copied in the list's section: INADDR_ANY means
 * this host (that address), the limited broadcast address the directed
 * broadcast of its subnet when its interface broadcasts.  Any other
 * destination, or a host with no address, is left alone.
 */
void
in_ifaddr_dstsubst(struct in_addr *dstp)
{
	struct in_ifaddr *ia;
	int s;

	if (dstp->s_addr != INADDR_ANY && dstp->s_addr != INADDR_BROADCAST)
		return;
	s = splnet();
	ia = TAILQ_FIRST(&V_in_ifaddrhead);
	if (ia != NULL) {
		/* ifa_broadaddr is set when the interface broadcasts. */
		if (dstp->s_addr == INADDR_ANY)
			*dstp = ia->ia_addr.sin_addr;
		else if (ia->ia_ifa.ifa_broadaddr != NULL)
			*dstp = ia->ia_broadaddr.sin_addr;
	}
	splx(s);
}

/*
 * The first internet address of ifp, copied into *addrp: 0, or
 * EADDRNOTAVAIL when the interface has none.
 */
int
in_ifpaddr(struct ifnet *ifp, struct in_addr *addrp)
{
	struct in_ifaddr *ia;
	int s;

	s = splnet();
	ia = in_ifaddr_first(ifp);
	if (ia != NULL)
		*addrp = ia->ia_addr.sin_addr;
	splx(s);
	return (ia != NULL ? 0 : EADDRNOTAVAIL);
}

/*
 * The source address of a reply to a packet sent to dst and received on
 * ifp (which may be NULL): dst itself when it is ours, else the address
 * of ifp, else the first address of the host.  0, or EADDRNOTAVAIL when
 * the host has no address.
 */
int
in_ifaddr_src(struct in_addr dst, struct ifnet *ifp, struct in_addr *srcp)
{
	struct in_ifaddr *ia;
	int s;

	s = splnet();
	TAILQ_FOREACH(ia, &V_in_ifaddrhead, ia_link)
		if (ia->ia_addr.sin_addr.s_addr == dst.s_addr)
			break;
	if (ia == NULL && ifp != NULL)
		ia = in_ifaddr_first(ifp);
	if (ia == NULL)
		ia = TAILQ_FIRST(&V_in_ifaddrhead);
	if (ia != NULL)
		*srcp = ia->ia_addr.sin_addr;
	splx(s);
	return (ia != NULL ? 0 : EADDRNOTAVAIL);
}

/* Is addr one of the internet addresses of ifp itself? */
int
in_ifhasaddr(struct ifnet *ifp, struct in_addr addr)
{
	struct ifaddr *ifa;
	int found, s;

	found = 0;
	s = splimp();
	TAILQ_FOREACH(ifa, &ifp->if_addrhead, ifa_link)
		if (ifa->ifa_addr->sa_family == AF_INET &&
		    satosin(ifa->ifa_addr)->sin_addr.s_addr == addr.s_addr) {
			found = 1;
			break;
		}
	splx(s);
	return (found);
}

/*
 * Give interface ifp the address addr/plen: the subnet route through
 * ifp, a host route to the address through the loopback interface, and
 * a gratuitous ARP announcement on broadcast interfaces.
 */
int
in_control_add(struct ifnet *ifp, struct in_addr addr, int plen)
{
	struct in_ifaddr *ia;
	struct in_addr mask, none;
	int error, s;

	if (plen < 0 || plen > 32)
		return (EINVAL);
	if (addr.s_addr == INADDR_ANY || addr.s_addr == INADDR_BROADCAST ||
	    IN_MULTICAST(ntohl(addr.s_addr)))
		return (EINVAL);
	if (in_ifaddr_byaddr(addr) != NULL)
		return (EEXIST);
	mask = in_len2mask(plen);
	ia = malloc(sizeof(*ia), M_IFADDR, M_WAITOK | M_ZERO);
	in_setsin(&ia->ia_addr, addr.s_addr);
	in_setsin(&ia->ia_sockmask, mask.s_addr);
	in_setsin(&ia->ia_broadaddr, (addr.s_addr & mask.s_addr) |
	    ~mask.s_addr);
	ia->ia_subnetmask = ntohl(mask.s_addr);
	ia->ia_subnet = ntohl(addr.s_addr) & ia->ia_subnetmask;
	ia->ia_plen = plen;
	ia->ia_ifa.ifa_addr = (struct sockaddr *)&ia->ia_addr;
	ia->ia_ifa.ifa_netmask = (struct sockaddr *)&ia->ia_sockmask;
	if (ifp->if_flags & IFF_BROADCAST)
		ia->ia_ifa.ifa_broadaddr = (struct sockaddr *)&ia->ia_broadaddr;
	ia->ia_ifa.ifa_ifp = ifp;
	ia->ia_ifa.ifa_refcnt = 1;		/* the lists' */
	s = splimp();
	TAILQ_INSERT_TAIL(&ifp->if_addrhead, &ia->ia_ifa, ifa_link);
	splx(s);
	s = splnet();
	TAILQ_INSERT_TAIL(&V_in_ifaddrhead, ia, ia_link);
	splx(s);

	none.s_addr = INADDR_ANY;
	error = rtrequest_add(addr, plen, none, ifp, 0, NULL);
	if (error == 0)
		ia->ia_flags |= IFA_ROUTE;
	else if (error != EEXIST)
		goto bad;
	if (V_loif != NULL && ifp != V_loif && plen < 32) {
		error = rtrequest_add(addr, 32, none, V_loif, RTF_LOCAL, NULL);
		if (error != 0 && error != EEXIST)
			goto bad;
	}
	if (ifp->if_flags & IFF_BROADCAST)
		arp_ifinit(ifp, addr);
	return (0);
bad:
	in_control_delete(ifp, addr);
	return (error);
}

int
in_control_delete(struct ifnet *ifp, struct in_addr addr)
{
	struct in_ifaddr *ia;
	int s;

	ia = in_ifaddr_byaddr(addr);
	if (ia == NULL || ia->ia_ifp != ifp)
		return (EADDRNOTAVAIL);
	if (ia->ia_flags & IFA_ROUTE)
		(void)rtrequest_delete(addr, ia->ia_plen);
	if (ia->ia_plen < 32)
		(void)rtrequest_delete(addr, 32);
	s = splimp();
	TAILQ_REMOVE(&ifp->if_addrhead, &ia->ia_ifa, ifa_link);
	splx(s);
	s = splnet();
	TAILQ_REMOVE(&V_in_ifaddrhead, ia, ia_link);
	splx(s);
	/* Routes cached while the address was going knew it: look again. */
	rt_generation_bump();
	ifa_free(&ia->ia_ifa);
	return (0);
}

/* Remove every internet address of an interface going away. */
void
in_ifdetach(struct ifnet *ifp)
{
	struct in_ifaddr *ia, *next;

	TAILQ_FOREACH_SAFE(ia, &V_in_ifaddrhead, ia_link, next)
		if (ia->ia_ifp == ifp)
			in_control_delete(ifp, ia->ia_addr.sin_addr);
}

/*
 * True when addr is a broadcast address of ifp's subnets, or all-ones.
 * The interface's flags and addresses are looked at splimp, where the
 * interface's configuration changes them.
 */
int
in_broadcast(struct in_addr in, struct ifnet *ifp)
{
	struct ifaddr *ifa;
	struct in_ifaddr *ia;
	uint32_t t;
	int found, s;

	if (in.s_addr == INADDR_BROADCAST || in.s_addr == INADDR_ANY)
		return (1);
	if (ifp == NULL)
		return (0);
	t = ntohl(in.s_addr);
	found = 0;
	s = splimp();
	if (ifp->if_flags & IFF_BROADCAST) {
		TAILQ_FOREACH(ifa, &ifp->if_addrhead, ifa_link) {
			if (ifa->ifa_addr->sa_family != AF_INET)
				continue;
			ia = ifatoia(ifa);
			/* The all-ones and (old style) all-zeros host parts. */
			if (ia->ia_plen < 31 &&
			    (in.s_addr == ia->ia_broadaddr.sin_addr.s_addr ||
			    t == ia->ia_subnet)) {
				found = 1;
				break;
			}
		}
	}
	splx(s);
	return (found);
}

/* Is in one of the addresses of this host? */
int
in_localip(struct in_addr in)
{

	return (in_ifaddr_byaddr(in) != NULL);
}

/*
 * The interface and address of the directly connected subnet that holds
 * dst (the longest prefix wins), copied out: 0, or ENETUNREACH.  The
 * interface lives as long as the instance; the address entry may go once
 * the list is left.
 */
int
in_ifaddr_onnet(struct in_addr dst, struct ifnet **ifpp,
    struct in_addr *addrp)
{
	struct in_ifaddr *ia, *best;
	u_long d;
	int s;

	d = ntohl(dst.s_addr);
	best = NULL;
	s = splnet();
	TAILQ_FOREACH(ia, &V_in_ifaddrhead, ia_link)
		if ((d & ia->ia_subnetmask) == ia->ia_subnet &&
		    (best == NULL || ia->ia_subnetmask > best->ia_subnetmask))
			best = ia;
	if (best != NULL) {
		*ifpp = best->ia_ifp;
		*addrp = best->ia_addr.sin_addr;
	}
	splx(s);
	return (best != NULL ? 0 : ENETUNREACH);
}

/* May a packet to this address be forwarded? */
int
in_canforward(struct in_addr in)
{
	uint32_t i;

	i = ntohl(in.s_addr);
	if (IN_EXPERIMENTAL(i) || IN_MULTICAST(i))
		return (0);
	if (IN_CLASSA(i) && ((i & IN_CLASSA_NET) >> IN_CLASSA_NSHIFT) == 0)
		return (0);
	if ((i >> IN_CLASSA_NSHIFT) == IN_LOOPBACKNET)
		return (0);
	return (1);
}

char *
inet_ntoa_r(struct in_addr ina, char *buf)
{
	const u_char *ucp;

	ucp = (const u_char *)&ina;
	snprintf(buf, 16, "%u.%u.%u.%u", ucp[0], ucp[1], ucp[2], ucp[3]);
	return (buf);
}

/* Parse a dotted quad (exactly four decimal parts); 1 on success. */
int
inet_aton_r(const char *cp, struct in_addr *addr)
{
	uint32_t val, part;
	int dots, digits;

	val = 0;
	dots = 0;
	for (;;) {
		part = 0;
		digits = 0;
		while (*cp >= '0' && *cp <= '9') {
			part = part * 10 + (uint32_t)(*cp - '0');
			if (part > 255 || ++digits > 3)
				return (0);
			cp++;
		}
		if (digits == 0)
			return (0);
		val = (val << 8) | part;
		if (*cp == '\0')
			break;
		if (*cp != '.' || ++dots > 3)
			return (0);
		cp++;
	}
	if (dots != 3)
		return (0);
	addr->s_addr = htonl(val);
	return (1);
}
