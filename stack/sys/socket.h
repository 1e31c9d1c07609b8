/*
 * Socket types, address families, socket options and the sockaddr
 * layouts (4.4BSD style: a sockaddr starts with its own length).
 */
#ifndef _SYS_SOCKET_H_
#define	_SYS_SOCKET_H_

#include <sys/types.h>

/* sa_family_t and socklen_t come from <sys/types.h>. */

/* Types. */
#define	SOCK_STREAM	1		/* stream socket */
#define	SOCK_DGRAM	2		/* datagram socket */
#define	SOCK_RAW	3		/* raw-protocol interface */

/* SO_* bits kept in so_options. */
#define	SO_DEBUG	0x0001		/* turn on debugging info recording */
#define	SO_ACCEPTCONN	0x0002		/* socket has had listen() */
#define	SO_REUSEADDR	0x0004		/* allow local address reuse */
#define	SO_KEEPALIVE	0x0008		/* keep connections alive */
#define	SO_DONTROUTE	0x0010		/* just use interface addresses */
#define	SO_BROADCAST	0x0020		/* permit sending of broadcast msgs */
#define	SO_LINGER	0x0080		/* linger on close if data present */
#define	SO_OOBINLINE	0x0100		/* leave received OOB data in line */
#define	SO_REUSEPORT	0x0200		/* allow local address & port reuse */

/* SO_* values with their own storage (not bits of so_options). */
#define	SO_SNDBUF	0x1001		/* send buffer size */
#define	SO_RCVBUF	0x1002		/* receive buffer size */
#define	SO_SNDLOWAT	0x1003		/* send low-water mark */
#define	SO_RCVLOWAT	0x1004		/* receive low-water mark */
#define	SO_SNDTIMEO	0x1005		/* send timeout */
#define	SO_RCVTIMEO	0x1006		/* receive timeout */
#define	SO_ERROR	0x1007		/* get error status and clear */
#define	SO_TYPE		0x1008		/* get socket type */

/* SO_LINGER argument. */
struct linger {
	int	l_onoff;		/* option on/off */
	int	l_linger;		/* linger time, seconds */
};

/* SO_RCVTIMEO and SO_SNDTIMEO take a struct timeval (<sys/time.h>). */

/* setsockopt/getsockopt level meaning the socket layer (SO_*). */
#define	SOL_SOCKET	0xffff

/* Address families. */
#define	AF_UNSPEC	0		/* unspecified */
#define	AF_LOCAL	1		/* local to host */
#define	AF_UNIX		AF_LOCAL
#define	AF_INET		2		/* internetwork: UDP, TCP, etc. */
#define	AF_LINK		18		/* link layer interface */
#define	AF_MAX		19

/* Generic socket address, and a buffer big enough for any. */
struct sockaddr {
	u_char		sa_len;		/* total length */
	sa_family_t	sa_family;	/* address family */
	char		sa_data[14];	/* actually longer; address value */
};
#define	SOCK_MAXADDRLEN	255

struct sockproto {
	u_short	sp_family;
	u_short	sp_protocol;
};

/* PF_* equal the AF_* values. */
#define	PF_UNSPEC	AF_UNSPEC
#define	PF_LOCAL	AF_LOCAL
#define	PF_INET		AF_INET
#define	PF_LINK		AF_LINK
#define	PF_MAX		AF_MAX

/* Upper bound on a listen() backlog. */
#define	SOMAXCONN	128

/* Flags for send/recv. */
#define	MSG_OOB		0x1		/* process out-of-band data */
#define	MSG_PEEK	0x2		/* peek at incoming message */
#define	MSG_DONTROUTE	0x4		/* send without using routing tables */
#define	MSG_EOR		0x8		/* data completes record */
#define	MSG_TRUNC	0x10		/* data discarded before delivery */
#define	MSG_CTRUNC	0x20		/* control data lost before delivery */
#define	MSG_WAITALL	0x40		/* wait for full request or error */
#define	MSG_DONTWAIT	0x80		/* this message should be nonblocking */
#define	MSG_EOF		0x100		/* data completes connection */
#define	MSG_NOSIGNAL	0x20000		/* no SIGPIPE (there are no signals) */

/* SHUT_* values for shutdown(2). */
#define	SHUT_RD		0		/* shut down the reading side */
#define	SHUT_WR		1		/* shut down the writing side */
#define	SHUT_RDWR	2		/* shut down both sides */

#endif /* !_SYS_SOCKET_H_ */
