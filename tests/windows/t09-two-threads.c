/* 9. Two threads faulting together give one report. */
#include "harness.h"

static struct fl_run r;

int main(void)
{
	for (int i = 0; i < 3; i++) {
		fl_t_run(&r, "two-threads", 60000);
		fl_t_exit_code(&r, 0xC0000005ul);
		fl_t_ok(fl_t_count(&r, "crash report ====") == 1,
			"exactly one report opened");
		fl_t_ok(fl_t_count(&r, "==== end of faultline report") == 1,
			"exactly one report closed");
	}
	return fl_t_done();
}
