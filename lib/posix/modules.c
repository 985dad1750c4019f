/*
 * modules.c - loaded modules from the dynamic linker's list, and the
 * symbols of a crash's frames.
 *
 * The list is _r_debug's link_map chain (every namespace, r_version 2),
 * the one debuggers read.  dl_iterate_phdr would give the same facts but
 * takes the loader's lock, which another thread may hold while we crash;
 * _dl_find_object is lock-free and async-signal-safe.  The chain can be
 * changing under us (dlopen/dlclose in another thread), so every word of
 * it is read with fl_mem_read (probed, never faulting) and the walk is
 * bounded.
 */
#include <dlfcn.h>
#include <link.h>
#include <sys/auxv.h>

#include "platform.h"
#include "posix/posix.h"
#include "sink.h"
#include "snapshot.h"

#define FL_NAMESPACES_MAX 64
#define FL_LINK_MAPS_MAX 4096
#define FL_PATH_READ_MAX 4096
#define FL_VDSO_PATH "[vdso]"

/* Copy a NUL-terminated string of our own memory, a page-bounded chunk
 * at a time (a string may end right before an unmapped page).  Returns
 * its length, or -1. */
static long fl_safe_read_str(char *dst, size_t cap, uintptr_t src)
{
	size_t len = 0;

	while (len + 1 < cap) {
		size_t chunk = 4096 - ((src + len) & 4095), i;

		if (chunk > cap - 1 - len)
			chunk = cap - 1 - len;
		if (fl_mem_read(dst + len, src + len, chunk) != 0)
			return -1;
		for (i = 0; i < chunk; i++)
			if (dst[len + i] == '\0')
				return (long)(len + i);
		len += chunk;
	}
	dst[len] = '\0';
	return (long)len;
}

/* Mapped range of the module a link_map describes. */
static void fl_module_range(const struct link_map *lm, uintptr_t lm_addr,
			    struct fl_module *m)
{
	struct dl_find_object o;

	m->base = (uintptr_t)lm->l_addr;
	m->end = 0;
	if (lm->l_ld == NULL || _dl_find_object(lm->l_ld, &o) != 0 ||
	    (uintptr_t)o.dlfo_link_map != lm_addr)
		return;
	m->base = (uintptr_t)o.dlfo_map_start;
	m->end = (uintptr_t)o.dlfo_map_end;
}

static int fl_module_add(struct fl_module_table *t, const struct link_map *lm,
			 uintptr_t lm_addr, uintptr_t vdso)
{
	static char name[FL_PATH_READ_MAX];
	struct fl_module *m;
	long len;

	if (t->count >= FL_MAX_MODULES)
		return -1;
	m = &t->modules[t->count];
	fl_memset(m, 0, sizeof(*m));
	m->bias = (uintptr_t)lm->l_addr;
	fl_module_range(lm, lm_addr, m);
	if (vdso != 0 && m->base == vdso) {
		m->path = fl_module_intern(t, FL_VDSO_PATH,
					   sizeof(FL_VDSO_PATH) - 1);
	} else {
		len = fl_safe_read_str(name, sizeof(name),
				       (uintptr_t)lm->l_name);
		if (len <= 0 && t->count == 0) /* the executable: "" */
			fl_platform_exe_path(name, sizeof(name));
		else if (len < 0)
			name[0] = '\0';
		m->path = fl_module_intern(t, name, fl_strlen(name));
	}
	m->build_id_len =
		fl_elf_build_id_mapped(m->base, m->build_id, FL_BUILD_ID_MAX);
	t->count++;
	return 0;
}

/* One namespace's chain; returns how many link_maps it held. */
static size_t fl_collect_chain(struct fl_module_table *t, uintptr_t lm_addr,
			       uintptr_t vdso, size_t budget)
{
	struct link_map lm;
	size_t n = 0;

	while (lm_addr != 0 && n < budget &&
	       fl_mem_read(&lm, lm_addr, sizeof(lm)) == 0) {
		if (fl_module_add(t, &lm, lm_addr, vdso) != 0)
			break;
		n++;
		lm_addr = (uintptr_t)lm.l_next;
	}
	return n;
}

/* The vdso is in glibc's list; add it from the auxiliary vector when a
 * libc did not list it, so frames in it still get a module. */
static void fl_collect_vdso(struct fl_module_table *t, uintptr_t vdso)
{
	struct fl_module *m;
	struct dl_find_object o;
	Elf64_Ehdr eh;

	if (vdso == 0 || fl_module_find(t, vdso) >= 0 ||
	    t->count >= FL_MAX_MODULES ||
	    fl_mem_read(&eh, vdso, sizeof(eh)) != 0)
		return;
	m = &t->modules[t->count++];
	fl_memset(m, 0, sizeof(*m));
	m->base = m->bias = vdso;
	if (_dl_find_object((void *)vdso, &o) == 0)
		m->end = (uintptr_t)o.dlfo_map_end;
	m->path = fl_module_intern(t, FL_VDSO_PATH, sizeof(FL_VDSO_PATH) - 1);
	m->build_id_len =
		fl_elf_build_id_mapped(vdso, m->build_id, FL_BUILD_ID_MAX);
}

