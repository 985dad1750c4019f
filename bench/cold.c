/*
 * cold.c - what a report costs the first time in a process and again:
 * each round forks a child that calls faultline_dump three times from 64
 * frames deep (the stack of bench/deep) into /dev/null and reports the
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

#if defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE __attribute__((noinline, noclone))
#endif

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

static NOINLINE int f64(int d)
{
	for (int i = 0; i < DUMPS; i++) {
		double t0 = now_us();

		if (faultline_dump(sink_fd) != 0)
			return -1;
		took[i] = now_us() - t0;
	}
	return d;
}

/* Each frame keeps a live local across the call: no tail call. */
#define STEP(n, next)                                                          \
	static NOINLINE int n(int d)                                           \
	{                                                                      \
		int volatile local = d;                                        \
		int r = next(d + 1);                                           \
		return r < 0 ? r : r + local - d;                              \
	}
STEP(f63, f64)
STEP(f62, f63) STEP(f61, f62) STEP(f60, f61) STEP(f59, f60) STEP(f58, f59) STEP(
	f57, f58) STEP(f56,
		       f57) STEP(f55,
				 f56) STEP(f54,
					   f55) STEP(f53,
						     f54) STEP(f52,
							       f53) STEP(f51,
									 f52)
	STEP(f50, f51) STEP(f49, f50) STEP(f48, f49) STEP(f47, f48) STEP(
		f46,
		f47) STEP(f45,
			  f46) STEP(f44,
				    f45) STEP(f43,
					      f44) STEP(f42,
							f43) STEP(f41,
								  f42) STEP(f40,
									    f41)
		STEP(f39, f40) STEP(f38, f39) STEP(f37, f38) STEP(f36, f37) STEP(
			f35,
			f36) STEP(f34,
				  f35) STEP(f33,
					    f34) STEP(f32,
						      f33) STEP(f31,
								f32) STEP(f30,
									  f31)
			STEP(f29, f30) STEP(f28, f29) STEP(f27, f28) STEP(
				f26,
				f27) STEP(f25,
					  f26) STEP(f24,
						    f25) STEP(f23,
							      f24) STEP(f22,
									f23)
				STEP(f21, f22) STEP(f20, f21) STEP(f19, f20) STEP(
					f18, f19) STEP(f17,
						       f18) STEP(f16,
								 f17) STEP(f15,
									   f16)
					STEP(f14, f15) STEP(f13, f14) STEP(
						f12,
						f13) STEP(f11,
							  f12) STEP(f10,
								    f11) STEP(f09,
									      f10)
						STEP(f08, f09) STEP(f07, f08) STEP(
							f06,
							f07) STEP(f05,
								  f06) STEP(f04,
									    f05)
							STEP(f03, f04) STEP(
								f02,
								f03) STEP(f01,
									  f02)

								static int cmp(
									const void
										*a,
									const void
										*b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One child: install, three dumps, their times on fd. */
static void child(int fd)
{
	if (faultline_install(NULL) != 0 || f01(0) < 0)
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
