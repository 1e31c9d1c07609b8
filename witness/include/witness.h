/*
 * witness.h - C API of libwitness, the runtime lock-order checker.
 *
 * Lock implementations embed a struct witness_lock in each lock and call
 * the hooks below around every operation (see docs/internals.md, "The
 * witness hook").  Programs that want no instrumentation of their own can
 * run under witness-run instead.  Configuration comes from the environment
 * (documented in docs/witness.md) and from the functions at the end of this
 * file; the API overrides the environment.
 */
#ifndef WITNESS_WITNESS_H
#define WITNESS_WITNESS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Embedded in each lock; witness_init() fills it, nobody else touches it. */
struct witness_lock {
	void		*w_class;	/* class of the lock, NULL if untracked */
	const char	*w_name;	/* instance name */
	unsigned	 w_flags;	/* WITNESS_F_* */
	unsigned	 w_reserved;
};

enum witness_kind {
	WITNESS_KIND_SPIN_MUTEX = 1,
	WITNESS_KIND_SLEEP_MUTEX,
	WITNESS_KIND_RW,
	WITNESS_KIND_SX
};

/* Lock flags (witness_init). */
#define	WITNESS_F_RECURSE	0x1	/* may be acquired recursively */
#define	WITNESS_F_DUPOK		0x2	/* two locks of the class may nest */
#define	WITNESS_F_NOWITNESS	0x4	/* not checked at all */

/* Operation flags. */
#define	WITNESS_OP_EXCLUSIVE	0x1
#define	WITNESS_OP_SHARED	0x2
#define	WITNESS_OP_TRY		0x4

/* witness_assert() conditions, FreeBSD's LA_* / SA_* / RA_* values. */
#define	WA_LOCKED	1
#define	WA_SLOCKED	2
#define	WA_XLOCKED	4
#define	WA_UNLOCKED	8
#define	WA_RECURSED	16
#define	WA_NOTRECURSED	32

/* Lock hooks. */
void	witness_init(struct witness_lock *wl, const char *class_name,
	    const char *instance_name, enum witness_kind kind, unsigned flags);
void	witness_destroy(struct witness_lock *wl, const char *file, int line);
/* Before blocking on the lock (order checks). */
void	witness_checkorder(struct witness_lock *wl, unsigned opflags,
	    const char *file, int line);
/* After taking the lock, once per recursion level. */
void	witness_acquired(struct witness_lock *wl, unsigned opflags,
	    const char *file, int line);
/* Before releasing the lock, once per level; opflags 0 = the mode held. */
void	witness_released(struct witness_lock *wl, unsigned opflags,
	    const char *file, int line);
void	witness_upgraded(struct witness_lock *wl, const char *file, int line);
void	witness_downgraded(struct witness_lock *wl, const char *file, int line);
/* Before any sleep: reports every held lock but the interlock, Giant and
 * sx locks (sleepable by design). */
void	witness_sleep(const struct witness_lock *interlock, const char *wmesg,
	    const char *file, int line);
void	witness_assert(const struct witness_lock *wl, int what,
	    const char *file, int line);
/* Reports locks still held by the calling thread, then forgets them. */
void	witness_thread_exit(void);

/* Checks, each with its own policy. */
enum witness_check {
	WITNESS_CHECK_ORDER = 0,	/* reversal of the learned order */
	WITNESS_CHECK_DECLARED,		/* against a declared order */
	WITNESS_CHECK_DUPLICATE,	/* two locks of a class, no DUPOK */
	WITNESS_CHECK_SPIN_SLEEP,	/* sleepable lock under a spin mutex */
	WITNESS_CHECK_RECURSE,		/* recursion on a non-recursable lock */
	WITNESS_CHECK_MISMATCH,		/* shared/exclusive, upgrade, downgrade */
	WITNESS_CHECK_NOT_HELD,		/* unlock of a lock not held */
	WITNESS_CHECK_DESTROY_HELD,	/* destroying a held lock */
	WITNESS_CHECK_EXIT_HELD,	/* locks held at thread exit */
	WITNESS_CHECK_SLEEP,		/* sleeping with a lock held */
	WITNESS_CHECK_ASSERT,		/* witness_assert() failed */
	WITNESS_CHECK_EXHAUSTED,	/* a capacity ran out */
	WITNESS_CHECK_COUNT
};

