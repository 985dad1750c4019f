/*
 * harness.c - see harness.h.
 */
#include <windows.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

static int checks, failures;
static const struct fl_run *last;

void fl_t_ok(int ok, const char *what)
{
	checks++;
	if (!ok)
		failures++;
	printf("%sok %d - %s\n", ok ? "" : "not ", checks, what);
}

/* The directory of this executable, with a trailing backslash. */
static void own_dir(char *buf, size_t cap)
{
	DWORD n = GetModuleFileNameA(NULL, buf, (DWORD)cap);
	char *slash = NULL;

	for (DWORD i = 0; i < n; i++)
		if (buf[i] == '\\' || buf[i] == '/')
			slash = buf + i;
	if (slash)
		slash[1] = '\0';
	else
		buf[0] = '\0';
}

void fl_t_run(struct fl_run *r, const char *args, unsigned timeout_ms)
{
	char dir[MAX_PATH], exe[MAX_PATH + 32], cmd[2 * MAX_PATH];
	char out_path[MAX_PATH + 32], libs[MAX_PATH + 16], full[MAX_PATH];
	SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
	STARTUPINFOA si;
	PROCESS_INFORMATION pi;
	HANDLE out;
	DWORD got = 0, n, start;

	memset(r, 0, sizeof(*r));
	last = r;
	own_dir(dir, sizeof(dir));
	/* libtool on mingw runs every program through a wrapper: the real
	 * one lives in tests\windows\.libs\.  Work from tests\windows\. */
	{
		size_t dl = strlen(dir);
		if (dl > 7 && strcmp(dir + dl - 7, "\\.libs\\") == 0)
			dir[dl - 6] = '\0';
	}
	/* Run the real crashme (not its libtool wrapper, which would
	 * stand between us and its exit code) from .libs.  The child
	 * starts in the DLL's directory, the top build directory's .libs:
	 * the current directory is on the DLL search path (Wine does not
	 * take a PATH changed here into the child's search path). */
	snprintf(exe, sizeof(exe), "%s.libs\\crashme.exe", dir);
	if (GetFileAttributesA(exe) == INVALID_FILE_ATTRIBUTES)
		snprintf(exe, sizeof(exe), "%scrashme.exe", dir);
	/* tests\windows\ -> the top build directory. */
	snprintf(full, sizeof(full), "%s", dir);
	for (int up = 0; up < 3; up++) {
		char *cut = strrchr(full, '\\');
		if (cut)
			*cut = '\0';
	}
	snprintf(libs, sizeof(libs), "%s\\.libs", full);
	snprintf(full, sizeof(full), "%s", libs);
	snprintf(out_path, sizeof(out_path), "%scrashme-%lu.out", dir,
		 (unsigned long)GetCurrentProcessId());
	out = CreateFileA(out_path, GENERIC_READ | GENERIC_WRITE,
			  FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
			  CREATE_ALWAYS, FILE_ATTRIBUTE_TEMPORARY, NULL);
	if (out == INVALID_HANDLE_VALUE) {
		fl_t_ok(0, "create the output file");
		return;
	}
	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);
	si.dwFlags = STARTF_USESTDHANDLES;
	si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
	si.hStdOutput = out;
	si.hStdError = out;
	snprintf(cmd, sizeof(cmd), "\"%s\" %s", exe, args);
	printf("# run: %s\n", cmd);
	if (!CreateProcessA(exe, cmd, NULL, NULL, TRUE, 0, NULL, full, &si,
			    &pi)) {
		printf("# CreateProcess failed: error %lu (directory %s)\n",
		       (unsigned long)GetLastError(), full);
		fl_t_ok(0, "start crashme");
		CloseHandle(out);
		return;
	}
	start = GetTickCount();
	if (WaitForSingleObject(pi.hProcess, timeout_ms) == WAIT_TIMEOUT) {
		r->timed_out = 1;
		TerminateProcess(pi.hProcess, 0xDEAD);
		WaitForSingleObject(pi.hProcess, 5000);
	}
	r->elapsed_ms = GetTickCount() - start;
	GetExitCodeProcess(pi.hProcess, &n);
	r->exit_code = n;
	CloseHandle(pi.hThread);
	CloseHandle(pi.hProcess);
	SetFilePointer(out, 0, NULL, FILE_BEGIN);
	ReadFile(out, r->output, sizeof(r->output) - 1, &got, NULL);
	r->len = got;
	r->output[got] = '\0';
	CloseHandle(out);
	DeleteFileA(out_path);
	printf("# exit code 0x%08lx after %lu ms%s; output:\n", r->exit_code,
	       r->elapsed_ms,
	       r->timed_out ? " (killed after the timeout)" : "");
	/* Echo the child's output as TAP comments for the .log file. */
	for (const char *p = r->output; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		printf("#   %.*s\n", (int)len, p);
		p += len + (e ? 1 : 0);
	}
}

void fl_t_exit_code(const struct fl_run *r, unsigned long expected)
{
	char what[96];

	snprintf(what, sizeof(what), "exit code 0x%08lx (got 0x%08lx)",
		 expected, r->exit_code);
	fl_t_ok(!r->timed_out && r->exit_code == expected, what);
}

size_t fl_t_count(const struct fl_run *r, const char *text)
{
	size_t n = 0, tl = strlen(text);

	for (const char *p = r->output; (p = strstr(p, text)); p += tl)
		n++;
	return n;
}

void fl_t_contains(const struct fl_run *r, const char *text)
{
	char what[512];

	snprintf(what, sizeof(what), "output has \"%s\"", text);
	fl_t_ok(strstr(r->output, text) != NULL, what);
}

void fl_t_lacks(const struct fl_run *r, const char *text)
{
	char what[512];

	snprintf(what, sizeof(what), "output lacks \"%s\"", text);
	fl_t_ok(strstr(r->output, text) == NULL, what);
}

void fl_t_in_order(const struct fl_run *r, const char *const *texts, size_t n)
{
	const char *p = r->output;
	char what[512];
	int ok = 1;

	for (size_t i = 0; i < n && ok; i++) {
		const char *q = strstr(p, texts[i]);
		if (!q)
			ok = 0;
		else
			p = q + strlen(texts[i]);
	}
	snprintf(what, sizeof(what), "in order: %s ... %s", texts[0],
		 texts[n - 1]);
	fl_t_ok(ok, what);
}

void fl_t_crash(struct fl_run *r, const char *mode, unsigned long code,
		const char *signal_line, const char *cause)
{
	char text[512];

	fl_t_run(r, mode, 60000);
	fl_t_exit_code(r, code);
	snprintf(text, sizeof(text), "signal: %s", signal_line);
	fl_t_contains(r, text);
	snprintf(text, sizeof(text), "cause: %s", cause);
	fl_t_contains(r, text);
	fl_t_ok(fl_t_count(r, "crash report ====") == 1, "exactly one report");
}

int fl_t_done(void)
{
	(void)last;
	printf("1..%d\n", checks);
	return failures ? 1 : 0;
}
