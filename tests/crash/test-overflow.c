/*
 * test-overflow.c - stack overflow and alternate signal stacks (issue 2,
 * section 5): a stack overflow on the main thread and on a worker thread
 * is reported as one, in linked and preload mode (the worker made by a
 * plain pthread_create in a program that knows nothing of faultline), and
 * an alternate stack the program set itself is kept.
 */
#include "harness.h"

#include <signal.h>
#include <stdlib.h>

static const struct run *overflow(enum child_kind kind, const char *scenario)
{
	return crash_test(kind, scenario, SIGSEGV, NULL, "stack overflow");
}

TEST(overflow_main_linked)
{
	overflow(CHILD_LINKED, "overflow-main");
	return 0;
}

TEST(overflow_main_preload)
{
	overflow(CHILD_PRELOAD, "overflow-main");
	return 0;
}

TEST(overflow_worker_linked)
{
	overflow(CHILD_LINKED, "overflow-thread");
	return 0;
}

TEST(overflow_worker_preload)
{
	const struct run *r = overflow(CHILD_PRELOAD, "overflow-thread");
	const char *t = line_after(r->err, "thread: tid ");

	CHECK(t && atol(t) != r->pid, "the overflow was not on a worker");
	return 0;
}

TEST(altstack_of_program_kept)
{
	const struct run *r = overflow(CHILD_LINKED, "altstack-kept");

	check_has("stdout", r->out, "altstack kept\n");
	return 0;
}