enum witness_policy {
	WITNESS_POLICY_IGNORE = 0,
	WITNESS_POLICY_WARN,
	WITNESS_POLICY_ABORT
};

enum witness_capacity {
	WITNESS_CAP_CLASSES = 0,	/* lock classes */
	WITNESS_CAP_EDGES,		/* learned order edges */
	WITNESS_CAP_STACKS,		/* saved stacks (one per edge) */
	WITNESS_CAP_HELD,		/* held locks per thread */
	WITNESS_CAP_COUNT
};

/* Name of a check as used in reports, JSON and WITNESS_POLICY. */
const char *witness_check_name(enum witness_check check);
void	witness_set_policy(enum witness_check check, enum witness_policy policy);
/* "order=abort,sleep=ignore,all=warn"; -1 and a message on stderr if bad. */
int	witness_set_policies(const char *spec);
/* Fail mode: at exit, _exit(status) when anything was reported. */
void	witness_set_fail_mode(int on, int status);
/* JSON-lines report file (appended to); NULL closes it.  0 or -1. */
int	witness_set_json_file(const char *path);
/* Graph dumped at exit ("%p" becomes the pid); NULL for none. */
void	witness_set_graph_file(const char *path);
/* Writes the learned graph now (format: docs/witness-graph-format.md). */
int	witness_dump_graph(const char *path);
/* Order file: one chain per line, "a -> b -> c", '#' comments.  0 or -1
 * with the file, line and reason on stderr. */
int	witness_load_order_file(const char *path);
/* Declares "a -> b -> c" (class names).  0 or -1 if malformed. */
int	witness_declare_order(const char *chain);
/* Capacities; takes effect for what is allocated after the call (threads
 * seen later, classes/edges/stacks beyond the current count). */
void	witness_set_capacity(enum witness_capacity cap, unsigned long value);
/* "classes=N,edges=N,stacks=N,held=N"; 0 or -1. */
int	witness_set_capacities(const char *spec);
unsigned long witness_capacity(enum witness_capacity cap);
/* What is in use: classes, edges, stacks, held locks of the caller. */
unsigned long witness_usage(enum witness_capacity cap);
/* How many acquisitions took one of witness's internal locks (a new edge
 * or a new held chain); steady-state acquisitions take none. */
unsigned long witness_slow_acquisitions(void);
/* Calls the calling thread made to the out-of-line checkorder, acquired
 * and released hooks, directly or from the inline fast path below: no
 * growth in steady state when the fast path is used. */
unsigned long witness_hook_calls(void);
/* Reports emitted so far (after dedup), for one check or all (-1). */
unsigned long witness_report_count(int check);
/* Prints the one-line summary to stderr (also done at exit). */
void	witness_print_summary(void);
/* Test support: forgets the learned graph, reports and dedup state.  Only
 * with no other thread using witness. */
void	witness_reset(void);

/*
 * The inline fast path.  Lock implementations call witness_fast_*()
 * instead of the three hooks above (same arguments, same contract): the
 * steady state, a lock acquired on top of a held chain already validated
 * and released in LIFO order, then costs no call, no atomic operation and
 * no lock; anything else falls through to the out-of-line hook.
 *
 * Each thread's state lives in one initial-exec TLS block owned by the
 * library.  wt_held[0] is a sentinel standing for "nothing held", so
 * wt_held[wt_n] is always the top of the held list.  Each entry carries
 * the chain hash (as lockdep's) of the held classes up to it, and a cache:
 * the one class last validated on top of that chain (wh_nextok) with the
 * chain hash it gives (wh_nexthash).  The cache belongs to the chain, not
 * to the lock: it survives a release and serves the next lock pushed on
 * the same chain, so a steady state writes no cache at all.  Nothing here
 * is shared between threads.  The layout is not an API: only this header
 * and the library touch it.
 */
