# tests/unit: unit tests (Check) of the POSIX backend: the unwinder, the
# module list and the ELF reader, a recovery racing a crash or a fork, one
# program a file.  Like tests/core
# they link the static library to reach its internal functions.
if FL_POSIX
if HAVE_CHECK
FL_BACKEND_TESTS = \
	tests/unit/test-unwind \
	tests/unit/test-elf \
	tests/unit/test-modules \
	tests/unit/test-races tests/unit/test-demangle \
	tests/unit/test-threads tests/unit/test-crash-memory
check_PROGRAMS += $(FL_BACKEND_TESTS)
TESTS += $(FL_BACKEND_TESTS)
# The tests' own call chains must keep their frames: no sibling calls.
FL_BACKEND_CFLAGS = $(FL_UNIT_CFLAGS) $(LIBUNWIND_CFLAGS) \
	-fno-optimize-sibling-calls -fno-inline
FL_BACKEND_HELPER = tests/unit/crash-helper.c tests/unit/crash-helper.h
FL_NO_MALLOC = tests/unit/no-malloc.c tests/unit/no-malloc.h
FL_OPEN_HOOK = tests/unit/open-hook.c tests/unit/open-hook.h
tests_unit_test_unwind_SOURCES = tests/unit/test-unwind.c $(FL_BACKEND_HELPER) \
	$(FL_NO_MALLOC) $(FL_OPEN_HOOK)
tests_unit_test_unwind_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_unit_test_unwind_CFLAGS = $(FL_BACKEND_CFLAGS)
tests_unit_test_unwind_LDFLAGS = -static
tests_unit_test_unwind_LDADD = $(FL_UNIT_LDADD)
tests_unit_test_elf_SOURCES = tests/unit/test-elf.c $(FL_BACKEND_HELPER)
tests_unit_test_elf_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_unit_test_elf_CFLAGS = $(FL_BACKEND_CFLAGS)
tests_unit_test_elf_LDFLAGS = -static
tests_unit_test_elf_LDADD = $(FL_UNIT_LDADD)
tests_unit_test_modules_SOURCES = tests/unit/test-modules.c \
	$(FL_BACKEND_HELPER)
tests_unit_test_modules_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_unit_test_modules_CFLAGS = $(FL_BACKEND_CFLAGS)
tests_unit_test_modules_LDFLAGS = -static
tests_unit_test_modules_LDADD = $(FL_UNIT_LDADD)
tests_unit_test_races_SOURCES = tests/unit/test-races.c
tests_unit_test_races_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_unit_test_races_CFLAGS = $(FL_BACKEND_CFLAGS)
tests_unit_test_races_LDFLAGS = -static
tests_unit_test_races_LDADD = $(FL_UNIT_LDADD)
tests_unit_test_threads_SOURCES = tests/unit/test-threads.c $(FL_OPEN_HOOK)
tests_unit_test_threads_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_unit_test_threads_CFLAGS = $(FL_BACKEND_CFLAGS)
tests_unit_test_threads_LDFLAGS = -static
tests_unit_test_threads_LDADD = $(FL_UNIT_LDADD)
tests_unit_test_crash_memory_SOURCES = tests/unit/test-crash-memory.c
tests_unit_test_crash_memory_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_unit_test_crash_memory_CFLAGS = $(FL_BACKEND_CFLAGS)
tests_unit_test_crash_memory_LDFLAGS = -static
tests_unit_test_crash_memory_LDADD = $(FL_UNIT_LDADD)

tests_unit_test_demangle_SOURCES = tests/unit/test-demangle.c $(FL_NO_MALLOC)
tests_unit_test_demangle_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_unit_test_demangle_CFLAGS = $(FL_UNIT_CFLAGS)
tests_unit_test_demangle_LDFLAGS = -static
tests_unit_test_demangle_LDADD = $(FL_UNIT_LDADD)
endif
# fl_demangle against c++filt on libstdc++'s symbols: a script and its
# filter (no Check needed).
check_PROGRAMS += tests/unit/demangle-filter
TESTS += tests/unit/demangle.sh
tests_unit_demangle_filter_SOURCES = tests/unit/demangle-filter.c
tests_unit_demangle_filter_LDFLAGS = -static -no-install
tests_unit_demangle_filter_LDADD = libfaultline.la
endif
EXTRA_DIST += tests/unit/demangle.sh
