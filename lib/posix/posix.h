/*
 * posix.h - pieces of the POSIX backend and how they meet.
 *
 * The files in the order a fault meets them.  Each calls only files below
 * it and the core (doc/architecture.md); the core calls the backend
 * through platform.h (install, modules, symbols, memory map, writes).
 *
 *   preload.c   install at load time under LD_PRELOAD
 *   handler.c   the signal handler: recover, or claim the crash, report it
 *               within a time bound and give the signal back; the hang
 *               watchdog's expiry (report, then SIGABRT)
 *   claim.c     one crash, one report: the thread (and process) that
 *               reports
 *   dump.c      faultline_dump and the dump signal; one report at a time
 *   timeout.c   the hang watchdog's timer
 *   protect.c   recovery: a fault of a protected call lands in the call
 *   requests.c  faultline_requests: SIGINT & co queued, handed on by a
 *               thread of ours (request.h)
 *   threads.c   the other threads: list, stop, walk, release
 *   capture.c   siginfo and ucontext -> struct faultline_fault
 *   sigchain.c  preload mode: sigaction & co interposed, the program's
 *               own handler run first (libsigchain's design)
 *   signals.c   our sigactions, the ones they replaced, giving a signal back
 *   altstack.c  alternate signal stacks for every thread
 *   unwind.c    libunwind over our own address space (no loader locks)
 *   arch_*.[ch] registers, fault decoding, the unwinder's register file,
 *               faultline_protect's jump record, per architecture
 *   modules.c   loaded modules from the dynamic linker's list
 *   symbols.c   frame names from the modules' ELF symbols, per report
 *   debugfile.c a stripped module's separate debug file (build-id,
 *               .gnu_debuglink)
 *   elf.c       ELF symbols and build-ids, read with syscalls only
 *   memory.c    reading our own memory that may not be mapped
 *   memmap.c    the report's memory map (/proc/self/maps)
 *   stack.c     a stack of its own for deep work (the demangler)
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
#include "snapshot.h"

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

/* A handler of ours (sigaction with SA_SIGINFO). */
typedef void (*fl_signal_handler)(int sig, siginfo_t *si, void *uc);

/* --- dump.c ----------------------------------------------------------- */
/* [fatal] One report at a time, crash or dump.  Take the turn for thread
 * tid: 1 taken; for a dump (crash 0) -1 when busy past a bounded wait or
 * once a crash has come; for a crash 0 when it must go on without (a dump
 * stuck past a bounded wait, or this thread's own dump that the crash
 * interrupted).  A crash makes the dump holding the turn stop early. */
int fl_turn_take(long tid, int crash);
void fl_turn_give(void);
/* [fatal] 1 once a crash wants the turn: a dump stops early. */
int fl_turn_cut(void);
/* Install the dump signal's action (sig 0: put the program's back). */
int fl_dump_signal_install(int sig, uint64_t crash_signals);

/* --- timeout.c -------------------------------------------------------- */
/* The timeout signal (SIGRTMAX - 3). */
int fl_timeout_signal(void);
/* Install time: fn handles the timeout signal (NULL: not installed). */
void fl_timeout_prepare(fl_signal_handler fn);
/* Arm for seconds (0 disarms); the handler blocks crash_signals.  0 or
 * -1 with errno. */
int fl_timeout_arm(unsigned seconds, uint64_t crash_signals);
/* [fatal] 1 when si is our timer's expiry while armed (*seconds: for how
 * long); 0 for anything else, which goes to fl_timeout_forward. */
int fl_timeout_expired(const siginfo_t *si, unsigned *seconds);
void fl_timeout_forward(int sig, siginfo_t *si, void *ctx);
/* Delete the timer, put the program's action back. */
void fl_timeout_uninstall(void);

/* --- threads.c -------------------------------------------------------- */
/* The capture signal (SIGRTMAX - 2). */
int fl_threads_signal(void);
/* Install time: reserve the records of FL_THREADS_LISTED_MAX threads and
 * room to walk up to backtraces of them.  0 or -1. */
int fl_threads_prepare(unsigned backtraces);
/* [fatal] Every thread of the process but self into list: stop up to
 * backtraces of them, walk their stacks (the caller holds the unwinder's
 * lock), let them go; bounded in time.  cut (may be NULL): asked while
 * waiting and walking, 1 means finish at once.  An empty list when
 * nothing was reserved or another capture runs. */
