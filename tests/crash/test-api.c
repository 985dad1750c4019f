/*
 * test-api.c - the C API's contract (issue 2, section 2):
 * faultline_uninstall restores exactly the actions that were there
 * before (handler, flags, mask of every signal), and install is
 * idempotent (a second call does not chain faultline to itself).
 */
#include "harness.h"

#include <signal.h>

TEST(uninstall_restores_actions)
{
	const struct run *r =
		run_scenario(CHILD_LINKED, "uninstall-restores", NULL);

	check_exited(r, 0);
	check_has("stdout", r->out, "uninstall: exact\n");
	return 0;
}

TEST(install_idempotent)
{
	const struct run *r =
		crash_test(CHILD_LINKED, "install-twice", SIGSEGV, NULL, NULL);

	check_has("stdout", r->out, "uninstall: exact\n");
	return 0;
}
