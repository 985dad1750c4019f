/*
 * test-report.c - what the text report says for each kind of crash
 * (issue 2, section 4): signal and code names, fault address and access
 * kind, cause line, sender of a sent signal, process and thread, and
 * registers.  Linked mode (C API, faultline_install(NULL)) unless said.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct run r;

static void crash(enum child_kind kind, const char *scenario)
{
	run_scenario(&r, kind, scenario, NULL);
}

/* The address the child printed before crashing ("address 0x..."). */
static unsigned long long child_address(void)
{
	const char *a = line_after(r.out, "address ");
	return a ? strtoull(a, NULL, 16) : ~0ull;
}

static unsigned long long report_address(void)
{
	const char *a = line_after(r.err, "address: ");
	CHECK(a, "no address line");
	return a ? strtoull(a, NULL, 16) : ~1ull;
}

/* The access kind in the address line.  On aarch64 it comes from the
 * ESR, which qemu-user does not pass: there only "execute" (fault at the
 * pc) can be known, and read/write show as unknown. */
static void check_access(const char *kind)
{
	char want[64];

	snprintf(want, sizeof(want), " (%s)\n", kind);
	if (emulator() && is_aarch64() && strcmp(kind, "execute") != 0 &&
	    !strstr(r.err, want)) {
		fprintf(stderr,
			"  qemu-user: no ESR, access kind not checked\n");
		check_has("report", r.err, " (unknown access)\n");
		return;
	}
	check_has("report", r.err, want);
}

static int null_read(void)
{
	crash(CHILD_LINKED, "null-read");
	check_signaled(&r, SIGSEGV);
	check_one_report(r.err);
	check_has("report", r.err,
		  "\nsignal: SIGSEGV (11), code SEGV_MAPERR (1)\n");
	check_has("report", r.err, "\naddress: 0x0000000000000000 (");
	check_access("read");
	check_has("report", r.err, "\ncause: null pointer dereference\n");
	return 0;
}

static int null_read_preload(void)
{
	crash(CHILD_PRELOAD, "null-read");
	check_signaled(&r, SIGSEGV);
	check_one_report(r.err);
	check_has("report", r.err, "code SEGV_MAPERR (1)\n");
	check_has("report", r.err, "\ncause: null pointer dereference\n");
	return 0;
}

static int write_readonly(void)
{
	unsigned long long a;

	crash(CHILD_LINKED, "write-ro");
	check_signaled(&r, SIGSEGV);
	check_has("report", r.err, "code SEGV_ACCERR (2)\n");
	a = report_address();
	CHECK(a == child_address() + 16, "address 0x%llx, expected 0x%llx", a,
	      child_address() + 16);
	check_access("write");
	if (emulator() && is_aarch64() && strstr(r.err, "(unknown access)"))
		check_has("report", r.err,
			  "\ncause: access to protected memory\n");
	else
		check_has("report", r.err,
			  "\ncause: write to read-only memory\n");
	return 0;
}

static int exec_nonexec(void)
{
	unsigned long long a;

	crash(CHILD_LINKED, "exec-nx");
	check_signaled(&r, SIGSEGV);
	check_has("report", r.err, "code SEGV_ACCERR (2)\n");
	a = report_address();
	CHECK(a == child_address(), "address 0x%llx, expected 0x%llx", a,
	      child_address());
	check_access("execute");
	check_has("report", r.err,
		  "\ncause: execution of non-executable memory\n");
	return 0;
}

static int bus_adrerr(void)
{
	unsigned long long a;

	crash(CHILD_LINKED, "bus");
	check_signaled(&r, SIGBUS);
	check_one_report(r.err);
	check_has("report", r.err,
		  "\nsignal: SIGBUS (7), code BUS_ADRERR (2)\n");
	a = report_address();
	CHECK(a == child_address(), "address 0x%llx, expected 0x%llx", a,
	      child_address());
	check_has("report", r.err,
		  "\ncause: access to a nonexistent part of a mapped file\n");
	return 0;
}

static int illegal_instruction(void)
{
	crash(CHILD_LINKED, "ill");
	check_signaled(&r, SIGILL);
	check_one_report(r.err);
	if (is_aarch64())
		/* udf: ILL_ILLOPC from Linux, ILL_ILLOPN from qemu-user */
		CHECK(strstr(r.err,
			     "\nsignal: SIGILL (4), code ILL_ILLOPC (1)\n") ||
			      strstr(r.err, "\nsignal: SIGILL (4), code "
					    "ILL_ILLOPN (2)\n"),
		      "no SIGILL ILL_ILLOPC/ILL_ILLOPN signal line");
	else
		check_has("report", r.err,
			  "\nsignal: SIGILL (4), code ILL_ILLOPN (2)\n");
	check_has("report", r.err, "\ncause: illegal instruction\n");
	return 0;
}

static int divide_by_zero(void)
{
	if (is_aarch64()) {
		fprintf(stderr, "  aarch64 has no integer divide trap\n");
		return SKIP;
	}
	crash(CHILD_LINKED, "fpe");
	check_signaled(&r, SIGFPE);
	check_one_report(r.err);
	check_has("report", r.err,
		  "\nsignal: SIGFPE (8), code FPE_INTDIV (1)\n");
	check_has("report", r.err, "\ncause: integer divide by zero\n");
	return 0;
}

static int aborted(void)
{
	char want[128];

	crash(CHILD_LINKED, "abort");
	check_signaled(&r, SIGABRT);
	check_one_report(r.err);
	snprintf(want, sizeof(want),
		 "\nsignal: SIGABRT (6), code SI_TKILL (-6), sent by pid %ld "
		 "uid %ld\n",
		 (long)r.pid, (long)getuid());
	check_has("report", r.err, want);
	check_has("report", r.err, "\ncause: abort() called\n");
	check_lacks("report", r.err, "\naddress: ");
	return 0;
}

