#!/bin/sh
# bad-input.sh - "faultline symbolize" on bad input: garbage, empty,
# truncated and interleaved logs, malformed JSON, unknown and missing
# modules, stripped binaries, build-id mismatches, non-ELF modules, and bad
# usage.  Each gives one clear message per problem, the documented exit
# status (0 complete, 1 partial, 2 usage/input error, 3 no report),
# partial output where there is something to give, and never a crash.
# The reports are written here by hand (doc/report-format.md) with the real
# addresses of a program built here, so the test does not depend on the
# library's unwinder.
. "$FL_SRCDIR/tests/tool/common.sh"

build_c crash_c crash_c.c || exit 99
PROG="$WORK/crash_c"
sym() { # offset of a symbol in PROG
	nm "$PROG" | awk -v s="$1" '$3 == s { print "0x" $1; exit }'
}
OFF0=$(sym write_through_null)
OFF1=$(printf '0x%x' $(($(sym crash_entry) + 4)))
BUILD_ID=$(readelf -n "$PROG" | sed -n 's/.*Build ID: //p')
[ -n "$OFF0" ] && [ -n "$OFF1" ] && [ -n "$BUILD_ID" ] ||
	{ echo "cannot read $PROG's symbols" >&2; exit 99; }

# report PREFIX MODULE BUILD-ID: a complete text report on stdout
report() {
	p=$1 module=$2 id=$3
	cat <<EOR
${p}==== faultline 0.1.0 crash report ====
${p}signal: SIGSEGV (11), code SEGV_MAPERR (1)
${p}address: 0x0000000000000000 (write)
${p}cause: null pointer dereference
${p}process: pid 4242, executable $module
${p}thread: tid 4242 "crash_c" (crashed)
${p}backtrace (3 frames):
${p}  #0  0x000055d0c4a0$(printf %04x $((OFF0 & 0xffff))) in write_through_null+0x0 ($module+$OFF0)
${p}  #1  0x000055d0c4a0$(printf %04x $((OFF1 & 0xffff))) in crash_entry+0x4 ($module+$OFF1)
${p}  #2  0x00007f3e9b6291ca in ?? (??)
${p}modules:
${p}  0x000055d0c4a00000 $module build-id $id
${p}==== end of faultline report ====
EOR
}

# --- the good case, as a reference --------------------------------------
report "" "$PROG" "$BUILD_ID" >"$WORK/good.txt"
symbolize good "$WORK/good.txt"
expect_status "good report" 0 $status
expect_grep "good report: symbolized" '^      write_through_null at .*crash_c.c:[0-9]+$' \
	"$WORK/good.out"
[ -s "$WORK/good.err" ] && fail "good report: messages: $(cat "$WORK/good.err")"

# --- garbage and empty input --------------------------------------------
awk 'BEGIN { srand(7); for (i = 0; i < 2000; i++)
	printf "%c", int(rand() * 255) + 1; print "" }' >"$WORK/garbage"
symbolize garbage "$WORK/garbage"
expect_status "garbage" 3 $status
expect_grep "garbage: message" 'no faultline report found' "$WORK/garbage.err"
cmp -s "$WORK/garbage" "$WORK/garbage.out" &&
	pass "garbage: copied through unchanged" ||
	fail "garbage: output differs from input"
symbolize empty /dev/null
expect_status "empty input" 3 $status
head -c 100000 /dev/zero >"$WORK/zeros"
symbolize zeros "$WORK/zeros"
expect_status "NUL bytes" 3 $status

# --- truncated ----------------------------------------------------------
report "" "$PROG" "$BUILD_ID" | head -n 9 >"$WORK/truncated.txt"
symbolize truncated "$WORK/truncated.txt"
expect_status "truncated text report" 1 $status
expect_grep "truncated: message" 'report of pid 4242 is cut off \(the input ends' \
	"$WORK/truncated.err"
expect_grep "truncated: frames still symbolized" \
	'^      write_through_null at .*crash_c.c:[0-9]+$' "$WORK/truncated.out"
"$FAULTLINE" symbolize --format json "$WORK/good.txt" 2>/dev/null |
	head -c 300 >"$WORK/cut.json"
echo >>"$WORK/cut.json"
symbolize cutjson "$WORK/cut.json"
expect_status "truncated JSON report" 1 $status
expect_grep "truncated JSON: message" \
	':1: unreadable JSON report: .* at column [0-9]+$' "$WORK/cutjson.err"

