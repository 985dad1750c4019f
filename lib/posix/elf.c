/*
 * elf.c - ELF symbols and build-ids, read with syscalls only.
 *
 * Everything here may run inside the crash handler: no malloc, no stdio,
 * no locks.  Syscalls and pages touched for the first time are what a
 * crash report costs, so the design counts them:
 *
 *  - an image in memory is read through fl_mem_read (memory.c): one
 *    probe per 4 KiB granule per crash;
 *  - a module's file is read with pread into one static buffer: its
 *    section headers, its symbol table streamed in 64 KiB chunks, and the
 *    names of the winning symbols.  mmap would cost page faults and a TLB
 *    shootdown at munmap, both far dearer than the copies.  All frames
 *    that fall into one module are resolved in that single pass.
 *
 * Every offset taken from a file is checked against the file size: the
 * file on disk may be truncated, corrupt, or not the one that was loaded,
 * and a fault in here would cost the whole report.  The static buffers
 * make the lookups non-reentrant: the core lets one crashing thread in.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posix/posix.h"
#include "sink.h"
#include "snapshot.h"

/* Small reads (headers, notes, names) go through FL_BLOCKS cached blocks
 * of the open file; symbols stream through one FL_ELF_CHUNK buffer.  A
 * pread costs a few microseconds here whatever its size up to tens of
 * KiB: libc's .symtab (240 KiB, from its debug file) took 59 of them in
 * 4 KiB chunks, 4 in 64 KiB ones.  Blocks of 4 KiB hold a module's
 * section headers and their names in one or two reads (1 KiB blocks
 * took four to seven).  The buffer's pages cost nothing
 * extra in a crash, whose handler makes all of .bss present at once
 * (fl_populate_crash_memory); a dump touches them once. */
#define FL_BLOCK 4096
#define FL_BLOCKS 4
#define FL_ELF_CHUNK 65536
#define FL_NAME_CHUNK 128

/*
 * All of this file's crash-time state in one page-aligned struct: each
 * page the handler touches for the first time is a page fault (tens of
 * microseconds in a VM, more than a pread), and separate statics
 * scattered over .bss would have the handler touch a page for each scalar
 * and each buffer's straddling edge.  The cached blocks and the symbol
 * chunk share their storage (never in use at once: sym_stream forgets the
 * blocks).
 */
static _Alignas(4096) struct {
	unsigned block_next;		 /* next block to evict */
	uint64_t block_index[FL_BLOCKS]; /* block number + 1; 0 empty */
	size_t block_len[FL_BLOCKS];	 /* bytes valid (short at EOF) */
	union {
		Elf64_Sym sym_chunk[FL_ELF_CHUNK / sizeof(Elf64_Sym)];
		unsigned char block[FL_BLOCKS][FL_BLOCK];
	} u;
} reader;

/* ------------------------------------------------------------------------
 * Sources: a file (pread) or an image in our memory, bounds-checked
 * ---------------------------------------------------------------------- */

/* Small reads (headers, notes, names) go through the cached 1 KiB blocks
 * of the open file (reader.block): the ELF header, program headers and
 * notes share one block, the section headers another, so a module costs a
 * handful of preads instead of one per structure. */

static void blocks_forget(void)
{
	unsigned i;

	for (i = 0; i < FL_BLOCKS; i++)
		reader.block_index[i] = 0;
}

