/*
 * endian.h - byte order conversion and (un)aligned encode/decode.
 */
#ifndef _SYS_ENDIAN_H_
#define	_SYS_ENDIAN_H_

#include <sys/types.h>
#include <machine/endian.h>

#define	bswap16(x)	((uint16_t)__builtin_bswap16(x))
#define	bswap32(x)	((uint32_t)__builtin_bswap32(x))
#define	bswap64(x)	((uint64_t)__builtin_bswap64(x))
#if _BYTE_ORDER == _LITTLE_ENDIAN
#define	htobe16(x)	bswap16(x)
#define	htobe32(x)	bswap32(x)
#define	htobe64(x)	bswap64(x)
#define	htole16(x)	((uint16_t)(x))
#define	htole32(x)	((uint32_t)(x))
#define	htole64(x)	((uint64_t)(x))
#else
#define	htobe16(x)	((uint16_t)(x))
#define	htobe32(x)	((uint32_t)(x))
#define	htobe64(x)	((uint64_t)(x))
#define	htole16(x)	bswap16(x)
#define	htole32(x)	bswap32(x)
#define	htole64(x)	bswap64(x)
#endif
#define	be16toh(x)	htobe16(x)
#define	be32toh(x)	htobe32(x)
#define	be64toh(x)	htobe64(x)
#define	le16toh(x)	htole16(x)
#define	le32toh(x)	htole32(x)
#define	le64toh(x)	htole64(x)

static __inline uint16_t
be16dec(const void *pp)
{
	const uint8_t *p = (const uint8_t *)pp;

	return ((uint16_t)((p[0] << 8) | p[1]));
}

static __inline uint32_t
be32dec(const void *pp)
{
	const uint8_t *p = (const uint8_t *)pp;

	return (((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3]);
}

static __inline void
be16enc(void *pp, uint16_t u)
{
	uint8_t *p = (uint8_t *)pp;

	p[0] = (uint8_t)(u >> 8);
	p[1] = (uint8_t)u;
}

static __inline void
be32enc(void *pp, uint32_t u)
{
	uint8_t *p = (uint8_t *)pp;

	p[0] = (uint8_t)(u >> 24);
	p[1] = (uint8_t)(u >> 16);
	p[2] = (uint8_t)(u >> 8);
	p[3] = (uint8_t)u;
}

#endif /* !_SYS_ENDIAN_H_ */
