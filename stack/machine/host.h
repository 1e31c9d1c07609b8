/*
 * host.h - the host shim: the only door from the stack to the host OS.
 *
 * Implemented in stack/kern/host/ (compiled against libc, without the stack
 * include root).  Plain C types only, so both sides can include it.  Lock
 * storage is opaque here; the host side checks with static assertions that
 * the pthread objects fit.
 */
#ifndef _MACHINE_HOST_H_
#define	_MACHINE_HOST_H_

#define	HOST_MUTEX_SIZE	64
#define	HOST_COND_SIZE	64

struct host_mutex {
	unsigned char	hm_storage[HOST_MUTEX_SIZE];
} __attribute__((__aligned__(16)));

struct host_cond {
	unsigned char	hc_storage[HOST_COND_SIZE];
} __attribute__((__aligned__(16)));

/* pthread mutexes (error-checking off) and condition variables. */
void	host_mutex_init(struct host_mutex *m);
void	host_mutex_destroy(struct host_mutex *m);
void	host_mutex_lock(struct host_mutex *m);
int	host_mutex_trylock(struct host_mutex *m);	/* 1: taken */
void	host_mutex_unlock(struct host_mutex *m);
/* Condition variables time out against the monotonic clock. */
void	host_cond_init(struct host_cond *c);
void	host_cond_destroy(struct host_cond *c);
void	host_cond_wait(struct host_cond *c, struct host_mutex *m);
/* Returns 1 when the absolute monotonic deadline passed. */
int	host_cond_timedwait(struct host_cond *c, struct host_mutex *m,
	    unsigned long long deadline_ns);
void	host_cond_signal(struct host_cond *c);
void	host_cond_broadcast(struct host_cond *c);

/* Clocks in nanoseconds. */
unsigned long long host_monotonic_ns(void);
unsigned long long host_realtime_ns(void);

/* Threads: detached; the exit hook runs with each registered cookie. */
int	host_thread_create(void (*fn)(void *), void *arg, const char *name);
void	host_thread_exit(void) __attribute__((__noreturn__));
void	host_thread_set_exit_hook(void (*hook)(void *cookie));
void	host_thread_register(void *cookie);
long	host_gettid(void);
int	host_ncpus(void);
void	host_yield(void);

/* Memory. */
void	*host_malloc(__SIZE_TYPE__ size);
void	*host_calloc(__SIZE_TYPE__ n, __SIZE_TYPE__ size);
void	*host_realloc(void *p, __SIZE_TYPE__ size);
/* align: a power of two, at least sizeof(void *); free with host_free. */
void	*host_aligned_alloc(__SIZE_TYPE__ align, __SIZE_TYPE__ size);
void	host_free(void *p);

/* Process environment and output files, for diagnostics (lock profiling). */
const char *host_getenv(const char *name);	/* NULL when unset */
long	host_getpid(void);
/* Replaces the file at path with len bytes of buf ("-": appends them to
   stderr).  Returns 0, or the host's errno. */
int	host_write_file(const char *path, const void *buf,
	    __SIZE_TYPE__ len);

/* Diagnostics go to stderr; host_abort() never returns. */
void	host_vwarn(const char *fmt, __builtin_va_list ap);
void	host_abort(void) __attribute__((__noreturn__));
void	host_getrandom(void *buf, __SIZE_TYPE__ len);

#endif /* !_MACHINE_HOST_H_ */
