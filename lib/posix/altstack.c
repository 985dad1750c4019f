/*
 * altstack.c - an alternate signal stack for every thread.
 *
 * A stack overflow leaves no stack to run a handler on, so each thread
 * needs its own sigaltstack.  The kernel gives new threads none, hence we
 * interpose pthread_create (as Crashpad does) and set one up as the new
 * thread starts.  A stack someone else installed is always kept.
 *
 * Each stack is an mmap with a PROT_NONE guard page below it: a handler
 * that overflows its alternate stack dies at the guard instead of
 * scribbling over whatever lies below.
 */
#include "posix.h"
#include "platform.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's own floor for sigaltstack (its MINSIGSTKSZ; glibc's
 * macro may be a sysconf call): below it the kernel says ENOMEM. */
#ifdef __aarch64__
#define MINSIGSTKSZ_KERNEL 5120
#else
#define MINSIGSTKSZ_KERNEL 2048
#endif

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

/* The handler's own needs (libunwind cursor, ELF reading, the sink's
 * buffer) measured well under 32 KiB; 64 KiB leaves room for chained
 * handlers that run on the same stack. */
#define FL_ALTSTACK_MIN (64 * 1024)

/* How far below the stack an overflow's stack pointer may be. */
#define FL_OVERFLOW_NEAR ((uintptr_t)64 * 1024)

FL_STARTUP_DATA static size_t stack_size; /* usable bytes, page multiple */
FL_STARTUP_DATA static size_t page_size;
FL_STARTUP_DATA static volatile int altstack_enabled;

/* Per-thread record, in static TLS so that the handler can read it
 * without __tls_get_addr (which may allocate on first use). */
struct thread_stack {
	void *map; /* our mapping (guard + stack), NULL if not ours */
	size_t map_len;
	uintptr_t stack_lo, stack_hi; /* the thread's normal stack */
	size_t guard;
};
static __thread struct thread_stack self
	__attribute__((tls_model("initial-exec")));

FL_STARTUP_DATA static pthread_key_t exit_key;
/* Made once, by the first install (installs are not concurrent; threads
 * init their stacks only once stack_size is set, after it): not
 * pthread_once, whose futex wake is a syscall of every start-up. */
FL_STARTUP_DATA static int exit_key_made;

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

FL_STARTUP_TEXT static size_t choose_size(size_t requested)
{
	size_t min = (size_t)getauxval(AT_MINSIGSTKSZ);
	size_t want = requested ? requested : FL_ALTSTACK_MIN;

#ifdef _SC_MINSIGSTKSZ
	/* A kernel that does not say (x86-64 before 5.14): glibc works it
	 * out from the CPU's register state.  Only then: sysconf's code is
	 * a page of libc start-up would fault in for it alone (glibc's
	 * MINSIGSTKSZ macro is that call, too). */
	if (!min)
		min = (size_t)sysconf(_SC_MINSIGSTKSZ);
#endif
	/* AT_MINSIGSTKSZ covers the kernel's signal frame only (large with
	 * AVX-512 or SVE); our handler's frames come on top of it. */
	if (want < min * 4)
		want = min * 4;
	if (want < (size_t)MINSIGSTKSZ_KERNEL * 4)
		want = (size_t)MINSIGSTKSZ_KERNEL * 4;
	return round_up(want, page_size);
}

/* A stack no signal can be delivered on: the kernel takes anything from
 * MINSIGSTKSZ (2 KiB on x86-64), but with AVX-512 a signal frame needs
 * AT_MINSIGSTKSZ (about 3.4 KiB); delivering on a smaller one fails and
 * the kernel kills the process by SIGSEGV, with no report.  Such a stack
 * is of use to nobody, so ours replaces it instead of being kept. */
FL_STARTUP_TEXT static int too_small(const stack_t *ss)
{
	return ss->ss_size < (size_t)getauxval(AT_MINSIGSTKSZ);
}

