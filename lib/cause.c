/*
 * cause.c - the report's one-line explanation of a fault ("null pointer
 * dereference", "stack overflow", ...), from its signal, code, address
 * and access kind, and what the platform knows besides.
 */
#include "snapshot.h"

#include "sink.h"

/* Linux si_code values that mean "sent by a process" (see names.c). */
#define FL_SI_USER 0
#define FL_SI_QUEUE (-1)
#define FL_SI_TKILL (-6)
#define FL_SI_KERNEL 0x80
/* Below this, a fault address is a null pointer plus a field offset. */
#define FL_NULL_PAGE 4096

int fl_code_is_sent(int code)
{
	return code == FL_SI_USER || code == FL_SI_QUEUE || code == FL_SI_TKILL;
}

static enum faultline_cause explain_segv(const struct faultline_fault *f,
					 int stack_overflow)
{
	if (stack_overflow)
		return FAULTLINE_CAUSE_STACK_OVERFLOW;
	if (f->code == FL_SI_KERNEL)
		return FAULTLINE_CAUSE_ACCESS_DENIED;
	if (f->address < FL_NULL_PAGE)
		return FAULTLINE_CAUSE_NULL_DEREF;
	if (f->access == FAULTLINE_ACCESS_EXECUTE)
		return FAULTLINE_CAUSE_EXEC_NONEXEC;
	if (f->code == 1 /* SEGV_MAPERR */)
		return FAULTLINE_CAUSE_UNMAPPED;
	if (f->access == FAULTLINE_ACCESS_WRITE)
		return FAULTLINE_CAUSE_WRITE_READONLY;
	return FAULTLINE_CAUSE_ACCESS_DENIED;
}

static enum faultline_cause explain(const struct faultline_fault *f,
				    int stack_overflow)
{
	if (f->has_sender)
		return f->signo == FAULTLINE_SIGABRT && f->sender_pid == f->pid
			       ? FAULTLINE_CAUSE_ABORT
			       : FAULTLINE_CAUSE_SENT_BY_PROCESS;
	switch (f->signo) {
	case FAULTLINE_SIGSEGV:
		return explain_segv(f, stack_overflow);
	case FAULTLINE_SIGBUS:
		return stack_overflow ? FAULTLINE_CAUSE_STACK_OVERFLOW
				      : FAULTLINE_CAUSE_BUS_ERROR;
	case FAULTLINE_SIGILL:
		return FAULTLINE_CAUSE_ILLEGAL_INSTRUCTION;
	case FAULTLINE_SIGFPE:
		if (f->code == 1 /* FPE_INTDIV */)
			return FAULTLINE_CAUSE_INT_DIVIDE_BY_ZERO;
		if (f->code == 2 /* FPE_INTOVF */)
			return FAULTLINE_CAUSE_INT_OVERFLOW;
		return FAULTLINE_CAUSE_FLOAT_ERROR;
	case FAULTLINE_SIGABRT:
		return FAULTLINE_CAUSE_ABORT;
	case FAULTLINE_SIGTRAP:
		return FAULTLINE_CAUSE_BREAKPOINT;
	case FAULTLINE_SIGSYS:
		return FAULTLINE_CAUSE_BAD_SYSCALL;
	default:
		return f->code == FL_SI_KERNEL ? FAULTLINE_CAUSE_SENT_BY_KERNEL
					       : FAULTLINE_CAUSE_UNKNOWN;
	}
}

