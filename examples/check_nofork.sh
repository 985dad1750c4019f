#!/bin/sh
# The Check example in-process (CK_FORK=no): the crashing test must be one
# failure among four, with its report and backtrace, and the tests after it
# must still run.
set -u
prog="$FL_BUILDDIR/examples/check_nofork"
out=$(CK_FORK=no CK_VERBOSITY=verbose $FL_TEST_EMULATOR "$prog" 2>&1)
status=$?
echo "$out"
fail() { echo "FAIL: $*"; exit 1; }
[ "$status" -eq 1 ] || fail "exit status $status, expected 1 (tests failed)"
echo "$out" | grep -q 'Checks: 4, Failures: 2, Errors: 0' ||
	fail "expected 2 failures (the crash, the assertion)"
echo "$out" | grep -q 'test_first_value_of_empty_list: SIGSEGV (null pointer dereference)' ||
	fail "the crash is not reported as the test's failure"
echo "$out" | grep -q 'crash report' || fail "no report"
echo "$out" | grep -q 'backtrace (' || fail "no backtrace"
echo "$out" | grep -q ':P:core:test_after_the_crash' ||
	fail "the test after the crash did not run and pass"
echo "$out" | grep -q ':P:core:test_sum' || fail "test_sum did not pass"
exit 0
