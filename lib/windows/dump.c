/*
 * dump.c - faultline_dump and the hang watchdog on Windows: not yet.
 *
 * Issue 9, section 5 fills these in: a dump is written by the reporter
 * thread (reporter.c), which suspends each other thread and walks it as
 * it walks the crashed one (SuspendThread, GetThreadContext); Ctrl-Break
 * asks for one with FAULTLINE_DUMP_SIGNAL=BREAK; the watchdog is a
 * waitable timer.  Until then both fail cleanly, and the report shows
 * the crashed thread only (struct fl_snapshot's threads stay empty).
 */
#include "platform.h"

#include <errno.h>

int fl_platform_dump(fl_handle_t h, uintptr_t caller)
{
	(void)h;
	(void)caller;
	errno = ENOSYS;
	return -1;
}

int fl_platform_watchdog(unsigned seconds)
{
	(void)seconds;
	errno = ENOSYS;
	return -1;
}
