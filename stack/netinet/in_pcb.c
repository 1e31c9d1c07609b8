/*
 * Internet protocol control blocks: allocation, binding (with ephemeral
 * ports), connection and the hashed lookups used by UDP and TCP.
 *
 * The tables of a protocol (struct inpcbinfo) are per-instance globals.
 * Legacy synchronization: Giant and splnet; there are no pcb locks.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/domain.h>
#include <sys/protosw.h>
#include <sys/socket.h>
#include <sys/socketvar.h>
#include <sys/ucred.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/route.h>
#include <net/vnet.h>
#include <netinet/in.h>
#include <netinet/in_pcb.h>
#include <netinet/in_var.h>
#include <netinet/ip_var.h>

MALLOC_DEFINE(M_PCB, "pcb", "protocol control blocks");

/* The ephemeral port range, from RFC 6335. */
static int	ipport_firstauto = IPPORT_EPHEMERALFIRST;
static int	ipport_lastauto = IPPORT_EPHEMERALLAST;

void
in_pcbinfo_init(struct inpcbinfo *pcbinfo, int hash_nelements,
    int porthash_nelements)
{

	bzero(pcbinfo, sizeof(*pcbinfo));
	LIST_INIT(&pcbinfo->ipi_listhead);
	pcbinfo->listhead = &pcbinfo->ipi_listhead;
	pcbinfo->hashbase = hashinit(hash_nelements, M_PCB,
	    &pcbinfo->hashmask);
	pcbinfo->porthashbase = hashinit(porthash_nelements, M_PCB,
	    &pcbinfo->porthashmask);
	pcbinfo->lastport = pcbinfo->lasthi = (u_short)ipport_lastauto;
}

void
in_pcbinfo_destroy(struct inpcbinfo *pcbinfo)
{

	KASSERT(pcbinfo->ipi_count == 0,
	    ("in_pcbinfo_destroy: %u pcbs left", pcbinfo->ipi_count));
	hashdestroy(pcbinfo->hashbase, M_PCB, pcbinfo->hashmask);
	hashdestroy(pcbinfo->porthashbase, M_PCB, pcbinfo->porthashmask);
	pcbinfo->hashbase = NULL;
	pcbinfo->porthashbase = NULL;
}

/*
 * Allocate a PCB and associate it with the socket.
 */
int
in_pcballoc(struct socket *so, struct inpcbinfo *pcbinfo)
{
	struct inpcb *inp;

	inp = malloc(sizeof(*inp), M_PCB, M_NOWAIT | M_ZERO);
	if (inp == NULL)
		return (ENOBUFS);
	inp->inp_pcbinfo = pcbinfo;
	inp->inp_socket = so;
	inp->inp_cred = crhold(so->so_cred);
	inp->inp_vflag = INP_IPV4;
	inp->inp_ip_ttl = (u_char)V_ip_defttl;
	LIST_INSERT_HEAD(pcbinfo->listhead, inp, inp_list);
	pcbinfo->ipi_count++;
	pcbinfo->ipi_gencnt++;
	so->so_pcb = inp;
	return (0);
}

/*
 * Work out the local address and port a bind would give: nam NULL (or
 * port 0) picks an ephemeral port.  Checks the address is ours and the
 * port is free (SO_REUSEADDR / SO_REUSEPORT permitting).
 */
