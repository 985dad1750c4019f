/*
 * scenarios-posix.c - crashme on POSIX: the platform's part of the
 * helpers, and the scenarios of the table (scenarios.c) that only POSIX
 * has: signals sent and chained, seccomp, thread names, a malloc of the
 * program's own (FL_OWN_MALLOC), and what the C API does to signal
 * actions (FL_LINKED).
 */
#include "scenarios.h"

#include <assert.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifdef FL_LINKED
#include "faultline.h"
#endif

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000 /* set by libc, not by the program */
#endif

/* --- the platform's helpers -------------------------------------------- */

void crashme_setup(void)
{
	struct rlimit core = {0, 0};

	if (getenv("FL_TEST_CORE"))
		core.rlim_cur = core.rlim_max = RLIM_INFINITY;
	if (setrlimit(RLIMIT_CORE, &core) != 0 && core.rlim_cur) {
		getrlimit(RLIMIT_CORE, &core);
		core.rlim_cur = core.rlim_max;
		setrlimit(RLIMIT_CORE, &core);
	}
}

void limit_main_stack(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_STACK, &rl) == 0 &&
	    (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (8u << 20))) {
		rl.rlim_cur = 8u << 20;
		setrlimit(RLIMIT_STACK, &rl);
	}
}

struct thread_call {
	void (*fn)(void *);
	void *arg;
};

static void *thread_start(void *call)
{
	struct thread_call *c = call;

	c->fn(c->arg);
	return NULL;
}

void run_threads(void (*fn)(void *), void *arg, int n, size_t stack)
{
	struct thread_call call = {fn, arg};
	pthread_attr_t attr;
	pthread_t t[64];

	pthread_attr_init(&attr);
	if (stack)
		pthread_attr_setstacksize(&attr, stack);
	for (int i = 0; i < n && i < 64; i++)
		if (pthread_create(&t[i], &attr, thread_start, &call) != 0) {
			perror("pthread_create");
			exit(CRASHME_SETUP);
		}
	for (int i = 0; i < n && i < 64; i++)
		pthread_join(t[i], NULL);
}

void start_thread(void (*fn)(void *), void *arg)
{
	static struct thread_call call;
	pthread_t t;

	call = (struct thread_call){fn, arg};
	if (pthread_create(&t, NULL, thread_start, &call) != 0)
		exit(CRASHME_SETUP);
	pthread_detach(t);
}

void yield_cpu(void)
{
	sched_yield();
}

void pause_thread(void)
{
	for (;;)
		pause();
}

void *new_page(int writable)
{
	void *p = mmap(NULL, 4096, PROT_READ | (writable ? PROT_WRITE : 0),
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(CRASHME_SETUP);
	return p;
}

/* --- faults and sent signals ------------------------------------------- */

NOINLINE int mapped_file_past_end(const char *arg)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = (int)syscall(SYS_memfd_create, "crashme", 0);
	volatile char *p;

	(void)arg;
	if (fd < 0 || ftruncate(fd, page) != 0)
		exit(CRASHME_SETUP);
	p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || ftruncate(fd, 0) != 0)
		exit(CRASHME_SETUP);
	printf("address %p\n", (void *)p);
	fflush(stdout);
	sink = p[0]; /* beyond the end of the file now */
	return CRASHME_SURVIVED;
}

/* SIGSYS: a seccomp filter that traps getppid; raise() where seccomp is
 * not available (qemu-user refuses filters). */
NOINLINE int seccomp_syscall(const char *arg)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(filter) / sizeof(filter[0]), filter};

	(void)arg;
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
	return CRASHME_SURVIVED;
}

/* A seccomp filter that fails, with errno err, the system calls in
 * nrs[0..n) whose first argument is at least min_arg0 (its low 32 bits:
 * a descriptor, or AT_FDCWD read as 0xffffff9c). */
