/*
 * scenarios.h - what the crashing child (crashme) can do: one table of
 * scenarios with the same names on every platform (scenarios.c), one run
 * per invocation:
 *
 *   crashme NAME [ARG]
 *
 * The child is built from tests/common: crashme.c (main), scenarios.c
 * (the table, and the scenarios whose code every platform shares) and
 * scenarios-posix.c or scenarios-windows.c (what differs), and on POSIX
 * scenarios-threads.c (many threads, dumps, the hang watchdog).  On POSIX it
 * is built three ways: crashme (FL_LINKED: linked with libfaultline, it
 * installs faultline with the C API before the scenario runs, unless the
 * scenario does), crashme-plain (knows nothing of faultline: preload
 * mode) and crashme-malloc (FL_OWN_MALLOC: plain, with a malloc of its
 * own whose lock is not recursive).  The Windows crashme is linked.
 */
#ifndef FL_TEST_SCENARIOS_H
#define FL_TEST_SCENARIOS_H

#include <stddef.h>

/* Exit statuses of crashme when it does not crash. */
enum {
	CRASHME_USAGE = 2,    /* no such scenario, or not in this build */
	CRASHME_SETUP = 3,    /* what the scenario needs could not be made */
	CRASHME_SURVIVED = 4, /* the crash did not happen ("survived NAME") */
};

struct scenario {
	const char *name;
	/* NULL where the scenario does not exist (another platform, or a
	 * build without the C API or the own malloc).  Returns the exit
	 * status, CRASHME_SURVIVED when the crash did not happen. */
	int (*run)(const char *arg);
	int installs; /* calls faultline_install itself */
};

/* The table, ended by a NULL name. */
extern const struct scenario scenarios[];

/* noipa: GCC must not see that a crash function never returns, or it
 * deletes the call along with the path leading to it. */
#if defined(__GNUC__) && !defined(__clang__)
#define NOINLINE __attribute__((noinline, noipa))
#else
#define NOINLINE __attribute__((noinline))
#endif

/* The crash most scenarios end in, by name in backtraces. */
void crash_null_read(void);
/* Recursion without end, 512 bytes a call (a thread function). */
void overflow_stack(void *unused);
extern volatile int sink;

/* --- what each platform provides (scenarios-posix.c, -windows.c) ---- */

/* Before the scenario: core dumps as FL_TEST_CORE asks (POSIX),
 * unbuffered output (Windows). */
void crashme_setup(void);
/* A main-thread stack that ends before memory does (POSIX: an unlimited
 * RLIMIT_STACK would grow until memory runs out). */
void limit_main_stack(void);
/* Run fn(arg) on n new threads (stack bytes each; 0: the default) and
 * wait for all of them. */
void run_threads(void (*fn)(void *), void *arg, int n, size_t stack);
/* Start fn(arg) on a new thread, and do not wait for it. */
void start_thread(void (*fn)(void *), void *arg);
void yield_cpu(void);
/* Block the calling thread for good. */
void pause_thread(void);
/* A fresh page of memory, readable, and writable if asked. */
void *new_page(int writable);

/* Scenarios whose code differs by platform, named in the table. */
int callback_fault(const char *arg);
int callback_write(const char *arg);
#ifdef _WIN32
int privileged_instruction(const char *arg);
int heap_corruption(const char *arg);
int first_chance_exceptions(const char *arg);
int rearming_handler(const char *arg);
int late_filter(const char *arg);
int late_signal(const char *arg);
int program_veh(const char *arg);
int uninstall_then_raise(const char *arg);
int call_chain(const char *arg);
int invalid_parameter(const char *arg);
int invalid_parameter_format(const char *arg);
int invalid_parameter_chained(const char *arg);
int invalid_parameter_debug(const char *arg);
int crt_purecall(const char *arg);
int purecall_chained(const char *arg);
int abort_chained(const char *arg);
int raise_abort(const char *arg);
int crt_uninstall(const char *arg);
#ifdef FL_CXX
/* scenarios-cxx.cpp, in the C++ child */
int uncaught_exception(const char *arg);
int pure_virtual_call(const char *arg);
int cxa_pure_virtual(const char *arg);
int terminate_chained(const char *arg);
int cxx_uninstall(const char *arg);
#endif
#else
int mapped_file_past_end(const char *arg);
int seccomp_syscall(const char *arg);
int assert_fail(const char *arg);
int strlen_null(const char *arg);
int sigqueue_segv(const char *arg);
int wait_for_kill(const char *arg);
int worker_null_read(const char *arg);
int vfork_child_crash(const char *arg);
int file_size_limit(const char *arg);
int closed_output_fd(const char *arg);
int small_altstack(const char *arg);
int bad_pc(const char *arg);
int corrupt_stack(const char *arg);
/* ARG "no-timer": no timer_create from here on (RLIMIT_SIGPENDING). */
void no_timer_if(const char *arg);
int hostile_thread_name(const char *arg);
int malloc_crash(const char *arg);
int chain(const char *arg);
int signal_strip(const char *arg);
int callback_hang(const char *arg);
int callback_abort(const char *arg);
int loader_lock_iterate(const char *arg);
int loader_lock_dlopen(const char *arg);
int pipe_full(const char *arg);
int crash_while_recovering(const char *arg);
int uninstall_restores(const char *arg);
int install_twice(const char *arg);
int altstack_kept(const char *arg);
int open_fds(const char *arg);
int fds_recover(const char *arg);
int malloc_threads(const char *arg);
/* scenarios-threads.c */
int threads_blocked(const char *arg);
int threads_blocking_signals(const char *arg);
int threads_many(const char *arg);
int threads_churn(const char *arg);
int raise_usr1(const char *arg);
int wait_for_dump(const char *arg);
int dump_loop(const char *arg);
int dump_churn(const char *arg);
int crash_during_dump(const char *arg);
int watchdog_heartbeat(const char *arg);
int watchdog_disarm(const char *arg);
int dump_chain(const char *arg);
int handler_fixes(const char *arg);
int handler_chains(const char *arg);
int reset_to_default(const char *arg);
int reraise(const char *arg);
int action_query(const char *arg);
int blocked_fault(const char *arg);
#endif

#endif
