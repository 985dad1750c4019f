#!/bin/sh
# dumpdir.sh - "faultline run --dump-dir DIR": a directory per crashed
# process with its text and JSON report and the minidump its report names,
# retention by --keep and FAULTLINE_KEEP; the run's temporary state removed
# when it is ended by SIGINT, SIGTERM or SIGHUP, and what SIGKILL left
# collected by the next run.
. "$FL_SRCDIR/tests/tool/common.sh"

[ -r "$LIBFAULTLINE" ] || { echo "no $LIBFAULTLINE" >&2; exit 99; }
build_c crash_c crash_c.c || exit 99
build_c crash_tree crash_tree.c || exit 99
RUN="$FAULTLINE run --library $LIBFAULTLINE"
STAMP='[0-9]{8}-[0-9]{6}\.[0-9]{3}'
crashes() { ls "$1" | grep -Ec "^$STAMP-" ; }

# --- the layout -------------------------------------------------------------
$RUN --dump-dir "$WORK/dumps" -- "$WORK/crash_tree" >/dev/null 2>"$WORK/tree.err"
expect_status "--dump-dir: the command's status" 3 $?
ls "$WORK/dumps" >"$WORK/dumps.ls"
expect_count "--dump-dir: one directory per crashed process" 2 \
	"^$STAMP-crash_tree-[0-9]+$" "$WORK/dumps.ls"
for d in "$WORK/dumps"/*; do
	name=$(basename "$d")
	pid=${name##*-}
	grep -q "^process: pid $pid, executable .*crash_tree$" "$d/report.txt" &&
		pass "$name: report.txt is the process's report" ||
		fail "$name: report.txt: $(head -n 5 "$d/report.txt")"
	grep -q "^      .* at .*crash_tree.c:[0-9]*$" "$d/report.txt" &&
		pass "$name: report.txt symbolized" || fail "$name: not symbolized"
	grep -q "^{\"faultline\":.*\"pid\":$pid," "$d/report.json" &&
		pass "$name: report.json" || fail "$name: report.json"
	# The library's minidump (FAULTLINE_MINIDUMP, set by run), which its
	# report names.
	[ "$(ls "$d" | tr '\n' ' ')" = "minidump.dmp report.json report.txt " ] &&
		[ "$(head -c 4 "$d/minidump.dmp")" = MDMP ] &&
		pass "$name: and the minidump the library wrote" ||
		fail "$name: holds $(ls "$d")"
done
# A name that cannot be a file name: only letters, digits and ._+- kept.
cp "$WORK/crash_c" "$WORK/crash c*"
$RUN --dump-dir "$WORK/odd" -- "$WORK/crash c*" >/dev/null 2>&1
ls "$WORK/odd" | grep -Eq "^$STAMP-crash_c_-[0-9]+$" &&
	pass "--dump-dir: an odd executable name made safe" ||
	fail "--dump-dir: odd name: $(ls "$WORK/odd")"
$RUN --dump-dir "$WORK/no/such/dir" -- true 2>"$WORK/nodir.err"
expect_status "--dump-dir in a missing directory" 125 $?
expect_grep "--dump-dir in a missing directory: message" \
	'^faultline: cannot create .*no/such/dir' "$WORK/nodir.err"

# --- the minidump a report names ---------------------------------------------
# The library names its minidump in the JSON report ("minidump"); here a
# command stands in for it: it puts a report naming a minidump, and the
# minidump, in the run's channel.
(LD_PRELOAD="$LIBFAULTLINE" FAULTLINE_FORMAT=json \
	FAULTLINE_OUTPUT="$WORK/real.json" "$WORK/crash_c"; true) >/dev/null 2>&1
[ -s "$WORK/real.json" ] || { echo "crash_c wrote no report" >&2; exit 99; }
cat >"$WORK/fake-crash.sh" <<'SCRIPT'
dir=$(dirname "$FAULTLINE_OUTPUT")
printf 'MDMP fake' >"$dir/123-42.dmp"
sed "s|^{\"faultline\":\"[^\"]*\",|&\"minidump\":\"$dir/123-42.dmp\",|" "$1" \
	>"$dir/123-42.json"
echo "$FAULTLINE_MINIDUMP"
SCRIPT
$RUN --dump-dir "$WORK/md" -- sh "$WORK/fake-crash.sh" "$WORK/real.json" \
	>"$WORK/md.out" 2>"$WORK/md.err"
grep -Eq '^/.*/faultline-run-[0-9]+\.[^/]*/%t-%p\.dmp$' "$WORK/md.out" &&
	pass "--dump-dir: FAULTLINE_MINIDUMP points into the channel" ||
	fail "--dump-dir: FAULTLINE_MINIDUMP is '$(cat "$WORK/md.out")'"
