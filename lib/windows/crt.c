/*
 * crt.c - the C runtime's own failure paths, which raise no exception
 * that a vectored handler or an unhandled-exception filter would see:
 *
 *   invalid parameter  a CRT function given a bad argument (a bad fd to
 *                      _close, a NULL format, strcpy_s overflowing) calls
 *                      the invalid-parameter handler; the default ends the
 *                      process by __fastfail (0xC0000409) on Windows 8 and
 *                      later, without any filter being called.
 *   _purecall          MSVC-built code calling a pure virtual function
 *                      calls the purecall handler, then abort().
 *   abort()            calls the SIGABRT handler, then ends the process:
 *                      _exit(3), or __fastfail where _set_abort_behavior's
 *                      _CALL_REPORTFAULT is set (the UCRT's release
 *                      default).
 *
 * Every C runtime DLL has its own handlers, and the program may use
 * another CRT than faultline's DLL does (mingw-w64 links msvcrt.dll or,
 * with a UCRT toolchain, ucrtbase.dll through api-ms-win-crt-*): so the
 * handlers are set, through GetProcAddress, in every CRT DLL loaded at
 * install, each slot with its own trampolines that know whose handler
 * they replaced.
 *
 * Each handler keeps the program's earlier handler and calls it, and then
 * the process ends as it would have without faultline:
 *
 *   invalid parameter  with a handler of the program's: that handler
 *                      alone (it chose to go on; mingw-w64's start-up
 *                      code sets one that does nothing).  Without: the
 *                      report, then exit status 0xC0000409, what Windows'
 *                      default gives (Wine 8's ucrtbase raises 0xC0000417
 *                      instead; its msvcrt.dll has no handler to set).
 *   purecall           the report, the program's handler, then back to
 *                      the CRT, which goes on to abort() (UCRT) or exits
 *                      255 after "R6025" (msvcrt.dll, Wine).
 *   SIGABRT            the report, the program's handler, then back to
 *                      abort(), which ends the process its own way; a
 *                      raise(SIGABRT) the program had no handler for ends
 *                      as SIG_DFL does, _exit(3).
 */
#include "win.h"

#include <signal.h>

#include "platform.h"
#include "sink.h"
#include "str.h"

typedef void(__cdecl *invalid_fn)(const wchar_t *expr, const wchar_t *func,
				  const wchar_t *file, unsigned line,
				  uintptr_t reserved);
typedef invalid_fn(__cdecl *set_invalid_fn)(invalid_fn);
typedef void(__cdecl *purecall_fn)(void);
typedef purecall_fn(__cdecl *set_purecall_fn)(purecall_fn);
typedef void(__cdecl *sig_fn)(int);
typedef sig_fn(__cdecl *signal_fn)(int, sig_fn);
typedef void(__cdecl *exit_fn)(int);

/* The CRT DLLs a program may use: the system's msvcrt.dll (mingw-w64's
 * default), the UCRT (ucrtbase.dll; ucrtbased.dll is its debug build,
 * which names the function, file and line of an invalid parameter), and
 * the Visual C++ 2005-2013 runtimes. */
static const wchar_t *const crt_names[] = {
	L"msvcrt.dll",	 L"ucrtbase.dll", L"ucrtbased.dll", L"msvcr120.dll",
	L"msvcr110.dll", L"msvcr100.dll", L"msvcr90.dll",   L"msvcr80.dll",
};
#define CRT_SLOTS (sizeof(crt_names) / sizeof(crt_names[0]))

struct crt {
	HMODULE mod;
	set_invalid_fn set_invalid, set_invalid_tl;
	set_purecall_fn set_purecall;
	signal_fn signal;
	exit_fn exit_now;
	uintptr_t abort_fn;
	/* What was there before us. */
	invalid_fn prev_invalid, prev_invalid_tl;
	purecall_fn prev_purecall;
	sig_fn prev_abrt;
	DWORD tl_thread; /* where prev_invalid_tl is the thread's handler */
	int invalid_hooked, tl_hooked, purecall_hooked, abrt_hooked;
};
static struct crt crts[CRT_SLOTS];
static volatile LONG on;

/* How far up a handler looks for the runtime that called it. */
#define FL_CRT_DEPTH 8

/* --- the reports ------------------------------------------------------- */

/* The cause line of the first runtime failure; written by the thread that
 * wins text_owner, read by the reporter thread. */
static char text[sizeof(((struct faultline_fault *)0)->cause_text)];
static volatile LONG text_owner;

static const char *claim_text(void)
{
	LONG me = (LONG)GetCurrentThreadId();
	LONG prev = InterlockedCompareExchange(&text_owner, me, 0);

	return prev == 0 || prev == me ? text : NULL;
}

static void put_wide(struct fl_sink *s, const wchar_t *w)
{
	char utf8[256];

	fl_win_utf16_to_utf8(w, (size_t)lstrlenW(w), utf8, sizeof(utf8));
	fl_sink_str(s, utf8); /* escaped when rendered */
}

