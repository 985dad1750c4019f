# tests/options: the report of a real crash for every combination of the
# include options and both formats, on POSIX and under Wine.
FL_OPTIONS_TEST = tests/options/include_formats
check_PROGRAMS += $(FL_OPTIONS_TEST)
TESTS += $(FL_OPTIONS_TEST)$(EXEEXT)
tests_options_include_formats_SOURCES = tests/options/include_formats.c \
	tests/common/json.c tests/common/json.h
tests_options_include_formats_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/common
tests_options_include_formats_LDADD = libfaultline.la
CLEANFILES += include-formats-*.report
if FL_POSIX
# A real executable, not a libtool wrapper, for qemu-aarch64 to run.
tests_options_include_formats_LDFLAGS = -no-install
endif
