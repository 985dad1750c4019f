/*
 * test-backtrace.c - the crashed thread's backtrace and the module list
 * (issue 2, section 4): frames name the program's functions, start at the
 * faulting instruction, show no handler frames, stay bounded for deep
 * recursion; modules carry their GNU build-ids.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct run *r;
static struct frame frames[200];
static size_t nframes;
static unsigned long long omitted, announced;

/* The crash test, and its frames read from the report. */
static void crash(enum child_kind kind, const char *scenario)
{
	r = crash_test(kind, scenario, SIGSEGV, NULL, NULL);
	nframes = parse_frames(r->err, frames, 200, &omitted, &announced);
}

static int has_frame(const char *symbol)
{
	for (size_t i = 0; i < nframes; i++)
		if (strcmp(frames[i].symbol, symbol) == 0)
			return 1;
	return 0;
}

/* No frame of faultline's own handler, nor the kernel's signal
 * trampoline: the backtrace starts at the fault. */
static void check_no_handler_frames(void)
{
	for (size_t i = 0; i < nframes; i++) {
		CHECK(!strstr(frames[i].module, "libfaultline"),
		      "frame %zu is in libfaultline (%s)", i, frames[i].symbol);
		CHECK(strncmp(frames[i].symbol, "fl_", 3) != 0 &&
			      strcmp(frames[i].symbol, "handle_fatal") != 0 &&
			      strcmp(frames[i].symbol, "__restore_rt") != 0 &&
			      strcmp(frames[i].symbol,
				     "__kernel_rt_sigreturn") != 0,
		      "frame %zu is a handler frame: %s", i, frames[i].symbol);
	}
}

static void check_program_frames(enum child_kind kind)
{
	CHECK(nframes >= 3, "only %zu frames", nframes);
	CHECK(nframes == announced, "%zu frame lines, %llu announced", nframes,
	      announced);
	CHECK(nframes >= 1 && strcmp(frames[0].symbol, "crash_null_read") == 0,
	      "frame 0 is '%s', not crash_null_read",
	      nframes ? frames[0].symbol : "");
	CHECK(nframes >= 1 && strcmp(frames[0].module, child_path(kind)) == 0,
	      "frame 0 module '%s', not %s", nframes ? frames[0].module : "",
	      child_path(kind));
	CHECK(has_frame("main"), "no frame in main");
	check_no_handler_frames();
}

TEST(frames_name_functions_linked)
{
	crash(CHILD_LINKED, "null-read");
	check_program_frames(CHILD_LINKED);
	return 0;
}

TEST(frames_name_functions_preload)
{
	crash(CHILD_PRELOAD, "null-read");
	check_program_frames(CHILD_PRELOAD);
	return 0;
}

/* Another thread recovering faults with faultline_protect keeps the
 * unwinder busy: the crash report still gets the crashed thread's own,
 * complete backtrace (the two take turns). */
TEST(frames_crash_while_recovering)
{
	for (int i = 0; i < 10; i++) {
		crash(CHILD_LINKED, "crash-while-recovering");
		CHECK(has_frame("crash_while_recovering"),
		      "run %d: no frame in crash_while_recovering", i);
		CHECK(!has_frame("fault_in_protect") &&
			      !has_frame("recover_forever"),
		      "run %d: the recovering thread's frames leaked in", i);
		check_program_frames(CHILD_LINKED);
	}
	return 0;
}

TEST(frames_worker_thread)
{
	crash(CHILD_LINKED, "worker-null-read");
	CHECK(nframes >= 2 && strcmp(frames[0].symbol, "crash_null_read") == 0,
	      "frame 0 is not crash_null_read");
	CHECK(has_frame("named_thread"), "no frame in named_thread");
	CHECK(!has_frame("main"), "a worker's backtrace shows main");
	check_no_handler_frames();
	return 0;
}

TEST(deep_recursion_bounded)
{
	char gap[128], last[64];
	double limit = emulator() ? 120 : 20;
	int cut;

	crash(CHILD_LINKED, "deep-recursion");
	CHECK(r->seconds < limit, "took %.1f s (limit %.0f s)", r->seconds,
	      limit);
	/* The unwinder allows itself about 2 s: under qemu-user, or on a
	 * loaded machine, that cuts a 100,000-frame walk short (the tail
	 * then is not the thread's start).  A cut is only excused when the
	 * child took that long; a quick run must have seen every frame. */
	cut = announced < 100000 && r->seconds >= 1.9;
	if (cut)
		fprintf(stderr, "  walk cut at %llu frames after %.1f s\n",
			announced, r->seconds);
	CHECK(announced > 100000 || (cut && announced >= 1000),
	      "backtrace announces %llu frames", announced);
	CHECK(nframes == 120, "%zu frame lines, expected 100 + 20", nframes);
	CHECK(omitted == announced - 120, "%llu omitted of %llu", omitted,
	      announced);
	snprintf(gap, sizeof(gap), "\n  #99 ");
	check_has("report", r->err, gap);
	snprintf(gap, sizeof(gap), "\n  ... %llu frames omitted ...\n  #%llu ",
		 omitted, omitted + 100);
	check_has("report", r->err, gap);
	snprintf(last, sizeof(last), "\n  #%llu ", announced - 1);
	check_has("report", r->err, last);
	CHECK(nframes > 99 &&
		      strcmp(frames[0].symbol, "crash_null_read") == 0 &&
		      strcmp(frames[1].symbol, "deep_recursion") == 0 &&
		      strcmp(frames[99].symbol, "deep_recursion") == 0,
	      "head frames are not crash_null_read, deep_recursion...");
	CHECK(cut || (nframes == 120 && has_frame("deep_thread")),
	      "the tail does not reach deep_thread");
	return 0;
}

