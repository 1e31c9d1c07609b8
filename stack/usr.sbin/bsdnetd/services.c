/*
 * bsdnetd service plumbing: the tables, their threads and sockets.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "services.h"

/* TCP's services, when they are built in (tcp_services.c). */
extern const struct bsdnetd_service tcp_services[] __attribute__((__weak__));
int	tcp_services_start(struct bsd_stack *st, const char *http_root)
	    __attribute__((__weak__));
void	tcp_services_stop(void) __attribute__((__weak__));

static const char *http_root;

void
bsdnetd_set_http_root(const char *root)
{

	http_root = root;
}

#define	MAXTHREADS	64
#define	MAXSOCKETS	256

static pthread_mutex_t svc_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_t threads[MAXTHREADS];
static int nthreads;
static int sockets[MAXSOCKETS];
static int nsockets;
static int stopping;

int
bsdnetd_spawn(void *(*fn)(void *), void *arg)
{
	int error;

	pthread_mutex_lock(&svc_mtx);
	if (nthreads == MAXTHREADS) {
		pthread_mutex_unlock(&svc_mtx);
		return (EAGAIN);
	}
	error = pthread_create(&threads[nthreads], NULL, fn, arg);
	if (error == 0)
		nthreads++;
	pthread_mutex_unlock(&svc_mtx);
	return (error);
}

void
bsdnetd_track(int s)
{

	pthread_mutex_lock(&svc_mtx);
	if (nsockets < MAXSOCKETS)
		sockets[nsockets++] = s;
	pthread_mutex_unlock(&svc_mtx);
}

int
bsdnetd_stopping(void)
{
	int v;

	pthread_mutex_lock(&svc_mtx);
	v = stopping;
	pthread_mutex_unlock(&svc_mtx);
	return (v);
}

static int
start_table(struct bsd_stack *st, const struct bsdnetd_service *tab)
{
	const struct bsdnetd_service *svc;
	int error, n;

	n = 0;
	for (svc = tab; svc != NULL && svc->name != NULL; svc++) {
		bsd_stack_use(st);
		error = svc->start(st, svc);
		if (error) {
			fprintf(stderr, "bsdnetd: %s/%s port %u: %s\n",
			    svc->name, svc->proto == BSD_IPPROTO_TCP ? "tcp" :
			    "udp", svc->port, strerror(error));
			continue;
		}
		fprintf(stderr, "bsdnetd: serving %s on %s port %u\n",
		    svc->name, svc->proto == BSD_IPPROTO_TCP ? "tcp" : "udp",
		    svc->port);
		n++;
	}
	return (n);
}

int
bsdnetd_start_services(struct bsd_stack *st)
{

	int error, n;

	n = start_table(st, udp_services);
	if (tcp_services != NULL)
		n += start_table(st, tcp_services);
	if (tcp_services_start != NULL) {
		bsd_stack_use(st);
		error = tcp_services_start(st, http_root);
		if (error)
			fprintf(stderr, "bsdnetd: tcp services: %s\n",
			    strerror(error));
		else
			n++;
	}
	return (n);
}

void
bsdnetd_stop_services(void)
{
	int i, n;

	if (tcp_services_stop != NULL)
		tcp_services_stop();
	pthread_mutex_lock(&svc_mtx);
	stopping = 1;
	n = nsockets;
	pthread_mutex_unlock(&svc_mtx);
	for (i = 0; i < n; i++)
		bsd_shutdown(sockets[i], BSD_SHUT_RDWR);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < n; i++)
		bsd_close(sockets[i]);
}
