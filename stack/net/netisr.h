/*
 * The network software interrupt: protocols register a handler and a
 * queue; drivers queue packets with netisr_queue() and the netisr thread
 * of the instance runs the handlers, or hand them over with
 * netisr_dispatch(), which runs an MP-safe handler in the caller's thread.
 * A handler registered without NETISR_MPSAFE runs with Giant held.
 */
#ifndef _NET_NETISR_H_
#define	_NET_NETISR_H_

#include <net/vnet.h>

struct mbuf;
struct ifqueue;

#define	NETISR_IP	2		/* same as AF_INET */
#define	NETISR_ARP	18		/* same as AF_LINK */
#define	NETISR_MAX	32

#define	NETISR_MPSAFE	0x0001		/* handler does not need Giant */

typedef void netisr_t(struct mbuf *);

/*
 * Where the packets handed to the protocols ran: in the thread that
 * handed them over (netisr_dispatch() of an MP-safe handler) or queued for
 * the netisr thread.  Per instance; "netisr.direct", "netisr.queued".
 */
struct netisrstat {
	u_long	nis_direct;		/* run in the caller's thread */
	u_long	nis_queued;		/* queued for the netisr thread */
};
VNET_DECLARE(struct netisrstat, netisrstat);
#define	V_netisrstat	VNET(netisrstat)

void	netisr_register(int num, netisr_t *handler, struct ifqueue *inq,
	    int flags);
void	netisr_unregister(int num);
int	netisr_queue(int num, struct mbuf *m);	/* 0 or ENOBUFS (dropped) */
int	netisr_dispatch(int num, struct mbuf *m); /* run now if it can */
void	schednetisr(int num);

/* Per instance: start and stop the netisr thread (netisr.c). */
int	netisr_init_vnet(void);
void	netisr_destroy_vnet(void);
/* Run queued work now from the calling thread (tests, teardown). */
void	netisr_poll(void);

#endif /* !_NET_NETISR_H_ */
