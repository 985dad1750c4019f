/*
 * test-elf.c - elf.c: reading memory that may be unmapped, symbol lookup
 * (ranking, unsized symbols, .symtab then .dynsym, many addresses in one
 * pass), truncated and corrupt ELF files, build-ids.
 */
#include <check.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crash-helper.h"
#include "unit.h"
#include "posix/posix.h"

/* ------------------------------------------------------------------------
 * fl_safe_read, the probes, memory views
 * ---------------------------------------------------------------------- */

/* Two pages: the first readable, the second PROT_NONE. */
static unsigned char *guarded_pages(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	memset(p, 0x5a, pg);
	ck_assert_int_eq(mprotect(p + pg, pg, PROT_NONE), 0);
	return p;
}

/* A page that was mapped and is not any more. */
static uintptr_t unmapped_page(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *gone =
		mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(gone, MAP_FAILED);
	munmap(gone, pg);
	return (uintptr_t)gone;
}

static void check_reader(int (*rd)(void *, uintptr_t, size_t))
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *p = guarded_pages(), buf[64];

	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(rd(buf, (uintptr_t)p + pg - 64, 64), 0);
	ck_assert_int_eq(buf[0], 0x5a);
	ck_assert_int_eq(buf[63], 0x5a);
	/* PROT_NONE, a span running into it, unmapped, NULL */
	ck_assert_int_eq(rd(buf, (uintptr_t)p + pg, 8), -1);
	ck_assert_int_eq(rd(buf, (uintptr_t)p + pg - 4, 8), -1);
	ck_assert_int_eq(rd(buf, unmapped_page(), 8), -1);
	ck_assert_int_eq(rd(buf, 0, 8), -1);
}

START_TEST(safe_read_refuses_bad_memory)
{
	check_reader(fl_safe_read);
	ck_assert_int_eq(fl_safe_read(&(char){0}, UINTPTR_MAX - 2, 8), -1);
}
END_TEST

/* Each probe tells readable from PROT_NONE and unmapped memory, where it
 * works at all (process_vm_readv: not under qemu-user). */
static void check_probe(int (*pr)(uintptr_t, long), const char *name)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *p = guarded_pages();

	if (pr((uintptr_t)p, 0) == 1) {
		fprintf(stderr, "# %s does not work here: not checked\n", name);
		return;
	}
	ck_assert_int_eq(pr((uintptr_t)p, 0), 0);
	ck_assert_int_eq(pr((uintptr_t)p + pg - 1, getpid()), 0);
	ck_assert_int_eq(pr((uintptr_t)p + pg, 0), -1);
	ck_assert_int_eq(pr(unmapped_page(), 0), -1);
	ck_assert_int_eq(pr((uintptr_t)0 - 4096, 0), -1);
	/* the sigmask probe changes no mask */
	{
		sigset_t before, after;
		int sig;

		sigprocmask(SIG_SETMASK, NULL, &before);
		pr((uintptr_t)p, 0);
		sigprocmask(SIG_SETMASK, NULL, &after);
		for (sig = 1; sig < SIGRTMAX; sig++)
			ck_assert_int_eq(sigismember(&before, sig),
					 sigismember(&after, sig));
	}
}

static int probe_sigmask(uintptr_t a, long pid)
{
	(void)pid;
	return fl_mem_probe_sigmask(a);
}

START_TEST(probes_tell_readable_memory)
{
	check_probe(probe_sigmask, "rt_sigprocmask");
	check_probe(fl_mem_probe_vm_read, "process_vm_readv");
}
END_TEST

/* A granule read once is trusted until fl_mem_forget: after it, memory
 * unmapped since is refused again (without it this would fault). */
START_TEST(mem_read_forgets_between_crashes)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *p = guarded_pages(), v;

	fl_mem_forget();
	ck_assert_int_eq(fl_mem_read(&v, (uintptr_t)p, 1), 0);
	ck_assert_int_eq(v, 0x5a);
	ck_assert_int_eq(fl_mem_read(&v, (uintptr_t)p + pg, 1), -1);
	munmap(p, 2 * pg);
	fl_mem_forget();
	ck_assert_int_eq(fl_mem_read(&v, (uintptr_t)p, 1), -1);
}
END_TEST

/* A range vouched for is read as it is; a read leaving it is checked,
 * and a new begin forgets it. */
