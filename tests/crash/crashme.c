/*
 * crashme.c - the crashing child of the crash tests: one scenario per run,
 * named by argv[1].
 *
 * Built three ways: crashme (-DFL_LINKED: links libfaultline and uses the
 * C API), crashme-plain (knows nothing of faultline: preload mode) and
 * crashme-malloc (-DFL_OWN_MALLOC: plain, with its own malloc whose lock
 * is not recursive).  Each scenario's crash sits in its own noinline
 * function so that backtraces and cores have a name to show.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <ucontext.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>

#ifdef FL_LINKED
#include "faultline.h"
#endif

/* noipa: GCC must not see that a crash function never returns, or it
 * deletes the call along with the path leading to it. */
#if defined(__GNUC__) && !defined(__clang__)
#define NOINLINE __attribute__((noinline, noipa))
#else
#define NOINLINE __attribute__((noinline))
#endif
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000 /* set by libc, not by the program */
#endif

static volatile int sink;
static volatile int zero;
int *volatile null_pointer; /* the compiler cannot know it is NULL */

/* --- the crashes ------------------------------------------------------- */

NOINLINE void crash_null_read(void);
NOINLINE void crash_null_read(void)
{
	sink = *null_pointer;
}

NOINLINE static void crash_write_readonly(void)
{
	volatile char *p =
		mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("address %p\n", (void *)p);
	fflush(stdout);
	p[16] = 1;
}

NOINLINE static void crash_exec_nonexec(void)
{
	unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
#ifdef __aarch64__
	static const unsigned char ret[] = {0xc0, 0x03, 0x5f, 0xd6};
#else
	static const unsigned char ret[] = {0xc3};
#endif
	memcpy(p, ret, sizeof(ret));
	printf("address %p\n", (void *)p);
	fflush(stdout);
	((void (*)(void))(void *)p)();
}

NOINLINE static void crash_bus(void)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = (int)syscall(SYS_memfd_create, "crashme", 0);
	volatile char *p;

	if (fd < 0 || ftruncate(fd, page) != 0)
		exit(3);
	p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || ftruncate(fd, 0) != 0)
		exit(3);
	printf("address %p\n", (void *)p);
	fflush(stdout);
	sink = p[0]; /* beyond the end of the file now */
}

NOINLINE static void crash_illegal(void)
{
#ifdef __aarch64__
	__asm__ volatile("udf #0");
#else
	__asm__ volatile("ud2");
#endif
}

NOINLINE static int crash_divide(int a, volatile int *b)
{
	return a / *b;
}

NOINLINE static void crash_trap(void)
{
#ifdef __aarch64__
	__asm__ volatile("brk #0");
#else
	__asm__ volatile("int3");
#endif
}

/* SIGSYS: a seccomp filter that traps getppid; raise() where seccomp is
 * not available (qemu-user refuses filters). */
NOINLINE static void crash_bad_syscall(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(filter) / sizeof(filter[0]), filter};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0) {
		printf("seccomp\n");
		fflush(stdout);
		syscall(SYS_getppid);
	} else {
		printf("raise\n");
		fflush(stdout);
		raise(SIGSYS);
	}
	printf("survived SIGSYS\n");
}

/* --- stack overflow and deep stacks ------------------------------------ */

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
NOINLINE static int recurse_forever(volatile char *prev, int depth)
{
	volatile char buf[512];

	buf[0] = (char)depth;
	buf[511] = prev ? prev[0] : 0;
	return recurse_forever(buf, depth + 1) + buf[depth & 511];
}
#pragma GCC diagnostic pop

static void limit_main_stack(void)
{
	/* An unlimited stack would grow until memory runs out. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_STACK, &rl) == 0 &&
	    (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (8u << 20))) {
		rl.rlim_cur = 8u << 20;
		setrlimit(RLIMIT_STACK, &rl);
	}
}

static void *overflow_thread(void *unused)
{
	(void)unused;
	recurse_forever(NULL, 0);
	return NULL;
}

NOINLINE void deep_recursion(int n);
NOINLINE void deep_recursion(int n)
{
	if (n == 0)
		crash_null_read();
	else
		deep_recursion(n - 1);
	sink++; /* no tail call */
}