void fl_threads_capture(struct fl_thread_list *list, long self,
			unsigned backtraces, int (*cut)(void));

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
 * The backtrace comes from the crash report's unwinder (unwind.c); with
 * FL_CAPTURE_PC_ONLY, or when that unwinder cannot, it is frame 0 (the
 * pc) alone. */
enum fl_capture_unwinder {
	FL_CAPTURE_PC_ONLY,
	FL_CAPTURE_CRASH /* fl_unwind_context */
};
void fl_fault_capture(struct faultline_fault *f, int sig, const siginfo_t *si,
		      const ucontext_t *uc, long tid,
		      enum fl_capture_unwinder unwind);
/* [fatal] The same for a fault that faultline_protect recovers, with the
 * recoveries' unwinder (fl_unwind_recovery): outer is the jump record of
 * the protected call that gets the fault. */
struct fl_jmp;
void fl_fault_capture_recovery(struct faultline_fault *f, int sig,
			       const siginfo_t *si, const ucontext_t *uc,
			       long tid, const struct fl_jmp *outer);
/* [fatal] The same into a crash report's snapshot, with what only the
 * report shows: whether a bound cut the backtrace, SIGSYS details. */
struct fl_snapshot;
void fl_snapshot_capture(struct fl_snapshot *snap, int sig, const siginfo_t *si,
			 const ucontext_t *uc, long tid);
/* [fatal] uc's registers into snap->regs (the minidump's context). */
void fl_snapshot_keep_regs(struct fl_snapshot *snap, const ucontext_t *uc);

/* --- cxx_exception.c -------------------------------------------------- */
/* Become the C++ terminate handler (chained to the one before) when
 * libstdc++ is in the process, to note an uncaught exception's type and
 * what().  Once; at install, not in the fatal path. */
void fl_cxx_exception_install(void);
/* Put the terminate handler we replaced back (faultline_uninstall). */
void fl_cxx_exception_uninstall(void);
/* [fatal] What the terminate handler noted on thread tid, if anything,
 * into snap->exception (its type demangled). */
void fl_cxx_exception_take(struct fl_snapshot *snap, long tid);

/* --- signals.c -------------------------------------------------------- */
/* Make fn the action of every signal in set (FAULTLINE_SIGNAL_BIT bits),
 * each blocking all of them while it runs, and give back the others;
 * the replaced actions are remembered.  0 or -1 with errno. */
int fl_signals_install(uint64_t set, fl_signal_handler fn);
/* *sa: fn with SA_SIGINFO | SA_ONSTACK | flags, blocking the signals of
 * block (FAULTLINE_SIGNAL_BIT bits: the crash signals) while it runs. */
void fl_signal_fill_action(struct sigaction *sa, fl_signal_handler fn,
			   int flags, uint64_t block);
/* Put back every action we replaced.  0 or -1. */
int fl_signals_uninstall(void);
/* 1 when faultline's handler is installed for sig / for any signal. */
int fl_signal_handled(int sig);
int fl_signals_installed(void);
/* [fatal] Hand sig to the action ours replaced: call its
 * handler; nothing when it ignored the signal; when it was the default,
 * put the default back and send the signal again (delivered once our
 * handler returns), so it does what it would have done without us. */
void fl_signal_forward(const struct sigaction *to, int sig, siginfo_t *si,
		       void *ctx);
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

/* The action the program set for sig, as it sees it: while the chain is
 * on (sigchain.c) it lives here and never reaches the kernel. */
struct sigaction *fl_signal_program_action(int sig);

/* --- sigchain.c ------------------------------------------------------- */
/* Preload mode: LD_PRELOAD brought us in (preload.c says so before it
 * installs). */
void fl_chain_preloaded(void);
/* After install: turn the interposition on (want 1, or -1 when
 * preloaded) or off.  fl_chain_stop turns it off before uninstall. */
void fl_chain_start(int want);
void fl_chain_stop(void);
/* [fatal] The program's own action for sig runs first: its handler is
 * called with si and uc, under the mask it asked for.  1 when the signal
 * is dealt with (the handler returned: a fault it did not fix re-fires),
 * 0 when the program's action is the default or ignoring: the crash is
 * ours. */
int fl_chain_program_first(int sig, siginfo_t *si, ucontext_t *uc, long tid);
/* [fatal] A program's handler that restored the default and re-raised
 * sig: the fault it was called for, saved when we called it (si and uc
 * point into a per-thread record).  0 when si is no such re-raise. */
