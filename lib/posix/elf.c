/*
 * elf.c - ELF symbols and build-ids, read with syscalls only.
 *
 * Everything here may run inside the crash handler: no malloc, no stdio,
 * no locks.  A module's file is opened and mapped once per crash
 * (open + fstat + mmap), all frames that fall into it are resolved in one
 * pass over its symbol table, then it is unmapped.  Every offset taken from
 * the file is checked against the file size first: the file on disk may be
 * truncated, corrupt or not the one that was loaded, and a fault in here
 * would cost the whole report.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "posix/posix.h"
#include "sink.h"
#include "snapshot.h"

/* ------------------------------------------------------------------------
 * Reading memory that may not be mapped
 * ---------------------------------------------------------------------- */

/*
 * Why process_vm_readv: it copies from our own address space through the
 * kernel, so an unmapped or PROT_NONE source yields EFAULT instead of a
 * SIGSEGV inside the handler, in one syscall, with no state to set up.
 * (mincore cannot tell PROT_NONE pages from readable ones; catching a
 * nested SIGSEGV with sigsetjmp would need a second handler.)  Seccomp
 * filters (containers) and some emulators refuse it: then the bytes go
 * through a pipe, whose write() also fails with EFAULT on a bad source.
 */
static int fl_vm_read(void *dst, uintptr_t src, size_t len)
{
	struct iovec local = {dst, len};
	struct iovec remote = {(void *)src, len};
	long n = syscall(SYS_process_vm_readv, (long)getpid(), &local, 1UL,
			 &remote, 1UL, 0UL);

	if (n == (long)len)
		return 0;
	if (n >= 0 || errno == EFAULT)
		return -1; /* partly or not mapped */
	return 1;          /* not usable here: try the pipe */
}

static int fl_probe_pipe[2] = {-1, -1};

/* The probe pipe is made on first use (pipe2 is a syscall); a thread that
 * loses the race closes its own pair. */
static int fl_probe_pipe_get(int fds[2])
{
	int mine[2];
	int expected = -1;

	if (__atomic_load_n(&fl_probe_pipe[1], __ATOMIC_ACQUIRE) < 0) {
		if (pipe2(mine, O_CLOEXEC | O_NONBLOCK) != 0)
			return -1;
		__atomic_store_n(&fl_probe_pipe[0], mine[0], __ATOMIC_RELAXED);
		if (!__atomic_compare_exchange_n(&fl_probe_pipe[1], &expected,
						 mine[1], 0, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE)) {
			close(mine[0]);
			close(mine[1]);
		}
	}
	fds[0] = __atomic_load_n(&fl_probe_pipe[0], __ATOMIC_ACQUIRE);
	fds[1] = __atomic_load_n(&fl_probe_pipe[1], __ATOMIC_ACQUIRE);
	return 0;
}

static int fl_pipe_read(void *dst, uintptr_t src, size_t len)
{
	int fds[2];
	char *out = dst;

	if (fl_probe_pipe_get(fds) != 0)
		return -1;
	while (len > 0) {
		size_t chunk = len > 4096 ? 4096 : len;
		ssize_t w = write(fds[1], (const void *)src, chunk);

		if (w <= 0)
			return -1; /* EFAULT: not readable */
		if (read(fds[0], out, (size_t)w) != w)
			return -1;
		out += w;
		src += (uintptr_t)w;
		len -= (size_t)w;
	}
	return 0;
}

int fl_safe_read(void *dst, uintptr_t src, size_t len)
{
	int r;

	if (len == 0)
		return 0;
	if (src == 0 || src + len < src)
		return -1;
	r = fl_vm_read(dst, src, len);
	if (r <= 0)
		return r;
	return fl_pipe_read(dst, src, len);
}

/* ------------------------------------------------------------------------
 * ELF images (a mapped file, or the vdso in memory), bounds-checked
 * ---------------------------------------------------------------------- */

struct fl_elf_image {
	const unsigned char *data;
	size_t size;
};

/* Pointer to [off, off+len) of the image, or NULL when out of bounds. */
static const void *fl_elf_at(const struct fl_elf_image *img, uint64_t off,
			     uint64_t len)
{
	if (off > img->size || len > img->size - off)
		return NULL;
	return img->data + off;
}

