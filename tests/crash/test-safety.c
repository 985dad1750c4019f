/*
 * test-safety.c - the fatal path's safety (issue 2, sections 6 and 7): a
 * crash inside the program's own malloc (lock held) still gets its
 * report; a report that blocks is cut off by the watchdog and the process
 * still dies by its signal with what was written intact; a fault inside
 * the handler ends in default death, not a loop; threads crashing
 * together give one report.
 */
#include "harness.h"

#include <signal.h>
#include <string.h>

/* The crash test, and the report ended by itself, not by the watchdog. */
static void crash_in_time(enum child_kind kind, const char *scenario,
			  const char *cause)
{
	const struct run *r = crash_test(kind, scenario, SIGSEGV, NULL, cause);

	check_lacks("stderr", r->err, "timed out");
}

TEST(crash_inside_malloc)
{
	crash_in_time(CHILD_MALLOC, "malloc-crash", "null pointer dereference");
	return 0;
}

TEST(watchdog_full_pipe)
{
	/* The report cannot be written at all; the watchdog (5 s) ends it. */
	const struct run *r = run_scenario(CHILD_LINKED, "pipe-full", NULL);

	check_died(r, SIGSEGV);
	check_has("stdout", r->out, "pipe full");
	return 0;
}

TEST(watchdog_hanging_callback)
{
	const struct run *r =
		crash_test(CHILD_LINKED, "callback-hang", SIGSEGV, NULL, NULL);
	const char *end = strstr(r->err, "==== end of faultline report ====\n");
	const char *hang = strstr(r->err, "callback: hanging now\n");
	const char *timeout = strstr(r->err, "report timed out");

	CHECK(end && hang && end < hang, "the report is not intact before "
					 "the callback's line");
	CHECK(timeout && hang && hang < timeout,
	      "no watchdog message after the callback's line");
	return 0;
}

TEST(fault_inside_handler)
{
	crash_in_time(CHILD_LINKED, "callback-fault", NULL);
	return 0;
}

TEST(threads_crash_together)
{
	crash_test(CHILD_LINKED, "threads-crash-together", SIGSEGV, NULL,
		   "null pointer dereference");
	return 0;
}

TEST(threads_crash_together_preload)
{
	crash_test(CHILD_PRELOAD, "threads-crash-together", SIGSEGV, NULL,
		   NULL);
	return 0;
}
