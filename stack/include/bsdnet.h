/*
 * bsdnet.h - the application interface of the reference stack.
 *
 * Socket calls (bsd_socket, bsd_bind, ...) with the semantics of the BSD
 * socket calls: they return -1 and set errno (the host's errno, whose
 * values the stack uses) on failure.  Addresses use the 4.4BSD layout,
 * with a length byte first (struct bsd_sockaddr_in).  Every name carries
 * the bsd_/BSD_ prefix, so this header includes with any libc header.
 *
 * Stack instances: several independent stacks live in one process.
 * bsd_stack_use() picks the instance in which the calling thread's
 * bsd_socket() creates sockets; the other calls act on the socket's own
 * instance.  Interfaces (loopback, virtual wires between two instances,
 * TAP devices), addresses and routes are configured with the bsd_stack_*,
 * bsd_if_* and bsd_route_* calls, which return 0 or an errno value.
 */
#ifndef _BSDNET_H_
#define	_BSDNET_H_

#ifdef __cplusplus
extern "C" {
#endif

/* Address and protocol families, socket types, protocols. */
#define	BSD_AF_UNSPEC		0
#define	BSD_AF_INET		2
#define	BSD_PF_INET		BSD_AF_INET
#define	BSD_SOCK_STREAM		1
#define	BSD_SOCK_DGRAM		2
#define	BSD_SOCK_RAW		3
#define	BSD_IPPROTO_IP		0
#define	BSD_IPPROTO_ICMP	1
#define	BSD_IPPROTO_TCP		6
#define	BSD_IPPROTO_UDP		17
#define	BSD_INADDR_ANY		0x00000000u
#define	BSD_INADDR_LOOPBACK	0x7f000001u	/* host order */
#define	BSD_INADDR_BROADCAST	0xffffffffu

/* Socket options (level BSD_SOL_SOCKET) and IP options. */
#define	BSD_SOL_SOCKET		0xffff
#define	BSD_SO_DEBUG		0x0001
#define	BSD_SO_ACCEPTCONN	0x0002
#define	BSD_SO_REUSEADDR	0x0004
#define	BSD_SO_KEEPALIVE	0x0008
#define	BSD_SO_DONTROUTE	0x0010
#define	BSD_SO_BROADCAST	0x0020
#define	BSD_SO_LINGER		0x0080
#define	BSD_SO_OOBINLINE	0x0100
#define	BSD_SO_REUSEPORT	0x0200
#define	BSD_SO_SNDBUF		0x1001
#define	BSD_SO_RCVBUF		0x1002
#define	BSD_SO_SNDLOWAT		0x1003
#define	BSD_SO_RCVLOWAT		0x1004
#define	BSD_SO_SNDTIMEO		0x1005
#define	BSD_SO_RCVTIMEO		0x1006
#define	BSD_SO_ERROR		0x1007
#define	BSD_SO_TYPE		0x1008
#define	BSD_IP_HDRINCL		2
#define	BSD_IP_TOS		3
#define	BSD_IP_TTL		4

/* Flags of send and receive. */
#define	BSD_MSG_OOB		0x1
#define	BSD_MSG_PEEK		0x2
#define	BSD_MSG_DONTROUTE	0x4
#define	BSD_MSG_EOR		0x8
#define	BSD_MSG_TRUNC		0x10
#define	BSD_MSG_WAITALL		0x40
#define	BSD_MSG_DONTWAIT	0x80

#define	BSD_SHUT_RD		0
#define	BSD_SHUT_WR		1
#define	BSD_SHUT_RDWR		2

/* Events of bsd_poll (the values of poll(2)). */
#define	BSD_POLLIN		0x0001
#define	BSD_POLLPRI		0x0002
#define	BSD_POLLOUT		0x0004
#define	BSD_POLLERR		0x0008
#define	BSD_POLLHUP		0x0010
#define	BSD_POLLNVAL		0x0020

/* bsd_fcntl: only the non-blocking flag. */
#define	BSD_F_GETFL		3
#define	BSD_F_SETFL		4
#define	BSD_O_NONBLOCK		0x0004

typedef unsigned int	bsd_socklen_t;

struct bsd_sockaddr {
	unsigned char	sa_len;		/* total length */
	unsigned char	sa_family;	/* address family */
	char		sa_data[14];
};

struct bsd_in_addr {
	unsigned int	s_addr;		/* network byte order */
};

struct bsd_sockaddr_in {
	unsigned char	sin_len;	/* sizeof(struct bsd_sockaddr_in) */
	unsigned char	sin_family;	/* BSD_AF_INET */
	unsigned short	sin_port;	/* network byte order */
	struct bsd_in_addr sin_addr;
	char		sin_zero[8];
};

struct bsd_linger {
	int	l_onoff;
	int	l_linger;		/* seconds */
};

/* SO_RCVTIMEO/SO_SNDTIMEO values; the layout of struct timeval on LP64. */
struct bsd_timeval {
	long	tv_sec;
	long	tv_usec;
};

struct bsd_pollfd {
	int	fd;
	short	events;
	short	revents;
};

/* Socket calls: -1 and errno on failure. */
int	bsd_socket(int domain, int type, int protocol);
int	bsd_bind(int s, const struct bsd_sockaddr *addr, bsd_socklen_t len);
int	bsd_connect(int s, const struct bsd_sockaddr *addr, bsd_socklen_t len);
int	bsd_listen(int s, int backlog);
int	bsd_accept(int s, struct bsd_sockaddr *addr, bsd_socklen_t *lenp);
long	bsd_send(int s, const void *buf, __SIZE_TYPE__ len, int flags);
long	bsd_sendto(int s, const void *buf, __SIZE_TYPE__ len, int flags,
	    const struct bsd_sockaddr *to, bsd_socklen_t tolen);
long	bsd_recv(int s, void *buf, __SIZE_TYPE__ len, int flags);
long	bsd_recvfrom(int s, void *buf, __SIZE_TYPE__ len, int flags,
	    struct bsd_sockaddr *from, bsd_socklen_t *fromlenp);
int	bsd_shutdown(int s, int how);
int	bsd_close(int s);
int	bsd_setsockopt(int s, int level, int name, const void *val,
	    bsd_socklen_t len);
int	bsd_getsockopt(int s, int level, int name, void *val,
	    bsd_socklen_t *lenp);
int	bsd_getsockname(int s, struct bsd_sockaddr *addr, bsd_socklen_t *lenp);
int	bsd_getpeername(int s, struct bsd_sockaddr *addr, bsd_socklen_t *lenp);
/* Wait up to timeout_ms (-1: forever) for events; count of ready fds. */
int	bsd_poll(struct bsd_pollfd *fds, unsigned int nfds, int timeout_ms);
int	bsd_fcntl(int s, int cmd, int arg);

/* Stack instances. */
struct bsd_stack;

/*
 * Fault injection on a link, applied to every frame an interface sends
 * (both directions for a TAP device).  Probabilities are in parts per
 * million; the generator is seeded, so a run can be repeated.
 */
struct bsd_impair {
	unsigned int	loss_ppm;	/* frame dropped */
	unsigned int	dup_ppm;	/* frame delivered twice */
	unsigned int	reorder_ppm;	/* frame held back behind the next */
	unsigned int	delay_ms;	/* every frame delayed by this much */
	unsigned long long seed;
};

/* Create an instance with a loopback interface lo0 (127.0.0.1/8). */
struct bsd_stack *bsd_stack_create(const char *name);
/* Close its sockets, stop its threads, detach its interfaces, free it. */
void	bsd_stack_destroy(struct bsd_stack *st);
/* The instance where the calling thread's bsd_socket() creates sockets. */
void	bsd_stack_use(struct bsd_stack *st);
const char *bsd_stack_name(const struct bsd_stack *st);

/*
 * Connect two instances with a virtual ethernet wire: interface ifa in
 * a, ifb in b.  b may be NULL: frames sent on ifa are then dropped.
 */
int	bsd_vwire_create(struct bsd_stack *a, const char *ifa,
	    struct bsd_stack *b, const char *ifb, const struct bsd_impair *imp);
/* Attach interface ifname to the host TAP device tapname (created if
 * missing, IFF_TAP|IFF_NO_PI, brought up with the same MTU; mtu 0 means
 * 1500).  On failure errbuf (if given) says why. */
int	bsd_tap_attach(struct bsd_stack *st, const char *ifname,
	    const char *tapname, int mtu, const struct bsd_impair *imp,
	    char *errbuf, unsigned int errlen);
/* Interface configuration. */
int	bsd_if_addr(struct bsd_stack *st, const char *ifname,
	    const char *addr, int prefixlen);
/* Remove the address addr from the interface (EADDRNOTAVAIL: not one of
 * its addresses), with its routes, while the instance runs. */
int	bsd_if_addr_delete(struct bsd_stack *st, const char *ifname,
	    const char *addr);
int	bsd_if_mtu(struct bsd_stack *st, const char *ifname, int mtu);
int	bsd_if_lladdr(struct bsd_stack *st, const char *ifname,
	    unsigned char mac[6]);
/* Write every frame the interface sends and receives to a pcap file. */
int	bsd_if_pcap(struct bsd_stack *st, const char *ifname, const char *path);
/* Hand a frame to the interface as if it had been received, and process
 * it (and everything it causes in this instance) before returning. */
int	bsd_if_inject(struct bsd_stack *st, const char *ifname,
	    const void *frame, unsigned int len);
/* Routes: dst/prefixlen via gateway gw (NULL: directly connected). */
int	bsd_route_add(struct bsd_stack *st, const char *dst, int prefixlen,
	    const char *gw);
int	bsd_route_delete(struct bsd_stack *st, const char *dst, int prefixlen);
/* The route chosen for dst: interface name and gateway ("" if none). */
int	bsd_route_lookup(struct bsd_stack *st, const char *dst, char *ifname,
	    unsigned int ifnamelen, char *gw, unsigned int gwlen);
/* IP forwarding between interfaces (off by default). */
int	bsd_ip_forwarding(struct bsd_stack *st, int on);

/* Statistics in the style of netstat -s; the length it needed. */
unsigned long bsd_stack_stats(struct bsd_stack *st, char *buf,
	    unsigned long len);
/* One counter by name, e.g. "ip.badsum", "udp.noport", "lo0.ipackets";
 * 0 and *value, or ENOENT. */
int	bsd_stack_counter(struct bsd_stack *st, const char *name,
	    unsigned long *value);
/* Wait until the instance's queues are empty (at most timeout_ms). */
int	bsd_stack_quiesce(struct bsd_stack *st, int timeout_ms);
/* mbufs and clusters in use in the process (leak checks). */
unsigned long bsd_mbufs_inuse(void);

#ifdef __cplusplus
}
#endif

#endif /* !_BSDNET_H_ */
