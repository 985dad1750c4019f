/*
 * protect.c - the Windows half of faultline_protect (see lib/protect.h).
 *
 * The vectored handler finds the innermost protected call of the faulting
 * thread, describes the fault, rewrites the CONTEXT to resume in
 * fl_jmp_land and returns EXCEPTION_CONTINUE_EXECUTION.  mingw's longjmp
 * is no option: it unwinds through SEH, which fails after a stack overflow
 * (no stack left to run it).  An overflow is described and unwound by
 * the reporter thread while this one waits in the handler (reporter.c):
 * the handler has no stack for it.  After an overflow the landing point
 * calls _resetstkoflw() to put the guard page back, so that the next overflow
 * raises EXCEPTION_STACK_OVERFLOW again instead of killing the process.
 *
 * The fault is taken at first chance, before SEH frames: a protected call
 * owns every fault of its thread, as on POSIX.  (A __try inside fn that
 * expects to handle its own fault would lose it: protect such code around
 * it, not through it.)
 */
#include "win.h"

#include <errno.h>
#include <malloc.h>

#include "platform.h"
#include "protect.h"
#include "sink.h"

/* The chain per thread: a TlsAlloc slot (mingw's __thread is emulated and
 * allocates), allocated by the thread's first protected call, never in
 * the handler.  Threads that never protect anything pay nothing. */
static DWORD chain_slot = TLS_OUT_OF_INDEXES;
/* Set while faultline's handlers are installed (veh.c says so). */
static volatile LONG enabled;
static struct fl_protect_chain not_ready; /* all zero: ready == 0 */

struct fl_protect_chain *fl_protect_chain_get(void)
{
	struct fl_protect_chain *c;

	if (chain_slot == TLS_OUT_OF_INDEXES)
		return &not_ready;
	c = TlsGetValue(chain_slot);
	return c ? c : &not_ready;
}

void fl_win_protect_enable(int on)
{
	InterlockedExchange(&enabled, on != 0);
}

int fl_protect_thread_prepare(void)
{
	static volatile LONG slot_taken;
	struct fl_protect_chain *c;

	if (!(fl_config.signals & (FAULTLINE_SIGNAL_BIT(FAULTLINE_SIGSEGV) |
				   FAULTLINE_SIGNAL_BIT(FAULTLINE_SIGILL) |
				   FAULTLINE_SIGNAL_BIT(FAULTLINE_SIGFPE))) ||
	    !enabled) {
		errno = ENOTSUP;
		return -1;
	}
	if (InterlockedCompareExchange(&slot_taken, 1, 0) == 0)
		chain_slot = TlsAlloc();
	while (chain_slot == TLS_OUT_OF_INDEXES && slot_taken == 1)
		Sleep(0); /* another thread is allocating it */
	if (chain_slot == TLS_OUT_OF_INDEXES) {
		errno = ENOMEM;
		return -1;
	}
	/* Kept for the thread's life (a few hundred bytes); a thread that
	 * protects calls usually does so again. */
	c = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*c));
	if (!c || !TlsSetValue(chain_slot, c)) {
		errno = ENOMEM;
		return -1;
	}
	fl_win_stack_guarantee(fl_config.altstack_size); /* for the handler */
	c->ready = 1;
	return 0;
}

static int recoverable(const EXCEPTION_RECORD *r)
{
	const struct fl_win_status *st = fl_win_status_find(r->ExceptionCode);

	if (!st || fl_win_status_benign(r->ExceptionCode))
		return 0;
	/* The hardware faults; not heap corruption or fail-fast (which map
	 * to SIGABRT: detected corruption, as abort() on POSIX). */
	switch (st->signo) {
	case FAULTLINE_SIGSEGV:
	case FAULTLINE_SIGBUS:
	case FAULTLINE_SIGILL:
	case FAULTLINE_SIGFPE:
	case FAULTLINE_SIGTRAP:
		return (fl_config.signals & FAULTLINE_SIGNAL_BIT(st->signo)) !=
		       0;
	default:
		return 0;
	}
}

/* A stack overflow the reporter thread could not describe (none, or too
 * slow): the bare facts, with no calls, on what is left of the stack. */
static void overflow_bare_facts(struct faultline_fault *f,
				const EXCEPTION_RECORD *r, const CONTEXT *ctx)
{
	f->signo = FAULTLINE_SIGSEGV;
	f->signal_name = "SIGSEGV";
	f->code_name = "EXCEPTION_STACK_OVERFLOW";
	f->exception_code = r->ExceptionCode;
	f->cause = FAULTLINE_CAUSE_STACK_OVERFLOW;
	f->pc = ctx->Rip;
	f->sp = ctx->Rsp;
	f->address = ctx->Rsp;
	f->frames[0] = ctx->Rip;
	f->frame_count = 1;
}

int fl_win_protect_recover(EXCEPTION_POINTERS *ep)
{
	struct fl_protect_chain *c;
	struct fl_protect_frame *frame;
	EXCEPTION_RECORD *r = ep->ExceptionRecord;
	CONTEXT *ctx = ep->ContextRecord;

	if (chain_slot == TLS_OUT_OF_INDEXES ||
	    !(c = TlsGetValue(chain_slot)) || c->depth == 0 || !recoverable(r))
		return 0;
	frame = c->frames[c->depth - 1];
	if (frame->check != (FL_PROTECT_CHECK ^ (uintptr_t)frame))
		return 0;
	c->depth--;
	frame->landed = r->ExceptionCode;
	if (frame->fault && r->ExceptionCode == STATUS_STACK_OVERFLOW) {
		/* About 2 KB of stack are left here after an overflow
		 * (Wine), too little for the unwinder: the reporter thread
		 * walks our stack while we wait here, before landing reuses
		 * it. */
		if (fl_win_describe_elsewhere(r, ctx, fl_win_stack_base(),
					      frame->fault) != 0)
			overflow_bare_facts(frame->fault, r, ctx);
	} else if (frame->fault) {
		fl_win_fault_capture(frame->fault, r, ctx,
				     GetCurrentThreadId());
		fl_win_unwind(ctx, fl_win_stack_base(), 0, frame->fault);
	}
	fl_arch_land(ctx, &frame->jmp);
	return 1;
}

void fl_protect_landed(struct fl_protect_frame *f)
{
	if (f->landed == STATUS_STACK_OVERFLOW)
		_resetstkoflw();
}
