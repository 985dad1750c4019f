/*
 * crash-helper.h - run a function that crashes, look at the crash from a
 * SA_SIGINFO|SA_ONSTACK handler, and come back (siglongjmp).  The unit
 * tests of the unwinder use it in place of the real signal entry.
 */
#ifndef FL_TEST_CRASH_HELPER_H
#define FL_TEST_CRASH_HELPER_H

#include <stddef.h>
#include <ucontext.h>

#include "platform.h"
#include "posix/posix.h"
#include "snapshot.h"

/* Called in the handler with the signal's context. */
typedef void (*fl_test_work)(const ucontext_t *uc, void *data);

/* Runs fn with an alternate stack and handlers for SIGSEGV, SIGBUS,
 * SIGILL and SIGTRAP that call work; returns the signal caught, 0 if
 * fn returned. */
int fl_test_run_crash(void (*fn)(void), fl_test_work work, void *data);

/* What the handler gathered: frames, modules, symbols. */
struct fl_test_crash {
	struct fl_snapshot snap; /* fault and frame_info */
	struct fl_module_table modules;
	long long unwind_ns;  /* time in fl_unwind_context */
	long long resolve_ns; /* modules + symbols */
};
/* A work function filling a struct fl_test_crash (data). */
void fl_test_capture(const ucontext_t *uc, void *data);

/* The symbol of frame i, "" when none. */
const char *fl_test_sym(const struct fl_test_crash *c, size_t i);
long long fl_test_now_ns(void);

#endif
