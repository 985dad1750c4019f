# tests/common: what the tests share, in one archive they link.
#   unit.c       the unit tests' runner (Check)
# The tests read JSON reports with the tool's strict reader, in
# tools/libfaultline-tool.a.
if HAVE_CHECK
check_LIBRARIES += tests/common/libtests.a
tests_common_libtests_a_SOURCES = \
	tests/common/unit.c \
	tests/common/unit.h
tests_common_libtests_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)

# A unit test is a Check program; the ones that reach the library's
# internal (hidden) functions link its static archive (-static).
FL_UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/common \
	-I$(top_srcdir)/tools
FL_UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
FL_UNIT_LDADD = tests/common/libtests.a tools/libfaultline-tool.a \
	libfaultline.la $(CHECK_LIBS)
endif
