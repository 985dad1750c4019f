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
#include <string.h>
#include <time.h>
#include <ucontext.h>

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
 * or this much time, well inside the core's 5 s watchdog.  100,000
 * recursive frames take 0.4-1 s in a VM: libunwind 1.6.2 wraps its cache
 * lock in two sigprocmask syscalls per frame. */
#define FL_UNWIND_MAX_STEPS 1000000
#define FL_UNWIND_MAX_NS 2000000000LL
#define FL_UNWIND_CLOCK_EVERY 4096

/* ------------------------------------------------------------------------
 * Registers: libunwind numbering <- ucontext
 * ---------------------------------------------------------------------- */

#if defined(__x86_64__)
#define FL_UNW_NREGS 17 /* rax..r15, rip */
#define FL_UNW_PC UNW_X86_64_RIP
#define FL_UNW_SP UNW_X86_64_RSP
static const unsigned char fl_unw_greg[FL_UNW_NREGS] = {
	[UNW_X86_64_RAX] = REG_RAX, [UNW_X86_64_RDX] = REG_RDX,
	[UNW_X86_64_RCX] = REG_RCX, [UNW_X86_64_RBX] = REG_RBX,
	[UNW_X86_64_RSI] = REG_RSI, [UNW_X86_64_RDI] = REG_RDI,
	[UNW_X86_64_RBP] = REG_RBP, [UNW_X86_64_RSP] = REG_RSP,
	[UNW_X86_64_R8] = REG_R8,   [UNW_X86_64_R9] = REG_R9,
	[UNW_X86_64_R10] = REG_R10, [UNW_X86_64_R11] = REG_R11,
	[UNW_X86_64_R12] = REG_R12, [UNW_X86_64_R13] = REG_R13,
	[UNW_X86_64_R14] = REG_R14, [UNW_X86_64_R15] = REG_R15,
	[UNW_X86_64_RIP] = REG_RIP,
};
#elif defined(__aarch64__)
#define FL_UNW_NREGS 34 /* x0..x30, sp, pc, pstate */
#define FL_UNW_PC UNW_AARCH64_PC
#define FL_UNW_SP UNW_AARCH64_SP
#else
#error "unwind.c: add the register map of this architecture"
#endif

/* The register file libunwind starts from (the accessors' argument). */
struct fl_unw_regs {
	unw_word_t r[FL_UNW_NREGS];
};

static void fl_unwind_regs_from_context(struct fl_unw_regs *regs,
					const ucontext_t *uc)
{
	int i;

#if defined(__x86_64__)
	for (i = 0; i < FL_UNW_NREGS; i++)
		regs->r[i] = (unw_word_t)uc->uc_mcontext.gregs[fl_unw_greg[i]];
#else
	for (i = 0; i < 31; i++)
		regs->r[i] = uc->uc_mcontext.regs[i];
	regs->r[UNW_AARCH64_SP] = uc->uc_mcontext.sp;
	regs->r[UNW_AARCH64_PC] = uc->uc_mcontext.pc;
	regs->r[UNW_AARCH64_PSTATE] = uc->uc_mcontext.pstate;
#endif
}

/* ------------------------------------------------------------------------
 * Unwind tables: _dl_find_object -> PT_GNU_EH_FRAME (.eh_frame_hdr)
 * ---------------------------------------------------------------------- */

#define FL_DW_EH_PE_omit 0xff
#define FL_DW_EH_PE_pcrel 0x10
#define FL_DW_EH_PE_datarel 0x30
#define FL_DW_EH_PE_sdata4 0x0b

/* One encoded value of the .eh_frame_hdr header at *p (advanced). */
static int fl_eh_value(uintptr_t *p, unsigned char enc, uintptr_t hdr,
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
static int fl_eh_table(const struct dl_find_object *o, unw_dyn_info_t *di)
{
	uintptr_t hdr = (uintptr_t)o->dlfo_eh_frame, p = hdr + 4;
	unsigned char h[4];
	uint64_t eh_frame, count;

	if (hdr == 0 || fl_mem_read(h, hdr, sizeof(h)) != 0)
		return -1;
	if (h[0] != 1 || h[2] == FL_DW_EH_PE_omit ||
	    h[3] != (FL_DW_EH_PE_datarel | FL_DW_EH_PE_sdata4))
		return -1; /* no sorted table: not worth a linear search */
	if (fl_eh_value(&p, h[1], hdr, &eh_frame) != 0 ||
	    fl_eh_value(&p, h[2], hdr, &count) != 0 || count == 0)
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
 * one unwind (fl_unwind_regs clears it: code may have been unloaded
 * between two). */
static struct {
	int valid;
	unw_dyn_info_t di;
} fl_last_table;

static int fl_find_proc_info(unw_addr_space_t as, unw_word_t ip,
			     unw_proc_info_t *pi, int need_unwind_info,
			     void *arg)
{
	unw_dyn_info_t *di = &fl_last_table.di;

	/* ip is already pc - 1 for return addresses (libunwind's
	 * use_prev_instr) and the pc itself for the signal frame. */
	if (!fl_last_table.valid || ip < di->start_ip || ip >= di->end_ip) {
		struct dl_find_object o;

		fl_last_table.valid = 0;
		if (_dl_find_object((void *)(uintptr_t)ip, &o) != 0 ||
		    fl_eh_table(&o, di) != 0)
			return -UNW_ENOINFO;
		fl_last_table.valid = 1;
		if (ip < di->start_ip || ip >= di->end_ip)
			return -UNW_ENOINFO;
	}
	return UNW_OBJ(dwarf_search_unwind_table)(as, ip, di, pi,
						  need_unwind_info, arg);
}

/* ------------------------------------------------------------------------
 * The other accessors
 * ---------------------------------------------------------------------- */

static void fl_put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi,
			       void *arg)
{
	/* libunwind frees the table-format info it made itself. */
}

static int fl_get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *dilap,
				     void *arg)
{
	return -UNW_ENOINFO; /* no JIT registration in this process view */
}

