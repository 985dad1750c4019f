/*
 * memory.c - reading our own memory that may not be mapped, without
 * faulting.
 *
 * A probe asks the kernel whether a 4 KiB granule is readable (one
 * syscall, below); a view (struct fl_mem_view) remembers for one reader
 * which granules were, so that the unwinder and the ELF reader pay one
 * probe per granule per crash, and reads whole ranges its owner vouches
 * for (a loaded module's segment) without probing at all.  The crash
 * report has one view (fl_mem_read), recoveries another (unwind.c): a
 * crash never shares state with a recovery another thread may be stuck in.
 *
 * Everything here may run inside the crash handler.  A view is not
 * reentrant: each has one user at a time (the thread that claimed the
 * crash; recoveries take the unwinder's lock).
 */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "platform.h"
#include "posix/posix.h"
#include "str.h"

/* ------------------------------------------------------------------------
 * Probes
 *
 * The probe: rt_sigprocmask with an invalid "how" and our address as the
 * new mask.  The kernel copies the 8-byte mask from user memory first and
 * only then looks at "how": EFAULT when the bytes are not readable (not
 * mapped, PROT_NONE), else EINVAL - and the mask never changes.  No file
 * descriptor, no state, about the price of getpid (and half that of
 * process_vm_readv, which also needs our pid and is refused by seccomp
 * filters and qemu-user).  A copy by the kernel is refused exactly where a
 * load of ours would fault: page protections apply to both.  (mincore and
 * msync cannot tell PROT_NONE from readable; writing the bytes into a pipe
 * works but keeps two descriptors open for the life of the process.)
 *
 * An emulator may check "how" first (valgrind does, and answers EINVAL
 * for every address): a self-test on first use, with an address that can
 * never be read, picks process_vm_readv there instead.
 * ---------------------------------------------------------------------- */

#define FL_PROBE_UNKNOWN 0
#define FL_PROBE_SIGMASK 1
#define FL_PROBE_VM_READ 2
#define FL_PROBE_NONE 3

static int probe_method;

#define FL_GRANULE_SHIFT 12
#define FL_GRANULE(addr) ((addr) & ~(((uintptr_t)1 << FL_GRANULE_SHIFT) - 1))

/* The granule holding addr: 0 readable, -1 not, 1 the answer means
 * nothing here. */
int fl_mem_probe_sigmask(uintptr_t addr)
{
	long r = syscall(SYS_rt_sigprocmask, 0x7fffffff,
			 (void *)FL_GRANULE(addr), NULL, (size_t)8);

	if (r != 0 && errno == EINVAL)
		return 0;
	if (r != 0 && errno == EFAULT)
		return -1;
	return 1;
}

int fl_mem_probe_vm_read(uintptr_t addr, long pid)
{
	unsigned char byte;
	struct iovec local = {&byte, 1};
	struct iovec remote = {(void *)FL_GRANULE(addr), 1};
	long n;

	/* A thread id names its process here as well as the pid does. */
	n = syscall(SYS_process_vm_readv, pid != 0 ? pid : (long)getpid(),
		    &local, 1UL, &remote, 1UL, 0UL);
	if (n == 1)
		return 0;
	if (n == 0 || errno == EFAULT)
		return -1;
	return 1;
}

/* The last page: kernel memory on every 64-bit Linux, never readable. */
#define FL_NEVER_READABLE ((uintptr_t)0 - 4096)

static int choose_probe(long pid)
{
	/* A stack word: its page is mapped and touched already (a .bss
	 * word's page might cost the kernel a page fault to read). */
	volatile uintptr_t word = 0;
	uintptr_t here = (uintptr_t)&word;
	int m = FL_PROBE_NONE;

	if (fl_mem_probe_sigmask(here) == 0 &&
	    fl_mem_probe_sigmask(FL_NEVER_READABLE) == -1)
		m = FL_PROBE_SIGMASK;
	else if (fl_mem_probe_vm_read(here, pid) == 0 &&
		 fl_mem_probe_vm_read(FL_NEVER_READABLE, pid) == -1)
		m = FL_PROBE_VM_READ;
	/* Two threads may both choose: they choose alike. */
	__atomic_store_n(&probe_method, m, __ATOMIC_RELAXED);
	return m;
}

/* 0 when the granule holding addr is readable, else -1. */
static int probe(uintptr_t addr, long pid)
{
	int m = __atomic_load_n(&probe_method, __ATOMIC_RELAXED);

	if (m == FL_PROBE_UNKNOWN)
		m = choose_probe(pid);
	if (m == FL_PROBE_SIGMASK)
		return fl_mem_probe_sigmask(addr) == 0 ? 0 : -1;
	if (m == FL_PROBE_VM_READ)
		return fl_mem_probe_vm_read(addr, pid) == 0 ? 0 : -1;
	return -1; /* no way to ask: read nothing rather than fault */
}

/* ------------------------------------------------------------------------
 * Views
 *
 * Granules known readable, direct-mapped.  4 KiB is the smallest page
 * size of both architectures, so a granule never spans two protections.
 * A slot holds (granule index + 1) tagged with the view's generation in
 * its top bits: fl_mem_view_begin bumps the generation instead of
 * clearing the table, so that a crash touches only the slots it uses.  A
 * granule index too large to leave room for the tag (a tagged or kernel
 * address) is never cached: it is probed on every read.
 * ---------------------------------------------------------------------- */

