# tests/windows: the crash tests on Windows, run under Wine (configure
# sets FL_TEST_EMULATOR, the LOG_COMPILER, to wine).  The same harness
# (tests/common/harness.h) and the same scenario table as on POSIX; each
# test-*.c is one area's list of tests, which run crashme.exe and check
# its full exit code and report.
if FL_WINDOWS
FL_WIN_TESTS = tests/windows/test-report tests/windows/test-json \
	tests/windows/test-backtrace tests/windows/test-overflow \
	tests/windows/test-safety tests/windows/test-api \
	tests/windows/test-protect-fatal tests/windows/test-runtime \
	tests/windows/test-wer tests/windows/test-chain \
	tests/windows/test-minidump
check_PROGRAMS += $(FL_WIN_TESTS) tests/windows/crashme \
	tests/windows/crashme-ucrt tests/windows/crashme-cxx
TESTS += $(FL_WIN_TESTS)

# Wine's dbghelp reads DWARF 4, not gcc 12's default DWARF 5.
FL_WIN_TEST_CFLAGS = $(AM_CFLAGS) -gdwarf-4

tests_windows_crashme_SOURCES = $(FL_CRASHME) \
	tests/common/scenarios-windows.c
tests_windows_crashme_CPPFLAGS = $(AM_CPPFLAGS) -DFL_LINKED
tests_windows_crashme_CFLAGS = $(FL_WIN_TEST_CFLAGS)
tests_windows_crashme_LDADD = libfaultline.la
tests_windows_crashme_LDFLAGS = -Wl,--build-id

# The same child for the UCRT (ucrtbase.dll through api-ms-win-crt-*), the
# other C runtime mingw-w64 targets: Debian's toolchain links msvcrt.dll,
# and its libucrt.a (mingw-w64-x86-64-dev) stands in when a specs file
# names it instead.  faultline's DLL stays on msvcrt.dll: a program and
# faultline on different CRTs, the case crt.c is written for.
tests/windows/ucrt.specs:
	$(AM_V_GEN)$(MKDIR_P) tests/windows && \
	$(CC) -dumpspecs | sed 's/-lmsvcrt\b/-lucrt/g' >$@.tmp && \
	grep -q -- -lucrt $@.tmp && mv $@.tmp $@
CLEANFILES += tests/windows/ucrt.specs
tests_windows_crashme_ucrt_SOURCES = $(tests_windows_crashme_SOURCES)
tests_windows_crashme_ucrt_CPPFLAGS = $(AM_CPPFLAGS) -DFL_LINKED -D_UCRT
tests_windows_crashme_ucrt_CFLAGS = $(FL_WIN_TEST_CFLAGS)
tests_windows_crashme_ucrt_LDADD = libfaultline.la
tests_windows_crashme_ucrt_LDFLAGS = -Wl,--build-id \
	-specs=tests/windows/ucrt.specs
EXTRA_tests_windows_crashme_ucrt_DEPENDENCIES = tests/windows/ucrt.specs

# The C++ child: the same table with the C++ scenarios, g++ and its shared
# runtime, libstdc++-6.dll, copied beside it with libgcc_s_seh-1.dll (the
# exe's directory is searched first).
tests_windows_crashme_cxx_SOURCES = $(tests_windows_crashme_SOURCES) \
	tests/common/scenarios-cxx.cpp
tests_windows_crashme_cxx_CPPFLAGS = $(AM_CPPFLAGS) -DFL_LINKED -DFL_CXX
tests_windows_crashme_cxx_CFLAGS = $(FL_WIN_TEST_CFLAGS)
tests_windows_crashme_cxx_CXXFLAGS = $(FL_WARN_CXXFLAGS) -gdwarf-4
tests_windows_crashme_cxx_LDADD = libfaultline.la
tests_windows_crashme_cxx_LDFLAGS = -Wl,--build-id
FL_CXX_RUNTIME = libstdc++-6.dll libgcc_s_seh-1.dll
tests/windows/cxx-runtime.stamp:
	$(AM_V_GEN)$(MKDIR_P) tests/windows/.libs && \
	for dll in $(FL_CXX_RUNTIME); do \
		cp "$$($(CXX) -print-file-name=$$dll)" tests/windows/.libs/ || \
		exit 1; \
	done && touch $@
check_DATA += tests/windows/cxx-runtime.stamp
CLEANFILES += tests/windows/cxx-runtime.stamp

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
tests_windows_test_runtime_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_windows_test_runtime_LDADD = $(FL_HARNESS_LDADD)
tests_windows_test_chain_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_windows_test_chain_LDADD = $(FL_HARNESS_LDADD)
tests_windows_test_minidump_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_windows_test_minidump_LDADD = $(FL_HARNESS_LDADD)
tests_windows_test_wer_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_windows_test_wer_LDADD = $(FL_HARNESS_LDADD)
EXTRA_tests_windows_test_wer_DEPENDENCIES = faultline-wer$(EXEEXT)

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
