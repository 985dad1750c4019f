# lib.sh - what the tests of tests/runtimes share: the preloaded library,
# a scratch directory, skipping when a program is missing, checks.
# Sourced; the test sets $name first.
: "${FL_BUILDDIR:=.}"
lib="$FL_BUILDDIR/.libs/libfaultline.so"
failed=0

if [ -n "${FL_TEST_EMULATOR:-}" ]; then
	echo "SKIP: $name runs real programs natively (no emulator: $FL_TEST_EMULATOR)"
	exit 77
fi
[ -f "$lib" ] || {
	echo "FAIL: $lib missing"
	exit 99
}
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# need PROGRAM PACKAGE: skip the whole test when PROGRAM is missing.
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "SKIP: $name needs $1 (Debian: $2; ci-test.sh installs it)"
	exit 77
}

fail() {
	echo "FAIL: $*"
	failed=1
}

# run NAME COMMAND...: run with a time bound; stdout, stderr and status
# in $tmp/NAME.out, $tmp/NAME.err, $rc.
run() {
	what=$1
	shift
	timeout 300 "$@" >"$tmp/$what.out" 2>"$tmp/$what.err"
	rc=$?
}

# has NAME FILE TEXT / lacks NAME FILE TEXT: fixed-string checks.
has() {
	grep -qF -- "$3" "$2" || {
		fail "$1: no '$3' in $2:"
		sed 's/^/  | /' "$2" | head -40
	}
}
lacks() {
	if grep -qF -- "$3" "$2"; then
		fail "$1: '$3' in $2:"
		sed 's/^/  | /' "$2" | head -40
	fi
}

# status NAME WANT: $rc is WANT.
status() {
	[ "$rc" = "$2" ] || {
		fail "$1: exit status $rc, want $2"
		sed 's/^/  | /' "$tmp/$1.err" | head -40
	}
}

finish() {
	[ "$failed" = 0 ] && echo "PASS: $name"
	exit "$failed"
}
