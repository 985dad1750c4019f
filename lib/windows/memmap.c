/*
 * memmap.c - the memory map of a report (FAULTLINE_INCLUDE_MEMORY_MAP).
 */
#include "win.h"

#include "platform.h"

void fl_platform_write_memory_map(struct fl_sink *s, int json)
{
	/* Windows has no /proc/self/maps; the module list carries what a
	 * reader needs to symbolize.  A VirtualQuery dump may come later. */
	(void)s;
	(void)json;
}
