/*
 * test-protect-fatal.c - what faultline_protect leaves fatal (issue 5): a
 * fault on another thread than the protected call's, a fault after a
 * protected call recovered one, abort() and a sent signal inside a
 * protected call, a fault after protected calls were left by longjmp.
 * Each dies by its signal with one report that describes it.
 * (tests/protect/ has what faultline_protect recovers.)
 */
#include "harness.h"

#include <signal.h>
#include <string.h>

/* The crash test, and the report names the signal and says cause. */
static const struct run *dies(const char *scenario, int sig, const char *name,
			      const char *cause)
{
	const struct run *r = crash_test(CHILD_LINKED, scenario,
					 (unsigned long)sig, NULL, NULL);
	char line[64];

	snprintf(line, sizeof(line), "\nsignal: %s (", name);
	check_has("report", r->err, line);
	check_has("report", r->err, cause);
	return r;
}

TEST(other_thread_dies_with_report)
{
	dies("protect-other-thread", SIGSEGV, "SIGSEGV",
	     "null pointer dereference");
	return 0;
}

/* After a protected call, a fault is a crash again, with one report that
 * describes it (not the recovered fault), and the recovered fault left no
 * report and no claim on the crash: the report is immediate. */
TEST(outside_region_dies_with_report)
{
	/* qemu-user passes no ESR on aarch64: the access kind is unknown. */
	const struct run *r = dies("protect-then-crash", SIGSEGV, "SIGSEGV",
				   emulator() ? "protected memory"
					      : "write to read-only memory");

	/* Nothing was written for the recovered fault. */
	CHECK(strncmp(r->err, "recovered\n", 10) == 0, "stderr starts '%.40s'",
	      r->err);
	check_lacks("report", r->err, "null pointer");
	/* Had the recovered fault claimed the crash, this one would have
	 * waited 5 s for it and died without a report. */
	CHECK(r->seconds < (emulator() ? 16 : 4), "took %.1f s", r->seconds);
	return 0;
}

TEST(abort_is_not_recovered)
{
	dies("protect-abort", SIGABRT, "SIGABRT", "abort() called");
	return 0;
}

TEST(sent_signal_is_not_recovered)
{
	dies("protect-raise", SIGSEGV, "SIGSEGV", "signal sent by");
	return 0;
}

/* A protected call left by longjmp (a failed assertion of Check in
 * CK_FORK=no mode does this) is dropped by the next one: a fault after
 * that is a crash again. */
TEST(call_left_by_longjmp_is_dropped)
{
	const struct run *r = dies("protect-left-by-longjmp", SIGSEGV,
				   "SIGSEGV", "null pointer dereference");

	CHECK(strncmp(r->err, "recovered\n", 10) == 0, "stderr starts '%.40s'",
	      r->err);
	return 0;
}
