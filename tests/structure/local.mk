# tests/structure: the layering doc/architecture.md describes holds - no
# file of lib/ or tools/ calls back into a file that calls it (nm and
# tsort on the object files; runs on the build machine in cross builds).
TESTS += tests/structure/no_cycles.sh
EXTRA_DIST += tests/structure/no_cycles.sh tests/structure/no_libc_strings.sh
# ... and the POSIX library's code calls no libc string function.
if FL_POSIX
TESTS += tests/structure/no_libc_strings.sh
endif
AM_TESTS_ENVIRONMENT += FL_NM='$(NM)'; export FL_NM;
