# faultline_protect tests (issue 5): one Check program, each test in its
# own process.
if FL_POSIX
if HAVE_CHECK
check_PROGRAMS += tests/protect/protect_test
TESTS += tests/protect/protect_test
tests_protect_protect_test_SOURCES = tests/protect/protect_test.c tests/protect/fns.h
tests_protect_protect_test_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -pthread
tests_protect_protect_test_LDADD = libfaultline.la $(CHECK_LIBS) -lm -lpthread
# -no-install: a real executable, not a libtool wrapper script, so that
# qemu-aarch64 (FL_TEST_EMULATOR) can run it.
tests_protect_protect_test_LDFLAGS = -no-install
endif
endif
# The Windows backend's faultline_protect, under Wine.
if FL_WINDOWS
check_PROGRAMS += tests/protect/protect_win
TESTS += tests/protect/protect_win$(EXEEXT)
tests_protect_protect_win_SOURCES = tests/protect/protect_win.c tests/protect/fns.h
tests_protect_protect_win_LDADD = libfaultline.la -lpsapi
endif
