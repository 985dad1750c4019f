/*
 * cold.c - what a report costs the first time in a process and again:
 * each round forks a child that calls faultline_dump three times from 64
 * frames deep (parked.c's chain, twice) into /dev/null and reports the
 * three times; the medians are printed.  The first dump of a process
 * touches its code, its buffers, the modules' unwind tables and symbol
 * tables, /proc and the debug files for the first time; the later ones
 * do the same work with all of it warm.  The difference is what a crash
 * report pays that is not its work: a crash happens once per process,
 * so every crash report is a first one.
 *
 * usage: cold [-n rounds]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faultline.h"
#include "parked.h"

#define DUMPS 3
#define ROUNDS_MAX 1000

static int sink_fd = -1;
static double took[DUMPS];

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int dumps(void)
{
	for (int i = 0; i < DUMPS; i++) {
		double t0 = now_us();

		if (faultline_dump(sink_fd) != 0)
			return -1;
		took[i] = now_us() - t0;
	}
	return 0;
}

/* Two runs of parked.c's chain: 2 x BENCH_DEPTH (64) frames. */
static int second_half(void)
{
	return bench_deep_call(dumps);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One child: install, three dumps, their times on fd. */
static void child(int fd)
{
	if (faultline_install(NULL) != 0 || bench_deep_call(second_half) < 0)
		_exit(2);
	if (write(fd, took, sizeof(took)) != (ssize_t)sizeof(took))
		_exit(2);
	_exit(0);
}

int main(int argc, char **argv)
{
	static double t[DUMPS][ROUNDS_MAX];
	int rounds = 41;

	if (argc == 3 && strcmp(argv[1], "-n") == 0)
		rounds = atoi(argv[2]);
	if (rounds < 1 || rounds > ROUNDS_MAX) {
		fprintf(stderr, "usage: cold [-n rounds (1-%d)]\n", ROUNDS_MAX);
		return 2;
	}
	sink_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (sink_fd < 0) {
		perror("cold: /dev/null");
		return 2;
	}
	for (int r = 0; r < rounds; r++) {
		int p[2], status;
		double got[DUMPS];
		pid_t pid;

		if (pipe(p) != 0 || (pid = fork()) < 0) {
			perror("cold");
			return 2;
		}
		if (pid == 0) {
			close(p[0]);
			child(p[1]);
		}
		close(p[1]);
		if (read(p[0], got, sizeof(got)) != (ssize_t)sizeof(got) ||
		    waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "cold: round %d failed\n", r);
			return 2;
		}
		close(p[0]);
		for (int i = 0; i < DUMPS; i++)
			t[i][r] = got[i];
	}
	printf("faultline_dump from 64 frames deep, %d processes, median us:\n",
	       rounds);
	for (int i = 0; i < DUMPS; i++) {
		qsort(t[i], (size_t)rounds, sizeof(double), cmp);
		printf("  dump %d of the process: %8.1f\n", i + 1,
		       t[i][rounds / 2]);
	}
	printf("  first / third: %.2f\n",
	       t[0][rounds / 2] / t[DUMPS - 1][rounds / 2]);
	return 0;
}