/* "invalid parameter passed to a C runtime function: FUNC in FILE:LINE
 * (failed check: EXPR)", with what the CRT gave: a release CRT gives
 * nothing. */
static const char *invalid_text(const wchar_t *expr, const wchar_t *func,
				const wchar_t *file, unsigned line)
{
	struct fl_sink s;

	if (!claim_text())
		return NULL;
	fl_sink_init_memory(&s, text, sizeof(text));
	fl_sink_str(&s, "invalid parameter passed to a C runtime function");
	if (func && func[0]) {
		fl_sink_str(&s, ": ");
		put_wide(&s, func);
	}
	if (file && file[0]) {
		fl_sink_str(&s, func && func[0] ? " in " : ": ");
		put_wide(&s, file);
		fl_sink_char(&s, ':');
		fl_sink_dec(&s, line);
	}
	if (expr && expr[0]) {
		fl_sink_str(&s, " (failed check: ");
		put_wide(&s, expr);
		fl_sink_char(&s, ')');
	}
	return text;
}

/* Report from where the runtime c called us, code 0 (no exception: the
 * CRT's own path, SIGABRT as capture.c describes it) unless given. */
static void report(struct crt *c, DWORD code, const struct fl_win_why *why,
		   int back)
{
	EXCEPTION_RECORD rec;
	CONTEXT ctx;

	fl_memset(&rec, 0, sizeof(rec));
	fl_win_context_in(&ctx, c->mod, FL_CRT_DEPTH);
	rec.ExceptionCode = code;
	rec.ExceptionAddress = (PVOID)ctx.Rip;
	if (back)
		fl_win_report_why(&rec, &ctx, 3, 0, why);
	else
		fl_win_crash_why(&rec, &ctx, STATUS_STACK_BUFFER_OVERRUN, 0,
				 why);
}

/* --- the handlers ------------------------------------------------------ */

static void on_invalid(struct crt *c, invalid_fn prev, const wchar_t *expr,
		       const wchar_t *func, const wchar_t *file, unsigned line,
		       uintptr_t reserved)
{
	struct fl_win_why why = {FAULTLINE_CAUSE_INVALID_PARAMETER, NULL, NULL};

	if (prev) {
		prev(expr, func, file, line, reserved);
		return;
	}
	if (!on || fl_win_reported_here())
		return;
	why.text = invalid_text(expr, func, file, line);
	/* Windows' default: __fastfail(FAST_FAIL_INVALID_ARG). */
	report(c, STATUS_INVALID_CRUNTIME_PARAMETER, &why, 0);
}

static void on_purecall(struct crt *c)
{
	static const struct fl_win_why why = {FAULTLINE_CAUSE_PURE_VIRTUAL_CALL,
					      "CRT pure virtual call", NULL};

	if (on && !fl_win_reported_here())
		report(c, 0, &why, 1);
	if (c->prev_purecall)
		c->prev_purecall();
	/* Back to _purecall: abort(), or R6025 and exit code 255. */
}

static void on_abrt(struct crt *c, int sig, sig_fn self)
{
	static const struct fl_win_why why = {FAULTLINE_CAUSE_ABORT, NULL,
					      NULL};
	sig_fn prev = c->prev_abrt;
	int from_abort =
		c->abort_fn && fl_win_called_from(c->abort_fn, FL_CRT_DEPTH);

	if (prev == SIG_IGN && !from_abort) {
		/* An ignored raise(SIGABRT): the CRT took our handler out of
		 * its slot to call it; as if ignored, put it back. */
		c->signal(SIGABRT, self);
		return;
	}
	if (on && !fl_win_reported_here())
		report(c, 0, &why, 1);
	if (prev != SIG_DFL && prev != SIG_IGN && prev != SIG_ERR && prev)
		prev(sig);
	else if (prev == SIG_DFL && !from_abort && c->exit_now)
		c->exit_now(3); /* what SIG_DFL does for SIGABRT */
	/* Back in abort(): it ends the process its own way. */
}

/* Each slot's trampolines: the CRT calls them with nothing that says
 * which CRT it is. */
