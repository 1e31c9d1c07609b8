/*
 * uipc_mbuf.c - mbuf(9).
 *
 * mbufs and clusters come from two zones (MP-safe).  A cluster carries its
 * reference count just past its MCLBYTES of data; m_copym() and m_split()
 * share clusters by reference, and the last m_free() returns it.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/refcount.h>
#include <sys/syslog.h>
#include <vm/uma.h>

MALLOC_DEFINE(M_MBUFEXT, "mbufext", "m_extadd reference counts");

CTASSERT(sizeof(struct mbuf) == MSIZE);

int max_linkhdr = 16;		/* ethernet + alignment */
int max_protohdr = 60;		/* ip + tcp, with room for options */
int max_hdr = 16 + 60;
int max_datalen = MHLEN - (16 + 60);

static uma_zone_t zone_mbuf;
static uma_zone_t zone_clust;
static u_long mb_mbufs, mb_clusters, mb_drops;

static void __attribute__((__constructor__(104)))
mbuf_sysinit(void)
{
	zone_mbuf = uma_zcreate("mbuf", MSIZE, NULL, NULL, NULL, NULL,
	    UMA_ALIGN_CACHE, 0);
	zone_clust = uma_zcreate("mbuf_cluster", MCLBYTES + CACHE_LINE_SIZE,
	    NULL, NULL, NULL, NULL, UMA_ALIGN_CACHE, 0);
}

static void
mb_count(u_long *ctr, long delta)
{
	__atomic_fetch_add(ctr, (u_long)delta, __ATOMIC_RELAXED);
}

static struct mbuf *
m_alloc(int how, short type, int flags)
{
	struct mbuf *m;

	m = uma_zalloc(zone_mbuf, how);
	if (m == NULL) {
		mb_count(&mb_drops, 1);
		return (NULL);
	}
	mb_count(&mb_mbufs, 1);
	m->m_next = NULL;
	m->m_nextpkt = NULL;
	m->m_len = 0;
	m->m_flags = flags;
	m->m_type = type;
	if (flags & M_PKTHDR) {
		m->m_data = m->m_pktdat;
		bzero(&m->m_pkthdr, sizeof(m->m_pkthdr));
	} else
		m->m_data = m->m_dat;
	return (m);
}

struct mbuf *
m_get(int how, short type)
{
	return (m_alloc(how, type, 0));
}

struct mbuf *
m_gethdr(int how, short type)
{
	return (m_alloc(how, type, M_PKTHDR));
}

struct mbuf *
m_getclr(int how, short type)
{
	struct mbuf *m = m_get(how, type);

	if (m != NULL)
		bzero(mtod(m, caddr_t), MLEN);
	return (m);
}

int
m_clget(struct mbuf *m, int how)
{
	caddr_t buf;

	if (m->m_flags & M_EXT)
		panic("m_clget: mbuf %p already has external storage",
		    (void *)m);
	buf = uma_zalloc(zone_clust, how);
	if (buf == NULL) {
		mb_count(&mb_drops, 1);
		return (0);
	}
	mb_count(&mb_clusters, 1);
	m->m_ext.ext_buf = buf;
	m->m_ext.ext_cnt = (volatile u_int *)(void *)(buf + MCLBYTES);
	refcount_init(m->m_ext.ext_cnt, 1);
	m->m_ext.ext_size = MCLBYTES;
	m->m_ext.ext_type = EXT_CLUSTER;
	m->m_ext.ext_free = NULL;
	m->m_ext.ext_arg = NULL;
	m->m_data = buf;
	m->m_flags |= M_EXT;
	return (1);
}

struct mbuf *
m_getcl(int how, short type, int flags)
{
	struct mbuf *m;

	m = m_alloc(how, type, flags);
	if (m != NULL && !m_clget(m, how)) {
		m_free(m);
		m = NULL;
	}
	return (m);
}

void
m_extadd(struct mbuf *m, caddr_t buf, u_int size,
    void (*freef)(void *, void *), void *arg, int flags, int type)
{
	volatile u_int *cnt;

	cnt = malloc(sizeof(*cnt), M_MBUFEXT, M_WAITOK);
	refcount_init(cnt, 1);
	m->m_ext.ext_buf = buf;
	m->m_ext.ext_cnt = cnt;
	m->m_ext.ext_size = size;
	m->m_ext.ext_type = type != 0 ? type : EXT_EXTREF;
	m->m_ext.ext_free = freef;
	m->m_ext.ext_arg = arg;
	m->m_data = buf;
	m->m_flags |= M_EXT | (flags & M_RDONLY);
}

