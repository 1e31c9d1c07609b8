/*
 * Miscellaneous internetwork definitions for kernel.
 */
#ifndef _NETINET_IN_SYSTM_H_
#define	_NETINET_IN_SYSTM_H_

/*
 * Legacy network-order integer types (n_short, n_long) and n_time, the
 * milliseconds since midnight UT carried by ICMP timestamps.
 */
typedef uint16_t n_short;		/* short as received from the net */
typedef uint32_t n_long;		/* long as received from the net */
typedef	uint32_t n_time;		/* ms since 00:00 UT, byte rev */

n_time	iptime(void);

#endif /* !_NETINET_IN_SYSTM_H_ */
