/*
 * Statistics of an instance for applications: netstat -s style text,
 * and single counters by name ("ip.badsum", "udp.noport", "lo0.ipackets")
 * for tests and tools.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/stddef.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <machine/atomic.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/netisr.h>
#include <net/route.h>
#include <net/vnet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_var.h>
#include <netinet/icmp_var.h>
#include <netinet/if_ether.h>
#include <netinet/udp.h>
#include <netinet/udp_var.h>
#ifdef INET_TCP
#include <netinet/tcp_var.h>
#endif
#include <net/bsdnet_var.h>
#include <bsdnet.h>

struct statdesc {
	const char *sd_name;		/* counter name after the prefix */
	size_t	sd_off;			/* offset of the u_long counter */
	const char *sd_desc;		/* netstat -s line, %lu first */
};

#define	IPS(f, d)	{ #f, offsetof(struct ipstat, ips_##f), d }
static const struct statdesc ip_desc[] = {
	IPS(total, "%lu total packets received"),
	IPS(badsum, "%lu bad header checksums"),
	IPS(tooshort, "%lu with data size < data length"),
	IPS(toosmall, "%lu with size smaller than minimum"),
	IPS(badhlen, "%lu with header length < data size"),
	IPS(badlen, "%lu with data length < header length"),
	IPS(badoptions, "%lu with bad options"),
	IPS(badvers, "%lu with incorrect version number"),
	IPS(badaddr, "%lu with bad source address"),
	IPS(fragments, "%lu fragments received"),
	IPS(fragdropped, "%lu fragments dropped (dup or out of space)"),
	IPS(fragoverlap, "%lu fragments overlapping others (trimmed)"),
	IPS(fragtimeout, "%lu fragments dropped after timeout"),
	IPS(reassembled, "%lu packets reassembled ok"),
	IPS(delivered, "%lu packets for this host"),
	IPS(noproto, "%lu packets for unknown/unsupported protocol"),
	IPS(forward, "%lu packets forwarded"),
	IPS(cantforward, "%lu packets not forwardable"),
	IPS(notmember, "%lu multicast packets for unjoined groups"),
	IPS(localout, "%lu packets sent from this host"),
	IPS(rawout, "%lu packets sent with fabricated ip header"),
	IPS(odropped, "%lu output packets dropped due to no bufs, etc."),
	IPS(noroute, "%lu output packets discarded due to no route"),
	IPS(fragmented, "%lu output datagrams fragmented"),
	IPS(ofragments, "%lu fragments created"),
	IPS(cantfrag, "%lu datagrams that can't be fragmented"),
	IPS(toolong, "%lu packets with impossible lengths"),
};

#define	ICPS(f, d)	{ #f, offsetof(struct icmpstat, icps_##f), d }
static const struct statdesc icmp_desc[] = {
	ICPS(error, "%lu calls to icmp_error"),
	ICPS(oldicmp, "%lu errors not generated 'cuz old message was icmp"),
	ICPS(oldshort, "%lu errors not generated 'cuz old message too short"),
	ICPS(badcode, "%lu messages with bad code fields"),
	ICPS(tooshort, "%lu messages < minimum length"),
	ICPS(checksum, "%lu bad checksums"),
	ICPS(badlen, "%lu messages with bad length"),
	ICPS(bmcastecho, "%lu multicast echo requests ignored"),
	ICPS(reflect, "%lu message responses generated"),
	ICPS(noroute, "%lu responses with no route back"),
	{ "echo_in", offsetof(struct icmpstat, icps_inhist[ICMP_ECHO]),
	    "%lu echo requests received" },
	{ "echoreply_in", offsetof(struct icmpstat,
	    icps_inhist[ICMP_ECHOREPLY]), "%lu echo replies received" },
	{ "unreach_in", offsetof(struct icmpstat, icps_inhist[ICMP_UNREACH]),
	    "%lu destination unreachable received" },
	{ "echoreply_out", offsetof(struct icmpstat,
	    icps_outhist[ICMP_ECHOREPLY]), "%lu echo replies sent" },
	{ "unreach_out", offsetof(struct icmpstat,
	    icps_outhist[ICMP_UNREACH]), "%lu destination unreachable sent" },
};

#define	UDPS(f, d)	{ #f, offsetof(struct udpstat, udps_##f), d }
static const struct statdesc udp_desc[] = {
	UDPS(ipackets, "%lu datagrams received"),
	UDPS(hdrops, "%lu with incomplete header"),
	UDPS(badlen, "%lu with bad data length field"),
	UDPS(badsum, "%lu with bad checksum"),
	UDPS(nosum, "%lu with no checksum"),
	UDPS(noport, "%lu dropped due to no socket"),
	UDPS(noportbcast, "%lu broadcast/multicast datagrams undelivered"),
	UDPS(fullsock, "%lu dropped due to full socket buffers"),
	UDPS(opackets, "%lu datagrams output"),
};

