/*
 * unwind.c - the crashed thread's backtrace, from the signal's ucontext.
 *
 * libunwind 1.6's local unwinder cannot be used in a crash handler: it
 * finds unwind tables with dl_iterate_phdr, which takes the loader's lock
 * (a crash while another thread is in dlopen or in a dl_iterate_phdr
 * callback deadlocks), and unw_get_proc_name mallocs.  So we drive the
 * generic ("remote") libunwind over an address space of our own making:
 *
 *   access_mem     reads our own memory through fl_mem_read (each 4 KiB
 *                  granule probed once per crash: a bad CFA must not
 *                  fault us, and a probe per word would cost a syscall);
 *   access_reg     serves registers from the signal's ucontext;
 *   find_proc_info _dl_find_object (lock-free, async-signal-safe) gives
 *                  the module's PT_GNU_EH_FRAME, whose binary search
 *                  table libunwind searches itself.
 *
 * Allocation: unw_create_addr_space mallocs, at install time.  In the
 * fatal path libunwind takes its parsed CIE records from an internal
 * mempool (grown with mmap) and keeps register states in the address
 * space's default cache (inside the struct); it never calls malloc.  The
 * unit tests check that with an interposed malloc, on a cold first crash.
 *
 * Locks: libunwind guards that cache and mempool with its own mutexes
 * (taken with all signals blocked).  Only this address space uses them,
 * and only from the one thread the core lets report, so they are never
 * contended - unlike the loader's lock, which any thread may hold.
 */
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <libunwind.h>

#include "posix/posix.h"
#include "sink.h"
#include "snapshot.h"

/* Not in libunwind's headers, but exported by the generic library: the
 * binary search over an .eh_frame_hdr table, through our accessors. */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as,
					      unw_word_t ip, unw_dyn_info_t *di,
					      unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

/* A runaway unwind (corrupt stack, CFI loop) stops after this many steps
 * or this much time, well inside the core's 5 s watchdog.  Time as well
 * as steps: a deep recursion is slow to walk (libunwind 1.6.2 wraps its
 * cache lock in two sigprocmask syscalls per frame). */
#define FL_UNWIND_MAX_STEPS 1000000
#define FL_UNWIND_MAX_NS 2000000000LL
#define FL_UNWIND_CLOCK_EVERY 4096

/* ------------------------------------------------------------------------
 * Registers: the architecture file reads them from the ucontext, in
 * libunwind's numbering (arch_*.h)
 * ---------------------------------------------------------------------- */

_Static_assert(sizeof(unw_word_t) == sizeof(uint64_t), "64-bit words");
/* The contract with arch_*.h, checked where both are known. */
#if defined(__x86_64__)
_Static_assert(UNW_X86_64_RIP == FL_ARCH_UNWIND_PC &&
		       UNW_X86_64_RSP == FL_ARCH_UNWIND_SP &&
		       UNW_X86_64_RIP + 1 == FL_ARCH_UNWIND_NREGS,
	       "libunwind numbers registers as arch_x86_64.h does");
#elif defined(__aarch64__)
_Static_assert(UNW_AARCH64_PC == FL_ARCH_UNWIND_PC &&
		       UNW_AARCH64_SP == FL_ARCH_UNWIND_SP &&
		       UNW_AARCH64_X30 == FL_ARCH_UNWIND_LR &&
		       UNW_AARCH64_PSTATE + 1 == FL_ARCH_UNWIND_NREGS,
	       "libunwind numbers registers as arch_aarch64.h does");
#endif

/* The register file libunwind starts from (the accessors' argument). */
struct reg_file {
	unw_word_t r[FL_ARCH_UNWIND_NREGS];
};

/* ------------------------------------------------------------------------
 * Unwind tables: _dl_find_object -> PT_GNU_EH_FRAME (.eh_frame_hdr)
 * ---------------------------------------------------------------------- */

#define FL_DW_EH_PE_omit 0xff
#define FL_DW_EH_PE_pcrel 0x10
#define FL_DW_EH_PE_datarel 0x30
#define FL_DW_EH_PE_sdata4 0x0b

