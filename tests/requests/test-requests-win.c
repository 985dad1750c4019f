/*
 * test-requests-win.c - faultline_requests on Windows, under Wine: console
 * control events to a child in a new process group (requests-child.exe).
 *
 * Two ways an event reaches the child here.  GenerateConsoleCtrlEvent
 * (faultline_request) needs a console: this program makes one of its own
 * (AllocConsole; its output stays on the pipes it was given).  Wine 8
 * delivers Ctrl-C that way but refuses Ctrl-Break, and has no way to send
 * a close, logoff or shutdown.  The other way is what the console itself
 * does in the receiving process: a thread started at kernel32's
 * CtrlRoutine with the event (CreateRemoteThread), which runs the
 * process's control handlers and ends when they return - so its end
 * shows when faultline's handler returned.  Under Wine a process whose
 * handler returned TRUE for a close is not ended (Windows ends it): the
 * child exits by itself.  Wine's default handler exits with 0, Windows'
 * with STATUS_CONTROL_C_EXIT.
 */
#include "harness.h"

#include "faultline.h"

#include <windows.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifndef STATUS_CONTROL_C_EXIT
#define STATUS_CONTROL_C_EXIT 0xC000013AUL
#endif

struct child {
	PROCESS_INFORMATION pi;
	HANDLE out; /* the read end of its stdout */
	char text[8192];
	size_t len;
};

static int under_wine(void)
{
	return GetProcAddress(GetModuleHandleA("ntdll.dll"),
			      "wine_get_version") != NULL;
}

/* Read what the child wrote so far (up to ms more for needle). */
static int child_said(struct child *c, const char *needle, DWORD ms)
{
	for (DWORD waited = 0;; waited += 20) {
		DWORD avail = 0, got = 0;
		while (PeekNamedPipe(c->out, NULL, 0, NULL, &avail, NULL) &&
		       avail && c->len + 1 < sizeof(c->text) &&
		       ReadFile(c->out, c->text + c->len,
				(DWORD)(sizeof(c->text) - 1 - c->len), &got,
				NULL) &&
		       got) {
			c->len += got;
			c->text[c->len] = 0;
		}
		if (needle && strstr(c->text, needle))
			return 1;
		if (!needle || waited >= ms)
			return 0;
		Sleep(20);
	}
}

/* A program of the build, TOP\DIR\[.libs\]NAME.exe (libtool's real
 * programs are in .libs). */
static const char *program(const char *dir, const char *name)
{
	static char path[MAX_PATH + 64];

	snprintf(path, sizeof(path), "%s\\%s\\.libs\\%s.exe", builddir(), dir,
		 name);
	if (GetFileAttributesA(path) == INVALID_FILE_ATTRIBUTES)
		snprintf(path, sizeof(path), "%s\\%s\\%s.exe", builddir(), dir,
			 name);
	return path;
}

/* Start exe with argument arg in a new process group; 0 once it said
 * "ready". */
static int start_program(struct child *c, const char *exe, const char *arg)
{
	SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
	STARTUPINFOA si;
	HANDLE w;
	char cmd[MAX_PATH + 128], dlls[MAX_PATH + 16];

	memset(c, 0, sizeof(*c));
	if (!CreatePipe(&c->out, &w, &sa, 0))
		return -1;
	SetHandleInformation(c->out, HANDLE_FLAG_INHERIT, 0);
	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);
	si.dwFlags = STARTF_USESTDHANDLES;
	si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
	si.hStdOutput = w;
	si.hStdError = w;
	snprintf(cmd, sizeof(cmd), "\"%s\" %s", exe, arg);
	/* Started in TOP\.libs, the DLL's directory: the current
	 * directory is on the DLL search path. */
	snprintf(dlls, sizeof(dlls), "%s\\.libs", builddir());
	if (!CreateProcessA(NULL, cmd, NULL, NULL, TRUE,
			    CREATE_NEW_PROCESS_GROUP, NULL, dlls, &si,
			    &c->pi)) {
		CloseHandle(w);
		return -1;
	}
	CloseHandle(w);
	return child_said(c, "ready", 20000) ? 0 : -1;
}

static int start(struct child *c, const char *mode)
{
	return start_program(c, program("tests\\requests", "requests-child"),
			     mode);
}

/* Run the child's control handlers for event, as the console does; 1
 * when that thread ended (the handlers returned) within ms. */
static int console_thread(struct child *c, DWORD event, DWORD ms)
{
	FARPROC routine =
		GetProcAddress(GetModuleHandleA("kernel32.dll"), "CtrlRoutine");
	HANDLE t;
	DWORD rc;

	if (!routine)
		return -1;
	t = CreateRemoteThread(c->pi.hProcess, NULL, 0,
			       (LPTHREAD_START_ROUTINE)(void (*)(void))routine,
			       (void *)(uintptr_t)event, 0, NULL);
	if (!t)
		return -1;
	rc = WaitForSingleObject(t, ms);
	CloseHandle(t);
	return rc == WAIT_OBJECT_0;
}

