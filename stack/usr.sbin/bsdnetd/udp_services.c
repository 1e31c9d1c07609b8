/*
 * bsdnetd UDP services: echo (RFC 862) on port 7.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "services.h"

#define	UDP_MAXDGRAM	65535

static void *
udp_echo_loop(void *arg)
{
	struct bsd_sockaddr_in from;
	bsd_socklen_t fromlen;
	char *buf;
	long n;
	int s;

	s = (int)(long)arg;
	buf = malloc(UDP_MAXDGRAM);
	if (buf == NULL)
		return (NULL);
	while (!bsdnetd_stopping()) {
		fromlen = sizeof(from);
		n = bsd_recvfrom(s, buf, UDP_MAXDGRAM, 0,
		    (struct bsd_sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			break;
		}
		/* Shut down: a zero-length read of a closed socket. */
		if (n == 0 && bsdnetd_stopping())
			break;
		(void)bsd_sendto(s, buf, (size_t)n, 0,
		    (struct bsd_sockaddr *)&from, fromlen);
	}
	free(buf);
	return (NULL);
}

static int
udp_echo_start(struct bsd_stack *st, const struct bsdnetd_service *svc)
{
	struct bsd_sockaddr_in sin;
	int error, s, sz;

	(void)st;
	s = bsd_socket(BSD_AF_INET, BSD_SOCK_DGRAM, 0);
	if (s < 0)
		return (errno);
	/* Room for a few datagrams of the largest size. */
	sz = 3 * UDP_MAXDGRAM;
	(void)bsd_setsockopt(s, BSD_SOL_SOCKET, BSD_SO_RCVBUF, &sz,
	    sizeof(sz));
	memset(&sin, 0, sizeof(sin));
	sin.sin_len = sizeof(sin);
	sin.sin_family = BSD_AF_INET;
	sin.sin_port = htons(svc->port);
	if (bsd_bind(s, (struct bsd_sockaddr *)&sin, sizeof(sin)) != 0) {
		error = errno;
		bsd_close(s);
		return (error);
	}
	bsdnetd_track(s);
	return (bsdnetd_spawn(udp_echo_loop, (void *)(long)s));
}

const struct bsdnetd_service udp_services[] = {
	{ "echo", BSD_IPPROTO_UDP, 7, udp_echo_start },
	{ NULL, 0, 0, NULL },
};
