/*
 * test-report.c - what the text report says for each kind of crash
 * (issue 2, section 4): signal and code names, fault address and access
 * kind, cause line, sender of a sent signal, process and thread, and
 * registers.  Linked mode (C API, faultline_install(NULL)) unless said.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The AUDIT_ARCH_* of seccomp's si_arch for this machine. */
#if defined(__x86_64__)
#define FL_TEST_AUDIT_ARCH 0xc000003eu
#elif defined(__aarch64__)
#define FL_TEST_AUDIT_ARCH 0xc00000b7u
#else
#define FL_TEST_AUDIT_ARCH 0u
#endif

/* The address the child printed before crashing ("address 0x..."). */
static unsigned long long child_address(const struct run *r)
{
	const char *a = line_after(r->out, "address ");
	return a ? strtoull(a, NULL, 16) : ~0ull;
}

static unsigned long long report_address(const struct run *r)
{
	const char *a = line_after(r->err, "address: ");
	CHECK(a, "no address line");
	return a ? strtoull(a, NULL, 16) : ~1ull;
}

/* The access kind in the address line.  On aarch64 it comes from the
 * ESR, which qemu-user does not pass: there only "execute" (fault at the
 * pc) can be known, and read/write show as unknown. */
static void check_access(const struct run *r, const char *kind)
{
	char want[64];

	snprintf(want, sizeof(want), " (%s)\n", kind);
	if (emulator() && is_aarch64() && strcmp(kind, "execute") != 0 &&
	    !strstr(r->err, want)) {
		fprintf(stderr,
			"  qemu-user: no ESR, access kind not checked\n");
		check_has("report", r->err, " (unknown access)\n");
		return;
	}
	check_has("report", r->err, want);
}

TEST(segv_null_read)
{
	const struct run *r = crash_test(CHILD_LINKED, "null-read", SIGSEGV,
					 "SIGSEGV (11), code SEGV_MAPERR (1)",
					 "null pointer dereference");

	check_has("report", r->err, "\naddress: 0x0000000000000000 (");
	check_access(r, "read");
	return 0;
}

TEST(segv_null_read_preload)
{
	crash_test(CHILD_PRELOAD, "null-read", SIGSEGV,
		   "SIGSEGV (11), code SEGV_MAPERR (1)",
		   "null pointer dereference");
	return 0;
}

TEST(segv_null_write)
{
	const struct run *r = crash_test(CHILD_LINKED, "null-write", SIGSEGV,
					 "SIGSEGV (11), code SEGV_MAPERR (1)",
					 "null pointer dereference");

	check_has("report", r->err, "\naddress: 0x0000000000000040 (");
	check_access(r, "write");
	return 0;
}

TEST(segv_write_readonly)
{
	const struct run *r =
		crash_test(CHILD_LINKED, "write-readonly", SIGSEGV, NULL, NULL);
	unsigned long long a = report_address(r);

	check_has("report", r->err, "code SEGV_ACCERR (2)\n");
	CHECK(a == child_address(r) + 16, "address 0x%llx, expected 0x%llx", a,
	      child_address(r) + 16);
	check_access(r, "write");
	if (emulator() && is_aarch64() && strstr(r->err, "(unknown access)"))
		check_has("report", r->err,
			  "\ncause: access to protected memory\n");
	else
		check_has("report", r->err,
			  "\ncause: write to read-only memory\n");
	return 0;
}

TEST(segv_exec_nonexec)
{
	const struct run *r =
		crash_test(CHILD_LINKED, "exec-nonexec", SIGSEGV, NULL,
			   "execution of non-executable memory");
	unsigned long long a = report_address(r);

	check_has("report", r->err, "code SEGV_ACCERR (2)\n");
	CHECK(a == child_address(r), "address 0x%llx, expected 0x%llx", a,
	      child_address(r));
	check_access(r, "execute");
	return 0;
}

TEST(bus_adrerr)
{
	const struct run *r =
		crash_test(CHILD_LINKED, "mapped-file-past-end", SIGBUS,
			   "SIGBUS (7), code BUS_ADRERR (2)",
			   "access to a nonexistent part of a mapped file");
	unsigned long long a = report_address(r);

	CHECK(a == child_address(r), "address 0x%llx, expected 0x%llx", a,
	      child_address(r));
	return 0;
}