static int pread_full(int fd, void *dst, size_t len, uint64_t off)
{
	char *out = dst;

	while (len > 0) {
		ssize_t n = pread(fd, out, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1; /* truncated since fstat */
		out += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* The cached block holding file offset off. */
static const unsigned char *block_get(const struct fl_elf_src *s, uint64_t off,
				      size_t *avail)
{
	uint64_t b = off / FL_BLOCK;
	unsigned i;
	size_t len;

	for (i = 0; i < FL_BLOCKS && reader.block_index[i] != b + 1; i++)
		;
	if (i == FL_BLOCKS) {
		i = reader.block_next++ % FL_BLOCKS;
		len = s->size - b * FL_BLOCK < FL_BLOCK
			      ? (size_t)(s->size - b * FL_BLOCK)
			      : FL_BLOCK;
		reader.block_index[i] = 0;
		if (pread_full(s->fd, reader.u.block[i], len, b * FL_BLOCK) !=
		    0)
			return NULL;
		reader.block_index[i] = b + 1;
		reader.block_len[i] = len;
	}
	if (off - b * FL_BLOCK >= reader.block_len[i])
		return NULL;
	*avail = reader.block_len[i] - (size_t)(off - b * FL_BLOCK);
	return reader.u.block[i] + (off - b * FL_BLOCK);
}

int fl_elf_open(const char *path, struct fl_elf_src *s)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size < sizeof(Elf64_Ehdr)) {
		close(fd);
		return -1;
	}
	blocks_forget(); /* fds are reused: blocks belong to one file */
	s->fd = fd;
	s->mem = 0;
	s->size = (uint64_t)st.st_size;
	return 0;
}

void fl_elf_close(struct fl_elf_src *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	blocks_forget();
}

int fl_elf_read(const struct fl_elf_src *s, void *dst, uint64_t off, size_t len)
{
	unsigned char *out = dst;

	if (off > s->size || len > s->size - off)
		return -1;
	if (s->fd < 0)
		return fl_mem_read(dst, (uintptr_t)(s->mem + off), len);
	if (len > FL_BLOCK)
		return pread_full(s->fd, dst, len, off);
	while (len > 0) {
		size_t avail;
		const unsigned char *p = block_get(s, off, &avail);

		if (p == NULL)
			return -1;
		if (avail > len)
			avail = len;
		fl_memcpy(out, p, avail);
		out += avail;
		off += avail;
		len -= avail;
	}
	return 0;
}

static int elf_header(const struct fl_elf_src *s, Elf64_Ehdr *eh)
{
	if (fl_elf_read(s, eh, 0, sizeof(*eh)) != 0 ||
	    eh->e_ident[EI_MAG0] != ELFMAG0 ||
	    eh->e_ident[EI_MAG1] != ELFMAG1 ||
	    eh->e_ident[EI_MAG2] != ELFMAG2 ||
	    eh->e_ident[EI_MAG3] != ELFMAG3 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------------
 * Symbol lookup: many addresses, one pass over a symbol table
 * ---------------------------------------------------------------------- */

/* Ranking of a candidate symbol for one address: a sized symbol that
 * contains it beats the nearest preceding unsized FUNC; a function beats
 * an object; a global name beats a local alias of the same code. */
#define FL_RANK_CONTAINS 4
#define FL_RANK_FUNC 2
#define FL_RANK_GLOBAL 1

struct sym_best {
	int rank;
	uint32_t name; /* string table offset of the winner */
	uint64_t start;
	uint64_t last_start; /* highest symbol start <= vaddr seen */
};

/* A symbol table and its string table, as file offsets. */
struct sym_table {
	uint64_t off, count;
	uint64_t str_off, str_size;
};

struct sym_pass {
	struct fl_elf_lookup *q;    /* the lookups */
	const unsigned char *order; /* indexes of q, by vaddr */
	struct sym_best *best;	    /* per sorted position */
	size_t n;
	uint64_t str_size;
};

/* The one chunk buffer (reader.sym_chunk): symbols stream through it
 * (FL_ELF_CHUNK says why it is 64 KiB). */

/* First sorted position whose vaddr is >= addr. */
static size_t lower_bound(const struct sym_pass *p, uint64_t addr)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->q[p->order[mid]].vaddr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void sym_offer(const struct sym_pass *p, size_t pos, const Elf64_Sym *s,
		      int rank)
{
	struct sym_best *b = &p->best[pos];

	if (rank < b->rank || (rank == b->rank && s->st_value <= b->start))
		return; /* keep the better, or the innermost equal one */
	b->rank = rank;
	b->start = s->st_value;
	b->name = s->st_name;
}

static void sym_consider(const struct sym_pass *p, const Elf64_Sym *s)
{
	int type = ELF64_ST_TYPE(s->st_info);
	int rank = ELF64_ST_BIND(s->st_info) != STB_LOCAL ? FL_RANK_GLOBAL : 0;
	size_t pos;

	if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_OBJECT)
		return;
	if (s->st_shndx == SHN_UNDEF || s->st_value == 0 || s->st_name == 0 ||
	    s->st_name >= p->str_size)
		return;
	if (type != STT_OBJECT)
		rank += FL_RANK_FUNC;
	pos = lower_bound(p, s->st_value);
	if (s->st_size != 0) {
		for (; pos < p->n &&
		       p->q[p->order[pos]].vaddr - s->st_value < s->st_size;
		     pos++)
			sym_offer(p, pos, s, rank + FL_RANK_CONTAINS);
		return;
	}
	/* Unsized: a candidate for every later address; whether it is the
	 * nearest is settled in sym_winners with last_start. */
	if (type == STT_OBJECT)
		return;
	for (; pos < p->n; pos++)
		sym_offer(p, pos, s, FL_RANK_FUNC);
}

/* Track, per address, the highest start of any symbol at or below it:
 * an unsized FUNC only names an address when no other symbol starts in
 * between (else the address sits in a gap after that one). */
static void sym_track_start(const struct sym_pass *p, const Elf64_Sym *s)
{
	size_t pos;

	if (s->st_shndx == SHN_UNDEF || s->st_value == 0)
		return;
	pos = lower_bound(p, s->st_value);
	for (; pos < p->n && p->best[pos].last_start < s->st_value; pos++)
		p->best[pos].last_start = s->st_value;
}

static void sym_scan(const struct sym_pass *p, const Elf64_Sym *syms,
		     size_t count)
{
	/* A symbol starting above every address looked up can neither
	 * contain one nor precede one: most of a big table, skipped before
	 * the binary searches. */
	uint64_t highest = p->q[p->order[p->n - 1]].vaddr;
	size_t i;

	for (i = 0; i < count; i++) {
		if (syms[i].st_value > highest)
			continue;
		sym_consider(p, &syms[i]);
		if (ELF64_ST_TYPE(syms[i].st_info) == STT_FUNC ||
		    syms[i].st_size != 0)
			sym_track_start(p, &syms[i]);
	}
}

/* The symbols stream through the blocks' storage: the blocks are
 * forgotten, and a file's chunks are read with pread, never through the
 * block cache (whose copy would overlap its source). */
static int sym_stream(const struct sym_pass *p, const struct fl_elf_src *s,
		      const struct sym_table *t)
{
	const size_t per =
		sizeof(reader.u.sym_chunk) / sizeof(reader.u.sym_chunk[0]);
	uint64_t i, k;
	int r = 0;

	blocks_forget();
	if (t->off > s->size ||
	    t->count > (s->size - t->off) / sizeof(Elf64_Sym))
		return -1;
	for (i = 0; i < t->count && r == 0; i += k) {
		uint64_t off = t->off + i * sizeof(Elf64_Sym);
		size_t len;

		k = t->count - i < per ? t->count - i : per;
		len = (size_t)k * sizeof(Elf64_Sym);
		r = s->fd >= 0 ? pread_full(s->fd, reader.u.sym_chunk, len, off)
			       : fl_elf_read(s, reader.u.sym_chunk, off, len);
		if (r == 0)
			sym_scan(p, reader.u.sym_chunk, (size_t)k);
	}
	blocks_forget();
	return r;
}

int fl_elf_read_name(const struct fl_elf_src *s, const struct fl_elf_lookup *q,
		     char *out, size_t cap)
{
	size_t len, done = 0, k;

	if (!q->found || cap == 0)
		return -1;
	len = q->name_max < cap - 1 ? (size_t)q->name_max : cap - 1;
	/* A chunk at a time up to the NUL: names are tens of bytes, and
	 * the caller's room (up to 4 KiB) read whole was a pread and a copy
	 * of kilobytes per name, and pages of the arena touched for
	 * nothing. */
	while (done < len) {
		size_t chunk =
			len - done < FL_NAME_CHUNK ? len - done : FL_NAME_CHUNK;

		if (fl_elf_read(s, out + done, q->name_at + done, chunk) != 0)
			return -1;
		for (k = 0; k < chunk && out[done + k] != '\0'; k++)
			;
		done += k;
		if (k < chunk)
			break;
	}
	out[done] = '\0';
	return 0;
}

/* Record the winners: where each name is (read later, and only once per
 * distinct symbol, by the caller). */
static void sym_winners(const struct sym_pass *p, const struct sym_table *t)
{
	size_t pos;

	for (pos = 0; pos < p->n; pos++) {
		const struct sym_best *b = &p->best[pos];
		struct fl_elf_lookup *q = &p->q[p->order[pos]];

		if (b->rank == 0 || q->found)
			continue;
		if (b->rank < FL_RANK_CONTAINS && b->last_start > b->start)
			continue;
		q->start = b->start;
		q->name_at = t->str_off + b->name;
		q->name_max = t->str_size - b->name;
		q->found = 1;
	}
}

/* Find the table of the given type (SHT_SYMTAB, SHT_DYNSYM) and its
 * string table, reading section headers a handful at a time.  They come
 * out of the block cache: reading 8 rather than 32 at a time costs no
 * syscall, and keeps 1.5 KiB off the (alternate) stack. */
#define FL_SHDRS_AT_ONCE 8
static int find_table(const struct fl_elf_src *s, unsigned type,
		      struct sym_table *t)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh[FL_SHDRS_AT_ONCE], str;
	uint64_t n, i, j, k;

	if (elf_header(s, &eh) != 0 || eh.e_shoff == 0 ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN))
		return -1; /* st_value is section-relative in ET_REL */
	if (fl_elf_read(s, sh, eh.e_shoff, sizeof(sh[0])) != 0)
		return -1;
	n = eh.e_shnum != 0 ? eh.e_shnum : sh[0].sh_size; /* extended */
	for (i = 0; i < n; i += k) {
		k = n - i < FL_SHDRS_AT_ONCE ? n - i : FL_SHDRS_AT_ONCE;
		if (fl_elf_read(s, sh, eh.e_shoff + i * sizeof(sh[0]),
				(size_t)k * sizeof(sh[0])) != 0)
			return -1;
		for (j = 0; j < k; j++) {
			if (sh[j].sh_type != type || sh[j].sh_link >= n ||
			    (sh[j].sh_entsize != 0 &&
			     sh[j].sh_entsize != sizeof(Elf64_Sym)))
				continue;
			if (fl_elf_read(s, &str,
					eh.e_shoff +
						sh[j].sh_link * sizeof(str),
					sizeof(str)) != 0 ||
			    str.sh_type != SHT_STRTAB)
				return -1;
			t->off = sh[j].sh_offset;
			t->count = sh[j].sh_size / sizeof(Elf64_Sym);
			t->str_off = str.sh_offset;
			t->str_size = str.sh_size;
			return 0;
		}
	}
	return -1;
}

