/* 7. Exceptions that are not crashes pass silently and the program goes
 * on: OutputDebugStringA, RaiseException(0xE06D7363) caught by an SEH
 * frame, an access violation caught by an SEH frame, IsBadReadPtr. */
#include "harness.h"

static struct fl_run r;

int main(void)
{
	fl_t_run(&r, "benign", 60000);
	fl_t_exit_code(&r, 0);
	fl_t_contains(&r, "SEH caught 0xe06d7363");
	fl_t_contains(&r, "SEH caught 0xc0000005");
	fl_t_contains(&r, "IsBadReadPtr(NULL) = 1");
	fl_t_contains(&r, "IsBadReadPtr(&probe) = 0");
	fl_t_contains(&r, "continued normally");
	fl_t_lacks(&r, "faultline");
	return fl_t_done();
}