static const Elf64_Ehdr *fl_elf_header(const struct fl_elf_image *img)
{
	const Elf64_Ehdr *eh = fl_elf_at(img, 0, sizeof(*eh));

	if (eh == NULL || eh->e_ident[EI_MAG0] != ELFMAG0 ||
	    eh->e_ident[EI_MAG1] != ELFMAG1 ||
	    eh->e_ident[EI_MAG2] != ELFMAG2 ||
	    eh->e_ident[EI_MAG3] != ELFMAG3 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64)
		return NULL;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return NULL; /* st_value is section-relative in ET_REL */
	return eh;
}

/* Section header table and its length (extended numbering included). */
static const Elf64_Shdr *fl_elf_sections(const struct fl_elf_image *img,
					 size_t *count)
{
	const Elf64_Ehdr *eh = fl_elf_header(img);
	const Elf64_Shdr *sh;
	uint64_t n;

	if (eh == NULL || eh->e_shoff == 0 ||
	    eh->e_shentsize != sizeof(Elf64_Shdr))
		return NULL;
	sh = fl_elf_at(img, eh->e_shoff, sizeof(*sh));
	if (sh == NULL)
		return NULL;
	n = eh->e_shnum != 0 ? eh->e_shnum : sh[0].sh_size;
	if (n == 0 || n > img->size / sizeof(*sh) ||
	    fl_elf_at(img, eh->e_shoff, n * sizeof(*sh)) == NULL)
		return NULL;
	*count = (size_t)n;
	return sh;
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

struct fl_sym_best {
	int rank;
	uint64_t start;
	const char *name; /* into the string table */
	size_t name_max;  /* bytes left in the string table */
	uint64_t last_start; /* highest symbol start <= vaddr seen */
};

struct fl_sym_pass {
	struct fl_elf_lookup *q; /* the lookups */
	const unsigned char *order; /* indexes of q, by vaddr */
	struct fl_sym_best *best;   /* per sorted position */
	size_t n;
	const char *strtab;
	size_t strtab_size;
};

/* First sorted position whose vaddr is >= addr. */
static size_t fl_lower_bound(const struct fl_sym_pass *p, uint64_t addr)
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

static void fl_sym_offer(const struct fl_sym_pass *p, size_t pos,
			 const Elf64_Sym *s, int rank)
{
	struct fl_sym_best *b = &p->best[pos];

	if (rank < b->rank || (rank == b->rank && s->st_value <= b->start))
		return; /* keep the better, or the innermost equal one */
	b->rank = rank;
	b->start = s->st_value;
	b->name = p->strtab + s->st_name;
	b->name_max = p->strtab_size - s->st_name;
}

static void fl_sym_consider(const struct fl_sym_pass *p, const Elf64_Sym *s)
{
	int type = ELF64_ST_TYPE(s->st_info);
	int rank = ELF64_ST_BIND(s->st_info) != STB_LOCAL ? FL_RANK_GLOBAL : 0;
	size_t pos;

	if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_OBJECT)
		return;
	if (s->st_shndx == SHN_UNDEF || s->st_value == 0 ||
	    s->st_name == 0 || s->st_name >= p->strtab_size)
		return;
	if (type != STT_OBJECT)
		rank += FL_RANK_FUNC;
	pos = fl_lower_bound(p, s->st_value);
	if (s->st_size != 0) {
		for (; pos < p->n &&
		       p->q[p->order[pos]].vaddr - s->st_value < s->st_size;
		     pos++)
			fl_sym_offer(p, pos, s, rank + FL_RANK_CONTAINS);
		return;
	}
	/* Unsized: a candidate for every later address; whether it is the
	 * nearest is settled in fl_sym_finish with last_start. */
	if (type == STT_OBJECT)
		return;
	for (; pos < p->n; pos++)
		fl_sym_offer(p, pos, s, FL_RANK_FUNC);
}

/* Track, per address, the highest start of any symbol at or below it:
 * an unsized FUNC only names an address when no other symbol starts in
 * between (else the address sits in a gap after that one). */
static void fl_sym_track_start(const struct fl_sym_pass *p, const Elf64_Sym *s)
{
	size_t pos;

	if (s->st_shndx == SHN_UNDEF || s->st_value == 0)
		return;
	pos = fl_lower_bound(p, s->st_value);
	for (; pos < p->n && p->best[pos].last_start < s->st_value; pos++)
		p->best[pos].last_start = s->st_value;
}

static void fl_sym_scan(const struct fl_sym_pass *p, const Elf64_Sym *syms,
			size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		fl_sym_consider(p, &syms[i]);
		if (ELF64_ST_TYPE(syms[i].st_info) == STT_FUNC ||
		    syms[i].st_size != 0)
			fl_sym_track_start(p, &syms[i]);
	}
}

