/*
 * module_table.c - the table of loaded modules a backend fills
 * (fl_platform_collect_modules) and the symbol step searches.
 * Async-signal-safe.
 */
#include "snapshot.h"

#include "str.h"

const char *fl_module_intern(struct fl_module_table *t, const char *path,
			     size_t len)
{
	char *dst;

	if (t->arena_used + len + 1 > sizeof(t->arena))
		return "";
	dst = t->arena + t->arena_used;
	fl_memcpy(dst, path, len);
	dst[len] = '\0';
	t->arena_used += len + 1;
	return dst;
}

int fl_module_find(const struct fl_module_table *t, uintptr_t addr)
{
	int best = -1;

	for (size_t i = 0; i < t->count; i++) {
		const struct fl_module *m = &t->modules[i];
		if (addr < m->base)
			continue;
		if (m->end && addr < m->end)
			return (int)i;
		/* Extent unknown: the closest module starting below. */
		if (!m->end && (best < 0 || m->base > t->modules[best].base))
			best = (int)i;
	}
	return best;
}