static void *deep_thread(void *arg)
{
	deep_recursion((int)(intptr_t)arg);
	return NULL;
}

static void run_in_thread(void *(*fn)(void *), void *arg, size_t stack)
{
	pthread_attr_t attr;
	pthread_t t;

	pthread_attr_init(&attr);
	if (stack)
		pthread_attr_setstacksize(&attr, stack);
	if (pthread_create(&t, stack ? &attr : NULL, fn, arg) != 0) {
		perror("pthread_create");
		exit(3);
	}
	pthread_join(t, NULL);
}

/* --- threads ----------------------------------------------------------- */

static void *named_thread(void *unused)
{
	(void)unused;
	pthread_setname_np(pthread_self(), "fl-worker");
	printf("tid %ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	crash_null_read();
	return NULL;
}

static pthread_barrier_t barrier;

static void *crash_together(void *unused)
{
	(void)unused;
	pthread_barrier_wait(&barrier);
	crash_null_read();
	return NULL;
}

static void crash_in_many_threads(void)
{
	enum { N = 8 };
	pthread_t t[N];

	pthread_barrier_init(&barrier, NULL, N);
	for (int i = 0; i < N; i++)
		pthread_create(&t[i], NULL, crash_together, NULL);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
}

/* --- signals from processes -------------------------------------------- */

static void wait_for_kill(void)
{
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* --- a malloc whose lock is not recursive ------------------------------ */

#ifdef FL_OWN_MALLOC
static volatile int heap_lock;
static volatile int crash_in_malloc;
static _Alignas(16) char heap[64 << 20];
static size_t heap_used;

static void lock_heap(void)
{
	while (__atomic_exchange_n(&heap_lock, 1, __ATOMIC_ACQUIRE))
		; /* a second lock from the same thread spins forever */
}

static void unlock_heap(void)
{
	__atomic_store_n(&heap_lock, 0, __ATOMIC_RELEASE);
}

void *malloc(size_t n)
{
	size_t *p;

	lock_heap();
	if (crash_in_malloc)
		crash_null_read(); /* with the lock held */
	n = (n + 31) & ~(size_t)15;
	if (heap_used + n > sizeof(heap)) {
		unlock_heap();
		errno = ENOMEM;
		return NULL;
	}
	p = (size_t *)(heap + heap_used);
	heap_used += n;
	unlock_heap();
	p[0] = n - 16;
	return (char *)p + 16;
}

void free(void *p)
{
	(void)p;
}

void *calloc(size_t a, size_t b)
{
	/* The heap is static and never reused, hence already zero.  (A
	 * memset here would be turned into a call to calloc by GCC.) */
	if (b && a > (size_t)-1 / b)
		return NULL;
	return malloc(a * b);
}

void *realloc(void *old, size_t n)
{
	void *p = malloc(n);
	if (p && old) {
		size_t have = *(size_t *)((char *)old - 16);
		memcpy(p, old, have < n ? have : n);
	}
	return p;
}

void *aligned_alloc(size_t align, size_t n)
{
	char *p = malloc(n + align);
	uintptr_t a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	return p ? (void *)a : NULL;
}

void *memalign(size_t align, size_t n);
void *memalign(size_t align, size_t n)
{
	return aligned_alloc(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p = aligned_alloc(align, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}
#endif

/* --- file descriptors ------------------------------------------------- */

/* Print "fds WHEN: N" and the open descriptors, from /proc/self/fd (the
 * directory's own descriptor left out): a library loaded into the
 * process must not add any. */
static void print_fds(const char *when)
{
	char list[1024] = "";
	size_t used = 0;
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d) {
		printf("fds %s: cannot read /proc/self/fd\n", when);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		n++;
		if (used + strlen(e->d_name) + 2 < sizeof(list))
			used += (size_t)snprintf(list + used,
						 sizeof(list) - used, " %s",
						 e->d_name);
	}
	closedir(d);
	printf("fds %s: %d%s\n", when, n, list);
	fflush(stdout);
}

/* --- linked mode: the C API -------------------------------------------- */

#ifdef FL_LINKED
static void install(const struct faultline_options *opts)
{
	if (faultline_install(opts) != 0) {
		perror("faultline_install");
		exit(2);
	}
}

/* A handler installed before faultline: prints what it saw, then lets
 * the signal kill the process. */
static void previous_handler(int sig, siginfo_t *si, void *ctx)
{
	char buf[256];
	ucontext_t *uc = ctx;
	unsigned long pc;
	int n;

#ifdef __aarch64__
	pc = (unsigned long)uc->uc_mcontext.pc;
#else
	pc = (unsigned long)uc->uc_mcontext.gregs[REG_RIP];
#endif
	n = snprintf(buf, sizeof(buf),
		     "chained: sig=%d code=%d pid=%ld value=%d addr=%p "
		     "ctx_pc=0x%lx\n",
		     sig, si->si_code,
		     si->si_code <= 0 ? (long)si->si_pid : -1L,
		     si->si_code == SI_QUEUE ? si->si_value.sival_int : -1,
		     si->si_code > 0 ? si->si_addr : NULL, pc);
	if (write(2, buf, (size_t)n) < 0)
		_exit(5);
	signal(sig, SIG_DFL);
	if (si->si_code <= 0)
		raise(sig); /* pending until we return */
}

static void faulting_callback(const struct faultline_fault *f, int fd,
			      void *data)
{
	(void)f;
	(void)fd;
	(void)data;
	crash_null_read();
}

static void hanging_callback(const struct faultline_fault *f, int fd,
			     void *data)
{
	static const char msg[] = "callback: hanging now\n";
	struct timespec ts = {1, 0};

	(void)f;
	(void)data;
	if (write(fd, msg, sizeof(msg) - 1) < 0)
		_exit(5);
	for (;;)
		nanosleep(&ts, NULL);
}

static int same_action(const struct sigaction *a, const struct sigaction *b)
{
	if (a->sa_handler != b->sa_handler ||
	    (a->sa_flags & ~SA_RESTORER) != (b->sa_flags & ~SA_RESTORER))
		return 0;
	for (int s = 1; s < 32; s++)
		if (sigismember(&a->sa_mask, s) != sigismember(&b->sa_mask, s))
			return 0;
	return 1;
}

static void ignore_sig(int sig)
{
	(void)sig;
}

/* Actions of every signal before install, after install, after
 * uninstall: faultline must change its signals, then restore all. */
static int check_uninstall(int twice)
{
	struct sigaction before[32], after[32], sa;
	int bad = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = previous_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGSEGV, &sa, NULL);
	signal(SIGTRAP, SIG_IGN);
	signal(SIGBUS, ignore_sig);
	for (int s = 1; s < 32; s++)
		sigaction(s, NULL, &before[s]);
	install(NULL);
	if (twice)
		install(NULL);
	for (int s = 1; s < 32; s++) {
		sigaction(s, NULL, &after[s]);
		if (s == SIGSEGV || s == SIGBUS || s == SIGILL || s == SIGFPE ||
		    s == SIGABRT || s == SIGTRAP || s == SIGSYS) {
			if (same_action(&before[s], &after[s])) {
				printf("install did not take signal %d\n", s);
				bad = 1;
			}
		}
	}
	if (faultline_uninstall() != 0) {
		perror("faultline_uninstall");
		bad = 1;
	}
	for (int s = 1; s < 32; s++) {
		sigaction(s, NULL, &after[s]);
		if (!same_action(&before[s], &after[s])) {
			printf("signal %d: action not restored (handler %p "
			       "flags 0x%x, was %p flags 0x%x)\n",
			       s, (void *)after[s].sa_handler,
			       (unsigned)after[s].sa_flags,
			       (void *)before[s].sa_handler,
			       (unsigned)before[s].sa_flags);
			bad = 1;
		}
	}
	printf(bad ? "uninstall: differences\n" : "uninstall: exact\n");
	fflush(stdout);
	return bad;
}

/* A thread that faults and recovers in a loop: the unwinder is busy
 * on its behalf when the main thread crashes for real. */
static volatile unsigned long recoveries;

NOINLINE static int fault_in_protect(void *unused)
{
	(void)unused;
	crash_null_read();
	return 0;
}

static void *recover_forever(void *unused)
{
	struct faultline_fault fault;
	int result;

	(void)unused;
	for (;;)
		if (faultline_protect(fault_in_protect, NULL, &result,
				      &fault) == FAULTLINE_PROTECT_FAULTED)
			recoveries++;
	return NULL;
}

NOINLINE static void crash_while_recovering(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, recover_forever, NULL) != 0)
		exit(2);
	while (recoveries < 50)
		sched_yield();
	crash_null_read();
	recoveries = 0; /* not a tail call: keep this frame */
}

