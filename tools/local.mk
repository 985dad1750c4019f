# tools: the faultline command-line tool ("run" and "symbolize") and its
# man page (its tests: tests/tool/local.mk).  It needs libdw for
# symbolizing, so it is built when libdw was found.
#
# All of the tool but main() is an archive, which the program links and so
# do the tests that check the tool's parts or read reports with its strict
# JSON reader (the crash harness, tests/core).  The reader needs nothing
# else, and is built wherever the tests are.  lib/utf8.c is the UTF-8 rule
# the library's escaping follows too; lib/names.c the names reports give
# (thread states, for "faultline dump").
noinst_LIBRARIES += tools/libfaultline-tool.a
tools_libfaultline_tool_a_SOURCES = \
	tools/json.c \
	tools/json.h \
	lib/utf8.c \
	lib/utf8.h
tools_libfaultline_tool_a_CPPFLAGS = $(AM_CPPFLAGS) -DFL_LIBDIR='"$(libdir)"'
# libdebuginfod is opened at run time (tools/debuginfod.c): its header only.
tools_libfaultline_tool_a_CFLAGS = $(AM_CFLAGS) $(LIBDW_CFLAGS) \
	$(LIBDEBUGINFOD_CFLAGS)
if FL_POSIX
if HAVE_LIBDW
tools_libfaultline_tool_a_SOURCES += \
	lib/names.c \
	tools/color.c \
	tools/color.h \
	tools/ci_stamp.c \
	tools/ci_stamp.h \
	tools/crash_info.c \
	tools/crash_info.h \
	tools/debuginfod.c \
	tools/debuginfod.h \
	tools/dump.c \
	tools/dump.h \
	tools/dumpdir.c \
	tools/dumpdir.h \
	tools/files.c \
	tools/files.h \
	tools/github.c \
	tools/github.h \
	tools/io.c \
	tools/io.h \
	tools/log_output.c \
	tools/modules.c \
	tools/modules.h \
	tools/path_map.c \
	tools/path_map.h \
	tools/plt.c \
	tools/plt.h \
	tools/report.h \
	tools/report_parse.c \
	tools/report_write.c \
	tools/run.c \
	tools/run_state.c \
	tools/run_state.h \
	tools/run_timeout.c \
	tools/run_timeout.h \
	tools/source.c \
	tools/source.h \
	tools/split_dwarf.c \
	tools/split_dwarf.h \
	tools/symbolize.c \
	tools/symbolize.h \
	tools/tool.h

# What a program linking the archive's libdw half needs besides.
FL_TOOL_LIBS = $(LIBDW_LIBS) -lelf -ldl

bin_PROGRAMS += faultline
faultline_SOURCES = tools/faultline.c
faultline_LDADD = tools/libfaultline-tool.a $(FL_TOOL_LIBS)
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
		$(LIBDW_CFLAGS) $(LIBDEBUGINFOD_CFLAGS) -o fuzz_report_parse \
		$(srcdir)/tests/tool/fuzz_report_parse.c \
		$(srcdir)/tools/json.c $(srcdir)/lib/utf8.c \
		$(srcdir)/tools/report_parse.c $(srcdir)/tools/ci_stamp.c \
		$(srcdir)/tools/report_write.c $(srcdir)/tools/log_output.c \
		$(srcdir)/tools/symbolize.c $(srcdir)/tools/modules.c \
		$(srcdir)/tools/debuginfod.c $(srcdir)/tools/split_dwarf.c \
		$(srcdir)/tools/path_map.c $(srcdir)/tools/plt.c \
		$(srcdir)/tools/source.c $(srcdir)/tools/color.c \
		$(srcdir)/tools/io.c \
		$(LIBDW_LIBS) -lelf -ldl
.PHONY: fuzz-report-parse
CLEANFILES += fuzz_report_parse

# faultline-wer: Windows Error Reporting's LocalDumps for a program, for
# the crashes no handler in the process sees (tests/windows/test-wer.c).
if FL_WINDOWS
bin_PROGRAMS += faultline-wer
faultline_wer_SOURCES = tools/faultline-wer.c
faultline_wer_LDFLAGS = -municode
man_MANS += man/faultline-wer.1
endif
# In the tarball whatever the platform it is made on.
EXTRA_DIST += man/faultline-wer.1
