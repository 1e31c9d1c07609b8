/*
 * subr_lock_profile.c - lock profiling, in the spirit of FreeBSD's
 * LOCK_PROFILING: which lock, taken where, makes threads wait.
 *
 * With MPSAFE_LOCK_PROFILE=FILE in the environment at startup, every
 * acquisition of a mutex, rwlock or sx lock is counted per site: the
 * file:line the lock operation was called with, and the lock's name.  An
 * acquisition is contended when the lock was not free and the thread had
 * to wait; only then is the host's monotonic clock read, to add the wait
 * to the site's total.  At exit the sites go to FILE, most contended
 * first, in the format docs/kern.md ("Lock profiling") describes.
 *
 * Recording takes no lock.  Sites live in a fixed table with open
 * addressing, keyed by the file pointer, the name pointer and the line; a
 * slot is claimed once with a compare-and-swap, filled, then published,
 * and its counters are atomic.  A site that finds no slot within a few
 * probes is counted in a single "other" bucket.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <machine/host.h>

#include "subr_lock_profile.h"

#define	LPROF_SLOTS	4096		/* a power of two */
#define	LPROF_PROBES	32
#define	LPROF_NAMELEN	48

/* ls_state */
#define	LS_EMPTY	0
#define	LS_CLAIMED	1		/* being filled by its claimer */
#define	LS_READY	2		/* key fields final */

struct lprof_site {
	int		 ls_state;
	int		 ls_line;
	const char	*ls_file;	/* the key: pointers as passed */
	const char	*ls_key;
	uint64_t	 ls_acquired;	/* counters: atomic */
	uint64_t	 ls_contended;
	uint64_t	 ls_wait_ns;
	/* The name's text when the slot was claimed (the lock may go). */
	char		 ls_name[LPROF_NAMELEN];
} __aligned(64);

int lock_profiling;
static char *lprof_path;
static struct lprof_site *lprof_table;
static struct lprof_site lprof_other;

static void
lprof_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	host_vwarn(fmt, ap);
	va_end(ap);
}

/* Before any lock is taken by another thread: none exists yet. */
static void __attribute__((__constructor__(101)))
lock_profile_sysinit(void)
{
	const char *path = host_getenv("MPSAFE_LOCK_PROFILE");
	size_t len;

	if (path == NULL || path[0] == '\0')
		return;
	len = strlen(path) + 1;
	lprof_path = host_malloc(len);
	lprof_table = host_aligned_alloc(_Alignof(struct lprof_site),
	    sizeof(struct lprof_site) * LPROF_SLOTS);
	if (lprof_path == NULL || lprof_table == NULL) {
		lprof_warn("lock profile: out of memory, profiling off\n");
		host_free(lprof_path);
		host_free(lprof_table);
		return;
	}
	memcpy(lprof_path, path, len);
	memset(lprof_table, 0, sizeof(struct lprof_site) * LPROF_SLOTS);
	lock_profiling = 1;
}

static struct lprof_site *
lprof_lookup(const char *file, int line, const char *name)
{
	struct lprof_site *s;
	uint64_t h;
	int state;

	h = (uint64_t)(uintptr_t)file * 0x9e3779b97f4a7c15ULL +
	    (uint64_t)(uintptr_t)name * 0xc2b2ae3d27d4eb4fULL +
	    (uint64_t)(unsigned)line;
	h ^= h >> 31;
	for (int i = 0; i < LPROF_PROBES; i++) {
		s = &lprof_table[(h + (uint64_t)i) & (LPROF_SLOTS - 1)];
		state = __atomic_load_n(&s->ls_state, __ATOMIC_ACQUIRE);
		if (state == LS_EMPTY) {
			if (__atomic_compare_exchange_n(&s->ls_state, &state,
			    LS_CLAIMED, 0, __ATOMIC_ACQUIRE,
			    __ATOMIC_ACQUIRE)) {
				s->ls_file = file;
				s->ls_line = line;
				s->ls_key = name;
				strlcpy(s->ls_name, name != NULL ? name :
				    "(null)", sizeof(s->ls_name));
				/* Tabs and newlines would break the format. */
				for (char *p = s->ls_name; *p != '\0'; p++)
					if ((unsigned char)*p < ' ')
						*p = '_';
				__atomic_store_n(&s->ls_state, LS_READY,
				    __ATOMIC_RELEASE);
				return (s);
			}
			/* Lost the race: state holds the winner's. */
		}
		while (state == LS_CLAIMED) {
			host_yield();
			state = __atomic_load_n(&s->ls_state,
			    __ATOMIC_ACQUIRE);
		}
		if (s->ls_file == file && s->ls_line == line &&
		    s->ls_key == name)
			return (s);
	}
	return (&lprof_other);
}

uint64_t
lock_profile_wait_start(void)
{
	uint64_t now = host_monotonic_ns();

	return (now != 0 ? now : 1);
}

