/*
 * platform.c - the small wrappers platform.h asks for, on Windows.
 *
 * Functions marked [fatal] in platform.h run on the reporter thread while
 * the crashed thread may hold any user-mode lock (heap, loader, CRT): they
 * use kernel32 calls that go straight to a system call, and memory
 * prepared at install.
 */
#include "win.h"

#include <io.h>

#include "platform.h"
#include "snapshot.h"
#include "str.h"

/* The executable path, read at install: GetModuleFileName takes the
 * loader lock, which the crashed thread may hold. */
static char exe_path[FL_EXE_PATH_MAX];

/* UTF-16 -> UTF-8 by hand: WideCharToMultiByte is fine too, but this
 * cannot fail halfway or depend on the code page. */
static size_t utf16_to_utf8(const WCHAR *w, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	if (cap == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = w[i];
		char b[4];
		size_t k;

		if (c >= 0xD800 && c < 0xDC00 && i + 1 < n &&
		    w[i + 1] >= 0xDC00 && w[i + 1] < 0xE000) {
			c = 0x10000 + ((c - 0xD800) << 10) +
			    (w[i + 1] - 0xDC00);
			i++;
		}
		if (c < 0x80) {
			b[0] = (char)c;
			k = 1;
		} else if (c < 0x800) {
			b[0] = (char)(0xC0 | (c >> 6));
			b[1] = (char)(0x80 | (c & 0x3F));
			k = 2;
		} else if (c < 0x10000) {
			b[0] = (char)(0xE0 | (c >> 12));
			b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
			b[2] = (char)(0x80 | (c & 0x3F));
			k = 3;
		} else {
			b[0] = (char)(0xF0 | (c >> 18));
			b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
			b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
			b[3] = (char)(0x80 | (c & 0x3F));
			k = 4;
		}
		if (o + k >= cap)
			break;
		for (size_t j = 0; j < k; j++)
			out[o++] = b[j];
	}
	out[o] = '\0';
	return o;
}

size_t fl_win_utf16_to_utf8(const WCHAR *w, size_t n, char *out, size_t cap)
{
	return utf16_to_utf8(w, n, out, cap);
}

void fl_win_platform_prepare(void)
{
	static WCHAR wpath[FL_EXE_PATH_MAX];
	DWORD n = GetModuleFileNameW(NULL, wpath, FL_EXE_PATH_MAX);

	if (n == 0 || n >= FL_EXE_PATH_MAX)
		n = 0;
	utf16_to_utf8(wpath, n, exe_path, sizeof(exe_path));
}

int fl_win_readable(uintptr_t addr, size_t len)
{
	uintptr_t end = addr + len;

	if (end < addr)
		return 0;
	while (addr < end) {
		MEMORY_BASIC_INFORMATION mbi;
		DWORD p;

		if (VirtualQuery((void *)addr, &mbi, sizeof(mbi)) == 0)
			return 0;
		p = mbi.Protect;
		if (mbi.State != MEM_COMMIT ||
		    (p & (PAGE_NOACCESS | PAGE_GUARD)))
			return 0;
		if (!(p & (PAGE_READONLY | PAGE_READWRITE | PAGE_WRITECOPY |
			   PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE |
			   PAGE_EXECUTE_WRITECOPY)))
			return 0;
		addr = (uintptr_t)mbi.BaseAddress + mbi.RegionSize;
	}
	return 1;
}

int fl_win_safe_read(void *dst, uintptr_t src, size_t len)
{
	/* A check then a copy: the memory is ours and the other threads are
	 * either crashed, waiting or about to be terminated, so it does not
	 * change under us in practice.  ReadProcessMemory would close that
	 * window but costs a server round trip per call under Wine. */
	if (!fl_win_readable(src, len))
		return -1;
	fl_memcpy(dst, (const void *)src, len);
	return 0;
}

long fl_platform_write(fl_handle_t h, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		DWORD chunk = len - done > 0x10000000 ? 0x10000000
						      : (DWORD)(len - done);
		DWORD wrote = 0;

		if (!WriteFile(h, p + done, chunk, &wrote, NULL) || wrote == 0)
			return done ? (long)done : -1;
		done += wrote;
	}
	return (long)done;
}

const char *fl_platform_write_error(void)
{
	switch (GetLastError()) {
	case ERROR_DISK_FULL:
	case ERROR_HANDLE_DISK_FULL:
		return "no space left";
	case ERROR_INVALID_HANDLE:
		return "handle not open";
	case ERROR_BROKEN_PIPE:
	case ERROR_NO_DATA:
		return "nobody reads it (broken pipe)";
	case ERROR_ACCESS_DENIED:
		return "access denied";
	default:
		return "write failed";
	}
}

