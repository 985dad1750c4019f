/*
 * test-runtime.c - the C and C++ runtimes' own failure paths on Windows
 * (under Wine), which raise no exception a filter would see: invalid
 * parameters, pure virtual calls, abort(), std::terminate.  Each is
 * reported with its cause and the backtrace of the thread where it
 * happened, then ends as it would without faultline; the program's own
 * handlers are called, and are back after faultline_uninstall.
 *
 * Which child: Wine's msvcrt.dll routes neither invalid parameters nor
 * purecalls to a handler (it exports no _set_invalid_parameter_handler,
 * no _set_purecall_handler: both return an error or exit 255 with no
 * handler called), so those paths run in crashme-ucrt.exe, the same
 * scenarios on the UCRT (Wine's ucrtbase.dll); abort() runs on both.
 * The C++ ones run in crashme-cxx.exe (g++, libstdc++-6.dll).
 */
#include <string.h>

#include "harness.h"

#define STATUS_FAIL_FAST 0xC0000409ul /* __fastfail's exit status */
#define INVALID_PARAMETER_SIGNAL                                               \
	"SIGABRT (6), exception STATUS_INVALID_CRUNTIME_PARAMETER "            \
	"(0xc0000417)"
#define INVALID_PARAMETER "invalid parameter passed to a C runtime function"

/* A frame of the report's backtrace is in function name. */
static void check_frame(const struct run *r, const char *name)
{
	struct frame f[64];
	unsigned long long omitted, announced;
	size_t n = parse_frames(r->err, f, 64, &omitted, &announced);
	int found = 0;

	for (size_t i = 0; i < n && !found; i++)
		found = strcmp(f[i].symbol, name) == 0;
	CHECK(found, "no frame in %s in the backtrace:\n%s", name, r->err);
}

/* --- invalid parameters ------------------------------------------------ */

/* _close(-1): the report, then the status Windows' default handler ends
 * with (fail-fast); the call does not return.  Without the handler, Wine
 * returns -1 and the program runs on. */
TEST(invalid_parameter_bad_fd)
{
	const struct run *r =
		crash_test(CHILD_UCRT, "invalid-parameter", STATUS_FAIL_FAST,
			   INVALID_PARAMETER_SIGNAL, INVALID_PARAMETER);

	check_lacks("stderr", r->err, "_close(-1) =");
	check_frame(r, "invalid_parameter");
	return 0;
}

/* A NULL format string. */
TEST(invalid_parameter_null_format)
{
	const struct run *r = crash_test(
		CHILD_UCRT, "invalid-parameter-format", STATUS_FAIL_FAST,
		INVALID_PARAMETER_SIGNAL, INVALID_PARAMETER);

	check_frame(r, "invalid_parameter_format");
	return 0;
}

/* What a debug CRT passes shows in the cause: function, file, line and
 * the check that failed. */
TEST(invalid_parameter_debug_crt)
{
	crash_test(CHILD_UCRT, "invalid-parameter-debug", STATUS_FAIL_FAST,
		   INVALID_PARAMETER_SIGNAL,
		   INVALID_PARAMETER
		   ": _close in "
		   "minkernel\\\\crts\\\\ucrt\\\\src\\\\lowio\\\\"
		   "close.cpp:49 (failed check: (fh >= 0 && "
		   "(unsigned)fh < (unsigned)_nhandle))");
	return 0;
}

/* The program's own handler decides: it is called, and the program goes
 * on (no report). */
TEST(invalid_parameter_chained)
{
	const struct run *r =
		run_scenario(CHILD_UCRT, "invalid-parameter-chained", NULL);

	check_exited(r, 4);
	check_has("stderr", r->err, "program's invalid-parameter handler");
	check_has("stderr", r->err, "_close(-1) = -1");
	check_lacks("stderr", r->err, "faultline");
	return 0;
}

/* --- pure virtual calls ------------------------------------------------ */

/* The CRT's _purecall (MSVC's vtables): the report, then the CRT's own
 * end (Wine: "R6025" and exit code 255; Windows' UCRT: abort()). */
TEST(purecall_crt)
{
	const struct run *r = crash_test(CHILD_UCRT, "purecall", 255, NULL,
					 "pure virtual function call");

	check_has("report", r->err,
		  "\nsignal: SIGABRT (6), code CRT pure "
		  "virtual call (-6)");
	check_frame(r, "crt_purecall");
	return 0;
}

/* The program's purecall handler runs after the report. */
TEST(purecall_chained)
{
	const struct run *r = crash_test(CHILD_UCRT, "purecall-chained", 255,
					 NULL, "pure virtual function call");
	const char *end = strstr(r->err, "==== end of faultline report");

	CHECK(end && strstr(end, "program's purecall handler"),
	      "the program's handler did not run after the report:\n%s",
	      r->err);
	return 0;
}

/* g++'s pure virtual calls: __cxa_pure_virtual prints its message and
 * calls std::terminate, then abort() (exit code 3). */
TEST(pure_virtual_call_gxx)
{
	const struct run *r = crash_test(CHILD_CXX, "cxa-pure-virtual", 3, NULL,
					 "pure virtual function call");

	check_has("stderr", r->err, "pure virtual method called");
	check_frame(r, "cxa_pure_virtual");
	return 0;
}

