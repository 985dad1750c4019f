/*
 * test-protect.c - faultline_protect, one Check test per property of
 * issue 5.  Every test runs in its own forked process (CK_FORK is forced):
 * a regression that kills the process then fails one test, not the suite.
 * What stays fatal (faults outside a region, on another thread, abort) is
 * a crash test: tests/crash/test-protect-fatal.c.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <fenv.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>

#include "faultline.h"
#include "fns.h"

/* --- helpers -------------------------------------------------------------- */

/* Under qemu-user (FL_TEST_EMULATOR set by make check) the signal frame
 * carries no aarch64 ESR record, so the access kind is unknown there. */
static int emulated(void)
{
	const char *e = getenv("FL_TEST_EMULATOR");
	return e && *e;
}

static void assert_access(enum faultline_access got, enum faultline_access want)
{
	if (emulated() && got == FAULTLINE_ACCESS_UNKNOWN)
		return;
	ck_assert_int_eq(got, want);
}

static void install(void)
{
	ck_assert_int_eq(faultline_install(NULL), 0);
}

/* The faulting instructions.  noinline, and the address taken, so that the
 * test can tell the fault's pc lies inside them. */

static __attribute__((noinline)) int write_to(void *arg)
{
	*(volatile int *)arg = 1;
	return 0;
}

/* The instruction spelled per architecture. */
#if defined(__x86_64__)
#define BY_ARCH(x86_64, aarch64) x86_64
#elif defined(__aarch64__)
#define BY_ARCH(x86_64, aarch64) aarch64
#endif

static __attribute__((noinline)) int illegal(void *arg)
{
	(void)arg;
	__asm__ volatile(BY_ARCH("ud2", ".inst 0x00000000" /* udf #0 */));
	return 0;
}

static __attribute__((noinline)) int trap(void *arg)
{
	(void)arg;
	__asm__ volatile(BY_ARCH("int3", "brk #0"));
	return 0;
}

/* Fault address of SIGBUS: a page of a file beyond its end. */
static void *bus_page(void)
{
	char path[] = "/tmp/faultline-protect-XXXXXX";
	int fd = mkstemp(path);
	void *p;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	close(fd);
	return p;
}

static int in_function(uintptr_t pc, int (*fn)(void *))
{
	uintptr_t start = (uintptr_t)fn;
	return pc >= start && pc < start + 256;
}

/* --- the call itself ------------------------------------------------------ */

START_TEST(returns_result)
{
	struct faultline_fault f;
	int result = 0;

	install();
	memset(&f, 0x5a, sizeof(f));
	ck_assert_int_eq(faultline_protect(returns_42, NULL, &result, &f),
			 FAULTLINE_PROTECT_RETURNED);
	ck_assert_int_eq(result, 42);
	ck_assert_int_eq(f.signo, 0x5a5a5a5a); /* untouched */
	/* NULL result and fault are allowed. */
	ck_assert_int_eq(faultline_protect(returns_42, NULL, NULL, NULL),
			 FAULTLINE_PROTECT_RETURNED);
	ck_assert_int_eq(faultline_protect(read_null, NULL, NULL, NULL),
			 FAULTLINE_PROTECT_FAULTED);
}
END_TEST

