/*
 * signals.c - the signal actions faultline owns, and the way back to the
 * ones it replaced.  It installs one handler function for a set of
 * signals, remembers the previous actions, puts them back, and hands a
 * signal on so that the process ends as it would have without us.  It
 * calls nothing else of faultline (Crashpad's util/posix/signals is the
 * model): the handler (handler.c) and recovery (protect.c) call it.
 *
 * The way back, as the handler meets it:
 *  - the previous action takes over, which chains to a handler installed
 *    before us, or is default death;
 *  - a hardware fault re-fires by itself once the handler returns (the
 *    core then shows the faulting instruction); a signal that was sent is
 *    re-queued with its original siginfo;
 *  - PID 1 of a PID namespace ignores default-action signals, so there we
 *    fall back to _exit(128 + sig).
 */
#include "platform.h"
#include "posix.h"
#include "str.h"

#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FL_NSIG 32

static struct sigaction previous[FL_NSIG];
/* The FAULTLINE_SIGNAL_BIT set we own, and the signals every action of
 * ours blocks. */
FL_STARTUP_DATA static uint64_t installed, blocked;
FL_STARTUP_DATA static fl_signal_handler handler;
/* The process that installed them.  A vfork child shares our memory but
 * not our actions: what it changes for itself must not change our view. */
FL_STARTUP_DATA static pid_t installer;
/* The slots of previous[] that may hold anything but zeros. */
FL_STARTUP_DATA static uint64_t previous_written;

static void send_to_self(int sig)
{
	syscall(SYS_tgkill, (long)getpid(), fl_thread_id(), sig);
}

int fl_signal_is_hardware_fault(const siginfo_t *si)
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
	fl_sys_sigaction(sig, &dfl, NULL);
}

void fl_signal_unblock(int sig)
{
	uint64_t set = 1ULL << (sig - 1);

	fl_sys_sigmask(SIG_UNBLOCK, &set, NULL);
}

void fl_signal_die_by_default(int sig, const siginfo_t *si)
{
	set_default(sig);
	if (si && fl_signal_is_hardware_fault(si))
		return;
	fl_signal_unblock(sig);
	send_to_self(sig);
	_exit(128 + sig);
}

void fl_signal_fill_action(struct sigaction *sa, fl_signal_handler fn,
			   int flags, uint64_t block)
{
	memset(sa, 0, sizeof(*sa));
	sa->sa_sigaction = fn;
	sa->sa_flags = SA_SIGINFO | SA_ONSTACK | flags;
	/* Block the crash signals while we run: a fault of ours then meets
	 * a blocked signal, which the kernel turns into immediate default
	 * death - never a loop. */
	sigemptyset(&sa->sa_mask);
	for (int sig = 1; sig < FL_NSIG; sig++)
		if (block & FAULTLINE_SIGNAL_BIT(sig))
			sigaddset(&sa->sa_mask, sig);
}

FL_STARTUP_TEXT static void fill_action(struct sigaction *sa)
{
	fl_signal_fill_action(sa, handler, 0, blocked);
}

/* The program's actions for the signals a write can raise, while a
 * report is written. */
static const int write_signals[] = {SIGPIPE, SIGXFSZ};
static struct sigaction write_saved[2];

void fl_signals_quiet_writes(void)
{
	struct sigaction ign;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	/* Ignored, not blocked: a blocked one would stay pending and kill
	 * the process as soon as the handler returns. */
	for (int i = 0; i < 2; i++)
		fl_sys_sigaction(write_signals[i], &ign, &write_saved[i]);
}

void fl_signals_restore_writes(void)
{
	for (int i = 0; i < 2; i++)
		fl_sys_sigaction(write_signals[i], &write_saved[i], NULL);
}

void fl_signal_give_back(int sig, siginfo_t *si)
{
	/* The previous action takes over: a handler installed before us now
	 * runs with the original siginfo and context, or default death. */
	fl_sys_sigaction(sig, &previous[sig], NULL);
	if (getpid() == installer)
		installed &= ~FAULTLINE_SIGNAL_BIT(sig);
	if (fl_signal_is_hardware_fault(si))
		return; /* re-fires; the core shows the faulting instruction */
	if (getpid() == 1 && previous[sig].sa_handler == SIG_DFL) {
		/* PID namespace init: the kernel drops its own default-action
		 * signals. */
		_exit(128 + sig);
	}
	if (syscall(SYS_rt_tgsigqueueinfo, (long)getpid(), fl_thread_id(), sig,
		    si) != 0)
		send_to_self(sig);
	/* Blocked while we run; delivered as the handler returns. */
}

/* A later signal(SIGSEGV, saved) re-installs our function without
 * SA_SIGINFO: si and ctx are then garbage.  Put our action back and let
 * the signal come again with its information. */