static const char *cause_text(const struct faultline_fault *f)
{
	switch (f->cause) {
	case FAULTLINE_CAUSE_NULL_DEREF:
		return f->access == FAULTLINE_ACCESS_EXECUTE
			       ? "call through a null function pointer"
			       : "null pointer dereference";
	case FAULTLINE_CAUSE_STACK_OVERFLOW:
		return "stack overflow";
	case FAULTLINE_CAUSE_UNMAPPED:
		return "access to unmapped memory";
	case FAULTLINE_CAUSE_WRITE_READONLY:
		return "write to read-only memory";
	case FAULTLINE_CAUSE_EXEC_NONEXEC:
		return "execution of non-executable memory";
	case FAULTLINE_CAUSE_ACCESS_DENIED:
		return f->code == FL_SI_KERNEL
			       ? "general protection fault (bad address)"
			       : "access to protected memory";
	case FAULTLINE_CAUSE_BUS_ERROR:
		if (f->code == 1 /* BUS_ADRALN */)
			return "misaligned memory access";
		if (f->code == 2 /* BUS_ADRERR */)
			return "access to a nonexistent part of a mapped file";
		if (f->code == 4 || f->code == 5)
			return "hardware memory error";
		return "bus error";
	case FAULTLINE_CAUSE_ILLEGAL_INSTRUCTION:
		return f->code == 5 /* ILL_PRVOPC */ ? "privileged instruction"
						     : "illegal instruction";
	case FAULTLINE_CAUSE_INT_DIVIDE_BY_ZERO:
		return "integer divide by zero";
	case FAULTLINE_CAUSE_INT_OVERFLOW:
		return "integer overflow";
	case FAULTLINE_CAUSE_FLOAT_ERROR:
		return "floating-point exception";
	case FAULTLINE_CAUSE_ABORT:
		return "abort() called";
	case FAULTLINE_CAUSE_BREAKPOINT:
		return "breakpoint or trap instruction";
	case FAULTLINE_CAUSE_BAD_SYSCALL:
		return f->code == 1 /* SYS_SECCOMP */
			       ? "system call blocked by seccomp"
			       : "bad system call";
	case FAULTLINE_CAUSE_SENT_BY_KERNEL:
		return "signal sent by the kernel";
	case FAULTLINE_CAUSE_HEAP_CORRUPTION:
		return "heap corruption detected";
	case FAULTLINE_CAUSE_BUFFER_OVERRUN:
		return "stack buffer overrun detected (fail-fast)";
	case FAULTLINE_CAUSE_DUMP_REQUESTED:
		return "dump requested";
	case FAULTLINE_CAUSE_WATCHDOG:
		return "watchdog";
	case FAULTLINE_CAUSE_INVALID_PARAMETER:
		return "invalid parameter passed to a C runtime function";
	case FAULTLINE_CAUSE_PURE_VIRTUAL_CALL:
		return "pure virtual function call";
	case FAULTLINE_CAUSE_UNCAUGHT_EXCEPTION:
		return "uncaught C++ exception";
	case FAULTLINE_CAUSE_TERMINATE:
		return "std::terminate() called";
	default:
		return "unknown";
	}
}

const char *fl_snapshot_cause(const struct fl_snapshot *snap, char *buf,
			      size_t cap)
{
	struct fl_sink s;

	if (!snap->exception.present)
		return snap->fault.cause_text;
	fl_sink_init_memory(&s, buf, cap);
	fl_sink_str(&s, "uncaught C++ exception ");
	fl_sink_str(&s, snap->exception.type);
	return buf;
}

void fl_fault_explain(struct faultline_fault *f, int stack_overflow)
{
	struct fl_sink s;

	if (f->cause == FAULTLINE_CAUSE_UNKNOWN)
		f->cause = explain(f, stack_overflow);
	fl_sink_init_memory(&s, f->cause_text, sizeof(f->cause_text));
	if (f->cause == FAULTLINE_CAUSE_SENT_BY_PROCESS) {
		fl_sink_str(&s, "signal sent by pid ");
		fl_sink_dec(&s, f->sender_pid);
		if (f->sender_pid == f->pid)
			fl_sink_str(&s, " (this process)");
	} else {
		fl_sink_str(&s, cause_text(f));
	}
}

void fl_fault_explain_request(struct faultline_fault *f,
			      enum faultline_cause cause, unsigned seconds)
{
	struct fl_sink s;

	f->cause = cause;
	fl_sink_init_memory(&s, f->cause_text, sizeof(f->cause_text));
	if (cause == FAULTLINE_CAUSE_WATCHDOG) {
		fl_sink_str(&s, "watchdog: no progress for ");
		fl_sink_udec(&s, seconds);
		fl_sink_str(&s, " s");
		return;
	}
	fl_sink_str(&s, "dump requested: ");
	if (!f->signo) {
		fl_sink_str(&s, "faultline_dump()");
		return;
	}
	fl_sink_str(&s, f->signal_name ? f->signal_name : "signal");
	if (f->has_sender) {
		fl_sink_str(&s, " from pid ");
		fl_sink_dec(&s, f->sender_pid);
	}
}
