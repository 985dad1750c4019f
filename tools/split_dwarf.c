/*
 * split_dwarf.c - staging split DWARF units for libdw (see split_dwarf.h).
 */
#include "split_dwarf.h"

#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <gelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A skeleton unit whose split unit libdw did not find. */
struct missing_unit {
	const char *dwo_name;
	const char *comp_dir; /* may be NULL */
	uint64_t dwo_id;
};

static const char *string_attr(Dwarf_Die *die, unsigned name, unsigned alt)
{
	Dwarf_Attribute attr;
	if (dwarf_attr(die, name, &attr) || dwarf_attr(die, alt, &attr))
		return dwarf_formstring(&attr);
	return NULL;
}

/* Calls found(unit, data) for each skeleton of dw without its split unit;
 * returns how many there are, and the number of skeletons in *skeletons. */
static size_t each_missing(Dwarf *dw, size_t *skeletons,
			   int (*found)(const struct missing_unit *, void *),
			   void *data)
{
	size_t missing = 0, count = 0;
	Dwarf_CU *cu = NULL, *next;
	Dwarf_Half version;
	uint8_t unit_type;
	Dwarf_Die cudie, subdie;
	/* Bounded by the section's size: every unit is at least a header. */
	while (dwarf_get_units(dw, cu, &next, &version, &unit_type, &cudie,
			       &subdie) == 0) {
		cu = next;
		if (unit_type != DW_UT_skeleton)
			continue;
		count++;
		if (subdie.addr)
			continue; /* libdw has its split unit */
		struct missing_unit unit = {
			string_attr(&cudie, DW_AT_dwo_name, DW_AT_GNU_dwo_name),
			string_attr(&cudie, DW_AT_comp_dir, DW_AT_comp_dir), 0};
		if (!unit.dwo_name ||
		    dwarf_cu_info(cu, NULL, NULL, NULL, NULL, &unit.dwo_id,
				  NULL, NULL) != 0)
			continue;
		missing++;
		if (found && found(&unit, data) < 0)
			break;
	}
	if (skeletons)
		*skeletons = count;
	return missing;
}

static int first_example(const struct missing_unit *unit, void *data)
{
	char **example = data;
	if (unit->dwo_name[0] == '/' || !unit->comp_dir)
		*example = strdup(unit->dwo_name);
	else if (asprintf(example, "%s/%s", unit->comp_dir, unit->dwo_name) < 0)
		*example = NULL;
	return -1; /* one is enough */
}

size_t split_dwarf_missing(Dwarf *dw, size_t *skeletons, char **example)
{
	if (example)
		*example = NULL;
	size_t missing = each_missing(dw, skeletons, NULL, NULL);
	if (missing && example)
		each_missing(dw, NULL, first_example, example);
	return missing;
}

/* ---------------------------------------------------------------------
 * .dwp packages: the unit index (DWARF 5 section 7.3.5, and the GNU
 * version 2 it grew from) gives, for a unit's id, its slice of each
 * section of the package.
 * ------------------------------------------------------------------- */

struct dwp {
	char *path;
	int fd;
	Elf *elf;
	int big_endian;
	int version; /* 2 or 5 */
	const unsigned char *index;
	size_t index_size;
	uint32_t columns, units, slots;
	Elf_Data *str; /* .debug_str.dwo: whole, not sliced */
};

static uint32_t get32(const unsigned char *p, int big_endian)
{
	return big_endian ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
				    (uint32_t)p[2] << 8 | p[3]
			  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
				    (uint32_t)p[1] << 8 | p[0];
}

static uint64_t get64(const unsigned char *p, int big_endian)
{
	uint64_t hi = get32(p + (big_endian ? 0 : 4), big_endian);
	uint64_t lo = get32(p + (big_endian ? 4 : 0), big_endian);
	return hi << 32 | lo;
}

