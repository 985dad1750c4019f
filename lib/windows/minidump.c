/*
 * minidump.c - FAULTLINE_MINIDUMP on Windows: the system's own writer,
 * MiniDumpWriteDump (dbghelp), called on the reporter thread, never on
 * the faulting thread (its stack may be exhausted, and the writer
 * suspends and reads every other thread), before the report is rendered
 * so that the report names the file.
 *
 * dbghelp is loaded at install (LoadLibrary takes the loader lock, which
 * the crashed thread may hold).  The writer itself still takes locks of
 * its own and walks the module list; the report is written either way,
 * and the crashed thread waits for the reporter only so long (reporter.c).
 * dbghelp is single-threaded: the symbol thread has finished with it, or
 * timed out, when this runs.
 *
 * What is asked for: MiniDumpNormal (every thread with its context and
 * stack, the module list, the exception stream with the crashed thread's
 * id and its EXCEPTION_POINTERS, ClientPointers FALSE: our own address
 * space) | MiniDumpWithThreadInfo (times, start addresses; Wine 8 does
 * not write that stream and ignores the flag).
 */
#include "win.h"

#include <dbghelp.h>

#include "platform.h"
#include "sink.h"
#include "str.h"

typedef BOOL(WINAPI *write_dump_fn)(HANDLE, DWORD, HANDLE, MINIDUMP_TYPE,
				    PMINIDUMP_EXCEPTION_INFORMATION,
				    PMINIDUMP_USER_STREAM_INFORMATION,
				    PMINIDUMP_CALLBACK_INFORMATION);

static write_dump_fn write_dump;
static volatile LONG dump_sequence;
/* The expanded template (one report at a time: the reporter thread). */
static char dump_path[FL_OUTPUT_PATH_MAX + 256];
static WCHAR final_path[FL_OUTPUT_PATH_MAX + 256];

void fl_win_minidump_prepare(void)
{
	HMODULE dh;

	if (!fl_config.minidump_path[0] || write_dump)
		return;
	dh = LoadLibraryW(L"dbghelp.dll");
	if (dh)
		write_dump = (write_dump_fn)(void (*)(void))GetProcAddress(
			dh, "MiniDumpWriteDump");
}

/* "faultline: cannot write minidump 'PATH': WHY" on stderr: the report
 * that follows has no minidump line. */
static void say_failure(const char *why)
{
	struct fl_sink s;

	fl_sink_init(&s, fl_platform_stderr());
	fl_sink_str(&s, "faultline: cannot write minidump '");
	fl_sink_text_str(&s, dump_path);
	fl_sink_str(&s, "': ");
	fl_sink_str(&s, why);
	fl_sink_char(&s, '\n');
	fl_sink_flush(&s);
}

/* The file's absolute path, without the \\?\ prefix; the expanded
 * template when the system cannot say. */
static void absolute_path(HANDLE h, char *out, size_t cap)
{
	DWORD n = GetFinalPathNameByHandleW(
		h, final_path, (DWORD)(sizeof(final_path) / sizeof(WCHAR)),
		FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
	const WCHAR *p = final_path;

	if (n == 0 || n >= sizeof(final_path) / sizeof(WCHAR)) {
		fl_strlcpy(out, dump_path, cap);
		return;
	}
	if (n > 4 && p[0] == L'\\' && p[1] == L'\\' && p[2] == L'?' &&
	    p[3] == L'\\') {
		p += 4;
		n -= 4;
	}
	fl_win_utf16_to_utf8(p, n, out, cap);
}

void fl_win_minidump_write(struct fl_snapshot *snap, EXCEPTION_RECORD *rec,
			   CONTEXT *ctx, DWORD tid)
{
	EXCEPTION_POINTERS ep = {rec, ctx};
	MINIDUMP_EXCEPTION_INFORMATION mei = {tid, &ep, FALSE};
	const char *why = "path too long";
	fl_handle_t h = FL_NO_HANDLE;

	snap->minidump[0] = '\0';
	if (!fl_config.minidump_path[0])
		return;
	if (fl_expand_path_n(
		    fl_config.minidump_path, snap->exe_path,
		    (unsigned long)InterlockedIncrement(&dump_sequence) - 1,
		    dump_path, sizeof(dump_path)) == 0)
		h = fl_platform_create_file(dump_path, &why);
	if (h == FL_NO_HANDLE) {
		say_failure(why);
		return;
	}
	if (!write_dump) {
		say_failure("dbghelp.dll has no MiniDumpWriteDump");
	} else if (!write_dump(GetCurrentProcess(), GetCurrentProcessId(), h,
			       (MINIDUMP_TYPE)(MiniDumpNormal |
					       MiniDumpWithThreadInfo),
			       rec && ctx ? &mei : NULL, NULL, NULL)) {
		say_failure("MiniDumpWriteDump failed");
	} else {
		absolute_path(h, snap->minidump, sizeof(snap->minidump));
	}
	fl_platform_close(h);
}
