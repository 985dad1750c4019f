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
 *  - the unhandled-exception filter takes every other fatal code, and
 *    hands codes we do not take to the previous filter.
 *  - the CRT's signal slot.  mingw's startup code runs main() inside an
 *    SEH frame whose filter is _gnu_exception_handler (and installs the
 *    same function as the unhandled-exception filter).  For an access
 *    violation, illegal instruction or arithmetic fault that no inner
 *    frame handled, it calls the program's signal(SIGSEGV/SIGILL/SIGFPE)
 *    handler and returns EXCEPTION_CONTINUE_EXECUTION: a handler that
 *    re-arms and returns re-runs the faulting instruction forever, and
 *    the unhandled-exception filter is never reached.  The point where
 *    the CRT calls that handler is exactly "no frame of the program
 *    handled it", so that is where faultline stands: on a first-chance
 *    fault the vectored handler notes the fault for this thread and puts
 *    a trampoline into the CRT's slot for that signal (remembering the
 *    program's handler).  If the CRT calls it, the program's handler
 *    runs first, as the CRT would have run it: one that longjmps out
 *    handled the fault; one that returns (re-armed or not), or raises
 *    the signal again, did not, and the fault is reported and the
 *    process ends (with the fault's code; 3 after a raise(), SIG_DFL's
 *    _exit(3)).  A raise() of the signal finds no fault noted and gets
 *    the program's own handler back, as if we were not there.
 *  - filters the program sets after us.  SetUnhandledExceptionFilter has
 *    one slot, and a filter set later replaces ours: if it returns
 *    EXCEPTION_CONTINUE_SEARCH (or EXECUTE_HANDLER, which ends the
 *    process silently) nothing would be reported.  Windows has no
 *    preload to interpose the call, and an import-table hook misses
 *    GetProcAddress and DLLs loaded later; a vectored *continue* handler
 *    is never called on that path (nor at all by Wine 8).  So faultline
 *    takes the slot back when a fatal exception starts being dispatched
 *    (first chance, before any filter runs) and keeps the filter it
 *    displaced: ours calls that one first, returns what it returns when
 *    it continues execution, and reports when it declines; one that
 *    ends the process itself is never returned from.  A displaced filter
 *    that chains to the one it replaced (ours) reaches the report too.
 *    The filters set *before* faultline are not run first: mingw's
 *    startup sets _gnu_exception_handler, which on x64 returns
 *    EXCEPTION_CONTINUE_EXECUTION for array-bounds, misalignment,
 *    integer-overflow, float-stack and invalid-handle exceptions, so a
 *    raised EXCEPTION_ARRAY_BOUNDS_EXCEEDED would return from
 *    RaiseException as if handled (the earlier attempt that ran every
 *    filter first failed on exactly that).
 *
 * The C and C++ runtimes' own failure paths raise no exception at all
 * (abort(), invalid parameters, pure virtual calls, std::terminate):
 * crt.c and cxx.c take their handlers.
 */
#include "win.h"

#include <errno.h>
#include <signal.h>

#include "platform.h"
#include "sink.h"

static PVOID veh_handle;
static LPTOP_LEVEL_EXCEPTION_FILTER prev_filter;
/* The filter the program set after ours, displaced when we took the slot
 * back; run first by ours. */
static LPTOP_LEVEL_EXCEPTION_FILTER volatile later_filter;
static volatile LONG installed;

/* --- the CRT's signal slots -------------------------------------------- */

typedef void (*crt_handler)(int);

/* The CRT signal _gnu_exception_handler consults for code, 0 for none
 * (its own switch: access violation -> SIGSEGV, illegal and privileged
 * instruction -> SIGILL, integer and float arithmetic -> SIGFPE). */
static int crt_signal_of(DWORD code)
{
	switch (code) {
	case STATUS_ACCESS_VIOLATION:
		return SIGSEGV;
	case STATUS_ILLEGAL_INSTRUCTION:
	case STATUS_PRIVILEGED_INSTRUCTION:
		return SIGILL;
	case STATUS_INTEGER_DIVIDE_BY_ZERO:
	case STATUS_INTEGER_OVERFLOW:
	case STATUS_FLOAT_DENORMAL_OPERAND:
	case STATUS_FLOAT_DIVIDE_BY_ZERO:
	case STATUS_FLOAT_INEXACT_RESULT:
	case STATUS_FLOAT_INVALID_OPERATION:
	case STATUS_FLOAT_OVERFLOW:
	case STATUS_FLOAT_STACK_CHECK:
	case STATUS_FLOAT_UNDERFLOW:
		return SIGFPE;
	default:
		return 0;
	}
}

