/*
 * arch_x86_64.c - the x64 CPU as the Windows backend sees it: the
 * registers of a CONTEXT, and faultline_protect's jump record (Win64 ABI:
 * rdi, rsi and xmm6-xmm15 are callee-saved too).
 */
#include "win.h"

#include <stddef.h>

#include "protect.h"

static const char *const reg_names[] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8",
	"r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip", "eflags",
};

void fl_arch_fill(struct faultline_fault *f, const CONTEXT *c)
{
	const uint64_t v[] = {
		c->Rax, c->Rbx, c->Rcx, c->Rdx, c->Rsi, c->Rdi,
		c->Rbp, c->Rsp, c->R8,	c->R9,	c->R10, c->R11,
		c->R12, c->R13, c->R14, c->R15, c->Rip, c->EFlags,
	};

	f->register_count = sizeof(v) / sizeof(v[0]);
	for (unsigned i = 0; i < f->register_count; i++) {
		f->registers[i].name = reg_names[i];
		f->registers[i].value = v[i];
	}
}

/* --- faultline_protect: the jump record (lib/protect.h) ----------------- */

_Static_assert(offsetof(struct fl_jmp, sp) == 64, "fl_jmp layout");
_Static_assert(offsetof(struct fl_jmp, pc) == 72, "fl_jmp layout");
_Static_assert(offsetof(struct fl_jmp, mxcsr) == 80, "fl_jmp layout");
_Static_assert(offsetof(struct fl_jmp, xmm) == 96, "fl_jmp layout");

/* Win64 versions of the jump record's capture and landing (lib/posix/
 * arch_x86_64.c explains the x87 part). */
/* clang-format off */
__asm__(".text\n.globl fl_jmp_capture\n"
	".def fl_jmp_capture; .scl 2; .type 32; .endef\n"
	"fl_jmp_capture:\n"
	"	movq %rbx, 0(%rcx)\n"
	"	movq %rbp, 8(%rcx)\n"
	"	movq %rdi, 16(%rcx)\n"
	"	movq %rsi, 24(%rcx)\n"
	"	movq %r12, 32(%rcx)\n"
	"	movq %r13, 40(%rcx)\n"
	"	movq %r14, 48(%rcx)\n"
	"	movq %r15, 56(%rcx)\n"
	"	leaq 8(%rsp), %rdx\n"	/* sp once we have returned */
	"	movq %rdx, 64(%rcx)\n"
	"	movq (%rsp), %rdx\n"	/* our return address */
	"	movq %rdx, 72(%rcx)\n"
	"	stmxcsr 80(%rcx)\n"
	"	fnstcw 84(%rcx)\n"
	"	fnstsw 86(%rcx)\n"
	"	movups %xmm6, 96(%rcx)\n"
	"	movups %xmm7, 112(%rcx)\n"
	"	movups %xmm8, 128(%rcx)\n"
	"	movups %xmm9, 144(%rcx)\n"
	"	movups %xmm10, 160(%rcx)\n"
	"	movups %xmm11, 176(%rcx)\n"
	"	movups %xmm12, 192(%rcx)\n"
	"	movups %xmm13, 208(%rcx)\n"
	"	movups %xmm14, 224(%rcx)\n"
	"	movups %xmm15, 240(%rcx)\n"
	"	xorl %eax, %eax\n"
	"	ret\n");

__asm__(".text\n.globl fl_jmp_land\n"
	".def fl_jmp_land; .scl 2; .type 32; .endef\n"
	"fl_jmp_land:\n"
	"	movq 0(%rcx), %rbx\n"
	"	movq 8(%rcx), %rbp\n"
	"	movq 16(%rcx), %rdi\n"
	"	movq 24(%rcx), %rsi\n"
	"	movq 32(%rcx), %r12\n"
	"	movq 40(%rcx), %r13\n"
	"	movq 48(%rcx), %r14\n"
	"	movq 56(%rcx), %r15\n"
	"	movups 96(%rcx), %xmm6\n"
	"	movups 112(%rcx), %xmm7\n"
	"	movups 128(%rcx), %xmm8\n"
	"	movups 144(%rcx), %xmm9\n"
	"	movups 160(%rcx), %xmm10\n"
	"	movups 176(%rcx), %xmm11\n"
	"	movups 192(%rcx), %xmm12\n"
	"	movups 208(%rcx), %xmm13\n"
	"	movups 224(%rcx), %xmm14\n"
	"	movups 240(%rcx), %xmm15\n"
	"	movq 64(%rcx), %rsp\n"
	"	subq $32, %rsp\n"
	"	fnstenv (%rsp)\n"
	"	movzwl 84(%rcx), %eax\n"
	"	movw %ax, 0(%rsp)\n"
	"	movzwl 86(%rcx), %eax\n"
	"	movw %ax, 4(%rsp)\n"
	"	movw $0xffff, 8(%rsp)\n"
	"	fldenv (%rsp)\n"
	"	addq $32, %rsp\n"
	"	ldmxcsr 80(%rcx)\n"
	"	cld\n"
	"	movl $1, %eax\n"	/* fl_jmp_capture "returns" 1 */
	"	jmpq *72(%rcx)\n");
/* clang-format on */

void fl_arch_land(CONTEXT *ctx, struct fl_jmp *j)
{
	/* fl_jmp_land reloads everything else from j itself. */
	ctx->Rip = (DWORD64)(uintptr_t)fl_jmp_land;
	ctx->Rcx = (DWORD64)(uintptr_t)j;
	/* Inside the protected caller's frame, 16-aligned minus 8 as at a
	 * function's entry: the overflowed sp of the fault must not be where
	 * execution resumes. */
	ctx->Rsp = (j->sp & ~(uint64_t)15) - 8;
}
