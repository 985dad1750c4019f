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

/* A program's alternate stack too small for any signal frame (2 KiB,
 * set after faultline's install): abort, divide-by-zero, illegal
 * instruction are still reported and die by their own signal (before:
 * SIGSEGV, no report).  Not on aarch64: its kernel refuses stacks
 * under 5 KiB, and with SVE the frame needs more than that. */
static int small_altstack(const char *scenario, int sig, const char *cause)
{
	if (is_aarch64())
		return SKIP;
	for (int kind = CHILD_LINKED; kind <= CHILD_PRELOAD; kind++) {
		struct spawn sp = {.kind = (enum child_kind)kind,
				   .args = {"small-altstack", scenario}};

		crash_spawn(&sp, (unsigned long)sig, NULL, cause);
	}
	return 0;
}

TEST(small_altstack_abort)
{
	return small_altstack("abort", SIGABRT, "abort() called");
}

TEST(small_altstack_divide_by_zero)
{
	return small_altstack("divide-by-zero", SIGFPE,
			      "integer divide by zero");
}

TEST(small_altstack_illegal_instruction)
{
	return small_altstack("illegal-instruction", SIGILL, NULL);
}
