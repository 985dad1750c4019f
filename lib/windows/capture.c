/*
 * capture.c - what an exception was, from its EXCEPTION_RECORD and
 * CONTEXT: the struct faultline_fault (all but the frames) that the crash
 * report renders and that faultline_protect's caller gets back.
 */
#include "win.h"

#include "platform.h"
#include "str.h"

/* SEGV_MAPERR when nothing is mapped at addr, SEGV_ACCERR otherwise. */
static int segv_code(uintptr_t addr)
{
	MEMORY_BASIC_INFORMATION mbi;

	if (VirtualQuery((void *)addr, &mbi, sizeof(mbi)) == 0 ||
	    mbi.State != MEM_COMMIT)
		return 1;
	return 2;
}

void fl_win_fault_capture(struct faultline_fault *f, const EXCEPTION_RECORD *r,
			  const CONTEXT *c, DWORD tid)
{
	uint32_t code = r->ExceptionCode;
	const struct fl_win_status *st = fl_win_status_find(code);

	fl_memset(f, 0, sizeof(*f));
	f->pid = fl_platform_pid();
	f->tid = (long)tid;
	f->pc = c->Rip;
	f->sp = c->Rsp;
	fl_arch_fill(f, c);
	if (code == 0) {
		/* The CRT's abort(): no exception at all, but the same
		 * facts a POSIX abort() gives - SIGABRT, raised by this
		 * process on itself. */
		f->signo = FAULTLINE_SIGABRT;
		f->code = -6; /* SI_TKILL */
		f->code_name = "CRT abort()";
		f->has_sender = 1;
		f->sender_pid = f->pid;
		f->address = c->Rip;
	} else {
		f->signo = st ? st->signo : FAULTLINE_SIGABRT;
		f->code = st ? st->si_code : 0;
		f->code_name = st ? st->name : "unknown exception";
		f->exception_code = code;
		f->address = (uintptr_t)r->ExceptionAddress;
	}
	f->signal_name = faultline_signal_name(f->signo);
	/* Access violations and in-page errors say what the instruction did
	 * and where: [0] 0 read, 1 write, 8 DEP (execute); [1] address. */
	if ((code == STATUS_ACCESS_VIOLATION || code == STATUS_IN_PAGE_ERROR ||
	     code == STATUS_STACK_OVERFLOW) &&
	    r->NumberParameters >= 2) {
		switch (r->ExceptionInformation[0]) {
		case 0:
			f->access = FAULTLINE_ACCESS_READ;
			break;
		case 1:
			f->access = FAULTLINE_ACCESS_WRITE;
			break;
		case 8:
			f->access = FAULTLINE_ACCESS_EXECUTE;
			break;
		default:
			break;
		}
		f->address = r->ExceptionInformation[1];
		if (code == STATUS_ACCESS_VIOLATION)
			f->code = segv_code(f->address);
	}
	/* The table knows the causes the signal cannot tell (stack overflow,
	 * heap corruption, fail-fast). */
	f->cause = st ? st->cause : FAULTLINE_CAUSE_UNKNOWN;
	fl_fault_explain(f, 0);
}
