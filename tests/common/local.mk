# tests/common: what the tests share.
#   unit.[ch]               the unit tests' runner (Check)
#   harness.[ch]            the crash tests' harness; harness-main.c, the
#                           main() of a program of TESTs; spawn-posix.c,
#                           spawn-windows.c, starting the child and how it
#                           ended, on each platform
#   crashme.c, scenarios.*  the crashing child and its one table of
#                           scenarios, the same names on every platform
# The tests link libtests.a; they read JSON reports with the tool's
# strict reader, in tools/libfaultline-tool.a.
check_LIBRARIES += tests/common/libtests.a
tests_common_libtests_a_SOURCES = \
	tests/common/harness.c \
	tests/common/harness.h \
	tests/common/harness-main.c
tests_common_libtests_a_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
tests_common_libtests_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
if FL_POSIX
tests_common_libtests_a_SOURCES += tests/common/spawn-posix.c
endif
if FL_WINDOWS
tests_common_libtests_a_SOURCES += tests/common/spawn-windows.c
endif
if HAVE_CHECK
tests_common_libtests_a_SOURCES += tests/common/unit.c tests/common/unit.h
endif

# The crashing child's sources; each platform's local.mk builds it.
FL_CRASHME = \
	tests/common/crashme.c \
	tests/common/scenarios.c \
	tests/common/scenarios.h

# A crash test is a program of the harness.
FL_HARNESS_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/common \
	-I$(top_srcdir)/tools
if FL_WINDOWS
# mingw's own printf, for C99 formats (%zu) in the harness's messages.
FL_HARNESS_CPPFLAGS += -D__USE_MINGW_ANSI_STDIO=1
endif
FL_HARNESS_LDADD = tests/common/libtests.a tools/libfaultline-tool.a

# A unit test is a Check program; the ones that reach the library's
# internal (hidden) functions link its static archive (-static).
FL_UNIT_CPPFLAGS = $(FL_HARNESS_CPPFLAGS)
FL_UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
FL_UNIT_LDADD = $(FL_HARNESS_LDADD) libfaultline.la $(CHECK_LIBS)
