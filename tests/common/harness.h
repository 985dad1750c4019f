/*
 * harness.h - the crash tests' harness: run crashme (scenarios.h) as a
 * child, look at how it died and what it reported.  The same on POSIX
 * (spawn-posix.c: fork and exec, the wait status) and on Windows
 * (spawn-windows.c: CreateProcess, the full 32-bit exit code).
 *
 * A crash test is one call that runs a scenario and checks its death and
 * its report, followed by the checks of what this test is about:
 *
 *   TEST(segv_null_read)
 *   {
 *           const struct run *r = crash_test(CHILD_LINKED, "null-read",
 *                   SIGSEGV, "SIGSEGV (11), code SEGV_MAPERR (1)",
 *                   "null pointer dereference");
 *           check_has("report", r->err, "\naddress: 0x0000000000000000 (");
 *           return 0;
 *   }
 */
#ifndef FL_TEST_HARNESS_H
#define FL_TEST_HARNESS_H

#include <stddef.h>

#include "json.h" /* the tool's strict reader */

/* POSIX: crashme (linked, the C API), crashme-plain (preload mode: the
 * harness sets LD_PRELOAD), crashme-malloc (preload, a malloc of its
 * own).  Windows: crashme.exe (linked, msvcrt.dll), crashme-ucrt.exe (the
 * same, on the UCRT), crashme-cxx.exe (with the C++ scenarios, g++). */
enum child_kind {
	CHILD_LINKED,
	CHILD_PRELOAD,
	CHILD_MALLOC,
	CHILD_UCRT, /* Windows only */
	CHILD_CXX,  /* Windows only */
};

struct spawn {
	enum child_kind kind;
	const char *path;    /* instead of child_path(kind) */
	const char *args[8]; /* scenario and its arguments */
	const char *env[8];  /* extra "NAME=value" for the child */
	/* POSIX only: */
	int pass_fd;   /* this harness fd becomes the child's fd_target, */
	int fd_target; /* when fd_target > 2 */
	int kill_when_ready; /* send this signal after "ready" on stdout */
	int cores;	     /* child allows core dumps (FL_TEST_CORE=1) */
	double timeout;	     /* seconds; 0: the default */
};

struct run {
	long pid;
	int status;		 /* POSIX: the wait status, -1 if none */
	unsigned long exit_code; /* Windows: the process's exit code */
	int timed_out;
	double seconds;
	char *out; /* child's stdout, NUL-terminated */
	size_t out_len;
	char *err; /* child's stderr, NUL-terminated */
	size_t err_len;
};

/* --- running a child ------------------------------------------------- */

/* The crash test: run scenario in a child of kind and check that it died
 * by death (POSIX: the signal; Windows: the exit code) after exactly one
 * complete text report, whose signal line reads "signal: SIGNAL" and
 * cause line "cause: CAUSE" (NULL: not checked; ending in "...": the
 * line starts so).  The run is the harness's until the next one. */
const struct run *crash_test(enum child_kind kind, const char *scenario,
			     unsigned long death, const char *signal,
			     const char *cause);
/* The same for a child started as sp says (environment, arguments). */
const struct run *crash_spawn(const struct spawn *sp, unsigned long death,
			      const char *signal, const char *cause);
/* The same with FAULTLINE_FORMAT=json: exactly one JSON report, parsed
 * strictly into *report (NULL and a failed check when it does not
 * parse; json_free it). */
const struct run *crash_test_json(enum child_kind kind, const char *scenario,
				  unsigned long death,
				  struct json_value **report);
const struct run *crash_spawn_json(const struct spawn *sp, unsigned long death,
				   struct json_value **report);
/* Any other run of a child. */
const struct run *run_scenario(enum child_kind kind, const char *scenario,
			       const char *arg);
const struct run *spawn(const struct spawn *sp);

/* --- checks: each failed check prints why and marks the test failed - */
extern int test_failed;
extern long checks_made;
#ifdef _WIN32
#define HARNESS_PRINTF gnu_printf /* mingw: __USE_MINGW_ANSI_STDIO */
#else
#define HARNESS_PRINTF printf
#endif
void check_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(HARNESS_PRINTF, 3, 4)));
#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		checks_made++;                                                 \
		if (!(cond))                                                   \
			check_fail(__FILE__, __LINE__, __VA_ARGS__);           \
	} while (0)

/* Died the way death says (POSIX: by that signal; Windows: with that
 * exit code), within the time limit. */
void check_died(const struct run *r, unsigned long death);
/* Ended between least and most seconds after it started (most is
 * stretched under an emulator). */
void check_seconds(const struct run *r, double least, double most);
/* Exited normally with code. */
void check_exited(const struct run *r, int code);
/* text contains needle / does not. */
void check_has(const char *what, const char *text, const char *needle);
void check_lacks(const char *what, const char *text, const char *needle);
/* Exactly one complete text report in text. */
void check_one_report(const char *text);

/* --- report parsing -------------------------------------------------- */
size_t count_of(const char *text, const char *needle);
/* The rest of the first line starting with prefix (a static copy), or
 * NULL. */
const char *line_after(const char *text, const char *prefix);
/* Number of lines of text. */
size_t line_count(const char *text);

struct frame {
	unsigned long long pc;
	char symbol[256];  /* "" for ?? */
	char module[1024]; /* "" for ?? */
};
/* Parse the backtrace of a text report; returns the number of frame
 * lines (up to max) and sets *omitted / *announced (the N in
 * "backtrace (N frames)"). */
size_t parse_frames(const char *text, struct frame *frames, size_t max,
		    unsigned long long *omitted, unsigned long long *announced);
/* Register value from the text report ("rip", "pc"); 1 if found. */
int report_register(const char *text, const char *name,
		    unsigned long long *value);
/* The JSON report in text (the line starting with '{'), parsed; NULL with
 * a failed check when missing or invalid. */
struct json_value *parse_json_report(const char *text);

/* --- environment ----------------------------------------------------- */
const char *child_path(enum child_kind kind);
const char *emulator(void); /* NULL when native */
int is_aarch64(void);
double now(void); /* seconds, monotonic */
/* POSIX: the build directory (FL_BUILDDIR), and the GNU build-id of an
 * ELF file as lower-case hex into out; 1 if found. */
const char *builddir(void);
int elf_build_id(const char *path, char *out, size_t cap);

/* --- tests -------------------------------------------------------------
 * A test program is a file of tests, each written
 *
 *   TEST(name)
 *   {
 *           ...
 *           return 0;    (the CHECKs decide; SKIP when it cannot run here)
 *   }
 *
 * The harness's main() (harness-main.c) runs them in the file's order, or
 * those whose name holds argv[1]; prints PASS/FAIL/SKIP lines and a
 * summary; exits 0, 1 (a test failed) or 77 (all skipped). */
#define SKIP 77
#define TEST(name)                                                             \
	static int name(void);                                                 \
	__attribute__((constructor)) static void name##_register(void)         \
	{                                                                      \
		register_test(#name, name, __LINE__);                          \
	}                                                                      \
	static int name(void)
void register_test(const char *name, int (*fn)(void), int line);
int run_tests(int argc, char **argv);

/* What spawn-posix.c and spawn-windows.c provide to harness.c. */
int spawn_child(const struct spawn *sp, struct run *r);
int harness_setup(void); /* 0, or the exit status to give up with */
int died_by(const struct run *r, unsigned long death);
int exited_with(const struct run *r, int code);
const char *death_text(unsigned long death); /* "death by signal 11 ..." */
const char *end_text(const struct run *r);   /* how r ended */

#endif