START_TEST(errors)
{
	/* Not installed: nothing could catch a fault. */
	errno = 0;
	ck_assert_int_eq(faultline_protect(returns_42, NULL, NULL, NULL), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	install();
	errno = 0;
	ck_assert_int_eq(faultline_protect(NULL, NULL, NULL, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* --- each fault kind comes back, described -------------------------------- */

/* Run fn(arg) protected; it must fault with signo and (code >= 0) code,
 * with the pc inside at (fn itself, or what it calls).  *f receives the
 * description. */
static void expect_fault_at(int (*fn)(void *), void *arg, int (*at)(void *),
			    int signo, int code, struct faultline_fault *f)
{
	install();
	ck_assert_int_eq(faultline_protect(fn, arg, NULL, f),
			 FAULTLINE_PROTECT_FAULTED);
	ck_assert_int_eq(f->signo, signo);
	if (code >= 0)
		ck_assert_int_eq(f->code, code);
	ck_assert_msg(in_function(f->pc, at), "pc %#lx not in fn",
		      (unsigned long)f->pc);
	ck_assert_msg(f->frame_count >= 1 && f->frames[0] == f->pc,
		      "frame 0 is not the pc");
}

#define expect_fault(fn, arg, signo, code, f)                                  \
	expect_fault_at(fn, arg, fn, signo, code, f)

START_TEST(segv_null)
{
	struct faultline_fault f;

	expect_fault(read_null, NULL, FAULTLINE_SIGSEGV, SEGV_MAPERR, &f);
	ck_assert_str_eq(f.signal_name, "SIGSEGV");
	ck_assert_uint_eq(f.address, 16);
	assert_access(f.access, FAULTLINE_ACCESS_READ);
	ck_assert_int_eq(f.cause, FAULTLINE_CAUSE_NULL_DEREF);
	ck_assert_int_eq(f.pid, getpid());
	ck_assert_uint_ge(f.register_count, 1);
}
END_TEST

START_TEST(segv_write_readonly)
{
	struct faultline_fault f;
	char *page =
		mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(page, MAP_FAILED);
	expect_fault(write_to, page + 8, FAULTLINE_SIGSEGV, SEGV_ACCERR, &f);
	ck_assert_uint_eq(f.address, (uintptr_t)(page + 8));
	assert_access(f.access, FAULTLINE_ACCESS_WRITE);
	if (f.access == FAULTLINE_ACCESS_WRITE)
		ck_assert_int_eq(f.cause, FAULTLINE_CAUSE_WRITE_READONLY);
}
END_TEST

START_TEST(bus)
{
	struct faultline_fault f;
	char *page = bus_page();

	expect_fault(write_to, page, FAULTLINE_SIGBUS, BUS_ADRERR, &f);
	ck_assert_uint_eq(f.address, (uintptr_t)page);
}
END_TEST

START_TEST(ill)
{
	struct faultline_fault f;

	expect_fault(illegal, NULL, FAULTLINE_SIGILL, ILL_ILLOPN, &f);
	ck_assert_uint_eq(f.address, f.pc);
	ck_assert_int_eq(f.cause, FAULTLINE_CAUSE_ILLEGAL_INSTRUCTION);
}
END_TEST

START_TEST(trap_breakpoint)
{
	struct faultline_fault f;

	expect_fault(trap, NULL, FAULTLINE_SIGTRAP, -1, &f);
	ck_assert_int_gt(f.code, 0); /* from the CPU, not sent */
	ck_assert_int_eq(f.cause, FAULTLINE_CAUSE_BREAKPOINT);
}
END_TEST

START_TEST(fpe_divide)
{
#if defined(__aarch64__)
	/* AArch64 integer division does not trap (x / 0 == 0), and FP traps
	 * are optional in hardware: nothing raises SIGFPE there. */
	return;
#else
	struct faultline_fault f;

	expect_fault(divide, NULL, FAULTLINE_SIGFPE, FPE_INTDIV, &f);
	ck_assert_int_eq(f.cause, FAULTLINE_CAUSE_INT_DIVIDE_BY_ZERO);
#endif
}
END_TEST

/* The backtrace goes from the faulting pc through fn's callers. */
static __attribute__((noinline)) int middle(void *arg)
{
	int r = read_null(arg);
	__asm__ volatile("" ::: "memory"); /* no tail call */
	return r + 1;
}

static __attribute__((noinline)) int outer(void *arg)
{
	int r = middle(arg);
	__asm__ volatile("" ::: "memory");
	return r + 1;
}

static int frames_in(const struct faultline_fault *f, int (*fn)(void *))
{
	for (size_t i = 1; i < f->frame_count; i++)
		if (in_function(f->frames[i], fn))
			return 1;
	return 0;
}

START_TEST(backtrace_frames)
{
	struct faultline_fault f;

	expect_fault_at(outer, NULL, read_null, FAULTLINE_SIGSEGV, SEGV_MAPERR,
			&f);
	ck_assert_msg(frames_in(&f, middle), "no frame in middle()");
	ck_assert_msg(frames_in(&f, outer), "no frame in outer()");
	ck_assert_uint_eq(f.frames_omitted, 0);
}
END_TEST

/* --- stack overflow, twice, main thread and worker ------------------------ */

static void overflow_twice(void)
{
	for (int round = 0; round < 2; round++) {
		struct faultline_fault f;
		int result = -1;

		ck_assert_int_eq(faultline_protect(recurse, NULL, &result, &f),
				 FAULTLINE_PROTECT_FAULTED);
		ck_assert_int_eq(f.signo, FAULTLINE_SIGSEGV);
		ck_assert_int_eq(f.cause, FAULTLINE_CAUSE_STACK_OVERFLOW);
		ck_assert(in_function(f.pc, recurse));
		ck_assert_int_eq(result, -1);
	}
	/* And the thread is fine afterwards. */
	ck_assert_int_eq(faultline_protect(read_null, NULL, NULL, NULL),
			 FAULTLINE_PROTECT_FAULTED);
}

START_TEST(overflow_main_thread)
{
	install();
	overflow_twice();
}
END_TEST

static void *overflow_worker(void *unused)
{
	(void)unused;
	overflow_twice();
	return NULL;
}

START_TEST(overflow_worker_thread)
{
	pthread_t t;

	install();
	ck_assert_int_eq(pthread_create(&t, NULL, overflow_worker, NULL), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
}
END_TEST

/* A thread that existed before faultline_install has no alternate stack;
 * its first protected call gives it one, or an overflow would kill us. */
static pthread_barrier_t before_install;

static void *early_worker(void *unused)
{
	stack_t ss;

	(void)unused;
	pthread_barrier_wait(&before_install); /* created */
	pthread_barrier_wait(&before_install); /* installed */
	ck_assert_int_eq(sigaltstack(NULL, &ss), 0);
	ck_assert(ss.ss_flags & SS_DISABLE);
	overflow_twice();
	return NULL;
}

START_TEST(overflow_thread_created_before_install)
{
	pthread_t t;

	pthread_barrier_init(&before_install, NULL, 2);
	ck_assert_int_eq(pthread_create(&t, NULL, early_worker, NULL), 0);
	pthread_barrier_wait(&before_install);
	install();
	pthread_barrier_wait(&before_install);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
}
END_TEST

/* A stack overflow's backtrace is bounded by the protected call, not by
 * the stack: the FAULTLINE_FRAMES_HEAD frames nearest the fault, an
 * uncounted gap, then faultline_protect's frame and its callers, taken
 * from the call's jump record instead of a walk of the ~15,000 frames
 * between (issue 13). */
static struct faultline_fault overflow_fault;

static __attribute__((noinline)) int protect_recurse(void *arg)
{
	int r = faultline_protect(recurse, arg, NULL, &overflow_fault);
	__asm__ volatile("" ::: "memory"); /* no tail call */
	return r;
}

/* The text of faultline_write_report(fault) in format. */
static char *report_of(const struct faultline_fault *f,
		       enum faultline_format format)
{
	static char text[65536];
	char path[] = "/tmp/faultline-protect-report-XXXXXX";
	int fd = mkstemp(path);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(faultline_write_report(fd, f, format), 0);
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	ck_assert_int_gt(n, 0);
	text[n] = 0;
	return text;
}

START_TEST(overflow_backtrace_bounded)
{
	const struct faultline_fault *f = &overflow_fault;
	const char *text, *gap;
	size_t i;

	install();
	ck_assert_int_eq(protect_recurse(NULL), FAULTLINE_PROTECT_FAULTED);
	ck_assert_int_eq(f->cause, FAULTLINE_CAUSE_STACK_OVERFLOW);
	ck_assert_msg(f->frames_omitted == FAULTLINE_FRAMES_OMITTED_UNKNOWN,
		      "frames_omitted %zu: the whole stack was walked",
		      f->frames_omitted);
	ck_assert_uint_gt(f->frame_count, FAULTLINE_FRAMES_HEAD);
	ck_assert_uint_le(f->frame_count, FAULTLINE_MAX_FRAMES);
	for (i = 1; i < FAULTLINE_FRAMES_HEAD; i++)
		ck_assert_msg(in_function(f->frames[i], recurse),
			      "head frame %zu is not in recurse()", i);
	for (i = FAULTLINE_FRAMES_HEAD; i < f->frame_count; i++)
		if (in_function(f->frames[i], protect_recurse))
			break;
	ck_assert_msg(i < f->frame_count,
		      "no tail frame in faultline_protect's caller");
	ck_assert_msg(!in_function(f->frames[FAULTLINE_FRAMES_HEAD], recurse),
		      "the tail starts inside the protected call");

	text = report_of(f, FAULTLINE_FORMAT_TEXT);
	gap = strstr(text, "\n  ... frames omitted ...\n");
	ck_assert_msg(gap != NULL, "no gap line in:\n%s", text);
	ck_assert_msg(
		strstr(gap, " faultline_protect") != NULL &&
			strstr(gap, " protect_recurse") != NULL,
		"tail does not name faultline_protect and its caller:\n%s",
		gap);
	ck_assert_msg(strstr(text, "recurse") < gap, "no head: %s", text);
	text = report_of(f, FAULTLINE_FORMAT_JSON);
	ck_assert_msg(strstr(text, "\"frames_omitted\":null") != NULL, "%s",
		      text);
}
END_TEST

/* Threads fault and recover at the same time, each in its own protected
 * calls, each getting its own fault back. */
#define RACERS 4
#define RACER_CYCLES 2000

static void *racer(void *arg)
{
	struct faultline_fault f;
	long tid = (long)syscall(SYS_gettid);

	(void)arg;
	for (int i = 0; i < RACER_CYCLES; i++) {
		memset(&f, 0, sizeof(f));
		if (faultline_protect(write_to, NULL, NULL, &f) !=
			    FAULTLINE_PROTECT_FAULTED ||
		    f.tid != tid || f.signo != FAULTLINE_SIGSEGV ||
		    !in_function(f.pc, write_to))
			return (void *)1;
	}
	return NULL;
}

START_TEST(threads_recover_concurrently)
{
	pthread_t t[RACERS];

	install();
	for (int i = 0; i < RACERS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, racer, NULL), 0);
	for (int i = 0; i < RACERS; i++) {
		void *failed;
		ck_assert_int_eq(pthread_join(t[i], &failed), 0);
		ck_assert_ptr_null(failed);
	}
}
END_TEST

/* --- nesting -------------------------------------------------------------- */

static int inner_result;

static int outer_fn(void *arg)
{
	struct faultline_fault f;

	inner_result = faultline_protect(read_null, NULL, NULL, &f);
	ck_assert_int_eq(f.signo, FAULTLINE_SIGSEGV);
	if (arg) /* then fault in the outer call itself */
		return write_to(NULL);
	return 7;
}

START_TEST(nested_innermost_wins)
{
	struct faultline_fault f;
	int result = 0;

	install();
	/* The inner call receives the fault; the outer one carries on. */
	ck_assert_int_eq(faultline_protect(outer_fn, NULL, &result, &f),
			 FAULTLINE_PROTECT_RETURNED);
	ck_assert_int_eq(inner_result, FAULTLINE_PROTECT_FAULTED);
	ck_assert_int_eq(result, 7);
	/* After the inner one recovered, a fault in the outer one goes to
	 * the outer one (the inner frame was popped). */
	inner_result = -1;
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(faultline_protect(outer_fn, "x", &result, &f),
			 FAULTLINE_PROTECT_FAULTED);
	ck_assert_int_eq(inner_result, FAULTLINE_PROTECT_FAULTED);
	assert_access(f.access, FAULTLINE_ACCESS_WRITE);
	ck_assert_uint_eq(f.address, 0);
}
END_TEST

/* --- state after recovery ------------------------------------------------- */

START_TEST(signal_mask_restored)
{
	sigset_t block, before, after;

	install();
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &block, NULL), 0);
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &before), 0);
	ck_assert_int_eq(faultline_protect(read_null, NULL, NULL, NULL),
			 FAULTLINE_PROTECT_FAULTED);
	ck_assert_int_eq(faultline_protect(illegal, NULL, NULL, NULL),
			 FAULTLINE_PROTECT_FAULTED);
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &after), 0);
	ck_assert(sigismember(&after, SIGUSR1));
	/* The handler runs with the crash signals blocked: none of that may
	 * stay behind. */
	ck_assert(!sigismember(&after, SIGSEGV));
	ck_assert(!sigismember(&after, SIGILL));
	ck_assert(!sigismember(&after, SIGBUS));
	for (int sig = 1; sig < 32; sig++)
		ck_assert_int_eq(sigismember(&after, sig),
				 sigismember(&before, sig));
}
END_TEST

