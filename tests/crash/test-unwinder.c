/*
 * test-unwinder.c - faultline's libunwind in the process (issue 12,
 * section 1): loading faultline adds no file descriptor, and a program
 * that uses its own (the system's) libunwind beside faultline is not
 * affected.
 *
 * FL_UNWIND (set by make check) says which libunwind the build has:
 * "private" (built in: remote-only, so it never opens the pipe that a
 * shared libunwind's initialisation keeps open) or "system".
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int private_unwinder(void)
{
	const char *u = getenv("FL_UNWIND");
	return u && strcmp(u, "private") == 0;
}

/* The "fds WHEN: N list" line of the child's stdout (a static copy). */
static const char *fds(const char *text, const char *when)
{
	char prefix[64];
	const char *line;

	snprintf(prefix, sizeof(prefix), "fds %s: ", when);
	line = line_after(text, prefix);
	CHECK(line != NULL, "no '%s' line in:\n%s", prefix, text);
	return line ? line : "";
}

/* The same program, without and with LD_PRELOAD=libfaultline.so. */
TEST(preload_adds_no_fd)
{
	/* crashme-plain, run as the linked child is: no preload. */
	struct spawn sp = {.kind = CHILD_LINKED,
			   .path = child_path(CHILD_PRELOAD),
			   .args = {"fds"}};
	const struct run *r = spawn(&sp);
	char without[1024];

	check_exited(r, 0);
	snprintf(without, sizeof(without), "%s", fds(r->out, "at main"));
	r = run_scenario(CHILD_PRELOAD, "fds", NULL);
	check_exited(r, 0);
	CHECK(strcmp(without, fds(r->out, "at main")) == 0,
	      "descriptors without faultline: %s; preloaded: %s", without,
	      fds(r->out, "at main"));
	return 0;
}

/* faultline_install, then a recovered fault (the first unwind). */
TEST(install_and_recovery_add_no_fd)
{
	const struct run *r = run_scenario(CHILD_LINKED, "fds-recover", NULL);
	char before[1024];

	check_exited(r, 0);
	snprintf(before, sizeof(before), "%s", fds(r->out, "before"));
	CHECK(strcmp(before, fds(r->out, "installed")) == 0,
	      "before install: %s; after: %s", before,
	      fds(r->out, "installed"));
	if (!private_unwinder()) {
		/* The system's libunwind opens its pipe in the first unwind
		 * (README, Building): not checked on that route. */
		printf("system libunwind: after a recovery %s (before %s)\n",
		       fds(r->out, "recovered"), before);
		return 0;
	}
	/* Everywhere, qemu-user included: faultline's memory probes need
	 * no descriptor (lib/posix/memory.c). */
	CHECK(strcmp(before, fds(r->out, "recovered")) == 0,
	      "before: %s; after a recovered fault: %s", before,
	      fds(r->out, "recovered"));
	return 0;
}

/* The built-in unwinder is set up in the crash; its memory comes from
 * .bss (libunwind/patches/0004), not mmap: with every mmap refused
 * (a seccomp filter, as under an exhausted address space or a strict
 * sandbox), the crash still gets its whole backtrace. */
TEST(crash_unwinds_without_mmap)
{
	static struct frame frames[64];
	unsigned long long omitted, announced;
	struct spawn sp = {.kind = CHILD_PRELOAD,
			   .args = {"seccomp-errno", "no-mmap"}};
	const struct run *r;
	size_t n;

	if (!private_unwinder()) {
		printf("system libunwind: its memory is malloc's: skipped\n");
		return SKIP;
	}
	if (emulator()) {
		printf("  qemu-user: no seccomp filters: skipped\n");
		return SKIP;
	}
	r = spawn(&sp);
	check_died(r, SIGSEGV);
	n = parse_frames(r->err, frames, 64, &omitted, &announced);
	CHECK(n >= 3 && strcmp(frames[0].symbol, "crash_null_read") == 0 &&
		      strcmp(frames[1].symbol, "seccomp_errno") == 0,
	      "the backtrace is cut without mmap (%zu frames):\n%s", n, r->err);
	CHECK(n >= 3 && strcmp(frames[n - 1].symbol, "_start") == 0,
	      "the backtrace does not reach _start:\n%s", r->err);
	return 0;
}

/* crashme-sysunwind[-linked] (sysunwind.c) unwinds itself with the
 * system's libunwind, then reads through null. */
static int own_libunwind(enum child_kind kind, const char *program)
{
	char path[4096];
	struct spawn sp = {.kind = kind, .path = path};
	static struct frame frames[64];
	unsigned long long omitted, announced;
	const struct run *r;
	size_t n, i;
	int crash = 0, main_seen = 0;

	snprintf(path, sizeof(path), "%s/tests/crash/%s", builddir(), program);
	if (access(path, X_OK) != 0) {
		printf("%s not built (no system libunwind-dev): skipped\n",
		       program);
		return SKIP;
	}
	r = crash_spawn(&sp, SIGSEGV, NULL, NULL);
	check_has("stdout", r->out, "main found\n");
	check_has("stdout", r->out, "generic: ");
	/* The program's calls reach the system's libunwind-ARCH. */
	check_lacks("stdout", r->out, "libfaultline");
	check_has("stdout", r->out, "libunwind-");
	n = parse_frames(r->err, frames, 64, &omitted, &announced);
	for (i = 0; i < n; i++) {
		crash |= strcmp(frames[i].symbol, "sysunwind_crash") == 0;
		main_seen |= strcmp(frames[i].symbol, "main") == 0;
	}
	CHECK(crash && main_seen,
	      "backtrace lacks sysunwind_crash or main:\n%s", r->err);
	return 0;
}

TEST(own_libunwind_preloaded)
{
	return own_libunwind(CHILD_PRELOAD, "crashme-sysunwind");
}

TEST(own_libunwind_linked)
{
	return own_libunwind(CHILD_LINKED, "crashme-sysunwind-linked");
}
