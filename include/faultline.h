/*
 * faultline.h - crash reports instead of "Segmentation fault".
 *
 * faultline intercepts fatal signals (POSIX) or exceptions (Windows), writes
 * an async-signal-safe report of the crash, then ends the process exactly as
 * it would have ended without faultline (same signal, same exit code, same
 * core dump behaviour).  This is the only public header of the library.
 *
 * Signal numbers in this API are Linux's (SIGSEGV is 11, SIGBUS 7, ...) on
 * every platform; use the FAULTLINE_SIG* constants for portable code.
 *
 * Copyright (c) 2026 the faultline authors.  MIT licence.
 */
#ifndef FAULTLINE_H
#define FAULTLINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(FAULTLINE_BUILDING_DLL)
#define FAULTLINE_API __declspec(dllexport)
#elif defined(_WIN32) && !defined(FAULTLINE_STATIC)
#define FAULTLINE_API __declspec(dllimport)
#elif defined(__GNUC__)
#define FAULTLINE_API __attribute__((visibility("default")))
#else
#define FAULTLINE_API
#endif

/* ------------------------------------------------------------------------
 * Version
 * ---------------------------------------------------------------------- */

#define FAULTLINE_VERSION_MAJOR 0
#define FAULTLINE_VERSION_MINOR 1
#define FAULTLINE_VERSION_PATCH 0
#define FAULTLINE_VERSION_STRING "0.1.0"
/* One number that grows with every release: 0x00MMmmpp. */
#define FAULTLINE_VERSION_NUMBER                                               \
	((FAULTLINE_VERSION_MAJOR << 16) | (FAULTLINE_VERSION_MINOR << 8) |    \
	 FAULTLINE_VERSION_PATCH)

/* The version of the library actually loaded, e.g. "0.1.0". */
FAULTLINE_API const char *faultline_version(void);

/* ------------------------------------------------------------------------
 * The signal vocabulary (Linux numbering, used on every platform)
 * ---------------------------------------------------------------------- */

#define FAULTLINE_SIGILL 4
#define FAULTLINE_SIGTRAP 5
#define FAULTLINE_SIGABRT 6
#define FAULTLINE_SIGBUS 7
#define FAULTLINE_SIGFPE 8
#define FAULTLINE_SIGSEGV 11
#define FAULTLINE_SIGSYS 31
/* Usual dump signals (faultline_options.dump_signal). */
#define FAULTLINE_SIGQUIT 3
#define FAULTLINE_SIGUSR1 10
#define FAULTLINE_SIGUSR2 12

/* A set of signals for faultline_options.signals. */
#define FAULTLINE_SIGNAL_BIT(sig) (UINT64_C(1) << (sig))
/* SEGV, BUS, ILL, FPE, ABRT, TRAP and SYS. */
#define FAULTLINE_SIGNALS_DEFAULT                                              \
	(FAULTLINE_SIGNAL_BIT(FAULTLINE_SIGSEGV) |                             \
	 FAULTLINE_SIGNAL_BIT(FAULTLINE_SIGBUS) |                              \
	 FAULTLINE_SIGNAL_BIT(FAULTLINE_SIGILL) |                              \
	 FAULTLINE_SIGNAL_BIT(FAULTLINE_SIGFPE) |                              \
	 FAULTLINE_SIGNAL_BIT(FAULTLINE_SIGABRT) |                             \
	 FAULTLINE_SIGNAL_BIT(FAULTLINE_SIGTRAP) |                             \
	 FAULTLINE_SIGNAL_BIT(FAULTLINE_SIGSYS))

/* ------------------------------------------------------------------------
 * The fault: what the handler saw.  Filled in pre-allocated memory by the
 * handler; handed to the user callback and to faultline_protect's caller.
 * ---------------------------------------------------------------------- */

/* How the faulting instruction touched memory, where the CPU tells us
 * (x86-64 page-fault error code, aarch64 ESR, Windows ExceptionInformation). */
