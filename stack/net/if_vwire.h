/*
 * Virtual wire: a pair of ethernet interfaces in two stack instances of
 * one process, with seeded fault injection on each direction.
 */
#ifndef _NET_IF_VWIRE_H_
#define	_NET_IF_VWIRE_H_

struct vnet;
struct ifnet;
struct impair_params;

/*
 * Create interface na in instance va and nb in vb, wired together.  vb
 * may be NULL: frames sent on na are then dropped.  Caller holds Giant.
 */
int	vwire_create(struct vnet *va, const char *na, struct vnet *vb,
	    const char *nb, const struct impair_params *p);

#endif /* !_NET_IF_VWIRE_H_ */
