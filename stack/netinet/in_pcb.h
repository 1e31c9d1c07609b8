/*
 * Internet protocol control blocks, shared by UDP and TCP.
 *
 * Each protocol keeps an inpcbinfo: the list of all its pcbs, a hash of
 * connections on (faddr, fport, lport) and a hash of bound local ports.
 * They are per-instance globals, serialized by Giant and splnet as the
 * uniprocessor kernel did; nothing here locks.
 */
#ifndef _NETINET_IN_PCB_H_
#define	_NETINET_IN_PCB_H_

#include <sys/queue.h>
#include <netinet/in.h>
#include <net/route.h>

struct socket;
struct ucred;
struct mbuf;
struct ifnet;

LIST_HEAD(inpcbhead, inpcb);
LIST_HEAD(inpcbporthead, inpcbport);

struct inpcb {
	LIST_ENTRY(inpcb) inp_hash;	/* hash list */
	LIST_ENTRY(inpcb) inp_list;	/* link on the protocol's list */
	void	*inp_ppcb;		/* pointer to per-protocol pcb */
	struct	inpcbinfo *inp_pcbinfo;	/* PCB list info */
	struct	socket *inp_socket;	/* back pointer to socket */
	struct	ucred *inp_cred;	/* credential of the opener */
	struct	in_addr inp_faddr;	/* peer address */
	struct	in_addr inp_laddr;	/* our address */
	u_short	inp_fport;		/* foreign port (network order) */
	u_short	inp_lport;		/* local port (network order) */
	LIST_ENTRY(inpcb) inp_portlist;	/* link on the port's list */
	struct	inpcbport *inp_phd;	/* head of this list */
	int	inp_flags;		/* generic IP/datagram flags */
	u_char	inp_vflag;		/* IP version flags */
	u_char	inp_ip_ttl;		/* time to live */
	u_char	inp_ip_p;		/* protocol proto */
	u_char	inp_ip_tos;		/* type of service */
	struct	mbuf *inp_options;	/* IP options */
	struct	route inp_route;	/* cached route */
};

struct inpcbport {
	LIST_ENTRY(inpcbport) phd_hash;
	struct	inpcbhead phd_pcblist;
	u_short	phd_port;
};

struct inpcbinfo {
	struct	inpcbhead *listhead;	/* all pcbs of the protocol */
	struct	inpcbhead *hashbase;	/* connection hash */
	u_long	hashmask;
	struct	inpcbporthead *porthashbase; /* local port hash */
	u_long	porthashmask;
	u_short	lastport;		/* last ephemeral port handed out */
	u_short	lastlow;
	u_short	lasthi;
	u_int	ipi_count;		/* number of pcbs in this list */
	u_quad_t ipi_gencnt;		/* current generation count */
	struct	inpcbhead ipi_listhead;	/* storage for listhead */
};

#define	INP_PCBHASH(faddr, lport, fport, mask) \
	(((faddr) ^ ((faddr) >> 16) ^ ntohs((lport) ^ (fport))) & (mask))
#define	INP_PCBPORTHASH(lport, mask) \
	(ntohs((lport)) & (mask))

/* flags in inp_flags: */
#define	INP_RECVOPTS		0x01	/* receive incoming IP options */
#define	INP_RECVRETOPTS		0x02	/* receive IP options for reply */
#define	INP_RECVDSTADDR		0x04	/* receive IP dst address */
#define	INP_HDRINCL		0x08	/* user supplies entire IP header */
#define	INP_HIGHPORT		0x10	/* ephemeral from the high range */
#define	INP_LOWPORT		0x20	/* ephemeral from the low range */
#define	INP_ANONPORT		0x40	/* port chosen for user */
#define	INP_INHASHLIST		0x2000	/* in the hash lists */
#define	INP_DROPPED		0x4000	/* protocol drop flag */
#define	INP_SOCKREF		0x8000	/* strong socket reference */

#define	INP_IPV4	0x1		/* inp_vflag */

#define	INPLOOKUP_WILDCARD	1

#define	sotoinpcb(so)	((struct inpcb *)(so)->so_pcb)

void	in_pcbinfo_init(struct inpcbinfo *pcbinfo, int hash_nelements,
	    int porthash_nelements);
void	in_pcbinfo_destroy(struct inpcbinfo *pcbinfo);
int	in_pcballoc(struct socket *so, struct inpcbinfo *pcbinfo);
int	in_pcbbind(struct inpcb *inp, struct sockaddr *nam,
	    struct ucred *cred);
int	in_pcbbind_setup(struct inpcb *inp, struct sockaddr *nam,
	    in_addr_t *laddrp, u_short *lportp, struct ucred *cred);
int	in_pcbconnect(struct inpcb *inp, struct sockaddr *nam,
	    struct ucred *cred);
int	in_pcbconnect_setup(struct inpcb *inp, struct sockaddr *nam,
	    in_addr_t *laddrp, u_short *lportp, in_addr_t *faddrp,
	    u_short *fportp, struct inpcb **oinpp, struct ucred *cred);
void	in_pcbdisconnect(struct inpcb *inp);
void	in_pcbdetach(struct inpcb *inp);
void	in_pcbfree(struct inpcb *inp);
int	in_pcbinshash(struct inpcb *inp);
void	in_pcbrehash(struct inpcb *inp);
void	in_pcbremlists(struct inpcb *inp);
struct inpcb *in_pcblookup_local(struct inpcbinfo *pcbinfo,
	    struct in_addr laddr, u_int lport, int wild_okay);
struct inpcb *in_pcblookup_hash(struct inpcbinfo *pcbinfo,
	    struct in_addr faddr, u_int fport, struct in_addr laddr,
	    u_int lport, int wildcard, struct ifnet *ifp);
#define	in_pcblookup(pcbinfo, faddr, fport, laddr, lport, wildcard, ifp) \
	in_pcblookup_hash(pcbinfo, faddr, fport, laddr, lport, wildcard, ifp)
struct socket *in_pcblookup_socket(struct inpcbinfo *pcbinfo,
	    struct in_addr faddr, u_int fport, struct in_addr laddr,
	    u_int lport, int wildcard, struct ifnet *ifp);
struct socket **in_pcbsockets(struct inpcbinfo *pcbinfo,
	    int (*match)(struct inpcb *, void *), void *arg, int *np);
void	in_pcbnotifyall(struct inpcbinfo *pcbinfo, struct in_addr faddr,
	    int errno, struct inpcb *(*notify)(struct inpcb *, int));
struct sockaddr *in_sockaddr(in_port_t port, struct in_addr *addr);
int	in_getsockaddr(struct socket *so, struct sockaddr **nam);
int	in_getpeeraddr(struct socket *so, struct sockaddr **nam);
#define	in_setsockaddr	in_getsockaddr
#define	in_setpeeraddr	in_getpeeraddr

/* Error numbers of ICMP errors, indexed by PRC_ code (in_proto.c). */
extern const u_char inetctlerrmap[];

#endif /* !_NETINET_IN_PCB_H_ */