int
in_pcbbind_setup(struct inpcb *inp, struct sockaddr *nam, in_addr_t *laddrp,
    u_short *lportp, struct ucred *cred)
{
	struct socket *so;
	struct inpcbinfo *pcbinfo;
	struct sockaddr_in *sin;
	struct inpcb *t;
	struct in_addr laddr;
	u_short lport, first, last, *lastport;
	int count, wild, reuseport;

	so = inp->inp_socket;
	pcbinfo = inp->inp_pcbinfo;
	laddr.s_addr = *laddrp;
	lport = *lportp;
	wild = 0;
	reuseport = so->so_options & SO_REUSEPORT;
	if ((so->so_options & (SO_REUSEADDR | SO_REUSEPORT)) == 0)
		wild = INPLOOKUP_WILDCARD;
	if (nam != NULL) {
		sin = (struct sockaddr_in *)nam;
		if (nam->sa_len != sizeof(*sin))
			return (EINVAL);
		if (sin->sin_family != AF_INET && sin->sin_family != AF_UNSPEC)
			return (EAFNOSUPPORT);
		lport = sin->sin_port;
		if (IN_MULTICAST(ntohl(sin->sin_addr.s_addr))) {
			/* Multicast: several sockets may share the port. */
			if (so->so_options & SO_REUSEADDR)
				reuseport = SO_REUSEADDR | SO_REUSEPORT;
		} else if (sin->sin_addr.s_addr != INADDR_ANY) {
			sin->sin_port = 0;	/* yech... */
			if (!in_localip(sin->sin_addr) &&
			    !in_broadcast(sin->sin_addr, NULL)) {
				sin->sin_port = lport;
				return (EADDRNOTAVAIL);
			}
			sin->sin_port = lport;
		}
		laddr = sin->sin_addr;
		if (lport != 0) {
			if (ntohs(lport) < IPPORT_RESERVED && cred != NULL &&
			    suser_cred(cred, 0) != 0)
				return (EACCES);
			t = in_pcblookup_local(pcbinfo, laddr, lport, wild);
			if (t != NULL && t != inp &&
			    (reuseport & t->inp_socket->so_options) == 0)
				return (EADDRINUSE);
		}
	}
	if (*lportp != 0)
		lport = *lportp;
	if (lport == 0) {
		first = (u_short)ipport_firstauto;
		last = (u_short)ipport_lastauto;
		lastport = &pcbinfo->lastport;
		/*
		 * Walk the range from the last port handed out; give up
		 * after one full turn.
		 */
		count = last - first + 1;
		do {
			if (count-- <= 0)
				return (EADDRNOTAVAIL);
			if (*lastport < first || *lastport >= last)
				*lastport = first;
			else
				++*lastport;
			lport = htons(*lastport);
		} while (in_pcblookup_local(pcbinfo, laddr, lport, wild));
	}
	*laddrp = laddr.s_addr;
	*lportp = lport;
	return (0);
}

int
in_pcbbind(struct inpcb *inp, struct sockaddr *nam, struct ucred *cred)
{
	int error;
	in_addr_t laddr;
	u_short lport;

	/* With no address configured there is nothing to bind to. */
	if (in_ifaddr_none())
		return (EADDRNOTAVAIL);
	if (inp->inp_lport != 0 || inp->inp_laddr.s_addr != INADDR_ANY)
		return (EINVAL);
	laddr = inp->inp_laddr.s_addr;
	lport = inp->inp_lport;
	error = in_pcbbind_setup(inp, nam, &laddr, &lport, cred);
	if (error)
		return (error);
	inp->inp_laddr.s_addr = laddr;
	inp->inp_lport = lport;
	if (in_pcbinshash(inp) != 0) {
		inp->inp_laddr.s_addr = INADDR_ANY;
		inp->inp_lport = 0;
		return (EAGAIN);
	}
	return (0);
}

/*
 * Work out the addresses of a connection to nam: the local address (from
 * the route to the destination when unbound), the local port (bound as
 * needed), and the foreign address and port.  *oinpp gets a pcb that
 * already has exactly this connection, if any.
 */
int
in_pcbconnect_setup(struct inpcb *inp, struct sockaddr *nam,
    in_addr_t *laddrp, u_short *lportp, in_addr_t *faddrp, u_short *fportp,
    struct inpcb **oinpp, struct ucred *cred)
{
	struct sockaddr_in *sin;
	struct in_ifaddr *ia;
	struct route sro;
	struct in_addr laddr, faddr;
	struct inpcb *oinp;
	u_short lport, fport;
	int error;

