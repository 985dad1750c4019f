/*
 * test-termination.c - the termination contract (issue 2, section 7):
 * death by the original signal with a core dump where cores are enabled
 * (the faulting instruction on top of the core's stack), re-delivery of
 * sent signals with their original siginfo, chaining to a handler
 * installed before faultline (after the report, with the original
 * siginfo and context), and a signal() save/restore that stripped
 * SA_SIGINFO.
 */
#include "harness.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct run *r;

/* The crash test, with what this file varies: the scenario's argument,
 * core dumps allowed, a signal sent when the child is ready. */
static void crash(enum child_kind kind, const char *scenario, const char *arg,
		  int cores, int kill_sig, int sig)
{
	struct spawn sp = {.kind = kind,
			   .args = {scenario, arg},
			   .cores = cores,
			   .kill_when_ready = kill_sig};

	r = crash_spawn(&sp, sig, NULL, NULL);
}

/* --- cores ------------------------------------------------------------- */

static void remove_cores(void)
{
	DIR *d = opendir(".");
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strncmp(e->d_name, "core", 4) == 0 ||
		    strstr(e->d_name, ".core"))
			unlink(e->d_name);
	if (d)
		closedir(d);
}

/* The core file of pid in the working directory, if the kernel wrote
 * one there ("core", "core.PID", ...). */
static const char *find_core(pid_t pid)
{
	static char name[512];
	DIR *d = opendir(".");
	struct dirent *e;
	char with_pid[64];

	snprintf(with_pid, sizeof(with_pid), "%ld", (long)pid);
	name[0] = '\0';
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, "core") == 0 ||
		    (strncmp(e->d_name, "core", 4) == 0 &&
		     strstr(e->d_name, with_pid)))
			snprintf(name, sizeof(name), "%s", e->d_name);
	}
	if (d)
		closedir(d);
	return name[0] ? name : NULL;
}

/* Whether this machine dumps cores at all: a control run without
 * faultline. */
static int cores_work(void)
{
	static int known = -1;

	if (known >= 0)
		return known;
	if (emulator()) {
		fprintf(stderr, "  cores: qemu-user dumps guest cores itself "
				"and reports no core flag; not checked\n");
		return known = 0;
	}
	remove_cores();
	/* The plain program with FAULTLINE_DISABLE: the bare kernel. */
	{
		struct spawn sp = {.kind = CHILD_PRELOAD,
				   .args = {"null-read"},
				   .env = {"FAULTLINE_DISABLE=1"},
				   .cores = 1};
		r = spawn(&sp);
	}
	known = r->status != -1 && WIFSIGNALED(r->status) &&
		WCOREDUMP(r->status);
	if (!known) {
		FILE *f = fopen("/proc/sys/kernel/core_pattern", "r");
		char pat[256] = "?";
		if (f) {
			if (!fgets(pat, sizeof(pat), f))
				pat[0] = '\0';
			fclose(f);
		}
		fprintf(stderr,
			"  cores: this machine does not dump cores even "
			"without faultline (core_pattern %s); skipping\n",
			pat);
	}
	remove_cores();
	return known;
}

static int gdb_available(void)
{
	return system("gdb --version >/dev/null 2>&1") == 0;
}

TEST(core_dump_hardware_fault)
{
	const char *core;
	unsigned long long rip = 0;
	char cmd[8192], line[1024], *exe;
	FILE *p;
	int top_ok = 0, pc_ok = 0;

	if (!cores_work())
		return SKIP;
	crash(CHILD_LINKED, "null-read", NULL, 1, 0, SIGSEGV);
	CHECK(WCOREDUMP(r->status), "no core dump flag");
	core = find_core(r->pid);
	if (!core || !gdb_available()) {
		fprintf(stderr, "  no core file here or no gdb: top frame not "
				"checked\n");
		remove_cores();
		return 0;
	}
	CHECK(report_register(r->err, is_aarch64() ? "pc" : "rip", &rip),
	      "no pc register in the report");
	exe = (char *)child_path(CHILD_LINKED);
	snprintf(cmd, sizeof(cmd),
		 "gdb -batch -nx -ex 'p/x $pc' -ex 'bt 1' '%s' '%s' 2>&1", exe,
		 core);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		unsigned long long v;
		if (sscanf(line, "$1 = 0x%llx", &v) == 1 && v == rip)
			pc_ok = 1;
		if (strncmp(line, "#0 ", 3) == 0 &&
		    strstr(line, "crash_null_read"))
			top_ok = 1;
	}
	if (p)
		pclose(p);
	CHECK(pc_ok, "the core's pc is not the faulting pc 0x%llx", rip);
	CHECK(top_ok, "the core's top frame is not crash_null_read");
	remove_cores();
	return 0;
}

