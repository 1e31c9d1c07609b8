/*
 * The program bench_witness_run times with and without witness-run: two
 * threads, each taking three static mutexes in order a -> b -> c, then a
 * mutex set up by pthread_mutex_init, ITERATIONS times.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_c = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_d;
static long iterations = 200000;
static long total;

static void *
worker(void *arg)
{
	long i;

	(void)arg;
	for (i = 0; i < iterations; i++) {
		pthread_mutex_lock(&lock_a);
		pthread_mutex_lock(&lock_b);
		pthread_mutex_lock(&lock_c);
		total++;
		pthread_mutex_unlock(&lock_c);
		pthread_mutex_unlock(&lock_b);
		pthread_mutex_unlock(&lock_a);
		pthread_mutex_lock(&lock_d);
		pthread_mutex_unlock(&lock_d);
	}
	return (NULL);
}

int
main(int argc, char **argv)
{
	pthread_t t[2];
	int i;

	if (argc > 1)
		iterations = atol(argv[1]);
	pthread_mutex_init(&lock_d, NULL);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	return (total == 2 * iterations ? 0 : 1);
}
