/*
 * kern_synch.c - sleep(9): tsleep, msleep, wakeup, wakeup_one, and the
 * interruption of PCATCH sleeps.
 *
 * Sleep queues are hashed by wait channel into chains, each a host mutex
 * and a list of sleeping threads; a sleeping thread waits on its own host
 * condition variable with the chain's mutex.  A sleeper queues itself
 * first and only then releases its interlock and Giant, all while holding
 * the chain mutex, so a wakeup issued after the interlock is released
 * finds it on the queue: no wakeup is lost.
 *
 * Sleeping drops Giant completely (all recursion levels) and takes it
 * back to the same depth before the interlock (unless PDROP).
 *
 * Deferred wakeups.  A wakeup takes its sleepers off the queue at once,
 * under the chain lock, so none is lost; their host threads are signalled
 * only after the chain lock is released, and, when the waker holds a
 * mutex, only once it lets go of its last one (mtx_unlock calls
 * kern_wake_flush()).  A sleeper must take its interlock back before it
 * can run, and the waker nearly always holds it: signalled at once, the
 * sleeper would wake only to block on that mutex, and cost the waker a
 * second futex wake when it unlocks.  This is the emulation's form of a
 * kernel deferring the woken thread's preemption to the end of the
 * waker's critical section.  An interrupt thread's handler defers them to
 * its return (td_wakedefer, kern_intr.c), as a woken thread runs after an
 * interrupt, never inside it: the readers of a batch of frames wake once.
 * A waker that sleeps, blocks in a lock or exits first signals them then.
 * td_wakeref counts the signals still owed to a thread, and its struct is
 * not freed until they are sent.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/proc.h>
#include <sys/time.h>
#include <machine/host.h>

#include "kern_internal.h"

#define	SC_TABLESIZE	256
#define	SC_HASH(wc)	((((uintptr_t)(wc) >> 4) ^ ((uintptr_t)(wc) >> 12)) & \
			    (SC_TABLESIZE - 1))

struct sleepqueue_chain {
	struct host_mutex sc_lock;
	TAILQ_HEAD(, thread) sc_queue;
} __aligned(64);

static struct sleepqueue_chain sleepq_chains[SC_TABLESIZE];
static int pause_wchan;

static void __attribute__((__constructor__(101)))
sleepq_sysinit(void)
{
	for (int i = 0; i < SC_TABLESIZE; i++) {
		host_mutex_init(&sleepq_chains[i].sc_lock);
		TAILQ_INIT(&sleepq_chains[i].sc_queue);
	}
}

static __inline struct sleepqueue_chain *
sc_lookup(const void *wchan)
{
	return (&sleepq_chains[SC_HASH(wchan)]);
}

static __inline const void *
td_wchan(struct thread *td)
{
	return (__atomic_load_n(&td->td_wchan, __ATOMIC_SEQ_CST));
}

/*
 * Takes td off its queue with result `error`.  Unless td is the caller,
 * the caller owes it a signal: sleepq_post() once the chain lock is
 * released.
 */
static void
sleepq_resume(struct sleepqueue_chain *sc, struct thread *td, int error)
{
	TAILQ_REMOVE(&sc->sc_queue, td, td_slpq);
	__atomic_store_n(&td->td_wchan, NULL, __ATOMIC_SEQ_CST);
	td->td_slpresult = error;
	if (td != kern_curthread_ptr)
		__atomic_fetch_add(&td->td_wakeref, 1, __ATOMIC_RELAXED);
}

static void
sleepq_signal(struct thread *td)
{
	host_cond_signal(&td->td_sleepcv);
	__atomic_fetch_sub(&td->td_wakeref, 1, __ATOMIC_RELEASE);
}

/* Signals td now, or when the caller lets go of its last mutex. */
static void
sleepq_post(struct thread *td)
{
	struct thread *self = curthread;

	if ((self->td_locks > 0 || self->td_wakedefer > 0) &&
	    self->td_nwakeq < TD_WAKEQ) {
		self->td_wakeq[self->td_nwakeq++] = td;
		return;
	}
	sleepq_signal(td);
}

