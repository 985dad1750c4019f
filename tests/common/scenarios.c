/*
 * scenarios.c - the table of crashme's scenarios (see scenarios.h), and
 * the scenarios whose code is the same on every platform.
 */
#include "scenarios.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef FL_LINKED
#include "faultline.h"
#endif

volatile int sink;
static volatile int zero;
int *volatile null_pointer; /* the compiler cannot know it is NULL */
static int *volatile near_null = (int *)(uintptr_t)0x40;

/* Each crash sits in a function of its own, which backtraces and cores
 * name: crash_null_read, or the scenario's function. */
NOINLINE void crash_null_read(void)
{
	sink = *null_pointer;
}

static int ok(const char *arg)
{
	(void)arg;
	printf("still running\n");
	return 0;
}

static int null_read(const char *arg)
{
	(void)arg;
	crash_null_read();
	return CRASHME_SURVIVED;
}

NOINLINE static int null_write(const char *arg)
{
	(void)arg;
	*near_null = 1;
	return CRASHME_SURVIVED;
}

/* The page's address goes to stdout ("address 0x...") first: the tests
 * compare it with the report's. */
static volatile char *announced_page(int writable)
{
	volatile char *p = new_page(writable);

	printf("address %p\n", (void *)p);
	fflush(stdout);
	return p;
}

NOINLINE static int write_readonly(const char *arg)
{
	volatile char *p = announced_page(0);

	(void)arg;
	p[16] = 1;
	return CRASHME_SURVIVED;
}

NOINLINE static int exec_nonexec(const char *arg)
{
#ifdef __aarch64__
	static const unsigned char ret[] = {0xc0, 0x03, 0x5f, 0xd6};
#else
	static const unsigned char ret[] = {0xc3};
#endif
	volatile char *p = announced_page(1);

	(void)arg;
	memcpy((char *)p, ret, sizeof(ret)); /* would work if executable */
	((void (*)(void))(uintptr_t)p)();
	return CRASHME_SURVIVED;
}

NOINLINE static int illegal_instruction(const char *arg)
{
	(void)arg;
#ifdef __aarch64__
	__asm__ volatile("udf #0");
#else
	__asm__ volatile("ud2");
#endif
	return CRASHME_SURVIVED;
}

/* Both operands read through volatile: a constant dividend lets clang
 * turn 1 / b into a compare, with no division left to trap. */
NOINLINE static int crash_divide(volatile int *a, volatile int *b)
{
	return *a / *b;
}

NOINLINE static int divide_by_zero(const char *arg)
{
	static volatile int one = 1;

	(void)arg;
	sink = crash_divide(&one, &zero);
#ifdef __aarch64__
	printf("no integer divide trap on aarch64\n");
	return 77;
#else
	return CRASHME_SURVIVED;
#endif
}

static int call_abort(const char *arg)
{
	(void)arg;
	abort();
}

NOINLINE static int breakpoint(const char *arg)
{
	(void)arg;
#ifdef __aarch64__
	__asm__ volatile("brk #0");
#else
	__asm__ volatile("int3");
#endif
	return CRASHME_SURVIVED;
}

static int raise_segv(const char *arg)
{
	(void)arg;
	raise(SIGSEGV);
	return CRASHME_SURVIVED;
}

/* --- stack overflow and deep stacks ------------------------------------ */

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
NOINLINE static int recurse_forever(volatile char *prev, int depth)
{
	volatile char buf[512];

	buf[0] = (char)depth;
	buf[511] = prev ? prev[0] : 0;
	return recurse_forever(buf, depth + 1) + buf[depth & 511];
}
#pragma GCC diagnostic pop

void overflow_stack(void *unused)
{
	(void)unused;
	recurse_forever(NULL, 0);
}

static int overflow_main(const char *arg)
{
	(void)arg;
	limit_main_stack();
	overflow_stack(NULL);
	return CRASHME_SURVIVED;
}

static int overflow_thread(const char *arg)
{
	(void)arg;
	run_threads(overflow_stack, NULL, 1, 0);
	return CRASHME_SURVIVED;
}

NOINLINE void deep_recursion(int n);
NOINLINE void deep_recursion(int n)
{
	if (n == 0)
		crash_null_read();
	else
		deep_recursion(n - 1);
	sink++; /* no tail call */
}

