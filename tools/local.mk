# tools: the faultline command-line tool ("run" and "symbolize"), its man
# page and tests.  It needs libdw for symbolizing, so it is built when
# libdw was found.
if FL_POSIX
if HAVE_LIBDW
bin_PROGRAMS += faultline
faultline_SOURCES = \
	tools/color.c \
	tools/color.h \
	tools/debuginfod.c \
	tools/debuginfod.h \
	tools/faultline.c \
	tools/json.c \
	tools/json.h \
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
	tools/source.c \
	tools/source.h \
	tools/split_dwarf.c \
	tools/split_dwarf.h \
	tools/symbolize.c \
	tools/symbolize.h \
	tools/tool.h
faultline_CPPFLAGS = $(AM_CPPFLAGS) -DFL_LIBDIR='"$(libdir)"'
# libdebuginfod is opened at run time (tools/debuginfod.c): its header only.
faultline_CFLAGS = $(AM_CFLAGS) $(LIBDW_CFLAGS) $(LIBDEBUGINFOD_CFLAGS)
faultline_LDADD = $(LIBDW_LIBS) -lelf -ldl
dist_man_MANS += man/faultline.1
# The scripts build their crash programs themselves (C at -O2 -g, C++,
# a shared library), so the compilers used are the ones configured.
TESTS += tests/tool/symbolize.sh tests/tool/run.sh tests/tool/bad_input.sh \
	tests/tool/debugfiles.sh tests/tool/debuginfod.sh \
	tests/tool/source.sh tests/tool/notes.sh
AM_TESTS_ENVIRONMENT += CC='$(CC)'; export CC; \
	CXX='$(CXX)'; export CXX;
endif
endif
EXTRA_DIST += tests/tool/common.sh tests/tool/symbolize.sh \
	tests/tool/run.sh tests/tool/bad_input.sh tests/tool/crash_c.c \
	tests/tool/debugfiles.sh tests/tool/debuginfod.sh \
	tests/tool/source.sh tests/tool/notes.sh tests/tool/silent_server.c \
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
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(builddir) -I$(srcdir)/tools \
		$(LIBDW_CFLAGS) -o fuzz_report_parse \
		$(srcdir)/tests/tool/fuzz_report_parse.c \
		$(srcdir)/tools/json.c $(srcdir)/tools/report_parse.c \
		$(srcdir)/tools/report_write.c $(srcdir)/tools/log_output.c \
		$(srcdir)/tools/symbolize.c $(srcdir)/tools/modules.c \
		$(srcdir)/tools/debuginfod.c $(srcdir)/tools/split_dwarf.c \
		$(srcdir)/tools/path_map.c $(srcdir)/tools/plt.c \
		$(srcdir)/tools/source.c $(srcdir)/tools/color.c \
		$(LIBDW_LIBS) -lelf -ldl
.PHONY: fuzz-report-parse
CLEANFILES += fuzz_report_parse
EXTRA_DIST += tests/tool/fuzz_report_parse.c tests/tool/report.dict
