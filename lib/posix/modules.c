/*
 * modules.c - loaded modules from the dynamic linker's list.
 *
 * The list is _r_debug's link_map chain (every namespace, r_version 2),
 * the one debuggers read.  dl_iterate_phdr would give the same facts but
 * takes the loader's lock, which another thread may hold while we crash.
 * Extents come from each module's program headers.  The chain can be
 * changing under us (dlopen/dlclose in another thread), so every word of
 * it is read with fl_mem_read (probed, never faulting) and the walk is
 * bounded.
 */
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>

#include "platform.h"
#include "posix/posix.h"
#include "sink.h"
#include "snapshot.h"

#define FL_NAMESPACES_MAX 64
#define FL_LINK_MAPS_MAX 4096
#define FL_PATH_READ_MAX 4096
#define FL_PATH_CHUNK 128

/* Copy a NUL-terminated string of our own memory, a page-bounded chunk
 * at a time (a string may end right before an unmapped page).  Returns
 * its length, or -1. */
static long read_str(char *dst, size_t cap, uintptr_t src)
{
	size_t len = 0;

	while (len + 1 < cap) {
		/* Short chunks: a path is tens of bytes, and copying up to
		 * the page's end (up to 4 KiB per module) would cost
		 * instructions and touch arena pages for nothing. */
		size_t chunk = 4096 - ((src + len) & 4095), i;

		if (chunk > FL_PATH_CHUNK)
			chunk = FL_PATH_CHUNK;

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

/* The extent of a module from its program headers at phdr (n of them):
 * base is where its lowest segment's page starts (the ELF header), end
 * where its highest segment ends. */
static int range_from_phdrs(uintptr_t phdr, size_t n, uintptr_t bias,
			    struct fl_module *m)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	uintptr_t page = (uintptr_t)getauxval(AT_PAGESZ);
	Elf64_Phdr ph;
	size_t i;

	for (i = 0; i < n && i < 256; i++) {
		if (fl_mem_read(&ph, phdr + i * sizeof(ph), sizeof(ph)) != 0)
			return -1;
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_vaddr < lo)
			lo = ph.p_vaddr;
		if (ph.p_vaddr + ph.p_memsz > hi)
			hi = ph.p_vaddr + ph.p_memsz;
	}
	if (lo >= hi)
		return -1;
	m->base = bias + (lo & ~((page ? page : 4096) - 1));
	m->end = bias + hi;
	return 0;
}

/*
 * Mapped range of the module a link_map describes.  Not from
 * _dl_find_object: its dlfo_map_start is the start of the mapping that
 * holds the address, and for an executable whose segments lie far apart
 * (aarch64's 64 KiB alignment) the mapping of l_ld is not the one with
 * the ELF header.  The executable's program headers are in the auxiliary
 * vector; a library's are behind its ELF header at l_addr (a shared
 * object's first segment has address 0).
 */
static void module_range(const struct link_map *lm, int is_exe,
			 struct fl_module *m)
{
	uintptr_t bias = (uintptr_t)lm->l_addr;
	uintptr_t phdr = (uintptr_t)getauxval(AT_PHDR);
	size_t phnum = (size_t)getauxval(AT_PHNUM);
	Elf64_Ehdr eh;

	m->base = bias;
	m->end = 0;
	if (!is_exe || phdr == 0) {
		if (fl_mem_read(&eh, bias, sizeof(eh)) != 0 ||
		    eh.e_ident[EI_MAG0] != ELFMAG0 ||
		    eh.e_ident[EI_MAG1] != ELFMAG1 ||
		    eh.e_phentsize != sizeof(Elf64_Phdr))
			return;
		phdr = bias + eh.e_phoff;
		phnum = eh.e_phnum;
	}
	range_from_phdrs(phdr, phnum, bias, m);
}

static int module_add(struct fl_module_table *t, const struct link_map *lm,
		      uintptr_t vdso)
{
	struct fl_module *m;
	long len;

	if (t->count >= FL_MAX_MODULES)
		return -1;
	m = &t->modules[t->count];
	fl_memset(m, 0, sizeof(*m));
	m->bias = (uintptr_t)lm->l_addr;
	/* the executable comes first, with an empty name */
	module_range(lm, t->count == 0, m);
	if (vdso != 0 && m->base == vdso) {
		m->path = fl_module_intern(t, FL_VDSO_PATH,
					   sizeof(FL_VDSO_PATH) - 1);
	} else {
		/* Straight into the table's arena: a separate 4 KiB buffer
		 * would be one or two more pages for the handler to touch. */
		char *dst = t->arena + t->arena_used;
		size_t room = sizeof(t->arena) - t->arena_used;

		if (room > FL_PATH_READ_MAX)
			room = FL_PATH_READ_MAX;
		m->path = "";
		if (room >= 2) {
			len = read_str(dst, room, (uintptr_t)lm->l_name);
			if (len <= 0 && t->count == 0) /* the executable */
				fl_platform_exe_path(dst, room);
			else if (len < 0)
				dst[0] = '\0';
			m->path = dst;
			t->arena_used += fl_strlen(dst) + 1;
		}
	}
	m->build_id_len =
		fl_elf_build_id_mapped(m->base, m->build_id, FL_BUILD_ID_MAX);
	t->count++;
	return 0;
}

/* One namespace's chain; returns how many link_maps it held. */
static size_t collect_chain(struct fl_module_table *t, uintptr_t lm_addr,
			    uintptr_t vdso, size_t budget)
{
	struct link_map lm;
	size_t n = 0;

	while (lm_addr != 0 && n < budget &&
	       fl_mem_read(&lm, lm_addr, sizeof(lm)) == 0) {
		if (module_add(t, &lm, vdso) != 0)
			break;
		n++;
		lm_addr = (uintptr_t)lm.l_next;
	}
	return n;
}

/* The vdso is in glibc's list; add it from the auxiliary vector when a
 * libc did not list it, so frames in it still get a module. */
static void collect_vdso(struct fl_module_table *t, uintptr_t vdso)
{
	struct fl_module *m;
	Elf64_Ehdr eh;

	if (vdso == 0 || fl_module_find(t, vdso) >= 0 ||
	    t->count >= FL_MAX_MODULES ||
	    fl_mem_read(&eh, vdso, sizeof(eh)) != 0)
		return;
	m = &t->modules[t->count++];
	fl_memset(m, 0, sizeof(*m));
	m->base = m->bias = vdso; /* linked at address 0 */
	range_from_phdrs(vdso + eh.e_phoff, eh.e_phnum, vdso, m);
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
		budget -= collect_chain(t, (uintptr_t)ns.base.r_map, vdso,
					budget);
		if (ns.base.r_version < 2 ||
		    fl_mem_read(&ns.r_next, ns_addr + sizeof(ns.base),
				sizeof(ns.r_next)) != 0)
			break;
		ns_addr = (uintptr_t)ns.r_next;
	}
	collect_vdso(t, vdso);
}
