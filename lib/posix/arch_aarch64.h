/*
 * arch_aarch64.h - aarch64 facts the POSIX backend shares between files
 * (arch_aarch64.c holds the code): the unwinder's register numbering and
 * faultline_protect's jump record.
 */
#ifndef FL_POSIX_ARCH_AARCH64_H
#define FL_POSIX_ARCH_AARCH64_H

#include <stdint.h>

/* The registers the unwinder starts from, numbered as libunwind numbers
 * them: x0..x30 as in DWARF, then sp, pc and pstate. */
#define FL_ARCH_UNWIND_NREGS 34
#define FL_ARCH_UNWIND_SP 31
#define FL_ARCH_UNWIND_PC 32
#define FL_ARCH_UNWIND_LR 30
#define FL_ARCH_UNWIND_PSTATE 33

/* faultline_protect's jump record (protect.h).  AAPCS64: x19-x28, fp, lr, sp
 * and the low halves of v8-v15. */
struct fl_jmp {
	uint64_t x[10];	 /* 0: x19 .. x28 */
	uint64_t fp, lr; /* 80, 88: lr is where fl_jmp_capture returns */
	uint64_t sp;	 /* 96 */
	uint64_t d[8];	 /* 104: d8 .. d15 */
	uint64_t fpcr;	 /* 168: rounding mode, trap enables */
	uint64_t fpsr;	 /* 176: cumulative exception flags */
};

#endif