START_TEST(mem_view_trusted_ranges)
{
	static struct fl_mem_view v;
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *p = guarded_pages(), buf[8];
	uint64_t w;

	fl_mem_view_begin(&v, 0);
	fl_mem_view_trust(&v, (uintptr_t)p, (uintptr_t)p + pg);
	ck_assert_int_eq(fl_mem_view_read(&v, buf, (uintptr_t)p + 8, 8), 0);
	ck_assert_int_eq(fl_mem_view_word(&v, (uintptr_t)p + pg - 8, &w), 0);
	ck_assert_uint_eq(w, 0x5a5a5a5a5a5a5a5aull);
	ck_assert_int_eq(fl_mem_view_word(&v, (uintptr_t)p + pg - 4, &w), -1);
	ck_assert_int_eq(fl_mem_view_read(&v, buf, (uintptr_t)p + pg, 1), -1);
	munmap(p, 2 * pg);
	fl_mem_view_begin(&v, 0);
	ck_assert_int_eq(fl_mem_view_word(&v, (uintptr_t)p, &w), -1);
}
END_TEST

/* The view remembers the last two ranges it found readable (the stack and
 * a module's tables, alternately): going back to the older one reads it
 * without a check, never past its end, and a begin forgets both. */
START_TEST(mem_view_near_and_far)
{
	static struct fl_mem_view v;
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *p = guarded_pages(), *q = guarded_pages();
	uint64_t w;

	fl_mem_view_begin(&v, 0);
	fl_mem_view_trust(&v, (uintptr_t)p, (uintptr_t)p + pg);
	ck_assert(fl_mem_view_trusts(&v, (uintptr_t)p, (uintptr_t)p + pg));
	ck_assert(!fl_mem_view_trusts(&v, (uintptr_t)p, (uintptr_t)p + pg + 1));
	ck_assert(!fl_mem_view_trusts(&v, (uintptr_t)q, (uintptr_t)q + 8));
	ck_assert_int_eq(fl_mem_view_word(&v, (uintptr_t)p, &w), 0);
	ck_assert_int_eq(fl_mem_view_word(&v, (uintptr_t)q, &w), 0);
	ck_assert_int_eq(fl_mem_view_word(&v, (uintptr_t)p + 16, &w), 0);
	ck_assert_uint_eq(w, 0x5a5a5a5a5a5a5a5aull);
	ck_assert_int_eq(fl_mem_view_word(&v, (uintptr_t)q + pg - 4, &w), -1);
	ck_assert_int_eq(fl_mem_view_word(&v, (uintptr_t)p + pg - 4, &w), -1);
	munmap(p, 2 * pg);
	munmap(q, 2 * pg);
	fl_mem_view_begin(&v, 0);
	ck_assert(!fl_mem_view_trusts(&v, (uintptr_t)p, (uintptr_t)p + 8));
	ck_assert_int_eq(fl_mem_view_word(&v, (uintptr_t)q, &w), -1);
	ck_assert_int_eq(fl_mem_view_word(&v, (uintptr_t)p, &w), -1);
}
END_TEST

/* ------------------------------------------------------------------------
 * Synthetic ELF images
 * ---------------------------------------------------------------------- */

struct sym_spec {
	const char *name;
	uint64_t value, size;
	int type, bind;
};

struct image {
	unsigned char buf[16384];
	size_t size;
};

static size_t put_table(struct image *im, const struct sym_spec *sp, size_t n,
			Elf64_Shdr *sym, Elf64_Shdr *str, unsigned type,
			unsigned link)
{
	Elf64_Sym *s;
	size_t i, str_at, str_len = 1;

	im->size = (im->size + 7) & ~(size_t)7;
	sym->sh_type = type;
	sym->sh_offset = im->size;
	sym->sh_size = (n + 1) * sizeof(Elf64_Sym);
	sym->sh_entsize = sizeof(Elf64_Sym);
	sym->sh_link = link;
	s = (Elf64_Sym *)(im->buf + im->size);
	memset(s, 0, sym->sh_size);
	im->size += sym->sh_size;
	str_at = im->size;
	im->buf[str_at] = '\0';
	for (i = 0; i < n; i++) {
		s[i + 1].st_name = (uint32_t)str_len;
		s[i + 1].st_value = sp[i].value;
		s[i + 1].st_size = sp[i].size;
		s[i + 1].st_info = ELF64_ST_INFO(sp[i].bind, sp[i].type);
		s[i + 1].st_shndx = 1;
		strcpy((char *)im->buf + str_at + str_len, sp[i].name);
		str_len += strlen(sp[i].name) + 1;
	}
	str->sh_type = SHT_STRTAB;
	str->sh_offset = str_at;
	str->sh_size = str_len;
	im->size += str_len;
	return im->size;
}