#ifdef INET_TCP
#define	TCPS(f, d)	{ #f, offsetof(struct tcpstat, tcps_##f), d }
static const struct statdesc tcp_desc[] = {
	TCPS(connattempt, "%lu connection requests"),
	TCPS(accepts, "%lu connection accepts"),
	TCPS(connects, "%lu connections established"),
	TCPS(closed, "%lu connections closed"),
	TCPS(drops, "%lu connections dropped"),
	TCPS(conndrops, "%lu embryonic connections dropped"),
	TCPS(sndtotal, "%lu packets sent"),
	TCPS(sndpack, "%lu data packets sent"),
	TCPS(sndbyte, "%lu data bytes sent"),
	TCPS(sndrexmitpack, "%lu data packets retransmitted"),
	TCPS(sndrexmitbyte, "%lu data bytes retransmitted"),
	TCPS(sndacks, "%lu ack-only packets sent"),
	TCPS(sndctrl, "%lu control packets sent"),
	TCPS(sndrst, "%lu resets sent"),
	TCPS(rexmttimeo, "%lu retransmit timeouts"),
	TCPS(fastrecovery, "%lu fast recovery episodes"),
	TCPS(rcvtotal, "%lu packets received"),
	TCPS(rcvpack, "%lu packets received in sequence"),
	TCPS(rcvbyte, "%lu bytes received in sequence"),
	TCPS(rcvbadsum, "%lu discarded for bad checksums"),
	TCPS(rcvbadoff, "%lu discarded for bad header offset fields"),
	TCPS(rcvbadopt, "%lu discarded for bad options"),
	TCPS(rcvshort, "%lu discarded because packet too short"),
	TCPS(rcvduppack, "%lu completely duplicate packets"),
	TCPS(rcvoopack, "%lu out-of-order packets"),
	TCPS(rcvmemdrop, "%lu discarded for lack of reassembly space"),
	TCPS(rcvrst, "%lu resets received"),
	TCPS(noport, "%lu segments for no connection"),
	TCPS(listendrop, "%lu listen queue overflows"),
	TCPS(badsyn, "%lu bad SYNs"),
};
#endif

#define	NISS(f, d)	{ #f, offsetof(struct netisrstat, nis_##f), d }
static const struct statdesc netisr_desc[] = {
	NISS(direct, "%lu packets handled in the receiving thread"),
	NISS(queued, "%lu packets queued for the netisr thread"),
};

#define	ARPS(f, d)	{ #f, offsetof(struct arpstat, f), d }
static const struct statdesc arp_desc[] = {
	ARPS(txrequests, "%lu ARP requests sent"),
	ARPS(txreplies, "%lu ARP replies sent"),
	ARPS(rxrequests, "%lu ARP requests received"),
	ARPS(rxreplies, "%lu ARP replies received"),
	ARPS(received, "%lu ARP packets received"),
	ARPS(dropped, "%lu total packets dropped due to no ARP entry"),
	ARPS(timeouts, "%lu ARP entries timed out"),
	ARPS(dupips, "%lu duplicate IPs seen"),
	ARPS(badlen, "%lu malformed ARP packets"),
	ARPS(badaddr, "%lu ARP packets with bad addresses"),
	ARPS(notforus, "%lu ARP requests for other hosts"),
	ARPS(gratuitous, "%lu gratuitous ARP packets"),
	ARPS(entries, "%lu entries in the cache"),
};

#define	IFS(f, d)	{ #f, offsetof(struct ifnet, if_##f), d }
static const struct statdesc if_desc[] = {
	IFS(ipackets, "%lu packets received"),
	IFS(ibytes, "%lu bytes received"),
	IFS(ierrors, "%lu input errors (truncated frames)"),
	IFS(iqdrops, "%lu input queue drops"),
	IFS(notforus, "%lu frames for other addresses"),
	IFS(noproto, "%lu frames of unknown type"),
	IFS(imcasts, "%lu broadcast/multicast frames received"),
	IFS(opackets, "%lu packets sent"),
	IFS(obytes, "%lu bytes sent"),
	IFS(oerrors, "%lu output errors (queue full)"),
};

struct statgroup {
	const char *sg_name;
	const struct statdesc *sg_desc;
	size_t	sg_n;
};

/* Append to a bounded buffer; returns the length it needed in total. */
struct sbuf_lite {
	char	*b_buf;
	u_long	b_len;
	u_long	b_used;
};

static void
sbl_printf(struct sbuf_lite *b, const char *fmt, ...) __printflike(2, 3);

static void
sbl_printf(struct sbuf_lite *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->b_used < b->b_len ? b->b_buf + b->b_used : NULL,
	    b->b_used < b->b_len ? b->b_len - b->b_used : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->b_used += (u_long)n;
}

/*
 * A counter, read whole: the protocols' counters are bumped by threads
 * that hold no lock the reader could take (senders without Giant).
 */
static u_long
stat_load(const void *base, size_t off)
{

	return (atomic_load_long((volatile u_long *)(uintptr_t)
	    ((const char *)base + off)));
}

