/*
 * unit.h - the shape of every unit test: a Check program whose main()
 * lists its tests once, with UNIT_MAIN (one case) or UNIT_CASE and
 * unit_run (several cases, fixtures).  Check runs each
 * test in a child process unless CK_FORK=no: a test that crashes fails
 * alone.
 */
#ifndef FL_TEST_UNIT_H
#define FL_TEST_UNIT_H

#include <check.h>
#include <stddef.h>

/* unit_case and unit_main with the tests listed as arguments. */
#define UNIT_CASE(suite, name, timeout, ...)                                   \
	unit_case(suite, name, UNIT_TESTS(__VA_ARGS__), timeout)
#define UNIT_MAIN(name, timeout, ...)                                          \
	unit_main(name, UNIT_TESTS(__VA_ARGS__), timeout)
#define UNIT_TESTS(...)                                                        \
	(const TTest *const[]){__VA_ARGS__},                                   \
		sizeof((const TTest *const[]){__VA_ARGS__}) / sizeof(TTest *)

/* A test case named name holding tests[0..n), added to suite s.  timeout
 * in seconds; 0 keeps Check's default (4 s, times CK_TIMEOUT_MULTIPLIER).
 * Returned for fixtures and tests of their own kind. */
TCase *unit_case(Suite *s, const char *name, const TTest *const *tests,
		 size_t n, double timeout);
/* Runs suite s and frees it; the exit status for main.  fork:
 * CK_FORK_GETENV does as CK_FORK says, CK_FORK always forks. */
int unit_run(Suite *s, enum fork_status fork);
/* The usual program: a suite of one case, both called name. */
int unit_main(const char *name, const TTest *const *tests, size_t n,
	      double timeout);

/* What fn(arg) writes to fd 2 (a static buffer, up to 16 KiB). */
const char *unit_capture_stderr(void (*fn)(void *), void *arg);

#endif
