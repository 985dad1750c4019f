/* 11. A fault inside the handler (here: the user callback, run on the
 * reporter thread, executes ud2) ends the process at once with the
 * code of the crash being reported - no second report, no hang, no
 * winedbg, not the inner fault's code. */
#include "harness.h"

static struct fl_run r;

int main(void)
{
	fl_t_run(&r, "callback-fault", 60000);
	fl_t_exit_code(&r, 0xC0000005ul);
	fl_t_ok(fl_t_count(&r, "crash report ====") == 1, "exactly one report");
	fl_t_contains(&r, "==== end of faultline report ====");
	fl_t_contains(&r, "callback: about to fault");
	fl_t_lacks(&r, "ILLEGAL_INSTRUCTION");
	fl_t_lacks(&r, "callback: survived");
	/* At once: not after the 20 s a crashed thread waits for a
	 * reporter that does not finish. */
	fl_t_ok(r.elapsed_ms < 15000, "ends at once (< 15 s)");
	return fl_t_done();
}
