/*
 * platform.h - the small interface between the platform-neutral core
 * (options, snapshot, renderers, sink) and one platform backend:
 * lib/posix/ (Linux today; macOS or FreeBSD would go beside it) or
 * lib/windows/.
 *
 * [fatal], on a declaration here or in the other internal headers: safe
 * to call from the crash handler, and called there.  On POSIX that means
 * async-signal-safe: syscalls and memory reserved beforehand, no malloc,
 * stdio or lock the crashed code might hold.  On Windows the same rules
 * hold for the reporter thread, which runs while the crashed thread may
 * hold any user-mode lock (heap, loader, CRT).  doc/architecture.md shows
 * which files the fatal path goes through.
 */
#ifndef FL_PLATFORM_H
#define FL_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "faultline.h"

#ifdef _WIN32
typedef void *fl_handle_t; /* HANDLE */
#define FL_NO_HANDLE ((fl_handle_t)(intptr_t)-1)
#else
typedef int fl_handle_t;
#define FL_NO_HANDLE (-1)
#endif

#define FL_OUTPUT_PATH_MAX 1024

/* State that every install writes, kept in .data, not .bss: the loader
 * has already touched .data's page (it clears the tail of its last page),
 * while each .bss page written for the first time costs a page fault -
 * about ten microseconds in a VM, ten times a system call - at the start
 * of every process faultline is preloaded into.  Only for small objects:
 * the section stays within that one page. */
#ifdef __ELF__
#define FL_STARTUP_DATA __attribute__((section(".data.fl_startup")))
#else
#define FL_STARTUP_DATA
#endif

/* The code every install runs, for the same reason: the linker puts
 * .text.startup at the start of .text, in the 64 KiB the kernel maps
 * around the first page of code touched (_init's), so that start-up runs
 * without a page fault of its own; scattered through .text it took two
 * more. */
#ifdef __ELF__
#define FL_STARTUP_TEXT __attribute__((section(".text.startup")))
#else
#define FL_STARTUP_TEXT
#endif

/* Constants only start-up reads (the names of the environment variables
 * and of the functions it looks up) go there too: in .rodata, the first
 * of them cost a page fault of their own.  Named arrays: a string
 * literal cannot be placed. */
#ifdef __ELF__
#define FL_STARTUP_RODATA __attribute__((section(".text.startup.rodata")))
#else
#define FL_STARTUP_RODATA
#endif

/* The options in force, validated and copied: the handler reads only this. */
struct fl_config {
	uint64_t signals;
	fl_handle_t output; /* used when no path, and as the fallback */
	int output_fd;	    /* its number, as the user gave it (messages) */
	char output_path[FL_OUTPUT_PATH_MAX]; /* template; "" none */
	enum faultline_format format;
	unsigned include;
	size_t altstack_size;
	faultline_callback callback;
	void *callback_data;
	/* FAULTLINE_THREADS: every thread (1), with the stacks of up to
	 * thread_backtraces of them walked, or the crashed one only (0). */
	int all_threads;
	unsigned thread_backtraces;
	int dump_signal;  /* FAULTLINE_DUMP_SIGNAL; 0 none */
	unsigned timeout; /* FAULTLINE_TIMEOUT seconds; 0 none */
	char minidump_path[FL_OUTPUT_PATH_MAX]; /* FAULTLINE_MINIDUMP; "" none
						 */
	/* Interpose sigaction and its kin (POSIX, lib/posix/sigchain.c):
	 * -1 as the mode decides (on when preloaded), 0 off, 1 on. */
	int chain;
};

/* --- platform backend, implemented once per platform ------------------ */

/* Install handlers for cfg->signals (first call) or adjust them (later
 * calls).  0 or -1 with errno. */
int fl_platform_install(const struct fl_config *cfg);
int fl_platform_uninstall(void);
int fl_platform_thread_init(void);
/* faultline_dump: an all-thread report of the running process to h
 * (FL_NO_HANDLE: the configured output); the program carries on.  The
 * calling thread's backtrace starts at caller, the return address of its
 * call to faultline_dump (frames of faultline above it are left out).
 * 0, or -1 with errno (faultline.h). */