START_TEST(altstack_restored)
{
	stack_t before, after;

	install();
	ck_assert_int_eq(sigaltstack(NULL, &before), 0);
	ck_assert(!(before.ss_flags & SS_DISABLE));
	/* An overflow surely runs the handler on the alternate stack. */
	ck_assert_int_eq(faultline_protect(recurse, NULL, NULL, NULL),
			 FAULTLINE_PROTECT_FAULTED);
	ck_assert_int_eq(sigaltstack(NULL, &after), 0);
	ck_assert(!(after.ss_flags & SS_ONSTACK));
	ck_assert(!(after.ss_flags & SS_DISABLE));
	ck_assert_ptr_eq(after.ss_sp, before.ss_sp);
	ck_assert_uint_eq(after.ss_size, before.ss_size);
}
END_TEST

static int mess_up_fenv(void *arg)
{
	fesetround(FE_TOWARDZERO);
	feclearexcept(FE_INEXACT);
	feraiseexcept(FE_DIVBYZERO | FE_OVERFLOW);
#if defined(__x86_64__)
	/* Leave values on the x87 register stack, as code interrupted in
	 * the middle of a long double computation would. */
	__asm__ volatile("fld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\t"
			 "fld1\n\tfld1" ::
				 : "memory");
#endif
	return read_null(arg);
}