/* The fault being dispatched on this thread: its record and context (the
 * EXCEPTION_POINTERS the vectored handler gets is the dispatcher's local
 * and is gone by the time the CRT's filter runs; what it points to is
 * not).  TlsAlloc: mingw's __thread is emulated TLS that allocates. */
static DWORD pending_rec = TLS_OUT_OF_INDEXES;
static DWORD pending_ctx = TLS_OUT_OF_INDEXES;
/* The trampoline's frame while it runs the program's handler for a live
 * fault on this thread (a raise() from that handler comes back to it);
 * while our filter runs the program's later filter (1). */
static DWORD handler_frame = TLS_OUT_OF_INDEXES;
static DWORD in_later = TLS_OUT_OF_INDEXES;
/* The program's handlers our trampoline stands in for, by signal. */
static volatile crt_handler saved_crt[NSIG];
static volatile LONG crt_hooked[NSIG];

static void crt_trampoline(int sig);

/* [first chance] Note ep as this thread's fault and make sure the CRT
 * would call us (who run the program's handler first) if no frame
 * handles it. */
static void stand_in_crt_slot(EXCEPTION_POINTERS *ep, int sig)
{
	crt_handler old;

	if (pending_rec == TLS_OUT_OF_INDEXES ||
	    pending_ctx == TLS_OUT_OF_INDEXES)
		return;
	TlsSetValue(pending_rec, ep->ExceptionRecord);
	TlsSetValue(pending_ctx, ep->ContextRecord);
	TlsSetValue(handler_frame, NULL);
	old = signal(sig, crt_trampoline);
	if (old == SIG_ERR)
		return;
	if (old == SIG_DFL) {
		/* The CRT would decline: the filters decide, later ones
		 * first (stay_on_top). */
		signal(sig, SIG_DFL);
		return;
	}
	if (old != crt_trampoline)
		saved_crt[sig] = old;
	InterlockedExchange(&crt_hooked[sig], 1);
}

/* rec/ctx are a fault still being dispatched on this thread, of a code
 * the CRT maps to sig: they lie in a caller's frame (above our stack
 * pointer, below the stack base) and the record still says so.  A fault
 * that an inner frame handled left stale pointers: its frames are gone,
 * and the frames of whatever called raise() since have overwritten them
 * or lie elsewhere. */
static int is_live_fault(EXCEPTION_RECORD *rec, CONTEXT *ctx, int sig)
{
	uintptr_t here = (uintptr_t)&rec, hi = fl_win_stack_base();

	if (!rec || !ctx)
		return 0;
	if ((uintptr_t)rec <= here || (uintptr_t)rec >= hi ||
	    (uintptr_t)ctx <= here || (uintptr_t)ctx >= hi)
		return 0;
	return crt_signal_of(rec->ExceptionCode) == sig &&
	       (uintptr_t)rec->ExceptionAddress == ctx->Rip;
}

static int is_program_handler(crt_handler h)
{
	return h && h != SIG_DFL && h != SIG_IGN && h != SIG_ERR &&
	       h != crt_trampoline;
}

/* The CRT calls us for a fault no frame handled, with the slot reset to
 * SIG_DFL: run the program's handler as the CRT would have, but with us
 * in the slot again, so that a raise() from it comes back here.  A
 * longjmp out of it handled the fault. */
static void run_program_handler(int sig)
{
	crt_handler h = saved_crt[sig];
	char frame;

	if (!is_program_handler(h))
		return;
	saved_crt[sig] = SIG_DFL; /* what the CRT left in the slot */
	TlsSetValue(handler_frame, &frame);
	signal(sig, crt_trampoline);
	h(sig);
	TlsSetValue(handler_frame, NULL);
}

/* A raise(sig) from the program's handler of the live fault rec/ctx:
 * the handler did not handle it. */
