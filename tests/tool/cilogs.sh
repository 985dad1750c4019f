#!/bin/sh
# cilogs.sh - "faultline symbolize" on CI logs: every line with a timestamp
# of its own (GitHub Actions, GitLab, Jenkins' timestamper), several
# reports among other output; and debug files under a relative --debug-dir
# (README's "--debug-dir ./debug").
. "$FL_SRCDIR/tests/tool/common.sh"

[ -r "$LIBFAULTLINE" ] || { echo "no $LIBFAULTLINE" >&2; exit 99; }
build_c crash_c crash_c.c || exit 99
LD_PRELOAD="$LIBFAULTLINE" FAULTLINE_OUTPUT="$WORK/report.txt" \
	"$WORK/crash_c" >/dev/null 2>&1
[ -s "$WORK/report.txt" ] || { echo "crash_c wrote no report" >&2; exit 99; }
frames=$(grep -c '^  #[0-9]' "$WORK/report.txt")

# stamped NAME AWK-PRINTF: a log whose Nth line carries the Nth second's
# (and Nth microsecond's) time in the CI's format, the report twice among
# other lines.
stamped() {
	{
		echo "Running tests"
		cat "$WORK/report.txt"
		echo "between the reports"
		cat "$WORK/report.txt"
		echo "Error: Process completed with exit code 139."
	} | awk -v fmt="$2" '{ printf fmt, NR % 60, NR; print }' >"$WORK/$1.log"
}
stamped github '2026-12-05T21:35:%02d.%07dZ '
stamped gitlab '2026-12-05T21:35:%02d.%06dZ 00O '
stamped jenkins '[2026-12-05T21:35:%02d.%03dZ] '
stamped offset '2026-12-05T21:35:%02d.%03d+01:00 '
for ci in github gitlab jenkins offset; do
	symbolize "$ci" "$WORK/$ci.log"
	expect_status "$ci: symbolized" 0 $status
	expect_no_grep "$ci: no report cut off" 'cut off' "$WORK/$ci.err"
	n=$(grep -Ec '^\S+( 00O)? +      write_through_null at .*crash_c.c:[0-9]+$' \
		"$WORK/$ci.out")
	[ "$n" = 2 ] && pass "$ci: both reports symbolized" ||
		fail "$ci: $n symbolized crash frames, expected 2"
	# Every frame of both reports, and every other line, kept.
	expect_count "$ci: every frame kept" $((2 * frames)) ' +#[0-9]+ +0x' \
		"$WORK/$ci.out"
	expect_count "$ci: the other lines kept" 1 'between the reports$' \
		"$WORK/$ci.out"
	symbolize "$ci-json" --format json "$WORK/$ci.log"
	expect_count "$ci: --format json, two reports" 2 '\{"faultline":' \
		"$WORK/$ci-json.out"
done
# The GitLab stream marker tells stdout from stderr; "+" continues a line.
sed '3s/ 00O / 01E+ /' "$WORK/gitlab.log" >"$WORK/gitlab2.log"
symbolize gitlab2 "$WORK/gitlab2.log"
expect_no_grep "gitlab: 01E+ lines" 'cut off' "$WORK/gitlab2.err"
# What only looks like a time is a prefix like any other: no report is
# found across a prefix that changes.
awk '{ printf "%02d:%02d ", NR % 60, NR % 60; print }' "$WORK/report.txt" \
	>"$WORK/clock.log"
symbolize clock "$WORK/clock.log"
expect_grep "a prefix that is not a CI time still ties lines" 'cut off' \
	"$WORK/clock.err"

# --- a relative --debug-dir --------------------------------------------------
mkdir -p "$WORK/rel"
debug_by_build_id "$WORK/crash_c" "$WORK/rel/debug"
SYMBOLIZE_DIR="$WORK/rel" symbolize relative --debug-dir ./debug \
	"$WORK/report.txt"
expect_status "--debug-dir ./debug" 0 $status
expect_grep "--debug-dir ./debug: found by build-id" \
	'^      write_through_null at .*crash_c.c:[0-9]+$' "$WORK/relative.out"
SYMBOLIZE_DIR="$WORK/rel" symbolize relative2 --debug-dir debug \
	"$WORK/report.txt"
expect_grep "--debug-dir debug: found by build-id" \
	'^      write_through_null at .*crash_c.c:[0-9]+$' "$WORK/relative2.out"

finish
