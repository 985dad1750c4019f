/*
 * test-races.c - a recovery in progress on one thread and what other
 * threads do meanwhile (issue 12, section 3).  A test hook of unwind.c
 * holds the recovering thread inside the recovery unwinder, with its lock
 * and libunwind's cache lock taken, for as long as the test wants:
 *
 *  - another thread's crash is reported at once, with its backtrace (the
 *    crash has an unwinder of its own and waits for nobody);
 *  - fork() meanwhile: the child recovers a fault and reports a crash
 *    (pthread_atfork waits for the recovery, or, when it stays stuck, the
 *    child gets a fresh recovery unwinder).
 *
 * Each test runs the scenario in a child of its own (it ends in a crash)
 * and reads the child's report from a pipe.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faultline.h"
#include "posix/posix.h"
#include "unit.h"

/* How long the hook holds a recovery; 0 forever (until the process
 * ends).  Bounded anyway, so that no test can hang for good. */
static atomic_int hold_ms;
static atomic_int held;	    /* the hook is holding a recovery now */
static atomic_int released; /* the hook has let it go */

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void hold_recovery(int recovery)
{
	int ms = atomic_load(&hold_ms), waited = 0;

	if (!recovery || atomic_exchange(&held, 1) != 0)
		return; /* hold the first recovery's first lookup only */
	while ((ms == 0 || waited < ms) && waited < 60000) {
		sleep_ms(10);
		waited += 10;
	}
	atomic_store(&released, 1);
}

static volatile int *volatile null_ptr;

static __attribute__((noinline)) int fault_here(void *arg)
{
	(void)arg;
	return *null_ptr;
}

static void *recover_once(void *unused)
{
	struct faultline_fault fault;

	(void)unused;
	faultline_protect(fault_here, NULL, NULL, &fault);
	return NULL;
}

static void wait_until_held(void)
{
	for (int i = 0; i < 6000 && !atomic_load(&held); i++)
		sleep_ms(10);
	if (!atomic_load(&held))
		_exit(90);
}

void fl_test_crash_beside_recovery(void);
__attribute__((noinline)) void fl_test_crash_beside_recovery(void)
{
	*null_ptr = 1;
	__asm__ volatile("" ::: "memory");
}

/* Installs faultline writing to fd, with the hook, and starts a thread
 * whose recovery the hook holds for ms (0: for good). */
static void start_held_recovery(int fd, int ms)
{
	struct faultline_options o;
	pthread_t t;

	faultline_options_init(&o);
	o.output_fd = fd;
	if (faultline_install(&o) != 0)
		_exit(91);
	atomic_store(&hold_ms, ms);
	fl_unwind_test_hook = hold_recovery;
	if (pthread_create(&t, NULL, recover_once, NULL) != 0)
		_exit(92);
	wait_until_held();
}

/* What the child wrote to the pipe until it ended, and how it ended:
 * within limit_ms or it is killed (status then says SIGKILL). */
struct outcome {
	char report[65536];
	size_t len;
	int status;
	long elapsed_ms;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void run_child(void (*body)(int fd), int limit_ms, struct outcome *o)
{
	int p[2];
	pid_t pid;
	long start = now_ms();

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		body(p[1]);
		_exit(93); /* the body ends in a crash */
	}
	close(p[1]);
	o->len = 0;
	for (;;) {
		struct pollfd pf = {p[0], POLLIN, 0};
		long left = limit_ms - (now_ms() - start);
		ssize_t n;

		if (left <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&pf, 1, (int)left) <= 0)
			continue;
		n = read(p[0], o->report + o->len,
			 sizeof(o->report) - 1 - o->len);
		if (n <= 0)
			break;
		o->len += (size_t)n;
	}
	o->report[o->len] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &o->status, 0), pid);
	o->elapsed_ms = now_ms() - start;
}