	if (oinpp != NULL)
		*oinpp = NULL;
	sin = (struct sockaddr_in *)nam;
	if (nam->sa_len != sizeof(*sin))
		return (EINVAL);
	if (sin->sin_family != AF_INET)
		return (EAFNOSUPPORT);
	if (sin->sin_port == 0)
		return (EADDRNOTAVAIL);
	laddr.s_addr = *laddrp;
	lport = *lportp;
	faddr = sin->sin_addr;
	fport = sin->sin_port;
	/*
	 * Unspecified destination (INADDR_ANY) means this host: the first
	 * configured address.  The limited broadcast address becomes the
	 * directed broadcast of the first address's subnet when its
	 * interface can broadcast.  (The classic BSD substitutions.)
	 */
	in_ifaddr_dstsubst(&faddr);
	if (laddr.s_addr == INADDR_ANY) {
		/*
		 * Ours when faddr is ours, else the route's address (the
		 * route holds it), else the first address of the interface
		 * the route goes out of: copied, never a pointer into the
		 * address list, whose entries can go away.
		 */
		error = ENETUNREACH;
		bzero(&sro, sizeof(sro));
		sro.ro_dst.sa_family = AF_INET;
		sro.ro_dst.sa_len = sizeof(struct sockaddr_in);
		((struct sockaddr_in *)&sro.ro_dst)->sin_addr = faddr;
		rtalloc_ign(&sro, RTF_REJECT);
		if (sro.ro_rt != NULL) {
			if (sro.ro_rt->rt_flags & RTF_LOCAL) {
				if (in_localip(faddr)) {
					laddr = faddr;
					error = 0;
				}
			} else if (sro.ro_rt->rt_ifa != NULL) {
				ia = ifatoia(sro.ro_rt->rt_ifa);
				laddr = ia->ia_addr.sin_addr;
				error = 0;
			}
			if (error != 0 && sro.ro_rt->rt_ifp != NULL)
				error = in_ifpaddr(sro.ro_rt->rt_ifp, &laddr);
			RTFREE(sro.ro_rt);
		}
		if (error != 0)
			return (ENETUNREACH);
	}
	oinp = in_pcblookup_hash(inp->inp_pcbinfo, faddr, fport, laddr,
	    lport, 0, NULL);
	if (oinp != NULL) {
		if (oinpp != NULL)
			*oinpp = oinp;
		return (EADDRINUSE);
	}
	if (lport == 0) {
		error = in_pcbbind_setup(inp, NULL, &laddr.s_addr, &lport,
		    cred);
		if (error)
			return (error);
	}
	*laddrp = laddr.s_addr;
	*lportp = lport;
	*faddrp = faddr.s_addr;
	*fportp = fport;
	return (0);
}

/*
 * Connect inp to the address and port in nam (both required).  An
 * unbound pcb gets a local address and port (in_pcbconnect_setup),
 * then is rehashed under its new connection.
 */
int
in_pcbconnect(struct inpcb *inp, struct sockaddr *nam, struct ucred *cred)
{
	u_short lport, fport;
	in_addr_t laddr, faddr;
	int anonport, error;

	lport = inp->inp_lport;
	laddr = inp->inp_laddr.s_addr;
	anonport = (lport == 0);
	error = in_pcbconnect_setup(inp, nam, &laddr, &lport, &faddr, &fport,
	    NULL, cred);
	if (error)
		return (error);
	inp->inp_laddr.s_addr = laddr;
	inp->inp_faddr.s_addr = faddr;
	inp->inp_fport = fport;
	inp->inp_lport = lport;
	if (anonport) {
		inp->inp_flags |= INP_ANONPORT;
		if (in_pcbinshash(inp) != 0) {
			inp->inp_laddr.s_addr = INADDR_ANY;
			inp->inp_faddr.s_addr = INADDR_ANY;
			inp->inp_lport = inp->inp_fport = 0;
			return (EAGAIN);
		}
	} else
		in_pcbrehash(inp);
	return (0);
}