/* Copy the winners out; the name stops at NUL or the string table's end. */
static void fl_sym_finish(const struct fl_sym_pass *p)
{
	size_t pos, k;

	for (pos = 0; pos < p->n; pos++) {
		struct fl_sym_best *b = &p->best[pos];
		struct fl_elf_lookup *q = &p->q[p->order[pos]];

		if (b->rank == 0 || q->found)
			continue;
		if (b->rank < FL_RANK_CONTAINS && b->last_start > b->start)
			continue;
		for (k = 0; k + 1 < q->cap && k < b->name_max && b->name[k];
		     k++)
			q->name[k] = b->name[k];
		if (q->cap > 0)
			q->name[k] = '\0';
		q->start = b->start;
		q->found = 1;
	}
}

/* Symbols of one table (SHT_SYMTAB or SHT_DYNSYM) with its strings. */
static int fl_elf_symtab(const struct fl_elf_image *img, unsigned type,
			 const Elf64_Sym **syms, size_t *count,
			 const char **str, size_t *str_size)
{
	size_t n, i;
	const Elf64_Shdr *sh = fl_elf_sections(img, &n);

	if (sh == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		const Elf64_Shdr *strh;

		if (sh[i].sh_type != type || sh[i].sh_link >= n)
			continue;
		if (sh[i].sh_entsize != 0 &&
		    sh[i].sh_entsize != sizeof(Elf64_Sym))
			continue;
		strh = &sh[sh[i].sh_link];
		if (strh->sh_type != SHT_STRTAB)
			continue;
		*syms = fl_elf_at(img, sh[i].sh_offset, sh[i].sh_size);
		*str = fl_elf_at(img, strh->sh_offset, strh->sh_size);
		if (*syms == NULL || *str == NULL ||
		    sh[i].sh_offset % _Alignof(Elf64_Sym) != 0)
			return -1;
		*count = sh[i].sh_size / sizeof(Elf64_Sym);
		*str_size = strh->sh_size;
		return 0;
	}
	return -1;
}

/* Insertion sort of lookup indexes by address: n is at most a few hundred
 * (the frames of one crash in one module). */
static void fl_sort_lookups(const struct fl_elf_lookup *q, unsigned char *ord,
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

static void fl_elf_lookup_table(const struct fl_elf_image *img, unsigned type,
				struct fl_elf_lookup *q, const unsigned char *ord,
				size_t n)
{
	struct fl_sym_best best[FL_ELF_LOOKUP_MAX];
	struct fl_sym_pass p = {q, ord, best, n, NULL, 0};
	const Elf64_Sym *syms;
	size_t count;

	if (fl_elf_symtab(img, type, &syms, &count, &p.strtab,
			  &p.strtab_size) != 0)
		return;
	fl_memset(best, 0, sizeof(best[0]) * n);
	fl_sym_scan(&p, syms, count);
	fl_sym_finish(&p);
}

int fl_elf_symbolize_image(const void *data, size_t size,
			   struct fl_elf_lookup *q, size_t n)
{
	struct fl_elf_image img = {data, size};
	unsigned char ord[FL_ELF_LOOKUP_MAX];
	size_t i;

	if (n > FL_ELF_LOOKUP_MAX || fl_elf_header(&img) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		q[i].found = 0;
	fl_sort_lookups(q, ord, n);
	/* .symtab has the static functions; .dynsym is what a stripped
	 * library still has.  Addresses .symtab misses get a second try. */
	fl_elf_lookup_table(&img, SHT_SYMTAB, q, ord, n);
	fl_elf_lookup_table(&img, SHT_DYNSYM, q, ord, n);
	return 0;
}

/* ------------------------------------------------------------------------
 * Files: open + fstat + mmap, nothing else
 * ---------------------------------------------------------------------- */

int fl_elf_map(const char *path, struct fl_elf_map *m)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size < sizeof(Elf64_Ehdr)) {
		close(fd);
		return -1;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd); /* the mapping keeps the file */
	if (p == MAP_FAILED)
		return -1;
	m->data = p;
	m->size = (size_t)st.st_size;
	return 0;
}

void fl_elf_unmap(struct fl_elf_map *m)
{
	if (m->data != NULL)
		munmap((void *)m->data, m->size);
	m->data = NULL;
	m->size = 0;
}

int fl_elf_symbolize(const char *path, uintptr_t vaddr, char *name,
		     size_t cap, uintptr_t *offset)
{
	struct fl_elf_lookup q = {vaddr, name, cap, 0, 0};
	struct fl_elf_map m;
	int r;

	if (fl_elf_map(path, &m) != 0)
		return -1;
	r = fl_elf_symbolize_image(m.data, m.size, &q, 1);
	fl_elf_unmap(&m);
	if (r != 0 || !q.found)
		return -1;
	*offset = vaddr - q.start;
	return 0;
}

