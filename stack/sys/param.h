/*
 * param.h - machine-independent constants and helpers.
 */
#ifndef _SYS_PARAM_H_
#define	_SYS_PARAM_H_

#include <sys/types.h>

#define	BSD		199506
#define	__FreeBSD_version	500000
#define	MAXCOMLEN	19
#define	MAXHOSTNAMELEN	256
#define	MAXPATHLEN	1024
#define	NBBY		8
#define	NBPW		sizeof(int)

#define	MSIZE		256		/* size of an mbuf */
#define	MCLSHIFT	11
#define	MCLBYTES	(1 << MCLSHIFT)	/* size of an mbuf cluster */
#define	PAGE_SIZE	4096
#define	PAGE_MASK	(PAGE_SIZE - 1)
#define	CACHE_LINE_SIZE	64

/* Priorities for sleep(9); the emulation ignores all but the flags. */
#define	PRIMASK		0x0ff
#define	PCATCH		0x100		/* interruptible sleep */
#define	PDROP		0x200		/* do not reacquire the interlock */
#define	PVM		4
#define	PRIBIO		16
#define	PZERO		22
#define	PSOCK		24
#define	PWAIT		32
#define	PLOCK		36
#define	PPAUSE		40
#define	PUSER		50

#define	MIN(a, b)	(((a) < (b)) ? (a) : (b))
#define	MAX(a, b)	(((a) > (b)) ? (a) : (b))
#define	howmany(x, y)	(((x) + ((y) - 1)) / (y))
#define	roundup(x, y)	((((x) + ((y) - 1)) / (y)) * (y))
#define	rounddown(x, y)	(((x) / (y)) * (y))
#define	roundup2(x, y)	(((x) + ((y) - 1)) & (~((y) - 1)))
#define	rounddown2(x, y) ((x) & (~((y) - 1)))
#define	powerof2(x)	((((x) - 1) & (x)) == 0)
#define	nitems(x)	(sizeof((x)) / sizeof((x)[0]))
#define	setbit(a, i)	(((unsigned char *)(a))[(i) / NBBY] |= 1 << ((i) % NBBY))
#define	clrbit(a, i)	(((unsigned char *)(a))[(i) / NBBY] &= ~(1 << ((i) % NBBY)))
#define	isset(a, i)	(((const unsigned char *)(a))[(i) / NBBY] & (1 << ((i) % NBBY)))
#define	isclr(a, i)	((((const unsigned char *)(a))[(i) / NBBY] & (1 << ((i) % NBBY))) == 0)

#include <sys/errno.h>
#include <sys/time.h>
#include <sys/kernel.h>

#endif /* !_SYS_PARAM_H_ */
