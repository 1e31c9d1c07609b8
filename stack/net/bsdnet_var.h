/*
 * The kernel side of a bsdnet.h stack instance.
 */
#ifndef _NET_BSDNET_VAR_H_
#define	_NET_BSDNET_VAR_H_

struct vnet;

struct bsd_stack {
	struct	vnet *st_vnet;
	char	st_name[32];
};

#endif /* !_NET_BSDNET_VAR_H_ */
