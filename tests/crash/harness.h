/*
 * harness.h - run a crashing child and look at how it died and what it
 * reported.
 *
 * Children are tests/crash/crashme (linked with libfaultline, using the C
 * API), crashme-plain (no faultline: preload mode) and crashme-malloc
 * (its own malloc, preload mode).  They run under $FL_TEST_EMULATOR when
 * that is set (qemu-user for an aarch64 build), in a private temporary
 * directory that is the harness's working directory.
 */
#ifndef FL_TEST_HARNESS_H
#define FL_TEST_HARNESS_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "json.h"

enum child_kind { CHILD_LINKED, CHILD_PRELOAD, CHILD_MALLOC };

struct spawn {
	enum child_kind kind;
	const char *path;    /* instead of child_path(kind) */
	const char *args[8]; /* scenario and its arguments */
	const char *env[8];  /* extra "NAME=value" for the child */
	int pass_fd;	     /* >= 0: this harness fd becomes fd_target */
	int fd_target;
	int kill_when_ready; /* send this signal after "ready" on stdout */
	int cores;	     /* child allows core dumps (FL_TEST_CORE=1) */
	double timeout;	     /* seconds; 0: default */
};

struct run {
	pid_t pid;
	int status;
	int timed_out;
	double seconds;
	char *out; /* child's stdout, NUL-terminated */
	size_t out_len;
	char *err; /* child's stderr, NUL-terminated */
	size_t err_len;
};

/* 0 on success (the run finished or timed out), -1 if it could not
 * start. */
int run_child(const struct spawn *sp, struct run *r);
void run_free(struct run *r);
/* run_child into *r (freed first); a failed check if it cannot start. */
void spawn_into(const struct spawn *sp, struct run *r);
/* The plain case: one scenario (and its argument, or NULL) of a child. */
void run_scenario(struct run *r, enum child_kind kind, const char *scenario,
		  const char *arg);

/* --- checks: each failed check prints why and marks the test failed - */
extern int test_failed;
void check_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond))                                                   \
			check_fail(__FILE__, __LINE__, __VA_ARGS__);           \
	} while (0)

/* Died by sig (WIFSIGNALED, WTERMSIG == sig), within the time limit. */
void check_signaled(const struct run *r, int sig);
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
const char *builddir(void);
const char *child_path(enum child_kind kind);
const char *emulator(void); /* NULL when native */
int is_aarch64(void);
/* GNU build-id of an ELF file as lower-case hex into out; 1 if found. */
int elf_build_id(const char *path, char *out, size_t cap);

/* --- test lists ------------------------------------------------------ */
#define SKIP 77
struct test {
	const char *name;
	int (*fn)(void); /* 0 (check the CHECKs), SKIP */
};
int run_tests(int argc, char **argv, const struct test *tests);

#endif
