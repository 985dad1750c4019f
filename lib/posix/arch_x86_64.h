/*
 * arch_x86_64.h - x86-64 facts the POSIX backend shares between files
 * (arch_x86_64.c holds the code): the unwinder's register numbering and
 * faultline_protect's jump record.
 */
#ifndef FL_POSIX_ARCH_X86_64_H
#define FL_POSIX_ARCH_X86_64_H

#include <stdint.h>

/* The registers the unwinder starts from, numbered as DWARF (and
 * libunwind) number them: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip. */
#define FL_ARCH_UNWIND_NREGS 17
#define FL_ARCH_UNWIND_SP 7
#define FL_ARCH_UNWIND_PC 16

/* faultline_protect's jump record (protect.h).  System V: rbx rbp r12-r15 are
 * callee-saved; no xmm register is. */
struct fl_jmp {
	uint64_t rbx, rbp, r12, r13, r14, r15; /* 0 .. 40 */
	uint64_t sp;	/* 48: the stack pointer after fl_jmp_capture returns */
	uint64_t pc;	/* 56: its return address */
	uint32_t mxcsr; /* 64: SSE control and exception flags */
	uint16_t fcw;	/* 68: x87 control word (precision, rounding) */
	uint16_t fsw;	/* 70: x87 status word (exception flags, top) */
};

#endif
