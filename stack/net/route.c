/*
 * The routing table of an instance: a list of entries kept in order of
 * decreasing prefix length, so the first match of a search is the
 * longest prefix.  Entries are reference counted with plain ++ and --;
 * a deleted entry lives until its last reference is dropped.
 *
 * Legacy synchronization: Giant (all callers are kernel threads holding
 * it) and splnet around changes.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/socket.h>
#include <machine/atomic.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/route.h>
#include <net/vnet.h>
#include <netinet/in.h>

MALLOC_DEFINE(M_RTABLE, "routetbl", "routing table entries");

TAILQ_HEAD(rthead, rtentry);
VNET_DEFINE_STATIC(struct rthead, rt_table);
#define	V_rt_table	VNET(rt_table)
VNET_DEFINE(struct rtstat, rtstat);
#define	V_rtstat	VNET(rtstat)
/*
 * Moves on every change of the table.  Senders compare it with their
 * cached route's at every packet, at no level: it is changed and read
 * whole (atomic(9)), and a stale read costs no more than one search.
 */
VNET_DEFINE_STATIC(u_int, rt_gen);
#define	V_rt_gen	VNET(rt_gen)

struct in_addr
in_len2mask(int plen)
{
	struct in_addr mask;

	mask.s_addr = plen <= 0 ? 0 : htonl(0xffffffffu << (32 - plen));
	return (mask);
}

/* Prefix length of a contiguous mask; -1 if it is not contiguous. */
int
in_mask2len(struct in_addr mask)
{
	uint32_t m;
	int plen;

	m = ntohl(mask.s_addr);
	plen = 0;
	while (plen < 32 && (m & 0x80000000u)) {
		m <<= 1;
		plen++;
	}
	return (m == 0 ? plen : -1);
}

void
route_init(void)
{

	TAILQ_INIT(&V_rt_table);
	bzero(&V_rtstat, sizeof(V_rtstat));
}

/* Remove every route of the instance (at destruction). */
void
route_destroy(void)
{
	struct rtentry *rt;

	while ((rt = TAILQ_FIRST(&V_rt_table)) != NULL) {
		TAILQ_REMOVE(&V_rt_table, rt, rt_link);
		rt->rt_state = RTS_DELETED;
		rtfree(rt);
	}
}

static void
rt_setsin(struct sockaddr_in *sin, struct in_addr a)
{

	bzero(sin, sizeof(*sin));
	sin->sin_len = sizeof(*sin);
	sin->sin_family = AF_INET;
	sin->sin_addr = a;
}

/*
 * Look up the route that best matches dst.  The entry returned holds a
 * reference for the caller, released with rtfree().
 */
struct rtentry *
rtalloc1(struct sockaddr *dst, int report __unused, u_long ignflags)
{
	struct rtentry *rt;
	uint32_t a;
	int s;

	if (dst->sa_family != AF_INET) {
		V_rtstat.rts_unreach++;
		return (NULL);
	}
	a = satosin(dst)->sin_addr.s_addr;
	s = splnet();
	TAILQ_FOREACH(rt, &V_rt_table, rt_link) {
		if ((rt->rt_state & RTS_UP) == 0 || (rt->rt_flags & ignflags))
			continue;
		if ((a & rt->rt_netmask.sin_addr.s_addr) ==
		    rt->rt_dst.sin_addr.s_addr) {
			rt->rt_refcnt++;
			if (rt->rt_plen == 0)
				V_rtstat.rts_wildcard++;
			splx(s);
			return (rt);
		}
	}
	V_rtstat.rts_unreach++;
	splx(s);
	return (NULL);
}

u_int
rt_generation(void)
{

	return (atomic_load_int(&V_rt_gen));
}

/* A change the cached routes depend on: the table's, or an address's. */
void
rt_generation_bump(void)
{

	atomic_add_int(&V_rt_gen, 1);
}

/* Fill in the route of a cached struct route, if it has none. */
void
rtalloc(struct route *ro)
{

	rtalloc_ign(ro, 0);
}

void
rtalloc_ign(struct route *ro, u_long ignflags)
{
	struct rtentry *rt;
	u_int gen;
	int s, up;

	gen = rt_generation();
	if ((rt = ro->ro_rt) != NULL) {
		/* Deleting a route clears RTS_UP at splnet. */
		s = splnet();
		up = (rt->rt_state & RTS_UP) && rt->rt_ifp != NULL;
		splx(s);
		if (up && ro->ro_gen == gen)
			return;
		rtfree(rt);
		ro->ro_rt = NULL;
	}
	ro->ro_rt = rtalloc1(&ro->ro_dst, 1, ignflags);
	ro->ro_gen = gen;
	ro->ro_flags = 0;
}

/*
 * Drop a reference at splnet (the caller's section, or rtfree's own):
 * nonzero when it was the last one, and the route must go.
 */
static int
rt_release(struct rtentry *rt)
{

	KASSERT(rt->rt_refcnt > 0, ("rtfree: rt %p has no references", rt));
	return (--rt->rt_refcnt == 0);
}

/* Free a route nobody references any more. */
static void
rt_destroy(struct rtentry *rt)
{

	KASSERT(rt->rt_state & RTS_DELETED,
	    ("rtfree: last reference to a route still in the table"));
	if (rt->rt_ifa != NULL)
		ifa_free(rt->rt_ifa);
	free(rt, M_RTABLE);
}

