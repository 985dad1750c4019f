/*
 * test-chain.c - preload mode keeps faultline armed under a program's own
 * handlers (issue 11; lib/posix/sigchain.c): the program's handler runs
 * first and may fix the fault; a program that resets to the default,
 * chains to what it replaced or restores it and re-raises is reported,
 * with the original fault; sigaction and signal show the program what it
 * set; a fault the program blocked is reported and ends the process as
 * it would without us.  FAULTLINE_CHAIN=0 turns the chain off, =1 on in
 * linked mode.
 */
#include "harness.h"

#include <signal.h>
#include <string.h>

static const char *const null_read = "SIGSEGV (11), code SEGV_MAPERR (1)";

/* Frame 0 of the report is in crash_null_read: the fault, not a raise. */
static void check_frame0_is_fault(const struct run *r)
{
	const char *f0 = strstr(r->err, "\n  #0 ");
	const char *end = f0 ? strchr(f0 + 1, '\n') : NULL;
	const char *name = f0 ? strstr(f0, " in crash_null_read") : NULL;

	CHECK(f0 && name && end && name < end,
	      "frame 0 is not crash_null_read:\n%s", r->err);
}

TEST(handler_fixes_and_returns)
{
	const struct run *r =
		run_scenario(CHILD_PRELOAD, "handler-fixes", NULL);

	check_exited(r, 0);
	check_has("stdout", r->out, "fixed and went on\n");
	check_lacks("stderr", r->err, "faultline");
	return 0;
}

TEST(handler_chains_to_default)
{
	const struct run *r =
		crash_test(CHILD_PRELOAD, "handler-chains", SIGSEGV, null_read,
			   "null pointer dereference");

	/* The program saw the default as the action it replaced, not ours,
	 * and ran first. */
	check_has("stdout", r->out, "program handler: passing on\n");
	return 0;
}

TEST(reset_to_default_still_reported)
{
	crash_test(CHILD_PRELOAD, "reset-to-default", SIGSEGV, null_read,
		   "null pointer dereference");
	return 0;
}

TEST(reset_to_default_chain_off)
{
	/* The opt-out: the program's SIG_DFL reaches the kernel. */
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"reset-to-default"},
			   .env = {"FAULTLINE_CHAIN=0"}};
	const struct run *r = spawn(&sp);

	CHECK(died_by(r, SIGSEGV), "not killed by SIGSEGV");
	check_lacks("stderr", r->err, "faultline");
	return 0;
}

TEST(reraise_reports_original_fault)
{
	const struct run *r = crash_test(CHILD_PRELOAD, "reraise", SIGSEGV,
					 null_read, "null pointer dereference");

	check_has("stdout", r->out, "program handler: restoring and raising\n");
	check_has("report", r->err, "\naddress: 0x0000000000000000 (");
	check_frame0_is_fault(r);
	return 0;
}

TEST(reraise_deferred_reports_original_fault)
{
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"reraise", "deferred"}};
	const struct run *r = crash_spawn(&sp, SIGSEGV, null_read,
					  "null pointer dereference");

	check_has("report", r->err, "\naddress: 0x0000000000000000 (");
	check_frame0_is_fault(r);
	return 0;
}

TEST(sigaction_shows_program_action)
{
	const struct run *r = run_scenario(CHILD_PRELOAD, "action-query", NULL);

	check_exited(r, 0);
	check_has("stdout", r->out, "query: initial default\n");
	check_has("stdout", r->out, "query: handler own, flags own\n");
	check_has("stdout", r->out, "query: signal returned own\n");
	check_has("stdout", r->out, "query: then ignored\n");
	return 0;
}

TEST(blocked_fault_reported)
{
	const struct run *r =
		crash_test(CHILD_PRELOAD, "blocked-fault", SIGSEGV, null_read,
			   "null pointer dereference");

	check_has("stdout", r->out, "mask: blocked\n");
	return 0;
}

TEST(blocked_fault_reported_pthread_sigmask)
{
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"blocked-fault", "pthread"}};
	const struct run *r = crash_spawn(&sp, SIGSEGV, null_read,
					  "null pointer dereference");

	check_has("stdout", r->out, "mask: blocked\n");
	return 0;
}

TEST(linked_chain_on_request)
{
	/* Linked mode keeps the program's SIG_DFL in the kernel unless
	 * FAULTLINE_CHAIN=1 asks for the chain. */
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"reset-to-default"},
			   .env = {"FAULTLINE_CHAIN=1"}};

	crash_spawn(&sp, SIGSEGV, null_read, "null pointer dereference");
	return 0;
}

/* An invalid FAULTLINE_CHAIN: one warning line, then the default of the
 * mode (issue 11): preloaded, the chain is on (the program's SIG_DFL is
 * still reported); linked, off (the SIG_DFL reaches the kernel). */
static const char invalid_chain_warning[] =
	"faultline: ignoring FAULTLINE_CHAIN='maybe' (expected 1 or 0); using "
	"unset (on when preloaded, off when linked)\n";

static void check_chain_warning(const struct run *r)
{
	CHECK(strncmp(r->err, invalid_chain_warning,
		      sizeof(invalid_chain_warning) - 1) == 0,
	      "stderr does not start with the warning");
	CHECK(count_of(r->err, "FAULTLINE_CHAIN") == 1,
	      "not exactly one warning");
}

TEST(chain_invalid_value_preloaded)
{
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"reset-to-default"},
			   .env = {"FAULTLINE_CHAIN=maybe"}};
	const struct run *r = crash_spawn(&sp, SIGSEGV, null_read,
					  "null pointer dereference");

	check_chain_warning(r);
	return 0;
}

TEST(chain_invalid_value_linked)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"reset-to-default"},
			   .env = {"FAULTLINE_CHAIN=maybe"}};
	const struct run *r = spawn(&sp);

	CHECK(died_by(r, SIGSEGV), "not killed by SIGSEGV");
	check_chain_warning(r);
	CHECK(line_count(r->err) == 1, "more than the warning: %s", r->err);
	return 0;
}