enum faultline_access {
	FAULTLINE_ACCESS_UNKNOWN = 0,
	FAULTLINE_ACCESS_READ,
	FAULTLINE_ACCESS_WRITE,
	FAULTLINE_ACCESS_EXECUTE
};

/* The one-line explanation in the report. */
enum faultline_cause {
	FAULTLINE_CAUSE_UNKNOWN = 0,
	FAULTLINE_CAUSE_NULL_DEREF, /* "null pointer dereference" */
	FAULTLINE_CAUSE_STACK_OVERFLOW,
	FAULTLINE_CAUSE_UNMAPPED, /* "access to unmapped memory" */
	FAULTLINE_CAUSE_WRITE_READONLY,
	FAULTLINE_CAUSE_EXEC_NONEXEC,  /* execution of non-executable memory */
	FAULTLINE_CAUSE_ACCESS_DENIED, /* other protection fault */
	FAULTLINE_CAUSE_BUS_ERROR,
	FAULTLINE_CAUSE_ILLEGAL_INSTRUCTION,
	FAULTLINE_CAUSE_INT_DIVIDE_BY_ZERO,
	FAULTLINE_CAUSE_INT_OVERFLOW,
	FAULTLINE_CAUSE_FLOAT_ERROR,
	FAULTLINE_CAUSE_ABORT, /* "abort() called" */
	FAULTLINE_CAUSE_BREAKPOINT,
	FAULTLINE_CAUSE_BAD_SYSCALL,
	FAULTLINE_CAUSE_SENT_BY_PROCESS, /* "signal sent by pid N" */
	FAULTLINE_CAUSE_SENT_BY_KERNEL,
	FAULTLINE_CAUSE_HEAP_CORRUPTION,
	FAULTLINE_CAUSE_BUFFER_OVERRUN,
	/* No fault: reports of a running program (faultline_dump). */
	/* "dump requested: SIGQUIT from pid N" */
	FAULTLINE_CAUSE_DUMP_REQUESTED,
	/* "watchdog: no progress for N s" */
	FAULTLINE_CAUSE_WATCHDOG,
	/* The C and C++ runtimes' own failure paths (Windows): */
	/* "invalid parameter passed to a C runtime function[: FUNCTION in
	 * FILE:LINE]" (the names where a debug CRT gives them) */
	FAULTLINE_CAUSE_INVALID_PARAMETER,
	FAULTLINE_CAUSE_PURE_VIRTUAL_CALL, /* "pure virtual function call" */
	/* "uncaught C++ exception TYPE: what()" */
	FAULTLINE_CAUSE_UNCAUGHT_EXCEPTION,
	FAULTLINE_CAUSE_TERMINATE /* "std::terminate() called" */
};

/* The backtrace keeps the first FAULTLINE_FRAMES_HEAD frames and the last
 * FAULTLINE_FRAMES_TAIL; frames_omitted counts those in between. */
#define FAULTLINE_FRAMES_HEAD 100
#define FAULTLINE_FRAMES_TAIL 20
#define FAULTLINE_MAX_FRAMES (FAULTLINE_FRAMES_HEAD + FAULTLINE_FRAMES_TAIL)
#define FAULTLINE_MAX_REGISTERS 40

struct faultline_register {
	const char *name; /* static string: "rip", "x0", ... */
	uint64_t value;
};

struct faultline_fault {
	int signo; /* FAULTLINE_SIG* */
	int code;  /* si_code on POSIX; on Windows see exception_code */
	const char *signal_name; /* "SIGSEGV" (static) */
	const char *code_name; /* "SEGV_MAPERR", "EXCEPTION_ACCESS_VIOLATION" */
	uint32_t exception_code; /* Windows NTSTATUS; 0 on POSIX */
	uintptr_t address; /* fault address (si_addr; SIGSYS: si_call_addr) */
	enum faultline_access access;
	enum faultline_cause cause;
	/* "null pointer dereference", ...; room for a C++ exception's type
	 * and what(), or a CRT function's name, file and line. */
	char cause_text[256];

