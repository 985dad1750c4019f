# tests/protect: what faultline_protect recovers (issue 5), tested in the
# process that calls it; what it leaves fatal is a crash test
# (tests/crash/test-protect-fatal.c, tests/windows/test-protect-fatal.c).
# The public API only: the shared library.
if FL_POSIX
if HAVE_CHECK
# A Check program, each test in its own process.
FL_PROTECT_TESTS = tests/protect/test-protect
check_PROGRAMS += $(FL_PROTECT_TESTS)
TESTS += $(FL_PROTECT_TESTS)
tests_protect_test_protect_SOURCES = tests/protect/test-protect.c \
	tests/protect/fns.h
tests_protect_test_protect_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_protect_test_protect_CFLAGS = $(FL_UNIT_CFLAGS) -pthread
tests_protect_test_protect_LDADD = $(FL_UNIT_LDADD) -lm -lpthread
# -no-install: a real executable, not a libtool wrapper script, so that
# qemu-aarch64 (FL_TEST_EMULATOR) can run it.
tests_protect_test_protect_LDFLAGS = -no-install
endif
endif
# The Windows backend's, under Wine: no Check for mingw, so the tests are
# the harness's TESTs, run in the one process.
if FL_WINDOWS
FL_PROTECT_TESTS = tests/protect/test-protect-win
check_PROGRAMS += $(FL_PROTECT_TESTS)
TESTS += $(FL_PROTECT_TESTS)
tests_protect_test_protect_win_SOURCES = tests/protect/test-protect-win.c \
	tests/protect/fns.h
tests_protect_test_protect_win_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_protect_test_protect_win_LDADD = $(FL_HARNESS_LDADD) libfaultline.la \
	-lpsapi
endif