void
kern_wake_flush(struct thread *td)
{
	while (td->td_nwakeq > 0)
		sleepq_signal(td->td_wakeq[--td->td_nwakeq]);
}

static int
sleep_common(const void *chan, struct lock_object *lock, int pri,
    const char *wmesg, int timo, int spin, const char *file, int line)
{
	struct thread *td = curthread;
	struct sleepqueue_chain *sc;
	struct lock_class *class = NULL;
	uintptr_t how = 0;
	uint64_t deadline = 0;
	int catch = pri & PCATCH, giant, error;

	if (chan == NULL)
		panic("%s: sleep on a NULL wait channel @ %s:%d",
		    wmesg != NULL ? wmesg : "sleep", file, line);
	if (timo < 0)
		panic("%s: negative timeout %d @ %s:%d", wmesg, timo, file,
		    line);
	if (lock != NULL) {
		if ((lock->lo_flags & LO_INITIALIZED) == 0)
			panic("%s: interlock %p is not initialized @ %s:%d",
			    wmesg, (void *)lock, file, line);
		class = LOCK_CLASS(lock);
		if (!spin && class == &lock_class_mtx_spin)
			panic("msleep: spin mutex \"%s\" used as the interlock "
			    "of a sleep (\"%s\") @ %s:%d", lock->lo_name,
			    wmesg, file, line);
		if (spin && class != &lock_class_mtx_spin)
			panic("msleep_spin: \"%s\" is not a spin mutex @ %s:%d",
			    lock->lo_name, file, line);
		if (!class->lc_owned(lock))
			panic("%s: interlock \"%s\" not held @ %s:%d", wmesg,
			    lock->lo_name, file, line);
	}
	if (td->td_critnest > (spin ? 1 : 0))
		panic("%s: sleeping in a critical section or with a spin "
		    "mutex held @ %s:%d", wmesg, file, line);
	WITNESS_SLEEP(lock, wmesg, file, line);
	if (timo > 0)
		deadline = kern_nanouptime() + (uint64_t)timo *
		    (1000000000ULL / (uint64_t)hz);

	sc = sc_lookup(chan);
	host_mutex_lock(&sc->sc_lock);
	td->td_wmesg = wmesg;
	td->td_slpcatch = catch;
	td->td_slpresult = 0;
	TAILQ_INSERT_TAIL(&sc->sc_queue, td, td_slpq);
	__atomic_store_n(&td->td_wchan, chan, __ATOMIC_SEQ_CST);

	/* On the queue: now the interlock and Giant may go. */
	if (lock != NULL && lock != &Giant.lock_object) {
		how = class->lc_unlock(lock, file, line);
		if (spin)
			td->td_critnest--;
	}
	giant = _kern_drop_giant(file, line);
	/* Whatever this thread woke must not wait for it to wake up. */
	if (td->td_nwakeq > 0)
		kern_wake_flush(td);

	for (;;) {
		if (td_wchan(td) == NULL)
			break;
		if (catch && (error = __atomic_exchange_n(&td->td_intr, 0,
		    __ATOMIC_SEQ_CST)) != 0) {
			sleepq_resume(sc, td, error);
			break;
		}
		if (timo > 0) {
			if (kern_nanouptime() >= deadline) {
				sleepq_resume(sc, td, EWOULDBLOCK);
				break;
			}
			host_cond_timedwait(&td->td_sleepcv, &sc->sc_lock,
			    kern_real_deadline(deadline));
		} else
			host_cond_wait(&td->td_sleepcv, &sc->sc_lock);
	}
	error = td->td_slpresult;
	td->td_wmesg = NULL;
	host_mutex_unlock(&sc->sc_lock);

	if (lock == &Giant.lock_object && (pri & PDROP) && giant > 0)
		giant--;
	_kern_pickup_giant(giant, file, line);
	if (lock != NULL && lock != &Giant.lock_object && !(pri & PDROP)) {
		class->lc_lock(lock, how, file, line);
		if (spin)
			td->td_critnest++;
	}
	return (error);
}

int
_sleep(const void *chan, struct lock_object *lock, int pri, const char *wmesg,
    int timo, const char *file, int line)
{
	return (sleep_common(chan, lock, pri, wmesg, timo, 0, file, line));
}

