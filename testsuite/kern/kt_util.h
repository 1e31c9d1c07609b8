/*
 * kt_util.h - helpers for the C side of the kern tests.
 */
#ifndef KT_UTIL_H
#define	KT_UTIL_H

#include <sys/param.h>
#include <sys/systm.h>
#include "kt.h"

/* Records the first failure (thread-safe); returns 1. */
int	kt_fail(const char *file, int line, const char *what);
int	kt_failed(void);
void	kt_reset(void);

/* In a scenario: return on failure.  In a thread: record and go on. */
#define	KT_CHECK(e) do {						\
	if (!(e))							\
		return (kt_fail(__FILE__, __LINE__, #e));		\
} while (0)
#define	KT_EXPECT(e) do {						\
	if (!(e))							\
		(void)kt_fail(__FILE__, __LINE__, #e);			\
} while (0)
#define	KT_BEGIN()	kt_reset()
#define	KT_END()	return (kt_failed())

typedef void kt_fn(void *arg, int idx);
/* Runs fn(arg, i) in n kernel threads and waits until all have returned. */
void	kt_run(int n, kt_fn *fn, void *arg);
/* Waits (bounded) until n threads sleep on chan; returns 1 if they do. */
int	kt_wait_sleepers(const void *chan, int n);
/* Waits (bounded, in kernel time) until *flag == value. */
int	kt_wait_flag(volatile int *flag, int value, int max_ticks);
/* The same without sleeping, for waits with a non-sleepable lock held. */
int	kt_spin_flag(volatile int *flag, int value, int max_ticks);

#endif /* !KT_UTIL_H */
