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
/* Reports emitted so far (after dedup), for one check or all (-1). */
unsigned long witness_report_count(int check);
/* Prints the one-line summary to stderr (also done at exit). */
void	witness_print_summary(void);
/* Test support: forgets the learned graph, reports and dedup state.  Only
 * with no other thread using witness. */
void	witness_reset(void);

#ifdef __cplusplus
}
#endif

#endif /* WITNESS_WITNESS_H */
