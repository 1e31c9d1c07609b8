/*
 * TCP reassembly queue: out-of-order segments wait here, sorted by
 * sequence number and trimmed so that they never overlap, until the
 * hole before them is filled.  The queue of a connection is bounded by
 * its receive buffer, and all queues of an instance by tcp_reass_maxseg
 * segments.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/mbuf.h>
#include <sys/socket.h>
#include <sys/socketvar.h>

#include <net/vnet.h>

#include <netinet/in.h>
#include <netinet/in_pcb.h>
#include <netinet/tcp.h>
#include <netinet/tcp_fsm.h>
#include <netinet/tcp_seq.h>
#include <netinet/tcp_timer.h>
#include <netinet/tcp_var.h>

MALLOC_DEFINE(M_TSEGQ, "tseg_qent", "TCP segment queue entry");

static void
tcp_reass_remove(struct tcpcb *tp, struct tseg_qent *q)
{

	TAILQ_REMOVE(&tp->t_segq, q, tqe_q);
	tp->t_segqlen -= q->tqe_len;
	tp->t_segqcnt--;
	V_tcp_reass_qsize--;
}

void
tcp_reass_flush(struct tcpcb *tp)
{
	struct tseg_qent *q;

	while ((q = TAILQ_FIRST(&tp->t_segq)) != NULL) {
		tcp_reass_remove(tp, q);
		m_freem(q->tqe_m);
		free(q, M_TSEGQ);
	}
}

/*
 * Queue the data m (seq, *tlenp bytes, fin when a FIN follows it), then
 * deliver to the socket whatever has become contiguous with rcv_nxt.
 * With m NULL only the delivery is done.  Returns TH_FIN when the
 * delivered data ends with the peer's FIN.
 */
int
tcp_reass(struct tcpcb *tp, tcp_seq seq, int *tlenp, int fin, struct mbuf *m)
{
	struct socket *so = tp->t_inpcb->inp_socket;
	struct tseg_qent *q, *p, *nq, *te;
	int tlen, i, flags;

	if (m == NULL)
		goto present;
	tlen = *tlenp;
	if (tlen == 0) {
		/* A FIN alone out of order: the peer will resend it. */
		m_freem(m);
		goto present;
	}
	if (seq != tp->rcv_nxt &&
	    (V_tcp_reass_qsize >= V_tcp_reass_maxseg ||
	    tp->t_segqlen + tlen > (int)so->so_rcv.sb_hiwat)) {
		TCPSTAT_INC(tcps_rcvmemdrop);
		m_freem(m);
		*tlenp = 0;
		return (0);
	}

	/* Find the first queued segment that starts after ours. */
	p = NULL;
	TAILQ_FOREACH(q, &tp->t_segq, tqe_q) {
		if (SEQ_GT(q->tqe_seq, seq))
			break;
		p = q;
	}
	/* Trim what the previous segment already holds. */
	if (p != NULL) {
		i = (int)(p->tqe_seq + p->tqe_len - seq);
		if (i > 0) {
			if (i >= tlen) {
				TCPSTAT_INC(tcps_rcvduppack);
				TCPSTAT_ADD(tcps_rcvdupbyte, tlen);
				m_freem(m);
				*tlenp = 0;
				goto present;
			}
			m_adj(m, i);
			tlen -= i;
			seq += i;
		}
	}
	TCPSTAT_INC(tcps_rcvoopack);
	TCPSTAT_ADD(tcps_rcvoobyte, tlen);
	/* Trim or remove the following segments that ours overlaps. */
	while (q != NULL && SEQ_GT(seq + tlen, q->tqe_seq)) {
		i = (int)(seq + tlen - q->tqe_seq);
		if (i < q->tqe_len) {
			q->tqe_seq += i;
			q->tqe_len -= i;
			tp->t_segqlen -= i;
			m_adj(q->tqe_m, i);
			break;
		}
		nq = TAILQ_NEXT(q, tqe_q);
		if (q->tqe_fin && i == q->tqe_len)
			fin = 1;
		tcp_reass_remove(tp, q);
		m_freem(q->tqe_m);
		free(q, M_TSEGQ);
		q = nq;
	}
	te = malloc(sizeof(*te), M_TSEGQ, M_NOWAIT);
	if (te == NULL) {
		TCPSTAT_INC(tcps_rcvmemdrop);
		m_freem(m);
		*tlenp = 0;
		return (0);
	}
	te->tqe_seq = seq;
	te->tqe_len = tlen;
	te->tqe_fin = fin;
	te->tqe_m = m;
	if (p == NULL)
		TAILQ_INSERT_HEAD(&tp->t_segq, te, tqe_q);
	else
		TAILQ_INSERT_AFTER(&tp->t_segq, p, te, tqe_q);
	tp->t_segqlen += tlen;
	tp->t_segqcnt++;
	V_tcp_reass_qsize++;
	tp->t_sacklast = seq;
	*tlenp = tlen;

present:
	if (!TCPS_HAVEESTABLISHED(tp->t_state))
		return (0);
	flags = 0;
	while ((q = TAILQ_FIRST(&tp->t_segq)) != NULL &&
	    q->tqe_seq == tp->rcv_nxt) {
		tcp_reass_remove(tp, q);
		tp->rcv_nxt += q->tqe_len;
		flags = q->tqe_fin ? TH_FIN : 0;
		if (so->so_state & SS_CANTRCVMORE)
			m_freem(q->tqe_m);
		else
			sbappendstream(&so->so_rcv, q->tqe_m);
		free(q, M_TSEGQ);
		if (flags)
			break;
	}
	sorwakeup(so);
	return (flags);
}
