#!/bin/sh
# debugfiles.sh - where "faultline symbolize" finds debug information that
# is not in the module itself: a separate debug file named by
# .gnu_debuglink (beside the module, in its .debug/ directory, under
# --debug-dir as DIR/MODULE-DIR/NAME and DIR/NAME), and split DWARF
# (-gsplit-dwarf): .dwo files where the build left them, moved under
# --debug-dir, or in a build directory of another machine mapped with
# --source-prefix, and .dwp packages (DWARF 5 from llvm-dwp, the GNU
# DWARF 4 format from binutils' dwp), beside the module or under
# --debug-dir.  What cannot be found is said in one line per module.
. "$FL_SRCDIR/tests/tool/common.sh"

[ -r "$LIBFAULTLINE" ] || { echo "no $LIBFAULTLINE" >&2; exit 99; }
# Split DWARF is staged in a temporary directory: nothing may stay there.
mkdir "$WORK/tmp"
TMPDIR="$WORK/tmp"
export TMPDIR

# crash PROGRAM: its text report in PROGRAM.report
crash() {
	LD_PRELOAD="$LIBFAULTLINE" FAULTLINE_OUTPUT="$1.report" "$1" \
		>/dev/null 2>&1
	[ -s "$1.report" ] || { echo "$1 wrote no report" >&2; exit 99; }
}

# symbolize_report NAME REPORT [ARGS...]: symbolize, and nothing is left
# in TMPDIR.
symbolize_report() {
	report=$2
	name=$1
	shift 2
	symbolize "$name" "$@" "$report"
	[ -z "$(ls -A "$WORK/tmp")" ] ||
		fail "$name: left files in TMPDIR: $(ls -A "$WORK/tmp")"
}

frame0='^      write_through_null at .*/crash_c\.c:[0-9]+$'
inlined='^      inlined into crash_entry at .*/crash_c\.c:[0-9]+$'

# located NAME: the DWARF of crash_c.c was read, inlined calls included.
located() {
	expect_grep "$1: frame 0 located" "$frame0" "$WORK/$1.out"
	expect_grep "$1: inlined call shown" "$inlined" "$WORK/$1.out"
	expect_no_grep "$1: no complaint" \
		'crash_c has no debug information|split DWARF|crash_c\.dwp' \
		"$WORK/$1.err"
}

# --- .gnu_debuglink --------------------------------------------------------
mkdir "$WORK/link"
PROG="$WORK/link/crash_c"
build_c link/crash_c crash_c.c || exit 99
crash "$PROG"
cp "$PROG" "$PROG.full"
objcopy --only-keep-debug "$PROG.full" "$WORK/crash_c.debug"
# The symbols stay (function names), the DWARF goes; the link names
# crash_c.debug.
objcopy --strip-debug --add-gnu-debuglink="$WORK/crash_c.debug" "$PROG"

# debug_file_in DIR: the debug file there, and nowhere else
debug_file_in() {
	rm -f "$WORK/link/crash_c.debug" "$WORK/link/.debug/crash_c.debug"
	rm -rf "$WORK/dbg"
	mkdir -p "$1"
	cp "$WORK/crash_c.debug" "$1/crash_c.debug"
}

debug_file_in "$WORK/link"
symbolize_report beside "$PROG.report"
located beside
debug_file_in "$WORK/link/.debug"
symbolize_report dot-debug "$PROG.report"
located dot-debug
debug_file_in "$WORK/dbg$WORK/link"
symbolize_report tree-without "$PROG.report"
expect_no_grep "debug dir tree, not asked: not located" "$frame0" \
	"$WORK/tree-without.out"
expect_grep "debug dir tree, not asked: said" \
	'crash_c has no debug information \(stripped, and no debug file found' \
	"$WORK/tree-without.err"
symbolize_report tree "$PROG.report" --debug-dir "$WORK/dbg"
located tree
debug_file_in "$WORK/dbg"
symbolize_report flat "$PROG.report" --debug-dir "$WORK/dbg"
located flat
# A debug file of another build under the linked name is refused.  (Its
# build-id given: clang makes the same bytes of this program at -O1.)
build_c other.c.unused crash_c.c -O1 \
	-Wl,--build-id=0x0123456789abcdef0123456789abcdef01234567 || exit 99
