/*
 * kern_spl.c - spl(9) as FreeBSD 5 ran unconverted code: Giant does the
 * real exclusion, and the interrupt priority level is only recorded per
 * thread so that splassert() and the analyzers see it.
 *
 * Each spl*() call returns a cookie: a magic tag, the nesting depth it
 * created and the level it replaced.  splx() accepts only the cookie of
 * the innermost raise; anything else panics with the caller's file:line.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/proc.h>

#define	SPL_MAGIC	0x5a000000
#define	SPL_MAGICMASK	0x7f000000
#define	SPL_DEPTHSHIFT	8
#define	SPL_DEPTHMASK	0xffff
#define	SPL_LEVELMASK	0xff

static const char *const spl_names[] = {
	"none", "softnet", "net", "bio", "tty", "imp", "clock", "high"
};

static int
spl_raise(int level, int lower)
{
	struct thread *td = curthread;
	int old = td->td_spllevel;

	if (td->td_spldepth >= SPL_DEPTHMASK)
		panic("spl: nesting deeper than %d in thread \"%s\"",
		    SPL_DEPTHMASK, td->td_name);
	td->td_spldepth++;
	if (lower || level > old)
		td->td_spllevel = level;
	return (SPL_MAGIC | (td->td_spldepth << SPL_DEPTHSHIFT) | old);
}

int spl0(void) { return (spl_raise(IPL_NONE, 1)); }
int splsoftnet(void) { return (spl_raise(IPL_SOFTNET, 0)); }
int splsoftclock(void) { return (spl_raise(IPL_SOFTNET, 0)); }
int splnet(void) { return (spl_raise(IPL_NET, 0)); }
int splbio(void) { return (spl_raise(IPL_BIO, 0)); }
int spltty(void) { return (spl_raise(IPL_TTY, 0)); }
int splimp(void) { return (spl_raise(IPL_IMP, 0)); }
int splclock(void) { return (spl_raise(IPL_CLOCK, 0)); }
int splhigh(void) { return (spl_raise(IPL_HIGH, 0)); }

void
_splx(int s, const char *file, int line)
{
	struct thread *td = curthread;
	int depth, level;

	if ((s & SPL_MAGICMASK) != SPL_MAGIC)
		panic("splx(%#x): not a level returned by spl*() @ %s:%d",
		    (u_int)s, file, line);
	depth = (s >> SPL_DEPTHSHIFT) & SPL_DEPTHMASK;
	level = s & SPL_LEVELMASK;
	if (depth > td->td_spldepth)
		panic("splx(%#x): level never raised (or already restored) "
		    "in thread \"%s\" @ %s:%d", (u_int)s, td->td_name, file,
		    line);
	if (depth != td->td_spldepth)
		panic("splx(%#x): out of order: restores depth %d while depth "
		    "%d is raised @ %s:%d", (u_int)s, depth, td->td_spldepth,
		    file, line);
	if (level > IPL_HIGH)
		panic("splx(%#x): bad level @ %s:%d", (u_int)s, file, line);
	td->td_spldepth--;
	td->td_spllevel = level;
}

int
spllevel(void)
{
	return (curthread->td_spllevel);
}

int
spldepth(void)
{
	return (curthread->td_spldepth);
}

void
_splassert(int wantlevel, const char *file, int line)
{
	struct thread *td = curthread;

	if (td->td_spllevel < wantlevel)
		panic("splassert: thread \"%s\" at spl%s, spl%s wanted @ %s:%d",
		    td->td_name, spl_names[td->td_spllevel & 7],
		    spl_names[wantlevel & 7], file, line);
}
