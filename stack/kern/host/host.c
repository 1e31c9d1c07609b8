/*
 * host.c - the host shim (machine/host.h) on POSIX threads and clocks.
 *
 * The only file of the kernel emulation compiled against libc.  Kernel
 * locks keep their pthread objects in opaque storage; the assertions below
 * check that the storage is big and aligned enough.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../../machine/host.h"

_Static_assert(sizeof(pthread_mutex_t) <= HOST_MUTEX_SIZE,
    "HOST_MUTEX_SIZE too small for pthread_mutex_t");
_Static_assert(_Alignof(pthread_mutex_t) <= _Alignof(struct host_mutex),
    "struct host_mutex underaligned");
_Static_assert(sizeof(pthread_cond_t) <= HOST_COND_SIZE,
    "HOST_COND_SIZE too small for pthread_cond_t");
_Static_assert(_Alignof(pthread_cond_t) <= _Alignof(struct host_cond),
    "struct host_cond underaligned");

#define	PM(m)	((pthread_mutex_t *)(void *)(m)->hm_storage)
#define	PC(c)	((pthread_cond_t *)(void *)(c)->hc_storage)

static void
host_check(int error, const char *what)
{
	if (error != 0) {
		fprintf(stderr, "host: %s: %s\n", what, strerror(error));
		abort();
	}
}

void
host_mutex_init(struct host_mutex *m)
{
	pthread_mutexattr_t a;

	/*
	 * Adaptive, as FreeBSD's sleep mutexes are: a thread that finds the
	 * mutex held spins a bounded number of tries (glibc's
	 * glibc.pthread.mutex_spin_count) before it sleeps in the host
	 * kernel.  The kernel's sections are short, so the owner is mostly
	 * gone before a sleep and a wakeup would have cost more.  The MP
	 * stack's benchmark (bench_scaling, 2 threads, 2 CPUs) spends 9%
	 * less CPU per byte with it and makes 57% fewer futex calls.
	 */
	host_check(pthread_mutexattr_init(&a), "pthread_mutexattr_init");
#ifdef __GLIBC__
	host_check(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ADAPTIVE_NP),
	    "pthread_mutexattr_settype");
#endif
	host_check(pthread_mutex_init(PM(m), &a), "pthread_mutex_init");
	(void)pthread_mutexattr_destroy(&a);
}

void
host_mutex_destroy(struct host_mutex *m)
{
	host_check(pthread_mutex_destroy(PM(m)), "pthread_mutex_destroy");
}

void
host_mutex_lock(struct host_mutex *m)
{
	host_check(pthread_mutex_lock(PM(m)), "pthread_mutex_lock");
}

int
host_mutex_trylock(struct host_mutex *m)
{
	int error = pthread_mutex_trylock(PM(m));

	if (error == EBUSY)
		return (0);
	host_check(error, "pthread_mutex_trylock");
	return (1);
}

void
host_mutex_unlock(struct host_mutex *m)
{
	host_check(pthread_mutex_unlock(PM(m)), "pthread_mutex_unlock");
}

void
host_cond_init(struct host_cond *c)
{
	pthread_condattr_t attr;

	host_check(pthread_condattr_init(&attr), "pthread_condattr_init");
	host_check(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC),
	    "pthread_condattr_setclock");
	host_check(pthread_cond_init(PC(c), &attr), "pthread_cond_init");
	pthread_condattr_destroy(&attr);
}

void
host_cond_destroy(struct host_cond *c)
{
	host_check(pthread_cond_destroy(PC(c)), "pthread_cond_destroy");
}

void
host_cond_wait(struct host_cond *c, struct host_mutex *m)
{
	host_check(pthread_cond_wait(PC(c), PM(m)), "pthread_cond_wait");
}

int
host_cond_timedwait(struct host_cond *c, struct host_mutex *m,
    unsigned long long deadline_ns)
{
	struct timespec ts;
	int error;

	ts.tv_sec = (time_t)(deadline_ns / 1000000000ULL);
	ts.tv_nsec = (long)(deadline_ns % 1000000000ULL);
	error = pthread_cond_timedwait(PC(c), PM(m), &ts);
	if (error == ETIMEDOUT)
		return (1);
	host_check(error, "pthread_cond_timedwait");
	return (0);
}

void
host_cond_signal(struct host_cond *c)
{
	host_check(pthread_cond_signal(PC(c)), "pthread_cond_signal");
}

void
host_cond_broadcast(struct host_cond *c)
{
	host_check(pthread_cond_broadcast(PC(c)), "pthread_cond_broadcast");
}

static unsigned long long
host_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ((unsigned long long)ts.tv_sec * 1000000000ULL +
	    (unsigned long long)ts.tv_nsec);
}

