/*
 * sigchain.c - preload mode keeps faultline armed under programs and
 * runtimes that own signals (Android's libsigchain is the model).
 *
 * Runtimes reset or take the fatal signals at start: node sets every
 * disposition to the default, HotSpot and V8 install handlers of their
 * own and chain to a handler that was there before them.  With the chain
 * on, the kernel keeps faultline's action for every signal faultline
 * handles, and the program's own calls are served here instead:
 *  - sigaction, signal, bsd_signal, ssignal, sysv_signal, __sysv_signal
 *    and sigset change or show the action the program set (signals.c's
 *    "previous" action), never the kernel's: the program sees exactly
 *    what it set;
 *  - sigprocmask and pthread_sigmask never block those of them a fault
 *    raises (the kernel would kill at once, unreported); the program
 *    sees its own mask, and a fault it blocked still ends the process
 *    by default (after the report), as it would without us;
 *  - when a signal comes, the program's handler runs first with the same
 *    siginfo and context under the mask it asked for; when it returns,
 *    the signal is dealt with (a fault it did not fix re-fires).  A
 *    default or ignoring action makes it faultline's crash.  A handler
 *    that restores the default and re-raises (CPython's faulthandler)
 *    is reported with the fault it was called for, saved here.
 * Signals faultline does not handle, and every call while the chain is
 * off (linked mode, unless FAULTLINE_CHAIN=1), go to the next definition
 * (the C library, or a sanitizer's interceptor) unchanged.  Programs
 * that make the system call themselves are out of reach.
 *
 * The interposing functions exist in the shared library only (PIC): a
 * static libfaultline.a must not replace the C library's sigaction in
 * the programs it is linked into.
 */
#include "platform.h"
#include "posix.h"
#include "str.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

FL_STARTUP_DATA static int preloaded;
FL_STARTUP_DATA static volatile int active;

/* The signals whose blocking would kill unreported: a fault raises them
 * whatever the mask (ABRT is left out: abort() unblocks it itself). */
#define FAULT_SIGNALS                                                          \
	(FAULTLINE_SIGNAL_BIT(SIGSEGV) | FAULTLINE_SIGNAL_BIT(SIGBUS) |        \
	 FAULTLINE_SIGNAL_BIT(SIGILL) | FAULTLINE_SIGNAL_BIT(SIGFPE) |         \
	 FAULTLINE_SIGNAL_BIT(SIGTRAP) | FAULTLINE_SIGNAL_BIT(SIGSYS))

/* The fault signals this thread's program code asked to block (bit sig,
 * as FAULTLINE_SIGNAL_BIT): the kernel never sees them blocked. */
static __thread uint64_t program_blocked
	__attribute__((tls_model("initial-exec")));

FL_STARTUP_TEXT void fl_chain_preloaded(void)
{
	preloaded = 1;
}

#ifdef PIC
static void look_up_handler_safe_calls(void);
#else
/* The static library interposes nothing (see below). */
static void look_up_handler_safe_calls(void)
{
}
#endif

FL_STARTUP_TEXT void fl_chain_start(int want)
{
	look_up_handler_safe_calls();
	__atomic_store_n(&active, want < 0 ? preloaded : want != 0,
			 __ATOMIC_RELEASE);
}

void fl_chain_stop(void)
{
	__atomic_store_n(&active, 0, __ATOMIC_RELEASE);
}

static uint64_t kernel_bit(int sig)
{
	return 1ULL << (sig - 1);
}

/* --- the fault a re-raising handler was called for ----------------------
 *
 * One record per thread that is inside a program's handler for a fault,
 * in a small table (a thread-local one would cost every thread a
 * ucontext of static TLS).  Held while the handler runs, and after it
 * when it left its signal pending; a full table only loses the original
 * fault of a re-raise. */

#define RECORDS 16

static struct record {
	long tid;     /* 0: free */
	int reusable; /* its handler returned: another thread may take it */
	int sig;
	siginfo_t si;
	ucontext_t uc;
} records[RECORDS];

