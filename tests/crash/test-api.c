/*
 * test-api.c - the C API's contract (issue 2, section 2):
 * faultline_uninstall restores exactly the actions that were there
 * before (handler, flags, mask of every signal), and install is
 * idempotent (a second call does not chain faultline to itself).
 */
#include "harness.h"

static struct run r;

static void go(const char *scenario)
{
	run_scenario(&r, CHILD_LINKED, scenario, NULL);
}

static int uninstall_restores(void)
{
	go("uninstall");
	check_exited(&r, 0);
	check_has("stdout", r.out, "uninstall: exact\n");
	return 0;
}

static int install_idempotent(void)
{
	go("idempotent");
	check_has("stdout", r.out, "uninstall: exact\n");
	check_signaled(&r, SIGSEGV);
	check_one_report(r.err);
	return 0;
}

static const struct test tests[] = {
	{"uninstall-restores-actions", uninstall_restores},
	{"install-idempotent", install_idempotent},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return run_tests(argc, argv, tests);
}
