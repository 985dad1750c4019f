#!/bin/sh
# pid1.sh - PID 1 of a PID namespace still terminates (issue 2, section 7).
#
# The kernel drops default-action signals sent to a namespace's init, so a
# raise(SIGSEGV) there would simply return; faultline must still end the
# process (by _exit(128 + signal) when re-delivery cannot work).  Runs the
# plain child under LD_PRELOAD as PID 1 of `unshare -fp`; skips (77) when
# this machine does not allow a PID namespace.
: "${FL_BUILDDIR:=.}"
lib="$FL_BUILDDIR/.libs/libfaultline.so"
prog="$FL_BUILDDIR/tests/crash/crashme-plain"

if ! command -v unshare >/dev/null 2>&1 || ! command -v timeout >/dev/null 2>&1; then
	echo "SKIP: unshare(1) or timeout(1) missing"
	exit 77
fi
if ! unshare -fp true >/dev/null 2>&1; then
	echo "SKIP: unshare -fp is not permitted here"
	exit 77
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0

# as_pid1 SCENARIO [VAR=value]: run the child as PID 1; sets $rc.
as_pid1() {
	if [ -n "$FL_TEST_EMULATOR" ]; then
		# shellcheck disable=SC2086 # the emulator is a command line
		timeout 300 unshare -fp env $2 $FL_TEST_EMULATOR \
			-E LD_PRELOAD="$lib" "$prog" "$1" >"$tmp/out" 2>"$tmp/err"
	else
		timeout 60 unshare -fp env $2 LD_PRELOAD="$lib" "$prog" "$1" \
			>"$tmp/out" 2>"$tmp/err"
	fi
	rc=$?
}

# check SCENARIO SIGNAL-NUMBER
check() {
	as_pid1 "$1"
	want=$((128 + $2))
	reports=$(grep -c '^==== end of faultline report ====$' "$tmp/err")
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: $1 as PID 1: status $rc, expected $want (signal $2)"
		cat "$tmp/out" "$tmp/err"
		failed=1
	elif [ "$reports" -ne 1 ] || ! grep -q '^process: pid 1,' "$tmp/err"; then
		echo "FAIL: $1 as PID 1: no complete report from pid 1"
		cat "$tmp/err"
		failed=1
	else
		echo "PASS: $1 as PID 1 ended with status $rc"
	fi
}

check raise-segv 11
check sigqueue-segv 11
check abort 6
if [ -n "$FL_TEST_EMULATOR" ]; then
	# qemu-user as PID 1 cannot die by a default-action signal itself
	# (it kills itself with the guest's signal, which PID 1 drops): the
	# control and the re-fired fault would hang in qemu, not in faultline.
	echo "SKIP: control and hardware fault as PID 1 under qemu-user"
else
	# Control: without faultline a raise() in PID 1 is dropped and the
	# program runs on - which is what the checks above must not see.
	as_pid1 raise-segv FAULTLINE_DISABLE=1
	if grep -q 'survived raise-segv' "$tmp/out"; then
		echo "control: without faultline, raise(SIGSEGV) in PID 1 is ignored"
	else
		echo "control: PID 1 died by raise() even without faultline (status $rc)"
	fi
	check null-read 11
fi
exit $failed
