/*
 * The stack-instance interface of bsdnet.h: creating and destroying
 * instances, interfaces, addresses and routes.  Each call enters the
 * instance (CURVNET_SET) and takes Giant, as any kernel entry does.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/syslog.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <sys/proc.h>
#include <sys/domain.h>
#include <sys/protosw.h>
#include <sys/socket.h>
#include <sys/socketvar.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/if_impair.h>
#include <net/if_pcap.h>
#include <net/if_tap.h>
#include <net/if_vwire.h>
#include <net/netisr.h>
#include <net/route.h>
#include <net/vnet.h>
#include <netinet/in.h>
#include <netinet/in_var.h>
#include <netinet/ip_var.h>
#include <net/bsdnet_var.h>
#include <bsdnet.h>

MALLOC_DEFINE(M_BSDNET, "bsdnet", "stack instances");


static int	domains_added;		/* under Giant */

#define	ENTER(st) do {							\
	CURVNET_SET((st)->st_vnet);					\
	mtx_lock(&Giant)
#define	LEAVE()								\
	mtx_unlock(&Giant);						\
	CURVNET_RESTORE();						\
} while (0)

static void
impair_from(struct impair_params *p, const struct bsd_impair *imp)
{

	bzero(p, sizeof(*p));
	if (imp == NULL)
		return;
	p->loss_ppm = imp->loss_ppm;
	p->dup_ppm = imp->dup_ppm;
	p->reorder_ppm = imp->reorder_ppm;
	p->delay_ms = imp->delay_ms;
	p->seed = imp->seed;
}

struct bsd_stack *
bsd_stack_create(const char *name)
{
	struct bsd_stack *st;
	struct in_addr lo;

	st = malloc(sizeof(*st), M_BSDNET, M_WAITOK | M_ZERO);
	strlcpy(st->st_name, name != NULL ? name : "stack",
	    sizeof(st->st_name));
	st->st_vnet = vnet_alloc();
	CURVNET_SET(st->st_vnet);
	mtx_lock(&Giant);
	if (!domains_added) {
		net_add_domain(&inetdomain);
		domains_added = 1;
	}
	if_init_vnet();
	route_init();
	if (netisr_init_vnet() != 0)
		panic("bsd_stack_create: no netisr thread");
	domaininit();
	loif_attach();
	lo.s_addr = htonl(INADDR_LOOPBACK);
	(void)in_control_add(V_loif, lo, 8);
	mtx_unlock(&Giant);
	CURVNET_RESTORE();
	return (st);
}

void
bsd_stack_destroy(struct bsd_stack *st)
{
	struct ifnethead gone;

	if (st == NULL)
		return;
	TAILQ_INIT(&gone);
	bsd_closeall_vnet(st->st_vnet);
	CURVNET_SET(st->st_vnet);
	mtx_lock(&Giant);
	if_detach_all(&gone);
	V_loif = NULL;
	/*
	 * No interface feeds the netisr queues now: stop their thread
	 * before the protocols go, so none of their handlers runs during
	 * (or after) their teardown, and before the interfaces are freed
	 * (a queued packet names the one it came in on).
	 */
	netisr_destroy_vnet();
	if_free_detached(&gone);
	domaindestroy();
	route_destroy();
	mtx_unlock(&Giant);
	CURVNET_RESTORE();
	if (curvnet == st->st_vnet)
		curvnet = NULL;
	vnet_destroy(st->st_vnet);
	free(st, M_BSDNET);
}

void
bsd_stack_use(struct bsd_stack *st)
{

	curvnet = st != NULL ? st->st_vnet : NULL;
}

const char *
bsd_stack_name(const struct bsd_stack *st)
{

	return (st->st_name);
}

int
bsd_vwire_create(struct bsd_stack *a, const char *ifa, struct bsd_stack *b,
    const char *ifb, const struct bsd_impair *imp)
{
	struct impair_params p;
	int error;

	if (a == NULL || ifa == NULL || strlen(ifa) >= IFNAMSIZ ||
	    (b != NULL && (ifb == NULL || strlen(ifb) >= IFNAMSIZ)))
		return (EINVAL);
	impair_from(&p, imp);
	mtx_lock(&Giant);
	error = vwire_create(a->st_vnet, ifa, b != NULL ? b->st_vnet : NULL,
	    ifb, &p);
	mtx_unlock(&Giant);
	return (error);
}

