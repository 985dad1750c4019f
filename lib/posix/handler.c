/*
 * handler.c - the crash handler: what runs when a signal faultline handles
 * arrives, and installing it.
 *
 * The contract, in the order the handler meets it:
 *  1. A fault inside faultline_protect on this thread is no crash: it is
 *     recovered (protect.c) before anything else.
 *  2. One crash, one report: the first thread to arrive claims the crash
 *     (claim.c); others wait a bounded time, then die by their own
 *     signal.  A second entry on the same thread dies at once.
 *  3. Bounded time: a per-thread timer (or the process's ITIMER_REAL
 *     where no such timer can be had) fires if the report blocks (on a
 *     lock we could not avoid, a hung disk) and ends the process by the
 *     original signal, keeping what was already written.  Writes never
 *     block past a deadline (platform.c), timer or not.
 *  4. Writes fail, they do not kill: SIGPIPE and SIGXFSZ are ignored
 *     while the report is written (report.c passes it on to stderr).
 *  5. The same death as without us: signals.c gives the signal back to
 *     the action we replaced.
 */
#include "posix.h"
#include "platform.h"
#include "snapshot.h"
#include "str.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* How long a report may take before the watchdog ends the process. */
#define FL_WATCHDOG_SECONDS 5
#define FL_WATCHDOG_SIGNAL SIGALRM

/* Page-aligned: a typical crash then touches two pages of it. */
static FL_PAGE_ALIGNED struct fl_snapshot crash;
static volatile int watchdog_sig;

/* --- watchdog --------------------------------------------------------------
 */

static void watchdog_fired(int unused, siginfo_t *si, void *ctx)
{
	static const char msg[] =
		"\nfaultline: report timed out; terminating\n";
	int sig = watchdog_sig;

	struct pollfd out = {fl_config.output, POLLOUT, 0};
	struct pollfd report = {fl_report_take_open(), POLLOUT, 0};

	(void)unused;
	(void)si;
	(void)ctx;
	/* A callback that hangs: its report still gets its end. */
	if (report.fd >= 0 && poll(&report, 1, 0) == 1 &&
	    (report.revents & POLLOUT))
		fl_report_write_end(report.fd);
	/* The report may be stuck on this very descriptor (a full pipe that
	 * nobody reads): a blocking write here would hang us for good.  Say
	 * why only when the message can go without blocking. */
	if (poll(&out, 1, 0) == 1 && (out.revents & POLLOUT))
		fl_platform_write(fl_config.output, msg, sizeof(msg) - 1);
	fl_signal_die_by_default(sig, NULL);
}

/* A thread-directed POSIX timer (raw syscalls: glibc's timer_create is
 * fine for SIGEV_THREAD_ID, but the syscall keeps the path obvious). */
static int watchdog_timer = -1;
/* Where no such timer can be had (timer_create reserves a queued-signal
 * slot, and fails once RLIMIT_SIGPENDING is used up), the process's
 * real-time interval timer: its SIGALRM may reach another thread, which
 * ends the process just as well.  The program's own setting is put
 * back. */
static struct itimerval itimer_saved;
static int itimer_armed;
/* The program's own SIGALRM action, put back if the process survives (a
 * chained handler may recover). */
static struct sigaction watchdog_saved;
static int watchdog_saved_valid;

static int arm_thread_timer(void)
{
	struct sigevent sev;
	struct itimerspec its;
	int id;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = FL_WATCHDOG_SIGNAL;
	sev._sigev_un._tid = (pid_t)fl_thread_id();
	if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id) != 0)
		return -1;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = FL_WATCHDOG_SECONDS;
	if (syscall(SYS_timer_settime, id, 0, &its, NULL) != 0) {
		syscall(SYS_timer_delete, id);
		return -1;
	}
	watchdog_timer = id;
	return 0;
}

