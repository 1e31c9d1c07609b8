/*
 * stackdemo: two instances of the reference stack joined by a virtual
 * wire in one process.  Pings b from a, echoes UDP datagrams through a
 * server on b (one of them large enough to be fragmented), then prints
 * the statistics of both instances.  Exits 0 when every reply came back
 * intact.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsdnet.h>

#define	NPINGS		5
#define	NECHOS		5
#define	ECHO_PORT	7
#define	BIGLEN		8000

static struct bsd_stack *a, *b;

static struct bsd_sockaddr_in
mksin(const char *addr, unsigned short port)
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
set_timeout(int s, int ms)
{
	struct bsd_timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	bsd_setsockopt(s, BSD_SOL_SOCKET, BSD_SO_RCVTIMEO, &tv, sizeof(tv));
}

static uint16_t
cksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;

	for (; len > 1; len -= 2, b += 2)
		sum += (uint32_t)(b[0] << 8 | b[1]);
	if (len)
		sum += (uint32_t)(b[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (htons((uint16_t)~sum));
}

/* The UDP echo server of b: returns every datagram to its sender. */
static void *
echo_server(void *arg)
{
	struct bsd_sockaddr_in from;
	bsd_socklen_t fromlen;
	static char buf[65536];
	long n;
	int s = *(int *)arg;

	for (;;) {
		fromlen = sizeof(from);
		n = bsd_recvfrom(s, buf, sizeof(buf), 0,
		    (struct bsd_sockaddr *)&from, &fromlen);
		if (n <= 0)		/* error, or shut down */
			break;
		bsd_sendto(s, buf, (size_t)n, 0, (struct bsd_sockaddr *)&from,
		    fromlen);
	}
	return (NULL);
}

static int
ping(const char *dst, int count)
{
	struct bsd_sockaddr_in to = mksin(dst, 0);
	unsigned char pkt[64], reply[256];
	int i, ok, s;
	long n;

	bsd_stack_use(a);
	s = bsd_socket(BSD_AF_INET, BSD_SOCK_RAW, BSD_IPPROTO_ICMP);
	if (s < 0) {
		fprintf(stderr, "stackdemo: raw socket: %s\n", strerror(errno));
		return (0);
	}
	set_timeout(s, 2000);
	ok = 0;
	for (i = 0; i < count; i++) {
		memset(pkt, 0, sizeof(pkt));
		pkt[0] = 8;			/* echo request */
		pkt[4] = 0x12;			/* id 0x1234 */
		pkt[5] = 0x34;
		pkt[7] = (unsigned char)i;	/* seq */
		snprintf((char *)pkt + 8, sizeof(pkt) - 8, "stackdemo %d", i);
		*(uint16_t *)(pkt + 2) = 0;
		*(uint16_t *)(pkt + 2) = cksum(pkt, sizeof(pkt));
		if (bsd_sendto(s, pkt, sizeof(pkt), 0,
		    (struct bsd_sockaddr *)&to, sizeof(to)) < 0) {
			fprintf(stderr, "stackdemo: ping: %s\n",
			    strerror(errno));
			continue;
		}
		/* Replies come with their IP header; skip other ICMP. */
		for (;;) {
			n = bsd_recv(s, reply, sizeof(reply), 0);
			if (n < 0)
				break;
			int hl = (reply[0] & 0xf) * 4;
			if (n >= hl + 8 && reply[hl] == 0 &&
			    reply[hl + 4] == 0x12 && reply[hl + 5] == 0x34 &&
			    reply[hl + 7] == (unsigned char)i &&
			    memcmp(reply + hl + 8, pkt + 8, sizeof(pkt) - 8) == 0) {
				printf("%ld bytes from %s: icmp_seq=%d\n",
				    n - hl, dst, i);
				ok++;
				break;
			}
		}
	}
	bsd_close(s);
	return (ok);
}

static int
udp_echo(const char *dst, int count)
{
	struct bsd_sockaddr_in to = mksin(dst, ECHO_PORT);
	static char out[BIGLEN], in[BIGLEN];
	int i, ok, s;
	size_t len;
	long n;

	bsd_stack_use(a);
	s = bsd_socket(BSD_AF_INET, BSD_SOCK_DGRAM, 0);
	if (s < 0)
		return (0);
	set_timeout(s, 2000);
	ok = 0;
	for (i = 0; i < count; i++) {
		/* The last one is larger than the MTU: fragmented. */
		len = i == count - 1 ? BIGLEN : 100;
		for (size_t j = 0; j < len; j++)
			out[j] = (char)(i * 31 + j * 7);
		if (bsd_sendto(s, out, len, 0, (struct bsd_sockaddr *)&to,
		    sizeof(to)) != (long)len)
			continue;
		n = bsd_recv(s, in, sizeof(in), 0);
		if (n == (long)len && memcmp(in, out, len) == 0) {
			printf("udp echo %zu bytes from %s:%d ok\n", len, dst,
			    ECHO_PORT);
			ok++;
		} else
			printf("udp echo %zu bytes: %s\n", len,
			    n < 0 ? strerror(errno) : "wrong data");
	}
	bsd_close(s);
	return (ok);
}

static void
print_stats(struct bsd_stack *st)
{
	unsigned long need;
	char *buf;

	need = bsd_stack_stats(st, NULL, 0);
	buf = malloc(need);
	if (buf == NULL)
		return;
	bsd_stack_stats(st, buf, need);
	fputs(buf, stdout);
	free(buf);
}

int
main(void)
{
	struct bsd_sockaddr_in sin;
	pthread_t tid;
	int pings, echos, srv;

	a = bsd_stack_create("a");
	b = bsd_stack_create("b");
	if (bsd_vwire_create(a, "vw0", b, "vw0", NULL) != 0 ||
	    bsd_if_addr(a, "vw0", "10.0.0.1", 24) != 0 ||
	    bsd_if_addr(b, "vw0", "10.0.0.2", 24) != 0) {
		fprintf(stderr, "stackdemo: cannot set up the wire\n");
		return (1);
	}
	printf("stackdemo: a 10.0.0.1/24 vw0 <-> vw0 10.0.0.2/24 b\n");

	bsd_stack_use(b);
	srv = bsd_socket(BSD_AF_INET, BSD_SOCK_DGRAM, 0);
	sin = mksin("0.0.0.0", ECHO_PORT);
	if (srv < 0 || bsd_bind(srv, (struct bsd_sockaddr *)&sin,
	    sizeof(sin)) != 0) {
		fprintf(stderr, "stackdemo: echo server: %s\n",
		    strerror(errno));
		return (1);
	}
	pthread_create(&tid, NULL, echo_server, &srv);

	pings = ping("10.0.0.2", NPINGS);
	echos = udp_echo("10.0.0.2", NECHOS);
	printf("--- %d/%d ping replies, %d/%d udp echoes ---\n", pings, NPINGS,
	    echos, NECHOS);

	/* Stop the server: shutting the socket down wakes its receive. */
	bsd_shutdown(srv, BSD_SHUT_RDWR);
	pthread_join(tid, NULL);
	bsd_close(srv);
	print_stats(a);
	print_stats(b);
	bsd_stack_destroy(a);
	bsd_stack_destroy(b);
	return (pings == NPINGS && echos == NECHOS ? 0 : 1);
}
