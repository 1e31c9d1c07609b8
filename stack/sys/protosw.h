/*
 * Protocol switch table: one entry per protocol of a domain, with the
 * entry points the socket layer and the lower layers call.
 *
 * PR_MPSAFE marks a protocol whose entry points do their own locking; the
 * socket layer takes Giant around every call into a protocol without it.
 * No protocol of the legacy stack sets it.
 */
#ifndef _SYS_PROTOSW_H_
#define	_SYS_PROTOSW_H_

#include <sys/types.h>

struct mbuf;
struct sockaddr;
struct socket;
struct sockopt;
struct thread;
struct ifnet;
struct domain;

typedef void	pr_input_t(struct mbuf *m, int off);
typedef int	pr_output_t(struct mbuf *m, struct socket *so);
typedef void	pr_ctlinput_t(int cmd, struct sockaddr *sa, void *vip);
typedef int	pr_ctloutput_t(struct socket *so, struct sockopt *sopt);
typedef void	pr_init_t(void);
typedef void	pr_destroy_t(void);
typedef void	pr_fasttimo_t(void);
typedef void	pr_slowtimo_t(void);
typedef void	pr_drain_t(void);

struct protosw {
	short	pr_type;		/* SOCK_* it serves */
	struct	domain *pr_domain;	/* its domain */
	short	pr_protocol;		/* protocol number */
	short	pr_flags;		/* see below */
/* entry points used by other layers */
	pr_input_t *pr_input;		/* input to protocol (from below) */
	pr_output_t *pr_output;		/* output to protocol (from above) */
	pr_ctlinput_t *pr_ctlinput;	/* control input (from below) */
	pr_ctloutput_t *pr_ctloutput;	/* control output (from above) */
/* per-instance setup, teardown and timers */
	pr_init_t *pr_init;		/* per instance, at stack creation */
	pr_destroy_t *pr_destroy;	/* per instance, at stack destruction */
	pr_fasttimo_t *pr_fasttimo;	/* fast timeout (200ms) */
	pr_slowtimo_t *pr_slowtimo;	/* slow timeout (500ms) */
	pr_drain_t *pr_drain;		/* release memory on shortage */
	struct	pr_usrreqs *pr_usrreqs;	/* user-protocol hooks */
};

#define	PR_SLOWHZ	2		/* 2 slow timeouts per second */
#define	PR_FASTHZ	5		/* 5 fast timeouts per second */

/* Values for pr_flags. */
#define	PR_ATOMIC	0x01		/* exchange atomic messages only */
#define	PR_ADDR		0x02		/* addresses given with messages */
#define	PR_CONNREQUIRED	0x04		/* connection required by protocol */
#define	PR_WANTRCVD	0x08		/* want PRU_RCVD calls */
#define	PR_RIGHTS	0x10		/* passes capabilities */
#define	PR_IMPLOPCL	0x20		/* implied open/close */
#define	PR_LASTHDR	0x40		/* (IPsec) final header */
#define	PR_MPSAFE	0x80		/* entry points lock for themselves */

/*
 * Giant around a call into protocol pr's entry points when they do not
 * lock for themselves (the caller includes sys/mutex.h): the socket layer
 * (SOCK_GIANT_LOCK), the input path from the netisr (pr_input,
 * pr_ctlinput) and the protocol timers, which run without Giant once
 * their own module is migrated.
 */
#define	PR_NEEDS_GIANT(pr)	(((pr)->pr_flags & PR_MPSAFE) == 0)
#define	PR_GIANT_LOCK(pr) do {						\
	if (PR_NEEDS_GIANT(pr))						\
		mtx_lock(&Giant);					\
} while (0)
#define	PR_GIANT_UNLOCK(pr) do {					\
	if (PR_NEEDS_GIANT(pr))						\
		mtx_unlock(&Giant);					\
} while (0)

/*
 * User requests to a protocol, FreeBSD 5 style: a function per request.
 */