/* One encoded value of the .eh_frame_hdr header at *p (advanced). */
static int eh_value(uintptr_t *p, unsigned char enc, uintptr_t hdr,
		    uint64_t *out)
{
	uint64_t v = 0, base = 0;
	size_t size;

	switch (enc & 0x0f) {
	case 0x03: /* udata4 */
	case 0x0b: /* sdata4 */
		size = 4;
		break;
	case 0x00: /* absptr */
	case 0x04: /* udata8 */
	case 0x0c: /* sdata8 */
		size = 8;
		break;
	default:
		return -1;
	}
	if (fl_mem_read(&v, *p, size) != 0)
		return -1;
	if ((enc & 0x0f) == 0x0b)
		v = (uint64_t)(int64_t)(int32_t)(uint32_t)v;
	if ((enc & 0x70) == FL_DW_EH_PE_pcrel)
		base = *p;
	else if ((enc & 0x70) == FL_DW_EH_PE_datarel)
		base = hdr;
	else if ((enc & 0x70) != 0)
		return -1;
	*p += size;
	*out = v + base;
	return 0;
}

/* Describe the module's search table the way libunwind's own
 * dl_iterate_phdr callback does (UNW_INFO_FORMAT_REMOTE_TABLE): entries
 * are pairs of int32 offsets from the header (datarel|sdata4). */
static int eh_table(const struct dl_find_object *o, unw_dyn_info_t *di)
{
	uintptr_t hdr = (uintptr_t)o->dlfo_eh_frame, p = hdr + 4;
	unsigned char h[4];
	uint64_t eh_frame, count;

	if (hdr == 0 || fl_mem_read(h, hdr, sizeof(h)) != 0)
		return -1;
	if (h[0] != 1 || h[2] == FL_DW_EH_PE_omit ||
	    h[3] != (FL_DW_EH_PE_datarel | FL_DW_EH_PE_sdata4))
		return -1; /* no sorted table: not worth a linear search */
	if (eh_value(&p, h[1], hdr, &eh_frame) != 0 ||
	    eh_value(&p, h[2], hdr, &count) != 0 || count == 0)
		return -1;
	fl_memset(di, 0, sizeof(*di));
	di->format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di->start_ip = (unw_word_t)(uintptr_t)o->dlfo_map_start;
	di->end_ip = (unw_word_t)(uintptr_t)o->dlfo_map_end;
	di->u.rti.segbase = hdr;
	di->u.rti.table_data = p;
	di->u.rti.table_len = count * 8 / sizeof(unw_word_t);
	return 0;
}

/* The module of the latest lookup: consecutive frames mostly lie in one
 * module, and _dl_find_object plus the .eh_frame_hdr header reads are
 * then done once per module run instead of once per frame.  Valid for
 * one unwind (unwind_regs clears it: code may have been unloaded
 * between two). */
static struct {
	int valid;
	unw_dyn_info_t di;
} last_table;

static int find_proc_info(unw_addr_space_t as, unw_word_t ip,
			  unw_proc_info_t *pi, int need_unwind_info, void *arg)
{
	unw_dyn_info_t *di = &last_table.di;

	/* ip is already pc - 1 for return addresses (libunwind's
	 * use_prev_instr) and the pc itself for the signal frame. */
	if (!last_table.valid || ip < di->start_ip || ip >= di->end_ip) {
		struct dl_find_object o;

		last_table.valid = 0;
		if (_dl_find_object((void *)(uintptr_t)ip, &o) != 0 ||
		    eh_table(&o, di) != 0)
			return -UNW_ENOINFO;
		last_table.valid = 1;
		if (ip < di->start_ip || ip >= di->end_ip)
			return -UNW_ENOINFO;
	}
	return UNW_OBJ(dwarf_search_unwind_table)(as, ip, di, pi,
						  need_unwind_info, arg);
}

/* ------------------------------------------------------------------------
 * The other accessors
 * ---------------------------------------------------------------------- */

static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	/* libunwind frees the table-format info it made itself. */
}

static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *dilap,
				  void *arg)
{
	return -UNW_ENOINFO; /* no JIT registration in this process view */
}

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *valp,
		      int write, void *arg)
{
	if (write)
		return -UNW_EINVAL; /* we only read the crashed stack */
	if (fl_mem_read(valp, (uintptr_t)addr, sizeof(*valp)) != 0)
		return -UNW_EINVAL;
	return 0;
}

static int access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *valp,
		      int write, void *arg)
{
	struct reg_file *regs = arg;

	if (reg < 0 || reg >= FL_ARCH_UNWIND_NREGS)
		return -UNW_EBADREG;
	if (write)
		regs->r[reg] = *valp;
	else
		*valp = regs->r[reg];
	return 0;
}

static int access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val,
			int write, void *arg)
{
	return -UNW_EBADREG; /* a backtrace needs no FP registers */
}

static int resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	return -UNW_EINVAL;
}

static int get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf,
			 size_t len, unw_word_t *offp, void *arg)
{
	return -UNW_ENOINFO; /* symbols come from elf.c, not libunwind */
}

