# libunwind built into libfaultline: the private route of libunwind.m4.
#
# configure fetched or copied libunwind's source into _libunwind/tree,
# applied libunwind/patches/ and ran libunwind's own configure in
# _libunwind/build (remote-only, -fvisibility=hidden, no signal blocking;
# libunwind/prepare.sh).  Here libunwind's own Makefile compiles the files
# of its generic library for this architecture (the list it gave,
# FL_UNWIND_OBJECTS), and libtool gathers them into a convenience library
# that both libfaultline.so and libfaultline.a carry.  Its symbols are
# hidden: libfaultline.so exports none of them and needs nothing but libc,
# and a program using its own libunwind is not affected.
#
# Why libunwind's Makefile and not a list of ours: the files of the
# generic library change from release to release (1.6.2, 1.7 and 1.8.x
# each add some), and any libunwind >= 1.6 a user names must build.  Its
# Makefile knows its own files and their flags; we choose the options and
# keep out what a crash handler does not use (the local unwinder, ptrace,
# coredump, setjmp, compressed debug info).
#
# FL_UNWIND_LIBS is what links the unwinder, on either route.

EXTRA_DIST += libunwind/fetch-source.sh libunwind/prepare.sh \
	libunwind/objects.mk libunwind/libunwind.m4 \
	libunwind/patches/0001-address-space-from-mmap.patch \
	libunwind/patches/0002-aarch64-remote-only-init.patch \
	libunwind/patches/0003-dwarf-word-reads.patch \
	libunwind/patches/0004-unwinder-memory-from-a-static-arena.patch

# distcheck builds from the source this build used (fetched once).
AM_DISTCHECK_CONFIGURE_FLAGS = $(FL_UNWIND_DISTCHECK_FLAGS)

# The project's licence, and libunwind's with an install that contains it.
dist_doc_DATA = LICENSE

if FL_UNWIND_PRIVATE
noinst_LTLIBRARIES += _libunwind/libflunwind.la
_libunwind_libflunwind_la_SOURCES =
_libunwind_libflunwind_la_LIBADD = $(FL_UNWIND_OBJECTS)
EXTRA__libunwind_libflunwind_la_DEPENDENCIES = _libunwind/objects.stamp
FL_UNWIND_LIBS = _libunwind/libflunwind.la
nodist_doc_DATA = _libunwind/COPYING.libunwind
else
FL_UNWIND_LIBS = $(LIBUNWIND_LIBS)
endif

# (Rules outside the conditional: automake wants them so; on the system
# route nothing asks for them.)
# libunwind's make, for exactly the objects listed; silent like ours
# unless V=1.  The source is fixed at configure time (_libunwind/prepared).
_libunwind/objects.stamp: _libunwind/prepared
	@echo "  MAKE     libunwind: $(words $(FL_UNWIND_OBJECTS)) files"
	$(AM_V_at)$(MAKE) -C _libunwind/build/src \
		AM_DEFAULT_VERBOSITY=$(AM_DEFAULT_VERBOSITY) \
		$(FL_UNWIND_OBJECTS:_libunwind/build/src/%=%)
	$(AM_V_at)touch $@

_libunwind/COPYING.libunwind: _libunwind/prepared
	$(AM_V_GEN)cp _libunwind/tree/COPYING $@

CLEANFILES += _libunwind/objects.stamp _libunwind/COPYING.libunwind
clean-local: clean-local-libunwind
clean-local-libunwind:
	-test ! -f _libunwind/build/src/Makefile || \
		$(MAKE) -C _libunwind/build/src clean

# The fetched source, its private apt state and libunwind's configure are
# the configure step's: gone with distclean, like config.status.
distclean-local: distclean-local-libunwind
distclean-local-libunwind:
	-rm -rf _libunwind
.PHONY: clean-local-libunwind distclean-local-libunwind
