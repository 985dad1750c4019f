# tests/tool: the faultline tool's tests.  Scripts run the tool end to
# end; unit tests (Check) check its parts, linking its archive
# (tools/libfaultline-tool.a) and, for the library's side, the static
# library.  Each test is listed once.
FL_TOOL_UNIT_TESTS =
FL_TOOL_SHELL_TESTS =
if FL_POSIX
if HAVE_CHECK
FL_TOOL_UNIT_TESTS += tests/tool/test-json-reader
if HAVE_LIBDW
FL_TOOL_UNIT_TESTS += tests/tool/test-escape
endif
endif
if HAVE_LIBDW
# The scripts build their crash programs themselves (C at -O2 -g, C++,
# a shared library), so the compilers used are the ones configured.
FL_TOOL_SHELL_TESTS += tests/tool/symbolize.sh tests/tool/run.sh \
	tests/tool/bad-input.sh tests/tool/debugfiles.sh \
	tests/tool/debuginfod.sh tests/tool/source.sh tests/tool/notes.sh \
	tests/tool/ci.sh tests/tool/dumpdir.sh tests/tool/cilogs.sh \
	tests/tool/dump.sh tests/tool/timeout.sh tests/tool/annotations.sh
AM_TESTS_ENVIRONMENT += CC='$(CC)'; export CC; \
	CXX='$(CXX)'; export CXX;
endif
endif
check_PROGRAMS += $(FL_TOOL_UNIT_TESTS)
TESTS += $(FL_TOOL_UNIT_TESTS) $(FL_TOOL_SHELL_TESTS)
tests_tool_test_json_reader_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_tool_test_json_reader_CFLAGS = $(FL_UNIT_CFLAGS)
tests_tool_test_json_reader_LDFLAGS = -static
tests_tool_test_json_reader_LDADD = $(FL_UNIT_LDADD)
tests_tool_test_escape_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_tool_test_escape_CFLAGS = $(FL_UNIT_CFLAGS)
tests_tool_test_escape_LDFLAGS = -static
tests_tool_test_escape_LDADD = $(FL_UNIT_LDADD) $(FL_TOOL_LIBS)

EXTRA_DIST += tests/tool/common.sh tests/tool/symbolize.sh \
	tests/tool/run.sh tests/tool/bad-input.sh tests/tool/crash_c.c \
	tests/tool/debugfiles.sh tests/tool/debuginfod.sh \
	tests/tool/source.sh tests/tool/notes.sh tests/tool/silent_server.c \
	tests/tool/ci.sh tests/tool/dumpdir.sh tests/tool/cilogs.sh \
	tests/tool/crash_cxx.cc tests/tool/crash_lib.c \
	tests/tool/crash_shlib.c tests/tool/crash_tree.c \
	tests/tool/dump.sh tests/tool/timeout.sh tests/tool/hung_threads.c \
	tests/tool/annotations.sh \
	tests/tool/corpus/json-library.txt tests/tool/corpus/json-prefixed.txt \
	tests/tool/corpus/text-prefixed.txt \
	tests/tool/corpus/text-symbolized.txt \
	tests/tool/fuzz_report_parse.c tests/tool/report.dict
