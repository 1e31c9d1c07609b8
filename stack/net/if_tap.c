/*
 * TAP driver.  The host half (net/host/tap_host.c) reads frames from the
 * Linux TAP device into a ring and schedules our interrupt thread, which
 * copies them into mbufs, passes them through the receive fault injector
 * and hands them to ether_input.  Transmit passes the transmit fault
 * injector and writes the frame to the device.
 *
 * Legacy driver: IFF_NEEDSGIANT, so its interrupt thread holds Giant.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <sys/interrupt.h>
#include <sys/socket.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/if_impair.h>
#include <net/if_pcap.h>
#include <net/if_tap.h>
#include <net/vnet.h>
#include <net/host/net_host.h>

MALLOC_DEFINE(M_TAP, "tap", "TAP driver");
MALLOC_DECLARE(M_IFNET);

#define	TAP_FRAMEMAX	(65535 + ETHER_HDR_LEN)

struct tap_softc {
	struct	ifnet *sc_ifp;
	struct	tap_host *sc_host;
	struct	impair sc_rximp;	/* faults on frames from the wire */
	struct	impair sc_tximp;	/* faults on frames to the wire */
	char	*sc_rxbuf;		/* interrupt thread's bounce buffer */
	char	*sc_txbuf;		/* transmit bounce buffer */
};

/* The host reader thread saw frames: the device "interrupts". */
static void
tap_notify(void *arg)
{
	struct ifnet *ifp;

	ifp = arg;
	if (ifp->if_ithd != NULL)
		ithread_schedule(ifp->if_ithd);
}

/* A received frame passed the fault injector. */
static void
tap_rxdeliver(void *arg, struct mbuf *m)
{
	struct ifnet *ifp;
	int s;

	ifp = arg;
	CURVNET_SET(ifp->if_vnet);
	s = splimp();		/* as if_intr() counts */
	ifp->if_ipackets++;
	ifp->if_ibytes += m->m_pkthdr.len;
	splx(s);
	if (ifp->if_pcap != NULL)
		if_pcap_tap(ifp, m);
	m->m_pkthdr.rcvif = ifp;
	(*ifp->if_input)(ifp, m);
	CURVNET_RESTORE();
}

static void
tap_intr(void *arg)
{
	struct ifnet *ifp;
	struct tap_softc *sc;
	struct mbuf *m;
	int len, s;

	ifp = arg;
	sc = ifp->if_softc;
	if (sc == NULL || sc->sc_host == NULL)
		return;
	/* A frame read while the interface is down dies in ether_input. */
	while ((len = tap_host_recv(sc->sc_host, sc->sc_rxbuf,
	    TAP_FRAMEMAX)) > 0) {
		m = if_rxcopy_buf(sc->sc_rxbuf, len);
		if (m == NULL) {
			s = splimp();
			ifp->if_iqdrops++;
			splx(s);
			continue;
		}
		m->m_pkthdr.rcvif = ifp;
		impair_output(&sc->sc_rximp, m);
	}
}

/* A frame to send passed the fault injector. */
static void
tap_txdeliver(void *arg, struct mbuf *m)
{
	struct tap_softc *sc;
	struct ifnet *ifp;
	int error, len, s;

	sc = arg;
	ifp = sc->sc_ifp;
	len = m->m_pkthdr.len;
	if (len > TAP_FRAMEMAX || sc->sc_host == NULL)
		error = EMSGSIZE;
	else {
		m_copydata(m, 0, len, sc->sc_txbuf);
		error = tap_host_send(sc->sc_host, sc->sc_txbuf, (u_int)len);
	}
	m_freem(m);
	if (error != 0) {
		s = splimp();
		ifp->if_oerrors++;
		splx(s);
	}
}

/* Faults injected in both directions. */
static void
tap_faults(struct ifnet *ifp, u_long f[4])
{
	struct tap_softc *sc;

	sc = ifp->if_softc;
	f[0] = f[1] = f[2] = f[3] = 0;
	impair_counts(&sc->sc_rximp, f);
	impair_counts(&sc->sc_tximp, f);
}