static void arm_watchdog(int sig)
{
	struct sigaction sa;

	/* Even with no timer at all, no write of the report blocks past
	 * this; a second before the watchdog, so that a destination that
	 * takes nothing passes the report on to stderr (report.c). */
	fl_write_deadline(fl_monotonic_ns() +
			  (FL_WATCHDOG_SECONDS - 1) * 1000000000LL);
	watchdog_sig = sig;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = watchdog_fired;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (fl_sys_sigaction(FL_WATCHDOG_SIGNAL, &sa, &watchdog_saved) != 0)
		return;
	watchdog_saved_valid = 1;
	if (arm_thread_timer() != 0) {
		struct itimerval it = {{0, 0}, {FL_WATCHDOG_SECONDS, 0}};

		if (setitimer(ITIMER_REAL, &it, &itimer_saved) != 0)
			return;
		itimer_armed = 1;
	}
	fl_signal_unblock(FL_WATCHDOG_SIGNAL);
}

static void disarm_watchdog(void)
{
	if (watchdog_timer >= 0)
		syscall(SYS_timer_delete, watchdog_timer);
	watchdog_timer = -1;
	if (itimer_armed)
		setitimer(ITIMER_REAL, &itimer_saved, NULL);
	itimer_armed = 0;
	if (watchdog_saved_valid)
		fl_sys_sigaction(FL_WATCHDOG_SIGNAL, &watchdog_saved, NULL);
	watchdog_saved_valid = 0;
	fl_write_deadline(0);
}

/* --- the crash ------------------------------------------------------------
 */

static void capture(int sig, const siginfo_t *si, const ucontext_t *uc,
		    long tid)
{
	const siginfo_t *osi;
	const ucontext_t *ouc;

	/* A program's handler restored the default and raised the signal
	 * again (CPython's faulthandler): report the fault it was called
	 * for, not the raise. */
	if (fl_chain_original_fault(sig, si, uc, tid, &osi, &ouc)) {
		si = osi;
		uc = ouc;
	}
	/* The crash report's own unwinder: a thread recovering a protected
	 * fault right now (or stuck in one) uses another, and is never
	 * waited for.  The other threads, once stopped, are walked with the
	 * same unwinder. */
	fl_snapshot_capture(&crash, sig, si, uc, tid);
	/* (Here, not in capture.c: cxx_exception.c runs faultline_protect,
	 * which captures.) */
	crash.exception.present = 0;
	if (sig == SIGABRT)
		fl_cxx_exception_take(&crash, tid);
	if (fl_config.all_threads)
		fl_threads_capture(&crash.threads, tid,
				   fl_config.thread_backtraces, NULL);
	fl_platform_exe_path(crash.exe_path, sizeof(crash.exe_path));
}

/* Write the report of crash (SIGPIPE and SIGXFSZ ignored meanwhile: a
 * failed write passes the report on instead of killing the process),
 * then stop the report's watchdog and give the one-report turn back. */
static void emit_and_release(int turn)
{
	fl_signals_quiet_writes();
	fl_report_emit(&crash);
	fl_signals_restore_writes();
	disarm_watchdog();
	if (turn == 1)
		fl_turn_give();
}

static void handle_fatal(int sig, siginfo_t *si, void *ctx)
{
	int saved_errno = errno;
	long tid = fl_thread_id();
	int turn;

	if (fl_signal_repair_stripped(sig))
		goto out;
	/* A fault inside faultline_protect on this thread is no crash: it
	 * must neither claim the crash nor write a report. */
	if (fl_protect_recover(sig, si, ctx, tid))
		goto out;
	/* Chain on (preload mode): the program's own handler first. */
	if (fl_chain_program_first(sig, si, ctx, tid))
		goto out;
	/* A signal the program ignored before us, sent by someone: stay
	 * ignored.  Not SIGABRT: abort() goes on to reset it to the default
	 * and raise it again, so the process dies all the same - report it. */
	if (fl_signal_was_ignored(sig) && !fl_signal_is_hardware_fault(si) &&
	    sig != SIGABRT)
		goto out;
	/* Before the claim, whose word would be the first page fault. */
	fl_populate_crash_memory(&crash);
	if (fl_claim_crash(tid) != FL_CLAIM_OURS) {
		/* Another thread's report is done (or its time is up), or
		 * this thread entered again while reporting (the callback
		 * faulted: its report still gets its end): no waiting. */
		fl_handle_t open = fl_report_take_open();
		if (open != FL_NO_HANDLE)
			fl_report_write_end(open);
		fl_signal_die_by_default(sig, si);
		goto out;
	}
	/* A dump being written gives way (dump.c): bounded. */
	turn = fl_turn_take(tid, 1);
	arm_watchdog(sig);
	capture(sig, si, ctx, tid);
	emit_and_release(turn);
	fl_signal_give_back(sig, si);
out:
	errno = saved_errno;
}

