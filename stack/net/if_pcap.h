/*
 * Capture of an interface's frames to a pcap file (the bpf of this
 * stack): every frame received and sent.
 */
#ifndef _NET_IF_PCAP_H_
#define	_NET_IF_PCAP_H_

struct ifnet;
struct mbuf;

int	if_pcap_open(struct ifnet *ifp, const char *path);
void	if_pcap_tap(struct ifnet *ifp, struct mbuf *m);
void	if_pcap_close(struct ifnet *ifp);

#endif /* !_NET_IF_PCAP_H_ */
