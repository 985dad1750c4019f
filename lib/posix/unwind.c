/*
 * unwind.c - a thread's backtrace, from the signal's ucontext.
 *
 * libunwind 1.6's local unwinder cannot be used in a crash handler: it
 * finds unwind tables with dl_iterate_phdr, which takes the loader's lock
 * (a crash while another thread is in dlopen or in a dl_iterate_phdr
 * callback deadlocks), and unw_get_proc_name mallocs.  So we drive the
 * generic ("remote") libunwind over an address space of our own making:
 *
 *   access_mem     reads our own memory through a memory view (memory.c:
 *                  each 4 KiB granule probed once per unwind, the unwind
 *                  tables of the modules met read without probes);
 *   access_reg     serves registers from the signal's ucontext;
 *   find_proc_info _dl_find_object (lock-free, async-signal-safe) gives
 *                  the module's PT_GNU_EH_FRAME; we search its sorted
 *                  table ourselves and hand libunwind the one entry.
 *
 * Two unwinders, two owners.  The crash report's is used only by the
 * thread that claimed the crash (the core lets one in), so it takes no
 * lock and never waits: a thread stopped in a recovery (SIGSTOP of the
 * process aside: a debugger, the freezer, a long signal handler) cannot
 * cost another thread's crash its backtrace.  Recoveries (faultline_protect)
 * may come from any thread at any time: theirs is behind a lock, and keeps
 * libunwind's register-state cache from one recovery to the next (a
 * program that recovers faults recovers them in the same code over and
 * over), checked against the loaded modules before each use.  Only
 * libunwind's small object pools are shared, behind its own short
 * critical sections that call nothing of ours.
 *
 * Allocation: the address spaces come from mmap (our patch to libunwind,
 * on the built-in route: the crash's is made by the first crash, so that
 * start-up pays nothing; with the system's libunwind they are malloc'd
 * at install).  In the fatal path libunwind takes its parsed CIE records
 * from its mempools (grown with mmap) and keeps register states in the
 * address space's cache (inside the struct); it never calls malloc.  The
 * unit tests check that with an interposed malloc, on a cold first crash.
 *
 * fork(): a child gets a copy of a recovery in mid-unwind, locks and all,
 * from every thread but the one that forked.  pthread_atfork waits for the
 * recovery in progress (bounded), and the child, if the wait failed, gets
 * a fresh recovery address space.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/auxv.h>
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
long fl_unwind_max_steps = FL_UNWIND_MAX_STEPS;

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

/* ------------------------------------------------------------------------
 * The unwinders
 * ---------------------------------------------------------------------- */

/* A module the recovery unwinder's register-state cache holds states of:
 * its identity when they were made. */
struct cached_module {
	uintptr_t start, end; /* [start, end]: a return address may be end */
	void *eh, *map;
};
#define FL_CACHED_MODULES 16

/* One .eh_frame_hdr search table entry (int32 offsets from the header). */
struct table_entry {
	int32_t start, fde;
};

struct unwinder {
	unw_addr_space_t as;
	struct fl_mem_view *mem;
	int recovery; /* keeps its register-state cache between unwinds */
	/* The module of the latest table lookup: consecutive frames mostly
	 * lie in one module.  Valid for one unwind. */
	int table_valid;
	uintptr_t table_start, table_end, table_hdr, table_data;
	uint64_t table_count;
	/* The entry found (and the one after it), for libunwind. */
	struct table_entry found[2];
	/* The recovery cache's modules; [check_lo, check_hi] was checked
	 * during this unwind. */
	struct cached_module mods[FL_CACHED_MODULES];
	unsigned nmods;
	uintptr_t check_lo, check_hi;
};

FL_STARTUP_DATA static struct unwinder crash_unwinder;
static struct unwinder recovery_unwinder = {.recovery = 1};
static struct fl_mem_view recovery_mem;

void (*volatile fl_unwind_test_hook)(int recovery);