/* "  0xBASE PATH[ bias 0x..][ build-id HEX]" for path; the build-id or
 * "" (static). */
static const char *module_build_id(const char *text, const char *path)
{
	static char id[128];
	const char *m = text ? strstr(text, "\nmodules:\n") : NULL;

	id[0] = '\0';
	while (m && (m = strchr(m + 1, '\n')) && m[1] == ' ') {
		const char *line = m + 1, *nl = strchr(line, '\n');
		const char *p = strstr(line, path);
		if (p && (!nl || p < nl) && p[-1] == ' ' &&
		    (p[strlen(path)] == '\n' || p[strlen(path)] == ' ')) {
			const char *b = strstr(line, " build-id ");
			if (b && (!nl || b < nl))
				sscanf(b + 10, "%127[0-9a-f]", id);
			else
				snprintf(id, sizeof(id), "(none)");
			return id;
		}
	}
	return NULL;
}

TEST(modules_build_ids)
{
	char want[128];
	const char *got, *libc;

	crash(CHILD_PRELOAD, "null-read");
	check_has("report", r->err, "\nmodules:\n");
	CHECK(elf_build_id(child_path(CHILD_PRELOAD), want, sizeof(want)),
	      "crashme-plain has no build-id note to compare with");
	got = module_build_id(r->err, child_path(CHILD_PRELOAD));
	CHECK(got, "the executable is not in the module list");
	CHECK(got && strcmp(got, want) == 0,
	      "executable build-id '%s', file says '%s'", got ? got : "", want);
	libc = strstr(r->err, "/libc.so.6");
	CHECK(libc, "libc.so.6 is not in the module list");
	CHECK(strstr(r->err, "/libfaultline.so"),
	      "libfaultline.so is not in the module list");
	return 0;
}

/* The debug file of the report's libc (libc6-dbg), or NULL when it is
 * not installed (then the names cannot be had). */
static const char *libc_debug_file(const char *report)
{
	static char path[256];
	const char *libc = report ? strstr(report, "/libc.so.6 ") : NULL;
	const char *line = libc;
	const char *id;

	while (line && line > report && line[-1] != '\n')
		line--;
	if (!libc || !line || !(id = strstr(libc, " build-id ")) ||
	    strchr(line, '\n') < id)
		return NULL;
	id += 10;
	snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%.2s/%.*s.debug",
		 id, (int)strspn(id + 2, "0123456789abcdef"), id + 2);
	return access(path, R_OK) == 0 ? path : NULL;
}

/* libc's own functions have no dynamic symbol: with libc6-dbg installed
 * they are named from its debug file (by build-id), not "??". */
TEST(libc_local_functions_named)
{
	const struct run *a;

	a = crash_test(CHILD_LINKED, "abort", SIGABRT, NULL, NULL);
	if (!libc_debug_file(a->err)) {
		printf("# no debug file for libc (libc6-dbg): skipped\n");
		return SKIP;
	}
	nframes = parse_frames(a->err, frames, 200, &omitted, &announced);
	CHECK(has_frame("__pthread_kill_implementation"),
	      "no __pthread_kill_implementation frame:\n%s", a->err);
	CHECK(has_frame("__libc_start_call_main"),
	      "no __libc_start_call_main frame:\n%s", a->err);
	a = crash_test(CHILD_LINKED, "assert-fail", SIGABRT, NULL, NULL);
	nframes = parse_frames(a->err, frames, 200, &omitted, &announced);
	/* gcc may have split it: __assert_fail_base.cold */
	CHECK(has_frame("__assert_fail_base") ||
		      has_frame("__assert_fail_base.cold"),
	      "no __assert_fail_base frame:\n%s", a->err);
	a = crash_test(CHILD_LINKED, "strlen-null", SIGSEGV, NULL, NULL);
	nframes = parse_frames(a->err, frames, 200, &omitted, &announced);
	CHECK(nframes && strncmp(frames[0].symbol, "__strlen_", 9) == 0,
	      "frame 0 is '%s', not libc's __strlen_* variant",
	      nframes ? frames[0].symbol : "");
	return 0;
}