	int has_sender; /* sent by kill/raise/sigqueue */
	long sender_pid;
	long sender_uid;

	long pid;
	long tid;
	char thread_name[32];

	uintptr_t pc; /* faulting instruction */
	uintptr_t sp;
	unsigned register_count;
	struct faultline_register registers[FAULTLINE_MAX_REGISTERS];

	/* frames[0] is the faulting pc; the others are return addresses. */
	size_t frame_count;
	size_t frames_omitted; /* between frames[HEAD-1] and frames[HEAD] */
	uintptr_t frames[FAULTLINE_MAX_FRAMES];
};

/* ------------------------------------------------------------------------
 * Options
 * ---------------------------------------------------------------------- */

enum faultline_format { FAULTLINE_FORMAT_TEXT = 0, FAULTLINE_FORMAT_JSON = 1 };

/* What a report includes, a bit set for faultline_options.include. */
#define FAULTLINE_INCLUDE_REGISTERS 0x1u
#define FAULTLINE_INCLUDE_MODULES 0x2u
/* /proc/self/maps on Linux; on Windows the regions VirtualQuery finds. */
#define FAULTLINE_INCLUDE_MEMORY_MAP 0x4u
#define FAULTLINE_INCLUDE_DEFAULT                                              \
	(FAULTLINE_INCLUDE_REGISTERS | FAULTLINE_INCLUDE_MODULES)

/*
 * Called in the signal handler after the report was written and before the
 * process ends.  It must be async-signal-safe: no malloc, no stdio, no locks.
 * report_fd is where the report went (the callback may append to it).  It
 * is not called when faultline_protect recovers a fault.
 */
typedef void (*faultline_callback)(const struct faultline_fault *fault,
				   int report_fd, void *data);

/* Which threads a report shows (faultline_options.threads). */
enum faultline_threads {
	/* Every thread: the crashed (or reporting) one first, then each
	 * other thread with its state, and the backtraces of up to
	 * thread_backtraces of them (Linux; elsewhere the crashed thread
	 * only, for now). */
	FAULTLINE_THREADS_ALL = 0,
	/* The crashed thread only: no other thread is stopped or listed. */
	FAULTLINE_THREADS_CRASHED = 1
};
/* The default and the largest cap on other threads' backtraces. */
#define FAULTLINE_THREAD_BACKTRACES_DEFAULT 1024
#define FAULTLINE_THREAD_BACKTRACES_MAX 4096

struct faultline_options {
	size_t size;	  /* sizeof(struct faultline_options), set by init */
	uint64_t signals; /* FAULTLINE_SIGNAL_BIT set */
	int output_fd;	  /* report destination when output_path is NULL */
	/* Path template, expanded for each report: %p pid, %e executable
	 * name, %t unix time, %n the report's number in this process (0, 1,
	 * ...: dumps), %% a percent sign.  Created O_EXCL|O_NOFOLLOW, mode
	 * 0600, following no symbolic link anywhere on the path (POSIX:
	 * openat2 RESOLVE_NO_SYMLINKS); when that fails the report goes to
	 * output_fd with a line saying why.  A destination that fails while
	 * the report is written (no space, RLIMIT_FSIZE, closed, a pipe
	 * nobody reads) passes the whole report on to output_fd, then to
	 * stderr, with a line saying why.  Copied by faultline_install. */
	const char *output_path;
	enum faultline_format format;
	unsigned include;     /* FAULTLINE_INCLUDE_* */
	size_t altstack_size; /* per thread; 0: from AT_MINSIGSTKSZ + margin */
	faultline_callback callback;
	void *callback_data;
	/* The members below came with faultline_dump: a caller built with
	 * an older header passes the smaller size and gets their defaults. */
	enum faultline_threads threads;
	/* Other threads whose stacks are walked, at most (the rest are
	 * listed with their state); 0 .. FAULTLINE_THREAD_BACKTRACES_MAX. */
	unsigned thread_backtraces;
	/* A signal that writes an all-thread report and lets the program
	 * run on (like the JVM's SIGQUIT), e.g. FAULTLINE_SIGQUIT; 0 none.
	 * Not one of the signals above, nor SIGKILL or SIGSTOP. */
	int dump_signal;
	/* Arm the hang watchdog at install (see faultline_watchdog); 0 not. */
	unsigned timeout;
	/* The member below came with minidumps. */
	/* Path template of a minidump written beside each crash report (the
	 * same %-escapes, creation rules and fallbacks as output_path; the
	 * report names the file); NULL none.  Windows: MiniDumpWriteDump
	 * (dbghelp) on faultline's reporter thread.  Copied by
	 * faultline_install. */
	const char *minidump;
};

