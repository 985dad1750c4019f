#!/bin/sh
# symbolize.sh - "faultline symbolize" gives, for every frame of real crash
# reports, the same file:line chain as "addr2line -i -e MODULE OFFSET"
# (OFFSET-1 for return addresses): a C program with an inlined function,
# a C++ one (names demangled), and one crossing a shared library; in text
# and JSON, and with debug information found by build-id (--debug-dir).
. "$FL_SRCDIR/tests/tool/common.sh"

[ -r "$LIBFAULTLINE" ] || { echo "no $LIBFAULTLINE" >&2; exit 99; }

build_c crash_c crash_c.c || exit 99
build_c libcrash_lib.so crash_lib.c -shared -fPIC || exit 99
build_c crash_shlib crash_shlib.c -L"$WORK" -lcrash_lib \
	-Wl,-rpath,"$WORK" || exit 99
have_cxx=yes
"$CXX" -g -O2 -o "$WORK/crash_cxx" "$TESTS_SRC/crash_cxx.cc" 2>/dev/null ||
	have_cxx=no

# crash PROGRAM: its text report in $WORK/PROGRAM.report
crash() {
	rm -f "$WORK/$1.report"
	LD_PRELOAD="$LIBFAULTLINE" FAULTLINE_OUTPUT="$WORK/$1.report" \
		"$WORK/$1" >/dev/null 2>"$WORK/$1.stderr"
	[ -s "$WORK/$1.report" ] || fail "$1 wrote no report"
}

# compare NAME SYMBOLIZED MINIMUM MODULE...: every frame of SYMBOLIZED in
# one of MODULEs has addr2line's file:line chain; at least MINIMUM frames
# were compared.
compare() {
	name=$1 symbolized=$2 minimum=$3
	shift 3
	# One record per frame: index, module, offset, locations joined by |
	awk '
	function flush() {
		if (module != "")
			print index_ "\t" module "\t" offset "\t" locations
		module = ""
	}
	/^  #[0-9]+ / {
		flush()
		index_ = substr($1, 2)
		where = $NF
		if (where !~ /^\(.*\+0x[0-9a-f]+\)$/)
			next
		where = substr(where, 2, length(where) - 2)
		plus = match(where, /\+0x[0-9a-f]+$/)
		module = substr(where, 1, plus - 1)
		offset = substr(where, plus + 1)
		locations = ""
		next
	}
	/^      / && module != "" {
		at = match($0, / at [^ ]*$/)
		location = at ? substr($0, at + 4) : "??:0"
		locations = locations (locations == "" ? "" : "|") location
		next
	}
	{ flush() }
	END { flush() }
	' "$symbolized" >"$WORK/frames"
	compared=0
	while IFS='	' read -r index module offset locations; do
		in_set=no
		for m in "$@"; do
			[ "$m" = "$module" ] && in_set=yes
		done
		[ $in_set = yes ] || continue
		address=$offset
		[ "$index" = 0 ] || address=$(printf '0x%x' $((offset - 1)))
		expected=$(addr2line -i -e "$module" "$address" |
			sed 's/ (discriminator [0-9]*)$//; s/^??:0$/??:?/' |
			paste -sd'|' -)
		# No location lines: faultline found nothing, as addr2line's
		# "??:?" says (crt1's _start has no debug information).
		[ -n "$locations" ] || locations='??:?'
		if [ "$expected" = "$locations" ]; then
			[ "$locations" = '??:?' ] || compared=$((compared + 1))
		else
			fail "$name: frame #$index ($module+$offset):" \
				"faultline says '$locations'," \
				"addr2line -i says '$expected'"
		fi
	done <"$WORK/frames"
	if [ "$compared" -ge "$minimum" ]; then
		pass "$name: $compared frames match addr2line -i"
	else
		fail "$name: only $compared frames matched, expected $minimum"
		sed 's/^/    | /' "$symbolized" >&2
	fi
}

# --- C, with an inlined function --------------------------------------
crash crash_c
"$FAULTLINE" symbolize "$WORK/crash_c.report" >"$WORK/crash_c.out" \
	2>"$WORK/crash_c.err"
status=$?
# libc has no debug information here: partial (1) is expected then.
case $status in 0 | 1) pass "crash_c: symbolize status $status" ;;
*) fail "crash_c: symbolize status $status" ;; esac
compare crash_c "$WORK/crash_c.out" 3 "$WORK/crash_c"
expect_grep "crash_c: inlined chain shown" \
	'^      inlined into crash_entry at .*crash_c.c:[0-9]+$' \
	"$WORK/crash_c.out"
expect_grep "crash_c: frame 0 function" \
	'^      write_through_null at .*crash_c.c:[0-9]+$' "$WORK/crash_c.out"

