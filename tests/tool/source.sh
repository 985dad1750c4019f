#!/bin/sh
# source.sh - "faultline symbolize --source[=N]" shows the source around
# each location (frame 0's line marked as the crash line, every inlined
# call site too), with paths relative to the compilation directory
# resolved as DWARF says; a CI log whose checkout path differs from the
# local one is read with --source-prefix OLD=NEW (modules and sources);
# unreadable sources are named in one line; colour on a terminal only
# (--color=auto|always|never, NO_COLOR, TERM=dumb), never in JSON.
. "$FL_SRCDIR/tests/tool/common.sh"

[ -r "$LIBFAULTLINE" ] || { echo "no $LIBFAULTLINE" >&2; exit 99; }

# A CI job: the checkout, built from it with a relative source path.
CI="$WORK/ci/checkout"
LOCAL="$WORK/local/checkout"
mkdir -p "$CI/src"
cp "$TESTS_SRC/crash_c.c" "$CI/src/"
(cd "$CI" && "$CC" -g -O2 -o crash_c src/crash_c.c) || exit 99
LD_PRELOAD="$LIBFAULTLINE" FAULTLINE_OUTPUT="$WORK/report.txt" \
	"$CI/crash_c" >/dev/null 2>&1
[ -s "$WORK/report.txt" ] || { echo "crash_c wrote no report" >&2; exit 99; }
# Its log: timestamps before every line, other output around the report.
{
	echo "2026-12-06T10:00:00.0000000Z Running tests"
	sed 's/^/2026-12-06T10:00:01.0000000Z /' "$WORK/report.txt"
	echo "2026-12-06T10:00:02.0000000Z Error: Process completed with exit code 139."
} >"$WORK/ci.log"
# The checkout is here now, somewhere else.
mkdir -p "$WORK/local"
mv "$CI" "$LOCAL"
rmdir "$WORK/ci"
SRC="$LOCAL/src/crash_c.c"
MAP="$CI=$LOCAL"
TS='2026-12-06T10:00:01\.0000000Z '
line_of() { grep -n "$1" "$SRC" | head -n 1 | cut -d: -f1; }
L_CRASH=$(line_of '\*nowhere = value;')
L_STEP=$(line_of 'write_through_null(value \* 3);')
L_ENTRY=$(line_of 'inlined_step(value + 1);')

# Run from /: no path may depend on the working directory.
SYMBOLIZE_DIR=/

# --- the checkout moved: nothing without --source-prefix -------------------
symbolize unmapped --source "$WORK/ci.log"
expect_grep "checkout moved: the module is not found" \
	"^faultline: cannot open $CI/crash_c: No such file or directory" \
	"$WORK/unmapped.err"
expect_no_grep "checkout moved: no source" '^.{29}      > ' "$WORK/unmapped.out"

# --- --source with --source-prefix ---------------------------------------------
# sym_status NAME: 0, or 1 for modules of the system without debug
# information (libc, without its debug package), but nothing about ours.
sym_status() {
	case $status in
	0 | 1) pass "$1: exit status $status" ;;
	*) fail "$1: exit status $status" ;;
	esac
	expect_no_grep "$1: no message about crash_c" 'crash_c' "$WORK/$1.err"
}

symbolize mapped --source --source-prefix "$MAP" "$WORK/ci.log"
sym_status mapped
expect_grep "mapped: the local path, under the log's prefix" \
	"^${TS}      write_through_null at $SRC:$L_CRASH\$" "$WORK/mapped.out"
expect_grep "mapped: the crash line marked" \
	"^${TS}      > +$L_CRASH \\|         \\*nowhere = value;\$" \
	"$WORK/mapped.out"
sed -n '/  #0 /,/  #1 /p' "$WORK/mapped.out" >"$WORK/mapped.0"
expect_grep "mapped: two lines before" \
	"^${TS}        +$((L_CRASH - 2)) \\| " "$WORK/mapped.0"
expect_grep "mapped: two lines after" \
	"^${TS}        +$((L_CRASH + 2)) \\|" "$WORK/mapped.0"
expect_no_grep "mapped: not three" "^${TS}        +$((L_CRASH + 3)) \\|" \
	"$WORK/mapped.0"
expect_grep "mapped: the inlined function's line" \
	"^${TS}      > +$L_STEP \\|         write_through_null\\(value \\* 3\\);\$" \
	"$WORK/mapped.out"
expect_grep "mapped: ... and the call site it was inlined into" \
	"^${TS}      > +$L_ENTRY \\|         inlined_step\\(value \\+ 1\\);\$" \
	"$WORK/mapped.out"
expect_grep "mapped: the lines after the log's report are kept" \
	'exit code 139\.$' "$WORK/mapped.out"
expect_no_grep "mapped: no message about sources" 'source' "$WORK/mapped.err"

# --- how much source --------------------------------------------------------------
symbolize plain --source-prefix "$MAP" "$WORK/report.txt"
expect_no_grep "no --source: no source" ' \| ' "$WORK/plain.out"
symbolize zero --source=0 --source-prefix "$MAP" "$WORK/report.txt"
expect_grep "--source=0: the line alone" "^      > +$L_CRASH \\| " \
	"$WORK/zero.out"
expect_no_grep "--source=0: nothing around it" "^        +[0-9]+ \\|" \
	"$WORK/zero.out"
symbolize one --source=1 --source-prefix "$MAP" "$WORK/report.txt"
sed -n '/^  #0 /,/^  #1 /p' "$WORK/one.out" >"$WORK/one.0"
expect_count "--source=1: 3 lines for frame 0" 3 ' \| ' "$WORK/one.0"
symbolize bad-n --source=lots "$WORK/report.txt"
expect_status "--source=lots" 2 $status
expect_grep "--source=lots: said" 'source takes a number of lines' \
	"$WORK/bad-n.err"
