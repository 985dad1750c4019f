/*
 * arch_x86_64.c - registers and fault decoding on Linux x86-64.
 */
#include "posix.h"

/* Page-fault error code bits (Intel SDM vol. 3, 4.7). */
#define PF_WRITE 0x2
#define PF_INSTR 0x10
#define TRAP_PAGE_FAULT 14

static const struct {
	const char *name;
	int reg;
} gregs[] = {
	{"rax", REG_RAX},	{"rbx", REG_RBX}, {"rcx", REG_RCX},
	{"rdx", REG_RDX},	{"rsi", REG_RSI}, {"rdi", REG_RDI},
	{"rbp", REG_RBP},	{"rsp", REG_RSP}, {"r8", REG_R8},
	{"r9", REG_R9},		{"r10", REG_R10}, {"r11", REG_R11},
	{"r12", REG_R12},	{"r13", REG_R13}, {"r14", REG_R14},
	{"r15", REG_R15},	{"rip", REG_RIP}, {"eflags", REG_EFL},
	{"csgsfs", REG_CSGSFS}, {"err", REG_ERR}, {"trapno", REG_TRAPNO},
	{"cr2", REG_CR2},
};

static enum faultline_access access_kind(int signo, const greg_t *g)
{
	/* The error code is only meaningful for a page fault; the kernel
	 * reports others (e.g. a general protection fault) with trapno 13. */
	if (signo != SIGSEGV || g[REG_TRAPNO] != TRAP_PAGE_FAULT)
		return FAULTLINE_ACCESS_UNKNOWN;
	if (g[REG_ERR] & PF_INSTR)
		return FAULTLINE_ACCESS_EXECUTE;
	if (g[REG_ERR] & PF_WRITE)
		return FAULTLINE_ACCESS_WRITE;
	return FAULTLINE_ACCESS_READ;
}

void fl_arch_fill(struct faultline_fault *f, const siginfo_t *si,
		  const ucontext_t *uc)
{
	const greg_t *g = uc->uc_mcontext.gregs;
	unsigned n = 0;

	f->pc = (uintptr_t)g[REG_RIP];
	f->sp = (uintptr_t)g[REG_RSP];
	for (size_t i = 0; i < sizeof(gregs) / sizeof(gregs[0]); i++) {
		f->registers[n].name = gregs[i].name;
		f->registers[n].value = (uint64_t)g[gregs[i].reg];
		n++;
	}
	f->register_count = n;
	f->access = access_kind(si->si_signo, g);
}

/* The unwinder's numbering (arch_x86_64.h) -> the ucontext's. */
static const unsigned char unwind_greg[FL_ARCH_UNWIND_NREGS] = {
	REG_RAX, REG_RDX, REG_RCX, REG_RBX, REG_RSI, REG_RDI,
	REG_RBP, REG_RSP, REG_R8,  REG_R9,  REG_R10, REG_R11,
	REG_R12, REG_R13, REG_R14, REG_R15, REG_RIP,
};

void fl_arch_unwind_regs(uint64_t regs[FL_ARCH_UNWIND_NREGS],
			 const ucontext_t *uc)
{
	for (int i = 0; i < FL_ARCH_UNWIND_NREGS; i++)
		regs[i] = (uint64_t)uc->uc_mcontext.gregs[unwind_greg[i]];
}

int fl_arch_unwind_bad_call(uint64_t regs[FL_ARCH_UNWIND_NREGS],
			    struct fl_mem_view *mem)
{
	/* The call pushed its return address: pop it. */
	if (fl_mem_view_read(mem, &regs[FL_ARCH_UNWIND_PC],
			     regs[FL_ARCH_UNWIND_SP], sizeof(uint64_t)) != 0)
		return -1;
	regs[FL_ARCH_UNWIND_SP] += sizeof(uint64_t);
	return 0;
}

/* --- faultline_protect: the jump record (lib/protect.h) -------------------
 *
 * fl_jmp_capture is setjmp without the signal mask, mangling or shadow-stack
 * bookkeeping: eight stores and three FP-state reads, no syscall.  The fault
 * path never jumps out of the handler: fl_arch_land points the interrupted
 * context at fl_jmp_land and the handler returns, so the kernel's sigreturn
 * puts back the signal mask and leaves the alternate stack.  fl_jmp_land
 * then reloads the registers and the floating-point environment as ordinary
 * code.  (Not compatible with CET shadow stacks, which Linux does not
 * enable for glibc 2.36 programs: land jumps instead of returning.)
 */
#include "protect.h"

#include <stddef.h>

_Static_assert(offsetof(struct fl_jmp, sp) == 48, "fl_jmp layout");
_Static_assert(offsetof(struct fl_jmp, pc) == 56, "fl_jmp layout");
_Static_assert(offsetof(struct fl_jmp, mxcsr) == 64, "fl_jmp layout");
_Static_assert(offsetof(struct fl_jmp, fcw) == 68, "fl_jmp layout");
_Static_assert(offsetof(struct fl_jmp, fsw) == 70, "fl_jmp layout");

