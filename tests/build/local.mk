# tests/build: how libfaultline is built and linked (issue 12): what it
# carries of libunwind, and the fetch of libunwind's source.
if FL_POSIX
TESTS += tests/build/linkage.sh tests/build/fetch.sh
AM_TESTS_ENVIRONMENT += NM='$(NM)'; export NM; \
	READELF='$(READELF)'; export READELF; \
	FL_UNWIND='$(FL_UNWIND)'; export FL_UNWIND; \
	FL_LIBIBERTY='$(FL_LIBIBERTY)'; export FL_LIBIBERTY;
endif
EXTRA_DIST += tests/build/linkage.sh tests/build/fetch.sh

# An install carries the project's licence, and libunwind's notice when
# libunwind is built in (distcheck runs this).
installcheck-local: installcheck-local-licences
installcheck-local-licences:
	test -f "$(DESTDIR)$(docdir)/LICENSE"
	test "$(FL_UNWIND)" != private || \
		test -f "$(DESTDIR)$(docdir)/COPYING.libunwind"
.PHONY: installcheck-local-licences
