/* 4. An integer divide by zero is SIGFPE / 0xC0000094. */
#include "harness.h"

static struct fl_run r;

int main(void)
{
	fl_t_crash(&r, "div0", 0xC0000094ul,
		   "SIGFPE (8), exception EXCEPTION_INT_DIVIDE_BY_ZERO "
		   "(0xc0000094)",
		   "integer divide by zero");
	return fl_t_done();
}
