/*
 * UDP kernel structures and variables.
 */
#ifndef _NETINET_UDP_VAR_H_
#define	_NETINET_UDP_VAR_H_

#include <netinet/ip_var.h>
#include <netinet/udp.h>

struct socket;
struct sockopt;
struct sockaddr;
struct mbuf;

/* UDP header with the overlaid IP header, for checksumming. */
struct udpiphdr {
	struct	ipovly ui_i;		/* pseudo-header view of IP */
	struct	udphdr ui_u;		/* udp header */
};
#define	ui_x1		ui_i.ih_x1
#define	ui_pr		ui_i.ih_pr
#define	ui_len		ui_i.ih_len
#define	ui_src		ui_i.ih_src
#define	ui_dst		ui_i.ih_dst
#define	ui_sport	ui_u.uh_sport
#define	ui_dport	ui_u.uh_dport
#define	ui_ulen		ui_u.uh_ulen
#define	ui_sum		ui_u.uh_sum

struct udpstat {
				/* input statistics: */
	u_long	udps_ipackets;		/* total input packets */
	u_long	udps_hdrops;		/* packet shorter than header */
	u_long	udps_badsum;		/* checksum error */
	u_long	udps_nosum;		/* no checksum */
	u_long	udps_badlen;		/* data length larger than packet */
	u_long	udps_noport;		/* no socket on port */
	u_long	udps_noportbcast;	/* noport ones sent to broadcast */
	u_long	udps_fullsock;		/* dropped: receive buffer full */
	u_long	udpps_pcbcachemiss;	/* (unused; no pcb cache) */
	u_long	udpps_pcbhashmiss;	/* (unused; no pcb hash cache) */
				/* output statistics: */
	u_long	udps_opackets;		/* total output packets */
	u_long	udps_fastout;		/* output packets on fast path */
	u_long	udps_noportmcast;	/* noport ones sent to multicast */
};

struct inpcbinfo;
VNET_DECLARE(struct udpstat, udpstat);
#define	V_udpstat	VNET(udpstat)
VNET_DECLARE(struct inpcbinfo, udbinfo);
#define	V_udbinfo	VNET(udbinfo)

extern struct pr_usrreqs udp_usrreqs;

void	udp_init(void);
void	udp_destroy(void);
void	udp_input(struct mbuf *m, int off);
void	udp_ctlinput(int cmd, struct sockaddr *sa, void *vip);
int	udp_ctloutput(struct socket *so, struct sockopt *sopt);

#endif /* !_NETINET_UDP_VAR_H_ */