static void deep_thread(void *depth)
{
	deep_recursion((int)(intptr_t)depth);
	sink++; /* no tail call: keep this frame */
}

static int deep(const char *arg)
{
	(void)arg;
	run_threads(deep_thread, (void *)(intptr_t)100000, 1, 256u << 20);
	return CRASHME_SURVIVED;
}

/* --- threads ----------------------------------------------------------- */

enum { TOGETHER = 8 };
static atomic_int arrived;

/* Each thread waits until all are there, then they fault together. */
static void crash_together(void *unused)
{
	(void)unused;
	atomic_fetch_add(&arrived, 1);
	while (atomic_load(&arrived) < TOGETHER)
		yield_cpu();
	crash_null_read();
}

static int threads_crash_together(const char *arg)
{
	(void)arg;
	run_threads(crash_together, NULL, TOGETHER, 0);
	return CRASHME_SURVIVED;
}

/* --- the C API --------------------------------------------------------- */

#ifdef FL_LINKED
static int install_then_null_read(const struct faultline_options *o)
{
	if (faultline_install(o) != 0)
		return CRASHME_SETUP;
	crash_null_read();
	return CRASHME_SURVIVED;
}

static int json_options(const char *arg)
{
	struct faultline_options o;

	(void)arg;
	faultline_options_init(&o);
	o.format = FAULTLINE_FORMAT_JSON;
	return install_then_null_read(&o);
}

/* --- crash annotations ------------------------------------------------ */

static void say_rc(const char *what, int rc)
{
	printf("%s: %d%s\n", what, rc,
	       rc == 0		 ? ""
	       : errno == EINVAL ? " EINVAL"
	       : errno == ENOSPC ? " ENOSPC"
				 : " other");
}

/* The API's rules, each result on stdout, then a null read with
 * build, phase (replaced), quote (bytes to escape), a 63-byte key with
 * a 255-byte value, and after (set once the table had been full). */
static int annotate(const char *arg)
{
	char key[80], value[300], name[16];
	int filled = 0;

	(void)arg;
	say_rc("set build", faultline_annotate("build", "1.2.3"));
	faultline_annotate("phase", "start");
	say_rc("replace phase", faultline_annotate("phase", "running"));
	faultline_annotate("gone", "soon");
	say_rc("remove gone", faultline_annotate("gone", NULL));
	say_rc("remove absent", faultline_annotate("absent", NULL));
	faultline_annotate("quote", "say \"hi\"\\\n\tend");
	say_rc("null key", faultline_annotate(NULL, "v"));
	say_rc("empty key", faultline_annotate("", "v"));
	say_rc("key with =", faultline_annotate("a=b", "v"));
	memset(key, 'k', 64);
	key[64] = '\0';
	say_rc("key 64", faultline_annotate(key, "v"));
	memset(value, 'v', 256);
	value[256] = '\0';
	say_rc("value 256", faultline_annotate("long", value));
	key[63] = value[255] = '\0';
	say_rc("key 63 value 255", faultline_annotate(key, value));
	for (;;) {
		snprintf(name, sizeof(name), "fill%d", filled);
		if (faultline_annotate(name, "x") != 0)
			break;
		filled++;
	}
	say_rc("full", -1);
	printf("filled %d\n", filled);
	for (int i = 0; i < filled; i++) {
		snprintf(name, sizeof(name), "fill%d", i);
		faultline_annotate(name, NULL);
	}
	say_rc("after full", faultline_annotate("after", "full"));
	fflush(stdout);
	crash_null_read();
	return CRASHME_SURVIVED;
}

static atomic_int writers_started;
static atomic_long writes_done[4];

/* Writer thread N sets tN, over and over, to values a reader can check:
 * a letter repeated 40 + 7 * (letter - 'a') times; thread 0 also adds
 * and removes "toggle". */
static void annotation_writer(void *unused)
{
	int n = atomic_fetch_add(&writers_started, 1);
	char key[8], value[FAULTLINE_ANNOTATION_VALUE_MAX + 1];

	(void)unused;
	snprintf(key, sizeof(key), "t%d", n);
	for (unsigned i = 0;; i++) {
		int letter = (int)(i % 26);
		size_t len = 40 + 7 * (size_t)letter;
		memset(value, 'a' + letter, len);
		value[len] = '\0';
		faultline_annotate(key, value);
		if (n == 0)
			faultline_annotate("toggle", i % 2 ? "on" : NULL);
		atomic_fetch_add(&writes_done[n], 1);
	}
}