static void
tap_start(struct ifnet *ifp)
{
	struct tap_softc *sc;
	struct mbuf *m;
	int s;

	sc = ifp->if_softc;
	for (;;) {
		s = splimp();
		IF_DEQUEUE(&ifp->if_snd, m);
		if (m != NULL)
			ifp->if_opackets++;
		else
			ifp->if_drv_flags &= ~IFF_DRV_OACTIVE;
		splx(s);
		if (m == NULL)
			break;
		if (ifp->if_pcap != NULL)
			if_pcap_tap(ifp, m);
		impair_output(&sc->sc_tximp, m);
	}
}

static void
tap_free(struct tap_softc *sc)
{

	free(sc->sc_rxbuf, M_TAP);
	free(sc->sc_txbuf, M_TAP);
	free(sc, M_TAP);
}

/*
 * Stop the device (the reader thread first, so nothing schedules the
 * interrupt thread any more), then the interrupt thread, which uses the
 * softc, then the fault injectors.
 */
static void
tap_detach(struct ifnet *ifp)
{
	struct tap_softc *sc;
	struct tap_host *tp;

	sc = ifp->if_softc;
	tp = sc->sc_host;
	sc->sc_host = NULL;
	if (tp != NULL) {
		DROP_GIANT();
		tap_host_close(tp);
		PICKUP_GIANT();
	}
	if_ithread_stop(ifp);
	impair_stop(&sc->sc_rximp);
	impair_stop(&sc->sc_tximp);
	ifp->if_softc = NULL;
	tap_free(sc);
}

int
tap_attach(const char *name, const char *tapname, int mtu,
    const struct impair_params *p, char *errbuf, u_int errlen)
{
	struct tap_softc *sc;
	struct ifnet *ifp;
	struct impair_params rxp;
	u_char lla[ETHER_ADDR_LEN];
	uint32_t r;
	int error;

	if (ifunit(name) != NULL) {
		snprintf(errbuf, errlen, "interface %s exists", name);
		return (EEXIST);
	}
	if (mtu < 576 || mtu > 65535 - ETHER_HDR_LEN) {
		snprintf(errbuf, errlen, "mtu %d out of range 576..%d", mtu,
		    65535 - ETHER_HDR_LEN);
		return (EINVAL);
	}
	sc = malloc(sizeof(*sc), M_TAP, M_WAITOK | M_ZERO);
	sc->sc_rxbuf = malloc(TAP_FRAMEMAX, M_TAP, M_WAITOK);
	sc->sc_txbuf = malloc(TAP_FRAMEMAX, M_TAP, M_WAITOK);
	ifp = malloc(sizeof(*ifp), M_IFNET, M_WAITOK | M_ZERO);
	sc->sc_ifp = ifp;
	strlcpy(ifp->if_xname, name, sizeof(ifp->if_xname));
	ifp->if_softc = sc;
	ifp->if_mtu = mtu;
	ifp->if_flags = IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST |
	    IFF_NEEDSGIANT;
	ifp->if_start = tap_start;
	ifp->if_detach = tap_detach;
	ifp->if_faults = tap_faults;
	impair_init(&sc->sc_tximp, p, tap_txdeliver, sc);
	if (p != NULL) {
		rxp = *p;
		rxp.seed = p->seed ^ 0x5bd1e9955bd1e995ULL;
	}
	impair_init(&sc->sc_rximp, p != NULL ? &rxp : NULL, tap_rxdeliver,
	    ifp);
	/* A random locally administered unicast address. */
	r = arc4random();
	lla[0] = 0x02;
	lla[1] = 0x62;
	lla[2] = (r >> 24) & 0xff;
	lla[3] = (r >> 16) & 0xff;
	lla[4] = (r >> 8) & 0xff;
	lla[5] = r & 0xff;
	ether_ifattach(ifp, lla);
	error = if_ithread_start(ifp, tap_intr);
	if (error == 0) {
		DROP_GIANT();
		error = tap_host_open(tapname, mtu, tap_notify, ifp,
		    &sc->sc_host, errbuf, errlen);
		PICKUP_GIANT();
	}
	if (error) {
		if_detach(ifp);		/* frees sc through tap_detach */
		if_free(ifp);
		return (error);
	}
	if_up(ifp);
	/* Frames may have arrived before we were up. */
	ithread_schedule(ifp->if_ithd);
	return (0);
}