/* Makes n refer to m's external storage too. */
static void
mb_share_ext(struct mbuf *n, const struct mbuf *m)
{
	n->m_ext = m->m_ext;
	refcount_acquire(m->m_ext.ext_cnt);
	n->m_flags |= M_EXT | (m->m_flags & M_RDONLY);
}

static void
mb_free_ext(struct mbuf *m)
{
	if (!refcount_release(m->m_ext.ext_cnt))
		return;
	if (m->m_ext.ext_type == EXT_CLUSTER) {
		uma_zfree(zone_clust, m->m_ext.ext_buf);
		mb_count(&mb_clusters, -1);
	} else {
		if (m->m_ext.ext_free != NULL)
			m->m_ext.ext_free(m->m_ext.ext_buf, m->m_ext.ext_arg);
		free(__DEVOLATILE(u_int *, m->m_ext.ext_cnt), M_MBUFEXT);
	}
}

struct mbuf *
m_free(struct mbuf *m)
{
	struct mbuf *n = m->m_next;

	if (m->m_flags & M_EXT)
		mb_free_ext(m);
	m->m_flags = 0;
	m->m_next = NULL;
	uma_zfree(zone_mbuf, m);
	mb_count(&mb_mbufs, -1);
	return (n);
}

void
m_freem(struct mbuf *m)
{
	while (m != NULL)
		m = m_free(m);
}

int
m_dup_pkthdr(struct mbuf *to, const struct mbuf *from, int how)
{
	to->m_flags = (from->m_flags & M_COPYFLAGS) | (to->m_flags & M_EXT);
	if ((to->m_flags & M_EXT) == 0)
		to->m_data = to->m_pktdat;
	to->m_pkthdr = from->m_pkthdr;
	return (1);
}

void
m_move_pkthdr(struct mbuf *to, struct mbuf *from)
{
	m_dup_pkthdr(to, from, M_NOWAIT);
	from->m_flags &= ~M_PKTHDR;
}

u_int
m_length(struct mbuf *m, struct mbuf **last)
{
	u_int len = 0;

	if (m == NULL) {
		if (last != NULL)
			*last = NULL;
		return (0);
	}
	for (;;) {
		len += (u_int)m->m_len;
		if (m->m_next == NULL)
			break;
		m = m->m_next;
	}
	if (last != NULL)
		*last = m;
	return (len);
}

u_int
m_fixhdr(struct mbuf *m)
{
	u_int len = m_length(m, NULL);

	m->m_pkthdr.len = (int)len;
	return (len);
}

/* End of m's storage. */
static caddr_t
mb_end(struct mbuf *m)
{
	return (M_START(m) + M_SIZE(m));
}

struct mbuf *
m_pullup(struct mbuf *n, int len)
{
	struct mbuf *m;
	int count;

	if (n->m_len >= len)
		return (n);
	if (len > MHLEN)
		goto bad;
	if (!(n->m_flags & M_EXT) && n->m_next != NULL &&
	    n->m_data + len <= mb_end(n)) {
		/* n has room for the whole header: fill it in place. */
		m = n;
		n = n->m_next;
		len -= m->m_len;
	} else {
		m = m_get(M_NOWAIT, n->m_type);
		if (m == NULL)
			goto bad;
		if (n->m_flags & M_PKTHDR)
			m_move_pkthdr(m, n);
	}
	while (len > 0 && n != NULL) {
		count = imin(len, n->m_len);
		bcopy(mtod(n, caddr_t), mtod(m, caddr_t) + m->m_len,
		    (size_t)count);
		len -= count;
		m->m_len += count;
		n->m_len -= count;
		if (n->m_len > 0)
			n->m_data += count;
		else
			n = m_free(n);
	}
	if (len > 0) {
		/* Chain shorter than len. */
		m_free(m);
		goto bad;
	}
	m->m_next = n;
	return (m);
bad:
	m_freem(n);
	mb_count(&mb_drops, 1);
	return (NULL);
}

