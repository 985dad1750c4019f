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
	int rc;

	if (!fn) {
		errno = EINVAL;
		return -1;
	}
	/* The first call on a thread checks that faultline is installed and
	 * that the thread has an alternate stack; later calls read one TLS
	 * flag. */
	if (!fl_protect_thread_ready() && fl_protect_thread_prepare() != 0)
		return -1;
	frame.fault = fault;
	frame.prev = fl_protect_top();
	if (fl_jmp_capture(&frame.jmp)) {
		/* Back from a fault in fn.  The handler has already popped our
		 * frame and filled *fault; fl_jmp_land restored the registers
		 * and the floating-point environment, the kernel the signal
		 * mask and the alternate stack. */
		return FAULTLINE_PROTECT_FAULTED;
	}
	/* Published only after the capture: a fault before this point is
	 * not ours to recover (the frame is not complete). */
	fl_protect_set_top(&frame);
	rc = fn(arg);
	fl_protect_set_top(frame.prev);
	if (result)
		*result = rc;
	return FAULTLINE_PROTECT_RETURNED;
}