static int fail_syscalls(const int *nrs, int n, uint32_t min_arg0, int err)
{
	struct sock_filter filter[16];
	struct sock_fprog prog;
	int k = 0;

	if (n > 8)
		return -1;
	filter[k++] = (struct sock_filter)BPF_STMT(
		BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (int i = 0; i < n; i++) /* to the argument check, or on */
		filter[k++] = (struct sock_filter)BPF_JUMP(
			BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nrs[i],
			(uint8_t)(n - i), 0);
	filter[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
						   SECCOMP_RET_ALLOW);
	/* Little-endian: the low word of args[0] comes first. */
	filter[k++] = (struct sock_filter)BPF_STMT(
		BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args));
	filter[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
						   min_arg0, 0, 1);
	filter[k++] = (struct sock_filter)BPF_STMT(
		BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((uint32_t)err & 0xffff));
	filter[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
						   SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)k;
	prog.filter = filter;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
		return -1;
	return 0;
}

#ifndef SYS_openat2
#define SYS_openat2 437 /* the same on every architecture */
#endif

int seccomp_errno(const char *arg)
{
	static const int writes[] = {SYS_write, SYS_writev, SYS_pwrite64,
				     SYS_pwritev, SYS_pwritev2};
	static const int openat2[] = {SYS_openat2};
	static const int mmap_calls[] = {SYS_mmap};
	int rc = -1;

	if (arg && strcmp(arg, "eio") == 0)
		rc = fail_syscalls(writes, 5, 3, EIO);
	else if (arg && strcmp(arg, "no-openat2") == 0)
		rc = fail_syscalls(openat2, 1, 0, ENOSYS);
	else if (arg && strcmp(arg, "no-mmap") == 0)
		rc = fail_syscalls(mmap_calls, 1, 0, ENOMEM);
	if (rc != 0)
		return CRASHME_SETUP;
	crash_null_read();
	return CRASHME_SURVIVED;
}

int sigqueue_segv(const char *arg)
{
	(void)arg;
	sigqueue(getpid(), SIGSEGV, (union sigval){.sival_int = 42});
	return CRASHME_SURVIVED;
}

int wait_for_kill(const char *arg)
{
	(void)arg;
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* --- threads ----------------------------------------------------------- */

static void named_thread(void *unused)
{
	(void)unused;
	pthread_setname_np(pthread_self(), "fl-worker");
	printf("tid %ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	crash_null_read();
	sink++; /* no tail call: keep this frame */
}

int worker_null_read(const char *arg)
{
	(void)arg;
	run_threads(named_thread, NULL, 1, 0);
	return CRASHME_SURVIVED;
}

int hostile_thread_name(const char *arg)
{
	(void)arg;
	/* quote, backslash, control bytes, invalid UTF-8, and a valid
	 * two-byte sequence */
	prctl(PR_SET_NAME, "q\"b\\\n\x01\xff\xc3\xa9", 0, 0, 0);
	crash_null_read();
	return CRASHME_SURVIVED;
}

/* --- processes ---------------------------------------------------------- */

/* Reap nothing, only wait until pid is dead (a zombie). */
static void wait_dead(pid_t pid)
{
	siginfo_t si;

	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) != 0 &&
	       errno == EINTR)
		;
}

NOINLINE int vfork_child_crash(const char *arg)
{
	int null = open("/dev/null", O_WRONLY);
	pid_t pid;

	if (null < 0)
		return CRASHME_SETUP;
	pid = vfork();
	if (pid == 0) {
		/* Our descriptors are the child's own: its report goes to
		 * /dev/null, not to the parent's stderr. */
		dup2(null, 2);
		crash_null_read();
		_exit(CRASHME_SURVIVED);
	}
	if (pid < 0)
		return CRASHME_SETUP;
	if (strcmp(arg, "zombie") == 0) {
		wait_dead(pid);
	} else {
		int status = 0;
		waitpid(pid, &status, 0);
		printf("child: %s %d\n",
		       WIFSIGNALED(status) ? "signal" : "exit",
		       WIFSIGNALED(status) ? WTERMSIG(status)
					   : WEXITSTATUS(status));
		fflush(stdout);
	}
	crash_null_read();
	return CRASHME_SURVIVED;
}

/* --- the loader's locks ------------------------------------------------- */

static volatile int parked;

/* Holds the loader's lock that dl_iterate_phdr takes, for good. */
static int park_in_callback(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)info;
	(void)size;
	(void)data;
	__atomic_store_n(&parked, 1, __ATOMIC_RELEASE);
	pause_thread();
	return 1;
}

