/*
 * symbols.c - the names of a report's frames, from each module's ELF
 * symbol table (elf.c): its file, or the vdso's image in memory.
 *
 * A deep crash has many frames in few modules.  Between
 * fl_platform_symbols_begin and _end, the first lookup in a module
 * resolves every frame of the report that falls into it, in one pass over
 * the module's symbols (each frame at fl_frame_lookup's address, as the
 * core asks), and later lookups are answered from that per-report cache:
 * each file is opened once and its symbols scanned once.  A file whose
 * build-id differs from the loaded module's gets no symbols (it was
 * replaced on disk); a file without .symtab is read from its separate
 * debug file when there is one (debugfile.c).
 */
#include <elf.h>

#include "frame.h"
#include "platform.h"
#include "posix/posix.h"
#include "snapshot.h"
#include "str.h"

/* The module's ELF: its file, or for the vdso (which has no file) the
 * image the kernel maps.  The loader's extent of the vdso ends with its
 * last segment; its section headers lie beyond, in the same pages, so the
 * size comes from the header (reads stay probed: a wrong size can only
 * fail them). */
#define FL_VDSO_MAX (1024 * 1024)
static int src_matches(const struct fl_module *m, const struct fl_elf_src *s);
static int module_src(const struct fl_module *m, struct fl_elf_src *s)
{
	Elf64_Ehdr eh;
	uint64_t size;

	if (!fl_streq(m->path, FL_VDSO_PATH)) {
		if (fl_elf_open(m->path, s) != 0)
			return -1;
		if (src_matches(m, s))
			fl_debugfile_swap(m, s);
		return 0;
	}
	if (fl_mem_read(&eh, m->base, sizeof(eh)) != 0)
		return -1;
	size = eh.e_shoff + (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr);
	if (m->end > m->base && m->end - m->base > size)
		size = m->end - m->base;
	if (size > FL_VDSO_MAX)
		return -1;
	s->fd = -1;
	s->mem = m->base;
	s->size = size;
	return 0;
}

/* A file replaced on disk since it was loaded would give wrong names:
 * when both build-ids are known they must agree. */
static int src_matches(const struct fl_module *m, const struct fl_elf_src *s)
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

/* ------------------------------------------------------------------------
 * The per-crash symbol cache
 * ---------------------------------------------------------------------- */

/* Names live in a small arena (distinct names of one crash are few);
 * a frame whose name does not fit is looked up alone, uncached. */
#define FL_SYMCACHE_ARENA 4096

struct symcache_entry {
	uintptr_t base;	  /* module */
	uintptr_t lookup; /* address looked up */
	uintptr_t start;  /* symbol start (module vaddr) */
	uint16_t name;	  /* arena offset */
	uint8_t state;	  /* FL_SYM_* */
};
#define FL_SYM_NONE 0 /* the module has no symbol there */
#define FL_SYM_FOUND 1
#define FL_SYM_NO_ROOM 2 /* found, but the arena was full */

static struct {
	/* The frames named until fl_platform_symbols_end (NULL: none). */
	const struct faultline_fault *frames;
	size_t count;
	size_t next; /* where the next search starts */
	struct symcache_entry e[FAULTLINE_MAX_FRAMES];
	uintptr_t batched[FAULTLINE_MAX_FRAMES]; /* module bases done */
	size_t nbatched;
	size_t arena_used;
	char arena[FL_SYMCACHE_ARENA];
	/* symcache_fill's lookups: here rather than on the (alternate)
	 * stack, where 6.7 KiB of them would be the deepest frame of the
	 * handler; only the entries used are touched. */
	struct fl_elf_lookup q[FL_ELF_LOOKUP_MAX];
} symcache;

static int symcache_batched(uintptr_t base)
{
	size_t i;

	for (i = 0; i < symcache.nbatched; i++)
		if (symcache.batched[i] == base)
			return 1;
	return 0;
}

/* Copy the name of lookup q into the arena (shared with an equal earlier
 * one); -1 when the arena is full. */
static int symcache_name(const struct fl_elf_src *s,
			 const struct fl_elf_lookup *q, size_t k,
			 const struct fl_elf_lookup *all, uint16_t *name)
{
	size_t j, avail = FL_SYMCACHE_ARENA - symcache.arena_used;
	char *out = symcache.arena + symcache.arena_used;

	for (j = 0; j < k; j++)
		if (all[j].found && all[j].name_at == q->name_at) {
			*name = (uint16_t)(all[j].name - symcache.arena);
			return 0;
		}
	if (avail < 2 || fl_elf_read_name(s, q, out, avail) != 0)
		return -1;
	*name = (uint16_t)symcache.arena_used;
	symcache.arena_used += fl_strlen(out) + 1;
	return 0;
}