static int is_reraise(EXCEPTION_RECORD *rec, CONTEXT *ctx, int sig)
{
	char *frame = TlsGetValue(handler_frame), here;

	return frame && &here < frame && is_live_fault(rec, ctx, sig);
}

static void crt_trampoline(int sig)
{
	EXCEPTION_RECORD *rec = NULL;
	CONTEXT *ctx = NULL;
	crt_handler h;

	if (pending_rec != TLS_OUT_OF_INDEXES &&
	    pending_ctx != TLS_OUT_OF_INDEXES) {
		rec = TlsGetValue(pending_rec);
		ctx = TlsGetValue(pending_ctx);
	}
	if (installed && is_reraise(rec, ctx, sig))
		fl_win_crash(rec, ctx, 3, 0); /* SIG_DFL's _exit(3) */
	if (installed && is_live_fault(rec, ctx, sig)) {
		run_program_handler(sig);
		fl_win_crash(rec, ctx, rec->ExceptionCode, 0);
	}
	if (rec || ctx) {
		TlsSetValue(pending_rec, NULL);
		TlsSetValue(pending_ctx, NULL);
	}
	/* raise(sig), or faultline was uninstalled: the program's own
	 * handler, put back in its slot as if we had never been there (the
	 * CRT reset the slot to SIG_DFL before calling us). */
	h = saved_crt[sig];
	InterlockedExchange(&crt_hooked[sig], 0);
	signal(sig, h);
	if (h == SIG_DFL)
		raise(sig); /* the CRT's default: _exit(3) */
	else if (h != SIG_IGN && h != SIG_ERR && h)
		h(sig);
}

static void leave_crt_slots(void)
{
	for (int sig = 1; sig < NSIG; sig++) {
		crt_handler cur;

		if (!crt_hooked[sig])
			continue;
		cur = signal(sig, saved_crt[sig]);
		if (cur != crt_trampoline && cur != SIG_ERR)
			signal(sig, cur); /* the program set its own since */
		crt_hooked[sig] = 0;
	}
}

static int wanted(int signo)
{
	return (fl_config.signals & FAULTLINE_SIGNAL_BIT(signo)) != 0;
}

/* An exception with error severity (top bits 11): a real failure. */
static int is_error(DWORD code)
{
	return (code & 0xC0000000u) == 0xC0000000u;
}

static LONG WINAPI unhandled(EXCEPTION_POINTERS *ep);

/* [first chance] Ours in the filter slot again, keeping the filter the
 * program set since to run it first. */
static void stay_on_top(void)
{
	LPTOP_LEVEL_EXCEPTION_FILTER cur =
		SetUnhandledExceptionFilter(unhandled);

	if (cur != unhandled)
		InterlockedExchangePointer((PVOID volatile *)&later_filter,
					   (PVOID)cur);
}

static LONG CALLBACK vectored(EXCEPTION_POINTERS *ep)
{
	EXCEPTION_RECORD *rec = ep->ExceptionRecord;
	DWORD code = rec->ExceptionCode;
	const struct fl_win_status *st;

	if (!installed)
		return EXCEPTION_CONTINUE_SEARCH;
	/* A fault inside faultline_protect on this thread is no crash. */
	if (fl_win_protect_recover(ep))
		return EXCEPTION_CONTINUE_EXECUTION;
	/* A fault on the reporter thread is a fault inside the handler:
	 * nothing we could still do is safe, end now with the code of the
	 * crash being reported.  (The symbol thread runs dbghelp, which may
	 * probe memory under its own __try: left to the filter.) */
	if (is_error(code) && fl_win_is_reporter_thread())
		fl_win_die_in_handler(code);
	st = fl_win_status_find(code);
	if (!st || !wanted(st->signo) || fl_win_status_benign(code))
		return EXCEPTION_CONTINUE_SEARCH;
	if (st->cls != FL_WIN_IMMEDIATE) {
		int sig = crt_signal_of(code);

		/* Not for the symbol thread's own handled faults: the CRT
		 * slots and the filter are the program's business. */
		if (fl_win_is_own_thread())
			return EXCEPTION_CONTINUE_SEARCH;
		if (sig)
			stand_in_crt_slot(ep, sig);
		stay_on_top();
		return EXCEPTION_CONTINUE_SEARCH;
	}
	/* Almost nothing on this stack: hand over and wait. */
	fl_win_crash(rec, ep->ContextRecord, code, 0);
}

