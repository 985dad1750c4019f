/*
 * veh.c - where faultline stands in the Windows exception chain.
 *
 * An exception goes: vectored handlers (first chance) -> the thread's SEH
 * frames (__try, IsBadReadPtr, system DLLs probing memory) -> the
 * unhandled-exception filter.  faultline stands at both ends:
 *
 *  - a vectored handler, added first, acts at once only where waiting is
 *    worse than acting: stack overflow (no stack left to walk the SEH
 *    chain), heap corruption and the fail-fast family (state is gone).
 *    Every other first-chance exception passes untouched, so a fault the
 *    program handles itself is never reported (Python bpo-31701, Go
 *    #56082 are what reporting first-chance faults breaks).
 *  - the unhandled-exception filter takes every other fatal code.  It
 *    replaces the mingw CRT's _gnu_exception_handler, which mingw's
 *    startup code installs there: that one calls a signal(SIGSEGV)
 *    handler and returns EXCEPTION_CONTINUE_EXECUTION, re-running the
 *    faulting instruction forever when the handler re-arms and returns.
 *    We report and terminate instead, and hand codes we do not take to
 *    the previous filter.
 *
 * abort() raises no exception: the CRT calls the SIGABRT handler and
 * then _exit(3).  faultline hooks SIGABRT with signal() and reports from
 * a captured context, ending with exit code 3 as the CRT would.
 */
#include "win.h"

#include <errno.h>
#include <signal.h>

#include "platform.h"
#include "sink.h"

static PVOID veh_handle;
static LPTOP_LEVEL_EXCEPTION_FILTER prev_filter;
static void (*prev_abrt)(int);
static int abrt_hooked;
static volatile LONG installed;

static int wanted(int signo)
{
	return (fl_config.signals & FAULTLINE_SIGNAL_BIT(signo)) != 0;
}

/* An exception with error severity (top bits 11): a real failure. */
static int is_error(DWORD code)
{
	return (code & 0xC0000000u) == 0xC0000000u;
}

static LONG CALLBACK vectored(EXCEPTION_POINTERS *ep)
{
	EXCEPTION_RECORD *rec = ep->ExceptionRecord;
	DWORD code = rec->ExceptionCode;
	const struct fl_win_status *st;

	if (!installed)
		return EXCEPTION_CONTINUE_SEARCH;
	/* A fault on the reporter thread is a fault inside the handler:
	 * nothing we could still do is safe, end now with the code of the
	 * crash being reported.  (The symbol thread runs dbghelp, which may
	 * probe memory under its own __try: left to the filter.) */
	if (is_error(code) && fl_win_is_reporter_thread())
		fl_win_die_in_handler(code);
	if (fl_win_status_class(code) != FL_WIN_IMMEDIATE)
		return EXCEPTION_CONTINUE_SEARCH;
	st = fl_win_status_find(code);
	if (!st || !wanted(st->signo))
		return EXCEPTION_CONTINUE_SEARCH;
	/* Almost nothing on this stack: hand over and wait. */
	fl_win_crash(rec, ep->ContextRecord, code, 0);
}

static LONG WINAPI unhandled(EXCEPTION_POINTERS *ep)
{
	EXCEPTION_RECORD *rec = ep->ExceptionRecord;
	DWORD code = rec->ExceptionCode;
	const struct fl_win_status *st = fl_win_status_find(code);

	if (installed && st && !fl_win_status_benign(code) &&
	    wanted(st->signo)) {
		if (fl_win_is_own_thread())
			fl_win_die_in_handler(code);
		fl_win_crash(rec, ep->ContextRecord, code, 0);
	}
	return prev_filter ? prev_filter(ep) : EXCEPTION_CONTINUE_SEARCH;
}

static void on_abort(int sig)
{
	CONTEXT ctx;
	EXCEPTION_RECORD rec;

	(void)sig;
	fl_memset(&rec, 0, sizeof(rec)); /* code 0: the CRT's abort() */
	RtlCaptureContext(&ctx);
	rec.ExceptionAddress = (PVOID)ctx.Rip;
	/* Skip this handler's own frame: the report starts in the CRT. */
	fl_win_crash(&rec, &ctx, 3, 1);
}

static void hook_abort(void)
{
	if (wanted(FAULTLINE_SIGABRT) && !abrt_hooked) {
		prev_abrt = signal(SIGABRT, on_abort);
		abrt_hooked = prev_abrt != SIG_ERR;
	} else if (!wanted(FAULTLINE_SIGABRT) && abrt_hooked) {
		signal(SIGABRT, prev_abrt);
		abrt_hooked = 0;
	}
}

int fl_platform_install(const struct fl_config *cfg)
{
	(void)cfg; /* fl_config already holds it; read at crash time */
	if (!veh_handle) {
		fl_win_platform_prepare();
		fl_win_modules_prepare();
		if (fl_win_reporter_start() != 0) {
			fl_win_reporter_stop();
			errno = ENOMEM;
			return -1;
		}
		/* First in the vectored list: we must see a stack overflow
		 * before anyone else spends what is left of the stack. */
		veh_handle = AddVectoredExceptionHandler(1, vectored);
		if (!veh_handle) {
			fl_win_reporter_stop();
			errno = ENOMEM;
			return -1;
		}
		prev_filter = SetUnhandledExceptionFilter(unhandled);
		fl_platform_thread_init();
	}
	hook_abort();
	InterlockedExchange(&installed, 1);
	return 0;
}

int fl_platform_uninstall(void)
{
	if (!veh_handle)
		return 0;
	InterlockedExchange(&installed, 0);
	RemoveVectoredExceptionHandler(veh_handle);
	veh_handle = NULL;
	/* Put the previous filter back only if nobody replaced ours since:
	 * restoring over a later owner would silently unhook it. */
	{
		LPTOP_LEVEL_EXCEPTION_FILTER cur =
			SetUnhandledExceptionFilter(prev_filter);
		if (cur != unhandled)
			SetUnhandledExceptionFilter(cur);
	}
	if (abrt_hooked) {
		signal(SIGABRT, prev_abrt);
		abrt_hooked = 0;
	}
	fl_win_reporter_stop();
	return 0;
}

int fl_platform_thread_init(void)
{
	/* Reserve stack that stays usable after an overflow, for the
	 * vectored handler (Windows; Wine accepts and ignores it). */
	ULONG guarantee = fl_config.altstack_size ? (ULONG)fl_config.altstack_size
						  : 16 * 1024;

	SetThreadStackGuarantee(&guarantee);
	return 0;
}
