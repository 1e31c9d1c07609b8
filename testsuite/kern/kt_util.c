/*
 * kt_util.c - failure recording and thread helpers for the scenarios.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/kthread.h>
#include <sys/malloc.h>
#include "kt_util.h"

static int kt_failflag;
static char kt_msg[512];

int
kt_fail(const char *file, int line, const char *what)
{
	if (__atomic_exchange_n(&kt_failflag, 1, __ATOMIC_ACQ_REL) == 0)
		snprintf(kt_msg, sizeof(kt_msg), "%s:%d: check failed: %s",
		    file, line, what);
	return (1);
}

int
kt_failed(void)
{
	return (__atomic_load_n(&kt_failflag, __ATOMIC_ACQUIRE));
}

void
kt_reset(void)
{
	__atomic_store_n(&kt_failflag, 0, __ATOMIC_RELEASE);
	kt_msg[0] = '\0';
}

const char *
kt_error(void)
{
	return (kt_failed() ? kt_msg : "");
}

struct kt_group {
	struct mtx	 g_mtx;
	int		 g_running;
	kt_fn		*g_fn;
	void		*g_arg;
};

struct kt_start {
	struct kt_group	*s_group;
	int		 s_idx;
};

static void
kt_thread(void *v)
{
	struct kt_start *s = v;
	struct kt_group *g = s->s_group;

	g->g_fn(g->g_arg, s->s_idx);
	mtx_lock(&g->g_mtx);
	if (--g->g_running == 0)
		wakeup(g);
	mtx_unlock(&g->g_mtx);
}

void
kt_run(int n, kt_fn *fn, void *arg)
{
	struct kt_group g;
	struct kt_start *s;

	s = malloc(sizeof(*s) * n, M_TEMP, M_WAITOK);
	mtx_init(&g.g_mtx, "kt_group", NULL, MTX_DEF);
	g.g_running = n;
	g.g_fn = fn;
	g.g_arg = arg;
	for (int i = 0; i < n; i++) {
		s[i].s_group = &g;
		s[i].s_idx = i;
		if (kthread_add(kt_thread, &s[i], NULL, NULL, 0, 0, "kt%d", i))
			panic("kt_run: kthread_add failed");
	}
	mtx_lock(&g.g_mtx);
	while (g.g_running > 0)
		msleep(&g, &g.g_mtx, 0, "ktrun", 0);
	mtx_unlock(&g.g_mtx);
	mtx_destroy(&g.g_mtx);
	free(s, M_TEMP);
}

int
kt_wait_sleepers(const void *chan, int n)
{
	for (int i = 0; i < 20000; i++) {
		if (sleepq_waiters(chan) >= n)
			return (1);
		pause("ktwait", 1);
	}
	return (0);
}

int
kt_wait_flag(volatile int *flag, int value, int max_ticks)
{
	int start = ticks;

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) != value) {
		if (ticks - start > max_ticks)
			return (0);
		pause("ktflag", 1);
	}
	return (1);
}

int
kt_spin_flag(volatile int *flag, int value, int max_ticks)
{
	int start = ticks;

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) != value) {
		if (ticks - start > max_ticks)
			return (0);
	}
	return (1);
}
