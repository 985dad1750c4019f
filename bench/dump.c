/*
 * dump.c - faultline_dump with 8, 64 and 1,000 threads (issue 9), in one
 * process: faultline installed with its defaults, then for each count
 * the process grows to that many threads (each waiting 32 frames deep in
 * a futex) and rounds of dumps to /dev/null are timed; the median per
 * dump, per thread, and its ratio to the 8-thread median are printed.
 * For scale, the median of a dump with FAULTLINE_THREADS=crashed's
 * behaviour (only the calling thread) is printed first.
 *
 * usage: dump [-n rounds]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "faultline.h"
#include "parked.h"

static int rounds = 21;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median time of one dump, in ms. */
static double median_dump(int fd)
{
	double t[101];
	int n = rounds < 101 ? rounds : 101;

	for (int i = 0; i < n; i++) {
		double t0 = now_ms();

		if (faultline_dump(fd) != 0) {
			perror("faultline_dump");
			exit(2);
		}
		t[i] = now_ms() - t0;
	}
	qsort(t, (size_t)n, sizeof(t[0]), cmp_double);
	return t[n / 2];
}

static void reinstall(enum faultline_threads threads)
{
	struct faultline_options o;

	faultline_options_init(&o);
	o.threads = threads;
	if (faultline_install(&o) != 0) {
		perror("faultline_install");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	static const int counts[] = {8, 64, 1000};
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	double base = 0;

	if (argc == 3 && strcmp(argv[1], "-n") == 0)
		rounds = atoi(argv[2]);
	if (fd < 0 || rounds < 1)
		return 2;
	reinstall(FAULTLINE_THREADS_CRASHED);
	printf("faultline_dump, median of %d dumps to /dev/null, each other "
	       "thread %d frames deep:\n",
	       rounds, BENCH_DEPTH);
	printf("  calling thread only (FAULTLINE_THREADS=crashed): %8.2f ms\n",
	       median_dump(fd));
	reinstall(FAULTLINE_THREADS_ALL);
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		double ms;

		bench_park_threads(counts[i] - 1); /* and the calling thread */
		ms = median_dump(fd);
		if (i == 0)
			base = ms;
		printf("  %4d threads: %8.2f ms  (%6.1f us a thread, %5.1fx "
		       "the "
		       "8-thread dump)\n",
		       counts[i], ms, ms * 1e3 / counts[i], ms / base);
	}
	return 0;
}