/* Ehdr, .symtab/.strtab, optional .dynsym/.dynstr, section headers. */
static void build(struct image *im, const struct sym_spec *st, size_t nst,
		  const struct sym_spec *dyn, size_t ndyn)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)im->buf;
	Elf64_Shdr sh[5];
	unsigned shnum = 1;

	memset(im, 0, sizeof(*im));
	memset(sh, 0, sizeof(sh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_DYN;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	im->size = sizeof(*eh);
	if (nst > 0) {
		put_table(im, st, nst, &sh[shnum], &sh[shnum + 1], SHT_SYMTAB,
			  shnum + 1);
		shnum += 2;
	}
	if (ndyn > 0) {
		put_table(im, dyn, ndyn, &sh[shnum], &sh[shnum + 1], SHT_DYNSYM,
			  shnum + 1);
		shnum += 2;
	}
	im->size = (im->size + 7) & ~(size_t)7;
	eh->e_shoff = im->size;
	eh->e_shnum = shnum;
	memcpy(im->buf + im->size, sh, shnum * sizeof(sh[0]));
	im->size += shnum * sizeof(sh[0]);
}

/* Look one address up in an image placed right before a PROT_NONE page,
 * so that any read past its end faults the test. */
static unsigned char *guarded_copy(const void *data, size_t size)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t span = (size + pg - 1) / pg * pg;
	unsigned char *p = mmap(NULL, span + pg, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	mprotect(p + span, pg, PROT_NONE);
	memcpy(p + span - size, data, size);
	return p + span - size;
}

static void free_guarded(unsigned char *g, size_t size)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t span = (size + pg - 1) / pg * pg;

	munmap(g + size - span, span + pg);
}

static const char *lookup(const struct image *im, uint64_t vaddr,
			  uint64_t *start)
{
	static char name[64];
	struct fl_elf_lookup q = {vaddr, name, sizeof(name), 0, 0, 0, 0};

	ck_assert_int_eq(fl_elf_symbolize_image(im->buf, im->size, &q, 1), 0);
	if (!q.found)
		return NULL;
	if (start)
		*start = q.start;
	return name;
}

#define F STT_FUNC
#define O STT_OBJECT
#define G STB_GLOBAL
#define L STB_LOCAL

static const struct sym_spec ranked[] = {
	{"func_a", 0x1000, 0x10, F, G},
	{"obj_x", 0x2000, 0x100, O, G},
	{"f_in_obj", 0x2004, 0x4, F, L},
	{"alias_local", 0x3000, 0x20, F, L},
	{"alias_global", 0x3000, 0x20, F, G},
	{"asm_label", 0x4000, 0, F, G},
	{"label_c", 0x4f00, 0, F, L},
	{"sized_b", 0x5000, 0x10, F, G},
	{"outer", 0x6000, 0x100, F, G},
	{"inner", 0x6010, 0x10, F, G},
};

static struct image im;

START_TEST(symbol_ranking)
{
	uint64_t start = 0;

	build(&im, ranked, sizeof(ranked) / sizeof(ranked[0]), NULL, 0);
	ck_assert_str_eq(lookup(&im, 0x1008, &start), "func_a");
	ck_assert_uint_eq(start, 0x1000);
	ck_assert_ptr_null(lookup(&im, 0x1010, NULL)); /* one past the end */
	ck_assert_str_eq(lookup(&im, 0x2005, NULL), "f_in_obj");
	ck_assert_str_eq(lookup(&im, 0x2050, NULL), "obj_x");
	ck_assert_str_eq(lookup(&im, 0x3004, NULL), "alias_global");
	ck_assert_str_eq(lookup(&im, 0x6014, NULL), "inner");
	ck_assert_str_eq(lookup(&im, 0x6020, NULL), "outer");
}
END_TEST

START_TEST(unsized_functions_name_what_follows)
{
	uint64_t start = 0;

	build(&im, ranked, sizeof(ranked) / sizeof(ranked[0]), NULL, 0);
	ck_assert_str_eq(lookup(&im, 0x4010, &start), "asm_label");
	ck_assert_uint_eq(start, 0x4000);
	ck_assert_str_eq(lookup(&im, 0x4f08, NULL), "label_c");
	/* after sized_b ends, label_c is no longer the nearest start */
	ck_assert_ptr_null(lookup(&im, 0x5020, NULL));
}
END_TEST

