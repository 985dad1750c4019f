/*
 * spawn-windows.c - the crash harness on Windows (see harness.h):
 * CreateProcess the child, crashme.exe beside the test program, with its
 * stdout and stderr going to files; wait with a time limit; read the full
 * 32-bit exit code (GetExitCodeProcess: 0xC0000005 survives, unlike a
 * shell's $?).  The tests run under Wine (FL_TEST_EMULATOR is wine, the
 * LOG_COMPILER): the child is started from inside Wine, directly.
 */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

const char *emulator(void)
{
	return NULL; /* the child runs beside us, in the same Wine */
}

double now(void)
{
	return (double)GetTickCount64() / 1000.0;
}

/* The top build directory: this program is
 * TOP\tests\FOLDER\[.libs\]NAME.exe (libtool on mingw runs every
 * program through a wrapper, the real one in .libs). */
static const char *top_dir(void)
{
	static char top[MAX_PATH];
	char *cut = NULL;

	if (top[0])
		return top;
	GetModuleFileNameA(NULL, top, (DWORD)sizeof(top));
	for (char *p = top; (p = strstr(p, "\\tests\\")) != NULL; p++)
		cut = p;
	if (cut)
		*cut = '\0';
	return top;
}

const char *child_path(enum child_kind kind)
{
	static char exe[MAX_PATH + 64];
	const char *name = kind == CHILD_UCRT  ? "crashme-ucrt"
			   : kind == CHILD_CXX ? "crashme-cxx"
					       : "crashme";

	/* The real crashme, not its libtool wrapper, which would stand
	 * between us and its exit code. */
	snprintf(exe, sizeof(exe), "%s\\tests\\windows\\.libs\\%s.exe",
		 top_dir(), name);
	if (GetFileAttributesA(exe) == INVALID_FILE_ATTRIBUTES)
		snprintf(exe, sizeof(exe), "%s\\tests\\windows\\%s.exe",
			 top_dir(), name);
	return exe;
}

/* The DLL's directory, TOP\.libs: the child starts there, as the
 * current directory is on the DLL search path (Wine does not take a PATH
 * changed here into the child's search path). */
static const char *dll_dir(void)
{
	static char libs[MAX_PATH + 16];

	snprintf(libs, sizeof(libs), "%s\\.libs", top_dir());
	return libs;
}

/* A file the child writes one of its streams to, inheritable. */
static HANDLE output_file(const char *path)
{
	SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};

	return CreateFileA(path, GENERIC_READ | GENERIC_WRITE,
			   FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
			   CREATE_ALWAYS, FILE_ATTRIBUTE_TEMPORARY, NULL);
}

/* What was written to h, NUL-terminated; the file goes. */
static char *slurp(HANDLE h, const char *path, size_t *len)
{
	DWORD size = GetFileSize(h, NULL), got = 0;
	char *buf = malloc(size == INVALID_FILE_SIZE ? 1 : (size_t)size + 1);

	if (!buf)
		abort();
	SetFilePointer(h, 0, NULL, FILE_BEGIN);
	if (size != INVALID_FILE_SIZE)
		ReadFile(h, buf, size, &got, NULL);
	buf[got] = '\0';
	*len = got;
	CloseHandle(h);
	DeleteFileA(path);
	return buf;
}

/* The variables of sp->env set (value NULL: removed) for the child,
 * which inherits them. */
static void set_env(const struct spawn *sp, int set)
{
	for (size_t i = 0; i < 8 && sp->env[i]; i++) {
		char name[256];
		const char *eq = strchr(sp->env[i], '=');
		size_t n = eq ? (size_t)(eq - sp->env[i]) : 0;
		if (!eq || n >= sizeof(name))
			continue;
		memcpy(name, sp->env[i], n);
		name[n] = '\0';
		SetEnvironmentVariableA(name, set ? eq + 1 : NULL);
	}
}

int spawn_child(const struct spawn *sp, struct run *r)
{
	static unsigned serial;
	const char *exe = sp->path ? sp->path : child_path(sp->kind);
	double timeout = sp->timeout > 0 ? sp->timeout : 60;
	char cmd[2 * MAX_PATH], tmp[MAX_PATH];
	char out_path[MAX_PATH + 64], err_path[MAX_PATH + 64];
	STARTUPINFOA si;
	PROCESS_INFORMATION pi;
	HANDLE out, err;
	DWORD code = 0;
	double start;
	int n;

	n = snprintf(cmd, sizeof(cmd), "\"%s\"", exe);
	for (size_t i = 0; i < 8 && sp->args[i] && n > 0; i++)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " %s",
			      sp->args[i]);
	serial++;
	if (!GetTempPathA(sizeof(tmp), tmp))
		snprintf(tmp, sizeof(tmp), "%s\\", top_dir());
	snprintf(out_path, sizeof(out_path), "%sfaultline-%lu-%u.out", tmp,
		 (unsigned long)GetCurrentProcessId(), serial);
	snprintf(err_path, sizeof(err_path), "%sfaultline-%lu-%u.err", tmp,
		 (unsigned long)GetCurrentProcessId(), serial);
	out = output_file(out_path);
	err = output_file(err_path);
	if (out == INVALID_HANDLE_VALUE || err == INVALID_HANDLE_VALUE)
		return -1;
	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);
	si.dwFlags = STARTF_USESTDHANDLES;
	si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
	si.hStdOutput = out;
	si.hStdError = err;
	fprintf(stderr, "  run: %s\n", cmd);
	set_env(sp, 1);
	start = now();
	if (!CreateProcessA(exe, cmd, NULL, NULL, TRUE, 0, NULL, dll_dir(), &si,
			    &pi)) {
		fprintf(stderr, "  CreateProcess failed: error %lu\n",
			(unsigned long)GetLastError());
		set_env(sp, 0);
		CloseHandle(out);
		CloseHandle(err);
		return -1;
	}
	set_env(sp, 0);
	r->pid = (long)pi.dwProcessId;
	if (WaitForSingleObject(pi.hProcess, (DWORD)(timeout * 1000)) ==
	    WAIT_TIMEOUT) {
		r->timed_out = 1;
		TerminateProcess(pi.hProcess, 0xDEAD);
		WaitForSingleObject(pi.hProcess, 5000);
	}
	r->seconds = now() - start;
	GetExitCodeProcess(pi.hProcess, &code);
	r->exit_code = code;
	CloseHandle(pi.hThread);
	CloseHandle(pi.hProcess);
	r->out = slurp(out, out_path, &r->out_len);
	r->err = slurp(err, err_path, &r->err_len);
	return 0;
}

int died_by(const struct run *r, unsigned long code)
{
	return r->exit_code == code;
}

int exited_with(const struct run *r, int code)
{
	return r->exit_code == (unsigned long)code;
}

const char *death_text(unsigned long code)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "exit code 0x%08lx", code);
	return buf;
}

const char *end_text(const struct run *r)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "exit code 0x%08lx%s", r->exit_code,
		 r->timed_out ? " (killed after the time limit)" : "");
	return buf;
}

int harness_setup(void)
{
	if (GetFileAttributesA(child_path(CHILD_LINKED)) ==
	    INVALID_FILE_ATTRIBUTES) {
		fprintf(stderr, "harness: %s not found\n",
			child_path(CHILD_LINKED));
		return 99;
	}
	return 0;
}

const char *builddir(void)
{
	return top_dir();
}

int elf_build_id(const char *path, char *out, size_t cap)
{
	(void)path;
	(void)out;
	(void)cap;
	return 0; /* PE files have a CodeView record, not a GNU note */
}
