# tools: the faultline command-line tool ("run" and "symbolize"), its man
# page and tests.  It needs libdw for symbolizing, so it is built when
# libdw was found.
if FL_POSIX
if HAVE_LIBDW
bin_PROGRAMS += faultline
faultline_SOURCES = \
	tools/faultline.c \
	tools/json.c \
	tools/json.h \
	tools/report.h \
	tools/report_parse.c \
	tools/report_write.c \
	tools/run.c \
	tools/symbolize.c \
	tools/symbolize.h \
	tools/tool.h
faultline_CPPFLAGS = $(AM_CPPFLAGS) -DFL_LIBDIR='"$(libdir)"'
faultline_CFLAGS = $(AM_CFLAGS) $(LIBDW_CFLAGS)
faultline_LDADD = $(LIBDW_LIBS) -lelf -ldl
dist_man_MANS += man/faultline.1
endif
endif