START_TEST(fenv_restored)
{
	volatile long double a = 1.0L, b = 3.0L;
	volatile double x = 1.0, y = 3.0;

	install();
	ck_assert_int_eq(fesetround(FE_DOWNWARD), 0);
	feclearexcept(FE_ALL_EXCEPT);
	feraiseexcept(FE_INEXACT);
	ck_assert_int_eq(faultline_protect(mess_up_fenv, NULL, NULL, NULL),
			 FAULTLINE_PROTECT_FAULTED);
	ck_assert_int_eq(fegetround(), FE_DOWNWARD);
	ck_assert_int_eq(fetestexcept(FE_ALL_EXCEPT), FE_INEXACT);
	/* The rounding mode is really in force, in SSE and x87 alike, and
	 * the x87 stack is usable (a full stack would give NaN). */
	ck_assert(x / y < 0.33333333333333337);
	ck_assert(x / y * 3.0 < 1.0);
	ck_assert(a / b * 3.0L < 1.0L);
	ck_assert(a / b * 3.0L == a / b * 3.0L);
}
END_TEST

/* --- 100,000 cycles ------------------------------------------------------- */

static long rss_pages(void)
{
	long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%ld %ld", &size, &resident), 2);
	fclose(f);
	return resident;
}

static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Under qemu-user every syscall of the unwinder is emulated: 100,000
 * cycles would take many minutes there, so the emulated run does a fifth
 * (the leak checks below still see any per-cycle growth). */
