/*
 * mbuf.h - mbuf(9): packet buffers.  An mbuf is MSIZE bytes: a header and
 * either internal data or a reference to a cluster (MCLBYTES, shared by
 * reference count).  Allocation goes through the zone allocator and is
 * MP-safe.
 */
#ifndef _SYS_MBUF_H_
#define	_SYS_MBUF_H_

#include <sys/types.h>
#include <sys/param.h>
#include <sys/malloc.h>
#include <sys/refcount.h>

struct ifnet;

struct m_hdr {
	struct mbuf	*mh_next;	/* next buffer in chain */
	struct mbuf	*mh_nextpkt;	/* next chain in queue/record */
	caddr_t		 mh_data;	/* location of data */
	int		 mh_len;	/* amount of data in this mbuf */
	int		 mh_flags;	/* M_* */
	short		 mh_type;	/* MT_* */
};

struct pkthdr {
	struct ifnet	*rcvif;		/* receiving interface */
	int		 len;		/* total packet length */
	int		 csum_flags;	/* CSUM_* */
	int		 csum_data;
	uint16_t	 ether_vtag;
	uint16_t	 pkt_spare;
	void		*pkt_aux;	/* free for the protocol's use */
};

struct m_ext {
	caddr_t		 ext_buf;	/* start of the buffer */
	volatile u_int	*ext_cnt;	/* reference count */
	u_int		 ext_size;	/* size of the buffer */
	int		 ext_type;	/* EXT_* */
	void		(*ext_free)(void *buf, void *arg);
	void		*ext_arg;
};

#define	MLEN		((int)(MSIZE - sizeof(struct m_hdr)))
#define	MHLEN		((int)(MLEN - sizeof(struct pkthdr)))
#define	MINCLSIZE	(MHLEN + 1)

struct mbuf {
	struct m_hdr	m_hdr;
	union {
		struct {
			struct pkthdr	MH_pkthdr;
			union {
				struct m_ext	MH_ext;
				char		MH_databuf[MSIZE -
				    sizeof(struct m_hdr) -
				    sizeof(struct pkthdr)];
			} MH_dat;
		} MH;
		char	M_databuf[MSIZE - sizeof(struct m_hdr)];
	} M_dat;
};

#define	m_next		m_hdr.mh_next
#define	m_len		m_hdr.mh_len
#define	m_data		m_hdr.mh_data
#define	m_type		m_hdr.mh_type
#define	m_flags		m_hdr.mh_flags
#define	m_nextpkt	m_hdr.mh_nextpkt
#define	m_act		m_nextpkt
#define	m_pkthdr	M_dat.MH.MH_pkthdr
#define	m_ext		M_dat.MH.MH_dat.MH_ext
#define	m_pktdat	M_dat.MH.MH_dat.MH_databuf
#define	m_dat		M_dat.M_databuf

/* m_flags. */
#define	M_EXT		0x00000001	/* has associated external storage */
#define	M_PKTHDR	0x00000002	/* start of record */
#define	M_EOR		0x00000004	/* end of record */
#define	M_RDONLY	0x00000008	/* storage is read-only */
#define	M_PROTO1	0x00000010	/* protocol-specific */
#define	M_PROTO2	0x00000020
#define	M_PROTO3	0x00000040
#define	M_PROTO4	0x00000080
#define	M_PROTO5	0x00000100
#define	M_BCAST		0x00000200	/* link-level broadcast */
#define	M_MCAST		0x00000400	/* link-level multicast */
#define	M_FRAG		0x00000800	/* packet is a fragment */
#define	M_FIRSTFRAG	0x00001000
#define	M_LASTFRAG	0x00002000
#define	M_SKIP_FIREWALL	0x00004000
#define	M_VLANTAG	0x00010000
#define	M_PROMISC	0x00020000
#define	M_COPYFLAGS	(M_PKTHDR | M_EOR | M_RDONLY | M_PROTO1 | M_PROTO2 | \
	M_PROTO3 | M_PROTO4 | M_PROTO5 | M_BCAST | M_MCAST | M_FRAG |	\
	M_FIRSTFRAG | M_LASTFRAG | M_VLANTAG | M_PROMISC)

/* External storage types. */
#define	EXT_CLUSTER	1
#define	EXT_EXTREF	2	/* m_extadd() */

/* Checksum offload flags (csum_flags). */
#define	CSUM_IP		0x0001
#define	CSUM_TCP	0x0002
#define	CSUM_UDP	0x0004
#define	CSUM_IP_CHECKED	0x0100
#define	CSUM_IP_VALID	0x0200
#define	CSUM_DATA_VALID	0x0400
#define	CSUM_PSEUDO_HDR	0x0800

/* mbuf types. */
#define	MT_NOTMBUF	0
#define	MT_DATA		1
#define	MT_HEADER	2
#define	MT_SONAME	8
#define	MT_CONTROL	14
#define	MT_OOBDATA	15
#define	MT_NTYPES	16

/* Legacy spellings of the wait flags. */
#define	M_DONTWAIT	M_NOWAIT
#define	M_TRYWAIT	M_WAITOK
#define	M_WAIT		M_WAITOK

#define	M_COPYALL	1000000000

#define	mtod(m, t)	((t)((m)->m_data))

