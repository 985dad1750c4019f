/*
 * plt.h - is an address in a PLT stub, and which function does the stub
 * jump to?  (A report names such a frame after whatever symbol comes
 * before the PLT, usually _init, or "??".)
 */
#ifndef FL_TOOL_PLT_H
#define FL_TOOL_PLT_H

#include <gelf.h>

enum plt_kind {
	PLT_NONE,  /* addr is not in a PLT section */
	PLT_STUB,  /* a function's stub */
	PLT_HEADER /* the lazy-binding entry into the dynamic linker */
};

/* What addr (an address of elf's own address space) is; for a stub,
 * *target is the name of the function it jumps to (malloc'd), or NULL when
 * it cannot be told (x86-64 and aarch64 stubs are decoded). */
enum plt_kind plt_lookup(Elf *elf, GElf_Addr addr, char **target);

#endif