/* Insertion sort of lookup indexes by address: n is at most a few hundred
 * (the frames of one crash in one module). */
static void sort_lookups(const struct fl_elf_lookup *q, unsigned char *ord,
			 size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		ord[i] = (unsigned char)i;
	for (i = 1; i < n; i++) {
		unsigned char v = ord[i];

		for (j = i; j > 0 && q[ord[j - 1]].vaddr > q[v].vaddr; j--)
			ord[j] = ord[j - 1];
		ord[j] = v;
	}
}

static void lookup_table(const struct fl_elf_src *s, unsigned type,
			 struct fl_elf_lookup *q, const unsigned char *ord,
			 size_t n)
{
	struct sym_best best[FL_ELF_LOOKUP_MAX];
	struct sym_pass p = {q, ord, best, n, 0};
	struct sym_table t;
	size_t i;

	for (i = 0; i < n && q[i].found; i++)
		;
	if (i == n || find_table(s, type, &t) != 0)
		return; /* nothing left to find, or no such table */
	/* The string table must lie inside the source: names are read from
	 * it at offsets below str_size. */
	if (t.str_off > s->size || t.str_size > s->size - t.str_off)
		return;
	p.str_size = t.str_size;
	fl_memset(best, 0, sizeof(best[0]) * n);
	if (sym_stream(&p, s, &t) == 0)
		sym_winners(&p, &t);
}

