/*
 * scenarios-windows.c - crashme on Windows: the platform's part of the
 * helpers, and the scenarios of the table (scenarios.c) that only Windows
 * has: SEH frames, first-chance exceptions, the CRT's signal() loop,
 * heap corruption.  Built with -gdwarf-4: Wine's dbghelp reads DWARF 4,
 * not gcc 12's default DWARF 5.
 */
#include <windows.h>

#include <excpt.h>
#include <inttypes.h>
#include <io.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline.h"
#include "scenarios.h"

/* --- the platform's helpers -------------------------------------------- */

void crashme_setup(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
}

void limit_main_stack(void)
{
	/* The main thread's stack has the size the executable says. */
}

struct thread_call {
	void (*fn)(void *);
	void *arg;
};

static DWORD WINAPI thread_start(LPVOID call)
{
	struct thread_call *c = call;

	c->fn(c->arg);
	return 0;
}

void run_threads(void (*fn)(void *), void *arg, int n, size_t stack)
{
	struct thread_call call = {fn, arg};
	HANDLE t[64];
	int started = 0;

	for (; started < n && started < 64; started++) {
		t[started] =
			CreateThread(NULL, stack, thread_start, &call, 0, NULL);
		if (!t[started])
			exit(CRASHME_SETUP);
	}
	WaitForMultipleObjects((DWORD)started, t, TRUE, INFINITE);
}

void start_thread(void (*fn)(void *), void *arg)
{
	static struct thread_call call;
	HANDLE t;

	call = (struct thread_call){fn, arg};
	t = CreateThread(NULL, 0, thread_start, &call, 0, NULL);
	if (!t)
		exit(CRASHME_SETUP);
	CloseHandle(t);
}

void yield_cpu(void)
{
	SwitchToThread();
}

void pause_thread(void)
{
	for (;;)
		Sleep(INFINITE);
}

void *new_page(int writable)
{
	void *p = VirtualAlloc(NULL, 4096, MEM_COMMIT | MEM_RESERVE,
			       writable ? PAGE_READWRITE : PAGE_READONLY);

	if (!p)
		exit(CRASHME_SETUP);
	return p;
}

/* --- an SEH frame in C --------------------------------------------------
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

/* --- the scenarios ----------------------------------------------------- */

int privileged_instruction(const char *arg)
{
	(void)arg;
	__asm__ volatile("hlt");
	return CRASHME_SURVIVED;
}

int heap_corruption(const char *arg)
{
	(void)arg;
	/* Inside an SEH frame that would swallow it: faultline must act
	 * first, in the vectored handler. */
	guarded(raise_heap_corruption);
	fprintf(stderr, "heap corruption was swallowed\n");
	return 0;
}

int first_chance_exceptions(const char *arg)
{
	char probe;

	(void)arg;
	OutputDebugStringA("faultline test: debug output\n");
	seh_caught = 0;
	guarded(raise_cxx);
	fprintf(stderr, "SEH caught 0x%lx\n", (unsigned long)seh_caught);
	seh_caught = 0;
	guarded(read_null);
	fprintf(stderr, "SEH caught 0x%lx\n", (unsigned long)seh_caught);
	fprintf(stderr, "IsBadReadPtr(NULL) = %d\n",
		(int)IsBadReadPtr(NULL, 1));
	fprintf(stderr, "IsBadReadPtr(&probe) = %d\n",
		(int)IsBadReadPtr(&probe, 1));
	fprintf(stderr, "continued normally\n");
	return 0;
}

static volatile LONG rearm_count;

static void rearming(int sig)
{
	/* The classic mistake the CRT turns into a loop: re-arm, return. */
	LONG n = InterlockedIncrement(&rearm_count);
	if (n <= 3 || n % 1000 == 0)
		fprintf(stderr, "user SIGSEGV handler, call %ld\n", (long)n);
	signal(sig, rearming);
}

int rearming_handler(const char *arg)
{
	(void)arg;
	signal(SIGSEGV, rearming);
	crash_null_read();
	return CRASHME_SURVIVED;
}

/* --- handlers the program sets after faultline's install --------------- */

static const char *filter_action;
static LPTOP_LEVEL_EXCEPTION_FILTER replaced_filter;

static LONG WINAPI program_filter(EXCEPTION_POINTERS *ep)
{
	fprintf(stderr, "program's filter: 0x%lx\n",
		(unsigned long)ep->ExceptionRecord->ExceptionCode);
	if (strncmp(filter_action, "exit", 4) == 0)
		ExitProcess(42);
	if (strncmp(filter_action, "execute", 7) == 0)
		return EXCEPTION_EXECUTE_HANDLER;
	if (strncmp(filter_action, "chain", 5) == 0 && replaced_filter)
		return replaced_filter(ep);
	return EXCEPTION_CONTINUE_SEARCH;
}