/* This thread's CPU time: a loaded machine's preemption does not count. */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define CYCLES (emulated() ? 20000 : 100000)
#define WINDOW (CYCLES / 10)

START_TEST(hundred_thousand_cycles)
{
	struct faultline_fault f;
	long rss_start, rss_end;
	int fds_start, fds_end;
	double t0, first = 0, last = 0;

	install();
	/* Warm up: first touch of pages, lazy binding, and the buffers of
	 * the measuring functions themselves (opendir's is 32 KiB). */
	rss_pages();
	fd_count();
	(void)cpu_now();
	for (int i = 0; i < 1000; i++)
		faultline_protect(read_null, NULL, NULL, &f);
	rss_start = rss_pages();
	fds_start = fd_count();
	t0 = cpu_now();
	for (int i = 0; i < CYCLES; i++) {
		if (faultline_protect(read_null, NULL, NULL, &f) !=
		    FAULTLINE_PROTECT_FAULTED)
			ck_abort_msg("cycle %d was not recovered", i);
		if (i == WINDOW - 1) {
			first = cpu_now() - t0;
		} else if (i == CYCLES - WINDOW - 1) {
			t0 = cpu_now();
		}
	}
	last = cpu_now() - t0;
	rss_end = rss_pages();
	fds_end = fd_count();
	/* A leak of even 1 byte per cycle would show as 25 pages.  Under
	 * qemu-user the RSS also holds the emulator's translation cache,
	 * which grows once for code first run after the warm-up. */
	ck_assert_msg(rss_end - rss_start <= (emulated() ? 64 : 8),
		      "RSS grew %ld -> %ld pages", rss_start, rss_end);
	ck_assert_int_eq(fds_end, fds_start);
	/* CPU time, and loose on purpose (shared machines): a chain, a cache
	 * or a mask that grows per cycle slows down far more than 3x. */
	ck_assert_msg(last < first * 3 + 0.05,
		      "first %d cycles %.3f s, last %.3f s", WINDOW, first,
		      last);
	/* The chain is empty again: a fault outside any region is a crash,
	 * checked by outside_region_dies; here, the mask is clean. */
	{
		sigset_t m;
		sigprocmask(SIG_SETMASK, NULL, &m);
		ck_assert(!sigismember(&m, SIGSEGV));
	}
}
END_TEST

