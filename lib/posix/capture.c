/*
 * capture.c - what a fault was, from the signal's siginfo and ucontext:
 * the struct faultline_fault that the crash report renders and that
 * faultline_protect's caller gets back.  Both paths call it from the
 * signal handler.
 */
#include "posix.h"
#include "render.h"
#include "snapshot.h"
#include "str.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

void fl_fault_capture(struct faultline_fault *f, int sig, const siginfo_t *si,
		      const ucontext_t *uc, long tid,
		      enum fl_capture_unwinder unwind)
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
	if (unwind == FL_CAPTURE_CRASH)
		fl_unwind_context(uc, f);
	else if (unwind == FL_CAPTURE_RECOVERY)
		fl_unwind_recovery(uc, f);
	if (f->frame_count == 0) {
		f->frames[0] = f->pc;
		f->frame_count = 1;
	}
}
