/*
 * Seeded fault injection on a link.  The generator is xorshift64*
 * seeded through splitmix64, so the same seed and the same sequence of
 * frames give the same faults.  The timer is a callout without
 * CALLOUT_MPSAFE: it runs with Giant, like the drivers that use it.
 * A link's state changes at splimp, in impair_output(), the timer and
 * impair_stop(): a sender without Giant may pass a frame through while
 * the timer releases held ones.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <sys/callout.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/if_impair.h>

#define	IMPAIR_HOLD_TICKS	2	/* longest a reordered frame waits */
#define	IMPAIR_DELAYQ_MAX	4096	/* frames in flight on a slow link */

static uint64_t
impair_next(struct impair *im)
{
	uint64_t x;

	x = im->im_rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	im->im_rng = x;
	return (x * 0x2545f4914f6cdd1dULL);
}

/* True with probability ppm / 10^6. */
static int
impair_roll(struct impair *im, u_int ppm)
{

	if (ppm == 0)
		return (0);
	return ((impair_next(im) >> 11) % 1000000 < ppm);
}

static void	impair_timer(void *arg);

void
impair_init(struct impair *im, const struct impair_params *p,
    void (*deliver)(void *arg, struct mbuf *m), void *arg)
{
	uint64_t z;

	bzero(im, sizeof(*im));
	if (p != NULL)
		im->im_p = *p;
	/* splitmix64 of the seed; never a zero state. */
	z = im->im_p.seed + 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	im->im_rng = z != 0 ? z : 1;
	im->im_deliver = deliver;
	im->im_arg = arg;
	im->im_delayq.ifq_maxlen = IMPAIR_DELAYQ_MAX;
	callout_init(&im->im_callout, 0);
}

static void
impair_arm(struct impair *im, int to)
{

	if (!im->im_stopped)
		callout_reset(&im->im_callout, to < 1 ? 1 : to, impair_timer,
		    im);
}

/* After the loss and duplication stages: the delay stage. */
static void
impair_delay(struct impair *im, struct mbuf *m)
{

	if (im->im_p.delay_ms == 0) {
		(*im->im_deliver)(im->im_arg, m);
		return;
	}
	if (IF_QFULL(&im->im_delayq)) {
		IF_DROP(&im->im_delayq);
		im->im_dropped++;
		m_freem(m);
		return;
	}
	/* The due time rides in the packet header while it waits. */
	m->m_pkthdr.csum_data = ticks + (int)im->im_p.delay_ms;
	im->im_delayed++;
	IF_ENQUEUE(&im->im_delayq, m);
	if (im->im_delayq.ifq_len == 1)
		impair_arm(im, (int)im->im_p.delay_ms);
}

/* The reorder stage: hold a frame back behind the next one. */
static void
impair_emit(struct impair *im, struct mbuf *m)
{
	struct mbuf *held;

	if (im->im_held == NULL && impair_roll(im, im->im_p.reorder_ppm)) {
		im->im_held = m;
		im->im_reordered++;
		if (!callout_pending(&im->im_callout))
			impair_arm(im, IMPAIR_HOLD_TICKS);
		return;
	}
	impair_delay(im, m);
	if ((held = im->im_held) != NULL) {
		im->im_held = NULL;
		impair_delay(im, held);
	}
}

void
impair_output(struct impair *im, struct mbuf *m)
{
	struct mbuf *n;
	int s;

	s = splimp();
	if (im->im_stopped || impair_roll(im, im->im_p.loss_ppm)) {
		im->im_dropped++;
		splx(s);
		m_freem(m);
		return;
	}
	n = NULL;
	if (impair_roll(im, im->im_p.dup_ppm)) {
		n = m_dup(m, M_NOWAIT);
		if (n != NULL)
			im->im_duplicated++;
	}
	impair_emit(im, m);
	if (n != NULL)
		impair_emit(im, n);
	splx(s);
}

static void
impair_timer(void *arg)
{
	struct impair *im;
	struct mbuf *m;
	int due, s;

	im = arg;
	s = splimp();
	if (im->im_stopped) {
		splx(s);
		return;
	}
	if ((m = im->im_held) != NULL) {
		im->im_held = NULL;
		impair_delay(im, m);
	}
	while ((m = im->im_delayq.ifq_head) != NULL) {
		due = m->m_pkthdr.csum_data;
		if (due - ticks > 0) {
			impair_arm(im, due - ticks);
			break;
		}
		IF_DEQUEUE(&im->im_delayq, m);
		m->m_pkthdr.csum_data = 0;
		(*im->im_deliver)(im->im_arg, m);
		if (im->im_stopped)
			break;
	}
	splx(s);
}

/* Add the link's fault counts to f (lost, duplicated, reordered, delayed). */
void
impair_counts(struct impair *im, u_long f[4])
{
	int s;

	s = splimp();
	f[0] += im->im_dropped;
	f[1] += im->im_duplicated;
	f[2] += im->im_reordered;
	f[3] += im->im_delayed;
	splx(s);
}

/*
 * The far end goes away: deliver() gets a NULL argument from now on.  A
 * sender without Giant (the other stack's netisr answering ARP) may be
 * passing a frame through meanwhile; the argument changes at splimp,
 * where every delivery reads it.
 */
void
impair_unlink(struct impair *im)
{
	int s;

	s = splimp();
	im->im_arg = NULL;
	splx(s);
}

void
impair_stop(struct impair *im)
{
	struct mbuf *held;
	int s;

	s = splimp();
	im->im_stopped = 1;
	splx(s);
	DROP_GIANT();
	callout_drain(&im->im_callout);
	PICKUP_GIANT();
	s = splimp();
	held = im->im_held;
	im->im_held = NULL;
	if_qflush(&im->im_delayq);
	splx(s);
	if (held != NULL)
		m_freem(held);
}
