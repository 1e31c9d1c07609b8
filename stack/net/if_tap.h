/*
 * TAP driver: a stack interface on a Linux TAP device.
 */
#ifndef _NET_IF_TAP_H_
#define	_NET_IF_TAP_H_

struct impair_params;

/*
 * Attach interface name in the current instance to host TAP device
 * tapname, with fault injection in both directions.  0 or an errno
 * value, with a message in errbuf.  Caller holds Giant.
 */
int	tap_attach(const char *name, const char *tapname, int mtu,
	    const struct impair_params *p, char *errbuf, u_int errlen);

#endif /* !_NET_IF_TAP_H_ */