/* The accessors' argument. */
struct walk_arg {
	unw_word_t regs[FL_ARCH_UNWIND_NREGS];
	struct unwinder *u;
	/* A recovery's head: stop at FAULTLINE_FRAMES_HEAD frames that are
	 * all below this sp (inside the protected call); 0: never. */
	uintptr_t head_below;
	int head_cut; /* set when that stopped the walk */
};

/* ------------------------------------------------------------------------
 * Unwind tables: _dl_find_object -> PT_GNU_EH_FRAME (.eh_frame_hdr)
 * ---------------------------------------------------------------------- */

#define FL_DW_EH_PE_omit 0xff
#define FL_DW_EH_PE_pcrel 0x10
#define FL_DW_EH_PE_datarel 0x30
#define FL_DW_EH_PE_sdata4 0x0b

/* One encoded value of the .eh_frame_hdr header at *p (advanced). */
static int eh_value(struct fl_mem_view *v, uintptr_t *p, unsigned char enc,
		    uintptr_t hdr, uint64_t *out)
{
	uint64_t val = 0, base = 0;
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
	if (fl_mem_view_read(v, &val, *p, size) != 0)
		return -1;
	if ((enc & 0x0f) == 0x0b)
		val = (uint64_t)(int64_t)(int32_t)(uint32_t)val;
	if ((enc & 0x70) == FL_DW_EH_PE_pcrel)
		base = *p;
	else if ((enc & 0x70) == FL_DW_EH_PE_datarel)
		base = hdr;
	else if ((enc & 0x70) != 0)
		return -1;
	*p += size;
	*out = val + base;
	return 0;
}

/*
 * The loaded segment holding the module's unwind tables is readable for
 * as long as the module is loaded: the view reads it without probing.
 * Its extent comes from the program headers behind the ELF header at the
 * module's start (read probed).  The loader's own data (what
 * _dl_find_object returned) is trusted as much as _dl_find_object itself.
 */
static void trust_tables(struct fl_mem_view *v, const struct dl_find_object *o)
{
	uintptr_t base = (uintptr_t)o->dlfo_map_start;
	uintptr_t hdr = (uintptr_t)o->dlfo_eh_frame, bias = 0;
	Elf64_Ehdr eh;
	Elf64_Phdr ph[16];
	unsigned i, n;

	if (fl_mem_view_read(v, &eh, base, sizeof(eh)) != 0 ||
	    eh.e_ident[EI_MAG0] != ELFMAG0 || eh.e_ident[EI_MAG1] != ELFMAG1 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return;
	n = eh.e_phnum < 16 ? eh.e_phnum : 16;
	if (fl_mem_view_read(v, ph, base + eh.e_phoff, n * sizeof(ph[0])) != 0)
		return;
	for (i = 0; i < n && ph[i].p_type != PT_GNU_EH_FRAME; i++)
		;
	if (i == n)
		return;
	bias = hdr - ph[i].p_vaddr;
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_R) &&
		    hdr - bias - ph[i].p_vaddr < ph[i].p_filesz) {
			fl_mem_view_trust(v, bias + ph[i].p_vaddr,
					  bias + ph[i].p_vaddr +
						  ph[i].p_filesz);
			return;
		}
}

/* The module's sorted search table (datarel|sdata4 pairs: the form
 * libunwind's own dl_iterate_phdr callback accepts). */
static int eh_table(struct unwinder *u, const struct dl_find_object *o)
{
	uintptr_t hdr = (uintptr_t)o->dlfo_eh_frame, p = hdr + 4;
	unsigned char h[4];
	uint64_t eh_frame, count;

	if (hdr == 0)
		return -1;
	trust_tables(u->mem, o);
	if (fl_mem_view_read(u->mem, h, hdr, sizeof(h)) != 0)
		return -1;
	if (h[0] != 1 || h[2] == FL_DW_EH_PE_omit ||
	    h[3] != (FL_DW_EH_PE_datarel | FL_DW_EH_PE_sdata4))
		return -1; /* no sorted table: not worth a linear search */
	if (eh_value(u->mem, &p, h[1], hdr, &eh_frame) != 0 ||
	    eh_value(u->mem, &p, h[2], hdr, &count) != 0 || count == 0 ||
	    count > 0x10000000)
		return -1;
	u->table_start = (uintptr_t)o->dlfo_map_start;
	u->table_end = (uintptr_t)o->dlfo_map_end;
	u->table_hdr = hdr;
	u->table_data = p;
	u->table_count = count;
	return 0;
}

