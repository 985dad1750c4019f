/*
 * dump.c - reports of a running program on Windows: faultline_dump,
 * Ctrl-Break (FAULTLINE_DUMP_SIGNAL=BREAK, the JVM's convention) and the
 * hang watchdog (FAULTLINE_TIMEOUT, faultline_watchdog).
 *
 * Every report is written by the reporter thread (reporter.c), one at a
 * time, as a crash's is: a requester - the thread calling faultline_dump,
 * or the thread the console starts for a Ctrl-Break (it runs the
 * handlers of SetConsoleCtrlHandler) - captures its own context, hands it
 * over and waits; the reporter thread walks it (from the requester's
 * caller on), suspends and walks every other thread (threads.c), resumes
 * them, has the symbol thread name the frames and writes the report.
 *
 * The watchdog is a waitable timer the reporter thread waits on with its
 * other events: no thread of its own, no polling, nothing at all until it
 * is first armed.  On expiry the report's first thread is the one that
 * last armed it (the heartbeat's thread; for FAULTLINE_TIMEOUT the one
 * that installed faultline), suspended and walked; then the process ends
 * with exit code 3, as abort() ends it (the Windows C runtime's
 * convention for SIGABRT).
 *
 * A crash during a dump wins, as on POSIX: reporter.c tells us
 * (fl_win_dump_crash_coming), the dump being written stops between
 * threads with a line saying how many it did not write, and requests
 * from then on fail with EBUSY.
 */
#include "win.h"

#include "platform.h"
#include "str.h"

#include <errno.h>

/* How long a requester waits for another requester's dump to finish. */
#define FL_TURN_DUMP_WAIT_MS 10000

static HANDLE ev_request, ev_done, timer;
static HANDLE reporter;	   /* the reporter thread: gone means no answer */
static DWORD own_tids[2];  /* reporter, symbol thread */
static volatile LONG busy; /* a requester holds req */
static volatile LONG crashing;
static volatile DWORD armer; /* the thread that last armed the watchdog */
static volatile LONG armed_seconds;
static int break_handler; /* our console handler is registered */

static struct {
	CONTEXT ctx;
	DWORD tid;
	uintptr_t stack_hi;
	uintptr_t caller;
	fl_handle_t h;
	int signo; /* FAULTLINE_SIGBREAK: Ctrl-Break; 0: faultline_dump */
	int rc;
} req;

/* Page-aligned, like the crash's: a dump touches few pages of it. */
static FL_PAGE_ALIGNED struct fl_snapshot dump;

HANDLE fl_win_dump_event(void)
{
	return ev_request;
}

HANDLE fl_win_watchdog_timer(void)
{
	return timer;
}

void fl_win_dump_crash_coming(void)
{
	InterlockedExchange(&crashing, 1);
}

static int crash_coming(void)
{
	return crashing != 0;
}

int fl_win_dump_start(void)
{
	crashing = 0;
	ev_request = CreateEventW(NULL, FALSE, FALSE, NULL);
	ev_done = CreateEventW(NULL, FALSE, FALSE, NULL);
	timer = CreateWaitableTimerW(NULL, FALSE, NULL);
	return ev_request && ev_done && timer ? 0 : -1;
}

void fl_win_dump_own(HANDLE reporter_thread, DWORD reporter_tid,
		     DWORD symbol_tid)
{
	reporter = reporter_thread;
	own_tids[0] = reporter_tid;
	own_tids[1] = symbol_tid;
}

static BOOL WINAPI on_console(DWORD event);

void fl_win_dump_stop(void)
{
	HANDLE *h[] = {&ev_request, &ev_done, &timer};

	if (break_handler)
		SetConsoleCtrlHandler(on_console, FALSE);
	break_handler = 0;
	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		if (*h[i])
			CloseHandle(*h[i]);
		*h[i] = NULL;
	}
	reporter = NULL;
	own_tids[0] = own_tids[1] = 0;
	armed_seconds = 0;
}

/* --- the reporter thread's side ------------------------------------------
 */

/* The description of the suspended (or waiting) thread tid into f. */
static void name_thread(struct faultline_fault *f, HANDLE h)
{
	fl_win_thread_name(h, f->thread_name, sizeof(f->thread_name));
}

static void write_dump(const DWORD *skip, size_t nskip,
		       void (*resolve)(struct fl_snapshot *))
{
	DWORD others[3];
	size_t n = 0;

	others[n++] = (DWORD)dump.fault.tid;
	for (size_t i = 0; i < nskip && n < 3; i++)
		others[n++] = skip[i];
	dump.threads.reporting = 1;
	dump.threads.cut = crash_coming;
	dump.threads.count = dump.threads.not_listed = 0;
	if (fl_config.all_threads)
		fl_win_threads_capture(&dump.threads, others, n,
				       fl_config.thread_backtraces);
	fl_platform_exe_path(dump.exe_path, sizeof(dump.exe_path));
	dump.include = fl_config.include;
	resolve(&dump);
	/* No exception stream: nothing faulted.  The first thread is named
	 * by the report. */
	fl_win_minidump_write(&dump, NULL, NULL, (DWORD)dump.fault.tid);
}

