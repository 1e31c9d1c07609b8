/*
 * The network software interrupt of each instance: a thread (an
 * interrupt thread, as FreeBSD's swi) that runs the handlers of the
 * protocols whose queues have packets.  The pending bits are set with
 * atomic operations, as they were in the uniprocessor kernel (setsoftnet
 * was atomic with respect to interrupts); the queues are protected by
 * splimp() and, for a handler without NETISR_MPSAFE, by Giant.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <sys/interrupt.h>
#include <machine/atomic.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/netisr.h>
#include <net/vnet.h>

struct netisr {
	netisr_t *ni_handler;
	struct	ifqueue *ni_queue;
	int	ni_flags;
	int	ni_running;		/* a thread drains the queue (splimp) */
};

VNET_DEFINE_STATIC(struct netisr, netisrs[NETISR_MAX]);
VNET_DEFINE(struct netisrstat, netisrstat);
VNET_DEFINE_STATIC(u_int, netisr_bits);		/* pending, atomic */
VNET_DEFINE_STATIC(struct ithread *, netisr_ithd);
#define	V_netisrs	VNET(netisrs)
#define	V_netisr_bits	VNET(netisr_bits)
#define	V_netisr_ithd	VNET(netisr_ithd)

void
netisr_register(int num, netisr_t *handler, struct ifqueue *inq, int flags)
{

	KASSERT(num >= 0 && num < NETISR_MAX,
	    ("netisr_register: bad isr number %d", num));
	V_netisrs[num].ni_handler = handler;
	V_netisrs[num].ni_queue = inq;
	V_netisrs[num].ni_flags = flags;
}

void
netisr_unregister(int num)
{
	struct netisr *ni;
	int s;

	ni = &V_netisrs[num];
	if (ni->ni_queue != NULL) {
		s = splimp();
		if_qflush(ni->ni_queue);
		splx(s);
	}
	ni->ni_handler = NULL;
	ni->ni_queue = NULL;
}

/*
 * Drain one protocol's queue, with Giant unless it is MP-safe.  One
 * thread at a time drains a queue: a second one (netisr_poll() beside
 * the netisr thread, once the handler runs without Giant) waits for the
 * first to finish, so that packets are handled in order and every packet
 * queued before netisr_poll() was called has been handled when it
 * returns.
 */
static void
netisr_run(int num)
{
	struct netisr *ni;
	struct mbuf *m;
	int s;

	ni = &V_netisrs[num];
	if (ni->ni_handler == NULL || ni->ni_queue == NULL)
		return;
	if ((ni->ni_flags & NETISR_MPSAFE) == 0)
		mtx_lock(&Giant);
	s = splimp();
	while (ni->ni_running)
		tsleep(ni, 0, "netisr", 0);
	ni->ni_running = 1;
	splx(s);
	for (;;) {
		/* Torn down (netisr_destroy_vnet) while we waited for Giant. */
		if (ni->ni_handler == NULL || ni->ni_queue == NULL)
			break;
		s = splimp();
		IF_DEQUEUE(ni->ni_queue, m);
		splx(s);
		if (m == NULL)
			break;
		(*ni->ni_handler)(m);
	}
	s = splimp();
	ni->ni_running = 0;
	wakeup(ni);
	splx(s);
	if ((ni->ni_flags & NETISR_MPSAFE) == 0)
		mtx_unlock(&Giant);
}

static void
netisr_intr(void *arg)
{
	u_int bits;
	int num;

	CURVNET_SET((struct vnet *)arg);
	while ((bits = atomic_readandclear_int(&V_netisr_bits)) != 0) {
		while (bits != 0) {
			num = ffs(bits) - 1;
			bits &= ~(1u << num);
			netisr_run(num);
		}
	}
	CURVNET_RESTORE();
}

void
schednetisr(int num)
{

	atomic_set_int(&V_netisr_bits, 1u << num);
	if (V_netisr_ithd != NULL)
		ithread_schedule(V_netisr_ithd);
}

/*
 * Queue a packet for a protocol's handler.  A full queue drops it
 * (counted in the queue).  Returns 0 or ENOBUFS.
 */
int
netisr_queue(int num, struct mbuf *m)
{
	struct netisr *ni;
	int s;

	KASSERT(num >= 0 && num < NETISR_MAX, ("netisr_queue: %d", num));
	ni = &V_netisrs[num];
	if (ni->ni_handler == NULL || ni->ni_queue == NULL) {
		m_freem(m);
		return (EPROTONOSUPPORT);
	}
	s = splimp();
	if (IF_QFULL(ni->ni_queue)) {
		IF_DROP(ni->ni_queue);
		splx(s);
		m_freem(m);
		return (ENOBUFS);
	}
	IF_ENQUEUE(ni->ni_queue, m);
	splx(s);
	V_netisrstat.nis_queued++;
	schednetisr(num);
	return (0);
}

/*
 * A driver's interrupt thread hands a packet to its protocol.  An MP-safe
 * handler runs now, in the calling thread (direct dispatch, FreeBSD's
 * net.isr.dispatch=direct): no handoff to the netisr thread, and each
 * interface's input runs in its own thread, in order.  A handler that
 * needs Giant is queued for the netisr thread, which takes it, as is a
 * packet from a caller holding a mutex (a fault injector delivering under
 * its lock): the handler takes the protocols' locks, which come first.
 * Returns 0, or as netisr_queue() when it queued.
 */
int
netisr_dispatch(int num, struct mbuf *m)
{
	struct netisr *ni;

	KASSERT(num >= 0 && num < NETISR_MAX, ("netisr_dispatch: %d", num));
	ni = &V_netisrs[num];
	if (ni->ni_handler == NULL) {
		m_freem(m);
		return (EPROTONOSUPPORT);
	}
	if ((ni->ni_flags & NETISR_MPSAFE) == 0 || curthread->td_locks != 0)
		return (netisr_queue(num, m));
	V_netisrstat.nis_direct++;
	(*ni->ni_handler)(m);
	return (0);
}

/* Run every queued packet now, in the calling thread. */
void
netisr_poll(void)
{
	int num;

	(void)atomic_readandclear_int(&V_netisr_bits);
	for (num = 0; num < NETISR_MAX; num++)
		netisr_run(num);
}

int
netisr_init_vnet(void)
{

	V_netisr_bits = 0;
	V_netisr_ithd = ithread_create("netisr", netisr_intr, curvnet,
	    INTR_TYPE_NET | INTR_MPSAFE);
	return (V_netisr_ithd == NULL ? ENOMEM : 0);
}

void
netisr_destroy_vnet(void)
{
	struct ithread *it;
	int num;

	it = V_netisr_ithd;
	V_netisr_ithd = NULL;
	if (it != NULL) {
		DROP_GIANT();
		ithread_destroy(it);
		PICKUP_GIANT();
	}
	for (num = 0; num < NETISR_MAX; num++)
		netisr_unregister(num);
}
