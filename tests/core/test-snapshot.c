/*
 * test-snapshot.c - the snapshot's platform-neutral rules: the head/tail
 * rule for deep backtraces, the cause line, signal and si_code names, and
 * finding a module by address.
 */
#include "unit.h"
#include "render.h"
#include "snapshot.h"

#include <string.h>

static struct faultline_fault f;

static void feed(size_t n)
{
	struct fl_frame_collector c;

	memset(&f, 0, sizeof(f));
	fl_frames_begin(&c, &f);
	for (size_t i = 0; i < n; i++)
		fl_frames_add(&c, 0x1000 + i);
	fl_frames_finish(&c);
}

START_TEST(frames_few)
{
	feed(0);
	ck_assert_uint_eq(f.frame_count, 0);
	feed(5);
	ck_assert_uint_eq(f.frame_count, 5);
	ck_assert_uint_eq(f.frames_omitted, 0);
	for (size_t i = 0; i < 5; i++)
		ck_assert_uint_eq(f.frames[i], 0x1000 + i);
}
END_TEST

/* Up to head + tail frames, all are kept, none omitted. */
START_TEST(frames_at_limits)
{
	static const size_t sizes[] = {
		FAULTLINE_FRAMES_HEAD, FAULTLINE_FRAMES_HEAD + 1,
		FAULTLINE_MAX_FRAMES - 1, FAULTLINE_MAX_FRAMES};

	for (size_t k = 0; k < 4; k++) {
		feed(sizes[k]);
		ck_assert_uint_eq(f.frame_count, sizes[k]);
		ck_assert_uint_eq(f.frames_omitted, 0);
		for (size_t i = 0; i < sizes[k]; i++)
			ck_assert_uint_eq(f.frames[i], 0x1000 + i);
	}
}
END_TEST

/* Beyond: the first 100, then the last 20 in order, the rest counted. */
START_TEST(frames_deep)
{
	static const size_t sizes[] = {FAULTLINE_MAX_FRAMES + 1, 1000, 100000,
				       100007};

	for (size_t k = 0; k < 4; k++) {
		size_t n = sizes[k];
		feed(n);
		ck_assert_uint_eq(f.frame_count, FAULTLINE_MAX_FRAMES);
		ck_assert_uint_eq(f.frames_omitted, n - FAULTLINE_MAX_FRAMES);
		for (size_t i = 0; i < FAULTLINE_FRAMES_HEAD; i++)
			ck_assert_uint_eq(f.frames[i], 0x1000 + i);
		for (size_t i = 0; i < FAULTLINE_FRAMES_TAIL; i++)
			ck_assert_uint_eq(f.frames[FAULTLINE_FRAMES_HEAD + i],
					  0x1000 + n - FAULTLINE_FRAMES_TAIL +
						  i);
	}
}
END_TEST

/* The cause text for a fault of process 100; sender > 0: sent by it. */
static const char *explain_fault(int signo, int code, uintptr_t addr,
				 enum faultline_access access, int overflow,
				 long sender)
{
	memset(&f, 0, sizeof(f));
	f.signo = signo;
	f.code = code;
	f.address = addr;
	f.access = access;
	f.has_sender = sender > 0;
	f.sender_pid = sender;
	f.pid = 100;
	fl_fault_explain(&f, overflow);
	return f.cause_text;
}

static const char *explain(int signo, int code, uintptr_t addr,
			   enum faultline_access access, int overflow)
{
	return explain_fault(signo, code, addr, access, overflow, 0);
}

static const char *explain_sent(int signo, int code, long sender)
{
	return explain_fault(signo, code, 0, FAULTLINE_ACCESS_UNKNOWN, 0,
			     sender);
}

START_TEST(cause_segv)
{
	ck_assert_str_eq(explain(11, 1, 0, FAULTLINE_ACCESS_READ, 0),
			 "null pointer dereference");
	ck_assert_int_eq(f.cause, FAULTLINE_CAUSE_NULL_DEREF);
	ck_assert_str_eq(explain(11, 1, 0x18, FAULTLINE_ACCESS_WRITE, 0),
			 "null pointer dereference");
	ck_assert_str_eq(explain(11, 1, 0, FAULTLINE_ACCESS_EXECUTE, 0),
			 "call through a null function pointer");
	ck_assert_str_eq(
		explain(11, 2, 0x7f0000001000, FAULTLINE_ACCESS_WRITE, 0),
		"write to read-only memory");
	ck_assert_int_eq(f.cause, FAULTLINE_CAUSE_WRITE_READONLY);
	ck_assert_str_eq(
		explain(11, 2, 0x7f0000001000, FAULTLINE_ACCESS_EXECUTE, 0),
		"execution of non-executable memory");
	ck_assert_str_eq(
		explain(11, 1, 0x7f0000001000, FAULTLINE_ACCESS_READ, 0),
		"access to unmapped memory");
	ck_assert_str_eq(
		explain(11, 1, 0x7ffd00000000, FAULTLINE_ACCESS_WRITE, 1),
		"stack overflow");
	ck_assert_int_eq(f.cause, FAULTLINE_CAUSE_STACK_OVERFLOW);
	ck_assert_str_eq(explain(11, 0x80, 0, FAULTLINE_ACCESS_UNKNOWN, 0),
			 "general protection fault (bad address)");
}
END_TEST