/* A constructor calling a pure virtual function, as mingw-w64 g++ 12
 * builds it: a null vtable slot (scenarios-cxx.cpp), a call through a
 * null pointer, reported as such, in the constructor's call. */
TEST(pure_virtual_call_from_constructor)
{
	const struct run *r =
		crash_test(CHILD_CXX, "pure-virtual-call", 0xC0000005ul, NULL,
			   "call through a null function pointer");

	check_lacks("stderr", r->err, "Derived::run");
	return 0;
}

/* --- abort() ----------------------------------------------------------- */

/* abort() in a program on the UCRT, whose SIGABRT slot is not the one
 * faultline's DLL (msvcrt.dll) sees: exit code 3 as the CRT ends. */
TEST(abort_ucrt)
{
	const struct run *r =
		crash_test(CHILD_UCRT, "abort", 3, NULL, "abort() called");

	check_has("report", r->err, "\nsignal: SIGABRT (6)");
	check_frame(r, "call_abort");
	return 0;
}

/* The program's own SIGABRT handler runs after the report, in both
 * CRTs. */
static void abort_chained(enum child_kind child)
{
	const struct run *r =
		crash_test(child, "abort-chained", 3, NULL, "abort() called");
	const char *end = strstr(r->err, "==== end of faultline report");

	CHECK(end && strstr(end, "program's SIGABRT handler (22)"),
	      "the program's handler did not run after the report:\n%s",
	      r->err);
}

TEST(abort_chained_msvcrt)
{
	abort_chained(CHILD_LINKED);
	return 0;
}

TEST(abort_chained_ucrt)
{
	abort_chained(CHILD_UCRT);
	return 0;
}

/* raise(SIGABRT) with no handler of the program's ends as SIG_DFL does:
 * exit code 3, not back in the program. */
TEST(raise_abort)
{
	const struct run *r = crash_test(CHILD_UCRT, "raise-abort", 3, NULL,
					 "abort() called");

	check_lacks("stdout", r->out, "survived");
	return 0;
}

/* --- std::terminate ---------------------------------------------------- */

/* An uncaught exception: its type and what(), then libstdc++'s own
 * terminate handler (its message) and abort()'s exit code 3. */
static void uncaught(const char *arg, const char *cause, const char *type)
{
	struct spawn sp = {.kind = CHILD_CXX,
			   .args = {"uncaught-exception", arg}};
	const struct run *r = crash_spawn(&sp, 3, NULL, cause);
	char said[128];

	check_has("report", r->err,
		  "\nsignal: SIGABRT (6), code C++ std::terminate() (-6)");
	snprintf(said, sizeof(said),
		 "terminate called after throwing an instance of '%s'", type);
	check_has("stderr", r->err, said);
	check_frame(r, "throw_it");
}

TEST(uncaught_std_exception)
{
	uncaught("std",
		 "uncaught C++ exception std::runtime_error: boom from "
		 "faultline test",
		 "std::runtime_error");
	return 0;
}

TEST(uncaught_custom_exception)
{
	uncaught("custom",
		 "uncaught C++ exception fltest::bad_thing: custom what",
		 "fltest::bad_thing");
	return 0;
}

TEST(uncaught_int)
{
	uncaught("int", "uncaught C++ exception int", "int");
	return 0;
}

/* The program's terminate handler runs after the report. */
TEST(terminate_chained)
{
	const struct run *r = crash_test(
		CHILD_CXX, "terminate-chained", 3, NULL,
		"uncaught C++ exception std::runtime_error: boom from "
		"faultline test");
	const char *end = strstr(r->err, "==== end of faultline report");

	CHECK(end && strstr(end, "program's terminate handler"),
	      "the program's handler did not run after the report:\n%s",
	      r->err);
	return 0;
}

/* --- uninstall --------------------------------------------------------- */

/* Every handler faultline took is the program's again. */
TEST(uninstall_restores_crt_handlers)
{
	const struct run *r = run_scenario(CHILD_UCRT, "crt-uninstall", NULL);

	check_exited(r, 0);
	check_has("stderr", r->err, "invalid-parameter handler taken");
	check_has("stderr", r->err, "purecall handler taken");
	check_has("stderr", r->err, "SIGABRT handler taken");
	check_has("stderr", r->err, "invalid-parameter handler restored");
	check_has("stderr", r->err, "purecall handler restored");
	check_has("stderr", r->err, "SIGABRT handler restored");
	return 0;
}

TEST(uninstall_restores_msvcrt_abort)
{
	const struct run *r = run_scenario(CHILD_LINKED, "crt-uninstall", NULL);

	/* Wine's msvcrt.dll: SIGABRT only (see the top of this file); the
	 * other two are mingw-w64's stand-ins, in the program itself. */
	check_exited(r, 0);
	check_has("stderr", r->err, "SIGABRT handler taken");
	check_has("stderr", r->err, "SIGABRT handler restored");
	return 0;
}

/* After uninstall, an uncaught exception reaches the program's terminate
 * handler alone: no report. */
TEST(uninstall_restores_terminate)
{
	const struct run *r = run_scenario(CHILD_CXX, "cxx-uninstall", NULL);

	check_died(r, 3);
	check_has("stderr", r->err, "terminate handler restored");
	check_has("stderr", r->err, "program's terminate handler");
	check_lacks("stderr", r->err, "faultline");
	return 0;
}
