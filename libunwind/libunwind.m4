# libunwind/libunwind.m4 - FL_LIBUNWIND: which libunwind faultline uses.
#
# Two routes:
#  private  libunwind built into libfaultline from its source, for a crash
#           handler: remote-only, hidden, no signal blocking, our patches
#           (libunwind/patches/).  The source is a tree or tarball the user
#           names (--with-libunwind-source=PATH), or Debian's source package
#           (the default where apt-get can fetch it).
#  system   the system's shared libunwind-generic, when no source can be had
#           (or --without-libunwind-source); configure says what it costs.
#
# Sets fl_unwind (private|system), fl_unwind_summary, fl_unwind_cost, and
# substitutes LIBUNWIND_CFLAGS, LIBUNWIND_LIBS, FL_UNWIND_OBJECTS (the
# libtool objects that libunwind's own make compiles, private route),
# FL_UNWIND_DISTCHECK_FLAGS (distcheck builds from the same source, without
# fetching it again) and SYSTEM_LIBUNWIND_CFLAGS/LIBS (the system's local
# and generic libunwind, for the test of a program that uses its own).
AC_DEFUN([FL_LIBUNWIND], [
AC_ARG_WITH([libunwind-source],
  [AS_HELP_STRING([--with-libunwind-source=PATH|debian],
    [build libunwind into faultline, tuned for the crash handler, from a
     libunwind >= 1.6 source tree or release tarball at PATH, or from
     Debian's source package (debian: apt-get source, the default where it
     works); --without-libunwind-source uses the system's shared libunwind])],
  [], [with_libunwind_source=auto])

fl_unwind=system
fl_unwind_origin=
fl_unwind_dir=_libunwind
fl_unwind_why=
AS_CASE([$with_libunwind_source],
  [no], [fl_unwind_why="--without-libunwind-source"],
  [auto|yes|debian], [
    AC_MSG_CHECKING([for libunwind's source (Debian's source package)])
    AS_MKDIR_P([$fl_unwind_dir])
    AS_IF([fl_unwind_origin=`$SHELL "$srcdir/libunwind/fetch-source.sh" \
             "$fl_unwind_dir" 2>"$fl_unwind_dir/fetch.log"`],
      [fl_unwind_fetched=`cat "$fl_unwind_dir/source-version"`
       AC_MSG_RESULT([$fl_unwind_fetched])],
      [AC_MSG_RESULT([no])
       sed 's/^/  /' "$fl_unwind_dir/fetch.log" | tail -n 5 >&AS_MESSAGE_FD
       fl_unwind_origin=
       AS_IF([test "$with_libunwind_source" != auto],
         [AC_MSG_ERROR([could not fetch Debian's libunwind source (log: $fl_unwind_dir/fetch.log); name a source tree or tarball with --with-libunwind-source=PATH, or use the system's with --without-libunwind-source])])
       fl_unwind_why="Debian's source package could not be fetched ($fl_unwind_dir/fetch.log)"])],
  [fl_unwind_origin=$with_libunwind_source])

AS_IF([test -n "$fl_unwind_origin"], [
  AC_MSG_CHECKING([for libunwind built for the crash handler])
  AS_MKDIR_P([$fl_unwind_dir])
  AS_IF([fl_unwind_version=`CC="$CC" CFLAGS="$CFLAGS" CPPFLAGS="$CPPFLAGS" \
           LDFLAGS="$LDFLAGS" FL_HOST="$host" FL_BUILD="$build" \
           $SHELL "$srcdir/libunwind/prepare.sh" "$fl_unwind_origin" \
           "$fl_unwind_dir" 2>"$fl_unwind_dir/prepare.log"`],
    [AC_MSG_RESULT([libunwind $fl_unwind_version])],
    [AC_MSG_RESULT([no])
     sed 's/^/  /' "$fl_unwind_dir/prepare.log" | tail -n 5 >&AS_MESSAGE_FD
     AC_MSG_ERROR([libunwind from $fl_unwind_origin could not be prepared (log: $fl_unwind_dir/prepare.log)])])
  fl_unwind=private
  AS_IF([test -d "$fl_unwind_origin"],
    [fl_unwind_abs_origin=`cd "$fl_unwind_origin" && pwd`],
    [fl_unwind_abs_origin=`dirname "$fl_unwind_origin"`
     fl_unwind_abs_origin=`cd "$fl_unwind_abs_origin" && pwd`/`basename "$fl_unwind_origin"`])
  FL_UNWIND_DISTCHECK_FLAGS="--with-libunwind-source=$fl_unwind_abs_origin"
  FL_UNWIND_OBJECTS=`sed "s|^|$fl_unwind_dir/build/src/|" "$fl_unwind_dir/objects.list" | tr '\n' ' '`
  LIBUNWIND_CFLAGS="-I\$(top_builddir)/$fl_unwind_dir/build/include -I\$(top_builddir)/$fl_unwind_dir/tree/include -DFL_UNWIND_PRIVATE=1"
  LIBUNWIND_LIBS=
  fl_unwind_summary="libunwind $fl_unwind_version built in (remote-only, hidden, no signal blocking), from $fl_unwind_abs_origin"
], [
  PKG_CHECK_MODULES([LIBUNWIND], [libunwind-generic >= 1.3], [],
    [AC_MSG_ERROR([libunwind was found neither as source ($fl_unwind_why) nor installed (libunwind-generic.pc): install Debian's libunwind-dev (for a cross build, libunwind-dev:ARCH), or name a libunwind >= 1.6 source with --with-libunwind-source=PATH])])
  FL_UNWIND_DISTCHECK_FLAGS=--without-libunwind-source
  fl_unwind_summary="the system's shared libunwind ($fl_unwind_why)"
])
fl_unwind_cost="faultline uses the system's shared libunwind: every process it is loaded into also loads libunwind-$fl_arch, libunwind and liblzma (bench (a): start-up about 1.3x an empty preloaded DSO instead of 1.1x), each unwind step makes two sigprocmask calls (bench (b), and each recovered fault), and the first backtrace leaves a pipe open (2 file descriptors) for the life of the process. Build it in: --with-libunwind-source=PATH or =debian (README, Building)."

# The system's own libunwind, local and generic, for the test of a program
# that uses it beside faultline (optional).
PKG_CHECK_MODULES([SYSTEM_LIBUNWIND], [libunwind libunwind-generic], [], [:])
AC_CHECK_TOOL([READELF], [readelf], [readelf])
AC_SUBST([FL_UNWIND], [$fl_unwind])
AC_SUBST([FL_UNWIND_OBJECTS])
AC_SUBST([FL_UNWIND_DISTCHECK_FLAGS])
])