/* ------------------------------------------------------------------------
 * Build-ids
 * ---------------------------------------------------------------------- */

/* Reads len bytes at an address of the ELF's own space (an image offset
 * for files, a memory address for mapped modules). */
typedef int (*fl_elf_reader)(const void *ctx, void *dst, uint64_t at,
			     size_t len);

static int fl_read_memory(const void *ctx, void *dst, uint64_t at, size_t len)
{
	(void)ctx;
	return fl_safe_read(dst, (uintptr_t)at, len);
}

static int fl_read_image(const void *ctx, void *dst, uint64_t at, size_t len)
{
	const void *src = fl_elf_at(ctx, at, len);

	if (src == NULL)
		return -1;
	fl_memcpy(dst, src, len);
	return 0;
}

/* Walk the notes in [at, at+size) for NT_GNU_BUILD_ID. */
static size_t fl_notes_build_id(fl_elf_reader rd, const void *ctx, uint64_t at,
				uint64_t size, uint64_t align,
				unsigned char *out, size_t cap)
{
	uint64_t end = at + size;
	Elf64_Nhdr nh;
	char name[4];

	if (align != 8)
		align = 4;
	while (at + sizeof(nh) <= end && at + sizeof(nh) > at) {
		uint64_t name_at = at + sizeof(nh), desc_at;

		if (rd(ctx, &nh, at, sizeof(nh)) != 0)
			return 0;
		desc_at = name_at + ((nh.n_namesz + align - 1) & ~(align - 1));
		at = desc_at + ((nh.n_descsz + align - 1) & ~(align - 1));
		if (desc_at + nh.n_descsz > end || at > end)
			return 0;
		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
		    rd(ctx, name, name_at, 4) != 0 || name[0] != 'G' ||
		    name[1] != 'N' || name[2] != 'U' || name[3] != '\0')
			continue;
		if (nh.n_descsz == 0 || nh.n_descsz > cap)
			return 0;
		if (rd(ctx, out, desc_at, nh.n_descsz) != 0)
			return 0;
		return nh.n_descsz;
	}
	return 0;
}

/* The PT_NOTE segments of an ELF whose header is at hdr; addresses are
 * memory addresses (mapped, bias added) or file offsets (image). */
static size_t fl_phdrs_build_id(fl_elf_reader rd, const void *ctx,
				uint64_t hdr, int mapped, unsigned char *out,
				size_t cap)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint64_t bias = 0, lowest = UINT64_MAX;
	unsigned pass, i;
	size_t len;

	if (rd(ctx, &eh, hdr, sizeof(eh)) != 0 ||
	    eh.e_ident[EI_MAG0] != ELFMAG0 || eh.e_ident[EI_MAG1] != ELFMAG1 ||
	    eh.e_ident[EI_MAG2] != ELFMAG2 || eh.e_ident[EI_MAG3] != ELFMAG3 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256)
		return 0;
	/* Pass 0 finds the load bias from the segment mapping offset 0
	 * (the header is at its start); pass 1 reads the notes. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < eh.e_phnum; i++) {
			if (rd(ctx, &ph, hdr + eh.e_phoff + i * sizeof(ph),
			       sizeof(ph)) != 0)
				return 0;
			if (pass == 0 && ph.p_type == PT_LOAD &&
			    ph.p_vaddr - ph.p_offset < lowest)
				lowest = ph.p_vaddr - ph.p_offset;
			if (pass == 0 || ph.p_type != PT_NOTE)
				continue;
			len = fl_notes_build_id(rd, ctx,
						mapped ? bias + ph.p_vaddr
						       : ph.p_offset,
						ph.p_filesz, ph.p_align, out,
						cap);
			if (len != 0)
				return len;
		}
		if (lowest == UINT64_MAX)
			return 0;
		bias = hdr - lowest;
	}
	return 0;
}

size_t fl_elf_build_id_mapped(uintptr_t base, unsigned char *out, size_t cap)
{
	return fl_phdrs_build_id(fl_read_memory, NULL, base, 1, out, cap);
}

size_t fl_elf_build_id_image(const void *data, size_t size,
			     unsigned char *out, size_t cap)
{
	struct fl_elf_image img = {data, size};

	return fl_phdrs_build_id(fl_read_image, &img, 0, 0, out, cap);
}
