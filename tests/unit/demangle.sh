#!/bin/sh
# demangle.sh - fl_demangle (lib/demangle.c) against c++filt on every
# symbol libstdc++ defines: the same text for each, except where ours is
# cut at FL_DEMANGLE_OUTPUT_MAX bytes ("..."), which must then begin
# c++filt's.  The names come from the build machine's libstdc++ (they are
# only text); the filter runs under the test emulator in a cross build.
set -eu
: "${FL_BUILDDIR:?}"
filter="$FL_BUILDDIR/tests/unit/demangle-filter"

skip() {
	echo "SKIP: $*"
	exit 77
}
command -v c++filt >/dev/null 2>&1 || skip "no c++filt"
command -v nm >/dev/null 2>&1 || skip "no nm"
lib=
for f in /usr/lib/*-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6 \
	/usr/lib/libstdc++.so.6; do
	if [ -f "$f" ] && nm -D --defined-only "$f" >/dev/null 2>&1; then
		lib=$f
		break
	fi
done
[ -n "$lib" ] || skip "no libstdc++.so.6 that nm reads"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nm -D --defined-only --no-demangle "$lib" | awk 'NF >= 3 { print $3 }' |
	sed 's/@.*//' | sort -u >"$work/names"
c++filt <"$work/names" >"$work/cxxfilt"
# shellcheck disable=SC2086 # the emulator is a command line
${FL_TEST_EMULATOR:-} "$filter" <"$work/names" >"$work/ours"

total=$(wc -l <"$work/names")
mangled=$(grep -c '^_Z' "$work/names" || true)
[ "$mangled" -gt 1000 ] || {
	echo "FAIL: only $mangled C++ names in $lib"
	exit 1
}
paste -d '\n' "$work/cxxfilt" "$work/ours" | awk -v max=1024 '
	NR % 2 == 1 { want = $0; next }
	{
		if ($0 == want) next
		n = length($0)
		if (n == max && substr($0, n - 2) == "..." &&
		    substr(want, 1, n - 3) == substr($0, 1, n - 3)) {
			cut++
			next
		}
		bad++
		if (bad <= 10) printf "differs:\n  c++filt: %s\n  ours:    %s\n", want, $0
	}
	END {
		printf "%d names differ, %d cut at %d bytes\n", bad, cut, max
		exit bad > 0
	}' || {
	echo "FAIL: fl_demangle differs from c++filt on $lib"
	exit 1
}
echo "PASS: $total names of $lib ($mangled C++) as c++filt shows them"