int
bsd_tap_attach(struct bsd_stack *st, const char *ifname, const char *tapname,
    int mtu, const struct bsd_impair *imp, char *errbuf, unsigned int errlen)
{
	struct impair_params p;
	char ebuf[128];
	int error;

	if (errbuf == NULL || errlen == 0) {
		errbuf = ebuf;
		errlen = sizeof(ebuf);
	}
	errbuf[0] = '\0';
	if (ifname == NULL || tapname == NULL || strlen(ifname) == 0 ||
	    strlen(ifname) >= IFNAMSIZ) {
		snprintf(errbuf, errlen, "bad interface name");
		return (EINVAL);
	}
	impair_from(&p, imp);
	ENTER(st);
	error = tap_attach(ifname, tapname, mtu == 0 ? ETHERMTU : mtu, &p,
	    errbuf, errlen);
	LEAVE();
	return (error);
}

int
bsd_if_addr(struct bsd_stack *st, const char *ifname, const char *addr,
    int prefixlen)
{
	struct ifnet *ifp;
	struct in_addr a;
	int error;

	if (addr == NULL || !inet_aton_r(addr, &a))
		return (EINVAL);
	ENTER(st);
	ifp = ifunit(ifname);
	error = ifp == NULL ? ENXIO : in_control_add(ifp, a, prefixlen);
	LEAVE();
	return (error);
}

int
bsd_if_addr_delete(struct bsd_stack *st, const char *ifname,
    const char *addr)
{
	struct ifnet *ifp;
	struct in_addr a;
	int error;

	if (addr == NULL || !inet_aton_r(addr, &a))
		return (EINVAL);
	ENTER(st);
	ifp = ifunit(ifname);
	error = ifp == NULL ? ENXIO : in_control_delete(ifp, a);
	LEAVE();
	return (error);
}

int
bsd_if_mtu(struct bsd_stack *st, const char *ifname, int mtu)
{
	struct ifnet *ifp;
	int error;

	ENTER(st);
	ifp = ifunit(ifname);
	if (ifp == NULL)
		error = ENXIO;
	else if (mtu < 68 || mtu > 65535 - ETHER_HDR_LEN)
		error = EINVAL;
	else {
		ifp->if_mtu = (u_long)mtu;
		error = 0;
	}
	LEAVE();
	return (error);
}

int
bsd_if_lladdr(struct bsd_stack *st, const char *ifname, unsigned char mac[6])
{
	struct ifnet *ifp;
	int error;

	ENTER(st);
	ifp = ifunit(ifname);
	if (ifp == NULL)
		error = ENXIO;
	else {
		bcopy(IF_LLADDR(ifp), mac, ETHER_ADDR_LEN);
		error = 0;
	}
	LEAVE();
	return (error);
}

int
bsd_if_pcap(struct bsd_stack *st, const char *ifname, const char *path)
{
	struct ifnet *ifp;
	int error;

	ENTER(st);
	ifp = ifunit(ifname);
	error = ifp == NULL ? ENXIO : if_pcap_open(ifp, path);
	LEAVE();
	return (error);
}

int
bsd_if_inject(struct bsd_stack *st, const char *ifname, const void *frame,
    unsigned int len)
{
	struct ifnet *ifp;
	struct mbuf *m;
	int error, s;

	ENTER(st);
	ifp = ifunit(ifname);
	if (ifp == NULL || ifp->if_input == NULL)
		error = ENXIO;
	else if (len == 0 || len > IP_MAXPACKET + ETHER_HDR_LEN)
		error = EINVAL;
	else if ((m = if_rxcopy_buf(frame, (int)len)) == NULL)
		error = ENOBUFS;
	else {
		m->m_pkthdr.rcvif = ifp;
		s = splimp();		/* as if_intr() counts */
		ifp->if_ipackets++;
		ifp->if_ibytes += len;
		splx(s);
		if (ifp->if_pcap != NULL)
			if_pcap_tap(ifp, m);
		(*ifp->if_input)(ifp, m);
		netisr_poll();
		error = 0;
	}
	LEAVE();
	return (error);
}