static void check_crash_report(const struct outcome *o)
{
	ck_assert_msg(WIFSIGNALED(o->status) && WTERMSIG(o->status) == SIGSEGV,
		      "status 0x%x (not death by SIGSEGV), report:\n%s",
		      o->status, o->report);
	ck_assert_msg(strstr(o->report, "fl_test_crash_beside_recovery"),
		      "no frame of the crashing function:\n%s", o->report);
	ck_assert_msg(!strstr(o->report, "timed out"), "watchdog:\n%s",
		      o->report);
}

/* ------------------------------------------------------------------------
 * A crash while another thread is stuck in a recovery
 * ---------------------------------------------------------------------- */

static void crash_beside_stuck_recovery(int fd)
{
	start_held_recovery(fd, 0);
	fl_test_crash_beside_recovery();
}

START_TEST(crash_beside_a_stuck_recovery)
{
	static struct outcome o;

	run_child(crash_beside_stuck_recovery, 30000, &o);
	check_crash_report(&o);
	/* ... at once: not after the recovery lock's 3 s wait (a generous
	 * bound: a crash report takes milliseconds). */
	ck_assert_msg(o.elapsed_ms < 2500, "the report took %ld ms",
		      o.elapsed_ms);
}
END_TEST

/* ------------------------------------------------------------------------
 * fork() while another thread recovers
 * ---------------------------------------------------------------------- */

/* In the child of the fork: a recovery with a backtrace, then a crash.
 * Exit 94 when the recovery went wrong. */
static void recover_then_crash(void)
{
	struct faultline_fault fault;

	atomic_store(&hold_ms, -1);
	fl_unwind_test_hook = NULL;
	if (faultline_protect(fault_here, NULL, NULL, &fault) !=
		    FAULTLINE_PROTECT_FAULTED ||
	    fault.frame_count < 3)
		_exit(94);
	fl_test_crash_beside_recovery();
}

/* fork while the recovery is held for ms, then wait (bounded) for the
 * forked child: exit 0 when it died by SIGSEGV (its report is on fd),
 * else say how it ended. */
static void fork_beside_recovery(int fd, int ms)
{
	pid_t pid;
	int status;

	start_held_recovery(fd, ms);
	pid = fork();
	if (pid < 0)
		_exit(95);
	if (pid == 0) {
		recover_then_crash();
		_exit(93);
	}
	for (int i = 0; i < 2000; i++) {
		if (waitpid(pid, &status, WNOHANG) != pid)
			;
		else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
			_exit(0);
		else
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 96);
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	_exit(97); /* the forked child hung */
}

static void fork_beside_brief_recovery(int fd)
{
	fork_beside_recovery(fd, 300);
}

static void fork_beside_stuck_recovery(int fd)
{
	fork_beside_recovery(fd, 0);
}

static void check_forked(const struct outcome *o)
{
	ck_assert_msg(WIFEXITED(o->status) && WEXITSTATUS(o->status) == 0,
		      "status 0x%x (exit 94: the recovery failed, 97: the "
		      "forked child hung), report:\n%s",
		      o->status, o->report);
	ck_assert_msg(strstr(o->report, "fl_test_crash_beside_recovery"),
		      "no frame of the crashing function:\n%s", o->report);
	ck_assert_msg(!strstr(o->report, "timed out"), "watchdog:\n%s",
		      o->report);
}

/* The fork waits for the recovery to end: the child's recovery and crash
 * find the unwinders free. */
START_TEST(fork_during_a_recovery)
{
	static struct outcome o;

	run_child(fork_beside_brief_recovery, 40000, &o);
	check_forked(&o);
}
END_TEST

/* A recovery stuck past the wait (3 s): the fork goes on, and the child
 * makes itself a fresh recovery unwinder. */
START_TEST(fork_beside_a_stuck_recovery)
{
	static struct outcome o;

	run_child(fork_beside_stuck_recovery, 40000, &o);
	check_forked(&o);
}
END_TEST

int main(void)
{
	return UNIT_MAIN("races", 60, crash_beside_a_stuck_recovery,
			 fork_during_a_recovery, fork_beside_a_stuck_recovery);
}
