/*
 * scen_mbuf.c - mbuf(9) chain operations against a reference byte array.
 *
 * A seeded generator applies random operations to a packet and to a flat
 * copy of its bytes; after each step the chain must be sane (m_sanity)
 * and hold exactly the reference bytes.  At the end every mbuf and
 * cluster must be back (mbstat).
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mbuf.h>
#include "kt_util.h"

#define	REFMAX	(64 * 1024)
#define	NSEEDS	24
#define	NOPS	300

struct ref {
	u_char	b[REFMAX];
	int	len;
	uint64_t rng;
};

static u_int
rnd(struct ref *r, u_int n)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return (n == 0 ? 0 : (u_int)(r->rng % n));
}

static void
fill(struct ref *r, u_char *p, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (u_char)rnd(r, 256);
}

/* 0 when m holds exactly the reference bytes. */
static int
same(struct mbuf *m, struct ref *r)
{
	static u_char buf[REFMAX];

	if (!m_sanity(m, 0))
		return (kt_fail(__FILE__, __LINE__, "m_sanity"));
	if ((int)m_length(m, NULL) != r->len || m->m_pkthdr.len != r->len)
		return (kt_fail(__FILE__, __LINE__, "length"));
	m_copydata(m, 0, r->len, (caddr_t)buf);
	if (memcmp(buf, r->b, r->len) != 0)
		return (kt_fail(__FILE__, __LINE__, "contents"));
	/* A random window through m_copydata too. */
	if (r->len > 0) {
		int off = (int)rnd(r, r->len), len = (int)rnd(r, r->len - off);

		m_copydata(m, off, len, (caddr_t)buf);
		if (memcmp(buf, r->b + off, len) != 0)
			return (kt_fail(__FILE__, __LINE__, "window"));
	}
	return (0);
}

static struct mbuf *
build(struct ref *r, int len)
{
	struct mbuf *m;
	u_char chunk[3000];
	int done = 0;

	m = m_gethdr(M_WAITOK, MT_DATA);
	while (done < len) {
		int n = imin(len - done, 1 + (int)rnd(r, sizeof(chunk)));

		fill(r, chunk, n);
		if (!m_append(m, n, (c_caddr_t)chunk))
			return (NULL);
		memcpy(r->b + done, chunk, n);
		done += n;
	}
	r->len = len;
	return (m);
}

