/*
 * test-threads.c - every thread, every hang (issue 9): a crash report
 * shows every thread with its state and backtrace, whatever it is doing
 * (blocked in a mutex, a condition, poll, read, nanosleep; spinning;
 * inside malloc; blocking every signal; coming and going; a thousand of
 * them); the hang watchdog reports a deadlocked program and ends it by
 * SIGABRT; dumps on request (the dump signal, faultline_dump) leave the
 * program running, ten thousand times over, without growing; a crash
 * during a dump is still reported once.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The part of a text report about the thread named name: its line up
 * to the next thread, module list or end (a static copy; "" when the
 * thread is not listed). */
static const char *thread_section(const char *report, const char *name)
{
	static char buf[1 << 16];
	char needle[128];
	const char *p, *end;
	size_t n;

	snprintf(needle, sizeof(needle), "\"%s\" (", name);
	buf[0] = '\0';
	p = report ? strstr(report, needle) : NULL;
	while (p && p > report && p[-1] != '\n')
		p--;
	if (!p)
		return buf;
	end = p + 1;
	for (;;) {
		end = strchr(end, '\n');
		if (!end || strncmp(end + 1, "thread", 6) == 0 ||
		    strncmp(end + 1, "modules:", 8) == 0 ||
		    strncmp(end + 1, "====", 4) == 0)
			break;
		end++;
	}
	n = end ? (size_t)(end - p) : strlen(p);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/* Thread name is listed, and its backtrace holds each of the functions
 * (NULL-terminated). */
static void check_thread(const char *report, const char *name,
			 const char *const *functions)
{
	const char *s = thread_section(report, name);

	CHECK(*s, "thread \"%s\" is not listed", name);
	if (!*s)
		return;
	CHECK(strstr(s, "\nbacktrace ("), "thread \"%s\" has no backtrace: %s",
	      name, s);
	for (; *functions; functions++)
		CHECK(strstr(s, *functions), "thread \"%s\" lacks %s:\n%s",
		      name, *functions, s);
}

#define FUNCTIONS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The threads of the threads-blocked scenario, each where it blocks. */
static void check_blocked_threads(const char *report)
{
	check_thread(report, "fl-lock-a",
		     FUNCTIONS("lock_a_then_b", "mutex_lock"));
	check_thread(report, "fl-lock-b",
		     FUNCTIONS("lock_b_then_a", "mutex_lock"));
	check_thread(report, "fl-sleeper",
		     FUNCTIONS("sleeping_thread", "nanosleep"));
	check_thread(report, "fl-spinner", FUNCTIONS("spinning_thread"));
	check_thread(report, "fl-poller", FUNCTIONS("polling_thread", "poll"));
	check_thread(report, "fl-reader", FUNCTIONS("reading_thread", "read"));
	check_thread(report, "fl-waiter",
		     FUNCTIONS("waiting_thread", "pthread_cond_wait"));
	/* The state each had before it was stopped.  (The watchdog's
	 * signal goes to any thread, most often one that runs: the spinner
	 * may be the one reporting.) */
	check_has("report", report, "\"fl-sleeper\" (sleeping)\n");
	check_has("report", report, "\"fl-lock-a\" (sleeping)\n");
	CHECK(strstr(report, "\"fl-spinner\" (running)\n") ||
		      strstr(report, "\"fl-spinner\" (reporting)\n"),
	      "fl-spinner is neither running nor reporting");
}

TEST(crash_shows_every_thread)
{
	const struct run *r =
		crash_test(CHILD_PRELOAD, "threads-blocked", SIGSEGV,
			   "SIGSEGV (11), code SEGV_MAPERR (1)",
			   "null pointer dereference");

	/* The crashed thread first, then the others. */
	CHECK(strstr(r->err, "(crashed)\nbacktrace (") &&
		      strstr(r->err, "(crashed)") < strstr(r->err, "fl-lock-a"),
	      "the crashed thread does not come first");
	/* Under qemu-user the preloaded main thread bears the emulator's
	 * name (its comm). */
	check_thread(r->err, emulator() ? "qemu-aarch64" : "crashme-plain",
		     FUNCTIONS("crash_null_read", "threads_blocked"));
	check_blocked_threads(r->err);
	return 0;
}

TEST(crash_shows_every_thread_linked)
{
	const struct run *r =
		crash_test(CHILD_LINKED, "threads-blocked", SIGSEGV, NULL,
			   "null pointer dereference");

	check_blocked_threads(r->err);
	return 0;
}

/* A member's string, or "". */
static const char *str(const struct json_value *j, const char *key)
{
	const char *s = json_string(json_get(j, key));

	return s ? s : "";
}

static const struct json_value *json_thread(const struct json_value *report,
					    const char *name)
{
	const struct json_value *threads = json_get(report, "threads");

	for (size_t i = 0; i < json_count(threads); i++)
		if (strcmp(str(json_at(threads, i), "name"), name) == 0)
			return json_at(threads, i);
	return NULL;
}

static int json_frames_have(const struct json_value *t, const char *symbol)
{
	const struct json_value *frames = json_get(t, "frames");

	for (size_t i = 0; i < json_count(frames); i++)
		if (strcmp(str(json_at(frames, i), "symbol"), symbol) == 0)
			return 1;
	return 0;
}

TEST(crash_threads_json)
{
	struct spawn sp = {.kind = CHILD_PRELOAD, .args = {"threads-blocked"}};
	struct json_value *j = NULL;
	const struct json_value *first, *sleeper, *spinner;

	crash_spawn_json(&sp, SIGSEGV, &j);
	first = json_at(json_get(j, "threads"), 0);
	CHECK(json_get(first, "crashed") &&
		      json_get(first, "crashed")->type == JSON_TRUE &&
		      !strcmp(str(first, "capture"), "crashed"),
	      "the first thread is not the crashed one");
	sleeper = json_thread(j, "fl-sleeper");
	spinner = json_thread(j, "fl-spinner");
	CHECK(sleeper && json_get(sleeper, "crashed")->type == JSON_FALSE &&
		      !strcmp(str(sleeper, "capture"), "stopped") &&
		      !strcmp(str(sleeper, "state"), "sleeping") &&
		      json_get(sleeper, "truncated")->type == JSON_FALSE &&
		      json_frames_have(sleeper, "sleeping_thread"),
	      "fl-sleeper: not crashed, stopped, sleeping, not truncated, "
	      "in sleeping_thread");
	CHECK(spinner && !strcmp(str(spinner, "state"), "running") &&
		      json_frames_have(spinner, "spinning_thread"),
	      "fl-spinner: running, in spinning_thread");
	CHECK(json_count(json_get(j, "threads")) >= 8, "%zu threads, not 8",
	      json_count(json_get(j, "threads")));
	json_free(j);
	return 0;
}

/* The watchdog's report of the deadlocked program, and its death. */
static void check_watchdog(enum child_kind kind)
{
	struct spawn sp = {.kind = kind,
			   .args = {"threads-blocked", "hang"},
			   .env = {"FAULTLINE_TIMEOUT=2"}};
	const struct run *r = crash_spawn(&sp, SIGABRT, NULL,
					  "watchdog: no progress for 2 s");

	check_lacks("report", r->err, "\nsignal: ");
	check_has("report", r->err, "(reporting)\nbacktrace (");
	check_blocked_threads(r->err);
	/* Armed at start-up, fired 2 s later: loosely. */
	CHECK(r->seconds > 1.5 && r->seconds < 7 + (emulator() ? 10 : 0),
	      "the watchdog fired after %.1f s, not about 2", r->seconds);
}

/* qemu-user (7.2) hands timer_create's signal number to the host
 * unconverted, and its guest realtime signals are the host's minus 2: the
 * watchdog's expiry reaches the guest as another signal, whose default
 * action kills it.  The timer's expiry cannot be tested there. */
static int timer_signals_broken(void)
{
	if (!emulator())
		return 0;
	printf("  SKIP: qemu-user delivers a timer's realtime signal as "
	       "another signal\n");
	return 1;
}

TEST(watchdog_deadlock)
{
	if (timer_signals_broken())
		return SKIP;
	check_watchdog(CHILD_PRELOAD);
	return 0;
}

TEST(watchdog_deadlock_linked)
{
	if (timer_signals_broken())
		return SKIP;
	check_watchdog(CHILD_LINKED);
	return 0;
}

TEST(watchdog_heartbeat)
{
	if (timer_signals_broken())
		return SKIP;
	const struct run *r =
		crash_test(CHILD_LINKED, "watchdog-heartbeat", SIGABRT, NULL,
			   "watchdog: no progress for 1 s");

	/* 2 s of heartbeats held it off; then it fired. */
	check_has("stdout", r->out, "stopped\n");
	CHECK(r->seconds > 2.5,
	      "the watchdog fired after %.1f s, before "
	      "the heartbeats stopped",
	      r->seconds);
	check_thread(r->err, "fl-sleeper", FUNCTIONS("sleeping_thread"));
	return 0;
}

TEST(watchdog_disarmed)
{
	const struct run *r =
		run_scenario(CHILD_LINKED, "watchdog-disarm", NULL);

	check_exited(r, 0);
	check_has("stdout", r->out, "still running\n");
	check_lacks("stderr", r->err, "==== faultline");
	return 0;
}

TEST(dump_signal)
{
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"wait-for-dump"},
			   .env = {"FAULTLINE_DUMP_SIGNAL=USR1"},
			   .kill_when_ready = SIGUSR1};
	const struct run *r = spawn(&sp);
	char cause[64];

	/* SIGUSR1's default action would have ended it. */
	check_exited(r, 0);
	check_has("stdout", r->out, "still running\n");
	check_one_report(r->err);
	snprintf(cause, sizeof(cause),
		 "\ncause: dump requested: SIGUSR1 from pid %ld\n",
		 (long)getpid());
	check_has("report", r->err, cause);
	check_has("report", r->err, "(reporting)\nbacktrace (");
	check_thread(r->err, "fl-sleeper", FUNCTIONS("sleeping_thread"));
	check_thread(r->err, "fl-spinner", FUNCTIONS("spinning_thread"));
	return 0;
}

