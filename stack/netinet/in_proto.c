/*
 * The internet domain and its protocol switch.  No entry sets
 * PR_MPSAFE: the socket layer and the netisr take Giant around all of
 * them.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mbuf.h>
#include <sys/domain.h>
#include <sys/protosw.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/in_pcb.h>
#include <netinet/ip.h>
#include <netinet/ip_var.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <netinet/udp_var.h>

void	rip_init(void);
void	rip_destroy(void);
void	rip_input(struct mbuf *m, int off);
int	rip_ctloutput(struct socket *so, struct sockopt *sopt);
extern struct pr_usrreqs rip_usrreqs;

#ifdef INET_TCP
/* TCP (netinet/tcp_*.c); the per-instance teardown and timers are optional. */
pr_init_t	tcp_init;
pr_input_t	tcp_input;
pr_ctlinput_t	tcp_ctlinput;
pr_ctloutput_t	tcp_ctloutput;
extern struct pr_usrreqs tcp_usrreqs;
pr_destroy_t	tcp_destroy __attribute__((__weak__));
pr_fasttimo_t	tcp_fasttimo __attribute__((__weak__));
pr_slowtimo_t	tcp_slowtimo __attribute__((__weak__));
pr_drain_t	tcp_drain __attribute__((__weak__));
#endif

/* The IP entry only initializes; it takes no sockets. */
static int
ip_noattach(struct socket *so __unused, int proto __unused,
    struct thread *td __unused)
{

	return (EPROTONOSUPPORT);
}

static struct pr_usrreqs nousrreqs = {
	.pru_attach = ip_noattach,
};

struct protosw inetsw[] = {
{
	.pr_type =		0,
	.pr_domain =		&inetdomain,
	.pr_protocol =		IPPROTO_IP,
	.pr_init =		ip_init,
	.pr_destroy =		ip_destroy,
	.pr_slowtimo =		ip_slowtimo,
	.pr_drain =		ip_drain,
	.pr_usrreqs =		&nousrreqs,
},
{
	.pr_type =		SOCK_DGRAM,
	.pr_domain =		&inetdomain,
	.pr_protocol =		IPPROTO_UDP,
	.pr_flags =		PR_ATOMIC | PR_ADDR,
	.pr_input =		udp_input,
	.pr_ctlinput =		udp_ctlinput,
	.pr_ctloutput =		udp_ctloutput,
	.pr_init =		udp_init,
	.pr_destroy =		udp_destroy,
	.pr_usrreqs =		&udp_usrreqs,
},
#ifdef INET_TCP
{
	.pr_type =		SOCK_STREAM,
	.pr_domain =		&inetdomain,
	.pr_protocol =		IPPROTO_TCP,
	.pr_flags =		PR_CONNREQUIRED | PR_WANTRCVD,
	.pr_input =		tcp_input,
	.pr_ctlinput =		tcp_ctlinput,
	.pr_ctloutput =		tcp_ctloutput,
	.pr_init =		tcp_init,
	.pr_destroy =		tcp_destroy,
	.pr_fasttimo =		tcp_fasttimo,
	.pr_slowtimo =		tcp_slowtimo,
	.pr_drain =		tcp_drain,
	.pr_usrreqs =		&tcp_usrreqs,
},
#endif
{
	.pr_type =		SOCK_RAW,
	.pr_domain =		&inetdomain,
	.pr_protocol =		IPPROTO_ICMP,
	.pr_flags =		PR_ATOMIC | PR_ADDR | PR_LASTHDR,
	.pr_input =		icmp_input,
	.pr_ctloutput =		rip_ctloutput,
	.pr_usrreqs =		&rip_usrreqs,
},
{
	.pr_type =		SOCK_RAW,
	.pr_domain =		&inetdomain,
	.pr_protocol =		IPPROTO_RAW,
	.pr_flags =		PR_ATOMIC | PR_ADDR,
	.pr_input =		rip_input,
	.pr_ctloutput =		rip_ctloutput,
	.pr_init =		rip_init,
	.pr_destroy =		rip_destroy,
	.pr_usrreqs =		&rip_usrreqs,
},
/* raw wildcard: any other protocol number */
{
	.pr_type =		SOCK_RAW,
	.pr_domain =		&inetdomain,
	.pr_protocol =		0,
	.pr_flags =		PR_ATOMIC | PR_ADDR,
	.pr_input =		rip_input,
	.pr_ctloutput =		rip_ctloutput,
	.pr_usrreqs =		&rip_usrreqs,
},
};

struct domain inetdomain = {
	.dom_family =		AF_INET,
	.dom_name =		"internet",
	.dom_protosw =		inetsw,
	.dom_protoswNPROTOSW =	&inetsw[nitems(inetsw)],
};

/* Errors of the protocols for the PRC_ codes of ICMP messages. */
const u_char inetctlerrmap[PRC_NCMDS] = {
	0,		0,		0,		0,
	0,		EMSGSIZE,	EHOSTDOWN,	EHOSTUNREACH,
	EHOSTUNREACH,	EHOSTUNREACH,	ECONNREFUSED,	ECONNREFUSED,
	EMSGSIZE,	EHOSTUNREACH,	0,		0,
	0,		0,		0,		0,
	ENOPROTOOPT,	ECONNREFUSED
};