static void
print_group(struct sbuf_lite *b, const char *title, const void *base,
    const struct statdesc *d, size_t n)
{
	size_t i;

	sbl_printf(b, "%s:\n", title);
	for (i = 0; i < n; i++) {
		sbl_printf(b, "\t");
		sbl_printf(b, d[i].sd_desc, stat_load(base, d[i].sd_off));
		sbl_printf(b, "\n");
	}
}

unsigned long
bsd_stack_stats(struct bsd_stack *st, char *buf, unsigned long len)
{
	struct sbuf_lite b;
	struct ifnet *ifp;
	u_long f[4];
	int s;

	b.b_buf = buf;
	b.b_len = len;
	b.b_used = 0;
	if (buf != NULL && len > 0)
		buf[0] = '\0';
	CURVNET_SET(st->st_vnet);
	mtx_lock(&Giant);
	sbl_printf(&b, "stack %s:\n", bsd_stack_name(st));
	print_group(&b, "ip", &V_ipstat, ip_desc, nitems(ip_desc));
	print_group(&b, "icmp", &V_icmpstat, icmp_desc, nitems(icmp_desc));
	print_group(&b, "udp", &V_udpstat, udp_desc, nitems(udp_desc));
#ifdef INET_TCP
	print_group(&b, "tcp", &V_tcpstat, tcp_desc, nitems(tcp_desc));
#endif
	print_group(&b, "arp", &V_arpstat, arp_desc, nitems(arp_desc));
	print_group(&b, "netisr", &V_netisrstat, netisr_desc,
	    nitems(netisr_desc));
	TAILQ_FOREACH(ifp, &V_ifnet, if_link) {
		/* The interface's counters change at splimp. */
		s = splimp();
		print_group(&b, ifp->if_xname, ifp, if_desc, nitems(if_desc));
		splx(s);
		if (ifp->if_faults != NULL && ifp->if_softc != NULL) {
			(*ifp->if_faults)(ifp, f);
			sbl_printf(&b, "\t%lu frames lost, %lu duplicated, "
			    "%lu reordered, %lu delayed by fault injection\n",
			    f[0], f[1], f[2], f[3]);
		}
	}
	mtx_unlock(&Giant);
	CURVNET_RESTORE();
	return (b.b_used + 1);
}

static int
find_counter(const char *name, const char *prefix, const void *base,
    const struct statdesc *d, size_t n, u_long *value)
{
	size_t i, plen;

	plen = strlen(prefix);
	if (strncmp(name, prefix, plen) != 0 || name[plen] != '.')
		return (ENOENT);
	for (i = 0; i < n; i++)
		if (strcmp(name + plen + 1, d[i].sd_name) == 0) {
			*value = stat_load(base, d[i].sd_off);
			return (0);
		}
	return (ENOENT);
}

int
bsd_stack_counter(struct bsd_stack *st, const char *name,
    unsigned long *value)
{
	struct ifnet *ifp;
	u_long f[4];
	int error, s;

	CURVNET_SET(st->st_vnet);
	mtx_lock(&Giant);
	error = find_counter(name, "ip", &V_ipstat, ip_desc, nitems(ip_desc),
	    value);
	if (error)
		error = find_counter(name, "icmp", &V_icmpstat, icmp_desc,
		    nitems(icmp_desc), value);
	if (error)
		error = find_counter(name, "udp", &V_udpstat, udp_desc,
		    nitems(udp_desc), value);
	if (error)
		error = find_counter(name, "arp", &V_arpstat, arp_desc,
		    nitems(arp_desc), value);
	if (error)
		error = find_counter(name, "netisr", &V_netisrstat,
		    netisr_desc, nitems(netisr_desc), value);
#ifdef INET_TCP
	if (error)
		error = find_counter(name, "tcp", &V_tcpstat, tcp_desc,
		    nitems(tcp_desc), value);
#endif
	if (error && strcmp(name, "ip.reassembling") == 0) {
		*value = (u_long)ip_reass_count();
		error = 0;
	}
	TAILQ_FOREACH(ifp, &V_ifnet, if_link) {
		if (error == 0)
			break;
		/* The interrupt thread counts at splimp. */
		s = splimp();
		error = find_counter(name, ifp->if_xname, ifp, if_desc,
		    nitems(if_desc), value);
		splx(s);
		if (error && ifp->if_faults != NULL && ifp->if_softc != NULL) {
			static const char *const fn[4] = { "lost",
			    "duplicated", "reordered", "delayed" };
			size_t plen = strlen(ifp->if_xname);
			int i;

			(*ifp->if_faults)(ifp, f);
			if (strncmp(name, ifp->if_xname, plen) == 0 &&
			    name[plen] == '.')
				for (i = 0; i < 4; i++)
					if (strcmp(name + plen + 1, fn[i]) == 0) {
						*value = f[i];
						error = 0;
					}
		}
	}
	mtx_unlock(&Giant);
	CURVNET_RESTORE();
	return (error);
}
