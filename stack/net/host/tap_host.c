/*
 * Host half of the TAP driver: the Linux TAP device (/dev/net/tun,
 * IFF_TAP | IFF_NO_PI), a reader thread and a bounded ring of received
 * frames that the driver's interrupt thread drains.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_host.h"

#define	TAP_RING	1024		/* frames waiting for the driver */
#define	TAP_BUFSZ	(65535 + 14)

struct tap_frame {
	unsigned	len;
	unsigned char	*data;
};

struct tap_host {
	int		fd;
	pthread_t	reader;
	int		stop;		/* under mtx */
	pthread_mutex_t	mtx;
	struct tap_frame ring[TAP_RING];
	unsigned	head, count;	/* under mtx */
	unsigned long	drops;		/* under mtx */
	void		(*notify)(void *);
	void		*arg;
};

static void *
tap_reader(void *arg)
{
	struct tap_host *tp = arg;
	struct pollfd pfd;
	unsigned char *buf, *copy;
	ssize_t n;
	int stop;

	buf = malloc(TAP_BUFSZ);
	if (buf == NULL)
		return (NULL);
	pfd.fd = tp->fd;
	pfd.events = POLLIN;
	for (;;) {
		pthread_mutex_lock(&tp->mtx);
		stop = tp->stop;
		pthread_mutex_unlock(&tp->mtx);
		if (stop)
			break;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = read(tp->fd, buf, TAP_BUFSZ);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				usleep(10000);
			continue;
		}
		copy = malloc((size_t)n);
		pthread_mutex_lock(&tp->mtx);
		if (copy == NULL || tp->count == TAP_RING) {
			tp->drops++;
			pthread_mutex_unlock(&tp->mtx);
			free(copy);
			continue;
		}
		memcpy(copy, buf, (size_t)n);
		tp->ring[(tp->head + tp->count) % TAP_RING].data = copy;
		tp->ring[(tp->head + tp->count) % TAP_RING].len = (unsigned)n;
		tp->count++;
		pthread_mutex_unlock(&tp->mtx);
		tp->notify(tp->arg);
	}
	free(buf);
	return (NULL);
}

/* Set the host side of the device up, with an MTU at least ours. */
static int
tap_link_up(const char *name, int mtu, char *errbuf, unsigned errlen)
{
	struct ifreq ifr;
	int s;

	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		snprintf(errbuf, errlen, "socket: %s", strerror(errno));
		return (errno);
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_mtu = mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0) {
		snprintf(errbuf, errlen, "%s: set mtu %d: %s", name, mtu,
		    strerror(errno));
		close(s);
		return (errno);
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
			snprintf(errbuf, errlen, "%s: set up: %s", name,
			    strerror(errno));
			close(s);
			return (errno);
		}
	}
	close(s);
	return (0);
}

int
tap_host_open(const char *name, int mtu, void (*notify)(void *), void *arg,
    struct tap_host **tpp, char *errbuf, unsigned errlen)
{
	struct tap_host *tp;
	struct ifreq ifr;
	int error, fd;

	if (strlen(name) == 0 || strlen(name) >= IFNAMSIZ) {
		snprintf(errbuf, errlen, "bad TAP device name '%s'", name);
		return (EINVAL);
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		error = errno;
		snprintf(errbuf, errlen, "/dev/net/tun: %s", strerror(error));
		return (error);
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		error = errno;
		snprintf(errbuf, errlen, "TUNSETIFF %s: %s", name,
		    strerror(error));
		close(fd);
		return (error);
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	error = tap_link_up(ifr.ifr_name, mtu, errbuf, errlen);
	if (error) {
		close(fd);
		return (error);
	}
	tp = calloc(1, sizeof(*tp));
	if (tp == NULL) {
		close(fd);
		snprintf(errbuf, errlen, "out of memory");
		return (ENOMEM);
	}
	tp->fd = fd;
	tp->notify = notify;
	tp->arg = arg;
	pthread_mutex_init(&tp->mtx, NULL);
	error = pthread_create(&tp->reader, NULL, tap_reader, tp);
	if (error) {
		snprintf(errbuf, errlen, "pthread_create: %s", strerror(error));
		pthread_mutex_destroy(&tp->mtx);
		close(fd);
		free(tp);
		return (error);
	}
	*tpp = tp;
	return (0);
}

int
tap_host_recv(struct tap_host *tp, void *buf, unsigned len)
{
	struct tap_frame f;

	pthread_mutex_lock(&tp->mtx);
	if (tp->count == 0) {
		pthread_mutex_unlock(&tp->mtx);
		return (0);
	}
	f = tp->ring[tp->head];
	tp->head = (tp->head + 1) % TAP_RING;
	tp->count--;
	pthread_mutex_unlock(&tp->mtx);
	if (f.len > len)
		f.len = len;
	memcpy(buf, f.data, f.len);
	free(f.data);
	return ((int)f.len);
}

int
tap_host_send(struct tap_host *tp, const void *buf, unsigned len)
{
	ssize_t n;

	n = write(tp->fd, buf, len);
	if (n < 0)
		return (errno);
	return (n == (ssize_t)len ? 0 : EIO);
}

unsigned long
tap_host_drops(struct tap_host *tp)
{
	unsigned long d;

	pthread_mutex_lock(&tp->mtx);
	d = tp->drops;
	pthread_mutex_unlock(&tp->mtx);
	return (d);
}

void
tap_host_close(struct tap_host *tp)
{

	pthread_mutex_lock(&tp->mtx);
	tp->stop = 1;
	pthread_mutex_unlock(&tp->mtx);
	pthread_join(tp->reader, NULL);
	close(tp->fd);
	while (tp->count > 0) {
		free(tp->ring[tp->head].data);
		tp->head = (tp->head + 1) % TAP_RING;
		tp->count--;
	}
	pthread_mutex_destroy(&tp->mtx);
	free(tp);
}