/* The entry for ip: the last whose start is at or below it (a binary
 * search like libunwind's, with word reads instead of four one-byte
 * reads per number).  1 found, 0 none, -1 unreadable. */
static int table_search(struct unwinder *u, uintptr_t ip)
{
	int64_t rel = (int64_t)(ip - u->table_hdr);
	uint64_t lo = 0, hi = u->table_count, mid;
	struct table_entry e;

	if (rel != (int32_t)rel)
		return 0;
	/* The table inside the segment trust_tables vouched for (the usual
	 * case): plain loads, not a view read per step of the search. */
	if (fl_mem_view_trusts(u->mem, u->table_data,
			       u->table_data + u->table_count * 8)) {
		const struct table_entry *t =
			(const struct table_entry *)u->table_data;

		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (rel < t[mid].start)
				hi = mid;
			else
				lo = mid + 1;
		}
		if (hi == 0)
			return 0;
		u->found[0] = t[hi - 1];
		u->found[1] = t[hi < u->table_count ? hi : hi - 1];
		return 1;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (fl_mem_view_read(u->mem, &e, u->table_data + mid * 8, 8) !=
		    0)
			return -1;
		if (rel < e.start)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (hi == 0)
		return 0;
	if (fl_mem_view_read(u->mem, u->found, u->table_data + (hi - 1) * 8,
			     hi < u->table_count ? 16 : 8) != 0)
		return -1;
	if (hi == u->table_count)
		u->found[1] = u->found[0]; /* the last entry: no next */
	return 1;
}

/* The recovery cache holds register states of the modules it met: a
 * module found again must be the same, else the cache goes. */
static void cache_note_module(struct unwinder *u,
			      const struct dl_find_object *o)
{
	uintptr_t start = (uintptr_t)o->dlfo_map_start;
	uintptr_t end = (uintptr_t)o->dlfo_map_end;
	unsigned i;

	for (i = 0; i < u->nmods; i++) {
		struct cached_module *m = &u->mods[i];

		if (start > m->end || end < m->start)
			continue;
		if (m->start == start && m->end == end &&
		    m->eh == o->dlfo_eh_frame && m->map == o->dlfo_link_map)
			return;
		break; /* another module where this one was */
	}
	if (i < u->nmods || u->nmods == FL_CACHED_MODULES) {
		unw_flush_cache(u->as, 0, 0);
		u->nmods = 0;
	}
	u->mods[u->nmods].start = start;
	u->mods[u->nmods].end = end;
	u->mods[u->nmods].eh = o->dlfo_eh_frame;
	u->mods[u->nmods].map = o->dlfo_link_map;
	u->nmods++;
}

