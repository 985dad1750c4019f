/*
 * protect.c - the POSIX half of faultline_protect: the per-thread chain of
 * protected calls and the decision, at the top of the signal handler, to
 * recover a fault instead of reporting it.  See lib/protect.h for the whole
 * path.
 */
#include "posix.h"
#include "platform.h"
#include "protect.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

/* This thread's protected calls.  Initial-exec, like the alternate-stack
 * record: the handler reads it without __tls_get_addr.  (264 bytes of
 * static TLS per thread.) */
__thread struct fl_protect_chain fl_protect_chain
	__attribute__((tls_model("initial-exec")));

static int prepare(void)
{
	if (!fl_signal_handled(SIGSEGV) && !fl_signal_handled(SIGBUS) &&
	    !fl_signal_handled(SIGILL) && !fl_signal_handled(SIGFPE) &&
	    !fl_signal_handled(SIGTRAP)) {
		errno = ENOTSUP;
		return -1;
	}
	/* Threads that existed before faultline_install, or were made with
	 * clone(), have no alternate stack: without one a stack overflow
	 * cannot run any handler and the kernel kills the process.  A stack
	 * set by somebody else is kept. */
	if (fl_altstack_thread_init() != 0)
		return -1;
	/* Recoveries' backtraces come from an unwinder of their own, made
	 * here, outside any handler.  Without it a recovered fault is still
	 * described, with frame 0 alone. */
	fl_unwind_prepare_recovery();
	/* For fl_protect_busy: a call made on this stack needs no check. */
	fl_altstack_note_thread_stack();
	fl_protect_chain.ready = 1;
	return 0;
}

/* Set while this thread prepares: a signal handler that interrupts the
 * first faultline_protect and calls it again must not prepare again
 * (pthread_getattr_np takes a lock and allocates). */
static __thread int preparing __attribute__((tls_model("initial-exec")));

int fl_protect_thread_prepare(void)
{
	int rc;

	if (preparing) {
		errno = EBUSY;
		return -1;
	}
	preparing = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	rc = prepare();
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	preparing = 0;
	return rc;
}

/*
 * A signal handler on this thread - faultline's own, recovering a fault
 * or reporting a crash, or a program's handler that interrupted it - runs
 * with the fault signals blocked (signals.c blocks them so that a fault
 * of the handler cannot loop).  A fault then is not delivered: the kernel
 * kills the process by SIGSEGV, with no report.  So a protected call made
 * there must be refused, not started.  The mask costs a system call, so
 * it is read only off the thread's normal stack: every handler that can
 * interrupt faultline's runs on the alternate stack (a signal arriving
 * while on it stays on it), and no ordinary call is made there.  A call
 * on a coroutine's stack pays the system call (~0.2 us).
 */
int fl_protect_busy(const void *sp)
{
	static const int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
	sigset_t mask;

	if (fl_altstack_on_thread_stack((uintptr_t)sp))
		return 0;
	if (pthread_sigmask(SIG_SETMASK, NULL, &mask) != 0)
		return 0;
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		if (fl_signal_handled(faults[i]) &&
		    sigismember(&mask, faults[i]) == 1)
			return 1;
	return 0;
}

/* The faults a protected call gets back: synchronous, raised by the CPU
 * for this thread.  si_code > 0 says the kernel generated the signal
 * (SI_KERNEL included: an x86-64 general protection fault or int3 reads
 * that way); zero and negative codes come from kill, tgkill, sigqueue, and
 * from abort(), which we deliberately leave fatal (see faultline.h). */
static int recoverable(int sig, const siginfo_t *si)
{
	switch (sig) {
	case SIGSEGV:
	case SIGBUS:
	case SIGILL:
	case SIGFPE:
	case SIGTRAP:
		return si->si_code > 0;
	default:
		return 0;
	}
}

int fl_protect_recover(int sig, siginfo_t *si, ucontext_t *uc, long tid)
{
	struct fl_protect_chain *chain = &fl_protect_chain;
	struct fl_protect_frame *frame;

	if (chain->depth == 0 || !recoverable(sig, si))
		return 0;
	frame = chain->frames[chain->depth - 1];
	/* A call left by longjmp that no later faultline_protect has dropped
	 * yet: its memory may hold anything by now.  Landing there would be
	 * worse than the crash report. */
	if (frame->check != (FL_PROTECT_CHECK ^ (uintptr_t)frame))
		return 0;
	/* Pop first: from here on a fault of this thread belongs to the
	 * enclosing protected call (or is a crash), never to this one again,
	 * which could loop. */
	chain->depth--;
	if (frame->fault)
		fl_fault_capture_recovery(frame->fault, sig, si, uc, tid,
					  &frame->jmp);
	fl_arch_land(uc, &frame->jmp);
	return 1;
}
