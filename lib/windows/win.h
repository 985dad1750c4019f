/*
 * win.h - pieces of the Windows backend and how they meet.
 *
 * The files in the order an exception meets them.  Each calls only files
 * below it and the core (doc/architecture.md); the core calls the backend
 * through platform.h (install, modules, symbols, memory map, writes).
 *
 *   veh.c        vectored handler, unhandled-exception filter: decides
 *                *whether* an exception is a crash, then hands it on;
 *                install
 *   cxx.c        the C++ runtime's terminate handler (libstdc++-6.dll):
 *                uncaught exceptions, pure virtual calls
 *   crt.c        the C runtimes' own failure paths: invalid parameters,
 *                pure virtual calls, abort() (SIGABRT), in every CRT DLL
 *                loaded (msvcrt.dll, ucrtbase.dll, ...)
 *   protect.c    recovery: a fault of a protected call lands in the call
 *   reporter.c   the reporter and symbol threads created at install: they
 *                build the snapshot, write the report and end the process
 *   minidump.c   FAULTLINE_MINIDUMP: MiniDumpWriteDump on the reporter
 *                thread
 *   capture.c    EXCEPTION_RECORD and CONTEXT -> struct faultline_fault
 *   unwind.c     backtrace from a CONTEXT with RtlVirtualUnwind over .pdata
 *                found by ourselves (no loader or function-table locks)
 *   arch_x86_64.[ch]  registers of a CONTEXT, the jump record, stack base
 *   status.c     NTSTATUS -> faultline signal vocabulary, names, causes,
 *                filtering
 *   memmap.c     the report's memory map (VirtualQuery)
 *   modules.c    modules by walking the address space, PE exports,
 *                CodeView identity, dbghelp names (symbol thread only)
 *   platform.c   the small wrappers platform.h asks for
 *
 * [fatal] in platform.h: here, what runs on the reporter thread while the
 * crashed thread may hold any user-mode lock (heap, loader, CRT).
 */
#ifndef FL_WIN_H
#define FL_WIN_H

#include <windows.h>

#include <stddef.h>
#include <stdint.h>

#include "faultline.h"
#include "snapshot.h"
#include "windows/arch_x86_64.h"

/* The user address space on x64 Windows, for walks with VirtualQuery:
 * the first 64 KiB are never mapped. */
#define FL_WIN_USER_LOW ((uintptr_t)0x10000)
#define FL_WIN_USER_TOP ((uintptr_t)0x7FFFFFFEFFFFull)

/* --- protect.c -------------------------------------------------------- */
/* First thing in the vectored handler: a fault of a protected call on this
 * thread is described and ep's context rewritten to land in that call;
 * returns 1 (continue execution), or 0 when the fault is not ours. */
int fl_win_protect_recover(EXCEPTION_POINTERS *ep);
/* veh.c's word that its handlers are installed (on) or gone (off):
 * faultline_protect refuses to start (ENOTSUP) while they are gone. */
void fl_win_protect_enable(int on);

/* --- cxx.c ------------------------------------------------------------ */
/* Take (on) or give back (off) std::terminate in libstdc++-6.dll, if
 * loaded; the program's own terminate handler is called after the
 * report. */
void fl_win_cxx_hook(int on);

/* --- crt.c ------------------------------------------------------------ */
/* Take (on) or give back (off) the invalid-parameter, purecall and
 * SIGABRT handlers of every C runtime DLL loaded. */
void fl_win_crt_hook(int on);

/* --- reporter.c ------------------------------------------------------- */
/* A failure the C or C++ runtime reports without an exception, or whose
 * exception code says less than the runtime knows: what the report says
 * instead of what the code says. */
struct fl_win_why {
	enum faultline_cause cause;
	const char *code_name; /* NULL: the exception code's name */
	const char *text;      /* the cause line; NULL: the cause's own */
};

int fl_win_reporter_start(void);
void fl_win_reporter_stop(void);
/* 1 when the calling thread is one of faultline's own threads / the
 * reporter thread (whose faults are faults inside the handler). */
int fl_win_is_own_thread(void);
int fl_win_is_reporter_thread(void);
/* A fault inside faultline: end now, with the code of the crash being
 * reported if there is one, else with code. */
__declspec(noreturn) void fl_win_die_in_handler(uint32_t code);
/* Hand the crash to the reporter thread and never return: the process
 * ends with exit_code.  skip: frames of our own to leave out (abort). */
__declspec(noreturn) void fl_win_crash(EXCEPTION_RECORD *rec, CONTEXT *ctx,
				       uint32_t exit_code, unsigned skip);
/* The same for a runtime failure: why says what the report says. */
__declspec(noreturn) void fl_win_crash_why(EXCEPTION_RECORD *rec, CONTEXT *ctx,
					   uint32_t exit_code, unsigned skip,
					   const struct fl_win_why *why);
/* Report a runtime failure, then return to let the runtime end the
 * process its own way (the exit code a second crash gets: exit_code).
 * Returns only on the first crashing thread. */
void fl_win_report_why(EXCEPTION_RECORD *rec, CONTEXT *ctx, uint32_t exit_code,
		       unsigned skip, const struct fl_win_why *why);
/* 1 on the thread whose runtime failure fl_win_report_why reported. */
int fl_win_reported_here(void);
/* [protect, stack overflow] Have the reporter thread describe r/c of the
 * calling thread, whose stack ends at stack_hi, and unwind it into out;
 * blocks meanwhile, boundedly.  0, or -1 when out is untouched (no
 * reporter thread, busy or too slow).  Uses almost no stack. */