fl_handle_t fl_platform_create_file(const char *path, const char **err)
{
	WCHAR wpath[FL_OUTPUT_PATH_MAX];
	SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, FALSE};
	HANDLE h;
	int n;

	n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, wpath,
				FL_OUTPUT_PATH_MAX);
	if (n <= 0) {
		*err = "path is not valid UTF-8 or too long";
		return FL_NO_HANDLE;
	}
	/* CREATE_NEW is O_EXCL; FILE_FLAG_OPEN_REPARSE_POINT is the closest
	 * to O_NOFOLLOW; an uninheritable handle is O_CLOEXEC.  The file gets
	 * the default DACL of the directory (no mode bits on Windows). */
	h = CreateFileW(wpath, GENERIC_WRITE, FILE_SHARE_READ, &sa, CREATE_NEW,
			FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT,
			NULL);
	if (h == INVALID_HANDLE_VALUE) {
		switch (GetLastError()) {
		case ERROR_FILE_EXISTS:
		case ERROR_ALREADY_EXISTS:
			*err = "file exists";
			break;
		case ERROR_ACCESS_DENIED:
			*err = "access denied";
			break;
		case ERROR_PATH_NOT_FOUND:
			*err = "directory does not exist";
			break;
		default:
			*err = "cannot create file";
			break;
		}
		return FL_NO_HANDLE;
	}
	return h;
}

void fl_platform_close(fl_handle_t h)
{
	if (h != FL_NO_HANDLE && h != NULL)
		CloseHandle(h);
}

fl_handle_t fl_platform_stderr(void)
{
	HANDLE h = GetStdHandle(STD_ERROR_HANDLE);

	return h == NULL ? FL_NO_HANDLE : h;
}

fl_handle_t fl_platform_handle_from_fd(int fd)
{
	intptr_t h;

	/* Not the fatal path: called when the options are read. */
	switch (fd) {
	case 1:
		return GetStdHandle(STD_OUTPUT_HANDLE);
	case 2:
		return fl_platform_stderr();
	default:
		h = _get_osfhandle(fd);
		return h == -1 ? FL_NO_HANDLE : (fl_handle_t)h;
	}
}

long fl_platform_pid(void)
{
	return (long)GetCurrentProcessId();
}

long long fl_platform_time(void)
{
	FILETIME ft;
	ULARGE_INTEGER u;

	GetSystemTimeAsFileTime(&ft);
	u.LowPart = ft.dwLowDateTime;
	u.HighPart = ft.dwHighDateTime;
	/* 100 ns ticks since 1601 -> seconds since 1970. */
	return (long long)(u.QuadPart / 10000000ULL) - 11644473600LL;
}

static unsigned long long filetime_ticks(const FILETIME *ft)
{
	ULARGE_INTEGER u;

	u.LowPart = ft->dwLowDateTime;
	u.HighPart = ft->dwHighDateTime;
	return u.QuadPart; /* 100 ns ticks since 1601 */
}

/* The command line is the PEB's (GetCommandLineW reads it, no lock),
 * converted as the executable path is; the uptime comes from the
 * process's creation time (GetProcessTimes, a system call). */
void fl_platform_context(struct fl_context *c)
{
	FILETIME now, created, exited, kernel, user;
	unsigned long long t;
	const WCHAR *cmd = GetCommandLineW();
	size_t n = 0;

	GetSystemTimeAsFileTime(&now);
	t = filetime_ticks(&now);
	c->time_s = (long long)(t / 10000000ULL) - 11644473600LL;
	c->time_ms = (int)(t / 10000ULL % 1000);
	c->uptime_ms = -1;
	if (GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel,
			    &user) &&
	    filetime_ticks(&created) <= t)
		c->uptime_ms =
			(long long)((t - filetime_ticks(&created)) / 10000ULL);
	c->command_line[0] = '\0';
	c->command_line_cut = 0;
	if (!cmd)
		return;
	while (cmd[n])
		n++;
	utf16_to_utf8(cmd, n, c->command_line, sizeof(c->command_line));
	c->command_line_cut =
		fl_strlen(c->command_line) + 4 >= sizeof(c->command_line);
}

void fl_platform_exe_path(char *buf, size_t cap)
{
	fl_strlcpy(buf, exe_path, cap);
}

const char *fl_platform_getenv(const char *name)
{
	static char value[FL_OUTPUT_PATH_MAX];
	DWORD n = GetEnvironmentVariableA(name, value, sizeof(value));

	/* Unset, or longer than any value we accept: treat as unset. */
	if (n == 0 || n >= sizeof(value))
		return NULL;
	return value;
}

void fl_platform_yield(void)
{
	SwitchToThread();
}

void fl_win_stack_guarantee(size_t size)
{
	/* Reserve stack that stays usable after an overflow, for the
	 * vectored handler (Windows; Wine accepts and ignores it). */
	ULONG guarantee = size ? (ULONG)size : 16 * 1024;

	SetThreadStackGuarantee(&guarantee);
}

/* Windows writes its minidump on the reporter thread before the report
 * (minidump.c), which sets snap->minidump: nothing to do here. */
void fl_platform_minidump_create(struct fl_snapshot *snap, const char *path)
{
	(void)snap;
	(void)path;
}

void fl_platform_minidump_write(struct fl_snapshot *snap)
{
	(void)snap;
}
