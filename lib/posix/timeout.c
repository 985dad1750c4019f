/*
 * timeout.c - the hang watchdog's timer (FAULTLINE_TIMEOUT,
 * faultline_watchdog): a POSIX timer whose expiry sends the timeout
 * signal to the process.  What the expiry does - an all-thread report,
 * then death by SIGABRT - is the handler's (handler.c), which gives its
 * function at install.  (Not to be confused with handler.c's report
 * watchdog, which bounds the time a report may take.)
 *
 * Free while armed: one kernel timer, no thread, no polling; a heartbeat
 * (arming again) is one timer_settime.  Nothing at all until first armed:
 * no timer, and the signal's action is the program's.  From the first
 * arming on, the action is ours until faultline_uninstall - an expiry
 * still queued when the program disarms must not meet the default action
 * (which terminates): ours finds the timer disarmed and returns.
 *
 * The signal is SIGRTMAX - 3, next to the capture signal (threads.c says
 * why there), directed at the process: any thread that does not block it
 * runs the report.  A signal of the program's own that comes while ours
 * is installed goes to the program's action (fl_signal_forward).
 *
 * The timer lives in the process that armed it: a child made by fork has
 * none (POSIX), so the first arming there makes its own.
 */
#include "platform.h"
#include "posix.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* sigev_value of our timer: its expiries carry it. */
#define FL_TIMEOUT_MAGIC ((void *)(uintptr_t)0x666c746f /* "flto" */)

/* handler.c's, from install */
FL_STARTUP_DATA static fl_signal_handler expiry_handler;
static int timer_id = -1;
static long timer_pid; /* the process that made timer_id */
static volatile unsigned armed_seconds;
static struct sigaction program_action;
static int action_installed;

int fl_timeout_signal(void)
{
	return SIGRTMAX - 3;
}

FL_STARTUP_TEXT void fl_timeout_prepare(fl_signal_handler fn)
{
	expiry_handler = fn;
}

static int install_action(uint64_t crash_signals)
{
	struct sigaction sa;

	if (action_installed)
		return 0;
	fl_signal_fill_action(&sa, expiry_handler, SA_RESTART, crash_signals);
	if (fl_sys_sigaction(fl_timeout_signal(), &sa, &program_action) != 0)
		return -1;
	action_installed = 1;
	return 0;
}

static int make_timer(void)
{
	struct sigevent sev;
	int id;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = fl_timeout_signal();
	sev.sigev_value.sival_ptr = FL_TIMEOUT_MAGIC;
	if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id) != 0) {
		errno = EAGAIN;
		return -1;
	}
	timer_id = id;
	timer_pid = (long)getpid();
	return 0;
}

static int set_timer(unsigned seconds)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)seconds;
	return (int)syscall(SYS_timer_settime, timer_id, 0, &its, NULL);
}

int fl_timeout_arm(unsigned seconds, uint64_t crash_signals)
{
	if (!expiry_handler) {
		errno = ENOTSUP;
		return -1;
	}
	if (seconds == 0) {
		__atomic_store_n(&armed_seconds, 0, __ATOMIC_SEQ_CST);
		if (timer_id >= 0 && timer_pid == (long)getpid())
			set_timer(0);
		return 0;
	}
	if (install_action(crash_signals) != 0)
		return -1;
	if ((timer_id < 0 || timer_pid != (long)getpid()) && make_timer() != 0)
		return -1;
	__atomic_store_n(&armed_seconds, seconds, __ATOMIC_SEQ_CST);
	if (set_timer(seconds) != 0) {
		__atomic_store_n(&armed_seconds, 0, __ATOMIC_SEQ_CST);
		return -1;
	}
	return 0;
}

int fl_timeout_expired(const siginfo_t *si, unsigned *seconds)
{
	struct itimerspec left;

	if (si->si_code != SI_TIMER ||
	    si->si_value.sival_ptr != FL_TIMEOUT_MAGIC || timer_id < 0)
		return 0;
	*seconds = __atomic_load_n(&armed_seconds, __ATOMIC_SEQ_CST);
	if (*seconds == 0)
		return 0; /* disarmed after it fired */
	/* Re-armed after it fired (a heartbeat that just came in time):
	 * the timer runs again. */
	if (syscall(SYS_timer_gettime, timer_id, &left) == 0 &&
	    (left.it_value.tv_sec || left.it_value.tv_nsec))
		return 0;
	return 1;
}

void fl_timeout_forward(int sig, siginfo_t *si, void *ctx)
{
	fl_signal_forward(&program_action, sig, si, ctx);
}

void fl_timeout_uninstall(void)
{
	struct sigaction ign;

	__atomic_store_n(&armed_seconds, 0, __ATOMIC_SEQ_CST);
	if (timer_id >= 0 && timer_pid == (long)getpid())
		syscall(SYS_timer_delete, timer_id);
	timer_id = -1;
	if (!action_installed)
		return;
	/* SIG_IGN first: an expiry still queued is discarded, not handed to
	 * the program's action. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	fl_sys_sigaction(fl_timeout_signal(), &ign, NULL);
	fl_sys_sigaction(fl_timeout_signal(), &program_action, NULL);
	action_installed = 0;
}