int fl_elf_symbolize_src(const struct fl_elf_src *s, struct fl_elf_lookup *q,
			 size_t n)
{
	unsigned char ord[FL_ELF_LOOKUP_MAX];
	Elf64_Ehdr eh;
	size_t i;

	if (n > FL_ELF_LOOKUP_MAX || elf_header(s, &eh) != 0)
		return -1;
	for (i = 0; i < n; i++)
		q[i].found = 0;
	sort_lookups(q, ord, n);
	/* .symtab has the static functions; .dynsym is what a stripped
	 * library still has.  Addresses .symtab misses get a second try. */
	lookup_table(s, SHT_SYMTAB, q, ord, n);
	lookup_table(s, SHT_DYNSYM, q, ord, n);
	return 0;
}

int fl_elf_symbolize_image(const void *data, size_t size,
			   struct fl_elf_lookup *q, size_t n)
{
	struct fl_elf_src s = {-1, (uintptr_t)data, size};
	size_t i;

	fl_mem_forget(); /* a new image: what was mapped may not be */
	if (fl_elf_symbolize_src(&s, q, n) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (q[i].found &&
		    fl_elf_read_name(&s, &q[i], q[i].name, q[i].cap) != 0)
			q[i].found = 0;
	return 0;
}

int fl_elf_symbolize(const char *path, uintptr_t vaddr, char *name, size_t cap,
		     uintptr_t *offset)
{
	struct fl_elf_lookup q = {vaddr, name, cap, 0, 0, 0, 0};
	struct fl_elf_src s;
	int r;

	if (fl_elf_open(path, &s) != 0)
		return -1;
	r = fl_elf_symbolize_src(&s, &q, 1);
	if (r == 0 && q.found)
		r = fl_elf_read_name(&s, &q, name, cap);
	fl_elf_close(&s);
	if (r != 0 || !q.found)
		return -1;
	*offset = vaddr - q.start;
	return 0;
}

/* ------------------------------------------------------------------------
 * Build-ids
 * ---------------------------------------------------------------------- */

/* Walk the notes in [at, at+size) of the source for NT_GNU_BUILD_ID. */
static size_t notes_build_id(const struct fl_elf_src *s, uint64_t at,
			     uint64_t size, uint64_t align, unsigned char *out,
			     size_t cap)
{
	uint64_t end = at + size;
	Elf64_Nhdr nh;
	char name[4];

	if (align != 8)
		align = 4;
	while (end > at && end - at >= sizeof(nh)) {
		uint64_t name_at = at + sizeof(nh), desc_at;

		if (fl_elf_read(s, &nh, at, sizeof(nh)) != 0)
			return 0;
		desc_at = name_at + ((nh.n_namesz + align - 1) & ~(align - 1));
		at = desc_at + ((nh.n_descsz + align - 1) & ~(align - 1));
		if (desc_at + nh.n_descsz > end || at > end)
			return 0;
		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
		    fl_elf_read(s, name, name_at, 4) != 0 || name[0] != 'G' ||
		    name[1] != 'N' || name[2] != 'U' || name[3] != '\0')
			continue;
		if (nh.n_descsz == 0 || nh.n_descsz > cap ||
		    fl_elf_read(s, out, desc_at, nh.n_descsz) != 0)
			return 0;
		return nh.n_descsz;
	}
	return 0;
}

