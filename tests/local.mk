# tests: unit tests of the core (Check) and crash tests (a harness in C
# running crashing children).  Both run natively, or under
# $(FL_TEST_EMULATOR) (qemu-aarch64) when cross-compiled: every test
# program here is a real executable (-no-install: no libtool wrapper
# script for an emulator to choke on).

EXTRA_DIST += tests/README.md ci-test.sh demo.sh .ci/run

if FL_POSIX
# --- crash tests -----------------------------------------------------------
# The children: linked with the library (C API), plain (preload mode), and
# plain with a malloc of its own.
check_PROGRAMS += tests/crash/crashme tests/crash/crashme-plain \
	tests/crash/crashme-malloc
tests_crash_crashme_SOURCES = tests/crash/crashme.c
tests_crash_crashme_CPPFLAGS = $(AM_CPPFLAGS) -DFL_LINKED
tests_crash_crashme_LDADD = libfaultline.la
tests_crash_crashme_LDFLAGS = -no-install
tests_crash_crashme_plain_SOURCES = tests/crash/crashme.c
tests_crash_crashme_plain_LDFLAGS = -no-install
tests_crash_crashme_malloc_SOURCES = tests/crash/crashme.c
tests_crash_crashme_malloc_CPPFLAGS = $(AM_CPPFLAGS) -DFL_OWN_MALLOC
tests_crash_crashme_malloc_LDFLAGS = -no-install

# The harness: one program per area, each a list of test cases.
FL_CRASH_TESTS = \
	tests/crash/test-report \
	tests/crash/test-backtrace \
	tests/crash/test-json \
	tests/crash/test-env \
	tests/crash/test-altstack \
	tests/crash/test-safety \
	tests/crash/test-termination \
	tests/crash/test-api
check_PROGRAMS += $(FL_CRASH_TESTS)
TESTS += $(FL_CRASH_TESTS) tests/crash/pid1.sh
EXTRA_DIST += tests/crash/pid1.sh

# Reports are read with the tool's strict JSON reader.
FL_HARNESS = tests/crash/harness.c tests/crash/harness.h
FL_HARNESS_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools
FL_HARNESS_LIBS = tools/libfaultline-tool.a
tests_crash_test_report_SOURCES = tests/crash/test-report.c $(FL_HARNESS)
tests_crash_test_report_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_report_LDADD = $(FL_HARNESS_LIBS)
tests_crash_test_backtrace_SOURCES = tests/crash/test-backtrace.c $(FL_HARNESS)
tests_crash_test_backtrace_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_backtrace_LDADD = $(FL_HARNESS_LIBS)
tests_crash_test_json_SOURCES = tests/crash/test-json.c $(FL_HARNESS)
tests_crash_test_json_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_json_LDADD = $(FL_HARNESS_LIBS)
tests_crash_test_env_SOURCES = tests/crash/test-env.c $(FL_HARNESS)
tests_crash_test_env_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_env_LDADD = $(FL_HARNESS_LIBS)
tests_crash_test_altstack_SOURCES = tests/crash/test-altstack.c $(FL_HARNESS)
tests_crash_test_altstack_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_altstack_LDADD = $(FL_HARNESS_LIBS)
tests_crash_test_safety_SOURCES = tests/crash/test-safety.c $(FL_HARNESS)
tests_crash_test_safety_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_safety_LDADD = $(FL_HARNESS_LIBS)
tests_crash_test_termination_SOURCES = tests/crash/test-termination.c \
	$(FL_HARNESS)
tests_crash_test_termination_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_termination_LDADD = $(FL_HARNESS_LIBS)
tests_crash_test_api_SOURCES = tests/crash/test-api.c $(FL_HARNESS)
tests_crash_test_api_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_api_LDADD = $(FL_HARNESS_LIBS)

endif
