# tests/requests: faultline_requests and faultline_request (issue 14),
# tested in the calling process (each POSIX test in a forked child; the
# Windows tests start children in new process groups).  The public API
# only: the shared library.
if FL_POSIX
FL_REQUEST_TESTS = tests/requests/test-requests
check_PROGRAMS += $(FL_REQUEST_TESTS)
TESTS += $(FL_REQUEST_TESTS)
tests_requests_test_requests_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_requests_test_requests_CFLAGS = $(AM_CFLAGS) -pthread
tests_requests_test_requests_LDADD = $(FL_HARNESS_LDADD) libfaultline.la \
	-lpthread
tests_requests_test_requests_LDFLAGS = -no-install
endif
# Windows, under Wine: a child in a new process group (requests-child.c)
# receives console control events.
if FL_WINDOWS
FL_REQUEST_TESTS = tests/requests/test-requests-win
check_PROGRAMS += $(FL_REQUEST_TESTS) tests/requests/requests-child
TESTS += $(FL_REQUEST_TESTS)
tests_requests_test_requests_win_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_requests_test_requests_win_LDADD = $(FL_HARNESS_LDADD) libfaultline.la
tests_requests_requests_child_LDADD = libfaultline.la
# The example service, stopped by a closed console.
EXTRA_tests_requests_test_requests_win_DEPENDENCIES = examples/service$(EXEEXT)
endif
