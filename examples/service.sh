#!/bin/sh
# service.sh - examples/service stops cleanly on SIGTERM, SIGINT and
# SIGHUP: it reports the request, saves, and exits 0.
set -u
svc=${FL_BUILDDIR:-.}/examples/service
fail=0
for sig in TERM INT HUP QUIT; do
	out=$(mktemp)
	# shellcheck disable=SC2086 # the emulator's command line (qemu)
	${FL_TEST_EMULATOR:-} "$svc" 30 >"$out" &
	pid=$!
	i=0
	until grep -q ready "$out" || [ $i -ge 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	case $sig in
	TERM) want=terminate ;; INT) want=interrupt ;;
	HUP) want=hangup ;; QUIT) want=break ;;
	esac
	if [ $rc -ne 0 ] || ! grep -qx "request: $want" "$out" ||
		! grep -qx saved "$out"; then
		echo "FAIL: SIG$sig: exit $rc, output:" >&2
		cat "$out" >&2
		fail=1
	else
		echo "PASS: SIG$sig: request: $want, saved, exit 0"
	fi
	rm -f "$out"
done
exit $fail
