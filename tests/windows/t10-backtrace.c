/* 10. Backtrace frame 0 is the exception address; the callers, from the
 * test functions up to main, appear by name. */
#include <stdio.h>
#include <string.h>

#include "harness.h"

static struct fl_run r;

int main(void)
{
	const char *p, *line;
	char pc_text[64] = "0x?";

	fl_t_run(&r, "backtrace", 60000);
	fl_t_exit_code(&r, 0xC0000005ul);
	/* crashme prints the address of its faulting instruction first. */
	p = strstr(r.output, "fault-pc: 0x");
	if (p) {
		unsigned long long pc = 0;
		sscanf(p + 12, "%llx", &pc);
		snprintf(pc_text, sizeof(pc_text), " 0x%016llx in ", pc);
	}
	/* The "#0" line (padding after the number is the renderer's). */
	line = strstr(r.output, "\n  #0 ");
	{
		const char *end = line ? strchr(line + 1, '\n') : NULL;
		const char *hit = line ? strstr(line, pc_text) : NULL;
		fl_t_ok(hit && (!end || hit < end),
			"frame #0 is the faulting instruction");
	}
	{
		const char *chain[] = {"  #0 ",
				       pc_text,
				       "fl_test_level3+",
				       "in fl_test_level2+",
				       "in fl_test_level1+",
				       "in main+"};
		fl_t_in_order(&r, chain, 6);
	}
	fl_t_contains(&r, "crashme.exe+0x");
	/* The thread's description (SetThreadDescription) is its name. */
	fl_t_contains(&r, "\"fl-main\" (crashed)");
	return fl_t_done();
}