void fl_win_dump_serve(const DWORD *skip, size_t nskip,
		       void (*resolve)(struct fl_snapshot *))
{
	struct faultline_fault *f = &dump.fault;
	HANDLE h;

	fl_memset(f, 0, sizeof(*f));
	f->pid = fl_platform_pid();
	f->tid = (long)req.tid;
	f->pc = req.ctx.Rip;
	f->sp = req.ctx.Rsp;
	fl_arch_fill(f, &req.ctx);
	fl_win_unwind(&req.ctx, req.stack_hi, 0, f);
	fl_frames_start_at(f, req.caller);
	fl_fault_explain_request(f, FAULTLINE_CAUSE_DUMP_REQUESTED, 0);
	/* No signal on Windows: a console event, which has no sender. */
	if (req.signo == FAULTLINE_SIGBREAK)
		fl_strlcpy(f->cause_text, "dump requested: Ctrl-Break",
			   sizeof(f->cause_text));
	h = OpenThread(THREAD_QUERY_LIMITED_INFORMATION, FALSE, req.tid);
	if (h) {
		name_thread(f, h);
		CloseHandle(h);
	}
	write_dump(skip, nskip, resolve);
	req.rc = fl_report_dump(&dump, req.h);
	SetEvent(ev_done);
}

void fl_win_watchdog_fire(const DWORD *skip, size_t nskip,
			  void (*resolve)(struct fl_snapshot *))
{
	struct faultline_fault *f = &dump.fault;
	DWORD tid = armer;
	HANDLE h = OpenThread(THREAD_SUSPEND_RESUME | THREAD_GET_CONTEXT |
				      THREAD_QUERY_INFORMATION,
			      FALSE, tid);
	int suspended = h && SuspendThread(h) != (DWORD)-1;

	fl_memset(f, 0, sizeof(*f));
	f->pid = fl_platform_pid();
	f->tid = (long)tid;
	if (suspended)
		fl_win_thread_walk(h, f, 0);
	if (h)
		name_thread(f, h);
	fl_fault_explain_request(f, FAULTLINE_CAUSE_WATCHDOG,
				 (unsigned)armed_seconds);
	write_dump(skip, nskip, resolve);
	dump.threads.cut = NULL;
	fl_report_emit(&dump);
	/* The death abort() gives: the CRT's exit code 3. */
	TerminateProcess(GetCurrentProcess(), 3);
	for (;;)
		Sleep(INFINITE);
}

/* --- the requesters' side ------------------------------------------------
 */

/* noinline: its context is captured here, and the frames above caller
 * (this one, faultline_dump's) are left out of the report. */
static __attribute__((noinline)) int request(fl_handle_t h, uintptr_t caller,
					     int signo)
{
	DWORD me = GetCurrentThreadId();
	ULONGLONG start = GetTickCount64();
	HANDLE wait[2];
	int rc;

	if (!ev_request || !reporter) {
		errno = ENOTSUP;
		return -1;
	}
	if (me == own_tids[0] || me == own_tids[1]) {
		errno = EBUSY; /* from a report's callback: never answered */
		return -1;
	}
	while (InterlockedCompareExchange(&busy, 1, 0) != 0) {
		if (crashing ||
		    GetTickCount64() - start >= FL_TURN_DUMP_WAIT_MS) {
			errno = EBUSY;
			return -1;
		}
		Sleep(1);
	}
	if (crashing) {
		InterlockedExchange(&busy, 0);
		errno = EBUSY;
		return -1;
	}
	RtlCaptureContext(&req.ctx);
	req.tid = me;
	req.stack_hi = fl_win_stack_base();
	req.caller = caller;
	req.h = h;
	req.signo = signo;
	req.rc = -1;
	wait[0] = ev_done;
	wait[1] = reporter;
	SetEvent(ev_request);
	/* Until the report is written, or the reporter thread is gone (a
	 * crash ends the process meanwhile). */
	if (WaitForMultipleObjects(2, wait, FALSE, INFINITE) != WAIT_OBJECT_0) {
		errno = EBUSY;
		return -1;
	}
	rc = req.rc;
	InterlockedExchange(&busy, 0);
	if (rc != 0)
		errno = EIO;
	return rc;
}

int fl_platform_dump(fl_handle_t h, uintptr_t caller)
{
	return request(h, caller, 0);
}

/* Console handlers run on a thread the console starts for the event
 * (kernel32's CtrlRoutine): the dump's first thread is that one. */
static BOOL WINAPI on_console(DWORD event)
{
	if (event != CTRL_BREAK_EVENT ||
	    fl_config.dump_signal != FAULTLINE_SIGBREAK)
		return FALSE; /* the next handler's, or the default */
	request(FL_NO_HANDLE, (uintptr_t)__builtin_return_address(0),
		FAULTLINE_SIGBREAK);
	return TRUE; /* handled: the program runs on */
}

int fl_win_break_dump(void)
{
	return on_console(CTRL_BREAK_EVENT);
}

int fl_platform_watchdog(unsigned seconds)
{
	LARGE_INTEGER due;

	if (!timer || !reporter) {
		errno = ENOTSUP;
		return -1;
	}
	armer = GetCurrentThreadId();
	InterlockedExchange(&armed_seconds, (LONG)seconds);
	if (!seconds)
		return CancelWaitableTimer(timer) ? 0 : (errno = EAGAIN, -1);
	/* Relative, in 100 ns units. */
	due.QuadPart = -(LONGLONG)seconds * 10000000;
	if (!SetWaitableTimer(timer, &due, 0, NULL, NULL, FALSE)) {
		errno = EAGAIN;
		return -1;
	}
	return 0;
}

int fl_win_dump_configure(const struct fl_config *cfg)
{
	int want = cfg->dump_signal == FAULTLINE_SIGBREAK;

	if (want != break_handler &&
	    SetConsoleCtrlHandler(on_console, want ? TRUE : FALSE))
		break_handler = want;
	if (cfg->timeout)
		return fl_platform_watchdog(cfg->timeout);
	return 0;
}
