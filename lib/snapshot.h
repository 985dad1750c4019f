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
	/* Filled by fl_snapshot_resolve(): */
	struct fl_module_table *modules; /* NULL when not collected */
	struct fl_frame_info frame_info[FAULTLINE_MAX_FRAMES];
	/* Names packed end to end, right after frame_info: a typical crash
	 * touches one or two pages here, not a buffer of FL_SYMBOL_MAX per
	 * frame (each page touched for the first time in the handler is a
	 * page fault). */
	size_t symbols_used;
	char symbols[FL_SYMBOL_ARENA];
};

/* --- snapshot.c --- */
/* [fatal] Collects the modules (platform) and resolves every frame
 * against them: module, offset, symbol. */
void fl_snapshot_resolve(struct fl_snapshot *snap,
			 struct fl_module_table *modules);

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

/* --- frames.c --- */
/* [fatal] Frame accumulation with the head/tail rule of
 * FAULTLINE_FRAMES_HEAD/TAIL: feed every frame in order, then finish. */
struct fl_frame_collector {
	struct faultline_fault *fault;
	size_t seen;
	uintptr_t tail[FAULTLINE_FRAMES_TAIL]; /* ring of the latest frames */
};
void fl_frames_begin(struct fl_frame_collector *c,
		     struct faultline_fault *fault);
void fl_frames_add(struct fl_frame_collector *c, uintptr_t pc);
void fl_frames_finish(struct fl_frame_collector *c);

#endif