static void iterate_and_park(void *unused)
{
	(void)unused;
	dl_iterate_phdr(park_in_callback, NULL);
}

int loader_lock_iterate(const char *arg)
{
	(void)arg;
	start_thread(iterate_and_park, NULL);
	while (!__atomic_load_n(&parked, __ATOMIC_ACQUIRE))
		yield_cpu();
	crash_null_read();
	return CRASHME_SURVIVED;
}

static void dlopen_and_block(void *path)
{
	if (!dlopen(path, RTLD_NOW)) {
		fprintf(stderr, "crashme: %s\n", dlerror());
		exit(CRASHME_SETUP);
	}
}

/* The library's constructor (tests/crash/blocking_ctor.c) writes a byte
 * to the descriptor CRASHME_CTOR_FD names, then blocks: dlopen holds the
 * loader's lock all the while. */
int loader_lock_dlopen(const char *arg)
{
	char fd[16], byte;
	int p[2];

	if (pipe(p) != 0)
		return CRASHME_SETUP;
	snprintf(fd, sizeof(fd), "%d", p[1]);
	setenv("CRASHME_CTOR_FD", fd, 1);
	start_thread(dlopen_and_block, (void *)arg);
	if (read(p[0], &byte, 1) != 1)
		return CRASHME_SETUP;
	crash_null_read();
	return CRASHME_SURVIVED;
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

int malloc_crash(const char *arg)
{
	(void)arg;
	free(malloc(100)); /* the lock works */
	crash_in_malloc = 1;
	sink = *(volatile char *)malloc(10);
	return CRASHME_SURVIVED;
}

static volatile int allocating;
/* Called through a pointer: malloc itself must be in the backtrace, not
 * inlined into the caller. */
static void *(*volatile allocate)(size_t) = malloc;

NOINLINE static void *allocating_thread(void *unused)
{
	prctl(PR_SET_NAME, "fl-allocator", 0, 0, 0);
	__atomic_add_fetch(&allocating, 1, __ATOMIC_SEQ_CST);
	for (;;)
		free(allocate(64));
	return unused;
}

/* Four threads allocate without end; then a malloc crashes with the lock
 * held, and they spin in malloc waiting for it. */
int malloc_threads(const char *arg)
{
	pthread_t t;

	(void)arg;
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t, NULL, allocating_thread, NULL) != 0)
			exit(CRASHME_SETUP);
	while (__atomic_load_n(&allocating, __ATOMIC_SEQ_CST) < 4)
		sched_yield();
	crash_in_malloc = 1;
	sink = *(volatile char *)malloc(10);
	return CRASHME_SURVIVED;
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

int open_fds(const char *arg)
{
	(void)arg;
	print_fds("at main");
	return 0;
}

/* --- where the report goes -------------------------------------------- */

/* ARG "no-timer": use up RLIMIT_SIGPENDING, so that timer_create (the
 * watchdog's per-thread timer) fails; "no timer" on stdout. */
void no_timer_if(const char *arg)
{
	struct rlimit none = {0, 0};
	timer_t t;

	if (strcmp(arg, "no-timer") != 0)
		return;
	if (setrlimit(RLIMIT_SIGPENDING, &none) != 0)
		exit(CRASHME_SETUP);
	if (timer_create(CLOCK_MONOTONIC, NULL, &t) == 0) {
		printf("timer_create still works\n");
		exit(CRASHME_SETUP);
	}
	printf("no timer\n");
	fflush(stdout);
}

int file_size_limit(const char *arg)
{
	struct rlimit limit;

	limit.rlim_cur = limit.rlim_max = strtoul(arg, NULL, 10);
	if (setrlimit(RLIMIT_FSIZE, &limit) != 0)
		return CRASHME_SETUP;
	crash_null_read();
	return CRASHME_SURVIVED;
}

int closed_output_fd(const char *arg)
{
	if (close(atoi(arg)) != 0)
		return CRASHME_SETUP;
	crash_null_read();
	return CRASHME_SURVIVED;
}

