/*
 * posix.h - pieces of the POSIX backend and how they meet.
 *
 * The files in the order a fault meets them.  Each calls only files below
 * it and the core (doc/architecture.md); the core calls the backend
 * through platform.h (install, modules, symbols, memory map, writes).
 *
 *   preload.c   install at load time under LD_PRELOAD
 *   handler.c   the signal handler: recover, or claim the crash, report it
 *               within a time bound and give the signal back
 *   claim.c     one crash, one report: the thread (and process) that
 *               reports
 *   protect.c   recovery: a fault of a protected call lands in the call
 *   capture.c   siginfo and ucontext -> struct faultline_fault
 *   signals.c   our sigactions, the ones they replaced, giving a signal back
 *   altstack.c  alternate signal stacks for every thread
 *   unwind.c    libunwind over our own address space (no loader locks)
 *   arch_*.[ch] registers, fault decoding, the unwinder's register file,
 *               faultline_protect's jump record, per architecture
 *   modules.c   loaded modules from the dynamic linker's list
 *   symbols.c   frame names from the modules' ELF symbols, per report
 *   elf.c       ELF symbols and build-ids, read with syscalls only
 *   memory.c    reading our own memory that may not be mapped
 *   memmap.c    the report's memory map (/proc/self/maps)
 *   platform.c  the small syscall wrappers platform.h asks for
 *
 * [fatal]: runs in the signal handler, async-signal-safe (platform.h).
 */
#ifndef FL_POSIX_H
#define FL_POSIX_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

#include "faultline.h"

#if defined(__x86_64__)
#include "posix/arch_x86_64.h"
#elif defined(__aarch64__)
#include "posix/arch_aarch64.h"
#else
#error "lib/posix: add arch_<cpu>.h and arch_<cpu>.c for this architecture"
#endif

/* --- protect.c -------------------------------------------------------- */
/* [fatal] Called first thing in the handler: when the current thread (tid)
 * runs a protected call and sig is a fault it recovers, describe the
 * fault, rewrite uc to land in that call and return 1 (the handler then
 * just returns).  0: not ours, carry on with the crash. */
int fl_protect_recover(int sig, siginfo_t *si, ucontext_t *uc, long tid);

/* --- claim.c ---------------------------------------------------------- */
enum fl_claim {
	FL_CLAIM_OURS,	      /* this thread reports the crash */
	FL_CLAIM_SAME_THREAD, /* it entered the handler again: die now */
	FL_CLAIM_OTHER	      /* another thread reported (or took too long) */
};
/* [fatal] Claim the crash for thread tid of this process.  When another
 * thread holds the claim, this waits for its report (bounded: 5 s) before
 * it returns FL_CLAIM_OTHER.  A claim of a vfork child that died in our
 * memory is stale and taken over. */
enum fl_claim fl_claim_crash(long tid);

/* --- capture.c -------------------------------------------------------- */
/* [fatal] Describe the fault of thread tid into f (everything but the
 * executable path): what the report and faultline_protect's caller see.
 * unwind 0: frame 0 (the pc) only; else the caller holds the unwinder's
 * lock (or knows that its owner is stuck). */
void fl_fault_capture(struct faultline_fault *f, int sig, const siginfo_t *si,
		      const ucontext_t *uc, long tid, int unwind);

/* --- signals.c -------------------------------------------------------- */
typedef void (*fl_signal_handler)(int sig, siginfo_t *si, void *uc);
/* Make fn the action of every signal in set (FAULTLINE_SIGNAL_BIT bits),
 * each blocking all of them while it runs, and give back the others;
 * the replaced actions are remembered.  0 or -1 with errno. */
int fl_signals_install(uint64_t set, fl_signal_handler fn);
/* Put back every action we replaced.  0 or -1. */
int fl_signals_uninstall(void);
/* 1 when faultline's handler is installed for sig. */
int fl_signal_handled(int sig);
/* [fatal] 1 when the action we replaced for sig ignored it. */
int fl_signal_was_ignored(int sig);
/* [fatal] 1 when si comes from a faulting instruction, which runs (and
 * faults) again once the handler returns. */
