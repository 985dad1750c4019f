# tools: the faultline command-line tool ("run" and "symbolize") and its
# man page (its tests: tests/tool/local.mk).  It needs libdw for
# symbolizing, so it is built when libdw was found.
#
# All of the tool but main() is an archive, which the program links and so
# do the tests that check the tool's parts or read reports with its strict
# JSON reader (the crash harness, tests/core).  The reader needs nothing
# else, and is built wherever the tests are.  lib/utf8.c is the UTF-8 rule
# the library's escaping follows too.
noinst_LIBRARIES += tools/libfaultline-tool.a
tools_libfaultline_tool_a_SOURCES = \
	tools/json.c \
	tools/json.h \
	lib/utf8.c \
	lib/utf8.h
tools_libfaultline_tool_a_CPPFLAGS = $(AM_CPPFLAGS) -DFL_LIBDIR='"$(libdir)"'
tools_libfaultline_tool_a_CFLAGS = $(AM_CFLAGS) $(LIBDW_CFLAGS)
if FL_POSIX
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
endif
endif

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
