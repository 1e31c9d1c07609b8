/*
 * A small pthread program that knows nothing of witness: two statically
 * initialized mutexes and two set up by pthread_mutex_init, taken in the
 * order the argument names.  The threads run one after the other, so the
 * program never deadlocks; witness-run must still see the reversal.
 *
 * usage: fixture_abba ab|ba|abba|init-abba|rw-cond|fork|clean
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t *heap_c, *heap_d;
static pthread_mutex_t cv_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_rwlock_t rw_x = PTHREAD_RWLOCK_INITIALIZER;
static int counter;

static __attribute__((noinline)) pthread_mutex_t *
make_lock(void)
{
	pthread_mutex_t *m = malloc(sizeof(*m));

	pthread_mutex_init(m, NULL);
	return (m);
}

static __attribute__((noinline)) void
take_two(pthread_mutex_t *first, pthread_mutex_t *second)
{
	pthread_mutex_lock(first);
	pthread_mutex_lock(second);
	counter++;
	pthread_mutex_unlock(second);
	pthread_mutex_unlock(first);
}

static void *
thread_ab(void *arg)
{
	(void)arg;
	take_two(&lock_a, &lock_b);
	return (NULL);
}

static void *
thread_ba(void *arg)
{
	(void)arg;
	take_two(&lock_b, &lock_a);
	return (NULL);
}

static void *
thread_cd(void *arg)
{
	(void)arg;
	take_two(heap_c, heap_d);
	return (NULL);
}

static void *
thread_dc(void *arg)
{
	(void)arg;
	take_two(heap_d, heap_c);
	return (NULL);
}

static void
run(void *(*fn)(void *))
{
	pthread_t t;

	pthread_create(&t, NULL, fn, NULL);
	pthread_join(t, NULL);
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "clean";
	struct timespec ts = { 0, 0 };

	heap_c = make_lock();
	heap_d = make_lock();
	if (strcmp(mode, "ab") == 0 || strcmp(mode, "abba") == 0)
		run(thread_ab);
	if (strcmp(mode, "ba") == 0 || strcmp(mode, "abba") == 0)
		run(thread_ba);
	if (strcmp(mode, "init-abba") == 0) {
		run(thread_cd);
		run(thread_dc);
	}
	if (strcmp(mode, "fork") == 0) {
		/*
		 * Child b -> a, then parent a -> b: each process alone is
		 * clean (a child forked later would inherit the parent's
		 * learned order, and see the reversal itself).
		 */
		pid_t pid;
		int status;

		pid = fork();
		if (pid == 0) {
			take_two(&lock_b, &lock_a);
			exit(0);
		}
		waitpid(pid, &status, 0);
		take_two(&lock_a, &lock_b);
	}
	if (strcmp(mode, "rw-cond") == 0) {
		/* A read lock in both orders with a mutex. */
		pthread_rwlock_rdlock(&rw_x);
		pthread_mutex_lock(&lock_a);
		pthread_mutex_unlock(&lock_a);
		pthread_rwlock_unlock(&rw_x);
		pthread_mutex_lock(&lock_a);
		pthread_rwlock_rdlock(&rw_x);
		pthread_rwlock_unlock(&rw_x);
		pthread_mutex_unlock(&lock_a);
		/* Waiting with another lock than the interlock held. */
		pthread_mutex_lock(&lock_b);
		pthread_mutex_lock(&cv_mtx);
		pthread_cond_timedwait(&cv, &cv_mtx, &ts);
		pthread_mutex_unlock(&cv_mtx);
		pthread_mutex_unlock(&lock_b);
	}
	if (strcmp(mode, "clean") == 0) {
		run(thread_ab);
		run(thread_ab);
		take_two(&lock_b, heap_c);
		/* A timed wait on a condition variable, its mutex as interlock. */
		pthread_mutex_lock(&cv_mtx);
		pthread_cond_timedwait(&cv, &cv_mtx, &ts);
		pthread_mutex_unlock(&cv_mtx);
	}
	pthread_mutex_destroy(heap_c);
	pthread_mutex_destroy(heap_d);
	free(heap_c);
	free(heap_d);
	printf("counter %d\n", counter);
	return (0);
}