static int linked_scenario(const char *name, const char *arg)
{
	struct faultline_options o;

	faultline_options_init(&o);
	if (strcmp(name, "chain") == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = previous_handler;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGSEGV, &sa, NULL);
		install(NULL);
		if (strcmp(arg, "null") == 0)
			crash_null_read();
		else if (strcmp(arg, "sigqueue") == 0)
			sigqueue(getpid(), SIGSEGV,
				 (union sigval){.sival_int = 42});
		else if (strcmp(arg, "raise") == 0)
			raise(SIGSEGV);
		else
			wait_for_kill();
		sleep(5);
		return 4;
	}
	if (strcmp(name, "signal-strip") == 0) {
		int sig = strcmp(arg, "abort") == 0 ? SIGABRT : SIGSEGV;
		void (*saved)(int);
		install(NULL);
		saved = signal(sig, SIG_DFL);
		signal(sig, saved);
		if (sig == SIGABRT)
			abort();
		crash_null_read();
		return 4;
	}
	if (strcmp(name, "callback-fault") == 0 ||
	    strcmp(name, "callback-hang") == 0) {
		o.callback =
			name[9] == 'f' ? faulting_callback : hanging_callback;
		install(&o);
		crash_null_read();
		return 4;
	}
	if (strcmp(name, "pipe-full") == 0) {
		int p[2];
		char block[4096];
		memset(block, 'x', sizeof(block));
		if (pipe(p) != 0)
			return 3;
		fcntl(p[1], F_SETFL, O_NONBLOCK);
		while (write(p[1], block, sizeof(block)) > 0)
			;
		fcntl(p[1], F_SETFL, 0);
		o.output_fd = p[1];
		install(&o);
		printf("pipe full\n");
		fflush(stdout);
		crash_null_read();
		return 4;
	}
	if (strcmp(name, "crash-while-recovering") == 0) {
		install(NULL);
		crash_while_recovering();
	}
	if (strcmp(name, "uninstall") == 0)
		return check_uninstall(0);
	if (strcmp(name, "fds-recover") == 0) {
		struct faultline_fault fault;
		int result;
		print_fds("before");
		install(NULL);
		print_fds("installed");
		if (faultline_protect(fault_in_protect, NULL, &result,
				      &fault) != FAULTLINE_PROTECT_FAULTED ||
		    fault.frame_count < 2)
			return 1;
		print_fds("recovered");
		/* Where process_vm_readv is missing (qemu-user, some
		 * seccomp sandboxes) faultline probes memory through a pipe
		 * of its own (lib/posix/elf.c): say so. */
		{
			char byte = 0, copy;
			struct iovec local = {&copy, 1}, remote = {&byte, 1};
			printf("vm_readv: %s\n",
			       syscall(SYS_process_vm_readv, getpid(), &local,
				       1UL, &remote, 1UL, 0UL) == 1
				       ? "yes"
				       : "no");
		}
		return 0;
	}
	if (strcmp(name, "idempotent") == 0) {
		if (check_uninstall(1))
			return 1;
		signal(SIGSEGV, SIG_DFL);
		install(NULL);
		install(NULL);
		crash_null_read();
		return 4;
	}
	if (strcmp(name, "altstack-kept") == 0) {
		static char mine[256 * 1024];
		stack_t ss = {.ss_sp = mine, .ss_size = sizeof(mine)}, cur;
		limit_main_stack();
		if (sigaltstack(&ss, NULL) != 0)
			return 3;
		install(NULL);
		sigaltstack(NULL, &cur);
		if (cur.ss_sp != mine || cur.ss_size != sizeof(mine)) {
			printf("altstack replaced\n");
			return 1;
		}
		printf("altstack kept\n");
		fflush(stdout);
		recurse_forever(NULL, 0);
		return 4;
	}
	if (strcmp(name, "json-options") == 0) {
		o.format = FAULTLINE_FORMAT_JSON;
		install(&o);
		crash_null_read();
		return 4;
	}
	return -1;
}
#endif

