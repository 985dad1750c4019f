# common.sh - shared by the faultline tool's test scripts (sourced).
# Needs FL_BUILDDIR and FL_SRCDIR (set by make check; set them by hand to
# run a script alone).
set -u
: "${FL_BUILDDIR:?set FL_BUILDDIR to the build directory}"
: "${FL_SRCDIR:?set FL_SRCDIR to the source directory}"
FAULTLINE="$FL_BUILDDIR/faultline"
# FL_LIBFAULTLINE: test another build of the library.
LIBFAULTLINE="${FL_LIBFAULTLINE:-$FL_BUILDDIR/.libs/libfaultline.so}"
TESTS_SRC="$FL_SRCDIR/tests/tool"
# Hermetic: no debuginfod server of the machine's (Debian's profile sets
# DEBUGINFOD_URLS for login shells) is asked during the tests.
unset DEBUGINFOD_URLS
CC="${CC:-cc}"
CXX="${CXX:-c++}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/faultline-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

pass() {
	echo "ok: $*"
}

# expect_status WHAT EXPECTED ACTUAL
expect_status() {
	if [ "$2" = "$3" ]; then
		pass "$1: exit status $3"
	else
		fail "$1: exit status $3, expected $2"
	fi
}

# expect_grep WHAT PATTERN FILE: FILE has a line matching PATTERN (ERE).
expect_grep() {
	if grep -Eq -- "$2" "$3"; then
		pass "$1"
	else
		fail "$1: no line matching '$2' in $3:"
		sed 's/^/    | /' "$3" >&2
	fi
}

expect_no_grep() {
	if grep -Eq -- "$2" "$3"; then
		fail "$1: unexpected line matching '$2' in $3:"
		sed 's/^/    | /' "$3" >&2
	else
		pass "$1"
	fi
}

# expect_count WHAT N PATTERN FILE: exactly N lines of FILE match PATTERN
# (ERE).
expect_count() {
	n=$(grep -Ec -- "$3" "$4")
	if [ "$n" = "$2" ]; then
		pass "$1"
	else
		fail "$1: $n lines matching '$3', expected $2, in $4:"
		sed 's/^/    | /' "$4" >&2
	fi
}

# symbolize NAME [ARGS...]: "faultline symbolize ARGS...", run in
# $SYMBOLIZE_DIR (default: here); output in $WORK/NAME.out and .err, exit
# status in $status.  A crash (status > 128) is a failure on its own.
symbolize() {
	name=$1
	shift
	(cd "${SYMBOLIZE_DIR:-.}" && exec "$FAULTLINE" symbolize "$@") \
		>"$WORK/$name.out" 2>"$WORK/$name.err"
	status=$?
	[ $status -lt 128 ] || fail "$name: faultline died with status $status"
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures check(s) failed" >&2
		exit 1
	fi
	exit 0
}

[ -x "$FAULTLINE" ] || { echo "no $FAULTLINE" >&2; exit 99; }

# Test programs are built here, with inlining on (-O2), so that inlined
# call chains are exercised, and with debug information.
build_c() { # OUTPUT SOURCE [FLAGS...]
	out=$1 src=$2
	shift 2
	"$CC" -g -O2 -o "$WORK/$out" "$TESTS_SRC/$src" "$@"
}

# debug_by_build_id PROGRAM DIR: PROGRAM's DWARF to
# DIR/.build-id/xx/rest.debug, and PROGRAM stripped of it.
debug_by_build_id() {
	id=$(readelf -n "$1" | sed -n 's/.*Build ID: //p')
	mkdir -p "$2/.build-id/$(echo "$id" | cut -c1-2)"
	objcopy --only-keep-debug "$1" \
		"$2/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug"
	objcopy --strip-debug "$1"
}
