/* Placeholder: module enumeration replaces this file. */
#include "platform.h"
#include "snapshot.h"

void fl_platform_collect_modules(struct fl_module_table *t)
{
	(void)t;
}
