/*
 * test-protect-win.c - faultline_protect on Windows, run under Wine by
 * make check: the properties of tests/protect/test-protect.c that the
 * Windows backend implements.  Prints one "ok"/"not ok" line per check;
 * the exit code is the verdict.  With an argument it is the child of the
 * other-thread check.
 */
#include <windows.h>

#include <fenv.h>
#include <psapi.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "faultline.h"

/* Wine can only deliver EXCEPTION_STACK_OVERFLOW when its exception frame
 * fits above the stack's last page, which depends on where the guard page
 * is hit: 64-byte frames land well (512-byte ones often do not: Wine then
 * ends the thread itself, before any handler). */
#define RECURSE_PAD 64
#include "fns.h"

static int failures;

static void check(int ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	failures += !ok;
}

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

	check(rc == FAULTLINE_PROTECT_FAULTED && f.exception_code == code,
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
	check(rc == FAULTLINE_PROTECT_FAULTED &&
		      f.exception_code == 0xC00000FDu &&
		      f.cause == FAULTLINE_CAUSE_STACK_OVERFLOW &&
		      f.frame_count > 10 && in_recurse > 10 && in_caller == 1 &&
		      in_function(f.pc, (uintptr_t)recurse),
	      line);
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

static HANDLE wait_event;

static int wait_forever(void *arg)
{
	(void)arg;
	SetEvent(wait_event);
	Sleep(INFINITE);
	return 0;
}

static DWORD WINAPI protected_waiter(LPVOID unused)
{
	(void)unused;
	faultline_protect(wait_forever, NULL, NULL, NULL);
	ExitProcess(3); /* the fault came to the waiter: wrong */
	return 0;
}

/* Child: thread A waits inside a protected call while this thread faults
 * outside any: the process must end with the fault's code and a report. */
static int other_thread_child(void)
{
	faultline_install(NULL);
	wait_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	CreateThread(NULL, 0, protected_waiter, NULL, 0, NULL);
	WaitForSingleObject(wait_event, INFINITE);
	read_null(NULL);
	return 4;
}

static void other_thread(const char *self)
{
	char cmd[MAX_PATH + 16];
	STARTUPINFOA si;
	PROCESS_INFORMATION pi;
	DWORD code = 0;

	snprintf(cmd, sizeof(cmd), "\"%s\" child", self);
	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);
	if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si,
			    &pi)) {
		check(0, "start the other-thread child");
		return;
	}
	WaitForSingleObject(pi.hProcess, 60000);
	GetExitCodeProcess(pi.hProcess, &code);
	check(code == 0xC0000005u,
	      "a fault on another thread still ends the process");
}

int main(int argc, char **argv)
{
	struct faultline_fault f;
	int result = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1)
		return other_thread_child();
	check(faultline_protect(returns_42, NULL, &result, NULL) == -1,
	      "not installed: -1");
	faultline_install(NULL);
	check(faultline_protect(returns_42, NULL, &result, NULL) ==
			      FAULTLINE_PROTECT_RETURNED &&
		      result == 42,
	      "fn returns: its result");

	memset(&f, 0, sizeof(f));
	check(faultline_protect(read_null, NULL, NULL, &f) ==
			      FAULTLINE_PROTECT_FAULTED &&
		      f.signo == FAULTLINE_SIGSEGV && f.address == 16 &&
		      f.access == FAULTLINE_ACCESS_READ &&
		      f.cause == FAULTLINE_CAUSE_NULL_DEREF &&
		      f.pc >= (uintptr_t)read_null &&
		      f.pc < (uintptr_t)read_null + 64 && f.frame_count >= 2,
	      "access violation: signal, address, access, pc, frames");
	expect(divide, 0xC0000094u, "integer divide by zero");
	expect(illegal, 0xC000001Du, "illegal instruction");
	expect(breakpoint, 0x80000003u, "breakpoint");
	overflow_frames("stack overflow on main, 1st");
	overflow_frames("stack overflow on main, 2nd");
	{
		HANDLE t =
			CreateThread(NULL, 0, overflow_worker, NULL, 0, NULL);
		WaitForSingleObject(t, INFINITE);
	}

	check(faultline_protect(outer, (void *)7, &result, NULL) ==
			      FAULTLINE_PROTECT_RETURNED &&
		      result == 7 && inner_rc == FAULTLINE_PROTECT_FAULTED,
	      "nested: the innermost call receives the fault");

	fesetround(FE_DOWNWARD);
	feclearexcept(FE_ALL_EXCEPT);
	feraiseexcept(FE_INEXACT);
	faultline_protect(mess_up_fenv, NULL, NULL, NULL);
	{
		volatile long double a = 1.0L, b = 3.0L;
		int round = fegetround() == FE_DOWNWARD;
		int flags = fetestexcept(FE_ALL_EXCEPT) == FE_INEXACT;

		fesetround(FE_TONEAREST);
		check(round && flags && a / b * 3.0L == a / b * 3.0L,
		      "floating-point environment as before the call");
	}

	{
		PROCESS_MEMORY_COUNTERS m0, m1;
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
		check(h1 == h0 && m1.PagefileUsage <= m0.PagefileUsage + 65536,
		      "20,000 cycles: no growth in handles or memory");
	}
	other_thread(argv[0]);
	return failures ? 1 : 0;
}