struct witness_held {
	struct witness_lock *wh_lock;
	void		*wh_class;
	const char	*wh_file;	/* acquisition site */
	int		 wh_line;
	unsigned	 wh_state;	/* mode | WITNESS_HS_TRIED | rec << 8 */
	unsigned long long wh_chain;	/* hash of the held classes to here */
	const void	*wh_nextok;	/* class validated on top of this one */
	unsigned long long wh_nexthash;	/* wh_chain with wh_nextok on top */
};
#define	WITNESS_HS_MODE		0x3	/* WITNESS_OP_EXCLUSIVE or _SHARED */
#define	WITNESS_HS_TRIED	0x4	/* taken by a try-lock */
#define	WITNESS_HS_RSHIFT	8	/* recursion levels above this */

#define	WITNESS_BUCKETS		256	/* a power of 2, at most 256 */
struct witness_thread {
	unsigned	 wt_n;		/* held locks tracked */
	unsigned	 wt_cap;	/* room past the sentinel; 0: not set up */
	unsigned	 wt_overflow;	/* held beyond wt_cap, untracked */
	struct witness_held *wt_held;	/* [0] sentinel, [1..wt_n] held */
	long		 wt_tid;
	unsigned long	 wt_hookcalls;	/* out-of-line hook calls */
	/* Held locks per address bucket: 0 proves a lock is not held. */
	unsigned short	 wt_bucket[WITNESS_BUCKETS];
};

extern __thread struct witness_thread witness_td
    __attribute__((__tls_model__("initial-exec")));

static __inline unsigned
witness_bucket(const struct witness_lock *wl)
{
	/* Fibonacci hashing: the top bits of the product mix every bit of
	 * the address, whatever the stride between locks. */
	unsigned long long a = (unsigned long)wl * 0x9e3779b97f4a7c15ULL;

	return ((unsigned)(a >> 56) & (WITNESS_BUCKETS - 1));
}

/* True when taking wl needs no check: a validated chain, not held, room. */
static __inline int
witness_fast_ok(const struct witness_thread *t, const struct witness_lock *wl,
    unsigned op)
{
	return (t->wt_n < t->wt_cap && (op & WITNESS_OP_TRY) == 0 &&
	    t->wt_held[t->wt_n].wh_nextok == wl->w_class &&
	    t->wt_bucket[witness_bucket(wl)] == 0);
}

static __inline void
witness_fast_checkorder(struct witness_lock *wl, unsigned op,
    const char *file, int line)
{
	if (wl->w_class == 0 ||
	    __builtin_expect(witness_fast_ok(&witness_td, wl, op), 1))
		return;
	witness_checkorder(wl, op, file, line);
}

static __inline void
witness_fast_acquired(struct witness_lock *wl, unsigned op, const char *file,
    int line)
{
	struct witness_thread *t = &witness_td;
	struct witness_held *h;

	if (wl->w_class == 0)
		return;
	if (__builtin_expect(!witness_fast_ok(t, wl, op), 0)) {
		witness_acquired(wl, op, file, line);
		return;
	}
	h = &t->wt_held[t->wt_n + 1];
	h->wh_lock = wl;
	h->wh_class = wl->w_class;
	h->wh_file = file;
	h->wh_line = line;
	h->wh_state = (op & WITNESS_OP_SHARED) ? WITNESS_OP_SHARED :
	    WITNESS_OP_EXCLUSIVE;
	if (h->wh_chain != h[-1].wh_nexthash) {	/* another chain: no cache */
		h->wh_chain = h[-1].wh_nexthash;
		h->wh_nextok = 0;
	}
	t->wt_n++;
	t->wt_bucket[witness_bucket(wl)]++;
}

static __inline void
witness_fast_released(struct witness_lock *wl, unsigned op, const char *file,
    int line)
{
	struct witness_thread *t = &witness_td;
	const struct witness_held *top;
	unsigned st, want;

	if (wl->w_class == 0)
		return;
	top = &t->wt_held[t->wt_n];
	st = top->wh_state & ~WITNESS_HS_TRIED;	/* mode | recursion */
	want = op & WITNESS_HS_MODE;
	if (__builtin_expect(top->wh_lock == wl &&
	    (st == want || (want == 0 && st <= WITNESS_HS_MODE)), 1)) {
		t->wt_n--;
		t->wt_bucket[witness_bucket(wl)]--;
		return;
	}
	witness_released(wl, op, file, line);
}

#ifdef __cplusplus
}
#endif

#endif /* WITNESS_WITNESS_H */