static unw_accessors_t accessors = {
	.find_proc_info = find_proc_info,
	.put_unwind_info = put_unwind_info,
	.get_dyn_info_list_addr = get_dyn_info_list_addr,
	.access_mem = access_mem,
	.access_reg = access_reg,
	.access_fpreg = access_fpreg,
	.resume = resume,
	.get_proc_name = get_proc_name,
};

static unw_addr_space_t addr_space;

/* CLOCK_MONOTONIC in ns (0 when unavailable).  clock_gettime is
 * async-signal-safe (POSIX.1-2008). */
static long long now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ------------------------------------------------------------------------
 * The walk
 * ---------------------------------------------------------------------- */

struct walk_state {
	unw_word_t pc, sp; /* the last frame taken */
	unsigned equal_sp; /* frames in a row with an unchanged sp */
	int after_signal;  /* the last frame was a signal frame */
	long steps;
	long long deadline; /* CLOCK_MONOTONIC ns; 0 not yet started */
};

/*
 * Take the cursor's frame, or refuse it when the walk went astray.  The
 * stack grows down, so a caller's sp is above its callee's: equal only
 * for the caller of a leaf that kept no frame (aarch64), never twice in a
 * row.  Only a signal frame may move sp anywhere (to another stack).
 */
static int walk_take(struct walk_state *w, unw_cursor_t *cur,
		     struct fl_frame_collector *c)
{
	unw_word_t pc, sp;

	if (unw_get_reg(cur, UNW_REG_IP, &pc) < 0 ||
	    unw_get_reg(cur, UNW_REG_SP, &sp) < 0 || pc == 0)
		return -1;
	if (!w->after_signal) {
		if (sp < w->sp)
			return -1;
		if (sp == w->sp && (pc == w->pc || ++w->equal_sp > 1))
			return -1;
	}
	if (sp != w->sp)
		w->equal_sp = 0;
	w->pc = pc;
	w->sp = sp;
	w->after_signal = unw_is_signal_frame(cur) > 0;
	fl_frames_add(c, (uintptr_t)pc);
	return 0;
}

static int walk_budget(struct walk_state *w)
{
	if (++w->steps > FL_UNWIND_MAX_STEPS)
		return 0;
	if (w->steps % FL_UNWIND_CLOCK_EVERY != 0)
		return 1;
	/* The clock starts at the first check, not at the walk's start: a
	 * first clock_gettime costs page faults on the vdso's data pages,
	 * and a walk of FL_UNWIND_CLOCK_EVERY steps or fewer - nearly every
	 * crash - is bounded by its step count alone. */
	if (w->deadline == 0)
		w->deadline = now_ns() + FL_UNWIND_MAX_NS;
	else if (now_ns() > w->deadline)
		return 0;
	return 1;
}

/* A pc outside every module (a call through a bad function pointer) has
 * no unwind info: the caller's frame comes from where the call left its
 * return address (fl_arch_unwind_bad_call). */
static int skip_bad_pc(struct reg_file *regs)
{
	struct dl_find_object o;
	uintptr_t pc = (uintptr_t)regs->r[FL_ARCH_UNWIND_PC];

	if (_dl_find_object((void *)pc, &o) == 0)
		return -1;
	if (fl_arch_unwind_bad_call(regs->r) != 0)
		return -1;
	if (_dl_find_object((void *)(uintptr_t)regs->r[FL_ARCH_UNWIND_PC],
			    &o) != 0)
		return -1;
	return 0;
}

/* Frames walked before the register-state cache pays for itself. */
#define FL_UNWIND_CACHE_AFTER 256

static void walk_regs(struct reg_file *regs, struct fl_frame_collector *c)
{
	struct walk_state w = {regs->r[FL_ARCH_UNWIND_PC],
			       regs->r[FL_ARCH_UNWIND_SP],
			       0,
			       0,
			       0,
			       0};
	unw_cursor_t cur;
	int caller_first;

	/* Frame 0 is the faulting pc, whatever it is (0 for a NULL call). */
	fl_frames_add(c, (uintptr_t)w.pc);
	caller_first = skip_bad_pc(regs) == 0;
	if (addr_space == NULL || unw_init_remote(&cur, addr_space, regs) < 0)
		return;
	if (caller_first && walk_take(&w, &cur, c) != 0)
		return;
	while (walk_budget(&w) && !fl_frames_full(c) && unw_step(&cur) > 0) {
		if (walk_take(&w, &cur, c) != 0)
			break;
		/* Deep recursion repeats the same few pcs: from here on,
		 * one FDE parse per distinct pc instead of one per frame.
		 * The cache lives in the address space (no allocation);
		 * only the crashing thread takes its lock. */
		if (c->seen == FL_UNWIND_CACHE_AFTER)
			unw_set_caching_policy(addr_space, UNW_CACHE_GLOBAL);
	}
	if (c->seen > FL_UNWIND_CACHE_AFTER)
		unw_set_caching_policy(addr_space, UNW_CACHE_NONE);
}