/* --- the hang watchdog's expiry ---------------------------------------------
 */

/* No progress for the watchdog's time: an all-thread report (this thread,
 * interrupted wherever it was, first), then death by SIGABRT, with a core
 * where cores are enabled.  One death: a crash being reported already
 * wins, and a crash after this one waits, as for two crashes. */
static void handle_timeout(int sig, siginfo_t *si, void *ctx)
{
	int saved_errno = errno;
	long tid = fl_thread_id();
	unsigned seconds;
	int turn;

	if (!fl_timeout_expired(si, &seconds)) {
		fl_timeout_forward(sig, si, ctx);
		goto out;
	}
	if (fl_claim_crash(tid) != FL_CLAIM_OURS)
		goto out; /* that crash's report ends the process */
	turn = fl_turn_take(tid, 1);
	arm_watchdog(SIGABRT);
	capture(sig, si, ctx, tid);
	crash.threads.reporting = 1;
	fl_fault_explain_request(&crash.fault, FAULTLINE_CAUSE_WATCHDOG,
				 seconds);
	/* The timer's signal is an implementation detail; what ends the
	 * process is SIGABRT. */
	crash.fault.signo = 0;
	crash.fault.has_sender = 0;
	emit_and_release(turn);
	fl_signal_die_by_default(SIGABRT, NULL);
out:
	errno = saved_errno;
}

int fl_platform_watchdog(unsigned seconds)
{
	if (!fl_signals_installed()) {
		errno = ENOTSUP;
		return -1;
	}
	return fl_timeout_arm(seconds, fl_config.signals);
}

/* --- installing ------------------------------------------------------------
 */

FL_STARTUP_TEXT int fl_platform_install(const struct fl_config *cfg)
{
	/* Idempotent (it checks its own address space): a separate "done"
	 * flag here would cost start-up a page fault on a .bss page nothing
	 * else at install touches. */
	if (fl_unwind_prepare() != 0)
		return -1;
	fl_memcpy(&fl_config, cfg, sizeof(fl_config));
	if (fl_altstack_install(cfg->altstack_size) != 0)
		return -1;
	if (cfg->signals & FAULTLINE_SIGNAL_BIT(SIGABRT))
		fl_cxx_exception_install();
	/* Without the memory for other threads a crash report shows the
	 * crashed one only: no reason to fail the install. */
	if (cfg->all_threads)
		fl_threads_prepare(cfg->thread_backtraces);
	/* The same for the minidump's: the report says there is none. */
	if (cfg->minidump_path[0])
		fl_minidump_prepare();
	if (fl_signals_install(cfg->signals, handle_fatal) != 0 ||
	    fl_dump_signal_install(cfg->dump_signal, cfg->signals) != 0)
		return -1;
	fl_chain_start(cfg->chain);
	fl_timeout_prepare(handle_timeout);
	if (cfg->timeout)
		return fl_timeout_arm(cfg->timeout, cfg->signals);
	return 0;
}

int fl_platform_uninstall(void)
{
	int rc = fl_dump_signal_install(0, 0);

	fl_chain_stop();
	fl_cxx_exception_uninstall();
	fl_timeout_uninstall();
	fl_timeout_prepare(NULL);
	if (fl_signals_uninstall() != 0)
		rc = -1;
	return rc;
}

int fl_platform_thread_init(void)
{
	return fl_altstack_thread_init();
}