/*
 * Drop a reference.  rtalloc1() takes them at splnet: the count changes
 * there, in a section of its own, never inside the caller's.
 */
void
rtfree(struct rtentry *rt)
{
	int last, s;

	s = splnet();
	last = rt_release(rt);
	splx(s);
	if (last)
		rt_destroy(rt);
}

/*
 * Add a route to dst/plen.  With a gateway (gw.s_addr != 0) the route
 * goes through the interface on the gateway's network; without one, dst
 * is directly connected on ifp.  The table keeps one reference.
 */
int
rtrequest_add(struct in_addr dst, int plen, struct in_addr gw,
    struct ifnet *ifp, int flags, struct rtentry **ret_nrt)
{
	struct rtentry *rt, *r;
	struct sockaddr_in sin;
	struct ifaddr *ifa;
	struct in_addr mask;
	int s;

	if (plen < 0 || plen > 32)
		return (EINVAL);
	mask = in_len2mask(plen);
	dst.s_addr &= mask.s_addr;
	if (gw.s_addr != INADDR_ANY) {
		rt_setsin(&sin, gw);
		ifa = ifa_ifwithnet((struct sockaddr *)&sin);
		if (ifa == NULL)
			return (ENETUNREACH);
		if (ifp != NULL && ifa->ifa_ifp != ifp)
			return (ENETUNREACH);
		ifp = ifa->ifa_ifp;
		flags |= RTF_GATEWAY;
	} else {
		if (ifp == NULL)
			return (EINVAL);
		rt_setsin(&sin, dst);
		ifa = ifaof_ifpforaddr((struct sockaddr *)&sin, ifp);
	}
	s = splnet();
	TAILQ_FOREACH(r, &V_rt_table, rt_link)
		if (r->rt_plen == plen &&
		    r->rt_dst.sin_addr.s_addr == dst.s_addr) {
			splx(s);
			return (EEXIST);
		}
	rt = malloc(sizeof(*rt), M_RTABLE, M_NOWAIT | M_ZERO);
	if (rt == NULL) {
		splx(s);
		return (ENOBUFS);
	}
	rt_setsin(&rt->rt_dst, dst);
	rt_setsin(&rt->rt_netmask, mask);
	rt->rt_plen = plen;
	rt->rt_flags = flags | (plen == 32 ? RTF_HOST : 0);
	rt->rt_state = RTS_UP;
	rt->rt_ifp = ifp;
	rt->rt_ifa = ifa;
	if (ifa != NULL)
		ifa_ref(ifa);
	if (flags & RTF_GATEWAY) {
		rt_setsin(&rt->rt_gwaddr, gw);
		rt->rt_gateway = (struct sockaddr *)&rt->rt_gwaddr;
	} else
		rt->rt_gateway = (struct sockaddr *)&rt->rt_dst;
	rt->rt_refcnt = 1;		/* the table's */
	/* Keep the table sorted by decreasing prefix length. */
	TAILQ_FOREACH(r, &V_rt_table, rt_link)
		if (r->rt_plen < plen)
			break;
	if (r != NULL)
		TAILQ_INSERT_BEFORE(r, rt, rt_link);
	else
		TAILQ_INSERT_TAIL(&V_rt_table, rt, rt_link);
	rt_generation_bump();
	V_rtstat.rts_added++;
	if (ret_nrt != NULL) {
		rt->rt_refcnt++;
		*ret_nrt = rt;
	}
	splx(s);
	return (0);
}

static void
rt_unlink(struct rtentry *rt)
{

	TAILQ_REMOVE(&V_rt_table, rt, rt_link);
	rt->rt_state = RTS_DELETED;
	rt_generation_bump();
	V_rtstat.rts_deleted++;
	/* Called at splnet: the table's reference goes in that section. */
	if (rt_release(rt))
		rt_destroy(rt);
}

int
rtrequest_delete(struct in_addr dst, int plen)
{
	struct rtentry *rt;
	int s;

	if (plen < 0 || plen > 32)
		return (EINVAL);
	dst.s_addr &= in_len2mask(plen).s_addr;
	s = splnet();
	TAILQ_FOREACH(rt, &V_rt_table, rt_link)
		if (rt->rt_plen == plen &&
		    rt->rt_dst.sin_addr.s_addr == dst.s_addr) {
			rt_unlink(rt);
			splx(s);
			return (0);
		}
	splx(s);
	return (ESRCH);
}

/* Remove every route through an interface that is going away. */
void
rt_ifdetach(struct ifnet *ifp)
{
	struct rtentry *rt, *next;
	int s;

	s = splnet();
	TAILQ_FOREACH_SAFE(rt, &V_rt_table, rt_link, next)
		if (rt->rt_ifp == ifp)
			rt_unlink(rt);
	splx(s);
}

/* Call fn for each route until it returns non-zero. */
int
rt_foreach(int (*fn)(struct rtentry *rt, void *arg), void *arg)
{
	struct rtentry *rt;
	int error;

	TAILQ_FOREACH(rt, &V_rt_table, rt_link)
		if ((error = fn(rt, arg)) != 0)
			return (error);
	return (0);
}
