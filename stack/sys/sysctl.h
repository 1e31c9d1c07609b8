/*
 * sysctl.h - the sysctl(9) declaration macros, accepted and ignored so that
 * FreeBSD code declaring its knobs compiles unchanged.  There is no sysctl
 * tree: the stack exports statistics through its own application API.
 */
#ifndef _SYS_SYSCTL_H_
#define	_SYS_SYSCTL_H_

#include <sys/types.h>

#define	CTLTYPE_NODE	1
#define	CTLTYPE_INT	2
#define	CTLTYPE_STRING	3
#define	CTLTYPE_S64	4
#define	CTLTYPE_OPAQUE	5
#define	CTLTYPE_STRUCT	CTLTYPE_OPAQUE
#define	CTLTYPE_UINT	6
#define	CTLTYPE_LONG	7
#define	CTLTYPE_ULONG	8
#define	CTLTYPE_U64	9
#define	CTLFLAG_RD	0x80000000
#define	CTLFLAG_WR	0x40000000
#define	CTLFLAG_RW	(CTLFLAG_RD | CTLFLAG_WR)
#define	CTLFLAG_VNET	0x00080000
#define	CTLFLAG_MPSAFE	0x00040000
#define	CTLFLAG_STATS	0x00002000
#define	CTLFLAG_NOFETCH	0x00001000
#define	CTLFLAG_TUN	0x00080000
#define	CTLFLAG_RWTUN	(CTLFLAG_RW | CTLFLAG_TUN)
#define	CTLFLAG_RDTUN	(CTLFLAG_RD | CTLFLAG_TUN)
#define	OID_AUTO	(-1)

/* Each expands to a file-scope declaration that generates nothing. */
#define	_SYSCTL_IGNORED		_Static_assert(1, "sysctl ignored")
#define	SYSCTL_DECL(name)	_SYSCTL_IGNORED
#define	SYSCTL_NODE(...)	_SYSCTL_IGNORED
#define	SYSCTL_INT(...)		_SYSCTL_IGNORED
#define	SYSCTL_UINT(...)	_SYSCTL_IGNORED
#define	SYSCTL_LONG(...)	_SYSCTL_IGNORED
#define	SYSCTL_ULONG(...)	_SYSCTL_IGNORED
#define	SYSCTL_U64(...)		_SYSCTL_IGNORED
#define	SYSCTL_STRING(...)	_SYSCTL_IGNORED
#define	SYSCTL_STRUCT(...)	_SYSCTL_IGNORED
#define	SYSCTL_OPAQUE(...)	_SYSCTL_IGNORED
#define	SYSCTL_PROC(...)	_SYSCTL_IGNORED
#define	SYSCTL_COUNTER_U64(...)	_SYSCTL_IGNORED
#define	SYSCTL_VNET_PCPUSTAT(...) _SYSCTL_IGNORED
#define	VNET_SYSCTL_ARG(req, arg1)	((void)0)

#endif /* !_SYS_SYSCTL_H_ */
