/*
 * parked.c - see parked.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "parked.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE __attribute__((noinline, noclone))
#endif

static int never; /* the futex nobody wakes */
static int parked;

static NOINLINE int descend(int depth, int (*bottom)(void))
{
	int volatile local = depth;
	int r = depth >= BENCH_DEPTH - 1 ? bottom()
					 : descend(depth + 1, bottom);

	return r + local;
}

int bench_deep_call(int (*bottom)(void))
{
	return descend(1, bottom);
}

static int park(void)
{
	__atomic_add_fetch(&parked, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&never, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &never, FUTEX_WAIT_PRIVATE, 0, NULL, NULL,
			0);
	return 0;
}

static void *thread_body(void *unused)
{
	bench_deep_call(park);
	return unused;
}

void bench_park_threads(int n)
{
	static int created;
	pthread_attr_t attr;
	pthread_t t;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (; created < n; created++)
		if (pthread_create(&t, &attr, thread_body, NULL) != 0) {
			perror("pthread_create");
			exit(2);
		}
	pthread_attr_destroy(&attr);
	while (__atomic_load_n(&parked, __ATOMIC_SEQ_CST) < n)
		sched_yield();
}