void
in_pcbdisconnect(struct inpcb *inp)
{

	inp->inp_faddr.s_addr = INADDR_ANY;
	inp->inp_fport = 0;
	in_pcbrehash(inp);
}

/* Break the association between the socket and the pcb. */
void
in_pcbdetach(struct inpcb *inp)
{
	struct socket *so;

	so = inp->inp_socket;
	KASSERT(so != NULL, ("in_pcbdetach: no socket"));
	so->so_pcb = NULL;
	inp->inp_socket = NULL;
}

/* Free a pcb detached from its socket. */
void
in_pcbfree(struct inpcb *inp)
{
	struct inpcbinfo *ipi;

	KASSERT(inp->inp_socket == NULL, ("in_pcbfree: socket still there"));
	ipi = inp->inp_pcbinfo;
	in_pcbremlists(inp);
	if (inp->inp_options != NULL)
		m_freem(inp->inp_options);
	if (inp->inp_route.ro_rt != NULL)
		RTFREE(inp->inp_route.ro_rt);
	crfree(inp->inp_cred);
	ipi->ipi_gencnt++;
	free(inp, M_PCB);
}

/* Allocate a sockaddr_in (M_SONAME) for a port and address. */
struct sockaddr *
in_sockaddr(in_port_t port, struct in_addr *addr_p)
{
	struct sockaddr_in *sin;

	sin = malloc(sizeof(*sin), M_SONAME, M_WAITOK | M_ZERO);
	sin->sin_family = AF_INET;
	sin->sin_len = sizeof(*sin);
	sin->sin_addr = *addr_p;
	sin->sin_port = port;
	return ((struct sockaddr *)sin);
}

int
in_getsockaddr(struct socket *so, struct sockaddr **nam)
{
	struct inpcb *inp;
	struct in_addr addr;
	in_port_t port;

	inp = sotoinpcb(so);
	if (inp == NULL)
		return (EINVAL);
	port = inp->inp_lport;
	addr = inp->inp_laddr;
	*nam = in_sockaddr(port, &addr);
	return (0);
}

int
in_getpeeraddr(struct socket *so, struct sockaddr **nam)
{
	struct inpcb *inp;
	struct in_addr addr;
	in_port_t port;

	inp = sotoinpcb(so);
	if (inp == NULL)
		return (ENOTCONN);
	port = inp->inp_fport;
	addr = inp->inp_faddr;
	*nam = in_sockaddr(port, &addr);
	return (0);
}

/*
 * Pass an error to every connection with foreign address faddr (e.g.
 * from an ICMP error); notify may free the pcb.
 */
void
in_pcbnotifyall(struct inpcbinfo *pcbinfo, struct in_addr faddr, int errno,
    struct inpcb *(*notify)(struct inpcb *, int))
{
	struct inpcb *inp, *ninp;
	int s;

	s = splnet();
	LIST_FOREACH_SAFE(inp, pcbinfo->listhead, inp_list, ninp) {
		if (inp->inp_faddr.s_addr != faddr.s_addr ||
		    inp->inp_socket == NULL)
			continue;
		(void)(*notify)(inp, errno);
	}
	splx(s);
}

/*
 * The input path's lookup: the socket of the pcb that would receive a
 * datagram from faddr:fport to laddr:lport, with a reference (soref) that
 * keeps it while the caller leaves the table and enters the socket's own
 * section; the caller drops it with sorele().  NULL when no pcb matches.
 */
struct socket *
in_pcblookup_socket(struct inpcbinfo *pcbinfo, struct in_addr faddr,
    u_int fport, struct in_addr laddr, u_int lport, int wildcard,
    struct ifnet *ifp)
{
	struct inpcb *inp;
	struct socket *so;
	int s;

	so = NULL;
	s = splnet();
	inp = in_pcblookup_hash(pcbinfo, faddr, fport, laddr, lport, wildcard,
	    ifp);
	if (inp != NULL && inp->inp_socket != NULL) {
		so = inp->inp_socket;
		soref(so);
	}
	splx(s);
	return (so);
}

