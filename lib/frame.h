/*
 * frame.h - the address at which a backtrace frame is named.
 * Header-only: the library's symbol step (both backends) and the faultline
 * tool's symbolizer share the rule.
 */
#ifndef FL_FRAME_H
#define FL_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* Frame 0 is the faulting instruction itself: look it up where it is.
 * Every other frame is a return address, which points after its call:
 * look up the call (pc - 1), or a noreturn call at a function's very end
 * would name the next function.  [fatal] (platform.h). */
static inline uintptr_t fl_frame_lookup(uintptr_t pc, size_t index)
{
	return index == 0 || pc == 0 ? pc : pc - 1;
}

#endif
