/*
 * net_host.h - the host half of the network drivers and of the
 * application interface: TAP devices, pcap files, errno.
 *
 * Implemented in stack/net/host/ (compiled against libc, without the
 * stack include root).  Plain C types only, so both sides include it.
 */
#ifndef _NET_HOST_NET_HOST_H_
#define	_NET_HOST_NET_HOST_H_

/* Set the calling thread's errno (the application API's error). */
void	net_host_set_errno(int error);

/*
 * TAP devices.  A reader thread moves frames from the device into a
 * bounded ring (frames beyond it are dropped and counted) and calls
 * notify(arg) after each; the driver then drains the ring from its
 * interrupt thread with tap_host_recv().
 */
struct tap_host;
/* 0, or an errno value with a message in errbuf. */
int	tap_host_open(const char *name, int mtu, void (*notify)(void *),
	    void *arg, struct tap_host **tpp, char *errbuf, unsigned errlen);
/* Length of the next frame copied into buf (truncated to len), 0: none. */
int	tap_host_recv(struct tap_host *tp, void *buf, unsigned len);
/* Write one frame; 0 or an errno value. */
int	tap_host_send(struct tap_host *tp, const void *buf, unsigned len);
/* Frames dropped because the ring was full. */
unsigned long tap_host_drops(struct tap_host *tp);
void	tap_host_close(struct tap_host *tp);

/* pcap capture files (LINKTYPE_ETHERNET, microsecond timestamps). */
struct pcap_host;
int	pcap_host_open(const char *path, struct pcap_host **pp);
void	pcap_host_write(struct pcap_host *p, const void *frame,
	    unsigned len);
void	pcap_host_close(struct pcap_host *p);

#endif /* !_NET_HOST_NET_HOST_H_ */
