#!/bin/sh
# run.sh - "faultline run": exit statuses, untouched stdio, one report block
# per crashed process of a tree (through exec and descriptor-closing), the
# output directory, --format, --no-symbolize, --signals, LD_PRELOAD
# handling, and its own errors.
. "$FL_SRCDIR/tests/tool/common.sh"

[ -r "$LIBFAULTLINE" ] || { echo "no $LIBFAULTLINE" >&2; exit 99; }
build_c crash_c crash_c.c || exit 99
build_c crash_tree crash_tree.c || exit 99
build_c libcrash_lib.so crash_lib.c -shared -fPIC || exit 99
RUN="$FAULTLINE run --library $LIBFAULTLINE"

# --- exit statuses ------------------------------------------------------
$RUN -- "$WORK/crash_c" exit 0 >/dev/null 2>&1
expect_status "exit 0" 0 $?
$RUN -- "$WORK/crash_c" exit 7 >/dev/null 2>&1
expect_status "exit 7" 7 $?
$RUN -- "$WORK/crash_c" segv >/dev/null 2>"$WORK/segv.err"
expect_status "SIGSEGV" 139 $?
$RUN -- "$WORK/crash_c" abort >/dev/null 2>/dev/null
expect_status "SIGABRT" 134 $?
$RUN -- "$WORK/no-such-program" 2>"$WORK/notfound.err"
expect_status "command not found" 127 $?
expect_grep "command not found: message" \
	'^faultline: cannot run .*no-such-program: No such file' \
	"$WORK/notfound.err"
printf 'not a program\n' >"$WORK/plain" && chmod -x "$WORK/plain"
$RUN -- "$WORK/plain" 2>/dev/null
expect_status "command not executable" 126 $?
$RUN 2>"$WORK/nocommand.err"
expect_status "no command" 125 $?
$RUN --format yaml -- true 2>/dev/null
expect_status "bad --format" 125 $?
"$FAULTLINE" run --library "$WORK/nonexistent.so" -- true 2>"$WORK/nolib.err"
expect_status "missing library" 125 $?
expect_grep "missing library: message" 'cannot use library' "$WORK/nolib.err"
FAULTLINE_LIBRARY="$LIBFAULTLINE" "$FAULTLINE" run -- "$WORK/crash_c" segv \
	>/dev/null 2>"$WORK/envlib.err"
expect_status "FAULTLINE_LIBRARY" 139 $?
expect_grep "FAULTLINE_LIBRARY: report printed" 'crash report ====$' \
	"$WORK/envlib.err"

# --- the report block, symbolized, on stderr ------------------------------
expect_grep "segv: report opens" '^==== faultline .* crash report ====$' \
	"$WORK/segv.err"
expect_grep "segv: report closes" '^==== end of faultline report ====$' \
	"$WORK/segv.err"
expect_grep "segv: symbolized" '^      write_through_null at .*crash_c.c:[0-9]+$' \
	"$WORK/segv.err"
$RUN --no-symbolize -- "$WORK/crash_c" segv >/dev/null 2>"$WORK/raw.err"
expect_grep "--no-symbolize: report" 'crash report ====$' "$WORK/raw.err"
expect_no_grep "--no-symbolize: no locations" '^      ' "$WORK/raw.err"
$RUN --format json -- "$WORK/crash_c" segv >/dev/null 2>"$WORK/json.err"
expect_grep "--format json: one JSON line" \
	'^\{"faultline":".*"file":"[^"]*crash_c.c"' "$WORK/json.err"
$RUN --signals SEGV -- "$WORK/crash_c" abort >/dev/null 2>"$WORK/sig.err"
expect_status "--signals SEGV, abort" 134 $?
expect_no_grep "--signals SEGV: abort not reported" 'crash report' \
	"$WORK/sig.err"

