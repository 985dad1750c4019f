/*
 * test-report.c - what the text report says for each kind of crash on
 * Windows (under Wine), and the process's full exit code: the exception
 * code (0xC0000005 survives, unlike a shell's $?), 3 for abort() as the
 * CRT's own abort() ends.
 */
#include "harness.h"

/* An access violation: SIGSEGV / EXCEPTION_ACCESS_VIOLATION, the cause,
 * and where and how memory was touched, in the address line. */
static void access_violation(const char *scenario, const char *cause,
			     const char *address)
{
	const struct run *r =
		crash_test(CHILD_LINKED, scenario, 0xC0000005ul,
			   "SIGSEGV (11), exception EXCEPTION_ACCESS_VIOLATION "
			   "(0xc0000005)",
			   cause);

	check_has("report", r->err, address);
}

/* A null read is a read at address 0. */
TEST(segv_null_read)
{
	access_violation("null-read", "null pointer dereference",
			 "address: 0x0000000000000000 (read)");
	return 0;
}

/* A write to 0x40 is a write access. */
TEST(segv_null_write)
{
	access_violation("null-write", "null pointer dereference",
			 "address: 0x0000000000000040 (write)");
	return 0;
}

/* A call into a committed read-write page is an execute access (DEP). */
TEST(segv_exec_nonexec)
{
	access_violation("exec-nonexec", "execution of non-executable memory",
			 "(execute)");
	return 0;
}

/* ud2 is SIGILL / 0xC000001D; a privileged instruction (hlt in user
 * mode) is SIGILL / 0xC0000096. */
TEST(ill_illegal_instruction)
{
	crash_test(CHILD_LINKED, "illegal-instruction", 0xC000001Dul,
		   "SIGILL (4), exception EXCEPTION_ILLEGAL_INSTRUCTION "
		   "(0xc000001d)",
		   "illegal instruction");
	return 0;
}

TEST(ill_privileged_instruction)
{
	crash_test(CHILD_LINKED, "privileged-instruction", 0xC0000096ul,
		   "SIGILL (4), exception EXCEPTION_PRIV_INSTRUCTION "
		   "(0xc0000096)",
		   "privileged instruction");
	return 0;
}

/* An integer divide by zero is SIGFPE / 0xC0000094. */
TEST(fpe_intdiv)
{
	crash_test(CHILD_LINKED, "divide-by-zero", 0xC0000094ul,
		   "SIGFPE (8), exception EXCEPTION_INT_DIVIDE_BY_ZERO "
		   "(0xc0000094)",
		   "integer divide by zero");
	return 0;
}

/* abort() is a SIGABRT report and exit code 3. */
TEST(abrt_abort)
{
	const struct run *r =
		crash_test(CHILD_LINKED, "abort", 3, NULL, "abort() called");

	check_has("report", r->err, "\nsignal: SIGABRT (6)");
	return 0;
}

/* A heap-corruption code raised non-continuable is reported at once,
 * even inside an SEH frame that would swallow it. */
TEST(abrt_heap_corruption)
{
	const struct run *r = crash_test(
		CHILD_LINKED, "heap-corruption", 0xC0000374ul,
		"SIGABRT (6), exception STATUS_HEAP_CORRUPTION (0xc0000374)",
		"heap corruption detected");

	check_lacks("stderr", r->err, "swallowed");
	return 0;
}