/* With %n, each dump has a file of its own. */
TEST(dump_signal_files)
{
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"raise-usr1", "3"},
			   .env = {"FAULTLINE_DUMP_SIGNAL=USR1",
				   "FAULTLINE_OUTPUT=dump-%p-%n.txt"}};
	const struct run *r = spawn(&sp);

	check_exited(r, 0);
	check_has("stdout", r->out, "raised 3\n");
	check_lacks("stderr", r->err, "==== faultline");
	for (int i = 0; i < 4; i++) {
		char path[64], *text = NULL, cause[80];
		size_t len = 0;
		FILE *f;

		snprintf(path, sizeof(path), "dump-%ld-%d.txt", r->pid, i);
		f = fopen(path, "r");
		CHECK((f != NULL) == (i < 3), "%s %s", path,
		      f ? "exists: one dump too many" : "is missing");
		if (!f)
			continue;
		if (getdelim(&text, &len, '\0', f) < 0)
			text = NULL;
		fclose(f);
		unlink(path);
		check_one_report(text);
		snprintf(cause, sizeof(cause),
			 "\ncause: dump requested: SIGUSR1 from pid %ld\n",
			 r->pid);
		check_has(path, text, cause);
		check_thread(text, "fl-sleeper", FUNCTIONS("sleeping_thread"));
		free(text);
	}
	return 0;
}

