/* 4. An integer divide by zero is SIGFPE / 0xC0000094. */
#include "harness.h"

static struct fl_run r;

int main(void)
{
	fl_t_run(&r, "div0", 60000);
	fl_t_exit_code(&r, 0xC0000094ul);
	fl_t_contains(&r, "signal: SIGFPE (8), exception "
			  "EXCEPTION_INT_DIVIDE_BY_ZERO (0xc0000094)");
	fl_t_contains(&r, "cause: integer divide by zero");
	return fl_t_done();
}
