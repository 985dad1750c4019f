# examples: demo.c, the program ./demo.sh crashes under the preloaded
# library.  It does not link faultline.
if FL_POSIX
noinst_PROGRAMS += examples/demo
examples_demo_SOURCES = examples/demo.c
endif
# examples: check_nofork, a Check suite run with CK_FORK=no in which a
# crashing test is a failure with its backtrace (faultline_protect).
if FL_POSIX
if HAVE_CHECK
check_PROGRAMS += examples/check_nofork
examples_check_nofork_SOURCES = examples/check_nofork.c
examples_check_nofork_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
examples_check_nofork_LDADD = libfaultline.la $(CHECK_LIBS)
examples_check_nofork_LDFLAGS = -no-install
TESTS += examples/check_nofork.sh
endif
endif
EXTRA_DIST += examples/check_nofork.sh
# examples: service, a loop that stops cleanly on any request
# (faultline_requests), built on every platform; service.sh sends it
# SIGTERM, SIGINT, SIGHUP and SIGQUIT.
check_PROGRAMS += examples/service
examples_service_SOURCES = examples/service.c
examples_service_LDADD = libfaultline.la
if FL_POSIX
examples_service_LDFLAGS = -no-install
TESTS += examples/service.sh
endif
EXTRA_DIST += examples/service.sh
