/*
 * faultline-wer.c - turn Windows Error Reporting's LocalDumps on or off
 * for one program (Windows only; man/faultline-wer.1).
 *
 * Some crashes never reach a handler in the process: heap corruption and
 * __fastfail (stack cookie failures, the CRT's fail-fast paths, CFG) end
 * it from the kernel on Windows 8 and later, and only WER sees them.
 * With a LocalDumps key for the program, WER writes a minidump of each
 * such crash to a folder (of every crash, in fact: faultline's report and
 * the dump then both exist).  The key is
 *
 *   HKLM\SOFTWARE\Microsoft\Windows\Windows Error Reporting\LocalDumps\
 *     PROGRAM.exe   DumpFolder (REG_EXPAND_SZ), DumpType (REG_DWORD:
 *                   1 mini, 2 full), DumpCount (REG_DWORD: how many dumps
 *                   are kept, the oldest replaced)
 *
 * Writing under HKLM needs an administrator.  Exit status: 0 done, 1 the
 * registry refused (the message says why), 2 usage.
 */
#include <windows.h>

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#define LOCAL_DUMPS                                                            \
	L"SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting\\LocalDumps"

static int usage(const char *why)
{
	if (why)
		fprintf(stderr, "faultline-wer: %s\n", why);
	fprintf(stderr, "usage: faultline-wer enable PROGRAM.exe --dir DIR "
			"[--type mini|full] [--count N]\n"
			"       faultline-wer disable PROGRAM.exe\n");
	return 2;
}

/* A program's file name, as WER matches it: "name.exe", no directory. */
static int program_name_ok(const wchar_t *p)
{
	size_t n = wcslen(p);

	return n > 4 && !wcspbrk(p, L"\\/:") &&
	       _wcsicmp(p + n - 4, L".exe") == 0;
}

static int failed(const char *what, LONG err)
{
	char msg[256];

	if (!FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM |
				    FORMAT_MESSAGE_IGNORE_INSERTS,
			    NULL, (DWORD)err, 0, msg, sizeof(msg), NULL))
		snprintf(msg, sizeof(msg), "error %ld", (long)err);
	msg[strcspn(msg, "\r\n")] = '\0';
	fprintf(stderr, "faultline-wer: %s: %s\n", what, msg);
	return 1;
}

static LONG set_dword(HKEY key, const wchar_t *name, DWORD v)
{
	return RegSetValueExW(key, name, 0, REG_DWORD, (const BYTE *)&v,
			      sizeof(v));
}

static int enable(const wchar_t *program, const wchar_t *dir, DWORD type,
		  DWORD count)
{
	HKEY dumps, key;
	LONG err = RegCreateKeyExW(HKEY_LOCAL_MACHINE, LOCAL_DUMPS, 0, NULL, 0,
				   KEY_CREATE_SUB_KEY | KEY_WOW64_64KEY, NULL,
				   &dumps, NULL);

	if (err != ERROR_SUCCESS)
		return failed("cannot open HKLM\\...\\LocalDumps", err);
	err = RegCreateKeyExW(dumps, program, 0, NULL, 0,
			      KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &key,
			      NULL);
	RegCloseKey(dumps);
	if (err != ERROR_SUCCESS)
		return failed("cannot create the program's key", err);
	err = RegSetValueExW(key, L"DumpFolder", 0, REG_EXPAND_SZ,
			     (const BYTE *)dir,
			     (DWORD)((wcslen(dir) + 1) * sizeof(wchar_t)));
	if (err == ERROR_SUCCESS)
		err = set_dword(key, L"DumpType", type);
	if (err == ERROR_SUCCESS)
		err = set_dword(key, L"DumpCount", count);
	RegCloseKey(key);
	return err == ERROR_SUCCESS ? 0 : failed("cannot set a value", err);
}

static int disable(const wchar_t *program)
{
	HKEY dumps;
	LONG err = RegOpenKeyExW(HKEY_LOCAL_MACHINE, LOCAL_DUMPS, 0,
				 DELETE | KEY_WOW64_64KEY, &dumps);

	if (err == ERROR_FILE_NOT_FOUND)
		return 0; /* nothing to remove */
	if (err != ERROR_SUCCESS)
		return failed("cannot open HKLM\\...\\LocalDumps", err);
	err = RegDeleteKeyW(dumps, program);
	RegCloseKey(dumps);
	if (err != ERROR_SUCCESS && err != ERROR_FILE_NOT_FOUND)
		return failed("cannot remove the program's key", err);
	return 0;
}

/* A count of 1 to 1000 (WER's own default is 10). */
static int parse_count(const wchar_t *s, DWORD *out)
{
	wchar_t *end;
	unsigned long v = wcstoul(s, &end, 10);

	if (end == s || *end || v < 1 || v > 1000)
		return -1;
	*out = (DWORD)v;
	return 0;
}

int wmain(int argc, wchar_t **argv); /* -municode: the entry point */

int wmain(int argc, wchar_t **argv)
{
	const wchar_t *dir = NULL;
	DWORD type = 2, count = 10;

	if (argc < 3)
		return usage(NULL);
	if (!program_name_ok(argv[2]))
		return usage("PROGRAM must be a file name ending in .exe, "
			     "without a directory");
	if (wcscmp(argv[1], L"disable") == 0)
		return argc == 3 ? disable(argv[2])
				 : usage("too many arguments");
	if (wcscmp(argv[1], L"enable") != 0)
		return usage("the command is enable or disable");
	for (int i = 3; i < argc; i += 2) {
		const wchar_t *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			return usage("an option lacks its value");
		if (wcscmp(argv[i], L"--dir") == 0 && v[0])
			dir = v;
		else if (wcscmp(argv[i], L"--type") == 0 &&
			 (wcscmp(v, L"mini") == 0 || wcscmp(v, L"full") == 0))
			type = v[0] == L'm' ? 1 : 2;
		else if (wcscmp(argv[i], L"--count") != 0 ||
			 parse_count(v, &count) != 0)
			return usage("unknown option or bad value (--dir DIR, "
				     "--type mini|full, --count 1 to 1000)");
	}
	if (!dir)
		return usage("enable needs --dir DIR");
	return enable(argv[2], dir, type, count);
}