static int find_proc_info(unw_addr_space_t as, unw_word_t ip,
			  unw_proc_info_t *pi, int need_unwind_info, void *arg)
{
	struct unwinder *u = ((struct walk_arg *)arg)->u;
	unw_dyn_info_t di;
	int found;

	if (fl_unwind_test_hook)
		fl_unwind_test_hook(u->recovery);
	/* ip is already pc - 1 for return addresses (libunwind's
	 * use_prev_instr) and the pc itself for the signal frame. */
	if (!u->table_valid || ip < u->table_start || ip >= u->table_end) {
		struct dl_find_object o;

		u->table_valid = 0;
		if (_dl_find_object((void *)(uintptr_t)ip, &o) != 0 ||
		    eh_table(u, &o) != 0)
			return -UNW_ENOINFO;
		if (u->recovery)
			cache_note_module(u, &o);
		u->table_valid = 1;
		if (ip < u->table_start || ip >= u->table_end)
			return -UNW_ENOINFO;
	}
	found = table_search(u, ip);
	if (found <= 0)
		return found == 0 ? -UNW_ENOINFO : -UNW_EINVAL;
	/* libunwind reads the entry (and the next, for the end of its
	 * range) from our copy: its offsets stay relative to the header. */
	memset(&di, 0, sizeof(di));
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = u->table_start;
	di.end_ip = u->table_end;
	di.u.rti.segbase = u->table_hdr;
	di.u.rti.table_data = (unw_word_t)(uintptr_t)u->found;
	di.u.rti.table_len = (u->found[1].start > u->found[0].start ? 2 : 1) *
			     sizeof(struct table_entry) / sizeof(unw_word_t);
	return UNW_OBJ(dwarf_search_unwind_table)(as, ip, &di, pi,
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
	if (fl_mem_view_word(((struct walk_arg *)arg)->u->mem, addr, valp) != 0)
		return -UNW_EINVAL;
	return 0;
}

static int access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *valp,
		      int write, void *arg)
{
	struct walk_arg *w = arg;

	if (reg < 0 || reg >= FL_ARCH_UNWIND_NREGS)
		return -UNW_EBADREG;
	if (write)
		w->regs[reg] = *valp;
	else
		*valp = w->regs[reg];
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
	int cut;	    /* FL_WALK_*: why the budget ended the walk */
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
	if (++w->steps > fl_unwind_max_steps) {
		w->cut = FL_WALK_STEP_CAP;
		return 0;
	}
	if (w->steps % FL_UNWIND_CLOCK_EVERY != 0)
		return 1;
	/* The clock starts at the first check, not at the walk's start: a
	 * first clock_gettime costs page faults on the vdso's data pages,
	 * and a walk of FL_UNWIND_CLOCK_EVERY steps or fewer - nearly every
	 * crash - is bounded by its step count alone. */
	if (w->deadline == 0)
		w->deadline = now_ns() + FL_UNWIND_MAX_NS;
	else if (now_ns() > w->deadline) {
		w->cut = FL_WALK_TIME_CAP;
		return 0;
	}
	return 1;
}

/* Before a step from pc, the recovery cache may hold pc's register
 * state from an earlier unwind: if pc lies where a module it met was, that
 * module must still be there, or the cache goes.  (A pc in no module met
 * has no cached state: states are made only after find_proc_info found
 * the module.)  Checked once per module run. */
static void cache_check(struct unwinder *u, uintptr_t pc)
{
	struct dl_find_object o;
	unsigned i;

	if (pc >= u->check_lo && pc <= u->check_hi)
		return;
	for (i = 0; i < u->nmods; i++) {
		struct cached_module *m = &u->mods[i];

		if (pc < m->start || pc > m->end)
			continue;
		if (_dl_find_object((void *)pc, &o) != 0 ||
		    (uintptr_t)o.dlfo_map_start != m->start ||
		    (uintptr_t)o.dlfo_map_end != m->end ||
		    o.dlfo_eh_frame != m->eh || o.dlfo_link_map != m->map) {
			unw_flush_cache(u->as, 0, 0);
			u->nmods = 0;
			return;
		}
		u->check_lo = m->start;
		u->check_hi = m->end;
		return;
	}
}

/* A pc outside every module (a call through a bad function pointer) has
 * no unwind info: the caller's frame comes from where the call left its
 * return address (fl_arch_unwind_bad_call). */
