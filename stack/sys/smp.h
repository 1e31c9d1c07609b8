#ifndef _SYS_SMP_H_
#define	_SYS_SMP_H_
#include <sys/types.h>
extern int	mp_ncpus;	/* host CPUs, set at start */
extern int	mp_maxid;
#define	MAXCPU		64
#define	curcpu		0
#define	CPU_FOREACH(i)	for ((i) = 0; (i) < mp_ncpus; (i)++)
#endif /* !_SYS_SMP_H_ */
