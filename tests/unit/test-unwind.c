/*
 * test-unwind.c - the backtrace of a crash, taken from the signal's
 * context by fl_unwind_context: the right frames, no malloc, no loader
 * lock, bounded on deep recursion, sane on bad pcs and stacks.
 */
#include <check.h>
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "crash-helper.h"
#include "no-malloc.h"
#include "unit.h"
#include "platform.h"

/* ------------------------------------------------------------------------
 * Known call chains.  Global, noinline, and with work after each call so
 * that neither tail calls nor clones rename or drop a frame.
 * ---------------------------------------------------------------------- */

int fl_test_crash_leaf(void);
int fl_test_recurse(int n);
void fl_test_outer(void);
void fl_test_call_null(void);

int *volatile fl_test_null;
volatile int fl_test_depth;
volatile int fl_test_sink;

__attribute__((noinline)) int fl_test_crash_leaf(void)
{
	*fl_test_null = 1;
	return fl_test_sink;
}

__attribute__((noinline)) int fl_test_recurse(int n)
{
	int r = n > 0 ? fl_test_recurse(n - 1) : fl_test_crash_leaf();

	__asm__ volatile("" ::: "memory");
	return r + 1;
}

__attribute__((noinline)) void fl_test_outer(void)
{
	fl_test_sink = fl_test_recurse(fl_test_depth);
	__asm__ volatile("" ::: "memory");
}

void (*volatile fl_test_null_fn)(void);

__attribute__((noinline)) void fl_test_call_null(void)
{
	fl_test_null_fn();
	__asm__ volatile("" ::: "memory");
	fl_test_sink++;
}

static struct fl_test_crash crash;

static void setup(void)
{
	ck_assert_int_eq(fl_unwind_prepare(), 0);
	memset(&crash, 0, sizeof(crash));
}

/* Frames 0..depth+2 of a crash at fl_test_depth = depth. */
static void check_chain(const struct fl_test_crash *c, int depth)
{
	int i;

	ck_assert_uint_ge(c->snap.fault.frame_count, (size_t)depth + 3);
	ck_assert_str_eq(fl_test_sym(c, 0), "fl_test_crash_leaf");
	for (i = 1; i <= depth + 1; i++)
		ck_assert_msg(strcmp(fl_test_sym(c, i), "fl_test_recurse") == 0,
			      "frame %d is '%s'", i, fl_test_sym(c, i));
	ck_assert_str_eq(fl_test_sym(c, depth + 2), "fl_test_outer");
}

/* Crash depth frames deep with *flag set while the handler works (the
 * interposers below watch it), and check the chain. */
static atomic_int *fl_test_flag;

static void capture_flagged(const ucontext_t *uc, void *data)
{
	atomic_store(fl_test_flag, 1);
	fl_test_capture(uc, data);
	atomic_store(fl_test_flag, 0);
}

static void crash_chain_flagged(int depth, atomic_int *flag)
{
	fl_test_flag = flag;
	fl_test_depth = depth;
	ck_assert_int_eq(
		fl_test_run_crash(fl_test_outer, capture_flagged, &crash),
		SIGSEGV);
	check_chain(&crash, depth);
}

START_TEST(frames_of_a_known_chain)
{
	fl_test_depth = 5;
	ck_assert_int_eq(
		fl_test_run_crash(fl_test_outer, fl_test_capture, &crash),
		SIGSEGV);
	check_chain(&crash, 5);
	/* frame 0 is the faulting pc itself, not a return address */
	ck_assert_uint_eq(crash.snap.fault.frames_omitted, 0);
	ck_assert_int_ge(crash.snap.frame_info[0].module, 0);
	ck_assert_uint_gt(crash.snap.frame_info[0].symbol_offset, 0);
	/* ... and the walk goes on past the test into Check and libc */
	ck_assert_uint_gt(crash.snap.fault.frame_count, 5 + 4);
	ck_assert_uint_le(crash.snap.fault.frame_count, 5 + 40);
}
END_TEST