static int skip_bad_pc(struct walk_arg *a)
{
	struct dl_find_object o;
	uintptr_t pc = (uintptr_t)a->regs[FL_ARCH_UNWIND_PC];

	if (_dl_find_object((void *)pc, &o) == 0)
		return -1;
	if (fl_arch_unwind_bad_call(a->regs, a->u->mem) != 0)
		return -1;
	if (_dl_find_object((void *)(uintptr_t)a->regs[FL_ARCH_UNWIND_PC],
			    &o) != 0)
		return -1;
	return 0;
}

/* Frames walked before the crash unwinder's register-state cache pays
 * for itself (the recovery unwinder's is always on). */
#define FL_UNWIND_CACHE_AFTER 256

/* Returns FL_WALK_*: whether a cap cut the walk. */
static int walk(struct walk_arg *a, struct fl_frame_collector *c)
{
	struct unwinder *u = a->u;
	struct walk_state w = {a->regs[FL_ARCH_UNWIND_PC],
			       a->regs[FL_ARCH_UNWIND_SP],
			       0,
			       0,
			       0,
			       0,
			       FL_WALK_DONE};
	unw_cursor_t cur;
	int caller_first;

	/* Frame 0 is the faulting pc, whatever it is (0 for a NULL call). */
	fl_frames_add(c, (uintptr_t)w.pc);
	caller_first = skip_bad_pc(a) == 0;
	if (unw_init_remote(&cur, u->as, a) < 0)
		return FL_WALK_DONE;
	if (caller_first && walk_take(&w, &cur, c) != 0)
		return FL_WALK_DONE;
	for (;;) {
		if (u->recovery)
			cache_check(u, (uintptr_t)w.pc);
		if (!walk_budget(&w) || fl_frames_full(c) ||
		    unw_step(&cur) <= 0 || walk_take(&w, &cur, c) != 0)
			break;
		if (c->seen == FAULTLINE_FRAMES_HEAD && w.sp < a->head_below) {
			a->head_cut = 1;
			break;
		}
		/* Deep recursion repeats the same few pcs: from here on,
		 * one FDE parse per distinct pc instead of one per frame.
		 * The cache lives in the address space (no allocation). */
		if (c->seen == FL_UNWIND_CACHE_AFTER && !u->recovery)
			unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
	}
	if (c->seen > FL_UNWIND_CACHE_AFTER && !u->recovery)
		unw_set_caching_policy(u->as, UNW_CACHE_NONE);
	return w.cut;
}

/* ------------------------------------------------------------------------
 * Making the unwinders
 * ---------------------------------------------------------------------- */

/* 0, or -1 when the address space cannot be had. */
static int make_unwinder(struct unwinder *u)
{
	if (u->as != NULL)
		return 0;
	u->as = unw_create_addr_space(&accessors, 0);
	if (u->as == NULL)
		return -1;
	if (u->recovery)
		unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
	u->nmods = 0;
	return 0;
}

FL_STARTUP_TEXT int fl_unwind_prepare(void)
{
	crash_unwinder.mem = fl_mem_crash_view();
#ifdef FL_UNWIND_PRIVATE
	/* The built-in libunwind makes address spaces with mmap and sets
	 * itself up with syscalls only: the first crash does both, and a
	 * process that never crashes pays nothing for them at start-up
	 * (page faults on the address space, libunwind's pools and
	 * globals: about a third of what loading faultline cost). */
	return 0;
#else
	/* The system's libunwind mallocs them: only here, never in the
	 * handler.  Its one-time initialisation runs in the first
	 * unw_init_remote: syscalls only, and it opens a pipe kept for the
	 * life of the process, which then waits for the first unwind so
	 * that loading faultline adds no descriptor to a process that
	 * never faults. */
	return make_unwinder(&crash_unwinder);
#endif
}

/* ------------------------------------------------------------------------
 * The recovery unwinder's lock
 *
 * The lock holds the owner's tid: in the handler a waiter can check that
 * the owner still exists (a fork() in another thread while it unwound
 * leaves the child a lock no thread will release) and never waits longer
 * than an unwind may take.
 * ---------------------------------------------------------------------- */

