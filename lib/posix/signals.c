/*
 * signals.c - the POSIX entry: sigaction handlers, the guard against
 * re-entry, and the termination contract.
 *
 * The contract, in the order the handler meets it:
 *  1. One crash, one report: the first thread to arrive claims the crash
 *     with an atomic flag; others wait a bounded time, then die by their
 *     own signal.  A second entry on the same thread dies at once.
 *  2. Bounded time: a per-thread timer fires if the report blocks (on a
 *     lock we could not avoid, a hung disk) and ends the process by the
 *     original signal, keeping what was already written.
 *  3. The same death as without us: restore the previous action (which
 *     chains to a handler installed before us), then let a hardware fault
 *     re-fire by returning, or re-queue a sent signal with its original
 *     siginfo.  PID 1 of a PID namespace ignores default-action signals,
 *     so there we fall back to _exit(128 + sig).
 */
#include "posix.h"
#include "platform.h"
#include "render.h"
#include "snapshot.h"
#include "sink.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FL_NSIG 32
/* How long a second crashing thread waits for the first one's report. */
#define FL_OTHER_CRASH_WAIT_MS 5000
/* How long a report may take before the watchdog ends the process. */
#define FL_WATCHDOG_SECONDS 5
#define FL_WATCHDOG_SIGNAL SIGALRM

static struct sigaction previous[FL_NSIG];
static uint64_t installed; /* FAULTLINE_SIGNAL_BIT set we own */
static uint64_t blocked;   /* signals every action of ours blocks */
/* Page-aligned: a typical crash then touches two pages of it. */
static FL_PAGE_ALIGNED struct fl_snapshot crash;
volatile long fl_crashing_tid;
static volatile int watchdog_sig;

static void handle_fatal(int sig, siginfo_t *si, void *ctx);

static long current_tid(void)
{
	return syscall(SYS_gettid);
}

static void send_to_self(int sig)
{
	syscall(SYS_tgkill, (long)getpid(), current_tid(), sig);
}

static int is_hardware_fault(const siginfo_t *si)
{
	/* Crashpad's rule: a positive si_code other than SI_KERNEL comes from
	 * the faulting instruction, which runs again once we return.  Not so
	 * a seccomp SIGSYS (SYS_SECCOMP, 1): the trapped system call is
	 * skipped, nothing re-fires, and returning would let the program run
	 * on after its report.  It must be re-sent like a kill. */
	return si->si_code > 0 && si->si_code != SI_KERNEL &&
	       si->si_signo != SIGSYS;
}

static void set_default(int sig)
{
	struct sigaction dfl;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
}

static void unblock(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* Default death, now: for a fault re-executing the instruction kills us;
 * otherwise the signal is sent again, and as a last resort we exit. */
static void die_by_default(int sig, const siginfo_t *si)
{
	set_default(sig);
	if (si && is_hardware_fault(si))
		return;
	unblock(sig);
	send_to_self(sig);
	_exit(128 + sig);
}

static void fill_action(struct sigaction *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sa_sigaction = handle_fatal;
	sa->sa_flags = SA_SIGINFO | SA_ONSTACK;
	/* Block the other crash signals while we run: a fault of ours then
	 * meets a blocked signal, which the kernel turns into immediate
	 * default death - never a loop. */
	sigemptyset(&sa->sa_mask);
	for (int sig = 1; sig < FL_NSIG; sig++)
		if (blocked & FAULTLINE_SIGNAL_BIT(sig))
			sigaddset(&sa->sa_mask, sig);
}

/* --- watchdog --------------------------------------------------------------
 */

static void watchdog_fired(int unused, siginfo_t *si, void *ctx)
{
	static const char msg[] =
		"\nfaultline: report timed out; terminating\n";
	int sig = watchdog_sig;

	struct pollfd out = {fl_config.output, POLLOUT, 0};

	(void)unused;
	(void)si;
	(void)ctx;
	/* The report may be stuck on this very descriptor (a full pipe that
	 * nobody reads): a blocking write here would hang us for good.  Say
	 * why only when the message can go without blocking. */
	if (poll(&out, 1, 0) == 1 && (out.revents & POLLOUT))
		fl_platform_write(fl_config.output, msg, sizeof(msg) - 1);
	set_default(sig);
	unblock(sig);
	send_to_self(sig);
	_exit(128 + sig);
}

/* A thread-directed POSIX timer (raw syscalls: glibc's timer_create is
 * fine for SIGEV_THREAD_ID, but the syscall keeps the path obvious). */
static int watchdog_timer = -1;
/* The program's own SIGALRM action, put back if the process survives (a
 * chained handler may recover). */
static struct sigaction watchdog_saved;
static int watchdog_saved_valid;

static void arm_watchdog(int sig)
{
	struct sigaction sa;
	struct sigevent sev;
	struct itimerspec its;
	int id;

	watchdog_sig = sig;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = watchdog_fired;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(FL_WATCHDOG_SIGNAL, &sa, &watchdog_saved) != 0)
		return;
	watchdog_saved_valid = 1;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = FL_WATCHDOG_SIGNAL;
	sev._sigev_un._tid = (pid_t)current_tid();
	if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id) != 0)
		return;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = FL_WATCHDOG_SECONDS;
	if (syscall(SYS_timer_settime, id, 0, &its, NULL) != 0)
		return;
	watchdog_timer = id;
	unblock(FL_WATCHDOG_SIGNAL);
}

