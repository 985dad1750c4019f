/*
 * crashme - the program the Windows tests crash, one way per mode:
 *   crashme MODE [nofl]
 * With "nofl" faultline is not installed (control runs showing what a
 * test would see without it).  Built with -gdwarf-4: Wine's dbghelp reads
 * DWARF 4, not gcc 12's default DWARF 5.
 */
#include <windows.h>

#include <excpt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline.h"

/* --- an SEH frame in C ----------------------------------------------------
 * mingw gcc has no __try/__except; excpt.h's __try1/__except1 emit the
 * scope table __C_specific_handler reads.  One frame, called with the
 * code to run under it: a filter that returns EXCEPTION_EXECUTE_HANDLER
 * makes the system unwind to the end of the frame. */
static volatile DWORD seh_caught;
#define asm __asm__ /* __except1 says asm; -std=c11 knows only __asm__ */

__attribute__((used)) static LONG seh_filter(EXCEPTION_POINTERS *ep,
					     void *frame)
{
	(void)frame;
	seh_caught = ep->ExceptionRecord->ExceptionCode;
	return EXCEPTION_EXECUTE_HANDLER;
}

__attribute__((noinline)) static void guarded(void (*volatile fn)(void))
{
	__try1(seh_filter) fn();
	__except1;
}

static void raise_cxx(void)
{
	RaiseException(0xE06D7363u, 0, 0, NULL);
}

static void raise_heap_corruption(void)
{
	RaiseException(0xC0000374u, EXCEPTION_NONCONTINUABLE, 0, NULL);
}

static void read_null(void)
{
	fprintf(stderr, "read %d\n", *(volatile int *)(uintptr_t)0);
}

/* --- faults ------------------------------------------------------------ */

static volatile int *volatile null_ptr;
static volatile int *volatile ptr_0x40 = (volatile int *)(uintptr_t)0x40;
/* Never reached; hides the unbounded recursion from the compiler. */
static volatile int recursion_limit = -1;

void fl_test_level1(void);
void fl_test_level2(void);
void fl_test_level3(void);

__attribute__((noinline)) void fl_test_level3(void)
{
	/* A marked faulting instruction: the tests compare frame 0 with
	 * the address this program prints before faulting. */
	extern char fl_test_fault_pc[];
	fprintf(stderr, "fault-pc: 0x%016" PRIx64 "\n",
		(uint64_t)(uintptr_t)fl_test_fault_pc);
	fflush(stderr);
	__asm__ volatile("xor %%eax, %%eax\n"
			 ".globl fl_test_fault_pc\n"
			 "fl_test_fault_pc:\n"
			 "movl (%%rax), %%eax\n" ::
				 : "rax", "memory");
}

__attribute__((noinline)) void fl_test_level2(void)
{
	fl_test_level3();
	__asm__ volatile(""); /* no tail call: keep this frame */
}

__attribute__((noinline)) void fl_test_level1(void)
{
	fl_test_level2();
	__asm__ volatile("");
}

__attribute__((noinline)) static int recurse(int depth)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	if (depth == recursion_limit)
		return 0;
	return recurse(depth + 1) + pad[0];
}

static DWORD WINAPI overflow_thread(LPVOID arg)
{
	(void)arg;
	return (DWORD)recurse(0);
}

static volatile LONG ready_count;

static DWORD WINAPI racer(LPVOID arg)
{
	(void)arg;
	/* Both threads spin until both are here, then fault together. */
	InterlockedIncrement(&ready_count);
	while (ready_count < 2)
		;
	return (DWORD)*null_ptr;
}

/* A user callback that faults itself (with another code than the crash
 * it is called for): a fault inside the handler. */
static void faulting_callback(const struct faultline_fault *fault, int fd,
			      void *data)
{
	(void)fault;
	(void)fd;
	(void)data;
	fprintf(stderr, "callback: about to fault\n");
	__asm__ volatile("ud2");
	fprintf(stderr, "callback: survived\n");
}

static volatile LONG rearm_count;