symbolize bad-map --source-prefix "$CI" "$WORK/report.txt"
expect_status "--source-prefix without =" 2 $status
expect_grep "--source-prefix without =: said" 'takes OLD=NEW' \
	"$WORK/bad-map.err"

# --- JSON: the mapped path -----------------------------------------------------
symbolize json --format json --source-prefix "$MAP" "$WORK/report.txt"
expect_grep "JSON: the mapped path" \
	"\"function\":\"write_through_null\",\"file\":\"$SRC\",\"line\":$L_CRASH" \
	"$WORK/json.out"

# --- sources that cannot be read: one line ------------------------------------
mv "$LOCAL/src" "$LOCAL/src.away"
symbolize unreadable --source --source-prefix "$MAP" "$WORK/report.txt"
expect_grep "source gone: still symbolized" "write_through_null at $SRC" \
	"$WORK/unreadable.out"
expect_grep "source gone: said" \
	"^faultline: no source shown for 1 file that cannot be read here \\(first: $SRC: No such file or directory\\)" \
	"$WORK/unreadable.err"
expect_count "source gone: one line" 1 'no source shown' "$WORK/unreadable.err"
mv "$LOCAL/src.away" "$LOCAL/src"

# --- a path recorded with -fdebug-prefix-map -----------------------------------
mkdir "$WORK/proj"
cp "$TESTS_SRC/crash_c.c" "$WORK/proj/"
"$CC" -g -O2 -fdebug-prefix-map="$WORK/proj=/builds/ci/project" \
	-o "$WORK/proj/crash_c" "$WORK/proj/crash_c.c" || exit 99
LD_PRELOAD="$LIBFAULTLINE" FAULTLINE_OUTPUT="$WORK/proj.txt" \
	"$WORK/proj/crash_c" >/dev/null 2>&1
symbolize prefix-map --source \
	--source-prefix "/builds/ci/project/=$WORK/proj" "$WORK/proj.txt"
expect_grep "-fdebug-prefix-map: mapped back" \
	"^      write_through_null at $WORK/proj/crash_c.c:$L_CRASH\$" \
	"$WORK/prefix-map.out"
expect_grep "-fdebug-prefix-map: the source shown" \
	"^      > +$L_CRASH \\|         \\*nowhere = value;\$" \
	"$WORK/prefix-map.out"

# --- colour ----------------------------------------------------------------
ESC=$(printf '\033')
symbolize always --color=always --source --source-prefix "$MAP" \
	"$WORK/report.txt"
expect_grep "--color=always: the function" \
	"^      ${ESC}\\[1mwrite_through_null${ESC}\\[0m at " "$WORK/always.out"
expect_grep "--color=always: file:line" \
	"${ESC}\\[36m$SRC:$L_CRASH${ESC}\\[0m\$" "$WORK/always.out"
expect_grep "--color=always: the crash line" \
	"^      ${ESC}\\[1;31m> +$L_CRASH \\|         \\*nowhere = value;${ESC}\\[0m\$" \
	"$WORK/always.out"
symbolize never --color=never --source-prefix "$MAP" "$WORK/report.txt"
expect_no_grep "--color=never: plain" "$ESC" "$WORK/never.out"
symbolize auto-pipe --source-prefix "$MAP" "$WORK/report.txt"
expect_no_grep "a file or pipe: plain" "$ESC" "$WORK/auto-pipe.out"
symbolize json-color --color=always --format json "$WORK/report.txt"
expect_no_grep "JSON: never coloured" "$ESC" "$WORK/json-color.out"
symbolize bad-color --color=sometimes "$WORK/report.txt"
expect_status "--color=sometimes" 2 $status

# on_terminal NAME [ENV...] -- [ARGS...]: output through a pseudo-terminal.
on_terminal() {
	name=$1
	shift
	envs=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs="$envs $1"
		shift
	done
	shift
	# shellcheck disable=SC2086 # envs: words
	env -u NO_COLOR TERM=xterm $envs script -qec \
		"'$FAULTLINE' symbolize --source-prefix '$MAP' $* '$WORK/report.txt'" \
		/dev/null \
		>"$WORK/$name.out" 2>&1 </dev/null
}
if command -v script >/dev/null 2>&1; then
	on_terminal tty --
	expect_grep "a terminal: colour" "${ESC}\\[1mwrite_through_null" \
		"$WORK/tty.out"
	on_terminal no-color NO_COLOR=1 --
	expect_no_grep "a terminal, NO_COLOR: plain" "$ESC" "$WORK/no-color.out"
	expect_grep "a terminal, NO_COLOR: still symbolized" \
		'write_through_null at ' "$WORK/no-color.out"
	on_terminal no-color-empty NO_COLOR= --
	expect_grep "a terminal, NO_COLOR empty: colour" "$ESC" \
		"$WORK/no-color-empty.out"
	on_terminal dumb TERM=dumb --
	expect_no_grep "a terminal, TERM=dumb: plain" "$ESC" "$WORK/dumb.out"
	on_terminal forced NO_COLOR=1 -- --color=always
	expect_grep "a terminal, NO_COLOR, --color=always: colour" "$ESC" \
		"$WORK/forced.out"
	on_terminal never-tty -- --color=never
	expect_no_grep "a terminal, --color=never: plain" "$ESC" \
		"$WORK/never-tty.out"
else
	echo "SKIP: no script(1): colour on a terminal not checked"
fi

finish