int fl_signal_is_hardware_fault(const siginfo_t *si);
/* [fatal] Our action for sig lost SA_SIGINFO (a program's signal() put
 * our function back): repair it, have the signal come again, return 1. */
int fl_signal_repair_stripped(int sig);
/* [fatal] The end of a handled crash: the replaced action takes over and
 * the signal reaches it (re-fires, or is re-queued with si). */
void fl_signal_give_back(int sig, siginfo_t *si);
/* [fatal] Default death by sig, now (or, for a hardware fault si, once
 * the handler returns).  si may be NULL. */
void fl_signal_die_by_default(int sig, const siginfo_t *si);
/* [fatal] Unblock sig for this thread. */
void fl_signal_unblock(int sig);
/* [fatal] While a report is written, a write past RLIMIT_FSIZE or into a
 * pipe nobody reads fails (EFBIG, EPIPE) instead of killing the process
 * by SIGXFSZ or SIGPIPE: the process must end by its own signal.  The
 * program's actions for both are put back by fl_signals_restore_writes. */
void fl_signals_quiet_writes(void);
void fl_signals_restore_writes(void);

/* --- altstack.c ------------------------------------------------------- */
int fl_altstack_install(size_t size); /* process-wide setup + this thread */
int fl_altstack_thread_init(void);
/* [fatal] 1 when addr (with the stack pointer sp) looks like an overflow
 * of the current thread's stack. */
int fl_altstack_is_overflow(uintptr_t addr, uintptr_t sp);

/* --- unwind.c --------------------------------------------------------- */
/* Prepare the unwinder (address space, caches) at install time so that
 * the fatal path allocates nothing.  0 or -1. */
int fl_unwind_prepare(void);
/* [fatal] Fill fault->frames from the signal's context (frame 0 = pc),
 * following the head/tail rule; bounded in steps and time.  Callers hold
 * the unwinder's lock (or know that its owner is stuck). */
void fl_unwind_context(const ucontext_t *uc, struct faultline_fault *fault);
/* [fatal] The unwinder's state is process-wide: take its lock for thread
 * tid.  1 when taken, 0 when its owner kept it past a bounded wait (3 s).
 * fl_unwind_unlock gives it back. */
int fl_unwind_lock(long tid);
void fl_unwind_unlock(void);

/* --- arch_*.c --------------------------------------------------------- */
/* The frame of an assembly function in top-level asm (ELF; "%function"
 * is the spelling GAS takes on every architecture). */
#define FL_ASM_BEGIN(name)                                                     \
	".text\n.globl " #name "\n.hidden " #name "\n.type " #name             \
	", %function\n" #name ":\n\t.cfi_startproc\n"
#define FL_ASM_END(name) "\t.cfi_endproc\n.size " #name ", .-" #name "\n"

/* [fatal] pc, sp, registers and access kind from the context. */
void fl_arch_fill(struct faultline_fault *fault, const siginfo_t *si,
		  const ucontext_t *uc);
/* [fatal] The registers of uc, numbered for the unwinder (arch_*.h). */
void fl_arch_unwind_regs(uint64_t regs[FL_ARCH_UNWIND_NREGS],
			 const ucontext_t *uc);
/* [fatal] regs stand at a pc that is no code (a call through a bad
 * pointer): make them the caller's, from where the call left its return
 * address.  0, or -1 when it cannot be read. */
int fl_arch_unwind_bad_call(uint64_t regs[FL_ARCH_UNWIND_NREGS]);
/* [fatal] Make the interrupted context resume in fl_jmp_land(j) once the
 * handler returns (protect.h). */
struct fl_jmp;
void fl_arch_land(ucontext_t *uc, struct fl_jmp *j);

/* --- modules.c, symbols.c --------------------------------------------- */
/* The path of the vdso's module (it has no file: symbols.c reads its
 * image in memory). */
#define FL_VDSO_PATH "[vdso]"

/* --- elf.c ------------------------------------------------------------ */
/* [fatal] Symbol containing the ELF virtual address vaddr in the file at
 * path (.symtab, else .dynsym).  0 with name and *offset, or -1. */