# --- interleaved ---------------------------------------------------------
# Two processes' reports, each line with its own prefix, alternating, and
# other output in between: both are read whole.
report "[a] " "$PROG" "$BUILD_ID" >"$WORK/a"
report "[b] " "$PROG" "$BUILD_ID" >"$WORK/b"
paste -d'\n' "$WORK/a" "$WORK/b" | awk '{ print } NR % 5 == 0 { print "make: noise" }' \
	>"$WORK/interleaved.txt"
symbolize interleaved "$WORK/interleaved.txt"
expect_status "interleaved (distinct prefixes)" 0 $status
expect_count "interleaved: a symbolized" 1 '^\[a\]       write_through_null at' \
	"$WORK/interleaved.out"
expect_count "interleaved: b symbolized" 1 '^\[b\]       write_through_null at' \
	"$WORK/interleaved.out"
# Same prefix: a report starting inside another cuts the first one off.
{ report "" "$PROG" "$BUILD_ID" | head -n 8; report "" "$PROG" "$BUILD_ID"; } \
	>"$WORK/nested.txt"
symbolize nested "$WORK/nested.txt"
expect_status "a report cut by another" 1 $status
expect_grep "cut by another: message" \
	':1: report of pid 4242 is cut off \(a new report starts at line 9\)' \
	"$WORK/nested.err"
expect_count "cut by another: both symbolized" 2 \
	'^      write_through_null at' "$WORK/nested.out"

# --- modules: missing, unknown, stripped, mismatched, not ELF --------------
report "" "/nonexistent/crash_c" "$BUILD_ID" >"$WORK/missing.txt"
symbolize missing "$WORK/missing.txt"
expect_status "missing module" 1 $status
expect_grep "missing module: message" \
	'^faultline: cannot open /nonexistent/crash_c: No such file or directory, and no debug file with build-id' \
	"$WORK/missing.err"
expect_count "missing module: one message for two frames" 1 '^faultline:' \
	"$WORK/missing.err"
# Only the frame in no module gains a line, saying so (notes.sh).
grep -v '^      ?? (0x7f3e9b6291ca is in no module: ' "$WORK/missing.out" |
	cmp -s "$WORK/missing.txt" - &&
	pass "missing module: report copied through" ||
	fail "missing module: report changed"

cp "$PROG" "$WORK/stripped" && strip --strip-all "$WORK/stripped"
report "" "$WORK/stripped" "$BUILD_ID" >"$WORK/stripped.txt"
symbolize stripped "$WORK/stripped.txt"
expect_status "stripped binary" 1 $status
expect_grep "stripped: message" \
	"stripped has no debug information .*: function names only" \
	"$WORK/stripped.err"

report "" "$PROG" "0123456789abcdef0123456789abcdef01234567" >"$WORK/mismatch.txt"
symbolize mismatch "$WORK/mismatch.txt"
expect_status "build-id mismatch" 1 $status
expect_grep "build-id mismatch: message" \
	"refusing .*crash_c: its build-id $BUILD_ID does not match the report's 0123456789abcdef0123456789abcdef01234567" \
	"$WORK/mismatch.err"
expect_no_grep "build-id mismatch: not symbolized" '^      .* at ' \
	"$WORK/mismatch.out"

printf 'just text\n' >"$WORK/notelf"
report "" "$WORK/notelf" "" | sed 's/ build-id $//' >"$WORK/notelf.txt"
symbolize notelf "$WORK/notelf.txt"
expect_status "module that is not ELF" 1 $status
expect_grep "not ELF: message" 'notelf: cannot read as ELF' "$WORK/notelf.err"

# A module that is no regular file (a FIFO nobody writes, a directory, a
# character device): refused at once, never opened for reading.
mkfifo "$WORK/fifo"
for m in "$WORK/fifo" "$WORK" /dev/zero; do
	report "" "$m" "" | sed 's/ build-id $//' >"$WORK/special.txt"
	timeout 20 "$FAULTLINE" symbolize "$WORK/special.txt" \
		>"$WORK/special.out" 2>"$WORK/special.err"
	expect_status "module $m, no regular file" 1 $?
	expect_grep "module $m: message" \
		"cannot open $m: not a regular file" "$WORK/special.err"
done

