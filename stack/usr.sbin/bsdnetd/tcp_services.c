/*
 * tcp_services.c - bsdnetd's TCP services and client mode.
 *
 * Each service has a listener thread in the daemon's stack instance; each
 * accepted connection gets a thread of its own (at most TS_MAXCONN at
 * once; beyond that a connection is closed at once).  Threads poll with a
 * timeout so that tcp_services_stop() ends them promptly.
 */
#define	_GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bsdnet.h"
#include "tcp_services.h"

#define	TS_MAXCONN	512		/* connections at once, in all */
#define	TS_POLL_MS	200		/* stop-flag check interval */

enum ts_kind { TS_ECHO, TS_DISCARD, TS_CHARGEN, TS_HTTP };

struct ts_service {
	const char	*name;
	unsigned short	port;
	enum ts_kind	kind;
	int		ls;		/* listening socket, -1 if off */
	pthread_t	thread;
	int		started;
};

static struct ts_service ts_services[] = {
	{ "echo", 7, TS_ECHO, -1, 0, 0 },
	{ "discard", 9, TS_DISCARD, -1, 0, 0 },
	{ "chargen", 19, TS_CHARGEN, -1, 0, 0 },
	{ "http", 80, TS_HTTP, -1, 0, 0 },
};
#define	TS_NSERVICES	(sizeof(ts_services) / sizeof(ts_services[0]))

static pthread_mutex_t ts_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ts_cv = PTHREAD_COND_INITIALIZER;
static int ts_stopping;
static int ts_nconn;
static int ts_conns[TS_MAXCONN];	/* open connection sockets, -1 free */
static char *ts_http_root;		/* canonical, or NULL */

struct ts_conn {
	enum ts_kind	kind;
	int		s;
	int		slot;
};

static int
ts_stopped(void)
{
	int stop;

	pthread_mutex_lock(&ts_mtx);
	stop = ts_stopping;
	pthread_mutex_unlock(&ts_mtx);
	return (stop);
}

static int
ts_send_all(int s, const char *p, size_t len)
{
	long n;

	while (len > 0) {
		n = bsd_send(s, p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += n;
		len -= (size_t)n;
	}
	return (0);
}

/* Echo until the peer's FIN, then close (RFC 862). */
static void
ts_echo(int s)
{
	char buf[16384];
	long n;

	while ((n = bsd_recv(s, buf, sizeof(buf), 0)) > 0)
		if (ts_send_all(s, buf, (size_t)n) != 0)
			break;
}

/* Read and forget until the peer's FIN (RFC 863). */
static void
ts_discard(int s)
{
	char buf[16384];

	while (bsd_recv(s, buf, sizeof(buf), 0) > 0)
		;
}

/*
 * Character generator (RFC 864): 72-character lines of the printable
 * ASCII characters, each starting one further, until the peer closes.
 */
static void
ts_chargen(int s)
{
	char block[74 * 95], buf[512];
	struct bsd_pollfd p;
	int line, i;
	size_t off = 0;

	for (line = 0; line < 95; line++) {
		for (i = 0; i < 72; i++)
			block[line * 74 + i] = (char)(' ' + (line + i) % 95);
		block[line * 74 + 72] = '\r';
		block[line * 74 + 73] = '\n';
	}
	while (!ts_stopped()) {
		p.fd = s;
		p.events = BSD_POLLIN | BSD_POLLOUT;
		p.revents = 0;
		if (bsd_poll(&p, 1, TS_POLL_MS) < 0)
			break;
		if (p.revents & (BSD_POLLERR | BSD_POLLNVAL))
			break;
		if (p.revents & (BSD_POLLIN | BSD_POLLHUP)) {
			long n = bsd_recv(s, buf, sizeof(buf),
			    BSD_MSG_DONTWAIT);

			if (n == 0 || (n < 0 && errno != EWOULDBLOCK))
				break;
		}
		if (p.revents & BSD_POLLOUT) {
			long n = bsd_send(s, block + off, sizeof(block) - off,
			    BSD_MSG_DONTWAIT);

			if (n < 0 && errno != EWOULDBLOCK)
				break;
			if (n > 0)
				off = (off + (size_t)n) % sizeof(block);
		}
	}
}

static void *
ts_conn_main(void *arg)
{
	struct ts_conn *c = arg;

	switch (c->kind) {
	case TS_ECHO:
		ts_echo(c->s);
		break;
	case TS_DISCARD:
		ts_discard(c->s);
		break;
	case TS_CHARGEN:
		ts_chargen(c->s);
		break;
	case TS_HTTP:
		http_serve(c->s, ts_http_root);
		break;
	}
	bsd_close(c->s);
	pthread_mutex_lock(&ts_mtx);
	ts_conns[c->slot] = -1;
	ts_nconn--;
	pthread_cond_broadcast(&ts_cv);
	pthread_mutex_unlock(&ts_mtx);
	free(c);
	return (NULL);
}

static void
ts_start_conn(enum ts_kind kind, int s)
{
	struct ts_conn *c;
	pthread_attr_t attr;
	pthread_t t;
	int slot;

	pthread_mutex_lock(&ts_mtx);
	for (slot = 0; slot < TS_MAXCONN && ts_conns[slot] != -1; slot++)
		;
	if (slot == TS_MAXCONN || ts_stopping ||
	    (c = malloc(sizeof(*c))) == NULL) {
		pthread_mutex_unlock(&ts_mtx);
		bsd_close(s);
		return;
	}
	ts_conns[slot] = s;
	ts_nconn++;
	pthread_mutex_unlock(&ts_mtx);
	c->kind = kind;
	c->s = s;
	c->slot = slot;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, ts_conn_main, c) != 0) {
		bsd_close(s);
		pthread_mutex_lock(&ts_mtx);
		ts_conns[slot] = -1;
		ts_nconn--;
		pthread_mutex_unlock(&ts_mtx);
		free(c);
	}
	pthread_attr_destroy(&attr);
}

