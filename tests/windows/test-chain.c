/*
 * test-chain.c - handlers the program sets after faultline's install, on
 * Windows (issue 11, under Wine): an unhandled-exception filter and a CRT
 * signal(SIGSEGV) handler run first and decide; where they do not end
 * the process or continue it, faultline reports and the process ends as
 * it would have.  A runtime's own vectored handlers and SEH frames keep
 * handling what they handle.
 */
#include "harness.h"

#include <string.h>

#define AV 0xC0000005ul
#define AV_SIGNAL                                                              \
	"SIGSEGV (11), exception EXCEPTION_ACCESS_VIOLATION (0xc0000005)"

/* The program's words came before the report. */
static void check_before_report(const struct run *r, const char *words)
{
	const char *said = strstr(r->err, words);
	const char *report = strstr(r->err, "==== faultline");

	CHECK(said && report && said < report, "no '%s' before the report:\n%s",
	      words, r->err);
}

static const struct run *late_filter(const char *action)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"late-filter", action}};

	return crash_spawn(&sp, AV, AV_SIGNAL, "null pointer dereference");
}

/* A filter set after faultline that returns EXCEPTION_CONTINUE_SEARCH:
 * it runs, then the report, and the fault's own exit code. */
TEST(late_filter_continue_search)
{
	check_before_report(late_filter("search"),
			    "program's filter: 0xc0000005");
	return 0;
}

/* EXCEPTION_EXECUTE_HANDLER from a top-level filter ends the process
 * silently with the exception code: the report is added. */
TEST(late_filter_execute_handler)
{
	check_before_report(late_filter("execute"),
			    "program's filter: 0xc0000005");
	return 0;
}

/* A filter that chains to the one it replaced (faultline's). */
TEST(late_filter_chains)
{
	check_before_report(late_filter("chain"),
			    "program's filter: 0xc0000005");
	return 0;
}

/* faultline took the slot back while a fault an SEH frame handled was
 * dispatched: the program's filter still runs first at the crash. */
TEST(late_filter_after_handled_fault)
{
	const struct run *r = late_filter("search,handled");

	check_has("stderr", r->err, "SEH caught 0xc0000005");
	check_before_report(r, "program's filter: 0xc0000005");
	return 0;
}

/* A filter that ends the process itself: its exit code, no report. */
TEST(late_filter_exits)
{
	const struct run *r = run_scenario(CHILD_LINKED, "late-filter", "exit");

	check_exited(r, 42);
	check_has("stderr", r->err, "program's filter: 0xc0000005");
	check_lacks("stderr", r->err, "faultline");
	return 0;
}

/* signal(SIGSEGV) after faultline, a handler that longjmps out: the
 * program recovered, as without faultline. */
TEST(late_signal_longjmp)
{
	const struct run *r =
		run_scenario(CHILD_LINKED, "late-signal", "longjmp");

	check_exited(r, 0);
	check_has("stderr", r->err, "program's SIGSEGV handler (11)");
	check_has("stderr", r->err, "recovered");
	check_lacks("stderr", r->err, "faultline");
	return 0;
}

/* A handler that returns: the CRT would re-run the fault; reported once
 * the handler has run. */
TEST(late_signal_returns)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"late-signal", "return"}};
	const struct run *r =
		crash_spawn(&sp, AV, AV_SIGNAL, "null pointer dereference");

	check_before_report(r, "program's SIGSEGV handler (11)");
	return 0;
}

/* A handler that raises SIGSEGV again: the original fault is reported,
 * then exit code 3, what raise() with SIG_DFL gives without faultline. */
TEST(late_signal_reraises)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"late-signal", "raise"}};
	const struct run *r =
		crash_spawn(&sp, 3, AV_SIGNAL, "null pointer dereference");

	check_before_report(r, "program's SIGSEGV handler (11)");
	return 0;
}

/* The control: without faultline the re-raise ends with exit code 3. */
TEST(late_signal_reraises_control)
{
	struct spawn sp = {.kind = CHILD_LINKED,
			   .args = {"late-signal", "raise"},
			   .env = {"FAULTLINE_DISABLE=1"}};
	const struct run *r = spawn(&sp);

	check_exited(r, 3);
	return 0;
}

/* A runtime's vectored handler repairs the fault and continues, added
 * before or after faultline's in the list: no report. */
static void program_veh(const char *where)
{
	const struct run *r = run_scenario(CHILD_LINKED, "program-veh", where);

	check_exited(r, 0);
	check_has("stderr", r->err,
		  "recovered by the program's vectored handler: 7");
	check_lacks("stderr", r->err, "faultline");
}

TEST(program_vectored_handler_first)
{
	program_veh("first");
	return 0;
}

TEST(program_vectored_handler_last)
{
	program_veh("last");
	return 0;
}