size_t fl_chain_idle_memory(struct fl_span *out)
{
	out[0] = (struct fl_span){records, sizeof(records)};
	return 1;
}

static struct record *record_fault(long tid, int sig, const siginfo_t *si,
				   const ucontext_t *uc)
{
	struct record *r = NULL;

	for (int i = 0; i < RECORDS && !r; i++)
		if (__atomic_load_n(&records[i].tid, __ATOMIC_ACQUIRE) == tid)
			r = &records[i];
	for (int i = 0; i < RECORDS && !r; i++) {
		long expected = 0;
		if (__atomic_compare_exchange_n(&records[i].tid, &expected, tid,
						0, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			r = &records[i];
	}
	for (int i = 0; i < RECORDS && !r; i++) {
		int expected = 1;
		if (__atomic_compare_exchange_n(&records[i].reusable, &expected,
						0, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			r = &records[i];
			__atomic_store_n(&r->tid, tid, __ATOMIC_RELEASE);
		}
	}
	if (!r)
		return NULL;
	__atomic_store_n(&r->reusable, 0, __ATOMIC_RELEASE);
	r->sig = sig;
	fl_memcpy(&r->si, si, sizeof(r->si));
	fl_memcpy(&r->uc, uc, sizeof(r->uc));
	return r;
}

static int pending_here(int sig)
{
	uint64_t set = 0;

	/* rt_sigpending: this thread's pending signals and the process's. */
	if (syscall(SYS_rt_sigpending, &set, sizeof(set)) != 0)
		return 0;
	return (set & kernel_bit(sig)) != 0;
}

/* The handler returned.  The record stays this thread's until another
 * thread needs the slot: a re-raise it left pending comes at the
 * faulting instruction once we return (rt_sigpending does not show it
 * under qemu-user). */
static void release(struct record *r)
{
	if (r)
		__atomic_store_n(&r->reusable, 1, __ATOMIC_RELEASE);
}

static void pc_sp(const ucontext_t *uc, uint64_t *pc, uint64_t *sp)
{
	uint64_t regs[FL_ARCH_UNWIND_NREGS];

	fl_arch_unwind_regs(regs, uc);
	*pc = regs[FL_ARCH_UNWIND_PC];
	*sp = regs[FL_ARCH_UNWIND_SP];
}

/* A re-raise of the recorded fault interrupted the handler chain on the
 * alternate stack (raise inside the handler, SA_NODEFER), or the
 * faulting instruction itself (the signal was pending until the handler
 * returned). */
static int interrupted_the_handler(const struct record *r, const ucontext_t *uc)
{
	uint64_t pc, sp, fault_pc, fault_sp;
	stack_t ss;

	pc_sp(uc, &pc, &sp);
	pc_sp(&r->uc, &fault_pc, &fault_sp);
	if (pc == fault_pc && sp == fault_sp)
		return 1;
	if (sigaltstack(NULL, &ss) != 0 || (ss.ss_flags & SS_DISABLE))
		return 0;
	return sp >= (uint64_t)(uintptr_t)ss.ss_sp &&
	       sp < (uint64_t)(uintptr_t)ss.ss_sp + ss.ss_size;
}

int fl_chain_original_fault(int sig, const siginfo_t *si, const ucontext_t *uc,
			    long tid, const siginfo_t **osi,
			    const ucontext_t **ouc)
{
	if (!__atomic_load_n(&active, __ATOMIC_ACQUIRE) || si->si_code > 0 ||
	    si->si_pid != getpid())
		return 0;
	for (int i = 0; i < RECORDS; i++) {
		struct record *r = &records[i];
		if (__atomic_load_n(&r->tid, __ATOMIC_ACQUIRE) != tid ||
		    r->sig != sig || !interrupted_the_handler(r, uc))
			continue;
		*osi = &r->si;
		*ouc = &r->uc;
		return 1;
	}
	return 0;
}

/* --- the program's handler first ---------------------------------------- */

static uint64_t kernel_mask(const sigset_t *set)
{
	uint64_t m;

	memcpy(&m, set, sizeof(m)); /* glibc's layout: bit sig - 1 */
	return m;
}

/* The fault signals faultline handles, as the program's bits
 * (FAULTLINE_SIGNAL_BIT) and as the kernel's. */
static uint64_t ours(void)
{
	uint64_t set = 0;

	for (int sig = 1; sig < 32; sig++)
		if ((FAULT_SIGNALS & FAULTLINE_SIGNAL_BIT(sig)) &&
		    fl_signal_handled(sig))
			set |= FAULTLINE_SIGNAL_BIT(sig);
	return set;
}

static uint64_t kernel_fault_bits(void)
{
	uint64_t set = ours(), k = 0;

	for (int sig = 1; sig < 32; sig++)
		if (set & FAULTLINE_SIGNAL_BIT(sig))
			k |= kernel_bit(sig);
	return k;
}

static uint64_t fault_bits(uint64_t kmask)
{
	uint64_t set = ours(), bits = 0;

	for (int sig = 1; sig < 32; sig++)
		if ((set & FAULTLINE_SIGNAL_BIT(sig)) &&
		    (kmask & kernel_bit(sig)))
			bits |= FAULTLINE_SIGNAL_BIT(sig);
	return bits;
}

int fl_chain_program_first(int sig, siginfo_t *si, ucontext_t *uc, long tid)
{
	struct sigaction *program = fl_signal_program_action(sig);
	struct sigaction act;
	struct record *r = NULL;
	uint64_t mask, saved, blocked_before;
	int fault;

	if (!__atomic_load_n(&active, __ATOMIC_ACQUIRE))
		return 0;
	fl_memcpy(&act, program, sizeof(act));
	if (act.sa_handler == SIG_DFL || act.sa_handler == SIG_IGN)
		return 0;
	fault = fl_signal_is_hardware_fault(si);
	/* Blocked by the program: without us the kernel kills right away. */
	if (fault && (program_blocked & FAULTLINE_SIGNAL_BIT(sig)))
		return 0;
	if (act.sa_flags & SA_RESETHAND) {
		program->sa_handler = SIG_DFL;
		program->sa_flags &= ~SA_SIGINFO;
	}
	if (fault)
		r = record_fault(tid, sig, si, uc);
	/* The mask the kernel would have set for the program's handler.
	 * The signal itself stays blocked unless SA_NODEFER: a re-raise
	 * waits until the handler returns, as without us.  The other fault
	 * signals stay unblocked in the kernel, blocked only in the
	 * program's view, so that a fault in the handler is still
	 * reported. */
	mask = kernel_mask(&uc->uc_sigmask) | kernel_mask(&act.sa_mask);
	blocked_before = program_blocked;
	program_blocked |= fault_bits(mask);
	mask &= ~kernel_fault_bits();
	if (!(act.sa_flags & SA_NODEFER))
		mask |= kernel_bit(sig);
	fl_sys_sigmask(SIG_SETMASK, &mask, &saved);
	if (act.sa_flags & SA_SIGINFO)
		act.sa_sigaction(sig, si, uc);
	else
		act.sa_handler(sig);
	/* What sigreturn would do: the mask of the interrupted code. */
	fl_sys_sigmask(SIG_SETMASK, &saved, NULL);
	program_blocked = blocked_before;
	if (r && !pending_here(sig))
		release(r);
	return 1;
}

/* --- the interposed functions (shared library only) ---------------------- */

#ifdef PIC
#define FL_EXPORT __attribute__((visibility("default")))

static int chained(int sig)
{
	return __atomic_load_n(&active, __ATOMIC_ACQUIRE) &&
	       fl_signal_handled(sig);
}

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);
typedef sighandler_t (*signal_fn)(int, sighandler_t);
typedef int (*mask_fn)(int, const sigset_t *, sigset_t *);

/* The next definitions: the C library's, or an interceptor loaded after
 * us (a sanitizer's).  Most are looked up on first use, not at start-up:
 * nine dlsym calls cost a program that never calls them 13,000
 * instructions and page faults of the symbol tables (make
 * bench-callgrind).  Not sigaction and the two mask calls: they are
 * async-signal-safe and called from signal handlers - a program's (V8's
 * trap handler masks and unmasks), and ours when the system's libunwind
 * unwinds (it brackets each step with sigprocmask) - where dlsym would
 * wait for the loader lock that the crashed program may hold (a thread
 * in dlopen): fl_chain_start looks those three up at install. */
enum next_fn {
	NEXT_SIGACTION,
	NEXT_SIGNAL,
	NEXT_BSD_SIGNAL,
	NEXT_SSIGNAL,
	NEXT_SYSV_SIGNAL,
	NEXT___SYSV_SIGNAL,
	NEXT_SIGSET,
	NEXT_PTHREAD_SIGMASK,
	NEXT_SIGPROCMASK,
	NEXT_COUNT
};
/* Characters, not pointers: no relocation, and beside the start-up code
 * that looks three of them up (FL_STARTUP_RODATA). */
FL_STARTUP_RODATA static const char next_name[NEXT_COUNT][16] = {
	"sigaction", "signal",		"bsd_signal",
	"ssignal",   "sysv_signal",	"__sysv_signal",
	"sigset",    "pthread_sigmask", "sigprocmask"};
/* In .data: install writes three of them. */
FL_STARTUP_DATA static void *next_cache[NEXT_COUNT];

FL_STARTUP_TEXT static void *next(enum next_fn which)
{
	void *fn = __atomic_load_n(&next_cache[which], __ATOMIC_ACQUIRE);

	if (!fn) {
		fn = dlsym(RTLD_NEXT, next_name[which]);
		__atomic_store_n(&next_cache[which], fn, __ATOMIC_RELEASE);
	}
	return fn;
}

#define NEXT(type, which) ((type)next(which))

FL_STARTUP_TEXT static void look_up_handler_safe_calls(void)
{
	next(NEXT_SIGACTION);
	next(NEXT_PTHREAD_SIGMASK);
	next(NEXT_SIGPROCMASK);
}

FL_EXPORT int sigaction(int sig, const struct sigaction *act,
			struct sigaction *old)
{
	struct sigaction *program, before;

	if (!chained(sig)) {
		sigaction_fn fn = NEXT(sigaction_fn, NEXT_SIGACTION);
		return fn ? fn(sig, act, old) : fl_sys_sigaction(sig, act, old);
	}
	program = fl_signal_program_action(sig);
	fl_memcpy(&before, program, sizeof(before));
	if (act)
		fl_memcpy(program, act, sizeof(*program));
	if (old)
		fl_memcpy(old, &before, sizeof(*old));
	return 0;
}

static sighandler_t set_simple(int sig, sighandler_t h, int flags,
			       int mask_self)
{
	struct sigaction sa, old;

	if (h == SIG_ERR) {
		errno = EINVAL;
		return SIG_ERR;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = h;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (mask_self)
		sigaddset(&sa.sa_mask, sig);
	sigaction(sig, &sa, &old);
	return old.sa_handler;
}

/* Not every one of them is declared under _GNU_SOURCE. */
sighandler_t bsd_signal(int sig, sighandler_t h);
sighandler_t ssignal(int sig, sighandler_t h);
sighandler_t sysv_signal(int sig, sighandler_t h);
sighandler_t __sysv_signal(int sig, sighandler_t h);
sighandler_t sigset(int sig, sighandler_t disp);

/* signal() and its kin: flags and whether the handler blocks its own
 * signal, as glibc sets them. */
#define SIGNAL(name, which, flags, mask_self)                                  \
	FL_EXPORT sighandler_t name(int sig, sighandler_t h)                   \
	{                                                                      \
		if (!chained(sig)) {                                           \
			signal_fn fn = NEXT(signal_fn, which);                 \
			return fn ? fn(sig, h) : SIG_ERR;                      \
		}                                                              \
		return set_simple(sig, h, flags, mask_self);                   \
	}
/* BSD semantics. */
SIGNAL(signal, NEXT_SIGNAL, SA_RESTART, 1)
SIGNAL(bsd_signal, NEXT_BSD_SIGNAL, SA_RESTART, 1)
SIGNAL(ssignal, NEXT_SSIGNAL, SA_RESTART, 1)
/* System V semantics: one shot, not blocked while it runs. */
SIGNAL(sysv_signal, NEXT_SYSV_SIGNAL, SA_RESETHAND | SA_NODEFER, 0)
SIGNAL(__sysv_signal, NEXT___SYSV_SIGNAL, SA_RESETHAND | SA_NODEFER, 0)

/* The mask call of the program: never block a fault signal we handle in
 * the kernel; keep the program's wish per thread and show it back. */
static int set_mask(int how, const sigset_t *set, sigset_t *old)
{
	uint64_t before = program_blocked, kset = 0, kold;
	uint64_t want = 0;

	if (set) {
		kset = kernel_mask(set);
		want = fault_bits(kset);
		if (how != SIG_UNBLOCK) {
			kset &= ~kernel_fault_bits();
			/* glibc's rule: its two internal signals
			 * (cancellation, setxid) are never blocked. */
			kset &= ~(kernel_bit(32) | kernel_bit(33));
		}
	}
	if (fl_sys_sigmask(how, set ? &kset : NULL, &kold) != 0)
		return errno;
	if (how == SIG_BLOCK)
		program_blocked |= want;
	else if (how == SIG_UNBLOCK)
		program_blocked &= ~want;
	else if (set)
		program_blocked = want;
	if (old) {
		sigemptyset(old);
		for (int sig = 1; sig <= 64; sig++)
			if ((kold & kernel_bit(sig)) ||
			    (sig < 32 && (before & FAULTLINE_SIGNAL_BIT(sig))))
				sigaddset(old, sig);
	}
	return 0;
}

static int chain_on(void)
{
	return __atomic_load_n(&active, __ATOMIC_ACQUIRE);
}

FL_EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	if (!chain_on()) {
		mask_fn fn = NEXT(mask_fn, NEXT_PTHREAD_SIGMASK);
		return fn ? fn(how, set, old) : ENOSYS;
	}
	if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return EINVAL;
	return set_mask(how, set, old);
}

FL_EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	int err;

	if (!chain_on()) {
		mask_fn fn = NEXT(mask_fn, NEXT_SIGPROCMASK);
		if (fn)
			return fn(how, set, old);
		errno = ENOSYS;
		return -1;
	}
	err = (how == SIG_BLOCK || how == SIG_UNBLOCK || how == SIG_SETMASK)
		      ? set_mask(how, set, old)
		      : EINVAL;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

FL_EXPORT sighandler_t sigset(int sig, sighandler_t disp)
{
	struct sigaction sa, old;
	sigset_t one, was;

	if (!chained(sig)) {
		signal_fn fn = NEXT(signal_fn, NEXT_SIGSET);
		return fn ? fn(sig, disp) : SIG_ERR;
	}
	sigemptyset(&one);
	sigaddset(&one, sig);
	if (disp == SIG_HOLD) {
		sigaction(sig, NULL, &old);
		sigprocmask(SIG_BLOCK, &one, &was);
		return sigismember(&was, sig) ? SIG_HOLD : old.sa_handler;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = disp;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, &old);
	sigprocmask(SIG_UNBLOCK, &one, &was);
	return sigismember(&was, sig) ? SIG_HOLD : old.sa_handler;
}

#endif
