/*
 * debugfile.c - symbols from a module's separate debug file, when its
 * own file was stripped of .symtab (a distribution's libc: its local
 * functions, __libc_start_call_main or __strlen_avx2, are only in
 * libc6-dbg's /usr/lib/debug).
 *
 * Where gdb looks: by build-id, /usr/lib/debug/.build-id/xx/yyyy.debug;
 * then by the .gnu_debuglink name, next to the file, in its .debug/
 * directory and under /usr/lib/debug with the file's directory.  A
 * debug file found by build-id is taken when its build-id is the loaded
 * module's.  One found by .gnu_debuglink must also have the CRC-32 the
 * link records, as gdb requires (a debug file rewritten since, or made
 * for a rebuild whose build-id did not change); for a module without a
 * build-id the CRC is the only proof.  The CRC reads the whole file, so
 * it is checked up to FL_DEBUGLINK_CRC_MAX bytes: a larger file is taken
 * on its build-id alone, and not at all for a module without one.
 *
 * [fatal]: syscalls only (open, pread), for the modules of the
 * backtrace (symbols.c asks), at most five files opened per module, and
 * only the headers read here (and a debuglink file's bytes for its CRC,
 * bounded as said); the symbols are read by elf.c, bounded as for any
 * module.
 */
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include "platform.h"
#include "posix/posix.h"
#include "sink.h"
#include "snapshot.h"
#include "str.h"

#define FL_DEBUG_ROOT "/usr/lib/debug"
#define FL_DEBUG_PATH_MAX 1024
/* Section headers examined: more than any real module has. */
#define FL_SHDR_MAX 4096
/* The largest debuglink file whose CRC is computed (8,192 reads). */
#define FL_DEBUGLINK_CRC_MAX ((uint64_t)32 << 20)
#define FL_CRC_CHUNK 4096

static int same_bytes(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

/* What the module file's section headers say. */
struct sections {
	int has_symtab;
	uint64_t link_off; /* .gnu_debuglink: file offset, size; 0 none */
	uint64_t link_size;
};

/* Section names (.shstrtab) examined: a few hundred bytes in practice. */
#define FL_SHSTRTAB_MAX 2048
/* Section headers read per pread. */
#define FL_SHDR_BATCH 16

static int is_debuglink(const char *names, size_t len, uint32_t at)
{
	static const char want[] = ".gnu_debuglink";

	return at < len && len - at >= sizeof(want) &&
	       same_bytes(names + at, want, sizeof(want));
}

/* Through elf.c's cached blocks, which the symbol lookup reads the same
 * headers from next: the names and the headers in two or three preads. */
static int read_sections(const struct fl_elf_src *s, struct sections *out)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh[FL_SHDR_BATCH], names;
	char text[FL_SHSTRTAB_MAX];
	size_t len;
	unsigned i, k, n;

	fl_memset(out, 0, sizeof(*out));
	if (fl_elf_read(s, &eh, 0, sizeof(eh)) != 0 ||
	    !same_bytes(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum > FL_SHDR_MAX ||
	    eh.e_shstrndx >= eh.e_shnum ||
	    fl_elf_read(s, &names,
			eh.e_shoff + (uint64_t)eh.e_shstrndx * sizeof(names),
			sizeof(names)) != 0)
		return -1;
	len = names.sh_size < sizeof(text) ? (size_t)names.sh_size
					   : sizeof(text);
	if (fl_elf_read(s, text, names.sh_offset, len) != 0)
		len = 0;
	for (i = 0; i < eh.e_shnum; i += n) {
		n = eh.e_shnum - i < FL_SHDR_BATCH ? eh.e_shnum - i
						   : FL_SHDR_BATCH;
		if (fl_elf_read(s, sh, eh.e_shoff + (uint64_t)i * sizeof(sh[0]),
				n * sizeof(sh[0])) != 0)
			return -1;
		for (k = 0; k < n; k++) {
			if (sh[k].sh_type == SHT_SYMTAB)
				out->has_symtab = 1;
			else if (sh[k].sh_type == SHT_PROGBITS &&
				 sh[k].sh_size > 4 &&
				 is_debuglink(text, len, sh[k].sh_name)) {
				out->link_off = sh[k].sh_offset;
				out->link_size = sh[k].sh_size;
			}
		}
	}
	return 0;
}

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32 and gdb's
 * gnu_debuglink_crc32), its table made by the compiler: no
 * initialisation in the handler, nothing written. */
#define CRC_STEP(c) (((c) >> 1) ^ (0xedb88320u & (0u - ((c)&1u))))
#define CRC_ENTRY(n)                                                           \
	CRC_STEP(CRC_STEP(CRC_STEP(CRC_STEP(                                   \
		CRC_STEP(CRC_STEP(CRC_STEP(CRC_STEP((uint32_t)(n)))))))))
#define CRC_4(n)                                                               \
	CRC_ENTRY(n), CRC_ENTRY(n + 1), CRC_ENTRY(n + 2), CRC_ENTRY(n + 3)
#define CRC_16(n) CRC_4(n), CRC_4(n + 4), CRC_4(n + 8), CRC_4(n + 12)
#define CRC_64(n) CRC_16(n), CRC_16(n + 16), CRC_16(n + 32), CRC_16(n + 48)
static const uint32_t crc_table[256] = {CRC_64(0), CRC_64(64), CRC_64(128),
					CRC_64(192)};

