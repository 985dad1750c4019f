/* Placeholder: the libunwind-based unwinder replaces this file. */
#include "posix.h"
#include "snapshot.h"

int fl_unwind_prepare(void)
{
	return 0;
}

void fl_unwind_context(const ucontext_t *uc, struct faultline_fault *fault)
{
	struct fl_frame_collector c;

	(void)uc;
	fl_frames_begin(&c, fault);
	fl_frames_add(&c, fault->pc);
	fl_frames_finish(&c);
}