static int trap(void)
{
	crash(CHILD_LINKED, "trap");
	check_signaled(&r, SIGTRAP);
	check_one_report(r.err);
	check_has("report", r.err, "\nsignal: SIGTRAP (5), code ");
	check_has("report", r.err, "\ncause: breakpoint or trap instruction\n");
	return 0;
}

static int bad_syscall(void)
{
	crash(CHILD_LINKED, "sys");
	check_signaled(&r, SIGSYS);
	check_one_report(r.err);
	check_lacks("stdout", r.out, "survived");
	if (strstr(r.out, "seccomp")) {
		check_has("report", r.err,
			  "\nsignal: SIGSYS (31), code SYS_SECCOMP (1)\n");
		check_has("report", r.err,
			  "\ncause: system call blocked by seccomp\n");
	} else {
		CHECK(emulator() != NULL, "seccomp unavailable natively: %s",
		      r.out);
		check_has("report", r.err,
			  "\nsignal: SIGSYS (31), code SI_TKILL (-6)");
	}
	return 0;
}

static int killed_by_other_process(void)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"wait-kill"},
			   .pass_fd = -1,
			   .kill_when_ready = SIGSEGV};
	char want[160];

	spawn_into(&sp, &r);
	check_signaled(&r, SIGSEGV);
	check_one_report(r.err);
	snprintf(want, sizeof(want),
		 "\nsignal: SIGSEGV (11), code SI_USER (0), sent by pid %ld "
		 "uid %ld\n",
		 (long)getpid(), (long)getuid());
	check_has("report", r.err, want);
	snprintf(want, sizeof(want), "\ncause: signal sent by pid %ld\n",
		 (long)getpid());
	check_has("report", r.err, want);
	check_lacks("report", r.err, "\naddress: ");
	return 0;
}

static int sigqueue_self(void)
{
	char want[160];

	crash(CHILD_LINKED, "sigqueue");
	check_signaled(&r, SIGSEGV);
	check_one_report(r.err);
	snprintf(want, sizeof(want),
		 "\nsignal: SIGSEGV (11), code SI_QUEUE (-1), sent by pid %ld "
		 "uid %ld\n",
		 (long)r.pid, (long)getuid());
	check_has("report", r.err, want);
	snprintf(want, sizeof(want),
		 "\ncause: signal sent by pid %ld (this process)\n",
		 (long)r.pid);
	check_has("report", r.err, want);
	return 0;
}

static int raised(void)
{
	crash(CHILD_LINKED, "raise");
	check_signaled(&r, SIGSEGV);
	check_one_report(r.err);
	check_has("report", r.err, "code SI_TKILL (-6), sent by pid ");
	return 0;
}

static int process_and_thread(void)
{
	char want[4200];
	const char *tid;

	crash(CHILD_LINKED, "thread-null");
	check_signaled(&r, SIGSEGV);
	check_one_report(r.err);
	tid = line_after(r.out, "tid ");
	CHECK(tid, "child did not print its tid");
	snprintf(want, sizeof(want), "\nprocess: pid %ld, executable %s\n",
		 (long)r.pid, child_path(CHILD_LINKED));
	check_has("report", r.err, want);
	CHECK(tid && atol(tid) != r.pid, "crash was not on a worker thread");
	snprintf(want, sizeof(want),
		 "\nthread: tid %ld \"fl-worker\" (crashed)\n",
		 tid ? atol(tid) : -1L);
	check_has("report", r.err, want);
	return 0;
}

static int registers(void)
{
	static const char *const x86[] = {"rax", "rbx",	   "rcx", "rdx", "rsi",
					  "rdi", "rbp",	   "rsp", "r8",	 "r15",
					  "rip", "eflags", NULL};
	static const char *const arm[] = {"x0", "x1", "x15",	"x29", "x30",
					  "sp", "pc", "pstate", NULL};
	const char *const *names = is_aarch64() ? arm : x86;
	unsigned long long v, pc;
	struct frame f[4];
	unsigned long long om, an;

	crash(CHILD_LINKED, "null-read");
	check_signaled(&r, SIGSEGV);
	check_has("report", r.err, "\nregisters:\n");
	for (int i = 0; names[i]; i++)
		CHECK(report_register(r.err, names[i], &v),
		      "register %s missing", names[i]);
	/* The pc register is frame 0, the faulting instruction. */
	CHECK(report_register(r.err, is_aarch64() ? "pc" : "rip", &pc),
	      "no pc");
	CHECK(parse_frames(r.err, f, 4, &om, &an) >= 1 && f[0].pc == pc,
	      "frame 0 is not the pc register");
	return 0;
}

static const struct test tests[] = {
	{"segv-null-read", null_read},
	{"segv-null-read-preload", null_read_preload},
	{"segv-write-readonly", write_readonly},
	{"segv-exec-nonexec", exec_nonexec},
	{"bus-adrerr", bus_adrerr},
	{"ill-illegal-instruction", illegal_instruction},
	{"fpe-intdiv", divide_by_zero},
	{"abrt-abort", aborted},
	{"trap", trap},
	{"sys-bad-syscall", bad_syscall},
	{"kill-from-other-process", killed_by_other_process},
	{"sigqueue-si-queue", sigqueue_self},
	{"raise-si-tkill", raised},
	{"pid-tid-thread-name-executable", process_and_thread},
	{"registers", registers},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return run_tests(argc, argv, tests);
}
