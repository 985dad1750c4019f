/* 2. A write to 0x40 is a write access; a call into a committed
 * read-write page is an execute access (DEP). */
#include "harness.h"

static struct fl_run r;

int main(void)
{
	fl_t_run(&r, "write-0x40", 60000);
	fl_t_exit_code(&r, 0xC0000005ul);
	fl_t_contains(&r, "address: 0x0000000000000040 (write)");
	fl_t_contains(&r, "cause: null pointer dereference");

	fl_t_run(&r, "dep", 60000);
	fl_t_exit_code(&r, 0xC0000005ul);
	fl_t_contains(&r, "(execute)");
	fl_t_contains(&r, "cause: execution of non-executable memory");
	return fl_t_done();
}