static DWORD finish(struct child *c)
{
	DWORD code = 0;

	if (WaitForSingleObject(c->pi.hProcess, 20000) != WAIT_OBJECT_0)
		TerminateProcess(c->pi.hProcess, 1234);
	GetExitCodeProcess(c->pi.hProcess, &code);
	child_said(c, NULL, 0);
	CloseHandle(c->pi.hProcess);
	CloseHandle(c->pi.hThread);
	CloseHandle(c->out);
	return code;
}

static int have_console(void)
{
	static int state = -1;
	HANDLE in, out, err;

	if (state >= 0)
		return state;
	/* A console of our own, to send events on; the harness's output
	 * stays where it went (the C runtime holds those handles). */
	in = GetStdHandle(STD_INPUT_HANDLE);
	out = GetStdHandle(STD_OUTPUT_HANDLE);
	err = GetStdHandle(STD_ERROR_HANDLE);
	FreeConsole();
	state = AllocConsole() != 0;
	SetStdHandle(STD_INPUT_HANDLE, in);
	SetStdHandle(STD_OUTPUT_HANDLE, out);
	SetStdHandle(STD_ERROR_HANDLE, err);
	return state;
}

/* The exit code of a process the default control handler ended. */
static void check_control_c_exit(DWORD code)
{
	DWORD want = under_wine() ? 0 : STATUS_CONTROL_C_EXIT;

	CHECK(code == want, "exit code %#lx, want %#lx", code, want);
}

/* --- Ctrl-Break stops a child in a new group, its callback run --------- */

TEST(ctrl_break_stops_a_child_in_a_new_group)
{
	struct child c;
	DWORD code;

	CHECK(have_console(), "AllocConsole: %lu", GetLastError());
	CHECK(start(&c, "callback") == 0, "child did not start: %s", c.text);
	if (faultline_request(c.pi.dwProcessId, FAULTLINE_REQUEST_BREAK,
			      FAULTLINE_REQUEST_GROUP) != 0) {
		CHECK(errno == ENOTSUP, "errno %d", errno);
		printf("# GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT) refused "
		       "(Wine 8 delivers CTRL_C_EVENT only): the console's "
		       "thread instead\n");
		CHECK(console_thread(&c, CTRL_BREAK_EVENT, 20000) == 1,
		      "CtrlRoutine");
	}
	code = finish(&c);
	check_has("child output", c.text, "request break\n");
	CHECK(code == 40 + FAULTLINE_REQUEST_BREAK, "exit code %lu", code);
	return 0;
}

/* --- Ctrl-C reaches a child in a new group that asked for interrupts --- */

TEST(ctrl_c_enabled_in_a_new_group)
{
	struct child c;
	DWORD code;

	CHECK(have_console(), "AllocConsole: %lu", GetLastError());
	CHECK(start(&c, "callback") == 0, "child did not start: %s", c.text);
	CHECK(faultline_request(c.pi.dwProcessId, FAULTLINE_REQUEST_INTERRUPT,
				FAULTLINE_REQUEST_GROUP) == 0,
	      "send: errno %d", errno);
	code = finish(&c);
	check_has("child output", c.text, "request interrupt\n");
	CHECK(code == 40 + FAULTLINE_REQUEST_INTERRUPT, "exit code %lu", code);
	return 0;
}

/* --- each event type; close waits for the callback --------------------- */

TEST(each_event_type)
{
	static const DWORD events[] = {CTRL_C_EVENT, CTRL_BREAK_EVENT,
				       CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT};
	static const char *const said[] = {
		"request interrupt\n", "request break\n", "request logoff\n",
		"request shutdown\n"};
	static const int req[] = {
		FAULTLINE_REQUEST_INTERRUPT, FAULTLINE_REQUEST_BREAK,
		FAULTLINE_REQUEST_LOGOFF, FAULTLINE_REQUEST_SHUTDOWN};

	for (int i = 0; i < 4; i++) {
		struct child c;
		DWORD code;
		CHECK(start(&c, "callback") == 0, "child: %s", c.text);
		CHECK(console_thread(&c, events[i], 20000) == 1,
		      "CtrlRoutine %lu", events[i]);
		code = finish(&c);
		check_has("child output", c.text, said[i]);
		CHECK(code == 40 + (DWORD)req[i], "event %lu: exit code %lu",
		      events[i], code);
	}
	return 0;
}