/* A call through NULL: pc 0 has no unwind info; the caller is found from
 * the return address the call left (stack top / link register). */
START_TEST(call_through_null_keeps_the_caller)
{
	ck_assert_int_eq(
		fl_test_run_crash(fl_test_call_null, fl_test_capture, &crash),
		SIGSEGV);
	ck_assert_uint_ge(crash.snap.fault.frame_count, 3);
	ck_assert_uint_eq(crash.snap.fault.frames[0], 0);
	ck_assert_str_eq(fl_test_sym(&crash, 1), "fl_test_call_null");
}
END_TEST

/* A fault on a function's first instruction: frame 0 must be looked up
 * at the pc itself.  pc - 1 is the end of the function before it, whose
 * CFI there (a push) would find a wrong caller, and whose name is
 * another. */
int fl_test_fault_first(int *p);
#if defined(__x86_64__)
#define FL_LOAD_FIRST "movl (%rdi), %eax\nret\n"
#define FL_BEFORE_FIRST "push %rbx\n.cfi_def_cfa_offset 16\nud2\n"
#else
#define FL_LOAD_FIRST "ldr w0, [x0]\nret\n"
#define FL_BEFORE_FIRST "sub sp, sp, #16\n.cfi_def_cfa_offset 16\nbrk #0\n"
#endif
__asm__(".text\n"
	".globl fl_test_before_first\n"
	".type fl_test_before_first,%function\n"
	"fl_test_before_first:\n"
	".cfi_startproc\n" FL_BEFORE_FIRST ".cfi_endproc\n"
	".size fl_test_before_first, .-fl_test_before_first\n"
	".globl fl_test_fault_first\n"
	".type fl_test_fault_first,%function\n"
	"fl_test_fault_first:\n"
	".cfi_startproc\n" FL_LOAD_FIRST ".cfi_endproc\n"
	".size fl_test_fault_first, .-fl_test_fault_first\n");

void fl_test_call_first(void);
__attribute__((noinline)) void fl_test_call_first(void)
{
	fl_test_sink = fl_test_fault_first(fl_test_null);
	__asm__ volatile("" ::: "memory");
}

START_TEST(fault_on_first_instruction)
{
	ck_assert_int_eq(
		fl_test_run_crash(fl_test_call_first, fl_test_capture, &crash),
		SIGSEGV);
	ck_assert_uint_eq(crash.snap.fault.frames[0],
			  (uintptr_t)fl_test_fault_first);
	ck_assert_str_eq(fl_test_sym(&crash, 0), "fl_test_fault_first");
	ck_assert_uint_eq(crash.snap.frame_info[0].symbol_offset, 0);
	ck_assert_str_eq(fl_test_sym(&crash, 1), "fl_test_call_first");
}
END_TEST

/* ------------------------------------------------------------------------
 * No malloc in the fatal path: malloc is interposed and aborts while the
 * handler works.
 * ---------------------------------------------------------------------- */

START_TEST(no_malloc_while_unwinding)
{
	crash_chain_flagged(20, &fl_test_no_malloc);
}
END_TEST

/* The interposer itself must trip, or the test above proves nothing. */
static void capture_and_malloc(const ucontext_t *uc, void *data)
{
	atomic_store(&fl_test_no_malloc, 1);
	free(malloc(16));
}

START_TEST(malloc_interposer_trips)
{
	fl_test_run_crash(fl_test_outer, capture_and_malloc, &crash);
}
END_TEST

/* ------------------------------------------------------------------------
 * No loader lock: another thread parks inside a dl_iterate_phdr callback
 * (holding the loader's lock) while this one crashes and unwinds.
 * ---------------------------------------------------------------------- */

static atomic_int fl_test_parked, fl_test_release, fl_test_count_dlip;
static atomic_long fl_test_dlip_calls;
typedef int (*fl_dlip_fn)(int (*)(struct dl_phdr_info *, size_t, void *),
			  void *);

