#!/bin/sh
# debuginfod.sh - "faultline symbolize" fetches the debug files that are
# missing here from a debuginfod server (elfutils' own, started here on a
# directory of debug files), through libdebuginfod and its cache: for a
# stripped program whose debug file only the server has, and for one that
# is gone altogether, and for one compressed with dwz (its dwz file is
# fetched too); --debuginfod and --no-debuginfod; one clear line per
# module the server has nothing for; and never a hang, with a server that
# accepts connections and never answers, or refuses them.
#
# The server runs in a network namespace of its own where user namespaces
# allow it (loopback only, any port free); elsewhere on 127.0.0.1 at the
# first free port tried.  Skipped when the debuginfod program is missing.
if [ -z "${FL_IN_NETNS:-}" ] && command -v ip >/dev/null 2>&1 &&
	unshare -rn true 2>/dev/null; then
	FL_IN_NETNS=1 exec unshare -rn /bin/sh "$0" "$@"
fi
. "$FL_SRCDIR/tests/tool/common.sh"

if ! command -v debuginfod >/dev/null 2>&1; then
	echo "SKIP: no debuginfod program (Debian: apt-get install debuginfod)"
	exit 77
fi
if ! "$FAULTLINE" --version | grep -q '^debuginfod: yes'; then
	echo "SKIP: this faultline was built without libdebuginfod"
	exit 77
fi
[ -r "$LIBFAULTLINE" ] || { echo "no $LIBFAULTLINE" >&2; exit 99; }
if [ "${FL_IN_NETNS:-}" = 1 ]; then
	ip link set lo up || exit 99
	echo "in a private network namespace"
fi

pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT
trap 'exit 99' HUP INT TERM

# --- a program and a library, stripped; the server has the program's ---
build_c libcrash_lib.so crash_lib.c -shared -fPIC || exit 99
build_c crash_shlib crash_shlib.c -L"$WORK" -lcrash_lib \
	-Wl,-rpath,"$WORK" || exit 99
"$CC" -o "$WORK/silent_server" "$TESTS_SRC/silent_server.c" || exit 99
mkdir "$WORK/served"
objcopy --only-keep-debug "$WORK/crash_shlib" "$WORK/served/crash_shlib.debug"
strip --strip-all "$WORK/crash_shlib" "$WORK/libcrash_lib.so"
LD_PRELOAD="$LIBFAULTLINE" FAULTLINE_OUTPUT="$WORK/report.txt" \
	"$WORK/crash_shlib" >/dev/null 2>&1
[ -s "$WORK/report.txt" ] || { echo "crash_shlib wrote no report" >&2; exit 99; }
build_id() { readelf -n "$1" 2>/dev/null | sed -n 's/.*Build ID: //p'; }
PROG_ID=$(build_id "$WORK/crash_shlib")
LIB_ID=$(build_id "$WORK/libcrash_lib.so")

# --- a debug file compressed with dwz: names in a file of their own ------
# Two builds share their types in multi.debug, which the server has too.
have_dwz=no
if command -v dwz >/dev/null 2>&1; then
	mkdir "$WORK/dwz"
	# DWARF 4: Debian 12's dwz cannot read clang's DWARF 5.
	build_c dwz_a crash_c.c -gdwarf-4 || exit 99
	build_c dwz_b crash_c.c -O1 -gdwarf-4 || exit 99
	objcopy --only-keep-debug "$WORK/dwz_a" "$WORK/dwz/dwz_a.debug"
	objcopy --only-keep-debug "$WORK/dwz_b" "$WORK/dwz/dwz_b.debug"
	(cd "$WORK/dwz" && dwz -m multi.debug -M /nonexistent/multi.debug \
		dwz_a.debug dwz_b.debug) || exit 99
	cp "$WORK/dwz/dwz_a.debug" "$WORK/dwz/multi.debug" "$WORK/served/"
	strip --strip-all "$WORK/dwz_a"
	LD_PRELOAD="$LIBFAULTLINE" FAULTLINE_OUTPUT="$WORK/dwz.txt" \
		"$WORK/dwz_a" >/dev/null 2>&1
	[ -s "$WORK/dwz.txt" ] || { echo "dwz_a wrote no report" >&2; exit 99; }
	MULTI_ID=$(build_id "$WORK/dwz/multi.debug")
	have_dwz=yes
else
	echo "SKIP: no dwz: debug files with a dwz file not checked"