int fl_platform_dump(fl_handle_t h, uintptr_t caller);
/* faultline_watchdog: arm (or re-arm) the hang watchdog for seconds;
 * 0 disarms it.  0, or -1 with errno. */
int fl_platform_watchdog(unsigned seconds);

/* faultline_requests (lib/posix/requests.c, lib/windows/console.c;
 * the queue they share is lib/request.h's): faultline_requests with a
 * valid mask. */
int fl_platform_requests(unsigned mask, faultline_request_callback callback,
			 void *data);
/* faultline_request_waitable. */
intptr_t fl_platform_request_waitable(void);
/* Before a take: clear the waitable's signalled state (drain the pipe,
 * reset the event); a request queued after this sets it again. */
void fl_platform_request_rearm(void);
/* faultline_request with valid arguments. */
int fl_platform_request_send(long pid, enum faultline_request req,
			     unsigned flags);

/* [fatal] Raw write; bytes written or -1. Retries EINTR. */
long fl_platform_write(fl_handle_t h, const void *buf, size_t len);
/* [fatal] Why the calling thread's last fl_platform_write failed: a short
 * static text ("no space left", "file too large", ...). */
const char *fl_platform_write_error(void);
/* [fatal] Create a report file: O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC,
 * mode 0600.  FL_NO_HANDLE on failure with *err a short reason. */
fl_handle_t fl_platform_create_file(const char *path, const char **err);
void fl_platform_close(fl_handle_t h);
fl_handle_t fl_platform_stderr(void);
/* Handle for a numeric descriptor given by the user (fd:N). */
fl_handle_t fl_platform_handle_from_fd(int fd);

/* [fatal] Process facts. */
long fl_platform_pid(void);
long long fl_platform_time(void); /* unix seconds */
/* [fatal] The time, the process's uptime and its command line. */
struct fl_context;
void fl_platform_context(struct fl_context *c);
/* [fatal] Executable path into buf (NUL-terminated, "" unknown). */
void fl_platform_exe_path(char *buf, size_t cap);

/* Environment lookup for the FAULTLINE_* variables; NULL when unset or
 * when the program is setuid/setgid (secure_getenv).  The result may live
 * in a static buffer until the next call. */
const char *fl_platform_getenv(const char *name);

/* Give the CPU to another thread (a writer waiting for another). */
void fl_platform_yield(void);

/* [fatal] Enumerate loaded modules into t (no loader locks). */
struct fl_module_table;
struct fl_module;
void fl_platform_collect_modules(struct fl_module_table *t);
/* [fatal] Name of the symbol containing pc in module m; 0 on success with
 * *offset = pc - symbol start, -1 when none. */
int fl_platform_symbolize(const struct fl_module *m, uintptr_t pc, char *name,
			  size_t cap, uintptr_t *offset);
/* [fatal] The lookups of fl_platform_symbolize until _end are for the
 * frames of f (at fl_frame_lookup's addresses): a backend may resolve
 * all of a module's frames at its first lookup there.  f must stay
 * unchanged until fl_platform_symbols_end. */
void fl_platform_symbols_begin(const struct faultline_fault *f);
void fl_platform_symbols_end(void);
/* [fatal] Create the minidump's file at path (expanded; a relative one
 * is made absolute) and set snap->minidump (its absolute path) or
 * snap->minidump_error (why not).  Before the report is rendered (it
 * names the file); fl_platform_minidump_write fills and closes it
 * afterwards, from snap with its modules resolved (nothing when none
 * was created). */
struct fl_snapshot;
void fl_platform_minidump_create(struct fl_snapshot *snap, const char *path);
void fl_platform_minidump_write(struct fl_snapshot *snap);
/* [fatal] Append the memory map (FAULTLINE_INCLUDE_MEMORY_MAP) to s:
 * in JSON always one valid value, an array of strings ([] when the
 * platform has nothing to say); in text a "memory map:" section. */
struct fl_sink;
void fl_platform_write_memory_map(struct fl_sink *s, int json);

