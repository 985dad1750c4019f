/*
 * memory.c - reading our own memory that may not be mapped, without
 * faulting: fl_safe_read probes with a syscall, fl_mem_read remembers per
 * crash which 4 KiB granules were readable, so that the unwinder and the
 * ELF reader pay one probe per granule, then read directly.
 *
 * Everything here may run inside the crash handler.  The granule memory
 * makes fl_mem_read non-reentrant: the core lets one crashing thread in
 * (and recoveries take the unwinder's lock).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "posix/posix.h"
#include "str.h"

/* Granules known readable (fl_mem_read), direct-mapped. */
#define FL_GRANULE_SHIFT 12
#define FL_GRANULE_SLOTS 512

/* Page-aligned, the scalars first: a crash touches the first page of it
 * (and the second only for the last few slots). */
static _Alignas(4096) struct {
	/* Our pid for process_vm_readv, taken once per crash by
	 * fl_mem_forget (getpid is a syscall; a stale pid after fork would
	 * read the parent). */
	long self_pid;
	int vm_read_broken;   /* process_vm_readv refused once */
	uintptr_t generation; /* of the crash, - 1 (fl_mem_forget) */
	/* The granule of the latest successful read (index + 1; 0 none):
	 * the unwinder reads a few words at a time from the same stack or
	 * table page, and this saves the slot lookup for those. */
	uintptr_t last_granule;
	uintptr_t readable[FL_GRANULE_SLOTS];
} mem;

/*
 * Why process_vm_readv: it copies from our own address space through the
 * kernel, so an unmapped or PROT_NONE source yields EFAULT instead of a
 * SIGSEGV inside the handler, in one syscall, with no state to set up.
 * (mincore cannot tell PROT_NONE pages from readable ones; catching a
 * nested SIGSEGV with sigsetjmp would need a second handler.)  Seccomp
 * filters (containers) and some emulators refuse it: then the bytes go
 * through a pipe, whose write() also fails with EFAULT on a bad source.
 */
static int vm_read(void *dst, uintptr_t src, size_t len)
{
	struct iovec local = {dst, len};
	struct iovec remote = {(void *)src, len};
	long pid = mem.self_pid != 0 ? mem.self_pid : (long)getpid();
	long n = syscall(SYS_process_vm_readv, pid, &local, 1UL, &remote, 1UL,
			 0UL);

	if (n == (long)len)
		return 0;
	if (n >= 0 || errno == EFAULT)
		return -1; /* partly or not mapped */
	return 1;	   /* not usable here: try the pipe */
}

static int probe_pipe[2] = {-1, -1};

/* The probe pipe is made on first use (pipe2 is a syscall); a thread that
 * loses the race closes its own pair. */
static int probe_pipe_get(int fds[2])
{
	int mine[2];
	int expected = -1;

	if (__atomic_load_n(&probe_pipe[1], __ATOMIC_ACQUIRE) < 0) {
		if (pipe2(mine, O_CLOEXEC | O_NONBLOCK) != 0)
			return -1;
		__atomic_store_n(&probe_pipe[0], mine[0], __ATOMIC_RELAXED);
		if (!__atomic_compare_exchange_n(&probe_pipe[1], &expected,
						 mine[1], 0, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE)) {
			close(mine[0]);
			close(mine[1]);
		}
	}
	fds[0] = __atomic_load_n(&probe_pipe[0], __ATOMIC_ACQUIRE);
	fds[1] = __atomic_load_n(&probe_pipe[1], __ATOMIC_ACQUIRE);
	return 0;
}

int fl_safe_read_pipe(void *dst, uintptr_t src, size_t len)
{
	int fds[2];
	char *out = dst;

	if (probe_pipe_get(fds) != 0)
		return -1;
	while (len > 0) {
		size_t chunk = len > 4096 ? 4096 : len;
		ssize_t w = write(fds[1], (const void *)src, chunk);

		if (w <= 0)
			return -1; /* EFAULT: not readable */
		if (read(fds[0], out, (size_t)w) != w)
			return -1;
		out += w;
		src += (uintptr_t)w;
		len -= (size_t)w;
	}
	return 0;
}

int fl_safe_read(void *dst, uintptr_t src, size_t len)
{
	int r;

	if (len == 0)
		return 0;
	if (src == 0 || src + len < src)
		return -1;
	if (!mem.vm_read_broken) {
		r = vm_read(dst, src, len);
		if (r <= 0)
			return r;
		mem.vm_read_broken = 1;
	}
	return fl_safe_read_pipe(dst, src, len);
}

/* Granules known readable, direct-mapped.  4 KiB is the smallest page
 * size of both architectures, so a granule never spans two protections.
 *
 * A slot holds (granule index + 1) tagged with the crash's generation in
 * its top bits: fl_mem_forget starts a new crash by bumping the
 * generation instead of clearing the 4 KiB table (a memset would touch
 * all of its pages; this way only the slots a crash uses are touched).
 * A granule index too large to leave room for the tag (a tagged or
 * kernel address) is never cached: it is probed on every read. */
#define FL_GEN_BITS 12
#define FL_GEN_SHIFT (sizeof(uintptr_t) * 8 - FL_GEN_BITS)
#define FL_GEN_MAX (((uintptr_t)1 << FL_GEN_BITS) - 1)

void fl_mem_forget(void)
{
	if (++mem.generation >= FL_GEN_MAX) {
		/* Once in 4095 crashes: the old tags come round again. */
		fl_memset(mem.readable, 0, sizeof(mem.readable));
		mem.generation = 0;
	}
	mem.last_granule = 0;
	mem.self_pid = (long)getpid();
}

static uintptr_t granule_key(uintptr_t g)
{
	if (g + 1 > ((uintptr_t)1 << FL_GEN_SHIFT) - 1)
		return 0;
	return (g + 1) | ((mem.generation + 1) << FL_GEN_SHIFT);
}

static int granule_ok(uintptr_t g)
{
	uintptr_t *slot = &mem.readable[g % FL_GRANULE_SLOTS];
	uintptr_t key = granule_key(g);
	unsigned char probe;

	if (key != 0 && *slot == key)
		return 1;
	if (fl_safe_read(&probe, g << FL_GRANULE_SHIFT, 1) != 0)
		return 0;
	if (key != 0)
		*slot = key;
	return 1;
}

/* The slow path of fl_mem_read, out of line so that the fast path is a
 * leaf without the slow path's register saves (the unwinder calls it
 * thousands of times per crash). */
static __attribute__((noinline)) int mem_check(uintptr_t g, uintptr_t last)
{
	for (; g <= last; g++)
		if (!granule_ok(g))
			return -1;
	mem.last_granule = last + 1;
	return 0;
}

int fl_mem_read(void *dst, uintptr_t src, size_t len)
{
	uintptr_t g, last;

	if (len == 0)
		return 0;
	if (src == 0 || src + len < src)
		return -1;
	g = src >> FL_GRANULE_SHIFT;
	last = (src + len - 1) >> FL_GRANULE_SHIFT;
	if ((g != last || g + 1 != mem.last_granule) && mem_check(g, last) != 0)
		return -1;
	/* The unwinder's word reads: a fixed-size copy the compiler makes a
	 * single load and store (no call to libc's memcpy). */
	if (len == sizeof(uintptr_t))
		__builtin_memcpy(dst, (const void *)src, sizeof(uintptr_t));
	else
		fl_memcpy(dst, (const void *)src, len);
	return 0;
}