/* Fill *opts with the defaults: the default signal set, stderr, text,
 * FAULTLINE_INCLUDE_DEFAULT, automatic alternate-stack size, every
 * thread (FAULTLINE_THREAD_BACKTRACES_DEFAULT backtraces at most), no
 * dump signal, no watchdog. */
FAULTLINE_API void faultline_options_init(struct faultline_options *opts);

/* ------------------------------------------------------------------------
 * Installing
 * ---------------------------------------------------------------------- */

/*
 * Install the crash handlers.  opts NULL means the defaults configured by
 * the FAULTLINE_* environment variables (see README); with opts, the
 * environment is not read, except FAULTLINE_DISABLE=1, which makes this a
 * successful no-op in every mode.
 *
 * Idempotent: a second call only replaces the options.  Also gives the
 * calling thread an alternate signal stack, and every thread created later
 * (through pthread_create) one of its own.
 *
 * Returns 0, or -1 with errno set (EINVAL for bad options, ENOMEM when the
 * pre-allocated memory cannot be mapped).
 */
FAULTLINE_API int faultline_install(const struct faultline_options *opts);

/* Restore exactly the signal actions that were in place before install.
 * Returns 0, or -1 with errno set. */
FAULTLINE_API int faultline_uninstall(void);

/* Give the calling thread an alternate signal stack, unless it has one
 * already (one set by somebody else is kept).  Threads created with
 * pthread_create after install get one automatically; call this from
 * threads created otherwise (clone, foreign runtimes).  0, or -1 with
 * errno. */
FAULTLINE_API int faultline_thread_init(void);

/* ------------------------------------------------------------------------
 * Reports of a running program: dumps and the hang watchdog
 * ---------------------------------------------------------------------- */

/*
 * Write an all-thread report of the running process and carry on: the
 * calling thread first (its backtrace starts in faultline_dump), then
 * every other thread with its state and backtrace, as a crash report
 * shows them, with the cause "dump requested: faultline_dump()".  fd is
 * where it goes; -1 means the configured output (a path template then
 * names a new file per report: use %n).  The user callback is not called.
 *
 * Safe from any thread, any number of times, and from a signal handler:
 * like the crash path it allocates nothing and takes no lock the program
 * may hold.  The other threads are stopped for the time it takes to walk
 * their stacks (on Linux by a signal: a system call they were blocked in
 * is restarted, or fails with EINTR where the kernel never restarts it -
 * poll, nanosleep - as for any signal handler).  One report is written at
 * a time: a dump waits for another one to finish (up to 10 s).  A crash
 * during a dump wins: the dump is cut short, with a line saying so, and
 * the crash is reported as usual.
 *
 * Returns 0, or -1 with errno: EBADF (fd is not open), ENOTSUP (faultline
 * is not installed), EBUSY (another report did not finish in time), EIO
 * (the report could not be written), ENOSYS (not on this platform yet:
 * Windows).
 */
FAULTLINE_API int faultline_dump(int fd);