static void disarm_watchdog(void)
{
	if (watchdog_timer >= 0)
		syscall(SYS_timer_delete, watchdog_timer);
	watchdog_timer = -1;
	if (watchdog_saved_valid)
		sigaction(FL_WATCHDOG_SIGNAL, &watchdog_saved, NULL);
	watchdog_saved_valid = 0;
}

/* --- the snapshot -----------------------------------------------------------
 */

void fl_fault_capture(struct faultline_fault *f, int sig, const siginfo_t *si,
		      const ucontext_t *uc, long tid, int unwind)
{
	int overflow = 0;

	fl_memset(f, 0, sizeof(*f));
	f->signo = sig;
	f->code = si->si_code;
	f->signal_name = fl_signal_name(sig);
	f->code_name = fl_code_name(sig, si->si_code);
	/* si_addr shares storage with si_pid/si_uid: read only one. */
	if (fl_code_is_sent(si->si_code)) {
		f->has_sender = 1;
		f->sender_pid = si->si_pid;
		f->sender_uid = si->si_uid;
	} else if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
		   sig == SIGFPE || sig == SIGTRAP) {
		f->address = (uintptr_t)si->si_addr;
	}
	f->pid = getpid();
	f->tid = tid;
	prctl(PR_GET_NAME, f->thread_name, 0, 0, 0);
	fl_arch_fill(f, si, uc);
	if ((sig == SIGSEGV || sig == SIGBUS) && !f->has_sender)
		overflow = fl_altstack_is_overflow(f->address, f->sp);
	fl_fault_explain(f, overflow);
	if (unwind)
		fl_unwind_context(uc, f);
	if (f->frame_count == 0) {
		f->frames[0] = f->pc;
		f->frame_count = 1;
	}
}

static void capture(int sig, const siginfo_t *si, const ucontext_t *uc,
		    long tid)
{
	/* A thread recovering a protected fault may be unwinding right now:
	 * wait for the lock.  If the owner kept it past the bounded wait it is
	 * stuck, not racing us, and the backtrace is the report's heart:
	 * unwind all the same. */
	int locked = fl_unwind_lock(tid);

	fl_fault_capture(&crash.fault, sig, si, uc, tid, 1);
	if (locked)
		fl_unwind_unlock();
	fl_platform_exe_path(crash.exe_path, sizeof(crash.exe_path));
}

/* --- termination ------------------------------------------------------------
 */

static void terminate(int sig, siginfo_t *si)
{
	/* The previous action takes over: a handler installed before us now
	 * runs with the original siginfo and context, or default death. */
	sigaction(sig, &previous[sig], NULL);
	installed &= ~FAULTLINE_SIGNAL_BIT(sig);
	if (is_hardware_fault(si))
		return; /* re-fires; the core shows the faulting instruction */
	if (getpid() == 1 && previous[sig].sa_handler == SIG_DFL) {
		/* PID namespace init: the kernel drops its own default-action
		 * signals. */
		_exit(128 + sig);
	}
	if (syscall(SYS_rt_tgsigqueueinfo, (long)getpid(), current_tid(), sig,
		    si) != 0)
		send_to_self(sig);
	/* Blocked while we run; delivered as the handler returns. */
}

/* A later signal(SIGSEGV, saved) re-installs our function without
 * SA_SIGINFO: si and ctx are then garbage.  Put our action back and let
 * the signal come again with its information. */
static int repair_stripped_action(int sig)
{
	struct sigaction cur;

	if (sigaction(sig, NULL, &cur) != 0 || (cur.sa_flags & SA_SIGINFO))
		return 0;
	fill_action(&cur);
	sigaction(sig, &cur, NULL);
	/* A fault re-fires by itself; anything else we must send again.
	 * (A signal of the fault kinds sent by kill(2) while our action was
	 * stripped is the one case this cannot tell apart.) */
	if (sig == SIGABRT || sig == SIGSYS)
		send_to_self(sig);
	return 1;
}