/* 1 when the first size bytes of fd have the CRC-32 crc. */
static int crc_matches(int fd, uint64_t size, uint32_t crc)
{
	unsigned char buf[FL_CRC_CHUNK];
	uint32_t c = 0xffffffffu;
	uint64_t off = 0;

	while (off < size) {
		size_t want = size - off < sizeof(buf) ? (size_t)(size - off)
						       : sizeof(buf);
		ssize_t n = pread(fd, buf, want, (off_t)off);

		if (n <= 0)
			return 0;
		for (ssize_t i = 0; i < n; i++)
			c = crc_table[(c ^ buf[i]) & 0xff] ^ (c >> 8);
		off += (uint64_t)n;
	}
	return (c ^ 0xffffffffu) == crc;
}

/* Open path as m's debug file: an ELF with m's build-id. */
static int open_matching(const struct fl_module *m, const char *path,
			 struct fl_elf_src *dbg)
{
	unsigned char id[FL_BUILD_ID_MAX];
	size_t len;

	if (fl_elf_open(path, dbg) != 0)
		return -1;
	len = fl_elf_build_id_src(dbg, id, sizeof(id));
	if (len == m->build_id_len && same_bytes(id, m->build_id, len))
		return 0;
	fl_elf_close(dbg);
	return -1;
}

static int by_build_id(const struct fl_module *m, struct fl_elf_src *dbg)
{
	char path[sizeof(FL_DEBUG_ROOT) + 16 + 2 * FL_BUILD_ID_MAX + 8];
	struct fl_sink s;

	if (m->build_id_len < 2)
		return -1;
	fl_sink_init_memory(&s, path, sizeof(path));
	fl_sink_str(&s, FL_DEBUG_ROOT "/.build-id/");
	fl_sink_hexbytes(&s, m->build_id, 1);
	fl_sink_char(&s, '/');
	fl_sink_hexbytes(&s, m->build_id + 1, m->build_id_len - 1);
	fl_sink_str(&s, ".debug");
	return s.dropped ? -1 : open_matching(m, path, dbg);
}

/* Open path as m's debug file named by a .gnu_debuglink with the CRC
 * crc: m's build-id (or none for both), and that CRC where it can be
 * afforded (see the top). */
static int open_linked(const struct fl_module *m, const char *path,
		       uint32_t crc, struct fl_elf_src *dbg)
{
	if (open_matching(m, path, dbg) != 0)
		return -1;
	if (dbg->size > FL_DEBUGLINK_CRC_MAX
		    ? m->build_id_len > 0
		    : crc_matches(dbg->fd, dbg->size, crc))
		return 0;
	fl_elf_close(dbg);
	return -1;
}

/* The .gnu_debuglink section: the file's name, NUL, padding to four
 * bytes, the CRC-32 in the module's byte order (ours).  0 or -1. */
static int read_debuglink(const struct fl_elf_src *s,
			  const struct sections *sec, char *name, size_t cap,
			  uint32_t *crc)
{
	char raw[256 + 8];
	size_t n, len;

	n = sec->link_size < sizeof(raw) ? (size_t)sec->link_size
					 : sizeof(raw) - 1;
	if (fl_elf_read(s, raw, sec->link_off, n) != 0)
		return -1;
	raw[n] = '\0';
	len = fl_strlen(raw);
	if (len == 0 || len >= cap || ((len + 4) & ~(size_t)3) + 4 > n)
		return -1; /* no name, no NUL, or no CRC */
	fl_memcpy(name, raw, len + 1);
	fl_memcpy(crc, raw + ((len + 4) & ~(size_t)3), sizeof(*crc));
	return 0;
}

/* dir/name, dir/.debug/name, /usr/lib/debug/dir/name, with dir the
 * module's directory. */
static int by_debuglink(const struct fl_module *m,
			const struct fl_elf_src *file,
			const struct sections *sec, struct fl_elf_src *dbg)
{
	static const char *const places[][2] = {
		{"", "/"}, {"", "/.debug/"}, {FL_DEBUG_ROOT, "/"}};
	char name[256], path[FL_DEBUG_PATH_MAX];
	size_t dir_len = 0, i;
	uint32_t crc;

	if (read_debuglink(file, sec, name, sizeof(name), &crc) != 0)
		return -1;
	for (i = 0; m->path[i]; i++)
		if (m->path[i] == '/')
			dir_len = i;
	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		struct fl_sink s;

		fl_sink_init_memory(&s, path, sizeof(path));
		fl_sink_str(&s, places[i][0]);
		fl_sink_write(&s, m->path, dir_len);
		fl_sink_str(&s, places[i][1]);
		fl_sink_str(&s, name);
		/* the file itself is no debug file of its own */
		if (!s.dropped && !fl_streq(path, m->path) &&
		    open_linked(m, path, crc, dbg) == 0)
			return 0;
	}
	return -1;
}

void fl_debugfile_swap(const struct fl_module *m, struct fl_elf_src *s)
{
	struct sections sec;
	struct fl_elf_src dbg;

	if (s->fd < 0 || m->path[0] != '/' || read_sections(s, &sec) != 0 ||
	    sec.has_symtab)
		return;
	if (by_build_id(m, &dbg) != 0 &&
	    (!sec.link_off || by_debuglink(m, s, &sec, &dbg) != 0))
		return;
	/* Not fl_elf_close: the blocks cached now are the debug file's,
	 * which the symbol lookup reads next. */
	close(s->fd);
	*s = dbg;
}
