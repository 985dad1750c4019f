/*
 * parked.h - threads parked deep in a futex wait, for the benchmarks
 * whose process needs other threads with real stacks (bench/threads.c,
 * bench/dump.c).
 */
#ifndef BENCH_PARKED_H
#define BENCH_PARKED_H

/* How many frames deep bench_deep_call runs its function. */
#define BENCH_DEPTH 32

/*
 * Calls bottom() BENCH_DEPTH frames deep and returns what it returns;
 * every frame keeps a live local across its call, so none is a tail
 * call and the unwinder has BENCH_DEPTH frames to walk.
 */
int bench_deep_call(int (*bottom)(void));

/*
 * Grows the process to n parked threads in all (those parked by earlier
 * calls count), each waiting BENCH_DEPTH frames deep on a futex nobody
 * wakes, with a 64 KiB stack; returns once all are parked.  Exits with
 * status 2 when a thread cannot be created.
 */
void bench_park_threads(int n);

#endif
