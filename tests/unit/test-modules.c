/*
 * test-modules.c - modules.c: the module list from _r_debug (checked
 * against dl_iterate_phdr, which the code itself must not use), the vdso,
 * dlopen'd libraries, build-ids, and fl_platform_symbolize with its
 * build-id check.
 */
#include <check.h>
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "platform.h"
#include "crash-helper.h"
#include "unit.h"
#include "posix/posix.h"
#include "snapshot.h"

static struct fl_module_table table;

static int find_path(const char *path)
{
	size_t i;

	for (i = 0; i < table.count; i++)
		if (strcmp(table.modules[i].path, path) == 0)
			return (int)i;
	return -1;
}

/* Every object dl_iterate_phdr reports is in the table, with the same
 * bias, and its base is where its first segment is mapped. */
static int check_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t lowest = UINTPTR_MAX;
	int i, mi;

	for (i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD &&
		    info->dlpi_phdr[i].p_vaddr < lowest)
			lowest = info->dlpi_phdr[i].p_vaddr;
	mi = fl_module_find(&table, info->dlpi_addr + lowest);
	ck_assert_msg(mi >= 0, "%s at %#lx missing", info->dlpi_name,
		      (unsigned long)(info->dlpi_addr + lowest));
	ck_assert_uint_eq(table.modules[mi].bias, info->dlpi_addr);
	ck_assert_uint_eq(table.modules[mi].base,
			  (info->dlpi_addr + lowest) & ~(uintptr_t)4095);
	if (info->dlpi_name[0] == '/')
		ck_assert_str_eq(table.modules[mi].path, info->dlpi_name);
	++*(int *)data;
	return 0;
}

START_TEST(matches_the_loader)
{
	char exe[1024];
	int seen = 0;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	fl_platform_collect_modules(&table);
	exe[n > 0 ? n : 0] = '\0';
	ck_assert_str_eq(table.modules[0].path, exe);
	dl_iterate_phdr(check_cb, &seen);
	ck_assert_int_ge(seen, 3);
	ck_assert_int_ge((int)table.count, seen);
}
END_TEST

START_TEST(has_the_vdso)
{
	uintptr_t vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
	int mi;

	if (vdso == 0)
		return; /* some emulators map none */
	fl_platform_collect_modules(&table);
	mi = find_path("[vdso]");
	ck_assert_int_ge(mi, 0);
	ck_assert_uint_eq(table.modules[mi].base, vdso);
	ck_assert_uint_gt(table.modules[mi].end, vdso);
}
END_TEST

START_TEST(sees_dlopened_libraries)
{
	void *h = dlopen("libresolv.so.2", RTLD_NOW);
	struct link_map *lm = NULL;
	int mi;

	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(dlinfo(h, RTLD_DI_LINKMAP, &lm), 0);
	fl_platform_collect_modules(&table);
	mi = find_path(lm->l_name);
	ck_assert_int_ge(mi, 0);
	ck_assert_ptr_nonnull(strstr(table.modules[mi].path, "libresolv"));
	ck_assert_uint_eq(table.modules[mi].bias, lm->l_addr);
}
END_TEST

/* The build-id of each module is what its file says. */
START_TEST(build_ids_match_files)
{
	unsigned char id[FL_BUILD_ID_MAX];
	struct fl_elf_src s;
	size_t i, checked = 0;

	fl_platform_collect_modules(&table);
	for (i = 0; i < table.count; i++) {
		const struct fl_module *m = &table.modules[i];

		if (m->path[0] != '/' || fl_elf_open(m->path, &s) != 0)
			continue;
		ck_assert_uint_eq(fl_elf_build_id_src(&s, id, sizeof(id)),
				  m->build_id_len);
		ck_assert_mem_eq(id, m->build_id, m->build_id_len);
		fl_elf_close(&s);
		checked += m->build_id_len > 0;
	}
	ck_assert_uint_ge(checked, 2);
}
END_TEST

int fl_test_modules_target(int x);
__attribute__((noinline)) int fl_test_modules_target(int x)
{
	return x * 5 + 2;
}

START_TEST(symbolize_checks_the_build_id)
{
	uintptr_t pc = (uintptr_t)fl_test_modules_target + 4, off = 0;
	struct fl_module m;
	char name[64];
	int mi;

	fl_platform_collect_modules(&table);
	mi = fl_module_find(&table, pc);
	ck_assert_int_ge(mi, 0);
	m = table.modules[mi];
	ck_assert_int_eq(
		fl_platform_symbolize(&m, pc, name, sizeof(name), &off), 0);
	ck_assert_str_eq(name, "fl_test_modules_target");
	ck_assert_uint_eq(off, 4);
	/* the file on disk is not the one loaded: no (wrong) names */
	ck_assert_uint_gt(m.build_id_len, 0);
	m.build_id[0] ^= 0xff;
	ck_assert_int_eq(
		fl_platform_symbolize(&m, pc, name, sizeof(name), &off), -1);
}
END_TEST

/* The vdso has no file: its symbols come from the image in memory. */
START_TEST(symbolizes_the_vdso)
{
	uintptr_t vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR), off = 0;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)vdso;
	const Elf64_Shdr *sh;
	const Elf64_Sym *sym = NULL;
	const char *str = NULL, *want = NULL;
	size_t i, count = 0;
	char name[64];
	int mi;

	if (vdso == 0)
		return;
	/* oracle: the first sized FUNC of the vdso's .dynsym */
	sh = (const Elf64_Shdr *)(vdso + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_DYNSYM) {
			sym = (const Elf64_Sym *)(vdso + sh[i].sh_offset);
			count = sh[i].sh_size / sizeof(*sym);
			str = (const char *)vdso + sh[sh[i].sh_link].sh_offset;
		}
	ck_assert_ptr_nonnull(sym);
	for (i = 0; i < count && want == NULL; i++)
		if (ELF64_ST_TYPE(sym[i].st_info) == STT_FUNC &&
		    sym[i].st_size > 2)
			want = str + sym[i].st_name;
	ck_assert_ptr_nonnull(want);
	i--;
	fl_platform_collect_modules(&table);
	mi = find_path("[vdso]");
	ck_assert_int_ge(mi, 0);
	ck_assert_int_eq(fl_platform_symbolize(&table.modules[mi],
					       table.modules[mi].bias +
						       sym[i].st_value + 1,
					       name, sizeof(name), &off),
			 0);
	ck_assert_str_eq(name, want);
	ck_assert_uint_eq(off, 1);
}
END_TEST

int main(void)
{
	return UNIT_MAIN("modules", 120, matches_the_loader, has_the_vdso,
			 sees_dlopened_libraries, build_ids_match_files,
			 symbolize_checks_the_build_id, symbolizes_the_vdso);
}