# --- no .debug_aranges (clang's default) ---------------------------------
# libdw finds a unit by address through .debug_aranges only; clang emits
# none unless asked (-gdwarf-aranges).  The same program without them
# must symbolize the same.
if objcopy --remove-section=.debug_aranges "$WORK/crash_c" \
	"$WORK/crash_noaranges" 2>/dev/null; then
	crash crash_noaranges
	"$FAULTLINE" symbolize "$WORK/crash_noaranges.report" \
		>"$WORK/crash_noaranges.out" 2>/dev/null
	compare "no aranges" "$WORK/crash_noaranges.out" 3 \
		"$WORK/crash_noaranges"
	expect_grep "no aranges: inlined chain shown" \
		'^      inlined into crash_entry at .*crash_c.c:[0-9]+$' \
		"$WORK/crash_noaranges.out"
else
	fail "objcopy could not remove .debug_aranges"
fi

# --- a source path that is not UTF-8 ------------------------------------
# A surrogate (ED A0 80) and an overlong NUL (E0 80 80) in a directory
# name: the file names symbolize adds are escaped as the library escapes
# (lib/utf8.c), \xNN a byte, not copied through.
odd=$(printf 'src-\355\240\200-\340\200\200')
mkdir "$WORK/$odd" && cp "$TESTS_SRC/crash_c.c" "$WORK/$odd/" &&
	"$CC" -g -O2 -o "$WORK/crash_odd" "$WORK/$odd/crash_c.c" || exit 99
crash crash_odd
"$FAULTLINE" symbolize "$WORK/crash_odd.report" >"$WORK/crash_odd.out" \
	2>/dev/null
expect_grep "odd source path: escaped as the library does" \
	'^      write_through_null at .*/src-\\xed\\xa0\\x80-\\xe0\\x80\\x80/crash_c\.c:[0-9]+$' \
	"$WORK/crash_odd.out"

# --- the same in JSON ----------------------------------------------------
"$FAULTLINE" symbolize --format json "$WORK/crash_c.report" \
	>"$WORK/crash_c.json" 2>/dev/null
expect_grep "crash_c: JSON frame has file and line" \
	'"function":"write_through_null","file":"[^"]*crash_c.c","line":[0-9]+' \
	"$WORK/crash_c.json"
expect_grep "crash_c: JSON inlined_into" \
	'"inlined_into":\[\{"function":"crash_entry","file":"[^"]*crash_c.c","line":[0-9]+' \
	"$WORK/crash_c.json"
# JSON in, text out: the same locations as text in, text out.
"$FAULTLINE" symbolize --format text "$WORK/crash_c.json" \
	>"$WORK/crash_c.rt" 2>/dev/null
compare "crash_c (JSON in, text out)" "$WORK/crash_c.rt" 3 "$WORK/crash_c"

# The report's context survives text -> JSON -> text.
expect_grep "crash_c: JSON keeps the command line" \
	'"command_line":"[^"]*crash_c","command_line_cut":false,"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z","uptime_ms":[0-9]+' \
	"$WORK/crash_c.json"
expect_grep "crash_c: text keeps the command line" \
	'^command line: .*crash_c$' "$WORK/crash_c.rt"
expect_grep "crash_c: text keeps time and uptime" \
	'^time: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z, uptime [0-9]+\.[0-9]{3} s$' \
	"$WORK/crash_c.rt"
# SIGSYS details, a cut backtrace and a cut command line, both ways.
cat >"$WORK/context.report" <<'EOF'
==== faultline 0.2.0 crash report ====
signal: SIGSYS (31), code SYS_SECCOMP (1), system call 110 (arch 0xc000003e)
address: 0x00007f0000001234 (unknown access)
cause: system call blocked by seccomp
process: pid 42, executable /bin/prog
command line: /bin/prog 'a b' ... (cut)
time: 2026-12-06T02:35:32.123Z, uptime 1.005 s
thread: tid 42 "prog" (crashed)
backtrace (1 frames):
  #0   0x00007f0000001234 in ?? (??)
backtrace incomplete: the unwinder reached its time limit
==== end of faultline report ====
EOF
"$FAULTLINE" symbolize --format json "$WORK/context.report" \
	>"$WORK/context.json" 2>/dev/null
expect_grep "context: JSON" \
	'"syscall":110,"syscall_arch":"0xc000003e".*"command_line":"/bin/prog '"'a b'"'","command_line_cut":true,"time":"2026-12-06T02:35:32.123Z","uptime_ms":1005.*"walk_cut":"time_limit"' \
	"$WORK/context.json"
"$FAULTLINE" symbolize --format text "$WORK/context.json" \
	>"$WORK/context.rt" 2>/dev/null
for line in \
	'^signal: SIGSYS \(31\), code SYS_SECCOMP \(1\), system call 110 \(arch 0xc000003e\)$' \
	"^command line: /bin/prog 'a b' \\.\\.\\. \\(cut\\)\$" \
	'^time: 2026-12-06T02:35:32\.123Z, uptime 1\.005 s$' \
	'^backtrace incomplete: the unwinder reached its time limit$'; do
	expect_grep "context: JSON in, text out: $line" "$line" \
		"$WORK/context.rt"
done