objcopy --only-keep-debug "$WORK/other.c.unused" "$WORK/link/crash_c.debug"
symbolize_report wrong-build "$PROG.report"
expect_no_grep "debug file of another build: not used" "$frame0" \
	"$WORK/wrong-build.out"

# --- split DWARF: .dwo --------------------------------------------------------
# Built in a build directory, run from an install directory (as a CI
# job does); DW_AT_comp_dir names the build directory.
mkdir "$WORK/build" "$WORK/app"
(cd "$WORK/build" &&
	"$CC" -g -O2 -gsplit-dwarf -o crash_c "$TESTS_SRC/crash_c.c") || exit 99
DWO=$(cd "$WORK/build" && ls ./*.dwo | sed 's|^\./||')
[ -n "$DWO" ] || { echo "no .dwo file from -gsplit-dwarf" >&2; exit 99; }
cp "$WORK/build/crash_c" "$WORK/app/crash_c"
SPLIT="$WORK/app/crash_c"
crash "$SPLIT"
symbolize_report dwo-comp-dir "$SPLIT.report"
located dwo-comp-dir
cp "$WORK/build/$DWO" "$WORK/app/"
mv "$WORK/build" "$WORK/build.away"
symbolize_report dwo-beside "$SPLIT.report"
located dwo-beside
rm "$WORK/app/$DWO"
symbolize_report dwo-missing "$SPLIT.report"
expect_status "dwo missing: partial" 1 $status
expect_grep "dwo missing: one line, naming it" \
	"^faultline: .*/app/crash_c: 1 of 1 split DWARF units not found, e\\.g\\. $WORK/build/$DWO " \
	"$WORK/dwo-missing.err"
expect_grep "dwo missing: still the line of frame 0" \
	'^      (write_through_null|crash_c\.c) at .*/crash_c\.c:[0-9]+$' \
	"$WORK/dwo-missing.out"
expect_no_grep "dwo missing: no inlined call" "$inlined" "$WORK/dwo-missing.out"
mkdir "$WORK/dwo"
cp "$WORK/build.away/$DWO" "$WORK/dwo/"
symbolize_report dwo-debug-dir "$SPLIT.report" --debug-dir "$WORK/dwo"
located dwo-debug-dir
symbolize_report dwo-mapped "$SPLIT.report" \
	--source-prefix "$WORK/build=$WORK/build.away"
located dwo-mapped

# --- split DWARF: .dwp ---------------------------------------------------------
if command -v llvm-dwp >/dev/null 2>&1; then
	llvm-dwp "$WORK/build.away/$DWO" -o "$WORK/app/crash_c.dwp" ||
		exit 99
	symbolize_report dwp5 "$SPLIT.report"
	located dwp5
	rm "$WORK/app/crash_c.dwp"
else
	echo "SKIP: no llvm-dwp: DWARF 5 .dwp not checked"
fi
mkdir "$WORK/build4" "$WORK/app4" "$WORK/dwp4"
(cd "$WORK/build4" && "$CC" -g -gdwarf-4 -O2 -gsplit-dwarf -o crash_c \
	"$TESTS_SRC/crash_c.c") || exit 99
cp "$WORK/build4/crash_c" "$WORK/app4/crash_c"
crash "$WORK/app4/crash_c"
if command -v dwp >/dev/null 2>&1 &&
	(cd "$WORK/build4" && dwp -e crash_c -o "$WORK/dwp4/crash_c.dwp") &&
	[ -s "$WORK/dwp4/crash_c.dwp" ]; then
	rm -r "$WORK/build4"
	symbolize_report dwp4-missing "$WORK/app4/crash_c.report"
	expect_no_grep "DWARF 4 .dwp elsewhere: not found alone" "$inlined" \
		"$WORK/dwp4-missing.out"
	symbolize_report dwp4 "$WORK/app4/crash_c.report" --debug-dir "$WORK/dwp4"
	located dwp4
else
	echo "SKIP: no binutils dwp: GNU DWARF 4 .dwp not checked"
fi
# A .dwp that is not one: said, and the rest as without it.
echo "not a package" >"$WORK/app/crash_c.dwp"
symbolize_report bad-dwp "$SPLIT.report"
expect_grep "bad .dwp: said" 'crash_c\.dwp: not a DWARF package' \
	"$WORK/bad-dwp.err"
expect_grep "bad .dwp: the line of frame 0 still" \
	'at .*/crash_c\.c:[0-9]+$' "$WORK/bad-dwp.out"

finish