struct mbuf *
m_copym(struct mbuf *m, int off, int len, int how)
{
	struct mbuf *top = NULL, **np = &top, *n;
	int copyhdr, off0 = off;

	if (off < 0 || len < 0)
		panic("m_copym: negative offset %d or length %d", off, len);
	copyhdr = off == 0 && (m->m_flags & M_PKTHDR);
	while (off > 0) {
		if (m == NULL)
			panic("m_copym: offset %d beyond the chain", off0);
		if (off < m->m_len)
			break;
		off -= m->m_len;
		m = m->m_next;
	}
	while (len > 0) {
		if (m == NULL) {
			if (len != M_COPYALL)
				panic("m_copym: length beyond the chain");
			break;
		}
		n = copyhdr ? m_gethdr(how, m->m_type) : m_get(how, m->m_type);
		if (n == NULL)
			goto nospace;
		*np = n;
		np = &n->m_next;
		if (copyhdr) {
			m_dup_pkthdr(n, m, how);
			if (len == M_COPYALL)
				n->m_pkthdr.len -= off0;
			else
				n->m_pkthdr.len = len;
			copyhdr = 0;
		}
		n->m_len = imin(len, m->m_len - off);
		if (m->m_flags & M_EXT) {
			mb_share_ext(n, m);
			n->m_data = m->m_data + off;
		} else
			bcopy(mtod(m, caddr_t) + off, mtod(n, caddr_t),
			    (size_t)n->m_len);
		if (len != M_COPYALL)
			len -= n->m_len;
		off = 0;
		m = m->m_next;
	}
	return (top);
nospace:
	m_freem(top);
	mb_count(&mb_drops, 1);
	return (NULL);
}

struct mbuf *
m_copypacket(struct mbuf *m, int how)
{
	return (m_copym(m, 0, M_COPYALL, how));
}

void
m_copydata(const struct mbuf *m, int off, int len, caddr_t cp)
{
	int count;

	if (off < 0 || len < 0)
		panic("m_copydata: negative offset %d or length %d", off, len);
	while (off > 0) {
		if (m == NULL)
			panic("m_copydata: offset beyond the chain");
		if (off < m->m_len)
			break;
		off -= m->m_len;
		m = m->m_next;
	}
	while (len > 0) {
		if (m == NULL)
			panic("m_copydata: length beyond the chain");
		count = imin(m->m_len - off, len);
		bcopy(mtod(m, caddr_t) + off, cp, (size_t)count);
		len -= count;
		cp += count;
		off = 0;
		m = m->m_next;
	}
}

/*
 * Copies len bytes from cp into the chain at off, extending the chain
 * with zero-filled mbufs when it is too short.
 */
void
m_copyback(struct mbuf *m0, int off, int len, c_caddr_t cp)
{
	struct mbuf *m = m0, *n;
	int mlen, totlen = 0, grow;

	if (m0 == NULL)
		return;
	while (off > m->m_len) {
		off -= m->m_len;
		totlen += m->m_len;
		if (m->m_next == NULL) {
			n = m_getclr(M_NOWAIT, m->m_type);
			if (n == NULL)
				goto out;
			n->m_len = imin(MLEN, len + off);
			m->m_next = n;
		}
		m = m->m_next;
	}
	while (len > 0) {
		if (m->m_next == NULL && len > m->m_len - off) {
			grow = imin(len - (m->m_len - off),
			    M_TRAILINGSPACE(m));
			m->m_len += grow;
		}
		mlen = imin(m->m_len - off, len);
		bcopy(cp, mtod(m, caddr_t) + off, (size_t)mlen);
		cp += mlen;
		len -= mlen;
		totlen += mlen + off;
		off = 0;
		if (len == 0)
			break;
		if (m->m_next == NULL) {
			n = m_get(M_NOWAIT, m->m_type);
			if (n == NULL)
				break;
			n->m_len = imin(MLEN, len);
			m->m_next = n;
		}
		m = m->m_next;
	}
out:
	if ((m0->m_flags & M_PKTHDR) && m0->m_pkthdr.len < totlen)
		m0->m_pkthdr.len = totlen;
}

int
m_append(struct mbuf *m0, int len, c_caddr_t cp)
{
	struct mbuf *m, *n;
	int remain = len, space;

	m_length(m0, &m);
	space = M_TRAILINGSPACE(m);
	if (space > 0) {
		space = imin(space, remain);
		bcopy(cp, mtod(m, caddr_t) + m->m_len, (size_t)space);
		m->m_len += space;
		cp += space;
		remain -= space;
	}
	while (remain > 0) {
		n = remain > MLEN ? m_getcl(M_NOWAIT, m->m_type, 0) :
		    m_get(M_NOWAIT, m->m_type);
		if (n == NULL)
			break;
		n->m_len = imin(M_SIZE(n), remain);
		bcopy(cp, mtod(n, caddr_t), (size_t)n->m_len);
		cp += n->m_len;
		remain -= n->m_len;
		m->m_next = n;
		m = n;
	}
	if (m0->m_flags & M_PKTHDR)
		m0->m_pkthdr.len += len - remain;
	return (remain == 0);
}