TEST(dump_signal_chained)
{
	const struct run *r = run_scenario(CHILD_LINKED, "dump-chain", NULL);

	check_exited(r, 0);
	check_one_report(r->err);
	check_has("stdout", r->out, "the program's handler ran\n");
	check_has("stdout", r->out, "still running\n");
	return 0;
}

/* "line 0" .. "line 1999", each once, in order. */
static void check_lines(const char *out)
{
	const char *p = out;
	char line[32];

	for (int i = 0; i < 2000 && p; i++) {
		snprintf(line, sizeof(line), "line %d\n", i);
		p = strstr(p, line);
		CHECK(p, "stdout lacks \"line %d\" (in order)", i);
	}
}

TEST(dumps_ten_thousand)
{
	/* qemu-user runs a dump some ten times slower: a tenth of them.
	 * 15-25 s here when quiet, past 120 s on a loaded machine with the
	 * system's libunwind (a sigprocmask pair per step): the limit only
	 * catches a hang. */
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"dump-loop", emulator() ? "1000" : "10000"},
			   .timeout = 400};
	const struct run *r = spawn(&sp);
	int fds0 = -1, fds1 = -2;
	long rss0 = 0, rss1 = 1 << 30;
	const char *l;

	check_exited(r, 0);
	check_has("stdout", r->out, "done\n");
	check_lines(r->out);
	check_lacks("stderr", r->err, "==== faultline");
	if ((l = line_after(r->out, "fds ")))
		sscanf(l, "%d %d", &fds0, &fds1);
	if ((l = line_after(r->out, "rss ")))
		sscanf(l, "%ld %ld", &rss0, &rss1);
	CHECK(fds0 == fds1, "descriptors: %d after 100 dumps, %d at the end",
	      fds0, fds1);
	CHECK(rss1 - rss0 < 1024,
	      "resident memory grew by %ld KiB from dump 100 to the end",
	      rss1 - rss0);
	return 0;
}

TEST(dumps_while_threads_come_and_go)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"dump-churn", emulator() ? "50" : "300"},
			   .timeout = 120};
	const struct run *r = spawn(&sp);

	check_exited(r, 0);
	check_has("stdout", r->out, emulator() ? "dumps 50\n" : "dumps 300\n");
	return 0;
}