TEST(ill_illegal_instruction)
{
	const struct run *r = crash_test(
		CHILD_LINKED, "illegal-instruction", SIGILL,
		is_aarch64() ? NULL : "SIGILL (4), code ILL_ILLOPN (2)",
		"illegal instruction");

	if (is_aarch64())
		/* udf: ILL_ILLOPC from Linux, ILL_ILLOPN from qemu-user */
		CHECK(strstr(r->err,
			     "\nsignal: SIGILL (4), code ILL_ILLOPC (1)\n") ||
			      strstr(r->err, "\nsignal: SIGILL (4), code "
					     "ILL_ILLOPN (2)\n"),
		      "no SIGILL ILL_ILLOPC/ILL_ILLOPN signal line");
	return 0;
}

TEST(fpe_intdiv)
{
	if (is_aarch64()) {
		fprintf(stderr, "  aarch64 has no integer divide trap\n");
		return SKIP;
	}
	crash_test(CHILD_LINKED, "divide-by-zero", SIGFPE,
		   "SIGFPE (8), code FPE_INTDIV (1)", "integer divide by zero");
	return 0;
}

TEST(abrt_abort)
{
	const struct run *r = crash_test(CHILD_LINKED, "abort", SIGABRT, NULL,
					 "abort() called");
	char want[128];

	snprintf(want, sizeof(want),
		 "\nsignal: SIGABRT (6), code SI_TKILL (-6), sent by pid %ld "
		 "uid %ld\n",
		 r->pid, (long)getuid());
	check_has("report", r->err, want);
	check_lacks("report", r->err, "\naddress: ");
	return 0;
}

TEST(trap)
{
	crash_test(CHILD_LINKED, "breakpoint", SIGTRAP, "SIGTRAP (5), code ...",
		   "breakpoint or trap instruction");
	return 0;
}

TEST(sys_bad_syscall)
{
	const struct run *r =
		crash_test(CHILD_LINKED, "seccomp-syscall", SIGSYS, NULL, NULL);

	check_lacks("stdout", r->out, "survived");
	if (strstr(r->out, "seccomp")) {
		char want[128];
		const char *addr = strstr(r->err, "\naddress: 0x"),
			   *pc0 = strstr(r->err, "\n  #0   0x");

		snprintf(want, sizeof(want),
			 "\nsignal: SIGSYS (31), code SYS_SECCOMP (1), system "
			 "call %d (arch 0x%08x)\n",
			 (int)SYS_getppid, (unsigned)FL_TEST_AUDIT_ARCH);
		check_has("report", r->err, want);
		check_has("report", r->err,
			  "\ncause: system call blocked by seccomp\n");
		/* si_call_addr: where the system call returns, frame 0 */
		CHECK(addr && pc0 && strtoull(addr + 10, NULL, 16) != 0 &&
			      strtoull(addr + 10, NULL, 16) ==
				      strtoull(pc0 + 7, NULL, 16),
		      "call address is not frame 0's pc:\n%s", r->err);
	} else {
		CHECK(emulator() != NULL, "seccomp unavailable natively: %s",
		      r->out);
		check_has("report", r->err,
			  "\nsignal: SIGSYS (31), code SI_TKILL (-6)");
	}
	return 0;
}

TEST(kill_from_other_process)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"wait-for-kill"},
			   .kill_when_ready = SIGSEGV};
	char signal[160], cause[64];
	const struct run *r;

	snprintf(signal, sizeof(signal),
		 "SIGSEGV (11), code SI_USER (0), sent by pid %ld uid %ld",
		 (long)getpid(), (long)getuid());
	snprintf(cause, sizeof(cause), "signal sent by pid %ld",
		 (long)getpid());
	r = crash_spawn(&sp, SIGSEGV, signal, cause);
	check_lacks("report", r->err, "\naddress: ");
	return 0;
}

