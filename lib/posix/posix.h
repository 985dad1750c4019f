/*
 * posix.h - pieces of the POSIX backend and how they meet.
 *
 *   signals.c   sigaction entry, re-entry guard, termination contract
 *   altstack.c  alternate signal stacks for every thread
 *   unwind.c    libunwind over our own address space (no loader locks)
 *   modules.c   loaded modules from the dynamic linker's list
 *   elf.c       ELF symbols and build-ids, read with syscalls only
 *   platform.c  the small syscall wrappers platform.h asks for
 *   arch_*.c    registers and fault decoding per architecture
 */
#ifndef FL_POSIX_H
#define FL_POSIX_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

#include "faultline.h"

/* --- unwind.c --------------------------------------------------------- */
/* Prepare the unwinder (address space, caches) at install time so that
 * the fatal path allocates nothing.  0 or -1. */
int fl_unwind_prepare(void);
/* [fatal] Fill fault->frames from the signal's context (frame 0 = pc),
 * following the head/tail rule; bounded in steps and time. */
void fl_unwind_context(const ucontext_t *uc, struct faultline_fault *fault);

/* --- elf.c ------------------------------------------------------------ */
/* [fatal] Symbol containing the ELF virtual address vaddr in the file at
 * path (.symtab, else .dynsym).  0 with name and *offset, or -1. */
int fl_elf_symbolize(const char *path, uintptr_t vaddr, char *name, size_t cap,
		     uintptr_t *offset);
/* [fatal] GNU build-id of the ELF image mapped at base (its ELF header);
 * returns its length (0 none). */
size_t fl_elf_build_id_mapped(uintptr_t base, unsigned char *out, size_t cap);
/* [fatal] Copy len bytes of our own memory that may not be mapped;
 * 0, or -1 when unreadable (instead of faulting). */
int fl_safe_read(void *dst, uintptr_t src, size_t len);

/* --- altstack.c ------------------------------------------------------- */
int fl_altstack_install(size_t size); /* process-wide setup + this thread */
int fl_altstack_thread_init(void);
/* [fatal] 1 when addr (with the stack pointer sp) looks like an overflow
 * of the current thread's stack. */
int fl_altstack_is_overflow(uintptr_t addr, uintptr_t sp);

/* --- signals.c -------------------------------------------------------- */
/* The thread ids known to be in faultline's handler (0: none). */
extern volatile long fl_crashing_tid;

/* --- arch_*.c --------------------------------------------------------- */
/* [fatal] pc, sp, registers and access kind from the context. */
void fl_arch_fill(struct faultline_fault *fault, const siginfo_t *si,
		  const ucontext_t *uc);

#endif
