/*
 * snapshot.c - the modules and symbols of a filled snapshot: each frame's
 * module, offset and symbol name, through the platform's module list and
 * symbol lookup.
 */
#include "snapshot.h"

#include "frame.h"
#include "platform.h"
#include "str.h"

/* The symbol of frame i into the arena.  Deep recursion repeats one
 * name frame after frame: an equal name shares the previous frame's
 * copy.  When the arena runs short, later names are cut to what is
 * left, and to "" at the very end. */
static void resolve_symbol(struct fl_snapshot *snap, size_t i,
			   const struct fl_module *m, uintptr_t lookup,
			   uintptr_t pc)
{
	struct fl_frame_info *fi = &snap->frame_info[i];
	char *dst = snap->symbols + snap->symbols_used;
	size_t room = sizeof(snap->symbols) - snap->symbols_used, len;
	uintptr_t off;

	if (room > FL_SYMBOL_MAX)
		room = FL_SYMBOL_MAX;
	if (room < 2 ||
	    fl_platform_symbolize(m, lookup, dst, room, &off) != 0 || !dst[0])
		return;
	fi->symbol_offset = off + (pc - lookup);
	if (i > 0 && fl_streq(snap->frame_info[i - 1].symbol, dst)) {
		fi->symbol = snap->frame_info[i - 1].symbol;
		return;
	}
	len = fl_strlen(dst);
	fi->symbol = dst;
	snap->symbols_used += len + 1;
}

static void resolve_frame(struct fl_snapshot *snap, size_t i)
{
	struct fl_frame_info *fi = &snap->frame_info[i];
	uintptr_t pc = snap->fault.frames[i];
	uintptr_t lookup = fl_frame_lookup(pc, i);
	const struct fl_module *m;

	fi->module = -1;
	fi->module_offset = 0;
	fi->symbol = "";
	fi->symbol_offset = 0;
	if (!snap->modules)
		return;
	fi->module = fl_module_find(snap->modules, lookup);
	if (fi->module < 0)
		return;
	m = &snap->modules->modules[fi->module];
	fi->module_offset = pc - m->bias;
	resolve_symbol(snap, i, m, lookup, pc);
}

void fl_snapshot_resolve(struct fl_snapshot *snap,
			 struct fl_module_table *modules)
{
	snap->modules = modules;
	snap->symbols_used = 0;
	if (modules) {
		modules->count = 0;
		modules->arena_used = 0;
		fl_platform_collect_modules(modules);
	}
	fl_platform_symbols_begin(&snap->fault);
	for (size_t i = 0; i < snap->fault.frame_count; i++)
		resolve_frame(snap, i);
	fl_platform_symbols_end();
}
