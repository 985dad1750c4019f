/*
 * snapshot.h - the platform-neutral picture of one crash.
 *
 * The platform entry (sigaction handler, vectored exception handler) fills
 * a struct fl_snapshot from siginfo_t/ucontext_t or EXCEPTION_RECORD/CONTEXT;
 * everything downstream (symbols, renderers, sink) sees only this struct.
 * All of it lives in memory reserved at install time: the fatal path never
 * allocates.
 *
 *   cause.c         the one-line explanation of the fault
 *   frames.c        the head/tail rule of deep backtraces
 *   snapshot.c      each frame's module and symbol (via the platform)
 *   module_table.c  the table of loaded modules the platform fills
 */
#ifndef FL_SNAPSHOT_H
#define FL_SNAPSHOT_H

#include "annotations.h"
#include "faultline.h"

#include <stddef.h>
#include <stdint.h>

#define FL_MAX_MODULES 512
#define FL_MODULE_PATH_ARENA (128 * 1024)
#define FL_BUILD_ID_MAX 32
/* The longest symbol name kept for one frame: long enough for the C++
 * names the demangler takes (demangle.h). */
#define FL_SYMBOL_MAX 1024
/* All symbol names of one report, mangled and demangled: a page or two
 * for a typical crash, room for 32 distinct pairs of the longest. */
#define FL_SYMBOL_ARENA (64 * 1024)
#define FL_EXE_PATH_MAX 1024
/* The command line kept in a report: a few lines' worth; longer ones are
 * cut, and the report says so. */
#define FL_CMDLINE_MAX 2048
/* Registers of one thread kept for a minidump (fl_snapshot.regs). */
#define FL_SNAPSHOT_REGS_MAX 40

/* The process around the crash (fl_platform_context). */
struct fl_context {
	long long time_s; /* UTC, unix seconds; 0 unknown */
	int time_ms;
	long long uptime_ms; /* since the process started; -1 unknown */
	/* Shell-quoted arguments joined by spaces (POSIX), the raw command
	 * line (Windows); "" unknown. */
	char command_line[FL_CMDLINE_MAX];
	int command_line_cut;
};

/* The uncaught C++ exception that ended in abort() (POSIX with
 * libstdc++). */
#define FL_EXCEPTION_TYPE_MAX 256
#define FL_EXCEPTION_WHAT_MAX 256
struct fl_exception {
	int present;
	char type[FL_EXCEPTION_TYPE_MAX];    /* demangled when possible */
	char mangled[FL_EXCEPTION_TYPE_MAX]; /* the type_info's name */
	int has_what;			     /* a std::exception */
	char what[FL_EXCEPTION_WHAT_MAX];    /* its what(), cut */
};

/* Why the unwinder stopped before the stack's end (FL_WALK_*). */
#define FL_WALK_DONE 0
#define FL_WALK_STEP_CAP 1 /* FL_UNWIND_MAX_STEPS frames walked */
#define FL_WALK_TIME_CAP 2 /* its time bound ran out */

/* A loaded module (ELF object or PE image). */
struct fl_module {
	uintptr_t base;	  /* lowest mapped address (ELF header / HMODULE) */
	uintptr_t end;	  /* one past the highest mapped address, 0 unknown */
	uintptr_t bias;	  /* load bias: module offset = pc - bias */
	const char *path; /* into the table's arena, never NULL */
	unsigned char build_id[FL_BUILD_ID_MAX];
	size_t build_id_len; /* 0: none found */
};

/* Large (130 KiB) but touched only at its start: the counters and the
 * first modules share a page.  Instances used in the fatal path are
 * page-aligned (FL_PAGE_ALIGNED) so that a crash with a dozen modules
 * touches one page of modules and one of paths. */
struct fl_module_table {
	size_t count;
	size_t arena_used;
	struct fl_module modules[FL_MAX_MODULES];
	char arena[FL_MODULE_PATH_ARENA];
};
#define FL_PAGE_ALIGNED _Alignas(4096)

/* --- module_table.c --- */
/* [fatal] Index of the module containing addr, or -1. */
int fl_module_find(const struct fl_module_table *t, uintptr_t addr);
/* [fatal] Copy path into the table's arena; returns the copy ("" when
 * full). */
const char *fl_module_intern(struct fl_module_table *t, const char *path,
			     size_t len);

/* What the symbol step found for one frame of fault.frames. */
struct fl_frame_info {
	int module;		 /* index into the module table, -1 unknown */
	uintptr_t module_offset; /* pc - bias */
	const char *symbol; /* into the snapshot's arena; "" or NULL unknown */
	uintptr_t symbol_offset;
	/* The symbol's raw ELF name when symbol is its demangled form (a C++
	 * name); NULL otherwise. */
	const char *mangled;
};

