/*
 * The scaling workload, built twice: bench_scaling_legacy (mpsafe_stack)
 * and bench_scaling_mp (mpsafe_stack_mp).  Two stack instances on a
 * virtual wire; N application threads on stack a each drive one TCP
 * stream and one UDP flow to stack b, where one receiver thread per
 * stream and per flow drains them.  Runs for the given seconds and prints one line:
 *
 *	threads=N seconds=S tcp_bytes=B udp_dgrams=D udp_bytes=U
 *
 * usage: bench_scaling_{legacy,mp} [-t threads] [-s seconds] [-p udp|tcp|both]
 * bench_scaling (bench_scaling.cc) runs both and prints the ratios.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsdnet.h>

#define	MAXT		16
#define	TCP_CHUNK	8192
#define	UDP_SIZE	1024
#define	TCP_PORT	5001
#define	UDP_PORT	6001

static struct bsd_stack *sa, *sb;
static atomic_int stop;
static atomic_ulong tcp_bytes, udp_dgrams, udp_bytes;
static int use_tcp = 1, use_udp = 1;

struct flow {
	int	 k;
	int	 tcp_tx, tcp_rx;	/* connected stream: a side, b side */
	int	 udp_tx, udp_rx;
};
static struct flow flows[MAXT];

static struct bsd_sockaddr_in
sin4(const char *addr, int port)
{
	struct bsd_sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_len = sizeof(s);
	s.sin_family = BSD_AF_INET;
	s.sin_port = htons(port);
	inet_pton(AF_INET, addr, &s.sin_addr.s_addr);
	return (s);
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_scaling: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void
timeouts(int s, int ms)
{
	struct bsd_timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	bsd_setsockopt(s, BSD_SOL_SOCKET, BSD_SO_RCVTIMEO, &tv, sizeof(tv));
	bsd_setsockopt(s, BSD_SOL_SOCKET, BSD_SO_SNDTIMEO, &tv, sizeof(tv));
}

static void
setup_flow(struct flow *f)
{
	struct bsd_sockaddr_in a;
	int ls;

	if (use_udp) {
		bsd_stack_use(sb);
		if ((f->udp_rx = bsd_socket(BSD_AF_INET, BSD_SOCK_DGRAM, 0)) < 0)
			die("udp socket");
		a = sin4("10.0.0.2", UDP_PORT + f->k);
		if (bsd_bind(f->udp_rx, (struct bsd_sockaddr *)&a, sizeof(a)) != 0)
			die("udp bind");
		timeouts(f->udp_rx, 100);
		bsd_stack_use(sa);
		if ((f->udp_tx = bsd_socket(BSD_AF_INET, BSD_SOCK_DGRAM, 0)) < 0)
			die("udp socket");
		if (bsd_connect(f->udp_tx, (struct bsd_sockaddr *)&a,
		    sizeof(a)) != 0)
			die("udp connect");
	}
	if (use_tcp) {
		bsd_stack_use(sb);
		if ((ls = bsd_socket(BSD_AF_INET, BSD_SOCK_STREAM, 0)) < 0)
			die("tcp socket (is TCP in this stack?)");
		a = sin4("10.0.0.2", TCP_PORT + f->k);
		if (bsd_bind(ls, (struct bsd_sockaddr *)&a, sizeof(a)) != 0 ||
		    bsd_listen(ls, 1) != 0)
			die("tcp listen");
		bsd_stack_use(sa);
		if ((f->tcp_tx = bsd_socket(BSD_AF_INET, BSD_SOCK_STREAM, 0)) < 0)
			die("tcp socket");
		timeouts(f->tcp_tx, 5000);
		if (bsd_connect(f->tcp_tx, (struct bsd_sockaddr *)&a,
		    sizeof(a)) != 0)
			die("tcp connect");
		if ((f->tcp_rx = bsd_accept(ls, NULL, NULL)) < 0)
			die("tcp accept");
		timeouts(f->tcp_rx, 100);
		bsd_close(ls);
	}
}

/* Application thread on a: its stream and its flow, alternately. */
static void *
sender(void *arg)
{
	struct flow *f = arg;
	static char buf[TCP_CHUNK];

	while (!atomic_load(&stop)) {
		/* The end of the run shuts the stream down under a send. */
		if (use_tcp && bsd_send(f->tcp_tx, buf, TCP_CHUNK, 0) < 0 &&
		    !atomic_load(&stop) && errno != EAGAIN &&
		    errno != EWOULDBLOCK && errno != EINTR)
			die("tcp send");
		if (use_udp)
			(void)bsd_send(f->udp_tx, buf, UDP_SIZE, 0);
	}
	return (NULL);
}

/*
 * Application threads on b: one drains a stream, one a flow, each in
 * blocking receives with a short timeout (the workload measures the data
 * path, not bsd_poll).
 */
static void *
tcp_receiver(void *arg)
{
	struct flow *f = arg;
	char buf[TCP_CHUNK];
	long r;

	while (!atomic_load(&stop))
		if ((r = bsd_recv(f->tcp_rx, buf, sizeof(buf), 0)) > 0)
			atomic_fetch_add(&tcp_bytes, r);
	return (NULL);
}

static void *
udp_receiver(void *arg)
{
	struct flow *f = arg;
	char buf[UDP_SIZE + 64];
	long r;

	while (!atomic_load(&stop))
		if ((r = bsd_recv(f->udp_rx, buf, sizeof(buf), 0)) > 0) {
			atomic_fetch_add(&udp_dgrams, 1);
			atomic_fetch_add(&udp_bytes, r);
		}
	return (NULL);
}

int
main(int argc, char **argv)
{
	pthread_t tx[MAXT], trx[MAXT], urx[MAXT];
	double secs = 2.0;
	int nthreads = 1, c, k;

	while ((c = getopt(argc, argv, "t:s:p:")) != -1) {
		switch (c) {
		case 't':
			nthreads = atoi(optarg);
			break;
		case 's':
			secs = atof(optarg);
			break;
		case 'p':
			use_tcp = strcmp(optarg, "udp") != 0;
			use_udp = strcmp(optarg, "tcp") != 0;
			break;
		default:
			fprintf(stderr, "usage: %s [-t threads] [-s seconds] "
			    "[-p udp|tcp|both]\n", argv[0]);
			return (2);
		}
	}
	if (nthreads < 1 || nthreads > MAXT || secs <= 0) {
		fprintf(stderr, "%s: -t must be 1..%d and -s positive\n",
		    argv[0], MAXT);
		return (2);
	}

	sa = bsd_stack_create("a");
	sb = bsd_stack_create("b");
	if (sa == NULL || sb == NULL ||
	    bsd_vwire_create(sa, "vw0", sb, "vw0", NULL) != 0 ||
	    bsd_if_addr(sa, "vw0", "10.0.0.1", 24) != 0 ||
	    bsd_if_addr(sb, "vw0", "10.0.0.2", 24) != 0) {
		fprintf(stderr, "%s: cannot set up the two stacks\n", argv[0]);
		return (2);
	}
	for (k = 0; k < nthreads; k++) {
		flows[k].k = k;
		setup_flow(&flows[k]);
	}

	for (k = 0; k < nthreads; k++) {
		if (use_tcp)
			pthread_create(&trx[k], NULL, tcp_receiver, &flows[k]);
		if (use_udp)
			pthread_create(&urx[k], NULL, udp_receiver, &flows[k]);
		pthread_create(&tx[k], NULL, sender, &flows[k]);
	}
	/* Warm up, then count from zero. */
	usleep(200 * 1000);
	atomic_store(&tcp_bytes, 0);
	atomic_store(&udp_dgrams, 0);
	atomic_store(&udp_bytes, 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	usleep((useconds_t)(secs * 1e6));
	unsigned long tb = atomic_load(&tcp_bytes);
	unsigned long ud = atomic_load(&udp_dgrams);
	unsigned long ub = atomic_load(&udp_bytes);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	atomic_store(&stop, 1);
	for (k = 0; k < nthreads; k++) {
		if (use_tcp)
			bsd_shutdown(flows[k].tcp_tx, BSD_SHUT_RDWR);
		pthread_join(tx[k], NULL);
		if (use_tcp)
			pthread_join(trx[k], NULL);
		if (use_udp)
			pthread_join(urx[k], NULL);
	}
	printf("threads=%d seconds=%.3f tcp_bytes=%lu udp_dgrams=%lu "
	    "udp_bytes=%lu\n", nthreads,
	    (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	    tb, ud, ub);
	fflush(stdout);
	/*
	 * The stacks' threads keep running: exit without tearing them down,
	 * but through exit(3), so that witness writes its graph and applies
	 * its fail mode.
	 */
	exit(0);
}