int fl_chain_original_fault(int sig, const siginfo_t *si, const ucontext_t *uc,
			    long tid, const siginfo_t **osi,
			    const ucontext_t **ouc);

/* --- altstack.c ------------------------------------------------------- */
int fl_altstack_install(size_t size); /* process-wide setup + this thread */
int fl_altstack_thread_init(void);
/* Outside handlers (pthread_getattr_np allocates; for the main thread it
 * reads /proc/self/maps): record this thread's normal stack if not yet. */
void fl_altstack_note_thread_stack(void);
/* [signal-safe] 1 when sp lies on this thread's normal stack as recorded;
 * 0 when it does not or nothing was recorded. */
int fl_altstack_on_thread_stack(uintptr_t sp);
/* [signal-safe] Let v read this thread's normal stack above sp without
 * probing, when sp lies on it (as recorded).  Only for a walk of the
 * calling thread's own stack. */
struct fl_mem_view;
void fl_altstack_trust_thread_stack(struct fl_mem_view *v, uintptr_t sp);
/* [fatal] 1 when addr (with the stack pointer sp) looks like an overflow
 * of the current thread's stack. */
int fl_altstack_is_overflow(uintptr_t addr, uintptr_t sp);
/* [fatal] The part of this thread's alternate stack below sp that a crash
 * report uses, in *out (1), or 0 when sp is not on faultline's alternate
 * stack of this thread. */
struct fl_span;
size_t fl_altstack_report_stack(uintptr_t sp, struct fl_span *out);

/* --- populate.c --- */
/* [fatal] Make the memory a crash report writes present in a few system
 * calls: faultline's .bss less the idle spans (fl_*_idle_memory, and the
 * idle parts of crash, the snapshot the report fills), and the part of
 * this thread's alternate stack the report uses. */
void fl_populate_crash_memory(const struct fl_snapshot *crash);
/* The spans it leaves out, as their owners name them (unsorted, not
 * rounded to pages); their count, at most FL_POPULATE_IDLE_MAX. */
#define FL_POPULATE_IDLE_MAX (7 * FL_IDLE_SPANS)
size_t fl_populate_idle_spans(const struct fl_snapshot *crash,
			      struct fl_span *out);
/* The dump's snapshot and the chain's records: idle in a crash report
 * (see fl_report_idle_memory). */
size_t fl_dump_idle_memory(struct fl_span *out);
size_t fl_chain_idle_memory(struct fl_span *out);

/* [fatal] Read at most cap bytes of the small file at path (a /proc file)
 * with syscalls only; the bytes read, or -1 when it cannot be opened.
 * With short_read_ends, a short read is taken as the end: /proc/PID/stat
 * and cmdline hand over all they have in one read, so the read that
 * would only return 0 is saved (a syscall of the crash path); not for
 * files a seq_file hands over a page at a time (/proc/PID/maps). */
long fl_read_small_file(const char *path, char *buf, size_t cap,
			int short_read_ends);

/* --- unwind.c --------------------------------------------------------- */
/* At install: what the crash unwinder needs made outside a handler (with
 * the system's libunwind: its address space; built in: nothing).  0 or
 * -1. */
int fl_unwind_prepare(void);
/* [fatal] The crash report's unwinder: fill fault->frames from the
 * context uc (frame 0 = pc), following the head/tail rule; bounded in
 * steps and time.  For the thread that claimed the crash only (no lock:
 * it never waits for anyone), and any thread's context (fault->tid names
 * the thread).  Returns FL_WALK_* (snapshot.h): whether a bound cut the
 * walk. */
int fl_unwind_context(const ucontext_t *uc, struct faultline_fault *fault);
/* [fatal] The same from a register set (fl_arch_unwind_regs's), another
 * thread's, with the crash report's unwinder: frames from the top, at
 * most limit of them (0: the head/tail rule).  Returns
 * fault->frame_count. */
size_t fl_unwind_registers(const uint64_t regs[FL_ARCH_UNWIND_NREGS],
			   struct faultline_fault *fault, size_t limit);
/* The step bound (tests lower it). */
extern long fl_unwind_max_steps;
/* The first faultline_protect of a thread, outside a handler: make the
 * recoveries' unwinder.  0 or -1. */
