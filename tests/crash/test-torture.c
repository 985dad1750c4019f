/*
 * test-torture.c - many varied crashes in a row (issue 13, section 3):
 * signals, threads, deep stacks, bad pcs, corrupted stacks, alternate
 * stacks, preloaded and linked, text and JSON.  Each must die by its own
 * signal after exactly one valid report, in time; the test counts wrong
 * deaths, missing or invalid reports and hangs, and wants zero of each.
 *
 * Deterministic: the crashes are drawn from a seeded generator, its seed
 * printed (FL_TORTURE_SEED=N repeats a run; FL_TORTURE_COUNT=N sets how
 * many: 1,000 natively, 100 under an emulator).
 */
#include "harness.h"
#include "json.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct crash {
	const char *scenario;
	const char *arg;
	int sig;
	int linked_only; /* the scenario calls the C API */
	int x86_only;	 /* aarch64 has no such trap / takes no 2 KiB stack */
};

static const struct crash crashes[] = {
	{"null-read", NULL, SIGSEGV, 0, 0},
	{"null-write", NULL, SIGSEGV, 0, 0},
	{"write-readonly", NULL, SIGSEGV, 0, 0},
	{"exec-nonexec", NULL, SIGSEGV, 0, 0},
	{"bad-pc", NULL, SIGSEGV, 0, 0},
	{"corrupt-stack", NULL, SIGSEGV, 0, 0},
	{"mapped-file-past-end", NULL, SIGBUS, 0, 0},
	{"illegal-instruction", NULL, SIGILL, 0, 0},
	{"divide-by-zero", NULL, SIGFPE, 0, 1},
	{"breakpoint", NULL, SIGTRAP, 0, 0},
	{"abort", NULL, SIGABRT, 0, 0},
	{"raise-segv", NULL, SIGSEGV, 0, 0},
	{"sigqueue-segv", NULL, SIGSEGV, 0, 0},
	{"overflow-main", NULL, SIGSEGV, 0, 0},
	{"overflow-thread", NULL, SIGSEGV, 0, 0},
	{"deep-recursion", NULL, SIGSEGV, 0, 0},
	{"worker-null-read", NULL, SIGSEGV, 0, 0},
	{"hostile-thread-name", NULL, SIGSEGV, 0, 0},
	{"threads-crash-together", NULL, SIGSEGV, 0, 0},
	{"loader-lock-iterate", NULL, SIGSEGV, 0, 0},
	{"altstack-kept", NULL, SIGSEGV, 1, 0},
	{"small-altstack", "abort", SIGABRT, 0, 1},
	{"small-altstack", "illegal-instruction", SIGILL, 0, 1},
};
#define CRASH_KINDS (sizeof(crashes) / sizeof(crashes[0]))

static unsigned long long state;

/* xorshift64*: the same sequence for the same seed everywhere. */
static unsigned long long next_random(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 2685821657736338717ULL;
}

static unsigned long long env_number(const char *name, unsigned long long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 10) : def;
}

struct tally {
	unsigned runs, wrong_deaths, bad_reports, hangs;
};

/* Exactly one report, complete, of the right signal; for JSON, one that
 * parses strictly. */
static int report_valid(const struct run *r, int json, int sig)
{
	char want[64];

	if (json) {
		const char *p = strstr(r->err, "{\"faultline\":");
		const char *error = NULL;
		size_t end = 0;
		struct json_value *j;

		if (!p || (p != r->err && p[-1] != '\n') ||
		    strstr(p + 1, "{\"faultline\":"))
			return 0;
		j = json_parse_document(p, strcspn(p, "\n"), &end, &error);
		json_free(j);
		snprintf(want, sizeof(want), "\"signal\":{\"number\":%d", sig);
		return j && strstr(p, want);
	}
	snprintf(want, sizeof(want), "\nsignal: SIG%s (%d)", sigabbrev_np(sig),
		 sig);
	return count_of(r->err, "==== faultline ") == 1 &&
	       count_of(r->err, "==== end of faultline report ====\n") == 1 &&
	       strstr(r->err, want);
}

