#!/bin/sh
# minidump.sh - FAULTLINE_MINIDUMP (issue 10, section 1): the minidump a
# crash, a watchdog and faultline_dump write, read back by two readers
# nobody here wrote.
#
#  - lldb-16 (`lldb --core`): `bt all` must agree with faultline's own
#    JSON report frame for frame (the crashed thread's pcs, and function
#    names where lldb has symbols), the crashed thread must carry the
#    signal as its stop reason, every thread of the report must be there,
#    and `image list` must show every module's build-id.
#  - Breakpad's minidump_stackwalk with symbols from dump_syms (the npm
#    package "minidump", fetched into the build tree by ci-test.sh or
#    here; skipped with a message when npm cannot be reached): the crash
#    reason, the crashing thread, and the executable's frames named as
#    faultline names them.
#
# Under qemu-user (aarch64) the dumps are written by the emulated program
# and read by the host's lldb, which reads minidumps of any architecture.
: "${FL_BUILDDIR:=.}"
prog="$FL_BUILDDIR/tests/crash/crashme"
lldb=${LLDB:-lldb-16}
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0
checks=0

command -v "$lldb" >/dev/null 2>&1 || {
	echo "SKIP: no $lldb"
	exit 77
}

pass() {
	checks=$((checks + 1))
	echo "PASS: $1"
}
fail() {
	checks=$((checks + 1))
	failed=1
	echo "FAIL: $1"
}

# run NAME SCENARIO [ARG]: crashme SCENARIO with a JSON report in
# $tmp/NAME.json and minidumps $tmp/NAME-PID-N.dmp; sets $rc.
run() {
	name=$1
	shift
	# shellcheck disable=SC2086 # the emulator is a command line
	FL_SECRET="fl-secret-$$" FAULTLINE_FORMAT=json \
		FAULTLINE_ANNOTATIONS='fl-build=42,fl-branch=a\,b' \
		FAULTLINE_MINIDUMP="$tmp/$name-%p-%n.dmp" \
		FAULTLINE_OUTPUT="$tmp/$name-%n.json" \
		timeout 300 ${FL_TEST_EMULATOR:-} "$prog" "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
}

# The minidump the JSON report $1 names ("" none).
named_minidump() {
	sed -n 's/.*"minidump":"\([^"]*\)".*/\1/p' "$1"
}

# The crashed (first) thread's frames of JSON report $1: "PC SYMBOL"
# lines (SYMBOL "-" when none).
report_frames() {
	sed 's/.*"threads":\[{[^]]*"frames":\[\([^]]*\)\].*/\1/' "$1" |
		tr '}' '\n' |
		sed -n 's/.*"pc":"0x\([0-9a-f]*\)".*"symbol":\("[^"]*"\|null\).*/\1 \2/p' |
		sed 's/ null$/ -/; s/ "\(.*\)"$/ \1/'
}

# lldb-16 on minidump $1 into $2: bt all, image list, thread list.
lldb_read() {
	timeout 120 "$lldb" --batch -c "$1" -o 'bt all' -o 'image list' \
		-o 'thread list' \
		>"$2" 2>&1 </dev/null
}

