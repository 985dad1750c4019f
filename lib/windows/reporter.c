/*
 * reporter.c - the threads that write the report.
 *
 * The crashed thread cannot be trusted to do the work itself: after a
 * stack overflow Wine leaves the vectored handler about 1.9 KB of stack,
 * not enough for the unwinder, let alone dbghelp.  So, as Breakpad and
 * Crashpad do, faultline creates its threads at install (creating one at
 * crash time would run every DLL's DllMain under the loader lock) and
 * the crashed thread only hands over pointers to its EXCEPTION_RECORD and
 * CONTEXT and waits.  Those stay valid: they live on the crashed thread's
 * stack, and that thread is parked until the process ends.
 *
 *   reporter thread  snapshot, unwind, modules, render, write,
 *                    TerminateProcess with the exception code
 *   symbol thread    dbghelp, which allocates and takes locks the crashed
 *                    thread may hold: the reporter waits for it a bounded
 *                    time, then prints what the export tables give
 *
 * The reporter thread also describes a stack overflow that a
 * faultline_protect call recovers (fl_win_describe_elsewhere): the
 * overflowed thread has the same 2 KB left and is blocked in its vectored
 * handler meanwhile, so its stack can be walked intact from here.
 */
#include "win.h"

#include "platform.h"
#include "sink.h"
#include "str.h"

/* How long the reporter waits for dbghelp's names. */
#define FL_SYMBOL_TIMEOUT_MS 5000
/* How long a crashed thread waits for the whole report before it ends
 * the process itself (a reporter stuck on a pipe nobody reads). */
#define FL_REPORT_TIMEOUT_MS 20000
#define FL_THREAD_STACK (512 * 1024)
/* How long a protected call's overflowed thread waits for its description
 * (generous: a 1 MB stack of small frames is some 10,000 unwind steps). */
#define FL_PROTECT_TIMEOUT_MS 5000

static HANDLE reporter_thread, symbol_thread;
static DWORD reporter_tid, symbol_tid;
static HANDLE ev_report, ev_symbols, ev_symbols_done;
static volatile LONG quitting;

/* The crash being reported; written once by the thread that won owner. */
static struct {
	EXCEPTION_RECORD *rec;
	CONTEXT *ctx;
	DWORD tid;
	uint32_t exit_code;
	unsigned skip;
	uintptr_t stack_hi;
	const struct fl_win_why *why; /* a CRT failure, or NULL */
	int hand_back; /* the crashed thread ends the process, not us */
} crash;
/* Thread id of the first crashing thread: the one that gets reported. */
static volatile LONG owner;
/* Its report is written and the CRT ends the process its own way. */
static volatile LONG handed_back;

static struct fl_snapshot snap;
/* The crashed thread's description, from the symbol thread. */
static char thread_name[sizeof(((struct faultline_fault *)0)->thread_name)];
static volatile LONG thread_name_ready;

/* One protect description at a time.  The request is copied here, not
 * pointed to: a requester that gives up lands and reuses its stack, where
 * the OS put its record and CONTEXT, while we may still be reading. */
enum {
	PROT_FREE,  /* nobody asking */
	PROT_ASKED, /* a requester filled prot and waits */
	PROT_DONE,  /* prot.fault is ready; the requester copies and frees */
	PROT_ABANDONED, /* the requester timed out: we free when finished */
};
static volatile LONG prot_state;
static HANDLE ev_protect, ev_protect_done;
static struct {
	EXCEPTION_RECORD rec;
	CONTEXT ctx;
	DWORD tid;
	uintptr_t stack_hi;
	struct faultline_fault fault;
} prot;

__declspec(noreturn) void fl_win_die(uint32_t code)
{
	TerminateProcess(GetCurrentProcess(), code);
	/* TerminateProcess on ourselves does not return; if it somehow
	 * did, do not fall back into the faulting code. */
	for (;;)
		Sleep(INFINITE);
}

__declspec(noreturn) void fl_win_die_in_handler(uint32_t code)
{
	/* The callback faulted: its report still gets its end. */
	fl_handle_t open = fl_report_take_open();

	if (open != FL_NO_HANDLE)
		fl_report_write_end(open);
	fl_win_die(owner && crash.exit_code ? crash.exit_code : code);
}

int fl_win_is_reporter_thread(void)
{
	return reporter_tid && GetCurrentThreadId() == reporter_tid;
}

int fl_win_is_own_thread(void)
{
	DWORD me = GetCurrentThreadId();

	return (reporter_tid && me == reporter_tid) ||
	       (symbol_tid && me == symbol_tid);
}

/* What the CRT said replaces what the exception code says. */
static void apply_why(struct faultline_fault *f, const struct fl_win_why *why)
{
	f->cause = why->cause;
	if (why->code_name)
		f->code_name = why->code_name;
	fl_fault_explain(f, 0);
	if (why->text && why->text[0])
		fl_strlcpy(f->cause_text, why->text, sizeof(f->cause_text));
}

