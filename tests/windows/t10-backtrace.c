/* 10. Backtrace frame 0 is the exception address; the callers, from the
 * test functions up to main, appear by name. */
#include <stdio.h>
#include <string.h>

#include "harness.h"

static struct fl_run r;

int main(void)
{
	const char *p;
	char frame0[64] = "#0  0x?";

	fl_t_run(&r, "backtrace", 60000);
	fl_t_exit_code(&r, 0xC0000005ul);
	/* crashme prints the address of its faulting instruction first. */
	p = strstr(r.output, "fault-pc: 0x");
	if (p) {
		unsigned long long pc = 0;
		sscanf(p + 12, "%llx", &pc);
		snprintf(frame0, sizeof(frame0), "#0  0x%016llx in ", pc);
	}
	fl_t_contains(&r, frame0);
	{
		const char *chain[] = {frame0, "in fl_test_level3+",
				       "in fl_test_level2+",
				       "in fl_test_level1+", "in main+"};
		fl_t_in_order(&r, chain, 5);
	}
	fl_t_contains(&r, "crashme.exe+0x");
	return fl_t_done();
}