void
lock_profile_obtain(const struct lock_object *lo, const char *file,
    int line, uint64_t wait_start)
{
	struct lprof_site *s = lprof_lookup(file, line, lo->lo_name);

	if (wait_start != 0) {
		uint64_t now = host_monotonic_ns();

		__atomic_fetch_add(&s->ls_contended, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&s->ls_wait_ns,
		    now > wait_start ? now - wait_start : 0, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&s->ls_acquired, 1, __ATOMIC_RELAXED);
}

void
lock_profile_host_lock(const struct lock_object *lo, struct host_mutex *hm,
    const char *file, int line)
{
	uint64_t wait_start = 0;

	if (!host_mutex_trylock(hm)) {
		wait_start = lock_profile_wait_start();
		host_mutex_lock(hm);
	}
	lock_profile_obtain(lo, file, line, wait_start);
}

/* The report, built at exit. */
struct lprof_row {
	const char	*r_file;
	const char	*r_name;
	int		 r_line;
	int		 r_other;	/* the overflow bucket */
	uint64_t	 r_acquired;
	uint64_t	 r_contended;
	uint64_t	 r_wait_ns;
};

typedef int lprof_cmp_t(const struct lprof_row *, const struct lprof_row *);

static int
lprof_by_name(const struct lprof_row *a, const struct lprof_row *b)
{
	return (strcmp(a->r_name, b->r_name));
}

static int
lprof_by_site(const struct lprof_row *a, const struct lprof_row *b)
{
	int c;

	if ((c = strcmp(a->r_name, b->r_name)) != 0)
		return (c);
	if ((c = strcmp(a->r_file, b->r_file)) != 0)
		return (c);
	return (a->r_line < b->r_line ? -1 : a->r_line > b->r_line);
}

#define	LPROF_DESC(f) do {						\
	if (a->f != b->f)						\
		return (a->f > b->f ? -1 : 1);				\
} while (0)

/* Most contended first, then longest wait, then most taken. */
static int
lprof_by_contention(const struct lprof_row *a, const struct lprof_row *b)
{
	LPROF_DESC(r_contended);
	LPROF_DESC(r_wait_ns);
	LPROF_DESC(r_acquired);
	if (a->r_other != b->r_other)
		return (a->r_other ? 1 : -1);
	return (lprof_by_site(a, b));
}

/* Stable bottom-up merge sort; tmp holds n rows. */
static void
lprof_sort(struct lprof_row *rows, struct lprof_row *tmp, size_t n,
    lprof_cmp_t *cmp)
{
	size_t width, lo, mid, hi, i, j, k;

	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = lo + 2 * width < n ? lo + 2 * width : n;
			i = lo;
			j = mid;
			k = lo;
			while (i < mid && j < hi)
				tmp[k++] = cmp(&rows[j], &rows[i]) < 0 ?
				    rows[j++] : rows[i++];
			while (i < mid)
				tmp[k++] = rows[i++];
			while (j < hi)
				tmp[k++] = rows[j++];
		}
		memcpy(rows, tmp, n * sizeof(*rows));
	}
}

/* Sorts by cmp and folds rows that compare equal into one; returns n. */
static size_t
lprof_fold(struct lprof_row *rows, struct lprof_row *tmp, size_t n,
    lprof_cmp_t *cmp)
{
	size_t i, out = 0;

	lprof_sort(rows, tmp, n, cmp);
	for (i = 0; i < n; i++) {
		if (out > 0 && cmp(&rows[out - 1], &rows[i]) == 0) {
			rows[out - 1].r_acquired += rows[i].r_acquired;
			rows[out - 1].r_contended += rows[i].r_contended;
			rows[out - 1].r_wait_ns += rows[i].r_wait_ns;
		} else
			rows[out++] = rows[i];
	}
	return (out);
}

struct lprof_buf {
	char	*b_data;
	size_t	 b_len;
	size_t	 b_cap;
	int	 b_failed;
};

static void
lprof_printf(struct lprof_buf *b, const char *fmt, ...) __printflike(2, 3);

static void
lprof_printf(struct lprof_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t cap;
	char *p;
	int n;

	for (;;) {
		if (b->b_failed)
			return;
		va_start(ap, fmt);
		n = vsnprintf(b->b_data + b->b_len, b->b_cap - b->b_len, fmt,
		    ap);
		va_end(ap);
		if (n < 0) {
			b->b_failed = 1;
			return;
		}
		if ((size_t)n < b->b_cap - b->b_len) {
			b->b_len += (size_t)n;
			return;
		}
		cap = b->b_cap * 2 + (size_t)n;
		p = host_realloc(b->b_data, cap);
		if (p == NULL) {
			b->b_failed = 1;
			return;
		}
		b->b_data = p;
		b->b_cap = cap;
	}
}

static void
lprof_print_row(struct lprof_buf *b, const struct lprof_row *r, int per_lock)
{
	lprof_printf(b, "%llu\t%llu\t%llu\t",
	    (unsigned long long)r->r_contended,
	    (unsigned long long)r->r_acquired,
	    (unsigned long long)r->r_wait_ns);
	if (r->r_other)
		lprof_printf(b, "-\tother\n");
	else if (per_lock)
		lprof_printf(b, "%s\t*\n", r->r_name);
	else
		lprof_printf(b, "%s\t%s:%d\n", r->r_name, r->r_file,
		    r->r_line);
}

