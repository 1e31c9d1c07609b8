/*
 * IPv4 kernel state: the reassembly queues, the statistics and the
 * prototypes of ip_input.c and ip_output.c.
 */
#ifndef _NETINET_IP_VAR_H_
#define	_NETINET_IP_VAR_H_

#include <sys/queue.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <net/vnet.h>
#include <sys/protosw.h>

struct socket;

/* IP header as TCP and UDP view it for the pseudo-header checksum. */
struct ipovly {
	u_char	ih_x1[9];		/* (unused) */
	u_char	ih_pr;			/* protocol */
	u_short	ih_len;			/* protocol length */
	struct	in_addr ih_src;		/* source internet address */
	struct	in_addr ih_dst;		/* destination internet address */
};

/*
 * One datagram under reassembly: its identifying fields, its fragments
 * in offset order and a time-to-live in slow-timer ticks, after which
 * the queue is freed.  A full table evicts the oldest.
 */
struct ipq {
	TAILQ_ENTRY(ipq) ipq_list;	/* link in the list of queues */
	u_char	ipq_ttl;		/* slow ticks until discarded */
	u_char	ipq_p;			/* protocol of this fragment */
	u_short	ipq_id;			/* ip_id shared by the fragments */
	struct	mbuf *ipq_frags;	/* fragments, in offset order */
	struct	in_addr ipq_src, ipq_dst;
	u_char	ipq_nfrags;		/* fragments held */
	int	ipq_bytes;		/* payload bytes held */
};
TAILQ_HEAD(ipqhead, ipq);

#define	IP_MAXFRAGPACKETS	64	/* packets being reassembled at once */
#define	IP_MAXFRAGSPERPACKET	64	/* fragments held per packet */

/* IP options of a pcb, as kept in an mbuf. */
#define	MAX_IPOPTLEN	40

struct ipstat {
	u_long	ips_total;		/* total packets received */
	u_long	ips_badsum;		/* checksum bad */
	u_long	ips_tooshort;		/* packet too short */
	u_long	ips_toosmall;		/* not enough data */
	u_long	ips_badhlen;		/* header length field below 20 */
	u_long	ips_badlen;		/* total length below header length */
	u_long	ips_fragments;		/* fragments received */
	u_long	ips_fragdropped;	/* fragments dropped (duplicate, limits) */
	u_long	ips_fragtimeout;	/* fragments timed out */
	u_long	ips_forward;		/* packets forwarded */
	u_long	ips_cantforward;	/* not forwarded: no route to dest */
	u_long	ips_badoptions;		/* error in option processing */
	u_long	ips_noroute;		/* output dropped: no route */
	u_long	ips_badvers;		/* ip version != 4 */
	u_long	ips_rawout;		/* total raw ip packets generated */
	u_long	ips_toolong;		/* ip length > max ip packet size */
	u_long	ips_notmember;		/* multicast for groups not joined */
	u_long	ips_delivered;		/* handed to a transport protocol */
	u_long	ips_localout;		/* total ip packets generated here */
	u_long	ips_odropped;		/* output dropped: no mbufs or queue full */
	u_long	ips_reassembled;	/* total packets reassembled ok */
	u_long	ips_fragmented;		/* datagrams split into fragments */
	u_long	ips_ofragments;		/* output fragments created */
	u_long	ips_cantfrag;		/* too big to send and DF set */
	u_long	ips_noproto;		/* unknown or unsupported protocol */
	u_long	ips_nogif;		/* (unused: no tunnels) */
	u_long	ips_badaddr;		/* invalid address on header */
	u_long	ips_notforus;		/* not for this host, not forwarded */
	u_long	ips_fragoverlap;	/* fragments overlapping others */
};

/* ip_output flags argument. */
#define	IP_FORWARDING		0x1	/* forwarded: header already complete */
#define	IP_RAWOUTPUT		0x2	/* raw ip header exists */
#define	IP_ROUTETOIF		SO_DONTROUTE	/* bypass routing tables */
#define	IP_ALLOWBROADCAST	SO_BROADCAST	/* can send broadcast packets */

struct ip_moptions;
struct inpcb;
struct route;
struct mbuf;
struct sockopt;
struct protosw;

VNET_DECLARE(struct ipstat, ipstat);
#define	V_ipstat		VNET(ipstat)
VNET_DECLARE(int, ip_defttl);		/* default IP ttl */
#define	V_ip_defttl		VNET(ip_defttl)
VNET_DECLARE(int, ipforwarding);	/* ip forwarding (off by default) */
#define	V_ipforwarding		VNET(ipforwarding)
VNET_DECLARE(u_int, ip_id);		/* next IP identification value */
#define	V_ip_id			VNET(ip_id)
VNET_DECLARE(int, ip_maxfragpackets);
#define	V_ip_maxfragpackets	VNET(ip_maxfragpackets)

extern struct protosw inetsw[];
extern u_char	ip_protox[IPPROTO_MAX];

void	ip_init(void);
void	ip_destroy(void);
void	ip_input(struct mbuf *m);
int	ip_output(struct mbuf *m, struct mbuf *opt, struct route *ro,
	    int flags, struct ip_moptions *imo, struct inpcb *inp);
int	ip_fragment(struct ip *ip, struct mbuf **m_frag, int mtu,
	    u_long if_hwassist_flags, int sw_csum);
void	ip_slowtimo(void);
void	ip_drain(void);
int	ip_ctloutput(struct socket *so, struct sockopt *sopt);
void	ip_stripoptions(struct mbuf *m, struct mbuf *mopt);
u_short	ip_newid(void);
int	ip_reass_count(void);	/* packets now being reassembled */

#endif /* !_NETINET_IP_VAR_H_ */
