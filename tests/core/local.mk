# tests/core: unit tests (Check) of the platform-neutral core, one program
# a file.  They link the static library, whose internal functions a
# static link can reach (the shared one hides them).
if FL_POSIX
if HAVE_CHECK
FL_CORE_TESTS = \
	tests/core/test-sink \
	tests/core/test-config \
	tests/core/test-snapshot \
	tests/core/test-render
check_PROGRAMS += $(FL_CORE_TESTS)
TESTS += $(FL_CORE_TESTS)
tests_core_test_sink_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_core_test_sink_CFLAGS = $(FL_UNIT_CFLAGS)
tests_core_test_sink_LDFLAGS = -static
tests_core_test_sink_LDADD = $(FL_UNIT_LDADD)
tests_core_test_config_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_core_test_config_CFLAGS = $(FL_UNIT_CFLAGS)
tests_core_test_config_LDFLAGS = -static
tests_core_test_config_LDADD = $(FL_UNIT_LDADD)
tests_core_test_snapshot_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_core_test_snapshot_CFLAGS = $(FL_UNIT_CFLAGS)
tests_core_test_snapshot_LDFLAGS = -static
tests_core_test_snapshot_LDADD = $(FL_UNIT_LDADD)
tests_core_test_render_CPPFLAGS = $(FL_UNIT_CPPFLAGS)
tests_core_test_render_CFLAGS = $(FL_UNIT_CFLAGS)
tests_core_test_render_LDFLAGS = -static
tests_core_test_render_LDADD = $(FL_UNIT_LDADD)
endif
endif
