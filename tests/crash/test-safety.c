/*
 * test-safety.c - the fatal path's safety (issue 2, sections 6 and 7): a
 * crash inside the program's own malloc (lock held) still gets its
 * report; a report that blocks is cut off by the watchdog and the process
 * still dies by its signal with what was written intact, about 5 s after
 * the crash; a fault inside the handler ends in default death, not a
 * loop, and so does a second entry on the same thread; the loader's
 * locks held by another thread do not stop the report; threads crashing
 * together give one report.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

/* The report ended by itself, promptly (well under the watchdog's 5 s),
 * not by the watchdog. */
static void check_in_time(const struct run *r)
{
	check_lacks("stderr", r->err, "timed out");
	check_seconds(r, 0, 3.5);
}

/* The crash test, and the report ended in time. */
static void crash_in_time(enum child_kind kind, const char *scenario,
			  const char *cause)
{
	check_in_time(crash_test(kind, scenario, SIGSEGV, NULL, cause));
}

/* The watchdog's deadline is 5 s: a stuck report ends after about that
 * long, not much sooner (it would cut slow reports short) nor later. */
static void check_watchdog_time(const struct run *r)
{
	check_seconds(r, 4.5, 10);
}

TEST(crash_inside_malloc)
{
	crash_in_time(CHILD_MALLOC, "malloc-crash", "null pointer dereference");
	return 0;
}

/* The report cannot be written at all: its writes give up a second
 * before the watchdog's 5 s, and it goes to stderr instead.  arg
 * "no-timer": and timer_create fails (RLIMIT_SIGPENDING used up). */
static void full_pipe(const char *arg)
{
	struct spawn sp = {.kind = CHILD_LINKED, .args = {"pipe-full", arg}};
	const struct run *r = crash_spawn(&sp, SIGSEGV, NULL, NULL);

	check_has("stdout", r->out, arg ? "no timer\n" : "pipe full\n");
	check_has("stderr", r->err,
		  ": timed out (nobody reads it?); the report follows here\n");
	check_seconds(r, 3.5, 10);
}

/* The callback never returns: the watchdog ends the process after the
 * report and the callback's line, and closes the report (its end marker
 * comes after the callback's output).  arg "no-timer": and
 * timer_create fails. */
static void hanging_callback(const char *arg)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"callback-hang", arg}};
	const struct run *r = crash_spawn(&sp, SIGSEGV, NULL, NULL);
	const char *end = strstr(r->err, "==== end of faultline report ====\n");
	const char *hang = strstr(r->err, "callback: hanging now\n");
	const char *timeout = strstr(r->err, "report timed out");

	if (arg)
		check_has("stdout", r->out, "no timer\n");
	CHECK(end && hang && hang < end,
	      "the callback's line is not inside the report");
	CHECK(timeout && end && end < timeout,
	      "no watchdog message after the report's end");
	check_watchdog_time(r);
}

TEST(watchdog_full_pipe)
{
	full_pipe(NULL);
	return 0;
}

TEST(watchdog_hanging_callback)
{
	hanging_callback(NULL);
	return 0;
}

/* No timer to be had: the handler still ends within its bound. */
TEST(no_timer_full_pipe)
{
	full_pipe("no-timer");
	return 0;
}

TEST(no_timer_hanging_callback)
{
	hanging_callback("no-timer");
	return 0;
}

/* The callback faults by the signal being reported, blocked in the
 * handler: the kernel ends the process at once, before the report's end
 * line (which comes after the callback's output). */
TEST(fault_inside_handler)
{
	struct spawn sp = {.kind = CHILD_LINKED, .args = {"callback-fault"}};
	const struct run *r = spawn(&sp);

	check_died(r, SIGSEGV);
	check_in_time(r);
	CHECK(count_of(r->err, "==== faultline ") == 1 &&
		      count_of(r->err, "\nmodules:\n") == 1,
	      "not one report written up to the callback");
	return 0;
}

TEST(second_entry_dies_at_once)
{
	/* The callback's abort() enters the handler again on the thread
	 * that is reporting: default death by SIGABRT at once (SIGSEGV,
	 * blocked while the handler runs, would never get there). */
	check_in_time(crash_test(CHILD_LINKED, "callback-abort", SIGABRT,
				 "SIGSEGV (11), code SEGV_MAPERR (1)",
				 "null pointer dereference"));
	return 0;
}

/* Another thread holds a lock of the dynamic loader for good: the
 * report must take none of them (no dl_iterate_phdr, dladdr, dlsym). */
TEST(loader_lock_dl_iterate_phdr)
{
	crash_in_time(CHILD_LINKED, "loader-lock-iterate",
		      "null pointer dereference");
	crash_in_time(CHILD_PRELOAD, "loader-lock-iterate",
		      "null pointer dereference");
	return 0;
}

TEST(loader_lock_dlopen_constructor)
{
	char lib[4200];
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"loader-lock-dlopen", lib}};

	snprintf(lib, sizeof(lib), "%s/tests/crash/.libs/libblockingctor.so",
		 builddir());
	check_in_time(
		crash_spawn(&sp, SIGSEGV, NULL, "null pointer dereference"));
	sp.kind = CHILD_PRELOAD;
	check_in_time(
		crash_spawn(&sp, SIGSEGV, NULL, "null pointer dereference"));
	return 0;
}

/* A vfork child crashed and claimed the crash in the memory it shares
 * with its parent: the parent's own crash later is reported at once. */
TEST(vfork_child_crashed_before)
{
	struct spawn sp = {.kind = CHILD_LINKED, .args = {"vfork-child-crash"}};
	char pid[64];

	for (int kind = CHILD_LINKED; kind <= CHILD_PRELOAD; kind++) {
		const struct run *r;

		sp.kind = (enum child_kind)kind;
		sp.args[1] = "reaped";
		r = crash_spawn(&sp, SIGSEGV, NULL, "null pointer dereference");
		check_in_time(r);
		check_has("stdout", r->out, "child: signal 11\n");
		snprintf(pid, sizeof(pid), "\nprocess: pid %ld,", r->pid);
		check_has("report", r->err, pid);
		sp.args[1] = "zombie";
		check_in_time(crash_spawn(&sp, SIGSEGV, NULL,
					  "null pointer dereference"));
	}
	return 0;
}

TEST(threads_crash_together)
{
	crash_test(CHILD_LINKED, "threads-crash-together", SIGSEGV, NULL,
		   "null pointer dereference");
	return 0;
}

TEST(threads_crash_together_preload)
{
	crash_test(CHILD_PRELOAD, "threads-crash-together", SIGSEGV, NULL,
		   NULL);
	return 0;
}
