/* 1. A null read is SIGSEGV / EXCEPTION_ACCESS_VIOLATION, a read at
 * address 0, and the process ends with the full code 0xC0000005. */
#include <windows.h>

#include "harness.h"

static struct fl_run r;

int main(void)
{
	fl_t_crash(&r, "null-read", 0xC0000005ul,
		   "SIGSEGV (11), exception EXCEPTION_ACCESS_VIOLATION "
		   "(0xc0000005)",
		   "null pointer dereference");
	fl_t_contains(&r, "address: 0x0000000000000000 (read)");

	/* The same facts in JSON, through the shared renderer. */
	SetEnvironmentVariableA("FAULTLINE_FORMAT", "json");
	fl_t_run(&r, "null-read", 60000);
	SetEnvironmentVariableA("FAULTLINE_FORMAT", NULL);
	fl_t_exit_code(&r, 0xC0000005ul);
	fl_t_contains(&r, "\"exception_code\":\"0xc0000005\"");
	fl_t_contains(&r, "\"exception_name\":\"EXCEPTION_ACCESS_VIOLATION\"");
	fl_t_contains(&r, "\"access\":\"read\"");
	return fl_t_done();
}