/* --- from a signal handler ------------------------------------------------ */

/* What the SIGUSR1 handler's own protected calls came back with. */
static volatile sig_atomic_t nested_faulted, nested_busy, nested_other;

static void protect_in_handler(int sig)
{
	int saved = errno;
	int rc;

	(void)sig;
	rc = faultline_protect(read_null, NULL, NULL, NULL);
	if (rc == FAULTLINE_PROTECT_FAULTED)
		nested_faulted++;
	else if (rc == -1 && errno == EBUSY)
		nested_busy++;
	else
		nested_other++;
	errno = saved;
}

static volatile int sender_stop;

static void *send_usr1(void *target)
{
	const struct timespec pause = {0, 20 * 1000};

	while (!__atomic_load_n(&sender_stop, __ATOMIC_RELAXED)) {
		pthread_kill(*(pthread_t *)target, SIGUSR1);
		nanosleep(&pause, NULL);
	}
	return NULL;
}

/* A handler that interrupts faultline's, recovering a fault of this
 * thread, runs with the fault signals blocked: a protected call there
 * that faults would be killed by the kernel (SIGSEGV, no report).  It
 * gets EBUSY instead; everywhere else the call works.  Runs until enough
 * signals landed inside a recovery (a hit is likely every few hundred
 * recoveries), bounded in time for a loaded machine. */
START_TEST(protect_from_signal_handler)
{
	struct sigaction sa;
	struct faultline_fault fault;
	pthread_t self = pthread_self(), sender;
	time_t deadline = time(NULL) + 60;
	long cycles = 0;

	install();
	/* The thread's first call prepares it (not async-signal-safe). */
	ck_assert_int_eq(faultline_protect(read_null, NULL, NULL, NULL),
			 FAULTLINE_PROTECT_FAULTED);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = protect_in_handler;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	ck_assert_int_eq(pthread_create(&sender, NULL, send_usr1, &self), 0);
	while ((nested_busy < 20 || nested_faulted < 20) &&
	       time(NULL) < deadline) {
		ck_assert_int_eq(faultline_protect(read_null, NULL, NULL,
						   &fault),
				 FAULTLINE_PROTECT_FAULTED);
		ck_assert_int_eq(fault.signo, FAULTLINE_SIGSEGV);
		cycles++;
	}
	__atomic_store_n(&sender_stop, 1, __ATOMIC_RELAXED);
	pthread_join(sender, NULL);
	ck_assert_int_eq(nested_other, 0);
	ck_assert_msg(nested_busy >= 20 && nested_faulted >= 20,
		      "in %ld cycles: %d refused, %d recovered", cycles,
		      (int)nested_busy, (int)nested_faulted);
	/* Still recovers as before, and from a handler off a recovery. */
	ck_assert_int_eq(faultline_protect(read_null, NULL, NULL, NULL),
			 FAULTLINE_PROTECT_FAULTED);
	ck_assert_int_eq(raise(SIGUSR1), 0);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("protect");

	UNIT_CASE(suite, "api", 0, returns_result, errors,
		  nested_innermost_wins);
	UNIT_CASE(suite, "fault kinds", 60, segv_null, backtrace_frames,
		  segv_write_readonly, bus, ill, trap_breakpoint, fpe_divide,
		  overflow_main_thread, overflow_worker_thread,
		  overflow_thread_created_before_install,
		  overflow_backtrace_bounded, threads_recover_concurrently);
	UNIT_CASE(suite, "state after recovery", 120, signal_mask_restored,
		  altstack_restored, fenv_restored, hundred_thousand_cycles,
		  protect_from_signal_handler);
	/* Each test in its own process, whatever CK_FORK says: the tests
	 * install handlers, and a regression may crash. */
	return unit_run(suite, CK_FORK);
}