/* --- the other threads of a report -------------------------------------
 *
 * The crashed thread (or the one writing a dump) is snapshot.fault; every
 * other thread of the process is a struct fl_thread, filled by the
 * platform (lib/posix/threads.c stops each one and walks its stack).
 * The records live in memory the platform reserved at install: their
 * number is bounded, and so is each backtrace (no head and tail here:
 * the walk stops after FL_THREAD_FRAMES frames, which bounds a report of
 * a thousand threads in time and size). */
#define FL_THREAD_FRAMES 64
/* Threads listed in one report, at most (the rest are counted). */
#define FL_THREADS_LISTED_MAX 4096

/* How a thread's record was made (the report's words in quotes). */
enum fl_thread_capture {
	FL_THREAD_STOPPED,     /* stopped and walked: has frames */
	FL_THREAD_NOT_STOPPED, /* "not stopped": it did not answer in time */
	FL_THREAD_OVER_CAP,    /* "over the cap": listed, never stopped */
};
/* Why a thread was not stopped, when it is known. */
enum fl_thread_why {
	FL_WHY_NO_ANSWER = 0,	/* "no answer" in time */
	FL_WHY_SIGNALS_BLOCKED, /* "signals blocked" */
	FL_WHY_SUSPENDED,	/* "suspended": stopped, traced */
};

struct fl_thread {
	long tid;
	char name[32];
	/* As the kernel said before the thread was stopped: /proc's state
	 * letter (R running, S sleeping, D disk sleep, T stopped, t tracing
	 * stop, ...), 0 unknown. */
	char state;
	unsigned char capture;	 /* enum fl_thread_capture */
	unsigned char why;	 /* enum fl_thread_why, when not stopped */
	unsigned char truncated; /* the walk stopped at FL_THREAD_FRAMES */
	size_t frame_count;
	uintptr_t *frames; /* FL_THREAD_FRAMES of room; NULL: none */
	/* Its registers where it was stopped, as the platform numbers them
	 * (fl_snapshot.regs); NULL when not stopped.  For the minidump. */
	const uint64_t *regs;
};

/* The other threads of one report. */
struct fl_thread_list {
	size_t count;
	size_t not_listed; /* threads beyond the room of t */
	struct fl_thread *t;
	/* How the first thread (snapshot.fault) came to be reported: 1 for a
	 * dump or the watchdog ("reporting"), 0 for a crash ("crashed"). */
	int reporting;
	/* [fatal] Asked before each thread is written, when set: 1 means
	 * stop, the process is crashing (a dump gives way to the crash). */
	int (*cut)(void);
};
/* [fatal] How many of the other threads to write: all of them, or fewer
 * when the list's cut says stop (the renderers write how many not). */
static inline int fl_threads_cut(const struct fl_thread_list *l)
{
	return l->cut && l->cut();
}

/* One other thread's frames, resolved for rendering (fl_snapshot_thread):
 * renderers see one thread at a time, so the names of a thousand
 * threads never need to be held at once. */
struct fl_thread_frames {
	const struct fl_thread *thread;
	struct fl_frame_info info[FL_THREAD_FRAMES];
	size_t symbols_used;
	char symbols[FL_SYMBOL_ARENA];
};

struct fl_snapshot {
	struct faultline_fault fault;
	char exe_path[FL_EXE_PATH_MAX];
	unsigned include; /* FAULTLINE_INCLUDE_* */
	struct fl_context context;
	int walk_cut; /* FL_WALK_* */
	/* SIGSYS: the system call refused (si_syscall) and its ABI
	 * (si_arch, an AUDIT_ARCH_* value); the call's address is
	 * fault.address. */
	int has_syscall;
	int syscall_nr;
	unsigned syscall_arch;
	struct fl_exception exception;
	/* The crash annotations, copied when the report is written. */
	size_t annotation_count;
	struct fl_annotation annotations[FL_ANNOTATIONS_MAX];
	/* Filled by fl_snapshot_resolve(): */
	struct fl_module_table *modules; /* NULL when not collected */
	struct fl_frame_info frame_info[FAULTLINE_MAX_FRAMES];
	/* Names packed end to end, right after frame_info: a typical crash
	 * touches one or two pages here, not a buffer of FL_SYMBOL_MAX per
	 * frame (each page touched for the first time in the handler is a
	 * page fault). */
	size_t symbols_used;
	char symbols[FL_SYMBOL_ARENA];
	/* Every other thread (count 0: the crashed thread only). */
	struct fl_thread_list threads;
	/* The registers of fault's thread as the platform numbers them
	 * (POSIX: the unwinder's, arch_*.h), for the minidump; has_regs 0
	 * when not captured. */
	int has_regs;
	uint64_t regs[FL_SNAPSHOT_REGS_MAX];
	/* The minidump written beside this report, an absolute path; ""
	 * none.  minidump_error: why none was when one was asked for (POSIX),
	 * or NULL. */
	char minidump[FL_EXE_PATH_MAX + 256];
	const char *minidump_error;
};

