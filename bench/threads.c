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
#include <stdlib.h>

#include "parked.h"

static int volatile *volatile target; /* stays NULL */

static int crash(void)
{
	*target = 1; /* SIGSEGV */
	return 0;
}

int main(int argc, char **argv)
{
	bench_park_threads(argc > 1 ? atoi(argv[1]) : 8);
	return bench_deep_call(crash);
}
