/*
 * dump.c - reports of a running program: faultline_dump and the dump
 * signal (FAULTLINE_DUMP_SIGNAL), which write an all-thread report and
 * let the program carry on; and the turn that lets one report be written
 * at a time, dumps and the crash path (handler.c) alike.
 *
 * The dump signal's handler runs on whichever thread the kernel picked,
 * so the dump path is async-signal-safe like the crash path: the same
 * capture (threads.c), the same unwinder and symbols, a snapshot of its
 * own in static memory.
 *
 * Who wins when a crash comes during a dump: the crash.  The crash path
 * takes the turn with fl_turn_take(tid, 1), which marks it crashing at
 * once; the dump sees that (fl_turn_cut) between threads, lets every
 * thread it stopped go, ends its report early with a line saying how many
 * threads it did not write, and gives the turn back; the crash then
 * reports as usual.  A dump that does not give the turn back within
 * FL_TURN_CRASH_WAIT_MS is stuck (in a write nobody reads): the crash
 * goes on without it.  Once a crash has been seen, dumps are refused.
 */
#include "posix.h"
#include "platform.h"
#include "snapshot.h"
#include "str.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

/* How long a crash waits for a dump to give the turn back. */
#define FL_TURN_CRASH_WAIT_MS 2000
/* How long a dump waits for another report to finish. */
#define FL_TURN_DUMP_WAIT_MS 10000

/* --- the turn ------------------------------------------------------------
 */

static volatile long turn_owner; /* tid writing a report; 0 none */
static volatile int crashing;	 /* a crash wants the turn, or has it */

static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000};

	nanosleep(&ts, NULL);
}

int fl_turn_take(long tid, int crash)
{
	long waited = 0,
	     limit = crash ? FL_TURN_CRASH_WAIT_MS : FL_TURN_DUMP_WAIT_MS;

	if (crash)
		__atomic_store_n(&crashing, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		long owner = 0;

		if (!crash && __atomic_load_n(&crashing, __ATOMIC_SEQ_CST))
			return -1;
		if (__atomic_compare_exchange_n(&turn_owner, &owner, tid, 0,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return 1;
		/* This thread's own dump, interrupted by a crash or the
		 * watchdog, which never return to it: take over. */
		if (owner == tid)
			return crash ? 0 : -1;
		if (waited >= limit)
			return crash ? 0 : -1;
		sleep_ms(1);
		waited++;
	}
}

void fl_turn_give(void)
{
	__atomic_store_n(&turn_owner, 0, __ATOMIC_RELEASE);
}

int fl_turn_cut(void)
{
	return __atomic_load_n(&crashing, __ATOMIC_SEQ_CST);
}

/* --- dumping -------------------------------------------------------------
 */

/* Page-aligned, like the crash's: a dump touches few pages of it. */
static FL_PAGE_ALIGNED struct fl_snapshot dump;

size_t fl_dump_idle_memory(struct fl_span *out)
{
	out[0] = (struct fl_span){&dump, sizeof(dump)};
	return 1;
}

/* The dump's first thread: this one, interrupted by the dump signal (si,
 * uc), or calling faultline_dump (si NULL: its own context, from caller
 * on). */
static void capture_self(long tid, int sig, const siginfo_t *si,
			 const ucontext_t *uc, uintptr_t caller)
{
	struct faultline_fault *f = &dump.fault;
	siginfo_t none;

	fl_snapshot_keep_regs(&dump, uc);
	if (si) {
		fl_fault_capture(f, sig, si, uc, tid, FL_CAPTURE_CRASH);
		fl_fault_explain_request(f, FAULTLINE_CAUSE_DUMP_REQUESTED, 0);
		return;
	}
	fl_memset(&none, 0, sizeof(none));
	none.si_code = SI_KERNEL; /* no sender, no address */
	fl_fault_capture(f, 0, &none, uc, tid, FL_CAPTURE_CRASH);
	f->code = 0;
	f->code_name = NULL;
	f->signal_name = NULL;
	fl_frames_start_at(f, caller);
	fl_fault_explain_request(f, FAULTLINE_CAUSE_DUMP_REQUESTED, 0);
}

static int dump_now(fl_handle_t h, int sig, const siginfo_t *si,
		    const ucontext_t *uc, uintptr_t caller)
{
	long tid = fl_thread_id();
	int rc;

	if (fl_turn_take(tid, 0) != 1) {
		errno = EBUSY;
		return -1;
	}
	/* The crash report's unwinder, which the turn gives to one report
	 * at a time; recoveries have their own and are never waited for. */
	capture_self(tid, sig, si, uc, caller);
	dump.threads.reporting = 1;
	dump.threads.cut = fl_turn_cut;
	if (fl_config.all_threads)
		fl_threads_capture(&dump.threads, tid,
				   fl_config.thread_backtraces, fl_turn_cut);
	else
		dump.threads.count = dump.threads.not_listed = 0;
	fl_platform_exe_path(dump.exe_path, sizeof(dump.exe_path));
	rc = fl_report_dump(&dump, h);
	fl_turn_give();
	if (rc != 0)
		errno = EIO;
	return rc;
}

int fl_platform_dump(fl_handle_t h, uintptr_t caller)
{
	ucontext_t uc;

	if (!fl_signals_installed()) {
		errno = ENOTSUP;
		return -1;
	}
	/* Registers of this very call: the walk starts here and
	 * start_at_caller drops what lies above the caller. */
	if (getcontext(&uc) != 0) {
		errno = ENOTSUP;
		return -1;
	}
	return dump_now(h, 0, NULL, &uc, caller);
}

/* --- the dump signal -----------------------------------------------------
 */

/* The signal installed for (0: none) and the action it replaced. */
FL_STARTUP_DATA static int dump_signal;
FL_STARTUP_DATA static struct sigaction dump_previous;

static void on_dump_signal(int sig, siginfo_t *si, void *ctx)
{
	int saved_errno = errno;

	dump_now(FL_NO_HANDLE, sig, si, ctx, 0);
	/* A handler the program had for this signal still runs; its
	 * default action never does: for most signals it would end the
	 * process the dump was asked of (faulthandler's chain=True bug). */
	if (dump_previous.sa_handler != SIG_DFL &&
	    dump_previous.sa_handler != SIG_IGN)
		fl_signal_forward(&dump_previous, sig, si, ctx);
	errno = saved_errno;
}

FL_STARTUP_TEXT int fl_dump_signal_install(int sig, uint64_t crash_signals)
{
	struct sigaction sa;

	if (sig == dump_signal)
		return 0;
	if (dump_signal &&
	    fl_sys_sigaction(dump_signal, &dump_previous, NULL) != 0)
		return -1;
	dump_signal = 0;
	if (!sig)
		return 0;
	/* SA_RESTART: the interrupted thread's call goes on where it can. */
	fl_signal_fill_action(&sa, on_dump_signal, SA_RESTART, crash_signals);
	if (fl_sys_sigaction(sig, &sa, &dump_previous) != 0)
		return -1;
	dump_signal = sig;
	return 0;
}