static int
one_seed(uint64_t seed)
{
	struct ref *r;
	struct mbuf *m, *n;
	u_char tmp[4096];
	int op, off, len, rc = 0;

	r = malloc(sizeof(*r), M_TEMP, M_WAITOK);
	r->rng = seed * 2654435761ULL + 1;
	m = build(r, (int)rnd(r, 5000));
	KT_CHECK(m != NULL);
	for (op = 0; op < NOPS && rc == 0; op++) {
		switch (rnd(r, 9)) {
		case 0:		/* m_copyback, possibly growing the chain */
			off = (int)rnd(r, r->len + 200);
			len = 1 + (int)rnd(r, 1500);
			if (off + len > REFMAX - 1)
				break;
			fill(r, tmp, len);
			m_copyback(m, off, len, (c_caddr_t)tmp);
			if (off > r->len)
				memset(r->b + r->len, 0, off - r->len);
			memcpy(r->b + off, tmp, len);
			r->len = imax(r->len, off + len);
			break;
		case 1:		/* m_adj from the head */
			len = (int)rnd(r, r->len + 1);
			m_adj(m, len);
			memmove(r->b, r->b + len, r->len - len);
			r->len -= len;
			break;
		case 2:		/* m_adj from the tail */
			len = (int)rnd(r, r->len + 1);
			m_adj(m, -len);
			r->len -= len;
			break;
		case 3:		/* m_split, check both halves, m_cat back */
			off = (int)rnd(r, r->len + 1);
			n = m_split(m, off, M_WAITOK);
			if (n == NULL) {
				KT_CHECK(off == r->len);
				break;
			}
			KT_CHECK(m->m_pkthdr.len == off);
			KT_CHECK(n->m_pkthdr.len == r->len - off);
			KT_CHECK((int)m_length(n, NULL) == r->len - off);
			m_copydata(n, 0, imin(r->len - off, (int)sizeof(tmp)),
			    (caddr_t)tmp);
			KT_CHECK(memcmp(tmp, r->b + off,
			    imin(r->len - off, (int)sizeof(tmp))) == 0);
			n->m_flags &= ~M_PKTHDR;
			m_cat(m, n);
			m->m_pkthdr.len = r->len;
			break;
		case 4:		/* m_pullup */
			len = 1 + (int)rnd(r, MHLEN);
			if (len > r->len)
				break;
			m = m_pullup(m, len);
			KT_CHECK(m != NULL);
			KT_CHECK(m->m_len >= len);
			KT_CHECK(memcmp(mtod(m, u_char *), r->b, len) == 0);
			break;
		case 5:		/* M_PREPEND */
			len = 1 + (int)rnd(r, MHLEN);
			if (r->len + len > REFMAX)
				break;
			M_PREPEND(m, len, M_WAITOK);
			KT_CHECK(m != NULL);
			fill(r, tmp, len);
			memcpy(mtod(m, u_char *), tmp, len);
			memmove(r->b + len, r->b, r->len);
			memcpy(r->b, tmp, len);
			r->len += len;
			break;
		case 6:		/* m_copym of a window */
			off = (int)rnd(r, r->len + 1);
			len = (int)rnd(r, r->len - off + 1);
			n = m_copym(m, off, len, M_WAITOK);
			KT_CHECK(len == 0 || n != NULL);
			if (n != NULL) {
				KT_CHECK((int)m_length(n, NULL) == len);
				m_copydata(n, 0, imin(len, (int)sizeof(tmp)),
				    (caddr_t)tmp);
				KT_CHECK(memcmp(tmp, r->b + off,
				    imin(len, (int)sizeof(tmp))) == 0);
				m_freem(n);
			}
			break;
		case 7:		/* m_dup replaces the chain */
			n = m_dup(m, M_WAITOK);
			KT_CHECK(n != NULL || r->len == 0);
			if (n != NULL) {
				m_freem(m);
				m = n;
			}
			break;
		case 8:		/* m_append */
			len = (int)rnd(r, 3000);
			if (r->len + len > REFMAX)
				break;
			fill(r, tmp, len);
			KT_CHECK(m_append(m, len, (c_caddr_t)tmp));
			memcpy(r->b + r->len, tmp, len);
			r->len += len;
			break;
		}
		rc = same(m, r);
	}
	m_freem(m);
	free(r, M_TEMP);
	return (rc);
}

int
kt_Mbuf_RandomOpsMatchReference(void)
{
	struct mbstat before, after;

	KT_BEGIN();
	mbstat_get(&before);
	for (uint64_t seed = 1; seed <= NSEEDS; seed++)
		KT_CHECK(one_seed(seed) == 0);
	mbstat_get(&after);
	KT_CHECK(after.m_mbufs == before.m_mbufs);
	KT_CHECK(after.m_mclusts == before.m_mclusts);
	KT_END();
}

int
kt_Mbuf_ClusterSharingAndRefcount(void)
{
	struct mbstat st0, st;
	struct mbuf *m, *c;

	KT_BEGIN();
	mbstat_get(&st0);
	m = m_getcl(M_WAITOK, MT_DATA, M_PKTHDR);
	KT_CHECK(m != NULL && (m->m_flags & M_EXT));
	KT_CHECK(M_TRAILINGSPACE(m) == MCLBYTES);
	memset(mtod(m, char *), 'x', 1000);
	m->m_len = m->m_pkthdr.len = 1000;
	KT_CHECK(M_WRITABLE(m));
	c = m_copypacket(m, M_WAITOK);
	KT_CHECK(c != NULL && c->m_pkthdr.len == 1000);
	/* Shared, not copied: same storage, both read-only now. */
	KT_CHECK(mtod(c, char *) == mtod(m, char *));
	KT_CHECK(*m->m_ext.ext_cnt == 2);
	KT_CHECK(!M_WRITABLE(m) && !M_WRITABLE(c));
	KT_CHECK(M_TRAILINGSPACE(m) == 0 && M_LEADINGSPACE(c) == 0);
	mbstat_get(&st);
	KT_CHECK(st.m_mclusts == st0.m_mclusts + 1);
	KT_CHECK(st.m_mbufs == st0.m_mbufs + 2);
	m_freem(m);
	KT_CHECK(*c->m_ext.ext_cnt == 1 && M_WRITABLE(c));
	mbstat_get(&st);
	KT_CHECK(st.m_mclusts == st0.m_mclusts + 1);
	m_freem(c);
	mbstat_get(&st);
	KT_CHECK(st.m_mclusts == st0.m_mclusts);
	KT_CHECK(st.m_mbufs == st0.m_mbufs);
	KT_END();
}