struct pr_usrreqs {
	int	(*pru_abort)(struct socket *so);
	int	(*pru_accept)(struct socket *so, struct sockaddr **nam);
	int	(*pru_attach)(struct socket *so, int proto, struct thread *td);
	int	(*pru_bind)(struct socket *so, struct sockaddr *nam,
		    struct thread *td);
	int	(*pru_connect)(struct socket *so, struct sockaddr *nam,
		    struct thread *td);
	int	(*pru_connect2)(struct socket *so1, struct socket *so2);
	int	(*pru_control)(struct socket *so, u_long cmd, caddr_t data,
		    struct ifnet *ifp, struct thread *td);
	int	(*pru_detach)(struct socket *so);
	int	(*pru_disconnect)(struct socket *so);
	int	(*pru_listen)(struct socket *so, struct thread *td);
	int	(*pru_peeraddr)(struct socket *so, struct sockaddr **nam);
	int	(*pru_rcvd)(struct socket *so, int flags);
	int	(*pru_rcvoob)(struct socket *so, struct mbuf *m, int flags);
	int	(*pru_send)(struct socket *so, int flags, struct mbuf *m,
		    struct sockaddr *addr, struct mbuf *control,
		    struct thread *td);
#define	PRUS_OOB	0x1
#define	PRUS_EOF	0x2
#define	PRUS_MORETOCOME	0x4
	int	(*pru_shutdown)(struct socket *so);
	int	(*pru_sockaddr)(struct socket *so, struct sockaddr **nam);
};

int	pru_accept_notsupp(struct socket *so, struct sockaddr **nam);
int	pru_connect_notsupp(struct socket *so, struct sockaddr *nam,
	    struct thread *td);
int	pru_connect2_notsupp(struct socket *so1, struct socket *so2);
int	pru_control_notsupp(struct socket *so, u_long cmd, caddr_t data,
	    struct ifnet *ifp, struct thread *td);
int	pru_listen_notsupp(struct socket *so, struct thread *td);
int	pru_rcvd_notsupp(struct socket *so, int flags);
int	pru_rcvoob_notsupp(struct socket *so, struct mbuf *m, int flags);

/*
 * Commands to pr_ctlinput, from the lower layers to the protocols.
 */
#define	PRC_IFDOWN		0	/* interface transition */
#define	PRC_ROUTEDEAD		1	/* route went away */
#define	PRC_IFUP		2	/* interface has come back up */
#define	PRC_QUENCH2		3	/* second quench code (unused) */
#define	PRC_QUENCH		4	/* source quench */
#define	PRC_MSGSIZE		5	/* too big, DF set (PMTU) */
#define	PRC_HOSTDEAD		6	/* host appears to be down */
#define	PRC_HOSTUNREACH		7	/* deprecated (use PRC_UNREACH_HOST) */
#define	PRC_UNREACH_NET		8	/* no route to network */
#define	PRC_UNREACH_HOST	9	/* no route to host */
#define	PRC_UNREACH_PROTOCOL	10	/* protocol unreachable */
#define	PRC_UNREACH_PORT	11	/* bad port # */
/* code 12 is not used: "need to fragment" is PRC_MSGSIZE */
#define	PRC_UNREACH_SRCFAIL	13	/* source route failed */
#define	PRC_REDIRECT_NET	14	/* net routing redirect */
#define	PRC_REDIRECT_HOST	15	/* host routing redirect */
#define	PRC_REDIRECT_TOSNET	16	/* redirect: network, this TOS */
#define	PRC_REDIRECT_TOSHOST	17	/* redirect: host, this TOS */
#define	PRC_TIMXCEED_INTRANS	18	/* TTL ran out on the way */
#define	PRC_TIMXCEED_REASS	19	/* lifetime expired on reass q */
#define	PRC_PARAMPROB		20	/* header incorrect */
#define	PRC_UNREACH_ADMIN_PROHIB 21	/* filtered by policy */
#define	PRC_NCMDS		22

#define	PRC_IS_REDIRECT(cmd)	\
	((cmd) >= PRC_REDIRECT_NET && (cmd) <= PRC_REDIRECT_TOSHOST)

/*
 * Socket option requests, passed to pr_ctloutput.
 */
enum sopt_dir { SOPT_GET, SOPT_SET };

struct sockopt {
	enum	sopt_dir sopt_dir;	/* is this a get or a set? */
	int	sopt_level;		/* second arg of [gs]etsockopt */
	int	sopt_name;		/* third arg of [gs]etsockopt */
	void   *sopt_val;		/* fourth arg of [gs]etsockopt */
	size_t	sopt_valsize;		/* option value length */
	struct	thread *sopt_td;	/* calling thread or null if kernel */
};

int	sooptcopyin(struct sockopt *sopt, void *buf, size_t len, size_t minlen);
int	sooptcopyout(struct sockopt *sopt, const void *buf, size_t len);

#endif /* !_SYS_PROTOSW_H_ */
