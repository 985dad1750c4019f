/*
 * test-api.c - faultline_uninstall puts back what was there: after it,
 * raise() reaches the program's own SIGSEGV handler and abort() ends the
 * process the CRT's way (exit code 3) with no report.
 */
#include "harness.h"

TEST(uninstall_restores)
{
	const struct run *r =
		run_scenario(CHILD_LINKED, "uninstall-then-raise", NULL);

	check_died(r, 3);
	check_has("stderr", r->err, "user SIGSEGV handler, call 1");
	check_lacks("stderr", r->err, "faultline");
	return 0;
}