int
kt_Mbuf_PullupShortChainFails(void)
{
	struct mbstat st0, st;
	struct mbuf *m;
	char data[40];

	KT_BEGIN();
	mbstat_get(&st0);
	memset(data, 7, sizeof(data));
	m = m_gethdr(M_WAITOK, MT_DATA);
	m->m_len = 0;
	m->m_pkthdr.len = 0;
	KT_CHECK(m_append(m, 10, data));
	m->m_next = m_get(M_WAITOK, MT_DATA);
	m->m_next->m_len = 10;
	m->m_pkthdr.len = 20;
	/* Asks for more than the chain holds: NULL, chain freed. */
	KT_CHECK(m_pullup(m, 30) == NULL);
	mbstat_get(&st);
	KT_CHECK(st.m_mbufs == st0.m_mbufs);
	KT_CHECK(st.m_drops > st0.m_drops);
	KT_END();
}

int
kt_Mbuf_PrependUsesLeadingSpace(void)
{
	struct mbstat st0, st;
	struct mbuf *m;

	KT_BEGIN();
	m = m_gethdr(M_WAITOK, MT_DATA);
	MH_ALIGN(m, 104);
	m->m_len = m->m_pkthdr.len = 104;
	KT_CHECK(M_LEADINGSPACE(m) ==
	    (int)((MHLEN - 104) & ~(sizeof(long) - 1)));
	KT_CHECK(M_TRAILINGSPACE(m) == MHLEN - 104 - M_LEADINGSPACE(m));
	mbstat_get(&st0);
	M_PREPEND(m, 20, M_NOWAIT);
	mbstat_get(&st);
	KT_CHECK(m != NULL && st.m_mbufs == st0.m_mbufs);	/* in place */
	KT_CHECK(m->m_len == 124 && m->m_pkthdr.len == 124);
	M_PREPEND(m, MHLEN, M_NOWAIT);			/* no room: new mbuf */
	mbstat_get(&st);
	KT_CHECK(m != NULL && st.m_mbufs == st0.m_mbufs + 1);
	KT_CHECK(m->m_pkthdr.len == 124 + MHLEN);
	KT_CHECK((m->m_flags & M_PKTHDR) && !(m->m_next->m_flags & M_PKTHDR));
	m_freem(m);
	KT_END();
}

static void
mbuf_thread(void *arg, int idx)
{
	char data[3000];

	memset(data, idx, sizeof(data));
	for (int i = 0; i < 2000; i++) {
		struct mbuf *m = m_gethdr(M_WAITOK, MT_DATA), *c;

		KT_EXPECT(m_append(m, 1 + (i * 7) % 2999, data));
		c = m_copypacket(m, M_WAITOK);
		m_freem(m);
		KT_EXPECT(c != NULL && mtod(c, char *)[0] == idx);
		m_freem(c);
	}
}

int
kt_Mbuf_ConcurrentAllocFree(void)
{
	struct mbstat st0, st;

	KT_BEGIN();
	mbstat_get(&st0);
	kt_run(4, mbuf_thread, NULL);
	mbstat_get(&st);
	KT_CHECK(st.m_mbufs == st0.m_mbufs);
	KT_CHECK(st.m_mclusts == st0.m_mclusts);
	KT_END();
}