/*
 * The hang watchdog: arm it for seconds; if it is not called again within
 * that time, faultline writes an all-thread report whose cause is
 * "watchdog: no progress for N s", then ends the process by SIGABRT (with
 * a core dump where cores are enabled), so that a test runner sees a
 * failure with a report instead of a silent kill.  Calling it again
 * re-arms it (a heartbeat); 0 disarms it.  FAULTLINE_TIMEOUT=SECONDS arms
 * it at install.
 *
 * Free while armed: a kernel timer, no thread, no polling; nothing at all
 * when never armed.  Returns 0, or -1 with errno: ENOTSUP (faultline is
 * not installed), EAGAIN (no timer could be made), ENOSYS (not on this
 * platform yet: Windows).
 */
FAULTLINE_API int faultline_watchdog(unsigned seconds);

/* ------------------------------------------------------------------------
 * Crash annotations: key/value pairs every report carries
 * ---------------------------------------------------------------------- */

/* The table's capacity, and the longest key and value in bytes (without
 * the terminating NUL). */
#define FAULTLINE_ANNOTATIONS_MAX 64
#define FAULTLINE_ANNOTATION_KEY_MAX 63
#define FAULTLINE_ANNOTATION_VALUE_MAX 255

/*
 * Set the annotation key to value, copied into a table reserved when the
 * library was loaded: every report written after the call (crash, dump,
 * watchdog, faultline_write_report; text, JSON) shows it, in the order
 * the keys were first set.  Setting a key again replaces its value; a
 * NULL value removes the key (0 also when it was not set).  Works before
 * faultline_install too.
 *
 * Any thread may call it at any time: writers take turns on a flag (a
 * short spin, no kernel lock), and the crash handler never waits for
 * them - a slot being written at the moment of a crash is left out of
 * the report, never shown torn.  Not for signal handlers that may have
 * interrupted a faultline_annotate call on their own thread.
 *
 * FAULTLINE_ANNOTATIONS=key=value,key2=value2 adds annotations at
 * install, in either mode: a value runs to the next unescaped ',', and
 * '\,' and '\\' stand for a comma and a backslash (in keys as well);
 * '=' after the first one is part of the value.  Bad entries cost one
 * warning line on stderr; the good ones are kept.
 *
 * Returns 0, or -1 with errno: EINVAL (key NULL or empty, longer than
 * FAULTLINE_ANNOTATION_KEY_MAX bytes or holding '='; value longer than
 * FAULTLINE_ANNOTATION_VALUE_MAX bytes: nothing is truncated), ENOSPC
 * (FAULTLINE_ANNOTATIONS_MAX keys are set), EBUSY (another writer held
 * the table for seconds).
 */
FAULTLINE_API int faultline_annotate(const char *key, const char *value);

/* ------------------------------------------------------------------------
 * Recovery: a fault inside a protected call becomes a return value
 * ---------------------------------------------------------------------- */

/* faultline_protect's results (see there). */
#define FAULTLINE_PROTECT_RETURNED                                             \
	0			    /* fn returned; *result holds its value    \
				     */
#define FAULTLINE_PROTECT_FAULTED 1 /* fn faulted; *fault describes it */