#define FL_PHDRS_MAX 64

/* Program header i of the ELF whose header eh is at offset hdr. */
static int phdr_read(const struct fl_elf_src *s, uint64_t hdr,
		     const Elf64_Ehdr *eh, size_t i, Elf64_Phdr *ph)
{
	return fl_elf_read(s, ph, hdr + eh->e_phoff + i * sizeof(*ph),
			   sizeof(*ph));
}

/* Load bias of a mapped ELF whose header is at hdr: the segment mapping
 * file offset 0 starts at the header. */
static int phdrs_bias(const struct fl_elf_src *s, uint64_t hdr,
		      const Elf64_Ehdr *eh, uint64_t *bias)
{
	uint64_t lowest = UINT64_MAX;
	Elf64_Phdr ph;
	size_t i;

	for (i = 0; i < eh->e_phnum; i++) {
		if (phdr_read(s, hdr, eh, i, &ph) != 0)
			return -1;
		if (ph.p_type == PT_LOAD && ph.p_vaddr - ph.p_offset < lowest)
			lowest = ph.p_vaddr - ph.p_offset;
	}
	*bias = lowest == UINT64_MAX ? 0 : hdr - lowest;
	return 0;
}

/* The PT_NOTE segments of the ELF whose header is at offset hdr of the
 * source: a file (notes at p_offset) or all of memory (notes at
 * bias + p_vaddr).  The headers are read one at a time, each from the
 * block cache or a probed granule: an array of them on the stack (3.5
 * KiB) would make this the deepest point of the handler, a page fault or
 * two on the alternate stack. */
static size_t phdrs_build_id(const struct fl_elf_src *s, uint64_t hdr,
			     int mapped, unsigned char *out, size_t cap)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint64_t bias = 0;
	size_t i, len;

	if (fl_elf_read(s, &eh, hdr, sizeof(eh)) != 0 ||
	    eh.e_ident[EI_MAG0] != ELFMAG0 || eh.e_ident[EI_MAG1] != ELFMAG1 ||
	    eh.e_ident[EI_MAG2] != ELFMAG2 || eh.e_ident[EI_MAG3] != ELFMAG3 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > FL_PHDRS_MAX)
		return 0;
	if (mapped && phdrs_bias(s, hdr, &eh, &bias) != 0)
		return 0;
	for (i = 0; i < eh.e_phnum; i++) {
		if (phdr_read(s, hdr, &eh, i, &ph) != 0)
			return 0;
		if (ph.p_type != PT_NOTE)
			continue;
		len = notes_build_id(s,
				     mapped ? bias + ph.p_vaddr : ph.p_offset,
				     ph.p_filesz, ph.p_align, out, cap);
		if (len != 0)
			return len;
	}
	return 0;
}

size_t fl_elf_build_id_mapped(uintptr_t base, unsigned char *out, size_t cap)
{
	struct fl_elf_src all = {-1, 0, UINTPTR_MAX};

	return phdrs_build_id(&all, base, 1, out, cap);
}

size_t fl_elf_build_id_src(const struct fl_elf_src *s, unsigned char *out,
			   size_t cap)
{
	return phdrs_build_id(s, 0, 0, out, cap);
}