static int takes(DWORD code)
{
	const struct fl_win_status *st = fl_win_status_find(code);

	return installed && st && !fl_win_status_benign(code) &&
	       wanted(st->signo);
}

/* The program's later filter decides first, on a thread of its own, not
 * when it chained back to us (that is its "declined"): 1 when it ran,
 * with its verdict. */
static int ask_later(EXCEPTION_POINTERS *ep, LONG *verdict)
{
	LPTOP_LEVEL_EXCEPTION_FILTER later = later_filter;

	if (!later || in_later == TLS_OUT_OF_INDEXES || TlsGetValue(in_later) ||
	    fl_win_is_own_thread())
		return 0;
	TlsSetValue(in_later, (void *)1);
	*verdict = later(ep);
	TlsSetValue(in_later, NULL);
	return 1;
}

static LONG WINAPI unhandled(EXCEPTION_POINTERS *ep)
{
	EXCEPTION_RECORD *rec = ep->ExceptionRecord;
	DWORD code = rec->ExceptionCode;
	LONG verdict = EXCEPTION_CONTINUE_SEARCH;
	int asked = ask_later(ep, &verdict);

	/* Continuing is handling; anything else (EXECUTE_HANDLER ends the
	 * process without a word) leaves the crash to us. */
	if (asked && verdict == EXCEPTION_CONTINUE_EXECUTION)
		return verdict;
	if (takes(code)) {
		if (fl_win_is_own_thread())
			fl_win_die_in_handler(code);
		fl_win_crash(rec, ep->ContextRecord, code, 0);
	}
	if (asked) /* not ours to judge: what it said, as without us */
		return verdict;
	return prev_filter ? prev_filter(ep) : EXCEPTION_CONTINUE_SEARCH;
}

/* The runtimes' failure paths all end as SIGABRT does. */
static void hook_runtimes(void)
{
	int want = wanted(FAULTLINE_SIGABRT);

	fl_win_crt_hook(want);
	fl_win_cxx_hook(want);
}

int fl_platform_install(const struct fl_config *cfg)
{
	/* The handler reads only fl_config: a copy made before any handler
	 * is in place, or (later calls) a change of options. */
	fl_config = *cfg;
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
		if (pending_rec == TLS_OUT_OF_INDEXES)
			pending_rec = TlsAlloc();
		if (pending_ctx == TLS_OUT_OF_INDEXES)
			pending_ctx = TlsAlloc();
		if (handler_frame == TLS_OUT_OF_INDEXES)
			handler_frame = TlsAlloc();
		if (in_later == TLS_OUT_OF_INDEXES)
			in_later = TlsAlloc();
		prev_filter = SetUnhandledExceptionFilter(unhandled);
		fl_platform_thread_init();
	}
	hook_runtimes();
	fl_win_minidump_prepare();
	InterlockedExchange(&installed, 1);
	fl_win_protect_enable(1);
	return 0;
}

int fl_platform_uninstall(void)
{
	if (!veh_handle)
		return 0;
	InterlockedExchange(&installed, 0);
	fl_win_protect_enable(0);
	RemoveVectoredExceptionHandler(veh_handle);
	veh_handle = NULL;
	/* Put back the filter we displaced (the program's later one, else
	 * the one before us) only if nobody replaced ours since: restoring
	 * over a later owner would silently unhook it. */
	{
		LPTOP_LEVEL_EXCEPTION_FILTER back =
			later_filter ? later_filter : prev_filter;
		LPTOP_LEVEL_EXCEPTION_FILTER cur =
			SetUnhandledExceptionFilter(back);
		if (cur != unhandled)
			SetUnhandledExceptionFilter(cur);
		later_filter = NULL;
	}
	fl_win_crt_hook(0);
	fl_win_cxx_hook(0);
	leave_crt_slots();
	fl_win_reporter_stop();
	return 0;
}

int fl_platform_thread_init(void)
{
	fl_win_stack_guarantee(fl_config.altstack_size);
	return 0;
}
