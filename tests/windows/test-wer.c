/*
 * test-wer.c - faultline-wer.exe writes and removes WER's LocalDumps key
 * for a program (under Wine: its registry; WER itself is not there to
 * write dumps), and refuses bad usage with exit status 2.
 */
#include <windows.h>

#include "harness.h"

#define KEY_PATH                                                               \
	"SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting\\LocalDumps\\"  \
	"fl-wer-test.exe"

static const struct run *wer(const char *a1, const char *a2, const char *a3,
			     const char *a4, const char *a5, const char *a6,
			     const char *a7)
{
	static char tool[MAX_PATH + 64];
	struct spawn sp = {.path = tool, .args = {a1, a2, a3, a4, a5, a6, a7}};

	snprintf(tool, sizeof(tool), "%s\\.libs\\faultline-wer.exe",
		 builddir());
	if (GetFileAttributesA(tool) == INVALID_FILE_ATTRIBUTES)
		snprintf(tool, sizeof(tool), "%s\\faultline-wer.exe",
			 builddir());
	return spawn(&sp);
}

static LONG get(const char *name, DWORD flags, void *out, DWORD *size)
{
	return RegGetValueA(HKEY_LOCAL_MACHINE, KEY_PATH, name,
			    flags | RRF_NOEXPAND, NULL, out, size);
}

static int key_exists(void)
{
	HKEY k;

	if (RegOpenKeyExA(HKEY_LOCAL_MACHINE, KEY_PATH, 0, KEY_READ, &k) !=
	    ERROR_SUCCESS)
		return 0;
	RegCloseKey(k);
	return 1;
}

TEST(enable_writes_the_values)
{
	const struct run *r = wer("enable", "fl-wer-test.exe", "--dir",
				  "%TEMP%\\fl-dumps", "--type", "mini", NULL);
	char folder[256];
	DWORD type = 0, count = 0, size = sizeof(folder);

	check_exited(r, 0);
	CHECK(get("DumpFolder", RRF_RT_REG_EXPAND_SZ, folder, &size) ==
		      ERROR_SUCCESS,
	      "no DumpFolder of type REG_EXPAND_SZ");
	check_has("DumpFolder", folder, "%TEMP%\\fl-dumps");
	size = sizeof(type);
	CHECK(get("DumpType", RRF_RT_REG_DWORD, &type, &size) ==
			      ERROR_SUCCESS &&
		      type == 1,
	      "DumpType is %lu, not 1 (mini)", (unsigned long)type);
	size = sizeof(count);
	CHECK(get("DumpCount", RRF_RT_REG_DWORD, &count, &size) ==
			      ERROR_SUCCESS &&
		      count == 10,
	      "DumpCount is %lu, not the default 10", (unsigned long)count);

	/* Enabled again: the values replaced, the type back to full. */
	r = wer("enable", "fl-wer-test.exe", "--dir", "C:\\dumps", "--count",
		"5", NULL);
	check_exited(r, 0);
	size = sizeof(type);
	CHECK(get("DumpType", RRF_RT_REG_DWORD, &type, &size) ==
			      ERROR_SUCCESS &&
		      type == 2,
	      "DumpType is %lu, not the default 2 (full)", (unsigned long)type);
	size = sizeof(count);
	CHECK(get("DumpCount", RRF_RT_REG_DWORD, &count, &size) ==
			      ERROR_SUCCESS &&
		      count == 5,
	      "DumpCount is %lu, not 5", (unsigned long)count);
	return 0;
}

TEST(disable_removes_the_key)
{
	const struct run *r = wer("enable", "fl-wer-test.exe", "--dir",
				  "C:\\dumps", NULL, NULL, NULL);

	check_exited(r, 0);
	CHECK(key_exists(), "enable made no key");
	r = wer("disable", "fl-wer-test.exe", NULL, NULL, NULL, NULL, NULL);
	check_exited(r, 0);
	CHECK(!key_exists(), "disable left the key");
	/* Again: nothing to remove is not an error. */
	r = wer("disable", "fl-wer-test.exe", NULL, NULL, NULL, NULL, NULL);
	check_exited(r, 0);
	return 0;
}

/* Bad usage: exit status 2, a message, and no key written. */
static void refused(const char *a1, const char *a2, const char *a3,
		    const char *a4, const char *a5)
{
	const struct run *r = wer(a1, a2, a3, a4, a5, NULL, NULL);

	check_exited(r, 2);
	check_has("stderr", r->err, "usage: faultline-wer enable");
	CHECK(!key_exists(), "a refused command wrote the key");
}

TEST(bad_usage)
{
	wer("disable", "fl-wer-test.exe", NULL, NULL, NULL, NULL, NULL);
	refused(NULL, NULL, NULL, NULL, NULL);
	refused("enable", "fl-wer-test.exe", NULL, NULL, NULL);
	refused("enable", "C:\\bin\\fl-wer-test.exe", "--dir", "C:\\d", NULL);
	refused("enable", "fl-wer-test", "--dir", "C:\\d", NULL);
	refused("enable", "fl-wer-test.exe", "--dir", NULL, NULL);
	refused("enable", "fl-wer-test.exe", "--type", "huge", NULL);
	refused("enable", "fl-wer-test.exe", "--count", "0", NULL);
	refused("enable", "fl-wer-test.exe", "--count", "12x", NULL);
	refused("enable", "fl-wer-test.exe", "--colour", "red", NULL);
	refused("erase", "fl-wer-test.exe", NULL, NULL, NULL);
	return 0;
}
