# Unit tests (Check) of the POSIX unwinder, module list and ELF reader.
# They link the sources they test directly: the library hides its
# internal symbols.
if FL_POSIX
if HAVE_CHECK
FL_UNIT_POSIX_SOURCES = \
	tests/unit/crash_helper.c \
	tests/unit/crash_helper.h \
	lib/snapshot.c \
	lib/sink.c \
	lib/utf8.c \
	lib/posix/platform.c \
	lib/posix/unwind.c \
	lib/posix/modules.c \
	lib/posix/elf.c
# Known call chains must keep their frames: no sibling calls.
FL_UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBUNWIND_CFLAGS) \
	-fno-optimize-sibling-calls -fno-inline
FL_UNIT_LIBS = $(CHECK_LIBS) $(LIBUNWIND_LIBS)

check_PROGRAMS += tests/unit/test_unwind tests/unit/test_elf \
	tests/unit/test_modules
TESTS += tests/unit/test_unwind tests/unit/test_elf tests/unit/test_modules

tests_unit_test_unwind_SOURCES = tests/unit/test_unwind.c \
	$(FL_UNIT_POSIX_SOURCES)
tests_unit_test_unwind_CFLAGS = $(FL_UNIT_CFLAGS)
tests_unit_test_unwind_LDADD = $(FL_UNIT_LIBS)

tests_unit_test_elf_SOURCES = tests/unit/test_elf.c $(FL_UNIT_POSIX_SOURCES)
tests_unit_test_elf_CFLAGS = $(FL_UNIT_CFLAGS)
tests_unit_test_elf_LDADD = $(FL_UNIT_LIBS)

tests_unit_test_modules_SOURCES = tests/unit/test_modules.c \
	$(FL_UNIT_POSIX_SOURCES)
tests_unit_test_modules_CFLAGS = $(FL_UNIT_CFLAGS)
tests_unit_test_modules_LDADD = $(FL_UNIT_LIBS)
endif
endif
