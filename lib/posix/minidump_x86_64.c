/*
 * minidump_x86_64.c - the x86-64 part of a minidump: Breakpad's
 * MDRawContextAMD64 (minidump_cpu_amd64.h), control and integer
 * registers.  [fatal]
 */
#include "posix.h"
#include "str.h"

const uint16_t fl_minidump_cpu = 9; /* MD_CPU_ARCHITECTURE_AMD64 */

#define MD_CONTEXT_AMD64 0x00100000u
#define MD_CONTEXT_AMD64_CONTROL (MD_CONTEXT_AMD64 | 1u)
#define MD_CONTEXT_AMD64_INTEGER (MD_CONTEXT_AMD64 | 2u)

/* Offsets in MDRawContextAMD64 (1232 bytes). */
#define OFF_FLAGS 48
#define OFF_RAX 120 /* rax rcx rdx rbx rsp rbp rsi rdi r8 .. r15, rip */
#define CONTEXT_SIZE 1232

/* The minidump's order of rax .. r15, rip, as the unwinder numbers them
 * (DWARF: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip). */
static const unsigned char from_unwind[17] = {0, 2,  1,	 3,  7,	 6,  4,	 5, 8,
					      9, 10, 11, 12, 13, 14, 15, 16};

_Static_assert(CONTEXT_SIZE <= FL_MINIDUMP_CONTEXT_MAX, "context room");

size_t fl_minidump_context(const uint64_t regs[FL_ARCH_UNWIND_NREGS],
			   unsigned char *out)
{
	uint32_t flags = MD_CONTEXT_AMD64_CONTROL | MD_CONTEXT_AMD64_INTEGER;

	fl_memcpy(out + OFF_FLAGS, &flags, sizeof(flags));
	for (int i = 0; i < 17; i++)
		fl_memcpy(out + OFF_RAX + 8 * i, &regs[from_unwind[i]], 8);
	return CONTEXT_SIZE;
}
