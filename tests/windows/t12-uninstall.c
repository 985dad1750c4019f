/* 12. faultline_uninstall puts back what was there: after it, raise()
 * reaches the program's own SIGSEGV handler and abort() ends the
 * process the CRT's way (exit code 3) with no report. */
#include "harness.h"

static struct fl_run r;

int main(void)
{
	fl_t_run(&r, "uninstalled", 60000);
	fl_t_exit_code(&r, 3);
	fl_t_contains(&r, "user SIGSEGV handler, call 1");
	fl_t_lacks(&r, "faultline");
	return fl_t_done();
}
