/*
 * arch_x86_64.c - registers and fault decoding on Linux x86-64.
 */
#include "arch.h"

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