int
_msleep_spin(const void *chan, struct lock_object *mtx, const char *wmesg,
    int timo, const char *file, int line)
{
	return (sleep_common(chan, mtx, 0, wmesg, timo, 1, file, line));
}

int
kern_pause(const char *wmesg, int timo)
{
	if (timo < 1)
		timo = 1;
	return (_sleep(&pause_wchan, NULL, 0, wmesg, timo, __FILE__,
	    __LINE__));
}

/*
 * Wakes up to `max` sleepers on chan (all of them if max is 0), in
 * batches of TD_WAKEQ: each batch is taken off the queue under the chain
 * lock and posted after it.
 */
static void
wakeup_n(const void *chan, int max)
{
	struct sleepqueue_chain *sc = sc_lookup(chan);
	struct thread *td, *next, *woken[TD_WAKEQ];
	int n, total = 0, more;

	do {
		n = 0;
		more = 0;
		host_mutex_lock(&sc->sc_lock);
		TAILQ_FOREACH_SAFE(td, &sc->sc_queue, td_slpq, next) {
			if (td->td_wchan != chan)
				continue;
			if (n == TD_WAKEQ) {
				more = 1;
				break;
			}
			sleepq_resume(sc, td, 0);
			woken[n++] = td;
			if (max != 0 && ++total == max)
				break;
		}
		host_mutex_unlock(&sc->sc_lock);
		for (int i = 0; i < n; i++)
			sleepq_post(woken[i]);
	} while (more);
}

void
wakeup(const void *chan)
{
	wakeup_n(chan, 0);
}

void
wakeup_one(const void *chan)
{
	wakeup_n(chan, 1);
}

int
sleepq_waiters(const void *chan)
{
	struct sleepqueue_chain *sc = sc_lookup(chan);
	struct thread *td;
	int n = 0;

	host_mutex_lock(&sc->sc_lock);
	TAILQ_FOREACH(td, &sc->sc_queue, td_slpq) {
		if (td->td_wchan == chan)
			n++;
	}
	host_mutex_unlock(&sc->sc_lock);
	return (n);
}

/*
 * Interruption.  The mark is published before the channel is read, and a
 * sleeper reads the mark after publishing its channel (both sequentially
 * consistent), so either the sleeper sees the mark or we see the channel.
 */
static void
kthread_interrupt_error(struct thread *td, int error)
{
	struct sleepqueue_chain *sc;
	const void *chan;
	int e;

	__atomic_store_n(&td->td_intr, error, __ATOMIC_SEQ_CST);
	for (;;) {
		chan = td_wchan(td);
		if (chan == NULL)
			return;
		sc = sc_lookup(chan);
		host_mutex_lock(&sc->sc_lock);
		if (td_wchan(td) == chan) {
			e = 0;
			if (td->td_slpcatch && (e = __atomic_exchange_n(
			    &td->td_intr, 0, __ATOMIC_SEQ_CST)) != 0)
				sleepq_resume(sc, td, e);
			host_mutex_unlock(&sc->sc_lock);
			if (e != 0 && td != curthread)
				sleepq_post(td);
			return;
		}
		host_mutex_unlock(&sc->sc_lock);
	}
}

void
kthread_interrupt(struct thread *td)
{
	kthread_interrupt_error(td, EINTR);
}

void
kthread_interrupt_restart(struct thread *td)
{
	kthread_interrupt_error(td, ERESTART);
}

int
kthread_interrupt_clear(struct thread *td)
{
	return (__atomic_exchange_n(&td->td_intr, 0, __ATOMIC_SEQ_CST));
}

void
kern_sleepq_rescan(void)
{
	struct thread *td;

	for (int i = 0; i < SC_TABLESIZE; i++) {
		host_mutex_lock(&sleepq_chains[i].sc_lock);
		TAILQ_FOREACH(td, &sleepq_chains[i].sc_queue, td_slpq)
			host_cond_signal(&td->td_sleepcv);
		host_mutex_unlock(&sleepq_chains[i].sc_lock);
	}
}
