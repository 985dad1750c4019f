#!/bin/sh
# inherited.sh - an action inherited across exec is faultline's previous
# action: a signal the parent ignored stays ignored (issue 12).
#
# At start-up faultline keeps the action it replaces only when it is not
# the one every process starts with (default, no flags, nothing blocked),
# which saves writing, and so faulting in, .bss pages.  exec keeps an
# ignored signal ignored: that is such an action, and it must be kept.
# The shell ignores SIGSEGV (trap ''), then execs the plain child under
# LD_PRELOAD; its raise(SIGSEGV) must then be ignored as without
# faultline: "survived", status 4 (CRASHME_SURVIVED), no report.
: "${FL_BUILDDIR:=.}"
lib="$FL_BUILDDIR/.libs/libfaultline.so"
prog="$FL_BUILDDIR/tests/crash/crashme-plain"

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0

# run VAR=value: raise(SIGSEGV) with SIGSEGV ignored since before exec.
run() {
	if [ -n "${FL_TEST_EMULATOR:-}" ]; then
		# shellcheck disable=SC2086 # the emulator is a command line
		(trap '' SEGV && exec env $1 $FL_TEST_EMULATOR \
			-E LD_PRELOAD="$lib" "$prog" raise-segv) \
			>"$tmp/out" 2>"$tmp/err"
	else
		# shellcheck disable=SC2086
		(trap '' SEGV && exec env $1 LD_PRELOAD="$lib" "$prog" \
			raise-segv) >"$tmp/out" 2>"$tmp/err"
	fi
	rc=$?
}

for env in FAULTLINE_DISABLE=1 FAULTLINE_DISABLE=0; do
	run "$env"
	if [ "$rc" -ne 4 ] || ! grep -q '^survived raise-segv$' "$tmp/out"; then
		echo "FAIL: ignored SIGSEGV, $env: status $rc, expected 4"
		cat "$tmp/out" "$tmp/err"
		failed=1
	elif grep -q 'faultline report' "$tmp/err"; then
		echo "FAIL: ignored SIGSEGV, $env: a report was written"
		cat "$tmp/err"
		failed=1
	else
		echo "PASS: ignored SIGSEGV stays ignored ($env)"
	fi
done
exit $failed