static int fl_access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *valp,
			 int write, void *arg)
{
	if (write)
		return -UNW_EINVAL; /* we only read the crashed stack */
	if (fl_mem_read(valp, (uintptr_t)addr, sizeof(*valp)) != 0)
		return -UNW_EINVAL;
	return 0;
}

static int fl_access_reg(unw_addr_space_t as, unw_regnum_t reg,
			 unw_word_t *valp, int write, void *arg)
{
	struct fl_unw_regs *regs = arg;

	if (reg < 0 || reg >= FL_UNW_NREGS)
		return -UNW_EBADREG;
	if (write)
		regs->r[reg] = *valp;
	else
		*valp = regs->r[reg];
	return 0;
}

static int fl_access_fpreg(unw_addr_space_t as, unw_regnum_t reg,
			   unw_fpreg_t *val, int write, void *arg)
{
	return -UNW_EBADREG; /* a backtrace needs no FP registers */
}

static int fl_resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	return -UNW_EINVAL;
}

static int fl_get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf,
			    size_t len, unw_word_t *offp, void *arg)
{
	return -UNW_ENOINFO; /* symbols come from elf.c, not libunwind */
}

static unw_accessors_t fl_accessors = {
	.find_proc_info = fl_find_proc_info,
	.put_unwind_info = fl_put_unwind_info,
	.get_dyn_info_list_addr = fl_get_dyn_info_list_addr,
	.access_mem = fl_access_mem,
	.access_reg = fl_access_reg,
	.access_fpreg = fl_access_fpreg,
	.resume = fl_resume,
	.get_proc_name = fl_get_proc_name,
};

static unw_addr_space_t fl_as;

/* ------------------------------------------------------------------------
 * The walk
 * ---------------------------------------------------------------------- */

struct fl_walk {
	unw_word_t pc, sp; /* the last frame taken */
	unsigned equal_sp; /* frames in a row with an unchanged sp */
	int after_signal;  /* the last frame was a signal frame */
	long steps;
	long long deadline; /* CLOCK_MONOTONIC ns; 0 not yet started */
};

