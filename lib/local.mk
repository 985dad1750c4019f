# libfaultline: the platform-neutral core.  Platform backends add their
# sources from lib/posix/local.mk and lib/windows/local.mk.
lib_LTLIBRARIES += libfaultline.la
libfaultline_la_SOURCES = \
	lib/faultline.c \
	lib/cause.c \
	lib/config.c \
	lib/frame.h \
	lib/frames.c \
	lib/module_table.c \
	lib/names.c \
	lib/platform.h \
	lib/render.h \
	lib/render_json.c \
	lib/render_text.c \
	lib/report.c \
	lib/sink.c \
	lib/sink.h \
	lib/snapshot.c \
	lib/snapshot.h \
	lib/str.c \
	lib/str.h \
	lib/utf8.c \
	lib/utf8.h
libfaultline_la_CPPFLAGS = $(AM_CPPFLAGS) -DFAULTLINE_BUILDING_DLL
libfaultline_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
libfaultline_la_LDFLAGS = -version-info 0:0:0 -no-undefined
libfaultline_la_LIBADD =
dist_man_MANS += man/faultline.3
# faultline_protect: the platform-neutral part (lib/protect.h explains the
# split with the backends).
libfaultline_la_SOURCES += lib/protect.c lib/protect.h
dist_man_MANS += man/faultline_protect.3