int fl_unwind_prepare_recovery(void);
/* [fatal] The same for a fault that faultline_protect recovers, with the
 * recoveries' own unwinder, behind its lock (any thread may recover).
 * Bounded by the protected call, not by the depth of the stack: when the
 * first FAULTLINE_FRAMES_HEAD frames from the fault are all inside the
 * call, the walk stops there and the tail comes from outer, the call's
 * jump record (faultline_protect's frame and its callers), the frames
 * between omitted uncounted (FAULTLINE_FRAMES_OMITTED_UNKNOWN).  outer
 * NULL: the whole stack, head/tail rule.  0, or -1 (fault->frames
 * untouched) when there is no recovery unwinder or its lock stayed taken
 * past a bounded wait (3 s). */
int fl_unwind_recovery(const ucontext_t *uc, const struct fl_jmp *outer,
		       struct faultline_fault *fault);
/* Tests only: called with 1 (recovery) or 0 (crash) while the unwinder
 * looks up a pc's unwind table, its locks held. */
extern void (*volatile fl_unwind_test_hook)(int recovery);

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
/* [fatal] The same from faultline_protect's jump record: its frame as it
 * stood when fl_jmp_capture returned (callee-saved registers, sp, and the
 * return address as pc; the others 0, which no unwind rule reads). */
void fl_arch_jmp_unwind_regs(uint64_t regs[FL_ARCH_UNWIND_NREGS],
			     const struct fl_jmp *j);
/* [fatal] regs stand at a pc that is no code (a call through a bad
 * pointer): make them the caller's, from where the call left its return
 * address (read through mem).  0, or -1 when it cannot be read. */
struct fl_mem_view;
int fl_arch_unwind_bad_call(uint64_t regs[FL_ARCH_UNWIND_NREGS],
			    struct fl_mem_view *mem);
/* [fatal] Make the interrupted context resume in fl_jmp_land(j) once the
 * handler returns (protect.h). */
struct fl_jmp;
void fl_arch_land(ucontext_t *uc, struct fl_jmp *j);
/* [fatal] Call fn(arg) with the stack pointer at top (aligned down to 16
 * bytes), and come back to the caller's stack when fn returns. */
void fl_arch_call_on_stack(uintptr_t top, void (*fn)(void *), void *arg);

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
/* [fatal] len bytes at offset off of the source, or -1 (out of bounds,
 * short file, unreadable memory).  Up to a few KiB come from the cached
 * blocks of the open file: headers read twice cost one pread. */
int fl_elf_read(const struct fl_elf_src *s, void *dst, uint64_t off,
		size_t len);
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

/* --- debugfile.c ------------------------------------------------------ */
/* [fatal] When the file s of module m has no .symtab, replace s by m's
 * separate debug file (by build-id, then .gnu_debuglink) if one with
 * m's build-id exists; else leave s as it is. */
struct fl_module;
void fl_debugfile_swap(const struct fl_module *m, struct fl_elf_src *s);

/* --- memory.c --------------------------------------------------------- */
/* What one reader knows of our memory: the 4 KiB granules it found
 * readable (each probed once, with one syscall) and the ranges its owner
 * vouched for (read without probing).  One per user: the crash report's
 * (fl_mem_read), the recoveries' (unwind.c). */
#define FL_MEM_SLOTS 128
#define FL_MEM_TRUSTED_MAX 16
struct fl_mem_view {
	uintptr_t near_lo, near_len; /* the last range found readable */
	uintptr_t far_lo, far_len;   /* the one before */
	uintptr_t generation;	     /* of the slots' tags */
	long pid;		     /* ours (or a tid of ours); 0 unknown */
	unsigned ntrusted;
	struct {
		uintptr_t lo, hi;
	} trusted[FL_MEM_TRUSTED_MAX];
	uintptr_t readable[FL_MEM_SLOTS];
};
/* [fatal] Start over (a new crash or unwind: the map may have changed):
 * forget the granules and trusted ranges.  pid: ours, or the id of one of
 * our threads, or 0 (looked up if ever needed). */
void fl_mem_view_begin(struct fl_mem_view *v, long pid);
/* [fatal] [lo, hi) is readable until the next begin (a segment of a
 * loaded module): reads inside it are not probed.  Up to
 * FL_MEM_TRUSTED_MAX ranges; more are ignored. */
