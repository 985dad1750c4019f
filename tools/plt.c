/*
 * plt.c - PLT stubs (see plt.h).
 *
 * A stub loads its target from a GOT slot and jumps there; the dynamic
 * relocation that fills that slot names the target.  So the stub is
 * decoded just far enough to find its slot (x86-64: "jmp *disp(%rip)";
 * aarch64: "adrp x16, page; ldr x17, [x16, #off]"), and the slot is looked
 * up among the relocations, as objdump does to print "puts@plt".
 */
#include "plt.h"

#include <stdlib.h>
#include <string.h>

static int is_plt_section(const char *name)
{
	return name &&
	       (strcmp(name, ".plt") == 0 || strcmp(name, ".plt.sec") == 0 ||
		strcmp(name, ".plt.got") == 0 || strcmp(name, ".iplt") == 0);
}

static uint32_t read32(const unsigned char *p, int big_endian)
{
	return big_endian ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
				    (uint32_t)p[2] << 8 | p[3]
			  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
				    (uint32_t)p[1] << 8 | p[0];
}

/* x86-64: the GOT slot of the first "jmp *disp32(%rip)" (ff 25) in
 * [code, code + len), an instruction that ends 6 bytes after its ff. */
static int x86_64_slot(const unsigned char *code, size_t len, GElf_Addr at,
		       GElf_Addr *slot)
{
	for (size_t i = 0; i + 6 <= len; i++)
		if (code[i] == 0xff && code[i + 1] == 0x25) {
			int32_t disp = (int32_t)read32(code + i + 2, 0);
			*slot = at + i + 6 + (GElf_Addr)(int64_t)disp;
			return 0;
		}
	return -1;
}

/* aarch64: "adrp x16, PAGE" then "ldr x17, [x16, #OFF]": PAGE + OFF. */
static int aarch64_slot(const unsigned char *code, size_t len, GElf_Addr at,
			int big_endian, GElf_Addr *slot)
{
	/* Instructions are little-endian even on big-endian aarch64. */
	(void)big_endian;
	for (size_t i = 0; i + 8 <= len; i += 4) {
		uint32_t adrp = read32(code + i, 0);
		uint32_t ldr = read32(code + i + 4, 0);
		if ((adrp & 0x9f00001f) != 0x90000010 ||
		    (ldr & 0xffc003ff) != 0xf9400211)
			continue;
		uint64_t immlo = (adrp >> 29) & 3,
			 immhi = (adrp >> 5) & 0x7ffff;
		int64_t pages = (int64_t)(immhi << 2 | immlo);
		if (pages & (1 << 20))
			pages -= 1 << 21; /* sign of the 21-bit field */
		GElf_Addr page = ((at + i) & ~(GElf_Addr)0xfff) +
				 (GElf_Addr)(pages * 4096);
		*slot = page + ((ldr >> 10) & 0xfff) * 8;
		return 0;
	}
	return -1;
}

/* The symbol of the dynamic relocation that fills slot. */
static char *slot_target(Elf *elf, GElf_Addr slot)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_RELA ||
		    shdr.sh_entsize == 0)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		Elf_Scn *symscn = elf_getscn(elf, shdr.sh_link);
		GElf_Shdr symshdr;
		Elf_Data *syms = symscn ? elf_getdata(symscn, NULL) : NULL;
		if (!data || !syms || !gelf_getshdr(symscn, &symshdr))
			continue;
		size_t count = shdr.sh_size / shdr.sh_entsize;
		for (size_t i = 0; i < count; i++) {
			GElf_Rela rela;
			GElf_Sym sym;
			if (!gelf_getrela(data, (int)i, &rela) ||
			    rela.r_offset != slot)
				continue;
			size_t index = GELF_R_SYM(rela.r_info);
			const char *name =
				index && gelf_getsym(syms, (int)index, &sym)
					? elf_strptr(elf, symshdr.sh_link,
						     sym.st_name)
					: NULL;
			return name && *name ? strdup(name) : NULL;
		}
	}
	return NULL;
}

enum plt_kind plt_lookup(Elf *elf, GElf_Addr addr, char **target)
{
	*target = NULL;
	size_t shstrndx;
	GElf_Ehdr ehdr;
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) < 0 ||
	    !gelf_getehdr(elf, &ehdr))
		return PLT_NONE;
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	const char *name = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		if (gelf_getshdr(scn, &shdr) && (shdr.sh_flags & SHF_ALLOC) &&
		    addr >= shdr.sh_addr &&
		    addr - shdr.sh_addr < shdr.sh_size) {
			name = elf_strptr(elf, shstrndx, shdr.sh_name);
			break;
		}
	}
	if (!scn || !is_plt_section(name))
		return PLT_NONE;
	/* The header is the first 16 (x86-64) or 32 (aarch64) bytes of
	 * .plt; stubs follow, sh_entsize (or 16) bytes each. */
	int x86_64 = ehdr.e_machine == EM_X86_64;
	int aarch64 = ehdr.e_machine == EM_AARCH64;
	GElf_Addr header = strcmp(name, ".plt") != 0 ? 0
			   : x86_64		     ? 16
			   : aarch64		     ? 32
						     : 0;
	GElf_Addr offset = addr - shdr.sh_addr;
	if (offset < header)
		return PLT_HEADER;
	GElf_Xword size = shdr.sh_entsize ? shdr.sh_entsize : 16;
	GElf_Addr start = header + (offset - header) / size * size;
	Elf_Data *data = shdr.sh_type == SHT_PROGBITS
				 ? elf_getdata(scn, NULL)
				 : NULL; /* NOBITS in a debug file */
	if (!data || start + size > data->d_size)
		return PLT_STUB;
	const unsigned char *code = (const unsigned char *)data->d_buf + start;
	GElf_Addr slot;
	int big_endian = ehdr.e_ident[EI_DATA] == ELFDATA2MSB;
	if ((x86_64 &&
	     x86_64_slot(code, size, shdr.sh_addr + start, &slot) == 0) ||
	    (aarch64 && aarch64_slot(code, size, shdr.sh_addr + start,
				     big_endian, &slot) == 0))
		*target = slot_target(elf, slot);
	return PLT_STUB;
}