/* The program sets a 2 KiB alternate stack of its own after faultline
 * is installed: MINSIGSTKSZ, which the kernel accepts, though a signal
 * frame needs more (AT_MINSIGSTKSZ: about 3.4 KiB with AVX-512).  Then
 * scenario ARG. */
int small_altstack(const char *arg)
{
	static char mine[2048] __attribute__((aligned(16)));
	stack_t ss = {.ss_sp = mine, .ss_size = sizeof(mine)};

	if (sigaltstack(&ss, NULL) != 0)
		return CRASHME_SETUP;
	for (const struct scenario *s = scenarios; s->name; s++)
		if (s->run && strcmp(s->name, arg) == 0)
			return s->run(NULL);
	return CRASHME_SETUP;
}

/* A call through a pointer to an unmapped page near zero: the pc itself
 * is bad, the return address on the stack the only way back. */
int bad_pc(const char *arg)
{
	void (*volatile fn)(void) = (void (*)(void))(uintptr_t)0x10;

	(void)arg;
	fn();
	return CRASHME_SURVIVED;
}

/* Garbage in the stack and frame pointers, then a null read: the
 * unwinder meets a stack it cannot walk.  The frame pointer and link
 * register are not named as clobbered (a compiler keeping a frame
 * pointer refuses that); nothing runs after the fault. */
int corrupt_stack(const char *arg)
{
	(void)arg;
#if defined(__x86_64__)
	__asm__ volatile("mov $0x1000, %%rsp\n\t"
			 "mov $0x2000, %%rbp\n\t"
			 "xor %%eax, %%eax\n\t"
			 "mov (%%rax), %%eax" ::
				 : "rax", "memory");
#elif defined(__aarch64__)
	__asm__ volatile("mov x29, #0x2000\n\t"
			 "mov x30, #0x3000\n\t"
			 "mov x1, #0x1000\n\t"
			 "mov sp, x1\n\t"
			 "mov x0, #0\n\t"
			 "ldr x0, [x0]" ::
				 : "x0", "x1", "memory");
#endif
	return CRASHME_SURVIVED;
}

/* --- the C API (the linked crashme) ------------------------------------ */

