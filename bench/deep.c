/*
 * deep.c - crash 64 frames deep: f01 calls f02 ... calls f64, which
 * writes through a null pointer (SIGSEGV, SEGV_MAPERR).  The frames are
 * distinct functions (static, so the symbolizer must read .symtab, not
 * just .dynsym), none inlined or tail-called, like a real call chain.
 *
 * If FL_BENCH_TS_FD names a descriptor, the CLOCK_MONOTONIC time just
 * before the fault is written there: bench/run then reports fault-to-death
 * time without process start-up.
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#if defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE __attribute__((noinline, noclone))
#endif

static int volatile *volatile target; /* stays NULL */
static int ts_fd = -1;

static NOINLINE int f64(int d)
{
	struct timespec ts;

	if (ts_fd >= 0 && clock_gettime(CLOCK_MONOTONIC, &ts) == 0 &&
	    write(ts_fd, &ts, sizeof(ts)) < 0)
		ts_fd = -1;
	*target = d; /* SIGSEGV */
	return d;
}

/* Each frame keeps a live local across the call: no tail call. */
#define STEP(n, next)                                                          \
	static NOINLINE int n(int d)                                           \
	{                                                                      \
		int volatile local = d;                                        \
		int r = next(d + 1);                                           \
		return r + local;                                              \
	}

STEP(f63, f64)
STEP(f62, f63)
STEP(f61, f62)
STEP(f60, f61)
STEP(f59, f60)
STEP(f58, f59)
STEP(f57, f58)
STEP(f56, f57)
STEP(f55, f56)
STEP(f54, f55)
STEP(f53, f54)
STEP(f52, f53)
STEP(f51, f52)
STEP(f50, f51)
STEP(f49, f50)
STEP(f48, f49)
STEP(f47, f48)
STEP(f46, f47)
STEP(f45, f46)
STEP(f44, f45)
STEP(f43, f44)
STEP(f42, f43)
STEP(f41, f42)
STEP(f40, f41)
STEP(f39, f40)
STEP(f38, f39)
STEP(f37, f38)
STEP(f36, f37)
STEP(f35, f36)
STEP(f34, f35)
STEP(f33, f34)
STEP(f32, f33)
STEP(f31, f32)
STEP(f30, f31)
STEP(f29, f30)
STEP(f28, f29)
STEP(f27, f28)
STEP(f26, f27)
STEP(f25, f26)
STEP(f24, f25)
STEP(f23, f24)
STEP(f22, f23)
STEP(f21, f22)
STEP(f20, f21)
STEP(f19, f20)
STEP(f18, f19)
STEP(f17, f18)
STEP(f16, f17)
STEP(f15, f16)
STEP(f14, f15)
STEP(f13, f14)
STEP(f12, f13)
STEP(f11, f12)
STEP(f10, f11)
STEP(f09, f10)
STEP(f08, f09)
STEP(f07, f08)
STEP(f06, f07)
STEP(f05, f06)
STEP(f04, f05)
STEP(f03, f04)
STEP(f02, f03)
STEP(f01, f02)

int main(void)
{
	const char *fd = getenv("FL_BENCH_TS_FD");

	if (fd)
		ts_fd = atoi(fd);
	return f01(1) == 0;
}
