/*
 * snapshot.c - the modules and symbols of a filled snapshot: each frame's
 * module, offset and symbol name, through the platform's module list and
 * symbol lookup.  The crashed thread's frames are resolved once, the
 * other threads' one thread at a time as the renderers ask for them.
 */
#include "snapshot.h"

#include "demangle.h"
#include "frame.h"
#include "platform.h"
#include "str.h"

/* Where the names of one backtrace go. */
struct arena {
	char *mem;
	size_t cap;
	size_t *used;
};

/* The demangled form of the name just put at the arena's end (of len
 * bytes), right after it; the frame then shows it and keeps the raw
 * name as mangled. */
static void demangle_symbol(struct arena *a, struct fl_frame_info *fi,
			    char *raw, size_t len)
{
	char *dst = raw + len + 1;
	size_t room = a->cap - *a->used - (len + 1);

	if (room > FL_DEMANGLE_OUTPUT_MAX + 1)
		room = FL_DEMANGLE_OUTPUT_MAX + 1;
	len = fl_demangle(raw, FL_DEMANGLE_SYMBOL, dst, room);
	if (len == 0)
		return;
	fi->mangled = raw;
	fi->symbol = dst;
	*a->used += len + 1;
}

/* The symbol of frame i into the arena.  Deep recursion repeats one
 * name frame after frame: an equal name shares the previous frame's
 * copies.  When the arena runs short, later names are cut to what is
 * left, and to "" at the very end. */
static void resolve_symbol(struct fl_frame_info *info, size_t i,
			   const struct fl_module *m, uintptr_t lookup,
			   uintptr_t pc, struct arena *a)
{
	struct fl_frame_info *fi = &info[i];
	const struct fl_frame_info *prev = i > 0 ? fi - 1 : NULL;
	char *dst = a->mem + *a->used;
	size_t room = a->cap - *a->used, len;
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
	*a->used += len + 1;
	demangle_symbol(a, fi, dst, len);
}

static void resolve_frame(const struct fl_module_table *modules,
			  const uintptr_t *frames, struct fl_frame_info *info,
			  size_t i, struct arena *a)
{
	struct fl_frame_info *fi = &info[i];
	uintptr_t pc = frames[i];
	uintptr_t lookup = fl_frame_lookup(pc, i);
	const struct fl_module *m;

	fi->module = -1;
	fi->module_offset = 0;
	fi->symbol = "";
	fi->mangled = NULL;
	fi->symbol_offset = 0;
	if (!modules)
		return;
	fi->module = fl_module_find(modules, lookup);
	if (fi->module < 0)
		return;
	m = &modules->modules[fi->module];
	fi->module_offset = pc - m->bias;
	resolve_symbol(info, i, m, lookup, pc, a);
}

void fl_snapshot_resolve(struct fl_snapshot *snap,
			 struct fl_module_table *modules)
{
	struct arena a = {snap->symbols, sizeof(snap->symbols),
			  &snap->symbols_used};

	snap->modules = modules;
	snap->symbols_used = 0;
	if (modules) {
		modules->count = 0;
		modules->arena_used = 0;
		fl_platform_collect_modules(modules);
	}
	fl_platform_symbols_begin(&snap->fault);
	for (size_t i = 0; i < snap->fault.frame_count; i++)
		resolve_frame(modules, snap->fault.frames, snap->frame_info, i,
			      &a);
	fl_platform_symbols_end();
}

/* The thread being rendered.  Static, not on the (alternate) stack: 20
 * KiB.  Reports are written one at a time (the platform sees to that),
 * and only the pages one thread's names need are touched. */
static struct fl_thread_frames thread_frames;
/* Its frames as a fault: the platform's batched symbol lookup takes the
 * frames of a fault (fl_platform_symbols_begin). */
static struct faultline_fault thread_fault;

size_t fl_snapshot_idle_memory(struct fl_span *out)
{
	out[0] = (struct fl_span){&thread_frames, sizeof(thread_frames)};
	return 1;
}

size_t fl_snapshot_idle_parts(const struct fl_snapshot *snap,
			      struct fl_span *out)
{
	/* The names of a 120-frame crash fill one or two pages of the
	 * arena; annotations are few or none. */
	const size_t names = 8192;

	out[0] = (struct fl_span){snap->annotations, sizeof(snap->annotations)};
	out[1] = (struct fl_span){snap->symbols + names,
				  sizeof(snap->symbols) - names};
	return 2;
}

const struct fl_thread_frames *fl_snapshot_thread(struct fl_snapshot *snap,
						  size_t i)
{
	struct fl_thread_frames *tf = &thread_frames;
	const struct fl_thread *t;
	struct arena a = {tf->symbols, sizeof(tf->symbols), &tf->symbols_used};
	size_t n;

	if (i >= snap->threads.count)
		return NULL;
	t = &snap->threads.t[i];
	tf->thread = t;
	tf->symbols_used = 0;
	n = t->frames ? t->frame_count : 0;
	if (n > FL_THREAD_FRAMES)
		n = FL_THREAD_FRAMES;
	thread_fault.frame_count = n;
	thread_fault.frames_omitted = 0;
	for (size_t k = 0; k < n; k++)
		thread_fault.frames[k] = t->frames[k];
	fl_platform_symbols_begin(&thread_fault);
	for (size_t k = 0; k < n; k++)
		resolve_frame(snap->modules, thread_fault.frames, tf->info, k,
			      &a);
	fl_platform_symbols_end();
	return tf;
}