# --- delimiters inside values --------------------------------------------
# An executable whose path holds the report's header line (or a JSON
# report's start): values never start a line, so nothing in one starts a
# report.
HDR='==== faultline 0.1.0 crash report ===='
sed "s|^process: pid 4242, executable .*|process: pid 4242, executable /tmp/$HDR/{\"faultline\":x|" \
	"$WORK/good.txt" >"$WORK/hdrpath.txt"
symbolize hdrpath "$WORK/hdrpath.txt"
expect_status "header inside a value (text)" 0 $status
expect_no_grep "header inside a value (text): not cut off" 'cut off' \
	"$WORK/hdrpath.err"
expect_count "header inside a value (text): symbolized" 1 \
	'^      write_through_null at .*crash_c.c:[0-9]+$' "$WORK/hdrpath.out"
"$FAULTLINE" symbolize --format json "$WORK/hdrpath.txt" \
	>"$WORK/hdrpath.json" 2>/dev/null
grep -q "executable\":\"/tmp/$HDR" "$WORK/hdrpath.json" ||
	fail "header inside a value (JSON): not in the JSON report"
symbolize hdrjson --format text "$WORK/hdrpath.json"
expect_status "header inside a value (JSON)" 0 $status
expect_count "header inside a value (JSON): rendered as text" 1 \
	"^$HDR\$" "$WORK/hdrjson.out"
expect_no_grep "header inside a value (JSON): no raw JSON" '^\{"faultline"' \
	"$WORK/hdrjson.out"

# --- JSON problems ------------------------------------------------------
printf '{"faultline":"0.1.0","threads":' >"$WORK/deep.json"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; print "" }' \
	>>"$WORK/deep.json"
symbolize deep "$WORK/deep.json"
expect_status "JSON nested 100000 deep" 1 $status
expect_grep "deep JSON: message" 'unreadable JSON report: nested too deeply' \
	"$WORK/deep.err"
printf '{"faultline":"0.1.0","threads":"x"}\n' >"$WORK/nothreads.json"
symbolize nothreads "$WORK/nothreads.json"
expect_status "JSON without threads" 1 $status
expect_grep "no threads: message" 'JSON report has no "threads" array' \
	"$WORK/nothreads.err"

# --- JSON rewritten in place: members the tool does not know are kept -----
printf '{"faultline":"0.1.0","pid":7,"future":{"x":[1,2.5e3,null]},"threads":[{"tid":7,"crashed":true,"frames":[{"index":0,"pc":"0x1","module":"%s","offset":"%s","symbol":null,"symbol_offset":null,"custom":"\\u00ff"}]}],"modules":[{"path":"%s","base":"0x0","bias":"0x0","build_id":"%s"}]}\n' \
	"$PROG" "$OFF0" "$PROG" "$BUILD_ID" >"$WORK/known.json"
"$FAULTLINE" symbolize - <"$WORK/known.json" >"$WORK/known.out" 2>"$WORK/known.err"
expect_status "JSON from standard input" 0 $?
expect_grep "JSON: unknown members kept" \
	'"future":\{"x":\[1,2\.5e3,null\]\}.*"custom":"\\u00ff"' "$WORK/known.out"
expect_grep "JSON: frame symbolized in place" \
	'"custom":"\\u00ff","function":"write_through_null","file":' "$WORK/known.out"

# --- usage and input errors -----------------------------------------------
symbolize usage1 --frobnicate
expect_status "unknown option" 2 $status
symbolize usage2 --format yaml "$WORK/good.txt"
expect_status "unknown format" 2 $status
expect_grep "unknown format: message" "unknown format 'yaml'" "$WORK/usage2.err"
symbolize usage3 "$WORK/good.txt" "$WORK/good.txt"
expect_status "two inputs" 2 $status
symbolize unreadable "$WORK/does-not-exist"
expect_status "missing input file" 2 $status
expect_grep "missing input: message" 'cannot read .*does-not-exist: No such file' \
	"$WORK/unreadable.err"
symbolize directory "$WORK"
expect_status "a directory as input" 2 $status
"$FAULTLINE" frobnicate 2>"$WORK/cmd.err"
expect_status "unknown command" 2 $?
"$FAULTLINE" --version >"$WORK/version"
expect_grep "--version" '^faultline [0-9]+\.[0-9]+\.[0-9]+$' "$WORK/version"
"$FAULTLINE" --help >"$WORK/help"
expect_grep "--help" '^Usage: faultline run' "$WORK/help"

finish
