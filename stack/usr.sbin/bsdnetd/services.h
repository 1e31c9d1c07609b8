/*
 * bsdnetd services: one table entry per service, in tables that end with
 * an entry whose name is NULL.  udp_services.c has the UDP ones.  A table
 * of TCP services (tcp_services[]) is used when one is linked in; TCP's
 * own service module (tcp_services.c, with tcp_services_start/stop) is
 * started and stopped too when it is there.
 */
#ifndef BSDNETD_SERVICES_H
#define	BSDNETD_SERVICES_H

#include <bsdnet.h>

struct bsdnetd_service {
	const char	*name;		/* "echo", "discard", ... */
	int		 proto;		/* BSD_IPPROTO_UDP or BSD_IPPROTO_TCP */
	unsigned short	 port;		/* host order */
	/*
	 * Start serving in st (the calling thread's stack is st): create
	 * the sockets, register them with bsdnetd_track(), start threads
	 * with bsdnetd_spawn().  0 or an errno value.
	 */
	int		(*start)(struct bsd_stack *st,
			    const struct bsdnetd_service *svc);
};

extern const struct bsdnetd_service udp_services[];
extern const struct bsdnetd_service tcp_services[];

/* Run fn(arg) in a thread that bsdnetd joins at shutdown. */
int	bsdnetd_spawn(void *(*fn)(void *), void *arg);
/* A socket bsdnetd shuts down (waking its users) at shutdown. */
void	bsdnetd_track(int s);
/* True once shutdown began: service loops end when it is. */
int	bsdnetd_stopping(void);
/* Directory the HTTP service (TCP) serves, NULL: none. */
void	bsdnetd_set_http_root(const char *root);
/* Start every service of every table; returns how many started. */
int	bsdnetd_start_services(struct bsd_stack *st);
/* Shut the tracked sockets down, join the threads, close the sockets. */
void	bsdnetd_stop_services(void);

#endif /* !BSDNETD_SERVICES_H */
