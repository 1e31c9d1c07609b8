/*
 * Seeded fault injection on a link: loss, duplication, reordering and
 * delay of frames, for the virtual wire and the TAP driver (the host
 * kernel here has no netem).
 */
#ifndef _NET_IF_IMPAIR_H_
#define	_NET_IF_IMPAIR_H_

#include <sys/types.h>
#include <sys/callout.h>
#include <net/if_var.h>

struct mbuf;

struct impair_params {
	u_int	loss_ppm;		/* parts per million */
	u_int	dup_ppm;
	u_int	reorder_ppm;
	u_int	delay_ms;
	uint64_t seed;
};

struct impair {
	struct	impair_params im_p;
	uint64_t im_rng;		/* generator state */
	void	(*im_deliver)(void *arg, struct mbuf *m);
	void	*im_arg;
	struct	mbuf *im_held;		/* frame held back to be reordered */
	struct	ifqueue im_delayq;	/* frames waiting out the delay */
	struct	callout im_callout;
	int	im_stopped;
/* statistics */
	u_long	im_dropped;
	u_long	im_duplicated;
	u_long	im_reordered;
	u_long	im_delayed;
};

void	impair_init(struct impair *im, const struct impair_params *p,
	    void (*deliver)(void *arg, struct mbuf *m), void *arg);
/* Pass a frame through: deliver() gets it now, later, twice or never. */
void	impair_output(struct impair *im, struct mbuf *m);
/* Add its fault counts to f: lost, duplicated, reordered, delayed. */
void	impair_counts(struct impair *im, u_long f[4]);
/* The far end goes away: deliver() gets NULL as its argument from now on. */
void	impair_unlink(struct impair *im);
/* Stop: free what is held back.  Caller holds Giant (dropped inside). */
void	impair_stop(struct impair *im);

#endif /* !_NET_IF_IMPAIR_H_ */