static long long fl_now_ns(void)
{
	struct timespec ts;

	/* clock_gettime is async-signal-safe (POSIX.1-2008). */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Take the cursor's frame, or refuse it when the walk went astray.  The
 * stack grows down, so a caller's sp is above its callee's: equal only
 * for the caller of a leaf that kept no frame (aarch64), never twice in a
 * row.  Only a signal frame may move sp anywhere (to another stack).
 */
static int fl_walk_take(struct fl_walk *w, unw_cursor_t *cur,
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

static int fl_walk_budget(struct fl_walk *w)
{
	if (++w->steps > FL_UNWIND_MAX_STEPS)
		return 0;
	if (w->steps % FL_UNWIND_CLOCK_EVERY != 0)
		return 1;
	/* The clock starts at the first check, not at the walk's start: a
	 * first clock_gettime costs page faults on the vdso's data pages
	 * (3 measured), and a walk of FL_UNWIND_CLOCK_EVERY steps or fewer
	 * - nearly every crash - is bounded by its step count alone. */
	if (w->deadline == 0)
		w->deadline = fl_now_ns() + FL_UNWIND_MAX_NS;
	else if (fl_now_ns() > w->deadline)
		return 0;
	return 1;
}

/* A pc outside every module (a call through a bad function pointer) has
 * no unwind info: its caller is the return address the call pushed
 * (x86-64) or left in the link register (aarch64). */
static int fl_skip_bad_pc(struct fl_unw_regs *regs)
{
	struct dl_find_object o;
	uintptr_t pc = (uintptr_t)regs->r[FL_UNW_PC];

	if (_dl_find_object((void *)pc, &o) == 0)
		return -1;
#if defined(__x86_64__)
	if (fl_mem_read(&regs->r[FL_UNW_PC], (uintptr_t)regs->r[FL_UNW_SP],
			sizeof(unw_word_t)) != 0)
		return -1;
	regs->r[FL_UNW_SP] += sizeof(unw_word_t);
#else
	regs->r[FL_UNW_PC] = regs->r[UNW_AARCH64_X30];
#endif
	if (_dl_find_object((void *)(uintptr_t)regs->r[FL_UNW_PC], &o) != 0)
		return -1;
	return 0;
}

/* Frames walked before the register-state cache pays for itself. */
#define FL_UNWIND_CACHE_AFTER 256

static void fl_walk_regs(struct fl_unw_regs *regs, struct fl_frame_collector *c)
{
	struct fl_walk w = {regs->r[FL_UNW_PC], regs->r[FL_UNW_SP], 0, 0, 0, 0};
	unw_cursor_t cur;
	int caller_first;

	/* Frame 0 is the faulting pc, whatever it is (0 for a NULL call). */
	fl_frames_add(c, (uintptr_t)w.pc);
	caller_first = fl_skip_bad_pc(regs) == 0;
	if (fl_as == NULL || unw_init_remote(&cur, fl_as, regs) < 0)
		return;
	if (caller_first && fl_walk_take(&w, &cur, c) != 0)
		return;
	while (fl_walk_budget(&w) && unw_step(&cur) > 0) {
		if (fl_walk_take(&w, &cur, c) != 0)
			break;
		/* Deep recursion repeats the same few pcs: from here on,
		 * one FDE parse per distinct pc instead of one per frame.
		 * The cache lives in the address space (no allocation);
		 * only the crashing thread takes its lock. */
		if (c->seen == FL_UNWIND_CACHE_AFTER)
			unw_set_caching_policy(fl_as, UNW_CACHE_GLOBAL);
	}
	if (c->seen > FL_UNWIND_CACHE_AFTER)
		unw_set_caching_policy(fl_as, UNW_CACHE_NONE);
}

/* ------------------------------------------------------------------------
 * Entry points
 * ---------------------------------------------------------------------- */

static const struct faultline_fault *fl_last_fault;
static unsigned long fl_last_generation;

const struct faultline_fault *fl_unwind_last(unsigned long *generation)
{
	*generation = fl_last_generation;
	return fl_last_fault;
}

static void fl_unwind_regs(struct fl_unw_regs *regs,
			   struct faultline_fault *fault)
{
	struct fl_frame_collector c;

	/* Code may have been unloaded and other code mapped in its place
	 * since the last unwind: forget cached register states and which
	 * memory was readable.  (The flush reuses the static cache: no
	 * allocation.) */
	fl_mem_forget();
	fl_last_table.valid = 0;
	if (fl_as != NULL)
		unw_flush_cache(fl_as, 0, 0);
	fl_frames_begin(&c, fault);
	fl_walk_regs(regs, &c);
	fl_frames_finish(&c);
	fl_last_fault = fault;
	fl_last_generation++;
}

void fl_unwind_context(const ucontext_t *uc, struct faultline_fault *fault)
{
	struct fl_unw_regs regs;

	fl_unwind_regs_from_context(&regs, uc);
	fl_unwind_regs(&regs, fault);
}

int fl_unwind_prepare(void)
{
	unw_addr_space_t as;

	if (__atomic_load_n(&fl_as, __ATOMIC_ACQUIRE) != NULL)
		return 0;
	as = unw_create_addr_space(&fl_accessors, 0);
	if (as == NULL)
		return -1;
	/* libunwind's one-time initialisation runs in the first
	 * unw_set_caching_policy call: do it now, not in the handler.
	 * UNW_CACHE_NONE is what unw_create_addr_space left (a zeroed
	 * struct), so this call initialises without flushing anything.
	 * The register-state cache is switched on only for deep walks
	 * (fl_walk_regs): turning it on here costs start-up time (its
	 * flush memsets tens of KB) that a short backtrace never repays.
	 * No warm-up unwind either: it cost 2-7 ms of start-up in a VM.
	 * A shared libunwind built with its local unwinder (the system's)
	 * opens a pipe in that initialisation, kept for the life of the
	 * process: there it waits for the first unwind (unw_init_remote
	 * runs it: syscalls only), so that loading faultline adds no
	 * file descriptor to a process that never faults. */
#ifdef FL_UNWIND_PRIVATE
	unw_set_caching_policy(as, UNW_CACHE_NONE);
#endif
	if (!__atomic_compare_exchange_n(&fl_as, &(unw_addr_space_t){NULL}, as,
					 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		unw_destroy_addr_space(as);
	return 0;
}