/* Four threads annotate without pause; once each made 2,000 writes, a
 * null read. */
static int annotate_threads(const char *arg)
{
	(void)arg;
	faultline_annotate("main", "yes");
	for (int i = 0; i < 4; i++)
		start_thread(annotation_writer, NULL);
	for (int i = 0; i < 4; i++)
		while (atomic_load(&writes_done[i]) < 2000)
			yield_cpu();
	crash_null_read();
	return CRASHME_SURVIVED;
}

/* The minidump option: ARG the template; with a bad one the install must
 * fail (EINVAL: "install refused" on stderr, exit 0); then a null read. */
static int minidump_option(const char *arg)
{
	struct faultline_options o;

	faultline_options_init(&o);
	o.minidump = arg;
	if (strchr(arg, '%') && strstr(arg, "%q")) {
		int rc = faultline_install(&o);

		fprintf(stderr, "install %s (%s)\n",
			rc == 0 ? "accepted" : "refused",
			errno == EINVAL ? "EINVAL" : "?");
		return 0;
	}
	return install_then_null_read(&o);
}

/* ARG: "text:N" or "json:N", the format and the include bits. */
static int include_options(const char *arg)
{
	struct faultline_options o;
	char *end;

	faultline_options_init(&o);
	if (strncmp(arg, "json:", 5) == 0)
		o.format = FAULTLINE_FORMAT_JSON;
	else if (strncmp(arg, "text:", 5) != 0)
		return CRASHME_USAGE;
	o.include = (unsigned)strtoul(arg + 5, &end, 0);
	if (end == arg + 5 || *end)
		return CRASHME_USAGE;
	return install_then_null_read(&o);
}

/* --- faultline_protect: what stays fatal ------------------------------- */

static NOINLINE int read_null_protected(void *unused)
{
	(void)unused;
	crash_null_read();
	return 0;
}

static atomic_int waiting_protected;

static int wait_forever(void *unused)
{
	(void)unused;
	atomic_store(&waiting_protected, 1);
	for (;;)
		pause_thread();
	return 0;
}

static void protected_waiter(void *unused)
{
	(void)unused;
	faultline_protect(wait_forever, NULL, NULL, NULL);
	printf("the fault came to the protected thread\n");
	fflush(stdout);
	_Exit(CRASHME_SURVIVED);
}

/* Thread A sits in a protected call while this thread faults outside
 * any: the fault must take the crash path. */
static int protect_other_thread(const char *arg)
{
	(void)arg;
	if (faultline_install(NULL) != 0)
		return CRASHME_SETUP;
	start_thread(protected_waiter, NULL);
	while (!atomic_load(&waiting_protected))
		yield_cpu();
	crash_null_read();
	return CRASHME_SURVIVED;
}

/* After a protected call recovered, a fault is a crash again, and the
 * recovered one left no report ("recovered" on stderr first). */
static int protect_then_crash(const char *arg)
{
	volatile char *page;

	(void)arg;
	if (faultline_install(NULL) != 0)
		return CRASHME_SETUP;
	page = new_page(0);
	if (faultline_protect(read_null_protected, NULL, NULL, NULL) !=
	    FAULTLINE_PROTECT_FAULTED)
		return CRASHME_SETUP;
	fprintf(stderr, "recovered\n");
	fflush(stderr);
	page[8] = 1;
	return CRASHME_SURVIVED;
}

static int abort_protected(void *unused)
{
	(void)unused;
	abort();
}

static int raise_protected(void *unused)
{
	(void)unused;
	raise(SIGSEGV);
	return 0;
}

/* Run fn protected: a fault it cannot recover must kill. */
static int protected_call(int (*fn)(void *))
{
	if (faultline_install(NULL) != 0)
		return CRASHME_SETUP;
	faultline_protect(fn, NULL, NULL, NULL);
	return CRASHME_SURVIVED;
}