/* ------------------------------------------------------------------------
 * The lock
 *
 * The unwinder keeps process-wide state (libunwind's register-state cache,
 * the last unwind table, the cache of memory known readable), built for
 * one thread at a time.  With faultline_protect any thread may unwind, so
 * recoveries and a crash report take turns.  The lock holds the owner's
 * tid: in the handler a waiter can check that the owner still exists (a
 * fork() in another thread while it unwound leaves the child a lock no
 * thread will release) and never waits longer than an unwind may take.
 * ---------------------------------------------------------------------- */

#define FL_UNWIND_WAIT_NS 3000000000LL
static volatile long unwind_owner;

int fl_unwind_lock(long tid)
{
	long long deadline = 0;

	for (;;) {
		long owner = 0;

		if (__atomic_compare_exchange_n(&unwind_owner, &owner, tid, 0,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return 1;
		if (syscall(SYS_tgkill, (long)getpid(), owner, 0) != 0 &&
		    errno == ESRCH &&
		    __atomic_compare_exchange_n(&unwind_owner, &owner, tid, 0,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return 1;
		if (!deadline)
			deadline = now_ns() + FL_UNWIND_WAIT_NS;
		else if (now_ns() > deadline)
			return 0;
		sched_yield();
	}
}

void fl_unwind_unlock(void)
{
	__atomic_store_n(&unwind_owner, 0, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------------
 * Entry points
 * ---------------------------------------------------------------------- */

static void unwind_regs(struct reg_file *regs, struct faultline_fault *fault,
			size_t limit)
{
	struct fl_frame_collector c;

	/* Code may have been unloaded and other code mapped in its place
	 * since the last unwind: forget cached register states and which
	 * memory was readable.  (The flush reuses the static cache: no
	 * allocation.) */
	fl_mem_forget();
	last_table.valid = 0;
	if (addr_space != NULL)
		unw_flush_cache(addr_space, 0, 0);
	fl_frames_begin(&c, fault);
	c.limit = limit;
	walk_regs(regs, &c);
	fl_frames_finish(&c);
}

void fl_unwind_context(const ucontext_t *uc, struct faultline_fault *fault)
{
	struct reg_file regs;

	fl_arch_unwind_regs(regs.r, uc);
	unwind_regs(&regs, fault, 0);
}

size_t fl_unwind_registers(const uint64_t regs[FL_ARCH_UNWIND_NREGS],
			   struct faultline_fault *fault, size_t limit)
{
	struct reg_file r;

	fl_memcpy(r.r, regs, sizeof(r.r));
	unwind_regs(&r, fault, limit);
	return fault->frame_count;
}

int fl_unwind_prepare(void)
{
	unw_addr_space_t as;

	if (__atomic_load_n(&addr_space, __ATOMIC_ACQUIRE) != NULL)
		return 0;
	as = unw_create_addr_space(&accessors, 0);
	if (as == NULL)
		return -1;
	/* libunwind's one-time initialisation runs in the first
	 * unw_set_caching_policy call: do it now, not in the handler.
	 * UNW_CACHE_NONE is what unw_create_addr_space left (a zeroed
	 * struct), so this call initialises without flushing anything.
	 * The register-state cache is switched on only for deep walks
	 * (walk_regs): turning it on here costs start-up time (its
	 * flush memsets tens of KB) that a short backtrace never repays.
	 * No warm-up unwind either: it costs start-up more than it saves
	 * a crash.  A shared libunwind built with its local unwinder (the
	 * system's) opens a pipe in that initialisation, kept for the life
	 * of the process: there it waits for the first unwind
	 * (unw_init_remote runs it: syscalls only), so that loading
	 * faultline adds no file descriptor to a process that never
	 * faults. */
#ifdef FL_UNWIND_PRIVATE
	unw_set_caching_policy(as, UNW_CACHE_NONE);
#endif
	if (!__atomic_compare_exchange_n(&addr_space, &(unw_addr_space_t){NULL},
					 as, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		unw_destroy_addr_space(as);
	return 0;
}