void fl_platform_collect_modules(struct fl_module_table *t)
{
	struct r_debug_extended ns;
	uintptr_t ns_addr = (uintptr_t)&_r_debug;
	/* getauxval only reads a copy of the auxiliary vector: safe here. */
	uintptr_t vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
	size_t budget = FL_LINK_MAPS_MAX;
	int i;

	fl_mem_forget(); /* a new crash: the map may have changed */
	t->count = 0;
	t->arena_used = 0;
	/* r_version 2 (glibc 2.35) chains one r_debug per dlmopen
	 * namespace; the first is the default one. */
	for (i = 0; i < FL_NAMESPACES_MAX && ns_addr != 0; i++) {
		if (fl_mem_read(&ns, ns_addr, sizeof(ns.base)) != 0)
			break;
		budget -= fl_collect_chain(t, (uintptr_t)ns.base.r_map, vdso,
					   budget);
		if (ns.base.r_version < 2 ||
		    fl_mem_read(&ns.r_next, ns_addr + sizeof(ns.base),
				sizeof(ns.r_next)) != 0)
			break;
		ns_addr = (uintptr_t)ns.r_next;
	}
	fl_collect_vdso(t, vdso);
}

/* ------------------------------------------------------------------------
 * Symbols for frames
 * ---------------------------------------------------------------------- */

/* The module's ELF: its file, or for the vdso (which has no file) the
 * complete image the kernel maps. */
static int fl_module_src(const struct fl_module *m, struct fl_elf_src *s)
{
	if (!fl_streq(m->path, FL_VDSO_PATH))
		return fl_elf_open(m->path, s);
	if (m->end <= m->base)
		return -1;
	s->fd = -1;
	s->mem = m->base;
	s->size = m->end - m->base;
	return 0;
}

/* A file replaced on disk since it was loaded would give wrong names:
 * when both build-ids are known they must agree. */
static int fl_src_matches(const struct fl_module *m, const struct fl_elf_src *s)
{
	unsigned char id[FL_BUILD_ID_MAX];
	size_t len, i;

	if (m->build_id_len == 0 || s->fd < 0)
		return 1;
	len = fl_elf_build_id_src(s, id, sizeof(id));
	if (len == 0)
		return 1;
	if (len != m->build_id_len)
		return 0;
	for (i = 0; i < len; i++)
		if (id[i] != m->build_id[i])
			return 0;
	return 1;
}

static int fl_resolve_src(const struct fl_module *m, struct fl_elf_lookup *q,
			  size_t n)
{
	struct fl_elf_src s;
	int r = -1;

	if (fl_module_src(m, &s) != 0)
		return -1;
	if (fl_src_matches(m, &s))
		r = fl_elf_symbolize_src(&s, q, n);
	fl_elf_close(&s);
	return r;
}

int fl_platform_symbolize(const struct fl_module *m, uintptr_t pc, char *name,
			  size_t cap, uintptr_t *offset)
{
	struct fl_elf_lookup q = {pc - m->bias, name, cap, 0, 0};

	if (fl_resolve_src(m, &q, 1) != 0 || !q.found)
		return -1;
	*offset = q.vaddr - q.start;
	return 0;
}

/* All frames that fall into module mi, in one pass over its symbols. */
static void fl_symbolize_module(const struct fl_module_table *t, int mi,
				const struct faultline_fault *f,
				struct fl_frame_info *info)
{
	const struct fl_module *m = &t->modules[mi];
	struct fl_elf_lookup q[FL_ELF_LOOKUP_MAX];
	unsigned char frame_of[FL_ELF_LOOKUP_MAX];
	size_t i, n = 0;

	for (i = 0; i < f->frame_count && n < FL_ELF_LOOKUP_MAX; i++) {
		if (info[i].module != mi)
			continue;
		/* Return addresses are looked up at pc - 1: a call that
		 * ends a function (noreturn) returns past its end. */
		q[n].vaddr = info[i].module_offset - (i > 0 ? 1 : 0);
		q[n].name = info[i].symbol;
		q[n].cap = sizeof(info[i].symbol);
		frame_of[n++] = (unsigned char)i;
	}
	if (fl_resolve_src(m, q, n) != 0)
		return;
	for (i = 0; i < n; i++) {
		struct fl_frame_info *fi = &info[frame_of[i]];

		if (q[i].found)
			fi->symbol_offset = fi->module_offset - q[i].start;
		else
			fi->symbol[0] = '\0';
	}
}

void fl_platform_symbolize_frames(const struct fl_module_table *t,
				  const struct faultline_fault *f,
				  struct fl_frame_info *info)
{
	unsigned char done[FL_MAX_MODULES];
	size_t i;

	fl_memset(done, 0, sizeof(done));
	for (i = 0; i < f->frame_count; i++) {
		int mi = fl_module_find(t, f->frames[i]);

		info[i].module = mi;
		info[i].module_offset =
			mi >= 0 ? f->frames[i] - t->modules[mi].bias : 0;
		info[i].symbol[0] = '\0';
		info[i].symbol_offset = 0;
	}
	for (i = 0; i < f->frame_count; i++) {
		int mi = info[i].module;

		if (mi < 0 || done[mi])
			continue;
		done[mi] = 1;
		fl_symbolize_module(t, mi, f, info);
	}
}
