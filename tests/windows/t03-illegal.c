/* 3. ud2 is SIGILL / 0xC000001D; a privileged instruction (hlt in user
 * mode) is SIGILL / 0xC0000096. */
#include "harness.h"

static struct fl_run r;

int main(void)
{
	fl_t_crash(&r, "ud2", 0xC000001Dul,
		   "SIGILL (4), exception EXCEPTION_ILLEGAL_INSTRUCTION "
		   "(0xc000001d)",
		   "illegal instruction");
	fl_t_crash(&r, "privileged", 0xC0000096ul,
		   "SIGILL (4), exception EXCEPTION_PRIV_INSTRUCTION "
		   "(0xc0000096)",
		   "privileged instruction");
	return fl_t_done();
}