/* --- snapshot.c --- */
/* [fatal] Collects the modules (platform) and resolves every frame
 * against them: module, offset, symbol. */
void fl_snapshot_resolve(struct fl_snapshot *snap,
			 struct fl_module_table *modules);

/* [fatal] Other thread i's frames resolved against the modules that
 * fl_snapshot_resolve collected, into one static record that stays
 * valid until the next call (reports are written one at a time); NULL
 * when i is out of range. */
const struct fl_thread_frames *fl_snapshot_thread(struct fl_snapshot *snap,
						  size_t i);

/* --- context.c --- */
/* [fatal] "2026-12-06T02:35:32.123Z": unix seconds and ms as an ISO 8601
 * UTC time, computed here (gmtime may take a lock). */
struct fl_sink;
void fl_sink_utc_time(struct fl_sink *s, long long unix_s, int ms);
/* [fatal] The proleptic Gregorian date of a day count from 1970-01-01. */
void fl_civil_from_days(long long days, long long *y, int *m, int *d);

/* --- cause.c --- */
/* [fatal] The report's cause: the fault's, or for an uncaught C++
 * exception "uncaught C++ exception TYPE" (formatted into buf). */
#define FL_CAUSE_MAX (32 + FL_EXCEPTION_TYPE_MAX)
const char *fl_snapshot_cause(const struct fl_snapshot *snap, char *buf,
			      size_t cap);
/* [fatal] 1 when a (Linux) si_code says a process sent the signal. */
int fl_code_is_sent(int code);

/* [fatal] Fills fault->cause (unless the platform set one already: a Windows
 * exception code may say more than its signal) from signo/code/address/
 * access and the platform's stack-overflow verdict, then cause_text. */
void fl_fault_explain(struct faultline_fault *fault, int stack_overflow);
/* [fatal] A report without a fault: cause FAULTLINE_CAUSE_DUMP_REQUESTED
 * (by fault->signo, sent by fault->sender_pid when has_sender; signo 0:
 * by faultline_dump) or FAULTLINE_CAUSE_WATCHDOG (after seconds). */
void fl_fault_explain_request(struct faultline_fault *fault,
			      enum faultline_cause cause, unsigned seconds);

/* --- frames.c --- */
/* [fatal] Frame accumulation with the head/tail rule of
 * FAULTLINE_FRAMES_HEAD/TAIL: feed every frame in order, then finish. */
struct fl_frame_collector {
	struct faultline_fault *fault;
	size_t seen;
	/* Stop the walk after this many frames (other threads); 0: never,
	 * the head/tail rule keeps what matters of any depth. */
	size_t limit;
	uintptr_t tail[FAULTLINE_FRAMES_TAIL]; /* ring of the latest frames */
};
void fl_frames_begin(struct fl_frame_collector *c,
		     struct faultline_fault *fault);
/* The tail alone, from another walk than the head's: f's first
 * FAULTLINE_FRAMES_HEAD frames are kept, and the frames added go to the
 * tail (the last FAULTLINE_FRAMES_TAIL of them); frames_omitted then
 * counts only those this walk dropped. */
void fl_frames_begin_tail(struct fl_frame_collector *c,
			  struct faultline_fault *f);
void fl_frames_add(struct fl_frame_collector *c, uintptr_t pc);
void fl_frames_finish(struct fl_frame_collector *c);
/* The count of frames omitted, 0 when unknown (for numbering frames). */
static inline size_t fl_frames_omitted_count(const struct faultline_fault *f)
{
	return f->frames_omitted == FAULTLINE_FRAMES_OMITTED_UNKNOWN
		       ? 0
		       : f->frames_omitted;
}
/* [fatal] Leave out the frames above caller (a return address: faultline's
 * own, in a dump): the backtrace then starts where the thread called
 * faultline_dump.  Nothing changes when caller is not found. */
void fl_frames_start_at(struct faultline_fault *f, uintptr_t caller);
/* 1 when the walk should stop (the limit is reached). */
static inline int fl_frames_full(const struct fl_frame_collector *c)
{
	return c->limit && c->seen >= c->limit;
}

#endif
