/*
 * test-safety.c - the fatal path's safety (issue 2, sections 6 and 7): a
 * crash inside the program's own malloc (lock held) still gets its
 * report; a report that blocks is cut off by the watchdog and the process
 * still dies by its signal with what was written intact; a fault inside
 * the handler ends in default death, not a loop; threads crashing
 * together give one report.
 */
#include "harness.h"

#include <string.h>

static struct run r;

static void go(enum child_kind kind, const char *scenario)
{
	run_scenario(&r, kind, scenario, NULL);
}

static int malloc_lock_held(void)
{
	go(CHILD_MALLOC, "malloc-crash");
	check_signaled(&r, SIGSEGV);
	check_one_report(r.err);
	check_lacks("stderr", r.err, "timed out");
	check_has("report", r.err, "\ncause: null pointer dereference\n");
	return 0;
}

static int watchdog_full_pipe(void)
{
	/* The report cannot be written at all; the watchdog (5 s) ends it. */
	go(CHILD_LINKED, "pipe-full");
	check_signaled(&r, SIGSEGV);
	check_has("stdout", r.out, "pipe full");
	return 0;
}

static int watchdog_hanging_callback(void)
{
	const char *end, *hang, *timeout;

	go(CHILD_LINKED, "callback-hang");
	check_signaled(&r, SIGSEGV);
	check_one_report(r.err);
	end = strstr(r.err, "==== end of faultline report ====\n");
	hang = strstr(r.err, "callback: hanging now\n");
	timeout = strstr(r.err, "report timed out");
	CHECK(end && hang && end < hang, "the report is not intact before "
					 "the callback's line");
	CHECK(timeout && hang && hang < timeout,
	      "no watchdog message after the callback's line");
	return 0;
}

static int fault_in_handler(void)
{
	go(CHILD_LINKED, "callback-fault");
	check_signaled(&r, SIGSEGV);
	check_one_report(r.err);
	check_lacks("stderr", r.err, "timed out");
	return 0;
}

static int threads_crash_together(void)
{
	go(CHILD_LINKED, "threads");
	check_signaled(&r, SIGSEGV);
	check_one_report(r.err);
	check_has("report", r.err, "\ncause: null pointer dereference\n");
	return 0;
}

static int threads_crash_together_preload(void)
{
	go(CHILD_PRELOAD, "threads");
	check_signaled(&r, SIGSEGV);
	check_one_report(r.err);
	return 0;
}

static const struct test tests[] = {
	{"crash-inside-malloc", malloc_lock_held},
	{"watchdog-full-pipe", watchdog_full_pipe},
	{"watchdog-hanging-callback", watchdog_hanging_callback},
	{"fault-inside-handler", fault_in_handler},
	{"threads-crash-together", threads_crash_together},
	{"threads-crash-together-preload", threads_crash_together_preload},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return run_tests(argc, argv, tests);
}