unsigned long long
host_monotonic_ns(void)
{
	return (host_clock(CLOCK_MONOTONIC));
}

unsigned long long
host_realtime_ns(void)
{
	return (host_clock(CLOCK_REALTIME));
}

struct host_start {
	void	(*fn)(void *);
	void	*arg;
	char	 name[16];
};

/*
 * Kernel threads (interrupt threads, the netisr, the callout thread) run
 * above the program's own threads, as a kernel's preempt user threads:
 * their host nice value is the process's plus MPSAFE_KTHREAD_NICE
 * (default -5; 0 leaves it), where the host allows it (raising a
 * priority needs CAP_SYS_NICE or a large enough RLIMIT_NICE; without it
 * they keep the process's).  Without this, the scheduler shares a CPU equally between a
 * receiving interface's thread and every application thread, and the
 * interface falls behind as threads are added.
 */
static void
host_thread_priority(void)
{
	const char *env;
	int base, delta;

	env = getenv("MPSAFE_KTHREAD_NICE");
	delta = env != NULL ? atoi(env) : -5;
	if (delta == 0)
		return;
	errno = 0;
	/* The main thread's: a kernel thread's child would inherit its own. */
	base = getpriority(PRIO_PROCESS, (id_t)getpid());
	if (errno != 0)
		return;
	base += delta;
	if (base < -20)
		base = -20;
	if (base > 19)
		base = 19;
	/* Per thread on Linux: the thread's id names it. */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), base);
}

static void *
host_thread_trampoline(void *v)
{
	struct host_start st = *(struct host_start *)v;

	free(v);
	if (st.name[0] != '\0')
		pthread_setname_np(pthread_self(), st.name);
	host_thread_priority();
	st.fn(st.arg);
	return (NULL);
}

int
host_thread_create(void (*fn)(void *), void *arg, const char *name)
{
	struct host_start *st;
	pthread_attr_t attr;
	pthread_t tid;
	int error;

	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return (ENOMEM);
	st->fn = fn;
	st->arg = arg;
	if (name != NULL)
		snprintf(st->name, sizeof(st->name), "%s", name);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	error = pthread_create(&tid, &attr, host_thread_trampoline, st);
	pthread_attr_destroy(&attr);
	if (error != 0)
		free(st);
	return (error);
}

void
host_thread_exit(void)
{
	pthread_exit(NULL);
}

static pthread_key_t host_exit_key;
static pthread_once_t host_exit_once = PTHREAD_ONCE_INIT;
static void (*host_exit_hook)(void *);

static void
host_exit_destructor(void *cookie)
{
	if (host_exit_hook != NULL)
		host_exit_hook(cookie);
}

static void
host_exit_key_init(void)
{
	host_check(pthread_key_create(&host_exit_key, host_exit_destructor),
	    "pthread_key_create");
}

void
host_thread_set_exit_hook(void (*hook)(void *))
{
	pthread_once(&host_exit_once, host_exit_key_init);
	host_exit_hook = hook;
}

void
host_thread_register(void *cookie)
{
	pthread_once(&host_exit_once, host_exit_key_init);
	host_check(pthread_setspecific(host_exit_key, cookie),
	    "pthread_setspecific");
}

long
host_gettid(void)
{
	return ((long)syscall(SYS_gettid));
}

int
host_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return (n > 0 ? (int)n : 1);
}

void
host_yield(void)
{
	sched_yield();
}

void *
host_malloc(size_t size)
{
	return (malloc(size));
}

void *
host_calloc(size_t n, size_t size)
{
	return (calloc(n, size));
}

void *
host_realloc(void *p, size_t size)
{
	return (realloc(p, size));
}

void *
host_aligned_alloc(size_t align, size_t size)
{
	void *p;

	if (posix_memalign(&p, align, size) != 0)
		return (NULL);
	return (p);
}

void
host_free(void *p)
{
	free(p);
}

const char *
host_getenv(const char *name)
{
	return (getenv(name));
}

long
host_getpid(void)
{
	return ((long)getpid());
}

int
host_write_file(const char *path, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	int fd, error = 0;
	ssize_t n;

	if (strcmp(path, "-") == 0) {
		fflush(stderr);
		fd = STDERR_FILENO;
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd < 0)
			return (errno);
	}
	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			error = errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fd != STDERR_FILENO && close(fd) != 0 && error == 0)
		error = errno;
	return (error);
}

void
host_vwarn(const char *fmt, va_list ap)
{
	vfprintf(stderr, fmt, ap);
	fflush(stderr);
}

void
host_abort(void)
{
	fflush(stdout);
	fflush(stderr);
	abort();
}

void
host_getrandom(void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			host_check(errno, "getrandom");
		}
		p += n;
		len -= (size_t)n;
	}
}