int fl_elf_symbolize(const char *path, uintptr_t vaddr, char *name, size_t cap,
		     uintptr_t *offset);
/* [fatal] GNU build-id of the ELF image mapped at base (its ELF header);
 * returns its length (0 none). */
size_t fl_elf_build_id_mapped(uintptr_t base, unsigned char *out, size_t cap);

/* Batch lookups: the frames of one crash that fall into one module are
 * resolved in a single pass over its symbol table.  The caller fills
 * vaddr (and name, cap for fl_elf_symbolize_image); the pass finds the
 * symbol and where its name is, fl_elf_read_name reads it. */
#define FL_ELF_LOOKUP_MAX FAULTLINE_MAX_FRAMES
struct fl_elf_lookup {
	uintptr_t vaddr; /* in: ELF virtual address (pc - bias) */
	char *name;	 /* in: where fl_elf_symbolize_image puts names */
	size_t cap;
	int found;	   /* out: 1 when a symbol contains vaddr */
	uintptr_t start;   /* out: the symbol's st_value */
	uint64_t name_at;  /* out: the name's offset in the source */
	uint64_t name_max; /* out: bytes to the string table's end */
};
/* An ELF to read: a file (fd >= 0, read with pread) or an image in our
 * own memory at mem (read through fl_mem_read).  size bounds every read. */
struct fl_elf_src {
	int fd;
	uintptr_t mem;
	uint64_t size;
};
/* [fatal] open + fstat; 0 or -1.  fl_elf_close closes. */
int fl_elf_open(const char *path, struct fl_elf_src *s);
void fl_elf_close(struct fl_elf_src *s);
/* [fatal] Resolve n <= FL_ELF_LOOKUP_MAX lookups in one pass over the
 * symbols (.symtab, then .dynsym for what is left); 0, or -1 when the
 * source is no 64-bit ELF.  Not reentrant (one static buffer). */
int fl_elf_symbolize_src(const struct fl_elf_src *s, struct fl_elf_lookup *q,
			 size_t n);
/* [fatal] The name of a found lookup into out (NUL-terminated); 0 or -1. */
int fl_elf_read_name(const struct fl_elf_src *s, const struct fl_elf_lookup *q,
		     char *out, size_t cap);
/* The same, names included, for an image in memory (tests); it starts
 * with fl_mem_forget. */
int fl_elf_symbolize_image(const void *data, size_t size,
			   struct fl_elf_lookup *q, size_t n);
/* [fatal] GNU build-id of an ELF file (its PT_NOTE segments). */
size_t fl_elf_build_id_src(const struct fl_elf_src *s, unsigned char *out,
			   size_t cap);

/* --- memory.c --------------------------------------------------------- */
/* [fatal] Copy len bytes of our own memory that may not be mapped;
 * 0, or -1 when unreadable (instead of faulting). */
int fl_safe_read(void *dst, uintptr_t src, size_t len);
/* [fatal] fl_safe_read with a per-crash memory of readable 4 KiB
 * granules: each granule costs one probe syscall, later reads none.
 * fl_mem_forget starts a new crash (the map may have changed since). */
int fl_mem_read(void *dst, uintptr_t src, size_t len);
void fl_mem_forget(void);
/* fl_safe_read's fallback (a pipe) where process_vm_readv is refused;
 * exposed for its test. */
int fl_safe_read_pipe(void *dst, uintptr_t src, size_t len);

/* --- output.c --------------------------------------------------------- */
/* [fatal] Create path O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, mode 0600,
 * following no symbolic link anywhere on it (ELOOP); fd or -1. */
int fl_create_nofollow(const char *path);

/* --- platform.c ------------------------------------------------------- */
/* [fatal] The calling thread's kernel tid. */
long fl_thread_id(void);
/* [fatal] CLOCK_MONOTONIC in nanoseconds. */
long long fl_monotonic_ns(void);
/* [fatal] From now on fl_platform_write never blocks past ns (a
 * CLOCK_MONOTONIC time; 0: no limit again): it waits with poll for the
 * descriptor to take a chunk, and fails with ETIME at the deadline. */
void fl_write_deadline(long long ns);

#endif