static int protect_abort(const char *arg)
{
	(void)arg;
	return protected_call(abort_protected);
}

static int protect_raise(const char *arg)
{
	(void)arg;
	return protected_call(raise_protected);
}

/* A protected call left by longjmp (a failed assertion of Check in
 * CK_FORK=no mode does this) must not keep catching faults: the next
 * protected call drops it, and a fault after that is a crash again. */
static jmp_buf escape;

static int leave_by_longjmp(void *unused)
{
	(void)unused;
	longjmp(escape, 1);
}

static int returns_0(void *unused)
{
	(void)unused;
	return 0;
}

static NOINLINE void deeper_protect(void)
{
	volatile char pad[1024];

	pad[0] = 0;
	faultline_protect(leave_by_longjmp, NULL, NULL, NULL);
	(void)pad[0];
}

static int protect_left_by_longjmp(const char *arg)
{
	(void)arg;
	if (faultline_install(NULL) != 0)
		return CRASHME_SETUP;
	/* More times than calls can nest: the dead ones must go. */
	for (volatile int i = 0; i < 100; i++) {
		if (setjmp(escape) == 0)
			deeper_protect();
		if (faultline_protect(returns_0, NULL, NULL, NULL) !=
		    FAULTLINE_PROTECT_RETURNED)
			return CRASHME_SETUP;
	}
	if (setjmp(escape) == 0)
		deeper_protect();
	if (faultline_protect(read_null_protected, NULL, NULL, NULL) !=
	    FAULTLINE_PROTECT_FAULTED)
		return CRASHME_SETUP;
	fprintf(stderr, "recovered\n");
	fflush(stderr);
	crash_null_read(); /* outside any live protected call */
	return CRASHME_SURVIVED;
}
#endif

/* --- the table --------------------------------------------------------- */

/* Where a scenario exists: every scenario has its name everywhere, and
 * says where it can run. */
#ifdef _WIN32
#define POSIX_ONLY(fn) NULL
#define WINDOWS_ONLY(fn) fn
#else
#define POSIX_ONLY(fn) fn
#define WINDOWS_ONLY(fn) NULL
#endif
#ifdef FL_LINKED
#define WITH_API(fn) fn /* the linked crashme only */
#else
#define WITH_API(fn) NULL
#endif
#ifdef FL_OWN_MALLOC
#define WITH_OWN_MALLOC(fn) fn /* crashme-malloc only */
#else
#define WITH_OWN_MALLOC(fn) NULL
#endif
#ifdef FL_CXX
#define WITH_CXX(fn) fn /* the C++ child (Windows) only */
#else
#define WITH_CXX(fn) NULL
#endif
#define INSTALLS 1

