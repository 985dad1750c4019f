/*
 * crash-helper.c - see crash-helper.h.  Test-only.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crash-helper.h"

static sigjmp_buf fl_test_env;
static fl_test_work fl_test_cur_work;
static void *fl_test_cur_data;

static void fl_test_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)si;
	fl_test_cur_work((const ucontext_t *)ctx, fl_test_cur_data);
	siglongjmp(fl_test_env, sig);
}

int fl_test_run_crash(void (*fn)(void), fl_test_work work, void *data)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP};
	struct sigaction sa, old[4];
	stack_t ss = {0}, old_ss;
	volatile int sig;
	size_t i;

	ss.ss_size = 1 << 20;
	ss.ss_sp = malloc(ss.ss_size);
	sigaltstack(&ss, &old_ss);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fl_test_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	fl_test_cur_work = work;
	fl_test_cur_data = data;
	sig = sigsetjmp(fl_test_env, 1);
	if (sig == 0)
		fn();
	for (i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	sigaltstack(&old_ss, NULL);
	free(ss.ss_sp);
	return sig;
}

long long fl_test_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void fl_test_capture(const ucontext_t *uc, void *data)
{
	struct fl_test_crash *c = data;
	long long t0 = fl_test_now_ns(), t1;

	fl_unwind_context(uc, &c->snap.fault);
	t1 = fl_test_now_ns();
	fl_snapshot_resolve(&c->snap, &c->modules);
	c->unwind_ns = t1 - t0;
	c->resolve_ns = fl_test_now_ns() - t1;
}

const char *fl_test_sym(const struct fl_test_crash *c, size_t i)
{
	return i < c->snap.fault.frame_count ? c->snap.frame_info[i].symbol
					     : "";
}