TEST(sigqueue_si_queue)
{
	const struct run *r =
		crash_test(CHILD_LINKED, "sigqueue-segv", SIGSEGV, NULL, NULL);
	char want[160];

	snprintf(want, sizeof(want),
		 "\nsignal: SIGSEGV (11), code SI_QUEUE (-1), sent by pid %ld "
		 "uid %ld\n",
		 r->pid, (long)getuid());
	check_has("report", r->err, want);
	snprintf(want, sizeof(want),
		 "\ncause: signal sent by pid %ld (this process)\n", r->pid);
	check_has("report", r->err, want);
	return 0;
}

TEST(raise_si_tkill)
{
	crash_test(CHILD_LINKED, "raise-segv", SIGSEGV,
		   "SIGSEGV (11), code SI_TKILL (-6), sent by pid ...", NULL);
	return 0;
}

TEST(pid_tid_thread_name_executable)
{
	const struct run *r = crash_test(CHILD_LINKED, "worker-null-read",
					 SIGSEGV, NULL, NULL);
	const char *tid = line_after(r->out, "tid ");
	char want[4200];

	CHECK(tid, "child did not print its tid");
	snprintf(want, sizeof(want), "\nprocess: pid %ld, executable %s\n",
		 r->pid, child_path(CHILD_LINKED));
	check_has("report", r->err, want);
	CHECK(tid && atol(tid) != r->pid, "crash was not on a worker thread");
	snprintf(want, sizeof(want),
		 "\nthread: tid %ld \"fl-worker\" (crashed)\n",
		 tid ? atol(tid) : -1L);
	check_has("report", r->err, want);
	return 0;
}

/* The command line (shell-quoted), the UTC time and the uptime. */
TEST(context_lines)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"null-read", "two words", "it's"}};
	time_t before = time(NULL);
	const struct run *r = crash_spawn(&sp, SIGSEGV, NULL, NULL);
	time_t after = time(NULL);
	const char *t = strstr(r->err, "\ntime: ");
	char want[4200], stamp[32];
	int found = 0;

	snprintf(want, sizeof(want),
		 "\ncommand line: %s null-read 'two words' 'it'\\\\''s'\n",
		 child_path(CHILD_LINKED));
	check_has("report", r->err, want);
	CHECK(t, "no time line:\n%s", r->err);
	/* the crash happened between before and after (in whole seconds) */
	for (time_t s = before; t && s <= after && !found; s++) {
		struct tm tm;
		gmtime_r(&s, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S.", &tm);
		found = strncmp(t + 7, stamp, strlen(stamp)) == 0;
	}
	CHECK(found, "time line is not the crash's UTC time:\n%s", r->err);
	CHECK(t && strstr(t, "Z, uptime ") && strstr(t, " s\nthread: "),
	      "time line without uptime:\n%s", r->err);
	if (t && strstr(t, "Z, uptime ")) {
		double up = atof(strstr(t, "Z, uptime ") + 10);
		/* at most the run's own duration */
		CHECK(up >= 0 && up <= r->seconds + 0.5,
		      "uptime %.3f s but the child ran %.3f s", up, r->seconds);
	}
	return 0;
}

TEST(registers)
{
	static const char *const x86[] = {"rax", "rbx",	   "rcx", "rdx", "rsi",
					  "rdi", "rbp",	   "rsp", "r8",	 "r15",
					  "rip", "eflags", NULL};
	static const char *const arm[] = {"x0", "x1", "x15",	"x29", "x30",
					  "sp", "pc", "pstate", NULL};
	const char *const *names = is_aarch64() ? arm : x86;
	const struct run *r =
		crash_test(CHILD_LINKED, "null-read", SIGSEGV, NULL, NULL);
	unsigned long long v, pc, om, an;
	struct frame f[4];

	check_has("report", r->err, "\nregisters:\n");
	for (int i = 0; names[i]; i++)
		CHECK(report_register(r->err, names[i], &v),
		      "register %s missing", names[i]);
	/* The pc register is frame 0, the faulting instruction. */
	CHECK(report_register(r->err, is_aarch64() ? "pc" : "rip", &pc),
	      "no pc");
	CHECK(parse_frames(r->err, f, 4, &om, &an) >= 1 && f[0].pc == pc,
	      "frame 0 is not the pc register");
	return 0;
}