int
bsd_route_add(struct bsd_stack *st, const char *dst, int prefixlen,
    const char *gw)
{
	struct in_addr d, g;
	int error;

	if (dst == NULL || !inet_aton_r(dst, &d))
		return (EINVAL);
	g.s_addr = INADDR_ANY;
	if (gw != NULL && !inet_aton_r(gw, &g))
		return (EINVAL);
	ENTER(st);
	if (g.s_addr == INADDR_ANY) {
		/* Directly connected: through the interface on its net. */
		struct sockaddr_in sin;
		struct ifaddr *ifa;

		bzero(&sin, sizeof(sin));
		sin.sin_len = sizeof(sin);
		sin.sin_family = AF_INET;
		sin.sin_addr = d;
		ifa = ifa_ifwithnet((struct sockaddr *)&sin);
		error = ifa == NULL ? ENETUNREACH :
		    rtrequest_add(d, prefixlen, g, ifa->ifa_ifp, RTF_STATIC,
		    NULL);
	} else
		error = rtrequest_add(d, prefixlen, g, NULL, RTF_STATIC, NULL);
	LEAVE();
	return (error);
}

int
bsd_route_delete(struct bsd_stack *st, const char *dst, int prefixlen)
{
	struct in_addr d;
	int error;

	if (dst == NULL || !inet_aton_r(dst, &d))
		return (EINVAL);
	ENTER(st);
	error = rtrequest_delete(d, prefixlen);
	LEAVE();
	return (error);
}

int
bsd_route_lookup(struct bsd_stack *st, const char *dst, char *ifname,
    unsigned int ifnamelen, char *gw, unsigned int gwlen)
{
	struct sockaddr_in sin;
	struct rtentry *rt;
	char buf[16];
	int error;

	bzero(&sin, sizeof(sin));
	sin.sin_len = sizeof(sin);
	sin.sin_family = AF_INET;
	if (dst == NULL || !inet_aton_r(dst, &sin.sin_addr))
		return (EINVAL);
	ENTER(st);
	rt = rtalloc1((struct sockaddr *)&sin, 0, 0);
	if (rt == NULL)
		error = ENETUNREACH;
	else {
		if (ifname != NULL && ifnamelen > 0)
			strlcpy(ifname, rt->rt_ifp != NULL ?
			    rt->rt_ifp->if_xname : "", ifnamelen);
		if (gw != NULL && gwlen > 0) {
			if (rt->rt_flags & RTF_GATEWAY)
				strlcpy(gw, inet_ntoa_r(
				    satosin(rt->rt_gateway)->sin_addr, buf),
				    gwlen);
			else
				gw[0] = '\0';
		}
		rtfree(rt);
		error = 0;
	}
	LEAVE();
	return (error);
}

int
bsd_ip_forwarding(struct bsd_stack *st, int on)
{

	ENTER(st);
	V_ipforwarding = on != 0;
	LEAVE();
	return (0);
}

/*
 * Wait until the instance has nothing queued: its netisr queues, the
 * receive queues of its interfaces.
 */
int
bsd_stack_quiesce(struct bsd_stack *st, int timeout_ms)
{
	struct ifnet *ifp;
	int busy, waited;

	for (waited = 0; ; waited++) {
		ENTER(st);
		netisr_poll();
		busy = 0;
		TAILQ_FOREACH(ifp, &V_ifnet, if_link) {
			busy += if_rcv_busy(ifp) + if_snd_busy(ifp);
		}
		LEAVE();
		if (busy == 0)
			return (0);
		if (waited >= timeout_ms)
			return (ETIMEDOUT);
		(void)pause("quiesce", imax(1, hz / 1000));
	}
}

unsigned long
bsd_mbufs_inuse(void)
{
	struct mbstat st;

	mbstat_get(&st);
	return (st.m_mbufs + st.m_mclusts);
}