static void *
ts_listen_main(void *arg)
{
	struct ts_service *sv = arg;
	struct bsd_pollfd p;
	int s, fl;

	while (!ts_stopped()) {
		p.fd = sv->ls;
		p.events = BSD_POLLIN;
		p.revents = 0;
		if (bsd_poll(&p, 1, TS_POLL_MS) <= 0)
			continue;
		s = bsd_accept(sv->ls, NULL, NULL);
		if (s < 0)
			continue;	/* aborted before we took it */
		/* Sockets inherit O_NONBLOCK from the listener: clear it. */
		fl = bsd_fcntl(s, BSD_F_GETFL, 0);
		if (fl >= 0)
			(void)bsd_fcntl(s, BSD_F_SETFL, fl & ~BSD_O_NONBLOCK);
		ts_start_conn(sv->kind, s);
	}
	return (NULL);
}

static int
ts_listen(struct bsd_stack *st, struct ts_service *sv)
{
	struct bsd_sockaddr_in sin;
	int s, one = 1, fl, error;

	bsd_stack_use(st);
	s = bsd_socket(BSD_AF_INET, BSD_SOCK_STREAM, 0);
	if (s < 0)
		return (errno);
	(void)bsd_setsockopt(s, BSD_SOL_SOCKET, BSD_SO_REUSEADDR, &one,
	    sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_len = sizeof(sin);
	sin.sin_family = BSD_AF_INET;
	sin.sin_port = htons(sv->port);
	if (bsd_bind(s, (struct bsd_sockaddr *)&sin, sizeof(sin)) != 0 ||
	    bsd_listen(s, 128) != 0) {
		error = errno;
		bsd_close(s);
		return (error);
	}
	fl = bsd_fcntl(s, BSD_F_GETFL, 0);
	(void)bsd_fcntl(s, BSD_F_SETFL, fl | BSD_O_NONBLOCK);
	sv->ls = s;
	return (0);
}

int
tcp_services_start(struct bsd_stack *st, const char *http_root)
{
	size_t i;
	int error;

	pthread_mutex_lock(&ts_mtx);
	ts_stopping = 0;
	for (i = 0; i < TS_MAXCONN; i++)
		ts_conns[i] = -1;
	pthread_mutex_unlock(&ts_mtx);
	if (http_root != NULL && http_serve == NULL) {
		fprintf(stderr, "bsdnetd: --http-root: this build has no HTTP "
		    "server (http.c)\n");
		return (ENOTSUP);
	}
	if (http_root != NULL) {
		ts_http_root = realpath(http_root, NULL);
		if (ts_http_root == NULL) {
			fprintf(stderr, "bsdnetd: --http-root %s: %s\n",
			    http_root, strerror(errno));
			return (errno);
		}
	}
	for (i = 0; i < TS_NSERVICES; i++) {
		struct ts_service *sv = &ts_services[i];

		if (sv->kind == TS_HTTP && ts_http_root == NULL)
			continue;
		error = ts_listen(st, sv);
		if (error != 0) {
			fprintf(stderr, "bsdnetd: tcp %s (port %u): %s\n",
			    sv->name, sv->port, strerror(error));
			tcp_services_stop();
			return (error);
		}
		if (pthread_create(&sv->thread, NULL, ts_listen_main,
		    sv) != 0) {
			bsd_close(sv->ls);
			sv->ls = -1;
			tcp_services_stop();
			return (EAGAIN);
		}
		sv->started = 1;
		fprintf(stderr, "bsdnetd: tcp %s on port %u\n", sv->name,
		    sv->port);
	}
	return (0);
}

void
tcp_services_stop(void)
{
	struct timespec deadline;
	size_t i;

	pthread_mutex_lock(&ts_mtx);
	ts_stopping = 1;
	pthread_mutex_unlock(&ts_mtx);
	for (i = 0; i < TS_NSERVICES; i++) {
		struct ts_service *sv = &ts_services[i];

		if (sv->started) {
			pthread_join(sv->thread, NULL);
			sv->started = 0;
		}
		if (sv->ls >= 0) {
			bsd_close(sv->ls);
			sv->ls = -1;
		}
	}
	/* Wake the connections blocked in a receive; give them 2 s. */
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 2;
	pthread_mutex_lock(&ts_mtx);
	for (i = 0; i < TS_MAXCONN; i++)
		if (ts_conns[i] != -1)
			(void)bsd_shutdown(ts_conns[i], BSD_SHUT_RDWR);
	while (ts_nconn > 0)
		if (pthread_cond_timedwait(&ts_cv, &ts_mtx, &deadline) != 0)
			break;
	pthread_mutex_unlock(&ts_mtx);
	free(ts_http_root);
	ts_http_root = NULL;
}

struct tc_pump {
	int	s;
	int	error;
};

/* stdin -> socket, then half-close. */
static void *
tc_stdin_main(void *arg)
{
	struct tc_pump *p = arg;
	char buf[65536];
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			p->error = errno;
			break;
		}
		if (ts_send_all(p->s, buf, (size_t)n) != 0) {
			p->error = errno;
			break;
		}
	}
	(void)bsd_shutdown(p->s, BSD_SHUT_WR);
	return (NULL);
}

