/*
 * arch_x86_64.h - x64 facts the Windows backend shares between files
 * (arch_x86_64.c holds the code): the jump record, the stack base.
 */
#ifndef FL_WINDOWS_ARCH_X86_64_H
#define FL_WINDOWS_ARCH_X86_64_H

#include <stdint.h>

/* faultline_protect's jump record (protect.h).  Win64: rbx rbp rdi rsi r12-r15
 * and xmm6-xmm15 are callee-saved. */
struct fl_jmp {
	uint64_t rbx, rbp, rdi, rsi, r12, r13, r14, r15; /* 0 .. 56 */
	uint64_t sp;					 /* 64 */
	uint64_t pc;					 /* 72 */
	uint32_t mxcsr;					 /* 80 */
	uint16_t fcw;					 /* 84 */
	uint16_t fsw;					 /* 86 */
	uint64_t pad;					 /* 88 */
	unsigned char xmm[10][16]; /* 96: xmm6 .. xmm15 (movups) */
};

/* The calling thread's NT_TIB.StackBase (gs:0x8 on x64), read directly:
 * NtCurrentTeb()'s inline form trips gcc 12's -Warray-bounds.  Nothing at
 * or above it belongs to the thread's stack. */
static inline uintptr_t fl_win_stack_base(void)
{
	uintptr_t v;

	__asm__("movq %%gs:0x8, %0" : "=r"(v));
	return v;
}

#endif
