/*
 * protect.h - the pieces of faultline_protect and how they meet.
 *
 *   lib/protect.c              faultline_protect itself (platform-neutral)
 *   lib/posix/protect.c        per-thread chain, the recovery decision in
 *   lib/windows/protect.c      the handler (POSIX signal, Windows vectored
 *                              exception handler)
 *   lib/posix/capture.c        the fault's description, shared with the
 *   lib/windows/capture.c      crash report; then the backtrace (unwind.c)
 *   lib/posix/arch_*.[ch]      the jump record's layout, fl_jmp_capture /
 *   lib/windows/arch_x86_64.*  fl_jmp_land (assembly), and the rewrite of
 *                              the signal's ucontext or the CONTEXT
 *   lib/windows/reporter.c     after a stack overflow, the description and
 *                              backtrace, made on the reporter thread
 *
 * How a fault comes back (the same shape on every platform):
 *
 *  1. faultline_protect captures a jump record (callee-saved registers,
 *     stack pointer, return address, floating-point control and status)
 *     with fl_jmp_capture, a setjmp without the signal mask: no syscall.
 *     It pushes a frame on the thread's chain and calls fn.
 *  2. On a fault, the handler finds the innermost frame of the faulting
 *     thread, pops it, fills the caller's struct faultline_fault, and
 *     rewrites the interrupted context so that it resumes in fl_jmp_land
 *     with the jump record as its argument.  It then *returns*: the kernel
 *     (rt_sigreturn) restores the signal mask of the interrupted code and
 *     leaves the alternate stack, exactly as for any handled signal.
 *     Windows does the same with CONTEXT and EXCEPTION_CONTINUE_EXECUTION.
 *  3. fl_jmp_land, now running as ordinary code, reloads the registers,
 *     puts the floating-point environment back, and "returns" 1 from
 *     fl_jmp_capture: faultline_protect reports the fault.
 *
 * Nothing ever jumps out of a signal handler, so there is no mask to save
 * and restore ourselves and no sigaltstack state to repair.
 */
#ifndef FL_PROTECT_H
#define FL_PROTECT_H

#include <stddef.h>
#include <stdint.h>

#include "faultline.h"

/* The jump record, struct fl_jmp: the callee-saved registers of the
 * platform's ABI, so its layout lives with each architecture.  Offsets are
 * fixed: the assembly uses them, and the arch files check them with
 * static assertions. */
#if defined(_WIN32) && defined(__x86_64__)
#include "windows/arch_x86_64.h"
#elif defined(__x86_64__)
#include "posix/arch_x86_64.h"
#elif defined(__aarch64__)
#include "posix/arch_aarch64.h"
#else
#error "faultline_protect: no jump record for this architecture"
#endif

/* Returns 0 when called; returns 1 a second time when the handler made a
 * fault land in fl_jmp_land(j).  returns_twice tells the compiler what
 * setjmp's name would: keep nothing in registers across it that changed
 * between the two returns. */
__attribute__((returns_twice)) int fl_jmp_capture(struct fl_jmp *j);
/* Assembly landing point; never called from C, only resumed into. */
void fl_jmp_land(struct fl_jmp *j);

/* One protected call (on the stack of the thread that made it). */
struct fl_protect_frame {
	struct fl_jmp jmp;
	struct faultline_fault *fault; /* where to describe a fault; NULL */
	uint32_t landed; /* set by the handler: Windows exception code */
	uintptr_t check; /* FL_PROTECT_CHECK ^ its own address */
};
/* Why a check word: the chain may still point at the frame of a call left
 * by longjmp (see below), whose stack memory anything may have reused
 * since.  The handler lands in a frame only when its check word holds
 * this constant (eight ASCII letters, unlikely stack data) XORed with
 * the frame's own address, so that neither leftover bytes nor a copy of a
 * live frame elsewhere pass. */
#define FL_PROTECT_CHECK ((uintptr_t)0x66617573746c696eull)

/*
 * The protected calls running on one thread, innermost last.  An array of
 * pointers in thread-local storage rather than a list linked through the
 * frames: a protected call left by longjmp (a failed Check assertion in
 * CK_FORK=no mode jumps straight back to the runner) never pops itself,
 * and its frame's memory is then reused by other calls.  With the array,
 * the next faultline_protect drops such dead entries by comparing
 * addresses only - a live enclosing frame always lies above the new one on
 * the stack - without reading the dead memory, and the handler checks
 * `check` before trusting a frame.
 */
#define FL_PROTECT_MAX_DEPTH 32
struct fl_protect_chain {
	unsigned depth;
	int ready; /* fl_protect_thread_prepare done for this thread */
	struct fl_protect_frame *frames[FL_PROTECT_MAX_DEPTH];
};

/* --- platform backend ------------------------------------------------- */

/* Per-thread setup the first time this thread protects a call (its
 * alternate signal stack, so that a stack overflow can be handled).  0, or
 * -1 with errno (ENOTSUP when faultline is not installed). */
int fl_protect_thread_prepare(void);

/* 1 when a fault on this thread could not be delivered right now (POSIX:
 * the fault signals are blocked, as inside a signal handler that
 * interrupted faultline's own).  sp: an address on the caller's stack. */
#ifdef _WIN32
static inline int fl_protect_busy(const void *sp)
{
	(void)sp; /* no asynchronous signals interrupt a vectored handler */
	return 0;
}
#else
int fl_protect_busy(const void *sp);
#endif

#ifdef _WIN32
/* The calling thread's chain, from a TlsAlloc slot (mingw's __thread is
 * emulated and allocates); a zeroed dummy before the thread is prepared. */
struct fl_protect_chain *fl_protect_chain_get(void);
/* After landing: what must happen on the normal stack (_resetstkoflw after
 * a stack overflow, which the handler could not do). */
void fl_protect_landed(struct fl_protect_frame *f);
#else
static inline void fl_protect_landed(struct fl_protect_frame *f)
{
	(void)f; /* the kernel's sigreturn restored everything */
}

/* Static TLS (initial-exec): an %fs-relative address, and no
 * __tls_get_addr, which may allocate on a thread's first access and must
 * not run in a signal handler. */
extern __thread struct fl_protect_chain fl_protect_chain
	__attribute__((tls_model("initial-exec")));

static inline struct fl_protect_chain *fl_protect_chain_get(void)
{
	return &fl_protect_chain;
}
#endif

#endif