/* Counts calls made while the handler works (libunwind's local
 * unwinder would make them); the real one does the work. */
int dl_iterate_phdr(int (*cb)(struct dl_phdr_info *, size_t, void *),
		    void *data)
{
	static fl_dlip_fn real;

	if (atomic_load(&fl_test_count_dlip))
		atomic_fetch_add(&fl_test_dlip_calls, 1);
	if (real == NULL)
		real = (fl_dlip_fn)dlsym(RTLD_NEXT, "dl_iterate_phdr");
	return real(cb, data);
}

static int park_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	atomic_store(&fl_test_parked, 1);
	while (!atomic_load(&fl_test_release))
		usleep(1000);
	return 1;
}

static void *park_thread(void *arg)
{
	dl_iterate_phdr(park_cb, NULL);
	return NULL;
}

START_TEST(unwinds_while_loader_lock_is_held)
{
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, park_thread, NULL), 0);
	while (!atomic_load(&fl_test_parked))
		usleep(1000);
	alarm(20); /* a deadlock kills the test instead of hanging it */
	crash_chain_flagged(10, &fl_test_count_dlip);
	alarm(0);
	atomic_store(&fl_test_release, 1);
	pthread_join(t, NULL);
	ck_assert_int_eq(atomic_load(&fl_test_dlip_calls), 0);
}
END_TEST

/* ------------------------------------------------------------------------
 * One open per module per crash: the symbol cache resolves all frames of
 * a module in one pass although fl_snapshot_resolve asks frame by frame.
 * ---------------------------------------------------------------------- */

static atomic_int fl_test_count_open, fl_test_opens;

int open(const char *path, int flags, ...);
int open(const char *path, int flags, ...)
{
	va_list ap;
	int mode = 0;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);

	/* Files opened, not names tried: a stripped module's debug file is
	 * looked for under a few names (debugfile.c bounds them), most of
	 * which do not exist (aarch64's sysroot has no debug files). */
	if (fd >= 0 && atomic_load(&fl_test_count_open))
		atomic_fetch_add(&fl_test_opens, 1);
	return fd;
}

START_TEST(each_module_file_opened_once)
{
	crash_chain_flagged(64, &fl_test_count_open);
	/* this program, libc, Check at most: not one open per frame */
	ck_assert_int_gt(atomic_load(&fl_test_opens), 0);
	ck_assert_int_le(atomic_load(&fl_test_opens), 4);
	fprintf(stderr,
		"64-deep crash: unwind %.3f ms, modules+symbols "
		"%.3f ms\n",
		crash.unwind_ns / 1e6, crash.resolve_ns / 1e6);
}
END_TEST

/* ------------------------------------------------------------------------
 * Bad stacks: a context whose stack pointer is unmapped or points at
 * garbage yields what it can, without faulting, in bounded time.
 * ---------------------------------------------------------------------- */

static void unwind_with_sp(const ucontext_t *uc, uintptr_t sp)
{
	ucontext_t bad = *uc;

#if defined(__x86_64__)
	bad.uc_mcontext.gregs[REG_RSP] = (greg_t)sp;
	bad.uc_mcontext.gregs[REG_RBP] = (greg_t)sp;
#else
	bad.uc_mcontext.sp = sp;
	bad.uc_mcontext.regs[29] = sp;
#endif
	fl_unwind_context(&bad, &crash.snap.fault);
}

static void capture_bad_stacks(const ucontext_t *uc, void *data)
{
	static uintptr_t garbage[4096];
	long pg = sysconf(_SC_PAGESIZE);
	void *gone =
		mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	munmap(gone, pg);
	unwind_with_sp(uc, (uintptr_t)gone + 64);
	ck_assert_uint_ge(crash.snap.fault.frame_count, 1);
	ck_assert_uint_le(crash.snap.fault.frame_count, 3);
	/* a stack full of pointers into itself and into code */
	for (i = 0; i < 4096; i++)
		garbage[i] = i % 2 ? (uintptr_t)&garbage[i / 2]
				   : (uintptr_t)fl_test_recurse + 9;
	unwind_with_sp(uc, (uintptr_t)&garbage[16]);
	ck_assert_uint_ge(crash.snap.fault.frame_count, 1);
	unwind_with_sp(uc, 0);
	ck_assert_uint_ge(crash.snap.fault.frame_count, 1);
}

