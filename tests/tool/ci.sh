#!/bin/sh
# ci.sh - "faultline run" in CI: GitHub annotations (one ::error line per
# crash at the innermost frame inside the workspace, escaped per the
# workflow-command rules) and the job summary, the summary line,
# --fail-on-crash, JSON reports on a channel of their own (--json) and
# --annotate.
. "$FL_SRCDIR/tests/tool/common.sh"

[ -r "$LIBFAULTLINE" ] || { echo "no $LIBFAULTLINE" >&2; exit 99; }
build_c crash_c crash_c.c || exit 99
build_c crash_tree crash_tree.c || exit 99
RUN="$FAULTLINE run --library $LIBFAULTLINE"
# Not under GitHub Actions unless a test says so (the tests may run there).
unset GITHUB_ACTIONS GITHUB_WORKSPACE GITHUB_STEP_SUMMARY
line_of() { grep -n "$1" "$2" | head -n 1 | cut -d: -f1; }

# A workspace: the program's sources inside it, a library's outside.
WS="$WORK/ws"
mkdir -p "$WS/src"
cp "$TESTS_SRC/crash_c.c" "$WS/src/"
cp "$TESTS_SRC/crash_c.c" "$WS/src/we%ird,na:me.c"
cp "$TESTS_SRC/crash_shlib.c" "$WS/src/"
(cd "$WS" && "$CC" -g -O2 -o crash_c src/crash_c.c &&
	"$CC" -g -O2 -o 'crash%50' 'src/we%ird,na:me.c' &&
	"$CC" -g -O2 -shared -fPIC -o "$WORK/libcrash_lib.so" \
		"$TESTS_SRC/crash_lib.c" &&
	"$CC" -g -O2 -o crash_shlib src/crash_shlib.c \
		-L"$WORK" -lcrash_lib -Wl,-rpath,"$WORK") || exit 99
L_CRASH=$(line_of '\*nowhere = value;' "$WS/src/crash_c.c")
L_CALL=$(line_of 'int result = crash_lib_call(value);' "$WS/src/crash_shlib.c")

# --- GitHub Actions: annotations ---------------------------------------------
(cd "$WS" && GITHUB_ACTIONS=true GITHUB_WORKSPACE="$WS" \
	GITHUB_STEP_SUMMARY="$WORK/summary.md" $RUN -- ./crash_c segv) \
	>"$WORK/gh.out" 2>"$WORK/gh.err"
expect_status "GITHUB_ACTIONS: status" 139 $?
expect_count "GITHUB_ACTIONS: one annotation" 1 '^::error ' "$WORK/gh.out"
expect_grep "annotation: file, line and title" \
	"^::error file=src/crash_c.c,line=$L_CRASH,title=SIGSEGV in write_through_null::" \
	"$WORK/gh.out"
expect_grep "annotation: the message, the backtrace on %0A-separated lines" \
	'::crash_c \(pid [0-9]+\) crashed: SIGSEGV, null pointer dereference in write_through_null%0A#0 write_through_null at [^%]*crash_c.c:[0-9]+%0A#1 ' \
	"$WORK/gh.out"
expect_grep "GITHUB_ACTIONS: the command's stdout still there" \
	'^crash_c: segv$' "$WORK/gh.out"
expect_grep "step summary: heading" '^### faultline: 1 process crashed$' \
	"$WORK/summary.md"
expect_grep "step summary: a row with the place" \
	"^\| [0-9]+ \| crash\\\\_c \| SIGSEGV \| write\\\\_through\\\\_null \| src/crash\\\\_c.c:$L_CRASH \|$" \
	"$WORK/summary.md"
expect_grep "step summary: the report" '^==== faultline .* crash report ====$' \
	"$WORK/summary.md"
# The job summary is appended to, not replaced.
(cd "$WS" && GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY="$WORK/summary.md" \
	$RUN -- ./crash_c segv) >/dev/null 2>&1
expect_count "step summary: appended" 2 '^### faultline' "$WORK/summary.md"

# Without $GITHUB_WORKSPACE, the current directory is the workspace; the
# innermost frame inside it is the program's, not the library's.
(cd "$WS" && $RUN --ci-annotations github -- ./crash_shlib) >"$WORK/shlib.out" \
	2>"$WORK/shlib.err"
expect_grep "--ci-annotations github: innermost frame inside the workspace" \
	"^::error file=src/crash_shlib.c,line=$L_CALL,title=SIGSEGV in call_library::" \
	"$WORK/shlib.out"
# Escaping: % : , in properties, % in the message.
(cd "$WS" && $RUN --ci-annotations github -- './crash%50') \
	>"$WORK/esc.out" 2>/dev/null
expect_grep "annotation: a property's % , : escaped" \
	"^::error file=src/we%25ird%2Cna%3Ame.c,line=$L_CRASH,title=SIGSEGV in write_through_null::crash%2550 \(pid" \
	"$WORK/esc.out"
# No workspace frame: an annotation without a file.
(cd "$WORK" && GITHUB_ACTIONS=true GITHUB_WORKSPACE="$WORK/ws/src" \
	$RUN -- "$WORK/crash_c" segv) >"$WORK/nows.out" 2>/dev/null
