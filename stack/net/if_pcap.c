/*
 * Capture of an interface's frames to a pcap file.  The frame is
 * linearized here and written by the host half (net/host/pcap_host.c).
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <net/if.h>
#include <net/if_var.h>
#include <net/if_pcap.h>
#include <net/host/net_host.h>

MALLOC_DEFINE(M_PCAP, "pcap", "capture buffers");

#define	PCAP_SNAPLEN	65535

int
if_pcap_open(struct ifnet *ifp, const char *path)
{
	struct pcap_host *p;
	int error;

	if (ifp->if_pcap != NULL)
		return (EBUSY);
	error = pcap_host_open(path, &p);
	if (error)
		return (error);
	ifp->if_pcap = (struct pcap_writer *)p;
	return (0);
}

void
if_pcap_tap(struct ifnet *ifp, struct mbuf *m)
{
	char *buf;
	int len;

	len = m->m_pkthdr.len;
	if (len > PCAP_SNAPLEN)
		len = PCAP_SNAPLEN;
	if (len <= 0)
		return;
	buf = malloc(len, M_PCAP, M_NOWAIT);
	if (buf == NULL)
		return;
	m_copydata(m, 0, len, buf);
	pcap_host_write((struct pcap_host *)ifp->if_pcap, buf, (unsigned)len);
	free(buf, M_PCAP);
}

void
if_pcap_close(struct ifnet *ifp)
{

	if (ifp->if_pcap != NULL) {
		pcap_host_close((struct pcap_host *)ifp->if_pcap);
		ifp->if_pcap = NULL;
	}
}
