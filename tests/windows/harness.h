/*
 * harness.h - a tiny exit-code/TAP harness for the Windows crash tests.
 *
 * Each test program runs crashme.exe in some mode as a child process
 * (CreateProcess), with stdout and stderr going to a file, waits for it
 * with a timeout, and checks the full 32-bit exit code
 * (GetExitCodeProcess: 0xC0000005 survives, unlike a shell's $?) and the
 * report text.  Results are TAP lines; the program exits 0 when every
 * check passed, 1 otherwise (automake's exit-code protocol).
 */
#ifndef FL_TEST_HARNESS_H
#define FL_TEST_HARNESS_H

#include <stddef.h>

struct fl_run {
	unsigned long exit_code;
	int timed_out;
	unsigned long elapsed_ms; /* start to exit */
	char output[256 * 1024];
	size_t len;
};

/* Run crashme.exe with the arguments; give up (and kill it) after
 * timeout_ms. */
void fl_t_run(struct fl_run *r, const char *args, unsigned timeout_ms);

/* The common shape of a crash test: run crashme MODE, then expect the
 * exit code, the report's signal line (after "signal: ") and its cause
 * (after "cause: "), and exactly one report. */
void fl_t_crash(struct fl_run *r, const char *mode, unsigned long code,
		const char *signal_line, const char *cause);

void fl_t_exit_code(const struct fl_run *r, unsigned long expected);
void fl_t_contains(const struct fl_run *r, const char *text);
void fl_t_lacks(const struct fl_run *r, const char *text);
/* Occurrences of text in the output. */
size_t fl_t_count(const struct fl_run *r, const char *text);
void fl_t_ok(int ok, const char *what);
/* The report lines, in order, containing each of the strings. */
void fl_t_in_order(const struct fl_run *r, const char *const *texts, size_t n);
/* Print the plan and return the exit status for main. */
int fl_t_done(void);

#endif
