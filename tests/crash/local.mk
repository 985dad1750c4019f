# tests/crash: the crash tests on POSIX.  Each test-*.c is a list of tests
# that run the crashing child as the harness (tests/common/harness.h)
# does, one area a program.  Every program here is a real executable
# (-no-install: no libtool wrapper script for qemu-user to choke on).
if FL_POSIX
# The child, three ways: linked with the library (the C API), plain
# (preload mode), and plain with a malloc of its own.
check_PROGRAMS += tests/crash/crashme tests/crash/crashme-plain \
	tests/crash/crashme-malloc
FL_CRASHME_POSIX = tests/common/scenarios-posix.c \
	tests/common/scenarios-threads.c
tests_crash_crashme_SOURCES = $(FL_CRASHME) $(FL_CRASHME_POSIX)
tests_crash_crashme_CPPFLAGS = $(AM_CPPFLAGS) -DFL_LINKED
tests_crash_crashme_LDADD = libfaultline.la
tests_crash_crashme_LDFLAGS = -no-install
tests_crash_crashme_plain_SOURCES = $(FL_CRASHME) $(FL_CRASHME_POSIX)
tests_crash_crashme_plain_LDFLAGS = -no-install
tests_crash_crashme_malloc_SOURCES = $(FL_CRASHME) $(FL_CRASHME_POSIX)
tests_crash_crashme_malloc_CPPFLAGS = $(AM_CPPFLAGS) -DFL_OWN_MALLOC
# A program with its own allocator must tell the compiler that malloc and
# free are not the C library's: clang otherwise reasons from their
# standard meaning and drops the crash (as jemalloc builds do).
tests_crash_crashme_malloc_CFLAGS = $(AM_CFLAGS) -fno-builtin-malloc \
	-fno-builtin-free -fno-builtin-calloc -fno-builtin-realloc
tests_crash_crashme_malloc_LDFLAGS = -no-install
# A library whose constructor blocks, for crashme loader-lock-dlopen.
# -rpath: libtool builds a shared object only for an installable library.
check_LTLIBRARIES += tests/crash/libblockingctor.la
tests_crash_libblockingctor_la_SOURCES = tests/crash/blocking_ctor.c
tests_crash_libblockingctor_la_LDFLAGS = -module -avoid-version -shared \
	-rpath $(abs_builddir)/tests/crash

FL_CRASH_TESTS = tests/crash/test-report tests/crash/test-backtrace \
	tests/crash/test-json tests/crash/test-env tests/crash/test-overflow \
	tests/crash/test-safety tests/crash/test-termination \
	tests/crash/test-api tests/crash/test-protect-fatal \
	tests/crash/test-unwinder tests/crash/test-cxx tests/crash/test-threads \
	tests/crash/test-chain tests/crash/test-output tests/crash/test-torture \
	tests/crash/test-annotations
check_PROGRAMS += $(FL_CRASH_TESTS)
TESTS += $(FL_CRASH_TESTS) tests/crash/pid1.sh tests/crash/debuglink.sh \
	tests/crash/minidump.sh tests/crash/inherited.sh
EXTRA_DIST += tests/crash/pid1.sh tests/crash/debuglink.sh \
	tests/crash/minidump.sh tests/crash/inherited.sh
tests_crash_test_annotations_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_annotations_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_chain_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_chain_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_report_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_report_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_backtrace_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_backtrace_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_json_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_json_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_env_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_env_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_overflow_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_overflow_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_safety_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_safety_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_termination_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_termination_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_api_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_api_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_protect_fatal_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_protect_fatal_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_unwinder_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_unwinder_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_output_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_output_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_torture_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_torture_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_threads_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_threads_LDADD = $(FL_HARNESS_LDADD)
tests_crash_test_cxx_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_crash_test_cxx_LDADD = $(FL_HARNESS_LDADD)

# The C++ child of test-cxx (plain: preloaded), where there is a C++
# compiler for the host; test-cxx skips without it.
if HAVE_CXX
check_PROGRAMS += tests/crash/crashme-cxx
tests_crash_crashme_cxx_SOURCES = tests/crash/cxx.cc
tests_crash_crashme_cxx_LDFLAGS = -no-install
else
EXTRA_DIST += tests/crash/cxx.cc
endif

# A program using the system's own libunwind beside faultline, preloaded
# and linked (test-unwinder), where the system has libunwind-dev.
if HAVE_SYSTEM_LIBUNWIND
check_PROGRAMS += tests/crash/crashme-sysunwind \
	tests/crash/crashme-sysunwind-linked
FL_SYSUNWIND_SOURCES = tests/crash/sysunwind.c tests/crash/sysunwind_generic.c
tests_crash_crashme_sysunwind_SOURCES = $(FL_SYSUNWIND_SOURCES)
tests_crash_crashme_sysunwind_CFLAGS = $(AM_CFLAGS) $(SYSTEM_LIBUNWIND_CFLAGS)
tests_crash_crashme_sysunwind_LDADD = $(SYSTEM_LIBUNWIND_LIBS) $(LIBS)
tests_crash_crashme_sysunwind_LDFLAGS = -no-install
tests_crash_crashme_sysunwind_linked_SOURCES = $(FL_SYSUNWIND_SOURCES)
tests_crash_crashme_sysunwind_linked_CPPFLAGS = $(AM_CPPFLAGS) -DFL_LINKED
tests_crash_crashme_sysunwind_linked_CFLAGS = $(AM_CFLAGS) \
	$(SYSTEM_LIBUNWIND_CFLAGS)
tests_crash_crashme_sysunwind_linked_LDADD = libfaultline.la \
	$(SYSTEM_LIBUNWIND_LIBS) $(LIBS)
tests_crash_crashme_sysunwind_linked_LDFLAGS = -no-install
endif
endif
# Breakpad's tools, fetched from npm by minidump.sh or ci-test.sh: never
# part of the source.
clean-local: clean-local-breakpad
clean-local-breakpad:
	-rm -rf tests/breakpad
.PHONY: clean-local-breakpad
