/*
 * test-altstack.c - alternate signal stacks (issue 2, section 5): a stack
 * overflow on the main thread and on a worker thread is reported as one,
 * in linked and preload mode (the worker made by a plain pthread_create
 * in a program that knows nothing of faultline), and an alternate stack
 * the program set itself is kept.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

static struct run r;

static void overflow(enum child_kind kind, const char *scenario)
{
	run_scenario(&r, kind, scenario, NULL);
	check_signaled(&r, SIGSEGV);
	check_one_report(r.err);
	check_has("report", r.err, "\ncause: stack overflow\n");
}

static int main_linked(void)
{
	overflow(CHILD_LINKED, "overflow-main");
	return 0;
}

static int main_preload(void)
{
	overflow(CHILD_PRELOAD, "overflow-main");
	return 0;
}

static int worker_linked(void)
{
	overflow(CHILD_LINKED, "overflow-thread");
	return 0;
}

static int worker_preload(void)
{
	const char *t;

	overflow(CHILD_PRELOAD, "overflow-thread");
	t = line_after(r.err, "thread: tid ");
	CHECK(t && atol(t) != (long)r.pid, "the overflow was not on a worker");
	return 0;
}

static int program_stack_kept(void)
{
	overflow(CHILD_LINKED, "altstack-kept");
	check_has("stdout", r.out, "altstack kept\n");
	return 0;
}

static const struct test tests[] = {
	{"overflow-main-linked", main_linked},
	{"overflow-main-preload", main_preload},
	{"overflow-worker-linked", worker_linked},
	{"overflow-worker-preload", worker_preload},
	{"altstack-of-program-kept", program_stack_kept},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return run_tests(argc, argv, tests);
}