fi

# start_server: debuginfod on $WORK/served; $URL, $server_pid.
start_server() {
	for port in 8002 $(awk 'BEGIN { srand(); for (i = 0; i < 8; i++)
		print 20000 + int(rand() * 30000) }'); do
		debuginfod -F -d :memory: -p "$port" -t 0 -g 0 \
			"$WORK/served" >"$WORK/server.log" 2>&1 &
		server_pid=$!
		pids="$pids $server_pid"
		URL="http://127.0.0.1:$port"
		# Ready when it serves the file (a probe cache of its own:
		# the client caches misses).
		for i in $(seq 1 60); do
			kill -0 "$server_pid" 2>/dev/null || break
			rm -rf "$WORK/probe"
			if DEBUGINFOD_URLS=$URL DEBUGINFOD_CACHE_PATH="$WORK/probe" \
				debuginfod-find debuginfo "$PROG_ID" \
				>/dev/null 2>&1; then
				echo "debuginfod serving on port $port"
				return 0
			fi
			sleep 0.5
		done
		kill "$server_pid" 2>/dev/null
	done
	echo "debuginfod did not start:" >&2
	cat "$WORK/server.log" >&2
	exit 99
}

# symbolize_env NAME ENV [ARGS...]: faultline symbolize [ARGS...] on $REPORT
# (default: the report of crash_shlib)
# under env ENV (words, or - for none), with a client cache of its own
# ($WORK/cache-NAME); output in $WORK/NAME.out and .err, exit status in
# $status, seconds taken in $took.  Bounded: a hang fails, never blocks.
symbolize_env() {
	name=$1 envs=$2
	shift 2
	[ "$envs" = - ] && envs=
	start=$(date +%s)
	# shellcheck disable=SC2086 # envs: words
	env $envs DEBUGINFOD_CACHE_PATH="$WORK/cache-$name" \
		timeout 120 "$FAULTLINE" symbolize "$@" "${REPORT:-$WORK/report.txt}" \
		>"$WORK/$name.out" 2>"$WORK/$name.err"
	status=$?
	took=$(($(date +%s) - start))
	[ $status -ne 124 ] || fail "$name: faultline hung (killed after 120 s)"
	[ $status -lt 128 ] || fail "$name: faultline died with status $status"
}

located='^      call_library at .*/crash_shlib\.c:[0-9]+$'
lib_line="libcrash_lib\\.so has no debug information.*build-id $LIB_ID, nor on debuginfod \\(http://127\\.0\\.0\\.1:[0-9]+\\)"

# --- without a server ----------------------------------------------------
symbolize_env plain -
expect_no_grep "no server: nothing located" "$located" "$WORK/plain.out"
expect_grep "no server: stripped program said" \
	'crash_shlib has no debug information' "$WORK/plain.err"

start_server

# --- DEBUGINFOD_URLS ----------------------------------------------------
symbolize_env env DEBUGINFOD_URLS="$URL"
expect_grep "DEBUGINFOD_URLS: the program's frames located" "$located" \
	"$WORK/env.out"
expect_no_grep "DEBUGINFOD_URLS: no complaint about the program" \
	'crash_shlib has no debug' "$WORK/env.err"
expect_grep "DEBUGINFOD_URLS: the server has nothing for the library" \
	"$lib_line" "$WORK/env.err"
expect_count "one line for the library" 1 'libcrash_lib' "$WORK/env.err"
expect_status "DEBUGINFOD_URLS: partial (the library)" 1 $status
[ -s "$WORK/cache-env/$PROG_ID/debuginfo" ] &&
	pass "the debug file is in the client's cache" ||
	fail "no $WORK/cache-env/$PROG_ID/debuginfo"

# --- --debuginfod URL, and --no-debuginfod --------------------------------
symbolize_env option - --debuginfod "$URL"
expect_grep "--debuginfod: the program's frames located" "$located" \
	"$WORK/option.out"
symbolize_env off DEBUGINFOD_URLS="$URL" --no-debuginfod
expect_no_grep "--no-debuginfod: nothing fetched" "$located" "$WORK/off.out"
expect_no_grep "--no-debuginfod: no server named" 'debuginfod' "$WORK/off.err"
[ -e "$WORK/cache-off/$PROG_ID" ] &&
	fail "--no-debuginfod: the client was asked anyway"