#define SLOT(i)                                                                \
	static void __cdecl invalid_##i(const wchar_t *e, const wchar_t *f,    \
					const wchar_t *file, unsigned line,    \
					uintptr_t r)                           \
	{                                                                      \
		on_invalid(&crts[i], crts[i].prev_invalid, e, f, file, line,   \
			   r);                                                 \
	}                                                                      \
	static void __cdecl invalid_tl_##i(const wchar_t *e, const wchar_t *f, \
					   const wchar_t *file, unsigned line, \
					   uintptr_t r)                        \
	{                                                                      \
		on_invalid(&crts[i], crts[i].prev_invalid_tl, e, f, file,      \
			   line, r);                                           \
	}                                                                      \
	static void __cdecl purecall_##i(void)                                 \
	{                                                                      \
		on_purecall(&crts[i]);                                         \
	}                                                                      \
	static void __cdecl abrt_##i(int sig)                                  \
	{                                                                      \
		on_abrt(&crts[i], sig, abrt_##i);                              \
	}
SLOT(0)
SLOT(1)
SLOT(2)
SLOT(3)
SLOT(4)
SLOT(5)
SLOT(6)
SLOT(7)
#undef SLOT

static const struct {
	invalid_fn invalid, invalid_tl;
	purecall_fn purecall;
	sig_fn abrt;
} hooks[] = {
#define HOOKS(i)                                                               \
	{                                                                      \
		invalid_##i, invalid_tl_##i, purecall_##i, abrt_##i            \
	}
	HOOKS(0), HOOKS(1), HOOKS(2), HOOKS(3),
	HOOKS(4), HOOKS(5), HOOKS(6), HOOKS(7),
#undef HOOKS
};
_Static_assert(sizeof(hooks) / sizeof(hooks[0]) == CRT_SLOTS,
	       "a trampoline set for each CRT");

/* --- install ----------------------------------------------------------- */

static void (*lookup(HMODULE m, const char *name))(void)
{
	return (void (*)(void))GetProcAddress(m, name);
}

static void find_crt(struct crt *c, HMODULE m)
{
	c->mod = m;
	c->set_invalid =
		(set_invalid_fn)lookup(m, "_set_invalid_parameter_handler");
	c->set_invalid_tl = (set_invalid_fn)lookup(
		m, "_set_thread_local_invalid_parameter_handler");
	c->set_purecall = (set_purecall_fn)lookup(m, "_set_purecall_handler");
	c->signal = (signal_fn)lookup(m, "signal");
	c->exit_now = (exit_fn)lookup(m, "_exit");
	c->abort_fn = (uintptr_t)lookup(m, "abort");
}

static void hook(struct crt *c, size_t i)
{
	if (c->set_invalid && !c->invalid_hooked) {
		c->prev_invalid = c->set_invalid(hooks[i].invalid);
		c->invalid_hooked = 1;
	}
	/* A thread-local handler wins over the global one, on its thread:
	 * where the program set one on this thread, stand in for it too.
	 * (Other threads' are out of reach: the CRT sets them only on the
	 * calling thread.) */
	if (c->set_invalid_tl && !c->tl_hooked) {
		invalid_fn prev = c->set_invalid_tl(hooks[i].invalid_tl);

		if (prev) {
			c->prev_invalid_tl = prev;
			c->tl_thread = GetCurrentThreadId();
			c->tl_hooked = 1;
		} else {
			c->set_invalid_tl(NULL);
		}
	}
	if (c->set_purecall && !c->purecall_hooked) {
		c->prev_purecall = c->set_purecall(hooks[i].purecall);
		c->purecall_hooked = 1;
	}
	if (c->signal && !c->abrt_hooked) {
		sig_fn prev = c->signal(SIGABRT, hooks[i].abrt);

		if (prev != SIG_ERR) {
			c->prev_abrt = prev;
			c->abrt_hooked = 1;
		}
	}
}

/* Put back what the program had, where our handler is still in place:
 * restoring over a later owner would silently unhook it.  A handler
 * left in place (a thread-local one, when uninstalling on another
 * thread) only passes calls on to what it replaced. */
static void unhook(struct crt *c, size_t i)
{
	if (c->invalid_hooked) {
		invalid_fn cur = c->set_invalid(c->prev_invalid);

		if (cur != hooks[i].invalid)
			c->set_invalid(cur);
		c->invalid_hooked = 0;
	}
	if (c->tl_hooked && c->tl_thread == GetCurrentThreadId()) {
		invalid_fn cur = c->set_invalid_tl(c->prev_invalid_tl);

		if (cur != hooks[i].invalid_tl)
			c->set_invalid_tl(cur);
		c->tl_hooked = 0;
	}
	if (c->purecall_hooked) {
		purecall_fn cur = c->set_purecall(c->prev_purecall);

		if (cur != hooks[i].purecall)
			c->set_purecall(cur);
		c->purecall_hooked = 0;
	}
	if (c->abrt_hooked) {
		sig_fn cur = c->signal(SIGABRT, c->prev_abrt);

		if (cur != hooks[i].abrt && cur != SIG_ERR)
			c->signal(SIGABRT, cur);
		c->abrt_hooked = 0;
	}
}

void fl_win_crt_hook(int want)
{
	for (size_t i = 0; i < CRT_SLOTS; i++) {
		struct crt *c = &crts[i];

		if (want) {
			/* Only CRTs already loaded: loading one would give
			 * the process a CRT it does not use. */
			HMODULE m = GetModuleHandleW(crt_names[i]);

			if (!m)
				continue;
			if (c->mod != m) { /* first time, or reloaded */
				fl_memset(c, 0, sizeof(*c));
				find_crt(c, m);
			}
			hook(c, i);
		} else if (c->mod) {
			unhook(c, i);
		}
	}
	InterlockedExchange(&on, want);
}