md=$(ls -d "$WORK/md"/*/minidump.dmp 2>/dev/null)
[ -n "$md" ] && [ "$(cat "$md")" = "MDMP fake" ] &&
	pass "--dump-dir: the minidump kept as minidump.dmp" ||
	fail "--dump-dir: no minidump.dmp: $(ls -R "$WORK/md")"
FAULTLINE_MINIDUMP=/elsewhere/%p.dmp $RUN --dump-dir "$WORK/md2" -- \
	sh -c 'echo "$FAULTLINE_MINIDUMP"' >"$WORK/md2.out" 2>&1
[ "$(cat "$WORK/md2.out")" = /elsewhere/%p.dmp ] &&
	pass "--dump-dir: the user's FAULTLINE_MINIDUMP kept" ||
	fail "--dump-dir: FAULTLINE_MINIDUMP is '$(cat "$WORK/md2.out")'"
$RUN -- sh -c 'echo "${FAULTLINE_MINIDUMP-unset}"' >"$WORK/md3.out" 2>&1
[ "$(cat "$WORK/md3.out")" = unset ] &&
	pass "no --dump-dir: no minidump asked for" ||
	fail "no --dump-dir: FAULTLINE_MINIDUMP is '$(cat "$WORK/md3.out")'"

# --- retention -----------------------------------------------------------------
mkdir "$WORK/keep"
# Older crashes, and what is not a crash (never removed).
for old in 20200101-000000.000-old-1 20200101-000001.000-old-2 \
	20200101-000002.000-old-3; do
	mkdir "$WORK/keep/$old" && echo x >"$WORK/keep/$old/report.txt"
done
mkdir "$WORK/keep/notes" && echo mine >"$WORK/keep/README"
$RUN --dump-dir "$WORK/keep" --keep 2 -- "$WORK/crash_tree" >/dev/null 2>&1
[ "$(crashes "$WORK/keep")" = 2 ] && pass "--keep 2: two crashes left" ||
	fail "--keep 2: $(ls "$WORK/keep")"
ls "$WORK/keep" | grep -q -- '-old-' && fail "--keep 2: an old crash left" ||
	pass "--keep 2: the oldest removed, the newest kept"
[ -d "$WORK/keep/notes" ] && [ -f "$WORK/keep/README" ] &&
	pass "--keep: what is not a crash is left alone" ||
	fail "--keep: removed what is not a crash"
FAULTLINE_KEEP=1 $RUN --dump-dir "$WORK/keep" -- "$WORK/crash_c" >/dev/null 2>&1
[ "$(crashes "$WORK/keep")" = 1 ] && ls "$WORK/keep" | grep -q -- '-crash_c-' &&
	pass "FAULTLINE_KEEP=1: the newest crash left" ||
	fail "FAULTLINE_KEEP=1: $(ls "$WORK/keep")"
FAULTLINE_KEEP=5 $RUN --dump-dir "$WORK/keep" --keep 0 -- true >/dev/null 2>&1
[ "$(crashes "$WORK/keep")" = 0 ] &&
	pass "--keep 0 (over FAULTLINE_KEEP): at start, everything removed" ||
	fail "--keep 0: $(ls "$WORK/keep")"
$RUN --keep 3 -- true 2>"$WORK/nodumpdir.err"
expect_status "--keep without --dump-dir" 125 $?
expect_grep "--keep without --dump-dir: message" '^faultline: --keep needs --dump-dir$' \
	"$WORK/nodumpdir.err"
for bad in -1 x 2x ''; do
	$RUN --dump-dir "$WORK/keep" --keep "$bad" -- true 2>"$WORK/badkeep.err"
	expect_status "--keep '$bad'" 125 $?
	expect_grep "--keep '$bad': message" 'takes a number of crashes' \
		"$WORK/badkeep.err"
done
FAULTLINE_KEEP=many $RUN -- true 2>"$WORK/badenv.err"
expect_status "FAULTLINE_KEEP=many" 125 $?
expect_grep "FAULTLINE_KEEP=many: message" '^faultline: FAULTLINE_KEEP takes' \
	"$WORK/badenv.err"

# --- temporary state ---------------------------------------------------------
mkdir "$WORK/tmp"
export TMPDIR="$WORK/tmp"
# wait_for FILE: until it exists (a generous bound, for a loaded machine).
wait_for() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
# ended SIGNAL TRAPS: the tool is sent SIGNAL (TRAPS: the command ignores
# it, and the tool gets it twice); its status and what it left.
ended() {
	sig=$1 traps=$2
	rm -f "$WORK/ready" "$WORK/cmd.pid"
	ignore=
	[ "$traps" = yes ] && ignore="trap '' $sig;"
	# A background job starts with SIGINT ignored: not this one.
	env --default-signal=INT $RUN -- \
		sh -c "$ignore"'echo $$ >"$0"; exec sleep 60' "$WORK/cmd.pid" \
		>/dev/null 2>&1 &
	tool=$!
	wait_for "$WORK/cmd.pid"
	sleep 0.5 # the exec
	kill -s "$sig" $tool
	if [ "$traps" = yes ]; then
		sleep 0.5
		kill -0 $tool 2>/dev/null && pass "$sig ignored by the command: the tool waits" ||
			fail "$sig ignored by the command: the tool did not wait"
		kill -s "$sig" $tool
	fi
	wait $tool 2>/dev/null
	status=$?
	kill -KILL "$(cat "$WORK/cmd.pid")" 2>/dev/null
	case $sig in INT) n=2 ;; TERM) n=15 ;; HUP) n=1 ;; esac
	what="$sig"
	[ "$traps" = yes ] && what="$sig twice"
	expect_status "$what: the tool" $((128 + n)) $status
	left=$(ls "$WORK/tmp")
	[ -z "$left" ] && pass "$sig: temporary directory removed" ||
		fail "$sig: left $left"
	rm -rf "$WORK/tmp"/*
}
for sig in INT TERM HUP; do
	ended $sig no
	ended $sig yes
done
# SIGKILL: the directory stays; the next run removes it, and no live run's.
$RUN -- sh -c 'kill -KILL $PPID' >/dev/null 2>&1
ls "$WORK/tmp" | grep -Eq '^faultline-run-[0-9]+\.' &&
	pass "SIGKILL: the directory stays" ||
	fail "SIGKILL: no directory left: $(ls "$WORK/tmp")"
mkdir "$WORK/tmp/faultline-run-1.abcdef" # pid 1 lives: not ours to collect
$RUN -- true
[ "$(ls "$WORK/tmp")" = faultline-run-1.abcdef ] &&
	pass "SIGKILL: the next run collected it, not a live one's" ||
	fail "SIGKILL: left $(ls "$WORK/tmp")"

finish
