/*
 * Internet checksum (RFC 1071): the one's complement of the one's
 * complement sum of 16-bit words, over an mbuf chain.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mbuf.h>
#include <netinet/in.h>
#include <netinet/ip.h>

/* Fold a 32-bit (or wider) partial sum into 16 bits. */
static u_short
cksum_fold(uint64_t sum)
{

	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ((u_short)sum);
}

/*
 * Add len bytes at p to the running sum.  *odd says whether the previous
 * buffer ended in the middle of a 16-bit word; the bytes are summed in
 * memory order, which gives the network-order checksum on any host.
 */
static uint64_t
cksum_add(uint64_t sum, const u_char *p, int len, int *odd)
{
	union {
		u_char	c[2];
		u_short	s;
	} w;

	if (len <= 0)
		return (sum);
	if (*odd) {
		/* Second byte of a word started in the previous buffer. */
		w.c[0] = 0;
		w.c[1] = *p++;
		sum += w.s;
		len--;
		*odd = 0;
	}
	while (len >= 2) {
		w.c[0] = p[0];
		w.c[1] = p[1];
		sum += w.s;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		w.c[0] = *p;
		w.c[1] = 0;
		sum += w.s;
		*odd = 1;
	}
	return (sum);
}

/* Checksum of len bytes of the chain m, starting skip bytes in. */
u_short
in_cksum_skip(struct mbuf *m, int len, int skip)
{
	uint64_t sum;
	int mlen, odd;

	sum = 0;
	odd = 0;
	len -= skip;
	for (; m != NULL && skip > 0; m = m->m_next) {
		if (m->m_len > skip)
			break;
		skip -= m->m_len;
	}
	for (; m != NULL && len > 0; m = m->m_next) {
		mlen = m->m_len - skip;
		if (mlen > len)
			mlen = len;
		sum = cksum_add(sum, mtod(m, const u_char *) + skip, mlen, &odd);
		len -= mlen;
		skip = 0;
	}
	return ((u_short)~cksum_fold(sum));
}

u_short
in_cksum(struct mbuf *m, int len)
{

	return (in_cksum_skip(m, len, 0));
}

/* Checksum of an IP header, options included. */
u_short
in_cksum_hdr(const struct ip *ip)
{
	int odd = 0;

	return ((u_short)~cksum_fold(cksum_add(0, (const u_char *)ip,
	    ip->ip_hl << 2, &odd)));
}

/*
 * Sum of three 32-bit words in network order, for pseudo-headers; not
 * complemented, so protocols can add it to a data sum.
 */
u_short
in_pseudo(uint32_t a, uint32_t b, uint32_t c)
{
	uint64_t sum;

	sum = (uint64_t)a + b + c;
	sum = (sum & 0xffff) + ((sum >> 16) & 0xffff) + (sum >> 32);
	return (cksum_fold(sum));
}

u_short
in_addword(u_short a, u_short b)
{

	return (cksum_fold((uint64_t)a + b));
}