/* The name of the package section of DW_SECT id (version 5 or 2). */
static const char *column_section(int version, uint32_t id)
{
	static const char *const v5[] = {
		[1] = ".debug_info.dwo",	[3] = ".debug_abbrev.dwo",
		[4] = ".debug_line.dwo",	[5] = ".debug_loclists.dwo",
		[6] = ".debug_str_offsets.dwo", [7] = ".debug_macro.dwo",
		[8] = ".debug_rnglists.dwo"};
	static const char *const v2[] = {
		[1] = ".debug_info.dwo",    [2] = ".debug_types.dwo",
		[3] = ".debug_abbrev.dwo",  [4] = ".debug_line.dwo",
		[5] = ".debug_loc.dwo",	    [6] = ".debug_str_offsets.dwo",
		[7] = ".debug_macinfo.dwo", [8] = ".debug_macro.dwo"};
	if (id >= 9)
		return NULL;
	return version == 5 ? v5[id] : v2[id];
}

static Elf_Scn *section_by_name(Elf *elf, const char *name)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return NULL;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *n =
			gelf_getshdr(scn, &shdr)
				? elf_strptr(elf, shstrndx, shdr.sh_name)
				: NULL;
		if (n && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

static Elf_Data *section_data(Elf *elf, const char *name)
{
	Elf_Scn *scn = section_by_name(elf, name);
	GElf_Shdr shdr;
	if (!scn || !gelf_getshdr(scn, &shdr) || shdr.sh_type == SHT_NOBITS)
		return NULL;
	/* Packages may be written with compressed sections. */
	if ((shdr.sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0)
		return NULL;
	return elf_getdata(scn, NULL);
}

static void dwp_close(struct dwp *p)
{
	if (p->elf)
		elf_end(p->elf);
	if (p->fd >= 0)
		close(p->fd);
	free(p->path);
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

/* Open the package at path and check its index; -1 (said on stderr when
 * the file exists but is not a usable package). */
static int dwp_open(struct dwp *p, const char *path)
{
	memset(p, 0, sizeof(*p));
	p->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0)
		return -1;
	p->path = strdup(path);
	p->elf = elf_begin(p->fd, ELF_C_READ_MMAP, NULL);
	GElf_Ehdr ehdr;
	Elf_Data *index = p->elf && gelf_getehdr(p->elf, &ehdr)
				  ? section_data(p->elf, ".debug_cu_index")
				  : NULL;
	if (!p->path || !index || index->d_size < 16) {
		fprintf(stderr,
			"faultline: %s: not a DWARF package (no unit index "
			".debug_cu_index)\n",
			path);
		dwp_close(p);
		return -1;
	}
	p->big_endian = ehdr.e_ident[EI_DATA] == ELFDATA2MSB;
	p->index = index->d_buf;
	p->index_size = index->d_size;
	/* Version 5: a 2-byte version and 2 bytes of padding; GNU version
	 * 2: a 4-byte version. */
	uint32_t word = get32(p->index, p->big_endian);
	unsigned short half = p->big_endian ? (unsigned short)(word >> 16)
					    : (unsigned short)(word & 0xffff);
	p->version = word == 2 ? 2 : half == 5 ? 5 : 0;
	p->columns = get32(p->index + 4, p->big_endian);
	p->units = get32(p->index + 8, p->big_endian);
	p->slots = get32(p->index + 12, p->big_endian);
	/* Never trust a count: the tables must fit in the section. */
	uint64_t need = 16 + (uint64_t)p->slots * 12 +
			(uint64_t)p->columns * 4 +
			(uint64_t)p->units * p->columns * 8;
	if (!p->version || p->columns == 0 || p->columns > 16 ||
	    p->slots == 0 || p->slots > (1u << 28) || p->units > (1u << 28) ||
	    need > p->index_size) {
		fprintf(stderr,
			"faultline: %s: unreadable unit index (version %u, "
			"%u columns, %u units, %u slots)\n",
			path, word, p->columns, p->units, p->slots);
		dwp_close(p);
		return -1;
	}
	p->str = section_data(p->elf, ".debug_str.dwo");
	return 0;
}

/* The row (1-based) of the unit with id in the package's hash table, or
 * 0.  Probing as the standard says; bounded by the number of slots. */
static uint32_t dwp_row(const struct dwp *p, uint64_t id)
{
	const unsigned char *hashes = p->index + 16;
	const unsigned char *rows = hashes + (size_t)p->slots * 8;
	uint32_t mask = p->slots - 1;
	int power_of_two = (p->slots & mask) == 0;
	uint32_t slot = power_of_two ? (uint32_t)id & mask : 0;
	uint32_t step = power_of_two ? ((uint32_t)(id >> 32) & mask) | 1 : 1;
	for (uint32_t probes = 0; probes < p->slots; probes++) {
		uint32_t row = get32(rows + (size_t)slot * 4, p->big_endian);
		if (row == 0 && power_of_two)
			return 0;
		if (row != 0 && row <= p->units &&
		    get64(hashes + (size_t)slot * 8, p->big_endian) == id)
			return row;
		slot = power_of_two ? (slot + step) & mask
				    : (slot + 1) % p->slots;
	}
	return 0;
}

/* One section of the .dwo being written. */
struct piece {
	const char *name;
	const void *data;
	size_t size;
};

/* Write pieces as the sections of a relocatable ELF file at path, of the
 * package's class, byte order and machine. */
static int write_dwo(const struct dwp *p, const char *path,
		     const struct piece *pieces, size_t count)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	Elf *out = elf_begin(fd, ELF_C_WRITE, NULL);
	GElf_Ehdr in_ehdr, ehdr;
	char names[512];
	size_t names_len = 1;
	names[0] = '\0';
	int ok = out && gelf_getehdr(p->elf, &in_ehdr) &&
		 gelf_newehdr(out, gelf_getclass(p->elf)) &&
		 gelf_getehdr(out, &ehdr);
	if (ok) {
		ehdr.e_ident[EI_DATA] = in_ehdr.e_ident[EI_DATA];
		ehdr.e_type = ET_REL;
		ehdr.e_machine = in_ehdr.e_machine;
		ehdr.e_version = EV_CURRENT;
	}
	for (size_t i = 0; ok && i <= count; i++) {
		/* The last section is the section names. */
		const char *name = i < count ? pieces[i].name : ".shstrtab";
		size_t len = strlen(name) + 1;
		Elf_Scn *scn = elf_newscn(out);
		Elf_Data *data = scn ? elf_newdata(scn) : NULL;
		GElf_Shdr shdr;
		if (!data || names_len + len > sizeof(names) ||
		    !gelf_getshdr(scn, &shdr)) {
			ok = 0;
			break;
		}
		shdr.sh_name = (GElf_Word)names_len;
		memcpy(names + names_len, name, len);
		names_len += len;
		shdr.sh_type = i < count ? SHT_PROGBITS : SHT_STRTAB;
		shdr.sh_addralign = 1;
		data->d_type = ELF_T_BYTE;
		data->d_align = 1;
		data->d_version = EV_CURRENT;
		if (i < count) {
			data->d_buf = (void *)pieces[i].data;
			data->d_size = pieces[i].size;
		} else {
			data->d_buf = names;
			data->d_size = names_len;
			ehdr.e_shstrndx = (GElf_Half)elf_ndxscn(scn);
		}
		ok = gelf_update_shdr(scn, &shdr) != 0;
	}
	ok = ok && gelf_update_ehdr(out, &ehdr) &&
	     elf_update(out, ELF_C_WRITE) >= 0;
	if (out)
		elf_end(out);
	if (close(fd) != 0)
		ok = 0;
	if (!ok) {
		fprintf(stderr, "faultline: cannot write %s: %s\n", path,
			elf_errmsg(-1));
		unlink(path);
	}
	return ok ? 0 : -1;
}

/* Cut the unit with id out of the package into a .dwo file at path; -1
 * when the package has no such unit (or it cannot be written). */
static int dwp_extract(const struct dwp *p, uint64_t id, const char *path)
{
	uint32_t row = dwp_row(p, id);
	if (!row)
		return -1;
	const unsigned char *ids = p->index + 16 + (size_t)p->slots * 12;
	const unsigned char *offsets = ids + (size_t)p->columns * 4;
	const unsigned char *sizes =
		offsets + (size_t)p->units * p->columns * 4;
	struct piece pieces[17];
	size_t count = 0;
	for (uint32_t c = 0; c < p->columns; c++) {
		size_t cell = ((size_t)(row - 1) * p->columns + c) * 4;
		uint32_t offset = get32(offsets + cell, p->big_endian);
		uint32_t size = get32(sizes + cell, p->big_endian);
		const char *name = column_section(
			p->version, get32(ids + c * 4, p->big_endian));
		Elf_Data *data = name ? section_data(p->elf, name) : NULL;
		if (!data || (uint64_t)offset + size > data->d_size) {
			fprintf(stderr,
				"faultline: %s: unit %016llx's slice of %s is "
				"out of bounds\n",
				p->path, (unsigned long long)id,
				name ? name : "an unknown section");
			return -1;
		}
		pieces[count++] = (struct piece){
			name, (const char *)data->d_buf + offset, size};
	}
	if (p->str)
		pieces[count++] = (struct piece){".debug_str.dwo",
						 p->str->d_buf, p->str->d_size};
	return write_dwo(p, path, pieces, count);
}

/* ---------------------------------------------------------------------
 * Staging
 * ------------------------------------------------------------------- */

struct stager {
	const struct split_search *where;
	const char *file, *module_path;
	struct split_stage *stage;
	struct dwp dwp; /* fd -1 until a package is found */
	int dwp_tried;
};

static int readable(const char *path)
{
	return access(path, R_OK) == 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Candidates for a unit's .dwo file, in order; the first readable one
 * (malloc'd) or NULL. */
static char *find_dwo(const struct stager *st, const struct missing_unit *u)
{
	const struct split_search *w = st->where;
	char *path = NULL;
	for (size_t i = 0; i < w->debug_dir_count; i++) {
		if (asprintf(&path, "%s/%s", w->debug_dirs[i], u->dwo_name) >=
			    0 &&
		    readable(path))
			return path;
		free(path);
		if (asprintf(&path, "%s/%s", w->debug_dirs[i],
			     base_name(u->dwo_name)) >= 0 &&
		    readable(path))
			return path;
		free(path);
	}
	/* The build directory of another machine, mapped to this one. */
	char *built = NULL;
	if (u->dwo_name[0] == '/' || !u->comp_dir)
		built = strdup(u->dwo_name);
	else if (asprintf(&built, "%s/%s", u->comp_dir, u->dwo_name) < 0)
		built = NULL;
	path = path_maps_apply(w->maps, built);
	free(built);
	if (path && readable(path))
		return path;
	free(path);
	/* Beside the module, when the skeletons came from a debug file
	 * elsewhere. */
	const char *slash = strrchr(st->module_path, '/');
	if (slash && strcmp(st->file, st->module_path) != 0 &&
	    asprintf(&path, "%.*s/%s", (int)(slash - st->module_path),
		     st->module_path, base_name(u->dwo_name)) >= 0) {
		if (readable(path))
			return path;
		free(path);
	}
	return NULL;
}

/* The module's package: FILE.dwp, MODULE.dwp, DIR/BASENAME.dwp. */
static struct dwp *find_dwp(struct stager *st)
{
	if (st->dwp_tried)
		return st->dwp.fd >= 0 ? &st->dwp : NULL;
	st->dwp_tried = 1;
	st->dwp.fd = -1;
	const struct split_search *w = st->where;
	for (size_t i = 0; i < 2 + 2 * w->debug_dir_count; i++) {
		char *path = NULL;
		int n = i == 0	 ? asprintf(&path, "%s.dwp", st->file)
			: i == 1 ? asprintf(&path, "%s.dwp", st->module_path)
				 : asprintf(&path, "%s/%s.dwp",
					    w->debug_dirs[(i - 2) / 2],
					    base_name(i % 2 ? st->file
							    : st->module_path));
		int found = n >= 0 && readable(path) &&
			    dwp_open(&st->dwp, path) == 0;
		free(path);
		if (found)
			return &st->dwp;
	}
	return NULL;
}

/* Make the directories of stage-relative name, which must stay inside
 * the stage: no "..", not absolute. */
static int make_parents(const char *dir, const char *name)
{
	if (name[0] == '/' || strcmp(name, "..") == 0 ||
	    strncmp(name, "../", 3) == 0 || strstr(name, "/../") ||
	    (strlen(name) >= 3 && strcmp(name + strlen(name) - 3, "/..") == 0))
		return -1;
	char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -1;
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			free(path);
			return -1;
		}
		*p = '/';
	}
	free(path);
	return 0;
}

static int make_stage_dir(struct split_stage *stage)
{
	if (stage->dir)
		return 0;
	const char *tmp = getenv("TMPDIR");
	if (asprintf(&stage->dir, "%s/faultline-split.XXXXXX",
		     tmp && *tmp ? tmp : "/tmp") < 0) {
		stage->dir = NULL;
		return -1;
	}
	if (!mkdtemp(stage->dir)) {
		fprintf(stderr, "faultline: cannot make %s: %s\n", stage->dir,
			strerror(errno));
		free(stage->dir);
		stage->dir = NULL;
		return -1;
	}
	return 0;
}

static int stage_unit(const struct missing_unit *u, void *data)
{
	struct stager *st = data;
	/* An absolute DW_AT_dwo_name is only ever looked for at that path:
	 * libdw cannot be sent elsewhere for it. */
	if (u->dwo_name[0] == '/')
		return 0;
	char *dwo = find_dwo(st, u);
	struct dwp *dwp = dwo ? NULL : find_dwp(st);
	if (!dwo && (!dwp || !dwp_row(dwp, u->dwo_id)))
		return 0;
	char *dest = NULL;
	if (make_stage_dir(st->stage) < 0 ||
	    make_parents(st->stage->dir, u->dwo_name) < 0 ||
	    asprintf(&dest, "%s/%s", st->stage->dir, u->dwo_name) < 0) {
		free(dwo);
		return 0;
	}
	/* A relative link would be read from the stage. */
	char *target = dwo ? realpath(dwo, NULL) : NULL;
	int staged = dwo ? (target ? symlink(target, dest) : -1)
			 : dwp_extract(dwp, u->dwo_id, dest);
	free(target);
	if (staged == 0)
		st->stage->staged++;
	free(dest);
	free(dwo);
	return 0;
}

/* Copy src to dest (a new file). */
static int copy_file(const char *src, const char *dest)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	int out = in < 0 ? -1
			 : open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
				0600);
	int ok = out >= 0;
	ssize_t n = 0;
	/* The kernel copies (or shares extents) where it can. */
	while (ok && (n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
		;
	if (ok && n < 0) {
		char buf[65536];
		ok = lseek(in, 0, SEEK_SET) == 0 && ftruncate(out, 0) == 0 &&
		     lseek(out, 0, SEEK_SET) == 0;
		while (ok && (n = read(in, buf, sizeof(buf))) > 0)
			ok = write(out, buf, (size_t)n) == n;
		ok = ok && n == 0;
	}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

int split_dwarf_stage(Dwarf *dw, const char *file, const char *module_path,
		      const struct split_search *where,
		      struct split_stage *stage)
{
	memset(stage, 0, sizeof(*stage));
	struct stager st = {where, file, module_path, stage, {0}, 0};
	st.dwp.fd = -1;
	each_missing(dw, NULL, stage_unit, &st);
	if (st.dwp.fd >= 0)
		dwp_close(&st.dwp);
	if (!stage->staged) {
		split_dwarf_unstage(stage);
		return -1;
	}
	/* libdw looks beside the file it read the skeletons from. */
	if (asprintf(&stage->file, "%s/%s", stage->dir, base_name(file)) < 0) {
		stage->file = NULL;
	} else if (link(file, stage->file) < 0 &&
		   copy_file(file, stage->file) < 0) {
		fprintf(stderr, "faultline: cannot copy %s to %s: %s\n", file,
			stage->file, strerror(errno));
		free(stage->file);
		stage->file = NULL;
	}
	if (!stage->file) {
		split_dwarf_unstage(stage);
		return -1;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

void split_dwarf_unstage(struct split_stage *stage)
{
	/* FTW_PHYS: the staged .dwo symlinks are removed, not followed. */
	if (stage->dir)
		nftw(stage->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(stage->dir);
	free(stage->file);
	memset(stage, 0, sizeof(*stage));
}