# --- stdio passes through untouched --------------------------------------
out=$(printf 'line one\nline two\n' | $RUN -- cat 2>"$WORK/cat.err")
[ "$out" = "line one
line two" ] && pass "stdin to stdout untouched" ||
	fail "stdin/stdout changed: '$out'"
[ -s "$WORK/cat.err" ] && fail "cat: unexpected stderr" || pass "cat: no stderr"
$RUN -- sh -c 'echo to-out; echo to-err >&2' >"$WORK/sh.out" 2>"$WORK/sh.err"
[ "$(cat "$WORK/sh.out")" = to-out ] && [ "$(cat "$WORK/sh.err")" = to-err ] &&
	pass "command's stdout and stderr untouched" ||
	fail "command's stdout/stderr changed"
$RUN -- "$WORK/crash_c" segv >"$WORK/crash.out" 2>/dev/null
[ "$(cat "$WORK/crash.out")" = "crash_c: segv" ] &&
	pass "crashing command's stdout untouched" ||
	fail "crashing command's stdout: $(cat "$WORK/crash.out")"

# --- the private channel and LD_PRELOAD -----------------------------------
$RUN -- sh -c 'stat -c %a "$(dirname "$FAULTLINE_OUTPUT")"; echo "$FAULTLINE_OUTPUT"' \
	>"$WORK/channel" 2>&1
[ "$(head -n1 "$WORK/channel")" = 700 ] && pass "channel directory is 0700" ||
	fail "channel directory mode: $(cat "$WORK/channel")"
channel=$(sed -n 2p "$WORK/channel")
[ -e "$(dirname "$channel")" ] && fail "channel directory left behind" ||
	pass "channel directory removed"
preload=$(LD_PRELOAD="$WORK/libcrash_lib.so" $RUN -- sh -c 'echo "$LD_PRELOAD"')
expected="$WORK/libcrash_lib.so:$(realpath "$LIBFAULTLINE")"
[ "$preload" = "$expected" ] && pass "LD_PRELOAD appended to" ||
	fail "LD_PRELOAD is '$preload', expected '$expected'"

# Anything a process of the tree leaves in the channel that is not a
# regular file is skipped with a line saying so: a FIFO is not read (it
# would block for good), a symbolic link is not followed (no file of
# the user's is printed), and both are removed with the directory.
echo "secret-not-a-report" >"$WORK/secret"
timeout 20 $RUN -- sh -c 'd=$(dirname "$FAULTLINE_OUTPUT")
	mkfifo "$d/fifo.json" && ln -s "$1" "$d/link.json"' sh "$WORK/secret" \
	>/dev/null 2>"$WORK/planted.err"
expect_status "FIFO and symbolic link in the channel" 0 $?
expect_grep "FIFO in the channel: skipped" \
	'^faultline: ignoring .*/fifo.json: not a regular file$' "$WORK/planted.err"
expect_grep "symbolic link in the channel: skipped" \
	'^faultline: ignoring .*/link.json: a symbolic link$' "$WORK/planted.err"
expect_no_grep "symbolic link in the channel: not followed" secret-not-a-report \
	"$WORK/planted.err"

# A reader that stops early (| head) must not leave reports behind; a
# relative TMPDIR must still work for a command that changes directory.
mkdir "$WORK/tmp"
TMPDIR="$WORK/tmp" $RUN -- "$WORK/crash_c" segv 2>&1 | head -n 1 >/dev/null
[ -z "$(ls "$WORK/tmp")" ] && pass "early-closed stderr: channel removed" ||
	fail "early-closed stderr: left $(ls "$WORK/tmp")"
(cd "$WORK" && TMPDIR=tmp $RUN -- sh -c "cd /; '$WORK/crash_c' segv") \
	>/dev/null 2>"$WORK/reltmp.err"
expect_grep "relative TMPDIR, command changes directory" \
	'^process: pid [0-9]+, executable .*crash_c$' "$WORK/reltmp.err"

# --- a process tree ---------------------------------------------------------
$RUN --output-dir "$WORK/kept" -- "$WORK/crash_tree" >"$WORK/tree.out" \
	2>"$WORK/tree.err"
expect_status "process tree: the parent's status" 3 $?
n=$(grep -c '^==== faultline .* crash report ====$' "$WORK/tree.err")
[ "$n" = 2 ] && pass "process tree: two reports" ||
	fail "process tree: $n reports, expected 2"
expect_grep "process tree: grandchild's SIGSEGV (it closed all fds)" \
	'^signal: SIGSEGV' "$WORK/tree.err"
expect_grep "process tree: child's SIGABRT (after exec)" '^signal: SIGABRT' \
	"$WORK/tree.err"
pids=$(sed -n 's/^process: pid \([0-9]*\),.*/\1/p' "$WORK/tree.err" | sort)
for pid in $pids; do
	[ -s "$WORK/kept/$pid.txt" ] && [ -s "$WORK/kept/$pid.json" ] &&
		pass "--output-dir: $pid.txt and $pid.json" ||
		fail "--output-dir: no $pid.txt/$pid.json: $(ls "$WORK/kept")"
	head -c 13 "$WORK/kept/$pid.json" | grep -q '^{"faultline":' ||
		fail "--output-dir: $pid.json is not a JSON report"
done
[ -n "$pids" ] || fail "process tree: no pids"

finish
