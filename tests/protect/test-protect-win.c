/*
 * test-protect-win.c - faultline_protect on Windows, run under Wine by
 * make check: the properties of tests/protect/test-protect.c that the
 * Windows backend implements.  There is no Check for mingw: the tests are
 * TESTs of the crash harness (tests/common/harness.h), which run in this
 * process, in order.  What stays fatal is a crash test:
 * tests/windows/test-protect-fatal.c.
 */
#include <windows.h>

#include <fenv.h>
#include <psapi.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "faultline.h"
#include "harness.h"

/* Wine can only deliver EXCEPTION_STACK_OVERFLOW when its exception frame
 * fits above the stack's last page, which depends on where the guard page
 * is hit: 64-byte frames land well (512-byte ones often do not: Wine then
 * ends the thread itself, before any handler). */
#define RECURSE_PAD 64
#include "fns.h"

static __attribute__((noinline)) int illegal(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2");
	return 0;
}

static __attribute__((noinline)) int breakpoint(void *arg)
{
	(void)arg;
	__asm__ volatile("int3");
	return 0;
}

static int expect(int (*fn)(void *), uint32_t code, const char *what)
{
	struct faultline_fault f;
	int rc = faultline_protect(fn, NULL, NULL, &f);

	CHECK(rc == FAULTLINE_PROTECT_FAULTED && f.exception_code == code, "%s",
	      what);
	return rc == FAULTLINE_PROTECT_FAULTED;
}

/* 1 when pc lies in the function that starts at fn, by the function
 * table (.pdata) the unwinder itself uses. */
static int in_function(uintptr_t pc, uintptr_t fn)
{
	DWORD64 base;
	PRUNTIME_FUNCTION e = RtlLookupFunctionEntry(pc, &base, NULL);

	return e && base + e->BeginAddress == fn;
}

/* A recovered stack overflow comes back with its whole backtrace: the
 * recursion, and below it this function, which made the protected call.
 * (The handler has ~2 KB of stack left: without another thread walking
 * the stack, only frame 0 would be there.) */
static __attribute__((noinline)) void overflow_frames(const char *what)
{
	struct faultline_fault f;
	unsigned in_recurse = 0, in_caller = 0;
	char line[160];
	int rc;

	memset(&f, 0, sizeof(f));
	rc = faultline_protect(recurse, NULL, NULL, &f);
	for (size_t i = 0; i < f.frame_count && i < FAULTLINE_MAX_FRAMES; i++) {
		/* A return address may be just past its caller's end. */
		uintptr_t pc = f.frames[i] - (i > 0);

		in_recurse += in_function(pc, (uintptr_t)recurse);
		in_caller += in_function(pc, (uintptr_t)overflow_frames);
	}
	snprintf(line, sizeof(line),
		 "%s: %u frames, %u in recurse, %u in the protect caller", what,
		 (unsigned)f.frame_count, in_recurse, in_caller);
	CHECK(rc == FAULTLINE_PROTECT_FAULTED &&
		      f.exception_code == 0xC00000FDu &&
		      f.cause == FAULTLINE_CAUSE_STACK_OVERFLOW &&
		      f.frame_count > 10 && in_recurse > 10 && in_caller == 1 &&
		      in_function(f.pc, (uintptr_t)recurse),
	      "%s", line);
}

static DWORD WINAPI overflow_worker(LPVOID unused)
{
	(void)unused;
	overflow_frames("stack overflow on a worker, 1st");
	overflow_frames("stack overflow on a worker, 2nd");
	expect(read_null, 0xC0000005u, "the worker faults again after");
	return 0;
}

static int inner_rc;

static int outer(void *arg)
{
	inner_rc = faultline_protect(read_null, NULL, NULL, NULL);
	return (int)(intptr_t)arg;
}

