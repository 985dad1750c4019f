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

/* Well under the watchdog's 5 s: the report did not wait for anything. */
#define PROMPT_SECONDS 3.5

/* The report ended by itself, promptly, not by the watchdog. */
static void check_in_time(const struct run *r)
{
	check_lacks("stderr", r->err, "timed out");
	CHECK(r->seconds < PROMPT_SECONDS * (emulator() ? 3 : 1),
	      "the crash took %.2f s", r->seconds);
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
	double most = emulator() ? 15 : 10;

	CHECK(r->seconds >= 4.5 && r->seconds < most,
	      "the watchdog ended the process after %.2f s, not about 5 s",
	      r->seconds);
}

TEST(crash_inside_malloc)
{
	crash_in_time(CHILD_MALLOC, "malloc-crash", "null pointer dereference");
	return 0;
}

TEST(watchdog_full_pipe)
{
	/* The report cannot be written at all; the watchdog (5 s) ends it. */
	const struct run *r = run_scenario(CHILD_LINKED, "pipe-full", NULL);

	check_died(r, SIGSEGV);
	check_has("stdout", r->out, "pipe full");
	check_watchdog_time(r);
	return 0;
}

TEST(watchdog_hanging_callback)
{
	const struct run *r =
		crash_test(CHILD_LINKED, "callback-hang", SIGSEGV, NULL, NULL);
	const char *end = strstr(r->err, "==== end of faultline report ====\n");
	const char *hang = strstr(r->err, "callback: hanging now\n");
	const char *timeout = strstr(r->err, "report timed out");

	CHECK(end && hang && end < hang, "the report is not intact before "
					 "the callback's line");
	CHECK(timeout && hang && hang < timeout,
	      "no watchdog message after the callback's line");
	check_watchdog_time(r);
	return 0;
}

TEST(fault_inside_handler)
{
	crash_in_time(CHILD_LINKED, "callback-fault", NULL);
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