void fl_mem_view_trust(struct fl_mem_view *v, uintptr_t lo, uintptr_t hi);
/* [fatal] 1 when all of [lo, hi) lies in one range trusted since the
 * last begin: its owner may then read it with plain loads. */
int fl_mem_view_trusts(const struct fl_mem_view *v, uintptr_t lo, uintptr_t hi);
/* [fatal] Copy len bytes at src, or -1 where they are not readable
 * (instead of faulting). */
int fl_mem_view_read(struct fl_mem_view *v, void *dst, uintptr_t src,
		     size_t len);
/* [fatal] A word at src: the unwinder's read, inline while it stays in
 * the range the previous read found readable. */
static inline int fl_mem_view_word(struct fl_mem_view *v, uintptr_t src,
				   uint64_t *out)
{
	uintptr_t off = src - v->near_lo;

	if (off < v->near_len && sizeof(*out) <= v->near_len - off) {
		__builtin_memcpy(out, (const void *)src, sizeof(*out));
		return 0;
	}
	return fl_mem_view_read(v, out, src, sizeof(*out));
}
/* The crash report's view, which fl_mem_read reads through and
 * fl_mem_forget begins anew. */
struct fl_mem_view *fl_mem_crash_view(void);
int fl_mem_read(void *dst, uintptr_t src, size_t len);
void fl_mem_forget(void);
/* [fatal] Copy len bytes of our own memory that may not be mapped;
 * 0, or -1 when unreadable (instead of faulting).  Probes every granule:
 * for one-off reads. */
int fl_safe_read(void *dst, uintptr_t src, size_t len);
/* The two probes (memory.c says why these), for their tests: 0 the
 * granule at addr is readable, -1 it is not, 1 the probe does not work
 * here.  pid as for fl_mem_view_begin. */
int fl_mem_probe_sigmask(uintptr_t addr);
int fl_mem_probe_vm_read(uintptr_t addr, long pid);

/* --- stack.c ---------------------------------------------------------- */
/* For tests: how deep the work stack (fl_platform_run_on_work_stack) has
 * ever been used, in bytes from its top (its pages in memory: mincore);
 * 0 before its first use. */
size_t fl_work_stack_touched(void);

/* --- minidump.c ------------------------------------------------------ */
/* At install, when a minidump template is configured: reserve the
 * writer's memory (mmap; nothing otherwise).  0 or -1. */
int fl_minidump_prepare(void);
/* --- minidump_<arch>.c: the CPU's part of a minidump ------------------ */
/* Breakpad's processor_architecture for this CPU. */
extern const uint16_t fl_minidump_cpu;
/* [fatal] The MDRawContext* of regs (the unwinder's numbering) into out
 * (FL_MINIDUMP_CONTEXT_MAX bytes); returns its size. */
#define FL_MINIDUMP_CONTEXT_MAX 1232
size_t fl_minidump_context(const uint64_t regs[FL_ARCH_UNWIND_NREGS],
			   unsigned char *out);

/* --- output.c --------------------------------------------------------- */
/* [fatal] Create path O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, mode 0600,
 * following no symbolic link anywhere on it (ELOOP); fd or -1. */
int fl_create_nofollow(const char *path);

/* --- platform.c ------------------------------------------------------- */
/* [fatal] The calling thread's kernel tid. */
long fl_thread_id(void);
/* [fatal] The C library's sigaction, past sigchain.c's interposition:
 * every action faultline itself sets or reads goes through it. */
int fl_sys_sigaction(int sig, const struct sigaction *act,
		     struct sigaction *old);
/* The value of environment variable name, or NULL: getenv without
 * libc's code (start-up reads the environment with it). */
const char *fl_env_value(const char *name);
/* The page size (the kernel's AT_PAGESZ). */
size_t fl_page_size(void);
/* [fatal] rt_sigprocmask on the kernel's 64-bit mask (bit sig - 1);
 * 0 or -1 with errno. */
int fl_sys_sigmask(int how, const uint64_t *set, uint64_t *old);

/* [fatal] CLOCK_MONOTONIC in nanoseconds. */
long long fl_monotonic_ns(void);
/* [fatal] From now on fl_platform_write never blocks past ns (a
 * CLOCK_MONOTONIC time; 0: no limit again): it waits with poll for the
 * descriptor to take a chunk, and fails with ETIME at the deadline. */
void fl_write_deadline(long long ns);

#endif