static int mess_up_fenv(void *arg)
{
	fesetround(FE_TOWARDZERO);
	feraiseexcept(FE_DIVBYZERO);
	__asm__ volatile("fld1\n\tfld1\n\tfld1\n\tfld1\n\t"
			 "fld1\n\tfld1\n\tfld1\n\tfld1" ::
				 : "memory");
	return read_null(arg);
}

TEST(not_installed)
{
	int result = 0;

	CHECK(faultline_protect(returns_42, NULL, &result, NULL) == -1,
	      "not installed: -1");
	return 0;
}

TEST(returns_result)
{
	int result = 0;

	CHECK(faultline_install(NULL) == 0, "install");
	CHECK(faultline_protect(returns_42, NULL, &result, NULL) ==
			      FAULTLINE_PROTECT_RETURNED &&
		      result == 42,
	      "fn returns: its result");
	return 0;
}

TEST(access_violation)
{
	struct faultline_fault f;

	memset(&f, 0, sizeof(f));
	CHECK(faultline_protect(read_null, NULL, NULL, &f) ==
			      FAULTLINE_PROTECT_FAULTED &&
		      f.signo == FAULTLINE_SIGSEGV && f.address == 16 &&
		      f.access == FAULTLINE_ACCESS_READ &&
		      f.cause == FAULTLINE_CAUSE_NULL_DEREF &&
		      f.pc >= (uintptr_t)read_null &&
		      f.pc < (uintptr_t)read_null + 64 && f.frame_count >= 2,
	      "access violation: signal, address, access, pc, frames");
	return 0;
}

TEST(fault_kinds)
{
	expect(divide, 0xC0000094u, "integer divide by zero");
	expect(illegal, 0xC000001Du, "illegal instruction");
	expect(breakpoint, 0x80000003u, "breakpoint");
	return 0;
}

TEST(stack_overflow)
{
	HANDLE t;

	overflow_frames("stack overflow on main, 1st");
	overflow_frames("stack overflow on main, 2nd");
	t = CreateThread(NULL, 0, overflow_worker, NULL, 0, NULL);
	WaitForSingleObject(t, INFINITE);
	return 0;
}

TEST(nested_innermost_wins)
{
	int result = 0;

	CHECK(faultline_protect(outer, (void *)7, &result, NULL) ==
			      FAULTLINE_PROTECT_RETURNED &&
		      result == 7 && inner_rc == FAULTLINE_PROTECT_FAULTED,
	      "nested: the innermost call receives the fault");
	return 0;
}

TEST(fenv_restored)
{
	volatile long double a = 1.0L, b = 3.0L;
	int round, flags;

	fesetround(FE_DOWNWARD);
	feclearexcept(FE_ALL_EXCEPT);
	feraiseexcept(FE_INEXACT);
	faultline_protect(mess_up_fenv, NULL, NULL, NULL);
	round = fegetround() == FE_DOWNWARD;
	flags = fetestexcept(FE_ALL_EXCEPT) == FE_INEXACT;
	fesetround(FE_TONEAREST);
	CHECK(round && flags && a / b * 3.0L == a / b * 3.0L,
	      "floating-point environment as before the call");
	return 0;
}

TEST(cycles_without_growth)
{
	PROCESS_MEMORY_COUNTERS m0, m1;
	struct faultline_fault f;
	DWORD h0, h1;

	for (int i = 0; i < 1000; i++)
		faultline_protect(read_null, NULL, NULL, &f);
	GetProcessHandleCount(GetCurrentProcess(), &h0);
	GetProcessMemoryInfo(GetCurrentProcess(), &m0, sizeof(m0));
	for (int i = 0; i < 20000; i++)
		if (faultline_protect(read_null, NULL, NULL, &f) !=
		    FAULTLINE_PROTECT_FAULTED)
			break;
	GetProcessHandleCount(GetCurrentProcess(), &h1);
	GetProcessMemoryInfo(GetCurrentProcess(), &m1, sizeof(m1));
	CHECK(h1 == h0 && m1.PagefileUsage <= m0.PagefileUsage + 65536,
	      "20,000 cycles: no growth in handles or memory");
	return 0;
}
