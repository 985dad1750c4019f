#!/bin/sh
# notes.sh - frames that no debug information places are said plainly:
# a PLT stub is named after the function it jumps to (decoded as objdump
# does, for x86-64 and, when a cross compiler is here, aarch64), whatever
# symbol the report put before it; the PLT header is named; a "??" frame
# says why it is one: a jump outside every module (a real crash through a
# bad function pointer), a stripped module, a module that cannot be read.
# In text and in JSON ("function", "note").  The report's own lines are
# kept as they are.
. "$FL_SRCDIR/tests/tool/common.sh"

[ -r "$LIBFAULTLINE" ] || { echo "no $LIBFAULTLINE" >&2; exit 99; }
build_c crash_c crash_c.c || exit 99
PROG="$WORK/crash_c"

# plt_report MODULE OBJDUMP: a report of two frames in MODULE's PLT, as the
# handler writes them (the symbol before the PLT, _init); sets $TARGET,
# the function of the stub of frame 0.
plt_report() {
	module=$1 objdump=$2
	# "0000000000001040 <printf@plt>:", in .plt (lazy) or .plt.sec
	stub=$($objdump -d -j .plt -j .plt.sec "$module" 2>/dev/null |
		sed -n 's/^\([0-9a-f]*\) <\([A-Za-z_][A-Za-z0-9_]*\)@plt>:$/\1 \2/p' |
		tail -n 1)
	header=$(readelf -SW "$module" |
		sed -n 's/.* \.plt  *PROGBITS  *\([0-9a-f]*\) .*/\1/p')
	[ -n "$stub" ] && [ -n "$header" ] ||
		{ echo "no PLT stub in $module" >&2; exit 99; }
	TARGET=${stub#* }
	off0=$(printf '0x%x' $((0x${stub%% *} + 4)))
	off1=$(printf '0x%x' $((0x$header + 3)))
	cat <<EOR
==== faultline 0.1.0 crash report ====
signal: SIGSEGV (11), code SEGV_MAPERR (1)
address: 0x0000000000000000 (read)
process: pid 4242, executable $module
thread: tid 4242 "crash_c" (crashed)
backtrace (2 frames):
  #0   0x0000aaaa0000$(printf %04x $((off0 & 0xffff))) in _init+0x40 ($module+$off0)
  #1   0x0000aaaa0000$(printf %04x $((off1 & 0xffff))) in _init+0x20 ($module+$off1)
==== end of faultline report ====
EOR
}

# --- PLT stubs, x86-64 or whatever this machine builds ------------------
plt_report "$PROG" objdump >"$WORK/plt.txt"
symbolize plt "$WORK/plt.txt"
expect_grep "PLT stub: named after its target" \
	"^      $TARGET@plt \\(a PLT stub: the jump to $TARGET; the report's _init is only the symbol before it\\)\$" \
	"$WORK/plt.out"
expect_grep "PLT stub: the report's line kept" '^  #0 .* in _init\+0x40 ' \
	"$WORK/plt.out"
expect_grep "PLT header: named" \
	'^      \?\? \(in the PLT header: lazy binding calls the dynamic linker from here\)$' \
	"$WORK/plt.out"
symbolize plt-json --format json "$WORK/plt.txt"
expect_grep "PLT stub, JSON: function and note" \
	"\"function\":\"$TARGET@plt\",\"note\":\"a PLT stub: the jump to $TARGET;" \
	"$WORK/plt-json.out"
expect_grep "PLT header, JSON: no function" \
	'"function":null,"note":"in the PLT header' "$WORK/plt-json.out"

# --- aarch64 stubs, read on this machine -------------------------------------
if command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 &&
	command -v aarch64-linux-gnu-objdump >/dev/null 2>&1 &&
	aarch64-linux-gnu-gcc -O2 -o "$WORK/crash_arm" "$TESTS_SRC/crash_c.c" \
		2>/dev/null; then
	plt_report "$WORK/crash_arm" aarch64-linux-gnu-objdump \
		>"$WORK/arm.txt"
	symbolize arm "$WORK/arm.txt"
	expect_grep "aarch64 PLT stub: named after its target" \
		"^      $TARGET@plt \\(a PLT stub: the jump to $TARGET;" \
		"$WORK/arm.out"
	expect_grep "aarch64 PLT header: named" \
		'^      \?\? \(in the PLT header' "$WORK/arm.out"
else
	echo "SKIP: no aarch64-linux-gnu-gcc: aarch64 PLT stubs not checked"
fi

# --- a jump outside every module: a real crash ----------------------------------
LD_PRELOAD="$LIBFAULTLINE" FAULTLINE_OUTPUT="$WORK/jump.txt" "$PROG" jump \
	>/dev/null 2>&1
[ -s "$WORK/jump.txt" ] || { echo "crash_c jump wrote no report" >&2; exit 99; }
symbolize jump "$WORK/jump.txt"
expect_grep "jump: the report says ??" '^  #0   0x0000000000000010 in \?\? \(\?\?\)$' \
	"$WORK/jump.out"
expect_grep "jump: why" \
	'^      \?\? \(no code at 0x10: a jump outside every module, e\.g\. through a bad function pointer\)$' \
	"$WORK/jump.out"
# The same pc deeper in a stack: not a jump there, just nowhere.
sed 's/^  #0   0x0000000000000010 in ?? (??)$/  #0   0x0000000000000020 in ?? (??)/' \
	"$WORK/jump.txt" >"$WORK/nowhere.txt"
symbolize nowhere "$WORK/nowhere.txt"
expect_grep "?? in no module: why" \
	'^      \?\? \(0x20 is in no module: a jump to a bad address, generated code, or a corrupt stack\)$' \
	"$WORK/nowhere.out"

# --- a stripped module: a real crash ----------------------------------------------
cp "$PROG" "$WORK/stripped"
strip --strip-all "$WORK/stripped"
LD_PRELOAD="$LIBFAULTLINE" FAULTLINE_OUTPUT="$WORK/stripped.txt" \
	"$WORK/stripped" >/dev/null 2>&1
symbolize stripped "$WORK/stripped.txt"
expect_grep "stripped: why ??" \
	"^      \\?\\? \\(no symbol or debug information covers $WORK/stripped\\+0x[0-9a-f]+: stripped\\?\\)\$" \
	"$WORK/stripped.out"
symbolize stripped-json --format json "$WORK/stripped.txt"
expect_grep "stripped, JSON: the note" \
	'"function":null,"note":"no symbol or debug information covers ' \
	"$WORK/stripped-json.out"
# ... and then gone.
rm "$WORK/stripped"
symbolize gone "$WORK/stripped.txt"
expect_grep "module gone: why ??" \
	"^      \\?\\? \\($WORK/stripped cannot be read here: see the message above\\)\$" \
	"$WORK/gone.out"

finish
