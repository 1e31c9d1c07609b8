/*
 * Host half of the capture: pcap files (the classic format, version 2.4,
 * microsecond timestamps, LINKTYPE_ETHERNET).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#include "net_host.h"

struct pcap_host {
	FILE		*fp;
	pthread_mutex_t	mtx;
};

struct pcap_file_header {
	uint32_t	magic;
	uint16_t	version_major;
	uint16_t	version_minor;
	int32_t		thiszone;
	uint32_t	sigfigs;
	uint32_t	snaplen;
	uint32_t	linktype;
};

struct pcap_record {
	uint32_t	ts_sec;
	uint32_t	ts_usec;
	uint32_t	caplen;
	uint32_t	len;
};

int
pcap_host_open(const char *path, struct pcap_host **pp)
{
	struct pcap_file_header h = {
		.magic = 0xa1b2c3d4, .version_major = 2, .version_minor = 4,
		.snaplen = 65535, .linktype = 1,
	};
	struct pcap_host *p;
	FILE *fp;

	fp = fopen(path, "wb");
	if (fp == NULL)
		return (errno);
	if (fwrite(&h, sizeof(h), 1, fp) != 1) {
		fclose(fp);
		return (EIO);
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		fclose(fp);
		return (ENOMEM);
	}
	p->fp = fp;
	pthread_mutex_init(&p->mtx, NULL);
	*pp = p;
	return (0);
}

void
pcap_host_write(struct pcap_host *p, const void *frame, unsigned len)
{
	struct pcap_record r;
	struct timeval tv;

	gettimeofday(&tv, NULL);
	r.ts_sec = (uint32_t)tv.tv_sec;
	r.ts_usec = (uint32_t)tv.tv_usec;
	r.caplen = r.len = len;
	pthread_mutex_lock(&p->mtx);
	if (fwrite(&r, sizeof(r), 1, p->fp) == 1)
		(void)fwrite(frame, len, 1, p->fp);
	fflush(p->fp);
	pthread_mutex_unlock(&p->mtx);
}

void
pcap_host_close(struct pcap_host *p)
{

	fclose(p->fp);
	pthread_mutex_destroy(&p->mtx);
	free(p);
}