# The frames of the thread lldb stopped with a reason in $1: "PC MODULE
# FUNCTION" lines ("-" for what lldb does not know).  A frame lldb splits
# into inlined calls counts once, as the unwinder sees it.
lldb_frames() {
	awk '/^\* thread #/ { on = 1; next }
	     /^  thread #/ { on = 0 }
	     on && /frame #[0-9]+: 0x/ {
		if (skip) { skip = 0; next }
		pc = $0; sub(/.*frame #[0-9]+: 0x0*/, "", pc); sub(/ .*/, "", pc)
		mod = "-"; fn = "-"
		if (match($0, /0x[0-9a-f]+ [^ `]+`[^ (]+/)) {
			s = substr($0, RSTART, RLENGTH); sub(/^[^ ]+ /, "", s)
			mod = s; sub(/`.*/, "", mod)
			fn = s; sub(/^[^`]*`/, "", fn)
		}
		if ($0 ~ / \[inlined\] /) skip = 1
		print pc, mod, fn
	     }' "$1"
}

# check_against_lldb NAME REPORT DUMP SIGNAL: lldb's view of DUMP agrees
# with REPORT.
check_against_lldb() {
	name=$1 report=$2 dump=$3 sig=$4
	if ! lldb_read "$dump" "$tmp/$name.lldb"; then
		fail "$name: lldb-16 failed or hung on the minidump"
		sed 's/^/  /' "$tmp/$name.lldb"
		return
	fi
	if grep -q "^\* thread #.*stop reason = signal $sig" "$tmp/$name.lldb"; then
		pass "$name: lldb stops the reporting thread with $sig"
	else
		fail "$name: lldb shows no thread stopped by $sig"
		sed 's/^/  /' "$tmp/$name.lldb"
	fi
	report_frames "$report" | sed 's/^0*//' >"$tmp/$name.ours"
	lldb_frames "$tmp/$name.lldb" >"$tmp/$name.theirs"
	# Frame for frame: the same pcs; the same names where lldb has the
	# executable's symbols (elsewhere lldb and the ELF tables may name
	# aliases: __GI___nanosleep, __nanosleep).
	exe=$(sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' "$report")
	n=$(wc -l <"$tmp/$name.ours")
	if [ "$n" -lt 2 ]; then
		fail "$name: faultline's report has $n frames"
		return
	fi
	if awk -v n="$n" -v exe="${exe##*/}" '
		NR == FNR { pc[FNR] = $1; fn[FNR] = $2; next }
		FNR <= n {
			if ($1 != pc[FNR]) { bad = 1; print "frame " FNR - 1 ": lldb pc " $1 ", faultline " pc[FNR] }
			else if ($2 == exe && $3 != fn[FNR]) {
				bad = 1; print "frame " FNR - 1 ": lldb " $3 ", faultline " fn[FNR]
			}
			seen = FNR
		}
		END { if (seen < n) { print "lldb has " seen " frames of " n; bad = 1 }
		      exit bad }' "$tmp/$name.ours" "$tmp/$name.theirs" \
		>"$tmp/$name.diff"; then
		pass "$name: lldb's backtrace is faultline's, $n frames"
	else
		fail "$name: lldb's backtrace differs from the report"
		sed 's/^/  /' "$tmp/$name.diff"
		echo "  faultline:"
		sed 's/^/    /' "$tmp/$name.ours"
		echo "  lldb:"
		sed 's/^/    /' "$tmp/$name.lldb"
	fi
	# image list: every module with a build-id shows it as its UUID.
	sed 's/.*"modules":\[//' "$report" | tr '}' '\n' |
		sed -n 's/.*"path":"\([^"]*\)".*"build_id":"\([0-9a-f]*\)".*/\2 \1/p' \
			>"$tmp/$name.ids"
	tr -d '-' <"$tmp/$name.lldb" | tr 'A-F' 'a-f' >"$tmp/$name.uuids"
	missing=0
	while read -r id path; do
		grep -q "$id" "$tmp/$name.uuids" || {
			missing=1
			echo "  no UUID $id for $path"
		}
	done <"$tmp/$name.ids"
	if [ -s "$tmp/$name.ids" ] && [ "$missing" = 0 ]; then
		pass "$name: lldb's image list has every build-id ($(wc -l <"$tmp/$name.ids") modules)"
	else
		fail "$name: build-ids missing from lldb's image list"
		grep '^\[' "$tmp/$name.lldb" | sed 's/^/  /'
	fi
}

# --- a crash ---------------------------------------------------------------
run crash null-read
report="$tmp/crash-0.json"
dump=$(named_minidump "$report")
case $dump in
"$tmp"/crash-*-0.dmp)
	[ -s "$dump" ] && pass "crash: the JSON report names its minidump" ||
		fail "crash: the minidump $dump is missing or empty"
	;;
*)
	fail "crash: the report names '$dump' (rc $rc)"
	cat "$tmp/crash.err" "$report" 2>/dev/null | head -20
	;;
esac
[ -f "$dump" ] && case $(stat -c %a "$dump") in
600) pass "crash: the minidump is mode 0600" ;;
*) fail "crash: the minidump is mode $(stat -c %a "$dump")" ;;
esac
[ -f "$dump" ] && check_against_lldb crash "$report" "$dump" SIGSEGV
# No environment: the strings at the top of the main thread's stack are
# left out (FL_SECRET is in crashme's environment, run sets it).
if [ -f "$dump" ] && ! grep -q "fl-secret-$$" "$dump" &&
	grep -q "null-read" "$dump"; then
	pass "crash: no environment variable in the minidump"
else
	fail "crash: the minidump holds the environment"
fi

# The text report names it too.
FAULTLINE_MINIDUMP="$tmp/text-%p.dmp" timeout 300 ${FL_TEST_EMULATOR:-} \
	"$prog" null-read >/dev/null 2>"$tmp/text.err"
if grep -q "^minidump: $tmp/text-[0-9]*\.dmp\$" "$tmp/text.err"; then
	pass "text: a minidump: line names the file"
else
	fail "text: no minidump: line"
	sed 's/^/  /' "$tmp/text.err"
fi
# A relative template names an absolute path.
(cd "$tmp" && FAULTLINE_MINIDUMP="rel-%p.dmp" FAULTLINE_FORMAT=json \
	timeout 300 ${FL_TEST_EMULATOR:-} "$prog" null-read >/dev/null \
	2>"$tmp/rel.err")
dump=$(named_minidump "$tmp/rel.err")
case $dump in
/*/rel-*.dmp) [ -s "$dump" ] && pass "relative template: named by its absolute path" ||
	fail "relative template: $dump missing" ;;
*) fail "relative template: the report names '$dump'" ;;
esac
# A directory that does not exist: the report says why there is none.
FAULTLINE_MINIDUMP="$tmp/no/such/%p.dmp" timeout 300 ${FL_TEST_EMULATOR:-} \
	"$prog" null-read >/dev/null 2>"$tmp/nodir.err"
if grep -q '^minidump: none (' "$tmp/nodir.err" &&
	grep -q '^==== end of faultline report ====$' "$tmp/nodir.err"; then
	pass "no directory: the report says why no minidump"
else
	fail "no directory: no 'minidump: none' line"
	sed 's/^/  /' "$tmp/nodir.err"
fi

# --- the hard cases of the fatal path -----------------------------------------
# A crash inside the program's own malloc, its lock held (crashme-malloc,
# preloaded): a writer that allocated would hang until the report's
# watchdog, leaving the file without its header (written last).  A stack
# overflow: sp in the guard page, the stack taken from where it is
# readable.
lib="$FL_BUILDDIR/.libs/libfaultline.so"
for case in "malloc-crash crashme-malloc" "overflow-main crashme"; do
	set -- $case
	dmp="$tmp/hard-$1.dmp"
	if [ "$2" = crashme-malloc ]; then
		if [ -n "${FL_TEST_EMULATOR:-}" ]; then
			# shellcheck disable=SC2086 # the emulator is a command line
			FAULTLINE_MINIDUMP="$dmp" timeout 300 $FL_TEST_EMULATOR \
				-E LD_PRELOAD="$lib" "$FL_BUILDDIR/tests/crash/$2" "$1" \
				>/dev/null 2>"$tmp/hard.err"
		else
			FAULTLINE_MINIDUMP="$dmp" LD_PRELOAD="$lib" timeout 300 \
				"$FL_BUILDDIR/tests/crash/$2" "$1" >/dev/null 2>"$tmp/hard.err"
		fi
	else
		# shellcheck disable=SC2086
		FAULTLINE_MINIDUMP="$dmp" timeout 300 ${FL_TEST_EMULATOR:-} \
			"$FL_BUILDDIR/tests/crash/$2" "$1" >/dev/null 2>"$tmp/hard.err"
	fi
	rc=$?
	if [ "$rc" = 139 ] && [ "$(head -c 4 "$dmp" 2>/dev/null)" = MDMP ] &&
		lldb_read "$dmp" "$tmp/hard.lldb" &&
		grep -q '^\* thread #.*stop reason = signal SIGSEGV' "$tmp/hard.lldb" &&
		grep -q "frame #[0-9]*: 0x[0-9a-f]* $2\`" "$tmp/hard.lldb"; then
		pass "$1: a complete minidump, read by lldb"
	else
		fail "$1: status $rc, no complete minidump"
		sed 's/^/  /' "$tmp/hard.err" "$tmp/hard.lldb" 2>/dev/null | head -30
	fi
done

# --- every thread ------------------------------------------------------------
run threads threads-blocked
report="$tmp/threads-0.json"
dump=$(named_minidump "$report")
if [ -f "$dump" ]; then
	check_against_lldb threads "$report" "$dump" SIGSEGV
	# Every thread with registers: the crashed one and those stopped
	# (under qemu-user one may not answer in time: it has none).
	tids=$(grep -o '"tid":[0-9]*,"name":"[^"]*","crashed":[a-z]*,"capture":"[a-z ]*"' \
		"$report" | grep '"capture":"\(crashed\|stopped\)"' |
		sed 's/"tid":\([0-9]*\).*/\1/')
	count=$(echo "$tids" | wc -w)
	missing=""
	for t in $tids; do
		grep -q "tid = $t," "$tmp/threads.lldb" || missing="$missing $t"
	done
	if [ "$count" -ge 3 ] && [ -z "$missing" ]; then
		pass "threads: lldb shows all $count stopped threads of the report"
	else
		fail "threads: $count threads in the report, not in lldb:$missing"
		grep 'thread #' "$tmp/threads.lldb" | sed 's/^/  /'
	fi
else
	fail "threads: no minidump (rc $rc)"
fi

# --- watchdog and faultline_dump ---------------------------------------------
run watchdog watchdog-heartbeat
report="$tmp/watchdog-0.json"
dump=$(named_minidump "$report")
if [ -f "$dump" ]; then
	pass "watchdog: the report names its minidump"
	check_against_lldb watchdog "$report" "$dump" SIGABRT
else
	fail "watchdog: no minidump (rc $rc)"
	cat "$tmp/watchdog.err" | head -20
fi

run dumps dump-loop 3
n=$(ls "$tmp"/dumps-*-*.dmp 2>/dev/null | wc -l)
if [ "$n" = 3 ]; then
	pass "dumps: three faultline_dump calls, three minidumps (%n)"
else
	fail "dumps: $n minidumps for three dumps (rc $rc)"
	ls "$tmp"
fi
for d in "$tmp"/dumps-*-*.dmp; do
	[ -f "$d" ] || continue
	if lldb_read "$d" "$tmp/dump.lldb" && grep -q '^\* thread #' "$tmp/dump.lldb" &&
		[ "$(grep -c '^ *thread #' "$tmp/dump.lldb")" -ge 2 ]; then
		pass "dumps: lldb reads $(basename "$d") with every thread"
	else
		fail "dumps: lldb cannot read $(basename "$d")"
		sed 's/^/  /' "$tmp/dump.lldb"
	fi
done

# --- Breakpad's minidump_stackwalk ------------------------------------------
bp="$FL_BUILDDIR/tests/breakpad/package/bin/linux-x64"
if [ ! -x "$bp/minidump_stackwalk" ] && command -v npm >/dev/null 2>&1; then
	mkdir -p "$FL_BUILDDIR/tests/breakpad" &&
		(cd "$FL_BUILDDIR/tests/breakpad" &&
			timeout 120 npm pack --silent minidump >npm.out 2>&1 &&
			tar xzf minidump-*.tgz) >/dev/null 2>&1
fi
dump=$(named_minidump "$tmp/crash-0.json")
if [ ! -x "$bp/minidump_stackwalk" ]; then
	echo "SKIP: Breakpad's tools: npm package 'minidump' not reachable"
elif [ ! -f "$dump" ]; then
	fail "breakpad: no minidump to read"
else
	exe=$(sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' "$tmp/crash-0.json")
	"$bp/dump_syms" "$exe" >"$tmp/exe.sym" 2>/dev/null
	read -r _ _ _ id base <"$tmp/exe.sym"
	mkdir -p "$tmp/syms/$base/$id" &&
		cp "$tmp/exe.sym" "$tmp/syms/$base/$id/$base.sym"
	timeout 120 "$bp/minidump_stackwalk" -m "$dump" "$tmp/syms" \
		>"$tmp/bp.out" 2>"$tmp/bp.err"
	if grep -q "^Crash|SIGSEGV" "$tmp/bp.out"; then
		pass "breakpad: crash reason SIGSEGV"
	else
		fail "breakpad: no SIGSEGV crash reason"
		sed 's/^/  /' "$tmp/bp.out" "$tmp/bp.err" | head -40
	fi
	if grep -q "^Module|$base|.*|$id|" "$tmp/bp.out"; then
		pass "breakpad: the module id is dump_syms's ($id)"
	else
		fail "breakpad: the executable's id is not dump_syms's $id"
		grep '^Module|' "$tmp/bp.out" | sed 's/^/  /'
	fi
	# The crashing thread's frames, as far as they stay in the executable
	# (whose symbols it has; past them it scans the stack), are the
	# report's, with the same names.
	t=$(sed -n 's/^Crash|[^|]*|[^|]*|\([0-9]*\)$/\1/p' "$tmp/bp.out")
	awk -F'|' -v t="$t" -v m="$base" '$1 == t && $3 != m { exit }
		$1 == t { print $4 }' "$tmp/bp.out" >"$tmp/bp.fns"
	report_frames "$tmp/crash-0.json" | awk '{ print $2 }' |
		head -n "$(wc -l <"$tmp/bp.fns")" >"$tmp/our.fns"
	if [ -s "$tmp/bp.fns" ] && cmp -s "$tmp/bp.fns" "$tmp/our.fns"; then
		pass "breakpad: the executable's frames are named as in the report ($(tr '\n' ' ' <"$tmp/bp.fns"))"
	else
		fail "breakpad: frames differ from the report"
		sed 's/^/  /' "$tmp/bp.fns"
		grep "^$t|" "$tmp/bp.out" | sed 's/^/  /'
	fi
	# The annotations, in Crashpad's info stream (simple_annotations).
	"$bp/minidump_dump" "$dump" >"$tmp/bp.dump" 2>/dev/null
	if grep -q '^  simple_annotations\["fl-build"\] = 42$' "$tmp/bp.dump" &&
		grep -q '^  simple_annotations\["fl-branch"\] = a,b$' "$tmp/bp.dump"; then
		pass "breakpad: the annotations in Crashpad's info stream"
	else
		fail "breakpad: no annotations in Crashpad's info stream"
		grep -A8 MDRawCrashpadInfo "$tmp/bp.dump" | sed 's/^/  /'
	fi
fi

echo "# $checks checks"
exit $failed
