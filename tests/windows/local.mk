# tests/windows: crash tests run under Wine (configure sets
# FL_TEST_EMULATOR, the LOG_COMPILER, to wine).  Each tNN program runs
# tests/windows/crashme.exe as a child and checks its full exit code and
# report; TAP lines go to the .log, the exit code is the verdict.
if FL_WINDOWS
FL_WIN_TESTS = \
	tests/windows/t01-null-read \
	tests/windows/t02-write-and-dep \
	tests/windows/t03-illegal \
	tests/windows/t04-divide \
	tests/windows/t05-stack-overflow \
	tests/windows/t06-crt-signal-loop \
	tests/windows/t07-first-chance \
	tests/windows/t08-abort \
	tests/windows/t09-two-threads \
	tests/windows/t10-backtrace \
	tests/windows/t11-handler-fault \
	tests/windows/t12-uninstall
check_PROGRAMS += $(FL_WIN_TESTS) tests/windows/crashme
TESTS += \
	tests/windows/t01-null-read$(EXEEXT) \
	tests/windows/t02-write-and-dep$(EXEEXT) \
	tests/windows/t03-illegal$(EXEEXT) \
	tests/windows/t04-divide$(EXEEXT) \
	tests/windows/t05-stack-overflow$(EXEEXT) \
	tests/windows/t06-crt-signal-loop$(EXEEXT) \
	tests/windows/t07-first-chance$(EXEEXT) \
	tests/windows/t08-abort$(EXEEXT) \
	tests/windows/t09-two-threads$(EXEEXT) \
	tests/windows/t10-backtrace$(EXEEXT) \
	tests/windows/t11-handler-fault$(EXEEXT) \
	tests/windows/t12-uninstall$(EXEEXT)

# Wine's dbghelp reads DWARF 4, not gcc 12's default DWARF 5.
FL_WIN_TEST_CFLAGS = $(AM_CFLAGS) -gdwarf-4

tests_windows_crashme_SOURCES = tests/windows/crashme.c
tests_windows_crashme_CFLAGS = $(FL_WIN_TEST_CFLAGS)
tests_windows_crashme_LDADD = libfaultline.la
tests_windows_crashme_LDFLAGS = -Wl,--build-id

# A plain archive, not a libtool library: the test programs then need no
# libtool wrapper and find crashme.exe beside themselves.
check_LIBRARIES += tests/windows/libharness.a
tests_windows_libharness_a_SOURCES = \
	tests/windows/harness.c tests/windows/harness.h
tests_windows_libharness_a_CFLAGS = $(FL_WIN_TEST_CFLAGS)

tests_windows_t01_null_read_SOURCES = tests/windows/t01-null-read.c
tests_windows_t02_write_and_dep_SOURCES = tests/windows/t02-write-and-dep.c
tests_windows_t03_illegal_SOURCES = tests/windows/t03-illegal.c
tests_windows_t04_divide_SOURCES = tests/windows/t04-divide.c
tests_windows_t05_stack_overflow_SOURCES = \
	tests/windows/t05-stack-overflow.c
tests_windows_t06_crt_signal_loop_SOURCES = \
	tests/windows/t06-crt-signal-loop.c
tests_windows_t07_first_chance_SOURCES = tests/windows/t07-first-chance.c
tests_windows_t08_abort_SOURCES = tests/windows/t08-abort.c
tests_windows_t09_two_threads_SOURCES = tests/windows/t09-two-threads.c
tests_windows_t10_backtrace_SOURCES = tests/windows/t10-backtrace.c
tests_windows_t01_null_read_LDADD = tests/windows/libharness.a
tests_windows_t02_write_and_dep_LDADD = tests/windows/libharness.a
tests_windows_t03_illegal_LDADD = tests/windows/libharness.a
tests_windows_t04_divide_LDADD = tests/windows/libharness.a
tests_windows_t05_stack_overflow_LDADD = tests/windows/libharness.a
tests_windows_t06_crt_signal_loop_LDADD = tests/windows/libharness.a
tests_windows_t07_first_chance_LDADD = tests/windows/libharness.a
tests_windows_t08_abort_LDADD = tests/windows/libharness.a
tests_windows_t09_two_threads_LDADD = tests/windows/libharness.a
tests_windows_t10_backtrace_LDADD = tests/windows/libharness.a
tests_windows_t11_handler_fault_SOURCES = tests/windows/t11-handler-fault.c
tests_windows_t11_handler_fault_LDADD = tests/windows/libharness.a
tests_windows_t12_uninstall_SOURCES = tests/windows/t12-uninstall.c
tests_windows_t12_uninstall_LDADD = tests/windows/libharness.a

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