static void release_stack(void *unused)
{
	stack_t ss;

	(void)unused;
	if (!self.map)
		return;
	/* Only switch it off while it is still the one in use. */
	if (sigaltstack(NULL, &ss) == 0 &&
	    ss.ss_sp == (char *)self.map + page_size &&
	    !(ss.ss_flags & SS_ONSTACK)) {
		ss.ss_flags = SS_DISABLE;
		sigaltstack(&ss, NULL);
	}
	munmap(self.map, self.map_len);
	self.map = NULL;
}

FL_STARTUP_TEXT static void make_exit_key(void)
{
	if (pthread_key_create(&exit_key, release_stack) != 0)
		exit_key = (pthread_key_t)-1;
}

/* Record the thread's normal stack, for telling overflows from other
 * faults.  pthread_getattr_np may allocate: never call it in a handler. */
static void note_thread_stack(void)
{
	pthread_attr_t attr;
	void *addr;
	size_t size, guard = 0;

	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		return;
	if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
		self.stack_lo = (uintptr_t)addr;
		self.stack_hi = (uintptr_t)addr + size;
	}
	pthread_attr_getguardsize(&attr, &guard);
	self.guard = guard;
	pthread_attr_destroy(&attr);
}

FL_STARTUP_TEXT int fl_altstack_thread_init(void)
{
	stack_t old, ss;
	void *map;
	size_t len;

	if (!stack_size)
		return 0;
	if (sigaltstack(NULL, &old) != 0)
		return -1;
	if (!(old.ss_flags & SS_DISABLE) && !too_small(&old))
		return 0; /* somebody's stack (maybe ours): keep it */
	len = stack_size + page_size;
	map = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		return -1;
	if (mprotect(map, page_size, PROT_NONE) != 0) {
		munmap(map, len);
		return -1;
	}
	ss.ss_sp = (char *)map + page_size;
	ss.ss_size = stack_size;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL) != 0) {
		int err = errno;
		munmap(map, len);
		errno = err;
		return -1;
	}
	self.map = map;
	self.map_len = len;
	if (exit_key_made && exit_key != (pthread_key_t)-1)
		pthread_setspecific(exit_key, map);
	return 0;
}

void fl_altstack_note_thread_stack(void)
{
	if (!self.stack_lo)
		note_thread_stack();
}

int fl_altstack_on_thread_stack(uintptr_t sp)
{
	return sp >= self.stack_lo && sp < self.stack_hi;
}

void fl_altstack_trust_thread_stack(struct fl_mem_view *v, uintptr_t sp)
{
	/* From the page above sp (after an overflow sp itself may be in the
	 * guard) to the top: mapped, and this thread's own.  Without this
	 * the walk of an 8 MiB overflow probes each of its 2,048 pages with a
	 * system call. */
	uintptr_t lo = (sp | 4095) + 1;

	/* After an overflow sp may lie just below the recorded stack (in the
	 * main thread's guard gap): the walk starts there all the same. */
	if (!self.stack_lo || sp >= self.stack_hi ||
	    sp + FL_OVERFLOW_NEAR < self.stack_lo)
		return;
	if (lo < self.stack_lo)
		lo = self.stack_lo;
	if (lo < self.stack_hi)
		fl_mem_view_trust(v, lo, self.stack_hi);
}

FL_STARTUP_TEXT int fl_altstack_install(size_t size)
{
	page_size = fl_page_size();
	if (!exit_key_made) {
		make_exit_key();
		exit_key_made = 1;
	}
	stack_size = choose_size(size);
	altstack_enabled = 1;
	return fl_altstack_thread_init();
}

int fl_altstack_is_overflow(uintptr_t addr, uintptr_t sp)
{
	/* A push, call or stack probe faults within a few pages of the stack
	 * pointer; a frame larger than that moved sp into the guard first.
	 * Either way the address sits next to sp, where no heap lives. */
	const uintptr_t near = FL_OVERFLOW_NEAR;

	if (self.stack_lo && self.guard && addr < self.stack_lo &&
	    addr + self.guard + page_size >= self.stack_lo)
		return 1;
	if (addr == 0)
		return 0;
	return addr + near >= sp && addr <= sp + page_size;
}

