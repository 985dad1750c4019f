# tools: the faultline command-line tool ("run" and "symbolize"), its man
# page and tests.  It needs libdw for symbolizing, so it is built when
# libdw was found.
#
# All of the tool but main() is an archive, which the program links and so
# do the tests that check the tool's parts (tests/tool) or read reports
# with its strict JSON reader (the crash harness, tests/core).  The reader
# needs nothing else, and is built wherever the tests are.  lib/utf8.c is
# the UTF-8 rule the library's escaping follows too.
noinst_LIBRARIES += tools/libfaultline-tool.a
tools_libfaultline_tool_a_SOURCES = \
	tools/json.c \
	tools/json.h \
	lib/utf8.c \
	lib/utf8.h
tools_libfaultline_tool_a_CPPFLAGS = $(AM_CPPFLAGS) -DFL_LIBDIR='"$(libdir)"'
tools_libfaultline_tool_a_CFLAGS = $(AM_CFLAGS) $(LIBDW_CFLAGS)
if FL_POSIX
if HAVE_CHECK
check_PROGRAMS += tests/tool/test-json-reader
TESTS += tests/tool/test-json-reader
tests_tool_test_json_reader_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_tool_test_json_reader_CFLAGS = $(FL_UNIT_CFLAGS)
tests_tool_test_json_reader_LDFLAGS = -static
tests_tool_test_json_reader_LDADD = $(FL_UNIT_LDADD)
endif
if HAVE_LIBDW
tools_libfaultline_tool_a_SOURCES += \
	tools/log_output.c \
	tools/report.h \
	tools/report_parse.c \
	tools/report_write.c \
	tools/run.c \
	tools/symbolize.c \
	tools/symbolize.h \
	tools/tool.h

bin_PROGRAMS += faultline
faultline_SOURCES = tools/faultline.c
faultline_LDADD = tools/libfaultline-tool.a $(LIBDW_LIBS) -lelf -ldl
dist_man_MANS += man/faultline.1
# The scripts build their crash programs themselves (C at -O2 -g, C++,
# a shared library), so the compilers used are the ones configured.
TESTS += tests/tool/symbolize.sh tests/tool/run.sh tests/tool/bad_input.sh
AM_TESTS_ENVIRONMENT += CC='$(CC)'; export CC; \
	CXX='$(CXX)'; export CXX;
if HAVE_CHECK
# Unit tests of the tool's parts: they link its archive, and the static
# library for the library's side.
check_PROGRAMS += tests/tool/test-escape
TESTS += tests/tool/test-escape
tests_tool_test_escape_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_tool_test_escape_CFLAGS = $(FL_UNIT_CFLAGS)
tests_tool_test_escape_LDFLAGS = -static
tests_tool_test_escape_LDADD = $(FL_UNIT_LDADD)
endif
endif
endif
EXTRA_DIST += tests/tool/common.sh tests/tool/symbolize.sh \
	tests/tool/run.sh tests/tool/bad_input.sh tests/tool/crash_c.c \
	tests/tool/crash_cxx.cc tests/tool/crash_lib.c \
	tests/tool/crash_shlib.c tests/tool/crash_tree.c \
	tests/tool/corpus/json-library.txt tests/tool/corpus/json-prefixed.txt \
	tests/tool/corpus/text-prefixed.txt \
	tests/tool/corpus/text-symbolized.txt

# The parser's libFuzzer target, built on request with clang:
#   make fuzz-report-parse && ./fuzz_report_parse -max_total_time=600 \
#       -dict=$(srcdir)/tests/tool/report.dict \
#       fuzz-corpus $(srcdir)/tests/tool/corpus
FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE
fuzz-report-parse:
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(builddir) -I$(srcdir)/tools -I$(srcdir)/lib \
		$(LIBDW_CFLAGS) -o fuzz_report_parse \
		$(srcdir)/tests/tool/fuzz_report_parse.c \
		$(srcdir)/tools/json.c $(srcdir)/lib/utf8.c \
		$(srcdir)/tools/report_parse.c \
		$(srcdir)/tools/report_write.c $(srcdir)/tools/log_output.c \
		$(srcdir)/tools/symbolize.c $(LIBDW_LIBS) -lelf -ldl
.PHONY: fuzz-report-parse
CLEANFILES += fuzz_report_parse
EXTRA_DIST += tests/tool/fuzz_report_parse.c tests/tool/report.dict