static void wait_for_other_crash(void)
{
	struct timespec step = {0, 10 * 1000 * 1000};

	for (int waited = 0; waited < FL_OTHER_CRASH_WAIT_MS; waited += 10)
		nanosleep(&step, NULL);
}

static void handle_fatal(int sig, siginfo_t *si, void *ctx)
{
	int saved_errno = errno;
	long tid = current_tid();
	long expected = 0;

	if (repair_stripped_action(sig))
		goto out;
	/* A fault inside faultline_protect on this thread is no crash: it
	 * must neither claim fl_crashing_tid nor write a report. */
	if (fl_protect_recover(sig, si, ctx, tid))
		goto out;
	/* A signal the program ignored before us, sent by someone: stay
	 * ignored.  Not SIGABRT: abort() goes on to reset it to the default
	 * and raise it again, so the process dies all the same - report it. */
	if (previous[sig].sa_handler == SIG_IGN && !is_hardware_fault(si) &&
	    sig != SIGABRT)
		goto out;
	if (!__atomic_compare_exchange_n(&fl_crashing_tid, &expected, tid, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (expected != tid)
			wait_for_other_crash();
		die_by_default(sig, si);
		goto out;
	}
	arm_watchdog(sig);
	capture(sig, si, ctx, tid);
	fl_report_emit(&crash);
	disarm_watchdog();
	terminate(sig, si);
out:
	errno = saved_errno;
}

int fl_signal_handled(int sig)
{
	return sig > 0 && sig < FL_NSIG &&
	       (__atomic_load_n(&installed, __ATOMIC_RELAXED) &
		FAULTLINE_SIGNAL_BIT(sig)) != 0;
}

/* --- installing
 * --------------------------------------------------------------- */

static int set_signal(int sig, int want)
{
	uint64_t bit = FAULTLINE_SIGNAL_BIT(sig);
	struct sigaction sa;

	if (want && !(installed & bit)) {
		fill_action(&sa);
		if (sigaction(sig, &sa, &previous[sig]) != 0)
			return -1;
		installed |= bit;
	} else if (!want && (installed & bit)) {
		if (sigaction(sig, &previous[sig], NULL) != 0)
			return -1;
		installed &= ~bit;
	}
	return 0;
}

int fl_platform_install(const struct fl_config *cfg)
{
	uint64_t before = installed, want = 0;

	/* Idempotent (it checks its own address space): a separate "done"
	 * flag here cost start-up a page fault on a .bss page nothing else
	 * at install touches. */
	if (fl_unwind_prepare() != 0)
		return -1;
	fl_config = *cfg;
	if (fl_altstack_install(cfg->altstack_size) != 0)
		return -1;
	/* Every action blocks all our signals.  Knowing the whole set before
	 * the first sigaction installs each action once, with its final
	 * mask: one syscall per signal at start-up, not two. */
	for (int sig = 1; sig < FL_NSIG; sig++)
		if ((cfg->signals >> sig) & 1)
			want |= FAULTLINE_SIGNAL_BIT(sig);
	blocked = want;
	for (int sig = 1; sig < FL_NSIG; sig++)
		if (set_signal(sig, (cfg->signals >> sig) & 1) != 0)
			return -1;
	/* A second install with another set: the actions kept from the
	 * first one still carry the old mask. */
	for (int sig = 1; sig < FL_NSIG; sig++) {
		struct sigaction sa;
		if (!(before & installed & FAULTLINE_SIGNAL_BIT(sig)))
			continue;
		fill_action(&sa);
		sigaction(sig, &sa, NULL);
	}
	return 0;
}

int fl_platform_uninstall(void)
{
	int rc = 0;

	for (int sig = 1; sig < FL_NSIG; sig++)
		if (set_signal(sig, 0) != 0)
			rc = -1;
	return rc;
}

int fl_platform_thread_init(void)
{
	return fl_altstack_thread_init();
}

/* Preload mode: LD_PRELOAD=libfaultline.so installs at load time.  A
 * program that merely links us decides itself when to install. */
__attribute__((constructor)) static void install_if_preloaded(void)
{
	const char *preload = getenv("LD_PRELOAD");
	int saved_errno = errno;

	if (preload && strstr(preload, "faultline"))
		faultline_install(NULL);
	errno = saved_errno; /* start-up must leave no trace */
}