expect_grep "annotation: no frame in the workspace, no file" \
	'^::error title=SIGSEGV in write_through_null::' "$WORK/nows.out"
# A file named through "..": in the workspace only as it really is.
mkdir "$WS/build"
(cd "$WS/build" && "$CC" -g -O2 -o crash_c ../src/crash_c.c) || exit 99
(cd "$WS/build" && GITHUB_ACTIONS=true $RUN -- ./crash_c) >"$WORK/up.out" \
	2>/dev/null
expect_grep "annotation: build/../src is not inside build" \
	'^::error title=SIGSEGV in write_through_null::' "$WORK/up.out"
(cd "$WS/build" && GITHUB_ACTIONS=true GITHUB_WORKSPACE="$WS" $RUN -- \
	./crash_c) >"$WORK/up2.out" 2>/dev/null
expect_grep "annotation: build/../src/crash_c.c is src/crash_c.c" \
	"^::error file=src/crash_c.c,line=$L_CRASH," "$WORK/up2.out"
# Off: --ci-annotations none, or not under GitHub Actions.
(cd "$WS" && GITHUB_ACTIONS=true $RUN --ci-annotations none -- ./crash_c) \
	>"$WORK/none.out" 2>/dev/null
expect_no_grep "--ci-annotations none" '^::' "$WORK/none.out"
(cd "$WS" && $RUN -- ./crash_c) >"$WORK/plain.out" 2>/dev/null
expect_no_grep "not under GitHub Actions: no annotation" '^::' "$WORK/plain.out"
$RUN --ci-annotations gitlab -- true 2>"$WORK/badci.err"
expect_status "--ci-annotations gitlab" 125 $?
expect_grep "--ci-annotations gitlab: message" 'takes github or none' \
	"$WORK/badci.err"

# --- the summary line ------------------------------------------------------
$RUN -- "$WORK/crash_tree" >/dev/null 2>"$WORK/tree.err"
expect_grep "summary line: two crashes, each signal, function and place" \
	'^faultline: 2 processes crashed: crash_tree \(pid [0-9]+\) SIG(SEGV|ABRT) in [^ ]+( at [^ ]+:[0-9]+)?; crash_tree \(pid [0-9]+\) SIG(SEGV|ABRT) in ' \
	"$WORK/tree.err"
tail -n 1 "$WORK/tree.err" | grep -q '^faultline: 2 processes crashed' &&
	pass "summary line: the last line" ||
	fail "summary line: not last: $(tail -n 1 "$WORK/tree.err")"
(cd "$WS" && $RUN -- ./crash_c segv) >/dev/null 2>"$WORK/one.err"
expect_grep "summary line: one crash, file relative to the directory" \
	"^faultline: 1 process crashed: crash_c \(pid [0-9]+\) SIGSEGV in write_through_null at src/crash_c.c:$L_CRASH$" \
	"$WORK/one.err"
$RUN -- true 2>"$WORK/nocrash.err"
[ -s "$WORK/nocrash.err" ] && fail "no crash: output $(cat "$WORK/nocrash.err")" ||
	pass "no crash: no summary line"

# --- --fail-on-crash ----------------------------------------------------------
CHILD_CRASHES="'$WORK/crash_c' segv; exit 0"
$RUN -- sh -c "$CHILD_CRASHES" >/dev/null 2>&1
expect_status "a child crashed, the command exited 0" 0 $?
$RUN --fail-on-crash -- sh -c "$CHILD_CRASHES" >/dev/null 2>&1
expect_status "--fail-on-crash: a child crashed" 1 $?
$RUN --fail-on-crash -- sh -c 'exit 0' >/dev/null 2>&1
expect_status "--fail-on-crash: nothing crashed" 0 $?
$RUN --fail-on-crash -- sh -c "'$WORK/crash_c' segv; exit 5" >/dev/null 2>&1
expect_status "--fail-on-crash: the command's own failure kept" 5 $?
$RUN --fail-on-crash -- "$WORK/crash_c" segv >/dev/null 2>&1
expect_status "--fail-on-crash: the command crashed" 139 $?

# --- --json FILE: JSON Lines of their own --------------------------------------
$RUN --json "$WORK/reports.jsonl" -- "$WORK/crash_tree" >"$WORK/j.out" \
	2>"$WORK/j.err"
expect_status "--json: the command's status" 3 $?
expect_count "--json: one line per crash" 2 '^\{"faultline":' \
	"$WORK/reports.jsonl"
expect_count "--json: nothing else in the file" 2 '' "$WORK/reports.jsonl"
expect_grep "--json: symbolized" '"file":"[^"]*crash_tree.c"' \
	"$WORK/reports.jsonl"
expect_grep "--json: text reports still on stderr" 'crash report ====$' \
	"$WORK/j.err"
