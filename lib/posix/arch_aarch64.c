/*
 * arch_aarch64.c - registers and fault decoding on Linux aarch64.
 */
#include "posix.h"
#include "str.h"

#include <asm/sigcontext.h>

/* ESR_ELx exception classes (Arm ARM D17.2.37). */
#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define ESR_WNR (1u << 6)

static const char *const xnames[31] = {
	"x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",	 "x7",
	"x8",  "x9",  "x10", "x11", "x12", "x13", "x14", "x15",
	"x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23",
	"x24", "x25", "x26", "x27", "x28", "x29", "x30",
};

/* The kernel appends records to __reserved; ESR_MAGIC carries the
 * syndrome of a data or instruction abort. Bounded walk: a corrupt
 * context must not send us past the buffer. */
static int find_esr(const mcontext_t *mc, uint64_t *esr)
{
	const unsigned char *p = (const unsigned char *)mc->__reserved;
	const unsigned char *end = p + sizeof(mc->__reserved);

	while (p + sizeof(struct _aarch64_ctx) <= end) {
		const struct _aarch64_ctx *h = (const void *)p;
		if (h->magic == 0 || h->size < sizeof(*h) ||
		    h->size > (size_t)(end - p))
			return 0;
		if (h->magic == ESR_MAGIC &&
		    h->size >= sizeof(struct esr_context)) {
			*esr = ((const struct esr_context *)(const void *)p)
				       ->esr;
			return 1;
		}
		p += h->size;
	}
	return 0;
}

static enum faultline_access access_kind(int signo, uint64_t fault_addr,
					 const mcontext_t *mc)
{
	uint64_t esr;

	if (signo != SIGSEGV && signo != SIGBUS)
		return FAULTLINE_ACCESS_UNKNOWN;
	if (!find_esr(mc, &esr)) {
		/* No syndrome (qemu-user passes none): a fault at the pc
		 * itself can only be the instruction fetch. */
		return fault_addr == mc->pc ? FAULTLINE_ACCESS_EXECUTE
					 : FAULTLINE_ACCESS_UNKNOWN;
	}
	switch (ESR_EC(esr)) {
	case EC_IABT_LOW:
	case EC_IABT_CUR:
		return FAULTLINE_ACCESS_EXECUTE;
	case EC_DABT_LOW:
	case EC_DABT_CUR:
		return esr & ESR_WNR ? FAULTLINE_ACCESS_WRITE
				     : FAULTLINE_ACCESS_READ;
	default:
		return FAULTLINE_ACCESS_UNKNOWN;
	}
}

void fl_arch_fill(struct faultline_fault *f, const siginfo_t *si,
		  const ucontext_t *uc)
{
	const mcontext_t *mc = &uc->uc_mcontext;
	unsigned n = 0;

	f->pc = (uintptr_t)mc->pc;
	f->sp = (uintptr_t)mc->sp;
	for (int i = 0; i < 31; i++) {
		f->registers[n].name = xnames[i];
		f->registers[n++].value = mc->regs[i];
	}
	f->registers[n].name = "sp";
	f->registers[n++].value = mc->sp;
	f->registers[n].name = "pc";
	f->registers[n++].value = mc->pc;
	f->registers[n].name = "pstate";
	f->registers[n++].value = mc->pstate;
	f->register_count = n;
	f->access = access_kind(si->si_signo, (uint64_t)(uintptr_t)si->si_addr,
				mc);
}

void fl_arch_unwind_regs(uint64_t regs[FL_ARCH_UNWIND_NREGS],
			 const ucontext_t *uc)
{
	for (int i = 0; i < 31; i++)
		regs[i] = uc->uc_mcontext.regs[i];
	regs[FL_ARCH_UNWIND_SP] = uc->uc_mcontext.sp;
	regs[FL_ARCH_UNWIND_PC] = uc->uc_mcontext.pc;
	regs[FL_ARCH_UNWIND_PSTATE] = uc->uc_mcontext.pstate;
}

int fl_arch_unwind_bad_call(uint64_t regs[FL_ARCH_UNWIND_NREGS],
			    struct fl_mem_view *mem)
{
	(void)mem;
	/* A branch with link left the return address in x30. */
	regs[FL_ARCH_UNWIND_PC] = regs[FL_ARCH_UNWIND_LR];
	return 0;
}

/* --- faultline_protect: the jump record (lib/protect.h) -------------------
 *
 * fl_jmp_capture is setjmp without the signal mask: the callee-saved
 * registers (x19-x28, fp, lr, sp, d8-d15) and FPCR/FPSR, no syscall.  The
 * fault path never jumps out of the handler: fl_arch_land points the
 * interrupted context at fl_jmp_land and the handler returns, so the
 * kernel's sigreturn puts back the signal mask and leaves the alternate
 * stack; fl_jmp_land then reloads the registers and the floating-point
 * environment as ordinary code.
 */
#include "protect.h"

#include <stddef.h>