int fl_signal_repair_stripped(int sig)
{
	struct sigaction cur;

	if (fl_sys_sigaction(sig, NULL, &cur) != 0 ||
	    (cur.sa_flags & SA_SIGINFO))
		return 0;
	fill_action(&cur);
	fl_sys_sigaction(sig, &cur, NULL);
	/* A fault re-fires by itself; anything else we must send again.
	 * (A signal of the fault kinds sent by kill(2) while our action was
	 * stripped is the one case this cannot tell apart.) */
	if (sig == SIGABRT || sig == SIGSYS)
		send_to_self(sig);
	return 1;
}

void fl_signal_forward(const struct sigaction *to, int sig, siginfo_t *si,
		       void *ctx)
{
	if (to->sa_handler == SIG_IGN)
		return;
	if (to->sa_handler == SIG_DFL) {
		/* What the signal would have done without us (terminate, for
		 * the realtime signals we borrow): the default action, and the
		 * signal again, delivered once our handler returns. */
		set_default(sig);
		if (syscall(SYS_rt_tgsigqueueinfo, (long)getpid(),
			    fl_thread_id(), sig, si) != 0)
			send_to_self(sig);
		return;
	}
	if (to->sa_flags & SA_SIGINFO)
		to->sa_sigaction(sig, si, ctx);
	else
		to->sa_handler(sig);
}

struct sigaction *fl_signal_program_action(int sig)
{
	previous_written |= FAULTLINE_SIGNAL_BIT(sig); /* the caller may */
	return &previous[sig];
}

int fl_signal_was_ignored(int sig)
{
	return previous[sig].sa_handler == SIG_IGN;
}

int fl_signals_installed(void)
{
	return __atomic_load_n(&installed, __ATOMIC_RELAXED) != 0;
}

int fl_signal_handled(int sig)
{
	return sig > 0 && sig < FL_NSIG &&
	       (__atomic_load_n(&installed, __ATOMIC_RELAXED) &
		FAULTLINE_SIGNAL_BIT(sig)) != 0;
}

/* The action a process starts with: default, no flags, no restorer,
 * nothing blocked (the kernel's part of the mask: glibc leaves the rest
 * of a returned mask as it finds it, or worse). */
FL_STARTUP_TEXT static int is_initial(const struct sigaction *a)
{
	uint64_t mask;

	fl_memcpy(&mask, &a->sa_mask, sizeof(mask));
	return a->sa_handler == SIG_DFL && a->sa_flags == 0 &&
	       a->sa_restorer == NULL && mask == 0;
}

/* Keep old as sig's previous action.  The kernel's exec leaves every
 * action it resets as is_initial says, which a slot never written already
 * holds: writing it anyway cost start-up one or two page faults
 * (previous[] spans two pages of .bss, each written for the first time
 * there). */
FL_STARTUP_TEXT static void keep_previous(int sig, const struct sigaction *old)
{
	uint64_t bit = FAULTLINE_SIGNAL_BIT(sig);

	if (!(previous_written & bit) && is_initial(old))
		return;
	fl_memcpy(&previous[sig], old, sizeof(*old));
	previous_written |= bit;
}

FL_STARTUP_TEXT static int set_signal(int sig, int want)
{
	uint64_t bit = FAULTLINE_SIGNAL_BIT(sig);
	struct sigaction sa, old;

	if (want && !(installed & bit)) {
		fill_action(&sa);
		if (fl_sys_sigaction(sig, &sa, &old) != 0)
			return -1;
		keep_previous(sig, &old);
		installed |= bit;
	} else if (!want && (installed & bit)) {
		if (fl_sys_sigaction(sig, &previous[sig], NULL) != 0)
			return -1;
		installed &= ~bit;
	}
	return 0;
}

FL_STARTUP_TEXT int fl_signals_install(uint64_t set, fl_signal_handler fn)
{
	uint64_t before = installed, want = 0;

	handler = fn;
	/* The system call itself: glibc's getpid is a page of libc code
	 * that start-up would fault in for this alone. */
	installer = (pid_t)syscall(SYS_getpid);
	/* Every action blocks all our signals.  Knowing the whole set before
	 * the first sigaction installs each action once, with its final
	 * mask: one syscall per signal at start-up, not two. */
	for (int sig = 1; sig < FL_NSIG; sig++)
		if ((set >> sig) & 1)
			want |= FAULTLINE_SIGNAL_BIT(sig);
	blocked = want;
	for (int sig = 1; sig < FL_NSIG; sig++)
		if (set_signal(sig, (set >> sig) & 1) != 0)
			return -1;
	/* A second install with another set: the actions kept from the
	 * first one still carry the old mask. */
	for (int sig = 1; sig < FL_NSIG; sig++) {
		struct sigaction sa;
		if (!(before & installed & FAULTLINE_SIGNAL_BIT(sig)))
			continue;
		fill_action(&sa);
		fl_sys_sigaction(sig, &sa, NULL);
	}
	return 0;
}

int fl_signals_uninstall(void)
{
	int rc = 0;

	for (int sig = 1; sig < FL_NSIG; sig++)
		if (set_signal(sig, 0) != 0)
			rc = -1;
	return rc;
}