/*
 * The sockets of the pcbs of a table that match() accepts, in list order,
 * each with a reference as in_pcblookup_socket() gives, in an array
 * (M_TEMP) the caller frees.  match() returns 0 to skip a pcb, 1 to take
 * it, 2 to take it and stop.  *np is the number taken; NULL (and *np 0)
 * when none matched or there was no memory for the array.
 */
struct socket **
in_pcbsockets(struct inpcbinfo *pcbinfo,
    int (*match)(struct inpcb *, void *), void *arg, int *np)
{
	struct inpcb *inp;
	struct socket **sv;
	int i, n, r, s;

	sv = NULL;
	i = 0;
	s = splnet();
	n = 0;
	LIST_FOREACH(inp, pcbinfo->listhead, inp_list) {
		if (inp->inp_socket == NULL || (r = (*match)(inp, arg)) == 0)
			continue;
		n++;
		if (r == 2)
			break;
	}
	if (n != 0)
		sv = malloc(n * sizeof(*sv), M_TEMP, M_NOWAIT);
	if (sv != NULL) {
		LIST_FOREACH(inp, pcbinfo->listhead, inp_list) {
			if (inp->inp_socket == NULL ||
			    (r = (*match)(inp, arg)) == 0)
				continue;
			sv[i] = inp->inp_socket;
			soref(sv[i]);
			i++;
			if (r == 2 || i == n)
				break;
		}
	}
	splx(s);
	*np = i;
	return (sv);
}

/*
 * Search a protocol's pcbs by local address and port: an exact match,
 * or with wild_okay the one needing the fewest wildcards.
 */
struct inpcb *
in_pcblookup_local(struct inpcbinfo *pcbinfo, struct in_addr laddr,
    u_int lport_arg, int wild_okay)
{
	struct inpcb *inp, *match;
	struct inpcbporthead *porthash;
	struct inpcbport *phd;
	u_short lport;
	int matchwild, wildcard;

	lport = (u_short)lport_arg;
	match = NULL;
	matchwild = 3;
	porthash = &pcbinfo->porthashbase[INP_PCBPORTHASH(lport,
	    pcbinfo->porthashmask)];
	LIST_FOREACH(phd, porthash, phd_hash)
		if (phd->phd_port == lport)
			break;
	if (phd == NULL)
		return (NULL);
	LIST_FOREACH(inp, &phd->phd_pcblist, inp_portlist) {
		wildcard = 0;
		if (!wild_okay) {
			if (inp->inp_faddr.s_addr == INADDR_ANY &&
			    inp->inp_laddr.s_addr == laddr.s_addr)
				return (inp);
			continue;
		}
		if (inp->inp_faddr.s_addr != INADDR_ANY)
			wildcard++;
		if (inp->inp_laddr.s_addr != INADDR_ANY) {
			if (laddr.s_addr == INADDR_ANY)
				wildcard++;
			else if (inp->inp_laddr.s_addr != laddr.s_addr)
				continue;
		} else if (laddr.s_addr != INADDR_ANY)
			wildcard++;
		if (wildcard < matchwild) {
			match = inp;
			matchwild = wildcard;
			if (matchwild == 0)
				break;
		}
	}
	return (match);
}

/*
 * Hash search for a segment's pcb: the full connection (faddr, fport,
 * laddr, lport) first, then with wildcard a socket bound to (laddr, lport)
 * or to (INADDR_ANY, lport).
 */
struct inpcb *
in_pcblookup_hash(struct inpcbinfo *pcbinfo, struct in_addr faddr,
    u_int fport_arg, struct in_addr laddr, u_int lport_arg, int wildcard,
    struct ifnet *ifp __unused)
{
	struct inpcbhead *head;
	struct inpcb *inp, *local_wild;
	u_short fport, lport;