static void report(void)
{
	fl_win_fault_capture(&snap.fault, crash.rec, crash.ctx, crash.tid);
	if (crash.why)
		apply_why(&snap.fault, crash.why);
	fl_win_unwind(crash.ctx, crash.stack_hi, crash.skip, &snap.fault);
	fl_platform_exe_path(snap.exe_path, sizeof(snap.exe_path));
	snap.include = fl_config.include;
	/* Names from dbghelp, if it answers in time. */
	fl_win_symcache_reset();
	if (symbol_thread) {
		SetEvent(ev_symbols);
		WaitForSingleObject(ev_symbols_done, FL_SYMBOL_TIMEOUT_MS);
	}
	if (thread_name_ready)
		fl_strlcpy(snap.fault.thread_name, thread_name,
			   sizeof(snap.fault.thread_name));
	fl_win_minidump_write(&snap, crash.rec, crash.ctx, crash.tid);
	fl_report_emit(&snap);
}

/* The crashed thread's description (SetThreadDescription, Windows 10
 * 1607+ and Wine), fetched on the symbol thread: GetThreadDescription
 * allocates its answer on the process heap, whose lock the crashed
 * thread may hold.  Published like the dbghelp names. */

typedef HRESULT(WINAPI *get_description_fn)(HANDLE, PWSTR *);

static void fetch_thread_name(DWORD tid)
{
	HMODULE k32 = GetModuleHandleW(L"kernel32.dll");
	get_description_fn get = NULL;
	HANDLE t;
	PWSTR desc = NULL;

	if (k32)
		get = (get_description_fn)(void (*)(void))GetProcAddress(
			k32, "GetThreadDescription");
	if (!get)
		return;
	t = OpenThread(THREAD_QUERY_LIMITED_INFORMATION, FALSE, tid);
	if (!t)
		return;
	if (SUCCEEDED(get(t, &desc)) && desc && desc[0]) {
		fl_win_utf16_to_utf8(desc, (size_t)lstrlenW(desc), thread_name,
				     sizeof(thread_name));
		InterlockedExchange(&thread_name_ready, 1);
	}
	if (desc)
		LocalFree(desc);
	CloseHandle(t);
}

static DWORD WINAPI symbol_main(LPVOID unused)
{
	(void)unused;
	WaitForSingleObject(ev_symbols, INFINITE);
	if (quitting)
		return 0;
	fetch_thread_name(crash.tid);
	fl_win_dbghelp_resolve(&snap.fault);
	SetEvent(ev_symbols_done);
	return 0;
}

/* [reporter thread] Describe and unwind the protect request in prot. */
static void describe_protected(void)
{
	fl_win_fault_capture(&prot.fault, &prot.rec, &prot.ctx, prot.tid);
	fl_win_unwind(&prot.ctx, prot.stack_hi, 0, &prot.fault);
	if (InterlockedCompareExchange(&prot_state, PROT_DONE, PROT_ASKED) ==
	    PROT_ABANDONED)
		InterlockedExchange(&prot_state, PROT_FREE);
	else
		SetEvent(ev_protect_done);
}

static DWORD WINAPI reporter_main(LPVOID unused)
{
	HANDLE ev[2] = {ev_report, ev_protect};

	(void)unused;
	for (;;) {
		/* Lowest index first: a crash report wins over a protect
		 * description, whose requester falls back on its own. */
		DWORD w = WaitForMultipleObjects(2, ev, FALSE, INFINITE);

		if (quitting || w == WAIT_FAILED)
			return 0;
		if (w == WAIT_OBJECT_0)
			break;
		if (w == WAIT_OBJECT_0 + 1)
			describe_protected();
	}
	report();
	if (crash.hand_back)
		return 0; /* the crashed thread waits for our end */
	fl_win_die(crash.exit_code);
}

int fl_win_describe_elsewhere(const EXCEPTION_RECORD *r, const CONTEXT *c,
			      uintptr_t stack_hi, struct faultline_fault *out)
{
	ULONGLONG start = GetTickCount64();

	if (!reporter_thread || !ev_protect || !ev_protect_done)
		return -1;
	/* Another thread's overflow is being described: wait our turn,
	 * boundedly.  A flag, not a lock object: a requester that timed out
	 * leaves it to the reporter thread to release. */
	while (InterlockedCompareExchange(&prot_state, PROT_ASKED, PROT_FREE) !=
	       PROT_FREE) {
		if (GetTickCount64() - start >= FL_PROTECT_TIMEOUT_MS)
			return -1;
		Sleep(1);
	}
	fl_memcpy(&prot.rec, r, sizeof(prot.rec));
	prot.rec.ExceptionRecord = NULL; /* a chain we would not follow */
	fl_memcpy(&prot.ctx, c, sizeof(prot.ctx));
	prot.tid = GetCurrentThreadId();
	prot.stack_hi = stack_hi;
	/* A requester that timed out may have left the event set. */
	ResetEvent(ev_protect_done);
	SetEvent(ev_protect);
	if (WaitForSingleObject(ev_protect_done, FL_PROTECT_TIMEOUT_MS) !=
		    WAIT_OBJECT_0 &&
	    InterlockedCompareExchange(&prot_state, PROT_ABANDONED,
				       PROT_ASKED) == PROT_ASKED)
		return -1; /* the reporter frees prot when it is done */
	/* PROT_DONE: finished (possibly just after the timeout). */
	fl_memcpy(out, &prot.fault, sizeof(*out));
	InterlockedExchange(&prot_state, PROT_FREE);
	return 0;
}