void
m_adj(struct mbuf *mp, int req_len)
{
	struct mbuf *m;
	int len, count;

	if (mp == NULL)
		return;
	if (req_len >= 0) {
		/* Trim from the head. */
		len = req_len;
		for (m = mp; m != NULL && len > 0; m = m->m_next) {
			if (m->m_len <= len) {
				len -= m->m_len;
				m->m_data += m->m_len;
				m->m_len = 0;
			} else {
				m->m_data += len;
				m->m_len -= len;
				len = 0;
			}
		}
		if (mp->m_flags & M_PKTHDR)
			mp->m_pkthdr.len -= req_len - len;
		return;
	}
	/* Trim from the tail: keep the first (total - len) bytes. */
	len = -req_len;
	count = (int)m_length(mp, NULL) - len;
	if (count < 0)
		count = 0;
	if (mp->m_flags & M_PKTHDR)
		mp->m_pkthdr.len = count;
	for (m = mp; m != NULL; m = m->m_next) {
		if (m->m_len >= count) {
			m->m_len = count;
			if (m->m_next != NULL) {
				m_freem(m->m_next);
				m->m_next = NULL;
			}
			break;
		}
		count -= m->m_len;
	}
}

void
m_cat(struct mbuf *m, struct mbuf *n)
{
	while (m->m_next != NULL)
		m = m->m_next;
	while (n != NULL) {
		if ((n->m_flags & M_EXT) || M_TRAILINGSPACE(m) < n->m_len) {
			m->m_next = n;
			return;
		}
		bcopy(mtod(n, caddr_t), mtod(m, caddr_t) + m->m_len,
		    (size_t)n->m_len);
		m->m_len += n->m_len;
		n = m_free(n);
	}
}

struct mbuf *
m_prepend(struct mbuf *m, int len, int how)
{
	struct mbuf *mn;

	if (m->m_flags & M_PKTHDR)
		mn = m_gethdr(how, m->m_type);
	else
		mn = m_get(how, m->m_type);
	if (mn == NULL) {
		m_freem(m);
		mb_count(&mb_drops, 1);
		return (NULL);
	}
	if (m->m_flags & M_PKTHDR)
		m_move_pkthdr(mn, m);
	mn->m_next = m;
	m = mn;
	if (len < M_SIZE(m)) {
		if (m->m_flags & M_PKTHDR)
			MH_ALIGN(m, len);
		else
			M_ALIGN(m, len);
	}
	m->m_len = len;
	return (m);
}

struct mbuf *
m_split(struct mbuf *m0, int len0, int how)
{
	struct mbuf *m, *n;
	int len = len0, remain;

	for (m = m0; m != NULL && len > m->m_len; m = m->m_next)
		len -= m->m_len;
	if (m == NULL)
		return (NULL);
	remain = m->m_len - len;
	if (m0->m_flags & M_PKTHDR) {
		n = m_gethdr(how, m0->m_type);
		if (n == NULL)
			return (NULL);
		n->m_pkthdr.rcvif = m0->m_pkthdr.rcvif;
		if (remain > 0 && !(m->m_flags & M_EXT) && remain > MHLEN) {
			/* Too much to copy into n: split the rest off m. */
			n->m_next = m_split(m, len, how);
			if (n->m_next == NULL) {
				m_free(n);
				return (NULL);
			}
			n->m_pkthdr.len = m0->m_pkthdr.len - len0;
			m0->m_pkthdr.len = len0;
			return (n);
		}
		n->m_pkthdr.len = m0->m_pkthdr.len - len0;
		m0->m_pkthdr.len = len0;
		if (remain == 0) {
			n->m_next = m->m_next;
			m->m_next = NULL;
			return (n);
		}
		if (!(m->m_flags & M_EXT))
			MH_ALIGN(n, remain);
	} else if (remain == 0) {
		n = m->m_next;
		m->m_next = NULL;
		return (n);
	} else {
		n = m_get(how, m->m_type);
		if (n == NULL)
			return (NULL);
		if (!(m->m_flags & M_EXT))
			M_ALIGN(n, remain);
	}
	if (m->m_flags & M_EXT) {
		mb_share_ext(n, m);
		n->m_data = m->m_data + len;
	} else
		bcopy(mtod(m, caddr_t) + len, mtod(n, caddr_t),
		    (size_t)remain);
	n->m_len = remain;
	m->m_len = len;
	n->m_next = m->m_next;
	m->m_next = NULL;
	return (n);
}

