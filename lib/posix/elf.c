/* Placeholder: ELF symbol lookup replaces this file. */
#include "platform.h"
#include "posix.h"
#include "snapshot.h"

int fl_platform_symbolize(const struct fl_module *m, uintptr_t pc, char *name,
			  size_t cap, uintptr_t *offset)
{
	(void)m;
	(void)pc;
	(void)name;
	(void)cap;
	(void)offset;
	return -1;
}