START_TEST(bad_stack_pointers)
{
	fl_test_depth = 1;
	ck_assert_int_eq(
		fl_test_run_crash(fl_test_outer, capture_bad_stacks, NULL),
		SIGSEGV);
}
END_TEST

/* ------------------------------------------------------------------------
 * Corrupt unwind data: code whose CFI computes the caller's frame below
 * its own (CFA from a callee-saved register restored from the stack) must
 * stop the walk at once; libunwind itself only stops on an unchanged pc
 * and CFA.
 * ---------------------------------------------------------------------- */

void fl_test_cfi_down(void);
extern const char fl_test_cfi_down_pc[];
#if defined(__x86_64__)
#define FL_CFI_DOWN_RULES                                                      \
	".cfi_def_cfa %rbx, 0\n.cfi_offset %rip, -8\n.cfi_offset %rbx, -16\n"
#define FL_CFI_DOWN_TRAP "ud2\n"
#else
#define FL_CFI_DOWN_RULES                                                      \
	".cfi_def_cfa x19, 0\n.cfi_offset x30, -8\n.cfi_offset x19, -16\n"
#define FL_CFI_DOWN_TRAP "brk #0\n"
#endif
__asm__(".text\n"
	".globl fl_test_cfi_down\n"
	"fl_test_cfi_down:\n"
	".cfi_startproc\n"
	"nop\n" FL_CFI_DOWN_RULES ".globl fl_test_cfi_down_pc\n"
	"fl_test_cfi_down_pc:\n"
	"nop\n"
	"nop\n" FL_CFI_DOWN_TRAP ".cfi_endproc\n");

#define DOWN_WORDS 4096

static void capture_cfi_down(const ucontext_t *uc, void *data)
{
	static uintptr_t b[DOWN_WORDS];
	uintptr_t pc = (uintptr_t)fl_test_cfi_down_pc;
	ucontext_t down = *uc;
	size_t k;

	/* frame k has its CFA at b[top - 4k]: the return address below it
	 * is the same code, the saved register points 32 bytes lower */
	for (k = 4; k + 4 < DOWN_WORDS; k += 4) {
		b[k - 1] = pc + 1;
		b[k - 2] = (uintptr_t)&b[k - 4];
	}
#if defined(__x86_64__)
	down.uc_mcontext.gregs[REG_RIP] = (greg_t)pc;
	down.uc_mcontext.gregs[REG_RSP] = (greg_t)&b[k - 4];
	down.uc_mcontext.gregs[REG_RBX] = (greg_t)&b[k - 4];
#else
	down.uc_mcontext.pc = pc;
	down.uc_mcontext.sp = (uintptr_t)&b[k - 4];
	down.uc_mcontext.regs[19] = (uintptr_t)&b[k - 4];
#endif
	fl_unwind_context(&down, &crash.snap.fault);
}

START_TEST(sp_going_down_stops_the_walk)
{
	fl_test_depth = 1;
	ck_assert_int_eq(
		fl_test_run_crash(fl_test_outer, capture_cfi_down, NULL),
		SIGSEGV);
	ck_assert_uint_eq(crash.snap.fault.frames[0],
			  (uintptr_t)fl_test_cfi_down_pc);
	/* the fault, its "caller" at the same sp, then the descent */
	ck_assert_uint_eq(crash.snap.fault.frames_omitted, 0);
	ck_assert_uint_le(crash.snap.fault.frame_count, 3);
}
END_TEST