int fl_win_describe_elsewhere(const EXCEPTION_RECORD *r, const CONTEXT *c,
			      uintptr_t stack_hi, struct faultline_fault *out);
/* End the process now with code (a fault inside faultline itself). */
__declspec(noreturn) void fl_win_die(uint32_t code);

/* --- minidump.c ------------------------------------------------------ */
/* Install: load dbghelp's MiniDumpWriteDump when FAULTLINE_MINIDUMP (or
 * the option) asks for minidumps. */
void fl_win_minidump_prepare(void);
/* [reporter thread] Write the minidump of the crash rec/ctx of thread
 * tid (rec NULL: no exception stream) per fl_config, naming it in
 * snap->minidump; a failure is said on stderr. */
void fl_win_minidump_write(struct fl_snapshot *snap, EXCEPTION_RECORD *rec,
			   CONTEXT *ctx, DWORD tid);

/* --- capture.c -------------------------------------------------------- */
/* [fatal] Describe the exception r/c of thread tid into f (all but
 * frames): the report's snapshot, and what faultline_protect's caller
 * gets. */
void fl_win_fault_capture(struct faultline_fault *f, const EXCEPTION_RECORD *r,
			  const CONTEXT *c, DWORD tid);

/* --- unwind.c --------------------------------------------------------- */
/* [fatal] Fill fault->frames by unwinding ctx (frame 0 = ctx->Rip), skipping
 * the first skip frames; nothing at or above stack_hi (the crashed thread's
 * stack base) is read. */
void fl_win_unwind(const CONTEXT *ctx, uintptr_t stack_hi, unsigned skip,
		   struct faultline_fault *fault);
/* 1 when one of the calling thread's first depth callers is inside the
 * function that starts at fn (not [fatal]: the system's unwinder, on a
 * thread that did not fault). */
int fl_win_called_from(uintptr_t fn, unsigned depth);
/* The calling thread's context where it last ran in module mod, at most
 * depth callers up: where a runtime called one of our handlers, the
 * frame a report starts from.  0, or -1 with ctx this call's own. */
int fl_win_context_in(CONTEXT *ctx, HMODULE mod, unsigned depth);

/* --- arch_x86_64.c ---------------------------------------------------- */
/* [fatal] The registers of c into f. */
void fl_arch_fill(struct faultline_fault *f, const CONTEXT *c);
/* [fatal] Make c resume in fl_jmp_land(j) (protect.h). */
struct fl_jmp;
void fl_arch_land(CONTEXT *c, struct fl_jmp *j);

/* --- status.c --------------------------------------------------------- */

/* What the vectored handler does with a first-chance exception. */
enum fl_win_class {
	FL_WIN_DEFERRED,  /* a fault SEH may still handle: unhandled filter */
	FL_WIN_IMMEDIATE, /* report at once in the vectored handler */
};

struct fl_win_status {
	uint32_t code;
	int signo;   /* FAULTLINE_SIG* */
	int si_code; /* the Linux si_code closest in meaning */
	const char *name;
	enum fl_win_class cls;
	/* What the report says it was; FAULTLINE_CAUSE_UNKNOWN: what the
	 * signal and code say (fl_fault_explain). */
	enum faultline_cause cause;
};

/* [fatal] The table entry for code, or NULL when faultline does not know
 * it. */
const struct fl_win_status *fl_win_status_find(uint32_t code);
/* [fatal] 1 for codes that are never a crash by themselves (debug output,
 * thread naming, C++/CLR/GCC exceptions, RPC): documented filtering. */
int fl_win_status_benign(uint32_t code);

/* --- modules.c -------------------------------------------------------- */
/* Install-time setup: device -> drive-letter table, NtQueryVirtualMemory. */
void fl_win_modules_prepare(void);
/* [fatal] The file mapped at addr (an image or a mapped view), as a UTF-8
 * drive path into out; its length, 0 when none.  Reporter thread only (a
 * static buffer). */
size_t fl_win_mapped_file(uintptr_t addr, char *out, size_t cap);
/* [fatal] Image base and size of the PE image containing addr (0 when
 * none), read from the address space itself. */
uintptr_t fl_win_image_of(uintptr_t addr, size_t *size);
/* Symbol thread, not [fatal]: look every frame of fault up with dbghelp,
 * publishing names into the cache fl_platform_symbolize reads.  May
 * block (the reporter waits for it only so long). */
void fl_win_dbghelp_resolve(const struct faultline_fault *fault);
/* [fatal] Forget cached dbghelp names (start of a report). */
void fl_win_symcache_reset(void);

/* --- platform.c ------------------------------------------------------- */
/* [fatal] Copy len bytes of our own address space that may be unmapped
 * or protected: 0, or -1 (never faults). */
int fl_win_safe_read(void *dst, uintptr_t src, size_t len);
/* [fatal] 1 when [addr, addr+len) is committed, readable memory (not a guard
 * page): a check before reading it directly. */
int fl_win_readable(uintptr_t addr, size_t len);
/* [fatal] UTF-16 to NUL-terminated UTF-8 (truncates); returns the bytes
 * written. */
size_t fl_win_utf16_to_utf8(const WCHAR *w, size_t n, char *out, size_t cap);
/* Cache what the fatal path must not ask the loader for (exe path). */
void fl_win_platform_prepare(void);
/* Keep size bytes (0: 16 KiB) of the calling thread's stack usable after
 * a stack overflow, for the vectored handler. */
void fl_win_stack_guarantee(size_t size);

#endif