/* Hand the crash to the reporter thread; returns once the report is
 * written (hand_back) or, without hand_back, never.  A second crash, or
 * one of the same thread while it is being reported, ends the process. */
static void hand_over(EXCEPTION_RECORD *rec, CONTEXT *ctx, uint32_t exit_code,
		      unsigned skip, const struct fl_win_why *why,
		      int hand_back)
{
	DWORD me = GetCurrentThreadId();
	LONG prev = InterlockedCompareExchange(&owner, (LONG)me, 0);

	if (prev == (LONG)me)
		fl_win_die(exit_code); /* we faulted while handing over */
	if (prev != 0) {
		/* Another thread crashed first and is being reported: one
		 * report, then the process ends with the first crash's
		 * code.  Wait for that, boundedly. */
		if (reporter_thread)
			WaitForSingleObject(reporter_thread,
					    FL_REPORT_TIMEOUT_MS);
		if (crash.hand_back)
			/* ... by the CRT's own end, on that thread. */
			Sleep(FL_REPORT_TIMEOUT_MS);
		fl_win_die(crash.exit_code ? crash.exit_code : exit_code);
	}
	crash.rec = rec;
	crash.ctx = ctx;
	crash.tid = me;
	crash.exit_code = exit_code;
	crash.skip = skip;
	crash.why = why;
	crash.hand_back = hand_back;
	/* The crashed thread's stack ends here (NT_TIB.StackBase): the
	 * unwinder must not read beyond it. */
	crash.stack_hi = fl_win_stack_base();
	if (!reporter_thread) {
		/* Install could not start the thread: report from here. */
		report();
	} else {
		SetEvent(ev_report);
		WaitForSingleObject(reporter_thread, FL_REPORT_TIMEOUT_MS);
	}
	if (!hand_back)
		fl_win_die(exit_code);
	InterlockedExchange(&handed_back, 1);
}

__declspec(noreturn) void fl_win_crash(EXCEPTION_RECORD *rec, CONTEXT *ctx,
				       uint32_t exit_code, unsigned skip)
{
	hand_over(rec, ctx, exit_code, skip, NULL, 0);
	fl_win_die(exit_code);
}

__declspec(noreturn) void fl_win_crash_why(EXCEPTION_RECORD *rec, CONTEXT *ctx,
					   uint32_t exit_code, unsigned skip,
					   const struct fl_win_why *why)
{
	hand_over(rec, ctx, exit_code, skip, why, 0);
	fl_win_die(exit_code);
}

void fl_win_report_why(EXCEPTION_RECORD *rec, CONTEXT *ctx, uint32_t exit_code,
		       unsigned skip, const struct fl_win_why *why)
{
	hand_over(rec, ctx, exit_code, skip, why, 1);
}

int fl_win_reported_here(void)
{
	return handed_back && (DWORD)owner == GetCurrentThreadId();
}

int fl_win_reporter_start(void)
{
	if (reporter_thread)
		return 0;
	quitting = 0;
	ev_report = CreateEventW(NULL, FALSE, FALSE, NULL);
	ev_symbols = CreateEventW(NULL, FALSE, FALSE, NULL);
	ev_symbols_done = CreateEventW(NULL, TRUE, FALSE, NULL);
	ev_protect = CreateEventW(NULL, FALSE, FALSE, NULL);
	ev_protect_done = CreateEventW(NULL, FALSE, FALSE, NULL);
	prot_state = PROT_FREE;
	if (!ev_report || !ev_symbols || !ev_symbols_done || !ev_protect ||
	    !ev_protect_done)
		return -1;
	reporter_thread =
		CreateThread(NULL, FL_THREAD_STACK, reporter_main, NULL,
			     STACK_SIZE_PARAM_IS_A_RESERVATION, &reporter_tid);
	if (!reporter_thread)
		return -1;
	/* Without the symbol thread, reports carry export names only. */
	symbol_thread =
		CreateThread(NULL, FL_THREAD_STACK, symbol_main, NULL,
			     STACK_SIZE_PARAM_IS_A_RESERVATION, &symbol_tid);
	return 0;
}

void fl_win_reporter_stop(void)
{
	HANDLE *threads[] = {&reporter_thread, &symbol_thread};

	if (!reporter_thread)
		return;
	quitting = 1;
	SetEvent(ev_report);
	SetEvent(ev_symbols);
	for (size_t i = 0; i < 2; i++) {
		if (*threads[i]) {
			WaitForSingleObject(*threads[i], 5000);
			CloseHandle(*threads[i]);
			*threads[i] = NULL;
		}
	}
	reporter_tid = symbol_tid = 0;
	CloseHandle(ev_report);
	CloseHandle(ev_symbols);
	CloseHandle(ev_symbols_done);
	CloseHandle(ev_protect);
	CloseHandle(ev_protect_done);
	ev_report = ev_symbols = ev_symbols_done = NULL;
	ev_protect = ev_protect_done = NULL;
}