/* Writable unless read-only or on a cluster shared with another mbuf. */
#define	M_WRITABLE(m)	(!((m)->m_flags & M_RDONLY) &&			\
	(!((m)->m_flags & M_EXT) || refcount_load((m)->m_ext.ext_cnt) == 1))
#define	M_START(m)							\
	(((m)->m_flags & M_EXT) ? (m)->m_ext.ext_buf :			\
	 ((m)->m_flags & M_PKTHDR) ? &(m)->m_pktdat[0] : &(m)->m_dat[0])
#define	M_SIZE(m)							\
	(((m)->m_flags & M_EXT) ? (int)(m)->m_ext.ext_size :		\
	 ((m)->m_flags & M_PKTHDR) ? MHLEN : MLEN)
#define	M_LEADINGSPACE(m)						\
	(M_WRITABLE(m) ? (int)((m)->m_data - M_START(m)) : 0)
#define	M_TRAILINGSPACE(m)						\
	(M_WRITABLE(m) ?						\
	    (int)((M_START(m) + M_SIZE(m)) - ((m)->m_data + (m)->m_len)) : 0)
/* Place len bytes at the end of a fresh mbuf (leaving room in front). */
#define	M_ALIGN(m, len) do {						\
	(m)->m_data += (MLEN - (len)) & ~(sizeof(long) - 1);		\
} while (0)
#define	MH_ALIGN(m, len) do {						\
	(m)->m_data += (MHLEN - (len)) & ~(sizeof(long) - 1);		\
} while (0)
#define	MEXT_ALIGN(m, len) do {						\
	(m)->m_data += ((m)->m_ext.ext_size - (len)) &			\
	    ~(sizeof(long) - 1);					\
} while (0)
/* Prepend plen bytes to m; sets m to NULL when out of mbufs. */
#define	M_PREPEND(m, plen, how) do {					\
	struct mbuf **_mmp = &(m);					\
	struct mbuf *_mm = *_mmp;					\
	int _mplen = (plen);						\
	if (M_LEADINGSPACE(_mm) >= _mplen) {				\
		_mm->m_data -= _mplen;					\
		_mm->m_len += _mplen;					\
	} else								\
		_mm = m_prepend(_mm, _mplen, (how));			\
	if (_mm != NULL && (_mm->m_flags & M_PKTHDR))			\
		_mm->m_pkthdr.len += _mplen;				\
	*_mmp = _mm;							\
} while (0)

#define	MGET(m, how, type)	((m) = m_get((how), (type)))
#define	MGETHDR(m, how, type)	((m) = m_gethdr((how), (type)))
#define	MCLGET(m, how)		m_clget((m), (how))
#define	M_MOVE_PKTHDR(to, from)	m_move_pkthdr((to), (from))
#define	M_COPY_PKTHDR(to, from)	m_dup_pkthdr((to), (from), M_NOWAIT)

struct mbuf *m_get(int how, short type);
struct mbuf *m_gethdr(int how, short type);
struct mbuf *m_getcl(int how, short type, int flags);
struct mbuf *m_getclr(int how, short type);
int	m_clget(struct mbuf *m, int how);
void	m_extadd(struct mbuf *m, caddr_t buf, u_int size,
	    void (*freef)(void *, void *), void *arg, int flags, int type);
struct mbuf *m_free(struct mbuf *m);
void	m_freem(struct mbuf *m);
struct mbuf *m_pullup(struct mbuf *m, int len);
struct mbuf *m_copym(struct mbuf *m, int off, int len, int how);
struct mbuf *m_copypacket(struct mbuf *m, int how);
struct mbuf *m_dup(const struct mbuf *m, int how);
void	m_copydata(const struct mbuf *m, int off, int len, caddr_t cp);
void	m_copyback(struct mbuf *m, int off, int len, c_caddr_t cp);
int	m_append(struct mbuf *m, int len, c_caddr_t cp);
void	m_adj(struct mbuf *m, int req_len);
void	m_cat(struct mbuf *m, struct mbuf *n);
struct mbuf *m_prepend(struct mbuf *m, int len, int how);
struct mbuf *m_split(struct mbuf *m, int len, int how);
u_int	m_length(struct mbuf *m, struct mbuf **last);
u_int	m_fixhdr(struct mbuf *m);
struct mbuf *m_defrag(struct mbuf *m, int how);
struct mbuf *m_devget(char *buf, int totlen, int off, struct ifnet *ifp,
	    void (*copy)(char *from, caddr_t to, u_int len));
int	m_dup_pkthdr(struct mbuf *to, const struct mbuf *from, int how);
void	m_move_pkthdr(struct mbuf *to, struct mbuf *from);
int	m_sanity(struct mbuf *m, int sanitize);

/* Global header-size hints, as in FreeBSD. */
extern int	max_linkhdr;	/* largest link-level header */
extern int	max_protohdr;	/* largest protocol header */
extern int	max_hdr;	/* max_linkhdr + max_protohdr */
extern int	max_datalen;	/* MHLEN - max_hdr */

/* Allocation statistics (counts in use, and failures). */
struct mbstat {
	u_long	m_mbufs;	/* mbufs in use */
	u_long	m_mclusts;	/* clusters in use */
	u_long	m_drops;	/* failed allocations */
};
void	mbstat_get(struct mbstat *st);

#endif /* !_SYS_MBUF_H_ */
