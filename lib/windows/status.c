/*
 * status.c - NTSTATUS exception codes in faultline's signal vocabulary.
 *
 * One table says, for each code faultline knows, which Linux signal and
 * si_code it corresponds to, its name, and when the vectored handler acts
 * on it.  Codes not in the table pass through untouched: a vectored
 * handler sees every first-chance exception of the process, and most of
 * them (C++ throws, debug output, thread naming, RPC) are not crashes.
 */
#include "win.h"

#define SEGV FAULTLINE_SIGSEGV
#define BUS FAULTLINE_SIGBUS
#define ILL FAULTLINE_SIGILL
#define FPE FAULTLINE_SIGFPE
#define ABRT FAULTLINE_SIGABRT
#define TRAP FAULTLINE_SIGTRAP

/*
 * DEFERRED: an SEH frame (__try, IsBadReadPtr, a system DLL probing
 * memory) may still handle it, so only the unhandled-exception filter
 * reports it.  IMMEDIATE: there is no sane recovery, and waiting costs:
 * after a stack overflow the dispatcher has ~1.9 KB left under Wine, too
 * little to walk the SEH chain and run a filter; heap corruption and the
 * fail-fast family mean the process state can no longer be trusted.
 */
static const struct fl_win_status table[] = {
	{0xC0000005u, SEGV, 1, "EXCEPTION_ACCESS_VIOLATION", FL_WIN_DEFERRED},
	{0xC00000FDu, SEGV, 2, "EXCEPTION_STACK_OVERFLOW", FL_WIN_IMMEDIATE},
	{0xC000008Cu, SEGV, 3, "EXCEPTION_ARRAY_BOUNDS_EXCEEDED",
	 FL_WIN_DEFERRED},
	{0xC0000006u, BUS, 2, "EXCEPTION_IN_PAGE_ERROR", FL_WIN_DEFERRED},
	{0x80000002u, BUS, 1, "EXCEPTION_DATATYPE_MISALIGNMENT",
	 FL_WIN_DEFERRED},
	{0xC000001Du, ILL, 1, "EXCEPTION_ILLEGAL_INSTRUCTION", FL_WIN_DEFERRED},
	{0xC0000096u, ILL, 5, "EXCEPTION_PRIV_INSTRUCTION", FL_WIN_DEFERRED},
	{0xC0000094u, FPE, 1, "EXCEPTION_INT_DIVIDE_BY_ZERO", FL_WIN_DEFERRED},
	{0xC0000095u, FPE, 2, "EXCEPTION_INT_OVERFLOW", FL_WIN_DEFERRED},
	{0xC000008Du, FPE, 8, "EXCEPTION_FLT_DENORMAL_OPERAND",
	 FL_WIN_DEFERRED},
	{0xC000008Eu, FPE, 3, "EXCEPTION_FLT_DIVIDE_BY_ZERO", FL_WIN_DEFERRED},
	{0xC000008Fu, FPE, 6, "EXCEPTION_FLT_INEXACT_RESULT", FL_WIN_DEFERRED},
	{0xC0000090u, FPE, 7, "EXCEPTION_FLT_INVALID_OPERATION",
	 FL_WIN_DEFERRED},
	{0xC0000091u, FPE, 4, "EXCEPTION_FLT_OVERFLOW", FL_WIN_DEFERRED},
	{0xC0000092u, FPE, 8, "EXCEPTION_FLT_STACK_CHECK", FL_WIN_DEFERRED},
	{0xC0000093u, FPE, 5, "EXCEPTION_FLT_UNDERFLOW", FL_WIN_DEFERRED},
	{0xC00002B4u, FPE, 7, "STATUS_FLOAT_MULTIPLE_FAULTS", FL_WIN_DEFERRED},
	{0xC00002B5u, FPE, 7, "STATUS_FLOAT_MULTIPLE_TRAPS", FL_WIN_DEFERRED},
	{0xC0000374u, ABRT, -6, "STATUS_HEAP_CORRUPTION", FL_WIN_IMMEDIATE},
	{0xC0000409u, ABRT, -6, "STATUS_STACK_BUFFER_OVERRUN",
	 FL_WIN_IMMEDIATE},
	{0x40000015u, ABRT, -6, "STATUS_FATAL_APP_EXIT", FL_WIN_IMMEDIATE},
	{0xC0000417u, ABRT, -6, "STATUS_INVALID_CRUNTIME_PARAMETER",
	 FL_WIN_IMMEDIATE},
	/* Breakpoints are how debuggers and assert-like code talk to each
	 * other; SIGTRAP is reported only when the program opts in, and then
	 * only if nothing handled the breakpoint. */
	{0x80000003u, TRAP, 1, "EXCEPTION_BREAKPOINT", FL_WIN_DEFERRED},
	{0x80000004u, TRAP, 2, "EXCEPTION_SINGLE_STEP", FL_WIN_DEFERRED},
	{0x4000001Fu, TRAP, 1, "STATUS_WX86_BREAKPOINT", FL_WIN_DEFERRED},
};

/* Codes that are never a crash by themselves.  They would pass anyway
 * (not in the table), but naming them keeps the filtering reviewable. */
static const uint32_t benign[] = {
	0x40010006u, /* DBG_PRINTEXCEPTION_C: OutputDebugStringA */
	0x4001000Au, /* DBG_PRINTEXCEPTION_WIDE_C: OutputDebugStringW */
	0x406D1388u, /* MS_VC_EXCEPTION: SetThreadName convention */
	0xE06D7363u, /* MSVC C++ throw ('msc') */
	0xE0434352u, /* CLR exception ('CCR') */
	0xE0434F4Du, /* CLR exception, .NET 1.x ('COM') */
	0x20474343u, /* GCC SEH unwinder: throw ('GCC') */
	0x21474343u, /* GCC SEH unwinder: unwind */
	0x22474343u, /* GCC SEH unwinder: forced unwind / colliding */
	0x000006BAu, /* RPC_S_SERVER_UNAVAILABLE */
	0x000006BEu, /* RPC_S_CALL_FAILED */
	0x000006BFu, /* RPC_S_CALL_FAILED_DNE */
	0x80010108u, /* RPC_E_DISCONNECTED */
	0x800706BAu, /* HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE) */
	0x800706BEu, /* HRESULT_FROM_WIN32(RPC_S_CALL_FAILED) */
};

const struct fl_win_status *fl_win_status_find(uint32_t code)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].code == code)
			return &table[i];
	return NULL;
}

int fl_win_status_benign(uint32_t code)
{
	for (size_t i = 0; i < sizeof(benign) / sizeof(benign[0]); i++)
		if (benign[i] == code)
			return 1;
	return 0;
}
