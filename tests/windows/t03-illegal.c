/* 3. ud2 is SIGILL / 0xC000001D; a privileged instruction (hlt in user
 * mode) is SIGILL / 0xC0000096. */
#include "harness.h"

static struct fl_run r;

int main(void)
{
	fl_t_run(&r, "ud2", 60000);
	fl_t_exit_code(&r, 0xC000001Dul);
	fl_t_contains(&r, "signal: SIGILL (4), exception "
			  "EXCEPTION_ILLEGAL_INSTRUCTION (0xc000001d)");
	fl_t_contains(&r, "cause: illegal instruction");

	fl_t_run(&r, "privileged", 60000);
	fl_t_exit_code(&r, 0xC0000096ul);
	fl_t_contains(&r, "signal: SIGILL (4), exception "
			  "EXCEPTION_PRIV_INSTRUCTION (0xc0000096)");
	fl_t_contains(&r, "cause: privileged instruction");
	return fl_t_done();
}
