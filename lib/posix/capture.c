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

/* A SIGSYS from the kernel refusing a system call: seccomp
 * (SYS_SECCOMP, 1) or syscall user dispatch (SYS_USER_DISPATCH, 2) fill
 * si_call_addr, si_syscall and si_arch; a sent SIGSYS holds a pid there. */
static int is_syscall_trap(int sig, const siginfo_t *si)
{
	return sig == SIGSYS && (si->si_code == 1 || si->si_code == 2);
}

/* Everything but the backtrace, and the backtrace from the crash unwinder
 * (FL_CAPTURE_CRASH) or, given outer, the recoveries' (FL_CAPTURE_PC_ONLY
 * then); returns whether a bound cut the walk. */
static int capture(struct faultline_fault *f, int sig, const siginfo_t *si,
		   const ucontext_t *uc, long tid,
		   enum fl_capture_unwinder unwind, const struct fl_jmp *outer)
{
	int overflow = 0, cut = FL_WALK_DONE;

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
	} else if (is_syscall_trap(sig, si)) {
		f->address = (uintptr_t)si->si_call_addr;
	}
	f->pid = getpid();
	f->tid = tid;
	prctl(PR_GET_NAME, f->thread_name, 0, 0, 0);
	fl_arch_fill(f, si, uc);
	if ((sig == SIGSEGV || sig == SIGBUS) && !f->has_sender)
		overflow = fl_altstack_is_overflow(f->address, f->sp);
	fl_fault_explain(f, overflow);
	if (unwind == FL_CAPTURE_CRASH)
		cut = fl_unwind_context(uc, f);
	else if (outer != NULL)
		fl_unwind_recovery(uc, outer, f);
	if (f->frame_count == 0) {
		f->frames[0] = f->pc;
		f->frame_count = 1;
	}
	return cut;
}

void fl_fault_capture(struct faultline_fault *f, int sig, const siginfo_t *si,
		      const ucontext_t *uc, long tid,
		      enum fl_capture_unwinder unwind)
{
	capture(f, sig, si, uc, tid, unwind, NULL);
}

void fl_fault_capture_recovery(struct faultline_fault *f, int sig,
			       const siginfo_t *si, const ucontext_t *uc,
			       long tid, const struct fl_jmp *outer)
{
	capture(f, sig, si, uc, tid, FL_CAPTURE_PC_ONLY, outer);
}

_Static_assert(FL_ARCH_UNWIND_NREGS <= FL_SNAPSHOT_REGS_MAX,
	       "fl_snapshot.regs holds the unwinder's registers");

void fl_snapshot_keep_regs(struct fl_snapshot *snap, const ucontext_t *uc)
{
	fl_arch_unwind_regs(snap->regs, uc);
	snap->has_regs = 1;
}

void fl_snapshot_capture(struct fl_snapshot *snap, int sig, const siginfo_t *si,
			 const ucontext_t *uc, long tid)
{
	snap->walk_cut =
		capture(&snap->fault, sig, si, uc, tid, FL_CAPTURE_CRASH, NULL);
	fl_snapshot_keep_regs(snap, uc);
	snap->has_syscall = is_syscall_trap(sig, si);
	if (snap->has_syscall) {
		snap->syscall_nr = si->si_syscall;
		snap->syscall_arch = si->si_arch;
	}
}
