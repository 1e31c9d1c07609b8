/*
 * endian.h - host byte order and htons/htonl/ntohs/ntohl as macros over
 * the compiler's byte-swap builtins (no libc function is referenced).
 */
#ifndef _MACHINE_ENDIAN_H_
#define	_MACHINE_ENDIAN_H_

#define	_LITTLE_ENDIAN	1234
#define	_BIG_ENDIAN	4321
#define	_PDP_ENDIAN	3412
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define	_BYTE_ORDER	_LITTLE_ENDIAN
#else
#define	_BYTE_ORDER	_BIG_ENDIAN
#endif
#define	LITTLE_ENDIAN	_LITTLE_ENDIAN
#define	BIG_ENDIAN	_BIG_ENDIAN
#define	BYTE_ORDER	_BYTE_ORDER

#if _BYTE_ORDER == _LITTLE_ENDIAN
#define	__htons(x)	((__UINT16_TYPE__)__builtin_bswap16((__UINT16_TYPE__)(x)))
#define	__htonl(x)	((__UINT32_TYPE__)__builtin_bswap32((__UINT32_TYPE__)(x)))
#else
#define	__htons(x)	((__UINT16_TYPE__)(x))
#define	__htonl(x)	((__UINT32_TYPE__)(x))
#endif
#define	__ntohs(x)	__htons(x)
#define	__ntohl(x)	__htonl(x)

#undef htons
#undef htonl
#undef ntohs
#undef ntohl
#define	htons(x)	__htons(x)
#define	htonl(x)	__htonl(x)
#define	ntohs(x)	__ntohs(x)
#define	ntohl(x)	__ntohl(x)
/* 4.4BSD in-place forms. */
#define	HTONS(x)	((x) = htons((__UINT16_TYPE__)(x)))
#define	HTONL(x)	((x) = htonl((__UINT32_TYPE__)(x)))
#define	NTOHS(x)	((x) = ntohs((__UINT16_TYPE__)(x)))
#define	NTOHL(x)	((x) = ntohl((__UINT32_TYPE__)(x)))

#endif /* !_MACHINE_ENDIAN_H_ */