/* --- sigaltstack interposition ----------------------------------------- */

/* A program that sets a stack too small for any signal frame after we
 * are installed (too_small) gets ours instead: every signal on this
 * thread would otherwise end in SIGSEGV.  Everything else goes to the
 * kernel as asked.  The raw syscall: glibc's wrapper is nothing more. */
FL_STARTUP_TEXT __attribute__((visibility("default"))) int
sigaltstack(const stack_t *ss, stack_t *old)
{
	stack_t cur, off = {.ss_flags = SS_DISABLE};

	if (!ss || !altstack_enabled || (ss->ss_flags & SS_DISABLE) ||
	    !too_small(ss) || ss->ss_size < MINSIGSTKSZ_KERNEL)
		return (int)syscall(SYS_sigaltstack, ss, old);
	if (syscall(SYS_sigaltstack, NULL, &cur) != 0)
		return -1;
	if (cur.ss_flags & SS_ONSTACK) /* the kernel's EPERM */
		return (int)syscall(SYS_sigaltstack, ss, old);
	if (old)
		*old = cur;
	if (self.map && cur.ss_sp == (char *)self.map + page_size)
		return 0; /* ours is in place: it stays */
	syscall(SYS_sigaltstack, &off, NULL);
	if (fl_altstack_thread_init() != 0)
		return (int)syscall(SYS_sigaltstack, ss, NULL);
	return 0;
}

/* --- pthread_create interposition --------------------------------------- */

typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *,
				 void *(*)(void *), void *);

struct start_args {
	void *(*fn)(void *);
	void *arg;
};

static void *start_with_altstack(void *p)
{
	struct start_args a = *(struct start_args *)p;

	free(p);
	/* Not for the main thread: there pthread_getattr_np parses
	 * /proc/self/maps, too slow for start-up; sp tells overflows there. */
	note_thread_stack();
	fl_altstack_thread_init();
	/* A tail call, so that this frame is gone from the thread's
	 * backtraces (a report shows the program's frames only).  gcc makes
	 * it one by itself; clang does not once note_thread_stack's locals
	 * are inlined here, unless told. */
#if defined(__clang__) && defined(__has_attribute)
#if __has_attribute(musttail)
	__attribute__((musttail))
#endif
#endif
	return a.fn(a.arg);
}

static pthread_create_fn real_pthread_create(void)
{
	static pthread_create_fn real;
	pthread_create_fn fn = __atomic_load_n(&real, __ATOMIC_ACQUIRE);

	if (!fn) {
		fn = (pthread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
		__atomic_store_n(&real, fn, __ATOMIC_RELEASE);
	}
	return fn;
}

__attribute__((visibility("default"))) int
pthread_create(pthread_t *thread, const pthread_attr_t *attr,
	       void *(*fn)(void *), void *arg)
{
	pthread_create_fn real = real_pthread_create();
	struct start_args *a;
	int rc;

	if (!real)
		return EAGAIN;
	if (!altstack_enabled || !(a = malloc(sizeof(*a))))
		return real(thread, attr, fn, arg);
	a->fn = fn;
	a->arg = arg;
	rc = real(thread, attr, start_with_altstack, a);
	if (rc != 0)
		free(a);
	return rc;
}

/* The rest of this thread's alternate stack below sp, as deep as a crash
 * report goes (two or three pages; measured with perf trace -F min),
 * never the guard page: making that present would fail. */
#define FL_REPORT_STACK (16 * 1024)

size_t fl_altstack_report_stack(uintptr_t sp, struct fl_span *out)
{
	uintptr_t stack_lo = (uintptr_t)self.map + page_size;
	uintptr_t deep;

	if (!self.map || sp <= stack_lo || sp > stack_lo + stack_size)
		return 0;
	deep = sp - stack_lo > FL_REPORT_STACK ? sp - FL_REPORT_STACK
					       : stack_lo;
	out->start = (const void *)deep;
	out->len = sp - deep;
	return 1;
}
