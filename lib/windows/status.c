/*
 * status.c - NTSTATUS exception codes in faultline's signal vocabulary.
 *
 * One table says, for each code faultline knows, which Linux signal and
 * si_code it corresponds to, its name, when the vectored handler acts on
 * it, and the report's cause where the signal alone does not say it.
 * Codes are named as <winnt.h> names them.  Codes not in the table pass
 * through untouched: a vectored handler sees every first-chance exception
 * of the process, and most of them (C++ throws, debug output, thread
 * naming, RPC) are not crashes.
 */
#include "win.h"

/* Not in mingw-w64's <winnt.h>: an x86 breakpoint in WOW64 code. */
#ifndef STATUS_WX86_BREAKPOINT
#define STATUS_WX86_BREAKPOINT ((DWORD)0x4000001F)
#endif

#define SEGV FAULTLINE_SIGSEGV
#define BUS FAULTLINE_SIGBUS
#define ILL FAULTLINE_SIGILL
#define FPE FAULTLINE_SIGFPE
#define ABRT FAULTLINE_SIGABRT
#define TRAP FAULTLINE_SIGTRAP
#define LATER FL_WIN_DEFERRED
#define NOW FL_WIN_IMMEDIATE
/* The cause is what the signal and code say, or what only the code can. */
#define BY_SIGNAL FAULTLINE_CAUSE_UNKNOWN
#define STACK FAULTLINE_CAUSE_STACK_OVERFLOW
#define HEAP FAULTLINE_CAUSE_HEAP_CORRUPTION
#define OVERRUN FAULTLINE_CAUSE_BUFFER_OVERRUN
#define INVALID_PARAMETER FAULTLINE_CAUSE_INVALID_PARAMETER

/*
 * LATER (FL_WIN_DEFERRED): an SEH frame (__try, IsBadReadPtr, a system
 * DLL probing memory) may still handle it, so only the unhandled-exception
 * filter reports it.  NOW (FL_WIN_IMMEDIATE): there is no sane recovery, and
 * waiting costs: after a stack overflow the dispatcher has ~1.9 KB left under
 * Wine, too little to walk the SEH chain and run a filter; heap corruption and
 * the fail-fast family mean the process state can no longer be trusted.
 */
static const struct fl_win_status table[] = {
	{STATUS_ACCESS_VIOLATION, SEGV, 1, "EXCEPTION_ACCESS_VIOLATION", LATER,
	 BY_SIGNAL},
	{STATUS_STACK_OVERFLOW, SEGV, 2, "EXCEPTION_STACK_OVERFLOW", NOW,
	 STACK},
	{STATUS_ARRAY_BOUNDS_EXCEEDED, SEGV, 3,
	 "EXCEPTION_ARRAY_BOUNDS_EXCEEDED", LATER, BY_SIGNAL},
	{STATUS_IN_PAGE_ERROR, BUS, 2, "EXCEPTION_IN_PAGE_ERROR", LATER,
	 BY_SIGNAL},
	{STATUS_DATATYPE_MISALIGNMENT, BUS, 1,
	 "EXCEPTION_DATATYPE_MISALIGNMENT", LATER, BY_SIGNAL},
	{STATUS_ILLEGAL_INSTRUCTION, ILL, 1, "EXCEPTION_ILLEGAL_INSTRUCTION",
	 LATER, BY_SIGNAL},
	{STATUS_PRIVILEGED_INSTRUCTION, ILL, 5, "EXCEPTION_PRIV_INSTRUCTION",
	 LATER, BY_SIGNAL},
	{STATUS_INTEGER_DIVIDE_BY_ZERO, FPE, 1, "EXCEPTION_INT_DIVIDE_BY_ZERO",
	 LATER, BY_SIGNAL},
	{STATUS_INTEGER_OVERFLOW, FPE, 2, "EXCEPTION_INT_OVERFLOW", LATER,
	 BY_SIGNAL},
	{STATUS_FLOAT_DENORMAL_OPERAND, FPE, 8,
	 "EXCEPTION_FLT_DENORMAL_OPERAND", LATER, BY_SIGNAL},
	{STATUS_FLOAT_DIVIDE_BY_ZERO, FPE, 3, "EXCEPTION_FLT_DIVIDE_BY_ZERO",
	 LATER, BY_SIGNAL},
	{STATUS_FLOAT_INEXACT_RESULT, FPE, 6, "EXCEPTION_FLT_INEXACT_RESULT",
	 LATER, BY_SIGNAL},
	{STATUS_FLOAT_INVALID_OPERATION, FPE, 7,
	 "EXCEPTION_FLT_INVALID_OPERATION", LATER, BY_SIGNAL},
	{STATUS_FLOAT_OVERFLOW, FPE, 4, "EXCEPTION_FLT_OVERFLOW", LATER,
	 BY_SIGNAL},
	{STATUS_FLOAT_STACK_CHECK, FPE, 8, "EXCEPTION_FLT_STACK_CHECK", LATER,
	 BY_SIGNAL},
	{STATUS_FLOAT_UNDERFLOW, FPE, 5, "EXCEPTION_FLT_UNDERFLOW", LATER,
	 BY_SIGNAL},
	{STATUS_FLOAT_MULTIPLE_FAULTS, FPE, 7, "STATUS_FLOAT_MULTIPLE_FAULTS",
	 LATER, BY_SIGNAL},
	{STATUS_FLOAT_MULTIPLE_TRAPS, FPE, 7, "STATUS_FLOAT_MULTIPLE_TRAPS",
	 LATER, BY_SIGNAL},
	{STATUS_HEAP_CORRUPTION, ABRT, -6, "STATUS_HEAP_CORRUPTION", NOW, HEAP},
	{STATUS_STACK_BUFFER_OVERRUN, ABRT, -6, "STATUS_STACK_BUFFER_OVERRUN",
	 NOW, OVERRUN},
	{STATUS_FATAL_APP_EXIT, ABRT, -6, "STATUS_FATAL_APP_EXIT", NOW,
	 BY_SIGNAL},
	{STATUS_INVALID_CRUNTIME_PARAMETER, ABRT, -6,
	 "STATUS_INVALID_CRUNTIME_PARAMETER", NOW, INVALID_PARAMETER},
	/* Breakpoints are how debuggers and assert-like code talk to each
	 * other; SIGTRAP is reported only when the program opts in, and then
	 * only if nothing handled the breakpoint. */
	{STATUS_BREAKPOINT, TRAP, 1, "EXCEPTION_BREAKPOINT", LATER, BY_SIGNAL},
	{STATUS_SINGLE_STEP, TRAP, 2, "EXCEPTION_SINGLE_STEP", LATER,
	 BY_SIGNAL},
	{STATUS_WX86_BREAKPOINT, TRAP, 1, "STATUS_WX86_BREAKPOINT", LATER,
	 BY_SIGNAL},
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