int late_filter(const char *arg)
{
	filter_action = arg;
	replaced_filter = SetUnhandledExceptionFilter(program_filter);
	if (strstr(arg, ",handled")) {
		/* Dispatched, then handled by an SEH frame: faultline takes
		 * its filter slot back meanwhile. */
		seh_caught = 0;
		guarded(read_null);
		fprintf(stderr, "SEH caught 0x%lx\n",
			(unsigned long)seh_caught);
	}
	crash_null_read();
	return CRASHME_SURVIVED;
}

static jmp_buf late_jump;
static const char *late_signal_action;

static void late_segv_handler(int sig)
{
	fprintf(stderr, "program's SIGSEGV handler (%d)\n", sig);
	if (strcmp(late_signal_action, "longjmp") == 0)
		longjmp(late_jump, 1);
	if (strcmp(late_signal_action, "raise") == 0)
		raise(SIGSEGV);
}

int late_signal(const char *arg)
{
	late_signal_action = arg;
	if (setjmp(late_jump)) {
		fprintf(stderr, "recovered\n");
		return 0;
	}
	signal(SIGSEGV, late_segv_handler);
	crash_null_read();
	return CRASHME_SURVIVED;
}

static int veh_scratch = 7;

/* What a runtime's trap handler does: repair the context, continue.  The
 * null read below faults on (%rax). */
static LONG CALLBACK program_vectored(EXCEPTION_POINTERS *ep)
{
	if (ep->ExceptionRecord->ExceptionCode != EXCEPTION_ACCESS_VIOLATION ||
	    ep->ContextRecord->Rax != 0)
		return EXCEPTION_CONTINUE_SEARCH;
	ep->ContextRecord->Rax = (DWORD64)(uintptr_t)&veh_scratch;
	return EXCEPTION_CONTINUE_EXECUTION;
}

int program_veh(const char *arg)
{
	int v;
	PVOID h = AddVectoredExceptionHandler(strcmp(arg, "first") == 0,
					      program_vectored);

	if (!h)
		return CRASHME_SETUP;
	__asm__ volatile("xor %%eax, %%eax\n"
			 "movl (%%rax), %%eax\n"
			 "movl %%eax, %0"
			 : "=r"(v)::"rax", "memory");
	RemoveVectoredExceptionHandler(h);
	fprintf(stderr, "recovered by the program's vectored handler: %d\n", v);
	return 0;
}

int uninstall_then_raise(const char *arg)
{
	(void)arg;
	/* Installed twice (idempotent), then removed: the fault must find
	 * the process as it was before faultline. */
	if (faultline_install(NULL) != 0 || faultline_install(NULL) != 0 ||
	    faultline_uninstall() != 0)
		return CRASHME_SETUP;
	signal(SIGSEGV, rearming);
	raise(SIGSEGV);
	abort();
}

/* A user callback that faults itself, with another code than the crash
 * it is called for: a fault inside the handler. */
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

int callback_fault(const char *arg)
{
	struct faultline_options o;

	(void)arg;
	faultline_options_init(&o);
	o.callback = faulting_callback;
	if (faultline_install(&o) != 0)
		return CRASHME_SETUP;
	crash_null_read();
	return CRASHME_SURVIVED;
}

/* --- a known call chain ------------------------------------------------ */

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

int call_chain(const char *arg)
{
	HMODULE k32 = GetModuleHandleW(L"kernel32.dll");
	HRESULT(WINAPI * set_name)
	(HANDLE, PCWSTR) = (HRESULT(WINAPI *)(HANDLE, PCWSTR))(
		void (*)(void))GetProcAddress(k32, "SetThreadDescription");

	(void)arg;
	if (set_name)
		set_name(GetCurrentThread(), L"fl-main");
	fl_test_level1();
	return CRASHME_SURVIVED;
}

/* --- the C runtime's own failure paths ---------------------------------
 * These run in both Windows children: crashme.exe (msvcrt.dll, mingw-w64's
 * default) and crashme-ucrt.exe (the same sources built for the UCRT:
 * ucrtbase.dll through api-ms-win-crt-*), while faultline's DLL uses
 * msvcrt.dll either way.  Under Wine only the UCRT routes invalid
 * parameters and purecalls to a handler: its msvcrt.dll has no
 * _set_invalid_parameter_handler nor _set_purecall_handler. */

static volatile int bad_fd = -1;

/* mingw-w64's startup code (crtexe.c) sets an invalid-parameter handler
 * that does nothing, so a mingw program's CRT calls return their error
 * and it runs on, with or without faultline.  Take it out first, as in an
 * MSVC-built program, whose default ends the process. */
static int install_without_mingw_handler(void)
{
	_set_invalid_parameter_handler(NULL);
	return faultline_install(NULL);
}

int invalid_parameter(const char *arg)
{
	(void)arg;
	if (install_without_mingw_handler() != 0)
		return CRASHME_SETUP;
	fprintf(stderr, "_close(-1) = %d\n", _close(bad_fd));
	return CRASHME_SURVIVED;
}