/* A fresh, writable chain holding m's bytes, using clusters when large. */
static struct mbuf *
m_dup_common(const struct mbuf *m, int how)
{
	struct mbuf *top = NULL, **np = &top, *n;
	int total, off = 0, pkthdr;

	if (m == NULL)
		return (NULL);
	total = (int)m_length(__DECONST(struct mbuf *, m), NULL);
	pkthdr = (m->m_flags & M_PKTHDR) != 0;
	do {
		int hdr = pkthdr && top == NULL;
		int cap = hdr ? MHLEN : MLEN;

		n = total - off > cap ?
		    m_getcl(how, m->m_type, hdr ? M_PKTHDR : 0) :
		    m_alloc(how, m->m_type, hdr ? M_PKTHDR : 0);
		if (n == NULL) {
			m_freem(top);
			return (NULL);
		}
		if (hdr)
			m_dup_pkthdr(n, m, how);
		n->m_len = imin(M_SIZE(n), total - off);
		m_copydata(m, off, n->m_len, mtod(n, caddr_t));
		off += n->m_len;
		*np = n;
		np = &n->m_next;
	} while (off < total);
	return (top);
}

struct mbuf *
m_dup(const struct mbuf *m, int how)
{
	return (m_dup_common(m, how));
}

struct mbuf *
m_defrag(struct mbuf *m, int how)
{
	struct mbuf *n = m_dup_common(m, how);

	if (n != NULL)
		m_freem(m);
	return (n);
}

struct mbuf *
m_devget(char *buf, int totlen, int off, struct ifnet *ifp,
    void (*copy)(char *from, caddr_t to, u_int len))
{
	struct mbuf *top = NULL, **np = &top, *m;
	int len;

	buf += off;
	while (totlen > 0) {
		if (top == NULL)
			m = totlen > MHLEN ? m_getcl(M_NOWAIT, MT_DATA, M_PKTHDR)
			    : m_gethdr(M_NOWAIT, MT_DATA);
		else
			m = totlen > MLEN ? m_getcl(M_NOWAIT, MT_DATA, 0) :
			    m_get(M_NOWAIT, MT_DATA);
		if (m == NULL) {
			m_freem(top);
			return (NULL);
		}
		if (top == NULL) {
			m->m_pkthdr.rcvif = ifp;
			m->m_pkthdr.len = totlen;
		}
		len = imin(totlen, M_SIZE(m));
		if (copy != NULL)
			copy(buf, mtod(m, caddr_t), (u_int)len);
		else
			bcopy(buf, mtod(m, caddr_t), (size_t)len);
		m->m_len = len;
		buf += len;
		totlen -= len;
		*np = m;
		np = &m->m_next;
	}
	return (top);
}

/* Returns 1 when every mbuf's data lies in its storage and lengths add up. */
int
m_sanity(struct mbuf *m0, int sanitize)
{
	struct mbuf *m;
	int pktlen = 0;

	for (m = m0; m != NULL; m = m->m_next) {
		caddr_t a = M_START(m), b = a + M_SIZE(m);

		if (m->m_len < 0 || m->m_data < a || m->m_data > b ||
		    m->m_data + m->m_len > b) {
			log(LOG_ERR, "m_sanity: mbuf %p: data %p len %d "
			    "outside [%p, %p)", (void *)m, (void *)m->m_data,
			    m->m_len, (void *)a, (void *)b);
			return (0);
		}
		if (m != m0 && (m->m_flags & M_PKTHDR)) {
			log(LOG_ERR, "m_sanity: mbuf %p: M_PKTHDR inside a "
			    "chain", (void *)m);
			return (0);
		}
		pktlen += m->m_len;
	}
	if ((m0->m_flags & M_PKTHDR) && m0->m_pkthdr.len != pktlen) {
		log(LOG_ERR, "m_sanity: m_pkthdr.len %d, chain holds %d",
		    m0->m_pkthdr.len, pktlen);
		if (sanitize)
			m0->m_pkthdr.len = pktlen;
		return (0);
	}
	return (1);
}

void
mbstat_get(struct mbstat *st)
{
	st->m_mbufs = __atomic_load_n(&mb_mbufs, __ATOMIC_RELAXED);
	st->m_mclusts = __atomic_load_n(&mb_clusters, __ATOMIC_RELAXED);
	st->m_drops = __atomic_load_n(&mb_drops, __ATOMIC_RELAXED);
}
