/*
 * minidump_aarch64.c - the aarch64 part of a minidump: Breakpad's "new"
 * MDRawContextARM64 (minidump_cpu_arm64.h: flags and cpsr as 32-bit
 * words, then x0 .. x28, fp, lr, sp, pc), the layout lldb and
 * minidump_stackwalk read.  [fatal]
 */
#include "posix.h"
#include "str.h"

/* MD_CPU_ARCHITECTURE_ARM64, the architecture that goes with the new
 * context (minidump_stackwalk refuses the new context's flags beside
 * ARM64_OLD, 0x8003, which names the old one). */
const uint16_t fl_minidump_cpu = 12;

#define MD_CONTEXT_ARM64 0x00400000u
#define MD_CONTEXT_ARM64_CONTROL (MD_CONTEXT_ARM64 | 1u)
#define MD_CONTEXT_ARM64_INTEGER (MD_CONTEXT_ARM64 | 2u)

/* Offsets in MDRawContextARM64 (912 bytes). */
#define OFF_FLAGS 0
#define OFF_CPSR 4
#define OFF_X0 8 /* iregs[33]: x0 .. x30, sp, pc */
#define CONTEXT_SIZE 912

_Static_assert(CONTEXT_SIZE <= FL_MINIDUMP_CONTEXT_MAX, "context room");

size_t fl_minidump_context(const uint64_t regs[FL_ARCH_UNWIND_NREGS],
			   unsigned char *out)
{
	uint32_t flags = MD_CONTEXT_ARM64_CONTROL | MD_CONTEXT_ARM64_INTEGER;
	uint32_t cpsr = (uint32_t)regs[FL_ARCH_UNWIND_PSTATE];

	fl_memcpy(out + OFF_FLAGS, &flags, sizeof(flags));
	fl_memcpy(out + OFF_CPSR, &cpsr, sizeof(cpsr));
	/* The unwinder's numbering is the same: x0 .. x30, sp, pc. */
	fl_memcpy(out + OFF_X0, regs, 33 * 8);
	return CONTEXT_SIZE;
}