int
tcp_connect_run(struct bsd_stack *st, const char *hostport)
{
	struct bsd_sockaddr_in sin;
	struct tc_pump *pump;
	pthread_t t;
	char host[64], buf[65536], *colon, *end;
	const char *w;
	long port, n;
	ssize_t k;
	int s, status = 0;

	colon = strrchr(hostport, ':');
	if (colon == NULL || (size_t)(colon - hostport) >= sizeof(host)) {
		fprintf(stderr, "bsdnetd: --connect %s: expected HOST:PORT\n",
		    hostport);
		return (2);
	}
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	port = strtol(colon + 1, &end, 10);
	memset(&sin, 0, sizeof(sin));
	sin.sin_len = sizeof(sin);
	sin.sin_family = BSD_AF_INET;
	if (*end != '\0' || port <= 0 || port > 65535 ||
	    inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		fprintf(stderr, "bsdnetd: --connect %s: expected an IPv4 "
		    "address and a port\n", hostport);
		return (2);
	}
	sin.sin_port = htons((unsigned short)port);
	bsd_stack_use(st);
	s = bsd_socket(BSD_AF_INET, BSD_SOCK_STREAM, 0);
	if (s < 0 || bsd_connect(s, (struct bsd_sockaddr *)&sin,
	    sizeof(sin)) != 0) {
		fprintf(stderr, "bsdnetd: connect %s: %s\n", hostport,
		    strerror(errno));
		if (s >= 0)
			bsd_close(s);
		return (1);
	}
	fprintf(stderr, "bsdnetd: connected to %s\n", hostport);
	pump = calloc(1, sizeof(*pump));
	if (pump == NULL) {
		bsd_close(s);
		return (1);
	}
	pump->s = s;
	if (pthread_create(&t, NULL, tc_stdin_main, pump) != 0) {
		bsd_close(s);
		free(pump);
		return (1);
	}
	for (;;) {
		n = bsd_recv(s, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "bsdnetd: receive from %s: %s\n",
			    hostport, strerror(errno));
			status = 1;
			break;
		}
		if (n == 0)
			break;
		for (w = buf; n > 0; w += k, n -= k) {
			k = write(STDOUT_FILENO, w, (size_t)n);
			if (k < 0) {
				if (errno == EINTR) {
					k = 0;
					continue;
				}
				status = 1;
				break;
			}
		}
		if (status != 0)
			break;
	}
	/*
	 * The peer is done sending; ours may still be flowing (half-close).
	 * If the peer is gone entirely, the pump's sends fail and it ends.
	 */
	pthread_join(t, NULL);
	if (pump->error != 0) {
		fprintf(stderr, "bsdnetd: send to %s: %s\n", hostport,
		    strerror(pump->error));
		status = 1;
	}
	free(pump);
	bsd_close(s);
	return (status);
}
