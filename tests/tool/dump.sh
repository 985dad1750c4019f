#!/bin/sh
# dump.sh - "faultline dump PID": every thread of a live process, with and
# without the library in it (and a static program), symbolized with
# file:line, text and JSON; the process runs on afterwards; the errors
# (no such process, already traced, usage) and their exit statuses.
. "$FL_SRCDIR/tests/tool/common.sh"

build_c hung hung_threads.c -pthread || exit 99
build_c hung_static hung_threads.c -pthread -static ||
	{ echo "no static libc: static case skipped"; HAVE_STATIC=no; }

# start NAME [ENV...]: run hung in the background until it says "ready";
# its pid in $pid.
start() {
	name=$1
	shift
	# Not an old "ready": the new process truncates the file only once
	# it runs.
	rm -f "$WORK/$name.ready"
	env "$@" "$WORK/$name" >"$WORK/$name.ready" &
	pid=$!
	i=0
	while ! grep -q ready "$WORK/$name.ready" 2>/dev/null &&
		[ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# check_dump WHAT: the dump in $WORK/dump.out names every thread and the
# function each is blocked in, with file:line.
check_dump() {
	expect_count "$1: three threads" 3 '^thread: tid [0-9]+ "' \
		"$WORK/dump.out"
	expect_grep "$1: locker thread" '^thread: tid [0-9]+ "locker"' \
		"$WORK/dump.out"
	expect_grep "$1: reader thread" '^thread: tid [0-9]+ "reader"' \
		"$WORK/dump.out"
	for f in blocked_in_mutex blocked_in_read blocked_in_sleep; do
		expect_grep "$1: $f with file:line" \
			"^ +$f at .*hung_threads\.c:[0-9]+" "$WORK/dump.out"
	done
	expect_grep "$1: cause" '^cause: dump requested: faultline dump' \
		"$WORK/dump.out"
}

# running PID: the process is alive, not stopped, not traced.
check_running() {
	state=$(sed 's/.*) //' "/proc/$2/stat" | cut -c1)
	tracer=$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$2/status")
	if [ "$state" = S ] || [ "$state" = R ]; then
		pass "$1: runs on (state $state)"
	else
		fail "$1: state '$state' after the dump"
	fi
	expect_status "$1: no tracer left" 0 "$tracer"
}

# --- without faultline --------------------------------------------------
start hung
"$FAULTLINE" dump "$pid" >"$WORK/dump.out" 2>"$WORK/dump.err"
expect_status "no faultline: dump" 0 $?
check_dump "no faultline"
expect_grep "no faultline: states as they were before the dump" \
	"^thread: tid $pid \"hung\" \(sleeping\)" "$WORK/dump.out"
expect_no_grep "no faultline: not the library" 'libfaultline' \
	"$WORK/dump.out"
check_running "no faultline" "$pid"

"$FAULTLINE" dump --format json "$pid" >"$WORK/dump.json" 2>/dev/null
expect_status "json: dump" 0 $?
expect_grep "json: thread names" '"name":"locker"' "$WORK/dump.json"
expect_grep "json: functions" '"function":"blocked_in_mutex"' \
	"$WORK/dump.json"
expect_count "json: one line" 1 '^\{"faultline"' "$WORK/dump.json"

# --- already traced (strace; gdb would do too) ---------------------------
if command -v strace >/dev/null 2>&1; then
	strace -p "$pid" -o /dev/null 2>/dev/null &
	tracer=$!
	i=0
	while [ "$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$pid/status")" = 0 ] &&
		[ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	"$FAULTLINE" dump "$pid" >"$WORK/traced.out" 2>"$WORK/traced.err"
	expect_status "already traced" 4 $?
	expect_grep "already traced: message" \
		"^faultline: dump: process $pid is already traced by pid $tracer" \
		"$WORK/traced.err"
	expect_count "already traced: one line" 1 '' "$WORK/traced.err"
	kill "$tracer"
	wait "$tracer" 2>/dev/null
else
	echo "no strace: 'already traced' skipped"
fi

# --- another user (root runs the dump as nobody) --------------------------
AS_NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
if [ "$(id -u)" = 0 ] && $AS_NOBODY "$FAULTLINE" --version >/dev/null 2>&1; then
	$AS_NOBODY "$FAULTLINE" dump "$pid" >"$WORK/user.out" 2>"$WORK/user.err"
	expect_status "another user" 4 $?
	expect_grep "another user: message" \
		"^faultline: dump: process $pid belongs to uid 0: ptrace refused" \
		"$WORK/user.err"
else
	echo "not root, or nobody cannot run $FAULTLINE: 'another user' skipped"
fi
kill -9 "$pid"
wait "$pid" 2>/dev/null

# --- Yama: a refusal names kernel.yama.ptrace_scope --------------------------
# This kernel need not have Yama: a private mount namespace shows a
# ptrace_scope of 1, and nobody's own target made itself non-dumpable, so
# nobody's ptrace of it is refused with neither a tracer nor another user
# to blame.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
	$AS_NOBODY "$FAULTLINE" --version >/dev/null 2>&1; then
	yama=$(mktemp -d)
	chmod 755 "$yama"
	cp "$WORK/hung" "$yama/hung"
	cat >"$WORK/yama.sh" <<EOS
#!/bin/sh
mount -t tmpfs none /proc/sys/kernel && mkdir /proc/sys/kernel/yama &&
	echo 1 >/proc/sys/kernel/yama/ptrace_scope || exit 99
$AS_NOBODY "$yama/hung" undumpable >"$WORK/yama.ready" &
target=\$!
i=0
while ! grep -q ready "$WORK/yama.ready" 2>/dev/null && [ \$i -lt 300 ]; do
	sleep 0.1
	i=\$((i + 1))
done
status=0
$AS_NOBODY "$FAULTLINE" dump \$target >/dev/null 2>"$WORK/yama.err" ||
	status=\$?
kill -9 \$target
exit \$status
EOS
	status=0
	unshare -m sh "$WORK/yama.sh" || status=$?
	rm -rf "$yama"
	if [ $status = 99 ]; then
		echo "no private /proc/sys/kernel: 'Yama' skipped"
	else
		expect_status "Yama" 4 $status
		expect_grep "Yama: message" \
			'^faultline: dump: ptrace of process [0-9]+ refused: kernel\.yama\.ptrace_scope is 1 ' \
			"$WORK/yama.err"
	fi
else
	echo "not root, or no unshare: 'Yama' skipped"
fi

# --- with faultline preloaded --------------------------------------------
if [ -r "$LIBFAULTLINE" ]; then
	start hung LD_PRELOAD="$LIBFAULTLINE"
	"$FAULTLINE" dump "$pid" >"$WORK/dump.out" 2>"$WORK/dump.err"
	expect_status "preloaded: dump" 0 $?
	check_dump "preloaded"
	expect_grep "preloaded: the library among the modules" \
		'^  0x[0-9a-f]+ .*libfaultline\.so' "$WORK/dump.out"
	check_running "preloaded" "$pid"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
fi

# --- static --------------------------------------------------------------
if [ "${HAVE_STATIC:-yes}" = yes ]; then
	start hung_static
	"$FAULTLINE" dump "$pid" >"$WORK/dump.out" 2>"$WORK/dump.err"
	expect_status "static: dump" 0 $?
	check_dump "static"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
fi

# --- errors --------------------------------------------------------------
true &
gone=$!
wait "$gone"
"$FAULTLINE" dump "$gone" >"$WORK/gone.out" 2>"$WORK/gone.err"
expect_status "no such process" 3 $?
expect_grep "no such process: message" "^faultline: dump: no process $gone\$" \
	"$WORK/gone.err"
for bad in "" abc 0 -5 "1 2" 99999999999; do
	"$FAULTLINE" dump $bad >/dev/null 2>"$WORK/usage.err"
	expect_status "usage '$bad'" 2 $?
done
finish