#ifdef FL_LINKED
static void install(const struct faultline_options *opts)
{
	if (faultline_install(opts) != 0) {
		perror("faultline_install");
		exit(CRASHME_SETUP);
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

int chain(const char *arg)
{
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
		sigqueue_segv(arg);
	else if (strcmp(arg, "raise") == 0)
		raise(SIGSEGV);
	else
		wait_for_kill(arg);
	sleep(5);
	return CRASHME_SURVIVED;
}

int signal_strip(const char *arg)
{
	int sig = strcmp(arg, "abort") == 0 ? SIGABRT : SIGSEGV;
	void (*saved)(int);

	install(NULL);
	saved = signal(sig, SIG_DFL);
	signal(sig, saved);
	if (sig == SIGABRT)
		abort();
	crash_null_read();
	return CRASHME_SURVIVED;
}

static void faulting_callback(const struct faultline_fault *f, int fd,
			      void *data)
{
	(void)f;
	(void)fd;
	(void)data;
	crash_null_read();
}

/* Install with callback and crash. */
static int crash_with_callback(faultline_callback callback)
{
	struct faultline_options o;

	faultline_options_init(&o);
	o.callback = callback;
	install(&o);
	crash_null_read();
	return CRASHME_SURVIVED;
}

int callback_fault(const char *arg)
{
	(void)arg;
	return crash_with_callback(faulting_callback);
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

int callback_hang(const char *arg)
{
	no_timer_if(arg);
	return crash_with_callback(hanging_callback);
}

static void writing_callback(const struct faultline_fault *f, int fd,
			     void *data)
{
	static const char msg[] = "callback: first line\n"
				  "callback: second line\n";

	(void)f;
	(void)data;
	if (write(fd, msg, sizeof(msg) - 1) < 0)
		_exit(5);
}

/* ARG "json": the report in JSON. */
int callback_write(const char *arg)
{
	struct faultline_options o;

	faultline_options_init(&o);
	o.callback = writing_callback;
	if (arg && strcmp(arg, "json") == 0)
		o.format = FAULTLINE_FORMAT_JSON;
	install(&o);
	crash_null_read();
	return CRASHME_SURVIVED;
}

static void aborting_callback(const struct faultline_fault *f, int fd,
			      void *data)
{
	(void)f;
	(void)fd;
	(void)data;
	abort();
}

int callback_abort(const char *arg)
{
	(void)arg;
	return crash_with_callback(aborting_callback);
}

int pipe_full(const char *arg)
{
	struct faultline_options o;
	char block[4096];
	int p[2];

	no_timer_if(arg);
	memset(block, 'x', sizeof(block));
	if (pipe(p) != 0)
		return CRASHME_SETUP;
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	while (write(p[1], block, sizeof(block)) > 0)
		;
	fcntl(p[1], F_SETFL, 0);
	faultline_options_init(&o);
	o.output_fd = p[1];
	install(&o);
	printf("pipe full\n");
	fflush(stdout);
	crash_null_read();
	return CRASHME_SURVIVED;
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

NOINLINE static void crash_while_recovering_now(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, recover_forever, NULL) != 0)
		exit(CRASHME_SETUP);
	while (recoveries < 50)
		sched_yield();
	crash_null_read();
	recoveries = 0; /* not a tail call: keep this frame */
}

int crash_while_recovering(const char *arg)
{
	(void)arg;
	install(NULL);
	crash_while_recovering_now();
	return CRASHME_SURVIVED;
}

int fds_recover(const char *arg)
{
	struct faultline_fault fault;
	int result;

	(void)arg;
	print_fds("before");
	install(NULL);
	print_fds("installed");
	if (faultline_protect(fault_in_protect, NULL, &result, &fault) !=
		    FAULTLINE_PROTECT_FAULTED ||
	    fault.frame_count < 2)
		return 1;
	print_fds("recovered");
	return 0;
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

int uninstall_restores(const char *arg)
{
	(void)arg;
	return check_uninstall(0);
}

int install_twice(const char *arg)
{
	(void)arg;
	if (check_uninstall(1))
		return 1;
	signal(SIGSEGV, SIG_DFL);
	install(NULL);
	install(NULL);
	crash_null_read();
	return CRASHME_SURVIVED;
}

int altstack_kept(const char *arg)
{
	static char mine[256 * 1024];
	stack_t ss = {.ss_sp = mine, .ss_size = sizeof(mine)}, cur;

	(void)arg;
	limit_main_stack();
	if (sigaltstack(&ss, NULL) != 0)
		return CRASHME_SETUP;
	install(NULL);
	sigaltstack(NULL, &cur);
	if (cur.ss_sp != mine || cur.ss_size != sizeof(mine)) {
		printf("altstack replaced\n");
		return 1;
	}
	printf("altstack kept\n");
	fflush(stdout);
	overflow_stack(NULL);
	return CRASHME_SURVIVED;
}
#endif

NOINLINE int assert_fail(const char *arg)
{
	volatile int zero = 0;

	(void)arg;
	assert(zero == 1);
	return CRASHME_SURVIVED;
}

static const char *volatile null_string;

NOINLINE int strlen_null(const char *arg)
{
	(void)arg;
	return (int)strlen(null_string) + CRASHME_SURVIVED;
}

/* --- a program's own handlers under preload mode's chain ---------------- */

static void say(const char *msg)
{
	ssize_t unused = write(1, msg, strlen(msg));
	(void)unused;
}

static void set_handler(int sig, void (*fn)(int, siginfo_t *, void *),
			int flags, struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, old);
}

static void *fixable_page;

static void fix_the_page(int sig, siginfo_t *si, void *ctx)
{
	sigset_t one, old;

	(void)ctx;
	/* V8's trap handler unblocks its signal and puts the mask back. */
	sigemptyset(&one);
	sigaddset(&one, sig);
	pthread_sigmask(SIG_UNBLOCK, &one, &old);
	if (si->si_addr == fixable_page)
		mprotect(fixable_page, 4096, PROT_READ | PROT_WRITE);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* The handler makes the page writable and returns: the write runs again
 * and succeeds (a JVM's implicit null checks, V8's trap handler), three
 * times. */
int handler_fixes(const char *arg)
{
	(void)arg;
	fixable_page = new_page(0);
	set_handler(SIGSEGV, fix_the_page, 0, NULL);
	for (int i = 0; i < 3; i++) {
		*(volatile char *)fixable_page = 1;
		mprotect(fixable_page, 4096, PROT_READ);
	}
	say("fixed and went on\n");
	return 0;
}

static struct sigaction before_ours;

static void chain_to_before(int sig, siginfo_t *si, void *ctx)
{
	say("program handler: passing on\n");
	if (before_ours.sa_flags & SA_SIGINFO)
		before_ours.sa_sigaction(sig, si, ctx);
	else if (before_ours.sa_handler != SIG_DFL &&
		 before_ours.sa_handler != SIG_IGN)
		before_ours.sa_handler(sig);
	else
		sigaction(sig, &before_ours, NULL); /* the fault re-fires */
}

/* A handler that chains to the action it replaced (HotSpot, V8, Rust on
 * a fault that is not theirs), then a null read. */
int handler_chains(const char *arg)
{
	(void)arg;
	set_handler(SIGSEGV, chain_to_before, 0, &before_ours);
	crash_null_read();
	return CRASHME_SURVIVED;
}

/* signal(SIGSEGV, SIG_DFL) as node does for every signal at start, then a
 * null read. */
int reset_to_default(const char *arg)
{
	(void)arg;
	signal(SIGSEGV, SIG_DFL);
	crash_null_read();
	return CRASHME_SURVIVED;
}

static struct sigaction replaced;

static void restore_and_raise(int sig, siginfo_t *si, void *ctx)
{
	(void)si;
	(void)ctx;
	say("program handler: restoring and raising\n");
	sigaction(sig, &replaced, NULL);
	raise(sig);
}

/* CPython's faulthandler: the handler (SA_NODEFER, or with ARG "deferred"
 * without it) restores the action it replaced and raises the signal
 * again; then a null read. */
int reraise(const char *arg)
{
	int flags = arg && strcmp(arg, "deferred") == 0 ? 0 : SA_NODEFER;

	set_handler(SIGSEGV, restore_and_raise, flags, &replaced);
	crash_null_read();
	return CRASHME_SURVIVED;
}

static void unused_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	(void)ctx;
}

/* What sigaction and signal show the program: "query: ..." lines of
 * what it set before; exit 0. */
int action_query(const char *arg)
{
	struct sigaction first, shown;
	void (*old)(int);

	(void)arg;
	sigaction(SIGSEGV, NULL, &first);
	printf("query: initial %s\n",
	       first.sa_handler == SIG_DFL ? "default" : "not default");
	set_handler(SIGSEGV, unused_handler, SA_NODEFER, NULL);
	sigaction(SIGSEGV, NULL, &shown);
	printf("query: handler %s, flags %s\n",
	       shown.sa_sigaction == unused_handler ? "own" : "other",
	       (shown.sa_flags & ~SA_RESTORER) == (SA_SIGINFO | SA_NODEFER)
		       ? "own"
		       : "other");
	old = signal(SIGSEGV, SIG_IGN);
	printf("query: signal returned %s\n",
	       (void *)old == (void *)unused_handler ? "own" : "other");
	old = signal(SIGSEGV, SIG_DFL);
	printf("query: then %s\n", old == SIG_IGN ? "ignored" : "other");
	return 0;
}

/* sigprocmask blocks SIGSEGV ("mask: blocked" when the program sees it
 * blocked), then a null read. */
int blocked_fault(const char *arg)
{
	sigset_t set, now;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGSEGV);
	if (strcmp(arg ? arg : "", "pthread") == 0)
		pthread_sigmask(SIG_BLOCK, &set, NULL);
	else
		sigprocmask(SIG_BLOCK, &set, NULL);
	sigprocmask(SIG_BLOCK, NULL, &now);
	printf("mask: %s\n",
	       sigismember(&now, SIGSEGV) ? "blocked" : "not blocked");
	fflush(stdout);
	crash_null_read();
	return CRASHME_SURVIVED;
}
