/*
 * types.h - basic kernel types.  The stack never includes a libc header:
 * every type here comes from the compiler's predefined macros.
 */
#ifndef _SYS_TYPES_H_
#define	_SYS_TYPES_H_

#include <sys/cdefs.h>

typedef	__INT8_TYPE__		int8_t;
typedef	__INT16_TYPE__		int16_t;
typedef	__INT32_TYPE__		int32_t;
typedef	__INT64_TYPE__		int64_t;
typedef	__UINT8_TYPE__		uint8_t;
typedef	__UINT16_TYPE__		uint16_t;
typedef	__UINT32_TYPE__		uint32_t;
typedef	__UINT64_TYPE__		uint64_t;
typedef	__INTPTR_TYPE__		intptr_t;
typedef	__UINTPTR_TYPE__	uintptr_t;
typedef	__INTMAX_TYPE__		intmax_t;
typedef	__UINTMAX_TYPE__	uintmax_t;
typedef	__PTRDIFF_TYPE__	ptrdiff_t;

typedef	uint8_t			u_int8_t;
typedef	uint16_t		u_int16_t;
typedef	uint32_t		u_int32_t;
typedef	uint64_t		u_int64_t;
typedef	uint64_t		u_quad_t;
typedef	int64_t			quad_t;

typedef	unsigned char		u_char;
typedef	unsigned short		u_short;
typedef	unsigned int		u_int;
typedef	unsigned long		u_long;
typedef	unsigned short		ushort;
typedef	unsigned int		uint;

typedef	char			*caddr_t;
typedef	const char		*c_caddr_t;
typedef	volatile char		*v_caddr_t;

#ifndef _SIZE_T_DECLARED
#define	_SIZE_T_DECLARED
typedef	__SIZE_TYPE__		size_t;
#endif
typedef	long			ssize_t;
typedef	long			off_t;
typedef	long			time_t;
typedef	long			suseconds_t;
typedef	int			pid_t;
typedef	unsigned int		uid_t;
typedef	unsigned int		gid_t;
typedef	int			lwpid_t;
typedef	int64_t			sbintime_t;
typedef	uint32_t		in_addr_t;
typedef	uint16_t		in_port_t;
typedef	uint8_t			sa_family_t;
typedef	uint32_t		socklen_t;
typedef	uint64_t		vm_offset_t;
typedef	uint64_t		vm_paddr_t;
typedef	uint64_t		vm_size_t;
typedef	uint32_t		fixpt_t;
typedef	uint32_t		__uint32_t;
typedef	uint16_t		__uint16_t;
typedef	uint8_t			__uint8_t;
typedef	int32_t			__int32_t;

#if !defined(__bool_true_false_are_defined) && !defined(__cplusplus)
#define	__bool_true_false_are_defined	1
#define	bool	_Bool
#define	true	1
#define	false	0
#endif

#ifndef NULL
#define	NULL	((void *)0)
#endif

#endif /* !_SYS_TYPES_H_ */
