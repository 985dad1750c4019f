#!/bin/sh
# python.sh - CPython's faulthandler with faultline preloaded (issue 11):
# faulthandler prints its traceback, restores the action it replaced and
# raises the signal again; faultline then reports the original fault (a
# null read, SEGV_MAPERR at address 0, frame 0 in the C library's string
# code, not raise) and the process dies by SIGSEGV as it does alone.
name=python.sh
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || py=
[ -n "$py" ] || need python3 python3

run fault env LD_PRELOAD="$lib" "$py" -X faulthandler -c \
	'import ctypes; ctypes.string_at(0)'
status fault 139
has fault "$tmp/fault.err" "Fatal Python error: Segmentation fault"
has fault "$tmp/fault.err" "signal: SIGSEGV (11), code SEGV_MAPERR (1)"
has fault "$tmp/fault.err" "address: 0x0000000000000000 (read)"
lacks fault "$tmp/fault.err" "SI_TKILL"
# faulthandler's traceback first, then the report.
tb=$(grep -n "Fatal Python error" "$tmp/fault.err" | head -1 | cut -d: -f1)
rp=$(grep -n "==== faultline" "$tmp/fault.err" | head -1 | cut -d: -f1)
[ -n "$tb" ] && [ -n "$rp" ] && [ "$tb" -lt "$rp" ] ||
	fail "faulthandler's traceback does not come before the report"
finish
