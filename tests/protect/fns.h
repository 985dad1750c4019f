/*
 * fns.h - the functions the protect tests run protected, shared by the
 * POSIX (test-protect.c) and Windows (test-protect-win.c) tests.
 * noinline, so that a fault's pc lies inside the function named.
 */
#ifndef FL_TEST_PROTECT_FNS_H
#define FL_TEST_PROTECT_FNS_H

#include <stdint.h>

/* Bytes of stack per recursion step (see test-protect-win.c for Wine's). */
#ifndef RECURSE_PAD
#define RECURSE_PAD 512
#endif

/* Read through a volatile so that the compiler sees no constant null. */
static volatile uintptr_t null_plus_16 = 16;
static volatile int bottom; /* never set: recursion has no end */
static volatile int zero;

static __attribute__((noinline, unused)) int read_null(void *arg)
{
	(void)arg;
	return *(volatile int *)null_plus_16;
}

/* Unused on aarch64, where integer division does not trap. */
static __attribute__((noinline, unused)) int divide(void *arg)
{
	/* Both operands volatile: gcc turns 1 / x into a compare. */
	volatile int n = 7 + (int)(intptr_t)arg;
	return n / zero;
}

static __attribute__((noinline, unused)) int recurse(void *arg)
{
	volatile char pad[RECURSE_PAD];

	pad[0] = (char)(intptr_t)arg;
	if (bottom)
		return pad[0];
	/* Not a tail call: the addition happens after the call returns. */
	return recurse((char *)arg + 1) + pad[0];
}

static __attribute__((unused)) int returns_42(void *arg)
{
	(void)arg;
	return 42;
}

#endif