/* ------------------------------------------------------------------------
 * Deep recursion: 100,000 frames, bounded and quick, head/tail kept
 * ---------------------------------------------------------------------- */

#define DEEP 100000

static void *deep_thread(void *arg)
{
	fl_test_depth = DEEP;
	fl_test_run_crash(fl_test_outer, fl_test_capture, arg);
	return NULL;
}

START_TEST(deep_recursion_is_bounded)
{
	pthread_attr_t a;
	pthread_t t;
	size_t i, seen;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 256u << 20);
	ck_assert_int_eq(pthread_create(&t, &a, deep_thread, &crash), 0);
	pthread_join(t, NULL);
	seen = crash.snap.fault.frame_count + crash.snap.fault.frames_omitted;
	ck_assert_uint_eq(crash.snap.fault.frame_count, FAULTLINE_MAX_FRAMES);
	ck_assert_str_eq(fl_test_sym(&crash, 0), "fl_test_crash_leaf");
	for (i = 1; i < FAULTLINE_FRAMES_HEAD; i++)
		ck_assert_str_eq(fl_test_sym(&crash, i), "fl_test_recurse");
	ck_assert_uint_le(seen, DEEP + 12);
	if (seen < DEEP && crash.unwind_ns >= 1900000000LL) {
		/* qemu-user, or a loaded machine with the system's libunwind,
		 * is too slow for 100,000 frames in the 2 s the unwinder
		 * allows itself: then the cap must have cut it */
		ck_assert_uint_ge(seen, 1000);
	} else {
		ck_assert_uint_ge(seen, DEEP + 3);
		/* the tail ends with the thread's own frames */
		for (i = FAULTLINE_FRAMES_HEAD; i < FAULTLINE_MAX_FRAMES; i++)
			if (strcmp(fl_test_sym(&crash, i), "deep_thread") == 0)
				break;
		ck_assert_uint_lt(i, FAULTLINE_MAX_FRAMES);
	}
	fprintf(stderr,
		"unwind of %zu frames: %.2f ms; modules+symbols: "
		"%.2f ms\n",
		seen, crash.unwind_ns / 1e6, crash.resolve_ns / 1e6);
	ck_assert_int_lt(crash.unwind_ns, 2500000000LL);
}
END_TEST

/* The report says when the step bound cut the walk, and only then. */
static int walk_cut;

static void capture_cut(const ucontext_t *uc, void *data)
{
	struct fl_test_crash *c = data;

	walk_cut = fl_unwind_context(uc, &c->snap.fault);
}

START_TEST(step_cap_is_reported)
{
	long saved = fl_unwind_max_steps;

	fl_test_depth = 1000;
	walk_cut = -1;
	ck_assert_int_eq(fl_test_run_crash(fl_test_outer, capture_cut, &crash),
			 SIGSEGV);
	ck_assert_int_eq(walk_cut, FL_WALK_DONE);
	fl_unwind_max_steps = 100;
	walk_cut = -1;
	ck_assert_int_eq(fl_test_run_crash(fl_test_outer, capture_cut, &crash),
			 SIGSEGV);
	fl_unwind_max_steps = saved;
	ck_assert_int_eq(walk_cut, FL_WALK_STEP_CAP);
	ck_assert_uint_le(crash.snap.fault.frame_count +
				  crash.snap.fault.frames_omitted,
			  102);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("unwind");
	TCase *tc = UNIT_CASE(
		suite, "unwind", 120, frames_of_a_known_chain,
		call_through_null_keeps_the_caller, fault_on_first_instruction,
		no_malloc_while_unwinding, unwinds_while_loader_lock_is_held,
		each_module_file_opened_once, bad_stack_pointers,
		sp_going_down_stops_the_walk, deep_recursion_is_bounded,
		step_cap_is_reported);

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test_raise_signal(tc, malloc_interposer_trips, SIGABRT);
	return unit_run(suite, CK_FORK_GETENV);
}
