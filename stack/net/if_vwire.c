/*
 * Virtual wire driver.  Each side is an ethernet interface; a frame sent
 * on one side passes the fault injector and is then "received" by the
 * other side: copied into fresh clusters and queued for the peer's
 * interrupt thread, as a NIC's DMA and interrupt would.
 *
 * Legacy driver: IFF_NEEDSGIANT, so its interrupt thread runs with
 * Giant; transmit runs in the sender's context, which holds Giant.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/socket.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/if_impair.h>
#include <net/if_pcap.h>
#include <net/if_vwire.h>
#include <net/vnet.h>

MALLOC_DEFINE(M_VWIRE, "vwire", "virtual wire softc");
MALLOC_DECLARE(M_IFNET);

struct vwire_softc {
	struct	ifnet *sc_ifp;
	struct	vwire_softc *sc_peer;	/* the other end, or NULL */
	struct	impair sc_imp;		/* faults on our transmit side */
};

static u_int	vwire_unit;		/* for unique link addresses */

static void	vwire_faults(struct ifnet *ifp, u_long f[4]);

/* A frame reached the far end of the wire. */
static void
vwire_deliver(void *arg, struct mbuf *m)
{
	struct vwire_softc *sc, *peer;
	struct ifnet *pifp;
	struct mbuf *n;
	int s;

	sc = arg;
	peer = sc != NULL ? sc->sc_peer : NULL;
	if (peer == NULL) {
		m_freem(m);
		return;
	}
	pifp = peer->sc_ifp;
	n = if_rxcopy_mbuf(m, m->m_pkthdr.len);
	m_freem(m);
	if (n == NULL) {
		s = splimp();
		pifp->if_iqdrops++;
		splx(s);
		return;
	}
	/* A peer that is down drops it there (if_rxenqueue checks). */
	if_rxenqueue(pifp, n);
}

static void
vwire_start(struct ifnet *ifp)
{
	struct vwire_softc *sc;
	struct mbuf *m, *next;
	int s;

	sc = ifp->if_softc;
	for (;;) {
		/*
		 * All that is queued, in one section; IFF_DRV_OACTIVE goes
		 * in the section that finds nothing.
		 */
		s = splimp();
		IF_DEQUEUE_ALL(&ifp->if_snd, m);
		if (m == NULL)
			ifp->if_drv_flags &= ~IFF_DRV_OACTIVE;
		splx(s);
		if (m == NULL)
			break;
		for (; m != NULL; m = next) {
			next = m->m_nextpkt;
			m->m_nextpkt = NULL;
			ifp->if_opackets++;
			if (ifp->if_pcap != NULL)
				if_pcap_tap(ifp, m);
			impair_output(&sc->sc_imp, m);
		}
	}
}

static void
vwire_detach(struct ifnet *ifp)
{
	struct vwire_softc *sc;

	sc = ifp->if_softc;
	if (sc->sc_peer != NULL) {
		/*
		 * Both ends stop delivering first: the peer's stack may be
		 * sending through its link (without Giant) right now.
		 */
		impair_unlink(&sc->sc_imp);
		impair_unlink(&sc->sc_peer->sc_imp);
		sc->sc_peer->sc_peer = NULL;
		sc->sc_peer = NULL;
	}
	/* Its interrupt thread may be sending through the link. */
	if_ithread_stop(ifp);
	impair_stop(&sc->sc_imp);
	free(sc, M_VWIRE);
	ifp->if_softc = NULL;
}

static struct vwire_softc *
vwire_attach(struct vnet *vnet, const char *name,
    const struct impair_params *p)
{
	struct vwire_softc *sc;
	struct ifnet *ifp;
	u_char lla[ETHER_ADDR_LEN];
	u_int unit;

	sc = malloc(sizeof(*sc), M_VWIRE, M_WAITOK | M_ZERO);
	ifp = malloc(sizeof(*ifp), M_IFNET, M_WAITOK | M_ZERO);
	sc->sc_ifp = ifp;
	impair_init(&sc->sc_imp, p, vwire_deliver, sc);
	strlcpy(ifp->if_xname, name, sizeof(ifp->if_xname));
	ifp->if_softc = sc;
	ifp->if_flags = IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST |
	    IFF_NEEDSGIANT;
	ifp->if_start = vwire_start;
	ifp->if_detach = vwire_detach;
	ifp->if_faults = vwire_faults;
	/* Locally administered: 02:76:77:unit. */
	unit = ++vwire_unit;
	lla[0] = 0x02;
	lla[1] = 0x76;
	lla[2] = 0x77;
	lla[3] = (unit >> 16) & 0xff;
	lla[4] = (unit >> 8) & 0xff;
	lla[5] = unit & 0xff;
	CURVNET_SET(vnet);
	ether_ifattach(ifp, lla);
	if_ithread_start(ifp, NULL);
	if_up(ifp);
	CURVNET_RESTORE();
	return (sc);
}

int
vwire_create(struct vnet *va, const char *na, struct vnet *vb,
    const char *nb, const struct impair_params *p)
{
	struct vwire_softc *a, *b;
	struct impair_params pb;

	CURVNET_SET(va);
	if (ifunit(na) != NULL) {
		CURVNET_RESTORE();
		return (EEXIST);
	}
	CURVNET_RESTORE();
	if (vb != NULL) {
		CURVNET_SET(vb);
		if (ifunit(nb) != NULL || (va == vb && strcmp(na, nb) == 0)) {
			CURVNET_RESTORE();
			return (EEXIST);
		}
		CURVNET_RESTORE();
	}
	a = vwire_attach(va, na, p);
	if (vb == NULL)
		return (0);
	/* The other direction gets its own stream of faults. */
	if (p != NULL) {
		pb = *p;
		pb.seed = p->seed ^ 0x5bd1e9955bd1e995ULL;
	}
	b = vwire_attach(vb, nb, p != NULL ? &pb : NULL);
	a->sc_peer = b;
	b->sc_peer = a;
	return (0);
}

static void
vwire_faults(struct ifnet *ifp, u_long f[4])
{
	struct vwire_softc *sc;

	sc = ifp->if_softc;
	f[0] = f[1] = f[2] = f[3] = 0;
	impair_counts(&sc->sc_imp, f);
}