/* Resolve every frame of fault f inside module m in one pass. */
static void symcache_fill(const struct fl_module *m,
			  const struct faultline_fault *f)
{
	struct fl_elf_lookup *q = symcache.q;
	struct fl_elf_src s;
	size_t i, n = 0;

	for (i = 0; i < f->frame_count && n < FL_ELF_LOOKUP_MAX; i++) {
		uintptr_t a = fl_frame_lookup(f->frames[i], i);

		if (a >= m->base && a < m->end) {
			fl_memset(&q[n], 0, sizeof(q[n]));
			q[n++].vaddr = a - m->bias;
		}
	}
	if (n == 0 || module_src(m, &s) != 0)
		return;
	if (src_matches(m, &s) && fl_elf_symbolize_src(&s, q, n) == 0) {
		for (i = 0; i < n && symcache.count < FAULTLINE_MAX_FRAMES;
		     i++) {
			struct symcache_entry *e = &symcache.e[symcache.count];

			e->base = m->base;
			e->lookup = q[i].vaddr + m->bias;
			e->start = q[i].start;
			e->state = FL_SYM_NONE;
			if (q[i].found)
				e->state = symcache_name(&s, &q[i], i, q,
							 &e->name) == 0
						   ? FL_SYM_FOUND
						   : FL_SYM_NO_ROOM;
			/* where the name went, for sharing it */
			q[i].found = e->state == FL_SYM_FOUND;
			q[i].name = symcache.arena + e->name;
			symcache.count++;
		}
	}
	fl_elf_close(&s);
}

/* The cached answer for (m, pc): 1 found, 0 known to have no symbol,
 * -1 not in the cache. */
static int symcache_get(const struct fl_module *m, uintptr_t pc, char *name,
			size_t cap, uintptr_t *offset)
{
	const struct faultline_fault *f = symcache.frames;
	size_t i, k;

	if (f == NULL || m->end <= m->base)
		return -1;
	if (!symcache_batched(m->base) &&
	    symcache.nbatched < FAULTLINE_MAX_FRAMES) {
		symcache.batched[symcache.nbatched++] = m->base;
		symcache_fill(m, f);
	}
	/* Frames are asked for in order, and a module's entries were made
	 * in frame order: the answer is most often the entry after the
	 * previous one (a search from the start, per frame, was quadratic). */
	for (k = 0; k < symcache.count; k++) {
		const struct symcache_entry *e;

		i = symcache.next + k < symcache.count
			    ? symcache.next + k
			    : symcache.next + k - symcache.count;
		e = &symcache.e[i];
		if (e->base != m->base || e->lookup != pc)
			continue;
		symcache.next = i + 1;
		if (e->state == FL_SYM_NONE)
			return 0;
		if (e->state == FL_SYM_NO_ROOM)
			return -1; /* ask the file directly */
		fl_strlcpy(name, symcache.arena + e->name, cap);
		*offset = pc - m->bias - e->start;
		return 1;
	}
	return -1;
}

void fl_platform_symbols_begin(const struct faultline_fault *f)
{
	symcache.frames = f;
	symcache.count = 0;
	symcache.next = 0;
	symcache.nbatched = 0;
	symcache.arena_used = 0;
}

void fl_platform_symbols_end(void)
{
	symcache.frames = NULL;
}

int fl_platform_symbolize(const struct fl_module *m, uintptr_t pc, char *name,
			  size_t cap, uintptr_t *offset)
{
	struct fl_elf_lookup q = {pc - m->bias, NULL, 0, 0, 0, 0, 0};
	struct fl_elf_src s;
	int r = -1, cached = symcache_get(m, pc, name, cap, offset);

	if (cached >= 0)
		return cached == 1 ? 0 : -1;
	if (module_src(m, &s) != 0)
		return -1;
	if (src_matches(m, &s) && fl_elf_symbolize_src(&s, &q, 1) == 0 &&
	    q.found && fl_elf_read_name(&s, &q, name, cap) == 0) {
		*offset = q.vaddr - q.start;
		r = 0;
	}
	fl_elf_close(&s);
	return r;
}