/* The output path: MPSAFE_LOCK_PROFILE with %p the pid, %% a '%'. */
static char *
lprof_expand_path(void)
{
	const char *s;
	char *path, *d;
	size_t len = 1;

	for (s = lprof_path; *s != '\0'; s++)
		len += *s == '%' ? 24 : 1;
	if ((path = host_malloc(len)) == NULL)
		return (NULL);
	for (s = lprof_path, d = path; *s != '\0'; s++) {
		if (s[0] == '%' && s[1] == 'p') {
			d += snprintf(d, 24, "%ld", host_getpid());
			s++;
		} else if (s[0] == '%' && s[1] == '%') {
			*d++ = '%';
			s++;
		} else
			*d++ = *s;
	}
	*d = '\0';
	return (path);
}

static void
lock_profile_write(void)
{
	struct lprof_buf b = { NULL, 0, 0, 0 };
	struct lprof_row *rows, *tmp, *locks;
	struct lprof_site *s;
	size_t n = 0, nlocks, i;
	char *path;
	int error;

	rows = host_malloc(sizeof(*rows) * (LPROF_SLOTS + 1));
	tmp = host_malloc(sizeof(*tmp) * (LPROF_SLOTS + 1));
	locks = host_malloc(sizeof(*locks) * (LPROF_SLOTS + 1));
	b.b_cap = 4096;
	b.b_data = host_malloc(b.b_cap);
	path = lprof_expand_path();
	if (rows == NULL || tmp == NULL || locks == NULL ||
	    b.b_data == NULL || path == NULL) {
		lprof_warn("lock profile: out of memory at exit\n");
		goto out;
	}

	/* Other threads may still be locking: read what is published. */
	for (i = 0; i < LPROF_SLOTS; i++) {
		s = &lprof_table[i];
		if (__atomic_load_n(&s->ls_state, __ATOMIC_ACQUIRE) !=
		    LS_READY)
			continue;
		rows[n].r_file = s->ls_file != NULL ? s->ls_file : "?";
		rows[n].r_name = s->ls_name;
		rows[n].r_line = s->ls_line;
		rows[n].r_other = 0;
		rows[n].r_acquired = __atomic_load_n(&s->ls_acquired,
		    __ATOMIC_RELAXED);
		rows[n].r_contended = __atomic_load_n(&s->ls_contended,
		    __ATOMIC_RELAXED);
		rows[n].r_wait_ns = __atomic_load_n(&s->ls_wait_ns,
		    __ATOMIC_RELAXED);
		n++;
	}
	/* One site under several pointers (a header's __FILE__) is one. */
	n = lprof_fold(rows, tmp, n, lprof_by_site);
	memcpy(locks, rows, n * sizeof(*rows));
	nlocks = lprof_fold(locks, tmp, n, lprof_by_name);

	rows[n].r_file = "";
	rows[n].r_name = "";
	rows[n].r_line = 0;
	rows[n].r_other = 1;
	rows[n].r_acquired = __atomic_load_n(&lprof_other.ls_acquired,
	    __ATOMIC_RELAXED);
	rows[n].r_contended = __atomic_load_n(&lprof_other.ls_contended,
	    __ATOMIC_RELAXED);
	rows[n].r_wait_ns = __atomic_load_n(&lprof_other.ls_wait_ns,
	    __ATOMIC_RELAXED);
	if (rows[n].r_acquired != 0)
		n++;
	lprof_sort(rows, tmp, n, lprof_by_contention);
	lprof_sort(locks, tmp, nlocks, lprof_by_contention);

	lprof_printf(&b, "# mpsafe lock profile 1, pid %ld "
	    "(docs/kern.md, \"Lock profiling\")\n", host_getpid());
	lprof_printf(&b, "# contended\tacquisitions\twait_ns\tlock\t"
	    "file:line\n");
	for (i = 0; i < n; i++)
		lprof_print_row(&b, &rows[i], 0);
	lprof_printf(&b, "# per lock\n");
	lprof_printf(&b, "# contended\tacquisitions\twait_ns\tlock\t*\n");
	for (i = 0; i < nlocks; i++)
		lprof_print_row(&b, &locks[i], 1);
	if (b.b_failed) {
		lprof_warn("lock profile: out of memory at exit\n");
		goto out;
	}
	error = host_write_file(path, b.b_data, b.b_len);
	if (error != 0)
		lprof_warn("lock profile: cannot write %s (error %d)\n", path,
		    error);
out:
	host_free(path);
	host_free(b.b_data);
	host_free(locks);
	host_free(tmp);
	host_free(rows);
}

static void __attribute__((__destructor__))
lock_profile_fini(void)
{
	if (lock_profiling)
		lock_profile_write();
}
