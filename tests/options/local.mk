# tests/options: the report of a real crash for every combination of the
# include options and both formats, on POSIX and under Wine: crash tests
# of the harness (tests/common/harness.h), one program for both.
FL_OPTIONS_TESTS = tests/options/test-include-formats
check_PROGRAMS += $(FL_OPTIONS_TESTS)
TESTS += $(FL_OPTIONS_TESTS)
tests_options_test_include_formats_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_options_test_include_formats_LDADD = $(FL_HARNESS_LDADD)
