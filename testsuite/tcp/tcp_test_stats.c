/*
 * The TCP counters of an instance for the tests, by name ("tcp.drops"),
 * read under Giant in the instance's vnet.  Used when bsd_stack_counter()
 * does not know the "tcp." names.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <net/vnet.h>
#include <net/bsdnet_var.h>
#include <netinet/in.h>
#include <netinet/tcp_var.h>

int	tcp_test_counter(struct bsd_stack *st, const char *name,
	    unsigned long *value);

int
tcp_test_counter(struct bsd_stack *st, const char *name,
    unsigned long *value)
{
	u_long v = 0;
	int error;

	if (strncmp(name, "tcp.", 4) != 0)
		return (ENOENT);
	CURVNET_SET(st->st_vnet);
	mtx_lock(&Giant);
	error = tcp_stat_get(name + 4, &v);
	mtx_unlock(&Giant);
	CURVNET_RESTORE();
	*value = v;
	return (error);
}