#define FL_UNWIND_WAIT_NS 3000000000LL
static volatile long recovery_owner;

/* 1 when taken for thread tid, 0 when its owner kept it past the
 * bounded wait. */
static int recovery_lock(long tid)
{
	long long deadline = 0;

	for (;;) {
		long owner = 0;

		if (__atomic_compare_exchange_n(&recovery_owner, &owner, tid, 0,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return 1;
		if (syscall(SYS_tgkill, (long)getpid(), owner, 0) != 0 &&
		    errno == ESRCH &&
		    __atomic_compare_exchange_n(&recovery_owner, &owner, tid, 0,
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

static void recovery_unlock(void)
{
	__atomic_store_n(&recovery_owner, 0, __ATOMIC_RELEASE);
}

/* fork(): no recovery may be in mid-unwind while the process is copied. */
static int fork_locked;

static void fork_prepare(void)
{
	fork_locked = recovery_lock(syscall(SYS_gettid));
}

static void fork_parent(void)
{
	if (fork_locked)
		recovery_unlock();
}

static void fork_child(void)
{
	/* A recovery stuck past the wait was copied in mid-unwind, holding
	 * libunwind's cache lock, perhaps: a fresh address space for the
	 * child (the old one leaks, a few pages). */
	if (!fork_locked) {
		recovery_unwinder.as = NULL;
		make_unwinder(&recovery_unwinder);
	}
	recovery_unlock();
}

#ifdef PIC
/* The shared library is linked without crtbeginS.o (lib/posix/local.mk
 * says why), which defines this: pthread_atfork (libc_nonshared.a) names
 * the object its handlers belong to by it.  Weak: in a program that
 * links a PIC libfaultline.a, the program's own wins. */
__attribute__((visibility("hidden"), weak)) void *__dso_handle = &__dso_handle;
#endif

int fl_unwind_prepare_recovery(void)
{
	static int atfork_done;
	int r;

	if (__atomic_load_n(&recovery_unwinder.as, __ATOMIC_ACQUIRE) != NULL)
		return 0;
	if (!recovery_lock(syscall(SYS_gettid)))
		return -1;
	recovery_unwinder.mem = &recovery_mem;
	r = make_unwinder(&recovery_unwinder);
	if (r == 0 && !atfork_done &&
	    pthread_atfork(fork_prepare, fork_parent, fork_child) == 0)
		atfork_done = 1;
	recovery_unlock();
	return r;
}

/* ------------------------------------------------------------------------
 * Entry points
 * ---------------------------------------------------------------------- */

/* Ready u and a for a walk of thread tid from regs. */
static void walk_begin(struct unwinder *u, struct walk_arg *a,
		       const uint64_t regs[FL_ARCH_UNWIND_NREGS], long tid)
{
	/* Code may have been unloaded and other code mapped in its place
	 * since the last unwind: forget which memory was readable and the
	 * last unwind table.  The recovery cache is checked per module in
	 * the walk; the crash unwinder's is used only by deep walks, and
	 * switching it on empties it. */
	fl_mem_view_begin(u->mem, tid);
	fl_mem_view_trust(u->mem, (uintptr_t)u->found,
			  (uintptr_t)u->found + sizeof(u->found));
	/* The recovery unwinder walks the faulting thread's own stack. */
	if (u->recovery)
		fl_altstack_trust_thread_stack(
			u->mem, (uintptr_t)regs[FL_ARCH_UNWIND_SP]);
	u->table_valid = 0;
	u->check_lo = UINTPTR_MAX;
	u->check_hi = 0;
	for (int i = 0; i < FL_ARCH_UNWIND_NREGS; i++)
		a->regs[i] = regs[i];
	a->u = u;
	a->head_below = 0;
	a->head_cut = 0;
}

/* Walk from regs (fl_arch_unwind_regs's) into fault->frames: at most
 * limit frames from the top, or (0) the head/tail rule. */
static int unwind(struct unwinder *u, const uint64_t regs[FL_ARCH_UNWIND_NREGS],
		  struct faultline_fault *fault, size_t limit)
{
	struct walk_arg a;
	struct fl_frame_collector c;
	int cut;

	walk_begin(u, &a, regs, fault->tid);
	fl_frames_begin(&c, fault);
	c.limit = limit;
	cut = walk(&a, &c);
	fl_frames_finish(&c);
	return cut;
}

/*
 * A recovery's backtrace, bounded by the protected call rather than by
 * the stack: a stack overflow inside fn is some 30,000 frames deep on an
 * 8 MiB stack, and walking them all cost 4-6 ms per recovery.  The head
 * walk stops once FAULTLINE_FRAMES_HEAD frames all lie inside the call;
 * the tail then starts from the call's jump record, which holds
 * faultline_protect's own frame exactly as the unwinder would have
 * reached it.  How many frames lie between is not known without the walk
 * we skip.
 */
static void unwind_recovery(struct unwinder *u,
			    const uint64_t regs[FL_ARCH_UNWIND_NREGS],
			    const struct fl_jmp *outer,
			    struct faultline_fault *fault)
{
	uint64_t outer_regs[FL_ARCH_UNWIND_NREGS];
	struct walk_arg a;
	struct fl_frame_collector c;

	walk_begin(u, &a, regs, fault->tid);
	if (outer != NULL) {
		fl_arch_jmp_unwind_regs(outer_regs, outer);
		a.head_below = (uintptr_t)outer_regs[FL_ARCH_UNWIND_SP];
	}
	fl_frames_begin(&c, fault);
	walk(&a, &c);
	fl_frames_finish(&c);
	if (!a.head_cut)
		return;
	walk_begin(u, &a, outer_regs, fault->tid);
	fl_frames_begin_tail(&c, fault);
	walk(&a, &c);
	fl_frames_finish(&c);
	fault->frames_omitted = FAULTLINE_FRAMES_OMITTED_UNKNOWN;
}

/* The crash report's unwinder: made at the first crash (or install). */
static struct unwinder *crash_unwinder_ready(void)
{
	struct unwinder *u = &crash_unwinder;

	if (u->mem == NULL)
		u->mem = fl_mem_crash_view();
#ifdef FL_UNWIND_PRIVATE
	if (make_unwinder(u) != 0) /* mmap: a syscall */
		return NULL;
#else
	if (u->as == NULL) /* malloc'd at install, or not at all */
		return NULL;
#endif
	return u;
}

int fl_unwind_context(const ucontext_t *uc, struct faultline_fault *fault)
{
	struct unwinder *u = crash_unwinder_ready();
	uint64_t regs[FL_ARCH_UNWIND_NREGS];

	if (u == NULL)
		return FL_WALK_DONE;
	fl_arch_unwind_regs(regs, uc);
	return unwind(u, regs, fault, 0);
}

size_t fl_unwind_registers(const uint64_t regs[FL_ARCH_UNWIND_NREGS],
			   struct faultline_fault *fault, size_t limit)
{
	struct unwinder *u = crash_unwinder_ready();

	if (u == NULL) {
		fault->frames[0] = regs[FL_ARCH_UNWIND_PC];
		fault->frame_count = 1;
		fault->frames_omitted = 0;
		return 1;
	}
	unwind(u, regs, fault, limit);
	return fault->frame_count;
}

int fl_unwind_recovery(const ucontext_t *uc, const struct fl_jmp *outer,
		       struct faultline_fault *fault)
{
	struct unwinder *u = &recovery_unwinder;
	uint64_t regs[FL_ARCH_UNWIND_NREGS];

	if (__atomic_load_n(&u->as, __ATOMIC_ACQUIRE) == NULL ||
	    !recovery_lock(fault->tid))
		return -1;
	fl_arch_unwind_regs(regs, uc);
	unwind_recovery(u, regs, outer, fault);
	recovery_unlock();
	return 0;
}
