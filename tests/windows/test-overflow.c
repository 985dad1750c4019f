/*
 * test-overflow.c - a stack overflow on the main thread and on a worker
 * thread is reported as one (the reporter thread does the work: Wine
 * leaves the handler ~1.9 KB), and the process ends with 0xC00000FD.
 */
#include "harness.h"

static void overflow(const char *scenario)
{
	const struct run *r = crash_test(CHILD_LINKED, scenario, 0xC00000FDul,
					 NULL, "stack overflow");

	check_has("report", r->err,
		  "exception EXCEPTION_STACK_OVERFLOW (0xc00000fd)");
	/* A deep recursion keeps its head and tail. */
	check_has("report", r->err, "frames omitted");
}

TEST(overflow_main)
{
	overflow("overflow-main");
	return 0;
}

TEST(overflow_thread)
{
	overflow("overflow-thread");
	return 0;
}
