# faultline_protect tests (issue 5): one Check program, each test in its
# own process.
if FL_POSIX
if HAVE_CHECK
check_PROGRAMS += tests/protect/test-protect
TESTS += tests/protect/test-protect
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
# The Windows backend's faultline_protect, under Wine.
if FL_WINDOWS
check_PROGRAMS += tests/protect/test-protect-win
TESTS += tests/protect/test-protect-win$(EXEEXT)
tests_protect_test_protect_win_SOURCES = tests/protect/test-protect-win.c \
	tests/protect/fns.h
tests_protect_test_protect_win_LDADD = libfaultline.la -lpsapi
endif