	fport = (u_short)fport_arg;
	lport = (u_short)lport_arg;
	head = &pcbinfo->hashbase[INP_PCBHASH(faddr.s_addr, lport, fport,
	    pcbinfo->hashmask)];
	LIST_FOREACH(inp, head, inp_hash)
		if (inp->inp_faddr.s_addr == faddr.s_addr &&
		    inp->inp_laddr.s_addr == laddr.s_addr &&
		    inp->inp_fport == fport && inp->inp_lport == lport)
			return (inp);
	if (!wildcard)
		return (NULL);
	local_wild = NULL;
	head = &pcbinfo->hashbase[INP_PCBHASH(INADDR_ANY, lport, 0,
	    pcbinfo->hashmask)];
	LIST_FOREACH(inp, head, inp_hash) {
		if (inp->inp_faddr.s_addr != INADDR_ANY ||
		    inp->inp_lport != lport)
			continue;
		if (inp->inp_laddr.s_addr == laddr.s_addr)
			return (inp);
		if (inp->inp_laddr.s_addr == INADDR_ANY)
			local_wild = inp;
	}
	return (local_wild);
}

/*
 * Insert PCB onto various hash lists.
 */
int
in_pcbinshash(struct inpcb *inp)
{
	struct inpcbhead *pcbhash;
	struct inpcbporthead *pcbporthash;
	struct inpcbinfo *pcbinfo;
	struct inpcbport *phd;

	pcbinfo = inp->inp_pcbinfo;
	pcbhash = &pcbinfo->hashbase[INP_PCBHASH(inp->inp_faddr.s_addr,
	    inp->inp_lport, inp->inp_fport, pcbinfo->hashmask)];
	pcbporthash = &pcbinfo->porthashbase[INP_PCBPORTHASH(inp->inp_lport,
	    pcbinfo->porthashmask)];
	LIST_FOREACH(phd, pcbporthash, phd_hash)
		if (phd->phd_port == inp->inp_lport)
			break;
	if (phd == NULL) {
		phd = malloc(sizeof(*phd), M_PCB, M_NOWAIT);
		if (phd == NULL)
			return (ENOBUFS);
		phd->phd_port = inp->inp_lport;
		LIST_INIT(&phd->phd_pcblist);
		LIST_INSERT_HEAD(pcbporthash, phd, phd_hash);
	}
	inp->inp_phd = phd;
	LIST_INSERT_HEAD(&phd->phd_pcblist, inp, inp_portlist);
	LIST_INSERT_HEAD(pcbhash, inp, inp_hash);
	inp->inp_flags |= INP_INHASHLIST;
	return (0);
}

/*
 * Re-file inp under the hash bucket of its current (faddr, fport, lport)
 * after a connect or disconnect changed them.
 */
void
in_pcbrehash(struct inpcb *inp)
{
	struct inpcbinfo *pcbinfo;
	struct inpcbhead *head;

	if ((inp->inp_flags & INP_INHASHLIST) == 0) {
		(void)in_pcbinshash(inp);
		return;
	}
	pcbinfo = inp->inp_pcbinfo;
	head = &pcbinfo->hashbase[INP_PCBHASH(inp->inp_faddr.s_addr,
	    inp->inp_lport, inp->inp_fport, pcbinfo->hashmask)];
	LIST_REMOVE(inp, inp_hash);
	LIST_INSERT_HEAD(head, inp, inp_hash);
}

/* Remove PCB from various lists. */
void
in_pcbremlists(struct inpcb *inp)
{
	struct inpcbport *phd;

	inp->inp_pcbinfo->ipi_gencnt++;
	if (inp->inp_flags & INP_INHASHLIST) {
		phd = inp->inp_phd;
		LIST_REMOVE(inp, inp_hash);
		LIST_REMOVE(inp, inp_portlist);
		if (LIST_FIRST(&phd->phd_pcblist) == NULL) {
			LIST_REMOVE(phd, phd_hash);
			free(phd, M_PCB);
		}
		inp->inp_flags &= ~INP_INHASHLIST;
	}
	LIST_REMOVE(inp, inp_list);
	inp->inp_pcbinfo->ipi_count--;
}