/*
 * Run fn(arg).  If fn returns, store its value in *result (when result is
 * not NULL) and return FAULTLINE_PROTECT_RETURNED.  If fn, or anything it
 * calls, faults on the calling thread, abandon fn where it stood and return
 * FAULTLINE_PROTECT_FAULTED with *fault (when not NULL) filled as the crash
 * handler would fill it: signal, code, fault address, access kind, cause,
 * pc, registers and backtrace frames.  faultline_write_report turns it into
 * the usual report.  No report is written and the user callback is not
 * called: the caller decides.
 *
 * What is recovered: SIGSEGV (including a stack overflow), SIGBUS, SIGILL,
 * SIGFPE and SIGTRAP raised by the CPU for the calling thread while fn runs
 * (on Windows: access violations, stack overflow, illegal instructions,
 * divide errors, breakpoints), provided faultline_install handles that
 * signal (after faultline_uninstall, nothing is caught any more: a fault
 * then ends the process as it would without faultline).  Everything else
 * keeps the normal report-and-terminate path:
 *  - a fault on another thread, even one that runs protected code of its
 *    own elsewhere: protection is per thread;
 *  - abort() (SIGABRT) inside fn.  abort() means the program found its own
 *    state corrupt (a failed assert, a heap check); carrying on would hide
 *    that, and glibc's abort() holds an internal lock that abandoning it
 *    would leave taken.  Faults sent by kill(2), raise() or sigqueue() are
 *    not recovered either: they are requests, not faults of fn.
 *
 * On Windows the fault is taken at first chance, before any __try inside
 * fn could handle it.  After a stack overflow the handler has about 2 KB
 * of stack left, so faultline's reporter thread unwinds the overflowed
 * stack while the faulting thread waits: *fault holds the full backtrace
 * (frame 0 only if that thread cannot answer within 5 s).
 *
 * Nesting: a protected call inside fn is fine (up to 32 deep per thread);
 * the innermost protected call that is running receives the fault, and the
 * outer ones go on.  fn may also leave by longjmp (as Check's assertions do
 * in CK_FORK=no mode): the next faultline_protect on the thread notices the
 * abandoned call, by its place on the stack, and drops it.  (So a call made
 * on another stack than the enclosing ones - a coroutine's, or a signal
 * handler's alternate stack above the thread's stack - may drop them too:
 * do not nest protected calls across stacks.)
 *
 * After a recovered fault, the calling thread is as it was before the call:
 * the same signal mask (the one in force when the fault happened, which is
 * the one before the call unless fn changed it; the fault's signal is not
 * left blocked), the same alternate signal stack and no longer running on
 * it, the same floating-point environment (rounding mode, exception flags
 * and trap masks).  It may fault and recover again, indefinitely, without
 * leaking memory or descriptors.
 *
 * What is not undone: anything fn did before it faulted.  Locks it held
 * stay held, memory it allocated stays allocated, objects it was changing
 * are half changed; C++ destructors and cleanup handlers of the abandoned
 * frames do not run.  Use it for code whose side effects you can discard
 * (a test, a plug-in you will unload, a probe of memory), not to resume a
 * program as if nothing happened.
 *
 * Cost: the call itself makes no system call and takes no lock (a few
 * nanoseconds over calling fn).  A recovered fault costs a signal delivery
 * plus the backtrace: about 100 microseconds on the development VM, about
 * 17 without the backtrace (fault NULL); see the README's benchmarks.
 *
 * From a signal handler: allowed once the thread has made its first call
 * outside any handler (that call sets the thread up, which is not
 * async-signal-safe).  A handler that interrupted faultline's own on this
 * thread (recovering an enclosing protected call's fault, or reporting a
 * crash) runs with the fault signals blocked, where a fault could only
 * kill the process with no report: there the call fails with EBUSY and fn
 * is not run.  Telling that apart costs one system call, made only when
 * the call is made off the thread's normal stack (an alternate signal
 * stack, a coroutine's).
 *
 * Returns FAULTLINE_PROTECT_RETURNED, FAULTLINE_PROTECT_FAULTED, or -1 with
 * errno: EINVAL (fn is NULL), ENOTSUP (faultline is not installed, so no
 * fault could be caught), EOVERFLOW (nested too deep), EBUSY (a fault
 * could not be delivered now, see above), or what setting up the thread's
 * alternate signal stack failed with.
 */
FAULTLINE_API int faultline_protect(int (*fn)(void *), void *arg, int *result,
				    struct faultline_fault *fault);

/* ------------------------------------------------------------------------
 * Helpers
 * ---------------------------------------------------------------------- */

/* Write a report of *fault to fd, as the crash handler would.
 * Async-signal-safe.  0, or -1 with errno. */
FAULTLINE_API int faultline_write_report(int fd,
					 const struct faultline_fault *fault,
					 enum faultline_format format);

/* "SIGSEGV" for FAULTLINE_SIGSEGV, NULL for numbers faultline does not
 * know. */
FAULTLINE_API const char *faultline_signal_name(int signo);

#ifdef __cplusplus
}
#endif

#endif /* FAULTLINE_H */