#define FL_GEN_BITS 12
#define FL_GEN_SHIFT (sizeof(uintptr_t) * 8 - FL_GEN_BITS)
#define FL_GEN_MAX (((uintptr_t)1 << FL_GEN_BITS) - 1)

void fl_mem_view_begin(struct fl_mem_view *v, long pid)
{
	if (++v->generation >= FL_GEN_MAX) {
		/* Once in 4095 uses: the old tags come round again. */
		fl_memset(v->readable, 0, sizeof(v->readable));
		v->generation = 0;
	}
	v->near_lo = v->near_len = 0;
	v->far_lo = v->far_len = 0;
	v->ntrusted = 0;
	v->pid = pid;
}

void fl_mem_view_trust(struct fl_mem_view *v, uintptr_t lo, uintptr_t hi)
{
	if (lo == 0 || hi <= lo || v->ntrusted == FL_MEM_TRUSTED_MAX)
		return;
	v->trusted[v->ntrusted].lo = lo;
	v->trusted[v->ntrusted].hi = hi;
	v->ntrusted++;
}

int fl_mem_view_trusts(const struct fl_mem_view *v, uintptr_t lo, uintptr_t hi)
{
	unsigned i;

	for (i = 0; i < v->ntrusted; i++)
		if (lo >= v->trusted[i].lo && hi <= v->trusted[i].hi &&
		    lo <= hi)
			return 1;
	return 0;
}

static uintptr_t granule_key(const struct fl_mem_view *v, uintptr_t g)
{
	if (g + 1 > ((uintptr_t)1 << FL_GEN_SHIFT) - 1)
		return 0;
	return (g + 1) | ((v->generation + 1) << FL_GEN_SHIFT);
}

static int granule_ok(struct fl_mem_view *v, uintptr_t g)
{
	uintptr_t *slot = &v->readable[g % FL_MEM_SLOTS];
	uintptr_t key = granule_key(v, g);

	if (key != 0 && *slot == key)
		return 1;
	if (probe(g << FL_GRANULE_SHIFT, v->pid) != 0)
		return 0;
	if (key != 0)
		*slot = key;
	return 1;
}

/* The range a read found readable becomes the near one (fl_mem_view_word's
 * fast path); the one it replaces is kept as the far one: the unwinder
 * alternates between the stack and a module's tables. */
static void set_near(struct fl_mem_view *v, uintptr_t lo, uintptr_t len)
{
	if (lo != v->near_lo) {
		v->far_lo = v->near_lo;
		v->far_len = v->near_len;
	}
	v->near_lo = lo;
	v->near_len = len;
}

static int in_range(uintptr_t src, size_t len, uintptr_t lo, uintptr_t n)
{
	uintptr_t off = src - lo;

	return off < n && len <= n - off;
}

/* [src, src + len) is readable: within a trusted range, or in granules
 * known or probed readable.  Remembers the range it found for the next
 * read. */
static int check(struct fl_mem_view *v, uintptr_t src, size_t len)
{
	uintptr_t g, last, end = src + len;
	unsigned i;

	for (i = 0; i < v->ntrusted; i++)
		if (src >= v->trusted[i].lo && end <= v->trusted[i].hi) {
			set_near(v, v->trusted[i].lo,
				 v->trusted[i].hi - v->trusted[i].lo);
			return 0;
		}
	g = src >> FL_GRANULE_SHIFT;
	last = (end - 1) >> FL_GRANULE_SHIFT;
	for (; g <= last; g++)
		if (!granule_ok(v, g))
			return -1;
	set_near(v, last << FL_GRANULE_SHIFT, (uintptr_t)1 << FL_GRANULE_SHIFT);
	return 0;
}

int fl_mem_view_read(struct fl_mem_view *v, void *dst, uintptr_t src,
		     size_t len)
{
	if (len == 0)
		return 0;
	if (src == 0 || src + len < src)
		return -1;
	if (!in_range(src, len, v->near_lo, v->near_len)) {
		if (in_range(src, len, v->far_lo, v->far_len))
			set_near(v, v->far_lo, v->far_len); /* a swap */
		else if (check(v, src, len) != 0)
			return -1;
	}
	/* The unwinder's word reads: a fixed-size copy the compiler makes a
	 * single load and store (no call to libc's memcpy). */
	if (len == sizeof(uintptr_t))
		__builtin_memcpy(dst, (const void *)src, sizeof(uintptr_t));
	else
		fl_memcpy(dst, (const void *)src, len);
	return 0;
}

/* ------------------------------------------------------------------------
 * The crash report's view, and copies without a view
 * ---------------------------------------------------------------------- */

/* Page-aligned: the scalars and the first slots share one page. */
static _Alignas(4096) struct fl_mem_view crash_view;

FL_STARTUP_TEXT struct fl_mem_view *fl_mem_crash_view(void)
{
	return &crash_view;
}

int fl_mem_read(void *dst, uintptr_t src, size_t len)
{
	return fl_mem_view_read(&crash_view, dst, src, len);
}

void fl_mem_forget(void)
{
	fl_mem_view_begin(&crash_view, 0);
}

int fl_safe_read(void *dst, uintptr_t src, size_t len)
{
	uintptr_t g, last;

	if (len == 0)
		return 0;
	if (src == 0 || src + len < src)
		return -1;
	last = (src + len - 1) >> FL_GRANULE_SHIFT;
	for (g = src >> FL_GRANULE_SHIFT; g <= last; g++)
		if (probe(g << FL_GRANULE_SHIFT, 0) != 0)
			return -1;
	fl_memcpy(dst, (const void *)src, len);
	return 0;
}