const struct scenario scenarios[] = {
	/* Print "still running", exit 0. */
	{"ok", ok, 0},

	/* Faults. */
	/* Read through a null pointer. */
	{"null-read", null_read, 0},
	/* Write to address 0x40. */
	{"null-write", null_write, 0},
	/* Write to a read-only page; its address on stdout first. */
	{"write-readonly", write_readonly, 0},
	/* Call into a read-write page; its address on stdout first. */
	{"exec-nonexec", exec_nonexec, 0},
	/* SIGBUS: read a shared file mapping past the file's end. */
	{"mapped-file-past-end", POSIX_ONLY(mapped_file_past_end), 0},
	/* A call to address 0x10. */
	{"bad-pc", POSIX_ONLY(bad_pc), 0},
	/* Stack and frame pointers set to garbage, then a null read. */
	{"corrupt-stack", POSIX_ONLY(corrupt_stack), 0},
	/* ud2, udf #0. */
	{"illegal-instruction", illegal_instruction, 0},
	/* hlt in user mode. */
	{"privileged-instruction", WINDOWS_ONLY(privileged_instruction), 0},
	/* Integer division by zero (exits 77 on aarch64: no trap). */
	{"divide-by-zero", divide_by_zero, 0},
	/* int3, brk #0. */
	{"breakpoint", breakpoint, 0},
	/* STATUS_HEAP_CORRUPTION inside an SEH frame that would swallow
	 * it. */
	{"heap-corruption", WINDOWS_ONLY(heap_corruption), 0},

	/* Signals and exceptions raised by the program or sent to it. */
	/* abort(). */
	{"abort", call_abort, 0},
	/* raise(SIGSEGV). */
	{"raise-segv", raise_segv, 0},
	/* sigqueue SIGSEGV with the value 42 to itself. */
	{"sigqueue-segv", POSIX_ONLY(sigqueue_segv), 0},
	/* Print "ready", wait for a signal. */
	{"wait-for-kill", POSIX_ONLY(wait_for_kill), 0},
	/* A system call a seccomp filter traps (raise(SIGSYS) where filters
	 * are refused); "seccomp" or "raise" on stdout first. */
	{"seccomp-syscall", POSIX_ONLY(seccomp_syscall), 0},
	/* assert() fails: __assert_fail -> abort (libc's local functions on
	 * the backtrace). */
	{"assert-fail", POSIX_ONLY(assert_fail), 0},
	/* strlen(NULL): SIGSEGV inside libc's strlen variant. */
	{"strlen-null", POSIX_ONLY(strlen_null), 0},
	/* Exceptions that are no crash: debug output, faults an SEH frame
	 * catches, IsBadReadPtr; exit 0. */
	{"first-chance-exceptions", WINDOWS_ONLY(first_chance_exceptions), 0},

	/* Stacks and threads. */
	/* Stack overflow on the main thread. */
	{"overflow-main", overflow_main, 0},
	/* Stack overflow on a new thread. */
	{"overflow-thread", overflow_thread, 0},
	/* Null read 100,000 calls deep, on a 256 MiB thread stack. */
	{"deep-recursion", deep, 0},
	/* Null read on a thread named fl-worker ("tid N" on stdout). */
	{"worker-null-read", POSIX_ONLY(worker_null_read), 0},
	/* Null read on a thread named with a quote, a backslash, control
	 * bytes, invalid UTF-8. */
	{"hostile-thread-name", POSIX_ONLY(hostile_thread_name), 0},
	/* A vfork child reads through null (its report to /dev/null), the
	 * parent reaps it ("child: signal 11" on stdout), or with ARG
	 * "zombie" only waits until it is dead; then the parent reads
	 * through null. */
	{"vfork-child-crash", POSIX_ONLY(vfork_child_crash), 0},
	/* 8 threads read through null at once. */
	{"threads-crash-together", threads_crash_together, 0},
	/* A fault at a marked instruction three calls deep, on a thread
	 * described fl-main ("fault-pc: 0x..." on stderr first). */
	{"call-chain", WINDOWS_ONLY(call_chain), 0},

	/* Every thread (issue 9). */
	/* Two threads deadlocked on two mutexes (fl-lock-a, fl-lock-b), a
	 * sleeper, a spinner, threads in poll, read and a condition wait
	 * (fl-sleeper, -spinner, -poller, -reader, -waiter); "ready" on
	 * stdout, then a null read, or with ARG hang, the main thread
	 * waits for the deadlocked ones. */
	{"threads-blocked", threads_blocked, 0},
	/* Windows: a sleeper and a spinner, then Ctrl-Break (console, or
	 * kernel32's CtrlRoutine on a thread); "break: HOW", "still
	 * running", exit 0. */
	{"break-dump", WINDOWS_ONLY(break_dump), 0},
	/* A thread blocking every signal (fl-blocker) and a sleeper, then a
	 * null read. */
	{"threads-blocking-signals", POSIX_ONLY(threads_blocking_signals), 0},
	/* ARG threads (default 1000) waiting in many_thread_body, then a
	 * null read. */
	{"threads-many", threads_many, 0},
	/* Two threads (fl-spawner) start threads that end at once, without
	 * pause; then a null read. */
	{"threads-churn", threads_churn, 0},
	/* raise(SIGUSR1) ARG times (default 1) with a sleeper around, then
	 * "raised N", exit 0. */
	{"raise-usr1", POSIX_ONLY(raise_usr1), 0},
	/* A sleeper and a spinner; "ready", then 1.5 s later "still
	 * running", exit 0 (the harness sends a signal meanwhile). */
	{"wait-for-dump", POSIX_ONLY(wait_for_dump), 0},
	/* ARG faultline_dump calls (default 10000) to /dev/null while a
	 * thread prints "line 0" .. "line 1999"; then "fds A B", "rss A B"
	 * (after 100 dumps, at the end) and "done", exit 0. */
	{"dump-loop", WITH_API(dump_loop), 0},
	/* ARG dumps (default 300) while threads come and go; "dumps N". */
	{"dump-churn", POSIX_ONLY(WITH_API(dump_churn)), 0},
	/* A thread (fl-dumper) makes dumps without pause; after 5, a null
	 * read on the main thread. */
	{"crash-during-dump", WITH_API(crash_during_dump), 0},
	/* faultline_watchdog(1) every 100 ms for 2 s ("beating", then
	 * "stopped"), then no more: the watchdog fires. */
	{"watchdog-heartbeat", WITH_API(watchdog_heartbeat), 0},
	/* faultline_watchdog(1) then (0), 2 s of sleep, "still running". */
	{"watchdog-disarm", WITH_API(watchdog_disarm), 0},
	/* The program's SIGUSR1 handler, faultline installed with SIGUSR1
	 * as the dump signal, raise(SIGUSR1); "still running". */
	{"dump-chain", POSIX_ONLY(WITH_API(dump_chain)), INSTALLS},

	/* Inside the handler and around it. */
	/* Null read inside malloc, its lock held. */
	{"malloc-crash", POSIX_ONLY(WITH_OWN_MALLOC(malloc_crash)), 0},
	/* The same while four threads (fl-allocator) allocate: they spin
	 * in malloc on its lock. */
	{"malloc-threads", POSIX_ONLY(WITH_OWN_MALLOC(malloc_threads)), 0},
	/* The report's callback faults. */
	{"callback-fault", WITH_API(callback_fault), INSTALLS},
	/* The report's callback never returns (ARG "no-timer": and
	 * timer_create fails, "no timer" on stdout first). */
	{"callback-hang", POSIX_ONLY(WITH_API(callback_hang)), INSTALLS},
	/* The report's callback writes two lines to the report (ARG
	 * "json": a JSON report). */
	{"callback-write", POSIX_ONLY(WITH_API(callback_write)), INSTALLS},
	/* The report's callback calls abort(). */
	{"callback-abort", POSIX_ONLY(WITH_API(callback_abort)), INSTALLS},
	/* Null read while another thread sits in a dl_iterate_phdr
	 * callback (the loader's lock held). */
	{"loader-lock-iterate", POSIX_ONLY(loader_lock_iterate), 0},
	/* Null read while another thread is blocked in the constructor of
	 * ARG, a library it dlopens (the loader's lock held). */
	{"loader-lock-dlopen", POSIX_ONLY(loader_lock_dlopen), 0},
	/* The report goes to a full pipe ("pipe full" on stdout first;
	 * ARG "no-timer": and timer_create fails, "no timer" first). */
	{"pipe-full", POSIX_ONLY(WITH_API(pipe_full)), INSTALLS},
	/* Null read while another thread recovers faults in a loop. */
	{"crash-while-recovering", POSIX_ONLY(WITH_API(crash_while_recovering)),
	 INSTALLS},
	/* A handler installed before faultline, then ARG: null (read),
	 * sigqueue, raise, or else wait for a signal. */
	{"chain", POSIX_ONLY(WITH_API(chain)), INSTALLS},
	/* signal() saves and restores faultline's action, then ARG: abort,
	 * or else a null read. */
	{"signal-strip", POSIX_ONLY(WITH_API(signal_strip)), INSTALLS},
	/* A program's own handler, installed after faultline (preload
	 * mode's chain, lib/posix/sigchain.c). */
	/* The handler makes a read-only page writable and returns, three
	 * times; "fixed and went on" on stdout, exit 0. */
	{"handler-fixes", POSIX_ONLY(handler_fixes), 0},
	/* The handler chains to the action it replaced, then a null read. */
	{"handler-chains", POSIX_ONLY(handler_chains), 0},
	/* signal(SIGSEGV, SIG_DFL) (node), then a null read. */
	{"reset-to-default", POSIX_ONLY(reset_to_default), 0},
	/* The handler restores the replaced action and raises again
	 * (faulthandler); SA_NODEFER, or ARG "deferred" without it. */
	{"reraise", POSIX_ONLY(reraise), 0},
	/* sigaction and signal show what the program set ("query: ..."
	 * lines); exit 0. */
	{"action-query", POSIX_ONLY(action_query), 0},
	/* SIGSEGV blocked by sigprocmask (ARG "pthread": pthread_sigmask),
	 * "mask: blocked" when the program sees it so, then a null read. */
	{"blocked-fault", POSIX_ONLY(blocked_fault), 0},
	/* A CRT signal(SIGSEGV) handler that re-arms and returns, then a
	 * null read. */
	{"rearming-handler", WINDOWS_ONLY(rearming_handler), 0},
	/* SetUnhandledExceptionFilter after faultline's install, a filter
	 * that says "program's filter: CODE" and then, by ARG: "search"
	 * (EXCEPTION_CONTINUE_SEARCH), "execute" (EXECUTE_HANDLER), "exit"
	 * (ExitProcess(42)), "chain" (calls the filter it replaced); with
	 * ",handled" after it, first a fault an SEH frame handles; then a
	 * null read. */
	{"late-filter", WINDOWS_ONLY(late_filter), 0},
	/* signal(SIGSEGV) after faultline's install, a handler that says
	 * "program's SIGSEGV handler" and then, by ARG: "longjmp" (out to
	 * main: "recovered", exit 0), "return", "raise" (raise(SIGSEGV));
	 * then a null read. */
	{"late-signal", WINDOWS_ONLY(late_signal), 0},
	/* A vectored handler of the program's, added after faultline's
	 * install ARG "first" or "last", repairs a null read ("recovered by
	 * the program's vectored handler", exit 0). */
	{"program-veh", WINDOWS_ONLY(program_veh), 0},
	/* The program's own alternate stack, then a stack overflow
	 * ("altstack kept" on stdout first). */
	{"altstack-kept", POSIX_ONLY(WITH_API(altstack_kept)), INSTALLS},
	/* A 2 KiB alternate stack set by the program (after faultline's
	 * install), then scenario ARG. */
	{"small-altstack", POSIX_ONLY(small_altstack), 0},

	/* Where the report goes. */
	/* RLIMIT_FSIZE of ARG bytes, then a null read. */
	{"file-size-limit", POSIX_ONLY(file_size_limit), 0},
	/* Close descriptor ARG, then a null read. */
	{"closed-output-fd", POSIX_ONLY(closed_output_fd), 0},
	/* A seccomp filter, then a null read: ARG "eio", every write to a
	 * descriptor above 2 fails with EIO; "no-openat2", openat2 fails
	 * with ENOSYS (an older kernel's answer); "no-mmap", every mmap
	 * fails with ENOMEM. */
	{"seccomp-errno", POSIX_ONLY(seccomp_errno), 0},

	/* File descriptors. */
	/* Print "fds at main: N LIST", the open descriptors; exit 0. */
	{"fds", POSIX_ONLY(open_fds), 0},
	/* Print the open descriptors ("fds WHEN: N LIST") before install,
	 * installed, after a recovered fault; exit 0. */
	{"fds-recover", POSIX_ONLY(WITH_API(fds_recover)), INSTALLS},

	/* The C API. */
	/* faultline_annotate's rules (results on stdout), then a null
	 * read with annotations. */
	{"annotate", WITH_API(annotate), 0},
	/* Four threads annotate without pause while the main thread reads
	 * through null. */
	{"annotate-threads", WITH_API(annotate_threads), 0},
	/* Install with FAULTLINE_FORMAT_JSON, null read. */
	{"json-options", WITH_API(json_options), INSTALLS},
	/* Install with the minidump option ARG, null read; a template
	 * with %q: "install refused (EINVAL)", exit 0. */
	{"minidump-option", WITH_API(minidump_option), INSTALLS},
	/* Install with ARG's format and include options ("text:N" or
	 * "json:N"; N: registers 1, modules 2, memory map 4), null read. */
	{"include-options", WITH_API(include_options), INSTALLS},
	/* Install, uninstall: is every signal's action as before?  Exit 0,
	 * or 1 and the differences on stdout. */
	{"uninstall-restores", POSIX_ONLY(WITH_API(uninstall_restores)),
	 INSTALLS},
	/* The same installing twice, then install twice and a null read. */
	{"install-twice", POSIX_ONLY(WITH_API(install_twice)), INSTALLS},
	/* Install twice, uninstall, raise(SIGSEGV) to the program's own
	 * handler, abort(). */
	{"uninstall-then-raise", WINDOWS_ONLY(uninstall_then_raise), INSTALLS},

	/* The C and C++ runtimes' own failure paths (Windows). */
	/* No invalid-parameter handler (mingw's startup sets a no-op one),
	 * install, _close(-1): an invalid parameter to a CRT function. */
	{"invalid-parameter", WINDOWS_ONLY(invalid_parameter), INSTALLS},
	/* The same with fprintf(stderr, NULL). */
	{"invalid-parameter-format", WINDOWS_ONLY(invalid_parameter_format),
	 INSTALLS},
	/* The program's own invalid-parameter handler, then install and
	 * _close(-1) ("program's invalid-parameter handler" on stderr). */
	{"invalid-parameter-chained", WINDOWS_ONLY(invalid_parameter_chained),
	 INSTALLS},
	/* Call the invalid-parameter handler as a debug CRT does, with the
	 * expression, function (_close), file and line (49); as
	 * invalid-parameter, without mingw's handler. */
	{"invalid-parameter-debug", WINDOWS_ONLY(invalid_parameter_debug),
	 INSTALLS},
	/* The CRT's _purecall(), as MSVC's vtables call it. */
	{"purecall", WINDOWS_ONLY(crt_purecall), 0},
	/* The program's own purecall handler, then install and _purecall()
	 * ("program's purecall handler" on stderr). */
	{"purecall-chained", WINDOWS_ONLY(purecall_chained), INSTALLS},
	/* The program's own SIGABRT handler, then install and abort()
	 * ("program's SIGABRT handler (22)" on stderr). */
	{"abort-chained", WINDOWS_ONLY(abort_chained), INSTALLS},
	/* raise(SIGABRT), not abort(). */
	{"raise-abort", WINDOWS_ONLY(raise_abort), 0},
	/* The program's invalid-parameter, purecall and SIGABRT handlers,
	 * install ("... handler taken" for each), uninstall ("... handler
	 * restored"); exit 0. */
	{"crt-uninstall", WINDOWS_ONLY(crt_uninstall), INSTALLS},
	/* throw from main, no catch; ARG: std (std::runtime_error), custom
	 * (fltest::bad_thing, a std::exception), int. */
	{"uncaught-exception", WITH_CXX(uncaught_exception), 0},
	/* A constructor calls a pure virtual function (mingw-w64 g++ 12: a
	 * call through a null pointer, see scenarios-cxx.cpp). */
	{"pure-virtual-call", WITH_CXX(pure_virtual_call), 0},
	/* Call __cxa_pure_virtual as a pure virtual function's vtable slot
	 * does: its message, then std::terminate. */
	{"cxa-pure-virtual", WITH_CXX(cxa_pure_virtual), 0},
	/* The program's own terminate handler, install, an uncaught
	 * exception ("program's terminate handler" on stderr). */
	{"terminate-chained", WITH_CXX(terminate_chained), INSTALLS},
	/* The program's terminate handler, install, uninstall: "terminate
	 * handler restored", then an uncaught exception. */
	{"cxx-uninstall", WITH_CXX(cxx_uninstall), INSTALLS},

	/* faultline_protect: what stays fatal. */
	/* Thread A waits inside a protected call, this thread reads through
	 * null outside any. */
	{"protect-other-thread", WITH_API(protect_other_thread), INSTALLS},
	/* A protected call recovers a fault ("recovered" on stderr), then a
	 * write to a read-only page outside it. */
	{"protect-then-crash", WITH_API(protect_then_crash), INSTALLS},
	/* abort() inside a protected call. */
	{"protect-abort", WITH_API(protect_abort), INSTALLS},
	/* raise(SIGSEGV) inside a protected call. */
	{"protect-raise", WITH_API(protect_raise), INSTALLS},
	/* Protected calls left by longjmp, 101 times; a recovered fault
	 * ("recovered" on stderr), then a null read outside. */
	{"protect-left-by-longjmp", WITH_API(protect_left_by_longjmp),
	 INSTALLS},
	{NULL, NULL, 0},
};
