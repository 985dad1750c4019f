#!/bin/sh
# timeout.sh - "faultline run --timeout": a hung tree (a shell, a chain of
# parent, child and grandchild with the library preloaded, one with
# LD_PRELOAD cleared, a static one) is dumped whole, every process with
# all its threads (by the dump signal, or from outside), then ended
# (SIGKILL for what ignores SIGTERM), a daemon in its own session
# included; exit 124; nothing left behind.
. "$FL_SRCDIR/tests/tool/common.sh"

[ -r "$LIBFAULTLINE" ] || { echo "no $LIBFAULTLINE" >&2; exit 99; }
build_c hung hung_threads.c -pthread || exit 99
STATIC=yes
build_c hung_static hung_threads.c -pthread -static || STATIC=no
RUN="$FAULTLINE run --library $LIBFAULTLINE"
mkdir "$WORK/tmp"

# 8 s: time for every process to be in place on a loaded machine.
# The tree: the shell ignores SIGTERM once its children are started, so
# only --kill-after's SIGKILL ends it.
cat >"$WORK/tree.sh" <<EOS
#!/bin/sh
"$WORK/hung" fork 2 >/dev/null &
env -u LD_PRELOAD "$WORK/hung" >/dev/null &
[ $STATIC = yes ] && "$WORK/hung_static" >/dev/null &
# A daemon: its own session, its parent gone (found as run is subreaper).
setsid sh -c '"$WORK/hung" >/dev/null & exit 0'
trap '' TERM
wait
wait
EOS
chmod +x "$WORK/tree.sh"
processes=$((1 + 3 + 1 + 1))
[ $STATIC = yes ] && processes=$((processes + 1))

start=$(date +%s)
TMPDIR="$WORK/tmp" $RUN --timeout 8s --kill-after 1 -- "$WORK/tree.sh" \
	>"$WORK/tree.out" 2>"$WORK/tree.err"
expect_status "hung tree" 124 $?
took=$(($(date +%s) - start))
[ $took -lt 60 ] && pass "hung tree: ended in $took s" ||
	fail "hung tree: took $took s"
expect_grep "announced" \
	"^faultline: the command ran out of time: dumping its $processes processes" \
	"$WORK/tree.err"
expect_count "a report per process" $processes \
	'^==== faultline .* report ====' "$WORK/tree.err"
expect_count "by the dump signal where the library is" 5 \
	'^cause: dump requested: SIGURG from pid' "$WORK/tree.err"
expect_count "from outside elsewhere" $((processes - 5)) \
	'^cause: dump requested: faultline run --timeout' "$WORK/tree.err"
expect_count "every thread of every hung process" $((3 * (processes - 1))) \
	'^thread: tid [0-9]+ "(hung|hung_static|locker|reader)"' \
	"$WORK/tree.err"
expect_count "symbolized with file:line" $((processes - 1)) \
	'^ +blocked_in_mutex at .*hung_threads\.c:[0-9]+' "$WORK/tree.err"
expect_no_grep "dumps are no crashes" 'crashed' "$WORK/tree.err"
if pgrep -f "$WORK/" >"$WORK/left"; then
	fail "processes left: $(cat "$WORK/left")"
	pkill -9 -f "$WORK/"
else
	pass "the whole tree ended"
fi
if [ -z "$(ls -A "$WORK/tmp")" ]; then
	pass "no temporary state left"
else
	fail "left in TMPDIR: $(ls -A "$WORK/tmp")"
fi

# --- JSON -----------------------------------------------------------------
$RUN --timeout 3 --format json -- "$WORK/hung" >/dev/null \
	2>"$WORK/one.err"
expect_status "json: one process" 124 $?
expect_count "json: one report" 1 '^\{"faultline"' "$WORK/one.err"
expect_grep "json: its function" '"function":"blocked_in_read"' \
	"$WORK/one.err"

# --- a dump from outside goes where reports go: --json, --dump-dir --------
$RUN --timeout 3 --json "$WORK/outside.jsonl" --dump-dir "$WORK/dd" -- \
	env -u LD_PRELOAD "$WORK/hung" >/dev/null 2>"$WORK/outside.err"
expect_status "outside: timed out" 124 $?
expect_count "outside: one report on stderr" 1 \
	'^cause: dump requested: faultline run --timeout' "$WORK/outside.err"
expect_grep "outside: symbolized on stderr" \
	'^ +blocked_in_mutex at .*hung_threads\.c:[0-9]+' "$WORK/outside.err"
expect_count "outside: in the --json file" 1 \
	'dump requested: faultline run --timeout' "$WORK/outside.jsonl"
expect_count "outside: kept in the --dump-dir" 1 \
	'dump requested: faultline run --timeout' "$WORK"/dd/*/report.json

# --- in time: no dump, the command's status ---------------------------------
$RUN --timeout 60 -- sh -c 'exit 3' >/dev/null 2>"$WORK/quick.err"
expect_status "in time" 3 $?
expect_no_grep "in time: no dump" 'dump' "$WORK/quick.err"

# --- bad durations ------------------------------------------------------------
for bad in abc -1 5x "" 1e99 s; do
	$RUN --timeout "$bad" -- true 2>"$WORK/bad.err"
	expect_status "--timeout '$bad'" 125 $?
	expect_grep "--timeout '$bad': message" '^faultline: --timeout takes a duration' \
		"$WORK/bad.err"
done
finish