START_TEST(cause_other_faults)
{
	static const struct {
		int signo, code;
		uintptr_t address;
		const char *cause;
	} faults[] = {
		{8, 1, 0x401000, "integer divide by zero"},
		{8, 2, 0x401000, "integer overflow"},
		{8, 3, 0x401000, "floating-point exception"},
		{7, 2, 0x7f0000000000,
		 "access to a nonexistent part of a mapped file"},
		{7, 1, 0x7f0000000001, "misaligned memory access"},
		{4, 2, 0x401000, "illegal instruction"},
		{4, 5, 0x401000, "privileged instruction"},
		{5, 1, 0x401000, "breakpoint or trap instruction"},
		{31, 1, 0, "system call blocked by seccomp"},
		{6, -6, 0, "abort() called"},
	};

	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		ck_assert_str_eq(explain(faults[i].signo, faults[i].code,
					 faults[i].address, 0, 0),
				 faults[i].cause);
}
END_TEST

START_TEST(cause_sent)
{
	ck_assert_str_eq(explain_sent(11, 0, 4242), "signal sent by pid 4242");
	ck_assert_int_eq(f.cause, FAULTLINE_CAUSE_SENT_BY_PROCESS);
	ck_assert_str_eq(explain_sent(11, -1, 100),
			 "signal sent by pid 100 (this process)");
	ck_assert_str_eq(explain_sent(6, -6, 100), "abort() called");
	ck_assert_int_eq(f.cause, FAULTLINE_CAUSE_ABORT);
	ck_assert_str_eq(explain_sent(6, 0, 4242), "signal sent by pid 4242");
}
END_TEST

START_TEST(sent_codes)
{
	ck_assert_int_ne(fl_code_is_sent(0), 0);  /* SI_USER */
	ck_assert_int_ne(fl_code_is_sent(-1), 0); /* SI_QUEUE */
	ck_assert_int_ne(fl_code_is_sent(-6), 0); /* SI_TKILL */
	ck_assert_int_eq(fl_code_is_sent(1), 0);
	ck_assert_int_eq(fl_code_is_sent(0x80), 0); /* SI_KERNEL */
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(fl_signal_name(11), "SIGSEGV");
	ck_assert_str_eq(fl_signal_name(31), "SIGSYS");
	ck_assert_ptr_null(fl_signal_name(0));
	ck_assert_ptr_null(fl_signal_name(64));
	ck_assert_str_eq(faultline_signal_name(FAULTLINE_SIGBUS), "SIGBUS");
	ck_assert_str_eq(fl_code_name(11, 1), "SEGV_MAPERR");
	ck_assert_str_eq(fl_code_name(11, 2), "SEGV_ACCERR");
	ck_assert_str_eq(fl_code_name(7, 2), "BUS_ADRERR");
	ck_assert_str_eq(fl_code_name(8, 1), "FPE_INTDIV");
	ck_assert_str_eq(fl_code_name(4, 2), "ILL_ILLOPN");
	ck_assert_str_eq(fl_code_name(5, 1), "TRAP_BRKPT");
	ck_assert_str_eq(fl_code_name(31, 1), "SYS_SECCOMP");
	ck_assert_str_eq(fl_code_name(11, 0), "SI_USER");
	ck_assert_str_eq(fl_code_name(6, -6), "SI_TKILL");
	ck_assert_str_eq(fl_code_name(11, -1), "SI_QUEUE");
	ck_assert_str_eq(fl_code_name(5, 0x80), "SI_KERNEL");
	ck_assert_ptr_null(fl_code_name(11, 99));
	ck_assert_str_eq(fl_access_name(FAULTLINE_ACCESS_READ), "read");
	ck_assert_str_eq(fl_access_name(FAULTLINE_ACCESS_WRITE), "write");
	ck_assert_str_eq(fl_access_name(FAULTLINE_ACCESS_EXECUTE), "execute");
	ck_assert_str_eq(fl_access_name(FAULTLINE_ACCESS_UNKNOWN),
			 "unknown access");
}
END_TEST

static struct fl_module_table table;

START_TEST(module_find)
{
	table.count = 3;
	table.modules[0] =
		(struct fl_module){.base = 0x1000, .end = 0x2000, .path = "a"};
	table.modules[1] =
		(struct fl_module){.base = 0x5000, .end = 0, .path = "b"};
	table.modules[2] =
		(struct fl_module){.base = 0x8000, .end = 0x9000, .path = "c"};
	ck_assert_int_eq(fl_module_find(&table, 0x0fff), -1);
	ck_assert_int_eq(fl_module_find(&table, 0x1000), 0);
	ck_assert_int_eq(fl_module_find(&table, 0x1fff), 0);
	ck_assert_int_eq(fl_module_find(&table, 0x8800), 2);
	/* unknown extent: the closest module starting below */
	ck_assert_int_eq(fl_module_find(&table, 0x6000), 1);
}
END_TEST

START_TEST(module_intern)
{
	const char *p;

	table.arena_used = 0;
	p = fl_module_intern(&table, "/lib/libc.so.6XXX", 14);
	ck_assert_str_eq(p, "/lib/libc.so.6");
	table.arena_used = sizeof(table.arena) - 4;
	ck_assert_str_eq(fl_module_intern(&table, "/too/long", 9), "");
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("snapshot");

	UNIT_CASE(suite, "frames", 0, frames_few, frames_at_limits,
		  frames_deep);
	UNIT_CASE(suite, "cause", 0, cause_segv, cause_other_faults, cause_sent,
		  sent_codes, names);
	UNIT_CASE(suite, "modules", 0, module_find, module_intern);
	return unit_run(suite, CK_FORK_GETENV);
}
