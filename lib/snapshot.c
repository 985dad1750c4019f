/*
 * snapshot.c - platform-neutral work on a filled snapshot: the cause line,
 * the head/tail rule for deep backtraces, modules and symbols.
 * Async-signal-safe throughout.
 */
#include "snapshot.h"

#include "frame.h"
#include "platform.h"
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
	default:
		return "unknown";
	}
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

/* --- deep backtraces: keep the head and the tail ---------------------- */

void fl_frames_begin(struct fl_frame_collector *c, struct faultline_fault *f)
{
	c->fault = f;
	c->seen = 0;
	f->frame_count = 0;
	f->frames_omitted = 0;
}

void fl_frames_add(struct fl_frame_collector *c, uintptr_t pc)
{
	if (c->seen < FAULTLINE_FRAMES_HEAD)
		c->fault->frames[c->seen] = pc;
	else
		c->tail[(c->seen - FAULTLINE_FRAMES_HEAD) %
			FAULTLINE_FRAMES_TAIL] = pc;
	c->seen++;
}

void fl_frames_finish(struct fl_frame_collector *c)
{
	struct faultline_fault *f = c->fault;
	size_t extra, ntail;

	if (c->seen <= FAULTLINE_FRAMES_HEAD) {
		f->frame_count = c->seen;
		f->frames_omitted = 0;
		return;
	}
	extra = c->seen - FAULTLINE_FRAMES_HEAD;
	ntail = extra < FAULTLINE_FRAMES_TAIL ? extra : FAULTLINE_FRAMES_TAIL;
	for (size_t i = 0; i < ntail; i++) {
		size_t seq = c->seen - ntail + i - FAULTLINE_FRAMES_HEAD;
		f->frames[FAULTLINE_FRAMES_HEAD + i] =
			c->tail[seq % FAULTLINE_FRAMES_TAIL];
	}
	f->frame_count = FAULTLINE_FRAMES_HEAD + ntail;
	f->frames_omitted = extra - ntail;
}

/* --- modules and symbols ---------------------------------------------- */

/* The symbol of frame i into the arena.  Deep recursion repeats one
 * name frame after frame: an equal name shares the previous frame's
 * copy.  When the arena runs short, later names are cut to what is
 * left, and to "" at the very end. */
static void resolve_symbol(struct fl_snapshot *snap, size_t i,
			   const struct fl_module *m, uintptr_t lookup,
			   uintptr_t pc)
{
	struct fl_frame_info *fi = &snap->frame_info[i];
	char *dst = snap->symbols + snap->symbols_used;
	size_t room = sizeof(snap->symbols) - snap->symbols_used, len;
	uintptr_t off;

	if (room > FL_SYMBOL_MAX)
		room = FL_SYMBOL_MAX;
	if (room < 2 ||
	    fl_platform_symbolize(m, lookup, dst, room, &off) != 0 || !dst[0])
		return;
	fi->symbol_offset = off + (pc - lookup);
	if (i > 0 && fl_streq(snap->frame_info[i - 1].symbol, dst)) {
		fi->symbol = snap->frame_info[i - 1].symbol;
		return;
	}
	len = fl_strlen(dst);
	fi->symbol = dst;
	snap->symbols_used += len + 1;
}

static void resolve_frame(struct fl_snapshot *snap, size_t i)
{
	struct fl_frame_info *fi = &snap->frame_info[i];
	uintptr_t pc = snap->fault.frames[i];
	uintptr_t lookup = fl_frame_lookup(pc, i);
	const struct fl_module *m;

	fi->module = -1;
	fi->module_offset = 0;
	fi->symbol = "";
	fi->symbol_offset = 0;
	if (!snap->modules)
		return;
	fi->module = fl_module_find(snap->modules, lookup);
	if (fi->module < 0)
		return;
	m = &snap->modules->modules[fi->module];
	fi->module_offset = pc - m->bias;
	resolve_symbol(snap, i, m, lookup, pc);
}

void fl_snapshot_resolve(struct fl_snapshot *snap,
			 struct fl_module_table *modules)
{
	snap->modules = modules;
	snap->symbols_used = 0;
	if (modules) {
		modules->count = 0;
		modules->arena_used = 0;
		fl_platform_collect_modules(modules);
	}
	fl_platform_symbols_begin(&snap->fault);
	for (size_t i = 0; i < snap->fault.frame_count; i++)
		resolve_frame(snap, i);
	fl_platform_symbols_end();
}