int invalid_parameter_format(const char *arg)
{
	static const char *volatile no_format;

	(void)arg;
	if (install_without_mingw_handler() != 0)
		return CRASHME_SETUP;
	fprintf(stderr, "fprintf(stderr, NULL) = %d\n",
		fprintf(stderr, no_format));
	return CRASHME_SURVIVED;
}

static void __cdecl program_invalid_handler(const wchar_t *expr,
					    const wchar_t *func,
					    const wchar_t *file, unsigned line,
					    uintptr_t reserved)
{
	(void)expr;
	(void)func;
	(void)file;
	(void)line;
	(void)reserved;
	fprintf(stderr, "program's invalid-parameter handler\n");
}

int invalid_parameter_chained(const char *arg)
{
	(void)arg;
	_set_invalid_parameter_handler(program_invalid_handler);
	if (faultline_install(NULL) != 0)
		return CRASHME_SETUP;
	fprintf(stderr, "_close(-1) = %d\n", _close(bad_fd));
	return CRASHME_SURVIVED;
}

int invalid_parameter_debug(const char *arg)
{
	_invalid_parameter_handler h;

	(void)arg;
	if (install_without_mingw_handler() != 0)
		return CRASHME_SETUP;
	h = _get_invalid_parameter_handler();
	if (!h)
		return CRASHME_SETUP;
	/* What a debug CRT (ucrtbased.dll) passes: the failed check, the
	 * function, its source file and line. */
	h(L"(fh >= 0 && (unsigned)fh < (unsigned)_nhandle)", L"_close",
	  L"minkernel\\crts\\ucrt\\src\\lowio\\close.cpp", 49, 0);
	return CRASHME_SURVIVED;
}

/* The CRT's own _purecall, which MSVC puts in the vtable slots of pure
 * virtual functions (g++ puts __cxa_pure_virtual there: see the C++
 * child). */
int __cdecl _purecall(void);

int crt_purecall(const char *arg)
{
	(void)arg;
	_purecall();
	return CRASHME_SURVIVED;
}

static void __cdecl program_purecall_handler(void)
{
	fprintf(stderr, "program's purecall handler\n");
}

int purecall_chained(const char *arg)
{
	(void)arg;
	_set_purecall_handler(program_purecall_handler);
	if (faultline_install(NULL) != 0)
		return CRASHME_SETUP;
	_purecall();
	return CRASHME_SURVIVED;
}

static void program_abort_handler(int sig)
{
	fprintf(stderr, "program's SIGABRT handler (%d)\n", sig);
}

int abort_chained(const char *arg)
{
	(void)arg;
	signal(SIGABRT, program_abort_handler);
	if (faultline_install(NULL) != 0)
		return CRASHME_SETUP;
	abort();
}

int raise_abort(const char *arg)
{
	(void)arg;
	raise(SIGABRT);
	return CRASHME_SURVIVED;
}

#ifdef _UCRT
#define purecall_handler_now _get_purecall_handler
#else
/* msvcrt.dll's import library has no _get_purecall_handler. */
static _purecall_handler purecall_handler_now(void)
{
	_purecall_handler h = _set_purecall_handler(NULL);

	_set_purecall_handler(h);
	return h;
}
#endif

/* SIGABRT's handler, left in place. */
static void (*abort_handler_now(void))(int)
{
	void (*h)(int) = signal(SIGABRT, SIG_DFL);

	signal(SIGABRT, h);
	return h;
}

static void say_handler(const char *what, int ours, const char *yes,
			const char *no)
{
	fprintf(stderr, "%s handler %s\n", what, ours ? yes : no);
}

/* Each handler faultline takes ("... handler taken" once installed) is
 * the program's again after uninstall ("... handler restored"). */
int crt_uninstall(const char *arg)
{
	(void)arg;
	_set_invalid_parameter_handler(program_invalid_handler);
	_set_purecall_handler(program_purecall_handler);
	signal(SIGABRT, program_abort_handler);
	if (faultline_install(NULL) != 0)
		return CRASHME_SETUP;
	say_handler("invalid-parameter",
		    _get_invalid_parameter_handler() == program_invalid_handler,
		    "NOT taken", "taken");
	say_handler("purecall",
		    purecall_handler_now() == program_purecall_handler,
		    "NOT taken", "taken");
	say_handler("SIGABRT", abort_handler_now() == program_abort_handler,
		    "NOT taken", "taken");
	if (faultline_uninstall() != 0)
		return CRASHME_SETUP;
	say_handler("invalid-parameter",
		    _get_invalid_parameter_handler() == program_invalid_handler,
		    "restored", "NOT restored");
	say_handler("purecall",
		    purecall_handler_now() == program_purecall_handler,
		    "restored", "NOT restored");
	say_handler("SIGABRT", abort_handler_now() == program_abort_handler,
		    "restored", "NOT restored");
	fflush(stderr);
	return 0;
}
