/*
 * Miscellaneous internetwork definitions for kernel.
 */
#ifndef _NETINET_IN_SYSTM_H_
#define	_NETINET_IN_SYSTM_H_

/*
 * Network types.  The internal types n_short, n_long are in network
 * byte order; n_time is ms since 00:00 UT, byte-swapped.
 */
typedef uint16_t n_short;		/* short as received from the net */
typedef uint32_t n_long;		/* long as received from the net */
typedef	uint32_t n_time;		/* ms since 00:00 UT, byte rev */

n_time	iptime(void);

#endif /* !_NETINET_IN_SYSTM_H_ */