static void rearming_handler(int sig)
{
	/* The classic mistake the CRT turns into a loop: re-arm, return. */
	LONG n = InterlockedIncrement(&rearm_count);
	if (n <= 3 || n % 1000 == 0)
		fprintf(stderr, "user SIGSEGV handler, call %ld\n", (long)n);
	signal(sig, rearming_handler);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int install = !(argc > 2 && strcmp(argv[2], "nofl") == 0);

	setvbuf(stdout, NULL, _IONBF, 0);
	if (install && strcmp(mode, "callback-fault") == 0) {
		struct faultline_options o;

		faultline_options_init(&o);
		o.callback = faulting_callback;
		if (faultline_install(&o) != 0)
			return 90;
	} else if (install && faultline_install(NULL) != 0) {
		fprintf(stderr, "faultline_install failed\n");
		return 90;
	}
	if (strcmp(mode, "null-read") == 0) {
		return *null_ptr;
	} else if (strcmp(mode, "write-0x40") == 0) {
		*ptr_0x40 = 1;
	} else if (strcmp(mode, "dep") == 0) {
		/* A committed read-write page: no execute permission. */
		unsigned char *page = VirtualAlloc(
			NULL, 4096, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
		page[0] = 0xC3; /* ret: would work if executable */
		fprintf(stderr, "page: %p\n", (void *)page);
		((void (*)(void))(uintptr_t)page)();
	} else if (strcmp(mode, "ud2") == 0) {
		__asm__ volatile("ud2");
	} else if (strcmp(mode, "privileged") == 0) {
		__asm__ volatile("hlt");
	} else if (strcmp(mode, "div0") == 0) {
		volatile int zero = 0;
		return 10 / zero;
	} else if (strcmp(mode, "overflow-main") == 0) {
		return recurse(0);
	} else if (strcmp(mode, "overflow-thread") == 0) {
		HANDLE t =
			CreateThread(NULL, 0, overflow_thread, NULL, 0, NULL);
		WaitForSingleObject(t, INFINITE);
	} else if (strcmp(mode, "rearm") == 0) {
		signal(SIGSEGV, rearming_handler);
		return *null_ptr;
	} else if (strcmp(mode, "benign") == 0) {
		char probe;

		OutputDebugStringA("faultline test: debug output\n");
		seh_caught = 0;
		guarded(raise_cxx);
		fprintf(stderr, "SEH caught 0x%lx\n",
			(unsigned long)seh_caught);
		seh_caught = 0;
		guarded(read_null);
		fprintf(stderr, "SEH caught 0x%lx\n",
			(unsigned long)seh_caught);
		fprintf(stderr, "IsBadReadPtr(NULL) = %d\n",
			(int)IsBadReadPtr(NULL, 1));
		fprintf(stderr, "IsBadReadPtr(&probe) = %d\n",
			(int)IsBadReadPtr(&probe, 1));
		fprintf(stderr, "continued normally\n");
		return 0;
	} else if (strcmp(mode, "abort") == 0) {
		abort();
	} else if (strcmp(mode, "heap-corruption") == 0) {
		/* Inside an SEH frame that would swallow it: faultline must
		 * act first, in the vectored handler. */
		guarded(raise_heap_corruption);
		fprintf(stderr, "heap corruption was swallowed\n");
		return 0;
	} else if (strcmp(mode, "two-threads") == 0) {
		HANDLE t[2];
		for (int i = 0; i < 2; i++)
			t[i] = CreateThread(NULL, 0, racer, NULL, 0, NULL);
		WaitForMultipleObjects(2, t, TRUE, INFINITE);
	} else if (strcmp(mode, "callback-fault") == 0) {
		return *null_ptr;
	} else if (strcmp(mode, "uninstalled") == 0) {
		/* Installed twice (idempotent), then removed: the fault must
		 * find the process as it was before faultline. */
		if (faultline_install(NULL) != 0 || faultline_uninstall() != 0)
			return 93;
		signal(SIGSEGV, rearming_handler);
		raise(SIGSEGV);
		abort();
	} else if (strcmp(mode, "backtrace") == 0) {
		HMODULE k32 = GetModuleHandleW(L"kernel32.dll");
		HRESULT(WINAPI * set_name)
		(HANDLE, PCWSTR) = (HRESULT(WINAPI *)(HANDLE, PCWSTR))(void (*)(
			void))GetProcAddress(k32, "SetThreadDescription");
		if (set_name)
			set_name(GetCurrentThread(), L"fl-main");
		fl_test_level1();
	} else {
		fprintf(stderr, "crashme: unknown mode '%s'\n", mode);
		return 91;
	}
	fprintf(stderr, "crashme: survived mode '%s'\n", mode);
	return 92;
}
