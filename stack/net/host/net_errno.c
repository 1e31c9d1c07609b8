/*
 * The application interface's errors land in the host's errno.
 */
#include <errno.h>

#include "net_host.h"

void
net_host_set_errno(int error)
{

	errno = error;
}
