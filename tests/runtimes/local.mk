# tests/runtimes: real runtimes that own signals, with faultline preloaded
# (issue 11): HotSpot, node, CPython's faulthandler, sanitizer builds.
# Natively only (they skip under an emulator), and each skips with a
# message when its program is missing (ci-test.sh installs them).
if FL_POSIX
TESTS += tests/runtimes/jvm.sh tests/runtimes/node.sh \
	tests/runtimes/python.sh tests/runtimes/sanitizers.sh
endif
EXTRA_DIST += tests/runtimes/lib.sh tests/runtimes/jvm.sh \
	tests/runtimes/node.sh tests/runtimes/python.sh \
	tests/runtimes/sanitizers.sh