START_TEST(dynsym_when_symtab_misses)
{
	static const struct sym_spec st[] = {{"static_fn", 0x1000, 0x10, F, L}};
	static const struct sym_spec dyn[] = {
		{"exported_fn", 0x2000, 0x10, F, G},
		{"static_fn_dyn", 0x1000, 0x10, F, G},
	};

	build(&im, st, 1, dyn, 2);
	ck_assert_str_eq(lookup(&im, 0x1004, NULL), "static_fn");
	ck_assert_str_eq(lookup(&im, 0x2004, NULL), "exported_fn");
	build(&im, NULL, 0, dyn, 2); /* stripped: .dynsym only */
	ck_assert_str_eq(lookup(&im, 0x2004, NULL), "exported_fn");
}
END_TEST

/* 120 addresses in one pass give what 120 single lookups give. */
START_TEST(many_addresses_one_pass)
{
	struct sym_spec sp[40];
	char names[40][16];
	struct fl_elf_lookup q[FL_ELF_LOOKUP_MAX];
	char out[FL_ELF_LOOKUP_MAX][32];
	size_t i;

	for (i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "fn_%zu", i);
		sp[i] = (struct sym_spec){names[i], 0x1000 + 0x40 * (39 - i),
					  0x30, F, G};
	}
	build(&im, sp, 40, NULL, 0);
	for (i = 0; i < FL_ELF_LOOKUP_MAX; i++) {
		/* unsorted, some in the gaps between functions */
		q[i] = (struct fl_elf_lookup){0x1000 + (i * 7919) % (0x40 * 40),
					      out[i],
					      32,
					      0,
					      0,
					      0,
					      0};
	}
	ck_assert_int_eq(
		fl_elf_symbolize_image(im.buf, im.size, q, FL_ELF_LOOKUP_MAX),
		0);
	for (i = 0; i < FL_ELF_LOOKUP_MAX; i++) {
		const char *one = lookup(&im, q[i].vaddr, NULL);

		ck_assert_int_eq(q[i].found, one != NULL);
		if (one)
			ck_assert_str_eq(out[i], one);
	}
}
END_TEST

/* Every truncation and many corruptions: never a read outside the
 * image (it ends at a PROT_NONE page), never a crash. */
START_TEST(truncated_and_corrupt_images)
{
	struct fl_elf_lookup q;
	char name[32];
	unsigned char *g;
	size_t len, i;

	build(&im, ranked, sizeof(ranked) / sizeof(ranked[0]), NULL, 0);
	for (len = 0; len <= im.size; len++) {
		g = guarded_copy(im.buf, len);
		q = (struct fl_elf_lookup){0x1008, name, sizeof(name), 0, 0,
					   0,	   0};
		fl_elf_symbolize_image(g, len, &q, 1);
		ck_assert(len == im.size ? q.found : 1);
		free_guarded(g, len);
	}
	srand(42);
	g = guarded_copy(im.buf, im.size);
	for (i = 0; i < 3000; i++) {
		memcpy(g, im.buf, im.size);
		g[rand() % im.size] = (unsigned char)rand();
		g[rand() % im.size] ^= (unsigned char)(1u << (rand() % 8));
		if (i % 3 == 0) /* hit the headers harder */
			g[rand() % 64] = (unsigned char)rand();
		q = (struct fl_elf_lookup){(uint64_t)(rand() % 0x7000),
					   name,
					   sizeof(name),
					   0,
					   0,
					   0,
					   0};
		fl_elf_symbolize_image(g, im.size, &q, 1);
	}
}
END_TEST

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

START_TEST(files_whole_and_truncated)
{
	char path[] = "/tmp/fl_test_elf_XXXXXX", name[64];
	uintptr_t off = 0;
	size_t len;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	build(&im, ranked, sizeof(ranked) / sizeof(ranked[0]), NULL, 0);
	write_file(path, im.buf, im.size);
	ck_assert_int_eq(
		fl_elf_symbolize(path, 0x6018, name, sizeof(name), &off), 0);
	ck_assert_str_eq(name, "inner");
	ck_assert_uint_eq(off, 8);
	for (len = 0; len < im.size; len += 7) {
		write_file(path, im.buf, len);
		fl_elf_symbolize(path, 0x6018, name, sizeof(name), &off);
	}
	ck_assert_int_eq(
		fl_elf_symbolize("/nonexistent/x", 1, name, sizeof(name), &off),
		-1);
	ck_assert_int_eq(fl_elf_symbolize("/tmp", 1, name, sizeof(name), &off),
			 -1);
	unlink(path);
}
END_TEST

/* ------------------------------------------------------------------------
 * Real files: this test program and the C library
 * ---------------------------------------------------------------------- */