void fl_arch_jmp_unwind_regs(uint64_t regs[FL_ARCH_UNWIND_NREGS],
			     const struct fl_jmp *j)
{
	for (int i = 0; i < FL_ARCH_UNWIND_NREGS; i++)
		regs[i] = 0;
	regs[3] = j->rbx; /* DWARF numbers, as unwind_greg above */
	regs[6] = j->rbp;
	regs[12] = j->r12;
	regs[13] = j->r13;
	regs[14] = j->r14;
	regs[15] = j->r15;
	regs[FL_ARCH_UNWIND_SP] = j->sp;
	regs[FL_ARCH_UNWIND_PC] = j->pc;
}

/* Top-level asm in a C file: the object keeps gcc's .note.GNU-stack (no
 * executable stack), and hidden visibility keeps the calls direct. */
/* clang-format off */
__asm__(FL_ASM_BEGIN(fl_jmp_capture)
#ifdef __CET__
	"	endbr64\n"
#endif
	"	movq %rbx, 0(%rdi)\n"
	"	movq %rbp, 8(%rdi)\n"
	"	movq %r12, 16(%rdi)\n"
	"	movq %r13, 24(%rdi)\n"
	"	movq %r14, 32(%rdi)\n"
	"	movq %r15, 40(%rdi)\n"
	"	leaq 8(%rsp), %rdx\n"	/* sp once we have returned */
	"	movq %rdx, 48(%rdi)\n"
	"	movq (%rsp), %rdx\n"	/* our return address */
	"	movq %rdx, 56(%rdi)\n"
	"	stmxcsr 64(%rdi)\n"
	"	fnstcw 68(%rdi)\n"
	"	fnstsw 70(%rdi)\n"
	"	xorl %eax, %eax\n"
	"	ret\n"
	FL_ASM_END(fl_jmp_capture));

__asm__(FL_ASM_BEGIN(fl_jmp_land)
	"	.cfi_undefined rip\n"	/* unwinders stop here */
	"	movq 0(%rdi), %rbx\n"
	"	movq 8(%rdi), %rbp\n"
	"	movq 16(%rdi), %r12\n"
	"	movq 24(%rdi), %r13\n"
	"	movq 32(%rdi), %r14\n"
	"	movq 40(%rdi), %r15\n"
	"	movq 48(%rdi), %rsp\n"
	/* x87: the status word can only be loaded with the whole
	 * environment.  Take the current one (below sp: the abandoned frames
	 * of fn), put back the control and status words, mark every register
	 * empty (fn may have left values on the x87 stack), load it. */
	"	subq $32, %rsp\n"
	"	fnstenv (%rsp)\n"
	"	movzwl 68(%rdi), %eax\n"
	"	movw %ax, 0(%rsp)\n"
	"	movzwl 70(%rdi), %eax\n"
	"	movw %ax, 4(%rsp)\n"
	"	movw $0xffff, 8(%rsp)\n"
	"	fldenv (%rsp)\n"
	"	addq $32, %rsp\n"
	"	ldmxcsr 64(%rdi)\n"
	"	cld\n"			/* the ABI's direction flag, whatever fn left */
	"	movl $1, %eax\n"	/* fl_jmp_capture "returns" 1 */
	"	jmpq *56(%rdi)\n"
	FL_ASM_END(fl_jmp_land));

/* rdi: the new stack's top, rsi: fn, rdx: its argument.  rbp keeps the
 * old stack pointer across the call (fn preserves it: callee-saved). */
__asm__(FL_ASM_BEGIN(fl_arch_call_on_stack)
#ifdef __CET__
	"	endbr64\n"
#endif
	"	pushq %rbp\n"
	"	.cfi_def_cfa_offset 16\n"
	"	.cfi_offset rbp, -16\n"
	"	movq %rsp, %rbp\n"
	"	.cfi_def_cfa_register rbp\n"
	"	andq $-16, %rdi\n"
	"	movq %rdi, %rsp\n"
	"	movq %rdx, %rdi\n"
	"	callq *%rsi\n"
	"	movq %rbp, %rsp\n"
	"	.cfi_def_cfa_register rsp\n"
	"	popq %rbp\n"
	"	.cfi_def_cfa_offset 8\n"
	"	.cfi_restore rbp\n"
	"	ret\n"
	FL_ASM_END(fl_arch_call_on_stack));
/* clang-format on */

void fl_arch_land(ucontext_t *uc, struct fl_jmp *j)
{
	greg_t *g = uc->uc_mcontext.gregs;

	/* fl_jmp_land reloads everything else from j itself. */
	g[REG_RIP] = (greg_t)(uintptr_t)fl_jmp_land;
	g[REG_RDI] = (greg_t)(uintptr_t)j;
	/* A stack pointer inside the protected caller's frame, 16-aligned
	 * minus 8 as at a function's entry: the overflowed (or corrupt) sp
	 * of the fault must not be where the kernel's sigreturn leaves us. */
	g[REG_RSP] = (greg_t)((j->sp & ~(uint64_t)15) - 8);
}