TEST(core_dump_abort)
{
	if (!cores_work())
		return SKIP;
	crash(CHILD_PRELOAD, "abort", NULL, 1, 0, SIGABRT);
	CHECK(WCOREDUMP(r->status), "no core dump flag after abort()");
	remove_cores();
	return 0;
}

TEST(no_core_when_rlimit_zero)
{
	/* The other side: RLIMIT_CORE 0 must still mean no core. */
	crash(CHILD_LINKED, "null-read", NULL, 0, 0, SIGSEGV);
	CHECK(!WCOREDUMP(r->status), "core dumped with RLIMIT_CORE 0");
	remove_cores();
	return 0;
}

/* --- chaining ---------------------------------------------------------- */

/* The previous handler's line, after the complete report. */
static const char *chained_line(void)
{
	const char *end = strstr(r->err, "==== end of faultline report ====\n");
	const char *ch = strstr(r->err, "chained: ");

	CHECK(ch, "the previous handler did not run");
	CHECK(!ch || (end && end < ch),
	      "the previous handler ran before the report was complete");
	return ch ? line_after(ch, "chained: ") : "";
}

TEST(chain_hardware_fault)
{
	const char *ch;
	unsigned long long rip = 0;
	char want[128];

	crash(CHILD_LINKED, "chain", "null", 0, 0, SIGSEGV);
	ch = chained_line();
	check_has("chained line", ch, "sig=11 code=1 ");
	check_has("chained line", ch, " addr=(nil) ");
	CHECK(report_register(r->err, is_aarch64() ? "pc" : "rip", &rip),
	      "no pc register in the report");
	snprintf(want, sizeof(want), "ctx_pc=0x%llx", rip);
	check_has("chained line (context)", ch, want);
	return 0;
}

TEST(chain_sigqueue_original_siginfo)
{
	char want[128];

	crash(CHILD_LINKED, "chain", "sigqueue", 0, 0, SIGSEGV);
	snprintf(want, sizeof(want), "sig=11 code=-1 pid=%ld value=42 ",
		 r->pid);
	check_has("chained line", chained_line(), want);
	return 0;
}

TEST(chain_raise_original_siginfo)
{
	char want[128];

	crash(CHILD_LINKED, "chain", "raise", 0, 0, SIGSEGV);
	snprintf(want, sizeof(want), "sig=11 code=-6 pid=%ld ", r->pid);
	check_has("chained line", chained_line(), want);
	return 0;
}

TEST(chain_kill_original_siginfo)
{
	char want[128];

	crash(CHILD_LINKED, "chain", "wait", 0, SIGSEGV, SIGSEGV);
	snprintf(want, sizeof(want), "sig=11 code=0 pid=%ld ", (long)getpid());
	check_has("chained line", chained_line(), want);
	return 0;
}

/* --- signal() save/restore --------------------------------------------- */

TEST(signal_save_restore_segv)
{
	crash(CHILD_LINKED, "signal-strip", "segv", 0, 0, SIGSEGV);
	/* the real siginfo, not whatever a stripped frame left there */
	check_has("report", r->err,
		  "\nsignal: SIGSEGV (11), code SEGV_MAPERR (1)\n");
	check_has("report", r->err, "\ncause: null pointer dereference\n");
	return 0;
}

TEST(signal_save_restore_abort)
{
	char want[128];

	crash(CHILD_LINKED, "signal-strip", "abort", 0, 0, SIGABRT);
	check_has("report", r->err, "\ncause: abort() called\n");
	/* the real siginfo, not whatever a stripped frame left there */
	snprintf(want, sizeof(want), "code SI_TKILL (-6), sent by pid %ld ",
		 r->pid);
	check_has("report", r->err, want);
	return 0;
}