TEST(thread_blocking_every_signal)
{
	const struct run *r =
		crash_test(CHILD_PRELOAD, "threads-blocking-signals", SIGSEGV,
			   NULL, "null pointer dereference");
	const char *s = thread_section(r->err, "fl-blocker");

	/* Listed with its name and state, not stopped, and no hang. */
	CHECK(strstr(s, "\"fl-blocker\" (sleeping, not stopped") &&
		      !strstr(s, "\nbacktrace"),
	      "fl-blocker is not listed as not stopped: %s", s);
	/* qemu-user's /proc shows its own signal masks: there the thread
	 * just does not answer. */
	if (!emulator())
		check_has("report", s, "not stopped: signals blocked)");
	check_thread(r->err, "fl-sleeper", FUNCTIONS("sleeping_thread"));
	CHECK(r->seconds < 10, "the report took %.1f s", r->seconds);
	return 0;
}

/* Under qemu-user, 250: emulated, a report of 1,000 threads' backtraces
 * can outlast the 5 s bound on a report on a loaded machine (the report's
 * watchdog then cuts it short, as designed). */
TEST(thousand_threads)
{
	int many = emulator() ? 250 : 1000;
	char arg[16];
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"threads-many", arg},
			   .timeout = 120};
	const struct run *r;
	size_t listed;

	snprintf(arg, sizeof(arg), "%d", many);
	r = crash_spawn(&sp, SIGSEGV, NULL, "null pointer dereference");
	listed = count_of(r->err, "\nthread: tid ");
	/* qemu-user's own threads show too (not stopped). */
	CHECK(listed == (size_t)many + 1 ||
		      (emulator() && listed > (size_t)many + 1 &&
		       listed < (size_t)many + 5),
	      "%zu threads listed, not %d", listed, many + 1);
	CHECK(count_of(r->err, " in many_thread_body+") == (size_t)many,
	      "%zu backtraces in many_thread_body, not %d",
	      count_of(r->err, " in many_thread_body+"), many);
	fprintf(stderr, "  %d threads: %.2f s from start to death\n", many,
		r->seconds);
	return 0;
}

TEST(thread_backtraces_capped)
{
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"threads-many", "50"},
			   .env = {"FAULTLINE_THREADS=10"}};
	const struct run *r =
		crash_spawn(&sp, SIGSEGV, NULL, "null pointer dereference");
	size_t walked = count_of(r->err, "\nbacktrace (");

	/* Under qemu-user the emulator's own thread (it blocks every
	 * signal) may take one of the 10. */
	CHECK(walked == 11 || (emulator() && walked == 10),
	      "%zu backtraces, not the crashed thread's and 10", walked);
	CHECK(count_of(r->err, ", over the cap)\n") >= 40,
	      "%zu threads over the cap, not 40",
	      count_of(r->err, ", over the cap)\n"));
	return 0;
}

TEST(crashed_thread_only)
{
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"threads-blocked"},
			   .env = {"FAULTLINE_THREADS=crashed"}};
	const struct run *r =
		crash_spawn(&sp, SIGSEGV, NULL, "null pointer dereference");

	CHECK(count_of(r->err, "\nthread: tid ") == 1,
	      "%zu threads listed, not the crashed one only",
	      count_of(r->err, "\nthread: tid "));
	return 0;
}

TEST(threads_coming_and_going)
{
	for (int i = 0; i < 3; i++) {
		const struct run *r =
			crash_test(CHILD_PRELOAD, "threads-churn", SIGSEGV,
				   NULL, "null pointer dereference");

		check_has("report", r->err, "\"fl-spawner\" (");
		CHECK(r->seconds < 10, "the report took %.1f s", r->seconds);
	}
	return 0;
}

TEST(crash_during_dump)
{
	for (int i = 0; i < 5; i++) {
		/* The dumps go to /dev/null: the one report on stderr is
		 * the crash's. */
		const struct run *r =
			crash_test(CHILD_LINKED, "crash-during-dump", SIGSEGV,
				   "SIGSEGV (11), code SEGV_MAPERR (1)",
				   "null pointer dereference");

		check_has("report", r->err, "\"fl-dumper\" (");
		check_thread(r->err, "fl-sleeper",
			     FUNCTIONS("sleeping_thread"));
	}
	return 0;
}

TEST(threads_in_malloc)
{
	const struct run *r =
		crash_test(CHILD_MALLOC, "malloc-threads", SIGSEGV, NULL,
			   "null pointer dereference");
	size_t in_malloc = 0;
	const char *p = r->err;

	/* The report allocates nothing: the threads spinning on the heap's
	 * lock are reported, where they spin. */
	while ((p = strstr(p, "\"fl-allocator\" ("))) {
		const char *next = strstr(p + 1, "\nthread: ");
		const char *m = strstr(p, " in malloc+");

		if (m && (!next || m < next))
			in_malloc++;
		p++;
	}
	CHECK(in_malloc >= 3, "%zu allocating threads shown in malloc, not 3",
	      in_malloc);
	return 0;
}
