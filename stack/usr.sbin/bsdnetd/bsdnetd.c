/*
 * bsdnetd: one instance of the reference stack on a Linux TAP device,
 * serving ICMP echo (in the stack) and the services of services.h.
 *
 *   bsdnetd --tap IFNAME --addr A.B.C.D/NN [--gw A.B.C.D] [--mtu N]
 *           [--pcap FILE] [--loss P] [--dup P] [--reorder P] [--delay MS]
 *           [--seed N] [--http-root DIR] [--connect HOST:PORT]
 *
 * --loss, --dup and --reorder are percentages (2 or 2%).  SIGUSR1
 * prints netstat -s style statistics; SIGTERM and SIGINT stop it
 * cleanly, printing the statistics once more.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsdnet.h>

#include "services.h"

/* TCP's client mode (tcp_services.c), when it is built in. */
int	tcp_connect_run(struct bsd_stack *st, const char *hostport)
	    __attribute__((__weak__));

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bsdnetd --tap IFNAME --addr A.B.C.D/NN [--gw A.B.C.D] "
	    "[--mtu N]\n"
	    "               [--pcap FILE] [--loss P] [--dup P] [--reorder P] "
	    "[--delay MS]\n"
	    "               [--seed N] [--http-root DIR] "
	    "[--connect HOST:PORT]\n");
	exit(2);
}

static void __attribute__((__noreturn__, __format__(__printf__, 1, 2)))
bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bsdnetd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

/*
 * A percentage, as netem spells it: "2" or "2%" (fractions allowed, "0.5");
 * returned in parts per million.
 */
static unsigned int
parse_prob(const char *opt, const char *arg)
{
	char *end;
	double p;

	errno = 0;
	p = strtod(arg, &end);
	if (end == arg || errno != 0)
		bad("--%s: '%s' is not a number", opt, arg);
	if (*end == '%')
		end++;
	if (*end != '\0')
		bad("--%s: trailing characters in '%s'", opt, arg);
	if (p < 0.0 || p > 100.0)
		bad("--%s: %s is not a percentage in [0, 100]", opt, arg);
	return ((unsigned int)(p * 10000.0 + 0.5));
}

static unsigned long long
parse_num(const char *opt, const char *arg, unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (end == arg || *end != '\0' || errno != 0 || arg[0] == '-' ||
	    v > max)
		bad("--%s: '%s' is not a number in 0..%llu", opt, arg, max);
	return (v);
}

static void
parse_addr(const char *opt, const char *arg, char *addr, size_t addrlen,
    int *plen)
{
	struct in_addr ia;
	const char *slash;
	size_t n;

	slash = strchr(arg, '/');
	if (plen != NULL && slash == NULL)
		bad("--%s: '%s' has no /prefix length", opt, arg);
	n = slash != NULL ? (size_t)(slash - arg) : strlen(arg);
	if (n == 0 || n >= addrlen)
		bad("--%s: bad address '%s'", opt, arg);
	memcpy(addr, arg, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, &ia) != 1)
		bad("--%s: '%s' is not an IPv4 address", opt, addr);
	if (plen != NULL)
		*plen = (int)parse_num(opt, slash + 1, 32);
	else if (slash != NULL)
		bad("--%s: '%s' takes no prefix length", opt, arg);
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
	fflush(stdout);
	free(buf);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tap", required_argument, NULL, 't' },
		{ "addr", required_argument, NULL, 'a' },
		{ "gw", required_argument, NULL, 'g' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "pcap", required_argument, NULL, 'p' },
		{ "loss", required_argument, NULL, 'l' },
		{ "dup", required_argument, NULL, 'd' },
		{ "reorder", required_argument, NULL, 'r' },
		{ "delay", required_argument, NULL, 'D' },
		{ "seed", required_argument, NULL, 's' },
		{ "http-root", required_argument, NULL, 'H' },
		{ "connect", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bsd_impair imp;
	struct bsd_stack *st;
	const char *tap, *pcap, *connect_to;
	char addr[32], gw[32], errbuf[160];
	int ch, error, mtu, plen, sig;
	sigset_t sigs;

	tap = pcap = connect_to = NULL;
	addr[0] = gw[0] = '\0';
	mtu = 1500;
	plen = 0;
	memset(&imp, 0, sizeof(imp));
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			tap = optarg;
			if (strlen(tap) == 0 || strlen(tap) >= 16)
				bad("--tap: '%s' is not an interface name "
				    "(1-15 characters)", tap);
			break;
		case 'a':
			parse_addr("addr", optarg, addr, sizeof(addr), &plen);
			break;
		case 'g':
			parse_addr("gw", optarg, gw, sizeof(gw), NULL);
			break;
		case 'm':
			mtu = (int)parse_num("mtu", optarg, 65521);
			if (mtu < 576)
				bad("--mtu: %d is below the minimum of 576",
				    mtu);
			break;
		case 'p':
			pcap = optarg;
			break;
		case 'l':
			imp.loss_ppm = parse_prob("loss", optarg);
			break;
		case 'd':
			imp.dup_ppm = parse_prob("dup", optarg);
			break;
		case 'r':
			imp.reorder_ppm = parse_prob("reorder", optarg);
			break;
		case 'D':
			imp.delay_ms = (unsigned int)parse_num("delay", optarg,
			    10000);
			break;
		case 's':
			imp.seed = parse_num("seed", optarg, ULLONG_MAX);
			break;
		case 'H':
			bsdnetd_set_http_root(optarg);
			break;
		case 'c':
			if (tcp_connect_run == NULL)
				bad("--connect: this build has no TCP");
			connect_to = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		bad("unexpected argument '%s'", argv[optind]);
	if (tap == NULL || addr[0] == '\0')
		usage();

	/* Signals are taken by sigwait() below, in this thread only. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	st = bsd_stack_create("bsdnetd");
	error = bsd_tap_attach(st, tap, tap, mtu, &imp, errbuf,
	    sizeof(errbuf));
	if (error) {
		fprintf(stderr, "bsdnetd: TAP device %s: %s\n", tap,
		    errbuf[0] != '\0' ? errbuf : strerror(error));
		bsd_stack_destroy(st);
		return (1);
	}
	if ((error = bsd_if_addr(st, tap, addr, plen)) != 0)
		bad("--addr %s/%d: %s", addr, plen, strerror(error));
	if (gw[0] != '\0' &&
	    (error = bsd_route_add(st, "0.0.0.0", 0, gw)) != 0)
		bad("--gw %s: %s", gw, strerror(error));
	if (pcap != NULL && (error = bsd_if_pcap(st, tap, pcap)) != 0)
		bad("--pcap %s: %s", pcap, strerror(error));
	if (connect_to != NULL) {
		/* Client mode: one TCP connection, then exit. */
		error = tcp_connect_run(st, connect_to);
		bsd_stack_destroy(st);
		return (error);
	}
	bsdnetd_start_services(st);
	fprintf(stderr, "bsdnetd: started on %s, %s/%d, mtu %d%s%s "
	    "(loss %u dup %u reorder %u ppm, delay %u ms, seed %llu)\n",
	    tap, addr, plen, mtu, gw[0] != '\0' ? ", gateway " : "", gw,
	    imp.loss_ppm, imp.dup_ppm, imp.reorder_ppm, imp.delay_ms,
	    imp.seed);

	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig == SIGUSR1) {
			print_stats(st);
			continue;
		}
		break;
	}
	fprintf(stderr, "bsdnetd: %s, shutting down\n",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	bsdnetd_stop_services();
	print_stats(st);
	bsd_stack_destroy(st);
	fprintf(stderr, "bsdnetd: stopped\n");
	return (0);
}
