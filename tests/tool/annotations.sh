#!/bin/sh
# annotations.sh - "faultline symbolize" keeps the crash annotations and
# the user callback's lines: text to text, text to JSON, JSON to text
# and JSON to JSON (issue 10, section 4).
. "$FL_SRCDIR/tests/tool/common.sh"

CRASHME="$FL_BUILDDIR/tests/crash/crashme"
[ -x "$CRASHME" ] || { echo "no $CRASHME" >&2; exit 99; }

FAULTLINE_ANNOTATIONS='build=42,list=a\,b' "$CRASHME" callback-write \
	>/dev/null 2>"$WORK/text.report"
FAULTLINE_ANNOTATIONS='build=42,list=a\,b' FAULTLINE_FORMAT=json \
	"$CRASHME" annotate >/dev/null 2>"$WORK/json.report"
grep -q '^callback: second line$' "$WORK/text.report" &&
	grep -q '"annotations":{"build":"1.2.3","list":"a,b"' \
		"$WORK/json.report" ||
	{ echo "crashme wrote no reports" >&2; exit 99; }

symbolize text "$WORK/text.report"
expect_status "text: status" 0 $status
expect_no_grep "text: not cut off" 'cut off' "$WORK/text.err"
expect_grep "text: the callback's lines kept, inside the report" \
	'^callback: second line$' "$WORK/text.out"
[ "$(grep -A1 '^callback: second line$' "$WORK/text.out" | tail -n 1)" = \
	'==== end of faultline report ====' ] &&
	pass "text: the end line after the callback's" ||
	fail "text: no end line after the callback's"
expect_grep "text: annotations kept" '^  list=a,b$' "$WORK/text.out"

symbolize text-json --format json "$WORK/text.report"
expect_grep "text to JSON: annotations" \
	'"annotations":\{"build":"42","list":"a,b"\}' "$WORK/text-json.out"

symbolize json-text --format text "$WORK/json.report"
expect_grep "JSON to text: the annotations block" \
	'^annotations:$' "$WORK/json-text.out"
expect_grep "JSON to text: escaped as the report's strings" \
	'^  quote=say "hi"\\\\\\x0a\\x09end$' "$WORK/json-text.out"
[ "$(grep -A3 '^annotations:$' "$WORK/json-text.out" | tr '\n' ' ')" = \
	'annotations:   build=1.2.3   list=a,b   phase=running ' ] &&
	pass "JSON to text: in order" || fail "JSON to text: not in order"

symbolize json-json "$WORK/json.report"
expect_grep "JSON to JSON: annotations" \
	'"annotations":\{"build":"1.2.3","list":"a,b","phase":"running",' \
	"$WORK/json-json.out"

finish
