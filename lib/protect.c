/*
 * protect.c - faultline_protect: run a function, and turn a fault inside
 * it into a return value instead of a crash.  See protect.h for how the
 * fault comes back; this file is the part every platform shares.
 *
 * The no-fault path is a handful of stores and two calls: no syscall
 * (sigsetjmp(env, 1) would cost an rt_sigprocmask, ~100 ns, and the mask is
 * restored on the fault path by the kernel's sigreturn anyway), no lock, no
 * allocation.
 */
#include "protect.h"

#include <errno.h>

int faultline_protect(int (*fn)(void *), void *arg, int *result,
		      struct faultline_fault *fault)
{
	struct fl_protect_frame frame;
	struct fl_protect_chain *chain = fl_protect_chain_get();
	unsigned depth;
	int rc;

	if (!fn) {
		errno = EINVAL;
		return -1;
	}
	/* The first call on a thread checks that faultline is installed and
	 * gives the thread an alternate stack; later calls read one flag. */
	if (!chain->ready) {
		if (fl_protect_thread_prepare() != 0)
			return -1;
		chain = fl_protect_chain_get();
	}
	if (fl_protect_busy(&frame)) {
		errno = EBUSY;
		return -1;
	}
	/* Drop calls that were left by longjmp: every live enclosing frame
	 * is above ours on this stack (protect.h). */
	depth = chain->depth;
	while (depth > 0 &&
	       (uintptr_t)chain->frames[depth - 1] <= (uintptr_t)&frame)
		depth--;
	if (depth == FL_PROTECT_MAX_DEPTH) {
		errno = EOVERFLOW;
		return -1;
	}
	frame.fault = fault;
	frame.check = FL_PROTECT_CHECK ^ (uintptr_t)&frame;
	frame.landed = 0;
	if (fl_jmp_capture(&frame.jmp)) {
		/* Back from a fault in fn.  The handler has popped our frame
		 * and filled *fault; fl_jmp_land restored the registers and
		 * the floating-point environment, the kernel the signal mask
		 * and the alternate stack (Windows: see fl_protect_landed). */
		fl_protect_landed(&frame);
		return FAULTLINE_PROTECT_FAULTED;
	}
	/* Published only once complete, entry before count: a signal
	 * handler on this thread sees either the old chain or the new one.
	 * Same thread, so compiler barriers are all the ordering needed. */
	chain->frames[depth] = &frame;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	chain->depth = depth + 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	rc = fn(arg);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	chain->depth = depth;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (result)
		*result = rc;
	return FAULTLINE_PROTECT_RETURNED;
}
