/*
 * TCP sequence number arithmetic (modulo 2^32, RFC 9293 3.4).
 */
#ifndef _NETINET_TCP_SEQ_H_
#define	_NETINET_TCP_SEQ_H_

#define	SEQ_LT(a, b)	((int32_t)((a) - (b)) < 0)
#define	SEQ_LEQ(a, b)	((int32_t)((a) - (b)) <= 0)
#define	SEQ_GT(a, b)	((int32_t)((a) - (b)) > 0)
#define	SEQ_GEQ(a, b)	((int32_t)((a) - (b)) >= 0)
#define	SEQ_MIN(a, b)	(SEQ_LT(a, b) ? (a) : (b))
#define	SEQ_MAX(a, b)	(SEQ_GT(a, b) ? (a) : (b))

/* Timestamp comparisons (RFC 7323 5.2) use the same arithmetic. */
#define	TSTMP_LT(a, b)	((int32_t)((a) - (b)) < 0)
#define	TSTMP_GT(a, b)	((int32_t)((a) - (b)) > 0)
#define	TSTMP_GEQ(a, b)	((int32_t)((a) - (b)) >= 0)

/* Initialize the receive and send sequence variables of a new connection. */
#define	tcp_rcvseqinit(tp) \
	(tp)->rcv_adv = (tp)->rcv_nxt = (tp)->irs + 1

#define	tcp_sendseqinit(tp) \
	(tp)->snd_una = (tp)->snd_nxt = (tp)->snd_max = (tp)->snd_recover = \
	    (tp)->iss

#endif /* !_NETINET_TCP_SEQ_H_ */