TEST(close_returns_after_the_callback)
{
	struct child c;
	DWORD code;

	CHECK(start(&c, "callback") == 0, "child: %s", c.text);
	CHECK(console_thread(&c, CTRL_CLOSE_EVENT, 20000) == 1, "CtrlRoutine");
	/* The handler returned: the callback had finished saving. */
	child_said(&c, NULL, 0);
	check_has("child output at the handler's return", c.text,
		  "request hangup\nsaved state\n");
	code = finish(&c);
	CHECK(code == 40 + FAULTLINE_REQUEST_HANGUP, "exit code %lu", code);
	return 0;
}

/* --- a main thread blocked in a wait, woken by the handle -------------- */

TEST(wait_woken_by_the_event)
{
	struct child c;
	DWORD code;

	CHECK(start(&c, "wait") == 0, "child: %s", c.text);
	CHECK(console_thread(&c, CTRL_BREAK_EVENT, 20000) == 1, "CtrlRoutine");
	code = finish(&c);
	check_has("child output", c.text, "woken break\n");
	CHECK(code == 40 + FAULTLINE_REQUEST_BREAK, "exit code %lu", code);
	return 0;
}

/* --- beside the program's handler and the C runtime's signal() --------- */

TEST(coexists_with_crt_and_program_handlers)
{
	struct child c;
	DWORD code;

	CHECK(start(&c, "coexist") == 0, "child: %s", c.text);
	/* Not faultline's: the program's handler, then the CRT's. */
	CHECK(console_thread(&c, CTRL_C_EVENT, 20000) == 1, "CtrlRoutine");
	CHECK(child_said(&c, "crt SIGINT\n", 5000), "no CRT handler: %s",
	      c.text);
	check_has("child output", c.text, "own 0\ncrt SIGINT\n");
	/* faultline's, and no one else's. */
	CHECK(console_thread(&c, CTRL_CLOSE_EVENT, 20000) == 1, "CtrlRoutine");
	child_said(&c, NULL, 0);
	check_has("child output", c.text, "request hangup\nsaved state\n");
	check_lacks("child output", c.text, "own 2");
	/* Nobody's: the default handler ends the process. */
	console_thread(&c, CTRL_BREAK_EVENT, 20000);
	code = finish(&c);
	check_has("child output", c.text, "own 1\n");
	check_control_c_exit(code);
	return 0;
}

/* --- stopping restores Ctrl-C's state; an unhandled Ctrl-C exits as
 * without faultline -------------------------------------------------------- */

TEST(stop_restores_and_unhandled_interrupt_exits)
{
	struct child c;
	DWORD code;

	CHECK(start(&c, "restore") == 0, "child: %s", c.text);
	/* Ignored in the new group, enabled while receiving interrupts,
	 * ignored again after. */
	check_has("child output", c.text, "ctrl-c-ignored 101\n");
	console_thread(&c, CTRL_C_EVENT, 20000);
	code = finish(&c);
	check_lacks("child output", c.text, "request");
	check_control_c_exit(code);
	return 0;
}

/* --- the example service stops cleanly on a closed console ------------- */

TEST(example_service_saves_on_close)
{
	struct child c;
	DWORD code;

	CHECK(start_program(&c, program("examples", "service"), "30") == 0,
	      "service did not start: %s", c.text);
	/* Held until the service saved and stopped receiving. */
	CHECK(console_thread(&c, CTRL_CLOSE_EVENT, 20000) == 1, "CtrlRoutine");
	child_said(&c, NULL, 0);
	check_has("service output", c.text, "request: hangup");
	check_has("service output", c.text, "saved");
	code = finish(&c);
	CHECK(code == 0, "exit code %lu", code);
	return 0;
}

/* --- sending ------------------------------------------------------------ */

TEST(send_terminate_only_when_forced)
{
	struct child c;
	DWORD code;

	CHECK(start(&c, "wait") == 0, "child: %s", c.text);
	errno = 0;
	CHECK(faultline_request(c.pi.dwProcessId, FAULTLINE_REQUEST_TERMINATE,
				0) == -1 &&
		      errno == ENOTSUP,
	      "terminate without FORCE: errno %d", errno);
	errno = 0;
	CHECK(faultline_request(c.pi.dwProcessId, FAULTLINE_REQUEST_INTERRUPT,
				0) == -1 &&
		      errno == EINVAL,
	      "interrupt to a pid, no GROUP: errno %d", errno);
	errno = 0;
	CHECK(faultline_request(c.pi.dwProcessId, FAULTLINE_REQUEST_HANGUP,
				0) == -1 &&
		      errno == ENOTSUP,
	      "hangup: errno %d", errno);
	CHECK(faultline_request(c.pi.dwProcessId, FAULTLINE_REQUEST_TERMINATE,
				FAULTLINE_REQUEST_FORCE) == 0,
	      "terminate FORCE: errno %d", errno);
	code = finish(&c);
	check_lacks("child output", c.text, "woken");
	CHECK(code == FAULTLINE_REQUEST_KILLED, "exit code %lu", code);
	return 0;
}