int fl_test_elf_target(int x);
__attribute__((noinline)) int fl_test_elf_target(int x)
{
	return x * 3 + 1;
}

static uintptr_t bias_of(const void *addr)
{
	struct dl_find_object o;

	ck_assert_int_eq(_dl_find_object((void *)addr, &o), 0);
	return (uintptr_t)o.dlfo_link_map->l_addr;
}

START_TEST(symbolizes_this_program)
{
	char name[64];
	uintptr_t off = 0, pc = (uintptr_t)fl_test_elf_target + 3;

	ck_assert_int_eq(fl_elf_symbolize("/proc/self/exe",
					  pc - bias_of(fl_test_elf_target),
					  name, sizeof(name), &off),
			 0);
	ck_assert_str_eq(name, "fl_test_elf_target");
	ck_assert_uint_eq(off, 3);
}
END_TEST

/* libc is stripped: .dynsym only.  The symbol found must start where
 * dladdr says the exported function starts. */
START_TEST(symbolizes_stripped_libc)
{
	Dl_info info;
	struct dl_find_object o;
	char name[64];
	uintptr_t off = 0, pc = (uintptr_t)getpid + 2;

	ck_assert_int_ne(dladdr((void *)pc, &info), 0);
	ck_assert_int_eq(_dl_find_object((void *)pc, &o), 0);
	ck_assert_int_eq(fl_elf_symbolize(info.dli_fname,
					  pc - o.dlfo_link_map->l_addr, name,
					  sizeof(name), &off),
			 0);
	ck_assert_uint_eq(pc - off, (uintptr_t)info.dli_saddr);
	ck_assert_ptr_nonnull(strstr(name, "getpid"));
}
END_TEST

/* Test-side oracle: the build-id note, found with dl_iterate_phdr. */
struct note_find {
	uintptr_t base;
	unsigned char id[64];
	size_t len;
};

static int note_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct note_find *nf = data;
	int i;

	if (info->dlpi_addr != bias_of((void *)fl_test_elf_target))
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const unsigned char *p =
			(const unsigned char *)info->dlpi_addr + ph->p_vaddr;
		const unsigned char *end = p + ph->p_filesz;

		if (ph->p_type == PT_LOAD && ph->p_offset == 0)
			nf->base = info->dlpi_addr + ph->p_vaddr;
		while (ph->p_type == PT_NOTE && p + 12 <= end) {
			const Elf64_Nhdr *nh = (const void *)p;
			const unsigned char *desc =
				p + 12 + ((nh->n_namesz + 3) & ~3u);

			if (nh->n_type == NT_GNU_BUILD_ID &&
			    memcmp(p + 12, "GNU", 4) == 0) {
				memcpy(nf->id, desc, nh->n_descsz);
				nf->len = nh->n_descsz;
			}
			p = desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	return 1;
}

START_TEST(build_id_mapped_and_in_file)
{
	struct note_find nf = {0};
	unsigned char id[32];
	struct fl_elf_src s;
	size_t len;

	dl_iterate_phdr(note_cb, &nf);
	ck_assert_uint_gt(nf.len, 0); /* gcc/ld give one by default */
	len = fl_elf_build_id_mapped(nf.base, id, sizeof(id));
	ck_assert_uint_eq(len, nf.len);
	ck_assert_mem_eq(id, nf.id, len);
	ck_assert_int_eq(fl_elf_open("/proc/self/exe", &s), 0);
	len = fl_elf_build_id_src(&s, id, sizeof(id));
	fl_elf_close(&s);
	ck_assert_uint_eq(len, nf.len);
	ck_assert_mem_eq(id, nf.id, len);
	/* too small a buffer: none rather than a cut id */
	ck_assert_uint_eq(fl_elf_build_id_mapped(nf.base, id, 4), 0);
	ck_assert_uint_eq(fl_elf_build_id_mapped(0, id, sizeof(id)), 0);
}
END_TEST

int main(void)
{
	return UNIT_MAIN("elf", 120, safe_read_refuses_bad_memory,
			 probes_tell_readable_memory, mem_view_trusted_ranges,
			 mem_view_near_and_far,
			 mem_read_forgets_between_crashes, symbol_ranking,
			 unsized_functions_name_what_follows,
			 dynsym_when_symtab_misses, many_addresses_one_pass,
			 truncated_and_corrupt_images,
			 files_whole_and_truncated, symbolizes_this_program,
			 symbolizes_stripped_libc, build_id_mapped_and_in_file);
}