/* [fatal] Run fn(arg) on a stack of its own, FL_WORK_STACK bytes with a
 * guard page below (mapped at the first call and kept; only the pages fn
 * reaches are touched), for work the signal stack is too small for (the
 * demangler).  fn may leave early with fl_platform_work_escape.  0 when
 * fn returned, 1 when it escaped, -1 when it did not run: no memory for
 * the stack, or another thread on it. */
#define FL_WORK_STACK (1024 * 1024)
int fl_platform_run_on_work_stack(void (*fn)(void *), void *arg);
/* [fatal] From inside fn: leave it now (its frames are abandoned). */
__attribute__((noreturn)) void fl_platform_work_escape(void);

/* --- core, called by the backend --------------------------------------- */

/* The current configuration (valid once installed). */
extern struct fl_config fl_config;

/* The defaults of faultline_options_init, as a configuration. */
void fl_config_defaults(struct fl_config *cfg);
/* FAULTLINE_CHAIN: -1 unset (the mode decides), 0 off, 1 on; a bad value
 * warns once and counts as unset. */
int fl_env_chain(void);
/* 0 when tmpl is a usable output path template (known % escapes, fits). */
int fl_check_path_template(const char *tmpl);

/* Parse the FAULTLINE_* environment into cfg (which holds the defaults).
 * Invalid values produce one warning line each on stderr and keep the
 * default.  Returns 1 when FAULTLINE_DISABLE asks us to stay out. */
int fl_config_from_env(struct fl_config *cfg);
int fl_env_disabled(void);

/* Parse a FAULTLINE_SIGNALS-style list ("SEGV,ABRT", "SIGBUS", "all").
 * 0 and *set on success, -1 on a bad name. */
int fl_parse_signal_list(const char *text, uint64_t *set);
/* 0 when signo may be the dump signal of a configuration whose crash
 * signals are crash_set: catchable, and not one of them. */
int fl_check_dump_signal(int signo, uint64_t crash_set);

/* Static memory a crash report does not write, or only in rarer cases
 * (other threads, a long module list, a chained handler): left out when
 * the crash handler makes the rest of faultline's .bss present in one
 * go (posix/populate.c), where each page first touched would be a page
 * fault.  Each function writes at most FL_IDLE_SPANS spans to out and
 * returns their count. */
struct fl_span {
	const void *start;
	size_t len;
};
#define FL_IDLE_SPANS 4
size_t fl_report_idle_memory(struct fl_span *out);
size_t fl_snapshot_idle_memory(struct fl_span *out);
struct fl_snapshot;
size_t fl_snapshot_idle_parts(const struct fl_snapshot *snap,
			      struct fl_span *out);
size_t fl_annotations_idle_memory(struct fl_span *out);
size_t fl_request_idle_memory(struct fl_span *out);

/* [fatal] Render and write the report for a filled snapshot per fl_config
 * (to the output file or handle it names), then run the user callback. */
struct fl_snapshot;
void fl_report_emit(struct fl_snapshot *snap);
/* [fatal] A text report's end marker is written after the callback: when
 * the callback faults or hangs, the handler's way out takes the report's
 * handle (FL_NO_HANDLE: none open; once only) and ends it. */
fl_handle_t fl_report_take_open(void);
void fl_report_write_end(fl_handle_t h);
/* [fatal] The same for a dump: to h (FL_NO_HANDLE: the configured
 * output), without the callback.  0, or -1 when a write failed.  The
 * caller makes sure only one report is written at a time. */
int fl_report_dump(struct fl_snapshot *snap, fl_handle_t h);

/* [fatal] faultline_write_report on a handle; 0 or -1 (busy, write
 * error). */
int fl_write_report_handle(fl_handle_t h, const struct faultline_fault *fault,
			   enum faultline_format format);

/* [fatal] Expand a %p/%e/%t/%n/%% template (%n: sequence); 0, or -1 if
 * it does not fit.  fl_expand_path expands %n to 0. */
int fl_expand_path_n(const char *tmpl, const char *exe_path,
		     unsigned long sequence, char *out, size_t cap);
int fl_expand_path(const char *tmpl, const char *exe_path, char *out,
		   size_t cap);

#endif