_Static_assert(offsetof(struct fl_jmp, fp) == 80, "fl_jmp layout");
_Static_assert(offsetof(struct fl_jmp, sp) == 96, "fl_jmp layout");
_Static_assert(offsetof(struct fl_jmp, d) == 104, "fl_jmp layout");
_Static_assert(offsetof(struct fl_jmp, fpcr) == 168, "fl_jmp layout");
_Static_assert(offsetof(struct fl_jmp, fpsr) == 176, "fl_jmp layout");

void fl_arch_jmp_unwind_regs(uint64_t regs[FL_ARCH_UNWIND_NREGS],
			     const struct fl_jmp *j)
{
	fl_memset(regs, 0, sizeof(regs[0]) * FL_ARCH_UNWIND_NREGS);
	for (int i = 0; i < 10; i++)
		regs[19 + i] = j->x[i];
	regs[29] = j->fp;
	regs[FL_ARCH_UNWIND_LR] = j->lr;
	regs[FL_ARCH_UNWIND_SP] = j->sp;
	regs[FL_ARCH_UNWIND_PC] = j->lr;
}

/* Top-level asm in a C file: the object keeps gcc's .note.GNU-stack. */
/* clang-format off */
__asm__(FL_ASM_BEGIN(fl_jmp_capture)
	"	stp x19, x20, [x0, #0]\n"
	"	stp x21, x22, [x0, #16]\n"
	"	stp x23, x24, [x0, #32]\n"
	"	stp x25, x26, [x0, #48]\n"
	"	stp x27, x28, [x0, #64]\n"
	"	stp x29, x30, [x0, #80]\n"	/* x30: where we return */
	"	mov x1, sp\n"
	"	str x1, [x0, #96]\n"
	"	stp d8, d9, [x0, #104]\n"
	"	stp d10, d11, [x0, #120]\n"
	"	stp d12, d13, [x0, #136]\n"
	"	stp d14, d15, [x0, #152]\n"
	"	mrs x1, fpcr\n"
	"	str x1, [x0, #168]\n"
	"	mrs x1, fpsr\n"
	"	str x1, [x0, #176]\n"
	"	mov w0, #0\n"
	"	ret\n"
	FL_ASM_END(fl_jmp_capture));

__asm__(FL_ASM_BEGIN(fl_jmp_land)
	"	.cfi_undefined x30\n"	/* unwinders stop here */
	"	ldp x19, x20, [x0, #0]\n"
	"	ldp x21, x22, [x0, #16]\n"
	"	ldp x23, x24, [x0, #32]\n"
	"	ldp x25, x26, [x0, #48]\n"
	"	ldp x27, x28, [x0, #64]\n"
	"	ldp x29, x30, [x0, #80]\n"
	"	ldr x1, [x0, #96]\n"
	"	mov sp, x1\n"
	"	ldp d8, d9, [x0, #104]\n"
	"	ldp d10, d11, [x0, #120]\n"
	"	ldp d12, d13, [x0, #136]\n"
	"	ldp d14, d15, [x0, #152]\n"
	"	ldr x1, [x0, #168]\n"
	"	msr fpcr, x1\n"
	"	ldr x1, [x0, #176]\n"
	"	msr fpsr, x1\n"
	"	mov w0, #1\n"		/* fl_jmp_capture "returns" 1 */
	"	ret\n"
	FL_ASM_END(fl_jmp_land));

/* x0: the new stack's top, x1: fn, x2: its argument.  x29 keeps the old
 * stack pointer across the call (fn preserves it: callee-saved). */
__asm__(FL_ASM_BEGIN(fl_arch_call_on_stack)
	"	stp x29, x30, [sp, #-16]!\n"
	"	.cfi_def_cfa_offset 16\n"
	"	.cfi_offset x29, -16\n"
	"	.cfi_offset x30, -8\n"
	"	mov x29, sp\n"
	"	.cfi_def_cfa_register x29\n"
	"	and x0, x0, #0xfffffffffffffff0\n"
	"	mov sp, x0\n"
	"	mov x0, x2\n"
	"	blr x1\n"
	"	mov sp, x29\n"
	"	.cfi_def_cfa_register sp\n"
	"	ldp x29, x30, [sp], #16\n"
	"	.cfi_def_cfa_offset 0\n"
	"	.cfi_restore x29\n"
	"	.cfi_restore x30\n"
	"	ret\n"
	FL_ASM_END(fl_arch_call_on_stack));
/* clang-format on */

void fl_arch_land(ucontext_t *uc, struct fl_jmp *j)
{
	mcontext_t *mc = &uc->uc_mcontext;

	/* fl_jmp_land reloads everything else from j itself. */
	mc->pc = (uintptr_t)fl_jmp_land;
	mc->regs[0] = (uintptr_t)j;
	/* Inside the protected caller's frame, 16-aligned: the overflowed
	 * sp of the fault must not be where sigreturn leaves us. */
	mc->sp = j->sp & ~(uint64_t)15;
}