static void one_crash(struct tally *t, unsigned long long n)
{
	const struct crash *c = &crashes[n % CRASH_KINDS];
	int preload = (n >> 8) & 1, json = (n >> 9) & 1;
	struct spawn sp = {.args = {c->scenario, c->arg}};
	const struct run *r;

	if ((c->x86_only && is_aarch64()) || (c->linked_only && preload))
		return;
	sp.kind = preload ? CHILD_PRELOAD : CHILD_LINKED;
	sp.env[0] = json ? "FAULTLINE_FORMAT=json" : "FAULTLINE_FORMAT=text";
	sp.timeout = 20;
	r = spawn(&sp);
	t->runs++;
	if (r->timed_out) {
		t->hangs++;
	} else if (!WIFSIGNALED(r->status) || WTERMSIG(r->status) != c->sig) {
		t->wrong_deaths++;
	} else if (!report_valid(r, json, c->sig)) {
		t->bad_reports++;
	} else {
		return;
	}
	fprintf(stderr, "  %s %s, %s, %s: %s\n", c->scenario,
		c->arg ? c->arg : "", preload ? "preloaded" : "linked",
		json ? "json" : "text",
		r->timed_out			? "hung"
		: !WIFSIGNALED(r->status)	? "did not die by a signal"
		: WTERMSIG(r->status) != c->sig ? "wrong signal"
						: "no valid report");
	fprintf(stderr, "%.3000s\n", r->err);
}

/* Worker w of WORKERS: the crashes i of the sequence with i % WORKERS
 * == w, until count are done between them; its tally into fd. */
#define WORKERS 2

static void worker(int w, unsigned long long count, int fd)
{
	struct tally t = {0, 0, 0, 0};

	for (unsigned long long i = 0; t.runs * WORKERS + w < count; i++) {
		unsigned long long n = next_random();

		if (i % WORKERS == (unsigned long long)w)
			one_crash(&t, n);
	}
	if (write(fd, &t, sizeof(t)) != (ssize_t)sizeof(t))
		_exit(1);
	_exit(0);
}

TEST(torture)
{
	unsigned long long seed =
		env_number("FL_TORTURE_SEED", (unsigned long long)time(NULL));
	unsigned long long count =
		env_number("FL_TORTURE_COUNT", emulator() ? 100 : 1000);
	struct tally t = {0, 0, 0, 0}, part;
	time_t start = time(NULL);
	int p[2];

	printf("  seed %llu (FL_TORTURE_SEED=%llu repeats it), %llu crashes\n",
	       seed, seed, count);
	fflush(stdout);
	fflush(stderr);
	state = seed ? seed : 1;
	if (pipe(p) != 0)
		return 99;
	/* Two at a time: the crashes are mostly process start-up. */
	for (int w = 0; w < WORKERS; w++)
		if (fork() == 0)
			worker(w, count, p[1]);
	close(p[1]);
	for (int w = 0; w < WORKERS; w++) {
		int status;

		if (read(p[0], &part, sizeof(part)) == (ssize_t)sizeof(part)) {
			t.runs += part.runs;
			t.wrong_deaths += part.wrong_deaths;
			t.bad_reports += part.bad_reports;
			t.hangs += part.hangs;
		}
		wait(&status);
	}
	close(p[0]);
	printf("  %u crashes in %ld s: %u wrong deaths, %u missing or "
	       "invalid reports, %u hangs\n",
	       t.runs, (long)(time(NULL) - start), t.wrong_deaths,
	       t.bad_reports, t.hangs);
	CHECK(t.runs >= count, "only %u of %llu crashes ran", t.runs, count);
	CHECK(t.wrong_deaths == 0 && t.bad_reports == 0 && t.hangs == 0,
	      "seed %llu: %u wrong deaths, %u bad reports, %u hangs", seed,
	      t.wrong_deaths, t.bad_reports, t.hangs);
	return 0;
}
