/* 8. abort() is a SIGABRT report and exit code 3, as the CRT's own
 * abort() ends; a heap-corruption code raised non-continuable is
 * reported at once, even inside an SEH frame that would swallow it. */
#include "harness.h"

static struct fl_run r;

int main(void)
{
	fl_t_crash(&r, "abort", 3, "SIGABRT (6)", "abort() called");
	fl_t_crash(&r, "heap-corruption", 0xC0000374ul,
		   "SIGABRT (6), exception STATUS_HEAP_CORRUPTION "
		   "(0xc0000374)",
		   "heap corruption detected");
	fl_t_lacks(&r, "swallowed");
	return fl_t_done();
}
