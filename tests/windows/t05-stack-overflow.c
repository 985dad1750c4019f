/* 5. A stack overflow on the main thread and on a worker thread is
 * reported as one (the reporter thread does the work: Wine leaves the
 * handler ~1.9 KB), and the process ends with 0xC00000FD. */
#include "harness.h"

static struct fl_run r;

static void check(const char *mode)
{
	fl_t_run(&r, mode, 60000);
	fl_t_exit_code(&r, 0xC00000FDul);
	fl_t_contains(&r, "exception EXCEPTION_STACK_OVERFLOW (0xc00000fd)");
	fl_t_contains(&r, "cause: stack overflow");
	/* A deep recursion keeps its head and tail. */
	fl_t_contains(&r, "frames omitted");
	fl_t_contains(&r, "==== end of faultline report ====");
}

int main(void)
{
	check("overflow-main");
	check("overflow-thread");
	return fl_t_done();
}