/* --- main -------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : "";
	struct rlimit core = {0, 0};

	if (getenv("FL_TEST_CORE"))
		core.rlim_cur = core.rlim_max = RLIM_INFINITY;
	if (setrlimit(RLIMIT_CORE, &core) != 0 && core.rlim_cur) {
		getrlimit(RLIMIT_CORE, &core);
		core.rlim_cur = core.rlim_max;
		setrlimit(RLIMIT_CORE, &core);
	}
	(void)arg;
#ifdef FL_LINKED
	{
		int rc = linked_scenario(name, arg);
		if (rc >= 0)
			return rc;
		if (strcmp(arg, "noinstall") != 0)
			install(NULL); /* the FAULTLINE_* environment */
	}
#endif
	if (strcmp(name, "ok") == 0) {
		printf("still running\n");
		return 0;
	}
	if (strcmp(name, "fds") == 0) {
		print_fds("at main");
		return 0;
	}
	if (strcmp(name, "null-read") == 0)
		crash_null_read();
	else if (strcmp(name, "write-ro") == 0)
		crash_write_readonly();
	else if (strcmp(name, "exec-nx") == 0)
		crash_exec_nonexec();
	else if (strcmp(name, "bus") == 0)
		crash_bus();
	else if (strcmp(name, "ill") == 0)
		crash_illegal();
	else if (strcmp(name, "fpe") == 0) {
		sink = crash_divide(1, &zero);
#ifdef __aarch64__
		printf("no integer divide trap on aarch64\n");
		return 77;
#endif
	} else if (strcmp(name, "abort") == 0)
		abort();
	else if (strcmp(name, "trap") == 0)
		crash_trap();
	else if (strcmp(name, "sys") == 0)
		crash_bad_syscall();
	else if (strcmp(name, "raise") == 0)
		raise(SIGSEGV);
	else if (strcmp(name, "sigqueue") == 0)
		sigqueue(getpid(), SIGSEGV, (union sigval){.sival_int = 42});
	else if (strcmp(name, "wait-kill") == 0)
		wait_for_kill();
	else if (strcmp(name, "thread-null") == 0)
		run_in_thread(named_thread, NULL, 0);
	else if (strcmp(name, "overflow-main") == 0) {
		limit_main_stack();
		recurse_forever(NULL, 0);
	} else if (strcmp(name, "overflow-thread") == 0)
		run_in_thread(overflow_thread, NULL, 0);
	else if (strcmp(name, "deep") == 0)
		run_in_thread(deep_thread, (void *)(intptr_t)100000,
			      256u << 20);
	else if (strcmp(name, "evil-name") == 0) {
		/* quote, backslash, control bytes, invalid UTF-8, and a
		 * valid two-byte sequence */
		prctl(PR_SET_NAME, "q\"b\\\n\x01\xff\xc3\xa9", 0, 0, 0);
		crash_null_read();
	} else if (strcmp(name, "threads") == 0)
		crash_in_many_threads();
#ifdef FL_OWN_MALLOC
	else if (strcmp(name, "malloc-crash") == 0) {
		free(malloc(100)); /* the lock works */
		crash_in_malloc = 1;
		sink = *(volatile char *)malloc(10);
	}
#endif
	else {
		fprintf(stderr, "crashme: unknown scenario '%s'\n", name);
		return 2;
	}
	printf("survived %s\n", name);
	return 4;
}