# An uncaught C++ exception's what() line, both ways.
printf '%s\n' '==== faultline 0.2.0 crash report ====' \
	'signal: SIGABRT (6), code SI_TKILL (-6), sent by pid 42 uid 0' \
	'cause: uncaught C++ exception std::runtime_error' \
	'what: disk on fire' \
	'process: pid 42, executable /bin/prog' \
	'thread: tid 42 "prog" (crashed)' 'backtrace (1 frames):' \
	'  #0   0x00007f0000001234 in ?? (??)' \
	'==== end of faultline report ====' >"$WORK/exception.report"
"$FAULTLINE" symbolize --format json "$WORK/exception.report" \
	>"$WORK/exception.json" 2>/dev/null
expect_grep "exception: text to JSON" \
	'"cause":"uncaught C\+\+ exception std::runtime_error","exception":\{"type":"std::runtime_error","mangled":null,"what":"disk on fire"\}' \
	"$WORK/exception.json"
"$FAULTLINE" symbolize --format text "$WORK/exception.json" \
	>"$WORK/exception.rt" 2>/dev/null
expect_grep "exception: JSON to text" '^what: disk on fire$' \
	"$WORK/exception.rt"

# --- a shared library ---------------------------------------------------
crash crash_shlib
"$FAULTLINE" symbolize "$WORK/crash_shlib.report" \
	>"$WORK/crash_shlib.out" 2>/dev/null
compare crash_shlib "$WORK/crash_shlib.out" 3 "$WORK/crash_shlib" \
	"$WORK/libcrash_lib.so"
expect_grep "crash_shlib: frames in the library" \
	'\(.*/libcrash_lib\.so\+0x[0-9a-f]+\)$' "$WORK/crash_shlib.out"

# --- C++ --------------------------------------------------------------
if [ $have_cxx = yes ]; then
	crash crash_cxx
	"$FAULTLINE" symbolize "$WORK/crash_cxx.report" \
		>"$WORK/crash_cxx.out" 2>/dev/null
	compare crash_cxx "$WORK/crash_cxx.out" 2 "$WORK/crash_cxx"
	expect_grep "crash_cxx: demangled member function" \
		'^      shapes::Box<int>::open\(\) const at .*crash_cxx.cc:[0-9]+$' \
		"$WORK/crash_cxx.out"
	# g++ names the lambda {lambda}, clang++ $_0 (with its parameters).
	expect_grep "crash_cxx: inlined lambda, qualified" \
		'^      unpack\(int\)::(\{lambda\}|\$_[0-9]+)::operator\(\)(\(.*\) const)? at .*crash_cxx.cc:[0-9]+$' \
		"$WORK/crash_cxx.out"
	expect_grep "crash_cxx: ... inlined into a demangled caller" \
		'^      inlined into unpack\(int\) at .*crash_cxx.cc:[0-9]+$' \
		"$WORK/crash_cxx.out"
	# The library demangles too: names with spaces and parentheses in
	# the frame line, which the parser reads whole (module and offsets
	# stay right: compare above), in text and from text into JSON.
	expect_grep "crash_cxx: the report's own name is demangled" \
		' in shapes::Box<int>::open\(\) const( \[clone [.a-z0-9]+\])?\+0x[0-9a-f]+ \(' \
		"$WORK/crash_cxx.report"
	"$FAULTLINE" symbolize --format json "$WORK/crash_cxx.report" \
		>"$WORK/crash_cxx.json" 2>/dev/null
	expect_grep "crash_cxx: text to JSON keeps the demangled name" \
		'"symbol":"shapes::Box<int>::open\(\) const( \[clone [.a-z0-9]+\])?","symbol_offset":"0x[0-9a-f]+"' \
		"$WORK/crash_cxx.json"
else
	echo "SKIP: no C++ compiler ($CXX): C++ checks not run"
fi

# --- debug information found by build-id in --debug-dir ------------------
# Strip the program; its DWARF goes to DIR/.build-id/xx/rest.debug.
cp "$WORK/crash_c" "$WORK/crash_c.full"
debug_by_build_id "$WORK/crash_c" "$WORK/debug"
"$FAULTLINE" symbolize "$WORK/crash_c.report" >"$WORK/stripped.out" \
	2>"$WORK/stripped.err"
expect_grep "stripped: says there is no debug information" \
	'crash_c has no debug information' "$WORK/stripped.err"
"$FAULTLINE" symbolize --debug-dir "$WORK/debug" "$WORK/crash_c.report" \
	>"$WORK/debugdir.out" 2>"$WORK/debugdir.err"
expect_no_grep "debug-dir: no complaint about the program" \
	'crash_c has no debug' "$WORK/debugdir.err"
# addr2line reads the full copy: the same DWARF as the .debug file.
sed "s|$WORK/crash_c+|$WORK/crash_c.full+|" "$WORK/debugdir.out" \
	>"$WORK/debugdir.renamed"
compare "debug-dir" "$WORK/debugdir.renamed" 3 "$WORK/crash_c.full"

finish
