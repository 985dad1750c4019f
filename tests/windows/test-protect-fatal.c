/*
 * test-protect-fatal.c - what faultline_protect leaves fatal on Windows:
 * a fault on another thread than the protected call's, a fault after a
 * protected call recovered one, abort() inside a protected call, a fault
 * after protected calls were left by longjmp.  Each ends the process with
 * its code and one report that describes it.  (tests/protect/ has what
 * faultline_protect recovers.)
 */
#include "harness.h"

#include <string.h>

static const char access_violation[] =
	"SIGSEGV (11), exception EXCEPTION_ACCESS_VIOLATION (0xc0000005)";

TEST(other_thread_dies_with_report)
{
	crash_test(CHILD_LINKED, "protect-other-thread", 0xC0000005ul,
		   access_violation, "null pointer dereference");
	return 0;
}

/* After a protected call, a fault is a crash again, with one report that
 * describes it (not the recovered fault). */
TEST(outside_region_dies_with_report)
{
	const struct run *r =
		crash_test(CHILD_LINKED, "protect-then-crash", 0xC0000005ul,
			   access_violation, "write to read-only memory");

	CHECK(strncmp(r->err, "recovered\n", 10) == 0 ||
		      strncmp(r->err, "recovered\r\n", 11) == 0,
	      "stderr starts '%.40s'", r->err);
	check_lacks("report", r->err, "null pointer");
	return 0;
}

TEST(abort_is_not_recovered)
{
	const struct run *r = crash_test(CHILD_LINKED, "protect-abort", 3, NULL,
					 "abort() called");

	check_has("report", r->err, "\nsignal: SIGABRT (6)");
	return 0;
}

TEST(call_left_by_longjmp_is_dropped)
{
	const struct run *r = crash_test(
		CHILD_LINKED, "protect-left-by-longjmp", 0xC0000005ul,
		access_violation, "null pointer dereference");

	check_has("stderr", r->err, "recovered");
	return 0;
}
