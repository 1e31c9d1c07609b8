/*
 * Communication domains and their protocol switches, and the protocol
 * timers (pr_fasttimo every 200ms, pr_slowtimo every 500ms) of each
 * stack instance.
 *
 * The domain list is static, shared by every instance; each instance
 * runs every protocol's pr_init when it is created.  The timers are
 * callouts without CALLOUT_MPSAFE: they run with Giant.  Once they run
 * without it (the MP build), a protocol whose entry is not PR_MPSAFE still
 * gets Giant around its pr_fasttimo/pr_slowtimo (pr_timo_call()).
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/callout.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <sys/domain.h>
#include <sys/protosw.h>
#include <sys/socket.h>
#include <net/vnet.h>

struct domain *domains;			/* registered protocol domains */

VNET_DEFINE_STATIC(struct callout, pffast_callout);
VNET_DEFINE_STATIC(struct callout, pfslow_callout);
VNET_DEFINE_STATIC(int, domains_up);	/* timers running */
#define	V_pffast_callout	VNET(pffast_callout)
#define	V_pfslow_callout	VNET(pfslow_callout)
#define	V_domains_up		VNET(domains_up)

static void	pffasttimo(void *arg);
static void	pfslowtimo(void *arg);

/* Run one protocol's timer, with Giant unless its entry is PR_MPSAFE. */
static void
pr_timo_call(struct protosw *pr, void (*timo)(void))
{

	PR_GIANT_LOCK(pr);
	(*timo)();
	PR_GIANT_UNLOCK(pr);
}

/*
 * Register domain dp in the process-wide domain list.  This happens
 * once, before any stack instance exists.
 */
void
net_add_domain(void *data)
{
	struct domain *dp, *d;

	dp = data;
	for (d = domains; d != NULL; d = d->dom_next)
		if (d == dp)
			return;
	dp->dom_next = domains;
	domains = dp;
}

/*
 * Initialize the domains of the current instance: every protocol's
 * pr_init, then start the protocol timers.
 */
void
domaininit(void)
{
	struct domain *dp;
	struct protosw *pr;

	for (dp = domains; dp != NULL; dp = dp->dom_next) {
		if (dp->dom_init != NULL)
			(*dp->dom_init)();
		for (pr = dp->dom_protosw; pr < dp->dom_protoswNPROTOSW; pr++)
			if (pr->pr_init != NULL)
				(*pr->pr_init)();
	}
	callout_init(&V_pffast_callout, 0);
	callout_init(&V_pfslow_callout, 0);
	V_domains_up = 1;
	callout_reset(&V_pffast_callout, hz / PR_FASTHZ, pffasttimo, curvnet);
	callout_reset(&V_pfslow_callout, hz / PR_SLOWHZ, pfslowtimo, curvnet);
}

/*
 * Stop the timers of the current instance and tear its protocols down,
 * in the reverse order of domaininit().
 */
void
domaindestroy(void)
{
	struct domain *dp;
	struct protosw *pr;

	if (V_domains_up) {
		/*
		 * A timer may be waiting for Giant: let it run while we wait
		 * for it (callout_drain() refuses the rearm of a run it
		 * waits for).
		 */
		V_domains_up = 0;
		DROP_GIANT();
		callout_drain(&V_pffast_callout);
		callout_drain(&V_pfslow_callout);
		PICKUP_GIANT();
	}
	for (dp = domains; dp != NULL; dp = dp->dom_next) {
		for (pr = dp->dom_protoswNPROTOSW - 1; pr >= dp->dom_protosw;
		    pr--)
			if (pr->pr_destroy != NULL)
				(*pr->pr_destroy)();
		if (dp->dom_destroy != NULL)
			(*dp->dom_destroy)();
	}
}

struct protosw *
pffindtype(int family, int type)
{
	struct domain *dp;
	struct protosw *pr;

	for (dp = domains; dp != NULL; dp = dp->dom_next)
		if (dp->dom_family == family)
			goto found;
	return (NULL);
found:
	for (pr = dp->dom_protosw; pr < dp->dom_protoswNPROTOSW; pr++)
		if (pr->pr_type != 0 && pr->pr_type == type)
			return (pr);
	return (NULL);
}

struct protosw *
pffindproto(int family, int protocol, int type)
{
	struct domain *dp;
	struct protosw *pr, *maybe;

	if (family == 0)
		return (NULL);
	maybe = NULL;
	for (dp = domains; dp != NULL; dp = dp->dom_next)
		if (dp->dom_family == family)
			goto found;
	return (NULL);
found:
	for (pr = dp->dom_protosw; pr < dp->dom_protoswNPROTOSW; pr++) {
		if (pr->pr_protocol == protocol && pr->pr_type == type)
			return (pr);
		/* A raw protocol entry (protocol 0) takes any protocol. */
		if (type == SOCK_RAW && pr->pr_type == SOCK_RAW &&
		    pr->pr_protocol == 0 && maybe == NULL)
			maybe = pr;
	}
	return (maybe);
}

/* Deliver a control message to every protocol of the address's family. */
void
pfctlinput(int cmd, struct sockaddr *sa)
{
	struct domain *dp;
	struct protosw *pr;

	for (dp = domains; dp != NULL; dp = dp->dom_next)
		for (pr = dp->dom_protosw; pr < dp->dom_protoswNPROTOSW; pr++)
			if (pr->pr_ctlinput != NULL)
				(*pr->pr_ctlinput)(cmd, sa, NULL);
}

static void
pfslowtimo(void *arg)
{
	struct domain *dp;
	struct protosw *pr;

	CURVNET_SET((struct vnet *)arg);
	for (dp = domains; dp != NULL; dp = dp->dom_next)
		for (pr = dp->dom_protosw; pr < dp->dom_protoswNPROTOSW; pr++)
			if (pr->pr_slowtimo != NULL)
				pr_timo_call(pr, pr->pr_slowtimo);
	callout_reset(&V_pfslow_callout, hz / PR_SLOWHZ, pfslowtimo, arg);
	CURVNET_RESTORE();
}

static void
pffasttimo(void *arg)
{
	struct domain *dp;
	struct protosw *pr;

	CURVNET_SET((struct vnet *)arg);
	for (dp = domains; dp != NULL; dp = dp->dom_next)
		for (pr = dp->dom_protosw; pr < dp->dom_protoswNPROTOSW; pr++)
			if (pr->pr_fasttimo != NULL)
				pr_timo_call(pr, pr->pr_fasttimo);
	callout_reset(&V_pffast_callout, hz / PR_FASTHZ, pffasttimo, arg);
	CURVNET_RESTORE();
}
