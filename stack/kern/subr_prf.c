/*
 * subr_prf.c - panic(9), log(9) and string helpers.
 *
 * panic() prints "panic: <message>" with the thread's name on stderr and
 * aborts, as a kernel would stop; the gtest death tests match on it.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/syslog.h>
#include <machine/host.h>

int bootverbose;
static int kern_loglevel = LOG_WARNING;

static void
kern_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	host_vwarn(fmt, ap);
	va_end(ap);
}

void
vpanic(const char *fmt, va_list ap)
{
	struct thread *td = kern_curthread_ptr;
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	kern_warn("panic: %s\n", buf);
	if (td != NULL)
		kern_warn("panic: in thread \"%s\" (tid %d)\n", td->td_name,
		    td->td_tid);
	host_abort();
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(fmt, ap);
}

void
kassert_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(fmt, ap);
}

int
kern_log_setlevel(int level)
{
	int old = __atomic_exchange_n(&kern_loglevel, level, __ATOMIC_RELAXED);

	return (old);
}

void
kern_vlog(int level, const char *fmt, va_list ap)
{
	char buf[1024];

	if (level > __atomic_load_n(&kern_loglevel, __ATOMIC_RELAXED))
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	kern_warn("kernel: %s%s", buf,
	    buf[0] != '\0' && buf[strlen(buf) - 1] == '\n' ? "" : "\n");
}

void
kern_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kern_vlog(level, fmt, ap);
	va_end(ap);
}

size_t
kern_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size != 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return (len);
}

size_t
kern_strlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = 0;

	while (dlen < size && dst[dlen] != '\0')
		dlen++;
	if (dlen == size)
		return (size + strlen(src));
	return (dlen + kern_strlcpy(dst + dlen, src, size - dlen));
}

void
refcount_underflow(volatile u_int *count)
{
	panic("refcount_release: count %p would go below zero", (void *)count);
}