# --- the program gone: its debug file alone ---------------------------------
mv "$WORK/crash_shlib" "$WORK/crash_shlib.moved"
symbolize_env gone DEBUGINFOD_URLS="$URL"
expect_grep "program gone: located from the fetched debug file" "$located" \
	"$WORK/gone.out"
mv "$WORK/crash_shlib.moved" "$WORK/crash_shlib"

# --- the dwz file fetched too ----------------------------------------------
if [ $have_dwz = yes ]; then
	REPORT="$WORK/dwz.txt"
	symbolize_env dwz DEBUGINFOD_URLS="$URL"
	expect_grep "dwz: names from the dwz file" \
		'^      write_through_null at .*/crash_c\.c:[0-9]+$' "$WORK/dwz.out"
	[ -s "$WORK/cache-dwz/$MULTI_ID/debuginfo" ] &&
		pass "dwz: the dwz file fetched by its build-id" ||
		fail "dwz: no $WORK/cache-dwz/$MULTI_ID/debuginfo"
	expect_no_grep "dwz: no complaint" 'dwz_a' "$WORK/dwz.err"
	# The debug file cached alone, the dwz file nowhere.
	mkdir "$WORK/cache-dwz-alone"
	cp -r "$WORK/cache-dwz/$(build_id "$WORK/dwz/dwz_a.debug")" \
		"$WORK/cache-dwz-alone/"
	kill "$server_pid"
	wait "$server_pid" 2>/dev/null
	symbolize_env dwz-alone DEBUGINFOD_URLS="$URL"
	expect_grep "dwz file missing: said" \
		"^faultline: $WORK/dwz_a: its debug information needs the dwz file /nonexistent/multi\\.debug \\(build-id $MULTI_ID\\), which was not found: names are missing\$" \
		"$WORK/dwz-alone.err"
	unset REPORT
	start_server
fi

# --- the cache, with the server stopped -----------------------------------
kill "$server_pid"
wait "$server_pid" 2>/dev/null
cp -r "$WORK/cache-env" "$WORK/cache-cached"
symbolize_env cached DEBUGINFOD_URLS="$URL"
expect_grep "server stopped: located from the client's cache" "$located" \
	"$WORK/cached.out"

# --- a server that refuses ------------------------------------------------
symbolize_env refused DEBUGINFOD_URLS="$URL"
expect_grep "refused: said once" \
	"^faultline: debuginfod \\(http://127\\.0\\.0\\.1:[0-9]+\\): connection refused; not asking it again in this run$" \
	"$WORK/refused.err"
expect_status "refused: partial" 1 $status

# --- a server that accepts and never answers --------------------------------
"$WORK/silent_server" 300 >"$WORK/silent.log" &
pids="$pids $!"
for i in $(seq 1 50); do
	[ -s "$WORK/silent.log" ] && break
	sleep 0.1
done
SILENT="http://127.0.0.1:$(head -n 1 "$WORK/silent.log")"
symbolize_env silent "DEBUGINFOD_URLS=$SILENT DEBUGINFOD_TIMEOUT=2"
expect_grep "silent server: said, with the time-out" \
	'^faultline: debuginfod \(http://127\.0\.0\.1:[0-9]+\): no answer within 2 s \(DEBUGINFOD_TIMEOUT\); not asking it again in this run$' \
	"$WORK/silent.err"
expect_count "silent server: said once" 1 'no answer' "$WORK/silent.err"
# Only faultline's own query: libdwfl's built-in one would wait too.
expect_count "silent server: one connection for two modules" 1 \
	'^accepted$' "$WORK/silent.log"
[ "$took" -lt 30 ] && pass "silent server: done in $took s (< 30)" ||
	fail "silent server: took $took s"
expect_grep "silent server: the program still has its names" \
	'crash_shlib has no debug information' "$WORK/silent.err"
# faultline's own bound when the user sets none (elfutils': 3 x 90 s).
symbolize_env silent-default \
	"-u DEBUGINFOD_TIMEOUT -u DEBUGINFOD_RETRY_LIMIT DEBUGINFOD_URLS=$SILENT"
expect_grep "silent server, no DEBUGINFOD_TIMEOUT: faultline's 10 s" \
	'no answer within 10 s' "$WORK/silent-default.err"
[ "$took" -lt 60 ] && pass "silent server: done in $took s (< 60)" ||
	fail "silent server, default time-out: took $took s"

finish
