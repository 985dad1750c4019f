/* 8. abort() is a SIGABRT report and exit code 3, as the CRT's own
 * abort() ends; a heap-corruption code raised non-continuable is
 * reported at once, even inside an SEH frame that would swallow it. */
#include "harness.h"

static struct fl_run r;

int main(void)
{
	fl_t_run(&r, "abort", 60000);
	fl_t_exit_code(&r, 3);
	fl_t_contains(&r, "signal: SIGABRT (6)");
	fl_t_contains(&r, "cause: abort() called");

	fl_t_run(&r, "heap-corruption", 60000);
	fl_t_exit_code(&r, 0xC0000374ul);
	fl_t_contains(&r, "signal: SIGABRT (6), exception "
			  "STATUS_HEAP_CORRUPTION (0xc0000374)");
	fl_t_contains(&r, "cause: heap corruption detected");
	fl_t_lacks(&r, "swallowed");
	return fl_t_done();
}