expect_no_grep "--json: no JSON on stderr" '^\{' "$WORK/j.err"
expect_no_grep "--json: no JSON on stdout" '^\{' "$WORK/j.out"
if command -v jq >/dev/null 2>&1; then
	# As a new user would: the reports piped to jq, the program's output
	# elsewhere.
	sig=$($RUN --json /dev/fd/3 -- "$WORK/crash_c" segv 3>&1 >/dev/null \
		2>/dev/null | jq -r .signal.name)
	[ "$sig" = SIGSEGV ] && pass "--json /dev/fd/3 | jq" ||
		fail "--json /dev/fd/3 | jq: '$sig'"
fi
python3 -c 'import json,sys
for line in open(sys.argv[1]): json.loads(line)' "$WORK/reports.jsonl" &&
	pass "--json: every line parses" || fail "--json: a line does not parse"
$RUN --json "$WORK/reports.jsonl" -- true 2>/dev/null
[ -e "$WORK/reports.jsonl" ] && [ ! -s "$WORK/reports.jsonl" ] &&
	pass "--json: no crash, an empty file" ||
	fail "--json: no crash: $(cat "$WORK/reports.jsonl")"
$RUN --json "$WORK/no/such/dir/r.jsonl" -- true 2>"$WORK/badjson.err"
expect_status "--json in a missing directory" 125 $?
expect_grep "--json in a missing directory: message" '^faultline: cannot open' \
	"$WORK/badjson.err"

# --- --annotate KEY=VALUE: FAULTLINE_ANNOTATIONS for the whole tree ---------
$RUN --annotate build=42 --annotate branch=main -- \
	sh -c 'sh -c "echo \$FAULTLINE_ANNOTATIONS"' >"$WORK/ann.out" 2>&1
[ "$(cat "$WORK/ann.out")" = "build=42,branch=main" ] &&
	pass "--annotate: FAULTLINE_ANNOTATIONS in a grandchild" ||
	fail "--annotate: '$(cat "$WORK/ann.out")'"
FAULTLINE_ANNOTATIONS=job=7 $RUN --annotate build=42 -- \
	sh -c 'echo "$FAULTLINE_ANNOTATIONS"' >"$WORK/ann2.out" 2>&1
[ "$(cat "$WORK/ann2.out")" = "job=7,build=42" ] &&
	pass "--annotate: appended to an inherited FAULTLINE_ANNOTATIONS" ||
	fail "--annotate: '$(cat "$WORK/ann2.out")'"
# A comma or backslash is escaped as the library reads them back.
$RUN --annotate 'a,b=c\d,e' -- sh -c 'printf "%s\n" "$FAULTLINE_ANNOTATIONS"' \
	>"$WORK/ann3.out" 2>&1
[ "$(cat "$WORK/ann3.out")" = 'a\,b=c\\d\,e' ] &&
	pass "--annotate: ',' and '\\' escaped" ||
	fail "--annotate escaped: '$(cat "$WORK/ann3.out")'"
for bad in novalue =x; do
	$RUN --annotate "$bad" -- true 2>"$WORK/badann.err"
	expect_status "--annotate '$bad'" 125 $?
	expect_grep "--annotate '$bad': message" 'takes KEY=VALUE' \
		"$WORK/badann.err"
done

# The reports' annotations (the JSON member "annotations", an object of
# strings) in the GitHub annotation and the job summary.  A command puts a
# report with annotations in the run's channel, as the library would.
(LD_PRELOAD="$LIBFAULTLINE" FAULTLINE_FORMAT=json \
	FAULTLINE_OUTPUT="$WORK/real.json" "$WORK/crash_c"; true) >/dev/null 2>&1
[ -s "$WORK/real.json" ] || { echo "crash_c wrote no report" >&2; exit 99; }
cat >"$WORK/annotated.sh" <<'SCRIPT'
sed 's|"annotations":{}|"annotations":{"build":"42","n":7,"branch":"ma:in"}|' \
	"$1" >"$(dirname "$FAULTLINE_OUTPUT")/1-2.json"
SCRIPT
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY="$WORK/annotated.md" \
	$RUN -- sh "$WORK/annotated.sh" "$WORK/real.json" >"$WORK/annotated.out" \
	2>"$WORK/annotated.err"
expect_grep "report annotations in the GitHub annotation" \
	'in write_through_null%0Abuild=42%0Abranch=ma:in%0A#0 ' "$WORK/annotated.out"
expect_grep "report annotations in the job summary" '^- branch: ma:in$' \
	"$WORK/annotated.md"
expect_no_grep "report annotations: a value that is no string skipped" \
	'n=7|^- n:' "$WORK/annotated.out"
# End to end: --annotate, the library's report (text), the GitHub
# annotation; a comma in a value.
(cd "$WS" && GITHUB_ACTIONS=true $RUN --annotate build=42 \
	--annotate 'list=a,b' -- ./crash_c segv) >"$WORK/e2e.out" \
	2>"$WORK/e2e.err"
expect_grep "--annotate: the report's annotations block" \
	'^  list=a,b$' "$WORK/e2e.err"
expect_grep "--annotate: in the GitHub annotation" \
	'%0Abuild=42%0Alist=a,b%0A#0 ' "$WORK/e2e.out"

finish
