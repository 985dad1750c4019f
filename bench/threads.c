/*
 * threads.c - a crash with N other threads (argument, default 8), each
 * waiting 32 frames deep in a futex, the main thread crashing 32 frames
 * deep (SIGSEGV).  `make bench-threads` runs it under bench/run with
 * faultline preloaded, FAULTLINE_THREADS=all (every thread's backtrace)
 * against FAULTLINE_THREADS=crashed (the single-thread report of the same
 * crash).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <linux/futex.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE __attribute__((noinline, noclone))
#endif

#define DEPTH 32

static int volatile *volatile target; /* stays NULL */
static int never;		      /* the futex nobody wakes */
static int started;

static NOINLINE int bottom(int crash)
{
	if (crash)
		*target = crash; /* SIGSEGV */
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&never, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &never, FUTEX_WAIT_PRIVATE, 0, NULL, NULL,
			0);
	return 0;
}

/* Each frame keeps a live local across the call: no tail call. */
static NOINLINE int descend(int depth, int crash)
{
	int volatile local = depth;
	int r = depth >= DEPTH - 1 ? bottom(crash) : descend(depth + 1, crash);

	return r + local;
}

static void *thread_body(void *unused)
{
	descend(1, 0);
	return unused;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 8;
	pthread_attr_t attr;
	pthread_t t;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 0; i < n; i++)
		if (pthread_create(&t, &attr, thread_body, NULL) != 0)
			return 2;
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < n)
		sched_yield();
	return descend(1, 1);
}
