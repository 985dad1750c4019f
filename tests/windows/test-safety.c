/*
 * test-safety.c - the fatal path's safety on Windows: a CRT signal()
 * handler that loops is cut short, exceptions that are no crash pass,
 * threads faulting together give one report, and a fault inside the
 * handler ends the process at once with the first crash's code.
 */
#include "harness.h"

#include <string.h>

/* A CRT signal(SIGSEGV) handler that re-arms and returns: the mingw
 * CRT's filter would call it and continue at the faulting instruction
 * forever.  With faultline: one report, then the end. */
TEST(crt_signal_loop)
{
	const struct run *r = crash_test(CHILD_LINKED, "rearming-handler",
					 0xC0000005ul, NULL, NULL);

	check_lacks("stderr", r->err, "user SIGSEGV handler, call 2");
	return 0;
}

/* The control: without faultline the same program loops (this is what
 * the test would see if faultline stood in the wrong place). */
TEST(crt_signal_loop_control)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"rearming-handler"},
			   .env = {"FAULTLINE_DISABLE=1"},
			   .timeout = 5};
	const struct run *r = spawn(&sp);

	CHECK(r->timed_out || count_of(r->err, "user SIGSEGV handler") > 1,
	      "without faultline the CRT does not re-run the fault");
	return 0;
}

/* Exceptions that are not crashes pass silently and the program goes on:
 * OutputDebugStringA, RaiseException(0xE06D7363) caught by an SEH frame,
 * an access violation caught by an SEH frame, IsBadReadPtr. */
TEST(first_chance_exceptions)
{
	const struct run *r =
		run_scenario(CHILD_LINKED, "first-chance-exceptions", NULL);

	check_exited(r, 0);
	check_has("stderr", r->err, "SEH caught 0xe06d7363");
	check_has("stderr", r->err, "SEH caught 0xc0000005");
	check_has("stderr", r->err, "IsBadReadPtr(NULL) = 1");
	check_has("stderr", r->err, "IsBadReadPtr(&probe) = 0");
	check_has("stderr", r->err, "continued normally");
	check_lacks("stderr", r->err, "faultline");
	return 0;
}

/* Threads faulting together give one report, three times over. */
TEST(threads_crash_together)
{
	for (int i = 0; i < 3; i++)
		crash_test(CHILD_LINKED, "threads-crash-together", 0xC0000005ul,
			   NULL, NULL);
	return 0;
}

/* A fault inside the handler (the user callback, run on the reporter
 * thread, executes ud2) ends the process at once with the code of the
 * crash being reported: no second report, no hang, no winedbg, not the
 * inner fault's code. */
TEST(fault_inside_handler)
{
	const struct run *r = crash_test(CHILD_LINKED, "callback-fault",
					 0xC0000005ul, NULL, NULL);

	check_has("stderr", r->err, "callback: about to fault");
	check_lacks("stderr", r->err, "ILLEGAL_INSTRUCTION");
	check_lacks("stderr", r->err, "callback: survived");
	/* At once: not after the 20 s a crashed thread waits for a
	 * reporter that does not finish. */
	CHECK(r->seconds < 15, "took %.1f s (limit 15 s)", r->seconds);
	return 0;
}
