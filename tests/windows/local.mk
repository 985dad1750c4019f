# tests/windows: the crash tests on Windows, run under Wine (configure
# sets FL_TEST_EMULATOR, the LOG_COMPILER, to wine).  The same harness
# (tests/common/harness.h) and the same scenario table as on POSIX; each
# test-*.c is one area's list of tests, which run crashme.exe and check
# its full exit code and report.
if FL_WINDOWS
FL_WIN_TESTS = tests/windows/test-report tests/windows/test-json \
	tests/windows/test-backtrace tests/windows/test-overflow \
	tests/windows/test-safety tests/windows/test-api \
	tests/windows/test-protect-fatal
check_PROGRAMS += $(FL_WIN_TESTS) tests/windows/crashme
TESTS += $(FL_WIN_TESTS)

# Wine's dbghelp reads DWARF 4, not gcc 12's default DWARF 5.
FL_WIN_TEST_CFLAGS = $(AM_CFLAGS) -gdwarf-4

tests_windows_crashme_SOURCES = $(FL_CRASHME) \
	tests/common/scenarios-windows.c
tests_windows_crashme_CPPFLAGS = $(AM_CPPFLAGS) -DFL_LINKED
tests_windows_crashme_CFLAGS = $(FL_WIN_TEST_CFLAGS)
tests_windows_crashme_LDADD = libfaultline.la
tests_windows_crashme_LDFLAGS = -Wl,--build-id

tests_windows_test_report_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_windows_test_report_LDADD = $(FL_HARNESS_LDADD)
tests_windows_test_json_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_windows_test_json_LDADD = $(FL_HARNESS_LDADD)
tests_windows_test_backtrace_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_windows_test_backtrace_LDADD = $(FL_HARNESS_LDADD)
tests_windows_test_overflow_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_windows_test_overflow_LDADD = $(FL_HARNESS_LDADD)
tests_windows_test_safety_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_windows_test_safety_LDADD = $(FL_HARNESS_LDADD)
tests_windows_test_api_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_windows_test_api_LDADD = $(FL_HARNESS_LDADD)
tests_windows_test_protect_fatal_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_windows_test_protect_fatal_LDADD = $(FL_HARNESS_LDADD)

# Quiet Wine, and keep its prefix in the build tree (created on the first
# run, ~15 s).
AM_TESTS_ENVIRONMENT += \
	WINEDEBUG=-all; export WINEDEBUG; \
	WINEPREFIX='$(abs_top_builddir)/wineprefix'; export WINEPREFIX;
endif

# The Wine prefix the tests made (nothing to remove on other builds).
clean-local: clean-local-wine
clean-local-wine:
	-rm -rf '$(abs_top_builddir)/wineprefix'
.PHONY: clean-local-wine
