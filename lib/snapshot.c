/*
 * snapshot.c - the modules and symbols of a filled snapshot: each frame's
 * module, offset and symbol name, through the platform's module list and
 * symbol lookup.
 */
#include "snapshot.h"

#include "demangle.h"
#include "frame.h"
#include "platform.h"
#include "str.h"

/* The demangled form of the name just put at the arena's end (of len
 * bytes), right after it; the frame then shows it and keeps the raw
 * name as mangled. */
static void demangle_symbol(struct fl_snapshot *snap, struct fl_frame_info *fi,
			    char *raw, size_t len)
{
	char *dst = raw + len + 1;
	size_t room = sizeof(snap->symbols) - snap->symbols_used - (len + 1);

	if (room > FL_DEMANGLE_OUTPUT_MAX + 1)
		room = FL_DEMANGLE_OUTPUT_MAX + 1;
	len = fl_demangle(raw, FL_DEMANGLE_SYMBOL, dst, room);
	if (len == 0)
		return;
	fi->mangled = raw;
	fi->symbol = dst;
	snap->symbols_used += len + 1;
}

/* The symbol of frame i into the arena.  Deep recursion repeats one
 * name frame after frame: an equal name shares the previous frame's
 * copies.  When the arena runs short, later names are cut to what is
 * left, and to "" at the very end. */
static void resolve_symbol(struct fl_snapshot *snap, size_t i,
			   const struct fl_module *m, uintptr_t lookup,
			   uintptr_t pc)
{
	struct fl_frame_info *fi = &snap->frame_info[i];
	const struct fl_frame_info *prev = i > 0 ? fi - 1 : NULL;
	char *dst = snap->symbols + snap->symbols_used;
	size_t room = sizeof(snap->symbols) - snap->symbols_used, len;
	uintptr_t off;

	if (room > FL_SYMBOL_MAX)
		room = FL_SYMBOL_MAX;
	if (room < 2 ||
	    fl_platform_symbolize(m, lookup, dst, room, &off) != 0 || !dst[0])
		return;
	fi->symbol_offset = off + (pc - lookup);
	if (prev &&
	    fl_streq(prev->mangled ? prev->mangled : prev->symbol, dst)) {
		fi->symbol = prev->symbol;
		fi->mangled = prev->mangled;
		return;
	}
	len = fl_strlen(dst);
	fi->symbol = dst;
	snap->symbols_used += len + 1;
	demangle_symbol(snap, fi, dst, len);
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
	fi->mangled = NULL;
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
