# tests/structure: the layering doc/architecture.md describes holds - no
# file of lib/ or tools/ calls back into a file that calls it (nm and
# tsort on the object files; runs on the build machine in cross builds).
TESTS += tests/structure/no_cycles.sh
EXTRA_DIST += tests/structure/no_cycles.sh
AM_TESTS_ENVIRONMENT += FL_NM='$(NM)'; export FL_NM;
