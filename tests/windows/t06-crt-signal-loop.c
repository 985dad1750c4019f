/* 6. A CRT signal(SIGSEGV) handler that re-arms and returns: the mingw
 * CRT's filter would call it and continue at the faulting instruction
 * forever.  With faultline: one report, then the end. */
#include "harness.h"

static struct fl_run r;

int main(void)
{
	fl_t_run(&r, "rearm", 60000);
	fl_t_exit_code(&r, 0xC0000005ul);
	fl_t_ok(fl_t_count(&r, "crash report ====") == 1, "exactly one report");
	fl_t_lacks(&r, "user SIGSEGV handler, call 2");

	/* The control: without faultline the same program loops (this is
	 * what the test would see if faultline stood in the wrong place). */
	fl_t_run(&r, "rearm nofl", 5000);
	fl_t_ok(r.timed_out || fl_t_count(&r, "user SIGSEGV handler") > 1,
		"without faultline the CRT re-runs the fault (control)");
	return fl_t_done();
}
